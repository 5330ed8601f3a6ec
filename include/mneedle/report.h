/*
 * mneedle report: turning results into text, JSON and CSV for people and programs.
 * Writers are passed in (core.h); nothing here prints on its own.
 * Every writer of the library is declared here, beside the result it writes: catalogue
 * listings, screening and plan (clinic.h), simulate (healing.h), absorb (transport.h) and
 * cohort (cohort.h). Figures and the HTML report are in plot.h. The writers format what the
 * models computed and stored in their results; they compute nothing of their own.
 *
 * Thread safety: writing reads the context's read-only catalogue and records errors on the
 * context, so one context per thread; it starts no threads of its own.
 */
#ifndef MNEEDLE_REPORT_H
#define MNEEDLE_REPORT_H

#include "mneedle/clinic.h"
#include "mneedle/cohort.h"
#include "mneedle/core.h"
#include "mneedle/evidence.h"
#include "mneedle/healing.h"
#include "mneedle/store.h"
#include "mneedle/transport.h"
#include "mneedle/sensitivity.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Declarations here are the exported API of libmneedle.so (CMakeLists.txt). */
#pragma GCC visibility push(default)

/**
 * Writes a catalogue listing: @p what is "devices", "sites", "concerns", "products" or
 * "rules". @p json selects one JSON object (with "sources") instead of a text table.
 * @return MN_OK; MN_ENOTFOUND for an unknown @p what; MN_ENOMEM; MN_EIO if the writer fails.
 */
mn_status mn_report_catalog(mn_ctx *ctx, const char *what, int json, mn_writer write,
                            void *userdata);

/**
 * Writes the evidence base (`mneedle evidence`): per study its id, role, design, n, concern,
 * how it was verified and its endpoints by family, then the studies per family and role. JSON
 * (@p json) gives `{version, counts, studies[]}` (docs/evidence.md).
 * @return MN_OK; MN_EINVAL for a NULL set or writer; MN_ENOMEM; MN_EIO if the writer fails.
 */
mn_status mn_evidence_write(mn_ctx *ctx, const mn_evidence *ev, int json, mn_writer write,
                            void *userdata);

/**
 * Writes a validation (`mneedle validate`): as Markdown text (docs/validation.md is this
 * output for the bundled evidence) or, with @p json, `{version, studies[], endpoints[].{study,
 * endpoint, scale, time, day, n, observed, predicted.{median, low, high}, inside},
 * not_checked[].{study, endpoint, scale, time, why}, coverage, checked, inside, trials, seed}`
 * (coverage: the share inside, null when nothing was checked).
 * @return MN_OK; MN_EINVAL; MN_ENOMEM; MN_EIO if the writer fails.
 */
mn_status mn_validation_write(mn_ctx *ctx, const mn_evidence *ev, const mn_validation *v, int json,
                              mn_writer write, void *userdata);

/*
 * Screening and plan (src/report/plan_out.c).
 */

/** Writes the screening alone as JSON (keys of DESIGN §4) or as text for the client. */
mn_status mn_screening_write(mn_ctx *ctx, const mn_client *client, const mn_screening *s, int json,
                             mn_writer write, void *userdata);

/** Writes the plan as JSON (keys of DESIGN §4) or as text a clinician can hand over. */
mn_status mn_plan_write(mn_ctx *ctx, const mn_plan *plan, int json, mn_writer write,
                        void *userdata);

/*
 * simulate: a healing result (src/report/simulate_out.c).
 */

/** A simulated scenario, ready to write. Everything is borrowed. */
typedef struct {
    const mn_healing_scenario *scenario;
    const mn_healing_sample *samples; /* at the report days */
    int n_samples;
    const double *low_pct, *high_pct; /* band of improvement_pct per sample, or NULL */
    int band_draws;                   /* how many virtual copies made the band (0 = none) */
    const mn_healing_summary *summary;
    const mn_healing_projection *maintenance; /* the model's maintenance interval, or NULL */
    mn_healing_integrator integrator;
    const mn_warnings *warnings; /* the scenario's (mn_healing_input.warnings), or NULL */
    /* The longest follow-up after a course in the evidence base
     * (mn_evidence_longest_followup_days()) and the study that measured it: durability past
     * it is said to be an extrapolation. 0 (and NULL): not known, nothing is said. The text
     * names a study by mn_evidence_bundled_cite() ("Aust et al. 2008"), never by its id. */
    int evidence_followup_days;
    const char *evidence_followup_study;
    /* The shallowest needle length any human study of the scenario's concern used
     * (mn_evidence_shallowest_needle_mm()) and that study: a course whose deepest session lies
     * below it is said to run the dose response below the depths studied. 0 (and NULL): not
     * known, nothing is said. */
    double evidence_shallowest_mm;
    const char *evidence_shallowest_study;
    /* How many human studies of the scenario's concern the evidence base holds
     * (mn_evidence_count_studies()), when evidence_studies_known is 1: with none, a projected
     * concern's figure is said to be the collagen model with its judged response weight, not a
     * measured response. evidence_studies_known 0: not known, nothing is said. */
    int evidence_studies_known;
    int evidence_studies;
    /* How the bundled model fared against the studies it was not fitted to
     * (mn_evidence_validation_summary()): a projected concern's answer says so, and which way
     * its misses lean. NULL: not known, nothing is said. */
    const mn_validation_summary *validation;
    /* The largest collagen and epidermal changes any human study in the evidence base measured
     * (mn_evidence_bundled_largest_change(); <= 0: not known) and their studies: a simulated
     * change above one is said to be the model's extrapolation. NULL: nothing is said. */
    const struct mn_healing_measured_max {
        double collagen_pct, epidermis_pct;
        const char *collagen_study, *epidermis_study;
    } * measured_max;
} mn_healing_result;

/** Storage for what mn_healing_result_evidence() points a result at; it must live as long as
 * the result. */
typedef struct {
    mn_validation_summary validation;
    struct mn_healing_measured_max measured;
} mn_healing_evidence;

/**
 * Fills the evidence fields of @p res (the longest follow-up, the shallowest needle length
 * studied for res->scenario's concern, how many studies measured that concern, the validation
 * summary and the largest measured changes) from the bundled evidence base, keeping what they
 * point to in @p store: `simulate` and the Python package state the same limits of the same
 * evidence.
 * @return MN_OK; MN_EINVAL for a NULL argument or a result without a scenario; an evidence
 *         base that cannot be read gives its own status (res is then left unchanged).
 */
mn_status mn_healing_result_evidence(mn_ctx *ctx, mn_healing_result *res,
                                     mn_healing_evidence *store);

/**
 * Writes "how long will it last?" as one or two sentences with numbers (peak, when, how long
 * until half of it is lost, when the skin is back to its pre-treatment level, the maintenance
 * interval when known), saying it is a simulation with its uncertainty. Always NUL-terminates
 * @p buf (truncating if needed). Returns @p buf.
 */
char *mn_healing_answer(const mn_healing_result *res, char *buf, size_t len);

/**
 * Writes a result as one JSON object (DESIGN §4 keys: samples[].{day, collagen_change_pct,
 * epidermis_change_pct, improvement_pct, erythema, barrier_open_fraction} and
 * summary.{peak_improvement_pct, peak_day, durability_days, back_to_baseline_day}, plus the
 * band, the untreated twin, the maintenance interval, the answer sentence and the course's PIH
 * risk, mn_healing_pih_risk(): summary.pih_probability{,_low,_high}, pih_phototype, pih_note)
 * or as text (the PIH risk on its own lines under the answer).
 * Days not found within the search limit are JSON null.
 * @return MN_OK; MN_ENUMERIC if a value is not finite (nothing is written then); MN_EINVAL for
 *         a scenario mn_healing_pih_risk() refuses; MN_ENOMEM; MN_EIO if the writer fails.
 */
mn_status mn_healing_write(mn_ctx *ctx, const mn_healing_result *res, int json, mn_writer write,
                           void *userdata);

/**
 * Writes daily trajectories as CSV: one row per day with the treated zone and the untreated
 * twin (header row first). @p daily holds days 0..n_days-1 (from mn_healing_run() with
 * report_days NULL); @p low_pct / @p high_pct may be NULL.
 * @return MN_OK; MN_ENUMERIC; MN_EIO if the writer fails.
 */
mn_status mn_healing_write_csv(mn_ctx *ctx, const mn_healing_sample *daily, int n_days,
                               const double *low_pct, const double *high_pct, mn_writer write,
                               void *userdata);

/*
 * absorb: a transport result (src/report/absorb_out.c).
 */

/** Writes the result as one JSON object (DESIGN 4 keys and more). */
mn_status mn_absorb_write_json(mn_ctx *ctx, const mn_absorb_scenario *s, const mn_absorb_result *r,
                               mn_writer write, void *userdata);

/** Writes a short human explanation and a table of the samples. */
mn_status mn_absorb_write_text(mn_ctx *ctx, const mn_absorb_scenario *s, const mn_absorb_result *r,
                               mn_writer write, void *userdata);

/** Writes the depth profile over time as CSV: hour, depth_top_um, depth_bottom_um, layer,
 *  conc_ug_ml, intact_conc_ug_ml. */
mn_status mn_absorb_write_csv(mn_ctx *ctx, const mn_absorb_result *r, mn_writer write,
                              void *userdata);

/** Writes the final 3D concentration as a legacy VTK rectilinear grid (binary) for ParaView.
 *  @return MN_EINVAL if the result has no 3D volume. */
mn_status mn_absorb_write_vtk(mn_ctx *ctx, const mn_absorb_result *r, mn_writer write,
                              void *userdata);

/*
 * cohort: a virtual trial (src/report/cohort_out.c).
 */

/**
 * Writes the result as JSON (keys of DESIGN 4: n, seed, endpoints[].{day,
 * improvement_pct.{mean,p5,p50,p95}, responders_50pct, collagen_change_pct.{...}, pih_rate},
 * plus maintenance_due_fraction, epidermis_change_pct, the realised population and the sketch
 * error bound) or as a human table. Rates and responders_50pct are fractions of n (0-1).
 */
mn_status mn_cohort_write(mn_ctx *ctx, const mn_cohort_trial *trial, const mn_cohort_result *res,
                          int json, mn_writer write, void *userdata);

/** Writes a shard's part file (JSON; docs/cluster.md) after mn_cohort_part_run(), for
 *  mneedle merge. @return MN_OK; MN_EINVAL (NULL, or the part has not run); MN_ENOMEM; MN_EIO. */
mn_status mn_cohort_part_write(mn_ctx *ctx, const mn_cohort_part *part, mn_writer write,
                               void *userdata);

/** Writes the header line of the per-patient CSV; the rows follow from mn_cohort_csv_row().
 *  @return MN_OK; MN_EINVAL for a NULL writer; MN_EIO if the writer fails. */
mn_status mn_cohort_csv_header(mn_ctx *ctx, mn_writer write, void *userdata);

/** Writes one patient's rows of the per-patient CSV, one per endpoint of @p trial; call it
 *  from an mn_cohort_patient_fn, after mn_cohort_csv_header().
 *  @return MN_OK; MN_EINVAL for NULL arguments; MN_ENUMERIC if a row does not fit its
 *          buffer; MN_EIO if the writer fails. */
mn_status mn_cohort_csv_row(mn_ctx *ctx, const mn_cohort_trial *trial,
                            const mn_cohort_patient_result *p, mn_writer write, void *userdata);

/**
 * Writes the results of a sensitivity SPEC (`mneedle sensitivity`): as text, a table per output
 * (each input's S1 and ST with their intervals, and Morris's mu* and sigma when run), or as
 * JSON (json != 0): version, method, inputs[].{name, unit, distribution, parameters},
 * outputs[].{name, unit, mean, variance, inputs[].{name, first_order, total, first_order_ci,
 * total_ci[, morris.{mu, mu_star, sigma}]}}.
 * @return MN_OK; MN_EINVAL (NULL); MN_ENOMEM; MN_EIO from the writer.
 */
mn_status mn_sens_write(mn_ctx *ctx, const mn_sens_result *res, int json, mn_writer write,
                        void *userdata);

/** The same as CSV, one row per output and input: output, input, first_order,
 *  first_order_low, first_order_high, total, total_low, total_high, then mu, mu_star, sigma
 *  (empty without Morris). */
mn_status mn_sens_write_csv(mn_ctx *ctx, const mn_sens_result *res, mn_writer write,
                            void *userdata);

/* ---- the clinic record (store.h) ---- */

/** Writes the verdict of mn_store_check(): JSON {version, ok, schema_version, integrity_ok,
 *  foreign_keys_ok, audit_ok, audit_entries, rows_checked, problem} or a few lines of text.
 *  @return MN_OK; MN_EINVAL for NULL arguments; MN_ENOMEM; MN_EIO if the writer fails. */
mn_status mn_store_check_write(mn_ctx *ctx, const mn_store_check_result *r, int json,
                               mn_writer write, void *userdata);

/** Writes one client (client show): id, dates, counts, consents, the planning input, and,
 *  when @p identity is 1, the identifying details. JSON or text.
 *  @return MN_OK; MN_EINVAL; MN_ENOMEM; MN_EIO. */
mn_status mn_store_client_write(mn_ctx *ctx, const mn_store_client *c, int identity, int json,
                                mn_writer write, void *userdata);

/** Writes the client list, one line (or JSON object) per client: id, created, sessions, last
 *  session, maintenance due; names only when @p identity is 1. */
mn_status mn_store_client_list_write(mn_ctx *ctx, const mn_store_client *list, int n, int identity,
                                     int json, mn_writer write, void *userdata);

/** Writes a client's timeline (mneedle history): planned visits against the sessions done
 *  (date shift, each zone's setting against the plan's, overrides), scores over time and
 *  adverse events. JSON: {version, client, plan, planned[], sessions[], assessments[],
 *  adverse_events[]}. */
mn_status mn_store_history_write(mn_ctx *ctx, const mn_store_history *h, int json, mn_writer write,
                                 void *userdata);

/** Writes a replan: the visits left with their dates and settings, the scores used, the
 *  response gain's prior and posterior (median, 10-90 %), the client's projection band and
 *  maintenance date. JSON {version, client, plan_id, sessions_done, remaining[], response{},
 *  observations[], projection[], maintenance{}, note} or text. */
mn_status mn_store_replan_write(mn_ctx *ctx, const mn_store_replan *r, int json, mn_writer write,
                                void *userdata);

/** Recall list formats. */
typedef enum {
    MN_RECALL_TEXT,
    MN_RECALL_JSON,
    MN_RECALL_CSV, /* client,due,last_session,reason */
    MN_RECALL_ICS  /* iCalendar (RFC 5545): one all-day VEVENT per client, no names */
} mn_recall_format;

/** Writes the clients due for maintenance. @p stamp: the DTSTAMP date of the iCalendar. */
mn_status mn_store_recall_write(mn_ctx *ctx, const mn_store_recall *list, int n,
                                mn_recall_format format, mn_date stamp, mn_writer write,
                                void *userdata);

/** Writes the planned visits of clients' timelines as iCalendar (RFC 5545): one all-day
 *  VEVENT per planned visit not yet done, summarised by the pseudonymous id, phase and zones;
 *  never a name. @p stamp: DTSTAMP's date. */
mn_status mn_store_ics_write(mn_ctx *ctx, mn_store_history *const *histories, int n, mn_date stamp,
                             mn_writer write, void *userdata);

/** Writes clients' timelines as CSV, one row per planned visit zone, session zone, score and
 *  adverse event: client,type,date,number,zone,depth_mm,passes,planned_depth_mm,scale,score,
 *  rater,event,severity,device. Pseudonymous ids only. */
mn_status mn_store_csv_write(mn_ctx *ctx, mn_store_history *const *histories, int n,
                             mn_writer write, void *userdata);

/** Writes clients' timelines as an HL7 FHIR R4 Bundle (type collection, JSON): a Patient per
 *  client (the pseudonymous id as identifier, no name or contact), a CarePlan per stored plan
 *  with one activity per planned visit, a Procedure per session (body sites, settings, the
 *  Device used), an Observation per score and an AdverseEvent per recorded event. */
mn_status mn_store_fhir_write(mn_ctx *ctx, mn_store_history *const *histories, int n,
                              mn_writer write, void *userdata);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
