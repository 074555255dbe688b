/*
 * list.h - the one list of methods, one line each, in the order of their gd_method
 * values (include/gdescent.h):
 *
 *   GDI_METHOD(value, name, file, avx512)
 *
 *   value   the gd_method value;
 *   name    what gd_method_name() returns; the file defines `gdi_<name>_method`;
 *   file    lib/methods/<file>.c, which holds the method (several may share one);
 *   avx512  the vector widths of the file's AVX-512 builds: zmm (512-bit), or zmm_ymm
 *           for a second build with 256-bit vectors, which the method picks for long
 *           vectors (see sgd.c); or none for a file without loops per level (its
 *           work is not elementwise: lbfgs.c), built once for the library only.
 *
 * lib/optimizer.c derives the method table from this list and meson.build the builds
 * of each file (once for the library, once per instruction-set level): keep each
 * entry on one line.  No include guard: it is included with GDI_METHOD defined.
 * SPDX-License-Identifier: MIT
 */
GDI_METHOD(GD_SGD, sgd, sgd, zmm_ymm)
GDI_METHOD(GD_ADAM, adam, adam, zmm)
GDI_METHOD(GD_ADAMW, adamw, adam, zmm)
GDI_METHOD(GD_RMSPROP, rmsprop, rmsprop, zmm)
GDI_METHOD(GD_ADAGRAD, adagrad, adagrad, zmm)
GDI_METHOD(GD_NADAM, nadam, nadam, zmm)
GDI_METHOD(GD_RADAM, radam, radam, zmm)
GDI_METHOD(GD_ADAMAX, adamax, adamax, zmm)
GDI_METHOD(GD_ADADELTA, adadelta, adadelta, zmm)
GDI_METHOD(GD_RPROP, rprop, rprop, zmm)
GDI_METHOD(GD_ASGD, asgd, asgd, zmm)
GDI_METHOD(GD_LION, lion, lion, zmm)
GDI_METHOD(GD_LBFGS, lbfgs, lbfgs, none)
