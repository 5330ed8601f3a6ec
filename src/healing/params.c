/*
 * The healing model's parameters and where each value comes from: mn__healing_params_default()
 * holds the values the model runs with, each beside its source (a calibration row F.., a design
 * clause, or [judgement] with its reasoning). The equations they enter open model.c; what each
 * reproduces is in docs/models/healing.md; the fitted ones are re-fitted by
 * scripts/calibrate/healing.sh. The spreads of the per-person variability multipliers follow.
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "healing/healing_internal.h"

void mn__healing_params_default(mn__healing_params *p)
{
    /* Injury signal (DAMPs, platelet release) half-life 3 h [judgement], so erythema peaks
     * about 8 h after the session: "peaks within a day" (DESIGN 3.4). */
    p->injury_half_life_d = 0.125;
    /* Erythema decay time and half-saturation: fitted (scripts/calibrate) so that redness
     * (index >= 0.1) lasts ~1 day after a 1.5 mm 192-needle roller x 15 passes, ~3 days after
     * 1.5 mm pen x 3 passes and < 7 days after 2.5 mm pen x 5 passes (DESIGN 3.4; F54:
     * erythema < 48 h; F70: transient effects up to 7 days; F80: 3-6 h for light settings). */
    p->erythema_tau_d = 0.7;
    p->erythema_half_sat = 0.186;
    /* Channel closure: not a parameter here. The barrier state closes by the one closure law
     * of src/device/channel.c (mn_channel_closure, open to air), which the transport model
     * reads too; its sources and factors are in docs/models/device.md. */
    /* Epidermal renewal: almost complete by ~5 days (F09): 95 % by day 5, k = ln 20 / 5. */
    p->epi_renewal_rate_d = 2.99573227355399099344 / 5.0;
    /* Growth-factor signal half-life 1.5 d, activated-fibroblast stage 4 d, matrix-producing
     * stage 14 d [judgement], placing fibroblast activity from ~day 5 to ~8 weeks (F11): the
     * deposition peaks near day 12 and 90 % of it is done by day 60 (tested). */
    p->growth_half_life_d = 1.5;
    p->fib_active_tau_d = 4.0;
    p->fib_matrix_tau_d = 14.0;
    /* Collagen III lifetime 90 d: remodelling runs from 8 weeks to ~1 year (F11); 90 d puts
     * the mean maturation time inside that range, ~98 % done by a year [judgement, range
     * 60-180 d]; 70 % of it matures into collagen I, the rest is removed [judgement]. */
    p->col3_tau_d = 90.0;
    p->col3_mature_fraction = 0.7;
    /* Young (not yet cross-linked) collagen I lifetime 300 d and 15 % of it becoming
     * long-lived [judgement, ranges 150-1000 d and 0.05-0.4]: cross-linking and remodelling run
     * to ~1 year (F11), scar improvement is still rated at 12 months (F19a), results "last
     * several months to a few years" (seed articles). No study measured the decay of a
     * course's gain, so neither is fitted; the lifetime no longer follows the clinics'
     * 6-month maintenance habit. */
    p->col1_young_tau_d = 300.0;
    p->col1_long_fraction = 0.15;
    /* Long-lived skin collagen half-life 15 years (F31). */
    p->col1_long_half_life_y = 15.0;
    /* Epidermal thickening follows the new papillary matrix with the epidermal turnover time,
     * ~4 weeks [textbook value]; gain fitted to +50 % epidermis with +53 % collagen (F05a/b). */
    p->epi_turnover_tau_d = 28.0;
    p->epi_gain = 0.9742;
    /* Dose: the reticular dermis counts half as much as the papillary [judgement: the
     * papillary dermis is where F05b measured the gain and what shapes the surface]; dose per
     * 200 um, the reference papillary thickness (sites.json). */
    p->reticular_weight = 0.5;
    /* Reach of the wound response around a channel: fibroblasts within ~100 um of a tract
     * are activated and lay down matrix (the zone around each channel, and under its tip, in
     * which the dermal dose counts the dermis as injured) [judgement, range 50-200 um: the
     * spacing of pen channels after one pass is ~400 um, and clinically one pass leaves no
     * untreated islands]. */
    p->injury_reach_um = 100.0;
    p->ref_papillary_um = 200.0;
    /* Saturation: half of the maximal per-session stimulus at a dermal dose of 1, about the
     * papillary dermis wholly inside wound zones (one pass of a 1 mm pen on the cheek gives
     * 0.99) [judgement, range 0.5-4: low enough that stacking passes and depth shows
     * diminishing returns and that pen courses stay within the histological gains reported
     * for pens; high enough that depth and passes still count across the clinical settings
     * (a 1.5 mm pen x 3 is at 73 %, a 0.25 mm pen x 1 at 27 %); no published dose-response
     * fixes it]. R_max fitted to Lotfi 2013: papillary collagen +53.2 % 8 weeks after 5
     * monthly 1.5 mm roller sessions (F05b); Lotfi's roller, shallow (~450 um) and sparse
     * (229/cm2), is at 23 % of saturation. */
    p->dose_half_sat = 1.0;
    p->response_max = 0.6246;
    /* Response falls with age: fibroblast procollagen I output 56 vs 82 ng/ml at 80+ vs
     * 18-29 y (F32a), -32 % over ~6.2 decades = 5.2 % per decade after 25. Smokers: type I and
     * III collagen synthesis -18 % and -22 % (F36a): x 0.8. */
    p->response_age_loss_per_decade = 0.052;
    p->smoker_response = 0.8;
    /* Smokers' collagen degradation x 1.15: MMP-8 +100 % but TIMP-1 only -14 % and MMP-1
     * unchanged (F36b) [judgement, range 1.0-1.5]. */
    p->smoker_degradation = 1.15;
    /* Untreated synthesis falls as fibroblast output does (F32a, 5.2 %/decade); degradation
     * rises with age by d_age per decade, fitted so dermal collagen of a sun-protected site
     * falls 6 % per decade from 30 to 70 (F34a, upper inner arm). */
    p->synthesis_age_loss_per_decade = 0.052;
    p->degradation_age_gain_per_decade = 0.0508;
    /* UV: extra degradation on sun-exposed zones for low/moderate/high exposure. F38 puts
     * ~80 % of visible facial ageing on UV; collagen loss is one part of visible ageing, so
     * only 0/13/33 % of the loss rate is added [judgement, bounded by F38]. */
    p->uv_degradation[0] = 1.0;
    p->uv_degradation[1] = 1.15;
    p->uv_degradation[2] = 1.5;
    /* Collagen III counts a quarter towards the visible change [judgement, range 0-0.5: thin,
     * unorganised fibres; the surface follows the matured collagen I, so improvement keeps
     * rising while collagen III matures, months after a course]. Improvement scale x_c
     * (improvement = 100 w x / (w x + x_c)) fitted so Lotfi's course gives 64 % improvement
     * of acne scars: F05c rates 20 % excellent (> 75 %), 70 % good (51-75 %) and 10 % fair or
     * poor, whose quartile midpoints 88, 63 and 25 % average to 64 %. */
    p->col3_visible_weight = 0.25;
    p->improvement_scale = 0.1648;
    /* Between-study spread of the response: the sd of ln of a study's responsiveness, a
     * factor shared by all of a study's patients (its raters, technique, device and the
     * population it drew beyond what its record says) that multiplies the rated improvement
     * and histometric change its observation models read (src/evidence/observe.c,
     * docs/models/observation.md § Between studies). It moves no healing run, only what a
     * study is predicted to publish. 0 here: the defaults describe the typical study; the
     * calibration fits it (its prior in data/priors/healing.json). */
    p->study_sd_log = 0.0;
    /* Points of improvement by which a global impression (a rated % improvement, quartile
     * categories, a patient's rating, GAIS "improved") reads above the improvement that the
     * anchored severity scales (grades, scar scores, lesion counts) read: such a rating judges
     * the whole face at once, by eye and often by the treating physician, against a photograph
     * or memory of the start. Like study_sd_log it moves no healing run, only what those scales
     * are predicted to read (src/evidence/observe.c, docs/models/observation.md § Global
     * ratings). 0 here: no difference assumed; its prior is in data/priors/healing.json. */
    p->rating_offset_pct = 0.0;
}

void mn_healing_variability_init(mn_healing_variability *v)
{
    v->response_gain = 1;
    v->depth_fraction_scale = 1;
    v->closure_scale = 1;
    v->ageing_rate = 1;
    v->inflammation_scale = 1;
    v->remodelling_scale = 1;
    v->retention_scale = 1;
    v->epidermal_gain = 1;
    v->severity_scale = 1;
}

/* Log-normal sds of the multipliers, in the struct's order (sources in healing.h), and the
 * sign of each one's effect on improvement (for mn_healing_variability_shift). */
#define N_VAR 9
static const double var_sd[N_VAR] = {MN__RESPONSE_GAIN_SD_LOG, 0.15, 0.5, 0.25, 0.3, 0.3, 0.35, 0.3,
                                     MN__SEVERITY_SD_LOG};
static const double var_sign[N_VAR] = {1, 1, 0, -1, 0, -1, 1, 0, -1};

static double *var_slot(mn_healing_variability *v, int i)
{
    double *slots[N_VAR] = {&v->response_gain,   &v->depth_fraction_scale, &v->closure_scale,
                            &v->ageing_rate,     &v->inflammation_scale,   &v->remodelling_scale,
                            &v->retention_scale, &v->epidermal_gain,       &v->severity_scale};
    return slots[i];
}

void mn_healing_variability_sample(mn_rng *rng, mn_healing_variability *out)
{
    for (int i = 0; i < N_VAR; i++) {
        double z = mn_rng_normal(rng); /* two draws each: 18 in all */
        if (z > 3)
            z = 3;
        if (z < -3)
            z = -3;
        *var_slot(out, i) = exp(var_sd[i] * z);
    }
}

void mn_healing_variability_shift(double z, mn_healing_variability *out)
{
    for (int i = 0; i < N_VAR; i++)
        *var_slot(out, i) *= exp(var_sign[i] * var_sd[i] * z);
}

/* The constants that may be set by name (mn_healing_params_set), where each lives in the
 * internal set, and the range a value must lie in: rates, times and gains are positive and
 * finite (bounded far beyond any physiological value, so a typo is refused), fractions and
 * weights lie in [0, 1]. uv_degradation[] and ref_papillary_um are not settable: the first
 * is per exposure class, the second the unit the dose is counted in. */
#define BIG 1e6
#define PARAM(name, lo, hi)                                                                        \
    {                                                                                              \
#name, offsetof(mn__healing_params, name), lo, hi                                          \
    }
static const struct {
    const char *name;
    size_t offset;
    double lo, hi;
} named[] = {
    PARAM(injury_half_life_d, 1e-3, BIG),
    PARAM(erythema_tau_d, 1e-3, BIG),
    PARAM(erythema_half_sat, 1e-6, BIG),
    PARAM(epi_renewal_rate_d, 1e-6, BIG),
    PARAM(growth_half_life_d, 1e-3, BIG),
    PARAM(fib_active_tau_d, 1e-3, BIG),
    PARAM(fib_matrix_tau_d, 1e-3, BIG),
    PARAM(col3_tau_d, 1e-3, BIG),
    PARAM(col3_mature_fraction, 0, 1),
    PARAM(col1_young_tau_d, 1e-3, BIG),
    PARAM(col1_long_fraction, 0, 1),
    PARAM(col1_long_half_life_y, 1e-3, BIG),
    PARAM(epi_turnover_tau_d, 1e-3, BIG),
    PARAM(epi_gain, 0, BIG),
    PARAM(reticular_weight, 0, 1),
    PARAM(injury_reach_um, 0, 10000),
    PARAM(dose_half_sat, 1e-6, BIG),
    PARAM(response_max, 0, BIG),
    PARAM(response_age_loss_per_decade, 0, 1),
    PARAM(smoker_response, 0, BIG),
    PARAM(smoker_degradation, 1e-6, BIG),
    PARAM(synthesis_age_loss_per_decade, 0, 1),
    PARAM(degradation_age_gain_per_decade, 0, BIG),
    PARAM(col3_visible_weight, 0, 1),
    PARAM(improvement_scale, 1e-6, BIG),
    PARAM(study_sd_log, 0, 5),
    PARAM(rating_offset_pct, -100, 100),
};
#undef PARAM
#define N_NAMED ((int)(sizeof named / sizeof named[0]))
/* Marks a set filled by mn_healing_params_default(). */
#define PARAMS_MAGIC 0x6d6e6870u

_Static_assert(sizeof(mn__healing_params) <= sizeof(((mn_healing_params *)0)->slot),
               "MN_HEALING_PARAM_SLOTS is too small for the model's constants");

void mn_healing_params_default(mn_healing_params *p)
{
    mn__healing_params d;
    mn__healing_params_default(&d);
    memset(p, 0, sizeof *p);
    memcpy(p->slot, &d, sizeof d);
    p->magic = PARAMS_MAGIC;
}

int mn__healing_params_from(const mn_healing_params *p, mn__healing_params *out)
{
    if (!p) {
        mn__healing_params_default(out);
        return 0;
    }
    if (p->magic != PARAMS_MAGIC)
        return -1;
    memcpy(out, p->slot, sizeof *out);
    return 0;
}

int mn_healing_param_count(void)
{
    return N_NAMED;
}

const char *mn_healing_param_name(int i)
{
    return i >= 0 && i < N_NAMED ? named[i].name : NULL;
}

int mn_healing_param_find(const char *name)
{
    for (int i = 0; name && i < N_NAMED; i++)
        if (!strcmp(named[i].name, name))
            return i;
    return -1;
}

int mn_healing_param_range(int i, double *lo, double *hi)
{
    if (i < 0 || i >= N_NAMED)
        return 0;
    if (lo)
        *lo = named[i].lo;
    if (hi)
        *hi = named[i].hi;
    return 1;
}

mn_status mn_healing_params_set(mn_ctx *ctx, mn_healing_params *p, const char *name, double value)
{
    if (!p || !name || p->magic != PARAMS_MAGIC)
        return mn__error(ctx, MN_EINVAL,
                         "healing: a parameter set must be filled by mn_healing_params_default()");
    int i = mn_healing_param_find(name);
    if (i < 0)
        return mn__error(ctx, MN_ENOTFOUND, "healing: no model constant named '%s'", name);
    if (!(value >= named[i].lo && value <= named[i].hi))
        return mn__error(ctx, MN_ERANGE, "healing: %s = %g is outside %g-%g", name, value,
                         named[i].lo, named[i].hi);
    memcpy((char *)p->slot + named[i].offset, &value, sizeof value);
    return MN_OK;
}

double mn_healing_params_get(const mn_healing_params *p, const char *name)
{
    int i = mn_healing_param_find(name);
    if (!p || i < 0 || p->magic != PARAMS_MAGIC)
        return NAN;
    double v;
    memcpy(&v, (const char *)p->slot + named[i].offset, sizeof v);
    return v;
}
