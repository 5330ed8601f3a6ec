/*
 * The per-patient model of a virtual trial: who the patient is, how he/she varies, the
 * protocol run through the healing model `simulate` uses, and post-inflammatory
 * hyperpigmentation (PIH). docs/models/cohort.md gives the reasoning; the draws of patient i
 * all come from stream i of the trial's seed, in a fixed order:
 *     5 draws   demographics (mn_cohort_patient_sample)
 *    18 draws   healing variability (mn_healing_variability_sample: response gain,
 *               effective-depth fraction, closure, ageing rate, inflammation, remodelling,
 *               retention, epidermal gain, severity; spreads and sources in healing.h)
 *     2 draws   PIH susceptibility (one normal)
 *     1 draw    per session: PIH after that session or not
 *     1 draw    per visit after the first, only when the trial's dropout_per_visit is above
 *               0: the patient leaves before that visit or not (visits: the session and
 *               endpoint days, one per day; drawn last, so dropout changes no other draw)
 * The model's uncertain constants come from no draw of that stream: with the trial's
 * "constants" at "evidence-fit" (the default) patient i takes the bundled posterior's row for
 * person i of the trial's seed (mn__healing_param_draw(), src/healing/draws.c: the rule the
 * bands of simulate and plan use, so the first patients take distinct rows); at "defaults"
 * every patient takes the library's defaults.
 *
 * PIH: the per-session probability is the healing model's PIH law
 * (mn__healing_pih_probability(), src/healing/pih.c, with its evidence and assumptions), at
 * the trial's session settings, for the patient's phototype, sun, inflammation multiplier and
 * a log-normal susceptibility drawn per patient.
 */
#include <assert.h>
#include <math.h>
#include <string.h>

#include "cohort/cohort_internal.h"

/* The per-session PIH probability for a patient (src/healing/pih.c). */
static double pih_probability(const mn_cohort_trial *t, const mn_patient *p,
                              const mn_healing_variability *v, double susceptibility)
{
    mn_healing_session s = {0, t->device, t->needle_mm, t->passes, 0};
    return mn__healing_pih_probability(&s, t->zone, p, v->inflammation_scale, susceptibility);
}

/* Scratch per thread: the grid samples and three value columns. */
typedef struct {
    mn_healing_sample *samples;
    double *improvement, *collagen, *epidermis;
} healing_scratch;

static void scratch_layout(const mn__cohort_plan *plan, void *scratch, healing_scratch *s)
{
    assert(scratch != NULL && plan->n_grid > 0);
    unsigned char *p = scratch;
    s->samples = (mn_healing_sample *)(void *)p;
    p += sizeof(mn_healing_sample) * (size_t)plan->n_grid;
    s->improvement = (double *)(void *)p;
    s->collagen = s->improvement + plan->n_grid;
    s->epidermis = s->collagen + plan->n_grid;
}

mn_status mn__cohort_patient_with(const mn__cohort_plan *plan, long index, uint64_t stream,
                                  const mn__healing_params *given, void *scratch,
                                  mn_cohort_patient_result *res, mn_cohort_outcome *outcomes,
                                  int pih_day_band[2])
{
    const mn_cohort_trial *t = plan->trial;
    healing_scratch s;
    mn_rng rng;
    scratch_layout(plan, scratch, &s);
    mn_rng_init(&rng, t->seed, stream);
    memset(res, 0, sizeof *res);
    res->index = index;
    mn_cohort_patient_sample(&t->population, &rng, &res->patient);
    mn_healing_variability_sample(&rng, &res->variability);
    double z = mn_rng_normal(&rng);
    double sd = MN__PIH_SUSCEPT_SD_LOG;
    double susceptibility = exp(sd * z - 0.5 * sd * sd);
    res->pih_probability_per_session =
        pih_probability(t, &res->patient, &res->variability, susceptibility);
    res->pih_day = -1;
    /* The law's band (MN_PIH_BAND_FACTOR): the same probability divided and multiplied by the
     * factor, through the susceptibility as mn_healing_pih_risk() takes it (the cap stays),
     * decided by the same uniform draws, so PIH at the low end implies PIH as stated and that
     * PIH at the high end. */
    double band_p[2] = {0, 0};
    if (pih_day_band) {
        band_p[0] = pih_probability(t, &res->patient, &res->variability,
                                    susceptibility / MN_PIH_BAND_FACTOR);
        band_p[1] = pih_probability(t, &res->patient, &res->variability,
                                    susceptibility * MN_PIH_BAND_FACTOR);
        pih_day_band[0] = pih_day_band[1] = -1;
    }
    for (int k = 0; k < t->n_sessions; k++) {
        double u = mn_rng_uniform(&rng); /* drawn for every session: a fixed draw count */
        if (res->pih_day < 0 && u < res->pih_probability_per_session)
            res->pih_day = t->sessions[k].day;
        for (int b = 0; pih_day_band && b < 2; b++)
            if (pih_day_band[b] < 0 && u < band_p[b])
                pih_day_band[b] = t->sessions[k].day;
    }

    /* Dropout: before each visit after the first, a patient still in the trial leaves with
     * probability dropout_per_visit, and misses that visit and every later one. */
    if (t->dropout_per_visit > 0) {
        int prev = -1, is = 0, ie = 0, first = 1;
        while (!res->dropped_out && (is < t->n_sessions || ie < t->n_endpoints)) {
            int ds = is < t->n_sessions ? t->sessions[is].day : MN_HEALING_MAX_DAYS + 1;
            int de = ie < t->n_endpoints ? t->endpoint_days[ie] : MN_HEALING_MAX_DAYS + 1;
            int day = ds < de ? ds : de;
            is += ds == day;
            ie += de == day;
            if (day == prev)
                continue;
            prev = day;
            if (first) {
                first = 0;
                continue;
            }
            if (mn_rng_uniform(&rng) < t->dropout_per_visit) {
                res->dropped_out = 1;
                res->dropout_day = day;
            }
        }
    }

    mn_healing_scenario sc;
    mn_healing_options ho;
    mn_healing_options_init(&ho);
    ho.integrator = MN_HEALING_EXACT; /* allocation-free and re-entrant */
    ho.search_limit_days = 0;
    sc.patient = res->patient;
    sc.zone = t->zone;
    sc.concern = t->concern;
    sc.sessions = t->sessions;
    sc.n_sessions = t->n_sessions;
    sc.horizon_days = t->horizon_days;
    mn__healing_params par;
    mn_status st = MN_OK;
    if (given)
        par = *given;
    else if (t->constants == MN_COHORT_CONSTANTS_DEFAULTS)
        mn__healing_params_default(&par);
    else
        st = mn__healing_param_draw(NULL, t->seed, (uint64_t)index, &par);
    if (st || (st = mn__healing_run_params(NULL, &par, &sc, &res->variability, &ho, plan->grid_days,
                                           plan->n_grid, s.samples, NULL)))
        return st;
    for (int g = 0; g < plan->n_grid; g++) {
        const mn_healing_sample *h = &s.samples[g];
        if (!mn__finite(h->improvement_pct) || !mn__finite(h->collagen_change_pct) ||
            !mn__finite(h->epidermis_change_pct))
            return MN_ENUMERIC;
        s.improvement[g] = h->improvement_pct;
        s.collagen[g] = h->collagen_change_pct;
        s.epidermis[g] = h->epidermis_change_pct;
    }
    mn__cohort_finish_patient(plan, s.improvement, s.collagen, s.epidermis, res, outcomes);
    /* The untreated arm is the model's untreated twin of the same patient, computed in the
     * same run (healing/model.c): ageing, sun and smoking, no session. */
    for (int e = 0; e < t->n_endpoints; e++) {
        double u = s.samples[plan->endpoint_index[e]].untreated_improvement_pct;
        if (!mn__finite(u))
            return MN_ENUMERIC;
        outcomes[e].untreated_improvement_pct = u;
    }
    return MN_OK;
}

static mn_status healing_patient(const mn__cohort_plan *plan, long index, void *scratch,
                                 mn_cohort_patient_result *res, mn_cohort_outcome *outcomes)
{
    return mn__cohort_patient_with(plan, index, (uint64_t)index, NULL, scratch, res, outcomes,
                                   NULL);
}

const mn__cohort_model mn__cohort_healing_model = {
    healing_patient, sizeof(mn_healing_sample) + 3 * sizeof(double), "healing"};

mn_status mn_cohort_run(mn_ctx *ctx, const mn_cohort_trial *trial, const mn_cohort_options *opts,
                        mn_cohort_result *out)
{
    if (!trial || !out)
        return mn__error(ctx, MN_EINVAL, "mn_cohort_run: NULL trial or result");
    if (!trial->zone || !trial->concern || !trial->device)
        return mn__error(ctx, MN_EINVAL,
                         "mn_cohort_run: the trial has no zone, concern or "
                         "device; load it with mn_cohort_trial_load()");
    return mn__cohort_engine(ctx, trial, opts, &mn__cohort_healing_model, out);
}
