/*
 * bench_update - time of gd_optimizer_update per step at the automatic instruction-set
 * level and at the forced baseline, against a hand-written loop doing the same
 * arithmetic (hand_loops.c, built for this CPU) and against a STREAM-style triad; and
 * the cost of gd_step beyond its objective callback.  Medians of repeats on
 * CLOCK_MONOTONIC.  GDESCENT_ISA, when set, applies to the "automatic" column.
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

#include "clock.h"

#include "hand_loops.h"

enum { REPEATS = 7 };

/* What one timed repetition runs: `steps` updates of n elements. */
struct work {
    gd_optimizer *opt; /* NULL for a hand-written loop */
    hand_fn hand;
    size_t n, steps;
    double *x, *g, *s1, *s2; /* iterate, gradient, state of the hand-written loops */
    double t;                /* step count of the hand-written Adam */
};

static void run_work(struct work *w)
{
    for (size_t k = 0; k < w->steps; k++) {
        if (w->opt)
            gd_optimizer_update(w->opt, w->x, w->g);
        else
            w->hand(w->n, w->x, w->g, w->s1, w->s2, w->t += 1.0);
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

struct variant {
    const char *name;
    gd_method method;
    const char *key;   /* one parameter to set, or NULL */
    double value;
    hand_fn hand;      /* or NULL */
    double bytes;      /* bytes moved per element per step: reads + writes */
};

static const struct variant variants[] = {
    {"sgd", GD_SGD, NULL, 0, hand_sgd, 24},
    {"sgd+momentum", GD_SGD, "momentum", 0.9, hand_momentum, 40},
    {"sgd+nesterov", GD_SGD, "nesterov", 1, hand_nesterov, 40},
    {"adam", GD_ADAM, NULL, 0, hand_adam, 56},
    {"adam+amsgrad", GD_ADAM, "amsgrad", 1, NULL, 72},
    {"adamw", GD_ADAMW, NULL, 0, hand_adamw, 56},
    {"rmsprop", GD_RMSPROP, NULL, 0, hand_rmsprop, 40},
    {"rmsprop+centered", GD_RMSPROP, "centered", 1, NULL, 56},
    {"adagrad", GD_ADAGRAD, NULL, 0, hand_adagrad, 40},
};

static void fill(double *v, size_t n, double base)
{
    for (size_t i = 0; i < n; i++)
        v[i] = base + 1e-3 * (double)(i % 97);
}

/* An optimizer for the variant at a forced level, or at the user's (NULL level). */
static gd_optimizer *make_optimizer(const struct variant *var, size_t n, const char *level,
                                    const char *user_level)
{
    if (level)
        setenv("GDESCENT_ISA", level, 1);
    else if (user_level)
        setenv("GDESCENT_ISA", user_level, 1);
    else
        unsetenv("GDESCENT_ISA");
    gd_optimizer *opt = gd_optimizer_new(var->method, n);
    gd_optimizer_set(opt, GD_PARAM_LR, 1e-9); /* x barely moves: no denormals, no NaN */
    if (var->key && strcmp(var->key, "nesterov") == 0)
        gd_optimizer_set(opt, GD_PARAM_MOMENTUM, 0.9);
    if (var->key)
        gd_optimizer_set_by_name(opt, var->key, var->value);
    return opt;
}

struct sizes_run {
    FILE *json;
    int first;
    const char *user_level; /* GDESCENT_ISA as the user set it, or NULL */
};

static void report(const struct variant *var, size_t n, const char *isa, const double t[3],
                   double lo, double hi, double bw_fraction, struct sizes_run *run)
{
    double lib_s = t[0], base_s = t[1], hand_s = t[2];
    printf("%-17s %9zu %-8s %10.1f %8.3f %5.2f-%-5.2f %10.1f %10.1f %8.3f %9.3f %8.2f\n",
           var->name, n, isa, lib_s * 1e9, lib_s * 1e9 / (double)n, lo / lib_s, hi / lib_s,
           base_s * 1e9, hand_s * 1e9, lib_s / hand_s, base_s / hand_s,
           n >= 1000000 ? bw_fraction : NAN);
    fprintf(run->json, "%s\n  {\"kernel\": \"%s\", \"n\": %zu, \"isa\": \"%s\", "
            "\"ns_per_step\": %.4g, \"ns_per_element\": %.4g, \"min_ns\": %.4g, "
            "\"max_ns\": %.4g, \"baseline_ns_per_step\": %.4g, "
            "\"hand_ns_per_step\": %.4g, \"fraction_of_triad\": %.4g}",
            run->first ? "" : ",", var->name, n, isa, lib_s * 1e9, lib_s * 1e9 / (double)n,
            lo * 1e9, hi * 1e9, base_s * 1e9, isnan(hand_s) ? -1.0 : hand_s * 1e9,
            bw_fraction);
    run->first = 0;
}

static void bench_size(size_t n, double budget, struct sizes_run *run)
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
    struct work tw = {NULL, hand_triad, n, steps, x, g, s1, s2, 0};
    double lo, hi, spread_lo, spread_hi, triad_s = time_per_step(&tw, &lo, &hi);
    double triad_bw = 24.0 * (double)n / triad_s;
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        const struct variant *var = &variants[v];
        gd_optimizer *best = make_optimizer(var, n, NULL, run->user_level);
        gd_optimizer *base = make_optimizer(var, n, "baseline", run->user_level);
        struct work lib = {best, NULL, n, steps, x, g, NULL, NULL, 0};
        struct work lib_base = {base, NULL, n, steps, x, g, NULL, NULL, 0};
        struct work hand = {NULL, var->hand, n, steps, x, g, s1, s2, 0};
        double t[3];
        t[0] = time_per_step(&lib, &spread_lo, &spread_hi);
        t[1] = time_per_step(&lib_base, &lo, &hi);
        t[2] = var->hand ? time_per_step(&hand, &lo, &hi) : NAN;
        report(var, n, gd_optimizer_isa(best), t, spread_lo, spread_hi,
               var->bytes * (double)n / t[0] / triad_bw, run);
        gd_optimizer_free(best);
        gd_optimizer_free(base);
    }
    printf("%-17s %9zu %-8s %10.1f %8.3f   triad bandwidth %.2f GB/s\n", "triad", n, "hand",
           triad_s * 1e9, triad_s * 1e9 / (double)n, triad_bw * 1e-9);
    free(x);
    free(g);
    free(s1);
    free(s2);
}

/* gd_step and gd_minimize on a quadratic minus the callback alone: the driver's own
 * cost per iteration, the update included.  Fastest of REPEATS. */
static void bench_driver_overhead(size_t n, double budget)
{
    gd_objective *f = gd_quadratic_new(n, NULL, 1.0);
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, n);
    gd_optimizer_set(opt, GD_PARAM_LR, 1e-9);
    double *x = malloc(n * sizeof *x), *g = malloc(n * sizeof *g), value;
    fill(x, n, 1.0);
    size_t steps = (size_t)fmax(10.0, budget / (double)n);
    gd_optimizer_set(opt, GD_PARAM_MAX_ITER, (double)steps);
    double best_step = INFINITY, best_run = INFINITY, best_eval = INFINITY;
    for (int r = 0; r < REPEATS; r++) {
        double start = now();
        for (size_t k = 0; k < steps; k++)
            gd_step(opt, f, x, &value);
        best_step = fmin(best_step, (now() - start) / (double)steps);
        start = now();
        gd_minimize(opt, f, x, NULL); /* steps updates, steps + 1 evaluations */
        best_run = fmin(best_run, (now() - start) / (double)steps);
        start = now();
        for (size_t k = 0; k < steps; k++)
            gd_objective_eval(f, x, &value, g);
        best_eval = fmin(best_eval, (now() - start) / (double)steps);
    }
    printf("n=%-9zu callback alone %12.1f ns; gd_step %12.1f ns, beyond the callback "
           "%12.1f ns; gd_minimize %12.1f ns per iteration, beyond the callback %12.1f ns\n",
           n, best_eval * 1e9, best_step * 1e9, (best_step - best_eval) * 1e9,
           best_run * 1e9, (best_run - best_eval) * 1e9);
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
    printf("libgd %s: seconds are medians of %d repeats; spread is min-max / median.\n"
           "isa, ns/step: the automatic level; baseline: forced GDESCENT_ISA=baseline;\n"
           "hand: a loop of the same arithmetic built with -O3 -march=native -fno-math-errno.\n",
           gd_version_string(), REPEATS);
    printf("%-17s %9s %-8s %10s %8s %11s %10s %10s %8s %9s %8s\n", "kernel", "n", "isa",
           "ns/step", "ns/elem", "spread", "baseline", "hand", "lib/hand", "base/hand",
           "of triad");
    /* A copy: setenv may replace the string getenv returned. */
    char user_level[32] = "";
    const char *env = getenv("GDESCENT_ISA");
    if (env)
        snprintf(user_level, sizeof user_level, "%s", env);
    struct sizes_run run = {json, 1, env ? user_level : NULL};
    fprintf(json, "[");
    for (size_t s = 0; s < count; s++)
        bench_size(sizes[s], budget, &run);
    fprintf(json, "\n]\n");
    fclose(json);
    printf("driver cost on gd_quadratic_new with SGD (fastest of %d):\n", REPEATS);
    bench_driver_overhead(2, budget);
    bench_driver_overhead(1000000, budget);
    return 0;
}
