/*
 * hand_loops.c - see hand_loops.h.  Same arithmetic as the library's kernels, with the
 * constants folded in, as someone writing one optimizer for one problem would.
 */
#include <math.h>

#include "hand_loops.h"

#define LR 1e-9

void hand_sgd(HAND_PARAMS)
{
    (void)s1, (void)s2, (void)s3, (void)t;
    for (size_t i = 0; i < n; i++)
        x[i] -= LR * g[i];
}

void hand_momentum(HAND_PARAMS)
{
    (void)s2, (void)s3, (void)t;
    for (size_t i = 0; i < n; i++) {
        double b = 0.9 * s1[i] + g[i];
        s1[i] = b;
        x[i] -= LR * b;
    }
}

void hand_nesterov(HAND_PARAMS)
{
    (void)s2, (void)s3, (void)t;
    for (size_t i = 0; i < n; i++) {
        double b = 0.9 * s1[i] + g[i];
        s1[i] = b;
        x[i] -= LR * (g[i] + 0.9 * b);
    }
}

/* vmax is NULL for Adam and AdamW, AMSGrad's running maximum otherwise. */
static inline void adam_loop(size_t n, double *restrict x, const double *restrict g,
                             double *restrict m, double *restrict v, double *restrict vmax,
                             double t, double shrink)
{
    double step = -(LR / (1.0 - pow(0.9, t))), bc2 = sqrt(1.0 - pow(0.999, t));
    for (size_t i = 0; i < n; i++) {
        double xi = x[i] * shrink;
        double mi = 0.9 * m[i] + 0.1 * g[i];
        double vi = 0.999 * v[i] + (0.001 * g[i]) * g[i];
        m[i] = mi;
        v[i] = vi;
        if (vmax) {
            vi = vi > vmax[i] ? vi : vmax[i];
            vmax[i] = vi;
        }
        x[i] = xi + (step * mi) / (sqrt(vi) / bc2 + 1e-8);
    }
}

void hand_adam(HAND_PARAMS)
{
    (void)s3;
    adam_loop(n, x, g, s1, s2, NULL, t, 1.0);
}

void hand_amsgrad(HAND_PARAMS)
{
    adam_loop(n, x, g, s1, s2, s3, t, 1.0);
}

void hand_adamw(HAND_PARAMS)
{
    (void)s3;
    adam_loop(n, x, g, s1, s2, NULL, t, 1.0 - LR * 0.01);
}

void hand_rmsprop(HAND_PARAMS)
{
    (void)s2, (void)s3, (void)t;
    for (size_t i = 0; i < n; i++) {
        double s = 0.99 * s1[i] + (0.01 * g[i]) * g[i];
        s1[i] = s;
        x[i] -= LR * g[i] / (sqrt(s) + 1e-8);
    }
}

/* s1, s2: the square average and the gradient average. */
void hand_centered(HAND_PARAMS)
{
    (void)s3, (void)t;
    for (size_t i = 0; i < n; i++) {
        double s = 0.99 * s1[i] + (0.01 * g[i]) * g[i];
        double a = 0.99 * s2[i] + 0.01 * g[i];
        s1[i] = s;
        s2[i] = a;
        x[i] -= LR * g[i] / (sqrt(s - a * a) + 1e-8);
    }
}

void hand_adagrad(HAND_PARAMS)
{
    (void)s2, (void)s3, (void)t;
    for (size_t i = 0; i < n; i++) {
        double s = s1[i] + g[i] * g[i];
        s1[i] = s;
        x[i] -= LR * g[i] / (sqrt(s) + 1e-10);
    }
}

void hand_triad(HAND_PARAMS)
{
    (void)s2, (void)s3, (void)t;
    for (size_t i = 0; i < n; i++)
        s1[i] = x[i] + 3.0 * g[i];
}
