/*
 * hand_loops.c - see hand_loops.h.  Same arithmetic as the library's kernels, with the
 * constants folded in, as someone writing one optimizer for one problem would.  The
 * coefficients 1 - beta are written as differences: torch's (1 - 0.9 is
 * 0.09999999999999998 in double) are not the literals 0.1, 0.001 and 0.01, and
 * bench_update checks that every loop gives the library's bits.
 */
#include <math.h>

#include "hand_loops.h"

#define LR 1e-9

/* torch.sign: +1, -1, or +0 for zeros and NaN.  This chain of ?: (the library's too,
 * in lion.c and rprop.c) GCC 12 vectorizes only with AVX-512's masks: at the avx2
 * level the library's Lion, Rprop and Adamax loops are scalar, and on a CPU without
 * AVX-512 these would be. */
static inline double torch_sign(double a)
{
    return a > 0.0 ? 1.0 : a < 0.0 ? -1.0 : 0.0;
}

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
        double mi = 0.9 * m[i] + (1.0 - 0.9) * g[i];
        double vi = 0.999 * v[i] + ((1.0 - 0.999) * g[i]) * g[i];
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
        double s = 0.99 * s1[i] + ((1.0 - 0.99) * g[i]) * g[i];
        s1[i] = s;
        x[i] -= LR * g[i] / (sqrt(s) + 1e-8);
    }
}

/* s1, s2: the square average and the gradient average. */
void hand_centered(HAND_PARAMS)
{
    (void)s3, (void)t;
    for (size_t i = 0; i < n; i++) {
        double s = 0.99 * s1[i] + ((1.0 - 0.99) * g[i]) * g[i];
        double a = 0.99 * s2[i] + (1.0 - 0.99) * g[i];
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

/* s3[0] holds torch's scalar state mu_product: 1 at the first step, then the product of
 * the steps' mu. */
static double nadam_mu(double t)
{
    return 0.9 * (1.0 - 0.5 * pow(0.96, t * 4e-3));
}

void hand_nadam(HAND_PARAMS)
{
    double *m = s1, *v = s2, *mu_product = s3;
    if (t == 1.0)
        *mu_product = 1.0;
    double mu = nadam_mu(t), mu_next = nadam_mu(t + 1.0);
    *mu_product *= mu;
    double mu_product_next = *mu_product * mu_next;
    double bias_correction2 = 1.0 - pow(0.999, t);
    double gradient_step = LR * (1.0 - mu) / (1.0 - *mu_product);
    double momentum_step = LR * mu_next / (1.0 - mu_product_next);
    for (size_t i = 0; i < n; i++) {
        double mi = 0.9 * m[i] + (1.0 - 0.9) * g[i];
        double vi = 0.999 * v[i] + ((1.0 - 0.999) * g[i]) * g[i];
        m[i] = mi;
        v[i] = vi;
        double d = sqrt(vi / bias_correction2) + 1e-8;
        double xi = x[i] - (gradient_step * g[i]) / d;
        x[i] = xi - (momentum_step * mi) / d;
    }
}

/* RAdam's two steps, the bias-corrected momentum alone and, rectified, scaled by
 * the adaptive learning rate and rect. */
static inline void radam_loop(size_t n, double *restrict x, const double *restrict g,
                              double *restrict m, double *restrict v, int rectified,
                              double bias_correction1, double bias_correction2_sqrt, double rect)
{
    for (size_t i = 0; i < n; i++) {
        double mi = 0.9 * m[i] + (1.0 - 0.9) * g[i];
        double vi = 0.999 * v[i] + ((1.0 - 0.999) * g[i]) * g[i];
        m[i] = mi;
        v[i] = vi;
        double step = (mi / bias_correction1) * LR;
        if (rectified) {
            double adaptive_lr = (1.0 / (sqrt(vi) + 1e-8)) * bias_correction2_sqrt;
            step = (step * adaptive_lr) * rect;
        }
        x[i] -= step;
    }
}

void hand_radam(HAND_PARAMS)
{
    (void)s3;
    double beta2_power = pow(0.999, t);
    double bias_correction2 = 1.0 - beta2_power;
    double bias_correction1 = 1.0 - pow(0.9, t);
    double rho_inf = 2.0 / (1.0 - 0.999) - 1.0;
    double rho_t = rho_inf - 2.0 * t * beta2_power / bias_correction2;
    if (rho_t > 5.0) {
        double rect = sqrt((rho_t - 4.0) * (rho_t - 2.0) * rho_inf /
                           ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t));
        radam_loop(n, x, g, s1, s2, 1, bias_correction1, sqrt(bias_correction2), rect);
    } else {
        radam_loop(n, x, g, s1, s2, 0, bias_correction1, 0.0, 0.0);
    }
}

/* torch.amax's maximum, which keeps a NaN from either side (as the library's). */
static inline double max_propagating_nan(double a, double b)
{
    return (a != a || a > b) ? a : b;
}

/* s1, s2: the average m and the infinity norm u. */
void hand_adamax(HAND_PARAMS)
{
    (void)s3;
    double clr = LR / (1.0 - pow(0.9, t));
    for (size_t i = 0; i < n; i++) {
        double m = 0.9 * s1[i] + (1.0 - 0.9) * g[i];
        double u = max_propagating_nan(0.999 * s2[i], fabs(g[i]) + 1e-8);
        s1[i] = m;
        s2[i] = u;
        x[i] -= (clr * m) / u;
    }
}

/* s1, s2: the square average and the accumulated squared step. */
void hand_adadelta(HAND_PARAMS)
{
    (void)s3, (void)t;
    for (size_t i = 0; i < n; i++) {
        double s = 0.9 * s1[i] + ((1.0 - 0.9) * g[i]) * g[i];
        double std = sqrt(s + 1e-6);
        double d = (sqrt(s2[i] + 1e-6) / std) * g[i];
        s1[i] = s;
        s2[i] = 0.9 * s2[i] + ((1.0 - 0.9) * d) * d;
        x[i] -= LR * d;
    }
}

/* s1, s2: the previous gradient and the step sizes, which torch fills with lr at the
 * first step.  The clamp to torch's [1e-6, 50] lifts them above this lr: an element
 * that moves moves by 1e-6. */
void hand_rprop(HAND_PARAMS)
{
    double *prev = s1, *step_size = s2;
    (void)s3;
    if (t == 1.0)
        for (size_t i = 0; i < n; i++)
            step_size[i] = LR;
    for (size_t i = 0; i < n; i++) {
        double product = g[i] * prev[i];
        double factor = product > 0.0 ? 1.2 : product < 0.0 ? 0.5 : 1.0;
        double s = step_size[i] * factor;
        s = s < 1e-6 ? 1e-6 : s;
        s = 50.0 < s ? 50.0 : s;
        step_size[i] = s;
        double gi = product < 0.0 ? 0.0 : g[i];
        x[i] -= torch_sign(gi) * s;
        prev[i] = gi;
    }
}

/* ASGD with s1 the average ax.  Step t uses the eta and mu that torch computes at the
 * end of step t - 1 (lr and 1 at the first); mu != 1, from t - 1 > t0 + 1 on, makes
 * ax move towards x instead of copying it. */
static inline void asgd(size_t n, double *restrict x, const double *restrict g, double *restrict ax,
                        double t, double t0)
{
    double eta = LR, mu = 1.0;
    if (t > 1.0) {
        eta = LR / pow(1.0 + 1e-4 * LR * (t - 1.0), 0.75);
        double since_t0 = (t - 1.0) - t0;
        mu = 1.0 / (since_t0 > 1.0 ? since_t0 : 1.0);
    }
    double shrink = 1.0 - 1e-4 * eta, minus_eta = -eta;
    if (mu != 1.0) {
        for (size_t i = 0; i < n; i++) {
            double xi = x[i] * shrink + minus_eta * g[i];
            x[i] = xi;
            ax[i] = ax[i] + (xi - ax[i]) * mu;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            double xi = x[i] * shrink + minus_eta * g[i];
            x[i] = xi;
            ax[i] = xi;
        }
    }
}

void hand_asgd(HAND_PARAMS)
{
    (void)s2, (void)s3;
    asgd(n, x, g, s1, t, 1e6);
}

void hand_asgd_averaging(HAND_PARAMS)
{
    (void)s2, (void)s3;
    asgd(n, x, g, s1, t, 0.0);
}

/* s1: the momentum m. */
void hand_lion(HAND_PARAMS)
{
    (void)s2, (void)s3, (void)t;
    for (size_t i = 0; i < n; i++) {
        double interpolated = s1[i] * 0.9 + (1.0 - 0.9) * g[i];
        x[i] += -LR * torch_sign(interpolated);
        s1[i] = s1[i] * 0.99 + (1.0 - 0.99) * g[i];
    }
}

void hand_triad(HAND_PARAMS)
{
    (void)s2, (void)s3, (void)t;
    for (size_t i = 0; i < n; i++)
        s1[i] = x[i] + 3.0 * g[i];
}
