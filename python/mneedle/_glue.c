/* The Python package's calls (see _glue.h). Each mirrors its command in cli/ step for step,
 * without the files, figures and terminal the command adds; python/tests/test_identity.py checks
 * the output against the command's on every bundled example. */
#include "_glue.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mnpy_buf_write(void *userdata, const char *buf, size_t len)
{
    mnpy_buf *b = userdata;
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + len + 1)
            cap *= 2;
        char *p = realloc(b->data, cap);
        if (!p)
            return 1;
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, buf, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

void mnpy_buf_free(mnpy_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

mn_status mnpy_screen(mn_ctx *ctx, const char *src, const char *text, size_t len, mnpy_buf *out)
{
    mn_client client;
    mn_screening s;
    mn_status st = mn_client_parse(ctx, src, text, len, &client);
    /* As the command: without history.date, the answers are today's. */
    if (!st && !(st = mn_date_today(ctx, &client.screen_date))) {
        client.has_screen_date = 1;
        if (!client.has_history_date) {
            client.history_date = client.screen_date;
            client.has_history_date = 1;
        }
    }
    if (!st)
        st = mn_screen(ctx, &client, &s);
    if (!st)
        st = mn_screening_write(ctx, &client, &s, 1, mnpy_buf_write, out);
    return st;
}

mn_status mnpy_plan(mn_ctx *ctx, const char *src, const char *text, size_t len, int years,
                    const char *start, mnpy_buf *out)
{
    mn_date given = 0;
    int earliest = start && !strcmp(start, "earliest");
    if (start && !earliest && mn_date_parse(start, &given) != MN_OK)
        return MN_EINVAL; /* the package checks the date first and names the argument */
    mn_client client;
    mn_plan *plan = NULL;
    mn_plan_options opts;
    mn_plan_options_init(&opts);
    if (years > 0)
        opts.years = years;
    /* Dated as the command dates it: today, or SOURCE_DATE_EPOCH's day. */
    mn_status st = mn_date_today(ctx, &opts.prepared);
    opts.has_prepared = st == MN_OK;
    if (!st)
        st = mn_client_parse(ctx, src, text, len, &client);
    /* --start: a date replaces the client's clinic.start; "earliest" is the library's. */
    if (!st && start && !earliest)
        client.start = given;
    if (!st && earliest)
        st = mn_plan_earliest_start(ctx, &client, &opts, &client.start);
    if (!st)
        st = mn_plan_build(ctx, &client, &opts, &plan);
    if (!st)
        st = mn_plan_write(ctx, plan, 1, mnpy_buf_write, out);
    mn_plan_free(plan);
    return st;
}

mn_status mnpy_simulate(mn_ctx *ctx, const char *src, const char *text, size_t len, int band,
                        uint64_t seed, const char *integrator, mnpy_buf *out)
{
    mn_healing_options opts;
    mn_healing_options_init(&opts);
    if (integrator && !mn_healing_integrator_parse(integrator, &opts.integrator))
        return MN_EINVAL;
    mn_healing_input *in = malloc(sizeof *in);
    mn_healing_sample *samples = NULL;
    double *lo = NULL, *hi = NULL;
    mn_healing_projection proj;
    memset(&proj, 0, sizeof proj);
    mn_status st = in ? mn_healing_scenario_parse(ctx, src, text, len, in) : MN_ENOMEM;
    if (st)
        goto done;
    const mn_healing_scenario *sc = &in->scenario;
    int n = in->n_report_days;
    samples = malloc(sizeof *samples * (size_t)n);
    lo = malloc(sizeof *lo * (size_t)n);
    hi = malloc(sizeof *hi * (size_t)n);
    if (!samples || !lo || !hi) {
        st = MN_ENOMEM;
        goto done;
    }
    mn_healing_summary summary;
    if ((st = mn_healing_run(ctx, sc, NULL, &opts, in->report_days, n, samples, &summary)))
        goto done;
    if (band > 0 && (st = mn_healing_band(ctx, sc, in->report_days, n, band, seed,
                                          MN_BAND_QUANTILE_LOW, MN_BAND_QUANTILE_HIGH, lo, hi)))
        goto done;
    /* band 0 is no band, as simulate --band 0 (the typical person's values, not the quick
     * band of two people). */
    if ((st = mn_healing_maintenance(ctx, sc, band > 0 ? band : -1, seed, &proj)))
        goto done;
    int have_proj = proj.maintenance_interval_days > 0;
    mn_healing_result res = {
        .scenario = sc,
        .samples = samples,
        .n_samples = n,
        .low_pct = band > 0 ? lo : NULL,
        .high_pct = band > 0 ? hi : NULL,
        .band_draws = band,
        .summary = &summary,
        .maintenance = have_proj ? &proj : NULL,
        .integrator = opts.integrator,
        .warnings = &in->warnings,
    };
    /* What the evidence base says about the scenario: how far it followed patients (past it,
     * durability is an extrapolation), how shallow it needled the concern, how many studies
     * measured it, how the model fared against the studies it was not fitted to, and the
     * largest changes measured. */
    mn_healing_evidence evidence;
    if ((st = mn_healing_result_evidence(ctx, &res, &evidence)))
        goto done;
    st = mn_healing_write(ctx, &res, 1, mnpy_buf_write, out);
done:
    mn_healing_projection_release(&proj);
    free(in);
    free(samples);
    free(lo);
    free(hi);
    return st;
}

mn_status mnpy_absorb(mn_ctx *ctx, const char *src, const char *text, size_t len, int field,
                      mn_stop_fn stop, void *stop_userdata, mnpy_buf *out)
{
    mn_absorb_scenario s;
    mn_absorb_result r;
    mn_absorb_result_init(&r);
    mn_status st = mn_absorb_scenario_parse(ctx, src, text, len, &s);
    if (st)
        return st;
    s.field = field;
    if (!(st = mn_absorb_run_until(ctx, &s, NULL, stop, stop_userdata, &r)))
        st = mn_absorb_write_json(ctx, &s, &r, mnpy_buf_write, out);
    mn_absorb_result_release(&r);
    mn_absorb_scenario_release(&s);
    return st;
}

/* The cohort's stop: its per-patient callback, asked after each patient (a nonzero answer
 * ends the run with MN_ESTOPPED). */
typedef struct {
    mn_stop_fn stop;
    void *userdata;
} cohort_stop;

static int cohort_patient_stop(void *userdata, const mn_cohort_trial *trial,
                               const mn_cohort_patient_result *patient)
{
    const cohort_stop *s = userdata;
    (void)trial;
    (void)patient;
    return s->stop(s->userdata);
}

mn_status mnpy_cohort(mn_ctx *ctx, const char *src, const char *text, size_t len, int threads,
                      long n, int seed_given, uint64_t seed, int trials, mn_stop_fn stop,
                      void *stop_userdata, mnpy_buf *out)
{
    cohort_stop cs = {stop, stop_userdata};
    mn_cohort_trial *trial = malloc(sizeof *trial);
    mn_cohort_result *res = malloc(sizeof *res);
    mn_status st = trial && res ? mn_cohort_trial_parse(ctx, src, text, len, trial) : MN_ENOMEM;
    if (st)
        goto done;
    if (n > 0)
        trial->population.n = n;
    if (seed_given)
        trial->seed = seed;
    mn_cohort_options opts;
    mn_cohort_options_init(&opts);
    opts.threads = threads;
    if (stop) {
        opts.on_patient = cohort_patient_stop;
        opts.patient_userdata = &cs;
    }
    /* trials < 0: the command's default intervals (cli_cohort_finish), so the output is the
     * same as without --trials. */
    mn_cohort_intervals *iv = NULL;
    if (!(st = mn_cohort_run(ctx, trial, &opts, res)) && !(iv = malloc(sizeof *iv)))
        st = MN_ENOMEM;
    if (!st &&
        !(st = mn_cohort_intervals_run(
              ctx, trial, trials < 0 ? mn_cohort_default_trials(trial->population.n) : trials,
              threads, NULL, NULL, iv))) {
        res->intervals = iv;
        st = mn_cohort_write(ctx, trial, res, 1, mnpy_buf_write, out);
    }
    free(iv);
done:
    free(trial);
    free(res);
    return st;
}

mn_status mnpy_sensitivity(mn_ctx *ctx, const char *src, const char *text, size_t len, int threads,
                           const char *spec_dir, mn_stop_fn stop, void *stop_userdata,
                           mnpy_buf *out)
{
    mn_sens_spec *spec = NULL;
    mn_sens_result res;
    memset(&res, 0, sizeof res);
    mn_status st = mn_sens_spec_parse_in(ctx, src, text, len, spec_dir, &spec);
    if (!st)
        st = mn_sens_run_until(ctx, spec, threads, stop, stop_userdata, &res);
    if (!st)
        st = mn_sens_write(ctx, &res, 1, mnpy_buf_write, out);
    mn_sens_result_release(&res);
    mn_sens_spec_free(spec);
    return st;
}

mn_status mnpy_catalog(mn_ctx *ctx, const char *what, mnpy_buf *out)
{
    return mn_report_catalog(ctx, what, 1, mnpy_buf_write, out);
}

/* A number as JSON (null for NaN). */
static void put_num(char *buf, size_t len, double v)
{
    if (v == v)
        snprintf(buf, len, "%.10g", v);
    else
        snprintf(buf, len, "null");
}

/* The library's defaults with the named constants set (each checked). */
static mn_status params_of(mn_ctx *ctx, int n_names, const char *const *names, const double *values,
                           mn_healing_params *out)
{
    mn_healing_params_default(out);
    for (int i = 0; i < n_names; i++) {
        mn_status st = mn_healing_params_set(ctx, out, names[i], values[i]);
        if (st)
            return st;
    }
    return MN_OK;
}

mn_status mnpy_observe(mn_ctx *ctx, const char *src, const char *text, size_t len,
                       const char *endpoint, int timepoint, int n_trials, uint64_t seed,
                       int n_names, const char *const *names, const double *values, mnpy_buf *out)
{
    mn_evidence *ev = NULL;
    mn_status st = mn_evidence_create(ctx, &ev);
    if (st)
        return st;
    if ((st = mn_evidence_parse(ctx, ev, src, text, len))) {
        mn_evidence_free(ev);
        return st;
    }
    const mn_evidence_study *s = mn_evidence_at(ev, 0);
    int e = -1;
    for (int i = 0; i < s->n_endpoints; i++)
        if (!strcmp(s->endpoints[i].id, endpoint))
            e = i;
    mn_evidence_prediction p;
    if (e < 0) {
        mn_evidence_free(ev);
        return MN_ENOTFOUND;
    }
    mn_healing_params hp;
    if ((st = params_of(ctx, n_names, names, values, &hp))) {
        mn_evidence_free(ev);
        return st;
    }
    if ((st = mn_evidence_observe_params(ctx, s, e, timepoint, n_trials, seed, &hp, &p))) {
        mn_evidence_free(ev);
        return st;
    }
    char med[32], lo[32], hi[32], obs[32], json[1024];
    put_num(med, sizeof med, p.median);
    put_num(lo, sizeof lo, p.lo);
    put_num(hi, sizeof hi, p.hi);
    put_num(obs, sizeof obs, p.applies ? p.observed : NAN);
    int n = snprintf(json, sizeof json,
                     "{\"applies\": %s, \"why_not\": %s%s%s, \"n\": %d, \"day\": %d, "
                     "\"n_trials\": %d, \"counted\": %s, \"median\": %s, \"lo\": %s, "
                     "\"hi\": %s, \"observed\": %s}",
                     p.applies ? "true" : "false", p.why_not ? "\"" : "",
                     p.why_not ? p.why_not : "null", p.why_not ? "\"" : "", p.n, p.day, p.n_trials,
                     p.counted ? "true" : "false", med, lo, hi, obs);
    mn_evidence_free(ev);
    return mnpy_buf_write(out, json, (size_t)n) ? MN_ENOMEM : MN_OK;
}

struct mnpy_lik {
    mn_evidence *ev;
    mn_evidence_loglik_options opts;
    int n_names;
    char **names;
};

void mnpy_lik_free(mnpy_lik *L)
{
    if (!L)
        return;
    mn_evidence_free(L->ev);
    for (int i = 0; i < L->n_names; i++)
        free(L->names[i]);
    free(L->names);
    free(L);
}

mn_status mnpy_lik_create(mn_ctx *ctx, int bundled, const char *evidence_dir, int n_texts,
                          const char *const *srcs, const char *const *texts, const size_t *lens,
                          int n_names, const char *const *names, int patients, uint64_t seed,
                          int all_roles, mnpy_lik **out)
{
    *out = NULL;
    mnpy_lik *L = calloc(1, sizeof *L);
    if (!L)
        return MN_ENOMEM;
    mn_status st =
        bundled ? mn_evidence_load(ctx, evidence_dir, &L->ev) : mn_evidence_create(ctx, &L->ev);
    for (int i = 0; !st && i < n_texts; i++)
        st = mn_evidence_parse(ctx, L->ev, srcs[i], texts[i], lens[i]);
    mn_healing_params check;
    mn_healing_params_default(&check);
    L->names = calloc((size_t)(n_names > 0 ? n_names : 1), sizeof *L->names);
    if (!st && !L->names)
        st = MN_ENOMEM;
    for (int i = 0; !st && i < n_names; i++) {
        if (mn_healing_param_find(names[i]) < 0)
            st = mn_healing_params_set(ctx, &check, names[i], 0); /* names the unknown one */
        else if (!(L->names[i] = malloc(strlen(names[i]) + 1)))
            st = MN_ENOMEM;
        else
            memcpy(L->names[i], names[i], strlen(names[i]) + 1);
        L->n_names = i + 1;
    }
    mn_evidence_loglik_options_init(&L->opts);
    if (patients > 0)
        L->opts.patients = patients;
    if (seed)
        L->opts.seed = seed;
    L->opts.all_roles = all_roles;
    if (st) {
        mnpy_lik_free(L);
        return st;
    }
    *out = L;
    return MN_OK;
}

mn_status mnpy_lik_eval(mn_ctx *ctx, const mnpy_lik *L, const double *values, double *loglik)
{
    mn_healing_params hp;
    mn_status st = params_of(ctx, L->n_names, (const char *const *)L->names, values, &hp);
    if (st)
        return st;
    return mn_evidence_loglik(ctx, L->ev, &hp, &L->opts, loglik, NULL, 0, NULL);
}

static int put_str(mnpy_buf *b, const char *key, const char *v)
{
    char tmp[600];
    int n = v ? snprintf(tmp, sizeof tmp, "\"%s\": \"%s\"", key, v)
              : snprintf(tmp, sizeof tmp, "\"%s\": null", key);
    return mnpy_buf_write(b, tmp, (size_t)(n < (int)sizeof tmp ? n : (int)sizeof tmp - 1));
}

mn_status mnpy_lik_terms(mn_ctx *ctx, const mnpy_lik *L, const double *values, mnpy_buf *out)
{
    mn_healing_params hp;
    mn_status st = params_of(ctx, L->n_names, (const char *const *)L->names, values, &hp);
    if (st)
        return st;
    int n = 0;
    double ll;
    if ((st = mn_evidence_loglik(ctx, L->ev, &hp, &L->opts, &ll, NULL, 0, &n)))
        return st;
    mn_evidence_loglik_term *t = calloc((size_t)(n > 0 ? n : 1), sizeof *t);
    if (!t)
        return MN_ENOMEM;
    if ((st = mn_evidence_loglik(ctx, L->ev, &hp, &L->opts, &ll, t, n, &n))) {
        free(t);
        return st;
    }
    int bad = mnpy_buf_write(out, "[", 1);
    for (int i = 0; i < n && !bad; i++) {
        char a[32], b[32], c[32], d[32], tmp[256];
        put_num(a, sizeof a, t[i].applies ? t[i].loglik : NAN);
        put_num(b, sizeof b, t[i].predicted);
        put_num(c, sizeof c, t[i].spread);
        put_num(d, sizeof d, t[i].observed);
        bad |= mnpy_buf_write(out, i ? ", {" : "{", i ? 3 : 1);
        bad |= put_str(out, "study", t[i].study->id);
        bad |= mnpy_buf_write(out, ", ", 2);
        bad |= put_str(out, "endpoint", t[i].study->endpoints[t[i].endpoint].id);
        bad |= mnpy_buf_write(out, ", ", 2);
        bad |= put_str(out, "why_not", t[i].why_not);
        int k = snprintf(tmp, sizeof tmp,
                         ", \"timepoint\": %d, \"applies\": %s, \"n\": %d, \"day\": %d, "
                         "\"counted\": %s, \"loglik\": %s, \"predicted\": %s, \"spread\": "
                         "%s, \"observed\": %s}",
                         t[i].timepoint, t[i].applies ? "true" : "false", t[i].n, t[i].day,
                         t[i].counted ? "true" : "false", a, b, c, d);
        bad |= mnpy_buf_write(out, tmp, (size_t)k);
    }
    bad |= mnpy_buf_write(out, "]", 1);
    free(t);
    return bad ? MN_ENOMEM : MN_OK;
}

mn_status mnpy_evidence(mn_ctx *ctx, const char *evidence_dir, mnpy_buf *out)
{
    mn_evidence *ev = NULL;
    mn_status st = mn_evidence_load(ctx, evidence_dir, &ev);
    if (!st)
        st = mn_evidence_write(ctx, ev, 1, mnpy_buf_write, out);
    mn_evidence_free(ev);
    return st;
}

mn_status mnpy_validate(mn_ctx *ctx, const char *evidence_dir, const char *posterior_file,
                        mnpy_buf *out)
{
    mn_evidence *ev = NULL;
    mn_posterior *post = NULL;
    mn_validation v;
    memset(&v, 0, sizeof v);
    mn_status st = mn_evidence_load(ctx, evidence_dir, &ev);
    if (!st && posterior_file)
        st = mn_posterior_load(ctx, posterior_file, &post);
    if (!st)
        st =
            mn_evidence_validate_posterior(ctx, ev, post, MN_VALIDATE_TRIALS, MN_VALIDATE_SEED, &v);
    v.posterior_file = posterior_file;
    if (!st)
        st = mn_validation_write(ctx, ev, &v, 1, mnpy_buf_write, out);
    mn_validation_release(&v);
    mn_posterior_free(post);
    mn_evidence_free(ev);
    return st;
}
