//! `ErrorKind`: every `GD_E*` code has its variant and back, unknown codes are kept,
//! and every `Error` reaches its kind.
use std::fs;
use std::path::Path;

use gdescent::{strerror, sys, Error, ErrorKind, Method, Objective, Optimizer, Param};

const CODES: [(i32, ErrorKind); 7] = [
    (sys::GD_EINVAL, ErrorKind::InvalidArgument),
    (sys::GD_ENOMEM, ErrorKind::OutOfMemory),
    (sys::GD_ECALLBACK, ErrorKind::Callback),
    (sys::GD_EDIVERGED, ErrorKind::Diverged),
    (sys::GD_EIO, ErrorKind::Io),
    (sys::GD_EFORMAT, ErrorKind::Format),
    (sys::GD_EBUSY, ErrorKind::Busy),
];

#[test]
fn every_code_maps_to_its_kind_and_back() {
    assert_eq!(
        CODES.iter().map(|&(code, _)| code).collect::<Vec<_>>(),
        (-7..=-1).rev().collect::<Vec<_>>(),
        "the header's codes are -1 .. -7"
    );
    assert_eq!(
        CODES.iter().map(|&(_, kind)| kind).collect::<Vec<_>>(),
        ErrorKind::ALL.to_vec()
    );
    for (code, kind) in CODES {
        assert_eq!(ErrorKind::from_code(code), kind);
        assert_eq!(ErrorKind::from(code), kind);
        assert_eq!(kind.code(), code);
        assert_eq!(i32::from(kind), code);
        assert_eq!(kind.to_string(), strerror(code));
        let err = Error::Status {
            code,
            context: "somewhere",
        };
        assert_eq!(err.kind(), kind);
        assert_eq!(err.code(), code);
        assert_eq!(err.is_format(), kind == ErrorKind::Format);
        assert_eq!(err.to_string(), format!("somewhere: {}", strerror(code)));
    }
}

/// Every `#define GD_E* (-k)` of include/gdescent.h is a named kind, so a code added
/// to the header without a variant fails here.
#[test]
fn every_header_error_code_has_a_kind() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let header = fs::read_to_string(root.join("../../include/gdescent.h")).unwrap();
    let mut codes = Vec::new();
    for line in header.lines() {
        let mut words = line.split_whitespace();
        if let (Some("#define"), Some(name), Some(value)) =
            (words.next(), words.next(), words.next())
        {
            if name.starts_with("GD_E") {
                let value: i32 = value
                    .trim_matches(|c| c == '(' || c == ')')
                    .parse()
                    .unwrap();
                codes.push((name.to_owned(), value));
            }
        }
    }
    assert_eq!(codes.len(), ErrorKind::ALL.len(), "{:?}", codes);
    for (name, code) in codes {
        let kind = ErrorKind::from_code(code);
        assert!(
            ErrorKind::ALL.contains(&kind),
            "{} = {} is {:?}",
            name,
            code,
            kind
        );
        assert_eq!(kind.code(), code, "{}", name);
    }
}

#[test]
fn other_codes_are_unknown_and_kept() {
    for code in [-8, -100, i32::MIN, 0, 1, 6, i32::MAX] {
        let kind = ErrorKind::from_code(code);
        assert_eq!(kind, ErrorKind::Unknown(code));
        assert_eq!(kind.code(), code);
        assert!(!ErrorKind::ALL.contains(&kind));
        assert_eq!(kind.to_string(), strerror(code));
        let err = Error::Status {
            code,
            context: "later",
        };
        assert_eq!(err.kind(), ErrorKind::Unknown(code));
    }
}

#[test]
fn the_crate_s_own_variants_have_kinds() {
    let length = Error::Length {
        what: "x",
        expected: 2,
        actual: 3,
    };
    assert_eq!(length.kind(), ErrorKind::InvalidArgument);
    assert_eq!(
        Error::Invalid("gd_optimizer_new").kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(Error::Panic("p".into()).kind(), ErrorKind::Callback);
    assert_eq!(Error::Objective("o".into()).kind(), ErrorKind::Callback);
    // A std error, usable behind `dyn Error` with its Display.
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(length.clone());
    assert_eq!(boxed.to_string(), length.to_string());
}

#[test]
fn errors_of_real_calls_have_their_kinds() {
    let mut opt = Optimizer::new(Method::Adam, 2).unwrap();
    assert_eq!(
        opt.set(Param::Lr, -1.0).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        opt.set(Param::Momentum, 0.5).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        opt.load(b"not a state").unwrap_err().kind(),
        ErrorKind::Format
    );
    assert_eq!(
        opt.load_file("/nonexistent/dir/state.gd")
            .unwrap_err()
            .kind(),
        ErrorKind::Io
    );
    let mut f = Objective::try_new(2, |_x: &[f64], _g: &mut [f64]| Err::<f64, _>("no")).unwrap();
    let mut x = [1.0, 1.0];
    let err = opt.minimize(&mut f, &mut x, None).unwrap_err();
    assert_eq!(err, Error::Objective("no".to_owned()));
    assert_eq!(err.kind(), ErrorKind::Callback);
    let mut nan = Objective::new(2, |_x, g| {
        g[0] = f64::NAN;
        g[1] = 0.0;
        f64::NAN
    })
    .unwrap();
    let err = opt.minimize(&mut nan, &mut x, None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Diverged, "{}", err);
}

#[test]
fn a_match_on_kinds_needs_a_wildcard() {
    // ErrorKind is non_exhaustive: code outside the crate matches with a `_` arm.
    let describe = |kind: ErrorKind| match kind {
        ErrorKind::InvalidArgument => "invalid",
        ErrorKind::Format => "format",
        ErrorKind::Unknown(_) => "unknown",
        _ => "other",
    };
    assert_eq!(describe(ErrorKind::from_code(sys::GD_EINVAL)), "invalid");
    assert_eq!(describe(ErrorKind::from_code(sys::GD_EFORMAT)), "format");
    assert_eq!(describe(ErrorKind::from_code(-42)), "unknown");
    assert_eq!(describe(ErrorKind::Busy), "other");
}
