/*
 * sgd.c - stochastic gradient descent exactly as torch.optim.SGD (PyTorch 1.13,
 * _single_tensor_sgd) computes it:
 *
 *   d = maximize ? -g : g
 *   d = d + weight_decay * x                       (when weight_decay != 0)
 *   b = d on the first momentum step, else b = momentum * b + (1 - dampening) * d
 *   d = nesterov ? d + momentum * b : b            (when momentum != 0)
 *   x = x - lr * d
 *
 * The loops are in lib/kernels/sgd_loops.c; this file picks the variant when parameters
 * change and computes the per-call scalars.
 * SPDX-License-Identifier: MIT
 */
#include "../internal.h"

static const struct gd_param_default sgd_params[] = {
    {GD_PARAM_LR, 0.01}, /* torch has no default for SGD's lr; the contract picks 0.01 */
    {GD_PARAM_MOMENTUM, 0.0},
    {GD_PARAM_DAMPENING, 0.0},
    {GD_PARAM_NESTEROV, 0.0},
    {GD_PARAM_WEIGHT_DECAY, 0.0},
    {GD_PARAM_MAXIMIZE, 0.0},
};

static void sgd_select(struct gd_optimizer *opt)
{
    opt->coef = (struct gdi_coefficients){
        .lr = gdi_opt_param(opt, GD_PARAM_LR),
        .decay = gdi_opt_param(opt, GD_PARAM_WEIGHT_DECAY),
        .momentum = gdi_opt_param(opt, GD_PARAM_MOMENTUM),
        .keep = 1.0 - gdi_opt_param(opt, GD_PARAM_DAMPENING),
    };
    unsigned flags = gdi_common_flags(opt);
    if (gdi_opt_param(opt, GD_PARAM_NESTEROV) != 0.0)
        flags |= GDI_K_OPTION;
    if (gdi_opt_param(opt, GD_PARAM_DAMPENING) != 0.0)
        flags |= GDI_K_EXTRA;
    const struct gdi_sgd_kernels *loops =
        opt->n <= GDI_SGD_SMALL_N ? opt->kernels->sgd_small : opt->kernels->sgd;
    if (gdi_opt_param(opt, GD_PARAM_MOMENTUM) == 0.0) {
        opt->kernel = opt->first_kernel = loops->plain[flags & 3u];
    } else {
        /* Torch creates the momentum buffer at the first step that uses momentum. */
        opt->first_kernel = loops->first[flags & 7u];
        opt->kernel = loops->momentum[flags];
    }
}

static void sgd_update(struct gd_optimizer *opt, double *restrict x, const double *restrict g)
{
    gdi_kernel_fn kernel = opt->state_ready ? opt->kernel : opt->first_kernel;
    kernel(opt->n, x, g, opt->state[0], NULL, NULL, &opt->coef);
    if (opt->coef.momentum != 0.0)
        opt->state_ready = true;
}

/* torch.optim.SGD refuses Nesterov without momentum or with dampening. */
static bool sgd_params_ok(const double *param)
{
    bool nesterov = param[gdi_param_slot(GD_PARAM_NESTEROV)] != 0.0;
    return !nesterov || (param[gdi_param_slot(GD_PARAM_MOMENTUM)] > 0.0 &&
                         param[gdi_param_slot(GD_PARAM_DAMPENING)] == 0.0);
}

const struct gd_method_ops gdi_sgd_ops = {
    .name = "sgd",
    .params = sgd_params,
    .param_count = sizeof sgd_params / sizeof sgd_params[0],
    .state_vectors = 1,
    .params_ok = sgd_params_ok,
    .select = sgd_select,
    .update = sgd_update,
};
