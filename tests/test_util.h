/*
 * test_util.h - what several tests share: the number of methods, so that a test of
 * "every method" covers the methods added after it was written, and a generator of
 * their data.
 * SPDX-License-Identifier: MIT
 */
#ifndef GD_TEST_UTIL_H
#define GD_TEST_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include <gdescent.h>

/* A uniform double in [0, 1) from a SplitMix64 sequence (its state advanced): the data
 * of the tests that draw their own, the same on every platform. */
static inline double test_uniform(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return (double)((z ^ (z >> 31)) >> 11) * 0x1p-53;
}

/* The methods are numbered from 0 without gaps (gd_method_name()). */
static inline int method_count(void)
{
    int count = 0;
    while (gd_method_name((gd_method)count))
        count++;
    return count;
}

/* Whether the method updates from a gradient alone (gd_optimizer_update); L-BFGS
 * evaluates inside its steps and refuses it with GD_EINVAL, so the tests of every
 * method's updates skip it (tests/test_lbfgs.c covers it). */
static inline bool method_updates_alone(gd_method method)
{
    gd_optimizer *opt = gd_optimizer_new(method, 1);
    double x = 1.0, g = 0.0;
    bool updates = opt && gd_optimizer_update(opt, &x, &g) == GD_OK;
    gd_optimizer_free(opt);
    return updates;
}

/* f = ||x||^2 with the gradient's sign wrong (a gd_fdf_fn): no step along -g decreases
 * f, for the line searches' tests of finding none. */
static inline int wrong_gradient(const double *x, size_t n, double *f, double *grad, void *user)
{
    (void)user;
    *f = 0.0;
    for (size_t i = 0; i < n; i++) {
        *f += x[i] * x[i];
        grad[i] = -2.0 * x[i];
    }
    return 0;
}

#endif /* GD_TEST_UTIL_H */
