//! Raw declarations of `gdescent.h`, one for one.  Every function here is unsafe to
//! call: see the header for the contract of each.  `tests/header.rs` checks that every
//! function of the header is declared here.
#![allow(non_camel_case_types)]

use std::os::raw::{c_char, c_double, c_int, c_uint, c_void};

pub const GD_OK: c_int = 0;
pub const GD_STOP_MAXITER: c_int = 1;
pub const GD_STOP_GTOL: c_int = 2;
pub const GD_STOP_FTOL: c_int = 3;
pub const GD_STOP_XTOL: c_int = 4;
pub const GD_STOP_USER: c_int = 5;
pub const GD_EINVAL: c_int = -1;
pub const GD_ENOMEM: c_int = -2;
pub const GD_ECALLBACK: c_int = -3;
pub const GD_EDIVERGED: c_int = -4;
pub const GD_EIO: c_int = -5;
pub const GD_LS_INTERCEPT: c_uint = 1;
pub const GD_TRAJ_X: c_uint = 1;

/// Opaque objective handle.
#[repr(C)]
pub struct gd_objective {
    _private: [u8; 0],
}
/// Opaque optimizer handle.
#[repr(C)]
pub struct gd_optimizer {
    _private: [u8; 0],
}
/// Opaque trajectory handle.
#[repr(C)]
pub struct gd_trajectory {
    _private: [u8; 0],
}

/// `gd_method`: an enum of C, passed as int.
pub type gd_method = c_int;
pub const GD_SGD: gd_method = 0;
pub const GD_ADAM: gd_method = 1;
pub const GD_ADAMW: gd_method = 2;
pub const GD_RMSPROP: gd_method = 3;
pub const GD_ADAGRAD: gd_method = 4;

/// `gd_param`: an enum of C, passed as int; the values are those of the header.
pub type gd_param = c_int;

pub type gd_fdf_fn = Option<
    unsafe extern "C" fn(
        x: *const c_double,
        n: usize,
        f: *mut c_double,
        grad: *mut c_double,
        user: *mut c_void,
    ) -> c_int,
>;
pub type gd_batch_fn = Option<
    unsafe extern "C" fn(
        x: *const c_double,
        n: usize,
        idx: *const usize,
        count: usize,
        f: *mut c_double,
        grad: *mut c_double,
        user: *mut c_void,
    ) -> c_int,
>;
pub type gd_monitor_fn = Option<
    unsafe extern "C" fn(
        iter: usize,
        x: *const c_double,
        n: usize,
        f: c_double,
        user: *mut c_void,
    ) -> c_int,
>;

extern "C" {
    pub fn gd_version() -> c_uint;
    pub fn gd_version_string() -> *const c_char;
    pub fn gd_strerror(status: c_int) -> *const c_char;

    pub fn gd_objective_new(n: usize, fdf: gd_fdf_fn, user: *mut c_void) -> *mut gd_objective;
    pub fn gd_objective_new_sum(
        n: usize,
        m: usize,
        fdf: gd_batch_fn,
        user: *mut c_void,
    ) -> *mut gd_objective;
    pub fn gd_objective_free(obj: *mut gd_objective);
    pub fn gd_objective_dim(obj: *const gd_objective) -> usize;
    pub fn gd_objective_terms(obj: *const gd_objective) -> usize;
    pub fn gd_objective_eval(
        obj: *mut gd_objective,
        x: *const c_double,
        f: *mut c_double,
        grad: *mut c_double,
    ) -> c_int;
    pub fn gd_objective_eval_terms(
        obj: *mut gd_objective,
        x: *const c_double,
        idx: *const usize,
        count: usize,
        f: *mut c_double,
        grad: *mut c_double,
    ) -> c_int;
    pub fn gd_quadratic_new(
        n: usize,
        center: *const c_double,
        scale: c_double,
    ) -> *mut gd_objective;
    pub fn gd_least_squares_new(
        m: usize,
        p: usize,
        x: *const c_double,
        y: *const c_double,
        scale: c_double,
        flags: c_uint,
    ) -> *mut gd_objective;
    pub fn gd_geometric_median_new(
        m: usize,
        dim: usize,
        points: *const c_double,
        weights: *const c_double,
    ) -> *mut gd_objective;
    pub fn gd_rosenbrock_new(n: usize) -> *mut gd_objective;

    pub fn gd_optimizer_new(method: gd_method, n: usize) -> *mut gd_optimizer;
    pub fn gd_method_by_name(name: *const c_char, method: *mut gd_method) -> c_int;
    pub fn gd_method_name(method: gd_method) -> *const c_char;
    pub fn gd_param_name(key: gd_param) -> *const c_char;
    pub fn gd_optimizer_free(opt: *mut gd_optimizer);
    pub fn gd_optimizer_set(opt: *mut gd_optimizer, key: gd_param, value: c_double) -> c_int;
    pub fn gd_optimizer_get(opt: *const gd_optimizer, key: gd_param, value: *mut c_double)
        -> c_int;
    pub fn gd_optimizer_set_by_name(
        opt: *mut gd_optimizer,
        name: *const c_char,
        value: c_double,
    ) -> c_int;
    pub fn gd_optimizer_reset(opt: *mut gd_optimizer) -> c_int;
    pub fn gd_optimizer_iterations(opt: *const gd_optimizer) -> usize;
    pub fn gd_optimizer_isa(opt: *const gd_optimizer) -> *const c_char;
    pub fn gd_optimizer_update(
        opt: *mut gd_optimizer,
        x: *mut c_double,
        grad: *const c_double,
    ) -> c_int;
    pub fn gd_step(
        opt: *mut gd_optimizer,
        obj: *mut gd_objective,
        x: *mut c_double,
        f: *mut c_double,
    ) -> c_int;
    pub fn gd_minimize(
        opt: *mut gd_optimizer,
        obj: *mut gd_objective,
        x: *mut c_double,
        traj: *mut gd_trajectory,
    ) -> c_int;
    pub fn gd_optimizer_set_monitor(
        opt: *mut gd_optimizer,
        fn_: gd_monitor_fn,
        user: *mut c_void,
    ) -> c_int;

    pub fn gd_trajectory_new(n: usize, flags: c_uint) -> *mut gd_trajectory;
    pub fn gd_trajectory_free(traj: *mut gd_trajectory);
    pub fn gd_trajectory_set_stride(traj: *mut gd_trajectory, every: usize) -> c_int;
    pub fn gd_trajectory_len(traj: *const gd_trajectory) -> usize;
    pub fn gd_trajectory_dim(traj: *const gd_trajectory) -> usize;
    pub fn gd_trajectory_iter(traj: *const gd_trajectory, i: usize) -> usize;
    pub fn gd_trajectory_f(traj: *const gd_trajectory, i: usize) -> c_double;
    pub fn gd_trajectory_grad_norm(traj: *const gd_trajectory, i: usize) -> c_double;
    pub fn gd_trajectory_x(traj: *const gd_trajectory, i: usize) -> *const c_double;
    pub fn gd_trajectory_copy(
        traj: *const gd_trajectory,
        first: usize,
        count: usize,
        iter: *mut usize,
        f: *mut c_double,
        grad_norm: *mut c_double,
        x: *mut c_double,
    ) -> c_int;
    pub fn gd_trajectory_write_csv(traj: *const gd_trajectory, path: *const c_char) -> c_int;
    pub fn gd_trajectory_clear(traj: *mut gd_trajectory);
}
