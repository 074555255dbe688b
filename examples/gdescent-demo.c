/*
 * gdescent-demo - the teaching documents' examples run through libgd, printing what
 * the documents print.  Run `gdescent-demo --help` for the commands.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gdescent.h>

#include "pairs.h"

/* The largest --steps and --seed: every whole number up to it is exact as a double, which
 * strtod reads and the library takes counts as, and a larger one may be rounded. */
#define MAX_COUNT ((INT64_C(1) << 53) - 1)

struct options {
    const char *optimizer;
    double lr;     /* NaN: the example's own */
    int64_t steps; /* -1: the example's own */
    uint64_t seed;
    const char *out_dir;    /* trajectories go here when set */
    const char *data;       /* CSV of (x, y) samples or 2-D points, instead of the built-in */
    const char *trajectory; /* CSV file for the trajectory of a single run */
};

/* Reads one pair per line (examples/pairs.c). */
static int read_pairs(const char *path, struct pairs *out)
{
    FILE *in = fopen(path, "r");
    if (!in) {
        fprintf(stderr, "gdescent-demo: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    int rc = read_pairs_from(in, path, out);
    fclose(in);
    return rc;
}

static const char usage[] =
    "usage: gdescent-demo COMMAND [options]\n"
    "commands:\n"
    "  quadratic   x^2, (x-3)^2, 2-D and vector targets, learning-rate sweeps\n"
    "  sgd         per-sample SGD on y = 2x (the classic manual-gradient example)\n"
    "  linreg      full-batch linear regression, loss 1/(2m) sum of squares\n"
    "  median      geometric median of a random 2-D cloud\n"
    "  compare     every method on Rosenbrock and on an ill-conditioned quadratic\n"
    "  logistic    logistic regression (L-BFGS by default) on --data FILE, a CSV whose\n"
    "              last column is the 0/1 label, or on a seeded 2-D sample\n"
    "              (each with its own lr; --lr and --steps apply to all)\n"
    "  all         every command above\n"
    "options:\n"
    "  --optimizer NAME  any name of gd_method_name, e.g. sgd (default; lbfgs for\n"
    "                    logistic), adam, ...\n"
    "  --lr X            learning rate (default: the example's)\n"
    "  --steps N         steps or epochs (default: the example's)\n"
    "  --seed N          seed of the random point cloud (default 1)\n"
    "  --out DIR         write each run's trajectory as CSV into DIR\n"
    "  --trajectory FILE write the run's trajectory as CSV (sgd, linreg, median)\n"
    "  --data FILE       CSV of x,y samples (sgd, linreg), of points (median), of\n"
    "                    features and a label (logistic);\n"
    "                    --points is the same option\n"
    "  --help            this text\n";

static int parse_number(const char *flag, const char *text, double *value)
{
    char *end;
    errno = 0;
    *value = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || !isfinite(*value)) {
        fprintf(stderr, "gdescent-demo: %s: '%s' is not a number\n", flag, text);
        return -1;
    }
    return 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
    for (int i = 2; i < argc; i++) {
        double v;
        const char *flag = argv[i];
        if (i + 1 >= argc) {
            fprintf(stderr, "gdescent-demo: %s needs a value\n%s", flag, usage);
            return -1;
        }
        const char *arg = argv[++i];
        if (strcmp(flag, "--optimizer") == 0) {
            o->optimizer = arg;
        } else if (strcmp(flag, "--out") == 0) {
            o->out_dir = arg;
        } else if (strcmp(flag, "--data") == 0 || strcmp(flag, "--points") == 0) {
            o->data = arg;
        } else if (strcmp(flag, "--trajectory") == 0) {
            o->trajectory = arg;
        } else if (strcmp(flag, "--lr") == 0) {
            if (parse_number(flag, arg, &o->lr) != 0)
                return -1;
        } else if (strcmp(flag, "--steps") == 0 || strcmp(flag, "--seed") == 0) {
            if (parse_number(flag, arg, &v) != 0)
                return -1;
            if (v < 0 || v != floor(v) || v > (double)MAX_COUNT) {
                fprintf(stderr, "gdescent-demo: %s: '%s' is not a whole number below 2^53\n", flag,
                        arg);
                return -1;
            }
            if (strcmp(flag, "--steps") == 0)
                o->steps = (int64_t)v;
            else
                o->seed = (uint64_t)v;
        } else {
            fprintf(stderr, "gdescent-demo: unknown option %s\n%s", flag, usage);
            return -1;
        }
    }
    return 0;
}

/* An optimizer of the chosen method with the example's (or the user's) lr and steps. */
static gd_optimizer *make_optimizer(const struct options *o, size_t n, double lr, long steps)
{
    gd_method method;
    const char *name = o->optimizer ? o->optimizer : "sgd";
    bool known = gd_method_by_name(name, &method) == GD_OK;
    gd_optimizer *opt = known ? gd_optimizer_new(method, n) : NULL;
    if (!opt) {
        fprintf(stderr, "gdescent-demo: unknown optimizer '%s'\n", name);
        return NULL;
    }
    int rc = gd_optimizer_set(opt, GD_PARAM_LR, isnan(o->lr) ? lr : o->lr);
    if (rc == GD_OK)
        rc = gd_optimizer_set(opt, GD_PARAM_MAX_ITER, (double)(o->steps >= 0 ? o->steps : steps));
    if (rc != GD_OK) {
        fprintf(stderr, "gdescent-demo: --lr/--steps: %s\n", gd_strerror(rc));
        gd_optimizer_free(opt);
        return NULL;
    }
    return opt;
}

/* A run that ends in a GD_E* status failed: says why. */
static bool run_failed(const char *name, int status)
{
    if (status >= 0)
        return false;
    fprintf(stderr, "gdescent-demo: %s: %s\n", name, gd_strerror(status));
    return true;
}

static int save_trajectory(const struct options *o, const gd_trajectory *traj, const char *name)
{
    char path[4096];
    if (o->trajectory)
        snprintf(path, sizeof path, "%s", o->trajectory);
    else if (o->out_dir)
        snprintf(path, sizeof path, "%s/%s.csv", o->out_dir, name);
    else
        return 0;
    int rc = gd_trajectory_write_csv(traj, path);
    if (rc != GD_OK) {
        fprintf(stderr, "gdescent-demo: cannot write %s: %s\n", path, gd_strerror(rc));
        return -1;
    }
    printf("  wrote %s\n", path);
    return 0;
}

/* Minimizes scale*||x - c||^2 from x0 and prints every iterate. */
static int quadratic_run(const struct options *o, const char *name, size_t n, const double *center,
                         const double *x0, double lr, long steps)
{
    gd_objective *f = gd_quadratic_new(n, center, 1.0);
    gd_optimizer *opt = make_optimizer(o, n, lr, steps);
    gd_trajectory *traj = gd_trajectory_new(n, GD_TRAJ_X);
    int rc = -1;
    if (f && opt && traj) {
        double x[2] = {x0[0], n > 1 ? x0[1] : 0.0};
        int status = gd_minimize(opt, f, x, traj);
        printf("%s, lr %g: %s\n", name, isnan(o->lr) ? lr : o->lr, gd_strerror(status));
        for (size_t k = 0; k < gd_trajectory_len(traj); k++) {
            const double *xk = gd_trajectory_x(traj, k);
            printf("  step %2zu: x = %.10g", gd_trajectory_iter(traj, k), xk[0]);
            if (n > 1)
                printf(", %.10g", xk[1]);
            printf("   f = %.10g\n", gd_trajectory_f(traj, k));
        }
        rc = run_failed(name, status) ? -1 : save_trajectory(o, traj, name);
    }
    gd_trajectory_free(traj);
    gd_optimizer_free(opt);
    gd_objective_free(f);
    return rc;
}

/* On scale*(x-c)^2 each step multiplies the error by 1 - 2 lr. */
static const char *regime(double lr)
{
    double factor = fabs(1.0 - 2.0 * lr);
    return factor < 1.0 ? "converges" : factor == 1.0 ? "oscillates" : "diverges";
}

static int run_quadratic(const struct options *o)
{
    const double five = 5.0, minus_seven = -7.0, three = 3.0;
    const double start2[2] = {5.0, -3.0}, target[2] = {2.0, -1.0}, from[2] = {5.0, 5.0};
    int rc = quadratic_run(o, "x2", 1, NULL, &five, 0.1, 20);
    rc |= quadratic_run(o, "x2_2d", 2, NULL, start2, 0.2, 15);
    rc |= quadratic_run(o, "shifted", 1, &three, &minus_seven, 0.2, 20);
    rc |= quadratic_run(o, "vector_target", 2, target, from, 0.1, 20);
    const double x2_rates[] = {0.05, 0.2, 0.8, 1.01}, shifted_rates[] = {0.01, 0.1, 1.0, 1.5};
    struct options sweep = *o;
    char name[64];
    for (int i = 0; i < 4 && rc == 0; i++) {
        sweep.lr = x2_rates[i];
        printf("sweep x^2, lr %g: factor %g, %s\n", x2_rates[i], 1 - 2 * x2_rates[i],
               regime(x2_rates[i]));
        snprintf(name, sizeof name, "sweep_x2_lr%g", x2_rates[i]);
        rc |= quadratic_run(&sweep, name, 1, NULL, &five, x2_rates[i], 10);
        sweep.lr = shifted_rates[i];
        printf("sweep (x-3)^2, lr %g: factor %g, %s\n", shifted_rates[i], 1 - 2 * shifted_rates[i],
               regime(shifted_rates[i]));
        snprintf(name, sizeof name, "sweep_shifted_lr%g", shifted_rates[i]);
        rc |= quadratic_run(&sweep, name, 1, &three, &minus_seven, shifted_rates[i], 10);
    }
    return rc;
}

/* Python's round(v, 2) as the documents print it. */
static double round2(double v)
{
    return round(v * 100.0) / 100.0;
}

/* Prints round(v, 2) the way Python shows it: shortest form, at least one decimal. */
static void print_round2(double v)
{
    char text[64];
    snprintf(text, sizeof text, "%.2f", round2(v));
    size_t len = strlen(text);
    while (len > 0 && text[len - 1] == '0' && text[len - 2] != '.')
        text[--len] = '\0';
    fputs(text, stdout);
}

/* The user's samples, or a copy of the built-in ones. */
static int load_samples(const struct options *o, const double *a, const double *b, size_t m,
                        struct pairs *out)
{
    if (o->data)
        return read_pairs(o->data, out);
    for (size_t i = 0; i < m; i++)
        if (append_pair(out, a[i], b[i]) != 0)
            return -1;
    return 0;
}

/* Prints the tutorial's lines after each per-sample update. */
struct sgd_printer {
    const struct pairs *data;
    double w_before;
};

static int print_sgd_progress(size_t iter, const double *w, size_t n, double f, void *user)
{
    struct sgd_printer *p = user;
    (void)n, (void)f;
    size_t m = p->data->count, i = (iter - 1) % m;
    double x = p->data->first[i], y = p->data->second[i];
    /* d/dw (w x - y)^2 at the w this sample's update started from. */
    printf("\tgrad:  %.1f %.1f ", x, y);
    print_round2(2.0 * x * (p->w_before * x - y));
    putchar('\n');
    p->w_before = w[0];
    if (i == m - 1) {
        double r = w[0] * x - y;
        printf("progress: %zu w= ", (iter - 1) / m);
        print_round2(w[0]);
        printf(" loss= ");
        print_round2(r * r);
        putchar('\n');
    }
    return 0;
}

static int run_sgd(const struct options *o)
{
    const double xs[3] = {1.0, 2.0, 3.0}, ys[3] = {2.0, 4.0, 6.0};
    struct pairs data = {0};
    if (load_samples(o, xs, ys, 3, &data) != 0)
        return -1;
    int64_t epochs = o->steps >= 0 ? o->steps : 10;
    if (epochs > MAX_COUNT / (int64_t)data.count) {
        fprintf(stderr,
                "gdescent-demo: --steps: %" PRId64
                " epochs of %zu samples are 2^53 steps or more\n",
                epochs, data.count);
        free_pairs(&data);
        return -1;
    }
    struct options per_sample = *o; /* one step per sample */
    per_sample.steps = epochs * (int64_t)data.count;
    gd_objective *loss = gd_least_squares_new(data.count, 1, data.first, data.second, 1.0, 0);
    gd_optimizer *opt = make_optimizer(&per_sample, 1, 0.01, 0);
    gd_trajectory *traj = gd_trajectory_new(1, GD_TRAJ_X);
    struct sgd_printer printer = {&data, 1.0};
    int rc = -1;
    if (loss && opt && traj && gd_optimizer_set(opt, GD_PARAM_BATCH_SIZE, 1) == GD_OK &&
        gd_optimizer_set(opt, GD_PARAM_SHUFFLE, 0) == GD_OK &&
        gd_optimizer_set_monitor(opt, print_sgd_progress, &printer) == GD_OK) {
        double w = 1.0;
        printf("predict (before training) 4 %.1f\n", 4.0 * w);
        if (!run_failed("sgd", gd_minimize(opt, loss, &w, traj))) {
            printf("predict (after training) 4 ");
            print_round2(4.0 * w);
            putchar('\n');
            rc = save_trajectory(o, traj, "sgd");
        }
    }
    gd_trajectory_free(traj);
    gd_optimizer_free(opt);
    gd_objective_free(loss);
    free_pairs(&data);
    return rc;
}

static int run_linreg(const struct options *o)
{
    const double xs[7] = {1, 2, 3, 4, 5, 6, 8}, ys[7] = {5.5, 6, 6.5, 7, 7.5, 8, 9};
    struct pairs data = {0};
    if (load_samples(o, xs, ys, 7, &data) != 0)
        return -1;
    /* Features (1, x_i): the parameters are (w0, w1) of y = w0 + w1 x. */
    double *X = malloc(2 * data.count * sizeof *X);
    for (size_t i = 0; X && i < data.count; i++) {
        X[2 * i] = 1.0;
        X[2 * i + 1] = data.first[i];
    }
    gd_objective *loss = X ? gd_least_squares_new(data.count, 2, X, data.second, 0.5, 0) : NULL;
    free(X);
    gd_optimizer *opt = make_optimizer(o, 2, 0.008, 5000);
    gd_trajectory *traj = gd_trajectory_new(2, GD_TRAJ_X);
    int rc = -1;
    if (loss && opt && traj) {
        double w[2] = {0.34099454173956956, -0.5196184029053978};
        int status = gd_minimize(opt, loss, w, traj);
        for (size_t k = 0; k < gd_trajectory_len(traj); k++) {
            size_t epoch = gd_trajectory_iter(traj, k);
            const double *wk = gd_trajectory_x(traj, k);
            if (epoch % 500 == 0)
                printf("Epoch %zu: Loss %.17g, w0 %.17g, w1 %.17g\n", epoch,
                       gd_trajectory_f(traj, k), wk[0], wk[1]);
        }
        if (!run_failed("linreg", status)) {
            printf("final: w0 %.17g, w1 %.17g\n", w[0], w[1]);
            rc = save_trajectory(o, traj, "linreg");
        }
    }
    gd_trajectory_free(traj);
    gd_optimizer_free(opt);
    gd_objective_free(loss);
    free_pairs(&data);
    return rc;
}

/* SplitMix64, mapped to [0, 1): a seeded, portable cloud of points. */
static double uniform(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}

/* The user's points, or a seeded uniform cloud of 100 points in the unit square. */
static int load_points(const struct options *o, struct pairs *out)
{
    if (o->data)
        return read_pairs(o->data, out);
    uint64_t state = o->seed;
    for (int i = 0; i < 100; i++) {
        double a = uniform(&state);
        if (append_pair(out, a, uniform(&state)) != 0)
            return -1;
    }
    return 0;
}

static int write_points(const struct options *o, const struct pairs *p)
{
    if (!o->out_dir)
        return 0;
    char path[4096];
    snprintf(path, sizeof path, "%s/median_points.csv", o->out_dir);
    FILE *out = fopen(path, "w");
    for (size_t i = 0; out && i < p->count; i++)
        fprintf(out, "%.17g,%.17g\n", p->first[i], p->second[i]);
    return out && fclose(out) == 0 ? 0 : -1;
}

static int run_median(const struct options *o)
{
    struct pairs cloud = {0};
    if (load_points(o, &cloud) != 0)
        return -1;
    double *points = malloc(2 * cloud.count * sizeof *points);
    for (size_t i = 0; points && i < cloud.count; i++) {
        points[2 * i] = cloud.first[i];
        points[2 * i + 1] = cloud.second[i];
    }
    gd_objective *f = points ? gd_geometric_median_new(cloud.count, 2, points, NULL) : NULL;
    free(points);
    gd_optimizer *opt = make_optimizer(o, 2, 0.05, 100);
    gd_trajectory *traj = gd_trajectory_new(2, GD_TRAJ_X);
    int rc = -1;
    if (f && opt && traj) {
        double x[2] = {0.1, 0.1};
        int status = gd_minimize(opt, f, x, traj);
        for (size_t k = 0; k < gd_trajectory_len(traj); k += 10)
            printf("step %3zu: f = %.8f  |grad| = %.3e\n", gd_trajectory_iter(traj, k),
                   gd_trajectory_f(traj, k), gd_trajectory_grad_norm(traj, k));
        if (!run_failed("median", status)) {
            size_t last = gd_trajectory_len(traj) - 1;
            printf("%s\nmedian ~ (%.6f, %.6f), f = %.8f, |grad| = %.3e\n", gd_strerror(status),
                   x[0], x[1], gd_trajectory_f(traj, last), gd_trajectory_grad_norm(traj, last));
            rc = save_trajectory(o, traj, "median");
            if (rc == 0)
                rc = write_points(o, &cloud);
        }
    }
    gd_trajectory_free(traj);
    gd_optimizer_free(opt);
    gd_objective_free(f);
    free_pairs(&cloud);
    return rc;
}

/* f = 0.5 (x0^2 + 25 x1^2): curvatures 1 and 25, the narrow valley that separates
 * plain gradient descent from the adaptive methods. */
static int ill_conditioned(const double *x, size_t n, double *f, double *grad, void *user)
{
    (void)n, (void)user;
    *f = 0.5 * (x[0] * x[0] + 25.0 * x[1] * x[1]);
    if (grad) {
        grad[0] = x[0];
        grad[1] = 25.0 * x[1];
    }
    return 0;
}

static gd_objective *rosenbrock_2d(void)
{
    return gd_rosenbrock_new(2);
}

static gd_objective *ill_conditioned_2d(void)
{
    return gd_objective_new(2, ill_conditioned, NULL);
}

/* The problems of `compare`; lr[i] of each row of compare_rates is for problems[i]. */
static const struct problem {
    const char *name;
    gd_objective *(*make)(void);
    double start[2], minimizer[2];
    long steps;
} problems[] = {{"rosenbrock", rosenbrock_2d, {-1.5, 2.0}, {1.0, 1.0}, 3000},
                {"quadratic", ill_conditioned_2d, {-4.0, 1.5}, {0.0, 0.0}, 300}};

/* Learning rates by method name, {on Rosenbrock, on the quadratic}, one row per method
 * to tune: each makes visible progress on both without diverging.  The rows from nadam
 * on were chosen with torch.optim (Lion: its common PyTorch version) before libgd had
 * those methods.  A method not listed runs with its default lr. */
static const struct {
    const char *method;
    double lr[2];
} compare_rates[] = {
    {"sgd", {1e-3, 0.07}},     /* below 2/curvature: 2/1900 at the start; 2/25 */
    {"adam", {0.05, 0.05}},    /* 0.01 is slow on both, 0.1 ends 0.05 off (1, 1) */
    {"adamw", {0.05, 0.05}},   /* its weight decay 0.01 pulls it short of (1, 1) */
    {"rmsprop", {2e-3, 0.01}}, /* from 0.03 it wanders along Rosenbrock's valley */
    {"adagrad", {0.5, 0.5}},   /* the growing sum of g^2 shrinks its steps */
    {"nadam", {0.01, 0.05}},   /* 0.05 on Rosenbrock ends 0.12 off (1, 1) */
    {"radam", {0.01, 0.1}},    /* its first steps are plain momentum: 0.015 diverges */
    {"adamax", {0.05, 0.05}},  /* 0.01 is slow on both */
    {"adadelta", {1.0, 1.0}},  /* its default; slow on the quadratic */
    {"rprop", {0.01, 0.01}},   /* only its first step size: hardly matters */
    {"asgd", {1.2e-3, 0.03}},  /* as sgd; 1.2e-3 zig-zags away from the start, 3e-3 diverges */
    {"lion", {2e-3, 0.03}},    /* steps of lr per coordinate: 300 steps of 0.01 fall short */
};

/* The table's lr of the method on problems[problem], else the method's default. */
static double compare_lr(const gd_optimizer *opt, const char *method, size_t problem)
{
    for (size_t i = 0; i < sizeof compare_rates / sizeof compare_rates[0]; i++)
        if (strcmp(compare_rates[i].method, method) == 0)
            return compare_rates[i].lr[problem];
    double lr = NAN;
    gd_optimizer_get(opt, GD_PARAM_LR, &lr);
    return lr;
}

/* An optimizer of the method with the table's (or the user's) lr and the problem's (or
 * the user's) number of steps. */
static gd_optimizer *compare_optimizer(const struct options *o, size_t problem, gd_method method)
{
    gd_optimizer *opt = gd_optimizer_new(method, 2);
    if (!opt)
        return NULL;
    double lr = isnan(o->lr) ? compare_lr(opt, gd_method_name(method), problem) : o->lr;
    int64_t steps = o->steps >= 0 ? o->steps : problems[problem].steps;
    int rc = gd_optimizer_set(opt, GD_PARAM_LR, lr);
    if (rc == GD_OK)
        rc = gd_optimizer_set(opt, GD_PARAM_MAX_ITER, (double)steps);
    if (rc != GD_OK) {
        fprintf(stderr, "gdescent-demo: --lr/--steps: %s\n", gd_strerror(rc));
        gd_optimizer_free(opt);
        return NULL;
    }
    return opt;
}

/* What one run of `compare` reached. */
struct outcome {
    const char *problem, *method;
    double lr;
    size_t steps;
    double f, distance;
    bool diverged;
};

/* The run's line on stdout and, with --out, its row of compare.csv (plot.py's legend). */
static void report_outcome(const struct outcome *r, FILE *summary)
{
    printf("%-10s %-8s lr %-7g steps %-5zu f %-11.4e distance %.4e%s\n", r->problem, r->method,
           r->lr, r->steps, r->f, r->distance,
           r->diverged ? "  diverged: the path ends at its last finite point" : "");
    if (summary)
        fprintf(summary, "%s,%s,%.17g,%zu,%.17g,%.17g,%d\n", r->problem, r->method, r->lr, r->steps,
                r->f, r->distance, r->diverged);
}

/* Runs one method on problems[problem], reports it and writes its path.  A run that
 * diverges is part of the comparison, not a failure: its path ends at its last finite
 * iterate. */
static int compare_run(const struct options *o, FILE *summary, size_t problem, gd_method method)
{
    const struct problem *p = &problems[problem];
    struct outcome r = {p->name, gd_method_name(method), NAN, 0, NAN, NAN, false};
    gd_objective *f = p->make();
    gd_optimizer *opt = compare_optimizer(o, problem, method);
    gd_trajectory *traj = gd_trajectory_new(2, GD_TRAJ_X);
    int rc = -1;
    if (f && opt && traj) {
        double x[2] = {p->start[0], p->start[1]};
        int status = gd_minimize(opt, f, x, traj);
        char file[128];
        snprintf(file, sizeof file, "compare-%s-%s", r.problem, r.method);
        r.diverged = status == GD_EDIVERGED;
        if (r.diverged || !run_failed(file, status)) {
            gd_optimizer_get(opt, GD_PARAM_LR, &r.lr);
            r.steps = gd_optimizer_iterations(opt);
            r.f = gd_optimizer_last_f(opt);
            r.distance = hypot(x[0] - p->minimizer[0], x[1] - p->minimizer[1]);
            report_outcome(&r, summary);
            rc = save_trajectory(o, traj, file);
        }
    }
    gd_trajectory_free(traj);
    gd_optimizer_free(opt);
    gd_objective_free(f);
    return rc;
}

/* With --out, DIR/compare.csv with its header, or NULL (*rc -1 when it cannot be made). */
static FILE *open_summary(const struct options *o, int *rc)
{
    *rc = 0;
    if (!o->out_dir)
        return NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/compare.csv", o->out_dir);
    FILE *summary = fopen(path, "w");
    if (!summary) {
        fprintf(stderr, "gdescent-demo: cannot write %s: %s\n", path, strerror(errno));
        *rc = -1;
        return NULL;
    }
    fputs("problem,method,lr,steps,f,distance,diverged\n", summary);
    return summary;
}

/* Every method the library has, from one start per problem; stops at the first
 * failure (a bad --lr or --steps, an unwritable --out). */
static int run_compare(const struct options *o)
{
    struct options each = *o;
    each.trajectory = NULL; /* one file per run, into --out only */
    int rc;
    FILE *summary = open_summary(o, &rc);
    for (size_t problem = 0; rc == 0 && problem < sizeof problems / sizeof problems[0]; problem++) {
        const struct problem *p = &problems[problem];
        printf("%s from (%g, %g), minimizer (%g, %g):\n", p->name, p->start[0], p->start[1],
               p->minimizer[0], p->minimizer[1]);
        for (int m = 0; rc == 0 && gd_method_name((gd_method)m) != NULL; m++)
            rc = compare_run(&each, summary, problem, (gd_method)m);
    }
    if (summary && fclose(summary) != 0)
        rc = -1;
    return rc;
}

static int run_all(const struct options *o)
{
    int rc = 0;
    printf("== quadratic\n");
    rc |= run_quadratic(o);
    printf("== sgd\n");
    rc |= run_sgd(o);
    printf("== linreg\n");
    rc |= run_linreg(o);
    printf("== median\n");
    rc |= run_median(o);
    printf("== compare\n");
    rc |= run_compare(o);
    return rc;
}

/* The features and labels of the logistic example: --data's rows, or 200 seeded points
 * of two classes whose means differ by (2, 1) (label 1 with probability 1/2). */
static int logistic_rows(const struct options *o, struct rows *rows)
{
    if (o->data) {
        FILE *in = fopen(o->data, "r");
        if (!in) {
            fprintf(stderr, "gdescent-demo: cannot open %s: %s\n", o->data, strerror(errno));
            return -1;
        }
        int rc = read_rows_from(in, o->data, rows);
        fclose(in);
        return rc;
    }
    enum { M = 200 };
    rows->values = malloc(3 * M * sizeof *rows->values);
    if (!rows->values)
        return -1;
    rows->count = M;
    rows->width = 3;
    uint64_t state = o->seed;
    for (size_t i = 0; i < M; i++) {
        double label = uniform(&state) < 0.5 ? 1.0 : 0.0;
        rows->values[3 * i] = 2.0 * label + 2.0 * (uniform(&state) - 0.5) * 1.5;
        rows->values[3 * i + 1] = label + 2.0 * (uniform(&state) - 0.5) * 1.5;
        rows->values[3 * i + 2] = label;
    }
    return 0;
}

/* The share of rows whose label the fitted w predicts (z > 0 for label 1). */
static double accuracy(const struct rows *rows, const double *w)
{
    size_t p = rows->width - 1, right = 0;
    for (size_t i = 0; i < rows->count; i++) {
        const double *row = rows->values + i * rows->width;
        double z = w[p];
        for (size_t j = 0; j < p; j++)
            z += w[j] * row[j];
        right += (z > 0.0) == (row[p] == 1.0);
    }
    return (double)right / (double)rows->count;
}

/* gd_logistic_new's X and y from the rows: all columns but the last, and the last. */
static gd_objective *logistic_objective(const struct rows *rows)
{
    size_t m = rows->count, p = rows->width - 1;
    double *X = malloc(m * p * sizeof *X), *y = malloc(m * sizeof *y);
    for (size_t i = 0; X && y && i < m; i++) {
        memcpy(X + i * p, rows->values + i * rows->width, p * sizeof *X);
        y[i] = rows->values[i * rows->width + p];
    }
    /* l2 = 1/m: scikit-learn's LogisticRegression with C = 1 */
    gd_objective *loss = X && y ? gd_logistic_new(m, p, X, y, 1.0 / (double)m, GD_INTERCEPT) : NULL;
    if (X && y && !loss)
        fprintf(stderr, "gdescent-demo: logistic: labels must be 0 or 1\n");
    free(X);
    free(y);
    return loss;
}

static int run_logistic(const struct options *o)
{
    struct rows rows = {0, 0, NULL};
    if (logistic_rows(o, &rows) != 0)
        return -1;
    size_t n = rows.width; /* p weights and the intercept */
    gd_objective *loss = logistic_objective(&rows);
    struct options chosen = *o;
    if (!chosen.optimizer)
        chosen.optimizer = "lbfgs";
    gd_optimizer *opt = loss ? make_optimizer(&chosen, n, 1.0, 100) : NULL;
    double *w = calloc(n, sizeof *w);
    int rc = -1;
    if (opt && w) {
        if (strcmp(chosen.optimizer, "lbfgs") == 0)
            gd_optimizer_set(opt, GD_PARAM_LINE_SEARCH, GD_LINE_SEARCH_STRONG_WOLFE);
        int status = gd_minimize(opt, loss, w, NULL);
        if (!run_failed("logistic", status)) {
            printf("logistic: m = %zu, p = %zu, %s: %zu iterations, %zu evaluations\n", rows.count,
                   n - 1, chosen.optimizer, gd_optimizer_iterations(opt),
                   gd_optimizer_evaluations(opt));
            printf("loss %.6f, accuracy %.4f\n", gd_optimizer_last_f(opt), accuracy(&rows, w));
            rc = 0;
        }
    }
    free(w);
    gd_optimizer_free(opt);
    gd_objective_free(loss);
    free_rows(&rows);
    return rc;
}

int main(int argc, char **argv)
{
    struct options o = {.optimizer = NULL, .lr = NAN, .steps = -1, .seed = 1};
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (parse_options(argc, argv, &o) != 0)
        return 2;
    static const struct {
        const char *name;
        int (*run)(const struct options *);
    } commands[] = {
        {"quadratic", run_quadratic}, /* as the usage text lists them */
        {"sgd", run_sgd},
        {"linreg", run_linreg},
        {"median", run_median},
        {"compare", run_compare},
        {"logistic", run_logistic},
        {"all", run_all},
    };
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(&o) == 0 ? 0 : 1;
    fprintf(stderr, "gdescent-demo: unknown command '%s'\n%s", argv[1], usage);
    return 2;
}
