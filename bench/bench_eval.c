/*
 * bench_eval.c - one full evaluation (f and gradient) of the bundled least squares,
 * logistic and softmax (3 classes) objectives at m = 1e4, 1e5, 1e6 samples of p = 8
 * and 64 features, as GB/s of the data they must read (X and y, 8 (p + 1) bytes a
 * sample), against a STREAM triad a = b + 3 c over the same number of bytes (24 a
 * element, as STREAM counts), timed in the same rounds.  Each model is shown a second
 * time against the slower of that triad and its own compute: the same evaluation
 * over the first rows of X that fit in 128 KiB (in a core's L2 cache), scaled to m
 * rows.  The geometric median is shown against the slower of a triad over its points
 * and one square root and one division a point.
 * Usage: bench_eval [--quick]   (--quick: m / 10)
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gdescent.h>

#include "clock.h"

enum { ROUNDS = 11, MAX_P = 64 };

static void *checked_malloc(size_t bytes)
{
    void *p = malloc(bytes);
    if (!p) {
        fprintf(stderr, "out of memory (%zu bytes)\n", bytes);
        exit(1);
    }
    return p;
}

static double uniform(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return (double)((z ^ (z >> 31)) >> 11) * 0x1p-53;
}

struct triad {
    double *a, *b, *c;
    size_t n;
};

static struct triad triad_new(size_t bytes)
{
    struct triad t = {NULL, NULL, NULL, bytes / 24 > 0 ? bytes / 24 : 1};
    t.a = checked_malloc(t.n * sizeof(double));
    t.b = checked_malloc(t.n * sizeof(double));
    t.c = checked_malloc(t.n * sizeof(double));
    for (size_t i = 0; i < t.n; i++) {
        t.a[i] = 0.0;
        t.b[i] = 1.0;
        t.c[i] = 2.0;
    }
    return t;
}

static void triad_run(struct triad *t)
{
    for (size_t i = 0; i < t->n; i++)
        t->a[i] = t->b[i] + 3.0 * t->c[i];
}

/* Seconds per call of the work, repeated so that one timing lasts about 2 ms. */
static double time_eval(gd_objective *obj, const double *w, double *grad, int reps)
{
    double f, start = now();
    for (int r = 0; r < reps; r++)
        gd_objective_eval(obj, w, &f, grad);
    return (now() - start) / reps;
}

static double time_triad(struct triad *t, int reps)
{
    double start = now();
    for (int r = 0; r < reps; r++)
        triad_run(t);
    return (now() - start) / reps;
}

static double median(double *v)
{
    qsort(v, ROUNDS, sizeof *v, by_value);
    return v[ROUNDS / 2];
}

/* One sqrt and one division per point, the geometric median's own bound: the time of
 * sum 1 / sqrt(v_i) over m values, in four chains. */
static double time_sqrt_div(const double *v, size_t m, int reps)
{
    double start = now(), sum[4] = {0, 0, 0, 0};
    for (int k = 0; k < reps; k++)
        for (size_t i = 0; i + 3 < m; i += 4)
            for (size_t c = 0; c < 4; c++)
                sum[c] += 1.0 / sqrt(v[i + c]);
    volatile double sink = sum[0] + sum[1] + sum[2] + sum[3];
    (void)sink;
    return (now() - start) / reps;
}

enum { CLASSES = 3, OBJECTIVES = 4, MODELS = 3 };

static void print_row(const char *name, size_t m, size_t p, double bytes, double seconds,
                      double bound_gbs, const char *bound)
{
    double gbs = bytes / seconds * 1e-9;
    printf("%-14s %8zu %3zu %9.2f %9.2f %6.2f %9.2f  (%s)\n", name, m, p, gbs, bound_gbs,
           gbs / bound_gbs, seconds / (double)m * 1e9, bound);
}

static void bench_size(size_t m, size_t p)
{
    double *X = checked_malloc(m * p * sizeof *X), *y = checked_malloc(m * sizeof *y);
    size_t *labels = checked_malloc(m * sizeof *labels);
    uint64_t seed = 11;
    for (size_t i = 0; i < m * p; i++)
        X[i] = 2.0 * uniform(&seed) - 1.0;
    for (size_t i = 0; i < m; i++) {
        y[i] = uniform(&seed) < 0.5 ? 0.0 : 1.0;
        labels[i] = (size_t)(uniform(&seed) * CLASSES);
    }
    const char *names[OBJECTIVES] = {"least_squares", "logistic", "softmax", "median"};
    gd_objective *objs[OBJECTIVES];
    objs[0] = gd_least_squares_new(m, p, X, y, 0.5, GD_LS_INTERCEPT);
    objs[1] = gd_logistic_new(m, p, X, y, 1e-3, GD_INTERCEPT);
    objs[2] = gd_softmax_new(m, p, CLASSES, X, labels, 1e-3, GD_INTERCEPT);
    objs[3] = gd_geometric_median_new(m, p, X, NULL);
    /* the models over the rows of X in 128 KiB: their compute without memory's waits */
    size_t m_cached = (128 << 10) / (8 * (p + 1));
    if (m_cached > m)
        m_cached = m;
    gd_objective *cached[MODELS] = {
        gd_least_squares_new(m_cached, p, X, y, 0.5, GD_LS_INTERCEPT),
        gd_logistic_new(m_cached, p, X, y, 1e-3, GD_INTERCEPT),
        gd_softmax_new(m_cached, p, CLASSES, X, labels, 1e-3, GD_INTERCEPT),
    };
    for (int k = 0; k < OBJECTIVES; k++)
        if (!objs[k] || (k < MODELS && !cached[k])) {
            fprintf(stderr, "bench_eval: cannot make %s\n", names[k]);
            exit(1);
        }
    double *positive = checked_malloc(m * sizeof *positive);
    for (size_t i = 0; i < m; i++)
        positive[i] = 1.0 + X[i];
    free(X);
    free(y);
    free(labels);
    double w[CLASSES * (MAX_P + 1)], grad[CLASSES * (MAX_P + 1)];
    for (size_t j = 0; j < CLASSES * (p + 1); j++)
        w[j] = 0.1 * (uniform(&seed) - 0.5);
    size_t bytes = m * (p + 1) * sizeof(double);
    struct triad t = triad_new(bytes);
    int reps = (int)(2e7 / (double)(m * p)) + 1;
    int cached_reps = (int)(2e7 / (double)(m_cached * p)) + 1;
    double obj_s[OBJECTIVES][ROUNDS], cached_s[MODELS][ROUNDS], triad_s[ROUNDS], sqrt_s[ROUNDS];
    for (int k = 0; k < OBJECTIVES; k++) /* warm-up: pages touched, caches filled */
        time_eval(objs[k], w, grad, reps);
    time_triad(&t, reps);
    for (int r = 0; r < ROUNDS; r++) {
        for (int k = 0; k < OBJECTIVES; k++)
            obj_s[k][r] = time_eval(objs[k], w, grad, reps);
        for (int k = 0; k < MODELS; k++)
            cached_s[k][r] = time_eval(cached[k], w, grad, cached_reps);
        triad_s[r] = time_triad(&t, reps);
        sqrt_s[r] = time_sqrt_div(positive, m, reps);
    }
    double triad_gbs = 24.0 * (double)t.n / median(triad_s) * 1e-9;
    for (int k = 0; k < MODELS; k++)
        print_row(names[k], m, p, (double)bytes, median(obj_s[k]), triad_gbs, "triad");
    /* The models again, against the slower of the triad and their compute. */
    for (int k = 0; k < MODELS; k++) {
        double compute_s = median(cached_s[k]) * (double)m / (double)m_cached;
        print_row(names[k], m, p, (double)bytes, median(obj_s[k]),
                  (double)bytes / fmax(median(triad_s), compute_s) * 1e-9,
                  median(triad_s) > compute_s ? "triad" : "compute, in L2");
    }
    /* The median reads m p doubles and takes a sqrt and a division per point: its
     * bound is the slower of the triad over those bytes and the sqrt loop. */
    double point_bytes = (double)(m * p * sizeof(double));
    double memory_s = median(triad_s) * (double)p / (double)(p + 1);
    double bound_s = fmax(memory_s, median(sqrt_s));
    print_row(names[3], m, p, point_bytes, median(obj_s[3]), point_bytes / bound_s * 1e-9,
              memory_s > median(sqrt_s) ? "triad" : "1 sqrt + 1 div a point");
    fflush(stdout);
    free(t.a);
    free(t.b);
    free(t.c);
    free(positive);
    for (int k = 0; k < OBJECTIVES; k++)
        gd_objective_free(objs[k]);
    for (int k = 0; k < MODELS; k++)
        gd_objective_free(cached[k]);
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    if (argc > 1 && !quick) {
        fprintf(stderr, "usage: bench_eval [--quick]\n");
        return 2;
    }
    size_t scale = quick ? 10 : 1;
    printf("one evaluation (f and gradient); medians of %d rounds\n", ROUNDS);
    printf("%-14s %8s %3s %9s %9s %6s %9s  %s\n", "objective", "m", "p", "GB/s", "boundGB/s",
           "ratio", "ns/row", "(bound)");
    const size_t ps[2] = {8, MAX_P};
    for (int k = 0; k < 2; k++)
        for (size_t m = 10000 / scale; m <= 1000000 / scale; m *= 10)
            bench_size(m, ps[k]);
    return 0;
}
