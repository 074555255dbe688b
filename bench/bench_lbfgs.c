/*
 * bench_lbfgs - libgd's L-BFGS (torch.optim.LBFGS with the strong Wolfe line search)
 * against liblbfgs and GSL's vector_bfgs2 and conjugate_fr on the Moré-Garbow-Hillstrom
 * test set (J. J. Moré, B. S. Garbow, K. E. Hillstrom, "Testing unconstrained
 * optimization software", ACM TOMS 7(1), 1981, pp. 17-41), each problem from its
 * standard starting point with its analytic gradient, and on libgd's least squares
 * and logistic regression on synthetic data.
 *
 * Every solver stops at ||g||_2 <= 1e-6 max(1, ||x||_2) (liblbfgs's own test, there
 * with a strict <):
 *   libgd: a monitor reading gd_optimizer_last_grad_norm() after each iteration, with
 *     tolerance_grad = tolerance_change = 0 so that torch's own tests never stop it
 *     first; max_iter 20000 (max_eval then torch's default, 25000);
 *   liblbfgs: epsilon = 1e-6, its other parameters at their defaults (m = 6,
 *     More-Thuente line search, past = 0), max_iterations 20000;
 *   GSL: gsl_multimin_test_gradient with epsabs = 1e-6 max(1, ||x||) after each
 *     iterate, first step 0.01, line-search tol 0.1 (bfgs2, as GSL's manual
 *     recommends) and 1e-4 (conjugate_fr, the manual's example); 20000 iterations.
 * A run that ends any other way (an error of the solver, its iteration limit) counts
 * as not solved.  Evaluations are the calls of the objective callback (GSL's calls of
 * f alone included); iterations as each library counts them.
 *
 * The gradients are checked against central differences at startup.
 *
 * usage: bench_lbfgs [--quick]   (--quick: no n = 1e4 rows and per-iteration times
 * at n = 1e4 and 1e5 only)
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gdescent.h>

#include "clock.h"

#ifdef HAVE_GSL
#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#endif
#ifdef HAVE_LBFGS
#include <lbfgs.h>
#endif

enum { MAX_ITERATIONS = 20000 };
#define TOLERANCE 1e-6
static const double PI = 3.14159265358979323846;

/* ---- the problems ---- */

struct problem;
/* f at x; the gradient into g unless g is NULL */
typedef double (*fdf_fn)(struct problem *p, const double *x, double *g);

struct problem {
    const char *name;
    size_t n;
    fdf_fn fdf;
    void (*start)(double *x, size_t n);
    double *scratch;   /* n values some problems need */
    gd_objective *obj; /* the bundled objectives */
    double *grad;      /* n values: their gradient when the caller wants none */
    long evaluations;  /* calls of fdf */
    double eval_time;  /* seconds in fdf */
    long reported;     /* liblbfgs's iterations, from its progress callback */
};

static double rosenbrock(struct problem *p, const double *x, double *g)
{
    double f = 0.0;
    for (size_t i = 0; i + 1 < p->n; i += 2) {
        double t1 = x[i + 1] - x[i] * x[i], t2 = 1.0 - x[i];
        f += 100.0 * t1 * t1 + t2 * t2;
        if (g) {
            g[i] = -400.0 * x[i] * t1 - 2.0 * t2;
            g[i + 1] = 200.0 * t1;
        }
    }
    return f;
}

static void rosenbrock_start(double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = i % 2 ? 1.0 : -1.2;
}

static double powell(struct problem *p, const double *x, double *g)
{
    double f = 0.0;
    for (size_t i = 0; i + 3 < p->n; i += 4) {
        double t1 = x[i] + 10.0 * x[i + 1], t2 = x[i + 2] - x[i + 3];
        double t3 = x[i + 1] - 2.0 * x[i + 2], t4 = x[i] - x[i + 3];
        double t3c = t3 * t3 * t3, t4c = t4 * t4 * t4;
        f += t1 * t1 + 5.0 * t2 * t2 + t3 * t3c + 10.0 * t4 * t4c;
        if (g) {
            g[i] = 2.0 * t1 + 40.0 * t4c;
            g[i + 1] = 20.0 * t1 + 4.0 * t3c;
            g[i + 2] = 10.0 * t2 - 8.0 * t3c;
            g[i + 3] = -10.0 * t2 - 40.0 * t4c;
        }
    }
    return f;
}

static void powell_start(double *x, size_t n)
{
    static const double block[4] = {3.0, -1.0, 0.0, 1.0};
    for (size_t i = 0; i < n; i++)
        x[i] = block[i % 4];
}

static double beale(struct problem *p, const double *x, double *g)
{
    (void)p;
    static const double y[3] = {1.5, 2.25, 2.625};
    double f = 0.0, g0 = 0.0, g1 = 0.0, pw = 1.0; /* pw = x2^(i-1) */
    for (int i = 1; i <= 3; i++) {
        double r = y[i - 1] - x[0] * (1.0 - pw * x[1]);
        f += r * r;
        g0 += 2.0 * r * -(1.0 - pw * x[1]);
        g1 += 2.0 * r * x[0] * i * pw;
        pw *= x[1];
    }
    if (g)
        g[0] = g0, g[1] = g1;
    return f;
}

static void beale_start(double *x, size_t n)
{
    (void)n;
    x[0] = x[1] = 1.0;
}

static double wood(struct problem *p, const double *x, double *g)
{
    (void)p;
    double a = x[1] - x[0] * x[0], b = 1.0 - x[0], c = x[3] - x[2] * x[2], d = 1.0 - x[2];
    double e = x[1] + x[3] - 2.0, h = x[1] - x[3];
    if (g) {
        g[0] = -400.0 * x[0] * a - 2.0 * b;
        g[1] = 200.0 * a + 20.0 * e + 0.2 * h;
        g[2] = -360.0 * x[2] * c - 2.0 * d;
        g[3] = 180.0 * c + 20.0 * e - 0.2 * h;
    }
    return 100.0 * a * a + b * b + 90.0 * c * c + d * d + 10.0 * e * e + 0.1 * h * h;
}

static void wood_start(double *x, size_t n)
{
    (void)n;
    x[0] = x[2] = -3.0;
    x[1] = x[3] = -1.0;
}

static double helical(struct problem *p, const double *x, double *g)
{
    (void)p;
    double theta = atan(x[1] / x[0]) / (2.0 * PI) + (x[0] < 0.0 ? 0.5 : 0.0);
    double r2 = x[0] * x[0] + x[1] * x[1], r = sqrt(r2);
    double f1 = 10.0 * (x[2] - 10.0 * theta), f2 = 10.0 * (r - 1.0), f3 = x[2];
    if (g) {
        double dt0 = -x[1] / (2.0 * PI * r2), dt1 = x[0] / (2.0 * PI * r2);
        g[0] = 2.0 * f1 * -100.0 * dt0 + 2.0 * f2 * 10.0 * x[0] / r;
        g[1] = 2.0 * f1 * -100.0 * dt1 + 2.0 * f2 * 10.0 * x[1] / r;
        g[2] = 2.0 * f1 * 10.0 + 2.0 * f3;
    }
    return f1 * f1 + f2 * f2 + f3 * f3;
}

static void helical_start(double *x, size_t n)
{
    (void)n;
    x[0] = -1.0;
    x[1] = x[2] = 0.0;
}

static double brown(struct problem *p, const double *x, double *g)
{
    (void)p;
    double f1 = x[0] - 1e6, f2 = x[1] - 2e-6, f3 = x[0] * x[1] - 2.0;
    if (g) {
        g[0] = 2.0 * f1 + 2.0 * f3 * x[1];
        g[1] = 2.0 * f2 + 2.0 * f3 * x[0];
    }
    return f1 * f1 + f2 * f2 + f3 * f3;
}

static void ones_start(double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = 1.0;
}

/* r_i = n - sum_j cos x_j + i (1 - cos x_i) - sin x_i, i = 1..n; scratch holds r. */
static double trigonometric(struct problem *p, const double *x, double *g)
{
    size_t n = p->n;
    double cos_sum = 0.0, f = 0.0, r_sum = 0.0;
    for (size_t j = 0; j < n; j++)
        cos_sum += cos(x[j]);
    for (size_t i = 0; i < n; i++) {
        double r = (double)n - cos_sum + (double)(i + 1) * (1.0 - cos(x[i])) - sin(x[i]);
        p->scratch[i] = r;
        f += r * r;
        r_sum += r;
    }
    if (g)
        for (size_t j = 0; j < n; j++) {
            double s = sin(x[j]);
            g[j] = 2.0 * s * r_sum + 2.0 * p->scratch[j] * ((double)(j + 1) * s - cos(x[j]));
        }
    return f;
}

static void trigonometric_start(double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = 1.0 / (double)n;
}

static double penalty1(struct problem *p, const double *x, double *g)
{
    const double a = 1e-5;
    double f = 0.0, sq = 0.0;
    for (size_t i = 0; i < p->n; i++) {
        f += a * (x[i] - 1.0) * (x[i] - 1.0);
        sq += x[i] * x[i];
    }
    double t = sq - 0.25;
    if (g)
        for (size_t i = 0; i < p->n; i++)
            g[i] = 2.0 * a * (x[i] - 1.0) + 4.0 * t * x[i];
    return f + t * t;
}

static void penalty1_start(double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (double)(i + 1);
}

static double variably(struct problem *p, const double *x, double *g)
{
    double f = 0.0, s = 0.0;
    for (size_t i = 0; i < p->n; i++) {
        f += (x[i] - 1.0) * (x[i] - 1.0);
        s += (double)(i + 1) * (x[i] - 1.0);
    }
    if (g)
        for (size_t i = 0; i < p->n; i++)
            g[i] = 2.0 * (x[i] - 1.0) + (2.0 * s + 4.0 * s * s * s) * (double)(i + 1);
    return f + s * s + s * s * s * s;
}

static void variably_start(double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = 1.0 - (double)(i + 1) / (double)n;
}

/* The bundled objectives, through gd_objective_eval as any caller would. */
static double bundled(struct problem *p, const double *x, double *g)
{
    double f;
    gd_objective_eval(p->obj, x, &f, g ? g : p->grad);
    return f;
}

static void zero_start(double *x, size_t n)
{
    memset(x, 0, n * sizeof *x);
}

/* Every solver's calls come here: counted and timed. */
static double call(struct problem *p, const double *x, double *g)
{
    double start = now();
    double f = p->fdf(p, x, g);
    p->eval_time += now() - start;
    p->evaluations++;
    return f;
}

static double norm2(const double *v, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += v[i] * v[i];
    return sqrt(s);
}

/* ---- synthetic data for the bundled objectives (Knuth's MMIX LCG) ---- */

static double lcg_uniform(uint64_t *s)
{
    *s = *s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return ((double)(*s >> 11) + 0.5) / 9007199254740992.0;
}

static double lcg_normal(uint64_t *s)
{
    double u = lcg_uniform(s), v = lcg_uniform(s);
    return sqrt(-2.0 * log(u)) * cos(2.0 * PI * v);
}

enum { DATA_M = 100000, DATA_P = 20 };

/* Features of scale 1 .. 10 (column j has scale 1 + 9 j / (p - 1)), w* = 1 / scale. */
static void make_data(double *X, double *w, uint64_t *seed)
{
    for (size_t j = 0; j < DATA_P; j++)
        w[j] = (lcg_uniform(seed) - 0.5) * 2.0 / (1.0 + 9.0 * (double)j / (DATA_P - 1));
    for (size_t i = 0; i < DATA_M; i++)
        for (size_t j = 0; j < DATA_P; j++)
            X[i * DATA_P + j] = lcg_normal(seed) * (1.0 + 9.0 * (double)j / (DATA_P - 1));
}

static gd_objective *make_least_squares(void)
{
    double *X = malloc(sizeof(double) * DATA_M * DATA_P), *y = malloc(sizeof(double) * DATA_M);
    double w[DATA_P];
    uint64_t seed = 2024;
    make_data(X, w, &seed);
    for (size_t i = 0; i < DATA_M; i++) {
        double z = 0.5;
        for (size_t j = 0; j < DATA_P; j++)
            z += X[i * DATA_P + j] * w[j];
        y[i] = z + 0.1 * lcg_normal(&seed);
    }
    gd_objective *obj = gd_least_squares_new(DATA_M, DATA_P, X, y, 0.5, GD_LS_INTERCEPT);
    free(X);
    free(y);
    return obj;
}

static gd_objective *make_logistic(void)
{
    double *X = malloc(sizeof(double) * DATA_M * DATA_P), *y = malloc(sizeof(double) * DATA_M);
    double w[DATA_P];
    uint64_t seed = 4048;
    make_data(X, w, &seed);
    for (size_t i = 0; i < DATA_M; i++) {
        double z = -0.25;
        for (size_t j = 0; j < DATA_P; j++)
            z += X[i * DATA_P + j] * w[j] * 2.0;
        y[i] = lcg_uniform(&seed) < 1.0 / (1.0 + exp(-z)) ? 1.0 : 0.0;
    }
    gd_objective *obj = gd_logistic_new(DATA_M, DATA_P, X, y, 1e-4, GD_INTERCEPT);
    free(X);
    free(y);
    return obj;
}

/* ---- the solvers ---- */

struct result {
    int solved;
    long iterations;
    double f, seconds;
};

typedef struct result (*solver_fn)(struct problem *p, double *x, int variant);

static struct result finish(struct problem *p, const double *x, int solved, long iterations)
{
    struct result r = {solved, iterations, p->fdf(p, x, NULL), 0.0};
    return r;
}

static int gd_callback(const double *x, size_t n, double *f, double *grad, void *user)
{
    (void)n;
    *f = call(user, x, grad);
    return 0;
}

static int gd_stop_test(size_t iter, const double *x, size_t n, double f, void *user)
{
    (void)iter, (void)f;
    return gd_optimizer_last_grad_norm(user) <= TOLERANCE * fmax(1.0, norm2(x, n));
}

/* variant: the history size */
static struct result solve_libgd(struct problem *p, double *x, int history)
{
    gd_objective *obj = gd_objective_new(p->n, gd_callback, p);
    gd_optimizer *opt = gd_optimizer_new(GD_LBFGS, p->n);
    gd_optimizer_set(opt, GD_PARAM_HISTORY_SIZE, history);
    gd_optimizer_set(opt, GD_PARAM_LINE_SEARCH, GD_LINE_SEARCH_STRONG_WOLFE);
    gd_optimizer_set(opt, GD_PARAM_TOLERANCE_GRAD, 0.0);
    gd_optimizer_set(opt, GD_PARAM_TOLERANCE_CHANGE, 0.0);
    gd_optimizer_set(opt, GD_PARAM_MAX_ITER, MAX_ITERATIONS);
    gd_optimizer_set_monitor(opt, gd_stop_test, opt);
    int status = gd_minimize(opt, obj, x, NULL);
    long iterations = (long)gd_optimizer_iterations(opt);
    gd_optimizer_free(opt);
    gd_objective_free(obj);
    return finish(p, x, status == GD_STOP_USER, iterations);
}

#ifdef HAVE_LBFGS
static lbfgsfloatval_t lbfgs_evaluate(void *p, const lbfgsfloatval_t *x, lbfgsfloatval_t *g, int n,
                                      lbfgsfloatval_t step)
{
    (void)n, (void)step;
    return call(p, x, g);
}

static int lbfgs_progress(void *p, const lbfgsfloatval_t *x, const lbfgsfloatval_t *g,
                          lbfgsfloatval_t fx, lbfgsfloatval_t xnorm, lbfgsfloatval_t gnorm,
                          lbfgsfloatval_t step, int n, int k, int ls)
{
    (void)x, (void)g, (void)fx, (void)xnorm, (void)gnorm, (void)step, (void)n, (void)ls;
    ((struct problem *)p)->reported = k;
    return 0;
}

static struct result solve_lbfgs(struct problem *p, double *x, int variant)
{
    (void)variant;
    lbfgs_parameter_t param;
    lbfgs_parameter_init(&param);
    param.epsilon = TOLERANCE;
    param.max_iterations = MAX_ITERATIONS;
    lbfgsfloatval_t *v = lbfgs_malloc((int)p->n), fx;
    memcpy(v, x, p->n * sizeof *v);
    p->reported = 0;
    int status = lbfgs((int)p->n, v, &fx, lbfgs_evaluate, lbfgs_progress, p, &param);
    memcpy(x, v, p->n * sizeof *x);
    lbfgs_free(v);
    return finish(p, x, status == LBFGS_SUCCESS, p->reported);
}
#endif

#ifdef HAVE_GSL
static double gsl_f(const gsl_vector *x, void *p)
{
    return call(p, x->data, NULL);
}

static void gsl_df(const gsl_vector *x, void *p, gsl_vector *g)
{
    call(p, x->data, g->data);
}

static void gsl_fdf(const gsl_vector *x, void *p, double *f, gsl_vector *g)
{
    *f = call(p, x->data, g->data);
}

/* variant 0: vector_bfgs2, 1: conjugate_fr */
static struct result solve_gsl(struct problem *p, double *x, int variant)
{
    gsl_multimin_function_fdf fn = {gsl_f, gsl_df, gsl_fdf, p->n, p};
    gsl_vector_view start = gsl_vector_view_array(x, p->n);
    const gsl_multimin_fdfminimizer_type *type =
        variant ? gsl_multimin_fdfminimizer_conjugate_fr : gsl_multimin_fdfminimizer_vector_bfgs2;
    gsl_multimin_fdfminimizer *s = gsl_multimin_fdfminimizer_alloc(type, p->n);
    gsl_multimin_fdfminimizer_set(s, &fn, &start.vector, 0.01, variant ? 1e-4 : 0.1);
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
    return finish(p, x, status == GSL_SUCCESS, k);
}
#endif

struct solver {
    const char *name;
    solver_fn solve;
    int variant;
};

static const struct solver solvers[] = {
    {"libgd m=6", solve_libgd, 6}, {"libgd m=10", solve_libgd, 10},
#ifdef HAVE_LBFGS
    {"liblbfgs", solve_lbfgs, 0},
#endif
#ifdef HAVE_GSL
    {"GSL bfgs2", solve_gsl, 0},   {"GSL conjugate_fr", solve_gsl, 1},
#endif
};
enum { SOLVERS = sizeof solvers / sizeof solvers[0] };

/* One solver on one problem: the median time of up to 5 runs when one takes less than
 * 20 ms; counts from the last. */
static struct result run(const struct solver *s, struct problem *p, double *x, int max_repeats)
{
    double t[5];
    struct result r = {0};
    int repeats = 0;
    while (repeats < max_repeats) {
        p->start(x, p->n);
        p->evaluations = 0;
        p->eval_time = 0.0;
        double start = now();
        r = s->solve(p, x, s->variant);
        t[repeats++] = now() - start;
        if (t[0] > 0.02)
            break;
    }
    qsort(t, (size_t)repeats, sizeof t[0], by_value);
    r.seconds = t[repeats / 2];
    return r;
}

/* ---- the gradient check ---- */

static int check_gradient(struct problem *p)
{
    size_t n = p->n;
    double *x = malloc(n * sizeof *x), *g = malloc(n * sizeof *g);
    uint64_t seed = 99;
    int bad = 0;
    for (int point = 0; point < 2; point++) {
        p->start(x, n);
        if (point)
            for (size_t i = 0; i < n; i++)
                x[i] += 0.2 * (lcg_uniform(&seed) - 0.5);
        p->fdf(p, x, g);
        double gmax = 0.0, worst = 0.0;
        for (size_t i = 0; i < n; i++)
            gmax = fmax(gmax, fabs(g[i]));
        for (size_t i = 0; i < n; i++) {
            double xi = x[i], h = 1e-6 * fmax(1.0, fabs(xi));
            x[i] = xi + h;
            double fp = p->fdf(p, x, NULL);
            x[i] = xi - h;
            double fm = p->fdf(p, x, NULL);
            x[i] = xi;
            worst = fmax(worst, fabs((fp - fm) / (2.0 * h) - g[i]));
        }
        if (!(worst <= 1e-4 * (1.0 + gmax))) {
            fprintf(stderr, "gradient check failed: %s n=%zu point %d: %.3g (max |g| %.3g)\n",
                    p->name, n, point, worst, gmax);
            bad = 1;
        }
    }
    free(x);
    free(g);
    return bad;
}

/* ---- main ---- */

struct spec {
    const char *name;
    fdf_fn fdf;
    void (*start)(double *x, size_t n);
    size_t n[3];
};

static const struct spec specs[] = {
    {"ext. Rosenbrock", rosenbrock, rosenbrock_start, {2, 100, 10000}},
    {"ext. Powell singular", powell, powell_start, {4, 100, 10000}},
    {"Beale", beale, beale_start, {2, 0, 0}},
    {"Wood", wood, wood_start, {4, 0, 0}},
    {"helical valley", helical, helical_start, {3, 0, 0}},
    {"Brown badly scaled", brown, ones_start, {2, 0, 0}},
    {"trigonometric", trigonometric, trigonometric_start, {10, 100, 1000}},
    {"penalty I", penalty1, penalty1_start, {10, 100, 0}},
    {"variably dimensioned", variably, variably_start, {10, 100, 0}},
    {"least squares m=1e5", bundled, zero_start, {DATA_P + 1, 0, 0}},
    {"logistic m=1e5", bundled, zero_start, {DATA_P + 1, 0, 0}},
};
enum { SPECS = sizeof specs / sizeof specs[0] };

static struct problem make_problem(const struct spec *s, size_t n)
{
    struct problem p = {.name = s->name, .n = n, .fdf = s->fdf, .start = s->start};
    p.scratch = calloc(n, sizeof(double));
    p.grad = calloc(n, sizeof(double));
    if (s->fdf == bundled)
        p.obj = strncmp(s->name, "least", 5) == 0 ? make_least_squares() : make_logistic();
    return p;
}

static void free_problem(struct problem *p)
{
    free(p->scratch);
    free(p->grad);
    gd_objective_free(p->obj);
}

static void time_per_iteration(int quick)
{
    printf("\nextended Rosenbrock, time per iteration (medians of 3 runs to the same stop)\n");
    printf("| n | library | iterations | evaluations | total ms | us/iteration | us/iteration "
           "beyond f |\n| --- | --- | --- | --- | --- | --- | --- |\n");
    const size_t sizes[] = {10000, 100000, 1000000};
    for (size_t k = 0; k < (quick ? 2u : 3u); k++) {
        struct problem p = make_problem(&specs[0], sizes[k]);
        double *x = malloc(sizes[k] * sizeof *x);
        for (size_t s = 0; s < SOLVERS; s++) {
            if (solvers[s].solve != solve_libgd || solvers[s].variant != 6) {
#ifdef HAVE_LBFGS
                if (solvers[s].solve != solve_lbfgs)
#endif
                    continue;
            }
            double total[3], beyond[3];
            struct result r = {0};
            for (int rep = 0; rep < 3; rep++) {
                r = run(&solvers[s], &p, x, 1);
                total[rep] = r.seconds;
                beyond[rep] = r.seconds - p.eval_time;
            }
            qsort(total, 3, sizeof total[0], by_value);
            qsort(beyond, 3, sizeof beyond[0], by_value);
            double it = (double)(r.iterations > 0 ? r.iterations : 1);
            printf("| %zu | %s | %ld | %ld | %.2f | %.1f | %.1f |\n", sizes[k], solvers[s].name,
                   r.iterations, p.evaluations, total[1] * 1e3, total[1] / it * 1e6,
                   beyond[1] / it * 1e6);
        }
        free(x);
        free_problem(&p);
    }
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    if (argc > 1 && !quick) {
        fprintf(stderr, "usage: bench_lbfgs [--quick]\n");
        return 2;
    }
#ifdef HAVE_GSL
    gsl_set_error_handler_off();
#endif
    /* the gradients, at small sizes of the scalable problems */
    int bad = 0;
    for (size_t s = 0; s < SPECS; s++) {
        size_t n = specs[s].n[0] < 8 && specs[s].n[1] ? 8 : specs[s].n[0];
        struct problem p = make_problem(&specs[s], n);
        bad |= check_gradient(&p);
        free_problem(&p);
    }
    if (bad)
        return 1;
    printf("gradients agree with central differences\n");
    printf("stop: ||g|| <= 1e-6 max(1, ||x||); evaluations = callback calls\n");
    printf("| problem | n | library | solved | evaluations | iterations | final f | ms |\n"
           "| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    double log_ratio[2] = {0.0, 0.0};
    int ratios = 0, unsolved = 0;
    for (size_t s = 0; s < SPECS; s++)
        for (size_t k = 0; k < 3 && specs[s].n[k]; k++) {
            if (quick && specs[s].n[k] >= 10000)
                continue;
            struct problem p = make_problem(&specs[s], specs[s].n[k]);
            double *x = malloc(p.n * sizeof *x);
            long evals[SOLVERS];
            int solved[SOLVERS];
            for (size_t v = 0; v < SOLVERS; v++) {
                struct result r = run(&solvers[v], &p, x, 5);
                evals[v] = p.evaluations;
                solved[v] = r.solved;
                unsolved += !r.solved && solvers[v].solve == solve_libgd;
                printf("| %s | %zu | %s | %s | %ld | %ld | %.6g | %.3f |\n", p.name, p.n,
                       solvers[v].name, r.solved ? "yes" : "NO", p.evaluations, r.iterations, r.f,
                       r.seconds * 1e3);
            }
#ifdef HAVE_LBFGS
            if (solved[0] && solved[1] && solved[2]) {
                log_ratio[0] += log((double)evals[0] / (double)evals[2]);
                log_ratio[1] += log((double)evals[1] / (double)evals[2]);
                ratios++;
            }
#else
            (void)evals, (void)solved;
#endif
            free(x);
            free_problem(&p);
        }
    printf("\nlibgd runs not solved: %d\n", unsolved);
    if (ratios)
        printf("geometric mean of evaluations over liblbfgs's (%d problems solved by all "
               "three): libgd m=6 %.3f, libgd m=10 %.3f\n",
               ratios, exp(log_ratio[0] / ratios), exp(log_ratio[1] / ratios));
    time_per_iteration(quick);
    return 0;
}
