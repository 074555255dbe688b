//! The rest of the safe layer: parameters by key and name, outcomes, trajectories,
//! closures that fail or panic inside whole runs, ownership of closures, threads.
use std::ffi::CStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use gdescent::{sys, Error, Method, Objective, Optimizer, Param, StopReason, Trajectory};

const METHODS: [Method; 13] = Method::ALL;

#[test]
fn enums_have_the_header_values() {
    let methods = [
        sys::GD_SGD,
        sys::GD_ADAM,
        sys::GD_ADAMW,
        sys::GD_RMSPROP,
        sys::GD_ADAGRAD,
        sys::GD_NADAM,
        sys::GD_RADAM,
        sys::GD_ADAMAX,
        sys::GD_ADADELTA,
        sys::GD_RPROP,
        sys::GD_ASGD,
        sys::GD_LION,
        sys::GD_LBFGS,
    ];
    assert_eq!(METHODS.len(), methods.len());
    for (m, raw) in METHODS.iter().zip(methods) {
        assert_eq!(m.raw(), raw);
    }
    let params = [
        sys::GD_PARAM_LR,
        sys::GD_PARAM_MOMENTUM,
        sys::GD_PARAM_DAMPENING,
        sys::GD_PARAM_NESTEROV,
        sys::GD_PARAM_WEIGHT_DECAY,
        sys::GD_PARAM_BETA1,
        sys::GD_PARAM_BETA2,
        sys::GD_PARAM_EPS,
        sys::GD_PARAM_AMSGRAD,
        sys::GD_PARAM_ALPHA,
        sys::GD_PARAM_CENTERED,
        sys::GD_PARAM_LR_DECAY,
        sys::GD_PARAM_INITIAL_ACCUMULATOR,
        sys::GD_PARAM_MAXIMIZE,
        sys::GD_PARAM_MOMENTUM_DECAY,
        sys::GD_PARAM_RHO,
        sys::GD_PARAM_ETA_MINUS,
        sys::GD_PARAM_ETA_PLUS,
        sys::GD_PARAM_STEP_MIN,
        sys::GD_PARAM_STEP_MAX,
        sys::GD_PARAM_LAMBD,
        sys::GD_PARAM_T0,
        sys::GD_PARAM_DECOUPLED_WEIGHT_DECAY,
        sys::GD_PARAM_HISTORY_SIZE,
        sys::GD_PARAM_LINE_SEARCH,
        sys::GD_PARAM_TOLERANCE_GRAD,
        sys::GD_PARAM_TOLERANCE_CHANGE,
        sys::GD_PARAM_MAX_ITER,
        sys::GD_PARAM_GTOL,
        sys::GD_PARAM_FTOL,
        sys::GD_PARAM_XTOL,
        sys::GD_PARAM_MAX_EVAL,
        sys::GD_PARAM_SCHEDULE_EVERY,
        sys::GD_PARAM_CLIP_NORM,
        sys::GD_PARAM_CLIP_VALUE,
        sys::GD_PARAM_BATCH_SIZE,
        sys::GD_PARAM_SHUFFLE,
        sys::GD_PARAM_SEED,
    ];
    assert_eq!(Param::ALL.len(), params.len());
    for (p, raw) in Param::ALL.iter().zip(params) {
        assert_eq!(p.raw(), raw, "{:?}", p);
    }
    for code in 1..=6 {
        assert_eq!(StopReason::from_code(code).unwrap().code(), code);
    }
    assert_eq!(StopReason::from_code(0), None);
    assert_eq!(StopReason::from_code(sys::GD_EINVAL), None);
}

#[test]
fn method_names_are_the_library_names() {
    for method in METHODS {
        assert_eq!(Method::by_name(method.name()), Ok(method));
        // SAFETY: gd_method_name returns NULL or a static NUL-terminated string.
        let name = unsafe { CStr::from_ptr(sys::gd_method_name(method.raw())) };
        assert_eq!(name.to_str(), Ok(method.name()));
    }
    // Every key's name is the library's (gd_param_name), and no other value below 64
    // has one.
    for k in 0..64 {
        // SAFETY: as for gd_method_name.
        let name = unsafe { sys::gd_param_name(k) };
        match Param::ALL.iter().find(|p| p.raw() == k) {
            // SAFETY: a non-NULL static string.
            Some(p) => assert_eq!(unsafe { CStr::from_ptr(name) }.to_str(), Ok(p.name())),
            None => assert!(name.is_null(), "{} has a name", k),
        }
    }
    for bad in ["SGD", "Adam", "adam ", "", "momentum", "ad\0am"] {
        let err = Method::by_name(bad).unwrap_err();
        assert_eq!(
            err,
            Error::Status {
                code: sys::GD_EINVAL,
                context: "gd_method_by_name"
            },
            "{:?}",
            bad
        );
    }
}

#[test]
fn parameter_names_match_the_keys() {
    // A key is usable by name exactly when it is usable by key, and both set the same
    // value.
    for method in METHODS {
        let mut by_key = Optimizer::new(method, 3).unwrap();
        let mut by_name = Optimizer::new(method, 3).unwrap();
        assert_eq!(by_key.method(), method);
        for p in Param::ALL {
            match by_key.get(p) {
                Ok(default) => {
                    by_name.set_by_name(p.name(), default).unwrap();
                    by_key.set(p, default).unwrap();
                    assert_eq!(by_name.get(p).unwrap(), default, "{:?}", p);
                }
                Err(err) => {
                    assert_eq!(err.code(), sys::GD_EINVAL);
                    assert!(by_name.set_by_name(p.name(), 0.0).is_err(), "{:?}", p);
                }
            }
        }
    }
    let mut adam = Optimizer::new(Method::Adam, 1).unwrap();
    assert_eq!(adam.get(Param::Lr).unwrap(), 0.001);
    adam.set_by_name("beta1", 0.5)
        .unwrap()
        .set_by_name("max_iter", 7.0)
        .unwrap();
    assert_eq!(adam.get(Param::Beta1).unwrap(), 0.5);
    assert_eq!(adam.get(Param::MaxIter).unwrap(), 7.0);
}

#[test]
fn error_messages_carry_the_library_sentence() {
    let mut opt = Optimizer::new(Method::Sgd, 1).unwrap();
    let err = opt.set(Param::Lr, -0.1).unwrap_err();
    assert_eq!(
        err,
        Error::Status {
            code: sys::GD_EINVAL,
            context: "gd_optimizer_set"
        }
    );
    let sentence = gdescent::strerror(sys::GD_EINVAL);
    assert!(!sentence.is_empty());
    assert!(err.to_string().contains(&sentence));
    let boxed: Box<dyn std::error::Error> = Box::new(err);
    assert!(boxed.to_string().starts_with("gd_optimizer_set: "));
    let err = Optimizer::new(Method::Sgd, 0).unwrap_err();
    assert_eq!(err, Error::Invalid("gd_optimizer_new"));
    assert_eq!(err.code(), sys::GD_EINVAL);
    assert_eq!(
        gdescent::version(),
        format!(
            "{}.{}.{}",
            gdescent::version_number() / 10000,
            gdescent::version_number() / 100 % 100,
            gdescent::version_number() % 100
        )
    );
    assert_eq!(
        gdescent::version_number() / 10000,
        sys::GD_VERSION_MAJOR,
        "linked library and header disagree on the major version"
    );
    // The crate's version is a copy of the header's (include/gdescent.h): kept equal.
    assert_eq!(
        env!("CARGO_PKG_VERSION"),
        format!(
            "{}.{}.{}",
            sys::GD_VERSION_MAJOR,
            sys::GD_VERSION_MINOR,
            sys::GD_VERSION_PATCH
        )
    );
}

#[test]
fn length_mismatches_never_reach_the_closure() {
    let mut calls = 0;
    let mut f = Objective::new(3, |_, g| {
        calls += 1;
        g.fill(0.0);
        0.0
    })
    .unwrap();
    let mut opt = Optimizer::new(Method::Adam, 2).unwrap();
    let mut x2 = [0.0; 2];
    let mut x3 = [0.0; 3];
    assert!(matches!(
        opt.step(&mut f, &mut x2),
        Err(Error::Length {
            what: "objective dimension",
            expected: 2,
            actual: 3
        })
    ));
    assert!(matches!(
        opt.minimize(&mut f, &mut x3, None),
        Err(Error::Length { .. })
    ));
    let mut g2 = [0.0; 2];
    assert!(matches!(f.eval(&x3, &mut g2), Err(Error::Length { .. })));
    assert!(matches!(f.value(&x2), Err(Error::Length { .. })));
    assert!(matches!(
        opt.update(&mut x2, &[1.0, 2.0, 3.0]),
        Err(Error::Length { what: "grad", .. })
    ));
    assert_eq!((x2, opt.iterations()), ([0.0; 2], 0));
    drop(f);
    assert_eq!(calls, 0);
}

#[test]
fn a_panic_inside_a_run_stops_it_and_the_process_goes_on() {
    let mut calls = 0;
    let mut f = Objective::new(1, |x, g| {
        calls += 1;
        if calls == 4 {
            panic!("fourth call");
        }
        g[0] = 2.0 * x[0];
        x[0] * x[0]
    })
    .unwrap();
    let mut opt = Optimizer::new(Method::Sgd, 1).unwrap();
    opt.set(Param::Lr, 0.25).unwrap();
    let mut traj = Trajectory::new(1, true).unwrap();
    let mut x = [8.0];
    let err = opt.minimize(&mut f, &mut x, Some(&mut traj)).unwrap_err();
    assert_eq!(err, Error::Panic("fourth call".to_owned()));
    assert_eq!(err.code(), sys::GD_ECALLBACK);
    // Evaluations at 8, 4, 2 succeeded; the one at 1 panicked, so x is back at 2.
    assert_eq!(x, [2.0]);
    assert_eq!(traj.len(), 3);
    assert_eq!(traj.x(2), Some(&[2.0][..]));
    // The objective and the optimizer still work: the next run finishes.
    opt.reset();
    opt.set(Param::MaxIter, 3.0).unwrap();
    let outcome = opt.minimize(&mut f, &mut x, None).unwrap();
    assert_eq!(outcome.stop, StopReason::MaxIter);
    assert_eq!(x, [0.25]);
    assert_eq!(outcome.f, 0.0625);
    assert_eq!(outcome.grad_norm, 0.5);
    // A panic with a non-string payload is reported too.
    let mut g = Objective::new(1, |_, _| std::panic::panic_any(42u8)).unwrap();
    assert_eq!(
        g.value(&[0.0]),
        Err(Error::Panic("non-string panic payload".to_owned()))
    );
}

#[test]
fn closures_that_fail_report_their_error() {
    #[derive(Debug)]
    struct OutOfDomain(f64);
    impl std::fmt::Display for OutOfDomain {
        fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(out, "log undefined at {}", self.0)
        }
    }
    // f(x) = x - log x, minimum at 1; undefined for x <= 0.
    let mut f = Objective::try_new(1, |x, g| {
        if x[0] <= 0.0 {
            return Err(OutOfDomain(x[0]));
        }
        g[0] = 1.0 - 1.0 / x[0];
        Ok(x[0] - x[0].ln())
    })
    .unwrap();
    let mut g = [0.0];
    let err = f.eval(&[-1.0], &mut g).unwrap_err();
    assert_eq!(err, Error::Objective("log undefined at -1".to_owned()));
    assert!(err.to_string().contains("log undefined at -1"));
    // The error is not remembered past its call.
    assert_eq!(f.eval(&[1.0], &mut g).unwrap(), 1.0);
    assert_eq!(g, [0.0]);
    // From 0.1 with lr 0.2 the first step jumps to 1.9, then SGD converges to 1...
    let mut opt = Optimizer::new(Method::Sgd, 1).unwrap();
    opt.set(Param::Lr, 0.2)
        .unwrap()
        .set(Param::Gtol, 1e-10)
        .unwrap();
    let mut x = [0.1];
    let outcome = opt.minimize(&mut f, &mut x, None).unwrap();
    assert_eq!(outcome.stop, StopReason::Gtol);
    assert!((x[0] - 1.0).abs() < 1e-9);
    // ...but with lr 10 from 2 the first step leaves the domain (x = 2 - 10 * 0.5), and
    // the next evaluation fails, leaving x and the optimizer as they were.
    opt.reset();
    opt.set(Param::Lr, 10.0).unwrap();
    let mut x = [2.0];
    let f0 = opt.step(&mut f, &mut x).unwrap();
    assert_eq!((x[0], f0), (-3.0, 2.0 - 2f64.ln()));
    assert_eq!(
        opt.step(&mut f, &mut x),
        Err(Error::Objective("log undefined at -3".to_owned()))
    );
    assert_eq!((x[0], opt.iterations()), (-3.0, 1));

    let mut sum = Objective::try_finite_sum(1, 4, |x, idx, g| {
        if idx.contains(&3) {
            return Err("term 3 is broken");
        }
        g[0] = x[0];
        Ok(0.5 * x[0] * x[0])
    })
    .unwrap();
    let mut g = [0.0];
    assert_eq!(sum.eval_terms(&[2.0], &[0, 1, 2], &mut g).unwrap(), 2.0);
    assert_eq!(
        sum.eval(&[2.0], &mut g),
        Err(Error::Objective("term 3 is broken".to_owned()))
    );
    assert_eq!(
        sum.eval_terms(&[2.0], &[4], &mut g),
        Err(Error::Status {
            code: sys::GD_EINVAL,
            context: "gd_objective_eval_terms"
        })
    );
    assert!(sum.eval_terms(&[2.0], &[], &mut g).is_err());
}

#[test]
fn outcome_of_a_run_that_stops_at_its_start() {
    let mut f = Objective::quadratic(2, Some(&[1.0, 2.0]), 1.0).unwrap();
    let mut opt = Optimizer::new(Method::RmsProp, 2).unwrap();
    opt.set(Param::Gtol, 1e-9).unwrap();
    let mut x = [1.0, 2.0];
    let outcome = opt.minimize(&mut f, &mut x, None).unwrap();
    assert_eq!(
        outcome,
        gdescent::Outcome {
            stop: StopReason::Gtol,
            iterations: 0,
            evaluations: 1,
            f: 0.0,
            grad_norm: 0.0
        }
    );
    // Outcomes of later runs without a trajectory are their own.
    opt.set(Param::Gtol, 0.0)
        .unwrap()
        .set(Param::MaxIter, 10.0)
        .unwrap();
    let mut x = [3.0, 2.0];
    for _ in 0..3 {
        let outcome = opt.minimize(&mut f, &mut x, None).unwrap();
        assert_eq!(outcome.iterations, 10);
        assert_eq!(outcome.f, f.value(&x).unwrap());
        let mut g = [0.0; 2];
        f.eval(&x, &mut g).unwrap();
        let norm = g[0].hypot(g[1]);
        assert!((outcome.grad_norm - norm).abs() <= 1e-14 * norm);
    }
    assert_eq!(opt.iterations(), 30);
}

#[test]
fn ftol_and_xtol_stop_runs() {
    let mut f = Objective::quadratic(1, None, 1.0).unwrap();
    let mut opt = Optimizer::new(Method::Sgd, 1).unwrap();
    opt.set(Param::Lr, 0.1)
        .unwrap()
        .set(Param::MaxIter, 10000.0)
        .unwrap();
    opt.set(Param::Ftol, 0.5).unwrap();
    let mut x = [1.0];
    // f shrinks by 0.64 per step: relative change 0.36 <= 0.5 at once.
    let outcome = opt.minimize(&mut f, &mut x, None).unwrap();
    assert_eq!((outcome.stop, outcome.iterations), (StopReason::Ftol, 1));
    opt.set(Param::Ftol, 0.0)
        .unwrap()
        .set(Param::Xtol, 0.3)
        .unwrap();
    // From 0.8: relative step |x_k - x_{k-1}| / |x_k| = 0.16 / 0.64 = 0.25 <= 0.3.
    let outcome = opt.minimize(&mut f, &mut x, None).unwrap();
    assert_eq!((outcome.stop, outcome.iterations), (StopReason::Xtol, 1));
}

#[test]
fn trajectories_record_with_a_stride_and_write_csv() {
    let mut f = Objective::quadratic(2, None, 0.5).unwrap();
    let mut opt = Optimizer::new(Method::Sgd, 2).unwrap();
    opt.set(Param::Lr, 0.5)
        .unwrap()
        .set(Param::MaxIter, 10.0)
        .unwrap();
    let mut traj = Trajectory::new(2, true).unwrap();
    assert!(traj.is_empty() && traj.stores_x() && traj.dim() == 2);
    traj.set_stride(4).unwrap();
    assert!(traj.set_stride(0).is_err());
    let mut x = [8.0, -8.0];
    opt.minimize(&mut f, &mut x, Some(&mut traj)).unwrap();
    assert_eq!(traj.iterations(), vec![0, 4, 8, 10]);
    assert_eq!(traj.x(1), Some(&[0.5, -0.5][..])); // 8 * 0.5^4
    let xs = traj.xs().unwrap();
    assert_eq!(xs.len(), 8);
    assert_eq!(&xs[2..4], traj.x(1).unwrap());
    assert_eq!(traj.f_values()[0], 64.0);
    let g0 = traj.grad_norm(0).unwrap();
    assert!((g0 - 128f64.sqrt()).abs() <= 1e-15 * g0);
    assert_eq!(traj.f(4), None);
    assert_eq!(traj.grad_norm(4), None);
    assert_eq!(traj.iter(4), None);
    assert_eq!(traj.x(4), None);

    let path = std::env::temp_dir().join(format!("gdescent-rust-{}.csv", std::process::id()));
    traj.write_csv(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "iter,f,grad_norm,x0,x1");
    assert_eq!(lines.len(), 5);
    assert!(lines[2].starts_with("4,"));
    let err = traj
        .write_csv("/nonexistent-directory/gdescent.csv")
        .unwrap_err();
    assert_eq!(err.code(), sys::GD_EIO);

    traj.clear();
    assert!(traj.is_empty());
    let plain = Trajectory::new(2, false).unwrap();
    assert!(plain.xs().is_none() && plain.x(0).is_none());
}

#[test]
fn objectives_own_and_free_their_closures() {
    struct Flag(Arc<AtomicBool>);
    impl Drop for Flag {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }
    let dropped = Arc::new(AtomicBool::new(false));
    let flag = Flag(dropped.clone());
    let mut f = Objective::new(1, move |x, g| {
        let _keep = &flag;
        g[0] = 1.0;
        x[0]
    })
    .unwrap();
    assert_eq!(f.value(&[3.0]).unwrap(), 3.0);
    assert!(!dropped.load(Ordering::SeqCst));
    drop(f);
    assert!(dropped.load(Ordering::SeqCst));
}

#[test]
fn handles_are_send_and_closures_run_on_another_thread() {
    let offset = 2.5;
    let handle = std::thread::spawn(move || {
        let f = Objective::new(1, move |x, g| {
            g[0] = 2.0 * (x[0] - offset);
            (x[0] - offset).powi(2)
        })
        .unwrap();
        let mut opt = Optimizer::new(Method::Adagrad, 1).unwrap();
        opt.set(Param::Lr, 0.5).unwrap();
        (f.dim(), opt, f)
    });
    let (n, mut opt, mut f) = handle.join().unwrap();
    assert_eq!(n, 1);
    let mut x = [0.0];
    let mut traj = Trajectory::new(1, false).unwrap();
    let outcome = std::thread::scope(|s| {
        s.spawn(|| opt.minimize(&mut f, &mut x, Some(&mut traj)))
            .join()
            .unwrap()
    })
    .unwrap();
    assert_eq!(outcome.iterations, 1000);
    assert!((x[0] - offset).abs() < 1e-3);
    assert_eq!(traj.len(), 1001);
}

#[test]
fn raw_handles_are_usable_through_sys() {
    let mut f = Objective::rosenbrock(3).unwrap();
    let mut opt = Optimizer::new(Method::AdamW, 3).unwrap();
    let mut traj = Trajectory::new(3, false).unwrap();
    // SAFETY: valid handles owned by the safe values, which outlive these calls.
    unsafe {
        assert_eq!(sys::gd_objective_dim(f.as_raw()), 3);
        let mut wd = 0.0;
        assert_eq!(
            sys::gd_optimizer_get(opt.as_raw(), sys::GD_PARAM_WEIGHT_DECAY, &mut wd),
            sys::GD_OK
        );
        assert_eq!(wd, 0.01);
        assert_eq!(sys::gd_trajectory_dim(traj.as_raw()), 3);
        let mut value = 0.0;
        let ones = [1.0; 3];
        assert_eq!(
            sys::gd_objective_eval(f.as_raw(), ones.as_ptr(), &mut value, std::ptr::null_mut()),
            sys::GD_OK
        );
        assert_eq!(value, 0.0);
    }
}
