/*
 * mneedle rng: a counter-based random generator. Each draw is a hash of (seed, stream,
 * counter), so patient i of a cohort draws from stream i and gets the same numbers whatever
 * thread or MPI rank simulates it: results are bit-identical for any decomposition.
 *
 * The hash is SplitMix64's finaliser (Steele, Lea & Flood, "Fast splittable pseudorandom
 * number generators", OOPSLA 2014), applied twice with the stream folded into the key; it
 * passes BigCrush as a counter-mode generator. Not for cryptography.
 *
 * Thread safety: a generator is a plain struct owned by its caller; the functions touch only
 * it, so threads with their own mn_rng may draw at once (and draw the same numbers as one
 * thread would, stream by stream).
 */
#ifndef MNEEDLE_RNG_H
#define MNEEDLE_RNG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Declarations here are the exported API of libmneedle.so (CMakeLists.txt). */
#pragma GCC visibility push(default)

typedef struct {
    uint64_t key;     /* derived from seed and stream */
    uint64_t counter; /* draws so far */
} mn_rng;

/** Starts stream @p stream of generator @p seed. Thread-safe (touches only *rng). */
void mn_rng_init(mn_rng *rng, uint64_t seed, uint64_t stream);

/** Next 64 random bits. */
uint64_t mn_rng_u64(mn_rng *rng);

/** Uniform on the open interval (0, 1), 53-bit resolution. */
double mn_rng_uniform(mn_rng *rng);

/** Standard normal (Box–Muller; consumes exactly two draws, no cached state). */
double mn_rng_normal(mn_rng *rng);

/** Uniform integer in [lo, hi] (inclusive; hi >= lo). */
long mn_rng_int(mn_rng *rng, long lo, long hi);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
