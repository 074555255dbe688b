/*
 * test_schedule.c - the learning-rate schedules: torch 1.13's lr_scheduler replayed
 * bit for bit from tests/golden/schedule.txt (make_schedule.py), the refusals, the
 * stepping by gd_minimize (GD_PARAM_SCHEDULE_EVERY), and, built with the allocation
 * hook (GDI_FAULT_INJECTION), every allocation failing in turn.
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
#ifdef GDI_FAULT_INJECTION
#include "internal.h"
#endif

/* ---- the lambdas of make_schedule.py's LAMBDAS, with the same operations ---- */

static double pow95(size_t epoch, void *user)
{
    (void)user;
    return pow(0.95, (double)epoch);
}

static double inverse(size_t epoch, void *user)
{
    (void)user;
    return 1.0 / (1.0 + (double)epoch);
}

static double wave(size_t epoch, void *user)
{
    (void)user;
    return epoch % 4 == 0 ? 1.05 : 0.97;
}

static const struct {
    const char *name;
    gd_lr_lambda_fn fn;
} lambdas[] = {{"pow95", pow95}, {"inverse", inverse}, {"wave", wave}};

/* ---- names in the golden file ---- */

static const char *const kind_names[] = {
    "step",    "multistep", "exponential",    "cosine",    "cosine_restarts",
    "linear",  "constant",  "polynomial",     "one_cycle", "cyclic",
    "plateau", "lambda",    "multiplicative", "sequential"};

static const char *const param_names[] = {"gamma",
                                          "step_size",
                                          "t_max",
                                          "eta_min",
                                          "t_0",
                                          "t_mult",
                                          "start_factor",
                                          "end_factor",
                                          "total_iters",
                                          "factor",
                                          "power",
                                          "max_lr",
                                          "total_steps",
                                          "pct_start",
                                          "anneal_linear",
                                          "div_factor",
                                          "final_div_factor",
                                          "three_phase",
                                          "base_lr",
                                          "step_size_up",
                                          "step_size_down",
                                          "mode",
                                          "patience",
                                          "threshold",
                                          "threshold_abs",
                                          "cooldown",
                                          "min_lr",
                                          "eps",
                                          "cycle_momentum",
                                          "base_momentum",
                                          "max_momentum"};

static int index_of(const char *const *names, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(names[i], name) == 0)
            return (int)i;
    fail_msg("unknown name %s", name);
    return -1;
}

#define INDEX_OF(names, name) index_of(names, sizeof names / sizeof names[0], name)

/* One "key=value" option of a schedule line. */
static void apply_option(gd_schedule *s, char *option)
{
    char *eq = strchr(option, '=');
    assert_non_null(eq);
    *eq = '\0';
    const char *value = eq + 1;
    if (strcmp(option, "milestones") == 0) {
        size_t milestones[16], count = 0;
        for (char *end; *value; value = *end ? end + 1 : end) {
            assert_true(count < 16);
            milestones[count++] = strtoul(value, &end, 10);
        }
        assert_int_equal(gd_schedule_set_milestones(s, milestones, count), GD_OK);
    } else if (strcmp(option, "lambda") == 0) {
        size_t i = 0;
        while (i < sizeof lambdas / sizeof lambdas[0] && strcmp(lambdas[i].name, value) != 0)
            i++;
        assert_true(i < sizeof lambdas / sizeof lambdas[0]);
        assert_int_equal(gd_schedule_set_lambda(s, lambdas[i].fn, NULL), GD_OK);
    } else {
        gd_schedule_param key = (gd_schedule_param)INDEX_OF(param_names, option);
        assert_int_equal(gd_schedule_set(s, key, strtod(value, NULL)), GD_OK);
    }
}

/* A schedule from the rest of a "schedule" or "child" line. */
static gd_schedule *schedule_from(char *rest)
{
    char *save = NULL, *token = strtok_r(rest, " \n", &save);
    gd_schedule *s = gd_schedule_new((gd_schedule_kind)INDEX_OF(kind_names, token));
    assert_non_null(s);
    while ((token = strtok_r(NULL, " \n", &save)))
        apply_option(s, token);
    return s;
}

struct replay {
    gd_optimizer *opt;
    gd_schedule *pending; /* a sequential schedule still taking children */
    gd_param column;      /* the momentum or beta1 to compare, or GD_PARAM_LR for none */
    size_t elements;      /* whose values a row lists: 1, or 2 with a range */
    size_t rows;
    char name[64];
};

static void flush_pending(struct replay *r)
{
    if (!r->pending)
        return;
    assert_int_equal(gd_optimizer_add_schedule(r->opt, r->pending), GD_OK);
    gd_schedule_free(r->pending);
    r->pending = NULL;
}

static void start_case(struct replay *r, const char *line)
{
    char method_name[32], column[16];
    size_t steps;
    assert_int_equal(sscanf(line, "case %63s %31s %zu %15s", r->name, method_name, &steps, column),
                     4);
    gd_method method;
    assert_int_equal(gd_method_by_name(method_name, &method), GD_OK);
    r->opt = gd_optimizer_new(method, 2);
    assert_non_null(r->opt);
    r->column = strcmp(column, "momentum") == 0 ? GD_PARAM_MOMENTUM
                : strcmp(column, "beta1") == 0  ? GD_PARAM_BETA1
                                                : GD_PARAM_LR;
    r->elements = 1;
    r->rows = 0;
}

/* "range FIRST COUNT KEY VALUE": torch's second parameter group. */
static void set_range(struct replay *r, const char *line)
{
    char name[32], value[64];
    size_t first, count;
    assert_int_equal(sscanf(line, "range %zu %zu %31s %63s", &first, &count, name, value), 4);
    gd_param key;
    assert_int_equal(gd_param_by_name(name, &key), GD_OK);
    assert_int_equal(gd_optimizer_set_range(r->opt, first, count, key, strtod(value, NULL)), GD_OK);
    r->elements = first + 1;
}

static void set_option(struct replay *r, const char *line)
{
    char name[32], value[64];
    assert_int_equal(sscanf(line, "opt %31s %63s", name, value), 2);
    assert_int_equal(gd_optimizer_set_by_name(r->opt, name, strtod(value, NULL)), GD_OK);
}

static void add_line(struct replay *r, char *line, bool child)
{
    gd_schedule *s = schedule_from(line + (child ? 6 : 9));
    if (child) {
        assert_non_null(r->pending);
        assert_int_equal(gd_schedule_append(r->pending, s), GD_OK);
        gd_schedule_free(s);
        return;
    }
    flush_pending(r);
    r->pending = s;
}

static void check_row(struct replay *r, const char *line)
{
    flush_pending(r);
    char *end;
    double metric = strtod(line + 4, &end);
    if (r->rows > 0)
        assert_int_equal(gd_optimizer_schedule_step(r->opt, metric), GD_OK);
    for (size_t i = 0; i < r->elements; i++) {
        double lr_expected = strtod(end, &end), lr = NAN, momentum = NAN;
        assert_int_equal(gd_optimizer_get_range(r->opt, i, GD_PARAM_LR, &lr), GD_OK);
        if (lr != lr_expected)
            fail_msg("%s row %zu: lr %a at %zu, torch %a", r->name, r->rows, lr, i, lr_expected);
        if (r->column == GD_PARAM_LR)
            continue;
        double momentum_expected = strtod(end, &end);
        assert_int_equal(gd_optimizer_get_range(r->opt, i, r->column, &momentum), GD_OK);
        if (momentum != momentum_expected)
            fail_msg("%s row %zu: momentum %a at %zu, torch %a", r->name, r->rows, momentum, i,
                     momentum_expected);
    }
    double lr = NAN; /* element 0's, torch's get_last_lr()[0] */
    assert_int_equal(gd_optimizer_get(r->opt, GD_PARAM_LR, &lr), GD_OK);
    double first_lr = NAN;
    assert_int_equal(gd_optimizer_get_range(r->opt, 0, GD_PARAM_LR, &first_lr), GD_OK);
    assert_true(lr == first_lr);
    r->rows++;
}

static void test_torch_goldens(void **state)
{
    (void)state;
    FILE *in = open_golden("schedule.txt");
    char line[1024];
    struct replay r = {0};
    size_t cases = 0;
    while (fgets(line, sizeof line, in)) {
        if (strncmp(line, "case ", 5) == 0)
            start_case(&r, line);
        else if (strncmp(line, "opt ", 4) == 0)
            set_option(&r, line);
        else if (strncmp(line, "range ", 6) == 0)
            set_range(&r, line);
        else if (strncmp(line, "schedule ", 9) == 0 || strncmp(line, "child ", 6) == 0)
            add_line(&r, line, line[0] == 'c');
        else if (strncmp(line, "row ", 4) == 0)
            check_row(&r, line);
        else if (strncmp(line, "end", 3) == 0) {
            gd_optimizer_free(r.opt);
            r.opt = NULL;
            cases++;
        }
    }
    fclose(in);
    assert_true(cases >= 57);
}

/* ---- refusals ---- */

static double lr_of(const gd_optimizer *opt)
{
    double lr = NAN;
    assert_int_equal(gd_optimizer_get(opt, GD_PARAM_LR, &lr), GD_OK);
    return lr;
}

static void test_descriptions_refuse_bad_input(void **state)
{
    (void)state;
    gd_schedule_free(NULL);
    assert_null(gd_schedule_new((gd_schedule_kind)14));
    assert_null(gd_schedule_new((gd_schedule_kind)-1));
    gd_schedule *step = gd_schedule_new(GD_SCHEDULE_STEP);
    double v = 0;
    assert_int_equal(gd_schedule_get(step, GD_SCHEDULE_PARAM_GAMMA, &v), GD_OK);
    assert_true(v == 0.1);
    assert_int_equal(gd_schedule_get(step, GD_SCHEDULE_PARAM_STEP_SIZE, &v), GD_OK);
    assert_true(isnan(v)); /* required, unset */
    assert_int_equal(gd_schedule_set(NULL, GD_SCHEDULE_PARAM_GAMMA, 0.5), GD_EINVAL);
    assert_int_equal(gd_schedule_set(step, GD_SCHEDULE_PARAM_T_MAX, 5), GD_EINVAL);
    assert_int_equal(gd_schedule_set(step, (gd_schedule_param)31, 5), GD_EINVAL);
    assert_int_equal(gd_schedule_set(step, GD_SCHEDULE_PARAM_STEP_SIZE, 0), GD_EINVAL);
    assert_int_equal(gd_schedule_set(step, GD_SCHEDULE_PARAM_STEP_SIZE, 2.5), GD_EINVAL);
    assert_int_equal(gd_schedule_set(step, GD_SCHEDULE_PARAM_GAMMA, -1), GD_EINVAL);
    assert_int_equal(gd_schedule_set(step, GD_SCHEDULE_PARAM_GAMMA, NAN), GD_EINVAL);
    assert_int_equal(gd_schedule_get(step, GD_SCHEDULE_PARAM_GAMMA, &v), GD_OK);
    assert_true(v == 0.1); /* nothing changed */
    assert_int_equal(gd_schedule_get(step, GD_SCHEDULE_PARAM_T_MAX, &v), GD_EINVAL);
    assert_int_equal(gd_schedule_get(NULL, GD_SCHEDULE_PARAM_GAMMA, &v), GD_EINVAL);
    assert_int_equal(gd_schedule_get(step, GD_SCHEDULE_PARAM_GAMMA, NULL), GD_EINVAL);
    size_t milestones[] = {3, 1};
    assert_int_equal(gd_schedule_set_milestones(step, milestones, 2), GD_EINVAL);
    assert_int_equal(gd_schedule_set_lambda(step, pow95, NULL), GD_EINVAL);
    gd_schedule *sequential = gd_schedule_new(GD_SCHEDULE_SEQUENTIAL);
    assert_int_equal(gd_schedule_set_milestones(sequential, milestones, 2), GD_EINVAL);
    assert_int_equal(gd_schedule_set_milestones(sequential, NULL, 1), GD_EINVAL);
    assert_int_equal(gd_schedule_append(step, sequential), GD_EINVAL);
    assert_int_equal(gd_schedule_append(sequential, sequential), GD_EINVAL);
    gd_schedule *plateau = gd_schedule_new(GD_SCHEDULE_PLATEAU);
    assert_int_equal(gd_schedule_append(sequential, plateau), GD_EINVAL);
    assert_int_equal(gd_schedule_set(plateau, GD_SCHEDULE_PARAM_FACTOR, 1.0), GD_EINVAL);
    assert_int_equal(gd_schedule_set(plateau, GD_SCHEDULE_PARAM_MODE, 2), GD_EINVAL);
    gd_schedule *lambda = gd_schedule_new(GD_SCHEDULE_LAMBDA);
    assert_int_equal(gd_schedule_set_lambda(lambda, NULL, NULL), GD_EINVAL);
    gd_schedule_free(lambda);
    gd_schedule_free(plateau);
    gd_schedule_free(sequential);
    gd_schedule_free(step);
}

/* gd_optimizer_add_schedule refuses s on a fresh SGD (momentum 0.5), changing nothing. */
static void assert_refused(gd_method method, const gd_schedule *s)
{
    gd_optimizer *opt = gd_optimizer_new(method, 3);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LR, 0.25), GD_OK);
    assert_int_equal(gd_optimizer_add_schedule(opt, s), GD_EINVAL);
    assert_true(lr_of(opt) == 0.25);
    assert_int_equal(gd_optimizer_schedule_step(opt, 1.0), GD_OK); /* no schedule */
    assert_true(lr_of(opt) == 0.25);
    gd_optimizer_free(opt);
}

static void test_adding_refuses_incomplete_schedules(void **state)
{
    (void)state;
    assert_int_equal(gd_optimizer_add_schedule(NULL, NULL), GD_EINVAL);
    gd_schedule *step = gd_schedule_new(GD_SCHEDULE_STEP);
    assert_refused(GD_SGD, step); /* step_size unset */
    gd_schedule *lambda = gd_schedule_new(GD_SCHEDULE_MULTIPLICATIVE);
    assert_refused(GD_SGD, lambda); /* no function */
    gd_schedule *sequential = gd_schedule_new(GD_SCHEDULE_SEQUENTIAL);
    assert_refused(GD_SGD, sequential); /* no children */
    assert_int_equal(gd_schedule_append(sequential, step), GD_OK);
    assert_refused(GD_SGD, sequential); /* its child lacks step_size */
    assert_int_equal(gd_schedule_set(step, GD_SCHEDULE_PARAM_STEP_SIZE, 3), GD_OK);
    assert_int_equal(gd_schedule_append(sequential, step), GD_OK);
    assert_refused(GD_SGD, sequential); /* no milestone for the second child */
    gd_schedule *cycle = gd_schedule_new(GD_SCHEDULE_ONE_CYCLE);
    assert_int_equal(gd_schedule_set(cycle, GD_SCHEDULE_PARAM_MAX_LR, 0.1), GD_OK);
    assert_refused(GD_SGD, cycle); /* total_steps unset */
    assert_int_equal(gd_schedule_set(cycle, GD_SCHEDULE_PARAM_TOTAL_STEPS, 10), GD_OK);
    assert_refused(GD_ADAGRAD, cycle); /* no momentum to cycle */
    assert_int_equal(gd_schedule_set(cycle, GD_SCHEDULE_PARAM_PCT_START, 0.1), GD_OK);
    assert_refused(GD_SGD, cycle); /* a first phase of no width: 0.1 * 10 - 1 = 0 */
    gd_schedule *cyclic = gd_schedule_new(GD_SCHEDULE_CYCLIC);
    assert_int_equal(gd_schedule_set(cyclic, GD_SCHEDULE_PARAM_BASE_LR, 0.1), GD_OK);
    assert_int_equal(gd_schedule_set(cyclic, GD_SCHEDULE_PARAM_MAX_LR, 0.2), GD_OK);
    assert_refused(GD_RPROP, cyclic);
    gd_schedule_free(cyclic);
    gd_schedule_free(cycle);
    gd_schedule_free(sequential);
    gd_schedule_free(lambda);
    gd_schedule_free(step);
}

static void test_one_cycle_refuses_a_step_past_its_end(void **state)
{
    (void)state;
    gd_optimizer *opt = gd_optimizer_new(GD_ADAM, 2);
    gd_schedule *exponential = gd_schedule_new(GD_SCHEDULE_EXPONENTIAL);
    assert_int_equal(gd_schedule_set(exponential, GD_SCHEDULE_PARAM_GAMMA, 0.5), GD_OK);
    gd_schedule *cycle = gd_schedule_new(GD_SCHEDULE_ONE_CYCLE);
    assert_int_equal(gd_schedule_set(cycle, GD_SCHEDULE_PARAM_MAX_LR, 0.1), GD_OK);
    assert_int_equal(gd_schedule_set(cycle, GD_SCHEDULE_PARAM_TOTAL_STEPS, 4), GD_OK);
    assert_int_equal(gd_optimizer_add_schedule(opt, exponential), GD_OK);
    assert_int_equal(gd_optimizer_add_schedule(opt, cycle), GD_OK);
    for (int k = 0; k < 4; k++)
        assert_int_equal(gd_optimizer_schedule_step(opt, NAN), GD_OK);
    double lr = lr_of(opt), beta1 = NAN, after = NAN;
    assert_int_equal(gd_optimizer_get(opt, GD_PARAM_BETA1, &beta1), GD_OK);
    assert_int_equal(gd_optimizer_schedule_step(opt, NAN), GD_EINVAL);
    assert_true(lr_of(opt) == lr); /* the exponential schedule did not step either */
    assert_int_equal(gd_optimizer_get(opt, GD_PARAM_BETA1, &after), GD_OK);
    assert_true(after == beta1);
    assert_int_equal(gd_optimizer_clear_schedules(opt), GD_OK);
    assert_int_equal(gd_optimizer_schedule_step(opt, NAN), GD_OK);
    assert_true(lr_of(opt) == lr);
    assert_int_equal(gd_optimizer_clear_schedules(NULL), GD_EINVAL);
    assert_int_equal(gd_optimizer_schedule_step(NULL, NAN), GD_EINVAL);
    gd_schedule_free(cycle);
    gd_schedule_free(exponential);
    gd_optimizer_free(opt);
}

/* The optimizer's copy is its own: changing or freeing the description after adding
 * it changes nothing. */
static void test_added_schedules_are_copies(void **state)
{
    (void)state;
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, 1);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LR, 1.0), GD_OK);
    gd_schedule *multistep = gd_schedule_new(GD_SCHEDULE_MULTISTEP);
    size_t milestones[] = {1, 2};
    assert_int_equal(gd_schedule_set_milestones(multistep, milestones, 2), GD_OK);
    assert_int_equal(gd_schedule_set(multistep, GD_SCHEDULE_PARAM_GAMMA, 0.5), GD_OK);
    assert_int_equal(gd_optimizer_add_schedule(opt, multistep), GD_OK);
    assert_int_equal(gd_schedule_set(multistep, GD_SCHEDULE_PARAM_GAMMA, 0.25), GD_OK);
    gd_schedule_free(multistep);
    assert_int_equal(gd_optimizer_schedule_step(opt, NAN), GD_OK);
    assert_int_equal(gd_optimizer_schedule_step(opt, NAN), GD_OK);
    assert_true(lr_of(opt) == 0.25);
    gd_optimizer_free(opt); /* frees its schedules: the leak checkers see it */
}

/* ---- gd_minimize steps the schedules ---- */

static gd_schedule *plateau_schedule(void)
{
    gd_schedule *s = gd_schedule_new(GD_SCHEDULE_PLATEAU);
    assert_int_equal(gd_schedule_set(s, GD_SCHEDULE_PARAM_PATIENCE, 1), GD_OK);
    assert_int_equal(gd_schedule_set(s, GD_SCHEDULE_PARAM_FACTOR, 0.5), GD_OK);
    return s;
}

static gd_optimizer *scheduled_sgd(void)
{
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, 2);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LR, 0.9), GD_OK); /* oscillates */
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MOMENTUM, 0.5), GD_OK);
    gd_schedule *step = gd_schedule_new(GD_SCHEDULE_STEP);
    assert_int_equal(gd_schedule_set(step, GD_SCHEDULE_PARAM_STEP_SIZE, 4), GD_OK);
    assert_int_equal(gd_schedule_set(step, GD_SCHEDULE_PARAM_GAMMA, 0.9), GD_OK);
    gd_schedule *plateau = plateau_schedule();
    assert_int_equal(gd_optimizer_add_schedule(opt, step), GD_OK);
    assert_int_equal(gd_optimizer_add_schedule(opt, plateau), GD_OK);
    gd_schedule_free(plateau);
    gd_schedule_free(step);
    return opt;
}

static void test_minimize_steps_the_schedules(void **state)
{
    (void)state;
    enum { ITERATIONS = 40, EVERY = 3 };
    double center[] = {1.0, -2.0}, start[] = {4.0, 3.0};
    gd_objective *obj = gd_quadratic_new(2, center, 1.0);
    /* The reference: torch's loop, update, evaluate, and every EVERY updates a step
     * of the schedules judging the f just evaluated. */
    gd_optimizer *reference = scheduled_sgd();
    double x_ref[2] = {start[0], start[1]}, grad[2], f;
    for (size_t k = 1; k <= ITERATIONS; k++) {
        assert_int_equal(gd_objective_eval(obj, x_ref, &f, grad), GD_OK);
        assert_int_equal(gd_optimizer_update(reference, x_ref, grad), GD_OK);
        assert_int_equal(gd_objective_eval(obj, x_ref, &f, NULL), GD_OK);
        if (k % EVERY == 0)
            assert_int_equal(gd_optimizer_schedule_step(reference, f), GD_OK);
    }
    /* gd_minimize in two runs that chain. */
    gd_optimizer *opt = scheduled_sgd();
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_SCHEDULE_EVERY, EVERY), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MAX_ITER, ITERATIONS / 2), GD_OK);
    double x[2] = {start[0], start[1]};
    assert_int_equal(gd_minimize(opt, obj, x, NULL), GD_STOP_MAXITER);
    assert_int_equal(gd_minimize(opt, obj, x, NULL), GD_STOP_MAXITER);
    assert_true(x[0] == x_ref[0] && x[1] == x_ref[1]);
    assert_true(lr_of(opt) == lr_of(reference));
    assert_true(lr_of(opt) < 0.9 * 0.9 * 0.9); /* the schedules acted */
    /* Without the key, no schedule steps. */
    gd_optimizer *unscheduled = scheduled_sgd();
    assert_int_equal(gd_minimize(unscheduled, obj, x, NULL), GD_STOP_MAXITER);
    assert_true(lr_of(unscheduled) == 0.9);
    gd_optimizer_free(unscheduled);
    gd_optimizer_free(opt);
    gd_optimizer_free(reference);
    gd_objective_free(obj);
}

/* A one-cycle schedule running out ends gd_minimize with GD_EINVAL at that iterate. */
static void test_minimize_ends_when_a_schedule_refuses(void **state)
{
    (void)state;
    gd_objective *obj = gd_rosenbrock_new(2);
    gd_optimizer *opt = gd_optimizer_new(GD_ADAM, 2);
    gd_schedule *cycle = gd_schedule_new(GD_SCHEDULE_ONE_CYCLE);
    assert_int_equal(gd_schedule_set(cycle, GD_SCHEDULE_PARAM_MAX_LR, 0.01), GD_OK);
    assert_int_equal(gd_schedule_set(cycle, GD_SCHEDULE_PARAM_TOTAL_STEPS, 10), GD_OK);
    assert_int_equal(gd_optimizer_add_schedule(opt, cycle), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_SCHEDULE_EVERY, 1), GD_OK);
    double x[2] = {-1.0, 1.5};
    assert_int_equal(gd_minimize(opt, obj, x, NULL), GD_EINVAL);
    assert_int_equal(gd_optimizer_iterations(opt), 11);
    gd_schedule_free(cycle);
    gd_optimizer_free(opt);
    gd_objective_free(obj);
}

#ifdef GDI_FAULT_INJECTION
/* ---- every allocation failing in turn ---- */

static bool add_schedules(void)
{
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, 2);
    gd_schedule *sequential = gd_schedule_new(GD_SCHEDULE_SEQUENTIAL);
    gd_schedule *multistep = gd_schedule_new(GD_SCHEDULE_MULTISTEP);
    size_t milestones[] = {2, 5};
    bool ok = opt && sequential && multistep &&
              gd_schedule_set_milestones(multistep, milestones, 2) == GD_OK &&
              gd_schedule_append(sequential, multistep) == GD_OK &&
              gd_schedule_append(sequential, multistep) == GD_OK &&
              gd_schedule_set_milestones(sequential, milestones, 1) == GD_OK;
    if (ok) {
        int rc = gd_optimizer_add_schedule(opt, sequential);
        if (rc == GD_OK)
            rc = gd_optimizer_add_schedule(opt, multistep);
        assert_true(rc == GD_OK || rc == GD_ENOMEM);
        ok = rc == GD_OK;
        for (int k = 0; k < 8; k++) /* steps never allocate */
            assert_int_equal(gd_optimizer_schedule_step(opt, NAN), GD_OK);
    }
    gd_schedule_free(multistep);
    gd_schedule_free(sequential);
    gd_optimizer_free(opt);
    return ok;
}

static void test_allocation_failures(void **state)
{
    (void)state;
    int failures = 0;
    for (long k = 1; k < 1000; k++) {
        long live = gdi_live_blocks();
        gdi_fault_arm(k);
        bool ok = add_schedules();
        bool injected = !gdi_fault_pending();
        gdi_fault_arm(0);
        assert_int_equal(gdi_live_blocks(), live);
        if (!injected) {
            assert_true(ok);
            assert_true(failures > 8);
            return;
        }
        assert_false(ok);
        failures++;
    }
    fail_msg("still allocating after 1000 allocations");
}
#endif

/* ---- schedules and ranges set later, failing lambdas, the limit ---- */

static gd_schedule *cosine(double t_max)
{
    gd_schedule *s = gd_schedule_new(GD_SCHEDULE_COSINE);
    assert_non_null(s);
    assert_int_equal(gd_schedule_set(s, GD_SCHEDULE_PARAM_T_MAX, t_max), GD_OK);
    return s;
}

/* Ranges set after a schedule split the groups, which keep their base rates: each
 * piece goes on as the whole would have. */
static void test_ranges_set_after_a_schedule(void **state)
{
    (void)state;
    gd_optimizer *split = gd_optimizer_new(GD_SGD, 6), *whole = gd_optimizer_new(GD_SGD, 6);
    gd_schedule *s = cosine(20);
    assert_int_equal(gd_optimizer_add_schedule(split, s), GD_OK);
    assert_int_equal(gd_optimizer_add_schedule(whole, s), GD_OK);
    for (int step = 0; step < 15; step++) {
        if (step == 3) /* another key: the lr of the pieces stays the whole's */
            assert_int_equal(gd_optimizer_set_range(split, 1, 3, GD_PARAM_WEIGHT_DECAY, 0.1),
                             GD_OK);
        if (step == 9) /* and back: the groups merge again */
            assert_int_equal(gd_optimizer_set(split, GD_PARAM_WEIGHT_DECAY, 0.0), GD_OK);
        assert_int_equal(gd_optimizer_schedule_step(split, NAN), GD_OK);
        assert_int_equal(gd_optimizer_schedule_step(whole, NAN), GD_OK);
        for (size_t i = 0; i < 6; i++) {
            double lr = NAN;
            assert_int_equal(gd_optimizer_get_range(split, i, GD_PARAM_LR, &lr), GD_OK);
            assert_true(lr == lr_of(whole));
        }
    }
    gd_schedule_free(s);
    gd_optimizer_free(split);
    gd_optimizer_free(whole);
}

static double nan_at_epoch_two(size_t epoch, void *user)
{
    int *calls = user;
    ++*calls;
    return epoch == 2 ? NAN : 0.5;
}

/* A lambda's non-finite value refuses the step (GD_ECALLBACK) before any schedule
 * steps; the step tried again calls the lambda again. */
static void test_a_failing_lambda_changes_nothing(void **state)
{
    (void)state;
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, 2);
    int calls = 0;
    gd_schedule *step = gd_schedule_new(GD_SCHEDULE_EXPONENTIAL);
    assert_int_equal(gd_schedule_set(step, GD_SCHEDULE_PARAM_GAMMA, 0.5), GD_OK);
    gd_schedule *lambda = gd_schedule_new(GD_SCHEDULE_LAMBDA);
    assert_int_equal(gd_schedule_set_lambda(lambda, nan_at_epoch_two, &calls), GD_OK);
    assert_int_equal(gd_optimizer_add_schedule(opt, step), GD_OK);
    assert_int_equal(gd_optimizer_add_schedule(opt, lambda), GD_OK);
    assert_int_equal(gd_optimizer_schedule_step(opt, NAN), GD_OK);
    double lr = lr_of(opt);
    int calls_before = calls;
    assert_int_equal(gd_optimizer_schedule_step(opt, NAN), GD_ECALLBACK);
    assert_true(lr_of(opt) == lr); /* the exponential schedule did not step either */
    assert_int_equal(gd_optimizer_schedule_step(opt, NAN), GD_ECALLBACK);
    assert_int_equal(calls, calls_before + 2);
    assert_true(lr_of(opt) == lr);
    gd_schedule_free(step);
    gd_schedule_free(lambda);
    gd_optimizer_free(opt);
}

/* At most GDI_MAX_SCHEDULES (16) schedules, counting a sequential one's children. */
static void test_at_most_sixteen_schedules(void **state)
{
    (void)state;
    gd_optimizer *opt = gd_optimizer_new(GD_ADAM, 2);
    gd_schedule *s = cosine(10);
    for (int k = 0; k < 16; k++)
        assert_int_equal(gd_optimizer_add_schedule(opt, s), GD_OK);
    double lr = lr_of(opt);
    assert_int_equal(gd_optimizer_add_schedule(opt, s), GD_EINVAL);
    assert_true(lr_of(opt) == lr);
    assert_int_equal(gd_optimizer_clear_schedules(opt), GD_OK);
    assert_int_equal(gd_optimizer_add_schedule(opt, s), GD_OK);
    gd_schedule_free(s);
    gd_optimizer_free(opt);
}

/* Every key of every kind at edge values: set takes it or refuses it (GD_EINVAL)
 * and get then reads what is in force; a schedule with what was taken is added or
 * refused, and then steps, on SGD with momentum, Adam and Adagrad. */
static void test_every_option_at_edge_values(void **state)
{
    (void)state;
    const double values[] = {NAN, -INFINITY, -1.0, 0.0,  0.25, 0.5,   1.0,
                             1.5, 3.0,       7.0,  10.0, 1e9,  1e300, INFINITY};
    const gd_method methods[] = {GD_SGD, GD_ADAM, GD_ADAGRAD};
    size_t added = 0;
    for (int kind = 0; kind <= GD_SCHEDULE_SEQUENTIAL; kind++)
        for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
            gd_schedule *s = gd_schedule_new((gd_schedule_kind)kind);
            assert_non_null(s);
            assert_int_equal(gd_schedule_set_lambda(s, pow95, NULL),
                             kind == GD_SCHEDULE_LAMBDA || kind == GD_SCHEDULE_MULTIPLICATIVE
                                 ? GD_OK
                                 : GD_EINVAL);
            for (int key = 0; key <= GD_SCHEDULE_PARAM_MAX_MOMENTUM; key++) {
                double before = NAN, after = NAN;
                int known = gd_schedule_get(s, (gd_schedule_param)key, &before);
                int rc = gd_schedule_set(s, (gd_schedule_param)key, values[v]);
                assert_true(rc == GD_OK || rc == GD_EINVAL);
                assert_int_equal(gd_schedule_get(s, (gd_schedule_param)key, &after), known);
                if (known == GD_OK && rc == GD_OK)
                    assert_memory_equal(&after, &values[v], sizeof after);
                else if (known == GD_OK)
                    assert_memory_equal(&after, &before, sizeof after);
            }
            for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) {
                gd_optimizer *opt = gd_optimizer_new(methods[m], 2);
                if (methods[m] == GD_SGD)
                    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MOMENTUM, 0.9), GD_OK);
                int rc = gd_optimizer_add_schedule(opt, s);
                assert_true(rc == GD_OK || rc == GD_EINVAL);
                added += rc == GD_OK;
                for (int step = 0; rc == GD_OK && step < 12; step++) {
                    int stepped = gd_optimizer_schedule_step(opt, 1.0 / (1.0 + step));
                    assert_true(stepped == GD_OK || stepped == GD_EINVAL);
                }
                gd_optimizer_free(opt);
            }
            gd_schedule_free(s);
        }
    assert_true(added > 30);
}

/* NULL handles and arguments, and milestones beyond what an epoch count holds. */
static void test_null_arguments(void **state)
{
    (void)state;
    gd_schedule *multistep = gd_schedule_new(GD_SCHEDULE_MULTISTEP);
    double value;
    const size_t huge[1] = {SIZE_MAX}, some[2] = {2, 4};
    assert_int_equal(gd_schedule_get(NULL, GD_SCHEDULE_PARAM_GAMMA, &value), GD_EINVAL);
    assert_int_equal(gd_schedule_get(multistep, GD_SCHEDULE_PARAM_GAMMA, NULL), GD_EINVAL);
    assert_int_equal(gd_schedule_set(NULL, GD_SCHEDULE_PARAM_GAMMA, 0.5), GD_EINVAL);
    assert_int_equal(gd_schedule_set_milestones(NULL, some, 2), GD_EINVAL);
    assert_int_equal(gd_schedule_set_milestones(multistep, NULL, 2), GD_EINVAL);
    assert_int_equal(gd_schedule_set_milestones(multistep, huge, 1), GD_EINVAL);
    assert_int_equal(gd_schedule_set_milestones(multistep, some, 2), GD_OK);
    assert_int_equal(gd_schedule_set_milestones(multistep, NULL, 0), GD_OK); /* none */
    assert_int_equal(gd_schedule_set_lambda(NULL, pow95, NULL), GD_EINVAL);
    gd_schedule *lambda = gd_schedule_new(GD_SCHEDULE_LAMBDA);
    assert_int_equal(gd_schedule_set_lambda(lambda, NULL, NULL), GD_EINVAL);
    assert_int_equal(gd_schedule_append(NULL, multistep), GD_EINVAL);
    gd_schedule *sequential = gd_schedule_new(GD_SCHEDULE_SEQUENTIAL);
    assert_int_equal(gd_schedule_append(sequential, NULL), GD_EINVAL);
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, 2);
    assert_int_equal(gd_optimizer_add_schedule(NULL, multistep), GD_EINVAL);
    assert_int_equal(gd_optimizer_add_schedule(opt, NULL), GD_EINVAL);
    assert_int_equal(gd_optimizer_schedule_step(NULL, NAN), GD_EINVAL);
    assert_int_equal(gd_optimizer_clear_schedules(NULL), GD_EINVAL);
    assert_null(gd_schedule_new((gd_schedule_kind)99));
    gd_schedule_free(NULL);
    gd_optimizer_free(opt);
    gd_schedule_free(multistep);
    gd_schedule_free(lambda);
    gd_schedule_free(sequential);
}

/* ReduceLROnPlateau's four threshold rules: mode min or max, relative or absolute.
 * A metric that moves the right way by 0.02 an epoch from 1 improves under a
 * threshold of 0.01 (relative or absolute) and not under 0.1: then the rate halves
 * (factor 0.5) after patience + 1 = 2 bad epochs. */
static double plateau_rate(double mode, double absolute, double threshold)
{
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, 2);
    gd_schedule *s = gd_schedule_new(GD_SCHEDULE_PLATEAU);
    assert_int_equal(gd_schedule_set(s, GD_SCHEDULE_PARAM_MODE, mode), GD_OK);
    assert_int_equal(gd_schedule_set(s, GD_SCHEDULE_PARAM_THRESHOLD_ABS, absolute), GD_OK);
    assert_int_equal(gd_schedule_set(s, GD_SCHEDULE_PARAM_THRESHOLD, threshold), GD_OK);
    assert_int_equal(gd_schedule_set(s, GD_SCHEDULE_PARAM_PATIENCE, 1), GD_OK);
    assert_int_equal(gd_schedule_set(s, GD_SCHEDULE_PARAM_FACTOR, 0.5), GD_OK);
    assert_int_equal(gd_optimizer_add_schedule(opt, s), GD_OK);
    double metric = 1.0;
    for (int epoch = 0; epoch < 3; epoch++) {
        metric = mode == 0.0 ? metric - 0.02 : metric + 0.02;
        assert_int_equal(gd_optimizer_schedule_step(opt, metric), GD_OK);
    }
    double lr = lr_of(opt);
    gd_schedule_free(s);
    gd_optimizer_free(opt);
    return lr;
}

static void test_plateau_threshold_rules(void **state)
{
    (void)state;
    for (double mode = 0.0; mode <= 1.0; mode += 1.0)
        for (double absolute = 0.0; absolute <= 1.0; absolute += 1.0) {
            assert_true(plateau_rate(mode, absolute, 0.01) == 0.01);
            assert_true(plateau_rate(mode, absolute, 0.1) == 0.005);
        }
    gd_schedule *s = gd_schedule_new(GD_SCHEDULE_STEP);
    double value;
    assert_int_equal(gd_schedule_get(s, (gd_schedule_param)99, &value), GD_EINVAL);
    gd_schedule_free(s);
}

/* SGD's backtracking takes no momentum: a one-cycle schedule that gives it one makes
 * the next step GD_EINVAL, with x unchanged. */
static void test_cycled_momentum_stops_backtracking(void **state)
{
    (void)state;
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, 2);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LINE_SEARCH, GD_LINE_SEARCH_BACKTRACKING),
                     GD_OK);
    gd_schedule *cycle = gd_schedule_new(GD_SCHEDULE_ONE_CYCLE);
    assert_int_equal(gd_schedule_set(cycle, GD_SCHEDULE_PARAM_MAX_LR, 0.1), GD_OK);
    assert_int_equal(gd_schedule_set(cycle, GD_SCHEDULE_PARAM_TOTAL_STEPS, 10), GD_OK);
    assert_int_equal(gd_optimizer_add_schedule(opt, cycle), GD_OK);
    gd_objective *obj = gd_rosenbrock_new(2);
    double x[2] = {-1.2, 1.0};
    assert_int_equal(gd_step(opt, obj, x, NULL), GD_EINVAL);
    assert_true(x[0] == -1.2 && x[1] == 1.0);
    gd_objective_free(obj);
    gd_schedule_free(cycle);
    gd_optimizer_free(opt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_torch_goldens),
        cmocka_unit_test(test_descriptions_refuse_bad_input),
        cmocka_unit_test(test_adding_refuses_incomplete_schedules),
        cmocka_unit_test(test_one_cycle_refuses_a_step_past_its_end),
        cmocka_unit_test(test_added_schedules_are_copies),
        cmocka_unit_test(test_minimize_steps_the_schedules),
        cmocka_unit_test(test_minimize_ends_when_a_schedule_refuses),
        cmocka_unit_test(test_ranges_set_after_a_schedule),
        cmocka_unit_test(test_a_failing_lambda_changes_nothing),
        cmocka_unit_test(test_at_most_sixteen_schedules),
        cmocka_unit_test(test_every_option_at_edge_values),
        cmocka_unit_test(test_null_arguments),
        cmocka_unit_test(test_plateau_threshold_rules),
        cmocka_unit_test(test_cycled_momentum_stops_backtracking),
#ifdef GDI_FAULT_INJECTION
        cmocka_unit_test(test_allocation_failures),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
