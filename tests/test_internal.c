/*
 * test_internal.c - the hidden pieces: PRNG, shuffle, sampler, parameter table,
 * allocation helpers and the finiteness/norm helpers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Published SplitMix64 outputs for seed 1234567 (the reference test vector of the
 * algorithm), so the stream is the documented one on every platform. */
static void test_splitmix64_reference_vector(void **state)
{
    (void)state;
    static const uint64_t expected[] = {
        UINT64_C(6457827717110365317),  UINT64_C(3203168211198807973),
        UINT64_C(9817491932198370423),  UINT64_C(4593380528125082431),
        UINT64_C(16408922859458223821),
    };
    gdi_rng rng;
    gdi_rng_seed(&rng, 1234567);
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
        assert_true(gdi_rng_next(&rng) == expected[i]);
}

static void test_rng_below_stays_in_range_and_covers_it(void **state)
{
    (void)state;
    gdi_rng rng;
    gdi_rng_seed(&rng, 42);
    unsigned hits[7] = {0};
    for (int i = 0; i < 7000; i++) {
        uint64_t r = gdi_rng_below(&rng, 7);
        assert_true(r < 7);
        hits[r]++;
    }
    /* 1000 expected per value; 6 sigma of a binomial(7000, 1/7) is about 176. */
    for (int v = 0; v < 7; v++)
        assert_in_range(hits[v], 1000 - 176, 1000 + 176);
    assert_true(gdi_rng_below(&rng, 1) == 0);
}

static void fill_identity(size_t *v, size_t len)
{
    for (size_t i = 0; i < len; i++)
        v[i] = i;
}

static void assert_is_permutation(const size_t *v, size_t len)
{
    unsigned char *seen = calloc(len, 1);
    assert_non_null(seen);
    for (size_t i = 0; i < len; i++) {
        assert_true(v[i] < len);
        assert_int_equal(seen[v[i]], 0);
        seen[v[i]] = 1;
    }
    free(seen);
}

static void test_shuffle_is_a_permutation_and_depends_on_seed(void **state)
{
    (void)state;
    size_t a[50], b[50], c[50];
    gdi_rng ra, rb, rc;
    gdi_rng_seed(&ra, 9);
    gdi_rng_seed(&rb, 9);
    gdi_rng_seed(&rc, 10);
    fill_identity(a, 50);
    fill_identity(b, 50);
    fill_identity(c, 50);
    gdi_shuffle(&ra, a, 50);
    gdi_shuffle(&rb, b, 50);
    gdi_shuffle(&rc, c, 50);
    assert_is_permutation(a, 50);
    assert_memory_equal(a, b, sizeof a);
    assert_memory_not_equal(a, c, sizeof a);
}

/* Every element lands in every position about equally often (chi-square style bound). */
static void test_shuffle_is_uniform_by_position(void **state)
{
    (void)state;
    enum { LEN = 4, ROUNDS = 24000 };
    unsigned counts[LEN][LEN] = {{0}};
    gdi_rng rng;
    gdi_rng_seed(&rng, 2024);
    for (int r = 0; r < ROUNDS; r++) {
        size_t v[LEN];
        fill_identity(v, LEN);
        gdi_shuffle(&rng, v, LEN);
        for (size_t pos = 0; pos < LEN; pos++)
            counts[v[pos]][pos]++;
    }
    /* Expected 6000 each; 6 sigma of binomial(24000, 1/4) is about 402. */
    for (int e = 0; e < LEN; e++)
        for (int p = 0; p < LEN; p++)
            assert_in_range(counts[e][p], 6000 - 402, 6000 + 402);
}

static void test_sampler_in_order_with_short_last_batch(void **state)
{
    (void)state;
    gdi_sampler s;
    gdi_sampler_init(&s, 0);
    assert_int_equal(gdi_sampler_prepare(&s, 5), GD_OK);
    const size_t expected_counts[] = {2, 2, 1, 2};
    const size_t expected_first[] = {0, 2, 4, 0};
    for (int i = 0; i < 4; i++) {
        size_t count;
        const size_t *idx = gdi_sampler_next(&s, 2, false, &count);
        assert_int_equal(count, expected_counts[i]);
        assert_int_equal(idx[0], expected_first[i]);
        for (size_t k = 1; k < count; k++)
            assert_int_equal(idx[k], idx[0] + k);
    }
    gdi_sampler_free(&s);
}

static void collect_epoch(gdi_sampler *s, size_t m, size_t batch, size_t *out)
{
    for (size_t got = 0; got < m;) {
        size_t count;
        const size_t *idx = gdi_sampler_next(s, batch, true, &count);
        memcpy(out + got, idx, count * sizeof *idx);
        got += count;
    }
}

static void test_sampler_shuffled_epochs_and_restart(void **state)
{
    (void)state;
    enum { M = 23 };
    size_t first[M], second[M], again[M];
    gdi_sampler s;
    gdi_sampler_init(&s, 77);
    assert_int_equal(gdi_sampler_prepare(&s, M), GD_OK);
    collect_epoch(&s, M, 5, first);
    collect_epoch(&s, M, 5, second);
    assert_is_permutation(first, M);
    assert_is_permutation(second, M);
    assert_memory_not_equal(first, second, sizeof first);
    gdi_sampler_restart(&s, 77);
    collect_epoch(&s, M, 5, again);
    assert_memory_equal(first, again, sizeof first);
    gdi_sampler_free(&s);
}

static void test_param_slots_names_and_ranges(void **state)
{
    (void)state;
    assert_int_equal(gdi_param_slot(GD_PARAM_LR), 0);
    assert_int_equal(gdi_param_slot(GD_PARAM_MAXIMIZE), 13);
    assert_int_equal(gdi_param_slot(GD_PARAM_MAX_ITER), 14);
    /* Every slot belongs to exactly one named key, and only keys have slots. */
    int keys_of_slot[GDI_SLOT_COUNT] = {0};
    for (int k = -2; k < 70; k++) {
        int slot = gdi_param_slot((gd_param)k);
        assert_true(slot >= -1 && slot < GDI_SLOT_COUNT);
        assert_int_equal(slot >= 0, gd_param_name((gd_param)k) != NULL);
        if (slot >= 0)
            keys_of_slot[slot]++;
    }
    for (int slot = 0; slot < GDI_SLOT_COUNT; slot++)
        assert_int_equal(keys_of_slot[slot], 1);
    assert_int_equal(gdi_param_slot((gd_param)51), -1);
    assert_int_equal(gdi_param_slot((gd_param)-1), -1);
    assert_int_equal(gdi_param_by_name("initial_accumulator"), GD_PARAM_INITIAL_ACCUMULATOR);
    assert_int_equal(gdi_param_by_name("batch_size"), GD_PARAM_BATCH_SIZE);
    assert_int_equal(gdi_param_by_name("Lr"), -1);
    assert_true(gdi_param_value_ok(GD_PARAM_MOMENTUM, 0.0));
    assert_false(gdi_param_value_ok(GD_PARAM_MOMENTUM, 1.0));
    assert_true(gdi_param_value_ok(GD_PARAM_DAMPENING, 1.0));
    assert_false(gdi_param_value_ok(GD_PARAM_DAMPENING, -0.5)); /* [0, 1] */
    assert_true(gdi_param_value_ok(GD_PARAM_ETA_MINUS, 0.5));   /* (0, 1) */
    assert_false(gdi_param_value_ok(GD_PARAM_ETA_MINUS, 0.0));
    assert_false(gdi_param_value_ok(GD_PARAM_ETA_MINUS, 1.0));
    assert_false(gdi_param_value_ok((gd_param)51, 0.0)); /* no such key */
    assert_false(gdi_param_value_ok(GD_PARAM_SEED, 9007199254740994.0));
    assert_true(gdi_param_value_ok(GD_PARAM_SEED, 9007199254740992.0));
    assert_false(gdi_param_value_ok(GD_PARAM_LR, INFINITY));
    assert_false(gdi_param_value_ok(GD_PARAM_EPS, NAN));
}

static void test_array_allocation_refuses_overflow(void **state)
{
    (void)state;
    assert_null(gdi_alloc_array(SIZE_MAX / 2, 4));
    assert_null(gdi_calloc_array(0, 8));
    double *p = gdi_alloc_array(4, sizeof(double));
    assert_non_null(p);
    assert_null(gdi_realloc_array(p, SIZE_MAX, 2)); /* p stays valid */
    gdi_free(p);
}

static void test_finite_and_norm_helpers(void **state)
{
    (void)state;
    double v[] = {3.0, 4.0, 0.0};
    assert_true(gdi_all_finite(v, 3));
    assert_true(gdi_norm2(v, 3) == 5.0);
    double huge[] = {3e300, 4e300};
    assert_true(fabs(gdi_norm2(huge, 2) - 5e300) <= 1e285);
    double tiny[] = {3e-300, 4e-300};
    assert_true(fabs(gdi_norm2(tiny, 2) - 5e-300) <= 1e-315);
    double bad[] = {1.0, NAN};
    assert_false(gdi_all_finite(bad, 2));
    assert_true(isnan(gdi_norm2(bad, 2)));
    double inf[] = {-INFINITY, 1.0};
    assert_false(gdi_all_finite(inf, 2));
    assert_true(isinf(gdi_norm2(inf, 2)));
}

/* The norm with the finiteness check folded in: the norm where gdi_norm2 gives one,
 * including sums of squares that overflow or underflow and a norm that overflows, and
 * -1 for NaN or infinity anywhere (also where the squares alone would overflow). */
static void test_norm_if_finite(void **state)
{
    (void)state;
    double plain[] = {3.0, 4.0, 0.0}, huge[] = {3e300, 4e300}, tiny[] = {3e-300, 4e-300};
    double zeros[9] = {0};
    assert_true(gdi_norm2_if_finite(plain, 3) == 5.0);
    assert_true(gdi_norm2_if_finite(huge, 2) == gdi_norm2(huge, 2));
    assert_true(fabs(gdi_norm2_if_finite(huge, 2) - 5e300) <= 1e285);
    assert_true(gdi_norm2_if_finite(tiny, 2) == gdi_norm2(tiny, 2));
    assert_true(gdi_norm2_if_finite(zeros, 9) == 0.0);
    double overflowing[] = {1e308, 1e308, 1e308, 1e308}; /* finite, with norm 2e308 */
    assert_true(isinf(gdi_norm2_if_finite(overflowing, 4)));
    double bad[12];
    for (size_t at = 0; at < 12; at++)
        for (int kind = 0; kind < 3; kind++) {
            for (size_t i = 0; i < 12; i++)
                bad[i] = 1e200; /* squares overflow: the check is the fallback's */
            bad[at] = kind == 0 ? NAN : kind == 1 ? INFINITY : -INFINITY;
            assert_true(gdi_norm2_if_finite(bad, 12) == -1.0);
            for (size_t i = 0; i < 12; i++)
                bad[i] = i == at ? bad[at] : 1.0;
            assert_true(gdi_norm2_if_finite(bad, 12) == -1.0);
        }
}

/* Every length up to 40 (below, at and above the eight partial sums, with tails), a
 * non-finite value at every position. */
static void test_all_finite_at_every_length_and_position(void **state)
{
    (void)state;
    const double non_finite[] = {NAN, INFINITY, -INFINITY};
    double v[40] = {0};
    for (size_t n = 0; n <= 40; n++) {
        for (size_t i = 0; i < n; i++)
            v[i] = (double)i - 20.5;
        assert_true(gdi_all_finite(v, n));
        for (size_t bad = 0; bad < n; bad++)
            for (size_t k = 0; k < 3; k++) {
                v[bad] = non_finite[k];
                assert_false(gdi_all_finite(v, n));
                v[bad] = 1e308;
            }
        assert_true(gdi_all_finite(v, n));
    }
}

/* CRC-32C's check value (RFC 3720, B.4: "123456789" gives 0xE3069283), with the
 * instruction and without, and the two equal at every length and alignment. */
static void test_crc32c_check_value(void **state)
{
    (void)state;
    assert_int_equal(gdi_crc32c("123456789", 9), 0xE3069283u);
    assert_int_equal(gdi_crc32c_portable("123456789", 9), 0xE3069283u);
    assert_int_equal(gdi_crc32c("", 0), 0u);
    unsigned char bytes[300];
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (unsigned char)(i * 37 + 11);
    for (size_t first = 0; first < 9; first++)
        for (size_t count = 0; first + count <= sizeof bytes; count += 7)
            assert_int_equal(gdi_crc32c(bytes + first, count),
                             gdi_crc32c_portable(bytes + first, count));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32c_check_value),
        cmocka_unit_test(test_splitmix64_reference_vector),
        cmocka_unit_test(test_all_finite_at_every_length_and_position),
        cmocka_unit_test(test_norm_if_finite),
        cmocka_unit_test(test_rng_below_stays_in_range_and_covers_it),
        cmocka_unit_test(test_shuffle_is_a_permutation_and_depends_on_seed),
        cmocka_unit_test(test_shuffle_is_uniform_by_position),
        cmocka_unit_test(test_sampler_in_order_with_short_last_batch),
        cmocka_unit_test(test_sampler_shuffled_epochs_and_restart),
        cmocka_unit_test(test_param_slots_names_and_ranges),
        cmocka_unit_test(test_array_allocation_refuses_overflow),
        cmocka_unit_test(test_finite_and_norm_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
