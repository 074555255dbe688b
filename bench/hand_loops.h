/*
 * hand_loops.h - the update loops a user would write by hand for the benchmark's
 * reference, with the benchmark's constants (lr 1e-9, torch's defaults otherwise), in
 * double (hand_<method>) and in float (hand_<method>_f32, the arithmetic of the
 * library's float loops: every coefficient computed in double and rounded to float, as
 * lib/methods/ takes them).  hand_loops.c compiles both from one text
 * (hand_loops_real.h) with -O3 -march=native -fno-math-errno -ffp-contract=off: no FMA
 * contraction, so that each loop gives the library's bits.
 */
#ifndef HAND_LOOPS_H
#define HAND_LOOPS_H

#include <stddef.h>

#define HAND_PARAMS_OF(real)                                                                       \
    size_t n, real *restrict x, const real *restrict g, real *restrict s1, real *restrict s2,      \
        real *restrict s3, double t
#define HAND_PARAMS HAND_PARAMS_OF(double)
#define HAND_PARAMS_F32 HAND_PARAMS_OF(float)

/* One step over n elements; s1, s2, s3 are state vectors of n zeros at the first step,
 * unused ones may be NULL; t is the step number, 1 at the first: for the per-step
 * scalars, and for the state Rprop and NAdam set up at the first step. */
typedef void (*hand_fn)(HAND_PARAMS);
typedef void (*hand_fn_f32)(HAND_PARAMS_F32);

/* Declares hand_<name> and hand_<name>_f32. */
#define HAND_LOOP(name)                                                                            \
    void hand_##name(HAND_PARAMS);                                                                 \
    void hand_##name##_f32(HAND_PARAMS_F32)

HAND_LOOP(sgd);
HAND_LOOP(momentum);
HAND_LOOP(nesterov);
HAND_LOOP(adam);
HAND_LOOP(amsgrad);
HAND_LOOP(adamw);
HAND_LOOP(rmsprop);
HAND_LOOP(centered);
HAND_LOOP(adagrad);
/* s3[0] holds NAdam's scalar state mu_product. */
HAND_LOOP(nadam);
HAND_LOOP(radam);
HAND_LOOP(adamax);
HAND_LOOP(adadelta);
HAND_LOOP(rprop);
/* ASGD with torch's t0 = 1e6, and with t0 = 0: the average moves from the third step. */
HAND_LOOP(asgd);
HAND_LOOP(asgd_averaging);
HAND_LOOP(lion);
/* STREAM's triad a = b + 3 c, with a = s1, b = x, c = g: 24 bytes per element in
 * double, 12 in float. */
HAND_LOOP(triad);

#endif
