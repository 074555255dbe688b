/*
 * vmath.h - exp on (-inf, 0] and log1p on [0, 1] for the linear models' per-sample
 * loops (sample_loops.c), without calls or branches, so that GCC vectorizes a loop of
 * them, and with the same IEEE operations whichever level builds them (no FMA: the
 * build contracts nothing), so that every level gives the same bits.  libm's scalar
 * exp and log1p were most of logistic regression's time at small p.
 *
 * Both are within 2 ulp of the correctly rounded result over their whole domain
 * (tests/test_vmath.c sweeps them against libm), including exp's subnormal
 * results: 2^k is applied in two exact halves, so that a subnormal result is rounded
 * once, from a 53-bit value.  exp(x) is 0 below about -745.13 (the result rounds to 0)
 * and for x = -inf; a NaN gives a NaN.  Arguments outside the domains give garbage.
 * The methods are fdlibm's (e_exp.c's reduction, s_log1p.c's reduction and
 * polynomial), with exp(r) on |r| <= ln2/2 by Taylor's series to degree 13 (its
 * truncation is below 2^-57 relative) instead of fdlibm's rational form, which
 * needs a division, and both polynomials by Estrin's scheme instead of Horner's.
 * SPDX-License-Identifier: MIT
 */
#ifndef GDI_OBJECTIVE_VMATH_H
#define GDI_OBJECTIVE_VMATH_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t gdi_bits_of(double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    return bits;
}

static inline double gdi_double_of(uint64_t bits)
{
    double x;
    memcpy(&x, &bits, sizeof x);
    return x;
}

/* a where mask is all ones, b where it is zero: a selection in bits, which GCC
 * neither turns into a branch nor threads (for a conditional expression on a double
 * it split the loop's body, and then vectorized it only with AVX-512's masks). */
static inline double gdi_select(uint64_t mask, double a, double b)
{
    return gdi_double_of((gdi_bits_of(a) & mask) | (gdi_bits_of(b) & ~mask));
}

/* All ones where condition holds, else 0.  As an integer: chosen as doubles, GCC
 * threaded it as the conditional expressions.  SSE2 does not vectorize it (a choice
 * of 64-bit integers on a comparison of doubles), so the baseline runs the loops
 * one element at a time, still without branches or calls. */
static inline uint64_t gdi_mask(bool condition)
{
    return -(uint64_t)condition;
}

/* exp(x) for x <= 0 (or -0, or NaN). */
static inline double gdi_exp_nonpositive(double x)
{
    /* ln 2 = LN2_HI + LN2_LO, LN2_HI with 32 significant bits, so that k LN2_HI is
     * exact for |k| < 2^21 and x - k LN2_HI too (the two are close) */
    const double LN2_HI = 0x1.62e42feep-1, LN2_LO = 0x1.a39ef35793c76p-33;
    const double INV_LN2 = 0x1.71547652b82fep0;
    /* x / ln2 + ROUND_SHIFT rounds to an integer k in the low bits of the sum */
    const double ROUND_SHIFT = 0x1.8p52;
    /* below -745.14 exp(x) rounds to 0; clamped there, x takes k = -1075 or -1076,
     * which the scaling below turns into 0, and k stays small enough for it */
    x = gdi_select(gdi_mask(x < -746.0), -746.0, x);
    double shifted = x * INV_LN2 + ROUND_SHIFT;
    double k = shifted - ROUND_SHIFT;
    double r = (x - k * LN2_HI) - k * LN2_LO; /* |r| <= ln2/2 (and a little) */
    /* exp(r) = 1 + (r + r^2 P(r)), P(r) = 1/2! + r/3! + ... + r^11/13!, by Estrin's
     * scheme: Horner's chain of 22 dependent operations, whose latency a loop of
     * them waited for at the baseline (one element at a time), becomes 8 */
    double r2 = r * r, r4 = r2 * r2;
    double p2 = 0.5 + r * 0x1.5555555555555p-3;
    double p4 = 0x1.5555555555555p-5 + r * 0x1.1111111111111p-7;
    double p6 = 0x1.6c16c16c16c17p-10 + r * 0x1.a01a01a01a01ap-13;
    double p8 = 0x1.a01a01a01a01ap-16 + r * 0x1.71de3a556c734p-19;
    double p10 = 0x1.27e4fb7789f5cp-22 + r * 0x1.ae64567f544e4p-26;
    double p12 = 0x1.1eed8eff8d898p-29 + r * 0x1.6124613a86d09p-33;
    double q2 = p2 + r2 * p4, q6 = p6 + r2 * p8, q10 = p10 + r2 * p12;
    double poly = q2 + r4 * (q6 + r4 * q10);
    double exp_r = 1.0 + (r + r2 * poly);
    /* 2^k = 2^-half 2^-(minus_k - half), each a normal number (minus_k <= 1076), so
     * that both products are exact down to the last, which rounds a subnormal
     * result once.  minus_k from the low bits of shifted: unsigned arithmetic, as
     * SSE2 has no 64-bit arithmetic shift. */
    uint64_t minus_k = gdi_bits_of(ROUND_SHIFT) - gdi_bits_of(shifted);
    uint64_t half = minus_k >> 1;
    double scale_1 = gdi_double_of((UINT64_C(1023) - half) << 52);
    double scale_2 = gdi_double_of((UINT64_C(1023) - (minus_k - half)) << 52);
    return (exp_r * scale_1) * scale_2;
}

/* log1p(x) for 0 <= x <= 1. */
static inline double gdi_log1p_unit(double x)
{
    const double LN2_HI = 0x1.62e42feep-1, LN2_LO = 0x1.a39ef35793c76p-33;
    /* fdlibm's bound (0x3FDA827A in its high word), about sqrt(2) - 1: below it
     * log1p(x) is log(1 + f) with f = x exactly; above, 1 + x = 2 (1 + f), f in
     * [sqrt(2)/2 - 1, 0], with the rounding of 1 + x as a correction */
    const double SQRT2_MINUS_1 = 0x1.a827ap-2;
    double u = 1.0 + x;
    double halved_f = 0.5 * u - 1.0; /* exact: 0.5 u in [0.70, 1] */
    /* the rounding error of 1 + x, exact (1 >= x), relative to u */
    double correction = (x - (u - 1.0)) / u;
    uint64_t halved = gdi_mask(x >= SQRT2_MINUS_1);
    double f = gdi_select(halved, halved_f, x);
    double k = gdi_select(halved, 1.0, 0.0);
    double c = gdi_select(halved, correction, 0.0);
    /* log(1 + f) = f - f^2/2 + s (f^2/2 + R(s^2)), s = f / (2 + f) (fdlibm's Lp1..7) */
    double half_f_squared = 0.5 * f * f;
    double s = f / (2.0 + f);
    double z = s * s;
    /* Lp1 + Lp2 z + ... + Lp7 z^6 by Estrin's scheme, as in gdi_exp_nonpositive */
    double z2 = z * z;
    double l1 = 6.666666666666735130e-01 + z * 3.999999999940941908e-01;
    double l3 = 2.857142874366239149e-01 + z * 2.222219843214978396e-01;
    double l5 = 1.818357216161805012e-01 + z * 1.531383769920937332e-01;
    double poly = (l1 + z2 * l3) + (z2 * z2) * (l5 + z2 * 1.479819860511658591e-01);
    double R = z * poly;
    /* with k = c = 0 this is fdlibm's f - (hfsq - s (hfsq + R)), bit for bit */
    return k * LN2_HI - ((half_f_squared - (s * (half_f_squared + R) + (k * LN2_LO + c))) - f);
}

#endif /* GDI_OBJECTIVE_VMATH_H */
