/*
 * test_state.c - torch's whole optimizer state, vectors and scalars, against
 * gd_optimizer_get_state: for the cases of tests/golden/exact.txt that have an
 * exact-state-<name>.txt (make_exact.py's STATE_GOLDENS: every method, at the
 * smaller size; ASGD's "ax", "eta" and "mu" among the keys), the case is replayed as
 * tests/test_exact.c does and every key torch keeps at each checkpoint is compared bit for bit;
 * "step" must be kept exactly when torch keeps it. SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L /* strtok_r */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gdescent.h>

#include "exact_cases.h"

/* Reads count values of one line of the state file and compares them with libgd's. */
static void compare_key(FILE *in, const gd_optimizer *opt, const char *case_name, int step,
                        const char *key, size_t count)
{
    double *torch = malloc(count * sizeof *torch), *ours = malloc(count * sizeof *ours);
    assert_true(torch && ours);
    for (size_t i = 0; i < count; i++) {
        char word[64];
        assert_int_equal(fscanf(in, "%63s", word), 1);
        torch[i] = strtod(word, NULL);
    }
    if (gd_optimizer_get_state(opt, key, ours, count) != GD_OK)
        fail_msg("%s: step %d, libgd does not keep %s[%zu]", case_name, step, key, count);
    for (size_t i = 0; i < count; i++)
        if (memcmp(&torch[i], &ours[i], sizeof ours[i]) != 0)
            fail_msg("%s: step %d, %s[%zu] = %a, torch %a", case_name, step, key, i, ours[i],
                     torch[i]);
    free(torch);
    free(ours);
}

static void replay(void **state)
{
    const struct exact_case *c = *state;
    FILE *in = open_golden("exact-state-", c->name, ".txt");
    assert_non_null(in);
    gd_optimizer *opt = exact_optimizer(c);
    double *x = malloc(c->n * sizeof *x), *g = malloc(c->n * sizeof *g);
    assert_true(x && g);
    uint64_t noise = c->seed;
    for (size_t i = 0; i < c->n; i++)
        x[i] = 4.0 * next_noise(&noise);
    int step = 0, next, compared = 0;
    bool torch_keeps_step = false;
    char key[64];
    size_t count;
    while (fscanf(in, "%d %63s %zu", &next, key, &count) == 3) {
        for (; step < next; step++) {
            for (size_t i = 0; i < c->n; i++)
                g[i] = 0.5 * x[i] + next_noise(&noise);
            assert_int_equal(gd_optimizer_update(opt, x, g), GD_OK);
        }
        torch_keeps_step |= strcmp(key, "step") == 0;
        compare_key(in, opt, c->name, step, key, count);
        compared++;
    }
    /* SGD without momentum is the one method whose torch state is empty. */
    assert_true(compared >= 2 || strcmp(c->method, "sgd") == 0);
    double value;
    assert_int_equal(gd_optimizer_get_state(opt, "step", &value, 1) == GD_OK, torch_keeps_step);
    fclose(in);
    free(x);
    free(g);
    gd_optimizer_free(opt);
}

/* The fields of an exact.txt line that replay needs: name method n seed file keys. */
static int has_state_golden(const struct exact_case *c)
{
    FILE *in = open_golden("exact-state-", c->name, ".txt");
    if (in)
        fclose(in);
    return in != NULL;
}

static struct exact_case cases[MAX_CASES];

int main(void)
{
    size_t count = load_exact_cases(cases, has_state_golden);
    if (count == 0) { /* no state golden found is a failure, never a skip */
        printf("1..1\nnot ok 1 - state goldens readable (GD_GOLDEN_DIR)\n");
        return 1;
    }
    struct CMUnitTest tests[MAX_CASES];
    for (size_t i = 0; i < count; i++)
        tests[i] = (struct CMUnitTest){cases[i].name, replay, NULL, NULL, &cases[i]};
    return _cmocka_run_group_tests("state", tests, count, NULL, NULL);
}
