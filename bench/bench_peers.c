/*
 * bench_peers - libgd against what a C programmer would pick instead, on the same
 * objective callback: GSL's steepest descent (gsl_multimin_fdfminimizer_steepest_
 * descent) and liblbfgs, each built in when its Debian package is installed.
 *
 * The objective is the quadratic f(x) = sum_i a_i (x_i - 1)^2 with a_i spread evenly
 * over [1, 100] (condition number 100; an isotropic quadratic would let every method
 * finish in one step).  Every solver runs from x = 0 until ||grad|| <= 1e-6 max(1, ||x||)
 * (liblbfgs's own test); reported: iterations, objective evaluations, total time and
 * time per iteration, medians of repeats.
 *
 * Also times the first document's geometric-median loop: 100 SGD steps (lr 0.05 from
 * (0.1, 0.1)) on 100 points drawn by the LCG that bench/torch_step.py reproduces.
 *
 * usage: bench_peers [--quick]
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gdescent.h>

#include "clock.h"

#ifdef HAVE_GSL
#include <gsl/gsl_blas.h>
#include <gsl/gsl_multimin.h>
#endif
#ifdef HAVE_LBFGS
#include <lbfgs.h>
#endif

enum { REPEATS = 5, MAX_ITERATIONS = 100000 };
#define TOLERANCE 1e-6

/* ---- the shared objective ---- */

struct problem {
    size_t n;
    double *a;        /* curvatures */
    long evaluations; /* counted by every solver's callback */
    long reported;    /* iterations reported by a solver's progress callback */
};

static double curvature(size_t i, size_t n)
{
    return n == 1 ? 1.0 : 1.0 + 99.0 * (double)i / (double)(n - 1);
}

static double evaluate(struct problem *p, const double *x, double *grad)
{
    double f = 0.0;
    for (size_t i = 0; i < p->n; i++) {
        double d = x[i] - 1.0;
        f += p->a[i] * d * d;
        if (grad)
            grad[i] = 2.0 * p->a[i] * d;
    }
    p->evaluations++;
    return f;
}

/* One solver: runs from x = 0 to the tolerance; returns iterations, or -1 on failure. */
typedef long (*solver_fn)(struct problem *p, double *x);

/* ---- libgd: plain gradient descent at the best fixed step 2 / (L + mu), with
 * L = 2 max a_i = 200 and mu = 2 min a_i = 2.  Its absolute gradient test uses
 * ||x|| = sqrt(n), the norm at the solution. ---- */

static int gd_callback(const double *x, size_t n, double *f, double *grad, void *user)
{
    (void)n;
    *f = evaluate(user, x, grad);
    return 0;
}

static long solve_libgd(struct problem *p, double *x)
{
    gd_objective *obj = gd_objective_new(p->n, gd_callback, p);
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, p->n);
    gd_optimizer_set(opt, GD_PARAM_LR, 2.0 / (200.0 + 2.0));
    gd_optimizer_set(opt, GD_PARAM_MAX_ITER, MAX_ITERATIONS);
    gd_optimizer_set(opt, GD_PARAM_GTOL, TOLERANCE * fmax(1.0, sqrt((double)p->n)));
    int status = gd_minimize(opt, obj, x, NULL);
    long iterations = (long)gd_optimizer_iterations(opt);
    gd_optimizer_free(opt);
    gd_objective_free(obj);
    return status == GD_STOP_GTOL ? iterations : -1;
}

#ifdef HAVE_GSL
static double gsl_f(const gsl_vector *x, void *p)
{
    return evaluate(p, x->data, NULL);
}

static void gsl_df(const gsl_vector *x, void *p, gsl_vector *g)
{
    evaluate(p, x->data, g->data);
}

static void gsl_fdf(const gsl_vector *x, void *p, double *f, gsl_vector *g)
{
    *f = evaluate(p, x->data, g->data);
}

static long solve_gsl(struct problem *p, double *x)
{
    gsl_multimin_function_fdf fn = {gsl_f, gsl_df, gsl_fdf, p->n, p};
    gsl_vector *start = gsl_vector_calloc(p->n);
    gsl_multimin_fdfminimizer *s =
        gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_steepest_descent, p->n);
    gsl_multimin_fdfminimizer_set(s, &fn, start, 0.01, 0.1);
    long k = 0;
    int status = GSL_CONTINUE;
    while (status == GSL_CONTINUE && k < MAX_ITERATIONS) {
        if (gsl_multimin_fdfminimizer_iterate(s) != GSL_SUCCESS)
            break;
        k++;
        double tol = TOLERANCE * fmax(1.0, gsl_blas_dnrm2(s->x));
        status = gsl_multimin_test_gradient(s->gradient, tol);
    }
    memcpy(x, s->x->data, p->n * sizeof *x);
    gsl_multimin_fdfminimizer_free(s);
    gsl_vector_free(start);
    return status == GSL_SUCCESS ? k : -1;
}
#endif

#ifdef HAVE_LBFGS
static lbfgsfloatval_t lbfgs_evaluate(void *p, const lbfgsfloatval_t *x, lbfgsfloatval_t *g, int n,
                                      lbfgsfloatval_t step)
{
    (void)n, (void)step;
    return evaluate(p, x, g);
}

static int lbfgs_progress(void *p, const lbfgsfloatval_t *x, const lbfgsfloatval_t *g,
                          lbfgsfloatval_t fx, lbfgsfloatval_t xnorm, lbfgsfloatval_t gnorm,
                          lbfgsfloatval_t step, int n, int k, int ls)
{
    (void)x, (void)g, (void)fx, (void)xnorm, (void)gnorm, (void)step, (void)n, (void)ls;
    ((struct problem *)p)->reported = k;
    return 0;
}

static long solve_lbfgs(struct problem *p, double *x)
{
    lbfgs_parameter_t param;
    lbfgs_parameter_init(&param);
    param.epsilon = TOLERANCE;
    param.max_iterations = MAX_ITERATIONS;
    lbfgsfloatval_t *v = lbfgs_malloc((int)p->n), fx;
    memset(v, 0, p->n * sizeof *v);
    p->reported = 0;
    int status = lbfgs((int)p->n, v, &fx, lbfgs_evaluate, lbfgs_progress, p, &param);
    memcpy(x, v, p->n * sizeof *x);
    lbfgs_free(v);
    return status == LBFGS_SUCCESS ? p->reported : -1;
}
#endif

struct solver {
    const char *name;
    solver_fn solve;
};

static const struct solver solvers[] = {
    {"libgd gradient descent", solve_libgd},
#ifdef HAVE_GSL
    {"GSL steepest descent", solve_gsl},
#endif
#ifdef HAVE_LBFGS
    {"liblbfgs", solve_lbfgs},
#endif
};

static void bench_solver(const struct solver *s, size_t n)
{
    struct problem p = {n, malloc(n * sizeof(double)), 0, 0};
    double *x = malloc(n * sizeof *x), t[REPEATS];
    long iterations = 0, evaluations = 0;
    for (size_t i = 0; i < n; i++)
        p.a[i] = curvature(i, n);
    for (int r = 0; r < REPEATS; r++) {
        memset(x, 0, n * sizeof *x);
        p.evaluations = 0;
        double start = now();
        iterations = s->solve(&p, x);
        t[r] = now() - start;
        evaluations = p.evaluations;
    }
    qsort(t, REPEATS, sizeof t[0], by_value);
    double error = 0.0;
    for (size_t i = 0; i < n; i++)
        error = fmax(error, fabs(x[i] - 1.0));
    printf("%-24s %9zu %10ld %10ld %12.3f %14.1f %12.2e\n", s->name, n, iterations, evaluations,
           t[REPEATS / 2] * 1e3, iterations > 0 ? t[REPEATS / 2] / (double)iterations * 1e9 : NAN,
           error);
    free(x);
    free(p.a);
}

/* ---- the first document's geometric median: 100 points, 100 SGD steps ---- */

/* Knuth's MMIX LCG; bench/torch_step.py draws the same numbers. */
static double lcg_uniform(uint64_t *s)
{
    *s = *s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return (double)(*s >> 11) / 9007199254740992.0;
}

static void bench_median_document(void)
{
    enum { M = 100, STEPS = 100 };
    double points[2 * M];
    uint64_t seed = 12345;
    for (int i = 0; i < 2 * M; i++)
        points[i] = lcg_uniform(&seed) * (i % 2 ? 1.0 : 3.0);
    gd_objective *f = gd_geometric_median_new(M, 2, points, NULL);
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, 2);
    gd_optimizer_set(opt, GD_PARAM_LR, 0.05);
    gd_optimizer_set(opt, GD_PARAM_MAX_ITER, STEPS);
    double t[REPEATS], x[2];
    for (int r = 0; r < REPEATS; r++) {
        gd_optimizer_reset(opt);
        x[0] = x[1] = 0.1;
        double start = now();
        gd_minimize(opt, f, x, NULL);
        t[r] = now() - start;
    }
    qsort(t, REPEATS, sizeof t[0], by_value);
    printf("geometric median, 100 points, 100 SGD steps: %.1f us (%.1f ns per step), "
           "x = (%.17g, %.17g)\n",
           t[REPEATS / 2] * 1e6, t[REPEATS / 2] / STEPS * 1e9, x[0], x[1]);
    gd_optimizer_free(opt);
    gd_objective_free(f);
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    if (argc > 1 && !quick) {
        fprintf(stderr, "usage: bench_peers [--quick]\n");
        return 2;
    }
    const size_t sizes[] = {2, 1000, 1000000};
    size_t count = quick ? 2 : 3;
    printf("quadratic sum a_i (x_i - 1)^2, a_i in [1, 100], from 0 to ||g|| <= 1e-6 "
           "max(1, ||x||);\nmedians of %d runs\n",
           REPEATS);
    printf("%-24s %9s %10s %10s %12s %14s %12s\n", "solver", "n", "iterations", "f evals",
           "total ms", "ns/iteration", "max |x-1|");
    for (size_t s = 0; s < count; s++)
        for (size_t k = 0; k < sizeof solvers / sizeof solvers[0]; k++)
            bench_solver(&solvers[k], sizes[s]);
    bench_median_document();
    return 0;
}
