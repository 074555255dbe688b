//! Safe Rust interface to libgdescent: gradient-based minimization with the update rules
//! of PyTorch's `torch.optim` (SGD, Adam, AdamW, RMSprop, Adagrad), over `f64` slices.
//!
//! ```
//! use gdescent::{Method, Objective, Optimizer, Param, StopReason};
//!
//! // f(x) = (x0 - 3)^2 + (x1 + 1)^2, with its gradient written into `grad`.
//! let mut f = Objective::new(2, |x, grad| {
//!     grad[0] = 2.0 * (x[0] - 3.0);
//!     grad[1] = 2.0 * (x[1] + 1.0);
//!     (x[0] - 3.0).powi(2) + (x[1] + 1.0).powi(2)
//! })?;
//! let mut opt = Optimizer::new(Method::Adam, 2)?;
//! opt.set(Param::Lr, 0.1)?.set(Param::MaxIter, 2000.0)?.set(Param::Gtol, 1e-9)?;
//! let mut x = [0.0, 0.0];
//! let outcome = opt.minimize(&mut f, &mut x, None)?;
//! assert_eq!(outcome.stop, StopReason::Gtol);
//! assert!((x[0] - 3.0).abs() < 1e-6 && (x[1] + 1.0).abs() < 1e-6 && outcome.f < 1e-12);
//! # Ok::<(), gdescent::Error>(())
//! ```
//!
//! The crate has two layers: [`sys`], the C declarations one for one, and the safe types
//! [`Optimizer`], [`Objective`] and [`Trajectory`], which own their C handles and free
//! them in `Drop`.  Every fallible call returns `Result<_, Error>`, whose
//! [`Error::kind`] is the library's code as an [`ErrorKind`]; slice lengths are checked
//! before the library is called.  [`Optimizer::builder`] sets parameters in a chain.
//!
//! # Closures and panics
//!
//! An objective made from a closure owns the boxed closure for as long as its C handle
//! lives; the box's address is the callback's `user` pointer.  A panic inside the closure
//! (or inside a monitor of [`Optimizer::minimize_with`]) is caught at the C boundary with
//! `catch_unwind`, so it never unwinds through C: the callback returns non-zero, the
//! library stops the evaluation or run, and the call returns [`Error::Panic`] with the
//! panic's message.  The panic is not resumed.  (Built with `panic = "abort"`, a panic
//! aborts as usual.)
//!
//! # Threads
//!
//! The library has no global mutable state.  [`Optimizer`], [`Trajectory`] and
//! [`Objective`] are `Send` (an objective's closure must be `Send` for this), so a handle
//! may move to another thread; none is `Sync`, and the methods that change a handle
//! take `&mut self`, so one handle is never used from two threads at once.
//!
//! ```
//! fn movable<T: Send>() {}
//! movable::<gdescent::Optimizer>();
//! movable::<gdescent::Objective<'static>>();
//! movable::<gdescent::Trajectory>();
//! ```
#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

pub mod sys;

use std::any::Any;
use std::ffi::{CStr, CString};
use std::fmt;
use std::marker::PhantomData;
use std::os::raw::{c_char, c_int, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::ptr::{self, NonNull};

/// What went wrong.  [`Error::code`] gives the library's status code for every variant
/// and [`Error::kind`] the same as an [`ErrorKind`]; a saved state refused as not
/// libgd's, damaged, truncated or newer ([`Optimizer::load`]) is an [`Error::Status`]
/// with `GD_EFORMAT`, told apart by [`Error::is_format`] or
/// `kind() == ErrorKind::Format`.
///
/// The enum is `#[non_exhaustive]`: a `match` on it needs a `_` arm, so that later
/// versions may add variants.
///
/// ```
/// use gdescent::{ErrorKind, Method, Optimizer, Param};
///
/// let mut opt = Optimizer::new(Method::Sgd, 2)?;
/// let err = opt.set(Param::Lr, -1.0).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::InvalidArgument);
/// assert_eq!(err.code(), gdescent::sys::GD_EINVAL);
/// # Ok::<(), gdescent::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The library returned a negative status (`GD_EINVAL`, `GD_EDIVERGED`, ...).
    Status {
        /// The negative `GD_E*` code.
        code: i32,
        /// The C function that returned it.
        context: &'static str,
    },
    /// A slice had the wrong length; nothing was passed to the library.
    Length {
        /// Which argument.
        what: &'static str,
        /// The length it must have.
        expected: usize,
        /// The length it had.
        actual: usize,
    },
    /// A constructor refused its arguments (zero sizes, non-finite data, ...) or ran
    /// out of memory.  The string names the constructor.
    Invalid(&'static str),
    /// An objective closure or a monitor panicked; the panic's message.
    Panic(String),
    /// An objective closure returned an error; its message.
    Objective(String),
    /// [`OptimizerBuilder::build`] could not set a parameter: which one, on which
    /// elements, and the library's status.
    Parameter {
        /// The key the builder was setting.
        key: Param,
        /// `Some((first, count))` for [`OptimizerBuilder::range`], None for the whole
        /// vector.
        range: Option<(usize, usize)>,
        /// The negative `GD_E*` code.
        code: i32,
        /// The C function that returned it (`gd_optimizer_set`,
        /// `gd_optimizer_set_range`).
        context: &'static str,
    },
}

impl Error {
    /// The library's status code: the negative `GD_E*` value, `GD_ECALLBACK` for
    /// [`Error::Panic`] and [`Error::Objective`], `GD_EINVAL` for the others.
    pub fn code(&self) -> i32 {
        match self {
            Error::Status { code, .. } | Error::Parameter { code, .. } => *code,
            Error::Panic(_) | Error::Objective(_) => sys::GD_ECALLBACK,
            Error::Length { .. } | Error::Invalid(_) => sys::GD_EINVAL,
        }
    }

    /// The status code as an [`ErrorKind`]: `ErrorKind::from_code(self.code())`.
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::from_code(self.code())
    }

    /// Whether this is `GD_EFORMAT`: bytes given to [`Optimizer::load`] (or a file
    /// given to [`Optimizer::load_file`]) that are not a saved state, are damaged,
    /// truncated or of a newer format (1.1).
    pub fn is_format(&self) -> bool {
        self.code() == sys::GD_EFORMAT
    }
}

/// The library's error codes (`GD_E*` of `gdescent.h`), reached from an [`Error`] by
/// [`Error::kind`].  [`ErrorKind::from_code`] and [`ErrorKind::code`] convert both ways;
/// Display is the library's sentence (`gd_strerror`).
///
/// `#[non_exhaustive]`: a later library may add codes, which this version reads as
/// [`ErrorKind::Unknown`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `GD_EINVAL` (-1): a bad argument, a key the method lacks, a value out of range.
    InvalidArgument,
    /// `GD_ENOMEM` (-2): an allocation failed.
    OutOfMemory,
    /// `GD_ECALLBACK` (-3): the objective or monitor failed (a closure's `Err` or panic).
    Callback,
    /// `GD_EDIVERGED` (-4): f or the gradient became NaN or infinite.
    Diverged,
    /// `GD_EIO` (-5): a file could not be opened, read or written.
    Io,
    /// `GD_EFORMAT` (-6): a saved state that is not libgd's, damaged, truncated or newer.
    Format,
    /// `GD_EBUSY` (-7): the optimizer was used from inside a callback of its own run.
    Busy,
    /// Any other code (none that the linked library's header defines).
    Unknown(i32),
}

impl ErrorKind {
    /// Every known kind, in the order of the codes (-1, -2, ...); not
    /// [`ErrorKind::Unknown`].
    pub const ALL: [ErrorKind; 7] = [
        ErrorKind::InvalidArgument,
        ErrorKind::OutOfMemory,
        ErrorKind::Callback,
        ErrorKind::Diverged,
        ErrorKind::Io,
        ErrorKind::Format,
        ErrorKind::Busy,
    ];

    /// The kind of a status code: the named variant for every `GD_E*` code, otherwise
    /// `Unknown(code)` (also for `GD_OK` and the positive stop codes, which are not
    /// errors).
    pub fn from_code(code: i32) -> ErrorKind {
        match code {
            sys::GD_EINVAL => ErrorKind::InvalidArgument,
            sys::GD_ENOMEM => ErrorKind::OutOfMemory,
            sys::GD_ECALLBACK => ErrorKind::Callback,
            sys::GD_EDIVERGED => ErrorKind::Diverged,
            sys::GD_EIO => ErrorKind::Io,
            sys::GD_EFORMAT => ErrorKind::Format,
            sys::GD_EBUSY => ErrorKind::Busy,
            other => ErrorKind::Unknown(other),
        }
    }

    /// The `GD_E*` code; `Unknown(code)` gives `code` back.
    pub fn code(self) -> i32 {
        match self {
            ErrorKind::InvalidArgument => sys::GD_EINVAL,
            ErrorKind::OutOfMemory => sys::GD_ENOMEM,
            ErrorKind::Callback => sys::GD_ECALLBACK,
            ErrorKind::Diverged => sys::GD_EDIVERGED,
            ErrorKind::Io => sys::GD_EIO,
            ErrorKind::Format => sys::GD_EFORMAT,
            ErrorKind::Busy => sys::GD_EBUSY,
            ErrorKind::Unknown(code) => code,
        }
    }
}

impl From<ErrorKind> for i32 {
    fn from(kind: ErrorKind) -> i32 {
        kind.code()
    }
}

impl From<i32> for ErrorKind {
    fn from(code: i32) -> ErrorKind {
        ErrorKind::from_code(code)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        out.write_str(&strerror(self.code()))
    }
}

/// The library's English sentence for any status code (`gd_strerror`).
pub fn strerror(code: i32) -> String {
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
            Error::Panic(message) => write!(out, "objective or monitor panicked: {}", message),
            Error::Objective(message) => write!(out, "objective failed: {}", message),
            Error::Parameter {
                key,
                range,
                code,
                context,
            } => match range {
                None => write!(out, "{} {}: {}", context, key.name(), strerror(*code)),
                Some((first, count)) => write!(
                    out,
                    "{} {} of elements {}..{}: {}",
                    context,
                    key.name(),
                    first,
                    first.saturating_add(*count),
                    strerror(*code)
                ),
            },
        }
    }
}

impl std::error::Error for Error {}

/// The linked library's version string, for example "1.0.0".
pub fn version() -> String {
    // SAFETY: a static NUL-terminated string.
    unsafe { CStr::from_ptr(sys::gd_version_string()) }
        .to_string_lossy()
        .into_owned()
}

/// The linked library's version as `MAJOR*10000 + MINOR*100 + PATCH`.
pub fn version_number() -> u32 {
    // SAFETY: no arguments, no preconditions.
    unsafe { sys::gd_version() }
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

/// A C string for a name or path, or `GD_EINVAL` from `context` when it holds a NUL.
fn c_string(bytes: Vec<u8>, context: &'static str) -> Result<CString, Error> {
    CString::new(bytes).map_err(|_| Error::Status {
        code: sys::GD_EINVAL,
        context,
    })
}

/// A path as a C string: its bytes on Unix, its UTF-8 elsewhere; `GD_EINVAL` from
/// `context` for a NUL in it (or, off Unix, a path that is not UTF-8).
fn c_path(path: &Path, context: &'static str) -> Result<CString, Error> {
    #[cfg(unix)]
    let bytes = {
        use std::os::unix::ffi::OsStrExt;
        path.as_os_str().as_bytes().to_vec()
    };
    #[cfg(not(unix))]
    let bytes = match path.to_str() {
        Some(s) => s.as_bytes().to_vec(),
        None => {
            return Err(Error::Status {
                code: sys::GD_EINVAL,
                context,
            })
        }
    };
    c_string(bytes, context)
}

/// A static name the library returned (`gd_method_name`, `gd_param_name`); "" for NULL,
/// which a library that links with this crate never returns for the crate's values.
fn library_name(name: *const c_char) -> &'static str {
    if name.is_null() {
        return "";
    }
    // SAFETY: a non-NULL static NUL-terminated string, never freed.
    unsafe { CStr::from_ptr(name) }.to_str().unwrap_or("")
}

/// An update rule of `torch.optim` (`gd_method`).
///
/// `#[non_exhaustive]`: a later version may add variants, so a `match` outside the
/// crate needs a `_` arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// Gradient descent: momentum, dampening, Nesterov, weight decay (`GD_SGD`).
    Sgd,
    /// Adam with L2 weight decay and optional AMSGrad (`GD_ADAM`).
    Adam,
    /// Adam with decoupled weight decay (`GD_ADAMW`).
    AdamW,
    /// RMSprop, optionally centered and with momentum (`GD_RMSPROP`).
    RmsProp,
    /// Adagrad with learning-rate decay (`GD_ADAGRAD`).
    Adagrad,
    /// NAdam: Adam with Nesterov momentum (`GD_NADAM`, 1.1).
    NAdam,
    /// RAdam: Adam with the variance rectified (`GD_RADAM`, 1.1).
    RAdam,
    /// Adamax: Adam with the infinity norm (`GD_ADAMAX`, 1.1).
    Adamax,
    /// Adadelta (`GD_ADADELTA`, 1.1).
    Adadelta,
    /// Rprop: the sign of the gradient (`GD_RPROP`, 1.1).
    Rprop,
    /// ASGD: averaged SGD (`GD_ASGD`, 1.1).
    Asgd,
    /// Lion: the sign of an interpolated momentum (`GD_LION`, 1.1).
    Lion,
    /// L-BFGS as `torch.optim.LBFGS` (`GD_LBFGS`, 1.1): runs through
    /// [`Optimizer::minimize`] and steps only; `update` is refused with `GD_EINVAL`.
    LBfgs,
}

impl Method {
    /// Every method, in the header's order.
    pub const ALL: [Method; 13] = [
        Method::Sgd,
        Method::Adam,
        Method::AdamW,
        Method::RmsProp,
        Method::Adagrad,
        Method::NAdam,
        Method::RAdam,
        Method::Adamax,
        Method::Adadelta,
        Method::Rprop,
        Method::Asgd,
        Method::Lion,
        Method::LBfgs,
    ];

    /// The C enumerator.
    pub fn raw(self) -> sys::gd_method {
        match self {
            Method::Sgd => sys::GD_SGD,
            Method::Adam => sys::GD_ADAM,
            Method::AdamW => sys::GD_ADAMW,
            Method::RmsProp => sys::GD_RMSPROP,
            Method::Adagrad => sys::GD_ADAGRAD,
            Method::NAdam => sys::GD_NADAM,
            Method::RAdam => sys::GD_RADAM,
            Method::Adamax => sys::GD_ADAMAX,
            Method::Adadelta => sys::GD_ADADELTA,
            Method::Rprop => sys::GD_RPROP,
            Method::Asgd => sys::GD_ASGD,
            Method::Lion => sys::GD_LION,
            Method::LBfgs => sys::GD_LBFGS,
        }
    }

    /// The name [`Method::by_name`] accepts ("sgd", "adam", "nadam", "lion", ...), as the
    /// linked library gives it (`gd_method_name`).
    pub fn name(self) -> &'static str {
        // SAFETY: gd_method_name takes any value and returns NULL or a static string.
        library_name(unsafe { sys::gd_method_name(self.raw()) })
    }

    /// The method of a name, as the library reads it (`gd_method_by_name`: the enum
    /// name lower-cased without `GD_`, case-sensitive); an unknown name is `GD_EINVAL`.
    pub fn by_name(name: &str) -> Result<Method, Error> {
        let context = "gd_method_by_name";
        let name = c_string(name.as_bytes().to_vec(), context)?;
        let mut raw: sys::gd_method = -1;
        // SAFETY: a NUL-terminated name and a valid place for the result, which the
        // library writes only on success.
        check(
            unsafe { sys::gd_method_by_name(name.as_ptr(), &mut raw) },
            context,
        )?;
        Method::ALL
            .iter()
            .copied()
            .find(|m| m.raw() == raw)
            .ok_or(Error::Status {
                code: sys::GD_EINVAL,
                context,
            })
    }
}

/// Parameter keys (`gd_param`); see `gdescent.h` for ranges and defaults.  Booleans
/// are 0.0 or 1.0, counts whole numbers.  A key the optimizer's method does not use is
/// refused with `GD_EINVAL`.
///
/// `#[non_exhaustive]`: a later version may add variants, so a `match` outside the
/// crate needs a `_` arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Param {
    /// Learning rate, >= 0; default 0.01 (SGD, RMSprop, Adagrad) or 0.001 (Adam, AdamW).
    Lr = sys::GD_PARAM_LR as isize,
    /// Momentum factor in [0, 1); default 0 (SGD, RMSprop).
    Momentum = sys::GD_PARAM_MOMENTUM as isize,
    /// Dampening of momentum in [0, 1]; default 0 (SGD).
    Dampening = sys::GD_PARAM_DAMPENING as isize,
    /// Boolean, Nesterov momentum (SGD); needs momentum > 0 and dampening 0.
    Nesterov = sys::GD_PARAM_NESTEROV as isize,
    /// Weight decay, >= 0; default 0, AdamW 0.01.
    WeightDecay = sys::GD_PARAM_WEIGHT_DECAY as isize,
    /// First-moment decay in [0, 1); default 0.9 (Adam, AdamW).
    Beta1 = sys::GD_PARAM_BETA1 as isize,
    /// Second-moment decay in [0, 1); default 0.999 (Adam, AdamW).
    Beta2 = sys::GD_PARAM_BETA2 as isize,
    /// Denominator term, >= 0; default 1e-8 (Adam, AdamW, RMSprop) or 1e-10 (Adagrad).
    Eps = sys::GD_PARAM_EPS as isize,
    /// Boolean, AMSGrad (Adam, AdamW).
    Amsgrad = sys::GD_PARAM_AMSGRAD as isize,
    /// Smoothing constant in [0, 1); default 0.99 (RMSprop).
    Alpha = sys::GD_PARAM_ALPHA as isize,
    /// Boolean, centered RMSprop.
    Centered = sys::GD_PARAM_CENTERED as isize,
    /// Learning-rate decay, >= 0 (Adagrad).
    LrDecay = sys::GD_PARAM_LR_DECAY as isize,
    /// Initial accumulator, >= 0 (Adagrad); read at the first update after creation or
    /// reset.
    InitialAccumulator = sys::GD_PARAM_INITIAL_ACCUMULATOR as isize,
    /// Boolean: ascend instead of descend (all methods).
    Maximize = sys::GD_PARAM_MAXIMIZE as isize,
    /// NAdam's momentum decay, >= 0; default 4e-3.
    MomentumDecay = sys::GD_PARAM_MOMENTUM_DECAY as isize,
    /// Adadelta's decay of the running averages in [0, 1]; default 0.9.
    Rho = sys::GD_PARAM_RHO as isize,
    /// Rprop's factor when the gradient changes sign, in (0, 1); default 0.5.
    EtaMinus = sys::GD_PARAM_ETA_MINUS as isize,
    /// Rprop's factor while the gradient keeps its sign, > 1; default 1.2.
    EtaPlus = sys::GD_PARAM_ETA_PLUS as isize,
    /// Rprop's smallest step, >= 0; default 1e-6.
    StepMin = sys::GD_PARAM_STEP_MIN as isize,
    /// Rprop's largest step, >= 0; default 50.
    StepMax = sys::GD_PARAM_STEP_MAX as isize,
    /// ASGD's decay term, >= 0; default 1e-4.
    Lambd = sys::GD_PARAM_LAMBD as isize,
    /// ASGD's step from which it averages, >= 0; default 1e6.
    T0 = sys::GD_PARAM_T0 as isize,
    /// Boolean: NAdam and RAdam decay x first instead of adding the L2 term.
    DecoupledWeightDecay = sys::GD_PARAM_DECOUPLED_WEIGHT_DECAY as isize,
    /// L-BFGS's number of curvature pairs kept, >= 1; default 100.
    HistorySize = sys::GD_PARAM_HISTORY_SIZE as isize,
    /// L-BFGS's and SGD's line search: `GD_LINE_SEARCH_NONE` (default), `_STRONG_WOLFE`
    /// (L-BFGS only) or `_BACKTRACKING`.
    LineSearch = sys::GD_PARAM_LINE_SEARCH as isize,
    /// L-BFGS stops when max |g_i| is at or below this; default 1e-7.
    ToleranceGrad = sys::GD_PARAM_TOLERANCE_GRAD as isize,
    /// L-BFGS stops on a step or change of f below this; default 1e-9.
    ToleranceChange = sys::GD_PARAM_TOLERANCE_CHANGE as isize,
    /// Updates per [`Optimizer::minimize`] call; default 1000.
    MaxIter = sys::GD_PARAM_MAX_ITER as isize,
    /// Stop when the gradient norm is at or below this; 0 (default) is off.
    Gtol = sys::GD_PARAM_GTOL as isize,
    /// Stop when the relative change of f is at or below this; 0 (default) is off.
    Ftol = sys::GD_PARAM_FTOL as isize,
    /// Stop when the relative step is at or below this; 0 (default) is off.
    Xtol = sys::GD_PARAM_XTOL as isize,
    /// Evaluations per [`Optimizer::minimize`] call; 0 (default) is no limit, except
    /// for L-BFGS (max_iter * 5 / 4, as torch).
    MaxEval = sys::GD_PARAM_MAX_EVAL as isize,
    /// [`Optimizer::minimize`] steps the schedules every this many updates; 0
    /// (default) leaves it to the caller.
    ScheduleEvery = sys::GD_PARAM_SCHEDULE_EVERY as isize,
    /// Clip the gradient by its 2-norm (torch's `clip_grad_norm_`); 0 (default) is off.
    ClipNorm = sys::GD_PARAM_CLIP_NORM as isize,
    /// Clamp the gradient's elements (torch's `clip_grad_value_`); 0 (default) is off.
    ClipValue = sys::GD_PARAM_CLIP_VALUE as isize,
    /// Terms per step of a finite sum; 0 (default) is the whole sum.
    BatchSize = sys::GD_PARAM_BATCH_SIZE as isize,
    /// Boolean: reshuffle the terms every epoch (default 1).
    Shuffle = sys::GD_PARAM_SHUFFLE as isize,
    /// Seed of the shuffle, a whole number in [0, 2^53]; default 0.
    Seed = sys::GD_PARAM_SEED as isize,
}

impl Param {
    /// Every key, in the header's order.
    pub const ALL: [Param; 38] = [
        Param::Lr,
        Param::Momentum,
        Param::Dampening,
        Param::Nesterov,
        Param::WeightDecay,
        Param::Beta1,
        Param::Beta2,
        Param::Eps,
        Param::Amsgrad,
        Param::Alpha,
        Param::Centered,
        Param::LrDecay,
        Param::InitialAccumulator,
        Param::Maximize,
        Param::MomentumDecay,
        Param::Rho,
        Param::EtaMinus,
        Param::EtaPlus,
        Param::StepMin,
        Param::StepMax,
        Param::Lambd,
        Param::T0,
        Param::DecoupledWeightDecay,
        Param::HistorySize,
        Param::LineSearch,
        Param::ToleranceGrad,
        Param::ToleranceChange,
        Param::MaxIter,
        Param::Gtol,
        Param::Ftol,
        Param::Xtol,
        Param::MaxEval,
        Param::ScheduleEvery,
        Param::ClipNorm,
        Param::ClipValue,
        Param::BatchSize,
        Param::Shuffle,
        Param::Seed,
    ];

    /// The C enumerator (the discriminants are the `sys` constants, which
    /// `tests/header.rs` checks against the header).
    pub fn raw(self) -> sys::gd_param {
        self as sys::gd_param
    }

    /// The name [`Optimizer::set_by_name`] accepts: the enumerator's name lower-cased
    /// without `GD_PARAM_`, for example "lr", "beta1", "max_iter", as the linked library
    /// gives it (`gd_param_name`).
    pub fn name(self) -> &'static str {
        // SAFETY: gd_param_name takes any value and returns NULL or a static string.
        library_name(unsafe { sys::gd_param_name(self.raw()) })
    }

    /// The key of a name, the inverse of [`Param::name`], as the library reads it
    /// (`gd_param_by_name`: exact and case-sensitive); None for any other name.
    pub fn by_name(name: &str) -> Option<Param> {
        let name = CString::new(name).ok()?;
        let mut raw: sys::gd_param = -1;
        // SAFETY: a NUL-terminated name and a valid place for the key, which the
        // library writes only on success.
        if unsafe { sys::gd_param_by_name(name.as_ptr(), &mut raw) } != sys::GD_OK {
            return None;
        }
        Param::ALL.iter().copied().find(|p| p.raw() == raw)
    }
}

/// A scheduler of `torch.optim.lr_scheduler` (`gd_schedule_kind`, 1.1); see
/// `gdescent.h` for each one's options and defaults.
///
/// `#[non_exhaustive]`: a later version may add variants, so a `match` outside the
/// crate needs a `_` arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ScheduleKind {
    /// StepLR: multiplied by gamma every step_size epochs (`GD_SCHEDULE_STEP`).
    Step = sys::GD_SCHEDULE_STEP as isize,
    /// MultiStepLR: multiplied by gamma at each milestone (`GD_SCHEDULE_MULTISTEP`).
    MultiStep = sys::GD_SCHEDULE_MULTISTEP as isize,
    /// ExponentialLR: multiplied by gamma every epoch (`GD_SCHEDULE_EXPONENTIAL`).
    Exponential = sys::GD_SCHEDULE_EXPONENTIAL as isize,
    /// CosineAnnealingLR over T_max epochs down to eta_min (`GD_SCHEDULE_COSINE`).
    Cosine = sys::GD_SCHEDULE_COSINE as isize,
    /// CosineAnnealingWarmRestarts: periods T_0, T_0 T_mult, ...
    /// (`GD_SCHEDULE_COSINE_RESTARTS`).
    CosineRestarts = sys::GD_SCHEDULE_COSINE_RESTARTS as isize,
    /// LinearLR: the factor from start_factor to end_factor over total_iters epochs
    /// (`GD_SCHEDULE_LINEAR`).
    Linear = sys::GD_SCHEDULE_LINEAR as isize,
    /// ConstantLR: multiplied by factor until total_iters (`GD_SCHEDULE_CONSTANT`).
    Constant = sys::GD_SCHEDULE_CONSTANT as isize,
    /// PolynomialLR: lr_0 (1 - e/total_iters)^power (`GD_SCHEDULE_POLYNOMIAL`).
    Polynomial = sys::GD_SCHEDULE_POLYNOMIAL as isize,
    /// OneCycleLR, cycling the momentum or beta1 too (`GD_SCHEDULE_ONE_CYCLE`); a step
    /// past total_steps is `GD_EINVAL`.
    OneCycle = sys::GD_SCHEDULE_ONE_CYCLE as isize,
    /// CyclicLR between base_lr and max_lr (`GD_SCHEDULE_CYCLIC`).
    Cyclic = sys::GD_SCHEDULE_CYCLIC as isize,
    /// ReduceLROnPlateau, judging the metric of [`Optimizer::schedule_step`]
    /// (`GD_SCHEDULE_PLATEAU`).
    Plateau = sys::GD_SCHEDULE_PLATEAU as isize,
    /// LambdaLR: lr_0 * lambda(e), the function set by [`Schedule::set_lambda`]
    /// (`GD_SCHEDULE_LAMBDA`).
    Lambda = sys::GD_SCHEDULE_LAMBDA as isize,
    /// MultiplicativeLR: multiplied by lambda(e) every epoch (`GD_SCHEDULE_MULTIPLICATIVE`).
    Multiplicative = sys::GD_SCHEDULE_MULTIPLICATIVE as isize,
    /// SequentialLR: the children of [`Schedule::append`] in turn, switching at the
    /// milestones (`GD_SCHEDULE_SEQUENTIAL`).
    Sequential = sys::GD_SCHEDULE_SEQUENTIAL as isize,
}

impl ScheduleKind {
    /// Every kind, in the header's order.
    pub const ALL: [ScheduleKind; 14] = [
        ScheduleKind::Step,
        ScheduleKind::MultiStep,
        ScheduleKind::Exponential,
        ScheduleKind::Cosine,
        ScheduleKind::CosineRestarts,
        ScheduleKind::Linear,
        ScheduleKind::Constant,
        ScheduleKind::Polynomial,
        ScheduleKind::OneCycle,
        ScheduleKind::Cyclic,
        ScheduleKind::Plateau,
        ScheduleKind::Lambda,
        ScheduleKind::Multiplicative,
        ScheduleKind::Sequential,
    ];

    /// The C enumerator.
    pub fn raw(self) -> sys::gd_schedule_kind {
        self as sys::gd_schedule_kind
    }
}

/// Options of the schedules (`gd_schedule_param`, 1.1): torch's argument names, with
/// torch's defaults; see `gdescent.h` for which kinds take which and their ranges.
/// Counts are whole numbers, booleans 0.0 or 1.0.  A key the kind does not take is
/// refused with `GD_EINVAL`.
///
/// `#[non_exhaustive]`: a later version may add variants, so a `match` outside the
/// crate needs a `_` arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ScheduleParam {
    /// The factor of Step, MultiStep, Exponential, Cyclic (exp_range); >= 0.
    Gamma = sys::GD_SCHEDULE_PARAM_GAMMA as isize,
    /// Step's period, count >= 1.
    StepSize = sys::GD_SCHEDULE_PARAM_STEP_SIZE as isize,
    /// Cosine's half period, count >= 1.
    TMax = sys::GD_SCHEDULE_PARAM_T_MAX as isize,
    /// Cosine's and CosineRestarts' lowest rate; >= 0.
    EtaMin = sys::GD_SCHEDULE_PARAM_ETA_MIN as isize,
    /// CosineRestarts' first period, count >= 1.
    T0 = sys::GD_SCHEDULE_PARAM_T_0 as isize,
    /// CosineRestarts' growth of the period, count >= 1.
    TMult = sys::GD_SCHEDULE_PARAM_T_MULT as isize,
    /// Linear's factor at epoch 0, in (0, 1].
    StartFactor = sys::GD_SCHEDULE_PARAM_START_FACTOR as isize,
    /// Linear's factor from total_iters on, in [0, 1].
    EndFactor = sys::GD_SCHEDULE_PARAM_END_FACTOR as isize,
    /// The epochs of Linear's, Constant's and Polynomial's change.
    TotalIters = sys::GD_SCHEDULE_PARAM_TOTAL_ITERS as isize,
    /// Constant's factor in (0, 1]; Plateau's reduction in [0, 1).
    Factor = sys::GD_SCHEDULE_PARAM_FACTOR as isize,
    /// Polynomial's power, >= 0.
    Power = sys::GD_SCHEDULE_PARAM_POWER as isize,
    /// OneCycle's and Cyclic's highest rate, >= 0.
    MaxLr = sys::GD_SCHEDULE_PARAM_MAX_LR as isize,
    /// OneCycle's steps, count >= 1.
    TotalSteps = sys::GD_SCHEDULE_PARAM_TOTAL_STEPS as isize,
    /// OneCycle's fraction of increasing steps, in [0, 1].
    PctStart = sys::GD_SCHEDULE_PARAM_PCT_START as isize,
    /// OneCycle's boolean: 1 for anneal_strategy "linear", 0 for "cos".
    AnnealLinear = sys::GD_SCHEDULE_PARAM_ANNEAL_LINEAR as isize,
    /// OneCycle's initial rate is max_lr / div_factor; > 0.
    DivFactor = sys::GD_SCHEDULE_PARAM_DIV_FACTOR as isize,
    /// OneCycle's final rate is the initial one / final_div_factor; > 0.
    FinalDivFactor = sys::GD_SCHEDULE_PARAM_FINAL_DIV_FACTOR as isize,
    /// OneCycle's boolean: three phases.
    ThreePhase = sys::GD_SCHEDULE_PARAM_THREE_PHASE as isize,
    /// Cyclic's lowest rate, >= 0.
    BaseLr = sys::GD_SCHEDULE_PARAM_BASE_LR as isize,
    /// Cyclic's steps up, > 0.
    StepSizeUp = sys::GD_SCHEDULE_PARAM_STEP_SIZE_UP as isize,
    /// Cyclic's steps down, >= 0, or NaN (torch's None) for step_size_up.
    StepSizeDown = sys::GD_SCHEDULE_PARAM_STEP_SIZE_DOWN as isize,
    /// Cyclic: 0 triangular, 1 triangular2, 2 exp_range; Plateau: 0 min, 1 max.
    Mode = sys::GD_SCHEDULE_PARAM_MODE as isize,
    /// Plateau's steps without improvement tolerated, count.
    Patience = sys::GD_SCHEDULE_PARAM_PATIENCE as isize,
    /// Plateau's improvement that counts, >= 0.
    Threshold = sys::GD_SCHEDULE_PARAM_THRESHOLD as isize,
    /// Plateau's boolean: threshold_mode "abs" instead of "rel".
    ThresholdAbs = sys::GD_SCHEDULE_PARAM_THRESHOLD_ABS as isize,
    /// Plateau's steps after a reduction in which none counts, count.
    Cooldown = sys::GD_SCHEDULE_PARAM_COOLDOWN as isize,
    /// Plateau's lowest rate, >= 0.
    MinLr = sys::GD_SCHEDULE_PARAM_MIN_LR as isize,
    /// Plateau skips a reduction smaller than this, >= 0.
    Eps = sys::GD_SCHEDULE_PARAM_EPS as isize,
    /// OneCycle's and Cyclic's boolean: cycle the momentum (or beta1).
    CycleMomentum = sys::GD_SCHEDULE_PARAM_CYCLE_MOMENTUM as isize,
    /// The momentum at the highest rate, in [0, 1).
    BaseMomentum = sys::GD_SCHEDULE_PARAM_BASE_MOMENTUM as isize,
    /// The momentum at the lowest rate, in [0, 1).
    MaxMomentum = sys::GD_SCHEDULE_PARAM_MAX_MOMENTUM as isize,
}

impl ScheduleParam {
    /// Every key, in the header's order.
    pub const ALL: [ScheduleParam; 31] = [
        ScheduleParam::Gamma,
        ScheduleParam::StepSize,
        ScheduleParam::TMax,
        ScheduleParam::EtaMin,
        ScheduleParam::T0,
        ScheduleParam::TMult,
        ScheduleParam::StartFactor,
        ScheduleParam::EndFactor,
        ScheduleParam::TotalIters,
        ScheduleParam::Factor,
        ScheduleParam::Power,
        ScheduleParam::MaxLr,
        ScheduleParam::TotalSteps,
        ScheduleParam::PctStart,
        ScheduleParam::AnnealLinear,
        ScheduleParam::DivFactor,
        ScheduleParam::FinalDivFactor,
        ScheduleParam::ThreePhase,
        ScheduleParam::BaseLr,
        ScheduleParam::StepSizeUp,
        ScheduleParam::StepSizeDown,
        ScheduleParam::Mode,
        ScheduleParam::Patience,
        ScheduleParam::Threshold,
        ScheduleParam::ThresholdAbs,
        ScheduleParam::Cooldown,
        ScheduleParam::MinLr,
        ScheduleParam::Eps,
        ScheduleParam::CycleMomentum,
        ScheduleParam::BaseMomentum,
        ScheduleParam::MaxMomentum,
    ];

    /// The C enumerator.
    pub fn raw(self) -> sys::gd_schedule_param {
        self as sys::gd_schedule_param
    }
}

/// LambdaLR's and MultiplicativeLR's factor function for [`Schedule::set_lambda`]: the
/// schedule's epoch and the user pointer.
pub type LrLambdaFn = unsafe extern "C" fn(epoch: usize, user: *mut c_void) -> f64;

/// A learning-rate schedule description (1.1): a kind with its options, milestones,
/// factor function or children.  [`Optimizer::add_schedule`] copies it onto an
/// optimizer, as constructing the torch scheduler does; the description stays the
/// caller's, and changing or dropping it later does not affect the optimizer.
///
/// ```
/// use gdescent::{Method, Optimizer, Param, Schedule, ScheduleKind, ScheduleParam};
///
/// let mut opt = Optimizer::new(Method::Sgd, 2)?;
/// opt.set(Param::Lr, 0.5)?;
/// let mut step = Schedule::new(ScheduleKind::Step)?;
/// step.set(ScheduleParam::StepSize, 2.0)?.set(ScheduleParam::Gamma, 0.5)?;
/// opt.add_schedule(&step)?;
/// opt.schedule_step(None)?;
/// opt.schedule_step(None)?;
/// assert_eq!(opt.get(Param::Lr)?, 0.25);
/// # Ok::<(), gdescent::Error>(())
/// ```
///
/// Lambda kinds take a C function and a pointer ([`Schedule::set_lambda`], unsafe):
/// the crate does not wrap closures for them, since the optimizer's copy would have to
/// keep the closure alive and the library offers no way to hand it over.
pub struct Schedule {
    raw: NonNull<sys::gd_schedule>,
    kind: ScheduleKind,
}

// SAFETY: a description is plain data without thread affinity; the only pointer it may
// carry is set_lambda's, whose contract covers the threads it is used from.  Not Sync:
// the changing methods take &mut self.
unsafe impl Send for Schedule {}

impl Schedule {
    /// A description of a kind with torch's defaults; required options (StepLR's
    /// step_size, CosineAnnealingLR's T_max, OneCycleLR's max_lr and total_steps, ...)
    /// read as NaN until set.
    pub fn new(kind: ScheduleKind) -> Result<Self, Error> {
        // SAFETY: a plain value argument.
        let raw = unsafe { sys::gd_schedule_new(kind.raw()) };
        let raw = NonNull::new(raw).ok_or(Error::Invalid("gd_schedule_new"))?;
        Ok(Schedule { raw, kind })
    }

    /// The kind.
    pub fn kind(&self) -> ScheduleKind {
        self.kind
    }

    /// The raw handle, for calls through [`sys`]; it stays owned by `self`.
    pub fn as_raw(&mut self) -> *mut sys::gd_schedule {
        self.raw.as_ptr()
    }

    /// Sets an option; a key the kind does not take or a value out of range is
    /// `GD_EINVAL`, and nothing changes.  Returns `self` so that calls chain.
    pub fn set(&mut self, key: ScheduleParam, value: f64) -> Result<&mut Self, Error> {
        // SAFETY: a valid handle.
        check(
            unsafe { sys::gd_schedule_set(self.raw.as_ptr(), key.raw(), value) },
            "gd_schedule_set",
        )?;
        Ok(self)
    }

    /// The value of an option (NaN for a required one not set, and for
    /// [`ScheduleParam::StepSizeDown`] unset); a key the kind does not take is
    /// `GD_EINVAL`.
    pub fn get(&self, key: ScheduleParam) -> Result<f64, Error> {
        let mut value = 0.0;
        // SAFETY: a valid handle and a valid place for the value.
        check(
            unsafe { sys::gd_schedule_get(self.raw.as_ptr(), key.raw(), &mut value) },
            "gd_schedule_get",
        )?;
        Ok(value)
    }

    /// MultiStep's milestones (any order, repeats allowed) or Sequential's switch
    /// points (non-decreasing, one fewer than its children); copied; empty removes
    /// them.  Another kind, or unsorted switch points, is `GD_EINVAL`.
    pub fn milestones(&mut self, milestones: &[usize]) -> Result<&mut Self, Error> {
        let points = if milestones.is_empty() {
            ptr::null()
        } else {
            milestones.as_ptr()
        };
        // SAFETY: a valid handle and milestones.len() values (or NULL for none), copied.
        check(
            unsafe { sys::gd_schedule_set_milestones(self.raw.as_ptr(), points, milestones.len()) },
            "gd_schedule_set_milestones",
        )?;
        Ok(self)
    }

    /// Appends a copy of `child` to a Sequential schedule; a Sequential or Plateau
    /// child, or a `self` of another kind, is `GD_EINVAL`.  The child's options are
    /// checked when the sequential schedule is added.
    pub fn append(&mut self, child: &Schedule) -> Result<&mut Self, Error> {
        // SAFETY: two valid handles; the library copies the child.
        check(
            unsafe { sys::gd_schedule_append(self.raw.as_ptr(), child.raw.as_ptr()) },
            "gd_schedule_append",
        )?;
        Ok(self)
    }

    /// Sets the factor function of a Lambda or Multiplicative schedule (required before
    /// it is added); another kind is `GD_EINVAL`.
    ///
    /// # Safety
    /// `f` is called with `user` at every step of every optimizer this description is
    /// added to (once per parameter range), until those optimizers drop or clear their
    /// schedules: `user` must stay valid that long and be usable from the thread that
    /// steps them ([`Optimizer`] is `Send`).  `f` must not unwind (a panic in an
    /// `extern "C"` function aborts) and may read the optimizer but must not add,
    /// clear or step its schedules, nor change it.
    pub unsafe fn set_lambda(
        &mut self,
        f: LrLambdaFn,
        user: *mut c_void,
    ) -> Result<&mut Self, Error> {
        // SAFETY: a valid handle; the caller vouches for f and user.
        check(
            unsafe { sys::gd_schedule_set_lambda(self.raw.as_ptr(), Some(f), user) },
            "gd_schedule_set_lambda",
        )?;
        Ok(self)
    }
}

impl Drop for Schedule {
    fn drop(&mut self) {
        // SAFETY: freed once; optimizers hold their own copies.
        unsafe { sys::gd_schedule_free(self.raw.as_ptr()) };
    }
}

impl fmt::Debug for Schedule {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        out.debug_struct("Schedule")
            .field("kind", &self.kind)
            .finish()
    }
}

/// Why [`Optimizer::minimize`] stopped (the positive `GD_STOP_*` codes).
///
/// `#[non_exhaustive]`: a later version may add variants, so a `match` outside the
/// crate needs a `_` arm.
///
/// ```compile_fail
/// use gdescent::StopReason;
/// // Every variant, but no `_` arm: refused outside the crate.
/// fn name(stop: StopReason) -> &'static str {
///     match stop {
///         StopReason::MaxIter => "max_iter",
///         StopReason::Gtol => "gtol",
///         StopReason::Ftol => "ftol",
///         StopReason::Xtol => "xtol",
///         StopReason::User => "user",
///         StopReason::MaxEval => "max_eval",
///     }
/// }
/// ```
///
/// ```
/// use gdescent::StopReason;
/// fn name(stop: StopReason) -> &'static str {
///     match stop {
///         StopReason::MaxIter => "max_iter",
///         StopReason::Gtol => "gtol",
///         _ => "another",
///     }
/// }
/// assert_eq!(name(StopReason::User), "another");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StopReason {
    /// [`Param::MaxIter`] updates were made (`GD_STOP_MAXITER`).
    MaxIter,
    /// The gradient norm fell to [`Param::Gtol`] (`GD_STOP_GTOL`).
    Gtol,
    /// The relative change of f fell to [`Param::Ftol`] (`GD_STOP_FTOL`).
    Ftol,
    /// The relative step fell to [`Param::Xtol`] (`GD_STOP_XTOL`).
    Xtol,
    /// The monitor of [`Optimizer::minimize_with`] asked to stop (`GD_STOP_USER`).
    User,
    /// The evaluation budget [`Param::MaxEval`] is spent (`GD_STOP_MAXEVAL`).
    MaxEval,
}

/// The earlier name of [`StopReason`]; `Stop::User` and the like still work.
pub type Stop = StopReason;

impl StopReason {
    /// The reason of a positive `GD_STOP_*` code, or None for any other code.
    pub fn from_code(code: i32) -> Option<StopReason> {
        match code {
            sys::GD_STOP_MAXITER => Some(StopReason::MaxIter),
            sys::GD_STOP_GTOL => Some(StopReason::Gtol),
            sys::GD_STOP_FTOL => Some(StopReason::Ftol),
            sys::GD_STOP_XTOL => Some(StopReason::Xtol),
            sys::GD_STOP_USER => Some(StopReason::User),
            sys::GD_STOP_MAXEVAL => Some(StopReason::MaxEval),
            _ => None,
        }
    }

    /// The `GD_STOP_*` code.
    pub fn code(self) -> i32 {
        match self {
            StopReason::MaxIter => sys::GD_STOP_MAXITER,
            StopReason::Gtol => sys::GD_STOP_GTOL,
            StopReason::Ftol => sys::GD_STOP_FTOL,
            StopReason::Xtol => sys::GD_STOP_XTOL,
            StopReason::User => sys::GD_STOP_USER,
            StopReason::MaxEval => sys::GD_STOP_MAXEVAL,
        }
    }
}

/// The result of a successful [`Optimizer::minimize`]: the run summary of the library
/// (`gd_optimizer_last_f`, `gd_optimizer_last_grad_norm`, and the changes of
/// `gd_optimizer_iterations` and `gd_optimizer_evaluations` over the call).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    /// Which criterion ended the run.
    pub stop: StopReason,
    /// Updates made by this call.
    pub iterations: usize,
    /// Objective evaluations made by this call: `iterations + 1` for a run that starts
    /// afresh, `iterations` for one that continues where the last call ended (see
    /// [`Optimizer::minimize`]).
    pub evaluations: usize,
    /// f at the final iterate: the full objective's value there, or with mini-batches
    /// ([`Param::BatchSize`] > 0 on a finite sum) the value of the last batch drawn, at
    /// the final iterate.
    pub f: f64,
    /// Euclidean norm of the gradient of that same evaluation (same batch as `f`).
    pub grad_norm: f64,
}

/// The closure of an objective in one shape for plain objectives and finite sums:
/// (x, term indices, gradient to fill) -> f or an error message.
type BoxedFn<'a> = Box<dyn FnMut(&[f64], &[usize], &mut [f64]) -> Result<f64, String> + Send + 'a>;

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
    ///
    /// # Safety
    /// `x` points to `self.scratch.len()` readable values; `f` is valid for writing;
    /// `grad` is NULL or valid for writing `self.scratch.len()` values and overlaps
    /// neither `x` nor `self`.
    unsafe fn call(&mut self, x: *const f64, idx: &[usize], f: *mut f64, grad: *mut f64) -> c_int {
        let n = self.scratch.len();
        if x.is_null() || f.is_null() {
            return 1;
        }
        // SAFETY: by the contract above, x has n values that nothing writes during the
        // call (C passes them read only and grad does not overlap them).
        let x = unsafe { std::slice::from_raw_parts(x, n) };
        let grad: &mut [f64] = if grad.is_null() {
            &mut self.scratch[..]
        } else {
            // SAFETY: by the contract above, grad has n writable values that no other
            // reference reaches during the call.
            unsafe { std::slice::from_raw_parts_mut(grad, n) }
        };
        let fun = &mut self.fun;
        match catch_unwind(AssertUnwindSafe(|| fun(x, idx, grad))) {
            Ok(Ok(value)) => {
                // SAFETY: f is valid for writing (checked non-NULL, contract above).
                unsafe { *f = value };
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

    /// What the closure reported since the last call of this function.
    fn take_failure(&mut self) -> Option<Error> {
        if let Some(payload) = self.panic.take() {
            self.error = None;
            return Some(Error::Panic(panic_message(payload)));
        }
        self.error.take().map(Error::Objective)
    }
}

/// # Safety
/// Called only by the library, for an objective made by `Objective::with_callback`:
/// `user` is then its live `Callback`, and the library calls back only from within a
/// call the `Objective` made through `&mut self`, so no other reference to the
/// `Callback` exists; x, f and grad are as `gd_fdf_fn` documents.
unsafe extern "C" fn plain_trampoline(
    x: *const f64,
    n: usize,
    f: *mut f64,
    grad: *mut f64,
    user: *mut c_void,
) -> c_int {
    // SAFETY: see the function's contract.
    let callback = unsafe { &mut *(user as *mut Callback) };
    if n != callback.scratch.len() {
        return 1;
    }
    // SAFETY: x has n values, f is writable, grad is NULL or n writable values apart
    // from x (gd_fdf_fn's contract), and n is the scratch length.
    unsafe { callback.call(x, &[0], f, grad) }
}

/// # Safety
/// As `plain_trampoline`; idx has `count` entries (`gd_batch_fn`'s contract).
unsafe extern "C" fn batch_trampoline(
    x: *const f64,
    n: usize,
    idx: *const usize,
    count: usize,
    f: *mut f64,
    grad: *mut f64,
    user: *mut c_void,
) -> c_int {
    // SAFETY: see plain_trampoline.
    let callback = unsafe { &mut *(user as *mut Callback) };
    if n != callback.scratch.len() || idx.is_null() {
        return 1;
    }
    // SAFETY: idx is non-NULL with count readable entries (gd_batch_fn's contract).
    let idx = unsafe { std::slice::from_raw_parts(idx, count) };
    // SAFETY: as in plain_trampoline.
    unsafe { callback.call(x, idx, f, grad) }
}

/// A function to minimize: a closure ([`Objective::new`], [`Objective::try_new`],
/// [`Objective::finite_sum`], [`Objective::try_finite_sum`]) or one of the bundled
/// objectives.  The lifetime is that of what the closure borrows.
pub struct Objective<'a> {
    raw: NonNull<sys::gd_objective>,
    n: usize,
    // From Box::leak, freed in Drop: C holds the same address as `user`, so the
    // Rust side also goes through this pointer (a live Box would claim unique access).
    callback: Option<NonNull<Callback<'a>>>,
    _borrows: PhantomData<&'a mut ()>,
}

// SAFETY: the C handle has no thread affinity (the library has no global or
// thread-local state), and the closure, its panic payload and the buffers are Send.
// Objective is not Sync, and everything that reaches the closure takes &mut self.
unsafe impl Send for Objective<'_> {}

impl<'a> Objective<'a> {
    /// An objective of dimension n from `fun(x, grad) -> f`, which writes the n partial
    /// derivatives into `grad`.  When the library wants f only, `grad` is a scratch
    /// buffer whose contents are discarded.
    pub fn new<F>(n: usize, mut fun: F) -> Result<Self, Error>
    where
        F: FnMut(&[f64], &mut [f64]) -> f64 + Send + 'a,
    {
        Self::with_callback(n, None, Box::new(move |x, _, g| Ok(fun(x, g))))
    }

    /// As [`Objective::new`], but the closure may fail: an `Err` stops the evaluation or
    /// run with [`Error::Objective`] carrying its message.
    pub fn try_new<F, E>(n: usize, mut fun: F) -> Result<Self, Error>
    where
        F: FnMut(&[f64], &mut [f64]) -> Result<f64, E> + Send + 'a,
        E: fmt::Display,
    {
        Self::with_callback(
            n,
            None,
            Box::new(move |x, _, g| fun(x, g).map_err(|e| e.to_string())),
        )
    }

    /// A finite sum (1/m) sum_i f_i(x): `fun(x, idx, grad)` returns the mean of the
    /// terms in `idx` (at least one, each below m) and writes the gradient of that mean,
    /// so that mini-batch optimizers ([`Param::BatchSize`] > 0) can draw terms.
    pub fn finite_sum<F>(n: usize, m: usize, mut fun: F) -> Result<Self, Error>
    where
        F: FnMut(&[f64], &[usize], &mut [f64]) -> f64 + Send + 'a,
    {
        Self::with_callback(n, Some(m), Box::new(move |x, idx, g| Ok(fun(x, idx, g))))
    }

    /// As [`Objective::finite_sum`], but the closure may fail with an `Err`.
    pub fn try_finite_sum<F, E>(n: usize, m: usize, mut fun: F) -> Result<Self, Error>
    where
        F: FnMut(&[f64], &[usize], &mut [f64]) -> Result<f64, E> + Send + 'a,
        E: fmt::Display,
    {
        Self::with_callback(
            n,
            Some(m),
            Box::new(move |x, idx, g| fun(x, idx, g).map_err(|e| e.to_string())),
        )
    }

    fn with_callback(n: usize, terms: Option<usize>, fun: BoxedFn<'a>) -> Result<Self, Error> {
        let what = if terms.is_some() {
            "gd_objective_new_sum"
        } else {
            "gd_objective_new"
        };
        if n == 0 || terms == Some(0) {
            return Err(Error::Invalid(what));
        }
        let callback = NonNull::from(Box::leak(Box::new(Callback {
            fun,
            scratch: vec![0.0; n],
            panic: None,
            error: None,
        })));
        let user = callback.as_ptr() as *mut c_void;
        // SAFETY: the trampolines match the C prototypes and expect `user` to be a
        // Callback of dimension n, which it is; it outlives the handle because Drop
        // frees the handle first.
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
                return Err(Error::Invalid(what));
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

    /// `scale * ||x - center||^2` in n dimensions; `center` None is the origin.  Its
    /// gradient is `2 * scale * (x - center)`.
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

    /// Least squares `(scale/m) sum_i (X_i . w + b - y_i)^2` over the m = `y.len()`
    /// rows of the row-major `x` (m * p values); with `intercept`, b is the last of
    /// p + 1 parameters, otherwise b = 0 and n = p.  Each row is one term of the sum.
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

    /// Binary logistic regression `(1/m) sum_i [log(1 + exp(z_i)) - y_i z_i] +
    /// (l2/2) ||w[..p]||^2`, `z_i = X_i . w[..p] + b`, over the m = `y.len()` rows of
    /// the row-major `x`; labels 0 or 1.  With `intercept`, b is the last of p + 1
    /// parameters (not penalized).  Each row is one term of the sum.
    pub fn logistic(
        x: &[f64],
        y: &[f64],
        p: usize,
        l2: f64,
        intercept: bool,
    ) -> Result<Self, Error> {
        let m = y.len();
        check_len("x (rows * p)", m.saturating_mul(p), x.len())?;
        let flags = if intercept { sys::GD_INTERCEPT } else { 0 };
        // SAFETY: x has m * p values and y has m; the library copies them.
        let raw = unsafe { sys::gd_logistic_new(m, p, x.as_ptr(), y.as_ptr(), l2, flags) };
        Self::from_raw(raw, "gd_logistic_new")
    }

    /// Multinomial (softmax) regression over k classes: mean cross-entropy +
    /// (l2/2) ||W||^2 over the m = `labels.len()` rows of the row-major `x`; the
    /// parameters are W (k rows of p), then with `intercept` the k intercepts (not
    /// penalized).  Each row is one term of the sum.
    pub fn softmax(
        x: &[f64],
        labels: &[usize],
        p: usize,
        k: usize,
        l2: f64,
        intercept: bool,
    ) -> Result<Self, Error> {
        let m = labels.len();
        check_len("x (rows * p)", m.saturating_mul(p), x.len())?;
        let flags = if intercept { sys::GD_INTERCEPT } else { 0 };
        // SAFETY: x has m * p values and labels m; the library copies them.
        let raw = unsafe { sys::gd_softmax_new(m, p, k, x.as_ptr(), labels.as_ptr(), l2, flags) };
        Self::from_raw(raw, "gd_softmax_new")
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

    /// The raw handle, for calls through [`sys`]; it stays owned by `self` and must not
    /// be freed or used after `self` is dropped.
    pub fn as_raw(&mut self) -> *mut sys::gd_objective {
        self.raw.as_ptr()
    }

    /// Value at x over all terms, with the gradient written into `grad`.
    pub fn eval(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, Error> {
        check_len("x", self.n, x.len())?;
        check_len("grad", self.n, grad.len())?;
        let mut f = 0.0;
        // SAFETY: lengths checked; the handle is valid; x and grad are distinct borrows.
        let code = unsafe {
            sys::gd_objective_eval(self.raw.as_ptr(), x.as_ptr(), &mut f, grad.as_mut_ptr())
        };
        self.finish(code, "gd_objective_eval").map(|_| f)
    }

    /// Value at x over all terms, without the gradient.
    pub fn value(&mut self, x: &[f64]) -> Result<f64, Error> {
        check_len("x", self.n, x.len())?;
        let mut f = 0.0;
        // SAFETY: length checked; the handle is valid; grad NULL is allowed.
        let code = unsafe {
            sys::gd_objective_eval(self.raw.as_ptr(), x.as_ptr(), &mut f, ptr::null_mut())
        };
        self.finish(code, "gd_objective_eval").map(|_| f)
    }

    /// Mean of the terms `idx` at x (at least one index, each below
    /// [`Objective::terms`], repeats allowed), with its gradient written into `grad`.
    /// Other indices are `GD_EINVAL`, and the closure is not called.
    pub fn eval_terms(&mut self, x: &[f64], idx: &[usize], grad: &mut [f64]) -> Result<f64, Error> {
        check_len("x", self.n, x.len())?;
        check_len("grad", self.n, grad.len())?;
        let mut f = 0.0;
        // SAFETY: lengths checked; idx has idx.len() entries (the library refuses a
        // count of 0 and indices out of range before calling back).
        let code = unsafe {
            sys::gd_objective_eval_terms(
                self.raw.as_ptr(),
                x.as_ptr(),
                idx.as_ptr(),
                idx.len(),
                &mut f,
                grad.as_mut_ptr(),
            )
        };
        self.finish(code, "gd_objective_eval_terms").map(|_| f)
    }

    /// Turns a status into a result, preferring what the closure reported.
    fn finish(&mut self, code: c_int, context: &'static str) -> Result<c_int, Error> {
        if let Some(callback) = self.callback {
            // SAFETY: the library has returned, so no trampoline holds a reference to
            // the callback, and &mut self excludes every other user.
            if let Some(failure) = unsafe { (*callback.as_ptr()).take_failure() } {
                return Err(failure);
            }
        }
        check(code, context)
    }
}

impl Drop for Objective<'_> {
    fn drop(&mut self) {
        // SAFETY: the handle is valid and freed once, before the callback it points to.
        unsafe { sys::gd_objective_free(self.raw.as_ptr()) };
        if let Some(callback) = self.callback.take() {
            // SAFETY: from Box::leak in with_callback; the handle that used it is gone.
            drop(unsafe { Box::from_raw(callback.as_ptr()) });
        }
    }
}

/// An optimizer: method, parameters, state and stop criteria for iterates of
/// dimension n.
pub struct Optimizer {
    raw: NonNull<sys::gd_optimizer>,
    n: usize,
    method: Method,
}

// SAFETY: the library keeps no thread-local or global state; a handle may move between
// threads as long as one thread at a time uses it, which &mut self guarantees for
// every method that changes it (Optimizer is not Sync).  The monitor pointer is
// installed only for the duration of one call.
unsafe impl Send for Optimizer {}

impl Optimizer {
    /// A new optimizer with the method's defaults (those of `torch.optim`); n = 0 is an
    /// error.
    pub fn new(method: Method, n: usize) -> Result<Self, Error> {
        // SAFETY: plain value arguments.
        let raw = unsafe { sys::gd_optimizer_new(method.raw(), n) };
        let raw = NonNull::new(raw).ok_or(Error::Invalid("gd_optimizer_new"))?;
        Ok(Optimizer { raw, n, method })
    }

    /// A new float optimizer (1.1): x, gradients and state in `f32`, updated by
    /// [`Optimizer::update_f32`] only, as `torch.optim` computes on float32 tensors.
    /// [`Optimizer::update`], [`Optimizer::step`] and [`Optimizer::minimize`] refuse it
    /// with [`ErrorKind::InvalidArgument`]; [`Method::LBfgs`] (whose steps evaluate an `f64`
    /// objective) and n = 0 are errors.
    pub fn new_f32(method: Method, n: usize) -> Result<Self, Error> {
        // SAFETY: plain value arguments.
        let raw = unsafe { sys::gd_optimizer_new_f32(method.raw(), n) };
        let raw = NonNull::new(raw).ok_or(Error::Invalid("gd_optimizer_new_f32"))?;
        Ok(Optimizer { raw, n, method })
    }

    /// A builder of an optimizer of `method` in n dimensions: parameters set in a
    /// chain and applied in that order by [`OptimizerBuilder::build`], which reports
    /// the first one refused.
    ///
    /// ```
    /// use gdescent::{Error, Method, Optimizer, Param};
    ///
    /// let opt = Optimizer::builder(Method::Adam, 4)
    ///     .lr(1e-3)
    ///     .set(Param::Beta1, 0.8)
    ///     .range(2, 2, Param::Lr, 1e-2)
    ///     .clip_norm(1.0)
    ///     .max_iter(500)
    ///     .build()?;
    /// assert_eq!(opt.get(Param::Beta1)?, 0.8);
    /// assert_eq!(opt.get_range(0, Param::Lr)?, 1e-3);
    /// assert_eq!(opt.get_range(3, Param::Lr)?, 1e-2);
    ///
    /// // Adam has no momentum: the error names the key.
    /// let err = Optimizer::builder(Method::Adam, 4).set(Param::Momentum, 0.9).build();
    /// assert!(matches!(err, Err(Error::Parameter { key: Param::Momentum, .. })));
    /// # Ok::<(), gdescent::Error>(())
    /// ```
    pub fn builder(method: Method, n: usize) -> OptimizerBuilder {
        OptimizerBuilder {
            method,
            n,
            settings: Vec::new(),
        }
    }

    /// Dimension of the iterates.
    pub fn dim(&self) -> usize {
        self.n
    }

    /// The update rule.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The raw handle, for calls through [`sys`]; it stays owned by `self` and must not
    /// be freed or used after `self` is dropped.
    pub fn as_raw(&mut self) -> *mut sys::gd_optimizer {
        self.raw.as_ptr()
    }

    /// Sets a parameter, taking effect at the next update; returns `self` so that calls
    /// chain.  A key the method lacks or a value out of range is an `Error::Status`
    /// with `GD_EINVAL`, and the parameter keeps its value.
    pub fn set(&mut self, key: Param, value: f64) -> Result<&mut Self, Error> {
        // SAFETY: a valid handle.
        check(
            unsafe { sys::gd_optimizer_set(self.raw.as_ptr(), key.raw(), value) },
            "gd_optimizer_set",
        )?;
        Ok(self)
    }

    /// Sets a parameter by its name in the header ("lr", "beta1", "max_iter", ...; see
    /// [`Param::name`]); an unknown name is `GD_EINVAL`.
    pub fn set_by_name(&mut self, name: &str, value: f64) -> Result<&mut Self, Error> {
        let context = "gd_optimizer_set_by_name";
        let name = c_string(name.as_bytes().to_vec(), context)?;
        // SAFETY: a valid handle and a NUL-terminated name.
        let code =
            unsafe { sys::gd_optimizer_set_by_name(self.raw.as_ptr(), name.as_ptr(), value) };
        check(code, context)?;
        Ok(self)
    }

    /// The value of a parameter (its default until set); a key the method lacks is
    /// `GD_EINVAL`.
    pub fn get(&self, key: Param) -> Result<f64, Error> {
        let mut value = 0.0;
        // SAFETY: a valid handle and a valid place for the value.
        check(
            unsafe { sys::gd_optimizer_get(self.raw.as_ptr(), key.raw(), &mut value) },
            "gd_optimizer_get",
        )?;
        Ok(value)
    }

    /// Sets a method parameter for the elements `first .. first + count` only, as a
    /// torch parameter group with its own options; [`Optimizer::set`] of the key sets
    /// it everywhere again.  A range outside the vector, a run key, a value out of
    /// range or L-BFGS (one group) is `GD_EINVAL`, and nothing changes.
    pub fn set_range(
        &mut self,
        first: usize,
        count: usize,
        key: Param,
        value: f64,
    ) -> Result<&mut Self, Error> {
        // SAFETY: a valid handle; the library checks the range.
        check(
            unsafe {
                sys::gd_optimizer_set_range(self.raw.as_ptr(), first, count, key.raw(), value)
            },
            "gd_optimizer_set_range",
        )?;
        Ok(self)
    }

    /// The value of a method parameter in force for element `index`.
    pub fn get_range(&self, index: usize, key: Param) -> Result<f64, Error> {
        let mut value = 0.0;
        // SAFETY: a valid handle and a valid place for the value.
        check(
            unsafe { sys::gd_optimizer_get_range(self.raw.as_ptr(), index, key.raw(), &mut value) },
            "gd_optimizer_get_range",
        )?;
        Ok(value)
    }

    /// Adds a copy of a schedule, as constructing the torch scheduler on this optimizer
    /// (1.1): records the rate as `initial_lr` where no schedule has yet, and applies
    /// epoch 0's rates (and momentum) to every range from its own base rate.
    /// Schedules added one after another act in turn at every step (torch's
    /// ChainedScheduler).  A required option unset, a lambda kind without its
    /// function, cycle_momentum on a method without momentum or beta1, and the like
    /// are `GD_EINVAL`, and nothing changes.
    pub fn add_schedule(&mut self, schedule: &Schedule) -> Result<&mut Self, Error> {
        // SAFETY: two valid handles; the library copies the description.
        check(
            unsafe { sys::gd_optimizer_add_schedule(self.raw.as_ptr(), schedule.raw.as_ptr()) },
            "gd_optimizer_add_schedule",
        )?;
        Ok(self)
    }

    /// One `scheduler.step()` of every added schedule, in order (1.1); `metric` is what
    /// a Plateau schedule judges (None counts as no improvement, and is what the other
    /// kinds take).  A OneCycle schedule past its total_steps is `GD_EINVAL`, and
    /// nothing is stepped.  [`Param::ScheduleEvery`] makes [`Optimizer::minimize`]
    /// step them, feeding Plateau the f it computed.
    pub fn schedule_step(&mut self, metric: Option<f64>) -> Result<(), Error> {
        // SAFETY: a valid handle.
        check(
            unsafe {
                sys::gd_optimizer_schedule_step(self.raw.as_ptr(), metric.unwrap_or(f64::NAN))
            },
            "gd_optimizer_schedule_step",
        )?;
        Ok(())
    }

    /// Removes every schedule (1.1); the rates in force stay.
    pub fn clear_schedules(&mut self) {
        // SAFETY: a valid handle; cannot fail for one.
        unsafe { sys::gd_optimizer_clear_schedules(self.raw.as_ptr()) };
    }

    /// Forgets moments, the iteration count, the run summary ([`Optimizer::evaluations`],
    /// [`Optimizer::last_f`], [`Optimizer::last_grad_norm`]) and the sampler position;
    /// parameters are kept.
    pub fn reset(&mut self) {
        // SAFETY: a valid handle; cannot fail for one.
        unsafe { sys::gd_optimizer_reset(self.raw.as_ptr()) };
    }

    /// Updates applied since creation or the last reset.
    pub fn iterations(&self) -> usize {
        // SAFETY: a valid handle.
        unsafe { sys::gd_optimizer_iterations(self.raw.as_ptr()) }
    }

    /// Objective evaluations made by [`Optimizer::step`] and [`Optimizer::minimize`]
    /// since creation or the last reset, failed ones included; an evaluation that one
    /// `minimize` ended with and the next call took over counts once.
    pub fn evaluations(&self) -> usize {
        // SAFETY: a valid handle.
        unsafe { sys::gd_optimizer_evaluations(self.raw.as_ptr()) }
    }

    /// f of the last successful evaluation of [`Optimizer::step`] or
    /// [`Optimizer::minimize`] (of its mini-batch when [`Param::BatchSize`] > 0); NaN
    /// before any since creation or the last reset.  [`Optimizer::update`] evaluates
    /// nothing and leaves it.
    pub fn last_f(&self) -> f64 {
        // SAFETY: a valid handle.
        unsafe { sys::gd_optimizer_last_f(self.raw.as_ptr()) }
    }

    /// The gradient norm of that same evaluation; NaN before any.
    pub fn last_grad_norm(&self) -> f64 {
        // SAFETY: a valid handle.
        unsafe { sys::gd_optimizer_last_grad_norm(self.raw.as_ptr()) }
    }

    /// A copy of the state that `torch.optim` keeps under the same key: n values for
    /// the vectors ("exp_avg", "exp_avg_sq", "max_exp_avg_sq" with AMSGrad, for Adam
    /// and AdamW; "square_avg", "grad_avg" when centered, "momentum_buffer" with
    /// momentum, for RMSprop; "sum" for Adagrad; "momentum_buffer" for SGD once a step
    /// used momentum), one for the scalar "step" (all methods but SGD).  A key the
    /// method does not keep under its current parameters is `GD_EINVAL`.
    ///
    /// ```
    /// use gdescent::{Method, Optimizer};
    ///
    /// let mut opt = Optimizer::new(Method::Adam, 2)?;
    /// opt.update(&mut [0.0, 0.0], &[1.0, -2.0])?;
    /// assert_eq!(opt.state("step")?, [1.0]);
    /// assert_eq!(opt.state("exp_avg")?, [(1.0 - 0.9) * 1.0, (1.0 - 0.9) * -2.0]);
    /// assert!(opt.state("max_exp_avg_sq").is_err()); // AMSGrad is off
    /// # Ok::<(), gdescent::Error>(())
    /// ```
    pub fn state(&self, name: &str) -> Result<Vec<f64>, Error> {
        let context = "gd_optimizer_get_state";
        let name = c_string(name.as_bytes().to_vec(), context)?;
        // The library takes the key's length and has no call that tells it: try a
        // vector of n values, then a scalar.
        let mut code = sys::GD_EINVAL;
        for count in [self.n, 1] {
            let mut out = vec![0.0; count];
            // SAFETY: a valid handle, a NUL-terminated name and room for count values.
            code = unsafe {
                sys::gd_optimizer_get_state(
                    self.raw.as_ptr(),
                    name.as_ptr(),
                    out.as_mut_ptr(),
                    count,
                )
            };
            if code == sys::GD_OK {
                return Ok(out);
            }
        }
        Err(Error::Status { code, context })
    }

    /// The optimizer's saved state (1.1), a checkpoint (torch's `state_dict()`, as
    /// bytes): every parameter and range, the step count and run summary, the state
    /// vectors and L-BFGS's history, the schedules with their positions and base
    /// rates, and the mini-batch sampler's position and seed, in the library's
    /// versioned little-endian format with a CRC-32C.  [`Optimizer::load`] of it, on
    /// an optimizer of the same method and size in any process (at any instruction-set
    /// level), continues bit for bit.  Code is not saved: the monitor, and the
    /// functions of lambda schedules (see [`Optimizer::load`]).
    ///
    /// ```
    /// use gdescent::{Method, Optimizer};
    ///
    /// let mut opt = Optimizer::new(Method::Adam, 2)?;
    /// let (mut x, mut y) = ([1.0, 2.0], [0.0; 2]);
    /// opt.update(&mut x, &[0.5, -0.5])?;
    /// let mut copy = Optimizer::new(Method::Adam, 2)?;
    /// copy.load(&opt.save())?;
    /// y.copy_from_slice(&x);
    /// opt.update(&mut x, &[0.25, 1.0])?;
    /// copy.update(&mut y, &[0.25, 1.0])?;
    /// assert_eq!(x, y);
    /// # Ok::<(), gdescent::Error>(())
    /// ```
    pub fn save(&self) -> Vec<u8> {
        // SAFETY: a valid handle.
        let size = unsafe { sys::gd_optimizer_state_size(self.raw.as_ptr()) };
        let mut buf = vec![0u8; size];
        // SAFETY: a valid handle and a buffer of the size the library asked for, which
        // it fills; it fails only for a NULL argument or a short buffer.
        let code = unsafe {
            sys::gd_optimizer_save(self.raw.as_ptr(), buf.as_mut_ptr().cast::<c_void>(), size)
        };
        assert_eq!(code, sys::GD_OK, "gd_optimizer_save refused its own size");
        buf
    }

    /// Replaces the optimizer's state by one [`Optimizer::save`] returned (1.1): the
    /// next updates are those the saved optimizer would have made.  The optimizer
    /// keeps its instruction-set level; its schedules become the saved ones, and a
    /// saved lambda or multiplicative schedule takes its function from this
    /// optimizer's schedule at the same place (add the same schedules first).
    ///
    /// Every refusal is an `Error::Status` and leaves the optimizer unchanged:
    /// `GD_EFORMAT` ([`Error::code`]) for bytes that are not a saved state, are
    /// damaged (every single-bit change is caught), truncated or of a newer format;
    /// `GD_EINVAL` for a state of another method or size, or with a lambda schedule
    /// whose function this optimizer does not hold at the same place; `GD_ENOMEM`.
    pub fn load(&mut self, state: &[u8]) -> Result<(), Error> {
        // An empty slice's pointer is dangling but not NULL; the library reads none
        // of it (it is a truncated state).
        // SAFETY: a valid handle and state.len() readable bytes.
        check(
            unsafe {
                sys::gd_optimizer_load(
                    self.raw.as_ptr(),
                    state.as_ptr().cast::<c_void>(),
                    state.len(),
                )
            },
            "gd_optimizer_load",
        )?;
        Ok(())
    }

    /// Writes [`Optimizer::save`]'s state to a file, replacing it atomically (1.1): a
    /// crash at any point leaves the old file or the new one, each loadable.
    /// `GD_EIO` when it cannot be written (the old file is then untouched);
    /// `GD_EINVAL` for an empty path or one with a NUL byte (or, off Unix, one that is
    /// not UTF-8).
    pub fn save_file<P: AsRef<Path>>(&self, path: P) -> Result<(), Error> {
        let context = "gd_optimizer_save_file";
        let path = c_path(path.as_ref(), context)?;
        // SAFETY: a valid handle and a NUL-terminated path.
        check(
            unsafe { sys::gd_optimizer_save_file(self.raw.as_ptr(), path.as_ptr()) },
            context,
        )?;
        Ok(())
    }

    /// [`Optimizer::load`] from a file [`Optimizer::save_file`] wrote (1.1); `GD_EIO`
    /// when it cannot be read, `GD_EINVAL` for a path with a NUL byte, and otherwise
    /// as [`Optimizer::load`], the optimizer unchanged on every error.
    pub fn load_file<P: AsRef<Path>>(&mut self, path: P) -> Result<(), Error> {
        let context = "gd_optimizer_load_file";
        let path = c_path(path.as_ref(), context)?;
        // SAFETY: a valid handle and a NUL-terminated path.
        check(
            unsafe { sys::gd_optimizer_load_file(self.raw.as_ptr(), path.as_ptr()) },
            context,
        )?;
        Ok(())
    }

    /// The instruction-set level of the update loops: "baseline", "avx2" or "avx512"
    /// (all give bit-identical results).
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

    /// One update of float x from a float gradient, for an optimizer of
    /// [`Optimizer::new_f32`] (a double one refuses it); never allocates.
    pub fn update_f32(&mut self, x: &mut [f32], grad: &[f32]) -> Result<(), Error> {
        check_len("x", self.n, x.len())?;
        check_len("grad", self.n, grad.len())?;
        // SAFETY: lengths checked; distinct borrows cannot overlap.
        check(
            unsafe {
                sys::gd_optimizer_update_f32(self.raw.as_ptr(), x.as_mut_ptr(), grad.as_ptr())
            },
            "gd_optimizer_update_f32",
        )?;
        Ok(())
    }

    /// Evaluates `objective` at x (a mini-batch when [`Param::BatchSize`] > 0) and
    /// updates x; returns f at x before the update.  On an error x and the optimizer's
    /// state are unchanged.
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

    /// Runs updates until a stop criterion holds ([`Param::MaxIter`], [`Param::Gtol`],
    /// [`Param::Ftol`], [`Param::Xtol`]), leaving the final iterate in x and appending
    /// records to `trajectory` when given (the start, every stride-th iteration and the
    /// last).  Without a trajectory nothing is recorded: the [`Outcome`] comes from the
    /// optimizer's run summary.
    ///
    /// Runs chain: the sampler moves on by one batch per update, so the final
    /// evaluation, which makes no update, gives its batch back and the next
    /// `minimize` or [`Optimizer::step`] draws it again.  So k calls of
    /// [`Param::MaxIter`] m end where one call of k m ends, bit for bit, mini-batches
    /// included; each call evaluates its start, k (m + 1) evaluations in all.
    ///
    /// This does not touch the library's monitor (the safe layer never leaves one
    /// installed; one installed through [`sys`] is called).
    ///
    /// On [`Error::Objective`], [`Error::Panic`] or `GD_EDIVERGED`, x holds the last
    /// accepted iterate, and the optimizer's state includes the rejected update: call
    /// [`Optimizer::reset`] to start afresh.
    pub fn minimize(
        &mut self,
        objective: &mut Objective,
        x: &mut [f64],
        trajectory: Option<&mut Trajectory>,
    ) -> Result<Outcome, Error> {
        self.run(objective, x, trajectory, None)
    }

    /// As [`Optimizer::minimize`], calling `monitor(iteration, x, f)` after every update
    /// (iterations count from 1 in this call; f is of the mini-batch when
    /// [`Param::BatchSize`] > 0); returning `true` stops the run with
    /// [`StopReason::User`].  A panic in the monitor stops the run and becomes
    /// [`Error::Panic`].  The monitor is installed for this call only and removed
    /// before it returns (replacing any monitor installed through [`sys`]).
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
        monitor: Option<&mut Monitor<'_>>,
    ) -> Result<Outcome, Error> {
        check_len("x", self.n, x.len())?;
        check_len("objective dimension", self.n, objective.n)?;
        let traj = match trajectory {
            Some(t) => {
                check_len("trajectory dimension", self.n, t.n)?;
                t.as_raw()
            }
            None => ptr::null_mut(),
        };
        let (iterations, evaluations) = (self.iterations(), self.evaluations());
        let (opt, obj, xp) = (self.raw.as_ptr(), objective.raw.as_ptr(), x.as_mut_ptr());
        let code = match monitor {
            // SAFETY: lengths checked; handles valid; traj is NULL or a trajectory of
            // dimension n.
            None => unsafe { sys::gd_minimize(opt, obj, xp, traj) },
            Some(monitor) => {
                let user = monitor as *mut Monitor as *mut c_void;
                // SAFETY: as above.  `user` points to the Monitor borrowed by this
                // function, which outlives the run; the trampoline catches panics, so
                // gd_minimize returns and the monitor is removed before this function
                // does: the library never keeps the pointer.
                let code = unsafe {
                    sys::gd_optimizer_set_monitor(opt, Some(monitor_trampoline), user);
                    let code = sys::gd_minimize(opt, obj, xp, traj);
                    sys::gd_optimizer_set_monitor(opt, None, ptr::null_mut());
                    code
                };
                if let Some(payload) = monitor.panic.take() {
                    return Err(Error::Panic(panic_message(payload)));
                }
                code
            }
        };
        let code = objective.finish(code, "gd_minimize")?;
        let stop = StopReason::from_code(code).ok_or(Error::Status {
            code,
            context: "gd_minimize (unknown stop reason)",
        })?;
        Ok(Outcome {
            stop,
            iterations: self.iterations().wrapping_sub(iterations),
            evaluations: self.evaluations().wrapping_sub(evaluations),
            f: self.last_f(),
            grad_norm: self.last_grad_norm(),
        })
    }
}

/// The Rust side of a monitor during one run.
struct Monitor<'m> {
    fun: &'m mut dyn FnMut(usize, &[f64], f64) -> bool,
    panic: Option<Box<dyn Any + Send>>,
}

/// # Safety
/// Called only by the library during `Optimizer::run`: `user` is then the `Monitor`
/// that run borrows, reached by nothing else while the library runs, and x has n
/// values (`gd_monitor_fn`'s contract).
unsafe extern "C" fn monitor_trampoline(
    iter: usize,
    x: *const f64,
    n: usize,
    f: f64,
    user: *mut c_void,
) -> c_int {
    // SAFETY: see the function's contract.
    let monitor = unsafe { &mut *(user as *mut Monitor) };
    if x.is_null() {
        return 1;
    }
    // SAFETY: x is non-NULL with n values, read only during the call.
    let x = unsafe { std::slice::from_raw_parts(x, n) };
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

/// One parameter of an [`OptimizerBuilder`]: everywhere, or on a range of elements.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Setting {
    key: Param,
    range: Option<(usize, usize)>,
    value: f64,
}

/// A recipe for an [`Optimizer`], from [`Optimizer::builder`]: the method, the
/// dimension and parameters in order.  Nothing is checked until
/// [`OptimizerBuilder::build`], which creates the optimizer and applies the parameters
/// as [`Optimizer::set`] and [`Optimizer::set_range`] would, in the order given (so a
/// later [`OptimizerBuilder::set`] of a key overrides an earlier `range` of it, as in
/// C).  The builder is not consumed: it can build several identical optimizers.
#[derive(Debug, Clone, PartialEq)]
#[must_use = "an OptimizerBuilder does nothing until build() is called"]
pub struct OptimizerBuilder {
    method: Method,
    n: usize,
    settings: Vec<Setting>,
}

impl OptimizerBuilder {
    /// The method the optimizer will have.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The dimension the optimizer will have.
    pub fn dim(&self) -> usize {
        self.n
    }

    /// Sets `key` to `value` on every element ([`Optimizer::set`]).
    pub fn set(mut self, key: Param, value: f64) -> Self {
        self.settings.push(Setting {
            key,
            range: None,
            value,
        });
        self
    }

    /// Sets a method parameter on the elements `first .. first + count` only
    /// ([`Optimizer::set_range`], a torch parameter group).
    pub fn range(mut self, first: usize, count: usize, key: Param, value: f64) -> Self {
        self.settings.push(Setting {
            key,
            range: Some((first, count)),
            value,
        });
        self
    }

    /// The learning rate, [`Param::Lr`].
    pub fn lr(self, lr: f64) -> Self {
        self.set(Param::Lr, lr)
    }

    /// [`Param::WeightDecay`].
    pub fn weight_decay(self, weight_decay: f64) -> Self {
        self.set(Param::WeightDecay, weight_decay)
    }

    /// Updates per [`Optimizer::minimize`] call, [`Param::MaxIter`].
    pub fn max_iter(self, max_iter: usize) -> Self {
        self.set(Param::MaxIter, max_iter as f64)
    }

    /// Clip the gradient's 2-norm to this, [`Param::ClipNorm`]; 0 is off.
    pub fn clip_norm(self, clip_norm: f64) -> Self {
        self.set(Param::ClipNorm, clip_norm)
    }

    /// Clamp the gradient's elements to this, [`Param::ClipValue`]; 0 is off.
    pub fn clip_value(self, clip_value: f64) -> Self {
        self.set(Param::ClipValue, clip_value)
    }

    /// Terms per step of a finite sum, [`Param::BatchSize`]; 0 is the whole sum.
    pub fn batch_size(self, batch_size: usize) -> Self {
        self.set(Param::BatchSize, batch_size as f64)
    }

    /// The seed of the mini-batch shuffle, [`Param::Seed`]; the library takes
    /// 0 ..= 2^53 and refuses larger seeds at [`OptimizerBuilder::build`].
    pub fn seed(self, seed: u64) -> Self {
        self.set(Param::Seed, seed as f64)
    }

    /// Creates the optimizer and applies the parameters in order.  n = 0 is
    /// [`Error::Invalid`]; the first parameter refused (a key the method lacks, a
    /// value out of range, a range outside the vector, ...) is an
    /// [`Error::Parameter`] naming the key and the range, with the library's code, and
    /// no optimizer is returned.
    pub fn build(&self) -> Result<Optimizer, Error> {
        let mut opt = Optimizer::new(self.method, self.n)?;
        for setting in &self.settings {
            let result = match setting.range {
                None => opt.set(setting.key, setting.value).map(|_| ()),
                Some((first, count)) => opt
                    .set_range(first, count, setting.key, setting.value)
                    .map(|_| ()),
            };
            result.map_err(|err| match err {
                Error::Status { code, context } => Error::Parameter {
                    key: setting.key,
                    range: setting.range,
                    code,
                    context,
                },
                other => other,
            })?;
        }
        Ok(opt)
    }
}

impl Drop for Optimizer {
    fn drop(&mut self) {
        // SAFETY: freed once.
        unsafe { sys::gd_optimizer_free(self.raw.as_ptr()) };
    }
}

/// Records of runs: for each, the iteration number, f, the gradient norm and optionally
/// x.  Record 0 of a run is its start; with stride 1, record k follows k updates.
pub struct Trajectory {
    raw: NonNull<sys::gd_trajectory>,
    n: usize,
    store_x: bool,
}

// SAFETY: as for Optimizer.
unsafe impl Send for Trajectory {}

impl Trajectory {
    /// An empty trajectory for iterates of dimension n, also storing every recorded x
    /// when `store_x`.
    pub fn new(n: usize, store_x: bool) -> Result<Self, Error> {
        let flags = if store_x { sys::GD_TRAJ_X } else { 0 };
        // SAFETY: plain value arguments.
        let raw = unsafe { sys::gd_trajectory_new(n, flags) };
        let raw = NonNull::new(raw).ok_or(Error::Invalid("gd_trajectory_new"))?;
        Ok(Trajectory { raw, n, store_x })
    }

    /// Keeps every k-th record of later runs (and their first and last); 0 is
    /// `GD_EINVAL`.
    pub fn set_stride(&mut self, every: usize) -> Result<(), Error> {
        // SAFETY: a valid handle.
        check(
            unsafe { sys::gd_trajectory_set_stride(self.raw.as_ptr(), every) },
            "gd_trajectory_set_stride",
        )?;
        Ok(())
    }

    /// The raw handle, for calls through [`sys`]; it stays owned by `self` and must not
    /// be freed or used after `self` is dropped.
    pub fn as_raw(&mut self) -> *mut sys::gd_trajectory {
        self.raw.as_ptr()
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

    /// Dimension of the recorded iterates.
    pub fn dim(&self) -> usize {
        self.n
    }

    /// Whether the iterates are stored ([`Trajectory::x`], [`Trajectory::xs`]).
    pub fn stores_x(&self) -> bool {
        self.store_x
    }

    /// Iteration number (the optimizer's update count) of record i, or None past the
    /// end.
    pub fn iter(&self, i: usize) -> Option<usize> {
        if i < self.len() {
            // SAFETY: a valid handle and index.
            Some(unsafe { sys::gd_trajectory_iter(self.raw.as_ptr(), i) })
        } else {
            None
        }
    }

    /// Objective value of record i, or None past the end.
    pub fn f(&self, i: usize) -> Option<f64> {
        if i < self.len() {
            // SAFETY: a valid handle and index.
            Some(unsafe { sys::gd_trajectory_f(self.raw.as_ptr(), i) })
        } else {
            None
        }
    }

    /// Gradient norm of record i, or None past the end.
    pub fn grad_norm(&self, i: usize) -> Option<f64> {
        if i < self.len() {
            // SAFETY: a valid handle and index.
            Some(unsafe { sys::gd_trajectory_grad_norm(self.raw.as_ptr(), i) })
        } else {
            None
        }
    }

    /// Iteration numbers of all records (one bulk copy).
    pub fn iterations(&self) -> Vec<usize> {
        let mut out = vec![0; self.len()];
        // SAFETY: out has len() entries; the other columns are not requested.
        unsafe {
            self.copy(
                out.as_mut_ptr(),
                ptr::null_mut(),
                ptr::null_mut(),
                ptr::null_mut(),
            )
        };
        out
    }

    /// Objective values of all records (one bulk copy).
    pub fn f_values(&self) -> Vec<f64> {
        let mut out = vec![0.0; self.len()];
        // SAFETY: out has len() values; the other columns are not requested.
        unsafe {
            self.copy(
                ptr::null_mut(),
                out.as_mut_ptr(),
                ptr::null_mut(),
                ptr::null_mut(),
            )
        };
        out
    }

    /// Gradient norms of all records (one bulk copy).
    pub fn grad_norms(&self) -> Vec<f64> {
        let mut out = vec![0.0; self.len()];
        // SAFETY: out has len() values; the other columns are not requested.
        unsafe {
            self.copy(
                ptr::null_mut(),
                ptr::null_mut(),
                out.as_mut_ptr(),
                ptr::null_mut(),
            )
        };
        out
    }

    /// All stored iterates, record after record (`len() * dim()` values), or None when
    /// created without `store_x`.
    pub fn xs(&self) -> Option<Vec<f64>> {
        if !self.store_x {
            return None;
        }
        let mut out = vec![0.0; self.len() * self.n];
        // SAFETY: out has len() * n values and the trajectory stores x.
        unsafe {
            self.copy(
                ptr::null_mut(),
                ptr::null_mut(),
                ptr::null_mut(),
                out.as_mut_ptr(),
            )
        };
        Some(out)
    }

    /// Copies every record's columns into the non-NULL buffers.
    ///
    /// # Safety
    /// Each non-NULL buffer has room for `self.len()` records (`self.len() * self.n`
    /// values for x), and x is non-NULL only when the trajectory stores x.
    unsafe fn copy(&self, iter: *mut usize, f: *mut f64, grad_norm: *mut f64, x: *mut f64) {
        // SAFETY: a valid handle; the range is the whole trajectory; the buffers are as
        // the function's contract says.
        let code = unsafe {
            sys::gd_trajectory_copy(self.raw.as_ptr(), 0, self.len(), iter, f, grad_norm, x)
        };
        debug_assert_eq!(code, sys::GD_OK);
    }

    /// Iterate of record i, or None past the end or when created without `store_x`.
    pub fn x(&self, i: usize) -> Option<&[f64]> {
        // SAFETY: a valid handle; the pointer, when not NULL, has n values that live
        // until the trajectory next grows, is cleared or is freed, all of which need
        // &mut self or ownership, so not while the returned borrow lives.
        unsafe {
            let p = sys::gd_trajectory_x(self.raw.as_ptr(), i);
            if p.is_null() {
                None
            } else {
                Some(std::slice::from_raw_parts(p, self.n))
            }
        }
    }

    /// Writes the records as CSV (`iter,f,grad_norm[,x0,x1,...]`, 17 significant
    /// digits); `GD_EIO` when the file cannot be written, `GD_EINVAL` for a path with a
    /// NUL byte (or, off Unix, one that is not UTF-8).
    pub fn write_csv<P: AsRef<Path>>(&self, path: P) -> Result<(), Error> {
        let context = "gd_trajectory_write_csv";
        let path = c_path(path.as_ref(), context)?;
        // SAFETY: a valid handle and a NUL-terminated path.
        check(
            unsafe { sys::gd_trajectory_write_csv(self.raw.as_ptr(), path.as_ptr()) },
            context,
        )?;
        Ok(())
    }

    /// Removes every record; keeps the stride and the allocated capacity.
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
            .field("method", &self.method)
            .field("n", &self.n)
            .field("iterations", &self.iterations())
            .field("evaluations", &self.evaluations())
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
            .field("store_x", &self.store_x)
            .finish()
    }
}
