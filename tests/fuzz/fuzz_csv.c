/*
 * fuzz_csv.c - libFuzzer target: the demo's CSV reader (examples/pairs.c) on arbitrary
 * bytes.  It must accept or refuse without a crash or a sanitizer report, and what it
 * accepts must be at least one pair of finite numbers; a refusal leaves nothing.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../examples/pairs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    FILE *in = fmemopen((void *)data, size, "r");
    if (!in)
        return 0;
    struct pairs p = {0, NULL, NULL};
    int rc = read_pairs_from(in, "input", &p);
    fclose(in);
    if (rc == 0) {
        if (p.count == 0)
            abort();
        for (size_t i = 0; i < p.count; i++)
            if (!isfinite(p.first[i]) || !isfinite(p.second[i]))
                abort();
    } else if (p.first || p.second) {
        abort();
    }
    free_pairs(&p);
    return 0;
}
