/*
 * state.c - saved states: everything that decides an optimizer's next update, as
 * little-endian bytes with a CRC-32C, and their atomic replacement in files.  The
 * layout is doc/state-format.md's; this file writes and reads it in that order.
 *
 * Loading checks the whole state (its checksum, then every field) and allocates what
 * it needs before it changes anything, so that every refusal leaves the optimizer as
 * it was.
 * SPDX-License-Identifier: MIT
 */
#define _XOPEN_SOURCE 700 /* mkstemp, fsync */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static const unsigned char magic[8] = {'G', 'D', 'S', 'T', 'A', 'T', 'E', 0};
enum {
    FORMAT_VERSION = 1,
    PRECISION_DOUBLE = 0,
    PRECISION_FLOAT = 1, /* the state vectors are floats (gd_optimizer_new_f32) */
    HEADER_BYTES = 40,   /* magic, version, precision, method, reserved, n, size */
    CHECKSUM_BYTES = 4,  /* the CRC-32C of everything before it */
};

/* ---- little-endian fields ---- */

static void put_bytes(struct gdi_writer *w, const void *bytes, size_t count)
{
    if (w->at)
        memcpy(w->at + w->used, bytes, count);
    w->used += count;
}

/* The low `count` bytes of v, least significant first. */
static void put_little_endian(struct gdi_writer *w, uint64_t v, int count)
{
    unsigned char b[8];
    for (int i = 0; i < count; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    put_bytes(w, b, (size_t)count);
}

void gdi_put_u32(struct gdi_writer *w, uint32_t v)
{
    put_little_endian(w, v, 4);
}

void gdi_put_u64(struct gdi_writer *w, uint64_t v)
{
    put_little_endian(w, v, 8);
}

static uint64_t bits_of(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return u;
}

void gdi_put_f64(struct gdi_writer *w, double v)
{
    gdi_put_u64(w, bits_of(v));
}

/* On a little-endian machine (every one libgd is built for so far) a vector is one
 * copy; elsewhere, field by field. */
static bool little_endian(void)
{
    const uint16_t one = 1;
    unsigned char first;
    memcpy(&first, &one, 1);
    return first == 1;
}

void gdi_put_f64s(struct gdi_writer *w, const double *v, size_t count)
{
    if (little_endian()) {
        put_bytes(w, v, count * sizeof *v);
        return;
    }
    for (size_t i = 0; i < count; i++)
        gdi_put_f64(w, v[i]);
}

/* A state vector: n doubles, or n floats for a float optimizer. */
static void put_vector(struct gdi_writer *w, const gd_optimizer *opt, const void *v)
{
    if (!opt->single) {
        gdi_put_f64s(w, v, opt->n);
        return;
    }
    const float *floats = v;
    if (little_endian()) {
        put_bytes(w, floats, opt->n * sizeof *floats);
        return;
    }
    for (size_t i = 0; i < opt->n; i++) {
        uint32_t u;
        memcpy(&u, &floats[i], sizeof u);
        gdi_put_u32(w, u);
    }
}

static const unsigned char *take(struct gdi_reader *r, size_t count)
{
    if (r->failed || r->size - r->used < count) {
        r->failed = true;
        return NULL;
    }
    const unsigned char *at = r->at + r->used;
    r->used += count;
    return at;
}

/* `count` bytes, least significant first (0 past the end). */
static uint64_t get_little_endian(struct gdi_reader *r, int count)
{
    const unsigned char *b = take(r, (size_t)count);
    uint64_t v = 0;
    for (int i = 0; b && i < count; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

uint32_t gdi_get_u32(struct gdi_reader *r)
{
    return (uint32_t)get_little_endian(r, 4);
}

uint64_t gdi_get_u64(struct gdi_reader *r)
{
    return get_little_endian(r, 8);
}

double gdi_get_f64(struct gdi_reader *r)
{
    uint64_t u = gdi_get_u64(r);
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

bool gdi_get_f64s(struct gdi_reader *r, double *out, size_t count)
{
    if (count > SIZE_MAX / sizeof(double)) {
        r->failed = true;
        return false;
    }
    const unsigned char *b = take(r, count * sizeof(double));
    if (!b || !out)
        return b != NULL;
    if (little_endian()) {
        memcpy(out, b, count * sizeof(double));
        return true;
    }
    struct gdi_reader each = {b, count * sizeof(double), 0, false};
    for (size_t i = 0; i < count; i++)
        out[i] = gdi_get_f64(&each);
    return true;
}

/* A state vector into out (NULL: skipped); false when fewer bytes remain. */
static bool get_vector(struct gdi_reader *r, const gd_optimizer *opt, void *out)
{
    if (!opt->single)
        return gdi_get_f64s(r, out, opt->n);
    const unsigned char *b = take(r, opt->n * sizeof(float)); /* n < SIZE_MAX / 8 */
    if (!b || !out)
        return b != NULL;
    if (little_endian()) {
        memcpy(out, b, opt->n * sizeof(float));
        return true;
    }
    struct gdi_reader each = {b, opt->n * sizeof(float), 0, false};
    float *floats = out;
    for (size_t i = 0; i < opt->n; i++) {
        uint32_t u = gdi_get_u32(&each);
        memcpy(&floats[i], &u, sizeof u);
    }
    return true;
}

size_t gdi_get_count(struct gdi_reader *r, size_t limit)
{
    uint64_t v = gdi_get_u64(r);
    if (v > limit) {
        r->failed = true;
        return 0;
    }
    return (size_t)v;
}

/* ---- CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) ---- */

/* Bytewise with a table made on the stack: 256 steps per call. */
static uint32_t crc32c_bytewise(uint32_t crc, const unsigned char *bytes, size_t count)
{
    uint32_t table[256];
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        table[i] = c;
    }
    for (size_t i = 0; i < count; i++)
        crc = table[(crc ^ bytes[i]) & 0xFF] ^ (crc >> 8);
    return crc;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <nmmintrin.h>
/* SSE4.2's crc32 instruction computes the same CRC-32C, 8 bytes at a time: a state is
 * checksummed at memory speed rather than at about 0.4 GB/s (bench/bench_state.c). */
__attribute__((target("sse4.2"))) static uint32_t
crc32c_sse42(uint32_t crc, const unsigned char *bytes, size_t count)
{
    uint64_t c = crc;
    for (; count >= 8; bytes += 8, count -= 8) {
        uint64_t word;
        memcpy(&word, bytes, sizeof word);
        c = _mm_crc32_u64(c, word);
    }
    crc = (uint32_t)c;
    for (; count > 0; bytes++, count--)
        crc = _mm_crc32_u8(crc, *bytes);
    return crc;
}

static bool has_sse42(void)
{
    return __builtin_cpu_supports("sse4.2");
}
#else
static uint32_t crc32c_sse42(uint32_t crc, const unsigned char *bytes, size_t count)
{
    return crc32c_bytewise(crc, bytes, count);
}

static bool has_sse42(void)
{
    return false;
}
#endif

uint32_t gdi_crc32c_portable(const void *bytes, size_t count)
{
    return crc32c_bytewise(0xFFFFFFFFu, bytes, count) ^ 0xFFFFFFFFu;
}

uint32_t gdi_crc32c(const void *bytes, size_t count)
{
    uint32_t crc = 0xFFFFFFFFu;
    crc = has_sse42() ? crc32c_sse42(crc, bytes, count) : crc32c_bytewise(crc, bytes, count);
    return crc ^ 0xFFFFFFFFu;
}

/* ---- writing ---- */

/* The keys that apply to the optimizer (or, with only_method, its method's keys) with
 * their values in param, as (key, value) pairs after their count. */
static void put_params(struct gdi_writer *w, const gd_optimizer *opt, const double *param,
                       bool only_method)
{
    uint32_t count = 0;
    for (int slot = 0; slot < GDI_SLOT_COUNT; slot++)
        count += opt->applies[slot] && (!only_method || gdi_param_group(slot) == GDI_GROUP_METHOD);
    gdi_put_u32(w, count);
    for (int slot = 0; slot < GDI_SLOT_COUNT; slot++)
        if (opt->applies[slot] && (!only_method || gdi_param_group(slot) == GDI_GROUP_METHOD)) {
            gdi_put_u32(w, (uint32_t)gdi_param_key(slot));
            gdi_put_f64(w, param[slot]);
        }
}

static void put_sampler(struct gdi_writer *w, const gdi_sampler *s, gdi_sampler_position last)
{
    gdi_put_u64(w, s->m);
    gdi_put_u64(w, s->next);
    gdi_put_u64(w, s->rng.state);
    gdi_put_u64(w, last.next);
    gdi_put_u64(w, last.rng.state);
    for (size_t i = 0; i < s->m; i++)
        gdi_put_u64(w, s->order[i]);
}

static void put_group(struct gdi_writer *w, const gd_optimizer *opt, const struct gdi_group *g)
{
    gdi_put_u64(w, g->first);
    gdi_put_u64(w, g->n);
    gdi_put_f64(w, g->initial_lr);
    gdi_put_u32(w, g->state_ready);
    put_params(w, opt, g->param, true);
    gdi_put_u32(w, (uint32_t)opt->schedule_slots);
    gdi_put_f64s(w, g->schedule_base, opt->schedule_slots);
    const struct gdi_method *m = opt->method;
    gdi_put_u32(w, (uint32_t)m->scalars);
    for (size_t i = 0; i < m->scalars; i++)
        gdi_put_f64(w, m->scalar(g, i));
}

/* Everything after the header and before the checksum. */
static void put_body(struct gdi_writer *w, const gd_optimizer *opt)
{
    gdi_put_u64(w, opt->step);
    gdi_put_u64(w, opt->evaluations);
    gdi_put_f64(w, opt->last_f);
    /* computed here when a run left it to gd_optimizer_last_grad_norm; NaN (as loaded)
     * when there was no evaluation */
    gdi_put_f64(w, isnan(opt->last_f) ? opt->last_grad_norm : gd_optimizer_last_grad_norm(opt));
    put_params(w, opt, opt->param, false);
    put_sampler(w, &opt->sampler, opt->last_draw_from);
    gdi_put_u64(w, opt->group_count);
    for (size_t k = 0; k < opt->group_count; k++)
        put_group(w, opt, &opt->groups[k]);
    gdi_put_u32(w, (uint32_t)opt->method->state_vectors);
    for (size_t v = 0; v < opt->method->state_vectors; v++)
        put_vector(w, opt, opt->state[v]);
    if (opt->method->save_extra)
        opt->method->save_extra(opt, w);
    gdi_schedules_save(opt, w);
}

static void put_header(struct gdi_writer *w, const gd_optimizer *opt, size_t total)
{
    put_bytes(w, magic, sizeof magic);
    gdi_put_u32(w, FORMAT_VERSION);
    gdi_put_u32(w, opt->single ? PRECISION_FLOAT : PRECISION_DOUBLE);
    gdi_put_u32(w, (uint32_t)gdi_method_index(opt->method));
    gdi_put_u32(w, 0);
    gdi_put_u64(w, opt->n);
    gdi_put_u64(w, total);
}

size_t gd_optimizer_state_size(const gd_optimizer *opt)
{
    if (!opt)
        return 0;
    struct gdi_writer counter = {NULL, 0};
    put_header(&counter, opt, 0);
    put_body(&counter, opt);
    return counter.used + CHECKSUM_BYTES;
}

int gd_optimizer_save(const gd_optimizer *opt, void *buf, size_t size)
{
    if (!opt || !buf)
        return GD_EINVAL;
    size_t total = gd_optimizer_state_size(opt);
    if (size < total)
        return GD_EINVAL;
    struct gdi_writer w = {buf, 0};
    put_header(&w, opt, total);
    put_body(&w, opt);
    gdi_put_u32(&w, gdi_crc32c(buf, w.used));
    return GD_OK;
}

/* ---- reading ---- */

/* A state's content before it replaces the optimizer's, all of it checked. */
struct staged {
    double param[GDI_SLOT_COUNT];
    size_t step, evaluations;
    double last_f, last_grad_norm;
    size_t m, next;
    uint64_t rng, last_next, last_rng;
    size_t *order;
    struct gdi_group *groups;
    unsigned char *rules;
    size_t group_count;
    double *scalars;             /* the method's scalars, group after group */
    size_t vectors_at, extra_at; /* reader offsets of the state vectors and the extra */
    size_t group_slots;          /* the schedule slots every group listed */
    struct gdi_schedule_set schedules;
    bool out_of_memory; /* a refusal for want of memory, not of the state's content */
};

static void staged_free(struct staged *st)
{
    gdi_free(st->order);
    gdi_free(st->groups);
    gdi_free(st->rules);
    gdi_free(st->scalars);
    gdi_schedule_set_free(&st->schedules);
}

/* (key, value) pairs into param: every key that applies (with only_method, every
 * method key) once, in the order of their slots, each value in its range. */
static bool get_params(struct gdi_reader *r, const gd_optimizer *opt, double *param,
                       bool only_method)
{
    int last = -1; /* the keys in the order of their slots, as put_params writes them */
    uint32_t count = gdi_get_u32(r), expected = 0;
    for (int slot = 0; slot < GDI_SLOT_COUNT; slot++)
        expected +=
            opt->applies[slot] && (!only_method || gdi_param_group(slot) == GDI_GROUP_METHOD);
    if (count != expected)
        return false;
    for (uint32_t i = 0; i < count && !r->failed; i++) {
        uint32_t key = gdi_get_u32(r);
        double value = gdi_get_f64(r);
        int slot = key <= INT32_MAX ? gdi_param_slot((gd_param)key) : -1;
        bool wanted = slot > last && opt->applies[slot] &&
                      (!only_method || gdi_param_group(slot) == GDI_GROUP_METHOD);
        /* A group's lr is what its schedules made it, which may leave lr's range (an
         * ExponentialLR with gamma > 1 reaches infinity, as torch's does). */
        bool scheduled = only_method && key == GD_PARAM_LR;
        if (!wanted || (!scheduled && !gdi_param_value_ok((gd_param)key, value)))
            return false;
        last = slot;
        param[slot] = value;
    }
    return !r->failed && (!opt->method->params_ok || opt->method->params_ok(param));
}

static bool get_sampler(struct gdi_reader *r, struct staged *st)
{
    st->m = gdi_get_count(r, SIZE_MAX / sizeof(size_t));
    st->next = gdi_get_count(r, st->m);
    st->rng = gdi_get_u64(r);
    st->last_next = gdi_get_count(r, st->m);
    st->last_rng = gdi_get_u64(r);
    if (r->failed || st->m > (r->size - r->used) / 8)
        return false;
    if (st->m == 0)
        return true;
    st->order = gdi_alloc_array(st->m, sizeof *st->order);
    bool *taken = st->order ? gdi_calloc_array(st->m, sizeof *taken) : NULL;
    bool ok = taken != NULL;
    st->out_of_memory = !ok;
    for (size_t i = 0; ok && i < st->m; i++) { /* a permutation of 0..m-1 */
        uint64_t term = gdi_get_u64(r);
        ok = term < st->m && !taken[term];
        if (ok) {
            taken[term] = true;
            st->order[i] = (size_t)term;
        }
    }
    gdi_free(taken);
    return ok;
}

static bool get_group(struct gdi_reader *r, const gd_optimizer *opt, struct staged *st,
                      struct gdi_group *g, size_t first, double *scalar)
{
    memset(g, 0, sizeof *g);
    g->level = opt->level;
    g->single = opt->single;
    g->first = gdi_get_count(r, opt->n);
    g->n = gdi_get_count(r, opt->n);
    g->initial_lr = gdi_get_f64(r);
    uint32_t ready = gdi_get_u32(r);
    if (r->failed || g->first != first || g->n == 0 || g->n > opt->n - first || ready > 1)
        return false;
    if (!isnan(g->initial_lr) && !(isfinite(g->initial_lr) && g->initial_lr >= 0.0))
        return false;
    g->state_ready = ready == 1;
    memcpy(g->param, st->param, sizeof g->param);
    if (!get_params(r, opt, g->param, true))
        return false;
    uint32_t slots = gdi_get_u32(r);
    if (slots > GDI_MAX_SCHEDULES || (st->group_count > 0 && slots != st->group_slots))
        return false;
    st->group_slots = slots;
    gdi_get_f64s(r, g->schedule_base, slots);
    uint32_t scalars = gdi_get_u32(r);
    if (scalars != opt->method->scalars)
        return false;
    for (uint32_t i = 0; i < scalars; i++) /* any value: a run may have made it NaN */
        scalar[i] = gdi_get_f64(r);        /* set after select, when it is committed */
    return !r->failed;
}

static bool get_groups(struct gdi_reader *r, const gd_optimizer *opt, struct staged *st)
{
    size_t count = gdi_get_count(r, opt->n), scalars = opt->method->scalars;
    if (r->failed || count == 0 || (!opt->method->apply && count != 1))
        return false; /* L-BFGS has one group */
    st->groups = gdi_calloc_array(count, sizeof *st->groups);
    st->rules = gdi_calloc_array(count, opt->rule_stride);
    st->scalars = gdi_calloc_array(count * scalars + 1, sizeof *st->scalars);
    if (!st->groups || !st->rules || !st->scalars) {
        st->out_of_memory = true;
        return false;
    }
    size_t first = 0;
    for (size_t k = 0; k < count; k++) {
        if (!get_group(r, opt, st, &st->groups[k], first, st->scalars + k * scalars))
            return false;
        first += st->groups[k].n;
        st->group_count = k + 1;
    }
    return first == opt->n;
}

/* The body after the header, checked and staged; GD_OK, GD_EFORMAT, GD_EINVAL (a
 * lambda schedule whose function opt lacks) or GD_ENOMEM. */
static int stage_body(struct gdi_reader *r, gd_optimizer *opt, struct staged *st)
{
    st->step = gdi_get_count(r, SIZE_MAX);
    st->evaluations = gdi_get_count(r, SIZE_MAX);
    st->last_f = gdi_get_f64(r);
    st->last_grad_norm = gdi_get_f64(r);
    /* a norm exactly when there was an evaluation: the state has no gradient to
     * compute one from */
    if (!isnan(st->last_f) != !isnan(st->last_grad_norm))
        return GD_EFORMAT;
    memcpy(st->param, opt->param, sizeof st->param);
    bool ok = !r->failed && get_params(r, opt, st->param, false) && get_sampler(r, st) &&
              get_groups(r, opt, st);
    for (size_t k = 0; ok && opt->method->scalars_ok && k < st->group_count; k++)
        ok = opt->method->scalars_ok(&st->groups[k], st->scalars + k * opt->method->scalars,
                                     st->step, st->evaluations);
    if (ok && gdi_get_u32(r) != opt->method->state_vectors)
        ok = false;
    st->vectors_at = r->used;
    for (size_t v = 0; ok && v < opt->method->state_vectors; v++)
        ok = get_vector(r, opt, NULL);
    st->extra_at = r->used;
    if (ok && opt->method->load_extra)
        ok = opt->method->load_extra(opt, st->param, r, false);
    if (!ok)
        return st->out_of_memory ? GD_ENOMEM : GD_EFORMAT;
    int rc = gdi_schedules_read(opt, r, &st->schedules);
    if (rc != GD_OK)
        return rc;
    if (st->schedules.slots != st->group_slots || r->used != r->size)
        return GD_EFORMAT;
    return GD_OK;
}

/* What a method with its own allocation (L-BFGS's history) needs for the staged
 * parameters, allocated last: after it nothing can fail. */
static int allocate_for(gd_optimizer *opt, const struct staged *st)
{
    if (!opt->method->allocate)
        return GD_OK;
    double kept[GDI_SLOT_COUNT];
    memcpy(kept, opt->param, sizeof kept);
    memcpy(opt->param, st->param, sizeof kept);
    int rc = opt->method->allocate(opt);
    if (rc != GD_OK)
        memcpy(opt->param, kept, sizeof kept);
    return rc;
}

static void commit_sampler(gd_optimizer *opt, struct staged *st)
{
    gdi_sampler *s = &opt->sampler;
    gdi_free(s->order);
    s->order = st->order;
    st->order = NULL;
    s->m = st->m;
    s->next = st->next;
    s->rng.state = st->rng;
    opt->last_draw_from = (gdi_sampler_position){st->last_next, {st->last_rng}};
}

static void commit(gd_optimizer *opt, struct staged *st, const unsigned char *buf)
{
    memcpy(opt->param, st->param, sizeof opt->param);
    opt->step = st->step;
    opt->evaluations = st->evaluations;
    opt->last_f = st->last_f;
    opt->last_grad_norm = st->last_grad_norm;
    commit_sampler(opt, st);
    gdi_groups_replace(opt, st->groups, st->rules, st->group_count);
    st->groups = NULL;
    st->rules = NULL;
    const struct gdi_method *m = opt->method;
    for (size_t k = 0; k < opt->group_count; k++)
        for (size_t i = 0; i < m->scalars; i++)
            m->set_scalar(&opt->groups[k], i, st->scalars[k * m->scalars + i]);
    struct gdi_reader vectors = {buf, st->extra_at, st->vectors_at, false};
    for (size_t v = 0; v < m->state_vectors; v++)
        get_vector(&vectors, opt, opt->state[v]);
    if (m->load_extra) {
        struct gdi_reader extra = {buf, SIZE_MAX, st->extra_at, false};
        m->load_extra(opt, opt->param, &extra, true);
    }
    gdi_schedules_replace(opt, &st->schedules);
}

/* The header: GD_EFORMAT for what is not a whole state of this format, GD_EINVAL for
 * a state of another method, size or precision. */
static int check_header(const gd_optimizer *opt, const unsigned char *buf, size_t size)
{
    if (size < HEADER_BYTES + CHECKSUM_BYTES || memcmp(buf, magic, sizeof magic) != 0)
        return GD_EFORMAT;
    struct gdi_reader r = {buf, size, sizeof magic, false};
    uint32_t version = gdi_get_u32(&r), precision = gdi_get_u32(&r);
    uint32_t method = gdi_get_u32(&r), reserved = gdi_get_u32(&r);
    uint64_t n = gdi_get_u64(&r), total = gdi_get_u64(&r);
    if (total != size || version == 0 || version > FORMAT_VERSION || reserved != 0)
        return GD_EFORMAT;
    struct gdi_reader end = {buf + size - CHECKSUM_BYTES, CHECKSUM_BYTES, 0, false};
    if (gdi_get_u32(&end) != gdi_crc32c(buf, size - CHECKSUM_BYTES))
        return GD_EFORMAT;
    uint32_t own_precision = opt->single ? PRECISION_FLOAT : PRECISION_DOUBLE;
    if (precision != own_precision || method != gdi_method_index(opt->method) || n != opt->n)
        return GD_EINVAL;
    return GD_OK;
}

int gd_optimizer_load(gd_optimizer *opt, const void *buf, size_t size)
{
    if (!opt || !buf)
        return GD_EINVAL;
    if (opt->running)
        return GD_EBUSY;
    int rc = check_header(opt, buf, size);
    if (rc != GD_OK)
        return rc;
    struct staged st = {0};
    struct gdi_reader r = {buf, size - CHECKSUM_BYTES, HEADER_BYTES, false};
    rc = stage_body(&r, opt, &st);
    if (rc == GD_OK)
        rc = allocate_for(opt, &st);
    if (rc == GD_OK)
        commit(opt, &st, buf);
    staged_free(&st);
    return rc;
}

/* ---- files ---- */

#ifdef GDI_FAULT_INJECTION
/* Test builds only: per-thread countdown to the write, fsync or rename that fails. */
static _Thread_local long io_fault_countdown;

void gdi_io_fault_arm(long k)
{
    io_fault_countdown = k;
}

bool gdi_io_fault_pending(void)
{
    return io_fault_countdown > 0;
}

static bool io_fails(void)
{
    return io_fault_countdown > 0 && --io_fault_countdown == 0;
}
#else
static bool io_fails(void)
{
    return false;
}
#endif

static bool write_all(int fd, const unsigned char *bytes, size_t count)
{
    while (count > 0) {
        ssize_t wrote = io_fails() ? -1 : write(fd, bytes, count);
        if (wrote < 0 && errno == EINTR)
            continue;
        if (wrote <= 0)
            return false;
        bytes += wrote;
        count -= (size_t)wrote;
    }
    return true;
}

static bool sync_fd(int fd)
{
    return !io_fails() && fsync(fd) == 0;
}

/* The directory of path ("." for a bare name, "/" for one in the root), opened to be
 * fsynced after the rename, so that the rename lasts: GD_OK, GD_ENOMEM or GD_EIO.  It
 * is opened before anything is written, so that these errors leave path untouched. */
static int open_directory(const char *path, int *fd)
{
    const char *slash = strrchr(path, '/');
    size_t length = !slash ? 1 : slash == path ? 1 : (size_t)(slash - path);
    char *dir = gdi_alloc_array(length + 1, 1);
    if (!dir)
        return GD_ENOMEM;
    memcpy(dir, !slash ? "." : slash == path ? "/" : path, length);
    dir[length] = '\0';
    *fd = open(dir, O_RDONLY);
    gdi_free(dir);
    return *fd >= 0 ? GD_OK : GD_EIO;
}

/* mkstemp's template: it replaces the six X's by a name no file in the directory has. */
static const char temporary_suffix[] = ".tmp-XXXXXX";

/* Writes the state to a new file beside path, then renames it over path.  Only the
 * last step, the directory's fsync, can fail after the rename: path then holds the new
 * state (which loads), and the rename may not survive a crash. */
static int replace_file(const char *path, const unsigned char *bytes, size_t size)
{
    size_t length = strlen(path);
    char *temporary = gdi_alloc_array(length + sizeof temporary_suffix, 1);
    if (!temporary)
        return GD_ENOMEM;
    int dir_fd = -1, rc = open_directory(path, &dir_fd);
    if (rc != GD_OK) {
        gdi_free(temporary);
        return rc;
    }
    memcpy(temporary, path, length);
    memcpy(temporary + length, temporary_suffix, sizeof temporary_suffix);
    int fd = mkstemp(temporary);
    bool ok = fd >= 0 && write_all(fd, bytes, size) && sync_fd(fd);
    if (fd >= 0 && close(fd) != 0)
        ok = false;
    ok = ok && !io_fails() && rename(temporary, path) == 0;
    if (!ok && fd >= 0)
        unlink(temporary);
    gdi_free(temporary);
    ok = ok && sync_fd(dir_fd);
    close(dir_fd);
    return ok ? GD_OK : GD_EIO;
}

int gd_optimizer_save_file(const gd_optimizer *opt, const char *path)
{
    if (!opt || !path || !*path)
        return GD_EINVAL;
    size_t size = gd_optimizer_state_size(opt);
    unsigned char *bytes = gdi_alloc_array(size, 1);
    if (!bytes)
        return GD_ENOMEM;
    int rc = gd_optimizer_save(opt, bytes, size);
    if (rc == GD_OK)
        rc = replace_file(path, bytes, size);
    gdi_free(bytes);
    return rc;
}

/* The whole file into a new buffer (*size bytes); GD_EIO, GD_ENOMEM. */
static int read_file(const char *path, unsigned char **bytes, size_t *size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return GD_EIO;
    struct stat file; /* a directory's "size" is no state's: only a regular file */
    int rc = fstat(fd, &file) == 0 && S_ISREG(file.st_mode) ? GD_OK : GD_EIO;
    *size = rc == GD_OK ? (size_t)file.st_size : 0;
    *bytes = rc == GD_OK ? gdi_alloc_array(*size > 0 ? *size : 1, 1) : NULL;
    if (rc == GD_OK && !*bytes)
        rc = GD_ENOMEM;
    for (size_t done = 0; rc == GD_OK && done < *size;) {
        ssize_t got = read(fd, *bytes + done, *size - done);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            rc = got == 0 ? GD_EFORMAT : GD_EIO; /* shorter than it was: truncated */
        else
            done += (size_t)got;
    }
    close(fd);
    if (rc != GD_OK) {
        gdi_free(*bytes);
        *bytes = NULL;
    }
    return rc;
}

int gd_optimizer_load_file(gd_optimizer *opt, const char *path)
{
    if (!opt || !path)
        return GD_EINVAL;
    if (opt->running)
        return GD_EBUSY;
    unsigned char *bytes = NULL;
    size_t size = 0;
    int rc = read_file(path, &bytes, &size);
    if (rc == GD_OK)
        rc = gd_optimizer_load(opt, bytes, size);
    gdi_free(bytes);
    return rc;
}
