/*
 * Post-inflammatory hyperpigmentation (PIH) after a session: the per-session probability the
 * virtual cohort (src/cohort/model.c) and the observation models of PIH counts
 * (src/evidence/observe.c) share. docs/models/cohort.md gives the evidence and reasoning.
 *
 * Evidence is thin: no microneedling study reports PIH incidence by phototype and depth.
 * What there is:
 *   - Dogra et al. 2014 (J Cosmet Dermatol 13:180-7): 36 patients, phototypes IV-V, 1.5 mm
 *     roller, 5 monthly sessions: PIH in 5 of the 30 who completed (17 %).
 *   - Hong Kong J Dermatol Venereol 2018 (F22a, F80): 36 Indian acne-scar patients: no
 *     complication beyond pain, erythema and oedema for 3-6 h (0 PIH reported).
 *   - Al Qarqaz & Al-Yousef 2018 (J Cosmet Dermatol): 39 patients, phototypes III-V: none
 *     showed worsening of pigmentation.
 *   - Chu et al. 2021 (F70, review of 85 articles): PIH is among the persistent adverse events;
 *     Alster & Li 2020 (F19a, phototypes I-VI) report it as uncommon.
 * Pooled for phototypes III-V at about 1.5 mm with a roller: about 5 of 105 patients over a
 * 3-5 session course (5 %, 95 % interval roughly 2-11 %), that is about 1 % per session; all
 * five events are Dogra's, the only study that counted, so the pooling is weak and the law reads
 * low against Dogra alone (docs/models/cohort.md, "How far that pooled rate holds"). So:
 *     p_session = p_ref * m(phototype) * sqrt(E / E_ref) * sun * s_i
 * with p_ref = 0.01 per session at phototype IV and the inflammation of a 1.5 mm 192-needle
 * roller x 15 passes [derived above]; E the session's peak redness in this patient
 * (mn_healing_session_erythema(): the injury dose, channel area x depth reached, so depth
 * and passes both count, and the patient's inflammation multiplier) and E_ref that of the
 * reference roller session on a cheek (MN__PIH_REF_ERYTHEMA), the ratio bounded to 0.25-5 x
 * [ASSUMPTION: PIH rises with inflammation, less than in proportion]. The square root, not
 * the ratio itself: in proportion, a pen at 1.5 mm x 3 passes (4.3 x the reference redness)
 * gave a 6-session course in phototypes IV-V 22-30 % PIH, at or above every rate the evidence base
 * holds (data/evidence: Dogra 2014, roller, IV-V, 5 of 30; the studies with pens, Alster &
 * Li 2020 on striae in I-V, 0 of 25, and on scars in I-VI, "uncommon"; Al Qarqaz, III-V, 0 of
 * 39; Isfahan 2023, II-III, 7 of 32, the highest share). The reference session, where the
 * pooled rate was measured, is unchanged (ratio 1). m = 0.05, 0.15, 0.4, 1, 1.5, 2 for phototypes
 * I-VI [ASSUMPTION: PIH is rare in I-II and rises with constitutive pigment, as for lasers and
 * peels; no microneedling gradient published]; sun x0.75 low, x1 moderate, x1.5 high
 * [ASSUMPTION: UV after needling is the usual trigger named in aftercare advice]; s_i a
 * log-normal susceptibility with sd_log MN__PIH_SUSCEPT_SD_LOG and mean 1 [ASSUMPTION].
 * Capped at 0.5.
 *
 * A course (mn_healing_pih_risk(), what `mneedle simulate` reports): the chance of PIH after at
 * least one session, 1 - prod(1 - p_k), for the typical person (inflammation multiplier and
 * susceptibility 1, their means), with the patient as on day 0, as the virtual cohort
 * (src/cohort/model.c) and the healing run's session doses (model.c) take it. Its band is the
 * one docs/models/cohort.md states for the rate: an order of magnitude, a factor of two either
 * way (MN_PIH_BAND_FACTOR, healing.h), applied to each session's probability, whose cap stays.
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "healing/healing_internal.h"

#define PIH_P_REF     0.01 /* per session, phototype IV, reference roller: above */
#define PIH_RATIO_MIN 0.25
#define PIH_RATIO_MAX 5.0
#define PIH_P_MAX     0.5

static const double pih_phototype[6] = {0.05, 0.15, 0.4, 1.0, 1.5, 2.0}; /* [ASSUMPTION] */
static const double pih_sun[3] = {0.75, 1.0, 1.5};                       /* [ASSUMPTION] */

/* The studies whose PIH counts or reports set the law above: its reference rate (Dogra 2014,
 * hkjdv2018, Al Qarqaz) and the square root (Alster & Li 2020 on striae and on scars, Isfahan
 * 2023 beside them). A study used to set the law cannot validate it. */
static const char *const pih_law_sources[] = {"dogra2014",       "hkjdv2018",
                                              "alqarqaz_jcd",    "alster2020striae",
                                              "alster2020scars", "isfahan2023_striae"};

int mn__pih_law_source(const char *id)
{
    for (size_t i = 0; id && i < sizeof pih_law_sources / sizeof pih_law_sources[0]; i++)
        if (!strcmp(id, pih_law_sources[i]))
            return 1;
    return 0;
}

double mn__healing_pih_probability(const mn_healing_session *s, const mn_site *zone,
                                   const mn_patient *p, double inflammation_scale,
                                   double susceptibility)
{
    double e = mn_healing_session_erythema(s, zone, p, inflammation_scale);
    assert(p->fitzpatrick >= 1 && p->fitzpatrick <= 6 && p->sun >= 0 && p->sun <= 2);
    double ratio = e >= 0 ? e / MN__PIH_REF_ERYTHEMA : 1.0;
    ratio = ratio < PIH_RATIO_MIN ? PIH_RATIO_MIN : ratio > PIH_RATIO_MAX ? PIH_RATIO_MAX : ratio;
    double prob = PIH_P_REF * pih_phototype[p->fitzpatrick - 1] * sqrt(ratio) * pih_sun[p->sun] *
                  susceptibility;
    assert(prob >= 0); /* a probability: capped above, never negative */
    return prob > PIH_P_MAX ? PIH_P_MAX : prob;
}

/* One significant figure: the law is good to a factor of MN_PIH_BAND_FACTOR (2) either way,
 * so a second digit ("0.99" beside "1.2") claims a precision 20 times finer than the band. */
const char *mn__pih_percent_str(double probability, char *buf, size_t n)
{
    double v = 100 * probability;
    if (!(v > 0)) {
        snprintf(buf, n, "0");
        return buf;
    }
    double unit = pow(10, floor(log10(v)));
    double r = round(v / unit) * unit; /* may carry into the next decade: 0.96 -> 1 */
    int decimals = (int)-floor(log10(r) + 1e-9);
    snprintf(buf, n, "%.*f", decimals > 0 ? decimals : 0, r);
    return buf;
}

mn_status mn_healing_pih_risk(mn_ctx *ctx, const mn_healing_scenario *sc, mn_healing_pih *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!sc || !out)
        return mn__error(ctx, MN_EINVAL, "healing: PIH risk needs a scenario and a result");
    mn_status st = mn__healing_check_scenario(ctx, sc);
    if (st)
        return st;
    /* The typical person, then the band's ends: the law's per-session probability scaled by
     * its stated factor (through the susceptibility, the law's multiplier on the person). */
    static const double scale[3] = {1.0, 1.0 / MN_PIH_BAND_FACTOR, MN_PIH_BAND_FACTOR};
    double none[3] = {1, 1, 1};
    for (int k = 0; k < sc->n_sessions; k++) {
        for (int b = 0; b < 3; b++) {
            double p = mn__healing_pih_probability(&sc->sessions[k], sc->zone, &sc->patient, 1.0,
                                                   scale[b]);
            if (b == 0 && p > out->session_max)
                out->session_max = p;
            none[b] *= 1 - p;
        }
    }
    out->fitzpatrick = sc->patient.fitzpatrick;
    out->probability = 1 - none[0];
    out->probability_low = 1 - none[1];
    out->probability_high = 1 - none[2];
    return MN_OK;
}
