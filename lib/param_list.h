/*
 * param_list.h - the one table of parameter keys, one row each:
 *
 *   GDI_PARAM(key, name, group, range, run_default)
 *
 *   key          the gd_param value (include/gdescent.h);
 *   name         what gd_param_name() returns and gd_param_by_name() takes;
 *   group        METHOD: a key of some methods, each of which lists it with its own
 *                default in its file (lib/methods/); RUN: gd_minimize()'s limits and
 *                stop criteria; SAMPLING: mini-batches.  RUN and SAMPLING keys apply
 *                to every method;
 *   range        the values accepted (lib/params.c): NON_NEGATIVE (finite, >= 0),
 *                UNIT_OPEN ([0, 1)), UNIT_CLOSED ([0, 1]), UNIT_INTERIOR ((0, 1)),
 *                ABOVE_ONE (finite, > 1), BOOLEAN (0 or 1), COUNT (a whole number in
 *                [0, 2^53]), POSITIVE_COUNT (a COUNT >= 1), LINE_SEARCH (a
 *                GD_LINE_SEARCH_* value);
 *   run_default  the default of a RUN or SAMPLING key (0 for METHOD keys).
 *
 * The row order is the order of the optimizer's parameter slots (lib/internal.h): new
 * rows go at the end.  Every gd_param value must have a row, or lib/internal.h's
 * switch does not compile.
 * No include guard: it is included with GDI_PARAM defined.
 * SPDX-License-Identifier: MIT
 */
GDI_PARAM(GD_PARAM_LR, lr, METHOD, NON_NEGATIVE, 0.0)
GDI_PARAM(GD_PARAM_MOMENTUM, momentum, METHOD, UNIT_OPEN, 0.0)
GDI_PARAM(GD_PARAM_DAMPENING, dampening, METHOD, UNIT_CLOSED, 0.0)
GDI_PARAM(GD_PARAM_NESTEROV, nesterov, METHOD, BOOLEAN, 0.0)
GDI_PARAM(GD_PARAM_WEIGHT_DECAY, weight_decay, METHOD, NON_NEGATIVE, 0.0)
GDI_PARAM(GD_PARAM_BETA1, beta1, METHOD, UNIT_OPEN, 0.0)
GDI_PARAM(GD_PARAM_BETA2, beta2, METHOD, UNIT_OPEN, 0.0)
GDI_PARAM(GD_PARAM_EPS, eps, METHOD, NON_NEGATIVE, 0.0)
GDI_PARAM(GD_PARAM_AMSGRAD, amsgrad, METHOD, BOOLEAN, 0.0)
GDI_PARAM(GD_PARAM_ALPHA, alpha, METHOD, UNIT_OPEN, 0.0)
GDI_PARAM(GD_PARAM_CENTERED, centered, METHOD, BOOLEAN, 0.0)
GDI_PARAM(GD_PARAM_LR_DECAY, lr_decay, METHOD, NON_NEGATIVE, 0.0)
GDI_PARAM(GD_PARAM_INITIAL_ACCUMULATOR, initial_accumulator, METHOD, NON_NEGATIVE, 0.0)
GDI_PARAM(GD_PARAM_MAXIMIZE, maximize, METHOD, BOOLEAN, 0.0)
GDI_PARAM(GD_PARAM_MAX_ITER, max_iter, RUN, COUNT, 1000.0)
GDI_PARAM(GD_PARAM_GTOL, gtol, RUN, NON_NEGATIVE, 0.0)
GDI_PARAM(GD_PARAM_FTOL, ftol, RUN, NON_NEGATIVE, 0.0)
GDI_PARAM(GD_PARAM_XTOL, xtol, RUN, NON_NEGATIVE, 0.0)
GDI_PARAM(GD_PARAM_BATCH_SIZE, batch_size, SAMPLING, COUNT, 0.0)
GDI_PARAM(GD_PARAM_SHUFFLE, shuffle, SAMPLING, BOOLEAN, 1.0)
GDI_PARAM(GD_PARAM_SEED, seed, SAMPLING, COUNT, 0.0)
GDI_PARAM(GD_PARAM_MOMENTUM_DECAY, momentum_decay, METHOD, NON_NEGATIVE, 0.0)
GDI_PARAM(GD_PARAM_RHO, rho, METHOD, UNIT_CLOSED, 0.0)
GDI_PARAM(GD_PARAM_ETA_MINUS, eta_minus, METHOD, UNIT_INTERIOR, 0.0)
GDI_PARAM(GD_PARAM_ETA_PLUS, eta_plus, METHOD, ABOVE_ONE, 0.0)
GDI_PARAM(GD_PARAM_STEP_MIN, step_min, METHOD, NON_NEGATIVE, 0.0)
GDI_PARAM(GD_PARAM_STEP_MAX, step_max, METHOD, NON_NEGATIVE, 0.0)
GDI_PARAM(GD_PARAM_LAMBD, lambd, METHOD, NON_NEGATIVE, 0.0)
GDI_PARAM(GD_PARAM_T0, t0, METHOD, NON_NEGATIVE, 0.0)
GDI_PARAM(GD_PARAM_DECOUPLED_WEIGHT_DECAY, decoupled_weight_decay, METHOD, BOOLEAN, 0.0)
GDI_PARAM(GD_PARAM_HISTORY_SIZE, history_size, METHOD, POSITIVE_COUNT, 0.0)
GDI_PARAM(GD_PARAM_LINE_SEARCH, line_search, METHOD, LINE_SEARCH, 0.0)
GDI_PARAM(GD_PARAM_TOLERANCE_GRAD, tolerance_grad, METHOD, NON_NEGATIVE, 0.0)
GDI_PARAM(GD_PARAM_TOLERANCE_CHANGE, tolerance_change, METHOD, NON_NEGATIVE, 0.0)
GDI_PARAM(GD_PARAM_MAX_EVAL, max_eval, RUN, COUNT, 0.0)
GDI_PARAM(GD_PARAM_SCHEDULE_EVERY, schedule_every, RUN, COUNT, 0.0)
GDI_PARAM(GD_PARAM_CLIP_NORM, clip_norm, RUN, NON_NEGATIVE, 0.0)
GDI_PARAM(GD_PARAM_CLIP_VALUE, clip_value, RUN, NON_NEGATIVE, 0.0)
