/*
 * test_saved_layout.c - doc/state-format.md against the code: a state built here byte
 * by byte from the document (not by gd_optimizer_save), checksum included, is the one
 * the library writes, loads, and continues exactly as the optimizer it describes; and
 * states edited at their step field, for the float step count that stops at 2^24.
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <gdescent.h>

/* ---- the document's encoding ---- */

struct bytes {
    unsigned char data[1024];
    size_t used;
};

static void u32(struct bytes *b, uint32_t v)
{
    assert_true(b->used + 4 <= sizeof b->data);
    for (int i = 0; i < 4; i++)
        b->data[b->used++] = (unsigned char)(v >> (8 * i));
}

static void u64(struct bytes *b, uint64_t v)
{
    assert_true(b->used + 8 <= sizeof b->data);
    for (int i = 0; i < 8; i++)
        b->data[b->used++] = (unsigned char)(v >> (8 * i));
}

static void f64(struct bytes *b, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    u64(b, bits);
}

static void pair(struct bytes *b, gd_param key, double value)
{
    u32(b, (uint32_t)key);
    f64(b, value);
}

/* The document's CRC-32C, one bit at a time. */
static uint32_t crc32c(const unsigned char *bytes, size_t count)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < count; i++) {
        crc ^= bytes[i];
        for (int k = 0; k < 8; k++)
            crc = crc & 1 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
    }
    return crc ^ 0xFFFFFFFFu;
}

/* ---- the optimizer of the test ---- */

enum { N = 3 };
static const double lr = 0.1, momentum = 0.9;
static const double g1[N] = {0.5, -1.25, 2.0}, g2[N] = {0.25, 0.75, -3.0};
static const double g3[N] = {-1.0, 0.125, 0.5};

/* SGD's momentum buffer after g1 and g2 (torch: b = g1, then b = momentum * b + g2
 * with dampening 0), each operation rounded on its own. */
static void expected_buffer(double buf[N])
{
    for (int i = 0; i < N; i++) {
        volatile double scaled = momentum * g1[i];
        buf[i] = scaled + g2[i];
    }
}

/* The state of SGD, n = 3, lr 0.1 and momentum 0.9 after gd_optimizer_update with g1
 * then g2, as doc/state-format.md lays it out. */
static void build_state(struct bytes *b)
{
    b->used = 0;
    /* header */
    const char magic[8] = {'G', 'D', 'S', 'T', 'A', 'T', 'E', 0};
    memcpy(b->data, magic, 8);
    b->used = 8;
    u32(b, 1);      /* version */
    u32(b, 0);      /* precision: f64 */
    u32(b, GD_SGD); /* method */
    u32(b, 0);      /* reserved */
    u64(b, N);
    size_t size_at = b->used;
    u64(b, 0); /* the size, filled in below */
    assert_int_equal(b->used, 40);
    /* 1. run counters and summary: two updates, no evaluation */
    u64(b, 2);
    u64(b, 0);
    f64(b, NAN);
    f64(b, NAN);
    /* 2. every key that applies, in the order of lib/param_list.h's rows */
    u32(b, 18);
    pair(b, GD_PARAM_LR, lr);
    pair(b, GD_PARAM_MOMENTUM, momentum);
    pair(b, GD_PARAM_DAMPENING, 0.0);
    pair(b, GD_PARAM_NESTEROV, 0.0);
    pair(b, GD_PARAM_WEIGHT_DECAY, 0.0);
    pair(b, GD_PARAM_MAXIMIZE, 0.0);
    pair(b, GD_PARAM_MAX_ITER, 1000.0);
    pair(b, GD_PARAM_GTOL, 0.0);
    pair(b, GD_PARAM_FTOL, 0.0);
    pair(b, GD_PARAM_XTOL, 0.0);
    pair(b, GD_PARAM_BATCH_SIZE, 0.0);
    pair(b, GD_PARAM_SHUFFLE, 1.0);
    pair(b, GD_PARAM_SEED, 0.0);
    pair(b, GD_PARAM_LINE_SEARCH, 0.0);
    pair(b, GD_PARAM_MAX_EVAL, 0.0);
    pair(b, GD_PARAM_SCHEDULE_EVERY, 0.0);
    pair(b, GD_PARAM_CLIP_NORM, 0.0);
    pair(b, GD_PARAM_CLIP_VALUE, 0.0);
    /* 3. the sampler, never used: m 0, next 0, the seed 0 as its state */
    for (int i = 0; i < 5; i++)
        u64(b, 0);
    /* 4. one group over the 3 elements */
    u64(b, 1);
    u64(b, 0);   /* first */
    u64(b, N);   /* n */
    f64(b, NAN); /* initial lr: no schedule */
    u32(b, 1);   /* state ready */
    u32(b, 7);   /* SGD's keys with the group's values */
    pair(b, GD_PARAM_LR, lr);
    pair(b, GD_PARAM_MOMENTUM, momentum);
    pair(b, GD_PARAM_DAMPENING, 0.0);
    pair(b, GD_PARAM_NESTEROV, 0.0);
    pair(b, GD_PARAM_WEIGHT_DECAY, 0.0);
    pair(b, GD_PARAM_MAXIMIZE, 0.0);
    pair(b, GD_PARAM_LINE_SEARCH, 0.0);
    u32(b, 0); /* schedule slots */
    u32(b, 0); /* scalars */
    /* 5. the state vectors: SGD's momentum_buffer */
    u32(b, 1);
    double buf[N];
    expected_buffer(buf);
    for (int i = 0; i < N; i++)
        f64(b, buf[i]);
    /* 6. no extra for SGD; 7. no schedules */
    u32(b, 0);
    u32(b, 0);
    /* the size, then the checksum of all that precedes it */
    size_t total = b->used + 4;
    struct bytes size_field = {{0}, 0};
    u64(&size_field, total);
    memcpy(b->data + size_at, size_field.data, 8);
    u32(b, crc32c(b->data, b->used));
}

static gd_optimizer *new_sgd(void)
{
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, N);
    assert_non_null(opt);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LR, lr), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MOMENTUM, momentum), GD_OK);
    return opt;
}

static void assert_saves(const gd_optimizer *opt, const struct bytes *expected)
{
    size_t size = gd_optimizer_state_size(opt);
    assert_int_equal(size, expected->used);
    unsigned char *now = malloc(size);
    assert_non_null(now);
    assert_int_equal(gd_optimizer_save(opt, now, size), GD_OK);
    for (size_t i = 0; i < size; i++)
        if (now[i] != expected->data[i])
            fail_msg("byte %zu: the library writes 0x%02x, the document 0x%02x", i, now[i],
                     expected->data[i]);
    free(now);
}

/* The document's checksum is the standard CRC-32C. */
static void test_checksum_is_crc32c(void **state)
{
    (void)state;
    assert_true(crc32c((const unsigned char *)"123456789", 9) == 0xE3069283u);
}

/* The optimizer that made the two updates writes exactly the hand-made bytes. */
static void test_library_writes_the_documented_bytes(void **state)
{
    (void)state;
    struct bytes doc;
    build_state(&doc);
    gd_optimizer *opt = new_sgd();
    double x[N] = {1.0, 2.0, 3.0};
    assert_int_equal(gd_optimizer_update(opt, x, g1), GD_OK);
    assert_int_equal(gd_optimizer_update(opt, x, g2), GD_OK);
    assert_saves(opt, &doc);
    gd_optimizer_free(opt);
}

/* The hand-made state loads into a fresh SGD of n = 3 (with other values of its
 * parameters: the state's replace them), saves back to the same bytes, and continues
 * as the optimizer that made the two updates itself, bit for bit. */
static void test_documented_bytes_load_and_continue(void **state)
{
    (void)state;
    struct bytes doc;
    build_state(&doc);
    gd_optimizer *loaded = gd_optimizer_new(GD_SGD, N);
    assert_non_null(loaded);
    assert_int_equal(gd_optimizer_set(loaded, GD_PARAM_LR, 0.5), GD_OK);
    assert_int_equal(gd_optimizer_load(loaded, doc.data, doc.used), GD_OK);
    assert_saves(loaded, &doc);
    double lr_now, buf[N], expected[N];
    assert_int_equal(gd_optimizer_get(loaded, GD_PARAM_LR, &lr_now), GD_OK);
    assert_true(lr_now == lr);
    assert_int_equal(gd_optimizer_iterations(loaded), 2);
    assert_int_equal(gd_optimizer_get_state(loaded, "momentum_buffer", buf, N), GD_OK);
    expected_buffer(expected);
    assert_memory_equal(buf, expected, sizeof buf);

    gd_optimizer *itself = new_sgd();
    double x[N] = {1.0, 2.0, 3.0}, y[N];
    assert_int_equal(gd_optimizer_update(itself, x, g1), GD_OK);
    assert_int_equal(gd_optimizer_update(itself, x, g2), GD_OK);
    memcpy(y, x, sizeof x);
    for (int k = 0; k < 3; k++) {
        const double *g = k == 0 ? g3 : k == 1 ? g1 : g2;
        assert_int_equal(gd_optimizer_update(itself, x, g), GD_OK);
        assert_int_equal(gd_optimizer_update(loaded, y, g), GD_OK);
        assert_memory_equal(x, y, sizeof x);
    }
    size_t size = gd_optimizer_state_size(itself);
    assert_int_equal(gd_optimizer_state_size(loaded), size);
    unsigned char *a = malloc(size), *b = malloc(size);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(gd_optimizer_save(itself, a, size), GD_OK);
    assert_int_equal(gd_optimizer_save(loaded, b, size), GD_OK);
    assert_memory_equal(a, b, size);
    free(a);
    free(b);
    gd_optimizer_free(itself);
    gd_optimizer_free(loaded);
}

/* The document's refusals, on the hand-made state with its checksum made anew. */
static void rewrite(struct bytes *b, size_t offset, uint32_t value)
{
    for (int i = 0; i < 4; i++)
        b->data[offset + (size_t)i] = (unsigned char)(value >> (8 * i));
    uint32_t crc = crc32c(b->data, b->used - 4);
    for (int i = 0; i < 4; i++)
        b->data[b->used - 4 + (size_t)i] = (unsigned char)(crc >> (8 * i));
}

static void test_documented_refusals(void **state)
{
    (void)state;
    gd_optimizer *opt = new_sgd();
    struct bytes doc;
    const struct {
        size_t offset;
        uint32_t value;
        int rc;
    } cases[] = {
        {8, 2, GD_EFORMAT},       /* a newer version */
        {8, 0, GD_EFORMAT},       /* version 0 */
        {20, 1, GD_EFORMAT},      /* reserved not 0 */
        {12, 1, GD_EINVAL},       /* another precision */
        {16, GD_ADAM, GD_EINVAL}, /* another method */
        {24, N + 1, GD_EINVAL},   /* another n */
        {32, 0, GD_EFORMAT},      /* a size that is not the buffer's */
        {72, 17, GD_EFORMAT},     /* 17 keys for SGD's 18 */
        /* the group's state ready: after the header (40), part 1 (32), part 2 (4 + 18
         * pairs of 12), part 3 (40), the group count, first, n and initial lr (8 each) */
        {40 + 32 + 4 + 18 * 12 + 40 + 4 * 8, 2, GD_EFORMAT},
        {40 + 32 + 4 + 18 * 12 + 40 + 4 * 8, 0, GD_OK}, /* 0: a group before its update */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        build_state(&doc);
        rewrite(&doc, cases[c].offset, cases[c].value);
        if (gd_optimizer_load(opt, doc.data, doc.used) != cases[c].rc)
            fail_msg("case %zu: not %d", c, cases[c].rc);
    }
    build_state(&doc);
    doc.data[100] ^= 1; /* a damaged byte: the checksum */
    assert_int_equal(gd_optimizer_load(opt, doc.data, doc.used), GD_EFORMAT);
    build_state(&doc);
    assert_int_equal(gd_optimizer_load(opt, doc.data, doc.used - 1), GD_EFORMAT);
    gd_optimizer_free(opt);
}

/* A saved state of opt with its step field (offset 40) set to step, checksum renewed;
 * the caller frees it. */
static unsigned char *state_at_step(const gd_optimizer *opt, uint64_t step, size_t *size)
{
    *size = gd_optimizer_state_size(opt);
    unsigned char *buf = malloc(*size);
    assert_non_null(buf);
    assert_int_equal(gd_optimizer_save(opt, buf, *size), GD_OK);
    struct bytes field = {{0}, 0};
    u64(&field, step);
    memcpy(buf + 40, field.data, 8);
    uint32_t crc = crc32c(buf, *size - 4);
    for (int i = 0; i < 4; i++)
        buf[*size - 4 + i] = (unsigned char)(crc >> (8 * i));
    return buf;
}

/* x after one Adam update from a state at the given step (float or double). */
static double update_from_step(bool single, uint64_t step)
{
    gd_optimizer *opt = single ? gd_optimizer_new_f32(GD_ADAM, 1) : gd_optimizer_new(GD_ADAM, 1);
    assert_non_null(opt);
    /* betas so close to 1 that the bias corrections still move at step 2^24 */
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_BETA1, 1.0 - 1e-8), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_BETA2, 1.0 - 1e-8), GD_OK);
    float xf = 1.0f, gf = 0.5f;
    double xd = 1.0, gd = 0.5;
    for (int k = 0; k < 2; k++)
        assert_int_equal(single ? gd_optimizer_update_f32(opt, &xf, &gf)
                                : gd_optimizer_update(opt, &xd, &gd),
                         GD_OK);
    size_t size;
    unsigned char *buf = state_at_step(opt, step, &size);
    assert_int_equal(gd_optimizer_load(opt, buf, size), GD_OK);
    free(buf);
    double torch_step;
    assert_int_equal(gd_optimizer_get_state(opt, "step", &torch_step, 1), GD_OK);
    assert_true(torch_step == (single && step > 16777216 ? 16777216.0 : (double)step));
    assert_int_equal(single ? gd_optimizer_update_f32(opt, &xf, &gf)
                            : gd_optimizer_update(opt, &xd, &gd),
                     GD_OK);
    assert_int_equal(gd_optimizer_iterations(opt), step + 1);
    gd_optimizer_free(opt);
    return single ? xf : xd;
}

/* torch's float32 step counter stops at 2^24 (adding 1 rounds back): a float Adam at
 * step 2^24 + 9 updates as one at 2^24 - 1 whose next step is 2^24, while a double one
 * sees the step count. */
static void test_float_step_count_stops_at_2_to_24(void **state)
{
    (void)state;
    const uint64_t limit = UINT64_C(1) << 24;
    assert_true(update_from_step(true, limit + 9) == update_from_step(true, limit - 1));
    assert_true(update_from_step(false, limit + 9) != update_from_step(false, limit - 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checksum_is_crc32c),
        cmocka_unit_test(test_library_writes_the_documented_bytes),
        cmocka_unit_test(test_documented_bytes_load_and_continue),
        cmocka_unit_test(test_documented_refusals),
        cmocka_unit_test(test_float_step_count_stops_at_2_to_24),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
