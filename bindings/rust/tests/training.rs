//! Parameter ranges (torch's parameter groups) and gradient clipping.
use gdescent::{Method, Optimizer, Param};

#[test]
fn a_range_updates_as_an_optimizer_of_its_own() {
    // SGD is elementwise: elements 4..8 with lr 0.5 move as an optimizer of 4 with it.
    let mut opt = Optimizer::new(Method::Sgd, 8).unwrap();
    opt.set(Param::Lr, 0.1).unwrap();
    opt.set_range(4, 4, Param::Lr, 0.5).unwrap();
    assert_eq!(opt.get_range(3, Param::Lr).unwrap(), 0.1);
    assert_eq!(opt.get_range(4, Param::Lr).unwrap(), 0.5);
    let mut alone = Optimizer::new(Method::Sgd, 4).unwrap();
    alone.set(Param::Lr, 0.5).unwrap();
    let mut x: Vec<f64> = (0..8).map(|i| i as f64).collect();
    let mut y = x[4..].to_vec();
    let g: Vec<f64> = (0..8).map(|i| 0.25 * i as f64 - 1.0).collect();
    opt.update(&mut x, &g).unwrap();
    alone.update(&mut y, &g[4..]).unwrap();
    assert_eq!(&x[4..], &y[..]);
    assert_eq!(x[1], 1.0 - 0.1 * (0.25 - 1.0));
}

#[test]
fn range_refusals_change_nothing() {
    let mut opt = Optimizer::new(Method::Adam, 5).unwrap();
    assert!(opt.set_range(3, 3, Param::Lr, 0.1).is_err());
    assert!(opt.set_range(0, 2, Param::MaxIter, 3.0).is_err());
    assert!(opt.get_range(5, Param::Lr).is_err());
    assert_eq!(opt.get_range(4, Param::Lr).unwrap(), 1e-3);
    let mut lbfgs = Optimizer::new(Method::LBfgs, 5).unwrap();
    assert!(lbfgs.set_range(0, 1, Param::Lr, 0.5).is_err());
}

#[test]
fn clip_value_clamps_the_gradient_without_writing_it() {
    let mut opt = Optimizer::new(Method::Sgd, 3).unwrap();
    opt.set(Param::Lr, 1.0)
        .unwrap()
        .set(Param::ClipValue, 0.5)
        .unwrap();
    let mut x = [0.0; 3];
    let g = [2.0, -0.25, -3.0];
    opt.update(&mut x, &g).unwrap();
    assert_eq!(x, [-0.5, 0.25, 0.5]);
    assert_eq!(g, [2.0, -0.25, -3.0]);
}
