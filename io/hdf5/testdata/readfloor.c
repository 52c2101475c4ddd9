// readfloor: the C floor for io/hdf5's read benchmark. It reads a 2-d
// float32 dataset chunk by chunk with plain H5Dread (a hyperslab file
// space, a contiguous memory space), passes times, and prints the seconds
// taken.
//
// Usage: readfloor FILE DATASET PASSES
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
	if (argc != 4) {
		fprintf(stderr, "usage: readfloor FILE DATASET PASSES\n");
		return 2;
	}
	int passes = atoi(argv[3]);
	hid_t f = H5Fopen(argv[1], H5F_ACC_RDONLY, H5P_DEFAULT);
	hid_t d = H5Dopen2(f, argv[2], H5P_DEFAULT);
	hid_t fs = H5Dget_space(d);
	hid_t dcpl = H5Dget_create_plist(d);
	hsize_t dims[2], chunk[2];
	if (f < 0 || d < 0 || H5Sget_simple_extent_ndims(fs) != 2 || H5Pget_chunk(dcpl, 2, chunk) != 2)
		return 1;
	H5Sget_simple_extent_dims(fs, dims, NULL);
	hid_t ms = H5Screate_simple(2, chunk, NULL);
	float *buf = malloc(chunk[0] * chunk[1] * sizeof *buf);
	double sum = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int p = 0; p < passes; p++) {
		for (hsize_t y = 0; y < dims[0]; y += chunk[0]) {
			for (hsize_t x = 0; x < dims[1]; x += chunk[1]) {
				hsize_t start[2] = {y, x};
				if (H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, chunk, NULL) < 0 ||
				    H5Dread(d, H5T_NATIVE_FLOAT, ms, fs, H5P_DEFAULT, buf) < 0)
					return 1;
				sum += buf[0];
			}
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.9f %g\n", (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec), sum);
	free(buf);
	H5Sclose(ms);
	H5Sclose(fs);
	H5Pclose(dcpl);
	H5Dclose(d);
	H5Fclose(f);
	return 0;
}
