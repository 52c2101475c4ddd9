#!/usr/bin/python3
"""Peer runner for `ndchunk bench`: runs one point of a scenario with Dask,
xarray (+ Dask) or NumPy and prints one JSON line with the fields of
ndchunk's measurement (wall_s, tasks, workers, bytes_read, bytes_written,
checksum or out_file/out_var, peak_rss_bytes, system).

  peer.py --system dask|xarray|numpy --scenario NAME --shape AxB
          [--chunks AxB] [--workers N] [--input NAME=FILE:VAR ...]
          [--out FILE] [--expr EXPR]

The checksum is the scalar result itself, or the sum of the squares of the
result's elements (as ndchunk computes it); results written to --out are
checksummed by ndchunk. Wall time covers the computation only, not Python's
start-up and imports. Run with Debian's /usr/bin/python3 (or
NDCHUNK_PYTHON).
"""
import argparse
import json
import os
import resource
import sys
import time


def dims(s):
    return tuple(int(v) for v in s.split("x")) if s else None


def checksum(np, v):
    a = np.asarray(v)
    if a.ndim == 0:
        return float(a)
    a = a.astype(np.float64)
    return float(np.sum(a * a))


def open_input(spec):
    name, rest = spec.split("=", 1) if "=" in spec.split(":", 1)[0] else (None, spec)
    path, var = rest.rsplit(":", 1)
    if name is None:
        name = var.rsplit("/", 1)[-1]
    return name, path, var


def nc_var(path, var):
    import netCDF4
    ds = netCDF4.Dataset(path, "r")
    v = ds[var]
    v.set_auto_maskandscale(False)
    return ds, v


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--system", required=True, choices=["dask", "xarray", "numpy"])
    p.add_argument("--scenario", required=True)
    p.add_argument("--shape", required=True)
    p.add_argument("--chunks", default="")
    p.add_argument("--workers", type=int, default=0)
    p.add_argument("--input", action="append", default=[])
    p.add_argument("--out", default="")
    p.add_argument("--expr", default="")
    a = p.parse_args()
    shape, chunks = dims(a.shape), dims(a.chunks)

    import numpy as np
    res = {"system": "numpy " + np.__version__, "workers": a.workers or os.cpu_count()}
    if a.system in ("dask", "xarray"):
        import dask
        import dask.array as da
        res["system"] = "dask " + dask.__version__
        dask.config.set(scheduler="threads", num_workers=a.workers or None)
    if a.system == "xarray":
        import xarray as xr
        res["system"] = "xarray " + xr.__version__ + " + dask " + dask.__version__

    sc = a.scenario
    y = None  # a lazy dask result, computed in the timed section
    start = time.perf_counter()
    if sc in ("mean-random", "sincos-transpose", "matmul"):
        if a.system == "numpy":
            rng = np.random.default_rng(42)
            x = rng.random(shape)
            if sc == "mean-random":
                v = x.mean()
            elif sc == "sincos-transpose":
                v = (np.sin(x) + np.cos(x.T)).sum()
            else:
                b = np.random.default_rng(2).random(shape)
                v = (x @ b).sum()
        else:
            x = da.random.RandomState(42).random_sample(shape, chunks=chunks)
            if sc == "mean-random":
                y = x.mean()
            elif sc == "sincos-transpose":
                y = (da.sin(x) + da.cos(x.T)).sum()
            else:
                b = da.random.RandomState(2).random_sample(shape, chunks=chunks)
                y = (x @ b).sum()
            res["tasks"] = len(y.__dask_graph__())
            start = time.perf_counter()
            v = y.compute()
        res["checksum"] = checksum(np, v)
    elif sc == "anomaly":
        _, path, var = open_input(a.input[0])
        out = a.out
        if a.system == "xarray":
            ds = xr.open_dataset(path, chunks=dict(zip(xr.open_dataset(path)[var].dims, chunks)))
            x = ds[var]
            anom = (x - x.mean(x.dims[0])).rename("anom")
            enc = {"anom": {"chunksizes": (1,) + tuple(x.shape[1:])}}
            start = time.perf_counter()
            anom.to_netcdf(out, engine="netcdf4", encoding=enc)
        else:
            import netCDF4
            src, v = nc_var(path, var)
            dst = netCDF4.Dataset(out, "w", format="NETCDF4")
            for i, n in enumerate(v.shape):
                dst.createDimension("dim%d" % i, n)
            w = dst.createVariable("anom", v.dtype, tuple("dim%d" % i for i in range(v.ndim)),
                                   chunksizes=(1,) + tuple(v.shape[1:]), fill_value=False)
            if a.system == "numpy":
                x = v[...]
                w[...] = x - x.mean(axis=0, dtype=x.dtype)
            else:
                x = da.from_array(v, chunks=chunks, lock=True)
                anom = x - x.mean(axis=0)
                res["tasks"] = len(anom.__dask_graph__())
                da.store(anom, w, lock=True)
            dst.close()
            src.close()
        res["out_file"], res["out_var"] = out, "anom"
        res["bytes_read"] = int(np.prod(shape)) * 4
        res["bytes_written"] = os.path.getsize(out)
    elif sc == "file-expr":
        env = {k: getattr(da, k) for k in dir(da) if not k.startswith("_")}
        env.update({"np": da, "numpy": da, "nan": np.nan, "inf": np.inf, "pi": np.pi,
                    "True": True, "False": False, "None": None, "newaxis": None})
        files, nbytes = [], 0
        for spec in a.input:
            name, path, var = open_input(spec)
            ds, v = nc_var(path, var)
            files.append(ds)
            c = chunks if chunks and len(chunks) == v.ndim else "auto"
            env[name] = da.from_array(v, chunks=c, lock=True)
            nbytes += env[name].nbytes
        y = eval(a.expr, {"__builtins__": {}}, env)
        res["tasks"] = len(y.__dask_graph__())
        start = time.perf_counter()
        v = np.asarray(y.compute())
        res["checksum"] = checksum(np, v)
        res["bytes_read"] = nbytes
    else:
        sys.exit("peer.py: no %s run for scenario %s" % (a.system, sc))
    res["wall_s"] = time.perf_counter() - start
    res["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps(res))


if __name__ == "__main__":
    main()
