#!/usr/bin/env bash
# File driver figures (issue 3), ndchunk and its peers alternated (A B A B)
# REPEAT times, medians of wall time and peak RSS from /usr/bin/time:
#
# 1. sum of a cached 4 GB float32 HDF5/NetCDF-4 dataset (1000, 1000, 1000)
#    stored in chunks (1, 1000, 1000), against the C library's own
#    sequential chunk-by-chunk H5Dread (bench/peers/h5readfloor.c);
# 2. the anomaly x - mean(x, axis=0) of it written to NetCDF-4 under a
#    256 MiB budget, against xarray + Dask (bench/peers/xarray_anomaly.py).
#
#   bench/io.sh [REPEAT]                 # default 3; files in DIR (default /tmp/ndchunk-io)
#   NDCHUNK=./bin/ndchunk DIR=/scratch bench/io.sh 5
#
# The input (4 GB) is made once with bench/peers/make_cube.py. ndchunk
# fsyncs its output before the atomic rename; xarray does not.
set -euo pipefail
cd "$(dirname "$0")/.."
REPEAT=${1:-3}
NDCHUNK=${NDCHUNK:-./bin/ndchunk}
DIR=${DIR:-/tmp/ndchunk-io}
PY=/usr/bin/python3
mkdir -p "$DIR"
cube=$DIR/cube.nc
[ -f "$cube" ] || $PY bench/peers/make_cube.py "$cube" 1000
gcc -O2 bench/peers/h5readfloor.c $(pkg-config --cflags --libs hdf5) -o "$DIR/h5readfloor"
out=$(mktemp -d)
trap 'rm -rf "$out"; rm -f "$DIR"/anom*.nc' EXIT

run() { # run NAME CMD...: one timed run, appending "wall rss_kib" to $out/NAME
	local name=$1; shift
	/usr/bin/time -f "%e %M" -o "$out/time" "$@" >/dev/null 2>"$out/err" || { cat "$out/err" >&2; return 1; }
	tail -1 "$out/time" >>"$out/$name"
}
report() { # report NAME LABEL BYTES: median wall, RSS and GB/s
	$PY - "$out/$1" "$2" "$3" <<'EOF'
import sys, statistics
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1])]
w = statistics.median(r[0] for r in rows)
m = statistics.median(r[1] for r in rows) / 1024
print("%-48s %7.2f s (%s)  %6.2f GB/s  peak RSS %5.0f MiB" % (sys.argv[2], w, ", ".join("%.2f" % r[0] for r in rows), float(sys.argv[3]) / w / 1e9, m))
EOF
}

size=$(stat -c %s "$cube")
cat "$cube" >/dev/null
for r in $(seq "$REPEAT"); do
	run nd-sum "$NDCHUNK" challenge -expr filesum -file "$cube:temp" -spec 1,-1,-1 -memory 1GiB
	run floor "$DIR/h5readfloor" "$cube" /temp
done
echo "1. sum of a cached 4 GB float32 dataset, chunks (1, 1000, 1000)"
report nd-sum "ndchunk sum (challenge -expr filesum)" "$size"
report floor "C H5Dread chunk by chunk (h5readfloor)" "$size"

for r in $(seq "$REPEAT"); do
	rm -f "$DIR"/anom*.nc; sync
	run nd-anom "$NDCHUNK" challenge -expr anomaly -file "$cube:temp" -spec 8,-1,-1 -out "$DIR/anom.nc" -memory 256MiB
	rm -f "$DIR"/anom*.nc; sync
	run xr-anom $PY bench/peers/xarray_anomaly.py "$cube" "$DIR/anom_xr.nc" 8
done
echo "2. anomaly x - mean(x, axis=0) to NetCDF-4, 256 MiB budget"
report nd-anom "ndchunk (challenge -expr anomaly)" "$size"
report xr-anom "xarray + Dask (chunks t=8)" "$size"
