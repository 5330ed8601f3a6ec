/*
 * Writers for absorb results: JSON (DESIGN 4 keys first, then the detail a plotting module
 * needs), a short human explanation, the depth profile over time as CSV, and the 3D volume
 * as a legacy VTK rectilinear grid.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_out.h"
#include "mneedle/report.h"
#include "transport/absorb_internal.h"

static const char *const layer_names[4] = {"stratum_corneum", "viable_epidermis",
                                           "papillary_dermis", "reticular_dermis"};

static json_t *num_array(mn__jout *j, const double *x, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        mn__jpush(j, a, mn__jnum_new(j, x[i]));
    return a;
}

/* Large molecules (the "500 Dalton rule": Bos & Meinardi, Exp Dermatol 2000;9:165) whose
 * simulated enhancement exceeds the 2-22x measured for peptides after needling (DESIGN 3.3):
 * the model's channels are open cylinders with no binding in their walls and no evaporation,
 * so it likely overstates delivery for them (docs/models/transport.md, Limits). */
#define LARGE_MW                500
#define PEPTIDE_MAX_ENHANCEMENT 22

static const char large_caution[] =
    "measured enhancement for peptides (MW >= 500) is 2-22x; the model's open channels have "
    "no binding in their walls, so for large molecules it likely overstates delivery "
    "(docs/models/transport.md, Limits)";

/* Tissue fluid alone is not what the caution is about: it leaves micropores only when drawn
 * out, in the rank order diffusion < capillary action < osmosis < pressure-driven convection,
 * and even with suction a patch yields about a microlitre in 20 min (Samant & Prausnitz, Proc
 * Natl Acad Sci USA 2018;115:4583, abstract): a Peclet number below 1 against the film's
 * diffusion into the channels (docs/models/transport.md, The film). Blood at these depths is
 * neither measured nor modelled. */
static const char bleeding_caution[] =
    "the needle tips reach the dermis, where pinpoint bleeding is expected: the model starts "
    "the channels full of solute-free tissue fluid but does not model the blood that fills "
    "the openings and clots in the first minutes, which may carry solute back out, dilute "
    "the film or plug openings, so its first-hour delivery is an upper estimate (tissue "
    "fluid alone barely leaves micropores unless drawn out by suction)";

/* Whether a product belongs in the channels at all is outside the model: granulomatous and
 * systemic hypersensitivity reactions followed needling with topical products not made for
 * intradermal use, one of them a vitamin C serum proven by patch test (data/references.json,
 * "Soltani-Arabshahi 2014"). Said whenever the skin is punctured. */
static const char safety_caution[] =
    "the simulation says how much of the product goes in, not whether it is safe there: "
    "granulomatous reactions have followed needling with topical products not made for "
    "intradermal use, a vitamin C serum among them (Soltani-Arabshahi 2014)";

/* The 40 % claim's paragraph [judgement, both]: the needled side has used up the dose when
 * it has taken up 90 % of it; intact skin lets a molecule through "so little" below 5 % of
 * the dose by the last report hour. */
#define MN_DOSE_USED_UP       0.9
#define MN_INTACT_SMALL_SHARE 0.05
/* "Far more than 1.4x" only where the band's low end is at least this many times the claim's
 * 1.4 [judgement: the intact-skin kp alone scatters by about 3x either way (F65, F67), so a
 * low end just above 1.4 does not clear the claim; twice it does]. Between 1.4 and this, the
 * paragraph says the band's low end is close to the claim. */
#define MN_CLAIM_WELL_CLEAR 2.0

static int punctured(const mn_absorb_result *r)
{
    return r->params.punctures_per_cm2 > 0;
}

/* Whether the tips' depth band reaches the skin's full thickness at the site, where the device
 * law's band is held (mn_device_depth_range_um). */
static int depth_held(const mn_absorb_params *p)
{
    return p->channel_depth_hi_um > 0 &&
           p->channel_depth_hi_um >= mn_skin_full_thickness_um(&p->layers);
}

/* The caution for a molecule outside the intact regression's fitted range, in @p buf; it
 * names the limit that is passed, and an implausible kp. Above that MW the polar
 * route (Wilschut et al. 1995) is extrapolated too: the code and docs give its data set only
 * as ~100 mostly small solutes (props.c), no MW range that was checked against the paper, so
 * it is named as unverified at this size wherever the lipid route is past its limit
 * [judgement: no larger limit can be claimed for it than the lipid regression's]. */
static int range_caution(const mn_absorb_scenario *s, const mn_absorb_result *r, char *buf,
                         size_t n)
{
    const mn_absorb_params *p = &r->params;
    /* A kp beyond anything the regression gives on its own data (mn_absorb_kp_fitted_max_cm_h:
     * 25.5 cm/h for Potts-Guy) is said to be implausible [DERIVED bound]: MW 30, logP 7 gave
     * 110 cm/h with no comment. */
    double kp_max = mn_absorb_kp_fitted_max_cm_h(s->kp_model);
    int implausible = p->kp_lipid_cm_h > kp_max;
    if (!p->kp_outside_range) /* inside it, kp is at most kp_max */
        return 0;
    double lim = mn_absorb_kp_mw_max(s->kp_model);
    int mw_out = s->mw > lim, logp_out = s->logp < MN_KP_LOGP_MIN || s->logp > MN_KP_LOGP_MAX;
    const char *model = s->kp_model == MN_KP_UPDATED ? "updated (F67)" : "Potts-Guy (F65)";
    char lead[300] = "", size[600] = "", logp[300] = "", kp[500] = "";
    snprintf(lead, sizeof lead,
             "MW %g, logP %g is outside the range the %s regression was fitted on (MW %g-%g, log "
             "Kow %g to %g)",
             s->mw, s->logp, model, MN_KP_MW_MIN, lim, MN_KP_LOGP_MIN, MN_KP_LOGP_MAX);
    if (mw_out) {
        char polar[320] = "";
        if (p->kp_polar_cm_h > 0)
            snprintf(polar, sizeof polar,
                     "; its polar route (Wilschut et al. 1995, fitted on ~100 mostly small "
                     "solutes, its MW range not checked against the paper) is applied unchanged "
                     "at MW %g and carries %.0f%% of the baseline (kp_polar %.3g against lipid "
                     "%.3g cm/h)",
                     s->mw, 100 * p->kp_polar_cm_h / p->kp_cm_h, p->kp_polar_cm_h,
                     p->kp_lipid_cm_h);
        snprintf(size, sizeof size,
                 "; above that MW its lipid route falls with size as in Mitragotri's "
                 "scaled-particle model (J Control Release 2003;86:69)%s",
                 polar);
    }
    if (logp_out) /* kp_lipid here unless the implausible kp is named next */
        snprintf(logp, sizeof logp,
                 "; at logP %g its lipid route is the regression's straight line in logP carried "
                 "%s its data%s",
                 s->logp, s->logp > MN_KP_LOGP_MAX ? "above" : "below",
                 implausible ? "" : " (kp_lipid in the JSON's physics)");
    if (implausible)
        snprintf(kp, sizeof kp,
                 "; kp = %.3g cm/h is implausible: it is beyond anything the regression gives "
                 "anywhere inside its fitted range (at most %.3g cm/h, at MW %g and log Kow %g), "
                 "an extrapolation, not a permeability to rely on",
                 p->kp_cm_h, kp_max, MN_KP_MW_MIN, MN_KP_LOGP_MAX);
    snprintf(buf, n,
             "%s%s%s%s, so the intact baseline and the enhancement are order-of-magnitude "
             "figures",
             lead, size, logp, kp);
    return 1;
}

/* A product applied above its solubility. Where that solubility was only estimated: the
 * general solubility equation with an assumed melting point (props.c) holds for neutral
 * molecules, so a salt or a low-melting solute may be far more soluble, and the whole answer
 * then hangs on it (lidocaine base: 0.27 mg/ml estimated, 4.1 measured). Where it was given
 * (catalogue or scenario), the model's water film holds the excess as a solid that dissolves
 * only as the dissolved part is taken up; a product sold that strong usually keeps it in
 * another vehicle (co-solvent, pH, salt form), which the water film does not model. */
static int solubility_caution(const mn_absorb_scenario *s, const mn_absorb_result *r, char *buf,
                              size_t n)
{
    const mn_absorb_params *p = &r->params;
    if (!(p->donor_conc_ug_ml > p->solubility_ug_ml))
        return 0;
    if (!p->solubility_estimated) {
        snprintf(buf, n,
                 "%g mg/ml is applied above the solubility in water given for it, %.3g mg/ml, so "
                 "the model's water film is a suspension whose excess dissolves only as the "
                 "dissolved part is taken up; a product this strong may hold it dissolved in "
                 "another vehicle (a co-solvent, its pH, a salt form), which the model does not "
                 "describe: read the figures as those of a saturated water film",
                 s->concentration_mg_ml, p->solubility_ug_ml / 1000.0);
        return 1;
    }
    snprintf(buf, n,
             "%g mg/ml is applied above the solubility the model estimated, %.3g mg/ml (the "
             "general solubility equation of Jain & Yalkowsky 2001 for a neutral molecule with an "
             "assumed melting point of %g C), so the film is a suspension; a salt or a solute "
             "that melts lower may dissolve far more, which changes both sides of the "
             "enhancement: give product.solubility_mg_ml where it is known",
             s->concentration_mg_ml, p->solubility_ug_ml / 1000.0, MN_ABSORB_GSE_MP_C);
    return 1;
}

/* A lipophilic product: above this logP a serum keeps its active in an oil, an emulsion or a
 * silicone, not in water [judgement: at logP 4 octanol holds 10^4 times what water does, and
 * the catalogue's one such active, retinol at 5.68, is sold that way], so the model's water
 * film, whose solubility and partition into the stratum corneum set the uptake, describes
 * neither the vehicle nor how much of the active is free to leave it. */
#define MN_LIPOPHILIC_LOGP 4.0

static int vehicle_caution(const mn_absorb_scenario *s, char *buf, size_t n)
{
    if (!(s->logp > MN_LIPOPHILIC_LOGP))
        return 0;
    snprintf(buf, n,
             "logP %g: a product this lipophilic is made in an oil, an emulsion or a silicone, "
             "while the model applies it as a water film (its solubility in water and its "
             "partition from water into the stratum corneum set the uptake), so both sides of "
             "the enhancement may be far from what the real vehicle gives",
             s->logp);
    return 1;
}

/* A Franz cell's receptor is modelled as a perfect sink (u = 0). OECD TG 428 asks for a
 * receptor fluid in which the test substance is freely soluble, so that it does not limit
 * absorption; the rule of thumb used here is that the receptor stays below 10 % of the
 * solubility [judgement: the usual sink criterion, not checked against the guideline's text],
 * with the receptor's volume that of a common cell, 5 ml over a 15 mm orifice (1.77 cm2),
 * 2.8 ml/cm2 [judgement]. A poorly water-soluble solute (or a lipophilic one, whose aqueous
 * receptor needs albumin or a co-solvent) breaks it. */
#define MN_SINK_SHARE          0.1
#define MN_RECEPTOR_ML_PER_CM2 2.8

static int sink_caution(const mn_absorb_scenario *s, const mn_absorb_result *r, char *buf, size_t n)
{
    const mn_absorb_params *p = &r->params;
    if (!p->franz || r->n_samples == 0)
        return 0;
    const mn_absorb_sample *last = &r->samples[r->n_samples - 1];
    double conc_ug_ml = last->receptor_ug_cm2 / MN_RECEPTOR_ML_PER_CM2;
    if (!(conc_ug_ml > MN_SINK_SHARE * p->solubility_ug_ml) && !(s->logp > MN_LIPOPHILIC_LOGP))
        return 0;
    snprintf(buf, n,
             "the receptor is modelled as a perfect sink, but this solute dissolves poorly in an "
             "aqueous receptor (solubility %.3g mg/ml, logP %g; by %g h a %.2g ml/cm2 receptor "
             "would hold %.3g ug/ml, %.3g%% of that solubility): OECD TG 428 asks for a receptor "
             "fluid in which it is freely soluble (with albumin or a co-solvent), and one that is "
             "not would take up less than the model gives",
             p->solubility_ug_ml / 1000.0, s->logp, last->hour, MN_RECEPTOR_ML_PER_CM2, conc_ug_ml,
             100 * conc_ug_ml / p->solubility_ug_ml);
    return 1;
}

/* Open to air, the film dries and its solute left on the skin is a deposit the model takes
 * up no more (docs/models/transport.md, "Dried"). Some of a dry deposit does cross the skin
 * in vivo (a report of about half of an acetone-applied dose over days, attributed to
 * Feldmann & Maibach 1970, could not be checked here and gives no number to the model), so
 * where a deposit is left the intact baseline may be understated and the enhancement
 * overstated. Said where at least MN_DEPOSIT_SHARE of the dose is left dry [judgement: 1 %
 * is where it could move a ratio printed to 1-3 figures]. */
#define MN_DEPOSIT_SHARE 0.01

static int deposit_caution(const mn_absorb_scenario *s, const mn_absorb_result *r, char *buf,
                           size_t n)
{
    const mn_absorb_params *p = &r->params;
    if (s->occluded || r->n_samples == 0)
        return 0;
    const mn_absorb_sample *last = &r->samples[r->n_samples - 1];
    if (!(last->solid_ug_cm2 > MN_DEPOSIT_SHARE * p->dose_ug_cm2))
        return 0;
    snprintf(buf, n,
             "open to air the film dries and leaves %.3g ug/cm2 (%.3g%% of the dose) as a dry "
             "deposit, which the model no longer lets into the skin; in vivo some of a dry "
             "deposit is still taken up over hours to days, so the intact baseline may be "
             "understated and the enhancement overstated",
             last->solid_ug_cm2, 100 * last->solid_ug_cm2 / p->dose_ug_cm2);
    return 1;
}

/* Tips past the epidermis into the dermis's capillary loops: bleeding settings. */
static int bleeding(const mn_absorb_result *r)
{
    const mn_absorb_params *p = &r->params;
    /* Excised skin in a Franz cell has no blood flow to bleed. */
    return !p->franz && p->punctures_per_cm2 > 0 &&
           p->channel_depth_um > p->layers.sc_um + p->layers.ve_um;
}

/* Appends prefix and text, then ".\n", breaking the text at spaces into lines of at most
 * 92 characters (the width of the report's other paragraphs). */
static void put_wrapped(mn__buf *b, const char *prefix, const char *text)
{
    const int width = 92;
    mn__buf_append(b, prefix, strlen(prefix)); /* the writer's own words, newline included */
    int col = (int)strlen(prefix) - (prefix[0] == '\n'), first = 1;
    while (*text) {
        size_t n = strcspn(text, " ");
        if (!first && col + 1 + (int)n > width) {
            mn__buf_textf(b, "\n");
            col = 0;
        } else if (!first) {
            mn__buf_textf(b, " ");
            col++;
        }
        first = 0;
        mn__buf_textf(b, "%.*s", (int)n, text);
        col += (int)n;
        text += n;
        while (*text == ' ')
            text++;
    }
    mn__buf_textf(b, ".\n");
}

static int large_overstated(const mn_absorb_scenario *s, const mn_absorb_result *r)
{
    if (s->mw < LARGE_MW || r->n_samples == 0)
        return 0;
    return r->samples[r->n_samples - 1].enhancement > PEPTIDE_MAX_ENHANCEMENT;
}

/* Significant figures in the text for a figure with a 10-90 % band [judgement]: 3 where the
 * band's width is at most 10 % of the figure, 2 where it is at most 100 %, 1 where wider.
 * Why: a digit finer than the band's width says nothing the band does not contradict (the
 * metrologist's habit of quoting a value to the decimal place of its uncertainty), and fixed
 * tiers give the same band the same figures wherever it is printed. Three is the most any
 * figure of this model carries in the text, banded or not: its inputs are ranges of a factor
 * of 2-9 (docs/models/transport.md, Band). The JSON keeps full precision. */
#define MN_SIG_MAX         3
#define MN_BAND_NARROW_REL 0.10
#define MN_BAND_WIDE_REL   1.0

/* The figures @p c supports beside its band [@p lo, @p hi] (MN_SIG_MAX without one). */
static int band_sig(double c, double lo, double hi, int banded)
{
    double w = hi - lo;
    if (!banded || !isfinite(c) || !isfinite(w) || c == 0)
        return MN_SIG_MAX;
    w = fabs(w / c);
    return w <= MN_BAND_NARROW_REL ? 3 : w <= MN_BAND_WIDE_REL ? 2 : 1;
}

/* @p v to @p sig significant figures in @p buf: plain decimals from 1e-3 to 1e5 (zeros that
 * end a whole number hold places, e.g. 1490 to three figures), trailing zeros after the point
 * dropped as %g does; outside that range %g's exponent form. */
static const char *fmt_sig(char *buf, size_t n, double v, int sig)
{
    double a = fabs(v);
    if (!isfinite(v) || a == 0 || a < 1e-3 || a >= 1e5) {
        snprintf(buf, n, "%.*g", sig, v);
        return buf;
    }
    int e = (int)floor(log10(a));
    double unit = pow(10, e - sig + 1);
    double r = round(v / unit) * unit;
    if (fabs(r) >= pow(10, e + 1)) /* 999.6 to three figures is 1000 */
        e++;
    int dec = sig - 1 - e;
    snprintf(buf, n, "%.*f", dec > 0 ? dec : 0, r);
    if (dec > 0) {
        char *end = buf + strlen(buf);
        while (end[-1] == '0')
            *--end = '\0';
        if (end[-1] == '.')
            end[-1] = '\0';
    }
    return buf;
}

/* @p c rounded to the figures its band supports (band_sig). */
static const char *fmt_band(char *buf, size_t n, double c, double lo, double hi, int banded)
{
    return fmt_sig(buf, n, c, band_sig(c, lo, hi, banded));
}

/* The figures a cumulative amount @p v needs in the table, from @p sig (what its band
 * supports) up: enough that it does not round to @p cap (the dose, or 100 %) while it is
 * below it, and that it does not fall below the previous hour's printed @p prev_shown while it
 * has risen from @p prev_v (m > 0 only; no ordering when @p prev_v is NaN). Rounding to the
 * band alone printed niacinamide at 500 ug/cm2 (the whole dose, with 31.7 on the surface)
 * at 1 h and 470 at 6 h. */
#define MN_SIG_CUM_MAX 6 /* beyond this %g prints a difference rounding cannot hide */
static int sig_ordered(double v, int sig, double cap, double prev_v, double prev_shown)
{
    char buf[48];
    for (; sig < MN_SIG_CUM_MAX; sig++) {
        double r = strtod(fmt_sig(buf, sizeof buf, v, sig), NULL);
        int below_cap = !(v < cap) || r < cap;
        int ordered = isnan(prev_v) || (v >= prev_v ? r >= prev_shown : r <= prev_shown);
        if (below_cap && ordered)
            break;
    }
    return sig;
}

/* "L h" for a lag time, "at least L h" where the run ends before it is defined
 * (mn_absorb_result.lag_beyond_run: L is then a lower bound). */
static const char *lag_words(char *buf, size_t n, double lag, int beyond)
{
    snprintf(buf, n, "%s%.2g h", beyond ? "at least " : "", lag);
    return buf;
}

/* "J ug/cm2/h (a-b h), lag time L h" for one flux summary; a lag time only where a steady
 * segment stands behind it (mn_absorb_result.lag_steady), else what there is instead: where
 * the flux is still rising when the run ends, that the lag time is not defined within the run,
 * with the lower bound the run gives. */
static const char *flux_words(char *buf, size_t n, double j, double from, double to, double lag,
                              int steady, int beyond, const char *lag_word)
{
    char lw[48];
    if (!(j > 0))
        snprintf(buf, n, "0 ug/cm2/h, no lag time");
    else if (steady)
        snprintf(buf, n, "%.3g ug/cm2/h (%g-%g h), %s %.2g h", j, from, to, lag_word, lag);
    else if (beyond)
        snprintf(buf, n,
                 "%.3g ug/cm2/h (%g-%g h), still rising when the run ends: %s not defined within "
                 "the run (%s)",
                 j, from, to, lag_word, lag_words(lw, sizeof lw, lag, 1));
    else if (from <= 0)
        snprintf(buf, n, "%.3g ug/cm2/h (%g-%g h), largest from the start: no lag time", j, from,
                 to);
    else
        snprintf(buf, n, "%.3g ug/cm2/h (%g-%g h), no steady state (finite dose): no lag time", j,
                 from, to);
    return buf;
}

/* The coarsest step of dermal coverage: the largest dermal depth cell's share of the
 * dermis. Coverage is the volume of grid cells above the threshold (mn__adi_coverage), and a
 * front moving down the dermis adds or drops whole depth cells: the reference case reads only
 * 94.1, 88.1, 70.3 and 34.7 %, steps of ~6 %, one 96 um reticular cell of 1,613 um. */
static double coverage_step(const mn_absorb_result *r)
{
    double total = 0, largest = 0;
    for (size_t k = 0; k < r->n_depth; k++) {
        if (r->depth_layer[k] < 2) /* SC and VE are not dermis */
            continue;
        double dz = r->depth_top_um[k + 1] - r->depth_top_um[k];
        total += dz;
        if (dz > largest)
            largest = dz;
    }
    return total > 0 ? largest / total : 0;
}

/* Whether @p x's hour lies within intact skin's lag time, where the intact column has let
 * next to nothing through and delivered / intact means nothing. */
static int in_intact_lag(const mn_absorb_result *r, const mn_absorb_sample *x)
{
    return isfinite(r->intact_lag_time_h) && x->hour < r->intact_lag_time_h;
}

/* 1 when the run's delivered amount at @p x lies outside its 10-90 % band by more than half a
 * unit in the third significant figure (the run and the band come from different runs: the
 * central parameters, or the 3D patch under --field, against unit cells drawn). */
static int outside_band(const mn_absorb_result *r, const mn_absorb_sample *x)
{
    const double slack = 5e-3; /* half a unit in the third significant figure */
    return r->band_runs > 0 && (x->delivered_ug_cm2 < x->delivered_lo_ug_cm2 * (1 - slack) ||
                                x->delivered_ug_cm2 > x->delivered_hi_ug_cm2 * (1 + slack));
}

mn_status mn_absorb_write_json(mn_ctx *ctx, const mn_absorb_scenario *s, const mn_absorb_result *r,
                               mn_writer write, void *userdata)
{
    if (!s || !r || !write)
        return mn__error(ctx, MN_EINVAL, "absorb: NULL argument");
    const mn_absorb_params *p = &r->params;
    mn__jout j;
    mn__jout_init(&j);
    json_t *root = json_object();
    mn__jput_str(&j, root, "version", mn_version());
    mn_warnings all = s->warnings; /* the loader's, then the run's */
    for (int i = 0; i < r->warnings.n && i < MN_MAX_WARNINGS; i++) {
        if (all.n < MN_MAX_WARNINGS)
            all.items[all.n++] = r->warnings.items[i];
        else
            all.dropped++;
    }
    all.dropped += r->warnings.dropped;
    mn__jput_warnings(&j, root, &all);
    mn__jput_num(&j, root, "punctures_per_cm2", p->punctures_per_cm2);
    mn__jput_num(&j, root, "channel_depth_um", p->channel_depth_um);
    mn__jput_num(&j, root, "channel_diameter_um", p->channel_diameter_um);
    mn__jput_num(&j, root, "closure_half_life_h", p->closure_half_life_h);
    /* Under a Franz cell the channels stay open: the half-life above is the in-vivo one. */
    mn__jput_bool(&j, root, "closure_applies", !p->franz);
    json_t *samples = mn__jput(&j, root, "samples", json_array());
    for (size_t m = 0; m < r->n_samples; m++) {
        const mn_absorb_sample *x = &r->samples[m];
        json_t *o = mn__jpush(&j, samples, json_object());
        mn__jput_num(&j, o, "hour", x->hour);
        mn__jput_num(&j, o, "delivered_ug_cm2", x->delivered_ug_cm2);
        mn__jput_num(&j, o, "intact_ug_cm2", x->intact_ug_cm2);
        mn__jput_num(&j, o, "enhancement", x->enhancement);
        /* Added: the hour lies within intact skin's lag time, where the ratio above divides
         * by next to nothing (the text prints "in lag" instead). */
        mn__jput_bool(&j, o, "intact_in_lag", in_intact_lag(r, x));
        mn__jput_num(&j, o, "donor_ug_cm2", x->donor_ug_cm2);
        mn__jput_num(&j, o, "surface_ug_cm2", x->surface_ug_cm2);
        mn__jput_num(&j, o, "surface_solid_ug_cm2", x->solid_ug_cm2);
        mn__jput_num(&j, o, "film_ul_cm2", x->film_ul_cm2);
        mn__jput_num(&j, o, "stratum_corneum_ug_cm2", x->sc_ug_cm2);
        mn__jput_num(&j, o, "viable_epidermis_ug_cm2", x->ve_ug_cm2);
        mn__jput_num(&j, o, "dermis_ug_cm2", x->dermis_ug_cm2);
        mn__jput_num(&j, o, "cleared_ug_cm2", x->cleared_ug_cm2);
        mn__jput_num(&j, o, "open_fraction", x->open_fraction);
        mn__jput_num(&j, o, "coverage", x->coverage);
        mn__jput_num(&j, o, "intact_coverage", x->intact_coverage);
        mn__jput_num(&j, o, "flux_ug_cm2_h", x->flux_ug_cm2_h);
        mn__jput_num(&j, o, "intact_flux_ug_cm2_h", x->intact_flux_ug_cm2_h);
        mn__jput_num(&j, o, "epidermis_ug_cm2", x->sc_ug_cm2 + x->ve_ug_cm2);
        if (p->franz)
            mn__jput_num(&j, o, "receptor_ug_cm2", x->receptor_ug_cm2);
        json_t *fr = mn__jput(&j, o, "fraction_of_dose", json_object());
        double d = p->dose_ug_cm2;
        mn__jput_num(&j, fr, "surface", x->surface_ug_cm2 / d);
        mn__jput_num(&j, fr, "stratum_corneum", x->sc_ug_cm2 / d);
        mn__jput_num(&j, fr, "viable_epidermis", x->ve_ug_cm2 / d);
        mn__jput_num(&j, fr, "dermis", x->dermis_ug_cm2 / d);
        mn__jput_num(&j, fr, "cleared", x->cleared_ug_cm2 / d);
        /* Under a Franz cell nothing is cleared: "cleared" above is the receptor's amount
         * (its name kept for the readers of the key), also given under its own name. */
        if (p->franz)
            mn__jput_num(&j, fr, "receptor", x->receptor_ug_cm2 / d);
        json_t *bd = mn__jput(&j, o, "band", json_object());
        mn__jput_num(&j, bd, "delivered_low_ug_cm2", x->delivered_lo_ug_cm2);
        mn__jput_num(&j, bd, "delivered_high_ug_cm2", x->delivered_hi_ug_cm2);
        mn__jput_num(&j, bd, "enhancement_low", x->enhancement_lo);
        mn__jput_num(&j, bd, "enhancement_high", x->enhancement_hi);
        mn__jput_bool(&j, bd, "delivered_outside", outside_band(r, x));
        if (p->franz) {
            json_t *rc = mn__jput(&j, o, "receptor", json_object());
            mn__jput_num(&j, rc, "amount_ug_cm2", x->receptor_ug_cm2);
            mn__jput_num(&j, rc, "intact_amount_ug_cm2", x->intact_receptor_ug_cm2);
            mn__jput_num(&j, rc, "flux_ug_cm2_h", x->receptor_flux_ug_cm2_h);
            mn__jput_num(&j, rc, "intact_flux_ug_cm2_h", x->intact_receptor_flux_ug_cm2_h);
            mn__jput_num(&j, rc, "ratio", x->receptor_ratio);
            mn__jput_num(&j, rc, "ratio_low", x->receptor_ratio_lo);
            mn__jput_num(&j, rc, "ratio_high", x->receptor_ratio_hi);
            mn__jput_num(&j, rc, "skin_ug_cm2", x->ve_ug_cm2 + x->dermis_ug_cm2);
            mn__jput_num(&j, rc, "intact_skin_ug_cm2", x->intact_skin_ug_cm2);
            mn__jput_num(&j, rc, "skin_ratio", x->skin_ratio);
            mn__jput_num(&j, rc, "skin_ratio_low", x->skin_ratio_lo);
            mn__jput_num(&j, rc, "skin_ratio_high", x->skin_ratio_hi);
        }
    }
    json_t *fz = mn__jput(&j, root, "franz", json_object());
    mn__jput_num(&j, fz, "dose_ug_cm2", p->dose_ug_cm2);
    mn__jput_num(&j, fz, "max_flux_ug_cm2_h", r->max_flux_ug_cm2_h);
    mn__jput_num(&j, fz, "max_flux_hour", r->max_flux_hour);
    mn__jput_num(&j, fz, "lag_time_h", r->lag_time_h);
    mn__jput_num(&j, fz, "intact_max_flux_ug_cm2_h", r->intact_max_flux_ug_cm2_h);
    mn__jput_num(&j, fz, "intact_max_flux_hour", r->intact_max_flux_hour);
    mn__jput_num(&j, fz, "intact_lag_time_h", r->intact_lag_time_h);
    mn__jput_num(&j, fz, "flux_enhancement", r->flux_enhancement);
    /* Added keys (the ones above keep their names and meaning): where each largest-flux
     * interval begins, whether its lag time stands on a steady segment, the sampling. */
    mn__jput_num(&j, fz, "max_flux_from_hour", r->max_flux_from_hour);
    mn__jput_bool(&j, fz, "lag_steady", r->lag_steady);
    mn__jput_num(&j, fz, "intact_max_flux_from_hour", r->intact_max_flux_from_hour);
    mn__jput_bool(&j, fz, "intact_lag_steady", r->intact_lag_steady);
    mn__jput_num(&j, fz, "flux_interval_h", r->flux_grid_h);
    /* Added: whether each flux is still rising when the run ends, too soon for a steady state,
     * so its lag time is not defined within the run (the lag_time_h above is then a lower
     * bound on it, and *lag_steady is false). */
    mn__jput_bool(&j, fz, "lag_beyond_run", r->lag_beyond_run);
    mn__jput_bool(&j, fz, "intact_lag_beyond_run", r->intact_lag_beyond_run);
    mn__jput_str(&j, root, "setup", p->franz ? "franz" : "in-vivo");
    if (p->franz) {
        mn__jput_num(&j, fz, "receptor_max_flux_ug_cm2_h", r->receptor_max_flux_ug_cm2_h);
        mn__jput_num(&j, fz, "receptor_max_flux_hour", r->receptor_max_flux_hour);
        mn__jput_num(&j, fz, "receptor_lag_time_h", r->receptor_lag_time_h);
        mn__jput_num(&j, fz, "intact_receptor_max_flux_ug_cm2_h",
                     r->intact_receptor_max_flux_ug_cm2_h);
        mn__jput_num(&j, fz, "intact_receptor_max_flux_hour", r->intact_receptor_max_flux_hour);
        mn__jput_num(&j, fz, "intact_receptor_lag_time_h", r->intact_receptor_lag_time_h);
        mn__jput_num(&j, fz, "receptor_flux_ratio", r->receptor_flux_ratio);
        mn__jput_num(&j, fz, "receptor_max_flux_from_hour", r->receptor_max_flux_from_hour);
        mn__jput_bool(&j, fz, "receptor_lag_steady", r->receptor_lag_steady);
        mn__jput_num(&j, fz, "intact_receptor_max_flux_from_hour",
                     r->intact_receptor_max_flux_from_hour);
        mn__jput_bool(&j, fz, "intact_receptor_lag_steady", r->intact_receptor_lag_steady);
        mn__jput_bool(&j, fz, "receptor_lag_beyond_run", r->receptor_lag_beyond_run);
        mn__jput_bool(&j, fz, "intact_receptor_lag_beyond_run", r->intact_receptor_lag_beyond_run);
    }
    mn__jput_int(&j, root, "band_runs", (long long)r->band_runs);
    mn__jput_num(&j, root, "mass_balance_error", r->mass_balance_error);
    mn__jput_str(&j, root, "solver", r->solver_field ? "3d-patch" : "unit-cell");
    mn__jput_str(&j, root, "site", s->site ? s->site->id : "");
    mn__jput_str(&j, root, "device", s->device ? s->device->id : "none");
    mn__jput_num(&j, root, "needle_mm", s->needle_mm);
    mn__jput_num(&j, root, "passes", s->passes);
    mn__jput_num(&j, root, "glide_mm_s", s->glide_mm_s > 0 ? s->glide_mm_s : MN_DEFAULT_GLIDE_MM_S);
    mn__jput_bool(&j, root, "occluded", s->occluded);
    json_t *depth = mn__jput(&j, root, "channel_depth_range_um", json_object());
    mn__jput_num(&j, depth, "low", p->channel_depth_lo_um);
    mn__jput_num(&j, depth, "high", p->channel_depth_hi_um);
    /* Added: the band's top is the skin's full thickness at the site (mn_device_depth_range_um). */
    mn__jput_bool(&j, depth, "held_to_full_thickness", depth_held(p));
    json_t *ch = mn__jput(&j, root, "channel", json_object());
    mn__jput_num(&j, ch, "set_length_um", s->device ? s->needle_mm * 1000.0 : 0);
    mn__jput_num(&j, ch, "effective_depth_um", p->channel_depth_um);
    mn__jput_num(&j, ch, "open_depth_um", p->open_depth_um);
    json_t *odr = mn__jput(&j, ch, "open_depth_range_um", json_object());
    mn__jput_num(&j, odr, "low", p->open_depth_lo_um);
    mn__jput_num(&j, odr, "high", p->open_depth_hi_um);
    mn__jput_str(&j, ch, "shape", "cone");
    mn__jput_num(&j, ch, "volume_ul_cm2", p->channel_volume_ul_cm2);
    mn__jput_num(&j, ch, "wall_area_cm2_per_cm2", p->channel_wall_cm2_cm2);
    json_t *clr = mn__jput(&j, root, "closure_half_life_range_h", json_object());
    mn__jput_num(&j, clr, "low", p->closure_half_life_lo_h);
    mn__jput_num(&j, clr, "high", p->closure_half_life_hi_h);
    mn__jput_num(&j, root, "dose_ug_cm2", p->dose_ug_cm2);
    json_t *mol = mn__jput(&j, root, "molecule", json_object());
    mn__jput_str(&j, mol, "name", s->product_name);
    mn__jput_num(&j, mol, "mw", s->mw);
    mn__jput_num(&j, mol, "logp", s->logp);
    mn__jput_num(&j, mol, "concentration_mg_ml", s->concentration_mg_ml);
    mn__jput_num(&j, mol, "dose_ul_cm2", s->dose_ul_cm2);
    json_t *phys = mn__jput(&j, root, "physics", json_object());
    mn__jput_str(&j, phys, "kp_model", s->kp_model == MN_KP_UPDATED ? "updated" : "potts-guy");
    mn__jput_num(&j, phys, "kp_cm_h", p->kp_cm_h);
    mn__jput_num(&j, phys, "kp_lipid_cm_h", p->kp_lipid_cm_h);
    mn__jput_num(&j, phys, "kp_polar_cm_h", p->kp_polar_cm_h);
    mn__jput_num(&j, phys, "k_sc_w", p->k_sc_w);
    mn__jput_num(&j, phys, "k_ve_w", p->k_ve_w);
    mn__jput_num(&j, phys, "k_dermis_w", p->k_de_w);
    mn__jput_num(&j, phys, "d_aq_cm2_s", p->d_aq_um2_h * 1e-8 / 3600.0);
    mn__jput_num(&j, phys, "hydrodynamic_radius_nm", p->hydrodynamic_radius_nm);
    mn__jput_bool(&j, phys, "hydrodynamic_radius_from_product", p->radius_from_product);
    mn__jput_num(&j, phys, "d_sc_cm2_s", p->d_sc_um2_h * 1e-8 / 3600.0);
    mn__jput_num(&j, phys, "d_ve_cm2_s", p->d_ve_um2_h * 1e-8 / 3600.0);
    mn__jput_num(&j, phys, "d_dermis_cm2_s", p->d_de_um2_h * 1e-8 / 3600.0);
    mn__jput_num(&j, phys, "clearance_per_h", p->clearance_per_h);
    mn__jput_num(&j, phys, "solubility_mg_ml", p->solubility_ug_ml / 1000.0);
    mn__jput_bool(&j, phys, "solubility_estimated", p->solubility_estimated);
    mn__jput_bool(&j, phys, "solubility_capped", p->solubility_capped);
    mn__jput_num(&j, phys, "evaporation_ul_cm2_h", p->evaporation_ul_cm2_h);
    mn__jput_num(&j, phys, "unit_cell_radius_um", p->cell_radius_um);
    mn__jput_num(&j, phys, "unit_cell_area_fraction", p->cell_area_fraction);
    json_t *lay = mn__jput(&j, root, "layers_um", json_object());
    mn__jput_num(&j, lay, "stratum_corneum", p->layers.sc_um);
    mn__jput_num(&j, lay, "viable_epidermis", p->layers.ve_um);
    mn__jput_num(&j, lay, "papillary_dermis", p->layers.papillary_um);
    mn__jput_num(&j, lay, "reticular_dermis", p->layers.reticular_um);
    mn__jput_num(&j, root, "coverage_threshold_ug_ml", r->coverage_threshold_ug_ml);
    json_t *prof = mn__jput(&j, root, "depth_profile", json_object());
    mn__jput(&j, prof, "depth_top_um", num_array(&j, r->depth_top_um, r->n_depth + 1));
    json_t *ln = mn__jput(&j, prof, "layer", json_array());
    for (size_t k = 0; k < r->n_depth; k++)
        mn__jpush(&j, ln, json_string(layer_names[r->depth_layer[k]]));
    json_t *conc = mn__jput(&j, prof, "conc_ug_ml", json_array());
    json_t *iconc = mn__jput(&j, prof, "intact_conc_ug_ml", json_array());
    for (size_t m = 0; m < r->n_samples; m++) {
        mn__jpush(&j, conc, num_array(&j, r->profile_ug_ml + m * r->n_depth, r->n_depth));
        mn__jpush(&j, iconc, num_array(&j, r->intact_profile_ug_ml + m * r->n_depth, r->n_depth));
    }
    if (r->solver_field) {
        json_t *f = mn__jput(&j, root, "field", json_object());
        mn__jput_num(&j, f, "width_um", r->field.width_um);
        mn__jput_num(&j, f, "height_um", r->field.height_um);
        mn__jput_num(&j, f, "dx_um", r->dx_um);
        mn__jput_int(&j, f, "seed", (long long)r->field.seed);
        mn__jput_int(&j, f, "punctures", (long long)r->field.n);
        mn__jput_num(&j, f, "sampled_per_cm2",
                     (double)r->field.n / (r->field.width_um * r->field.height_um * 1e-8));
        mn__jput_num(&j, f, "memory_mib", r->field_bytes / 1048576.0);
    }
    mn__jput_int(&j, root, "steps", (long long)r->steps);
    mn__jput_str(&j, root, "note",
                 "simulation: model estimates with stated assumptions (docs/models/transport.md), "
                 "not measurements");
    /* null on intact skin: nothing is put into open channels */
    mn__jput(&j, root, "safety_caution", punctured(r) ? json_string(safety_caution) : json_null());
    json_t *cautions = mn__jput(&j, root, "cautions", json_array());
    if (large_overstated(s, r))
        mn__jpush(&j, cautions, json_string(large_caution));
    if (bleeding(r))
        mn__jpush(&j, cautions, json_string(bleeding_caution));
    char rc[1600];
    if (range_caution(s, r, rc, sizeof rc))
        mn__jpush(&j, cautions, json_string(rc));
    if (solubility_caution(s, r, rc, sizeof rc))
        mn__jpush(&j, cautions, json_string(rc));
    if (vehicle_caution(s, rc, sizeof rc))
        mn__jpush(&j, cautions, json_string(rc));
    if (sink_caution(s, r, rc, sizeof rc))
        mn__jpush(&j, cautions, json_string(rc));
    if (deposit_caution(s, r, rc, sizeof rc))
        mn__jpush(&j, cautions, json_string(rc));
    return mn__json_finish(ctx, &j, root, "absorb", write, userdata);
}

mn_status mn_absorb_write_text(mn_ctx *ctx, const mn_absorb_scenario *s, const mn_absorb_result *r,
                               mn_writer write, void *userdata)
{
    if (!s || !r || !write)
        return mn__error(ctx, MN_EINVAL, "absorb: NULL argument");
    const mn_absorb_params *p = &r->params;
    mn__buf b;
    mn__buf_init(&b);
    mn__buf_textf(&b, "Serum delivery (simulation), %s, %s for %g h%s\n", s->site->name,
                  s->occluded ? "occluded" : "open to air", s->hours,
                  s->occluded_default ? " (occluded: the default; set \"occluded\": false for "
                                        "a serum left open to air)"
                                      : "");
    mn__buf_textf(&b, "Product: %s (MW %g, logP %g), %g mg/ml x %g ul/cm2 = %g ug/cm2 applied\n",
                  s->product_name, s->mw, s->logp, s->concentration_mg_ml, s->dose_ul_cm2,
                  p->dose_ug_cm2);
    if (s->device && p->punctures_per_cm2 > 0) {
        mn__buf_textf(
            &b,
            "Device: %s at %g mm, %g pass(es): %.0f punctures/cm2;\n  needle tips "
            "reach %.0f um (range %.0f-%.0f%s);\n  open channels after recoil: cones %.0f um "
            "wide and %.0f um deep (range %.0f-%.0f),\n  %.3g ul/cm2 of channel "
            "volume and %.3g cm2 of wall per cm2; ",
            s->device->name, s->needle_mm, s->passes, p->punctures_per_cm2, p->channel_depth_um,
            p->channel_depth_lo_um, p->channel_depth_hi_um,
            depth_held(p) ? ", held to the skin's full thickness here" : "", p->channel_diameter_um,
            p->open_depth_um, p->open_depth_lo_um, p->open_depth_hi_um, p->channel_volume_ul_cm2,
            p->channel_wall_cm2_cm2);
        if (p->franz) /* excised skin does not repair its barrier (props.c) */
            mn__buf_textf(&b,
                          "channels stay open in vitro\n  (excised skin does not repair its "
                          "barrier; in vivo the closure half-life would be %.2g h)\n",
                          p->closure_half_life_h);
        else
            mn__buf_textf(&b, "closure half-life %.2g h (%.2g-%.2g)\n", p->closure_half_life_h,
                          p->closure_half_life_lo_h, p->closure_half_life_hi_h);
    } else {
        mn__buf_textf(&b, "Device: none (intact skin)\n");
    }
    mn__buf_textf(&b,
                  "Intact skin permeability kp = %.3g cm/h: lipid route %.3g (%s)\n  + polar "
                  "route %.3g (pores and appendages, Wilschut et al. 1995)\n",
                  p->kp_cm_h, p->kp_lipid_cm_h,
                  s->kp_model == MN_KP_UPDATED ? "updated regression, F67" : "Potts-Guy, F65",
                  p->kp_polar_cm_h);
    if (p->radius_from_product)
        mn__buf_textf(&b,
                      "Diffusivity in water %.3g cm2/s from the product's hydrodynamic radius, "
                      "%.3g nm (a linear polymer's coil, not a compact sphere)\n",
                      p->d_aq_um2_h * 1e-8 / 3600.0, p->hydrodynamic_radius_nm);
    mn__buf_textf(&b, "\n");
    /* The table, as every line of this text, fits 100 columns (tests/cli/absorb_width.sh); the
     * enhancement band's heading goes under its name, with the unit. */
    mn__buf_textf(&b, "%6s %9s %17s %8s %8s %8s %17s %5s %5s %7s\n", "hour", "delivered",
                  "(10-90%)", "flux", "intact", "surface", "enhancement", "open", "cover",
                  "of dose");
    mn__buf_textf(&b, "%6s %9s %17s %8s %8s %8s %17s %5s %5s %7s\n", "", "ug/cm2", "", "ug/cm2/h",
                  "ug/cm2", "ug/cm2", "x (10-90%)", "%", "%", "in %");
    int outside = 0, lagging = 0, banded = r->band_runs > 0;
    double prev_v = NAN, prev_del = 0, prev_pct = 0; /* the previous row, true and shown */
    char last_pct[32] = ""; /* the last hour's share of the dose, as the table rounds it */
    for (size_t m = 0; m < r->n_samples; m++) {
        const mn_absorb_sample *x = &r->samples[m];
        char bd[80], be[56], del[32], in[32], sur[32], pct[32], en[32], blo[32], bhi[32];
        int out = outside_band(r, x);
        double d = p->dose_ug_cm2;
        int sd = sig_ordered(
            x->delivered_ug_cm2,
            band_sig(x->delivered_ug_cm2, x->delivered_lo_ug_cm2, x->delivered_hi_ug_cm2, banded),
            d, prev_v, prev_del);
        fmt_sig(del, sizeof del, x->delivered_ug_cm2, sd);
        /* On intact skin the intact column is the delivered amount, band and all. */
        if (punctured(r))
            fmt_sig(in, sizeof in, x->intact_ug_cm2, MN_SIG_MAX);
        else
            fmt_band(in, sizeof in, x->intact_ug_cm2, x->delivered_lo_ug_cm2,
                     x->delivered_hi_ug_cm2, banded);
        fmt_sig(sur, sizeof sur, x->surface_ug_cm2, MN_SIG_MAX);
        double pv = 100 * x->delivered_ug_cm2 / d;
        int sp = sig_ordered(pv,
                             band_sig(pv, 100 * x->delivered_lo_ug_cm2 / d,
                                      100 * x->delivered_hi_ug_cm2 / d, banded),
                             100, isnan(prev_v) ? NAN : 100 * prev_v / d, prev_pct);
        fmt_sig(pct, sizeof pct, pv, sp);
        prev_v = x->delivered_ug_cm2;
        prev_del = strtod(del, NULL);
        prev_pct = strtod(pct, NULL);
        snprintf(last_pct, sizeof last_pct, "%s", pct);
        outside |= out;
        /* The band's bounds at the central value's figures, the upper one below the dose
         * while it is. */
        fmt_sig(blo, sizeof blo, x->delivered_lo_ug_cm2, sd);
        fmt_sig(bhi, sizeof bhi, x->delivered_hi_ug_cm2,
                sig_ordered(x->delivered_hi_ug_cm2, sd, d, NAN, 0));
        snprintf(bd, sizeof bd, "(%s-%s)%s", blo, bhi, out ? "*" : "");
        if (in_intact_lag(r, x)) {
            snprintf(be, sizeof be, "in lag**");
            lagging = 1;
        } else {
            snprintf(be, sizeof be, "%s (%.2g-%.2g)",
                     fmt_band(en, sizeof en, x->enhancement, x->enhancement_lo, x->enhancement_hi,
                              banded),
                     x->enhancement_lo, x->enhancement_hi);
        }
        /* Coverage in whole percent: the grid counts it in cells (coverage_step). */
        mn__buf_textf(&b, "%6g %9s %17s %8.3g %8s %8s %17s %5.1f %5.0f %7s\n", x->hour, del, bd,
                      x->flux_ug_cm2_h, in, sur, be, 100 * x->open_fraction, 100 * x->coverage,
                      pct);
    }
    mn__buf_textf(&b,
                  "Bands: %zu unit-cell runs with the uncertain parameters drawn from their "
                  "ranges%s.\n",
                  r->band_runs, r->band_runs ? "" : " (none asked)");
    if (banded)
        mn__buf_textf(&b,
                      "  A figure with a band is rounded to what the band supports: %d significant "
                      "figures where the band\n  is within %.0f%% of it, %d within %.0f%%, "
                      "else 1 (the JSON keeps full precision).\n",
                      3, 100 * MN_BAND_NARROW_REL, 2, 100 * MN_BAND_WIDE_REL);
    char lw[48];
    if (lagging)
        mn__buf_textf(&b,
                      "**: intact skin is still within its lag time (%s): what it has let "
                      "through is next to\n  nothing, so delivered / intact would be a ratio "
                      "of no meaning (the JSON keeps it).\n",
                      lag_words(lw, sizeof lw, r->intact_lag_time_h, r->intact_lag_beyond_run));
    if (outside)
        mn__buf_textf(&b,
                      "*: delivered lies outside its band: the value is the %s with the central "
                      "parameters,\n  the band unit-cell runs with drawn ones "
                      "(docs/models/transport.md, Band).\n",
                      r->solver_field ? "3D patch" : "unit cell");
    char fw1[240], fw2[240];
    mn__buf_textf(
        &b,
        "%s: largest mean flux %s;\n  intact %s;\n  ratio of maximal fluxes "
        "x%.3g, for %g ug/cm2 applied\n  (fluxes over %g h intervals, whatever the report "
        "hours).\n",
        /* Under a Franz cell this is what enters the skin, not the receptor
         * (the "Receptor:" line) */
        p->franz ? "Across the stratum corneum" : "Flux summary",
        flux_words(fw1, sizeof fw1, r->max_flux_ug_cm2_h, r->max_flux_from_hour, r->max_flux_hour,
                   r->lag_time_h, r->lag_steady, r->lag_beyond_run, "lag time"),
        flux_words(fw2, sizeof fw2, r->intact_max_flux_ug_cm2_h, r->intact_max_flux_from_hour,
                   r->intact_max_flux_hour, r->intact_lag_time_h, r->intact_lag_steady,
                   r->intact_lag_beyond_run, "lag"),
        r->flux_enhancement, p->dose_ug_cm2, r->flux_grid_h);
    if (p->franz) {
        mn__buf_textf(&b,
                      "Franz cell (in vitro: no blood flow, channels stay open, a sink receptor "
                      "under %.0f um of skin):\n%8s %12s %12s %21s %12s %12s\n",
                      p->layers.sc_um + p->layers.ve_um + p->layers.papillary_um +
                          p->layers.reticular_um,
                      "hour", "receptor", "intact", "ratio (10-90%)", "flux", "skin ratio");
        /* As in the main table: before intact skin's lag time (its receptor's, for the
         * receptor ratio) the ratio divides by next to nothing, so it is not printed. */
        int rec_lag = 0;
        for (size_t m = 0; m < r->n_samples; m++) {
            const mn_absorb_sample *x = &r->samples[m];
            char rr[64], sr[32], c[32], ra[32], ia[32], rf[32];
            if (isfinite(r->intact_receptor_lag_time_h) &&
                x->hour < r->intact_receptor_lag_time_h) {
                snprintf(rr, sizeof rr, "in lag***");
                rec_lag = 1;
            } else {
                snprintf(rr, sizeof rr, "%s (%.3g-%.3g)",
                         fmt_band(c, sizeof c, x->receptor_ratio, x->receptor_ratio_lo,
                                  x->receptor_ratio_hi, banded),
                         x->receptor_ratio_lo, x->receptor_ratio_hi);
            }
            if (in_intact_lag(r, x))
                snprintf(sr, sizeof sr, "in lag**");
            else
                fmt_band(sr, sizeof sr, x->skin_ratio, x->skin_ratio_lo, x->skin_ratio_hi, banded);
            mn__buf_textf(&b, "%8g %12s %12s %21s %12s %12s\n", x->hour,
                          fmt_sig(ra, sizeof ra, x->receptor_ug_cm2, MN_SIG_MAX),
                          fmt_sig(ia, sizeof ia, x->intact_receptor_ug_cm2, MN_SIG_MAX), rr,
                          fmt_sig(rf, sizeof rf, x->receptor_flux_ug_cm2_h, MN_SIG_MAX), sr);
        }
        if (rec_lag)
            mn__buf_textf(&b,
                          "***: the intact receptor is still within its lag time (%s): the "
                          "ratio would divide by next\n  to nothing (the JSON keeps it).\n",
                          lag_words(lw, sizeof lw, r->intact_receptor_lag_time_h,
                                    r->intact_receptor_lag_beyond_run));
        mn__buf_textf(&b,
                      "  Receptor: largest mean flux %s;\n  intact %s;\n  ratio of maximal "
                      "receptor fluxes x%.3g. Amounts in ug/cm2; 'skin ratio' is VE + dermis, "
                      "needled / intact.\n",
                      flux_words(fw1, sizeof fw1, r->receptor_max_flux_ug_cm2_h,
                                 r->receptor_max_flux_from_hour, r->receptor_max_flux_hour,
                                 r->receptor_lag_time_h, r->receptor_lag_steady,
                                 r->receptor_lag_beyond_run, "lag time"),
                      flux_words(fw2, sizeof fw2, r->intact_receptor_max_flux_ug_cm2_h,
                                 r->intact_receptor_max_flux_from_hour,
                                 r->intact_receptor_max_flux_hour, r->intact_receptor_lag_time_h,
                                 r->intact_receptor_lag_steady, r->intact_receptor_lag_beyond_run,
                                 "lag"),
                      r->receptor_flux_ratio);
    }
    const mn_absorb_sample *last = r->n_samples ? &r->samples[r->n_samples - 1] : NULL;
    /* The mass balance at three figures (not the band's: its parts are printed beside it and
     * must add up; a 30 % beside parts of 33.9 ug/cm2 of 100 did not). */
    if (last)
        mn__buf_textf(
            &b,
            "\nAt %g h: %.3g%% of the dose has crossed the stratum corneum\n(%.3g ug/cm2 "
            "in the viable epidermis, %.3g in the dermis, %.3g %s);\n%.3g ug/cm2 is held in "
            "the stratum corneum; %.3g ug/cm2 is still on the surface\n(%.3g dissolved in the "
            "film, %.3g dried or precipitated).\n",
            last->hour, 100 * last->delivered_ug_cm2 / p->dose_ug_cm2, last->ve_ug_cm2,
            last->dermis_ug_cm2, last->cleared_ug_cm2,
            p->franz ? "in the receptor" : "cleared by blood flow", last->sc_ug_cm2,
            last->surface_ug_cm2, last->donor_ug_cm2, last->solid_ug_cm2);
    if (last) {
        /* A dried film keeps MN_FILM_DRY_FRACTION of its water: the solver's floor, not
         * liquid a reader could find, so it is called dry and given no volume. */
        char film[64], sol[32];
        int dry =
            !s->occluded && last->film_ul_cm2 <= MN_FILM_DRY_FRACTION * s->dose_ul_cm2 * 1.0001;
        if (s->occluded)
            snprintf(film, sizeof film, "occluded, no evaporation; %.3g ul/cm2 of liquid left",
                     last->film_ul_cm2);
        else if (dry)
            snprintf(film, sizeof film, "open to air, dry");
        else
            snprintf(film, sizeof film, "open to air, still wet; %.3g ul/cm2 of liquid left",
                     last->film_ul_cm2);
        mn__buf_textf(&b,
                      "Film: %s; on the surface %.3g ug/cm2\n  (%.3g dissolved, %.3g dried or "
                      "precipitated),\n  %.3g%% of the dose went in (stratum corneum "
                      "included).\n  Solubility %s mg/ml (%s).\n",
                      film, last->surface_ug_cm2, last->donor_ug_cm2, last->solid_ug_cm2,
                      100 * (1 - last->surface_ug_cm2 / p->dose_ug_cm2),
                      fmt_sig(sol, sizeof sol, p->solubility_ug_ml / 1000.0, MN_SIG_MAX),
                      p->solubility_capped      ? "capped: the general solubility equation gives "
                                                  "more, and the model holds no more than this"
                      : p->solubility_estimated ? "estimated: general solubility equation"
                                                : "product");
    }
    if (!s->occluded && p->evaporation_ul_cm2_h > 0)
        mn__buf_textf(&b,
                      "  Water evaporates at %.3g ul/cm2/h (%g C skin, %g C air, %g%% RH, %g "
                      "m/s):\n  the film dries in %.2g h.\n",
                      p->evaporation_ul_cm2_h, s->skin_temp_c, s->air_temp_c,
                      100 * s->relative_humidity, s->air_speed_m_s, mn__absorb_film_dry_h(s, p));
    if (last && s->device && p->punctures_per_cm2 > 0) {
        /* The first report hour past intact skin's lag time: before it the ratio divides by
         * next to nothing (the table's "in lag"). */
        const mn_absorb_sample *first = last;
        for (size_t m = 0; m < r->n_samples; m++)
            if (!in_intact_lag(r, &r->samples[m])) {
                first = &r->samples[m];
                break;
            }
        char at[200] = "", e1[32], e2[32];
        fmt_band(e1, sizeof e1, first->enhancement, first->enhancement_lo, first->enhancement_hi,
                 banded);
        fmt_band(e2, sizeof e2, last->enhancement, last->enhancement_lo, last->enhancement_hi,
                 banded);
        if (in_intact_lag(r, last))
            snprintf(at, sizeof at,
                     "no ratio at the report hours (intact skin is still within its lag time, "
                     "%s, at %g h), ",
                     lag_words(lw, sizeof lw, r->intact_lag_time_h, r->intact_lag_beyond_run),
                     last->hour);
        else if (first != last)
            snprintf(at, sizeof at,
                     "x%s (band %.2g-%.2g) at %g h and x%s (band %.2g-%.2g) "
                     "at %g h, ",
                     e1, first->enhancement_lo, first->enhancement_hi, first->hour, e2,
                     last->enhancement_lo, last->enhancement_hi, last->hour);
        else
            snprintf(at, sizeof at, "x%s (band %.2g-%.2g) at %g h, ", e2, last->enhancement_lo,
                     last->enhancement_hi, last->hour);
        /* The verdict is judged at `first`, the first report hour past intact skin's lag,
         * with its band; where every hour is in the lag, on the ratio of maximal fluxes
         * (no band). Not at the last hour: once the needled side has taken up the dose, the
         * late ratio is the dose over what intact skin took up, not an enhancement. */
        double lo = r->flux_enhancement, hi = r->flux_enhancement;
        char judged[200];
        if (!in_intact_lag(r, first)) {
            lo = first->enhancement_lo;
            hi = first->enhancement_hi;
            snprintf(judged, sizeof judged,
                     "judged at %g h, the first report hour past intact skin's lag time%s",
                     first->hour,
                     r->intact_lag_beyond_run ? " as far as the run shows it (at least " : "");
            if (r->intact_lag_beyond_run) /* the lag read is a lower bound (absorb.c) */
                snprintf(judged + strlen(judged), sizeof judged - strlen(judged), "%.2g h)",
                         r->intact_lag_time_h);
        } else {
            snprintf(judged, sizeof judged, "judged on the ratio of maximal fluxes");
        }
        char used[400] = "";
        if (last->delivered_ug_cm2 >= MN_DOSE_USED_UP * p->dose_ug_cm2 && first != last &&
            !in_intact_lag(r, last))
            snprintf(used, sizeof used,
                     " By %g h the needled skin has taken up %s%% of the dose, so the ratio "
                     "there (x%s) is the dose over what intact skin took up, not an "
                     "enhancement",
                     last->hour, last_pct, e2);
        double intact_share = last->intact_ug_cm2 / p->dose_ug_cm2;
        char far[400];
        /* The cause: a film applied above the solubility holds only the solubility dissolved,
         * so a permeable molecule (retinol, kp 0.35 cm/h) crosses intact skin little because
         * little is dissolved, not because the barrier holds it back. Solubility is named as
         * the cause only where it is one: intact flux is kp times the dissolved concentration
         * (Fick), so with the whole dose dissolved the intact share would be about
         * concentration / solubility times as large; where even that stays small, the barrier
         * is the cause and the solubility only lowers the uptake further. */
        int sol_limited = p->donor_conc_ug_ml > p->solubility_ug_ml;
        int sol_cause = sol_limited && intact_share * p->donor_conc_ug_ml / p->solubility_ug_ml >=
                                           MN_INTACT_SMALL_SHARE;
        if (intact_share < MN_INTACT_SMALL_SHARE && sol_limited && !sol_cause)
            snprintf(far, sizeof far,
                     "far more than 1.4x, because intact skin lets this molecule through so "
                     "little (%.2g%% of the dose by %g h), and less still here since the film "
                     "holds only %.3g mg/ml dissolved (its solubility); one fixed percentage "
                     "cannot describe serums in general",
                     100 * intact_share, last->hour, p->solubility_ug_ml / 1000.0);
        else if (intact_share < MN_INTACT_SMALL_SHARE && sol_cause)
            snprintf(far, sizeof far,
                     "far more than 1.4x: intact skin takes up little (%.2g%% of the dose by "
                     "%g h) because the film holds only %.3g mg/ml dissolved (its solubility), "
                     "not because the barrier holds it back (kp %.3g cm/h); one fixed percentage "
                     "cannot describe serums in general",
                     100 * intact_share, last->hour, p->solubility_ug_ml / 1000.0, p->kp_cm_h);
        else if (intact_share < MN_INTACT_SMALL_SHARE)
            snprintf(far, sizeof far,
                     "far more than 1.4x, because intact skin lets this molecule through so "
                     "little (%.2g%% of the dose by %g h); one fixed percentage cannot describe "
                     "serums in general",
                     100 * intact_share, last->hour);
        else
            snprintf(far, sizeof far,
                     "far more than 1.4x, although intact skin takes up %.3g%% of the dose by "
                     "%g h: needling brings the uptake forward; one fixed percentage cannot "
                     "describe serums in general",
                     100 * intact_share, last->hour);
        char near[200];
        snprintf(near, sizeof near,
                 "more than 1.4x at its central value, but the band's low end (x%.3g) is close "
                 "to the claim",
                 lo);
        /* A later ratio at or below the claim is said, where the dose is not used up (that
         * sentence explains the late ratio itself). */
        if (!used[0] && first != last && !in_intact_lag(r, last) && last->enhancement <= 1.4)
            snprintf(used, sizeof used, " By %g h the ratio is x%.3g, at or below the claim",
                     last->hour, last->enhancement);
        char claim[1600];
        snprintf(claim, sizeof claim,
                 "'boosts absorption by 40 %%' (the articles' claim, no source found) would mean "
                 "1.4 times what intact skin takes up. For this product and setting the model "
                 "gives %sx%.3g in maximal flux, with %s%% of the dose gone in by %g h; %s: "
                 "%s.%s",
                 at, r->flux_enhancement, last_pct, last->hour, judged,
                 hi < 1.4 ? "less than the claim; a molecule that already crosses intact skin "
                            "gains little"
                 : lo > MN_CLAIM_WELL_CLEAR * 1.4 ? far
                 : lo > 1.4                       ? near
                                                  : "about the claim, within the band",
                 used);
        /* put_wrapped adds the closing full stop. */
        size_t cl = strlen(claim);
        if (cl && claim[cl - 1] == '.')
            claim[cl - 1] = '\0';
        put_wrapped(&b, "\n", claim);
    }
    if (large_overstated(s, r))
        put_wrapped(&b, "\nCaution: ", large_caution);
    if (bleeding(r))
        put_wrapped(&b, "Caution: ", bleeding_caution);
    char rc[1600];
    if (range_caution(s, r, rc, sizeof rc))
        put_wrapped(&b, "Caution: ", rc);
    if (solubility_caution(s, r, rc, sizeof rc))
        put_wrapped(&b, "Caution: ", rc);
    if (vehicle_caution(s, rc, sizeof rc))
        put_wrapped(&b, "Caution: ", rc);
    if (sink_caution(s, r, rc, sizeof rc))
        put_wrapped(&b, "Caution: ", rc);
    if (deposit_caution(s, r, rc, sizeof rc))
        put_wrapped(&b, "Caution: ", rc);
    if (punctured(r))
        put_wrapped(&b, "Caution: ", safety_caution);
    mn__buf_textf(&b,
                  "'delivered' counts what has crossed the stratum corneum (viable epidermis, "
                  "dermis and %s;\nnot what the stratum corneum holds);\n'enhancement' is "
                  "delivered / intact at the same hour.\nCoverage: dermal volume above %.3g "
                  "ug/ml, counted in whole grid cells of up to %.0f%% of the dermis\neach, so it "
                  "moves in steps of about that much. Mass balance error %.1e.\n"
                  "Solver: %s. These are simulations; see 'mneedle absorb --help'.\n",
                  p->franz ? "receptor" : "cleared", r->coverage_threshold_ug_ml,
                  100 * coverage_step(r), r->mass_balance_error,
                  r->solver_field ? "3D patch" : "unit cell");
    return mn__buf_finish(ctx, &b, "absorb", write, userdata);
}

mn_status mn_absorb_write_csv(mn_ctx *ctx, const mn_absorb_result *r, mn_writer write,
                              void *userdata)
{
    if (!r || !write)
        return mn__error(ctx, MN_EINVAL, "absorb: NULL argument");
    mn__buf b;
    mn__buf_init(&b);
    mn__buf_textf(&b, "hour,depth_top_um,depth_bottom_um,layer,conc_ug_ml,intact_conc_ug_ml\n");
    for (size_t m = 0; m < r->n_samples; m++)
        for (size_t k = 0; k < r->n_depth; k++)
            mn__buf_textf(&b, "%g,%.6g,%.6g,%s,%.6g,%.6g\n", r->samples[m].hour, r->depth_top_um[k],
                          r->depth_top_um[k + 1], layer_names[r->depth_layer[k]],
                          r->profile_ug_ml[m * r->n_depth + k],
                          r->intact_profile_ug_ml[m * r->n_depth + k]);
    return mn__buf_finish(ctx, &b, "absorb", write, userdata);
}

/* VTK legacy binary wants big-endian 32-bit floats. */
static void be_float(unsigned char *out, float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    out[0] = (unsigned char)(u >> 24);
    out[1] = (unsigned char)(u >> 16);
    out[2] = (unsigned char)(u >> 8);
    out[3] = (unsigned char)u;
}

static mn_status vtk_coords(mn_ctx *ctx, const char *axis, const double *x, size_t n,
                            mn_writer write, void *ud)
{
    char head[64];
    int len = snprintf(head, sizeof head, "%s_COORDINATES %zu float\n", axis, n);
    mn_status st = mn__write_str(ctx, write, ud, head, (size_t)len);
    unsigned char buf[4];
    for (size_t i = 0; i < n && !st; i++) {
        be_float(buf, (float)x[i]);
        st = mn__write_str(ctx, write, ud, (const char *)buf, 4);
    }
    if (!st)
        st = mn__write_str(ctx, write, ud, "\n", 1);
    return st;
}

mn_status mn_absorb_write_vtk(mn_ctx *ctx, const mn_absorb_result *r, mn_writer write,
                              void *userdata)
{
    if (!r || !write || !r->volume_ug_ml)
        return mn__error(ctx, MN_EINVAL, "absorb: --vtk needs a 3D patch run (--field)");
    size_t nx = r->nx, ny = r->ny, nz = r->n_depth;
    char head[512];
    /* Points are cell centres; z is depth below the surface, drawn downwards (negative). */
    int len = snprintf(head, sizeof head,
                       "# vtk DataFile Version 3.0\n"
                       "mneedle absorb: tissue concentration (ug/ml) at %g h (simulation)\n"
                       "BINARY\nDATASET RECTILINEAR_GRID\nDIMENSIONS %zu %zu %zu\n",
                       r->n_samples ? r->samples[r->n_samples - 1].hour : 0.0, nx, ny, nz);
    mn_status st = mn__write_str(ctx, write, userdata, head, (size_t)len);
    double *tmp =
        mn__malloc((nx > ny ? (nx > nz ? nx : nz) : (ny > nz ? ny : nz)) * sizeof(double));
    if (!tmp)
        return mn__error(ctx, MN_ENOMEM, "absorb: out of memory");
    for (size_t i = 0; i < nx; i++)
        tmp[i] = ((double)i + 0.5) * r->dx_um;
    if (!st)
        st = vtk_coords(ctx, "X", tmp, nx, write, userdata);
    for (size_t j = 0; j < ny; j++)
        tmp[j] = ((double)j + 0.5) * r->dx_um;
    if (!st)
        st = vtk_coords(ctx, "Y", tmp, ny, write, userdata);
    for (size_t k = 0; k < nz; k++)
        tmp[k] = -0.5 * (r->depth_top_um[k] + r->depth_top_um[k + 1]);
    if (!st)
        st = vtk_coords(ctx, "Z", tmp, nz, write, userdata);
    mn__free(tmp);
    if (!st) {
        len = snprintf(head, sizeof head,
                       "POINT_DATA %zu\nSCALARS conc_ug_ml float 1\nLOOKUP_TABLE default\n",
                       nx * ny * nz);
        st = mn__write_str(ctx, write, userdata, head, (size_t)len);
    }
    /* VTK orders x fastest, then y, then z; the solver stores z fastest. */
    unsigned char *row = mn__malloc(nx * 4);
    if (!row)
        return mn__error(ctx, MN_ENOMEM, "absorb: out of memory");
    for (size_t k = 0; k < nz && !st; k++)
        for (size_t j = 0; j < ny && !st; j++) {
            for (size_t i = 0; i < nx; i++)
                be_float(row + 4 * i, r->volume_ug_ml[(j * nx + i) * nz + k]);
            st = mn__write_str(ctx, write, userdata, (const char *)row, nx * 4);
        }
    mn__free(row);
    return st;
}
