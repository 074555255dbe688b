//! `Optimizer::builder`: the same optimizer as `set` and `set_range` calls, in order,
//! and an error that names the parameter refused.
use gdescent::{strerror, sys, Error, ErrorKind, Method, Objective, Optimizer, Param};

/// Every parameter of `opt`, everywhere and per element (None where the method has no
/// such key).
fn parameters(opt: &Optimizer) -> Vec<(Param, Option<u64>, Vec<Option<u64>>)> {
    Param::ALL
        .iter()
        .map(|&p| {
            let all = opt.get(p).ok().map(f64::to_bits);
            let each = (0..opt.dim())
                .map(|i| opt.get_range(i, p).ok().map(f64::to_bits))
                .collect();
            (p, all, each)
        })
        .collect()
}

/// The shortcuts' keys with values every method that has the key accepts.
const SHORTCUTS: [(Param, f64); 7] = [
    (Param::Lr, 0.05),
    (Param::WeightDecay, 0.015),
    (Param::MaxIter, 77.0),
    (Param::ClipNorm, 1.5),
    (Param::ClipValue, 0.25),
    (Param::BatchSize, 3.0),
    (Param::Seed, 12345.0),
];

fn shortcut(
    builder: gdescent::OptimizerBuilder,
    key: Param,
    value: f64,
) -> gdescent::OptimizerBuilder {
    match key {
        Param::Lr => builder.lr(value),
        Param::WeightDecay => builder.weight_decay(value),
        Param::MaxIter => builder.max_iter(value as usize),
        Param::ClipNorm => builder.clip_norm(value),
        Param::ClipValue => builder.clip_value(value),
        Param::BatchSize => builder.batch_size(value as usize),
        Param::Seed => builder.seed(value as u64),
        _ => unreachable!(),
    }
}

#[test]
fn the_builder_gives_the_parameters_of_set_calls() {
    for method in Method::ALL {
        let mut by_set = Optimizer::new(method, 4).unwrap();
        let mut builder = Optimizer::builder(method, 4);
        assert_eq!((builder.method(), builder.dim()), (method, 4));
        for (key, value) in SHORTCUTS {
            // Only what the method takes: the builder would stop at the first refusal.
            if by_set.set(key, value).is_ok() {
                builder = shortcut(builder, key, value);
            }
        }
        for (key, value) in [
            (Param::Beta1, 0.8),
            (Param::Momentum, 0.5),
            (Param::Eps, 1e-6),
        ] {
            if by_set.set(key, value).is_ok() {
                builder = builder.set(key, value);
            }
        }
        if by_set.set_range(1, 2, Param::Lr, 0.125).is_ok() {
            builder = builder.range(1, 2, Param::Lr, 0.125);
        }
        let built = builder.build().unwrap();
        assert_eq!(built.method(), method);
        assert_eq!(built.dim(), 4);
        assert_eq!(parameters(&built), parameters(&by_set), "{:?}", method);
        // The builder is not consumed: a second build is the same again.
        assert_eq!(parameters(&builder.build().unwrap()), parameters(&by_set));
    }
}

#[test]
fn the_shortcuts_are_their_keys() {
    let opt = Optimizer::builder(Method::Sgd, 2)
        .lr(0.05)
        .weight_decay(0.015)
        .max_iter(77)
        .clip_norm(1.5)
        .clip_value(0.25)
        .batch_size(3)
        .seed(12345)
        .build()
        .unwrap();
    for (key, value) in SHORTCUTS {
        assert_eq!(opt.get(key).unwrap(), value, "{:?}", key);
    }
}

#[test]
fn the_builder_applies_in_order() {
    // A set of a key after a range of it sets it everywhere again, as in C.
    let ranged_then_set = Optimizer::builder(Method::Adam, 4)
        .range(0, 2, Param::Lr, 0.5)
        .lr(0.25)
        .build()
        .unwrap();
    for i in 0..4 {
        assert_eq!(ranged_then_set.get_range(i, Param::Lr).unwrap(), 0.25);
    }
    let set_then_ranged = Optimizer::builder(Method::Adam, 4)
        .lr(0.25)
        .range(0, 2, Param::Lr, 0.5)
        .build()
        .unwrap();
    let lrs: Vec<f64> = (0..4)
        .map(|i| set_then_ranged.get_range(i, Param::Lr).unwrap())
        .collect();
    assert_eq!(lrs, [0.5, 0.5, 0.25, 0.25]);
    // The last value of a key wins.
    let twice = Optimizer::builder(Method::Sgd, 1)
        .lr(1.0)
        .lr(0.5)
        .build()
        .unwrap();
    assert_eq!(twice.get(Param::Lr).unwrap(), 0.5);
}

#[test]
fn built_and_set_optimizers_run_alike() {
    // A mini-batch run with clipping and a parameter group, bit for bit.
    let xs: Vec<f64> = (0..20).map(|i| f64::from(i) * 0.1).collect();
    let ys: Vec<f64> = xs.iter().map(|x| 3.0 * x - 1.0).collect();
    let mut loss = Objective::least_squares(&xs, &ys, 1, 1.0, true).unwrap();
    let n = loss.dim();
    let mut by_set = Optimizer::new(Method::Adam, n).unwrap();
    by_set
        .set(Param::Lr, 0.05)
        .unwrap()
        .set(Param::MaxIter, 40.0)
        .unwrap()
        .set(Param::BatchSize, 4.0)
        .unwrap()
        .set(Param::Seed, 7.0)
        .unwrap()
        .set(Param::ClipNorm, 0.5)
        .unwrap()
        .set_range(0, 1, Param::Lr, 0.02)
        .unwrap();
    let mut built = Optimizer::builder(Method::Adam, n)
        .lr(0.05)
        .max_iter(40)
        .batch_size(4)
        .seed(7)
        .clip_norm(0.5)
        .range(0, 1, Param::Lr, 0.02)
        .build()
        .unwrap();
    let mut a = vec![0.0; n];
    let mut b = vec![0.0; n];
    let first = by_set.minimize(&mut loss, &mut a, None).unwrap();
    let second = built.minimize(&mut loss, &mut b, None).unwrap();
    assert_eq!(first, second);
    assert_eq!(
        a.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        b.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
    );
}

#[test]
fn a_refused_parameter_is_named() {
    // A key the method lacks.
    let err = Optimizer::builder(Method::Adam, 3)
        .lr(0.1)
        .set(Param::Momentum, 0.9)
        .lr(-1.0)
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        Error::Parameter {
            key: Param::Momentum,
            range: None,
            code: sys::GD_EINVAL,
            context: "gd_optimizer_set",
        },
        "the first refusal is reported"
    );
    assert_eq!(err.code(), sys::GD_EINVAL);
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert_eq!(
        err.to_string(),
        format!("gd_optimizer_set momentum: {}", strerror(sys::GD_EINVAL))
    );
    // A value out of range, through a shortcut.
    let err = Optimizer::builder(Method::Sgd, 3)
        .lr(-1.0)
        .build()
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Parameter {
                key: Param::Lr,
                range: None,
                ..
            }
        ),
        "{:?}",
        err
    );
    let err = Optimizer::builder(Method::Sgd, 3)
        .seed((1 << 53) + 2)
        .build()
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Parameter {
                key: Param::Seed,
                ..
            }
        ),
        "{:?}",
        err
    );
    // A range outside the vector.
    let err = Optimizer::builder(Method::Sgd, 4)
        .range(3, 2, Param::Momentum, 0.5)
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        Error::Parameter {
            key: Param::Momentum,
            range: Some((3, 2)),
            code: sys::GD_EINVAL,
            context: "gd_optimizer_set_range",
        }
    );
    assert_eq!(
        err.to_string(),
        format!(
            "gd_optimizer_set_range momentum of elements 3..5: {}",
            strerror(sys::GD_EINVAL)
        )
    );
    // L-BFGS has one group: a range of it is refused.
    let err = Optimizer::builder(Method::LBfgs, 2)
        .range(0, 1, Param::Lr, 0.5)
        .build()
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Parameter {
                key: Param::Lr,
                range: Some((0, 1)),
                ..
            }
        ),
        "{:?}",
        err
    );
    // No optimizer of size 0, before any parameter.
    let err = Optimizer::builder(Method::Sgd, 0)
        .lr(0.1)
        .build()
        .unwrap_err();
    assert_eq!(err, Error::Invalid("gd_optimizer_new"));
}
