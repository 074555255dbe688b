/*
 * test_chain.c - runs split over several calls give what one call gives: k calls of
 * gd_minimize with max_iter = m, one call with max_iter = k m and k m calls of gd_step
 * end at the same x with the same step count and sampling position, bit for bit; the
 * batch of a run's final evaluation is drawn again by the next call; a failed first
 * mini-batch step leaves the sampling as it was.
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <gdescent.h>

#include "test_util.h"

enum { DIM = 2, TERMS = 7, MAX_LOG = 4096 };

/* f_i(x) = 0.5 ||x - c_i||^2 over TERMS centers; every index drawn is logged, and the
 * first `fail_first` calls fail. */
struct sum {
    size_t log[MAX_LOG];
    size_t logged;
    int calls, fail_first;
};

static const double centers[TERMS][DIM] = {{1, 2}, {-3, 0.5}, {2, -1}, {0, 4},
                                           {5, 1}, {-1, -2},  {3, 3}};

static int mean_square(const double *x, size_t n, const size_t *idx, size_t count, double *f,
                       double *grad, void *user)
{
    struct sum *s = user;
    if (s->calls++ < s->fail_first)
        return 1;
    double value = 0.0;
    for (size_t j = 0; j < n; j++)
        if (grad)
            grad[j] = 0.0;
    for (size_t k = 0; k < count; k++) {
        assert_true(s->logged < MAX_LOG);
        s->log[s->logged++] = idx[k];
        for (size_t j = 0; j < n; j++) {
            double d = x[j] - centers[idx[k]][j];
            value += 0.5 * d * d;
            if (grad)
                grad[j] += d / (double)count;
        }
    }
    *f = value / (double)count;
    return 0;
}

/* One way of running: its objective, optimizer, iterate and log. */
struct lane {
    struct sum sum;
    gd_objective *obj;
    gd_optimizer *opt;
    double x[DIM];
};

static void lane_open(struct lane *l, gd_method method, double batch)
{
    memset(&l->sum, 0, sizeof l->sum);
    l->obj = gd_objective_new_sum(DIM, TERMS, mean_square, &l->sum);
    l->opt = gd_optimizer_new(method, DIM);
    assert_non_null(l->obj);
    assert_non_null(l->opt);
    assert_int_equal(gd_optimizer_set(l->opt, GD_PARAM_LR, 0.05), GD_OK);
    assert_int_equal(gd_optimizer_set(l->opt, GD_PARAM_BATCH_SIZE, batch), GD_OK);
    assert_int_equal(gd_optimizer_set(l->opt, GD_PARAM_SEED, 11), GD_OK);
    l->x[0] = 4.0;
    l->x[1] = -3.0;
}

static void lane_close(struct lane *l)
{
    gd_optimizer_free(l->opt);
    gd_objective_free(l->obj);
}

static void minimize_calls(struct lane *l, int calls, double max_iter)
{
    assert_int_equal(gd_optimizer_set(l->opt, GD_PARAM_MAX_ITER, max_iter), GD_OK);
    for (int c = 0; c < calls; c++)
        assert_int_equal(gd_minimize(l->opt, l->obj, l->x, NULL), GD_STOP_MAXITER);
}

static void steps(struct lane *l, int count)
{
    for (int k = 0; k < count; k++)
        assert_int_equal(gd_step(l->opt, l->obj, l->x, NULL), GD_OK);
}

/* The batches drawn by the last `count` evaluations of a lane. */
static const size_t *last_drawn(const struct lane *l, size_t count)
{
    assert_true(l->sum.logged >= count);
    return l->sum.log + l->sum.logged - count;
}

/* 6 x 5 = 30 = 1 x 30 = 30 steps, with batches of 3 over 7 terms (epochs of 3, 3, 1),
 * then 7 more steps each: the same x and step count, and the 7 steps draw the same
 * batches, which shows the sampling position was the same. */
static void chain_method(gd_method method)
{
    struct lane split, whole, stepped;
    lane_open(&split, method, 3);
    lane_open(&whole, method, 3);
    lane_open(&stepped, method, 3);
    minimize_calls(&split, 6, 5);
    minimize_calls(&whole, 1, 30);
    steps(&stepped, 30);
    assert_memory_equal(split.x, whole.x, sizeof split.x);
    assert_memory_equal(split.x, stepped.x, sizeof split.x);
    assert_int_equal(gd_optimizer_iterations(split.opt), 30);
    assert_int_equal(gd_optimizer_iterations(whole.opt), 30);
    /* Each call evaluates its start: 6 x 6 evaluations against 31, 30 for the steps. */
    assert_int_equal(gd_optimizer_evaluations(split.opt), 36);
    assert_int_equal(gd_optimizer_evaluations(whole.opt), 31);
    assert_int_equal(gd_optimizer_evaluations(stepped.opt), 30);
    assert_true(gd_optimizer_last_f(split.opt) == gd_optimizer_last_f(whole.opt));
    size_t before = stepped.sum.logged;
    steps(&split, 7);
    steps(&whole, 7);
    steps(&stepped, 7);
    size_t drawn = stepped.sum.logged - before;
    assert_memory_equal(last_drawn(&split, drawn), last_drawn(&stepped, drawn),
                        drawn * sizeof(size_t));
    assert_memory_equal(last_drawn(&whole, drawn), last_drawn(&stepped, drawn),
                        drawn * sizeof(size_t));
    assert_memory_equal(split.x, stepped.x, sizeof split.x);
    assert_memory_equal(whole.x, stepped.x, sizeof split.x);
    assert_int_equal(gd_optimizer_iterations(split.opt), 37);
    lane_close(&split);
    lane_close(&whole);
    lane_close(&stepped);
}

static void test_minibatch_runs_chain(void **state)
{
    (void)state;
    for (int m = 0; gd_method_name((gd_method)m); m++)
        if (method_updates_alone((gd_method)m)) /* L-BFGS refuses mini-batches */
            chain_method((gd_method)m);
}

/* Full batches: four calls of 10 end where one call of 40 ends. */
static void test_full_batch_runs_chain(void **state)
{
    (void)state;
    struct lane split, whole;
    lane_open(&split, GD_ADAM, 0);
    lane_open(&whole, GD_ADAM, 0);
    minimize_calls(&split, 4, 10);
    minimize_calls(&whole, 1, 40);
    assert_memory_equal(split.x, whole.x, sizeof split.x);
    assert_int_equal(gd_optimizer_evaluations(split.opt), 44);
    assert_int_equal(gd_optimizer_evaluations(whole.opt), 41);
    assert_int_equal(split.sum.calls, 44);
    lane_close(&split);
    lane_close(&whole);
}

/* The batch of a run's final evaluation is drawn again by the next evaluation, wherever
 * x is then; a change of a sampling key between the calls changes nothing of that. */
static void test_final_batch_is_drawn_again(void **state)
{
    (void)state;
    struct lane l;
    lane_open(&l, GD_SGD, 2);
    minimize_calls(&l, 1, 4); /* 4 updates, 5 batches drawn */
    size_t final[2];
    memcpy(final, last_drawn(&l, 2), sizeof final);
    l.x[0] += 0.5;
    steps(&l, 1);
    assert_memory_equal(last_drawn(&l, 2), final, sizeof final);

    minimize_calls(&l, 1, 3);
    memcpy(final, last_drawn(&l, 2), sizeof final);
    assert_int_equal(gd_optimizer_set(l.opt, GD_PARAM_SHUFFLE, 1.0), GD_OK);
    steps(&l, 1);
    assert_memory_equal(last_drawn(&l, 2), final, sizeof final);
    lane_close(&l);
}

/* A first mini-batch step that fails (here: the callback's first call) leaves the
 * sampling where a fresh optimizer's is: seed 7, 4 terms, batches of 1.  Before the
 * fix the second epoch repeated the first. */
static void test_failed_first_step_keeps_the_sampling(void **state)
{
    (void)state;
    struct lane clean, failed;
    lane_open(&clean, GD_SGD, 1);
    lane_open(&failed, GD_SGD, 1);
    assert_int_equal(gd_optimizer_set(clean.opt, GD_PARAM_SEED, 7), GD_OK);
    assert_int_equal(gd_optimizer_set(failed.opt, GD_PARAM_SEED, 7), GD_OK);
    failed.sum.fail_first = 1;
    assert_int_equal(gd_step(failed.opt, failed.obj, failed.x, NULL), GD_ECALLBACK);
    assert_int_equal(gd_optimizer_iterations(failed.opt), 0);
    steps(&clean, 21);
    steps(&failed, 21);
    assert_int_equal(clean.sum.logged, 21);
    assert_int_equal(failed.sum.logged, 21);
    assert_memory_equal(clean.sum.log, failed.sum.log, 21 * sizeof(size_t));
    assert_memory_equal(clean.x, failed.x, sizeof clean.x);
    lane_close(&clean);
    lane_close(&failed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minibatch_runs_chain),
        cmocka_unit_test(test_full_batch_runs_chain),
        cmocka_unit_test(test_final_batch_is_drawn_again),
        cmocka_unit_test(test_failed_first_step_keeps_the_sampling),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
