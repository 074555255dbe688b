//! Error paths: bad sizes and parameters, closures that fail or panic.
use gdescent::{sys, Error, Method, Objective, Optimizer, Param, Trajectory};

#[test]
fn length_mismatch_is_caught_before_calling_the_library() {
    let mut opt = Optimizer::new(Method::Sgd, 3).unwrap();
    let mut x = [1.0, 2.0];
    let err = opt.update(&mut x, &[1.0, 1.0]).unwrap_err();
    assert_eq!(
        err,
        Error::Length {
            what: "x",
            expected: 3,
            actual: 2
        }
    );
    assert_eq!(err.code(), sys::GD_EINVAL);
    assert_eq!(opt.iterations(), 0);
    let mut f = Objective::quadratic(2, None, 1.0).unwrap();
    let mut x3 = [1.0, 2.0, 3.0];
    assert!(matches!(
        opt.step(&mut f, &mut x3),
        Err(Error::Length { .. })
    ));
    assert!(matches!(
        Objective::quadratic(2, Some(&[1.0]), 1.0),
        Err(Error::Length { .. })
    ));
    assert!(matches!(
        Objective::least_squares(&[1.0, 2.0, 3.0], &[1.0, 2.0], 2, 1.0, false),
        Err(Error::Length { .. })
    ));
    assert!(Objective::geometric_median(&[1.0, 2.0, 3.0], 2, None).is_err());
    let mut traj = Trajectory::new(3, false).unwrap();
    let mut x2 = [1.0, 2.0];
    let mut sgd2 = Optimizer::new(Method::Sgd, 2).unwrap();
    assert!(matches!(
        sgd2.minimize(&mut f, &mut x2, Some(&mut traj)),
        Err(Error::Length { .. })
    ));
}

#[test]
fn bad_parameters_are_refused_and_leave_the_value() {
    let mut opt = Optimizer::new(Method::Sgd, 2).unwrap();
    opt.set(Param::Lr, 0.5).unwrap();
    let err = opt.set(Param::Lr, -1.0).unwrap_err();
    assert_eq!(err.code(), sys::GD_EINVAL);
    assert!(err.to_string().starts_with("gd_optimizer_set: "));
    assert_eq!(opt.get(Param::Lr).unwrap(), 0.5);
    assert!(opt.set(Param::Beta1, 0.9).is_err()); // not an SGD parameter
    assert!(opt.set(Param::Momentum, 1.0).is_err());
    assert!(opt.set_by_name("learning_rate", 0.1).is_err());
    assert!(opt.set_by_name("l\0r", 0.1).is_err());
    assert!(opt.set(Param::Lr, f64::NAN).is_err());
    assert_eq!(opt.get(Param::Lr).unwrap(), 0.5);
}

#[test]
fn constructors_refuse_bad_sizes() {
    assert!(matches!(
        Optimizer::new(Method::Adam, 0),
        Err(Error::Invalid(_))
    ));
    assert!(matches!(
        Objective::new(0, |_, _| 0.0),
        Err(Error::Invalid(_))
    ));
    assert!(matches!(Objective::rosenbrock(1), Err(Error::Invalid(_))));
    assert!(matches!(
        Objective::quadratic(1, None, f64::INFINITY),
        Err(Error::Invalid(_))
    ));
    assert!(matches!(Trajectory::new(0, true), Err(Error::Invalid(_))));
}

#[test]
fn a_closure_error_stops_the_run() {
    let mut calls = 0;
    let mut f = Objective::try_new(1, |x, g| {
        calls += 1;
        if calls > 5 {
            return Err(format!("gave up at call {}", calls));
        }
        g[0] = 2.0 * x[0];
        Ok(x[0] * x[0])
    })
    .unwrap();
    let mut opt = Optimizer::new(Method::Sgd, 1).unwrap();
    opt.set(Param::Lr, 0.25)
        .unwrap()
        .set(Param::MaxIter, 100.0)
        .unwrap();
    let mut x = [8.0];
    let err = opt.minimize(&mut f, &mut x, None).unwrap_err();
    assert_eq!(err, Error::Objective("gave up at call 6".to_owned()));
    assert_eq!(err.code(), sys::GD_ECALLBACK);
    // Calls 1-5 evaluated 8, 4, 2, 1, 0.5; the update from 0.5 was rejected at call 6,
    // so x is the last iterate whose evaluation succeeded.
    assert_eq!(x[0], 0.5);
}

#[test]
fn a_panic_in_the_closure_becomes_an_error() {
    let mut f = Objective::new(2, |x, _| {
        if x[0] > 1.0 {
            panic!("x0 = {} is too large", x[0]);
        }
        0.0
    })
    .unwrap();
    let mut opt = Optimizer::new(Method::Sgd, 2).unwrap();
    let mut x = [2.0, 0.0];
    let err = opt.step(&mut f, &mut x).unwrap_err();
    assert_eq!(err, Error::Panic("x0 = 2 is too large".to_owned()));
    assert_eq!(x, [2.0, 0.0]);
    let mut g = [0.0; 2];
    assert!(matches!(f.eval(&[3.0, 0.0], &mut g), Err(Error::Panic(_))));
    // The objective still works afterwards.
    assert_eq!(f.eval(&[0.5, 0.0], &mut g).unwrap(), 0.0);
}

#[test]
fn divergence_is_an_error_with_the_last_finite_iterate() {
    let mut f = Objective::new(1, |x, g| {
        g[0] = x[0].exp();
        x[0].exp()
    })
    .unwrap();
    let mut opt = Optimizer::new(Method::Sgd, 1).unwrap();
    opt.set(Param::Lr, 1.0)
        .unwrap()
        .set(Param::Maximize, 1.0)
        .unwrap();
    let mut x = [700.0];
    let err = opt.minimize(&mut f, &mut x, None).unwrap_err();
    assert_eq!(err.code(), sys::GD_EDIVERGED);
    assert!(x[0].is_finite());
}

#[test]
fn handles_move_between_threads() {
    let mut opt = Optimizer::new(Method::RmsProp, 4).unwrap();
    let handle = std::thread::spawn(move || {
        let mut x = [1.0; 4];
        opt.update(&mut x, &[1.0; 4]).unwrap();
        (opt.iterations(), x)
    });
    let (iterations, x) = handle.join().unwrap();
    assert_eq!(iterations, 1);
    assert!(x.iter().all(|&v| v < 1.0));
}

#[test]
fn a_monitor_stops_the_run_and_its_panic_becomes_an_error() {
    let mut f = Objective::quadratic(2, None, 1.0).unwrap();
    let mut opt = Optimizer::new(Method::Sgd, 2).unwrap();
    opt.set(Param::Lr, 0.1).unwrap();
    let mut x = [1.0, -1.0];
    let mut seen = Vec::new();
    let outcome = opt
        .minimize_with(&mut f, &mut x, None, |k, xk, fk| {
            seen.push((k, xk[0], fk));
            k == 4
        })
        .unwrap();
    assert_eq!(outcome.stop, gdescent::Stop::User);
    assert_eq!(outcome.iterations, 4);
    // The outcome reports f at the iterate the monitor stopped on.
    assert_eq!(Some(outcome.f), seen.last().map(|s| s.2));
    assert_eq!(x[0], seen[3].1);
    // The monitor sees each new iterate and f there: x_k = 0.8^k, f = 2 x_k^2.
    for (i, &(k, x0, fk)) in seen.iter().enumerate() {
        assert_eq!(k, i + 1);
        assert!((x0 - 0.8f64.powi(k as i32)).abs() < 1e-15);
        assert!((fk - 2.0 * x0 * x0).abs() < 1e-15);
    }
    let err = opt
        .minimize_with(&mut f, &mut x, None, |k, _, _| {
            if k == 2 {
                panic!("monitor gave up");
            }
            false
        })
        .unwrap_err();
    assert_eq!(err, Error::Panic("monitor gave up".to_owned()));
    assert_eq!(opt.iterations(), 6);
    // The monitor is removed after the run: a plain minimize runs to max_iter.
    opt.set(Param::MaxIter, 3.0).unwrap();
    assert_eq!(opt.minimize(&mut f, &mut x, None).unwrap().iterations, 3);
}
