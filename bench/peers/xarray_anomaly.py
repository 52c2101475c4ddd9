#!/usr/bin/python3
"""xarray + Dask peer for the anomaly benchmark: x - x.mean("t") of the
cube's variable, written to a NetCDF-4 file with the input's chunking.
Prints one JSON line with the wall time and peak RSS.

Usage: xarray_anomaly.py IN.nc OUT.nc [T_CHUNK]"""
import json
import resource
import sys
import time

import dask
import xarray as xr


def main():
    src, out = sys.argv[1], sys.argv[2]
    tc = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    start = time.perf_counter()
    ds = xr.open_dataset(src, chunks={"t": tc})
    x = ds["temp"]
    anom = (x - x.mean("t")).rename("x_anom")
    n = x.shape[1:]
    anom.to_netcdf(out, engine="netcdf4", encoding={"x_anom": {"chunksizes": (1,) + tuple(n)}})
    wall = time.perf_counter() - start
    print(json.dumps({"system": "xarray " + xr.__version__ + " + dask " + dask.__version__, "wall_s": wall,
                      "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))


if __name__ == "__main__":
    main()
