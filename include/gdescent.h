/*
 * gdescent.h - public interface of libgd, a small library for gradient-based
 * optimization.  SPDX-License-Identifier: MIT
 */
#ifndef GDESCENT_H
#define GDESCENT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @file gdescent.h
 * @brief The whole public API of libgd: the handles, then one group per concept:
 *        versions, status codes, objectives, optimizers, parameters, running,
 *        learning-rate schedules, the run summary, trajectories.
 *
 * Conventions that hold for every function below unless its comment says otherwise:
 * - Handles are opaque and owned by the caller, who frees them with the matching
 *   `_free` function; freeing NULL is a no-op.
 * - A function that returns `int` returns #GD_OK (0) on success, a negative `GD_E*`
 *   code on error, or (only gd_minimize()) a positive `GD_STOP_*` reason.  On error
 *   nothing the caller passed in is modified, except where a comment says what is.
 * - Thread safety: the library has no global mutable state.  Distinct handles may be
 *   used from distinct threads at once; one handle must not be used from two threads
 *   at once without the caller's own locking.  Functions taking only `const`
 *   handles may be called concurrently on the same handle.
 */

/**
 * @defgroup gd_handles Handles
 * @brief The opaque types of the API.  Each is created by its `_new` functions and
 *        freed by its `_free` function; their contents are reached only through
 *        the functions below.
 * @{
 */

/** Opaque objective handle. */
typedef struct gd_objective gd_objective;

/** Opaque optimizer handle: the method, its parameters, its state (moments, step
 *  count), the run's stop criteria and the sampling state of mini-batches. */
typedef struct gd_optimizer gd_optimizer;

/** Opaque trajectory handle: the record of a run. */
typedef struct gd_trajectory gd_trajectory;

/** Opaque schedule handle: the description of one learning-rate scheduler of
 *  torch.optim.lr_scheduler (since 1.1). */
typedef struct gd_schedule gd_schedule;
/** @} */

/**
 * @defgroup gd_export Export macro
 * @{
 */
/**
 * @def GD_API
 * @brief Marks a function as part of the exported ABI: default visibility when the
 *        library itself is built (GD_BUILDING), nothing for its users on ELF systems,
 *        dllexport/dllimport on Windows unless GD_STATIC is defined.
 */
#if defined(_WIN32) && !defined(GD_STATIC)
#ifdef GD_BUILDING
#define GD_API __declspec(dllexport)
#else
#define GD_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) && defined(GD_BUILDING)
#define GD_API __attribute__((visibility("default")))
#else
#define GD_API
#endif
/** @} */

/**
 * @defgroup gd_version Versions
 * @{
 */
/** Major version: changes only with an incompatible ABI. */
#define GD_VERSION_MAJOR 1
/** Minor version: new functions or values, ABI compatible. */
#define GD_VERSION_MINOR 1
/** Patch version: fixes only. */
#define GD_VERSION_PATCH 0

/**
 * @brief Version of the library actually linked, which may differ from the header's.
 * @return `MAJOR*10000 + MINOR*100 + PATCH`, for example 10000 for 1.0.0.
 * Thread-safe.
 */
GD_API unsigned gd_version(void);

/**
 * @brief Version of the linked library as a string such as "1.0.0".
 * @return A static string; the caller must not free it.  Thread-safe.
 */
GD_API const char *gd_version_string(void);
/** @} */

/**
 * @defgroup gd_status Status codes
 * @{
 */
/** Success. */
#define GD_OK 0
/** gd_minimize() stopped: #GD_PARAM_MAX_ITER updates were made. */
#define GD_STOP_MAXITER 1
/** gd_minimize() stopped: the gradient norm is at or below #GD_PARAM_GTOL. */
#define GD_STOP_GTOL 2
/** gd_minimize() stopped: the relative change of f is at or below #GD_PARAM_FTOL. */
#define GD_STOP_FTOL 3
/** gd_minimize() stopped: the relative step is at or below #GD_PARAM_XTOL. */
#define GD_STOP_XTOL 4
/** gd_minimize() stopped: the monitor callback returned non-zero. */
#define GD_STOP_USER 5
/** gd_minimize() stopped: the evaluation budget #GD_PARAM_MAX_EVAL is spent (since
 *  1.1). */
#define GD_STOP_MAXEVAL 6
/** Bad argument: NULL handle or pointer, n = 0, dimension mismatch, out-of-range
 *  parameter value, unknown key or method. */
#define GD_EINVAL (-1)
/** An allocation failed; nothing was changed. */
#define GD_ENOMEM (-2)
/** The objective callback returned non-zero; x holds the last accepted iterate. */
#define GD_ECALLBACK (-3)
/** f or the gradient became NaN or infinite; x holds the last finite iterate. */
#define GD_EDIVERGED (-4)
/** A file could not be opened or written (gd_trajectory_write_csv()). */
#define GD_EIO (-5)
/** A saved state that is not libgd's, is damaged or truncated, or is of a newer
 *  format; nothing was changed (since 1.1). */
#define GD_EFORMAT (-6)
/** The optimizer is running: gd_step(), gd_minimize(), gd_optimizer_update() or
 *  gd_optimizer_reset() was called from inside a callback of a run of the same
 *  optimizer; the call did nothing and the run goes on (since 1.1). */
#define GD_EBUSY (-7)

/**
 * @brief An English sentence describing a status code.
 * @param status Any value; unknown codes get a generic sentence.
 * @return A static string, never NULL; the caller must not free it.  Thread-safe.
 */
GD_API const char *gd_strerror(int status);
/** @} */

/**
 * @defgroup gd_objective Objectives
 * @brief Functions to minimize, with their gradients.
 *
 * An objective is either a plain function of x given by one callback
 * (gd_objective_new()) or a finite sum f(x) = (1/m) sum_i f_i(x) whose callback
 * evaluates the mean over a subset of the terms (gd_objective_new_sum()); stochastic
 * mini-batch methods draw those subsets.  The bundled objectives are finite sums when
 * their data has several samples.
 * @{
 */

/**
 * @brief Callback of a plain objective: value and, when grad != NULL, gradient at x.
 * @param x    The point, n values; read only.
 * @param n    The dimension given to gd_objective_new().
 * @param f    Receives f(x); never NULL.
 * @param grad Receives the n partial derivatives, or NULL when only f is wanted.
 * @param user The pointer given to gd_objective_new().
 * @return 0, or non-zero to abort the run with #GD_ECALLBACK.
 *
 * During a run (gd_step(), gd_minimize()) the callback may evaluate objectives, read
 * the optimizer running it and set its parameters; running that optimizer again
 * (gd_step(), gd_minimize(), gd_optimizer_update(), gd_optimizer_reset()) returns
 * #GD_EBUSY and does nothing; it must not free the optimizer or the objective.
 */
typedef int (*gd_fdf_fn)(const double *x, size_t n, double *f, double *grad, void *user);

/**
 * @brief Callback of a finite sum: value and gradient of the MEAN of the terms in idx.
 * @param x     The point, n values; read only.
 * @param n     The dimension given to gd_objective_new_sum().
 * @param idx   Indices of the terms, each in [0, m); `count` of them.
 * @param count Number of indices, at least 1.
 * @param f     Receives (1/count) sum_{i in idx} f_i(x); never NULL.
 * @param grad  Receives the gradient of that mean, or NULL when only f is wanted.
 * @param user  The pointer given to gd_objective_new_sum().
 * @return 0, or non-zero to abort the run with #GD_ECALLBACK.
 *
 * What it may call: as for #gd_fdf_fn.
 */
typedef int (*gd_batch_fn)(const double *x, size_t n, const size_t *idx, size_t count, double *f,
                           double *grad, void *user);

/**
 * @brief Creates a plain objective from a callback.
 * @param n    Dimension of x; at least 1.
 * @param fdf  Callback giving the value and gradient; not NULL.
 * @param user Passed unchanged to every call of fdf; the library never dereferences
 *             it and does not own it.
 * @return A new handle to free with gd_objective_free(), or NULL on bad arguments
 *         (n = 0, fdf NULL) or allocation failure.
 */
GD_API gd_objective *gd_objective_new(size_t n, gd_fdf_fn fdf, void *user);

/**
 * @brief Creates a finite-sum objective f(x) = (1/m) sum_i f_i(x) from a callback.
 * @param n    Dimension of x; at least 1.
 * @param m    Number of terms; at least 1.
 * @param fdf  Callback evaluating the mean of a subset of the terms; not NULL.
 * @param user Passed unchanged to every call of fdf; not owned by the library.
 * @return A new handle to free with gd_objective_free(), or NULL on bad arguments or
 *         allocation failure.  The handle keeps an index array of m entries so that
 *         full evaluations never allocate.
 */
GD_API gd_objective *gd_objective_new_sum(size_t n, size_t m, gd_batch_fn fdf, void *user);

/**
 * @brief Frees an objective and any data the library copied into it.
 * @param obj The handle, or NULL (no-op).  Must not be in use by another thread.
 */
GD_API void gd_objective_free(gd_objective *obj);

/**
 * @brief Dimension n of the objective's argument.
 * @param obj The handle.
 * @return n, or 0 when obj is NULL.  Thread-safe on a shared handle.
 */
GD_API size_t gd_objective_dim(const gd_objective *obj);

/**
 * @brief Number of terms m of a finite sum.
 * @param obj The handle.
 * @return m, 1 for a plain objective, or 0 when obj is NULL.  Thread-safe on a shared
 *         handle.
 */
GD_API size_t gd_objective_terms(const gd_objective *obj);

/**
 * @brief Evaluates the full objective (all m terms of a finite sum) at x.
 *
 * Values are passed through as the callback gave them, NaN and infinities included.
 * @param obj  The handle.
 * @param x    The point, gd_objective_dim() values.
 * @param f    Receives f(x), or NULL when not wanted.
 * @param grad Receives the gradient (gd_objective_dim() values), or NULL when not
 *             wanted.
 * @return #GD_OK; #GD_EINVAL when obj or x is NULL; #GD_ECALLBACK when the callback
 *         returned non-zero (then *f and grad are unspecified).  Does not allocate.
 *         Thread-safe on a shared handle when the callback is.
 */
GD_API int gd_objective_eval(gd_objective *obj, const double *x, double *f, double *grad);

/**
 * @brief Evaluates the mean of chosen terms of a finite sum at x.
 *
 * For callers that draw their own samples, such as data-parallel programs where each
 * process draws its share of a mini-batch from its own shard.  For a plain objective
 * the only term is 0, and the call equals gd_objective_eval().
 * @param obj   The handle.
 * @param x     The point, gd_objective_dim() values.
 * @param idx   count term indices, each below gd_objective_terms(); repeats allowed.
 * @param count Number of indices; at least 1.
 * @param f     Receives (1/count) sum_{i in idx} f_i(x), or NULL when not wanted.
 * @param grad  Receives its gradient, or NULL when not wanted.
 * @return #GD_OK; #GD_EINVAL (obj, x or idx NULL, count 0, an index out of range;
 *         nothing is evaluated); #GD_ECALLBACK.  Does not allocate.  Thread-safe on a
 *         shared handle when the callback is.
 */
GD_API int gd_objective_eval_terms(gd_objective *obj, const double *x, const size_t *idx,
                                   size_t count, double *f, double *grad);

/**
 * @brief The quadratic f(x) = scale * ||x - center||^2.
 *
 * Examples: n = 1, scale = 1 gives x^2; scale = 0.5 gives x^2/2; center {3} gives
 * (x-3)^2.  The gradient is 2 * scale * (x - center).
 * @param n      Dimension; at least 1.
 * @param center n values copied by the library, or NULL for the origin.
 * @param scale  Any finite value (negative gives a concave function for maximization).
 * @return A plain objective (one term), or NULL on bad arguments (n = 0, non-finite
 *         scale or center) or allocation failure.
 */
GD_API gd_objective *gd_quadratic_new(size_t n, const double *center, double scale);

/** Flag of gd_least_squares_new(): the last parameter w[p] is an intercept. */
#define GD_LS_INTERCEPT 1u

/**
 * @brief Linear least squares over m samples of p features.
 *
 * f(w) = (scale/m) * sum_i (X_i . w[0..p) + b - y_i)^2, with b = w[p] when flags has
 * #GD_LS_INTERCEPT (then n = p + 1) and b = 0 otherwise (n = p).  scale = 0.5 gives
 * the 1/(2m) convention, scale = 1 the mean squared error.  Each sample is one term of
 * the finite sum, so mini-batch methods draw samples.  For polynomial regression pass
 * the powers of the input as features.
 * @param m     Number of samples; at least 1.
 * @param p     Number of features; at least 1.
 * @param X     m*p values, row-major (sample i is X[i*p .. i*p+p)); copied.
 * @param y     m targets; copied.
 * @param scale Finite factor of the mean of squares.
 * @param flags 0 or #GD_LS_INTERCEPT; other bits are refused.
 * @return A finite-sum objective with m terms, or NULL on bad arguments (zero sizes,
 *         NULL arrays, m*p overflowing, non-finite data or scale, unknown flags) or
 *         allocation failure.  The caller may free X and y afterwards.
 */
GD_API gd_objective *gd_least_squares_new(size_t m, size_t p, const double *X, const double *y,
                                          double scale, unsigned flags);

/** Flag of gd_logistic_new() and gd_softmax_new(): the last parameters are intercepts
 *  (the same value as #GD_LS_INTERCEPT; since 1.1). */
#define GD_INTERCEPT 1u

/**
 * @brief Binary logistic regression over m samples of p features (since 1.1).
 *
 * f(w) = (1/m) sum_i [log(1 + exp(z_i)) - y_i z_i] + (l2/2) ||w[0..p)||^2, with
 * z_i = X_i . w[0..p) + b, b = w[p] when flags has #GD_INTERCEPT (then n = p + 1) and
 * b = 0 otherwise (n = p); the intercept is not penalized.  The gradient is
 * (1/m) sum_i (sigmoid(z_i) - y_i) (X_i, 1) + l2 (w[0..p), 0).  Both are computed
 * without overflow and without cancellation at any finite z_i: |z_i| = 1e4 gives the
 * exact loss (|z_i| for a wrong label, 0 for a right one).  With l2 = 1/(C m) the
 * minimizer is scikit-learn's LogisticRegression(C) (whose L2 also spares the
 * intercept).
 *
 * Each sample is one term of the finite sum, and the penalty belongs to every term:
 * the mean over a mini-batch (gd_objective_eval_terms(), #GD_PARAM_BATCH_SIZE) is the
 * batch's mean log-loss plus the whole penalty, so that the mean over all m terms is
 * f.  An evaluation reads each row of X (only the batch's rows for a mini-batch)
 * once, for the value and the gradient together.
 * @param m     Number of samples; at least 1.
 * @param p     Number of features; at least 1.
 * @param X     m*p finite values, row-major (sample i is X[i*p .. i*p+p)); copied.
 * @param y     m labels, each exactly 0 or 1; copied.
 * @param l2    Strength of the L2 penalty; finite and >= 0.
 * @param flags 0 or #GD_INTERCEPT; other bits are refused.
 * @return A finite-sum objective with m terms, or NULL on bad arguments (m or p 0,
 *         NULL arrays, m*p overflowing, non-finite X, a label other than 0 or 1, l2
 *         negative or not finite, unknown flags) or allocation failure.  The caller
 *         may free X and y afterwards.  Evaluations do not allocate and may run on a
 *         shared handle from several threads at once.
 */
GD_API gd_objective *gd_logistic_new(size_t m, size_t p, const double *X, const double *y,
                                     double l2, unsigned flags);

/**
 * @brief Multinomial (softmax) regression over m samples of p features and k classes
 *        (since 1.1).
 *
 * The parameters are W, k x p row-major (class c's weights are w[c*p .. c*p+p)), then
 * with #GD_INTERCEPT the k intercepts b = w[k*p .. k*p+k): n = k*p, or k*p + k.  With
 * z_ic = W_c . X_i + b_c (b = 0 without the flag),
 * f = (1/m) sum_i [log(sum_c exp(z_ic)) - z_i,labels[i]] + (l2/2) ||W||^2; the
 * intercepts are not penalized.  The gradient for class c is
 * (1/m) sum_i (softmax(z_i)_c - [c = labels[i]]) (X_i, 1) + l2 (W_c, 0).  The
 * log-sum-exp is shifted by each sample's largest score, so that no exp overflows.
 * The model is over-parametrized (adding a vector to every W_c leaves the loss
 * unchanged) as scikit-learn's multinomial LogisticRegression is; with l2 = 1/(C m)
 * their minimizers are the same.
 *
 * Each sample is one term, the penalty part of every term, as for gd_logistic_new();
 * an evaluation reads each row of X once.
 * @param m      Number of samples; at least 1.
 * @param p      Number of features; at least 1.
 * @param k      Number of classes; at least 2.
 * @param X      m*p finite values, row-major; copied.
 * @param labels m classes, each in [0, k); copied.
 * @param l2     Strength of the L2 penalty on W; finite and >= 0.
 * @param flags  0 or #GD_INTERCEPT; other bits are refused.
 * @return A finite-sum objective with m terms, or NULL on bad arguments (m or p 0,
 *         k < 2, NULL arrays, m*p or n overflowing, non-finite X, a label >= k, l2
 *         negative or not finite, unknown flags) or allocation failure.  The caller
 *         may free X and labels afterwards.  Evaluations do not allocate and may run
 *         on a shared handle from several threads at once.
 */
GD_API gd_objective *gd_softmax_new(size_t m, size_t p, size_t k, const double *X,
                                    const size_t *labels, double l2, unsigned flags);

/**
 * @brief Geometric median: f(x) = (1/m) * sum_i w_i * ||x - p_i||_2.
 *
 * The gradient of term i is w_i (x - p_i) / ||x - p_i||.  Where x coincides with data
 * points the function is not differentiable; the gradient returned is then the
 * subgradient of least norm, which is 0 exactly when x is a minimizer.  Distances are
 * computed without spurious overflow or underflow (rescaled when the sum of squares
 * leaves the normal range), so data at 1e160 or 1e-170 gives the true f and gradient.
 * @param m       Number of points; at least 1.
 * @param dim     Dimension of the points and of x; at least 1.
 * @param points  m*dim values, row-major; copied.
 * @param weights m non-negative finite weights, or NULL for all 1; copied.
 * @return A finite-sum objective with m terms, or NULL on bad arguments or allocation
 *         failure.  The caller may free its arrays afterwards.
 */
GD_API gd_objective *gd_geometric_median_new(size_t m, size_t dim, const double *points,
                                             const double *weights);

/**
 * @brief Rosenbrock: f(x) = sum_{i<n-1} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2.
 *
 * The minimum is 0 at x = (1, ..., 1).
 * @param n Dimension; at least 2.
 * @return A plain objective, or NULL when n < 2 or on allocation failure.
 */
GD_API gd_objective *gd_rosenbrock_new(size_t n);
/** @} */

/**
 * @defgroup gd_optimizer Optimizers
 * @brief Update rules with the semantics of PyTorch's `torch.optim`: the methods, and
 *        creating, resetting and freeing an optimizer.
 *
 * Each method follows the single-tensor code path of PyTorch 1.13's `torch.optim`
 * class of the same name, operation by operation, with its defaults; the update
 * rules are given with #gd_method.  Trajectories agree with PyTorch's (float64, same
 * start, same gradients) to 1e-12 relative; the test suite replays committed PyTorch
 * trajectories.
 * @{
 */

/**
 * @brief Optimization methods and their update rules.
 *
 * Notation: at update t (1, 2, ...) the gradient at x_{t-1} is g_t, negated first when
 * #GD_PARAM_MAXIMIZE is 1; lr is #GD_PARAM_LR, wd #GD_PARAM_WEIGHT_DECAY.  "L2" means
 * g <- g + wd x_{t-1}, applied only when wd != 0.  All state starts at 0 unless said.
 *
 * #GD_SGD (momentum mu, dampening tau; b is created equal to g at the first step that
 * uses momentum; Nesterov needs mu > 0 and tau = 0):
 * @f[ g \leftarrow g_t + \mathrm{wd}\,x_{t-1},\quad
 *     b_t = \mu b_{t-1} + (1-\tau) g,\quad
 *     x_t = x_{t-1} - \mathrm{lr}\cdot\begin{cases} g + \mu b_t & \text{Nesterov}\\
 *     b_t & \mu > 0\\ g & \mu = 0 \end{cases} @f]
 *
 * #GD_ADAM (beta1, beta2, eps; L2 decay; AMSGrad keeps the running maximum of v):
 * @f[ g \leftarrow g_t + \mathrm{wd}\,x_{t-1},\quad m_t = \beta_1 m_{t-1} + (1-\beta_1) g,
 *     \quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g^2,\quad
 *     \hat v_t = \max(\hat v_{t-1}, v_t) \text{ or } v_t,\quad
 *     x_t = x_{t-1} - \frac{\mathrm{lr}}{1-\beta_1^t}\,
 *     \frac{m_t}{\sqrt{\hat v_t}/\sqrt{1-\beta_2^t} + \epsilon} @f]
 *
 * #GD_ADAMW (as Adam without L2, the decay decoupled and applied to x first; default
 * wd 0.01):
 * @f[ x' = x_{t-1}(1 - \mathrm{lr}\,\mathrm{wd}),\quad
 *     x_t = x' - \frac{\mathrm{lr}}{1-\beta_1^t}\,
 *     \frac{m_t}{\sqrt{\hat v_t}/\sqrt{1-\beta_2^t} + \epsilon} @f]
 *
 * #GD_RMSPROP (alpha, eps, momentum mu, centered; L2 decay):
 * @f[ s_t = \alpha s_{t-1} + (1-\alpha) g^2,\quad a_t = \alpha a_{t-1} + (1-\alpha) g,
 *     \quad d = \sqrt{s_t - a_t^2} \text{ (centered) or } \sqrt{s_t},\quad
 *     b_t = \mu b_{t-1} + \frac{g}{d+\epsilon},\quad
 *     x_t = x_{t-1} - \mathrm{lr}\cdot\begin{cases} b_t & \mu > 0\\
 *     g/(d+\epsilon) & \mu = 0\end{cases} @f]
 *
 * #GD_ADAGRAD (lr_decay, eps; s starts at #GD_PARAM_INITIAL_ACCUMULATOR; L2 decay):
 * @f[ s_t = s_{t-1} + g^2,\quad x_t = x_{t-1} -
 *     \frac{\mathrm{lr}}{1 + (t-1)\,\mathrm{lr\_decay}}\;\frac{g}{\sqrt{s_t}+\epsilon} @f] *
 * Since 1.1 (each follows its torch.optim class, and its file in lib/methods/ gives the
 * operations in order; "L2" and maximize as above):
 *
 * #GD_NADAM (beta1, beta2, eps, momentum_decay psi; L2 decay, or with
 * #GD_PARAM_DECOUPLED_WEIGHT_DECAY x <- x (1 - lr wd) first, as torch 2.x): with
 * \f$\mu_t = \beta_1 (1 - 0.5 \cdot 0.96^{t\psi})\f$ and \f$\Pi_t = \prod_{i \le t} \mu_i\f$
 * (torch 2.x's product; 1.13 counted \f$\mu_t\f$ twice in \f$\Pi_{t+1}\f$):
 * @f[ x_t = x_{t-1} - \mathrm{lr}\,\frac{(1-\mu_t)\,g/(1-\Pi_t) +
 *     \mu_{t+1}\, m_t/(1-\Pi_t\mu_{t+1})}{\sqrt{v_t/(1-\beta_2^t)}+\epsilon} @f]
 *
 * #GD_RADAM (beta1, beta2, eps; L2 or decoupled decay, maximize as torch 2.x):
 * Adam's moments, rectified when the length of the approximated moving average
 * \f$\rho_t = \rho_\infty - 2t\beta_2^t/(1-\beta_2^t)\f$ exceeds 5; otherwise the
 * bias-corrected momentum alone, \f$x_t = x_{t-1} - \mathrm{lr}\, m_t/(1-\beta_1^t)\f$.
 *
 * #GD_ADAMAX (beta1, beta2, eps): \f$u_t = \max(\beta_2 u_{t-1}, |g| + \epsilon)\f$,
 * \f$x_t = x_{t-1} - \frac{\mathrm{lr}}{1-\beta_1^t} m_t / u_t\f$.
 *
 * #GD_ADADELTA (rho, eps; default lr 1): \f$s_t = \rho s + (1-\rho) g^2\f$,
 * \f$d = \sqrt{a+\epsilon}/\sqrt{s_t+\epsilon}\, g\f$, \f$a_t = \rho a + (1-\rho) d^2\f$,
 * \f$x_t = x_{t-1} - \mathrm{lr}\, d\f$.
 *
 * #GD_RPROP (eta_minus, eta_plus, step_min, step_max): each element's step size
 * (starting at lr) grows by eta_plus while the gradient keeps its sign and shrinks by
 * eta_minus when it changes (then that element does not move), clamped to
 * [step_min, step_max]; \f$x_t = x_{t-1} - \mathrm{step}\cdot\mathrm{sign}(g)\f$.
 *
 * #GD_ASGD (lambd, alpha, t0; L2 decay): \f$x_t = x_{t-1}(1 - \lambda\eta_t) -
 * \eta_t g\f$, with \f$\eta_{t+1} = \mathrm{lr}/(1+\lambda\,\mathrm{lr}\,t)^\alpha\f$, and
 * the average "ax" of the iterates from step t0 on.
 *
 * #GD_LION (beta1, beta2; decoupled weight decay, as the common PyTorch version):
 * \f$x \leftarrow x(1 - \mathrm{lr}\,\mathrm{wd})\f$,
 * \f$x_t = x - \mathrm{lr}\,\mathrm{sign}(\beta_1 m + (1-\beta_1) g)\f$,
 * \f$m_t = \beta_2 m + (1-\beta_2) g\f$ (sign(0) = 0).
 *
 * #GD_LBFGS (since 1.1; lr, history_size, line_search, tolerance_grad,
 * tolerance_change; torch.optim.LBFGS's defaults, lr 1): one gd_minimize() with
 * max_iter = k is one `LBFGS.step(closure)` with max_iter = k, and successive calls
 * continue the history as successive step() calls do.  Iteration k: the direction
 * d = -g at the first iteration since creation or reset, later the two-loop recursion
 * over the newest history_size pairs (y = g_k - g_{k-1}, s = t d, kept when y.s >
 * 1e-10) scaled by y.s / y.y; the step t = min(1, 1/||g||_1) lr at the first iteration,
 * lr later, or with #GD_LINE_SEARCH_STRONG_WOLFE the point torch's strong Wolfe line
 * search accepts (c1 1e-4, c2 0.9, at most 25 trials, cubic interpolation), or with
 * #GD_LINE_SEARCH_BACKTRACKING the first of t, t/2, ... that decreases f enough
 * (Armijo's condition; not in torch); then x <- x + t d.  Without a line search the last iteration
 * of a call does not evaluate its new x (as torch).  It evaluates inside its steps, so
 * gd_optimizer_update() refuses it, and it needs the full objective (no mini-batches).  Iterates
 * agree with torch's to about 1e-9 relative or better (torch's BLAS sums its dot products in
 * another order), evaluation and iteration counts exactly.
 *
 * Exact means exact to torch's scalar CPU path (`ATEN_CPU_CAPABILITY=default`, float64
 * as the default dtype), bit for bit, at every instruction-set level.  torch's AVX2 and
 * AVX-512 kernels fuse multiply-add in `add_(alpha=)`, `addcmul_` and `lerp_`, so its
 * own results on such machines differ from its scalar path, and from libgd, by up to
 * about 3e-13 relative, and more where an update nearly cancels (lr * weight_decay
 * close to 1 in AdamW, centered RMSprop with alpha = 0).
 */
typedef enum gd_method {
    /** Gradient descent: momentum, dampening, Nesterov, weight decay. */
    GD_SGD = 0,
    /** Adam with L2 weight decay and optional AMSGrad. */
    GD_ADAM = 1,
    /** Adam with decoupled weight decay. */
    GD_ADAMW = 2,
    /** RMSprop, optionally centered and with momentum. */
    GD_RMSPROP = 3,
    /** Adagrad with learning-rate decay. */
    GD_ADAGRAD = 4,
    /** NAdam: Adam with Nesterov momentum (since 1.1). */
    GD_NADAM = 5,
    /** RAdam: Adam with the variance rectified (since 1.1). */
    GD_RADAM = 6,
    /** Adamax: Adam with the infinity norm (since 1.1). */
    GD_ADAMAX = 7,
    /** Adadelta (since 1.1). */
    GD_ADADELTA = 8,
    /** Rprop: resilient backpropagation, the sign of the gradient (since 1.1). */
    GD_RPROP = 9,
    /** ASGD: averaged SGD (since 1.1). */
    GD_ASGD = 10,
    /** Lion: the sign of an interpolated momentum (since 1.1). */
    GD_LION = 11,
    /** L-BFGS as torch.optim.LBFGS; runs only through gd_step() and gd_minimize()
     *  (since 1.1). */
    GD_LBFGS = 12
} gd_method;

/**
 * @brief Creates an optimizer for x of dimension n with the method's default parameters.
 *
 * All state (moments, scratch vectors for gd_step() and gd_minimize()) is allocated
 * here, so the update loop never allocates.  The instruction-set level of the update
 * loops is fixed here too, reading the environment variable `GDESCENT_ISA` (see
 * gd_optimizer_isa()).
 * @param method A #gd_method.
 * @param n      Dimension of x; at least 1.
 * @return A new handle to free with gd_optimizer_free(), or NULL for an unknown method,
 *         n = 0, n too large to allocate, or allocation failure.
 */
GD_API gd_optimizer *gd_optimizer_new(gd_method method, size_t n);

/**
 * @brief Creates an optimizer in single precision: x, its gradients and the method's
 *        state vectors are floats, updated by gd_optimizer_update_f32() only.
 *
 * Results follow torch.optim on float32 tensors with float32 as the default dtype:
 * the rule's scalars (bias corrections, step sizes, schedule values) are computed in
 * double and rounded to float where torch converts a Python float to the tensor's
 * dtype, and torch's scalar state tensors (the step count, NAdam's mu_product, ASGD's
 * eta and mu) are floats, rounded at every step.  The step count the rule sees stops
 * at 2^24, as torch's float32 counter does.  Parameters, ranges, schedules, clipping
 * and saved states work as for gd_optimizer_new().  gd_optimizer_update(), gd_step()
 * and gd_minimize() refuse the optimizer with #GD_EINVAL (their x and objectives are
 * double).
 * @param method A #gd_method other than #GD_LBFGS, whose steps evaluate an objective
 *               (a double one).
 * @param n      Dimension of x; at least 1.
 * @return A new handle to free with gd_optimizer_free(), or NULL for #GD_LBFGS, an
 *         unknown method, n = 0, n too large to allocate, or allocation failure.
 *         Thread-safe (no shared state).
 * @since 1.1
 */
GD_API gd_optimizer *gd_optimizer_new_f32(gd_method method, size_t n);

/**
 * @brief Frees an optimizer and its state.
 * @param opt The handle, or NULL (no-op).
 */
GD_API void gd_optimizer_free(gd_optimizer *opt);

/**
 * @brief Forgets the method's state (moments, step count) and the run summary
 *        (evaluations, last f and gradient norm), and restarts the sampling from the
 *        seed; parameters and the monitor are kept.
 * @param opt The handle.
 * @return #GD_OK; #GD_EINVAL when opt is NULL; #GD_EBUSY from a callback of a run of
 *         this optimizer (nothing forgotten).
 */
GD_API int gd_optimizer_reset(gd_optimizer *opt);

/**
 * @brief The method of a name: "sgd", "adam", "nadam", "lion", ... (the enum name
 *        lower-cased without `GD_`), for programs that take it as text.
 * @param name   The name, NUL-terminated; matched exactly (case-sensitive).
 * @param method Receives the method; untouched on error.
 * @return #GD_OK, or #GD_EINVAL for a NULL argument or an unknown name.  Thread-safe.
 */
GD_API int gd_method_by_name(const char *name, gd_method *method);

/**
 * @brief The name of a method, the inverse of gd_method_by_name(): "sgd", "adam",
 *        "adamw", "rmsprop" or "adagrad".
 * @param method The method.
 * The methods are numbered from 0 without gaps, so a program lists them all by
 * calling gd_method_name() with 0, 1, 2, ... until it returns NULL.
 * @return A static string, not to be freed; NULL for a value that is not a
 *         #gd_method.  Thread-safe.
 */
GD_API const char *gd_method_name(gd_method method);

/**
 * @brief The instruction-set level of the update loops this optimizer runs.
 * On x86-64 the loops are compiled for the baseline (SSE2), for x86-64-v3 (AVX2) and
 * for x86-64-v4 (AVX-512); gd_optimizer_new() picks the best one the CPU supports,
 * unless the environment variable `GDESCENT_ISA` names a level (`baseline`, `avx2` or
 * `avx512`): then that level, or the best supported one below it.  Other
 * architectures have the baseline only.  Every level gives bit-identical results.
 * @param opt The handle.
 * @return "baseline", "avx2" or "avx512" (a static string), or NULL when opt is NULL.
 *         Thread-safe on a shared handle.
 */
GD_API const char *gd_optimizer_isa(const gd_optimizer *opt);
/** @} */

/**
 * @defgroup gd_params Parameters
 * @brief The parameters of an optimizer: its method's (learning rate, moments, ...),
 *        the stop criteria of gd_minimize() and the sampling of finite sums, set and
 *        read by key or by name.
 * @{
 */

/**
 * @brief Parameter keys of gd_optimizer_set() and gd_optimizer_get().
 *
 * Keys 0-31 are method parameters (a key that a method does not use is refused with
 * #GD_EINVAL), 32-47 stop criteria of gd_minimize(), 48-63 sampling of finite sums.
 * Booleans take exactly 0 or 1; counts take non-negative whole numbers.
 */
typedef enum gd_param {
    /** Learning rate, >= 0; default torch's: 0.01 (SGD, RMSprop, Adagrad, Rprop,
     * ASGD), 0.001 (Adam, AdamW, RAdam), 0.002 (NAdam, Adamax), 1 (Adadelta); Lion 1e-4.
     */
    GD_PARAM_LR = 0,
    /** Momentum factor in [0, 1); default 0 (SGD, RMSprop). */
    GD_PARAM_MOMENTUM = 1,
    /** Dampening of momentum in [0, 1]; default 0 (SGD). */
    GD_PARAM_DAMPENING = 2,
    /** Boolean, default 0 (SGD); needs momentum > 0 and dampening 0. */
    GD_PARAM_NESTEROV = 3,
    /** Weight decay, >= 0; default 0, AdamW 0.01 (every method but Rprop). */
    GD_PARAM_WEIGHT_DECAY = 4,
    /** First-moment decay in [0, 1); default 0.9 (Adam, AdamW, NAdam, RAdam, Adamax,
     * Lion). */
    GD_PARAM_BETA1 = 5,
    /** Second-moment decay in [0, 1); default 0.999 (Adam, AdamW, NAdam, RAdam,
     * Adamax), 0.99 (Lion). */
    GD_PARAM_BETA2 = 6,
    /** Denominator term, >= 0; default 1e-8 (Adam, AdamW, RMSprop, NAdam, RAdam,
     * Adamax), 1e-10 (Adagrad), 1e-6 (Adadelta). */
    GD_PARAM_EPS = 7,
    /** Boolean, default 0 (Adam, AdamW). */
    GD_PARAM_AMSGRAD = 8,
    /** Smoothing constant in [0, 1); default 0.99 (RMSprop); ASGD's power of the
     * step-size decay, default 0.75. */
    GD_PARAM_ALPHA = 9,
    /** Boolean, default 0 (RMSprop). */
    GD_PARAM_CENTERED = 10,
    /** Learning-rate decay, >= 0; default 0 (Adagrad). */
    GD_PARAM_LR_DECAY = 11,
    /** Initial accumulator, >= 0; default 0 (Adagrad); read at the first update after
     * creation or reset.
     */
    GD_PARAM_INITIAL_ACCUMULATOR = 12,
    /** Boolean: ascend instead of descend; default 0 (all). */
    GD_PARAM_MAXIMIZE = 13,
    /** NAdam's momentum decay psi, >= 0; default 4e-3 (since 1.1). */
    GD_PARAM_MOMENTUM_DECAY = 14,
    /** Adadelta's decay of the running averages, in [0, 1]; default 0.9 (since 1.1). */
    GD_PARAM_RHO = 15,
    /** Rprop's factor when the gradient changes sign, in (0, 1); default 0.5 (since 1.1). */
    GD_PARAM_ETA_MINUS = 16,
    /** Rprop's factor while it keeps its sign, > 1; default 1.2 (since 1.1). */
    GD_PARAM_ETA_PLUS = 17,
    /** Rprop's smallest step, >= 0; default 1e-6 (since 1.1). */
    GD_PARAM_STEP_MIN = 18,
    /** Rprop's largest step, >= 0; default 50 (since 1.1). */
    GD_PARAM_STEP_MAX = 19,
    /** ASGD's decay term lambda, >= 0; default 1e-4 (since 1.1). */
    GD_PARAM_LAMBD = 20,
    /** ASGD's step from which it averages, >= 0; default 1e6 (since 1.1). */
    GD_PARAM_T0 = 21,
    /** Boolean: NAdam and RAdam decay x first (x <- x (1 - lr wd)) instead of adding
     * the L2 term, as torch 2.x; default 0 (since 1.1). */
    GD_PARAM_DECOUPLED_WEIGHT_DECAY = 22,
    /** L-BFGS's number of curvature pairs kept, a count >= 1; default 100.  The
     * history (2 (history_size + 1) vectors of n; (2 history_size + 11) n doubles in all) is
     * allocated when the optimizer is created and again when this is set (#GD_ENOMEM
     * then leaves it and the value as they were; #GD_EBUSY from a monitor during a
     * run); the newest pairs are kept (since 1.1). */
    GD_PARAM_HISTORY_SIZE = 23,
    /** L-BFGS's line search: #GD_LINE_SEARCH_NONE (default),
     * #GD_LINE_SEARCH_STRONG_WOLFE or #GD_LINE_SEARCH_BACKTRACKING (since 1.1).  SGD's
     * (libgd's own, not torch's): #GD_LINE_SEARCH_NONE (default) or
     * #GD_LINE_SEARCH_BACKTRACKING, on the full objective only.  For SGD it is refused
     * (#GD_EINVAL) with momentum, weight decay (which would change the objective that
     * Armijo's test judges), maximize, gradient clipping, or more than one group; while
     * it is on, gd_optimizer_set_range() and gd_optimizer_update() (which has no
     * objective to evaluate) return #GD_EINVAL, and so do gd_step() and gd_minimize()
     * with mini-batches. */
    GD_PARAM_LINE_SEARCH = 24,
    /** L-BFGS stops (#GD_STOP_GTOL) when max_i |g_i| <= tolerance_grad, >= 0; default
     * 1e-7 (since 1.1). */
    GD_PARAM_TOLERANCE_GRAD = 25,
    /** L-BFGS stops when the step (max_i |t d_i|, #GD_STOP_XTOL), the change of f or
     * the directional derivative (#GD_STOP_FTOL) falls below it, >= 0; default 1e-9
     * (since 1.1). */
    GD_PARAM_TOLERANCE_CHANGE = 26,
    /** Updates per gd_minimize() call, count; default 1000. */
    GD_PARAM_MAX_ITER = 32,
    /** Stop when ||grad|| <= gtol; >= 0, default 0 (off). */
    GD_PARAM_GTOL = 33,
    /** Stop when |f_k - f_{k-1}| <= ftol * max(|f_k|, |f_{k-1}|); >= 0, default 0
     * (off).
     */
    GD_PARAM_FTOL = 34,
    /** Stop when ||x_k - x_{k-1}|| <= xtol * ||x_k||; >= 0, default 0 (off). */
    GD_PARAM_XTOL = 35,
    /** Evaluations per gd_minimize() call, count; 0 (default) means no limit, except
     * for #GD_LBFGS, where it means max_iter * 5 / 4 as in torch (since 1.1). */
    GD_PARAM_MAX_EVAL = 36,
    /** gd_minimize() steps the schedules (gd_optimizer_schedule_step()) every k
     * updates, feeding a plateau schedule the f it just computed; count, default 0:
     * the caller steps them (since 1.1).  The updates are counted since creation or
     * reset (gd_optimizer_iterations()), so that runs chain; the schedules step after
     * the evaluation of the new iterate and before the monitor sees it.  A schedule
     * that refuses to step ends the run at that iterate with #GD_EINVAL.  gd_step() and
     * #GD_LBFGS's own loop do not step them. */
    GD_PARAM_SCHEDULE_EVERY = 37,
    /** Clips the gradient by its 2-norm before every update, as
     * torch.nn.utils.clip_grad_norm_(max_norm) on one tensor: the gradient is
     * multiplied by min(1, max_norm / (||g|| + 1e-6)); >= 0, default 0 (off).  The
     * norm is summed in the order of torch's scalar CPU path, which makes the factor
     * bit for bit torch's (in float for a float optimizer), except where the sum of
     * squares overflows with finite elements: there torch's norm is infinite and its
     * factor 0, and libgd takes the accurate norm.  The caller's gradient is not
     * written (since 1.1). */
    GD_PARAM_CLIP_NORM = 38,
    /** Clamps every element of the gradient to [-clip_value, clip_value] before every
     * update, as torch.nn.utils.clip_grad_value_; >= 0, default 0 (off).  Applied
     * before clipping by norm when both are set (since 1.1). */
    GD_PARAM_CLIP_VALUE = 39,
    /** Terms per step of a finite sum, count; 0 (default) means the full objective. */
    GD_PARAM_BATCH_SIZE = 48,
    /** Boolean: reshuffle the terms every epoch (default 1); 0 takes them in order
     * 0..m-1.
     */
    GD_PARAM_SHUFFLE = 49,
    /** Seed of the shuffle, a whole number in [0, 2^53]; default 0. Setting it restarts
     * the sampling.
     */
    GD_PARAM_SEED = 50
} gd_param;

/** #GD_PARAM_LINE_SEARCH: a fixed step of lr along the L-BFGS direction, or SGD's own
 *  step (since 1.1). */
#define GD_LINE_SEARCH_NONE 0
/** #GD_PARAM_LINE_SEARCH: torch.optim.LBFGS's line_search_fn="strong_wolfe" (since
 *  1.1; L-BFGS only). */
#define GD_LINE_SEARCH_STRONG_WOLFE 1
/** #GD_PARAM_LINE_SEARCH: Armijo backtracking, libgd's own (torch has none; since 1.1).
 *  L-BFGS: along the L-BFGS direction d, the trials t, t/2, t/4, ...
 *  (#GD_BACKTRACKING_SHRINK) from the iteration's step t (lr; min(1, 1/||g||_1) lr at
 *  the first iteration, as for the strong Wolfe search), and the first with
 *  f(x + t d) <= f(x) + #GD_BACKTRACKING_C1 t g.d is taken.  After
 *  #GD_BACKTRACKING_MAX_HALVINGS halvings without one, x stays and the run stops with
 *  #GD_STOP_XTOL.  Each trial is one evaluation; a failed or non-finite one ends the
 *  run as in the strong Wolfe search.
 *
 *  SGD (full objective only): each iteration of gd_minimize() and gd_step() tries
 *  x - t g for t = lr, lr/2, ... and takes the first with f(x - t g) <= f(x) -
 *  #GD_BACKTRACKING_C1 t ||g||^2 (the same test with d = -g; the first trial is plain
 *  SGD's step, bit for bit).  A trial whose f or gradient is not finite fails the test
 *  instead of ending the run.  Each trial is one evaluation, each iteration one update,
 *  also one that finds no step within the halvings: x stays, and gd_minimize() stops
 *  with #GD_STOP_XTOL (gd_step() returns #GD_OK).  The run summary is the accepted
 *  point's evaluation. */
#define GD_LINE_SEARCH_BACKTRACKING 2
/** #GD_LINE_SEARCH_BACKTRACKING's sufficient-decrease constant c1 (since 1.1). */
#define GD_BACKTRACKING_C1 1e-4
/** #GD_LINE_SEARCH_BACKTRACKING's factor from one trial step to the next (since 1.1). */
#define GD_BACKTRACKING_SHRINK 0.5
/** #GD_LINE_SEARCH_BACKTRACKING's most halvings: at most 51 trials (since 1.1). */
#define GD_BACKTRACKING_MAX_HALVINGS 50

/**
 * @brief Sets one parameter; takes effect at the next update.
 *
 * Changing the learning rate between steps is how schedules are built.  Nesterov
 * momentum needs momentum > 0 and dampening 0 at all times: set momentum before
 * turning Nesterov on, and Nesterov off before setting momentum to 0.
 *
 * A method key set here applies to every element again, replacing what
 * gd_optimizer_set_range() and the schedules set for it.
 * @param opt   The handle.
 * @param key   A #gd_param used by the optimizer's method (or a run/sampling key).
 * @param value The new value; NaN is always refused.
 * @return #GD_OK, or #GD_EINVAL (opt NULL, unknown key, key not used by the method,
 *         value out of range, or a combination PyTorch refuses, in any range); on error
 *         nothing changes.
 */
GD_API int gd_optimizer_set(gd_optimizer *opt, gd_param key, double value);

/**
 * @brief Reads one parameter (its default until it is set).
 *
 * A method key's value is the one in force for element 0, which ranges and schedules
 * may have changed (the learning rate in force, torch's `get_last_lr()[0]`); for other
 * elements see gd_optimizer_get_range().
 * @param opt   The handle.
 * @param key   A #gd_param used by the optimizer's method, or a run/sampling key.
 * @param value Receives the value; not NULL.
 * @return #GD_OK, or #GD_EINVAL (NULL argument, unknown key or key not used by the
 *         method; *value is then untouched).  Thread-safe on a shared handle.
 */
GD_API int gd_optimizer_get(const gd_optimizer *opt, gd_param key, double *value);

/**
 * @brief Sets a method parameter for the elements first .. first+count-1 only, as a
 *        torch parameter group with its own options (a bias without weight decay, a
 *        layer with its own learning rate).
 *
 * The elements keep their state (moments, step sizes, and the scalars of torch's state
 * such as NAdam's mu_product); from the next update on they follow the new value.
 * Ranges set one after another overlay: each element has the value of the last call
 * that covered it, and gd_optimizer_set() of the key sets it everywhere again.  Each
 * schedule acts on each range from the range's own base learning rate.  Setting a
 * range allocates (the update path never does); elements left with equal parameters
 * and state share their storage again, so that a key set back everywhere costs
 * nothing.
 * @param opt   The handle; not #GD_LBFGS, which has one parameter group (as torch's).
 * @param first The first element, < n.
 * @param count The number of elements, >= 1, first + count <= n.
 * @param key   A method key of the optimizer's method; run and sampling keys are
 *              refused.
 * @param value The value, in the key's range.
 * @return #GD_OK; #GD_EINVAL (NULL handle, L-BFGS, a range outside 0..n-1, a key that
 *         is not a method key of the method, a value out of range, or a combination
 *         PyTorch refuses in some element, as Nesterov without momentum); #GD_ENOMEM.
 *         On error nothing changes.  Not thread-safe on a shared handle; a callback
 *         may call it between updates.
 * @since 1.1
 */
GD_API int gd_optimizer_set_range(gd_optimizer *opt, size_t first, size_t count, gd_param key,
                                  double value);

/**
 * @brief Reads the value of a method parameter in force for one element.
 * @param opt   The handle.
 * @param index The element, < n.
 * @param key   A method key of the optimizer's method (run keys are refused, as by
 *              gd_optimizer_set_range()).
 * @param value Receives the value; not NULL.
 * @return #GD_OK, or #GD_EINVAL (NULL argument, index >= n, key not a method key of the
 *         method; *value is then untouched).  Thread-safe on a shared handle.
 * @since 1.1
 */
GD_API int gd_optimizer_get_range(const gd_optimizer *opt, size_t index, gd_param key,
                                  double *value);

/**
 * @brief gd_optimizer_set() by name: the key's enum name lower-cased without
 *        `GD_PARAM_`, for example "lr", "momentum", "beta1", "max_iter", "seed".
 * @param opt   The handle.
 * @param name  The name, NUL-terminated; matched exactly (case-sensitive).
 * @param value The new value.
 * @return As gd_optimizer_set(); an unknown name or NULL is #GD_EINVAL.
 */
GD_API int gd_optimizer_set_by_name(gd_optimizer *opt, const char *name, double value);

/**
 * @brief The name of a parameter key as gd_optimizer_set_by_name() takes it: the enum
 *        name lower-cased without `GD_PARAM_`, for example "lr" or "max_iter".
 *
 * With gd_optimizer_get(), which refuses the keys an optimizer's method does not use,
 * it lists an optimizer's parameters:
 * @code
 * for (int k = 0; k < 64; k++) {
 *     double v;
 *     if (gd_param_name((gd_param)k) && gd_optimizer_get(opt, (gd_param)k, &v) == GD_OK)
 *         printf("%s = %g\n", gd_param_name((gd_param)k), v);
 * }
 * @endcode
 * @param key The key.
 * @return A static string, not to be freed; NULL for a value that is not a #gd_param.
 *         Thread-safe.
 */
GD_API const char *gd_param_name(gd_param key);

/**
 * @brief The key of a parameter name, the inverse of gd_param_name(): "lr" gives
 *        #GD_PARAM_LR.
 * @param name The name, NUL-terminated; matched exactly (case-sensitive).
 * @param key  Receives the key; untouched on error.
 * @return #GD_OK, or #GD_EINVAL for a NULL argument or an unknown name.  Thread-safe.
 * @since 1.1
 */
GD_API int gd_param_by_name(const char *name, gd_param *key);
/** @} */

/**
 * @defgroup gd_running Running
 * @brief Three levels of control: gd_optimizer_update() applies one update from a
 *        gradient the caller computed, gd_step() evaluates the objective and updates
 *        once, gd_minimize() iterates to a stop criterion.
 * @{
 */

/**
 * @brief The hot loop: applies one update to x from a gradient the caller computed.
 *
 * Does not allocate and does not check the values for NaN; x and grad must not
 * overlap.
 * @param opt  The handle.
 * @param x    n values, updated in place.
 * @param grad n values, the gradient at x.
 * @return #GD_OK; #GD_EINVAL when an argument is NULL, the method is #GD_LBFGS,
 *         which evaluates the objective inside its steps (use gd_step()), or opt is a
 *         float optimizer (gd_optimizer_update_f32()); #GD_EBUSY from a callback of a
 *         run of this optimizer (x unchanged in all of these).
 */
GD_API int gd_optimizer_update(gd_optimizer *opt, double *x, const double *grad);

/**
 * @brief The hot loop in single precision: applies one update to float x from a
 *        float gradient, for an optimizer of gd_optimizer_new_f32().
 *
 * As gd_optimizer_update(): does not allocate, does not check the values for NaN, and
 * x and grad must not overlap.  Gradient clipping reads grad and never writes it.
 * @param opt  The handle, created by gd_optimizer_new_f32().
 * @param x    n floats, updated in place.
 * @param grad n floats, the gradient at x.
 * @return #GD_OK; #GD_EINVAL when an argument is NULL or opt is a double optimizer
 *         (gd_optimizer_new()); #GD_EBUSY from a callback of a run of this optimizer (x
 *         unchanged in all of these).  Not thread-safe on one handle: one thread per
 *         optimizer at a time.
 * @since 1.1
 */
GD_API int gd_optimizer_update_f32(gd_optimizer *opt, float *x, const float *grad);

/**
 * @brief One iteration: evaluates the objective at x, then updates x.
 *
 * For a finite sum with #GD_PARAM_BATCH_SIZE b > 0, the next b terms of the current
 * epoch are evaluated (fewer at the end of an epoch, as a data loader without
 * drop_last does; b > m means the whole sum); a new epoch reshuffles when
 * #GD_PARAM_SHUFFLE is 1.  Otherwise the full objective is evaluated.
 * @param opt The handle.
 * @param obj The objective; its dimension must equal the optimizer's.
 * @param x   The iterate, updated in place.
 * @param f   Receives the (mini-batch) value at x before the update; may be NULL.
 * @return #GD_OK; #GD_EINVAL (NULL argument, dimension mismatch, a float optimizer of
 *         gd_optimizer_new_f32()); #GD_EBUSY (called
 *         from a callback of a run of this optimizer: nothing done); #GD_ENOMEM (the
 *         first mini-batch step allocates the permutation of the m terms);
 *         #GD_ECALLBACK or #GD_EDIVERGED (non-finite f or gradient), in which cases x
 *         and the optimizer's state are unchanged (#GD_LBFGS: x is unchanged, its
 *         history and iteration count include the failed iteration).
 *
 * With #GD_LBFGS, one iteration: gd_minimize() with max_iter = 1, torch's
 * `step(closure)` with max_iter = 1 (with the strong Wolfe line search it evaluates
 * more than once); mini-batches are refused with #GD_EINVAL.
 */
GD_API int gd_step(gd_optimizer *opt, gd_objective *obj, double *x, double *f);

/**
 * @brief Iterates gd_step() until a stop criterion holds.
 *
 * Iteration k evaluates f and the gradient at x_k (k = 0 is the start), then checks,
 * in this order: the monitor (k >= 1, #GD_STOP_USER), #GD_PARAM_GTOL, #GD_PARAM_FTOL and
 * #GD_PARAM_XTOL (k >= 1), and #GD_PARAM_MAX_ITER (k = max_iter); the first that holds
 * ends the run with x = x_k.  Otherwise x is updated to x_{k+1}.  A run of max_iter
 * updates thus makes max_iter + 1 evaluations, the first max_iter of them the same as
 * max_iter calls of gd_step().  With mini-batches, f and the gradient of each iteration
 * are those of its batch.
 *
 * Runs chain: the sampler moves on by one batch per update.  The final evaluation
 * makes no update, so its batch goes back to the sampler and the next evaluation, by
 * gd_step() or gd_minimize(), draws it again; a failed evaluation gives its batch back
 * too.  So k calls with max_iter = m give the same x,
 * step count and sampling position as one call with max_iter = k m, and as k m calls
 * of gd_step(), bit for bit (each call evaluates its start once more: k (m + 1)
 * evaluations instead of k m + 1).
 *
 * The run's final f and gradient norm are gd_optimizer_last_f() and
 * gd_optimizer_last_grad_norm(): those of the full objective at the final x, or with
 * mini-batches of the last batch drawn, at the final x.
 *
 * #GD_PARAM_MAX_EVAL > 0 stops the run with #GD_STOP_MAXEVAL (checked before
 * #GD_PARAM_MAX_ITER) once the call has made that many evaluations.
 *
 * #GD_LBFGS runs its own loop, torch's `step(closure)`: it evaluates x, stops at once
 * with #GD_STOP_GTOL when max_i |g_i| <= #GD_PARAM_TOLERANCE_GRAD, then after each
 * iteration checks, in this order: the monitor (#GD_STOP_USER; f is NaN for an iterate
 * not evaluated), max_iter iterations (#GD_STOP_MAXITER), max_eval evaluations in the
 * call (#GD_STOP_MAXEVAL; 0 means max_iter * 5 / 4), tolerance_grad (#GD_STOP_GTOL),
 * max_i |t d_i| <= #GD_PARAM_TOLERANCE_CHANGE (#GD_STOP_XTOL) and |f_k - f_{k-1}| <
 * tolerance_change (#GD_STOP_FTOL); an iteration whose directional derivative g.d is
 * above -tolerance_change stops without moving (#GD_STOP_FTOL).  gtol, ftol and xtol do
 * not apply.  Without a line search the final x of a run that stops on max_iter is not
 * evaluated (as torch): the run summary (gd_optimizer_last_f()) is then that of the
 * iterate before, and the last record's f and gradient norm are NaN.  Mini-batches are
 * refused with #GD_EINVAL.
 * @param opt  The handle.
 * @param obj  The objective; its dimension must equal the optimizer's.
 * @param x    The start, replaced by the final iterate.
 * @param traj NULL, or a trajectory of the same dimension to which records are
 *             appended: the start, every stride-th iteration and the last one.  Record
 *             iteration numbers count the optimizer's updates (gd_optimizer_iterations()).
 * @return A positive `GD_STOP_*` reason; #GD_EBUSY (called from a callback of a run of this
 * optimizer: nothing done); #GD_EINVAL (NULL argument, mismatched dimensions, a float optimizer of
 * gd_optimizer_new_f32(); nothing changed);
 * #GD_ENOMEM (the trajectory or the batch permutation could not grow; x is the last accepted
 * iterate); #GD_ECALLBACK (x is the last iterate whose evaluation succeeded); #GD_EDIVERGED (x is
 * the last iterate at which f and the gradient were finite). After these two, the optimizer's
 * moments and iteration count include the update that led to the rejected iterate; call
 * gd_optimizer_reset() to start afresh from x.
 */
GD_API int gd_minimize(gd_optimizer *opt, gd_objective *obj, double *x, gd_trajectory *traj);

/**
 * @brief Monitor of gd_minimize(), called after every update with the new iterate.
 * @param iter Number of updates made so far in this call (1, 2, ...).
 * @param x    The new iterate, n values; read only, valid during the call.
 * @param n    Dimension.
 * @param f    The (mini-batch) value at x.
 * @param user The pointer given to gd_optimizer_set_monitor().
 * @return 0 to continue, non-zero to stop with #GD_STOP_USER.
 *
 * The monitor may read the optimizer (gd_optimizer_get(), the run summary) and set its
 * parameters; running it again (gd_minimize(), gd_step(), gd_optimizer_update(),
 * gd_optimizer_reset()) returns #GD_EBUSY and does nothing; it must not free it.
 */
typedef int (*gd_monitor_fn)(size_t iter, const double *x, size_t n, double f, void *user);

/**
 * @brief Installs (or, with fn NULL, removes) the monitor of gd_minimize().
 * @param opt  The handle.
 * @param fn   The callback, or NULL.
 * @param user Passed unchanged to fn; not owned by the library.
 * @return #GD_OK, or #GD_EINVAL when opt is NULL.
 */
GD_API int gd_optimizer_set_monitor(gd_optimizer *opt, gd_monitor_fn fn, void *user);
/** @} */

/**
 * @defgroup gd_schedule Learning-rate schedules
 * @brief torch.optim.lr_scheduler (PyTorch 1.13) on an optimizer, bit for bit: the
 *        learning rate (and, for the cyclic kinds, the momentum) in force after every
 *        step is torch's.
 *
 * A #gd_schedule is a description: a kind, its options (#gd_schedule_param, torch's
 * argument names with torch's defaults), milestones, a lambda or children.  Adding it
 * to an optimizer (gd_optimizer_add_schedule()) copies it and does what constructing
 * the torch scheduler on that optimizer does: the optimizer records its learning rate
 * as `initial_lr` (once, shared by all its schedules, as torch's `setdefault`), the
 * schedule records it as its base rate, and the value for epoch 0 is applied.  Each
 * gd_optimizer_schedule_step() is then one `scheduler.step()`: torch's recursive
 * ("chainable") form, computed from the rate in force, so that the rate may also be
 * changed between steps by gd_optimizer_set() or by other schedules.  Several
 * schedules added to one optimizer act in turn at every step, as torch's
 * `ChainedScheduler`.  The rate in force is gd_optimizer_get() of #GD_PARAM_LR
 * (torch's `get_last_lr()`).
 *
 * #GD_SCHEDULE_ONE_CYCLE and #GD_SCHEDULE_CYCLIC also cycle the momentum when
 * #GD_SCHEDULE_PARAM_CYCLE_MOMENTUM is 1 (their default): #GD_PARAM_MOMENTUM for
 * #GD_SGD and #GD_RMSPROP, #GD_PARAM_BETA1 (torch's `betas[0]`) for the Adam family
 * (#GD_ADAM, #GD_ADAMW, #GD_NADAM, #GD_RADAM, #GD_ADAMAX) and #GD_LION; on other
 * methods such a schedule is refused, as torch raises.  (torch 1.13's CyclicLR cycles
 * `momentum` only; cycling beta1 is what later versions do.)
 *
 * Options without a torch default (StepLR's step_size, ExponentialLR's gamma,
 * CosineAnnealingLR's T_max, CosineAnnealingWarmRestarts' T_0, OneCycleLR's max_lr and
 * total_steps, CyclicLR's base_lr and max_lr) read as NaN until set, and
 * gd_optimizer_add_schedule() refuses the schedule until they are.
 *
 * The schedules' positions are kept by gd_optimizer_reset(), which forgets only the
 * method's state; gd_optimizer_clear_schedules() removes them (the optimizer keeps
 * its `initial_lr`, as torch's parameter groups do).
 *
 * Thread-safety: a description is a handle like the others.  Adding, clearing and
 * stepping the schedules of an optimizer use the optimizer: not from two threads at
 * once.
 * @{
 */

/**
 * @brief The schedulers of torch.optim.lr_scheduler, and each one's learning rate at
 *        epoch e (the number of steps since it was added; lr_0 is its base rate).
 *
 * Each kind takes the #gd_schedule_param keys named in its line; the others are
 * refused with #GD_EINVAL.
 */
typedef enum gd_schedule_kind {
    /** StepLR (step_size, gamma 0.1): multiplied by gamma every step_size epochs. */
    GD_SCHEDULE_STEP = 0,
    /** MultiStepLR (gamma 0.1; gd_schedule_set_milestones()): multiplied by gamma at
     *  each milestone (by gamma^k at a milestone listed k times). */
    GD_SCHEDULE_MULTISTEP = 1,
    /** ExponentialLR (gamma): multiplied by gamma every epoch. */
    GD_SCHEDULE_EXPONENTIAL = 2,
    /** CosineAnnealingLR (T_max, eta_min 0): eta_min + (lr_0 - eta_min)(1 + cos(pi e /
     *  T_max))/2, computed recursively as torch does. */
    GD_SCHEDULE_COSINE = 3,
    /** CosineAnnealingWarmRestarts (T_0, T_mult 1, eta_min 0): the same cosine over
     *  periods T_0, T_0 T_mult, T_0 T_mult^2, ... each restarting at lr_0. */
    GD_SCHEDULE_COSINE_RESTARTS = 4,
    /** LinearLR (start_factor 1/3, end_factor 1, total_iters 5): the factor goes
     *  linearly from start_factor to end_factor over total_iters epochs. */
    GD_SCHEDULE_LINEAR = 5,
    /** ConstantLR (factor 1/3, total_iters 5): multiplied by factor until epoch
     *  total_iters. */
    GD_SCHEDULE_CONSTANT = 6,
    /** PolynomialLR (total_iters 5, power 1): lr_0 (1 - e/total_iters)^power. */
    GD_SCHEDULE_POLYNOMIAL = 7,
    /** OneCycleLR (max_lr, total_steps, pct_start 0.3, anneal_linear 0, div_factor 25,
     *  final_div_factor 1e4, three_phase 0, cycle_momentum 1, base_momentum 0.85,
     *  max_momentum 0.95): from max_lr/div_factor up to max_lr over pct_start of the
     *  steps, then down to max_lr/div_factor/final_div_factor (with three_phase, back
     *  to the start first); cosine or linear annealing.  Adding it sets the
     *  optimizer's initial_lr to max_lr/div_factor.  A step past total_steps is
     *  refused (#GD_EINVAL), as torch raises. */
    GD_SCHEDULE_ONE_CYCLE = 8,
    /** CyclicLR (base_lr, max_lr, step_size_up 2000, step_size_down NaN: as up, mode 0,
     *  gamma 1, cycle_momentum 1, base_momentum 0.8, max_momentum 0.9): triangular
     *  cycles between base_lr and max_lr; mode 0 triangular, 1 triangular2 (the
     *  amplitude halves every cycle), 2 exp_range (scaled by gamma^e).  Adding it sets
     *  the rate to base_lr, then the epoch-0 value to the optimizer's initial_lr. */
    GD_SCHEDULE_CYCLIC = 9,
    /** ReduceLROnPlateau (mode 0 min / 1 max, factor 0.1, patience 10, threshold 1e-4,
     *  threshold_abs 0, cooldown 0, min_lr 0, eps 1e-8): multiplied by factor (not
     *  below min_lr, and only when that changes it by more than eps) when the metric
     *  passed to gd_optimizer_schedule_step() has not improved for more than patience
     *  steps, then waits cooldown steps.  Adding it does not change the rate. */
    GD_SCHEDULE_PLATEAU = 10,
    /** LambdaLR (gd_schedule_set_lambda()): lr_0 * lambda(e). */
    GD_SCHEDULE_LAMBDA = 11,
    /** MultiplicativeLR (gd_schedule_set_lambda()): multiplied by lambda(e) every
     *  epoch e >= 1. */
    GD_SCHEDULE_MULTIPLICATIVE = 12,
    /** SequentialLR (children by gd_schedule_append(), one fewer switch points by
     *  gd_schedule_set_milestones()): child k acts from milestone k-1 on, restarted
     *  there as torch's step(0) restarts it. */
    GD_SCHEDULE_SEQUENTIAL = 13
} gd_schedule_kind;

/**
 * @brief Options of the schedules: torch's argument names, with torch's defaults
 *        (given with #gd_schedule_kind).
 *
 * Counts (step_size, T_max, T_0, T_mult, total_iters, total_steps, patience,
 * cooldown) are whole numbers; booleans are 0 or 1.  The ranges are those in which
 * torch computes finite rates: a value outside them is refused with #GD_EINVAL.
 */
typedef enum gd_schedule_param {
    /** STEP, MULTISTEP, EXPONENTIAL, CYCLIC (exp_range): the factor; >= 0. */
    GD_SCHEDULE_PARAM_GAMMA = 0,
    /** STEP: the period of the decay; count >= 1. */
    GD_SCHEDULE_PARAM_STEP_SIZE = 1,
    /** COSINE: the half period; count >= 1. */
    GD_SCHEDULE_PARAM_T_MAX = 2,
    /** COSINE, COSINE_RESTARTS: the lowest rate; >= 0. */
    GD_SCHEDULE_PARAM_ETA_MIN = 3,
    /** COSINE_RESTARTS: the first period; count >= 1. */
    GD_SCHEDULE_PARAM_T_0 = 4,
    /** COSINE_RESTARTS: the growth of the period at each restart; count >= 1. */
    GD_SCHEDULE_PARAM_T_MULT = 5,
    /** LINEAR: the factor at epoch 0; in (0, 1]. */
    GD_SCHEDULE_PARAM_START_FACTOR = 6,
    /** LINEAR: the factor from total_iters on; in [0, 1]. */
    GD_SCHEDULE_PARAM_END_FACTOR = 7,
    /** LINEAR, POLYNOMIAL (count >= 1), CONSTANT (count >= 0): the epochs of the
     *  change. */
    GD_SCHEDULE_PARAM_TOTAL_ITERS = 8,
    /** CONSTANT: in (0, 1]; PLATEAU: the reduction, in [0, 1). */
    GD_SCHEDULE_PARAM_FACTOR = 9,
    /** POLYNOMIAL: the power; >= 0. */
    GD_SCHEDULE_PARAM_POWER = 10,
    /** ONE_CYCLE, CYCLIC: the highest rate; >= 0. */
    GD_SCHEDULE_PARAM_MAX_LR = 11,
    /** ONE_CYCLE: the steps of the cycle; count >= 1. */
    GD_SCHEDULE_PARAM_TOTAL_STEPS = 12,
    /** ONE_CYCLE: the fraction of the steps spent increasing the rate; in [0, 1]; a
     *  value giving a phase of no width is refused when the schedule is added
     *  (torch divides by zero in it). */
    GD_SCHEDULE_PARAM_PCT_START = 13,
    /** ONE_CYCLE: boolean, 1 for anneal_strategy "linear", 0 for "cos". */
    GD_SCHEDULE_PARAM_ANNEAL_LINEAR = 14,
    /** ONE_CYCLE: the initial rate is max_lr / div_factor; > 0. */
    GD_SCHEDULE_PARAM_DIV_FACTOR = 15,
    /** ONE_CYCLE: the final rate is the initial one / final_div_factor; > 0. */
    GD_SCHEDULE_PARAM_FINAL_DIV_FACTOR = 16,
    /** ONE_CYCLE: boolean, three phases instead of two. */
    GD_SCHEDULE_PARAM_THREE_PHASE = 17,
    /** CYCLIC: the lowest rate; >= 0. */
    GD_SCHEDULE_PARAM_BASE_LR = 18,
    /** CYCLIC: the steps of the increasing half of a cycle; > 0. */
    GD_SCHEDULE_PARAM_STEP_SIZE_UP = 19,
    /** CYCLIC: the steps of the decreasing half; >= 0, or NaN (the default, torch's
     *  None) for step_size_up. */
    GD_SCHEDULE_PARAM_STEP_SIZE_DOWN = 20,
    /** CYCLIC: 0 triangular, 1 triangular2, 2 exp_range; PLATEAU: 0 min, 1 max. */
    GD_SCHEDULE_PARAM_MODE = 21,
    /** PLATEAU: the steps without improvement tolerated; count. */
    GD_SCHEDULE_PARAM_PATIENCE = 22,
    /** PLATEAU: the improvement that counts; >= 0. */
    GD_SCHEDULE_PARAM_THRESHOLD = 23,
    /** PLATEAU: boolean, threshold_mode "abs" instead of "rel". */
    GD_SCHEDULE_PARAM_THRESHOLD_ABS = 24,
    /** PLATEAU: the steps after a reduction in which no step counts; count. */
    GD_SCHEDULE_PARAM_COOLDOWN = 25,
    /** PLATEAU: the lowest rate; >= 0. */
    GD_SCHEDULE_PARAM_MIN_LR = 26,
    /** PLATEAU: a reduction smaller than eps is not made; >= 0. */
    GD_SCHEDULE_PARAM_EPS = 27,
    /** ONE_CYCLE, CYCLIC: boolean, cycle the momentum (or beta1) inversely to the
     *  rate. */
    GD_SCHEDULE_PARAM_CYCLE_MOMENTUM = 28,
    /** ONE_CYCLE, CYCLIC: the momentum at the highest rate; in [0, 1). */
    GD_SCHEDULE_PARAM_BASE_MOMENTUM = 29,
    /** ONE_CYCLE, CYCLIC: the momentum at the lowest rate; in [0, 1). */
    GD_SCHEDULE_PARAM_MAX_MOMENTUM = 30
} gd_schedule_param;

/**
 * @brief Factor of #GD_SCHEDULE_LAMBDA and #GD_SCHEDULE_MULTIPLICATIVE at an epoch.
 * @param epoch The schedule's epoch: 0 when it is added, then 1, 2, ...
 * @param user  The pointer given to gd_schedule_set_lambda().
 * @return The factor, finite: a NaN or infinite factor refuses the step
 *         (#GD_ECALLBACK) before any rate changes, and the step tried again calls the
 *         function again.  Called once per epoch (torch calls it once per parameter
 *         group; for a function of the epoch that is the same value), when the
 *         schedule is added (epoch 0) and at the steps that need it; it may read the
 *         optimizer but must not change its parameters, ranges or schedules.
 */
typedef double (*gd_lr_lambda_fn)(size_t epoch, void *user);

/**
 * @brief Creates a schedule description of a kind, with torch's defaults.
 * @param kind A #gd_schedule_kind.
 * @return A new handle to free with gd_schedule_free(), or NULL for an unknown kind or
 *         on allocation failure.
 * @since 1.1
 */
GD_API gd_schedule *gd_schedule_new(gd_schedule_kind kind);

/**
 * @brief Frees a schedule description (and the children it copied).
 * @param s The handle, or NULL (no-op).  Optimizers it was added to hold their own
 *          copies and are not affected.
 * @since 1.1
 */
GD_API void gd_schedule_free(gd_schedule *s);

/**
 * @brief Sets an option of a schedule description.
 * @param s     The handle.
 * @param key   A key of the schedule's kind (see #gd_schedule_kind).
 * @param value In the key's range (see #gd_schedule_param).
 * @return #GD_OK, or #GD_EINVAL (s NULL, a key the kind does not take, a value out of
 *         range; nothing changed).  Schedules already added are not affected.
 * @since 1.1
 */
GD_API int gd_schedule_set(gd_schedule *s, gd_schedule_param key, double value);

/**
 * @brief Reads an option of a schedule description.
 * @param s     The handle.
 * @param key   A key of the schedule's kind.
 * @param value Receives the value (NaN for a required option not yet set, and for
 *              #GD_SCHEDULE_PARAM_STEP_SIZE_DOWN unset); untouched on error.
 * @return #GD_OK, or #GD_EINVAL (NULL argument, a key the kind does not take).
 *         Thread-safe on a shared handle.
 * @since 1.1
 */
GD_API int gd_schedule_get(const gd_schedule *s, gd_schedule_param key, double *value);

/**
 * @brief Sets the milestones of #GD_SCHEDULE_MULTISTEP (epochs of a decay, in any
 *        order, repeats allowed) or the switch points of #GD_SCHEDULE_SEQUENTIAL (in
 *        non-decreasing order, one fewer than its children).
 * @param s          The handle.
 * @param milestones count epochs, copied; may be NULL when count is 0.
 * @param count      Their number; 0 removes them.
 * @return #GD_OK; #GD_EINVAL (s NULL, another kind, milestones NULL with count > 0,
 *         unsorted switch points, an epoch above INT64_MAX); #GD_ENOMEM.  Nothing is
 *         changed on error.
 * @since 1.1
 */
GD_API int gd_schedule_set_milestones(gd_schedule *s, const size_t *milestones, size_t count);

/**
 * @brief Sets the factor function of #GD_SCHEDULE_LAMBDA or #GD_SCHEDULE_MULTIPLICATIVE
 *        (required before the schedule is added).
 * @param s    The handle.
 * @param fn   The function; not NULL.  See #gd_lr_lambda_fn for what it may call.
 * @param user Passed unchanged to fn; not owned by the library, and it must stay valid
 *             while an optimizer holds a copy of the schedule.
 * @return #GD_OK, or #GD_EINVAL (s or fn NULL, another kind).
 * @since 1.1
 */
GD_API int gd_schedule_set_lambda(gd_schedule *s, gd_lr_lambda_fn fn, void *user);

/**
 * @brief Appends a copy of child to the children of a #GD_SCHEDULE_SEQUENTIAL.
 * @param sequential The sequential schedule.
 * @param child      Any schedule but a sequential or plateau one (torch restarts its
 *                   children with step(0), which they do not take); copied, so the
 *                   caller keeps and frees it.  Its options are checked when the
 *                   sequential schedule is added.
 * @return #GD_OK; #GD_EINVAL (NULL argument, sequential of another kind, child of a
 *         refused kind); #GD_ENOMEM (nothing appended).
 * @since 1.1
 */
GD_API int gd_schedule_append(gd_schedule *sequential, const gd_schedule *child);

/**
 * @brief Adds a copy of a schedule to an optimizer, as constructing the torch
 *        scheduler on it.
 *
 * Records the optimizer's `initial_lr` where no schedule has yet (#GD_SCHEDULE_ONE_CYCLE
 * sets it), takes it as the schedule's base rate, and applies the rate (and momentum)
 * of epoch 0; a #GD_SCHEDULE_SEQUENTIAL constructs its children in order, then
 * returns to `initial_lr` and applies its first child's epoch 0.  Schedules added
 * after others act after them at every step (torch's ChainedScheduler).  Everything a
 * later step needs is allocated here.
 * Ranges set later (gd_optimizer_set_range()) keep each element's base rates.
 * @param opt The optimizer.
 * @param s   The description; copied (with its children), so the caller keeps and
 *            frees it.
 * @return #GD_OK; #GD_EINVAL (NULL argument, a required option unset, a lambda
 *         kind without its function, a sequential schedule without children or with
 *         a wrong number of switch points, cycle_momentum on a method without momentum
 *         or beta1, a one-cycle phase of no width, or more than 16 schedules on the
 *         optimizer, counting a sequential one's children and not itself);
 *         #GD_ECALLBACK (a lambda's factor at epoch 0 is not finite); #GD_ENOMEM.
 *         Nothing is changed on error.
 * @since 1.1
 */
GD_API int gd_optimizer_add_schedule(gd_optimizer *opt, const gd_schedule *s);

/**
 * @brief Removes every schedule of an optimizer; the rates in force stay.
 * @param opt The optimizer.
 * @return #GD_OK, or #GD_EINVAL when opt is NULL.
 * @since 1.1
 */
GD_API int gd_optimizer_clear_schedules(gd_optimizer *opt);

/**
 * @brief One `scheduler.step()`: every schedule of the optimizer once, in the order
 *        they were added.
 *
 * Does not allocate.  #GD_PARAM_SCHEDULE_EVERY makes gd_minimize() call it.
 * @param opt    The optimizer.
 * @param metric The value a #GD_SCHEDULE_PLATEAU judges (torch's `step(metrics)`; NaN
 *               counts as no improvement); ignored by the other kinds: pass NAN when
 *               there is no plateau schedule.
 * @return #GD_OK (also with no schedules), #GD_EINVAL (opt NULL, or a one-cycle
 *         schedule past its total_steps), or #GD_ECALLBACK (a lambda's factor is not
 *         finite); on error no schedule is stepped and no rate changes.
 * @since 1.1
 */
GD_API int gd_optimizer_schedule_step(gd_optimizer *opt, double metric);
/** @} */

/**
 * @defgroup gd_summary Run summary and state
 * @brief What an optimizer has done: its updates and evaluations, the last evaluation's
 *        value and gradient norm, and the state vectors of its method.
 *
 * These replace recording a trajectory only to learn how a run ended.  All are
 * thread-safe on a shared handle while no other thread runs it.
 * @{
 */

/**
 * @brief Number of updates applied since creation or the last reset.
 * @param opt The handle.
 * @return The count, or 0 when opt is NULL.  Thread-safe on a shared handle.
 */
GD_API size_t gd_optimizer_iterations(const gd_optimizer *opt);

/**
 * @brief Number of objective evaluations made by gd_step() and gd_minimize() since
 *        creation or the last reset, failed ones included.
 *
 * @param opt The handle.
 * @return The count, or 0 when opt is NULL.
 * @since 1.1
 */
GD_API size_t gd_optimizer_evaluations(const gd_optimizer *opt);

/**
 * @brief The value f of the last successful evaluation of gd_step() or gd_minimize().
 *
 * After gd_minimize() it is f at the final x: of the full objective, or with
 * mini-batches (#GD_PARAM_BATCH_SIZE > 0) of the last batch drawn, at the final x.
 * gd_optimizer_update() evaluates nothing and does not change it.
 * @param opt The handle.
 * @return The value; NaN before any successful evaluation since creation or reset,
 *         or when opt is NULL.
 * @since 1.1
 */
GD_API double gd_optimizer_last_f(const gd_optimizer *opt);

/**
 * @brief The Euclidean norm of the gradient of that same evaluation (see
 *        gd_optimizer_last_f()).
 * @param opt The handle.
 * @return The norm; NaN before any successful evaluation, or when opt is NULL.
 * @since 1.1
 */
GD_API double gd_optimizer_last_grad_norm(const gd_optimizer *opt);

/**
 * @brief Copies a state vector (or scalar) that torch.optim keeps under the same key.
 *
 * The keys are torch's: #GD_SGD "momentum_buffer" (once a step used momentum);
 * #GD_ADAM and #GD_ADAMW "exp_avg", "exp_avg_sq" and, with AMSGrad, "max_exp_avg_sq";
 * #GD_RMSPROP "square_avg", "grad_avg" (centered) and "momentum_buffer" (momentum >
 * 0); #GD_ADAGRAD "sum"; #GD_NADAM "exp_avg", "exp_avg_sq" and the scalar
 * "mu_product"; #GD_RADAM "exp_avg", "exp_avg_sq"; #GD_ADAMAX "exp_avg", "exp_inf";
 * #GD_ADADELTA "square_avg", "acc_delta"; #GD_RPROP "prev", "step_size"; #GD_ASGD
 * "ax" and the scalars "eta", "mu"; #GD_LION "exp_avg"; #GD_LBFGS "d" and
 * "prev_flat_grad" (once an iteration ran) and the scalars "func_evals", "n_iter",
 * "t", "H_diag".  Vectors have n values,
 * scalars count 1.  All but SGD and Lion also keep the scalar "step", the number of
 * updates.  Before the first update the vectors hold zeros (Adagrad's sum
 * #GD_PARAM_INITIAL_ACCUMULATOR; Rprop's step_size is filled with lr at the first
 * update, as torch does) and the scalars their initial values (mu_product 1, eta lr,
 * mu 1).  A float optimizer's vectors and scalars are floats, copied out exactly as
 * doubles, and its "step" stops at 2^24 (gd_optimizer_new_f32()).
 * @param opt   The handle.
 * @param name  The key, NUL-terminated.
 * @param out   Receives count values.
 * @param count n for a vector, 1 for a scalar.
 * @return #GD_OK, or #GD_EINVAL (NULL argument, a key the method does not keep under
 *         its current parameters, or a count that is not the key's length); out is
 *         untouched on error.
 * @since 1.1
 */
GD_API int gd_optimizer_get_state(const gd_optimizer *opt, const char *name, double *out,
                                  size_t count);
/** @} */

/**
 * @defgroup gd_saved Saved states
 * @brief Checkpoints of an optimizer (torch's `state_dict()`, as bytes) that resume bit
 *        for bit, in another process and at another instruction-set level.
 *
 * A state holds everything that decides the next update: every parameter and range,
 * the step count, the run summary, every state vector (and L-BFGS's history), the
 * schedules with their positions and base rates, and the mini-batch sampler's
 * position and seed.  The layout is doc/state-format.md's (@ref state-format):
 * little-endian fields after a magic and a format version, the method and n, and a
 * CRC-32C of all of it.
 *
 * Callbacks are code and are not saved: the monitor, and the functions of
 * #GD_SCHEDULE_LAMBDA and #GD_SCHEDULE_MULTIPLICATIVE schedules.  A state with such a
 * schedule says so; to load it, first add to the optimizer the same schedules in the
 * same order (their functions set with gd_schedule_set_lambda()): loading replaces
 * their positions and keeps their functions.
 *
 * None of these may be called on a handle another thread uses at the same time;
 * loading from a callback of a run of the same optimizer is #GD_EBUSY.
 * @{
 */

/**
 * @brief The size in bytes of the state gd_optimizer_save() writes now (it grows
 *        with ranges, schedules and a mini-batch sampler's permutation).
 * @param opt The handle.
 * @return The size, or 0 when opt is NULL.
 * @since 1.1
 */
GD_API size_t gd_optimizer_state_size(const gd_optimizer *opt);

/**
 * @brief Writes the optimizer's state into a buffer.
 * @param opt  The handle.
 * @param buf  At least gd_optimizer_state_size() bytes, owned by the caller.
 * @param size The buffer's size.
 * @return #GD_OK, or #GD_EINVAL (NULL argument, or size smaller than the state; buf is
 *         then untouched).  Does not allocate.
 * @since 1.1
 */
GD_API int gd_optimizer_save(const gd_optimizer *opt, void *buf, size_t size);

/**
 * @brief Replaces the optimizer's state by a saved one: the next updates are those the
 *        saved optimizer would have made.
 *
 * The whole state is checked, and what it needs allocated, before anything changes.
 * The optimizer keeps its instruction-set level and its monitor.
 * @param opt  An optimizer of the saved one's method, size and precision (a float
 *             optimizer's state loads only into a float optimizer, and a double one's
 *             only into a double one).
 * @param buf  The state; size bytes, read only.
 * @param size Its size: exactly the saved state's.
 * @return #GD_OK; #GD_EFORMAT (not a state, damaged (every single-bit change is
 *         caught by the checksum), truncated, or of a newer format); #GD_EINVAL (NULL
 *         argument, a state of another method, size or precision, or one with a lambda
 *         schedule whose function the optimizer does not hold at the same place);
 *         #GD_ENOMEM; #GD_EBUSY.  On every error the optimizer is unchanged.
 * @since 1.1
 */
GD_API int gd_optimizer_load(gd_optimizer *opt, const void *buf, size_t size);

/**
 * @brief Writes the optimizer's state to a file, replacing it atomically.
 *
 * Writes a new file beside path (path with ".tmp-" and six random characters
 * appended, as mkstemp() makes it), flushes it to disk (fsync), renames it over path
 * and flushes the directory: a crash at any point
 * leaves either the old file or the new one, each loadable.  On an error the
 * temporary file is removed and path is untouched, but for one: when the last step,
 * the directory's flush after the rename, fails, the result is #GD_EIO with path
 * already holding the new state (loadable, but the rename may not survive a crash).
 * @param opt  The handle.
 * @param path The file's path, NUL-terminated, not empty.
 * @return #GD_OK; #GD_EINVAL (NULL or empty argument); #GD_EIO (a write, fsync,
 *         rename or the directory could not be done); #GD_ENOMEM.
 * @since 1.1
 */
GD_API int gd_optimizer_save_file(const gd_optimizer *opt, const char *path);

/**
 * @brief gd_optimizer_load() from a file that gd_optimizer_save_file() wrote.
 * @param opt  The handle.
 * @param path The file's path, NUL-terminated.
 * @return As gd_optimizer_load(), and #GD_EIO when the file cannot be read.
 * @since 1.1
 */
GD_API int gd_optimizer_load_file(gd_optimizer *opt, const char *path);
/** @} */

/**
 * @defgroup gd_trajectory Trajectories
 * @brief Records of a run: iteration, f, gradient norm and optionally x.
 *
 * Record 0 of a run is its starting point (before any update); with stride 1,
 * record k is the state after k updates.  The accessors return NaN, SIZE_MAX or NULL
 * for a NULL handle or an index at or past gd_trajectory_len().
 * @{
 */

/** Flag of gd_trajectory_new(): also store every recorded iterate x. */
#define GD_TRAJ_X 1u

/**
 * @brief Creates an empty trajectory for iterates of dimension n.
 * @param n     Dimension; at least 1.
 * @param flags 0 or #GD_TRAJ_X; other bits are refused.
 * @return A new handle to free with gd_trajectory_free(), or NULL on bad arguments or
 *         allocation failure.  Records grow as needed (amortized doubling).
 */
GD_API gd_trajectory *gd_trajectory_new(size_t n, unsigned flags);

/**
 * @brief Frees a trajectory.
 * @param traj The handle, or NULL (no-op).
 */
GD_API void gd_trajectory_free(gd_trajectory *traj);

/**
 * @brief Records only every k-th iteration of later runs (and always their first and
 *        last).
 * @param traj  The handle.
 * @param every The stride k; at least 1 (the default).
 * @return #GD_OK, or #GD_EINVAL (NULL handle, every = 0).
 */
GD_API int gd_trajectory_set_stride(gd_trajectory *traj, size_t every);

/**
 * @brief Number of records.
 * @param traj The handle.
 * @return The count, or 0 when traj is NULL.
 */
GD_API size_t gd_trajectory_len(const gd_trajectory *traj);

/**
 * @brief Dimension of the recorded iterates.
 * @param traj The handle.
 * @return n, or 0 when traj is NULL.
 */
GD_API size_t gd_trajectory_dim(const gd_trajectory *traj);

/**
 * @brief Iteration number (updates made by the optimizer) of record i.
 * @param traj The handle.
 * @param i    Record index, below gd_trajectory_len().
 * @return The iteration, or SIZE_MAX when out of range.
 */
GD_API size_t gd_trajectory_iter(const gd_trajectory *traj, size_t i);

/**
 * @brief Objective value of record i.
 * @param traj The handle.
 * @param i    Record index.
 * @return f, or NaN when out of range.
 */
GD_API double gd_trajectory_f(const gd_trajectory *traj, size_t i);

/**
 * @brief Euclidean norm of the gradient of record i.
 * @param traj The handle.
 * @param i    Record index.
 * @return The norm, or NaN when out of range.
 */
GD_API double gd_trajectory_grad_norm(const gd_trajectory *traj, size_t i);

/**
 * @brief Iterate of record i.
 * @param traj The handle.
 * @param i    Record index.
 * @return n values owned by the trajectory, valid until it next grows, is cleared or
 *         freed; NULL without #GD_TRAJ_X or when out of range.
 */
GD_API const double *gd_trajectory_x(const gd_trajectory *traj, size_t i);

/**
 * @brief Copies records first .. first + count - 1 into caller arrays in one call (for
 *        bindings and plotting, instead of one accessor call per value).
 * @param traj      The handle.
 * @param first     Index of the first record to copy.
 * @param count     Number of records; first + count must not exceed gd_trajectory_len().
 * @param iter      Receives count iteration numbers, or NULL to skip them.
 * @param f         Receives count objective values, or NULL.
 * @param grad_norm Receives count gradient norms, or NULL.
 * @param x         Receives count * n iterates, record after record, or NULL; must be
 *                  NULL unless the trajectory was created with #GD_TRAJ_X.
 * @return #GD_OK, or #GD_EINVAL (NULL handle, a range past the records, or x requested
 *         without #GD_TRAJ_X); nothing is written on error.  count = 0 copies nothing.
 * @note Thread-safety: reads only; concurrent readers of one trajectory are safe while
 *       no run appends to it.
 */
GD_API int gd_trajectory_copy(const gd_trajectory *traj, size_t first, size_t count, size_t *iter,
                              double *f, double *grad_norm, double *x);

/**
 * @brief Writes the records as CSV: a header `iter,f,grad_norm[,x0,x1,...]`, then one
 *        row per record with numbers printed to 17 significant digits, with a '.' as
 *        the decimal point whatever the caller's locale (since 1.1).
 * @param traj The handle.
 * @param path File to create or overwrite.
 * @return #GD_OK, #GD_EINVAL (NULL argument), or #GD_EIO (the file could not be
 *         opened or written completely).
 */
GD_API int gd_trajectory_write_csv(const gd_trajectory *traj, const char *path);

/**
 * @brief Removes every record; keeps the flags, stride and allocated capacity.
 * @param traj The handle, or NULL (no-op).
 */
GD_API void gd_trajectory_clear(gd_trajectory *traj);
/** @} */

#ifdef __cplusplus
}
#endif

#endif /* GDESCENT_H */
