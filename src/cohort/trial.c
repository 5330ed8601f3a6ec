/*
 * Reading a TRIAL file (DESIGN 4): population.{n, age:[lo,hi], sex, fitzpatrick:[lo,hi],
 * smoker_fraction}, zone, concern, protocol.{device, needle_mm, passes, session_days[]},
 * endpoints_days[], seed; and the extras population.{female_fraction, sun}, protocol.glide_mm_s,
 * maintenance_fraction, maintenance_check_days, name, constants, control, dropout_per_visit.
 * Every problem names the file and the
 * JSON path; nothing is run until the whole file is valid.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cohort/cohort_internal.h"
#include "core/consts.h"
#include "core/json_in.h"
#include "data/ranges.h"
#include "device/depth_cap.h"
#include "mneedle/clinic.h"

_Static_assert(MN_COHORT_NAME_LEN == MN_CLIENT_NAME_LEN,
               "a trial's name has the same limit as a client's");

/* A two-number [lo, hi] range with lo <= hi, each end within quantity @p q's limits. */
static mn_status read_range(const mn__jin *in, json_t *obj, const char *path, const char *key,
                            mn__input q, int whole, double out[2])
{
    char p[128];
    json_t *arr = json_object_get(obj, key);
    mn__jpath_key(p, sizeof p, path, key);
    if (!arr)
        return mn__error(in->ctx, MN_EPARSE, "%s: %s: missing; expected [lo, hi]", in->src, p);
    if (!json_is_array(arr) || json_array_size(arr) != 2)
        return mn__error(in->ctx, MN_ETYPE, "%s: %s: expected [lo, hi] (two numbers), got %s",
                         in->src, p, mn__json_type_name(arr));
    for (size_t i = 0; i < 2; i++) {
        char q_path[140];
        mn__jpath_index(q_path, sizeof q_path, p, i);
        mn_status st = mn__jnum_value_in(in, json_array_get(arr, i), q_path, q, &out[i]);
        if (st)
            return st;
        if (whole && out[i] != floor(out[i]))
            return mn__error(in->ctx, MN_ETYPE, "%s: %s: expected a whole number, got %g", in->src,
                             q_path, out[i]);
    }
    if (out[0] > out[1])
        return mn__error(in->ctx, MN_ERANGE, "%s: %s: the low end %g is above the high end %g",
                         in->src, p, out[0], out[1]);
    return MN_OK;
}

static mn_status parse_sun(const mn__jin *in, json_t *pop, mn_cohort_population *out)
{
    json_t *v = json_object_get(pop, "sun");
    if (!v)
        return MN_OK;
    memset(out->sun_fraction, 0, sizeof out->sun_fraction);
    if (json_is_string(v)) {
        mn_sun s;
        if (!mn_sun_parse(json_string_value(v), &s))
            return mn__error(in->ctx, MN_ENOTFOUND,
                             "%s: $.population.sun: unknown value \"%.40s\"; expected low, "
                             "moderate, high or an object of their fractions",
                             in->src, json_string_value(v));
        out->sun_fraction[s] = 1;
        return MN_OK;
    }
    static const char *const keys[] = {"low", "moderate", "high", NULL};
    mn_status st;
    if ((st = mn__jis_object(in, v, "$.population.sun")) ||
        (st = mn__jkeys(in, v, "$.population.sun", keys)))
        return st;
    double sum = 0;
    for (int i = 0; i < 3; i++) {
        if ((st = mn__jnum_in(in, v, "$.population.sun", keys[i], 0, MN__IN_FRACTION,
                              &out->sun_fraction[i], NULL)))
            return st;
        sum += out->sun_fraction[i];
    }
    if (fabs(sum - 1) > 1e-6)
        return mn__error(in->ctx, MN_ERANGE,
                         "%s: $.population.sun: the fractions add up to %g; expected 1", in->src,
                         sum);
    return MN_OK;
}

static mn_status parse_population(const mn__jin *in, json_t *root, mn_cohort_population *out)
{
    static const char *const keys[] = {
        "n", "age", "sex", "female_fraction", "fitzpatrick", "smoker_fraction", "sun", NULL};
    json_t *pop;
    mn_status st;
    double age[2], fitz[2];
    const char *sex;
    int here = 0;
    if ((st = mn__jobj(in, root, "$", "population", 1, &pop, NULL)) ||
        (st = mn__jkeys(in, pop, "$.population", keys)) ||
        (st = mn__jint(in, pop, "$.population", "n", 1, 1, MN_COHORT_MAX_N, &out->n, NULL)) ||
        (st = read_range(in, pop, "$.population", "age", MN__IN_AGE_YEARS, 0, age)) ||
        (st = read_range(in, pop, "$.population", "fitzpatrick", MN__IN_FITZPATRICK, 1, fitz)) ||
        (st = mn__jstr(in, pop, "$.population", "sex", 1, &sex, NULL)) ||
        (st = mn__jnum_in(in, pop, "$.population", "female_fraction", 0, MN__IN_FRACTION,
                          &out->female_fraction, &here)) ||
        (st = mn__jnum_in(in, pop, "$.population", "smoker_fraction", 1, MN__IN_FRACTION,
                          &out->smoker_fraction, NULL)) ||
        (st = parse_sun(in, pop, out)))
        return st;
    out->age_lo = age[0];
    out->age_hi = age[1];
    out->fitzpatrick_lo = (int)fitz[0];
    out->fitzpatrick_hi = (int)fitz[1];
    mn_sex one;
    if (!strcmp(sex, "any") || !strcmp(sex, "mixed") || !strcmp(sex, "both"))
        out->sex = MN_COHORT_SEX_ANY;
    else if (mn_sex_parse(sex, &one))
        out->sex = one == MN_SEX_MALE ? MN_COHORT_SEX_MALE : MN_COHORT_SEX_FEMALE;
    else
        return mn__error(in->ctx, MN_ENOTFOUND,
                         "%s: $.population.sex: unknown value \"%.40s\"; expected female, male "
                         "or any",
                         in->src, sex);
    if (here && out->sex != MN_COHORT_SEX_ANY)
        return mn__error(in->ctx, MN_ERANGE,
                         "%s: $.population.female_fraction: only meaningful with sex \"any\"",
                         in->src);
    return MN_OK;
}

static mn_status parse_protocol(const mn__jin *in, json_t *root, mn_cohort_trial *t)
{
    static const char *const keys[] = {"device",       "needle_mm",  "passes",
                                       "session_days", "glide_mm_s", NULL};
    const mn_catalog *cat = mn_ctx_catalog(in->ctx);
    json_t *pr, *days;
    const char *dev;
    double glide = 0;
    mn_status st;
    if ((st = mn__jobj(in, root, "$", "protocol", 1, &pr, NULL)) ||
        (st = mn__jkeys(in, pr, "$.protocol", keys)) ||
        (st = mn__jstr(in, pr, "$.protocol", "device", 1, &dev, NULL)))
        return st;
    t->device = mn_catalog_find_device(cat, dev);
    if (!t->device)
        return mn__error(in->ctx, MN_ENOTFOUND,
                         "%s: $.protocol.device: unknown device \"%.40s\" (see 'mneedle catalog "
                         "devices')",
                         in->src, dev);
    if ((st = mn__jneedle_in(in, pr, "$.protocol", "needle_mm", MN__IN_NEEDLE_MM, t->device,
                             &t->needle_mm)) ||
        (st = mn__jpasses_in(in, pr, "$.protocol", "passes", 1, &t->passes, NULL)) ||
        (st =
             mn__jnum_in(in, pr, "$.protocol", "glide_mm_s", 0, MN__IN_GLIDE_MM_S, &glide, NULL)) ||
        (st = mn__jarr(in, pr, "$.protocol", "session_days", 1, 1, MN_COHORT_MAX_SESSIONS, &days,
                       NULL)))
        return st;
    t->n_sessions = (int)json_array_size(days);
    for (int i = 0; i < t->n_sessions; i++) {
        char q[64];
        double d;
        snprintf(q, sizeof q, "$.protocol.session_days[%d]", i);
        if ((st = mn__jnum_value(in, json_array_get(days, (size_t)i), q, 0, MN_HEALING_MAX_DAYS,
                                 &d)))
            return st;
        if (d != floor(d))
            return mn__error(in->ctx, MN_ETYPE, "%s: %s: expected a whole day, got %g", in->src, q,
                             d);
        if ((st = mn__jday_after(in, q, (size_t)i, d, i > 0 ? t->sessions[i - 1].day : 0,
                                 "session")))
            return st;
        mn_healing_session *s = &t->sessions[i];
        s->day = (int)d;
        s->device = t->device;
        s->needle_mm = t->needle_mm;
        s->passes = t->passes;
        s->glide_mm_s = glide;
    }
    return MN_OK;
}

static mn_status parse_endpoints(const mn__jin *in, json_t *root, mn_cohort_trial *t)
{
    json_t *arr;
    mn_status st =
        mn__jarr(in, root, "$", "endpoints_days", 1, 1, MN_COHORT_MAX_ENDPOINTS, &arr, NULL);
    if (st)
        return st;
    t->n_endpoints = (int)json_array_size(arr);
    for (int i = 0; i < t->n_endpoints; i++) {
        char q[64];
        double d;
        snprintf(q, sizeof q, "$.endpoints_days[%d]", i);
        if ((st =
                 mn__jnum_value(in, json_array_get(arr, (size_t)i), q, 0, MN_HEALING_MAX_DAYS, &d)))
            return st;
        if (d != floor(d))
            return mn__error(in->ctx, MN_ETYPE, "%s: %s: expected a whole day, got %g", in->src, q,
                             d);
        if ((st = mn__jday_after(in, q, (size_t)i, d, i > 0 ? t->endpoint_days[i - 1] : 0,
                                 "endpoint")))
            return st;
        t->endpoint_days[i] = (int)d;
    }
    return MN_OK;
}

mn_status mn__cohort_trial_from_json(const mn__jin *in, json_t *root, mn_cohort_trial *t)
{
    static const char *const keys[] = {"name",
                                       "population",
                                       "zone",
                                       "concern",
                                       "protocol",
                                       "endpoints_days",
                                       "seed",
                                       "maintenance_fraction",
                                       "maintenance_check_days",
                                       "constants",
                                       "control",
                                       "dropout_per_visit",
                                       NULL};
    const mn_catalog *cat = mn_ctx_catalog(in->ctx);
    const char *zone, *concern, *name, *constants, *control;
    double seed = MN_COHORT_DEFAULT_SEED;
    long check = 7;
    int here = 0, constants_here = 0, control_here = 0;
    mn_status st;
    mn_cohort_trial_init(t);
    if ((st = mn__jis_object(in, root, "$")) || (st = mn__jkeys(in, root, "$", keys)) ||
        (st = mn__jstr(in, root, "$", "name", 0, &name, &here)) ||
        (st = parse_population(in, root, &t->population)) ||
        (st = mn__jstr(in, root, "$", "zone", 1, &zone, NULL)) ||
        (st = mn__jstr(in, root, "$", "concern", 1, &concern, NULL)) ||
        (st = parse_protocol(in, root, t)) || (st = parse_endpoints(in, root, t)) ||
        (st = mn__jnum_in(in, root, "$", "seed", 0, MN__IN_SEED, &seed, NULL)) ||
        (st = mn__jnum_in(in, root, "$", "maintenance_fraction", 0, MN__IN_MAINTENANCE_FRACTION,
                          &t->maintenance_fraction, NULL)) ||
        (st = mn__jint_in(in, root, "$", "maintenance_check_days", 0, MN__IN_MAINTENANCE_CHECK_DAYS,
                          &check, NULL)) ||
        (st = mn__jstr(in, root, "$", "constants", 0, &constants, &constants_here)) ||
        (st = mn__jstr(in, root, "$", "control", 0, &control, &control_here)) ||
        (st = mn__jnum(in, root, "$", "dropout_per_visit", 0, 0, MN_COHORT_MAX_DROPOUT,
                       &t->dropout_per_visit, NULL)))
        return st;
    if (control_here && !strcmp(control, "untreated"))
        t->control = MN_COHORT_CONTROL_UNTREATED;
    else if (control_here && strcmp(control, "none"))
        return mn__error(in->ctx, MN_ERANGE,
                         "%s: $.control: unknown value \"%.40s\"; expected none (the treated "
                         "arm alone, the default) or untreated (the same patients untreated "
                         "beside it)",
                         in->src, control);
    if (constants_here && !strcmp(constants, "defaults"))
        t->constants = MN_COHORT_CONSTANTS_DEFAULTS;
    else if (constants_here && strcmp(constants, "evidence-fit"))
        return mn__error(in->ctx, MN_ERANGE,
                         "%s: $.constants: unknown value \"%.40s\"; expected evidence-fit (the "
                         "bundled posterior's draws, the default) or defaults (the library's "
                         "constants)",
                         in->src, constants);
    if (here && strlen(name) >= sizeof t->name)
        return mn__error(in->ctx, MN_ELIMIT, "%s: $.name: at most %d bytes, got %zu", in->src,
                         MN_COHORT_NAME_LEN - 1, strlen(name));
    if (here)
        snprintf(t->name, sizeof t->name, "%s", name);
    if (seed != floor(seed))
        return mn__error(in->ctx, MN_ETYPE, "%s: $.seed: expected a whole number, got %g", in->src,
                         seed);
    t->seed = (uint64_t)seed;
    t->maintenance_check_days = (int)check;
    t->zone = mn_catalog_find_site(cat, zone);
    if (!t->zone)
        return mn__error(in->ctx, MN_ENOTFOUND,
                         "%s: $.zone: unknown zone \"%.40s\" (see 'mneedle catalog sites')",
                         in->src, zone);
    t->concern = mn_catalog_find_concern(cat, concern);
    if (!t->concern)
        return mn__error(in->ctx, MN_ENOTFOUND,
                         "%s: $.concern: unknown concern \"%.40s\" (see 'mneedle catalog "
                         "concerns')",
                         in->src, concern);
    if (!mn_concern_has_zone(t->concern, t->zone->id))
        return mn__error(in->ctx, MN_ERANGE, "%s: $.zone: %s is not treated on the %s", in->src,
                         t->concern->id, t->zone->id);
    /* A concern the model does not project runs, as simulate runs it: its improvement columns
     * are the collagen model's, not a forecast for the concern, and the warning says so. */
    if (!t->concern->collagen_projection)
        mn__warn(&t->warnings, "concern_not_projected", in->src, "$.concern",
                 "the model does not project %s: it does not follow dermal collagen, so the "
                 "improvement columns are what the collagen change alone would give, not a "
                 "forecast for it",
                 t->concern->id);
    else if (t->concern->projection_withheld) {
        /* The reason, where it fits in a warning; the catalogue's, where it is longer (all
         * the catalogue's are, at 260 to 360 bytes), so that the warning is never cut. */
        const char *tail = "; the improvement columns are the collagen model's, not a forecast "
                           "for it";
        char why[sizeof((mn_warning *)NULL)->message];
        int n = snprintf(why, sizeof why, "the model does not project %s: %s%s", t->concern->id,
                         t->concern->projection_withheld, tail);
        if (n < 0 || (size_t)n >= sizeof why)
            snprintf(why, sizeof why,
                     "the model does not project %s (projection_withheld in 'mneedle catalog "
                     "concerns --json' says why)%s",
                     t->concern->id, tail);
        mn__warn(&t->warnings, "concern_not_projected", in->src, "$.concern", "%s", why);
    }
    int last_session = t->sessions[t->n_sessions - 1].day;
    int last_endpoint = t->endpoint_days[t->n_endpoints - 1];
    t->horizon_days = last_endpoint > last_session ? last_endpoint : last_session;
    /* A length beyond the planner's caps runs, with a warning. The population's extremes
     * stand for it: skin thins with age, so the anatomy cap is lowest at the oldest age (on the
     * last session's day) for one of the sexes sampled; the zone cap is lowest for the darkest
     * phototype sampled (no deep-face exception from phototype IV, device.h). */
    const mn_cohort_population *pop = &t->population;
    mn_patient corners[4];
    int nc = 0;
    for (int s = MN_SEX_FEMALE; s <= MN_SEX_MALE; s++) {
        if ((pop->sex == MN_COHORT_SEX_FEMALE && s != MN_SEX_FEMALE) ||
            (pop->sex == MN_COHORT_SEX_MALE && s != MN_SEX_MALE) ||
            (pop->sex == MN_COHORT_SEX_ANY && s == MN_SEX_FEMALE && !(pop->female_fraction > 0)) ||
            (pop->sex == MN_COHORT_SEX_ANY && s == MN_SEX_MALE && !(pop->female_fraction < 1)))
            continue;
        for (int a = 0; a < 2; a++) {
            mn_patient *p = &corners[nc++];
            mn_patient_init(p);
            p->sex = (mn_sex)s;
            p->age_years = (a ? pop->age_hi : pop->age_lo) + last_session / MN__DAYS_PER_YEAR;
            p->fitzpatrick = pop->fitzpatrick_hi;
        }
    }
    mn__depth_cap_warn(t->device, t->zone, corners, nc, t->concern, t->needle_mm, in->src,
                       "$.protocol.needle_mm", 0, &t->warnings);
    /* So do sessions closer than the concern's minimum interval, as in a simulation. */
    mn__healing_interval_warn(t->sessions, (size_t)t->n_sessions, t->concern, in->src,
                              "$.protocol.session_days", NULL, &t->warnings);
    return MN_OK;
}

mn_status mn_cohort_trial_parse(mn_ctx *ctx, const char *src, const char *text, size_t len,
                                mn_cohort_trial *out)
{
    json_t *root = NULL;
    if (!ctx || !text || !out)
        return mn__error(ctx, MN_EINVAL, "mn_cohort_trial_parse: NULL argument");
    mn_status st = mn__json_parse(ctx, src ? src : "<string>", text, len, &root);
    if (st)
        return st;
    mn__jin in = {ctx, src ? src : "<string>"};
    st = mn__cohort_trial_from_json(&in, root, out);
    json_decref(root);
    return st;
}

mn_status mn_cohort_trial_load(mn_ctx *ctx, const char *path, mn_cohort_trial *out)
{
    json_t *root = NULL;
    if (!ctx || !path || !out)
        return mn__error(ctx, MN_EINVAL, "mn_cohort_trial_load: NULL argument");
    mn_status st = mn__json_load(ctx, path, &root);
    if (st)
        return st;
    mn__jin in = {ctx, strcmp(path, "-") ? path : "<stdin>"};
    st = mn__cohort_trial_from_json(&in, root, out);
    json_decref(root);
    return st;
}
