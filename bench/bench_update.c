/*
 * bench_update - time of gd_optimizer_update per step at the automatic instruction-set
 * level and at the forced baseline, against a hand-written loop doing the same
 * arithmetic (hand_loops.c, built for this CPU) and against a STREAM-style triad; the
 * same in single precision (gd_optimizer_update_f32 at the automatic level, the float
 * hand loop and a float triad, in rounds of their own after the double ones, with the
 * same placement); and the cost of gd_step beyond its
 * objective callback.  Medians of repeats on CLOCK_MONOTONIC.  GDESCENT_ISA, when set,
 * applies to the "automatic" columns.  Before timing, it checks that every hand loop,
 * double and float, gives the library's bits (check_hand_loops).
 *
 * usage: bench_update [--quick] [--json FILE] [--n N]...  (--n: only these sizes, no
 *        driver cost)
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <gdescent.h>

#include "clock.h"

#include "hand_loops.h"

/* REPEATS rounds in each of PLACEMENTS allocations of the arrays. */
enum { REPEATS = 5, PLACEMENTS = 4 };

/* What one timed repetition runs: `steps` updates of n elements.  The gradient
 * alternates between g[0] and g[1]: with a constant one, centered RMSprop's variance
 * estimate decays to rounding noise, and its square root made x NaN in the runs at
 * n = 16 and 1000. */
struct work {
    gd_optimizer *opt;    /* NULL for a hand-written loop */
    hand_fn hand;         /* the double one, or NULL for ... */
    hand_fn_f32 hand_f32; /* ... the float one */
    size_t n, steps;
    void *x, *g[2], *s[3]; /* iterate, gradients, state of the hand-written loops */
    double t;              /* step count of the hand-written Adam */
    bool single;           /* float arrays (and a float optimizer) */
};

static void run_work(struct work *w)
{
    for (size_t k = 0; k < w->steps; k++) {
        const void *g = w->g[k % 2];
        if (w->opt && w->single)
            gd_optimizer_update_f32(w->opt, w->x, g);
        else if (w->opt)
            gd_optimizer_update(w->opt, w->x, g);
        else if (w->single)
            w->hand_f32(w->n, w->x, g, w->s[0], w->s[1], w->s[2], w->t += 1.0);
        else
            w->hand(w->n, w->x, g, w->s[0], w->s[1], w->s[2], w->t += 1.0);
    }
}

static double seconds_per_step(struct work *w)
{
    double start = now();
    run_work(w);
    return (now() - start) / (double)w->steps;
}

/*
 * Times the works in rounds: each round runs every work once, starting one further
 * along each time, so that near the last-level cache size each finds the others'
 * arrays in the cache as often as they find its own.  After one warm-up round,
 * times[j][r] is work j's seconds per step in round r.
 */
static void time_interleaved(struct work *works, size_t count, double times[][REPEATS])
{
    for (size_t j = 0; j < count; j++)
        run_work(&works[j]);
    for (size_t r = 0; r < REPEATS; r++)
        for (size_t k = 0; k < count; k++) {
            size_t j = (r + k) % count;
            times[j][r] = seconds_per_step(&works[j]);
        }
}

/* The median of `count` timings (sorted in place); their spread in *lo, *hi. */
static double median(double *t, size_t count, double *lo, double *hi)
{
    qsort(t, count, sizeof t[0], by_value);
    *lo = t[0];
    *hi = t[count - 1];
    return t[count / 2];
}

struct variant {
    const char *name;
    gd_method method;
    const char *key; /* one parameter to set, or NULL */
    double value;
    hand_fn hand;
    hand_fn_f32 hand_f32;
    double bytes; /* bytes moved per element per step in double (half in float) */
    /* torch's names of the library's state vectors that the hand loop keeps in s1, s2,
     * s3, for the check that both compute the same bits */
    const char *state[3];
};

/* A variant's hand loops in double and in float. */
#define HANDS(name) hand_##name, hand_##name##_f32

/* The first two state vectors of Adam, AdamW, NAdam and RAdam. */
#define MOMENTS "exp_avg", "exp_avg_sq"

static const struct variant variants[] = {
    {"sgd", GD_SGD, NULL, 0, HANDS(sgd), 24, {NULL}},
    {"sgd+momentum", GD_SGD, "momentum", 0.9, HANDS(momentum), 40, {"momentum_buffer"}},
    {"sgd+nesterov", GD_SGD, "nesterov", 1, HANDS(nesterov), 40, {"momentum_buffer"}},
    {"adam", GD_ADAM, NULL, 0, HANDS(adam), 56, {MOMENTS}},
    {"adam+amsgrad", GD_ADAM, "amsgrad", 1, HANDS(amsgrad), 72, {MOMENTS, "max_exp_avg_sq"}},
    {"adamw", GD_ADAMW, NULL, 0, HANDS(adamw), 56, {MOMENTS}},
    {"rmsprop", GD_RMSPROP, NULL, 0, HANDS(rmsprop), 40, {"square_avg"}},
    {"rmsprop+centered",
     GD_RMSPROP,
     "centered",
     1,
     HANDS(centered),
     56,
     {"square_avg", "grad_avg"}},
    {"adagrad", GD_ADAGRAD, NULL, 0, HANDS(adagrad), 40, {"sum"}},
    {"nadam", GD_NADAM, NULL, 0, HANDS(nadam), 56, {MOMENTS}},
    {"radam", GD_RADAM, NULL, 0, HANDS(radam), 56, {MOMENTS}},
    {"adamax", GD_ADAMAX, NULL, 0, HANDS(adamax), 56, {"exp_avg", "exp_inf"}},
    {"adadelta", GD_ADADELTA, NULL, 0, HANDS(adadelta), 56, {"square_avg", "acc_delta"}},
    {"rprop", GD_RPROP, NULL, 0, HANDS(rprop), 56, {"prev", "step_size"}},
    /* ax copies x up to step t0 + 2: with torch's t0 = 1e6 the timed runs get past it
     * only at n = 2, and at 16 without --quick.  t0 = 0 averages from the third step,
     * reading ax too. */
    {"asgd", GD_ASGD, NULL, 0, HANDS(asgd), 32, {"ax"}},
    {"asgd+averaging", GD_ASGD, "t0", 0, HANDS(asgd_averaging), 40, {"ax"}},
    {"lion", GD_LION, NULL, 0, HANDS(lion), 40, {"exp_avg"}},
};

static void fill(double *v, size_t n, double base)
{
    for (size_t i = 0; i < n; i++)
        v[i] = base + 1e-3 * (double)(i % 97);
}

/* An optimizer for the variant at a forced level, or at the user's (NULL level), in
 * single precision when single. */
static gd_optimizer *make_optimizer(const struct variant *var, size_t n, const char *level,
                                    const char *user_level, bool single)
{
    if (level)
        setenv("GDESCENT_ISA", level, 1);
    else if (user_level)
        setenv("GDESCENT_ISA", user_level, 1);
    else
        unsetenv("GDESCENT_ISA");
    gd_optimizer *opt =
        single ? gd_optimizer_new_f32(var->method, n) : gd_optimizer_new(var->method, n);
    if (!opt)
        return NULL;
    gd_optimizer_set(opt, GD_PARAM_LR, 1e-9); /* x barely moves: no denormals, no NaN */
    if (var->key && strcmp(var->key, "nesterov") == 0)
        gd_optimizer_set(opt, GD_PARAM_MOMENTUM, 0.9);
    if (var->key)
        gd_optimizer_set_by_name(opt, var->key, var->value);
    return opt;
}

/* The works: double, then float (no float baseline); each precision's are timed in
 * rounds of their own. */
enum { LIB, BASE, HAND, TRIAD, F32_LIB, F32_HAND, F32_TRIAD, WORKS };

struct sizes_run {
    FILE *json;
    int first;
    const char *user_level; /* GDESCENT_ISA as the user set it, or NULL */
};

/* Bytes per second of a work moving `bytes` per element, as a fraction of a triad's
 * moving triad_bytes (24 per element in double, 12 in float, counted as STREAM does:
 * no write-allocate traffic). */
static double of_triad(double bytes, double seconds, double triad_bytes, double triad_seconds)
{
    return (bytes / triad_bytes) * triad_seconds / seconds;
}

/* The medians of the works' seconds per step; lo, hi: the library's spread, double
 * ([0]) and float ([1]). */
struct timing {
    double t[WORKS], lo[2], hi[2];
    const char *isa, *isa_f32;
};

static void report(const struct variant *var, size_t n, const struct timing *m,
                   struct sizes_run *run)
{
    const double *t = m->t;
    double lib_s = t[LIB], base_s = t[BASE], hand_s = t[HAND], triad_s = t[TRIAD];
    double lo = m->lo[0], hi = m->hi[0];
    double lib_bw = of_triad(var->bytes, lib_s, 24.0, triad_s);
    double hand_bw = of_triad(var->bytes, hand_s, 24.0, triad_s);
    double triad_gbs = 24.0 * (double)n / triad_s * 1e-9;
    double f_s = t[F32_LIB], f_hand_s = t[F32_HAND], f_triad_s = t[F32_TRIAD];
    double f_bw = of_triad(var->bytes / 2, f_s, 12.0, f_triad_s);
    double f_hand_bw = of_triad(var->bytes / 2, f_hand_s, 12.0, f_triad_s);
    double f_triad_gbs = 12.0 * (double)n / f_triad_s * 1e-9;
    int large = n >= 1000000;
    printf("%-21s %9zu %-8s %10.1f %8.3f %5.2f-%-5.2f %10.1f %10.1f %8.3f %9.3f %8.2f %8.2f "
           "%7.1f\n",
           var->name, n, m->isa, lib_s * 1e9, lib_s * 1e9 / (double)n, lo / lib_s, hi / lib_s,
           base_s * 1e9, hand_s * 1e9, lib_s / hand_s, base_s / hand_s, large ? lib_bw : NAN,
           large ? hand_bw : NAN, triad_gbs);
    char name[64];
    snprintf(name, sizeof name, "%s.f32", var->name);
    printf("%-21s %9zu %-8s %10.1f %8.3f %5.2f-%-5.2f %10s %10.1f %8.3f %9s %8.2f %8.2f "
           "%7.1f %7.2f\n",
           name, n, m->isa_f32, f_s * 1e9, f_s * 1e9 / (double)n, m->lo[1] / f_s, m->hi[1] / f_s,
           "-", f_hand_s * 1e9, f_s / f_hand_s, "-", large ? f_bw : NAN, large ? f_hand_bw : NAN,
           f_triad_gbs, lib_s / f_s);
    fprintf(run->json,
            "%s\n  {\"kernel\": \"%s\", \"n\": %zu, \"isa\": \"%s\", "
            "\"ns_per_step\": %.4g, \"ns_per_element\": %.4g, \"min_ns\": %.4g, "
            "\"max_ns\": %.4g, \"baseline_ns_per_step\": %.4g, "
            "\"hand_ns_per_step\": %.4g, \"triad_ns_per_step\": %.4g, "
            "\"fraction_of_triad\": %.4g, \"hand_fraction_of_triad\": %.4g, "
            "\"f32_isa\": \"%s\", \"f32_ns_per_step\": %.4g, \"f32_min_ns\": %.4g, "
            "\"f32_max_ns\": %.4g, \"f32_hand_ns_per_step\": %.4g, "
            "\"f32_triad_ns_per_step\": %.4g, \"f32_over_hand\": %.4g, "
            "\"f32_fraction_of_triad\": %.4g, \"f32_hand_fraction_of_triad\": %.4g, "
            "\"double_over_f32\": %.4g}",
            run->first ? "" : ",", var->name, n, m->isa, lib_s * 1e9, lib_s * 1e9 / (double)n,
            lo * 1e9, hi * 1e9, base_s * 1e9, hand_s * 1e9, triad_s * 1e9, lib_bw, hand_bw,
            m->isa_f32, f_s * 1e9, m->lo[1] * 1e9, m->hi[1] * 1e9, f_hand_s * 1e9, f_triad_s * 1e9,
            f_s / f_hand_s, f_bw, f_hand_bw, lib_s / f_s);
    run->first = 0;
}

static void *zeros_of(size_t n, size_t size)
{
    void *v = calloc(n, size);
    if (!v) {
        fprintf(stderr, "bench_update: no memory for n = %zu\n", n);
        exit(1);
    }
    return v;
}

static double *zeros(size_t n)
{
    return zeros_of(n, sizeof(double));
}

static float *zeros_f32(size_t n)
{
    return zeros_of(n, sizeof(float));
}

static void warn_if_not_finite(const char *name, const double *x, const float *xf, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]) || !isfinite(xf[i])) {
            fprintf(stderr, "bench_update: %s left x[%zu] = %g (float %g) at n = %zu\n", name, i,
                    x[i], (double)xf[i], n);
            return;
        }
}

/*
 * The check before the timings: a hand loop that did less work than the library's
 * would look fast.  Each variant's hand loop and the library, at the automatic level
 * and at the baseline, make CHECK_STEPS updates from the same x and zero state with
 * the same gradients; x and the state vectors must then have the same bits.  Eight
 * steps reach RAdam's rectified step (rho_t > 5 from t = 6) and the averaging of ASGD
 * with t0 = 0 (from t = 3); an odd n reaches the loops' scalar remainders.  The float
 * hand loops are checked the same way against gd_optimizer_update_f32, from the same
 * x and gradients rounded to float.
 */
enum { CHECK_N = 1003, CHECK_STEPS = 8 };

/* x about 1 at even elements, as in the timed runs, and about lr (1e-9) at odd ones,
 * where the last bits of each step still show in x. */
static void check_start(double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (i % 2 ? 1e-9 : 1.0) * (1.0 + 1e-3 * (double)(i % 97));
}

/* The gradient of update k: each element's sign runs +, +, - from a phase of its own,
 * so that Rprop meets products of both signs and zero; one element in five is 1000
 * times smaller at each step, so that Lion's interpolation takes the momentum's sign
 * where it differs from the gradient's. */
static void check_gradient(double *g, size_t n, size_t k)
{
    for (size_t i = 0; i < n; i++) {
        double magnitude = (0.5 + 1e-3 * (double)((i + 7 * k) % 97)) * ((i + k) % 5 ? 1.0 : 1e-3);
        g[i] = (i + k) % 3 == 2 ? -magnitude : magnitude;
    }
}

static int same_bits(const void *a, const void *b, size_t bytes)
{
    return memcmp(a, b, bytes) == 0;
}

static void to_float(float *to, const double *from, size_t n)
{
    for (size_t i = 0; i < n; i++)
        to[i] = (float)from[i];
}

/* What differs between the library at `level` and the hand loop after the check's
 * updates ("x" or a state vector's name), or NULL when nothing does; in float when
 * single. */
static const char *hand_mismatch(const struct variant *var, const char *level,
                                 const char *user_level, bool single)
{
    size_t n = CHECK_N, size = single ? sizeof(float) : sizeof(double);
    double *x0 = zeros(n), *g0 = zeros(n), *lib_state = zeros(n);
    void *x_lib = zeros_of(n, size), *x_hand = zeros_of(n, size), *g = zeros_of(n, size);
    void *state = zeros_of(n, size);
    void *s[3] = {zeros_of(n, size), zeros_of(n, size), zeros_of(n, size)};
    gd_optimizer *opt = make_optimizer(var, n, level, user_level, single);
    check_start(x0, n);
    if (single) {
        to_float(x_lib, x0, n);
        to_float(x_hand, x0, n);
    } else {
        memcpy(x_lib, x0, n * size);
        memcpy(x_hand, x0, n * size);
    }
    const char *mismatch = opt ? NULL : "the library's optimizer";
    for (size_t k = 0; k < CHECK_STEPS && !mismatch; k++) {
        check_gradient(g0, n, k);
        double t = (double)(k + 1);
        if (single) {
            to_float(g, g0, n);
            if (gd_optimizer_update_f32(opt, x_lib, g) != GD_OK)
                mismatch = "the library's update";
            var->hand_f32(n, x_hand, g, s[0], s[1], s[2], t);
        } else {
            memcpy(g, g0, n * size);
            if (gd_optimizer_update(opt, x_lib, g) != GD_OK)
                mismatch = "the library's update";
            var->hand(n, x_hand, g, s[0], s[1], s[2], t);
        }
    }
    if (!mismatch && !same_bits(x_lib, x_hand, n * size))
        mismatch = "x";
    for (int v = 0; v < 3 && var->state[v] && !mismatch; v++) {
        if (gd_optimizer_get_state(opt, var->state[v], lib_state, n) != GD_OK)
            mismatch = var->state[v];
        else if (single)
            to_float(state, lib_state, n); /* exact: the library's floats, widened */
        else
            memcpy(state, lib_state, n * size);
        if (!mismatch && !same_bits(state, s[v], n * size))
            mismatch = var->state[v];
    }
    gd_optimizer_free(opt);
    free(x0);
    free(g0);
    free(lib_state);
    free(x_lib);
    free(x_hand);
    free(g);
    free(state);
    for (int v = 0; v < 3; v++)
        free(s[v]);
    return mismatch;
}

/* Exits with the first variant whose hand loop differs from the library; the line
 * printed says how many matched. */
static void check_hand_loops(const char *user_level)
{
    const char *levels[] = {NULL, "baseline"};
    size_t rows = sizeof variants / sizeof variants[0];
    for (int single = 0; single < 2; single++)
        for (size_t v = 0; v < rows; v++)
            for (int l = 0; l < 2; l++) {
                const char *mismatch = hand_mismatch(&variants[v], levels[l], user_level, single);
                if (mismatch) {
                    fflush(stdout);
                    fprintf(stderr,
                            "bench_update: the %s hand loop of %s differs from the library%s "
                            "in %s after %d updates at n = %d\n",
                            single ? "float" : "double", variants[v].name,
                            levels[l] ? " at baseline" : "", mismatch, CHECK_STEPS, CHECK_N);
                    exit(1);
                }
            }
    printf("hand loops match the library bit for bit (x and state after %d updates at "
           "n = %d, at the isa column's level and at baseline): %zu rows, double and float\n",
           CHECK_STEPS, CHECK_N, rows);
}

/* The arrays of one placement: the optimizers' states and the hand loops'. */
struct placement {
    gd_optimizer *best, *base, *single;
    double *s[3];
    float *sf[3];
};

/* Allocates the library's state and the hand loops', the hand loops' first when
 * hand_first.  Near the cache size the time of a loop depends on where its arrays
 * landed in memory, so the rounds are spread over several allocations in both
 * orders. */
static void place(struct placement *p, const struct variant *var, size_t n, int hand_first,
                  const char *user_level)
{
    for (int v = 0; hand_first && v < 3; v++)
        p->s[v] = zeros(n);
    for (int v = 0; hand_first && v < 3; v++)
        p->sf[v] = zeros_f32(n);
    p->best = make_optimizer(var, n, NULL, user_level, false);
    p->base = make_optimizer(var, n, "baseline", user_level, false);
    p->single = make_optimizer(var, n, NULL, user_level, true);
    if (!p->best || !p->base || !p->single) {
        fprintf(stderr, "bench_update: no optimizer for %s at n = %zu\n", var->name, n);
        exit(1);
    }
    for (int v = 0; !hand_first && v < 3; v++)
        p->s[v] = zeros(n);
    for (int v = 0; !hand_first && v < 3; v++)
        p->sf[v] = zeros_f32(n);
}

static void unplace(struct placement *p)
{
    gd_optimizer_free(p->best);
    gd_optimizer_free(p->base);
    gd_optimizer_free(p->single);
    for (int v = 0; v < 3; v++) {
        free(p->s[v]);
        free(p->sf[v]);
    }
}

/* The shared vectors of one n: x, the two gradients and the triad's output, in double
 * and in float. */
struct vectors {
    double *x, *g[2], *triad_out;
    float *xf, *gf[2], *triad_out_f;
};

/* One variant at one n: the library at the automatic and the baseline level, the hand
 * loop with its own state (allocated vector by vector, as the library does) and the
 * triad, interleaved on the same x and g; then, with the same placement, the library
 * in single precision, the float hand loop and the float triad on float x and g,
 * interleaved among themselves. */
static void bench_variant(const struct variant *var, size_t n, size_t steps, struct vectors *a,
                          struct sizes_run *run)
{
    double times[PLACEMENTS][WORKS][REPEATS];
    struct timing m;
    fill(a->x, n, 1.0);
    for (size_t i = 0; i < n; i++)
        a->xf[i] = (float)a->x[i];
    for (int order = 0; order < PLACEMENTS; order++) {
        struct placement p;
        place(&p, var, n, order % 2, run->user_level);
        m.isa = gd_optimizer_isa(p.best);
        m.isa_f32 = gd_optimizer_isa(p.single);
        struct work works[WORKS] = {
            [LIB] = {p.best, NULL, NULL, n, steps, a->x, {a->g[0], a->g[1]}, {NULL}, 0, false},
            [BASE] = {p.base, NULL, NULL, n, steps, a->x, {a->g[0], a->g[1]}, {NULL}, 0, false},
            [HAND] = {NULL,
                      var->hand,
                      NULL,
                      n,
                      steps,
                      a->x,
                      {a->g[0], a->g[1]},
                      {p.s[0], p.s[1], p.s[2]},
                      0,
                      false},
            [TRIAD] = {NULL,
                       hand_triad,
                       NULL,
                       n,
                       steps,
                       a->x,
                       {a->g[0], a->g[1]},
                       {a->triad_out, NULL, NULL},
                       0,
                       false},
            [F32_LIB] =
                {p.single, NULL, NULL, n, steps, a->xf, {a->gf[0], a->gf[1]}, {NULL}, 0, true},
            [F32_HAND] = {NULL,
                          NULL,
                          var->hand_f32,
                          n,
                          steps,
                          a->xf,
                          {a->gf[0], a->gf[1]},
                          {p.sf[0], p.sf[1], p.sf[2]},
                          0,
                          true},
            [F32_TRIAD] = {NULL,
                           NULL,
                           hand_triad_f32,
                           n,
                           steps,
                           a->xf,
                           {a->gf[0], a->gf[1]},
                           {a->triad_out_f, NULL, NULL},
                           0,
                           true},
        };
        /* The double works and the float works in rounds of their own: in one set of
         * rounds the library, which follows the triad, would find the other
         * precision's arrays in the cache where the hand loop, which follows the
         * baseline or the library, finds its own (at n = 1e6 SGD measured 1.12-1.18x
         * its hand loop, 1.00 in rounds of the double works alone). */
        time_interleaved(works, F32_LIB, times[order]);
        time_interleaved(works + F32_LIB, WORKS - F32_LIB, times[order] + F32_LIB);
        unplace(&p);
    }
    for (int j = 0; j < WORKS; j++) {
        double pooled[PLACEMENTS * REPEATS], lo, hi;
        for (int order = 0; order < PLACEMENTS; order++)
            memcpy(pooled + order * REPEATS, times[order][j], sizeof times[order][j]);
        m.t[j] = median(pooled, PLACEMENTS * REPEATS, &lo, &hi);
        if (j == LIB || j == F32_LIB) {
            m.lo[j == F32_LIB] = lo;
            m.hi[j == F32_LIB] = hi;
        }
    }
    report(var, n, &m, run);
    warn_if_not_finite(var->name, a->x, a->xf, n);
}

static void bench_size(size_t n, double budget, struct sizes_run *run)
{
    struct vectors a = {zeros(n),     {zeros(n), zeros(n)},         zeros(n),
                        zeros_f32(n), {zeros_f32(n), zeros_f32(n)}, zeros_f32(n)};
    fill(a.g[0], n, 0.5);
    fill(a.g[1], n, -0.25);
    for (size_t i = 0; i < n; i++) {
        a.gf[0][i] = (float)a.g[0][i];
        a.gf[1][i] = (float)a.g[1][i];
    }
    size_t steps = (size_t)fmax(2.0, budget / (double)n);
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++)
        bench_variant(&variants[v], n, steps, &a, run);
    free(a.x);
    free(a.g[0]);
    free(a.g[1]);
    free(a.triad_out);
    free(a.xf);
    free(a.gf[0]);
    free(a.gf[1]);
    free(a.triad_out_f);
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
           n, best_eval * 1e9, best_step * 1e9, (best_step - best_eval) * 1e9, best_run * 1e9,
           (best_run - best_eval) * 1e9);
    free(x);
    free(g);
    gd_optimizer_free(opt);
    gd_objective_free(f);
}

static void usage_error(void)
{
    fprintf(stderr, "usage: bench_update [--quick] [--json FILE] [--n N]...\n");
    exit(2);
}

int main(int argc, char **argv)
{
#ifdef __GLIBC__
    /* glibc raises its mmap threshold to the size of each mmapped block freed, so
     * after the first allocation is freed, blocks of the same size come from the heap
     * instead: the library's state and the hand loop's were then placed differently,
     * and Adam at n = 1e5 measured 1.09-1.14x the hand loop after the n = 1e3 runs
     * against 1.00-1.05x alone.  Setting the threshold fixes it at its default. */
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
    size_t sizes[16] = {2, 16, 1000, 100000, 1000000, 10000000}, count = 6, chosen = 0;
    int quick = 0;
    const char *json_path = "/dev/null";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0)
            quick = 1;
        else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc)
            json_path = argv[++i];
        else if (strcmp(argv[i], "--n") == 0 && i + 1 < argc && chosen < 16)
            sizes[chosen++] = strtoul(argv[++i], NULL, 10);
        else
            usage_error();
    }
    for (size_t s = 0; s < chosen; s++)
        if (sizes[s] == 0)
            usage_error();
    if (chosen)
        count = chosen;
    else if (quick)
        count = 5;
    FILE *json = fopen(json_path, "w");
    if (!json) {
        perror(json_path);
        return 1;
    }
    double budget = quick ? 2e6 : 2e7; /* elements per repetition */
    printf("libgd %s: seconds are medians of %d interleaved rounds, %d in each of %d "
           "allocations of the state;\nspread is min-max / median.\n"
           "isa, ns/step: the automatic level; baseline: forced GDESCENT_ISA=baseline;\n"
           "hand: a loop of the same arithmetic built with -O3 -march=native -fno-math-errno;\n"
           "lib%%, hand%%: bytes per second as a fraction of the triad's (n >= 1e6);\n"
           "<kernel>.f32 rows: gd_optimizer_update_f32 at the automatic level, the float hand\n"
           "loop and the float triad (12 bytes per element), in rounds of their own; dbl/f32: the\n"
           "double ns/step over the float one.\n",
           gd_version_string(), PLACEMENTS * REPEATS, REPEATS, PLACEMENTS);
    /* A copy: setenv may replace the string getenv returned. */
    char user_level[32] = "";
    const char *env = getenv("GDESCENT_ISA");
    if (env)
        snprintf(user_level, sizeof user_level, "%s", env);
    struct sizes_run run = {json, 1, env ? user_level : NULL};
    check_hand_loops(run.user_level);
    printf("%-21s %9s %-8s %10s %8s %11s %10s %10s %8s %9s %8s %8s %7s %7s\n", "kernel", "n", "isa",
           "ns/step", "ns/elem", "spread", "baseline", "hand", "lib/hand", "base/hand", "lib%",
           "hand%", "triadGB", "dbl/f32");
    fprintf(json, "[");
    for (size_t s = 0; s < count; s++)
        bench_size(sizes[s], budget, &run);
    fprintf(json, "\n]\n");
    fclose(json);
    if (chosen)
        return 0;
    printf("driver cost on gd_quadratic_new with SGD (fastest of %d):\n", REPEATS);
    bench_driver_overhead(2, budget);
    bench_driver_overhead(1000000, budget);
    return 0;
}
