/*
 * rosenbrock.c - f(x) = sum_{i<n-1} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2, whose
 * curved valley is the classic hard case for gradient descent.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "../internal.h"

static int rosenbrock_fdf(const double *x, size_t n, double *f, double *grad, void *data)
{
    (void)data;
    double sum = 0.0;
    if (grad)
        memset(grad, 0, n * sizeof *grad);
    for (size_t i = 0; i + 1 < n; i++) {
        double valley = x[i + 1] - x[i] * x[i];
        double offset = 1.0 - x[i];
        sum += 100.0 * valley * valley + offset * offset;
        if (grad) {
            grad[i] += -400.0 * x[i] * valley - 2.0 * offset;
            grad[i + 1] += 200.0 * valley;
        }
    }
    *f = sum;
    return 0;
}

gd_objective *gd_rosenbrock_new(size_t n)
{
    return n >= 2 ? gd_objective_new(n, rosenbrock_fdf, NULL) : NULL;
}
