//! Float optimizers (`Optimizer::new_f32`): updates in `f32`, agreement with the
//! double optimizer to float accuracy, and what they refuse.
use gdescent::{ErrorKind, Method, Optimizer, Param};

fn gradient(x: &[f32], step: usize) -> Vec<f32> {
    x.iter()
        .enumerate()
        .map(|(i, &xi)| 0.5 * xi + ((i * 7 + step * 13) % 29) as f32 / 1024.0 - 14.0 / 1024.0)
        .collect()
}

#[test]
fn a_float_adam_moves_as_the_double_one_to_float_accuracy() {
    let mut single = Optimizer::new_f32(Method::Adam, 9).unwrap();
    let mut double = Optimizer::new(Method::Adam, 9).unwrap();
    single.set(Param::Lr, 0.01).unwrap();
    double.set(Param::Lr, 0.01).unwrap();
    let mut x: Vec<f32> = (0..9).map(|i| i as f32 / 4.0 - 1.0).collect();
    let mut y: Vec<f64> = x.iter().map(|&v| v as f64).collect();
    for step in 0..10 {
        let g = gradient(&x, step);
        let gy: Vec<f64> = y
            .iter()
            .zip(&g)
            .zip(&x)
            .map(|((&yi, &gi), &xi)| 0.5 * yi + (gi - 0.5 * xi) as f64)
            .collect();
        single.update_f32(&mut x, &g).unwrap();
        double.update(&mut y, &gy).unwrap();
    }
    for (a, b) in x.iter().zip(&y) {
        assert!(((*a as f64) - b).abs() <= 1e-5, "{} in float, {} in double", a, b);
    }
    assert_eq!(single.iterations(), 10);
}

#[test]
fn each_precision_refuses_the_other() {
    let mut single = Optimizer::new_f32(Method::Sgd, 3).unwrap();
    let mut double = Optimizer::new(Method::Sgd, 3).unwrap();
    let (mut xf, gf) = ([1.0f32; 3], [0.5f32; 3]);
    let (mut xd, gd) = ([1.0f64; 3], [0.5f64; 3]);
    let err = single.update(&mut xd, &gd).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    let err = double.update_f32(&mut xf, &gf).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert_eq!((xf, xd), ([1.0f32; 3], [1.0f64; 3]));
    assert!(single.update_f32(&mut xf, &gf[..2]).is_err());
    assert!(Optimizer::new_f32(Method::LBfgs, 3).is_err());
    assert!(Optimizer::new_f32(Method::Sgd, 0).is_err());
    single.update_f32(&mut xf, &gf).unwrap();
    assert_eq!(xf, [1.0 - 0.01 * 0.5; 3]);
}

#[test]
fn a_float_state_saves_and_resumes() {
    let mut opt = Optimizer::new_f32(Method::RmsProp, 4).unwrap();
    let mut x = [0.5f32, -1.0, 2.0, 0.25];
    for step in 0..3 {
        let g = gradient(&x, step);
        opt.update_f32(&mut x, &g).unwrap();
    }
    let saved = opt.save();
    let mut resumed = Optimizer::new_f32(Method::RmsProp, 4).unwrap();
    resumed.load(&saved).unwrap();
    assert!(Optimizer::new(Method::RmsProp, 4).unwrap().load(&saved).is_err());
    let mut y = x;
    for step in 3..6 {
        let g = gradient(&x, step);
        opt.update_f32(&mut x, &g).unwrap();
        let g = gradient(&y, step);
        resumed.update_f32(&mut y, &g).unwrap();
    }
    assert_eq!(x, y);
}
