/*
 * pairs.h - the demo's reader of CSV data (examples/pairs.c).
 * SPDX-License-Identifier: MIT
 */
#ifndef GDESCENT_DEMO_PAIRS_H
#define GDESCENT_DEMO_PAIRS_H

#include <stddef.h>
#include <stdio.h>

/* Pairs of numbers read from a CSV file. */
struct pairs {
    size_t count;
    double *first, *second;
};

void free_pairs(struct pairs *p);
/* Appends (a, b); -1 when out of memory (p unchanged). */
int append_pair(struct pairs *p, double a, double b);
/* Reads one pair "a,b" per line from in (named path in messages, on stderr); blank
 * lines and '#' comments are skipped, and a first line that is not numeric is a
 * header.  strtod reads '.' as the "C" locale does: the demo never calls setlocale.
 * 0 with at least one pair appended to out, or -1 (a line with a NUL byte, longer than
 * 1023 bytes, not two finite numbers, a read error, no data, out of memory) with out
 * freed. */
int read_pairs_from(FILE *in, const char *path, struct pairs *out);

/* Rows of numbers read from a CSV file, all of the same width, row-major. */
struct rows {
    size_t count, width;
    double *values;
};

void free_rows(struct rows *r);
/* Reads one row of at least 2 comma-separated finite numbers per line, every row as
 * wide as the first (blank lines, '#' comments and a non-numeric first line skipped,
 * as read_pairs_from).  0 with at least one row, or -1 (messages on stderr) with out
 * freed. */
int read_rows_from(FILE *in, const char *path, struct rows *out);

#endif
