/*
 * Posterior-predictive draws: the one place where the bands of simulate and plan, the
 * projection's ranges and the observation models (src/evidence/observe.c) take the model's
 * parameters. A virtual person is a parameter draw (the model's uncertain constants: which
 * values the evidence allows) times a variability draw (mn_healing_variability_sample(): how
 * people differ); ranges over many such people are posterior-predictive, parameter
 * uncertainty and between-person variability together.
 *
 * The parameter draw comes from mn__healing_param_draw() alone, so the source of the draws
 * is switched here and nowhere else. Until a posterior of the parameters ships with the
 * library, every draw holds the calibrated point values of params.c: the ranges then hold the
 * between-person variability, rater and sampling noise, and no parameter uncertainty, and
 * mn__healing_param_draws() says so (0) for outputs that state it.
 */
#include "healing/healing_internal.h"

int mn__healing_param_draws(const mn_ctx *ctx)
{
    (void)ctx;
    return 0;
}

void mn__healing_param_draw(const mn_ctx *ctx, uint64_t seed, uint64_t k, mn__healing_params *par)
{
    (void)ctx;
    (void)seed;
    (void)k;
    mn__healing_params_default(par);
}

const char *mn_healing_range_note(int band_draws)
{
    if (band_draws < 0)
        return "no band: the typical person's values";
    if (band_draws == 0)
        return "quick band: two virtual people at the 10th and 90th percentiles of the response "
               "gain and the severity of the concern (the largest sources of between-person "
               "spread); the model's parameters at their calibrated values";
    if (mn__healing_param_draws(NULL) > 0)
        return "10th-90th percentiles over virtual people, each a draw of the parameters' "
               "posterior times a draw of the between-person variability (posterior-predictive)";
    return "10th-90th percentiles over virtual people drawn from the between-person "
           "variability; the model's parameters at their calibrated values (no posterior "
           "ships yet, so parameter uncertainty is not in the ranges)";
}
