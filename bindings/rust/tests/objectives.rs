//! Logistic and softmax regression from Rust, against their formulas.
use gdescent::Objective;

fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

#[test]
fn logistic_is_the_mean_log_loss_plus_the_penalty() {
    let x = [1.0, 2.0, -1.0, 0.5, 0.0, -3.0];
    let y = [1.0, 0.0, 1.0];
    let (w, b, l2) = ([0.3, -0.2], 0.1, 0.5);
    let mut f = Objective::logistic(&x, &y, 2, l2, true).unwrap();
    let mut grad = [0.0; 3];
    let value = f.eval(&[w[0], w[1], b], &mut grad).unwrap();
    let mut expected = 0.5 * l2 * (w[0] * w[0] + w[1] * w[1]);
    let mut g = [l2 * w[0], l2 * w[1], 0.0];
    for i in 0..3 {
        let z = x[2 * i] * w[0] + x[2 * i + 1] * w[1] + b;
        expected += (softplus(z) - y[i] * z) / 3.0;
        let r = (1.0 / (1.0 + (-z).exp()) - y[i]) / 3.0;
        g[0] += r * x[2 * i];
        g[1] += r * x[2 * i + 1];
        g[2] += r;
    }
    assert!((value - expected).abs() <= 1e-15 * expected.abs());
    for j in 0..3 {
        assert!(
            (grad[j] - g[j]).abs() <= 1e-15,
            "{}: {} vs {}",
            j,
            grad[j],
            g[j]
        );
    }
}

#[test]
fn softmax_of_two_classes_is_logistic_of_the_difference() {
    // Class scores (z1, z0) = (w.x, 0): the cross-entropy is logistic's log-loss of w.x.
    let x = [1.0, 2.0, -1.0, 0.5];
    let labels = [1usize, 0];
    let w = [0.0, 0.0, 0.3, -0.2]; // rows of W: class 0, class 1
    let mut f = Objective::softmax(&x, &labels, 2, 2, 0.0, false).unwrap();
    let mut grad = [0.0; 4];
    let value = f.eval(&w, &mut grad).unwrap();
    let mut l = Objective::logistic(&x, &[1.0, 0.0], 2, 0.0, false).unwrap();
    let mut lgrad = [0.0; 2];
    let expected = l.eval(&w[2..], &mut lgrad).unwrap();
    assert!((value - expected).abs() <= 1e-15);
    assert!((grad[2] - lgrad[0]).abs() <= 1e-15 && (grad[3] - lgrad[1]).abs() <= 1e-15);
}

#[test]
fn refusals() {
    assert!(Objective::logistic(&[1.0, 2.0], &[2.0], 2, 0.0, false).is_err()); // label 2
    assert!(Objective::logistic(&[1.0, 2.0], &[1.0], 3, 0.0, false).is_err()); // short x
    assert!(Objective::softmax(&[1.0], &[0], 1, 1, 0.0, false).is_err()); // k < 2
    assert!(Objective::softmax(&[1.0], &[2], 1, 2, 0.0, false).is_err()); // label >= k
}
