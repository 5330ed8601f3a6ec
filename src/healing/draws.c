/*
 * Posterior-predictive draws: the one place where the bands of simulate and plan and the
 * projection's ranges take the model's parameters. A virtual person is a parameter draw (the
 * model's uncertain constants: which values the evidence allows) times a variability draw
 * (mn_healing_variability_sample(): how people differ); ranges over many such people are
 * posterior-predictive, parameter uncertainty and between-person variability together.
 *
 * The parameter draws are the rows of the bundled posterior (data/posterior/healing.json,
 * posterior.h), each turned once into a full set (the library's defaults with the drawn
 * constants replaced, as mn_posterior_params()) and kept for the life of the process: read-only
 * after it is built, so any number of threads share it. Person k of the stream @p seed takes
 * row (o + k) mod n, with the offset o drawn from the seed on a stream of its own (not one of
 * the people's variability streams), so the first n people of a band take n distinct rows and
 * the same seed always takes the same rows. When no posterior is bundled every draw holds the
 * library's defaults, and mn__healing_param_draws() says so (0) for the outputs that state it.
 */
#include <stdatomic.h>
#include <string.h>

#include "healing/healing_internal.h"
#include "mneedle/posterior.h"

/* The stream of a band's seed that picks the offset into the rows: far above any person's
 * stream (mn_healing_band and mn_healing_project use 0 .. draws - 1, at most 100,000). */
#define PARAM_OFFSET_STREAM 0x706f737465726e00ull /* "postern" */

typedef struct {
    int n;                      /* rows (0: no posterior bundled, point values) */
    mn_posterior_source source; /* where the rows came from (when n > 0) */
    mn__healing_params *rows;   /* n full sets */
} param_table;

static _Atomic(param_table *) table;

/* Builds the table from the bundled posterior. MN_ENOMEM is the only failure: a build without
 * a bundled posterior gives an empty table (the tests check the bundled file loads). */
static mn_status build_table(mn_ctx *ctx, param_table **out)
{
    param_table *t = mn__calloc(1, sizeof *t);
    if (!t)
        return mn__error(ctx, MN_ENOMEM, "healing: out of memory for the posterior draws");
    mn_posterior *post = NULL;
    mn_status st = mn_posterior_load(NULL, NULL, &post);
    if (st == MN_ENOMEM) {
        mn__free(t);
        return mn__error(ctx, MN_ENOMEM, "healing: out of memory for the posterior draws");
    }
    if (st) { /* none bundled: point values */
        *out = t;
        return MN_OK;
    }
    int n = mn_posterior_draw_count(post);
    t->rows = mn__malloc(sizeof *t->rows * (size_t)n);
    if (!t->rows) {
        mn_posterior_free(post);
        mn__free(t);
        return mn__error(ctx, MN_ENOMEM, "healing: out of memory for the posterior draws");
    }
    for (int k = 0; k < n; k++) {
        mn_healing_params set;
        if (!ALWAYS(mn_posterior_params(NULL, post, k, &set) == MN_OK &&
                    mn__healing_params_from(&set, &t->rows[k]) == 0)) {
            mn_posterior_free(post);
            mn__free(t->rows);
            mn__free(t);
            return mn__error(ctx, MN_EINVAL, "healing: bundled posterior draw %d unusable", k);
        }
    }
    t->n = n;
    t->source = mn_posterior_provenance_of(post)->source;
    mn_posterior_free(post);
    *out = t;
    return MN_OK;
}

/* The table, built on first use; the first thread to finish building it publishes it and
 * any other frees its own copy. */
static mn_status get_table(mn_ctx *ctx, const param_table **out)
{
    param_table *t = atomic_load_explicit(&table, memory_order_acquire);
    if (!t) {
        param_table *mine = NULL;
        mn_status st = build_table(ctx, &mine);
        if (st)
            return st;
        param_table *expected = NULL;
        if (atomic_compare_exchange_strong_explicit(&table, &expected, mine, memory_order_acq_rel,
                                                    memory_order_acquire))
            t = mine;
        else {
            mn__free(mine->rows);
            mn__free(mine);
            t = expected;
        }
    }
    *out = t;
    return MN_OK;
}

int mn__healing_param_draws(mn_ctx *ctx, mn_posterior_source *source)
{
    const param_table *t;
    if (get_table(ctx, &t))
        return -1;
    if (source && t->n > 0)
        *source = t->source;
    return t->n;
}

/* The row of @p n that person @p k of the stream @p seed takes (the header's rule). */
static int row_of(uint64_t seed, uint64_t k, int n)
{
    mn_rng rng;
    mn_rng_init(&rng, seed, PARAM_OFFSET_STREAM);
    uint64_t offset = mn_rng_u64(&rng) % (uint64_t)n;
    return (int)((offset + k % (uint64_t)n) % (uint64_t)n);
}

mn_status mn__healing_param_draw(mn_ctx *ctx, uint64_t seed, uint64_t k, mn__healing_params *par)
{
    const param_table *t;
    mn_status st = get_table(ctx, &t);
    if (st)
        return st;
    if (t->n == 0) {
        mn__healing_params_default(par);
        return MN_OK;
    }
    *par = t->rows[row_of(seed, k, t->n)];
    return MN_OK;
}

mn_status mn__healing_param_draw_from(mn_ctx *ctx, const mn_posterior *post, uint64_t seed,
                                      uint64_t k, mn__healing_params *par)
{
    if (!post)
        return mn__healing_param_draw(ctx, seed, k, par);
    int n = mn_posterior_draw_count(post);
    if (n <= 0)
        return mn__error(ctx, MN_EINVAL, "healing: the posterior has no draws");
    mn_healing_params set;
    mn_status st = mn_posterior_params(ctx, post, row_of(seed, k, n), &set);
    if (st)
        return st;
    if (!ALWAYS(mn__healing_params_from(&set, par) == 0))
        return mn__error(ctx, MN_EINVAL, "healing: posterior draw unusable");
    return MN_OK;
}

const char *mn_healing_range_note(int band_draws)
{
    if (band_draws < 0)
        return "no band: the typical person's values";
    if (band_draws == 0)
        return "quick band: two virtual people at the 10th and 90th percentiles of the response "
               "gain and the severity of the concern (the largest sources of between-person "
               "spread); the model's parameters at the library's defaults (no parameter "
               "uncertainty)";
    /* One person has no 10th or 90th percentile to speak of: both are that person. */
    if (band_draws == 1)
        return "one virtual person, a draw of the model's parameters times a draw of the "
               "between-person variability: the low and high values are that person's own (with "
               "the typical person's), not percentiles; 2 or more people give the 10th-90th "
               "percentiles over them";
    mn_posterior_source src = MN_POSTERIOR_FIT;
    int n = mn__healing_param_draws(NULL, &src);
    if (n > 0 && src == MN_POSTERIOR_FIT)
        return "10th-90th percentiles over virtual people, each a draw of the parameters' "
               "posterior (the bundled fit to the calibration studies 'mneedle evidence' lists) "
               "times a draw of the between-person "
               "variability (posterior-predictive: parameter uncertainty and between-person "
               "variability together)";
    if (n > 0)
        return "10th-90th percentiles over virtual people, each a draw of the parameters from "
               "the bundled draws, which no evidence narrowed (prior or synthetic, not a fit), "
               "times a draw of the between-person variability";
    return "10th-90th percentiles over virtual people drawn from the between-person "
           "variability; the model's parameters at the library's defaults (no posterior is "
           "bundled, so parameter uncertainty is not in the ranges)";
}
