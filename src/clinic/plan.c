/*
 * The plan: depth per zone, one coherent calendar for all concerns, aftercare, logistics,
 * cost and risk notes. The projection and the maintenance interval come from
 * mn__plan_projection() (projection.c).
 *
 * Depth per zone (DESIGN 3.6). The maximum needle length is the smallest of
 *   - the concern's usual range on the face or the body (data/concerns.json),
 *   - the zone's clinic cap (data/sites.json; periorbital and forehead 0.5 mm), raised on a
 *     facial zone whose cap is already 1.5 mm only when the concern names a justified
 *     exception (deep_face_max_mm, deep_reason) and the device is a clinical one, for
 *     phototypes I-III only (MN_DEEP_FACE_BELOW_PHOTOTYPE, device.h: darker skin is held to
 *     the usual 1.5 mm for every concern, limited_by "phototype"),
 *   - the anatomy cap: the longest setting whose effective depth (device.h) stays inside the
 *     dermis of this site, for this age and sex, with a margin of max(150 um, 20% of the
 *     dermis) [ASSUMPTION: a safety margin of the size of the depth-fraction uncertainty,
 *     +/-0.1 x L, at 1.5 mm] (these two: mn_device_depth_caps(), src/device/depth_cap.c),
 *   - for dark phototypes, a concern's own lower cap where its catalogue entry names one
 *     (dark_phototype_max_mm from dark_phototype_from: melasma, 1.0 mm for phototypes V-VI,
 *     darker than any melasma study in the evidence base treated),
 *   - the device's range,
 * snapped down to the device's setting grid. Treatment starts at the low end and titrates up,
 * rising by at most MN_PLAN_RISE_MM per course visit (MN_PLAN_RISE_GENTLE_MM for a pigment
 * concern or a finding that asks for it: clinic.h), so a short course may end below the
 * maximum, and the zone's line says so.
 *
 * Calendar. Each zone follows one track: its interval is the longest usual interval of the
 * concerns treated there (never below their minimum intervals) and its course length the
 * largest of their session counts for the stated severity (mild: fewest, severe: most).
 * Zones on the same track share sessions; tracks merge into visits by date. A date that falls
 * on a Sunday moves to the Monday, and each date is computed from the previous *actual* date,
 * so no gap ever shrinks below the track's interval.
 *
 * Logistics. Numbing cream 60 min before treatment: the cream the plan is read for is EMLA
 * (lidocaine 2.5 % and prilocaine 2.5 %; data/rules.json reads its SmPC for the allergy, G6PD and
 * antiarrhythmic rules), whose labels give at least 1 hour under an occlusive dressing for minor
 * dermal procedures (EU SmPC section 4.2; US label of lidocaine and prilocaine cream, Dosage and
 * Administration) and at least 2 hours for larger areas such as split-skin grafting, so the hour
 * is the least, not a comfortable margin (the seed articles 001 and 004 mention numbing but give
 * no time). On at most MN_PLAN_NUMBING_MAX_CM2 at a time (EMLA's SmPC,
 * include/mneedle/clinic.h), and none when a finding rules the cream out; treatment 10 min of
 * preparation plus 1.8 s per cm2 per pass, derived from a full face (~276 cm2 in data/sites.json)
 * at 3 passes taking 20-30 min (seed article 004, a pen). A roller's drum sweeps a wider track than
 * a pen's head in one stroke of the hand, so a roller pass takes that time scaled by the pen's
 * track width over the drum's: 6 mm (data/devices.json head_width_mm of the pens the 20-30 min is
 * read for) over 20 mm (F45a) gives 0.54 s per cm2 per pass [ASSUMPTION: the same hand speed and
 * the same time between strokes]. A full face at a roller's 15 passes then takes about 37 min,
 * inside the "30 minutes to an hour" of seed article 001 for a roller or a pen session.
 *
 * Passes. A pen (or stamp) makes the concern's usual passes (data/concerns.json, 2-3); a
 * roller makes its own (data/devices.json passes, 15 for the rollers: F46a), the count at
 * which the roller studies the healing model reads were done: a roller at a pen's 3 passes
 * would open a fifth of the punctures those studies did.
 */
#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "clinic/plan_internal.h"
#include "core/consts.h"
#include "core/internal.h"
#include "healing/healing_internal.h"
#include "mneedle/device.h"
#include "mneedle/evidence.h"
#include "mneedle/healing.h"

#define MN_NUMBING_MIN      60.0
#define MN_PREP_MIN         10.0
#define MN_MIN_PER_CM2_PASS (1.8 / 60.0)
#define MN_PEN_TRACK_MM     6.0 /* the track of MN_MIN_PER_CM2_PASS (above) */
#define MN_MAX_TRACKS       16
/* No two maintenance visits closer than this: a maintenance visit falling due up to this many
 * days after another visit is brought forward into it. 28 days is the longest minimum interval
 * between sessions of any concern (data/concerns.json: scars, striae, laxity) and about one
 * epidermal renewal cycle; maintenance tops up collagen on a scale of 3-12 months (DESIGN 3.5),
 * so bringing it forward by up to 4 weeks costs little of its effect, and the client is not
 * asked back twice in one month [ASSUMED]. */
#define MN_MAINTENANCE_GAP_DAYS 28
/* Aftercare items that hold "until the next session" (data/aftercare.json: day_to -1) run until
 * the zone is treated again: each zone's shortest gap between the sessions that treat it, the
 * longest of these over the zones (so a neck treated monthly keeps its 4 weeks when the scalp
 * is treated weekly), and at most this many days (so also when a zone has only one session):
 * four weeks, the usual interval between course sessions (data/concerns.json: interval_days 28
 * for all but one concern) [ASSUMED]. */
#define MN_AFTERCARE_SINGLE_VISIT_DAYS 28
/* A course session may wait for a visit already booked up to this fraction of its interval
 * later: course intervals are given as ranges such as 4-6 weeks (DESIGN 3.5), the usual
 * interval plus half of it; a later session never shortens a gap [ASSUMED]. */
#define MN_COURSE_DELAY_FRACTION 0.5
/* Maintenance visits and cost per year are counted over this many years of the merged
 * maintenance calendar, starting a year after the course (the steady state, whatever the
 * horizon). */
#define MN_STEADY_YEARS 10
#define MN_MAX_VISITS   4096

void mn_plan_options_init(mn_plan_options *opts)
{
    opts->years = 2;
    opts->target_fraction = MN_MAINTENANCE_TARGET_FRACTION;
    opts->has_prepared = 0;
    opts->prepared = 0;
    opts->band_draws = MN_PLAN_BAND_DRAWS;
}

int mn_plan_treats(const mn_plan *plan)
{
    assert(plan);
    return plan->screening.decision <= MN_DECISION_CAUTION;
}

const char *mn__plan_nothing_booked_text(const mn_plan *p, char *buf, size_t size)
{
    if (!buf || size == 0)
        return buf;
    size_t k = 0;
    int n = snprintf(buf, size, "No session is booked. Every area you asked about (");
    for (int i = 0; n > 0 && (size_t)n < size - k && i < p->n_zones; i++) {
        k += (size_t)n;
        n = snprintf(buf + k, size - k, "%s%s", i ? ", " : "", p->zones[i].zone->name);
    }
    if (n > 0 && (size_t)n < size - k) {
        k += (size_t)n;
        snprintf(buf + k, size - k,
                 ") allows less than half the needle length the studies of its concern used: "
                 "the evidence does not reach that depth, so we make no projection there (each "
                 "area's line says why). So this plan has no visits, no aftercare and no charge. "
                 "Ask us about other ways to treat %s.",
                 p->n_zones == 1 ? "it" : "them");
    }
    return buf;
}

int mn_plan_books(const mn_plan *plan)
{
    assert(plan);
    if (!mn_plan_treats(plan))
        return 0;
    for (int i = 0; i < plan->n_zones; i++)
        if (!plan->zones[i].not_booked)
            return 1;
    return 0;
}

void mn_plan_free(mn_plan *plan)
{
    if (!plan)
        return;
    mn__free(plan->zones);
    mn__free(plan->sessions);
    mn__free(plan->settings);
    mn__free(plan->aftercare);
    mn__free(plan->pretreatment);
    mn__free(plan->projection);
    mn__plan_zone_projections_release(plan);
    mn__free(plan);
}

/* Whether a finding's rule applies to this zone: a rule without zones applies to every zone. */
static int rule_covers(const mn_rule *r, const mn_site *site)
{
    if (r->n_zones == 0)
        return 1;
    for (int k = 0; k < r->n_zones; k++)
        if (!strcmp(r->zones[k], site->id))
            return 1;
    return 0;
}

/* Appends to the text in @p buf (@p n bytes), cutting it at the end of the buffer. */
static void add(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(char *buf, size_t n, const char *fmt, ...)
{
    size_t len = strlen(buf);
    if (len + 1 >= n)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + len, n - len, fmt, ap);
    va_end(ap);
}

/* Appends the reasons of the findings that changed @p z ("you take blood thinners (...) and
 * darker skin marks more easily (...)") to @p buf: the adjusted line and a zone not booked for
 * them say the same words. Each is the reason the block gives for the zone's concern
 * (mn_rule_adjust_reason_for(): its concern_reasons, data/rules.json). */
static void add_adjust_reasons(char *buf, size_t n, const mn_plan_zone *z)
{
    for (int k = 0; k < z->n_adjusted_by; k++)
        add(buf, n, "%s%s",
            k == 0                     ? ""
            : k + 1 < z->n_adjusted_by ? ", "
                                       : " and ",
            mn_rule_adjust_reason_for(&z->adjusted_by[k]->adjust, z->concern));
}

/* Applies the adjust blocks of the findings that fire for this zone (data/rules.json): one
 * mechanism for every rule. The blocks' changes add up and are applied once to the range the
 * caps chose: the maximum and the start move down by their sums and snap down to a setting the
 * device has; neither goes below the device's shortest setting (the zone keeps it and says
 * so); the start never exceeds the maximum; the course interval grows by the interval sum. */
static void adjust_zone(const mn_screening *scr, const mn_device *dev, mn_plan_zone *z)
{
    double d_start = 0, d_max = 0;
    int d_int = 0;
    z->base_start_mm = z->depth_start_mm;
    z->base_max_mm = z->depth_max_mm;
    for (int i = 0; i < scr->n_findings; i++) {
        const mn_rule *r = scr->findings[i].rule;
        if (!r || !r->adjust.present || !rule_covers(r, z->zone))
            continue;
        int dup = 0;
        for (int k = 0; k < z->n_adjusted_by; k++)
            dup |= z->adjusted_by[k] == r;
        if (dup)
            continue;
        z->adjusted_by[z->n_adjusted_by++] = r;
        d_start += r->adjust.start_mm;
        d_max += r->adjust.max_mm;
        d_int += r->adjust.interval_days;
    }
    if (z->n_adjusted_by == 0)
        return;
    double max = mn_device_snap_down(dev, z->depth_max_mm + d_max);
    double start = mn_device_snap_down(dev, z->depth_start_mm + d_start);
    if (max < 0 || start < 0)
        z->held_at_device_min = d_max < 0 || d_start < 0;
    if (max < 0)
        max = dev->depth_min_mm;
    if (start < 0)
        start = dev->depth_min_mm;
    if (start > max)
        start = max;
    assert(max <= z->depth_max_mm && start <= z->depth_start_mm);
    if (max < z->depth_max_mm)
        z->limited_by = "precautions"; /* the findings' adjustments, not the bound before them */
    z->depth_max_mm = max;
    z->depth_start_mm = start;
    if (z->depth_min_mm > start)
        z->depth_min_mm = start;
    z->interval_add_days = d_int;

    /* In plain words: why, then what changed (cut at the buffer's end, never overrun). */
    char *w = z->adjusted;
    size_t n = sizeof z->adjusted;
    add(w, n, "Gentler settings because ");
    add_adjust_reasons(w, n, z);
    add(w, n, ":");
    /* Only what moved: a zone held at the device's shortest setting may move neither. */
    int start_moved = z->depth_start_mm != z->base_start_mm,
        max_moved = z->depth_max_mm != z->base_max_mm;
    if (start_moved && max_moved)
        add(w, n, " start %.3g mm instead of %.3g mm, at most %.3g mm instead of %.3g mm;",
            z->depth_start_mm, z->base_start_mm, z->depth_max_mm, z->base_max_mm);
    else if (start_moved)
        add(w, n, " start %.3g mm instead of %.3g mm;", z->depth_start_mm, z->base_start_mm);
    else if (max_moved)
        add(w, n, " at most %.3g mm instead of %.3g mm;", z->depth_max_mm, z->base_max_mm);
    if (d_int > 0)
        add(w, n, " %d more days between course sessions;", d_int);
    int gentle = 0;
    for (int k = 0; k < z->n_adjusted_by; k++)
        gentle |= z->adjusted_by[k]->adjust.gentle_rise;
    if (gentle && z->depth_max_mm > z->depth_start_mm + 1e-9) { /* only where it titrates */
        char rise[16];
        add(w, n, " the needle length rises by at most %s mm from one course visit to the next;",
            mn__depth_str(rise, sizeof rise, MN_PLAN_RISE_GENTLE_MM));
    }
    if (z->held_at_device_min)
        add(w, n,
            " %.3g mm is this device's shortest setting, so the zone stays there rather than "
            "going lower;",
            dev->depth_min_mm);
    size_t len = strlen(w);
    if (len > 0 && w[len - 1] == ';')
        w[len - 1] = '.';
}

/* Passes per session for a zone of concern @p cc with @p dev (header: Passes). */
/* The bound a zone's `limited_by` names, in the words of its line ("capped by ..."): the code
 * itself stays in the JSON for software. */
/* Marks zone @p z not booked and gives it the one sentence that says why (mn_plan_zone.why),
 * for both reasons a zone is left out: its maximum (@p holds "zone allows") or its course's
 * reach (@p holds "course would reach") is @p at_mm, less than half the shallowest needle length
 * @p studied_mm any study of its concern used, with @p usual its concern's usual range here.
 * @p held is the parenthesis after the depth (what sets it), @p lowered the findings' reasons
 * ("" or sentences, each led by a space). No study of the concern needled this shallow: absent
 * evidence, not evidence of no effect, so the plan neither projects nor promises a result there
 * and says that much only. A zone's clinic cap is a convention of practice (data/sites.json
 * clinical_max_mm), not a limit the skin sets, and the line calls it one. The first sentence
 * is the reason whole: the clinic record quotes it when a session there is charted
 * (store/records.c). A zone with no session has no settings to offer, so its adjusted line is
 * emptied. */
static void not_booked_why(mn_plan_zone *z, const double *usual, double studied_mm,
                           const char *holds, const char *at_mm, const char *held,
                           const char *lowered)
{
    char lo[16], hi[16], deep[16];
    snprintf(z->why, sizeof z->why,
             "Not booked: %s are usually needled at %s-%s mm here, and the studies of them used "
             "%s mm or deeper; this %s at most %s mm (%s), less than half of that, and no study "
             "of them needled this shallow.%s The evidence does not reach this depth, so we make "
             "no projection for it, book no session for it and charge nothing for it. Ask us "
             "about other ways to treat it.",
             z->concern->name, mn__depth_str(lo, sizeof lo, usual[0]),
             mn__depth_str(hi, sizeof hi, usual[1]), mn__depth_str(deep, sizeof deep, studied_mm),
             holds, at_mm, held, lowered);
    z->not_booked = 1;
    z->adjusted[0] = '\0';
}

static const char *bound_words(const char *limited_by)
{
    return !strcmp(limited_by, "zone")        ? "the clinic limit for this zone"
           : !strcmp(limited_by, "anatomy")   ? "the dermis thickness with a margin"
           : !strcmp(limited_by, "device")    ? "the device's longest setting"
           : !strcmp(limited_by, "phototype") ? "the pigmentation risk in phototypes IV-VI"
           : !strcmp(limited_by, "precautions")
               ? "the findings below that call for gentler settings"
               : "the concern's usual range";
}

static double plan_passes(const mn_device *dev, const mn_concern *cc)
{
    return dev->kind == MN_DEVICE_ROLLER ? dev->passes : cc->passes;
}

/* Minutes of treatment per cm2 per pass with @p dev (header: Logistics). */
static double minutes_per_cm2_pass(const mn_device *dev)
{
    if (dev->kind == MN_DEVICE_ROLLER && dev->drum_width_mm > 0)
        return MN_MIN_PER_CM2_PASS * MN_PEN_TRACK_MM / dev->drum_width_mm;
    return MN_MIN_PER_CM2_PASS;
}

/* Chooses the depth range for one zone of one concern. */
static mn_status plan_zone(mn_ctx *ctx, const mn_client *c, const mn_screening *scr,
                           const mn_concern *cc, const mn_site *site, mn_plan_zone *z)
{
    const mn_device *dev = c->device;
    mn_skin_layers layers;
    mn_status st = mn_skin_layers_at(site, &c->patient, &layers);
    if (st)
        return mn__error(ctx, st, "cannot compute the skin layers of the %s", site->id);
    memset(z, 0, sizeof *z);
    z->zone = site;
    z->concern = cc;
    z->passes = plan_passes(dev, cc);

    const double *usual = site->facial ? cc->face_depth_mm : cc->body_depth_mm;
    /* The zone's and the anatomy's caps (device.h), shared with the commands that warn when
     * a needle length given to them is beyond these. */
    mn_depth_caps caps;
    if ((st = mn_device_depth_caps(dev, site, &c->patient, cc, &caps)))
        return mn__error(ctx, st, "cannot compute the depth caps of the %s", site->id);
    double zone_cap = caps.zone_mm;
    int exception = caps.deep_face_exception;
    double usual_max = exception ? cc->deep_face_max_mm : usual[1];
    double dermis = mn_skin_dermis_um(&layers);
    z->anatomy_cap_mm = caps.anatomy_mm;

    double max = usual_max;
    z->limited_by = "concern";
    if (zone_cap < max) {
        max = zone_cap;
        z->limited_by = "zone";
    }
    if (caps.deep_face_withheld && zone_cap <= max) {
        max = zone_cap; /* the exception would have raised it: the phototype held it */
        z->limited_by = "phototype";
    }
    int dark_capped = 0;
    if (cc->dark_phototype_max_mm > 0 && c->patient.fitzpatrick >= cc->dark_phototype_from &&
        cc->dark_phototype_max_mm < max) {
        max = cc->dark_phototype_max_mm;
        z->limited_by = "phototype";
        dark_capped = 1;
    }
    if (z->anatomy_cap_mm < max) {
        max = z->anatomy_cap_mm;
        z->limited_by = "anatomy";
    }
    if (dev->depth_max_mm < max) {
        max = dev->depth_max_mm;
        z->limited_by = "device";
    }
    double snapped = mn_device_snap_down(dev, max);
    if (snapped < 0)
        return mn__error(ctx, MN_ERANGE,
                         "the %s cannot be needled safely with the %s: its shortest setting "
                         "(%.2f mm) reaches deeper than the %.2f mm this zone allows (%s limit)",
                         site->id, dev->name, dev->depth_min_mm, max, z->limited_by);
    z->depth_max_mm = snapped;
    double want = fmax(usual[0], dev->depth_min_mm);
    double min = want > z->depth_max_mm ? -1 : mn_device_snap_up(dev, want);
    int collapsed = 0;
    if (min < 0 || min > z->depth_max_mm) {
        min = z->depth_max_mm;
        collapsed = 1;
    }
    z->depth_min_mm = min;
    z->depth_start_mm = min;
    z->base_limited_by = z->limited_by;
    adjust_zone(scr, dev, z);
    z->effective_depth_um = mn_device_effective_depth_um(dev, z->depth_start_mm, &layers);
    z->effective_depth_max_um = mn_device_effective_depth_um(dev, z->depth_max_mm, &layers);

    int n;
    if (!strcmp(z->base_limited_by, "phototype") && !dark_capped)
        /* Said even when a finding then lowers the maximum further (the note below says how). */
        n = snprintf(z->why, sizeof z->why,
                     "%s usually %.3g-%.3g mm here; the %.3g mm allowed on this zone for lighter "
                     "skin is not used for phototypes IV-VI: the studies in darker skin we found "
                     "used at most %.3g mm, and deeper needling raises the risk of dark marks. At "
                     "%.3g mm the channels "
                     "reach about %.0f um, inside %.0f um of epidermis and dermis.",
                     cc->name, usual[0], usual[1], cc->deep_face_max_mm, MN_FACE_DEFAULT_MAX_MM,
                     z->depth_max_mm, z->effective_depth_max_um,
                     mn_skin_epidermis_um(&layers) + dermis);
    else if (!strcmp(z->base_limited_by, "phototype"))
        n = snprintf(z->why, sizeof z->why,
                     "%s usually %.3g-%.3g mm here; held to %.3g mm for phototypes %s-VI, "
                     "where deeper needling raises the risk of dark marks%s%s. At %.3g mm the "
                     "channels reach about %.0f um, inside %.0f um of epidermis and dermis.",
                     cc->name, usual[0], usual[1], cc->dark_phototype_max_mm,
                     cc->dark_phototype_from >= 6   ? "VI"
                     : cc->dark_phototype_from == 5 ? "V"
                                                    : "IV",
                     cc->dark_phototype_reason ? " and " : "",
                     cc->dark_phototype_reason ? cc->dark_phototype_reason : "", z->depth_max_mm,
                     z->effective_depth_max_um, mn_skin_epidermis_um(&layers) + dermis);
    else if (exception && z->depth_max_mm > MN_FACE_DEFAULT_MAX_MM)
        n = snprintf(z->why, sizeof z->why,
                     "Above the usual 1.5 mm facial limit because %s; channels reach about "
                     "%.0f um of %.0f um of skin.",
                     cc->deep_reason, z->effective_depth_max_um,
                     mn_skin_epidermis_um(&layers) + dermis);
    else if (zone_cap < usual[0] - 1e-9)
        /* The concern's usual range for the face or the body lies wholly above this zone's
         * clinic limit (laxity at 1.5-2.5 mm on the body, a neck at 1.0 mm): it is not said to
         * be usual here. */
        n = snprintf(z->why, sizeof z->why,
                     "%s: usually %.3g-%.3g mm on %s, deeper than the %.3g mm clinic "
                     "limit for this zone%s%s. At %.3g mm the channels reach "
                     "about %.0f um, inside %.0f um of epidermis and dermis.",
                     cc->name, usual[0], usual[1], site->facial ? "the face" : "thicker body skin",
                     zone_cap, !strcmp(z->limited_by, "zone") ? ", which caps it" : "; capped by ",
                     !strcmp(z->limited_by, "zone") ? "" : bound_words(z->limited_by),
                     z->depth_max_mm, z->effective_depth_max_um,
                     mn_skin_epidermis_um(&layers) + dermis);
    else
        n = snprintf(z->why, sizeof z->why,
                     "%s usually %.3g-%.3g mm here; capped by %s. At %.3g mm the "
                     "channels reach about %.0f um, inside %.0f um of epidermis and dermis.",
                     cc->name, usual[0], usual[1], bound_words(z->limited_by), z->depth_max_mm,
                     z->effective_depth_max_um, mn_skin_epidermis_um(&layers) + dermis);
    if (collapsed && n > 0 && (size_t)n < sizeof z->why)
        snprintf(z->why + n, sizeof z->why - (size_t)n,
                 " The usual range starts deeper than this zone allows, so every session "
                 "stays at %.3g mm.",
                 z->depth_max_mm);
    /* Less than half the shallowest needle length any study of the concern used (the
     * projection's bound, MN_PLAN_PROJECT_MIN_STUDIED_FRACTION, clinic.h), for a concern whose
     * response the collagen model follows: the plan projects nothing there and no study
     * supports a benefit, so the zone is not booked rather than sold a course that cannot be
     * expected to help; the client is told why and that other treatments exist. */
    double studied = -1;
    const char *study = NULL;
    if (mn_concern_projected(cc) &&
        (st = mn_evidence_bundled_shallowest(ctx, cc->id, &studied, &study)))
        return st;
    if (mn_concern_projected(cc) && studied > 0 &&
        z->depth_max_mm < MN_PLAN_PROJECT_MIN_STUDIED_FRACTION * studied - 1e-9) {
        char at[16], base[16], held[160], gentler[480] = "";
        /* Where the findings' gentler settings set the bound, the line says so and why here: a
         * zone with no session has no settings to offer, so its adjusted line is empty. */
        if (!strcmp(z->limited_by, "precautions")) {
            add(gentler, sizeof gentler, " It is lowered because ");
            add_adjust_reasons(gentler, sizeof gentler, z);
            add(gentler, sizeof gentler, ".");
        }
        snprintf(held, sizeof held, "%s%s%s%s",
                 !strcmp(z->base_limited_by, "zone")      ? "the clinic's convention for this area"
                 : !strcmp(z->base_limited_by, "anatomy") ? "the thickness of the skin here"
                 : !strcmp(z->base_limited_by, "device")  ? "the device's longest setting"
                 : !strcmp(z->base_limited_by, "phototype") ? "the limit for darker skin"
                                                            : "the concern's usual range",
                 gentler[0] ? ", " : "",
                 gentler[0] ? mn__depth_str(base, sizeof base, z->base_max_mm) : "",
                 gentler[0] ? " mm, lowered for you" : "");
        not_booked_why(z, usual, studied, "zone allows",
                       mn__depth_str(at, sizeof at, z->depth_max_mm), held, gentler);
    }
    /* A setting past what the device's regulatory evaluation covered is the clinician's
     * decision, and the client is told (data/devices.json evaluated_max_mm). */
    size_t len = strlen(z->why);
    if (dev->evaluated_by && z->depth_max_mm > dev->evaluated_max_mm + 1e-9 &&
        len < sizeof z->why) {
        char at[16];
        snprintf(z->why + len, sizeof z->why - len,
                 " Above %s mm this goes beyond the settings the %s was evaluated at in %s.",
                 mn__depth_str(at, sizeof at, dev->evaluated_max_mm), dev->name, dev->evaluated_by);
    }
    return MN_OK;
}

/* One setting per body site: the zones of one site, listed for several concerns, share the
 * safer of their maxima (its concern sets the site's setting) and the deeper of their starts,
 * held within that maximum. A zone not booked sets nothing for the booked ones. */
static void site_settings(mn_plan *p)
{
    for (int i = 0; i < p->n_zones; i++) {
        mn_plan_zone *z = &p->zones[i];
        const mn_plan_zone *cap = NULL;
        double start = z->depth_start_mm;
        for (int k = 0; k < p->n_zones; k++) {
            const mn_plan_zone *o = &p->zones[k];
            if (o->zone != z->zone || (o->not_booked && !z->not_booked))
                continue;
            if (!cap || o->depth_max_mm < cap->depth_max_mm)
                cap = o;
            start = fmax(start, o->depth_start_mm);
        }
        assert(cap); /* z itself has its site */
        /* The gentler rise where any booked concern of the site or any finding that adjusts one
         * of its zones asks for it (clinic.h MN_PLAN_RISE_GENTLE_MM). */
        int gentle = 0;
        for (int k = 0; k < p->n_zones; k++) {
            const mn_plan_zone *o = &p->zones[k];
            if (o->zone != z->zone || (o->not_booked && !z->not_booked))
                continue;
            gentle |= o->concern->gentle_rise;
            for (int r = 0; r < o->n_adjusted_by; r++)
                gentle |= o->adjusted_by[r]->adjust.gentle_rise;
        }
        z->rise_mm = gentle ? MN_PLAN_RISE_GENTLE_MM : MN_PLAN_RISE_MM;
        z->site_max_mm = cap->depth_max_mm;
        z->site_start_mm = fmin(start, cap->depth_max_mm);
        z->set_by = cap->concern;
        z->site_passes = cap->passes;
    }
}

int mn__plan_site_shared(const mn_plan *p, int i)
{
    if (p->zones[i].not_booked)
        return 0;
    for (int k = 0; k < p->n_zones; k++)
        if (k != i && p->zones[k].zone == p->zones[i].zone && !p->zones[k].not_booked)
            return 1;
    return 0;
}

/* The needle length of course session @p step (1-based) of @p n: evenly from @p start to
 * @p max over the course, but at most @p rise above the session before, snapped down to the
 * device's grid, so never past the maximum, never below the session before and never more
 * than @p rise above it; a one-session course stays at the start, and a course too short to
 * reach the maximum at that pace ends below it. */
static double titrate(const mn_device *d, double start, double max, double rise, int step, int n)
{
    assert(start <= max + 1e-9 && step >= 1 && step <= n && rise > 0);
    double v = start;
    for (int k = 2; k <= step; k++) {
        double want = start + (max - start) * (double)(k - 1) / (double)(n - 1);
        if (want > v + rise)
            want = v + rise;
        double next = mn_device_snap_down(d, want); /* on the grid, never above want */
        if (next > v + rise + 1e-6)
            next = v; /* defensive: never more than the rise */
        if (next > max)
            next = max;
        if (next > v)
            v = next;
    }
    return v;
}

static int course_sessions(const mn_client_concern *cc)
{
    return cc->grade == MN_SEVERITY_MILD     ? cc->concern->sessions_min
           : cc->grade == MN_SEVERITY_SEVERE ? cc->concern->sessions_max
                                             : cc->concern->sessions_default;
}

/* Course sessions of plan zone @p i's site: the most any booked concern of the site asks for
 * (build_tracks keys the site's schedule the same way). */
static int site_course_sessions(const mn_plan *p, int i)
{
    const mn_site *site = p->zones[i].zone;
    int sessions = 0, pz = 0; /* plan zones follow the client's concerns and their zones */
    for (int k = 0; k < p->client.n_concerns; k++) {
        const mn_client_concern *cc = &p->client.concerns[k];
        for (int z = 0; z < cc->n_zones; z++, pz++)
            if (cc->zones[z] == site && !p->zones[pz].not_booked && course_sessions(cc) > sessions)
                sessions = course_sessions(cc);
    }
    return sessions;
}

/* The not-booked rule (plan_zone) read on what the course reaches, not only on the zone's
 * maximum: the needle length rises by at most rise_mm a visit from the site's start (clinic.h
 * MN_PLAN_RISE_MM), so a short course that starts low can end below half the studies' needle
 * length though its maximum is above it. The projection reads the course's deepest setting
 * (projection.c, below_studied_depth), so such a zone would be booked and charged with no
 * figure and no study behind it, the case the rule exists for. Unbooking a zone can move its
 * site's shared setting, so the sites are settled again and the zones read again until none
 * changes (each round unbooks one zone, so it ends). */
static mn_status unbook_short_courses(mn_ctx *ctx, mn_plan *p)
{
    const mn_device *dev = p->client.device;
    for (int changed = 1; changed;) {
        changed = 0;
        for (int i = 0; i < p->n_zones && !changed; i++) {
            mn_plan_zone *z = &p->zones[i];
            int n = site_course_sessions(p, i);
            if (z->not_booked || !mn_concern_projected(z->concern) || n < 1)
                continue;
            double reach = titrate(dev, z->site_start_mm, z->site_max_mm, z->rise_mm, n, n);
            double studied = -1;
            const char *study = NULL;
            mn_status st = mn_evidence_bundled_shallowest(ctx, z->concern->id, &studied, &study);
            if (st)
                return st;
            if (studied <= 0 || reach >= MN_PLAN_PROJECT_MIN_STUDIED_FRACTION * studied - 1e-9)
                continue;
            const double *usual =
                z->zone->facial ? z->concern->face_depth_mm : z->concern->body_depth_mm;
            char at[16], from[16], rise[16], how[96], lowered[480] = "";
            if (n == 1)
                snprintf(how, sizeof how, "its one session at %s mm",
                         mn__depth_str(from, sizeof from, z->site_start_mm));
            else
                snprintf(how, sizeof how,
                         "from %s mm, rising by at most %s mm a visit over %d "
                         "sessions",
                         mn__depth_str(from, sizeof from, z->site_start_mm),
                         mn__depth_str(rise, sizeof rise, z->rise_mm), n);
            /* The findings' reasons, in the words the maximum's rule gives them where they set
             * the bound, else for the start they lowered. */
            if (z->n_adjusted_by > 0) {
                add(lowered, sizeof lowered,
                    !strcmp(z->limited_by, "precautions") ? " It is lowered because "
                                                          : " Its start is lowered because ");
                add_adjust_reasons(lowered, sizeof lowered, z);
                add(lowered, sizeof lowered, ".");
            }
            not_booked_why(z, usual, studied, "course would reach",
                           mn__depth_str(at, sizeof at, reach), how, lowered);
            changed = 1;
        }
        if (changed)
            site_settings(p);
    }
    return MN_OK;
}

typedef struct {
    int interval_days;
    int sessions;
    int maintenance_days;
    int projected; /* every concern of its zones follows dermal collagen */
    unsigned int zone_mask;
    mn_date course_dates[64];
    int n_course;
    mn_date last;
} track;

mn_date mn_plan_visit_date(mn_date d)
{
    return mn_date_weekday(d) == 6 ? d + 1 : d;
}

static mn_date not_sunday(mn_date d)
{
    return mn_plan_visit_date(d);
}

/* Builds the tracks, one per distinct (interval, sessions, projected) over zones: zones of
 * concerns the model projects keep their own track, whose maintenance it may time. Zones are keyed
 * by site: a site treated for two concerns uses the stricter schedule of the two. A zone not
 * booked joins no track (-1), and its concern does not shape its site's schedule. */
static int build_tracks(const mn_plan *p, track *tracks, int *zone_track)
{
    int n_tracks = 0;
    for (int i = 0; i < p->n_zones; i++) {
        const mn_site *site = p->zones[i].zone;
        int interval = 0, sessions = 0, maint = 100000, projected = 1;
        zone_track[i] = -1;
        if (p->zones[i].not_booked)
            continue;
        int pz = 0; /* plan zones follow the client's concerns and their zones in order */
        for (int k = 0; k < p->client.n_concerns; k++) {
            const mn_client_concern *cc = &p->client.concerns[k];
            for (int z = 0; z < cc->n_zones; z++, pz++)
                if (cc->zones[z] == site && !p->zones[pz].not_booked) {
                    int iv = cc->concern->interval_days;
                    if (cc->concern->min_interval_days > iv)
                        iv = cc->concern->min_interval_days;
                    if (iv > interval)
                        interval = iv;
                    if (course_sessions(cc) > sessions)
                        sessions = course_sessions(cc);
                    if (cc->concern->maintenance_days < maint)
                        maint = cc->concern->maintenance_days;
                    projected &= mn_concern_projected(cc->concern);
                }
        }
        interval += p->zones[i].interval_add_days; /* the findings' adjust blocks */
        int t;
        for (t = 0; t < n_tracks; t++)
            if (tracks[t].interval_days == interval && tracks[t].sessions == sessions &&
                tracks[t].projected == projected)
                break;
        if (t == n_tracks) {
            if (n_tracks == MN_MAX_TRACKS)
                return -1;
            memset(&tracks[t], 0, sizeof tracks[t]);
            tracks[t].interval_days = interval;
            tracks[t].sessions = sessions;
            tracks[t].maintenance_days = maint;
            tracks[t].projected = projected;
            n_tracks++;
        }
        if (maint < tracks[t].maintenance_days)
            tracks[t].maintenance_days = maint;
        tracks[t].zone_mask |= 1u << i;
        zone_track[i] = t;
    }
    return n_tracks;
}

typedef struct {
    mn_date date;
    unsigned int zone_mask;
    unsigned int course_mask; /* the zones for which this is a course session */
    int course;
} visit;

/* A track's maintenance interval: the model's when it set the plan's; else, for a track
 * whose concerns all follow dermal collagen, the model's own interval for them when it made
 * one (a concern it does not project, such as hair loss, set the plan's shorter interval for
 * its own zones only); else the track's concerns' default bounded to 90-365 days (clinics:
 * every 3-12 months, DESIGN 3.5). */
static int track_maintenance(const mn_plan *p, const track *tr)
{
    if (p->maintenance_from_model)
        return p->maintenance_interval_days;
    if (tr->projected && p->lasting_interval_days > 0)
        return p->lasting_interval_days;
    int d = tr->maintenance_days;
    return d < MN_MAINTENANCE_MIN_DAYS   ? MN_MAINTENANCE_MIN_DAYS
           : d > MN_MAINTENANCE_MAX_DAYS ? MN_MAINTENANCE_MAX_DAYS
                                         : d;
}

static int add_visit(visit *v, int *n, mn_date date, unsigned int mask, int course)
{
    for (int i = 0; i < *n; i++)
        if (v[i].date == date) {
            v[i].zone_mask |= mask;
            v[i].course_mask |= course ? mask : 0;
            v[i].course |= course;
            return 0;
        }
    if (*n >= MN_MAX_VISITS)
        return -1;
    v[*n].date = date;
    v[*n].zone_mask = mask;
    v[*n].course_mask = course ? mask : 0;
    v[*n].course = course;
    (*n)++;
    return 0;
}

/* The zones of @p zone_mask a visit treats: a site listed for two concerns is treated once
 * per visit, as its first plan zone. */
static unsigned int site_mask(const mn_plan *p, unsigned int zone_mask)
{
    unsigned int sites = 0;
    for (int z = 0; z < p->n_zones; z++)
        if (zone_mask & (1u << z)) {
            int dup = 0;
            for (int k = 0; k < z; k++)
                if ((zone_mask & (1u << k)) && p->zones[k].zone == p->zones[z].zone)
                    dup = 1;
            if (!dup)
                sites |= 1u << z;
        }
    return sites;
}

/* A track's maintenance interval: never shorter than its course interval. */
static int track_interval(const mn_plan *p, const track *tr)
{
    int m = track_maintenance(p, tr);
    return m < tr->interval_days ? tr->interval_days : m;
}

/* The price of a visit that treats the zones of @p site_mask (one per site), as clinics
 * price: each zone at its own price (clinic.prices), the zones without one at their group's
 * price (face, body) once per visit, and price_per_session once for the zones left. */
static double visit_price(const mn_plan *p, unsigned int site_mask)
{
    const mn_client *c = &p->client;
    if (c->n_prices == 0 && !c->has_face_price && !c->has_body_price)
        return c->price_per_session;
    double sum = 0;
    int face = 0, body = 0, rest = 0;
    for (int z = 0; z < p->n_zones; z++) {
        if (!(site_mask & (1u << z)))
            continue;
        const mn_site *site = p->zones[z].zone;
        int own = 0;
        for (int i = 0; i < c->n_prices && !own; i++)
            if (c->prices[i].site == site) {
                sum += c->prices[i].price;
                own = 1;
            }
        if (own)
            continue;
        if (site->facial && c->has_face_price)
            face = 1;
        else if (!site->facial && c->has_body_price)
            body = 1;
        else
            rest = 1;
    }
    return sum + (face ? c->face_price : 0) + (body ? c->body_price : 0) +
           (rest ? c->price_per_session : 0);
}

/* Books every track's maintenance from its last course session up to @p until on one calendar:
 * the earliest-due track sets the date, or a visit already booked up to
 * MN_MAINTENANCE_GAP_DAYS earlier takes it along; every other track due within
 * MN_MAINTENANCE_GAP_DAYS of that date comes forward into it; each track's next visit counts
 * from the date it actually had. So no maintenance falls due later than its interval, and no
 * two maintenance-only visits are closer than MN_MAINTENANCE_GAP_DAYS. Returns -1 when the
 * visits do not fit. */
static int book_maintenance(const mn_plan *p, const track *tracks, int n_tracks, visit *v, int *nv,
                            mn_date until)
{
    mn_date due[MN_MAX_TRACKS];
    for (int t = 0; t < n_tracks; t++)
        due[t] = not_sunday(tracks[t].last + track_interval(p, &tracks[t]));
    for (;;) {
        int first = -1;
        for (int t = 0; t < n_tracks; t++)
            if (due[t] <= until && (first < 0 || due[t] < due[first]))
                first = t;
        if (first < 0)
            return 0;
        mn_date at = due[first];
        for (int i = 0; i < *nv; i++)
            if (v[i].date <= due[first] && v[i].date >= due[first] - MN_MAINTENANCE_GAP_DAYS &&
                v[i].date < at)
                at = v[i].date;
        unsigned int mask = 0;
        for (int t = 0; t < n_tracks; t++)
            if (due[t] <= until && due[t] <= at + MN_MAINTENANCE_GAP_DAYS) {
                mask |= tracks[t].zone_mask;
                due[t] = not_sunday(at + track_interval(p, &tracks[t]));
            }
        assert(mask & tracks[first].zone_mask);
        if (add_visit(v, nv, at, mask, 0))
            return -1;
    }
}

/* Maintenance visits and their cost per year in the steady state: the merged maintenance
 * calendar alone over MN_STEADY_YEARS, from a year after the last course session. */
static mn_status steady_maintenance(mn_ctx *ctx, mn_plan *p, const track *tracks, int n_tracks)
{
    mn_date end = 0;
    for (int t = 0; t < n_tracks; t++)
        if (tracks[t].last > end)
            end = tracks[t].last;
    mn_date from = end + MN__DAYS_PER_COMMON_YEAR;
    mn_date until = from + MN_STEADY_YEARS * MN__DAYS_PER_COMMON_YEAR;
    visit *v = mn__calloc(MN_MAX_VISITS, sizeof *v);
    if (!v)
        return mn__error(ctx, MN_ENOMEM, "out of memory scheduling");
    int nv = 0;
    if (book_maintenance(p, tracks, n_tracks, v, &nv, until)) {
        mn__free(v);
        return mn__error(ctx, MN_ELIMIT, "the plan would need more than %d visits", MN_MAX_VISITS);
    }
    int count = 0;
    double cost = 0;
    for (int i = 0; i < nv; i++)
        if (v[i].date >= from && v[i].date < until) {
            count++;
            cost += visit_price(p, site_mask(p, v[i].zone_mask));
        }
    mn__free(v);
    p->maintenance_visits_per_year = (double)count / MN_STEADY_YEARS;
    p->maintenance_per_year = cost / MN_STEADY_YEARS;
    return MN_OK;
}

static mn_status schedule(mn_ctx *ctx, mn_plan *p)
{
    track tracks[MN_MAX_TRACKS];
    int zone_track[32];
    int n_tracks = build_tracks(p, tracks, zone_track);
    if (n_tracks < 0)
        return mn__error(ctx, MN_ELIMIT, "too many different schedules in one plan");
    mn_date horizon = mn_date_add_months(p->client.start, 12 * p->options.years);
    visit *visits = mn__calloc(MN_MAX_VISITS, sizeof *visits);
    if (!visits)
        return mn__error(ctx, MN_ENOMEM, "out of memory scheduling");
    int nv = 0;
    mn_status st = MN_OK;
    /* Courses: every track starts on the first day; a session waits for a visit already
     * booked within MN_COURSE_DELAY_FRACTION of its interval, so tracks share visits. */
    for (int t = 0; t < n_tracks; t++) {
        track *tr = &tracks[t];
        mn_date d = not_sunday(p->client.start);
        for (int s = 0; s < tr->sessions && s < 64; s++) {
            if (s > 0) {
                mn_date due = not_sunday(d + tr->interval_days);
                mn_date latest = due + (int)(MN_COURSE_DELAY_FRACTION * tr->interval_days);
                d = due;
                mn_date host = latest + 1;
                for (int i = 0; i < nv; i++)
                    if (visits[i].date >= due && visits[i].date <= latest && visits[i].date < host)
                        host = visits[i].date;
                if (host <= latest)
                    d = host;
            }
            tr->course_dates[tr->n_course++] = d;
            if (add_visit(visits, &nv, d, tr->zone_mask, 1))
                goto too_many;
        }
        tr->last = d;
    }
    if (book_maintenance(p, tracks, n_tracks, visits, &nv, horizon))
        goto too_many;
    /* Sort visits by date (few hundred at most: insertion sort). */
    for (int i = 1; i < nv; i++) {
        visit v = visits[i];
        int j = i - 1;
        while (j >= 0 && visits[j].date > v.date) {
            visits[j + 1] = visits[j];
            j--;
        }
        visits[j + 1] = v;
    }
    p->sessions = mn__calloc((size_t)(nv ? nv : 1), sizeof *p->sessions);
    if (!p->sessions) {
        st = mn__error(ctx, MN_ENOMEM, "out of memory scheduling");
        goto done;
    }
    p->n_sessions = nv;
    p->n_course_sessions = 0;
    size_t n_set = 0;
    for (int i = 0; i < nv; i++)
        for (int z = 0; z < p->n_zones; z++)
            n_set += (site_mask(p, visits[i].zone_mask) >> z) & 1u;
    p->settings = mn__calloc(n_set ? n_set : 1, sizeof *p->settings);
    if (!p->settings) {
        st = mn__error(ctx, MN_ENOMEM, "out of memory scheduling");
        goto done;
    }
    for (int z = 0; z < p->n_zones; z++) {
        mn_plan_zone *pz = &p->zones[z];
        if (zone_track[z] < 0) { /* not booked: no course */
            pz->course_sessions = 0;
            pz->course_interval_days = 0;
            pz->n_course_gaps = 0;
            continue;
        }
        const track *tr = &tracks[zone_track[z]];
        pz->course_sessions = tr->n_course;
        /* The spacing the zone gets, as booked, beside the interval it aims at. */
        pz->course_interval_days = tr->interval_days;
        pz->n_course_gaps = 0;
        for (int s = 1; s < tr->n_course && pz->n_course_gaps < MN_CONCERN_MAX_SESSIONS - 1; s++)
            pz->course_gaps_days[pz->n_course_gaps++] =
                tr->course_dates[s] - tr->course_dates[s - 1];
    }
    int step[MN_MAX_ZONES] = {0};
    double last_course[MN_MAX_ZONES];
    /* No numbing cream when a finding rules it out (an allergy, G6PD deficiency, a class III
     * antiarrhythmic: data/rules.json, numbing "none"). */
    int numbing = 1;
    for (int f = 0; f < p->screening.n_findings; f++)
        if (p->screening.findings[f].rule && p->screening.findings[f].rule->no_numbing)
            numbing = 0;
    int maintain_at_start[MN_MAX_ZONES] = {0}; /* a concern of the site asks for it */
    for (int z = 0; z < p->n_zones; z++) {
        last_course[z] = p->zones[z].site_start_mm;
        for (int k = 0; k < p->n_zones; k++)
            maintain_at_start[z] |= p->zones[k].zone == p->zones[z].zone &&
                                    !p->zones[k].not_booked &&
                                    p->zones[k].concern->maintenance_at_start;
    }
    for (int i = 0; i < nv; i++) {
        mn_plan_session *s = &p->sessions[i];
        s->number = i + 1;
        s->date = visits[i].date;
        s->phase = visits[i].course ? MN_PHASE_COURSE : MN_PHASE_MAINTENANCE;
        s->zone_mask = visits[i].zone_mask;
        s->site_mask = site_mask(p, s->zone_mask);
        s->settings = p->settings + p->n_settings;
        double area_passes = 0, numbed_cm2 = 0;
        for (int z = 0; z < p->n_zones; z++) {
            if (!(s->site_mask & (1u << z)))
                continue;
            const mn_plan_zone *pz = &p->zones[z];
            mn_plan_setting *set = &p->settings[p->n_settings++];
            set->zone = z;
            set->concern = pz->set_by;
            set->max_mm = pz->site_max_mm;
            set->passes = pz->site_passes;
            if (visits[i].course_mask & (1u << z)) {
                set->course_step = ++step[z];
                set->depth_mm = titrate(p->client.device, pz->site_start_mm, pz->site_max_mm,
                                        pz->rise_mm, set->course_step, pz->course_sessions);
                last_course[z] = set->depth_mm;
            } else {
                set->course_step = 0;
                /* maintenance: the last course setting, or the first where a concern of the
                 * site asks for it (melasma: data/concerns.json) */
                set->depth_mm = maintain_at_start[z] ? pz->site_start_mm : last_course[z];
            }
            s->n_settings++;
            area_passes += pz->zone->area_cm2 * set->passes;
            numbed_cm2 += pz->zone->area_cm2;
        }
        s->numbing_min = numbing ? MN_NUMBING_MIN : 0;
        s->numbing_area_cm2 = numbing ? numbed_cm2 : 0;
        s->numbing_in_turns = s->numbing_area_cm2 > MN_PLAN_NUMBING_MAX_CM2;
        s->treatment_min =
            round(MN_PREP_MIN + area_passes * minutes_per_cm2_pass(p->client.device));
        s->price = visit_price(p, s->site_mask);
        if (s->phase == MN_PHASE_COURSE)
            p->n_course_sessions++;
    }
    /* The deepest setting each zone's course reaches, its last, and how deep its channels go
     * there (the zone table's depth and reach: what the course does, not only what the zone
     * allows). */
    for (int z = 0; z < p->n_zones; z++) {
        mn_plan_zone *pz = &p->zones[z];
        pz->course_max_mm = pz->course_sessions > 0
                                ? titrate(p->client.device, pz->site_start_mm, pz->site_max_mm,
                                          pz->rise_mm, pz->course_sessions, pz->course_sessions)
                                : pz->site_start_mm;
        mn_skin_layers layers;
        if ((st = mn_skin_layers_at(pz->zone, &p->client.patient, &layers))) {
            st = mn__error(ctx, st, "cannot compute the skin layers of the %s", pz->zone->id);
            goto done;
        }
        pz->course_effective_max_um =
            mn_device_effective_depth_um(p->client.device, pz->course_max_mm, &layers);
    }
    goto done;
too_many:
    st = mn__error(ctx, MN_ELIMIT, "the plan would need more than %d visits", MN_MAX_VISITS);
done:
    /* A course sold as a package (clinic.course_price): its price spread over the course
     * visits, so the cost stays the sum over the visits booked. */
    if (st == MN_OK && p->client.has_course_price && p->n_course_sessions > 0)
        for (int i = 0; i < p->n_sessions; i++)
            if (p->sessions[i].phase == MN_PHASE_COURSE)
                p->sessions[i].price = p->client.course_price / p->n_course_sessions;
    if (st == MN_OK)
        st = steady_maintenance(ctx, p, tracks, n_tracks);
    mn__free(visits);
    return st;
}

/* Where the rise per visit keeps a zone's course below its site's maximum, the zone's line
 * says so (once: after the last scheduling). */
static void note_course_reach(mn_plan *p)
{
    for (int z = 0; z < p->n_zones; z++) {
        mn_plan_zone *pz = &p->zones[z];
        size_t len = strlen(pz->why);
        if (pz->not_booked || pz->course_sessions < 2 ||
            pz->course_max_mm >= pz->site_max_mm - 1e-9 || len >= sizeof pz->why)
            continue;
        char reach[16], rise[16], max[16];
        snprintf(pz->why + len, sizeof pz->why - len,
                 " This course reaches at most %s mm, not %s mm: the needle length rises by at "
                 "most %s mm from one visit to the next, so no visit goes further than that beyond "
                 "a setting the skin has already had.",
                 mn__depth_str(reach, sizeof reach, pz->course_max_mm),
                 mn__depth_str(max, sizeof max, pz->site_max_mm),
                 mn__depth_str(rise, sizeof rise, pz->rise_mm));
    }
}

static void fill_cost(mn_plan *p)
{
    double price = p->client.price_per_session;
    p->per_session = price;
    /* Cost per booked visit of the merged calendar; maintenance per year was counted on the
     * same calendar (steady_maintenance). */
    double course_total = 0, horizon_total = 0;
    for (int i = 0; i < p->n_sessions; i++) {
        horizon_total += p->sessions[i].price;
        if (p->sessions[i].phase == MN_PHASE_COURSE)
            course_total += p->sessions[i].price;
    }
    p->course_total = course_total;
    p->horizon_total = horizon_total;
    if (p->n_sessions == 0)
        p->maintenance_per_year = 0;
}

/* 1 when the screening has a finding of the rule @p code. */
static int has_finding(const mn_screening *scr, const char *code)
{
    for (int i = 0; i < scr->n_findings; i++)
        if (!strcmp(scr->findings[i].code, code))
            return 1;
    return 0;
}

/* 1 when aftercare item @p a holds for the whole course and after for this client: the plan
 * treats a concern it names (pigment problems) or the phototype is at or above its bound. */
static int ongoing_for(const mn_plan *p, const mn_aftercare *a)
{
    if (a->ongoing_phototype > 0 && p->client.patient.fitzpatrick >= a->ongoing_phototype)
        return 1;
    for (int k = 0; k < p->client.n_concerns; k++)
        for (int i = 0; i < a->n_ongoing_concerns; i++)
            if (strcmp(p->client.concerns[k].concern->id, a->ongoing_concerns[i]) == 0)
                return 1;
    return 0;
}

/* Does a finding that fired name this pre-treatment item in its adjust block? */
static int named_by_finding(const mn_screening *scr, const mn_pretreatment *t)
{
    for (int i = 0; i < scr->n_findings; i++) {
        const mn_rule_adjust *x = &scr->findings[i].rule->adjust;
        for (int k = 0; k < x->n_pretreatment; k++)
            if (!strcmp(x->pretreatment[k], t->id))
                return 1;
    }
    return 0;
}

/* Does a concern the plan treats name this pre-treatment item (data/concerns.json)? */
static int named_by_concern(const mn_client *c, const mn_pretreatment *t)
{
    for (int k = 0; k < c->n_concerns; k++)
        for (int i = 0; i < c->concerns[k].concern->n_pretreatment; i++)
            if (!strcmp(c->concerns[k].concern->pretreatment[i], t->id))
                return 1;
    return 0;
}

/* 1 when the pre-treatment item @p t is for this client: every client's, those a finding's
 * adjust block or a treated concern names (on_finding), those of a rule that fired (on_rule),
 * each for the phototypes it is meant for. */
static int pretreatment_for(const mn_plan *p, const mn_pretreatment *t)
{
    if (t->on_finding && !named_by_finding(&p->screening, t) && !named_by_concern(&p->client, t))
        return 0;
    if (t->on_rule && !has_finding(&p->screening, t->on_rule))
        return 0;
    if (t->min_phototype > 0 && p->client.patient.fitzpatrick < t->min_phototype)
        return 0;
    return 1;
}

/* 1 when the plan's list before the first visit has the pre-treatment item @p id. */
static int pretreatment_given(mn_ctx *ctx, const mn_plan *p, const char *id)
{
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    for (size_t i = 0; i < mn_catalog_pretreatment_count(cat); i++) {
        const mn_pretreatment *t = mn_catalog_pretreatment_at(cat, i);
        if (!strcmp(t->id, id))
            return pretreatment_for(p, t);
    }
    return 0;
}

static mn_status fill_aftercare(mn_ctx *ctx, mn_plan *p)
{
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    size_t n = mn_catalog_aftercare_count(cat);
    p->aftercare = mn__calloc(n ? n : 1, sizeof *p->aftercare);
    if (!p->aftercare)
        return mn__error(ctx, MN_ENOMEM, "out of memory building aftercare");
    double deepest = 0;
    unsigned treated = 0; /* the areas treated: an item for the face only is not given for a
                             scalp alone (mn_aftercare.areas) */
    for (int z = 0; z < p->n_zones; z++) {
        const mn_site *s = p->zones[z].zone;
        if (p->zones[z].not_booked)
            continue;
        deepest = fmax(deepest, p->zones[z].course_max_mm);
        treated |= s->facial                 ? MN_AREA_FACE
                   : !strcmp(s->id, "scalp") ? MN_AREA_SCALP
                                             : MN_AREA_BODY;
    }
    int until_next = 0;
    for (int z = 0; z < p->n_zones; z++) {
        int zone_gap = MN_AFTERCARE_SINGLE_VISIT_DAYS;
        int last = -1;
        for (int i = 0; i < p->n_sessions; i++) {
            if (!(p->sessions[i].zone_mask & (1u << z)))
                continue;
            if (last >= 0) {
                int gap = (int)(p->sessions[i].date - p->sessions[last].date);
                if (gap < zone_gap)
                    zone_gap = gap;
            }
            last = i;
        }
        if (zone_gap > until_next)
            until_next = zone_gap;
    }
    if (until_next < 1)
        until_next = MN_AFTERCARE_SINGLE_VISIT_DAYS;
    for (size_t i = 0; i < n; i++) {
        const mn_aftercare *a = mn_catalog_aftercare_at(cat, i);
        if (a->min_depth_mm > 0 && deepest < a->min_depth_mm)
            continue;
        if (a->areas && !(a->areas & treated))
            continue;
        if (a->on_rule && !has_finding(&p->screening, a->on_rule))
            continue;
        if (a->unless_rule && has_finding(&p->screening, a->unless_rule))
            continue;
        if (a->with_pretreatment && !pretreatment_given(ctx, p, a->with_pretreatment))
            continue;
        mn_plan_aftercare *pa = &p->aftercare[p->n_aftercare++];
        pa->item = a;
        pa->day_from = a->day_from;
        pa->day_to = a->day_to < 0 ? until_next - 1 : a->day_to;
        pa->ongoing = ongoing_for(p, a);
    }
    return MN_OK;
}

/* The text of pre-treatment item @p t for this plan: its catalogue text and, for an item that
 * states_settings (the test patch), the deepest setting each booked site's course reaches, so
 * the patch tests every setting the course will use, the deepest included (the course rises to
 * it from the start: clinic.h MN_PLAN_RISE_MM). */
static void test_patch_text(const mn_plan *p, const mn_pretreatment *t, char *out, size_t len)
{
    snprintf(out, len, "%s", t->text);
    if (!t->states_settings)
        return;
    add(out, len,
        " It is needled at the deepest setting your course uses on each area, so that "
        "setting has been tried on your skin first:");
    int n = 0;
    for (int z = 0; z < p->n_zones; z++) {
        const mn_plan_zone *pz = &p->zones[z];
        int first = 1; /* one entry per site: its first booked plan zone */
        for (int k = 0; k < z; k++)
            first &= p->zones[k].zone != pz->zone || p->zones[k].not_booked;
        if (pz->not_booked || !first || pz->course_sessions == 0)
            continue;
        char mm[16];
        add(out, len, "%s %s %s mm", n++ ? "," : "", pz->zone->name,
            mn__depth_str(mm, sizeof mm, pz->course_max_mm));
    }
    add(out, len, ".");
}

/* Pre-treatment instructions, dated from the first visit: every client's items, and those a
 * finding's adjust block or a treated concern names (on_finding), each for the phototypes it
 * is meant for. A plan without sessions gets none. */
static mn_status fill_pretreatment(mn_ctx *ctx, mn_plan *p)
{
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    size_t n = mn_catalog_pretreatment_count(cat);
    p->pretreatment = mn__calloc(n ? n : 1, sizeof *p->pretreatment);
    if (!p->pretreatment)
        return mn__error(ctx, MN_ENOMEM, "out of memory building the pre-treatment list");
    if (p->n_sessions == 0)
        return MN_OK;
    for (size_t i = 0; i < n; i++) {
        const mn_pretreatment *t = mn_catalog_pretreatment_at(cat, i);
        if (!pretreatment_for(p, t))
            continue;
        mn_plan_pretreatment *pt = &p->pretreatment[p->n_pretreatment++];
        pt->item = t;
        pt->from = p->sessions[0].date - t->days_before;
        test_patch_text(p, t, pt->text, sizeof pt->text);
    }
    /* In date order, the earliest first, as a client works down the list; items due the same
     * day keep the catalogue's order (a stable insertion sort: the list is a handful). */
    for (int i = 1; i < p->n_pretreatment; i++) {
        mn_plan_pretreatment item = p->pretreatment[i];
        int k = i;
        for (; k > 0 && p->pretreatment[k - 1].from > item.from; k--)
            p->pretreatment[k] = p->pretreatment[k - 1];
        p->pretreatment[k] = item;
    }
    return MN_OK;
}

/* The note on lasting adverse events: the kinds data/adverse_events.json marks persistent and
 * cited (a review lists them), named as the catalogue names them, their sources kept in
 * p->risk_sources for the references. @return 1 when the note was written, 0 when the
 * catalogue names none. */
static int persistent_events(const mn_ctx *ctx, mn_plan *p, char *out, size_t len)
{
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    const char *names[8];
    int n = 0;
    size_t used = 0;
    p->risk_sources[0] = '\0';
    for (size_t i = 0; i < mn_catalog_adverse_event_count(cat) && n < 8; i++) {
        const mn_adverse_event_kind *e = mn_catalog_adverse_event_at(cat, i);
        if (!e->persistent || !e->cited)
            continue;
        names[n++] = e->name;
        if (used < sizeof p->risk_sources)
            used += (size_t)snprintf(p->risk_sources + used, sizeof p->risk_sources - used, "%s%s",
                                     used ? "; " : "", e->source);
    }
    if (n == 0)
        return 0;
    size_t k = (size_t)snprintf(out, len, "Lasting effects: reviews of microneedling report ");
    for (int i = 0; i < n && k < len; i++) {
        /* Lower-case a name's first letter inside the sentence, unless it starts an acronym. */
        const char *s = names[i];
        char first = s[0] >= 'A' && s[0] <= 'Z' && !(s[1] >= 'A' && s[1] <= 'Z')
                         ? (char)(s[0] - 'A' + 'a')
                         : s[0];
        k += (size_t)snprintf(out + k, len - k, "%s%c%s",
                              i == 0       ? ""
                              : i == n - 1 ? " and "
                                           : ", ",
                              first, s + 1);
    }
    if (k < len)
        snprintf(out + k, len - k, " as adverse events that can last.");
    return 1;
}

const char *mn_plan_pih_label(double probability)
{
    return probability >= MN_PLAN_PIH_HIGH       ? "high"
           : probability >= MN_PLAN_PIH_MODERATE ? "moderate"
                                                 : "low";
}

const char *mn_plan_pih_grade(double low, double high)
{
    const char *a = mn_plan_pih_label(low), *b = mn_plan_pih_label(high);
    if (a == b)
        return a;
    if (!strcmp(a, "low"))
        return !strcmp(b, "moderate") ? "low-moderate" : "low-high";
    return "moderate-high";
}

const char *mn_plan_pih_grade_words(const char *grade)
{
    return !grade                            ? ""
           : !strcmp(grade, "low-moderate")  ? "low to moderate"
           : !strcmp(grade, "moderate-high") ? "moderate to high"
           : !strcmp(grade, "low-high")      ? "low to high"
                                             : grade;
}

/* The law's chance of PIH after one session on plan zone @p z's site at setting @p set, for
 * the typical person and the band's ends (mn_healing_pih_risk() on that session alone). */
static mn_status pih_session(mn_ctx *ctx, const mn_plan *p, int z, const mn_plan_setting *set,
                             double out[3])
{
    mn_healing_session s = {0, p->client.device, set->depth_mm, set->passes, 0};
    mn_healing_scenario sc = {p->client.patient, p->zones[z].zone, p->zones[z].concern, &s, 1, 1};
    mn_healing_pih pih;
    mn_status st = mn_healing_pih_risk(ctx, &sc, &pih);
    out[0] = pih.probability;
    out[1] = pih.probability_low;
    out[2] = pih.probability_high;
    return st;
}

/* Each zone's chance of PIH over its course as booked, by the PIH law for the scenario the
 * projection runs (mn__plan_zone_course(): the client, the zone and its concern, the device,
 * each course visit's setting; horizon the last course day), and the plan's: each course visit
 * counts once for the person, at the chance of the site it treats with the highest chance for
 * one session, and visits combine as the law combines sessions, 1 - prod(1 - p_visit).
 * [JUDGEMENT] The law's reference rate (pih.c: about 1 % per session) is pooled per patient and
 * session from studies that needled the whole face at one sitting (Dogra 2014), so it is a
 * person's chance for a visit, not a zone's: counting the sites of one visit as independent
 * would raise the chance with every zone of the same face the law's studies treated together.
 * Taking the highest site, not a sum, is the reading closest to that: a visit needling the
 * cheeks alone and one needling the whole face count alike, as the studies' visits did. */
static mn_status pih_course(mn_ctx *ctx, mn_plan *p)
{
    for (int z = 0; z < p->n_zones; z++) {
        mn_plan_zone *pz = &p->zones[z];
        mn_course_session course[MN__PLAN_ZONE_COURSE_MAX];
        mn_healing_session ss[MN__PLAN_ZONE_COURSE_MAX];
        mn_date first = 0;
        int n = p->client.device ? mn__plan_zone_course(p, z, course, &first) : 0;
        for (int k = 0; k < n; k++)
            ss[k] = (mn_healing_session){course[k].day, p->client.device, course[k].needle_mm,
                                         course[k].passes, 0};
        int horizon = n > 0 && course[n - 1].day > 0 ? course[n - 1].day : 1;
        mn_healing_scenario sc = {p->client.patient, pz->zone, pz->concern, ss, n, horizon};
        mn_healing_pih pih;
        mn_status st = mn_healing_pih_risk(ctx, &sc, &pih);
        if (st)
            return st;
        pz->pih_probability = pih.probability;
        pz->pih_probability_low = pih.probability_low;
        pz->pih_probability_high = pih.probability_high;
    }
    /* The visits: a course visit's settings name each site it needles once (the same visits
     * and settings mn__plan_zone_course() reads for each zone). */
    double none[3] = {1, 1, 1};
    for (int i = 0; p->client.device && i < p->n_sessions; i++) {
        const mn_plan_session *s = &p->sessions[i];
        if (s->phase != MN_PHASE_COURSE)
            continue;
        double at_visit[3] = {0, 0, 0};
        for (int k = 0; k < s->n_settings; k++) {
            double site[3];
            mn_status st = pih_session(ctx, p, s->settings[k].zone, &s->settings[k], site);
            if (st)
                return st;
            for (int b = 0; b < 3; b++)
                at_visit[b] = fmax(at_visit[b], site[b]);
        }
        for (int b = 0; b < 3; b++)
            none[b] *= 1 - at_visit[b];
    }
    p->pih_probability = 1 - none[0];
    p->pih_probability_low = 1 - none[1];
    p->pih_probability_high = 1 - none[2];
    return MN_OK;
}

static mn_status fill_risk(mn_ctx *ctx, mn_plan *p)
{
    mn_status st = pih_course(ctx, p);
    if (st)
        return st;
    /* A plan that books nothing needles nobody: no treatment risk to grade, so its label is
     * "none", not the "low" a chance of 0 would read as; the JSON, the text and the report all
     * take it from here (docs/clinic.md, "Depth per zone"). */
    const char *risk = mn_plan_books(p) ? mn_plan_pih_label(p->pih_probability) : "none";
    snprintf(p->pih_risk, sizeof p->pih_risk, "%s", risk);
    /* The grade the client reads: every category the band reaches, so two figures the law
     * cannot tell apart (inside one band) are not called low and moderate (clinic.h). */
    const char *grade = mn_plan_books(p)
                            ? mn_plan_pih_grade(p->pih_probability_low, p->pih_probability_high)
                            : "none";
    snprintf(p->pih_grade, sizeof p->pih_grade, "%s", grade);
    int n = 0, visits = 0;
    double deepest = 0;
    for (int z = 0; z < p->n_zones; z++)
        if (!p->zones[z].not_booked)
            deepest = fmax(deepest, p->zones[z].course_max_mm);
    for (int i = 0; i < p->n_sessions; i++)
        visits += p->sessions[i].phase == MN_PHASE_COURSE;
    char mid[16], lo[16], hi[16], moderate[16], high[16], deep[16];
    /* The chance in the words package leaflets use ("N in 100 people"), to the one significant
     * figure the band supports (mn__pih_percent_str()), said to be for the whole course, not a
     * visit (the law's rate is per visit; the plan's figure combines the course's visits); the
     * cut-offs as the grade reads them (MN_PLAN_PIH_*). A plan that books nothing needles
     * nobody: no chance and no lasting effects to state. */
    if (mn_plan_books(p))
        snprintf(p->risk_notes[n++], sizeof p->risk_notes[0],
                 "Pigmentation (PIH) risk %s: about %s in 100 people like you (phototype %d, %s "
                 "sun) get darker marks at some time during this course of %d visit%s, needled "
                 "up to %s mm (a chance for the whole course, not for each visit). The figure is "
                 "good to a factor of %g either way (%s-%s in 100), so the grade names every "
                 "category that range reaches: low is under %s in 100, high %s in 100 or more. "
                 "Darker skin reacts to inflammation with pigment; deeper needling inflames "
                 "more. The figure is an order of magnitude from a few small studies.",
                 mn_plan_pih_grade_words(grade),
                 mn__pih_percent_str(p->pih_probability, mid, sizeof mid),
                 p->client.patient.fitzpatrick, mn_sun_name(p->client.patient.sun), visits,
                 visits == 1 ? "" : "s", mn__depth_str(deep, sizeof deep, deepest),
                 MN_PIH_BAND_FACTOR, mn__pih_percent_str(p->pih_probability_low, lo, sizeof lo),
                 mn__pih_percent_str(p->pih_probability_high, hi, sizeof hi),
                 mn__pih_percent_str(MN_PLAN_PIH_MODERATE, moderate, sizeof moderate),
                 mn__pih_percent_str(MN_PLAN_PIH_HIGH, high, sizeof high));
    if (mn_plan_books(p))
        n += persistent_events(ctx, p, p->risk_notes[n], sizeof p->risk_notes[0]);
    /* Every concern's note, then the home-device note: MN_PLAN_MAX_RISK_NOTES holds them all
     * (a client lists each concern once, at most MN_MAX_CONCERNS of them). */
    _Static_assert(sizeof p->risk_notes / sizeof p->risk_notes[0] >= 3 + MN_MAX_CONCERNS,
                   "risk_notes holds every note");
    for (int k = 0; k < p->client.n_concerns; k++)
        if (p->client.concerns[k].concern->response_note)
            snprintf(p->risk_notes[n++], sizeof p->risk_notes[0], "%s: %s",
                     p->client.concerns[k].concern->name,
                     p->client.concerns[k].concern->response_note);
    if (p->client.history[MN_HISTORY_HOME_DEVICE_USE] != 0 ||
        p->client.device->device_class == MN_DEVICE_HOME)
        snprintf(p->risk_notes[n++], sizeof p->risk_notes[0],
                 "Infection risk: home needling devices are hard to keep sterile; stop home "
                 "use around clinic sessions.");
    p->n_risk_notes = n;
    return MN_OK;
}

mn_status mn_plan_client_check(mn_ctx *ctx, const mn_client *client)
{
    if (!client)
        return mn__error(ctx, MN_EINVAL, "mn_plan_client_check: NULL argument");
    if (client->device && client->device->device_class == MN_DEVICE_HOME)
        return mn__error(ctx, MN_EINVAL,
                         "%s: $.clinic.device: \"%s\" is a home device, not a clinic device; a "
                         "plan is for treatment in a clinic (see 'mneedle catalog devices' for "
                         "clinic devices). A client's own home needling is a screening question "
                         "(history.home_device_use)",
                         client->src[0] ? client->src : "client", client->device->id);
    return MN_OK;
}

mn_status mn_plan_build(mn_ctx *ctx, const mn_client *client, const mn_plan_options *opts,
                        mn_plan **out)
{
    if (!ctx || !client || !out)
        return mn__error(ctx, MN_EINVAL, "mn_plan_build: NULL argument");
    *out = NULL;
    mn_plan_options defaults;
    mn_plan_options_init(&defaults);
    if (!opts)
        opts = &defaults;
    mn_status st = mn_plan_client_check(ctx, client);
    if (st)
        return st;
    if (opts->years < 1 || opts->years > 20)
        return mn__error(ctx, MN_ERANGE, "years: %d is out of range; expected 1 to 20",
                         opts->years);
    if (!(opts->target_fraction > 0 && opts->target_fraction < 1))
        return mn__error(ctx, MN_ERANGE, "target fraction must lie between 0 and 1");
    if (opts->band_draws < -1 || opts->band_draws > 100000)
        return mn__error(ctx, MN_ERANGE, "band draws: %d is out of range; expected -1 to 100000",
                         opts->band_draws);
    mn_plan *p = mn__calloc(1, sizeof *p);
    if (!p)
        return mn__error(ctx, MN_ENOMEM, "out of memory building the plan");
    p->client = *client;
    p->options = *opts;
    /* A start before the day the plan is prepared is said, not moved: the clinic may be writing
     * up a course already begun, or have mistyped the date; either way it sees both dates. */
    if (opts->has_prepared && client->start < opts->prepared) {
        char start[11], prepared[11];
        int days = opts->prepared - client->start;
        mn__warn(&p->warnings, "start_before_prepared", client->src, "$.clinic.start",
                 "the start date %s is %d day%s before %s, the date this plan was prepared: "
                 "its dates count from the start, so the first of them are already past; "
                 "give a start on or after %s to plan from then",
                 mn_date_format(client->start, start), days, days == 1 ? "" : "s",
                 mn_date_format(opts->prepared, prepared), prepared);
    }
    /* The history was taken when the plan is prepared, unless the file dates it. */
    if (!p->client.has_history_date && opts->has_prepared) {
        p->client.history_date = opts->prepared;
        p->client.has_history_date = 1;
    }
    /* The screening is done on the day the plan is prepared (mn_screen: how old the answers
     * are, and whether a wait is already over). */
    if (opts->has_prepared) {
        p->client.screen_date = opts->prepared;
        p->client.has_screen_date = 1;
    }
    st = mn_screen(ctx, &p->client, &p->screening);
    if (st)
        goto fail;
    int nz = 0;
    for (int k = 0; k < client->n_concerns; k++)
        nz += client->concerns[k].n_zones;
    if (nz > MN_MAX_ZONES) {
        st = mn__error(ctx, MN_ELIMIT, "a plan covers at most %d concern-zone pairs; got %d",
                       MN_MAX_ZONES, nz);
        goto fail;
    }
    p->zones = mn__calloc((size_t)nz, sizeof *p->zones);
    if (!p->zones) {
        st = mn__error(ctx, MN_ENOMEM, "out of memory building the plan");
        goto fail;
    }
    for (int k = 0; k < client->n_concerns; k++)
        for (int z = 0; z < client->concerns[k].n_zones; z++) {
            st = plan_zone(ctx, client, &p->screening, client->concerns[k].concern,
                           client->concerns[k].zones[z], &p->zones[p->n_zones]);
            if (st)
                goto fail;
            p->n_zones++;
        }
    site_settings(p);
    if ((st = unbook_short_courses(ctx, p)))
        goto fail;
    /* Schedule with the default maintenance interval, project the course, and re-schedule
     * the maintenance visits if the projection sets another interval (for the plan, or for
     * the zones of the concerns it projects: track_maintenance). */
    int treat = p->screening.decision <= MN_DECISION_CAUTION;
    p->maintenance_interval_days = mn__plan_default_maintenance(p);
    if (treat && (st = schedule(ctx, p)))
        goto fail;
    int provisional = p->maintenance_interval_days;
    if ((st = mn__plan_projection(ctx, p)))
        goto fail;
    if (treat && (p->maintenance_interval_days != provisional ||
                  (!p->maintenance_from_model && p->lasting_interval_days > 0))) {
        mn__free(p->sessions);
        mn__free(p->settings);
        p->sessions = NULL;
        p->settings = NULL;
        p->n_sessions = p->n_settings = 0;
        if ((st = schedule(ctx, p)))
            goto fail;
    }
    if (treat)
        note_course_reach(p);
    if (!treat) {
        /* No treatment content for a declined or deferred client: no maintenance, no
         * projection, no aftercare sheet, no cost, no risk of a treatment not given. */
        p->maintenance_interval_days = 0;
        p->projection_note[0] = p->projection_note_text[0] = '\0';
        *out = p;
        return MN_OK;
    }
    fill_cost(p);
    /* A plan that books nothing has no session to care for after, or prepare for. */
    if (mn_plan_books(p) && ((st = fill_aftercare(ctx, p)) || (st = fill_pretreatment(ctx, p))))
        goto fail;
    if (!mn_plan_books(p)) {
        snprintf(p->projection_note, sizeof p->projection_note,
                 "No session is booked, so nothing is projected.");
        snprintf(p->projection_note_text, sizeof p->projection_note_text, "%s", p->projection_note);
    }
    if ((st = fill_risk(ctx, p)))
        goto fail;
    *out = p;
    return MN_OK;
fail:
    mn_plan_free(p);
    return st;
}

mn_status mn_plan_earliest_start(mn_ctx *ctx, const mn_client *client, const mn_plan_options *opts,
                                 mn_date *out)
{
    if (!ctx || !client || !opts || !out)
        return mn__error(ctx, MN_EINVAL, "mn_plan_earliest_start: NULL argument");
    if (!opts->has_prepared)
        return mn__error(ctx, MN_EINVAL,
                         "the earliest start counts from the day the plan is prepared, and "
                         "none was given (mn_plan_options.prepared)");
    /* The steps and their leads follow from the findings, not from the start: a plan from the
     * day it is prepared lists them. Its projection plays no part in them, so none is drawn. */
    mn_client from_prepared = *client;
    from_prepared.start = opts->prepared;
    mn_plan_options quick = *opts;
    quick.band_draws = -1;
    mn_plan *plan = NULL;
    mn_status st = mn_plan_build(ctx, &from_prepared, &quick, &plan);
    if (st)
        return st;
    int lead = 0;
    for (int i = 0; i < plan->n_pretreatment; i++)
        if (plan->pretreatment[i].item->days_before > lead)
            lead = plan->pretreatment[i].item->days_before;
    mn_plan_free(plan);
    *out = opts->prepared + lead;
    return MN_OK;
}
