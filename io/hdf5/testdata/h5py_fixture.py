"""Writes the h5py interop fixture for io/hdf5's tests.

Usage: /usr/bin/python3 h5py_fixture.py OUT.h5

Every value is a formula of the element index that the Go test recomputes,
so the fixture needs no stored expectations:
  signed integers   i*3 - 7        unsigned integers  i*5
  floats            i*0.25 - 1.5   bool               i % 3 == 0
for i the row-major element index of a (3, 4) array unless noted.
"""
import sys

import h5py
import numpy as np

out = sys.argv[1]
n = np.arange(12)
shape = (3, 4)

with h5py.File(out, "w") as f:
    num = f.create_group("num")
    for code in ["i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f4", "f8", "f2"]:
        for order, tag in (("<", "le"), (">", "be")):
            dt = np.dtype(order + code)
            if dt.kind == "i":
                v = n * 3 - 7
            elif dt.kind == "u":
                v = n * 5
            else:
                v = n * 0.25 - 1.5
            num.create_dataset(f"{code}_{tag}", data=v.reshape(shape).astype(dt))
    f.create_dataset("bool", data=(n % 3 == 0).reshape(shape))

    # Layouts. Compact needs the low-level API.
    f.create_dataset("contiguous", data=(n * 3 - 7).reshape(shape).astype("<i4"))
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_layout(h5py.h5d.COMPACT)
    space = h5py.h5s.create_simple(shape)
    ds = h5py.h5d.create(f.id, b"compact", h5py.h5t.STD_I32LE, space, dcpl=dcpl)
    ds.write(h5py.h5s.ALL, h5py.h5s.ALL, (n * 3 - 7).reshape(shape).astype("<i4"))
    big = np.arange(100 * 60, dtype="<f4").reshape(100, 60) * 0.25 - 1.5
    f.create_dataset("chunked", data=big, chunks=(16, 25))
    f.create_dataset("gzip_shuffle", data=big, chunks=(16, 25), compression="gzip", compression_opts=4, shuffle=True)
    f.create_dataset("gzip_be", data=big.astype(">f8"), chunks=(30, 60), compression="gzip", shuffle=True)
    f.create_dataset("lzf", data=big, chunks=(16, 25), compression="lzf")
    f.create_dataset("fletcher", data=big, chunks=(16, 25), fletcher32=True)
    # Only some chunks written: the rest reads as the fill value.
    part = f.create_dataset("partial", shape=(40, 40), dtype="<i2", chunks=(10, 10), fillvalue=-9, compression="gzip")
    part[0:10, 0:10] = 1
    part[30:40, 10:20] = 2

    # Scalars and empty datasets.
    f["scalar_f8"] = np.float64(2.5)
    f["scalar_i2"] = np.int16(-3)
    f.create_dataset("empty", shape=(0, 3), dtype="<f4")
    f.create_dataset("empty_chunked", shape=(0, 3), maxshape=(None, 3), dtype="<i8", chunks=(4, 3))

    # Unsupported types.
    f.create_dataset("str_fixed", data=np.array([b"ab", b"cde"]))
    f.create_dataset("str_vlen", data=["x", "yy"], dtype=h5py.string_dtype())
    f.create_dataset("compound", data=np.zeros(3, dtype=[("a", "<i4"), ("b", "<f8")]))
    f.create_dataset("enum", data=np.array([0, 1, 1], dtype="i1"), dtype=h5py.enum_dtype({"RED": 0, "GREEN": 1}, basetype="i1"))
    vl = f.create_dataset("vlen", shape=(2,), dtype=h5py.vlen_dtype(np.dtype("<i4")))
    vl[0] = np.arange(3, dtype="<i4")
    vl[1] = np.arange(1, dtype="<i4")
    f.create_dataset("opaque", data=np.void(b"\x01\x02\x03"))
    f.create_dataset("array", shape=(2,), dtype=np.dtype(("<i4", (3,))))
    f.create_dataset("ref", shape=(1,), dtype=h5py.ref_dtype)

    # Groups, nested, with a dataset in each.
    g = f.create_group("g1/g2")
    g.create_dataset("deep", data=(n * 5).reshape(shape).astype("<u2"))
    f["g1"].create_dataset("mid", data=(n * 0.25 - 1.5).astype(">f4"))

    # Dimension scales: "y" and "x" attached to "temp"; "labelled" only has labels.
    f["y"] = np.arange(3, dtype="<f8")
    f["x"] = np.arange(4, dtype="<f8") * 10
    f["y"].make_scale("y")
    f["x"].make_scale("x")
    t = f.create_dataset("temp", data=(n * 0.25 - 1.5).reshape(shape).astype("<f4"))
    t.dims[0].attach_scale(f["y"])
    t.dims[1].attach_scale(f["x"])
    t.dims[0].label = "y"
    lab = f.create_dataset("labelled", data=(n * 3 - 7).reshape(shape).astype("<i2"))
    lab.dims[0].label = "row"
    lab.dims[1].label = "col"

    # Attributes of every kind on the root and on a dataset.
    for obj in (f, t):
        obj.attrs["s_vlen"] = "Zürich °C"
        obj.attrs["s_fixed"] = np.bytes_(b"fixed")
        obj.attrs["s_array"] = np.array(["first", "second"], dtype=h5py.string_dtype())
        obj.attrs["i32"] = np.int32(-5)
        obj.attrs["u8_be"] = np.array([1, 2, 3], dtype=">u8")
        obj.attrs["f64s"] = np.array([0.5, -1.25])
        obj.attrs["f32"] = np.float32(1.5)
        obj.attrs["flag"] = np.bool_(True)
        obj.attrs["cmpd"] = np.zeros(1, dtype=[("a", "<i4")])[0]
    t.attrs["units"] = "K"
