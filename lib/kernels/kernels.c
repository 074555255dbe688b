/*
 * kernels.c - the update loops, compiled once per instruction-set level.  The build
 * compiles this file several times, each time with GDI_KERNELS_NAME, GDI_ISA_LABEL and
 * the level's -m options; isa.c picks one of the resulting tables at run time.
 *
 * Each loop is written once with its flags as a parameter and instantiated for every
 * combination, so the per-element code never tests an option.  The arithmetic is that
 * of PyTorch 1.13's single-tensor code paths, operation by operation (see the method
 * files in lib/methods/ for the formulas).
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdbool.h>

#include "kernels.h"

#ifndef GDI_KERNELS_NAME
#define GDI_KERNELS_NAME gdi_kernels_baseline
#define GDI_ISA_LABEL "baseline"
#endif

#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

#define HAS(flag) ((flags & (flag)) != 0)

/* Torch negates the gradient for maximize and adds the decay term only when the decay
 * is non-zero (which matters for infinite x). */
static ALWAYS_INLINE double direction(double g, double x, double decay, unsigned flags)
{
    double d = HAS(GDI_K_MAXIMIZE) ? -g : g;
    return HAS(GDI_K_DECAY) ? d + decay * x : d;
}

static ALWAYS_INLINE void sgd_plain(size_t n, double *restrict x, const double *restrict g,
                                    struct gdi_coefficients c, unsigned flags)
{
    for (size_t i = 0; i < n; i++)
        x[i] -= c.lr * direction(g[i], x[i], c.decay, flags);
}

/* Torch's momentum buffer starts as a copy of the first direction. */
static ALWAYS_INLINE void sgd_first(size_t n, double *restrict x, const double *restrict g,
                                    double *restrict buf, struct gdi_coefficients c,
                                    unsigned flags)
{
    for (size_t i = 0; i < n; i++) {
        double d = direction(g[i], x[i], c.decay, flags);
        buf[i] = d;
        x[i] -= c.lr * (HAS(GDI_K_OPTION) ? d + c.momentum * d : d);
    }
}

static ALWAYS_INLINE void sgd_momentum(size_t n, double *restrict x, const double *restrict g,
                                       double *restrict buf, struct gdi_coefficients c,
                                       unsigned flags)
{
    for (size_t i = 0; i < n; i++) {
        double d = direction(g[i], x[i], c.decay, flags);
        double b = c.momentum * buf[i] + (HAS(GDI_K_EXTRA) ? c.keep * d : d);
        buf[i] = b;
        x[i] -= c.lr * (HAS(GDI_K_OPTION) ? d + c.momentum * b : b);
    }
}

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

/* The coefficients are copied into a local before the loop: read through the pointer
 * they could alias x, and would be reloaded at every element. */
#define KERNEL_PARAMS                                                                     \
    size_t n, double *restrict x, const double *restrict g, double *restrict s0,         \
        double *restrict s1, double *restrict s2, const struct gdi_coefficients *cp

#define UNUSED_STATE (void)s0, (void)s1, (void)s2

static ALWAYS_INLINE void sgd_plain_k(KERNEL_PARAMS, unsigned flags)
{
    UNUSED_STATE;
    sgd_plain(n, x, g, *cp, flags);
}
static ALWAYS_INLINE void sgd_first_k(KERNEL_PARAMS, unsigned flags)
{
    UNUSED_STATE;
    sgd_first(n, x, g, s0, *cp, flags);
}
static ALWAYS_INLINE void sgd_momentum_k(KERNEL_PARAMS, unsigned flags)
{
    UNUSED_STATE;
    sgd_momentum(n, x, g, s0, *cp, flags);
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

/* One out-of-line function per (loop, flags) pair, named loop_flags. */
#define INSTANCE(loop, f)                                                                 \
    static void loop##_##f(KERNEL_PARAMS) { loop(n, x, g, s0, s1, s2, cp, f##u); }
#define INSTANCES4(loop) INSTANCE(loop, 0) INSTANCE(loop, 1) INSTANCE(loop, 2) INSTANCE(loop, 3)
#define INSTANCES8(loop)                                                                  \
    INSTANCES4(loop) INSTANCE(loop, 4) INSTANCE(loop, 5) INSTANCE(loop, 6) INSTANCE(loop, 7)
#define INSTANCES16(loop)                                                                 \
    INSTANCES8(loop) INSTANCE(loop, 8) INSTANCE(loop, 9) INSTANCE(loop, 10)              \
    INSTANCE(loop, 11) INSTANCE(loop, 12) INSTANCE(loop, 13) INSTANCE(loop, 14)           \
    INSTANCE(loop, 15)
#define TABLE4(loop) {loop##_0, loop##_1, loop##_2, loop##_3}
#define TABLE8(loop) {loop##_0, loop##_1, loop##_2, loop##_3, loop##_4, loop##_5, loop##_6, loop##_7}
#define TABLE16(loop)                                                                     \
    {loop##_0, loop##_1, loop##_2, loop##_3, loop##_4, loop##_5, loop##_6, loop##_7,      \
     loop##_8, loop##_9, loop##_10, loop##_11, loop##_12, loop##_13, loop##_14, loop##_15}

INSTANCES4(sgd_plain_k)
INSTANCES8(sgd_first_k)
INSTANCES16(sgd_momentum_k)
INSTANCES8(adam_k)
INSTANCES8(adamw_k)
INSTANCES16(rmsprop_k)
INSTANCES4(adagrad_k)

const struct gdi_kernels GDI_KERNELS_NAME = {
    .isa = GDI_ISA_LABEL,
    .sgd = TABLE4(sgd_plain_k),
    .sgd_first = TABLE8(sgd_first_k),
    .sgd_momentum = TABLE16(sgd_momentum_k),
    .adam = TABLE8(adam_k),
    .adamw = TABLE8(adamw_k),
    .rmsprop = TABLE16(rmsprop_k),
    .adagrad = TABLE4(adagrad_k),
};
