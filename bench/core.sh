#!/usr/bin/env bash
# Core benchmark figures: ndchunk against Dask, side by side.
#
# Each point runs ndchunk and Dask alternately (A B A B ...) so machine
# drift hits both, REPEAT times each, and reports the median wall time and
# the peak RSS measured by /usr/bin/time. Usage:
#
#   bench/core.sh [REPEAT]            # default 3
#   NDCHUNK=./bin/ndchunk EXPRS="mean sincos" CHUNKS="250 500" bench/core.sh 5
set -euo pipefail
cd "$(dirname "$0")/.."
REPEAT=${1:-3}
NDCHUNK=${NDCHUNK:-./bin/ndchunk}
N=${N:-20000}
MEMORY=${MEMORY:-1GiB}
EXPRS=${EXPRS:-"mean sincos fused"}
PY=/usr/bin/python3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

run() { # run NAME CMD... -> appends the JSON line with peak RSS from /usr/bin/time
	local name=$1; shift
	/usr/bin/time -f "%M" -o "$out/rss" "$@" >"$out/json" 2>"$out/err" || { cat "$out/err" >&2; return 1; }
	$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); d["time_rss_bytes"]=int(open(sys.argv[2]).read().split()[-1])*1024; print(json.dumps(d))' "$out/json" "$out/rss" >>"$out/$name.jsonl"
}

have_cc=0
if command -v gcc >/dev/null && gcc -O3 -march=native -fopenmp bench/peers/stream_sum.c -o "$out/stream_sum" 2>/dev/null; then have_cc=1; fi

have_dask=1
$PY -c 'import dask.array' 2>/dev/null || { have_dask=0; echo "dask not installed (apt-get install python3-dask): ndchunk only" >&2; }

for expr in $EXPRS; do
	case $expr in
	mean) chunks=${CHUNKS:-"250 500 1000 2000 5000 10000 20000"} ;;
	sincos) chunks=${CHUNKS:-"1000 2000 5000"} ;;
	fused) chunks=${CHUNKS:-"256"} ;;
	esac
	for c in $chunks; do
		for r in $(seq "$REPEAT"); do
			n=$N
			# fused: three in-memory arrays of 1 GiB each (11585^2 float64).
			[ "$expr" = fused ] && n=${FUSED_N:-11585}
			run "nd-$expr-$c" "$NDCHUNK" challenge -expr "$expr" -n "$n" -chunks "$c" -memory "$MEMORY"
			if [ "$expr" = fused ] && [ $have_cc = 1 ]; then
				run "c-$expr-$c" "$out/stream_sum" $((n * n)) "$(nproc)"
			fi
			if [ $have_dask = 1 ] && [ "$expr" != fused ] && [ "$c" -lt 20000 ]; then
				run "dask-$expr-$c" $PY bench/peers/dask_core.py --expr "$expr" --n "$N" --chunks "$c"
			fi
		done
	done
done

$PY - "$out" <<'PYEOF'
import glob, json, os, statistics, sys
out = sys.argv[1]
rows = {}
for f in sorted(glob.glob(os.path.join(out, "*.jsonl"))):
    name = os.path.basename(f)[:-6]
    recs = [json.loads(l) for l in open(f)]
    rows[name] = recs
def med(recs, k): return statistics.median(r[k] for r in recs)
print(f"{'expr':7} {'chunks':>6} | {'ndchunk s (min-max)':>22} {'RSS MiB':>8} | {'dask s (min-max)':>20} {'RSS MiB':>8} | {'dask/ndchunk':>12}")
keys = sorted({k.split('-', 1)[1] for k in rows}, key=lambda s: (s.split('-')[0], int(s.split('-')[1])))
for k in keys:
    expr, c = k.split('-')
    nd, dk = rows.get("nd-" + k), rows.get("dask-" + k)
    line = f"{expr:7} {c:>6} | "
    if nd and nd[0].get("refused"):
        line += f"{'refused':>22} {'':>8} | " + nd[0]["refused"][:90]
        print(line); continue
    w = [r["wall_s"] for r in nd]
    line += f"{med(nd,'wall_s'):8.3f} ({min(w):.2f}-{max(w):.2f}) {med(nd,'time_rss_bytes')/2**20:8.0f} | "
    if dk:
        w2 = [r["wall_s"] for r in dk]
        line += f"{med(dk,'wall_s'):6.3f} ({min(w2):.2f}-{max(w2):.2f}) {med(dk,'time_rss_bytes')/2**20:8.0f} | {med(dk,'wall_s')/med(nd,'wall_s'):12.2f}"
    if expr == "fused":
        line += f"  ndchunk {med(nd,'gb_per_s'):.1f} GB/s vs Go plain sum {med(nd,'baseline_gb_per_s'):.1f} GB/s ({med(nd,'gb_per_s')/med(nd,'baseline_gb_per_s')*100:.0f}%)"
        cc = rows.get("c-" + k)
        if cc:
            line += f", vs C OpenMP sum {med(cc,'gb_per_s'):.1f} GB/s ({med(nd,'gb_per_s')/med(cc,'gb_per_s')*100:.0f}%)"
    print(line)
PYEOF
