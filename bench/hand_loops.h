/*
 * hand_loops.h - the update loops a user would write by hand for the benchmark's
 * reference, with the benchmark's constants (lr 1e-9, torch's defaults otherwise).
 * hand_loops.c is compiled with -O3 -march=native -fno-math-errno.
 */
#ifndef HAND_LOOPS_H
#define HAND_LOOPS_H

#include <stddef.h>

/* One step over n elements; s1, s2 are state vectors; t is the step number (Adam). */
typedef void (*hand_fn)(size_t n, double *restrict x, const double *restrict g,
                        double *restrict s1, double *restrict s2, double t);

void hand_sgd(size_t n, double *restrict x, const double *restrict g, double *restrict s1,
              double *restrict s2, double t);
void hand_momentum(size_t n, double *restrict x, const double *restrict g,
                   double *restrict s1, double *restrict s2, double t);
void hand_nesterov(size_t n, double *restrict x, const double *restrict g,
                   double *restrict s1, double *restrict s2, double t);
void hand_adam(size_t n, double *restrict x, const double *restrict g, double *restrict s1,
               double *restrict s2, double t);
void hand_adamw(size_t n, double *restrict x, const double *restrict g, double *restrict s1,
                double *restrict s2, double t);
void hand_rmsprop(size_t n, double *restrict x, const double *restrict g,
                  double *restrict s1, double *restrict s2, double t);
void hand_adagrad(size_t n, double *restrict x, const double *restrict g,
                  double *restrict s1, double *restrict s2, double t);
/* STREAM's triad a = b + 3 c, with a = s1, b = x, c = g: 24 bytes per element. */
void hand_triad(size_t n, double *restrict x, const double *restrict g, double *restrict s1,
                double *restrict s2, double t);

#endif
