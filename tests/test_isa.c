/*
 * test_isa.c - every method in every kernel variant, in double and in float
 * (gd_optimizer_new_f32), gives bit-identical iterates at the instruction-set level
 * named on the command line as at the baseline (GDESCENT_ISA
 * forces a level for the optimizers created after it is set).  When the CPU (or
 * valgrind's emulated CPU) lacks the level, the whole program reports a TAP skip.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gdescent.h>

#include "test_util.h"

/* A variant: a method and the options that select its loop.  The options are the
 * method's own keys (0-31) but the learning rate and eps, which only scale: found by
 * asking the optimizer, so that a new method is covered without editing this test.
 * Bit k of `options` sets the k-th of them to another value than its default; the
 * combinations the method refuses are skipped. */
struct variant {
    gd_method method;
    unsigned options;
    bool single; /* a float optimizer */
};

enum { MAX_OPTIONS = 6, METHOD_KEYS = 32 };

static int option_keys(gd_method method, gd_param keys[MAX_OPTIONS])
{
    gd_optimizer *opt = gd_optimizer_new(method, 1);
    assert_non_null(opt);
    int count = 0;
    for (int k = 0; k < METHOD_KEYS; k++) {
        double value;
        if (k == GD_PARAM_LR || k == GD_PARAM_EPS ||
            gd_optimizer_get(opt, (gd_param)k, &value) != GD_OK)
            continue;
        assert_true(count < MAX_OPTIONS); /* raise MAX_OPTIONS for such a method */
        keys[count++] = (gd_param)k;
    }
    gd_optimizer_free(opt);
    return count;
}

/* A value other than the default: 0 for a non-zero default; otherwise 1 (booleans,
 * decays), or 0.25 where 1 is out of range (momentum, betas). */
static int change_from_default(gd_optimizer *opt, gd_param key)
{
    double value;
    assert_int_equal(gd_optimizer_get(opt, key, &value), GD_OK);
    if (value != 0.0)
        return gd_optimizer_set(opt, key, 0.0);
    if (gd_optimizer_set(opt, key, 1.0) == GD_OK)
        return GD_OK;
    return gd_optimizer_set(opt, key, 0.25);
}

static int apply_options(gd_optimizer *opt, gd_method method, unsigned options)
{
    gd_param keys[MAX_OPTIONS];
    int count = option_keys(method, keys);
    if (options >> count != 0)
        return -1; /* the same as a smaller combination */
    for (int bit = 0; bit < count; bit++)
        if ((options & (1u << bit)) && change_from_default(opt, keys[bit]) != GD_OK)
            return -1;
    return 0;
}

static uint64_t next(uint64_t *s)
{
    *s = *s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return *s >> 11;
}

static double uniform(uint64_t *s)
{
    return (double)next(s) / 9007199254740992.0 * 2.0 - 1.0;
}

enum { STEPS = 25 };

/* Runs a variant at a level and leaves its trajectory in path: the STEPS iterates of n
 * values after each update.  Returns the level that ran, or NULL when the variant is
 * refused. */
/* One update of x from g, both n elements of the variant's precision. */
static void update(gd_optimizer *opt, struct variant v, void *x, const void *g)
{
    if (v.single)
        assert_int_equal(gd_optimizer_update_f32(opt, x, g), GD_OK);
    else
        assert_int_equal(gd_optimizer_update(opt, x, g), GD_OK);
}

/* Element i of x, and x[i] = value rounded to the variant's precision. */
static double element(struct variant v, const void *x, size_t i)
{
    return v.single ? ((const float *)x)[i] : ((const double *)x)[i];
}

static void set_element(struct variant v, void *x, size_t i, double value)
{
    if (v.single)
        ((float *)x)[i] = (float)value;
    else
        ((double *)x)[i] = value;
}

static const char *run(const char *level, struct variant v, size_t n, void *path)
{
    size_t size = v.single ? sizeof(float) : sizeof(double);
    char *x = path;
    assert_int_equal(setenv("GDESCENT_ISA", level, 1), 0);
    gd_optimizer *opt =
        v.single ? gd_optimizer_new_f32(v.method, n) : gd_optimizer_new(v.method, n);
    assert_non_null(opt);
    const char *ran = gd_optimizer_isa(opt);
    if (apply_options(opt, v.method, v.options) != 0) {
        gd_optimizer_free(opt);
        return NULL;
    }
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LR, 0.01), GD_OK);
    uint64_t seed = 42 + v.options;
    void *g = malloc(n * size);
    assert_non_null(g);
    for (size_t i = 0; i < n; i++)
        set_element(v, x, i, uniform(&seed));
    for (int k = 0; k < STEPS; k++) {
        for (size_t i = 0; i < n; i++)
            set_element(v, g, i, uniform(&seed) * (double)(k + 1) + element(v, x, i));
        update(opt, v, x, g);
        if (k + 1 < STEPS) {
            memcpy(x + n * size, x, n * size);
            x += n * size;
        }
    }
    free(g);
    gd_optimizer_free(opt);
    return ran;
}

/* Sizes around the vector widths, so that every loop runs its remainder code too, and
 * one above 32768 doubles (256 KiB), where SGD switches to its other AVX-512 build;
 * for floats, whose vectors hold twice as many, fewer sizes (the test runs under
 * valgrind), and for SGD one above 65536 floats, its switch. */
static const size_t sizes[] = {1, 2, 3, 7, 8, 9, 15, 17, 33, 1000, 1031, 40009};
static const size_t float_sizes[] = {1, 3, 15, 16, 17, 31, 33, 1031};
enum { LARGEST = 70001, SGD_FLOAT_SWITCH = 70001 };

/* Whether the method takes the variant's options; when it does, fails the test unless
 * the iterates at n are bit-identical at level as at the baseline. */
static bool same_at(const char *level, struct variant v, size_t n, double *expected, double *actual)
{
    if (!run("baseline", v, n, expected))
        return false;
    assert_string_equal(run(level, v, n, actual), level);
    size_t bytes = STEPS * n * (v.single ? sizeof(float) : sizeof(double));
    if (memcmp(expected, actual, bytes) != 0)
        fail_msg("%s differs from baseline: method %d, options %u, n = %zu%s", level, v.method,
                 v.options, n, v.single ? ", float" : "");
    return true;
}

/* The runs of a variant at its sizes; 0 when the options are refused. */
static size_t compare_variant(const char *level, struct variant v, double *expected, double *actual)
{
    const size_t *list = v.single ? float_sizes : sizes;
    size_t count =
        v.single ? sizeof float_sizes / sizeof float_sizes[0] : sizeof sizes / sizeof sizes[0];
    size_t runs = 0;
    for (size_t s = 0; s < count; s++) {
        if (!same_at(level, v, list[s], expected, actual))
            return 0;
        runs++;
    }
    if (v.single && v.method == GD_SGD)
        runs += same_at(level, v, SGD_FLOAT_SWITCH, expected, actual);
    return runs;
}

static void compare_level(const char *level)
{
    size_t variants = 0;
    double *expected = malloc(STEPS * LARGEST * sizeof *expected);
    double *actual = malloc(STEPS * LARGEST * sizeof *actual);
    assert_true(expected && actual);
    for (int method = 0; method < method_count(); method++) {
        if (!method_updates_alone((gd_method)method))
            continue; /* L-BFGS has no loops per level */
        for (unsigned options = 0; options < 1u << MAX_OPTIONS; options++)
            for (int single = 0; single < 2; single++) {
                struct variant v = {(gd_method)method, options, single == 1};
                variants += compare_variant(level, v, expected, actual);
            }
    }
    print_message("# %zu runs bit-identical at %s\n", variants, level);
    assert_true(variants > 200);
    free(expected);
    free(actual);
    unsetenv("GDESCENT_ISA");
}

static void test_matches_baseline(void **state)
{
    compare_level(*state);
}

static const char *level_chosen(const char *env)
{
    if (env)
        assert_int_equal(setenv("GDESCENT_ISA", env, 1), 0);
    else
        assert_int_equal(unsetenv("GDESCENT_ISA"), 0);
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, 1);
    assert_non_null(opt);
    const char *isa = gd_optimizer_isa(opt);
    gd_optimizer_free(opt);
    return isa;
}

/* Unset and unknown values choose the best level; forcing never goes above it. */
static void test_level_choice(void **state)
{
    (void)state;
    const char *best = level_chosen(NULL);
    assert_true(strcmp(best, "baseline") == 0 || strcmp(best, "avx2") == 0 ||
                strcmp(best, "avx512") == 0);
    assert_string_equal(level_chosen("baseline"), "baseline");
    assert_string_equal(level_chosen("no-such-level"), best);
    assert_string_equal(level_chosen("avx512"), best);
    const char *avx2 = level_chosen("avx2");
    assert_true(strcmp(avx2, strcmp(best, "baseline") == 0 ? "baseline" : "avx2") == 0);
    assert_null(gd_optimizer_isa(NULL));
    unsetenv("GDESCENT_ISA");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_isa avx2|avx512\n");
        return 2;
    }
    if (strcmp(level_chosen(argv[1]), argv[1]) != 0) {
        printf("1..0 # SKIP this CPU cannot run %s\n", argv[1]);
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_level_choice),
        cmocka_unit_test_prestate(test_matches_baseline, argv[1]),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
