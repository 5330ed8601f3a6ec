/*
 * Catalogue loading. Each of the nine files is read from --data DIR when present there, else
 * from the copy embedded at build time (cmake/embed.cmake). Entries are validated as strictly
 * as user input: a catalogue override with a typo fails with file and JSON path.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/dir.h"
#include "core/json_in.h"
#include "data/catalog_internal.h"
#include "data/ranges.h"

struct mn__embedded_file {
    const char *name;
    const char *data;
    size_t len;
};
extern const struct mn__embedded_file mn__embedded_files[];

/* The files a data directory may hold. The first MN__CATALOG_PLAN_FILES and adverse_events.json
 * are what plans are made from (the plan names the persistent cited adverse events in its
 * risks, src/clinic/plan.c); scales.json is read by the clinic record (src/store/scales.c)
 * through mn__catalog_file, and adverse_events.json, loaded here, by the record too. Which
 * files the catalogue hash a stored plan records covers: mn__catalog_hash_covers. */
enum {
    F_DEVICES,
    F_SITES,
    F_CONCERNS,
    F_PRODUCTS,
    F_RULES,
    F_AFTERCARE,
    F_REFERENCES,
    F_SCALES,
    F_ADVERSE_EVENTS,
    F_COUNT
};
static const char *const file_names[F_COUNT] = {
    "devices.json",   "sites.json",      "concerns.json", "products.json",      "rules.json",
    "aftercare.json", "references.json", "scales.json",   "adverse_events.json"};
static const char *const list_keys[F_COUNT] = {"devices",    "sites",  "concerns",
                                               "products",   "rules",  "aftercare",
                                               "references", "scales", "adverse_events"};

static mn_status load_one(mn_ctx *ctx, const char *data_dir, int which, json_t **out, char *src,
                          size_t src_len)
{
    const char *fname = file_names[which];
    if (data_dir) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", data_dir, fname);
        struct stat sb;
        if (stat(path, &sb) == 0) {
            snprintf(src, src_len, "%s", path);
            return mn__json_load(ctx, path, out);
        }
        if (errno != ENOENT)
            return mn__error(ctx, MN_EIO, "%s: %s", path, strerror(errno));
    }
    for (const struct mn__embedded_file *e = mn__embedded_files; e->name; e++)
        if (strcmp(e->name, fname) == 0) {
            snprintf(src, src_len, "(embedded) data/%s", fname);
            return mn__json_parse(ctx, src, e->data, e->len, out);
        }
    return mn__error(ctx, MN_EIO, "catalogue %s is missing from this build", fname);
}

/* Edit distance between a and b, capped at 3 (enough to tell a near miss). */
static int near_miss(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 32 || lb > 32 || (la > lb ? la - lb : lb - la) > 2)
        return 0;
    int d[33][33];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int sub = d[i - 1][j - 1] +
                      (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
            int del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
    return d[la][lb] <= 2;
}

/* 1 when a file name in a data directory looks meant as a catalogue but is not one of the nine
 * names: its stem (up to the first '.') is within two edits of a catalogue's, case aside
 * ("device.json", "Devices.JSON", "sites.jsn", "rule.json"). Other files are left alone. */
static int looks_like_catalogue(const char *name)
{
    char stem[33];
    size_t k = strcspn(name, ".");
    if (k >= sizeof stem)
        return 0;
    memcpy(stem, name, k);
    stem[k] = '\0';
    for (int f = 0; f < F_COUNT; f++)
        if (near_miss(stem, list_keys[f]))
            return 1;
    return 0;
}

/* The --data directory itself: it must exist and be a directory, and every entry in it that
 * looks like a catalogue must be one of the nine files, present (not a dangling link) and a
 * regular file. Silently falling back to the embedded copy of a file the user meant to
 * override would plan with data they did not choose. */
static mn_status check_dir(mn_ctx *ctx, const char *dir)
{
    DIR *d;
    mn_status st = mn__dir_open(ctx, dir, "data directory",
                                "catalogue files (devices.json, sites.json, ...)", &d);
    if (st)
        return st;
    struct dirent *de;
    while (!st && (de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        if (name[0] == '.')
            continue;
        int known = 0;
        for (int f = 0; f < F_COUNT; f++)
            known |= strcmp(name, file_names[f]) == 0;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        if (!known) {
            if (looks_like_catalogue(name))
                st = mn__error(ctx, MN_ENOTFOUND,
                               "%s: not a catalogue file name; a data directory holds "
                               "devices.json, sites.json, concerns.json, products.json, "
                               "rules.json, aftercare.json, references.json, scales.json and "
                               "adverse_events.json",
                               path);
            continue;
        }
        struct stat sb;
        if (stat(path, &sb) != 0)
            st = mn__error(ctx, MN_EINVAL, "%s: %s%s", path, strerror(errno),
                           lstat(path, &sb) == 0 ? " (a link to a file that does not exist)" : "");
        else if (!S_ISREG(sb.st_mode))
            st = mn__error(ctx, MN_EINVAL, "%s: not a regular file", path);
    }
    closedir(d);
    return st;
}

static mn_status read_aliases(const mn__jin *in, json_t *e, const char *path, const char **aliases,
                              int *n)
{
    json_t *arr;
    int here;
    *n = 0;
    mn_status st = mn__jarr(in, e, path, "aliases", 0, 0, MN_MAX_ALIASES, &arr, &here);
    if (st || !here)
        return st;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *a = json_array_get(arr, i);
        if (!json_is_string(a)) {
            char p[256];
            snprintf(p, sizeof p, "%s.aliases[%zu]", path, i);
            return mn__error(in->ctx, MN_ETYPE, "%s: %s: expected a string", in->src, p);
        }
        aliases[(*n)++] = json_string_value(a);
    }
    return MN_OK;
}

static mn_status read_enum(const mn__jin *in, json_t *e, const char *path, const char *key,
                           const char *const *names, int *out)
{
    const char *s;
    mn_status st = mn__jstr(in, e, path, key, 1, &s, NULL);
    if (st)
        return st;
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], s) == 0) {
            *out = i;
            return MN_OK;
        }
    return mn__error(in->ctx, MN_ENOTFOUND, "%s: %s.%s: unknown value \"%s\"", in->src, path, key,
                     s);
}

/* A roller's fixed needle lengths: required for rollers (they are sold in fixed lengths, so a
 * plan may only name one of them), refused for pens and stamps (they keep their step). */
static mn_status read_lengths(const mn__jin *in, json_t *e, const char *p, mn_device *d)
{
    json_t *arr;
    int here;
    char q[256];
    d->n_lengths = 0;
    mn_status st = mn__jarr(in, e, p, "lengths_mm", d->kind == MN_DEVICE_ROLLER, 1, MN_MAX_LENGTHS,
                            &arr, &here);
    if (st || !here)
        return st;
    if (d->kind != MN_DEVICE_ROLLER)
        return mn__error(in->ctx, MN_ETYPE,
                         "%s: %s.lengths_mm: only rollers have fixed lengths; a %s sets its depth "
                         "with depth_step_mm",
                         in->src, p, d->kind == MN_DEVICE_PEN ? "pen" : "stamp");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        snprintf(q, sizeof q, "%s.lengths_mm[%zu]", p, i);
        double v;
        if ((st = mn__jnum_value(in, json_array_get(arr, i), q, d->depth_min_mm, d->depth_max_mm,
                                 &v)))
            return st;
        if (i > 0 && !(v > d->lengths_mm[i - 1]))
            return mn__error(in->ctx, MN_ERANGE,
                             "%s: %s: expected lengths in increasing order, each listed once",
                             in->src, q);
        d->lengths_mm[d->n_lengths++] = v;
    }
    if (d->lengths_mm[0] != d->depth_min_mm || d->lengths_mm[d->n_lengths - 1] != d->depth_max_mm)
        return mn__error(in->ctx, MN_ERANGE,
                         "%s: %s.lengths_mm: expected the shortest length to equal depth_min_mm "
                         "(%g) and the longest depth_max_mm (%g)",
                         in->src, p, d->depth_min_mm, d->depth_max_mm);
    return MN_OK;
}

static mn_status parse_device(const mn__jin *in, json_t *e, const char *p, mn_device *d)
{
    static const char *const keys[] = {"id",
                                       "name",
                                       "aliases",
                                       "kind",
                                       "class",
                                       "needles",
                                       "stroke_hz",
                                       "head_width_mm",
                                       "drum_diameter_mm",
                                       "drum_width_mm",
                                       "needle_diameter_um",
                                       "depth_min_mm",
                                       "depth_max_mm",
                                       "depth_step_mm",
                                       "lengths_mm",
                                       "depth_fraction_max",
                                       "depth_fraction_half_mm",
                                       "price_hint",
                                       "passes",
                                       "evaluated_max_mm",
                                       "evaluated_by",
                                       "source",
                                       NULL};
    static const char *const kinds[] = {"pen", "roller", "stamp", NULL};
    static const char *const classes[] = {"clinical", "home", NULL};
    mn_status st;
    long needles;
    int kind = 0, cls = 0;
    if ((st = mn__jkeys(in, e, p, keys)) || (st = mn__jstr(in, e, p, "id", 1, &d->id, NULL)) ||
        (st = mn__jstr(in, e, p, "name", 1, &d->name, NULL)) ||
        (st = mn__jstr(in, e, p, "source", 1, &d->source, NULL)) ||
        (st = read_aliases(in, e, p, d->aliases, &d->n_aliases)) ||
        (st = read_enum(in, e, p, "kind", kinds, &kind)) ||
        (st = read_enum(in, e, p, "class", classes, &cls)) ||
        (st = mn__jint(in, e, p, "needles", 1, 1, 10000, &needles, NULL)) ||
        (st =
             mn__jnum(in, e, p, "needle_diameter_um", 1, 10, 2000, &d->needle_diameter_um, NULL)) ||
        (st = mn__jnum(in, e, p, "depth_min_mm", 1, 0.05, 5, &d->depth_min_mm, NULL)) ||
        (st = mn__jnum(in, e, p, "depth_max_mm", 1, 0.05, 5, &d->depth_max_mm, NULL)) ||
        (st = mn__jnum(in, e, p, "depth_step_mm", 1, 0, 1, &d->depth_step_mm, NULL)) ||
        (st = mn__jnum(in, e, p, "depth_fraction_max", 1, 0.05, 1, &d->depth_fraction_max, NULL)) ||
        (st = mn__jnum(in, e, p, "depth_fraction_half_mm", 1, 0, 10, &d->depth_fraction_half_mm,
                       NULL)) ||
        (st = mn__jnum_in(in, e, p, "price_hint", 0, MN__IN_PRICE, &d->price_hint, NULL)))
        return st;
    d->kind = (mn_device_kind)kind;
    d->device_class = (mn_device_class)cls;
    d->needles = (int)needles;
    /* passes: a roller's usual passes per area per session, required for rollers (a pen's
     * count from the concern would give a roller a fraction of the punctures its studies
     * used), refused for pens and stamps (the planner takes the concern's count for them, so
     * a value here would be silently ignored). Range as the concern's and scenario's passes
     * (data/ranges.c: at most 30). */
    int has_passes = 0;
    if ((st = mn__jpasses_in(in, e, p, "passes", d->kind == MN_DEVICE_ROLLER, &d->passes,
                             &has_passes)))
        return st;
    if (has_passes && d->kind != MN_DEVICE_ROLLER)
        return mn__error(in->ctx, MN_ETYPE,
                         "%s: %s.passes: only rollers carry their own passes; a %s takes its "
                         "concern's (passes in concerns.json, PASSES in 'mneedle catalog "
                         "concerns')",
                         in->src, p, d->kind == MN_DEVICE_PEN ? "pen" : "stamp");
    if (d->kind == MN_DEVICE_ROLLER) {
        if ((st = mn__jnum(in, e, p, "drum_diameter_mm", 1, 1, 200, &d->drum_diameter_mm, NULL)) ||
            (st = mn__jnum(in, e, p, "drum_width_mm", 1, 1, 200, &d->drum_width_mm, NULL)))
            return st;
    } else {
        if ((st = mn__jnum(in, e, p, "stroke_hz", 1, 1, 1000, &d->stroke_hz, NULL)) ||
            (st = mn__jnum(in, e, p, "head_width_mm", 1, 0.5, 50, &d->head_width_mm, NULL)))
            return st;
    }
    if (d->depth_min_mm > d->depth_max_mm)
        return mn__error(in->ctx, MN_ERANGE, "%s: %s: depth_min_mm is above depth_max_mm", in->src,
                         p);
    /* evaluated_max_mm and evaluated_by: the two together or neither (a limit without its
     * evaluation could not be cited, an evaluation without a limit says nothing). */
    int has_eval_mm = 0, has_eval_by = 0;
    if ((st = mn__jnum(in, e, p, "evaluated_max_mm", 0, 0.05, 5, &d->evaluated_max_mm,
                       &has_eval_mm)) ||
        (st = mn__jstr(in, e, p, "evaluated_by", 0, &d->evaluated_by, &has_eval_by)))
        return st;
    if (has_eval_mm != has_eval_by)
        return mn__error(in->ctx, MN_ETYPE,
                         "%s: %s: evaluated_max_mm and evaluated_by go together (the longest "
                         "setting an evaluation covered, and that evaluation with its source)",
                         in->src, p);
    return read_lengths(in, e, p, d);
}

static mn_status parse_site(const mn__jin *in, json_t *e, const char *p, mn_site *s)
{
    static const char *const keys[] = {"id",
                                       "name",
                                       "aliases",
                                       "facial",
                                       "sc_um",
                                       "ve_um",
                                       "papillary_um",
                                       "reticular_um",
                                       "subcutis_um",
                                       "male_factor",
                                       "clinical_max_mm",
                                       "area_cm2",
                                       "closure_factor",
                                       "source",
                                       NULL};
    mn_status st;
    if ((st = mn__jkeys(in, e, p, keys)) || (st = mn__jstr(in, e, p, "id", 1, &s->id, NULL)) ||
        (st = mn__jstr(in, e, p, "name", 1, &s->name, NULL)) ||
        (st = mn__jstr(in, e, p, "source", 1, &s->source, NULL)) ||
        (st = read_aliases(in, e, p, s->aliases, &s->n_aliases)) ||
        (st = mn__jbool(in, e, p, "facial", 1, &s->facial, NULL)) ||
        (st = mn__jnum(in, e, p, "sc_um", 1, 1, 1000, &s->sc_um, NULL)) ||
        (st = mn__jnum(in, e, p, "ve_um", 1, 5, 1000, &s->ve_um, NULL)) ||
        (st = mn__jnum(in, e, p, "papillary_um", 1, 10, 2000, &s->papillary_um, NULL)) ||
        (st = mn__jnum(in, e, p, "reticular_um", 1, 50, 10000, &s->reticular_um, NULL)) ||
        (st = mn__jnum(in, e, p, "subcutis_um", 1, 50, 100000, &s->subcutis_um, NULL)) ||
        (st = mn__jnum(in, e, p, "male_factor", 1, 0.5, 2, &s->male_factor, NULL)) ||
        (st = mn__jnum(in, e, p, "clinical_max_mm", 1, 0.1, 5, &s->clinical_max_mm, NULL)) ||
        (st = mn__jnum(in, e, p, "area_cm2", 1, 1, 20000, &s->area_cm2, NULL)) ||
        (st = mn__jnum(in, e, p, "closure_factor", 1, 0.1, 10, &s->closure_factor, NULL)))
        return st;
    return MN_OK;
}

static mn_status read_pair(const mn__jin *in, json_t *e, const char *p, const char *key,
                           double out[2])
{
    json_t *arr;
    mn_status st = mn__jarr(in, e, p, key, 1, 2, 2, &arr, NULL);
    if (st)
        return st;
    char q[256];
    for (size_t i = 0; i < 2; i++) {
        snprintf(q, sizeof q, "%s.%s[%zu]", p, key, i);
        if ((st = mn__jnum_value(in, json_array_get(arr, i), q, 0.05, 5, &out[i])))
            return st;
    }
    if (out[0] > out[1])
        return mn__error(in->ctx, MN_ERANGE, "%s: %s.%s: minimum above maximum", in->src, p, key);
    return MN_OK;
}

static mn_status parse_concern(const mn__jin *in, json_t *e, const char *p, mn_concern *c,
                               const struct mn_catalog *cat)
{
    static const char *const keys[] = {"id",
                                       "name",
                                       "aliases",
                                       "zones",
                                       "face_depth_mm",
                                       "body_depth_mm",
                                       "deep_face_max_mm",
                                       "deep_reason",
                                       "sessions",
                                       "interval_days",
                                       "min_interval_days",
                                       "maintenance_days",
                                       "passes",
                                       "response_weight",
                                       "response_note",
                                       "collagen_projection",
                                       "projection_withheld",
                                       "source",
                                       "dark_phototype_max_mm",
                                       "dark_phototype_from",
                                       "dark_phototype_reason",
                                       "gentle_rise",
                                       "maintenance_at_start",
                                       "pretreatment",
                                       NULL};
    static const char *const skeys[] = {"min", "max", "default", NULL};
    mn_status st;
    json_t *zones, *sessions, *pre;
    long smin, smax, sdef, interval, minint, maint, dark_from = 4;
    int collagen = 1, has_collagen = 0, has_pre = 0, has_dark_max = 0, has_dark_from = 0;
    char q[256];
    if ((st = mn__jkeys(in, e, p, keys)) || (st = mn__jstr(in, e, p, "id", 1, &c->id, NULL)) ||
        (st = mn__jstr(in, e, p, "name", 1, &c->name, NULL)) ||
        (st = mn__jstr(in, e, p, "source", 1, &c->source, NULL)) ||
        (st = read_aliases(in, e, p, c->aliases, &c->n_aliases)) ||
        (st = mn__jarr(in, e, p, "zones", 1, 1, 32, &zones, NULL)) ||
        (st = read_pair(in, e, p, "face_depth_mm", c->face_depth_mm)) ||
        (st = read_pair(in, e, p, "body_depth_mm", c->body_depth_mm)) ||
        (st = mn__jnum(in, e, p, "deep_face_max_mm", 0, 0, 3, &c->deep_face_max_mm, NULL)) ||
        (st = mn__jstr(in, e, p, "deep_reason", 0, &c->deep_reason, NULL)) ||
        (st = mn__jnum(in, e, p, "dark_phototype_max_mm", 0, 0.1, 3, &c->dark_phototype_max_mm,
                       &has_dark_max)) ||
        (st = mn__jint(in, e, p, "dark_phototype_from", 0, 4, 6, &dark_from, &has_dark_from)) ||
        (st = mn__jstr(in, e, p, "dark_phototype_reason", 0, &c->dark_phototype_reason, NULL)) ||
        (st = mn__jbool(in, e, p, "gentle_rise", 0, &c->gentle_rise, NULL)) ||
        (st = mn__jobj(in, e, p, "sessions", 1, &sessions, NULL)) ||
        (st = mn__jint(in, e, p, "interval_days", 1, 1, 365, &interval, NULL)) ||
        (st = mn__jint(in, e, p, "min_interval_days", 1, 1, 365, &minint, NULL)) ||
        (st = mn__jint(in, e, p, "maintenance_days", 1, 14, 730, &maint, NULL)) ||
        (st = mn__jnum(in, e, p, "passes", 1, 1, 20, &c->passes, NULL)) ||
        (st = mn__jnum(in, e, p, "response_weight", 1, 0, 1, &c->response_weight, NULL)) ||
        (st = mn__jstr(in, e, p, "response_note", 0, &c->response_note, NULL)) ||
        (st = mn__jbool(in, e, p, "collagen_projection", 0, &collagen, &has_collagen)) ||
        (st = mn__jstr(in, e, p, "projection_withheld", 0, &c->projection_withheld, NULL)) ||
        (st = mn__jbool(in, e, p, "maintenance_at_start", 0, &c->maintenance_at_start, NULL)) ||
        (st = mn__jarr(in, e, p, "pretreatment", 0, 1, MN_MAX_ADJUST_PRETREATMENT, &pre, &has_pre)))
        return st;
    c->collagen_projection = has_collagen ? collagen : 1;
    /* The phototype and the reason belong to the darker-skin cap: without it they would be
     * read by nothing, so a file that gives them has lost its cap (or misplaced them); a
     * reason is words the zone's line prints, so a blank one is refused too. */
    if (!has_dark_max && (has_dark_from || c->dark_phototype_reason)) {
        const char *key = has_dark_from ? "dark_phototype_from" : "dark_phototype_reason";
        return mn__error(in->ctx, MN_EPARSE,
                         "%s: %s.%s: expected no %s without dark_phototype_max_mm", in->src, p, key,
                         key);
    }
    if (c->dark_phototype_reason &&
        !c->dark_phototype_reason[strspn(c->dark_phototype_reason, " \t\n\r")])
        return mn__error(in->ctx, MN_EPARSE,
                         "%s: %s.dark_phototype_reason: expected the plain words the zone's line "
                         "gives, got an empty string",
                         in->src, p);
    c->dark_phototype_from = (int)dark_from;
    c->n_pretreatment = 0;
    for (size_t i = 0; has_pre && i < json_array_size(pre); i++) {
        json_t *v = json_array_get(pre, i);
        if (!json_is_string(v))
            return mn__error(in->ctx, MN_ETYPE,
                             "%s: %s.pretreatment[%zu]: expected a pre-treatment id", in->src, p,
                             i);
        c->pretreatment[c->n_pretreatment++] = json_string_value(v);
    }
    snprintf(q, sizeof q, "%s.sessions", p);
    if ((st = mn__jkeys(in, sessions, q, skeys)) ||
        (st = mn__jint(in, sessions, q, "min", 1, 1, MN_CONCERN_MAX_SESSIONS, &smin, NULL)) ||
        (st = mn__jint(in, sessions, q, "max", 1, 1, MN_CONCERN_MAX_SESSIONS, &smax, NULL)) ||
        (st = mn__jint(in, sessions, q, "default", 1, 1, MN_CONCERN_MAX_SESSIONS, &sdef, NULL)))
        return st;
    if (smin > sdef || sdef > smax)
        return mn__error(in->ctx, MN_ERANGE, "%s: %s: expected min <= default <= max", in->src, q);
    if (minint > interval)
        return mn__error(in->ctx, MN_ERANGE, "%s: %s: min_interval_days is above interval_days",
                         in->src, p);
    c->sessions_min = (int)smin;
    c->sessions_max = (int)smax;
    c->sessions_default = (int)sdef;
    c->interval_days = (int)interval;
    c->min_interval_days = (int)minint;
    c->maintenance_days = (int)maint;
    c->n_zones = 0;
    for (size_t i = 0; i < json_array_size(zones); i++) {
        json_t *z = json_array_get(zones, i);
        snprintf(q, sizeof q, "%s.zones[%zu]", p, i);
        if (!json_is_string(z))
            return mn__error(in->ctx, MN_ETYPE, "%s: %s: expected a zone name", in->src, q);
        const mn_site *s = mn_catalog_find_site(cat, json_string_value(z));
        if (!s)
            return mn__error(in->ctx, MN_ENOTFOUND, "%s: %s: unknown zone \"%s\"", in->src, q,
                             json_string_value(z));
        c->zones[c->n_zones++] = s->id;
    }
    if (c->deep_face_max_mm > 0 && !c->deep_reason)
        return mn__error(in->ctx, MN_ETYPE,
                         "%s: %s: deep_face_max_mm needs a deep_reason saying why", in->src, p);
    return MN_OK;
}

static mn_status parse_product(const mn__jin *in, json_t *e, const char *p, mn_product *d)
{
    int has_sol = 0, has_rh = 0;
    static const char *const keys[] = {"id",
                                       "name",
                                       "aliases",
                                       "mw",
                                       "logp",
                                       "concentration_mg_ml",
                                       "solubility_mg_ml",
                                       "solubility_source",
                                       "hydrodynamic_radius_nm",
                                       "hydrodynamic_radius_source",
                                       "note",
                                       "source",
                                       NULL};
    mn_status st;
    if ((st = mn__jkeys(in, e, p, keys)) || (st = mn__jstr(in, e, p, "id", 1, &d->id, NULL)) ||
        (st = mn__jstr(in, e, p, "name", 1, &d->name, NULL)) ||
        (st = mn__jstr(in, e, p, "source", 1, &d->source, NULL)) ||
        (st = read_aliases(in, e, p, d->aliases, &d->n_aliases)) ||
        (st = mn__jnum(in, e, p, "mw", 1, 10, 1e6, &d->mw, NULL)) ||
        (st = mn__jnum(in, e, p, "logp", 1, -10, 12, &d->logp, NULL)) ||
        (st = mn__jnum(in, e, p, "concentration_mg_ml", 1, 0, 1000, &d->concentration_mg_ml,
                       NULL)) ||
        (st = mn__jnum(in, e, p, "solubility_mg_ml", 0, 1e-9, 5000, &d->solubility_mg_ml,
                       &has_sol)) ||
        (st = mn__jstr(in, e, p, "solubility_source", has_sol, &d->solubility_source, NULL)) ||
        (st = mn__jnum(in, e, p, "hydrodynamic_radius_nm", 0, 0.1, 1000, &d->hydrodynamic_radius_nm,
                       &has_rh)) ||
        (st = mn__jstr(in, e, p, "hydrodynamic_radius_source", has_rh,
                       &d->hydrodynamic_radius_source, NULL)) ||
        (st = mn__jstr(in, e, p, "note", 0, &d->note, NULL)))
        return st;
    return MN_OK;
}

/* A rule's adjust block: what the plan changes when the rule fires. Every change makes the
 * plan more conservative (depths only down, intervals only up); the pre-treatment ids are
 * checked against the pre-treatment list once it is loaded (check_adjust_ids). */
#define MN__ADJUST_REASON_MAX 100 /* a plan's zone line names up to four reasons */

/* The adjust block's concern_reasons: each names a concern of concerns.json once, with a
 * reason of the same bound as the block's and a source. */
static mn_status read_concern_reasons(const mn__jin *in, json_t *a, const char *q,
                                      mn_rule_adjust *x, const struct mn_catalog *cat)
{
    static const char *const keys[] = {"concern", "reason", "source", NULL};
    json_t *list;
    int here;
    char e[300];
    mn_status st =
        mn__jarr(in, a, q, "concern_reasons", 0, 1, MN_MAX_ADJUST_CONCERN_REASONS, &list, &here);
    if (st || !here)
        return st;
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *o = json_array_get(list, i);
        mn_rule_adjust_reason *cr = &x->concern_reasons[i];
        const char *id = NULL;
        snprintf(e, sizeof e, "%s.concern_reasons[%zu]", q, i);
        if ((st = mn__jis_object(in, o, e)) || (st = mn__jkeys(in, o, e, keys)) ||
            (st = mn__jstr(in, o, e, "concern", 1, &id, NULL)) ||
            (st = mn__jstr(in, o, e, "reason", 1, &cr->reason, NULL)) ||
            (st = mn__jstr(in, o, e, "source", 1, &cr->source, NULL)))
            return st;
        const mn_concern *c = mn_catalog_find_concern(cat, id);
        if (!c)
            return mn__error(in->ctx, MN_ENOTFOUND,
                             "%s: %s.concern: unknown concern \"%.40s\"; expected a concern "
                             "from concerns.json",
                             in->src, e, id);
        for (size_t k = 0; k < i; k++)
            if (x->concern_reasons[k].concern == c->id)
                return mn__error(in->ctx, MN_ERANGE,
                                 "%s: %s.concern: \"%s\" is named twice; expected each concern "
                                 "once",
                                 in->src, e, c->id);
        if (strlen(cr->reason) > MN__ADJUST_REASON_MAX)
            return mn__error(in->ctx, MN_ERANGE,
                             "%s: %s.reason: expected at most %d characters (it is shown beside "
                             "each setting it changes)",
                             in->src, e, MN__ADJUST_REASON_MAX);
        cr->concern = c->id;
        x->n_concern_reasons++;
    }
    return MN_OK;
}

const char *mn_rule_adjust_reason_for(const mn_rule_adjust *a, const mn_concern *concern)
{
    if (!a)
        return NULL;
    for (int i = 0; concern && i < a->n_concern_reasons; i++)
        if (!strcmp(a->concern_reasons[i].concern, concern->id))
            return a->concern_reasons[i].reason;
    return a->reason;
}

static mn_status read_adjust(const mn__jin *in, json_t *e, const char *p, mn_rule *r,
                             const struct mn_catalog *cat)
{
    static const char *const keys[] = {"start_mm",     "max_mm",          "interval_days",
                                       "pretreatment", "reason",          "gentle_rise",
                                       "source",       "concern_reasons", NULL};
    json_t *a, *pre;
    int here, has_start = 0, has_max = 0, has_int = 0, has_pre = 0;
    long iv = 0;
    char q[256];
    mn_rule_adjust *x = &r->adjust;
    memset(x, 0, sizeof *x);
    mn_status st = mn__jobj(in, e, p, "adjust", 0, &a, &here);
    if (st || !here)
        return st;
    snprintf(q, sizeof q, "%s.adjust", p);
    if (r->severity != MN_SEVERITY_CAUTION)
        return mn__error(in->ctx, MN_ERANGE,
                         "%s: %s: only a caution rule can adjust the plan (a %s gets no treatment)",
                         in->src, q, r->severity == MN_SEVERITY_DEFER ? "defer" : "decline");
    if ((st = mn__jkeys(in, a, q, keys)) ||
        (st = mn__jnum(in, a, q, "start_mm", 0, -2, 0, &x->start_mm, &has_start)) ||
        (st = mn__jnum(in, a, q, "max_mm", 0, -2, 0, &x->max_mm, &has_max)) ||
        (st = mn__jint(in, a, q, "interval_days", 0, 0, 180, &iv, &has_int)) ||
        (st = mn__jarr(in, a, q, "pretreatment", 0, 1, MN_MAX_ADJUST_PRETREATMENT, &pre,
                       &has_pre)) ||
        (st = mn__jbool(in, a, q, "gentle_rise", 0, &x->gentle_rise, NULL)) ||
        (st = mn__jstr(in, a, q, "reason", 1, &x->reason, NULL)) ||
        (st = mn__jstr(in, a, q, "source", 1, &x->source, NULL)))
        return st;
    x->interval_days = (int)iv;
    if (strlen(x->reason) > MN__ADJUST_REASON_MAX)
        return mn__error(in->ctx, MN_ERANGE,
                         "%s: %s.reason: expected at most %d characters (it is shown beside each "
                         "setting it changes)",
                         in->src, q, MN__ADJUST_REASON_MAX);
    if (!has_start && !has_max && !has_int && !has_pre && !x->gentle_rise)
        return mn__error(in->ctx, MN_ETYPE,
                         "%s: %s: expected at least one of start_mm, max_mm, interval_days, "
                         "pretreatment or gentle_rise",
                         in->src, q);
    if ((st = read_concern_reasons(in, a, q, x, cat)))
        return st;
    if (has_pre)
        for (size_t i = 0; i < json_array_size(pre); i++) {
            json_t *v = json_array_get(pre, i);
            if (!json_is_string(v))
                return mn__error(in->ctx, MN_ETYPE,
                                 "%s: %s.pretreatment[%zu]: expected a pre-treatment id, got %s",
                                 in->src, q, i, mn__json_type_name(v));
            x->pretreatment[x->n_pretreatment++] = json_string_value(v);
        }
    x->present = 1;
    return MN_OK;
}

static mn_status parse_rule(const mn__jin *in, json_t *e, const char *p, mn_rule *r,
                            int *defer_days, const struct mn_catalog *cat)
{
    static const char *const keys[] = {
        "code",   "flag",      "kind",        "severity",   "message", "advice",
        "source", "threshold", "zones",       "defer_days", "adjust",  "ongoing_at_zero",
        "unless", "numbing",   "input_label", "name",       NULL};
    static const char *const kinds[] = {
        "flag",   "months_ago", "weeks_ago", "phototype_ge",        "age_ge",
        "smoker", "no_history", "age_lt",    "months_ago_at_least", "history_older_months",
        NULL};
    static const char *const sevs[] = {"none", "caution", "defer", "decline", NULL};
    mn_status st;
    int kind = 0, sev = 0, here = 0;
    long dd = 0;
    json_t *zones;
    const char *numbing = NULL;
    int has_numbing = 0;
    if ((st = mn__jkeys(in, e, p, keys)) || (st = mn__jstr(in, e, p, "code", 1, &r->code, NULL)) ||
        (st = mn__jstr(in, e, p, "flag", 1, &r->flag, NULL)) ||
        (st = mn__jstr(in, e, p, "message", 1, &r->message, NULL)) ||
        (st = mn__jstr(in, e, p, "advice", 0, &r->advice, NULL)) ||
        (st = mn__jstr(in, e, p, "source", 1, &r->source, NULL)) ||
        (st = mn__jstr(in, e, p, "input_label", 0, &r->input_label, NULL)) ||
        (st = mn__jstr(in, e, p, "name", 0, &r->name, NULL)) ||
        (st = read_enum(in, e, p, "kind", kinds, &kind)) ||
        (st = read_enum(in, e, p, "severity", sevs, &sev)) ||
        (st = mn__jnum(in, e, p, "threshold", 0, 0, 200, &r->threshold, NULL)) ||
        (st = mn__jint(in, e, p, "defer_days", 0, 1, 365, &dd, NULL)) ||
        (st = mn__jarr(in, e, p, "zones", 0, 1, 16, &zones, &here)) ||
        (st = mn__jbool(in, e, p, "ongoing_at_zero", 0, &r->ongoing_at_zero, NULL)) ||
        (st = mn__jstr(in, e, p, "unless", 0, &r->unless, NULL)) ||
        (st = mn__jstr(in, e, p, "numbing", 0, &numbing, &has_numbing)))
        return st;
    /* The name goes into the clinic record's hold reasons and lists (mn_store_finding). */
    if (r->name && (!r->name[0] || strlen(r->name) > MN_RULE_NAME_MAX))
        return mn__error(in->ctx, MN_ERANGE,
                         "%s: %s.name: expected the finding in a few words (1 to %d characters)",
                         in->src, p, MN_RULE_NAME_MAX);
    if (has_numbing && strcmp(numbing, "none"))
        return mn__error(in->ctx, MN_ERANGE,
                         "%s: %s.numbing: unknown value \"%.40s\"; expected \"none\" (no numbing "
                         "cream) or no key",
                         in->src, p, numbing);
    r->no_numbing = has_numbing;
    if (sev == 0)
        return mn__error(in->ctx, MN_ERANGE, "%s: %s.severity: expected caution, defer or decline",
                         in->src, p);
    r->kind = (mn_rule_kind)kind;
    r->severity = (mn_severity)sev;
    *defer_days = (int)dd;
    r->defer_until_known = r->kind == MN_RULE_MONTHS_AGO || r->kind == MN_RULE_WEEKS_AGO ||
                           r->kind == MN_RULE_HISTORY_OLDER_MONTHS || dd > 0;
    if ((st = read_adjust(in, e, p, r, cat)))
        return st;
    r->n_zones = 0;
    if (here)
        for (size_t i = 0; i < json_array_size(zones); i++) {
            json_t *z = json_array_get(zones, i);
            const mn_site *s =
                json_is_string(z) ? mn_catalog_find_site(cat, json_string_value(z)) : NULL;
            if (!s)
                return mn__error(in->ctx, MN_ENOTFOUND, "%s: %s.zones[%zu]: unknown zone", in->src,
                                 p, i);
            r->zones[r->n_zones++] = s->id;
        }
    return MN_OK;
}

static mn_status parse_aftercare(const mn__jin *in, json_t *e, const char *p, mn_aftercare *a,
                                 const struct mn_catalog *cat)
{
    static const char *const keys[] = {"id",
                                       "kind",
                                       "day_from",
                                       "day_to",
                                       "text",
                                       "source",
                                       "min_depth_mm",
                                       "ongoing_for_concerns",
                                       "ongoing_from_phototype",
                                       "areas",
                                       "on_rule",
                                       "unless_rule",
                                       "with_pretreatment",
                                       NULL};
    static const char *const kinds[] = {"do", "avoid", "expect", "red_flag", NULL};
    static const char *const areas[] = {"face", "scalp", "body", NULL};
    mn_status st;
    int kind = 0, here = 0;
    long d0, d1, photo = 0;
    json_t *ongoing, *where;
    int has_areas = 0;
    if ((st = mn__jkeys(in, e, p, keys)) || (st = mn__jstr(in, e, p, "id", 1, &a->id, NULL)) ||
        (st = mn__jstr(in, e, p, "text", 1, &a->text, NULL)) ||
        (st = mn__jstr(in, e, p, "source", 1, &a->source, NULL)) ||
        (st = read_enum(in, e, p, "kind", kinds, &kind)) ||
        (st = mn__jint(in, e, p, "day_from", 1, 0, 365, &d0, NULL)) ||
        (st = mn__jint(in, e, p, "day_to", 1, -1, 365, &d1, NULL)) ||
        (st = mn__jnum(in, e, p, "min_depth_mm", 0, 0, 5, &a->min_depth_mm, NULL)) ||
        (st = mn__jint(in, e, p, "ongoing_from_phototype", 0, 1, 6, &photo, NULL)) ||
        (st = mn__jarr(in, e, p, "ongoing_for_concerns", 0, 1, 8, &ongoing, &here)) ||
        (st = mn__jarr(in, e, p, "areas", 0, 1, 3, &where, &has_areas)) ||
        (st = mn__jstr(in, e, p, "on_rule", 0, &a->on_rule, NULL)) ||
        (st = mn__jstr(in, e, p, "unless_rule", 0, &a->unless_rule, NULL)) ||
        (st = mn__jstr(in, e, p, "with_pretreatment", 0, &a->with_pretreatment, NULL)))
        return st;
    a->areas = 0;
    for (size_t i = 0; has_areas && i < json_array_size(where); i++) {
        json_t *w = json_array_get(where, i);
        int k = -1;
        for (int j = 0; json_is_string(w) && areas[j]; j++)
            if (!strcmp(json_string_value(w), areas[j]))
                k = j;
        if (k < 0)
            return mn__error(in->ctx, MN_EPARSE,
                             "%s: %s.areas[%zu]: expected \"face\", \"scalp\" or \"body\"", in->src,
                             p, i);
        a->areas |= 1u << k;
    }
    a->ongoing_phototype = (int)photo;
    a->n_ongoing_concerns = 0;
    if (here)
        for (size_t i = 0; i < json_array_size(ongoing); i++) {
            json_t *c = json_array_get(ongoing, i);
            const mn_concern *k =
                json_is_string(c) ? mn_catalog_find_concern(cat, json_string_value(c)) : NULL;
            if (!k)
                return mn__error(in->ctx, MN_ENOTFOUND,
                                 "%s: %s.ongoing_for_concerns[%zu]: expected a concern from "
                                 "concerns.json",
                                 in->src, p, i);
            a->ongoing_concerns[a->n_ongoing_concerns++] = k->id;
        }
    if (d1 >= 0 && d1 < d0)
        return mn__error(in->ctx, MN_ERANGE, "%s: %s: day_to is before day_from", in->src, p);
    a->kind = (mn_aftercare_kind)kind;
    a->day_from = (int)d0;
    a->day_to = (int)d1;
    return MN_OK;
}

static mn_status parse_pretreatment(const mn__jin *in, json_t *e, const char *p, mn_pretreatment *t)
{
    static const char *const keys[] = {"id",
                                       "name",
                                       "text",
                                       "source",
                                       "days_before",
                                       "days_from_rule",
                                       "min_phototype",
                                       "on_finding",
                                       "on_rule",
                                       "states_settings",
                                       NULL};
    mn_status st;
    long days = 0, photo = 0;
    int has_days = 0;
    if ((st = mn__jkeys(in, e, p, keys)) || (st = mn__jstr(in, e, p, "id", 1, &t->id, NULL)) ||
        (st = mn__jstr(in, e, p, "name", 0, &t->name, NULL)) ||
        (st = mn__jstr(in, e, p, "text", 1, &t->text, NULL)) ||
        (st = mn__jstr(in, e, p, "source", 1, &t->source, NULL)) ||
        (st = mn__jint(in, e, p, "days_before", 0, 0, 365, &days, &has_days)) ||
        (st = mn__jstr(in, e, p, "days_from_rule", 0, &t->days_from_rule, NULL)) ||
        (st = mn__jint(in, e, p, "min_phototype", 0, 1, 6, &photo, NULL)) ||
        (st = mn__jbool(in, e, p, "on_finding", 0, &t->on_finding, NULL)) ||
        (st = mn__jstr(in, e, p, "on_rule", 0, &t->on_rule, NULL)) ||
        (st = mn__jbool(in, e, p, "states_settings", 0, &t->states_settings, NULL)))
        return st;
    if (has_days == (t->days_from_rule != NULL))
        return mn__error(in->ctx, MN_EPARSE,
                         "%s: %s: expected exactly one of days_before (a number of days) and "
                         "days_from_rule (the code of a rule whose wait it is)",
                         in->src, p);
    t->days_before = (int)days;
    t->min_phototype = (int)photo;
    if (!t->name) /* optional: a catalogue of its own may list items by id alone */
        t->name = t->id;
    return MN_OK;
}

/* 1 when @p code is NULL or the code of a rule of @p cat. */
static int rule_known(const struct mn_catalog *cat, const char *code)
{
    for (size_t i = 0; code && i < cat->n_rules; i++)
        if (!strcmp(cat->rules[i].code, code))
            return 1;
    return code == NULL;
}

/* Every pre-treatment id a rule's adjust block names is in the pre-treatment list, and every
 * rule a pre-treatment or aftercare item's on_rule (or unless_rule) names is in the rules. */
static mn_status check_adjust_ids(mn_ctx *ctx, const char *src, struct mn_catalog *cat)
{
    for (size_t j = 0; j < cat->n_aftercare; j++) {
        const mn_aftercare *a = &cat->aftercare[j];
        const char *bad = !rule_known(cat, a->on_rule)       ? a->on_rule
                          : !rule_known(cat, a->unless_rule) ? a->unless_rule
                                                             : NULL;
        if (bad)
            return mn__error(ctx, MN_ENOTFOUND,
                             "aftercare.json: $.aftercare[%zu].%s: unknown rule \"%s\" (not in %s)",
                             j, bad == a->on_rule ? "on_rule" : "unless_rule", bad, src);
        size_t k = 0;
        while (a->with_pretreatment && k < cat->n_pretreatment &&
               strcmp(cat->pretreatment[k].id, a->with_pretreatment))
            k++;
        if (a->with_pretreatment && k == cat->n_pretreatment)
            return mn__error(ctx, MN_ENOTFOUND,
                             "aftercare.json: $.aftercare[%zu].with_pretreatment: unknown "
                             "pre-treatment \"%s\" (not in the pretreatment list)",
                             j, a->with_pretreatment);
    }
    for (size_t j = 0; j < cat->n_pretreatment; j++) {
        /* A wait the screening also keeps is read from its rule, so the two cannot differ:
         * the rule defers a client until the threshold's weeks have passed, rounded up to a
         * whole day (src/clinic/screen.c), and the instruction starts that many days before. */
        mn_pretreatment *t = &cat->pretreatment[j];
        if (t->days_from_rule) {
            const mn_rule *r = NULL;
            for (size_t i = 0; i < cat->n_rules && !r; i++)
                if (!strcmp(cat->rules[i].code, t->days_from_rule))
                    r = &cat->rules[i];
            if (!r || r->kind != MN_RULE_WEEKS_AGO)
                return mn__error(ctx, MN_ENOTFOUND,
                                 "aftercare.json: $.pretreatment[%zu].days_from_rule: \"%s\" is "
                                 "%s; expected the code of a \"weeks_ago\" rule in %s",
                                 j, t->days_from_rule, r ? "not a \"weeks_ago\" rule" : "unknown",
                                 src);
            t->days_before = (int)ceil(r->threshold * 7);
        }
    }
    for (size_t j = 0; j < cat->n_pretreatment; j++) {
        const char *code = cat->pretreatment[j].on_rule;
        size_t i = 0;
        while (code && i < cat->n_rules && strcmp(cat->rules[i].code, code))
            i++;
        if (code && i == cat->n_rules)
            return mn__error(ctx, MN_ENOTFOUND,
                             "aftercare.json: $.pretreatment[%zu].on_rule: unknown rule \"%s\" "
                             "(not in %s)",
                             j, code, src);
    }
    for (size_t i = 0; i < cat->n_rules; i++) {
        const mn_rule_adjust *x = &cat->rules[i].adjust;
        for (int k = 0; k < x->n_pretreatment; k++) {
            size_t j = 0;
            while (j < cat->n_pretreatment && strcmp(cat->pretreatment[j].id, x->pretreatment[k]))
                j++;
            if (j == cat->n_pretreatment)
                return mn__error(ctx, MN_ENOTFOUND,
                                 "%s: $.rules[%zu].adjust.pretreatment[%d]: unknown pre-treatment "
                                 "\"%s\" (not in the pretreatment list of aftercare.json)",
                                 src, i, k, x->pretreatment[k]);
        }
    }
    return MN_OK;
}

/* Every pre-treatment id a concern names is in the pre-treatment list. */
static mn_status check_concern_pretreatment(mn_ctx *ctx, const char *src,
                                            const struct mn_catalog *cat)
{
    for (size_t i = 0; i < cat->n_concerns; i++) {
        const mn_concern *c = &cat->concerns[i];
        for (int k = 0; k < c->n_pretreatment; k++) {
            size_t j = 0;
            while (j < cat->n_pretreatment && strcmp(cat->pretreatment[j].id, c->pretreatment[k]))
                j++;
            if (j == cat->n_pretreatment)
                return mn__error(ctx, MN_ENOTFOUND,
                                 "%s: $.concerns[%zu].pretreatment[%d]: unknown pre-treatment "
                                 "\"%s\" (not in the pretreatment list of aftercare.json)",
                                 src, i, k, c->pretreatment[k]);
        }
    }
    return MN_OK;
}

static int name_eq(const char *a, const char *b);

/* A name (id or alias) of a catalogue entry, for the uniqueness check. */
typedef struct {
    const char *name;
    const char *id; /* the entry's id */
    size_t entry;   /* its index in the list */
} cat_name;

/* Every id and alias must find one entry under the lookup's normalisation (name_eq: case,
 * '_', ' ' and '-' alike), else the lookup silently returns the first. Names both entries. */
static mn_status names_unique(mn_ctx *ctx, const char *src, const char *list, const cat_name *v,
                              size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (v[i].entry != v[j].entry && name_eq(v[i].name, v[j].name))
                return mn__error(ctx, MN_ERANGE,
                                 "%s: $.%s[%zu] (\"%s\") and $.%s[%zu] (\"%s\") share the "
                                 "name \"%s\" / \"%s\"; ids and aliases must differ by more "
                                 "than case, '_', ' ' and '-'",
                                 src, list, v[i].entry, v[i].id, list, v[j].entry, v[j].id,
                                 v[i].name, v[j].name);
    return MN_OK;
}

static mn_status parse_reference(const mn__jin *in, json_t *e, const char *p, mn_reference *r)
{
    static const char *const keys[] = {"key", "citation", NULL};
    mn_status st;
    if ((st = mn__jkeys(in, e, p, keys)) || (st = mn__jstr(in, e, p, "key", 1, &r->key, NULL)) ||
        (st = mn__jstr(in, e, p, "citation", 1, &r->citation, NULL)))
        return st;
    if (!r->key[0] || !r->citation[0])
        return mn__error(in->ctx, MN_ERANGE, "%s: %s: key and citation must not be empty", in->src,
                         p);
    return MN_OK;
}

/* A kind of adverse event. Its id is stored in the clinic record, so it follows the record's
 * rule for ids (a letter, then letters, digits and '-') and is neither "none" (the record of no
 * events) nor MN_ADVERSE_KIND_OTHER (a form's choice for free text); its name and source fit
 * the record's copies whole. */
static mn_status parse_adverse_event(const mn__jin *in, json_t *e, const char *p,
                                     mn_adverse_event_kind *k)
{
    static const char *const keys[] = {"id",           "name",  "persistence",  "status",
                                       "source",       "holds", "holds_source", "after",
                                       "after_source", NULL};
    static const char *const after[] = {"none", "step-down", NULL};
    static const char *const persistence[] = {"transient", "persistent", NULL};
    static const char *const statuses[] = {"secondary", "cited", NULL};
    static const char *const holds[] = {"severe", "any-severity", NULL};
    int pers = 0, cited = 0, any = 0, has_holds, has_why;
    mn_status st;
    if ((st = mn__jkeys(in, e, p, keys)) || (st = mn__jstr(in, e, p, "id", 1, &k->id, NULL)) ||
        (st = mn__jstr(in, e, p, "name", 1, &k->name, NULL)) ||
        (st = read_enum(in, e, p, "persistence", persistence, &pers)) ||
        (st = read_enum(in, e, p, "status", statuses, &cited)) ||
        (st = mn__jstr(in, e, p, "source", 1, &k->source, NULL)) ||
        (st = mn__jstr(in, e, p, "holds_source", 0, &k->holds_source, &has_why)))
        return st;
    has_holds = json_object_get(e, "holds") != NULL;
    if (has_holds && (st = read_enum(in, e, p, "holds", holds, &any)))
        return st;
    int step = 0, has_after_why;
    if (json_object_get(e, "after") && (st = read_enum(in, e, p, "after", after, &step)))
        return st;
    if ((st = mn__jstr(in, e, p, "after_source", 0, &k->step_down_source, &has_after_why)))
        return st;
    if (!has_after_why)
        k->step_down_source = "";
    k->step_down_after = step;
    if (step != (k->step_down_source[0] != '\0'))
        return mn__error(in->ctx, MN_EINVAL, "%s: %s.after_source: expected %s", in->src, p,
                         step ? "the reason the next visit steps down after an event of this "
                                "kind"
                              : "no after_source without \"after\": \"step-down\"");
    k->persistent = pers;
    k->cited = cited;
    k->status = statuses[cited];
    k->holds_any_severity = any;
    if (!has_why)
        k->holds_source = "";
    if (any != (has_why && k->holds_source[0]))
        return mn__error(in->ctx, MN_EINVAL, "%s: %s.holds_source: expected %s", in->src, p,
                         any ? "the reason an open event of this kind holds visits whatever its "
                               "severity"
                             : "no holds_source without \"holds\": \"any-severity\"");
    size_t n = strlen(k->id);
    int ok = n > 0 && n < MN_ADVERSE_ID_LEN && isalpha((unsigned char)k->id[0]) &&
             strcmp(k->id, "none") && strcmp(k->id, MN_ADVERSE_KIND_OTHER);
    for (size_t i = 0; ok && i < n; i++)
        ok = isalnum((unsigned char)k->id[i]) || k->id[i] == '-';
    if (!ok)
        return mn__error(in->ctx, MN_ERANGE,
                         "%s: %s.id: expected an id of a letter, then letters, digits and '-' "
                         "(at most %d bytes), not \"none\" or \"" MN_ADVERSE_KIND_OTHER "\"",
                         in->src, p, MN_ADVERSE_ID_LEN - 1);
    if (!k->name[0] || strlen(k->name) >= MN_ADVERSE_NAME_LEN)
        return mn__error(in->ctx, MN_ERANGE, "%s: %s.name: expected 1 to %d bytes", in->src, p,
                         MN_ADVERSE_NAME_LEN - 1);
    if (!k->source[0] || strlen(k->source) >= MN_ADVERSE_SOURCE_LEN)
        return mn__error(in->ctx, MN_ERANGE, "%s: %s.source: expected 1 to %d bytes", in->src, p,
                         MN_ADVERSE_SOURCE_LEN - 1);
    return MN_OK;
}

static int ids_unique(mn_ctx *ctx, const char *src, const char *what, const char **ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(ids[i], ids[j]) == 0) {
                mn__error(ctx, MN_ERANGE, "%s: %s \"%s\" is listed twice", src, what, ids[i]);
                return 0;
            }
    return 1;
}

mn_status mn__catalog_load(mn_ctx *ctx, const char *data_dir, struct mn_catalog **out)
{
    *out = NULL;
    struct mn_catalog *cat = mn__calloc(1, sizeof *cat);
    if (!cat)
        return mn__error(ctx, MN_ENOMEM, "out of memory loading catalogues");
    pthread_mutex_init(&cat->hash_lock, NULL);
    mn_status st = data_dir ? check_dir(ctx, data_dir) : MN_OK;
    if (st) {
        mn__catalog_free(cat);
        return st;
    }
    char(*src)[sizeof cat->sources[0]] = cat->sources; /* each file's name in messages */
    json_t *lists[F_COUNT];
    for (int f = 0; f < F_COUNT; f++) {
        if ((st = load_one(ctx, data_dir, f, &cat->roots[f], src[f], sizeof src[f])))
            goto fail;
        mn__jin in = {ctx, src[f]};
        if ((st = mn__jarr(&in, cat->roots[f], "$", list_keys[f], 1, 1, MN_MAX_ARRAY_LEN, &lists[f],
                           NULL)))
            goto fail;
    }
    /* Sites first: concerns and rules refer to them. */
    size_t n;
#define MN__ALLOC_LIST(field, count, f)                                                            \
    n = json_array_size(lists[f]);                                                                 \
    cat->field = mn__calloc(n, sizeof *cat->field);                                                \
    if (!cat->field) {                                                                             \
        st = mn__error(ctx, MN_ENOMEM, "out of memory loading catalogues");                        \
        goto fail;                                                                                 \
    }                                                                                              \
    cat->count = 0
    {
        char p[128];
        const char *ids[MN_MAX_ARRAY_LEN > 512 ? 512 : MN_MAX_ARRAY_LEN];
        mn__jin in;

        MN__ALLOC_LIST(sites, n_sites, F_SITES);
        in = (mn__jin){ctx, src[F_SITES]};
        for (size_t i = 0; i < n; i++) {
            snprintf(p, sizeof p, "$.sites[%zu]", i);
            json_t *e = json_array_get(lists[F_SITES], i);
            if ((st = mn__jis_object(&in, e, p)) || (st = parse_site(&in, e, p, &cat->sites[i])))
                goto fail;
            cat->n_sites++;
        }
        MN__ALLOC_LIST(devices, n_devices, F_DEVICES);
        in = (mn__jin){ctx, src[F_DEVICES]};
        for (size_t i = 0; i < n; i++) {
            snprintf(p, sizeof p, "$.devices[%zu]", i);
            json_t *e = json_array_get(lists[F_DEVICES], i);
            if ((st = mn__jis_object(&in, e, p)) ||
                (st = parse_device(&in, e, p, &cat->devices[i])))
                goto fail;
            cat->n_devices++;
        }
        MN__ALLOC_LIST(concerns, n_concerns, F_CONCERNS);
        in = (mn__jin){ctx, src[F_CONCERNS]};
        for (size_t i = 0; i < n; i++) {
            snprintf(p, sizeof p, "$.concerns[%zu]", i);
            json_t *e = json_array_get(lists[F_CONCERNS], i);
            if ((st = mn__jis_object(&in, e, p)) ||
                (st = parse_concern(&in, e, p, &cat->concerns[i], cat)))
                goto fail;
            cat->n_concerns++;
        }
        MN__ALLOC_LIST(products, n_products, F_PRODUCTS);
        in = (mn__jin){ctx, src[F_PRODUCTS]};
        for (size_t i = 0; i < n; i++) {
            snprintf(p, sizeof p, "$.products[%zu]", i);
            json_t *e = json_array_get(lists[F_PRODUCTS], i);
            if ((st = mn__jis_object(&in, e, p)) ||
                (st = parse_product(&in, e, p, &cat->products[i])))
                goto fail;
            cat->n_products++;
        }
        MN__ALLOC_LIST(rules, n_rules, F_RULES);
        cat->rule_defer_days = mn__calloc(n, sizeof *cat->rule_defer_days);
        if (!cat->rule_defer_days) {
            st = mn__error(ctx, MN_ENOMEM, "out of memory loading catalogues");
            goto fail;
        }
        in = (mn__jin){ctx, src[F_RULES]};
        for (size_t i = 0; i < n; i++) {
            snprintf(p, sizeof p, "$.rules[%zu]", i);
            json_t *e = json_array_get(lists[F_RULES], i);
            if ((st = mn__jis_object(&in, e, p)) ||
                (st = parse_rule(&in, e, p, &cat->rules[i], &cat->rule_defer_days[i], cat)))
                goto fail;
            cat->n_rules++;
        }
        MN__ALLOC_LIST(aftercare, n_aftercare, F_AFTERCARE);
        in = (mn__jin){ctx, src[F_AFTERCARE]};
        for (size_t i = 0; i < n; i++) {
            snprintf(p, sizeof p, "$.aftercare[%zu]", i);
            json_t *e = json_array_get(lists[F_AFTERCARE], i);
            if ((st = mn__jis_object(&in, e, p)) ||
                (st = parse_aftercare(&in, e, p, &cat->aftercare[i], cat)))
                goto fail;
            cat->n_aftercare++;
        }
        MN__ALLOC_LIST(references, n_references, F_REFERENCES);
        in = (mn__jin){ctx, src[F_REFERENCES]};
        for (size_t i = 0; i < n; i++) {
            snprintf(p, sizeof p, "$.references[%zu]", i);
            json_t *e = json_array_get(lists[F_REFERENCES], i);
            if ((st = mn__jis_object(&in, e, p)) ||
                (st = parse_reference(&in, e, p, &cat->references[i])))
                goto fail;
            cat->n_references++;
        }
        MN__ALLOC_LIST(adverse_events, n_adverse_events, F_ADVERSE_EVENTS);
        in = (mn__jin){ctx, src[F_ADVERSE_EVENTS]};
        for (size_t i = 0; i < n; i++) {
            snprintf(p, sizeof p, "$.adverse_events[%zu]", i);
            json_t *e = json_array_get(lists[F_ADVERSE_EVENTS], i);
            if ((st = mn__jis_object(&in, e, p)) ||
                (st = parse_adverse_event(&in, e, p, &cat->adverse_events[i])))
                goto fail;
            cat->n_adverse_events++;
        }
        /* The pre-treatment list lives beside the aftercare list, in the same file, and its
         * errors name that file. */
        in = (mn__jin){ctx, src[F_AFTERCARE]};
        json_t *pre_list = NULL;
        int has_pre = 0;
        if ((st = mn__jarr(&in, cat->roots[F_AFTERCARE], "$", "pretreatment", 0, 1,
                           MN_MAX_ARRAY_LEN, &pre_list, &has_pre)))
            goto fail;
        n = has_pre ? json_array_size(pre_list) : 0;
        cat->pretreatment = mn__calloc(n ? n : 1, sizeof *cat->pretreatment);
        if (!cat->pretreatment) {
            st = mn__error(ctx, MN_ENOMEM, "out of memory loading catalogues");
            goto fail;
        }
        for (size_t i = 0; i < n; i++) {
            snprintf(p, sizeof p, "$.pretreatment[%zu]", i);
            json_t *e = json_array_get(pre_list, i);
            if ((st = mn__jis_object(&in, e, p)) ||
                (st = parse_pretreatment(&in, e, p, &cat->pretreatment[i])))
                goto fail;
            cat->n_pretreatment++;
        }
        if ((st = check_adjust_ids(ctx, src[F_RULES], cat)) ||
            (st = check_concern_pretreatment(ctx, src[F_CONCERNS], cat)))
            goto fail;
#define MN__CHECK_UNIQUE(field, count, idfield, f, what)                                           \
    if (cat->count > 512) {                                                                        \
        st = mn__error(ctx, MN_ELIMIT, "%s: more than 512 entries", src[f]);                       \
        goto fail;                                                                                 \
    }                                                                                              \
    for (size_t i = 0; i < cat->count; i++)                                                        \
        ids[i] = cat->field[i].idfield;                                                            \
    if (!ids_unique(ctx, src[f], what, ids, cat->count)) {                                         \
        st = MN_ERANGE;                                                                            \
        goto fail;                                                                                 \
    }
        MN__CHECK_UNIQUE(sites, n_sites, id, F_SITES, "site")
        MN__CHECK_UNIQUE(devices, n_devices, id, F_DEVICES, "device")
        MN__CHECK_UNIQUE(concerns, n_concerns, id, F_CONCERNS, "concern")
        MN__CHECK_UNIQUE(products, n_products, id, F_PRODUCTS, "product")
        MN__CHECK_UNIQUE(rules, n_rules, code, F_RULES, "rule code")
        MN__CHECK_UNIQUE(aftercare, n_aftercare, id, F_AFTERCARE, "aftercare item")
        MN__CHECK_UNIQUE(references, n_references, key, F_REFERENCES, "reference key")
        MN__CHECK_UNIQUE(pretreatment, n_pretreatment, id, F_AFTERCARE, "pre-treatment item")
        MN__CHECK_UNIQUE(adverse_events, n_adverse_events, id, F_ADVERSE_EVENTS,
                         "kind of adverse event")
#undef MN__CHECK_UNIQUE
        cat_name *names = mn__calloc(512 * (MN_MAX_ALIASES + 1), sizeof *names);
        if (!names) {
            st = mn__error(ctx, MN_ENOMEM, "out of memory loading catalogues");
            goto fail;
        }
#define MN__CHECK_NAMES(field, count, f)                                                           \
    if (!st) {                                                                                     \
        size_t k = 0;                                                                              \
        for (size_t i = 0; i < cat->count; i++) {                                                  \
            names[k++] = (cat_name){cat->field[i].id, cat->field[i].id, i};                        \
            for (int a = 0; a < cat->field[i].n_aliases; a++)                                      \
                names[k++] = (cat_name){cat->field[i].aliases[a], cat->field[i].id, i};            \
        }                                                                                          \
        st = names_unique(ctx, src[f], list_keys[f], names, k);                                    \
    }
        MN__CHECK_NAMES(sites, n_sites, F_SITES)
        MN__CHECK_NAMES(devices, n_devices, F_DEVICES)
        MN__CHECK_NAMES(concerns, n_concerns, F_CONCERNS)
        MN__CHECK_NAMES(products, n_products, F_PRODUCTS)
#undef MN__CHECK_NAMES
        mn__free(names);
        if (st)
            goto fail;
    }
#undef MN__ALLOC_LIST
    *out = cat;
    return MN_OK;
fail:
    mn__catalog_free(cat);
    return st;
}

void mn__catalog_free(struct mn_catalog *cat)
{
    if (!cat)
        return;
    mn__free(cat->devices);
    mn__free(cat->sites);
    mn__free(cat->concerns);
    mn__free(cat->products);
    mn__free(cat->rules);
    mn__free(cat->rule_defer_days);
    mn__free(cat->aftercare);
    mn__free(cat->references);
    mn__free(cat->pretreatment);
    mn__free(cat->adverse_events);
    pthread_mutex_destroy(&cat->hash_lock);
    for (int f = 0; f < F_COUNT; f++)
        json_decref(cat->roots[f]);
    mn__free(cat);
}

int mn__catalog_hash_covers(int version, int file)
{
    if (file < 0 || file >= F_COUNT)
        return 0;
    switch (version) {
    case 1:
        return file < MN__CATALOG_PLAN_FILES;
    case 2:
        return file < MN__CATALOG_PLAN_FILES || file == F_ADVERSE_EVENTS;
    }
    return 0;
}

json_t *mn__catalog_file(const mn_catalog *cat, const char *name, const char **src)
{
    for (int f = 0; cat && f < F_COUNT; f++)
        if (!strcmp(file_names[f], name)) {
            if (src)
                *src = cat->sources[f];
            return cat->roots[f];
        }
    return NULL;
}

int mn__rule_defer_days(const mn_catalog *cat, const mn_rule *rule)
{
    size_t i = (size_t)(rule - cat->rules);
    return i < cat->n_rules ? cat->rule_defer_days[i] : 0;
}

/* Names match case-insensitively with '_' and ' ' taken as '-'. */
static int name_eq(const char *a, const char *b)
{
    for (;; a++, b++) {
        int ca = tolower((unsigned char)*a), cb = tolower((unsigned char)*b);
        if (ca == '_' || ca == ' ')
            ca = '-';
        if (cb == '_' || cb == ' ')
            cb = '-';
        if (ca != cb)
            return 0;
        if (ca == 0)
            return 1;
    }
}

#define MN__FIND(type, field, count)                                                               \
    if (!cat || !name)                                                                             \
        return NULL;                                                                               \
    for (size_t i = 0; i < cat->count; i++) {                                                      \
        const type *e = &cat->field[i];                                                            \
        if (name_eq(e->id, name))                                                                  \
            return e;                                                                              \
        for (int k = 0; k < e->n_aliases; k++)                                                     \
            if (name_eq(e->aliases[k], name))                                                      \
                return e;                                                                          \
    }                                                                                              \
    return NULL

const mn_device *mn_catalog_find_device(const mn_catalog *cat, const char *name)
{
    MN__FIND(mn_device, devices, n_devices);
}
/* mm: a catalogue value typed back with rounding */
#define NEEDLE_EPS_MM 1e-9

int mn_device_needle_in_range(const mn_device *device, double needle_mm)
{
    return device && needle_mm >= device->depth_min_mm - NEEDLE_EPS_MM &&
           needle_mm <= device->depth_max_mm + NEEDLE_EPS_MM;
}

int mn_device_needle_offered(const mn_device *device, double needle_mm)
{
    if (!mn_device_needle_in_range(device, needle_mm))
        return 0;
    if (device->n_lengths == 0)
        return 1;
    for (int i = 0; i < device->n_lengths; i++)
        if (fabs(needle_mm - device->lengths_mm[i]) <= NEEDLE_EPS_MM)
            return 1;
    return 0;
}

void mn_device_needle_describe(const mn_device *device, char *buf, size_t size)
{
    if (!buf || !size)
        return;
    buf[0] = '\0';
    if (!device)
        return;
    if (device->n_lengths == 0) {
        snprintf(buf, size, "range %g-%g mm", device->depth_min_mm, device->depth_max_mm);
        return;
    }
    size_t used = 0;
    for (int i = 0; i < device->n_lengths && used < size; i++) {
        int n =
            snprintf(buf + used, size - used, "%s%g", i ? ", " : "lengths ", device->lengths_mm[i]);
        if (n < 0)
            return;
        used += (size_t)n;
    }
    if (used < size)
        snprintf(buf + used, size - used, " mm");
}

const mn_site *mn_catalog_find_site(const mn_catalog *cat, const char *name)
{
    MN__FIND(mn_site, sites, n_sites);
}
const mn_concern *mn_catalog_find_concern(const mn_catalog *cat, const char *name)
{
    MN__FIND(mn_concern, concerns, n_concerns);
}

int mn_concern_projected(const mn_concern *c)
{
    return c && c->collagen_projection && !c->projection_withheld;
}
const mn_product *mn_catalog_find_product(const mn_catalog *cat, const char *name)
{
    MN__FIND(mn_product, products, n_products);
}
#undef MN__FIND

#define MN__ACCESSORS(type, plural, field, count)                                                  \
    size_t mn_catalog_##plural##_count(const mn_catalog *cat)                                      \
    {                                                                                              \
        return cat ? cat->count : 0;                                                               \
    }                                                                                              \
    const type *mn_catalog_##plural##_at(const mn_catalog *cat, size_t i)                          \
    {                                                                                              \
        return cat && i < cat->count ? &cat->field[i] : NULL;                                      \
    }
MN__ACCESSORS(mn_device, device, devices, n_devices)
MN__ACCESSORS(mn_site, site, sites, n_sites)
MN__ACCESSORS(mn_concern, concern, concerns, n_concerns)
MN__ACCESSORS(mn_product, product, products, n_products)
MN__ACCESSORS(mn_rule, rule, rules, n_rules)
MN__ACCESSORS(mn_aftercare, aftercare, aftercare, n_aftercare)
MN__ACCESSORS(mn_reference, reference, references, n_references)
MN__ACCESSORS(mn_pretreatment, pretreatment, pretreatment, n_pretreatment)
MN__ACCESSORS(mn_adverse_event_kind, adverse_event, adverse_events, n_adverse_events)
#undef MN__ACCESSORS

int mn_concern_has_zone(const mn_concern *concern, const char *zone_id)
{
    for (int i = 0; i < concern->n_zones; i++)
        if (strcmp(concern->zones[i], zone_id) == 0)
            return 1;
    return 0;
}

const char *mn_severity_name(mn_severity severity)
{
    switch (severity) {
    case MN_SEVERITY_CAUTION:
        return "caution";
    case MN_SEVERITY_DEFER:
        return "defer";
    case MN_SEVERITY_DECLINE:
        return "decline";
    }
    return "unknown";
}

const char *mn_device_kind_name(mn_device_kind kind)
{
    return kind == MN_DEVICE_PEN ? "pen" : kind == MN_DEVICE_ROLLER ? "roller" : "stamp";
}

const char *mn_device_class_name(mn_device_class device_class)
{
    return device_class == MN_DEVICE_HOME ? "home" : "clinical";
}

const mn_reference *mn_catalog_find_reference(const mn_catalog *cat, const char *key)
{
    if (!cat || !key)
        return NULL;
    for (size_t i = 0; i < cat->n_references; i++)
        if (strcmp(cat->references[i].key, key) == 0)
            return &cat->references[i];
    return NULL;
}

const mn_adverse_event_kind *mn_catalog_find_adverse_event(const mn_catalog *cat, const char *id)
{
    if (!cat || !id)
        return NULL;
    for (size_t i = 0; i < cat->n_adverse_events; i++)
        if (strcmp(cat->adverse_events[i].id, id) == 0)
            return &cat->adverse_events[i];
    return NULL;
}

/* Appends reference @p key to the list unless it is there already; counts unknown keys. */
static void cite_one(const mn_catalog *cat, const char *key, const mn_reference **out, size_t max,
                     size_t *n, size_t *unknown)
{
    const mn_reference *r = mn_catalog_find_reference(cat, key);
    if (!r) {
        (*unknown)++;
        return;
    }
    for (size_t i = 0; i < *n && i < max; i++)
        if (out[i] == r)
            return;
    if (*n < max)
        out[*n] = r;
    (*n)++;
}

size_t mn_catalog_cite(const mn_catalog *cat, const char *source, const mn_reference **out,
                       size_t max, size_t *unknown)
{
    size_t n = 0, unk = 0;
    if (!cat || !source)
        max = 0;
    for (const char *s = source; s && *s; s++) {
        int start = s == source || !isalnum((unsigned char)s[-1]);
        if (!start)
            continue;
        if (s[0] == 'F' && isdigit((unsigned char)s[1])) {
            /* F + digits + an optional lower-case letter, as a whole word */
            size_t k = 1;
            while (isdigit((unsigned char)s[k]))
                k++;
            if (islower((unsigned char)s[k]))
                k++;
            if (k < 16 && !isalnum((unsigned char)s[k])) {
                char key[16];
                memcpy(key, s, k);
                key[k] = '\0';
                cite_one(cat, key, out, max, &n, &unk);
            }
            continue;
        }
        if (strncmp(s, "seed", 4) != 0)
            continue;
        /* "seed", "seeds", "seed article(s)", then numbers joined by ", ", " and ", "/" */
        const char *q = s + 4;
        if (*q == 's')
            q++;
        if (strncmp(q, " articles", 9) == 0)
            q += 9;
        else if (strncmp(q, " article", 8) == 0)
            q += 8;
        for (;;) {
            while (*q == ' ' || *q == ',' || *q == '/')
                q++;
            if (strncmp(q, "and ", 4) == 0)
                q += 4;
            if (!(isdigit((unsigned char)q[0]) && isdigit((unsigned char)q[1]) &&
                  isdigit((unsigned char)q[2]) && !isalnum((unsigned char)q[3])))
                break;
            char key[16];
            snprintf(key, sizeof key, "seed %.3s", q);
            cite_one(cat, key, out, max, &n, &unk);
            q += 3;
        }
        s = q - 1;
    }
    if (unknown)
        *unknown = unk;
    return n;
}
