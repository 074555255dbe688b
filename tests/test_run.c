/*
 * test_run.c - optimizers and runs: SGD's parameter rules and update formula, the stop
 * criteria and monitor of gd_minimize, failing and diverging callbacks, mini-batches.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include <gdescent.h>

#include "test_util.h"

/* ---- SGD parameters ---- */

static void test_optimizer_bad_arguments(void **state)
{
    (void)state;
    assert_null(gd_optimizer_new(GD_SGD, 0));
    assert_null(gd_optimizer_new((gd_method)method_count(), 2));
    assert_null(gd_optimizer_new((gd_method)-1, 2));
    assert_null(gd_optimizer_new(GD_SGD, SIZE_MAX / 2));
    gd_optimizer_free(NULL);
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, 2);
    double v, x[2] = {1, 2}, g[2] = {1, 1};
    assert_int_equal(gd_optimizer_set(NULL, GD_PARAM_LR, 0.1), GD_EINVAL);
    assert_int_equal(gd_optimizer_get(NULL, GD_PARAM_LR, &v), GD_EINVAL);
    assert_int_equal(gd_optimizer_get(opt, GD_PARAM_LR, NULL), GD_EINVAL);
    const int unknown[] = {14, 31, 40, 47, 51, 1000, -1};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        assert_int_equal(gd_optimizer_set(opt, (gd_param)unknown[i], 0.0), GD_EINVAL);
        assert_int_equal(gd_optimizer_get(opt, (gd_param)unknown[i], &v), GD_EINVAL);
    }
    assert_int_equal(gd_optimizer_set_by_name(opt, NULL, 0.1), GD_EINVAL);
    assert_int_equal(gd_optimizer_set_by_name(NULL, "lr", 0.1), GD_EINVAL);
    const char *bad_names[] = {"LR", "learning_rate", "", "lr ", "beta1"};
    for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++)
        assert_int_equal(gd_optimizer_set_by_name(opt, bad_names[i], 0.1), GD_EINVAL);
    assert_int_equal(gd_optimizer_update(NULL, x, g), GD_EINVAL);
    assert_int_equal(gd_optimizer_update(opt, NULL, g), GD_EINVAL);
    assert_int_equal(gd_optimizer_update(opt, x, NULL), GD_EINVAL);
    assert_true(x[0] == 1 && x[1] == 2);
    assert_int_equal(gd_optimizer_iterations(opt), 0);
    assert_int_equal(gd_optimizer_iterations(NULL), 0);
    assert_int_equal(gd_optimizer_reset(NULL), GD_EINVAL);
    assert_int_equal(gd_optimizer_set_monitor(NULL, NULL, NULL), GD_EINVAL);
    gd_optimizer_free(opt);
}

static void test_run_defaults_and_names(void **state)
{
    (void)state;
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, 1);
    const struct {
        gd_param key;
        const char *name;
        double default_value, new_value;
    } keys[] = {
        {GD_PARAM_MAX_ITER, "max_iter", 1000, 7},
        {GD_PARAM_GTOL, "gtol", 0, 1e-3},
        {GD_PARAM_FTOL, "ftol", 0, 1e-4},
        {GD_PARAM_XTOL, "xtol", 0, 1e-5},
        {GD_PARAM_BATCH_SIZE, "batch_size", 0, 4},
        {GD_PARAM_SHUFFLE, "shuffle", 1, 0},
        {GD_PARAM_SEED, "seed", 0, 12345},
        {GD_PARAM_LR, "lr", 0.01, 0.5},
        {GD_PARAM_MOMENTUM, "momentum", 0, 0.5},
        {GD_PARAM_DAMPENING, "dampening", 0, 0.1},
        {GD_PARAM_WEIGHT_DECAY, "weight_decay", 0, 1e-2},
        {GD_PARAM_MAXIMIZE, "maximize", 0, 1},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        double v;
        assert_int_equal(gd_optimizer_get(opt, keys[i].key, &v), GD_OK);
        assert_true(v == keys[i].default_value);
        assert_int_equal(gd_optimizer_set_by_name(opt, keys[i].name, keys[i].new_value), GD_OK);
        assert_int_equal(gd_optimizer_get(opt, keys[i].key, &v), GD_OK);
        assert_true(v == keys[i].new_value);
    }
    gd_optimizer_free(opt);
}

static void expect_refused(gd_optimizer *opt, gd_param key, double value)
{
    double before, after;
    assert_int_equal(gd_optimizer_get(opt, key, &before), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, key, value), GD_EINVAL);
    assert_int_equal(gd_optimizer_get(opt, key, &after), GD_OK);
    assert_memory_equal(&before, &after, sizeof before);
}

static void test_sgd_refuses_bad_values_and_combinations(void **state)
{
    (void)state;
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, 1);
    expect_refused(opt, GD_PARAM_NESTEROV, 1); /* momentum is 0 */
    expect_refused(opt, GD_PARAM_NESTEROV, 0.5);
    expect_refused(opt, GD_PARAM_DAMPENING, 1.5);
    expect_refused(opt, GD_PARAM_MAX_ITER, -1);
    expect_refused(opt, GD_PARAM_MAX_ITER, 2.5);
    expect_refused(opt, GD_PARAM_MAX_ITER, INFINITY);
    expect_refused(opt, GD_PARAM_GTOL, -1);
    expect_refused(opt, GD_PARAM_BATCH_SIZE, 1.5);
    expect_refused(opt, GD_PARAM_SHUFFLE, 3);
    expect_refused(opt, GD_PARAM_SEED, -1);
    expect_refused(opt, GD_PARAM_SEED, 0.5);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MOMENTUM, 0.9), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_DAMPENING, 0.1), GD_OK);
    expect_refused(opt, GD_PARAM_NESTEROV, 1); /* dampening is not 0 */
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_DAMPENING, 0), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_NESTEROV, 1), GD_OK);
    expect_refused(opt, GD_PARAM_DAMPENING, 0.1); /* Nesterov is on */
    expect_refused(opt, GD_PARAM_MOMENTUM, 0);
    gd_optimizer_free(opt);
}

/* PyTorch's documented SGD step, written independently of the library. */
struct sgd_reference {
    double lr, momentum, dampening, decay;
    bool nesterov, maximize, has_buffer;
    double buffer[7];
};

static void reference_step(struct sgd_reference *r, double *x, const double *grad, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double d = r->maximize ? -grad[i] : grad[i];
        if (r->decay != 0)
            d += r->decay * x[i];
        if (r->momentum != 0) {
            r->buffer[i] = r->has_buffer ? r->momentum * r->buffer[i] + (1 - r->dampening) * d : d;
            d = r->nesterov ? d + r->momentum * r->buffer[i] : r->buffer[i];
        }
        x[i] -= r->lr * d;
    }
    r->has_buffer = r->momentum != 0;
}

static void compare_with_reference(struct sgd_reference r)
{
    enum { N = 7 };
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, N);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LR, r.lr), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MOMENTUM, r.momentum), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_DAMPENING, r.dampening), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_NESTEROV, r.nesterov), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_WEIGHT_DECAY, r.decay), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MAXIMIZE, r.maximize), GD_OK);
    double x[N], xr[N], g[N];
    uint64_t s = 5;
    for (size_t i = 0; i < N; i++)
        x[i] = xr[i] = (double)i - 3.0;
    for (int step = 0; step < 50; step++) {
        for (size_t i = 0; i < N; i++) {
            s = s * UINT64_C(6364136223846793005) + 1;
            g[i] = (double)(s >> 11) / 9007199254740992.0 - 0.5;
        }
        assert_int_equal(gd_optimizer_update(opt, x, g), GD_OK);
        reference_step(&r, xr, g, N);
        for (size_t i = 0; i < N; i++)
            assert_true(fabs(x[i] - xr[i]) <= 1e-15 * fmax(1.0, fabs(xr[i])));
    }
    assert_int_equal(gd_optimizer_iterations(opt), 50);
    gd_optimizer_free(opt);
}

static void test_sgd_matches_reference_in_every_combination(void **state)
{
    (void)state;
    const double momenta[] = {0.0, 0.9}, dampenings[] = {0.0, 0.3}, decays[] = {0.0, 0.01};
    for (int m = 0; m < 2; m++)
        for (int d = 0; d < 2; d++)
            for (int nesterov = 0; nesterov < 2; nesterov++)
                for (int w = 0; w < 2; w++)
                    for (int maximize = 0; maximize < 2; maximize++) {
                        if (nesterov && (momenta[m] == 0 || dampenings[d] != 0))
                            continue; /* refused combinations, tested above */
                        struct sgd_reference r = {.lr = 0.05,
                                                  .momentum = momenta[m],
                                                  .dampening = dampenings[d],
                                                  .decay = decays[w],
                                                  .nesterov = nesterov,
                                                  .maximize = maximize};
                        compare_with_reference(r);
                    }
}

/* After a reset the next update is a first step again (the buffer is re-created). */
static void test_reset_forgets_momentum(void **state)
{
    (void)state;
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, 1);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MOMENTUM, 0.9), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LR, 0.1), GD_OK);
    double x = 0.0;
    const double g = 1.0;
    gd_optimizer_update(opt, &x, &g);
    gd_optimizer_update(opt, &x, &g); /* buffer 1.9 */
    assert_true(fabs(x - (-0.1 - 0.19)) < 1e-15);
    assert_int_equal(gd_optimizer_reset(opt), GD_OK);
    x = 0.0;
    gd_optimizer_update(opt, &x, &g);
    assert_true(x == -0.1);
    double lr;
    assert_int_equal(gd_optimizer_get(opt, GD_PARAM_LR, &lr), GD_OK);
    assert_true(lr == 0.1);
    gd_optimizer_free(opt);
}

/* ---- gd_minimize: stop criteria and monitor ---- */

static gd_optimizer *sgd_run_n(size_t n, double lr, double max_iter)
{
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, n);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LR, lr), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MAX_ITER, max_iter), GD_OK);
    return opt;
}

static gd_optimizer *sgd_run(double lr, double max_iter)
{
    return sgd_run_n(1, lr, max_iter);
}

static void test_each_stop_reason(void **state)
{
    (void)state;
    gd_objective *f = gd_quadratic_new(1, NULL, 1.0); /* x^2: error factor 0.8 per step */
    struct {
        gd_param key;
        double value;
        int reason;
    } stops[] = {
        {GD_PARAM_GTOL, 1e-3, GD_STOP_GTOL},
        {GD_PARAM_FTOL, 0.5, GD_STOP_FTOL}, /* |f_k - f_{k-1}| = 0.36 max(f) < 0.5 max(f) */
        {GD_PARAM_XTOL, 0.3, GD_STOP_XTOL}, /* step = 0.25 |x_k| <= 0.3 |x_k| */
    };
    for (size_t i = 0; i < 3; i++) {
        gd_optimizer *opt = sgd_run(0.1, 1000);
        assert_int_equal(gd_optimizer_set(opt, stops[i].key, stops[i].value), GD_OK);
        double x = 5.0;
        assert_int_equal(gd_minimize(opt, f, &x, NULL), stops[i].reason);
        gd_optimizer_free(opt);
    }
    /* gtol: stops at the first k with 2 * 5 * 0.8^k <= 1e-3, i.e. k = 42. */
    gd_optimizer *opt = sgd_run(0.1, 1000);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_GTOL, 1e-3), GD_OK);
    double x = 5.0;
    gd_minimize(opt, f, &x, NULL);
    assert_int_equal(gd_optimizer_iterations(opt), 42);
    gd_optimizer_free(opt);
    /* xtol and ftol need a previous iterate: they hold from k = 1 on. */
    opt = sgd_run(0.1, 1000);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_XTOL, 0.3), GD_OK);
    x = 5.0;
    gd_minimize(opt, f, &x, NULL);
    assert_int_equal(gd_optimizer_iterations(opt), 1);
    gd_optimizer_free(opt);
    /* max_eval counts the evaluations of each call (the start's included), before
     * max_iter: 5 evaluations are 4 updates; a second call has its own budget. */
    opt = sgd_run(0.1, 1000);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MAX_EVAL, 5), GD_OK);
    x = 5.0;
    assert_int_equal(gd_minimize(opt, f, &x, NULL), GD_STOP_MAXEVAL);
    assert_int_equal(gd_optimizer_iterations(opt), 4);
    assert_int_equal(gd_minimize(opt, f, &x, NULL), GD_STOP_MAXEVAL);
    assert_int_equal(gd_optimizer_iterations(opt), 8);
    assert_int_equal(gd_optimizer_evaluations(opt), 10);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MAX_ITER, 4), GD_OK);
    assert_int_equal(gd_minimize(opt, f, &x, NULL), GD_STOP_MAXEVAL);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MAX_EVAL, 0), GD_OK);
    assert_int_equal(gd_minimize(opt, f, &x, NULL), GD_STOP_MAXITER);
    gd_optimizer_free(opt);
    gd_objective_free(f);
}

static void test_max_iter_zero_and_precedence(void **state)
{
    (void)state;
    gd_objective *f = gd_quadratic_new(1, NULL, 1.0);
    gd_optimizer *opt = sgd_run(0.1, 0);
    gd_trajectory *traj = gd_trajectory_new(1, 0);
    double x = 5.0;
    assert_int_equal(gd_minimize(opt, f, &x, traj), GD_STOP_MAXITER);
    assert_true(x == 5.0);
    assert_int_equal(gd_trajectory_len(traj), 1);
    /* At the start both gtol (huge) and max_iter 0 hold: gtol is checked first. */
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_GTOL, 100.0), GD_OK);
    assert_int_equal(gd_minimize(opt, f, &x, NULL), GD_STOP_GTOL);
    gd_trajectory_free(traj);
    gd_optimizer_free(opt);
    gd_objective_free(f);
}

struct monitor_log {
    size_t calls, stop_at;
    size_t iters[16];
    double xs[16], fs[16];
};

static int record_and_stop(size_t iter, const double *x, size_t n, double f, void *user)
{
    struct monitor_log *log = user;
    assert_int_equal(n, 1);
    log->iters[log->calls] = iter;
    log->xs[log->calls] = x[0];
    log->fs[log->calls] = f;
    log->calls++;
    return iter == log->stop_at;
}

static void test_monitor_sees_each_iterate_and_stops(void **state)
{
    (void)state;
    gd_objective *f = gd_quadratic_new(1, NULL, 1.0);
    gd_optimizer *opt = sgd_run(0.1, 1000);
    struct monitor_log log = {.stop_at = 7};
    assert_int_equal(gd_optimizer_set_monitor(opt, record_and_stop, &log), GD_OK);
    double x = 5.0;
    assert_int_equal(gd_minimize(opt, f, &x, NULL), GD_STOP_USER);
    assert_int_equal(log.calls, 7);
    for (size_t k = 0; k < 7; k++) {
        double xk = 5.0 * pow(0.8, (double)(k + 1));
        assert_int_equal(log.iters[k], k + 1);
        assert_true(fabs(log.xs[k] - xk) <= 1e-14 && fabs(log.fs[k] - xk * xk) <= 1e-13);
    }
    assert_true(x == log.xs[6]);
    assert_int_equal(gd_optimizer_iterations(opt), 7);
    assert_int_equal(gd_optimizer_set_monitor(opt, NULL, NULL), GD_OK);
    assert_int_equal(gd_minimize(opt, f, &x, NULL), GD_STOP_MAXITER);
    assert_int_equal(log.calls, 7); /* removed monitors are not called */
    gd_optimizer_free(opt);
    gd_objective_free(f);
}

static void test_minimize_bad_arguments(void **state)
{
    (void)state;
    gd_objective *f2 = gd_quadratic_new(2, NULL, 1.0), *f1 = gd_quadratic_new(1, NULL, 1.0);
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, 2);
    gd_trajectory *t1 = gd_trajectory_new(1, 0);
    double x[2] = {1, 2};
    assert_int_equal(gd_minimize(NULL, f2, x, NULL), GD_EINVAL);
    assert_int_equal(gd_minimize(opt, NULL, x, NULL), GD_EINVAL);
    assert_int_equal(gd_minimize(opt, f2, NULL, NULL), GD_EINVAL);
    assert_int_equal(gd_minimize(opt, f1, x, NULL), GD_EINVAL);
    assert_int_equal(gd_minimize(opt, f2, x, t1), GD_EINVAL);
    assert_int_equal(gd_step(NULL, f2, x, NULL), GD_EINVAL);
    assert_int_equal(gd_step(opt, NULL, x, NULL), GD_EINVAL);
    assert_int_equal(gd_step(opt, f2, NULL, NULL), GD_EINVAL);
    assert_int_equal(gd_step(opt, f1, x, NULL), GD_EINVAL);
    assert_true(x[0] == 1 && x[1] == 2);
    assert_int_equal(gd_trajectory_len(t1), 0);
    assert_int_equal(gd_optimizer_iterations(opt), 0);
    gd_trajectory_free(t1);
    gd_optimizer_free(opt);
    gd_objective_free(f1);
    gd_objective_free(f2);
}

/* ---- failing and diverging callbacks ---- */

enum fault { RETURN_ERROR, NAN_VALUE, INF_VALUE, NAN_GRADIENT, INF_GRADIENT, HUGE_GRADIENT };

struct faulty {
    int calls, fail_at; /* evaluation number (1 = the start) that misbehaves */
    enum fault fault;
};

static int faulty_square(const double *x, size_t n, double *f, double *grad, void *user)
{
    struct faulty *fy = user;
    (void)n;
    *f = x[0] * x[0];
    if (grad)
        grad[0] = 2 * x[0];
    if (++fy->calls != fy->fail_at)
        return 0;
    switch (fy->fault) {
    case RETURN_ERROR:
        return 1;
    case NAN_VALUE:
        *f = NAN;
        break;
    case INF_VALUE:
        *f = INFINITY;
        break;
    case NAN_GRADIENT:
        grad[0] = NAN;
        break;
    case INF_GRADIENT:
        grad[0] = -INFINITY;
        break;
    case HUGE_GRADIENT:
        grad[0] = 1e308;
        break; /* finite, but the step overflows x */
    }
    return 0;
}

/* A fault at evaluation k leaves x at the iterate of evaluation k-1 (bit for bit) and
 * the trajectory with its k-1 records. */
static void test_faults_restore_last_good_iterate(void **state)
{
    (void)state;
    const enum fault faults[] = {RETURN_ERROR, NAN_VALUE, INF_VALUE, NAN_GRADIENT, INF_GRADIENT};
    for (size_t i = 0; i < 5; i++) {
        for (int k = 1; k <= 4; k++) {
            struct faulty fy = {0, k, faults[i]};
            gd_objective *f = gd_objective_new(1, faulty_square, &fy);
            gd_optimizer *opt = sgd_run(0.1, 100);
            gd_trajectory *traj = gd_trajectory_new(1, GD_TRAJ_X);
            double x = 5.0, expected = 5.0 * pow(0.8, k >= 2 ? k - 2 : 0);
            int want = faults[i] == RETURN_ERROR ? GD_ECALLBACK : GD_EDIVERGED;
            assert_int_equal(gd_minimize(opt, f, &x, traj), want);
            assert_true(fabs(x - expected) <= 1e-14);
            assert_int_equal(gd_trajectory_len(traj), k - 1);
            if (k >= 2)
                assert_memory_equal(&x, gd_trajectory_x(traj, k - 2), sizeof x);
            gd_trajectory_free(traj);
            gd_optimizer_free(opt);
            gd_objective_free(f);
        }
    }
}

/* A finite but huge gradient at evaluation k sends x_k to -inf; the evaluation there is
 * not finite, so the run stops with x_{k-1}, the last iterate with finite values. */
static void test_huge_gradient_restores_last_finite_iterate(void **state)
{
    (void)state;
    for (int k = 1; k <= 3; k++) {
        struct faulty fy = {0, k, HUGE_GRADIENT};
        gd_objective *f = gd_objective_new(1, faulty_square, &fy);
        gd_optimizer *opt = sgd_run(10.0, 100);
        double x = 5.0, expected = 5.0;
        for (int i = 1; i < k; i++)
            expected -= 10.0 * 2 * expected; /* x_i = x_{i-1} (1 - 2 lr) */
        assert_int_equal(gd_minimize(opt, f, &x, NULL), GD_EDIVERGED);
        assert_true(x == expected);
        gd_optimizer_free(opt);
        gd_objective_free(f);
    }
}

static void test_failed_step_changes_nothing(void **state)
{
    (void)state;
    struct faulty fy = {0, 1, NAN_GRADIENT};
    gd_objective *f = gd_objective_new(1, faulty_square, &fy);
    gd_optimizer *opt = sgd_run(0.1, 10);
    double x = 5.0, value = -1.0;
    assert_int_equal(gd_step(opt, f, &x, &value), GD_EDIVERGED);
    assert_true(x == 5.0 && value == -1.0);
    assert_int_equal(gd_optimizer_iterations(opt), 0);
    fy.fail_at = 2;
    fy.fault = RETURN_ERROR;
    assert_int_equal(gd_step(opt, f, &x, NULL), GD_ECALLBACK);
    assert_true(x == 5.0);
    assert_int_equal(gd_step(opt, f, &x, &value), GD_OK);
    assert_true(value == 25.0 && x == 4.0);
    gd_optimizer_free(opt);
    gd_objective_free(f);
}

/* ---- mini-batches ---- */

struct batch_log {
    size_t batches, total;
    size_t counts[64];
    size_t idx[640];
};

static int logged_mean_square(const double *x, size_t n, const size_t *idx, size_t count, double *f,
                              double *grad, void *user)
{
    struct batch_log *log = user;
    (void)n;
    if (log->batches < 64 && log->total + count <= 640) {
        log->counts[log->batches++] = count;
        memcpy(log->idx + log->total, idx, count * sizeof *idx);
        log->total += count;
    }
    *f = x[0] * x[0];
    if (grad)
        grad[0] = 2 * x[0];
    return 0;
}

static struct batch_log run_batches(double batch, double shuffle, double seed, int steps, size_t m)
{
    struct batch_log log = {0};
    gd_objective *f = gd_objective_new_sum(1, m, logged_mean_square, &log);
    gd_optimizer *opt = sgd_run(0.01, 100);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_BATCH_SIZE, batch), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_SHUFFLE, shuffle), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_SEED, seed), GD_OK);
    double x = 1.0;
    for (int s = 0; s < steps; s++)
        assert_int_equal(gd_step(opt, f, &x, NULL), GD_OK);
    gd_optimizer_free(opt);
    gd_objective_free(f);
    return log;
}

static void test_batches_in_order(void **state)
{
    (void)state;
    struct batch_log log = run_batches(4, 0, 0, 5, 10); /* 4, 4, 2, then 4, 4 */
    const size_t counts[] = {4, 4, 2, 4, 4};
    for (size_t b = 0; b < 5; b++)
        assert_int_equal(log.counts[b], counts[b]);
    for (size_t i = 0; i < log.total; i++)
        assert_int_equal(log.idx[i], i % 10);
    log = run_batches(25, 0, 0, 2, 10); /* larger than m: the whole sum */
    assert_int_equal(log.counts[0], 10);
    assert_int_equal(log.counts[1], 10);
    log = run_batches(0, 1, 0, 3, 10); /* batch 0: every term, every step */
    assert_int_equal(log.total, 30);
}

static void test_shuffled_epochs_are_seeded_permutations(void **state)
{
    (void)state;
    struct batch_log a = run_batches(3, 1, 42, 12, 9), b = run_batches(3, 1, 42, 12, 9);
    struct batch_log c = run_batches(3, 1, 43, 12, 9);
    assert_int_equal(a.total, 36);
    assert_memory_equal(a.idx, b.idx, sizeof a.idx);
    assert_memory_not_equal(a.idx, c.idx, 36 * sizeof a.idx[0]);
    for (size_t epoch = 0; epoch < 4; epoch++) {
        bool seen[9] = {false};
        for (size_t i = 0; i < 9; i++) {
            size_t term = a.idx[epoch * 9 + i];
            assert_true(term < 9 && !seen[term]);
            seen[term] = true;
        }
    }
    assert_memory_not_equal(a.idx, a.idx + 9, 9 * sizeof a.idx[0]); /* reshuffled */
}

/* Mini-batch SGD on exact data y = 3x - 1 reaches (3, -1). */
static void test_minibatch_sgd_converges(void **state)
{
    (void)state;
    double X[100], y[100];
    for (int i = 0; i < 100; i++) {
        X[i] = (i - 50) / 25.0;
        y[i] = 3 * X[i] - 1;
    }
    gd_objective *f = gd_least_squares_new(100, 1, X, y, 0.5, GD_LS_INTERCEPT);
    gd_optimizer *opt = sgd_run_n(2, 0.1, 3000);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_BATCH_SIZE, 10), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_SEED, 7), GD_OK);
    double w[2] = {0, 0}, w2[2] = {0, 0};
    assert_int_equal(gd_minimize(opt, f, w, NULL), GD_STOP_MAXITER);
    assert_true(fabs(w[0] - 3) < 1e-9 && fabs(w[1] + 1) < 1e-9);
    /* Reset restarts the sampling from the seed: the same run, bit for bit. */
    assert_int_equal(gd_optimizer_reset(opt), GD_OK);
    assert_int_equal(gd_minimize(opt, f, w2, NULL), GD_STOP_MAXITER);
    assert_memory_equal(w, w2, sizeof w);
    gd_optimizer_free(opt);
    gd_objective_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_optimizer_bad_arguments),
        cmocka_unit_test(test_run_defaults_and_names),
        cmocka_unit_test(test_sgd_refuses_bad_values_and_combinations),
        cmocka_unit_test(test_sgd_matches_reference_in_every_combination),
        cmocka_unit_test(test_reset_forgets_momentum),
        cmocka_unit_test(test_each_stop_reason),
        cmocka_unit_test(test_max_iter_zero_and_precedence),
        cmocka_unit_test(test_monitor_sees_each_iterate_and_stops),
        cmocka_unit_test(test_minimize_bad_arguments),
        cmocka_unit_test(test_faults_restore_last_good_iterate),
        cmocka_unit_test(test_huge_gradient_restores_last_finite_iterate),
        cmocka_unit_test(test_failed_step_changes_nothing),
        cmocka_unit_test(test_batches_in_order),
        cmocka_unit_test(test_shuffled_epochs_are_seeded_permutations),
        cmocka_unit_test(test_minibatch_sgd_converges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
