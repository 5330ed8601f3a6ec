/*
 * The record's catalogues (embedded at build time and overridable with --data DIR like the
 * other catalogues, which load them): the scales (data/scales.json: the range, step and
 * direction of each rating scale a follow-up may be scored on, with its source; only those: a
 * scale's items and photo guides are its authors' and never part of mneedle), checked when a
 * scale is looked up, and the kinds of adverse event (data/adverse_events.json), which the
 * catalogue loads and checks (src/data/catalog.c) and this file copies.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json_in.h"
#include "data/catalog_internal.h"
#include "store/store_internal.h"

/* Reads entry v (at path) into out, checking every field; *id is the entry's id. */
static mn_status read_scale(const mn__jin *in, json_t *v, const char *path, void *dest,
                            const char **entry_id)
{
    mn_scale *out = dest;
    static const char *const keys[] = {"id",  "name", "version", "concern", "kind",   "min",
                                       "max", "step", "better",  "status",  "source", NULL};
    const char *id, *name, *version, *kind, *better, *status, *source, *concern = NULL;
    mn_status st;
    if ((st = mn__jis_object(in, v, path)) || (st = mn__jkeys(in, v, path, keys)) ||
        (st = mn__jstr(in, v, path, "id", 1, &id, NULL)) ||
        (st = mn__jstr(in, v, path, "name", 1, &name, NULL)) ||
        (st = mn__jstr(in, v, path, "version", 1, &version, NULL)) ||
        (st = mn__jstr(in, v, path, "kind", 1, &kind, NULL)) ||
        (st = mn__jnum(in, v, path, "min", 1, -1e9, 1e9, &out->min, NULL)) ||
        (st = mn__jnum(in, v, path, "max", 1, -1e9, 1e9, &out->max, NULL)) ||
        (st = mn__jnum(in, v, path, "step", 1, 0, 1e9, &out->step, NULL)) ||
        (st = mn__jstr(in, v, path, "better", 1, &better, NULL)) ||
        (st = mn__jstr(in, v, path, "status", 1, &status, NULL)) ||
        (st = mn__jstr(in, v, path, "source", 1, &source, NULL)))
        return st;
    json_t *c = json_object_get(v, "concern");
    if (c && json_is_string(c))
        concern = json_string_value(c);
    if (out->max <= out->min || (strcmp(kind, "severity") && strcmp(kind, "change")) ||
        (strcmp(better, "lower") && strcmp(better, "higher")))
        return mn__error(in->ctx, MN_ERANGE,
                         "%s: %s: expected min < max, kind severity|change, better lower|higher",
                         in->src, path);
    snprintf(out->id, sizeof out->id, "%s", id);
    snprintf(out->name, sizeof out->name, "%s", name);
    snprintf(out->version, sizeof out->version, "%s", version);
    snprintf(out->concern, sizeof out->concern, "%s", concern ? concern : "");
    out->change = !strcmp(kind, "change");
    out->higher_better = !strcmp(better, "higher");
    snprintf(out->status, sizeof out->status, "%s", status);
    snprintf(out->source, sizeof out->source, "%s", source);
    *entry_id = out->id;
    return MN_OK;
}

typedef mn_status (*entry_reader)(const mn__jin *in, json_t *v, const char *path, void *out,
                                  const char **entry_id);

/* Finds the entry with id @p id of the list @p key of catalogue @p file, or (id NULL) the one at
 * @p index, read into out by @p read. An unknown id is MN_ENOTFOUND naming the known ones. */
static mn_status lookup(mn_ctx *ctx, const char *file, const char *key, const char *what,
                        entry_reader read, const char *id, size_t index, void *out)
{
    const char *src = NULL;
    json_t *root = mn__catalog_file(mn_ctx_catalog(ctx), file, &src);
    if (!root)
        return mn__error(ctx, MN_EIO, "catalogue %s is not loaded", file);
    mn__jin in = {ctx, src};
    json_t *list;
    mn_status st;
    char where[32];
    snprintf(where, sizeof where, "$.%s", key);
    if ((st = mn__jarr(&in, root, "$", key, 1, 1, 1000, &list, NULL)))
        return st;
    char names[600] = "";
    size_t used = 0;
    for (size_t i = 0; i < json_array_size(list); i++) {
        char path[48];
        const char *entry_id;
        mn__jpath_index(path, sizeof path, where, i);
        if ((st = read(&in, json_array_get(list, i), path, out, &entry_id)))
            return st;
        if (id ? !strcmp(entry_id, id) : i == index)
            return MN_OK;
        if (used < sizeof names)
            used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "",
                                     entry_id);
    }
    return id ? mn__error(ctx, MN_ENOTFOUND, "unknown %s \"%.40s\"; known: %s", what, id, names)
              : MN_ENOTFOUND;
}

mn_status mn_store_scale_find(mn_ctx *ctx, const char *id, mn_scale *out)
{
    if (!id || !out)
        return mn__error(ctx, MN_EINVAL, "scales: no scale id");
    return lookup(ctx, "scales.json", "scales", "scale", read_scale, id, 0, out);
}

mn_status mn_store_scale_at(mn_ctx *ctx, int index, mn_scale *out)
{
    if (!out || index < 0)
        return mn__error(ctx, MN_EINVAL, "scales: no place for the scale");
    return lookup(ctx, "scales.json", "scales", "scale", read_scale, NULL, (size_t)index, out);
}

/* The catalogue's kind (checked when the catalogue was loaded), copied whole: the catalogue
 * refuses names and sources longer than the copy holds. */
static void copy_kind(const mn_adverse_event_kind *k, mn_adverse_kind *out)
{
    snprintf(out->id, sizeof out->id, "%s", k->id);
    snprintf(out->name, sizeof out->name, "%s", k->name);
    out->persistent = k->persistent;
    snprintf(out->status, sizeof out->status, "%s", k->status);
    snprintf(out->source, sizeof out->source, "%s", k->source);
}

mn_status mn_store_adverse_kind_find(mn_ctx *ctx, const char *id, mn_adverse_kind *out)
{
    if (!id || !out)
        return mn__error(ctx, MN_EINVAL, "adverse events: no kind");
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    const mn_adverse_event_kind *k = mn_catalog_find_adverse_event(cat, id);
    if (k) {
        copy_kind(k, out);
        return MN_OK;
    }
    char names[600] = "";
    size_t used = 0;
    for (size_t i = 0; i < mn_catalog_adverse_event_count(cat) && used < sizeof names; i++)
        used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "",
                                 mn_catalog_adverse_event_at(cat, i)->id);
    return mn__error(ctx, MN_ENOTFOUND, "unknown kind of adverse event \"%.40s\"; known: %s", id,
                     names);
}

mn_status mn_store_adverse_kind_at(mn_ctx *ctx, int index, mn_adverse_kind *out)
{
    if (!out || index < 0)
        return mn__error(ctx, MN_EINVAL, "adverse events: no place for the kind");
    const mn_adverse_event_kind *k =
        mn_catalog_adverse_event_at(mn_ctx_catalog(ctx), (size_t)index);
    if (!k)
        return MN_ENOTFOUND;
    copy_kind(k, out);
    return MN_OK;
}
