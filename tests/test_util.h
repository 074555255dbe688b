/*
 * test_util.h - what several tests share: the number of methods, so that a test of
 * "every method" covers the methods added after it was written.
 * SPDX-License-Identifier: MIT
 */
#ifndef GD_TEST_UTIL_H
#define GD_TEST_UTIL_H

#include <gdescent.h>

/* The methods are numbered from 0 without gaps (gd_method_name()). */
static inline int method_count(void)
{
    int count = 0;
    while (gd_method_name((gd_method)count))
        count++;
    return count;
}

#endif /* GD_TEST_UTIL_H */
