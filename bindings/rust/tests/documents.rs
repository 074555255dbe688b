//! The documents' examples through the safe layer: the closed forms and the numbers that
//! tests/test_documents.c checks, with the same data, methods and learning rates.
use gdescent::{sys, Method, Objective, Optimizer, Param, StopReason, Trajectory};

fn sgd(n: usize, lr: f64, steps: usize) -> Optimizer {
    let mut opt = Optimizer::new(Method::Sgd, n).unwrap();
    opt.set(Param::Lr, lr)
        .unwrap()
        .set(Param::MaxIter, steps as f64)
        .unwrap();
    opt
}

/// `|actual - expected| <= rel * max(|expected|, 1)`: relative, with an absolute floor
/// where the error shrinks below the rounding of the center itself.
fn close(actual: f64, expected: f64, rel: f64) -> bool {
    (actual - expected).abs() <= rel * expected.abs().max(1.0)
}

/// Relative comparison as the C tests' assert_close.
fn assert_close(actual: f64, expected: f64, rel: f64) {
    let scale = expected.abs().max(1e-300);
    assert!(
        (actual - expected).abs() <= rel * scale,
        "{:e} differs from {:e} by more than {:e} relative",
        actual,
        expected,
        rel
    );
}

/// gd_quadratic_new is f(x) = scale ||x - c||^2 with gradient 2 scale (x - c), so plain
/// gradient descent gives x_k - c = (1 - 2 lr scale)(x_{k-1} - c): every recorded iterate
/// must be c + (x0 - c)(1 - 2 lr scale)^k to 1e-12.
fn check_quadratic_path(center: Option<&[f64]>, scale: f64, x0: &[f64], lr: f64, steps: usize) {
    let n = x0.len();
    let mut f = Objective::quadratic(n, center, scale).unwrap();
    let mut opt = sgd(n, lr, steps);
    let mut traj = Trajectory::new(n, true).unwrap();
    let mut x = x0.to_vec();
    let outcome = opt.minimize(&mut f, &mut x, Some(&mut traj)).unwrap();
    assert_eq!(outcome.stop, StopReason::MaxIter);
    assert_eq!(outcome.iterations, steps);
    assert_eq!(traj.len(), steps + 1);
    let factor = 1.0 - 2.0 * lr * scale;
    for k in 0..=steps {
        let xk = traj.x(k).unwrap();
        assert_eq!(traj.iter(k), Some(k));
        for j in 0..n {
            let c = center.map_or(0.0, |c| c[j]);
            let expected = c + (x0[j] - c) * factor.powi(k as i32);
            assert!(
                close(xk[j], expected, 1e-12),
                "lr {} scale {} k {} j {}: {} vs {}",
                lr,
                scale,
                k,
                j,
                xk[j],
                expected
            );
        }
    }
    // The run ends at the last record; Outcome reports f and ||grad|| there.
    assert_eq!(traj.x(steps).unwrap(), &x[..]);
    assert!(traj.x(steps + 1).is_none() && traj.iter(steps + 1).is_none());
    assert_eq!(outcome.f, f.value(&x).unwrap());
    assert_eq!(Some(outcome.f), traj.f(steps));
    assert_eq!(Some(outcome.grad_norm), traj.grad_norm(steps));
}

#[test]
fn x_squared_and_shifted_quadratics() {
    check_quadratic_path(None, 1.0, &[5.0], 0.1, 20); // x = 5 * 0.8^k
    check_quadratic_path(None, 1.0, &[5.0, -3.0], 0.2, 15); // (5, -3) * 0.6^k
    check_quadratic_path(Some(&[3.0]), 1.0, &[-7.0], 0.2, 20);
    check_quadratic_path(Some(&[2.0, -1.0]), 1.0, &[5.0, 5.0], 0.1, 20);
}

#[test]
fn learning_rate_sweeps() {
    for lr in [0.05, 0.2, 0.8, 1.01] {
        check_quadratic_path(None, 1.0, &[5.0], lr, 20);
    }
    for lr in [0.01, 0.1, 1.0, 1.5] {
        check_quadratic_path(Some(&[3.0]), 1.0, &[-7.0], lr, 20);
    }
}

#[test]
fn scale_enters_the_contraction_factor() {
    // scale 0.5 is x^2/2 (factor 1 - lr); scale 3 with lr 0.1 gives factor 0.4.
    check_quadratic_path(None, 0.5, &[5.0], 0.1, 20);
    check_quadratic_path(Some(&[1.0, -2.0]), 3.0, &[4.0, 0.0], 0.1, 20);
    check_quadratic_path(Some(&[3.0]), 0.25, &[-7.0], 0.5, 20);
}

#[test]
fn oscillation_and_divergence() {
    // lr 1.0 on (x-3)^2 from -7: factor -1, so x alternates exactly -7, 13, -7, ...
    let mut f = Objective::quadratic(1, Some(&[3.0]), 1.0).unwrap();
    let mut opt = sgd(1, 1.0, 0);
    let mut x = [-7.0];
    for k in 1..=10 {
        opt.step(&mut f, &mut x).unwrap();
        assert_eq!(x[0], if k % 2 == 1 { 13.0 } else { -7.0 });
    }
    // lr 1.5: factor -2, the error doubles in size every step.
    let mut opt = sgd(1, 1.5, 0);
    let mut x = [-7.0];
    let mut previous_error = 10.0;
    for _ in 0..30 {
        opt.step(&mut f, &mut x).unwrap();
        assert!((x[0] - 3.0).abs() > previous_error);
        previous_error = (x[0] - 3.0).abs();
    }
}

#[test]
fn per_sample_sgd() {
    // The classic per-sample SGD on y = 2x: samples in order, w0 = 1, lr 0.01.
    let (xs, ys) = ([1.0, 2.0, 3.0], [2.0, 4.0, 6.0]);
    let mut loss = Objective::least_squares(&xs, &ys, 1, 1.0, false).unwrap();
    assert_eq!(loss.terms(), 3);
    let mut opt = sgd(1, 0.01, 0);
    opt.set(Param::BatchSize, 1.0)
        .unwrap()
        .set(Param::Shuffle, 0.0)
        .unwrap();
    let mut w = [1.0];
    let first_grads = [-2.0, -7.84, -16.2288];
    for i in 0..3 {
        let before = w[0];
        let f = opt.step(&mut loss, &mut w).unwrap();
        assert_close((before - w[0]) / 0.01, first_grads[i], 1e-12);
        assert_close(f, (before * xs[i] - ys[i]).powi(2), 1e-15);
    }
    let last_sample_loss = |w: f64| (3.0 * w - 6.0).powi(2);
    assert_eq!((w[0] * 100.0).round() / 100.0, 1.26);
    assert!((last_sample_loss(w[0]) - 4.91924).abs() < 5e-7);
    for _ in 3..33 {
        opt.step(&mut loss, &mut w).unwrap();
    }
    assert_eq!((w[0] * 100.0).round() / 100.0, 1.96);
    assert!((last_sample_loss(w[0]) - 0.011707).abs() < 5e-7);
    for _ in 33..150 {
        opt.step(&mut loss, &mut w).unwrap();
    }
    assert_eq!((4.0 * w[0] * 100.0).round() / 100.0, 8.0);
}

#[test]
fn full_batch_regression() {
    // Loss 1/(2m) sum (w0 + w1 x - y)^2: features (1, x), scale 0.5, plain SGD lr 0.008.
    let xs = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0];
    let ys = [5.5, 6.0, 6.5, 7.0, 7.5, 8.0, 9.0];
    let design: Vec<f64> = xs.iter().flat_map(|&x| [1.0, x]).collect();
    let mut loss = Objective::least_squares(&design, &ys, 2, 0.5, false).unwrap();
    let w0 = [0.34099454173956956, -0.5196184029053978];
    let mut opt = sgd(2, 0.008, 5000);
    let mut w = w0;
    let f = opt.step(&mut loss, &mut w).unwrap();
    assert_close(f, 42.04352367497908, 1e-9);
    assert_close(w[0], 0.4120596524733747, 1e-9);
    assert_close(w[1], -0.18458753348838164, 1e-9);

    opt.reset();
    assert_eq!(opt.iterations(), 0);
    let mut traj = Trajectory::new(2, false).unwrap();
    let mut w = w0;
    let outcome = opt.minimize(&mut loss, &mut w, Some(&mut traj)).unwrap();
    assert_eq!(outcome.stop, StopReason::MaxIter);
    assert_eq!(outcome.iterations, 5000);
    assert_close(traj.f(4999).unwrap(), 5.8741498619485146e-08, 1e-9);
    assert_close(traj.f_values()[4999], 5.8741498619485146e-08, 1e-9);
    assert_close(w[0], 4.999278595714187, 1e-9);
    assert_close(w[1], 0.500136309516923, 1e-9);
    assert_eq!(traj.grad_norms().len(), 5001);
    assert_eq!(traj.iterations(), (0..=5000).collect::<Vec<_>>());
    assert_eq!(Some(outcome.f), traj.f(5000));
    assert!(outcome.f < traj.f(4999).unwrap());
}

/// A tiny linear congruential generator (Knuth's MMIX constants) for test data, as in
/// the C test.
fn uniform(state: &mut u64) -> f64 {
    *state = state
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (*state >> 11) as f64 / 9007199254740992.0
}

#[test]
fn geometric_median_of_random_cloud() {
    // The documents' SGD (lr 0.05, 100 steps from (0.1, 0.1)) gets close; a decaying
    // step finishes the job.
    const M: usize = 100;
    let mut seed = 12345u64;
    let mut points = [0.0; 2 * M];
    let mut centroid = [0.0; 2];
    for (i, p) in points.iter_mut().enumerate() {
        *p = uniform(&mut seed) * if i % 2 == 1 { 1.0 } else { 3.0 };
        centroid[i % 2] += *p / M as f64;
    }
    let mut f = Objective::geometric_median(&points, 2, None).unwrap();
    assert_eq!((f.dim(), f.terms()), (2, M));
    let mut opt = sgd(2, 0.05, 100);
    let mut x = [0.1, 0.1];
    assert_eq!(
        opt.minimize(&mut f, &mut x, None).unwrap().stop,
        StopReason::MaxIter
    );
    let mut lr = 0.05;
    for _ in 0..4000 {
        lr *= 0.997;
        opt.set(Param::Lr, lr).unwrap();
        opt.step(&mut f, &mut x).unwrap();
    }
    let mut grad = [0.0; 2];
    let value = f.eval(&x, &mut grad).unwrap();
    assert!(grad[0].hypot(grad[1]) < 1e-6);
    assert!(value < f.value(&centroid).unwrap());
    for p in points.chunks(2) {
        assert!(value < f.value(p).unwrap());
    }
}

#[test]
fn geometric_median_of_square() {
    // For the corners of a square the median is the center, where the gradient is 0.
    let corners = [0.0, 0.0, 2.0, 0.0, 0.0, 2.0, 2.0, 2.0];
    let mut f = Objective::geometric_median(&corners, 2, None).unwrap();
    let mut opt = sgd(2, 0.1, 2000);
    opt.set(Param::Gtol, 1e-12).unwrap();
    let mut x = [0.3, 1.7];
    let outcome = opt.minimize(&mut f, &mut x, None).unwrap();
    assert_eq!(outcome.stop, StopReason::Gtol);
    assert!(outcome.iterations < 2000 && outcome.grad_norm <= 1e-12);
    assert!((x[0] - 1.0).abs() < 1e-11 && (x[1] - 1.0).abs() < 1e-11);
}

#[test]
fn closure_objective_matches_bundled_quadratic() {
    let c = [1.0, -2.0, 0.5];
    let mut bundled = Objective::quadratic(3, Some(&c), 1.0).unwrap();
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
        let fa = opt_a.step(&mut bundled, &mut a).unwrap();
        let fb = opt_b.step(&mut mine, &mut b).unwrap();
        assert_eq!(fa, fb);
    }
    assert_eq!(a, b);
    drop(mine);
    assert_eq!(calls, 100);
}

/// Adam on Rosenbrock through gd_minimize equals, bit for bit, gd_objective_eval and
/// gd_optimizer_update driven by hand through the raw layer.
#[test]
fn adam_on_rosenbrock_equals_raw_updates_by_hand() {
    const STEPS: usize = 500;
    let start = [-1.2, 1.0];

    let mut f = Objective::rosenbrock(2).unwrap();
    let mut opt = Optimizer::new(Method::Adam, 2).unwrap();
    opt.set(Param::Lr, 0.01)
        .unwrap()
        .set(Param::MaxIter, STEPS as f64)
        .unwrap();
    let mut traj = Trajectory::new(2, true).unwrap();
    let mut x = start;
    let outcome = opt.minimize(&mut f, &mut x, Some(&mut traj)).unwrap();
    assert_eq!(outcome.stop, StopReason::MaxIter);
    assert_eq!(outcome.iterations, STEPS);

    let mut y = start;
    let mut g = [0.0; 2];
    let mut fy = 0.0;
    // SAFETY: valid handles, freed once at the end; arrays of dimension 2.
    unsafe {
        let raw_f = sys::gd_rosenbrock_new(2);
        let raw_opt = sys::gd_optimizer_new(sys::GD_ADAM, 2);
        assert!(!raw_f.is_null() && !raw_opt.is_null());
        assert_eq!(
            sys::gd_optimizer_set(raw_opt, sys::GD_PARAM_LR, 0.01),
            sys::GD_OK
        );
        for k in 0..=STEPS {
            let rc = sys::gd_objective_eval(raw_f, y.as_ptr(), &mut fy, g.as_mut_ptr());
            assert_eq!(rc, sys::GD_OK);
            let xk = traj.x(k).unwrap();
            assert_eq!(xk[0].to_bits(), y[0].to_bits(), "x0 at {}", k);
            assert_eq!(xk[1].to_bits(), y[1].to_bits(), "x1 at {}", k);
            assert_eq!(traj.f(k).unwrap().to_bits(), fy.to_bits(), "f at {}", k);
            if k < STEPS {
                let rc = sys::gd_optimizer_update(raw_opt, y.as_mut_ptr(), g.as_ptr());
                assert_eq!(rc, sys::GD_OK);
            }
        }
        assert_eq!(sys::gd_optimizer_iterations(raw_opt), STEPS);
        sys::gd_optimizer_free(raw_opt);
        sys::gd_objective_free(raw_f);
    }
    assert_eq!(x[0].to_bits(), y[0].to_bits());
    assert_eq!(x[1].to_bits(), y[1].to_bits());
    assert_eq!(outcome.f.to_bits(), fy.to_bits());

    // The safe layer's eval + update gives the same bits as well.
    let mut by_hand = Optimizer::new(Method::Adam, 2).unwrap();
    by_hand.set_by_name("lr", 0.01).unwrap();
    let mut z = start;
    for _ in 0..STEPS {
        f.eval(&z, &mut g).unwrap();
        by_hand.update(&mut z, &g).unwrap();
    }
    assert_eq!(z, x);
    assert_eq!(by_hand.iterations(), STEPS);
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
    // Chosen terms of both agree too.
    let mut ga = [0.0; 2];
    let mut gb = [0.0; 2];
    let fa = mine.eval_terms(&a, &[3, 3, 17], &mut ga).unwrap();
    let fb = bundled.eval_terms(&a, &[3, 3, 17], &mut gb).unwrap();
    assert!(close(fa, fb, 1e-12) && close(ga[0], gb[0], 1e-12) && close(ga[1], gb[1], 1e-12));
    drop(mine);
    // 40 terms in batches of 7: an epoch is six batches, the last of 5 (no drop_last).
    assert_eq!(&batches[..6], &[7, 7, 7, 7, 7, 5]);
}
