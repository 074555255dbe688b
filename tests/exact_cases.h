/*
 * exact_cases.h - what test_exact.c and test_state.c share: the cases of
 * tests/golden/exact.txt and, for float optimizers, exact32.txt (make_exact.py), the
 * generator of their gradients, and the optimizer a case configures.  Include after
 * <cmocka.h>.
 * SPDX-License-Identifier: MIT
 */
#ifndef GD_EXACT_CASES_H
#define GD_EXACT_CASES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gdescent.h>

enum { MAX_PARAMS = 8, MAX_RANGES = 8, MAX_CASES = 256, MAX_LINE = 1024 };

/* A parameter set on a range of elements (gd_optimizer_set_range). */
struct exact_range {
    size_t first, count;
    char key[32];
    double value;
};

/* A line of exact.txt: name method n seed file, then key=value (gd_optimizer_set),
 * @first:count:key=value (gd_optimizer_set_range) and ~tolerance (the comparison's
 * relative tolerance; 0, bit for bit, without). */
struct exact_case {
    char name[64], method[16], file[96];
    size_t n;
    uint64_t seed;
    char keys[MAX_PARAMS][32];
    double values[MAX_PARAMS];
    int param_count;
    struct exact_range ranges[MAX_RANGES];
    int range_count;
    double tolerance;
    bool single; /* a case of exact32.txt: gd_optimizer_new_f32 */
};

/* make_exact.py's Noise: an LCG with Knuth's MMIX constants; each value is
 * (s >> 33) - 2^30 times 2^-32. */
static inline double next_noise(uint64_t *s)
{
    *s = *s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return (double)((int64_t)(*s >> 33) - (INT64_C(1) << 30)) * 0x1p-32;
}

/* GD_GOLDEN_DIR/<prefix><file><suffix>, or NULL. */
static inline FILE *open_golden(const char *prefix, const char *file, const char *suffix)
{
    const char *dir = getenv("GD_GOLDEN_DIR");
    char path[512];
    int length = snprintf(path, sizeof path, "%s/%s%s%s", dir ? dir : ".", prefix, file, suffix);
    return length > 0 && (size_t)length < sizeof path ? fopen(path, "r") : NULL;
}

/* The case's optimizer with its parameters set; fails the test on a refusal. */
static inline gd_optimizer *exact_optimizer(const struct exact_case *c)
{
    gd_method method = GD_SGD;
    assert_int_equal(gd_method_by_name(c->method, &method), GD_OK);
    gd_optimizer *opt =
        c->single ? gd_optimizer_new_f32(method, c->n) : gd_optimizer_new(method, c->n);
    assert_non_null(opt);
    for (int i = 0; i < c->param_count; i++)
        if (gd_optimizer_set_by_name(opt, c->keys[i], c->values[i]) != GD_OK)
            fail_msg("%s: %s = %g refused", c->name, c->keys[i], c->values[i]);
    for (int i = 0; i < c->range_count; i++) {
        const struct exact_range *r = &c->ranges[i];
        gd_param key;
        assert_int_equal(gd_param_by_name(r->key, &key), GD_OK);
        if (gd_optimizer_set_range(opt, r->first, r->count, key, r->value) != GD_OK)
            fail_msg("%s: %s = %g on %zu..+%zu refused", c->name, r->key, r->value, r->first,
                     r->count);
    }
    return opt;
}

/* A case being replayed: its optimizer, x (doubles, or floats for a float case) and
 * the gradient, from the case's start, with make_exact.py's gradients: g = 0.5 x +
 * noise, rounded once (in float for a float case, whose start and noise are rounded
 * to float first). */
struct exact_run {
    const struct exact_case *c;
    gd_optimizer *opt;
    double *x, *g;
    float *xf, *gf;
    void *g_copy; /* the gradient before the update */
    uint64_t noise;
    int step; /* updates made */
};

static inline void exact_run_start(struct exact_run *r, const struct exact_case *c)
{
    *r = (struct exact_run){c, exact_optimizer(c), NULL, NULL, NULL, NULL, NULL, c->seed, 0};
    r->g_copy = malloc(c->n * sizeof(double));
    if (c->single) {
        r->xf = malloc(c->n * sizeof *r->xf);
        r->gf = malloc(c->n * sizeof *r->gf);
        assert_true(r->xf && r->gf);
    } else {
        r->x = malloc(c->n * sizeof *r->x);
        r->g = malloc(c->n * sizeof *r->g);
        assert_true(r->x && r->g);
    }
    assert_non_null(r->g_copy);
    for (size_t i = 0; i < c->n; i++) {
        double start = 4.0 * next_noise(&r->noise);
        if (c->single)
            r->xf[i] = (float)start;
        else
            r->x[i] = start;
    }
}

/* One update; the caller's gradient must come back unwritten (clipping copies). */
static inline void exact_run_update(struct exact_run *r)
{
    const struct exact_case *c = r->c;
    if (c->single) {
        for (size_t i = 0; i < c->n; i++)
            r->gf[i] = 0.5f * r->xf[i] + (float)next_noise(&r->noise);
        memcpy(r->g_copy, r->gf, c->n * sizeof *r->gf);
        assert_int_equal(gd_optimizer_update_f32(r->opt, r->xf, r->gf), GD_OK);
        assert_memory_equal(r->g_copy, r->gf, c->n * sizeof *r->gf);
    } else {
        for (size_t i = 0; i < c->n; i++)
            r->g[i] = 0.5 * r->x[i] + next_noise(&r->noise);
        memcpy(r->g_copy, r->g, c->n * sizeof *r->g);
        assert_int_equal(gd_optimizer_update(r->opt, r->x, r->g), GD_OK);
        assert_memory_equal(r->g_copy, r->g, c->n * sizeof *r->g);
    }
    r->step++;
}

/* Updates until step updates are made. */
static inline void exact_run_to(struct exact_run *r, int step)
{
    while (r->step < step)
        exact_run_update(r);
}

/* Element i of x, exactly (a float's value for a float case). */
static inline double exact_run_x(const struct exact_run *r, size_t i)
{
    return r->c->single ? (double)r->xf[i] : r->x[i];
}

static inline void exact_run_free(struct exact_run *r)
{
    gd_optimizer_free(r->opt);
    free(r->x);
    free(r->g);
    free(r->xf);
    free(r->gf);
    free(r->g_copy);
}

/* The case's golden of torch's state: its file's name with "state-" after the first
 * "-" (exact-state-<name>.txt, exact32-state-<name>.txt), or NULL. */
static inline FILE *open_state_golden(const struct exact_case *c)
{
    const char *dash = strchr(c->file, '-');
    if (!dash)
        return NULL;
    char prefix[32];
    int length = snprintf(prefix, sizeof prefix, "%.*sstate-", (int)(dash + 1 - c->file), c->file);
    return length > 0 && (size_t)length < sizeof prefix ? open_golden(prefix, dash + 1, "") : NULL;
}

/* "first:count:key=value" into a range. */
static inline int parse_exact_range(const char *word, struct exact_range *r)
{
    int used = 0;
    if (sscanf(word, "%zu:%zu:%31[^=]=%n", &r->first, &r->count, r->key, &used) != 3 || !used)
        return -1;
    r->value = strtod(word + used, NULL);
    return 0;
}

static inline int parse_exact_case(char *line, struct exact_case *c)
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
    snprintf(c->file, sizeof c->file, "%s", fields[4]);
    while ((word = strtok_r(NULL, " \n", &save)) && c->param_count < MAX_PARAMS) {
        if (word[0] == '~') {
            c->tolerance = strtod(word + 1, NULL);
            continue;
        }
        if (word[0] == '@') {
            if (c->range_count == MAX_RANGES ||
                parse_exact_range(word + 1, &c->ranges[c->range_count++]) != 0)
                return -1;
            continue;
        }
        char *eq = strchr(word, '=');
        if (!eq)
            return -1;
        *eq = '\0';
        snprintf(c->keys[c->param_count], sizeof c->keys[0], "%s", word);
        c->values[c->param_count++] = strtod(eq + 1, NULL);
    }
    return c->n > 0 ? 0 : -1;
}

/* Reads the cases of an index file ("exact.txt", or "exact32.txt", whose cases are
 * float optimizers' and named with the prefix "f32-") that keep(c) accepts (NULL: all)
 * into cases, at most capacity; returns how many. */
static inline size_t load_exact_cases(struct exact_case *cases, size_t capacity, const char *file,
                                      int (*keep)(const struct exact_case *c))
{
    FILE *index = open_golden("", file, "");
    bool single = strcmp(file, "exact32.txt") == 0;
    size_t count = 0;
    char line[MAX_LINE];
    while (index && count < capacity && fgets(line, sizeof line, index)) {
        struct exact_case *c = &cases[count];
        if (parse_exact_case(line, c) != 0 || (keep && !keep(c)))
            continue;
        c->single = single;
        size_t length = strlen(c->name);
        if (single && length + 4 < sizeof c->name) {
            memmove(c->name + 4, c->name, length + 1);
            memcpy(c->name, "f32-", 4);
        }
        count++;
    }
    if (index)
        fclose(index);
    return count;
}

#endif /* GD_EXACT_CASES_H */
