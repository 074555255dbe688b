/*
 * sgd_loops.c - the loops of SGD (plain, first momentum step, momentum), compiled once
 * per instruction-set level.  Their arithmetic is that of torch.optim.SGD (PyTorch
 * 1.13, _single_tensor_sgd), operation by operation: see lib/methods/sgd.c.
 *
 * These loops stream memory with little arithmetic per element.  At the AVX-512 level
 * the build compiles them twice: with 512-bit vectors for small n (GDI_SGD_SMALL_N:
 * the vectors fit in a core's L2 cache, where the wider vectors were about 1.2x
 * faster at n = 1000) and with 256-bit vectors for large n (on the AMD EPYC measured,
 * 512-bit vectors made them 1.2-1.5x slower once the data streamed from memory).
 * SPDX-License-Identifier: MIT
 */
#include "loops.h"

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
INSTANCES4(sgd_plain_k)
INSTANCES8(sgd_first_k)
INSTANCES16(sgd_momentum_k)

const struct gdi_sgd_kernels TABLE_NAME(gdi_sgd_kernels) = {
    .plain = TABLE4(sgd_plain_k),
    .first = TABLE8(sgd_first_k),
    .momentum = TABLE16(sgd_momentum_k),
};
