// Embeds the widget's translations (one JSON file per language) and makes adding a migration or a
// widget file trigger a rebuild.
use std::{env, fs, path::PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=widget");
    let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("widget/i18n");
    let mut langs: Vec<(String, PathBuf)> = fs::read_dir(&dir)
        .expect("widget/i18n exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    langs.sort();
    let mut out = String::from(
        "/// The widget's translations: (language, JSON text), sorted by language.\npub const LANGS: &[(&str, &str)] = &[\n",
    );
    for (lang, path) in &langs {
        println!("cargo:rerun-if-changed={}", path.display());
        out.push_str(&format!(
            "    ({lang:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    out.push_str("];\n");
    fs::write(PathBuf::from(env::var("OUT_DIR").unwrap()).join("i18n.rs"), out).unwrap();
}
