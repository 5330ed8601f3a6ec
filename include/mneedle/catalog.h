/*
 * mneedle catalogues: devices, body sites, concerns, products (molecules), screening rules and
 * aftercare items. They are read from JSON data files embedded in the library (data/ in the
 * source tree) or from a directory given with mn_ctx_create_with_data(). Every numeric value in
 * them carries its source in the file; docs/catalogues.md explains each.
 *
 * All pointers handed out here are owned by the context and valid until mn_ctx_free().
 * Reading a catalogue is thread-safe once the context is created.
 *
 * Thread safety: every function here only reads the catalogue, which does not change after
 * mn_ctx_create*() returns, so any number of threads may call them at once on the same
 * catalogue.
 */
#ifndef MNEEDLE_CATALOG_H
#define MNEEDLE_CATALOG_H

/** Most course sessions a concern may ask for (data/concerns.json: sessions.min, max,
 *  default): a weekly course for a year [judgement], above the longest course in the
 *  evidence base (12 weekly sessions, data/evidence/minh2019.json). */
#define MN_CONCERN_MAX_SESSIONS 52

#include "mneedle/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Declarations here are the exported API of libmneedle.so (CMakeLists.txt). */
#pragma GCC visibility push(default)

#define MN_MAX_ALIASES 6
/** Most fixed needle lengths one roller entry lists (lengths_mm). */
#define MN_MAX_LENGTHS 16
/** Most pre-treatment items one rule's adjust block names. */
#define MN_MAX_ADJUST_PRETREATMENT 8

typedef enum { MN_DEVICE_PEN, MN_DEVICE_ROLLER, MN_DEVICE_STAMP } mn_device_kind;
typedef enum { MN_DEVICE_CLINICAL, MN_DEVICE_HOME } mn_device_class;

typedef struct {
    const char *id;     /* contract name, e.g. "skinpen" */
    const char *name;   /* display name */
    const char *source; /* citation(s) for the numbers below */
    const char *aliases[MN_MAX_ALIASES];
    int n_aliases;
    mn_device_kind kind;
    mn_device_class device_class;
    int needles;                       /* needles per cartridge or drum */
    double stroke_hz;                  /* pens and stamps: strokes per second; 0 for rollers */
    double head_width_mm;              /* pens: width of the track one pass sweeps */
    double drum_diameter_mm;           /* rollers */
    double drum_width_mm;              /* rollers */
    double needle_diameter_um;         /* at the base */
    double depth_min_mm;               /* shortest setting (or fixed length for rollers) */
    double depth_max_mm;               /* longest setting */
    double depth_step_mm;              /* setting increment; 0 if the length is fixed */
    double lengths_mm[MN_MAX_LENGTHS]; /* rollers: the fixed needle lengths sold, ascending,
                                          first = depth_min_mm, last = depth_max_mm */
    int n_lengths;                     /* 0 for pens and stamps (they use depth_step_mm) */
    double depth_fraction_max;         /* effective-depth law: see device.h */
    double depth_fraction_half_mm;     /* effective-depth law: see device.h */
    double price_hint;                 /* typical consumable cost per session, 0 if none */
    double passes; /* rollers: passes over each area per session, the usual rolling technique
                      (required for rollers); 0 for pens and stamps, whose passes are the
                      concern's (mn_concern.passes) */
    double evaluated_max_mm;  /* the longest setting a regulator's evaluation covered, 0 when
                                 none is recorded; a plan that goes deeper says so */
    const char *evaluated_by; /* that evaluation, with its source; NULL when none */
} mn_device;

typedef struct {
    const char *id;
    const char *name;
    const char *source;
    const char *aliases[MN_MAX_ALIASES];
    int n_aliases;
    int facial;             /* 1 for face zones */
    double sc_um;           /* stratum corneum, reference adult (female, 25 y) */
    double ve_um;           /* viable epidermis */
    double papillary_um;    /* papillary dermis */
    double reticular_um;    /* reticular dermis */
    double subcutis_um;     /* subcutis (for the transport sink and depth checks) */
    double male_factor;     /* male/female ratio of epidermis + dermis thickness */
    double clinical_max_mm; /* usual upper needle length in clinics for this zone */
    double area_cm2;        /* typical treated area, for timing */
    double closure_factor;  /* channel-closure time relative to forearm (1 = same) */
} mn_site;

typedef struct {
    const char *id;
    const char *name;
    const char *source;
    const char *aliases[MN_MAX_ALIASES];
    int n_aliases;
    const char *zones[32]; /* zones where the concern is treated */
    int n_zones;
    double face_depth_mm[2];           /* usual needle length range on the face (min, max) */
    double body_depth_mm[2];           /* … on the body and scalp */
    double deep_face_max_mm;           /* a justified exception above 1.5 mm on the face, or 0 */
    const char *deep_reason;           /* why the exception is justified (NULL if none) */
    double dark_phototype_max_mm;      /* lower cap for dark phototypes, or 0 for none */
    int dark_phototype_from;           /* the lightest phototype that cap applies to (4-6; 4, IV-VI,
                                          when the entry names none) */
    const char *dark_phototype_reason; /* why the cap, in plain words for the zone's line (the
                                          extrapolation it avoids), or NULL */
    int sessions_min, sessions_max, sessions_default; /* 1..MN_CONCERN_MAX_SESSIONS */
    int interval_days;                                /* usual interval between course sessions */
    int min_interval_days;                            /* never closer than this */
    int maintenance_days;            /* default maintenance interval before the model sets it */
    double passes;                   /* usual passes per session */
    double response_weight;          /* how much the concern responds to collagen gain (0–1) */
    const char *response_note;       /* limited or variable response, when the evidence says so */
    int collagen_projection;         /* 1: the visible concern follows dermal collagen, so the
                                        healing model projects it; 0: it does not (pigment, hair),
                                        and no improvement is projected for it */
    const char *projection_withheld; /* why no improvement is projected though the concern
                                        follows collagen (the evidence contradicts what the
                                        model would give, or says nothing), or NULL */
    int maintenance_at_start;        /* 1: maintenance visits of a site treated for it repeat
                                        the course's first (shallowest) setting, not its last */
    const char *pretreatment[MN_MAX_ADJUST_PRETREATMENT]; /* pre-treatment ids (on_finding
                                        items of data/aftercare.json) every client treated for
                                        it gets, whatever the findings */
    int n_pretreatment;
    int gentle_rise; /* 1: the needle length of a site treated for it rises by at most
                        MN_PLAN_RISE_GENTLE_MM per course visit, not MN_PLAN_RISE_MM
                        (clinic.h): a pigment concern, which inflammation darkens */
} mn_concern;

typedef struct {
    const char *id;
    const char *name;
    const char *source;
    const char *aliases[MN_MAX_ALIASES];
    int n_aliases;
    double mw;                  /* g/mol */
    double logp;                /* octanol/water log P */
    double concentration_mg_ml; /* typical in a serum */
    double solubility_mg_ml;    /* in water near skin temperature; 0 = not known (estimated) */
    const char *solubility_source;
    const char *note;
    /* Stokes radius in water for a solute that is not a compact sphere (linear polymers); 0 =
     * a sphere of MW x 0.75 cm³/g (docs/models/transport.md) */
    double hydrodynamic_radius_nm;
    const char *hydrodynamic_radius_source;
} mn_product;

typedef enum {
    MN_SEVERITY_CAUTION = 1,
    MN_SEVERITY_DEFER = 2,
    MN_SEVERITY_DECLINE = 3
} mn_severity;

typedef enum {
    MN_RULE_FLAG,         /* a boolean history flag is true */
    MN_RULE_MONTHS_AGO,   /* a "months ago" number is below the threshold */
    MN_RULE_WEEKS_AGO,    /* a "weeks ago" number is below the threshold */
    MN_RULE_PHOTOTYPE_GE, /* Fitzpatrick type at or above the threshold */
    MN_RULE_AGE_GE,       /* age at or above the threshold */
    MN_RULE_SMOKER,       /* lifestyle.smoker is true */
    MN_RULE_NO_HISTORY,   /* the client file has no history: the questionnaire was not taken */
    MN_RULE_AGE_LT,       /* age below the threshold */
    MN_RULE_MONTHS_AGO_AT_LEAST, /* a "months ago" number at or above the threshold */
    MN_RULE_HISTORY_OLDER_MONTHS /* the questionnaire was answered more than threshold months
                                    before the screening day (mn_client.screen_date) */
} mn_rule_kind;

/** A reason an adjust block gives in place of its own for a zone treated for one concern
 *  (the block's `concern_reasons` in data/rules.json): where the evidence behind the block is
 *  from other sites and the concern's own studies neither support nor rule out the change,
 *  the zone's line says so, with its source. */
typedef struct {
    const char *concern; /* concern id (concerns.json) */
    const char *reason;  /* plain words for the client, shown instead of the block's reason */
    const char *source;  /* what that concern's studies report, and why the change stays */
} mn_rule_adjust_reason;

#define MN_MAX_ADJUST_CONCERN_REASONS 4

/** What a rule that fires changes in the plan (the rule's `adjust` block in data/rules.json;
 *  docs/clinic.md). Depth changes are never positive and interval changes never negative: an
 *  adjustment only makes the plan more conservative. */
typedef struct {
    int present;       /* 1 when the rule has an adjust block */
    double start_mm;   /* added to each zone's starting needle length (<= 0) */
    double max_mm;     /* added to each zone's maximum needle length (<= 0) */
    int interval_days; /* added to the interval between course sessions (>= 0) */
    const char *pretreatment[MN_MAX_ADJUST_PRETREATMENT]; /* pre-treatment ids it adds */
    int n_pretreatment;
    int gentle_rise;    /* 1: each zone's needle length rises by at most MN_PLAN_RISE_GENTLE_MM
                           per course visit, not MN_PLAN_RISE_MM (clinic.h) */
    const char *reason; /* plain words for the client: "you take blood thinners" */
    const char *source; /* where the values come from */
    mn_rule_adjust_reason concern_reasons[MN_MAX_ADJUST_CONCERN_REASONS];
    int n_concern_reasons;
} mn_rule_adjust;

/** The reason adjust block @p a gives for a zone treated for concern @p concern: the
 *  concern's entry in the block's concern_reasons, else the block's own reason. NULL-safe
 *  (NULL when @p a is NULL). Thread-safe. */
const char *mn_rule_adjust_reason_for(const mn_rule_adjust *a, const mn_concern *concern);

/** Longest rule name (mn_rule.name) the catalogue accepts, in bytes. */
#define MN_RULE_NAME_MAX 80

typedef struct {
    const char *code; /* stable, e.g. "MN-S-ISOTRETINOIN" */
    const char *name; /* the finding in a few words for a clinician ("pregnancy", "recent
                         isotretinoin"): what the record's hold reasons and lists print in
                         place of the code; NULL when the catalogue gives none */
    const char *flag; /* history key (or "fitzpatrick", "age", "smoker") */
    const char *message;
    const char *advice; /* what the client can do next, for a defer or decline; NULL: none */
    const char *source;
    mn_rule_kind kind;
    mn_severity severity;
    double threshold;      /* months, weeks, phototype or years, by kind */
    const char *zones[16]; /* the rule applies only to these zones (none = all) */
    int n_zones;
    int defer_until_known;   /* 1 when a re-screen date can be computed */
    int ongoing_at_zero;     /* months/weeks ago: 0 means it still goes on, so no date is known */
    const char *unless;      /* a boolean history item; the rule does not fire when it is true
                                (a more severe rule covers the case); NULL: none */
    int no_numbing;          /* 1 ("numbing": "none"): when the rule fires, no numbing cream is
                                used, and the plan books no numbing time */
    mn_rule_adjust adjust;   /* what the rule changes in the plan when it fires */
    const char *input_label; /* what the input records, in words, where its key says more or
                                other than the rule reads ("input_label"); NULL: the key says it */
} mn_rule;

typedef enum {
    MN_AFTERCARE_DO,
    MN_AFTERCARE_AVOID,
    MN_AFTERCARE_EXPECT,
    MN_AFTERCARE_RED_FLAG
} mn_aftercare_kind;

typedef struct {
    const char *id;
    const char *text;
    const char *source;
    mn_aftercare_kind kind;
    int day_from;        /* day offset from the session, 0 = the day of treatment */
    int day_to;          /* inclusive; -1 = every day until the next session */
    double min_depth_mm; /* only when a zone is needled at least this deep (0 = always) */
    /* The item holds every day for the whole course and after (no end day) when the plan
     * treats one of these concerns or the client's phototype is at least ongoing_phototype
     * (0: never from the phototype). */
    const char *ongoing_concerns[8];
    int n_ongoing_concerns;
    int ongoing_phototype;
    /* Only when the plan treats one of these areas (bits of mn_aftercare_area; 0 = always):
     * make-up is a face item, hair products a scalp one. */
    unsigned areas;
    const char *on_rule;     /* only when this rule's finding is in the screening (NULL = any) */
    const char *unless_rule; /* not when this rule's finding is in the screening (NULL = none) */
    /* only when the plan's list before the first visit has this pre-treatment item (NULL =
     * any): restarting a product that list stops */
    const char *with_pretreatment;
} mn_aftercare;

/** Areas an aftercare item may be limited to (mn_aftercare.areas). */
typedef enum {
    MN_AREA_FACE = 1u,  /* a facial zone (sites[].facial) */
    MN_AREA_SCALP = 2u, /* the scalp */
    MN_AREA_BODY = 4u   /* any other zone: neck, body */
} mn_aftercare_area;

/** A pre-treatment instruction: what to stop or start before the first visit
 *  (the `pretreatment` list of data/aftercare.json). */
typedef struct {
    const char *id;
    const char *name; /* the item in a few words, for listings (mneedle catalog rules); the id
                         where the catalogue gives none */
    const char *text; /* plain words for the client */
    const char *source;
    int days_before;            /* from this many days before the first visit */
    const char *days_from_rule; /* days_before is that weeks_ago rule's wait (NULL = given) */
    int min_phototype;   /* only for Fitzpatrick phototypes at or above this (0 = every client) */
    int on_finding;      /* 1: only when a finding's adjust block names it */
    const char *on_rule; /* only when this rule's finding is in the screening (NULL = any) */
    int states_settings; /* 1: the plan adds the needle settings it is done at, the deepest
                            setting each treated area's course reaches (a test patch) */
} mn_pretreatment;

/** Longest id of a kind of adverse event, with its NUL: the clinic record keeps a kind's id as
 *  it keeps a client's (store.h, MN_STORE_ID_LEN). */
#define MN_ADVERSE_ID_LEN 40
/** Longest name and source of a kind of adverse event, with the NUL (the clinic record's
 *  copies, store.h mn_adverse_kind, hold them whole). */
#define MN_ADVERSE_NAME_LEN   96
#define MN_ADVERSE_SOURCE_LEN 400
/**
 * An id no kind of adverse event may take: the choice a form offers for an event the
 * catalogue does not name (recorded as free text). "none" is refused too: the clinic record
 * takes it as the record that there were no events.
 */
#define MN_ADVERSE_KIND_OTHER "other"

/** A kind of adverse event (data/adverse_events.json): what the clinic record takes as a
 *  recorded event's kind (store.h), and, for the persistent and cited ones, the lasting effects
 *  a plan's risks name (docs/clinic.md). */
typedef struct {
    const char *id;     /* a letter, then letters, digits and '-' (below MN_ADVERSE_ID_LEN) */
    const char *name;   /* display name */
    int persistent;     /* 1: the sources call it persistent; 0: transient */
    int cited;          /* 1: a cited review lists it ("cited"); 0: "secondary" */
    const char *status; /* "cited" or "secondary", as in the file */
    const char *source;
    /* 1: an open event of this kind holds the client's visits whatever its severity ("holds":
     * "any-severity" in the file, with its reason in "holds_source"); 0: only when severe. */
    int holds_any_severity;
    const char *holds_source; /* why; "" when holds_any_severity is 0 */
    /* 1: after an event of this kind, the next visit on the zones of the session it followed
     * is set one step of that session's device below the depth used there ("after": "step-down"
     * in the file, with its reason in "after_source"); 0: the plan's titration goes on. */
    int step_down_after;
    const char *step_down_source; /* why; "" when step_down_after is 0 */
} mn_adverse_event_kind;

typedef struct mn_catalog mn_catalog;

/** The context's catalogue. Never NULL for a created context. */
const mn_catalog *mn_ctx_catalog(const mn_ctx *ctx);

/**
 * Number of devices in the catalogue (data/devices.json or its override).
 * @param cat  a catalogue from mn_ctx_catalog(); NULL gives 0.
 * @return the count; entries are numbered 0 .. count - 1 in file order.
 */
size_t mn_catalog_device_count(const mn_catalog *cat);
/**
 * Device number @p i, in file order.
 * @return the entry, owned by the context (valid until mn_ctx_free()); NULL when @p cat is
 *         NULL or @p i is not below mn_catalog_device_count().
 */
const mn_device *mn_catalog_device_at(const mn_catalog *cat, size_t i);
/** Number of body sites (zones) in the catalogue (data/sites.json); 0 for a NULL @p cat. */
size_t mn_catalog_site_count(const mn_catalog *cat);
/**
 * Site number @p i, in file order.
 * @return the entry, owned by the context; NULL when @p cat is NULL or @p i is out of range.
 */
const mn_site *mn_catalog_site_at(const mn_catalog *cat, size_t i);
/** Number of concerns (data/concerns.json); 0 for a NULL @p cat. */
size_t mn_catalog_concern_count(const mn_catalog *cat);
/**
 * Concern number @p i, in file order.
 * @return the entry, owned by the context; NULL when @p cat is NULL or @p i is out of range.
 */
const mn_concern *mn_catalog_concern_at(const mn_catalog *cat, size_t i);
/** Number of products (serum molecules, data/products.json); 0 for a NULL @p cat. */
size_t mn_catalog_product_count(const mn_catalog *cat);
/**
 * Product number @p i, in file order.
 * @return the entry, owned by the context; NULL when @p cat is NULL or @p i is out of range.
 */
const mn_product *mn_catalog_product_at(const mn_catalog *cat, size_t i);
/** Number of screening rules (data/rules.json); 0 for a NULL @p cat. */
size_t mn_catalog_rule_count(const mn_catalog *cat);
/**
 * Screening rule number @p i, in file order (the order mn_screen() applies them in).
 * @return the entry, owned by the context; NULL when @p cat is NULL or @p i is out of range.
 */
const mn_rule *mn_catalog_rule_at(const mn_catalog *cat, size_t i);
/** A full citation for a source key the catalogues name (data/references.json). */
typedef struct {
    const char *key;      /* "F25", "seed 003" */
    const char *citation; /* authors, title, journal, year;volume(issue):pages, doi */
} mn_reference;

/** Number of references (data/references.json); 0 for a NULL @p cat. */
size_t mn_catalog_reference_count(const mn_catalog *cat);
/**
 * Reference number @p i, in file order.
 * @return the entry, owned by the context; NULL when @p cat is NULL or @p i is out of range.
 */
const mn_reference *mn_catalog_reference_at(const mn_catalog *cat, size_t i);
/**
 * The reference with key @p key ("F25", "seed 003"), compared exactly.
 * @return the entry, owned by the context; NULL when there is none.
 */
const mn_reference *mn_catalog_find_reference(const mn_catalog *cat, const char *key);

/**
 * The references a source text cites: each key it names ("F25", "F05a"; "seed article 001",
 * "seed articles 001, 004", "seed 002" for the seed articles) resolved in data/references.json,
 * in order of first mention, each once.
 * @param out      receives up to @p max entries (owned by the context); may be NULL when
 *                 @p max is 0
 * @param unknown  receives the number of keys named but not in the catalogue; may be NULL
 * @return the number of references found (all of them, even past @p max).
 */
size_t mn_catalog_cite(const mn_catalog *cat, const char *source, const mn_reference **out,
                       size_t max, size_t *unknown);

/** Number of aftercare items (data/aftercare.json); 0 for a NULL @p cat. */
size_t mn_catalog_aftercare_count(const mn_catalog *cat);
/**
 * Aftercare item number @p i, in file order.
 * @return the entry, owned by the context; NULL when @p cat is NULL or @p i is out of range.
 */
const mn_aftercare *mn_catalog_aftercare_at(const mn_catalog *cat, size_t i);

/** Number of pre-treatment items (data/aftercare.json, `pretreatment`); 0 for a NULL @p cat. */
size_t mn_catalog_pretreatment_count(const mn_catalog *cat);
/**
 * Pre-treatment item number @p i, in file order.
 * @return the entry, owned by the context; NULL when @p cat is NULL or @p i is out of range.
 */
const mn_pretreatment *mn_catalog_pretreatment_at(const mn_catalog *cat, size_t i);

/** Number of kinds of adverse event (data/adverse_events.json); 0 for a NULL @p cat. */
size_t mn_catalog_adverse_event_count(const mn_catalog *cat);
/**
 * Kind of adverse event number @p i, in file order.
 * @return the entry, owned by the context; NULL when @p cat is NULL or @p i is out of range.
 */
const mn_adverse_event_kind *mn_catalog_adverse_event_at(const mn_catalog *cat, size_t i);
/**
 * The kind of adverse event with id @p id, compared exactly (ids are stored in the record as
 * they are written).
 * @return the entry, owned by the context; NULL when there is none.
 */
const mn_adverse_event_kind *mn_catalog_find_adverse_event(const mn_catalog *cat, const char *id);

/**
 * Finds an entry by id or alias (case-insensitive; '_' and ' ' match '-').
 * @return the entry, or NULL if the name is unknown.
 */
const mn_device *mn_catalog_find_device(const mn_catalog *cat, const char *name);
/** 1 when @p needle_mm is inside @p device's catalogue range (depth_min_mm to depth_max_mm,
 *  ends included, to within 1e-9 mm so a catalogue value typed back matches), else 0 (also for
 *  a NULL device or a non-finite length). The one check behind every reader that takes a
 *  needle length and behind the models' own argument checks. Thread-safe. */
int mn_device_needle_in_range(const mn_device *device, double needle_mm);
/** 1 when @p needle_mm is a setting @p device can be used at: for a roller (n_lengths > 0) one
 *  of the fixed lengths it is made in (lengths_mm, to within 1e-9 mm), for a pen or stamp any
 *  length in its range (mn_device_needle_in_range()); else 0 (also for a NULL device or a
 *  non-finite length). The check behind every reader of a needle setting (absorb, simulate,
 *  cohort, record session). The models themselves take any length in the range, so a
 *  sensitivity analysis may sweep it. Thread-safe. */
int mn_device_needle_offered(const mn_device *device, double needle_mm);
/** Writes, for a message, the settings @p device offers: "range 0.2-3 mm" (pens, stamps) or
 *  "lengths 0.25, 0.5, 1, 1.5 mm" (rollers), NUL-terminated and cut to @p size bytes.
 *  Thread-safe. */
void mn_device_needle_describe(const mn_device *device, char *buf, size_t size);
/** As mn_catalog_find_device(), for a site ("forehead", "cheek"). NULL if unknown or if an
 *  argument is NULL; the entry is owned by the context. */
const mn_site *mn_catalog_find_site(const mn_catalog *cat, const char *name);
/** As mn_catalog_find_device(), for a concern ("wrinkles", "acne-scars"). NULL if unknown or
 *  if an argument is NULL; the entry is owned by the context. */
const mn_concern *mn_catalog_find_concern(const mn_catalog *cat, const char *name);

/**
 * Whether the healing model's improvement is projected for @p c: the concern follows dermal
 * collagen (collagen_projection) and no projection is withheld for it (projection_withheld).
 * @return 1 or 0 (0 for NULL).
 * Thread-safety: safe from any thread.
 */
int mn_concern_projected(const mn_concern *c);

/** As mn_catalog_find_device(), for a product ("vitamin-c"). NULL if unknown or if an
 *  argument is NULL; the entry is owned by the context. */
const mn_product *mn_catalog_find_product(const mn_catalog *cat, const char *name);

/** 1 if the concern is treated in that zone (by id), 0 otherwise. */
int mn_concern_has_zone(const mn_concern *concern, const char *zone_id);

/** Name of a severity ("caution", "defer", "decline"). */
const char *mn_severity_name(mn_severity severity);

/** Name of a device kind ("pen", "roller", "stamp") and class ("clinical", "home"). */
const char *mn_device_kind_name(mn_device_kind kind);
/** Name of a device class: "home" for MN_DEVICE_HOME, "clinical" otherwise. Static storage. */
const char *mn_device_class_name(mn_device_class device_class);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
