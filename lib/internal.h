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
#include "kernels/loops.h"

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
/* As gdi_dup_doubles, for a model's data matrix, which each evaluation reads from end
 * to end: on Linux, its whole 2 MiB pages are asked to be transparent huge pages. */
double *gdi_dup_matrix(const double *src, size_t count);

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
/* Euclidean norm of v, and distance between a and b (both vectors of n values): a
 * second, scaled pass when the squares overflow or underflow, so that the result is
 * accurate at any magnitude of the elements. */
double gdi_norm2(const double *v, size_t n);
/* As gdi_norm2 (which may be infinite for finite elements), or -1 when an element of
 * v is NaN or infinite. */
double gdi_norm2_if_finite(const double *v, size_t n);
double gdi_distance2(const double *a, const double *b, size_t n);

/* ---- objectives ---- */

struct gd_objective {
    size_t n;
    size_t m;          /* terms; 1 for a plain objective */
    gd_fdf_fn fdf;     /* plain objectives */
    gd_batch_fn batch; /* finite sums */
    void *user;
    void (*free_user)(void *user); /* bundled objectives own their copied data */
    size_t *all_terms;             /* 0..m-1, so that full evaluations of a sum never allocate */
};

/* Wraps a bundled objective's data; on failure frees data with free_data. */
gd_objective *gdi_objective_new_owned(size_t n, size_t m, gd_fdf_fn fdf, gd_batch_fn batch,
                                      void *data, void (*free_data)(void *));
/* Evaluates the mean of the listed terms (the full objective when idx is NULL). */
int gdi_objective_eval_terms(gd_objective *obj, const double *x, const size_t *idx, size_t count,
                             double *f, double *grad);

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
    size_t *order; /* the current epoch's order of the terms */
    size_t m;      /* length of order; 0 before first use */
    size_t next;   /* position of the next batch in order; m means the epoch is over */
    gdi_rng rng;
} gdi_sampler;

/* Where a sampler is in its epochs, to return the batches drawn since. */
typedef struct gdi_sampler_position {
    size_t next;
    gdi_rng rng;
} gdi_sampler_position;

void gdi_sampler_init(gdi_sampler *s, uint64_t seed);
void gdi_sampler_free(gdi_sampler *s);
/* Forgets the position and restarts the random stream from seed. */
void gdi_sampler_restart(gdi_sampler *s, uint64_t seed);
/* Makes room for m terms (allocating on first use or when m changes). */
int gdi_sampler_prepare(gdi_sampler *s, size_t m);
/* The next batch of at most `size` terms; starts a new epoch (shuffled when `shuffle`)
 * when the current one is over.  The sampler must be prepared for m. */
const size_t *gdi_sampler_next(gdi_sampler *s, size_t size, bool shuffle, size_t *count);
static inline gdi_sampler_position gdi_sampler_tell(const gdi_sampler *s)
{
    return (gdi_sampler_position){s->next, s->rng};
}
/* Goes back to a position told since the sampler was last prepared. */
static inline void gdi_sampler_seek(gdi_sampler *s, gdi_sampler_position position)
{
    s->next = position.next;
    s->rng = position.rng;
}

/* ---- parameters: one row each in param_list.h ---- */

/* The optimizer's dense parameter slots, one per row of param_list.h, in its order. */
enum gdi_slot {
#define GDI_PARAM(key, name, group, range, run_default) GDI_SLOT_##name,
#include "param_list.h"
#undef GDI_PARAM
    GDI_SLOT_COUNT
};

/* The slot of key, or -1 for a value that is not a key.  Inline so that the update
 * rules' lookups of constant keys fold to constant offsets; the switch has no default,
 * so a key declared in the header without a row in param_list.h is a warning (and,
 * with -Werror, an error). */
static inline int gdi_param_slot(gd_param key)
{
    switch (key) {
#define GDI_PARAM(key, name, group, range, run_default)                                            \
    case key:                                                                                      \
        return GDI_SLOT_##name;
#include "param_list.h"
#undef GDI_PARAM
    }
    return -1;
}

/* The key of a slot. */
gd_param gdi_param_key(int slot);
/* The key with the given name ("lr", "max_iter", ...), or -1. */
int gdi_param_by_name(const char *name);
/* Whether value lies in the range of key (not checking cross-parameter rules). */
bool gdi_param_value_ok(gd_param key, double value);
enum gdi_param_group { GDI_GROUP_METHOD, GDI_GROUP_RUN, GDI_GROUP_SAMPLING };
enum gdi_param_group gdi_param_group(int slot);
/* The default of a RUN or SAMPLING key, which applies to every method. */
double gdi_param_common_default(int slot);

/* ---- saved states (lib/state.c; the layout is doc/state-format.md's) ---- */

/* Little-endian fields appended at `at` (NULL: only counted in used). */
struct gdi_writer {
    unsigned char *at;
    size_t used;
};
void gdi_put_u32(struct gdi_writer *w, uint32_t v);
void gdi_put_u64(struct gdi_writer *w, uint64_t v);
void gdi_put_f64(struct gdi_writer *w, double v);
void gdi_put_f64s(struct gdi_writer *w, const double *v, size_t count);
/* Fields read from at[used .. size); reading past the end sets failed (and reads 0). */
struct gdi_reader {
    const unsigned char *at;
    size_t size, used;
    bool failed;
};
uint32_t gdi_get_u32(struct gdi_reader *r);
uint64_t gdi_get_u64(struct gdi_reader *r);
double gdi_get_f64(struct gdi_reader *r);
/* count doubles into out (NULL: skipped); false when fewer remain. */
bool gdi_get_f64s(struct gdi_reader *r, double *out, size_t count);
/* A u64 that is at most limit (else the reader fails, and 0). */
size_t gdi_get_count(struct gdi_reader *r, size_t limit);
uint32_t gdi_crc32c(const void *bytes, size_t count);
/* The same without SSE4.2's instruction (what CPUs without it compute). */
uint32_t gdi_crc32c_portable(const void *bytes, size_t count);
#ifdef GDI_FAULT_INJECTION
/* Test builds: the k-th write, fsync or rename from now on this thread fails. */
void gdi_io_fault_arm(long k);
bool gdi_io_fault_pending(void);
#endif

/* ---- methods: one line each in methods/list.h, one file each in methods/ ---- */

#define GDI_COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* A method's key and its default for that method. */
struct gdi_param_default {
    gd_param key;
    double value;
};

enum { GDI_MAX_STATE = 3 }; /* the most state vectors of a method */
/* The most schedules of an optimizer, counting SequentialLR's children (and not it). */
enum { GDI_MAX_SCHEDULES = 16 };

/* A contiguous range of x with its own parameter values: torch's parameter group.  The
 * groups of an optimizer cover 0..n-1 in order (lib/groups.c); a method's hooks see one
 * group at a time, as torch's optimizers loop over their groups. */
struct gdi_group {
    size_t first, n; /* the elements first .. first+n-1 */
    double param[GDI_SLOT_COUNT];
    double initial_lr; /* the schedules' base rate (torch's group["initial_lr"]), or NaN */
    /* each schedule's base rate for the group (torch's scheduler.base_lrs), at the
     * slot the schedule was given when added (lib/schedule.c) */
    double schedule_base[GDI_MAX_SCHEDULES];
    bool state_ready; /* the group's state holds moments (set by its first update) */
    enum gdi_level level;
    bool single;                /* the optimizer's precision: float (else double) */
    void *rule;                 /* the method's own struct for this group */
    void *state[GDI_MAX_STATE]; /* the optimizer's state vectors from element first */
};

/* Bytes of an element of x, of the gradient and of the state vectors. */
static inline size_t gdi_element_size(bool single)
{
    return single ? sizeof(float) : sizeof(double);
}

/* The group's state vector v from its element offset (NULL for a vector not kept). */
static inline void *gdi_state_at(const struct gdi_group *group, size_t v, size_t offset)
{
    char *start = group->state[v];
    return start ? start + offset * gdi_element_size(group->single) : NULL;
}

/* Value of a group's parameter by key; the key must be valid for the method. */
static inline double gdi_group_param(const struct gdi_group *group, gd_param key)
{
    return group->param[gdi_param_slot(key)];
}

/* A scalar of torch's state as its 0-dim tensor holds it: rounded to float for a float
 * optimizer (NAdam's mu_product, ASGD's eta and mu). */
static inline double gdi_scalar_state(const struct gdi_group *group, double value)
{
    return group->single ? (double)(float)value : value;
}

/* Sets the group's part of state vector v to value (rounded to float for a float
 * optimizer, as torch's full_like and fill_ round it to the tensor's dtype). */
void gdi_state_fill(const struct gdi_group *group, size_t v, double value);

/* The loop flags every method shares: maximize and a non-zero weight decay. */
static inline unsigned gdi_direction_flags(const struct gdi_group *group)
{
    unsigned flags = 0;
    if (gdi_group_param(group, GD_PARAM_MAXIMIZE) != 0.0)
        flags |= GDI_MAXIMIZE;
    if (gdi_group_param(group, GD_PARAM_WEIGHT_DECAY) != 0.0)
        flags |= GDI_DECAY;
    return flags;
}

/* An update rule. */
struct gdi_method {
    const char *name;
    const struct gdi_param_default *params; /* the method's keys with their defaults */
    size_t param_count;
    /* torch's names of the state vectors of n elements each (at most GDI_MAX_STATE) */
    const char *const *state_names;
    size_t state_vectors;
    bool keeps_step; /* torch's state has "step" */
    /* torch's names of the other scalars of the state (NAdam's "mu_product", ASGD's
     * "eta" and "mu"), and their values now (their initial ones before the first
     * update). */
    const char *const *scalar_names;
    size_t scalars;
    double (*scalar)(const struct gdi_group *group, size_t i);
    /* Sets scalar i, as a loaded state gives it (after select). */
    void (*set_scalar)(struct gdi_group *group, size_t i, double value);
    /* Optional: whether a loaded state's scalars of a group (read into its param and
     * state_ready, its rule not yet selected) are the values scalar would give back:
     * NAdam's and ASGD's initial values before the group's first update, L-BFGS's
     * func_evals and n_iter the state's counters. */
    bool (*scalars_ok)(const struct gdi_group *group, const double *scalars, size_t step,
                       size_t evaluations);
    /* Whether torch keeps state vector v under the group's parameters (NULL: always). */
    bool (*state_kept)(const struct gdi_group *group, size_t v);
    /* Bytes of the method's own struct (a group's rule): its coefficients and loops. */
    size_t rule_size;
    /* Cross-parameter rules (such as Nesterov's); param is indexed by slot. */
    bool (*params_ok)(const double *param);
    /* For the group's parameters: chooses the loops and fills the coefficients of its
     * rule that do not change from step to step.  Called at creation, reset and every
     * change of a parameter of the group. */
    void (*select)(struct gdi_group *group);
    /* The step-th update (counted from 1) of a group, in two parts: prepare computes
     * what the update's loop needs (per-step coefficients, the loop, state created at
     * the first update) once, then apply runs the loop on the elements offset ..
     * offset+count-1 of the group (x and grad point at element offset, and are
     * floats or doubles as group->single says), once for the whole group or block by
     * block (lib/groups.c: a clipped gradient is scaled into a small buffer a block at
     * a time).  prepare may be NULL (nothing per step); apply is NULL for a method
     * that evaluates inside its steps (L-BFGS): gd_optimizer_update refuses it, it has
     * one group, and no float optimizer. */
    void (*prepare)(struct gdi_group *group, size_t step);
    void (*apply)(const struct gdi_group *group, size_t offset, size_t count, void *x,
                  const void *grad);
    /* Optional, for such a method: its own loop of gd_minimize (traj may be NULL) and
     * of gd_step (max_iter 1), called instead of the update loop of lib/minimize.c.
     * Evaluates through gdi_evaluate; *f_start receives f at the start.  Returns a
     * positive GD_STOP_* reason or a negative error. */
    int (*run)(gd_optimizer *opt, gd_objective *obj, double *x, gd_trajectory *traj,
               size_t max_iter, double *f_start);
    /* Optional: allocates what the current parameters need besides the state vectors
     * (L-BFGS's history, in its one group's rule), at creation and at every change of a
     * parameter, before select; GD_ENOMEM keeps the old allocation (and the
     * parameter's old value). */
    int (*allocate)(gd_optimizer *opt);
    /* Optional: frees what allocate allocated (also after a failed allocate). */
    void (*release)(gd_optimizer *opt);
    /* Optional, with allocate: what a saved state holds besides the state vectors
     * (L-BFGS's history), written after them; load_extra checks it (apply false:
     * nothing changes) against the state's parameters, or, after allocate, takes it
     * (apply true, on a state it has checked). */
    void (*save_extra)(const gd_optimizer *opt, struct gdi_writer *w);
    bool (*load_extra)(gd_optimizer *opt, const double *param, struct gdi_reader *r, bool apply);
};

/* The gd_method value of a method. */
unsigned gdi_method_index(const struct gdi_method *m);

#define GDI_METHOD(value, name, file, avx512) extern const struct gdi_method gdi_##name##_method;
#include "methods/list.h"
#undef GDI_METHOD

/* ---- schedules (lib/schedule.c) ---- */

/* Schedules read from a saved state, before they replace an optimizer's. */
struct gdi_schedule_set {
    struct gd_schedule **schedules;
    size_t count, slots;
};
void gdi_schedules_save(const gd_optimizer *opt, struct gdi_writer *w);
/* GD_OK; GD_EFORMAT for content no schedule has; GD_EINVAL for a lambda schedule
 * without one of the same kind, at the same place, in opt to take its function from;
 * GD_ENOMEM.  On error set is empty. */
int gdi_schedules_read(const gd_optimizer *opt, struct gdi_reader *r, struct gdi_schedule_set *set);
/* Replaces opt's schedules by set's (which is left empty). */
void gdi_schedules_replace(gd_optimizer *opt, struct gdi_schedule_set *set);
void gdi_schedule_set_free(struct gdi_schedule_set *set);
/* Frees the optimizer's schedules (gd_optimizer_free, gd_optimizer_clear_schedules). */
void gdi_schedules_free(gd_optimizer *opt);

/* ---- optimizer ---- */

enum { GDI_CLIP_BLOCK = 512 }; /* elements of the clipped gradient scaled at a time */

struct gd_optimizer {
    const struct gdi_method *method;
    size_t n;
    /* Every key's value as gd_optimizer_set() last set it (or its default): the run
     * keys' values, and the method keys' outside the ranges and schedules, which act
     * on the groups' own values. */
    double param[GDI_SLOT_COUNT];
    bool applies[GDI_SLOT_COUNT];
    enum gdi_level level; /* of the update loops, fixed at creation */
    /* float x, gradients and state vectors (gd_optimizer_new_f32): only
     * gd_optimizer_update_f32 updates it, and gd_step and gd_minimize refuse it */
    bool single;
    struct gdi_group *groups;
    size_t group_count;
    unsigned char *rules; /* group_count rules, one every rule_stride bytes */
    size_t rule_stride;
    size_t step; /* updates applied since creation or reset (PyTorch's t) */
    /* method->state_vectors vectors of n elements, each allocated on its own: in one
     * block the adaptive methods ran 1.2-1.3x slower at n = 1e6 (bench/bench_layout.c). */
    void *state[GDI_MAX_STATE];
    /* The gradient of the last successful evaluation, and the buffer the next one
     * writes (they swap on success: lib/minimize.c). */
    double *grad, *spare_grad;
    double *x_prev; /* gd_minimize's last accepted iterate */
    /* The run summary: evaluations since creation or reset, and the last successful
     * evaluation's f and gradient norm (the norm NaN while not computed: gd_step leaves
     * it to gd_optimizer_last_grad_norm). */
    size_t evaluations;
    double last_f, last_grad_norm;
    /* Where the sampler was before the last successful evaluation drew its batch. */
    gdi_sampler_position last_draw_from;
    bool running; /* inside gd_step or gd_minimize: refuses to be run again (GD_EBUSY) */
    union {       /* a block of the clipped gradient (lib/groups.c), in the precision of x */
        double f64[GDI_CLIP_BLOCK];
        float f32[GDI_CLIP_BLOCK];
    } clip_block;
    gd_monitor_fn monitor;
    void *monitor_user;
    gdi_sampler sampler;
    /* The learning-rate schedules, in the order they act (lib/schedule.c). */
    struct gd_schedule **schedules;
    size_t schedule_count;
    size_t schedule_slots; /* of the groups' schedule_base in use */
};

/* Value of a parameter as gd_optimizer_set() last set it: for run keys (the method's
 * keys act through the groups' values, gdi_group_param). */
static inline double gdi_opt_param(const gd_optimizer *opt, gd_param key)
{
    return opt->param[gdi_param_slot(key)];
}

/* The step count as torch's state holds it: for a float optimizer a float32 tensor,
 * which stops at 2^24, where adding 1 rounds back. */
static inline size_t gdi_torch_step(const gd_optimizer *opt)
{
    size_t float_limit = (size_t)1 << 24;
    return opt->single && opt->step > float_limit ? float_limit : opt->step;
}

/* Whether the method's GD_PARAM_LINE_SEARCH is set to a line search.  For a method
 * with an update (SGD's backtracking, lib/minimize.c) the update loop of gd_minimize
 * and gd_step then takes its line search move instead of gdi_update, and
 * gd_optimizer_update and the ranges are refused: it has one group. */
static inline bool gdi_line_search_on(const gd_optimizer *opt)
{
    int slot = gdi_param_slot(GD_PARAM_LINE_SEARCH);
    return opt->applies[slot] && opt->param[slot] != GD_LINE_SEARCH_NONE;
}

/* ---- groups (lib/groups.c) ---- */

/* g's count elements clamped to [-clip_value, clip_value] (when clip_value is not 0;
 * a NaN stays NaN, as in torch's clamp) and multiplied by scale, into block
 * (lib/kernels/clip.c). */
void gdi_clip_into(double *restrict block, const double *restrict g, size_t count,
                   double clip_value, double scale);
/* The same for floats, clip_value and scale rounded to float. */
void gdi_clip_into_f32(float *restrict block, const float *restrict g, size_t count,
                       double clip_value, double scale);
/* torch's 2-norm on its scalar CPU path (torch.norm, as clip_grad_norm_ takes it), in
 * the elements' type: for floats, eight lanes, element i's square added to lane i mod
 * 8 over the whole multiples of 8, the lanes summed in order, the remaining squares
 * added one by one, and a square root; for doubles one lane, the squares summed in
 * order (measured against torch 1.13's results). */
enum { GDI_LANES_F64 = 1, GDI_LANES_F32 = 8 };
struct gdi_norm_lanes {
    double f64[GDI_LANES_F64];
    float f32[GDI_LANES_F32];
};
/* Adds the squares of v[0 .. count - count % lanes) to the lanes. */
void gdi_lanes_add_squares(struct gdi_norm_lanes *lanes, const double *v, size_t count);
void gdi_lanes_add_squares_f32(struct gdi_norm_lanes *lanes, const float *v, size_t count);
/* The norm: the lanes' sum, plus the squares of the count elements of tail. */
double gdi_lanes_norm(const struct gdi_norm_lanes *lanes, const double *tail, size_t count);
float gdi_lanes_norm_f32(const struct gdi_norm_lanes *lanes, const float *tail, size_t count);
/* Replaces the groups by count new ones (taking the arrays; rules zeroed, or for a
 * method with allocate, which has one group, the old rule) and selects their rules. */
void gdi_groups_replace(gd_optimizer *opt, struct gdi_group *groups, unsigned char *rules,
                        size_t count);
/* One group over all of x with the optimizer's values; GD_ENOMEM on failure. */
int gdi_groups_init(gd_optimizer *opt);
void gdi_groups_free(gd_optimizer *opt);
/* Whether every group's parameters with slot set to value keep the method's rules
 * (method->params_ok). */
bool gdi_groups_allow(const gd_optimizer *opt, int slot, double value);
/* Sets a method key's slot to value in every group (which gdi_groups_allow must have
 * allowed), then merges the groups left equal. */
void gdi_groups_set(gd_optimizer *opt, int slot, double value);
/* Sets a method key's slot to value in the elements first .. first+count-1 (within
 * 0..n-1), splitting groups at the ends, then merges neighbours left equal.  GD_EINVAL
 * when the method's rules refuse a group's new parameters, GD_ENOMEM; either way
 * nothing changes. */
int gdi_groups_set_range(gd_optimizer *opt, size_t first, size_t count, int slot, double value);
/* The group holding element index (< n). */
const struct gdi_group *gdi_group_holding(const gd_optimizer *opt, size_t index);
/* Recomputes every group's rule (method->select) and forgets its moments. */
void gdi_groups_restart(gd_optimizer *opt);
size_t gdi_group_count(const gd_optimizer *opt);
struct gdi_group *gdi_group_at(gd_optimizer *opt, size_t i);
/* After a schedule changed a group's lr, momentum or beta1: recomputes its rule. */
void gdi_group_changed(gd_optimizer *opt, struct gdi_group *group);
/* The key a schedule cycles as momentum: GD_PARAM_MOMENTUM, GD_PARAM_BETA1, or -1. */
int gdi_momentum_key(const gd_optimizer *opt);

/* The one update path of gd_optimizer_update, gd_optimizer_update_f32, gd_step and
 * gd_minimize: the step count, gradient clipping, then the method's rule on every
 * group.  x and grad are floats for a float optimizer (opt->single), else doubles. */
void gdi_update(gd_optimizer *opt, void *x, const void *grad);

/* ---- evaluation, shared by lib/minimize.c and the methods with their own run ---- */

/* A count parameter (max_iter, max_eval, ...) as a size_t. */
size_t gdi_count_param(const gd_optimizer *opt, gd_param key);
/* Evaluates obj at x into the run summary: f in opt->last_f, the gradient in
 * opt->grad (its norm in opt->last_grad_norm when with_norm, else NaN), counted in
 * opt->evaluations.  A non-finite f or gradient is GD_EDIVERGED; on failure the
 * summary keeps the last successful evaluation. */
int gdi_evaluate(gd_optimizer *opt, gd_objective *obj, const double *x, bool with_norm);
/* Makes an earlier evaluation (f and its gradient, n values) the run summary's, as
 * when a line search accepts a point that is not its last evaluated one. */
void gdi_summary_set(gd_optimizer *opt, double f, const double *grad);

/* ---- trajectory ---- */

int gdi_trajectory_append(gd_trajectory *traj, size_t iter, double f, double grad_norm,
                          const double *x);
size_t gdi_trajectory_stride(const gd_trajectory *traj);

#endif /* GD_INTERNAL_H */
