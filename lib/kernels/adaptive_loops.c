/*
 * adaptive_loops.c - the loops of the adaptive methods (Adam, AdamW, RMSprop,
 * Adagrad), compiled once per instruction-set level.  Their arithmetic is that of
 * PyTorch 1.13's single-tensor code paths, operation by operation: see
 * lib/methods/adam.c, rmsprop.c and adagrad.c.
 *
 * A square root and a division per element make these loops compute-bound in cache,
 * so at the AVX-512 level the build asks for 512-bit vectors (about 1.8x faster than
 * 256-bit ones for Adam at n = 1e5 on the AMD EPYC measured).
 * SPDX-License-Identifier: MIT
 */
#include "loops.h"

/* Adam (decoupled = false: DECAY adds weight_decay * x to the gradient) and AdamW
 * (decoupled = true: DECAY shrinks x first). */
static ALWAYS_INLINE void adam(size_t n, double *restrict x, const double *restrict g,
                               double *restrict m, double *restrict v, double *restrict vmax,
                               struct gdi_coefficients c, unsigned flags, bool decoupled)
{
    unsigned gradient_flags = decoupled ? flags & ~(unsigned)GDI_K_DECAY : flags;
    for (size_t i = 0; i < n; i++) {
        double xi = decoupled && HAS(GDI_K_DECAY) ? x[i] * c.shrink : x[i];
        double gi = direction(g[i], xi, c.decay, gradient_flags);
        double mi = c.beta1 * m[i] + c.keep1 * gi;
        double vi = c.beta2 * v[i] + (c.keep2 * gi) * gi;
        m[i] = mi;
        v[i] = vi;
        if (HAS(GDI_K_OPTION)) {
            vi = vi > vmax[i] ? vi : vmax[i];
            vmax[i] = vi;
        }
        x[i] = xi + (c.neg_step * mi) / (sqrt(vi) / c.bc2_sqrt + c.eps);
    }
}

static ALWAYS_INLINE void rmsprop(size_t n, double *restrict x, const double *restrict g,
                                  double *restrict sq, double *restrict avg,
                                  double *restrict buf, struct gdi_coefficients c,
                                  unsigned flags)
{
    for (size_t i = 0; i < n; i++) {
        double gi = direction(g[i], x[i], c.decay, flags);
        double si = c.alpha * sq[i] + (c.keep_alpha * gi) * gi;
        sq[i] = si;
        double d;
        if (HAS(GDI_K_OPTION)) {
            double ai = c.alpha * avg[i] + c.keep_alpha * gi;
            avg[i] = ai;
            d = sqrt(si + (-ai) * ai) + c.eps;
        } else {
            d = sqrt(si) + c.eps;
        }
        if (HAS(GDI_K_EXTRA)) {
            double bi = c.momentum * buf[i] + gi / d;
            buf[i] = bi;
            x[i] -= c.lr * bi;
        } else {
            x[i] += (c.neg_lr * gi) / d;
        }
    }
}

static ALWAYS_INLINE void adagrad(size_t n, double *restrict x, const double *restrict g,
                                  double *restrict sum, struct gdi_coefficients c,
                                  unsigned flags)
{
    for (size_t i = 0; i < n; i++) {
        double gi = direction(g[i], x[i], c.decay, flags);
        double si = sum[i] + gi * gi;
        sum[i] = si;
        x[i] += (c.neg_clr * gi) / (sqrt(si) + c.eps);
    }
}

static ALWAYS_INLINE void adam_k(KERNEL_PARAMS, unsigned flags)
{
    adam(n, x, g, s0, s1, s2, *cp, flags, false);
}
static ALWAYS_INLINE void adamw_k(KERNEL_PARAMS, unsigned flags)
{
    adam(n, x, g, s0, s1, s2, *cp, flags, true);
}
static ALWAYS_INLINE void rmsprop_k(KERNEL_PARAMS, unsigned flags)
{
    rmsprop(n, x, g, s0, s1, s2, *cp, flags);
}
static ALWAYS_INLINE void adagrad_k(KERNEL_PARAMS, unsigned flags)
{
    UNUSED_STATE;
    adagrad(n, x, g, s0, *cp, flags);
}

INSTANCES8(adam_k)
INSTANCES8(adamw_k)
INSTANCES16(rmsprop_k)
INSTANCES4(adagrad_k)

const struct gdi_adaptive_kernels TABLE_NAME(gdi_adaptive_kernels) = {
    .adam = TABLE8(adam_k),
    .adamw = TABLE8(adamw_k),
    .rmsprop = TABLE16(rmsprop_k),
    .adagrad = TABLE4(adagrad_k),
};
