/*
 * test_golden.c - replays the PyTorch trajectories of tests/golden (written by
 * make_golden.py with torch.optim in float64) through gd_step and through
 * gd_optimizer_update, and requires every iterate to agree to 1e-12 relative to the
 * largest coordinate of the golden iterate.
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

#include "golden_files.h"

enum { STEPS = 200, MAX_DIM = 10, MAX_PARAMS = 8, MAX_CASES = 128 };
static const double TOLERANCE = 1e-12;

struct golden_case {
    char name[64], method[16], objective[32], file[96];
    char keys[MAX_PARAMS][32];
    double values[MAX_PARAMS];
    int param_count;
    double worst; /* largest relative difference seen */
};

static gd_method method_named(const char *name)
{
    gd_method method = GD_SGD;
    if (gd_method_by_name(name, &method) != GD_OK)
        fail_msg("unknown method %s", name);
    return method;
}

static gd_objective *base_objective(const char *name)
{
    if (strcmp(name, "rosen2") == 0)
        return gd_rosenbrock_new(2);
    if (strcmp(name, "rosen10") == 0)
        return gd_rosenbrock_new(10);
    if (strcmp(name, "lsq") == 0)
        return least_squares_from_file();
    fail_msg("unknown objective %s", name);
    return NULL;
}

/* "neg-NAME" is -NAME, for the maximize cases: a callback around the bundled one. */
static int negated(const double *x, size_t n, double *f, double *grad, void *user)
{
    if (gd_objective_eval(user, x, f, grad) != GD_OK)
        return 1;
    *f = -*f;
    for (size_t j = 0; grad && j < n; j++)
        grad[j] = -grad[j];
    return 0;
}

struct objective_pair {
    gd_objective *base, *used;
};

static struct objective_pair make_objective(const char *name)
{
    struct objective_pair pair = {NULL, NULL};
    bool negate = strncmp(name, "neg-", 4) == 0;
    pair.base = base_objective(negate ? name + 4 : name);
    assert_non_null(pair.base);
    pair.used =
        negate ? gd_objective_new(gd_objective_dim(pair.base), negated, pair.base) : pair.base;
    assert_non_null(pair.used);
    return pair;
}

static void free_objective(struct objective_pair pair)
{
    if (pair.used != pair.base)
        gd_objective_free(pair.used);
    gd_objective_free(pair.base);
}

static gd_optimizer *make_optimizer(const struct golden_case *c, size_t n)
{
    gd_optimizer *opt = gd_optimizer_new(method_named(c->method), n);
    assert_non_null(opt);
    for (int k = 0; k < c->param_count; k++)
        if (gd_optimizer_set_by_name(opt, c->keys[k], c->values[k]) != GD_OK)
            fail_msg("%s: cannot set %s = %g", c->name, c->keys[k], c->values[k]);
    return opt;
}

static void read_row(FILE *in, double *row, size_t n)
{
    for (size_t j = 0; j < n; j++)
        assert_int_equal(fscanf(in, "%lf", &row[j]), 1);
}

static void compare(struct golden_case *c, const char *path, int step, const double *x,
                    const double *golden, size_t n)
{
    double scale = 0.0;
    for (size_t j = 0; j < n; j++)
        scale = fmax(scale, fabs(golden[j]));
    for (size_t j = 0; j < n; j++) {
        double rel = fabs(x[j] - golden[j]) / scale;
        c->worst = fmax(c->worst, rel);
        if (!(rel <= TOLERANCE))
            fail_msg("%s via %s: step %d, x[%zu] = %.17g, torch %.17g (relative %.3g)", c->name,
                     path, step, j, x[j], golden[j], rel);
    }
}

/* Replays the case twice: gd_step computes the gradient itself; gd_optimizer_update
 * gets it from gd_objective_eval. */
static void replay(void **state)
{
    struct golden_case *c = *state;
    struct objective_pair obj = make_objective(c->objective);
    size_t n = gd_objective_dim(obj.used);
    assert_true(n <= MAX_DIM);
    gd_optimizer *by_step = make_optimizer(c, n), *by_update = make_optimizer(c, n);
    FILE *in = open_golden(c->file);
    double golden[MAX_DIM], xs[MAX_DIM], xu[MAX_DIM], grad[MAX_DIM];
    read_row(in, golden, n);
    memcpy(xs, golden, n * sizeof *xs);
    memcpy(xu, golden, n * sizeof *xu);
    for (int step = 1; step <= STEPS; step++) {
        assert_int_equal(gd_step(by_step, obj.used, xs, NULL), GD_OK);
        assert_int_equal(gd_objective_eval(obj.used, xu, NULL, grad), GD_OK);
        assert_int_equal(gd_optimizer_update(by_update, xu, grad), GD_OK);
        read_row(in, golden, n);
        compare(c, "gd_step", step, xs, golden, n);
        compare(c, "gd_optimizer_update", step, xu, golden, n);
    }
    print_message("# %s: worst relative difference %.3g\n", c->name, c->worst);
    fclose(in);
    gd_optimizer_free(by_step);
    gd_optimizer_free(by_update);
    free_objective(obj);
}

static int parse_case(char *line, struct golden_case *c)
{
    memset(c, 0, sizeof *c);
    char *save = NULL, *word;
    char *fields[4];
    for (int i = 0; i < 4; i++) {
        fields[i] = strtok_r(i == 0 ? line : NULL, " \n", &save);
        if (!fields[i])
            return -1;
    }
    snprintf(c->name, sizeof c->name, "%s", fields[0]);
    snprintf(c->method, sizeof c->method, "%s", fields[1]);
    snprintf(c->objective, sizeof c->objective, "%s", fields[2]);
    snprintf(c->file, sizeof c->file, "%s", fields[3]);
    while ((word = strtok_r(NULL, " \n", &save)) && c->param_count < MAX_PARAMS) {
        char *eq = strchr(word, '=');
        if (!eq)
            return -1;
        *eq = '\0';
        snprintf(c->keys[c->param_count], sizeof c->keys[0], "%s", word);
        c->values[c->param_count++] = strtod(eq + 1, NULL);
    }
    return 0;
}

static struct golden_case cases[MAX_CASES];

/* The index lists the cases; an unreadable index is a failure, never a skip. */
static size_t load_cases(void)
{
    const char *dir = getenv("GD_GOLDEN_DIR");
    char path[512], line[512];
    snprintf(path, sizeof path, "%s/index.txt", dir ? dir : ".");
    FILE *in = fopen(path, "r");
    if (!in) {
        fprintf(stderr, "cannot read %s (set GD_GOLDEN_DIR to tests/golden)\n", path);
        return 0;
    }
    size_t count = 0;
    while (count < MAX_CASES && fgets(line, sizeof line, in))
        if (parse_case(line, &cases[count]) == 0)
            count++;
    fclose(in);
    return count;
}

int main(void)
{
    size_t count = load_cases();
    if (count == 0) {
        printf("1..1\nnot ok 1 - golden index readable\n");
        return 1;
    }
    struct CMUnitTest tests[MAX_CASES];
    for (size_t i = 0; i < count; i++)
        tests[i] = (struct CMUnitTest){cases[i].name, replay, NULL, NULL, &cases[i]};
    return _cmocka_run_group_tests("golden", tests, count, NULL, NULL);
}
