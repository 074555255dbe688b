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

enum { MAX_PARAMS = 8, MAX_CASES = 256, MAX_LINE = 1024 };

struct state_case {
    char name[64], method[16];
    size_t n;
    uint64_t seed;
    char keys[MAX_PARAMS][32];
    double values[MAX_PARAMS];
    int param_count;
};

/* make_exact.py's Noise, as in tests/test_exact.c. */
static double next_noise(uint64_t *s)
{
    *s = *s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return (double)((int64_t)(*s >> 33) - (INT64_C(1) << 30)) * 0x1p-32;
}

static FILE *open_in_golden_dir(const char *prefix, const char *file, const char *suffix)
{
    const char *dir = getenv("GD_GOLDEN_DIR");
    char path[512];
    snprintf(path, sizeof path, "%s/%s%s%s", dir ? dir : ".", prefix, file, suffix);
    return fopen(path, "r");
}

static gd_optimizer *new_optimizer(const struct state_case *c)
{
    gd_method method;
    assert_int_equal(gd_method_by_name(c->method, &method), GD_OK);
    gd_optimizer *opt = gd_optimizer_new(method, c->n);
    assert_non_null(opt);
    for (int i = 0; i < c->param_count; i++)
        assert_int_equal(gd_optimizer_set_by_name(opt, c->keys[i], c->values[i]), GD_OK);
    return opt;
}

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
    const struct state_case *c = *state;
    FILE *in = open_in_golden_dir("exact-state-", c->name, ".txt");
    assert_non_null(in);
    gd_optimizer *opt = new_optimizer(c);
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
static int parse_case(char *line, struct state_case *c)
{
    memset(c, 0, sizeof *c);
    char *save = NULL, *fields[5], *word;
    for (int i = 0; i < 5; i++)
        if (!(fields[i] = strtok_r(i == 0 ? line : NULL, " \n", &save)))
            return -1;
    snprintf(c->name, sizeof c->name, "%s", fields[0]);
    snprintf(c->method, sizeof c->method, "%s", fields[1]);
    c->n = strtoul(fields[2], NULL, 10);
    c->seed = strtoull(fields[3], NULL, 10);
    while ((word = strtok_r(NULL, " \n", &save)) && c->param_count < MAX_PARAMS) {
        char *eq = strchr(word, '=');
        if (!eq)
            return -1;
        *eq = '\0';
        snprintf(c->keys[c->param_count], sizeof c->keys[0], "%s", word);
        c->values[c->param_count++] = strtod(eq + 1, NULL);
    }
    return c->n > 0 ? 0 : -1;
}

static bool has_state_golden(const struct state_case *c)
{
    FILE *in = open_in_golden_dir("exact-state-", c->name, ".txt");
    if (in)
        fclose(in);
    return in != NULL;
}

static struct state_case cases[MAX_CASES];

int main(void)
{
    FILE *index = open_in_golden_dir("", "exact.txt", "");
    size_t count = 0;
    char line[MAX_LINE];
    while (index && count < MAX_CASES && fgets(line, sizeof line, index))
        if (parse_case(line, &cases[count]) == 0 && has_state_golden(&cases[count]))
            count++;
    if (index)
        fclose(index);
    if (count == 0) { /* no state golden found is a failure, never a skip */
        printf("1..1\nnot ok 1 - state goldens readable (GD_GOLDEN_DIR)\n");
        return 1;
    }
    struct CMUnitTest tests[MAX_CASES];
    for (size_t i = 0; i < count; i++)
        tests[i] = (struct CMUnitTest){cases[i].name, replay, NULL, NULL, &cases[i]};
    return _cmocka_run_group_tests("state", tests, count, NULL, NULL);
}
