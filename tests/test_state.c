/*
 * test_state.c - torch's whole optimizer state, vectors and scalars, against
 * gd_optimizer_get_state: for the cases of tests/golden/exact.txt (and exact32.txt,
 * float optimizers against torch's float32 state) that have an
 * exact-state-<name>.txt (exact32-state-) (make_exact.py's STATE_GOLDENS: every method, at the
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

#include <math.h>
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
    FILE *in = open_state_golden(c);
    assert_non_null(in);
    struct exact_run r;
    exact_run_start(&r, c);
    int next, compared = 0;
    bool torch_keeps_step = false;
    char key[64];
    size_t count;
    while (fscanf(in, "%d %63s %zu", &next, key, &count) == 3) {
        exact_run_to(&r, next);
        torch_keeps_step |= strcmp(key, "step") == 0;
        compare_key(in, r.opt, c->name, r.step, key, count);
        compared++;
    }
    /* SGD without momentum is the one method whose torch state is empty. */
    assert_true(compared >= 2 || strcmp(c->method, "sgd") == 0);
    double value;
    assert_int_equal(gd_optimizer_get_state(r.opt, "step", &value, 1) == GD_OK, torch_keeps_step);
    fclose(in);
    exact_run_free(&r);
}

/* Whether the case has a golden of torch's state. */
static int has_state_golden(const struct exact_case *c)
{
    FILE *in = open_state_golden(c);
    if (in)
        fclose(in);
    return in != NULL;
}

static struct exact_case cases[MAX_CASES];

static double scalar(const gd_optimizer *opt, const char *name)
{
    double value = -1.0;
    assert_int_equal(gd_optimizer_get_state(opt, name, &value, 1), GD_OK);
    return value;
}

/* The scalars before the first update (the header's initial values: eta lr, mu 1,
 * mu_product 1) and after it (torch's first values); a scalar's count is 1. */
static void test_scalars_before_and_after_the_first_update(void **state)
{
    (void)state;
    const double lr = 0.01, x0[2] = {1.0, -2.0}, g[2] = {0.5, 0.25};
    double x[2] = {x0[0], x0[1]}, out[2] = {7.0, 7.0};
    gd_optimizer *asgd = gd_optimizer_new(GD_ASGD, 2);
    assert_int_equal(gd_optimizer_set(asgd, GD_PARAM_LR, lr), GD_OK);
    assert_true(scalar(asgd, "eta") == lr && scalar(asgd, "mu") == 1.0);
    assert_int_equal(gd_optimizer_get_state(asgd, "eta", out, 2), GD_EINVAL);
    assert_true(out[0] == 7.0 && out[1] == 7.0);
    assert_int_equal(gd_optimizer_update(asgd, x, g), GD_OK);
    /* eta = lr / (1 + lambd lr step)^alpha, with torch's lambd 1e-4, alpha 0.75. */
    double eta = scalar(asgd, "eta");
    assert_true(eta < lr && fabs(eta - lr / pow(1.0 + 1e-4 * lr, 0.75)) <= 1e-17);
    assert_true(scalar(asgd, "mu") == 1.0); /* 1 / max(1, step - t0), t0 = 1e6 */
    gd_optimizer_free(asgd);

    x[0] = x0[0];
    x[1] = x0[1];
    gd_optimizer *nadam = gd_optimizer_new(GD_NADAM, 2);
    assert_true(scalar(nadam, "mu_product") == 1.0);
    assert_int_equal(gd_optimizer_update(nadam, x, g), GD_OK);
    /* mu_1 = beta1 (1 - 0.96^(psi) / 2), beta1 0.9, psi 0.004. */
    double mu1 = 0.9 * (1.0 - 0.5 * pow(0.96, 0.004));
    assert_true(fabs(scalar(nadam, "mu_product") - mu1) <= 1e-15);
    gd_optimizer_free(nadam);
}

int main(void)
{
    size_t doubles = load_exact_cases(cases, MAX_CASES, "exact.txt", has_state_golden);
    size_t count = doubles + load_exact_cases(cases + doubles, MAX_CASES - doubles, "exact32.txt",
                                              has_state_golden);
    if (doubles == 0 || count == doubles) { /* no state golden found is a failure, never a skip */
        printf("1..1\nnot ok 1 - state goldens readable (GD_GOLDEN_DIR)\n");
        return 1;
    }
    struct CMUnitTest tests[MAX_CASES + 1];
    for (size_t i = 0; i < count; i++)
        tests[i] = (struct CMUnitTest){cases[i].name, replay, NULL, NULL, &cases[i]};
    tests[count++] =
        (struct CMUnitTest)cmocka_unit_test(test_scalars_before_and_after_the_first_update);
    return _cmocka_run_group_tests("state", tests, count, NULL, NULL);
}
