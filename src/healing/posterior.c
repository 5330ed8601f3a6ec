/*
 * Posterior draws of the healing model's constants (include/mneedle/posterior.h; the file format
 * is docs/models/healing.md §4.2). The bundled file is embedded at build time
 * (cmake/embed.cmake, table mn__embedded_posterior); a user's is read from a path. Every key
 * is checked: unknown keys, types, constants the model does not have or that repeat, draws of
 * the wrong length or outside each constant's range (mn_healing_param_range()), and the
 * provenance (source, date, hashes, sampler, convergence).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_in.h"
#include "core/quantile.h"
#include "healing/healing_internal.h"
#include "mneedle/posterior.h"

struct mn__embedded_file {
    const char *name;
    const char *data;
    size_t len;
};
extern const struct mn__embedded_file mn__embedded_posterior[];

#define FORMAT_VERSION 1
#define HASH_HEX       64

struct mn_posterior {
    json_t *root; /* strings point into it */
    int n_params, n_draws;
    int param[MN_HEALING_PARAM_SLOTS]; /* index into the model's named constants */
    const char *names[MN_HEALING_PARAM_SLOTS];
    double *draws;  /* n_draws x n_params, row-major */
    double *sorted; /* n_params x n_draws: each constant's draws in order, for quantiles */
    mn_posterior_provenance prov;
};

static const char *const top_keys[] = {"model", "format",     "parameters",
                                       "draws", "provenance", NULL};
static const char *const prov_keys[] = {"source",        "date",    "evidence_sha256",
                                        "priors_sha256", "studies", "sampler",
                                        "convergence",   "note",    NULL};
static const char *const sampler_keys[] = {"name", "version", "walkers", "steps", "burn_in",
                                           "thin", "seed",    "moves",   NULL};
static const char *const conv_keys[] = {
    "tau_max", "tau", "acceptance_fraction", "rhat_max", "rhat", "steps_over_tau_max", NULL};
static const char *const sources[] = {"posterior", "prior", "synthetic", NULL};

static mn_status hash_field(const mn__jin *in, json_t *obj, const char *path, const char *key,
                            int required, const char **out)
{
    int here = 0;
    mn_status st = mn__jstr(in, obj, path, key, required, out, &here);
    if (st || !here)
        return st;
    size_t n = strlen(*out);
    int ok = n == HASH_HEX;
    for (size_t i = 0; ok && i < n; i++)
        ok = strchr("0123456789abcdef", (*out)[i]) != NULL;
    if (!ok)
        return mn__error(in->ctx, MN_ERANGE,
                         "%s: %s.%s: expected a SHA-256 as 64 lower-case hex digits", in->src, path,
                         key);
    return MN_OK;
}

/* An object whose members are named after drawn constants, each a number >= 0 (tau, rhat). */
static mn_status per_param(const mn__jin *in, const mn_posterior *p, json_t *obj, const char *path,
                           const char *key)
{
    json_t *o = NULL;
    int here = 0;
    mn_status st = mn__jobj(in, obj, path, key, 0, &o, &here);
    if (st || !here)
        return st;
    char sub[256];
    mn__jpath_key(sub, sizeof sub, path, key);
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        if (mn_posterior_param_find(p, k) < 0)
            return mn__error(in->ctx, MN_ENOTFOUND,
                             "%s: %s.%s: not one of the constants in $.parameters", in->src, sub,
                             k);
        double x;
        if ((st = mn__jnum(in, o, sub, k, 1, 0, 1e12, &x, NULL)))
            return st;
    }
    return MN_OK;
}

static mn_status read_provenance(const mn__jin *in, mn_posterior *p, json_t *root)
{
    mn_posterior_provenance *pv = &p->prov;
    json_t *o = NULL, *s = NULL, *c = NULL, *studies = NULL;
    mn_status st;
    const char *path = "$.provenance";
    pv->tau_max = pv->acceptance_fraction = pv->rhat_max = NAN;
    pv->seed = -1;
    if ((st = mn__jobj(in, root, "$", "provenance", 1, &o, NULL)) ||
        (st = mn__jkeys(in, o, path, prov_keys)))
        return st;
    if ((st = mn__jstr(in, o, path, "source", 1, &pv->source_name, NULL)))
        return st;
    int k = 0;
    while (sources[k] && strcmp(sources[k], pv->source_name))
        k++;
    if (!sources[k])
        return mn__error(in->ctx, MN_ERANGE,
                         "%s: $.provenance.source: \"%.40s\" is not one of posterior, prior, "
                         "synthetic",
                         in->src, pv->source_name);
    pv->source = k == 0 ? MN_POSTERIOR_FIT : k == 1 ? MN_POSTERIOR_PRIOR : MN_POSTERIOR_SYNTHETIC;
    mn_date d;
    if ((st = mn__jdate(in, o, path, "date", 1, &d, NULL)) ||
        (st = mn__jstr(in, o, path, "date", 1, &pv->date, NULL)) ||
        (st = hash_field(in, o, path, "evidence_sha256", 1, &pv->evidence_sha256)) ||
        (st = hash_field(in, o, path, "priors_sha256", 0, &pv->priors_sha256)) ||
        (st = mn__jstr(in, o, path, "note", 0, &pv->note, NULL)))
        return st;
    if ((st = mn__jarr(in, o, path, "studies", 0, 0, MN_MAX_ARRAY_LEN, &studies, NULL)))
        return st;
    for (size_t i = 0; studies && i < json_array_size(studies); i++)
        if (!json_is_string(json_array_get(studies, i))) {
            char at[64];
            mn__jpath_index(at, sizeof at, "$.provenance.studies", i);
            return mn__error(in->ctx, MN_ETYPE, "%s: %s: expected a study id (a string), got %s",
                             in->src, at, mn__json_type_name(json_array_get(studies, i)));
        }
    int have_sampler = 0;
    if ((st =
             mn__jobj(in, o, path, "sampler", pv->source != MN_POSTERIOR_PRIOR, &s, &have_sampler)))
        return st;
    if (have_sampler) {
        const char *sp = "$.provenance.sampler";
        long walkers = 0, steps = 0, burn = 0, thin = 1, seed = -1;
        if ((st = mn__jkeys(in, s, sp, sampler_keys)) ||
            (st = mn__jstr(in, s, sp, "name", 1, &pv->sampler, NULL)) ||
            (st = mn__jstr(in, s, sp, "version", 0, &pv->sampler_version, NULL)) ||
            (st = mn__jstr(in, s, sp, "moves", 0, &(const char *){NULL}, NULL)) ||
            (st = mn__jint(in, s, sp, "walkers", 1, 2, 100000, &walkers, NULL)) ||
            (st = mn__jint(in, s, sp, "steps", 1, 1, 100000000, &steps, NULL)) ||
            (st = mn__jint(in, s, sp, "burn_in", 0, 0, 100000000, &burn, NULL)) ||
            (st = mn__jint(in, s, sp, "thin", 0, 1, 100000000, &thin, NULL)) ||
            (st = mn__jint(in, s, sp, "seed", 0, 0, 4294967295L, &seed, NULL)))
            return st;
        if (burn >= steps)
            return mn__error(in->ctx, MN_ERANGE,
                             "%s: $.provenance.sampler.burn_in: %ld is not below steps (%ld)",
                             in->src, burn, steps);
        pv->walkers = (int)walkers;
        pv->steps = (int)steps;
        pv->burn_in = (int)burn;
        pv->thin = (int)thin;
        pv->seed = seed;
    }
    int have_conv = 0;
    if ((st = mn__jobj(in, o, path, "convergence", 0, &c, &have_conv)))
        return st;
    if (have_conv) {
        const char *cp = "$.provenance.convergence";
        double ignored;
        if ((st = mn__jkeys(in, c, cp, conv_keys)) ||
            (st = mn__jnum(in, c, cp, "tau_max", 0, 0, 1e12, &pv->tau_max, NULL)) ||
            (st = mn__jnum(in, c, cp, "acceptance_fraction", 0, 0, 1, &pv->acceptance_fraction,
                           NULL)) ||
            (st = mn__jnum(in, c, cp, "rhat_max", 0, 0, 1e12, &pv->rhat_max, NULL)) ||
            (st = mn__jnum(in, c, cp, "steps_over_tau_max", 0, 0, 1e12, &ignored, NULL)) ||
            (st = per_param(in, p, c, cp, "tau")) || (st = per_param(in, p, c, cp, "rhat")))
            return st;
    }
    return MN_OK;
}

static mn_status read_posterior(const mn__jin *in, mn_posterior *p)
{
    json_t *root = p->root, *params = NULL, *draws = NULL;
    mn_status st;
    const char *model = NULL;
    long format = 0;
    if ((st = mn__jis_object(in, root, "$")) || (st = mn__jkeys(in, root, "$", top_keys)) ||
        (st = mn__jstr(in, root, "$", "model", 1, &model, NULL)))
        return st;
    if (strcmp(model, "healing"))
        return mn__error(in->ctx, MN_ERANGE,
                         "%s: $.model: \"%.40s\" is not a model with a posterior; expected "
                         "\"healing\"",
                         in->src, model);
    if ((st = mn__jint(in, root, "$", "format", 1, FORMAT_VERSION, FORMAT_VERSION, &format, NULL)))
        return st;
    if ((st = mn__jarr(in, root, "$", "parameters", 1, 1, (size_t)mn_healing_param_count(), &params,
                       NULL)))
        return st;
    p->n_params = (int)json_array_size(params);
    for (int j = 0; j < p->n_params; j++) {
        char at[64];
        mn__jpath_index(at, sizeof at, "$.parameters", (size_t)j);
        json_t *v = json_array_get(params, (size_t)j);
        if (!json_is_string(v))
            return mn__error(in->ctx, MN_ETYPE,
                             "%s: %s: expected the name of a model constant (a string), got %s",
                             in->src, at, mn__json_type_name(v));
        const char *name = json_string_value(v);
        int i = mn_healing_param_find(name);
        if (i < 0)
            return mn__error(in->ctx, MN_ENOTFOUND,
                             "%s: %s: \"%.60s\" is not a constant of the healing model "
                             "(docs/models/healing.md §4)",
                             in->src, at, name);
        for (int q = 0; q < j; q++)
            if (p->param[q] == i)
                return mn__error(in->ctx, MN_ERANGE, "%s: %s: \"%s\" is listed twice", in->src, at,
                                 name);
        p->param[j] = i;
        p->names[j] = name;
    }
    if ((st = mn__jarr(in, root, "$", "draws", 1, 1, MN_POSTERIOR_MAX_DRAWS, &draws, NULL)))
        return st;
    p->n_draws = (int)json_array_size(draws);
    size_t cells = (size_t)p->n_draws * (size_t)p->n_params;
    p->draws = mn__malloc(sizeof(double) * cells);
    p->sorted = mn__malloc(sizeof(double) * cells);
    if (!p->draws || !p->sorted)
        return mn__error(in->ctx, MN_ENOMEM, "%s: out of memory for the draws", in->src);
    for (int k = 0; k < p->n_draws; k++) {
        char at[64];
        mn__jpath_index(at, sizeof at, "$.draws", (size_t)k);
        json_t *row = json_array_get(draws, (size_t)k);
        if (!json_is_array(row))
            return mn__error(in->ctx, MN_ETYPE,
                             "%s: %s: expected an array of %d numbers (one per parameter), got %s",
                             in->src, at, p->n_params, mn__json_type_name(row));
        if ((int)json_array_size(row) != p->n_params)
            return mn__error(in->ctx, MN_ERANGE,
                             "%s: %s: %zu values; expected %d, one per entry of $.parameters",
                             in->src, at, json_array_size(row), p->n_params);
        for (int j = 0; j < p->n_params; j++) {
            char cell[96];
            mn__jpath_index(cell, sizeof cell, at, (size_t)j);
            double lo, hi;
            mn_healing_param_range(p->param[j], &lo, &hi);
            double *x = &p->draws[(size_t)k * (size_t)p->n_params + (size_t)j];
            if ((st = mn__jnum_value(in, json_array_get(row, (size_t)j), cell, lo, hi, x)))
                return st;
        }
    }
    for (int j = 0; j < p->n_params; j++) {
        double *col = p->sorted + (size_t)j * (size_t)p->n_draws;
        for (int k = 0; k < p->n_draws; k++)
            col[k] = p->draws[(size_t)k * (size_t)p->n_params + (size_t)j];
        qsort(col, (size_t)p->n_draws, sizeof(double), mn__cmp_double);
    }
    return read_provenance(in, p, root);
}

mn_status mn_posterior_parse(mn_ctx *ctx, const char *src, const char *text, size_t len,
                             mn_posterior **out)
{
    if (!out)
        return mn__error(ctx, MN_EINVAL, "mn_posterior_parse: out is NULL");
    *out = NULL;
    if (!text || !src)
        return mn__error(ctx, MN_EINVAL, "mn_posterior_parse: NULL text or source");
    mn_posterior *p = mn__calloc(1, sizeof *p);
    if (!p)
        return mn__error(ctx, MN_ENOMEM, "%s: out of memory", src);
    mn_status st = mn__json_parse(ctx, src, text, len, &p->root);
    if (!st) {
        mn__jin in = {ctx, src};
        st = read_posterior(&in, p);
    }
    if (st) {
        mn_posterior_free(p);
        return st;
    }
    *out = p;
    return MN_OK;
}

mn_status mn_posterior_load(mn_ctx *ctx, const char *path, mn_posterior **out)
{
    if (!out)
        return mn__error(ctx, MN_EINVAL, "mn_posterior_load: out is NULL");
    *out = NULL;
    if (!path) {
        for (const struct mn__embedded_file *f = mn__embedded_posterior; f->name; f++)
            if (!strcmp(f->name, "healing.json"))
                return mn_posterior_parse(ctx, "(embedded) data/posterior/healing.json", f->data,
                                          f->len, out);
        return mn__error(ctx, MN_ENOTFOUND, "no posterior is bundled with this build");
    }
    json_t *root = NULL;
    mn_status st = mn__json_load(ctx, path, &root);
    if (st)
        return st;
    mn_posterior *p = mn__calloc(1, sizeof *p);
    if (!p) {
        json_decref(root);
        return mn__error(ctx, MN_ENOMEM, "%s: out of memory", path);
    }
    p->root = root;
    mn__jin in = {ctx, strcmp(path, "-") ? path : "<stdin>"};
    if ((st = read_posterior(&in, p))) {
        mn_posterior_free(p);
        return st;
    }
    *out = p;
    return MN_OK;
}

void mn_posterior_free(mn_posterior *p)
{
    if (!p)
        return;
    json_decref(p->root);
    mn__free(p->draws);
    mn__free(p->sorted);
    mn__free(p);
}

int mn_posterior_param_count(const mn_posterior *p)
{
    return p ? p->n_params : 0;
}

const char *mn_posterior_param_name(const mn_posterior *p, int j)
{
    return p && j >= 0 && j < p->n_params ? p->names[j] : NULL;
}

int mn_posterior_param_find(const mn_posterior *p, const char *name)
{
    for (int j = 0; p && name && j < p->n_params; j++)
        if (!strcmp(p->names[j], name))
            return j;
    return -1;
}

int mn_posterior_draw_count(const mn_posterior *p)
{
    return p ? p->n_draws : 0;
}

double mn_posterior_value(const mn_posterior *p, int k, int j)
{
    if (!p || k < 0 || k >= p->n_draws || j < 0 || j >= p->n_params)
        return NAN;
    return p->draws[(size_t)k * (size_t)p->n_params + (size_t)j];
}

double mn_posterior_quantile(const mn_posterior *p, int j, double q)
{
    if (!p || j < 0 || j >= p->n_params || !(q >= 0 && q <= 1))
        return NAN;
    return mn__quantile_sorted(p->sorted + (size_t)j * (size_t)p->n_draws, p->n_draws, q);
}

const mn_posterior_provenance *mn_posterior_provenance_of(const mn_posterior *p)
{
    return p ? &p->prov : NULL;
}

mn_status mn_posterior_params(mn_ctx *ctx, const mn_posterior *p, int k, mn_healing_params *out)
{
    if (!p || !out || k < MN_POSTERIOR_MEDIAN || k >= p->n_draws)
        return mn__error(ctx, MN_EINVAL, "posterior: bad draw %d", k);
    mn_healing_params_default(out);
    for (int j = 0; j < p->n_params; j++) {
        double v = k == MN_POSTERIOR_MEDIAN ? mn_posterior_quantile(p, j, 0.5)
                                            : mn_posterior_value(p, k, j);
        mn_status st = mn_healing_params_set(ctx, out, p->names[j], v);
        if (!ALWAYS(st == MN_OK)) /* the loader checked every value against the same range */
            return st;
    }
    return MN_OK;
}
