/*
 * test_alloc.c - every allocation of every public call is made to fail in turn (the
 * k-th, for k = 1, 2, ... until the call needs no more): the call must report NULL or
 * GD_ENOMEM, leak nothing, and leave the handles it was given working.  Saved
 * states' files also have their writes, fsyncs and renames made to fail in turn.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "test_util.h"

/* A scenario makes its public calls with the k-th allocation failing; it returns
 * whether the call under test succeeded, and must free what it created either way. */
typedef bool (*scenario_fn)(void);

static int failures_seen(scenario_fn scenario)
{
    int failures = 0;
    for (long k = 1; k < 1000; k++) {
        long live = gdi_live_blocks();
        gdi_fault_arm(k);
        bool ok = scenario();
        bool injected = !gdi_fault_pending();
        gdi_fault_arm(0);
        assert_int_equal(gdi_live_blocks(), live); /* nothing leaked, success or not */
        if (!injected) {
            assert_true(ok); /* no failure injected: the call must succeed */
            return failures;
        }
        assert_false(ok);
        failures++;
    }
    fail_msg("scenario still allocating after 1000 allocations");
    return failures;
}

static int dummy_batch(const double *x, size_t n, const size_t *idx, size_t count, double *f,
                       double *grad, void *user)
{
    (void)idx;
    (void)user;
    *f = 0.0;
    for (size_t j = 0; grad && j < n; j++)
        grad[j] = x[j] / (double)count;
    return 0;
}

static bool make_sum_objective(void)
{
    gd_objective *obj = gd_objective_new_sum(3, 10, dummy_batch, NULL);
    gd_objective_free(obj);
    return obj != NULL;
}

static bool make_bundled_objectives(void)
{
    const double center[2] = {1, 2}, X[6] = {1, 2, 3, 4, 5, 6}, y[3] = {1, 2, 3};
    const double weights[3] = {1, 2, 3}, labels01[3] = {0, 1, 1};
    const size_t labels[3] = {0, 2, 1};
    gd_objective *objs[6] = {
        gd_quadratic_new(2, center, 1.0),
        gd_least_squares_new(3, 2, X, y, 0.5, GD_LS_INTERCEPT),
        gd_geometric_median_new(3, 2, X, weights),
        gd_rosenbrock_new(4),
        gd_logistic_new(3, 2, X, labels01, 0.1, GD_INTERCEPT),
        gd_softmax_new(3, 2, 3, X, labels, 0.1, GD_INTERCEPT),
    };
    bool ok = true;
    for (int i = 0; i < 6; i++) {
        ok = ok && objs[i];
        gd_objective_free(objs[i]);
    }
    return ok;
}

static bool make_optimizers(void)
{
    bool ok = true;
    for (int m = 0; m < method_count(); m++) {
        gd_optimizer *opt = gd_optimizer_new((gd_method)m, 5);
        ok = ok && opt;
        gd_optimizer_free(opt);
        if (m == GD_LBFGS)
            continue; /* no float optimizer */
        opt = gd_optimizer_new_f32((gd_method)m, 5);
        ok = ok && opt;
        gd_optimizer_free(opt);
    }
    return ok;
}

static bool make_trajectory(void)
{
    gd_trajectory *traj = gd_trajectory_new(2, GD_TRAJ_X);
    gd_trajectory_free(traj);
    return traj != NULL;
}

/* L-BFGS allocates its history with the optimizer, and again when history_size changes
 * (GD_ENOMEM then keeps the old history and value). */
static bool make_lbfgs(void)
{
    gd_optimizer *opt = gd_optimizer_new(GD_LBFGS, 7);
    bool ok = opt && gd_optimizer_set(opt, GD_PARAM_HISTORY_SIZE, 5) == GD_OK;
    double history = 0;
    if (opt && !ok) {
        assert_int_equal(gd_optimizer_get(opt, GD_PARAM_HISTORY_SIZE, &history), GD_OK);
        assert_true(history == 100);
    }
    gd_optimizer_free(opt);
    return ok;
}

/* Setting a range allocates the new groups; GD_ENOMEM leaves the old ones in force. */
static bool make_ranges(void)
{
    gd_optimizer *opt = gd_optimizer_new(GD_ADAM, 9);
    bool ok = opt && gd_optimizer_set_range(opt, 2, 3, GD_PARAM_LR, 0.5) == GD_OK;
    ok = ok && gd_optimizer_set_range(opt, 4, 5, GD_PARAM_BETA1, 0.5) == GD_OK;
    if (opt && !ok) {
        double lr, beta1;
        assert_int_equal(gd_optimizer_get_range(opt, 4, GD_PARAM_BETA1, &beta1), GD_OK);
        assert_true(beta1 == 0.9);
        assert_int_equal(gd_optimizer_get_range(opt, 5, GD_PARAM_LR, &lr), GD_OK);
        assert_true(lr == 1e-3);
    }
    gd_optimizer_free(opt);
    return ok;
}

static void test_constructors_fail_cleanly(void **state)
{
    (void)state;
    assert_true(failures_seen(make_ranges) >= 4);
    assert_true(failures_seen(make_lbfgs) >= 6);
    assert_true(failures_seen(make_sum_objective) >= 2);
    assert_true(failures_seen(make_bundled_objectives) >= 6);
    assert_true(failures_seen(make_optimizers) >= method_count());
    assert_true(failures_seen(make_trajectory) >= 1);
}

/* The first mini-batch step allocates the permutation of the terms.  On failure: ENOMEM,
 * x untouched, no update counted; after it, the same optimizer steps normally. */
static void test_first_minibatch_step_out_of_memory(void **state)
{
    (void)state;
    const double X[4] = {1, 2, 3, 4}, y[4] = {2, 4, 6, 8};
    gd_objective *obj = gd_least_squares_new(4, 1, X, y, 1.0, 0);
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, 1);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_BATCH_SIZE, 2), GD_OK);
    long live = gdi_live_blocks();
    double w = 1.0;
    gdi_fault_arm(1);
    assert_int_equal(gd_step(opt, obj, &w, NULL), GD_ENOMEM);
    gdi_fault_arm(0);
    assert_true(w == 1.0);
    assert_int_equal(gd_optimizer_iterations(opt), 0);
    assert_int_equal(gdi_live_blocks(), live);
    assert_int_equal(gd_step(opt, obj, &w, NULL), GD_OK);
    assert_true(w != 1.0);
    gd_optimizer_free(opt);
    gd_objective_free(obj);
}

/* A trajectory that cannot grow stops gd_minimize with ENOMEM; x is the iterate the
 * optimizer had accepted, the records made so far are intact and nothing leaks. */
static void test_trajectory_growth_out_of_memory(void **state)
{
    (void)state;
    const double center[1] = {3.0};
    gd_objective *obj = gd_quadratic_new(1, center, 1.0);
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, 1);
    gd_trajectory *traj = gd_trajectory_new(1, GD_TRAJ_X);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MAX_ITER, 200), GD_OK);
    double x = -7.0;
    /* The first append allocates 4 arrays of 64 records; the 6th allocation comes in
     * the second growth, at record 64, after one array has already grown. */
    gdi_fault_arm(6);
    assert_int_equal(gd_minimize(opt, obj, &x, traj), GD_ENOMEM);
    gdi_fault_arm(0);
    assert_int_equal(gd_trajectory_len(traj), 64);
    assert_int_equal(gd_optimizer_iterations(opt), 64);
    /* The same path by gd_step: record 63 holds x_63, and x is x_64, the accepted
     * iterate that could not be recorded. */
    gd_optimizer *check = gd_optimizer_new(GD_SGD, 1);
    double expected = -7.0;
    for (int k = 0; k < 63; k++)
        assert_int_equal(gd_step(check, obj, &expected, NULL), GD_OK);
    assert_true(gd_trajectory_x(traj, 63)[0] == expected);
    assert_int_equal(gd_trajectory_iter(traj, 63), 63);
    assert_int_equal(gd_step(check, obj, &expected, NULL), GD_OK);
    assert_true(x == expected);
    gd_optimizer_free(check);
    gd_trajectory_free(traj);
    gd_optimizer_free(opt);
    gd_objective_free(obj);
}

/* gd_minimize with mini-batches and a trajectory that grows past its first block: the
 * k-th allocation fails for every k in turn.  Each failure is GD_ENOMEM with nothing
 * leaked, and the same handles then complete the run. */
static void test_minimize_fails_cleanly_at_every_allocation(void **state)
{
    (void)state;
    const double X[6] = {1, 2, 3, 4, 5, 6}, y[6] = {2, 4, 6, 8, 10, 12};
    int failures = 0;
    for (long k = 1;; k++) {
        long before = gdi_live_blocks();
        gd_objective *obj = gd_least_squares_new(6, 1, X, y, 0.5, 0);
        gd_optimizer *opt = gd_optimizer_new(GD_SGD, 1);
        gd_trajectory *traj = gd_trajectory_new(1, GD_TRAJ_X);
        assert_int_equal(gd_optimizer_set(opt, GD_PARAM_BATCH_SIZE, 2), GD_OK);
        assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MAX_ITER, 150), GD_OK);
        double w = 0.0;
        gdi_fault_arm(k);
        int rc = gd_minimize(opt, obj, &w, traj);
        bool injected = !gdi_fault_pending();
        gdi_fault_arm(0);
        if (!injected) {
            assert_int_equal(rc, GD_STOP_MAXITER);
            assert_int_equal(gd_trajectory_len(traj), 151);
        } else {
            assert_int_equal(rc, GD_ENOMEM);
            failures++;
            /* The handles still work: the run can go on to its end. */
            gd_trajectory_clear(traj);
            assert_int_equal(gd_minimize(opt, obj, &w, traj), GD_STOP_MAXITER);
        }
        gd_trajectory_free(traj);
        gd_optimizer_free(opt);
        gd_objective_free(obj);
        assert_int_equal(gdi_live_blocks(), before);
        if (!injected)
            break;
    }
    /* The run allocates the batch permutation, then 4 record arrays at records 0, 64
     * and 128 (151 records): 13 allocations, each made to fail once. */
    assert_int_equal(failures, 13);
}

/* L-BFGS's runs allocate nothing, however many iterations they make (with either line
 * search, without a trajectory): the history is the optimizer's. */
static void test_lbfgs_runs_do_not_allocate(void **state)
{
    (void)state;
    gd_objective *obj = gd_rosenbrock_new(10);
    for (int ls = 0; ls <= 2; ls++) {
        for (int iterations = 5; iterations <= 50; iterations += 45) {
            gd_optimizer *opt = gd_optimizer_new(GD_LBFGS, 10);
            assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LINE_SEARCH, ls), GD_OK);
            assert_int_equal(gd_optimizer_set(opt, GD_PARAM_HISTORY_SIZE, 4), GD_OK);
            assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LR, ls ? 1.0 : 0.02), GD_OK);
            assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MAX_ITER, iterations), GD_OK);
            assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MAX_EVAL, 1000), GD_OK);
            double x[10];
            for (int i = 0; i < 10; i++)
                x[i] = i % 2 == 0 ? -1.2 : 1.0;
            long live = gdi_live_blocks();
            gdi_fault_arm(1); /* the first allocation, if any, fails */
            int rc = gd_minimize(opt, obj, x, NULL);
            bool allocated = !gdi_fault_pending();
            gdi_fault_arm(0);
            assert_false(allocated);
            assert_int_equal(rc, GD_STOP_MAXITER);
            assert_int_equal(gd_optimizer_iterations(opt), iterations);
            assert_int_equal(gdi_live_blocks(), live);
            gd_optimizer_free(opt);
        }
    }
    gd_objective_free(obj);
}

/* An optimizer of method m with two ranges and both clippings on. */
static gd_optimizer *clipped_with_ranges(gd_method m, bool single)
{
    gd_optimizer *opt = single ? gd_optimizer_new_f32(m, 12) : gd_optimizer_new(m, 12);
    assert_non_null(opt);
    assert_int_equal(gd_optimizer_set_range(opt, 0, 4, GD_PARAM_LR, 0.5), GD_OK);
    assert_int_equal(gd_optimizer_set_range(opt, 8, 4, GD_PARAM_LR, 0.25), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_CLIP_NORM, 0.1), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_CLIP_VALUE, 0.05), GD_OK);
    return opt;
}

/* With ranges and both clippings on, an update allocates nothing, in either
 * precision. */
static void test_updates_with_ranges_do_not_allocate(void **state)
{
    (void)state;
    for (int m = 0; m < method_count(); m++) {
        if (!method_updates_alone((gd_method)m))
            continue;
        gd_optimizer *wide = clipped_with_ranges((gd_method)m, false);
        gd_optimizer *single = clipped_with_ranges((gd_method)m, true);
        double x[12], g[12];
        float xf[12], gf[12];
        for (int i = 0; i < 12; i++) {
            x[i] = g[i] = 0.1 * i;
            xf[i] = gf[i] = 0.1f * (float)i;
        }
        gdi_fault_arm(1);
        for (int s = 0; s < 3; s++) {
            assert_int_equal(gd_optimizer_update(wide, x, g), GD_OK);
            assert_int_equal(gd_optimizer_update_f32(single, xf, gf), GD_OK);
        }
        bool allocated = !gdi_fault_pending();
        gdi_fault_arm(0);
        assert_false(allocated);
        gd_optimizer_free(wide);
        gd_optimizer_free(single);
    }
}

/* ---- saved states in files: every write, fsync, rename and allocation failing ---- */

static unsigned char *state_of(const gd_optimizer *opt, size_t *size)
{
    *size = gd_optimizer_state_size(opt);
    unsigned char *buf = malloc(*size);
    assert_non_null(buf);
    assert_int_equal(gd_optimizer_save(opt, buf, *size), GD_OK);
    return buf;
}

/* Whether the file at path loads into an Adam of n 5 with exactly the given state. */
static bool file_holds(const char *path, const unsigned char *expected, size_t size)
{
    gd_optimizer *opt = gd_optimizer_new(GD_ADAM, 5);
    assert_non_null(opt);
    bool same = false;
    if (gd_optimizer_load_file(opt, path) == GD_OK) {
        size_t now_size;
        unsigned char *now = state_of(opt, &now_size);
        same = now_size == size && memcmp(now, expected, size) == 0;
        free(now);
    }
    gd_optimizer_free(opt);
    return same;
}

static int files_in(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int count = 0;
    for (struct dirent *e; (e = readdir(d));)
        count += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return count;
}

/* Two Adam states of n 5: the one in the file (old) and the one saved over it (new). */
struct two_states {
    char dir[32], path[64];
    gd_optimizer *new_opt;
    unsigned char *old_state, *new_state;
    size_t old_size, new_size;
};

static void two_states_make(struct two_states *t)
{
    strcpy(t->dir, "/tmp/gd-alloc-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->path, sizeof t->path, "%s/state", t->dir);
    gd_optimizer *old_opt = gd_optimizer_new(GD_ADAM, 5);
    t->new_opt = gd_optimizer_new(GD_ADAM, 5);
    double x[5] = {1, 2, 3, 4, 5}, g[5] = {0.5, -0.5, 0.25, -0.25, 1};
    assert_int_equal(gd_optimizer_update(old_opt, x, g), GD_OK);
    for (int k = 0; k < 3; k++)
        assert_int_equal(gd_optimizer_update(t->new_opt, x, g), GD_OK);
    t->old_state = state_of(old_opt, &t->old_size);
    t->new_state = state_of(t->new_opt, &t->new_size);
    assert_int_equal(gd_optimizer_save_file(old_opt, t->path), GD_OK);
    gd_optimizer_free(old_opt);
}

static void two_states_free(struct two_states *t)
{
    unlink(t->path);
    assert_int_equal(rmdir(t->dir), 0); /* nothing else left in it */
    gd_optimizer_free(t->new_opt);
    free(t->old_state);
    free(t->new_state);
}

/* The k-th write, fsync or rename failing, for k = 1, 2, ... until the save succeeds:
 * GD_EIO, the old state in the file and no temporary file left; but for the last
 * step, the directory's fsync after the rename, whose failure leaves the new state
 * (gd_optimizer_save_file's documentation).  Then the k-th allocation failing:
 * GD_ENOMEM, the old state in the file. */
static void test_save_file_fails_cleanly(void **state)
{
    (void)state;
    struct two_states t;
    two_states_make(&t);
    assert_true(file_holds(t.path, t.old_state, t.old_size));
    int failures = 0;
    for (long k = 1;; k++) {
        gdi_io_fault_arm(k);
        int rc = gd_optimizer_save_file(t.new_opt, t.path);
        bool injected = !gdi_io_fault_pending();
        gdi_io_fault_arm(0);
        assert_int_equal(files_in(t.dir), 1);
        if (!injected) {
            assert_int_equal(rc, GD_OK);
            assert_true(file_holds(t.path, t.new_state, t.new_size));
            break;
        }
        assert_int_equal(rc, GD_EIO);
        failures++;
        bool renamed = file_holds(t.path, t.new_state, t.new_size);
        if (renamed) { /* the directory's fsync: back to the old file for the next k */
            assert_int_equal(k, 4);
            FILE *f = fopen(t.path, "wb");
            assert_non_null(f);
            assert_int_equal(fwrite(t.old_state, 1, t.old_size, f), t.old_size);
            assert_int_equal(fclose(f), 0);
        }
        if (!file_holds(t.path, t.old_state, t.old_size))
            fail_msg("I/O failure %ld: the file lost the old state", k);
    }
    /* the write, the file's fsync, the rename, the directory's fsync */
    assert_int_equal(failures, 4);

    two_states_free(&t);
    two_states_make(&t);
    failures = 0;
    for (long k = 1;; k++) {
        long live = gdi_live_blocks();
        gdi_fault_arm(k);
        int rc = gd_optimizer_save_file(t.new_opt, t.path);
        bool injected = !gdi_fault_pending();
        gdi_fault_arm(0);
        assert_int_equal(gdi_live_blocks(), live);
        assert_int_equal(files_in(t.dir), 1);
        if (!injected) {
            assert_int_equal(rc, GD_OK);
            assert_true(file_holds(t.path, t.new_state, t.new_size));
            break;
        }
        assert_int_equal(rc, GD_ENOMEM);
        failures++;
        if (!file_holds(t.path, t.old_state, t.old_size))
            fail_msg("allocation failure %ld: the file lost the old state", k);
    }
    /* the state's bytes, the temporary name, the directory's name */
    assert_int_equal(failures, 3);
    two_states_free(&t);
}

/* gd_optimizer_load with each of its allocations failing in turn (the groups, rules,
 * scalars, the sampler's permutation, the schedules and their children): GD_ENOMEM
 * and the optimizer as it was, until it succeeds. */
static gd_optimizer *optimizer_with_everything(void)
{
    gd_optimizer *opt = gd_optimizer_new(GD_NADAM, 6);
    gd_schedule *sequential = gd_schedule_new(GD_SCHEDULE_SEQUENTIAL);
    gd_schedule *multistep = gd_schedule_new(GD_SCHEDULE_MULTISTEP);
    gd_schedule *linear = gd_schedule_new(GD_SCHEDULE_LINEAR);
    const size_t milestones[2] = {1, 3}, switch_at[1] = {2};
    assert_int_equal(gd_schedule_set_milestones(multistep, milestones, 2), GD_OK);
    assert_int_equal(gd_schedule_append(sequential, linear), GD_OK);
    assert_int_equal(gd_schedule_append(sequential, multistep), GD_OK);
    assert_int_equal(gd_schedule_set_milestones(sequential, switch_at, 1), GD_OK);
    assert_int_equal(gd_optimizer_add_schedule(opt, sequential), GD_OK);
    assert_int_equal(gd_optimizer_set_range(opt, 2, 2, GD_PARAM_LR, 0.5), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_BATCH_SIZE, 1), GD_OK);
    gd_objective *obj = gd_objective_new_sum(6, 4, dummy_batch, NULL);
    double x[6] = {1, 2, 3, 4, 5, 6};
    for (int k = 0; k < 3; k++)
        assert_int_equal(gd_step(opt, obj, x, NULL), GD_OK);
    gd_objective_free(obj);
    gd_schedule_free(sequential);
    gd_schedule_free(multistep);
    gd_schedule_free(linear);
    return opt;
}

static void test_loading_fails_cleanly_at_every_allocation(void **state)
{
    (void)state;
    gd_optimizer *source = optimizer_with_everything(), *target = gd_optimizer_new(GD_NADAM, 6);
    size_t size = gd_optimizer_state_size(source), target_size = gd_optimizer_state_size(target);
    unsigned char *buf = malloc(size), *before = malloc(target_size), *now = malloc(size);
    assert_true(buf && before && now);
    assert_int_equal(gd_optimizer_save(source, buf, size), GD_OK);
    assert_int_equal(gd_optimizer_save(target, before, target_size), GD_OK);
    int failures = 0;
    for (long k = 1; k < 100; k++) {
        long live = gdi_live_blocks();
        gdi_fault_arm(k);
        int rc = gd_optimizer_load(target, buf, size);
        bool injected = !gdi_fault_pending();
        gdi_fault_arm(0);
        if (!injected) {
            assert_int_equal(rc, GD_OK);
            break;
        }
        assert_int_equal(rc, GD_ENOMEM);
        assert_int_equal(gdi_live_blocks(), live);
        assert_int_equal(gd_optimizer_state_size(target), target_size);
        assert_int_equal(gd_optimizer_save(target, now, target_size), GD_OK);
        assert_memory_equal(now, before, target_size);
        failures++;
    }
    assert_true(failures >= 6);
    assert_int_equal(gd_optimizer_save(target, now, size), GD_OK);
    assert_memory_equal(now, buf, size);
    free(buf);
    free(before);
    free(now);
    gd_optimizer_free(source);
    gd_optimizer_free(target);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constructors_fail_cleanly),
        cmocka_unit_test(test_first_minibatch_step_out_of_memory),
        cmocka_unit_test(test_trajectory_growth_out_of_memory),
        cmocka_unit_test(test_minimize_fails_cleanly_at_every_allocation),
        cmocka_unit_test(test_lbfgs_runs_do_not_allocate),
        cmocka_unit_test(test_updates_with_ranges_do_not_allocate),
        cmocka_unit_test(test_loading_fails_cleanly_at_every_allocation),
        cmocka_unit_test(test_save_file_fails_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
