/*
 * status.c - one sentence per status code.  SPDX-License-Identifier: MIT
 */
#include "internal.h"

const char *gd_strerror(int status)
{
    switch (status) {
    case GD_OK:
        return "Success.";
    case GD_STOP_MAXITER:
        return "Stopped: the iteration limit was reached.";
    case GD_STOP_GTOL:
        return "Stopped: the gradient norm is at or below the tolerance.";
    case GD_STOP_FTOL:
        return "Stopped: the relative change of the objective is at or below the tolerance.";
    case GD_STOP_XTOL:
        return "Stopped: the relative step is at or below the tolerance.";
    case GD_STOP_USER:
        return "Stopped: the monitor callback asked to stop.";
    case GD_STOP_MAXEVAL:
        return "Stopped: the evaluation budget was spent.";
    case GD_EINVAL:
        return "Invalid argument.";
    case GD_ENOMEM:
        return "Out of memory; nothing was changed.";
    case GD_ECALLBACK:
        return "The objective callback reported an error.";
    case GD_EDIVERGED:
        return "The objective or its gradient became NaN or infinite.";
    case GD_EBUSY:
        return "The optimizer is running: it cannot be run from its own callbacks.";
    case GD_EIO:
        return "A file could not be opened or written.";
    case GD_EFORMAT:
        return "The saved state is not libgd's, is damaged or truncated, or is of a newer format.";
    default:
        return "Unknown status code.";
    }
}
