#include <string.h>
#include <fcntl.h>
#include "helpers.h"

static int buf_add(ndc_buf *b, const char *s, size_t n) {
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (p == NULL)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
	return 0;
}

static int buf_str(ndc_buf *b, const char *s) { return buf_add(b, s, strlen(s)); }

// Every API call clears the thread's error stack on entry, so a helper that
// cleans up after a failure (closing a dataspace, a property list) would
// lose the failure's stack. keep_err takes it aside when failed is true;
// put_err puts it back once the cleanup is done.
static hid_t keep_err(int failed) { return failed ? H5Eget_current_stack() : -1; }
static void put_err(hid_t st) {
	if (st >= 0)
		H5Eset_current_stack(st);
}

// ndc_quiet turns off the library's automatic printing of error stacks for
// the calling thread. Debian's libhdf5 is built thread-safe, and there the
// setting belongs to each thread's own error stack, so every thread that
// calls the library needs it once.
void ndc_quiet(void) {
	static __thread int done;
	if (!done) {
		H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
		done = 1;
	}
}

static herr_t walk_cb(unsigned n, const H5E_error2_t *e, void *data) {
	ndc_buf *b = data;
	char maj[256] = "", min[256] = "";
	(void)n;
	H5Eget_msg(e->maj_num, NULL, maj, sizeof maj);
	H5Eget_msg(e->min_num, NULL, min, sizeof min);
	buf_str(b, e->func_name ? e->func_name : "");
	buf_add(b, "\x1f", 1);
	buf_str(b, e->desc ? e->desc : "");
	buf_add(b, "\x1f", 1);
	buf_str(b, maj);
	buf_add(b, "\x1f", 1);
	buf_str(b, min);
	buf_add(b, "\x1e", 1);
	return 0;
}

// ndc_error_stack appends the calling thread's error stack to out, from the
// API call inwards to the root cause (fields separated by 0x1f: function,
// description, major, minor; frames ended by 0x1e), then clears it.
int ndc_error_stack(ndc_buf *out) {
	hid_t st = H5Eget_current_stack();
	if (st < 0)
		return -1;
	herr_t r = H5Ewalk2(st, H5E_WALK_DOWNWARD, walk_cb, out);
	H5Eclose_stack(st);
	return r < 0 ? -1 : 0;
}

static herr_t visit_cb(hid_t obj, const char *name, const H5O_info_t *info, void *data) {
	ndc_buf *b = data;
	char kind = 'o';
	(void)obj;
	switch (info->type) {
	case H5O_TYPE_GROUP:
		kind = 'g';
		break;
	case H5O_TYPE_DATASET:
		kind = 'd';
		break;
	case H5O_TYPE_NAMED_DATATYPE:
		kind = 't';
		break;
	default:
		break;
	}
	if (buf_add(b, &kind, 1) < 0 || buf_add(b, name, strlen(name) + 1) < 0)
		return -1;
	return 0;
}

// ndc_visit lists every object reachable from the root group, each as a kind
// byte ('g' group, 'd' dataset, 't' named type, 'o' other) followed by its
// path relative to the root and a NUL. Creation order is used where the
// file tracks it (netCDF-4 files, ndchunk's own), else name order (h5py).
int ndc_visit(hid_t file, ndc_buf *out) {
	if (H5Ovisit2(file, H5_INDEX_CRT_ORDER, H5_ITER_INC, visit_cb, out, H5O_INFO_BASIC) >= 0)
		return 0;
	H5Eclear2(H5E_DEFAULT);
	out->n = 0;
	return H5Ovisit2(file, H5_INDEX_NAME, H5_ITER_INC, visit_cb, out, H5O_INFO_BASIC) < 0 ? -1 : 0;
}

static herr_t attr_cb(hid_t loc, const char *name, const H5A_info_t *info, void *data) {
	(void)loc;
	(void)info;
	return buf_add(data, name, strlen(name) + 1) < 0 ? -1 : 0;
}

// ndc_attr_names lists the attribute names of obj, NUL-terminated, in
// creation order where tracked, else in name order.
int ndc_attr_names(hid_t obj, ndc_buf *out) {
	hsize_t idx = 0;
	if (H5Aiterate2(obj, H5_INDEX_CRT_ORDER, H5_ITER_INC, &idx, attr_cb, out) >= 0)
		return 0;
	H5Eclear2(H5E_DEFAULT);
	out->n = 0;
	idx = 0;
	return H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, &idx, attr_cb, out) < 0 ? -1 : 0;
}

static herr_t scale_cb(hid_t did, unsigned dim, hid_t dsid, void *data) {
	char name[4096];
	(void)did;
	(void)dim;
	ssize_t n = H5Iget_name(dsid, name, sizeof name);
	if (n < 0)
		return -1;
	if ((size_t)n >= sizeof name)
		n = sizeof name - 1;
	return buf_add(data, name, (size_t)n + 1) < 0 ? -1 : 0;
}

// ndc_scale_names lists the paths of the dimension scales attached to axis
// of dset, NUL-terminated.
int ndc_scale_names(hid_t dset, unsigned axis, ndc_buf *out) {
	int n = H5DSget_num_scales(dset, axis);
	if (n <= 0)
		return n;
	return H5DSiterate_scales(dset, axis, NULL, scale_cb, out) < 0 ? -1 : 0;
}

// ndc_read reads the hyperslab start/count of dset into buf, a contiguous
// row-major array of count elements of memtype. rank 0 reads a scalar.
herr_t ndc_read(hid_t dset, hid_t memtype, int rank, const hsize_t *start, const hsize_t *count, void *buf) {
	if (rank == 0)
		return H5Dread(dset, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
	herr_t r = -1;
	hid_t fs = H5Dget_space(dset), ms = -1, st;
	if (fs < 0)
		return -1;
	if (H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) < 0)
		goto done;
	if ((ms = H5Screate_simple(rank, count, NULL)) < 0)
		goto done;
	r = H5Dread(dset, memtype, ms, fs, H5P_DEFAULT, buf);
done:
	st = keep_err(r < 0);
	if (ms >= 0)
		H5Sclose(ms);
	H5Sclose(fs);
	put_err(st);
	return r;
}

// ndc_write writes buf, a contiguous row-major array of count elements of
// memtype, to the hyperslab start/count of dset.
herr_t ndc_write(hid_t dset, hid_t memtype, int rank, const hsize_t *start, const hsize_t *count, const void *buf) {
	if (rank == 0)
		return H5Dwrite(dset, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
	herr_t r = -1;
	hid_t fs = H5Dget_space(dset), ms = -1, st;
	if (fs < 0)
		return -1;
	if (H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) < 0)
		goto done;
	if ((ms = H5Screate_simple(rank, count, NULL)) < 0)
		goto done;
	r = H5Dwrite(dset, memtype, ms, fs, H5P_DEFAULT, buf);
done:
	st = keep_err(r < 0);
	if (ms >= 0)
		H5Sclose(ms);
	H5Sclose(fs);
	put_err(st);
	return r;
}

// ndc_open_dataset opens the dataset at path with a chunk cache of
// cache_bytes spread over cache_slots hash slots (0: the library's
// defaults; cache_bytes < 0: no cache at all).
hid_t ndc_open_dataset(hid_t file, const char *path, int64_t cache_bytes, int64_t cache_slots) {
	hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
	if (dapl < 0)
		return -1;
	if (cache_bytes != 0 &&
	    H5Pset_chunk_cache(dapl, cache_slots > 0 ? (size_t)cache_slots : H5D_CHUNK_CACHE_NSLOTS_DEFAULT, cache_bytes > 0 ? (size_t)cache_bytes : 0, 0.75) < 0) {
		hid_t st = keep_err(1);
		H5Pclose(dapl);
		put_err(st);
		return -1;
	}
	hid_t d = H5Dopen2(file, path, dapl);
	hid_t st = keep_err(d < 0);
	H5Pclose(dapl);
	put_err(st);
	return d;
}

// ndc_filter describes filter idx of the creation property list dcpl. On
// entry *nparams is the capacity of params; on return the count stored.
int ndc_filter(hid_t dcpl, unsigned idx, int *id, unsigned *flags, unsigned *params, size_t *nparams, char *name, size_t name_len) {
	unsigned config = 0;
	H5Z_filter_t f = H5Pget_filter2(dcpl, idx, flags, nparams, params, name_len, name, &config);
	if (f < 0)
		return -1;
	*id = (int)f;
	return 0;
}

// ndc_bool_type returns the type h5py uses for NumPy's bool: an enum over
// an 8-bit integer with FALSE = 0 and TRUE = 1; little-endian for a file
// type, native for a memory type.
hid_t ndc_bool_type(int file_type) {
	hid_t t = H5Tenum_create(file_type ? H5T_STD_I8LE : H5T_NATIVE_INT8);
	int8_t v;
	if (t < 0)
		return -1;
	v = 0;
	if (H5Tenum_insert(t, "FALSE", &v) < 0)
		goto fail;
	v = 1;
	if (H5Tenum_insert(t, "TRUE", &v) < 0)
		goto fail;
	return t;
fail:;
	hid_t st = keep_err(1);
	H5Tclose(t);
	put_err(st);
	return -1;
}

// ndc_read_vlen_strings reads the variable-length string attribute attr
// (memtype is a variable-length string type, space its dataspace) and
// appends its strings, NUL-terminated, to out.
herr_t ndc_read_vlen_strings(hid_t attr, hid_t memtype, hid_t space, ndc_buf *out) {
	hssize_t n = H5Sget_simple_extent_npoints(space);
	if (n < 0)
		return -1;
	if (n == 0)
		return 0;
	char **s = calloc((size_t)n, sizeof *s);
	if (s == NULL)
		return -1;
	herr_t r = H5Aread(attr, memtype, s);
	if (r >= 0) {
		for (hssize_t i = 0; i < n; i++) {
			const char *v = s[i] ? s[i] : "";
			buf_add(out, v, strlen(v) + 1);
		}
		H5Dvlen_reclaim(memtype, space, H5P_DEFAULT, s);
	}
	free(s);
	return r;
}

// ndc_write_vlen_string creates the scalar attribute name on loc holding
// value as a variable-length UTF-8 string, as h5py writes a Python str.
herr_t ndc_write_vlen_string(hid_t loc, const char *name, const char *value) {
	herr_t r = -1;
	hid_t t = -1, s = -1, a = -1;
	if ((t = H5Tcopy(H5T_C_S1)) < 0)
		goto done;
	if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0)
		goto done;
	if ((s = H5Screate(H5S_SCALAR)) < 0)
		goto done;
	if ((a = H5Acreate2(loc, name, t, s, H5P_DEFAULT, H5P_DEFAULT)) < 0)
		goto done;
	r = H5Awrite(a, t, &value);
done:;
	hid_t st = keep_err(r < 0);
	if (a >= 0 && H5Aclose(a) < 0 && r >= 0) {
		r = -1;
		st = keep_err(1);
	}
	if (s >= 0)
		H5Sclose(s);
	if (t >= 0)
		H5Tclose(t);
	put_err(st);
	return r;
}

// ndc_chunk_info reports the filter mask and stored size of the chunk at
// offset, and whether it has been written at all.
herr_t ndc_chunk_info(hid_t dset, const hsize_t *offset, unsigned *mask, uint64_t *size, int *allocated) {
	haddr_t addr = HADDR_UNDEF;
	hsize_t sz = 0;
	if (H5Dget_chunk_info_by_coord(dset, offset, mask, &addr, &sz) < 0)
		return -1;
	*size = (uint64_t)sz;
	*allocated = addr != HADDR_UNDEF;
	return 0;
}

// The library's predefined type and property-list names are macros that
// call H5open(), which cgo cannot evaluate; these helpers hand them over.
// dtype codes follow chunk.DType: 2 int8 ... 9 uint64, 10 float32,
// 11 float64 (1, bool, is handled by ndc_bool_type).

hid_t ndc_native_type(int dtype) {
	switch (dtype) {
	case 2: return H5T_NATIVE_INT8;
	case 3: return H5T_NATIVE_INT16;
	case 4: return H5T_NATIVE_INT32;
	case 5: return H5T_NATIVE_INT64;
	case 6: return H5T_NATIVE_UINT8;
	case 7: return H5T_NATIVE_UINT16;
	case 8: return H5T_NATIVE_UINT32;
	case 9: return H5T_NATIVE_UINT64;
	case 10: return H5T_NATIVE_FLOAT;
	case 11: return H5T_NATIVE_DOUBLE;
	}
	return -1;
}

hid_t ndc_file_type(int dtype) {
	switch (dtype) {
	case 2: return H5T_STD_I8LE;
	case 3: return H5T_STD_I16LE;
	case 4: return H5T_STD_I32LE;
	case 5: return H5T_STD_I64LE;
	case 6: return H5T_STD_U8LE;
	case 7: return H5T_STD_U16LE;
	case 8: return H5T_STD_U32LE;
	case 9: return H5T_STD_U64LE;
	case 10: return H5T_IEEE_F32LE;
	case 11: return H5T_IEEE_F64LE;
	}
	return -1;
}

hid_t ndc_fopen(const char *path, int write) {
	return H5Fopen(path, write ? H5F_ACC_RDWR : H5F_ACC_RDONLY, H5P_DEFAULT);
}

// ndc_fcreate creates (truncating) a file whose groups track the creation
// order of their links and attributes, as netCDF-4 files do, so variables
// and attributes read back in the order they were written.
hid_t ndc_fcreate(const char *path) {
	hid_t fcpl = H5Pcreate(H5P_FILE_CREATE), f = -1;
	if (fcpl < 0)
		return -1;
	if (H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) >= 0 &&
	    H5Pset_attr_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) >= 0)
		f = H5Fcreate(path, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
	hid_t st = keep_err(f < 0);
	H5Pclose(fcpl);
	put_err(st);
	return f;
}

// ndc_create_group creates the group at path (and any missing parents),
// tracking creation order like the root group.
hid_t ndc_create_group(hid_t file, const char *path) {
	hid_t lcpl = H5Pcreate(H5P_LINK_CREATE), gcpl = H5Pcreate(H5P_GROUP_CREATE), g = -1;
	if (lcpl >= 0 && gcpl >= 0 && H5Pset_create_intermediate_group(lcpl, 1) >= 0 &&
	    H5Pset_link_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) >= 0 &&
	    H5Pset_attr_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) >= 0)
		g = H5Gcreate2(file, path, lcpl, gcpl, H5P_DEFAULT);
	hid_t st = keep_err(g < 0);
	if (lcpl >= 0)
		H5Pclose(lcpl);
	if (gcpl >= 0)
		H5Pclose(gcpl);
	put_err(st);
	return g;
}

// ndc_create_dataset creates a dataset of file type ftype. chunks NULL
// means contiguous layout; maxdims NULL a fixed shape. Shuffle comes
// before deflate in the pipeline, as h5py and netCDF order them. fill (of
// memory type fill_type) is the fill value, or NULL for the library's.
hid_t ndc_create_dataset(hid_t file, const char *path, hid_t ftype, int rank, const hsize_t *dims, const hsize_t *maxdims,
                         const hsize_t *chunks, int shuffle, int deflate, hid_t fill_type, const void *fill) {
	hid_t d = -1, sp = -1, lcpl = -1;
	hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
	if (dcpl < 0)
		return -1;
	if ((lcpl = H5Pcreate(H5P_LINK_CREATE)) < 0 || H5Pset_create_intermediate_group(lcpl, 1) < 0)
		goto done;
	if (H5Pset_attr_creation_order(dcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) < 0)
		goto done;
	if (chunks != NULL) {
		if (H5Pset_chunk(dcpl, rank, chunks) < 0)
			goto done;
		if (shuffle && H5Pset_shuffle(dcpl) < 0)
			goto done;
		if (deflate > 0 && H5Pset_deflate(dcpl, (unsigned)deflate) < 0)
			goto done;
	}
	if (fill != NULL && H5Pset_fill_value(dcpl, fill_type, fill) < 0)
		goto done;
	sp = rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(rank, dims, maxdims);
	if (sp < 0)
		goto done;
	d = H5Dcreate2(file, path, ftype, sp, lcpl, dcpl, H5P_DEFAULT);
done:;
	hid_t st = keep_err(d < 0);
	if (sp >= 0)
		H5Sclose(sp);
	if (lcpl >= 0)
		H5Pclose(lcpl);
	H5Pclose(dcpl);
	put_err(st);
	return d;
}

// ndc_write_attr creates the attribute name on loc holding n values of
// memory type mtype stored as ftype: a scalar when n is 1 (h5py then reads
// a number, not an array of one), an empty (null) attribute when n is 0.
herr_t ndc_write_attr(hid_t loc, const char *name, hid_t ftype, hid_t mtype, hsize_t n, const void *buf) {
	herr_t r = -1;
	hid_t s, a;
	if (n == 0)
		s = H5Screate(H5S_NULL);
	else if (n == 1)
		s = H5Screate(H5S_SCALAR);
	else
		s = H5Screate_simple(1, &n, NULL);
	if (s < 0)
		return -1;
	hid_t st = -1;
	if ((a = H5Acreate2(loc, name, ftype, s, H5P_DEFAULT, H5P_DEFAULT)) >= 0) {
		r = n == 0 ? 0 : H5Awrite(a, mtype, buf);
		st = keep_err(r < 0);
		if (H5Aclose(a) < 0 && r >= 0) {
			r = -1;
			st = keep_err(1);
		}
	} else {
		st = keep_err(1);
	}
	H5Sclose(s);
	put_err(st);
	return r;
}

// ndc_string_type returns a new string type: variable-length when size is
// 0, else fixed-length of size bytes; of character set cset.
hid_t ndc_string_type(size_t size, int cset) {
	hid_t t = H5Tcopy(H5T_C_S1);
	if (t < 0)
		return -1;
	if (H5Tset_size(t, size == 0 ? H5T_VARIABLE : size) < 0 || H5Tset_cset(t, (H5T_cset_t)cset) < 0) {
		hid_t st = keep_err(1);
		H5Tclose(t);
		put_err(st);
		return -1;
	}
	return t;
}

hid_t ndc_dcpl(hid_t dset) { return H5Dget_create_plist(dset); }

struct nc4_scan {
	int seen, found;
};

static herr_t nc4_cb(hid_t g, const char *name, const H5L_info_t *info, void *data) {
	struct nc4_scan *s = data;
	if (info->type != H5L_TYPE_HARD)
		return 0;
	if (H5Aexists_by_name(g, name, "_Netcdf4Dimid", H5P_DEFAULT) > 0 ||
	    H5Aexists_by_name(g, name, "_Netcdf4Coordinates", H5P_DEFAULT) > 0) {
		s->found = 1;
		return 1;
	}
	H5Eclear2(H5E_DEFAULT);
	return ++s->seen >= 64 ? 1 : 0;
}

// ndc_is_netcdf4 reports whether the open file was written by netCDF-4:
// its root group carries _NCProperties (netCDF-C 4.4.1 and later) or
// _nc3_strict, or one of its first 64 root objects carries the
// _Netcdf4Dimid or _Netcdf4Coordinates attributes netCDF-C puts on
// dimension scales and multi-dimensional coordinate variables.
int ndc_is_netcdf4(hid_t file) {
	struct nc4_scan s = {0, 0};
	hsize_t idx = 0;
	if (H5Aexists(file, "_NCProperties") > 0 || H5Aexists(file, "_nc3_strict") > 0)
		return 1;
	H5Eclear2(H5E_DEFAULT);
	H5Literate(file, H5_INDEX_NAME, H5_ITER_NATIVE, &idx, nc4_cb, &s);
	H5Eclear2(H5E_DEFAULT);
	return s.found;
}

// ndc_inflate decompresses the zlib stream src (n bytes) into dst (cap
// bytes) with zlib itself, which inflates faster than Go's flate; it takes
// no library lock, zlib being thread-safe. *out receives the bytes
// produced. Returns zlib's code: Z_OK for a whole stream that fit,
// Z_BUF_ERROR when dst was too small, Z_DATA_ERROR for a damaged or cut
// stream.
int ndc_inflate(const void *src, size_t n, void *dst, size_t cap, size_t *out) {
	uLongf dl = (uLongf)cap;
	uLong sl = (uLong)n;
	int r = uncompress2((Bytef *)dst, &dl, (const Bytef *)src, &sl);
	*out = (size_t)dl;
	return r;
}

// ndc_raw_file prepares reading the open file's bytes without the library:
// it returns 1 and sets *fd to a duplicate (close-on-exec) of the library's
// own descriptor and *base to what must be added to the chunk addresses
// H5Dget_chunk_info_by_coord reports to get offsets from the start of the
// file. It returns 0 when raw reads are not safe: the file is open for
// writing (in this process the library shares one open file between
// handles, so a read-only handle may see a file another handle writes, its
// newest data still in the library's buffers), or it is not on the
// default sec2 driver (no plain descriptor). -1 on a failed call.
//
// Chunk addresses are relative to the file's base address, which is the
// end of the user block (the superblock's position): libhdf5 before
// 1.14.4 reports them relative (HDFGroup/hdf5 issue 3003, fixed by pull
// request 4236), later versions absolute. H5Dget_offset has always been
// absolute. The runtime library's version decides, not the headers'.
int ndc_raw_file(hid_t file, int *fd, int64_t *base) {
	unsigned intent = 0, maj = 0, min = 0, rel = 0;
	hsize_t ub = 0;
	void *h = NULL;
	if (H5Fget_intent(file, &intent) < 0)
		return -1;
	if (intent & (H5F_ACC_RDWR | H5F_ACC_SWMR_READ))
		return 0;
	hid_t fapl = H5Fget_access_plist(file);
	if (fapl < 0)
		return -1;
	hid_t drv = H5Pget_driver(fapl);
	H5Pclose(fapl);
	if (drv < 0)
		return -1;
	if (drv != H5FD_SEC2)
		return 0;
	hid_t fcpl = H5Fget_create_plist(file);
	if (fcpl < 0)
		return -1;
	herr_t r = H5Pget_userblock(fcpl, &ub);
	H5Pclose(fcpl);
	if (r < 0 || H5get_libversion(&maj, &min, &rel) < 0)
		return -1;
	if (H5Fget_vfd_handle(file, H5P_DEFAULT, &h) < 0 || h == NULL)
		return -1;
	int d = fcntl(*(int *)h, F_DUPFD_CLOEXEC, 0);
	if (d < 0)
		return 0;
	*fd = d;
	int absolute = maj > 1 || (maj == 1 && (min > 14 || (min == 14 && rel >= 4)));
	*base = absolute ? 0 : (int64_t)ub;
	return 1;
}

// ndc_raw_layout reports whether the elements of dset can be read straight
// from the file, byte for byte as the library would deliver them as
// memtype: the stored type equals memtype (so the library's conversion is
// a copy), no filter and no external file stands between the file and
// the caller. It returns 1 for a chunked dataset, 2 for a contiguous one
// (*addr: its absolute address, or -1 while no storage is allocated), 0
// for anything else, -1 on a failed call. *fill_mode says what storage
// never written reads as: 1 the user-defined fill value, 0 zeros (the
// library's default fill value, or no fill at all, where the library
// leaves the caller's buffer as it was and zeros are the defined choice).
int ndc_raw_layout(hid_t dset, hid_t memtype, int64_t *addr, int *fill_mode) {
	int out = 0;
	*addr = -1;
	*fill_mode = 0;
	hid_t t = H5Dget_type(dset);
	if (t < 0)
		return -1;
	htri_t eq = H5Tequal(t, memtype);
	H5Tclose(t);
	if (eq < 0)
		return -1;
	if (!eq)
		return 0;
	hid_t dcpl = H5Dget_create_plist(dset);
	if (dcpl < 0)
		return -1;
	H5D_layout_t layout = H5Pget_layout(dcpl);
	int nf = H5Pget_nfilters(dcpl), ne = H5Pget_external_count(dcpl);
	H5D_fill_value_t st = H5D_FILL_VALUE_UNDEFINED;
	H5D_fill_time_t ft = H5D_FILL_TIME_IFSET;
	if (layout < 0 || nf < 0 || ne < 0 || H5Pfill_value_defined(dcpl, &st) < 0 || H5Pget_fill_time(dcpl, &ft) < 0) {
		hid_t e = keep_err(1);
		H5Pclose(dcpl);
		put_err(e);
		return -1;
	}
	H5Pclose(dcpl);
	if (nf != 0 || ne != 0)
		return 0;
	*fill_mode = st == H5D_FILL_VALUE_USER_DEFINED && ft != H5D_FILL_TIME_NEVER;
	switch (layout) {
	case H5D_CHUNKED:
		out = 1;
		break;
	case H5D_CONTIGUOUS: {
		// Storage not allocated yet reads as the fill value. Ask first:
		// libhdf5 1.10 adds the user block's size to HADDR_UNDEF too.
		H5D_space_status_t ss;
		if (H5Dget_space_status(dset, &ss) < 0)
			return -1;
		if (ss != H5D_SPACE_STATUS_NOT_ALLOCATED) {
			haddr_t a = H5Dget_offset(dset);
			if (a == HADDR_UNDEF)
				return -1;
			*addr = (int64_t)a;
		}
		out = 2;
		break;
	}
	default:
		break;
	}
	return out;
}

// ndc_chunk_locs looks up n chunks of dset, whose offsets (rank values
// each) follow one another in offsets: each chunk's address as the
// library reports it (-1 if never written), stored size and filter mask.
herr_t ndc_chunk_locs(hid_t dset, int rank, int n, const hsize_t *offsets, int64_t *addrs, uint64_t *sizes, unsigned *masks) {
	for (int i = 0; i < n; i++) {
		haddr_t a = HADDR_UNDEF;
		hsize_t sz = 0;
		if (H5Dget_chunk_info_by_coord(dset, offsets + (size_t)i * rank, &masks[i], &a, &sz) < 0)
			return -1;
		addrs[i] = a == HADDR_UNDEF ? -1 : (int64_t)a;
		sizes[i] = (uint64_t)sz;
	}
	return 0;
}
