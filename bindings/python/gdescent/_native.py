"""Loading of libgdescent.so.1 through cffi in ABI mode.

ABI mode (ffi.dlopen) needs no C compiler when the package is installed or used from a
source tree: the declarations below are checked against include/gdescent.h by the
test suite (tests/test_native.py), and the library is found at run time.
"""
import os
import threading
from typing import Any, Optional, Tuple

from cffi import FFI

SONAME = "libgdescent.so.1"
#: Where `pip install .` from the top of the source tree puts the library it builds.
BUNDLED = os.path.join(os.path.dirname(os.path.abspath(__file__)), SONAME)

# The declarations of gdescent.h, in the header's order.  GD_* macros are repeated as
# constants in __init__.py.
CDEF = """
unsigned gd_version(void);
const char *gd_version_string(void);
const char *gd_strerror(int status);

typedef struct gd_objective gd_objective;
typedef int (*gd_fdf_fn)(const double *x, size_t n, double *f, double *grad, void *user);
typedef int (*gd_batch_fn)(const double *x, size_t n, const size_t *idx, size_t count,
                           double *f, double *grad, void *user);
gd_objective *gd_objective_new(size_t n, gd_fdf_fn fdf, void *user);
gd_objective *gd_objective_new_sum(size_t n, size_t m, gd_batch_fn fdf, void *user);
void gd_objective_free(gd_objective *obj);
size_t gd_objective_dim(const gd_objective *obj);
size_t gd_objective_terms(const gd_objective *obj);
int gd_objective_eval(gd_objective *obj, const double *x, double *f, double *grad);
int gd_objective_eval_terms(gd_objective *obj, const double *x, const size_t *idx,
                            size_t count, double *f, double *grad);
gd_objective *gd_quadratic_new(size_t n, const double *center, double scale);
gd_objective *gd_least_squares_new(size_t m, size_t p, const double *X,
                                   const double *y, double scale, unsigned flags);
gd_objective *gd_logistic_new(size_t m, size_t p, const double *X, const double *y,
                              double l2, unsigned flags);
gd_objective *gd_softmax_new(size_t m, size_t p, size_t k, const double *X,
                             const size_t *labels, double l2, unsigned flags);
gd_objective *gd_geometric_median_new(size_t m, size_t dim, const double *points,
                                      const double *weights);
gd_objective *gd_rosenbrock_new(size_t n);

typedef struct gd_optimizer gd_optimizer;
typedef enum gd_method {
    GD_SGD = 0, GD_ADAM = 1, GD_ADAMW = 2, GD_RMSPROP = 3, GD_ADAGRAD = 4,
    GD_NADAM = 5, GD_RADAM = 6, GD_ADAMAX = 7, GD_ADADELTA = 8, GD_RPROP = 9,
    GD_ASGD = 10, GD_LION = 11, GD_LBFGS = 12
} gd_method;
typedef enum gd_param {
    GD_PARAM_LR = 0, GD_PARAM_MOMENTUM = 1, GD_PARAM_DAMPENING = 2,
    GD_PARAM_NESTEROV = 3, GD_PARAM_WEIGHT_DECAY = 4, GD_PARAM_BETA1 = 5,
    GD_PARAM_BETA2 = 6, GD_PARAM_EPS = 7, GD_PARAM_AMSGRAD = 8, GD_PARAM_ALPHA = 9,
    GD_PARAM_CENTERED = 10, GD_PARAM_LR_DECAY = 11, GD_PARAM_INITIAL_ACCUMULATOR = 12,
    GD_PARAM_MAXIMIZE = 13, GD_PARAM_MOMENTUM_DECAY = 14, GD_PARAM_RHO = 15,
    GD_PARAM_ETA_MINUS = 16, GD_PARAM_ETA_PLUS = 17, GD_PARAM_STEP_MIN = 18,
    GD_PARAM_STEP_MAX = 19, GD_PARAM_LAMBD = 20, GD_PARAM_T0 = 21,
    GD_PARAM_DECOUPLED_WEIGHT_DECAY = 22, GD_PARAM_HISTORY_SIZE = 23,
    GD_PARAM_LINE_SEARCH = 24, GD_PARAM_TOLERANCE_GRAD = 25, GD_PARAM_TOLERANCE_CHANGE = 26,
    GD_PARAM_MAX_ITER = 32, GD_PARAM_GTOL = 33, GD_PARAM_FTOL = 34, GD_PARAM_XTOL = 35,
    GD_PARAM_MAX_EVAL = 36, GD_PARAM_SCHEDULE_EVERY = 37, GD_PARAM_CLIP_NORM = 38,
    GD_PARAM_CLIP_VALUE = 39, GD_PARAM_BATCH_SIZE = 48,
    GD_PARAM_SHUFFLE = 49, GD_PARAM_SEED = 50
} gd_param;
gd_optimizer *gd_optimizer_new(gd_method method, size_t n);
gd_optimizer *gd_optimizer_new_f32(gd_method method, size_t n);
int gd_method_by_name(const char *name, gd_method *method);
const char *gd_method_name(gd_method method);
const char *gd_param_name(gd_param key);
void gd_optimizer_free(gd_optimizer *opt);
int gd_optimizer_set(gd_optimizer *opt, gd_param key, double value);
int gd_optimizer_get(const gd_optimizer *opt, gd_param key, double *value);
int gd_optimizer_set_by_name(gd_optimizer *opt, const char *name, double value);
int gd_optimizer_reset(gd_optimizer *opt);
size_t gd_optimizer_iterations(const gd_optimizer *opt);
int gd_param_by_name(const char *name, gd_param *key);
size_t gd_optimizer_evaluations(const gd_optimizer *opt);
double gd_optimizer_last_f(const gd_optimizer *opt);
double gd_optimizer_last_grad_norm(const gd_optimizer *opt);
int gd_optimizer_get_state(const gd_optimizer *opt, const char *name, double *out,
                           size_t count);
int gd_optimizer_set_range(gd_optimizer *opt, size_t first, size_t count, gd_param key,
                           double value);
int gd_optimizer_get_range(const gd_optimizer *opt, size_t index, gd_param key,
                           double *value);
const char *gd_optimizer_isa(const gd_optimizer *opt);
int gd_optimizer_update(gd_optimizer *opt, double *x, const double *grad);
int gd_optimizer_update_f32(gd_optimizer *opt, float *x, const float *grad);
typedef struct gd_schedule gd_schedule;
typedef enum gd_schedule_kind {
    GD_SCHEDULE_STEP = 0, GD_SCHEDULE_MULTISTEP = 1, GD_SCHEDULE_EXPONENTIAL = 2,
    GD_SCHEDULE_COSINE = 3, GD_SCHEDULE_COSINE_RESTARTS = 4, GD_SCHEDULE_LINEAR = 5,
    GD_SCHEDULE_CONSTANT = 6, GD_SCHEDULE_POLYNOMIAL = 7, GD_SCHEDULE_ONE_CYCLE = 8,
    GD_SCHEDULE_CYCLIC = 9, GD_SCHEDULE_PLATEAU = 10, GD_SCHEDULE_LAMBDA = 11,
    GD_SCHEDULE_MULTIPLICATIVE = 12, GD_SCHEDULE_SEQUENTIAL = 13
} gd_schedule_kind;
typedef enum gd_schedule_param {
    GD_SCHEDULE_PARAM_GAMMA = 0, GD_SCHEDULE_PARAM_STEP_SIZE = 1,
    GD_SCHEDULE_PARAM_T_MAX = 2, GD_SCHEDULE_PARAM_ETA_MIN = 3,
    GD_SCHEDULE_PARAM_T_0 = 4, GD_SCHEDULE_PARAM_T_MULT = 5,
    GD_SCHEDULE_PARAM_START_FACTOR = 6, GD_SCHEDULE_PARAM_END_FACTOR = 7,
    GD_SCHEDULE_PARAM_TOTAL_ITERS = 8, GD_SCHEDULE_PARAM_FACTOR = 9,
    GD_SCHEDULE_PARAM_POWER = 10, GD_SCHEDULE_PARAM_MAX_LR = 11,
    GD_SCHEDULE_PARAM_TOTAL_STEPS = 12, GD_SCHEDULE_PARAM_PCT_START = 13,
    GD_SCHEDULE_PARAM_ANNEAL_LINEAR = 14, GD_SCHEDULE_PARAM_DIV_FACTOR = 15,
    GD_SCHEDULE_PARAM_FINAL_DIV_FACTOR = 16, GD_SCHEDULE_PARAM_THREE_PHASE = 17,
    GD_SCHEDULE_PARAM_BASE_LR = 18, GD_SCHEDULE_PARAM_STEP_SIZE_UP = 19,
    GD_SCHEDULE_PARAM_STEP_SIZE_DOWN = 20, GD_SCHEDULE_PARAM_MODE = 21,
    GD_SCHEDULE_PARAM_PATIENCE = 22, GD_SCHEDULE_PARAM_THRESHOLD = 23,
    GD_SCHEDULE_PARAM_THRESHOLD_ABS = 24, GD_SCHEDULE_PARAM_COOLDOWN = 25,
    GD_SCHEDULE_PARAM_MIN_LR = 26, GD_SCHEDULE_PARAM_EPS = 27,
    GD_SCHEDULE_PARAM_CYCLE_MOMENTUM = 28, GD_SCHEDULE_PARAM_BASE_MOMENTUM = 29,
    GD_SCHEDULE_PARAM_MAX_MOMENTUM = 30
} gd_schedule_param;
typedef double (*gd_lr_lambda_fn)(size_t epoch, void *user);
gd_schedule *gd_schedule_new(gd_schedule_kind kind);
void gd_schedule_free(gd_schedule *s);
int gd_schedule_set(gd_schedule *s, gd_schedule_param key, double value);
int gd_schedule_get(const gd_schedule *s, gd_schedule_param key, double *value);
int gd_schedule_set_milestones(gd_schedule *s, const size_t *milestones, size_t count);
int gd_schedule_set_lambda(gd_schedule *s, gd_lr_lambda_fn fn, void *user);
int gd_schedule_append(gd_schedule *sequential, const gd_schedule *child);
int gd_optimizer_add_schedule(gd_optimizer *opt, const gd_schedule *s);
int gd_optimizer_clear_schedules(gd_optimizer *opt);
int gd_optimizer_schedule_step(gd_optimizer *opt, double metric);
size_t gd_optimizer_state_size(const gd_optimizer *opt);
int gd_optimizer_save(const gd_optimizer *opt, void *buf, size_t size);
int gd_optimizer_load(gd_optimizer *opt, const void *buf, size_t size);
int gd_optimizer_save_file(const gd_optimizer *opt, const char *path);
int gd_optimizer_load_file(gd_optimizer *opt, const char *path);
int gd_step(gd_optimizer *opt, gd_objective *obj, double *x, double *f);

typedef struct gd_trajectory gd_trajectory;
int gd_minimize(gd_optimizer *opt, gd_objective *obj, double *x, gd_trajectory *traj);
typedef int (*gd_monitor_fn)(size_t iter, const double *x, size_t n, double f, void *user);
int gd_optimizer_set_monitor(gd_optimizer *opt, gd_monitor_fn fn, void *user);

gd_trajectory *gd_trajectory_new(size_t n, unsigned flags);
void gd_trajectory_free(gd_trajectory *traj);
int gd_trajectory_set_stride(gd_trajectory *traj, size_t every);
size_t gd_trajectory_len(const gd_trajectory *traj);
size_t gd_trajectory_dim(const gd_trajectory *traj);
size_t gd_trajectory_iter(const gd_trajectory *traj, size_t i);
double gd_trajectory_f(const gd_trajectory *traj, size_t i);
double gd_trajectory_grad_norm(const gd_trajectory *traj, size_t i);
const double *gd_trajectory_x(const gd_trajectory *traj, size_t i);
int gd_trajectory_copy(const gd_trajectory *traj, size_t first, size_t count,
                       size_t *iter, double *f, double *grad_norm, double *x);
int gd_trajectory_write_csv(const gd_trajectory *traj, const char *path);
void gd_trajectory_clear(gd_trajectory *traj);
"""

ffi = FFI()
ffi.cdef(CDEF)

_lock = threading.Lock()
_lib: Optional[Tuple[str, Any]] = None


def load_library(path: Optional[str] = None) -> Any:
    """Loads libgdescent once and returns it.

    The library is the first of: `path`; the environment variable GDESCENT_LIBRARY;
    the copy bundled in the package's directory by the wheel of the top-level
    pyproject.toml (BUNDLED); the soname libgdescent.so.1 found by the dynamic loader
    (LD_LIBRARY_PATH, the system's library directories).  A bare name such as "gd" is never searched for:
    that would find the GD Graphics Library.  Calling it again with another path after
    the library was loaded raises RuntimeError.
    """
    global _lib
    loaded = _lib
    if path is None and loaded is not None:
        # The binding calls this before each library call: once loaded, no lock, no
        # environment read and no stat() of BUNDLED (that took 1.8 us a call).
        return loaded[1]
    with _lock:
        wanted = (path or os.environ.get("GDESCENT_LIBRARY")
                  or (BUNDLED if os.path.isfile(BUNDLED) else SONAME))
        if _lib is not None:
            if path is not None and path != _lib[0]:
                raise RuntimeError(f"libgdescent already loaded from {_lib[0]}")
            return _lib[1]
        try:
            lib = ffi.dlopen(wanted)
        except OSError as exc:
            raise ImportError(
                f"cannot load {wanted}: install libgdescent or set GDESCENT_LIBRARY "
                f"to the path of libgdescent.so.1 ({exc})") from exc
        _lib = (wanted, lib)
        return lib
