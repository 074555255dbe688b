/*
 * fuzz_api.c - libFuzzer target: the input bytes choose a sequence of public calls
 * with arbitrary dimensions, keys, values (NaN and infinities included), batch plans
 * and callback results, parameter ranges, schedules of every kind with arbitrary
 * options, and saved states loaded back.  Crashes, sanitizer reports and unknown
 * status codes fail.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gdescent.h>

struct input {
    const uint8_t *data;
    size_t size, pos;
};

static uint8_t next_byte(struct input *in)
{
    return in->pos < in->size ? in->data[in->pos++] : 0;
}

static double next_double(struct input *in)
{
    uint64_t bits = 0;
    for (int i = 0; i < 8; i++)
        bits = bits << 8 | next_byte(in);
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

/* A callback whose values, gradients and failures come from the input. */
static int fuzzed_fdf(const double *x, size_t n, double *f, double *grad, void *user)
{
    struct input *in = user;
    uint8_t mode = next_byte(in);
    if (mode == 255)
        return 1;
    *f = mode == 254 ? next_double(in) : x[0] * x[0];
    for (size_t j = 0; grad && j < n; j++)
        grad[j] = mode == 253 ? next_double(in) : 2 * x[j];
    return 0;
}

static void check_status(int rc)
{
    if (rc < GD_EBUSY || rc > GD_STOP_MAXEVAL)
        abort();
}

/* A schedule of a kind the input picks, with options, milestones and (for a
 * sequential one) children it picks; NULL for a kind that is not one. */
static double fuzzed_lambda(size_t epoch, void *user)
{
    (void)user;
    return epoch % 7 == 6 ? NAN : 1.0 / (1.0 + (double)epoch);
}

static gd_schedule *make_schedule(struct input *in, int depth)
{
    gd_schedule *s = gd_schedule_new((gd_schedule_kind)(next_byte(in) % 16));
    if (!s)
        return NULL;
    for (int k = next_byte(in) % 6; k > 0; k--) {
        uint8_t key = next_byte(in) % 34;
        double value = next_byte(in) % 4 == 0 ? next_double(in) : (double)(next_byte(in) % 40);
        check_status(gd_schedule_set(s, (gd_schedule_param)key, value));
    }
    size_t milestones[4] = {next_byte(in) % 30u, next_byte(in) % 30u, next_byte(in) % 30u,
                            next_byte(in) % 30u};
    check_status(gd_schedule_set_milestones(s, milestones, next_byte(in) % 5));
    check_status(gd_schedule_set_lambda(s, fuzzed_lambda, NULL));
    for (int c = depth == 0 ? next_byte(in) % 3 : 0; c > 0; c--) {
        gd_schedule *child = make_schedule(in, depth + 1);
        check_status(gd_schedule_append(s, child));
        gd_schedule_free(child);
    }
    return s;
}

/* Saves the state and loads it back: the load must succeed, and change nothing. */
static void save_and_load(gd_optimizer *opt)
{
    size_t size = gd_optimizer_state_size(opt);
    unsigned char *buf = malloc(size), *again = malloc(size);
    if (buf && again) {
        if (gd_optimizer_save(opt, buf, size) != GD_OK ||
            gd_optimizer_load(opt, buf, size) != GD_OK)
            abort();
        if (gd_optimizer_state_size(opt) != size || gd_optimizer_save(opt, again, size) != GD_OK ||
            memcmp(buf, again, size) != 0)
            abort();
    }
    free(buf);
    free(again);
}

static gd_objective *make_objective(struct input *in, size_t n)
{
    size_t m = 1 + next_byte(in) % 6;
    double data[64];
    for (size_t i = 0; i < 64; i++)
        data[i] = (double)(next_byte(in) % 17) - 8.0;
    switch (next_byte(in) % 5) {
    case 0:
        return gd_quadratic_new(n, data, data[10]);
    case 1:
        return gd_rosenbrock_new(n);
    case 2:
        return gd_least_squares_new(m, n, data, data + 40, 0.5, 0);
    case 3:
        return gd_geometric_median_new(m, n, data, NULL);
    default:
        return gd_objective_new(n, fuzzed_fdf, in);
    }
}

/* gd_optimizer_update_f32 on x and grad rounded to float (refused by a double
 * optimizer); x takes the result. */
static void update_f32(gd_optimizer *opt, double *x, const double *grad, size_t n)
{
    float xf[8], gf[8];
    for (size_t j = 0; j < n; j++) {
        xf[j] = (float)x[j];
        gf[j] = (float)grad[j];
    }
    int status = gd_optimizer_update_f32(opt, xf, gf);
    check_status(status);
    for (size_t j = 0; status == GD_OK && j < n; j++)
        x[j] = xf[j];
}

static void one_call(struct input *in, gd_optimizer *opt, gd_objective *obj, gd_trajectory *traj,
                     double *x, size_t n)
{
    double value, grad[8];
    switch (next_byte(in) % 14) {
    case 0:
        check_status(gd_optimizer_set(opt, (gd_param)(int8_t)next_byte(in), next_double(in)));
        break;
    case 1:
        check_status(gd_optimizer_get(opt, (gd_param)(next_byte(in) % 64), &value));
        break;
    case 2: {
        char name[8] = {0};
        for (int i = 0; i < 7; i++)
            name[i] = (char)("lrmomentbeta12epsxdcyz_"[next_byte(in) % 23]);
        check_status(gd_optimizer_set_by_name(opt, name, next_double(in)));
        break;
    }
    case 3:
        check_status(gd_step(opt, obj, x, &value));
        break;
    case 4:
        for (size_t j = 0; j < n; j++)
            grad[j] = next_double(in);
        if (next_byte(in) % 2)
            update_f32(opt, x, grad, n);
        else
            check_status(gd_optimizer_update(opt, x, grad));
        break;
    case 5:
        gd_optimizer_set(opt, GD_PARAM_MAX_ITER, next_byte(in) % 40);
        check_status(gd_minimize(opt, obj, x, next_byte(in) % 2 ? traj : NULL));
        break;
    case 6:
        check_status(gd_optimizer_reset(opt));
        break;
    case 7: {
        size_t idx[3] = {next_byte(in) % 8u, next_byte(in) % 8u, next_byte(in) % 8u};
        check_status(gd_objective_eval_terms(obj, x, idx, 1 + next_byte(in) % 3, &value, grad));
        break;
    }
    case 8:
        check_status(gd_optimizer_set_range(opt, next_byte(in) % 10u, next_byte(in) % 10u,
                                            (gd_param)(next_byte(in) % 40), next_double(in)));
        break;
    case 9:
        check_status(gd_optimizer_get_range(opt, next_byte(in) % 10u,
                                            (gd_param)(next_byte(in) % 40), &value));
        break;
    case 10: {
        gd_schedule *s = make_schedule(in, 0);
        check_status(gd_optimizer_add_schedule(opt, s));
        gd_schedule_free(s);
        break;
    }
    case 11:
        check_status(gd_optimizer_schedule_step(opt, next_double(in)));
        break;
    case 12:
        save_and_load(opt);
        break;
    default:
        if (next_byte(in) % 2)
            check_status(gd_optimizer_clear_schedules(opt));
        gd_trajectory_clear(traj);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = {data, size, 0};
    size_t n = 1 + next_byte(&in) % 8;
    uint8_t method = next_byte(&in); /* from 0xe0 on, a float optimizer */
    gd_optimizer *opt = method >= 0xe0 ? gd_optimizer_new_f32((gd_method)(method % 14), n)
                                       : gd_optimizer_new((gd_method)(method % 14), n);
    gd_objective *obj = make_objective(&in, n);
    gd_trajectory *traj = gd_trajectory_new(n, next_byte(&in) % 2);
    double x[8];
    for (size_t j = 0; j < 8; j++)
        x[j] = (double)(next_byte(&in) % 9) - 4.0;
    if (opt && obj && traj) {
        gd_optimizer_set(opt, GD_PARAM_BATCH_SIZE, next_byte(&in) % 4);
        for (int calls = 0; calls < 64 && in.pos < in.size; calls++)
            one_call(&in, opt, obj, traj, x, n);
        (void)gd_trajectory_len(traj);
    }
    gd_trajectory_free(traj);
    gd_objective_free(obj);
    gd_optimizer_free(opt);
    return 0;
}
