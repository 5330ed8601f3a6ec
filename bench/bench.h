/* Shared benchmark helpers: a monotonic clock and the machine's memory bandwidth. */
#ifndef MN_BENCH_H
#define MN_BENCH_H

#include <time.h>

static inline double mn_bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Processor time this process has used, in seconds: on a shared machine it moves less with
 * other jobs' load than the wall clock does. */
static inline double mn_bench_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Measures sustained memory bandwidth in GB/s (a STREAM-like triad on 3 x 256 MiB arrays,
 * best of several runs, all threads). Takes about a second. */
double mn_bench_bandwidth_gbs(void);

#endif
