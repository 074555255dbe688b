//! The run summary (evaluations, last f and gradient norm), the outcome of runs taken
//! from it, runs that chain, the optimizer's state by torch's keys, and keys by name.
use std::os::raw::{c_int, c_void};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use gdescent::{sys, Error, Method, Objective, Optimizer, Param, StopReason};

fn norm(g: &[f64]) -> f64 {
    g.iter().map(|v| v * v).sum::<f64>().sqrt()
}

fn assert_bits(a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len());
    for (i, (u, v)) in a.iter().zip(b).enumerate() {
        assert_eq!(
            u.to_bits(),
            v.to_bits(),
            "element {}: {:e} vs {:e}",
            i,
            u,
            v
        );
    }
}

#[test]
fn outcome_f_is_the_objective_at_the_final_x() {
    let mut f = Objective::rosenbrock(3).unwrap();
    let mut opt = Optimizer::new(Method::Adam, 3).unwrap();
    assert!(opt.last_f().is_nan() && opt.last_grad_norm().is_nan());
    assert_eq!(opt.evaluations(), 0);
    opt.set(Param::Lr, 0.01)
        .unwrap()
        .set(Param::MaxIter, 40.0)
        .unwrap();
    let mut x = [-1.2, 1.0, 0.5];
    let start = f.value(&x).unwrap();
    let outcome = opt.minimize(&mut f, &mut x, None).unwrap();
    assert_eq!(
        (outcome.stop, outcome.iterations),
        (StopReason::MaxIter, 40)
    );
    let mut g = [0.0; 3];
    let at_end = f.eval(&x, &mut g).unwrap();
    assert_eq!(outcome.f.to_bits(), at_end.to_bits());
    assert!(outcome.f < start);
    assert!((outcome.grad_norm - norm(&g)).abs() <= 1e-14 * norm(&g));
    assert_eq!(opt.last_f().to_bits(), outcome.f.to_bits());
    assert_eq!(opt.last_grad_norm().to_bits(), outcome.grad_norm.to_bits());

    // With a monitor, the same.
    let outcome = opt
        .minimize_with(&mut f, &mut x, None, |_, _, _| false)
        .unwrap();
    assert_eq!(outcome.f.to_bits(), f.value(&x).unwrap().to_bits());

    // update evaluates nothing: the summary stays; reset forgets it.
    let kept = opt.last_f();
    f.eval(&x, &mut g).unwrap();
    opt.update(&mut x, &g).unwrap();
    assert_eq!(opt.last_f().to_bits(), kept.to_bits());
    opt.reset();
    assert!(opt.last_f().is_nan() && opt.last_grad_norm().is_nan());
    assert_eq!(opt.evaluations(), 0);
}

#[test]
fn with_mini_batches_outcome_f_is_the_last_batch_at_the_final_x() {
    // The closure notes the terms of each call, so that the last batch can be evaluated
    // again at the final x.
    let (xs, ys): (Vec<f64>, Vec<f64>) = (0..13)
        .map(|i| {
            let t = i as f64 * 0.7;
            (t.cos(), 3.0 * t.cos() + t.sin())
        })
        .unzip();
    let last_batch = Arc::new(Mutex::new(Vec::new()));
    let noted = last_batch.clone();
    let mut f = Objective::finite_sum(1, 13, move |w, idx, g| {
        *noted.lock().unwrap() = idx.to_vec();
        let (mut value, mut slope) = (0.0, 0.0);
        for &i in idx {
            let r = w[0] * xs[i] - ys[i];
            value += r * r;
            slope += 2.0 * r * xs[i];
        }
        g[0] = slope / idx.len() as f64;
        value / idx.len() as f64
    })
    .unwrap();
    let mut opt = Optimizer::new(Method::Sgd, 1).unwrap();
    opt.set(Param::Lr, 0.05)
        .unwrap()
        .set(Param::MaxIter, 8.0)
        .unwrap()
        .set(Param::BatchSize, 3.0)
        .unwrap()
        .set(Param::Seed, 5.0)
        .unwrap();
    let mut w = [0.0];
    let mut seen = Vec::new();
    let outcome = opt
        .minimize_with(&mut f, &mut w, None, |_, _, fk| {
            seen.push(fk);
            false
        })
        .unwrap();
    let batch = last_batch.lock().unwrap().clone();
    assert_eq!(batch.len(), 3);
    let mut g = [0.0];
    let batch_value = f.eval_terms(&w, &batch, &mut g).unwrap();
    assert_eq!(outcome.f.to_bits(), batch_value.to_bits());
    assert_eq!(outcome.grad_norm.to_bits(), g[0].abs().to_bits());
    assert_eq!(seen.last().map(|v| v.to_bits()), Some(outcome.f.to_bits()));
    // ...which is not the full objective's value there.
    assert_ne!(outcome.f, f.value(&w).unwrap());
}

#[test]
fn evaluations_count_the_calls_of_the_objective() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let mut f = Objective::new(2, move |x, g| {
        counter.fetch_add(1, Ordering::SeqCst);
        g[0] = 2.0 * (x[0] - 1.0);
        g[1] = 2.0 * (x[1] + 1.0);
        (x[0] - 1.0).powi(2) + (x[1] + 1.0).powi(2)
    })
    .unwrap();
    let mut opt = Optimizer::new(Method::Sgd, 2).unwrap();
    opt.set(Param::Lr, 0.1)
        .unwrap()
        .set(Param::MaxIter, 25.0)
        .unwrap();
    let mut x = [4.0, 4.0];
    let first = opt.minimize(&mut f, &mut x, None).unwrap();
    assert_eq!((first.iterations, first.evaluations), (25, 26));
    assert_eq!(opt.evaluations(), 26);
    assert_eq!(calls.load(Ordering::SeqCst), 26);
    // The next call starts where this one ended and evaluates its start again.
    let second = opt.minimize(&mut f, &mut x, None).unwrap();
    assert_eq!((second.iterations, second.evaluations), (25, 26));
    assert_eq!((opt.iterations(), opt.evaluations()), (50, 52));
    assert_eq!(calls.load(Ordering::SeqCst), 52);
    // A step from there evaluates once and reports f at its start, the run's final f.
    let f_step = opt.step(&mut f, &mut x).unwrap();
    assert_eq!(f_step.to_bits(), second.f.to_bits());
    assert_eq!((opt.iterations(), opt.evaluations()), (51, 53));
    assert_eq!(calls.load(Ordering::SeqCst), opt.evaluations());
    // A run that stops at its start evaluates once and updates nothing.
    let mut at_minimum = [1.0, -1.0];
    opt.set(Param::Gtol, 1e-12).unwrap();
    let none = opt.minimize(&mut f, &mut at_minimum, None).unwrap();
    assert_eq!(
        (none.stop, none.iterations, none.evaluations),
        (StopReason::Gtol, 0, 1)
    );
}

fn mini_batch_optimizer(max_iter: f64) -> Optimizer {
    let mut opt = Optimizer::new(Method::Adam, 3).unwrap();
    opt.set(Param::Lr, 0.05)
        .unwrap()
        .set(Param::BatchSize, 4.0)
        .unwrap()
        .set(Param::Seed, 11.0)
        .unwrap()
        .set(Param::MaxIter, max_iter)
        .unwrap();
    opt
}

#[test]
fn two_runs_of_five_end_where_one_run_of_ten_ends() {
    // 23 samples of 2 features and an intercept, in batches of 4 (an epoch is 6).
    let design: Vec<f64> = (0..23)
        .flat_map(|i| {
            let t = i as f64;
            [(t * 0.31).sin(), (t * 0.17).cos()]
        })
        .collect();
    let y: Vec<f64> = design
        .chunks(2)
        .map(|r| 1.5 * r[0] - 0.5 * r[1] + 0.25)
        .collect();
    let mut loss = Objective::least_squares(&design, &y, 2, 0.5, true).unwrap();
    assert_eq!(loss.terms(), 23);

    let mut one = mini_batch_optimizer(10.0);
    let mut x1 = [0.0; 3];
    let whole = one.minimize(&mut loss, &mut x1, None).unwrap();
    assert_eq!((whole.iterations, whole.evaluations), (10, 11));

    let mut two = mini_batch_optimizer(5.0);
    let mut x2 = [0.0; 3];
    let a = two.minimize(&mut loss, &mut x2, None).unwrap();
    let b = two.minimize(&mut loss, &mut x2, None).unwrap();
    assert_eq!((a.iterations, b.iterations), (5, 5));
    assert_bits(&x2, &x1);
    assert_bits(&[b.f, b.grad_norm], &[whole.f, whole.grad_norm]);
    assert_eq!(two.iterations(), one.iterations());
    // Each call evaluates its start (the final batch is drawn again): 6 + 6 against 11.
    assert_eq!((a.evaluations, b.evaluations), (6, 6));
    assert_eq!(two.evaluations(), one.evaluations() + 1);
    for key in ["exp_avg", "exp_avg_sq", "step"] {
        assert_bits(&two.state(key).unwrap(), &one.state(key).unwrap());
    }
    // The sampling goes on in step: the next batches are the same too.
    for _ in 0..7 {
        let (f1, f2) = (
            one.step(&mut loss, &mut x1).unwrap(),
            two.step(&mut loss, &mut x2).unwrap(),
        );
        assert_eq!(f1.to_bits(), f2.to_bits());
    }
    assert_bits(&x2, &x1);
}

#[test]
fn adam_state_after_one_update() {
    let mut opt = Optimizer::new(Method::Adam, 3).unwrap();
    assert_eq!(opt.state("exp_avg").unwrap(), vec![0.0; 3]);
    assert_eq!(opt.state("step").unwrap(), vec![0.0]);
    let g = [0.3, -1.7, 2.9];
    let mut x = [1.0, 2.0, 3.0];
    opt.update(&mut x, &g).unwrap();
    let expected: Vec<f64> = g.iter().map(|g| (1.0 - 0.9) * g).collect();
    assert_bits(&opt.state("exp_avg").unwrap(), &expected);
    assert_eq!(opt.state("step").unwrap(), vec![1.0]);
    let v = opt.state("exp_avg_sq").unwrap();
    for (v, g) in v.iter().zip(g) {
        let expected = (1.0 - 0.999) * g * g;
        assert!(
            (v - expected).abs() <= 1e-16 * expected,
            "{} vs {}",
            v,
            expected
        );
    }
    // AMSGrad's maximum exists only with AMSGrad.
    assert!(opt.state("max_exp_avg_sq").is_err());
    opt.set(Param::Amsgrad, 1.0).unwrap();
    assert_eq!(opt.state("max_exp_avg_sq").unwrap().len(), 3);
    // A scalar and a vector of one value are both one value long.
    let mut single = Optimizer::new(Method::Adam, 1).unwrap();
    single.update(&mut [0.0], &[2.0]).unwrap();
    assert_eq!(single.state("step").unwrap(), vec![1.0]);
    assert_bits(&single.state("exp_avg").unwrap(), &[(1.0 - 0.9) * 2.0]);
}

#[test]
fn unknown_state_keys_are_errors() {
    let einval = Err(Error::Status {
        code: sys::GD_EINVAL,
        context: "gd_optimizer_get_state",
    });
    let adam = Optimizer::new(Method::Adam, 2).unwrap();
    for bad in [
        "momentum", "Exp_avg", "exp_avg ", "", "exp\0avg", "sum", "lr",
    ] {
        assert_eq!(adam.state(bad), einval, "{:?}", bad);
    }
    // SGD keeps no step, and a momentum buffer only once a step used momentum.
    let mut sgd = Optimizer::new(Method::Sgd, 2).unwrap();
    assert_eq!(sgd.state("step"), einval);
    assert_eq!(sgd.state("momentum_buffer"), einval);
    sgd.set(Param::Momentum, 0.9).unwrap();
    sgd.update(&mut [0.0, 0.0], &[0.5, -0.25]).unwrap();
    assert_eq!(sgd.state("momentum_buffer").unwrap(), vec![0.5, -0.25]);
    let mut adagrad = Optimizer::new(Method::Adagrad, 2).unwrap();
    adagrad.set(Param::InitialAccumulator, 0.5).unwrap();
    adagrad.update(&mut [0.0, 0.0], &[1.0, 2.0]).unwrap();
    assert_eq!(adagrad.state("sum").unwrap(), vec![1.5, 4.5]);
    assert_eq!(adagrad.state("exp_avg"), einval);
}

#[test]
fn param_by_name_round_trips_every_param() {
    let mut names = Vec::new();
    for p in Param::ALL {
        let name = p.name();
        assert!(!name.is_empty(), "{:?}", p);
        assert_eq!(Param::by_name(name), Some(p), "{}", name);
        names.push(name);
    }
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), Param::ALL.len());
    assert_eq!(Param::MaxIter.name(), "max_iter");
    assert_eq!(Param::by_name("weight_decay"), Some(Param::WeightDecay));
    for bad in ["LR", "lr ", "", "learning_rate", "l\0r", "sgd", "max-iter"] {
        assert_eq!(Param::by_name(bad), None, "{:?}", bad);
    }
    for m in Method::ALL {
        assert_eq!(Method::by_name(m.name()), Ok(m));
    }
}

/// A monitor installed through `sys`, counting its calls in the `AtomicUsize` at `user`.
unsafe extern "C" fn count_calls(
    _iter: usize,
    _x: *const f64,
    _n: usize,
    _f: f64,
    user: *mut c_void,
) -> c_int {
    // SAFETY: `user` is the AtomicUsize the test below installs, alive while it runs.
    unsafe { &*(user as *const AtomicUsize) }.fetch_add(1, Ordering::SeqCst);
    0
}

#[test]
fn minimize_leaves_the_monitor_alone_and_minimize_with_removes_its_own() {
    let mut f = Objective::quadratic(1, None, 1.0).unwrap();
    let mut opt = Optimizer::new(Method::Sgd, 1).unwrap();
    opt.set(Param::MaxIter, 3.0).unwrap();
    let calls = AtomicUsize::new(0);
    // SAFETY: a valid handle; `calls` outlives every run below, and the monitor is
    // removed (by minimize_with) before it goes.
    unsafe {
        let user = &calls as *const AtomicUsize as *mut c_void;
        sys::gd_optimizer_set_monitor(opt.as_raw(), Some(count_calls), user);
    }
    let mut x = [1.0];
    opt.minimize(&mut f, &mut x, None).unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    let mut own = 0;
    opt.minimize_with(&mut f, &mut x, None, |_, _, _| {
        own += 1;
        false
    })
    .unwrap();
    assert_eq!((own, calls.load(Ordering::SeqCst)), (3, 3));
    opt.minimize(&mut f, &mut x, None).unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[test]
fn lbfgs_runs_through_minimize_and_refuses_update() {
    // The quadratic ||x - c||^2: L-BFGS without line search reaches c in two
    // iterations (the second step is exact) and stops on tolerance_grad.
    let c = [1.0, -2.0, 3.0];
    let mut f = Objective::quadratic(3, Some(&c), 1.0).unwrap();
    let mut opt = Optimizer::new(Method::LBfgs, 3).unwrap();
    assert_eq!(Method::by_name("lbfgs"), Ok(Method::LBfgs));
    opt.set(Param::MaxIter, 20.0).unwrap();
    let mut x = [0.0; 3];
    let outcome = opt.minimize(&mut f, &mut x, None).unwrap();
    assert_eq!((outcome.stop, outcome.iterations), (StopReason::Gtol, 2));
    assert_eq!(opt.evaluations(), 3);
    for (xi, ci) in x.iter().zip(c) {
        assert!((xi - ci).abs() <= 1e-12);
    }
    assert_eq!(opt.get(Param::HistorySize).unwrap(), 100.0);
    opt.set(Param::MaxEval, 1.0).unwrap();
    let mut y = [5.0; 3];
    let outcome = opt.minimize(&mut f, &mut y, None).unwrap();
    assert_eq!(outcome.stop, StopReason::MaxEval);
    let err = opt.update(&mut x, &[1.0; 3]).unwrap_err();
    assert_eq!(err.code(), sys::GD_EINVAL);
}
