/*
 * mneedle clinic: the client file, screening, and the plan (depth per zone, course and
 * maintenance dates, aftercare, logistics, cost, risk notes, projection).
 *
 * Rules and ranges come from the catalogues (catalog.h); docs/clinic.md says where each
 * comes from. Safety properties (tested exhaustively in tests/unit/test_plan_properties.c):
 *   - no zone's depth exceeds the zone's cap, the anatomy cap or the device's range;
 *   - a client whose decision is decline or defer gets no session;
 *   - no two sessions that treat the same zone are closer than the largest minimum interval
 *     of the concerns treated there.
 *
 * Thread safety: one context per thread. Loading, screening, planning and writing touch only
 * their arguments, the context's read-only catalogue and its error message, and use no
 * threads of their own, so threads with their own contexts may plan different clients at once.
 */
#ifndef MNEEDLE_CLINIC_H
#define MNEEDLE_CLINIC_H

#include "mneedle/catalog.h"
#include "mneedle/healing.h"
#include "mneedle/skin.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Declarations here are the exported API of libmneedle.so (CMakeLists.txt). */
#pragma GCC visibility push(default)

#define MN_MAX_CONCERNS 8
/** Most zones in one client file, counted as concern-zone pairs (per concern and in total): a
 *  plan's visits record the zones they treat as bits of a 32-bit mask. */
#define MN_MAX_ZONES    32
#define MN_MAX_FINDINGS 64
/** Rows a plan's risk notes can fill: the PIH note, the lasting adverse events, one response
 *  note per concern (at most MN_MAX_CONCERNS) and the home-device note; every note fits. */
#define MN_PLAN_MAX_RISK_NOTES (MN_MAX_CONCERNS + 3)
#define MN_CURRENCY_LEN        8
/** Most entries in clinic.prices (zones and the face/body groups). */
#define MN_MAX_PRICES 64
/** Longest clinic name, phone and practitioner in a client file (bytes, with the NUL). */
#define MN_CLINIC_TEXT_LEN 96
/** Longest client name (client.name, and the stored identity's name), bytes with the NUL: room
 *  for a full legal name in any script (85 characters of three-byte UTF-8). A longer name is
 *  refused, never cut. */
#define MN_CLIENT_NAME_LEN 256

/* History inputs: DESIGN §4's, then additions (docs/input-formats.md), each at the end so the
 * numbers of the earlier ones never change. Booleans hold 0/1; *_ago inputs hold their number. */
#define MN_HISTORY_LIST(X)                                                                         \
    X(ACTIVE_INFECTION_AT_SITE, "active_infection_at_site", 0)                                     \
    X(ACTIVE_COLD_SORE, "active_cold_sore", 0)                                                     \
    X(ACTIVE_INFLAMMATORY_ACNE, "active_inflammatory_acne", 0)                                     \
    X(OPEN_WOUNDS_AT_SITE, "open_wounds_at_site", 0)                                               \
    X(ISOTRETINOIN_MONTHS_AGO, "isotretinoin_months_ago", 1)                                       \
    X(PREGNANT, "pregnant", 0)                                                                     \
    X(BREASTFEEDING, "breastfeeding", 0)                                                           \
    X(ANTICOAGULANTS, "anticoagulants", 0)                                                         \
    X(BLEEDING_DISORDER, "bleeding_disorder", 0)                                                   \
    X(IMMUNOSUPPRESSED, "immunosuppressed", 0)                                                     \
    X(SKIN_FLARE_AT_SITE, "skin_flare_at_site", 0)                                                 \
    X(KELOID_HISTORY, "keloid_history", 0)                                                         \
    X(RECENT_SUNBURN_OR_TAN, "recent_sunburn_or_tan", 0)                                           \
    X(UNCONTROLLED_DIABETES, "uncontrolled_diabetes", 0)                                           \
    X(NICKEL_ALLERGY, "nickel_allergy", 0)                                                         \
    X(SUSPICIOUS_LESION_AT_SITE, "suspicious_lesion_at_site", 0)                                   \
    X(RADIOTHERAPY_MONTHS_AGO, "radiotherapy_months_ago", 1)                                       \
    X(HERPES_SIMPLEX_HISTORY, "herpes_simplex_history", 0)                                         \
    X(FILLER_OR_THREADS_WEEKS_AGO, "filler_or_threads_weeks_ago", 1)                               \
    X(KOEBNER_CONDITION, "koebner_condition", 0)                                                   \
    X(HOME_DEVICE_USE, "home_device_use", 0)                                                       \
    X(BOTULINUM_TOXIN_WEEKS_AGO, "botulinum_toxin_weeks_ago", 1)                                   \
    X(CONTROLLED_DIABETES, "controlled_diabetes", 0)                                               \
    X(PEEL_OR_LASER_WEEKS_AGO, "peel_or_laser_weeks_ago", 1)                                       \
    X(CONNECTIVE_TISSUE_DISEASE, "connective_tissue_disease", 0)                                   \
    X(LOCAL_ANAESTHETIC_ALLERGY, "local_anaesthetic_allergy", 0)                                   \
    X(METHAEMOGLOBINAEMIA_RISK, "g6pd_deficiency_or_methaemoglobinaemia", 0)                       \
    X(CLASS3_ANTIARRHYTHMIC, "class3_antiarrhythmic", 0)                                           \
    X(THREADS_WEEKS_AGO, "threads_weeks_ago", 1)                                                   \
    X(ROSACEA_HISTORY, "rosacea_history", 0)

typedef enum {
#define MN__HISTORY_ENUM(id, name, numeric) MN_HISTORY_##id,
    MN_HISTORY_LIST(MN__HISTORY_ENUM)
#undef MN__HISTORY_ENUM
        MN_HISTORY_COUNT
} mn_history_item;

/** Input name of a history item ("isotretinoin_months_ago"); NULL when out of range. */
const char *mn_history_name(mn_history_item item);
/** 1 when the item is a number ("…_ago"), 0 when it is a boolean. */
int mn_history_is_numeric(mn_history_item item);
/** Index of a history name, or -1. */
int mn_history_find(const char *name);

typedef enum { MN_SEVERITY_MILD = 1, MN_SEVERITY_MODERATE = 2, MN_SEVERITY_SEVERE = 3 } mn_grade;

typedef struct {
    const mn_concern *concern;
    const mn_site *zones[MN_MAX_ZONES];
    int n_zones;
    mn_grade grade; /* "severity" in the file: mild, moderate or severe (or 1–3) */
} mn_client_concern;

/** A client file, parsed and validated. Catalogue pointers are owned by the context. */
typedef struct {
    char name[MN_CLIENT_NAME_LEN]; /* optional client.name, for the report; "" when absent */
    mn_patient patient;
    mn_client_concern concerns[MN_MAX_CONCERNS];
    int n_concerns;
    double history[MN_HISTORY_COUNT]; /* 0 when absent */
    unsigned char history_set[MN_HISTORY_COUNT];
    /* 1 when the file has a history object: the health questionnaire was taken (an empty one,
     * {}, means asked with nothing to declare). 0: never asked; screening defers the client
     * until it is completed (MN-NO-HISTORY), never reading the absence as "no". */
    int has_history;
    /* The day the history was taken, from which its months and weeks ago count: history.date
     * when the file gives it (has_history_date), else set by the caller (plan: the day it is
     * prepared; screen: today). With neither, mn_screen counts from start. */
    mn_date history_date;
    int has_history_date;
    /* The day of the screening: set by the caller (plan: the day it is prepared; screen:
     * today, or SOURCE_DATE_EPOCH's day). With it, mn_screen refuses a history.date after it
     * and defers a questionnaire older than its validity (MN-HISTORY-OLD), and a re-screen
     * date already past becomes "now". has_screen_date 0: none of these checks. */
    mn_date screen_date;
    int has_screen_date;
    const mn_device *device;  /* clinic.device; SkinPen when absent */
    double price_per_session; /* clinic.price_per_session; 0 when absent */
    /* clinic.prices: a price per visit for a zone (by site) or an area group, face or body;
     * a visit costs its zones' prices, each group's price once for its zones without one, and
     * price_per_session once for zones priced neither way. n_prices == 0 when absent. */
    struct {
        const mn_site *site;
        double price;
    } prices[MN_MAX_PRICES];
    int n_prices;
    double face_price, body_price; /* clinic.prices.face / .body, when has_* */
    int has_face_price, has_body_price;
    double course_price; /* clinic.course_price: the whole course as a package, when has_ */
    int has_course_price;
    char currency[MN_CURRENCY_LEN];
    mn_date start; /* clinic.start; required for dates */
    char src[256]; /* the file it was read from, for messages ("" when built in code) */
    /* clinic.{name, phone, practitioner}: the clinic's identity on the report; "" when absent */
    char clinic_name[MN_CLINIC_TEXT_LEN];
    char clinic_phone[MN_CLINIC_TEXT_LEN];
    char practitioner[MN_CLINIC_TEXT_LEN];
} mn_client;

/**
 * Reads and validates a client file ("-" for standard input). Every problem is reported with
 * the file and the JSON path (`client.json: $.concerns[0].zones[1]: unknown zone "cheeks2"`).
 * @return MN_OK; MN_EINVAL (cannot open), MN_EPARSE, MN_ETYPE, MN_ERANGE, MN_ENOTFOUND,
 *         MN_ELIMIT, MN_ENOMEM. On failure *out is left in an unspecified state.
 */
mn_status mn_client_load(mn_ctx *ctx, const char *path, mn_client *out);

/** As mn_client_load() from text in memory; @p src names it in messages. */
mn_status mn_client_parse(mn_ctx *ctx, const char *src, const char *text, size_t len,
                          mn_client *out);

typedef enum {
    MN_DECISION_PROCEED = 0,
    MN_DECISION_CAUTION = 1, /* "proceed_with_caution" */
    MN_DECISION_DEFER = 2,
    MN_DECISION_DECLINE = 3
} mn_decision;

/** "proceed", "proceed_with_caution", "defer" or "decline". */
const char *mn_decision_name(mn_decision decision);

typedef struct {
    const mn_rule *rule;
    const char *code;
    mn_severity severity;
    const char *message;
    const char *zone; /* zone that triggered a zone-specific rule, else NULL: zones[0] */
    /* Every treated zone a zone-specific rule covers, once each, in the client's order
     * (concerns, then their zones); 0 for a rule of every zone. */
    const char *zones[MN_MAX_ZONES];
    int n_zones;
    int has_until; /* 1 when a re-screen date is known */
    int ongoing;   /* 1: a months/weeks-ago item at 0 on a rule whose wait counts from the
                      end (still taking the drug, still in treatment): no date yet */
    mn_date until; /* earliest date to re-screen (defer) */
    int passed;    /* 1 when until is on or before the screening day: re-screen now */
} mn_finding;

typedef struct {
    mn_decision decision;
    mn_finding findings[MN_MAX_FINDINGS];
    int n_findings;
    int has_rescreen; /* for defer: 1 when every deferring finding knows its date */
    mn_date rescreen; /* the latest of those dates, never before the screening day */
    int rescreen_now; /* 1 when has_rescreen and the wait is over by the screening day: the
                         answers are to be taken again now (rescreen is then that day) */
    int has_day;      /* 1 when the screening day was known (mn_client.has_screen_date) */
    mn_date day;      /* that day */
} mn_screening;

/**
 * Applies every screening rule to the client. Aggregates decline > defer >
 * proceed_with_caution > proceed. Pure function of the client and the catalogue. With a
 * screening day (client->has_screen_date) it also defers answers older than the validity of
 * the history_older_months rule and turns a re-screen date already past into that day.
 * @return MN_OK; MN_EINVAL for NULL arguments; MN_ERANGE when history.date is after the
 *         screening day (the message names the file and $.history.date); MN_EPARSE for a rule
 *         that names an unknown history item.
 */
mn_status mn_screen(mn_ctx *ctx, const mn_client *client, mn_screening *out);

/** Virtual people behind a plan's ranges by default (mn_plan_options.band_draws): the same
 *  64 as simulate's band, within the plan's 20 ms (bench/bench_plan.c). */
#define MN_PLAN_BAND_DRAWS 64

/** The date a visit is booked on: @p d, or the Monday after when @p d is a Sunday (the
 *  plan's calendar rule, docs/clinic.md). The planner and the replan of the clinic record
 *  (docs/records.md) both book through it; each next date counts from the date booked, so a
 *  gap never shrinks. */
mn_date mn_plan_visit_date(mn_date d);

/*
 * The plan's PIH label follows from the course's chance of post-inflammatory
 * hyperpigmentation by the PIH law (mn_healing_pih_risk(), the figure `mneedle simulate`
 * reports): the frequency categories package leaflets use for side effects, from the European
 * Commission's guideline on the summary of product characteristics (SmPC, revision 2,
 * September 2009, section 4.8: very common >= 1/10, common >= 1/100 to < 1/10, uncommon
 * >= 1/1,000 to < 1/100, rare and very rare below). "low" is uncommon or rarer, "moderate"
 * common, "high" very common: that reading of the categories as the plan's three words is
 * [JUDGEMENT] (docs/clinic.md, "Risk notes").
 */
#define MN_PLAN_PIH_MODERATE 0.01 /* 1 in 100: SmPC "common" from here */
#define MN_PLAN_PIH_HIGH     0.10 /* 1 in 10: SmPC "very common" from here */

/** The PIH label of a chance of PIH (0-1): "low" below MN_PLAN_PIH_MODERATE, "moderate" below
 *  MN_PLAN_PIH_HIGH, "high" from it. A static string; never NULL. */
const char *mn_plan_pih_label(double probability);

/** The PIH grade of a chance's band, @p low to @p high (0-1; the PIH law's factor of
 *  MN_PIH_BAND_FACTOR either way, healing.h): the label of both ends when they share one
 *  ("low", "moderate", "high"), else the labels of the two ends joined, "low-moderate",
 *  "moderate-high" (or "low-high"). The law cannot tell figures inside its band apart, so the
 *  grade names every category the band reaches rather than the one its middle falls in: two
 *  chances within a band of each other never get grades that share no category, where the
 *  label of the middle flips at a cut-off (docs/clinic.md, "Risk notes"). A static string;
 *  never NULL. Thread-safe. */
const char *mn_plan_pih_grade(double low, double high);

/** A grade of mn_plan_pih_grade() (or "none") in words for the client: "low to moderate" for
 *  "low-moderate", the grade itself otherwise. A static string, or @p grade. Thread-safe. */
const char *mn_plan_pih_grade_words(const char *grade);

/*
 * The numbing cream: EMLA 5% (lidocaine 2.5% + prilocaine 2.5%). Its summary of product
 * characteristics (Ireland, September 2017, section 4.2, table 1) gives adults at most 60 g
 * over at most 600 cm2 of skin for dermal procedures on large areas, and section 4.4 says not
 * to apply it to open wounds: it goes on intact skin before needling, never after. A visit
 * whose sites add up to more is numbed and treated in turns, or split.
 */
#define MN_PLAN_NUMBING_MAX_CM2 600.0

/** [JUDGEMENT] The most a body site's needle length rises from one course visit to the next
 *  (DESIGN 3.6: start low, titrate up as the skin tolerates it). No trial or consensus we found
 *  states a rise per session; protocols describe raising the needle length gradually, as
 *  tolerated, from one session to the next. Two settings of a pen's 0.25 mm grid
 *  (data/devices.json) per visit: the course reaches a face's usual 1.5 mm maximum from a
 *  0.5 mm start by its third session, and a skin that reacted to a setting is never asked to
 *  take more than twice the step at once. A course too short to reach the site's maximum at
 *  this pace ends below it, and the plan says so (docs/clinic.md "Per-visit settings"). */
#define MN_PLAN_RISE_MM 0.5
/** [JUDGEMENT] The rise per course visit, one 0.25 mm pen setting, for a site treated for a
 *  concern marked gentle_rise (data/concerns.json: melasma, hyperpigmentation, which
 *  inflammation darkens) or for a client a finding marks so (data/rules.json adjust
 *  gentle_rise: MN-PIH-RISK, phototypes IV-VI; MN-ROSACEA, skin with rosacea): the smallest
 *  change a pen makes, so each visit goes at most one setting beyond the one the skin has
 *  shown it tolerates. */
#define MN_PLAN_RISE_GENTLE_MM 0.25

/** Plan options. */
typedef struct {
    int years;              /* horizon for maintenance and total cost (default 2) */
    double target_fraction; /* maintenance keeps improvement >= this fraction of peak (0.8) */
    int has_prepared;       /* 1: the plan states the date it was prepared on (prepared) */
    mn_date prepared;       /* set by the caller (the CLI: today, or SOURCE_DATE_EPOCH) */
    int band_draws;         /* virtual people behind the projection's ranges
                               (mn_projection_options.band_draws: 64 by default; 0 the quick
                               band of two; -1 none) */
} mn_plan_options;

/** Fills the defaults: a 2-year horizon, maintenance that keeps 0.8 of the peak, and no
 *  preparation date (the library never reads the clock). @p opts must not be NULL. */
void mn_plan_options_init(mn_plan_options *opts);

typedef struct {
    const mn_site *zone;
    const mn_concern *concern;
    double depth_min_mm, depth_max_mm, depth_start_mm;
    double effective_depth_um;     /* at the start depth */
    double effective_depth_max_um; /* at the maximum depth */
    double anatomy_cap_mm;         /* longest setting that keeps the channel in the dermis */
    double passes;
    const char *limited_by;      /* "concern", "zone", "phototype", "anatomy", "device", or
                                    "precautions" when a finding's adjust block lowered the maximum
                                    below those */
    const char *base_limited_by; /* the bound before the findings' adjustments (limited_by
                                    without "precautions") */
    char why[1024];              /* one sentence on how the range was chosen, or why the zone
                                    is not booked */
    int not_booked;              /* 1: the zone's deepest setting is below half the shallowest
                                    needle length any study of its concern used, where the
                                    evidence does not reach: no session treats it, nothing is
                                    charged for it, and why says so (docs/clinic.md) */
    /* One setting per body site and visit. A site listed for several concerns is needled
     * once per visit at one depth: the safer (smaller) of their maximum depths, and the deeper
     * of their starts within it. Equal to depth_start_mm/depth_max_mm for a site listed once. */
    double site_start_mm, site_max_mm;
    /* The most the site's needle length rises from one course visit to the next
     * (MN_PLAN_RISE_MM, or MN_PLAN_RISE_GENTLE_MM for a gentle_rise concern of the site or a
     * finding's adjust gentle_rise), and the deepest setting its course reaches at that pace:
     * below site_max_mm when the course is too short to get there (course_max_mm =
     * site_start_mm without a course session). */
    double rise_mm, course_max_mm;
    double course_effective_max_um; /* how deep the channels reach at course_max_mm */
    const mn_concern *set_by;       /* the concern whose maximum sets the site's (first on a tie) */
    double site_passes;             /* passes of set_by's range */
    int course_sessions;            /* number of course sessions of this site */
    /* The course's spacing for this zone. course_interval_days is the interval its calendar
     * aims at: the longest usual interval of the concerns on its site (never below their
     * minimum intervals) plus interval_add_days. course_gaps_days are the days between its
     * consecutive course sessions as booked (n_course_gaps = course_sessions - 1): never below
     * the interval, above it where a session waits (up to half the interval) to share a visit
     * already booked, or moves off a Sunday. */
    int course_interval_days;
    int course_gaps_days[MN_CONCERN_MAX_SESSIONS - 1];
    int n_course_gaps;
    /* The findings that changed this zone (their rules' adjust blocks, catalog.h), in
     * screening order, and the range before they did. */
    const mn_rule *adjusted_by[MN_MAX_FINDINGS];
    int n_adjusted_by;
    double base_start_mm, base_max_mm; /* before the adjustments (= the final values if none) */
    int interval_add_days;             /* added to the zone's course interval */
    int held_at_device_min; /* 1 when an adjustment asked for less than the device's shortest
                               setting, which the zone keeps instead */
    char adjusted[512];     /* plain words: what the findings changed and why ("" if none) */
    /* The chance of PIH after at least one of this zone's course sessions as booked, by the
     * PIH law (mn_healing_pih_risk()) for the scenario the projection runs (the client, this
     * zone and concern, the device, each course visit's setting): what `mneedle simulate`
     * reports for that course; its low and high ends the law's band. 0 without a course
     * session (and for a client the plan does not treat). */
    double pih_probability, pih_probability_low, pih_probability_high;
} mn_plan_zone;

/** The needle setting of one body site at one visit (sessions[].settings[] in the JSON). */
typedef struct {
    int zone;                  /* index into plan->zones: the first plan zone with this site */
    const mn_concern *concern; /* the concern that sets the setting (mn_plan_zone.set_by) */
    double depth_mm;           /* the needle length at this visit, on the device's grid */
    double max_mm;             /* the site's maximum (never exceeded) */
    double passes;
    int course_step; /* 1..course_sessions for a course visit of this site, 0 for maintenance */
} mn_plan_setting;

typedef enum { MN_PHASE_COURSE = 0, MN_PHASE_MAINTENANCE = 1 } mn_phase;

typedef struct {
    int number; /* 1-based */
    mn_date date;
    mn_phase phase;
    unsigned int zone_mask; /* bit i = plan zone i treated in this session */
    unsigned int site_mask; /* the zones the visit treats, one per body site: the bits of
                               zone_mask whose plan zone is the first with its site (a site
                               listed for two concerns is needled once per visit); list
                               and time the visit from these */
    double numbing_min;     /* 0 when a finding rules the numbing cream out (its rule's numbing) */
    /* The skin numbed at the visit: the areas of its sites (data/sites.json area_cm2); 0
     * without numbing. numbing_in_turns is 1 when that is above MN_PLAN_NUMBING_MAX_CM2: the
     * sites are numbed and treated in turns, or the visit is split. */
    double numbing_area_cm2;
    int numbing_in_turns;
    double treatment_min;
    double price;
    /* One per site of site_mask, in plan-zone order; points into mn_plan.settings. The
     * course titrates each site from its start towards its maximum, evenly over its course
     * sessions and snapped down to the device's grid, rising by at most the site's rise_mm
     * from one course visit to the next; maintenance repeats the last course setting (or the
     * first, mn_concern.maintenance_at_start). */
    const mn_plan_setting *settings;
    int n_settings;
} mn_plan_session;

typedef struct {
    const mn_aftercare *item;
    int day_from, day_to; /* resolved: day_to never -1 here */
    int ongoing;          /* 1: every day of the course and after it (day_to is then the
                             last day before the next session, for a day grid) */
} mn_plan_aftercare;

/** One treated zone's own projection (zone_projections[] of mn_plan, `projection.zones[]` in
 *  the JSON): the course of that zone and concern alone, simulated by mn_healing_project() as
 *  the plan's curve is, reduced to its figures. Only zones whose concern the model projects
 *  and whose needle reaches the dermis get one; the others are in zones_not_projected. */
typedef struct {
    int zone; /* index into plan->zones */
    /* The course's peak for a typical person, its 10-90 % range and the day after the zone's
     * first session; the median of the drawn people's peaks (NAN without drawn people). */
    double peak_pct, peak_low_pct, peak_high_pct, peak_median_pct;
    int peak_day;
    /* Peak until half the peak is lost, its 10-90 % range, and the day the skin is back at its
     * start (-1: not within the 40 years searched). */
    int durability_days, durability_low_days, durability_high_days, back_to_baseline_day;
    /* back_to_baseline_day's 10-90 % range (-1: that percentile beyond the 40 years searched),
     * the share of the range's people not back within the search, and 1 when the day stated
     * (or the top of its range) lies beyond the evidence base's longest follow-up. */
    int back_to_baseline_low_day, back_to_baseline_high_day;
    double baseline_beyond_fraction;
    int baseline_extrapolated;
    /* The model's maintenance interval for this zone (the longest in the 3-12 month bounds
     * that keeps target_fraction of its peak), which bound binds it (-1 the shortest, +1 the
     * longest, 0 none) and, with +1, the model's own interval (-1: beyond the search). */
    int maintenance_interval_days;
    int interval_bound_side, interval_unbounded_days;
    /* 1 for the zone whose interval is the shortest: the zone of the plan's curve and
     * "How long will it last?" figures (mn_plan.lasting_zone). */
    int sets_interval;
    /* As mn_plan's of the same names, for this zone: the durability stated (or the top of its
     * range) lies beyond the evidence base's longest follow-up; the zone's deepest setting lies
     * below the shallowest needle length any study of its concern used (mm, -1: not known). */
    int durability_extrapolated;
    double evidence_shallowest_mm;
    char evidence_shallowest_study[64];
    int depth_extrapolated;
    /* As mn_plan's evidence_studies, for this zone's concern. */
    int evidence_studies;
    /* The zone's curve (samples: the typical person, its course then maintenance at the
     * interval the plan books, that is the zone that sets it: for that zone mn_healing_project()'s
     * samples with its 10-90 % band, as mn_plan.projection; for the others simulated again at
     * that interval, without a band, low and high equal to the line; owned, freed with the
     * plan), and the day of the
     * zone's first course session counted from the plan's first session (0 while every zone's
     * course starts on the first visit), so a figure can draw it on the plan's time axis. */
    mn_projection_sample *samples;
    int n_samples;
    int first_day;
    /* The day of the zone's last course session, counted as peak_day is: a duration that ends
     * more than evidence_followup_days after it is the model's extrapolation. */
    int last_course_day;
} mn_plan_zone_projection;

/** Why a treated zone has no projection (mn_plan.zones_not_projected). */
typedef enum {
    /* The concern does not follow dermal collagen (collagen_projection false in
     * data/concerns.json: pigment, hair): the model has no response for it at any depth. */
    MN_UNPROJECTED_CONCERN = 0,
    /* The zone's deepest course setting stays in the epidermis with this device: the collagen
     * model has nothing to act on (mn_healing_project() refuses with MN_ERANGE). */
    MN_UNPROJECTED_EPIDERMIS = 1,
    /* No course session treats the zone. */
    MN_UNPROJECTED_NO_COURSE = 2,
    /* The model refused the course for another reason, given in detail. */
    MN_UNPROJECTED_MODEL = 3,
    /* The concern follows collagen, but its projection is withheld (projection_withheld in
     * data/concerns.json: what is published contradicts what the model would give, or says
     * nothing), so no figure is given at any depth. */
    MN_UNPROJECTED_WITHHELD = 4,
    /* The zone's deepest course setting is less than MN_PLAN_PROJECT_MIN_STUDIED_FRACTION of
     * the shallowest needle length any study of the concern in the evidence base used: the
     * dose response would run far below the depths that inform it (docs/clinic.md). */
    MN_UNPROJECTED_BELOW_STUDIED = 5
} mn_unprojected_reason;

/** [JUDGEMENT] A zone is projected only while its deepest course setting is at least this
 *  fraction of the shallowest needle length a study of its concern used. The fitted dose
 *  response saturates at low doses (docs/models/healing.md §4: dose_half_sat 0.17) and no
 *  calibration study compares depths, so far below the studied settings the model still gives
 *  most of the studied effect, which nothing measured supports (issue of depth: the 0.2 mm
 *  forehead of a phototype V client was projected at 74 % against 83 % for his 1.2 mm
 *  cheeks). Half: a setting within a factor of two of the studies' is labelled an
 *  extrapolation and projected; one further off is not. */
#define MN_PLAN_PROJECT_MIN_STUDIED_FRACTION 0.5

/** A treated zone the plan does not project, and why (`projection.zones_not_projected[]`). */
typedef struct {
    int zone; /* index into plan->zones */
    mn_unprojected_reason reason;
    double needle_mm;  /* MN_UNPROJECTED_EPIDERMIS and _BELOW_STUDIED: the deepest course
                          setting, else 0 */
    double studied_mm; /* MN_UNPROJECTED_BELOW_STUDIED: the shallowest needle length a study of
                          the concern used, else 0 */
    char detail[256];  /* MN_UNPROJECTED_MODEL: the model's message; _BELOW_STUDIED: that
                          study's id; else "" */
} mn_plan_zone_unprojected;

/** One pre-treatment instruction of a plan, dated from the first visit. */
typedef struct {
    const mn_pretreatment *item;
    mn_date from; /* first visit minus item->days_before */
    /* The text for this client: item->text, and for an item that states_settings the deepest
     * setting each treated area's course reaches, the settings it is done at. */
    char text[1024];
} mn_plan_pretreatment;

typedef struct {
    mn_screening screening;
    mn_client client; /* copy of the input */
    mn_plan_options options;
    mn_plan_zone *zones;
    int n_zones;
    mn_plan_session *sessions;
    int n_sessions;
    mn_plan_setting *settings; /* storage for every session's settings */
    int n_settings;
    int n_course_sessions;
    mn_plan_aftercare *aftercare;
    int n_aftercare;
    /* before the first visit, in date order (the earliest first; the same date in catalogue
     * order): every client's items, and those the findings' adjust blocks name (none when no
     * session is planned) */
    mn_plan_pretreatment *pretreatment;
    int n_pretreatment;
    /* cost */
    double per_session, course_total, maintenance_per_year, horizon_total;
    double maintenance_visits_per_year;
    /* projection */
    mn_projection_sample *projection;
    int n_projection;
    int maintenance_interval_days;
    int maintenance_from_model; /* 1 when the collagen model set the interval */
    /* When the model did not set maintenance_interval_days: the concerns' own default behind it
     * (data/concerns.json maintenance_days), before the 3-12 month bounds. Below
     * maintenance_interval_days when the shortest bound raised it (hair loss: 60 days, booked
     * every 90), so outputs do not call the booked interval the concern's usual one. */
    int maintenance_default_days;
    char projection_note[1536];
    /* landmarks of the projection, indices into projection[] computed with it
     * (mn_healing_projection): peak; first below target_fraction x peak; first back at or
     * below baseline. -1: none (every one is -1 without a projection) */
    int projection_peak, projection_below_target, projection_baseline;
    /* "How long will it last?", computed once with the projection (mn_healing_projection of
     * the zone whose curve is shown) and only formatted by every output (text, JSON, report,
     * figure): the course alone for a typical person peaks at peak_pct (plausible range
     * peak_low_pct-peak_high_pct) peak_day days after the first session; half of that gain
     * is lost durability_days after the peak (-1: not within the 40 years searched) and the
     * skin is back at its starting level on back_to_baseline_day (-1: not found). has_lasting
     * is 0 without a projection. */
    int has_lasting;
    double lasting_peak_pct, lasting_peak_low_pct, lasting_peak_high_pct;
    int lasting_peak_day, lasting_durability_days, lasting_back_to_baseline_day;
    /* Their 10-90 % ranges (mn_healing_projection's): durability (-1: beyond 40 years) and
     * the maintenance interval each virtual person would need; lasting_band_draws is the
     * projection's band_draws (for mn_healing_range_note()). */
    int lasting_durability_low_days, lasting_durability_high_days;
    /* back_to_baseline_day's range and the share not back within the search, as
     * mn_healing_projection's; lasting_baseline_extrapolated as lasting_extrapolated, for the
     * day the skin is back at its starting level. */
    int lasting_back_to_baseline_low_day, lasting_back_to_baseline_high_day;
    double lasting_baseline_beyond_fraction;
    int lasting_baseline_extrapolated;
    int maintenance_interval_low_days, maintenance_interval_high_days;
    int lasting_band_draws;
    /* The band's people's median peak (NAN without drawn people) beside lasting_peak_pct, the
     * default constants' typical person, and whether the peak's range was widened to hold it
     * (mn_healing_projection's peak_median_pct, peak_range_widened). */
    double lasting_peak_median_pct;
    int lasting_peak_range_widened;
    /* The zone whose curve is shown (index into zones; -1 without a projection) and the
     * model's maintenance for it, as mn_healing_projection gives it: its interval (which
     * maintenance_interval_days, the one the visits follow, differs from only when a concern
     * the model does not project has a shorter usual interval), whether a bound binds
     * (lasting_interval_bound_side -1 the shortest, +1 the longest, 0 none), the model's own
     * interval past the longest (-1: beyond the search; 0 unless the longest binds) and the
     * share of the ranges' virtual people held at the longest bound. */
    int lasting_zone;
    int lasting_interval_days;
    int lasting_interval_bounded, lasting_interval_bound_side, lasting_interval_unbounded_days;
    double lasting_interval_at_longest_fraction;
    /* The longest follow-up after a course in the evidence base (days; 0: not known) and its
     * study; lasting_extrapolated is 1 when the durability stated (or the top of its range)
     * lies beyond it: that part is the model's extrapolation. */
    int evidence_followup_days;
    char evidence_followup_study[64];
    int lasting_extrapolated;
    /* The shallowest needle length any human study of the projected concern used (mm; -1: no
     * study of it publishes one, or not known) and its study; depth_extrapolated is 1 when the
     * projected zone's deepest setting lies below it: the projection then runs the dose response
     * at depths no study of the concern measured. */
    double evidence_shallowest_mm;
    char evidence_shallowest_study[64];
    int depth_extrapolated;
    /* How many human studies of the projected concern the evidence base holds
     * (mn_evidence_bundled_studies(); -1: not known). None: the figure is the collagen model with
     * the catalogue's judged response weight for the concern, not a response a study measured. */
    int evidence_studies;
    /* risk */
    char pih_risk[16]; /* "low", "moderate", "high": mn_plan_pih_label(pih_probability);
                          "none" when the plan books no session (mn_plan_books()) */
    /* The grade the text and report show: mn_plan_pih_grade(pih_probability_low,
     * pih_probability_high), every category the band reaches; "none" as pih_risk. */
    char pih_grade[24];
    /* The chance of PIH after at least one course session on any site the plan treats: each
     * site's course (its first plan zone's pih_probability; a site listed for two concerns is
     * needled once per visit) combined as the law combines sessions, 1 - prod(1 - p_site),
     * and so for the band's ends. With one site, that zone's figure. */
    double pih_probability, pih_probability_low, pih_probability_high;
    /* In order: the PIH note, the lasting adverse events (when any), one note per concern
     * whose catalogue entry has a response_note (every one of them, in the client's order),
     * the home-device infection note (when it applies). */
    char risk_notes[MN_PLAN_MAX_RISK_NOTES][640];
    int n_risk_notes;
    /* The sources of the note on lasting adverse events (the persistent ones marked cited in
     * data/adverse_events.json, each entry's source joined by "; "), for the references; empty
     * when the note is not given. */
    char risk_sources[800];
    /* What the plan warns about before anything else, for every decision:
     * start_before_prepared ($.clinic.start) when the client's start is before
     * options.prepared; the dates are kept as asked, so the first of them are already past. */
    mn_warnings warnings;
    /* Every treated zone's own projection, in plan-zone order (the zone of the curve among
     * them, sets_interval 1); none without a projection. */
    mn_plan_zone_projection *zone_projections;
    int n_zone_projections;
    /* Every treated zone without a projection, in plan-zone order, with its reason; none
     * when no session is planned. */
    mn_plan_zone_unprojected *zones_not_projected;
    int n_zones_not_projected;
    /* projection_note as the text and the report print it: a duration that ends beyond the
     * evidence base's longest follow-up is given to the half-year (docs/models/healing.md),
     * where the JSON's note keeps projection_note's months. */
    char projection_note_text[1536];
} mn_plan;

/** 1 when the plan treats (the decision is proceed or proceed with caution), 0 for a
 *  declined or deferred client, whose plan carries no treatment content. */
int mn_plan_treats(const mn_plan *plan);

/** 1 when the plan treats and books at least one zone; 0 when it does not treat, or when every
 *  zone is not booked (`zones[].booked` false: far below its concern's studies, docs/clinic.md).
 *  A plan that books nothing has no visits, aftercare sheet, pre-treatment steps, charge or
 *  PIH chance, and says why. Thread-safe. */
int mn_plan_books(const mn_plan *plan);

/**
 * Builds a plan for a validated client. Screening runs first; a declined or deferred client
 * gets its zones listed (which areas were asked about) but no sessions, no aftercare, no
 * cost and no projection; the writers leave out depths and risks for them too. Every finding
 * whose rule has an adjust block changes the zones it applies to (docs/clinic.md): the sum of
 * the blocks' depth changes lowers each zone's start and maximum (snapped down to a setting
 * the device has, never below its shortest one), their interval changes lengthen the course
 * interval, and their pre-treatment items join a treated plan's.
 * @param out  receives the plan; free it with mn_plan_free().
 * @return MN_OK; MN_EINVAL (NULL arguments, no start date, or a home-class device: plans are
 *         for clinic devices; the message names client->src and $.clinic.device); MN_ERANGE
 *         when a zone cannot be needled safely with the chosen device (message says which and
 *         why); MN_ENOMEM.
 */
mn_status mn_plan_build(mn_ctx *ctx, const mn_client *client, const mn_plan_options *opts,
                        mn_plan **out);

/**
 * What mn_plan_build refuses of a validated client before planning anything: a home-class
 * device (plans are for clinic devices). The record store checks stored clients with it, so a
 * stored client can always be planned.
 * @return MN_OK; MN_EINVAL (NULL client, or a home device: the message names client->src and
 *         $.clinic.device).
 */
mn_status mn_plan_client_check(mn_ctx *ctx, const mn_client *client);

/**
 * The earliest start of a plan for @p client (`mneedle plan --start earliest`): the day the
 * plan is prepared (opts->prepared) plus the longest lead (mn_pretreatment.days_before) of the
 * steps before the first visit that a plan of this client lists, so every one of them can
 * still be kept; the day it is prepared itself when there are none (a declined or deferred
 * client). The steps follow from the findings: they are those of a plan built from the day it
 * is prepared (client->start is not read). Set client->start to *out and build the plan with
 * mn_plan_build() and the same options.
 * @param opts  the options the plan will be built with; has_prepared must be 1.
 * @param out   receives the date.
 * @return MN_OK; MN_EINVAL (NULL arguments, or no preparation date); mn_plan_build()'s errors
 *         for this client.
 */
mn_status mn_plan_earliest_start(mn_ctx *ctx, const mn_client *client, const mn_plan_options *opts,
                                 mn_date *out);

/** Frees a plan. NULL-safe. */
void mn_plan_free(mn_plan *plan);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
