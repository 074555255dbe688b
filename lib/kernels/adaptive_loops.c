/*
 * adaptive_loops.c - the loops of the adaptive methods (Adam, AdamW, RMSprop,
 * Adagrad), compiled once per instruction-set level.  Their arithmetic is that of
 * PyTorch 1.13's single-tensor code paths, operation by operation: see
 * lib/methods/adam.c, rmsprop.c and adagrad.c.
 *
 * A square root and a division per element make these loops compute-bound in cache,
 * so at the AVX-512 level the build asks for 512-bit vectors (about 1.8x faster than
 * 256-bit ones for Adam at n = 1e5 on the AMD EPYC measured).
 *
 * Torch adds (-lr g) / d to x; these loops subtract (lr g) / d, which gives the same
 * bits (negation is exact, and IEEE 754 defines x - y as x + (-y)).  With the
 * addition GCC folds the load of x into the last instruction, and RMSprop, centered
 * RMSprop and Adagrad measured 1.05-1.13x slower than with the subtraction at
 * n = 1e7 (bench_update --n 10000000 against its hand loops).
 * SPDX-License-Identifier: MIT
 */
#include "loops.h"

/* Adam (decoupled = false: DECAY adds weight_decay * x to the gradient) and AdamW
 * (decoupled = true: DECAY shrinks x first); s0, s1, s2 are m, v and AMSGrad's max. */
static ALWAYS_INLINE void adam(KERNEL_PARAMS, unsigned flags, bool decoupled)
{
    const struct gdi_coefficients c = *cp;
    double *restrict m = s0, *restrict v = s1, *restrict vmax = s2;
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
        x[i] = xi - (c.step * mi) / (sqrt(vi) / c.bc2_sqrt + c.eps);
    }
}

static ALWAYS_INLINE void adam_l2(KERNEL_PARAMS, unsigned flags)
{
    adam(n, x, g, s0, s1, s2, cp, flags, false);
}

static ALWAYS_INLINE void adamw(KERNEL_PARAMS, unsigned flags)
{
    adam(n, x, g, s0, s1, s2, cp, flags, true);
}

/* s0, s1, s2: the square average, the gradient average (centered) and the momentum
 * buffer. */
static ALWAYS_INLINE void rmsprop(KERNEL_PARAMS, unsigned flags)
{
    const struct gdi_coefficients c = *cp;
    double *restrict sq = s0, *restrict avg = s1, *restrict buf = s2;
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
            x[i] -= (c.lr * gi) / d;
        }
    }
}

/* s0: the sum of squared gradients. */
static ALWAYS_INLINE void adagrad(KERNEL_PARAMS, unsigned flags)
{
    const struct gdi_coefficients c = *cp;
    double *restrict sum = s0;
    (void)s1, (void)s2;
    for (size_t i = 0; i < n; i++) {
        double gi = direction(g[i], x[i], c.decay, flags);
        double si = sum[i] + gi * gi;
        sum[i] = si;
        x[i] -= (c.clr * gi) / (sqrt(si) + c.eps);
    }
}

INSTANCES8(adam_l2)
INSTANCES8(adamw)
INSTANCES16(rmsprop)
INSTANCES4(adagrad)

const struct gdi_adaptive_kernels TABLE_NAME(gdi_adaptive_kernels) = {
    .adam = TABLE8(adam_l2),
    .adamw = TABLE8(adamw),
    .rmsprop = TABLE16(rmsprop),
    .adagrad = TABLE4(adagrad),
};
