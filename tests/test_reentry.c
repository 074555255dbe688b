/*
 * test_reentry.c - callbacks that run their own optimizer again: gd_step from inside
 * the objective of a mini-batch run, with an objective of another m (which used to
 * free the batch the outer callback was reading: heap-use-after-free under ASan),
 * gd_minimize, gd_optimizer_update and gd_optimizer_reset from the monitor.  Each is
 * refused with GD_EBUSY, and the outer run ends as a run without them does.
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include <gdescent.h>

enum { DIM = 2, TERMS = 6 };

struct nested {
    gd_optimizer *opt;   /* the optimizer running the outer call, or NULL */
    gd_objective *other; /* an objective of another m */
    int refused;         /* inner calls that returned GD_EBUSY */
    size_t idx_sum;      /* reads idx after the inner call */
};

/* f_i(x) = 0.5 ||x - i||^2 over the terms in idx; tries gd_step on its own optimizer
 * first, then reads idx. */
static int nesting_sum(const double *x, size_t n, const size_t *idx, size_t count, double *f,
                       double *grad, void *user)
{
    struct nested *nest = user;
    if (nest->opt) {
        double inner_x[DIM] = {0, 0};
        nest->refused += gd_step(nest->opt, nest->other, inner_x, NULL) == GD_EBUSY;
    }
    double value = 0.0;
    for (size_t j = 0; j < n; j++)
        grad[j] = 0.0;
    for (size_t k = 0; k < count; k++) {
        nest->idx_sum += idx[k];
        for (size_t j = 0; j < n; j++) {
            double d = x[j] - (double)idx[k];
            value += 0.5 * d * d;
            grad[j] += d / (double)count;
        }
    }
    *f = value / (double)count;
    return 0;
}

static int plain_sum(const double *x, size_t n, const size_t *idx, size_t count, double *f,
                     double *grad, void *user)
{
    (void)idx, (void)user;
    *f = 0.0;
    for (size_t j = 0; j < n; j++)
        grad[j] = x[j] / (double)count;
    return 0;
}

static void run_minibatch(struct nested *nest, double *x, bool nesting)
{
    gd_objective *obj = gd_objective_new_sum(DIM, TERMS, nesting_sum, nest);
    gd_optimizer *opt = gd_optimizer_new(GD_ADAM, DIM);
    assert_true(obj && opt);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_BATCH_SIZE, 4), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MAX_ITER, 9), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LR, 0.1), GD_OK);
    nest->opt = nesting ? opt : NULL;
    x[0] = 3.0;
    x[1] = -1.0;
    assert_int_equal(gd_minimize(opt, obj, x, NULL), GD_STOP_MAXITER);
    assert_int_equal(gd_optimizer_iterations(opt), 9);
    gd_optimizer_free(opt);
    gd_objective_free(obj);
}

static void test_step_from_the_objective_is_refused(void **state)
{
    (void)state;
    gd_objective *other = gd_objective_new_sum(DIM, 3, plain_sum, NULL);
    struct nested nesting = {.other = other}, plain = {.other = other};
    double x_nesting[DIM], x_plain[DIM];
    run_minibatch(&nesting, x_nesting, true);
    run_minibatch(&plain, x_plain, false);
    assert_int_equal(nesting.refused, 10); /* every evaluation: 9 updates and the last */
    assert_int_equal(nesting.idx_sum, plain.idx_sum);
    assert_memory_equal(x_nesting, x_plain, sizeof x_plain);
    gd_objective_free(other);
}

struct monitor_calls {
    gd_optimizer *opt;
    gd_objective *obj;
    int refused;
};

static int rerunning_monitor(size_t iter, const double *x, size_t n, double f, void *user)
{
    (void)iter, (void)n, (void)f;
    struct monitor_calls *m = user;
    double y[DIM] = {x[0], x[1]}, g[DIM] = {1, 1};
    m->refused += gd_minimize(m->opt, m->obj, y, NULL) == GD_EBUSY;
    m->refused += gd_optimizer_update(m->opt, y, g) == GD_EBUSY;
    m->refused += gd_optimizer_reset(m->opt) == GD_EBUSY;
    m->refused += gd_step(m->opt, m->obj, y, NULL) == GD_EBUSY;
    /* Setting a parameter stays allowed (a schedule of one's own). */
    m->refused += gd_optimizer_set(m->opt, GD_PARAM_LR, 0.1) != GD_OK;
    return 0;
}

static void test_running_from_the_monitor_is_refused(void **state)
{
    (void)state;
    const double center[DIM] = {1, 2};
    gd_objective *obj = gd_quadratic_new(DIM, center, 1.0);
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, DIM);
    struct monitor_calls calls = {opt, obj, 0};
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MAX_ITER, 5), GD_OK);
    assert_int_equal(gd_optimizer_set_monitor(opt, rerunning_monitor, &calls), GD_OK);
    double x[DIM] = {0, 0};
    assert_int_equal(gd_minimize(opt, obj, x, NULL), GD_STOP_MAXITER);
    assert_int_equal(calls.refused, 5 * 4);
    assert_int_equal(gd_optimizer_iterations(opt), 5);
    /* After the run the optimizer runs again. */
    assert_int_equal(gd_step(opt, obj, x, NULL), GD_OK);
    assert_int_equal(gd_optimizer_reset(opt), GD_OK);
    assert_string_equal(gd_strerror(GD_EBUSY),
                        "The optimizer is running: it cannot be run from its own callbacks.");
    gd_optimizer_free(opt);
    gd_objective_free(obj);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_step_from_the_objective_is_refused),
        cmocka_unit_test(test_running_from_the_monitor_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
