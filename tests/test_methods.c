/*
 * test_methods.c - every method's parameters: PyTorch 1.13's defaults, the keys each
 * method refuses, invalid values refused without change, reset and schedules.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include <gdescent.h>

struct expected_default {
    gd_param key;
    double value;
};

struct method_case {
    gd_method method;
    const char *name;
    const struct expected_default *defaults; /* terminated by key -1 */
};

#define END                                                                                        \
    {                                                                                              \
        (gd_param) - 1, 0.0                                                                        \
    }

/* The defaults of torch.optim's constructors (PyTorch 1.13 signatures); SGD's lr has
 * no PyTorch default and the contract fixes it at 0.01. */
static const struct expected_default sgd_defaults[] = {{GD_PARAM_LR, 0.01},
                                                       {GD_PARAM_MOMENTUM, 0.0},
                                                       {GD_PARAM_DAMPENING, 0.0},
                                                       {GD_PARAM_NESTEROV, 0.0},
                                                       {GD_PARAM_WEIGHT_DECAY, 0.0},
                                                       {GD_PARAM_MAXIMIZE, 0.0},
                                                       END};
static const struct expected_default adam_defaults[] = {
    {GD_PARAM_LR, 1e-3},          {GD_PARAM_BETA1, 0.9},
    {GD_PARAM_BETA2, 0.999},      {GD_PARAM_EPS, 1e-8},
    {GD_PARAM_WEIGHT_DECAY, 0.0}, {GD_PARAM_AMSGRAD, 0.0},
    {GD_PARAM_MAXIMIZE, 0.0},     END};
static const struct expected_default adamw_defaults[] = {
    {GD_PARAM_LR, 1e-3},           {GD_PARAM_BETA1, 0.9},
    {GD_PARAM_BETA2, 0.999},       {GD_PARAM_EPS, 1e-8},
    {GD_PARAM_WEIGHT_DECAY, 1e-2}, {GD_PARAM_AMSGRAD, 0.0},
    {GD_PARAM_MAXIMIZE, 0.0},      END};
static const struct expected_default rmsprop_defaults[] = {
    {GD_PARAM_LR, 1e-2},      {GD_PARAM_ALPHA, 0.99},
    {GD_PARAM_EPS, 1e-8},     {GD_PARAM_WEIGHT_DECAY, 0.0},
    {GD_PARAM_MOMENTUM, 0.0}, {GD_PARAM_CENTERED, 0.0},
    {GD_PARAM_MAXIMIZE, 0.0}, END};
static const struct expected_default adagrad_defaults[] = {{GD_PARAM_LR, 1e-2},
                                                           {GD_PARAM_LR_DECAY, 0.0},
                                                           {GD_PARAM_WEIGHT_DECAY, 0.0},
                                                           {GD_PARAM_INITIAL_ACCUMULATOR, 0.0},
                                                           {GD_PARAM_EPS, 1e-10},
                                                           {GD_PARAM_MAXIMIZE, 0.0},
                                                           END};

static const struct method_case methods[] = {
    {GD_SGD, "sgd", sgd_defaults},
    {GD_ADAM, "adam", adam_defaults},
    {GD_ADAMW, "adamw", adamw_defaults},
    {GD_RMSPROP, "rmsprop", rmsprop_defaults},
    {GD_ADAGRAD, "adagrad", adagrad_defaults},
};
#define METHOD_COUNT (sizeof methods / sizeof methods[0])

static const gd_param method_keys[] = {
    GD_PARAM_LR,
    GD_PARAM_MOMENTUM,
    GD_PARAM_DAMPENING,
    GD_PARAM_NESTEROV,
    GD_PARAM_WEIGHT_DECAY,
    GD_PARAM_BETA1,
    GD_PARAM_BETA2,
    GD_PARAM_EPS,
    GD_PARAM_AMSGRAD,
    GD_PARAM_ALPHA,
    GD_PARAM_CENTERED,
    GD_PARAM_LR_DECAY,
    GD_PARAM_INITIAL_ACCUMULATOR,
    GD_PARAM_MAXIMIZE,
};

static const struct expected_default *find_default(const struct method_case *mc, gd_param key)
{
    for (const struct expected_default *d = mc->defaults; (int)d->key != -1; d++)
        if (d->key == key)
            return d;
    return NULL;
}

static void test_defaults_and_refused_keys(void **state)
{
    (void)state;
    for (size_t m = 0; m < METHOD_COUNT; m++) {
        gd_optimizer *opt = gd_optimizer_new(methods[m].method, 3);
        assert_non_null(opt);
        for (size_t k = 0; k < sizeof method_keys / sizeof method_keys[0]; k++) {
            const struct expected_default *d = find_default(&methods[m], method_keys[k]);
            double value = -123.0;
            int rc = gd_optimizer_get(opt, method_keys[k], &value);
            if (d) {
                assert_int_equal(rc, GD_OK);
                assert_true(value == d->value);
            } else {
                /* A key the method does not use is refused, get and set alike. */
                assert_int_equal(rc, GD_EINVAL);
                assert_true(value == -123.0);
                assert_int_equal(gd_optimizer_set(opt, method_keys[k], 0.0), GD_EINVAL);
            }
        }
        gd_optimizer_free(opt);
    }
}

struct bad_value {
    gd_param key;
    double value;
};

/* Values outside PyTorch's accepted ranges (and the contract's: momentum < 1, betas < 1,
 * booleans exactly 0 or 1, no NaN or infinity). */
static const struct bad_value bad_values[] = {
    {GD_PARAM_LR, -1e-3},           {GD_PARAM_LR, NAN},
    {GD_PARAM_LR, INFINITY},        {GD_PARAM_BETA1, -0.1},
    {GD_PARAM_BETA1, 1.0},          {GD_PARAM_BETA2, 1.0},
    {GD_PARAM_BETA2, NAN},          {GD_PARAM_EPS, -1e-8},
    {GD_PARAM_EPS, INFINITY},       {GD_PARAM_AMSGRAD, 0.5},
    {GD_PARAM_AMSGRAD, 2.0},        {GD_PARAM_ALPHA, -0.01},
    {GD_PARAM_ALPHA, 1.0},          {GD_PARAM_CENTERED, -1.0},
    {GD_PARAM_LR_DECAY, -1.0},      {GD_PARAM_INITIAL_ACCUMULATOR, -0.1},
    {GD_PARAM_WEIGHT_DECAY, -0.01}, {GD_PARAM_MOMENTUM, 1.0},
    {GD_PARAM_MOMENTUM, -0.5},      {GD_PARAM_MAXIMIZE, 0.25},
};

static void test_invalid_values_change_nothing(void **state)
{
    (void)state;
    for (size_t m = 0; m < METHOD_COUNT; m++) {
        gd_optimizer *opt = gd_optimizer_new(methods[m].method, 2);
        assert_non_null(opt);
        for (size_t b = 0; b < sizeof bad_values / sizeof bad_values[0]; b++) {
            double before, after;
            if (gd_optimizer_get(opt, bad_values[b].key, &before) != GD_OK)
                continue; /* not a key of this method: covered by the previous test */
            assert_int_equal(gd_optimizer_set(opt, bad_values[b].key, bad_values[b].value),
                             GD_EINVAL);
            assert_int_equal(gd_optimizer_get(opt, bad_values[b].key, &after), GD_OK);
            assert_memory_equal(&before, &after, sizeof before);
        }
        gd_optimizer_free(opt);
    }
}

static void test_names_reach_every_method_key(void **state)
{
    (void)state;
    gd_optimizer *adam = gd_optimizer_new(GD_ADAM, 1);
    gd_optimizer *rms = gd_optimizer_new(GD_RMSPROP, 1);
    gd_optimizer *ada = gd_optimizer_new(GD_ADAGRAD, 1);
    double v;
    assert_int_equal(gd_optimizer_set_by_name(adam, "beta2", 0.95), GD_OK);
    assert_int_equal(gd_optimizer_get(adam, GD_PARAM_BETA2, &v), GD_OK);
    assert_true(v == 0.95);
    assert_int_equal(gd_optimizer_set_by_name(adam, "amsgrad", 1.0), GD_OK);
    assert_int_equal(gd_optimizer_set_by_name(rms, "centered", 1.0), GD_OK);
    assert_int_equal(gd_optimizer_set_by_name(rms, "alpha", 0.9), GD_OK);
    assert_int_equal(gd_optimizer_get(rms, GD_PARAM_ALPHA, &v), GD_OK);
    assert_true(v == 0.9);
    assert_int_equal(gd_optimizer_set_by_name(ada, "initial_accumulator", 0.5), GD_OK);
    assert_int_equal(gd_optimizer_set_by_name(ada, "lr_decay", 0.1), GD_OK);
    assert_int_equal(gd_optimizer_set_by_name(ada, "beta1", 0.5), GD_EINVAL);
    gd_optimizer_free(adam);
    gd_optimizer_free(rms);
    gd_optimizer_free(ada);
}

/* Adam's first step moves every coordinate by lr * sign(g) (up to eps): the bias
 * corrections cancel exactly at t = 1, m/sqrt(v) = g/|g|. */
static void test_adam_first_step_is_lr_times_sign(void **state)
{
    (void)state;
    gd_optimizer *opt = gd_optimizer_new(GD_ADAM, 3);
    assert_non_null(opt);
    double x[3] = {1.0, 2.0, 3.0};
    const double g[3] = {0.5, -40.0, 1e-3};
    assert_int_equal(gd_optimizer_update(opt, x, g), GD_OK);
    /* |g| >= 1e-3 makes eps's share at most 1e-5 relative. */
    assert_true(fabs(x[0] - (1.0 - 1e-3)) <= 1e-3 * 1e-5);
    assert_true(fabs(x[1] - (2.0 + 1e-3)) <= 1e-3 * 1e-5);
    assert_true(fabs(x[2] - (3.0 - 1e-3)) <= 1e-3 * 1e-5);
    gd_optimizer_free(opt);
}

/* Adagrad's first step with a zero accumulator is lr * g / (|g| + eps). */
static void test_adagrad_first_step_and_initial_accumulator(void **state)
{
    (void)state;
    gd_optimizer *opt = gd_optimizer_new(GD_ADAGRAD, 1);
    double x = 0.0;
    const double g = 2.0;
    assert_int_equal(gd_optimizer_update(opt, &x, &g), GD_OK);
    assert_true(fabs(x - (-0.01 * 2.0 / (2.0 + 1e-10))) <= 1e-17);
    /* With accumulator 5 set before the first step after reset: s = 5 + 4 = 9. */
    assert_int_equal(gd_optimizer_reset(opt), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_INITIAL_ACCUMULATOR, 5.0), GD_OK);
    x = 0.0;
    assert_int_equal(gd_optimizer_update(opt, &x, &g), GD_OK);
    assert_true(fabs(x - (-0.01 * 2.0 / (3.0 + 1e-10))) <= 1e-17);
    gd_optimizer_free(opt);
}

/* Reset forgets the moments: two runs separated by a reset are bit-identical. */
static void test_reset_restarts_every_method(void **state)
{
    (void)state;
    for (size_t m = 0; m < METHOD_COUNT; m++) {
        gd_optimizer *opt = gd_optimizer_new(methods[m].method, 2);
        if (methods[m].method == GD_SGD || methods[m].method == GD_RMSPROP)
            assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MOMENTUM, 0.9), GD_OK);
        double runs[2][2];
        for (int r = 0; r < 2; r++) {
            double x[2] = {1.0, -2.0};
            for (int s = 0; s < 25; s++) {
                const double g[2] = {2.0 * x[0], 8.0 * x[1]};
                assert_int_equal(gd_optimizer_update(opt, x, g), GD_OK);
            }
            assert_int_equal(gd_optimizer_iterations(opt), 25);
            memcpy(runs[r], x, sizeof x);
            assert_int_equal(gd_optimizer_reset(opt), GD_OK);
            assert_int_equal(gd_optimizer_iterations(opt), 0);
        }
        assert_memory_equal(runs[0], runs[1], sizeof runs[0]);
        gd_optimizer_free(opt);
    }
}

/* A learning rate changed between steps is used by the next step: with lr 0 nothing
 * moves, whatever the method's state. */
static void test_lr_schedule_takes_effect_next_step(void **state)
{
    (void)state;
    for (size_t m = 0; m < METHOD_COUNT; m++) {
        gd_optimizer *opt = gd_optimizer_new(methods[m].method, 1);
        double x = 1.0;
        const double g = 0.5;
        assert_int_equal(gd_optimizer_update(opt, &x, &g), GD_OK);
        double moved = x;
        assert_true(moved != 1.0);
        assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LR, 0.0), GD_OK);
        if (methods[m].method == GD_ADAMW) /* decoupled decay is lr-scaled too */
            assert_int_equal(gd_optimizer_set(opt, GD_PARAM_WEIGHT_DECAY, 0.0), GD_OK);
        assert_int_equal(gd_optimizer_update(opt, &x, &g), GD_OK);
        assert_true(x == moved);
        gd_optimizer_free(opt);
    }
}

/* Each method minimizes the documents' full-batch regression; the reference solution is
 * the exact fit y = 5 + 0.5 x.  RMSprop's step is about lr whatever the gradient's
 * scale, so with a constant lr it settles within about lr of the minimum instead of
 * reaching the gradient tolerance: its check is the distance only. */
struct fit_case {
    double lr, tolerance;
    int status;
};

static void test_every_method_fits_the_regression(void **state)
{
    (void)state;
    const double xs[7] = {1, 2, 3, 4, 5, 6, 8};
    const double ys[7] = {5.5, 6, 6.5, 7, 7.5, 8, 9};
    double X[14];
    for (int i = 0; i < 7; i++) {
        X[2 * i] = 1.0;
        X[2 * i + 1] = xs[i];
    }
    gd_objective *obj = gd_least_squares_new(7, 2, X, ys, 0.5, 0);
    assert_non_null(obj);
    const struct fit_case fits[METHOD_COUNT] = {
        {0.008, 1e-4, GD_STOP_GTOL},    {0.05, 1e-4, GD_STOP_GTOL}, {0.05, 1e-4, GD_STOP_GTOL},
        {0.001, 2e-3, GD_STOP_MAXITER}, {0.5, 1e-4, GD_STOP_GTOL},
    };
    for (size_t m = 0; m < METHOD_COUNT; m++) {
        gd_optimizer *opt = gd_optimizer_new(methods[m].method, 2);
        assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LR, fits[m].lr), GD_OK);
        if (methods[m].method == GD_ADAMW)
            assert_int_equal(gd_optimizer_set(opt, GD_PARAM_WEIGHT_DECAY, 0.0), GD_OK);
        assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MAX_ITER, 20000), GD_OK);
        assert_int_equal(gd_optimizer_set(opt, GD_PARAM_GTOL, 1e-7), GD_OK);
        double w[2] = {0.34099454173956956, -0.5196184029053978};
        int rc = gd_minimize(opt, obj, w, NULL);
        print_message("# %s: status %d after %zu iterations, w = (%.9f, %.9f)\n", methods[m].name,
                      rc, gd_optimizer_iterations(opt), w[0], w[1]);
        assert_int_equal(rc, fits[m].status);
        assert_true(fabs(w[0] - 5.0) < fits[m].tolerance);
        assert_true(fabs(w[1] - 0.5) < fits[m].tolerance);
        gd_optimizer_free(opt);
    }
    gd_objective_free(obj);
}

/* The documents' per-sample problem (samples (1,2),(2,4),(3,6) in order, one per step)
 * through gd_step with Adam: w reaches the exact fit 2. */
static void test_adam_per_sample_converges(void **state)
{
    (void)state;
    const double X[3] = {1.0, 2.0, 3.0}, y[3] = {2.0, 4.0, 6.0};
    gd_objective *loss = gd_least_squares_new(3, 1, X, y, 1.0, 0);
    gd_optimizer *opt = gd_optimizer_new(GD_ADAM, 1);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LR, 0.05), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_BATCH_SIZE, 1), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_SHUFFLE, 0), GD_OK);
    double w = 1.0;
    for (int step = 0; step < 3000; step++)
        assert_int_equal(gd_step(opt, loss, &w, NULL), GD_OK);
    assert_true(fabs(w - 2.0) < 1e-6);
    assert_true(fabs(4.0 * w - 8.0) < 5e-3); /* forward(4) is 8.0 to 2 d.p. */
    gd_optimizer_free(opt);
    gd_objective_free(loss);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_refused_keys),
        cmocka_unit_test(test_invalid_values_change_nothing),
        cmocka_unit_test(test_names_reach_every_method_key),
        cmocka_unit_test(test_adam_first_step_is_lr_times_sign),
        cmocka_unit_test(test_adagrad_first_step_and_initial_accumulator),
        cmocka_unit_test(test_reset_restarts_every_method),
        cmocka_unit_test(test_lr_schedule_takes_effect_next_step),
        cmocka_unit_test(test_every_method_fits_the_regression),
        cmocka_unit_test(test_adam_per_sample_converges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
