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
 * The buffers s, a, b start at 0.  The loops are in lib/kernels/adaptive_loops.c.
 * SPDX-License-Identifier: MIT
 */
#include "../internal.h"

static const struct gd_param_default rmsprop_params[] = {
    {GD_PARAM_LR, 1e-2},          {GD_PARAM_ALPHA, 0.99},    {GD_PARAM_EPS, 1e-8},
    {GD_PARAM_WEIGHT_DECAY, 0.0}, {GD_PARAM_MOMENTUM, 0.0}, {GD_PARAM_CENTERED, 0.0},
    {GD_PARAM_MAXIMIZE, 0.0},
};

static void rmsprop_select(struct gd_optimizer *opt)
{
    double lr = gdi_opt_param(opt, GD_PARAM_LR);
    double alpha = gdi_opt_param(opt, GD_PARAM_ALPHA);
    opt->coef = (struct gdi_coefficients){
        .lr = lr,
        .decay = gdi_opt_param(opt, GD_PARAM_WEIGHT_DECAY),
        .momentum = gdi_opt_param(opt, GD_PARAM_MOMENTUM),
        .alpha = alpha,
        .keep_alpha = 1.0 - alpha,
        .eps = gdi_opt_param(opt, GD_PARAM_EPS),
    };
    unsigned flags = gdi_common_flags(opt);
    if (gdi_opt_param(opt, GD_PARAM_CENTERED) != 0.0)
        flags |= GDI_K_OPTION;
    if (gdi_opt_param(opt, GD_PARAM_MOMENTUM) > 0.0)
        flags |= GDI_K_EXTRA;
    opt->kernel = opt->first_kernel = opt->kernels->adaptive->rmsprop[flags];
}

static void rmsprop_update(struct gd_optimizer *opt, double *restrict x,
                           const double *restrict g)
{
    opt->kernel(opt->n, x, g, opt->state[0], opt->state[1], opt->state[2], &opt->coef);
}

const struct gd_method_ops gdi_rmsprop_ops = {
    .name = "rmsprop",
    .params = rmsprop_params,
    .param_count = sizeof rmsprop_params / sizeof rmsprop_params[0],
    .state_vectors = 3, /* square average, gradient average, momentum buffer */
    .select = rmsprop_select,
    .update = rmsprop_update,
};
