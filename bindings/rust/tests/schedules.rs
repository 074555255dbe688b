//! Schedule, ScheduleKind, ScheduleParam and the optimizer's add_schedule,
//! schedule_step and clear_schedules: rates by closed forms and torch's recursive
//! formulas, computed here, on two ranges of different base rates; refusals.
use std::f64::consts::PI;
use std::os::raw::c_void;

use gdescent::{
    sys, Method, Objective, Optimizer, Param, Schedule, ScheduleKind, ScheduleParam, StopReason,
};

const N: usize = 4;
const HALF: usize = 2;
const LR: f64 = 0.1;
const LR2: f64 = 0.03;

/// An optimizer whose second half has the rate LR2 (torch: a second parameter group).
fn two_ranges(method: Method) -> Optimizer {
    let mut opt = Optimizer::new(method, N).unwrap();
    opt.set(Param::Lr, LR).unwrap();
    opt.set_range(HALF, N - HALF, Param::Lr, LR2).unwrap();
    opt
}

fn rates(opt: &Optimizer) -> [f64; 2] {
    [
        opt.get_range(0, Param::Lr).unwrap(),
        opt.get_range(N - 1, Param::Lr).unwrap(),
    ]
}

fn einval<T: std::fmt::Debug>(result: Result<T, gdescent::Error>) {
    assert_eq!(result.unwrap_err().code(), sys::GD_EINVAL);
}

#[test]
fn enums_have_the_header_values() {
    for (i, kind) in ScheduleKind::ALL.iter().enumerate() {
        assert_eq!(kind.raw(), i as i32);
    }
    assert_eq!(ScheduleKind::Sequential.raw(), sys::GD_SCHEDULE_SEQUENTIAL);
    assert_eq!(ScheduleKind::Plateau.raw(), sys::GD_SCHEDULE_PLATEAU);
    for (i, key) in ScheduleParam::ALL.iter().enumerate() {
        assert_eq!(key.raw(), i as i32);
    }
    assert_eq!(
        ScheduleParam::MaxMomentum.raw(),
        sys::GD_SCHEDULE_PARAM_MAX_MOMENTUM
    );
    for kind in ScheduleKind::ALL {
        assert_eq!(Schedule::new(kind).unwrap().kind(), kind);
    }
}

#[test]
fn step_lr_by_its_closed_form_on_two_ranges() {
    let mut opt = two_ranges(Method::Sgd);
    let mut step = Schedule::new(ScheduleKind::Step).unwrap();
    step.set(ScheduleParam::StepSize, 3.0)
        .unwrap()
        .set(ScheduleParam::Gamma, 0.5)
        .unwrap();
    assert_eq!(step.get(ScheduleParam::Gamma).unwrap(), 0.5);
    opt.add_schedule(&step).unwrap();
    drop(step); // the optimizer holds its own copy
    for epoch in 0..20 {
        if epoch > 0 {
            opt.schedule_step(None).unwrap();
        }
        let factor = 0.5f64.powi(epoch / 3);
        assert_eq!(rates(&opt), [LR * factor, LR2 * factor], "epoch {}", epoch);
    }
}

/// torch 1.13's CosineAnnealingLR.get_lr(), the chainable form.
fn torch_cosine(epoch: i64, t_max: i64, eta_min: f64, base: f64, lr: f64) -> f64 {
    if epoch == 0 {
        lr
    } else if (epoch - 1 - t_max) % (2 * t_max) == 0 {
        lr + (base - eta_min) * (1.0 - (PI / t_max as f64).cos()) / 2.0
    } else {
        (1.0 + (PI * epoch as f64 / t_max as f64).cos())
            / (1.0 + (PI * (epoch - 1) as f64 / t_max as f64).cos())
            * (lr - eta_min)
            + eta_min
    }
}

#[test]
fn cosine_annealing_by_torchs_recursion() {
    let (t_max, eta_min) = (5, 0.001);
    let mut opt = two_ranges(Method::Adam);
    let mut cosine = Schedule::new(ScheduleKind::Cosine).unwrap();
    assert!(cosine.get(ScheduleParam::TMax).unwrap().is_nan());
    cosine
        .set(ScheduleParam::TMax, t_max as f64)
        .unwrap()
        .set(ScheduleParam::EtaMin, eta_min)
        .unwrap();
    opt.add_schedule(&cosine).unwrap();
    let mut expected = [LR, LR2];
    assert_eq!(rates(&opt), expected);
    for epoch in 1..=23 {
        opt.schedule_step(None).unwrap();
        for (lr, base) in expected.iter_mut().zip([LR, LR2]) {
            *lr = torch_cosine(epoch, t_max, eta_min, base, *lr);
        }
        assert_eq!(rates(&opt), expected, "epoch {}", epoch);
    }
}

unsafe extern "C" fn power_of(epoch: usize, user: *mut c_void) -> f64 {
    // SAFETY: the tests pass a pointer to a live f64.
    let gamma = unsafe { *(user as *const f64) };
    gamma.powi(epoch as i32)
}

#[test]
fn a_lambda_schedule_through_a_c_function() {
    let gamma = Box::new(0.5f64);
    let mut opt = two_ranges(Method::Sgd);
    let mut lambda = Schedule::new(ScheduleKind::Lambda).unwrap();
    // No function yet.
    einval(opt.add_schedule(&lambda));
    // SAFETY: gamma is a live f64 that outlives opt, dropped explicitly below.
    unsafe { lambda.set_lambda(power_of, &*gamma as *const f64 as *mut c_void) }.unwrap();
    opt.add_schedule(&lambda).unwrap();
    for epoch in 1..6 {
        opt.schedule_step(None).unwrap();
        let factor = 0.5f64.powi(epoch);
        assert_eq!(rates(&opt), [LR * factor, LR2 * factor]);
    }
    let mut step = Schedule::new(ScheduleKind::Step).unwrap();
    // SAFETY: as above; refused before anything is kept.
    einval(unsafe { step.set_lambda(power_of, std::ptr::null_mut()) });
    drop(opt);
}

#[test]
fn a_chain_and_a_sequence() {
    // MultiStepLR then ExponentialLR on the same optimizer, as ChainedScheduler.
    let mut opt = two_ranges(Method::Sgd);
    let mut multistep = Schedule::new(ScheduleKind::MultiStep).unwrap();
    multistep
        .milestones(&[2, 5])
        .unwrap()
        .set(ScheduleParam::Gamma, 0.5)
        .unwrap();
    let mut exponential = Schedule::new(ScheduleKind::Exponential).unwrap();
    exponential.set(ScheduleParam::Gamma, 0.25).unwrap();
    opt.add_schedule(&multistep)
        .unwrap()
        .add_schedule(&exponential)
        .unwrap();
    let mut expected = [LR, LR2];
    for epoch in 1..8 {
        opt.schedule_step(None).unwrap();
        for lr in expected.iter_mut() {
            if epoch == 2 || epoch == 5 {
                *lr *= 0.5;
            }
            *lr *= 0.25;
        }
        assert_eq!(rates(&opt), expected, "epoch {}", epoch);
    }
    opt.clear_schedules();
    opt.schedule_step(None).unwrap();
    assert_eq!(rates(&opt), expected);

    // SequentialLR: ConstantLR (factor 0.5) until epoch 3, then StepLR from there,
    // restarted: the rates come back to their initial_lr (LR, LR2 as recorded by the
    // first schedule ever added).
    let mut opt = two_ranges(Method::Sgd);
    let mut sequential = Schedule::new(ScheduleKind::Sequential).unwrap();
    let mut constant = Schedule::new(ScheduleKind::Constant).unwrap();
    constant
        .set(ScheduleParam::Factor, 0.5)
        .unwrap()
        .set(ScheduleParam::TotalIters, 10.0)
        .unwrap();
    let mut step = Schedule::new(ScheduleKind::Step).unwrap();
    step.set(ScheduleParam::StepSize, 2.0)
        .unwrap()
        .set(ScheduleParam::Gamma, 0.5)
        .unwrap();
    sequential.append(&constant).unwrap().append(&step).unwrap();
    einval(opt.add_schedule(&sequential)); // two children need one switch point
    sequential.milestones(&[3]).unwrap();
    opt.add_schedule(&sequential).unwrap();
    let factors = [0.5, 0.5, 0.5, 1.0, 1.0, 0.5, 0.5, 0.25];
    assert_eq!(rates(&opt), [LR * factors[0], LR2 * factors[0]]);
    for (epoch, factor) in factors.iter().enumerate().skip(1) {
        opt.schedule_step(None).unwrap();
        assert_eq!(rates(&opt), [LR * factor, LR2 * factor], "epoch {}", epoch);
    }
}

#[test]
fn plateau_and_one_cycle() {
    let mut opt = two_ranges(Method::Sgd);
    let mut plateau = Schedule::new(ScheduleKind::Plateau).unwrap();
    plateau
        .set(ScheduleParam::Patience, 1.0)
        .unwrap()
        .set(ScheduleParam::Factor, 0.5)
        .unwrap();
    opt.add_schedule(&plateau).unwrap();
    // 3 improves on inf, then two steps without improvement (None counts as none):
    // the second is more than patience.
    opt.schedule_step(Some(3.0)).unwrap();
    opt.schedule_step(None).unwrap();
    assert_eq!(rates(&opt), [LR, LR2]);
    opt.schedule_step(Some(3.0)).unwrap();
    assert_eq!(rates(&opt), [LR * 0.5, LR2 * 0.5]);

    let mut opt = Optimizer::new(Method::Adam, 2).unwrap();
    let mut cycle = Schedule::new(ScheduleKind::OneCycle).unwrap();
    cycle.set(ScheduleParam::MaxLr, 1.0).unwrap();
    einval(opt.add_schedule(&cycle)); // total_steps unset
    cycle.set(ScheduleParam::TotalSteps, 4.0).unwrap();
    opt.add_schedule(&cycle).unwrap();
    // torch's _annealing_cos(max_lr / div_factor, max_lr, 0) at epoch 0, not 0.04.
    let start: f64 = 1.0 / 25.0;
    assert_eq!(
        opt.get(Param::Lr).unwrap(),
        1.0 + (start - 1.0) / 2.0 * ((PI * 0.0).cos() + 1.0)
    );
    assert_eq!(opt.get(Param::Beta1).unwrap(), 0.95);
    for _ in 0..4 {
        opt.schedule_step(None).unwrap();
    }
    let (lr, beta1) = (opt.get(Param::Lr).unwrap(), opt.get(Param::Beta1).unwrap());
    einval(opt.schedule_step(None)); // past total_steps: nothing stepped
    assert_eq!(opt.get(Param::Lr).unwrap(), lr);
    assert_eq!(opt.get(Param::Beta1).unwrap(), beta1);
    // Adagrad has neither momentum nor beta1 to cycle.
    let mut adagrad = Optimizer::new(Method::Adagrad, 2).unwrap();
    einval(adagrad.add_schedule(&cycle));
    cycle.set(ScheduleParam::CycleMomentum, 0.0).unwrap();
    adagrad.add_schedule(&cycle).unwrap();
}

#[test]
fn descriptions_refuse_what_their_kind_does_not_take() {
    let mut step = Schedule::new(ScheduleKind::Step).unwrap();
    einval(step.set(ScheduleParam::TMax, 3.0)); // not a StepLR option
    einval(step.get(ScheduleParam::TMax));
    einval(step.set(ScheduleParam::StepSize, 0.0)); // out of range
    einval(step.set(ScheduleParam::Gamma, f64::NAN));
    assert!(step.get(ScheduleParam::StepSize).unwrap().is_nan());
    einval(step.milestones(&[1, 2]));
    let plateau = Schedule::new(ScheduleKind::Plateau).unwrap();
    einval(step.append(&plateau)); // step is not sequential
    let mut sequential = Schedule::new(ScheduleKind::Sequential).unwrap();
    einval(sequential.append(&plateau));
    einval(sequential.milestones(&[3, 1]));
    sequential.milestones(&[]).unwrap();
    einval(sequential.set(ScheduleParam::Gamma, 0.5));
    let mut opt = two_ranges(Method::Sgd);
    einval(opt.add_schedule(&step)); // step_size unset
    einval(opt.add_schedule(&sequential)); // no children
    assert_eq!(rates(&opt), [LR, LR2]);
    opt.schedule_step(None).unwrap(); // nothing was added
    assert_eq!(rates(&opt), [LR, LR2]);
}

#[test]
fn minimize_steps_the_schedules_with_schedule_every() {
    let mut f = Objective::quadratic(N, None, 1.0).unwrap();
    let mut opt = two_ranges(Method::Sgd);
    let mut step = Schedule::new(ScheduleKind::Step).unwrap();
    step.set(ScheduleParam::StepSize, 1.0)
        .unwrap()
        .set(ScheduleParam::Gamma, 0.5)
        .unwrap();
    opt.add_schedule(&step).unwrap();
    opt.set(Param::MaxIter, 6.0)
        .unwrap()
        .set(Param::ScheduleEvery, 2.0)
        .unwrap();
    let mut x = [1.0, 2.0, 3.0, 4.0];
    let outcome = opt.minimize(&mut f, &mut x, None).unwrap();
    assert_eq!(outcome.stop, StopReason::MaxIter);
    assert_eq!(rates(&opt), [LR * 0.125, LR2 * 0.125]);
}
