/*
 * fuzz_load.c - libFuzzer target of gd_optimizer_load: the input is a saved state.
 * It is loaded as it is (which mostly exercises the header and the checksum), and
 * again with its size field and checksum made right (which lets the mutations reach
 * the body's checks), each time into an optimizer of the method and n its header
 * names (n at most 64).
 *
 * After a successful load, gd_optimizer_save must give back the loaded bytes exactly,
 * and the loaded optimizer must then update and step its schedules without failing
 * in any way the API does not document; after a refused load, the optimizer's state
 * must be what it was.  Crashes, sanitizer reports and these checks failing abort.
 *
 * The corpus starts from states the library writes (several methods, with ranges,
 * schedules, a mini-batch sampler and L-BFGS's history): LLVMFuzzerInitialize writes
 * them into a new directory, which it adds to the corpus directories of the command
 * line and removes at exit (unless the command line names input files, which
 * libFuzzer then runs one by one).  With FUZZ_LOAD_VERBOSE set in the environment it
 * prints each load's result, and where a save differs from the loaded bytes.
 * SPDX-License-Identifier: MIT
 */
#define _XOPEN_SOURCE 700 /* mkdtemp */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gdescent.h>

#include "internal.h" /* gdi_crc32c */

enum { MAX_N = 64, METHODS = GD_LBFGS + 1 };

static double halve(size_t epoch, void *user)
{
    (void)user;
    return pow(0.5, (double)epoch);
}

static double keep(size_t epoch, void *user)
{
    (void)epoch;
    (void)user;
    return 0.95;
}

static void check_at(bool ok, int line)
{
    if (!ok) {
        fprintf(stderr, "fuzz_load.c:%d: check failed\n", line);
        abort();
    }
}
#define check(ok) check_at(ok, __LINE__)

/* The schedules every optimizer of the target has before a load, so that a state
 * with lambda schedules at these places can load: a LambdaLR, then a SequentialLR of
 * a MultiplicativeLR and a StepLR. */
static void add_lambda_schedules(gd_optimizer *opt)
{
    gd_schedule *lambda = gd_schedule_new(GD_SCHEDULE_LAMBDA);
    gd_schedule *times = gd_schedule_new(GD_SCHEDULE_MULTIPLICATIVE);
    gd_schedule *step = gd_schedule_new(GD_SCHEDULE_STEP);
    gd_schedule *sequential = gd_schedule_new(GD_SCHEDULE_SEQUENTIAL);
    const size_t milestone = 3;
    check(gd_schedule_set_lambda(lambda, halve, NULL) == GD_OK);
    check(gd_schedule_set_lambda(times, keep, NULL) == GD_OK);
    check(gd_schedule_set(step, GD_SCHEDULE_PARAM_STEP_SIZE, 2) == GD_OK);
    check(gd_schedule_append(sequential, times) == GD_OK);
    check(gd_schedule_append(sequential, step) == GD_OK);
    check(gd_schedule_set_milestones(sequential, &milestone, 1) == GD_OK);
    check(gd_optimizer_add_schedule(opt, lambda) == GD_OK);
    check(gd_optimizer_add_schedule(opt, sequential) == GD_OK);
    gd_schedule_free(lambda);
    gd_schedule_free(times);
    gd_schedule_free(step);
    gd_schedule_free(sequential);
}

static unsigned char *save(const gd_optimizer *opt, size_t *size)
{
    *size = gd_optimizer_state_size(opt);
    unsigned char *buf = malloc(*size);
    check(buf && gd_optimizer_save(opt, buf, *size) == GD_OK);
    return buf;
}

static uint64_t get_u64(const uint8_t *b)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

static void put_le(uint8_t *b, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

/* A few updates and schedule steps of a loaded optimizer: nothing may fail but
 * as documented. */
static void exercise(gd_optimizer *opt, gd_method method, size_t n, bool single)
{
    double x[MAX_N], g[MAX_N];
    float xf[MAX_N], gf[MAX_N];
    for (size_t i = 0; i < n; i++) {
        xf[i] = (float)(x[i] = 0.5 - 0.125 * (double)i);
        gf[i] = (float)(g[i] = 0.25 + 0.0625 * (double)(i % 5));
    }
    for (int k = 0; k < 3; k++) {
        if (method != GD_LBFGS) {
            int rc = single ? gd_optimizer_update_f32(opt, xf, gf) : gd_optimizer_update(opt, x, g);
            check(rc == GD_OK);
        }
        int rc = gd_optimizer_schedule_step(opt, 1.0 / (k + 1));
        check(rc == GD_OK || rc == GD_EINVAL); /* a lambda's non-finite value */
    }
    if (method == GD_LBFGS) {
        gd_objective *obj = gd_rosenbrock_new(n);
        if (obj) {
            check(gd_optimizer_set(opt, GD_PARAM_MAX_ITER, 3) == GD_OK);
            int rc = gd_minimize(opt, obj, x, NULL);
            check(rc > 0 || rc == GD_EDIVERGED);
            gd_objective_free(obj);
        }
    }
}

static void load_one(const uint8_t *data, size_t size)
{
    gd_method method = (gd_method)(size >= 20 ? data[16] % METHODS : 0);
    uint64_t header_n = size >= 32 ? get_u64(data + 24) : 1;
    size_t n = header_n >= 1 && header_n <= MAX_N ? (size_t)header_n : header_n % MAX_N + 1;
    /* the header's precision 1: a float optimizer (L-BFGS has none) */
    bool single = size >= 16 && data[12] == 1 && method != GD_LBFGS;
    gd_optimizer *opt = single ? gd_optimizer_new_f32(method, n) : gd_optimizer_new(method, n);
    check(opt != NULL);
    add_lambda_schedules(opt);
    size_t before_size;
    unsigned char *before = save(opt, &before_size);
    int rc = gd_optimizer_load(opt, data, size);
    if (getenv("FUZZ_LOAD_VERBOSE"))
        fprintf(stderr, "method %d n %zu size %zu: %d\n", (int)method, n, size, rc);
    size_t after_size;
    unsigned char *after = save(opt, &after_size);
    if (rc == GD_OK && getenv("FUZZ_LOAD_VERBOSE"))
        for (size_t i = 0; i < size && i < after_size; i++)
            if (after[i] != data[i]) {
                fprintf(stderr, "save differs from byte %zu (of %zu, %zu)\n", i, size, after_size);
                break;
            }
    if (rc == GD_OK) {
        /* save(load(x)) == x */
        check(after_size == size && memcmp(after, data, size) == 0);
        exercise(opt, method, n, single);
    } else {
        check(rc == GD_EFORMAT || rc == GD_EINVAL || rc == GD_ENOMEM);
        check(after_size == before_size && memcmp(after, before, before_size) == 0);
    }
    free(before);
    free(after);
    gd_optimizer_free(opt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load_one(data, size);
    if (size < 44 || size > (size_t)1 << 24)
        return 0;
    /* The same bytes with the size and the checksum made right. */
    uint8_t *fixed = malloc(size);
    check(fixed != NULL);
    memcpy(fixed, data, size);
    put_le(fixed + 32, size, 8);
    put_le(fixed + size - 4, gdi_crc32c(fixed, size - 4), 4);
    load_one(fixed, size);
    free(fixed);
    return 0;
}

/* ---- the seed corpus ---- */

static char seed_dir[] = "/tmp/gd-fuzz-load-XXXXXX";

static void write_seed(const gd_optimizer *opt, int k)
{
    size_t size;
    unsigned char *buf = save(opt, &size);
    char path[sizeof seed_dir + 32];
    snprintf(path, sizeof path, "%s/seed-%02d", seed_dir, k);
    FILE *f = fopen(path, "wb");
    check(f && fwrite(buf, 1, size, f) == size && fclose(f) == 0);
    free(buf);
}

static void remove_seeds(void)
{
    char command[sizeof seed_dir + 16];
    snprintf(command, sizeof command, "rm -rf %s", seed_dir);
    if (system(command) != 0)
        fprintf(stderr, "fuzz_load: could not remove %s\n", seed_dir);
}

static gd_schedule *schedule(gd_schedule_kind kind, gd_schedule_param key, double value)
{
    gd_schedule *s = gd_schedule_new(kind);
    check(s && gd_schedule_set(s, key, value) == GD_OK);
    return s;
}

static void add(gd_optimizer *opt, gd_schedule *s)
{
    check(gd_optimizer_add_schedule(opt, s) == GD_OK);
    gd_schedule_free(s);
}

/* A float optimizer's seed: a range, clipping and a schedule, after three updates. */
static void write_seed_f32(gd_method method, int k)
{
    gd_optimizer *opt = gd_optimizer_new_f32(method, 4);
    check(opt != NULL);
    check(gd_optimizer_set_range(opt, 2, 2, GD_PARAM_WEIGHT_DECAY, 0.5) == GD_OK ||
          method == GD_RPROP); /* Rprop has no weight decay */
    check(gd_optimizer_set(opt, GD_PARAM_CLIP_VALUE, 0.5) == GD_OK);
    add(opt, schedule(GD_SCHEDULE_COSINE, GD_SCHEDULE_PARAM_T_MAX, 7));
    float x[4] = {0.5f, -0.25f, 1.0f, 0.0f}, g[4] = {0.75f, -1.0f, 0.125f, 2.0f};
    for (int s = 0; s < 3; s++) {
        check(gd_optimizer_update_f32(opt, x, g) == GD_OK);
        check(gd_optimizer_schedule_step(opt, 1.0) == GD_OK);
    }
    write_seed(opt, k);
    gd_optimizer_free(opt);
}

/* The seeds: each method in a few configurations, after a few steps. */
static void write_seeds(void)
{
    double X[8 * 3], y[8];
    for (int i = 0; i < 8; i++) {
        for (int j = 0; j < 3; j++)
            X[i * 3 + j] = sin(1.0 + i * 0.7 + j * 1.3);
        y[i] = cos(0.3 * i);
    }
    gd_objective *sum = gd_least_squares_new(8, 3, X, y, 0.5, GD_LS_INTERCEPT);
    check(sum != NULL);
    int k = 0;
    for (int m = 0; m < METHODS; m++) {
        for (int variant = 0; variant < 3; variant++) {
            gd_optimizer *opt = gd_optimizer_new((gd_method)m, 4);
            check(opt != NULL);
            double x[4] = {0.5, -0.25, 1.0, 0.0};
            if (variant == 0) { /* plain, after two gradient steps */
                if (m == GD_LBFGS)
                    check(gd_optimizer_set(opt, GD_PARAM_HISTORY_SIZE, 3) == GD_OK);
            } else if (variant == 1) { /* a range, clipping, mini-batches, schedules */
                double lr;
                check(gd_optimizer_get(opt, GD_PARAM_LR, &lr) == GD_OK);
                if (m != GD_LBFGS) {
                    check(gd_optimizer_set_range(opt, 2, 2, GD_PARAM_LR, 0.5 * lr) == GD_OK);
                    check(gd_optimizer_set(opt, GD_PARAM_BATCH_SIZE, 3) == GD_OK);
                    check(gd_optimizer_set(opt, GD_PARAM_CLIP_NORM, 0.5) == GD_OK);
                }
                check(gd_optimizer_set(opt, GD_PARAM_SEED, 7) == GD_OK);
                add(opt, schedule(GD_SCHEDULE_COSINE, GD_SCHEDULE_PARAM_T_MAX, 7));
                add(opt, schedule(GD_SCHEDULE_PLATEAU, GD_SCHEDULE_PARAM_PATIENCE, 1));
                gd_schedule *multistep =
                    schedule(GD_SCHEDULE_MULTISTEP, GD_SCHEDULE_PARAM_GAMMA, 0.5);
                const size_t milestones[2] = {2, 4};
                check(gd_schedule_set_milestones(multistep, milestones, 2) == GD_OK);
                add(opt, multistep);
            } else { /* the lambda schedules of the target, and restarts */
                add_lambda_schedules(opt);
                add(opt, schedule(GD_SCHEDULE_COSINE_RESTARTS, GD_SCHEDULE_PARAM_T_0, 2));
            }
            for (int s = 0; s < 3; s++) {
                check(gd_step(opt, sum, x, NULL) >= GD_OK); /* L-BFGS: a stop reason */
                check(gd_optimizer_schedule_step(opt, 1.0 / (s + 1)) == GD_OK);
            }
            write_seed(opt, k++);
            gd_optimizer_free(opt);
        }
        if (m != GD_LBFGS)
            write_seed_f32((gd_method)m, k++);
    }
    gd_objective_free(sum);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    /* Inputs given as files are run one by one (reproducing a crash): no seeds then,
     * as libFuzzer takes files or directories, not both. */
    for (int i = 1; i < *argc; i++) {
        struct stat st;
        if ((*argv)[i][0] != '-' && stat((*argv)[i], &st) == 0 && S_ISREG(st.st_mode))
            return 0;
    }
    if (!mkdtemp(seed_dir))
        return 0;
    atexit(remove_seeds);
    write_seeds();
    /* The seed directory after the command line's corpus directories (libFuzzer
     * writes new inputs into the first one it is given). */
    char **args = malloc(((size_t)*argc + 2) * sizeof *args);
    check(args != NULL);
    memcpy(args, *argv, (size_t)*argc * sizeof *args);
    args[(*argc)++] = seed_dir;
    args[*argc] = NULL;
    *argv = args;
    return 0;
}
