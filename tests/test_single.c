/*
 * test_single.c - float optimizers (gd_optimizer_new_f32) beyond the goldens of
 * test_exact.c: what each entry point refuses, saved states that resume bit for bit
 * and refuse the other precision, state read back as doubles, schedules acting on
 * float groups, and clipping by norm where torch's sum of squares overflows.
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gdescent.h>

#include "test_util.h"

enum { N = 37 }; /* a vector tail at every level's widths */

/* A deterministic float start and gradient: g = 0.5 x + a multiple of 2^-10. */
static void start(float *x)
{
    for (size_t i = 0; i < N; i++)
        x[i] = (float)((double)i - 18.0) / 8.0f;
}

static float noise_at(size_t i, int step)
{
    return (float)(((int)i * 7 + step * 13) % 29 - 14) / 1024.0f;
}

static void gradient(const float *x, float *g, int step)
{
    for (size_t i = 0; i < N; i++)
        g[i] = 0.5f * x[i] + noise_at(i, step);
}

static void run_steps(gd_optimizer *opt, float *x, int first, int count)
{
    float g[N];
    for (int step = first; step < first + count; step++) {
        gradient(x, g, step);
        assert_int_equal(gd_optimizer_update_f32(opt, x, g), GD_OK);
    }
}

static void test_refusals(void **state)
{
    (void)state;
    assert_null(gd_optimizer_new_f32(GD_LBFGS, N)); /* its steps evaluate a double objective */
    assert_null(gd_optimizer_new_f32(GD_ADAM, 0));
    assert_null(gd_optimizer_new_f32((gd_method)999, N));
    gd_optimizer *single = gd_optimizer_new_f32(GD_ADAM, N);
    gd_optimizer *wide = gd_optimizer_new(GD_ADAM, N);
    assert_non_null(single);
    assert_non_null(wide);
    float xf[N], gf[N];
    double xd[N], gd[N];
    start(xf);
    gradient(xf, gf, 0);
    for (size_t i = 0; i < N; i++) {
        xd[i] = xf[i];
        gd[i] = gf[i];
    }
    float xf_before[N];
    double xd_before[N];
    memcpy(xf_before, xf, sizeof xf);
    memcpy(xd_before, xd, sizeof xd);
    assert_int_equal(gd_optimizer_update(single, xd, gd), GD_EINVAL);
    assert_int_equal(gd_optimizer_update_f32(wide, xf, gf), GD_EINVAL);
    assert_int_equal(gd_optimizer_update_f32(single, NULL, gf), GD_EINVAL);
    assert_int_equal(gd_optimizer_update_f32(single, xf, NULL), GD_EINVAL);
    assert_int_equal(gd_optimizer_update_f32(NULL, xf, gf), GD_EINVAL);
    assert_memory_equal(xf, xf_before, sizeof xf);
    assert_memory_equal(xd, xd_before, sizeof xd);
    assert_int_equal(gd_optimizer_iterations(single), 0);
    assert_int_equal(gd_optimizer_iterations(wide), 0);
    gd_objective *obj = gd_quadratic_new(N, NULL, 1.0);
    assert_non_null(obj);
    assert_int_equal(gd_step(single, obj, xd, NULL), GD_EINVAL);
    assert_int_equal(gd_minimize(single, obj, xd, NULL), GD_EINVAL);
    assert_memory_equal(xd, xd_before, sizeof xd);
    assert_int_equal(gd_optimizer_evaluations(single), 0);
    gd_objective_free(obj);
    gd_optimizer_free(single);
    gd_optimizer_free(wide);
}

/* Every method of gd_optimizer_update has a float optimizer whose first update moves
 * x as the double optimizer's does, to float accuracy (its loops are wired). */
static void test_every_method_moves_as_double(void **state)
{
    (void)state;
    for (int m = 0; m < method_count(); m++) {
        if (!method_updates_alone((gd_method)m))
            continue;
        gd_optimizer *single = gd_optimizer_new_f32((gd_method)m, N);
        gd_optimizer *wide = gd_optimizer_new((gd_method)m, N);
        assert_non_null(single);
        assert_non_null(wide);
        float xf[N], gf[N];
        double xd[N], gd[N];
        start(xf);
        for (int step = 0; step < 5; step++) {
            gradient(xf, gf, step);
            for (size_t i = 0; i < N; i++) {
                xd[i] = step == 0 ? xf[i] : xd[i];
                gd[i] = 0.5 * xd[i] + noise_at(i, step);
            }
            assert_int_equal(gd_optimizer_update_f32(single, xf, gf), GD_OK);
            assert_int_equal(gd_optimizer_update(wide, xd, gd), GD_OK);
        }
        for (size_t i = 0; i < N; i++)
            if (!(fabs(xf[i] - xd[i]) <= 1e-5 * (1.0 + fabs(xd[i]))))
                fail_msg("%s: x[%zu] = %.9g in float, %.17g in double",
                         gd_method_name((gd_method)m), i, (double)xf[i], xd[i]);
        gd_optimizer_free(single);
        gd_optimizer_free(wide);
    }
}

/* A float optimizer configured with a range, clipping and a schedule. */
static gd_optimizer *configured(gd_method method)
{
    gd_optimizer *opt = gd_optimizer_new_f32(method, N);
    assert_non_null(opt);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_CLIP_NORM, 1.0), GD_OK);
    assert_int_equal(gd_optimizer_set_range(opt, 0, 10, GD_PARAM_LR, 0.002), GD_OK);
    gd_schedule *s = gd_schedule_new(GD_SCHEDULE_STEP);
    assert_non_null(s);
    assert_int_equal(gd_schedule_set(s, GD_SCHEDULE_PARAM_STEP_SIZE, 2.0), GD_OK);
    assert_int_equal(gd_optimizer_add_schedule(opt, s), GD_OK);
    gd_schedule_free(s);
    return opt;
}

/* Saved after 7 updates (and 3 schedule steps), loaded into a new float optimizer:
 * the next 7 updates give the bits of the optimizer that went on.  A double optimizer
 * refuses the state, and a float one a double state, both with GD_EINVAL. */
static void test_saved_state_resumes(void **state)
{
    (void)state;
    for (int m = 0; m < method_count(); m++) {
        if (!method_updates_alone((gd_method)m))
            continue;
        gd_optimizer *opt = configured((gd_method)m);
        float x[N], resumed_x[N];
        start(x);
        for (int epoch = 0; epoch < 3; epoch++) {
            run_steps(opt, x, 2 * epoch, 2);
            assert_int_equal(gd_optimizer_schedule_step(opt, NAN), GD_OK);
        }
        run_steps(opt, x, 6, 1);
        size_t size = gd_optimizer_state_size(opt);
        unsigned char *buf = malloc(size);
        assert_non_null(buf);
        assert_int_equal(gd_optimizer_save(opt, buf, size), GD_OK);
        gd_optimizer *loaded = configured((gd_method)m);
        assert_int_equal(gd_optimizer_load(loaded, buf, size), GD_OK);
        memcpy(resumed_x, x, sizeof x);
        run_steps(opt, x, 7, 7);
        run_steps(loaded, resumed_x, 7, 7);
        assert_memory_equal(x, resumed_x, sizeof x);
        gd_optimizer *wide = gd_optimizer_new((gd_method)m, N);
        assert_non_null(wide);
        assert_int_equal(gd_optimizer_load(wide, buf, size), GD_EINVAL);
        size_t wide_size = gd_optimizer_state_size(wide);
        unsigned char *wide_buf = malloc(wide_size);
        assert_non_null(wide_buf);
        assert_int_equal(gd_optimizer_save(wide, wide_buf, wide_size), GD_OK);
        assert_int_equal(gd_optimizer_load(loaded, wide_buf, wide_size), GD_EINVAL);
        run_steps(loaded, resumed_x, 14, 1); /* unchanged by the refusal */
        run_steps(opt, x, 14, 1);
        assert_memory_equal(x, resumed_x, sizeof x);
        free(wide_buf);
        free(buf);
        gd_optimizer_free(wide);
        gd_optimizer_free(loaded);
        gd_optimizer_free(opt);
    }
}

/* The state vectors hold floats: read back as doubles, each is a float's value, and a
 * float optimizer's saved state is smaller than a double one's by half its vectors. */
static void test_state_is_float(void **state)
{
    (void)state;
    gd_optimizer *opt = gd_optimizer_new_f32(GD_ADAM, N);
    gd_optimizer *wide = gd_optimizer_new(GD_ADAM, N);
    assert_non_null(opt);
    assert_non_null(wide);
    float x[N];
    start(x);
    run_steps(opt, x, 0, 3);
    double exp_avg[N], step;
    assert_int_equal(gd_optimizer_get_state(opt, "exp_avg", exp_avg, N), GD_OK);
    assert_int_equal(gd_optimizer_get_state(opt, "step", &step, 1), GD_OK);
    assert_true(step == 3.0);
    int nonzero = 0;
    for (size_t i = 0; i < N; i++) {
        assert_true((double)(float)exp_avg[i] == exp_avg[i]);
        nonzero += exp_avg[i] != 0.0;
    }
    assert_true(nonzero > N / 2);
    size_t vectors = 2 * N; /* exp_avg and exp_avg_sq (max_exp_avg_sq: amsgrad) */
    size_t difference = gd_optimizer_state_size(wide) - gd_optimizer_state_size(opt);
    assert_true(difference >= vectors * sizeof(float));
    gd_optimizer_free(opt);
    gd_optimizer_free(wide);
}

/* A StepLR schedule changes the float groups' lr as it changes a double optimizer's,
 * and the updates take it: the same x as setting that lr by hand. */
static void test_schedule_acts_on_floats(void **state)
{
    (void)state;
    gd_optimizer *scheduled = gd_optimizer_new_f32(GD_SGD, N);
    gd_optimizer *by_hand = gd_optimizer_new_f32(GD_SGD, N);
    assert_non_null(scheduled);
    assert_non_null(by_hand);
    gd_schedule *s = gd_schedule_new(GD_SCHEDULE_EXPONENTIAL);
    assert_non_null(s);
    assert_int_equal(gd_schedule_set(s, GD_SCHEDULE_PARAM_GAMMA, 0.7), GD_OK);
    assert_int_equal(gd_optimizer_add_schedule(scheduled, s), GD_OK);
    gd_schedule_free(s);
    float x[N], y[N];
    start(x);
    start(y);
    double lr = 0.01; /* SGD's default */
    for (int epoch = 0; epoch < 4; epoch++) {
        run_steps(scheduled, x, epoch, 1);
        assert_int_equal(gd_optimizer_set(by_hand, GD_PARAM_LR, lr), GD_OK);
        run_steps(by_hand, y, epoch, 1);
        assert_int_equal(gd_optimizer_schedule_step(scheduled, NAN), GD_OK);
        lr *= 0.7;
        double got;
        assert_int_equal(gd_optimizer_get(scheduled, GD_PARAM_LR, &got), GD_OK);
        assert_true(fabs(got - lr) <= 1e-15 * lr);
        lr = got;
    }
    assert_memory_equal(x, y, sizeof x);
    assert_true(x[0] != (float)(-18.0 / 8.0));
    gd_optimizer_free(scheduled);
    gd_optimizer_free(by_hand);
}

/* Where torch's sum of squares overflows (its factor would be 0, and no update), the
 * accurate norm scales a finite gradient to max_norm, in both precisions, with and
 * without clipping by value (which here clamps nothing). */
static void clip_beyond_the_squares_range(double wide_clip_value, double single_clip_value)
{
    gd_optimizer *wide = gd_optimizer_new(GD_SGD, 3), *single = gd_optimizer_new_f32(GD_SGD, 3);
    assert_non_null(wide);
    assert_non_null(single);
    for (int k = 0; k < 2; k++) {
        gd_optimizer *opt = k == 0 ? wide : single;
        assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LR, 1.0), GD_OK);
        assert_int_equal(gd_optimizer_set(opt, GD_PARAM_CLIP_NORM, 2.0), GD_OK);
        double clip_value = k == 0 ? wide_clip_value : single_clip_value;
        assert_int_equal(gd_optimizer_set(opt, GD_PARAM_CLIP_VALUE, clip_value), GD_OK);
    }
    double x[3] = {0.0, 0.0, 5.0}, g[3] = {3e200, -4e200, 0.0};
    float xf[3] = {0.0f, 0.0f, 5.0f}, gf[3] = {3e30f, -4e30f, 0.0f};
    assert_int_equal(gd_optimizer_update(wide, x, g), GD_OK);
    assert_int_equal(gd_optimizer_update_f32(single, xf, gf), GD_OK);
    /* g / ||g|| * 2 = (1.2, -1.6, 0) */
    assert_true(fabs(x[0] + 1.2) < 1e-12 && fabs(x[1] - 1.6) < 1e-12 && x[2] == 5.0);
    assert_true(fabs(xf[0] + 1.2f) < 1e-6f && fabs(xf[1] - 1.6f) < 1e-6f && xf[2] == 5.0f);
    gd_optimizer_free(wide);
    gd_optimizer_free(single);
}

static void test_clip_norm_beyond_the_squares_range(void **state)
{
    (void)state;
    clip_beyond_the_squares_range(0.0, 0.0);
    clip_beyond_the_squares_range(1e300, 1e38); /* above every element */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_every_method_moves_as_double),
        cmocka_unit_test(test_saved_state_resumes),
        cmocka_unit_test(test_state_is_float),
        cmocka_unit_test(test_schedule_acts_on_floats),
        cmocka_unit_test(test_clip_norm_beyond_the_squares_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
