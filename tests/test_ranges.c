/*
 * test_ranges.c - parameter ranges (torch's parameter groups) and gradient clipping
 * beyond the torch goldens of test_exact.c: refusals that change nothing, overlays,
 * gd_optimizer_set() everywhere again, state kept across a split, and clipping against
 * its formulas.
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

enum { N = 10 };

static double lr_at(const gd_optimizer *opt, size_t index)
{
    double lr = NAN;
    assert_int_equal(gd_optimizer_get_range(opt, index, GD_PARAM_LR, &lr), GD_OK);
    return lr;
}

static void test_refusals_change_nothing(void **state)
{
    (void)state;
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, N);
    assert_int_equal(gd_optimizer_set_range(NULL, 0, 1, GD_PARAM_LR, 0.1), GD_EINVAL);
    assert_int_equal(gd_optimizer_set_range(opt, 0, 0, GD_PARAM_LR, 0.1), GD_EINVAL);
    assert_int_equal(gd_optimizer_set_range(opt, N, 1, GD_PARAM_LR, 0.1), GD_EINVAL);
    assert_int_equal(gd_optimizer_set_range(opt, 5, 6, GD_PARAM_LR, 0.1), GD_EINVAL);
    assert_int_equal(gd_optimizer_set_range(opt, 1, SIZE_MAX, GD_PARAM_LR, 0.1), GD_EINVAL);
    assert_int_equal(gd_optimizer_set_range(opt, 0, 1, GD_PARAM_LR, NAN), GD_EINVAL);
    assert_int_equal(gd_optimizer_set_range(opt, 0, 1, GD_PARAM_LR, -1.0), GD_EINVAL);
    assert_int_equal(gd_optimizer_set_range(opt, 0, 1, GD_PARAM_MAX_ITER, 5), GD_EINVAL);
    assert_int_equal(gd_optimizer_set_range(opt, 0, 1, GD_PARAM_BETA1, 0.5), GD_EINVAL);
    assert_int_equal(gd_optimizer_set_range(opt, 0, 1, (gd_param)99, 0.5), GD_EINVAL);
    /* torch refuses Nesterov without momentum, in a group as everywhere */
    assert_int_equal(gd_optimizer_set_range(opt, 2, 3, GD_PARAM_NESTEROV, 1), GD_EINVAL);
    double value = 7.0;
    assert_int_equal(gd_optimizer_get_range(opt, N, GD_PARAM_LR, &value), GD_EINVAL);
    assert_int_equal(gd_optimizer_get_range(opt, 0, GD_PARAM_SEED, &value), GD_EINVAL);
    assert_int_equal(gd_optimizer_get_range(opt, 0, GD_PARAM_LR, NULL), GD_EINVAL);
    assert_int_equal(gd_optimizer_get_range(NULL, 0, GD_PARAM_LR, &value), GD_EINVAL);
    assert_true(value == 7.0);
    for (size_t i = 0; i < N; i++)
        assert_true(lr_at(opt, i) == 0.01);
    gd_optimizer_free(opt);

    gd_optimizer *lbfgs = gd_optimizer_new(GD_LBFGS, N); /* one group, as torch's */
    assert_int_equal(gd_optimizer_set_range(lbfgs, 0, 1, GD_PARAM_LR, 0.5), GD_EINVAL);
    assert_int_equal(gd_optimizer_set(lbfgs, GD_PARAM_CLIP_NORM, 1.0), GD_EINVAL);
    assert_int_equal(gd_optimizer_set(lbfgs, GD_PARAM_CLIP_VALUE, 1.0), GD_EINVAL);
    assert_true(lr_at(lbfgs, 0) == 1.0);
    gd_optimizer_free(lbfgs);
}

/* Each element has the value of the last call that covered it; gd_optimizer_set()
 * sets the key everywhere again. */
static void test_ranges_overlay(void **state)
{
    (void)state;
    gd_optimizer *opt = gd_optimizer_new(GD_ADAM, N);
    assert_int_equal(gd_optimizer_set_range(opt, 2, 6, GD_PARAM_LR, 0.1), GD_OK);
    assert_int_equal(gd_optimizer_set_range(opt, 4, 6, GD_PARAM_LR, 0.2), GD_OK);
    assert_int_equal(gd_optimizer_set_range(opt, 0, 1, GD_PARAM_BETA1, 0.5), GD_OK);
    const double expected[N] = {1e-3, 1e-3, 0.1, 0.1, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2};
    for (size_t i = 0; i < N; i++)
        assert_true(lr_at(opt, i) == expected[i]);
    double beta1;
    assert_int_equal(gd_optimizer_get_range(opt, 0, GD_PARAM_BETA1, &beta1), GD_OK);
    assert_true(beta1 == 0.5);
    assert_int_equal(gd_optimizer_get_range(opt, 1, GD_PARAM_BETA1, &beta1), GD_OK);
    assert_true(beta1 == 0.9);
    double lr;
    assert_int_equal(gd_optimizer_get(opt, GD_PARAM_LR, &lr), GD_OK);
    assert_true(lr == 1e-3); /* element 0's */
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LR, 0.05), GD_OK);
    for (size_t i = 0; i < N; i++)
        assert_true(lr_at(opt, i) == 0.05);
    assert_int_equal(gd_optimizer_get_range(opt, 0, GD_PARAM_BETA1, &beta1), GD_OK);
    assert_true(beta1 == 0.5); /* other keys keep their ranges */
    gd_optimizer_free(opt);
}

static void fill_gradient(const double *x, double *g, int step)
{
    for (size_t i = 0; i < N; i++)
        g[i] = 0.5 * x[i] + 0.01 * (double)((int)(i * 7 + (size_t)step * 3) % 11 - 5);
}

/* The pieces 0..2, 3..6 and 7..9 of the vector. */
static const size_t piece_first[3] = {0, 3, 7}, piece_size[3] = {3, 4, 3};

/* A split in the middle of a run keeps each element's moments and the scalars of
 * torch's state: one optimizer whose elements 3..6 get twice the learning rate at
 * step 3 follows three optimizers, one per piece, whose middle one gets it. */
static void test_split_keeps_the_state(void **state)
{
    (void)state;
    for (int m = 0; m < method_count(); m++) {
        if (!method_updates_alone((gd_method)m))
            continue;
        gd_optimizer *split = gd_optimizer_new((gd_method)m, N), *pieces[3];
        for (int p = 0; p < 3; p++)
            pieces[p] = gd_optimizer_new((gd_method)m, piece_size[p]);
        double x[N], y[N], g[N], lr;
        for (size_t i = 0; i < N; i++)
            x[i] = y[i] = 1.0 + 0.1 * (double)i;
        assert_int_equal(gd_optimizer_get(split, GD_PARAM_LR, &lr), GD_OK);
        for (int s = 0; s < 12; s++) {
            if (s == 3) {
                assert_int_equal(gd_optimizer_set_range(split, 3, 4, GD_PARAM_LR, 2 * lr), GD_OK);
                assert_int_equal(gd_optimizer_set(pieces[1], GD_PARAM_LR, 2 * lr), GD_OK);
            }
            fill_gradient(x, g, s);
            assert_int_equal(gd_optimizer_update(split, x, g), GD_OK);
            fill_gradient(y, g, s);
            for (int p = 0; p < 3; p++)
                assert_int_equal(
                    gd_optimizer_update(pieces[p], y + piece_first[p], g + piece_first[p]), GD_OK);
        }
        if (memcmp(x, y, sizeof x) != 0)
            fail_msg("%s: the split run differs from the pieces'", gd_method_name((gd_method)m));
        gd_optimizer_free(split);
        for (int p = 0; p < 3; p++)
            gd_optimizer_free(pieces[p]);
    }
}

/* clip_grad_value_ clamps; clip_grad_norm_ scales by max_norm / (norm + 1e-6) when
 * that is below 1: with SGD (lr 1) the step is the clipped gradient. */
static void test_clipping_formulas(void **state)
{
    (void)state;
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, 3);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LR, 1.0), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_CLIP_VALUE, -1.0), GD_EINVAL);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_CLIP_NORM, INFINITY), GD_EINVAL);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_CLIP_VALUE, 0.5), GD_OK);
    double x[3] = {0.0, 0.0, 0.0};
    const double g[3] = {2.0, -0.25, -3.0};
    assert_int_equal(gd_optimizer_update(opt, x, g), GD_OK);
    assert_true(x[0] == -0.5 && x[1] == 0.25 && x[2] == 0.5);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_CLIP_VALUE, 0.0), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_CLIP_NORM, 1.0), GD_OK);
    double y[3] = {0.0, 0.0, 0.0};
    const double h[3] = {3.0, 0.0, 4.0}; /* norm 5 */
    assert_int_equal(gd_optimizer_update(opt, y, h), GD_OK);
    double coefficient = 1.0 / (5.0 + 1e-6);
    assert_true(y[0] == -(3.0 * coefficient) && y[1] == 0.0 && y[2] == -(4.0 * coefficient));
    const double small[3] = {0.1, 0.2, 0.0}; /* below the norm: unchanged */
    double z[3] = {0.0, 0.0, 0.0};
    assert_int_equal(gd_optimizer_update(opt, z, small), GD_OK);
    assert_true(z[0] == -0.1 && z[1] == -0.2 && z[2] == 0.0);
    gd_optimizer_free(opt);
}

/* Neighbours left equal merge, the later groups moving down; a key set everywhere is
 * refused when one range would break torch's rules (Nesterov where momentum is 0). */
static void test_merges_and_refusals_across_ranges(void **state)
{
    (void)state;
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, 6);
    for (size_t r = 0; r < 3; r++)
        assert_int_equal(gd_optimizer_set_range(opt, 2 * r, 2, GD_PARAM_LR, 0.1 * (double)(r + 1)),
                         GD_OK);
    assert_int_equal(gd_optimizer_set_range(opt, 2, 2, GD_PARAM_LR, 0.1), GD_OK);
    const double expected[6] = {0.1, 0.1, 0.1, 0.1, 0.30000000000000004, 0.30000000000000004};
    for (size_t i = 0; i < 6; i++)
        assert_true(lr_at(opt, i) == expected[i]);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MOMENTUM, 0.9), GD_OK);
    assert_int_equal(gd_optimizer_set_range(opt, 1, 2, GD_PARAM_MOMENTUM, 0.0), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_NESTEROV, 1), GD_EINVAL);
    assert_int_equal(gd_optimizer_set_range(opt, 0, 6, GD_PARAM_NESTEROV, 1), GD_EINVAL);
    /* over two groups whose second (momentum 0, elements 1..2) refuses it */
    assert_int_equal(gd_optimizer_set_range(opt, 0, 3, GD_PARAM_NESTEROV, 1), GD_EINVAL);
    assert_int_equal(gd_optimizer_set_range(opt, 3, 3, GD_PARAM_NESTEROV, 1), GD_OK);
    double nesterov;
    assert_int_equal(gd_optimizer_get_range(opt, 0, GD_PARAM_NESTEROV, &nesterov), GD_OK);
    assert_true(nesterov == 0.0);
    assert_int_equal(gd_optimizer_get_range(opt, 5, GD_PARAM_NESTEROV, &nesterov), GD_OK);
    assert_true(nesterov == 1.0);
    gd_optimizer_free(opt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refusals_change_nothing),
        cmocka_unit_test(test_ranges_overlay),
        cmocka_unit_test(test_split_keeps_the_state),
        cmocka_unit_test(test_clipping_formulas),
        cmocka_unit_test(test_merges_and_refusals_across_ranges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
