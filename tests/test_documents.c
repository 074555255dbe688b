/*
 * test_documents.c - the teaching documents' examples, reproduced through the public
 * API and compared with closed forms and with the numbers the documents print.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include <gdescent.h>

static void assert_close(double actual, double expected, double rel_tol)
{
    double scale = fmax(fabs(expected), 1e-300);
    if (!(fabs(actual - expected) <= rel_tol * scale))
        fail_msg("%.17g differs from %.17g by more than %g relative", actual, expected, rel_tol);
}

static gd_optimizer *sgd(size_t n, double lr, size_t steps)
{
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, n);
    assert_non_null(opt);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LR, lr), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MAX_ITER, (double)steps), GD_OK);
    return opt;
}

/* Gradient descent on scale*||x - c||^2 multiplies the error by (1 - 2 lr scale) per
 * step; every recorded iterate must follow that closed form (relative 1e-12). */
static void check_quadratic_path(size_t n, const double *center, const double *x0, double lr,
                                 size_t steps)
{
    gd_objective *f = gd_quadratic_new(n, center, 1.0);
    gd_optimizer *opt = sgd(n, lr, steps);
    gd_trajectory *traj = gd_trajectory_new(n, GD_TRAJ_X);
    double x[2];
    memcpy(x, x0, n * sizeof *x);
    assert_int_equal(gd_minimize(opt, f, x, traj), GD_STOP_MAXITER);
    assert_int_equal(gd_trajectory_len(traj), steps + 1);
    for (size_t k = 0; k <= steps; k++) {
        const double *xk = gd_trajectory_x(traj, k);
        for (size_t j = 0; j < n; j++) {
            double c = center ? center[j] : 0.0;
            double expected = c + (x0[j] - c) * pow(1.0 - 2.0 * lr, (double)k);
            /* Absolute floor: the error shrinks below the rounding of c itself. */
            assert_true(fabs(xk[j] - expected) <= 1e-12 * fmax(fabs(expected), 1.0));
        }
    }
    for (size_t j = 0; j < n; j++)
        assert_true(x[j] == gd_trajectory_x(traj, steps)[j]);
    gd_trajectory_free(traj);
    gd_optimizer_free(opt);
    gd_objective_free(f);
}

static void test_x_squared_and_shifted_quadratics(void **state)
{
    (void)state;
    const double five = 5.0, minus_seven = -7.0, three = 3.0;
    check_quadratic_path(1, NULL, &five, 0.1, 20); /* x = 5 * 0.8^20 */
    const double start2[2] = {5.0, -3.0};
    check_quadratic_path(2, NULL, start2, 0.2, 15); /* (5,-3) * 0.6^15 */
    check_quadratic_path(1, &three, &minus_seven, 0.2, 20);
    const double target[2] = {2.0, -1.0}, start[2] = {5.0, 5.0};
    check_quadratic_path(2, target, start, 0.1, 20);
}

static void test_learning_rate_sweeps(void **state)
{
    (void)state;
    const double five = 5.0, minus_seven = -7.0, three = 3.0;
    const double x2_rates[] = {0.05, 0.2, 0.8, 1.01};
    const double shifted_rates[] = {0.01, 0.1, 1.0, 1.5};
    for (int i = 0; i < 4; i++) {
        check_quadratic_path(1, NULL, &five, x2_rates[i], 20);
        check_quadratic_path(1, &three, &minus_seven, shifted_rates[i], 20);
    }
}

/* lr 1.0 on (x-3)^2 from -7: the factor is -1, so x alternates exactly -7, 13, -7, ... */
static void test_oscillation_and_divergence(void **state)
{
    (void)state;
    const double three = 3.0;
    gd_objective *f = gd_quadratic_new(1, &three, 1.0);
    gd_optimizer *opt = sgd(1, 1.0, 0);
    double x = -7.0;
    for (int k = 1; k <= 10; k++) {
        assert_int_equal(gd_step(opt, f, &x, NULL), GD_OK);
        assert_true(x == (k % 2 ? 13.0 : -7.0));
    }
    gd_optimizer_free(opt);
    /* lr 1.5: factor -2, the error doubles in size every step. */
    opt = sgd(1, 1.5, 0);
    x = -7.0;
    double previous_error = 10.0;
    for (int k = 1; k <= 30; k++) {
        assert_int_equal(gd_step(opt, f, &x, NULL), GD_OK);
        assert_true(fabs(x - 3.0) > previous_error);
        previous_error = fabs(x - 3.0);
    }
    gd_optimizer_free(opt);
    gd_objective_free(f);
}

/* The classic per-sample SGD on y = 2x: samples in order, w0 = 1, lr 0.01. */
static double last_sample_loss(double w)
{
    double r = w * 3.0 - 6.0;
    return r * r;
}

static void test_per_sample_sgd(void **state)
{
    (void)state;
    const double X[3] = {1.0, 2.0, 3.0}, y[3] = {2.0, 4.0, 6.0};
    gd_objective *loss = gd_least_squares_new(3, 1, X, y, 1.0, 0);
    gd_optimizer *opt = sgd(1, 0.01, 0);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_BATCH_SIZE, 1), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_SHUFFLE, 0), GD_OK);
    double w = 1.0;
    const double first_grads[3] = {-2.0, -7.84, -16.2288};
    for (int i = 0; i < 3; i++) {
        double before = w, f;
        assert_int_equal(gd_step(opt, loss, &w, &f), GD_OK);
        assert_close((before - w) / 0.01, first_grads[i], 1e-12);
        double r = before * X[i] - y[i];
        assert_close(f, r * r, 1e-15);
    }
    assert_true(round(w * 100) / 100 == 1.26);
    assert_true(fabs(last_sample_loss(w) - 4.91924) < 5e-7);
    for (int step = 3; step < 33; step++)
        assert_int_equal(gd_step(opt, loss, &w, NULL), GD_OK);
    assert_true(round(w * 100) / 100 == 1.96);
    assert_true(fabs(last_sample_loss(w) - 0.011707) < 5e-7);
    for (int step = 33; step < 150; step++)
        assert_int_equal(gd_step(opt, loss, &w, NULL), GD_OK);
    assert_true(round(4.0 * w * 100) / 100 == 8.0);
    gd_optimizer_free(opt);
    gd_objective_free(loss);
}

/* Full-batch linear regression with loss 1/(2m) sum (w0 + w1 x - y)^2, lr 0.008. */
static void test_full_batch_regression(void **state)
{
    (void)state;
    const double xs[7] = {1, 2, 3, 4, 5, 6, 8}, ys[7] = {5.5, 6, 6.5, 7, 7.5, 8, 9};
    double X[14];
    for (int i = 0; i < 7; i++) {
        X[2 * i] = 1.0;
        X[2 * i + 1] = xs[i];
    }
    gd_objective *loss = gd_least_squares_new(7, 2, X, ys, 0.5, 0);
    gd_optimizer *opt = sgd(2, 0.008, 5000);
    double w[2] = {0.34099454173956956, -0.5196184029053978}, f;
    assert_int_equal(gd_step(opt, loss, w, &f), GD_OK);
    assert_close(f, 42.04352367497908, 1e-9);
    assert_close(w[0], 0.4120596524733747, 1e-9);
    assert_close(w[1], -0.18458753348838164, 1e-9);
    assert_int_equal(gd_optimizer_reset(opt), GD_OK);
    gd_trajectory *traj = gd_trajectory_new(2, 0);
    w[0] = 0.34099454173956956;
    w[1] = -0.5196184029053978;
    assert_int_equal(gd_minimize(opt, loss, w, traj), GD_STOP_MAXITER);
    assert_close(gd_trajectory_f(traj, 4999), 5.8741498619485146e-08, 1e-9);
    assert_close(w[0], 4.999278595714187, 1e-9);
    assert_close(w[1], 0.500136309516923, 1e-9);
    gd_trajectory_free(traj);
    gd_optimizer_free(opt);
    gd_objective_free(loss);
}

/* A tiny linear congruential generator (Knuth's MMIX constants) for test data. */
static double uniform(uint64_t *s)
{
    *s = *s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return (double)(*s >> 11) / 9007199254740992.0;
}

static double objective_at(gd_objective *f, const double *x)
{
    double value;
    assert_int_equal(gd_objective_eval(f, x, &value, NULL), GD_OK);
    return value;
}

/* The documents' SGD (lr 0.05, 100 steps from (0.1, 0.1)) gets close; a decaying step
 * finishes the job.  At the result the gradient is below 1e-6 and f is below its value
 * at the centroid and at every data point. */
static void test_geometric_median_of_random_cloud(void **state)
{
    (void)state;
    enum { M = 100 };
    double points[2 * M], centroid[2] = {0.0, 0.0};
    uint64_t seed = 12345;
    for (int i = 0; i < 2 * M; i++) {
        points[i] = uniform(&seed) * (i % 2 ? 1.0 : 3.0);
        centroid[i % 2] += points[i] / M;
    }
    gd_objective *f = gd_geometric_median_new(M, 2, points, NULL);
    gd_optimizer *opt = sgd(2, 0.05, 100);
    double x[2] = {0.1, 0.1};
    assert_int_equal(gd_minimize(opt, f, x, NULL), GD_STOP_MAXITER);
    double lr = 0.05, grad[2], value;
    for (int k = 0; k < 4000; k++) {
        lr *= 0.997;
        assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LR, lr), GD_OK);
        assert_int_equal(gd_step(opt, f, x, NULL), GD_OK);
    }
    assert_int_equal(gd_objective_eval(f, x, &value, grad), GD_OK);
    assert_true(hypot(grad[0], grad[1]) < 1e-6);
    assert_true(value < objective_at(f, centroid));
    for (int i = 0; i < M; i++)
        assert_true(value < objective_at(f, points + 2 * i));
    gd_optimizer_free(opt);
    gd_objective_free(f);
}

/* For the corners of a square the median is the center, where the gradient is 0. */
static void test_geometric_median_of_square(void **state)
{
    (void)state;
    const double corners[8] = {0, 0, 2, 0, 0, 2, 2, 2};
    gd_objective *f = gd_geometric_median_new(4, 2, corners, NULL);
    gd_optimizer *opt = sgd(2, 0.1, 2000);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_GTOL, 1e-12), GD_OK);
    double x[2] = {0.3, 1.7};
    assert_int_equal(gd_minimize(opt, f, x, NULL), GD_STOP_GTOL);
    assert_true(fabs(x[0] - 1.0) < 1e-11 && fabs(x[1] - 1.0) < 1e-11);
    gd_optimizer_free(opt);
    gd_objective_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_x_squared_and_shifted_quadratics),
        cmocka_unit_test(test_learning_rate_sweeps),
        cmocka_unit_test(test_oscillation_and_divergence),
        cmocka_unit_test(test_per_sample_sgd),
        cmocka_unit_test(test_full_batch_regression),
        cmocka_unit_test(test_geometric_median_of_random_cloud),
        cmocka_unit_test(test_geometric_median_of_square),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
