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

static ALWAYS_INLINE void sgd_plain(KERNEL_PARAMS, unsigned flags)
{
    const struct gdi_coefficients c = *cp;
    (void)s0, (void)s1, (void)s2;
    for (size_t i = 0; i < n; i++)
        x[i] -= c.lr * direction(g[i], x[i], c.decay, flags);
}

/* Torch's momentum buffer (s0) starts as a copy of the first direction. */
static ALWAYS_INLINE void sgd_first(KERNEL_PARAMS, unsigned flags)
{
    const struct gdi_coefficients c = *cp;
    double *restrict buf = s0;
    (void)s1, (void)s2;
    for (size_t i = 0; i < n; i++) {
        double d = direction(g[i], x[i], c.decay, flags);
        buf[i] = d;
        x[i] -= c.lr * (HAS(GDI_K_OPTION) ? d + c.momentum * d : d);
    }
}

static ALWAYS_INLINE void sgd_momentum(KERNEL_PARAMS, unsigned flags)
{
    const struct gdi_coefficients c = *cp;
    double *restrict buf = s0;
    (void)s1, (void)s2;
    for (size_t i = 0; i < n; i++) {
        double d = direction(g[i], x[i], c.decay, flags);
        double b = c.momentum * buf[i] + (HAS(GDI_K_EXTRA) ? c.keep * d : d);
        buf[i] = b;
        x[i] -= c.lr * (HAS(GDI_K_OPTION) ? d + c.momentum * b : b);
    }
}

INSTANCES4(sgd_plain)
INSTANCES8(sgd_first)
INSTANCES16(sgd_momentum)

const struct gdi_sgd_kernels TABLE_NAME(gdi_sgd_kernels) = {
    .plain = TABLE4(sgd_plain),
    .first = TABLE8(sgd_first),
    .momentum = TABLE16(sgd_momentum),
};
