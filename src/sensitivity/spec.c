/*
 * SPEC files: global sensitivity of mneedle's own models (sensitivity.h, docs/sensitivity.md).
 * The loader reads the outputs, the inputs and their distributions and the base scenarios, and
 * checks that every value an input can take is one the models accept, so a run cannot fail
 * halfway on a bad value. An evaluation copies the base scenarios, sets the inputs and runs
 * the models it needs: the healing model for the peak and durability (mn_healing_run, the
 * default options: exact integrator, durability searched up to 40 years past the horizon), its
 * maintenance projection for the same person (mn_healing_maintenance_person with the sampled
 * multipliers, no band), and the transport model's unit cell for 24 h (mn_absorb_run).
 *
 * Inputs may also be the healing model's constants by name (mn_healing_param_name()), from a
 * distribution or from the posterior (posterior.h): a constant's marginal over the draws, or,
 * as the one input "posterior", a whole draw. The evaluation then passes its set of constants
 * to both the run and the maintenance projection (mn_healing_options.params,
 * mn_healing_maintenance_params()).
 */
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "core/json_in.h"
#include "data/ranges.h"
#include "mneedle/healing.h"
#include "mneedle/posterior.h"
#include "mneedle/sensitivity.h"
#include "mneedle/transport.h"

enum { USES_HEAL = 1, USES_ABSORB = 2 };

typedef enum { OUT_PEAK, OUT_DURABILITY, OUT_MAINTENANCE, OUT_DELIVERED, OUT_COUNT } output_kind;

static const struct {
    const char *name, *unit;
    int model;
} OUTPUTS[OUT_COUNT] = {
    [OUT_PEAK] = {"peak_improvement_pct", "% of baseline severity", USES_HEAL},
    [OUT_DURABILITY] = {"durability_days", "days", USES_HEAL},
    [OUT_MAINTENANCE] = {"maintenance_interval_days", "days", USES_HEAL},
    [OUT_DELIVERED] = {"delivered_24h_ug_cm2", "ug/cm2", USES_ABSORB},
};

typedef enum {
    IN_AGE,
    IN_NEEDLE,
    IN_PASSES,
    IN_RESPONSE_GAIN,
    IN_DEPTH_FRACTION,
    IN_CLOSURE,
    IN_AGEING,
    IN_INFLAMMATION,
    IN_REMODELLING,
    IN_RETENTION,
    IN_EPIDERMAL_GAIN,
    IN_CONCENTRATION,
    IN_DOSE,
    IN_LOGP,
    IN_MW,
    IN_POSTERIOR, /* a whole posterior draw: the grouped input "posterior" */
    IN_CONSTANT,  /* a constant of the healing model, by name (not in mn_sens_input_names()) */
    IN_COUNT
} input_kind;

/* Where an input's values come from (mn_sens_result.input_from_posterior). */
enum { FROM_DIST = 0, FROM_MARGINAL = 1, FROM_GROUPED = 2 };

/* The healing model's parameters are multipliers of their calibrated values
 * (mn_healing_variability, healing.h): MULTIPLIER_MAX bounds them, a sanity bound (judgement)
 * ten times past the calibrated value, wider than any spread the sources give (healing.h). */
#define MULTIPLIER_MAX 10.0

static const struct {
    const char *name, *unit;
    int models;
    size_t var_offset; /* a multiplier: its place in mn_healing_variability */
} INPUTS[IN_COUNT] = {
    [IN_AGE] = {"age", "years", USES_HEAL | USES_ABSORB, 0},
    [IN_NEEDLE] = {"needle_mm", "mm", USES_HEAL | USES_ABSORB, 0},
    [IN_PASSES] = {"passes", "passes", USES_HEAL | USES_ABSORB, 0},
    [IN_RESPONSE_GAIN] = {"response_gain", "x calibrated", USES_HEAL,
                          offsetof(mn_healing_variability, response_gain)},
    [IN_DEPTH_FRACTION] = {"depth_fraction_scale", "x calibrated", USES_HEAL,
                           offsetof(mn_healing_variability, depth_fraction_scale)},
    [IN_CLOSURE] = {"closure_scale", "x calibrated", USES_HEAL,
                    offsetof(mn_healing_variability, closure_scale)},
    [IN_AGEING] = {"ageing_rate", "x calibrated", USES_HEAL,
                   offsetof(mn_healing_variability, ageing_rate)},
    [IN_INFLAMMATION] = {"inflammation_scale", "x calibrated", USES_HEAL,
                         offsetof(mn_healing_variability, inflammation_scale)},
    [IN_REMODELLING] = {"remodelling_scale", "x calibrated", USES_HEAL,
                        offsetof(mn_healing_variability, remodelling_scale)},
    [IN_RETENTION] = {"retention_scale", "x calibrated", USES_HEAL,
                      offsetof(mn_healing_variability, retention_scale)},
    [IN_EPIDERMAL_GAIN] = {"epidermal_gain", "x calibrated", USES_HEAL,
                           offsetof(mn_healing_variability, epidermal_gain)},
    [IN_CONCENTRATION] = {"concentration_mg_ml", "mg/ml", USES_ABSORB, 0},
    [IN_DOSE] = {"dose_ul_cm2", "ul/cm2", USES_ABSORB, 0},
    [IN_LOGP] = {"logp", "log10", USES_ABSORB, 0},
    [IN_MW] = {"mw", "g/mol", USES_ABSORB, 0},
    [IN_POSTERIOR] = {"posterior", "draw", USES_HEAL, 0},
    [IN_CONSTANT] = {NULL, NULL, USES_HEAL, 0},
};

#define ABSORB_HOURS 24.0 /* the output delivered_24h_ug_cm2 */

struct mn_sens_spec {
    int n_inputs, n_outputs;
    input_kind input[MN_SENS_MAX_INPUTS];
    int constant[MN_SENS_MAX_INPUTS]; /* IN_CONSTANT: its index (mn_healing_param_name) */
    int from[MN_SENS_MAX_INPUTS];     /* FROM_* */
    mn_sens_dist dists[MN_SENS_MAX_INPUTS];
    double *marginal[MN_SENS_MAX_INPUTS]; /* FROM_MARGINAL: the sorted draws, owned */
    int uses_params;                      /* an input sets the model's constants */
    mn_healing_params base;               /* the library's defaults, which inputs change */
    mn_posterior *post;                   /* loaded when an input is drawn from it */
    char post_file[256];                  /* its name in the outputs */
    char post_name[272];                  /* in messages: "the posterior FILE" or "the
                                             bundled posterior" (no source-tree path) */
    output_kind output[MN_SENS_MAX_OUTPUTS];
    int needs; /* USES_* of the outputs */
    mn_healing_input *heal;
    int have_absorb;
    mn_absorb_scenario absorb;
    mn_sobol_options sobol;
    int has_morris;
    mn_morris_options morris;
};

const char *const *mn_sens_output_names(void)
{
    static const char *const names[] = {"peak_improvement_pct", "durability_days",
                                        "maintenance_interval_days", "delivered_24h_ug_cm2", NULL};
    return names;
}

const char *const *mn_sens_input_names(void)
{
    static const char *const names[] = {"age",
                                        "needle_mm",
                                        "passes",
                                        "response_gain",
                                        "depth_fraction_scale",
                                        "closure_scale",
                                        "ageing_rate",
                                        "inflammation_scale",
                                        "remodelling_scale",
                                        "retention_scale",
                                        "epidermal_gain",
                                        "concentration_mg_ml",
                                        "dose_ul_cm2",
                                        "logp",
                                        "mw",
                                        "posterior",
                                        NULL};
    return names;
}

void mn_sens_spec_free(mn_sens_spec *spec)
{
    if (!spec)
        return;
    mn__free(spec->heal);
    mn_absorb_scenario_release(&spec->absorb);
    for (int i = 0; i < MN_SENS_MAX_INPUTS; i++)
        mn__free(spec->marginal[i]);
    mn_posterior_free(spec->post);
    mn__free(spec);
}

/* ---- reading ---- */

/* The folder of the SPEC file, for scenario file names ("" for none). */
static void folder_of(const char *path, char *buf, size_t n)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    if (!slash || !strcmp(path, "-")) {
        buf[0] = '\0';
        return;
    }
    snprintf(buf, n, "%.*s", (int)(slash - path + 1), path);
}

/* Re-states the context's message of a failed embedded-scenario read, "SRC: $.x: ..." as
 * "SRC: $.scenario.x: ...", so the place is named through the SPEC. */
static mn_status reroot(mn_ctx *ctx, mn_status st, const char *src, const char *path)
{
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", mn_ctx_errmsg(ctx));
    size_t n = strlen(src);
    if (!strncmp(msg, src, n) && !strncmp(msg + n, ": $", 3))
        return mn__error(ctx, st, "%s: %s%s", src, path, msg + n + 3);
    return mn__error(ctx, st, "%s: %s: %s", src, path, msg);
}

/* A scenario member: an object (parsed in place, errors named through @p path) or a file name
 * (relative to @p folder). @p parse and @p load are the scenario's readers. */
static mn_status read_scenario(const mn__jin *in, json_t *v, const char *path, const char *folder,
                               mn_status (*parse)(mn_ctx *, const char *, const char *, size_t,
                                                  void *),
                               mn_status (*load)(mn_ctx *, const char *, void *), void *out)
{
    if (json_is_string(v)) {
        const char *name = json_string_value(v);
        char file[4096];
        if (name[0] == '/' || !folder[0])
            snprintf(file, sizeof file, "%s", name);
        else
            snprintf(file, sizeof file, "%s%s", folder, name);
        return load(in->ctx, file, out);
    }
    if (!json_is_object(v))
        return mn__error(in->ctx, MN_ETYPE,
                         "%s: %s: expected a scenario object or a file name, got %s", in->src, path,
                         mn__json_type_name(v));
    /* Into a buffer of ours: jansson's own allocations go through the library's hooks. */
    size_t len = json_dumpb(v, NULL, 0, JSON_COMPACT);
    char *text = len ? mn__malloc(len) : NULL;
    if (!text || json_dumpb(v, text, len, JSON_COMPACT) != len) {
        mn__free(text);
        return mn__error(in->ctx, MN_ENOMEM, "%s: out of memory", in->src);
    }
    mn_status st = parse(in->ctx, in->src, text, len, out);
    mn__free(text);
    return st ? reroot(in->ctx, st, in->src, path) : MN_OK;
}

static mn_status heal_parse(mn_ctx *ctx, const char *src, const char *text, size_t len, void *out)
{
    return mn_healing_scenario_parse(ctx, src, text, len, out);
}
static mn_status heal_load(mn_ctx *ctx, const char *path, void *out)
{
    return mn_healing_scenario_load(ctx, path, out);
}
static mn_status absorb_parse(mn_ctx *ctx, const char *src, const char *text, size_t len, void *out)
{
    return mn_absorb_scenario_parse(ctx, src, text, len, out);
}
static mn_status absorb_load(mn_ctx *ctx, const char *path, void *out)
{
    return mn_absorb_scenario_load(ctx, path, out);
}

static int find_name(const char *const *names, const char *s)
{
    for (int i = 0; names[i]; i++)
        if (!strcmp(names[i], s))
            return i;
    return -1;
}

static void list_names(const char *const *names, char *buf, size_t n)
{
    size_t at = 0;
    buf[0] = '\0';
    for (int i = 0; names[i] && at < n; i++)
        at += (size_t)snprintf(buf + at, n - at, "%s%s", i ? ", " : "", names[i]);
}

static mn_status read_outputs(const mn__jin *in, json_t *root, mn_sens_spec *s)
{
    json_t *arr;
    mn_status st = mn__jarr(in, root, "$", "outputs", 1, 1, MN_SENS_MAX_OUTPUTS, &arr, NULL);
    if (st)
        return st;
    char names[256];
    list_names(mn_sens_output_names(), names, sizeof names);
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *v = json_array_get(arr, i);
        char path[64];
        mn__jpath_index(path, sizeof path, "$.outputs", i);
        if (!json_is_string(v))
            return mn__error(in->ctx, MN_ETYPE, "%s: %s: expected an output name (%s), got %s",
                             in->src, path, names, mn__json_type_name(v));
        int k = find_name(mn_sens_output_names(), json_string_value(v));
        if (k < 0)
            return mn__error(in->ctx, MN_ENOTFOUND, "%s: %s: unknown output '%s' (expected %s)",
                             in->src, path, json_string_value(v), names);
        for (int j = 0; j < s->n_outputs; j++)
            if (s->output[j] == (output_kind)k)
                return mn__error(in->ctx, MN_ERANGE, "%s: %s: '%s' is already an output", in->src,
                                 path, OUTPUTS[k].name);
        s->output[s->n_outputs++] = (output_kind)k;
        s->needs |= OUTPUTS[k].model;
    }
    return MN_OK;
}

/* The distribution of inputs[i]: exactly one of the four keys, with its parameters. */
static mn_status read_dist(const mn__jin *in, json_t *e, const char *path, mn_sens_dist *d)
{
    static const struct {
        const char *key;
        mn_sens_dist_kind kind;
        int n;
        const char *form;
    } kinds[] = {
        {"uniform", MN_SENS_UNIFORM, 2, "[low, high] with low < high"},
        {"normal", MN_SENS_NORMAL, 2, "[mean, sd] with sd > 0"},
        {"lognormal", MN_SENS_LOGNORMAL, 2, "[median, sd_log] with both > 0"},
        {"triangular", MN_SENS_TRIANGULAR, 3, "[low, mode, high] with low <= mode <= high"},
    };
    int found = -1;
    for (int k = 0; k < 4; k++)
        if (json_object_get(e, kinds[k].key)) {
            if (found >= 0)
                return mn__error(in->ctx, MN_ERANGE,
                                 "%s: %s: give one distribution, not both %s and %s", in->src, path,
                                 kinds[found].key, kinds[k].key);
            found = k;
        }
    if (found < 0)
        return mn__error(in->ctx, MN_ERANGE,
                         "%s: %s: expected a distribution: uniform, normal, lognormal or "
                         "triangular",
                         in->src, path);
    char p[96];
    mn__jpath_key(p, sizeof p, path, kinds[found].key);
    json_t *arr = json_object_get(e, kinds[found].key);
    if (!json_is_array(arr) || json_array_size(arr) != (size_t)kinds[found].n)
        return mn__error(in->ctx, MN_ETYPE, "%s: %s: expected %s", in->src, p, kinds[found].form);
    double v[3] = {0, 0, 0};
    for (int i = 0; i < kinds[found].n; i++) {
        char pi[112];
        mn__jpath_index(pi, sizeof pi, p, (size_t)i);
        mn_status st = mn__jnum_value(in, json_array_get(arr, (size_t)i), pi, -1e300, 1e300, &v[i]);
        if (st)
            return st;
    }
    d->kind = kinds[found].kind;
    d->a = v[0];
    d->b = v[1];
    if (d->kind == MN_SENS_TRIANGULAR) { /* [low, mode, high]: a low, c mode, b high */
        d->c = v[1];
        d->b = v[2];
    }
    if (!mn_sens_dist_valid(d))
        return mn__error(in->ctx, MN_ERANGE, "%s: %s: expected %s", in->src, p, kinds[found].form);
    return MN_OK;
}

/* The range input @p k may take, with the reason for the message. */
static void input_range(const mn_sens_spec *s, input_kind k, int constant, double *lo, double *hi,
                        char *why, size_t n)
{
    const mn__input_range *r = NULL;
    *lo = -INFINITY;
    *hi = INFINITY;
    switch (k) {
    case IN_AGE:
        r = &mn__input_ranges[MN__IN_AGE_YEARS];
        break;
    case IN_PASSES:
        r = &mn__input_ranges[MN__IN_PASSES];
        break;
    case IN_CONCENTRATION:
        r = &mn__input_ranges[MN__IN_CONCENTRATION_MG_ML];
        break;
    case IN_DOSE:
        r = &mn__input_ranges[MN__IN_DOSE_UL_CM2];
        break;
    case IN_LOGP:
        *lo = MN_ABSORB_MIN_LOGP;
        *hi = MN_ABSORB_MAX_LOGP;
        snprintf(why, n, "the transport model's logP range");
        return;
    case IN_MW:
        *lo = MN_ABSORB_MIN_MW;
        *hi = MN_ABSORB_MAX_MW;
        snprintf(why, n, "the transport model's molecular-weight range");
        return;
    case IN_NEEDLE: {
        size_t at = (size_t)snprintf(why, n, "the devices' ranges");
        *lo = 0;
        if ((s->needs & USES_HEAL) && s->heal)
            for (int i = 0; i < s->heal->scenario.n_sessions; i++) {
                const mn_device *d = s->heal->scenario.sessions[i].device;
                *lo = fmax(*lo, d->depth_min_mm);
                *hi = fmin(*hi, d->depth_max_mm);
            }
        if ((s->needs & USES_ABSORB) && s->have_absorb && s->absorb.device) {
            const mn__input_range *t = &mn__input_ranges[MN__IN_NEEDLE_MM_TRANSPORT];
            *lo = fmax(fmax(*lo, s->absorb.device->depth_min_mm), t->lo);
            *hi = fmin(fmin(*hi, s->absorb.device->depth_max_mm), t->hi);
            if (at < n)
                snprintf(why + at, n - at, " and the transport model's");
        }
        return;
    }
    case IN_POSTERIOR: /* the draw index */
        *lo = 0;
        *hi = mn_posterior_draw_count(s->post);
        snprintf(why, n, "the posterior's draws");
        return;
    case IN_CONSTANT:
        mn_healing_param_range(constant, lo, hi);
        snprintf(why, n, "the range of the healing model's constant");
        return;
    default: /* the healing model's multipliers */
        *lo = 0;
        *hi = MULTIPLIER_MAX;
        snprintf(why, n, "a multiplier of the calibrated value, above 0 and at most %g",
                 MULTIPLIER_MAX);
        return;
    }
    *lo = r->lo;
    *hi = r->hi;
    snprintf(why, n, "%s", r->name);
}

/* Which models input @p k enters, given the base scenarios. */
static int input_models(const mn_sens_spec *s, input_kind k)
{
    int m = INPUTS[k].models & s->needs;
    /* Intact skin in absorb: no needle, so needle length and passes do not enter it. */
    if ((k == IN_NEEDLE || k == IN_PASSES) && s->have_absorb && !s->absorb.device)
        m &= ~USES_ABSORB;
    return m;
}

/* The name of input i of @p s. */
static const char *input_name(const mn_sens_spec *s, int i)
{
    return s->input[i] == IN_CONSTANT ? mn_healing_param_name(s->constant[i])
                                      : INPUTS[s->input[i]].name;
}

/* The posterior the inputs `from: "posterior"` draw from: the SPEC's $.posterior (a file name
 * relative to @p folder) or the bundled one, loaded once. */
static mn_status need_posterior(const mn__jin *in, json_t *root, const char *folder,
                                mn_sens_spec *s)
{
    if (s->post)
        return MN_OK;
    json_t *v = json_object_get(root, "posterior");
    const char *file = NULL;
    char path[4096];
    if (v) {
        if (!json_is_string(v) || !json_string_length(v))
            return mn__error(in->ctx, MN_ETYPE, "%s: $.posterior: expected a file name, got %s",
                             in->src, mn__json_type_name(v));
        const char *name = json_string_value(v);
        if (name[0] == '/' || !folder[0])
            snprintf(path, sizeof path, "%s", name);
        else
            snprintf(path, sizeof path, "%s%s", folder, name);
        file = path;
    }
    snprintf(s->post_file, sizeof s->post_file, "%.250s", file ? file : MN_SENS_BUNDLED_POSTERIOR);
    if (file)
        snprintf(s->post_name, sizeof s->post_name, "the posterior %s", s->post_file);
    else
        snprintf(s->post_name, sizeof s->post_name, "the bundled posterior");
    mn_status st = mn_posterior_load(in->ctx, file, &s->post);
    if (st && v) /* the file names itself in the message; say where the SPEC named it */
        return reroot(in->ctx, st, in->src, "$.posterior");
    return st;
}

/* A constant's marginal over the posterior's draws, sorted, as an empirical distribution. */
static mn_status posterior_marginal(const mn__jin *in, const char *path, mn_sens_spec *s,
                                    const char *name, int at)
{
    int j = mn_posterior_param_find(s->post, name);
    if (j < 0) {
        char list[512];
        size_t n = 0;
        list[0] = '\0';
        for (int q = 0; q < mn_posterior_param_count(s->post) && n < sizeof list; q++)
            n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", q ? ", " : "",
                                  mn_posterior_param_name(s->post, q));
        return mn__error(in->ctx, MN_ENOTFOUND,
                         "%s: %s.name: %s has no draws of '%s' (it draws %s)", in->src, path,
                         s->post_name, name, list);
    }
    int nd = mn_posterior_draw_count(s->post);
    double *v = mn__malloc(sizeof(double) * (size_t)nd);
    if (!v)
        return mn__error(in->ctx, MN_ENOMEM, "%s: out of memory", in->src);
    /* Its quantiles at the draws' plotting positions give back the draws in order. */
    for (int k = 0; k < nd; k++)
        v[k] = mn_posterior_quantile(s->post, j, nd > 1 ? (double)k / (nd - 1) : 0);
    s->marginal[at] = v;
    mn_sens_dist *d = &s->dists[at];
    memset(d, 0, sizeof *d);
    d->kind = MN_SENS_EMPIRICAL;
    d->values = v;
    d->n_values = nd;
    d->a = v[0];
    d->b = v[nd - 1];
    d->c = mn_posterior_quantile(s->post, j, 0.5);
    if (!mn_sens_dist_valid(d))
        return mn__error(in->ctx, MN_ERANGE,
                         "%s: %s: %s needs at least two draws of '%s' to sample", in->src, path,
                         s->post_name, name);
    return MN_OK;
}

/* inputs[i]: which input, and where its values come from. */
static mn_status read_input(const mn__jin *in, json_t *root, const char *folder, json_t *e,
                            const char *path, mn_sens_spec *s)
{
    static const char *const keys[] = {"name",       "uniform", "normal", "lognormal",
                                       "triangular", "from",    NULL};
    const char *name, *from = NULL;
    int has_from = 0, at = s->n_inputs;
    mn_status st;
    if ((st = mn__jis_object(in, e, path)) || (st = mn__jkeys(in, e, path, keys)) ||
        (st = mn__jstr(in, e, path, "name", 1, &name, NULL)) ||
        (st = mn__jstr(in, e, path, "from", 0, &from, &has_from)))
        return st;
    int k = find_name(mn_sens_input_names(), name), c = -1;
    if (k < 0 && (c = mn_healing_param_find(name)) >= 0)
        k = IN_CONSTANT;
    if (k < 0) {
        char names[512];
        list_names(mn_sens_input_names(), names, sizeof names);
        return mn__error(in->ctx, MN_ENOTFOUND,
                         "%s: %s.name: unknown input '%s' (expected one of %s, or a constant of "
                         "the healing model: docs/models/healing.md section 4)",
                         in->src, path, name, names);
    }
    for (int j = 0; j < s->n_inputs; j++)
        if (s->input[j] == (input_kind)k && (k != IN_CONSTANT || s->constant[j] == c))
            return mn__error(in->ctx, MN_ERANGE, "%s: %s.name: '%s' is already an input", in->src,
                             path, name);
    s->input[at] = (input_kind)k;
    s->constant[at] = c;
    if (has_from) {
        char fp[96];
        mn__jpath_key(fp, sizeof fp, path, "from");
        if (strcmp(from, "posterior"))
            return mn__error(in->ctx, MN_ERANGE, "%s: %s: expected \"posterior\", got \"%s\"",
                             in->src, fp, from);
        for (int q = 0; q < 4; q++) {
            static const char *const dist_keys[] = {"uniform", "normal", "lognormal", "triangular"};
            if (json_object_get(e, dist_keys[q]))
                return mn__error(in->ctx, MN_ERANGE,
                                 "%s: %s: give one distribution, not both from and %s", in->src,
                                 path, dist_keys[q]);
        }
        if (k != IN_CONSTANT && k != IN_POSTERIOR)
            return mn__error(in->ctx, MN_ERANGE,
                             "%s: %s: '%s' is not a constant of the healing model; only those "
                             "(and the grouped input 'posterior') are drawn from the posterior",
                             in->src, fp, name);
        if ((st = need_posterior(in, root, folder, s)))
            return st;
    } else if (k == IN_POSTERIOR) {
        return mn__error(in->ctx, MN_ERANGE,
                         "%s: %s: the input 'posterior' is a whole draw of the posterior: give "
                         "\"from\": \"posterior\"",
                         in->src, path);
    }
    /* A constant the grouped input draws cannot be an input of its own as well. */
    for (int j = 0; s->post && j < s->n_inputs; j++) {
        const char *cn = NULL;
        if (k == IN_POSTERIOR && s->input[j] == IN_CONSTANT)
            cn = mn_healing_param_name(s->constant[j]);
        else if (k == IN_CONSTANT && s->input[j] == IN_POSTERIOR)
            cn = name;
        if (cn && mn_posterior_param_find(s->post, cn) >= 0)
            return mn__error(in->ctx, MN_ERANGE,
                             "%s: %s.name: '%s' is drawn by the input 'posterior' (a whole draw) "
                             "and cannot be an input of its own as well",
                             in->src, path, cn);
    }
    mn_sens_dist *d = &s->dists[at];
    if (k == IN_POSTERIOR) {
        s->from[at] = FROM_GROUPED;
        memset(d, 0, sizeof *d);
        d->kind = MN_SENS_UNIFORM; /* the draw index: floor of a uniform on [0, draws) */
        d->b = mn_posterior_draw_count(s->post);
    } else if (has_from) {
        s->from[at] = FROM_MARGINAL;
        if ((st = posterior_marginal(in, path, s, name, at)))
            return st;
    } else if ((st = read_dist(in, e, path, d))) {
        return st;
    }
    if (!input_models(s, (input_kind)k))
        return mn__error(in->ctx, MN_ERANGE,
                         "%s: %s.name: '%s' enters none of the outputs asked for", in->src, path,
                         name);
    /* The extreme values the Sobol' points can give (and Morris's, which stay inside). */
    double lo, hi, vlo = mn_sens_dist_quantile(d, 0x1p-32),
                   vhi = mn_sens_dist_quantile(d, 1 - 0x1p-32);
    char why[160];
    input_range(s, (input_kind)k, c, &lo, &hi, why, sizeof why);
    int multiplier = k >= IN_RESPONSE_GAIN && k <= IN_EPIDERMAL_GAIN;
    if (vlo < lo || vhi > hi || (multiplier && !(vlo > 0)) || (k == IN_NEEDLE && lo > hi))
        return mn__error(in->ctx, MN_ERANGE,
                         "%s: %s: %s would range over %.4g to %.4g, outside %.4g to %.4g (%s)",
                         in->src, path, name, vlo, vhi, lo, hi, why);
    if (k == IN_CONSTANT || k == IN_POSTERIOR)
        s->uses_params = 1;
    s->n_inputs++;
    return MN_OK;
}

static mn_status read_inputs(const mn__jin *in, json_t *root, const char *folder, mn_sens_spec *s)
{
    json_t *arr;
    mn_status st = mn__jarr(in, root, "$", "inputs", 1, 1, MN_SENS_MAX_INPUTS, &arr, NULL);
    if (st)
        return st;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        char path[64];
        mn__jpath_index(path, sizeof path, "$.inputs", i);
        if ((st = read_input(in, root, folder, json_array_get(arr, i), path, s)))
            return st;
    }
    if (json_object_get(root, "posterior") && !s->post)
        return mn__error(in->ctx, MN_ERANGE,
                         "%s: $.posterior: no input is drawn from the posterior (\"from\": "
                         "\"posterior\")",
                         in->src);
    return MN_OK;
}

static mn_status read_options(const mn__jin *in, json_t *root, mn_sens_spec *s)
{
    long n = s->sobol.n_base, boot = s->sobol.bootstrap;
    double seed = 1, conf = s->sobol.confidence;
    json_t *m;
    int has_m;
    mn_status st;
    if ((st = mn__jint(in, root, "$", "n", 0, 2, MN_SENS_MAX_BASE, &n, NULL)) ||
        (st = mn__jint(in, root, "$", "bootstrap", 0, 0, MN_SENS_MAX_BOOTSTRAP, &boot, NULL)) ||
        (st = mn__jnum(in, root, "$", "confidence", 0, 0.5, 0.999, &conf, NULL)) ||
        (st = mn__jnum_in(in, root, "$", "seed", 0, MN__IN_SEED, &seed, NULL)) ||
        (st = mn__jobj(in, root, "$", "morris", 0, &m, &has_m)))
        return st;
    if (seed != floor(seed))
        return mn__error(in->ctx, MN_ERANGE, "%s: $.seed: expected a whole number, got %g", in->src,
                         seed);
    s->sobol.n_base = n;
    s->sobol.bootstrap = (int)boot;
    s->sobol.confidence = conf;
    s->sobol.seed = (uint64_t)seed;
    if (has_m) {
        static const char *const keys[] = {"trajectories", "levels", NULL};
        long r = s->morris.trajectories, lv = s->morris.levels;
        if ((st = mn__jkeys(in, m, "$.morris", keys)) ||
            (st = mn__jint(in, m, "$.morris", "trajectories", 0, 2, MN_MORRIS_MAX_TRAJECTORIES, &r,
                           NULL)) ||
            (st = mn__jint(in, m, "$.morris", "levels", 0, 4, 16, &lv, NULL)))
            return st;
        if (lv % 2)
            return mn__error(in->ctx, MN_ERANGE,
                             "%s: $.morris.levels: expected an even number, got %ld", in->src, lv);
        s->has_morris = 1;
        s->morris.trajectories = (int)r;
        s->morris.levels = (int)lv;
        s->morris.seed = s->sobol.seed;
    }
    return MN_OK;
}

static mn_status from_json(mn_ctx *ctx, const char *src, const char *folder, json_t *root,
                           mn_sens_spec *s)
{
    mn__jin in = {ctx, src};
    static const char *const keys[] = {"scenario", "absorb",    "outputs", "inputs",
                                       "n",        "bootstrap", "seed",    "confidence",
                                       "morris",   "posterior", NULL};
    mn_status st;
    if ((st = mn__jis_object(&in, root, "$")) || (st = mn__jkeys(&in, root, "$", keys)) ||
        (st = read_options(&in, root, s)) || (st = read_outputs(&in, root, s)))
        return st;
    json_t *heal = json_object_get(root, "scenario"), *ab = json_object_get(root, "absorb");
    if ((s->needs & USES_HEAL) && !heal)
        return mn__error(ctx, MN_ERANGE,
                         "%s: $.scenario: missing: the outputs asked for need a simulate "
                         "scenario",
                         src);
    if ((s->needs & USES_ABSORB) && !ab)
        return mn__error(ctx, MN_ERANGE,
                         "%s: $.absorb: missing: delivered_24h_ug_cm2 needs an absorb scenario",
                         src);
    if (heal && !(s->needs & USES_HEAL))
        return mn__error(ctx, MN_ERANGE,
                         "%s: $.scenario: no output asked for uses the simulate scenario", src);
    if (ab && !(s->needs & USES_ABSORB))
        return mn__error(ctx, MN_ERANGE,
                         "%s: $.absorb: no output asked for uses the absorb scenario", src);
    if (heal) {
        if (!(s->heal = mn__malloc(sizeof *s->heal)))
            return mn__error(ctx, MN_ENOMEM, "%s: out of memory", src);
        if ((st = read_scenario(&in, heal, "$.scenario", folder, heal_parse, heal_load, s->heal)))
            return st;
        if (s->heal->scenario.n_sessions < 1 || s->heal->scenario.n_sessions > MN_SENS_MAX_SESSIONS)
            return mn__error(ctx, MN_ELIMIT,
                             "%s: $.scenario.sessions: a sensitivity run takes 1-%d sessions, "
                             "got %d",
                             src, MN_SENS_MAX_SESSIONS, s->heal->scenario.n_sessions);
    }
    if (ab) {
        if ((st =
                 read_scenario(&in, ab, "$.absorb", folder, absorb_parse, absorb_load, &s->absorb)))
            return st;
        s->have_absorb = 1;
        /* The output is the amount at 24 h from the unit cell. */
        double *hours = mn__malloc(sizeof(double));
        if (!hours)
            return mn__error(ctx, MN_ENOMEM, "%s: out of memory", src);
        hours[0] = ABSORB_HOURS;
        mn__free(s->absorb.report_hours);
        s->absorb.report_hours = hours;
        s->absorb.n_report = 1;
        s->absorb.hours = ABSORB_HOURS;
        s->absorb.field = 0;
    }
    return read_inputs(&in, root, folder, s);
}

static mn_status spec_new(mn_ctx *ctx, mn_sens_spec **out)
{
    mn_sens_spec *s = mn__calloc(1, sizeof *s);
    if (!s)
        return mn__error(ctx, MN_ENOMEM, "sensitivity: out of memory");
    mn_sobol_options_init(&s->sobol);
    mn_morris_options_init(&s->morris);
    mn_absorb_scenario_init(&s->absorb);
    mn_healing_params_default(&s->base);
    *out = s;
    return MN_OK;
}

static mn_status finish(mn_ctx *ctx, const char *src, const char *folder, json_t *root,
                        mn_sens_spec **out)
{
    mn_sens_spec *s = NULL;
    mn_status st = spec_new(ctx, &s);
    if (!st)
        st = from_json(ctx, src, folder, root, s);
    json_decref(root);
    if (st) {
        mn_sens_spec_free(s);
        return st;
    }
    *out = s;
    return MN_OK;
}

mn_status mn_sens_spec_load(mn_ctx *ctx, const char *path, mn_sens_spec **out)
{
    if (!out || !path)
        return mn__error(ctx, MN_EINVAL, "sensitivity: NULL argument");
    *out = NULL;
    json_t *root;
    mn_status st = mn__json_load(ctx, path, &root);
    if (st)
        return st;
    char folder[4096];
    folder_of(path, folder, sizeof folder);
    return finish(ctx, strcmp(path, "-") ? path : "<stdin>", folder, root, out);
}

mn_status mn_sens_spec_parse(mn_ctx *ctx, const char *src, const char *text, size_t len,
                             mn_sens_spec **out)
{
    return mn_sens_spec_parse_in(ctx, src, text, len, NULL, out);
}

mn_status mn_sens_spec_parse_in(mn_ctx *ctx, const char *src, const char *text, size_t len,
                                const char *dir, mn_sens_spec **out)
{
    if (!out || !text)
        return mn__error(ctx, MN_EINVAL, "sensitivity: NULL argument");
    *out = NULL;
    if (!src)
        src = "<string>";
    /* As folder_of() gives it: "" or the folder with its final '/'. */
    char folder[4096];
    size_t n = dir ? strlen(dir) : 0;
    if (n + 2 > sizeof folder)
        return mn__error(ctx, MN_ELIMIT, "%s: the SPEC's folder name is longer than %zu bytes", src,
                         sizeof folder - 2);
    snprintf(folder, sizeof folder, "%s%s", n ? dir : "", n && dir[n - 1] != '/' ? "/" : "");
    json_t *root;
    mn_status st = mn__json_parse(ctx, src, text, len, &root);
    if (st)
        return st;
    return finish(ctx, src, folder, root, out);
}

/* ---- running ---- */

static int evaluate(const void *userdata, const double *x, double *y)
{
    const mn_sens_spec *s = userdata;
    mn_healing_session sessions[MN_SENS_MAX_SESSIONS];
    mn_healing_scenario sc;
    mn_healing_variability var;
    mn_healing_variability_init(&var);
    mn_absorb_scenario ab;
    memset(&sc, 0, sizeof sc);
    memset(&ab, 0, sizeof ab);
    if (s->heal) {
        sc = s->heal->scenario;
        memcpy(sessions, sc.sessions, sizeof *sessions * (size_t)sc.n_sessions);
        sc.sessions = sessions;
    }
    if (s->have_absorb)
        ab = s->absorb; /* report_hours borrowed, read only */
    mn_healing_params par;
    const mn_healing_params *params = NULL; /* the library's defaults */
    mn_status st = MN_OK;
    if (s->uses_params) {
        par = s->base;
        params = &par;
        /* A whole draw first, so that a constant given as an input of its own (one the
         * posterior does not draw: read_input() refuses the others) is set over it. */
        for (int i = 0; i < s->n_inputs; i++)
            if (s->input[i] == IN_POSTERIOR) {
                int k = (int)x[i], nd = mn_posterior_draw_count(s->post);
                k = k < 0 ? 0 : k >= nd ? nd - 1 : k;
                for (int j = 0; j < mn_posterior_param_count(s->post) && !st; j++)
                    st = mn_healing_params_set(NULL, &par, mn_posterior_param_name(s->post, j),
                                               mn_posterior_value(s->post, k, j));
            }
        if (st)
            return st;
    }
    for (int i = 0; i < s->n_inputs; i++) {
        double v = x[i];
        switch (s->input[i]) {
        case IN_AGE:
            sc.patient.age_years = v;
            ab.patient.age_years = v;
            break;
        case IN_NEEDLE:
        case IN_PASSES:
            if (s->heal)
                for (int j = 0; j < sc.n_sessions; j++)
                    *(s->input[i] == IN_NEEDLE ? &sessions[j].needle_mm : &sessions[j].passes) = v;
            *(s->input[i] == IN_NEEDLE ? &ab.needle_mm : &ab.passes) = v;
            break;
        case IN_CONCENTRATION:
            ab.concentration_mg_ml = v;
            break;
        case IN_DOSE:
            ab.dose_ul_cm2 = v;
            break;
        case IN_LOGP:
            ab.logp = v;
            break;
        case IN_MW:
            ab.mw = v;
            break;
        case IN_POSTERIOR:
            break; /* above */
        case IN_CONSTANT:
            if ((st = mn_healing_params_set(NULL, &par, mn_healing_param_name(s->constant[i]), v)))
                return st;
            break;
        default:
            *(double *)((char *)&var + INPUTS[s->input[i]].var_offset) = v;
            break;
        }
    }
    mn_healing_summary sum;
    int need_summary = 0, need_maint = 0;
    for (int o = 0; o < s->n_outputs; o++) {
        need_summary |= s->output[o] == OUT_PEAK || s->output[o] == OUT_DURABILITY;
        need_maint |= s->output[o] == OUT_MAINTENANCE;
    }
    mn_healing_options opts;
    mn_healing_options_init(&opts);
    opts.params = params;
    if (need_summary && (st = mn_healing_run(NULL, &sc, &var, &opts, NULL, 0, NULL, &sum)))
        return st;
    int interval = 0;
    if (need_maint) {
        mn_healing_projection proj;
        if ((st = mn_healing_maintenance_params(NULL, &sc, &var, params, -1, 0, &proj)))
            return st;
        interval = proj.maintenance_interval_days;
        mn_healing_projection_release(&proj);
    }
    double delivered = 0;
    if (s->needs & USES_ABSORB) {
        mn_absorb_result r;
        mn_absorb_result_init(&r);
        ab.band_runs = 0; /* only the central delivered amount is an output here */
        st = mn_absorb_run(NULL, &ab, NULL, NULL, &r);
        if (!st && r.n_samples == 1)
            delivered = r.samples[0].delivered_ug_cm2;
        else if (!st)
            st = MN_ENUMERIC;
        mn_absorb_result_release(&r);
        if (st)
            return st;
    }
    for (int o = 0; o < s->n_outputs; o++)
        switch (s->output[o]) {
        case OUT_PEAK:
            y[o] = sum.peak_improvement_pct;
            break;
        case OUT_DURABILITY:
            /* Not back to half the peak within the search: censored at its end. */
            y[o] = sum.durability_days >= 0
                       ? sum.durability_days
                       : (double)(sc.horizon_days + opts.search_limit_days - sum.peak_day);
            break;
        case OUT_MAINTENANCE:
            y[o] = interval;
            break;
        default:
            y[o] = delivered;
            break;
        }
    return MN_OK;
}

/* A constant's unit, from its name's suffix (healing.h: units in names). */
static const char *constant_unit(const char *name)
{
    static const struct {
        const char *suffix, *unit;
    } units[] = {{"_per_decade", "per decade"}, {"_d", "days"}, {"_y", "years"}, {"_um", "um"}};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        size_t m = strlen(units[i].suffix);
        if (n > m && !strcmp(name + n - m, units[i].suffix))
            return units[i].unit;
    }
    return "1";
}

void mn_sens_result_release(mn_sens_result *r)
{
    if (!r)
        return;
    mn_sobol_result_release(&r->sobol);
    mn_morris_result_release(&r->morris);
    memset(r, 0, sizeof *r);
}

mn_status mn_sens_run(mn_ctx *ctx, const mn_sens_spec *spec, int threads, mn_sens_result *out)
{
    return mn_sens_run_until(ctx, spec, threads, NULL, NULL, out);
}

mn_status mn_sens_run_until(mn_ctx *ctx, const mn_sens_spec *spec, int threads, mn_stop_fn stop,
                            void *userdata, mn_sens_result *out)
{
    if (!out)
        return mn__error(ctx, MN_EINVAL, "sensitivity: NULL result");
    memset(out, 0, sizeof *out);
    if (!spec || threads < 0)
        return mn__error(ctx, MN_EINVAL, "sensitivity: NULL SPEC or negative thread count");
    out->n_inputs = spec->n_inputs;
    out->n_outputs = spec->n_outputs;
    out->seed = spec->sobol.seed;
    for (int i = 0; i < spec->n_inputs; i++) {
        snprintf(out->input_names[i], MN_SENS_NAME_LEN, "%s", input_name(spec, i));
        snprintf(out->input_units[i], MN_SENS_NAME_LEN, "%s",
                 spec->input[i] == IN_CONSTANT ? constant_unit(input_name(spec, i))
                                               : INPUTS[spec->input[i]].unit);
        out->dists[i] = spec->dists[i];
        out->dists[i].values = NULL; /* the result does not keep the sample */
        out->input_from_posterior[i] = spec->from[i];
        out->n_from_posterior += spec->from[i] != FROM_DIST;
    }
    if (spec->post) {
        const mn_posterior_provenance *pv = mn_posterior_provenance_of(spec->post);
        snprintf(out->posterior_file, sizeof out->posterior_file, "%s", spec->post_file);
        snprintf(out->posterior_source, sizeof out->posterior_source, "%s", pv->source_name);
        snprintf(out->posterior_date, sizeof out->posterior_date, "%s", pv->date ? pv->date : "");
        out->posterior_draws = mn_posterior_draw_count(spec->post);
        out->posterior_params = mn_posterior_param_count(spec->post);
    }
    for (int o = 0; o < spec->n_outputs; o++) {
        snprintf(out->output_names[o], MN_SENS_NAME_LEN, "%s", OUTPUTS[spec->output[o]].name);
        snprintf(out->output_units[o], MN_SENS_NAME_LEN, "%s", OUTPUTS[spec->output[o]].unit);
    }
    mn_sens_problem p = {spec->n_inputs, spec->dists, spec->n_outputs, evaluate, spec};
    mn_sobol_options so = spec->sobol;
    so.threads = threads;
    so.stop = stop;
    so.stop_userdata = userdata;
    mn_status st = mn_sobol_run(ctx, &p, &so, &out->sobol);
    if (!st && spec->has_morris) {
        mn_morris_options mo = spec->morris;
        mo.threads = threads;
        mo.stop = stop;
        mo.stop_userdata = userdata;
        st = mn_morris_run(ctx, &p, &mo, &out->morris);
        out->has_morris = st == MN_OK;
    }
    if (st)
        mn_sens_result_release(out);
    return st;
}
