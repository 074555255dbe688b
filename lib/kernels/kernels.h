/*
 * kernels.h - the update loops of every method, one function per variant, compiled once
 * per instruction-set level (sgd_loops.c, adaptive_loops.c) and chosen at run time
 * (isa.c).
 *
 * A variant is a combination of the flags below; the tables are indexed by those bits.
 * The loops do the same IEEE operations in the same order at every level (built with
 * -ffp-contract=off), so results are bit-identical whichever level runs.
 * SPDX-License-Identifier: MIT
 */
#ifndef GD_KERNELS_H
#define GD_KERNELS_H

#include <stddef.h>

/* Variant flags; which ones a table uses is listed with the table. */
enum {
    GDI_K_MAXIMIZE = 1, /* ascend: the gradient is negated */
    GDI_K_DECAY = 2,    /* weight_decay != 0 */
    GDI_K_OPTION = 4,   /* SGD: Nesterov; Adam/AdamW: AMSGrad; RMSprop: centered */
    GDI_K_EXTRA = 8     /* SGD: dampening != 0; RMSprop: momentum > 0 */
};

/* The scalars of the loops: those that depend only on the parameters are computed
 * when the parameters change, the per-step ones (bias corrections, Adagrad's decayed
 * rate) once per update, outside the loop.  Each method fills the fields it uses. */
struct gdi_coefficients {
    double lr;                  /* SGD, RMSprop */
    double decay;               /* L2 term added to the gradient */
    double momentum, keep;      /* SGD: keep = 1 - dampening; RMSprop: momentum */
    double shrink;              /* AdamW: 1 - lr * weight_decay */
    double beta1, keep1, beta2, keep2;
    double step;                /* Adam: lr / (1 - beta1^t) */
    double bc2_sqrt;            /* Adam: sqrt(1 - beta2^t) */
    double alpha, keep_alpha;   /* RMSprop */
    double lr_decay, clr;       /* Adagrad: clr = lr / (1 + (t - 1) lr_decay) */
    double eps;
};

/* One update of x[0..n) from g; s0, s1, s2 are the method's state vectors (unused ones
 * may be anything).  x, g and the state vectors must not overlap. */
typedef void (*gdi_kernel_fn)(size_t n, double *restrict x, const double *restrict g,
                              double *restrict s0, double *restrict s1, double *restrict s2,
                              const struct gdi_coefficients *c);

/* The loops of one level, in two tables because the build compiles their files with
 * different vector widths (sgd_loops.c, adaptive_loops.c). */
struct gdi_sgd_kernels {
    gdi_kernel_fn plain[4];     /* MAXIMIZE | DECAY */
    gdi_kernel_fn first[8];     /* first momentum step: MAXIMIZE | DECAY | OPTION */
    gdi_kernel_fn momentum[16]; /* MAXIMIZE | DECAY | OPTION | EXTRA */
};

struct gdi_adaptive_kernels {
    gdi_kernel_fn adam[8];      /* MAXIMIZE | DECAY | OPTION */
    gdi_kernel_fn adamw[8];     /* MAXIMIZE | DECAY | OPTION */
    gdi_kernel_fn rmsprop[16];  /* MAXIMIZE | DECAY | OPTION | EXTRA */
    gdi_kernel_fn adagrad[4];   /* MAXIMIZE | DECAY */
};

/* At the AVX-512 level SGD has two builds: 512-bit vectors for vectors that fit in a
 * core's L2 cache, 256-bit ones beyond (see sgd_loops.c). */
#define GDI_SGD_SMALL_N 32768

struct gdi_kernels {
    const char *isa; /* "baseline", "avx2" or "avx512" */
    const struct gdi_sgd_kernels *sgd;       /* for n > GDI_SGD_SMALL_N */
    const struct gdi_sgd_kernels *sgd_small; /* for n <= GDI_SGD_SMALL_N */
    const struct gdi_adaptive_kernels *adaptive;
};

/* The kernels for this process: the best level the CPU supports, or the level named by
 * the environment variable GDESCENT_ISA (baseline, avx2, avx512) when the CPU supports
 * it.  Reads the environment on every call, so that tests can switch levels. */
const struct gdi_kernels *gdi_kernels_select(void);

#endif /* GD_KERNELS_H */
