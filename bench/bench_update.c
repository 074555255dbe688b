/*
 * bench_update - time of gd_optimizer_update per step against a hand-written loop doing
 * the same arithmetic in this file, and against a STREAM-style triad; and the cost of
 * gd_step beyond its objective callback.  Medians of repeats on CLOCK_MONOTONIC.
 *
 * usage: bench_update [--quick] [--json FILE]
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gdescent.h>

enum { REPEATS = 7 };

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* What one timed repetition runs: `steps` updates of n elements. */
struct work {
    const char *name;
    gd_optimizer *opt;        /* NULL for a hand-written loop */
    void (*hand)(struct work *w);
    size_t n, steps;
    double *x, *g, *s1, *s2;  /* iterate, gradient, state */
    double t;                 /* step count of the hand-written Adam */
};

static void run_work(struct work *w)
{
    for (size_t k = 0; k < w->steps; k++) {
        if (w->opt)
            gd_optimizer_update(w->opt, w->x, w->g);
        else
            w->hand(w);
    }
}

/* Median seconds per step over REPEATS repetitions after one warm-up; spread in *lo, *hi. */
static double time_per_step(struct work *w, double *lo, double *hi)
{
    double t[REPEATS];
    run_work(w);
    for (int r = 0; r < REPEATS; r++) {
        double start = now();
        run_work(w);
        t[r] = (now() - start) / (double)w->steps;
    }
    qsort(t, REPEATS, sizeof t[0], by_value);
    *lo = t[0];
    *hi = t[REPEATS - 1];
    return t[REPEATS / 2];
}

/* ---- the best a user could write, same arithmetic as lib/methods ---- */

static void hand_sgd(struct work *w)
{
    double *restrict x = w->x;
    const double *restrict g = w->g;
    for (size_t i = 0; i < w->n; i++)
        x[i] -= 1e-9 * g[i];
}

static void hand_momentum(struct work *w)
{
    double *restrict x = w->x, *restrict b = w->s1;
    const double *restrict g = w->g;
    for (size_t i = 0; i < w->n; i++) {
        b[i] = 0.9 * b[i] + g[i];
        x[i] -= 1e-9 * b[i];
    }
}

static void hand_adam(struct work *w)
{
    double *restrict x = w->x, *restrict m = w->s1, *restrict v = w->s2;
    const double *restrict g = w->g;
    w->t += 1.0;
    double step = -(1e-9 / (1.0 - pow(0.9, w->t))), bc2 = sqrt(1.0 - pow(0.999, w->t));
    for (size_t i = 0; i < w->n; i++) {
        m[i] = 0.9 * m[i] + 0.1 * g[i];
        v[i] = 0.999 * v[i] + (0.001 * g[i]) * g[i];
        x[i] += (step * m[i]) / (sqrt(v[i]) / bc2 + 1e-8);
    }
}

static void triad(struct work *w)
{
    double *restrict a = w->s1;
    const double *restrict b = w->x, *restrict c = w->g;
    for (size_t i = 0; i < w->n; i++)
        a[i] = b[i] + 3.0 * c[i];
}

struct variant {
    const char *name;
    gd_method method;
    const char *key;   /* one parameter to set, or NULL */
    double value;
    void (*hand)(struct work *w);
    double bytes;      /* bytes moved per element per step: reads + writes */
};

static const struct variant variants[] = {
    {"sgd", GD_SGD, NULL, 0, hand_sgd, 24},
    {"sgd+momentum", GD_SGD, "momentum", 0.9, hand_momentum, 40},
    {"adam", GD_ADAM, NULL, 0, hand_adam, 56},
    {"adam+amsgrad", GD_ADAM, "amsgrad", 1, NULL, 72},
    {"adamw", GD_ADAMW, NULL, 0, NULL, 56},
    {"rmsprop", GD_RMSPROP, NULL, 0, NULL, 40},
    {"rmsprop+centered", GD_RMSPROP, "centered", 1, NULL, 56},
    {"adagrad", GD_ADAGRAD, NULL, 0, NULL, 40},
};

static void fill(double *v, size_t n, double base)
{
    for (size_t i = 0; i < n; i++)
        v[i] = base + 1e-3 * (double)(i % 97);
}

static void bench_size(size_t n, double budget, FILE *json, int *first)
{
    double *x = malloc(n * sizeof *x), *g = malloc(n * sizeof *g);
    double *s1 = calloc(n, sizeof *s1), *s2 = calloc(n, sizeof *s2);
    if (!x || !g || !s1 || !s2) {
        fprintf(stderr, "bench_update: no memory for n = %zu\n", n);
        exit(1);
    }
    fill(x, n, 1.0);
    fill(g, n, 0.5);
    size_t steps = (size_t)fmax(1.0, budget / (double)n);
    struct work tw = {"triad", NULL, triad, n, steps, x, g, s1, s2, 0};
    double lo, hi, triad_s = time_per_step(&tw, &lo, &hi);
    double triad_bw = 24.0 * (double)n / triad_s;
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        const struct variant *var = &variants[v];
        gd_optimizer *opt = gd_optimizer_new(var->method, n);
        gd_optimizer_set(opt, GD_PARAM_LR, 1e-9); /* x barely moves: no denormals, no NaN */
        if (var->key)
            gd_optimizer_set_by_name(opt, var->key, var->value);
        struct work lib = {var->name, opt, NULL, n, steps, x, g, NULL, NULL, 0};
        double lib_s = time_per_step(&lib, &lo, &hi), ratio = NAN;
        if (var->hand) {
            struct work hand = {var->name, NULL, var->hand, n, steps, x, g, s1, s2, 0};
            double hlo, hhi;
            ratio = lib_s / time_per_step(&hand, &hlo, &hhi);
        }
        double bw_fraction = var->bytes * (double)n / lib_s / triad_bw;
        printf("%-17s %9zu %12.1f %8.3f %6.2f-%-6.2f %9.3f %11.2f\n", var->name, n,
               lib_s * 1e9, lib_s * 1e9 / (double)n, lo / lib_s, hi / lib_s, ratio,
               n >= 1000000 ? bw_fraction : NAN);
        fprintf(json, "%s\n  {\"kernel\": \"%s\", \"n\": %zu, \"ns_per_step\": %.4g, "
                      "\"ns_per_element\": %.4g, \"min_ns\": %.4g, \"max_ns\": %.4g, "
                      "\"ratio_to_hand_loop\": %.4g, \"fraction_of_triad\": %.4g}",
                *first ? "" : ",", var->name, n, lib_s * 1e9, lib_s * 1e9 / (double)n,
                lo * 1e9, hi * 1e9, isnan(ratio) ? -1.0 : ratio, bw_fraction);
        *first = 0;
        gd_optimizer_free(opt);
    }
    printf("%-17s %9zu %12.1f %8.3f   triad bandwidth %.2f GB/s\n", "triad", n, triad_s * 1e9,
           triad_s * 1e9 / (double)n, triad_bw * 1e-9);
    free(x);
    free(g);
    free(s1);
    free(s2);
}

/* gd_step on a quadratic minus the callback alone: the driver's own cost per step. */
static void bench_step_overhead(size_t n, double budget)
{
    gd_objective *f = gd_quadratic_new(n, NULL, 1.0);
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, n);
    gd_optimizer_set(opt, GD_PARAM_LR, 1e-9);
    double *x = malloc(n * sizeof *x), *g = malloc(n * sizeof *g), value;
    fill(x, n, 1.0);
    size_t steps = (size_t)fmax(10.0, budget / (double)n);
    double best_step = INFINITY, best_eval = INFINITY;
    for (int r = 0; r < REPEATS; r++) {
        double start = now();
        for (size_t k = 0; k < steps; k++)
            gd_step(opt, f, x, &value);
        best_step = fmin(best_step, (now() - start) / (double)steps);
        start = now();
        for (size_t k = 0; k < steps; k++)
            gd_objective_eval(f, x, &value, g);
        best_eval = fmin(best_eval, (now() - start) / (double)steps);
    }
    printf("gd_step n=%-9zu %10.1f ns per step, callback alone %10.1f ns, driver and update "
           "%10.1f ns (fastest of %d)\n",
           n, best_step * 1e9, best_eval * 1e9, (best_step - best_eval) * 1e9, REPEATS);
    free(x);
    free(g);
    gd_optimizer_free(opt);
    gd_objective_free(f);
}

int main(int argc, char **argv)
{
    int quick = 0;
    const char *json_path = "/dev/null";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0)
            quick = 1;
        else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc)
            json_path = argv[++i];
        else {
            fprintf(stderr, "usage: bench_update [--quick] [--json FILE]\n");
            return 2;
        }
    }
    FILE *json = fopen(json_path, "w");
    if (!json) {
        perror(json_path);
        return 1;
    }
    const size_t sizes[] = {2, 16, 1000, 100000, 1000000, 10000000};
    size_t count = quick ? 5 : 6;
    double budget = quick ? 2e6 : 2e7; /* elements per repetition */
    printf("libgd %s: seconds are medians of %d repeats; spread is min-max / median\n",
           gd_version_string(), REPEATS);
    printf("%-17s %9s %12s %8s %13s %9s %11s\n", "kernel", "n", "ns/step", "ns/elem",
           "spread", "lib/hand", "of triad");
    fprintf(json, "[");
    int first = 1;
    for (size_t s = 0; s < count; s++)
        bench_size(sizes[s], budget, json, &first);
    fprintf(json, "\n]\n");
    fclose(json);
    bench_step_overhead(2, budget);
    bench_step_overhead(1000000, budget);
    return 0;
}
