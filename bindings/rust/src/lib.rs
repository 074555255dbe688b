//! Safe Rust interface to libgdescent: gradient-based minimization with the update rules
//! of PyTorch's `torch.optim` (SGD, Adam, AdamW, RMSprop, Adagrad), over `f64` slices.
//!
//! ```
//! use gdescent::{Method, Objective, Optimizer, Param, Stop};
//!
//! // f(x) = (x0 - 3)^2 + (x1 + 1)^2, with its gradient written into `grad`.
//! let mut f = Objective::new(2, |x, grad| {
//!     grad[0] = 2.0 * (x[0] - 3.0);
//!     grad[1] = 2.0 * (x[1] + 1.0);
//!     (x[0] - 3.0).powi(2) + (x[1] + 1.0).powi(2)
//! }).unwrap();
//! let mut opt = Optimizer::new(Method::Adam, 2).unwrap();
//! opt.set(Param::Lr, 0.1).unwrap().set(Param::MaxIter, 2000.0).unwrap().set(Param::Gtol, 1e-9).unwrap();
//! let mut x = [0.0, 0.0];
//! let outcome = opt.minimize(&mut f, &mut x, None).unwrap();
//! assert_eq!(outcome.stop, Stop::Gtol);
//! assert!((x[0] - 3.0).abs() < 1e-6 && (x[1] + 1.0).abs() < 1e-6);
//! ```
//!
//! Every handle is freed by `Drop`.  A panic inside an objective closure is caught at
//! the C boundary (it never unwinds through C): the run stops and the call returns
//! [`Error::Panic`] with the panic's message.  Handles may move between threads
//! ([`Optimizer`] and [`Trajectory`] are `Send`) but none may be used from two threads
//! at once.

pub mod sys;

use std::any::Any;
use std::ffi::{CStr, CString};
use std::fmt;
use std::marker::PhantomData;
use std::os::raw::{c_int, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::{self, NonNull};

/// What went wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// The library returned a negative status (`GD_EINVAL`, `GD_EDIVERGED`, ...).
    Status { code: i32, context: &'static str },
    /// A slice had the wrong length; nothing was passed to the library.
    Length {
        what: &'static str,
        expected: usize,
        actual: usize,
    },
    /// A constructor refused its arguments (zero sizes, non-finite data, ...) or ran
    /// out of memory.
    Invalid(&'static str),
    /// An objective closure panicked; the panic's message.
    Panic(String),
    /// An objective closure returned an error; its message.
    Objective(String),
}

impl Error {
    /// The library's status code: the negative `GD_E*` value, `GD_ECALLBACK` for
    /// [`Error::Panic`] and [`Error::Objective`], `GD_EINVAL` for the others.
    pub fn code(&self) -> i32 {
        match self {
            Error::Status { code, .. } => *code,
            Error::Panic(_) | Error::Objective(_) => sys::GD_ECALLBACK,
            Error::Length { .. } | Error::Invalid(_) => sys::GD_EINVAL,
        }
    }
}

fn strerror(code: i32) -> String {
    // SAFETY: gd_strerror returns a static NUL-terminated string for every code.
    unsafe { CStr::from_ptr(sys::gd_strerror(code)) }
        .to_string_lossy()
        .into_owned()
}

impl fmt::Display for Error {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Status { code, context } => write!(out, "{}: {}", context, strerror(*code)),
            Error::Length {
                what,
                expected,
                actual,
            } => {
                write!(out, "{} has length {}, expected {}", what, actual, expected)
            }
            Error::Invalid(what) => write!(out, "{}: invalid arguments or out of memory", what),
            Error::Panic(message) => write!(out, "objective panicked: {}", message),
            Error::Objective(message) => write!(out, "objective failed: {}", message),
        }
    }
}

impl std::error::Error for Error {}

/// The library's version string, for example "1.0.0".
pub fn version() -> String {
    // SAFETY: a static NUL-terminated string.
    unsafe { CStr::from_ptr(sys::gd_version_string()) }
        .to_string_lossy()
        .into_owned()
}

fn check(code: c_int, context: &'static str) -> Result<c_int, Error> {
    if code < 0 {
        Err(Error::Status { code, context })
    } else {
        Ok(code)
    }
}

fn check_len(what: &'static str, expected: usize, actual: usize) -> Result<(), Error> {
    if expected == actual {
        Ok(())
    } else {
        Err(Error::Length {
            what,
            expected,
            actual,
        })
    }
}

/// An update rule of `torch.optim`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Sgd,
    Adam,
    AdamW,
    RmsProp,
    Adagrad,
}

impl Method {
    fn raw(self) -> sys::gd_method {
        match self {
            Method::Sgd => sys::GD_SGD,
            Method::Adam => sys::GD_ADAM,
            Method::AdamW => sys::GD_ADAMW,
            Method::RmsProp => sys::GD_RMSPROP,
            Method::Adagrad => sys::GD_ADAGRAD,
        }
    }
}

/// Parameter keys; see `gd_param` in `gdescent.h` for ranges and defaults.  Booleans
/// are 0.0 or 1.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    Lr = 0,
    Momentum = 1,
    Dampening = 2,
    Nesterov = 3,
    WeightDecay = 4,
    Beta1 = 5,
    Beta2 = 6,
    Eps = 7,
    Amsgrad = 8,
    Alpha = 9,
    Centered = 10,
    LrDecay = 11,
    InitialAccumulator = 12,
    Maximize = 13,
    MaxIter = 32,
    Gtol = 33,
    Ftol = 34,
    Xtol = 35,
    BatchSize = 48,
    Shuffle = 49,
    Seed = 50,
}

/// Why [`Optimizer::minimize`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// `MaxIter` updates were made.
    MaxIter,
    /// The gradient norm fell to `Gtol`.
    Gtol,
    /// The relative change of f fell to `Ftol`.
    Ftol,
    /// The relative step fell to `Xtol`.
    Xtol,
    /// A monitor asked to stop.
    User,
}

/// The result of a successful [`Optimizer::minimize`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    pub stop: Stop,
    /// Updates made by this call.
    pub iterations: usize,
}

/// The closure of an objective in one shape for plain objectives and finite sums:
/// (x, term indices, gradient to fill) -> f or an error message.
type BoxedFn<'a> = Box<dyn FnMut(&[f64], &[usize], &mut [f64]) -> Result<f64, String> + 'a>;

/// The Rust side of an objective: the closure, a gradient buffer for calls that want
/// only f, and what went wrong in the last call.
struct Callback<'a> {
    fun: BoxedFn<'a>,
    scratch: Vec<f64>,
    panic: Option<Box<dyn Any + Send>>,
    error: Option<String>,
}

impl<'a> Callback<'a> {
    /// Calls the closure, catching a panic; returns the C status.
    unsafe fn call(&mut self, x: &[f64], idx: &[usize], f: *mut f64, grad: *mut f64) -> c_int {
        let n = x.len();
        let fun = &mut self.fun;
        let scratch = &mut self.scratch;
        let result = catch_unwind(AssertUnwindSafe(|| {
            let grad: &mut [f64] = if grad.is_null() {
                &mut scratch[..]
            } else {
                std::slice::from_raw_parts_mut(grad, n)
            };
            fun(x, idx, grad)
        }));
        match result {
            Ok(Ok(value)) => {
                *f = value;
                0
            }
            Ok(Err(message)) => {
                self.error = Some(message);
                1
            }
            Err(payload) => {
                self.panic = Some(payload);
                1
            }
        }
    }

    fn take_failure(&mut self) -> Option<Error> {
        if let Some(payload) = self.panic.take() {
            return Some(Error::Panic(panic_message(payload)));
        }
        self.error.take().map(Error::Objective)
    }
}

unsafe extern "C" fn plain_trampoline(
    x: *const f64,
    n: usize,
    f: *mut f64,
    grad: *mut f64,
    user: *mut c_void,
) -> c_int {
    let callback = &mut *(user as *mut Callback);
    callback.call(std::slice::from_raw_parts(x, n), &[0], f, grad)
}

unsafe extern "C" fn batch_trampoline(
    x: *const f64,
    n: usize,
    idx: *const usize,
    count: usize,
    f: *mut f64,
    grad: *mut f64,
    user: *mut c_void,
) -> c_int {
    let callback = &mut *(user as *mut Callback);
    let idx = std::slice::from_raw_parts(idx, count);
    callback.call(std::slice::from_raw_parts(x, n), idx, f, grad)
}

/// A function to minimize: a closure or one of the bundled objectives.  The lifetime
/// is that of what the closure borrows.
pub struct Objective<'a> {
    raw: NonNull<sys::gd_objective>,
    n: usize,
    // From Box::into_raw, freed in Drop: C holds the same address as `user`, so the
    // Rust side also goes through this pointer (a live Box would claim unique access).
    callback: Option<NonNull<Callback<'a>>>,
    _borrows: PhantomData<&'a mut ()>,
}

impl<'a> Objective<'a> {
    /// An objective from `fun(x, grad) -> f`, which writes the n partial derivatives
    /// into `grad`.
    pub fn new<F>(n: usize, mut fun: F) -> Result<Self, Error>
    where
        F: FnMut(&[f64], &mut [f64]) -> f64 + 'a,
    {
        Self::with_callback(n, None, Box::new(move |x, _, g| Ok(fun(x, g))))
    }

    /// As [`Objective::new`], but the closure may fail: an `Err` stops the evaluation or
    /// run with [`Error::Objective`] carrying its message.
    pub fn try_new<F, E>(n: usize, mut fun: F) -> Result<Self, Error>
    where
        F: FnMut(&[f64], &mut [f64]) -> Result<f64, E> + 'a,
        E: fmt::Display,
    {
        Self::with_callback(
            n,
            None,
            Box::new(move |x, _, g| fun(x, g).map_err(|e| e.to_string())),
        )
    }

    /// A finite sum (1/m) sum_i f_i(x): `fun(x, idx, grad)` returns the mean of the
    /// terms in `idx` and writes the gradient of that mean, so that mini-batch
    /// optimizers (`Param::BatchSize` > 0) can draw terms.
    pub fn finite_sum<F>(n: usize, m: usize, mut fun: F) -> Result<Self, Error>
    where
        F: FnMut(&[f64], &[usize], &mut [f64]) -> f64 + 'a,
    {
        Self::with_callback(n, Some(m), Box::new(move |x, idx, g| Ok(fun(x, idx, g))))
    }

    fn with_callback(n: usize, terms: Option<usize>, fun: BoxedFn<'a>) -> Result<Self, Error> {
        if n == 0 || terms == Some(0) {
            return Err(Error::Invalid("Objective: n and m must be at least 1"));
        }
        let callback = NonNull::from(Box::leak(Box::new(Callback {
            fun,
            scratch: vec![0.0; n],
            panic: None,
            error: None,
        })));
        let user = callback.as_ptr() as *mut c_void;
        // SAFETY: the trampolines match the C prototypes; `user` outlives the handle
        // because both are dropped together by Objective's Drop, handle first.
        let raw = unsafe {
            match terms {
                None => sys::gd_objective_new(n, Some(plain_trampoline), user),
                Some(m) => sys::gd_objective_new_sum(n, m, Some(batch_trampoline), user),
            }
        };
        let raw = match NonNull::new(raw) {
            Some(raw) => raw,
            None => {
                // SAFETY: from Box::leak above, and C did not keep it.
                drop(unsafe { Box::from_raw(callback.as_ptr()) });
                return Err(Error::Invalid("gd_objective_new"));
            }
        };
        Ok(Objective {
            raw,
            n,
            callback: Some(callback),
            _borrows: PhantomData,
        })
    }

    fn from_raw(raw: *mut sys::gd_objective, what: &'static str) -> Result<Self, Error> {
        let raw = NonNull::new(raw).ok_or(Error::Invalid(what))?;
        // SAFETY: a valid handle.
        let n = unsafe { sys::gd_objective_dim(raw.as_ptr()) };
        Ok(Objective {
            raw,
            n,
            callback: None,
            _borrows: PhantomData,
        })
    }

    /// `scale * ||x - center||^2`; `center` None is the origin.
    pub fn quadratic(n: usize, center: Option<&[f64]>, scale: f64) -> Result<Self, Error> {
        if let Some(c) = center {
            check_len("center", n, c.len())?;
        }
        let c = center.map_or(ptr::null(), |c| c.as_ptr());
        // SAFETY: center is NULL or n values; the library copies them.
        Self::from_raw(
            unsafe { sys::gd_quadratic_new(n, c, scale) },
            "gd_quadratic_new",
        )
    }

    /// Least squares `(scale/m) sum_i (X_i . w + b - y_i)^2` over the m rows of the
    /// row-major `x` (m * p values); with `intercept`, b is the last of p + 1 parameters.
    pub fn least_squares(
        x: &[f64],
        y: &[f64],
        p: usize,
        scale: f64,
        intercept: bool,
    ) -> Result<Self, Error> {
        let m = y.len();
        check_len("x (rows * p)", m.saturating_mul(p), x.len())?;
        let flags = if intercept { sys::GD_LS_INTERCEPT } else { 0 };
        // SAFETY: x has m * p values and y has m; the library copies them.
        let raw = unsafe { sys::gd_least_squares_new(m, p, x.as_ptr(), y.as_ptr(), scale, flags) };
        Self::from_raw(raw, "gd_least_squares_new")
    }

    /// Geometric median `(1/m) sum_i w_i ||x - p_i||` of the m points of dimension `dim`
    /// in the row-major `points`; `weights` None weighs each point 1.
    pub fn geometric_median(
        points: &[f64],
        dim: usize,
        weights: Option<&[f64]>,
    ) -> Result<Self, Error> {
        if dim == 0 || points.len() % dim != 0 {
            return Err(Error::Invalid(
                "geometric_median: points.len() must be m * dim",
            ));
        }
        let m = points.len() / dim;
        if let Some(w) = weights {
            check_len("weights", m, w.len())?;
        }
        let w = weights.map_or(ptr::null(), |w| w.as_ptr());
        // SAFETY: sizes checked above; the library copies the arrays.
        let raw = unsafe { sys::gd_geometric_median_new(m, dim, points.as_ptr(), w) };
        Self::from_raw(raw, "gd_geometric_median_new")
    }

    /// Rosenbrock's function in n >= 2 dimensions; minimum 0 at (1, ..., 1).
    pub fn rosenbrock(n: usize) -> Result<Self, Error> {
        // SAFETY: plain value argument.
        Self::from_raw(unsafe { sys::gd_rosenbrock_new(n) }, "gd_rosenbrock_new")
    }

    /// Dimension of x.
    pub fn dim(&self) -> usize {
        self.n
    }

    /// Number of terms of a finite sum (1 for a plain objective).
    pub fn terms(&self) -> usize {
        // SAFETY: a valid handle.
        unsafe { sys::gd_objective_terms(self.raw.as_ptr()) }
    }

    /// Value at x over all terms, with the gradient written into `grad`.
    pub fn eval(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, Error> {
        check_len("x", self.n, x.len())?;
        check_len("grad", self.n, grad.len())?;
        let mut f = 0.0;
        // SAFETY: lengths checked; the handle is valid.
        let code = unsafe {
            sys::gd_objective_eval(self.raw.as_ptr(), x.as_ptr(), &mut f, grad.as_mut_ptr())
        };
        self.finish(code, "gd_objective_eval").map(|_| f)
    }

    /// Turns a status into a result, preferring what the closure reported.
    fn finish(&mut self, code: c_int, context: &'static str) -> Result<c_int, Error> {
        // SAFETY: no C call is running, so nothing else uses the callback now.
        let failure = self
            .callback
            .and_then(|c| unsafe { (*c.as_ptr()).take_failure() });
        if let Some(failure) = failure {
            return Err(failure);
        }
        check(code, context)
    }
}

impl Drop for Objective<'_> {
    fn drop(&mut self) {
        // SAFETY: the handle is valid and freed once, before the callback it points to.
        unsafe {
            sys::gd_objective_free(self.raw.as_ptr());
            if let Some(callback) = self.callback {
                drop(Box::from_raw(callback.as_ptr()));
            }
        }
    }
}

/// An optimizer: method, parameters and state for iterates of dimension n.
pub struct Optimizer {
    raw: NonNull<sys::gd_optimizer>,
    n: usize,
}

// SAFETY: the library keeps no thread-local or global state; a handle may move between
// threads as long as one thread at a time uses it, which &mut self guarantees.
unsafe impl Send for Optimizer {}

impl Optimizer {
    /// A new optimizer with the method's defaults (those of `torch.optim`).
    pub fn new(method: Method, n: usize) -> Result<Self, Error> {
        // SAFETY: plain value arguments.
        let raw = unsafe { sys::gd_optimizer_new(method.raw(), n) };
        let raw = NonNull::new(raw).ok_or(Error::Invalid("gd_optimizer_new"))?;
        Ok(Optimizer { raw, n })
    }

    /// Dimension of the iterates.
    pub fn dim(&self) -> usize {
        self.n
    }

    /// Sets a parameter; a key the method lacks or a value out of range is an
    /// `Error::Status` with `GD_EINVAL`, and the parameter keeps its value.
    pub fn set(&mut self, key: Param, value: f64) -> Result<&mut Self, Error> {
        // SAFETY: a valid handle.
        check(
            unsafe { sys::gd_optimizer_set(self.raw.as_ptr(), key as c_int, value) },
            "gd_optimizer_set",
        )?;
        Ok(self)
    }

    /// Sets a parameter by its name in the header ("lr", "beta1", "max_iter", ...).
    pub fn set_by_name(&mut self, name: &str, value: f64) -> Result<&mut Self, Error> {
        let name = CString::new(name).map_err(|_| Error::Status {
            code: sys::GD_EINVAL,
            context: "gd_optimizer_set_by_name",
        })?;
        // SAFETY: a valid handle and a NUL-terminated name.
        let code =
            unsafe { sys::gd_optimizer_set_by_name(self.raw.as_ptr(), name.as_ptr(), value) };
        check(code, "gd_optimizer_set_by_name")?;
        Ok(self)
    }

    /// The value of a parameter.
    pub fn get(&self, key: Param) -> Result<f64, Error> {
        let mut value = 0.0;
        // SAFETY: a valid handle.
        check(
            unsafe { sys::gd_optimizer_get(self.raw.as_ptr(), key as c_int, &mut value) },
            "gd_optimizer_get",
        )?;
        Ok(value)
    }

    /// Forgets moments, the iteration count and the sampler position.
    pub fn reset(&mut self) {
        // SAFETY: a valid handle; cannot fail for one.
        unsafe { sys::gd_optimizer_reset(self.raw.as_ptr()) };
    }

    /// Updates applied since creation or the last reset.
    pub fn iterations(&self) -> usize {
        // SAFETY: a valid handle.
        unsafe { sys::gd_optimizer_iterations(self.raw.as_ptr()) }
    }

    /// The instruction-set level of the update loops: "baseline", "avx2" or "avx512".
    pub fn isa(&self) -> &'static str {
        // SAFETY: a static NUL-terminated string for a valid handle.
        unsafe { CStr::from_ptr(sys::gd_optimizer_isa(self.raw.as_ptr())) }
            .to_str()
            .unwrap_or("unknown")
    }

    /// One update of x from a gradient you computed; never allocates.
    pub fn update(&mut self, x: &mut [f64], grad: &[f64]) -> Result<(), Error> {
        check_len("x", self.n, x.len())?;
        check_len("grad", self.n, grad.len())?;
        // SAFETY: lengths checked; distinct borrows cannot overlap.
        check(
            unsafe { sys::gd_optimizer_update(self.raw.as_ptr(), x.as_mut_ptr(), grad.as_ptr()) },
            "gd_optimizer_update",
        )?;
        Ok(())
    }

    /// Evaluates `objective` at x (a mini-batch when `BatchSize` > 0) and updates x;
    /// returns f at x before the update.
    pub fn step(&mut self, objective: &mut Objective, x: &mut [f64]) -> Result<f64, Error> {
        check_len("x", self.n, x.len())?;
        check_len("objective dimension", self.n, objective.n)?;
        let mut f = 0.0;
        // SAFETY: lengths checked; both handles valid.
        let code = unsafe {
            sys::gd_step(
                self.raw.as_ptr(),
                objective.raw.as_ptr(),
                x.as_mut_ptr(),
                &mut f,
            )
        };
        objective.finish(code, "gd_step").map(|_| f)
    }

    /// Runs updates until a stop criterion holds (`MaxIter`, `Gtol`, `Ftol`, `Xtol`),
    /// appending records to `trajectory` when given.  On an error from the closure or a
    /// divergence, x holds the last accepted iterate.
    pub fn minimize(
        &mut self,
        objective: &mut Objective,
        x: &mut [f64],
        trajectory: Option<&mut Trajectory>,
    ) -> Result<Outcome, Error> {
        self.run(objective, x, trajectory, None)
    }

    /// As [`Optimizer::minimize`], calling `monitor(iteration, x, f)` after every update
    /// (iterations count from 1 in this call); returning `true` stops the run with
    /// [`Stop::User`].  A panic in the monitor stops the run and becomes
    /// [`Error::Panic`].
    pub fn minimize_with<M>(
        &mut self,
        objective: &mut Objective,
        x: &mut [f64],
        trajectory: Option<&mut Trajectory>,
        mut monitor: M,
    ) -> Result<Outcome, Error>
    where
        M: FnMut(usize, &[f64], f64) -> bool,
    {
        let mut state = Monitor {
            fun: &mut monitor,
            panic: None,
        };
        self.run(objective, x, trajectory, Some(&mut state))
    }

    fn run(
        &mut self,
        objective: &mut Objective,
        x: &mut [f64],
        trajectory: Option<&mut Trajectory>,
        mut monitor: Option<&mut Monitor<'_>>,
    ) -> Result<Outcome, Error> {
        check_len("x", self.n, x.len())?;
        check_len("objective dimension", self.n, objective.n)?;
        let traj = match trajectory {
            Some(t) => {
                check_len("trajectory dimension", self.n, t.n)?;
                t.raw.as_ptr()
            }
            None => ptr::null_mut(),
        };
        let before = self.iterations();
        let (hook, user): (sys::gd_monitor_fn, *mut c_void) = match monitor.as_deref_mut() {
            Some(m) => (Some(monitor_trampoline), m as *mut Monitor as *mut c_void),
            None => (None, ptr::null_mut()),
        };
        // SAFETY: lengths checked; handles valid; the monitor outlives the call and is
        // removed before returning.
        let code = unsafe {
            sys::gd_optimizer_set_monitor(self.raw.as_ptr(), hook, user);
            let code = sys::gd_minimize(
                self.raw.as_ptr(),
                objective.raw.as_ptr(),
                x.as_mut_ptr(),
                traj,
            );
            sys::gd_optimizer_set_monitor(self.raw.as_ptr(), None, ptr::null_mut());
            code
        };
        if let Some(payload) = monitor.and_then(|m| m.panic.take()) {
            return Err(Error::Panic(panic_message(payload)));
        }
        let code = objective.finish(code, "gd_minimize")?;
        let stop = match code {
            sys::GD_STOP_GTOL => Stop::Gtol,
            sys::GD_STOP_FTOL => Stop::Ftol,
            sys::GD_STOP_XTOL => Stop::Xtol,
            sys::GD_STOP_USER => Stop::User,
            _ => Stop::MaxIter,
        };
        Ok(Outcome {
            stop,
            iterations: self.iterations() - before,
        })
    }
}

/// The Rust side of a monitor during one run.
struct Monitor<'m> {
    fun: &'m mut dyn FnMut(usize, &[f64], f64) -> bool,
    panic: Option<Box<dyn Any + Send>>,
}

unsafe extern "C" fn monitor_trampoline(
    iter: usize,
    x: *const f64,
    n: usize,
    f: f64,
    user: *mut c_void,
) -> c_int {
    let monitor = &mut *(user as *mut Monitor);
    let x = std::slice::from_raw_parts(x, n);
    let fun = &mut monitor.fun;
    match catch_unwind(AssertUnwindSafe(|| fun(iter, x, f))) {
        Ok(stop) => c_int::from(stop),
        Err(payload) => {
            monitor.panic = Some(payload);
            1
        }
    }
}

fn panic_message(payload: Box<dyn Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_owned()
    }
}

impl Drop for Optimizer {
    fn drop(&mut self) {
        // SAFETY: freed once.
        unsafe { sys::gd_optimizer_free(self.raw.as_ptr()) };
    }
}

/// Records of runs: iteration, f, gradient norm and optionally x.
pub struct Trajectory {
    raw: NonNull<sys::gd_trajectory>,
    n: usize,
}

// SAFETY: as for Optimizer.
unsafe impl Send for Trajectory {}

impl Trajectory {
    /// An empty trajectory for iterates of dimension n, storing x when `store_x`.
    pub fn new(n: usize, store_x: bool) -> Result<Self, Error> {
        let flags = if store_x { sys::GD_TRAJ_X } else { 0 };
        // SAFETY: plain value arguments.
        let raw = unsafe { sys::gd_trajectory_new(n, flags) };
        let raw = NonNull::new(raw).ok_or(Error::Invalid("gd_trajectory_new"))?;
        Ok(Trajectory { raw, n })
    }

    /// Keeps every k-th record of later runs (and their first and last).
    pub fn set_stride(&mut self, every: usize) -> Result<(), Error> {
        // SAFETY: a valid handle.
        check(
            unsafe { sys::gd_trajectory_set_stride(self.raw.as_ptr(), every) },
            "gd_trajectory_set_stride",
        )?;
        Ok(())
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        // SAFETY: a valid handle.
        unsafe { sys::gd_trajectory_len(self.raw.as_ptr()) }
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Iteration number of record i, or None past the end.
    pub fn iter(&self, i: usize) -> Option<usize> {
        // SAFETY: a valid handle; out of range gives SIZE_MAX.
        let k = unsafe { sys::gd_trajectory_iter(self.raw.as_ptr(), i) };
        if i < self.len() {
            Some(k)
        } else {
            None
        }
    }

    /// Objective values of all records (one bulk copy).
    pub fn f_values(&self) -> Vec<f64> {
        self.column(|out| (ptr::null_mut(), out, ptr::null_mut()))
    }

    /// Gradient norms of all records.
    pub fn grad_norms(&self) -> Vec<f64> {
        self.column(|out| (ptr::null_mut(), ptr::null_mut(), out))
    }

    fn column<F>(&self, pick: F) -> Vec<f64>
    where
        F: Fn(*mut f64) -> (*mut usize, *mut f64, *mut f64),
    {
        let len = self.len();
        let mut out = vec![0.0; len];
        let (iter, f, g) = pick(out.as_mut_ptr());
        // SAFETY: out has len values; the range is the whole trajectory.
        let code = unsafe {
            sys::gd_trajectory_copy(self.raw.as_ptr(), 0, len, iter, f, g, ptr::null_mut())
        };
        debug_assert_eq!(code, sys::GD_OK);
        out
    }

    /// Iterate of record i (when created with `store_x`), or None.
    pub fn x(&self, i: usize) -> Option<&[f64]> {
        // SAFETY: the pointer, when not NULL, has n values that live until the
        // trajectory is next changed, which needs &mut self.
        unsafe {
            let p = sys::gd_trajectory_x(self.raw.as_ptr(), i);
            if p.is_null() {
                None
            } else {
                Some(std::slice::from_raw_parts(p, self.n))
            }
        }
    }

    /// Removes every record.
    pub fn clear(&mut self) {
        // SAFETY: a valid handle.
        unsafe { sys::gd_trajectory_clear(self.raw.as_ptr()) };
    }
}

impl Drop for Trajectory {
    fn drop(&mut self) {
        // SAFETY: freed once.
        unsafe { sys::gd_trajectory_free(self.raw.as_ptr()) };
    }
}

impl fmt::Debug for Optimizer {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        out.debug_struct("Optimizer")
            .field("n", &self.n)
            .field("iterations", &self.iterations())
            .field("isa", &self.isa())
            .finish()
    }
}

impl fmt::Debug for Objective<'_> {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        out.debug_struct("Objective")
            .field("n", &self.n)
            .field("terms", &self.terms())
            .field("closure", &self.callback.is_some())
            .finish()
    }
}

impl fmt::Debug for Trajectory {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        out.debug_struct("Trajectory")
            .field("n", &self.n)
            .field("len", &self.len())
            .finish()
    }
}
