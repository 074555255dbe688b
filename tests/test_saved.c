/*
 * test_saved.c - saved states: an optimizer loaded from one continues bit for bit
 * (every method, with ranges, schedules, clipping and mini-batches; L-BFGS with its
 * history), and every damaged, truncated, foreign or newer state is refused with the
 * optimizer unchanged.
 * SPDX-License-Identifier: MIT
 */
#define _XOPEN_SOURCE 700 /* mkdtemp */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/wait.h>
#include <unistd.h>

#include <gdescent.h>

#include "test_util.h"

enum { M = 12, P = 3, N = P + 1 };

/* Least squares over M samples (a finite sum: mini-batches draw from it). */
static gd_objective *least_squares(void)
{
    double X[M * P], y[M];
    for (int i = 0; i < M; i++) {
        for (int j = 0; j < P; j++)
            X[i * P + j] = sin(1.0 + i * 0.7 + j * 1.3);
        y[i] = cos(0.3 * i);
    }
    gd_objective *obj = gd_least_squares_new(M, P, X, y, 0.5, GD_LS_INTERCEPT);
    assert_non_null(obj);
    return obj;
}

static unsigned char *saved(const gd_optimizer *opt, size_t *size)
{
    *size = gd_optimizer_state_size(opt);
    unsigned char *buf = malloc(*size);
    assert_non_null(buf);
    assert_int_equal(gd_optimizer_save(opt, buf, *size), GD_OK);
    return buf;
}

/* The optimizer of the resume tests: a range, a chain of two schedules, clipping by
 * norm and mini-batches of 5 (so that the sampler's position matters). */
static gd_optimizer *training_optimizer(gd_method method)
{
    gd_optimizer *opt = gd_optimizer_new(method, N);
    assert_non_null(opt);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_BATCH_SIZE, 5), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_SEED, 11), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_CLIP_NORM, 0.5), GD_OK);
    double lr;
    assert_int_equal(gd_optimizer_get(opt, GD_PARAM_LR, &lr), GD_OK);
    assert_int_equal(gd_optimizer_set_range(opt, 2, 2, GD_PARAM_LR, 0.5 * lr), GD_OK);
    gd_schedule *cosine = gd_schedule_new(GD_SCHEDULE_COSINE);
    assert_int_equal(gd_schedule_set(cosine, GD_SCHEDULE_PARAM_T_MAX, 7), GD_OK);
    gd_schedule *step = gd_schedule_new(GD_SCHEDULE_STEP);
    assert_int_equal(gd_schedule_set(step, GD_SCHEDULE_PARAM_STEP_SIZE, 3), GD_OK);
    assert_int_equal(gd_optimizer_add_schedule(opt, cosine), GD_OK);
    assert_int_equal(gd_optimizer_add_schedule(opt, step), GD_OK);
    gd_schedule_free(cosine);
    gd_schedule_free(step);
    return opt;
}

static void train(gd_optimizer *opt, gd_objective *obj, double *x, int steps)
{
    for (int k = 0; k < steps; k++) {
        assert_int_equal(gd_step(opt, obj, x, NULL), GD_OK);
        assert_int_equal(gd_optimizer_schedule_step(opt, NAN), GD_OK);
    }
}

/* 7 steps, a save, then 9 more steps of the original and of a new optimizer loaded
 * from the save: the same x, and the same state, bit for bit. */
static void test_every_method_resumes_bit_for_bit(void **state)
{
    (void)state;
    gd_objective *obj = least_squares();
    for (int m = 0; m < method_count(); m++) {
        if (!method_updates_alone((gd_method)m))
            continue;
        gd_optimizer *opt = training_optimizer((gd_method)m);
        double x[N] = {0.5, -0.25, 1.0, 0.0}, y[N];
        train(opt, obj, x, 7);
        size_t size;
        unsigned char *buf = saved(opt, &size);
        gd_optimizer *loaded = training_optimizer((gd_method)m);
        assert_int_equal(gd_optimizer_load(loaded, buf, size), GD_OK);
        memcpy(y, x, sizeof x);
        train(opt, obj, x, 9);
        train(loaded, obj, y, 9);
        if (memcmp(x, y, sizeof x) != 0)
            fail_msg("%s: the loaded optimizer went elsewhere", gd_method_name((gd_method)m));
        size_t a_size, b_size;
        unsigned char *a = saved(opt, &a_size), *b = saved(loaded, &b_size);
        assert_int_equal(a_size, b_size);
        assert_memory_equal(a, b, a_size);
        free(a);
        free(b);
        free(buf);
        gd_optimizer_free(opt);
        gd_optimizer_free(loaded);
    }
    gd_objective_free(obj);
}

/* L-BFGS: its history, t and H_diag carry over; the next gd_minimize is the same. */
static void test_lbfgs_resumes_with_its_history(void **state)
{
    (void)state;
    gd_objective *obj = gd_rosenbrock_new(N);
    for (int ls = 0; ls <= 2; ls++) {
        gd_optimizer *opt = gd_optimizer_new(GD_LBFGS, N);
        assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LINE_SEARCH, ls), GD_OK);
        assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LR, ls ? 1.0 : 0.05), GD_OK);
        assert_int_equal(gd_optimizer_set(opt, GD_PARAM_HISTORY_SIZE, 3), GD_OK);
        assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MAX_ITER, 6), GD_OK);
        double x[N] = {-1.2, 1.0, -1.2, 1.0}, y[N];
        assert_true(gd_minimize(opt, obj, x, NULL) > 0);
        size_t size;
        unsigned char *buf = saved(opt, &size);
        gd_optimizer *loaded = gd_optimizer_new(GD_LBFGS, N); /* history_size 100 */
        assert_int_equal(gd_optimizer_load(loaded, buf, size), GD_OK);
        memcpy(y, x, sizeof x);
        int a = gd_minimize(opt, obj, x, NULL), b = gd_minimize(loaded, obj, y, NULL);
        assert_int_equal(a, b);
        assert_memory_equal(x, y, sizeof x);
        assert_int_equal(gd_optimizer_evaluations(opt), gd_optimizer_evaluations(loaded));
        free(buf);
        gd_optimizer_free(opt);
        gd_optimizer_free(loaded);
    }
    gd_objective_free(obj);
}

/* The state of an optimizer, to see that a refused load changed nothing. */
static void assert_state_is(const gd_optimizer *opt, const unsigned char *expected, size_t size)
{
    size_t now_size;
    unsigned char *now = saved(opt, &now_size);
    assert_int_equal(now_size, size);
    assert_memory_equal(now, expected, size);
    free(now);
}

/* Every single-bit change and every truncation is GD_EFORMAT, with the optimizer
 * unchanged. */
static void test_damaged_states_are_refused(void **state)
{
    (void)state;
    gd_objective *obj = least_squares();
    gd_optimizer *source = training_optimizer(GD_NADAM);
    double x[N] = {0.5, -0.25, 1.0, 0.0};
    train(source, obj, x, 4);
    size_t size, target_size;
    unsigned char *buf = saved(source, &size);
    gd_optimizer *target = training_optimizer(GD_NADAM);
    train(target, obj, x, 2);
    unsigned char *before = saved(target, &target_size);
    for (size_t byte = 0; byte < size; byte++)
        for (int bit = 0; bit < 8; bit++) {
            buf[byte] ^= (unsigned char)(1u << bit);
            int rc = gd_optimizer_load(target, buf, size);
            buf[byte] ^= (unsigned char)(1u << bit);
            if (rc != GD_EFORMAT)
                fail_msg("bit %d of byte %zu: %d, not GD_EFORMAT", bit, byte, rc);
        }
    for (size_t length = 0; length < size; length++)
        assert_int_equal(gd_optimizer_load(target, buf, length), GD_EFORMAT);
    assert_state_is(target, before, target_size);
    assert_int_equal(gd_optimizer_load(target, buf, size), GD_OK);
    free(before);
    free(buf);
    gd_optimizer_free(source);
    gd_optimizer_free(target);
    gd_objective_free(obj);
}

/* A state with a changed field and a checksum made anew, as a newer libgd would
 * write: its version 2 is GD_EFORMAT; another method, size or precision GD_EINVAL. */
static void rewrite_u32(unsigned char *buf, size_t size, size_t offset, uint32_t value)
{
    for (int i = 0; i < 4; i++)
        buf[offset + (size_t)i] = (unsigned char)(value >> (8 * i));
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i + 4 < size; i++) {
        crc ^= buf[i];
        for (int k = 0; k < 8; k++)
            crc = crc & 1 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
    }
    crc ^= 0xFFFFFFFFu;
    for (int i = 0; i < 4; i++)
        buf[size - 4 + (size_t)i] = (unsigned char)(crc >> (8 * i));
}

static void test_foreign_and_newer_states(void **state)
{
    (void)state;
    gd_optimizer *adam = gd_optimizer_new(GD_ADAM, N), *sgd = gd_optimizer_new(GD_SGD, N);
    gd_optimizer *longer = gd_optimizer_new(GD_ADAM, N + 1);
    size_t size;
    unsigned char *buf = saved(adam, &size);
    assert_int_equal(gd_optimizer_load(sgd, buf, size), GD_EINVAL);
    assert_int_equal(gd_optimizer_load(longer, buf, size), GD_EINVAL);
    assert_int_equal(gd_optimizer_load(NULL, buf, size), GD_EINVAL);
    assert_int_equal(gd_optimizer_load(adam, NULL, size), GD_EINVAL);
    assert_int_equal(gd_optimizer_save(adam, buf, size - 1), GD_EINVAL);
    rewrite_u32(buf, size, 8, 2); /* format version 2 */
    assert_int_equal(gd_optimizer_load(adam, buf, size), GD_EFORMAT);
    rewrite_u32(buf, size, 8, 1);
    assert_int_equal(gd_optimizer_load(adam, buf, size), GD_OK);
    rewrite_u32(buf, size, 12, 1); /* precision: float */
    assert_int_equal(gd_optimizer_load(adam, buf, size), GD_EINVAL);
    free(buf);
    gd_optimizer_free(adam);
    gd_optimizer_free(sgd);
    gd_optimizer_free(longer);
}

static double halve(size_t epoch, void *user)
{
    (void)user;
    return pow(0.5, (double)epoch);
}

/* A lambda schedule's function is taken from the loading optimizer's schedule at the
 * same place; without one, GD_EINVAL. */
static void test_lambda_schedules_need_their_function(void **state)
{
    (void)state;
    gd_schedule *lambda = gd_schedule_new(GD_SCHEDULE_LAMBDA);
    assert_int_equal(gd_schedule_set_lambda(lambda, halve, NULL), GD_OK);
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, N), *bare = gd_optimizer_new(GD_SGD, N);
    gd_optimizer *with = gd_optimizer_new(GD_SGD, N);
    assert_int_equal(gd_optimizer_add_schedule(opt, lambda), GD_OK);
    assert_int_equal(gd_optimizer_add_schedule(with, lambda), GD_OK);
    for (int k = 0; k < 3; k++)
        assert_int_equal(gd_optimizer_schedule_step(opt, NAN), GD_OK);
    size_t size;
    unsigned char *buf = saved(opt, &size);
    assert_int_equal(gd_optimizer_load(bare, buf, size), GD_EINVAL);
    assert_int_equal(gd_optimizer_load(with, buf, size), GD_OK);
    assert_int_equal(gd_optimizer_schedule_step(opt, NAN), GD_OK);
    assert_int_equal(gd_optimizer_schedule_step(with, NAN), GD_OK);
    double a, b;
    assert_int_equal(gd_optimizer_get(opt, GD_PARAM_LR, &a), GD_OK);
    assert_int_equal(gd_optimizer_get(with, GD_PARAM_LR, &b), GD_OK);
    assert_true(a == b && a == 0.01 * pow(0.5, 4));
    free(buf);
    gd_schedule_free(lambda);
    gd_optimizer_free(opt);
    gd_optimizer_free(bare);
    gd_optimizer_free(with);
}

/* Files: a round trip, and the temporary file gone after it. */
static void test_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/gd-saved-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/state", dir);
    gd_optimizer *opt = gd_optimizer_new(GD_ADAMW, N), *loaded = gd_optimizer_new(GD_ADAMW, N);
    double x[N] = {1, 2, 3, 4}, g[N] = {0.1, -0.2, 0.3, -0.4};
    assert_int_equal(gd_optimizer_update(opt, x, g), GD_OK);
    assert_int_equal(gd_optimizer_save_file(opt, path), GD_OK);
    assert_int_equal(gd_optimizer_save_file(opt, path), GD_OK); /* replaces it */
    assert_int_equal(gd_optimizer_load_file(loaded, path), GD_OK);
    size_t size;
    unsigned char *expected = saved(opt, &size);
    assert_state_is(loaded, expected, size);
    char missing[80];
    snprintf(missing, sizeof missing, "%s/none", dir);
    assert_int_equal(gd_optimizer_load_file(loaded, missing), GD_EIO);
    assert_int_equal(gd_optimizer_save_file(opt, "/nonexistent-dir/state"), GD_EIO);
    assert_int_equal(gd_optimizer_save_file(opt, ""), GD_EINVAL);
    assert_int_equal(gd_optimizer_load_file(NULL, path), GD_EINVAL);
    char command[128];
    snprintf(command, sizeof command, "test $(ls -A %s | wc -l) -eq 1", dir);
    assert_int_equal(system(command), 0); /* no temporary file left */
    snprintf(command, sizeof command, "rm -rf %s", dir);
    assert_int_equal(system(command), 0);
    free(expected);
    gd_optimizer_free(opt);
    gd_optimizer_free(loaded);
}

/* The resume across processes: a child trains Adam (with a range, schedules,
 * clipping and mini-batches) for 7 steps, saves to a file and exits; this process
 * loads the file into a new optimizer, which then follows the uninterrupted run. */
static void test_resume_in_another_process(void **state)
{
    (void)state;
    char path[] = "/tmp/gd-resume-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    gd_objective *obj = least_squares();
    double start[N] = {0.5, -0.25, 1.0, 0.0};
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        gd_optimizer *opt = training_optimizer(GD_ADAM);
        double x[N];
        memcpy(x, start, sizeof x);
        train(opt, obj, x, 7);
        int rc = gd_optimizer_save_file(opt, path);
        gd_optimizer_free(opt); /* valgrind checks the child's heap too */
        gd_objective_free(obj);
        _exit(rc == GD_OK ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    gd_optimizer *whole = training_optimizer(GD_ADAM), *resumed = training_optimizer(GD_ADAM);
    double x[N], y[N];
    memcpy(x, start, sizeof x);
    train(whole, obj, x, 7);
    memcpy(y, x, sizeof x);
    assert_int_equal(gd_optimizer_load_file(resumed, path), GD_OK);
    train(whole, obj, x, 9);
    train(resumed, obj, y, 9);
    assert_memory_equal(x, y, sizeof x);
    unlink(path);
    gd_optimizer_free(whole);
    gd_optimizer_free(resumed);
    gd_objective_free(obj);
}

/* What the fuzzer found saves could not be loaded back: MultiStepLR's milestones out
 * of order (torch counts them), more than 16 plateau schedules (they take no base
 * rate), and an lr a schedule took to infinity. */
static void test_states_the_fuzzer_found(void **state)
{
    (void)state;
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, N), *loaded = gd_optimizer_new(GD_SGD, N);
    gd_schedule *multistep = gd_schedule_new(GD_SCHEDULE_MULTISTEP);
    const size_t milestones[3] = {9, 2, 5};
    assert_int_equal(gd_schedule_set_milestones(multistep, milestones, 3), GD_OK);
    gd_schedule *plateau = gd_schedule_new(GD_SCHEDULE_PLATEAU);
    gd_schedule *growth = gd_schedule_new(GD_SCHEDULE_EXPONENTIAL);
    assert_int_equal(gd_schedule_set(growth, GD_SCHEDULE_PARAM_GAMMA, 1e100), GD_OK);
    assert_int_equal(gd_optimizer_add_schedule(opt, multistep), GD_OK);
    for (int k = 0; k < 20; k++)
        assert_int_equal(gd_optimizer_add_schedule(opt, plateau), GD_OK);
    assert_int_equal(gd_optimizer_add_schedule(opt, growth), GD_OK);
    for (int k = 0; k < 5; k++)
        assert_int_equal(gd_optimizer_schedule_step(opt, 1.0), GD_OK);
    double lr;
    assert_int_equal(gd_optimizer_get(opt, GD_PARAM_LR, &lr), GD_OK);
    assert_true(isinf(lr));
    size_t size;
    unsigned char *buf = saved(opt, &size);
    assert_int_equal(gd_optimizer_load(loaded, buf, size), GD_OK);
    assert_state_is(loaded, buf, size);
    free(buf);
    gd_schedule_free(multistep);
    gd_schedule_free(plateau);
    gd_schedule_free(growth);
    gd_optimizer_free(opt);
    gd_optimizer_free(loaded);
}

/* The CRC-32C of a state's bytes before its checksum, written in its place. */
static void reseal(unsigned char *buf, size_t size)
{
    rewrite_u32(buf, size, 8,
                (uint32_t)buf[8] | (uint32_t)buf[9] << 8 | (uint32_t)buf[10] << 16 |
                    (uint32_t)buf[11] << 24);
}

/* A rich state: NAdam over two ranges with a plateau, a sequential schedule and a
 * chain, mini-batches drawn. */
static gd_optimizer *rich_optimizer(gd_objective *obj)
{
    gd_optimizer *opt = training_optimizer(GD_NADAM);
    gd_schedule *plateau = gd_schedule_new(GD_SCHEDULE_PLATEAU);
    gd_schedule *sequential = gd_schedule_new(GD_SCHEDULE_SEQUENTIAL);
    gd_schedule *linear = gd_schedule_new(GD_SCHEDULE_LINEAR);
    gd_schedule *multistep = gd_schedule_new(GD_SCHEDULE_MULTISTEP);
    const size_t switch_at[1] = {3}, milestones[2] = {2, 4};
    assert_int_equal(gd_schedule_set_milestones(multistep, milestones, 2), GD_OK);
    assert_int_equal(gd_schedule_append(sequential, linear), GD_OK);
    assert_int_equal(gd_schedule_append(sequential, multistep), GD_OK);
    assert_int_equal(gd_schedule_set_milestones(sequential, switch_at, 1), GD_OK);
    assert_int_equal(gd_optimizer_add_schedule(opt, plateau), GD_OK);
    assert_int_equal(gd_optimizer_add_schedule(opt, sequential), GD_OK);
    double x[N] = {0.5, -0.25, 1.0, 0.0};
    train(opt, obj, x, 5);
    gd_schedule_free(plateau);
    gd_schedule_free(sequential);
    gd_schedule_free(linear);
    gd_schedule_free(multistep);
    return opt;
}

/* Changes each byte of the state of `source` (three ways) with the checksum made anew:
 * each is refused with `target` unchanged, or loaded into one that saves those same
 * bytes back. */
static void check_every_field(gd_optimizer *source, gd_optimizer *target)
{
    size_t size, before_size;
    unsigned char *buf = saved(source, &size), *before = saved(target, &before_size);
    unsigned char *again = malloc(size);
    assert_non_null(again);
    const unsigned char changes[3] = {0x01, 0x80, 0xFF};
    for (size_t byte = 40; byte + 4 < size; byte++)
        for (int c = 0; c < 3; c++) {
            buf[byte] ^= changes[c];
            reseal(buf, size);
            int rc = gd_optimizer_load(target, buf, size);
            if (rc == GD_OK) {
                assert_int_equal(gd_optimizer_state_size(target), size);
                assert_int_equal(gd_optimizer_save(target, again, size), GD_OK);
                assert_memory_equal(again, buf, size);
                assert_int_equal(gd_optimizer_load(target, before, before_size), GD_OK);
            } else {
                assert_true(rc == GD_EFORMAT || rc == GD_EINVAL || rc == GD_ENOMEM);
                assert_state_is(target, before, before_size);
            }
            buf[byte] ^= changes[c];
        }
    reseal(buf, size);
    assert_int_equal(gd_optimizer_load(target, buf, size), GD_OK);
    free(buf);
    free(before);
    free(again);
}

/* Every field is checked, not only the checksum: a rich NAdam state, an ASGD one
 * before its first update (whose scalars must be its initial ones) and L-BFGS's after
 * a run (its history). */
static void test_every_field_is_checked(void **state)
{
    (void)state;
    gd_objective *obj = least_squares();
    gd_optimizer *source = rich_optimizer(obj), *target = rich_optimizer(obj);
    check_every_field(source, target);
    gd_optimizer_free(source);
    gd_optimizer_free(target);
    source = gd_optimizer_new(GD_ASGD, N);
    target = gd_optimizer_new(GD_ASGD, N);
    check_every_field(source, target);
    gd_optimizer_free(source);
    gd_optimizer_free(target);
    source = gd_optimizer_new(GD_LBFGS, 2);
    target = gd_optimizer_new(GD_LBFGS, 2);
    gd_objective *rosenbrock = gd_rosenbrock_new(2);
    double x[2] = {-1.2, 1.0};
    assert_int_equal(gd_optimizer_set(source, GD_PARAM_HISTORY_SIZE, 3), GD_OK);
    assert_int_equal(gd_optimizer_set(source, GD_PARAM_MAX_ITER, 5), GD_OK);
    assert_int_equal(gd_optimizer_set(source, GD_PARAM_LINE_SEARCH, 1), GD_OK);
    assert_true(gd_minimize(source, rosenbrock, x, NULL) > 0);
    check_every_field(source, target);
    gd_objective_free(rosenbrock);
    gd_optimizer_free(source);
    gd_optimizer_free(target);
    gd_objective_free(obj);
}

/* NULL handles and paths; loading while the optimizer runs (from its monitor);
 * files that are empty, a directory, or a bare name in the working directory. */
struct busy {
    gd_optimizer *opt;
    const unsigned char *state;
    size_t size;
    const char *path;
    int load, load_file;
};

static int load_from_monitor(size_t iter, const double *x, size_t n, double f, void *user)
{
    (void)iter, (void)x, (void)n, (void)f;
    struct busy *b = user;
    b->load = gd_optimizer_load(b->opt, b->state, b->size);
    b->load_file = gd_optimizer_load_file(b->opt, b->path);
    return 0;
}

static void test_edges_of_the_calls(void **state)
{
    (void)state;
    gd_optimizer *opt = gd_optimizer_new(GD_ADAM, N);
    size_t size;
    unsigned char *buf = saved(opt, &size);
    assert_int_equal(gd_optimizer_state_size(NULL), 0);
    assert_int_equal(gd_optimizer_save(NULL, buf, size), GD_EINVAL);
    assert_int_equal(gd_optimizer_save(opt, NULL, size), GD_EINVAL);
    assert_int_equal(gd_optimizer_save_file(NULL, "x"), GD_EINVAL);
    assert_int_equal(gd_optimizer_save_file(opt, NULL), GD_EINVAL);
    assert_int_equal(gd_optimizer_load_file(opt, NULL), GD_EINVAL);
    char dir[] = "/tmp/gd-edges-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/empty", dir);
    FILE *empty = fopen(path, "w");
    assert_non_null(empty);
    fclose(empty);
    assert_int_equal(gd_optimizer_load_file(opt, path), GD_EFORMAT);
    assert_int_equal(gd_optimizer_load_file(opt, dir), GD_EIO); /* a directory */
    char cwd[512];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    assert_int_equal(gd_optimizer_save_file(opt, "bare"), GD_OK); /* the directory "." */
    assert_int_equal(gd_optimizer_load_file(opt, "bare"), GD_OK);
    assert_int_equal(chdir(cwd), 0);
    snprintf(path, sizeof path, "%s/bare", dir);
    gd_objective *obj = gd_rosenbrock_new(N);
    struct busy b = {opt, buf, size, path, GD_OK, GD_OK};
    assert_int_equal(gd_optimizer_set_monitor(opt, load_from_monitor, &b), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MAX_ITER, 2), GD_OK);
    double x[N] = {0, 0, 0, 0};
    assert_true(gd_minimize(opt, obj, x, NULL) > 0);
    assert_int_equal(b.load, GD_EBUSY);
    assert_int_equal(b.load_file, GD_EBUSY);
    char command[96];
    snprintf(command, sizeof command, "rm -rf %s", dir);
    assert_int_equal(system(command), 0);
    gd_objective_free(obj);
    free(buf);
    gd_optimizer_free(opt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_method_resumes_bit_for_bit),
        cmocka_unit_test(test_lbfgs_resumes_with_its_history),
        cmocka_unit_test(test_damaged_states_are_refused),
        cmocka_unit_test(test_foreign_and_newer_states),
        cmocka_unit_test(test_lambda_schedules_need_their_function),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_resume_in_another_process),
        cmocka_unit_test(test_states_the_fuzzer_found),
        cmocka_unit_test(test_every_field_is_checked),
        cmocka_unit_test(test_edges_of_the_calls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
