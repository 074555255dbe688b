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

/// Every numeric `#define GD_*` and every enumerator of the header is a `pub const` of
/// sys.rs with the same value.
#[test]
fn every_header_constant_has_its_value() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let header = fs::read_to_string(root.join("../../include/gdescent.h")).unwrap();
    let sys = fs::read_to_string(root.join("src/sys.rs")).unwrap();
    let mut pairs = Vec::new();
    for line in header.lines() {
        let line = line.trim();
        let (name, value) = if let Some(rest) = line.strip_prefix("#define ") {
            let mut words = rest.split_whitespace();
            match (words.next(), words.next()) {
                (Some(name), Some(value)) => (name, value),
                _ => continue,
            }
        } else if line.starts_with("GD_") && line.contains(" = ") {
            let mut parts = line.splitn(2, " = ");
            let name = parts.next().unwrap();
            let value = parts.next().unwrap().split([',', ' ']).next().unwrap();
            (name, value)
        } else {
            continue;
        };
        let value = value.trim_start_matches('(').trim_end_matches(')');
        let value = value.strip_suffix('u').unwrap_or(value);
        if !name.starts_with("GD_") || value.parse::<i64>().is_err() {
            continue; // GD_API and other non-numeric macros
        }
        pairs.push((name.to_owned(), value.to_owned()));
    }
    assert!(pairs.len() >= 42, "only {} constants found", pairs.len());
    for (name, value) in &pairs {
        let declared = sys
            .lines()
            .find_map(|l| l.trim().strip_prefix(&format!("pub const {}: ", name)))
            .unwrap_or_else(|| panic!("{} is not declared", name));
        let declared_value = declared.rsplit("= ").next().unwrap().trim_end_matches(';');
        assert_eq!(declared_value, value, "{}", name);
    }
}
