/*
 * test_model_isa.c - the bundled linear models (least squares, logistic and softmax
 * regression) give bit-identical values and gradients at the instruction-set level
 * named on the command line as at the baseline: their row loops are built once per
 * level and chosen when the objective is created (GDESCENT_ISA forces the level, as
 * for the optimizers).  When the CPU (or valgrind's) lacks the level, the whole
 * program reports a TAP skip.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gdescent.h>

#include "test_util.h"

/* The numbers of features: below, at and above the four partial sums of a row's
 * score and their multiples, and the widths the block loops keep in registers
 * (4 to 16); the numbers of samples: below, at and above the four
 * rows a block loop takes at once, and more than one block of rows. */
static const size_t feature_counts[] = {1, 3, 4, 7, 8, 9, 15, 16, 17, 64, 65};
static const size_t sample_counts[] = {1, 3, 4, 5, 37, 300};
/* softmax's numbers of classes: few; the most it takes by blocks (64, whose blocks
 * are of 32 rows); and one more, row by row */
static const size_t class_counts[] = {3, 64, 65};
enum { MAX_CLASSES = 65, MODELS = 3, BATCH = 9, MAX_FEATURES = 65, MAX_SAMPLES = 300 };
enum { MAX_DIM = MAX_CLASSES * (MAX_FEATURES + 1) };

/* The data of one case: X with entries of either sign and of a wide range of
 * magnitudes (so that rounding differs with the order of the sums), binary labels
 * for logistic and class labels for softmax, a point, and a mini-batch with a
 * repeated index. */
struct data {
    size_t m, p, classes;
    bool intercept; /* GD_INTERCEPT (GD_LS_INTERCEPT for least squares) */
    double X[MAX_SAMPLES * MAX_FEATURES], y[MAX_SAMPLES], w[MAX_DIM];
    size_t labels[MAX_SAMPLES], batch[BATCH];
};

static void make_data(struct data *d, size_t m, size_t p, size_t classes, bool intercept,
                      uint64_t seed)
{
    d->m = m;
    d->p = p;
    d->classes = classes;
    d->intercept = intercept;
    for (size_t i = 0; i < m * p; i++)
        d->X[i] = (2.0 * test_uniform(&seed) - 1.0) * (test_uniform(&seed) < 0.1 ? 1e3 : 1.0);
    for (size_t i = 0; i < m; i++) {
        d->y[i] = test_uniform(&seed) < 0.5 ? 0.0 : 1.0;
        d->labels[i] = (size_t)(test_uniform(&seed) * (double)classes);
    }
    for (size_t j = 0; j < MAX_DIM; j++)
        d->w[j] = test_uniform(&seed) - 0.5;
    for (size_t k = 0; k < BATCH; k++)
        d->batch[k] = k == 1 ? d->batch[0] : (size_t)(test_uniform(&seed) * (double)m);
}

/* Model 0 (least squares), 1 (logistic) or 2 (softmax regression) over X (m x p), its
 * targets y, labels of classes classes, with or without its intercept. */
static gd_objective *make_model_over(int model, size_t m, size_t p, size_t classes, const double *X,
                                     const double *y, const size_t *labels, bool intercept)
{
    switch (model) {
    case 0:
        return gd_least_squares_new(m, p, X, y, 0.75, intercept ? GD_LS_INTERCEPT : 0);
    case 1:
        return gd_logistic_new(m, p, X, y, intercept ? 1e-2 : 0.0, intercept ? GD_INTERCEPT : 0);
    default:
        return gd_softmax_new(m, p, classes, X, labels, 1e-3, intercept ? GD_INTERCEPT : 0);
    }
}

static gd_objective *make_model(int model, const struct data *d)
{
    return make_model_over(model, d->m, d->p, d->classes, d->X, d->y, d->labels, d->intercept);
}

/* The value and gradient of the full objective and of the mini-batch, at the level
 * GDESCENT_ISA names (the objective is created after it is set). */
struct result {
    double f_full, f_batch, g_full[MAX_DIM], g_batch[MAX_DIM];
    size_t n;
};

static void evaluate(int model, const struct data *d, const char *level, struct result *r)
{
    assert_int_equal(setenv("GDESCENT_ISA", level, 1), 0);
    gd_objective *obj = make_model(model, d);
    assert_non_null(obj);
    memset(r, 0, sizeof *r);
    r->n = gd_objective_dim(obj);
    assert_true(r->n <= MAX_DIM);
    assert_int_equal(gd_objective_eval(obj, d->w, &r->f_full, r->g_full), GD_OK);
    assert_int_equal(gd_objective_eval_terms(obj, d->w, d->batch, BATCH, &r->f_batch, r->g_batch),
                     GD_OK);
    gd_objective_free(obj);
}

static void test_models_match_baseline(void **state)
{
    const char *level = *state;
    static struct data d;
    uint64_t seed = 1;
    for (size_t a = 0; a < sizeof feature_counts / sizeof *feature_counts; a++)
        for (size_t b = 0; b < sizeof sample_counts / sizeof *sample_counts; b++)
            for (size_t c = 0; c < sizeof class_counts / sizeof *class_counts; c++)
                for (int intercept = 0; intercept <= 1; intercept++) {
                    make_data(&d, sample_counts[b], feature_counts[a], class_counts[c], intercept,
                              seed++);
                    /* least squares and logistic regression once, with the first */
                    for (int model = c == 0 ? 0 : 2; model < MODELS; model++) {
                        struct result base, other;
                        evaluate(model, &d, "baseline", &base);
                        evaluate(model, &d, level, &other);
                        /* memcmp: bits, so that -0.0 against 0.0 would fail too */
                        if (memcmp(&base.f_full, &other.f_full, sizeof base.f_full) != 0 ||
                            memcmp(&base.f_batch, &other.f_batch, sizeof base.f_batch) != 0 ||
                            memcmp(base.g_full, other.g_full, base.n * sizeof *base.g_full) != 0 ||
                            memcmp(base.g_batch, other.g_batch, base.n * sizeof *base.g_batch) != 0)
                            fail_msg("model %d, m = %zu, p = %zu, k = %zu, intercept %d: %s "
                                     "differs from baseline",
                                     model, d.m, d.p, d.classes, intercept, level);
                    }
                }
}

/* The value alone, the value and gradient, and a mini-batch's, of a model at the level
 * GDESCENT_ISA names. */
struct large_result {
    double f_value_only, f_full, f_batch, *g_full, *g_batch;
};

/* The large data of test_large_models_match_baseline, with its point w. */
struct large_data {
    size_t m, p;
    double *X, *y, *w;
    size_t *labels, *batch, batch_count;
};

enum { LARGE_CLASSES = 3 };

static void evaluate_large(int model, const struct large_data *d, const char *level,
                           struct large_result *r)
{
    assert_int_equal(setenv("GDESCENT_ISA", level, 1), 0);
    gd_objective *obj =
        make_model_over(model, d->m, d->p, LARGE_CLASSES, d->X, d->y, d->labels, true);
    assert_non_null(obj);
    assert_int_equal(gd_objective_eval(obj, d->w, &r->f_value_only, NULL), GD_OK);
    assert_int_equal(gd_objective_eval(obj, d->w, &r->f_full, r->g_full), GD_OK);
    assert_int_equal(
        gd_objective_eval_terms(obj, d->w, d->batch, d->batch_count, &r->f_batch, r->g_batch),
        GD_OK);
    gd_objective_free(obj);
}

/* Over an X beyond 1 MiB the models ask for rows ahead of their use (rows.h); the
 * requests change no bit, of the value alone, of the value with the gradient, or of a
 * mini-batch's (whose next rows are not the following ones), at p = 8 (one loop of
 * least squares) and p = 64 (four rows a quarter of a block apart), with m not a
 * multiple of the blocks' rows. */
static void test_large_models_match_baseline(void **state)
{
    const char *level = *state;
    const size_t shapes[2][2] = {{17001, 8}, {2101, 64}};
    enum { BATCH_ROWS = 301 };
    for (int s = 0; s < 2; s++) {
        size_t m = shapes[s][0], p = shapes[s][1], n = LARGE_CLASSES * (p + 1);
        size_t batch[BATCH_ROWS];
        struct large_data d = {m,
                               p,
                               malloc(m * p * sizeof(double)),
                               malloc(m * sizeof(double)),
                               malloc(n * sizeof(double)),
                               malloc(m * sizeof(size_t)),
                               batch,
                               BATCH_ROWS};
        double *g = malloc(4 * n * sizeof *g);
        assert_true(d.X && d.y && d.w && d.labels && g);
        uint64_t seed = 5 + (uint64_t)s;
        for (size_t i = 0; i < m * p; i++)
            d.X[i] = 2.0 * test_uniform(&seed) - 1.0;
        for (size_t i = 0; i < m; i++) {
            d.y[i] = test_uniform(&seed) < 0.5 ? 0.0 : 1.0;
            d.labels[i] = (size_t)(test_uniform(&seed) * LARGE_CLASSES);
        }
        for (size_t j = 0; j < n; j++)
            d.w[j] = test_uniform(&seed) - 0.5;
        for (size_t k = 0; k < BATCH_ROWS; k++)
            batch[k] = (size_t)(test_uniform(&seed) * (double)m);
        for (int model = 0; model < MODELS; model++) {
            struct large_result base = {0, 0, 0, g, g + n}, other = {0, 0, 0, g + 2 * n, g + 3 * n};
            evaluate_large(model, &d, "baseline", &base);
            evaluate_large(model, &d, level, &other);
            size_t dim = model == 2 ? n : p + 1;
            if (memcmp(&base.f_value_only, &base.f_full, sizeof base.f_full) != 0 ||
                memcmp(&other.f_value_only, &other.f_full, sizeof base.f_full) != 0 ||
                memcmp(&base.f_full, &other.f_full, sizeof base.f_full) != 0 ||
                memcmp(&base.f_batch, &other.f_batch, sizeof base.f_batch) != 0 ||
                memcmp(base.g_full, other.g_full, dim * sizeof *g) != 0 ||
                memcmp(base.g_batch, other.g_batch, dim * sizeof *g) != 0)
                fail_msg("model %d, m = %zu, p = %zu: %s differs from baseline", model, m, p,
                         level);
        }
        free(d.X);
        free(d.y);
        free(d.w);
        free(d.labels);
        free(g);
    }
}

/* Logistic regression's loss and slope of single samples whose scores cross the
 * ranges of its own exp (lib/objectives/vmath.h): |z| up to 760, through the scores
 * whose exp(-|z|) is subnormal (708.4 to 745.1) or rounds to 0, and +-0.  Each
 * sample fills a whole batch (64 copies of its index), so that every lane of the
 * vectorized loop computes it. */
static void test_logistic_samples_match_baseline(void **state)
{
    const char *level = *state;
    enum { SAMPLES = 401, COPIES = 64 };
    static double X[SAMPLES], y[SAMPLES];
    for (size_t i = 0; i < SAMPLES; i++) {
        double t = (double)i / (SAMPLES - 1); /* 0..1 */
        X[i] = i % 4 < 2 ? 760.0 * (2.0 * t - 1.0) : (i % 4 == 2 ? 700.0 + 50.0 * t : -0.0);
        y[i] = (double)(i % 3 == 0);
    }
    const double w[1] = {1.0};
    for (size_t i = 0; i < SAMPLES; i++) {
        size_t idx[COPIES];
        for (size_t c = 0; c < COPIES; c++)
            idx[c] = i;
        double f[2], g[2];
        const char *levels[2] = {"baseline", level};
        for (int l = 0; l < 2; l++) {
            assert_int_equal(setenv("GDESCENT_ISA", levels[l], 1), 0);
            gd_objective *obj = gd_logistic_new(SAMPLES, 1, X, y, 0.0, 0);
            assert_non_null(obj);
            assert_int_equal(gd_objective_eval_terms(obj, w, idx, COPIES, &f[l], &g[l]), GD_OK);
            gd_objective_free(obj);
        }
        if (memcmp(&f[0], &f[1], sizeof f[0]) != 0 || memcmp(&g[0], &g[1], sizeof g[0]) != 0)
            fail_msg("logistic, z = %a, y = %g: %s differs from baseline", X[i], y[i], level);
    }
}

/* The level GDESCENT_ISA=env gives an optimizer, the same choice (gdi_level_select)
 * as an objective's. */
static const char *level_chosen(const char *env)
{
    if (setenv("GDESCENT_ISA", env, 1) != 0)
        return "";
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, 1);
    const char *isa = opt ? gd_optimizer_isa(opt) : "";
    gd_optimizer_free(opt);
    return isa;
}

int main(int argc, char **argv)
{
    if (argc != 2 || strcmp(argv[1], "baseline") == 0) {
        fprintf(stderr, "usage: test_model_isa avx2|avx512 (compared with the baseline)\n");
        return 2;
    }
    if (strcmp(level_chosen(argv[1]), argv[1]) != 0) {
        printf("1..0 # SKIP this CPU cannot run %s\n", argv[1]);
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_prestate(test_models_match_baseline, argv[1]),
        cmocka_unit_test_prestate(test_logistic_samples_match_baseline, argv[1]),
        cmocka_unit_test_prestate(test_large_models_match_baseline, argv[1]),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
