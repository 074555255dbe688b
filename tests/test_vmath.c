/*
 * test_vmath.c - the linear models' own exp and log1p (lib/objectives/vmath.h) within
 * 2 ulp of libm's (correctly rounded in practice) over their whole domains: exp on
 * [-745.2, 0] and log1p on [0, 1], at a million deterministic points each (evenly
 * spaced, and of every magnitude down to the subnormals) and at the edges.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>

#include "objectives/vmath.h"

enum { POINTS = 1000000, MAX_ULP = 2 };

/* The distance in ulps of two nonnegative doubles (their bits are in order). */
static uint64_t ulps_apart(double a, double b)
{
    uint64_t x = gdi_bits_of(a), y = gdi_bits_of(b);
    return x > y ? x - y : y - x;
}

static double uniform(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return (double)((z ^ (z >> 31)) >> 11) * 0x1p-53;
}

struct sweep {
    uint64_t worst_ulps;
    double worst_at;
};

/* Records in sw how far got is from libm's want at x; fails beyond MAX_ULP. */
static void check(struct sweep *sw, const char *name, double x, double got, double want)
{
    uint64_t d = ulps_apart(got, want);
    if (d > MAX_ULP)
        fail_msg("%s(%a) = %a, libm %a: %llu ulp", name, x, got, want, (unsigned long long)d);
    if (d > sw->worst_ulps) {
        sw->worst_ulps = d;
        sw->worst_at = x;
    }
}

static void check_exp(struct sweep *sw, double x)
{
    check(sw, "exp", x, gdi_exp_nonpositive(x), exp(x));
}

static void check_log1p(struct sweep *sw, double x)
{
    check(sw, "log1p", x, gdi_log1p_unit(x), log1p(x));
}

static void test_exp(void **state)
{
    (void)state;
    struct sweep sw = {0, 0.0};
    uint64_t seed = 1;
    const double edges[] = {0.0,
                            -0.0,
                            -DBL_TRUE_MIN,
                            -DBL_MIN,
                            -1e-300,
                            -0x1p-54,
                            -1e-17,
                            -0.5,
                            -0x1.62e42fefa39efp-2,
                            -0x1.62e42fefa39efp-1,
                            -1.0,
                            -30.0,
                            -700.0,
                            -708.0,
                            -708.4,
                            -708.5,
                            -709.0,
                            -720.0,
                            -744.4,
                            -744.5,
                            -745.0,
                            -745.13,
                            -745.14,
                            -745.2};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        check_exp(&sw, edges[i]);
    for (int i = 0; i < POINTS / 2; i++) /* evenly over [-745.2, 0], jittered */
        check_exp(&sw, -745.2 * (((double)i + uniform(&seed)) / (POINTS / 2)));
    for (int i = 0; i < POINTS / 2; i++) /* every magnitude from 2^-1074 to 2^9 */
        check_exp(&sw, -ldexp(1.0 + uniform(&seed), (int)(uniform(&seed) * 1084.0) - 1074));
    /* below the last subnormal, and -inf: 0; NaN stays NaN */
    assert_true(gdi_exp_nonpositive(-745.2) == 0.0 && gdi_exp_nonpositive(-1e4) == 0.0);
    assert_true(gdi_exp_nonpositive(-DBL_MAX) == 0.0 && gdi_exp_nonpositive(-INFINITY) == 0.0);
    assert_true(isnan(gdi_exp_nonpositive(NAN)));
    assert_true(gdi_exp_nonpositive(0.0) == 1.0 && gdi_exp_nonpositive(-0.0) == 1.0);
    printf("# exp: at most %llu ulp (at %a)\n", (unsigned long long)sw.worst_ulps, sw.worst_at);
}

static void test_log1p(void **state)
{
    (void)state;
    struct sweep sw = {0, 0.0};
    uint64_t seed = 2;
    const double edges[] = {0.0,    DBL_TRUE_MIN, DBL_MIN,
                            1e-300, 0x1p-54,      1e-17,
                            1e-8,   0x1p-20,      0.25,
                            0.4142, 0x1.a827ap-2, 0x1.6a09e667f3bcdp-2,
                            0.5,    0.99,         1.0 - DBL_EPSILON / 2,
                            1.0};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        check_log1p(&sw, edges[i]);
    for (int i = 0; i < POINTS / 2; i++) /* evenly over [0, 1], jittered */
        check_log1p(&sw, ((double)i + uniform(&seed)) / (POINTS / 2));
    for (int i = 0; i < POINTS / 2; i++) /* every magnitude from 2^-1074 to 1 */
        check_log1p(&sw,
                    fmin(1.0, ldexp(1.0 + uniform(&seed), (int)(uniform(&seed) * 1075.0) - 1074)));
    /* the logistic loss's terms of |s| = 0 and of e beyond the subnormals */
    assert_true(gdi_log1p_unit(0.0) == 0.0 && gdi_log1p_unit(1.0) == log1p(1.0));
    printf("# log1p: at most %llu ulp (at %a)\n", (unsigned long long)sw.worst_ulps, sw.worst_at);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exp),
        cmocka_unit_test(test_log1p),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
