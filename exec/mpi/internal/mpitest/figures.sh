#!/usr/bin/env bash
# figures.sh BIN [REPS]: the MPI backend's figures on this machine, each
# run REPS times (default 3): the local engine with 2 workers against
# mpirun -np 2 with 1 worker per rank. BIN is the built mpitest program
# (go build -o BIN ./exec/mpi/internal/mpitest). Prints one JSON line per
# run (see benchResult in main.go).
set -euo pipefail
bin=$1
reps=${2:-3}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
root=()
[ "$(id -u)" = 0 ] && root=(--allow-run-as-root)
local_run() { WORKERS=2 "$bin" bench "$@"; }
mpi_run() { WORKERS=1 mpirun "${root[@]}" --oversubscribe -x WORKERS -np 2 "$bin" bench "$@"; }
WORKERS=2 "$bin" bench make-input "$dir/in.nc" 400 250 400
for r in $(seq "$reps"); do
	local_run mean 20000 2000
	mpi_run mean 20000 2000
	local_run trivial-sum 100000
	mpi_run trivial-sum 100000
	local_run trivial-map 100000
	mpi_run trivial-map 100000
	local_run convert "$dir/in.nc" "$dir/out.h5" 25 25
	mpi_run convert "$dir/in.nc" "$dir/out.h5" 25 25
done
