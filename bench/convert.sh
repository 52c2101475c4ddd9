#!/usr/bin/env bash
# Issue 4's figures: ndchunk convert against nccopy and h5repack, side by
# side, alternated (A B C A B C ...), REPEAT runs each; medians of the wall
# time and peak RSS from /usr/bin/time -v. Inputs are generated once in
# DIR (default: a new temporary directory; about 6 GB) and read once before
# timing so every run finds them in the page cache.
#
#   bench/convert.sh [REPEAT]          # default 3
#   NDCHUNK=./bin/ndchunk DIR=/scratch FIGS="1 2 3" bench/convert.sh 5
#
# 1. rechunk a (1000, 500, 500) float32 NetCDF-4 variable stored in chunks
#    (1, 500, 500) to (1000, 10, 10) with --memory 256MiB, against
#    nccopy -c (default caches, and -h 512M -e 10001) and h5repack -l CHUNK;
# 2. the same with deflate level 1 and shuffle, against nccopy -d1 -s -c;
# 3. NetCDF-4 -> HDF5 without rechunking of a 4 GB file, in GB/s, against
#    cat FILE > /dev/null.
#
# Outputs go to OUTDIR (default DIR). ndchunk fsyncs its output before
# renaming it into place, the peers do not: OUTDIR=/dev/shm (tmpfs, where
# fsync costs nothing) compares the work alone.
set -euo pipefail
cd "$(dirname "$0")/.."
REPEAT=${1:-3}
NDCHUNK=${NDCHUNK:-./bin/ndchunk}
FIGS=${FIGS:-"1 2 3"}
PY=/usr/bin/python3
DIR=${DIR:-$(mktemp -d)}
OUTDIR=${OUTDIR:-$DIR}
mkdir -p "$DIR" "$OUTDIR"
echo "files in $DIR" >&2

if [ ! -f "$DIR/in.nc" ]; then
	$PY - "$DIR/in.nc" 1000 <<'EOF'
import sys, netCDF4, numpy as np
n = int(sys.argv[2])
rng = np.random.default_rng(1)
t = np.arange(n)[:, None, None]
y = np.arange(500)[None, :, None]
x = np.arange(500)[None, None, :]
with netCDF4.Dataset(sys.argv[1], "w") as ds:
    ds.createDimension("time", n); ds.createDimension("y", 500); ds.createDimension("x", 500)
    v = ds.createVariable("v", "f4", ("time", "y", "x"), chunksizes=(1, 500, 500))
    v.units = "K"
    for s in range(0, n, 50):
        # A smooth field with a seasonal cycle and noise, like a model's output.
        field = 280 + 10 * np.sin(2 * np.pi * (t[s:s+50] / 365.25)) * np.cos(y / 80.0) + 3 * np.sin(x / 50.0)
        v[s:s+50] = (field + rng.standard_normal((min(50, n - s), 500, 500))).astype("f4")
EOF
fi
if [[ " $FIGS " == *" 3 "* ]] && [ ! -f "$DIR/big.nc" ]; then
	$PY - "$DIR/big.nc" 4000 <<'EOF'
import sys, netCDF4, numpy as np
n = int(sys.argv[2])
rng = np.random.default_rng(2)
with netCDF4.Dataset(sys.argv[1], "w") as ds:
    ds.createDimension("time", n); ds.createDimension("y", 500); ds.createDimension("x", 500)
    v = ds.createVariable("v", "f4", ("time", "y", "x"), chunksizes=(1, 500, 500))
    for s in range(0, n, 100):
        v[s:s+100] = rng.standard_normal((100, 500, 500)).astype("f4")
EOF
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# run NAME CMD...: one timed run, appending "wall rss_kib" to $out/NAME.
run() {
	local name=$1; shift
	rm -f "$OUTDIR"/out.*
	/usr/bin/time -v -o "$out/time" "$@" >/dev/null 2>"$out/err" || { cat "$out/err" "$out/time" >&2; return 1; }
	local wall rss
	wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$out/time")
	rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out/time")
	echo "$wall $rss" >>"$out/$name"
	rm -f "$OUTDIR"/out.*
}
report() { # report NAME LABEL [BYTES]: median wall and RSS
	$PY - "$out/$1" "$2" "${3:-0}" <<'EOF'
import sys, statistics
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1])]
w = statistics.median(r[0] for r in rows); m = statistics.median(r[1] for r in rows) / 1024
ws = ", ".join("%.2f" % r[0] for r in rows)
gbs = "  %.2f GB/s" % (float(sys.argv[3]) / w / 1e9) if float(sys.argv[3]) else ""
print("%-58s %8.2f s  (%s)  peak RSS %6.0f MiB%s" % (sys.argv[2], w, ws, m, gbs))
EOF
}

cat "$DIR"/*.nc >/dev/null
C="time/1000,y/10,x/10"
if [[ " $FIGS " == *" 1 "* ]]; then
	for r in $(seq "$REPEAT"); do
		run nd1 "$NDCHUNK" convert "$DIR/in.nc" "$OUTDIR/out.nc" --chunks time=1000,y=10,x=10 --memory 256MiB -q
		run nc1 nccopy -c "$C" "$DIR/in.nc" "$OUTDIR/out.nc"
		run nc1h nccopy -h 512M -e 10001 -c "$C" "$DIR/in.nc" "$OUTDIR/out.nc"
		run h51 h5repack -l v:CHUNK=1000x10x10 "$DIR/in.nc" "$OUTDIR/out.h5"
	done
	echo "1. rechunk (1000, 500, 500) float32, chunks (1, 500, 500) -> (1000, 10, 10)"
	report nd1 "ndchunk convert --chunks time=1000,y=10,x=10 --memory 256MiB"
	report nc1 "nccopy -c $C"
	report nc1h "nccopy -h 512M -e 10001 -c $C"
	report h51 "h5repack -l v:CHUNK=1000x10x10"
fi
if [[ " $FIGS " == *" 2 "* ]]; then
	for r in $(seq "$REPEAT"); do
		run nd2 "$NDCHUNK" convert "$DIR/in.nc" "$OUTDIR/out.nc" --chunks time=1000,y=10,x=10 --compress deflate:1 --shuffle --memory 256MiB -q
		run nc2 nccopy -d1 -s -c "$C" "$DIR/in.nc" "$OUTDIR/out.nc"
	done
	echo "2. the same with deflate level 1 and shuffle"
	report nd2 "ndchunk convert ... --compress deflate:1 --shuffle --memory 256MiB"
	report nc2 "nccopy -d1 -s -c $C"
fi
if [[ " $FIGS " == *" 3 "* ]]; then
	size=$(stat -c %s "$DIR/big.nc")
	for r in $(seq "$REPEAT"); do
		run nd3 "$NDCHUNK" convert "$DIR/big.nc" "$OUTDIR/out.h5" -q
		run cat3 sh -c "cat '$DIR/big.nc' >/dev/null"
	done
	echo "3. NetCDF-4 -> HDF5 without rechunking, $(($size / 1000000)) MB"
	report nd3 "ndchunk convert big.nc out.h5" "$size"
	report cat3 "cat big.nc > /dev/null" "$size"
fi
