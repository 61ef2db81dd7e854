//! Any bytes that are UTF-8 render without panicking, to HTML that passes `render::audit`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let html = riposte::render::render(text);
        if let Err(problem) = riposte::render::audit(&html) {
            panic!("{problem}");
        }
    }
});
