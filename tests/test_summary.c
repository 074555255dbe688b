/*
 * test_summary.c - the run summary (evaluations, last f and gradient norm), the state
 * vectors under torch's keys, and parameter keys by name.
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

/* f(x) = sum (x_i - 1)^2; fails while *fail is non-zero. */
static int shifted_square(const double *x, size_t n, double *f, double *grad, void *user)
{
    const int *fail = user;
    if (fail && *fail)
        return 1;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        sum += (x[i] - 1.0) * (x[i] - 1.0);
        if (grad)
            grad[i] = 2.0 * (x[i] - 1.0);
    }
    *f = sum;
    return 0;
}

/* After gd_minimize: f and the gradient norm at the final x, max_iter + 1 evaluations;
 * NaN and 0 before any evaluation and after a reset; gd_optimizer_update changes
 * neither; a failed evaluation counts but keeps the last good values. */
static void test_summary_of_a_run(void **state)
{
    (void)state;
    int fail = 0;
    gd_objective *obj = gd_objective_new(3, shifted_square, &fail);
    gd_optimizer *opt = gd_optimizer_new(GD_ADAM, 3);
    assert_true(isnan(gd_optimizer_last_f(opt)) && isnan(gd_optimizer_last_grad_norm(opt)));
    assert_int_equal(gd_optimizer_evaluations(opt), 0);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LR, 0.1), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MAX_ITER, 25), GD_OK);
    double x[3] = {4, -2, 0.5}, f, g[3];
    assert_int_equal(gd_minimize(opt, obj, x, NULL), GD_STOP_MAXITER);
    assert_int_equal(gd_objective_eval(obj, x, &f, g), GD_OK);
    assert_true(gd_optimizer_last_f(opt) == f);
    double norm = sqrt(g[0] * g[0] + g[1] * g[1] + g[2] * g[2]);
    assert_true(fabs(gd_optimizer_last_grad_norm(opt) - norm) <= 1e-15 * norm);
    assert_int_equal(gd_optimizer_evaluations(opt), 26);

    assert_int_equal(gd_optimizer_update(opt, x, g), GD_OK);
    assert_true(gd_optimizer_last_f(opt) == f);
    assert_int_equal(gd_optimizer_evaluations(opt), 26);

    fail = 1;
    assert_int_equal(gd_step(opt, obj, x, NULL), GD_ECALLBACK);
    assert_int_equal(gd_optimizer_evaluations(opt), 27);
    assert_true(gd_optimizer_last_f(opt) == f);

    assert_int_equal(gd_optimizer_reset(opt), GD_OK);
    assert_int_equal(gd_optimizer_evaluations(opt), 0);
    assert_true(isnan(gd_optimizer_last_f(opt)) && isnan(gd_optimizer_last_grad_norm(opt)));
    assert_int_equal(gd_optimizer_evaluations(NULL), 0);
    assert_true(isnan(gd_optimizer_last_f(NULL)) && isnan(gd_optimizer_last_grad_norm(NULL)));
    gd_optimizer_free(opt);
    gd_objective_free(obj);
}

/* gd_step reports the value before its update, and the summary holds the same. */
static void test_summary_of_a_step(void **state)
{
    (void)state;
    gd_objective *obj = gd_objective_new(2, shifted_square, NULL);
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, 2);
    double x[2] = {3, 1}, f;
    assert_int_equal(gd_step(opt, obj, x, &f), GD_OK);
    assert_true(f == 4.0 && gd_optimizer_last_f(opt) == 4.0);
    assert_true(gd_optimizer_last_grad_norm(opt) == 4.0);
    assert_int_equal(gd_optimizer_evaluations(opt), 1);
    gd_optimizer_free(opt);
    gd_objective_free(obj);
}

static void expect_state(const gd_optimizer *opt, const char *name, const double *want, size_t n)
{
    double got[4] = {-7, -7, -7, -7};
    assert_true(n <= 4);
    assert_int_equal(gd_optimizer_get_state(opt, name, got, n), GD_OK);
    assert_memory_equal(got, want, n * sizeof *got);
}

static void expect_no_state(const gd_optimizer *opt, const char *name, size_t n)
{
    double got[4] = {-7, -7, -7, -7};
    assert_int_equal(gd_optimizer_get_state(opt, name, got, n), GD_EINVAL);
    assert_true(got[0] == -7 && got[n - 1] == -7);
}

static const double grad[2] = {0.5, -2.0};

/* Adam after one update: exp_avg = (1 - beta1) g, exp_avg_sq = (1 - beta2) g^2 (the
 * operations torch does), max_exp_avg_sq only with AMSGrad, step 1. */
static void test_adam_state(void **state)
{
    (void)state;
    gd_optimizer *opt = gd_optimizer_new(GD_ADAM, 2);
    double x[2] = {1, 1}, zeros[2] = {0, 0}, one = 1.0;
    expect_state(opt, "exp_avg", zeros, 2);
    assert_int_equal(gd_optimizer_update(opt, x, grad), GD_OK);
    double m[2], v[2];
    for (int i = 0; i < 2; i++) {
        m[i] = (1.0 - 0.9) * grad[i];
        v[i] = ((1.0 - 0.999) * grad[i]) * grad[i];
    }
    expect_state(opt, "exp_avg", m, 2);
    expect_state(opt, "exp_avg_sq", v, 2);
    expect_state(opt, "step", &one, 1);
    expect_no_state(opt, "max_exp_avg_sq", 2);
    expect_no_state(opt, "exp_avg", 1); /* a count that is not n */
    expect_no_state(opt, "step", 2);
    expect_no_state(opt, "momentum_buffer", 2); /* not Adam's */
    expect_no_state(opt, "Exp_avg", 2);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_AMSGRAD, 1), GD_OK);
    expect_state(opt, "max_exp_avg_sq", zeros, 2);
    assert_int_equal(gd_optimizer_get_state(NULL, "step", v, 1), GD_EINVAL);
    assert_int_equal(gd_optimizer_get_state(opt, NULL, v, 1), GD_EINVAL);
    assert_int_equal(gd_optimizer_get_state(opt, "step", NULL, 1), GD_EINVAL);
    gd_optimizer_free(opt);
}

/* SGD keeps its buffer once a step used momentum (a copy of the first gradient), and
 * no step; Adagrad's sum starts at the initial accumulator; RMSprop's grad_avg and
 * momentum_buffer exist when centered and with momentum. */
static void test_other_methods_state(void **state)
{
    (void)state;
    double x[2] = {1, 1};
    gd_optimizer *sgd = gd_optimizer_new(GD_SGD, 2);
    assert_int_equal(gd_optimizer_set(sgd, GD_PARAM_MOMENTUM, 0.9), GD_OK);
    expect_no_state(sgd, "momentum_buffer", 2);
    assert_int_equal(gd_optimizer_update(sgd, x, grad), GD_OK);
    expect_state(sgd, "momentum_buffer", grad, 2);
    expect_no_state(sgd, "step", 1);
    gd_optimizer_free(sgd);

    gd_optimizer *ada = gd_optimizer_new(GD_ADAGRAD, 2);
    assert_int_equal(gd_optimizer_set(ada, GD_PARAM_INITIAL_ACCUMULATOR, 0.25), GD_OK);
    double init[2] = {0.25, 0.25}, sum[2] = {0.25 + 0.25, 0.25 + 4.0};
    expect_state(ada, "sum", init, 2);
    assert_int_equal(gd_optimizer_update(ada, x, grad), GD_OK);
    expect_state(ada, "sum", sum, 2);
    assert_int_equal(gd_optimizer_reset(ada), GD_OK);
    expect_state(ada, "sum", init, 2);
    gd_optimizer_free(ada);

    gd_optimizer *rms = gd_optimizer_new(GD_RMSPROP, 2);
    expect_no_state(rms, "grad_avg", 2);
    expect_no_state(rms, "momentum_buffer", 2);
    assert_int_equal(gd_optimizer_set(rms, GD_PARAM_CENTERED, 1), GD_OK);
    assert_int_equal(gd_optimizer_update(rms, x, grad), GD_OK);
    double sq[2], avg[2];
    for (int i = 0; i < 2; i++) {
        sq[i] = ((1.0 - 0.99) * grad[i]) * grad[i];
        avg[i] = (1.0 - 0.99) * grad[i];
    }
    expect_state(rms, "square_avg", sq, 2);
    expect_state(rms, "grad_avg", avg, 2);
    gd_optimizer_free(rms);
}

/* Every method's state names are readable right after creation (a smoke test over
 * the method list: each vector key of the method answers with n values). */
static void test_every_method_answers_step(void **state)
{
    (void)state;
    for (int m = 0; gd_method_name((gd_method)m); m++) {
        if (!method_updates_alone((gd_method)m))
            continue; /* L-BFGS: tests/test_lbfgs.c */
        gd_optimizer *opt = gd_optimizer_new((gd_method)m, 3);
        double x[3] = {1, 2, 3}, g[3] = {0.1, 0.2, 0.3}, step = -1;
        assert_int_equal(gd_optimizer_update(opt, x, g), GD_OK);
        int rc = gd_optimizer_get_state(opt, "step", &step, 1);
        assert_true(rc == GD_EINVAL || (rc == GD_OK && step == 1.0));
        gd_optimizer_free(opt);
    }
}

/* Every named key names itself back; unknown names and NULL are refused. */
static void test_param_by_name(void **state)
{
    (void)state;
    int named = 0;
    for (int k = -2; k < 70; k++) {
        const char *name = gd_param_name((gd_param)k);
        if (!name)
            continue;
        gd_param key = (gd_param)-1;
        assert_int_equal(gd_param_by_name(name, &key), GD_OK);
        assert_int_equal(key, k);
        named++;
    }
    assert_true(named >= 21);
    gd_param key = GD_PARAM_EPS;
    assert_int_equal(gd_param_by_name("LR", &key), GD_EINVAL);
    assert_int_equal(gd_param_by_name("", &key), GD_EINVAL);
    assert_int_equal(gd_param_by_name(NULL, &key), GD_EINVAL);
    assert_int_equal(key, GD_PARAM_EPS);
    assert_int_equal(gd_param_by_name("lr", NULL), GD_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_summary_of_a_run),
        cmocka_unit_test(test_summary_of_a_step),
        cmocka_unit_test(test_adam_state),
        cmocka_unit_test(test_other_methods_state),
        cmocka_unit_test(test_every_method_answers_step),
        cmocka_unit_test(test_param_by_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
