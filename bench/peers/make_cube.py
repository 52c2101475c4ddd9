#!/usr/bin/python3
"""Write the I/O benchmarks' input: a NetCDF-4 (HDF5) file with one float32
variable temp(t, y, x) of shape (N, N, N) stored in chunks (1, N, N), filled
with uniform random numbers, written slab by slab with netCDF4-python.

Usage: make_cube.py OUT.nc [N]   (default N=1000: 4 GB)"""
import sys

import netCDF4
import numpy as np


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    rng = np.random.default_rng(7)
    with netCDF4.Dataset(out, "w", format="NETCDF4") as ds:
        for d in ("t", "y", "x"):
            ds.createDimension(d, n)
        v = ds.createVariable("temp", "f4", ("t", "y", "x"), chunksizes=(1, n, n), fill_value=False)
        v.units = "K"
        v.long_name = "synthetic field"
        for k in range(n):
            v[k] = rng.random((n, n), dtype=np.float32)


if __name__ == "__main__":
    main()
