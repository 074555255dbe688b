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
