//! sys.rs declares every function of include/gdescent.h.
use std::fs;
use std::path::Path;

#[test]
fn every_header_function_is_declared() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let header = fs::read_to_string(root.join("include/gdescent.h")).unwrap();
    let sys = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sys.rs")).unwrap();
    let mut count = 0;
    for line in header.lines().filter(|l| l.starts_with("GD_API ")) {
        let before_paren = line.split('(').next().unwrap();
        let name = before_paren.rsplit([' ', '*']).next().unwrap();
        assert!(
            sys.contains(&format!("pub fn {}(", name)),
            "{} is not declared",
            name
        );
        count += 1;
    }
    assert!(count >= 38, "only {} functions found in the header", count);
}
