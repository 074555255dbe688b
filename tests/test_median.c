/*
 * test_median.c - the geometric median at extreme scales: distances whose squares
 * overflow (1e160) or underflow (1e-160, 1e-170) must still be right, in the 2-D fast
 * path and in the general path (3-D), and ordinary data must keep its values.
 *
 * The data are the corners (+-a, ..., +-a) of a cube and x = a u, so that f is a times
 * and the gradient the same as at a = 1: the mean of ||u - c|| and of
 * (u - c) / ||u - c|| over the corners c, computed here in long double.  In 2-D with
 * u = (2, 1): f = a (4 + sqrt 5 + sqrt 13) / 4 and
 * g = ((2 + 1/sqrt 5 + 3/sqrt 13) / 4, (2/sqrt 5 + 2/sqrt 13) / 4).
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

enum { MAX_DIM = 9, MAX_CORNERS = 1 << MAX_DIM };

static const double u2[2] = {2.0, 1.0}, u3[3] = {2.0, 1.0, 0.5};

static void assert_close(double actual, double expected, double rel_tol)
{
    if (!(fabs(actual - expected) <= rel_tol * fabs(expected)))
        fail_msg("%.17g differs from %.17g by more than %g relative", actual, expected, rel_tol);
}

/* The 2^dim corners of [-a, a]^dim, row-major. */
static gd_objective *cube(size_t dim, double a)
{
    double points[MAX_CORNERS * MAX_DIM];
    size_t m = (size_t)1 << dim;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < dim; j++)
            points[i * dim + j] = (i >> j) & 1 ? -a : a;
    gd_objective *f = gd_geometric_median_new(m, dim, points, NULL);
    assert_non_null(f);
    return f;
}

/* f / a and the gradient at u for the unit cube, in long double. */
static double unit_closed_form(size_t dim, const double *u, double *grad)
{
    size_t m = (size_t)1 << dim;
    long double f = 0.0L, g[MAX_DIM] = {0.0L};
    for (size_t i = 0; i < m; i++) {
        long double diff[MAX_DIM], sq = 0.0L;
        for (size_t j = 0; j < dim; j++) {
            diff[j] = u[j] - ((i >> j) & 1 ? -1.0L : 1.0L);
            sq += diff[j] * diff[j];
        }
        long double d = sqrtl(sq);
        f += d;
        for (size_t j = 0; j < dim; j++)
            g[j] += diff[j] / d;
    }
    for (size_t j = 0; j < dim; j++)
        grad[j] = (double)(g[j] / (long double)m);
    return (double)(f / (long double)m);
}

/* At x = a u: f within 1e-15 of a times the unit value, the gradient finite and equal
 * to the unit one (each element within 1e-15 of the gradient's norm, which is <= 1),
 * and f alone the same bits as f with the gradient. */
/* At x = a u, f and the gradient within tol, relative (to the gradient's norm). */
static void check_scale(size_t dim, const double *u, double a, double tol)
{
    gd_objective *f = cube(dim, a);
    double x[MAX_DIM], expected_g[MAX_DIM], g[MAX_DIM], value, f_only;
    double expected_f = unit_closed_form(dim, u, expected_g);
    for (size_t j = 0; j < dim; j++)
        x[j] = a * u[j];
    assert_int_equal(gd_objective_eval(f, x, &value, g), GD_OK);
    assert_close(value, (double)((long double)a * expected_f), tol);
    double norm = 0.0;
    for (size_t j = 0; j < dim; j++)
        norm += expected_g[j] * expected_g[j];
    norm = sqrt(norm);
    for (size_t j = 0; j < dim; j++) {
        assert_true(isfinite(g[j]));
        if (!(fabs(g[j] - expected_g[j]) <= tol * norm))
            fail_msg("a = %g: gradient[%zu] = %.17g, expected %.17g", a, j, g[j], expected_g[j]);
    }
    assert_int_equal(gd_objective_eval(f, x, &f_only, NULL), GD_OK);
    assert_memory_equal(&f_only, &value, sizeof value);
    gd_objective_free(f);
}

static const double extreme_scales[] = {1e160, 1e-160, 1e-170, 1e300, 1e-300};

static void test_extreme_scales_2d(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof extreme_scales / sizeof *extreme_scales; k++)
        check_scale(2, u2, extreme_scales[k], 1e-15);
}

static void test_extreme_scales_3d(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof extreme_scales / sizeof *extreme_scales; k++)
        check_scale(3, u3, extreme_scales[k], 1e-15);
}

/* Five and nine dimensions: the squared distance's four partial sums and its tail, at
 * ordinary and extreme scales, against the same closed form.  f and the gradient sum
 * 32 and 512 terms in order: within m u (u = 2^-53) of the exact sum, 4e-15 and
 * 6e-14. */
static void test_more_dimensions(void **state)
{
    (void)state;
    static const double u9[9] = {2.0, 1.0, 0.5, -0.25, 3.0, -1.5, 0.75, 0.125, -2.0};
    check_scale(5, u9, 1.0, 4e-15);
    check_scale(9, u9, 1.0, 6e-14);
    for (size_t k = 0; k < sizeof extreme_scales / sizeof *extreme_scales; k++) {
        check_scale(5, u9, extreme_scales[k], 4e-15);
        check_scale(9, u9, extreme_scales[k], 6e-14);
    }
}

/* The weighted f and least-norm subgradient over the points idx[0..count) at x, in
 * long double; *scale gets the mean of the terms' norms, the size of a rounding. */
static double weighted_reference(size_t dim, const double *points, const double *weights,
                                 const size_t *idx, size_t count, const double *x, double *grad,
                                 double *scale)
{
    long double f = 0.0L, r[MAX_DIM] = {0.0L}, weight_at_x = 0.0L, norm_r = 0.0L, sizes = 0.0L;
    for (size_t k = 0; k < count; k++) {
        const double *p = points + idx[k] * dim;
        long double diff[MAX_DIM], sq = 0.0L;
        for (size_t j = 0; j < dim; j++) {
            diff[j] = (long double)x[j] - p[j];
            sq += diff[j] * diff[j];
        }
        long double d = sqrtl(sq), w = weights[idx[k]];
        sizes += w;
        if (d == 0.0L) {
            weight_at_x += w;
            continue;
        }
        f += w * d;
        for (size_t j = 0; j < dim; j++)
            r[j] += w * diff[j] / d;
    }
    for (size_t j = 0; j < dim; j++)
        norm_r += r[j] * r[j];
    norm_r = sqrtl(norm_r);
    long double shrink = norm_r <= weight_at_x ? 0.0L : 1.0L - weight_at_x / norm_r;
    for (size_t j = 0; j < dim; j++)
        grad[j] = (double)(r[j] * shrink / count);
    *scale = (double)(sizes / count);
    return (double)(f / count);
}

/* A weighted cloud of 20011 points in 8-D (1.3 MB, beyond the 1 MiB over which the
 * points are asked for ahead, and not a multiple of the four points taken at once),
 * x one of the points (its group of four goes one point at a time), the whole and a
 * mini-batch with a repeated index, against long double sums.  Each sum of m terms in
 * double is within about m u of the exact one relative to the terms' sizes (u = 2^-53:
 * 2.2e-12 at m = 20011); the tolerance is 3e-12 of the mean term. */
static void test_large_weighted_cloud(void **state)
{
    (void)state;
    enum { M = 20011, DIM = 8, BATCH = 1001 };
    static double points[M * DIM], weights[M];
    static size_t all[M];
    size_t batch[BATCH];
    uint64_t seed = 3;
    for (size_t i = 0; i < M * DIM; i++)
        points[i] = 4.0 * test_uniform(&seed) - 2.0;
    for (size_t i = 0; i < M; i++) {
        weights[i] = 0.5 + test_uniform(&seed);
        all[i] = i;
    }
    for (size_t k = 0; k < BATCH; k++)
        batch[k] = k == 1 ? batch[0] : (size_t)(test_uniform(&seed) * M);
    batch[5] = 4242;
    double x[DIM];
    memcpy(x, points + 4242 * DIM, sizeof x);
    gd_objective *obj = gd_geometric_median_new(M, DIM, points, weights);
    assert_non_null(obj);
    const size_t *sets[2] = {all, batch};
    const size_t counts[2] = {M, BATCH};
    for (int s = 0; s < 2; s++) {
        double f, g[DIM], f_ref, g_ref[DIM], size;
        if (s == 0)
            assert_int_equal(gd_objective_eval(obj, x, &f, g), GD_OK);
        else
            assert_int_equal(gd_objective_eval_terms(obj, x, batch, BATCH, &f, g), GD_OK);
        f_ref = weighted_reference(DIM, points, weights, sets[s], counts[s], x, g_ref, &size);
        assert_true(fabs(f - f_ref) <= 3e-12 * f_ref); /* positive terms */
        for (size_t j = 0; j < DIM; j++)
            if (!(fabs(g[j] - g_ref[j]) <= 3e-12 * size))
                fail_msg("set %d, g[%zu] = %.17g, reference %.17g", s, j, g[j], g_ref[j]);
    }
    gd_objective_free(obj);
}

/* At the corner (a, ..., a), a data point, the least-norm subgradient R (1 - W/||R||)
 * (the file's comment in lib/objectives/geometric_median.c) with W = 1.  In 2-D
 * R = (1 + 1/sqrt 2) (1, 1), so g = (1/4, 1/4), and f = a (1 + sqrt(2) / 2); in 3-D
 * R_j = 1 + sqrt 2 + 1/sqrt 3, g_j = (1 + sqrt 2) / 8 and f = a (3 + 3 sqrt 2 + sqrt 3) / 4. */
static void test_at_a_corner(void **state)
{
    (void)state;
    const double scales[] = {1.0, 1e160, 1e-160, 1e-170, 1e300, 1e-300};
    for (size_t k = 0; k < sizeof scales / sizeof *scales; k++) {
        double a = scales[k], x[3] = {a, a, a}, g[3], value;
        gd_objective *f2 = cube(2, a), *f3 = cube(3, a);
        assert_int_equal(gd_objective_eval(f2, x, &value, g), GD_OK);
        assert_close(value, a * (1.0 + sqrt(2.0) / 2), 1e-15);
        assert_close(g[0], 0.25, 1e-15);
        assert_close(g[1], 0.25, 1e-15);
        assert_int_equal(gd_objective_eval(f3, x, &value, g), GD_OK);
        assert_close(value, a * (3.0 + 3.0 * sqrt(2.0) + sqrt(3.0)) / 4, 1e-15);
        for (size_t j = 0; j < 3; j++)
            assert_close(g[j], (1.0 + sqrt(2.0)) / 8, 1e-15);
        gd_objective_free(f2);
        gd_objective_free(f3);
    }
}

/* Ordinary data: the closed form, and the exact values printed before the rescaling
 * existed (its fast path must keep their bits). */
static void test_ordinary_data_unchanged(void **state)
{
    (void)state;
    check_scale(2, u2, 1.0, 1e-15);
    check_scale(3, u3, 1.0, 1e-15);
    check_scale(2, u2, 3.0, 1e-15);
    check_scale(3, u3, 0.25, 1e-15);
    const double bits2[3] = {0x1.3aee8b7fe53a7p+1, 0x1.a3beeb4ce74f3p-1, 0x1.72fa032fdeb38p-2};
    const double bits3[4] = {0x1.5d8686448fb69p+1, 0x1.6ebaef6c85e1dp-1, 0x1.56afe370bd088p-2,
                             0x1.40d6453a66ecp-3};
    gd_objective *f2 = cube(2, 1.0), *f3 = cube(3, 1.0);
    double g[3], value;
    assert_int_equal(gd_objective_eval(f2, u2, &value, g), GD_OK);
    assert_true(value == bits2[0] && g[0] == bits2[1] && g[1] == bits2[2]);
    assert_int_equal(gd_objective_eval(f3, u3, &value, g), GD_OK);
    assert_true(value == bits3[0] && g[0] == bits3[1] && g[1] == bits3[2] && g[2] == bits3[3]);
    gd_objective_free(f2);
    gd_objective_free(f3);
}

/* Gradient descent from a u with steps of a/20 ends near the center 0, where f is
 * a sqrt(dim) (a run at 1e160 used to fail with GD_EDIVERGED: f was infinite; at
 * 1e-170 the gradient was 0 and x stayed where it started). */
static void run_to_center(size_t dim, const double *u, double a)
{
    gd_objective *f = cube(dim, a);
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, dim);
    assert_non_null(opt);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LR, a / 20), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MAX_ITER, 200), GD_OK);
    double x[MAX_DIM], distance = 0.0;
    for (size_t j = 0; j < dim; j++)
        x[j] = a * u[j];
    assert_int_equal(gd_minimize(opt, f, x, NULL), GD_STOP_MAXITER);
    for (size_t j = 0; j < dim; j++)
        distance = fmax(distance, fabs(x[j] / a));
    if (!(distance < 0.1))
        fail_msg("a = %g: x / a ends %g from the center", a, distance);
    assert_close(gd_optimizer_last_f(opt), a * sqrt((double)dim), 1e-2);
    gd_optimizer_free(opt);
    gd_objective_free(f);
}

static void test_runs_at_extreme_scales(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof extreme_scales / sizeof *extreme_scales; k++) {
        run_to_center(2, u2, extreme_scales[k]);
        run_to_center(3, u3, extreme_scales[k]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_extreme_scales_2d),
        cmocka_unit_test(test_extreme_scales_3d),
        cmocka_unit_test(test_more_dimensions),
        cmocka_unit_test(test_at_a_corner),
        cmocka_unit_test(test_large_weighted_cloud),
        cmocka_unit_test(test_ordinary_data_unchanged),
        cmocka_unit_test(test_runs_at_extreme_scales),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
