/*
 * test_objectives.c - the bundled classifiers gd_logistic_new and gd_softmax_new:
 * values and gradients against references written the plain way in long double,
 * central finite differences, exact values at extreme scores, every refusal, the
 * mean over mini-batches (least squares too), and scikit-learn's fits and objective
 * (golden/sklearn.txt, from golden/make_sklearn.py).
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <gdescent.h>

#include "golden_files.h"

/* ---- random data ---- */

static uint64_t rng_state = 12345;

static double uniform(double lo, double hi)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    z ^= z >> 31;
    return lo + (hi - lo) * (double)(z >> 11) * 0x1p-53;
}

static void fill(double *v, size_t n, double lo, double hi)
{
    for (size_t i = 0; i < n; i++)
        v[i] = uniform(lo, hi);
}

/* A classification problem: m samples of p features, labels in 0..k-1 (as doubles in
 * y for the logistic model, k = 2). */
struct problem {
    size_t m, p, k;
    bool intercept;
    double l2;
    double *X, *y;
    size_t *labels;
};

static struct problem make_problem(size_t m, size_t p, size_t k, bool intercept, double l2)
{
    struct problem pb = {m,
                         p,
                         k,
                         intercept,
                         l2,
                         malloc(m * p * sizeof(double)),
                         malloc(m * sizeof(double)),
                         malloc(m * sizeof(size_t))};
    assert_non_null(pb.X);
    assert_non_null(pb.y);
    assert_non_null(pb.labels);
    fill(pb.X, m * p, -2.0, 2.0);
    for (size_t i = 0; i < m; i++) {
        pb.labels[i] = (size_t)uniform(0.0, (double)k);
        pb.y[i] = (double)pb.labels[i];
    }
    return pb;
}

static void free_problem(struct problem *pb)
{
    free(pb->X);
    free(pb->y);
    free(pb->labels);
}

static size_t dim(const struct problem *pb)
{
    size_t columns = pb->intercept ? pb->p + 1 : pb->p;
    return pb->k == 2 ? columns : pb->k * columns;
}

/* The logistic model for k = 2, else the softmax one. */
static gd_objective *make_objective(const struct problem *pb)
{
    unsigned flags = pb->intercept ? GD_INTERCEPT : 0;
    if (pb->k == 2)
        return gd_logistic_new(pb->m, pb->p, pb->X, pb->y, pb->l2, flags);
    return gd_softmax_new(pb->m, pb->p, pb->k, pb->X, pb->labels, pb->l2, flags);
}

static void assert_close(double actual, double expected, double tol)
{
    if (!(fabs(actual - expected) <= tol * (1.0 + fabs(expected))))
        fail_msg("%.17g != %.17g (tolerance %g)", actual, expected, tol);
}

/* ---- references: the formulas as written, in long double, unshifted ---- */

static long double score(const struct problem *pb, const double *w, size_t i, size_t cls)
{
    long double z = pb->intercept ? (long double)w[pb->k == 2 ? pb->p : pb->k * pb->p + cls] : 0;
    const double *weights = pb->k == 2 ? w : w + cls * pb->p;
    for (size_t j = 0; j < pb->p; j++)
        z += (long double)pb->X[i * pb->p + j] * weights[j];
    return z;
}

static long double penalty(const struct problem *pb, const double *w, long double *grad)
{
    size_t weights = pb->k == 2 ? pb->p : pb->k * pb->p;
    long double squares = 0;
    for (size_t j = 0; j < weights; j++) {
        squares += (long double)w[j] * w[j];
        grad[j] += (long double)pb->l2 * w[j];
    }
    return 0.5L * pb->l2 * squares;
}

/* Adds slope (X_i, 1) to the gradient of class cls (the only one for k = 2). */
static void add_sample(const struct problem *pb, size_t i, size_t cls, long double slope,
                       long double *grad)
{
    size_t first = pb->k == 2 ? 0 : cls * pb->p;
    for (size_t j = 0; j < pb->p; j++)
        grad[first + j] += slope * pb->X[i * pb->p + j];
    if (pb->intercept)
        grad[pb->k == 2 ? pb->p : pb->k * pb->p + cls] += slope;
}

static long double logistic_reference(const struct problem *pb, const double *w, long double *grad)
{
    long double loss = 0;
    for (size_t i = 0; i < pb->m; i++) {
        long double z = score(pb, w, i, 0);
        loss += log1pl(expl(z)) - pb->y[i] * z;
        add_sample(pb, i, 0, 1.0L / (1.0L + expl(-z)) - pb->y[i], grad);
    }
    return loss;
}

static long double softmax_reference(const struct problem *pb, const double *w, long double *grad)
{
    long double loss = 0;
    for (size_t i = 0; i < pb->m; i++) {
        long double sum = 0;
        for (size_t c = 0; c < pb->k; c++)
            sum += expl(score(pb, w, i, c));
        loss += logl(sum) - score(pb, w, i, pb->labels[i]);
        for (size_t c = 0; c < pb->k; c++)
            add_sample(pb, i, c, expl(score(pb, w, i, c)) / sum - (c == pb->labels[i]), grad);
    }
    return loss;
}

/* f and the gradient of the mean loss plus the penalty, from the references. */
static double reference(const struct problem *pb, const double *w, double *grad)
{
    size_t n = dim(pb);
    long double *sum = calloc(n, sizeof *sum);
    assert_non_null(sum);
    long double loss = pb->k == 2 ? logistic_reference(pb, w, sum) : softmax_reference(pb, w, sum);
    for (size_t j = 0; j < n; j++)
        sum[j] /= (long double)pb->m;
    long double f = loss / pb->m + penalty(pb, w, sum);
    for (size_t j = 0; j < n; j++)
        grad[j] = (double)sum[j];
    free(sum);
    return (double)f;
}

/* ---- values and gradients ---- */

static void check_against_reference(size_t m, size_t p, size_t k, bool intercept, double l2)
{
    struct problem pb = make_problem(m, p, k, intercept, l2);
    gd_objective *obj = make_objective(&pb);
    assert_non_null(obj);
    size_t n = dim(&pb);
    assert_int_equal(gd_objective_dim(obj), n);
    assert_int_equal(gd_objective_terms(obj), m);
    double *w = malloc(n * sizeof *w), *g = malloc(n * sizeof *g), *g_ref = malloc(n * sizeof *g);
    for (int point = 0; point < 5; point++) {
        fill(w, n, -1.5, 1.5);
        double f, f_only;
        assert_int_equal(gd_objective_eval(obj, w, &f, g), GD_OK);
        assert_int_equal(gd_objective_eval(obj, w, &f_only, NULL), GD_OK);
        assert_true(f == f_only);
        assert_close(f, reference(&pb, w, g_ref), 1e-14);
        for (size_t j = 0; j < n; j++)
            assert_close(g[j], g_ref[j], 1e-14);
    }
    free(w);
    free(g);
    free(g_ref);
    gd_objective_free(obj);
    free_problem(&pb);
}

static void test_logistic_values(void **state)
{
    (void)state;
    check_against_reference(37, 5, 2, false, 0.0);
    check_against_reference(37, 5, 2, true, 0.3);
    check_against_reference(50, 9, 2, true, 1e-2); /* p not a multiple of 4 */
    check_against_reference(1, 1, 2, false, 2.0);
}

static void test_softmax_values(void **state)
{
    (void)state;
    check_against_reference(29, 4, 3, false, 0.0);
    check_against_reference(29, 4, 3, true, 0.3);
    check_against_reference(23, 7, 10, true, 1e-2);
    /* beyond one chunk of scores (64): the chunks' maxima and sums combined */
    check_against_reference(11, 3, 150, true, 0.1);
    check_against_reference(5, 2, 64, false, 0.1);
    check_against_reference(5, 2, 65, true, 0.1);
}

/* Least squares (scale 1, intercept) against the sum over rows in long double. */
static void check_least_squares(size_t m, size_t p)
{
    struct problem pb = make_problem(m, p, 2, true, 0.0);
    gd_objective *obj = gd_least_squares_new(m, p, pb.X, pb.y, 1.0, GD_LS_INTERCEPT);
    assert_non_null(obj);
    double *w = malloc((p + 1) * sizeof *w), *g = malloc((p + 1) * sizeof *g);
    long double *g_ref = calloc(p + 1, sizeof *g_ref);
    assert_true(w && g && g_ref);
    fill(w, p + 1, -1.0, 1.0);
    long double f_ref = 0.0L;
    for (size_t i = 0; i < m; i++) {
        long double r = w[p] - pb.y[i];
        for (size_t j = 0; j < p; j++)
            r += (long double)pb.X[i * p + j] * w[j];
        f_ref += r * r;
        for (size_t j = 0; j < p; j++)
            g_ref[j] += 2.0L * r * pb.X[i * p + j];
        g_ref[p] += 2.0L * r;
    }
    double f;
    assert_int_equal(gd_objective_eval(obj, w, &f, g), GD_OK);
    assert_close(f, (double)(f_ref / m), 1e-12);
    for (size_t j = 0; j <= p; j++)
        assert_close(g[j], (double)(g_ref[j] / m), 1e-12);
    free(w);
    free(g);
    free(g_ref);
    gd_objective_free(obj);
    free_problem(&pb);
}

/* Rows wider than a block (one row a block), and an X beyond GDI_PREFETCH_BYTES, whose
 * loops ask for rows ahead (lib/objectives/rows.h). */
static void test_wide_rows_and_large_matrices(void **state)
{
    (void)state;
    check_against_reference(3, 2100, 2, true, 0.1);
    check_least_squares(3, 2100);
    check_least_squares(70000, 4); /* 2.8e5 doubles: 2.2 MB */
    check_least_squares(2000, 81); /* beyond it too, with more than 16 columns */
    struct problem pb = make_problem(70000, 4, 2, true, 0.0);
    gd_objective *obj = make_objective(&pb);
    assert_non_null(obj);
    double w[5] = {0.5, -0.25, 0.125, 1.0, -0.5}, g[5], g_ref[5];
    double f;
    assert_int_equal(gd_objective_eval(obj, w, &f, g), GD_OK);
    assert_close(f, reference(&pb, w, g_ref), 1e-12);
    for (size_t j = 0; j < 5; j++)
        assert_close(g[j], g_ref[j], 1e-12);
    gd_objective_free(obj);
    free_problem(&pb);
}

/* Central differences in every coordinate at random points. */
static void check_finite_differences(size_t m, size_t p, size_t k)
{
    struct problem pb = make_problem(m, p, k, true, 0.05);
    gd_objective *obj = make_objective(&pb);
    size_t n = dim(&pb);
    double *w = malloc(n * sizeof *w), *g = malloc(n * sizeof *g);
    for (int point = 0; point < 3; point++) {
        fill(w, n, -1.0, 1.0);
        double f, up, down;
        assert_int_equal(gd_objective_eval(obj, w, &f, g), GD_OK);
        for (size_t j = 0; j < n; j++) {
            double keep = w[j], h = 1e-5;
            w[j] = keep + h;
            gd_objective_eval(obj, w, &up, NULL);
            w[j] = keep - h;
            gd_objective_eval(obj, w, &down, NULL);
            w[j] = keep;
            assert_close(g[j], (up - down) / (2.0 * h), 1e-8);
        }
    }
    free(w);
    free(g);
    gd_objective_free(obj);
    free_problem(&pb);
}

static void test_finite_differences(void **state)
{
    (void)state;
    check_finite_differences(31, 6, 2);
    check_finite_differences(31, 5, 4);
}

/* ---- extreme scores ---- */

struct extreme {
    double z, y, f, slope; /* the exact loss and derivative of one sample */
};

static void test_logistic_extreme_scores(void **state)
{
    (void)state;
    const double e700 = exp(-700.0), e30 = (double)log1pl(expl(-30.0L));
    const struct extreme cases[] = {
        {1e3, 0, 1e3, 1},     {1e3, 1, 0, 0},        {-1e3, 0, 0, 0},       {-1e3, 1, 1e3, -1},
        {700, 0, 700, 1},     {700, 1, e700, -e700}, {-700, 0, e700, e700}, {-700, 1, 700, -1},
        {1e4, 0, 1e4, 1},     {1e4, 1, 0, 0},        {-1e4, 0, 0, 0},       {-1e4, 1, 1e4, -1},
        {1e300, 0, 1e300, 1}, {30, 1, e30, -e30},    {-30, 0, e30, e30},
    };
    const double X[1] = {1.0};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        gd_objective *obj = gd_logistic_new(1, 1, X, &cases[c].y, 0.0, GD_INTERCEPT);
        /* z = 1 * w + b, split between the weight and the intercept */
        double w[2] = {cases[c].z, 0.0}, f, g[2];
        assert_int_equal(gd_objective_eval(obj, w, &f, g), GD_OK);
        assert_close(f, cases[c].f, 1e-15);
        assert_close(g[0], cases[c].slope, 1e-15);
        assert_close(g[1], cases[c].slope, 1e-15);
        if (fabs(cases[c].z) >= 1e3)
            assert_true(f == cases[c].f && g[0] == cases[c].slope); /* exact */
        gd_objective_free(obj);
    }
}

static void test_softmax_extreme_scores(void **state)
{
    (void)state;
    const double X[1] = {1.0};
    const double far[3] = {1e3, 0.0, -1e3}, tied[3] = {1e4, 1e4, -1e4};
    const double far_f[3] = {0.0, 1e3, 2e3}, tied_f[3] = {log(2.0), log(2.0), 2e4 + log(2.0)};
    for (size_t label = 0; label < 3; label++) {
        gd_objective *obj = gd_softmax_new(1, 1, 3, X, &label, 0.0, 0);
        double f, g[3];
        assert_int_equal(gd_objective_eval(obj, far, &f, g), GD_OK);
        assert_true(f == far_f[label]);
        for (size_t c = 0; c < 3; c++)
            assert_true(g[c] == (c == 0) - (double)(c == label));
        assert_int_equal(gd_objective_eval(obj, tied, &f, g), GD_OK);
        assert_close(f, tied_f[label], 1e-15);
        for (size_t c = 0; c < 3; c++)
            assert_close(g[c], 0.5 * (c < 2) - (double)(c == label), 1e-15);
        gd_objective_free(obj);
    }
}

/* ---- refusals ---- */

static void test_logistic_refusals(void **state)
{
    (void)state;
    const double X[4] = {1, 2, 3, 4}, y[2] = {0, 1};
    const double bad_X[4] = {1, NAN, 3, 4}, inf_X[4] = {1, 2, INFINITY, 4};
    const double two[2] = {0, 2}, half[2] = {0.5, 1}, nan_y[2] = {NAN, 1}, minus[2] = {-1, 0};
    assert_null(gd_logistic_new(0, 2, X, y, 0.0, 0));
    assert_null(gd_logistic_new(2, 0, X, y, 0.0, 0));
    assert_null(gd_logistic_new(2, 2, NULL, y, 0.0, 0));
    assert_null(gd_logistic_new(2, 2, X, NULL, 0.0, 0));
    assert_null(gd_logistic_new(2, 2, bad_X, y, 0.0, 0));
    assert_null(gd_logistic_new(2, 2, inf_X, y, 0.0, 0));
    assert_null(gd_logistic_new(2, 2, X, two, 0.0, 0));
    assert_null(gd_logistic_new(2, 2, X, half, 0.0, 0));
    assert_null(gd_logistic_new(2, 2, X, nan_y, 0.0, 0));
    assert_null(gd_logistic_new(2, 2, X, minus, 0.0, 0));
    assert_null(gd_logistic_new(2, 2, X, y, -1e-300, 0));
    assert_null(gd_logistic_new(2, 2, X, y, NAN, 0));
    assert_null(gd_logistic_new(2, 2, X, y, INFINITY, 0));
    assert_null(gd_logistic_new(2, 2, X, y, 0.0, 2u));
    assert_null(gd_logistic_new(2, 2, X, y, 0.0, GD_INTERCEPT | 0x100u));
    assert_null(gd_logistic_new(SIZE_MAX / 2, 3, X, y, 0.0, 0)); /* m*p overflows */
    gd_objective *obj = gd_logistic_new(2, 2, X, y, -0.0, GD_INTERCEPT);
    assert_non_null(obj); /* -0 is zero, not negative */
    assert_int_equal(gd_objective_dim(obj), 3);
    gd_objective_free(obj);
}

static void test_softmax_refusals(void **state)
{
    (void)state;
    const double X[4] = {1, 2, 3, 4}, bad_X[4] = {1, 2, 3, -INFINITY};
    const size_t labels[2] = {0, 2}, out_of_range[2] = {0, 3}, huge[2] = {SIZE_MAX, 0};
    assert_null(gd_softmax_new(0, 2, 3, X, labels, 0.0, 0));
    assert_null(gd_softmax_new(2, 0, 3, X, labels, 0.0, 0));
    assert_null(gd_softmax_new(2, 2, 0, X, labels, 0.0, 0));
    assert_null(gd_softmax_new(2, 2, 1, X, labels, 0.0, 0));
    assert_null(gd_softmax_new(2, 2, 3, NULL, labels, 0.0, 0));
    assert_null(gd_softmax_new(2, 2, 3, X, NULL, 0.0, 0));
    assert_null(gd_softmax_new(2, 2, 3, bad_X, labels, 0.0, 0));
    assert_null(gd_softmax_new(2, 2, 3, X, out_of_range, 0.0, 0));
    assert_null(gd_softmax_new(2, 2, 3, X, huge, 0.0, 0));
    assert_null(gd_softmax_new(2, 2, 3, X, labels, -1.0, 0));
    assert_null(gd_softmax_new(2, 2, 3, X, labels, NAN, 0));
    assert_null(gd_softmax_new(2, 2, 3, X, labels, INFINITY, 0));
    assert_null(gd_softmax_new(2, 2, 3, X, labels, 0.0, 4u));
    assert_null(gd_softmax_new(SIZE_MAX / 2, 3, 3, X, labels, 0.0, 0)); /* m*p overflows */
    /* n = k*(p+1) overflows, and n*8 does */
    assert_null(gd_softmax_new(1, 1, SIZE_MAX / 2 + 1, X, labels, 0.0, GD_INTERCEPT));
    assert_null(gd_softmax_new(1, 1, SIZE_MAX / 4, X, labels, 0.0, 0));
    gd_objective *obj = gd_softmax_new(2, 2, 3, X, labels, 0.0, GD_INTERCEPT);
    assert_int_equal(gd_objective_dim(obj), 9);
    gd_objective_free(obj);
}

/* ---- mini-batches: the mean of the batch's terms, each with the whole penalty ---- */

static void check_batches(gd_objective *obj, size_t n, size_t m)
{
    const size_t batch[5] = {3, 7, 7, m - 1, 0};
    double *w = malloc(n * sizeof *w), *g = malloc(n * sizeof *g), *g1 = malloc(n * sizeof *g);
    double *mean = calloc(n, sizeof *mean), f, f1, f_mean = 0.0;
    fill(w, n, -1.0, 1.0);
    for (size_t b = 0; b < 5; b++) {
        assert_int_equal(gd_objective_eval_terms(obj, w, &batch[b], 1, &f1, g1), GD_OK);
        f_mean += f1 / 5.0;
        for (size_t j = 0; j < n; j++)
            mean[j] += g1[j] / 5.0;
    }
    assert_int_equal(gd_objective_eval_terms(obj, w, batch, 5, &f, g), GD_OK);
    assert_close(f, f_mean, 1e-14);
    for (size_t j = 0; j < n; j++)
        assert_close(g[j], mean[j], 1e-14);
    /* the whole sum is the batch of every term, and the mean of all of them */
    size_t *all = malloc(m * sizeof *all);
    double full, listed;
    f_mean = 0.0;
    for (size_t i = 0; i < m; i++) {
        all[i] = i;
        assert_int_equal(gd_objective_eval_terms(obj, w, &all[i], 1, &f1, NULL), GD_OK);
        f_mean += f1;
    }
    assert_int_equal(gd_objective_eval(obj, w, &full, g), GD_OK);
    assert_int_equal(gd_objective_eval_terms(obj, w, all, m, &listed, g1), GD_OK);
    assert_true(full == listed && memcmp(g, g1, n * sizeof *g) == 0);
    assert_close(full, f_mean / (double)m, 1e-14);
    free(all);
    free(w);
    free(g);
    free(g1);
    free(mean);
}

static void test_batches(void **state)
{
    (void)state;
    for (size_t k = 2; k <= 4; k += 2) {
        struct problem pb = make_problem(17, 5, k, true, 0.25);
        gd_objective *obj = make_objective(&pb);
        check_batches(obj, dim(&pb), pb.m);
        gd_objective_free(obj);
        free_problem(&pb);
    }
    struct problem pb = make_problem(17, 5, 2, true, 0.0);
    gd_objective *lsq = gd_least_squares_new(17, 5, pb.X, pb.y, 0.5, GD_LS_INTERCEPT);
    check_batches(lsq, 6, 17);
    gd_objective_free(lsq);
    free_problem(&pb);
}

/* ---- scikit-learn: golden/sklearn.txt ---- */

struct fit {
    struct problem pb;
    double *fitted, f, *grad;            /* the fit and sklearn's objective there */
    double *probe, probe_f, *probe_grad; /* a point near it and sklearn's objective */
};

static void read_values(FILE *in, const char *key, double *v, size_t count)
{
    char word[32];
    assert_int_equal(fscanf(in, "%31s", word), 1);
    assert_string_equal(word, key);
    for (size_t i = 0; i < count; i++)
        assert_int_equal(fscanf(in, "%lf", &v[i]), 1);
}

/* The m lines "label x_1 .. x_p", standardized as make_sklearn.py does. */
static void read_data(FILE *in, struct problem *pb, const double *mean, const double *std)
{
    for (size_t i = 0; i < pb->m; i++) {
        assert_int_equal(fscanf(in, "%zu", &pb->labels[i]), 1);
        pb->y[i] = (double)pb->labels[i];
        for (size_t j = 0; j < pb->p; j++) {
            double x;
            assert_int_equal(fscanf(in, "%lf", &x), 1);
            pb->X[i * pb->p + j] = (x - mean[j]) / std[j];
        }
    }
}

static double *read_new_values(FILE *in, const char *key, size_t count)
{
    double *v = malloc(count * sizeof *v);
    assert_non_null(v);
    read_values(in, key, v, count);
    return v;
}

static struct fit read_fit(FILE *in, const char *name)
{
    char word[32];
    size_t m, p, k;
    assert_int_equal(fscanf(in, "%31s %zu %zu %zu", word, &m, &p, &k), 4);
    assert_string_equal(word, name);
    struct fit fit = {make_problem(m, p, k, true, 0.0), NULL, 0, NULL, NULL, 0, NULL};
    read_values(in, "l2", &fit.pb.l2, 1);
    double *mean = read_new_values(in, "mean", p), *std = read_new_values(in, "std", p);
    size_t n = dim(&fit.pb), rows = k == 2 ? 1 : k;
    fit.fitted = malloc(n * sizeof(double));
    for (size_t c = 0; c < rows; c++)
        read_values(in, "coef", fit.fitted + c * p, p);
    read_values(in, "intercept", fit.fitted + rows * p, rows);
    read_values(in, "f", &fit.f, 1);
    fit.grad = read_new_values(in, "grad", n);
    fit.probe = read_new_values(in, "probe", n);
    read_values(in, "probe_f", &fit.probe_f, 1);
    fit.probe_grad = read_new_values(in, "probe_grad", n);
    read_data(in, &fit.pb, mean, std);
    free(mean);
    free(std);
    return fit;
}

static void free_fit(struct fit *fit)
{
    free(fit->fitted);
    free(fit->grad);
    free(fit->probe);
    free(fit->probe_grad);
    free_problem(&fit->pb);
}

/* Our f and gradient at x against scikit-learn's there. */
static void check_sklearn_point(gd_objective *obj, size_t n, const double *x, double f_sk,
                                const double *g_sk, double *g)
{
    double f;
    assert_int_equal(gd_objective_eval(obj, x, &f, g), GD_OK);
    assert_close(f, f_sk, 1e-13);
    for (size_t j = 0; j < n; j++)
        assert_true(fabs(g[j] - g_sk[j]) <= 1e-13);
}

/* At scikit-learn's fit: our f and gradient are sklearn's; the gradient is ~0: the
 * features are standardized, so 1e-6 is relative to the data's scale (measured, as
 * make_sklearn.py prints: 5.8e-7 and 9.4e-7, where scipy's L-BFGS-B stops); and no
 * random point within 1e-3 has a lower f. */
static void check_sklearn_fit(const char *name)
{
    FILE *in = open_golden("sklearn.txt");
    struct fit fit = read_fit(in, "breast_cancer");
    if (strcmp(name, "iris") == 0) {
        free_fit(&fit);
        fit = read_fit(in, "iris");
    }
    fclose(in);
    gd_objective *obj = make_objective(&fit.pb);
    assert_non_null(obj);
    size_t n = dim(&fit.pb);
    double *g = malloc(n * sizeof *g), *near = malloc(n * sizeof *near), f, f_near;
    check_sklearn_point(obj, n, fit.probe, fit.probe_f, fit.probe_grad, g);
    check_sklearn_point(obj, n, fit.fitted, fit.f, fit.grad, g);
    for (size_t j = 0; j < n; j++)
        assert_true(fabs(g[j]) <= 1e-6);
    gd_objective_eval(obj, fit.fitted, &f, NULL);
    for (int trial = 0; trial < 20; trial++) {
        for (size_t j = 0; j < n; j++)
            near[j] = fit.fitted[j] + uniform(-1e-3, 1e-3);
        gd_objective_eval(obj, near, &f_near, NULL);
        assert_true(f <= f_near);
    }
    free(g);
    free(near);
    gd_objective_free(obj);
    free_fit(&fit);
}

static void test_sklearn_logistic(void **state)
{
    (void)state;
    check_sklearn_fit("breast_cancer");
}

static void test_sklearn_softmax(void **state)
{
    (void)state;
    check_sklearn_fit("iris");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_logistic_values),
        cmocka_unit_test(test_softmax_values),
        cmocka_unit_test(test_finite_differences),
        cmocka_unit_test(test_wide_rows_and_large_matrices),
        cmocka_unit_test(test_logistic_extreme_scores),
        cmocka_unit_test(test_softmax_extreme_scores),
        cmocka_unit_test(test_logistic_refusals),
        cmocka_unit_test(test_softmax_refusals),
        cmocka_unit_test(test_batches),
        cmocka_unit_test(test_sklearn_logistic),
        cmocka_unit_test(test_sklearn_softmax),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
