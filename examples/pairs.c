/*
 * pairs.c - the demo's reader of CSV data: one pair of numbers per line (tests/fuzz
 * fuzzes it through read_pairs_from).
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pairs.h"

void free_pairs(struct pairs *p)
{
    free(p->first);
    free(p->second);
    p->first = p->second = NULL;
}

static bool blank_or_comment(const char *line)
{
    line += strspn(line, " \t\r\n");
    return *line == '\0' || *line == '#';
}

/* Parses "a,b" (spaces allowed); the whole line must be used. */
static bool parse_pair(const char *line, double *a, double *b)
{
    char *end;
    *a = strtod(line, &end);
    if (end == line || !isfinite(*a))
        return false;
    end += strspn(end, " \t");
    if (*end++ != ',')
        return false;
    const char *start = end;
    *b = strtod(start, &end);
    return end != start && isfinite(*b) && strspn(end, " \t\r\n") == strlen(end);
}

int append_pair(struct pairs *p, double a, double b)
{
    double *first = realloc(p->first, (p->count + 1) * sizeof *first);
    if (first)
        p->first = first;
    double *second = first ? realloc(p->second, (p->count + 1) * sizeof *second) : NULL;
    if (!second)
        return -1;
    p->second = second;
    p->first[p->count] = a;
    p->second[p->count++] = b;
    return 0;
}

/* The longest line of a data file; longer ones are refused, not split as fgets would. */
enum { LINE_BYTES = 1023 };

/* Reads one line, without its '\n', into line: 1, or 0 at the end of the file, or -1 for a
 * line with a NUL byte (the rest would be ignored), or -2 for one over LINE_BYTES. */
static int read_line(FILE *in, char line[LINE_BYTES + 1])
{
    size_t len = 0;
    int c;
    while ((c = getc(in)) != EOF && c != '\n') {
        if (c == '\0' || len == LINE_BYTES)
            return c == '\0' ? -1 : -2;
        line[len++] = (char)c;
    }
    line[len] = '\0';
    return c != EOF || len > 0;
}

int read_pairs_from(FILE *in, const char *path, struct pairs *out)
{
    char line[LINE_BYTES + 1];
    int rc = 0, got;
    for (long number = 1; rc == 0 && (got = read_line(in, line)) != 0; number++) {
        double a, b;
        if (got < 0) {
            if (got == -1)
                fprintf(stderr, "gdescent-demo: %s:%ld: a NUL byte\n", path, number);
            else
                fprintf(stderr, "gdescent-demo: %s:%ld: longer than %d bytes\n", path, number,
                        LINE_BYTES);
            rc = -1;
        } else if (blank_or_comment(line) || (number == 1 && !parse_pair(line, &a, &b) &&
                                              strpbrk(line, "0123456789") == NULL)) {
            continue;
        } else if (!parse_pair(line, &a, &b)) {
            fprintf(stderr, "gdescent-demo: %s:%ld: expected two numbers\n", path, number);
            rc = -1;
        } else if (append_pair(out, a, b) != 0) {
            fprintf(stderr, "gdescent-demo: out of memory reading %s\n", path);
            rc = -1;
        }
    }
    if (rc == 0 && ferror(in)) {
        fprintf(stderr, "gdescent-demo: cannot read %s\n", path);
        rc = -1;
    }
    if (rc == 0 && out->count == 0) {
        fprintf(stderr, "gdescent-demo: %s: no data\n", path);
        rc = -1;
    }
    if (rc != 0)
        free_pairs(out);
    return rc;
}

void free_rows(struct rows *r)
{
    free(r->values);
    r->values = NULL;
    r->count = r->width = 0;
}

/* The numbers of "a,b,c..." into values (at most max); the count, or 0 when the line is
 * not such a list. */
static size_t parse_row(const char *line, double *values, size_t max)
{
    size_t count = 0;
    const char *at = line;
    for (;;) {
        char *end;
        double v = strtod(at, &end);
        if (end == at || !isfinite(v) || count == max)
            return 0;
        values[count++] = v;
        end += strspn(end, " \t");
        if (*end != ',')
            return strspn(end, " \t\r\n") == strlen(end) ? count : 0;
        at = end + 1;
    }
}

static int append_row(struct rows *r, const double *values)
{
    double *grown = realloc(r->values, (r->count + 1) * r->width * sizeof *grown);
    if (!grown)
        return -1;
    r->values = grown;
    memcpy(r->values + r->count++ * r->width, values, r->width * sizeof *values);
    return 0;
}

/* One line of read_rows_from: 0 to go on, -1 for an error (reported). */
static int take_row(const char *line, long number, const char *path, struct rows *out)
{
    enum { MAX_WIDTH = 256 };
    double values[MAX_WIDTH];
    size_t width = parse_row(line, values, MAX_WIDTH);
    if (blank_or_comment(line) || (number == 1 && width == 0 && !strpbrk(line, "0123456789")))
        return 0;
    if (width < 2 || (out->width != 0 && width != out->width)) {
        fprintf(stderr, "gdescent-demo: %s:%ld: expected %s numbers\n", path, number,
                out->width ? "as many" : "two or more");
        return -1;
    }
    out->width = width;
    if (append_row(out, values) != 0) {
        fprintf(stderr, "gdescent-demo: out of memory reading %s\n", path);
        return -1;
    }
    return 0;
}

int read_rows_from(FILE *in, const char *path, struct rows *out)
{
    char line[LINE_BYTES + 1];
    int rc = 0, got;
    for (long number = 1; rc == 0 && (got = read_line(in, line)) != 0; number++) {
        if (got < 0) {
            fprintf(stderr, "gdescent-demo: %s:%ld: %s\n", path, number,
                    got == -1 ? "a NUL byte" : "a line too long");
            rc = -1;
        } else {
            rc = take_row(line, number, path, out);
        }
    }
    if (rc == 0 && (ferror(in) || out->count == 0)) {
        fprintf(stderr, "gdescent-demo: %s: %s\n", path, ferror(in) ? "cannot read" : "no data");
        rc = -1;
    }
    if (rc != 0)
        free_rows(out);
    return rc;
}
