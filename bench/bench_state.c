/*
 * bench_state.c - saving and loading Adam's state at n = 1e6 against the floor: a
 * memcpy of the same bytes plus their CRC-32C (the checksum the state carries), timed
 * interleaved in rounds in the same run (goal: within 2x).
 * Usage: bench_state [--quick]
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <gdescent.h>

#include "clock.h"

enum { N = 1000000, REPEATS = 11 };

/* The same CRC-32C as lib/state.c's, with the same instruction where the CPU has it. */
#include <nmmintrin.h>
__attribute__((target("sse4.2"))) static uint32_t crc32c(const unsigned char *bytes, size_t count)
{
    uint64_t c = 0xFFFFFFFFu;
    for (; count >= 8; bytes += 8, count -= 8) {
        uint64_t word;
        memcpy(&word, bytes, sizeof word);
        c = _mm_crc32_u64(c, word);
    }
    uint32_t crc = (uint32_t)c;
    for (; count > 0; bytes++, count--)
        crc = _mm_crc32_u8(crc, *bytes);
    return crc ^ 0xFFFFFFFFu;
}

static double median(double *t)
{
    qsort(t, REPEATS, sizeof *t, by_value);
    return t[REPEATS / 2];
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    gd_optimizer *opt = gd_optimizer_new(GD_ADAM, N), *loaded = gd_optimizer_new(GD_ADAM, N);
    double *x = calloc(N, sizeof *x), *g = malloc(N * sizeof *g);
    if (!opt || !loaded || !x || !g)
        return 1;
    for (size_t i = 0; i < N; i++)
        g[i] = 1e-3 * (double)(i % 97) - 0.05;
    for (int k = 0; k < 3; k++)
        gd_optimizer_update(opt, x, g);
    size_t size = gd_optimizer_state_size(opt);
    unsigned char *buf = malloc(size), *copy = malloc(size);
    if (!buf || !copy)
        return 1;
    gd_optimizer_save(opt, buf, size);
    double t_save[REPEATS], t_load[REPEATS], t_floor[REPEATS];
    volatile uint32_t sink = 0;
    for (int r = 0; r < REPEATS; r++) {
        double start = now();
        gd_optimizer_save(opt, buf, size);
        t_save[r] = now() - start;
        start = now();
        if (gd_optimizer_load(loaded, buf, size) != GD_OK)
            return 1;
        t_load[r] = now() - start;
        start = now();
        memcpy(copy, buf, size);
        sink += crc32c(copy, size);
        t_floor[r] = now() - start;
    }
    double save = median(t_save), load = median(t_load), floor = median(t_floor);
    printf("Adam, n = 1e6, state of %zu bytes: save %.2f ms (%.2fx), load %.2f ms (%.2fx), "
           "memcpy + CRC-32C %.2f ms\n",
           size, 1e3 * save, save / floor, 1e3 * load, load / floor, 1e3 * floor);
    (void)sink;
    free(buf);
    free(copy);
    free(x);
    free(g);
    gd_optimizer_free(opt);
    gd_optimizer_free(loaded);
    return 0;
}
