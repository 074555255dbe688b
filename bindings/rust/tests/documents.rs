//! The documents' examples through the safe layer: the numbers the C tests check.
use gdescent::{Method, Objective, Optimizer, Param, Stop, Trajectory};

fn sgd(n: usize, lr: f64, steps: usize) -> Optimizer {
    let mut opt = Optimizer::new(Method::Sgd, n).unwrap();
    opt.set(Param::Lr, lr)
        .unwrap()
        .set(Param::MaxIter, steps as f64)
        .unwrap();
    opt
}

fn close(actual: f64, expected: f64, rel: f64) -> bool {
    (actual - expected).abs() <= rel * expected.abs().max(1.0)
}

/// Gradient descent on ||x - c||^2 multiplies the error by (1 - 2 lr) per step.
fn check_quadratic_path(center: Option<&[f64]>, x0: &[f64], lr: f64, steps: usize) {
    let n = x0.len();
    let mut f = Objective::quadratic(n, center, 1.0).unwrap();
    let mut opt = sgd(n, lr, steps);
    let mut traj = Trajectory::new(n, true).unwrap();
    let mut x = x0.to_vec();
    let outcome = opt.minimize(&mut f, &mut x, Some(&mut traj)).unwrap();
    assert_eq!(
        outcome,
        gdescent::Outcome {
            stop: Stop::MaxIter,
            iterations: steps
        }
    );
    assert_eq!(traj.len(), steps + 1);
    for k in 0..=steps {
        let xk = traj.x(k).unwrap();
        assert_eq!(traj.iter(k), Some(k));
        for j in 0..n {
            let c = center.map_or(0.0, |c| c[j]);
            let expected = c + (x0[j] - c) * (1.0 - 2.0 * lr).powi(k as i32);
            assert!(
                close(xk[j], expected, 1e-12),
                "k {} j {}: {} vs {}",
                k,
                j,
                xk[j],
                expected
            );
        }
    }
    assert_eq!(traj.x(steps).unwrap(), &x[..]);
    assert!(traj.x(steps + 1).is_none() && traj.iter(steps + 1).is_none());
}

#[test]
fn x_squared_and_shifted_quadratics() {
    check_quadratic_path(None, &[5.0], 0.1, 20);
    check_quadratic_path(None, &[5.0, -3.0], 0.2, 15);
    check_quadratic_path(Some(&[3.0]), &[-7.0], 0.2, 20);
    check_quadratic_path(Some(&[2.0, -1.0]), &[5.0, 5.0], 0.1, 20);
    for lr in [0.05, 0.2, 0.8, 1.01] {
        check_quadratic_path(None, &[5.0], lr, 20);
    }
}

#[test]
fn oscillation_is_exact() {
    let mut f = Objective::quadratic(1, Some(&[3.0]), 1.0).unwrap();
    let mut opt = sgd(1, 1.0, 0);
    let mut x = [-7.0];
    for k in 1..=10 {
        opt.step(&mut f, &mut x).unwrap();
        assert_eq!(x[0], if k % 2 == 1 { 13.0 } else { -7.0 });
    }
}

#[test]
fn per_sample_sgd() {
    // y = 2x, samples in order, w0 = 1, lr 0.01.
    let (xs, ys) = ([1.0, 2.0, 3.0], [2.0, 4.0, 6.0]);
    let mut loss = Objective::least_squares(&xs, &ys, 1, 1.0, false).unwrap();
    let mut opt = sgd(1, 0.01, 0);
    opt.set(Param::BatchSize, 1.0)
        .unwrap()
        .set(Param::Shuffle, 0.0)
        .unwrap();
    let mut w = [1.0];
    let expected_grads = [-2.0, -7.84, -16.2288];
    for i in 0..3 {
        let before = w[0];
        let f = opt.step(&mut loss, &mut w).unwrap();
        assert!(close((before - w[0]) / 0.01, expected_grads[i], 1e-12));
        assert!(close(f, (before * xs[i] - ys[i]).powi(2), 1e-15));
    }
    let last_loss = |w: f64| (3.0 * w - 6.0).powi(2);
    assert_eq!((w[0] * 100.0).round() / 100.0, 1.26);
    assert!((last_loss(w[0]) - 4.91924).abs() < 5e-7);
    for _ in 3..33 {
        opt.step(&mut loss, &mut w).unwrap();
    }
    assert_eq!((w[0] * 100.0).round() / 100.0, 1.96);
    assert!((last_loss(w[0]) - 0.011707).abs() < 5e-7);
}

#[test]
fn full_batch_regression() {
    let xs = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0];
    let ys = [5.5, 6.0, 6.5, 7.0, 7.5, 8.0, 9.0];
    let design: Vec<f64> = xs.iter().flat_map(|&x| [1.0, x]).collect();
    let mut loss = Objective::least_squares(&design, &ys, 2, 0.5, false).unwrap();
    let w0 = [0.34099454173956956, -0.5196184029053978];
    let mut opt = sgd(2, 0.008, 5000);
    let mut w = w0;
    let f = opt.step(&mut loss, &mut w).unwrap();
    assert!(close(f, 42.04352367497908, 1e-9));
    assert!(close(w[0], 0.4120596524733747, 1e-9) && close(w[1], -0.18458753348838164, 1e-9));
    opt.reset();
    let mut traj = Trajectory::new(2, false).unwrap();
    let mut w = w0;
    opt.minimize(&mut loss, &mut w, Some(&mut traj)).unwrap();
    assert!(close(traj.f_values()[4999], 5.8741498619485146e-08, 1e-9));
    assert!(close(w[0], 4.999278595714187, 1e-9) && close(w[1], 0.500136309516923, 1e-9));
    assert_eq!(traj.grad_norms().len(), 5001);
}

#[test]
fn geometric_median_of_square() {
    let corners = [0.0, 0.0, 2.0, 0.0, 0.0, 2.0, 2.0, 2.0];
    let mut f = Objective::geometric_median(&corners, 2, None).unwrap();
    let mut opt = sgd(2, 0.1, 2000);
    opt.set(Param::Gtol, 1e-12).unwrap();
    let mut x = [0.3, 1.7];
    let outcome = opt.minimize(&mut f, &mut x, None).unwrap();
    assert_eq!(outcome.stop, Stop::Gtol);
    assert!((x[0] - 1.0).abs() < 1e-11 && (x[1] - 1.0).abs() < 1e-11);
}

#[test]
fn closure_objective_matches_bundled_quadratic() {
    let mut bundled = Objective::quadratic(3, Some(&[1.0, -2.0, 0.5]), 1.0).unwrap();
    let c = [1.0, -2.0, 0.5];
    let mut calls = 0;
    let mut mine = Objective::new(3, |x, g| {
        calls += 1;
        let mut f = 0.0;
        for j in 0..3 {
            g[j] = 2.0 * (x[j] - c[j]);
            f += (x[j] - c[j]) * (x[j] - c[j]);
        }
        f
    })
    .unwrap();
    let (mut a, mut b) = ([4.0, 4.0, 4.0], [4.0, 4.0, 4.0]);
    let mut opt_a = Optimizer::new(Method::Adam, 3).unwrap();
    let mut opt_b = Optimizer::new(Method::Adam, 3).unwrap();
    for _ in 0..100 {
        opt_a.step(&mut bundled, &mut a).unwrap();
        opt_b.step(&mut mine, &mut b).unwrap();
    }
    assert_eq!(a, b);
    drop(mine);
    assert_eq!(calls, 100);
}

#[test]
fn adam_on_rosenbrock_equals_updates_driven_by_hand() {
    let mut f = Objective::rosenbrock(2).unwrap();
    let mut opt = Optimizer::new(Method::Adam, 2).unwrap();
    opt.set(Param::Lr, 0.01)
        .unwrap()
        .set(Param::MaxIter, 500.0)
        .unwrap();
    let mut x = [-1.2, 1.0];
    opt.minimize(&mut f, &mut x, None).unwrap();

    let mut by_hand = Optimizer::new(Method::Adam, 2).unwrap();
    by_hand.set_by_name("lr", 0.01).unwrap();
    let (mut y, mut g) = ([-1.2, 1.0], [0.0; 2]);
    for _ in 0..500 {
        f.eval(&y, &mut g).unwrap();
        by_hand.update(&mut y, &g).unwrap();
    }
    assert_eq!(x, y);
    assert_eq!(by_hand.iterations(), 500);
    assert!(["baseline", "avx2", "avx512"].contains(&opt.isa()));
}

#[test]
fn finite_sum_closure_with_mini_batches() {
    // Least squares written as a finite sum follows the bundled objective.
    let xs: Vec<f64> = (0..40).map(|i| (i as f64 * 0.37).sin()).collect();
    let ys: Vec<f64> = xs.iter().map(|x| 2.0 * x - 1.0).collect();
    let design: Vec<f64> = xs.iter().flat_map(|&x| [x, 1.0]).collect();
    let mut batches = Vec::new();
    let mut mine = Objective::finite_sum(2, 40, |w, idx, g| {
        batches.push(idx.len());
        let (mut f, mut g0, mut g1) = (0.0, 0.0, 0.0);
        for &i in idx {
            let r = w[0] * xs[i] + w[1] - ys[i];
            f += 0.5 * r * r;
            g0 += r * xs[i];
            g1 += r;
        }
        let count = idx.len() as f64;
        g[0] = g0 / count;
        g[1] = g1 / count;
        f / count
    })
    .unwrap();
    assert_eq!(mine.terms(), 40);
    let mut bundled = Objective::least_squares(&design, &ys, 2, 0.5, false).unwrap();
    let run = |obj: &mut Objective| {
        let mut opt = sgd(2, 0.1, 60);
        opt.set(Param::BatchSize, 7.0)
            .unwrap()
            .set(Param::Seed, 3.0)
            .unwrap();
        let mut w = [0.0, 0.0];
        opt.minimize(obj, &mut w, None).unwrap();
        w
    };
    let (a, b) = (run(&mut mine), run(&mut bundled));
    assert!(close(a[0], b[0], 1e-12) && close(a[1], b[1], 1e-12));
    drop(mine);
    assert_eq!(&batches[..6], &[7, 7, 7, 7, 7, 5]);
}
