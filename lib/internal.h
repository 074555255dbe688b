/*
 * internal.h - private structures and helpers of libgd; never installed.
 * SPDX-License-Identifier: MIT
 */
#ifndef GD_INTERNAL_H
#define GD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gdescent.h"
#include "kernels/kernels.h"

/* ---- allocation: every allocation of the library goes through these ---- */

/* malloc of count*size bytes; NULL when count or size is 0 or the product overflows. */
void *gdi_alloc_array(size_t count, size_t size);
/* As gdi_alloc_array, zero-filled. */
void *gdi_calloc_array(size_t count, size_t size);
/* realloc to count*size bytes; NULL (and p untouched) on overflow or failure. */
void *gdi_realloc_array(void *p, size_t count, size_t size);
void gdi_free(void *p);
/* A copy of count doubles, or NULL. */
double *gdi_dup_doubles(const double *src, size_t count);

#ifdef GDI_FAULT_INJECTION
/* Test builds: the k-th allocation from now on this thread fails (k = 0: none). */
void gdi_fault_arm(long k);
/* Whether the armed failure has not happened yet. */
bool gdi_fault_pending(void);
/* Blocks allocated and not yet freed on this thread. */
long gdi_live_blocks(void);
#endif

/* ---- numerics ---- */

bool gdi_all_finite(const double *v, size_t n);
/* Euclidean norm of v, and distance between a and b (both vectors of n values). */
double gdi_norm2(const double *v, size_t n);
/* As gdi_norm2 (which may be infinite for finite elements), or -1 when an element of
 * v is NaN or infinite. */
double gdi_norm2_if_finite(const double *v, size_t n);
double gdi_distance2(const double *a, const double *b, size_t n);

/* ---- objectives ---- */

struct gd_objective {
    size_t n;
    size_t m;           /* terms; 1 for a plain objective */
    gd_fdf_fn fdf;      /* plain objectives */
    gd_batch_fn batch;  /* finite sums */
    void *user;
    void (*free_user)(void *user); /* bundled objectives own their copied data */
    size_t *all_terms;  /* 0..m-1, so that full evaluations of a sum never allocate */
};

/* Wraps a bundled objective's data; on failure frees data with free_data. */
gd_objective *gdi_objective_new_owned(size_t n, size_t m, gd_fdf_fn fdf, gd_batch_fn batch,
                                      void *data, void (*free_data)(void *));
/* Evaluates the mean of the listed terms (the full objective when idx is NULL). */
int gdi_objective_eval_terms(gd_objective *obj, const double *x, const size_t *idx,
                             size_t count, double *f, double *grad);

/* ---- PRNG: SplitMix64 (Steele, Lea, Flood 2014), same stream on every platform ---- */

typedef struct gdi_rng {
    uint64_t state;
} gdi_rng;

void gdi_rng_seed(gdi_rng *rng, uint64_t seed);
uint64_t gdi_rng_next(gdi_rng *rng);
/* Uniform integer in [0, bound), bound >= 1, without modulo bias. */
uint64_t gdi_rng_below(gdi_rng *rng, uint64_t bound);
/* Fisher-Yates shuffle of v[0..len). */
void gdi_shuffle(gdi_rng *rng, size_t *v, size_t len);

/* ---- mini-batch sampler over the m terms of a finite sum ---- */

typedef struct gdi_sampler {
    size_t *order;   /* the current epoch's order of the terms */
    size_t m;        /* length of order; 0 before first use */
    size_t next;     /* position of the next batch in order; m means the epoch is over */
    gdi_rng rng;
} gdi_sampler;

void gdi_sampler_init(gdi_sampler *s, uint64_t seed);
void gdi_sampler_free(gdi_sampler *s);
/* Forgets the position and restarts the random stream from seed. */
void gdi_sampler_restart(gdi_sampler *s, uint64_t seed);
/* Makes room for m terms (allocating on first use or when m changes). */
int gdi_sampler_prepare(gdi_sampler *s, size_t m);
/* The next batch of at most `size` terms; starts a new epoch (shuffled when `shuffle`)
 * when the current one is over.  The sampler must be prepared for m. */
const size_t *gdi_sampler_next(gdi_sampler *s, size_t size, bool shuffle, size_t *count);

/* ---- parameters ---- */

/* Dense slots of the sparse gd_param keys (0..13, 32..35, 48..50). */
enum {
    GDI_METHOD_SLOTS = 14,
    GDI_RUN_FIRST = 32,
    GDI_RUN_SLOTS = 4,
    GDI_SAMPLING_FIRST = 48,
    GDI_SAMPLING_SLOTS = 3,
    GDI_SLOT_COUNT = GDI_METHOD_SLOTS + GDI_RUN_SLOTS + GDI_SAMPLING_SLOTS
};

/* The slot of key, or -1 for an unknown key.  Inline so that the update kernels'
 * lookups of constant keys fold to constant offsets. */
static inline int gdi_param_slot(gd_param key)
{
    int k = (int)key;
    if (k >= 0 && k < GDI_METHOD_SLOTS)
        return k;
    if (k >= GDI_RUN_FIRST && k < GDI_RUN_FIRST + GDI_RUN_SLOTS)
        return GDI_METHOD_SLOTS + (k - GDI_RUN_FIRST);
    if (k >= GDI_SAMPLING_FIRST && k < GDI_SAMPLING_FIRST + GDI_SAMPLING_SLOTS)
        return GDI_METHOD_SLOTS + GDI_RUN_SLOTS + (k - GDI_SAMPLING_FIRST);
    return -1;
}
/* The key with the given name ("lr", "max_iter", ...), or -1. */
int gdi_param_by_name(const char *name);
/* Whether value lies in the range of key (not checking cross-parameter rules). */
bool gdi_param_value_ok(gd_param key, double value);
/* Defaults of the run and sampling keys, the same for every method. */
double gdi_param_run_default(gd_param key);

/* ---- methods ---- */

struct gd_param_default {
    gd_param key;
    double value;
};

struct gd_optimizer;

enum { GDI_MAX_STATE = 3 }; /* the most state vectors of a method */

/* An update rule: adding a method adds one file defining one of these. */
struct gd_method_ops {
    const char *name;
    const struct gd_param_default *params; /* the method's keys with their defaults */
    size_t param_count;
    size_t state_vectors;                  /* vectors of n doubles of state, at most
                                              GDI_MAX_STATE */
    /* Cross-parameter rules (such as Nesterov's); params is indexed by slot. */
    bool (*params_ok)(const double *params);
    /* For the current parameters: chooses opt->kernel and opt->first_kernel, and fills
     * the coefficients in opt->coef that do not change from step to step. */
    void (*select)(struct gd_optimizer *opt);
    /* One update of x from grad; opt->step already counts this update. */
    void (*update)(struct gd_optimizer *opt, double *restrict x, const double *restrict grad);
};

extern const struct gd_method_ops gdi_sgd_ops;
extern const struct gd_method_ops gdi_adam_ops;
extern const struct gd_method_ops gdi_adamw_ops;
extern const struct gd_method_ops gdi_rmsprop_ops;
extern const struct gd_method_ops gdi_adagrad_ops;

/* ---- optimizer ---- */

struct gd_optimizer {
    const struct gd_method_ops *ops;
    size_t n;
    double param[GDI_SLOT_COUNT];
    bool applies[GDI_SLOT_COUNT];
    const struct gdi_kernels *kernels; /* the instruction-set level, fixed at creation */
    gdi_kernel_fn kernel;       /* the update loop of the current parameters ... */
    gdi_kernel_fn first_kernel; /* ... and of the first update after creation or reset */
    struct gdi_coefficients coef; /* set by ops->select; update adds per-step ones */
    size_t step;       /* updates applied since creation or reset (PyTorch's t) */
    /* ops->state_vectors vectors of n doubles, each allocated on its own: in one block
     * the adaptive methods ran 1.2-1.3x slower at n = 1e6 (bench/bench_layout.c). */
    double *state[GDI_MAX_STATE];
    bool state_ready;  /* the state vectors hold moments (set by the first update) */
    double *grad;      /* scratch for gd_step and gd_minimize */
    double *x_prev;    /* last accepted iterate of gd_minimize */
    gd_monitor_fn monitor;
    void *monitor_user;
    gdi_sampler sampler;
};

/* Value of a parameter by key; the key must be valid for the optimizer. */
static inline double gdi_opt_param(const struct gd_optimizer *opt, gd_param key)
{
    return opt->param[gdi_param_slot(key)];
}

/* The kernel flags every method shares: maximize and a non-zero weight decay. */
static inline unsigned gdi_common_flags(const struct gd_optimizer *opt)
{
    unsigned flags = 0;
    if (gdi_opt_param(opt, GD_PARAM_MAXIMIZE) != 0.0)
        flags |= GDI_K_MAXIMIZE;
    if (gdi_opt_param(opt, GD_PARAM_WEIGHT_DECAY) != 0.0)
        flags |= GDI_K_DECAY;
    return flags;
}

/* Evaluates obj at x for one iteration: a mini-batch or the full objective.  A
 * non-finite f or gradient is GD_EDIVERGED.  With grad_norm non-NULL it also receives
 * the gradient's norm, in the same pass as the check when it can. */
int gdi_eval_iteration(gd_optimizer *opt, gd_objective *obj, const double *x, double *f,
                       double *grad, double *grad_norm);

/* ---- trajectory ---- */

int gdi_trajectory_append(gd_trajectory *traj, size_t iter, double f, double grad_norm,
                          const double *x);
size_t gdi_trajectory_stride(const gd_trajectory *traj);

#endif /* GD_INTERNAL_H */
