/*
 * Validation: the model against the studies it was not fitted to (role `validation`,
 * data/evidence/SPLIT). Every time point of every endpoint goes through its observation model
 * (observe.c); the published value is inside or outside the 90 % interval for a trial of that
 * size. `mneedle validate` prints the rows, and docs/validation.md is that output.
 */
#include <string.h>

#include "core/internal.h"
#include "core/json_in.h"
#include "mneedle/evidence.h"

/* The bundled posterior's files (cmake/embed.cmake, table mn__embedded_posterior), among them
 * the validation summary. */
struct mn__embedded_file {
    const char *name;
    const char *data;
    size_t len;
};
extern const struct mn__embedded_file mn__embedded_posterior[];

#define SUMMARY_FILE "healing-validation.json"
#define SUMMARY_SRC  "(embedded) data/posterior/" SUMMARY_FILE

mn_status mn_evidence_validation_summary(mn_ctx *ctx, mn_validation_summary *out)
{
    if (!out)
        return mn__error(ctx, MN_EINVAL, "evidence: NULL validation summary");
    memset(out, 0, sizeof *out);
    const struct mn__embedded_file *f = mn__embedded_posterior;
    while (f->name && strcmp(f->name, SUMMARY_FILE))
        f++;
    if (!f->name)
        return mn__error(ctx, MN_ENOTFOUND, "no validation summary is bundled with this build");
    json_t *root = NULL;
    mn_status st = mn__json_parse(ctx, SUMMARY_SRC, f->data, f->len, &root);
    if (st)
        return st;
    static const char *const keys[] = {"checked", "inside",           "worse",           "better",
                                       "studies", "efficacy_checked", "efficacy_inside", NULL};
    enum { N_KEYS = sizeof keys / sizeof keys[0] - 1 };
    mn__jin in = {ctx, SUMMARY_SRC};
    long v[N_KEYS] = {0};
    if (!(st = mn__jis_object(&in, root, "$")) && !(st = mn__jkeys(&in, root, "$", keys)))
        for (int k = 0; k < N_KEYS && !st; k++)
            st = mn__jint(&in, root, "$", keys[k], 1, 0, MN_EVIDENCE_MAX_STUDIES * 100L, &v[k],
                          NULL);
    json_decref(root);
    if (st)
        return st;
    if (v[1] + v[2] + v[3] > v[0])
        return mn__error(ctx, MN_ERANGE,
                         "%s: $: inside (%ld) and misses (%ld worse, %ld better) add up to more "
                         "than the %ld checked",
                         SUMMARY_SRC, v[1], v[2], v[3], v[0]);
    if (v[5] > v[0] || v[6] > v[5] || v[6] > v[1] || v[4] > v[0] || (v[0] > 0 && v[4] < 1))
        return mn__error(ctx, MN_ERANGE,
                         "%s: $: the efficacy results (%ld, %ld inside) and studies (%ld) do not "
                         "fit within the %ld checked (%ld inside)",
                         SUMMARY_SRC, v[5], v[6], v[4], v[0], v[1]);
    *out = (mn_validation_summary){(int)v[0], (int)v[1], (int)v[2], (int)v[3],
                                   (int)v[4], (int)v[5], (int)v[6]};
    return MN_OK;
}

void mn_validation_release(mn_validation *v)
{
    if (!v)
        return;
    mn__free(v->rows);
    memset(v, 0, sizeof *v);
}

/* A baseline: measured before the first session, nothing to predict. */
static int baseline(const mn_evidence_timepoint *tp)
{
    return tp->time == MN_EVIDENCE_TIME_FROM_FIRST && tp->time_value <= 0;
}

mn_status mn_evidence_validate(mn_ctx *ctx, const mn_evidence *ev, int n_trials, uint64_t seed,
                               mn_validation *out)
{
    return mn_evidence_validate_posterior(ctx, ev, NULL, n_trials, seed, out);
}

mn_status mn_evidence_validate_posterior(mn_ctx *ctx, const mn_evidence *ev,
                                         const mn_posterior *post, int n_trials, uint64_t seed,
                                         mn_validation *out)
{
    if (!out)
        return mn__error(ctx, MN_EINVAL, "evidence: NULL validation");
    memset(out, 0, sizeof *out);
    if (!ctx || !ev || n_trials < 10 || n_trials > 100000)
        return mn__error(ctx, MN_EINVAL, "evidence: bad validation arguments");
    size_t n = 0;
    for (size_t i = 0; i < mn_evidence_count(ev); i++) {
        const mn_evidence_study *s = mn_evidence_at(ev, i);
        if (s->role != MN_EVIDENCE_VALIDATION)
            continue;
        for (int e = 0; e < s->n_endpoints; e++)
            for (int t = 0; t < s->endpoints[e].n_timepoints; t++)
                n += !baseline(&s->endpoints[e].timepoints[t]);
    }
    out->rows = mn__calloc(n ? n : 1, sizeof *out->rows);
    if (!out->rows)
        return mn__error(ctx, MN_ENOMEM, "evidence: out of memory for the validation");
    out->n_trials = n_trials;
    out->seed = seed;
    mn_status st = MN_OK;
    for (size_t i = 0; i < mn_evidence_count(ev) && !st; i++) {
        const mn_evidence_study *s = mn_evidence_at(ev, i);
        if (s->role != MN_EVIDENCE_VALIDATION)
            continue;
        out->n_studies++;
        for (int e = 0; e < s->n_endpoints && !st; e++)
            for (int t = 0; t < s->endpoints[e].n_timepoints && !st; t++) {
                if (baseline(&s->endpoints[e].timepoints[t]))
                    continue;
                mn_validation_row *r = &out->rows[out->n_rows++];
                r->study = s;
                r->endpoint = e;
                r->timepoint = t;
                /* One seed per study, so adding a study does not move the others' rows. */
                if ((st = mn_evidence_observe_posterior(ctx, s, e, t, n_trials, seed, post,
                                                        &r->pred)))
                    break;
                if (!r->pred.applies)
                    continue;
                out->n_checked++;
                /* A bound ("< 2 days") agrees when the interval reaches its side of it. */
                const mn_evidence_timepoint *tp = &s->endpoints[e].timepoints[t];
                int bound = (tp->have & MN_EVIDENCE_HAVE_VALUE) && !r->pred.counted &&
                            !(tp->have & (MN_EVIDENCE_HAVE_MEAN | MN_EVIDENCE_HAVE_MEDIAN));
                /* A duration published only as a range agrees when the interval meets it. */
                int range = !r->pred.counted && (tp->have & MN_EVIDENCE_HAVE_RANGE) &&
                            !(tp->have & (MN_EVIDENCE_HAVE_MEAN | MN_EVIDENCE_HAVE_MEDIAN |
                                          MN_EVIDENCE_HAVE_VALUE));
                if (range)
                    r->inside = r->pred.lo <= tp->range[1] && r->pred.hi >= tp->range[0];
                else if (bound && tp->bound == MN_EVIDENCE_AT_MOST)
                    r->inside = r->pred.lo <= r->pred.observed;
                else if (bound && tp->bound == MN_EVIDENCE_AT_LEAST)
                    r->inside = r->pred.hi >= r->pred.observed;
                else
                    r->inside = r->pred.observed >= r->pred.lo && r->pred.observed <= r->pred.hi;
                out->n_inside += r->inside;
            }
    }
    if (st)
        mn_validation_release(out);
    return st;
}
