/*
 * gdescent-simulation - libgdescent inside a time-stepping simulation.
 *
 * K followers chase K targets that circle the origin.  The followers' positions are
 * the parameters of one optimizer; every frame the simulation computes the gradient of
 * sum_k ||p_k - c_k(t)||^2 / 2, which is p_k - c_k(t), and applies exactly one
 * gd_optimizer_update().  Everything is allocated before the first frame, so the frame
 * loop never allocates (tests/check_simulation.sh checks that under valgrind).
 *
 * For plain SGD the lag has a closed form.  With the target turning by theta per frame,
 * c_{t+1} = e^{i theta} c_t, and p_{t+1} = p_t - lr (p_t - c_t), the steady state is
 * p_t = A c_t with A = lr / (e^{i theta} - 1 + lr), so every follower trails its target
 * by |A - 1| * R = R |e^{i theta} - 1| / |e^{i theta} - 1 + lr|.  The summary prints
 * the measured lag beside it.
 *
 * Usage: gdescent-simulation [--frames N] [--followers K] [--method NAME] [--lr LR]
 *                            [--momentum M]
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gdescent.h>

#define RADIUS 1.0
#define TURN_PER_FRAME 0.01 /* radians */
#define TWO_PI 6.283185307179586476925286766559

struct settings {
    long frames;
    long followers;
    const char *method;
    double lr;
    double momentum;
};

struct world {
    size_t followers;
    double *position; /* 2 per follower: the optimizer's parameters */
    double *pull;     /* gradient buffer, 2 per follower */
    gd_optimizer *controller;
};

static int parse_number(const char *text, double *value)
{
    char *end;
    errno = 0;
    *value = strtod(text, &end);
    return end != text && *end == '\0' && errno == 0 && isfinite(*value) ? 0 : -1;
}

/* Flags come in pairs "--name value". */
static int parse_args(int argc, char **argv, struct settings *s)
{
    for (int i = 1; i < argc; i += 2) {
        const char *flag = argv[i], *text = i + 1 < argc ? argv[i + 1] : NULL;
        double value;
        if (!text)
            return -1;
        if (strcmp(flag, "--method") == 0) {
            s->method = text;
            continue;
        }
        if (parse_number(text, &value) != 0)
            return -1;
        if (strcmp(flag, "--frames") == 0 && value >= 10 && value <= 1e9)
            s->frames = (long)value;
        else if (strcmp(flag, "--followers") == 0 && value >= 1 && value <= 1e7)
            s->followers = (long)value;
        else if (strcmp(flag, "--lr") == 0)
            s->lr = value;
        else if (strcmp(flag, "--momentum") == 0)
            s->momentum = value;
        else
            return -1;
    }
    return 0;
}

static void target_of(size_t k, size_t followers, long frame, double out[2])
{
    double phase = TWO_PI * (double)k / (double)followers;
    double angle = phase + TURN_PER_FRAME * (double)frame;
    out[0] = RADIUS * cos(angle);
    out[1] = RADIUS * sin(angle);
}

static void world_free(struct world *w)
{
    gd_optimizer_free(w->controller);
    free(w->position);
    free(w->pull);
}

static int world_init(struct world *w, const struct settings *s)
{
    gd_method method;
    bool known = gd_method_by_name(s->method, &method) == GD_OK;
    w->followers = (size_t)s->followers;
    w->position = calloc(2 * w->followers, sizeof *w->position);
    w->pull = calloc(2 * w->followers, sizeof *w->pull);
    w->controller = known ? gd_optimizer_new(method, 2 * w->followers) : NULL;
    if (!w->position || !w->pull || !w->controller)
        return -1;
    if (gd_optimizer_set(w->controller, GD_PARAM_LR, s->lr) != GD_OK)
        return -1;
    if (s->momentum > 0 &&
        gd_optimizer_set_by_name(w->controller, "momentum", s->momentum) != GD_OK)
        return -1;
    return 0;
}

/* One frame: the pull toward each target, then one update; returns the mean distance
 * between followers and targets before the update. */
static double frame(struct world *w, long t)
{
    double distance = 0.0;
    for (size_t k = 0; k < w->followers; k++) {
        double c[2];
        target_of(k, w->followers, t, c);
        w->pull[2 * k] = w->position[2 * k] - c[0];
        w->pull[2 * k + 1] = w->position[2 * k + 1] - c[1];
        distance += hypot(w->pull[2 * k], w->pull[2 * k + 1]);
    }
    if (gd_optimizer_update(w->controller, w->position, w->pull) != GD_OK)
        return NAN;
    return distance / (double)w->followers;
}

static double predicted_sgd_lag(double lr)
{
    double re = cos(TURN_PER_FRAME) - 1.0, im = sin(TURN_PER_FRAME);
    return RADIUS * hypot(re, im) / hypot(re + lr, im);
}

int main(int argc, char **argv)
{
    struct settings s = {.frames = 2000, .followers = 64, .method = "sgd", .lr = 0.2};
    if (parse_args(argc, argv, &s) != 0) {
        fprintf(stderr,
                "usage: %s [--frames N] [--followers K] [--method sgd|adam|adamw|"
                "rmsprop|adagrad] [--lr LR] [--momentum M]\n",
                argv[0]);
        return 2;
    }
    struct world w = {0};
    if (world_init(&w, &s) != 0) {
        fprintf(stderr, "cannot set up %ld followers with %s (lr %g, momentum %g)\n", s.followers,
                s.method, s.lr, s.momentum);
        world_free(&w);
        return 1;
    }
    /* The lag of the last tenth of the run, once the start-up transient is gone. */
    long settle = s.frames - s.frames / 10;
    double lag = 0.0;
    for (long t = 0; t < s.frames; t++) {
        double d = frame(&w, t);
        if (isnan(d)) {
            fprintf(stderr, "update failed at frame %ld\n", t);
            world_free(&w);
            return 1;
        }
        if (t >= settle)
            lag += d / (double)(s.frames - settle);
    }
    printf("frames %ld, followers %ld, method %s, lr %g: mean lag %.6f", s.frames, s.followers,
           s.method, s.lr, lag);
    if (strcmp(s.method, "sgd") == 0 && s.momentum == 0)
        printf(" (closed form %.6f)", predicted_sgd_lag(s.lr));
    printf("\n");
    world_free(&w);
    return 0;
}
