//! Raw declarations of `gdescent.h`, one for one.  Every function here is unsafe to
//! call: see the header for the contract of each.  `tests/header.rs` checks that every
//! function, `#define`d constant and enumerator of the header is declared here with the
//! same value.  The C enums `gd_method` and `gd_param` are `c_int` type aliases with
//! constants, so that no out-of-range value can ever be an invalid Rust enum.
#![allow(non_camel_case_types)]

use std::marker::{PhantomData, PhantomPinned};
use std::os::raw::{c_char, c_double, c_int, c_uint, c_void};

/// `GD_VERSION_MAJOR`: major version of the header these declarations follow.
pub const GD_VERSION_MAJOR: c_uint = 1;
/// `GD_VERSION_MINOR`: minor version of the header.
pub const GD_VERSION_MINOR: c_uint = 1;
/// `GD_VERSION_PATCH`: patch version of the header.
pub const GD_VERSION_PATCH: c_uint = 0;

/// `GD_OK`: success.
pub const GD_OK: c_int = 0;
/// `GD_STOP_MAXITER`: gd_minimize() made `GD_PARAM_MAX_ITER` updates.
pub const GD_STOP_MAXITER: c_int = 1;
/// `GD_STOP_GTOL`: the gradient norm is at or below `GD_PARAM_GTOL`.
pub const GD_STOP_GTOL: c_int = 2;
/// `GD_STOP_FTOL`: the relative change of f is at or below `GD_PARAM_FTOL`.
pub const GD_STOP_FTOL: c_int = 3;
/// `GD_STOP_XTOL`: the relative step is at or below `GD_PARAM_XTOL`.
pub const GD_STOP_XTOL: c_int = 4;
/// `GD_STOP_USER`: the monitor callback returned non-zero.
pub const GD_STOP_USER: c_int = 5;
/// `GD_STOP_MAXEVAL`: the evaluation budget `GD_PARAM_MAX_EVAL` is spent (1.1).
pub const GD_STOP_MAXEVAL: c_int = 6;
/// `GD_EINVAL`: bad argument (NULL, n = 0, dimension mismatch, value out of range, ...).
pub const GD_EINVAL: c_int = -1;
/// `GD_ENOMEM`: an allocation failed.
pub const GD_ENOMEM: c_int = -2;
/// `GD_ECALLBACK`: the objective callback returned non-zero.
pub const GD_ECALLBACK: c_int = -3;
/// `GD_EDIVERGED`: f or the gradient became NaN or infinite.
pub const GD_EDIVERGED: c_int = -4;
/// `GD_EIO`: a file could not be opened or written.
pub const GD_EIO: c_int = -5;
/// `GD_EFORMAT`: a saved state that is not libgd's, damaged, truncated or newer (1.1).
pub const GD_EFORMAT: c_int = -6;
/// `GD_EBUSY`: the optimizer was run from inside a callback of its own run (1.1).
pub const GD_EBUSY: c_int = -7;
/// `GD_LS_INTERCEPT`: flag of gd_least_squares_new(), the last parameter is an intercept.
pub const GD_LS_INTERCEPT: c_uint = 1;
/// `GD_INTERCEPT`: flag of gd_logistic_new() and gd_softmax_new(), the last parameters
/// are intercepts (1.1).
pub const GD_INTERCEPT: c_uint = 1;
/// `GD_TRAJ_X`: flag of gd_trajectory_new(), also store every recorded iterate.
pub const GD_TRAJ_X: c_uint = 1;
/// `GD_LINE_SEARCH_NONE`: `GD_PARAM_LINE_SEARCH`, a fixed step of lr (1.1).
pub const GD_LINE_SEARCH_NONE: c_int = 0;
/// `GD_LINE_SEARCH_STRONG_WOLFE`: torch.optim.LBFGS's strong Wolfe line search (1.1).
pub const GD_LINE_SEARCH_STRONG_WOLFE: c_int = 1;
/// `GD_LINE_SEARCH_BACKTRACKING`: Armijo backtracking along the L-BFGS direction, libgd's
/// own (1.1).
pub const GD_LINE_SEARCH_BACKTRACKING: c_int = 2;
/// `GD_BACKTRACKING_C1`: the backtracking search's sufficient-decrease constant (1.1).
pub const GD_BACKTRACKING_C1: f64 = 1e-4;
/// `GD_BACKTRACKING_SHRINK`: the factor from one trial step to the next (1.1).
pub const GD_BACKTRACKING_SHRINK: f64 = 0.5;
/// `GD_BACKTRACKING_MAX_HALVINGS`: the backtracking search's most halvings (1.1).
pub const GD_BACKTRACKING_MAX_HALVINGS: c_int = 50;

/// Opaque objective handle.
#[repr(C)]
pub struct gd_objective {
    _private: [u8; 0],
    _not_send_sync_unpin: PhantomData<(*mut u8, PhantomPinned)>,
}
/// Opaque optimizer handle.
#[repr(C)]
pub struct gd_optimizer {
    _private: [u8; 0],
    _not_send_sync_unpin: PhantomData<(*mut u8, PhantomPinned)>,
}
/// Opaque trajectory handle.
#[repr(C)]
pub struct gd_trajectory {
    _private: [u8; 0],
    _not_send_sync_unpin: PhantomData<(*mut u8, PhantomPinned)>,
}

/// `gd_method`: a C enum, passed as `int` (the values below are its enumerators).
pub type gd_method = c_int;
/// `GD_SGD`: gradient descent with momentum, dampening, Nesterov, weight decay.
pub const GD_SGD: gd_method = 0;
/// `GD_ADAM`: Adam with L2 weight decay and optional AMSGrad.
pub const GD_ADAM: gd_method = 1;
/// `GD_ADAMW`: Adam with decoupled weight decay.
pub const GD_ADAMW: gd_method = 2;
/// `GD_RMSPROP`: RMSprop, optionally centered and with momentum.
pub const GD_RMSPROP: gd_method = 3;
/// `GD_ADAGRAD`: Adagrad with learning-rate decay.
pub const GD_ADAGRAD: gd_method = 4;
/// `GD_NADAM`: NAdam: Adam with Nesterov momentum (1.1).
pub const GD_NADAM: gd_method = 5;
/// `GD_RADAM`: RAdam: Adam with the variance rectified (1.1).
pub const GD_RADAM: gd_method = 6;
/// `GD_ADAMAX`: Adamax: Adam with the infinity norm (1.1).
pub const GD_ADAMAX: gd_method = 7;
/// `GD_ADADELTA`: Adadelta (1.1).
pub const GD_ADADELTA: gd_method = 8;
/// `GD_RPROP`: Rprop: the sign of the gradient (1.1).
pub const GD_RPROP: gd_method = 9;
/// `GD_ASGD`: ASGD: averaged SGD (1.1).
pub const GD_ASGD: gd_method = 10;
/// `GD_LION`: Lion: the sign of an interpolated momentum (1.1).
pub const GD_LION: gd_method = 11;
/// `GD_LBFGS`: L-BFGS as torch.optim.LBFGS, through gd_step() and gd_minimize() (1.1).
pub const GD_LBFGS: gd_method = 12;

/// `gd_param`: a C enum, passed as `int` (the values below are its enumerators).
pub type gd_param = c_int;
/// `GD_PARAM_LR`: learning rate.
pub const GD_PARAM_LR: gd_param = 0;
/// `GD_PARAM_MOMENTUM`: momentum factor.
pub const GD_PARAM_MOMENTUM: gd_param = 1;
/// `GD_PARAM_DAMPENING`: dampening of momentum.
pub const GD_PARAM_DAMPENING: gd_param = 2;
/// `GD_PARAM_NESTEROV`: boolean, Nesterov momentum.
pub const GD_PARAM_NESTEROV: gd_param = 3;
/// `GD_PARAM_WEIGHT_DECAY`: weight decay.
pub const GD_PARAM_WEIGHT_DECAY: gd_param = 4;
/// `GD_PARAM_BETA1`: first-moment decay.
pub const GD_PARAM_BETA1: gd_param = 5;
/// `GD_PARAM_BETA2`: second-moment decay.
pub const GD_PARAM_BETA2: gd_param = 6;
/// `GD_PARAM_EPS`: denominator term.
pub const GD_PARAM_EPS: gd_param = 7;
/// `GD_PARAM_AMSGRAD`: boolean, AMSGrad.
pub const GD_PARAM_AMSGRAD: gd_param = 8;
/// `GD_PARAM_ALPHA`: smoothing constant of RMSprop.
pub const GD_PARAM_ALPHA: gd_param = 9;
/// `GD_PARAM_CENTERED`: boolean, centered RMSprop.
pub const GD_PARAM_CENTERED: gd_param = 10;
/// `GD_PARAM_LR_DECAY`: learning-rate decay of Adagrad.
pub const GD_PARAM_LR_DECAY: gd_param = 11;
/// `GD_PARAM_INITIAL_ACCUMULATOR`: initial accumulator of Adagrad.
pub const GD_PARAM_INITIAL_ACCUMULATOR: gd_param = 12;
/// `GD_PARAM_MAXIMIZE`: boolean, ascend instead of descend.
pub const GD_PARAM_MAXIMIZE: gd_param = 13;
/// `GD_PARAM_MOMENTUM_DECAY`: NAdam's momentum decay (1.1).
pub const GD_PARAM_MOMENTUM_DECAY: gd_param = 14;
/// `GD_PARAM_RHO`: Adadelta's decay of the running averages (1.1).
pub const GD_PARAM_RHO: gd_param = 15;
/// `GD_PARAM_ETA_MINUS`: Rprop's factor when the gradient changes sign (1.1).
pub const GD_PARAM_ETA_MINUS: gd_param = 16;
/// `GD_PARAM_ETA_PLUS`: Rprop's factor while it keeps its sign (1.1).
pub const GD_PARAM_ETA_PLUS: gd_param = 17;
/// `GD_PARAM_STEP_MIN`: Rprop's smallest step (1.1).
pub const GD_PARAM_STEP_MIN: gd_param = 18;
/// `GD_PARAM_STEP_MAX`: Rprop's largest step (1.1).
pub const GD_PARAM_STEP_MAX: gd_param = 19;
/// `GD_PARAM_LAMBD`: ASGD's decay term (1.1).
pub const GD_PARAM_LAMBD: gd_param = 20;
/// `GD_PARAM_T0`: ASGD's step from which it averages (1.1).
pub const GD_PARAM_T0: gd_param = 21;
/// `GD_PARAM_DECOUPLED_WEIGHT_DECAY`: boolean, NAdam and RAdam decay x first (1.1).
pub const GD_PARAM_DECOUPLED_WEIGHT_DECAY: gd_param = 22;
/// `GD_PARAM_HISTORY_SIZE`: L-BFGS's number of curvature pairs kept (1.1).
pub const GD_PARAM_HISTORY_SIZE: gd_param = 23;
/// `GD_PARAM_LINE_SEARCH`: L-BFGS's line search, a `GD_LINE_SEARCH_*` value (1.1).
pub const GD_PARAM_LINE_SEARCH: gd_param = 24;
/// `GD_PARAM_TOLERANCE_GRAD`: L-BFGS stops when max |g_i| is at or below it (1.1).
pub const GD_PARAM_TOLERANCE_GRAD: gd_param = 25;
/// `GD_PARAM_TOLERANCE_CHANGE`: L-BFGS stops on a smaller step or change of f (1.1).
pub const GD_PARAM_TOLERANCE_CHANGE: gd_param = 26;
/// `GD_PARAM_MAX_ITER`: updates per gd_minimize() call.
pub const GD_PARAM_MAX_ITER: gd_param = 32;
/// `GD_PARAM_GTOL`: gradient-norm stop criterion.
pub const GD_PARAM_GTOL: gd_param = 33;
/// `GD_PARAM_FTOL`: relative change of f stop criterion.
pub const GD_PARAM_FTOL: gd_param = 34;
/// `GD_PARAM_XTOL`: relative step stop criterion.
pub const GD_PARAM_XTOL: gd_param = 35;
/// `GD_PARAM_MAX_EVAL`: evaluations per gd_minimize() call (0: none; L-BFGS torch's) (1.1).
pub const GD_PARAM_MAX_EVAL: gd_param = 36;
/// `GD_PARAM_SCHEDULE_EVERY`: gd_minimize() steps the schedules every k updates (1.1).
pub const GD_PARAM_SCHEDULE_EVERY: gd_param = 37;
/// `GD_PARAM_CLIP_NORM`: clip the gradient by its 2-norm; 0 is off (1.1).
pub const GD_PARAM_CLIP_NORM: gd_param = 38;
/// `GD_PARAM_CLIP_VALUE`: clamp the gradient's elements; 0 is off (1.1).
pub const GD_PARAM_CLIP_VALUE: gd_param = 39;
/// `GD_PARAM_BATCH_SIZE`: terms per step of a finite sum (0: all).
pub const GD_PARAM_BATCH_SIZE: gd_param = 48;
/// `GD_PARAM_SHUFFLE`: boolean, reshuffle the terms every epoch.
pub const GD_PARAM_SHUFFLE: gd_param = 49;
/// `GD_PARAM_SEED`: seed of the shuffle.
pub const GD_PARAM_SEED: gd_param = 50;

/// `gd_fdf_fn`: value and, when `grad` is not NULL, gradient of a plain objective.
pub type gd_fdf_fn = Option<
    unsafe extern "C" fn(
        x: *const c_double,
        n: usize,
        f: *mut c_double,
        grad: *mut c_double,
        user: *mut c_void,
    ) -> c_int,
>;
/// `gd_batch_fn`: value and, when `grad` is not NULL, gradient of the mean of the terms
/// `idx[0..count)` of a finite sum.
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
/// `gd_monitor_fn`: monitor of gd_minimize(), called after every update.
pub type gd_monitor_fn = Option<
    unsafe extern "C" fn(
        iter: usize,
        x: *const c_double,
        n: usize,
        f: c_double,
        user: *mut c_void,
    ) -> c_int,
>;

/// `gd_schedule`: an opaque learning-rate schedule description (1.1).
#[repr(C)]
pub struct gd_schedule {
    _private: [u8; 0],
}
/// `gd_schedule_kind`: a C enum, passed as `int` (1.1).
pub type gd_schedule_kind = c_int;
/// `gd_schedule_param`: a C enum, passed as `int` (1.1).
pub type gd_schedule_param = c_int;
/// `gd_lr_lambda_fn`: LambdaLR's and MultiplicativeLR's function of the epoch (1.1).
pub type gd_lr_lambda_fn =
    Option<unsafe extern "C" fn(epoch: usize, user: *mut c_void) -> c_double>;
/// `GD_SCHEDULE_STEP` (gd_schedule_kind, 1.1).
pub const GD_SCHEDULE_STEP: c_int = 0;
/// `GD_SCHEDULE_MULTISTEP` (gd_schedule_kind, 1.1).
pub const GD_SCHEDULE_MULTISTEP: c_int = 1;
/// `GD_SCHEDULE_EXPONENTIAL` (gd_schedule_kind, 1.1).
pub const GD_SCHEDULE_EXPONENTIAL: c_int = 2;
/// `GD_SCHEDULE_COSINE` (gd_schedule_kind, 1.1).
pub const GD_SCHEDULE_COSINE: c_int = 3;
/// `GD_SCHEDULE_COSINE_RESTARTS` (gd_schedule_kind, 1.1).
pub const GD_SCHEDULE_COSINE_RESTARTS: c_int = 4;
/// `GD_SCHEDULE_LINEAR` (gd_schedule_kind, 1.1).
pub const GD_SCHEDULE_LINEAR: c_int = 5;
/// `GD_SCHEDULE_CONSTANT` (gd_schedule_kind, 1.1).
pub const GD_SCHEDULE_CONSTANT: c_int = 6;
/// `GD_SCHEDULE_POLYNOMIAL` (gd_schedule_kind, 1.1).
pub const GD_SCHEDULE_POLYNOMIAL: c_int = 7;
/// `GD_SCHEDULE_ONE_CYCLE` (gd_schedule_kind, 1.1).
pub const GD_SCHEDULE_ONE_CYCLE: c_int = 8;
/// `GD_SCHEDULE_CYCLIC` (gd_schedule_kind, 1.1).
pub const GD_SCHEDULE_CYCLIC: c_int = 9;
/// `GD_SCHEDULE_PLATEAU` (gd_schedule_kind, 1.1).
pub const GD_SCHEDULE_PLATEAU: c_int = 10;
/// `GD_SCHEDULE_LAMBDA` (gd_schedule_kind, 1.1).
pub const GD_SCHEDULE_LAMBDA: c_int = 11;
/// `GD_SCHEDULE_MULTIPLICATIVE` (gd_schedule_kind, 1.1).
pub const GD_SCHEDULE_MULTIPLICATIVE: c_int = 12;
/// `GD_SCHEDULE_SEQUENTIAL` (gd_schedule_kind, 1.1).
pub const GD_SCHEDULE_SEQUENTIAL: c_int = 13;
/// `GD_SCHEDULE_PARAM_GAMMA` (gd_schedule_param, 1.1).
pub const GD_SCHEDULE_PARAM_GAMMA: c_int = 0;
/// `GD_SCHEDULE_PARAM_STEP_SIZE` (gd_schedule_param, 1.1).
pub const GD_SCHEDULE_PARAM_STEP_SIZE: c_int = 1;
/// `GD_SCHEDULE_PARAM_T_MAX` (gd_schedule_param, 1.1).
pub const GD_SCHEDULE_PARAM_T_MAX: c_int = 2;
/// `GD_SCHEDULE_PARAM_ETA_MIN` (gd_schedule_param, 1.1).
pub const GD_SCHEDULE_PARAM_ETA_MIN: c_int = 3;
/// `GD_SCHEDULE_PARAM_T_0` (gd_schedule_param, 1.1).
pub const GD_SCHEDULE_PARAM_T_0: c_int = 4;
/// `GD_SCHEDULE_PARAM_T_MULT` (gd_schedule_param, 1.1).
pub const GD_SCHEDULE_PARAM_T_MULT: c_int = 5;
/// `GD_SCHEDULE_PARAM_START_FACTOR` (gd_schedule_param, 1.1).
pub const GD_SCHEDULE_PARAM_START_FACTOR: c_int = 6;
/// `GD_SCHEDULE_PARAM_END_FACTOR` (gd_schedule_param, 1.1).
pub const GD_SCHEDULE_PARAM_END_FACTOR: c_int = 7;
/// `GD_SCHEDULE_PARAM_TOTAL_ITERS` (gd_schedule_param, 1.1).
pub const GD_SCHEDULE_PARAM_TOTAL_ITERS: c_int = 8;
/// `GD_SCHEDULE_PARAM_FACTOR` (gd_schedule_param, 1.1).
pub const GD_SCHEDULE_PARAM_FACTOR: c_int = 9;
/// `GD_SCHEDULE_PARAM_POWER` (gd_schedule_param, 1.1).
pub const GD_SCHEDULE_PARAM_POWER: c_int = 10;
/// `GD_SCHEDULE_PARAM_MAX_LR` (gd_schedule_param, 1.1).
pub const GD_SCHEDULE_PARAM_MAX_LR: c_int = 11;
/// `GD_SCHEDULE_PARAM_TOTAL_STEPS` (gd_schedule_param, 1.1).
pub const GD_SCHEDULE_PARAM_TOTAL_STEPS: c_int = 12;
/// `GD_SCHEDULE_PARAM_PCT_START` (gd_schedule_param, 1.1).
pub const GD_SCHEDULE_PARAM_PCT_START: c_int = 13;
/// `GD_SCHEDULE_PARAM_ANNEAL_LINEAR` (gd_schedule_param, 1.1).
pub const GD_SCHEDULE_PARAM_ANNEAL_LINEAR: c_int = 14;
/// `GD_SCHEDULE_PARAM_DIV_FACTOR` (gd_schedule_param, 1.1).
pub const GD_SCHEDULE_PARAM_DIV_FACTOR: c_int = 15;
/// `GD_SCHEDULE_PARAM_FINAL_DIV_FACTOR` (gd_schedule_param, 1.1).
pub const GD_SCHEDULE_PARAM_FINAL_DIV_FACTOR: c_int = 16;
/// `GD_SCHEDULE_PARAM_THREE_PHASE` (gd_schedule_param, 1.1).
pub const GD_SCHEDULE_PARAM_THREE_PHASE: c_int = 17;
/// `GD_SCHEDULE_PARAM_BASE_LR` (gd_schedule_param, 1.1).
pub const GD_SCHEDULE_PARAM_BASE_LR: c_int = 18;
/// `GD_SCHEDULE_PARAM_STEP_SIZE_UP` (gd_schedule_param, 1.1).
pub const GD_SCHEDULE_PARAM_STEP_SIZE_UP: c_int = 19;
/// `GD_SCHEDULE_PARAM_STEP_SIZE_DOWN` (gd_schedule_param, 1.1).
pub const GD_SCHEDULE_PARAM_STEP_SIZE_DOWN: c_int = 20;
/// `GD_SCHEDULE_PARAM_MODE` (gd_schedule_param, 1.1).
pub const GD_SCHEDULE_PARAM_MODE: c_int = 21;
/// `GD_SCHEDULE_PARAM_PATIENCE` (gd_schedule_param, 1.1).
pub const GD_SCHEDULE_PARAM_PATIENCE: c_int = 22;
/// `GD_SCHEDULE_PARAM_THRESHOLD` (gd_schedule_param, 1.1).
pub const GD_SCHEDULE_PARAM_THRESHOLD: c_int = 23;
/// `GD_SCHEDULE_PARAM_THRESHOLD_ABS` (gd_schedule_param, 1.1).
pub const GD_SCHEDULE_PARAM_THRESHOLD_ABS: c_int = 24;
/// `GD_SCHEDULE_PARAM_COOLDOWN` (gd_schedule_param, 1.1).
pub const GD_SCHEDULE_PARAM_COOLDOWN: c_int = 25;
/// `GD_SCHEDULE_PARAM_MIN_LR` (gd_schedule_param, 1.1).
pub const GD_SCHEDULE_PARAM_MIN_LR: c_int = 26;
/// `GD_SCHEDULE_PARAM_EPS` (gd_schedule_param, 1.1).
pub const GD_SCHEDULE_PARAM_EPS: c_int = 27;
/// `GD_SCHEDULE_PARAM_CYCLE_MOMENTUM` (gd_schedule_param, 1.1).
pub const GD_SCHEDULE_PARAM_CYCLE_MOMENTUM: c_int = 28;
/// `GD_SCHEDULE_PARAM_BASE_MOMENTUM` (gd_schedule_param, 1.1).
pub const GD_SCHEDULE_PARAM_BASE_MOMENTUM: c_int = 29;
/// `GD_SCHEDULE_PARAM_MAX_MOMENTUM` (gd_schedule_param, 1.1).
pub const GD_SCHEDULE_PARAM_MAX_MOMENTUM: c_int = 30;

extern "C" {
    /// Version of the linked library: `MAJOR*10000 + MINOR*100 + PATCH`.
    pub fn gd_version() -> c_uint;
    /// Version of the linked library as a static string such as "1.0.0".
    pub fn gd_version_string() -> *const c_char;
    /// A static English sentence describing a status code; never NULL.
    pub fn gd_strerror(status: c_int) -> *const c_char;

    /// Creates a plain objective from a callback; NULL on bad arguments.
    pub fn gd_objective_new(n: usize, fdf: gd_fdf_fn, user: *mut c_void) -> *mut gd_objective;
    /// Creates a finite-sum objective of `m` terms from a callback; NULL on bad arguments.
    pub fn gd_objective_new_sum(
        n: usize,
        m: usize,
        fdf: gd_batch_fn,
        user: *mut c_void,
    ) -> *mut gd_objective;
    /// Frees an objective; NULL is a no-op.
    pub fn gd_objective_free(obj: *mut gd_objective);
    /// Dimension n of the objective (0 for NULL).
    pub fn gd_objective_dim(obj: *const gd_objective) -> usize;
    /// Number of terms m of a finite sum (1 for a plain objective, 0 for NULL).
    pub fn gd_objective_terms(obj: *const gd_objective) -> usize;
    /// Evaluates the full objective at x; `f` and `grad` may be NULL.
    pub fn gd_objective_eval(
        obj: *mut gd_objective,
        x: *const c_double,
        f: *mut c_double,
        grad: *mut c_double,
    ) -> c_int;
    /// Evaluates the mean of the terms `idx[0..count)` at x.
    pub fn gd_objective_eval_terms(
        obj: *mut gd_objective,
        x: *const c_double,
        idx: *const usize,
        count: usize,
        f: *mut c_double,
        grad: *mut c_double,
    ) -> c_int;
    /// `scale * ||x - center||^2`; `center` NULL is the origin.
    pub fn gd_quadratic_new(
        n: usize,
        center: *const c_double,
        scale: c_double,
    ) -> *mut gd_objective;
    /// Linear least squares over m samples of p features (row-major `x`).
    pub fn gd_least_squares_new(
        m: usize,
        p: usize,
        x: *const c_double,
        y: *const c_double,
        scale: c_double,
        flags: c_uint,
    ) -> *mut gd_objective;
    /// Binary logistic regression over m samples of p features, labels 0 or 1 (1.1).
    pub fn gd_logistic_new(
        m: usize,
        p: usize,
        x: *const c_double,
        y: *const c_double,
        l2: c_double,
        flags: c_uint,
    ) -> *mut gd_objective;
    /// Multinomial regression over k classes, labels in 0..k (1.1).
    pub fn gd_softmax_new(
        m: usize,
        p: usize,
        k: usize,
        x: *const c_double,
        labels: *const usize,
        l2: c_double,
        flags: c_uint,
    ) -> *mut gd_objective;
    /// Geometric median of m points of dimension `dim`; `weights` may be NULL.
    pub fn gd_geometric_median_new(
        m: usize,
        dim: usize,
        points: *const c_double,
        weights: *const c_double,
    ) -> *mut gd_objective;
    /// Rosenbrock's function in n >= 2 dimensions.
    pub fn gd_rosenbrock_new(n: usize) -> *mut gd_objective;

    /// Creates an optimizer with the method's defaults; NULL on bad arguments.
    pub fn gd_optimizer_new(method: gd_method, n: usize) -> *mut gd_optimizer;
    /// Creates a float optimizer (state in float, updated by gd_optimizer_update_f32);
    /// NULL for L-BFGS and on bad arguments.
    pub fn gd_optimizer_new_f32(method: gd_method, n: usize) -> *mut gd_optimizer;
    /// The method of a name ("sgd", "adam", "adamw", "rmsprop", "adagrad") into
    /// `*method`; `GD_EINVAL` for an unknown name, leaving `*method` untouched.
    pub fn gd_method_by_name(name: *const c_char, method: *mut gd_method) -> c_int;
    /// The name of a method ("sgd", ...), the inverse of gd_method_by_name(); a static
    /// string, or NULL for a value that is not a method.
    pub fn gd_method_name(method: gd_method) -> *const c_char;
    /// The name of a parameter key ("lr", "max_iter", ...) as gd_optimizer_set_by_name()
    /// reads it; a static string, or NULL for a value that is not a key.
    pub fn gd_param_name(key: gd_param) -> *const c_char;
    /// Frees an optimizer; NULL is a no-op.
    pub fn gd_optimizer_free(opt: *mut gd_optimizer);
    /// Sets one parameter; `GD_EINVAL` leaves everything unchanged.
    pub fn gd_optimizer_set(opt: *mut gd_optimizer, key: gd_param, value: c_double) -> c_int;
    /// Reads one parameter into `*value`.
    pub fn gd_optimizer_get(opt: *const gd_optimizer, key: gd_param, value: *mut c_double)
        -> c_int;
    /// gd_optimizer_set() by the key's lower-case name ("lr", "beta1", ...).
    pub fn gd_optimizer_set_by_name(
        opt: *mut gd_optimizer,
        name: *const c_char,
        value: c_double,
    ) -> c_int;
    /// Forgets the method's state and restarts the sampling; keeps parameters.
    pub fn gd_optimizer_reset(opt: *mut gd_optimizer) -> c_int;
    /// Number of updates since creation or the last reset.
    pub fn gd_optimizer_iterations(opt: *const gd_optimizer) -> usize;
    /// The key of a parameter name into `*key`; `GD_EINVAL` for an unknown name (1.1).
    pub fn gd_param_by_name(name: *const c_char, key: *mut gd_param) -> c_int;
    /// Objective evaluations since creation or the last reset (1.1).
    pub fn gd_optimizer_evaluations(opt: *const gd_optimizer) -> usize;
    /// f of the last successful evaluation; NaN before any (1.1).
    pub fn gd_optimizer_last_f(opt: *const gd_optimizer) -> c_double;
    /// The gradient norm of that evaluation; NaN before any (1.1).
    pub fn gd_optimizer_last_grad_norm(opt: *const gd_optimizer) -> c_double;
    /// Copies the state vector (or scalar) torch keeps under `name` into `out`; `count`
    /// must be its length (1.1).
    pub fn gd_optimizer_get_state(
        opt: *const gd_optimizer,
        name: *const c_char,
        out: *mut c_double,
        count: usize,
    ) -> c_int;
    /// Sets a method parameter for the elements first .. first+count-1 only (1.1).
    pub fn gd_optimizer_set_range(
        opt: *mut gd_optimizer,
        first: usize,
        count: usize,
        key: gd_param,
        value: c_double,
    ) -> c_int;
    /// The value of a method parameter in force for element `index` (1.1).
    pub fn gd_optimizer_get_range(
        opt: *const gd_optimizer,
        index: usize,
        key: gd_param,
        value: *mut c_double,
    ) -> c_int;
    /// A schedule description of a kind, with torch's defaults (1.1).
    pub fn gd_schedule_new(kind: gd_schedule_kind) -> *mut gd_schedule;
    /// Frees a schedule description; NULL is a no-op (1.1).
    pub fn gd_schedule_free(s: *mut gd_schedule);
    /// Sets one option of a schedule (1.1).
    pub fn gd_schedule_set(s: *mut gd_schedule, key: gd_schedule_param, value: c_double) -> c_int;
    /// Reads one option of a schedule (1.1).
    pub fn gd_schedule_get(
        s: *const gd_schedule,
        key: gd_schedule_param,
        value: *mut c_double,
    ) -> c_int;
    /// MultiStepLR's milestones, SequentialLR's switch points (1.1).
    pub fn gd_schedule_set_milestones(
        s: *mut gd_schedule,
        milestones: *const usize,
        count: usize,
    ) -> c_int;
    /// LambdaLR's and MultiplicativeLR's function (1.1).
    pub fn gd_schedule_set_lambda(
        s: *mut gd_schedule,
        fn_: gd_lr_lambda_fn,
        user: *mut c_void,
    ) -> c_int;
    /// Appends a copy of child to a SequentialLR (1.1).
    pub fn gd_schedule_append(sequential: *mut gd_schedule, child: *const gd_schedule) -> c_int;
    /// Adds a copy of s to the optimizer, as constructing the torch scheduler (1.1).
    pub fn gd_optimizer_add_schedule(opt: *mut gd_optimizer, s: *const gd_schedule) -> c_int;
    /// Removes the optimizer's schedules (1.1).
    pub fn gd_optimizer_clear_schedules(opt: *mut gd_optimizer) -> c_int;
    /// scheduler.step(metric) of every added schedule, in order (1.1).
    pub fn gd_optimizer_schedule_step(opt: *mut gd_optimizer, metric: c_double) -> c_int;
    /// Bytes of the state gd_optimizer_save writes (1.1).
    pub fn gd_optimizer_state_size(opt: *const gd_optimizer) -> usize;
    /// Writes the optimizer's state into buf (1.1).
    pub fn gd_optimizer_save(opt: *const gd_optimizer, buf: *mut c_void, size: usize) -> c_int;
    /// Replaces the optimizer's state by a saved one (1.1).
    pub fn gd_optimizer_load(opt: *mut gd_optimizer, buf: *const c_void, size: usize) -> c_int;
    /// Writes the state to a file, replaced atomically (1.1).
    pub fn gd_optimizer_save_file(opt: *const gd_optimizer, path: *const c_char) -> c_int;
    /// Loads a state from a file (1.1).
    pub fn gd_optimizer_load_file(opt: *mut gd_optimizer, path: *const c_char) -> c_int;
    /// Instruction-set level of the update loops ("baseline", "avx2", "avx512").
    pub fn gd_optimizer_isa(opt: *const gd_optimizer) -> *const c_char;
    /// Applies one update to x from a caller-computed gradient.
    pub fn gd_optimizer_update(
        opt: *mut gd_optimizer,
        x: *mut c_double,
        grad: *const c_double,
    ) -> c_int;
    /// Applies one update to float x from a float gradient (float optimizers only).
    pub fn gd_optimizer_update_f32(opt: *mut gd_optimizer, x: *mut f32, grad: *const f32) -> c_int;
    /// Evaluates the objective (or a mini-batch) at x and updates x.
    pub fn gd_step(
        opt: *mut gd_optimizer,
        obj: *mut gd_objective,
        x: *mut c_double,
        f: *mut c_double,
    ) -> c_int;
    /// Iterates until a stop criterion; returns a positive `GD_STOP_*` or a negative error.
    pub fn gd_minimize(
        opt: *mut gd_optimizer,
        obj: *mut gd_objective,
        x: *mut c_double,
        traj: *mut gd_trajectory,
    ) -> c_int;
    /// Installs (or with `fn_` None removes) the monitor of gd_minimize().
    pub fn gd_optimizer_set_monitor(
        opt: *mut gd_optimizer,
        fn_: gd_monitor_fn,
        user: *mut c_void,
    ) -> c_int;

    /// Creates an empty trajectory; `flags` 0 or `GD_TRAJ_X`.
    pub fn gd_trajectory_new(n: usize, flags: c_uint) -> *mut gd_trajectory;
    /// Frees a trajectory; NULL is a no-op.
    pub fn gd_trajectory_free(traj: *mut gd_trajectory);
    /// Records only every `every`-th iteration of later runs.
    pub fn gd_trajectory_set_stride(traj: *mut gd_trajectory, every: usize) -> c_int;
    /// Number of records.
    pub fn gd_trajectory_len(traj: *const gd_trajectory) -> usize;
    /// Dimension of the recorded iterates.
    pub fn gd_trajectory_dim(traj: *const gd_trajectory) -> usize;
    /// Iteration number of record i (SIZE_MAX out of range).
    pub fn gd_trajectory_iter(traj: *const gd_trajectory, i: usize) -> usize;
    /// Objective value of record i (NaN out of range).
    pub fn gd_trajectory_f(traj: *const gd_trajectory, i: usize) -> c_double;
    /// Gradient norm of record i (NaN out of range).
    pub fn gd_trajectory_grad_norm(traj: *const gd_trajectory, i: usize) -> c_double;
    /// Iterate of record i, or NULL without `GD_TRAJ_X` or out of range.
    pub fn gd_trajectory_x(traj: *const gd_trajectory, i: usize) -> *const c_double;
    /// Copies records `first..first+count` into caller arrays (each may be NULL).
    pub fn gd_trajectory_copy(
        traj: *const gd_trajectory,
        first: usize,
        count: usize,
        iter: *mut usize,
        f: *mut c_double,
        grad_norm: *mut c_double,
        x: *mut c_double,
    ) -> c_int;
    /// Writes the records as CSV to `path`.
    pub fn gd_trajectory_write_csv(traj: *const gd_trajectory, path: *const c_char) -> c_int;
    /// Removes every record.
    pub fn gd_trajectory_clear(traj: *mut gd_trajectory);
}
