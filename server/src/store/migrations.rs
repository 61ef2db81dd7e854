//! What the tests of both backends check of their migrations.

/// Asserts that a backend's embedded migrations are the `.sql` files of `migrations/<backend>`, numbered
/// from 0001 in order (a file added but not listed would never run).
pub(super) fn assert_migrations_match_files(backend: &str, embedded: &[(&str, &str)]) {
    let dir = format!("{}/migrations/{backend}", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    files.sort();
    let listed: Vec<String> = embedded.iter().map(|(n, _)| format!("{n}.sql")).collect();
    assert_eq!(
        files, listed,
        "every {dir}/*.sql file must be listed in MIGRATIONS, in order"
    );
    for (i, name) in files.iter().enumerate() {
        assert!(name.starts_with(&format!("{:04}_", i + 1)), "{name} is out of sequence");
    }
}
