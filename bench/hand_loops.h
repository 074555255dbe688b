/*
 * hand_loops.h - the update loops a user would write by hand for the benchmark's
 * reference, with the benchmark's constants (lr 1e-9, torch's defaults otherwise).
 * hand_loops.c is compiled with -O3 -march=native -fno-math-errno -ffp-contract=off:
 * no FMA contraction, so that each loop gives the library's bits.
 */
#ifndef HAND_LOOPS_H
#define HAND_LOOPS_H

#include <stddef.h>

#define HAND_PARAMS                                                                                \
    size_t n, double *restrict x, const double *restrict g, double *restrict s1,                   \
        double *restrict s2, double *restrict s3, double t

/* One step over n elements; s1, s2, s3 are state vectors of n zeros at the first step,
 * unused ones may be NULL; t is the step number, 1 at the first: for the per-step
 * scalars, and for the state Rprop and NAdam set up at the first step. */
typedef void (*hand_fn)(HAND_PARAMS);

void hand_sgd(HAND_PARAMS);
void hand_momentum(HAND_PARAMS);
void hand_nesterov(HAND_PARAMS);
void hand_adam(HAND_PARAMS);
void hand_amsgrad(HAND_PARAMS);
void hand_adamw(HAND_PARAMS);
void hand_rmsprop(HAND_PARAMS);
void hand_centered(HAND_PARAMS);
void hand_adagrad(HAND_PARAMS);
/* s3[0] holds NAdam's scalar state mu_product. */
void hand_nadam(HAND_PARAMS);
void hand_radam(HAND_PARAMS);
void hand_adamax(HAND_PARAMS);
void hand_adadelta(HAND_PARAMS);
void hand_rprop(HAND_PARAMS);
/* ASGD with torch's t0 = 1e6, and with t0 = 0: the average moves from the third step. */
void hand_asgd(HAND_PARAMS);
void hand_asgd_averaging(HAND_PARAMS);
void hand_lion(HAND_PARAMS);
/* STREAM's triad a = b + 3 c, with a = s1, b = x, c = g: 24 bytes per element. */
void hand_triad(HAND_PARAMS);

#endif
