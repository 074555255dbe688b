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
 * Each case is its own loop so that no element pays for a branch on the options.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "../internal.h"

static const struct gd_param_default sgd_params[] = {
    {GD_PARAM_LR, 0.01}, /* torch has no default for SGD's lr; the contract picks 0.01 */
    {GD_PARAM_MOMENTUM, 0.0},
    {GD_PARAM_DAMPENING, 0.0},
    {GD_PARAM_NESTEROV, 0.0},
    {GD_PARAM_WEIGHT_DECAY, 0.0},
    {GD_PARAM_MAXIMIZE, 0.0},
};

struct sgd_coefficients {
    double lr, sign, decay, momentum, keep; /* keep = 1 - dampening */
    bool nesterov;
};

/* The direction before momentum.  Torch skips the decay term when it is 0, which
 * matters for infinite x; `decays` is a constant at every call, so it costs nothing.
 * Kernels take their coefficients by value: read through a pointer, they could alias
 * x and would be reloaded at every element, which stops vectorization. */
static inline double decayed(double g, double x, struct sgd_coefficients c,
                             bool decays)
{
    return decays ? c.sign * g + c.decay * x : c.sign * g;
}

static inline void descend(size_t n, double *restrict x, const double *restrict g,
                           struct sgd_coefficients c, bool decays)
{
    for (size_t i = 0; i < n; i++)
        x[i] -= c.lr * decayed(g[i], x[i], c, decays);
}

static inline void first_momentum_step(size_t n, double *restrict x, const double *restrict g,
                                       double *restrict buf, struct sgd_coefficients c,
                                       bool decays, bool nesterov)
{
    for (size_t i = 0; i < n; i++) {
        double d = decayed(g[i], x[i], c, decays);
        buf[i] = d;
        x[i] -= c.lr * (nesterov ? d + c.momentum * d : d);
    }
}

static inline void momentum_step(size_t n, double *restrict x, const double *restrict g,
                                 double *restrict buf, struct sgd_coefficients c,
                                 bool decays, bool nesterov)
{
    for (size_t i = 0; i < n; i++) {
        double d = decayed(g[i], x[i], c, decays);
        double b = c.momentum * buf[i] + c.keep * d;
        buf[i] = b;
        x[i] -= c.lr * (nesterov ? d + c.momentum * b : b);
    }
}

/* The four specializations of a momentum step on the constant flags. */
static void momentum_dispatch(size_t n, double *restrict x, const double *restrict g,
                              double *restrict buf, struct sgd_coefficients c, bool decays,
                              bool first)
{
    switch ((first ? 4 : 0) | (decays ? 2 : 0) | (c.nesterov ? 1 : 0)) {
    case 0: momentum_step(n, x, g, buf, c, false, false); break;
    case 1: momentum_step(n, x, g, buf, c, false, true); break;
    case 2: momentum_step(n, x, g, buf, c, true, false); break;
    case 3: momentum_step(n, x, g, buf, c, true, true); break;
    case 4: first_momentum_step(n, x, g, buf, c, false, false); break;
    case 5: first_momentum_step(n, x, g, buf, c, false, true); break;
    case 6: first_momentum_step(n, x, g, buf, c, true, false); break;
    default: first_momentum_step(n, x, g, buf, c, true, true); break;
    }
}

static void sgd_update(struct gd_optimizer *opt, double *restrict x, const double *restrict g)
{
    const struct sgd_coefficients c = {
        .lr = gdi_opt_param(opt, GD_PARAM_LR),
        .sign = gdi_opt_param(opt, GD_PARAM_MAXIMIZE) != 0.0 ? -1.0 : 1.0,
        .decay = gdi_opt_param(opt, GD_PARAM_WEIGHT_DECAY),
        .momentum = gdi_opt_param(opt, GD_PARAM_MOMENTUM),
        .keep = 1.0 - gdi_opt_param(opt, GD_PARAM_DAMPENING),
        .nesterov = gdi_opt_param(opt, GD_PARAM_NESTEROV) != 0.0,
    };
    bool decays = c.decay != 0.0;
    size_t n = opt->n;
    double *buf = opt->state;
    if (c.momentum == 0.0) {
        decays ? descend(n, x, g, c, true) : descend(n, x, g, c, false);
    } else {
        /* Torch creates the momentum buffer at the first step that uses momentum. */
        momentum_dispatch(n, x, g, buf, c, decays, !opt->state_ready);
        opt->state_ready = true;
    }
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
    .update = sgd_update,
};
