/*
 * Memory bandwidth by a STREAM-style triad a[i] = b[i] + s * c[i] over arrays far larger than
 * the caches; bytes moved counted as 3 x 8 per element (two reads, one write; write-allocate
 * traffic is not counted, as in STREAM). Best of 5 repetitions.
 */
#include <stdlib.h>

#include "bench.h"

double mn_bench_bandwidth_gbs(void)
{
    const size_t n = (size_t)32 << 20; /* 32 Mi doubles = 256 MiB per array, beyond any L3 */
    double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), *c = malloc(n * sizeof *c);
    if (!a || !b || !c) {
        free(a);
        free(b);
        free(c);
        return 0;
    }
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) {
        a[i] = 0;
        b[i] = 1.0;
        c[i] = 2.0;
    }
    double best = 1e30;
    for (int rep = 0; rep < 5; rep++) {
        double t0 = mn_bench_now();
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < n; i++)
            a[i] = b[i] + 3.0 * c[i];
        double t = mn_bench_now() - t0;
        if (t < best)
            best = t;
    }
    volatile double sink = a[n / 2];
    (void)sink;
    free(a);
    free(b);
    free(c);
    return 3.0 * 8.0 * (double)n / best / 1e9;
}
