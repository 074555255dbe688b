#!/usr/bin/env bash
# Seconds per epoch of the data-parallel least-squares example at 1 and 2 MPI ranks,
# and the share of MPI_Allreduce.  Usage: bench/mpi.sh [BUILDDIR] [extra options]
# (default 1e6 samples, 8 features, 50 epochs).  Not a test: timings vary.
set -euo pipefail
builddir=${1:-build}
shift || true
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
for np in 1 2; do
    mpirun --oversubscribe -np "$np" "$builddir/examples/gdescent-mpi-lsq" --epochs 50 --timing "$@" |
        grep ' ranks: '
done
