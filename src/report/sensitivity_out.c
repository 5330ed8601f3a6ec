/* Writers of `mneedle sensitivity`: text, JSON and CSV of a SPEC's Sobol' indices and Morris
 * effects (report.h). */
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "core/json_out.h"
#include "mneedle/report.h"

static const char *dist_name(mn_sens_dist_kind k)
{
    switch (k) {
    case MN_SENS_UNIFORM:
        return "uniform";
    case MN_SENS_NORMAL:
        return "normal";
    case MN_SENS_LOGNORMAL:
        return "lognormal";
    case MN_SENS_TRIANGULAR:
        return "triangular";
    case MN_SENS_EMPIRICAL:
        return "empirical";
    }
    return "?";
}

/* The parameters in the SPEC's order: [low, high], [mean, sd], [median, sd_log],
 * [low, mode, high]; an empirical sample's [lowest, median, highest]. */
static int dist_params(const mn_sens_dist *d, double p[3])
{
    p[0] = d->a;
    p[1] = d->b;
    if (d->kind == MN_SENS_TRIANGULAR || d->kind == MN_SENS_EMPIRICAL) {
        p[1] = d->c;
        p[2] = d->b;
        return 3;
    }
    return 2;
}

static json_t *pair(mn__jout *j, double lo, double hi)
{
    json_t *a = json_array();
    if (a) {
        mn__jpush(j, a, mn__jnum_new(j, lo));
        mn__jpush(j, a, mn__jnum_new(j, hi));
    }
    return a;
}

/* What the inputs drawn from the posterior keep of its dependence, in one sentence. */
static const char *dependence_note(const mn_sens_result *r)
{
    int marginal = 0, grouped = 0;
    for (int i = 0; i < r->n_inputs; i++) {
        marginal += r->input_from_posterior[i] == 1;
        grouped += r->input_from_posterior[i] == 2;
    }
    if (grouped && !marginal)
        return "whole draws (the input 'posterior'): the constants vary together, their "
               "correlations kept, and the index is the posterior's as a group";
    if (marginal > 1)
        return "each constant from its marginal, independently of the others: the posterior's "
               "correlations between them are not kept";
    return "one constant from its marginal, independently of the other inputs";
}

/* When the run is too small to read [judgement, docs/sensitivity.md, Warnings]: an index is a
 * share of variance, so it lies in [0, 1], and indices are read to about 0.05 (which input
 * ranks first, which hardly matters); an interval past [0, 1] by more than MN_SENS_CI_MARGIN
 * says the index's sampling noise is larger than that. An output with MN_SENS_BOUND_SHARE or
 * more of its evaluations tied at its lowest or highest value is held at a bound (clipped or
 * censored): its indices describe only where it leaves the bound and converge slowly. */
#define MN_SENS_CI_MARGIN   0.05
#define MN_SENS_BOUND_SHARE 0.10

/* Whether index @p x's first-order (@p total 0) or total interval leaves [0, 1] by more than
 * the margin. */
static int ci_outside(const mn_sobol_index *x, int total)
{
    double lo = total ? x->total_lo : x->first_order_lo;
    double hi = total ? x->total_hi : x->first_order_hi;
    return lo < -MN_SENS_CI_MARGIN || hi > 1 + MN_SENS_CI_MARGIN;
}

/* Whether output @p o varies and enough of its evaluations sit at one bound. */
static int at_bound(const mn_sobol_result *s, int o)
{
    return s->variance[o] > 0 && s->bound_share && s->bound_share[o] >= MN_SENS_BOUND_SHARE;
}

/* The advice after a warning on an interval, and on an output at a bound. */
#define CI_ADVICE                                                                                  \
    "not known to the precision printed; run a larger n (the intervals narrow about as "           \
    "1/sqrt(N): 4 N halves them)"
#define BOUND_ADVICE                                                                               \
    "the output is held at a bound there (clipped or censored), so its variance and indices "      \
    "describe only where it leaves the bound and converge slowly: check them at a larger n, or "   \
    "narrow the inputs so fewer runs reach the bound"

/* JSON's warnings[]: one per index whose interval leaves [0, 1], one per output at a bound. */
static void put_warnings(mn__jout *j, json_t *root, const mn_sens_result *r)
{
    const mn_sobol_result *s = &r->sobol;
    json_t *arr = mn__jput(j, root, "warnings", json_array());
    char path[96], msg[640];
    for (int o = 0; arr && o < r->n_outputs; o++) {
        if (!(s->variance[o] > 0))
            continue;
        for (int i = 0; i < r->n_inputs; i++)
            for (int t = 0; t < 2; t++) {
                const mn_sobol_index *x = &s->index[o * r->n_inputs + i];
                if (!ci_outside(x, t))
                    continue;
                double lo = t ? x->total_lo : x->first_order_lo;
                double hi = t ? x->total_hi : x->first_order_hi;
                json_t *w = mn__jpush(j, arr, json_object());
                if (!w)
                    return;
                snprintf(path, sizeof path, "$.outputs[%d].inputs[%d].%s", o, i,
                         t ? "total_ci" : "first_order_ci");
                snprintf(msg, sizeof msg,
                         "%s: with N = %ld the %g %% interval of %s of %s, [%.3f, %.3f], leaves "
                         "[0, 1] by more than %g, so it is " CI_ADVICE,
                         r->output_names[o], s->n_base, 100 * s->confidence,
                         t ? "the total index ST" : "the first-order index S1", r->input_names[i],
                         lo, hi, MN_SENS_CI_MARGIN);
                mn__jput_str(j, w, "code", "sobol_interval_outside_unit");
                mn__jput_str(j, w, "path", path);
                mn__jput_str(j, w, "message", msg);
                mn__jput_str(j, w, "output", r->output_names[o]);
                mn__jput_str(j, w, "input", r->input_names[i]);
                mn__jput_str(j, w, "index", t ? "total" : "first_order");
                mn__jput(j, w, "interval", pair(j, lo, hi));
                mn__jput_int(j, w, "n", s->n_base);
            }
        if (at_bound(s, o)) {
            json_t *w = mn__jpush(j, arr, json_object());
            if (!w)
                return;
            snprintf(path, sizeof path, "$.outputs[%d]", o);
            snprintf(msg, sizeof msg,
                     "%s: %.0f %% of the %ld evaluations (N = %ld) sit at one value, %.4g, its %s: "
                     "" BOUND_ADVICE,
                     r->output_names[o], 100 * s->bound_share[o], s->evaluations, s->n_base,
                     s->bound_value[o], s->bound_value[o] > s->mean[o] ? "highest" : "lowest");
            mn__jput_str(j, w, "code", "output_at_bound");
            mn__jput_str(j, w, "path", path);
            mn__jput_str(j, w, "message", msg);
            mn__jput_str(j, w, "output", r->output_names[o]);
            mn__jput_num(j, w, "share", s->bound_share[o]);
            mn__jput_num(j, w, "value", s->bound_value[o]);
            mn__jput_int(j, w, "n", s->n_base);
        }
    }
}

/* The text's warnings for output @p o, after the tables (a line of a table starts with two
 * spaces): its indices whose intervals leave [0, 1], in one sentence, and whether it sits at
 * a bound. Returns 1 when it wrote one, so only the first is set off by a blank line. */
static int text_warnings(mn__buf *b, const mn_sens_result *r, int o, int said)
{
    const mn_sobol_result *s = &r->sobol;
    if (!(s->variance[o] > 0))
        return 0;
    int n = 0;
    for (int i = 0; i < r->n_inputs; i++)
        for (int t = 0; t < 2; t++) {
            const mn_sobol_index *x = &s->index[o * r->n_inputs + i];
            if (!ci_outside(x, t))
                continue;
            if (!n++)
                mn__buf_printf(b, "%sWarning: %s: with N = %ld the %g %% intervals of",
                               said ? "" : "\n", r->output_names[o], s->n_base,
                               100 * s->confidence);
            mn__buf_printf(b, "%s %s %s [%.3f, %.3f]", n > 1 ? "," : "", t ? "ST" : "S1",
                           r->input_names[i], t ? x->total_lo : x->first_order_lo,
                           t ? x->total_hi : x->first_order_hi);
        }
    if (n)
        mn__buf_printf(b, "\n  leave [0, 1] by more than %g, so they are " CI_ADVICE ".\n",
                       MN_SENS_CI_MARGIN);
    if (at_bound(s, o))
        mn__buf_printf(b,
                       "%sWarning: %s: %.0f %% of the %ld evaluations (N = %ld) sit at one value, "
                       "%.4g, its %s:\n  " BOUND_ADVICE ".\n",
                       said || n ? "" : "\n", r->output_names[o], 100 * s->bound_share[o],
                       s->evaluations, s->n_base, s->bound_value[o],
                       s->bound_value[o] > s->mean[o] ? "highest" : "lowest");
    return n > 0 || at_bound(s, o);
}

static mn_status write_json(mn_ctx *ctx, const mn_sens_result *r, mn_writer write, void *ud)
{
    const mn_sobol_result *s = &r->sobol;
    mn__jout j;
    mn__jout_init(&j);
    json_t *root = json_object();
    if (!root)
        return mn__error(ctx, MN_ENOMEM, "sensitivity: out of memory");
    mn__jput_str(&j, root, "version", mn_version());
    mn__jput_str(&j, root, "note",
                 "global sensitivity of the model's outputs to the inputs over the ranges "
                 "given: what the model responds to, not evidence about patients");
    json_t *m = mn__jput(&j, root, "method", json_object());
    if (m) {
        mn__jput_str(&j, m, "sampling",
                     "Saltelli: Sobol' sequence (Joe-Kuo new-joe-kuo-6.21201, unscrambled)");
        mn__jput_str(&j, m, "first_order", "Saltelli 2010");
        mn__jput_str(&j, m, "total", "Jansen 1999");
        mn__jput_int(&j, m, "n", s->n_base);
        mn__jput_int(&j, m, "evaluations", s->evaluations);
        mn__jput_int(&j, m, "bootstrap", s->bootstrap);
        mn__jput_num(&j, m, "confidence", s->confidence);
        mn__jput_int(&j, m, "seed", (long long)r->seed);
        if (r->has_morris) {
            json_t *mo = mn__jput(&j, m, "morris", json_object());
            if (mo) {
                mn__jput_int(&j, mo, "trajectories", r->morris.trajectories);
                mn__jput_int(&j, mo, "levels", r->morris.levels);
                mn__jput_int(&j, mo, "evaluations", r->morris.evaluations);
            }
        }
        if (r->n_from_posterior) {
            json_t *po = mn__jput(&j, m, "posterior", json_object());
            if (po) {
                mn__jput_str(&j, po, "file", r->posterior_file);
                mn__jput_str(&j, po, "source", r->posterior_source);
                mn__jput_str(&j, po, "date", r->posterior_date);
                mn__jput_int(&j, po, "draws", r->posterior_draws);
                mn__jput_int(&j, po, "constants", r->posterior_params);
                mn__jput_str(&j, po, "dependence", dependence_note(r));
            }
        }
        mn__jput_str(&j, m, "docs", "docs/sensitivity.md");
    }
    json_t *ins = mn__jput(&j, root, "inputs", json_array());
    for (int i = 0; ins && i < r->n_inputs; i++) {
        json_t *e = mn__jpush(&j, ins, json_object());
        if (!e)
            break;
        mn__jput_str(&j, e, "name", r->input_names[i]);
        mn__jput_str(&j, e, "unit", r->input_units[i]);
        mn__jput_str(&j, e, "distribution", dist_name(r->dists[i].kind));
        double p[3];
        int np = dist_params(&r->dists[i], p);
        json_t *pa = mn__jput(&j, e, "parameters", json_array());
        for (int k = 0; pa && k < np; k++)
            mn__jpush(&j, pa, mn__jnum_new(&j, p[k]));
        if (r->input_from_posterior[i])
            mn__jput_str(&j, e, "from", "posterior");
    }
    json_t *outs = mn__jput(&j, root, "outputs", json_array());
    for (int o = 0; outs && o < r->n_outputs; o++) {
        json_t *e = mn__jpush(&j, outs, json_object());
        if (!e)
            break;
        mn__jput_str(&j, e, "name", r->output_names[o]);
        mn__jput_str(&j, e, "unit", r->output_units[o]);
        mn__jput_num(&j, e, "mean", s->mean[o]);
        mn__jput_num(&j, e, "variance", s->variance[o]);
        json_t *xs = mn__jput(&j, e, "inputs", json_array());
        for (int i = 0; xs && i < r->n_inputs; i++) {
            const mn_sobol_index *x = &s->index[o * r->n_inputs + i];
            json_t *q = mn__jpush(&j, xs, json_object());
            if (!q)
                break;
            mn__jput_str(&j, q, "name", r->input_names[i]);
            mn__jput_num(&j, q, "first_order", x->first_order);
            mn__jput_num(&j, q, "total", x->total);
            mn__jput(&j, q, "first_order_ci", pair(&j, x->first_order_lo, x->first_order_hi));
            mn__jput(&j, q, "total_ci", pair(&j, x->total_lo, x->total_hi));
            if (r->has_morris) {
                const mn_morris_effect *me = &r->morris.effect[o * r->n_inputs + i];
                json_t *mo = mn__jput(&j, q, "morris", json_object());
                if (mo) {
                    mn__jput_num(&j, mo, "mu", me->mu);
                    mn__jput_num(&j, mo, "mu_star", me->mu_star);
                    mn__jput_num(&j, mo, "sigma", me->sigma);
                }
            }
        }
    }
    put_warnings(&j, root, r);
    return mn__json_finish(ctx, &j, root, "sensitivity", write, ud);
}

/* A value that would print as "-0.000" prints as zero. */
static double nz(double x)
{
    return x > -0.0005 && x < 0.0005 ? 0.0 : x;
}

/* The width of the widest index or interval bound of output @p o as "%.3f", at least 6 (a
 * place for the sign before "0.000"): indices lie within about -1..1, but an estimate from few
 * evaluations, or of an output that barely varies, can lie far outside it (below -10, above
 * 100) by sampling noise, and the table's columns must still line up. */
static int index_width(const mn_sens_result *r, int o)
{
    int w = 6;
    for (int i = 0; i < r->n_inputs; i++) {
        const mn_sobol_index *x = &r->sobol.index[o * r->n_inputs + i];
        const double v[] = {x->first_order, x->first_order_lo, x->first_order_hi,
                            x->total,       x->total_lo,       x->total_hi};
        for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
            int n = snprintf(NULL, 0, "%.3f", nz(v[k]));
            if (n > w)
                w = n;
        }
    }
    return w;
}

static mn_status write_text(mn_ctx *ctx, const mn_sens_result *r, mn_writer write, void *ud)
{
    const mn_sobol_result *s = &r->sobol;
    mn__buf b;
    mn__buf_init(&b);
    mn__buf_printf(&b,
                   "SENSITIVITY: Sobol' indices from %ld model evaluations (N = %ld, Saltelli "
                   "sampling; first order Saltelli 2010, total Jansen), %g %% bootstrap "
                   "intervals over %d resamples, seed %llu.\n",
                   s->evaluations, s->n_base, 100 * s->confidence, s->bootstrap,
                   (unsigned long long)r->seed);
    if (r->has_morris)
        mn__buf_printf(&b, "Morris screening: %d trajectories on %d levels (%ld evaluations).\n",
                       r->morris.trajectories, r->morris.levels, r->morris.evaluations);
    mn__buf_printf(&b, "Inputs:");
    for (int i = 0; i < r->n_inputs; i++) {
        double p[3];
        int np = dist_params(&r->dists[i], p);
        mn__buf_printf(&b, "%s %s %s(", i ? "," : "", r->input_names[i],
                       dist_name(r->dists[i].kind));
        for (int k = 0; k < np; k++)
            mn__buf_printf(&b, "%s%.4g", k ? ", " : "", p[k]);
        mn__buf_printf(&b, ")");
    }
    mn__buf_printf(&b, "\n");
    if (r->n_from_posterior) {
        /* The bundled posterior by that name: an installed copy has no file of that path. */
        int bundled = !strcmp(r->posterior_file, MN_SENS_BUNDLED_POSTERIOR);
        mn__buf_printf(&b, "From %s%s (%s, %s, %d draws of %d constants): %s.\n",
                       bundled ? "the bundled posterior" : "the posterior ",
                       bundled ? "" : r->posterior_file, r->posterior_source, r->posterior_date,
                       r->posterior_draws, r->posterior_params, dependence_note(r));
    }
    for (int o = 0; o < r->n_outputs; o++) {
        mn__buf_printf(&b, "\n%s (%s): mean %.4g, variance %.4g%s\n", r->output_names[o],
                       r->output_units[o], s->mean[o], s->variance[o],
                       s->variance[o] > 0 ? "" : " (it does not vary: every index is 0)");
        /* Each number in a field as wide as the table's widest (index_width), which keeps a
         * place for the sign, so the columns line up whether a row has a minus sign or not;
         * a column is its three numbers, their brackets and a space ("%6.3f [%6.3f, %6.3f]":
         * 24 characters for numbers within -9.999..99.999). */
        int w = index_width(r, o), col = 3 * w + 6, name = 22; /* a name up to 39 wide too */
        for (int i = 0; i < r->n_inputs; i++)
            if ((int)strlen(r->input_names[i]) > name)
                name = (int)strlen(r->input_names[i]);
        mn__buf_printf(&b, "  %-*s %*s %*s", name, "input", col, "first order S1 [CI]", col,
                       "total ST [CI]");
        if (r->has_morris)
            mn__buf_printf(&b, " %11s %11s", "Morris mu*", "sigma");
        mn__buf_printf(&b, "\n");
        for (int i = 0; i < r->n_inputs; i++) {
            const mn_sobol_index *x = &s->index[o * r->n_inputs + i];
            /* Every number is exactly w wide, so each column is one space and its 3w+5. */
            mn__buf_printf(&b, "  %-*s  %*.3f [%*.3f, %*.3f]  %*.3f [%*.3f, %*.3f]", name,
                           r->input_names[i], w, nz(x->first_order), w, nz(x->first_order_lo), w,
                           nz(x->first_order_hi), w, nz(x->total), w, nz(x->total_lo), w,
                           nz(x->total_hi));
            if (r->has_morris) {
                const mn_morris_effect *me = &r->morris.effect[o * r->n_inputs + i];
                mn__buf_printf(&b, " %11.4g %11.4g", me->mu_star, me->sigma);
            }
            mn__buf_printf(&b, "\n");
        }
    }
    for (int o = 0, said = 0; o < r->n_outputs; o++)
        said |= text_warnings(&b, r, o, said);
    mn__buf_printf(&b, "\nS1: the share of the output's variance due to the input alone; ST: "
                       "with all its interactions.\nIndices describe the model over the input "
                       "ranges given, not patients (docs/sensitivity.md).\n");
    return mn__buf_finish(ctx, &b, "sensitivity", write, ud);
}

mn_status mn_sens_write(mn_ctx *ctx, const mn_sens_result *res, int json, mn_writer write,
                        void *userdata)
{
    if (!res || !write || !res->sobol.index)
        return mn__error(ctx, MN_EINVAL, "sensitivity: nothing to write");
    return json ? write_json(ctx, res, write, userdata) : write_text(ctx, res, write, userdata);
}

mn_status mn_sens_write_csv(mn_ctx *ctx, const mn_sens_result *r, mn_writer write, void *userdata)
{
    if (!r || !write || !r->sobol.index)
        return mn__error(ctx, MN_EINVAL, "sensitivity: nothing to write");
    mn__buf b;
    mn__buf_init(&b);
    mn__buf_printf(&b, "output,input,first_order,first_order_low,first_order_high,total,"
                       "total_low,total_high,mu,mu_star,sigma\n");
    for (int o = 0; o < r->n_outputs; o++)
        for (int i = 0; i < r->n_inputs; i++) {
            const mn_sobol_index *x = &r->sobol.index[o * r->n_inputs + i];
            mn__buf_printf(&b, "%s,%s,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g", r->output_names[o],
                           r->input_names[i], x->first_order, x->first_order_lo, x->first_order_hi,
                           x->total, x->total_lo, x->total_hi);
            if (r->has_morris) {
                const mn_morris_effect *me = &r->morris.effect[o * r->n_inputs + i];
                mn__buf_printf(&b, ",%.10g,%.10g,%.10g\n", me->mu, me->mu_star, me->sigma);
            } else {
                mn__buf_printf(&b, ",,,\n");
            }
        }
    return mn__buf_finish(ctx, &b, "sensitivity", write, userdata);
}
