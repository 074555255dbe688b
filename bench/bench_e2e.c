/*
 * bench_e2e - whole runs to a stated accuracy against the classical solution of the
 * same problem:
 *
 *  - the geometric median of m random 2-D points (m = 1e5, 1e6): Weiszfeld's iteration
 *    run to convergence gives f*, then gradient descent and Adam run until
 *    f <= f* (1 + 1e-6); and m = 1e5 with the points, the start and the steps times
 *    1e160, where every squared distance overflows and the library rescales each;
 *  - least squares with m = 1e6 samples of p = 8 features of different scales (and an
 *    intercept): the normal equations (Cholesky of X'X) give f*, then gradient descent
 *    (step 1/lambda_max of X'X/m) and Adam run to the same relative accuracy.
 *
 * Reported: iterations, seconds and seconds per iteration (one run each: these are
 * long).  A run that has not reached the accuracy at its iteration cap says so.
 *
 * usage: bench_e2e [--quick]   (--quick: m divided by 10)
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

#define ACCURACY 1e-6

static double uniform(uint64_t *s)
{
    *s = *s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return (double)(*s >> 11) / 9007199254740992.0;
}

static void *checked_malloc(size_t bytes)
{
    void *p = malloc(bytes);
    if (!p) {
        fprintf(stderr, "bench_e2e: out of memory\n");
        exit(1);
    }
    return p;
}

/* Stops gd_minimize once f reaches the target. */
static int reached(size_t iter, const double *x, size_t n, double f, void *target)
{
    (void)iter, (void)x, (void)n;
    return f <= *(const double *)target;
}

struct run_spec {
    const char *name;
    gd_method method;
    double lr;
    size_t max_iter;
};

/* Runs one method from x0 until f <= target; prints a row. */
static void run_to_target(const char *problem, gd_objective *obj, const double *x0, size_t n,
                          double target, struct run_spec spec)
{
    gd_optimizer *opt = gd_optimizer_new(spec.method, n);
    double *x = checked_malloc(n * sizeof *x);
    memcpy(x, x0, n * sizeof *x);
    gd_optimizer_set(opt, GD_PARAM_LR, spec.lr);
    gd_optimizer_set(opt, GD_PARAM_MAX_ITER, (double)spec.max_iter);
    gd_optimizer_set_monitor(opt, reached, &target);
    double start = now();
    int status = gd_minimize(opt, obj, x, NULL);
    double seconds = now() - start;
    size_t iterations = gd_optimizer_iterations(opt);
    const char *failure = status < 0 ? gd_strerror(status) : "NOT reached (iteration cap)";
    printf("%-26s %-22s %8zu %10.3f %12.1f  %s\n", problem, spec.name, iterations, seconds,
           seconds / (double)iterations * 1e6, status == GD_STOP_USER ? "reached" : failure);
    free(x);
    gd_optimizer_free(opt);
}

/* ---- geometric median ---- */

static double median_value(const double *pts, size_t m, const double *x)
{
    double s = 0.0;
    for (size_t i = 0; i < m; i++)
        s += hypot(x[0] - pts[2 * i], x[1] - pts[2 * i + 1]);
    return s / (double)m;
}

/* Weiszfeld: x <- sum(p_i / d_i) / sum(1 / d_i), from the centroid, until the step is
 * below 1e-15 of |x|. */
static size_t weiszfeld(const double *pts, size_t m, double *x)
{
    x[0] = x[1] = 0.0;
    for (size_t i = 0; i < m; i++) {
        x[0] += pts[2 * i] / (double)m;
        x[1] += pts[2 * i + 1] / (double)m;
    }
    size_t k;
    for (k = 1; k <= 10000; k++) {
        double sx = 0.0, sy = 0.0, sw = 0.0;
        for (size_t i = 0; i < m; i++) {
            double d = hypot(x[0] - pts[2 * i], x[1] - pts[2 * i + 1]);
            if (d == 0.0)
                continue;
            sx += pts[2 * i] / d;
            sy += pts[2 * i + 1] / d;
            sw += 1.0 / d;
        }
        double step = hypot(sx / sw - x[0], sy / sw - x[1]);
        x[0] = sx / sw;
        x[1] = sy / sw;
        if (step <= 1e-15 * hypot(x[0], x[1]))
            break;
    }
    return k;
}

/* The cloud, the start and the learning rates are multiplied by unit. */
static void bench_median(size_t m, double unit)
{
    double *pts = checked_malloc(2 * m * sizeof *pts), star[2];
    uint64_t seed = 2026;
    for (size_t i = 0; i < 2 * m; i++)
        pts[i] = uniform(&seed) * (i % 2 ? 1.0 : 3.0) * unit;
    double start = now();
    size_t k = weiszfeld(pts, m, star);
    double seconds = now() - start, f_star = median_value(pts, m, star);
    char problem[64];
    snprintf(problem, sizeof problem, unit == 1.0 ? "median m=%zu" : "median m=%zu x %g", m, unit);
    printf("%-26s %-22s %8zu %10.3f %12.1f  f* = %.15g\n", problem, "Weiszfeld (reference)", k,
           seconds, seconds / (double)k * 1e6, f_star);
    gd_objective *obj = gd_geometric_median_new(m, 2, pts, NULL);
    const double x0[2] = {0.1 * unit, 0.1 * unit};
    double target = f_star * (1.0 + ACCURACY);
    run_to_target(problem, obj, x0, 2, target,
                  (struct run_spec){"gd lr 0.5", GD_SGD, 0.5 * unit, 2000});
    run_to_target(problem, obj, x0, 2, target,
                  (struct run_spec){"adam lr 0.01", GD_ADAM, 0.01 * unit, 2000});
    gd_objective_free(obj);
    free(pts);
}

/* ---- least squares ---- */

enum { P = 8, N = P + 1 };

/* Solves A w = b for the symmetric positive definite N x N matrix A (overwritten). */
static void cholesky_solve(double A[N][N], const double b[N], double w[N])
{
    for (int j = 0; j < N; j++) {
        for (int k = 0; k < j; k++)
            A[j][j] -= A[j][k] * A[j][k];
        A[j][j] = sqrt(A[j][j]);
        for (int i = j + 1; i < N; i++) {
            for (int k = 0; k < j; k++)
                A[i][j] -= A[i][k] * A[j][k];
            A[i][j] /= A[j][j];
        }
    }
    double z[N];
    for (int i = 0; i < N; i++) {
        z[i] = b[i];
        for (int k = 0; k < i; k++)
            z[i] -= A[i][k] * z[k];
        z[i] /= A[i][i];
    }
    for (int i = N - 1; i >= 0; i--) {
        w[i] = z[i];
        for (int k = i + 1; k < N; k++)
            w[i] -= A[k][i] * w[k];
        w[i] /= A[i][i];
    }
}

/* Row i of the design with the intercept column: (X_i, 1). */
static void design_row(const double *X, size_t i, double row[N])
{
    memcpy(row, X + i * P, P * sizeof *row);
    row[P] = 1.0;
}

static void normal_equations(const double *X, const double *y, size_t m, double A[N][N],
                             double w[N])
{
    double b[N] = {0}, row[N];
    memset(A, 0, sizeof(double[N][N]));
    for (size_t i = 0; i < m; i++) {
        design_row(X, i, row);
        for (int r = 0; r < N; r++) {
            b[r] += row[r] * y[i] / (double)m;
            for (int c = 0; c <= r; c++)
                A[r][c] += row[r] * row[c] / (double)m;
        }
    }
    for (int r = 0; r < N; r++)
        for (int c = r + 1; c < N; c++)
            A[r][c] = A[c][r];
    double L[N][N];
    memcpy(L, A, sizeof L);
    cholesky_solve(L, b, w);
}

/* Largest eigenvalue of the symmetric A by power iteration. */
static double largest_eigenvalue(double A[N][N])
{
    double v[N], lambda = 0.0;
    for (int i = 0; i < N; i++)
        v[i] = 1.0;
    for (int k = 0; k < 500; k++) {
        double u[N] = {0}, norm = 0.0;
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++)
                u[i] += A[i][j] * v[j];
        for (int i = 0; i < N; i++)
            norm += u[i] * u[i];
        norm = sqrt(norm);
        for (int i = 0; i < N; i++)
            v[i] = u[i] / norm;
        lambda = norm;
    }
    return lambda;
}

static void bench_least_squares(size_t m)
{
    double *X = checked_malloc(m * P * sizeof *X), *y = checked_malloc(m * sizeof *y);
    uint64_t seed = 7;
    for (size_t i = 0; i < m; i++) {
        double target = 0.5;
        for (int j = 0; j < P; j++) {
            double v = (uniform(&seed) - 0.5) * (double)(j + 1); /* scales 1..8 */
            X[i * P + j] = v;
            target += v * (j % 2 ? -1.0 : 1.0) / (double)(j + 1);
        }
        y[i] = target + 0.1 * (uniform(&seed) - 0.5);
    }
    double A[N][N], w_star[N];
    double start = now();
    normal_equations(X, y, m, A, w_star);
    double seconds = now() - start;
    gd_objective *obj = gd_least_squares_new(m, P, X, y, 0.5, GD_LS_INTERCEPT);
    double f_star;
    gd_objective_eval(obj, w_star, &f_star, NULL);
    char problem[64];
    snprintf(problem, sizeof problem, "least squares m=%zu p=%d", m, P);
    printf("%-26s %-22s %8d %10.3f %12.1f  f* = %.15g\n", problem, "normal equations (ref)", 1,
           seconds, seconds * 1e6, f_star);
    double lr = 1.0 / largest_eigenvalue(A), x0[N] = {0}, target = f_star * (1.0 + ACCURACY);
    char name[32];
    snprintf(name, sizeof name, "gd lr 1/lmax = %.3g", lr);
    run_to_target(problem, obj, x0, N, target, (struct run_spec){name, GD_SGD, lr, 3000});
    run_to_target(problem, obj, x0, N, target,
                  (struct run_spec){"adam lr 0.05", GD_ADAM, 0.05, 3000});
    gd_objective_free(obj);
    free(X);
    free(y);
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    if (argc > 1 && !quick) {
        fprintf(stderr, "usage: bench_e2e [--quick]\n");
        return 2;
    }
    size_t scale = quick ? 10 : 1;
    printf("to f <= f* (1 + %g); one run each\n", ACCURACY);
    printf("%-26s %-22s %8s %10s %12s\n", "problem", "method", "iters", "seconds", "us/iter");
    bench_median(100000 / scale, 1.0);
    bench_median(1000000 / scale, 1.0);
    bench_median(100000 / scale, 1e160);
    bench_least_squares(1000000 / scale);
    return 0;
}
