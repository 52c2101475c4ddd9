// C helpers for package h5: they do in one cgo call what would otherwise
// take several (a hyperslab read is five library calls) and run the
// library's iteration callbacks on the C side, collecting results into a
// growing buffer, so no Go function is ever called back from C.
#ifndef NDCHUNK_H5_HELPERS_H
#define NDCHUNK_H5_HELPERS_H

#include <stdint.h>
#include <stdlib.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <zlib.h>

// ndc_buf is a growing byte buffer; the caller frees p with free().
typedef struct {
	char *p;
	size_t n, cap;
} ndc_buf;

void ndc_quiet(void);
int ndc_error_stack(ndc_buf *out);
int ndc_visit(hid_t file, ndc_buf *out);
int ndc_attr_names(hid_t obj, ndc_buf *out);
int ndc_scale_names(hid_t dset, unsigned axis, ndc_buf *out);
herr_t ndc_read(hid_t dset, hid_t memtype, int rank, const hsize_t *start, const hsize_t *count, void *buf);
herr_t ndc_write(hid_t dset, hid_t memtype, int rank, const hsize_t *start, const hsize_t *count, const void *buf);
hid_t ndc_open_dataset(hid_t file, const char *path, int64_t cache_bytes, int64_t cache_slots);
int ndc_filter(hid_t dcpl, unsigned idx, int *id, unsigned *flags, unsigned *params, size_t *nparams, char *name, size_t name_len);
hid_t ndc_bool_type(int file_type);
herr_t ndc_read_vlen_strings(hid_t attr, hid_t memtype, hid_t space, ndc_buf *out);
herr_t ndc_write_vlen_string(hid_t loc, const char *name, const char *value);
herr_t ndc_chunk_info(hid_t dset, const hsize_t *offset, unsigned *mask, uint64_t *size, int *allocated);

hid_t ndc_native_type(int dtype);
hid_t ndc_file_type(int dtype);
hid_t ndc_fopen(const char *path, int write);
hid_t ndc_fcreate(const char *path);
hid_t ndc_create_group(hid_t file, const char *path);
hid_t ndc_create_dataset(hid_t file, const char *path, hid_t ftype, int rank, const hsize_t *dims, const hsize_t *maxdims,
                         const hsize_t *chunks, int shuffle, int deflate, hid_t fill_type, const void *fill);
herr_t ndc_write_attr(hid_t loc, const char *name, hid_t ftype, hid_t mtype, hsize_t n, const void *buf);
hid_t ndc_dcpl(hid_t dset);
hid_t ndc_string_type(size_t size, int cset);
int ndc_is_netcdf4(hid_t file);
int ndc_raw_file(hid_t file, int *fd, int64_t *base);
int ndc_raw_layout(hid_t dset, hid_t memtype, int64_t *addr, int *fill_mode);
herr_t ndc_chunk_locs(hid_t dset, int rank, int n, const hsize_t *offsets, int64_t *addrs, uint64_t *sizes, unsigned *masks);
int ndc_inflate(const void *src, size_t n, void *dst, size_t cap, size_t *out);

#endif
