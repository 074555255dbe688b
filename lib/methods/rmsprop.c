/*
 * rmsprop.c - RMSprop as torch.optim.RMSprop (PyTorch 1.13, _single_tensor_rmsprop)
 * computes it.  With gradient g:
 *
 *   g = maximize ? -g : g;   g = g + weight_decay * x        (when != 0)
 *   s = alpha s + (1 - alpha) g^2
 *   centered: a = alpha a + (1 - alpha) g;   d = sqrt(s - a^2) + eps
 *   otherwise:                               d = sqrt(s) + eps
 *   momentum > 0: b = momentum b + g / d;  x = x - lr b
 *   otherwise:                             x = x - lr g / d
 *
 * The buffers s, a, b start at 0.  SPDX-License-Identifier: MIT
 */
#include <math.h>

#include "../internal.h"

static const struct gd_param_default rmsprop_params[] = {
    {GD_PARAM_LR, 1e-2},          {GD_PARAM_ALPHA, 0.99},    {GD_PARAM_EPS, 1e-8},
    {GD_PARAM_WEIGHT_DECAY, 0.0}, {GD_PARAM_MOMENTUM, 0.0}, {GD_PARAM_CENTERED, 0.0},
    {GD_PARAM_MAXIMIZE, 0.0},
};

struct rmsprop_coefficients {
    double sign, decay, alpha, keep, eps, momentum, lr, neg_lr;
};

static inline void rmsprop_kernel(size_t n, double *restrict x, const double *restrict g,
                                  double *restrict sq, double *restrict avg,
                                  double *restrict buf, struct rmsprop_coefficients c,
                                  bool decays, bool centered, bool momentum)
{
    for (size_t i = 0; i < n; i++) {
        double gi = decays ? c.sign * g[i] + c.decay * x[i] : c.sign * g[i];
        double si = c.alpha * sq[i] + (c.keep * gi) * gi;
        sq[i] = si;
        double d;
        if (centered) {
            double ai = c.alpha * avg[i] + c.keep * gi;
            avg[i] = ai;
            d = sqrt(si + (-ai) * ai) + c.eps;
        } else {
            d = sqrt(si) + c.eps;
        }
        if (momentum) {
            double bi = c.momentum * buf[i] + gi / d;
            buf[i] = bi;
            x[i] -= c.lr * bi;
        } else {
            x[i] += (c.neg_lr * gi) / d;
        }
    }
}

/* Passes the flags as constants, so each case compiles to its own branch-free loop. */
static void rmsprop_update(struct gd_optimizer *opt, double *restrict x,
                           const double *restrict g)
{
    double lr = gdi_opt_param(opt, GD_PARAM_LR);
    double alpha = gdi_opt_param(opt, GD_PARAM_ALPHA);
    const struct rmsprop_coefficients c = {
        .sign = gdi_opt_param(opt, GD_PARAM_MAXIMIZE) != 0.0 ? -1.0 : 1.0,
        .decay = gdi_opt_param(opt, GD_PARAM_WEIGHT_DECAY),
        .alpha = alpha,
        .keep = 1.0 - alpha,
        .eps = gdi_opt_param(opt, GD_PARAM_EPS),
        .momentum = gdi_opt_param(opt, GD_PARAM_MOMENTUM),
        .lr = lr,
        .neg_lr = -lr,
    };
    size_t n = opt->n;
    double *sq = opt->state, *avg = sq + n, *buf = avg + n;
    bool decays = c.decay != 0.0, momentum = c.momentum > 0.0;
    bool centered = gdi_opt_param(opt, GD_PARAM_CENTERED) != 0.0;
    switch ((decays ? 4 : 0) | (centered ? 2 : 0) | (momentum ? 1 : 0)) {
    case 0: rmsprop_kernel(n, x, g, sq, avg, buf, c, false, false, false); break;
    case 1: rmsprop_kernel(n, x, g, sq, avg, buf, c, false, false, true); break;
    case 2: rmsprop_kernel(n, x, g, sq, avg, buf, c, false, true, false); break;
    case 3: rmsprop_kernel(n, x, g, sq, avg, buf, c, false, true, true); break;
    case 4: rmsprop_kernel(n, x, g, sq, avg, buf, c, true, false, false); break;
    case 5: rmsprop_kernel(n, x, g, sq, avg, buf, c, true, false, true); break;
    case 6: rmsprop_kernel(n, x, g, sq, avg, buf, c, true, true, false); break;
    default: rmsprop_kernel(n, x, g, sq, avg, buf, c, true, true, true); break;
    }
}

const struct gd_method_ops gdi_rmsprop_ops = {
    .name = "rmsprop",
    .params = rmsprop_params,
    .param_count = sizeof rmsprop_params / sizeof rmsprop_params[0],
    .state_vectors = 3, /* square average, gradient average, momentum buffer */
    .update = rmsprop_update,
};
