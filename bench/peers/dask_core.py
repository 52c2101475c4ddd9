#!/usr/bin/python3
"""Dask peer for ndchunk's core benchmarks (bench/core.sh).

Runs one point with Dask's default threaded scheduler and prints one JSON
line with the same fields as `ndchunk challenge`:
  mean    mean of a uniform random n x n float64 array
  sincos  sum(sin(x) + cos(x.T)) of the same array
"""
import argparse
import json
import resource
import time

import dask
import dask.array as da


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--expr", choices=["mean", "sincos"], default="mean")
    p.add_argument("--n", type=int, default=20000)
    p.add_argument("--chunks", type=int, default=2000)
    a = p.parse_args()
    x = da.random.RandomState(42).random_sample((a.n, a.n), chunks=(a.chunks, a.chunks))
    if a.expr == "mean":
        y = x.mean()
    else:
        y = (da.sin(x) + da.cos(x.T)).sum()
    start = time.perf_counter()
    v = float(y.compute())
    wall = time.perf_counter() - start
    print(json.dumps({
        "system": "dask " + dask.__version__, "expr": a.expr, "n": a.n, "chunks": a.chunks,
        "wall_s": wall, "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "value": v,
    }))


if __name__ == "__main__":
    main()
