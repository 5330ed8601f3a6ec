/*
 * Reading a SCENARIO file for `mneedle simulate` (DESIGN §4). Every problem names the file, the
 * JSON path and what was expected.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/consts.h"
#include "core/json_in.h"
#include "data/ranges.h"
#include "device/depth_cap.h"
#include "healing/healing_internal.h"

#define MN_DEFAULT_HORIZON_AFTER_LAST 730 /* two years after the last session */

static mn_status parse_patient(const mn__jin *in, json_t *root, mn_patient *p)
{
    static const char *const keys[] = {"age", "sex", "fitzpatrick", "smoker", "sun", NULL};
    json_t *o;
    mn_status st;
    const char *sex = NULL, *sun = NULL;
    long fitz = 2;
    int smoker = 0, has_sex = 0, has_sun = 0;
    mn_patient_init(p);
    if ((st = mn__jobj(in, root, "$", "patient", 1, &o, NULL)) ||
        (st = mn__jkeys(in, o, "$.patient", keys)) ||
        (st = mn__jnum_in(in, o, "$.patient", "age", 1, MN__IN_AGE_YEARS, &p->age_years, NULL)) ||
        (st = mn__jstr(in, o, "$.patient", "sex", 1, &sex, &has_sex)) ||
        (st = mn__jint_in(in, o, "$.patient", "fitzpatrick", 1, MN__IN_FITZPATRICK, &fitz, NULL)) ||
        (st = mn__jbool(in, o, "$.patient", "smoker", 0, &smoker, NULL)) ||
        (st = mn__jstr(in, o, "$.patient", "sun", 0, &sun, &has_sun)))
        return st;
    if (has_sex && !mn_sex_parse(sex, &p->sex))
        return mn__error(in->ctx, MN_ENOTFOUND,
                         "%s: $.patient.sex: unknown sex \"%s\"; expected female or male", in->src,
                         sex);
    if (has_sun && !mn_sun_parse(sun, &p->sun))
        return mn__error(in->ctx, MN_ENOTFOUND,
                         "%s: $.patient.sun: unknown exposure \"%s\"; expected low, moderate or "
                         "high",
                         in->src, sun);
    p->fitzpatrick = (int)fitz;
    p->smoker = smoker;
    return MN_OK;
}

static mn_status parse_session(const mn__jin *in, const mn_catalog *cat, json_t *e,
                               const char *path, mn_healing_session *s)
{
    static const char *const keys[] = {"day", "device", "needle_mm", "passes", "glide_mm_s", NULL};
    mn_status st;
    long day = 0;
    const char *dev = NULL;
    int has_glide = 0;
    if ((st = mn__jis_object(in, e, path)) || (st = mn__jkeys(in, e, path, keys)) ||
        (st = mn__jint(in, e, path, "day", 1, 0, MN_HEALING_MAX_DAYS, &day, NULL)) ||
        (st = mn__jstr(in, e, path, "device", 1, &dev, NULL)))
        return st;
    s->day = (int)day;
    s->device = mn_catalog_find_device(cat, dev);
    if (!s->device)
        return mn__error(in->ctx, MN_ENOTFOUND,
                         "%s: %s.device: unknown device \"%s\"; see 'mneedle catalog devices'",
                         in->src, path, dev);
    if ((st = mn__jneedle_in(in, e, path, "needle_mm", MN__IN_NEEDLE_MM, s->device,
                             &s->needle_mm)) ||
        (st = mn__jpasses_in(in, e, path, "passes", 1, &s->passes, NULL)) ||
        (st = mn__jnum_in(in, e, path, "glide_mm_s", 0, MN__IN_GLIDE_MM_S, &s->glide_mm_s,
                          &has_glide)))
        return st;
    if (!has_glide)
        s->glide_mm_s = 0;
    return MN_OK;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return x < y ? -1 : x > y;
}

/* Sessions closer than the concern's minimum interval run (a simulation or a trial may explore
 * them), with one warning at the first such session that counts them all: the minimum is the
 * shortest interval of the clinical protocols the concern cites (data/concerns.json); the
 * planner never books a denser course and the model is little tested there. At its longest
 * (the catalogue's longest concern id, day MN_HEALING_MAX_DAYS, MN_HEALING_MAX_SESSIONS
 * sessions) the message is under 300 bytes, inside mn_warning.message. */
void mn__healing_interval_warn(const mn_healing_session *sessions, size_t n,
                               const mn_concern *concern, const char *src, const char *array_path,
                               const char *key, mn_warnings *w)
{
    size_t n_close = 0, first_close = 0;
    for (size_t i = 1; i < n; i++)
        if (sessions[i].day - sessions[i - 1].day < concern->min_interval_days && n_close++ == 0)
            first_close = i;
    if (n_close == 0)
        return;
    char path[112], day_path[128];
    const mn_healing_session *a = &sessions[first_close - 1], *b = a + 1;
    mn__jpath_index(path, sizeof path, array_path, first_close);
    if (key)
        mn__jpath_key(day_path, sizeof day_path, path, key);
    else
        snprintf(day_path, sizeof day_path, "%s", path);
    mn__warn(w, "interval_below_concern_minimum", src, day_path,
             "day %d is %d day%s after the session before, closer than %s's minimum "
             "interval of %d days (MIN GAP in 'mneedle catalog concerns'); %zu of the %zu "
             "intervals are that close: the planner never books that and the model is little "
             "tested there, so read the result as an extrapolation",
             b->day, b->day - a->day, b->day - a->day == 1 ? "" : "s", concern->id,
             concern->min_interval_days, n_close, n - 1);
}

static mn_status parse_root(const mn__jin *in, json_t *root, mn_healing_input *out)
{
    static const char *const keys[] = {"name",     "patient",     "zone",         "concern",
                                       "sessions", "report_days", "horizon_days", NULL};
    const mn_catalog *cat = mn_ctx_catalog(in->ctx);
    mn_healing_scenario *sc = &out->scenario;
    mn_status st;
    const char *zone = NULL, *concern = NULL, *name = NULL;
    json_t *sessions = NULL, *days = NULL;
    int has_days = 0, has_horizon = 0;
    long horizon = 0;
    char path[96];

    memset(sc, 0, sizeof *sc);
    memset(&out->warnings, 0, sizeof out->warnings);
    out->n_report_days = 0;
    out->report_days_given = 0;
    if ((st = mn__jkeys(in, root, "$", keys)) ||
        (st = mn__jstr(in, root, "$", "name", 0, &name, NULL)) ||
        (st = parse_patient(in, root, &sc->patient)) ||
        (st = mn__jstr(in, root, "$", "zone", 1, &zone, NULL)) ||
        (st = mn__jstr(in, root, "$", "concern", 1, &concern, NULL)))
        return st;
    sc->zone = mn_catalog_find_site(cat, zone);
    if (!sc->zone)
        return mn__error(in->ctx, MN_ENOTFOUND,
                         "%s: $.zone: unknown zone \"%s\"; see 'mneedle catalog sites'", in->src,
                         zone);
    sc->concern = mn_catalog_find_concern(cat, concern);
    if (!sc->concern)
        return mn__error(in->ctx, MN_ENOTFOUND,
                         "%s: $.concern: unknown concern \"%s\"; see 'mneedle catalog concerns'",
                         in->src, concern);
    if (!mn_concern_has_zone(sc->concern, sc->zone->id))
        return mn__error(in->ctx, MN_ERANGE,
                         "%s: $.zone: %s is not treated on the %s (see 'mneedle catalog "
                         "concerns')",
                         in->src, sc->concern->id, sc->zone->id);
    if ((st =
             mn__jarr(in, root, "$", "sessions", 1, 0, MN_HEALING_MAX_SESSIONS, &sessions, NULL)) ||
        (st = mn__jint(in, root, "$", "horizon_days", 0, 1, MN_HEALING_MAX_DAYS, &horizon,
                       &has_horizon)) ||
        (st = mn__jarr(in, root, "$", "report_days", 0, 1, MN_MAX_ARRAY_LEN, &days, &has_days)))
        return st;
    size_t n = json_array_size(sessions);
    int last = 0;
    for (size_t i = 0; i < n; i++) {
        mn__jpath_index(path, sizeof path, "$.sessions", i);
        if ((st = parse_session(in, cat, json_array_get(sessions, i), path, &out->sessions[i])))
            return st;
        /* In day order, one a day, as a trial's session_days (the same check). */
        char day_path[112];
        mn__jpath_key(day_path, sizeof day_path, path, "day");
        if ((st = mn__jday_after(in, day_path, i, out->sessions[i].day,
                                 i > 0 ? out->sessions[i - 1].day : 0, "session")))
            return st;
        last = out->sessions[i].day;
    }
    /* Lengths beyond the planner's caps run, with a warning: once per kind of cap, at the
     * first session beyond it, for the person as old as on that session's day. */
    unsigned warned = 0;
    for (size_t i = 0; i < n && warned != (MN__CAP_ZONE | MN__CAP_ANATOMY); i++) {
        mn_patient then = sc->patient;
        then.age_years += out->sessions[i].day / MN__DAYS_PER_YEAR;
        char needle_path[112];
        mn__jpath_index(path, sizeof path, "$.sessions", i);
        mn__jpath_key(needle_path, sizeof needle_path, path, "needle_mm");
        warned |= mn__depth_cap_warn(out->sessions[i].device, sc->zone, &then, 1, sc->concern,
                                     out->sessions[i].needle_mm, in->src, needle_path, warned,
                                     &out->warnings);
    }
    /* Sessions closer than the concern's minimum interval run too, with a warning. */
    mn__healing_interval_warn(out->sessions, n, sc->concern, in->src, "$.sessions", "day",
                              &out->warnings);
    if (!has_horizon) {
        horizon = last + MN_DEFAULT_HORIZON_AFTER_LAST;
        if (horizon > MN_HEALING_MAX_DAYS)
            horizon = MN_HEALING_MAX_DAYS;
    }
    for (size_t i = 0; i < n; i++)
        if (out->sessions[i].day > horizon)
            return mn__error(in->ctx, MN_ERANGE,
                             "%s: $.sessions[%zu].day: %d is after horizon_days %ld", in->src, i,
                             out->sessions[i].day, horizon);
    sc->sessions = out->sessions;
    sc->n_sessions = (int)n;
    sc->horizon_days = (int)horizon;

    if (has_days) {
        size_t m = json_array_size(days);
        for (size_t i = 0; i < m; i++) {
            double d;
            mn__jpath_index(path, sizeof path, "$.report_days", i);
            if ((st = mn__jnum_value(in, json_array_get(days, i), path, 0, (double)horizon, &d)))
                return st;
            if (d != (double)(int)d)
                return mn__error(in->ctx, MN_ETYPE,
                                 "%s: %s: expected a whole number of days, "
                                 "got %g",
                                 in->src, path, d);
            out->report_days[i] = (int)d;
        }
        out->n_report_days = (int)m;
        out->report_days_given = 1;
    } else {
        static const int defaults[] = {0, 1, 3, 7, 28, 90, 180, MN__DAYS_PER_COMMON_YEAR};
        int k = 0;
        for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
            if (defaults[i] <= horizon)
                out->report_days[k++] = defaults[i];
        for (int y = 2; y * MN__DAYS_PER_COMMON_YEAR <= horizon && k < (int)MN_MAX_ARRAY_LEN - 1;
             y++)
            out->report_days[k++] = y * MN__DAYS_PER_COMMON_YEAR;
        out->report_days[k++] = (int)horizon;
        out->n_report_days = k;
    }
    qsort(out->report_days, (size_t)out->n_report_days, sizeof(int), cmp_int);
    int u = 0;
    for (int i = 0; i < out->n_report_days; i++)
        if (u == 0 || out->report_days[i] != out->report_days[u - 1])
            out->report_days[u++] = out->report_days[i];
    out->n_report_days = u;
    return MN_OK;
}

mn_status mn_healing_scenario_parse(mn_ctx *ctx, const char *src, const char *text, size_t len,
                                    mn_healing_input *out)
{
    if (!ctx || !src || !text || !out)
        return mn__error(ctx, MN_EINVAL, "healing: NULL argument");
    json_t *root = NULL;
    mn_status st = mn__json_parse(ctx, src, text, len, &root);
    if (st)
        return st;
    mn__jin in = {ctx, src};
    st = parse_root(&in, root, out);
    json_decref(root);
    return st;
}

mn_status mn_healing_scenario_load(mn_ctx *ctx, const char *path, mn_healing_input *out)
{
    if (!ctx || !path || !out)
        return mn__error(ctx, MN_EINVAL, "healing: NULL argument");
    json_t *root = NULL;
    mn_status st = mn__json_load(ctx, path, &root);
    if (st)
        return st;
    mn__jin in = {ctx, strcmp(path, "-") ? path : "<stdin>"};
    st = parse_root(&in, root, out);
    json_decref(root);
    return st;
}
