/*
 * test_line_search.c - SGD with GD_LINE_SEARCH_BACKTRACKING (lib/minimize.c's
 * backtrack): Armijo's condition at every accepted step, convergence where plain SGD
 * diverges, the run summary's counts, the refusals, and plain SGD unchanged.
 * (L-BFGS's backtracking is tests/test_lbfgs.c's.)
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include <gdescent.h>

#include "test_util.h"

enum { MAX_N = 10 };

/* An objective that counts its evaluations and remembers the last one. */
struct recorded {
    gd_objective *inner;
    size_t evaluations;
    double x[MAX_N], f;
};

static int record_eval(const double *x, size_t n, double *f, double *grad, void *user)
{
    struct recorded *r = user;
    int rc = gd_objective_eval(r->inner, x, f, grad);
    memcpy(r->x, x, n * sizeof *x);
    r->f = *f;
    r->evaluations++;
    return rc;
}

/* f = 1/2 sum a_i x_i^2 with a = 1, 10, 100, 1000: lr 0.01 is too large for plain SGD
 * (stable below 2 / 1000). */
static const double curvature[4] = {1.0, 10.0, 100.0, 1000.0};

static int ill_conditioned(const double *x, size_t n, double *f, double *grad, void *user)
{
    (void)user;
    *f = 0.0;
    for (size_t i = 0; i < n; i++) {
        *f += 0.5 * curvature[i] * x[i] * x[i];
        grad[i] = curvature[i] * x[i];
    }
    return 0;
}

/* The monitor's check of every accepted step x_prev -> x: x is the last point
 * evaluated, x - x_prev = -t g(x_prev) for some t > 0 (parallel to -g), and
 * f(x) <= f(x_prev) + c1 g(x_prev).(x - x_prev), Armijo's condition. */
struct armijo_check {
    struct recorded *rec;
    size_t n;
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
    c->violations += !armijo || !last || !(gs <= 0.0);
    c->steps++;
    memcpy(c->x, x, n * sizeof *x);
    double fx;
    assert_int_equal(gd_objective_eval(c->rec->inner, x, &fx, c->g), GD_OK);
    c->f = f;
    return 0;
}

static gd_optimizer *backtracking_sgd(size_t n, double lr)
{
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, n);
    assert_non_null(opt);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LINE_SEARCH, GD_LINE_SEARCH_BACKTRACKING),
                     GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LR, lr), GD_OK);
    return opt;
}

/* Runs a backtracking SGD from x with the Armijo monitor; returns the stop. */
static int run_checked(gd_objective *inner, double *x, size_t n, double lr, size_t max_iter,
                       double gtol, struct armijo_check *check, size_t *evaluations)
{
    static struct recorded rec;
    memset(&rec, 0, sizeof rec);
    rec.inner = inner;
    gd_objective *obj = gd_objective_new(n, record_eval, &rec);
    gd_optimizer *opt = backtracking_sgd(n, lr);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MAX_ITER, (double)max_iter), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_GTOL, gtol), GD_OK);
    *check = (struct armijo_check){.rec = &rec, .n = n};
    memcpy(check->x, x, n * sizeof *x);
    assert_int_equal(gd_objective_eval(inner, x, &check->f, check->g), GD_OK);
    assert_int_equal(gd_optimizer_set_monitor(opt, check_armijo, check), GD_OK);
    int stop = gd_minimize(opt, obj, x, NULL);
    /* every evaluation went through the run summary: one at x_0, then the trials */
    assert_int_equal(gd_optimizer_evaluations(opt), rec.evaluations);
    assert_true(gd_optimizer_last_f(opt) == rec.f);
    assert_true(gd_optimizer_iterations(opt) == check->steps);
    *evaluations = rec.evaluations;
    gd_optimizer_free(opt);
    gd_objective_free(obj);
    return stop;
}

static void test_rosenbrock(void **state)
{
    (void)state;
    double x[2] = {-1.2, 1.0};
    gd_objective *rosen = gd_rosenbrock_new(2);
    struct armijo_check check;
    size_t evaluations;
    int stop = run_checked(rosen, x, 2, 1.0, 100000, 1e-6, &check, &evaluations);
    print_message("# rosenbrock: stop %d, %zu iterations, %zu evaluations\n", stop, check.steps,
                  evaluations);
    assert_int_equal(stop, GD_STOP_GTOL);
    assert_int_equal(check.violations, 0);
    assert_true(evaluations > check.steps + 1); /* some steps were halved */
    assert_true(fabs(x[0] - 1.0) < 1e-4 && fabs(x[1] - 1.0) < 1e-4);
    gd_objective_free(rosen);
}

static void test_ill_conditioned(void **state)
{
    (void)state;
    gd_objective *quad = gd_objective_new(4, ill_conditioned, NULL);
    /* plain SGD at lr 0.01 diverges: the a = 1000 coordinate grows 9x per step */
    double x[4] = {1.0, 1.0, 1.0, 1.0};
    gd_optimizer *plain = gd_optimizer_new(GD_SGD, 4);
    assert_int_equal(gd_optimizer_set(plain, GD_PARAM_LR, 0.01), GD_OK);
    assert_int_equal(gd_optimizer_set(plain, GD_PARAM_MAX_ITER, 1000), GD_OK);
    assert_int_equal(gd_minimize(plain, quad, x, NULL), GD_EDIVERGED);
    gd_optimizer_free(plain);
    /* backtracking converges from the same start and lr */
    double y[4] = {1.0, 1.0, 1.0, 1.0};
    struct armijo_check check;
    size_t evaluations;
    int stop = run_checked(quad, y, 4, 0.01, 100000, 1e-8, &check, &evaluations);
    print_message("# ill-conditioned: stop %d, %zu iterations, %zu evaluations\n", stop,
                  check.steps, evaluations);
    assert_int_equal(stop, GD_STOP_GTOL);
    assert_int_equal(check.violations, 0);
    for (size_t i = 0; i < 4; i++)
        assert_true(fabs(y[i]) < 1e-8);
    gd_objective_free(quad);
}

/* Counts: gd_step evaluates at x, then its trials; gd_minimize once at x_0, then the
 * trials of each iteration (evaluations = 1 + trials).  An iteration is one update. */
static void test_counts(void **state)
{
    (void)state;
    struct recorded rec = {.inner = gd_objective_new(4, ill_conditioned, NULL)};
    gd_objective *obj = gd_objective_new(4, record_eval, &rec);
    gd_optimizer *opt = backtracking_sgd(4, 0.01);
    double x[4] = {1.0, 1.0, 1.0, 1.0}, f;
    /* first step: lr 0.01 fails (f grows), 0.005 fails (x3 -> -4), 0.0025 fails
     * (x3 -> -1.5), 0.00125 passes (x3 -> -0.25): 4 trials */
    assert_int_equal(gd_step(opt, obj, x, &f), GD_OK);
    assert_true(f == 555.5);
    assert_int_equal(rec.evaluations, 5);
    assert_int_equal(gd_optimizer_evaluations(opt), 5);
    assert_int_equal(gd_optimizer_iterations(opt), 1);
    assert_true(x[3] == 1.0 - 0.00125 * 1000.0);
    assert_true(gd_optimizer_last_f(opt) == rec.f); /* the accepted point's */
    assert_true(memcmp(x, rec.x, sizeof x) == 0);
    gd_optimizer_free(opt);
    /* gd_minimize with max_iter 1 from the same start: the same point, 1 + 4 */
    opt = backtracking_sgd(4, 0.01);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MAX_ITER, 1), GD_OK);
    double y[4] = {1.0, 1.0, 1.0, 1.0};
    rec.evaluations = 0;
    assert_int_equal(gd_minimize(opt, obj, y, NULL), GD_STOP_MAXITER);
    assert_true(memcmp(x, y, sizeof x) == 0);
    assert_int_equal(gd_optimizer_evaluations(opt), 5);
    assert_int_equal(rec.evaluations, 5);
    assert_true(gd_optimizer_last_grad_norm(opt) > 0.0);
    /* the trajectory holds x_0 and x_1 */
    gd_trajectory *traj = gd_trajectory_new(4, 0);
    assert_non_null(traj);
    assert_int_equal(gd_minimize(opt, obj, y, traj), GD_STOP_MAXITER);
    assert_int_equal(gd_trajectory_len(traj), 2);
    gd_trajectory_free(traj);
    gd_optimizer_free(opt);
    gd_objective_free(obj);
    gd_objective_free(rec.inner);
}

/* A gradient with the wrong sign: no trial decreases f; after 51 trials x stays, the
 * run stops with GD_STOP_XTOL and the summary is x's. */

static void test_no_step(void **state)
{
    (void)state;
    gd_objective *obj = gd_objective_new(2, wrong_gradient, NULL);
    gd_optimizer *opt = backtracking_sgd(2, 0.1);
    double x[2] = {1.0, 2.0};
    assert_int_equal(gd_minimize(opt, obj, x, NULL), GD_STOP_XTOL);
    assert_true(x[0] == 1.0 && x[1] == 2.0);
    assert_int_equal(gd_optimizer_evaluations(opt), 2 + GD_BACKTRACKING_MAX_HALVINGS);
    assert_int_equal(gd_optimizer_iterations(opt), 1);
    assert_true(gd_optimizer_last_f(opt) == 5.0);
    assert_true(gd_optimizer_last_grad_norm(opt) == sqrt(20.0));
    double f;
    assert_int_equal(gd_step(opt, obj, x, &f), GD_OK);
    assert_true(f == 5.0 && x[0] == 1.0 && x[1] == 2.0);
    gd_optimizer_free(opt);
    gd_objective_free(obj);
}

/* A trial whose f is not finite is a rejected trial, not the end of the run. */
static int overflowing(const double *x, size_t n, double *f, double *grad, void *user)
{
    (void)user;
    *f = 0.0;
    for (size_t i = 0; i < n; i++) {
        *f += fabs(x[i]) > 1e3 ? INFINITY : x[i] * x[i];
        grad[i] = 2.0 * x[i];
    }
    return 0;
}

static void test_non_finite_trial(void **state)
{
    (void)state;
    gd_objective *obj = gd_objective_new(1, overflowing, NULL);
    gd_optimizer *opt = backtracking_sgd(1, 1e4);
    double x[1] = {1.0}, f;
    assert_int_equal(gd_step(opt, obj, x, &f), GD_OK);
    assert_true(fabs(x[0]) < 1.0);
    gd_optimizer_free(opt);
    gd_objective_free(obj);
}

static int ignore_batch(const double *x, size_t n, const size_t *idx, size_t count, double *f,
                        double *grad, void *user)
{
    (void)x, (void)idx, (void)count, (void)user;
    *f = 0.0;
    memset(grad, 0, n * sizeof *grad);
    return 0;
}

static void test_refusals(void **state)
{
    (void)state;
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, 4);
    double v;
    assert_int_equal(gd_optimizer_get(opt, GD_PARAM_LINE_SEARCH, &v), GD_OK);
    assert_true(v == GD_LINE_SEARCH_NONE);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LINE_SEARCH, GD_LINE_SEARCH_STRONG_WOLFE),
                     GD_EINVAL);
    /* each option the backtracking cannot take, in both orders */
    const struct {
        gd_param key;
        double value;
    } options[] = {
        {GD_PARAM_MOMENTUM, 0.9},  {GD_PARAM_WEIGHT_DECAY, 0.1}, {GD_PARAM_MAXIMIZE, 1.0},
        {GD_PARAM_CLIP_NORM, 1.0}, {GD_PARAM_CLIP_VALUE, 1.0},
    };
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++) {
        assert_int_equal(gd_optimizer_set(opt, options[i].key, options[i].value), GD_OK);
        assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LINE_SEARCH, GD_LINE_SEARCH_BACKTRACKING),
                         GD_EINVAL);
        assert_int_equal(gd_optimizer_set(opt, options[i].key, 0.0), GD_OK);
        assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LINE_SEARCH, GD_LINE_SEARCH_BACKTRACKING),
                         GD_OK);
        assert_int_equal(gd_optimizer_set(opt, options[i].key, options[i].value), GD_EINVAL);
        assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LINE_SEARCH, GD_LINE_SEARCH_NONE), GD_OK);
    }
    /* ranges: none while it is on, and it is refused over several groups or a range */
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LINE_SEARCH, GD_LINE_SEARCH_BACKTRACKING),
                     GD_OK);
    assert_int_equal(gd_optimizer_set_range(opt, 0, 2, GD_PARAM_LR, 0.5), GD_EINVAL);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LINE_SEARCH, GD_LINE_SEARCH_NONE), GD_OK);
    assert_int_equal(gd_optimizer_set_range(opt, 0, 2, GD_PARAM_LINE_SEARCH, 2.0), GD_EINVAL);
    assert_int_equal(gd_optimizer_set_range(opt, 0, 2, GD_PARAM_LR, 0.5), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LINE_SEARCH, GD_LINE_SEARCH_BACKTRACKING),
                     GD_EINVAL);
    assert_int_equal(gd_optimizer_set_range(opt, 0, 2, GD_PARAM_LR, 0.01), GD_OK); /* merged */
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LINE_SEARCH, GD_LINE_SEARCH_BACKTRACKING),
                     GD_OK);
    /* gd_optimizer_update: no objective to evaluate */
    double x[4] = {1, 2, 3, 4}, g[4] = {1, 1, 1, 1};
    assert_int_equal(gd_optimizer_update(opt, x, g), GD_EINVAL);
    assert_true(x[0] == 1 && x[3] == 4);
    assert_int_equal(gd_optimizer_iterations(opt), 0);
    /* mini-batches, at gd_step and gd_minimize; the full sum is taken */
    gd_objective *sum = gd_objective_new_sum(4, 8, ignore_batch, NULL);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_BATCH_SIZE, 2), GD_OK);
    assert_int_equal(gd_step(opt, sum, x, NULL), GD_EINVAL);
    assert_int_equal(gd_minimize(opt, sum, x, NULL), GD_EINVAL);
    assert_int_equal(gd_optimizer_evaluations(opt), 0);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_BATCH_SIZE, 0), GD_OK);
    assert_int_equal(gd_step(opt, sum, x, NULL), GD_OK);
    gd_objective_free(sum);
    gd_optimizer_free(opt);
}

/* Plain SGD with line_search set to none explicitly is the default's run, bit for bit,
 * and the one of gd_optimizer_update by hand; backtracking whose first trials all pass
 * (a small lr) takes the same iterates. */
static void test_plain_unchanged(void **state)
{
    (void)state;
    gd_objective *rosen = gd_rosenbrock_new(2);
    double a[2] = {-1.2, 1.0}, b[2] = {-1.2, 1.0}, c[2] = {-1.2, 1.0}, d[2] = {-1.2, 1.0};
    gd_optimizer *def = gd_optimizer_new(GD_SGD, 2), *none = gd_optimizer_new(GD_SGD, 2);
    gd_optimizer *hand = gd_optimizer_new(GD_SGD, 2), *bt = backtracking_sgd(2, 1e-4);
    assert_int_equal(gd_optimizer_set(none, GD_PARAM_LINE_SEARCH, GD_LINE_SEARCH_NONE), GD_OK);
    gd_optimizer *opts[3] = {def, none, bt};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(gd_optimizer_set(opts[i], GD_PARAM_LR, 1e-4), GD_OK);
        assert_int_equal(gd_optimizer_set(opts[i], GD_PARAM_MAX_ITER, 200), GD_OK);
    }
    assert_int_equal(gd_optimizer_set(hand, GD_PARAM_LR, 1e-4), GD_OK);
    assert_int_equal(gd_minimize(def, rosen, a, NULL), GD_STOP_MAXITER);
    assert_int_equal(gd_minimize(none, rosen, b, NULL), GD_STOP_MAXITER);
    assert_int_equal(gd_minimize(bt, rosen, d, NULL), GD_STOP_MAXITER);
    for (int k = 0; k < 200; k++) {
        double f, g[2];
        assert_int_equal(gd_objective_eval(rosen, c, &f, g), GD_OK);
        assert_int_equal(gd_optimizer_update(hand, c, g), GD_OK);
    }
    assert_true(memcmp(a, b, sizeof a) == 0);
    assert_true(memcmp(a, c, sizeof a) == 0);
    assert_true(memcmp(a, d, sizeof a) == 0);
    assert_int_equal(gd_optimizer_evaluations(bt), 201); /* no halving */
    gd_optimizer_free(def);
    gd_optimizer_free(none);
    gd_optimizer_free(hand);
    gd_optimizer_free(bt);
    gd_objective_free(rosen);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rosenbrock),       cmocka_unit_test(test_ill_conditioned),
        cmocka_unit_test(test_counts),           cmocka_unit_test(test_no_step),
        cmocka_unit_test(test_non_finite_trial), cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_plain_unchanged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
