/*
 * The client file: parsed strictly, so a typo in a history flag (which would silently skip a
 * contraindication) is an error, not an omission. Keys of DESIGN §4; extras documented in
 * docs/input-formats.md.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json_in.h"
#include "data/ranges.h"
#include "mneedle/clinic.h"

static const char *const history_names[] = {
#define MN__HISTORY_NAME(id, name, numeric) name,
    MN_HISTORY_LIST(MN__HISTORY_NAME)
#undef MN__HISTORY_NAME
};
static const int history_numeric[] = {
#define MN__HISTORY_NUM(id, name, numeric) numeric,
    MN_HISTORY_LIST(MN__HISTORY_NUM)
#undef MN__HISTORY_NUM
};

const char *mn_history_name(mn_history_item item)
{
    return (int)item >= 0 && item < MN_HISTORY_COUNT ? history_names[item] : NULL;
}

int mn_history_is_numeric(mn_history_item item)
{
    return (int)item >= 0 && item < MN_HISTORY_COUNT ? history_numeric[item] : 0;
}

int mn_history_find(const char *name)
{
    for (int i = 0; i < MN_HISTORY_COUNT; i++)
        if (strcmp(history_names[i], name) == 0)
            return i;
    return -1;
}

static mn_status parse_client_block(const mn__jin *in, json_t *root, mn_client *out)
{
    static const char *const keys[] = {"name", "age", "sex", "fitzpatrick", NULL};
    json_t *c;
    mn_status st;
    const char *sex, *name;
    long fitz;
    int here;
    if ((st = mn__jobj(in, root, "$", "client", 1, &c, NULL)) ||
        (st = mn__jkeys(in, c, "$.client", keys)) ||
        (st = mn__jnum_in(in, c, "$.client", "age", 1, MN__IN_CLIENT_AGE_YEARS,
                          &out->patient.age_years, NULL)) ||
        (st = mn__jstr(in, c, "$.client", "sex", 1, &sex, NULL)) ||
        (st = mn__jint_in(in, c, "$.client", "fitzpatrick", 1, MN__IN_FITZPATRICK, &fitz, NULL)) ||
        (st = mn__jstr(in, c, "$.client", "name", 0, &name, &here)))
        return st;
    if (!mn_sex_parse(sex, &out->patient.sex))
        return mn__error(in->ctx, MN_ENOTFOUND,
                         "%s: $.client.sex: unknown value \"%.40s\"; expected female or male",
                         in->src, sex);
    out->patient.fitzpatrick = (int)fitz;
    if (here && strlen(name) >= sizeof out->name)
        return mn__error(in->ctx, MN_ELIMIT, "%s: $.client.name: at most %d bytes, got %zu",
                         in->src, MN_CLIENT_NAME_LEN - 1, strlen(name));
    if (here)
        snprintf(out->name, sizeof out->name, "%s", name);
    return MN_OK;
}

static mn_status parse_grade(const mn__jin *in, json_t *e, const char *p, mn_grade *out)
{
    json_t *v = json_object_get(e, "severity");
    *out = MN_SEVERITY_MODERATE;
    if (!v || json_is_null(v))
        return MN_OK;
    if (json_is_string(v)) {
        static const char *const names[] = {"mild", "moderate", "severe"};
        for (int i = 0; i < 3; i++)
            if (!strcmp(json_string_value(v), names[i])) {
                *out = (mn_grade)(i + 1);
                return MN_OK;
            }
        return mn__error(in->ctx, MN_ENOTFOUND,
                         "%s: %s.severity: unknown value \"%.40s\"; expected mild, moderate, "
                         "severe (or 1-3)",
                         in->src, p, json_string_value(v));
    }
    double x;
    char q[256];
    snprintf(q, sizeof q, "%s.severity", p);
    mn_status st = mn__jnum_value_in(in, v, q, MN__IN_SEVERITY, &x);
    if (st)
        return st;
    if (x != floor(x))
        return mn__error(in->ctx, MN_ETYPE, "%s: %s: expected 1, 2 or 3", in->src, q);
    *out = (mn_grade)(int)x;
    return MN_OK;
}

static mn_status parse_concerns(const mn__jin *in, json_t *root, mn_client *out)
{
    static const char *const keys[] = {"concern", "zones", "severity", NULL};
    const mn_catalog *cat = mn_ctx_catalog(in->ctx);
    json_t *arr;
    mn_status st = mn__jarr(in, root, "$", "concerns", 1, 1, MN_MAX_CONCERNS, &arr, NULL);
    if (st)
        return st;
    out->n_concerns = 0;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        char p[64];
        snprintf(p, sizeof p, "$.concerns[%zu]", i);
        json_t *e = json_array_get(arr, i), *zones;
        const char *name;
        mn_client_concern *cc = &out->concerns[out->n_concerns];
        if ((st = mn__jis_object(in, e, p)) || (st = mn__jkeys(in, e, p, keys)) ||
            (st = mn__jstr(in, e, p, "concern", 1, &name, NULL)) ||
            (st = mn__jarr(in, e, p, "zones", 1, 1, MN_MAX_ZONES, &zones, NULL)) ||
            (st = parse_grade(in, e, p, &cc->grade)))
            return st;
        cc->concern = mn_catalog_find_concern(cat, name);
        if (!cc->concern)
            return mn__error(in->ctx, MN_ENOTFOUND,
                             "%s: %s.concern: unknown concern \"%.40s\" (see 'mneedle catalog "
                             "concerns')",
                             in->src, p, name);
        for (int k = 0; k < out->n_concerns; k++)
            if (out->concerns[k].concern == cc->concern)
                return mn__error(in->ctx, MN_ERANGE,
                                 "%s: %s.concern: \"%s\" is listed twice; put all its zones in "
                                 "one entry",
                                 in->src, p, cc->concern->id);
        cc->n_zones = 0;
        for (size_t z = 0; z < json_array_size(zones); z++) {
            char q[96];
            snprintf(q, sizeof q, "%s.zones[%zu]", p, z);
            json_t *zv = json_array_get(zones, z);
            if (!json_is_string(zv))
                return mn__error(in->ctx, MN_ETYPE, "%s: %s: expected a zone name, got %s", in->src,
                                 q, mn__json_type_name(zv));
            const mn_site *site = mn_catalog_find_site(cat, json_string_value(zv));
            if (!site)
                return mn__error(in->ctx, MN_ENOTFOUND,
                                 "%s: %s: unknown zone \"%.40s\" (see 'mneedle catalog sites')",
                                 in->src, q, json_string_value(zv));
            if (!mn_concern_has_zone(cc->concern, site->id)) {
                char list[400] = "";
                size_t used = 0;
                for (int k = 0; k < cc->concern->n_zones && used < sizeof list - 20; k++) {
                    int w = snprintf(list + used, sizeof list - used, "%s%s", k ? ", " : "",
                                     cc->concern->zones[k]);
                    if (w > 0)
                        used += (size_t)w;
                }
                return mn__error(in->ctx, MN_ERANGE,
                                 "%s: %s: %s is not treated on the %s; expected one of: %s",
                                 in->src, q, cc->concern->id, site->id, list);
            }
            for (int k = 0; k < cc->n_zones; k++)
                if (cc->zones[k] == site)
                    return mn__error(in->ctx, MN_ERANGE, "%s: %s: zone \"%s\" is listed twice",
                                     in->src, q, site->id);
            cc->zones[cc->n_zones++] = site;
        }
        out->n_concerns++;
    }
    return MN_OK;
}

static mn_status parse_history(const mn__jin *in, json_t *root, mn_client *out)
{
    json_t *h;
    int here;
    mn_status st = mn__jobj(in, root, "$", "history", 0, &h, &here);
    if (st || !here)
        return st;
    out->has_history = 1;
    const char *key;
    json_t *v;
    json_object_foreach(h, key, v)
    {
        if (key[0] == '_' || !strcmp(key, "comment"))
            continue;
        if (!strcmp(key, "date")) { /* the day the answers were given */
            if ((st = mn__jdate(in, h, "$.history", "date", 1, &out->history_date, NULL)))
                return st;
            out->has_history_date = 1;
            continue;
        }
        int i = mn_history_find(key);
        if (i < 0) {
            return mn__error(in->ctx, MN_ENOTFOUND,
                             "%s: $.history.%s: unknown history item; the known items are "
                             "listed by 'mneedle screen --help'",
                             in->src, key);
        }
        if (history_numeric[i]) {
            /* "…_ago" items: months or weeks since; null means never. */
            double x;
            int present;
            if ((st = mn__jnum_in(in, h, "$.history", key, 0, MN__IN_HISTORY_AGO, &x, &present)))
                return st;
            if (!present)
                continue;
            out->history[i] = x;
            out->history_set[i] = 1;
        } else {
            int b, present;
            if ((st = mn__jbool(in, h, "$.history", key, 0, &b, &present)))
                return st;
            out->history[i] = b;
            out->history_set[i] = (unsigned char)present;
        }
    }
    return MN_OK;
}

static mn_status parse_lifestyle(const mn__jin *in, json_t *root, mn_client *out)
{
    static const char *const keys[] = {"smoker", "sun", NULL};
    json_t *l;
    int here, b;
    const char *sun;
    mn_status st = mn__jobj(in, root, "$", "lifestyle", 0, &l, &here);
    if (st || !here)
        return st;
    if ((st = mn__jkeys(in, l, "$.lifestyle", keys)) ||
        (st = mn__jbool(in, l, "$.lifestyle", "smoker", 0, &b, &here)))
        return st;
    if (here)
        out->patient.smoker = b;
    if ((st = mn__jstr(in, l, "$.lifestyle", "sun", 0, &sun, &here)))
        return st;
    if (here && !mn_sun_parse(sun, &out->patient.sun))
        return mn__error(in->ctx, MN_ENOTFOUND,
                         "%s: $.lifestyle.sun: unknown value \"%.40s\"; expected low, moderate "
                         "or high",
                         in->src, sun);
    return MN_OK;
}

/* Reads an optional text of the clinic's identity ($.clinic.KEY) into @p dst: one line of
 * printable text, 1 to MN_CLINIC_TEXT_LEN - 1 bytes. */
static mn_status clinic_text(const mn__jin *in, json_t *c, const char *key, char *dst)
{
    const char *v;
    int here = 0;
    mn_status st = mn__jstr(in, c, "$.clinic", key, 0, &v, &here);
    if (st || !here)
        return st;
    size_t n = strlen(v);
    if (n < 1 || n >= MN_CLINIC_TEXT_LEN)
        return mn__error(in->ctx, MN_ERANGE,
                         "%s: $.clinic.%s: expected 1 to %d bytes of text, got %zu", in->src, key,
                         MN_CLINIC_TEXT_LEN - 1, n);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
            return mn__error(in->ctx, MN_ERANGE,
                             "%s: $.clinic.%s: control character (byte 0x%02X) at %zu; expected "
                             "one line of text",
                             in->src, key, (unsigned)(unsigned char)v[i], i);
    snprintf(dst, MN_CLINIC_TEXT_LEN, "%s", v);
    return MN_OK;
}

/* A telephone number as people write one: digits with spaces, '+', '-', '.', '/' and
 * parentheses, MN_PHONE_MIN_DIGITS to MN_PHONE_MAX_DIGITS digits (E.164 numbers have at most
 * 15; local and short numbers fewer). */
#define MN_PHONE_MIN_DIGITS 3
#define MN_PHONE_MAX_DIGITS 15
static mn_status check_phone(const mn__jin *in, const char *phone)
{
    int digits = 0;
    for (const char *s = phone; *s; s++) {
        if (*s >= '0' && *s <= '9')
            digits++;
        else if (!strchr(" +-./()", *s))
            return mn__error(in->ctx, MN_ERANGE,
                             "%s: $.clinic.phone: unexpected character '%c' in \"%.40s\"; "
                             "expected digits, spaces and + - . / ( )",
                             in->src, (unsigned char)*s < 0x80 ? *s : '?', phone);
    }
    if (digits < MN_PHONE_MIN_DIGITS || digits > MN_PHONE_MAX_DIGITS)
        return mn__error(in->ctx, MN_ERANGE,
                         "%s: $.clinic.phone: \"%.40s\" has %d digits; expected %d to %d", in->src,
                         phone, digits, MN_PHONE_MIN_DIGITS, MN_PHONE_MAX_DIGITS);
    return MN_OK;
}

/* clinic.prices: {"cheek": 150, "face": 300, "body": 250}: a price per visit for a zone
 * (any name the site catalogue resolves) or for the face or body group. */
static mn_status parse_prices(const mn__jin *in, json_t *c, mn_client *out)
{
    json_t *pr, *v;
    int here;
    const char *key;
    mn_status st = mn__jobj(in, c, "$.clinic", "prices", 0, &pr, &here);
    if (st || !here)
        return st;
    if (json_object_size(pr) > MN_MAX_PRICES)
        return mn__error(in->ctx, MN_ELIMIT, "%s: $.clinic.prices: more than %d entries", in->src,
                         MN_MAX_PRICES);
    json_object_foreach(pr, key, v)
    {
        char q[128];
        double x;
        if (key[0] == '_' || !strcmp(key, "comment"))
            continue;
        snprintf(q, sizeof q, "$.clinic.prices.%.60s", key);
        if ((st = mn__jnum_value_in(in, v, q, MN__IN_PRICE, &x)))
            return st;
        if (!strcmp(key, "face") || !strcmp(key, "body")) {
            *(key[0] == 'f' ? &out->face_price : &out->body_price) = x;
            *(key[0] == 'f' ? &out->has_face_price : &out->has_body_price) = 1;
            continue;
        }
        const mn_site *site = mn_catalog_find_site(mn_ctx_catalog(in->ctx), key);
        if (!site)
            return mn__error(in->ctx, MN_ENOTFOUND,
                             "%s: %s: unknown zone; expected a zone name (see 'mneedle catalog "
                             "sites'), face or body",
                             in->src, q);
        for (int k = 0; k < out->n_prices; k++)
            if (out->prices[k].site == site)
                return mn__error(in->ctx, MN_ERANGE, "%s: %s: zone \"%s\" is priced twice", in->src,
                                 q, site->id);
        out->prices[out->n_prices].site = site;
        out->prices[out->n_prices].price = x;
        out->n_prices++;
    }
    /* Every zone treated needs a price: its own, its group's, or price_per_session. */
    for (int k = 0; k < out->n_concerns; k++)
        for (int z = 0; z < out->concerns[k].n_zones; z++) {
            const mn_site *site = out->concerns[k].zones[z];
            int priced = out->price_per_session > 0 ||
                         (site->facial ? out->has_face_price : out->has_body_price);
            for (int i = 0; i < out->n_prices; i++)
                priced |= out->prices[i].site == site;
            if (!priced)
                return mn__error(in->ctx, MN_ERANGE,
                                 "%s: $.clinic.prices: no price for the %s ($.concerns[%d]."
                                 "zones[%d]); expected its zone, its group (%s) or "
                                 "$.clinic.price_per_session",
                                 in->src, site->id, k, z, site->facial ? "face" : "body");
        }
    return MN_OK;
}

static mn_status parse_clinic(const mn__jin *in, json_t *root, mn_client *out)
{
    static const char *const keys[] = {
        "device", "price_per_session", "currency", "start",        "name",
        "phone",  "practitioner",      "prices",   "course_price", NULL};
    const mn_catalog *cat = mn_ctx_catalog(in->ctx);
    json_t *c;
    int here;
    const char *dev, *cur;
    mn_status st = mn__jobj(in, root, "$", "clinic", 1, &c, NULL);
    if (st)
        return st;
    if ((st = mn__jkeys(in, c, "$.clinic", keys)) ||
        (st = mn__jstr(in, c, "$.clinic", "device", 0, &dev, &here)))
        return st;
    out->device = mn_catalog_find_device(cat, here ? dev : "skinpen");
    if (!out->device)
        return mn__error(in->ctx, MN_ENOTFOUND,
                         "%s: $.clinic.device: unknown device \"%.40s\" (see 'mneedle catalog "
                         "devices')",
                         in->src, dev);
    if ((st = mn__jnum_in(in, c, "$.clinic", "price_per_session", 0, MN__IN_PRICE,
                          &out->price_per_session, NULL)) ||
        (st = mn__jstr(in, c, "$.clinic", "currency", 0, &cur, &here)))
        return st;
    if (here) {
        size_t n = strlen(cur);
        if (n < 1 || n >= MN_CURRENCY_LEN)
            return mn__error(in->ctx, MN_ERANGE,
                             "%s: $.clinic.currency: expected a short code such as GBP or USD",
                             in->src);
        snprintf(out->currency, sizeof out->currency, "%s", cur);
    }
    if ((st = parse_prices(in, c, out)) ||
        (st = mn__jnum_in(in, c, "$.clinic", "course_price", 0, MN__IN_PRICE, &out->course_price,
                          &out->has_course_price)))
        return st;
    if ((st = clinic_text(in, c, "name", out->clinic_name)) ||
        (st = clinic_text(in, c, "phone", out->clinic_phone)) ||
        (st = clinic_text(in, c, "practitioner", out->practitioner)) ||
        (out->clinic_phone[0] && (st = check_phone(in, out->clinic_phone))))
        return st;
    return mn__jdate(in, c, "$.clinic", "start", 1, &out->start, NULL);
}

static mn_status client_from_json(mn_ctx *ctx, const char *src, json_t *root, mn_client *out)
{
    static const char *const keys[] = {"client",    "concerns", "history",
                                       "lifestyle", "clinic",   NULL};
    mn__jin in = {ctx, src};
    memset(out, 0, sizeof *out);
    snprintf(out->src, sizeof out->src, "%s", src);
    mn_patient_init(&out->patient);
    out->patient.sun = MN_SUN_MODERATE;
    snprintf(out->currency, sizeof out->currency, "GBP");
    mn_status st;
    if ((st = mn__jkeys(&in, root, "$", keys)) || (st = parse_client_block(&in, root, out)) ||
        (st = parse_concerns(&in, root, out)) || (st = parse_history(&in, root, out)) ||
        (st = parse_lifestyle(&in, root, out)) || (st = parse_clinic(&in, root, out)))
        return st;
    /* A contradiction is a typo somewhere, and screening cannot tell which answer is wrong. */
    if (out->patient.sex == MN_SEX_MALE && out->history_set[MN_HISTORY_PREGNANT] &&
        out->history[MN_HISTORY_PREGNANT] != 0)
        return mn__error(ctx, MN_ERANGE,
                         "%s: $.history.pregnant: true for a client whose $.client.sex is male; "
                         "expected false or absent, or correct $.client.sex",
                         src);
    return MN_OK;
}

mn_status mn_client_parse(mn_ctx *ctx, const char *src, const char *text, size_t len,
                          mn_client *out)
{
    if (!ctx || !text || !out)
        return mn__error(ctx, MN_EINVAL, "mn_client_parse: NULL argument");
    json_t *root;
    mn_status st = mn__json_parse(ctx, src ? src : "<string>", text, len, &root);
    if (st)
        return st;
    st = client_from_json(ctx, src ? src : "<string>", root, out);
    json_decref(root);
    return st;
}

mn_status mn_client_load(mn_ctx *ctx, const char *path, mn_client *out)
{
    if (!ctx || !path || !out)
        return mn__error(ctx, MN_EINVAL, "mn_client_load: NULL argument");
    json_t *root;
    mn_status st = mn__json_load(ctx, path, &root);
    if (st)
        return st;
    st = client_from_json(ctx, strcmp(path, "-") ? path : "<stdin>", root, out);
    json_decref(root);
    return st;
}
