/*
 * bench_training.c - what the training loop's features cost in the update path:
 * 1,000 parameter ranges of 100 elements with distinct learning rates against one
 * range of 1e5 (goal: within 1.2x), and gradient clipping by norm at n = 1e6 against
 * no clipping and against one read of the gradient (goal: clipping adds at most that).
 * Each row's works are timed interleaved in rounds (the median of REPEATS rounds), so
 * that the ratios compare runs of the same moment.
 * Usage: bench_training [--quick]
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gdescent.h>

#include "clock.h"

enum { REPEATS = 15, MAX_WORKS = 4 };

struct work {
    const char *name;
    gd_optimizer *opt; /* NULL: one read of the gradient (a sum) */
    size_t n, steps;
    double *x, *g, sink;
};

static double seconds_per_step(struct work *w)
{
    double start = now();
    for (size_t k = 0; k < w->steps; k++) {
        if (w->opt) {
            gd_optimizer_update(w->opt, w->x, w->g);
        } else {
            double sum[4] = {0, 0, 0, 0}; /* four chains: the read, not the adds, bounds it */
            for (size_t i = 0; i + 3 < w->n; i += 4)
                for (size_t j = 0; j < 4; j++)
                    sum[j] += w->g[i + j];
            w->sink += sum[0] + sum[1] + sum[2] + sum[3];
        }
    }
    return (now() - start) / (double)w->steps;
}

/* The median seconds per step of each work, timed in interleaved rounds. */
static void time_works(struct work *works, size_t count, double *median_seconds)
{
    double t[MAX_WORKS][REPEATS];
    for (size_t j = 0; j < count; j++)
        seconds_per_step(&works[j]);
    for (size_t r = 0; r < REPEATS; r++)
        for (size_t k = 0; k < count; k++) {
            size_t j = (r + k) % count;
            t[j][r] = seconds_per_step(&works[j]);
        }
    for (size_t j = 0; j < count; j++) {
        qsort(t[j], REPEATS, sizeof t[j][0], by_value);
        median_seconds[j] = t[j][REPEATS / 2];
    }
}

static double *filled(size_t n, double scale)
{
    double *v = malloc(n * sizeof *v);
    if (!v) {
        fprintf(stderr, "bench_training: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < n; i++)
        v[i] = scale * sin(0.001 * (double)i);
    return v;
}

static gd_optimizer *optimizer(gd_method method, size_t n)
{
    gd_optimizer *opt = gd_optimizer_new(method, n);
    if (!opt) {
        fprintf(stderr, "bench_training: cannot create the optimizer\n");
        exit(1);
    }
    return opt;
}

static void print_row(const char *what, const struct work *works, const double *s, size_t count)
{
    printf("%-34s", what);
    for (size_t j = 0; j < count; j++)
        printf("  %s %.3g us (%.2fx)", works[j].name, 1e6 * s[j], s[j] / s[0]);
    printf("\n");
}

static void free_works(struct work *works, size_t count)
{
    for (size_t j = 0; j < count; j++) {
        gd_optimizer_free(works[j].opt);
        free(works[j].x);
        free(works[j].g);
    }
}

static void bench_ranges(gd_method method, size_t steps)
{
    enum { RANGES = 1000, SIZE = 100, N = RANGES * SIZE };
    struct work works[2] = {
        {"one range", optimizer(method, N), N, steps, filled(N, 1.0), filled(N, 0.1), 0},
        {"1000 ranges", optimizer(method, N), N, steps, filled(N, 1.0), filled(N, 0.1), 0},
    };
    for (size_t r = 0; r < RANGES; r++)
        if (gd_optimizer_set_range(works[1].opt, r * SIZE, SIZE, GD_PARAM_LR,
                                   1e-3 * (1.0 + 1e-3 * (double)r)) != GD_OK) {
            fprintf(stderr, "bench_training: set_range refused\n");
            exit(1);
        }
    double s[2];
    time_works(works, 2, s);
    char what[64];
    snprintf(what, sizeof what, "%s, n = 1e5:", gd_method_name(method));
    print_row(what, works, s, 2);
    free_works(works, 2);
}

static void bench_clipping(gd_method method, size_t steps)
{
    enum { N = 1000000 };
    struct work works[4] = {
        {"no clipping", optimizer(method, N), N, steps, filled(N, 1.0), filled(N, 0.1), 0},
        {"clip_norm acting", optimizer(method, N), N, steps, filled(N, 1.0), filled(N, 0.1), 0},
        {"clip_norm idle", optimizer(method, N), N, steps, filled(N, 1.0), filled(N, 0.1), 0},
        {"one read of g", NULL, N, steps, NULL, filled(N, 0.1), 0},
    };
    /* ||g|| is about 70 here: 1.0 scales every gradient, 1e6 none */
    gd_optimizer_set(works[1].opt, GD_PARAM_CLIP_NORM, 1.0);
    gd_optimizer_set(works[2].opt, GD_PARAM_CLIP_NORM, 1e6);
    double s[4];
    time_works(works, 4, s);
    char what[64];
    snprintf(what, sizeof what, "%s, n = 1e6:", gd_method_name(method));
    print_row(what, works, s, 4);
    printf("%-34s  clip_norm acting adds %.2f reads of g, idle %.2f\n", "", (s[1] - s[0]) / s[3],
           (s[2] - s[0]) / s[3]);
    free_works(works, 4);
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    printf("== parameter ranges (goal: 1000 ranges within 1.2x of one)\n");
    bench_ranges(GD_SGD, quick ? 20 : 200);
    bench_ranges(GD_ADAM, quick ? 20 : 200);
    printf("== gradient clipping by norm (goal: at most one more read of g)\n");
    bench_clipping(GD_SGD, quick ? 3 : 20);
    bench_clipping(GD_ADAM, quick ? 3 : 20);
    return 0;
}
