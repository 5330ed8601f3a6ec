/*
 * Fuzz target: a study file of the evidence base (docs/evidence.md), added to an empty set, then
 * the set written as JSON and text as `mneedle evidence` does.
 * Properties: a refused file gives an input-error status, a message naming the file, and leaves
 * the set empty; an accepted one is in the set once, its endpoints name arms that exist, every
 * time point has a value, counts stay within n, and writing it succeeds with no "nan"/"inf".
 */
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "mneedle/evidence.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mn_ctx *ctx = fuzz_ctx();
    mn_ctx_clear_error(ctx);
    mn_evidence *ev = NULL;
    if (mn_evidence_create(ctx, &ev))
        abort();
    mn_status st = mn_evidence_parse(ctx, ev, "fuzz.json", (const char *)data, size);
    if (st) {
        fuzz_check(mn_status_is_input_error(st) || st == MN_ENOMEM);
        fuzz_check(strncmp(mn_ctx_errmsg(ctx), "fuzz.json", 9) == 0);
        fuzz_check(mn_evidence_count(ev) == 0);
        mn_evidence_free(ev);
        return 0;
    }
    fuzz_check(mn_evidence_count(ev) == 1);
    const mn_evidence_study *s = mn_evidence_at(ev, 0);
    fuzz_check(mn_evidence_find(ev, s->id) == s);
    fuzz_check(s->n_arms >= 1 && s->n_endpoints >= 1);
    for (int e = 0; e < s->n_endpoints; e++) {
        const mn_evidence_endpoint *p = &s->endpoints[e];
        fuzz_check(p->arm >= 0 && p->arm < s->n_arms);
        fuzz_check(p->vs_arm < s->n_arms && p->vs_arm != p->arm);
        fuzz_check(p->family >= 0 && p->family < MN_EVIDENCE_FAMILY_COUNT);
        for (int k = 0; k < p->n_timepoints; k++) {
            const mn_evidence_timepoint *t = &p->timepoints[k];
            fuzz_check((t->have & ~(unsigned)(MN_EVIDENCE_HAVE_N | MN_EVIDENCE_HAVE_P)) != 0);
            fuzz_check(!(t->have & MN_EVIDENCE_HAVE_COUNT) ||
                       ((t->have & MN_EVIDENCE_HAVE_N) && t->count <= t->n));
            fuzz_check(!(t->have & MN_EVIDENCE_HAVE_SD) || t->sd >= 0);
            fuzz_check(t->time == MN_EVIDENCE_TIME_NONE || t->time == MN_EVIDENCE_TIME_UNKNOWN ||
                       isfinite(t->time_value));
            fuzz_check(!(t->have & (MN_EVIDENCE_HAVE_COUNTS | MN_EVIDENCE_HAVE_PCTS)) ||
                       t->n_cat_values == p->n_categories);
        }
    }
    fuzz_sink out = {0, 0, 0, 0};
    fuzz_check(mn_evidence_write(ctx, ev, 1, fuzz_sink_write, &out) == MN_OK);
    fuzz_check(mn_evidence_write(ctx, ev, 0, fuzz_sink_write, &out) == MN_OK);
    fuzz_check(!out.nan_seen || fuzz_input_says_nan(data, size));
    mn_evidence_free(ev);
    return 0;
}
