/* Counter-based generator; see include/mneedle/rng.h for the construction and its source. */
#include <assert.h>
#include <math.h>

#include "mneedle/rng.h"

#define MN_GOLDEN_GAMMA 0x9e3779b97f4a7c15ULL

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void mn_rng_init(mn_rng *rng, uint64_t seed, uint64_t stream)
{
    rng->key = mix64(mix64(seed + MN_GOLDEN_GAMMA) ^ (stream * MN_GOLDEN_GAMMA + 1));
    rng->counter = 0;
}

uint64_t mn_rng_u64(mn_rng *rng)
{
    uint64_t c = ++rng->counter;
    return mix64(mix64(rng->key + c * MN_GOLDEN_GAMMA) ^ rng->key);
}

double mn_rng_uniform(mn_rng *rng)
{
    /* (k + 0.5) / 2^53 lies strictly inside (0, 1). */
    double u = ((double)(mn_rng_u64(rng) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
    assert(u > 0 && u < 1);
    return u;
}

double mn_rng_normal(mn_rng *rng)
{
    double u1 = mn_rng_uniform(rng), u2 = mn_rng_uniform(rng);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925 * u2);
}

long mn_rng_int(mn_rng *rng, long lo, long hi)
{
    assert(hi >= lo);
    uint64_t span = (uint64_t)(hi - lo) + 1u;
    return lo + (long)(mn_rng_u64(rng) % span);
}
