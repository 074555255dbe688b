/*
 * test_exact.c - the exact goldens of tests/golden (make_exact.py, torch.optim on its
 * scalar path in float64, and in float32 for the float optimizers): every case
 * replayed through gd_optimizer_update (gd_optimizer_update_f32) with the gradients
 * g = 0.5 x + noise that the generator computes to the same bits, and every checkpoint
 * compared with equality.  The level is the one GDESCENT_ISA names (the
 * build runs this test at each level and at the automatic one).
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L /* strtok_r */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gdescent.h>

#include "exact_cases.h"

/* Reads the next checkpoint: its step, then n hex floats. */
static int read_checkpoint(FILE *in, double *x, size_t n)
{
    int step;
    if (fscanf(in, "%d", &step) != 1)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char word[64];
        if (fscanf(in, "%63s", word) != 1)
            return -1;
        x[i] = strtod(word, NULL);
    }
    return step;
}

/* Whether x matches torch's value: bit for bit (a float case: as floats, which are
 * exact in a double), or within the case's tolerance. */
static bool agrees(const struct exact_case *c, double x, double golden)
{
    if (c->tolerance == 0.0)
        return memcmp(&x, &golden, sizeof x) == 0;
    return fabs(x - golden) <= c->tolerance * fabs(golden);
}

static void replay(void **state)
{
    const struct exact_case *c = *state;
    FILE *in = open_golden("", c->file, "");
    if (!in)
        fail_msg("cannot open %s", c->file);
    double *golden = malloc(c->n * sizeof *golden);
    assert_non_null(golden);
    struct exact_run r;
    exact_run_start(&r, c);
    int checked = 0, next;
    while ((next = read_checkpoint(in, golden, c->n)) > 0) {
        exact_run_to(&r, next);
        for (size_t i = 0; i < c->n; i++)
            if (!agrees(c, exact_run_x(&r, i), golden[i]))
                fail_msg("%s at %s: step %d, x[%zu] = %a, torch %a", c->name,
                         gd_optimizer_isa(r.opt), r.step, i, exact_run_x(&r, i), golden[i]);
        checked++;
    }
    assert_true(checked >= 2);
    fclose(in);
    free(golden);
    exact_run_free(&r);
}

/* Method keys of libgd's own that torch's class lacks, left out of the comparison:
 * SGD's line_search (Armijo backtracking; torch.optim.SGD has no line search).  L-BFGS's
 * is torch's line_search_fn and is compared. */
static bool libgd_only(gd_method method, gd_param key)
{
    return method == GD_SGD && key == GD_PARAM_LINE_SEARCH;
}

/* Every method of the library has a line in exact-defaults.txt, torch's defaults under
 * libgd's names, and takes exactly those method keys (0-31) with those values. */
static void test_defaults_are_torchs(void **state)
{
    (void)state;
    FILE *in = open_golden("", "exact-defaults.txt", "");
    assert_non_null(in);
    char line[MAX_LINE];
    int methods = 0;
    while (fgets(line, sizeof line, in)) {
        char *save = NULL, *word = strtok_r(line, " \n", &save);
        gd_method method = GD_SGD;
        if (!word || gd_method_by_name(word, &method) != GD_OK)
            fail_msg("exact-defaults.txt names an unknown method %s", word ? word : "");
        gd_optimizer *opt = gd_optimizer_new(method, 1);
        assert_non_null(opt);
        int listed = 0;
        while ((word = strtok_r(NULL, " \n", &save))) {
            char *eq = strchr(word, '=');
            assert_non_null(eq);
            *eq = '\0';
            gd_param key;
            double value;
            assert_int_equal(gd_param_by_name(word, &key), GD_OK);
            if (gd_optimizer_get(opt, key, &value) != GD_OK || value != strtod(eq + 1, NULL))
                fail_msg("%s: %s is not torch's default %s", gd_method_name(method), word, eq + 1);
            listed++;
        }
        int taken = 0;
        for (int k = 0; k < 32; k++) {
            double value;
            if (libgd_only(method, (gd_param)k))
                continue;
            taken +=
                gd_param_name((gd_param)k) && gd_optimizer_get(opt, (gd_param)k, &value) == GD_OK;
        }
        if (taken != listed)
            fail_msg("%s takes %d method keys, torch's defaults list %d", gd_method_name(method),
                     taken, listed);
        gd_optimizer_free(opt);
        methods++;
    }
    fclose(in);
    int count = 0;
    while (gd_method_name((gd_method)count))
        count++;
    assert_int_equal(methods, count);
}

static struct exact_case cases[MAX_CASES];

int main(void)
{
    size_t doubles = load_exact_cases(cases, MAX_CASES, "exact.txt", NULL);
    size_t floats = load_exact_cases(cases + doubles, MAX_CASES - doubles, "exact32.txt", NULL);
    size_t count = doubles + floats;
    if (doubles == 0 || floats == 0) { /* an unreadable index is a failure, never a skip */
        printf("1..1\nnot ok 1 - exact golden indexes readable (GD_GOLDEN_DIR)\n");
        return 1;
    }
    struct CMUnitTest tests[MAX_CASES + 1];
    for (size_t i = 0; i < count; i++)
        tests[i] = (struct CMUnitTest){cases[i].name, replay, NULL, NULL, &cases[i]};
    tests[count] = (struct CMUnitTest)cmocka_unit_test(test_defaults_are_torchs);
    return _cmocka_run_group_tests("exact", tests, count + 1, NULL, NULL);
}
