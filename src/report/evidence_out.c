/* The evidence base as a text table or JSON (`mneedle evidence`). */
#include <string.h>

#include "core/json_out.h"
#include "mneedle/evidence.h"
#include "mneedle/report.h"

/* Studies per family and role: counts[family][role]. */
static void tally(const mn_evidence *ev, int counts[MN_EVIDENCE_FAMILY_COUNT][2], int *roles,
                  int *user)
{
    memset(counts, 0, sizeof(int) * MN_EVIDENCE_FAMILY_COUNT * 2);
    roles[0] = roles[1] = *user = 0;
    for (size_t i = 0; i < mn_evidence_count(ev); i++) {
        const mn_evidence_study *s = mn_evidence_at(ev, i);
        roles[s->role]++;
        *user += s->user;
        int seen[MN_EVIDENCE_FAMILY_COUNT] = {0};
        for (int e = 0; e < s->n_endpoints; e++)
            seen[s->endpoints[e].family] = 1;
        for (int f = 0; f < MN_EVIDENCE_FAMILY_COUNT; f++)
            counts[f][s->role] += seen[f];
    }
}

static json_t *evidence_json(const mn_evidence *ev, mn__jout *j)
{
    int counts[MN_EVIDENCE_FAMILY_COUNT][2], roles[2], user;
    tally(ev, counts, roles, &user);
    json_t *root = json_object();
    mn__jput_str(j, root, "version", mn_version());
    json_t *c = mn__jput(j, root, "counts", json_object());
    mn__jput_int(j, c, "studies", (long long)mn_evidence_count(ev));
    mn__jput_int(j, c, "calibration", roles[MN_EVIDENCE_CALIBRATION]);
    mn__jput_int(j, c, "validation", roles[MN_EVIDENCE_VALIDATION]);
    mn__jput_int(j, c, "user", user);
    json_t *fams = mn__jput(j, c, "families", json_object());
    for (int f = 0; f < MN_EVIDENCE_FAMILY_COUNT; f++) {
        json_t *o = mn__jput(j, fams, mn_evidence_family_name(f), json_object());
        mn__jput_int(j, o, "calibration", counts[f][MN_EVIDENCE_CALIBRATION]);
        mn__jput_int(j, o, "validation", counts[f][MN_EVIDENCE_VALIDATION]);
    }
    json_t *list = mn__jput(j, root, "studies", json_array());
    for (size_t i = 0; i < mn_evidence_count(ev); i++) {
        const mn_evidence_study *s = mn_evidence_at(ev, i);
        json_t *o = mn__jpush(j, list, json_object());
        mn__jput_str(j, o, "id", s->id);
        mn__jput_str(j, o, "role", mn_evidence_role_name(s->role));
        mn__jput_str(j, o, "design", s->design);
        if (s->population.n > 0)
            mn__jput_int(j, o, "n", s->population.n);
        mn__jput_str(j, o, "concern", s->concern);
        mn__jput_str(j, o, "verified", s->verified);
        mn__jput_int(j, o, "unverified", s->n_unverified);
        mn__jput_str(j, o, "citation", s->citation);
        if (s->doi)
            mn__jput_str(j, o, "doi", s->doi);
        if (s->pmid)
            mn__jput_str(j, o, "pmid", s->pmid);
        if (s->url)
            mn__jput_str(j, o, "url", s->url);
        mn__jput_str(j, o, "source", s->source);
        mn__jput_bool(j, o, "user", s->user);
        json_t *fl = mn__jput(j, o, "families", json_array());
        int seen[MN_EVIDENCE_FAMILY_COUNT] = {0};
        for (int e = 0; e < s->n_endpoints; e++)
            seen[s->endpoints[e].family] = 1;
        for (int f = 0; f < MN_EVIDENCE_FAMILY_COUNT; f++)
            if (seen[f])
                mn__jpush(j, fl, json_string(mn_evidence_family_name(f)));
        json_t *el = mn__jput(j, o, "endpoints", json_array());
        for (int e = 0; e < s->n_endpoints; e++) {
            const mn_evidence_endpoint *p = &s->endpoints[e];
            json_t *eo = mn__jpush(j, el, json_object());
            mn__jput_str(j, eo, "id", p->id);
            mn__jput_str(j, eo, "family", mn_evidence_family_name(p->family));
            mn__jput_str(j, eo, "scale", p->scale);
            mn__jput_str(j, eo, "arm", s->arms[p->arm].id);
            if (p->vs_arm >= 0)
                mn__jput_str(j, eo, "vs_arm", s->arms[p->vs_arm].id);
            mn__jput_str(j, eo, "quantity", mn_evidence_quantity_name(p->quantity));
            mn__jput_str(j, eo, "unit", p->unit);
            mn__jput_int(j, eo, "timepoints", p->n_timepoints);
        }
    }
    if (!root)
        j->status = MN_ENOMEM;
    return root;
}

static void evidence_text(const mn_evidence *ev, mn__buf *b)
{
    int counts[MN_EVIDENCE_FAMILY_COUNT][2], roles[2], user;
    tally(ev, counts, roles, &user);
    mn__buf_printf(b, "Evidence base: %zu studies, %d calibration and %d validation",
                   mn_evidence_count(ev), roles[MN_EVIDENCE_CALIBRATION],
                   roles[MN_EVIDENCE_VALIDATION]);
    if (user)
        mn__buf_printf(b, " (%d from --evidence, marked *)", user);
    mn__buf_printf(b, ".\n\n%-28s %-11s %-14s %6s  %-20s %-13s %s\n", "STUDY", "ROLE", "DESIGN",
                   "N", "CONCERN", "VERIFIED", "ENDPOINTS");
    for (size_t i = 0; i < mn_evidence_count(ev); i++) {
        const mn_evidence_study *s = mn_evidence_at(ev, i);
        char n[16] = "?";
        if (s->population.n > 0)
            snprintf(n, sizeof n, "%d", s->population.n);
        char name[80];
        snprintf(name, sizeof name, "%s%s", s->id, s->user ? "*" : "");
        mn__buf_printf(b, "%-28s %-11s %-14s %6s  %-20s %-13s ", name,
                       mn_evidence_role_name(s->role), s->design, n, s->concern, s->verified);
        int per[MN_EVIDENCE_FAMILY_COUNT] = {0}, first = 1;
        for (int e = 0; e < s->n_endpoints; e++)
            per[s->endpoints[e].family]++;
        for (int f = 0; f < MN_EVIDENCE_FAMILY_COUNT; f++)
            if (per[f]) {
                mn__buf_printf(b, "%s%s %d", first ? "" : ", ", mn_evidence_family_name(f), per[f]);
                first = 0;
            }
        mn__buf_printf(b, "\n");
    }
    mn__buf_printf(b, "\nStudies per endpoint family (calibration / validation):\n");
    for (int f = 0; f < MN_EVIDENCE_FAMILY_COUNT; f++)
        mn__buf_printf(b, "  %-18s %3d / %d\n", mn_evidence_family_name(f),
                       counts[f][MN_EVIDENCE_CALIBRATION], counts[f][MN_EVIDENCE_VALIDATION]);
    mn__buf_printf(b, "\nValues are recorded as published, with the spread published; each file "
                      "lists what could not be\nverified. Validation studies are never fitted to. "
                      "Format and split: docs/evidence.md.\n");
}

mn_status mn_evidence_write(mn_ctx *ctx, const mn_evidence *ev, int json, mn_writer write,
                            void *userdata)
{
    if (!ev || !write)
        return mn__error(ctx, MN_EINVAL, "mn_evidence_write: NULL argument");
    if (json) {
        mn__jout j;
        mn__jout_init(&j);
        json_t *root = evidence_json(ev, &j);
        return mn__json_finish(ctx, &j, root, "evidence", write, userdata);
    }
    mn__buf b;
    mn__buf_init(&b);
    evidence_text(ev, &b);
    return mn__buf_finish(ctx, &b, "evidence", write, userdata);
}
