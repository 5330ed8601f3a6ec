/*
 * Writing a cohort result: JSON with the keys of DESIGN 4 (and extras), a human table, and
 * per-patient CSV rows. Only deterministic quantities are written (no thread or rank counts,
 * no timings), so outputs of different decompositions can be compared byte for byte.
 */
#include <stdio.h>
#include <string.h>

#include "cohort/csv_columns.h"
#include "cohort/xsum.h"
#include "core/json_out.h"
#include "mneedle/report.h"
#include "report/validation_note.h"

static const char simulation_note[] =
    "Simulated virtual cohort: outcome distributions of the mneedle healing model over "
    "sampled patients, not a prediction of a real trial. PIH rates rest on thin evidence "
    "(docs/models/cohort.md).";

/* Cautions: what the output cannot support although nothing in the trial is amiss (so not
 * warnings, which name an input the planner would not have chosen). A projected concern's
 * figures hold as the model's forecast of this one protocol, but not how they would differ
 * under another device, needle length or number of passes (the injury dose): no calibration
 * study compares them, so such a difference rests on the fitted dose response and on
 * differences between studies; docs/models/healing.md section 4.3 ("Depth matters: not
 * supported for pens") gives the figures. A TRIAL has one arm, so the caution names no arm
 * comparison as a use. The code keeps its first name (JSON consumers match on it; the
 * contract adds, never renames); applies_to lists what it covers. The text output says the
 * same in one line. */
static const char depth_caution_code[] = "depth_passes_not_supported";
static const char depth_caution_see[] = "docs/models/healing.md section 4.3";
static const char *const depth_caution_applies_to[] = {"device", "needle_mm", "passes"};
static const char depth_caution[] =
    "these figures describe this one protocol. No calibration study compares devices, needle "
    "lengths or numbers of passes (the injury dose), so how the figures would differ under "
    "another device, length or number of passes comes from the fitted dose response, which "
    "saturates at low doses, and from differences between studies: it is not supported by "
    "the evidence (docs/models/healing.md, section 4.3, \"Depth matters\").";

/* Every percentile of the output, the patients' and the virtual trials', and every range of
 * simulate and plan: one rule (core/quantile.h, docs/models/cohort.md "Percentiles"). */
static const char percentile_rule[] =
    "Hyndman & Fan type 7 (linear between the order statistics at q (n - 1), R's default)";
/* Their Monte-Carlo error (core/quantile.h, mn__quantile_ci_ranks()). */
static const char percentile_ci_method[] =
    "order statistics, binomial method (Conover, Practical Nonparametric Statistics, 1999, "
    "section 3.2; Hahn & Meeker, Statistical Intervals, 1991, section 5.2), read off the "
    "sketch";

/* The untreated arm and the difference, in one sentence (both outputs). */
static const char control_note[] =
    "untreated arm: the same virtual patients (the same people, variability and constants) "
    "with no session, the model's untreated twin, which only ages (sun and smoking as "
    "drawn); difference: each patient's treated minus untreated improvement, in points of "
    "baseline severity. A model's comparison of one protocol with no treatment, not a sham "
    "or placebo arm: no placebo response or rater noise is modelled";

/* The untreated arm's worsening (a caution with the arm, for a concern the model projects):
 * the twin's collagen loss is the model's ageing (docs/models/healing.md, the untreated twin:
 * collagen half-life F31, thinning with age, smoking and sun), but reading it as the concern's
 * severity runs the treated-response map below zero, which no study in the evidence base
 * checks (docs/models/healing.md section 9). Its tail is set by the severity multiplier and
 * smoking, not by the ageing rate (docs/models/cohort.md, "Untreated arm and difference",
 * gives the run that shows it). */
static const char untreated_caution_code[] = "untreated_arm_unchecked";
static const char untreated_caution_see[] =
    "docs/models/cohort.md, \"Untreated arm and difference\"";
static const char untreated_caution[] =
    "the untreated arm's worsening is the model's ageing of the zone's collagen read as the "
    "concern's severity, by running the treated-response map below zero; no study in the "
    "evidence base checks that reading. Its spread comes mostly from each patient's severity "
    "multiplier (a judgement set for the spread of the treated response) and from smoking's "
    "faster collagen loss, little from the ageing rate, so read the untreated arm's lower "
    "tail, and the difference's upper tail that it widens, as unchecked (docs/models/"
    "cohort.md, \"Untreated arm and difference\").";

/* How dropout is counted (both outputs). */
static const char dropout_rule[] =
    "before each visit after the first (visits: the session days and the endpoint days, one "
    "per day), a patient still in the trial leaves with the given probability and misses that "
    "visit and every later one; the probability is the user's input ($.dropout_per_visit), "
    "not a sourced figure";
static const char dropout_observed_rule[] =
    "the patients still in the trial at an endpoint (each attended every visit to it); those "
    "who left are excluded";
static const char dropout_itt_rule[] =
    "all n patients, each who left counted at the last endpoint he or she "
    "attended (last observation carried forward), or at 0 % (baseline carried forward) when "
    "he or she left before the first endpoint";
static const char dropout_adherence_note[] =
    "the main table (improvement, responders, collagen, PIH, maintenance) and the untreated "
    "arm are the protocol as designed, every patient completing it (no dropout); the "
    "completers' columns here and the trial-level intervals are a completers analysis, over "
    "the patients still in at each endpoint";
/* With the untreated arm: the same, and which of the arm's figures are which. A patient who
 * leaves leaves both arms (the untreated arm is the same person untreated, and the dropout
 * draws are the patient's, src/cohort/model.c), so the completers of both arms are the same
 * patients. */
static const char dropout_adherence_note_control[] =
    "the main table (improvement, responders, collagen, PIH, maintenance) and the untreated "
    "arm's table (untreated arm and difference, all patients) are the protocol as designed, "
    "every patient completing it (no dropout); the completers' columns here, the completers' "
    "untreated arm and difference (the same patients: one who leaves leaves both arms) and "
    "the trial-level intervals are a completers analysis, over the patients still in at each "
    "endpoint";

static const char *dropout_note(const mn_cohort_trial *t)
{
    return t->control == MN_COHORT_CONTROL_UNTREATED ? dropout_adherence_note_control
                                                     : dropout_adherence_note;
}

static double frac(long k, long n)
{
    return n > 0 ? (double)k / (double)n : 0;
}

/* A concern the model does not project (projection_applies false): its improvement, the
 * responder shares and the maintenance built on them are the collagen model's with a judged
 * weight, no forecast, so the text leaves their cells blank ("—", written here so that the
 * column keeps its width: the dash is one column but three bytes). The JSON keeps the numbers,
 * which the contract documents as numbers (DESIGN 4), and lists them under not_projected. */
static void blank_cell(mn__buf *b, int width)
{
    for (int i = 1; i < width; i++)
        mn__buf_append(b, " ", 1);
    mn__buf_append(b, "\xe2\x80\x94", 3);
}

/* With the untreated arm, its keys follow: the untreated arm's improvement and the difference
 * are the same model's improvement, no more a forecast than the treated arm's. */
static const char *const not_projected_keys[] = {"improvement_pct",
                                                 "responders_50pct",
                                                 "responders_75pct",
                                                 "maintenance_due_fraction",
                                                 "untreated_improvement_pct",
                                                 "difference_improvement_pct",
                                                 "difference_responders_50pct"};
#define NOT_PROJECTED_TREATED 4 /* the keys without the untreated arm */
static const char *const not_projected_interval_keys[] = {"mean_improvement_pct",
                                                          "responders_50pct", "responders_75pct"};
/* The dropout endpoints' improvement figures (dropout.endpoints[]), and with the untreated arm
 * the completers' arm and difference after them; observed, its fraction and observed_pih_rate
 * stay the model's as for any concern. */
static const char *const not_projected_dropout_keys[] = {"observed_improvement_pct",
                                                         "observed_responders_50pct",
                                                         "observed_responders_75pct",
                                                         "observed_maintenance_due_fraction",
                                                         "itt_improvement_pct",
                                                         "itt_responders_50pct",
                                                         "observed_untreated_improvement_pct",
                                                         "observed_difference_improvement_pct",
                                                         "observed_difference_responders_50pct"};
#define NOT_PROJECTED_DROPOUT_TREATED 6 /* the keys without the untreated arm */

static void not_projected_json(mn__jout *j, json_t *o, const char *const *keys, size_t n)
{
    json_t *a = mn__jput(j, o, "not_projected", json_array());
    for (size_t i = 0; a && i < n; i++)
        mn__jpush(j, a, json_string(keys[i]));
}

/* What the trial-level intervals hold, in one sentence (both outputs). */
static void intervals_note(const mn_cohort_trial *t, const mn_cohort_intervals *iv, char *buf,
                           size_t len)
{
    /* What they are before how they are made: a model's intervals for one typical study on
     * the model's own scale, not what a published trial reports (what that leaves out is
     * what `mneedle validate` adds, src/evidence/observe.c, or what no run here carries). */
    char what[480];
    if (t->dropout_per_visit > 0)
        snprintf(what, sizeof what,
                 "90 %% model intervals for one typical study of %ld patients enrolled, on the "
                 "model's scale (%% of baseline severity) with no rater noise and no "
                 "between-study spread, each figure over the trial's completers at that "
                 "endpoint (dropout %g per visit, those who left excluded: a completers "
                 "analysis), so narrower than what a published trial reports",
                 iv->n, t->dropout_per_visit);
    else
        snprintf(what, sizeof what,
                 "90 %% model intervals for one typical study of %ld patients, on the model's "
                 "scale (%% of baseline severity) with no rater noise, no between-study spread "
                 "and no dropout (all %ld analysed at every endpoint), so narrower than what a "
                 "published trial reports",
                 iv->n, iv->n);
    if (t->constants == MN_COHORT_CONSTANTS_DEFAULTS || iv->n_draws < 1)
        snprintf(buf, len,
                 "%s: the 5th to 95th percentile (Hyndman & Fan type 7) over %d virtual trials of "
                 "%ld patients each, every trial at the "
                 "library's default constants (no parameter "
                 "uncertainty), so they hold only the spread between people and the sampling "
                 "error of %ld patients",
                 what, iv->n_trials, iv->n, iv->n);
    else
        snprintf(buf, len,
                 "%s: the 5th to 95th percentile (Hyndman & Fan type 7) over %d virtual trials of "
                 "%ld patients each, every trial taking "
                 "ONE draw of the evidence fit's constants "
                 "(the bundled posterior, %d draws, fitted to the calibration studies 'mneedle "
                 "evidence' lists) shared by its patients, each patient "
                 "his or her own variability; they hold the uncertainty of the constants, the "
                 "spread between people and the sampling error of %ld patients",
                 what, iv->n_trials, iv->n, iv->n_draws, iv->n);
}

/* What the PIH interval with the law's band holds (both outputs). */
static void pih_band_note(char *buf, size_t len)
{
    snprintf(buf, len,
             "pih_rate is the PIH law as stated, so its interval is the trials' spread alone; "
             "the law itself is an order of magnitude, a factor of %g either way on each "
             "session's probability (docs/models/cohort.md), and pih_rate_with_law_band holds "
             "both: its low end from the same trials with every session's probability divided "
             "by %g, its high end with it multiplied by %g. It is a judgement bound with no "
             "coverage level, not a 90 %% interval",
             MN_PIH_BAND_FACTOR, MN_PIH_BAND_FACTOR, MN_PIH_BAND_FACTOR);
}

static void interval_json(mn__jout *j, json_t *o, const char *key, const mn_cohort_interval *v)
{
    json_t *a = mn__jput(j, o, key, json_array());
    if (a) {
        mn__jpush(j, a, mn__jnum_new(j, v->lo));
        mn__jpush(j, a, mn__jnum_new(j, v->hi));
    }
}

static void intervals_json(mn__jout *j, json_t *root, const mn_cohort_trial *t,
                           const mn_cohort_intervals *iv)
{
    json_t *ti = mn__jput(j, root, "trial_intervals", json_object());
    if (!ti)
        return;
    mn__jput_int(j, ti, "virtual_trials", iv->n_trials);
    mn__jput_int(j, ti, "patients_per_trial", iv->n);
    if (iv->n_trials < 1) {
        char why[200];
        snprintf(why, sizeof why,
                 "not computed: --trials 0, or the default for a trial this large (no "
                 "intervals when %d trials x n exceed %ld patients); --trials N asks for them",
                 MN_COHORT_DEFAULT_TRIALS, MN_COHORT_INTERVALS_MAX_PATIENTS);
        mn__jput_str(j, ti, "note", why);
        return;
    }
    char note[1024];
    intervals_note(t, iv, note, sizeof note);
    mn__jput_num(j, ti, "level", iv->level);
    json_t *pc = mn__jput(j, ti, "percentiles", json_array());
    if (pc) {
        mn__jpush(j, pc, json_integer(MN_COHORT_INTERVAL_TAIL_PCT));
        mn__jpush(j, pc, json_integer(100 - MN_COHORT_INTERVAL_TAIL_PCT));
    }
    mn__jput_str(j, ti, "percentile_rule", percentile_rule);
    /* Who each trial's figures are over: every patient, or with dropout its completers. */
    mn__jput_str(j, ti, "analysis", t->dropout_per_visit > 0 ? "completers" : "all_patients");
    mn__jput_str(j, ti, "pih_rate_with_law_band_kind",
                 "a judgement bound with no coverage level, not a 90 % interval");
    mn__jput_str(j, ti, "holds", note);
    pih_band_note(note, sizeof note);
    mn__jput_str(j, ti, "pih_rate_with_law_band_note", note);
    json_t *eps = mn__jput(j, ti, "endpoints", json_array());
    for (int e = 0; eps && e < iv->n_endpoints; e++) {
        const mn_cohort_endpoint_interval *ei = &iv->endpoints[e];
        json_t *o = mn__jpush(j, eps, json_object());
        if (!o)
            break;
        mn__jput_int(j, o, "day", ei->day);
        if (!mn_concern_projected(t->concern))
            not_projected_json(j, o, not_projected_interval_keys,
                               sizeof not_projected_interval_keys /
                                   sizeof *not_projected_interval_keys);
        interval_json(j, o, "mean_improvement_pct", &ei->mean_improvement_pct);
        interval_json(j, o, "responders_50pct", &ei->responders_50pct);
        interval_json(j, o, "responders_75pct", &ei->responders_75pct);
        interval_json(j, o, "pih_rate", &ei->pih_rate);
        interval_json(j, o, "pih_rate_with_law_band", &ei->pih_rate_with_law_band);
        if (t->dropout_per_visit > 0)
            mn__jput_int(j, o, "trials_with_completers", ei->trials_with_completers);
    }
}

/* [lo, hi] of a percentile's confidence interval; null for an end the count cannot give. */
static void ci_json(mn__jout *j, json_t *o, const char *key, const double ci[2])
{
    json_t *a = mn__jput(j, o, key, json_array());
    for (int k = 0; a && k < 2; k++)
        mn__jpush(j, a, ci[k] == ci[k] ? mn__jnum_new(j, ci[k]) : json_null());
}

static json_t *dist_json(mn__jout *j, const mn_cohort_dist *d)
{
    json_t *o = json_object();
    mn__jput_num(j, o, "mean", d->mean);
    mn__jput_num(j, o, "p5", d->p5);
    mn__jput_num(j, o, "p50", d->p50);
    mn__jput_num(j, o, "p95", d->p95);
    mn__jput_num(j, o, "min", d->min);
    mn__jput_num(j, o, "max", d->max);
    if (d->out_of_range)
        mn__jput_int(j, o, "outside_sketch_range", d->out_of_range);
    ci_json(j, o, "p5_ci", d->p5_ci);
    ci_json(j, o, "p50_ci", d->p50_ci);
    ci_json(j, o, "p95_ci", d->p95_ci);
    return o;
}

/* The percentiles' confidence intervals need mn_cohort_percentile_ci_min_n() patients for both
 * ends of the 5th and 95th; the sentence for fewer (both outputs), or NULL. */
static const char *small_n_warning(long n, char *buf, size_t len)
{
    long need = mn_cohort_percentile_ci_min_n();
    if (n >= need)
        return NULL;
    snprintf(buf, len,
             "%ld patients are too few for the 5th and 95th percentiles: their %.0f %% "
             "confidence intervals need at least %ld (the chance that all n fall above the 5th "
             "percentile, 0.95^n, must be within %.1f %%), so one end of each is open (null); "
             "%s",
             n, 100 * MN_COHORT_PERCENTILE_CI_LEVEL, need,
             100 * (1 - MN_COHORT_PERCENTILE_CI_LEVEL) / 2,
             n < 20 ? "below 20 the 5th and 95th percentiles are hardly more than the smallest "
                      "and largest values"
                    : "raise n (--n) for usable ends");
    return buf;
}

static mn_status write_json(mn_ctx *ctx, const mn_cohort_trial *t, const mn_cohort_result *r,
                            const mn_validation_summary *v, mn_writer write, void *ud)
{
    mn__jout j;
    mn__jout_init(&j);
    json_t *root = json_object();
    if (!root)
        return mn__error(ctx, MN_ENOMEM, "cohort: out of memory building JSON");
    mn__jput_str(&j, root, "version", mn_version());
    mn__jput_warnings(&j, root, &t->warnings);
    char small[400];
    json_t *warn = json_object_get(root, "warnings");
    if (warn && small_n_warning(r->n, small, sizeof small)) {
        json_t *w = mn__jpush(&j, warn, json_object());
        if (w) {
            mn__jput_str(&j, w, "code", "n_too_small_for_percentiles");
            mn__jput_str(&j, w, "path", "$.population.n");
            mn__jput_str(&j, w, "message", small);
        }
    }
    json_t *cautions = mn__jput(&j, root, "cautions", json_array());
    if (cautions && mn_concern_projected(t->concern)) {
        json_t *c = mn__jpush(&j, cautions, json_object());
        if (c) {
            mn__jput_str(&j, c, "code", depth_caution_code);
            mn__jput_str(&j, c, "message", depth_caution);
            mn__jput_str(&j, c, "see", depth_caution_see);
            json_t *a = mn__jput(&j, c, "applies_to", json_array());
            for (size_t i = 0;
                 a && i < sizeof depth_caution_applies_to / sizeof *depth_caution_applies_to; i++)
                mn__jpush(&j, a, json_string(depth_caution_applies_to[i]));
        }
    }
    if (cautions && mn_concern_projected(t->concern) && t->control == MN_COHORT_CONTROL_UNTREATED) {
        json_t *c = mn__jpush(&j, cautions, json_object());
        if (c) {
            mn__jput_str(&j, c, "code", untreated_caution_code);
            mn__jput_str(&j, c, "message", untreated_caution);
            mn__jput_str(&j, c, "see", untreated_caution_see);
            json_t *a = mn__jput(&j, c, "applies_to", json_array());
            if (a)
                mn__jpush(&j, a, json_string("control"));
        }
    }
    if (t->name[0])
        mn__jput_str(&j, root, "name", t->name);
    mn__jput_int(&j, root, "n", r->n);
    mn__jput_int(&j, root, "seed", (long long)r->seed);
    mn__jput_str(&j, root, "simulation", simulation_note);
    mn__jput_str(&j, root, "constants",
                 t->constants == MN_COHORT_CONSTANTS_DEFAULTS ? "defaults" : "evidence-fit");
    mn__jput_str(&j, root, "constants_note", mn_cohort_constants_note(t));
    mn__jput_str(&j, root, "control",
                 t->control == MN_COHORT_CONTROL_UNTREATED ? "untreated" : "none");
    if (t->control == MN_COHORT_CONTROL_UNTREATED)
        mn__jput_str(&j, root, "control_note", control_note);
    mn__jput_num(&j, root, "dropout_per_visit", t->dropout_per_visit);
    mn__jput_str(&j, root, "zone", t->zone->id);
    mn__jput_str(&j, root, "concern", t->concern->id);
    mn__jput_bool(&j, root, "projection_applies", mn_concern_projected(t->concern));
    if (v) {
        char sentence[400];
        mn__jput_validation(&j, root, v);
        mn__jput_str(&j, root, "validation_note",
                     mn__validation_sentence(v, sentence, sizeof sentence));
    }
    json_t *pr = mn__jput(&j, root, "protocol", json_object());
    if (pr) {
        mn__jput_str(&j, pr, "device", t->device->id);
        mn__jput_num(&j, pr, "needle_mm", t->needle_mm);
        mn__jput_num(&j, pr, "passes", t->passes);
        json_t *days = mn__jput(&j, pr, "session_days", json_array());
        for (int i = 0; days && i < t->n_sessions; i++)
            mn__jpush(&j, days, json_integer(t->sessions[i].day));
    }
    json_t *eps = mn__jput(&j, root, "endpoints", json_array());
    for (int e = 0; eps && e < r->n_endpoints; e++) {
        const mn_cohort_endpoint *ep = &r->endpoints[e];
        json_t *o = mn__jpush(&j, eps, json_object());
        if (!o)
            break;
        mn__jput_int(&j, o, "day", ep->day);
        if (!mn_concern_projected(t->concern))
            not_projected_json(&j, o, not_projected_keys,
                               t->control == MN_COHORT_CONTROL_UNTREATED
                                   ? sizeof not_projected_keys / sizeof *not_projected_keys
                                   : NOT_PROJECTED_TREATED);
        mn__jput(&j, o, "improvement_pct", dist_json(&j, &ep->improvement_pct));
        mn__jput_num(&j, o, "responders_50pct", frac(ep->responders_50pct, r->n));
        mn__jput_num(&j, o, "responders_75pct", frac(ep->responders_75pct, r->n));
        mn__jput(&j, o, "collagen_change_pct", dist_json(&j, &ep->collagen_change_pct));
        mn__jput_num(&j, o, "pih_rate", frac(ep->pih_cases, r->n));
        mn__jput_num(&j, o, "maintenance_due_fraction", frac(ep->maintenance_due, r->n));
        mn__jput(&j, o, "epidermis_change_pct", dist_json(&j, &ep->epidermis_change_pct));
        if (t->control == MN_COHORT_CONTROL_UNTREATED) {
            mn__jput(&j, o, "untreated_improvement_pct",
                     dist_json(&j, &ep->untreated_improvement_pct));
            mn__jput(&j, o, "difference_improvement_pct",
                     dist_json(&j, &ep->difference_improvement_pct));
            mn__jput_num(&j, o, "difference_responders_50pct",
                         frac(ep->difference_responders_50pct, r->n));
        }
        json_t *cnt = mn__jput(&j, o, "counts", json_object());
        if (cnt) {
            mn__jput_int(&j, cnt, "responders_50pct", ep->responders_50pct);
            mn__jput_int(&j, cnt, "responders_75pct", ep->responders_75pct);
            mn__jput_int(&j, cnt, "pih", ep->pih_cases);
            mn__jput_int(&j, cnt, "maintenance_due", ep->maintenance_due);
            if (t->control == MN_COHORT_CONTROL_UNTREATED)
                mn__jput_int(&j, cnt, "difference_responders_50pct",
                             ep->difference_responders_50pct);
        }
    }
    if (t->dropout_per_visit > 0) {
        json_t *dr = mn__jput(&j, root, "dropout", json_object());
        if (dr) {
            mn__jput_num(&j, dr, "per_visit_probability", t->dropout_per_visit);
            mn__jput_str(&j, dr, "source",
                         "user input ($.dropout_per_visit), not a sourced figure");
            mn__jput_str(&j, dr, "rule", dropout_rule);
            mn__jput_str(&j, dr, "completers_rule", dropout_observed_rule);
            mn__jput_str(&j, dr, "itt_rule", dropout_itt_rule);
            mn__jput_str(&j, dr, "note", dropout_note(t));
            if (r->n_endpoints > 0)
                mn__jput_int(&j, dr, "completers", r->endpoints[r->n_endpoints - 1].observed);
            json_t *de = mn__jput(&j, dr, "endpoints", json_array());
            for (int e = 0; de && e < r->n_endpoints; e++) {
                const mn_cohort_endpoint *ep = &r->endpoints[e];
                json_t *o = mn__jpush(&j, de, json_object());
                if (!o)
                    break;
                mn__jput_int(&j, o, "day", ep->day);
                if (!mn_concern_projected(t->concern))
                    not_projected_json(&j, o, not_projected_dropout_keys,
                                       t->control == MN_COHORT_CONTROL_UNTREATED
                                           ? sizeof not_projected_dropout_keys /
                                                 sizeof *not_projected_dropout_keys
                                           : NOT_PROJECTED_DROPOUT_TREATED);
                mn__jput_int(&j, o, "observed", ep->observed);
                mn__jput_num(&j, o, "observed_fraction", frac(ep->observed, r->n));
                mn__jput(&j, o, "observed_improvement_pct",
                         dist_json(&j, &ep->observed_improvement_pct));
                mn__jput_num(&j, o, "observed_responders_50pct",
                             frac(ep->observed_responders_50pct, ep->observed));
                mn__jput_num(&j, o, "observed_responders_75pct",
                             frac(ep->observed_responders_75pct, ep->observed));
                mn__jput_num(&j, o, "observed_pih_rate",
                             frac(ep->observed_pih_cases, ep->observed));
                mn__jput_num(&j, o, "observed_maintenance_due_fraction",
                             frac(ep->observed_maintenance_due, ep->observed));
                mn__jput(&j, o, "itt_improvement_pct", dist_json(&j, &ep->itt_improvement_pct));
                mn__jput_num(&j, o, "itt_responders_50pct", frac(ep->itt_responders_50pct, r->n));
                /* The untreated arm and the difference over the same completers (the
                 * endpoints[] entries keep them over every patient). */
                if (t->control == MN_COHORT_CONTROL_UNTREATED) {
                    mn__jput(&j, o, "observed_untreated_improvement_pct",
                             dist_json(&j, &ep->observed_untreated_improvement_pct));
                    mn__jput(&j, o, "observed_difference_improvement_pct",
                             dist_json(&j, &ep->observed_difference_improvement_pct));
                    mn__jput_num(&j, o, "observed_difference_responders_50pct",
                                 frac(ep->observed_difference_responders_50pct, ep->observed));
                }
            }
        }
    }
    if (r->intervals)
        intervals_json(&j, root, t, r->intervals);
    const mn_cohort_demographics *d = &r->demographics;
    json_t *pop = mn__jput(&j, root, "population", json_object());
    if (pop) {
        mn__jput_num(&j, pop, "mean_age_years", d->mean_age_years);
        mn__jput_num(&j, pop, "female_fraction", frac(d->female, r->n));
        mn__jput_num(&j, pop, "smoker_fraction", frac(d->smokers, r->n));
        json_t *fz = mn__jput(&j, pop, "fitzpatrick_fraction", json_object());
        /* Keys with static storage: the JSON builder keeps the key of its first failure for
         * the message, after this loop is over. */
        static const char *const types[6] = {"1", "2", "3", "4", "5", "6"};
        for (int i = 0; fz && i < 6; i++)
            mn__jput_num(&j, fz, types[i], frac(d->fitzpatrick[i], r->n));
        json_t *sun = mn__jput(&j, pop, "sun_fraction", json_object());
        for (int i = 0; sun && i < 3; i++)
            mn__jput_num(&j, sun, mn_sun_name((mn_sun)i), frac(d->sun[i], r->n));
    }
    json_t *mt = mn__jput(&j, root, "maintenance", json_object());
    if (mt) {
        mn__jput_num(&j, mt, "fraction_of_peak", t->maintenance_fraction);
        mn__jput_int(&j, mt, "check_every_days", t->maintenance_check_days);
        mn__jput_num(&j, mt, "min_peak_improvement_pct", MN_GAIS_IMPROVED_PCT);
        mn__jput_str(&j, mt, "rule",
                     "due from the first check day, on or after the last session, on which "
                     "improvement is below fraction_of_peak x the best improvement so far, "
                     "once that best is at least min_peak_improvement_pct (the improvement "
                     "a GAIS rater calls \"improved\", a judgement: docs/models/cohort.md); "
                     "below it there is nothing to maintain");
    }
    json_t *sk = mn__jput(&j, root, "sketch", json_object());
    if (sk) {
        mn__jput_num(&j, sk, "bin_width_pct", MN_COHORT_BIN_PCT);
        mn__jput_str(&j, sk, "percentile_rule", percentile_rule);
        mn__jput_num(&j, sk, "percentile_ci_level", MN_COHORT_PERCENTILE_CI_LEVEL);
        mn__jput_str(&j, sk, "percentile_ci_method", percentile_ci_method);
        mn__jput_int(&j, sk, "percentile_ci_min_n", mn_cohort_percentile_ci_min_n());
        mn__jput_num(&j, sk, "percentile_max_error_pct", MN_COHORT_BIN_PCT / 2);
        mn__jput_num(&j, sk, "mean_resolution_pct", 1.0 / (double)(1L << MN__XSUM_FRAC_BITS));
        json_t *ir = mn__jput(&j, sk, "improvement_range_pct", json_array());
        if (ir) {
            mn__jpush(&j, ir, mn__jnum_new(&j, MN_COHORT_IMPROVEMENT_LO_PCT));
            mn__jpush(&j, ir, mn__jnum_new(&j, MN_COHORT_IMPROVEMENT_HI_PCT));
        }
        json_t *cr = mn__jput(&j, sk, "change_range_pct", json_array());
        if (cr) {
            mn__jpush(&j, cr, mn__jnum_new(&j, MN_COHORT_CHANGE_LO_PCT));
            mn__jpush(&j, cr, mn__jnum_new(&j, MN_COHORT_CHANGE_HI_PCT));
        }
    }
    return mn__json_finish(ctx, &j, root, "cohort", write, ud);
}

static void phototypes(const mn_cohort_trial *t, char *buf, size_t n)
{
    static const char *const roman[6] = {"I", "II", "III", "IV", "V", "VI"};
    int lo = t->population.fitzpatrick_lo, hi = t->population.fitzpatrick_hi;
    if (lo == hi)
        snprintf(buf, n, "%s", roman[lo - 1]);
    else
        snprintf(buf, n, "%s-%s", roman[lo - 1], roman[hi - 1]);
}

/* With dropout and the untreated arm: the arm and the difference over the completers (the
 * same patients as the completers' columns: one who leaves leaves both arms). */
static void completers_arm_text(mn__buf *b, const mn_cohort_result *r, int projected)
{
    mn__buf_textf(b,
                  "\nCompleters' untreated arm and difference: over the same completers (n, "
                  "still in on the day; one who leaves leaves both arms); the table under "
                  "Control above is all %ld patients'.\n",
                  r->n);
    mn__buf_textf(b, "%6s  %6s  %-27s  %s\n", "", "", "untreated improvement, %",
                  "difference, treated - untreated, points");
    mn__buf_textf(b, "%6s  %6s  %6s %6s %6s %6s  %6s %6s %6s %6s %6s\n", "day", "n", "mean", "p5",
                  "p50", "p95", "mean", "p5", "p50", "p95", ">=50");
    for (int e = 0; e < r->n_endpoints; e++) {
        const mn_cohort_endpoint *ep = &r->endpoints[e];
        const mn_cohort_dist *u = &ep->observed_untreated_improvement_pct,
                             *df = &ep->observed_difference_improvement_pct;
        if (!projected) {
            mn__buf_textf(b, "%6d  %6ld", ep->day, ep->observed);
            for (int c = 0; c < 9; c++) {
                mn__buf_append(b, c == 0 || c == 4 ? "  " : " ", c == 0 || c == 4 ? 2 : 1);
                blank_cell(b, 6);
            }
            mn__buf_append(b, "\n", 1);
            continue;
        }
        mn__buf_textf(b, "%6d  %6ld  %6.1f %6.1f %6.1f %6.1f  %6.1f %6.1f %6.1f %6.1f %5.1f%%\n",
                      ep->day, ep->observed, u->mean, u->p5, u->p50, u->p95, df->mean, df->p5,
                      df->p50, df->p95,
                      100 * frac(ep->observed_difference_responders_50pct, ep->observed));
    }
    mn__buf_textf(b, ">=50: completers whose difference is at least 50 points.\n");
}

/* One line of "Monte-Carlo error of the percentiles": the day, what, and the 95 % interval of
 * each percentile of @p d ("open" for an end its count cannot give). */
static void mc_error_line(mn__buf *b, int day, const char *what, const mn_cohort_dist *d)
{
    const double *cis[3] = {d->p5_ci, d->p50_ci, d->p95_ci};
    const char *pn[3] = {"p5", "p50", "p95"};
    mn__buf_textf(b, "%6d  %-11s", day, what);
    for (int c = 0; c < 3; c++) {
        char lo[16], hi[16];
        if (cis[c][0] == cis[c][0])
            snprintf(lo, sizeof lo, "%.1f", cis[c][0]);
        else
            snprintf(lo, sizeof lo, "open");
        if (cis[c][1] == cis[c][1])
            snprintf(hi, sizeof hi, "%.1f", cis[c][1]);
        else
            snprintf(hi, sizeof hi, "open");
        mn__buf_textf(b, "  %s %s to %s", pn[c], lo, hi);
    }
    mn__buf_append(b, "\n", 1);
}

static mn_status write_text(mn_ctx *ctx, const mn_cohort_trial *t, const mn_cohort_result *r,
                            const mn_validation_summary *v, mn_writer write, void *ud)
{
    mn__buf b;
    mn__buf_init(&b);
    const mn_cohort_demographics *d = &r->demographics;
    const int projected = mn_concern_projected(t->concern);
    char types[16];
    phototypes(t, types, sizeof types);
    mn__buf_textf(&b, "Virtual trial%s%s (simulation, not a prediction)\n", t->name[0] ? ": " : "",
                  t->name);
    mn__buf_textf(&b,
                  "Population: %ld patients, age %g-%g (mean %.1f), %.0f%% female, phototypes "
                  "%s, %.0f%% smokers, sun low/moderate/high %.0f/%.0f/%.0f%%\n",
                  r->n, t->population.age_lo, t->population.age_hi, d->mean_age_years,
                  100 * frac(d->female, r->n), types, 100 * frac(d->smokers, r->n),
                  100 * frac(d->sun[0], r->n), 100 * frac(d->sun[1], r->n),
                  100 * frac(d->sun[2], r->n));
    mn__buf_textf(&b, "Protocol: %s on the %s, %s at %g mm, %g pass%s, sessions on day",
                  t->concern->id, t->zone->id, t->device->id, t->needle_mm, t->passes,
                  t->passes == 1 ? "" : "es");
    for (int i = 0; i < t->n_sessions && i < 24; i++)
        mn__buf_textf(&b, "%s %d", i ? "," : "", t->sessions[i].day);
    mn__buf_textf(&b, "%s\nConstants: %s\nSeed: %llu\n", t->n_sessions > 24 ? ", ..." : "",
                  mn_cohort_constants_note(t), (unsigned long long)r->seed);
    if (!mn_concern_projected(t->concern)) /* the trial's warning says why */
        mn__buf_textf(&b,
                      "Not a forecast for %s: the model does not project it (see the warning "
                      "on $.concern), so its improvement, responder and maintenance columns "
                      "are left blank (\xe2\x80\x94); collagen and PIH are the model's as for "
                      "any concern.\n",
                      t->concern->id);
    else
        mn__buf_textf(&b, "Caution: %s\n", depth_caution);
    if (v) {
        char sentence[400];
        mn__buf_textf(&b, "Validation: %s\n",
                      mn__validation_sentence(v, sentence, sizeof sentence));
    }
    mn__buf_textf(&b, "\n");
    mn__buf_textf(&b, "%6s  %-41s  %s\n", "", "improvement, % of baseline severity",
                  "papillary collagen change, %");
    mn__buf_textf(&b, "%6s  %6s %6s %6s %6s %6s %6s  %6s %6s %6s %6s  %6s %6s\n", "day", "mean",
                  "p5", "p50", "p95", ">=50%", ">75%", "mean", "p5", "p50", "p95", "PIH", "maint");
    for (int e = 0; e < r->n_endpoints; e++) {
        const mn_cohort_endpoint *ep = &r->endpoints[e];
        const mn_cohort_dist *im = &ep->improvement_pct, *co = &ep->collagen_change_pct;
        if (!projected) {
            mn__buf_textf(&b, "%6d ", ep->day);
            for (int c = 0; c < 6; c++) {
                mn__buf_append(&b, " ", 1);
                blank_cell(&b, 6);
            }
            mn__buf_textf(&b, "  %6.1f %6.1f %6.1f %6.1f  %5.1f%% ", co->mean, co->p5, co->p50,
                          co->p95, 100 * frac(ep->pih_cases, r->n));
            blank_cell(&b, 6);
            mn__buf_append(&b, "\n", 1);
            continue;
        }
        mn__buf_textf(&b,
                      "%6d  %6.1f %6.1f %6.1f %6.1f %5.1f%% %5.1f%%  %6.1f %6.1f %6.1f %6.1f  "
                      "%5.1f%% %5.1f%%\n",
                      ep->day, im->mean, im->p5, im->p50, im->p95,
                      100 * frac(ep->responders_50pct, r->n),
                      100 * frac(ep->responders_75pct, r->n), co->mean, co->p5, co->p50, co->p95,
                      100 * frac(ep->pih_cases, r->n), 100 * frac(ep->maintenance_due, r->n));
    }
    mn__buf_textf(
        &b,
        "\np5, p50, p95: the patients' 5th, 50th and 95th percentiles (Hyndman & Fan type 7, "
        "linear between order statistics, the rule of every range mneedle reports): the "
        "spread between people, not an interval of a trial's figure.\n>=50%%, >75%%: patients "
        "improved by at least half, by more "
        "than three quarters.\nPIH: patients with post-inflammatory hyperpigmentation by that "
        "day (thin evidence: the PIH law itself is an order of magnitude, a factor "
        "of %g either way).\nmaint: patients whose improvement has fallen below "
        "%.0f%% of their peak since the course, counted only after a peak of at "
        "least %g%% (what a rater calls \"improved\"; below it there is nothing to "
        "maintain).\n",
        MN_PIH_BAND_FACTOR, 100 * t->maintenance_fraction, MN_GAIS_IMPROVED_PCT);
    if (t->control == MN_COHORT_CONTROL_UNTREATED) {
        mn__buf_textf(&b, "\nControl, %s.\n", control_note);
        if (t->dropout_per_visit > 0)
            mn__buf_textf(&b,
                          "All %ld patients, as designed (no dropout); the completers' untreated "
                          "arm and difference are under Dropout below.\n",
                          r->n);
        if (!projected)
            mn__buf_textf(&b,
                          "Not a forecast for %s: the untreated arm's and the difference's "
                          "cells are left blank (\xe2\x80\x94), as above.\n",
                          t->concern->id);
        mn__buf_textf(&b, "%6s  %-27s  %s\n", "", "untreated improvement, %",
                      "difference, treated - untreated, points");
        mn__buf_textf(&b, "%6s  %6s %6s %6s %6s  %6s %6s %6s %6s %6s\n", "day", "mean", "p5", "p50",
                      "p95", "mean", "p5", "p50", "p95", ">=50");
        for (int e = 0; e < r->n_endpoints; e++) {
            const mn_cohort_endpoint *ep = &r->endpoints[e];
            const mn_cohort_dist *u = &ep->untreated_improvement_pct,
                                 *df = &ep->difference_improvement_pct;
            if (!projected) {
                mn__buf_textf(&b, "%6d", ep->day);
                for (int c = 0; c < 9; c++) {
                    mn__buf_append(&b, c == 0 || c == 4 ? "  " : " ", c == 0 || c == 4 ? 2 : 1);
                    blank_cell(&b, 6);
                }
                mn__buf_append(&b, "\n", 1);
                continue;
            }
            mn__buf_textf(&b, "%6d  %6.1f %6.1f %6.1f %6.1f  %6.1f %6.1f %6.1f %6.1f %5.1f%%\n",
                          ep->day, u->mean, u->p5, u->p50, u->p95, df->mean, df->p5, df->p50,
                          df->p95, 100 * frac(ep->difference_responders_50pct, r->n));
        }
        mn__buf_textf(&b, ">=50: patients whose difference is at least 50 points.\n");
        if (mn_concern_projected(t->concern))
            mn__buf_textf(&b, "Caution: %s\n", untreated_caution);
    }
    if (t->dropout_per_visit > 0) {
        long done = r->n_endpoints > 0 ? r->endpoints[r->n_endpoints - 1].observed : 0;
        mn__buf_textf(&b, "\nDropout: %g per visit after the first; %s. Completers: %ld of %ld.\n",
                      t->dropout_per_visit, dropout_rule, done, r->n);
        mn__buf_textf(&b, "Completers: %s.\nIntention to treat (ITT): %s.\nNote: %s.\n",
                      dropout_observed_rule, dropout_itt_rule, dropout_note(t));
        if (!projected)
            mn__buf_textf(&b,
                          "Not a forecast for %s: its improvement, responder and "
                          "maintenance cells are left blank (\xe2\x80\x94), as above.\n",
                          t->concern->id);
        mn__buf_textf(&b, "%6s  %-61s  %s\n", "",
                      "completers (still in): improvement %, then shares of them",
                      "ITT (LOCF, all n), improvement %");
        mn__buf_textf(&b, "%6s  %6s %6s %6s %6s %6s %6s %6s %6s  %6s %6s %6s %6s %6s\n", "day", "n",
                      "mean", "p50", "p95", ">=50%", ">75%", "PIH", "maint", "mean", "p5", "p50",
                      "p95", ">=50%");
        for (int e = 0; e < r->n_endpoints; e++) {
            const mn_cohort_endpoint *ep = &r->endpoints[e];
            const mn_cohort_dist *ob = &ep->observed_improvement_pct,
                                 *it = &ep->itt_improvement_pct;
            if (!projected) { /* n and PIH only, as the main table keeps collagen and PIH */
                mn__buf_textf(&b, "%6d  %6ld", ep->day, ep->observed);
                for (int c = 0; c < 5; c++) {
                    mn__buf_append(&b, " ", 1);
                    blank_cell(&b, 6);
                }
                mn__buf_textf(&b, " %5.1f%% ", 100 * frac(ep->observed_pih_cases, ep->observed));
                blank_cell(&b, 6);
                for (int c = 0; c < 5; c++) {
                    mn__buf_append(&b, c ? " " : "  ", c ? 1 : 2);
                    blank_cell(&b, 6);
                }
                mn__buf_append(&b, "\n", 1);
                continue;
            }
            mn__buf_textf(&b,
                          "%6d  %6ld %6.1f %6.1f %6.1f %5.1f%% %5.1f%% %5.1f%% %5.1f%%  %6.1f "
                          "%6.1f %6.1f %6.1f %5.1f%%\n",
                          ep->day, ep->observed, ob->mean, ob->p50, ob->p95,
                          100 * frac(ep->observed_responders_50pct, ep->observed),
                          100 * frac(ep->observed_responders_75pct, ep->observed),
                          100 * frac(ep->observed_pih_cases, ep->observed),
                          100 * frac(ep->observed_maintenance_due, ep->observed), it->mean, it->p5,
                          it->p50, it->p95, 100 * frac(ep->itt_responders_50pct, r->n));
        }
        if (t->control == MN_COHORT_CONTROL_UNTREATED)
            completers_arm_text(&b, r, projected);
    }
    /* The Monte-Carlo error of the percentile ends. */
    mn__buf_textf(&b,
                  "\nMonte-Carlo error of the percentiles with %ld patients: %.0f %% confidence "
                  "intervals by the %s.\n",
                  r->n, 100 * MN_COHORT_PERCENTILE_CI_LEVEL, percentile_ci_method);
    for (int e = 0; projected && e < r->n_endpoints; e++) {
        /* neither the improvement nor the difference is a forecast when not projected */
        const mn_cohort_endpoint *ep = &r->endpoints[e];
        mc_error_line(&b, ep->day, "improvement", &ep->improvement_pct);
        if (t->control == MN_COHORT_CONTROL_UNTREATED)
            mc_error_line(&b, ep->day, "difference", &ep->difference_improvement_pct);
    }
    /* The completers' percentiles (the dropout table's, and the completers' arm's) have
     * their own error: over the patients still in, fewer than n, so wider. */
    if (t->dropout_per_visit > 0 && projected) {
        mn__buf_textf(&b,
                      "Over the completers (n in the dropout table, still in on the day: fewer "
                      "patients, wider intervals; an end is open where fewer than %ld are left):\n",
                      mn_cohort_percentile_ci_min_n());
        for (int e = 0; e < r->n_endpoints; e++) {
            const mn_cohort_endpoint *ep = &r->endpoints[e];
            mc_error_line(&b, ep->day, "completers", &ep->observed_improvement_pct);
            if (t->control == MN_COHORT_CONTROL_UNTREATED)
                mc_error_line(&b, ep->day, "difference", &ep->observed_difference_improvement_pct);
        }
    }
    char small[400];
    if (small_n_warning(r->n, small, sizeof small))
        mn__buf_textf(&b, "Warning: %s.\n", small);
    const mn_cohort_intervals *iv = r->intervals;
    if (iv && iv->n_trials > 0) {
        char note[1024];
        intervals_note(t, iv, note, sizeof note);
        mn__buf_textf(&b, "\nTrial-level intervals: %s.\n", note);
        mn__buf_textf(&b, "Each range but the last: a 90 %% model interval, the virtual trials' "
                          "5th to 95th percentile (Hyndman & Fan type 7). PIH "
                          "bound: a judgement bound, not a 90 %% interval (below).\n");
        mn__buf_textf(&b, "%6s  %-16s  %-14s  %-14s  %-14s  %s\n", "day", "mean improvement",
                      ">=50%", ">75%", "PIH", "PIH bound (judgement)");
        for (int e = 0; e < iv->n_endpoints; e++) {
            const mn_cohort_endpoint_interval *ei = &iv->endpoints[e];
            const mn_cohort_interval *pb = &ei->pih_rate_with_law_band;
            if (!projected) {
                mn__buf_textf(&b, "%6d  ", ei->day);
                blank_cell(&b, 7);
                mn__buf_textf(&b, "%11s", "");
                blank_cell(&b, 5);
                mn__buf_textf(&b, "%11s", "");
                blank_cell(&b, 5);
                mn__buf_textf(&b, "%11s", "");
                mn__buf_textf(&b, "%5.1f - %5.1f%%  %5.1f - %5.1f%%\n", 100 * ei->pih_rate.lo,
                              100 * ei->pih_rate.hi, 100 * pb->lo, 100 * pb->hi);
                continue;
            }
            mn__buf_textf(&b,
                          "%6d  %7.1f - %-6.1f  %5.1f - %5.1f%%  %5.1f - %5.1f%%  %5.1f - "
                          "%5.1f%%  %5.1f - %5.1f%%\n",
                          ei->day, ei->mean_improvement_pct.lo, ei->mean_improvement_pct.hi,
                          100 * ei->responders_50pct.lo, 100 * ei->responders_50pct.hi,
                          100 * ei->responders_75pct.lo, 100 * ei->responders_75pct.hi,
                          100 * ei->pih_rate.lo, 100 * ei->pih_rate.hi, 100 * pb->lo, 100 * pb->hi);
        }
        mn__buf_textf(&b,
                      "PIH: by the PIH law as stated, the trials' spread alone. PIH bound "
                      "(judgement): with the law's own band as well, a factor of %g either way "
                      "on each session's probability (the same trials, the probability divided "
                      "by %g for the 5th percentile and multiplied by %g for the 95th); no "
                      "coverage level, not a 90 %% interval.\n",
                      MN_PIH_BAND_FACTOR, MN_PIH_BAND_FACTOR, MN_PIH_BAND_FACTOR);
    }
    mn__buf_textf(&b,
                  "\nPercentiles are within %.3g points of these %ld simulated patients' own "
                  "(sketch bins of %.3g): the binning's error only; their Monte-Carlo error is in "
                  "the lines \"Monte-Carlo error of the percentiles\" above. ",
                  MN_COHORT_BIN_PCT / 2, r->n, MN_COHORT_BIN_PCT);
    if (iv && iv->n_trials > 0)
        mn__buf_textf(&b,
                      "How far a trial of %ld patients could land from these figures is "
                      "what the trial-level intervals above say.\n",
                      r->n);
    else
        mn__buf_textf(&b,
                      "The means and shares carry neither the sampling error of a trial of %ld "
                      "patients "
                      "nor the uncertainty of the constants, which average out over "
                      "patients; --trials N gives intervals that do.\n",
                      r->n);
    return mn__buf_finish(ctx, &b, "cohort", write, ud);
}

mn_status mn_cohort_write(mn_ctx *ctx, const mn_cohort_trial *trial, const mn_cohort_result *res,
                          int json, mn_writer write, void *userdata)
{
    if (!trial || !res || !write || !trial->zone || !trial->concern || !trial->device)
        return mn__error(ctx, MN_EINVAL, "mn_cohort_write: NULL or incomplete argument");
    /* How far the model has been borne out, in the words simulate and plan use
     * (validation_note.h), for a concern whose improvement the model projects. */
    mn_validation_summary v;
    mn_status st = mn_evidence_validation_summary(ctx, &v);
    if (st)
        return st;
    const mn_validation_summary *vp =
        mn_concern_projected(trial->concern) && v.checked > 0 ? &v : NULL;
    return json ? write_json(ctx, trial, res, vp, write, userdata)
                : write_text(ctx, trial, res, vp, write, userdata);
}

mn_status mn_cohort_csv_header(mn_ctx *ctx, mn_writer write, void *userdata)
{
    if (!write)
        return mn__error(ctx, MN_EINVAL, "mn_cohort_csv_header: NULL writer");
    char header[1024];
    size_t len = 0;
    for (int c = 0; c < MN__COHORT_CSV_COLUMNS; c++) {
        int n = snprintf(header + len, sizeof header - len, "%s%s", mn__cohort_csv_columns[c].name,
                         c + 1 < MN__COHORT_CSV_COLUMNS ? "," : "\n");
        if (n < 0 || (size_t)n >= sizeof header - len)
            return mn__error(ctx, MN_ENUMERIC, "mn_cohort_csv_header: header too long");
        len += (size_t)n;
    }
    return mn__write_str(ctx, write, userdata, header, len);
}

mn_status mn_cohort_csv_row(mn_ctx *ctx, const mn_cohort_trial *trial,
                            const mn_cohort_patient_result *p, mn_writer write, void *userdata)
{
    if (!trial || !p || !p->outcomes || !write)
        return mn__error(ctx, MN_EINVAL, "mn_cohort_csv_row: NULL argument");
    char line[640];
    for (int e = 0; e < trial->n_endpoints; e++) {
        const mn_cohort_outcome *o = &p->outcomes[e];
        const mn_healing_variability *v = &p->variability;
        /* The columns added after maintenance_due (the contract grows at the end): the
         * untreated arm and the difference, empty cells unless the trial asks for the arm (as
         * the JSON leaves its keys out); whether and when the patient left, and whether he or
         * she is still in on this day (1 for everyone without dropout); the severity
         * multiplier, which scales the untreated arm's worsening (docs/models/cohort.md). */
        char arm[64] = ",";
        if (trial->control == MN_COHORT_CONTROL_UNTREATED)
            snprintf(arm, sizeof arm, "%.4f,%.4f", o->untreated_improvement_pct,
                     o->improvement_pct - o->untreated_improvement_pct);
        int len = snprintf(
            line, sizeof line,
            "%ld,%d,%.3f,%s,%d,%d,%s,%.5f,%.5f,%.5f,%.5f,%.5f,%.6f,%d,%.4f,%d,%d,%.4f,%.4f,%.4f,%d,"
            "%d,%d,%s,%d,%d,%d,%.5f\n",
            p->index, trial->endpoint_days[e], p->patient.age_years, mn_sex_name(p->patient.sex),
            p->patient.fitzpatrick, p->patient.smoker, mn_sun_name(p->patient.sun),
            v->response_gain, v->depth_fraction_scale, v->closure_scale, v->ageing_rate,
            v->inflammation_scale, p->pih_probability_per_session, p->pih_day,
            p->peak_improvement_pct, p->peak_day, p->maintenance_day, o->improvement_pct,
            o->collagen_change_pct, o->epidermis_change_pct, o->improvement_pct >= 50.0, o->pih,
            o->maintenance_due, arm, p->dropped_out != 0, p->dropped_out ? p->dropout_day : -1,
            o->observed != 0, v->severity_scale);
        if (len < 0 || (size_t)len >= sizeof line)
            return mn__error(ctx, MN_ENUMERIC, "cohort: patient %ld: CSV row too long", p->index);
        mn_status st = mn__write_str(ctx, write, userdata, line, (size_t)len);
        if (st)
            return st;
    }
    return MN_OK;
}
