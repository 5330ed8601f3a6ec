/*
 * The evidence base: loading and validating study files (docs/evidence.md). The bundled
 * studies are embedded at build time (cmake/embed.cmake, table mn__embedded_evidence); a
 * user's come from a directory. Each file is checked as strictly as any input: unknown keys,
 * types, ranges, enumerations, ids unique over the set and named like the file, arms that
 * endpoints name, concerns of the catalogue, and the consistency of each time point (one time
 * key, at least one value, counts within n, category values matching the categories).
 *
 * Strings point into the file's parsed JSON, which the set keeps; every other allocation of a
 * study is recorded so that a study that fails half-way leaves the set as it was.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/dir.h"
#include "core/json_in.h"
#include "mneedle/catalog.h"
#include "mneedle/evidence.h"

struct mn__embedded_file {
    const char *name;
    const char *data;
    size_t len;
};
extern const struct mn__embedded_file mn__embedded_evidence[];

/* Limits of one study (docs/evidence.md). */
#define MAX_ARMS       8
#define MAX_ENDPOINTS  32
#define MAX_TIMEPOINTS 32
#define MAX_CATEGORIES 16
#define MAX_STRINGS    64
#define MAX_N          100000 /* participants in one study */
#define MAX_DAYS       36500  /* 100 years */
#define MAX_HOURS      100000
#define MAX_ABS_VALUE  1e6 /* any published value in its own unit */
#define MAX_NEEDLE_MM  5.0
#define MIN_NEEDLE_MM  0.01
#define MAX_SESSIONS   100
#define MAX_PASSES     100
#define MAX_INTERVAL   365
#define MAX_AGE        120
/* Percentages per category may add to a little over 100 by rounding in the paper. */
#define PCT_SUM_SLACK 0.5

struct mn_evidence {
    mn_evidence_study **studies;
    json_t **roots;
    char **sources;
    size_t n, cap;
    void **allocs; /* every array a study points to */
    size_t n_allocs, cap_allocs;
};

typedef struct {
    mn__jin in;
    mn_evidence *ev;
    const mn_catalog *cat;
} parser;

static const char *const roles[] = {"calibration", "validation", NULL};
static const char *const families[] = {
    "histology", "clinical_scale", "depth_comparison", "pih", "erythema", "channel_closure", NULL};
static const char *const quantities[] = {
    "level",       "change",     "reduction",    "pct_change", "pct_reduction",
    "improvement", "responders", "distribution", "events",     "duration",
    "difference",  "ratio",      "comparison",   NULL};
static const char *const designs[] = {"split-face",     "rct",    "case-series", "cohort",
                                      "within-subject", "animal", NULL};
static const char *const verified_levels[] = {"full text", "abstract only", "secondary", NULL};
static const char *const device_classes[] = {"pen", "roller", "stamp", "array", NULL};
static const char *const directions[] = {"lower_better", "none", "higher_better", NULL};
static const char *const bounds[] = {"exact", "at_most", "at_least", NULL};
static const char *const signs[] = {"none", "greater", "less", "no_difference", NULL};
static const char *const phototype_names[] = {"I", "II", "III", "IV", "V", "VI", NULL};
static const char *const scales[] = {"histometry_pct_change",
                                     "histometry_level",
                                     "goodman_baron_qualitative",
                                     "goodman_baron_quantitative",
                                     "ecca",
                                     "quartile_improvement",
                                     "pct_improvement",
                                     "gais_responders",
                                     "gais",
                                     "wrinkle_grade",
                                     "alexiades_grade",
                                     "masi",
                                     "striae_grade",
                                     "colorimetry",
                                     "scar_score",
                                     "ultrasound_density",
                                     "profilometry",
                                     "pih_count",
                                     "erythema_days",
                                     "erythema_index",
                                     "tewl_recovery",
                                     "pore_closure",
                                     "patient_rating",
                                     NULL};
static const char *const units[] = {"score",       "%",     "patients",  "events",
                                    "days",        "hours", "um",        "g/m2/h",
                                    "cells/field", "ratio", "arbitrary", NULL};

const char *mn_evidence_role_name(mn_evidence_role role)
{
    return role >= 0 && role <= MN_EVIDENCE_VALIDATION ? roles[role] : "unknown";
}

const char *mn_evidence_family_name(mn_evidence_family family)
{
    return family >= 0 && family < MN_EVIDENCE_FAMILY_COUNT ? families[family] : "unknown";
}

const char *mn_evidence_quantity_name(mn_evidence_quantity quantity)
{
    return quantity >= 0 && quantity < MN_EVIDENCE_QUANTITY_COUNT ? quantities[quantity]
                                                                  : "unknown";
}

/* ---- allocation, recorded so that a failed study can be undone ---- */

static void *ev_alloc(mn_evidence *ev, size_t n, size_t size)
{
    if (ev->n_allocs == ev->cap_allocs) {
        size_t cap = ev->cap_allocs ? 2 * ev->cap_allocs : 64;
        void **a = mn__realloc(ev->allocs, cap * sizeof *a);
        if (!a)
            return NULL;
        ev->allocs = a;
        ev->cap_allocs = cap;
    }
    void *p = mn__calloc(n ? n : 1, size);
    if (p)
        ev->allocs[ev->n_allocs++] = p;
    return p;
}

static void ev_undo(mn_evidence *ev, size_t mark)
{
    while (ev->n_allocs > mark)
        mn__free(ev->allocs[--ev->n_allocs]);
}

static mn_status nomem(const parser *P)
{
    return mn__error(P->in.ctx, MN_ENOMEM, "%s: out of memory", P->in.src);
}

/* ---- typed readers on top of core/json_in.h ---- */

/* "a, b, c" of a NULL-terminated list, for messages. */
static void join(char *buf, size_t n, const char *const *names)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int i = 0; names[i] && k < n; i++)
        k += (size_t)snprintf(buf + k, n - k, "%s%s", i ? ", " : "", names[i]);
}

static int lookup(const char *const *names, const char *s)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

/* A string member that must be one of @p names; *out is its index. */
static mn_status jenum(const parser *P, json_t *obj, const char *path, const char *key,
                       int required, const char *const *names, int *out, int *present)
{
    const char *s = NULL;
    int here = 0;
    mn_status st = mn__jstr(&P->in, obj, path, key, required, &s, &here);
    if (present)
        *present = here;
    if (st || !here)
        return st;
    int k = lookup(names, s);
    if (k < 0) {
        char list[512];
        join(list, sizeof list, names);
        return mn__error(P->in.ctx, MN_ERANGE, "%s: %s.%s: expected one of %s; got \"%.60s\"",
                         P->in.src, path, key, list, s);
    }
    *out = k;
    return MN_OK;
}

/* A non-empty string member. */
static mn_status jtext(const parser *P, json_t *obj, const char *path, const char *key,
                       int required, const char **out)
{
    int here = 0;
    *out = NULL;
    mn_status st = mn__jstr(&P->in, obj, path, key, required, out, &here);
    if (st || !here)
        return st;
    if ((*out)[0] == '\0')
        return mn__error(P->in.ctx, MN_ERANGE, "%s: %s.%s: expected a non-empty string", P->in.src,
                         path, key);
    return MN_OK;
}

/* [lo, hi] with both in [min, max] and lo <= hi; absent leaves out untouched. */
static mn_status jpair(const parser *P, json_t *obj, const char *path, const char *key, double min,
                       double max, double out[2], int *present)
{
    json_t *a;
    int here = 0;
    mn_status st = mn__jarr(&P->in, obj, path, key, 0, 2, 2, &a, &here);
    if (present)
        *present = here;
    if (st || !here)
        return st;
    char p[256], pi[280];
    mn__jpath_key(p, sizeof p, path, key);
    double v[2];
    for (size_t i = 0; i < 2; i++) {
        mn__jpath_index(pi, sizeof pi, p, i);
        if ((st = mn__jnum_value(&P->in, json_array_get(a, i), pi, min, max, &v[i])))
            return st;
    }
    if (v[0] > v[1])
        return mn__error(P->in.ctx, MN_ERANGE,
                         "%s: %s: [%.15g, %.15g] is not in order; expected [low, high]", P->in.src,
                         p, v[0], v[1]);
    out[0] = v[0];
    out[1] = v[1];
    return MN_OK;
}

/* An array of 0..max non-empty strings. */
static mn_status jstrings(const parser *P, json_t *obj, const char *path, const char *key,
                          int required, size_t min_len, size_t max_len, const char *const **out,
                          int *n)
{
    json_t *a;
    int here = 0;
    *out = NULL;
    *n = 0;
    mn_status st = mn__jarr(&P->in, obj, path, key, required, min_len, max_len, &a, &here);
    if (st || !here)
        return st;
    size_t len = json_array_size(a);
    const char **list = ev_alloc(P->ev, len, sizeof *list);
    if (!list)
        return nomem(P);
    char p[256], pi[280];
    mn__jpath_key(p, sizeof p, path, key);
    for (size_t i = 0; i < len; i++) {
        json_t *v = json_array_get(a, i);
        mn__jpath_index(pi, sizeof pi, p, i);
        if (!json_is_string(v) || json_string_value(v)[0] == '\0')
            return mn__error(P->in.ctx, MN_ETYPE, "%s: %s: expected a non-empty string, got %s",
                             P->in.src, pi, mn__json_type_name(v));
        list[i] = json_string_value(v);
    }
    *out = list;
    *n = (int)len;
    return MN_OK;
}

static int id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 63)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* An id member: [a-z0-9_-], 1 to 63 characters. */
static mn_status jid(const parser *P, json_t *obj, const char *path, const char *key,
                     const char **out)
{
    mn_status st = mn__jstr(&P->in, obj, path, key, 1, out, NULL);
    if (st)
        return st;
    if (!id_ok(*out))
        return mn__error(P->in.ctx, MN_ERANGE,
                         "%s: %s.%s: \"%.70s\" is not an id; expected 1 to 63 of a-z, 0-9, _ and -",
                         P->in.src, path, key, *out);
    return MN_OK;
}

/* ---- the parts of a study ---- */

static mn_status population(const parser *P, json_t *obj, const char *path,
                            mn_evidence_population *pop)
{
    static const char *const keys[] = {"n",      "n_analysed", "age_mean",   "age_sd",  "age_range",
                                       "female", "male",       "phototypes", "species", NULL};
    mn_status st;
    if ((st = mn__jis_object(&P->in, obj, path)) || (st = mn__jkeys(&P->in, obj, path, keys)))
        return st;
    long v = 0;
    int here = 0;
    pop->age_mean = pop->age_sd = pop->age_range[0] = pop->age_range[1] = NAN;
    pop->female = pop->male = -1;
    if ((st = mn__jint(&P->in, obj, path, "n", 0, 1, MAX_N, &v, &here)))
        return st;
    pop->n = here ? (int)v : 0;
    if ((st = mn__jint(&P->in, obj, path, "n_analysed", 0, 1, MAX_N, &v, &here)))
        return st;
    pop->n_analysed = here ? (int)v : 0;
    if (pop->n && pop->n_analysed > pop->n)
        return mn__error(P->in.ctx, MN_ERANGE, "%s: %s.n_analysed: %d is more than n (%d)",
                         P->in.src, path, pop->n_analysed, pop->n);
    if ((st = mn__jnum(&P->in, obj, path, "age_mean", 0, 0, MAX_AGE, &pop->age_mean, NULL)) ||
        (st = mn__jnum(&P->in, obj, path, "age_sd", 0, 0, MAX_AGE, &pop->age_sd, NULL)) ||
        (st = jpair(P, obj, path, "age_range", 0, MAX_AGE, pop->age_range, NULL)))
        return st;
    static const char *const sexes[] = {"female", "male"};
    int *dst[] = {&pop->female, &pop->male};
    for (int k = 0; k < 2; k++) {
        if ((st = mn__jint(&P->in, obj, path, sexes[k], 0, 0, MAX_N, &v, &here)))
            return st;
        if (here) {
            if (pop->n && v > pop->n)
                return mn__error(P->in.ctx, MN_ERANGE, "%s: %s.%s: %ld is more than n (%d)",
                                 P->in.src, path, sexes[k], v, pop->n);
            *dst[k] = (int)v;
        }
    }
    if (pop->n && pop->female >= 0 && pop->male >= 0 && pop->female + pop->male > pop->n)
        return mn__error(P->in.ctx, MN_ERANGE, "%s: %s: female + male (%d) is more than n (%d)",
                         P->in.src, path, pop->female + pop->male, pop->n);
    const char *const *types;
    int nt;
    if ((st = jstrings(P, obj, path, "phototypes", 0, 1, 6, &types, &nt)))
        return st;
    for (int i = 0; i < nt; i++) {
        int k = lookup(phototype_names, types[i]);
        if (k < 0 || (pop->phototypes & (1u << k)))
            return mn__error(P->in.ctx, MN_ERANGE,
                             "%s: %s.phototypes[%d]: \"%.20s\" %s; expected I, II, III, IV, V "
                             "or VI, each once",
                             P->in.src, path, i, types[i],
                             k < 0 ? "is not a phototype" : "is repeated");
        pop->phototypes |= 1u << k;
    }
    return jtext(P, obj, path, "species", 0, &pop->species);
}

static mn_status protocol(const parser *P, json_t *obj, const char *path, mn_evidence_arm *arm)
{
    static const char *const keys[] = {
        "device",         "device_class",  "needle_mm",     "needle_mm_range", "passes", "sessions",
        "sessions_range", "sessions_mean", "interval_days", "adjuncts",        NULL};
    mn_status st;
    if ((st = mn__jis_object(&P->in, obj, path)) || (st = mn__jkeys(&P->in, obj, path, keys)))
        return st;
    int k = 0, here = 0;
    long v = 0;
    double r[2];
    arm->has_protocol = 1;
    if ((st = jtext(P, obj, path, "device", 0, &arm->device)) ||
        (st = jenum(P, obj, path, "device_class", 0, device_classes, &k, &here)))
        return st;
    if (here)
        arm->device_class = device_classes[k];
    if ((st = mn__jnum(&P->in, obj, path, "needle_mm", 0, MIN_NEEDLE_MM, MAX_NEEDLE_MM,
                       &arm->needle_mm, NULL)) ||
        (st = jpair(P, obj, path, "needle_mm_range", MIN_NEEDLE_MM, MAX_NEEDLE_MM,
                    arm->needle_mm_range, NULL)))
        return st;
    if ((st = mn__jint(&P->in, obj, path, "passes", 0, 1, MAX_PASSES, &v, &here)))
        return st;
    arm->passes = here ? (int)v : 0;
    if ((st = mn__jint(&P->in, obj, path, "sessions", 0, 1, MAX_SESSIONS, &v, &here)))
        return st;
    arm->sessions = here ? (int)v : 0;
    if ((st = jpair(P, obj, path, "sessions_range", 1, MAX_SESSIONS, r, &here)))
        return st;
    if (here) {
        if (r[0] != floor(r[0]) || r[1] != floor(r[1]))
            return mn__error(P->in.ctx, MN_ETYPE,
                             "%s: %s.sessions_range: expected whole numbers of sessions", P->in.src,
                             path);
        arm->sessions_range[0] = (int)r[0];
        arm->sessions_range[1] = (int)r[1];
    }
    if ((st = mn__jnum(&P->in, obj, path, "sessions_mean", 0, 1, MAX_SESSIONS, &arm->sessions_mean,
                       NULL)) ||
        (st = mn__jnum(&P->in, obj, path, "interval_days", 0, 1, MAX_INTERVAL, &arm->interval_days,
                       NULL)))
        return st;
    return jstrings(P, obj, path, "adjuncts", 0, 0, MAX_CATEGORIES, &arm->adjuncts,
                    &arm->n_adjuncts);
}

static mn_status arms(const parser *P, json_t *list, const char *path, mn_evidence_study *s)
{
    static const char *const keys[] = {"id",          "control",  "comparator",
                                       "description", "protocol", NULL};
    size_t n = json_array_size(list);
    mn_evidence_arm *a = ev_alloc(P->ev, n, sizeof *a);
    if (!a)
        return nomem(P);
    s->arms = a;
    s->n_arms = (int)n;
    for (size_t i = 0; i < n; i++) {
        char p[256];
        mn__jpath_index(p, sizeof p, path, i);
        json_t *o = json_array_get(list, i);
        mn_status st;
        if ((st = mn__jis_object(&P->in, o, p)) || (st = mn__jkeys(&P->in, o, p, keys)) ||
            (st = jid(P, o, p, "id", &a[i].id)))
            return st;
        for (size_t k = 0; k < i; k++)
            if (strcmp(a[k].id, a[i].id) == 0)
                return mn__error(P->in.ctx, MN_ERANGE,
                                 "%s: %s.id: \"%s\" is already the id of %s[%zu]", P->in.src, p,
                                 a[i].id, path, k);
        a[i].needle_mm = a[i].needle_mm_range[0] = a[i].needle_mm_range[1] = NAN;
        a[i].sessions_mean = a[i].interval_days = NAN;
        if ((st = mn__jbool(&P->in, o, p, "control", 0, &a[i].control, NULL)) ||
            (st = mn__jbool(&P->in, o, p, "comparator", 0, &a[i].comparator, NULL)) ||
            (st = jtext(P, o, p, "description", 0, &a[i].description)))
            return st;
        if (a[i].control && a[i].comparator)
            return mn__error(P->in.ctx, MN_ERANGE,
                             "%s: %s: an arm is a control or a comparator, not both", P->in.src, p);
        json_t *pr;
        int here = 0;
        int needs = !a[i].control && !a[i].comparator;
        if ((st = mn__jobj(&P->in, o, p, "protocol", needs, &pr, &here)))
            return st;
        if (here && !needs)
            return mn__error(P->in.ctx, MN_ERANGE,
                             "%s: %s.protocol: a %s arm has no needling protocol; remove it or "
                             "the arm's \"%s\"",
                             P->in.src, p, a[i].control ? "control" : "comparator",
                             a[i].control ? "control" : "comparator");
        if (here) {
            char pp[280];
            mn__jpath_key(pp, sizeof pp, p, "protocol");
            if ((st = protocol(P, pr, pp, &a[i])))
                return st;
        }
    }
    return MN_OK;
}

static int arm_index(const mn_evidence_study *s, const char *id)
{
    for (int i = 0; i < s->n_arms; i++)
        if (strcmp(s->arms[i].id, id) == 0)
            return i;
    return -1;
}

static mn_status arm_ref(const parser *P, json_t *obj, const char *path, const char *key,
                         int required, const mn_evidence_study *s, int *out)
{
    const char *id = NULL;
    int here = 0;
    *out = -1;
    mn_status st = mn__jstr(&P->in, obj, path, key, required, &id, &here);
    if (st || !here)
        return st;
    *out = arm_index(s, id);
    if (*out < 0) {
        char list[512];
        size_t k = 0;
        list[0] = '\0';
        for (int i = 0; i < s->n_arms && k < sizeof list; i++)
            k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", i ? ", " : "", s->arms[i].id);
        return mn__error(P->in.ctx, MN_ENOTFOUND,
                         "%s: %s.%s: \"%.60s\" is not an arm of this study; expected one of %s",
                         P->in.src, path, key, id, list);
    }
    return MN_OK;
}

/* The per-category values of a distribution: counts (whole, within n) or percentages. */
static mn_status category_values(const parser *P, json_t *o, const char *p, const char *key,
                                 int is_pct, int n_categories, mn_evidence_timepoint *t)
{
    json_t *a;
    int here = 0;
    mn_status st = mn__jarr(&P->in, o, p, key, 0, 1, MAX_CATEGORIES, &a, &here);
    if (st || !here)
        return st;
    char pk[280], pi[300];
    mn__jpath_key(pk, sizeof pk, p, key);
    if (n_categories == 0 || (int)json_array_size(a) != n_categories)
        return mn__error(P->in.ctx, MN_ERANGE,
                         "%s: %s: %zu values; expected one per category of the endpoint (%d)",
                         P->in.src, pk, json_array_size(a), n_categories);
    if (t->have & (MN_EVIDENCE_HAVE_COUNTS | MN_EVIDENCE_HAVE_PCTS))
        return mn__error(P->in.ctx, MN_ERANGE, "%s: %s: give counts or pcts, not both", P->in.src,
                         pk);
    double *v = ev_alloc(P->ev, (size_t)n_categories, sizeof *v);
    if (!v)
        return nomem(P);
    double sum = 0;
    for (int i = 0; i < n_categories; i++) {
        mn__jpath_index(pi, sizeof pi, pk, (size_t)i);
        if ((st = mn__jnum_value(&P->in, json_array_get(a, (size_t)i), pi, 0, is_pct ? 100 : MAX_N,
                                 &v[i])))
            return st;
        if (!is_pct && v[i] != floor(v[i]))
            return mn__error(P->in.ctx, MN_ETYPE, "%s: %s: expected a whole number of patients",
                             P->in.src, pi);
        sum += v[i];
    }
    if (is_pct && sum > 100 + PCT_SUM_SLACK)
        return mn__error(P->in.ctx, MN_ERANGE, "%s: %s: the percentages add up to %.15g (> 100)",
                         P->in.src, pk, sum);
    if (!is_pct && (t->have & MN_EVIDENCE_HAVE_N) && sum > t->n)
        return mn__error(P->in.ctx, MN_ERANGE,
                         "%s: %s: the counts add up to %.15g, more than n (%d)", P->in.src, pk, sum,
                         t->n);
    t->cat_values = v;
    t->n_cat_values = n_categories;
    t->have |= is_pct ? MN_EVIDENCE_HAVE_PCTS : MN_EVIDENCE_HAVE_COUNTS;
    return MN_OK;
}

static mn_status timepoint(const parser *P, json_t *o, const char *p, const mn_evidence_endpoint *e,
                           mn_evidence_timepoint *t)
{
    static const char *const keys[] = {"day_from_first",
                                       "day_after_last",
                                       "hour_after_last",
                                       "time_unknown",
                                       "time_note",
                                       "n",
                                       "mean",
                                       "sd",
                                       "se",
                                       "ci95",
                                       "ci99",
                                       "median",
                                       "iqr",
                                       "range",
                                       "value",
                                       "count",
                                       "pct",
                                       "counts",
                                       "pcts",
                                       "bound",
                                       "sign",
                                       "p",
                                       "p_bound",
                                       NULL};
    mn_status st;
    if ((st = mn__jis_object(&P->in, o, p)) || (st = mn__jkeys(&P->in, o, p, keys)))
        return st;
    t->time_value = t->mean = t->sd = t->se = t->median = t->value = t->pct = t->p = NAN;
    t->ci95[0] = t->ci95[1] = t->ci99[0] = t->ci99[1] = NAN;
    t->iqr[0] = t->iqr[1] = t->range[0] = t->range[1] = NAN;

    /* When: exactly one time key; a duration may have none. */
    static const char *const tkeys[] = {"day_from_first", "day_after_last", "hour_after_last"};
    static const mn_evidence_time tkind[] = {MN_EVIDENCE_TIME_FROM_FIRST,
                                             MN_EVIDENCE_TIME_AFTER_LAST,
                                             MN_EVIDENCE_TIME_HOURS_AFTER_LAST};
    int n_time = 0, here = 0;
    t->time = MN_EVIDENCE_TIME_NONE;
    for (int k = 0; k < 3; k++) {
        double x;
        if ((st = mn__jnum(&P->in, o, p, tkeys[k], 0, 0, k == 2 ? MAX_HOURS : MAX_DAYS, &x, &here)))
            return st;
        if (here) {
            n_time++;
            t->time = tkind[k];
            t->time_value = x;
        }
    }
    int unknown = 0;
    if ((st = mn__jbool(&P->in, o, p, "time_unknown", 0, &unknown, &here)))
        return st;
    if (here) {
        if (!unknown)
            return mn__error(P->in.ctx, MN_ERANGE,
                             "%s: %s.time_unknown: expected true (or leave it out)", P->in.src, p);
        n_time++;
        t->time = MN_EVIDENCE_TIME_UNKNOWN;
    }
    int duration = e->quantity == MN_EVIDENCE_DURATION;
    if (n_time > 1 || (n_time == 0 && !duration))
        return mn__error(P->in.ctx, MN_ERANGE,
                         "%s: %s: %s; expected exactly one of day_from_first, day_after_last, "
                         "hour_after_last, time_unknown%s",
                         P->in.src, p, n_time ? "more than one time" : "no time",
                         duration ? " (or none, for a duration)" : "");
    if ((st = jtext(P, o, p, "time_note", 0, &t->time_note)))
        return st;

    /* The values. */
    long v = 0;
    if ((st = mn__jint(&P->in, o, p, "n", 0, 1, MAX_N, &v, &here)))
        return st;
    if (here) {
        t->n = (int)v;
        t->have |= MN_EVIDENCE_HAVE_N;
    }
    struct {
        const char *key;
        double lo, hi, *dst;
        unsigned bit;
    } nums[] = {
        {"mean", -MAX_ABS_VALUE, MAX_ABS_VALUE, &t->mean, MN_EVIDENCE_HAVE_MEAN},
        {"sd", 0, MAX_ABS_VALUE, &t->sd, MN_EVIDENCE_HAVE_SD},
        {"se", 0, MAX_ABS_VALUE, &t->se, MN_EVIDENCE_HAVE_SE},
        {"median", -MAX_ABS_VALUE, MAX_ABS_VALUE, &t->median, MN_EVIDENCE_HAVE_MEDIAN},
        {"value", -MAX_ABS_VALUE, MAX_ABS_VALUE, &t->value, MN_EVIDENCE_HAVE_VALUE},
        {"pct", 0, 100, &t->pct, MN_EVIDENCE_HAVE_PCT},
        {"p", 0, 1, &t->p, MN_EVIDENCE_HAVE_P},
    };
    for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
        if ((st = mn__jnum(&P->in, o, p, nums[k].key, 0, nums[k].lo, nums[k].hi, nums[k].dst,
                           &here)))
            return st;
        if (here)
            t->have |= nums[k].bit;
    }
    struct {
        const char *key;
        double *dst;
        unsigned bit;
    } pairs[] = {
        {"ci95", t->ci95, MN_EVIDENCE_HAVE_CI95},
        {"ci99", t->ci99, MN_EVIDENCE_HAVE_CI99},
        {"iqr", t->iqr, MN_EVIDENCE_HAVE_IQR},
        {"range", t->range, MN_EVIDENCE_HAVE_RANGE},
    };
    for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
        if ((st = jpair(P, o, p, pairs[k].key, -MAX_ABS_VALUE, MAX_ABS_VALUE, pairs[k].dst, &here)))
            return st;
        if (here)
            t->have |= pairs[k].bit;
    }
    if ((st = mn__jint(&P->in, o, p, "count", 0, 0, MAX_N, &v, &here)))
        return st;
    if (here) {
        if (!(t->have & MN_EVIDENCE_HAVE_N))
            return mn__error(P->in.ctx, MN_ERANGE,
                             "%s: %s.count: a count needs the n it is out of (add \"n\")",
                             P->in.src, p);
        if (v > t->n)
            return mn__error(P->in.ctx, MN_ERANGE, "%s: %s.count: %ld is more than n (%d)",
                             P->in.src, p, v, t->n);
        t->count = v;
        t->have |= MN_EVIDENCE_HAVE_COUNT;
    }
    if ((st = category_values(P, o, p, "counts", 0, e->n_categories, t)) ||
        (st = category_values(P, o, p, "pcts", 1, e->n_categories, t)))
        return st;
    int k = 0;
    if ((st = jenum(P, o, p, "bound", 0, bounds, &k, &here)))
        return st;
    t->bound = (mn_evidence_bound)k;
    if (here && !(t->have & MN_EVIDENCE_HAVE_VALUE))
        return mn__error(P->in.ctx, MN_ERANGE, "%s: %s.bound: a bound qualifies \"value\"; add it",
                         P->in.src, p);
    k = 0;
    if ((st = jenum(P, o, p, "sign", 0, signs, &k, &here)))
        return st;
    t->sign = (mn_evidence_sign)k;
    if (here && k != MN_EVIDENCE_SIGN_NONE)
        t->have |= MN_EVIDENCE_HAVE_SIGN;
    static const char *const below[] = {"below", NULL};
    if ((st = jenum(P, o, p, "p_bound", 0, below, &k, &here)))
        return st;
    if (here) {
        if (!(t->have & MN_EVIDENCE_HAVE_P))
            return mn__error(P->in.ctx, MN_ERANGE, "%s: %s.p_bound: qualifies \"p\"; add it",
                             P->in.src, p);
        t->p_below = 1;
    }

    /* What the endpoint's quantity needs. */
    unsigned values = t->have & ~(MN_EVIDENCE_HAVE_N | MN_EVIDENCE_HAVE_P);
    if (!values)
        return mn__error(P->in.ctx, MN_ERANGE,
                         "%s: %s: no value; expected at least one of mean, median, value, range, "
                         "ci95, ci99, count, pct, counts, pcts or sign",
                         P->in.src, p);
    if (e->quantity == MN_EVIDENCE_COMPARISON && !(t->have & MN_EVIDENCE_HAVE_SIGN))
        return mn__error(P->in.ctx, MN_ERANGE,
                         "%s: %s: a comparison needs \"sign\" (greater, less or no_difference)",
                         P->in.src, p);
    if (e->quantity == MN_EVIDENCE_DISTRIBUTION &&
        !(t->have & (MN_EVIDENCE_HAVE_COUNTS | MN_EVIDENCE_HAVE_PCTS)))
        return mn__error(P->in.ctx, MN_ERANGE,
                         "%s: %s: a distribution needs \"counts\" or \"pcts\" per category",
                         P->in.src, p);
    if ((e->quantity == MN_EVIDENCE_EVENTS || e->quantity == MN_EVIDENCE_RESPONDERS) &&
        !(t->have & (MN_EVIDENCE_HAVE_COUNT | MN_EVIDENCE_HAVE_PCT)))
        return mn__error(P->in.ctx, MN_ERANGE, "%s: %s: %s need \"count\" (with \"n\") or \"pct\"",
                         P->in.src, p, quantities[e->quantity]);
    return MN_OK;
}

static mn_status endpoints(const parser *P, json_t *list, const char *path, mn_evidence_study *s)
{
    static const char *const keys[] = {
        "id",   "family",    "scale",     "arm",        "vs_arm",     "subgroup", "quantity",
        "unit", "direction", "threshold", "categories", "timepoints", "notes",    NULL};
    size_t n = json_array_size(list);
    mn_evidence_endpoint *es = ev_alloc(P->ev, n, sizeof *es);
    if (!es)
        return nomem(P);
    s->endpoints = es;
    s->n_endpoints = (int)n;
    for (size_t i = 0; i < n; i++) {
        char p[256];
        mn__jpath_index(p, sizeof p, path, i);
        json_t *o = json_array_get(list, i);
        mn_evidence_endpoint *e = &es[i];
        mn_status st;
        int k = 0, here = 0;
        if ((st = mn__jis_object(&P->in, o, p)) || (st = mn__jkeys(&P->in, o, p, keys)) ||
            (st = jid(P, o, p, "id", &e->id)))
            return st;
        for (size_t j = 0; j < i; j++)
            if (strcmp(es[j].id, e->id) == 0)
                return mn__error(P->in.ctx, MN_ERANGE,
                                 "%s: %s.id: \"%s\" is already the id of %s[%zu]", P->in.src, p,
                                 e->id, path, j);
        if ((st = jenum(P, o, p, "family", 1, families, &k, NULL)))
            return st;
        e->family = (mn_evidence_family)k;
        if ((st = jenum(P, o, p, "scale", 1, scales, &k, NULL)))
            return st;
        e->scale = scales[k];
        if ((st = arm_ref(P, o, p, "arm", 1, s, &e->arm)) ||
            (st = arm_ref(P, o, p, "vs_arm", 0, s, &e->vs_arm)))
            return st;
        if (e->vs_arm == e->arm)
            return mn__error(P->in.ctx, MN_ERANGE,
                             "%s: %s.vs_arm: the same arm as \"arm\"; expected the other arm",
                             P->in.src, p);
        if ((st = jtext(P, o, p, "subgroup", 0, &e->subgroup)) ||
            (st = jenum(P, o, p, "quantity", 1, quantities, &k, NULL)))
            return st;
        e->quantity = (mn_evidence_quantity)k;
        if ((e->quantity == MN_EVIDENCE_DIFFERENCE || e->quantity == MN_EVIDENCE_RATIO) &&
            e->vs_arm < 0)
            return mn__error(P->in.ctx, MN_ERANGE,
                             "%s: %s: a %s is between two arms; add \"vs_arm\"", P->in.src, p,
                             quantities[e->quantity]);
        if ((st = jenum(P, o, p, "unit", 1, units, &k, NULL)))
            return st;
        e->unit = units[k];
        if ((st = jenum(P, o, p, "direction", 1, directions, &k, NULL)))
            return st;
        e->direction = k - 1;
        if ((st = jtext(P, o, p, "threshold", e->quantity == MN_EVIDENCE_RESPONDERS,
                        &e->threshold)) ||
            (st = jstrings(P, o, p, "categories", e->quantity == MN_EVIDENCE_DISTRIBUTION, 1,
                           MAX_CATEGORIES, &e->categories, &e->n_categories)) ||
            (st = jtext(P, o, p, "notes", 0, &e->notes)))
            return st;
        json_t *tl;
        if ((st = mn__jarr(&P->in, o, p, "timepoints", 1, 1, MAX_TIMEPOINTS, &tl, &here)))
            return st;
        size_t nt = json_array_size(tl);
        mn_evidence_timepoint *ts = ev_alloc(P->ev, nt, sizeof *ts);
        if (!ts)
            return nomem(P);
        e->timepoints = ts;
        e->n_timepoints = (int)nt;
        char pt[280], pti[300];
        mn__jpath_key(pt, sizeof pt, p, "timepoints");
        for (size_t j = 0; j < nt; j++) {
            mn__jpath_index(pti, sizeof pti, pt, j);
            if ((st = timepoint(P, json_array_get(tl, j), pti, e, &ts[j])))
                return st;
        }
    }
    return MN_OK;
}

static int concern_known(const mn_catalog *cat, const char *id)
{
    if (!strcmp(id, "none") || !strcmp(id, "mixed"))
        return 1;
    for (size_t i = 0; i < mn_catalog_concern_count(cat); i++)
        if (strcmp(mn_catalog_concern_at(cat, i)->id, id) == 0)
            return 1;
    return 0;
}

/* One study from its parsed root; @p want_id, when not NULL, is the id the file name asks for. */
static mn_status study(const parser *P, json_t *root, const char *want_id, mn_evidence_study *s)
{
    static const char *const keys[] = {"id",       "citation",   "doi",    "pmid",
                                       "url",      "role",       "design", "population",
                                       "concern",  "site",       "arms",   "endpoints",
                                       "verified", "unverified", "notes",  NULL};
    const char *path = "$";
    mn_status st;
    int k = 0;
    if ((st = mn__jkeys(&P->in, root, path, keys)) || (st = jid(P, root, path, "id", &s->id)))
        return st;
    if (want_id && strcmp(want_id, s->id) != 0)
        return mn__error(P->in.ctx, MN_ERANGE,
                         "%s: $.id: \"%s\" differs from the file name; expected \"%s\" (a study "
                         "file is named after its id)",
                         P->in.src, s->id, want_id);
    if ((st = jtext(P, root, path, "citation", 1, &s->citation)) ||
        (st = jtext(P, root, path, "doi", 0, &s->doi)) ||
        (st = jtext(P, root, path, "pmid", 0, &s->pmid)) ||
        (st = jtext(P, root, path, "url", 0, &s->url)))
        return st;
    if (!s->doi && !s->pmid && !s->url)
        return mn__error(P->in.ctx, MN_ETYPE,
                         "%s: $: no doi, pmid or url; expected at least one, so the study can be "
                         "found",
                         P->in.src);
    if (s->pmid && strspn(s->pmid, "0123456789") != strlen(s->pmid))
        return mn__error(P->in.ctx, MN_ERANGE,
                         "%s: $.pmid: \"%.40s\" is not a PubMed id; expected digits", P->in.src,
                         s->pmid);
    if ((st = jenum(P, root, path, "role", 1, roles, &k, NULL)))
        return st;
    s->role = (mn_evidence_role)k;
    if ((st = jenum(P, root, path, "design", 1, designs, &k, NULL)))
        return st;
    s->design = designs[k];
    json_t *o;
    if ((st = mn__jobj(&P->in, root, path, "population", 1, &o, NULL)) ||
        (st = population(P, o, "$.population", &s->population)))
        return st;
    if ((st = mn__jstr(&P->in, root, path, "concern", 1, &s->concern, NULL)))
        return st;
    if (!concern_known(P->cat, s->concern))
        return mn__error(P->in.ctx, MN_ENOTFOUND,
                         "%s: $.concern: \"%.60s\" is not a concern; expected a concern id "
                         "('mneedle catalog concerns'), \"none\" or \"mixed\"",
                         P->in.src, s->concern);
    if ((st = jtext(P, root, path, "site", 0, &s->site)))
        return st;
    if ((st = mn__jarr(&P->in, root, path, "arms", 1, 1, MAX_ARMS, &o, NULL)) ||
        (st = arms(P, o, "$.arms", s)))
        return st;
    if ((st = mn__jarr(&P->in, root, path, "endpoints", 1, 1, MAX_ENDPOINTS, &o, NULL)) ||
        (st = endpoints(P, o, "$.endpoints", s)))
        return st;
    if ((st = jenum(P, root, path, "verified", 1, verified_levels, &k, NULL)))
        return st;
    s->verified = verified_levels[k];
    if ((st = jstrings(P, root, path, "unverified", 1, 0, MAX_STRINGS, &s->unverified,
                       &s->n_unverified)))
        return st;
    return jtext(P, root, path, "notes", 0, &s->notes);
}

/* Parses one file's text and adds the study; the set is unchanged on failure. */
static mn_status add(mn_ctx *ctx, mn_evidence *ev, const char *src, const char *text, size_t len,
                     json_t *root, const char *want_id, int user)
{
    mn_status st = MN_OK;
    if (!root && (st = mn__json_parse(ctx, src, text, len, &root)))
        return st;
    if (ev->n >= MN_EVIDENCE_MAX_STUDIES) {
        json_decref(root);
        return mn__error(ctx, MN_ELIMIT, "%s: more than %d studies; the limit is %d", src,
                         MN_EVIDENCE_MAX_STUDIES, MN_EVIDENCE_MAX_STUDIES);
    }
    if (ev->n == ev->cap) {
        size_t cap = ev->cap ? 2 * ev->cap : 32;
        mn_evidence_study **s = mn__realloc(ev->studies, cap * sizeof *s);
        if (s)
            ev->studies = s;
        json_t **r = s ? mn__realloc(ev->roots, cap * sizeof *r) : NULL;
        if (r)
            ev->roots = r;
        char **n = r ? mn__realloc(ev->sources, cap * sizeof *n) : NULL;
        if (n)
            ev->sources = n;
        if (!n) {
            json_decref(root);
            return mn__error(ctx, MN_ENOMEM, "%s: out of memory", src);
        }
        ev->cap = cap;
    }
    size_t mark = ev->n_allocs;
    parser P = {{ctx, src}, ev, mn_ctx_catalog(ctx)};
    mn_evidence_study *s = ev_alloc(ev, 1, sizeof *s);
    char *source = mn__strdup(src);
    if (!s || !source) {
        st = mn__error(ctx, MN_ENOMEM, "%s: out of memory", src);
        goto fail;
    }
    if ((st = study(&P, root, want_id, s)))
        goto fail;
    for (size_t i = 0; i < ev->n; i++)
        if (strcmp(ev->studies[i]->id, s->id) == 0) {
            st = mn__error(ctx, MN_ERANGE, "%s: $.id: \"%s\" is already the id of %s", src, s->id,
                           ev->studies[i]->source);
            goto fail;
        }
    s->source = source;
    s->user = user;
    ev->studies[ev->n] = s;
    ev->roots[ev->n] = root;
    ev->sources[ev->n] = source;
    ev->n++;
    return MN_OK;
fail:
    mn__free(source);
    ev_undo(ev, mark);
    json_decref(root);
    return st;
}

mn_status mn_evidence_create(mn_ctx *ctx, mn_evidence **out)
{
    if (!out)
        return mn__error(ctx, MN_EINVAL, "mn_evidence_create: out is NULL");
    *out = mn__calloc(1, sizeof **out);
    return *out ? MN_OK : mn__error(ctx, MN_ENOMEM, "out of memory creating the evidence set");
}

mn_status mn_evidence_parse(mn_ctx *ctx, mn_evidence *ev, const char *src, const char *text,
                            size_t len)
{
    if (!ev || !src || (!text && len))
        return mn__error(ctx, MN_EINVAL, "mn_evidence_parse: NULL argument");
    return add(ctx, ev, src, text ? text : "", len, NULL, NULL, 1);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "x.json" -> "x" in buf; 0 if the name does not end in .json or has nothing before it. */
static int stem(const char *name, char *buf, size_t n)
{
    size_t len = strlen(name);
    if (len <= 5 || strcmp(name + len - 5, ".json") != 0 || len - 5 >= n)
        return 0;
    memcpy(buf, name, len - 5);
    buf[len - 5] = '\0';
    return 1;
}

static mn_status load_dir(mn_ctx *ctx, mn_evidence *ev, const char *dir)
{
    DIR *d;
    mn_status st =
        mn__dir_open(ctx, dir, "evidence directory", "study files (docs/evidence.md)", &d);
    if (st)
        return st;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        char id[256];
        if (de->d_name[0] == '.' || !stem(de->d_name, id, sizeof id))
            continue;
        if (n == MN_EVIDENCE_MAX_STUDIES) {
            st = mn__error(ctx, MN_ELIMIT, "evidence directory %s: more than %d study files", dir,
                           MN_EVIDENCE_MAX_STUDIES);
            break;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            char **nn = mn__realloc(names, cap * sizeof *nn);
            if (!nn) {
                st = mn__error(ctx, MN_ENOMEM, "out of memory listing %s", dir);
                break;
            }
            names = nn;
        }
        if (!(names[n] = mn__strdup(de->d_name))) {
            st = mn__error(ctx, MN_ENOMEM, "out of memory listing %s", dir);
            break;
        }
        n++;
    }
    closedir(d);
    if (!st && n == 0)
        st = mn__error(ctx, MN_EINVAL,
                       "evidence directory %s: no study files (*.json); expected one JSON file "
                       "per study (docs/evidence.md)",
                       dir);
    if (!st)
        qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n && !st; i++) {
        char path[4096], id[256];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        stem(names[i], id, sizeof id);
        struct stat sb;
        if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
            st = mn__error(ctx, MN_EINVAL, "%s: not a regular file; expected a study file", path);
            break;
        }
        json_t *root = NULL;
        if (!(st = mn__json_load(ctx, path, &root)))
            st = add(ctx, ev, path, NULL, 0, root, id, 1);
    }
    for (size_t i = 0; i < n; i++)
        mn__free(names[i]);
    mn__free(names);
    return st;
}

mn_status mn_evidence_load(mn_ctx *ctx, const char *user_dir, mn_evidence **out)
{
    if (!out)
        return mn__error(ctx, MN_EINVAL, "mn_evidence_load: out is NULL");
    *out = NULL;
    mn_evidence *ev;
    mn_status st = mn_evidence_create(ctx, &ev);
    if (st)
        return st;
    for (const struct mn__embedded_file *f = mn__embedded_evidence; f->name && !st; f++) {
        char src[300], id[256];
        snprintf(src, sizeof src, "(embedded) data/evidence/%s", f->name);
        if (!stem(f->name, id, sizeof id))
            continue;
        st = add(ctx, ev, src, f->data, f->len, NULL, id, 0);
    }
    if (!st && user_dir)
        st = load_dir(ctx, ev, user_dir);
    if (st) {
        mn_evidence_free(ev);
        return st;
    }
    *out = ev;
    return MN_OK;
}

void mn_evidence_free(mn_evidence *ev)
{
    if (!ev)
        return;
    for (size_t i = 0; i < ev->n; i++) {
        json_decref(ev->roots[i]);
        mn__free(ev->sources[i]);
    }
    ev_undo(ev, 0);
    mn__free(ev->allocs);
    mn__free(ev->studies);
    mn__free(ev->roots);
    mn__free(ev->sources);
    mn__free(ev);
}

size_t mn_evidence_count(const mn_evidence *ev)
{
    return ev ? ev->n : 0;
}

const mn_evidence_study *mn_evidence_at(const mn_evidence *ev, size_t i)
{
    return ev && i < ev->n ? ev->studies[i] : NULL;
}

const mn_evidence_study *mn_evidence_find(const mn_evidence *ev, const char *id)
{
    for (size_t i = 0; ev && id && i < ev->n; i++)
        if (strcmp(ev->studies[i]->id, id) == 0)
            return ev->studies[i];
    return NULL;
}
