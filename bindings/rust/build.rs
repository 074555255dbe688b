//! Links libgdescent: from `GDESCENT_LIB_DIR` when set (a build directory or an install
//! prefix's lib directory), else from the directories `pkg-config --libs-only-L gdescent`
//! names, else from the linker's default path.  An rpath to the directory is added so
//! that tests and examples run without LD_LIBRARY_PATH.
use std::env;
use std::process::Command;

fn pkg_config_dirs() -> Vec<String> {
    let output = Command::new(env::var("PKG_CONFIG").unwrap_or_else(|_| "pkg-config".into()))
        .args(["--libs-only-L", "gdescent"])
        .output();
    match output {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .filter_map(|flag| flag.strip_prefix("-L").map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

fn main() {
    println!("cargo:rerun-if-env-changed=GDESCENT_LIB_DIR");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    let dirs = match env::var("GDESCENT_LIB_DIR") {
        Ok(dir) if !dir.is_empty() => vec![dir],
        _ => pkg_config_dirs(),
    };
    for dir in &dirs {
        println!("cargo:rustc-link-search=native={}", dir);
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir);
    }
    println!("cargo:rustc-link-lib=dylib=gdescent");
}
