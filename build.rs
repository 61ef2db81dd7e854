// Migrations are embedded with include_str!; adding a file must trigger a rebuild.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=widget");
}
