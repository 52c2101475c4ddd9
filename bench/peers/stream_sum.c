/* The C floor for the fused in-memory benchmark: a plain single-pass sum
 * over 3 GiB of float64 (three 1 GiB arrays, as sum(a*b + c) reads) with
 * OpenMP threads. Prints one JSON line. Build: gcc -O3 -march=native
 * -fopenmp stream_sum.c -o stream_sum */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
	long n = argc > 1 ? atol(argv[1]) : 11585L * 11585L;
	int threads = argc > 2 ? atoi(argv[2]) : omp_get_max_threads();
	omp_set_num_threads(threads);
	double *a[3];
	for (int k = 0; k < 3; k++) {
		a[k] = malloc(n * sizeof(double));
		if (!a[k]) { fprintf(stderr, "out of memory\n"); return 1; }
#pragma omp parallel for
		for (long i = 0; i < n; i++) a[k][i] = (double)((i + k) % 7) * 0.5;
	}
	double best = 1e9, total = 0;
	for (int rep = 0; rep < 5; rep++) {
		double t0 = now(), s = 0;
		for (int k = 0; k < 3; k++) {
			double *v = a[k];
#pragma omp parallel for reduction(+ : s)
			for (long i = 0; i < n; i++) s += v[i];
		}
		double t = now() - t0;
		if (t < best) best = t;
		total = s;
	}
	printf("{\"system\":\"c-openmp-sum\",\"threads\":%d,\"wall_s\":%.6f,\"gb_per_s\":%.3f,\"value\":%.1f}\n",
	       threads, best, 3.0 * n * 8 / best / 1e9, total);
	return 0;
}
