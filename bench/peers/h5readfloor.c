/* The C floor for the file-read benchmark: read an N-d dataset chunk by
 * chunk with plain H5Dread (hyperslab file space, contiguous memory space)
 * in storage order, and print one JSON line. Nothing is summed: this is
 * the library's own read speed, the floor ndchunk's sum is compared to.
 * Build: gcc -O2 h5readfloor.c $(pkg-config --cflags --libs hdf5) */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
	if (argc != 3) {
		fprintf(stderr, "usage: h5readfloor FILE DATASET\n");
		return 2;
	}
	hid_t f = H5Fopen(argv[1], H5F_ACC_RDONLY, H5P_DEFAULT);
	hid_t d = f < 0 ? -1 : H5Dopen2(f, argv[2], H5P_DEFAULT);
	if (d < 0) return 1;
	hid_t fs = H5Dget_space(d), dcpl = H5Dget_create_plist(d);
	int rank = H5Sget_simple_extent_ndims(fs);
	hsize_t dims[32], chunk[32], start[32] = {0}, count[32];
	H5Sget_simple_extent_dims(fs, dims, NULL);
	if (H5Pget_chunk(dcpl, rank, chunk) != rank) return 1;
	size_t n = 1;
	for (int i = 0; i < rank; i++) n *= chunk[i];
	float *buf = malloc(n * sizeof *buf);
	struct timespec t0, t1;
	double bytes = 0, probe = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		size_t m = 1;
		for (int i = 0; i < rank; i++) {
			count[i] = start[i] + chunk[i] > dims[i] ? dims[i] - start[i] : chunk[i];
			m *= count[i];
		}
		hid_t ms = H5Screate_simple(rank, count, NULL);
		if (H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
		    H5Dread(d, H5T_NATIVE_FLOAT, ms, fs, H5P_DEFAULT, buf) < 0)
			return 1;
		H5Sclose(ms);
		bytes += (double)m * sizeof *buf;
		probe += buf[0];
		int i = rank - 1;
		for (; i >= 0; i--) {
			start[i] += chunk[i];
			if (start[i] < dims[i]) break;
			start[i] = 0;
		}
		if (i < 0) break;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
	printf("{\"system\":\"c-h5dread\",\"wall_s\":%.6f,\"gb_per_s\":%.3f,\"bytes\":%.0f,\"probe\":%g}\n", s, bytes / s / 1e9, bytes, probe);
	return 0;
}
