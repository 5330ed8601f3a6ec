/* The evidence base as a text table or JSON (`mneedle evidence`). */
#include <stdio.h>
#include <string.h>

#include "core/json_out.h"
#include "device/closure.h"
#include "healing/healing_internal.h"
#include "mneedle/evidence.h"
#include "mneedle/posterior.h"
#include "mneedle/report.h"

/* The law a bundled study's values set before the split was declared ("closure": its closure
 * times, device/closure.c; "pih": its PIH count, healing/pih.c), or NULL. A validation study
 * that set one is not checked on it (observe.c says so in validate's reasons). */
static const char *law_set(const mn_evidence_study *s)
{
    if (s->user)
        return NULL;
    if (mn__closure_law_source(s->id))
        return "closure";
    if (mn__pih_law_source(s->id))
        return "pih";
    return NULL;
}

/* Studies per family and role: counts[family][role]. */
static void tally(const mn_evidence *ev, int counts[MN_EVIDENCE_FAMILY_COUNT][2], int *roles,
                  int *user)
{
    memset(counts, 0, sizeof(int) * MN_EVIDENCE_FAMILY_COUNT * 2);
    roles[0] = roles[1] = *user = 0;
    for (size_t i = 0; i < mn_evidence_count(ev); i++) {
        const mn_evidence_study *s = mn_evidence_at(ev, i);
        roles[s->role]++;
        *user += s->user;
        int seen[MN_EVIDENCE_FAMILY_COUNT] = {0};
        for (int e = 0; e < s->n_endpoints; e++)
            seen[s->endpoints[e].family] = 1;
        for (int f = 0; f < MN_EVIDENCE_FAMILY_COUNT; f++)
            counts[f][s->role] += seen[f];
    }
}

static json_t *evidence_json(const mn_evidence *ev, mn__jout *j)
{
    int counts[MN_EVIDENCE_FAMILY_COUNT][2], roles[2], user;
    tally(ev, counts, roles, &user);
    json_t *root = json_object();
    mn__jput_str(j, root, "version", mn_version());
    json_t *c = mn__jput(j, root, "counts", json_object());
    mn__jput_int(j, c, "studies", (long long)mn_evidence_count(ev));
    mn__jput_int(j, c, "calibration", roles[MN_EVIDENCE_CALIBRATION]);
    mn__jput_int(j, c, "validation", roles[MN_EVIDENCE_VALIDATION]);
    mn__jput_int(j, c, "user", user);
    json_t *fams = mn__jput(j, c, "families", json_object());
    for (int f = 0; f < MN_EVIDENCE_FAMILY_COUNT; f++) {
        json_t *o = mn__jput(j, fams, mn_evidence_family_name(f), json_object());
        mn__jput_int(j, o, "calibration", counts[f][MN_EVIDENCE_CALIBRATION]);
        mn__jput_int(j, o, "validation", counts[f][MN_EVIDENCE_VALIDATION]);
    }
    json_t *list = mn__jput(j, root, "studies", json_array());
    for (size_t i = 0; i < mn_evidence_count(ev); i++) {
        const mn_evidence_study *s = mn_evidence_at(ev, i);
        json_t *o = mn__jpush(j, list, json_object());
        mn__jput_str(j, o, "id", s->id);
        mn__jput_str(j, o, "role", mn_evidence_role_name(s->role));
        mn__jput_str(j, o, "design", s->design);
        if (s->population.n > 0)
            mn__jput_int(j, o, "n", s->population.n);
        mn__jput_str(j, o, "concern", s->concern);
        mn__jput_str(j, o, "verified", s->verified);
        mn__jput_int(j, o, "unverified", s->n_unverified);
        mn__jput_str(j, o, "citation", s->citation);
        if (s->doi)
            mn__jput_str(j, o, "doi", s->doi);
        if (s->pmid)
            mn__jput_str(j, o, "pmid", s->pmid);
        if (s->url)
            mn__jput_str(j, o, "url", s->url);
        mn__jput_str(j, o, "source", s->source);
        mn__jput_bool(j, o, "user", s->user);
        if (law_set(s))
            mn__jput_str(j, o, "set_a_law", law_set(s));
        json_t *fl = mn__jput(j, o, "families", json_array());
        int seen[MN_EVIDENCE_FAMILY_COUNT] = {0};
        for (int e = 0; e < s->n_endpoints; e++)
            seen[s->endpoints[e].family] = 1;
        for (int f = 0; f < MN_EVIDENCE_FAMILY_COUNT; f++)
            if (seen[f])
                mn__jpush(j, fl, json_string(mn_evidence_family_name(f)));
        json_t *el = mn__jput(j, o, "endpoints", json_array());
        for (int e = 0; e < s->n_endpoints; e++) {
            const mn_evidence_endpoint *p = &s->endpoints[e];
            json_t *eo = mn__jpush(j, el, json_object());
            mn__jput_str(j, eo, "id", p->id);
            mn__jput_str(j, eo, "family", mn_evidence_family_name(p->family));
            mn__jput_str(j, eo, "scale", p->scale);
            mn__jput_str(j, eo, "arm", s->arms[p->arm].id);
            if (p->vs_arm >= 0)
                mn__jput_str(j, eo, "vs_arm", s->arms[p->vs_arm].id);
            mn__jput_str(j, eo, "quantity", mn_evidence_quantity_name(p->quantity));
            mn__jput_str(j, eo, "unit", p->unit);
            mn__jput_int(j, eo, "timepoints", p->n_timepoints);
        }
    }
    if (!root)
        j->status = MN_ENOMEM;
    return root;
}

static void evidence_text(const mn_evidence *ev, mn__buf *b)
{
    int counts[MN_EVIDENCE_FAMILY_COUNT][2], roles[2], user;
    tally(ev, counts, roles, &user);
    mn__buf_printf(b, "Evidence base: %zu studies, %d calibration and %d validation",
                   mn_evidence_count(ev), roles[MN_EVIDENCE_CALIBRATION],
                   roles[MN_EVIDENCE_VALIDATION]);
    if (user)
        mn__buf_printf(b, " (%d from --evidence, marked *)", user);
    mn__buf_printf(b, ".\n\n%-28s %-11s %-14s %6s  %-20s %-13s %s\n", "STUDY", "ROLE", "DESIGN",
                   "N", "CONCERN", "VERIFIED", "ENDPOINTS");
    for (size_t i = 0; i < mn_evidence_count(ev); i++) {
        const mn_evidence_study *s = mn_evidence_at(ev, i);
        char n[16] = "?";
        if (s->population.n > 0)
            snprintf(n, sizeof n, "%d", s->population.n);
        char name[80];
        snprintf(name, sizeof name, "%s%s", s->id, s->user ? "*" : "");
        mn__buf_printf(b, "%-28s %-11s %-14s %6s  %-20s %-13s ", name,
                       mn_evidence_role_name(s->role), s->design, n, s->concern, s->verified);
        int per[MN_EVIDENCE_FAMILY_COUNT] = {0}, first = 1;
        for (int e = 0; e < s->n_endpoints; e++)
            per[s->endpoints[e].family]++;
        for (int f = 0; f < MN_EVIDENCE_FAMILY_COUNT; f++)
            if (per[f]) {
                mn__buf_printf(b, "%s%s %d", first ? "" : ", ", mn_evidence_family_name(f), per[f]);
                first = 0;
            }
        mn__buf_printf(b, "\n");
    }
    mn__buf_printf(b, "\nStudies per endpoint family (calibration / validation):\n");
    for (int f = 0; f < MN_EVIDENCE_FAMILY_COUNT; f++)
        mn__buf_printf(b, "  %-18s %3d / %d\n", mn_evidence_family_name(f),
                       counts[f][MN_EVIDENCE_CALIBRATION], counts[f][MN_EVIDENCE_VALIDATION]);
    mn__buf_printf(b, "\nValues are recorded as published, with the spread published; each file "
                      "lists what could not be\nverified. Validation studies are never fitted to");
    int laws = 0;
    for (size_t i = 0; i < mn_evidence_count(ev); i++) {
        const mn_evidence_study *s = mn_evidence_at(ev, i);
        const char *law = law_set(s);
        if (!law || s->role != MN_EVIDENCE_VALIDATION)
            continue;
        mn__buf_printf(b, "%s\n  %s (its %s helped set the %s law)", laws++ ? ";" : ", except",
                       s->id, strcmp(law, "pih") ? "closure times" : "PIH findings",
                       strcmp(law, "pih") ? "channel-closure" : "PIH");
    }
    if (laws)
        mn__buf_printf(b, ":\nthose values were in a law before the split was declared, and "
                          "'mneedle validate' does not check them");
    mn__buf_printf(b, ".%sFormat and split: docs/evidence.md.\n", laws ? "\n" : " ");
}

mn_status mn_evidence_write(mn_ctx *ctx, const mn_evidence *ev, int json, mn_writer write,
                            void *userdata)
{
    if (!ev || !write)
        return mn__error(ctx, MN_EINVAL, "mn_evidence_write: NULL argument");
    if (json) {
        mn__jout j;
        mn__jout_init(&j);
        json_t *root = evidence_json(ev, &j);
        return mn__json_finish(ctx, &j, root, "evidence", write, userdata);
    }
    mn__buf b;
    mn__buf_init(&b);
    evidence_text(ev, &b);
    return mn__buf_finish(ctx, &b, "evidence", write, userdata);
}

/* ---- mneedle validate (docs/validation.md is its text output) ---- */

static const char *row_scale(const mn_validation_row *r)
{
    return r->study->endpoints[r->endpoint].scale;
}

/* What the row's numbers are, when not the scale's own unit. */
static const char *row_statistic(const mn_validation_row *r)
{
    return r->study->endpoints[r->endpoint].quantity == MN_EVIDENCE_COMPARISON
               ? " (paired t: the published direction and p as a t statistic)"
               : "";
}

static const char *row_endpoint(const mn_validation_row *r)
{
    return r->study->endpoints[r->endpoint].id;
}

/* The published time point in words: "day 84", "3 months after the last session". */
static void row_time(const mn_validation_row *r, char *buf, size_t n)
{
    const mn_evidence_timepoint *tp = &r->study->endpoints[r->endpoint].timepoints[r->timepoint];
    switch (tp->time) {
    case MN_EVIDENCE_TIME_FROM_FIRST:
        snprintf(buf, n, "day %.0f", tp->time_value);
        break;
    case MN_EVIDENCE_TIME_AFTER_LAST:
        snprintf(buf, n, "%.0f d after last", tp->time_value);
        break;
    case MN_EVIDENCE_TIME_HOURS_AFTER_LAST:
        snprintf(buf, n, "%.0f h after last", tp->time_value);
        break;
    case MN_EVIDENCE_TIME_NONE:
        snprintf(buf, n, "duration");
        break;
    default:
        snprintf(buf, n, "not stated");
    }
}

/* The coverage aimed at: a 90 % interval should hold about 90 % of honest observations; 80 %
 * leaves room for the studies' own reporting quirks. */
#define VALIDATE_AIM_PCT 80.0
/* Who the virtual patients of a validation trial are (src/evidence/observe.c: one parameter
 * draw per virtual trial from healing/draws.c, one variability draw per patient). */
#define VALIDATION_PEOPLE_REST                                                                     \
    "one draw of the study's responsiveness with that draw's between-study spread (study_sd_log; " \
    "docs/models/observation.md, Between studies), and each of its patients one draw of the "      \
    "between-person variability, from the study's population"
#define VALIDATION_NO_SPREAD                                                                       \
    ". The draws carry no spread between studies (study_sd_log is 0 in every one): the intervals " \
    "hold the parameters' uncertainty, the spread between patients, the rater's noise and the "    \
    "trial's sampling, and nothing for the ways studies differ (raters, technique, devices, "      \
    "enrolment)"

/* The largest between-study spread (study_sd_log) over the draws the validation used: the
 * bundled posterior or v->posterior_file; 0 when the draws do not carry it (or cannot be read
 * again, which validate itself would have refused). */
static double largest_study_spread(mn_ctx *ctx, const mn_validation *v)
{
    mn_posterior *p = NULL;
    if (mn_posterior_load(ctx, v->posterior_file, &p) != MN_OK)
        return 0.0;
    double top = 0.0;
    int j = mn_posterior_param_find(p, "study_sd_log");
    for (int k = 0; j >= 0 && k < mn_posterior_draw_count(p); k++)
        if (mn_posterior_value(p, k, j) > top)
            top = mn_posterior_value(p, k, j);
    mn_posterior_free(p);
    return top;
}

/* Who the virtual people are, naming where the parameter draws came from and whether they
 * carry a spread between studies (@p spread: the largest study_sd_log in them). */
static void validation_people(const mn_validation *v, double spread, char *buf, size_t n)
{
    const char *none = spread > 0 ? "" : VALIDATION_NO_SPREAD;
    if (v->posterior_file)
        snprintf(buf, n,
                 "each virtual trial takes one draw of the model's parameters from the posterior "
                 "file `%s` (not the bundled one), %s%s",
                 v->posterior_file, VALIDATION_PEOPLE_REST, none);
    else
        snprintf(buf, n,
                 "each virtual trial takes one draw of the model's parameters from the bundled "
                 "posterior (fitted to the calibration studies `mneedle evidence` lists), %s%s",
                 VALIDATION_PEOPLE_REST, none);
}

/* A row whose study published only a range (a duration, "3-6 hours"): its observed value is
 * the range, and it agrees when the interval meets it (validate.c). */
static int published_range(const mn_validation_row *r)
{
    const mn_evidence_timepoint *tp = &r->study->endpoints[r->endpoint].timepoints[r->timepoint];
    return r->pred.applies && !r->pred.counted && (tp->have & MN_EVIDENCE_HAVE_RANGE) &&
           !(tp->have & (MN_EVIDENCE_HAVE_MEAN | MN_EVIDENCE_HAVE_MEDIAN | MN_EVIDENCE_HAVE_VALUE));
}

static double coverage_pct(const mn_validation *v)
{
    return v->n_checked ? 100.0 * v->n_inside / v->n_checked : 0.0;
}

/* Which way is better for the quantity a row compares: a fall, an improvement or a share of
 * responders is better higher, a count of events lower; a level, a change, a difference or a
 * comparison follows the record's direction (which way the scale improves); 0 when none. */
static int better_way(const mn_validation_row *r)
{
    const mn_evidence_endpoint *e = &r->study->endpoints[r->endpoint];
    switch (e->quantity) {
    case MN_EVIDENCE_REDUCTION:
    case MN_EVIDENCE_PCT_REDUCTION:
    case MN_EVIDENCE_IMPROVEMENT:
    case MN_EVIDENCE_RESPONDERS:
        return 1;
    case MN_EVIDENCE_EVENTS:
        return -1;
    default:
        return e->direction;
    }
}

/* A missed row's published result against its interval: 1 better than the interval (the
 * model promised less than was found), -1 worse (it promised more), 0 no direction or inside. */
static int miss_side(const mn_validation_row *r)
{
    if (!r->pred.applies || r->inside)
        return 0;
    const mn_evidence_timepoint *tp = &r->study->endpoints[r->endpoint].timepoints[r->timepoint];
    double seen = published_range(r) ? 0.5 * (tp->range[0] + tp->range[1]) : r->pred.observed;
    int above = seen > r->pred.hi;
    return better_way(r) * (above ? 1 : -1);
}

/* The misses' sides: @p worse, @p better, @p none (no direction). */
static void miss_sides(const mn_validation *v, int *worse, int *better, int *none)
{
    *worse = *better = *none = 0;
    for (int i = 0; i < v->n_rows; i++) {
        const mn_validation_row *r = &v->rows[i];
        if (!r->pred.applies || r->inside)
            continue;
        int side = miss_side(r);
        *worse += side < 0;
        *better += side > 0;
        *none += side == 0;
    }
}

/* Efficacy: what a course does to the skin (histology, clinical scales, depth or pass
 * comparisons); the other families (PIH counts, redness, channel closure) are safety and
 * recovery. */
static int efficacy_row(const mn_validation_row *r)
{
    mn_evidence_family f = r->study->endpoints[r->endpoint].family;
    return f == MN_EVIDENCE_HISTOLOGY || f == MN_EVIDENCE_CLINICAL_SCALE ||
           f == MN_EVIDENCE_DEPTH_COMPARISON;
}

/* A weak check: a study that published no events, against an interval that starts at none,
 * holds for any small enough rate, so it says little about the model. */
static int weak_row(const mn_validation_row *r)
{
    return r->pred.applies && r->inside &&
           r->study->endpoints[r->endpoint].quantity == MN_EVIDENCE_EVENTS &&
           r->pred.observed <= 0 && r->pred.lo <= 0;
}

/* How the checked rows split: by kind, weak checks, and how many studies they come from (the
 * rows of one study are not independent checks). */
typedef struct {
    int studies; /* studies with at least one checked row */
    int efficacy_checked, efficacy_inside;
    int weak; /* weak_row() */
} coverage_split;

/* Whether row @p i is the first checked row of its study. */
static int first_of_study(const mn_validation *v, int i)
{
    for (int k = 0; k < i; k++)
        if (v->rows[k].pred.applies && v->rows[k].study == v->rows[i].study)
            return 0;
    return 1;
}

static void split_coverage(const mn_validation *v, coverage_split *c)
{
    memset(c, 0, sizeof *c);
    for (int i = 0; i < v->n_rows; i++) {
        const mn_validation_row *r = &v->rows[i];
        if (!r->pred.applies)
            continue;
        c->studies += first_of_study(v, i);
        if (efficacy_row(r)) {
            c->efficacy_checked++;
            c->efficacy_inside += r->inside;
        }
        c->weak += weak_row(r);
    }
}

/* Row @p i's study's checked and inside rows. */
static void study_coverage(const mn_validation *v, int i, int *checked, int *inside)
{
    *checked = *inside = 0;
    for (int k = 0; k < v->n_rows; k++)
        if (v->rows[k].pred.applies && v->rows[k].study == v->rows[i].study) {
            (*checked)++;
            *inside += v->rows[k].inside;
        }
}

static json_t *validation_json(const mn_evidence *ev, const mn_validation *v, double spread,
                               mn__jout *j)
{
    json_t *root = json_object();
    mn__jput_str(j, root, "version", mn_version());
    json_t *studies = mn__jput(j, root, "studies", json_array());
    for (size_t i = 0; i < mn_evidence_count(ev); i++) {
        const mn_evidence_study *s = mn_evidence_at(ev, i);
        if (s->role != MN_EVIDENCE_VALIDATION)
            continue;
        json_t *o = mn__jpush(j, studies, json_object());
        mn__jput_str(j, o, "id", s->id);
        mn__jput_str(j, o, "citation", s->citation);
        mn__jput_bool(j, o, "user", s->user);
    }
    json_t *eps = mn__jput(j, root, "endpoints", json_array());
    json_t *skipped = mn__jput(j, root, "not_checked", json_array());
    char when[64];
    for (int i = 0; i < v->n_rows; i++) {
        const mn_validation_row *r = &v->rows[i];
        row_time(r, when, sizeof when);
        json_t *o = mn__jpush(j, r->pred.applies ? eps : skipped, json_object());
        mn__jput_str(j, o, "study", r->study->id);
        mn__jput_str(j, o, "endpoint", row_endpoint(r));
        mn__jput_str(j, o, "scale", row_scale(r));
        mn__jput_str(j, o, "time", when);
        if (r->study->endpoints[r->endpoint].quantity == MN_EVIDENCE_COMPARISON)
            mn__jput_str(j, o, "statistic", "paired_t");
        if (!r->pred.applies) {
            mn__jput_str(j, o, "why", r->pred.why_not);
            continue;
        }
        mn__jput_int(j, o, "day", r->pred.day);
        mn__jput_int(j, o, "n", r->pred.n);
        mn__jput_num(j, o, "observed", r->pred.observed);
        const mn_evidence_timepoint *tp =
            &r->study->endpoints[r->endpoint].timepoints[r->timepoint];
        if ((tp->have & MN_EVIDENCE_HAVE_VALUE) && !r->pred.counted &&
            !(tp->have & (MN_EVIDENCE_HAVE_MEAN | MN_EVIDENCE_HAVE_MEDIAN)) &&
            tp->bound != MN_EVIDENCE_EXACT)
            mn__jput_str(j, o, "bound", tp->bound == MN_EVIDENCE_AT_MOST ? "at_most" : "at_least");
        if (published_range(r)) {
            json_t *rg = mn__jput(j, o, "range", json_array());
            mn__jpush(j, rg, mn__jnum_new(j, tp->range[0]));
            mn__jpush(j, rg, mn__jnum_new(j, tp->range[1]));
        }
        json_t *p = mn__jput(j, o, "predicted", json_object());
        mn__jput_num(j, p, "median", r->pred.median);
        mn__jput_num(j, p, "low", r->pred.lo);
        mn__jput_num(j, p, "high", r->pred.hi);
        mn__jput_bool(j, o, "inside", r->inside);
        mn__jput_str(j, o, "kind", efficacy_row(r) ? "efficacy" : "safety");
        mn__jput_bool(j, o, "weak", weak_row(r));
    }
    if (v->n_checked)
        mn__jput_num(j, root, "coverage", v->n_inside / (double)v->n_checked);
    else
        mn__jput(j, root, "coverage", json_null());
    int worse, better, none;
    miss_sides(v, &worse, &better, &none);
    json_t *misses = mn__jput(j, root, "misses", json_object());
    mn__jput_int(j, misses, "worse", worse);
    mn__jput_int(j, misses, "better", better);
    mn__jput_int(j, misses, "no_direction", none);
    mn__jput_int(j, root, "checked", v->n_checked);
    mn__jput_int(j, root, "inside", v->n_inside);
    coverage_split c;
    split_coverage(v, &c);
    mn__jput_int(j, root, "studies_checked", c.studies);
    json_t *eff = mn__jput(j, root, "efficacy", json_object());
    mn__jput_int(j, eff, "checked", c.efficacy_checked);
    mn__jput_int(j, eff, "inside", c.efficacy_inside);
    mn__jput_int(j, root, "weak", c.weak);
    json_t *by = mn__jput(j, root, "by_study", json_array());
    for (int i = 0; i < v->n_rows; i++) {
        if (!v->rows[i].pred.applies || !first_of_study(v, i))
            continue;
        int sc, si;
        study_coverage(v, i, &sc, &si);
        json_t *o = mn__jpush(j, by, json_object());
        mn__jput_str(j, o, "study", v->rows[i].study->id);
        mn__jput_int(j, o, "checked", sc);
        mn__jput_int(j, o, "inside", si);
    }
    mn__jput_num(j, root, "study_sd_log_max", spread);
    mn__jput_int(j, root, "trials", v->n_trials);
    mn__jput_int(j, root, "seed", (long long)v->seed);
    mn__jput_str(j, root, "interval", "90 % (5th-95th percentiles over virtual trials)");
    char people[1024];
    validation_people(v, spread, people, sizeof people);
    mn__jput_str(j, root, "people", people);
    if (v->posterior_file)
        mn__jput_str(j, root, "posterior", v->posterior_file);
    else
        mn__jput(j, root, "posterior", json_null());
    return root;
}

static void validation_text(const mn_evidence *ev, const mn_validation *v, double spread,
                            mn__buf *b)
{
    /* Where the page comes from: the bundled page, or what of one's own went into it. */
    int counts[MN_EVIDENCE_FAMILY_COUNT][2], roles[2], user;
    tally(ev, counts, roles, &user);
    int bundled = !user && !v->posterior_file;
    char origin[512];
    if (bundled)
        snprintf(origin, sizeof origin,
                 "Generated by `mneedle validate` from the bundled evidence base; "
                 "tests/cli/validate.sh checks that this page is the command's output, so it is "
                 "never edited by hand.");
    else {
        char studies[128] = "";
        if (user)
            snprintf(studies, sizeof studies,
                     "%d %s of your own (marked *) beside the bundled evidence base", user,
                     user == 1 ? "study" : "studies");
        snprintf(origin, sizeof origin,
                 "Generated by `mneedle validate` with %s%s%s: not the bundled page "
                 "(docs/validation.md).",
                 studies, user && v->posterior_file ? " and " : "",
                 v->posterior_file ? "the parameter draws of a posterior file of your own, not "
                                     "the bundled fit"
                                   : "");
    }
    mn__buf_printf(
        b,
        "# Validation: the model against studies it was not fitted to\n\n"
        "%s\n\n"
        "Each row is one endpoint of one study declared `validation` (never used to fit the "
        "model; its ROLE in `mneedle evidence`, `studies[].role` under `--json`) at one "
        "published time point. *Predicted* is what the "
        "observation model (docs/models/observation.md) says a trial of the published design "
        "and size would have reported: the median and the 90 %% interval (5th-95th percentiles) "
        "over %d virtual trials (seed %llu), with between-person variability, rater noise and "
        "the sampling noise of the trial's n. *Inside* is yes when the published value lies in "
        "that interval (for a published bound such as \"< 2 days\", when the interval reaches "
        "its side of it). Misses stay in the table.\n\n",
        origin, v->n_trials, (unsigned long long)v->seed);
    char people[1024];
    validation_people(v, spread, people, sizeof people);
    mn__buf_printf(b, "Virtual people: %s.\n\n", people);
    if (v->n_checked)
        mn__buf_printf(b,
                       "**Coverage: %d of %d checked endpoints inside their 90 %% interval "
                       "(%.0f %%)**, over %d validation studies; %d more endpoint time points "
                       "are not checked and are listed after the table, each with its reason.\n\n",
                       v->n_inside, v->n_checked, coverage_pct(v), v->n_studies,
                       v->n_rows - v->n_checked);
    else
        mn__buf_printf(b, "**Coverage: no endpoint could be checked** (%d validation studies).\n\n",
                       v->n_studies);
    coverage_split c;
    split_coverage(v, &c);
    if (v->n_checked) {
        mn__buf_printf(b,
                       "The rows are not independent checks: they come from %d %s, and one study "
                       "gives several time points of one endpoint. By kind: efficacy "
                       "(histology, clinical scales, depth or pass comparisons) %d of %d inside; "
                       "safety and recovery (PIH counts, redness, channel closure) %d of %d.",
                       c.studies, c.studies == 1 ? "study" : "studies", c.efficacy_inside,
                       c.efficacy_checked, v->n_inside - c.efficacy_inside,
                       v->n_checked - c.efficacy_checked);
        if (c.weak)
            mn__buf_printf(b,
                           " %d of the rows inside are weak checks (marked *weak*): the study "
                           "published no events and the interval starts at none, so they hold "
                           "for any small enough rate.",
                           c.weak);
        mn__buf_printf(b, " Per study:\n\n| study | checked | inside |\n|---|---|---|\n");
        for (int i = 0; i < v->n_rows; i++) {
            if (!v->rows[i].pred.applies || !first_of_study(v, i))
                continue;
            int sc, si;
            study_coverage(v, i, &sc, &si);
            mn__buf_printf(b, "| %s%s | %d | %d |\n", v->rows[i].study->id,
                           v->rows[i].study->user ? " *" : "", sc, si);
        }
        mn__buf_printf(b, "\n");
    }
    int worse, better, none;
    miss_sides(v, &worse, &better, &none);
    if (worse + better + none) {
        mn__buf_printf(b,
                       "Of the %d misses, %d published results are worse than the model's "
                       "interval (it promised more than was found) and %d better (it promised "
                       "less)",
                       worse + better + none, worse, better);
        if (none)
            mn__buf_printf(b, "; %d have no direction", none);
        mn__buf_printf(b, ": a fall, an improvement or responders are better higher, adverse "
                          "events lower, a level or a change as its scale improves.\n\n");
    }
    if (v->n_checked && coverage_pct(v) < VALIDATE_AIM_PCT && !bundled)
        mn__buf_printf(b,
                       "The aim is %.0f %%. Below it, the model with these draws does not "
                       "reproduce these studies: every miss is in the table, none is dropped.\n\n",
                       VALIDATE_AIM_PCT);
    else if (v->n_checked && coverage_pct(v) < VALIDATE_AIM_PCT)
        mn__buf_printf(b,
                       "The aim is %.0f %%. Below it, the model as calibrated does not reproduce "
                       "these studies: every miss is in the table, none is dropped, and "
                       "tests/cli/validate.sh holds the coverage at no less than this figure. "
                       "docs/models/observation.md discusses the misses.\n\n",
                       VALIDATE_AIM_PCT);
    mn__buf_printf(b, "| study | endpoint | scale | time | model day | n | observed | predicted "
                      "median | 90 %% interval | inside |\n"
                      "|---|---|---|---|---|---|---|---|---|---|\n");
    char when[64];
    for (int i = 0; i < v->n_rows; i++) {
        const mn_validation_row *r = &v->rows[i];
        if (!r->pred.applies)
            continue;
        row_time(r, when, sizeof when);
        char seen[64];
        const mn_evidence_timepoint *tp =
            &r->study->endpoints[r->endpoint].timepoints[r->timepoint];
        if (published_range(r))
            snprintf(seen, sizeof seen, "%.2f-%.2f", tp->range[0], tp->range[1]);
        else
            snprintf(seen, sizeof seen, "%.2f", r->pred.observed);
        mn__buf_printf(b, "| %s%s | %s | %s%s | %s | %d | %d | %s | %.2f | %.2f-%.2f | %s |\n",
                       r->study->id, r->study->user ? " *" : "", row_endpoint(r), row_scale(r),
                       row_statistic(r), when, r->pred.day, r->pred.n, seen, r->pred.median,
                       r->pred.lo, r->pred.hi,
                       !r->inside    ? "**no**"
                       : weak_row(r) ? "yes, *weak*"
                                     : "yes");
    }
    if (v->n_rows > v->n_checked) {
        mn__buf_printf(
            b, "\n## Not checked\n\nEndpoints of validation studies that no observation model "
               "checks, and why:\n\n| study | endpoint | scale | time "
               "| why |\n|---|---|---|---|---|\n");
        for (int i = 0; i < v->n_rows; i++) {
            const mn_validation_row *r = &v->rows[i];
            if (r->pred.applies)
                continue;
            row_time(r, when, sizeof when);
            mn__buf_printf(b, "| %s%s | %s | %s | %s | %s |\n", r->study->id,
                           r->study->user ? " *" : "", row_endpoint(r), row_scale(r), when,
                           r->pred.why_not ? r->pred.why_not : "");
        }
    }
}

mn_status mn_validation_write(mn_ctx *ctx, const mn_evidence *ev, const mn_validation *v, int json,
                              mn_writer write, void *userdata)
{
    if (!ev || !v || !write)
        return mn__error(ctx, MN_EINVAL, "mn_validation_write: NULL argument");
    if (json) {
        mn__jout j;
        mn__jout_init(&j);
        json_t *root = validation_json(ev, v, largest_study_spread(ctx, v), &j);
        return mn__json_finish(ctx, &j, root, "validate", write, userdata);
    }
    mn__buf b;
    mn__buf_init(&b);
    validation_text(ev, v, largest_study_spread(ctx, v), &b);
    return mn__buf_finish(ctx, &b, "validate", write, userdata);
}
