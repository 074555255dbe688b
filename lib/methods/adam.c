/*
 * adam.c - Adam (L2 weight decay, optional AMSGrad) and AdamW (decoupled weight decay)
 * as torch.optim.Adam and torch.optim.AdamW (PyTorch 1.13, _single_tensor_adam[w])
 * compute them.  At step t with gradient g:
 *
 *   x = x * (1 - lr * weight_decay)                         (AdamW only)
 *   g = maximize ? -g : g;   g = g + weight_decay * x        (Adam only, when != 0)
 *   m = beta1 m + (1 - beta1) g;   v = beta2 v + (1 - beta2) g^2
 *   vhat = amsgrad ? (vmax = max(vmax, v)) : v
 *   x = x - (lr / (1 - beta1^t)) * m / (sqrt(vhat) / sqrt(1 - beta2^t) + eps)
 *
 * SPDX-License-Identifier: MIT
 */
#include <math.h>

#include "../internal.h"

static const struct gd_param_default adam_params[] = {
    {GD_PARAM_LR, 1e-3},       {GD_PARAM_BETA1, 0.9},         {GD_PARAM_BETA2, 0.999},
    {GD_PARAM_EPS, 1e-8},      {GD_PARAM_WEIGHT_DECAY, 0.0}, {GD_PARAM_AMSGRAD, 0.0},
    {GD_PARAM_MAXIMIZE, 0.0},
};

static const struct gd_param_default adamw_params[] = {
    {GD_PARAM_LR, 1e-3},       {GD_PARAM_BETA1, 0.9},          {GD_PARAM_BETA2, 0.999},
    {GD_PARAM_EPS, 1e-8},      {GD_PARAM_WEIGHT_DECAY, 1e-2}, {GD_PARAM_AMSGRAD, 0.0},
    {GD_PARAM_MAXIMIZE, 0.0},
};

struct adam_coefficients {
    double sign;
    double decay;       /* Adam: L2 factor added to the gradient */
    double shrink;      /* AdamW: 1 - lr * weight_decay applied to x */
    double beta1, keep1, beta2, keep2;
    double neg_step;    /* -lr / (1 - beta1^t) */
    double bc2_sqrt;    /* sqrt(1 - beta2^t) */
    double eps;
};

/* The flags are constants at every call site, so each combination compiles to its own
 * branch-free loop. */
static inline void adam_kernel(size_t n, double *restrict x, const double *restrict g,
                               double *restrict m, double *restrict v, double *restrict vmax,
                               struct adam_coefficients c, bool l2, bool decoupled,
                               bool amsgrad)
{
    for (size_t i = 0; i < n; i++) {
        double xi = decoupled ? x[i] * c.shrink : x[i];
        double gi = l2 ? c.sign * g[i] + c.decay * xi : c.sign * g[i];
        double mi = c.beta1 * m[i] + c.keep1 * gi;
        double vi = c.beta2 * v[i] + (c.keep2 * gi) * gi;
        m[i] = mi;
        v[i] = vi;
        if (amsgrad) {
            vi = vi > vmax[i] ? vi : vmax[i];
            vmax[i] = vi;
        }
        x[i] = xi + (c.neg_step * mi) / (sqrt(vi) / c.bc2_sqrt + c.eps);
    }
}

static struct adam_coefficients coefficients(const struct gd_optimizer *opt)
{
    double lr = gdi_opt_param(opt, GD_PARAM_LR);
    double beta1 = gdi_opt_param(opt, GD_PARAM_BETA1);
    double beta2 = gdi_opt_param(opt, GD_PARAM_BETA2);
    double t = (double)opt->step;
    double decay = gdi_opt_param(opt, GD_PARAM_WEIGHT_DECAY);
    return (struct adam_coefficients){
        .sign = gdi_opt_param(opt, GD_PARAM_MAXIMIZE) != 0.0 ? -1.0 : 1.0,
        .decay = decay,
        .shrink = 1.0 - lr * decay,
        .beta1 = beta1,
        .keep1 = 1.0 - beta1,
        .beta2 = beta2,
        .keep2 = 1.0 - beta2,
        .neg_step = -(lr / (1.0 - pow(beta1, t))),
        .bc2_sqrt = sqrt(1.0 - pow(beta2, t)),
        .eps = gdi_opt_param(opt, GD_PARAM_EPS),
    };
}

static void adam_update(struct gd_optimizer *opt, double *restrict x, const double *restrict g)
{
    struct adam_coefficients c = coefficients(opt);
    size_t n = opt->n;
    double *m = opt->state, *v = m + n, *vmax = v + n;
    bool l2 = c.decay != 0.0;
    if (gdi_opt_param(opt, GD_PARAM_AMSGRAD) != 0.0)
        l2 ? adam_kernel(n, x, g, m, v, vmax, c, true, false, true)
           : adam_kernel(n, x, g, m, v, vmax, c, false, false, true);
    else
        l2 ? adam_kernel(n, x, g, m, v, vmax, c, true, false, false)
           : adam_kernel(n, x, g, m, v, vmax, c, false, false, false);
}

static void adamw_update(struct gd_optimizer *opt, double *restrict x, const double *restrict g)
{
    struct adam_coefficients c = coefficients(opt);
    size_t n = opt->n;
    double *m = opt->state, *v = m + n, *vmax = v + n;
    if (gdi_opt_param(opt, GD_PARAM_AMSGRAD) != 0.0)
        adam_kernel(n, x, g, m, v, vmax, c, false, true, true);
    else
        adam_kernel(n, x, g, m, v, vmax, c, false, true, false);
}

const struct gd_method_ops gdi_adam_ops = {
    .name = "adam",
    .params = adam_params,
    .param_count = sizeof adam_params / sizeof adam_params[0],
    .state_vectors = 3, /* m, v and AMSGrad's running maximum of v */
    .update = adam_update,
};

const struct gd_method_ops gdi_adamw_ops = {
    .name = "adamw",
    .params = adamw_params,
    .param_count = sizeof adamw_params / sizeof adamw_params[0],
    .state_vectors = 3,
    .update = adamw_update,
};
