/*
 * trajectory.c - growable records of a run: iteration, f, gradient norm, optionally x.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

struct gd_trajectory {
    size_t n;
    unsigned flags;
    size_t stride;
    size_t len, cap;
    size_t *iter;
    double *f;
    double *grad_norm;
    double *x; /* cap * n, only with GD_TRAJ_X */
};

gd_trajectory *gd_trajectory_new(size_t n, unsigned flags)
{
    if (n == 0 || (flags & ~GD_TRAJ_X) != 0 || n > SIZE_MAX / sizeof(double))
        return NULL;
    gd_trajectory *traj = gdi_calloc_array(1, sizeof *traj);
    if (!traj)
        return NULL;
    traj->n = n;
    traj->flags = flags;
    traj->stride = 1;
    return traj;
}

void gd_trajectory_free(gd_trajectory *traj)
{
    if (!traj)
        return;
    gdi_free(traj->iter);
    gdi_free(traj->f);
    gdi_free(traj->grad_norm);
    gdi_free(traj->x);
    gdi_free(traj);
}

int gd_trajectory_set_stride(gd_trajectory *traj, size_t every)
{
    if (!traj || every == 0)
        return GD_EINVAL;
    traj->stride = every;
    return GD_OK;
}

size_t gdi_trajectory_stride(const gd_trajectory *traj)
{
    return traj->stride;
}

/* Grows each array to cap; arrays already grown stay grown, which is harmless since
 * cap only changes once all of them succeeded. */
static int grow(gd_trajectory *traj, size_t cap)
{
    size_t *iter = gdi_realloc_array(traj->iter, cap, sizeof *iter);
    if (!iter)
        return GD_ENOMEM;
    traj->iter = iter;
    double *f = gdi_realloc_array(traj->f, cap, sizeof *f);
    if (!f)
        return GD_ENOMEM;
    traj->f = f;
    double *grad_norm = gdi_realloc_array(traj->grad_norm, cap, sizeof *grad_norm);
    if (!grad_norm)
        return GD_ENOMEM;
    traj->grad_norm = grad_norm;
    if (traj->flags & GD_TRAJ_X) {
        if (cap > SIZE_MAX / traj->n)
            return GD_ENOMEM;
        double *x = gdi_realloc_array(traj->x, cap * traj->n, sizeof *x);
        if (!x)
            return GD_ENOMEM;
        traj->x = x;
    }
    traj->cap = cap;
    return GD_OK;
}

int gdi_trajectory_append(gd_trajectory *traj, size_t iter, double f, double grad_norm,
                          const double *x)
{
    if (traj->len == traj->cap) {
        size_t cap = traj->cap ? 2 * traj->cap : 64;
        if (cap < traj->cap || grow(traj, cap) != GD_OK)
            return GD_ENOMEM;
    }
    size_t i = traj->len;
    traj->iter[i] = iter;
    traj->f[i] = f;
    traj->grad_norm[i] = grad_norm;
    if (traj->flags & GD_TRAJ_X)
        memcpy(traj->x + i * traj->n, x, traj->n * sizeof *x);
    traj->len++;
    return GD_OK;
}

size_t gd_trajectory_len(const gd_trajectory *traj)
{
    return traj ? traj->len : 0;
}

size_t gd_trajectory_dim(const gd_trajectory *traj)
{
    return traj ? traj->n : 0;
}

static bool has_record(const gd_trajectory *traj, size_t i)
{
    return traj && i < traj->len;
}

size_t gd_trajectory_iter(const gd_trajectory *traj, size_t i)
{
    return has_record(traj, i) ? traj->iter[i] : SIZE_MAX;
}

double gd_trajectory_f(const gd_trajectory *traj, size_t i)
{
    return has_record(traj, i) ? traj->f[i] : NAN;
}

double gd_trajectory_grad_norm(const gd_trajectory *traj, size_t i)
{
    return has_record(traj, i) ? traj->grad_norm[i] : NAN;
}

const double *gd_trajectory_x(const gd_trajectory *traj, size_t i)
{
    if (!has_record(traj, i) || !(traj->flags & GD_TRAJ_X))
        return NULL;
    return traj->x + i * traj->n;
}

int gd_trajectory_copy(const gd_trajectory *traj, size_t first, size_t count, size_t *iter,
                       double *f, double *grad_norm, double *x)
{
    if (!traj || first > traj->len || count > traj->len - first)
        return GD_EINVAL;
    if (x && !(traj->flags & GD_TRAJ_X))
        return GD_EINVAL;
    if (count == 0)
        return GD_OK;
    if (iter)
        memcpy(iter, traj->iter + first, count * sizeof *iter);
    if (f)
        memcpy(f, traj->f + first, count * sizeof *f);
    if (grad_norm)
        memcpy(grad_norm, traj->grad_norm + first, count * sizeof *grad_norm);
    if (x)
        memcpy(x, traj->x + first * traj->n, count * traj->n * sizeof *x);
    return GD_OK;
}

void gd_trajectory_clear(gd_trajectory *traj)
{
    if (traj)
        traj->len = 0;
}

static bool write_header(FILE *out, const gd_trajectory *traj)
{
    bool ok = fputs("iter,f,grad_norm", out) >= 0;
    for (size_t j = 0; ok && (traj->flags & GD_TRAJ_X) && j < traj->n; j++)
        ok = fprintf(out, ",x%zu", j) > 0;
    return ok && fputc('\n', out) != EOF;
}

/* A comma and v as "%.17g" prints it in the C locale, whatever the caller's locale.  A
 * locale changes only the decimal point of a finite number ("," or a multibyte one such
 * as U+066B), the one run of bytes other than digits, signs and 'e': it becomes '.'.
 * So no setlocale (process-wide) and no localeconv (not thread-safe). */
static bool write_number(FILE *out, double v)
{
    char text[64];
    int len = snprintf(text, sizeof text, "%.17g", v);
    if (len < 0 || len >= (int)sizeof text)
        return false;
    if (isfinite(v)) {
        size_t k = 0;
        bool point = false;
        for (const char *c = text; *c; c++) {
            if (strchr("0123456789+-e", *c)) {
                text[k++] = *c;
            } else if (!point) {
                text[k++] = '.';
                point = true;
            }
        }
        text[k] = '\0';
    }
    return fputc(',', out) != EOF && fputs(text, out) >= 0;
}

static bool write_row(FILE *out, const gd_trajectory *traj, size_t i)
{
    bool ok = fprintf(out, "%zu", traj->iter[i]) > 0 && write_number(out, traj->f[i]) &&
              write_number(out, traj->grad_norm[i]);
    const double *x = gd_trajectory_x(traj, i);
    for (size_t j = 0; ok && x && j < traj->n; j++)
        ok = write_number(out, x[j]);
    return ok && fputc('\n', out) != EOF;
}

int gd_trajectory_write_csv(const gd_trajectory *traj, const char *path)
{
    if (!traj || !path)
        return GD_EINVAL;
    FILE *out = fopen(path, "w");
    if (!out)
        return GD_EIO;
    bool ok = write_header(out, traj);
    for (size_t i = 0; ok && i < traj->len; i++)
        ok = write_row(out, traj, i);
    ok = fclose(out) == 0 && ok;
    return ok ? GD_OK : GD_EIO;
}
