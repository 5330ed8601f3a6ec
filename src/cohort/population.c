/*
 * Sampling the population of a virtual trial (docs/models/cohort.md, "Population").
 *
 * Each patient's demographics take exactly five draws from the patient's own stream, in this
 * order, so adding a later draw never changes who the patient is:
 *   age     uniform on [age_lo, age_hi]: trials report an inclusion range, rarely the shape
 *           inside it; uniform is the least-informed choice [ASSUMPTION]
 *   sex     fixed by the trial, or female with probability female_fraction
 *   type    Fitzpatrick phototype uniform over the included integers [ASSUMPTION: trials
 *           report the range, e.g. "SPT I-VI" (F19a) or "FST III-IV" (F05a)]
 *   smoker  with probability smoker_fraction
 *   sun     habitual exposure drawn from the trial's low/moderate/high mix
 */
#include <assert.h>
#include <string.h>

#include "cohort/cohort_internal.h"

void mn_cohort_trial_init(mn_cohort_trial *t)
{
    memset(t, 0, sizeof *t);
    t->population.n = 1000;
    t->population.age_lo = 18;
    t->population.age_hi = 100;
    t->population.sex = MN_COHORT_SEX_ANY;
    t->population.female_fraction = 0.5;
    t->population.fitzpatrick_lo = 1;
    t->population.fitzpatrick_hi = 6;
    t->population.smoker_fraction = 0;
    t->population.sun_fraction[MN_SUN_MODERATE] = 1;
    t->seed = MN_COHORT_DEFAULT_SEED;
    t->maintenance_fraction = MN_MAINTENANCE_TARGET_FRACTION;
    t->maintenance_check_days = 7;
}

const char *mn_cohort_constants_note(const mn_cohort_trial *trial)
{
    mn_posterior_source src = MN_POSTERIOR_FIT;
    int n = mn__healing_param_draws(NULL, &src);
    if (!trial || trial->constants == MN_COHORT_CONSTANTS_DEFAULTS)
        return "the library's defaults (src/healing/params.c) for every patient, not the "
               "evidence fit";
    if (n > 0 && src == MN_POSTERIOR_FIT)
        return "a draw of the evidence fit (the bundled posterior, fitted to the calibration "
               "studies 'mneedle evidence' lists) per patient, times "
               "his or her own variability";
    if (n > 0)
        return "a draw of the bundled draws per patient, which no evidence narrowed (not a "
               "fit), times his or her own variability";
    return "the library's defaults for every patient (no posterior is bundled)";
}

void mn_cohort_options_init(mn_cohort_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->use_mpi = 1;
}

void mn_cohort_patient_sample(const mn_cohort_population *pop, mn_rng *rng, mn_patient *out)
{
    /* A loaded trial (trial.c) guarantees these; they keep the draws below in range. */
    assert(pop->age_lo <= pop->age_hi && pop->fitzpatrick_lo <= pop->fitzpatrick_hi);
    assert(pop->fitzpatrick_lo >= 1 && pop->fitzpatrick_hi <= 6);
    assert(pop->female_fraction >= 0 && pop->female_fraction <= 1);
    assert(pop->smoker_fraction >= 0 && pop->smoker_fraction <= 1);
    double u_age = mn_rng_uniform(rng);
    double u_sex = mn_rng_uniform(rng);
    double u_fitz = mn_rng_uniform(rng);
    double u_smoke = mn_rng_uniform(rng);
    double u_sun = mn_rng_uniform(rng);
    mn_patient_init(out);
    out->age_years = pop->age_lo + (pop->age_hi - pop->age_lo) * u_age;
    if (pop->sex == MN_COHORT_SEX_ANY)
        out->sex = u_sex < pop->female_fraction ? MN_SEX_FEMALE : MN_SEX_MALE;
    else
        out->sex = pop->sex == MN_COHORT_SEX_MALE ? MN_SEX_MALE : MN_SEX_FEMALE;
    int span = pop->fitzpatrick_hi - pop->fitzpatrick_lo + 1;
    int k = (int)(u_fitz * span); /* u < 1, so k < span */
    out->fitzpatrick = pop->fitzpatrick_lo + (k < span ? k : span - 1);
    out->smoker = u_smoke < pop->smoker_fraction;
    double low = pop->sun_fraction[MN_SUN_LOW], mod = pop->sun_fraction[MN_SUN_MODERATE];
    out->sun = u_sun < low ? MN_SUN_LOW : u_sun < low + mod ? MN_SUN_MODERATE : MN_SUN_HIGH;
    /* A sun fraction of exactly 0 must never be drawn, even at the rounding edge. */
    if (out->sun == MN_SUN_HIGH && pop->sun_fraction[MN_SUN_HIGH] <= 0)
        out->sun = mod > 0 ? MN_SUN_MODERATE : MN_SUN_LOW;
    assert(out->fitzpatrick >= pop->fitzpatrick_lo && out->fitzpatrick <= pop->fitzpatrick_hi);
}
