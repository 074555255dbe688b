"""Python interface to libgdescent, gradient-based optimization with the semantics of
torch.optim, over NumPy float64 arrays.

    import numpy as np, gdescent
    f = gdescent.Objective(lambda x: (x @ x, 2 * x), 2)
    r = gdescent.minimize(f, [3.0, -4.0], "sgd", lr=0.1, max_iter=100)
    print(r.status_name, r.x, r.f)

or as scipy.optimize.minimize is called, for an OptimizeResult:

    r = gdescent.minimize(lambda x: x @ x, [3.0, -4.0], method="SGD",
                          jac=lambda x: 2 * x, options={"lr": 0.1, "maxiter": 100})
    print(r.success, r.message, r.x, r.fun)

Handles are freed when garbage collected.  An object must not be used from two threads
at once; distinct objects may be.
"""
from __future__ import annotations

import inspect
import numbers
import os
from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType, TracebackType
from typing import (TYPE_CHECKING, Any, Callable, Dict, List, Optional, SupportsFloat,
                    Tuple, Type, Union, overload)

import numpy as np
import numpy.typing as npt

from . import _native
from ._native import ffi, load_library

try:
    # The compiled gd_fdf_fn (gdescent/_callbacks.c), built with the wheel; without it
    # (a source tree, or the pure-Python package) Objective uses cffi callbacks.
    from . import _callbacks as _compiled
except ImportError:
    _compiled = None  # type: ignore[assignment]

if TYPE_CHECKING:
    FloatArray = npt.NDArray[np.float64]
    Float32Array = npt.NDArray[np.float32]
    IntArray = npt.NDArray[np.int64]
    AnyFloatArray = Union[FloatArray, Float32Array]

#: The package's version, which is the library's it is released with (pyproject.toml
#: reads it from here).
__version__ = "1.1.0"

__all__ = [
    "GDError", "Optimizer", "Objective", "Trajectory", "Result", "minimize", "step",
    "quadratic", "least_squares", "logistic", "softmax", "geometric_median", "rosenbrock",
    "load_library",
    "version", "METHODS", "SCHEDULES", "SCHEDULE_ALIASES", "OptimizeResult",
    "__version__",
]

OK = 0
STOP_MAXITER, STOP_GTOL, STOP_FTOL, STOP_XTOL, STOP_USER, STOP_MAXEVAL = 1, 2, 3, 4, 5, 6
EINVAL, ENOMEM, ECALLBACK, EDIVERGED, EIO, EFORMAT, EBUSY = -1, -2, -3, -4, -5, -6, -7
LS_INTERCEPT = 1
INTERCEPT = 1
TRAJ_X = 1
LINE_SEARCH_NONE, LINE_SEARCH_STRONG_WOLFE, LINE_SEARCH_BACKTRACKING = 0, 1, 2

# Other spellings of method names, as SciPy and torch write them.
METHOD_ALIASES = {"L-BFGS": "lbfgs", "LBFGS": "lbfgs"}

STOP_NAMES = {STOP_MAXITER: "maxiter", STOP_GTOL: "gtol", STOP_FTOL: "ftol",
              STOP_XTOL: "xtol", STOP_USER: "user", STOP_MAXEVAL: "maxeval"}


def _lib() -> Any:
    loaded = _native._lib
    return load_library() if loaded is None else loaded[1]


class _LibraryNames(Mapping[str, int]):
    """A read-only mapping filled from the library the first time it is read, so that
    importing the package does not load the library (load_library(path) may still
    choose it)."""

    def __init__(self, fill: Callable[[Any], Dict[str, int]]) -> None:
        self._fill = fill
        self._names: Optional[Dict[str, int]] = None

    def _table(self) -> Dict[str, int]:
        if self._names is None:
            self._names = self._fill(_lib())
        return self._names

    def __getitem__(self, name: str) -> int:
        return self._table()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())

    def __repr__(self) -> str:
        return repr(self._table())


def _method_names(lib: Any) -> Dict[str, int]:
    """gd_method_name(0), gd_method_name(1), ... until NULL: the methods are numbered
    from 0 without gaps."""
    names: Dict[str, int] = {}
    method = 0
    while (name := lib.gd_method_name(method)) != ffi.NULL:
        names[ffi.string(name).decode()] = method
        method += 1
    return names


#: Method name -> gd_method value, as the loaded library reports them.
METHODS = _LibraryNames(_method_names)

# gd_param values are below 64 (method keys 0-31, run 32-47, sampling 48-63).
_PARAM_KEY_LIMIT = 64


def _c_name(name: object, what: str) -> Optional[bytes]:
    """A name as a C string, or None for one with a NUL inside, which C would cut
    short and which therefore names nothing (the caller reports it as unknown)."""
    if not isinstance(name, str):
        raise TypeError(f"{what} must be a str, not {type(name).__name__}")
    raw = name.encode()
    return None if b"\0" in raw else raw


def version() -> str:
    """The library's version string, for example "1.0.0"."""
    return str(ffi.string(_lib().gd_version_string()).decode())


#: A file name: str, bytes or path-like, encoded as the file system encodes names.
PathArg = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]


def _c_path(path: PathArg) -> bytes:
    """path as the bytes of a C string; a NUL inside, which C would cut short, raises
    ValueError."""
    raw = os.fsencode(path)
    if b"\0" in raw:
        raise ValueError(f"path contains a NUL character: {path!r}")
    return raw


class GDError(RuntimeError):
    """A libgdescent call failed.  `status` is the negative GD_E* code, and `x` the last
    accepted iterate when a run stopped with ECALLBACK or EDIVERGED (else None)."""

    def __init__(self, status: int, context: str = "", x: Optional[FloatArray] = None,
                 detail: Optional[str] = None) -> None:
        self.status = status
        self.x = x
        message = ffi.string(_lib().gd_strerror(status)).decode()
        if detail is not None:
            message = f"{detail} ({message})"
        super().__init__(f"{context}: {message}" if context else message)


def _check(status: int, context: str) -> int:
    if status < 0:
        raise GDError(status, context)
    return status


_F64 = np.dtype(np.float64)


def _precision(dtype: npt.DTypeLike) -> "np.dtype[Any]":
    """float64 or float32, the precisions of the library's optimizers."""
    try:
        precision = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be float64 or float32, not {dtype!r}") from None
    if precision not in (np.float64, np.float32):
        raise TypeError(f"dtype must be float64 or float32, not {precision}")
    return precision


def _float_vector(a: npt.ArrayLike, n: int, name: str) -> FloatArray:
    """A read-only float64 view or copy of a length-n vector, for inputs."""
    arr = np.asarray(a)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, not {arr.dtype}")
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    if arr.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), not {arr.shape}")
    return arr


def _float32_vector(a: npt.ArrayLike, n: int, name: str) -> "Float32Array":
    """A contiguous float32 view or copy of a length-n float32 vector, for the inputs
    of a float32 optimizer: another dtype is a TypeError, not a silent rounding."""
    arr = np.asarray(a)
    if arr.dtype != np.float32:
        raise TypeError(f"{name} must have dtype float32, the optimizer's, not {arr.dtype}")
    if arr.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), not {arr.shape}")
    return np.ascontiguousarray(arr)


def _inplace_vector(x: object, n: int, dtype: "np.dtype[Any]" = _F64) -> None:
    """Checks that x is a vector of dtype (float64, or float32 for a float32
    optimizer) and length n that can be updated in place."""
    if (type(x) is np.ndarray and x.dtype is dtype and x.shape == (n,)
            and x.flags.writeable):
        return
    if not isinstance(x, np.ndarray):
        raise TypeError(f"x must be a numpy.ndarray of {dtype} (it is updated in place)")
    if x.dtype != dtype:
        raise TypeError(f"x must have dtype {dtype}, the optimizer's, not {x.dtype}")
    if x.shape != (n,):
        raise ValueError(f"x must have shape ({n},), not {x.shape}")
    if not x.flags.writeable:
        raise ValueError("x is read-only")


class _InPlace:
    """A C pointer to the data of x; non-contiguous x goes through a contiguous copy
    that is written back on exit, so views such as a[::2] still update in place."""

    def __init__(self, x: "AnyFloatArray") -> None:
        self.x = x
        self.work = x if x.flags.c_contiguous else np.ascontiguousarray(x)

    def __enter__(self) -> Any:
        ctype = "float[]" if self.work.dtype == np.float32 else "double[]"
        return ffi.from_buffer(ctype, self.work)

    def __exit__(self, *exc: object) -> None:
        if self.work is not self.x:
            self.x[...] = self.work


def _matrix(a: npt.ArrayLike, name: str) -> FloatArray:
    arr = np.asarray(a)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, not {arr.dtype}")
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array, not shape {arr.shape}")
    return np.ascontiguousarray(arr, dtype=np.float64)


_DOUBLES = ffi.typeof("double[]")
# ffi.memmove and ffi.from_buffer are Python functions that pass their arguments on to
# the functions of the same names of cffi's backend module; the paths run at every
# evaluation call those directly, skipping a Python call each (bench/README.md,
# "Python callbacks"); without the private _backend, the public functions.
_backend = getattr(ffi, "_backend", None)
_memmove: Callable[[Any, Any, int], None] = getattr(_backend, "memmove", ffi.memmove)
_from_buffer: Callable[[Any, Any, bool], Any] = getattr(_backend, "from_buffer",
                                                        ffi.from_buffer)
_empty = np.empty
_ndarray = np.ndarray


def _copy_of(ptr: Any, n: int) -> FloatArray:
    """A new float64 array holding the n doubles at ptr.  Python code is handed copies,
    never views: an array it keeps (history.append(x)) must not point into buffers the
    library reuses for the next iterate or frees with the optimizer.  A new array
    filled by memmove is the cheapest copy measured (bench/README.md, "Python
    callbacks")."""
    copy = _empty(n)
    _memmove(copy, ptr, n * 8)
    return copy


class Objective:
    """A function to minimize.

    Objective(fun, n): fun(x) returns (f, grad) for a float64 array x of shape (n,);
    x is a new array (a copy of the library's), which fun may keep or modify.
    Objective(fun, n, terms=m): a finite sum (1/m) sum_i f_i(x); fun(x, idx) returns
    the mean value and gradient of the terms in the int64 array idx, so that
    mini-batch optimizers (batch_size > 0) can draw terms.

    An exception raised by fun stops the evaluation or run (GD_ECALLBACK inside the
    library) and is raised again to the caller with its traceback.
    """

    def __init__(self, fun: Callable[..., Tuple[SupportsFloat, npt.ArrayLike]], n: int,
                 terms: Optional[int] = None) -> None:
        if not callable(fun):
            raise TypeError("fun must be callable")
        n = _positive_size(n, "n")
        # The C callback closes over _Callback, not over self, so that no reference
        # cycle delays freeing the handle.
        self._state: Optional[Union[_Callback, _CompiledCallback]]
        self._callback: Any = None
        if terms is None and _compiled is not None:
            # The library holds the address of _state, which self keeps alive.
            self._state = _CompiledCallback(fun, n, _empty, _general_result)
            handle = _lib().gd_objective_new(n, ffi.cast("gd_fdf_fn", _compiled.PLAIN),
                                             ffi.cast("void *", self._state.address))
        elif terms is None:
            self._state = _Callback(fun, n)
            self._callback = ffi.callback("gd_fdf_fn", self._state.plain, error=1,
                                          onerror=self._state.onerror)
            handle = _lib().gd_objective_new(n, self._callback, ffi.NULL)
        else:
            terms = _positive_size(terms, "terms")
            self._state = _Callback(fun, n)
            self._callback = ffi.callback("gd_batch_fn", self._state.batch, error=1,
                                          onerror=self._state.onerror)
            handle = _lib().gd_objective_new_sum(n, terms, self._callback, ffi.NULL)
        self._adopt(handle, "gd_objective_new")

    @classmethod
    def _from_handle(cls, handle: Any, context: str) -> Objective:
        self = cls.__new__(cls)
        self._state = self._callback = None
        self._adopt(handle, context)
        return self

    def _adopt(self, handle: Any, context: str) -> None:
        if handle == ffi.NULL:
            raise ValueError(f"{context}: invalid arguments or out of memory")
        self._handle = ffi.gc(handle, _lib().gd_objective_free)
        self.n: int = _lib().gd_objective_dim(handle)
        self.terms: int = _lib().gd_objective_terms(handle)

    def _raise_pending(self) -> None:
        """Raises the exception that fun raised during the last library call, if any."""
        if self._state is not None:
            self._state.raise_pending()

    def __call__(self, x: npt.ArrayLike) -> Tuple[float, FloatArray]:
        """Returns (f, grad) at x over all terms."""
        xv = _float_vector(x, self.n, "x")
        f = ffi.new("double *")
        grad = np.empty(self.n)
        status = _lib().gd_objective_eval(self._handle, ffi.from_buffer("double[]", xv),
                                          f, ffi.from_buffer("double[]", grad))
        self._raise_pending()
        _check(status, "gd_objective_eval")
        return float(f[0]), grad


def _with_traceback(exc_type: Type[BaseException], exc: Optional[BaseException],
                    tb: Optional[TracebackType]) -> BaseException:
    """The exception given to an onerror= handler, with its traceback."""
    if exc is None:
        exc = exc_type()
    return exc.with_traceback(tb)


class _PendingError:
    """raise_pending for a callback's state that keeps in error the first exception
    its function raised."""

    error: Optional[BaseException]

    def raise_pending(self) -> None:
        exc, self.error = self.error, None
        if exc is not None:
            raise exc


class _Callback(_PendingError):
    """The Python side of an objective callback: calls fun and keeps the exception it
    raised, which must not unwind through C.

    The C callbacks are made with onerror=, so an exception raised anywhere in them,
    also at their entry before any Python statement (a KeyboardInterrupt from Ctrl-C
    is raised there when the signal arrived while C code ran), is caught: the callback
    returns 1, the run stops with GD_ECALLBACK and the exception is raised again."""

    def __init__(self, fun: Callable[..., Tuple[SupportsFloat, npt.ArrayLike]],
                 n: int) -> None:
        self.fun, self.n = fun, n
        self.error: Optional[BaseException] = None
        # The C callbacks call these closures, which hold the locals they need.
        self.plain = _plain_callback(fun, n)
        self.batch = _batch_callback(fun, n)

    def onerror(self, exc_type: Type[BaseException], exc: Optional[BaseException],
                tb: Optional[TracebackType]) -> int:
        if self.error is None:
            self.error = _with_traceback(exc_type, exc, tb)
        return 1


if _compiled is not None:
    class _CompiledCallback(_PendingError, _compiled.Plain):
        """The state of a Python objective called by the compiled gd_fdf_fn: it calls
        fun on a new array, stores f and the gradient, and keeps in error the first
        exception raised (Ctrl-C's KeyboardInterrupt included), as _Callback does."""
else:
    _CompiledCallback = _Callback  # type: ignore[misc]


def _general_result(result: Any, n: Optional[int]) -> Tuple[float, Optional[FloatArray]]:
    """What the compiled callback stores for a result it does not take itself: f as a
    float and, when n is not None, the gradient as a float64 vector of shape (n,), with
    the errors of the cffi callback for a malformed result."""
    fx, gx = result
    value = float(fx)
    return value, (None if n is None else
                   _float_vector(gx, n, "the gradient returned by fun"))


def _deliver_gradient(gx: npt.ArrayLike, grad: Any, n: int) -> None:
    """Stores the gradient fun returned at grad: any real array-like of shape (n,)."""
    g = _float_vector(gx, n, "the gradient returned by fun")
    _memmove(grad, g, n * 8)


def _plain_callback(fun: Callable[..., Tuple[SupportsFloat, npt.ArrayLike]],
                    n: int) -> Callable[..., int]:
    """The body of a gd_fdf_fn: fun on a new array holding x (see _copy_of); f and,
    when asked for, the gradient stored at the library's pointers.  A contiguous
    float64 gradient of shape (n,), what fun usually returns, is stored by one memmove
    without further calls."""
    nbytes, shape = n * 8, (n,)
    empty, memmove, ndarray, f64 = _empty, _memmove, np.ndarray, _F64

    def plain(x: Any, n_: int, f: Any, grad: Any, user: Any) -> int:
        copy = empty(n)
        memmove(copy, x, nbytes)
        fx, gx = fun(copy)
        f[0] = float(fx)
        if grad:
            # A non-contiguous gx makes memmove raise ValueError before it copies
            # anything: cheaper than reading gx.flags.
            if type(gx) is ndarray and gx.dtype is f64 and gx.shape == shape:
                try:
                    memmove(grad, gx, nbytes)
                    return 0
                except ValueError:
                    pass
            _deliver_gradient(gx, grad, n)
        return 0
    return plain


def _batch_callback(fun: Callable[..., Tuple[SupportsFloat, npt.ArrayLike]],
                    n: int) -> Callable[..., int]:
    """The body of a gd_batch_fn: as _plain_callback, with the terms' indices as a new
    int64 array."""
    size_t = ffi.sizeof("size_t")

    def batch(x: Any, n_: int, idx: Any, count: int, f: Any, grad: Any,
              user: Any) -> int:
        raw = np.frombuffer(ffi.buffer(idx, count * size_t), dtype=np.uintp)
        fx, gx = fun(_copy_of(x, n), raw.astype(np.int64))
        f[0] = float(fx)
        if grad:
            _deliver_gradient(gx, grad, n)
        return 0
    return batch


def _positive_size(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int")
    if value < 1:
        raise ValueError(f"{name} must be at least 1")
    return int(value)


def quadratic(n: Optional[int] = None, center: Optional[npt.ArrayLike] = None,
              scale: float = 1.0) -> Objective:
    """scale * ||x - center||^2 (center None: the origin, then n is required)."""
    if center is not None:
        c = np.atleast_1d(np.asarray(center))
        if c.dtype.kind not in "biuf":
            raise TypeError(f"center must hold real numbers, not {c.dtype}")
        c = np.ascontiguousarray(c, dtype=np.float64)
        if c.ndim != 1 or (n is not None and c.shape != (n,)):
            raise ValueError(f"center must be a vector of length n, not shape {c.shape}")
        n, cptr = c.shape[0], ffi.from_buffer("double[]", c)
    else:
        n, cptr = _positive_size(n, "n"), ffi.NULL
    return Objective._from_handle(_lib().gd_quadratic_new(n, cptr, float(scale)),
                                  "gd_quadratic_new")


def least_squares(X: npt.ArrayLike, y: npt.ArrayLike, scale: float = 0.5,
                  intercept: bool = False) -> Objective:
    """(scale/m) sum_i (X_i . w + b - y_i)^2 over the m rows of X; with intercept=True,
    b is the last of the p + 1 parameters.  Each sample is one term."""
    Xm = _matrix(X, "X")
    m, p = Xm.shape
    yv = _float_vector(y, m, "y")
    handle = _lib().gd_least_squares_new(m, p, ffi.from_buffer("double[]", Xm),
                                         ffi.from_buffer("double[]", yv), float(scale),
                                         LS_INTERCEPT if intercept else 0)
    return Objective._from_handle(handle, "gd_least_squares_new")


def logistic(X: npt.ArrayLike, y: npt.ArrayLike, l2: float = 0.0,
             intercept: bool = True) -> Objective:
    """Binary logistic regression: (1/m) sum_i [log(1 + exp(z_i)) - y_i z_i]
    + (l2/2) ||w[:p]||^2 with z_i = X_i . w[:p] + b and labels y_i in {0, 1}; with
    intercept=True, b is the last of the p + 1 parameters (not penalized).  Each
    sample is one term."""
    Xm = _matrix(X, "X")
    m, p = Xm.shape
    yv = _float_vector(y, m, "y")
    handle = _lib().gd_logistic_new(m, p, ffi.from_buffer("double[]", Xm),
                                    ffi.from_buffer("double[]", yv), float(l2),
                                    INTERCEPT if intercept else 0)
    return Objective._from_handle(handle, "gd_logistic_new")


def softmax(X: npt.ArrayLike, labels: npt.ArrayLike, k: Optional[int] = None,
            l2: float = 0.0, intercept: bool = True) -> Objective:
    """Multinomial regression over k classes (k None: the largest label + 1): mean
    cross-entropy + (l2/2) ||W||^2, the parameters W (k rows of p) then, with
    intercept=True, the k intercepts (not penalized).  Each sample is one term."""
    Xm = _matrix(X, "X")
    m, p = Xm.shape
    raw = np.atleast_1d(np.asarray(labels))
    if raw.dtype.kind not in "iu":
        raise TypeError(f"labels must hold integers, not {raw.dtype}")
    if raw.shape != (m,):
        raise ValueError(f"labels must be a vector of length {m}, not shape {raw.shape}")
    if m and raw.min() < 0:
        raise ValueError("labels must be non-negative")
    lv = np.ascontiguousarray(raw, dtype=np.uintp)
    classes = int(lv.max()) + 1 if k is None and m else k
    handle = _lib().gd_softmax_new(m, p, _positive_size(classes, "k"),
                                   ffi.from_buffer("double[]", Xm),
                                   ffi.from_buffer("size_t[]", lv), float(l2),
                                   INTERCEPT if intercept else 0)
    return Objective._from_handle(handle, "gd_softmax_new")


def geometric_median(points: npt.ArrayLike,
                     weights: Optional[npt.ArrayLike] = None) -> Objective:
    """(1/m) sum_i w_i ||x - p_i|| over the m rows of points."""
    P = _matrix(points, "points")
    m, dim = P.shape
    wptr = ffi.NULL
    if weights is not None:
        w = _float_vector(weights, m, "weights")
        wptr = ffi.from_buffer("double[]", w)
    handle = _lib().gd_geometric_median_new(m, dim, ffi.from_buffer("double[]", P), wptr)
    return Objective._from_handle(handle, "gd_geometric_median_new")


def rosenbrock(n: int = 2) -> Objective:
    """sum_i 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2, minimum 0 at (1, ..., 1)."""
    return Objective._from_handle(_lib().gd_rosenbrock_new(_positive_size(n, "n")),
                                  "gd_rosenbrock_new")


def _method_name(method: object) -> str:
    """The library's name of a method given in any case: "Adam", "adam", "RMSprop"
    (torch.optim's class names are the library's names in other cases)."""
    if not isinstance(method, str):
        raise TypeError(f"method must be a str, not {type(method).__name__}")
    name = METHOD_ALIASES.get(method, method).lower()
    if name not in METHODS:
        raise ValueError(f"unknown method {method!r}; one of {sorted(METHODS)} "
                         "(in any case, as torch.optim's class names)")
    return name


# The parameters that the header documents as booleans and as counts (whole
# numbers), returned as bool and int (tests/test_messages.py checks them against it).
_BOOLEANS = frozenset({"nesterov", "amsgrad", "centered", "maximize",
                       "decoupled_weight_decay", "shuffle"})
_COUNTS = frozenset({"max_iter", "batch_size", "seed", "max_eval", "history_size",
                     "schedule_every"})


def _typed(name: str, value: float) -> Union[bool, int, float]:
    if name in _BOOLEANS:
        return bool(value)
    if name in _COUNTS and value.is_integer():
        return int(value)
    return value


def _parameter_value(name: str, value: object) -> float:
    """value as the double the library takes; an int that a double cannot hold
    exactly (seed=2**53 + 1) is refused rather than rounded."""
    if isinstance(value, (bool, np.bool_)):
        return float(value)
    if isinstance(value, numbers.Integral):
        number = float(value)
        if int(number) != value:
            raise ValueError(f"{name}={value} is not exactly representable as a double")
        return number
    if isinstance(value, numbers.Real):
        return float(value)
    raise TypeError(f"{name} must be a real number, not {type(value).__name__}")


def _milestone(value: object) -> int:
    """A milestone or switch point: an int >= 0."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"milestones must be ints, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"milestones must be >= 0, not {value}")
    return int(value)


#: Schedule kind -> gd_schedule_kind value: torch.optim.lr_scheduler's schedulers by
#: the header's names lower-cased without GD_SCHEDULE_ (Optimizer.add_schedule also
#: takes torch's class names, SCHEDULE_ALIASES, in any case).
SCHEDULES: Mapping[str, int] = MappingProxyType({
    "step": 0, "multistep": 1, "exponential": 2, "cosine": 3, "cosine_restarts": 4,
    "linear": 5, "constant": 6, "polynomial": 7, "one_cycle": 8, "cyclic": 9,
    "plateau": 10, "lambda": 11, "multiplicative": 12, "sequential": 13})

#: torch.optim.lr_scheduler's class names -> the names of SCHEDULES.
SCHEDULE_ALIASES: Mapping[str, str] = MappingProxyType({
    "StepLR": "step", "MultiStepLR": "multistep", "ExponentialLR": "exponential",
    "CosineAnnealingLR": "cosine", "CosineAnnealingWarmRestarts": "cosine_restarts",
    "LinearLR": "linear", "ConstantLR": "constant", "PolynomialLR": "polynomial",
    "OneCycleLR": "one_cycle", "CyclicLR": "cyclic", "ReduceLROnPlateau": "plateau",
    "LambdaLR": "lambda", "MultiplicativeLR": "multiplicative",
    "SequentialLR": "sequential"})

_SCHEDULE_LOOKUP = {**{name: name for name in SCHEDULES},
                    **{alias.lower(): name for alias, name in SCHEDULE_ALIASES.items()}}

# The schedules' numeric options by torch's argument names -> gd_schedule_param (the
# header's names lower-cased, which are torch's); anneal_linear and threshold_abs are
# the library's booleans behind torch's strings anneal_strategy and threshold_mode.
_SCHEDULE_PARAMS = {
    "gamma": 0, "step_size": 1, "T_max": 2, "eta_min": 3, "T_0": 4, "T_mult": 5,
    "start_factor": 6, "end_factor": 7, "total_iters": 8, "factor": 9, "power": 10,
    "max_lr": 11, "total_steps": 12, "pct_start": 13, "anneal_linear": 14,
    "div_factor": 15, "final_div_factor": 16, "three_phase": 17, "base_lr": 18,
    "step_size_up": 19, "step_size_down": 20, "mode": 21, "patience": 22,
    "threshold": 23, "threshold_abs": 24, "cooldown": 25, "min_lr": 26, "eps": 27,
    "cycle_momentum": 28, "base_momentum": 29, "max_momentum": 30}
_SCHEDULE_PARAM_COUNT = 31
# torch's string options: name -> (the library's option, its values).
_SCHEDULE_STRINGS = {
    "anneal_strategy": ("anneal_linear", {"cos": 0, "linear": 1}),
    "threshold_mode": ("threshold_abs", {"rel": 0, "abs": 1}),
}
_SCHEDULE_MODES = {"cyclic": {"triangular": 0, "triangular2": 1, "exp_range": 2},
                   "plateau": {"min": 0, "max": 1}}

#: A child of a "sequential" schedule: (kind, options) or a dict of options with the
#: kind under "kind" (milestones= and lr_lambda= are options there too).
ScheduleChild = Union[Tuple[str, Mapping[str, Any]], Mapping[str, Any]]


def _schedule_kind(kind: object) -> str:
    """The SCHEDULES name of a kind given by that name or by torch's class name, in any
    case."""
    if not isinstance(kind, str):
        raise TypeError(f"schedule kind must be a str, not {type(kind).__name__}")
    name = _SCHEDULE_LOOKUP.get(kind.lower())
    if name is None:
        raise ValueError(f"unknown schedule kind {kind!r}; one of {sorted(SCHEDULES)} "
                         f"or torch's {sorted(SCHEDULE_ALIASES)} (in any case)")
    return name


def _schedule_options(kind: str, handle: Any) -> List[str]:
    """The names add_schedule takes for a kind: torch's options that the library
    reports the kind takes (gd_schedule_get), and milestones, lr_lambda, children."""
    lib, value = _lib(), ffi.new("double *")
    taken = {key for key in range(_SCHEDULE_PARAM_COUNT)
             if lib.gd_schedule_get(handle, key, value) == OK}
    names = [name for name, key in _SCHEDULE_PARAMS.items()
             if key in taken and name not in ("anneal_linear", "threshold_abs")]
    names += [name for name, (option, _) in _SCHEDULE_STRINGS.items()
              if _SCHEDULE_PARAMS[option] in taken]
    if kind in ("multistep", "sequential"):
        names.append("milestones")
    if kind in ("lambda", "multiplicative"):
        names.append("lr_lambda")
    if kind == "sequential":
        names.append("children")
    if kind == "one_cycle":
        names += ["epochs", "steps_per_epoch"]
    return names


def _unset_options(handle: Any) -> List[str]:
    """The required options of a description still unset (they read as NaN)."""
    lib, value = _lib(), ffi.new("double *")
    return [name for name, key in _SCHEDULE_PARAMS.items()
            if name != "step_size_down" and lib.gd_schedule_get(handle, key, value) == OK
            and value[0] != value[0]]


class _ScheduleGuard:
    """Shared by an optimizer and its lr_lambda callbacks: how many lr_lambda calls are
    running, during which the optimizer refuses every call that changes it (the
    library iterates over its parameter groups and schedules around the call)."""

    def __init__(self) -> None:
        self.depth = 0


class _LambdaCallback:
    """The cffi callback of an lr_lambda (gd_lr_lambda_fn) and the exception it raised,
    which must not unwind through C.  After an exception, the callback returns NaN,
    without calling fn again until the exception has been raised to the caller; the
    library refuses a step whose lambda gives NaN (GD_ECALLBACK) before any rate
    changes."""

    def __init__(self, fn: Callable[[int], SupportsFloat], guard: _ScheduleGuard) -> None:
        self.fn, self.guard = fn, guard
        self.error: Optional[BaseException] = None
        self.c = ffi.callback("gd_lr_lambda_fn", self.call, error=float("nan"),
                              onerror=self.onerror)

    def call(self, epoch: int, user: Any) -> float:
        if self.error is not None:
            return float("nan")
        self.guard.depth += 1
        try:
            return float(self.fn(int(epoch)))
        finally:
            self.guard.depth -= 1

    def onerror(self, exc_type: Type[BaseException], exc: Optional[BaseException],
                tb: Optional[TracebackType]) -> float:
        if self.error is None:
            self.error = _with_traceback(exc_type, exc, tb)
        return float("nan")


# torch.optim's pairs, set as two of the library's parameters.
_PAIRS = {"betas": ("beta1", "beta2"), "etas": ("eta_minus", "eta_plus"),
          "step_sizes": ("step_min", "step_max")}


class Optimizer:
    """An update rule of torch.optim, named as in METHODS in any case (for example
    "adam" or "Adam"; L-BFGS also as "L-BFGS" or "LBFGS").

    Parameters are set by the C library's names, for example lr, momentum or beta1,
    and for minimize() max_iter, gtol or batch_size; params() lists those this
    optimizer takes, with their values.  Booleans may be given as True/False.
    """

    def __init__(self, method: str, n: int, *, dtype: npt.DTypeLike = np.float64,
                 **params: Any) -> None:
        method = _method_name(method)
        n = _positive_size(n, "n")
        self.dtype: "np.dtype[Any]" = _precision(dtype)
        single = self.dtype == np.float32
        if single and method == "lbfgs":
            raise ValueError("L-BFGS has no float32 optimizer: its steps evaluate the "
                             "objective, whose x is float64")
        new = _lib().gd_optimizer_new_f32 if single else _lib().gd_optimizer_new
        handle = new(METHODS[method], n)
        if handle == ffi.NULL:
            raise MemoryError("gd_optimizer_new: out of memory")
        self._handle = ffi.gc(handle, _lib().gd_optimizer_free)
        self.method, self.n = method, n
        # True while step() or minimize() runs this optimizer: a nested minimize() from
        # a callback must not replace or remove the running call's monitor.
        self._running = False
        # Where step() has the library store f.
        self._f = ffi.new("double *")
        # The lr_lambda callbacks of the added schedules, which the library calls until
        # clear_schedules(), and the guard they share with this optimizer.
        self._guard = _ScheduleGuard()
        self._lr_lambdas: List[_LambdaCallback] = []
        # The boundaries of the set_range calls, which split 0..n into groups().
        self._bounds: List[int] = []
        # The schedulers of gdescent.lr_scheduler constructed on this optimizer (their
        # shared bookkeeping), or None.
        self._lr_round: Any = None
        self.set(**params)

    def set(self, **params: Any) -> Optimizer:
        """Sets parameters by name; raises GDError (EINVAL) on an unknown name or a value
        out of range, leaving that parameter unchanged.  torch.optim's pairs are taken
        too: betas=(beta1, beta2), etas=(eta_minus, eta_plus) and
        step_sizes=(step_min, step_max)."""
        self._refuse_in_lr_lambda("set")
        for name, value in params.items():
            if name in _PAIRS:
                if not (isinstance(value, (tuple, list)) and len(value) == 2):
                    raise TypeError(f"{name} must be a pair of numbers, not {value!r}")
                self.set(**dict(zip(_PAIRS[name], value)))
                continue
            cname = _c_name(name, "parameter name")
            number = _parameter_value(name, value)
            status = EINVAL if cname is None else _lib().gd_optimizer_set_by_name(
                self._handle, cname, number)
            if status == EINVAL:
                raise self._refused(name, f"{self.method} parameter {name}={value!r}")
            _check(status, f"{self.method} parameter {name}={value!r}")
        return self

    def _refused(self, name: str, context: str) -> GDError:
        """The GDError for a parameter refused by the library: unknown to this
        optimizer (the message lists the names it takes), or a value out of range."""
        valid = list(self.params())
        if name in valid:
            return GDError(EINVAL, context, detail="out of range, or inconsistent with "
                           "the other parameters")
        pairs = [f"{pair}=({a}, {b})" for pair, (a, b) in _PAIRS.items()
                 if a in valid and b in valid]
        listed = ", ".join(valid + pairs)
        return GDError(EINVAL, context, detail=f"{self.method} has no parameter "
                       f"{name!r}; its parameters are {listed}")

    def get(self, name: str) -> Union[bool, int, float]:
        """The current value of a parameter: a bool for a boolean (nesterov, amsgrad,
        ...), an int for a count (max_iter, batch_size, seed), else a float."""
        cname, key = _c_name(name, "parameter name"), ffi.new("gd_param *")
        value = ffi.new("double *")
        if (cname is None or _lib().gd_param_by_name(cname, key) != OK
                or _lib().gd_optimizer_get(self._handle, key[0], value) != OK):
            raise self._refused(name, f"parameter {name!r}")
        return _typed(name, float(value[0]))

    def _key(self, name: str) -> int:
        cname, key = _c_name(name, "parameter name"), ffi.new("gd_param *")
        if cname is None or _lib().gd_param_by_name(cname, key) != OK:
            raise self._refused(name, f"parameter {name!r}")
        return int(key[0])

    def set_range(self, first: int, count: int, **params: Any) -> Optimizer:
        """Sets method parameters for the elements first .. first+count-1 only, as a
        torch parameter group with its own options (set() of a key sets it everywhere
        again); betas=, etas= and step_sizes= pairs are taken as by set().  Raises
        GDError (EINVAL) for a range outside the vector, a run parameter, or a value
        the method refuses; that parameter is then unchanged."""
        self._refuse_in_lr_lambda("set_range")
        first, count = int(first), int(count)
        if first < 0 or count < 0:
            raise GDError(EINVAL, f"set_range({first}, {count})", detail="negative bound")
        for name, value in params.items():
            if name in _PAIRS:
                if not (isinstance(value, (tuple, list)) and len(value) == 2):
                    raise TypeError(f"{name} must be a pair of numbers, not {value!r}")
                self.set_range(first, count, **dict(zip(_PAIRS[name], value)))
                continue
            context = f"{self.method} set_range({first}, {count}, {name}={value!r})"
            status = _lib().gd_optimizer_set_range(self._handle, first, count,
                                                   self._key(name),
                                                   _parameter_value(name, value))
            _check(status, context)
        if params:
            self._bounds = sorted({*self._bounds, first, first + count} - {0, self.n})
        return self

    def groups(self) -> List[Tuple[int, int]]:
        """The parameter groups, as torch.optim's param_groups: (first, count) pairs
        that split 0..n at the bounds of every set_range() call so far (one group
        (0, n) without any).  gdescent.lr_scheduler reports one rate per group,
        read at its first element.  Pickling keeps them; load_state_dict() does not
        change them."""
        edges = [0, *self._bounds, self.n]
        return [(a, b - a) for a, b in zip(edges, edges[1:])]

    def get_range(self, index: int, name: str) -> Union[bool, int, float]:
        """The value of a method parameter in force for element index."""
        value = ffi.new("double *")
        index = int(index)
        if index < 0 or _lib().gd_optimizer_get_range(self._handle, index, self._key(name),
                                                      value) != OK:
            raise GDError(EINVAL, f"get_range({index}, {name!r})",
                          detail="index outside the vector, or not a method parameter")
        return _typed(name, float(value[0]))

    def params(self) -> Dict[str, Union[bool, int, float]]:
        """Every parameter this optimizer takes, with its current value, as a dict in
        key order: the method's own, then the run's and the sampling's.  Booleans
        come back as bool, counts as int, the others as float."""
        lib, value = _lib(), ffi.new("double *")
        out: Dict[str, Union[bool, int, float]] = {}
        for key in range(_PARAM_KEY_LIMIT):
            name = lib.gd_param_name(key)
            if name != ffi.NULL and lib.gd_optimizer_get(self._handle, key, value) == OK:
                text = str(ffi.string(name).decode())
                out[text] = _typed(text, float(value[0]))
        return out

    def reset(self) -> None:
        """Forgets moments, iteration count and sampler position; keeps parameters
        and the schedules' positions."""
        self._refuse_in_lr_lambda("reset")
        _check(_lib().gd_optimizer_reset(self._handle), "gd_optimizer_reset")

    @property
    def iterations(self) -> int:
        """Updates made since creation or the last reset()."""
        return int(_lib().gd_optimizer_iterations(self._handle))

    @property
    def evaluations(self) -> int:
        """Objective evaluations made by step() and minimize() since creation or the
        last reset(), failed ones included."""
        return int(_lib().gd_optimizer_evaluations(self._handle))

    @property
    def last_f(self) -> float:
        """f of the last successful evaluation (after minimize(): at its final x, of
        the full objective or, with batch_size > 0, of the last batch); NaN before any
        since creation or reset()."""
        return float(_lib().gd_optimizer_last_f(self._handle))

    @property
    def last_grad_norm(self) -> float:
        """Norm of the gradient of that same evaluation; NaN before any."""
        return float(_lib().gd_optimizer_last_grad_norm(self._handle))

    def state(self, name: str) -> Union[FloatArray, float]:
        """A copy of the state torch.optim keeps under the key name: an array of the
        optimizer's dtype and shape (n,) for a vector ("exp_avg", "exp_avg_sq", "max_exp_avg_sq",
        "momentum_buffer", "square_avg", "grad_avg", "sum"), a float for a scalar
        ("step").  When n = 1 the library cannot tell the two apart, and every key
        gives an array of shape (1,).  Raises KeyError for a key the method does not
        keep under its current parameters (such as "momentum_buffer" before a step
        used momentum)."""
        lib, cname = _lib(), _c_name(name, "state key")
        if cname is None:
            raise KeyError(name)
        vector = np.empty(self.n)
        if lib.gd_optimizer_get_state(self._handle, cname,
                                      ffi.from_buffer("double[]", vector), self.n) == OK:
            return vector.astype(self.dtype, copy=False)  # a float32 state is exact
        scalar = ffi.new("double *")
        if lib.gd_optimizer_get_state(self._handle, cname, scalar, 1) == OK:
            return float(scalar[0])
        raise KeyError(name)

    @property
    def isa(self) -> str:
        """Instruction-set level of the update loops: "baseline", "avx2" or "avx512"."""
        return str(ffi.string(_lib().gd_optimizer_isa(self._handle)).decode())

    def update(self, x: "AnyFloatArray", grad: npt.ArrayLike) -> None:
        """One update of x (an array of the optimizer's dtype and shape (n,), changed in
        place) with the gradient grad: for a float64 optimizer any real array of shape
        (n,), for a float32 one a float32 array (TypeError otherwise: a float64
        gradient would be rounded without a word).  grad may overlap x (x = a[1:],
        grad = a[:-1]): it is then copied first, since the library requires distinct
        arrays, so the update is the one of the gradient as it was at the call."""
        self._refuse_in_lr_lambda("update")
        _inplace_vector(x, self.n, self.dtype)
        lib = _lib()
        g: "AnyFloatArray"
        if self.dtype == np.float32:
            g, ctype = _float32_vector(grad, self.n, "grad"), "float[]"
            update, name = lib.gd_optimizer_update_f32, "gd_optimizer_update_f32"
        else:
            g, ctype = _float_vector(grad, self.n, "grad"), "double[]"
            update, name = lib.gd_optimizer_update, "gd_optimizer_update"
        if np.may_share_memory(g, x):
            g = g.copy()
        with _InPlace(x) as xp:
            status = update(self._handle, xp, ffi.from_buffer(ctype, g))
        _check(status, name)

    def state_dict(self) -> bytes:
        """The optimizer's saved state, a checkpoint to resume from.  It is named as
        torch.optim's state_dict() is, and used the same way, but it is bytes, not a
        dict: the library's versioned little-endian format with a checksum, which holds
        everything that decides the next update (every parameter and range, the step
        count and run summary, the state vectors and L-BFGS's history, the schedules
        with their positions and base rates, the mini-batch sampler's position and
        seed).  load_state_dict() of it, on an optimizer of the same method and n in
        this process or another (or at another instruction-set level), continues bit
        for bit.  Code is not saved: the functions of lr_lambda schedules (see
        load_state_dict) and the callback of minimize()."""
        lib = _lib()
        size = int(lib.gd_optimizer_state_size(self._handle))
        buf = ffi.new("unsigned char[]", size)
        _check(lib.gd_optimizer_save(self._handle, buf, size), "gd_optimizer_save")
        return bytes(ffi.buffer(buf, size))

    def load_state_dict(self, state: bytes) -> None:
        """Replaces this optimizer's state by one state_dict() returned (bytes or any
        bytes-like object): the next updates are those the saved optimizer would have
        made.  The optimizer keeps its instruction-set level.  The schedules become the
        saved ones; a saved lambda or multiplicative schedule takes its lr_lambda from
        this optimizer's schedule at the same place, so add the same schedules, with
        their functions, before loading such a state.

        Raises TypeError for a str or another non-bytes argument, and GDError, with the
        optimizer unchanged: EFORMAT for what is not a saved state, is damaged (every
        single-bit change is caught), truncated or of a newer format; EINVAL for a
        state of another method or n, or with an lr_lambda this optimizer does not
        hold at the same place; EBUSY from a callback of a run of this optimizer."""
        context = "load_state_dict"
        self._refuse_in_lr_lambda(context)
        if isinstance(state, str) or not isinstance(state, (bytes, bytearray, memoryview)):
            raise TypeError(f"state must be bytes (from state_dict()), not "
                            f"{type(state).__name__}")
        data = state if isinstance(state, bytes) else bytes(state)
        status = _lib().gd_optimizer_load(self._handle, ffi.from_buffer(data), len(data))
        if status in (EFORMAT, EINVAL):
            raise self._refused_state(status, data, context)
        _check(status, "gd_optimizer_load")

    def save(self, path: PathArg) -> None:
        """Writes state_dict() to the file path (str, bytes or path-like; a NUL in it
        raises ValueError), replacing the file atomically: a crash at any point leaves
        the old file or the new one, each loadable.  Raises GDError: EIO when the file
        cannot be written (the old one is then untouched), EINVAL for an empty path."""
        raw = _c_path(path)
        _check(_lib().gd_optimizer_save_file(self._handle, raw),
               f"writing {os.fsdecode(raw)}")

    def load(self, path: PathArg) -> None:
        """load_state_dict() from a file save() wrote; raises ValueError for a NUL in
        path, GDError EIO when the file cannot be read, and otherwise as
        load_state_dict() (the optimizer unchanged on every error)."""
        self._refuse_in_lr_lambda("load")
        raw = _c_path(path)
        context = f"loading {os.fsdecode(raw)}"
        status = _lib().gd_optimizer_load_file(self._handle, raw)
        if status in (EFORMAT, EINVAL) and raw:
            try:
                with open(raw, "rb") as file:
                    header = file.read(_STATE_HEADER_BYTES)
            except OSError:
                header = b""
            raise self._refused_state(status, header, context)
        _check(status, context)

    def _refused_state(self, status: int, data: bytes, context: str) -> GDError:
        """The GDError of a refused load, saying why from the state's header."""
        header = _state_header(data)
        if status == EFORMAT or header is None:
            return GDError(status, context)
        method, n, precision = header
        names = {value: name for name, value in METHODS.items()}
        if method != METHODS[self.method] or n != self.n:
            return GDError(EINVAL, context, detail=f"a state of {names.get(method, method)} "
                           f"with n = {n}, not of {self.method} with n = {self.n}")
        if precision != 0:
            return GDError(EINVAL, context, detail="a state of another precision")
        return GDError(EINVAL, context, detail="the state has a lambda or multiplicative "
                       "schedule whose lr_lambda this optimizer does not hold at the same "
                       "place: add the same schedules, with their lr_lambda, first")

    def __reduce__(self) -> Tuple[Callable[[str, int, bytes, Sequence[int], str], Optimizer],
                                  Tuple[str, int, bytes, Tuple[int, ...], str]]:
        """Pickling, copy.copy and copy.deepcopy: a new Optimizer of the same method,
        n and dtype loaded from state_dict(), which continues bit for bit.  An optimizer
        with lambda or multiplicative schedules is refused (TypeError): their lr_lambda
        functions are code, which the state does not hold; use state_dict() and
        load_state_dict() on an optimizer with the same schedules added."""
        state = self.state_dict()
        try:
            # The restore that unpickling will make, tried now so that an optimizer
            # that cannot be restored is refused here and not when it is loaded.
            _restore_optimizer(self.method, self.n, state, (), str(self.dtype))
        except GDError as exc:
            if exc.status != EINVAL:
                raise
            raise TypeError(
                "cannot pickle or copy a gdescent.Optimizer with a lambda or "
                "multiplicative schedule: its lr_lambda is code, which the saved state "
                "does not hold; add the same schedules to a new Optimizer and call its "
                "load_state_dict(state_dict())") from None
        return _restore_optimizer, (self.method, self.n, state, tuple(self._bounds),
                                    str(self.dtype))

    def _refuse_in_lr_lambda(self, context: str) -> None:
        """Refuses a call that would change this optimizer from inside one of its
        lr_lambda functions (the library may only be read there)."""
        if self._guard.depth:
            raise GDError(EBUSY, context, detail="called from an lr_lambda of this "
                          "optimizer, which may only read it")

    def _take_lr_lambda_error(self) -> Optional[BaseException]:
        """The exception an lr_lambda raised during the last library call, if any;
        forgets it (and any later one)."""
        pending = None
        for callback in self._lr_lambdas:
            if callback.error is not None and pending is None:
                pending = callback.error
            callback.error = None
        return pending

    def _raise_lr_lambda_error(self) -> None:
        """Raises the exception an lr_lambda raised during the last library call."""
        pending = self._take_lr_lambda_error()
        if pending is not None:
            raise pending

    def _schedule(self, kind: str, milestones: Optional[Sequence[int]],
                  lr_lambda: Optional[Callable[[int], SupportsFloat]],
                  children: Optional[Sequence[ScheduleChild]], options: Dict[str, Any],
                  keep: List[_LambdaCallback]) -> Any:
        """A new gd_schedule handle (the caller frees it) described by the arguments;
        the lr_lambda callbacks made for it and its children are appended to keep."""
        name = _schedule_kind(kind)
        lib = _lib()
        handle = lib.gd_schedule_new(SCHEDULES[name])
        if handle == ffi.NULL:
            raise MemoryError("gd_schedule_new: out of memory")
        try:
            self._describe(name, handle, milestones, lr_lambda, children, options, keep)
        except BaseException:
            lib.gd_schedule_free(handle)
            raise
        return handle

    def _describe(self, name: str, handle: Any, milestones: Optional[Sequence[int]],
                  lr_lambda: Optional[Callable[[int], SupportsFloat]],
                  children: Optional[Sequence[ScheduleChild]], options: Dict[str, Any],
                  keep: List[_LambdaCallback]) -> None:
        lib, context = _lib(), f"{name} schedule"

        def refused(option: str, value: object) -> GDError:
            valid = _schedule_options(name, handle)
            where = f"{context} option {option}={value!r}"
            if option in valid:
                return GDError(EINVAL, where, detail="out of range")
            return GDError(EINVAL, where, detail=f"{name} has no option {option!r}; its "
                           f"options are {', '.join(valid) or 'none'}")

        options = dict(options)
        if name == "one_cycle" and ("epochs" in options or "steps_per_epoch" in options):
            # torch's alternative to total_steps: epochs * steps_per_epoch.
            if options.get("total_steps") is not None:
                raise TypeError("one_cycle takes total_steps or epochs and "
                                "steps_per_epoch, not both")
            epochs, per_epoch = options.pop("epochs", None), options.pop(
                "steps_per_epoch", None)
            options["total_steps"] = (_positive_size(epochs, "epochs") *
                                      _positive_size(per_epoch, "steps_per_epoch"))
        for option, value in options.items():
            if option in _SCHEDULE_STRINGS or (option == "mode" and isinstance(value, str)):
                target, values = (_SCHEDULE_STRINGS[option] if option != "mode"
                                  else ("mode", _SCHEDULE_MODES.get(name, {})))
                if not isinstance(value, str):
                    raise TypeError(f"{option} must be a str, not {type(value).__name__}")
                if target == "mode" and name not in _SCHEDULE_MODES:
                    raise refused(option, value)
                if value not in values:
                    raise GDError(EINVAL, f"{context} option {option}={value!r}",
                                  detail=f"one of {', '.join(map(repr, values))}")
                option_key, number = _SCHEDULE_PARAMS[target], float(values[value])
            elif option in _SCHEDULE_PARAMS:
                option_key = _SCHEDULE_PARAMS[option]
                number = (float("nan") if value is None and option == "step_size_down"
                          else _parameter_value(option, value))
            else:
                raise refused(option, value)
            if lib.gd_schedule_set(handle, option_key, number) != OK:
                raise refused(option, value)
        if milestones is not None:
            raw = [_milestone(m) for m in milestones]
            points = ffi.new("size_t[]", raw) if raw else ffi.NULL
            if lib.gd_schedule_set_milestones(handle, points, len(raw)) != OK:
                detail = ("switch points must be in non-decreasing order"
                          if name == "sequential" else f"{name} takes no milestones")
                raise GDError(EINVAL, f"{context} milestones={list(milestones)!r}",
                              detail=detail)
        if lr_lambda is not None:
            if not callable(lr_lambda):
                raise TypeError("lr_lambda must be callable: epoch -> factor")
            callback = _LambdaCallback(lr_lambda, self._guard)
            if lib.gd_schedule_set_lambda(handle, callback.c, ffi.NULL) != OK:
                raise GDError(EINVAL, f"{context} lr_lambda",
                              detail=f"{name} takes no lr_lambda")
            keep.append(callback)
        if children is not None:
            if name != "sequential":
                raise GDError(EINVAL, f"{context} children",
                              detail=f"{name} takes no children")
            if isinstance(children, (str, bytes)) or not isinstance(children, Sequence):
                raise TypeError("children must be a list of (kind, options) or of dicts "
                                "with a 'kind'")
            for child in children:
                self._append_child(handle, child, keep)

    def _append_child(self, handle: Any, child: object,
                      keep: List[_LambdaCallback]) -> None:
        if isinstance(child, Mapping):
            options = dict(child)
            if "kind" not in options:
                raise TypeError(f"a child given as a dict needs a 'kind': {child!r}")
            kind = options.pop("kind")
        elif isinstance(child, (tuple, list)) and len(child) == 2 and isinstance(
                child[1], Mapping):
            kind, options = child[0], dict(child[1])
        else:
            raise TypeError(f"a child must be (kind, options) or a dict with a 'kind', "
                            f"not {child!r}")
        child_handle = self._schedule(
            kind, options.pop("milestones", None), options.pop("lr_lambda", None),
            options.pop("children", None), options, keep)
        try:
            status = _lib().gd_schedule_append(handle, child_handle)
        finally:
            _lib().gd_schedule_free(child_handle)
        if status == EINVAL:
            raise GDError(EINVAL, f"sequential schedule child {kind!r}",
                          detail="a sequential schedule takes no sequential or plateau "
                          "children")
        _check(status, "gd_schedule_append")

    def add_schedule(self, kind: str, *, milestones: Optional[Sequence[int]] = None,
                     lr_lambda: Optional[Callable[[int], SupportsFloat]] = None,
                     children: Optional[Sequence[ScheduleChild]] = None,
                     **options: Any) -> Optimizer:
        """Adds a learning-rate schedule of torch.optim.lr_scheduler, as constructing
        that scheduler on this optimizer does: the rates (and for one_cycle and cyclic
        the momentum or beta1) of epoch 0 are applied to every range (set_range) from
        its own base rate.  Schedules added one after another act in turn at every
        schedule_step(), as torch's ChainedScheduler.  Returns self.

        kind: a name of SCHEDULES ("step", "cosine", "one_cycle", "plateau", ...) or
        torch's class name ("StepLR", "CosineAnnealingLR", ...), in any case.
        options: torch's arguments by name (gamma, step_size, T_max, eta_min, T_0,
        T_mult, start_factor, end_factor, total_iters, factor, power, max_lr,
        total_steps or epochs and steps_per_epoch, pct_start, div_factor,
        final_div_factor, three_phase, base_lr, step_size_up, step_size_down (None
        for step_size_up), patience, threshold, cooldown, min_lr, eps, cycle_momentum,
        base_momentum, max_momentum) with torch's defaults, and torch's strings
        anneal_strategy ("cos", "linear"), mode ("triangular", "triangular2",
        "exp_range" for cyclic; "min", "max" for plateau) and threshold_mode ("rel",
        "abs").  Per-group lists of values are not taken (set the base rates with
        set_range).
        milestones: multistep's epochs, or sequential's switch points (ints >= 0).
        lr_lambda: lambda's and multiplicative's function epoch -> factor; kept alive
        with this optimizer until clear_schedules().  An exception raised in it is
        raised again by the call that ran it (add_schedule, schedule_step or
        minimize); the step it interrupted changed nothing (no schedule stepped, the
        rates are as before), and the next step calls it again.  It may read this optimizer,
        and any call that changes it raises GDError (EBUSY).
        children: sequential's schedules, each (kind, options) or a dict of options
        with the kind under "kind" (milestones and lr_lambda among them).

        Raises ValueError for an unknown kind, GDError (EINVAL) for an option the kind
        does not take (listing those it takes), a value out of range, a required
        option left unset (step_size, T_max, max_lr, ...), cycle_momentum on a method
        without momentum or beta1; nothing is added then."""
        context = f"add_schedule({kind!r})"
        self._refuse_in_lr_lambda(context)
        keep: List[_LambdaCallback] = []
        handle = self._schedule(kind, milestones, lr_lambda, children, options, keep)
        try:
            unset = _unset_options(handle)
            status = _lib().gd_optimizer_add_schedule(self._handle, handle)
        finally:
            _lib().gd_schedule_free(handle)
        if status == OK:
            # The optimizer's copy calls these from now on, until clear_schedules().
            self._lr_lambdas.extend(keep)
        else:  # a refused schedule's own functions may have raised (GD_ECALLBACK)
            for callback in keep:
                if callback.error is not None:
                    raise callback.error
        self._raise_lr_lambda_error()
        if status == EINVAL and unset:
            raise GDError(EINVAL, context, detail=f"{', '.join(unset)} must be given")
        if status == EINVAL:
            raise GDError(EINVAL, context, detail="the schedule does not fit this "
                          "optimizer (cycle_momentum without momentum or beta1, a "
                          "one_cycle phase of no width, a lambda kind without "
                          "lr_lambda, sequential milestones not one fewer than its "
                          "children)")
        _check(status, context)
        return self

    def schedule_step(self, metric: Optional[SupportsFloat] = None) -> None:
        """One scheduler.step() of every added schedule, in the order they were added;
        metric is what a plateau schedule judges (torch's step(metrics); None counts
        as no improvement and is what the other kinds take).  Raises GDError
        (EINVAL) for a one_cycle schedule past its total_steps, stepping none; an
        exception raised by an lr_lambda reaches the caller, and no schedule steps."""
        self._refuse_in_lr_lambda("schedule_step")
        value = float("nan") if metric is None else float(metric)
        status = _lib().gd_optimizer_schedule_step(self._handle, value)
        self._raise_lr_lambda_error()
        if status == EINVAL:
            raise GDError(EINVAL, "schedule_step", detail="a one_cycle schedule is past "
                          "its total_steps")
        _check(status, "gd_optimizer_schedule_step")

    def clear_schedules(self) -> None:
        """Removes every schedule (and the lr_lambda functions kept for them); the
        rates in force stay."""
        self._refuse_in_lr_lambda("clear_schedules")
        _check(_lib().gd_optimizer_clear_schedules(self._handle),
               "gd_optimizer_clear_schedules")
        self._lr_lambdas = []


# The header of a saved state (doc/state-format.md): magic, format version,
# precision, method, reserved (u32 each after the 8-byte magic), n, size (u64).
_STATE_HEADER_BYTES = 40


def _state_header(data: bytes) -> Optional[Tuple[int, int, int]]:
    """(method, n, precision) of a saved state's header, or None for a short one."""
    if len(data) < _STATE_HEADER_BYTES:
        return None
    return (int.from_bytes(data[16:20], "little"), int.from_bytes(data[24:32], "little"),
            int.from_bytes(data[12:16], "little"))


def _restore_optimizer(method: str, n: int, state: bytes, bounds: Sequence[int] = (),
                       dtype: str = "float64") -> Optimizer:
    """An Optimizer of method, n and dtype loaded from state, with the groups() of
    bounds: what unpickling calls."""
    optimizer = Optimizer(method, n, dtype=dtype)
    optimizer.load_state_dict(state)
    optimizer._bounds = [int(b) for b in bounds]
    return optimizer


class Trajectory:
    """Records of runs: iteration, f and gradient norm, and x when record_x is set.
    Every `stride`-th iteration is kept (and always the first and the last)."""

    def __init__(self, n: int, record_x: bool = False, stride: int = 1) -> None:
        n = _positive_size(n, "n")
        handle = _lib().gd_trajectory_new(n, TRAJ_X if record_x else 0)
        if handle == ffi.NULL:
            raise MemoryError("gd_trajectory_new: out of memory")
        self._handle = ffi.gc(handle, _lib().gd_trajectory_free)
        self.n, self.record_x = n, bool(record_x)
        _check(_lib().gd_trajectory_set_stride(handle, _positive_size(stride, "stride")),
               "gd_trajectory_set_stride")

    def __len__(self) -> int:
        return int(_lib().gd_trajectory_len(self._handle))

    def _column(self, dtype: Any, which: int, width: int = 1) -> npt.NDArray[Any]:
        rows = len(self)
        out = np.empty((rows, width) if width > 1 else rows, dtype=dtype)
        args = [ffi.NULL] * 4
        args[which] = ffi.from_buffer("size_t[]" if which == 0 else "double[]", out)
        _check(_lib().gd_trajectory_copy(self._handle, 0, rows, *args),
               "gd_trajectory_copy")
        return out

    @property
    def iter(self) -> IntArray:
        """Iteration numbers, int64 array (one bulk copy)."""
        return self._column(np.uintp, 0).astype(np.int64)

    @property
    def f(self) -> FloatArray:
        """Objective values, float64 array."""
        return self._column(np.float64, 1)

    @property
    def grad_norm(self) -> FloatArray:
        """Gradient norms, float64 array."""
        return self._column(np.float64, 2)

    @property
    def x(self) -> FloatArray:
        """Iterates, float64 array of shape (len, n); requires record_x=True."""
        if not self.record_x:
            raise ValueError("this trajectory does not record x (record_x=False)")
        return self._column(np.float64, 3, self.n).reshape(len(self), self.n)

    def clear(self) -> None:
        _lib().gd_trajectory_clear(self._handle)

    def write_csv(self, path: PathArg) -> None:
        """Writes the records as CSV to path (str, bytes or path-like, encoded as the
        file system encodes names); a NUL in the path raises ValueError."""
        raw = _c_path(path)
        _check(_lib().gd_trajectory_write_csv(self._handle, raw),
               f"writing {os.fsdecode(raw)}")


class Result:
    """Outcome of minimize().

    x            the final iterate (a new array);
    f            f at the final x: of the full objective, or with mini-batches
                 (batch_size > 0) the value of the last batch drawn, at the final x;
    grad_norm    the norm of the gradient of that same evaluation;
    status       the GD_STOP_* code, status_name its name ("maxiter", "gtol", ...);
    iterations   updates made by this call;
    nfev         objective evaluations made by this call (max_iter updates take
                 max_iter + 1);
    trajectory   the Trajectory appended to, or None when none was asked for.
    """

    def __init__(self, x: FloatArray, f: float, status: int, iterations: int,
                 trajectory: Optional[Trajectory], grad_norm: float = float("nan"),
                 nfev: Optional[int] = None) -> None:
        self.x, self.f, self.grad_norm, self.status = x, f, grad_norm, status
        self.status_name = STOP_NAMES.get(status, str(status))
        self.iterations, self.nfev, self.trajectory = iterations, nfev, trajectory

    def __repr__(self) -> str:
        return (f"Result(status={self.status_name}, iterations={self.iterations}, "
                f"nfev={self.nfev}, f={self.f!r}, grad_norm={self.grad_norm!r}, "
                f"x={self.x!r})")


def _check_pair(opt: object, obj: object) -> None:
    if not isinstance(opt, Optimizer):
        raise TypeError("optimizer must be a gdescent.Optimizer or a method name")
    if not isinstance(obj, Objective):
        raise TypeError("objective must be a gdescent.Objective")
    if opt.dtype != np.float64:
        raise TypeError("a float32 Optimizer updates only through update(x, grad): step() "
                        "and minimize() evaluate objectives, whose x is float64")
    if opt.n != obj.n:
        raise ValueError(f"optimizer has n = {opt.n} but objective has n = {obj.n}")


def step(optimizer: Optimizer, objective: Objective, x: FloatArray) -> float:
    """One evaluation and update of x in place; returns f at x before the update."""
    # _check_pair and _inplace_vector, which raise, are called only when the common
    # case's tests fail: at n = 2 the checks were most of a step()'s cost beyond fun's
    # own time (bench/README.md, "Python callbacks").
    if not (isinstance(optimizer, Optimizer) and isinstance(objective, Objective)
            and optimizer.n == objective.n and optimizer.dtype is _F64):
        _check_pair(optimizer, objective)
    n = objective.n
    if optimizer._guard.depth:
        optimizer._refuse_in_lr_lambda("gdescent.step")
    # Writeable and contiguous is what from_buffer(..., True) asks of the buffer
    # (ValueError otherwise): cheaper than reading x.flags, which builds an object.
    work = None
    if type(x) is _ndarray and x.dtype is _F64 and x.shape == (n,):
        try:
            buf = _from_buffer(_DOUBLES, x, True)
            work = x
        except ValueError:
            pass
    if work is None:
        _inplace_vector(x, n)
        # As _InPlace, inline: a non-contiguous x goes through a contiguous copy that
        # is written back, also when the call raises.
        work = x if x.flags.c_contiguous else np.ascontiguousarray(x)
        buf = _from_buffer(_DOUBLES, work, False)
    running = optimizer._running
    # The optimizer's own f, but for a nested call (which the library refuses).
    f = ffi.new("double *") if running else optimizer._f
    optimizer._running = True
    try:
        status = _lib().gd_step(optimizer._handle, objective._handle, buf, f)
    finally:
        optimizer._running = running
        if work is not x:
            x[...] = work
    state = objective._state
    if state is not None and state.error is not None:
        state.raise_pending()
    if status < 0:
        raise GDError(status, "gd_step")
    value: float = f[0]  # cffi reads a double as a float
    return value


def _monitor_callback(holder: Dict[str, Any]) -> Any:
    """The C monitor around holder["fn"]; an exception raised in it, at its entry
    included, is kept in holder["error"] and stops the run (as in _Callback)."""
    def monitor(it: int, x: Any, n: int, f: float, user: Any) -> int:
        return 1 if holder["fn"](it, _copy_of(x, n), f) else 0

    def onerror(exc_type: Type[BaseException], exc: Optional[BaseException],
                tb: Optional[TracebackType]) -> int:
        if holder["error"] is None:
            holder["error"] = _with_traceback(exc_type, exc, tb)
        return 1
    return ffi.callback("gd_monitor_fn", monitor, error=1, onerror=onerror)


#: A callback of the Objective-based minimize(): callback(iteration, x, f).
MonitorFn = Callable[[int, "FloatArray", float], Any]


@overload
def minimize(fun: Objective, x0: npt.ArrayLike, optimizer: Union[str, Optimizer] = ...,
             *, trajectory: Optional[Trajectory] = ..., record_x: bool = ...,
             callback: Optional[MonitorFn] = ..., **params: Any) -> Result: ...


@overload
def minimize(fun: Callable[..., Any], x0: npt.ArrayLike, args: Any = ...,
             method: Union[str, Optimizer, None] = ...,
             jac: Union[bool, Callable[..., Any], None] = ..., hess: Any = ...,
             hessp: Any = ..., bounds: Any = ..., constraints: Any = ...,
             tol: Optional[float] = ..., callback: Optional[Callable[..., Any]] = ...,
             options: Optional[Mapping[str, Any]] = ...) -> OptimizeResult: ...


def minimize(fun: Any, x0: npt.ArrayLike, *args: Any,
             **kwargs: Any) -> Union[Result, OptimizeResult]:
    """Minimizes from a copy of x0, called in one of two ways.

    minimize(objective, x0, optimizer="sgd", *, trajectory=None, record_x=False,
             callback=None, **params) -> Result
        when the first argument is a gdescent Objective; see _minimize_objective
        below (and the package's README).

    minimize(fun, x0, args=(), method="sgd", jac=None, hess=None, hessp=None,
             bounds=None, constraints=(), tol=None, callback=None, options=None)
             -> OptimizeResult
        as scipy.optimize.minimize: fun(x, *args) returns f, and the gradient comes
        from jac=True (fun returns (f, g)) or jac(x, *args).  method is a gdescent
        method in any case or an Optimizer; options holds SciPy's maxiter, gtol
        (on the 2-norm of the gradient), ftol, xtol and disp (ignored) and the
        method's parameters (lr, betas, weight_decay, ...); tol sets gtol.
        callback(xk), or callback(intermediate_result) by that parameter name, is
        called after every update; raising StopIteration in it ends the run.
        success is True when gtol, ftol or xtol ended the run and False with status
        1 when maxiter did.  Finite differences (jac=None), bounds, constraints and
        Hessians are not supported: they raise TypeError.
    """
    if isinstance(fun, Objective):
        return _minimize_objective(fun, x0, *args, **kwargs)
    return _minimize_scipy(fun, x0, *args, **kwargs)


class OptimizeResult(Dict[str, Any]):
    """The result of the SciPy-style minimize(), as scipy.optimize.OptimizeResult: a
    dict whose keys are also attributes.

    x        the final iterate;           fun      f at x;
    jac      the gradient at x;           nit      updates made;
    nfev     evaluations of fun (njev the same: each evaluation gives f and g);
    status   0 converged (gtol, ftol or xtol), 1 maxiter, 3 f or the gradient not
             finite (x is the last finite iterate), 99 the callback raised
             StopIteration;
    success  status == 0;                 message  the reason, in words;
    stop     the library's stop reason ("gtol", "maxiter", ...) or "diverged".
    """

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __dir__(self) -> List[str]:
        return list(self.keys())

    def __repr__(self) -> str:
        if not self:
            return "OptimizeResult()"
        width = max(map(len, self)) + 1
        return "\n".join(f"{key.rjust(width)}: {value!r}" for key, value in self.items())


_SCIPY_MESSAGES = {
    STOP_GTOL: "Optimization terminated successfully: the gradient norm is at or "
               "below gtol.",
    STOP_FTOL: "Optimization terminated successfully: the relative change of f is at "
               "or below ftol.",
    STOP_XTOL: "Optimization terminated successfully: the relative step is at or "
               "below xtol.",
    STOP_MAXITER: "Maximum number of iterations has been exceeded.",
    STOP_USER: "`callback` raised `StopIteration`.",
}
_SCIPY_STATUS = {STOP_GTOL: 0, STOP_FTOL: 0, STOP_XTOL: 0, STOP_MAXITER: 1,
                 STOP_USER: 99}
# SciPy's option names that are not the library's; disp is accepted and ignored.
_SCIPY_OPTIONS = {"maxiter": "max_iter"}


class _ScipyFunction:
    """fun and jac of a SciPy call as the (f, grad) of an Objective; keeps the last
    gradient for OptimizeResult.jac."""

    def __init__(self, fun: Callable[..., Any], jac: Union[bool, Callable[..., Any]],
                 args: Tuple[Any, ...]) -> None:
        self.fun, self.jac, self.args = fun, jac, args
        self.grad: Optional[FloatArray] = None

    def __call__(self, x: FloatArray) -> Tuple[float, FloatArray]:
        if self.jac is True:
            value = self.fun(x, *self.args)
            if not (isinstance(value, (tuple, list)) and len(value) == 2):
                raise TypeError("with jac=True, fun must return (f, gradient)")
            f, g = value
        else:
            assert callable(self.jac)
            f, g = self.fun(x, *self.args), self.jac(x, *self.args)
        grad: FloatArray = np.array(g, dtype=np.float64)
        self.grad = grad
        return _scalar(f), grad


def _scalar(f: object) -> float:
    arr = np.asarray(f)
    if arr.size != 1 or arr.dtype.kind not in "biuf":
        raise TypeError(f"fun must return a real scalar, not {f!r}")
    return float(arr.reshape(()))


def _wants_intermediate_result(callback: Callable[..., Any]) -> bool:
    try:
        parameters = inspect.signature(callback).parameters
    except (TypeError, ValueError):
        return False
    return list(parameters) == ["intermediate_result"]


def _minimize_scipy(fun: Callable[..., Any], x0: npt.ArrayLike, args: Any = (),
                    method: Union[str, Optimizer, None] = None,
                    jac: Union[bool, Callable[..., Any], None] = None, hess: Any = None,
                    hessp: Any = None, bounds: Any = None, constraints: Any = (),
                    tol: Optional[float] = None,
                    callback: Optional[Callable[..., Any]] = None,
                    options: Optional[Mapping[str, Any]] = None) -> OptimizeResult:
    if not callable(fun):
        raise TypeError("fun must be callable (or a gdescent.Objective)")
    for name, value in (("hess", hess), ("hessp", hessp)):
        if value is not None:
            raise TypeError(f"gdescent.minimize does not take {name}=: its methods use "
                            "first derivatives only")
    if bounds is not None:
        raise TypeError("gdescent.minimize does not take bounds=: its methods are "
                        "unconstrained")
    if constraints is not None and not (isinstance(constraints, (tuple, list, dict))
                                        and len(constraints) == 0):
        raise TypeError("gdescent.minimize does not take constraints=: its methods are "
                        "unconstrained")
    if jac is not True and not callable(jac):
        raise TypeError(f"gdescent.minimize needs the gradient: jac=True (fun returns "
                        f"(f, g)) or a callable jac(x, *args), not jac={jac!r} (finite "
                        "differences are not supported)")
    if callback is not None and not callable(callback):
        raise TypeError("callback must be callable or None")
    if not isinstance(args, tuple):
        args = (args,)
    x = np.atleast_1d(np.asarray(x0))
    if x.ndim != 1:
        raise ValueError("'x0' must only have one dimension.")
    n = x.shape[0]
    settings = dict(options or {})
    settings.pop("disp", None)
    settings = {_SCIPY_OPTIONS.get(key, key): value for key, value in settings.items()}
    if tol is not None:
        settings.setdefault("gtol", tol)
    if isinstance(method, Optimizer):
        optimizer = method.set(**settings)
    else:
        optimizer = Optimizer("sgd" if method is None else method, n, **settings)
    function = _ScipyFunction(fun, jac, args)
    monitor: Optional[MonitorFn] = None
    if callback is not None:
        intermediate = _wants_intermediate_result(callback)
        user_callback = callback

        def scipy_monitor(k: int, xk: FloatArray, f: float) -> bool:
            try:
                if intermediate:
                    user_callback(OptimizeResult(x=xk, fun=f, nit=k))
                else:
                    user_callback(xk)
            except StopIteration:
                return True
            return False
        monitor = scipy_monitor
    iterations, evaluations = optimizer.iterations, optimizer.evaluations
    try:
        r = _minimize_objective(Objective(function, n), x, optimizer, callback=monitor)
    except GDError as exc:
        if exc.status != EDIVERGED:
            raise
        nfev = optimizer.evaluations - evaluations
        return OptimizeResult(x=exc.x, fun=optimizer.last_f, jac=function.grad,
                              nit=optimizer.iterations - iterations, nfev=nfev,
                              njev=nfev, status=3, success=False, message=str(exc),
                              stop="diverged")
    status = _SCIPY_STATUS.get(r.status, r.status)
    return OptimizeResult(x=r.x, fun=r.f, jac=function.grad, nit=r.iterations,
                          nfev=r.nfev, njev=r.nfev, status=status, success=status == 0,
                          message=_SCIPY_MESSAGES.get(r.status, r.status_name),
                          stop=r.status_name)


def _minimize_objective(objective: Objective, x0: npt.ArrayLike,
                        optimizer: Union[str, Optimizer] = "sgd", *,
                        trajectory: Optional[Trajectory] = None, record_x: bool = False,
                        callback: Optional[MonitorFn] = None,
                        **params: Any) -> Result:
    """Runs gd_minimize from a copy of x0 and returns a Result.

    optimizer is an Optimizer (its state carries over between calls) or a method name
    (a new Optimizer with **params).  Calls on one Optimizer chain: a call that starts
    from the previous call's final x (result.x) on the same objective continues that
    run exactly, so k calls of max_iter = m end where one call of max_iter = k m does.
    trajectory: a Trajectory to append to; None records nothing, unless record_x is
    set, which makes a new Trajectory recording x.  callback(iteration, x, f) is called
    after every update of this call; a true return value stops the run (status
    "user").
    Raises GDError on failure; for ECALLBACK and EDIVERGED its x is the last accepted
    iterate; an exception raised by the objective or callback is raised again.
    Called from a callback of a run of the same optimizer, raises GDError (EBUSY,
    "the optimizer is running") and leaves that run, and its callback, as they were.
    """
    if isinstance(optimizer, str):
        optimizer = Optimizer(optimizer, objective.n, **params)
    elif params:
        optimizer.set(**params)
    _check_pair(optimizer, objective)
    optimizer._refuse_in_lr_lambda("gdescent.minimize")
    if optimizer._running:
        # Refused before the monitor is touched: the library would refuse the run
        # (GD_EBUSY), but installing this call's monitor first would take the
        # running call's away.
        raise GDError(EBUSY, "gdescent.minimize")
    if callback is not None and not callable(callback):
        raise TypeError("callback must be callable or None")
    if trajectory is None and record_x:
        trajectory = Trajectory(objective.n, record_x=True)
    if trajectory is not None and not isinstance(trajectory, Trajectory):
        raise TypeError("trajectory must be a gdescent.Trajectory or None")
    x = _float_vector(x0, objective.n, "x0").copy()
    lib, opt = _lib(), optimizer._handle
    run = (opt, objective._handle, ffi.from_buffer("double[]", x),
           ffi.NULL if trajectory is None else trajectory._handle)
    iterations, evaluations = optimizer.iterations, optimizer.evaluations
    holder: Dict[str, Any] = {"fn": callback, "error": None}
    optimizer._running = True
    try:
        if callback is None:
            status = lib.gd_minimize(*run)
        else:
            # The monitor is installed for this call only: the C callback (and the
            # exception it catches) live in this frame.
            c_monitor = _monitor_callback(holder)
            _check(lib.gd_optimizer_set_monitor(opt, c_monitor, ffi.NULL),
                   "gd_optimizer_set_monitor")
            try:
                status = lib.gd_minimize(*run)
            finally:
                lib.gd_optimizer_set_monitor(opt, ffi.NULL, ffi.NULL)
    finally:
        optimizer._running = False
    # An lr_lambda's exception first: it is what ended the run (GD_ECALLBACK).
    lr_lambda_error = optimizer._take_lr_lambda_error()
    if lr_lambda_error is not None:
        if objective._state is not None:
            objective._state.error = None
        raise lr_lambda_error
    objective._raise_pending()
    if holder["error"] is not None:
        raise holder["error"]
    if status < 0:
        raise GDError(status, "gd_minimize",
                      x if status in (ECALLBACK, EDIVERGED) else None)
    return Result(x, lib.gd_optimizer_last_f(opt), status,
                  optimizer.iterations - iterations, trajectory,
                  grad_norm=lib.gd_optimizer_last_grad_norm(opt),
                  nfev=optimizer.evaluations - evaluations)
