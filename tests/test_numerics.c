/*
 * test_numerics.c - results that must not depend on the magnitude of the numbers: the
 * XTOL criterion from tiny to huge iterates, and the bundled objectives' gradients at
 * the largest finite scales.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>

#include <gdescent.h>

/* ---- XTOL at every scale ---- */

enum { N = 11 }; /* both the 8-lane part and the tail of the library's sums */

/* Powers of two, so that scaling by them is exact: their squares underflow (the first
 * two) or overflow (the last two). */
static const double units[] = {0x1p-1000, 0x1p-565, 1.0, 0x1p664, 0x1p1000};

/* f(x) = ||x - c||^2 / (2u), gradient (x - c) / u: both of order 1 in units of u, so
 * that SGD with lr = a * u steps by a * (x - c) at any u. */
struct bowl {
    double u, c[N];
};

static int bowl_fdf(const double *x, size_t n, double *f, double *grad, void *user)
{
    const struct bowl *b = user;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = (x[i] - b->c[i]) / b->u;
        sum += d * d;
        if (grad)
            grad[i] = d;
    }
    *f = 0.5 * b->u * sum;
    return 0;
}

/* x0 = u * (1, -2, 3, -4, ...) */
static void start(double u, double factor, double *x)
{
    for (size_t i = 0; i < N; i++)
        x[i] = factor * u * (double)(i % 2 ? -(int)(i + 1) : (int)(i + 1));
}

/* SGD with lr = a * u, xtol and max_iter: the stop reason, and the updates made. */
static int run(struct bowl *b, double *x, double a, double xtol, size_t max_iter,
               size_t *iterations)
{
    gd_objective *obj = gd_objective_new(N, bowl_fdf, b);
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, N);
    assert_non_null(obj);
    assert_non_null(opt);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LR, a * b->u), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_XTOL, xtol), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MAX_ITER, (double)max_iter), GD_OK);
    int rc = gd_minimize(opt, obj, x, NULL);
    *iterations = gd_optimizer_iterations(opt);
    gd_optimizer_free(opt);
    gd_objective_free(obj);
    return rc;
}

/* From x0 = 2c with lr = u, the first update lands on c: a step as long as x_1, which
 * xtol = 0.5 does not stop; the second update is 0, which stops.  The squares of the
 * step underflow at u = 2^-565 (there the run used to stop after one update) and
 * overflow at u = 2^664. */
static void test_xtol_step_as_long_as_x(void **state)
{
    (void)state;
    for (size_t s = 0; s < sizeof units / sizeof units[0]; s++) {
        struct bowl b = {.u = units[s]};
        double x[N];
        start(b.u, 1.0, b.c);
        start(b.u, 2.0, x);
        size_t iterations;
        assert_int_equal(run(&b, x, 1.0, 0.5, 10, &iterations), GD_STOP_XTOL);
        assert_int_equal(iterations, 2);
        for (size_t i = 0; i < N; i++)
            assert_true(x[i] == b.c[i]);
    }
}

/* With c = 0 and lr = a u every update is x_k = (1 - a) x_{k-1}: the relative step is
 * a / (1 - a) at every iterate and scale.  xtol 1e-3 stops at the first update (at
 * u = 2^664 the squares of the step overflow, and the run used to go on to max_iter);
 * xtol 1% above the relative step stops there too, 1% below it never stops. */
static void test_xtol_small_relative_step(void **state)
{
    (void)state;
    const double a = 1e-5, relative = a / (1.0 - a);
    const struct {
        double xtol;
        int reason;
        size_t iterations;
    } cases[] = {
        {1e-3, GD_STOP_XTOL, 1},
        {1.01 * relative, GD_STOP_XTOL, 1},
        {0.99 * relative, GD_STOP_MAXITER, 5},
    };
    for (size_t s = 0; s < sizeof units / sizeof units[0]; s++) {
        for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
            struct bowl b = {.u = units[s]};
            double x[N];
            start(b.u, 1.0, x);
            size_t iterations;
            assert_int_equal(run(&b, x, a, cases[k].xtol, 5, &iterations), cases[k].reason);
            assert_int_equal(iterations, cases[k].iterations);
        }
    }
}

/* ---- gradients at the largest finite scales ---- */

static const double huge_scales[] = {1e308, -1e308, DBL_MAX};

/* f = scale ||x - c||^2: the gradient 2 scale (x - c) is exactly 0 at c, and elsewhere
 * exact for offsets that are powers of two, or infinite where it overflows. */
static void test_quadratic_gradient_at_huge_scale(void **state)
{
    (void)state;
    const double c[3] = {3.0, -1.5, 0.0};
    for (size_t s = 0; s < sizeof huge_scales / sizeof huge_scales[0]; s++) {
        double scale = huge_scales[s], f, g[3];
        gd_objective *obj = gd_quadratic_new(3, c, scale);
        assert_non_null(obj);
        assert_int_equal(gd_objective_eval(obj, c, &f, g), GD_OK);
        assert_true(f == 0.0);
        for (size_t i = 0; i < 3; i++)
            assert_true(g[i] == 0.0);
        const double d[3] = {0.25, -0.5, 0x1p-1000};
        double x[3];
        for (size_t i = 0; i < 3; i++)
            x[i] = c[i] + d[i];
        assert_int_equal(gd_objective_eval(obj, x, &f, g), GD_OK);
        for (size_t i = 0; i < 3; i++)
            assert_true(g[i] == scale * d[i] * 2.0); /* exact: scaled by powers of two */
        x[0] = c[0] + 1.0;                           /* 2 scale overflows */
        assert_int_equal(gd_objective_eval(obj, x, &f, g), GD_OK);
        assert_true(isinf(g[0]) && (g[0] > 0) == (scale > 0));
        gd_objective_free(obj);
    }
}

/* Least squares with and without intercept: the gradient (2 scale / m) sum_i r_i (X_i, 1)
 * is exactly 0 at the solution, and elsewhere the closed form within rounding. */
static void test_least_squares_gradient_at_huge_scale(void **state)
{
    (void)state;
    enum { M = 3, P = 2 };
    const double X[M * P] = {1.0, 2.0, 3.0, -1.0, 0.5, 4.0};
    const double w_star[P + 1] = {1.0, -1.0, 0.25};
    for (unsigned flags = 0; flags <= GD_LS_INTERCEPT; flags += GD_LS_INTERCEPT) {
        size_t n = flags ? P + 1 : P;
        double y[M];
        for (size_t i = 0; i < M; i++)
            y[i] = X[i * P] * w_star[0] + X[i * P + 1] * w_star[1] + (flags ? w_star[P] : 0.0);
        for (size_t s = 0; s < sizeof huge_scales / sizeof huge_scales[0]; s++) {
            double scale = huge_scales[s], f, g[P + 1];
            gd_objective *obj = gd_least_squares_new(M, P, X, y, scale, flags);
            assert_non_null(obj);
            assert_int_equal(gd_objective_eval(obj, w_star, &f, g), GD_OK);
            assert_true(f == 0.0);
            for (size_t j = 0; j < n; j++)
                assert_true(g[j] == 0.0);
            /* Residuals r_i = X_i . delta: small enough for a finite gradient. */
            const double delta[P + 1] = {0x1p-4, -0x1p-5, 0x1p-6};
            double w[P + 1], r[M];
            for (size_t j = 0; j < n; j++)
                w[j] = w_star[j] + delta[j];
            for (size_t i = 0; i < M; i++)
                r[i] = X[i * P] * delta[0] + X[i * P + 1] * delta[1] + (flags ? delta[P] : 0.0);
            assert_int_equal(gd_objective_eval(obj, w, &f, g), GD_OK);
            for (size_t j = 0; j < n; j++) {
                long double sum = 0.0L;
                for (size_t i = 0; i < M; i++)
                    sum += (long double)r[i] * (j < P ? X[i * P + j] : 1.0);
                double expected = 2.0 * (double)((long double)scale / M * sum);
                assert_true(isfinite(g[j]));
                assert_true(fabs(g[j] - expected) <= 4 * DBL_EPSILON * fabs(expected));
            }
            gd_objective_free(obj);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xtol_step_as_long_as_x),
        cmocka_unit_test(test_xtol_small_relative_step),
        cmocka_unit_test(test_quadratic_gradient_at_huge_scale),
        cmocka_unit_test(test_least_squares_gradient_at_huge_scale),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
