/*
 * test_lbfgs.c - GD_LBFGS against torch.optim.LBFGS: every case of tests/golden/lbfgs.txt
 * (make_lbfgs.py) replayed with gd_minimize, one call per step(closure) call, and after
 * each the iterate within 1e-8 relative, the evaluations and iterations (torch's
 * state["func_evals"] and state["n_iter"]) and the stop reason exactly.  Then what
 * torch has no golden for: gd_step is one iteration, gd_optimizer_update and
 * mini-batches are refused, the history follows history_size, the monitor and
 * re-entrancy.
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gdescent.h>

#include "test_util.h"

#include "golden_files.h"

enum { MAX_CASES = 64, MAX_CALLS = 4, MAX_N = 10, MAX_LINE = 1024 };
static const double TOLERANCE = 1e-8; /* torch's BLAS sums dot products in its order */

struct call {
    size_t evals, n_iter;
    int stop;
    double x[MAX_N];
};

struct lbfgs_case {
    char name[64], problem[16];
    double line_search, history_size, lr, tolerance_grad, tolerance_change, max_iter, max_eval;
    int calls;
    struct call expected[MAX_CALLS];
};

static double worst_relative; /* over all cases, printed at the end */

static const double quad_center[5] = {1.0, -2.0, 3.0, 0.5, -1.0}; /* make_lbfgs.py's */

/* make_lbfgs.py's PROBLEMS: the objective and its start. */
static gd_objective *problem(const char *name, double *x, size_t *n)
{
    gd_objective *obj = NULL;
    *n = 0;
    if (strcmp(name, "rosen2") == 0 || strcmp(name, "rosen10") == 0) {
        *n = name[5] == '2' ? 2 : 10;
        for (size_t i = 0; i < *n; i++)
            x[i] = i % 2 == 0 ? -1.2 : 1.0;
        obj = gd_rosenbrock_new(*n);
    } else if (strcmp(name, "quad5") == 0) {
        *n = 5;
        memset(x, 0, 5 * sizeof *x);
        obj = gd_quadratic_new(5, quad_center, 1.0);
    } else if (strcmp(name, "lsq") == 0) {
        *n = 4;
        memset(x, 0, 4 * sizeof *x);
        obj = least_squares_from_file();
    } else {
        fail_msg("unknown problem %s", name);
    }
    assert_non_null(obj);
    return obj;
}

static int stop_of(const char *name)
{
    const struct {
        const char *name;
        int code;
    } stops[] = {{"GD_STOP_MAXITER", GD_STOP_MAXITER},
                 {"GD_STOP_GTOL", GD_STOP_GTOL},
                 {"GD_STOP_FTOL", GD_STOP_FTOL},
                 {"GD_STOP_XTOL", GD_STOP_XTOL},
                 {"GD_STOP_MAXEVAL", GD_STOP_MAXEVAL}};
    for (size_t i = 0; i < sizeof stops / sizeof stops[0]; i++)
        if (strcmp(stops[i].name, name) == 0)
            return stops[i].code;
    fail_msg("unknown stop reason %s", name);
    return 0;
}

static gd_optimizer *optimizer_for(const struct lbfgs_case *c, size_t n)
{
    gd_optimizer *opt = gd_optimizer_new(GD_LBFGS, n);
    assert_non_null(opt);
    const struct {
        gd_param key;
        double value;
    } params[] = {
        {GD_PARAM_LINE_SEARCH, c->line_search},
        {GD_PARAM_HISTORY_SIZE, c->history_size},
        {GD_PARAM_LR, c->lr},
        {GD_PARAM_TOLERANCE_GRAD, c->tolerance_grad},
        {GD_PARAM_TOLERANCE_CHANGE, c->tolerance_change},
        {GD_PARAM_MAX_ITER, c->max_iter},
        {GD_PARAM_MAX_EVAL, c->max_eval},
    };
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++)
        assert_int_equal(gd_optimizer_set(opt, params[i].key, params[i].value), GD_OK);
    return opt;
}

static double relative_difference(const double *x, const double *torch, size_t n)
{
    double diff = 0.0, size = 0.0;
    for (size_t i = 0; i < n; i++) {
        diff += (x[i] - torch[i]) * (x[i] - torch[i]);
        size += torch[i] * torch[i];
    }
    return sqrt(diff) / fmax(sqrt(size), 1e-300);
}

static void replay(void **state)
{
    const struct lbfgs_case *c = *state;
    double x[MAX_N];
    size_t n = 0;
    gd_objective *obj = problem(c->problem, x, &n);
    gd_optimizer *opt = optimizer_for(c, n);
    for (int k = 0; k < c->calls; k++) {
        const struct call *want = &c->expected[k];
        int rc = gd_minimize(opt, obj, x, NULL);
        double rel = relative_difference(x, want->x, n);
        worst_relative = fmax(worst_relative, rel);
        print_message("# %s call %d: %.3g relative from torch\n", c->name, k + 1, rel);
        if (rc != want->stop || gd_optimizer_evaluations(opt) != want->evals ||
            gd_optimizer_iterations(opt) != want->n_iter || !(rel <= TOLERANCE))
            fail_msg("%s call %d: stop %d (torch %d), %zu evaluations (%zu), %zu iterations "
                     "(%zu), x %.3g relative from torch's",
                     c->name, k + 1, rc, want->stop, gd_optimizer_evaluations(opt), want->evals,
                     gd_optimizer_iterations(opt), want->n_iter, rel);
    }
    gd_optimizer_free(opt);
    gd_objective_free(obj);
}

static int parse_call(FILE *in, struct call *call, size_t n)
{
    char stop[32], word[64];
    if (fscanf(in, "%zu %zu %31s", &call->evals, &call->n_iter, stop) != 3)
        return -1;
    call->stop = stop_of(stop);
    for (size_t i = 0; i < n; i++) {
        if (fscanf(in, "%63s", word) != 1)
            return -1;
        call->x[i] = strtod(word, NULL);
    }
    return 0;
}

static size_t dimension_of(const char *problem)
{
    return strcmp(problem, "rosen2") == 0    ? 2
           : strcmp(problem, "rosen10") == 0 ? 10
           : strcmp(problem, "quad5") == 0   ? 5
                                             : 4;
}

static int parse_case(FILE *in, struct lbfgs_case *c)
{
    memset(c, 0, sizeof *c);
    if (fscanf(in, "%63s %15s %lf %lf %lf %lf %lf %lf %lf %d", c->name, c->problem, &c->line_search,
               &c->history_size, &c->lr, &c->tolerance_grad, &c->tolerance_change, &c->max_iter,
               &c->max_eval, &c->calls) != 10)
        return -1;
    if (c->calls < 1 || c->calls > MAX_CALLS)
        return -1;
    for (int k = 0; k < c->calls; k++)
        if (parse_call(in, &c->expected[k], dimension_of(c->problem)) != 0)
            return -1;
    return 0;
}

/* ---- what the goldens do not cover ---- */

/* gd_step is one step(closure) with max_iter = 1: the same bits and counts as
 * gd_minimize with max_iter = 1, at every step of a chain, for every line search. */
static void test_step_is_one_iteration(void **state)
{
    (void)state;
    for (int ls = 0; ls <= 2; ls++) {
        gd_objective *obj = gd_rosenbrock_new(2);
        gd_optimizer *stepped = gd_optimizer_new(GD_LBFGS, 2);
        gd_optimizer *minimized = gd_optimizer_new(GD_LBFGS, 2);
        assert_int_equal(gd_optimizer_set(stepped, GD_PARAM_LINE_SEARCH, ls), GD_OK);
        assert_int_equal(gd_optimizer_set(minimized, GD_PARAM_LINE_SEARCH, ls), GD_OK);
        assert_int_equal(gd_optimizer_set(minimized, GD_PARAM_MAX_ITER, 1), GD_OK);
        double a[2] = {-1.2, 1.0}, b[2] = {-1.2, 1.0}, f, f0;
        for (int k = 0; k < 8; k++) {
            assert_int_equal(gd_objective_eval(obj, a, &f0, NULL), GD_OK);
            assert_int_equal(gd_step(stepped, obj, a, &f), GD_OK);
            assert_true(f == f0);
            assert_int_equal(gd_minimize(minimized, obj, b, NULL), GD_STOP_MAXITER);
            assert_memory_equal(a, b, sizeof a);
        }
        assert_int_equal(gd_optimizer_iterations(stepped), 8);
        assert_int_equal(gd_optimizer_evaluations(stepped), gd_optimizer_evaluations(minimized));
        assert_true(a[0] != -1.2);
        gd_optimizer_free(stepped);
        gd_optimizer_free(minimized);
        gd_objective_free(obj);
    }
}

static int ignore_batch(const double *x, size_t n, const size_t *idx, size_t count, double *f,
                        double *grad, void *user)
{
    (void)idx;
    (void)count;
    (void)user;
    *f = 0.0;
    for (size_t j = 0; grad && j < n; j++)
        grad[j] = x[j];
    return 0;
}

/* gd_optimizer_update has no objective to evaluate: GD_EINVAL, x untouched.  Mini-batches
 * are refused by gd_minimize and gd_step; the full sum runs.  SGD takes no line search. */
static void test_refusals(void **state)
{
    (void)state;
    gd_optimizer *opt = gd_optimizer_new(GD_LBFGS, 2);
    double x[2] = {1, 2}, g[2] = {0.5, 0.5};
    assert_int_equal(gd_optimizer_update(opt, x, g), GD_EINVAL);
    assert_true(x[0] == 1 && x[1] == 2);
    assert_int_equal(gd_optimizer_iterations(opt), 0);
    gd_objective *sum = gd_objective_new_sum(2, 4, ignore_batch, NULL);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_BATCH_SIZE, 2), GD_OK);
    assert_int_equal(gd_minimize(opt, sum, x, NULL), GD_EINVAL);
    assert_int_equal(gd_step(opt, sum, x, NULL), GD_EINVAL);
    assert_int_equal(gd_optimizer_evaluations(opt), 0);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_BATCH_SIZE, 0), GD_OK);
    assert_true(gd_minimize(opt, sum, x, NULL) > 0);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LINE_SEARCH, GD_LINE_SEARCH_BACKTRACKING),
                     GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LINE_SEARCH, 3), GD_EINVAL);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LINE_SEARCH, 1.5), GD_EINVAL);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_CLIP_NORM, 1.0), GD_EINVAL);
    gd_optimizer *adam = gd_optimizer_new(GD_ADAM, 2); /* SGD's: tests/test_line_search.c */
    assert_int_equal(gd_optimizer_set(adam, GD_PARAM_LINE_SEARCH, GD_LINE_SEARCH_BACKTRACKING),
                     GD_EINVAL);
    gd_optimizer_free(adam);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_HISTORY_SIZE, 0), GD_EINVAL);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_HISTORY_SIZE, 2.5), GD_EINVAL);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MAX_EVAL, -1), GD_EINVAL);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MAX_EVAL, 1.5), GD_EINVAL);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_TOLERANCE_GRAD, -1e-7), GD_EINVAL);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_TOLERANCE_CHANGE, NAN), GD_EINVAL);
    double v;
    assert_int_equal(gd_optimizer_get(opt, GD_PARAM_MOMENTUM, &v), GD_EINVAL);
    gd_objective_free(sum);
    gd_optimizer_free(opt);
}

/* ---- GD_LINE_SEARCH_BACKTRACKING ---- */

/* An objective that remembers its last evaluation. */
struct recorded {
    gd_objective *inner;
    size_t n, evaluations;
    double x[MAX_N], f, g[MAX_N];
};

static int record_eval(const double *x, size_t n, double *f, double *grad, void *user)
{
    struct recorded *r = user;
    int rc = gd_objective_eval(r->inner, x, f, grad);
    memcpy(r->x, x, n * sizeof *x);
    memcpy(r->g, grad, n * sizeof *grad);
    r->f = *f;
    r->evaluations++;
    return rc;
}

/* The monitor's check of every accepted step: the new iterate is the last point
 * evaluated, and f(x_new) <= f(x) + c1 g(x).(x_new - x), Armijo's condition (t g.d is
 * g.(x_new - x) up to rounding, allowed for). */
struct armijo_check {
    struct recorded *rec;
    double x[MAX_N], f, g[MAX_N];
    size_t steps, violations;
};

static int check_armijo(size_t iter, const double *x, size_t n, double f, void *user)
{
    (void)iter;
    struct armijo_check *c = user;
    double gs = 0.0, scale = 0.0;
    for (size_t i = 0; i < n; i++) {
        gs += c->g[i] * (x[i] - c->x[i]);
        scale += fabs(c->g[i] * (x[i] - c->x[i]));
    }
    int armijo = f <= c->f + GD_BACKTRACKING_C1 * gs + 1e-12 * (fabs(c->f) + scale);
    int last = memcmp(x, c->rec->x, n * sizeof *x) == 0 && f == c->rec->f;
    c->violations += !armijo || !last || !(gs < 0.0);
    c->steps++;
    memcpy(c->x, x, n * sizeof *x);
    memcpy(c->g, c->rec->g, n * sizeof *x);
    c->f = f;
    return 0;
}

/* Rosenbrock (n = 2 and 10) and a quadratic with lr 3 (so that steps are halved):
 * Armijo's condition at every accepted step, and convergence. */
static void test_backtracking(void **state)
{
    (void)state;
    const char *problems[] = {"rosen2", "rosen10", "quad5"};
    for (size_t k = 0; k < 3; k++) {
        struct recorded rec = {0};
        double x[MAX_N];
        rec.inner = problem(problems[k], x, &rec.n);
        gd_objective *obj = gd_objective_new(rec.n, record_eval, &rec);
        gd_optimizer *opt = gd_optimizer_new(GD_LBFGS, rec.n);
        assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LINE_SEARCH, GD_LINE_SEARCH_BACKTRACKING),
                         GD_OK);
        assert_int_equal(gd_optimizer_set(opt, GD_PARAM_HISTORY_SIZE, 10), GD_OK);
        assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LR, k == 2 ? 3.0 : 1.0), GD_OK);
        assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MAX_ITER, 1000), GD_OK);
        assert_int_equal(gd_optimizer_set(opt, GD_PARAM_TOLERANCE_CHANGE, 0.0), GD_OK);
        struct armijo_check check = {.rec = &rec};
        memcpy(check.x, x, rec.n * sizeof *x);
        assert_int_equal(gd_objective_eval(rec.inner, x, &check.f, check.g), GD_OK);
        assert_int_equal(gd_optimizer_set_monitor(opt, check_armijo, &check), GD_OK);
        int stop = gd_minimize(opt, obj, x, NULL);
        print_message("# backtracking %s: stop %d, %zu iterations, %zu evaluations\n", problems[k],
                      stop, check.steps, rec.evaluations);
        assert_int_equal(stop, GD_STOP_GTOL);
        assert_true(check.steps > 5);
        assert_int_equal(check.violations, 0);
        assert_int_equal(gd_optimizer_evaluations(opt), rec.evaluations);
        for (size_t i = 0; i < rec.n; i++) {
            double want = k == 2 ? quad_center[i] : 1.0;
            assert_true(fabs(x[i] - want) < 1e-6);
        }
        gd_optimizer_free(opt);
        gd_objective_free(obj);
        gd_objective_free(rec.inner);
    }
}

/* f = ||x||^2 with the gradient's sign wrong: no step decreases f along -g, so the search
 * makes its 51 trials, x stays, and the run stops with GD_STOP_XTOL; the next run does
 * the same. */

static void test_backtracking_finds_no_step(void **state)
{
    (void)state;
    gd_objective *obj = gd_objective_new(2, wrong_gradient, NULL);
    gd_optimizer *opt = gd_optimizer_new(GD_LBFGS, 2);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LINE_SEARCH, GD_LINE_SEARCH_BACKTRACKING),
                     GD_OK);
    double x[2] = {1.0, 2.0};
    for (int call = 1; call <= 2; call++) {
        assert_int_equal(gd_minimize(opt, obj, x, NULL), GD_STOP_XTOL);
        assert_true(x[0] == 1.0 && x[1] == 2.0);
        assert_int_equal(gd_optimizer_evaluations(opt), call * (2 + GD_BACKTRACKING_MAX_HALVINGS));
        assert_true(gd_optimizer_last_f(opt) == 5.0);
        assert_true(gd_optimizer_last_grad_norm(opt) == sqrt(20.0));
    }
    gd_optimizer_free(opt);
    gd_objective_free(obj);
}

/* f = c.x keeps no pair (y = 0): every direction after the first is -g H_diag with
 * H_diag 1, without a line search and with backtracking (which takes every first
 * trial). */
static int linear(const double *x, size_t n, double *f, double *grad, void *user)
{
    (void)n, (void)user;
    *f = 0.5 * x[0] - 0.25 * x[1];
    grad[0] = 0.5;
    grad[1] = -0.25;
    return 0;
}

static void test_no_pair_kept(void **state)
{
    (void)state;
    gd_objective *obj = gd_objective_new(2, linear, NULL);
    for (int ls = 0; ls <= 2; ls += 2) {
        gd_optimizer *opt = gd_optimizer_new(GD_LBFGS, 2);
        assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LINE_SEARCH, ls), GD_OK);
        assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MAX_ITER, 4), GD_OK);
        double x[2] = {0.0, 0.0};
        assert_int_equal(gd_minimize(opt, obj, x, NULL), GD_STOP_MAXITER);
        assert_true(x[0] == -2.0 && x[1] == 1.0);
        assert_int_equal(gd_optimizer_evaluations(opt), ls ? 5 : 4);
        gd_optimizer_free(opt);
    }
    gd_objective_free(obj);
}

/* Changing history_size between runs keeps the newest pairs: a run with history 3
 * throughout and one with history 100 cut to 3 after its first call give the same x
 * (both keep the 3 newest pairs from then on) once the first has also run as long. */
static void test_history_resize(void **state)
{
    (void)state;
    gd_objective *obj = gd_rosenbrock_new(10);
    gd_optimizer *small = gd_optimizer_new(GD_LBFGS, 10), *cut = gd_optimizer_new(GD_LBFGS, 10);
    double a[10], b[10];
    for (int i = 0; i < 10; i++)
        a[i] = b[i] = i % 2 == 0 ? -1.2 : 1.0;
    assert_int_equal(gd_optimizer_set(small, GD_PARAM_HISTORY_SIZE, 3), GD_OK);
    assert_int_equal(gd_optimizer_set(small, GD_PARAM_MAX_ITER, 3), GD_OK);
    assert_int_equal(gd_optimizer_set(cut, GD_PARAM_MAX_ITER, 3), GD_OK);
    assert_int_equal(gd_optimizer_set(small, GD_PARAM_MAX_EVAL, 100), GD_OK);
    assert_int_equal(gd_optimizer_set(cut, GD_PARAM_MAX_EVAL, 100), GD_OK);
    /* Three iterations keep at most 2 pairs: history 3 and 100 agree so far. */
    assert_int_equal(gd_minimize(small, obj, a, NULL), GD_STOP_MAXITER);
    assert_int_equal(gd_minimize(cut, obj, b, NULL), GD_STOP_MAXITER);
    assert_memory_equal(a, b, sizeof a);
    assert_int_equal(gd_optimizer_set(cut, GD_PARAM_HISTORY_SIZE, 3), GD_OK);
    assert_int_equal(gd_optimizer_set(small, GD_PARAM_MAX_ITER, 12), GD_OK);
    assert_int_equal(gd_optimizer_set(cut, GD_PARAM_MAX_ITER, 12), GD_OK);
    assert_int_equal(gd_minimize(small, obj, a, NULL), GD_STOP_MAXITER);
    assert_int_equal(gd_minimize(cut, obj, b, NULL), GD_STOP_MAXITER);
    assert_memory_equal(a, b, sizeof a);
    double got;
    assert_int_equal(gd_optimizer_get(cut, GD_PARAM_HISTORY_SIZE, &got), GD_OK);
    assert_true(got == 3);
    gd_optimizer_free(small);
    gd_optimizer_free(cut);
    gd_objective_free(obj);
}

struct watch {
    gd_optimizer *opt;
    gd_objective *obj;
    size_t calls, stop_at;
    int nested, resized;
};

static int watcher(size_t iter, const double *x, size_t n, double f, void *user)
{
    (void)x;
    (void)n;
    (void)f;
    struct watch *w = user;
    w->calls++;
    assert_int_equal(iter, w->calls);
    double y[2] = {0, 0};
    w->nested = gd_minimize(w->opt, w->obj, y, NULL);
    w->resized = gd_optimizer_set(w->opt, GD_PARAM_HISTORY_SIZE, 7);
    return iter == w->stop_at;
}

/* The monitor sees every iteration and stops the run; running the optimizer from it is
 * GD_EBUSY, and so is resizing the history under the run. */
static void test_monitor_and_reentry(void **state)
{
    (void)state;
    struct watch w = {.obj = gd_rosenbrock_new(2), .stop_at = 4};
    w.opt = gd_optimizer_new(GD_LBFGS, 2);
    assert_int_equal(gd_optimizer_set(w.opt, GD_PARAM_LINE_SEARCH, 1), GD_OK);
    assert_int_equal(gd_optimizer_set_monitor(w.opt, watcher, &w), GD_OK);
    double x[2] = {-1.2, 1.0};
    gd_trajectory *traj = gd_trajectory_new(2, GD_TRAJ_X);
    assert_int_equal(gd_minimize(w.opt, w.obj, x, traj), GD_STOP_USER);
    assert_int_equal(w.calls, 4);
    assert_int_equal(w.nested, GD_EBUSY);
    assert_int_equal(w.resized, GD_EBUSY);
    assert_int_equal(gd_optimizer_iterations(w.opt), 4);
    assert_int_equal(gd_trajectory_len(traj), 5); /* the start and 4 iterations */
    assert_memory_equal(gd_trajectory_x(traj, 4), x, sizeof x);
    double f;
    assert_int_equal(gd_objective_eval(w.obj, x, &f, NULL), GD_OK);
    assert_true(gd_trajectory_f(traj, 4) == f);
    assert_true(gd_optimizer_last_f(w.opt) == f);
    gd_trajectory_free(traj);
    gd_optimizer_free(w.opt);
    gd_objective_free(w.obj);
}

/* torch's state under its keys: "d" and "prev_flat_grad" once an iteration ran, the
 * scalars func_evals and n_iter; a reset forgets the history (the next run is a fresh
 * optimizer's). */
static void test_state_and_reset(void **state)
{
    (void)state;
    gd_objective *obj = gd_rosenbrock_new(2);
    gd_optimizer *opt = gd_optimizer_new(GD_LBFGS, 2), *fresh = gd_optimizer_new(GD_LBFGS, 2);
    double d[2], value, x[2] = {-1.2, 1.0}, y[2] = {-1.2, 1.0};
    assert_int_equal(gd_optimizer_get_state(opt, "d", d, 2), GD_EINVAL);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MAX_ITER, 5), GD_OK);
    assert_int_equal(gd_optimizer_set(fresh, GD_PARAM_MAX_ITER, 5), GD_OK);
    assert_int_equal(gd_minimize(opt, obj, x, NULL), GD_STOP_MAXITER);
    assert_int_equal(gd_optimizer_get_state(opt, "d", d, 2), GD_OK);
    assert_int_equal(gd_optimizer_get_state(opt, "prev_flat_grad", d, 2), GD_OK);
    assert_int_equal(gd_optimizer_get_state(opt, "n_iter", &value, 1), GD_OK);
    assert_true(value == 5);
    assert_int_equal(gd_optimizer_get_state(opt, "func_evals", &value, 1), GD_OK);
    assert_true(value == (double)gd_optimizer_evaluations(opt));
    assert_int_equal(gd_optimizer_reset(opt), GD_OK);
    assert_int_equal(gd_optimizer_get_state(opt, "d", d, 2), GD_EINVAL);
    x[0] = -1.2;
    x[1] = 1.0;
    assert_int_equal(gd_minimize(opt, obj, x, NULL), GD_STOP_MAXITER);
    assert_int_equal(gd_minimize(fresh, obj, y, NULL), GD_STOP_MAXITER);
    assert_memory_equal(x, y, sizeof x);
    gd_optimizer_free(opt);
    gd_optimizer_free(fresh);
    gd_objective_free(obj);
}

static int fail_after(const double *x, size_t n, double *f, double *grad, void *user)
{
    int *left = user;
    if ((*left)-- <= 0)
        return 1;
    *f = 0.0;
    for (size_t i = 0; i < n; i++) {
        *f += (x[i] - 1.0) * (x[i] - 1.0) * (x[i] - 1.0) * (x[i] - 1.0);
        if (grad)
            grad[i] = 4.0 * (x[i] - 1.0) * (x[i] - 1.0) * (x[i] - 1.0);
    }
    return 0;
}

/* A failed evaluation ends the run with GD_ECALLBACK; x is the last accepted iterate and
 * the run summary is that iterate's. */
static void test_failed_evaluation(void **state)
{
    (void)state;
    for (int ls = 0; ls <= 2; ls++) {
        int left = 3;
        gd_objective *obj = gd_objective_new(2, fail_after, &left);
        gd_optimizer *opt = gd_optimizer_new(GD_LBFGS, 2);
        assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LINE_SEARCH, ls), GD_OK);
        double x[2] = {3.0, -2.0};
        assert_int_equal(gd_minimize(opt, obj, x, NULL), GD_ECALLBACK);
        left = 1;
        double f;
        assert_int_equal(gd_objective_eval(obj, x, &f, NULL), GD_OK);
        assert_true(gd_optimizer_last_f(opt) == f);
        left = 0; /* the first evaluation fails: x is untouched */
        double y[2] = {3.0, -2.0};
        assert_int_equal(gd_minimize(opt, obj, y, NULL), GD_ECALLBACK);
        assert_true(y[0] == 3.0 && y[1] == -2.0);
        gd_optimizer_free(opt);
        gd_objective_free(obj);
    }
}

/* x^4 summed, whose value is NaN once *left evaluations are spent. */
static int nan_after(const double *x, size_t n, double *f, double *grad, void *user)
{
    const int *left = user;
    if (*left > 0)
        return fail_after(x, n, f, grad, user);
    *f = NAN;
    for (size_t i = 0; grad && i < n; i++)
        grad[i] = 0.0;
    return 0;
}

/* A non-finite f is GD_EDIVERGED: x is the last iterate whose evaluation was finite
 * and the summary is its. */
static void test_diverged_evaluation(void **state)
{
    (void)state;
    for (int ls = 0; ls <= 2; ls++) {
        int left = 4;
        gd_objective *obj = gd_objective_new(2, nan_after, &left);
        gd_optimizer *opt = gd_optimizer_new(GD_LBFGS, 2);
        assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LINE_SEARCH, ls), GD_OK);
        double x[2] = {3.0, -2.0};
        assert_int_equal(gd_minimize(opt, obj, x, NULL), GD_EDIVERGED);
        assert_int_equal(gd_optimizer_evaluations(opt), 5);
        left = 1;
        double f;
        assert_int_equal(gd_objective_eval(obj, x, &f, NULL), GD_OK);
        assert_true(isfinite(f) && gd_optimizer_last_f(opt) == f);
        gd_optimizer_free(opt);
        gd_objective_free(obj);
    }
}

/* Without a line search the final x of a run that ends on max_iter is not evaluated,
 * as torch: its record has NaN f and gradient norm, the summary is the iterate
 * before's, and the next run's first evaluation is at that x. */
static void test_unevaluated_final_iterate(void **state)
{
    (void)state;
    gd_objective *obj = gd_rosenbrock_new(2);
    gd_optimizer *opt = gd_optimizer_new(GD_LBFGS, 2);
    gd_trajectory *traj = gd_trajectory_new(2, GD_TRAJ_X);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LR, 0.1), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MAX_ITER, 4), GD_OK); /* max_eval 5 */
    double x[2] = {-1.2, 1.0}, f;
    assert_int_equal(gd_minimize(opt, obj, x, traj), GD_STOP_MAXITER);
    assert_int_equal(gd_optimizer_evaluations(opt), 4);
    assert_int_equal(gd_trajectory_len(traj), 5);
    assert_true(isnan(gd_trajectory_f(traj, 4)) && isnan(gd_trajectory_grad_norm(traj, 4)));
    assert_memory_equal(gd_trajectory_x(traj, 4), x, sizeof x);
    assert_int_equal(gd_objective_eval(obj, gd_trajectory_x(traj, 3), &f, NULL), GD_OK);
    assert_true(gd_trajectory_f(traj, 3) == f && gd_optimizer_last_f(opt) == f);
    gd_trajectory_free(traj);
    gd_optimizer_free(opt);
    gd_objective_free(obj);
}

/* A trajectory of stride 3 holds the start, every third iteration and the last, as for
 * the other methods. */
static void test_trajectory_stride(void **state)
{
    (void)state;
    gd_objective *obj = gd_rosenbrock_new(2);
    gd_optimizer *opt = gd_optimizer_new(GD_LBFGS, 2);
    gd_trajectory *traj = gd_trajectory_new(2, 0);
    assert_int_equal(gd_trajectory_set_stride(traj, 3), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LR, 0.1), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MAX_ITER, 7), GD_OK);
    double x[2] = {-1.2, 1.0};
    assert_int_equal(gd_minimize(opt, obj, x, traj), GD_STOP_MAXITER);
    const size_t expected[] = {0, 3, 6, 7};
    assert_int_equal(gd_trajectory_len(traj), 4);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(gd_trajectory_iter(traj, i), expected[i]);
    gd_trajectory_free(traj);
    gd_optimizer_free(opt);
    gd_objective_free(obj);
}

static struct lbfgs_case cases[MAX_CASES];

static int print_worst(void **state)
{
    (void)state;
    print_message("# worst relative difference to torch: %.3g\n", worst_relative);
    return 0;
}

int main(void)
{
    FILE *in = open_golden("lbfgs.txt");
    size_t count = 0;
    while (count < MAX_CASES && parse_case(in, &cases[count]) == 0)
        count++;
    fclose(in);
    if (count < 20) { /* an unreadable golden file is a failure, never a skip */
        printf("1..1\nnot ok 1 - lbfgs.txt readable (GD_GOLDEN_DIR): %zu cases\n", count);
        return 1;
    }
    static const struct CMUnitTest others[] = {
        cmocka_unit_test(test_step_is_one_iteration),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_backtracking),
        cmocka_unit_test(test_backtracking_finds_no_step),
        cmocka_unit_test(test_no_pair_kept),
        cmocka_unit_test(test_history_resize),
        cmocka_unit_test(test_monitor_and_reentry),
        cmocka_unit_test(test_state_and_reset),
        cmocka_unit_test(test_failed_evaluation),
        cmocka_unit_test(test_diverged_evaluation),
        cmocka_unit_test(test_unevaluated_final_iterate),
        cmocka_unit_test(test_trajectory_stride),
    };
    enum { OTHERS = sizeof others / sizeof others[0] };
    struct CMUnitTest tests[MAX_CASES + OTHERS];
    for (size_t i = 0; i < count; i++)
        tests[i] = (struct CMUnitTest){cases[i].name, replay, NULL, NULL, &cases[i]};
    memcpy(tests + count, others, sizeof others);
    return _cmocka_run_group_tests("lbfgs", tests, count + OTHERS, NULL, print_worst);
}
