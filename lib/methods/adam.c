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
 * The loops are in lib/kernels/adaptive_loops.c.  SPDX-License-Identifier: MIT
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

static unsigned adam_flags(const struct gd_optimizer *opt)
{
    unsigned flags = gdi_common_flags(opt);
    return gdi_opt_param(opt, GD_PARAM_AMSGRAD) != 0.0 ? flags | GDI_K_OPTION : flags;
}

/* The coefficients that do not depend on the step. */
static void adam_coefficients(struct gd_optimizer *opt)
{
    double lr = gdi_opt_param(opt, GD_PARAM_LR);
    double beta1 = gdi_opt_param(opt, GD_PARAM_BETA1);
    double beta2 = gdi_opt_param(opt, GD_PARAM_BETA2);
    double decay = gdi_opt_param(opt, GD_PARAM_WEIGHT_DECAY);
    opt->coef = (struct gdi_coefficients){
        .lr = lr,
        .decay = decay,
        .shrink = 1.0 - lr * decay,
        .beta1 = beta1,
        .keep1 = 1.0 - beta1,
        .beta2 = beta2,
        .keep2 = 1.0 - beta2,
        .eps = gdi_opt_param(opt, GD_PARAM_EPS),
    };
}

static void adam_select(struct gd_optimizer *opt)
{
    adam_coefficients(opt);
    opt->kernel = opt->first_kernel = opt->kernels->adaptive->adam[adam_flags(opt)];
}

static void adamw_select(struct gd_optimizer *opt)
{
    adam_coefficients(opt);
    opt->kernel = opt->first_kernel = opt->kernels->adaptive->adamw[adam_flags(opt)];
}

/* The bias corrections call pow() as torch does (Python's float power), so that the
 * step sizes agree to the last bit. */
static void adam_update(struct gd_optimizer *opt, double *restrict x, const double *restrict g)
{
    struct gdi_coefficients *c = &opt->coef;
    double t = (double)opt->step;
    c->step = c->lr / (1.0 - pow(c->beta1, t));
    c->bc2_sqrt = sqrt(1.0 - pow(c->beta2, t));
    opt->kernel(opt->n, x, g, opt->state[0], opt->state[1], opt->state[2], c);
}

const struct gd_method_ops gdi_adam_ops = {
    .name = "adam",
    .params = adam_params,
    .param_count = sizeof adam_params / sizeof adam_params[0],
    .state_vectors = 3, /* m, v and AMSGrad's running maximum of v */
    .select = adam_select,
    .update = adam_update,
};

const struct gd_method_ops gdi_adamw_ops = {
    .name = "adamw",
    .params = adamw_params,
    .param_count = sizeof adamw_params / sizeof adamw_params[0],
    .state_vectors = 3,
    .select = adamw_select,
    .update = adam_update,
};
