//! Saved states: Optimizer::save/load and save_file/load_file.  A loaded optimizer
//! continues bit for bit; a damaged, truncated or foreign state is refused with the
//! optimizer unchanged, GD_EFORMAT told apart from GD_EINVAL.
use std::os::raw::c_void;
use std::path::PathBuf;

use gdescent::{sys, Method, Objective, Optimizer, Param, Schedule, ScheduleKind, ScheduleParam};

const N: usize = 4;

/// Adam with a range of its own rate, a cosine schedule, clipping by norm and AMSGrad.
fn adam() -> Optimizer {
    let mut opt = Optimizer::new(Method::Adam, N).unwrap();
    opt.set(Param::Lr, 0.05)
        .unwrap()
        .set(Param::ClipNorm, 0.5)
        .unwrap()
        .set(Param::Amsgrad, 1.0)
        .unwrap();
    opt.set_range(2, 2, Param::Lr, 0.02).unwrap();
    let mut cosine = Schedule::new(ScheduleKind::Cosine).unwrap();
    cosine.set(ScheduleParam::TMax, 7.0).unwrap();
    opt.add_schedule(&cosine).unwrap();
    opt
}

/// Updates with a gradient that depends on x and the step, and schedule steps.
fn train(opt: &mut Optimizer, x: &mut [f64], first: usize, steps: usize) {
    for k in first..first + steps {
        let grad: Vec<f64> = x
            .iter()
            .map(|v| (3.0 * v + 0.7 * k as f64).sin() + 0.1 * v)
            .collect();
        opt.update(x, &grad).unwrap();
        opt.schedule_step(None).unwrap();
    }
}

fn bits(x: &[f64]) -> Vec<u64> {
    x.iter().map(|v| v.to_bits()).collect()
}

#[test]
fn a_loaded_optimizer_continues_bit_for_bit() {
    let mut opt = adam();
    let mut x = [0.5, -0.25, 1.0, 0.0];
    train(&mut opt, &mut x, 0, 10);
    let state = opt.save();
    assert_eq!(&state[..8], b"GDSTATE\0");
    // A bare Adam: the range, the schedule and clipping come from the state.
    let mut loaded = Optimizer::new(Method::Adam, N).unwrap();
    loaded.load(&state).unwrap();
    assert_eq!(loaded.save(), state);
    assert_eq!(loaded.iterations(), 10);
    assert_eq!(loaded.get(Param::ClipNorm).unwrap(), 0.5);
    assert_eq!(
        loaded.get_range(3, Param::Lr).unwrap(),
        opt.get_range(3, Param::Lr).unwrap()
    );
    let mut y = x;
    train(&mut opt, &mut x, 10, 10);
    train(&mut loaded, &mut y, 10, 10);
    assert_eq!(bits(&x), bits(&y));
    assert_eq!(loaded.save(), opt.save());
}

#[test]
fn minimize_with_mini_batches_resumes_bit_for_bit() {
    let (m, p) = (12, 3);
    let xs: Vec<f64> = (0..m * p).map(|i| (1.0 + i as f64 * 0.7).sin()).collect();
    let ys: Vec<f64> = (0..m).map(|i| (0.3 * i as f64).cos()).collect();
    let mut f = Objective::least_squares(&xs, &ys, p, 0.5, true).unwrap();
    let mut opt = adam();
    opt.set(Param::BatchSize, 5.0)
        .unwrap()
        .set(Param::Seed, 11.0)
        .unwrap()
        .set(Param::MaxIter, 7.0)
        .unwrap()
        .set(Param::ScheduleEvery, 1.0)
        .unwrap();
    let mut x = [0.0; N];
    opt.minimize(&mut f, &mut x, None).unwrap();
    let mut loaded = Optimizer::new(Method::Adam, N).unwrap();
    loaded.load(&opt.save()).unwrap();
    let mut y = x;
    opt.set(Param::MaxIter, 9.0).unwrap();
    loaded.set(Param::MaxIter, 9.0).unwrap();
    let a = opt.minimize(&mut f, &mut x, None).unwrap();
    let b = loaded.minimize(&mut f, &mut y, None).unwrap();
    assert_eq!(bits(&x), bits(&y));
    assert_eq!((a.iterations, a.f.to_bits()), (b.iterations, b.f.to_bits()));
    assert_eq!(opt.save(), loaded.save());
}

#[test]
fn a_damaged_or_truncated_state_is_format_and_changes_nothing() {
    let mut source = adam();
    let mut x = [0.5, -0.25, 1.0, 0.0];
    train(&mut source, &mut x, 0, 4);
    let state = source.save();
    let mut target = adam();
    train(&mut target, &mut x, 0, 2);
    let before = target.save();
    for byte in [0, 9, 30, state.len() / 2, state.len() - 1] {
        let mut damaged = state.clone();
        damaged[byte] ^= 0x10;
        let err = target.load(&damaged).unwrap_err();
        assert_eq!(err.code(), sys::GD_EFORMAT, "byte {}", byte);
        assert!(err.is_format());
        assert!(err.to_string().starts_with("gd_optimizer_load: "));
    }
    for length in [0, 39, state.len() - 1] {
        assert!(target.load(&state[..length]).unwrap_err().is_format());
    }
    let mut longer = state.clone();
    longer.push(0);
    assert!(target.load(&longer).unwrap_err().is_format());
    assert_eq!(target.save(), before);
    target.load(&state).unwrap();
    assert_eq!(target.save(), state);
}

#[test]
fn a_state_of_another_method_or_size_is_refused() {
    let state = adam().save();
    for (method, n) in [(Method::Sgd, N), (Method::AdamW, N), (Method::Adam, N + 1)] {
        let mut other = Optimizer::new(method, n).unwrap();
        other.set(Param::Lr, 0.3).unwrap();
        let before = other.save();
        let err = other.load(&state).unwrap_err();
        assert_eq!(err.code(), sys::GD_EINVAL);
        assert!(!err.is_format());
        assert_eq!(other.save(), before);
    }
}

unsafe extern "C" fn halve(epoch: usize, _user: *mut c_void) -> f64 {
    0.5f64.powi(epoch as i32)
}

#[test]
fn a_lambda_schedule_needs_its_function_in_the_loading_optimizer() {
    let mut lambda = Schedule::new(ScheduleKind::Lambda).unwrap();
    // SAFETY: halve reads no user pointer and does not unwind.
    unsafe { lambda.set_lambda(halve, std::ptr::null_mut()) }.unwrap();
    let mut opt = Optimizer::new(Method::Sgd, N).unwrap();
    opt.add_schedule(&lambda).unwrap();
    opt.schedule_step(None).unwrap();
    let state = opt.save();
    let mut bare = Optimizer::new(Method::Sgd, N).unwrap();
    assert_eq!(bare.load(&state).unwrap_err().code(), sys::GD_EINVAL);
    let mut with = Optimizer::new(Method::Sgd, N).unwrap();
    with.add_schedule(&lambda).unwrap();
    with.load(&state).unwrap();
    opt.schedule_step(None).unwrap();
    with.schedule_step(None).unwrap();
    assert_eq!(with.get(Param::Lr).unwrap(), opt.get(Param::Lr).unwrap());
    assert_eq!(opt.get(Param::Lr).unwrap(), 0.01 * 0.25);
}

/// A new empty directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gdescent-saved-{}-{}", name, std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn files_round_trip() {
    let dir = scratch("files");
    let path = dir.join("state");
    let mut opt = adam();
    let mut x = [0.5, -0.25, 1.0, 0.0];
    train(&mut opt, &mut x, 0, 3);
    opt.save_file(&path).unwrap();
    opt.save_file(path.to_str().unwrap()).unwrap(); // replaces it
    assert_eq!(std::fs::read(&path).unwrap(), opt.save());
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["state"]); // no temporary file left
    let mut loaded = Optimizer::new(Method::Adam, N).unwrap();
    loaded.load_file(&path).unwrap();
    assert_eq!(loaded.save(), opt.save());
    let before = loaded.save();
    assert_eq!(
        loaded.load_file(dir.join("missing")).unwrap_err().code(),
        sys::GD_EIO
    );
    assert_eq!(
        opt.save_file(dir.join("no-such-directory").join("state"))
            .unwrap_err()
            .code(),
        sys::GD_EIO
    );
    assert_eq!(opt.save_file("").unwrap_err().code(), sys::GD_EINVAL);
    assert_eq!(opt.save_file("a\0b").unwrap_err().code(), sys::GD_EINVAL);
    assert_eq!(loaded.load_file("a\0b").unwrap_err().code(), sys::GD_EINVAL);
    let mut damaged = opt.save();
    damaged[50] ^= 1;
    std::fs::write(dir.join("damaged"), &damaged).unwrap();
    assert!(loaded
        .load_file(dir.join("damaged"))
        .unwrap_err()
        .is_format());
    let mut sgd = Optimizer::new(Method::Sgd, N).unwrap();
    assert_eq!(sgd.load_file(&path).unwrap_err().code(), sys::GD_EINVAL);
    assert_eq!(loaded.save(), before);
    std::fs::remove_dir_all(&dir).unwrap();
}
