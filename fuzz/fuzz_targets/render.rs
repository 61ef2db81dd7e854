//! Any bytes that are UTF-8 render without panicking, to HTML that passes `render::audit`.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// The server's renderer, this very file, compiled here with only its own dependencies.
#[allow(dead_code)]
#[path = "../../server/src/render.rs"]
mod render;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let html = render::render(text);
        if let Err(problem) = render::audit(&html) {
            panic!("{problem}");
        }
    }
});
