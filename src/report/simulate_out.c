/*
 * Writing a healing result: JSON (DESIGN §4 keys and more), text for a clinician or client,
 * CSV of daily trajectories, and the one answer everyone asks for: how long will it last?
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/consts.h"
#include "core/json_out.h"
#include "healing/healing_internal.h"
#include "mneedle/report.h"
#include "report/validation_note.h"

mn_status mn_healing_result_evidence(mn_ctx *ctx, mn_healing_result *res,
                                     mn_healing_evidence *store)
{
    if (!res || !store || !res->scenario || !res->scenario->concern)
        return mn__error(ctx, MN_EINVAL, "mn_healing_result_evidence: NULL argument");
    const char *concern = res->scenario->concern->id;
    int followup = 0, studies = -1;
    const char *followup_study = NULL, *shallow_study = NULL;
    double shallow = -1;
    mn_healing_evidence ev = {.measured = {-1, -1, NULL, NULL}};
    mn_status st;
    if ((st = mn_evidence_bundled_followup(ctx, &followup, &followup_study)) ||
        (st = mn_evidence_bundled_shallowest(ctx, concern, &shallow, &shallow_study)) ||
        (st = mn_evidence_bundled_studies(ctx, concern, &studies)) ||
        (st = mn_evidence_validation_summary(ctx, &ev.validation)) ||
        (st = mn_evidence_bundled_largest_change(ctx, 0, &ev.measured.collagen_pct,
                                                 &ev.measured.collagen_study)) ||
        (st = mn_evidence_bundled_largest_change(ctx, 1, &ev.measured.epidermis_pct,
                                                 &ev.measured.epidermis_study)))
        return st;
    *store = ev;
    res->evidence_followup_days = followup;
    res->evidence_followup_study = followup_study;
    res->evidence_shallowest_mm = shallow > 0 ? shallow : 0;
    res->evidence_shallowest_study = shallow_study;
    res->evidence_studies_known = studies >= 0;
    res->evidence_studies = studies;
    res->validation = &store->validation;
    res->measured_max = &store->measured;
    return MN_OK;
}

/* The largest collagen (@p epidermal 0) or epidermal change over the report days. */
static double sample_max(const mn_healing_result *res, int epidermal)
{
    double most = -INFINITY;
    for (int i = 0; i < res->n_samples; i++)
        most = fmax(most, epidermal ? res->samples[i].epidermis_change_pct
                                    : res->samples[i].collagen_change_pct);
    return most;
}

/* "12 days", "5 months", "3.1 years". */
static void duration(int days, char *buf, size_t n)
{
    if (days < 60)
        snprintf(buf, n, "%d day%s", days, days == 1 ? "" : "s");
    else if (days < 730)
        snprintf(buf, n, "%.0f months", days / MN__DAYS_PER_MONTH);
    else
        snprintf(buf, n, "%.1f years", days / MN__DAYS_PER_YEAR);
}

/* Whether the durability the result states (the typical person's or the top of its range)
 * lies past the longest follow-up after a course in the evidence base; 0 when unknown. */
static int extrapolated(const mn_healing_result *res)
{
    const mn_healing_summary *S = res->summary;
    const mn_healing_scenario *sc = res->scenario;
    if (res->evidence_followup_days <= 0 || !S || sc->n_sessions == 0)
        return 0;
    int last = sc->sessions[sc->n_sessions - 1].day;
    int d = S->durability_days, hi = res->maintenance ? res->maintenance->durability_high_days : d;
    if (d < 0 || hi < 0)
        return 1;
    if (hi > d)
        d = hi;
    return S->peak_day + d - last > res->evidence_followup_days;
}

/* Whether the day the result states the skin is back at its starting level (or the top of its
 * range) lies past the longest follow-up after a course in the evidence base, or is beyond the
 * search; 0 when unknown or when there was no gain. */
static int baseline_extrapolated(const mn_healing_result *res)
{
    const mn_healing_summary *S = res->summary;
    const mn_healing_scenario *sc = res->scenario;
    if (res->evidence_followup_days <= 0 || !S || sc->n_sessions == 0 ||
        S->back_to_baseline_day == 0)
        return 0;
    int last = sc->sessions[sc->n_sessions - 1].day;
    int d = S->back_to_baseline_day,
        hi = res->maintenance ? res->maintenance->back_to_baseline_high_day : d;
    if (d < 0 || hi < 0)
        return 1;
    return (hi > d ? hi : d) - last > res->evidence_followup_days;
}

/* The deepest needle length of the scenario's sessions. */
static double deepest_mm(const mn_healing_scenario *sc)
{
    double d = 0;
    for (int i = 0; i < sc->n_sessions; i++)
        if (sc->sessions[i].needle_mm > d)
            d = sc->sessions[i].needle_mm;
    return d;
}

/* Whether every session lies below the shallowest needle length a study of the concern used;
 * 0 when that is unknown. */
static int depth_extrapolated(const mn_healing_result *res)
{
    return res->evidence_shallowest_mm > 0 && res->scenario->n_sessions > 0 &&
           deepest_mm(res->scenario) < res->evidence_shallowest_mm - 1e-9;
}

/* Whether the concern is projected and no human study of it is in the evidence base: its
 * figure is then the collagen model with the concern's judged response weight; 0 when the count
 * is unknown. */
static int unmeasured(const mn_healing_result *res)
{
    return res->evidence_studies_known && res->evidence_studies == 0 &&
           mn_concern_projected(res->scenario->concern);
}

/* The answer; @p coarse (the text's) gives each duration that lies beyond the evidence's
 * longest follow-up after the course to the half-year (mn__extrapolated_duration), without
 * its day, as the sentence on extrapolation that follows says it is. The JSON keeps the exact
 * form (mn_healing_answer). */
/* What the band's low and high values are, as the text names them: the percentiles the band
 * takes (MN_BAND_QUANTILE_LOW/HIGH, healing.h) over its people, or, with one person drawn
 * (--band 1), that person's own values, which are no percentiles (mn_healing_range_note). */
static const char *band_words(int band_draws, char *buf, size_t len)
{
    if (band_draws == 1)
        snprintf(buf, len, "one-person");
    else
        snprintf(buf, len, "%.0f-%.0f %%", 100 * MN_BAND_QUANTILE_LOW, 100 * MN_BAND_QUANTILE_HIGH);
    return buf;
}

static char *answer(const mn_healing_result *res, char *buf, size_t len, int coarse)
{
    if (!buf || len == 0)
        return buf;
    buf[0] = '\0';
    if (!res || !res->summary || !res->scenario)
        return buf;
    const mn_healing_summary *S = res->summary;
    const mn_healing_scenario *sc = res->scenario;
    char rng[32];
    band_words(res->band_draws, rng, sizeof rng);
    size_t k = 0;
#define PUT(...)                                                                                   \
    do {                                                                                           \
        if (k < len) {                                                                             \
            int w_ = snprintf(buf + k, len - k, __VA_ARGS__);                                      \
            k = w_ < 0 ? len : k + (size_t)w_;                                                     \
        }                                                                                          \
    } while (0)
    if (!sc->concern->collagen_projection)
        PUT("The model does not project %s: it does not follow dermal collagen, so the "
            "improvement below is only what the collagen change alone would give, not a "
            "forecast for this concern. ",
            sc->concern->name);
    else if (sc->concern->projection_withheld)
        PUT("The model does not project %s: %s. The improvement shown is only what the "
            "collagen model gives, not a forecast for this concern. ",
            sc->concern->name, sc->concern->projection_withheld);
    if (sc->n_sessions == 0) {
        PUT("Simulation: with no session, the untreated skin's collagen changes by %+.1f %% "
            "over %d days (ageing).",
            S->final_untreated_collagen_change_pct, sc->horizon_days);
        return buf;
    }
    if (S->peak_improvement_pct < 0.5) {
        /* Two reasons for no improvement over day 0: needles that stay in the epidermis, or a
         * course that starts so late that the years of ageing before it outweigh its gain. */
        int reaches = 0;
        for (int i = 0; i < sc->n_sessions && !reaches; i++) {
            mn_patient then = sc->patient;
            then.age_years += sc->sessions[i].day / MN__DAYS_PER_YEAR;
            reaches = mn_healing_dermal_dose(&sc->sessions[i], sc->zone, &then, 1.0) > 0;
        }
        if (reaches)
            PUT("Simulation: the sessions reach the dermis, but the skin has aged since day 0 "
                "(the first session is on day %d), so the concern never gets better than it "
                "was on day 0 (peak improvement %.1f %%). Start the scenario at the first "
                "session to see the gain against that day.",
                sc->sessions[0].day, S->peak_improvement_pct);
        else
            PUT("Simulation: these settings barely reach the dermis, so the model expects no "
                "lasting collagen gain (peak improvement %.1f %%).",
                S->peak_improvement_pct);
        return buf;
    }
    int last = sc->sessions[sc->n_sessions - 1].day;
    char after_last[32], half[32], base[32], interval[32];
    /* A concern the model does not project gets the collagen's course, said to be that, and
     * no maintenance interval: the interval keeps a gain this concern does not follow. */
    int projected = mn_concern_projected(sc->concern);
    if (projected)
        PUT("How long will it last? In this simulation, improvement peaks at about %.0f %% of "
            "the baseline severity",
            S->peak_improvement_pct);
    else
        PUT("The collagen change alone, in this simulation: its improvement peaks at about "
            "%.0f %% of the baseline severity",
            S->peak_improvement_pct);
    const mn_healing_projection *band = res->maintenance;
    int median = band && isfinite(band->peak_median_pct);
    if (!median && band && band->peak_high_pct > band->peak_low_pct)
        PUT(" (%s range %.0f-%.0f %% over virtual people)", rng, band->peak_low_pct,
            band->peak_high_pct);
    if (S->peak_day > last) {
        duration(S->peak_day - last, after_last, sizeof after_last);
        PUT(" on day %d, %s after the last session, as new collagen matures", S->peak_day,
            after_last);
    } else {
        PUT(" on day %d", S->peak_day);
    }
    /* The projected person takes the default constants, the virtual people the fitted
     * posterior: where both are shown, say so, with the people's median (the two differ where
     * the posterior disagrees with the defaults, docs/models/healing.md 4.3). */
    if (median)
        PUT(" (with the model's default constants; over virtual people drawn from the fitted "
            "posterior the median peak is %.0f %%, %s range %.0f-%.0f %%%s)",
            band->peak_median_pct, rng, band->peak_low_pct, band->peak_high_pct,
            band->peak_range_widened ? ", widened to include the default constants' value" : "");
    PUT(".");
    int followup = coarse ? res->evidence_followup_days : 0; /* 0: nothing is coarse */
    if (S->durability_days >= 0) {
        int beyond = mn__beyond_followup(S->peak_day + S->durability_days - last, followup);
        const char *sep = "; ";
        if (beyond) {
            mn__extrapolated_duration(S->durability_days, half, sizeof half);
            PUT(" %s, half of that gain is lost about %s after the peak",
                S->peak_day >= last ? "Without further sessions" : "With this schedule", half);
            sep = " (";
        } else {
            duration(S->durability_days, half, sizeof half);
            PUT(" %s, half of that gain is lost %s after the peak (day %d",
                S->peak_day >= last ? "Without further sessions" : "With this schedule", half,
                S->peak_day + S->durability_days);
        }
        const mn_healing_projection *m = res->maintenance;
        if (m && m->durability_low_days >= 0 && m->durability_high_days != m->durability_low_days) {
            char dlo[32], dhi[32] = "over 40 years";
            if (mn__beyond_followup(S->peak_day + m->durability_low_days - last, followup))
                mn__extrapolated_duration(m->durability_low_days, dlo, sizeof dlo);
            else
                duration(m->durability_low_days, dlo, sizeof dlo);
            if (m->durability_high_days >= 0 &&
                mn__beyond_followup(S->peak_day + m->durability_high_days - last, followup))
                mn__extrapolated_duration(m->durability_high_days, dhi, sizeof dhi);
            else if (m->durability_high_days >= 0)
                duration(m->durability_high_days, dhi, sizeof dhi);
            PUT("%s%s range %s to %s", sep, rng, dlo, dhi);
            sep = "; ";
        }
        if (sep[0] == ';')
            PUT(")");
    } else {
        PUT(" %s, it does not fall to half within the 40 years searched",
            S->peak_day >= last ? "Without further sessions" : "With this schedule");
    }
    if (S->back_to_baseline_day >= 0) {
        /* The day counts from day 0 (the scenario's), as does the extrapolation's start. */
        const char *sep = "; ";
        if (mn__beyond_followup(S->back_to_baseline_day - last, followup)) {
            mn__extrapolated_duration(S->back_to_baseline_day, base, sizeof base);
            PUT(" and the skin is back to its pre-treatment level after about %s", base);
            sep = " (";
        } else {
            duration(S->back_to_baseline_day, base, sizeof base);
            PUT(" and the skin is back to its pre-treatment level after about %s (day %d", base,
                S->back_to_baseline_day);
        }
        /* Its 10-90 % range over the same virtual people, and those not back within the
         * search. */
        const mn_healing_projection *m = res->maintenance;
        if (m && m->back_to_baseline_low_day >= 0 &&
            m->back_to_baseline_high_day != m->back_to_baseline_low_day) {
            char blo[32], bhi[32] = "beyond the 40 years searched";
            if (mn__beyond_followup(m->back_to_baseline_low_day - last, followup))
                mn__extrapolated_duration(m->back_to_baseline_low_day, blo, sizeof blo);
            else
                duration(m->back_to_baseline_low_day, blo, sizeof blo);
            if (m->back_to_baseline_high_day >= 0 &&
                mn__beyond_followup(m->back_to_baseline_high_day - last, followup))
                mn__extrapolated_duration(m->back_to_baseline_high_day, bhi, sizeof bhi);
            else if (m->back_to_baseline_high_day >= 0)
                duration(m->back_to_baseline_high_day, bhi, sizeof bhi);
            PUT("%s%s range %s to %s", sep, rng, blo, bhi);
            sep = "; ";
        }
        if (m && m->baseline_beyond_fraction > 0) {
            PUT("%snot back within the 40 years searched for %.0f %% of people", sep,
                100 * m->baseline_beyond_fraction);
            sep = "; ";
        }
        PUT("%s: the result is not permanent, because the new collagen turns over and the skin "
            "keeps ageing.",
            sep[0] == ';' ? ")" : "");
    } else {
        PUT(", and it stays above the pre-treatment level for the 40 years searched");
        const mn_healing_projection *m = res->maintenance;
        if (m && m->baseline_beyond_fraction < 1)
            PUT(" (between people, %.0f %% are back within it)",
                100 * (1 - m->baseline_beyond_fraction));
        PUT(".");
    }
    if (res->maintenance && !projected) {
        PUT(" No maintenance interval is given for %s: it would keep a collagen gain this "
            "concern does not follow.",
            sc->concern->name);
    } else if (res->maintenance) {
        duration(res->maintenance->maintenance_interval_days, interval, sizeof interval);
        const mn_healing_projection *m = res->maintenance;
        if (m->interval_bound_side < 0)
            PUT(" Even a maintenance session every %d days (about %s, the shortest the 3-12 "
                "month bounds allow) does not keep %.0f %% of the peak.",
                m->maintenance_interval_days, interval, 100.0 * m->target_fraction);
        else
            PUT(" A maintenance session every %d days (about %s) keeps at least %.0f %% of the "
                "peak.",
                m->maintenance_interval_days, interval, 100.0 * m->target_fraction);
        if (m->interval_bound_side > 0 &&
            mn__healing_bound_agrees(m->interval_unbounded_days, m->maintenance_interval_days))
            PUT(" That is the 12-month bound, and the model agrees: its own interval is also %d "
                "days.",
                m->interval_unbounded_days);
        else if (m->interval_bound_side > 0 && m->interval_unbounded_days > 0)
            PUT(" That is the 12-month bound, not the model's need: by the model %d days "
                "between sessions would keep it.",
                m->interval_unbounded_days);
        else if (m->interval_bound_side > 0)
            PUT(" That is the 12-month bound, not the model's need: by the model sessions more "
                "than %d years apart would keep it.",
                MN_MAINTENANCE_SEARCH_MAX_DAYS / 365);
        if (res->maintenance->maintenance_interval_high_days >
            res->maintenance->maintenance_interval_low_days)
            PUT(" Between people the interval that keeps 80 %% of each one's own peak ranges "
                "from %d to %d days (%s%s).",
                res->maintenance->maintenance_interval_low_days,
                res->maintenance->maintenance_interval_high_days, rng,
                res->band_draws == 1 ? " range" : "");
    }
    if (extrapolated(res) || baseline_extrapolated(res))
        PUT(" No study in the evidence base measured results beyond %.0f months after a course "
            "(the longest follow-up: %s), so %s beyond %.0f months %s the model's "
            "extrapolation.",
            res->evidence_followup_days / MN__DAYS_PER_MONTH,
            mn_evidence_bundled_cite(res->evidence_followup_study),
            !baseline_extrapolated(res) ? "durability"
            : extrapolated(res)         ? "durability and the return to the pre-treatment level"
                                        : "the return to the pre-treatment level",
            res->evidence_followup_days / MN__DAYS_PER_MONTH,
            extrapolated(res) && baseline_extrapolated(res) ? "are" : "is");
    if (depth_extrapolated(res)) {
        char shallowest[16], at[16];
        PUT(" No study of %s in the evidence base needled shallower than %s mm (%s); at "
            "%s mm this projection runs the model's dose response below the depths studied, "
            "an extrapolation.",
            res->scenario->concern->name,
            mn__depth_str(shallowest, sizeof shallowest, res->evidence_shallowest_mm),
            mn_evidence_bundled_cite(res->evidence_shallowest_study),
            mn__depth_str(at, sizeof at, deepest_mm(res->scenario)));
    }
    if (unmeasured(res))
        PUT(" No study in the evidence base measured %s: this figure is the collagen model with "
            "a judged response weight (%.2g), not a measured response.",
            sc->concern->name, sc->concern->response_weight);
    if (projected && res->validation) {
        char v[400];
        PUT(" %s", mn__validation_sentence(res->validation, v, sizeof v));
    }
    PUT(" These are model projections with the uncertainty shown, not promised results.");
#undef PUT
    return buf;
}

char *mn_healing_answer(const mn_healing_result *res, char *buf, size_t len)
{
    return answer(res, buf, len, 0);
}

static mn_status check_finite(mn_ctx *ctx, const mn_healing_result *res)
{
    for (int i = 0; i < res->n_samples; i++) {
        const mn_healing_sample *o = &res->samples[i];
        double v[] = {o->collagen_change_pct,
                      o->epidermis_change_pct,
                      o->improvement_pct,
                      o->erythema,
                      o->barrier_open_fraction,
                      o->untreated_collagen_change_pct,
                      res->low_pct ? res->low_pct[i] : 0,
                      res->high_pct ? res->high_pct[i] : 0};
        for (size_t j = 0; j < sizeof v / sizeof v[0]; j++)
            if (!mn__finite(v[j]))
                return mn__error(ctx, MN_ENUMERIC, "healing: non-finite value on day %d", o->day);
    }
    return MN_OK;
}

static void put_day_or_null(mn__jout *j, json_t *obj, const char *key, int day)
{
    if (day >= 0)
        mn__jput_int(j, obj, key, day);
    else
        mn__jput(j, obj, key, json_null());
}

static mn_status write_json(mn_ctx *ctx, const mn_healing_result *res, mn_writer write, void *ud,
                            const mn_healing_pih *pih)
{
    const mn_healing_scenario *sc = res->scenario;
    const mn_healing_summary *S = res->summary;
    mn__jout j;
    mn__jout_init(&j);
    json_t *root = json_object();
    char ans[4096];
    if (!root)
        return mn__error(ctx, MN_ENOMEM, "healing: out of memory");
    mn__jput_bool(&j, root, "simulation", 1);
    mn__jput_str(&j, root, "version", mn_version());
    mn__jput_bool(&j, root, "projection_applies", mn_concern_projected(sc->concern));
    mn__jput_warnings(&j, root, res->warnings);
    mn__jput_str(&j, root, "note",
                 res->band_draws > 1
                     ? "simulation for one typical person, with a 10th-90th percentile band of "
                       "improvement over virtual people, each a draw of the model's parameters "
                       "from its posterior times a draw of the between-person variability; not a "
                       "promised result"
                 : res->band_draws == 1
                     ? "simulation for one typical person, with the improvement of one virtual "
                       "person beside it (a draw of the model's parameters from its posterior "
                       "times a draw of the between-person variability) as its low and high "
                       "values: one person, no percentile band; not a promised result"
                     : "simulation for one typical person (no band requested); not a promised "
                       "result");
    json_t *scn = mn__jput(&j, root, "scenario", json_object());
    if (scn) {
        json_t *pt = mn__jput(&j, scn, "patient", json_object());
        if (pt) {
            mn__jput_num(&j, pt, "age", sc->patient.age_years);
            mn__jput_str(&j, pt, "sex", mn_sex_name(sc->patient.sex));
            mn__jput_int(&j, pt, "fitzpatrick", sc->patient.fitzpatrick);
            mn__jput_bool(&j, pt, "smoker", sc->patient.smoker);
            mn__jput_str(&j, pt, "sun", mn_sun_name(sc->patient.sun));
        }
        mn__jput_str(&j, scn, "zone", sc->zone->id);
        mn__jput_str(&j, scn, "concern", sc->concern->id);
        mn__jput_num(&j, scn, "response_weight", sc->concern->response_weight);
        json_t *ss = mn__jput(&j, scn, "sessions", json_array());
        for (int i = 0; ss && i < sc->n_sessions; i++) {
            const mn_healing_session *s = &sc->sessions[i];
            json_t *e = mn__jpush(&j, ss, json_object());
            if (!e)
                break;
            mn__jput_int(&j, e, "day", s->day);
            mn__jput_str(&j, e, "device", s->device->id);
            mn__jput_num(&j, e, "needle_mm", s->needle_mm);
            mn__jput_num(&j, e, "passes", s->passes);
            mn__jput_num(&j, e, "dermal_dose",
                         mn_healing_dermal_dose(s, sc->zone, &sc->patient, 1.0));
        }
        mn__jput_int(&j, scn, "horizon_days", sc->horizon_days);
    }
    json_t *model = mn__jput(&j, root, "model", json_object());
    if (model) {
        mn__jput_str(&j, model, "integrator", mn_healing_integrator_name(res->integrator));
        mn__jput_int(&j, model, "band_draws", res->band_draws);
        mn__jput_str(&j, model, "docs", "docs/models/healing.md");
    }
    json_t *arr = mn__jput(&j, root, "samples", json_array());
    for (int i = 0; arr && i < res->n_samples; i++) {
        const mn_healing_sample *o = &res->samples[i];
        json_t *e = mn__jpush(&j, arr, json_object());
        if (!e)
            break;
        mn__jput_int(&j, e, "day", o->day);
        mn__jput_num(&j, e, "collagen_change_pct", o->collagen_change_pct);
        mn__jput_num(&j, e, "epidermis_change_pct", o->epidermis_change_pct);
        mn__jput_num(&j, e, "improvement_pct", o->improvement_pct);
        if (res->low_pct && res->high_pct) {
            mn__jput_num(&j, e, "improvement_low_pct", res->low_pct[i]);
            mn__jput_num(&j, e, "improvement_high_pct", res->high_pct[i]);
        }
        mn__jput_num(&j, e, "erythema", o->erythema);
        mn__jput_num(&j, e, "barrier_open_fraction", o->barrier_open_fraction);
        mn__jput_num(&j, e, "epidermal_wound_fraction", o->epidermal_wound_fraction);
        mn__jput_num(&j, e, "collagen_deposition_pct_day", o->collagen_deposition_pct_day);
        mn__jput_num(&j, e, "collagen3_pct", o->collagen3_pct);
        mn__jput_num(&j, e, "collagen1_pct", o->collagen1_pct);
        json_t *u = mn__jput(&j, e, "untreated", json_object());
        if (u) {
            mn__jput_num(&j, u, "collagen_change_pct", o->untreated_collagen_change_pct);
            mn__jput_num(&j, u, "epidermis_change_pct", o->untreated_epidermis_change_pct);
            mn__jput_num(&j, u, "improvement_pct", o->untreated_improvement_pct);
        }
    }
    json_t *sum = mn__jput(&j, root, "summary", json_object());
    if (sum) {
        mn__jput_num(&j, sum, "peak_improvement_pct", S->peak_improvement_pct);
        mn__jput_int(&j, sum, "peak_day", S->peak_day);
        put_day_or_null(&j, sum, "durability_days", S->durability_days);
        put_day_or_null(&j, sum, "back_to_baseline_day", S->back_to_baseline_day);
        mn__jput_bool(&j, sum, "durability_beyond_horizon", S->durability_beyond_horizon);
        mn__jput_bool(&j, sum, "baseline_beyond_horizon", S->baseline_beyond_horizon);
        mn__jput_int(&j, sum, "erythema_days", S->erythema_days);
        mn__jput_num(&j, sum, "final_collagen_change_pct", S->final_collagen_change_pct);
        mn__jput_num(&j, sum, "final_untreated_collagen_change_pct",
                     S->final_untreated_collagen_change_pct);
        /* The course's PIH risk (0-1) by the PIH law for the scenario's phototype, and its
         * band: the factor of two either way its documentation states. */
        mn__jput_num(&j, sum, "pih_probability", pih->probability);
        mn__jput_num(&j, sum, "pih_probability_low", pih->probability_low);
        mn__jput_num(&j, sum, "pih_probability_high", pih->probability_high);
        mn__jput_int(&j, sum, "pih_phototype", pih->fitzpatrick);
        char note[320];
        snprintf(note, sizeof note,
                 "chance of post-inflammatory hyperpigmentation after at least one session, for "
                 "the typical person of this phototype, by the PIH law (docs/models/cohort.md): "
                 "an order of magnitude, a factor of %g either way (the low and high values), "
                 "on thin evidence; its phototype gradient and depth law are assumptions",
                 MN_PIH_BAND_FACTOR);
        mn__jput_str(&j, sum, "pih_note", note);
        if (res->maintenance) {
            const mn_healing_projection *m = res->maintenance;
            /* The 10-90 % ranges (DESIGN §8 names); peak_improvement_low_pct and
             * peak_improvement_high_pct are older names of the peak's, kept as aliases. */
            mn__jput_num(&j, sum, "peak_improvement_low_pct", m->peak_low_pct);
            mn__jput_num(&j, sum, "peak_improvement_high_pct", m->peak_high_pct);
            mn__jput_num(&j, sum, "peak_improvement_pct_low", m->peak_low_pct);
            mn__jput_num(&j, sum, "peak_improvement_pct_high", m->peak_high_pct);
            /* The band's median (null without drawn people) and whether the range was widened
             * to include peak_improvement_pct, the default constants' value. */
            if (isfinite(m->peak_median_pct))
                mn__jput_num(&j, sum, "peak_improvement_pct_median", m->peak_median_pct);
            else
                mn__jput(&j, sum, "peak_improvement_pct_median", json_null());
            mn__jput_bool(&j, sum, "peak_range_widened", m->peak_range_widened);
            put_day_or_null(&j, sum, "durability_days_low", m->durability_low_days);
            put_day_or_null(&j, sum, "durability_days_high", m->durability_high_days);
            /* back_to_baseline_day's range (null: beyond the 40 years searched) and the share
             * of the people not back within the search. */
            put_day_or_null(&j, sum, "back_to_baseline_day_low", m->back_to_baseline_low_day);
            put_day_or_null(&j, sum, "back_to_baseline_day_high", m->back_to_baseline_high_day);
            mn__jput_num(&j, sum, "back_to_baseline_beyond_fraction", m->baseline_beyond_fraction);
            mn__jput_int(&j, sum, "maintenance_interval_days", m->maintenance_interval_days);
            mn__jput_int(&j, sum, "maintenance_interval_days_low",
                         m->maintenance_interval_low_days);
            mn__jput_int(&j, sum, "maintenance_interval_days_high",
                         m->maintenance_interval_high_days);
            mn__jput_bool(&j, sum, "maintenance_interval_bounded", m->interval_bounded);
            /* Which bound binds, and the model's own interval past the longest (null: longer
             * than the search, MN_MAINTENANCE_SEARCH_MAX_DAYS). */
            mn__jput_str(&j, sum, "maintenance_interval_bound",
                         m->interval_bound_side > 0   ? "longest"
                         : m->interval_bound_side < 0 ? "shortest"
                                                      : "none");
            if (m->interval_bound_side > 0)
                put_day_or_null(&j, sum, "maintenance_interval_unbounded_days",
                                m->interval_unbounded_days);
            mn__jput_num(&j, sum, "maintenance_interval_at_longest_fraction",
                         m->interval_at_longest_fraction);
            /* band_draws 0 is no band (report.h): the ranges are the typical person's values. */
            mn__jput_int(&j, sum, "range_people", res->band_draws > 0 ? res->band_draws : 0);
            mn__jput_str(&j, sum, "range_note",
                         mn_healing_range_note(res->band_draws > 0 ? res->band_draws : -1));
        }
        if (res->evidence_followup_days > 0) {
            mn__jput_int(&j, sum, "evidence_followup_days", res->evidence_followup_days);
            mn__jput_bool(&j, sum, "durability_extrapolated", extrapolated(res));
            mn__jput_bool(&j, sum, "baseline_extrapolated", baseline_extrapolated(res));
        }
        if (res->evidence_shallowest_mm > 0) {
            mn__jput_num(&j, sum, "evidence_shallowest_needle_mm", res->evidence_shallowest_mm);
            mn__jput_str(&j, sum, "evidence_shallowest_study",
                         res->evidence_shallowest_study ? res->evidence_shallowest_study : "");
            mn__jput_str(&j, sum, "evidence_shallowest_cite",
                         mn_evidence_bundled_cite(res->evidence_shallowest_study));
            mn__jput_bool(&j, sum, "depth_extrapolated", depth_extrapolated(res));
        }
        if (res->evidence_studies_known)
            mn__jput_int(&j, sum, "evidence_studies", res->evidence_studies);
        if (mn_concern_projected(res->scenario->concern))
            mn__jput_validation(&j, sum, res->validation);
        /* Beyond the largest change a study measured (the text's note). */
        const struct mn_healing_measured_max *mm = res->measured_max;
        if (mm && mm->collagen_pct > 0 && res->n_samples > 0) {
            mn__jput_num(&j, sum, "evidence_largest_collagen_change_pct", mm->collagen_pct);
            mn__jput_bool(&j, sum, "collagen_change_extrapolated",
                          sample_max(res, 0) > mm->collagen_pct);
        }
        if (mm && mm->epidermis_pct > 0 && res->n_samples > 0) {
            mn__jput_num(&j, sum, "evidence_largest_epidermis_change_pct", mm->epidermis_pct);
            mn__jput_bool(&j, sum, "epidermis_change_extrapolated",
                          sample_max(res, 1) > mm->epidermis_pct);
        }
    }
    mn__jput_str(&j, root, "answer", mn_healing_answer(res, ans, sizeof ans));
    return mn__json_finish(ctx, &j, root, "simulate", write, ud);
}

/* A value that would print as "-0.0" (or "-0") prints as zero. */
static double nz(double x, double half_unit)
{
    return x > -half_unit && x < half_unit ? 0.0 : x;
}

/* The day table's band of the improvement, "(LO to HI)", into @p buf, marked "*" when the
 * typical value @p v, as the table prints it (one decimal), lies outside the band as printed
 * by more than the band's rounding: whole percent, or one decimal where whole percent would
 * print a real range as "N to N" and one decimal tells its ends apart (early days: 0.01 to
 * 0.47 % read "(0 to 0)", and a typical 0.6 % was starred against it). So a star can be
 * checked from the printed figures alone.
 * Returns 1 when marked. */
static int band_text(double v, double lo, double hi, char *buf, size_t n)
{
    char lo_s[24], hi_s[24], v_s[24];
    double half = 0.5; /* the band's rounding as printed */
    snprintf(lo_s, sizeof lo_s, "%.0f", nz(lo, 0.5));
    snprintf(hi_s, sizeof hi_s, "%.0f", nz(hi, 0.5));
    if (!strcmp(lo_s, hi_s)) { /* one decimal, where it tells the ends apart */
        char lo_d[24], hi_d[24];
        snprintf(lo_d, sizeof lo_d, "%.1f", nz(lo, 0.05));
        snprintf(hi_d, sizeof hi_d, "%.1f", nz(hi, 0.05));
        if (strcmp(lo_d, hi_d)) {
            half = 0.05;
            memcpy(lo_s, lo_d, sizeof lo_s);
            memcpy(hi_s, hi_d, sizeof hi_s);
        }
    }
    snprintf(v_s, sizeof v_s, "%.1f", nz(v, 0.05));
    double vp = strtod(v_s, NULL), lop = strtod(lo_s, NULL), hip = strtod(hi_s, NULL);
    int out = vp < lop - half - 1e-9 || vp > hip + half + 1e-9;
    snprintf(buf, n, "(%s to %s)%s", lo_s, hi_s, out ? "*" : "");
    return out;
}

/* The course's PIH risk by the library's PIH law, with the band and the caveats its
 * documentation gives (docs/models/cohort.md; healing.h, mn_healing_pih_risk()). */
static void pih_text(mn__buf *b, const mn_healing_scenario *sc, const mn_healing_pih *pih)
{
    char mid[16], lo[16], hi[16];
    mn__pih_percent_str(pih->probability, mid, sizeof mid);
    mn__pih_percent_str(pih->probability_low, lo, sizeof lo);
    mn__pih_percent_str(pih->probability_high, hi, sizeof hi);
    mn__buf_textf(b,
                  "Pigmentation (PIH) risk of this course for phototype %d, %s sun: about %s %% "
                  "(range %s-%s %%).\nThe PIH law gives an order of magnitude, a factor of %g "
                  "either way, on thin evidence;\nits phototype gradient and depth law are "
                  "assumptions (docs/models/cohort.md).\n",
                  pih->fitzpatrick, mn_sun_name(sc->patient.sun), mid, lo, hi, MN_PIH_BAND_FACTOR);
}

static mn_status write_text(mn_ctx *ctx, const mn_healing_result *res, mn_writer write, void *ud,
                            const mn_healing_pih *pih)
{
    const mn_healing_scenario *sc = res->scenario;
    mn__buf b;
    mn__buf_init(&b);
    char ans[4096];
    mn__buf_textf(&b, "SIMULATION of %s on the %s: %.0f-year-old %s, phototype %d, %s, %s sun.\n",
                  sc->concern->name, sc->zone->name, sc->patient.age_years,
                  mn_sex_name(sc->patient.sex), sc->patient.fitzpatrick,
                  sc->patient.smoker ? "smoker" : "non-smoker", mn_sun_name(sc->patient.sun));
    /* The device by its name: once when every session uses it, else at each session. */
    int one_device = 1;
    for (int i = 1; i < sc->n_sessions; i++)
        one_device &= sc->sessions[i].device == sc->sessions[0].device;
    if (one_device && sc->n_sessions > 0)
        mn__buf_textf(&b, "Sessions (%d, %s):", sc->n_sessions, sc->sessions[0].device->name);
    else
        mn__buf_textf(&b, "Sessions (%d):", sc->n_sessions);
    for (int i = 0; i < sc->n_sessions; i++) {
        const mn_healing_session *s = &sc->sessions[i];
        char mm[16];
        mn__buf_textf(&b, "%s day %d%s%s %s mm x %.3g", i ? "," : "", s->day, one_device ? "" : " ",
                      one_device ? "" : s->device->name, mn__depth_str(mm, sizeof mm, s->needle_mm),
                      s->passes);
        if (i == 11 && sc->n_sessions > 13) {
            mn__buf_textf(&b, ", ... (%d more)", sc->n_sessions - 12);
            break;
        }
    }
    /* The band column is headed by what its values are (band_words), for the band asked. */
    char head[48] = "improvement";
    if (res->low_pct && res->high_pct && res->band_draws == 1)
        snprintf(head, sizeof head, "improvement (1 person)");
    else if (res->low_pct && res->high_pct)
        snprintf(head, sizeof head, "improvement (%.0f-%.0f%%)", 100 * MN_BAND_QUANTILE_LOW,
                 100 * MN_BAND_QUANTILE_HIGH);
    mn__buf_textf(&b, "\n\n%6s %10s %10s %22s %9s %8s %10s\n", "day", "collagen", "epidermis", head,
                  "erythema", "barrier", "untreated");
    int outside = 0; /* rows whose typical value lies outside the people's range */
    for (int i = 0; i < res->n_samples; i++) {
        const mn_healing_sample *o = &res->samples[i];
        char band[64] = "";
        if (res->low_pct && res->high_pct)
            outside |=
                band_text(o->improvement_pct, res->low_pct[i], res->high_pct[i], band, sizeof band);
        mn__buf_textf(&b, "%6d %+9.1f%% %+9.1f%% %+7.1f%% %-13s %9.2f %8.2f %+9.1f%%\n", o->day,
                      nz(o->collagen_change_pct, 0.05), nz(o->epidermis_change_pct, 0.05),
                      nz(o->improvement_pct, 0.05), band, o->erythema, o->barrier_open_fraction,
                      nz(o->untreated_collagen_change_pct, 0.05));
    }
    mn__buf_textf(&b,
                  "\ncollagen: papillary-dermis collagen vs day 0; improvement: %% of baseline "
                  "severity of the concern;\nerythema 0-1 (0.1 barely visible); barrier: share "
                  "of the latest session's channels still open;\nuntreated: collagen of the same "
                  "skin left untreated (its twin).\n");
    if (res->low_pct && res->high_pct && res->band_draws > 1)
        mn__buf_textf(&b,
                      "%.0f-%.0f%%: the %.0fth and %.0fth percentiles over the virtual people "
                      "(Hyndman & Fan type 7, the rule of every range mneedle reports).\n",
                      100 * MN_BAND_QUANTILE_LOW, 100 * MN_BAND_QUANTILE_HIGH,
                      100 * MN_BAND_QUANTILE_LOW, 100 * MN_BAND_QUANTILE_HIGH);
    if (outside)
        mn__buf_textf(&b, "*: the typical person (the model's default constants) lies outside the "
                          "range of the people drawn\nfrom the fitted posterior "
                          "(docs/models/healing.md, 4.3).\n");
    /* Changes beyond any a study measured: said, with the study, once per layer. */
    const struct mn_healing_measured_max *mm = res->measured_max;
    for (int epi = 0; mm && epi < 2; epi++) {
        double top = epi ? mm->epidermis_pct : mm->collagen_pct, most = sample_max(res, epi);
        if (top > 0 && most > top)
            mn__buf_textf(&b,
                          "%s reaches %+.0f %%, above the largest change any human study in the "
                          "evidence base measured\n(%+.1f %%, %s): beyond that it is the model's "
                          "extrapolation, not a measured response.\n",
                          epi ? "The epidermis" : "Collagen", most, top,
                          mn_evidence_bundled_cite(epi ? mm->epidermis_study : mm->collagen_study));
    }
    mn__buf_textf(&b, "\n");
    if (res->summary) {
        mn__buf_textf(&b, "%s\n", answer(res, ans, sizeof ans, 1));
        if (res->summary->erythema_days > 0)
            mn__buf_textf(&b, "Redness: visible for up to %d day%s after a session.\n",
                          res->summary->erythema_days, res->summary->erythema_days == 1 ? "" : "s");
    }
    if (sc->n_sessions > 0)
        pih_text(&b, sc, pih);
    mn__buf_textf(&b, "Model and sources: docs/models/healing.md (integrator: %s).\n",
                  mn_healing_integrator_name(res->integrator));
    return mn__buf_finish(ctx, &b, "simulate", write, ud);
}

mn_status mn_healing_write(mn_ctx *ctx, const mn_healing_result *res, int json, mn_writer write,
                           void *userdata)
{
    if (!res || !res->scenario || !res->summary || !write || (res->n_samples > 0 && !res->samples))
        return mn__error(ctx, MN_EINVAL, "healing: nothing to write");
    mn_status st = check_finite(ctx, res);
    mn_healing_pih pih;
    if (st || (st = mn_healing_pih_risk(ctx, res->scenario, &pih)))
        return st;
    return json ? write_json(ctx, res, write, userdata, &pih)
                : write_text(ctx, res, write, userdata, &pih);
}

mn_status mn_healing_write_csv(mn_ctx *ctx, const mn_healing_sample *daily, int n_days,
                               const double *low_pct, const double *high_pct, mn_writer write,
                               void *userdata)
{
    if (!daily || n_days < 0 || !write)
        return mn__error(ctx, MN_EINVAL, "healing: nothing to write");
    mn__buf b;
    mn__buf_init(&b);
    mn__buf_printf(&b, "day,collagen_change_pct,epidermis_change_pct,improvement_pct,"
                       "improvement_low_pct,improvement_high_pct,erythema,barrier_open_fraction,"
                       "epidermal_wound_fraction,collagen_deposition_pct_day,collagen3_pct,"
                       "collagen1_pct,untreated_collagen_change_pct,"
                       "untreated_epidermis_change_pct,untreated_improvement_pct\n");
    mn_status st = MN_OK;
    for (int i = 0; i < n_days; i++) {
        const mn_healing_sample *o = &daily[i];
        double lo = low_pct ? low_pct[i] : o->improvement_pct;
        double hi = high_pct ? high_pct[i] : o->improvement_pct;
        double v[] = {o->collagen_change_pct,
                      o->epidermis_change_pct,
                      o->improvement_pct,
                      lo,
                      hi,
                      o->erythema,
                      o->barrier_open_fraction,
                      o->epidermal_wound_fraction,
                      o->collagen_deposition_pct_day,
                      o->collagen3_pct,
                      o->collagen1_pct,
                      o->untreated_collagen_change_pct,
                      o->untreated_epidermis_change_pct,
                      o->untreated_improvement_pct};
        mn__buf_printf(&b, "%d", o->day);
        for (size_t j = 0; j < sizeof v / sizeof v[0]; j++) {
            if (!mn__finite(v[j])) {
                st = mn__error(ctx, MN_ENUMERIC, "healing: non-finite value on day %d", o->day);
                goto done;
            }
            mn__buf_printf(&b, ",%.6g", v[j]);
        }
        mn__buf_printf(&b, "\n");
    }
    st = mn__buf_status(&b);
    if (st)
        st = mn__error(ctx, st, "healing: out of memory writing the CSV");
    else
        st = mn__write_str(ctx, write, userdata, b.data, b.len);
done:
    mn__buf_release(&b);
    return st;
}
