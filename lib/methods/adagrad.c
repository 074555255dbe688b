/*
 * adagrad.c - Adagrad as torch.optim.Adagrad (PyTorch 1.13, _single_tensor_adagrad)
 * computes it.  At step t with gradient g:
 *
 *   g = maximize ? -g : g;   g = g + weight_decay * x        (when != 0)
 *   clr = lr / (1 + (t - 1) lr_decay)
 *   s = s + g^2              (s starts at initial_accumulator)
 *   x = x - clr g / (sqrt(s) + eps)
 *
 * The loop is in lib/kernels/adaptive_loops.c.  SPDX-License-Identifier: MIT
 */
#include "../internal.h"

static const struct gd_param_default adagrad_params[] = {
    {GD_PARAM_LR, 1e-2},           {GD_PARAM_LR_DECAY, 0.0},
    {GD_PARAM_WEIGHT_DECAY, 0.0},  {GD_PARAM_INITIAL_ACCUMULATOR, 0.0},
    {GD_PARAM_EPS, 1e-10},         {GD_PARAM_MAXIMIZE, 0.0},
};

static void adagrad_select(struct gd_optimizer *opt)
{
    opt->coef = (struct gdi_coefficients){
        .lr = gdi_opt_param(opt, GD_PARAM_LR),
        .decay = gdi_opt_param(opt, GD_PARAM_WEIGHT_DECAY),
        .lr_decay = gdi_opt_param(opt, GD_PARAM_LR_DECAY),
        .eps = gdi_opt_param(opt, GD_PARAM_EPS),
    };
    opt->kernel = opt->first_kernel = opt->kernels->adaptive->adagrad[gdi_common_flags(opt)];
}

static void adagrad_update(struct gd_optimizer *opt, double *restrict x,
                           const double *restrict g)
{
    size_t n = opt->n;
    double *sum = opt->state[0];
    if (!opt->state_ready) {
        /* Torch fills the accumulator at construction; here at the first step after
         * creation or reset, so the value set before that step counts. */
        double init = gdi_opt_param(opt, GD_PARAM_INITIAL_ACCUMULATOR);
        for (size_t i = 0; i < n; i++)
            sum[i] = init;
        opt->state_ready = true;
    }
    struct gdi_coefficients *c = &opt->coef;
    c->clr = c->lr / (1.0 + (double)(opt->step - 1) * c->lr_decay);
    opt->kernel(n, x, g, sum, NULL, NULL, c);
}

const struct gd_method_ops gdi_adagrad_ops = {
    .name = "adagrad",
    .params = adagrad_params,
    .param_count = sizeof adagrad_params / sizeof adagrad_params[0],
    .state_vectors = 1,
    .select = adagrad_select,
    .update = adagrad_update,
};
