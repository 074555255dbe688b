/*
 * test_api.c - objectives, trajectories, status codes and versions: every public
 * function of those areas, its documented values and its error paths.
 */
#define _POSIX_C_SOURCE 200809L /* mkstemp, close, setenv */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gdescent.h>

#include "test_util.h"

/* ---- status and versions ---- */

static void test_strerror_has_a_distinct_sentence_per_code(void **state)
{
    (void)state;
    const int codes[] = {GD_OK,        GD_STOP_MAXITER, GD_STOP_GTOL,    GD_STOP_FTOL,
                         GD_STOP_XTOL, GD_STOP_USER,    GD_STOP_MAXEVAL, GD_EINVAL,
                         GD_ENOMEM,    GD_ECALLBACK,    GD_EDIVERGED,    GD_EIO};
    const size_t count = sizeof codes / sizeof codes[0];
    for (size_t i = 0; i < count; i++) {
        const char *s = gd_strerror(codes[i]);
        assert_non_null(s);
        assert_true(strlen(s) > 5);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(s, gd_strerror(codes[j]));
    }
    const char *unknown = gd_strerror(999);
    assert_non_null(unknown);
    assert_string_equal(unknown, gd_strerror(-999));
    for (size_t i = 0; i < count; i++)
        assert_string_not_equal(unknown, gd_strerror(codes[i]));
}

static void test_version_matches_macros(void **state)
{
    (void)state;
    char expected[32];
    snprintf(expected, sizeof expected, "%d.%d.%d", GD_VERSION_MAJOR, GD_VERSION_MINOR,
             GD_VERSION_PATCH);
    assert_string_equal(gd_version_string(), expected);
    assert_int_equal(gd_version(),
                     GD_VERSION_MAJOR * 10000 + GD_VERSION_MINOR * 100 + GD_VERSION_PATCH);
}

/* The level an optimizer's loops run at, named: 0 baseline, 1 avx2, 2 avx512. */
static int level_made_under(const char *wanted)
{
    if (wanted)
        assert_int_equal(setenv("GDESCENT_ISA", wanted, 1), 0);
    else
        assert_int_equal(unsetenv("GDESCENT_ISA"), 0);
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, 3);
    const char *isa = gd_optimizer_isa(opt);
    assert_non_null(isa);
    int level = strcmp(isa, "baseline") == 0 ? 0 : strcmp(isa, "avx2") == 0 ? 1 : 2;
    if (level == 2)
        assert_string_equal(isa, "avx512");
    gd_optimizer_free(opt);
    return level;
}

/* GDESCENT_ISA is read when an optimizer is made: "baseline" is always granted, "avx2"
 * when the CPU has it, and anything else (or nothing) is the best the CPU has. */
static void test_isa_follows_the_environment(void **state)
{
    (void)state;
    const char *saved = getenv("GDESCENT_ISA");
    char *copy = saved ? strdup(saved) : NULL;
    int best = level_made_under(NULL);
    assert_int_equal(level_made_under("baseline"), 0);
    int avx2 = level_made_under("avx2");
    assert_true(avx2 <= 1 && avx2 <= best && (avx2 == 1) == (best >= 1));
    assert_int_equal(level_made_under("avx512"), best);
    assert_int_equal(level_made_under("no-such-level"), best);
    if (copy)
        assert_int_equal(setenv("GDESCENT_ISA", copy, 1), 0);
    else
        unsetenv("GDESCENT_ISA");
    free(copy);
}

/* ---- objectives from callbacks ---- */

struct call_log {
    int calls;
    bool grad_was_null;
    size_t count;
    size_t idx[8];
};

static int logging_fdf(const double *x, size_t n, double *f, double *grad, void *user)
{
    struct call_log *log = user;
    log->calls++;
    log->grad_was_null = grad == NULL;
    *f = x[0] + 10.0 * (double)n;
    for (size_t j = 0; grad && j < n; j++)
        grad[j] = (double)j;
    return 0;
}

static int logging_batch(const double *x, size_t n, const size_t *idx, size_t count, double *f,
                         double *grad, void *user)
{
    struct call_log *log = user;
    log->calls++;
    log->count = count;
    memcpy(log->idx, idx, count * sizeof *idx);
    *f = x[0];
    for (size_t j = 0; grad && j < n; j++)
        grad[j] = 1.0;
    return 0;
}

static int failing_fdf(const double *x, size_t n, double *f, double *grad, void *user)
{
    (void)x, (void)n, (void)f, (void)grad, (void)user;
    return 7;
}

/* Every method by its name, and nothing else: unknown, differently cased and NULL
 * names are refused and leave the output untouched. */
static void test_method_names(void **state)
{
    (void)state;
    const struct {
        const char *name;
        gd_method method;
    } known[] = {{"sgd", GD_SGD},
                 {"adam", GD_ADAM},
                 {"adamw", GD_ADAMW},
                 {"rmsprop", GD_RMSPROP},
                 {"adagrad", GD_ADAGRAD}};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        gd_method m = (gd_method)-1;
        assert_int_equal(gd_method_by_name(known[i].name, &m), GD_OK);
        assert_int_equal(m, known[i].method);
    }
    const char *unknown[] = {"SGD", "adam ", "", "l-bfgs"};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        gd_method m = GD_RMSPROP;
        assert_int_equal(gd_method_by_name(unknown[i], &m), GD_EINVAL);
        assert_int_equal(m, GD_RMSPROP);
    }
    gd_method m;
    assert_int_equal(gd_method_by_name(NULL, &m), GD_EINVAL);
    assert_int_equal(gd_method_by_name("sgd", NULL), GD_EINVAL);
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        assert_string_equal(gd_method_name(known[i].method), known[i].name);
    /* Every method below the count has a name that names it back. */
    int count = method_count();
    assert_true(count >= 5);
    for (int i = 0; i < count; i++) {
        gd_method back = (gd_method)-1;
        assert_int_equal(gd_method_by_name(gd_method_name((gd_method)i), &back), GD_OK);
        assert_int_equal(back, i);
    }
    assert_null(gd_method_name((gd_method)(count + 1)));
    assert_null(gd_method_name((gd_method)-1));
}

/* Every key's name, spelled as in the contract, and accepted back by
 * gd_optimizer_set_by_name; NULL for values between and beyond the key ranges. */
static void test_param_names(void **state)
{
    (void)state;
    const struct {
        gd_param key;
        const char *name;
    } keys[] = {
        {GD_PARAM_LR, "lr"},
        {GD_PARAM_MOMENTUM, "momentum"},
        {GD_PARAM_DAMPENING, "dampening"},
        {GD_PARAM_NESTEROV, "nesterov"},
        {GD_PARAM_WEIGHT_DECAY, "weight_decay"},
        {GD_PARAM_BETA1, "beta1"},
        {GD_PARAM_BETA2, "beta2"},
        {GD_PARAM_EPS, "eps"},
        {GD_PARAM_AMSGRAD, "amsgrad"},
        {GD_PARAM_ALPHA, "alpha"},
        {GD_PARAM_CENTERED, "centered"},
        {GD_PARAM_LR_DECAY, "lr_decay"},
        {GD_PARAM_INITIAL_ACCUMULATOR, "initial_accumulator"},
        {GD_PARAM_MAXIMIZE, "maximize"},
        {GD_PARAM_MOMENTUM_DECAY, "momentum_decay"},
        {GD_PARAM_RHO, "rho"},
        {GD_PARAM_ETA_MINUS, "eta_minus"},
        {GD_PARAM_ETA_PLUS, "eta_plus"},
        {GD_PARAM_STEP_MIN, "step_min"},
        {GD_PARAM_STEP_MAX, "step_max"},
        {GD_PARAM_LAMBD, "lambd"},
        {GD_PARAM_T0, "t0"},
        {GD_PARAM_DECOUPLED_WEIGHT_DECAY, "decoupled_weight_decay"},
        {GD_PARAM_HISTORY_SIZE, "history_size"},
        {GD_PARAM_LINE_SEARCH, "line_search"},
        {GD_PARAM_TOLERANCE_GRAD, "tolerance_grad"},
        {GD_PARAM_TOLERANCE_CHANGE, "tolerance_change"},
        {GD_PARAM_MAX_ITER, "max_iter"},
        {GD_PARAM_GTOL, "gtol"},
        {GD_PARAM_FTOL, "ftol"},
        {GD_PARAM_XTOL, "xtol"},
        {GD_PARAM_MAX_EVAL, "max_eval"},
        {GD_PARAM_SCHEDULE_EVERY, "schedule_every"},
        {GD_PARAM_CLIP_NORM, "clip_norm"},
        {GD_PARAM_CLIP_VALUE, "clip_value"},
        {GD_PARAM_BATCH_SIZE, "batch_size"},
        {GD_PARAM_SHUFFLE, "shuffle"},
        {GD_PARAM_SEED, "seed"},
    };
    size_t named = 0;
    for (int k = -2; k < 70; k++)
        named += gd_param_name((gd_param)k) != NULL;
    assert_int_equal(named, sizeof keys / sizeof keys[0]);
    gd_optimizer *opt = gd_optimizer_new(GD_ADAGRAD, 1);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *name = gd_param_name(keys[i].key);
        assert_non_null(name);
        assert_string_equal(name, keys[i].name);
        /* By name and by key, the same outcome: Adagrad refuses the keys it lacks. */
        double value;
        if (gd_optimizer_get(opt, keys[i].key, &value) == GD_OK)
            assert_int_equal(gd_optimizer_set_by_name(opt, name, value), GD_OK);
        else
            assert_int_equal(gd_optimizer_set_by_name(opt, name, 0.0), GD_EINVAL);
    }
    gd_optimizer_free(opt);
}

/* The listing of the header's example: an optimizer's keys are those its method uses
 * and the run's and sampling's. */
static void test_listing_an_optimizers_keys(void **state)
{
    (void)state;
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, 2);
    char listed[256] = "";
    for (int k = 0; k < 64; k++) {
        double v;
        if (gd_param_name((gd_param)k) && gd_optimizer_get(opt, (gd_param)k, &v) == GD_OK) {
            strcat(listed, gd_param_name((gd_param)k));
            strcat(listed, " ");
        }
    }
    assert_string_equal(listed,
                        "lr momentum dampening nesterov weight_decay maximize "
                        "line_search max_iter gtol ftol xtol max_eval schedule_every clip_norm "
                        "clip_value batch_size shuffle seed ");
    gd_optimizer_free(opt);
}

static void test_callback_objectives(void **state)
{
    (void)state;
    struct call_log log = {0};
    gd_objective *obj = gd_objective_new(3, logging_fdf, &log);
    assert_int_equal(gd_objective_dim(obj), 3);
    assert_int_equal(gd_objective_terms(obj), 1);
    const double x[3] = {1.5, 0, 0};
    double f = 0, grad[3] = {-1, -1, -1};
    assert_int_equal(gd_objective_eval(obj, x, &f, grad), GD_OK);
    assert_true(f == 31.5 && grad[0] == 0.0 && grad[2] == 2.0 && !log.grad_was_null);
    assert_int_equal(gd_objective_eval(obj, x, &f, NULL), GD_OK);
    assert_true(log.grad_was_null);
    assert_int_equal(gd_objective_eval(obj, x, NULL, grad), GD_OK); /* f may be NULL */
    assert_int_equal(log.calls, 3);
    assert_int_equal(gd_objective_eval(NULL, x, &f, grad), GD_EINVAL);
    assert_int_equal(gd_objective_eval(obj, NULL, &f, grad), GD_EINVAL);
    assert_int_equal(log.calls, 3);
    gd_objective_free(obj);

    gd_objective *sum = gd_objective_new_sum(2, 5, logging_batch, &log);
    assert_int_equal(gd_objective_terms(sum), 5);
    assert_int_equal(gd_objective_eval(sum, x, &f, grad), GD_OK);
    assert_int_equal(log.count, 5); /* the full objective is all terms, in order */
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(log.idx[i], i);

    /* Chosen terms, repeats allowed; out-of-range or empty lists evaluate nothing. */
    const size_t pick[3] = {4, 1, 4}, wrong[2] = {1, 5};
    int calls = log.calls;
    assert_int_equal(gd_objective_eval_terms(sum, x, pick, 3, &f, grad), GD_OK);
    assert_int_equal(log.count, 3);
    assert_memory_equal(log.idx, pick, sizeof pick);
    assert_int_equal(gd_objective_eval_terms(sum, x, wrong, 2, &f, grad), GD_EINVAL);
    assert_int_equal(gd_objective_eval_terms(sum, x, pick, 0, &f, grad), GD_EINVAL);
    assert_int_equal(gd_objective_eval_terms(sum, x, NULL, 1, &f, grad), GD_EINVAL);
    assert_int_equal(gd_objective_eval_terms(NULL, x, pick, 1, &f, grad), GD_EINVAL);
    assert_int_equal(gd_objective_eval_terms(sum, NULL, pick, 1, &f, grad), GD_EINVAL);
    assert_int_equal(log.calls, calls + 1);
    gd_objective *plain = gd_objective_new(3, logging_fdf, &log);
    const size_t zero = 0, one = 1;
    assert_int_equal(gd_objective_eval_terms(plain, x, &zero, 1, &f, NULL), GD_OK);
    assert_true(f == 31.5);
    assert_int_equal(gd_objective_eval_terms(plain, x, &one, 1, &f, NULL), GD_EINVAL);
    gd_objective_free(plain);
    gd_objective *bad = gd_objective_new(1, failing_fdf, NULL);
    assert_int_equal(gd_objective_eval(bad, x, &f, grad), GD_ECALLBACK);
    assert_int_equal(gd_objective_eval_terms(bad, x, &zero, 1, &f, grad), GD_ECALLBACK);
    gd_objective_free(bad);
    gd_objective_free(sum);
}

static void test_objective_constructors_refuse_bad_arguments(void **state)
{
    (void)state;
    assert_null(gd_objective_new(0, logging_fdf, NULL));
    assert_null(gd_objective_new(2, NULL, NULL));
    assert_null(gd_objective_new(SIZE_MAX, logging_fdf, NULL));
    assert_null(gd_objective_new_sum(0, 3, logging_batch, NULL));
    assert_null(gd_objective_new_sum(2, 0, logging_batch, NULL));
    assert_null(gd_objective_new_sum(2, 3, NULL, NULL));
    assert_null(gd_objective_new_sum(2, SIZE_MAX, logging_batch, NULL));
    gd_objective_free(NULL);
    assert_int_equal(gd_objective_dim(NULL), 0);
    assert_int_equal(gd_objective_terms(NULL), 0);

    const double c[2] = {1, NAN}, X[4] = {1, 2, 3, 4}, y[2] = {1, 2}, Xnan[4] = {1, NAN, 3, 4};
    assert_null(gd_quadratic_new(0, NULL, 1.0));
    assert_null(gd_quadratic_new(2, NULL, INFINITY));
    assert_null(gd_quadratic_new(2, c, 1.0));
    assert_null(gd_least_squares_new(0, 2, X, y, 1.0, 0));
    assert_null(gd_least_squares_new(2, 0, X, y, 1.0, 0));
    assert_null(gd_least_squares_new(2, 2, NULL, y, 1.0, 0));
    assert_null(gd_least_squares_new(2, 2, X, NULL, 1.0, 0));
    assert_null(gd_least_squares_new(2, 2, X, y, 1.0, 2u));
    assert_null(gd_least_squares_new(2, 2, X, y, NAN, 0));
    assert_null(gd_least_squares_new(2, 2, Xnan, y, 1.0, 0));
    assert_null(gd_least_squares_new(SIZE_MAX / 2, 4, X, y, 1.0, 0));           /* m*p overflows */
    assert_null(gd_least_squares_new(1, SIZE_MAX, X, y, 1.0, GD_LS_INTERCEPT)); /* p + 1 */
    assert_null(gd_least_squares_new(2, 2, X, c, 1.0, 0));                      /* y has NaN */
    const double negative[2] = {1, -1}, nan_weight[2] = {1, NAN};
    assert_null(gd_geometric_median_new(0, 2, X, NULL));
    assert_null(gd_geometric_median_new(2, 0, X, NULL));
    assert_null(gd_geometric_median_new(2, 2, NULL, NULL));
    assert_null(gd_geometric_median_new(2, 2, X, negative));
    assert_null(gd_geometric_median_new(2, 2, X, nan_weight));
    assert_null(gd_geometric_median_new(2, 2, X, (const double[2]){1, INFINITY}));
    assert_null(gd_geometric_median_new(2, 2, Xnan, NULL));
    assert_null(gd_rosenbrock_new(1));
    assert_null(gd_rosenbrock_new(0));
}

/* ---- bundled objectives against closed forms ---- */

static double eval_f(gd_objective *obj, const double *x, double *grad)
{
    double f;
    assert_int_equal(gd_objective_eval(obj, x, &f, grad), GD_OK);
    return f;
}

static void test_quadratics_closed_form(void **state)
{
    (void)state;
    double center[2] = {2.0, -1.0}, g[2];
    gd_objective *sq = gd_quadratic_new(1, NULL, 1.0);
    gd_objective *half = gd_quadratic_new(1, NULL, 0.5);
    const double three = 3.0;
    gd_objective *shifted = gd_quadratic_new(1, &three, 1.0);
    gd_objective *vec = gd_quadratic_new(2, center, 1.0);
    center[0] = 100.0; /* the library kept its own copy */
    const double x = 5.0, v[2] = {5.0, 5.0};
    assert_true(eval_f(sq, &x, g) == 25.0 && g[0] == 10.0);
    assert_true(eval_f(half, &x, g) == 12.5 && g[0] == 5.0);
    assert_true(eval_f(shifted, &x, g) == 4.0 && g[0] == 4.0);
    assert_true(eval_f(vec, v, g) == 45.0 && g[0] == 6.0 && g[1] == 12.0);
    gd_objective_free(sq);
    gd_objective_free(half);
    gd_objective_free(shifted);
    gd_objective_free(vec);
}

/* Least squares with intercept and polynomial features (x, x^2), by direct sums. */
static void test_least_squares_closed_form(void **state)
{
    (void)state;
    const double xs[4] = {-1.0, 0.5, 2.0, 3.0}, ys[4] = {1.0, 0.2, 4.5, 8.0};
    double X[8];
    for (int i = 0; i < 4; i++) {
        X[2 * i] = xs[i];
        X[2 * i + 1] = xs[i] * xs[i];
    }
    const double w[3] = {0.3, 0.9, -0.2}; /* slope, quadratic coefficient, intercept */
    for (int flags = 0; flags <= 1; flags++) {
        for (int s = 0; s < 2; s++) {
            double scale = s ? 1.0 : 0.5, sum = 0, gw0 = 0, gw1 = 0, gb = 0;
            for (int i = 0; i < 4; i++) {
                double r = w[0] * xs[i] + w[1] * xs[i] * xs[i] + (flags ? w[2] : 0) - ys[i];
                sum += r * r;
                gw0 += r * xs[i];
                gw1 += r * xs[i] * xs[i];
                gb += r;
            }
            gd_objective *obj = gd_least_squares_new(4, 2, X, ys, scale, flags);
            assert_int_equal(gd_objective_dim(obj), 2 + flags);
            assert_int_equal(gd_objective_terms(obj), 4);
            double g[3];
            double f = eval_f(obj, w, g);
            assert_true(fabs(f - scale * sum / 4) <= 1e-14 * f); /* summation orders differ */
            assert_true(fabs(g[0] - 2 * scale * gw0 / 4) <= 1e-13 * fmax(1, fabs(g[0])));
            assert_true(fabs(g[1] - 2 * scale * gw1 / 4) <= 1e-13 * fmax(1, fabs(g[1])));
            if (flags)
                assert_true(fabs(g[2] - 2 * scale * gb / 4) <= 1e-13 * fmax(1, fabs(g[2])));
            gd_objective_free(obj);
        }
    }
}

static void test_rosenbrock_closed_form(void **state)
{
    (void)state;
    gd_objective *r2 = gd_rosenbrock_new(2), *r10 = gd_rosenbrock_new(10);
    double ones[10], g[10], origin[2] = {0, 0};
    for (int i = 0; i < 10; i++)
        ones[i] = 1.0;
    assert_true(eval_f(r10, ones, g) == 0.0);
    for (int i = 0; i < 10; i++)
        assert_true(g[i] == 0.0);
    assert_true(eval_f(r2, origin, g) == 1.0 && g[0] == -2.0 && g[1] == 0.0);
    const double p[2] = {-1.5, 2.0}; /* 100 (2 - 2.25)^2 + 2.5^2 = 12.5 */
    assert_true(fabs(eval_f(r2, p, g) - 12.5) < 1e-14);
    assert_true(fabs(g[0] - (-400 * -1.5 * -0.25 - 2 * 2.5)) < 1e-12);
    assert_true(fabs(g[1] - 200 * -0.25) < 1e-12);
    gd_objective_free(r2);
    gd_objective_free(r10);
}

/* At a data point the least-norm subgradient: R (1 - W/||R||), or 0 when ||R|| <= W. */
static void test_geometric_median_subgradient(void **state)
{
    (void)state;
    const double collinear[6] = {0, 0, 1, 0, 5, 0};
    gd_objective *line = gd_geometric_median_new(3, 2, collinear, NULL);
    const double middle[2] = {1, 0}, end[2] = {5, 0};
    double g[2];
    /* At (1,0): R = (-1,0) + (1,0) = 0, W = 1: the minimizer, gradient exactly 0. */
    assert_true(fabs(eval_f(line, middle, g) - 5.0 / 3.0) < 1e-15);
    assert_true(g[0] == 0.0 && g[1] == 0.0);
    /* At (5,0): R = (1,0) + (1,0) = (2,0), W = 1: least norm (1,0), over m = 3. */
    eval_f(line, end, g);
    assert_true(fabs(g[0] - 1.0 / 3.0) < 1e-15 && g[1] == 0.0);
    /* A heavy weight at (5,0) makes it the minimizer: ||R|| = 2 <= W = 3. */
    const double weights[3] = {1, 1, 3};
    gd_objective *heavy = gd_geometric_median_new(3, 2, collinear, weights);
    eval_f(heavy, end, g);
    assert_true(g[0] == 0.0 && g[1] == 0.0);
    /* Away from the data, the mean of weighted unit vectors. */
    const double q[2] = {1, 1};
    eval_f(heavy, q, g);
    double expected0 = ((1 / sqrt(2.0)) + 0.0 + 3 * (-4 / sqrt(17.0))) / 3;
    double expected1 = ((1 / sqrt(2.0)) + 1.0 + 3 * (1 / sqrt(17.0))) / 3;
    assert_true(fabs(g[0] - expected0) < 1e-15 && fabs(g[1] - expected1) < 1e-15);
    /* f alone is the same f to the bit, at a data point and away from the data (the
     * 2-D path skips the gradient's sums then). */
    const double *at[] = {middle, end, q};
    for (size_t i = 0; i < 3; i++) {
        double with_grad = eval_f(heavy, at[i], g), f_only = eval_f(heavy, at[i], NULL);
        assert_memory_equal(&with_grad, &f_only, sizeof f_only);
    }
    gd_objective_free(line);
    gd_objective_free(heavy);
}

/* ---- central finite differences for every bundled objective ---- */

static double uniform(uint64_t *s)
{
    *s = *s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return (double)(*s >> 11) / 9007199254740992.0;
}

static void check_gradient_fd(gd_objective *obj, uint64_t seed, double spread)
{
    size_t n = gd_objective_dim(obj);
    double x[8], g[8], xp[8];
    for (int trial = 0; trial < 20; trial++) {
        for (size_t j = 0; j < n; j++)
            x[j] = (2 * uniform(&seed) - 1) * spread;
        eval_f(obj, x, g);
        for (size_t j = 0; j < n; j++) {
            double h = 1e-6 * fmax(1.0, fabs(x[j]));
            memcpy(xp, x, n * sizeof *x);
            xp[j] = x[j] + h;
            double fp = eval_f(obj, xp, NULL);
            xp[j] = x[j] - h;
            double fm = eval_f(obj, xp, NULL);
            double fd = (fp - fm) / (2 * h);
            /* Central differences are accurate to O(h^2) plus rounding of f / h. */
            assert_true(fabs(fd - g[j]) <= 1e-6 * fmax(1.0, fabs(g[j])));
        }
    }
}

static void test_gradients_match_finite_differences(void **state)
{
    (void)state;
    const double center[3] = {1, -2, 0.5};
    double X[30], y[10], pts[30], w[10];
    uint64_t s = 99;
    for (int i = 0; i < 30; i++)
        X[i] = pts[i] = 2 * uniform(&s) - 1;
    for (int i = 0; i < 10; i++) {
        y[i] = uniform(&s);
        w[i] = 0.5 + uniform(&s);
    }
    gd_objective *objs[] = {
        gd_quadratic_new(3, center, 0.7),
        gd_least_squares_new(10, 3, X, y, 0.5, GD_LS_INTERCEPT),
        gd_least_squares_new(10, 3, X, y, 1.0, 0),
        gd_geometric_median_new(10, 3, pts, w),
        gd_rosenbrock_new(2),
        gd_rosenbrock_new(6),
    };
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++) {
        assert_non_null(objs[i]);
        check_gradient_fd(objs[i], 1000 + i, 2.0);
        gd_objective_free(objs[i]);
    }
}

/* ---- trajectories ---- */

static gd_trajectory *recorded_run(size_t max_iter, size_t stride, unsigned flags, size_t n)
{
    gd_objective *f = gd_quadratic_new(n, NULL, 1.0);
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, n);
    gd_trajectory *traj = gd_trajectory_new(n, flags);
    assert_int_equal(gd_trajectory_set_stride(traj, stride), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LR, 0.1), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MAX_ITER, (double)max_iter), GD_OK);
    double *x = calloc(n, sizeof *x); /* 5, -3, then zeros */
    assert_non_null(x);
    x[0] = 5.0;
    if (n > 1)
        x[1] = -3.0;
    assert_int_equal(gd_minimize(opt, f, x, traj), GD_STOP_MAXITER);
    free(x);
    gd_optimizer_free(opt);
    gd_objective_free(f);
    return traj;
}

/* gd_trajectory_copy() of records first.. first + count - 1 gives what the accessors give,
 * and writes nothing past count. */
static void check_bulk_copy(const gd_trajectory *traj, size_t first, size_t count)
{
    size_t iter[32];
    double f[32], grad_norm[32], x[32];
    const double canary = -12345.0;
    assert_true(count < 32 && gd_trajectory_dim(traj) == 1);
    iter[count] = 777;
    f[count] = grad_norm[count] = x[count] = canary;
    assert_int_equal(gd_trajectory_copy(traj, first, count, iter, f, grad_norm, x), GD_OK);
    for (size_t i = 0; i < count; i++) {
        assert_int_equal(iter[i], gd_trajectory_iter(traj, first + i));
        assert_true(f[i] == gd_trajectory_f(traj, first + i));
        assert_true(grad_norm[i] == gd_trajectory_grad_norm(traj, first + i));
        assert_true(x[i] == gd_trajectory_x(traj, first + i)[0]);
    }
    assert_true(iter[count] == 777 && f[count] == canary && grad_norm[count] == canary &&
                x[count] == canary);
    assert_int_equal(gd_trajectory_copy(traj, first, count, NULL, f, NULL, NULL), GD_OK);
    double norms[32];
    size_t iters[32];
    norms[count] = canary;
    assert_int_equal(gd_trajectory_copy(traj, first, count, iters, NULL, norms, NULL), GD_OK);
    for (size_t i = 0; i < count; i++)
        assert_true(iters[i] == iter[i] && norms[i] == grad_norm[i]);
    assert_true(norms[count] == canary);
    size_t len = gd_trajectory_len(traj);
    assert_int_equal(gd_trajectory_copy(traj, len, 0, iter, f, grad_norm, x), GD_OK);
    assert_int_equal(gd_trajectory_copy(traj, len - 1, 2, iter, f, grad_norm, x), GD_EINVAL);
    assert_int_equal(gd_trajectory_copy(traj, len + 1, 0, iter, f, grad_norm, x), GD_EINVAL);
}

static void test_trajectory_records(void **state)
{
    (void)state;
    gd_trajectory *traj = recorded_run(20, 1, GD_TRAJ_X, 1);
    assert_int_equal(gd_trajectory_len(traj), 21);
    assert_int_equal(gd_trajectory_dim(traj), 1);
    for (size_t k = 0; k <= 20; k++) {
        double xk = 5.0 * pow(0.8, (double)k);
        assert_int_equal(gd_trajectory_iter(traj, k), k);
        assert_true(fabs(gd_trajectory_x(traj, k)[0] - xk) <= 1e-12 * xk);
        assert_true(fabs(gd_trajectory_f(traj, k) - xk * xk) <= 1e-12 * xk * xk);
        assert_true(fabs(gd_trajectory_grad_norm(traj, k) - 2 * xk) <= 1e-12 * xk);
    }
    assert_int_equal(gd_trajectory_iter(traj, 21), SIZE_MAX);
    assert_true(isnan(gd_trajectory_f(traj, 21)) && isnan(gd_trajectory_grad_norm(traj, 99)));
    assert_null(gd_trajectory_x(traj, 21));
    check_bulk_copy(traj, 3, 15);
    gd_trajectory_clear(traj);
    assert_int_equal(gd_trajectory_len(traj), 0);
    gd_trajectory_free(traj);

    traj = recorded_run(22, 5, 0, 1); /* every 5th iteration and the last */
    const size_t expected[] = {0, 5, 10, 15, 20, 22};
    assert_int_equal(gd_trajectory_len(traj), 6);
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(gd_trajectory_iter(traj, i), expected[i]);
    assert_null(gd_trajectory_x(traj, 0)); /* no GD_TRAJ_X */
    gd_trajectory_free(traj);
}

static void test_trajectory_bad_arguments(void **state)
{
    (void)state;
    assert_null(gd_trajectory_new(0, 0));
    assert_null(gd_trajectory_new(2, 2u));
    gd_trajectory *traj = gd_trajectory_new(2, 0);
    assert_int_equal(gd_trajectory_set_stride(traj, 0), GD_EINVAL);
    assert_int_equal(gd_trajectory_set_stride(NULL, 3), GD_EINVAL);
    assert_int_equal(gd_trajectory_len(NULL), 0);
    assert_int_equal(gd_trajectory_dim(NULL), 0);
    assert_int_equal(gd_trajectory_iter(NULL, 0), SIZE_MAX);
    assert_true(isnan(gd_trajectory_f(NULL, 0)));
    assert_true(isnan(gd_trajectory_grad_norm(NULL, 0)));
    assert_null(gd_trajectory_x(NULL, 0));
    assert_int_equal(gd_trajectory_write_csv(NULL, "/tmp/x.csv"), GD_EINVAL);
    assert_int_equal(gd_trajectory_write_csv(traj, NULL), GD_EINVAL);
    assert_int_equal(gd_trajectory_write_csv(traj, "/nonexistent-dir/t.csv"), GD_EIO);
    gd_trajectory_clear(NULL);
    gd_trajectory_free(NULL);
    gd_trajectory_free(traj);
}

static void test_trajectory_csv_round_trip(void **state)
{
    (void)state;
    gd_trajectory *traj = recorded_run(7, 1, GD_TRAJ_X, 2);
    char path[] = "/tmp/gdescent-csv-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(gd_trajectory_write_csv(traj, path), GD_OK);
    FILE *in = fopen(path, "r");
    char line[512];
    assert_non_null(fgets(line, sizeof line, in));
    assert_string_equal(line, "iter,f,grad_norm,x0,x1\n");
    size_t rows = 0;
    while (fgets(line, sizeof line, in)) {
        char *p = line;
        assert_int_equal(strtoul(p, &p, 10), gd_trajectory_iter(traj, rows));
        double values[4];
        for (int c = 0; c < 4; c++) {
            assert_int_equal(*p++, ',');
            values[c] = strtod(p, &p);
        }
        /* 17 significant digits read back to the same double. */
        assert_true(values[0] == gd_trajectory_f(traj, rows));
        assert_true(values[1] == gd_trajectory_grad_norm(traj, rows));
        assert_true(values[2] == gd_trajectory_x(traj, rows)[0]);
        assert_true(values[3] == gd_trajectory_x(traj, rows)[1]);
        rows++;
    }
    assert_int_equal(rows, gd_trajectory_len(traj));
    fclose(in);
    gd_trajectory_free(traj);

    traj = recorded_run(2, 1, 0, 2); /* without GD_TRAJ_X: no x columns */
    assert_int_equal(gd_trajectory_write_csv(traj, path), GD_OK);
    in = fopen(path, "r");
    assert_non_null(fgets(line, sizeof line, in));
    assert_string_equal(line, "iter,f,grad_norm\n");
    assert_non_null(fgets(line, sizeof line, in));
    assert_string_equal(line, "0,34,11.661903789690601\n"); /* f and |grad| at (5, -3) */
    fclose(in);
    close(fd);
    remove(path);
    gd_trajectory_free(traj);
}

/* A write that fails, here or when the file is closed, is GD_EIO: /dev/full takes
 * nothing, so a short file fails at fclose (its one buffer is flushed there) and a long
 * one at the write of the header or of a row that fills the buffer. */
static void test_trajectory_csv_write_errors(void **state)
{
    (void)state;
    FILE *probe = fopen("/dev/full", "w");
    if (!probe)
        skip();
    fclose(probe);
    const size_t dims[] = {1, 2, 3, 5, 7, 11, 200, 1000};
    for (size_t k = 0; k < sizeof dims / sizeof dims[0]; k++) {
        gd_trajectory *traj = recorded_run(60, 1, GD_TRAJ_X, dims[k]);
        assert_int_equal(gd_trajectory_write_csv(traj, "/dev/full"), GD_EIO);
        gd_trajectory_clear(traj); /* the header alone */
        assert_int_equal(gd_trajectory_write_csv(traj, "/dev/full"), GD_EIO);
        gd_trajectory_free(traj);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strerror_has_a_distinct_sentence_per_code),
        cmocka_unit_test(test_version_matches_macros),
        cmocka_unit_test(test_isa_follows_the_environment),
        cmocka_unit_test(test_method_names),
        cmocka_unit_test(test_param_names),
        cmocka_unit_test(test_listing_an_optimizers_keys),
        cmocka_unit_test(test_callback_objectives),
        cmocka_unit_test(test_objective_constructors_refuse_bad_arguments),
        cmocka_unit_test(test_quadratics_closed_form),
        cmocka_unit_test(test_least_squares_closed_form),
        cmocka_unit_test(test_rosenbrock_closed_form),
        cmocka_unit_test(test_geometric_median_subgradient),
        cmocka_unit_test(test_gradients_match_finite_differences),
        cmocka_unit_test(test_trajectory_records),
        cmocka_unit_test(test_trajectory_bad_arguments),
        cmocka_unit_test(test_trajectory_csv_round_trip),
        cmocka_unit_test(test_trajectory_csv_write_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
