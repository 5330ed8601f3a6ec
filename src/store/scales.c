/*
 * The scales catalogue (data/scales.json, embedded at build time and overridable with --data DIR
 * like the other catalogues, which load it): the range, step and direction of each rating
 * scale a follow-up may be scored on, with its source. Only those: a scale's items and photo
 * guides are its authors' and never part of mneedle.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json_in.h"
#include "data/catalog_internal.h"
#include "store/store_internal.h"

/* Reads entry v (at path) into out, checking every field. */
static mn_status read_scale(const mn__jin *in, json_t *v, const char *path, mn_scale *out)
{
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
    return MN_OK;
}

/* Finds the scale with id @p id, or (id NULL) the one at @p index. */
static mn_status scale_lookup(mn_ctx *ctx, const char *id, size_t index, mn_scale *out)
{
    const char *src = NULL;
    json_t *root = mn__catalog_file(mn_ctx_catalog(ctx), "scales.json", &src);
    if (!root)
        return mn__error(ctx, MN_EIO, "catalogue scales.json is not loaded");
    mn__jin in = {ctx, src};
    json_t *list;
    mn_status st;
    if ((st = mn__jarr(&in, root, "$", "scales", 1, 1, 1000, &list, NULL)))
        return st;
    char names[600] = "";
    size_t used = 0;
    for (size_t i = 0; i < json_array_size(list); i++) {
        char path[32];
        mn__jpath_index(path, sizeof path, "$.scales", i);
        if ((st = read_scale(&in, json_array_get(list, i), path, out)))
            return st;
        if (id ? !strcmp(out->id, id) : i == index)
            return MN_OK;
        if (used < sizeof names)
            used +=
                (size_t)snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", out->id);
    }
    return id ? mn__error(ctx, MN_ENOTFOUND, "unknown scale \"%.40s\"; known: %s", id, names)
              : MN_ENOTFOUND;
}

mn_status mn_store_scale_find(mn_ctx *ctx, const char *id, mn_scale *out)
{
    if (!id || !out)
        return mn__error(ctx, MN_EINVAL, "scales: no scale id");
    return scale_lookup(ctx, id, 0, out);
}

mn_status mn_store_scale_at(mn_ctx *ctx, int index, mn_scale *out)
{
    if (!out || index < 0)
        return mn__error(ctx, MN_EINVAL, "scales: no place for the scale");
    return scale_lookup(ctx, NULL, (size_t)index, out);
}
