/* Serum transport through the public API: intact flux equals kp x C over a range of
 * molecules, enhancement is an output that spreads with molecule properties, delivery grows
 * with needle length, closure follows the cited factors, extremes stay finite, bad scenarios
 * fail with the file and JSON path, and the writers produce what they promise. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mn_test.h"
#include "mneedle/mneedle.h"
#include "core/consts.h"
#include "transport/absorb_internal.h"

MN_TEST_CONTEXT_FIXTURE

static int buf_writer(void *ud, const char *buf, size_t len)
{
    mn__buf_append(ud, buf, len);
    return 0;
}

static void scenario(mn_absorb_scenario *s, const char *device, double needle_mm, double mw,
                     double logp)
{
    mn_absorb_scenario_init(s);
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    s->site = mn_catalog_find_site(cat, "cheek");
    s->device = device ? mn_catalog_find_device(cat, device) : NULL;
    s->needle_mm = needle_mm;
    s->passes = device ? 2 : 0;
    s->mw = mw;
    s->logp = logp;
    s->concentration_mg_ml = 10;
    s->dose_ul_cm2 = 10;
    s->hours = 24;
    s->n_report = 3;
    s->report_hours = calloc(3, sizeof(double));
    s->report_hours[0] = 2;
    s->report_hours[1] = 8;
    s->report_hours[2] = 24;
}

static void test_intact_flux_is_kp_c(void **state)
{
    (void)state;
    /* The SC alone over a sink with a constant donor: steady flux = kp C (F65 and F67), for
     * MW 100 up to each regression's fitted limit (beyond it: test_kp_range) and logP
     * -2..5. The solver sees D and K separately, with the partition jump at the donor
     * interface, so this checks the discretisation and the D = kp h / K construction. */
    for (int model = 0; model < 2; model++)
        for (double mw = 100; mw <= mn_absorb_kp_mw_max(model ? MN_KP_UPDATED : MN_KP_POTTS_GUY);
             mw += 120)
            for (double logp = -2; logp <= 5; logp += 1.75) {
                mn_absorb_scenario s;
                scenario(&s, NULL, 0, mw, logp);
                s.kp_model = model ? MN_KP_UPDATED : MN_KP_POTTS_GUY;
                mn_absorb_params p;
                assert_int_equal(mn_absorb_params_compute(ctx, &s, &p), MN_OK);
                double kp_want = model ? pow(10, -2.55 + 0.65 * logp - 0.0085 * mw)
                                       : 3600 * pow(10, -6.3 + 0.71 * logp - 0.0061 * mw);
                assert_close(p.kp_lipid_cm_h, kp_want, 1e-12, 0);
                assert_close(p.kp_cm_h, kp_want + 1.519e-4 / sqrt(mw), 1e-12, 0);
                mn__adi g;
                assert_int_equal(mn__absorb_intact_grid(ctx, &s, &p, &g), MN_OK);
                /* Keep only the SC: cut the column to the SC's cells, sink below it. */
                int nsc = 0;
                while (nsc < g.nz && g.layer[nsc] == 0)
                    nsc++;
                g.nz = nsc;
                g.ncell = (size_t)nsc;
                g.donor_h_um = 1e30; /* effectively infinite */
                double c = 1000;     /* µg/cm³ */
                memset(g.u, 0, (g.ncell + 1) * sizeof(double));
                g.u[g.ncell] = c;
                for (int n = 0; n < 3; n++)
                    mn__adi_step(&g, 1e12);
                g.removed = 0; /* the huge steps' tally would swamp one hour's in rounding */
                mn__adi_step(&g, 1.0);
                /* µg/cm³ µm³ per µm² per h -> µg/cm²/h is 1e-4; kp C in cm/h x µg/cm³. */
                double flux = g.removed * 1e-4;
                assert_close(flux, p.kp_cm_h * c, 1e-6, 0);
                mn__adi_free(&g);
                mn_absorb_scenario_release(&s);
            }
}

static int g_open_air; /* 1: the next runs are open to air */

static double delivered_24h(const char *device, double needle_mm, double mw, double logp,
                            double *intact, double *mbe)
{
    mn_absorb_scenario s;
    scenario(&s, device, needle_mm, mw, logp);
    s.occluded = !g_open_air;
    mn_absorb_result r;
    assert_int_equal(mn_absorb_run(ctx, &s, NULL, NULL, &r), MN_OK);
    const mn_absorb_sample *x = &r.samples[r.n_samples - 1];
    double d = x->delivered_ug_cm2;
    if (intact)
        *intact = x->intact_ug_cm2;
    if (mbe)
        *mbe = r.mass_balance_error;
    for (size_t m = 0; m < r.n_samples; m++) {
        assert_true(isfinite(r.samples[m].enhancement));
        assert_true(r.samples[m].coverage >= 0 && r.samples[m].coverage <= 1);
    }
    mn_absorb_result_release(&r);
    mn_absorb_scenario_release(&s);
    return d;
}

static void test_enhancement_spread(void **state)
{
    (void)state;
    double intact, mbe;
    /* Retinol-like: small and lipophilic, already crosses intact skin: gains little. In an
     * aqueous film it sits at its (estimated) solubility, which drives both routes alike, so
     * the ratio stays near 1. */
    double lip = delivered_24h("dermapen-4", 1.0, 286.45, 5.68, &intact, &mbe);
    double e_lip = lip / intact;
    print_message("lipophilic: delivered %g intact %g (x%.2f)\n", lip, intact, e_lip);
    assert_true(e_lip >= 0.8 && e_lip < 3.0);
    /* Ascorbic acid: small and hydrophilic: gains a lot (its intact baseline runs mostly
     * through the polar route). */
    double hyd = delivered_24h("dermapen-4", 1.0, 176.12, -1.85, &intact, &mbe);
    double e_hyd = hyd / intact;
    print_message("hydrophilic: delivered %g intact %g (x%.3g)\n", hyd, intact, e_hyd);
    assert_true(e_hyd > 10);
    /* Peptides (Matrixyl-like MW 802 logP 1.5; Argireline-like MW 889 logP -4): the polar
     * route gives them a finite intact baseline, so the ratio lands in the hundreds, not at
     * 1e8 as with the lipid route alone (measured 2-22x, DESIGN 3.3: the model stays above
     * that, see docs/models/transport.md), and above the small hydrophilic molecule's. */
    double mws[2] = {802, 889}, lps[2] = {1.5, -4};
    for (int i = 0; i < 2; i++) {
        double pep = delivered_24h("dermapen-4", 1.0, mws[i], lps[i], &intact, &mbe);
        double e_pep = pep / intact;
        print_message("peptide MW %g: delivered %g intact %g (x%.3g)\n", mws[i], pep, intact,
                      e_pep);
        assert_true(intact > 1e-6 * pep);
        assert_true(e_pep > 2 && e_pep < 1000);
        assert_true(e_pep > e_hyd);
    }
    /* HA 5 kDa: "undetectable -> delivered": the largest ratio. */
    double ha = delivered_24h("dermapen-4", 1.0, 5000, -5, &intact, &mbe);
    print_message("HA 5 kDa: delivered %g intact %g (x%.3g)\n", ha, intact, ha / intact);
    assert_true(ha / intact > 1000);
    assert_true(e_lip < e_hyd);
    /* Without the polar route the peptide's intact baseline all but vanishes. */
    {
        mn_absorb_scenario s;
        scenario(&s, "dermapen-4", 1.0, 802, 1.5);
        mn_absorb_params with, without;
        assert_int_equal(mn_absorb_params_compute(ctx, &s, &with), MN_OK);
        s.polar_route = 0;
        assert_int_equal(mn_absorb_params_compute(ctx, &s, &without), MN_OK);
        assert_true(with.kp_cm_h > 10 * without.kp_cm_h);
        mn_absorb_scenario_release(&s);
    }
}

static void test_delivery_grows_with_needle_length(void **state)
{
    (void)state;
    /* Longer needles, deeper channels, more delivered (F44 in the issue): a large
     * hydrophilic molecule after a roller, open to air (channels close within hours, so the
     * dose is not simply exhausted and depth matters). Each step must add, and 2 mm must
     * deliver at least 10 % more than 0.25 mm. */
    double prev = 0, first = 0;
    double lengths[] = {0.25, 0.5, 1.0, 1.5, 2.0};
    g_open_air = 1;
    for (size_t i = 0; i < 5; i++) {
        double d = delivered_24h("dermaroller-192", lengths[i], 1500, -3, NULL, NULL);
        print_message("%.2f mm: %g ug/cm2\n", lengths[i], d);
        assert_true(d > prev);
        if (i == 0)
            first = d;
        prev = d;
    }
    assert_true(prev > 1.10 * first);
    g_open_air = 0;
}

static void test_closure_factors(void **state)
{
    (void)state;
    mn_absorb_scenario s;
    scenario(&s, "dermapen-4", 1.0, 200, 0);
    s.site = mn_catalog_find_site(mn_ctx_catalog(ctx), "upper-arm");
    s.patient.age_years = 25;
    s.patient.fitzpatrick = 2;
    mn_absorb_params occ, open, old, dark;
    assert_int_equal(mn_absorb_params_compute(ctx, &s, &occ), MN_OK);
    /* Occluded: F56b upper arm 23.69 h (forearm 20.2 x site factor). */
    assert_close(occ.closure_half_life_h, 23.69, 0.01, 0);
    s.occluded = 0;
    assert_int_equal(mn_absorb_params_compute(ctx, &s, &open), MN_OK);
    /* Open to air, at the forearm: about 3 half-lives to closure, which takes <= 2 h for
     * small arrays in humans (F51a), 4-5 h by TEWL after roller needles (F53a) and 12-18 h
     * by dye (F53b): pen and roller channels fall between the first two. */
    double open_closed_h = 3 * open.closure_half_life_h / s.site->closure_factor;
    assert_true(open_closed_h > 2.0 && open_closed_h < 5.0);
    assert_true(open.closure_half_life_lo_h < open.closure_half_life_h &&
                open.closure_half_life_hi_h > open.closure_half_life_h);
    /* Occlusion slows closure at least tenfold (F56b against F51a/F53a). */
    assert_true(occ.closure_half_life_h > 10 * open.closure_half_life_h);
    s.occluded = 1;
    s.patient.age_years = 75;
    assert_int_equal(mn_absorb_params_compute(ctx, &s, &old), MN_OK);
    assert_close(old.closure_half_life_h / occ.closure_half_life_h, 1.5, 1e-9, 0);
    s.patient.age_years = 25;
    s.patient.fitzpatrick = 6;
    assert_int_equal(mn_absorb_params_compute(ctx, &s, &dark), MN_OK);
    /* Ogunjimi 2020: 66.5 / 50.2 h. */
    assert_close(dark.closure_half_life_h / occ.closure_half_life_h, 66.5 / 50.2, 0.01, 0);
    /* The open fraction halves every half-life. */
    assert_close(mn_absorb_open_fraction(&occ, occ.closure_half_life_h), 0.5, 1e-12, 0);
    assert_close(mn_absorb_open_fraction(&occ, 3 * occ.closure_half_life_h), 0.125, 1e-12, 0);
    mn_absorb_scenario_release(&s);
}

/* Film on intact skin that nothing crosses (MW 20,000, logP -8, no polar route). */
static void film_scenario(mn_absorb_scenario *s, double conc, double sol, int occluded)
{
    scenario(s, NULL, 0, 20000, -8);
    s->polar_route = 0;
    s->occluded = occluded;
    s->concentration_mg_ml = conc;
    s->solubility_mg_ml = sol;
    s->hours = 2;
    free(s->report_hours);
    double h[] = {0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 2};
    s->n_report = sizeof h / sizeof h[0];
    s->report_hours = calloc(s->n_report, sizeof(double));
    memcpy(s->report_hours, h, sizeof h);
}

/* Analytic: a pure solvent film open to air thins linearly at the evaporation rate until
 * it is dry (0.1 % of its volume left); occluded it keeps its volume. */
static void test_film_evaporation(void **state)
{
    (void)state;
    mn_absorb_scenario s;
    film_scenario(&s, 1, 5000, 0);
    mn_absorb_result r;
    mn_status st = mn_absorb_run(ctx, &s, NULL, NULL, &r);
    if (st)
        print_message("%s\n", mn_ctx_errmsg(ctx));
    assert_int_equal(st, MN_OK);
    double e = r.params.evaporation_ul_cm2_h;
    /* 32 °C skin, 22 °C and 50 % air, still: 26 ul/cm2/h (props.c). */
    assert_close(e, 26, 0.05, 0);
    for (size_t m = 0; m < r.n_samples; m++) {
        double want = s.dose_ul_cm2 - e * r.samples[m].hour;
        if (want < 1e-3 * s.dose_ul_cm2)
            want = 1e-3 * s.dose_ul_cm2;
        assert_close(r.samples[m].film_ul_cm2, want, 1e-9, 0);
        /* Nothing crosses, nothing is lost with the water. */
        assert_close(r.samples[m].surface_ug_cm2, r.params.dose_ug_cm2, 1e-9, 0);
    }
    mn_absorb_result_release(&r);
    mn_absorb_scenario_release(&s);
    film_scenario(&s, 1, 5000, 1);
    assert_int_equal(mn_absorb_run(ctx, &s, NULL, NULL, &r), MN_OK);
    assert_true(r.params.evaporation_ul_cm2_h == 0);
    assert_close(r.samples[r.n_samples - 1].film_ul_cm2, s.dose_ul_cm2, 1e-12, 0);
    mn_absorb_result_release(&r);
    /* Humid, still air dries it more slowly; a breeze faster. */
    s.occluded = 0;
    mn_absorb_params a, b, c;
    assert_int_equal(mn_absorb_params_compute(ctx, &s, &a), MN_OK);
    s.relative_humidity = 0.9;
    assert_int_equal(mn_absorb_params_compute(ctx, &s, &b), MN_OK);
    s.relative_humidity = 0.5;
    s.air_speed_m_s = 1;
    assert_int_equal(mn_absorb_params_compute(ctx, &s, &c), MN_OK);
    assert_true(b.evaporation_ul_cm2_h < a.evaporation_ul_cm2_h &&
                c.evaporation_ul_cm2_h > a.evaporation_ul_cm2_h);
    mn_absorb_scenario_release(&s);
}

/* Analytic: a solute film with no uptake keeps its mass; once the shrinking film reaches the
 * solubility the dissolved amount is S x volume and the rest is solid; dried, all of it is a
 * solid deposit on the surface, none left dissolved. */
static void test_film_precipitates(void **state)
{
    (void)state;
    mn_absorb_scenario s;
    film_scenario(&s, 150, 330, 0);
    mn_absorb_result r;
    assert_int_equal(mn_absorb_run(ctx, &s, NULL, NULL, &r), MN_OK);
    double dose = r.params.dose_ug_cm2, e = r.params.evaporation_ul_cm2_h;
    int saw_solid = 0;
    for (size_t m = 0; m < r.n_samples; m++) {
        const mn_absorb_sample *x = &r.samples[m];
        assert_close(x->surface_ug_cm2, dose, 1e-9, 0);
        double vol = s.dose_ul_cm2 - e * x->hour;
        if (vol < 1e-3 * s.dose_ul_cm2)
            vol = 1e-3 * s.dose_ul_cm2;
        double dissolved = 330 * vol < dose ? 330 * vol : dose; /* mg/ml = ug/ul */
        if (vol <= 1e-3 * s.dose_ul_cm2)
            dissolved = 0; /* dried */
        assert_close(x->donor_ug_cm2, dissolved, 1e-9, 1e-9);
        assert_close(x->solid_ug_cm2, dose - dissolved, 1e-9, 1e-9);
        saw_solid |= x->solid_ug_cm2 > 0;
    }
    assert_true(saw_solid);
    assert_true(r.mass_balance_error < 1e-12);
    mn_absorb_result_release(&r);
    mn_absorb_scenario_release(&s);
    /* Applied above its solubility, the excess is solid from the start (occluded). */
    film_scenario(&s, 50, 20, 1);
    assert_int_equal(mn_absorb_run(ctx, &s, NULL, NULL, &r), MN_OK);
    assert_close(r.samples[0].solid_ug_cm2, 300, 1e-9, 0);
    mn_absorb_result_release(&r);
    mn_absorb_scenario_release(&s);
}

/* A 15 % vitamin C serum (ascorbic acid, MW 176.12, logP -1.85: 150 mg/ml, soluble to
 * 330 mg/ml; data/products.json) on cheek skin after a Dermapen 4 at 1.0 mm. */
static void serum_scenario(mn_absorb_scenario *s)
{
    scenario(s, "dermapen-4", 1.0, 176.12, -1.85);
    s->concentration_mg_ml = 150;
    s->solubility_mg_ml = 330;
}

/* Mass balance with the film: needled skin, open to air, every term counted. */
static void test_film_mass_balance(void **state)
{
    (void)state;
    mn_absorb_scenario s;
    serum_scenario(&s);
    s.occluded = 0;
    mn_absorb_result r;
    assert_int_equal(mn_absorb_run(ctx, &s, NULL, NULL, &r), MN_OK);
    assert_true(r.mass_balance_error < 1e-6);
    for (size_t m = 0; m < r.n_samples; m++) {
        const mn_absorb_sample *x = &r.samples[m];
        double sum = x->surface_ug_cm2 + x->sc_ug_cm2 + x->delivered_ug_cm2;
        assert_close(sum, r.params.dose_ug_cm2, 1e-6, 0);
    }
    mn_absorb_result_release(&r);
    mn_absorb_scenario_release(&s);
}

/* The first hour is bounded by the channels' volume and the tissue's uptake. Occluded and
 * below its solubility the film never exceeds the applied concentration C, so (comparison
 * principle) nothing above the channels' open depth d holds more than C per volume of
 * channel fluid and K C per volume of tissue, and the tissue below d takes up at most what
 * a half-space held at C at its surface takes up, with the first-order clearance k
 * everywhere (more sink, more uptake):
 *   M(t) = K C sqrt(D / k) [(k t + 1/2) erf(sqrt(k t)) + sqrt(k t / pi) exp(-k t)]
 * (Danckwerts' solution, Crank, The Mathematics of Diffusion, 2nd ed., section 14.2; 2 K C
 * sqrt(D t / pi) as k -> 0), K and D the larger of the viable epidermis' and the dermis'.
 * A planar estimate through the channels' wall area alone is not a bound: once sqrt(D t)
 * passes the channels' radius (tens of um, within minutes) a conical wall takes up several
 * times more per area, and at 0.5 h the model's uptake is 2.9x that estimate. The dose is
 * twenty times the usual so that it cannot hide an excess. Fails if the solver passes more
 * into the tissue than diffusion allows (e.g. tissue conductances 4x too high). */
static void test_first_hour_bound(void **state)
{
    (void)state;
    mn_absorb_scenario s;
    serum_scenario(&s);
    s.dose_ul_cm2 = 200;
    s.report_hours[0] = 0.5;
    s.report_hours[1] = 1;
    mn_absorb_result r;
    assert_int_equal(mn_absorb_run(ctx, &s, NULL, NULL, &r), MN_OK);
    const mn_absorb_params *p = &r.params;
    double k = p->k_ve_w > p->k_de_w ? p->k_ve_w : p->k_de_w;
    double d = (p->d_ve_um2_h > p->d_de_um2_h ? p->d_ve_um2_h : p->d_de_um2_h) * 1e-8; /* cm2/h */
    double c = s.concentration_mg_ml * 1000.0;                                         /* ug/cm3 */
    double kcl = p->clearance_per_h, v = p->channel_volume_ul_cm2 * 1e-3;              /* cm3/cm2 */
    assert_true(v > 0 && kcl > 0);
    for (size_t m = 0; m < 2; m++) {
        const mn_absorb_sample *x = &r.samples[m];
        double kt = kcl * x->hour;
        double below =
            k * c * sqrt(d / kcl) * ((kt + 0.5) * erf(sqrt(kt)) + sqrt(kt / MN__PI) * exp(-kt));
        double above = c * (v + k * (p->open_depth_um * 1e-4 - v));
        double planar = c * (v + p->channel_wall_cm2_cm2 * 2 * k * sqrt(d * x->hour / MN__PI));
        print_message("%.2f h: delivered %.1f, bound %.1f (above d %.1f), planar wall estimate "
                      "%.1f ug/cm2\n",
                      x->hour, x->delivered_ug_cm2, above + below, above, planar);
        assert_true(above + below < 0.8 * p->dose_ug_cm2);
        assert_true(x->delivered_ug_cm2 <= above + below);
    }
    mn_absorb_result_release(&r);
    mn_absorb_scenario_release(&s);
}

/* Where the film dries, the dry deposit does not depend on where the steps fall. HA 5 kDa
 * (soluble to 1000 mg/ml, estimated) at 10 mg/ml, 10 ul/cm2, open to air, over 0.25 mm
 * channels: the film reaches its solubility only in the last 1 % of its volume, as it dries,
 * and what is solid at the dry floor stays solid. Reported at [1, 24] h and at [0.25, 1, 24] h
 * (one more step boundary before the film dries), the 24 h delivered and solid amounts must
 * agree to 0.05 % of the dose (0.05 ug/cm2): a tenth of the 0.4 % of the dose by which they
 * differed when the step that reached the floor concentrated the film at once by up to 40x
 * (a step of 4 % of the applied volume ending at 0.1 % of it), and above the rounding of
 * the march by orders of magnitude (mass balance 1e-13). */
static void test_dry_deposit_independent_of_report_hours(void **state)
{
    (void)state;
    const char *sets[] = {"[1,24]", "[0.25,1,24]"};
    double delivered[2], solid[2], dose = 0;
    for (int i = 0; i < 2; i++) {
        char txt[512];
        snprintf(
            txt, sizeof txt,
            "{\"site\":\"cheek\",\"patient\":{\"age\":45,\"sex\":\"female\",\"fitzpatrick\":3},"
            "\"device\":\"dermapen-4\",\"needle_mm\":0.25,"
            "\"passes\":2,\"product\":{\"name\":\"hyaluronic-acid-5kda\","
            "\"concentration_mg_ml\":10,\"dose_ul_cm2\":10},\"occluded\":false,"
            "\"hours\":24,\"report_hours\":%s,\"band_runs\":0}",
            sets[i]);
        mn_absorb_scenario s;
        assert_int_equal(mn_absorb_scenario_parse(ctx, "t", txt, strlen(txt), &s), MN_OK);
        mn_absorb_result r;
        assert_int_equal(mn_absorb_run(ctx, &s, NULL, NULL, &r), MN_OK);
        /* The estimate counts the steps the run takes, the step on the drying hour included. */
        mn_absorb_work w;
        assert_int_equal(mn_absorb_estimate(ctx, &s, &w), MN_OK);
        assert_true(w.steps == (double)(r.steps - r.steps_intact));
        const mn_absorb_sample *x = &r.samples[r.n_samples - 1];
        assert_close(x->hour, 24, 0, 0);
        assert_true(r.mass_balance_error < 1e-6);
        delivered[i] = x->delivered_ug_cm2;
        solid[i] = x->solid_ug_cm2;
        dose = r.params.dose_ug_cm2;
        print_message("report hours %s: delivered %.4f, solid %.4f of %.1f ug/cm2\n", sets[i],
                      delivered[i], solid[i], dose);
        mn_absorb_result_release(&r);
        mn_absorb_scenario_release(&s);
    }
    assert_close(dose, 100, 1e-9, 0);
    assert_true(fabs(delivered[0] - delivered[1]) <= 5e-4 * dose);
    assert_true(fabs(solid[0] - solid[1]) <= 5e-4 * dose);
}

/* Intact skin, a film open to air against the same film occluded. A drying film's solute
 * ends as a deposit, which is not taken up, and the thin film left was the whole of a small
 * dose kept in solution at the 1,000 mg/ml solubility cap, which the SC's water share drew in
 * for the rest of the day: acetyl hexapeptide-8 (MW 889, logP -4, its solubility estimated)
 * at 1 mg/ml x 10 ul/cm2 took up 2.75 ug/cm2 open to air against 0.0465 occluded at 24 h,
 * 70 % of the dose in the SC. Now: the SC holds no more open than occluded, and uptake open
 * is at most 1.5x the occluded one (1.42x: the film concentrates ~25-fold before it stops
 * wetting the SC, and occlusion's hydration of the SC is not modelled, so the strict order
 * is not reached for a molecule this large). Small hydrophilic ones (niacinamide, vitamin
 * C) take up less open to air than occluded. */
static void test_intact_open_not_above_occluded(void **state)
{
    (void)state;
    const struct {
        double mw, logp, conc, sol, most;
    } m[] = {{889, -4, 1, 0, 1.5}, {122.12, -0.37, 50, 1000, 1.0}, {176.12, -1.85, 150, 330, 1.0}};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
        double del[2], sc[2];
        for (int occluded = 0; occluded < 2; occluded++) {
            mn_absorb_scenario s;
            scenario(&s, NULL, 0, m[i].mw, m[i].logp);
            s.concentration_mg_ml = m[i].conc;
            s.solubility_mg_ml = m[i].sol;
            s.occluded = occluded;
            mn_absorb_result r;
            assert_int_equal(mn_absorb_run(ctx, &s, NULL, NULL, &r), MN_OK);
            const mn_absorb_sample *x = &r.samples[r.n_samples - 1];
            del[occluded] = x->intact_ug_cm2;
            sc[occluded] = x->sc_ug_cm2;
            assert_true(r.mass_balance_error < 1e-6);
            mn_absorb_result_release(&r);
            mn_absorb_scenario_release(&s);
        }
        print_message("MW %g: 24 h open %.4g, occluded %.4g ug/cm2 (x%.3g); SC %.4g, %.4g\n",
                      m[i].mw, del[0], del[1], del[0] / del[1], sc[0], sc[1]);
        assert_true(del[0] <= m[i].most * del[1]);
        assert_true(sc[0] <= sc[1]);
    }
}

/* Intact route within its range: Potts-Guy up to MW 750, beyond it a size-dependent model
 * (Mitragotri 2003) anchored at the limit, and a caution naming the limit. */
static void test_kp_range(void **state)
{
    (void)state;
    mn_absorb_scenario s;
    scenario(&s, NULL, 0, 750, 1.5);
    s.polar_route = 0;
    mn_absorb_params at, above, far;
    assert_int_equal(mn_absorb_params_compute(ctx, &s, &at), MN_OK);
    assert_false(at.kp_outside_range);
    /* At the limit, the regression itself. */
    assert_close(at.kp_lipid_cm_h, pow(10, -6.3 + 0.71 * 1.5 - 0.0061 * 750) * 3600, 1e-12, 0);
    s.mw = 751;
    assert_int_equal(mn_absorb_params_compute(ctx, &s, &above), MN_OK);
    assert_true(above.kp_outside_range);
    assert_close(above.kp_lipid_cm_h, at.kp_lipid_cm_h, 0.02, 0); /* continuous */
    /* 5 kDa: the scaled-particle factor exp(-0.46 (r^2 - r750^2)), not Potts-Guy's 1e-26. */
    s.mw = 5000;
    assert_int_equal(mn_absorb_params_compute(ctx, &s, &far), MN_OK);
    double r1 = cbrt(3 * 750 * 0.75 / (4 * 3.14159265358979 * 6.02214076e23)) * 1e8;
    double r2 = cbrt(3 * 5000 * 0.75 / (4 * 3.14159265358979 * 6.02214076e23)) * 1e8;
    assert_close(far.kp_lipid_cm_h / at.kp_lipid_cm_h, exp(-0.46 * (r2 * r2 - r1 * r1)), 1e-9, 0);
    /* logP out of the fitted -3..6 is flagged too; caffeine is not. */
    s.mw = 300;
    s.logp = 7;
    assert_int_equal(mn_absorb_params_compute(ctx, &s, &far), MN_OK);
    assert_true(far.kp_outside_range);
    s.logp = -0.07;
    s.mw = 194.19;
    assert_int_equal(mn_absorb_params_compute(ctx, &s, &far), MN_OK);
    assert_false(far.kp_outside_range);
    mn_absorb_scenario_release(&s);
}

/* A linear polymer's diffusivity comes from its coil's hydrodynamic radius, not from a compact
 * sphere of its mass: D_aq is Stokes-Einstein in the radius (so it scales as 1/r), dermal
 * clearance follows it, and the catalogue's HA carries its sourced radius into a scenario. */
static void test_hydrodynamic_radius(void **state)
{
    (void)state;
    mn_absorb_scenario s;
    scenario(&s, "dermapen-4", 1.0, 5000, -5);
    mn_absorb_params sphere, coil;
    assert_int_equal(mn_absorb_params_compute(ctx, &s, &sphere), MN_OK);
    assert_false(sphere.radius_from_product);
    double r_sphere = cbrt(3 * 5000 * 0.75 / (4 * 3.14159265358979 * 6.02214076e23)) * 1e7;
    assert_close(sphere.hydrodynamic_radius_nm, r_sphere, 1e-12, 0);
    /* Stokes-Einstein at 32 C in water at 7.65e-4 Pa s, 1.14 nm: 2.56e-6 cm2/s. */
    double kt = 1.380649e-23 * 305.15, eta = 7.65e-4;
    double d_sphere = kt / (6 * 3.14159265358979 * eta * r_sphere * 1e-9) * 1e4 * 1e8 * 3600;
    assert_close(sphere.d_aq_um2_h, d_sphere, 1e-12, 0);
    s.hydrodynamic_radius_nm = 2.8;
    assert_int_equal(mn_absorb_params_compute(ctx, &s, &coil), MN_OK);
    assert_true(coil.radius_from_product);
    assert_close(coil.d_aq_um2_h / sphere.d_aq_um2_h, r_sphere / 2.8, 1e-12, 0);
    assert_close(coil.d_ve_um2_h / sphere.d_ve_um2_h, r_sphere / 2.8, 1e-12, 0);
    assert_close(coil.clearance_per_h / sphere.clearance_per_h, r_sphere / 2.8, 1e-12, 0);
    mn_absorb_scenario_release(&s);
    /* The catalogue's HA: its radius, with a source; a changed MW drops it. */
    const mn_product *ha = mn_catalog_find_product(mn_ctx_catalog(ctx), "hyaluronic-acid-5kda");
    assert_non_null(ha);
    assert_true(ha->hydrodynamic_radius_nm > 2 * r_sphere);
    assert_non_null(ha->hydrodynamic_radius_source);
    const char *txt = "{\"site\":\"cheek\",\"device\":\"none\",\"product\":{\"name\":"
                      "\"hyaluronic-acid-5kda\"},\"hours\":1,\"report_hours\":[1]}";
    assert_int_equal(mn_absorb_scenario_parse(ctx, "t", txt, strlen(txt), &s), MN_OK);
    assert_close(s.hydrodynamic_radius_nm, ha->hydrodynamic_radius_nm, 0, 0);
    mn_absorb_scenario_release(&s);
    const char *mod = "{\"site\":\"cheek\",\"device\":\"none\",\"product\":{\"name\":"
                      "\"hyaluronic-acid-5kda\",\"mw\":20000},\"hours\":1,\"report_hours\":[1]}";
    assert_int_equal(mn_absorb_scenario_parse(ctx, "t", mod, strlen(mod), &s), MN_OK);
    assert_true(s.hydrodynamic_radius_nm <= 0);
    mn_absorb_scenario_release(&s);
}

/* The tissue's diffusivity of macromolecules (one hindrance, 0.2 D_aq, for every size and both
 * viable layers) against the only measurement found: Wei et al., Sci Rep 2018;8:17759, rhodamine
 * dextrans of 70, 500 and 2000 kDa deposited in ex-vivo human skin, epidermal diffusivities
 * 1-8 um2/s and dermal 1-20 um2/s over the three sizes (abstract; per-size values not read).
 * The dextrans' radii are their viscometric radii, R = (3 [eta] M / (10 pi N_A))^(1/3), from the
 * Mark-Houwink relation [eta] = 0.2628 M^0.3888 ml/g (37 C, buffered saline, 43-1990 kDa; the
 * review table of Masuelli, J Polym Biopolym Phys Chem 2013;1:13, its reference 5, read in a copy
 * of the table, not checked against the paper), the derivation the
 * HA product uses: 6.1, 15.1 and 28.6 nm. This check was computed after the model was set, and
 * is not counted in the delivery validation (docs/models/transport.md): the dermis lies inside
 * the measured range at every size, and so does the epidermis at 500 and 2000 kDa; at 70 kDa
 * the model's epidermis (9.6 um2/s) lies above the measured epidermal top of 8, a documented
 * miss this test holds to, so that a change to the hindrance shows here and in the docs. */
static void test_macromolecule_tissue_diffusivity(void **state)
{
    (void)state;
    const double mw[] = {70e3, 500e3, 2000e3}, k_mh = 0.2628, a_mh = 0.3888;
    const double pi = 3.14159265358979, na = 6.02214076e23;
    for (int i = 0; i < 3; i++) {
        double eta = k_mh * pow(mw[i], a_mh);
        double r_nm = cbrt(3 * eta * mw[i] / (10 * pi * na)) * 1e7;
        mn_absorb_scenario s;
        /* The tissue's diffusivity follows the radius alone; the MW (which the intact route
         * reads, up to the scenario's limit) does not enter it. */
        scenario(&s, "dermapen-4", 1.0, fmin(mw[i], MN_ABSORB_MAX_MW), -5);
        s.hydrodynamic_radius_nm = r_nm;
        mn_absorb_params p;
        mn_status st = mn_absorb_params_compute(ctx, &s, &p);
        if (st)
            print_error("%g: %s\n", mw[i], mn_ctx_errmsg(ctx));
        assert_int_equal(st, MN_OK);
        double ve = p.d_ve_um2_h / 3600, de = p.d_de_um2_h / 3600; /* um2/s, as published */
        assert_true(de >= 1 && de <= 20);
        if (i == 0)
            assert_true(ve > 8 && ve < 8 * 1.25); /* the miss: above the range, by < 25 % */
        else
            assert_true(ve >= 1 && ve <= 8);
        mn_absorb_scenario_release(&s);
    }
}

/* The fluxes a result reports, integrated sample by sample (each over the interval it ends),
 * give its amounts: into the receptor (@p receptor, a Franz cell) or delivered (into the
 * tissue), with channels and through intact skin alike. */
static void assert_fluxes_integrate(const mn_absorb_result *r, int receptor)
{
    double q = 0, qi = 0, t0 = 0;
    for (size_t m = 0; m < r->n_samples; m++) {
        const mn_absorb_sample *x = &r->samples[m];
        double dt = x->hour - t0;
        t0 = x->hour;
        q += (receptor ? x->receptor_flux_ug_cm2_h : x->flux_ug_cm2_h) * dt;
        qi += (receptor ? x->intact_receptor_flux_ug_cm2_h : x->intact_flux_ug_cm2_h) * dt;
        assert_close(q, receptor ? x->receptor_ug_cm2 : x->delivered_ug_cm2, 1e-9, 1e-12);
        assert_close(qi, receptor ? x->intact_receptor_ug_cm2 : x->intact_ug_cm2, 1e-9, 1e-15);
    }
}

/* Franz cell (in vitro): no clearance, so everything that left the tissue is in the receptor
 * and mass is kept with it; channels stay open; the receptor's fluxes integrate to its
 * amounts and its ratio is computed from them; the intact column's receptor lags. A
 * lipophilic small solute through full-thickness skin reaches the receptor later than it
 * crosses the SC, and the in-vivo run of the same scenario has no receptor. */
static void test_franz_cell(void **state)
{
    (void)state;
    mn_absorb_scenario s;
    scenario(&s, "dermaroller-192", 0.5, 151.2, 2.44);
    s.passes = 5;
    s.franz = 1;
    s.dose_ul_cm2 = 100;
    s.band_runs = 0;
    mn_absorb_result r;
    assert_int_equal(mn_absorb_run(ctx, &s, NULL, NULL, &r), MN_OK);
    assert_true(r.params.franz);
    assert_true(r.params.clearance_per_h == 0);
    assert_close(mn_absorb_open_fraction(&r.params, 24), 1, 0, 0);
    assert_true(r.mass_balance_error < 1e-6);
    assert_fluxes_integrate(&r, 1);
    for (size_t m = 0; m < r.n_samples; m++) {
        const mn_absorb_sample *x = &r.samples[m];
        assert_close(x->receptor_ug_cm2, x->cleared_ug_cm2, 0, 0);
        assert_true(x->receptor_ug_cm2 > 0 && x->receptor_ug_cm2 < x->delivered_ug_cm2);
        assert_true(x->open_fraction == 1);
        assert_close(x->receptor_ratio, x->receptor_ug_cm2 / x->intact_receptor_ug_cm2, 1e-12, 0);
        /* dose = surface + SC + VE + dermis + receptor */
        double sum =
            x->surface_ug_cm2 + x->sc_ug_cm2 + x->ve_ug_cm2 + x->dermis_ug_cm2 + x->receptor_ug_cm2;
        assert_close(sum, r.params.dose_ug_cm2, 1e-6, 0);
    }
    assert_close(r.receptor_flux_ratio,
                 r.receptor_max_flux_ug_cm2_h / r.intact_receptor_max_flux_ug_cm2_h, 1e-12, 0);
    assert_true(r.intact_receptor_lag_time_h > r.receptor_lag_time_h);
    mn_absorb_result_release(&r);
    /* In vivo the same scenario clears by blood flow and has no receptor. */
    s.franz = 0;
    assert_int_equal(mn_absorb_run(ctx, &s, NULL, NULL, &r), MN_OK);
    assert_true(r.params.clearance_per_h > 0);
    assert_true(r.samples[r.n_samples - 1].receptor_ug_cm2 == 0);
    assert_true(mn_absorb_open_fraction(&r.params, 24) < 1);
    mn_absorb_result_release(&r);
    mn_absorb_scenario_release(&s);
}

/* A product applied above a solubility the model only estimated gets a caution naming the
 * estimate; with the product's own solubility, or below the estimate, none. */
static void test_solubility_caution(void **state)
{
    (void)state;
    mn_absorb_scenario s;
    scenario(&s, NULL, 0, 234.34, 2.44); /* lidocaine base: GSE 0.27 mg/ml */
    s.concentration_mg_ml = 40;
    s.hours = 1;
    s.report_hours[0] = 1;
    s.n_report = 1;
    for (int k = 0; k < 3; k++) {
        s.solubility_mg_ml = k == 1 ? 4.1 : 0;
        s.concentration_mg_ml = k == 2 ? 0.1 : 40;
        mn_absorb_result r;
        assert_int_equal(mn_absorb_run(ctx, &s, NULL, NULL, &r), MN_OK);
        mn__buf b;
        mn__buf_init(&b);
        assert_int_equal(mn_absorb_write_json(ctx, &s, &r, buf_writer, &b), MN_OK);
        mn__buf_append(&b, "", 1);
        int has = strstr(b.data, "above the solubility the model estimated") != NULL;
        assert_int_equal(has, k == 0);
        mn__buf_release(&b);
        mn_absorb_result_release(&r);
    }
    mn_absorb_scenario_release(&s);
}

/* Franz outputs: mean fluxes integrate to the delivered amount; the band brackets a spread;
 * the maximal-flux ratio is computed from the fluxes it names. */
static void test_franz_outputs(void **state)
{
    (void)state;
    mn_absorb_scenario s;
    scenario(&s, "dermapen-4", 1.0, 802, 1.5);
    s.band_runs = 16;
    mn_absorb_result r;
    assert_int_equal(mn_absorb_run(ctx, &s, NULL, NULL, &r), MN_OK);
    assert_fluxes_integrate(&r, 0);
    for (size_t m = 0; m < r.n_samples; m++) {
        const mn_absorb_sample *x = &r.samples[m];
        assert_true(x->delivered_lo_ug_cm2 <= x->delivered_hi_ug_cm2);
        assert_true(x->enhancement_lo <= x->enhancement_hi);
    }
    assert_true(r.band_runs == 16);
    /* Uncertain parameters spread the answer. */
    assert_true(r.samples[0].delivered_hi_ug_cm2 > 1.05 * r.samples[0].delivered_lo_ug_cm2);
    assert_close(r.flux_enhancement, r.max_flux_ug_cm2_h / r.intact_max_flux_ug_cm2_h, 1e-12, 0);
    assert_true(r.lag_time_h >= 0 && r.lag_time_h <= r.max_flux_hour);
    mn_absorb_result_release(&r);
    mn_absorb_scenario_release(&s);
}

static void test_extremes_stay_finite(void **state)
{
    (void)state;
    double mws[] = {50, 5000}, logps[] = {-5, 8}, needles[] = {0.1, 3.0};
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++)
            for (int c = 0; c < 2; c++) {
                double intact, mbe;
                double d = delivered_24h("dermapen-4", needles[c], mws[a], logps[b], &intact, &mbe);
                assert_true(isfinite(d) && d >= 0 && isfinite(intact) && intact >= 0);
                assert_true(mbe < 1e-6);
            }
    double intact, mbe;
    double d = delivered_24h(NULL, 0, 5000, -5, &intact, &mbe);
    assert_true(d == intact && mbe < 1e-6);
}

/* Dense needling: a pen's passes put the channels close together, and the band widens the
 * channels further, up to the unit cell's own radius. Every pass count a clinic uses runs,
 * band included, with a finite answer and mass kept. */
static void test_dense_passes_stay_finite(void **state)
{
    (void)state;
    for (int passes = 1; passes <= 12; passes++) {
        mn_absorb_scenario s;
        scenario(&s, "dermapen-4", 1.0, 176.12, -1.85);
        s.passes = passes;
        mn_absorb_result r;
        mn_status st = mn_absorb_run(ctx, &s, NULL, NULL, &r);
        if (st)
            print_error("%d passes: %s\n", passes, mn_ctx_errmsg(ctx));
        assert_int_equal(st, MN_OK);
        assert_true(r.mass_balance_error < 1e-6);
        for (size_t m = 0; m < r.n_samples; m++)
            assert_true(isfinite(r.samples[m].delivered_ug_cm2) &&
                        isfinite(r.samples[m].delivered_lo_ug_cm2) &&
                        isfinite(r.samples[m].delivered_hi_ug_cm2));
        mn_absorb_result_release(&r);
        mn_absorb_scenario_release(&s);
    }
}

static void test_field_run_small(void **state)
{
    (void)state;
    mn_absorb_scenario s;
    scenario(&s, "skinpen", 1.0, 176.12, -1.85);
    s.field = 1;
    s.field_width_um = s.field_height_um = 600;
    s.field_dx_um = 20;
    s.passes = 3;
    mn_absorb_result r;
    assert_int_equal(mn_absorb_run(ctx, &s, NULL, NULL, &r), MN_OK);
    assert_int_equal(r.solver_field, 1);
    assert_true(r.field.n > 0);
    assert_true(r.mass_balance_error < 1e-6);
    assert_non_null(r.volume_ug_ml);
    assert_int_equal(r.nx, 30);
    for (size_t m = 0; m < r.n_samples; m++)
        assert_true(r.samples[m].coverage >= 0 && r.samples[m].coverage <= 1);
    /* The writers. */
    mn__buf b;
    mn__buf_init(&b);
    assert_int_equal(mn_absorb_write_vtk(ctx, &r, buf_writer, &b), MN_OK);
    assert_true(b.len > r.nx * r.ny * r.n_depth * 4);
    assert_memory_equal(b.data, "# vtk DataFile Version 3.0", 26);
    mn__buf_release(&b);
    mn_absorb_result_release(&r);
    mn_absorb_scenario_release(&s);
}

/* The estimate before a run: its step count is the run's (intact column, unit cell, 3D patch),
 * its cells the main grid's; the grid limit is refused there, naming the file and $.field; a
 * stop request ends the run with MN_ESTOPPED and nothing in the result. */
static int stop_now(void *ud)
{
    int *calls = ud;
    return ++*calls >= 3;
}

static void test_estimate_and_stop(void **state)
{
    (void)state;
    mn_absorb_scenario s;
    mn_absorb_result r;
    mn_absorb_work w, intact;
    scenario(&s, NULL, 0, 176.12, -1.85); /* intact skin only */
    assert_int_equal(mn_absorb_estimate(ctx, &s, &intact), MN_OK);
    assert_int_equal(mn_absorb_run(ctx, &s, NULL, NULL, &r), MN_OK);
    assert_true(intact.steps == (double)r.steps && intact.steps > 10);
    assert_true(intact.cell_steps == intact.cells * intact.steps);
    mn_absorb_result_release(&r);
    mn_absorb_scenario_release(&s);
    for (int field = 0; field <= 1; field++) {
        scenario(&s, "skinpen", 1.0, 176.12, -1.85);
        s.field = field;
        s.field_width_um = s.field_height_um = 600;
        s.field_dx_um = 20;
        assert_int_equal(mn_absorb_estimate(ctx, &s, &w), MN_OK);
        assert_int_equal(mn_absorb_run(ctx, &s, NULL, NULL, &r), MN_OK);
        /* The run's steps: the intact column's, then the main grid's. */
        assert_true(w.steps + intact.steps == (double)r.steps);
        assert_true(w.steps > 10);
        if (field)
            assert_true(w.cells == (double)(r.nx * r.ny * r.n_depth));
        assert_true(w.seconds == w.cell_steps * MN_ABSORB_SECONDS_PER_CELL_STEP);
        mn_absorb_result_release(&r);
        /* Stopped on the third step: MN_ESTOPPED, an empty result. */
        int calls = 0;
        assert_int_equal(mn_absorb_run_until(ctx, &s, NULL, stop_now, &calls, &r), MN_ESTOPPED);
        assert_int_equal(calls, 3);
        assert_non_null(strstr(mn_ctx_errmsg(ctx), "stopped at"));
        assert_int_equal(r.n_samples, 0);
        assert_null(r.samples);
        assert_false(mn_status_is_input_error(MN_ESTOPPED));
        mn_absorb_scenario_release(&s);
    }
    /* Over the 3D grid limit: refused by the estimate and by the run, before any work. */
    scenario(&s, "skinpen", 1.0, 176.12, -1.85);
    snprintf(s.source, sizeof s.source, "big.json");
    s.field = 1;
    s.field_width_um = s.field_height_um = 50000;
    s.field_dx_um = 2;
    assert_int_equal(mn_absorb_estimate(ctx, &s, &w), MN_ELIMIT);
    assert_non_null(strstr(mn_ctx_errmsg(ctx), "big.json: $.field: the 3D grid would have"));
    assert_int_equal(mn_absorb_run(ctx, &s, NULL, NULL, &r), MN_ELIMIT);
    assert_non_null(strstr(mn_ctx_errmsg(ctx), "big.json: $.field:"));
    mn_absorb_scenario_release(&s);
}

/* Dermal coverage on a small 3D patch at 1 h, with the threshold fixed in ug/ml: strictly
 * between 0 and 1 (the reference case reads 0 at 24 h only because its dose has been
 * delivered and cleared by then), larger with more serum, with longer needles and with a
 * lower threshold. A tally in the wrong units, over the wrong layers or before the step
 * would break at least one of these. */
static double coverage_1h(double needle_mm, double dose_ul_cm2, double threshold_ug_ml)
{
    mn_absorb_scenario s;
    scenario(&s, "skinpen", needle_mm, 176.12, -1.85);
    s.passes = 1.5;
    s.dose_ul_cm2 = dose_ul_cm2;
    s.occluded = 1;
    s.hours = 1;
    s.n_report = 1;
    s.report_hours[0] = 1;
    s.coverage_threshold_ug_ml = threshold_ug_ml;
    s.field = 1;
    s.field_width_um = s.field_height_um = 600;
    s.field_dx_um = 20;
    mn_absorb_result r;
    assert_int_equal(mn_absorb_run(ctx, &s, NULL, NULL, &r), MN_OK);
    assert_true(r.mass_balance_error < 1e-6);
    assert_true(r.coverage_threshold_ug_ml == threshold_ug_ml);
    double c = r.samples[0].coverage;
    mn_absorb_result_release(&r);
    mn_absorb_scenario_release(&s);
    return c;
}

static void test_field_coverage(void **state)
{
    (void)state;
    double base = coverage_1h(1.5, 10, 100);
    assert_true(base > 0.05 && base < 0.95);
    assert_true(coverage_1h(1.5, 20, 100) > base + 0.02);
    assert_true(coverage_1h(1.5, 5, 100) < base - 0.02);
    /* Shorter needles never cover more. At 1 h the openings, not the depth, set the uptake
     * (the unit cell agrees): 0.5 mm covers as much as 1.5 mm here (0.58 both); the 0.47
     * once seen at 0.5 mm was the split step's throttling of narrow channels (absorb.c). */
    assert_true(coverage_1h(0.5, 10, 100) <= base + 0.02);
    assert_true(coverage_1h(1.5, 10, 1000) < base - 0.02);
}

static void test_json_and_csv(void **state)
{
    (void)state;
    mn_absorb_scenario s;
    scenario(&s, "dermapen-4", 1.0, 176.12, -1.85);
    mn_absorb_result r;
    assert_int_equal(mn_absorb_run(ctx, &s, NULL, NULL, &r), MN_OK);
    mn__buf b;
    mn__buf_init(&b);
    assert_int_equal(mn_absorb_write_json(ctx, &s, &r, buf_writer, &b), MN_OK);
    mn__buf_append(&b, "", 1);
    const char *keys[] = {"\"punctures_per_cm2\"",
                          "\"channel_depth_um\"",
                          "\"channel_diameter_um\"",
                          "\"closure_half_life_h\"",
                          "\"samples\"",
                          "\"delivered_ug_cm2\"",
                          "\"intact_ug_cm2\"",
                          "\"enhancement\"",
                          "\"mass_balance_error\"",
                          "\"hour\""};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        assert_non_null(strstr(b.data, keys[i]));
    mn__buf_release(&b);
    mn__buf_init(&b);
    assert_int_equal(mn_absorb_write_csv(ctx, &r, buf_writer, &b), MN_OK);
    size_t lines = 0;
    for (size_t i = 0; i < b.len; i++)
        lines += b.data[i] == '\n';
    assert_int_equal(lines, 1 + r.n_samples * r.n_depth);
    mn__buf_release(&b);
    /* --vtk without a 3D run is refused. */
    assert_int_equal(mn_absorb_write_vtk(ctx, &r, buf_writer, &b), MN_EINVAL);
    mn_absorb_result_release(&r);
    mn_absorb_scenario_release(&s);
}

/* The text marks an hour whose delivered amount lies outside its band, and says why; the JSON
 * says it per hour. A run inside its band gets neither. */
static void test_outside_band_marked(void **state)
{
    (void)state;
    mn_absorb_scenario s;
    scenario(&s, "dermapen-4", 1.0, 176.12, -1.85);
    s.band_runs = 8;
    mn_absorb_result r;
    assert_int_equal(mn_absorb_run(ctx, &s, NULL, NULL, &r), MN_OK);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) /* the last hour pushed above its band, as a 3D patch can be */
            r.samples[r.n_samples - 1].delivered_ug_cm2 =
                1.1 * r.samples[r.n_samples - 1].delivered_hi_ug_cm2;
        else
            for (size_t m = 0; m < r.n_samples; m++)
                assert_true(r.samples[m].delivered_ug_cm2 >= r.samples[m].delivered_lo_ug_cm2 &&
                            r.samples[m].delivered_ug_cm2 <= r.samples[m].delivered_hi_ug_cm2);
        mn__buf b;
        mn__buf_init(&b);
        assert_int_equal(mn_absorb_write_text(ctx, &s, &r, buf_writer, &b), MN_OK);
        mn__buf_append(&b, "", 1);
        assert_int_equal(strstr(b.data, ")*") != NULL, pass);
        assert_int_equal(strstr(b.data, "\n*: delivered lies outside its band") != NULL, pass);
        mn__buf_release(&b);
        mn__buf_init(&b);
        assert_int_equal(mn_absorb_write_json(ctx, &s, &r, buf_writer, &b), MN_OK);
        mn__buf_append(&b, "", 1);
        assert_int_equal(strstr(b.data, "\"delivered_outside\": true") != NULL, pass);
        assert_non_null(strstr(b.data, "\"delivered_outside\": false"));
        mn__buf_release(&b);
    }
    mn_absorb_result_release(&r);
    mn_absorb_scenario_release(&s);
}

static mn_status load_text(const char *text)
{
    char path[] = "/tmp/mn_absorb_test_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    mn_absorb_scenario s;
    mn_status st = mn_absorb_scenario_load(ctx, path, &s);
    mn_absorb_scenario_release(&s);
    remove(path);
    return st;
}

static void test_bad_scenarios(void **state)
{
    (void)state;
    const char *ok = "{\"site\":\"cheek\",\"device\":\"skinpen\",\"needle_mm\":1,\"passes\":2,"
                     "\"product\":{\"name\":\"caffeine\"},\"hours\":24}";
    assert_int_equal(load_text(ok), MN_OK);
    struct {
        const char *text, *where;
        mn_status st;
    } bad[] = {
        {"{\"site\":\"elbow\",\"device\":\"none\",\"product\":{\"name\":\"caffeine\"}}", "$.site",
         MN_ENOTFOUND},
        {"{\"site\":\"cheek\",\"patient\":{\"age\":300},\"device\":\"none\",\"product\":{\"name\":"
         "\"caffeine\"}}",
         "$.patient.age", MN_ERANGE},
        {"{\"site\":\"cheek\",\"device\":\"skinpen\",\"needle_mm\":9,\"passes\":1,\"product\":{"
         "\"name\":\"caffeine\"}}",
         "$.needle_mm", MN_ERANGE},
        {"{\"site\":\"cheek\",\"device\":\"laser\",\"product\":{\"name\":\"caffeine\"}}",
         "$.device", MN_ENOTFOUND},
        {"{\"site\":\"cheek\",\"device\":\"none\",\"product\":{\"mw\":\"big\",\"logp\":1,"
         "\"concentration_mg_ml\":1}}",
         "$.product.mw", MN_ETYPE},
        {"{\"site\":\"cheek\",\"device\":\"none\",\"product\":{\"name\":\"caffeine\"},\"hours\":24,"
         "\"report_hours\":[6,2]}",
         "$.report_hours[1]", MN_ERANGE},
        {"{\"site\":\"cheek\",\"device\":\"none\",\"product\":{\"name\":\"caffeine\"},\"colour\":"
         "1}",
         "colour", MN_EPARSE},
        {"{\"site\":\"cheek\",\"patient\":{\"fitzpatrick\":7},\"device\":\"none\",\"product\":{"
         "\"name\":\"caffeine\"}}",
         "$.patient.fitzpatrick", MN_ERANGE},
        {"{\"site\":\"cheek\",\"device\":\"none\"", "", MN_EPARSE},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mn_status st = load_text(bad[i].text);
        print_message("%s -> %s\n", mn_status_name(st), mn_ctx_errmsg(ctx));
        assert_true(mn_status_is_input_error(st));
        assert_non_null(strstr(mn_ctx_errmsg(ctx), bad[i].where));
        assert_non_null(strstr(mn_ctx_errmsg(ctx), "/tmp/mn_absorb_test_"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intact_flux_is_kp_c),
        cmocka_unit_test(test_enhancement_spread),
        cmocka_unit_test(test_delivery_grows_with_needle_length),
        cmocka_unit_test(test_closure_factors),
        cmocka_unit_test(test_film_evaporation),
        cmocka_unit_test(test_film_precipitates),
        cmocka_unit_test(test_film_mass_balance),
        cmocka_unit_test(test_first_hour_bound),
        cmocka_unit_test(test_dry_deposit_independent_of_report_hours),
        cmocka_unit_test(test_intact_open_not_above_occluded),
        cmocka_unit_test(test_kp_range),
        cmocka_unit_test(test_hydrodynamic_radius),
        cmocka_unit_test(test_macromolecule_tissue_diffusivity),
        cmocka_unit_test(test_franz_cell),
        cmocka_unit_test(test_solubility_caution),
        cmocka_unit_test(test_franz_outputs),
        cmocka_unit_test(test_extremes_stay_finite),
        cmocka_unit_test(test_dense_passes_stay_finite),
        cmocka_unit_test(test_field_run_small),
        cmocka_unit_test(test_field_coverage),
        cmocka_unit_test(test_json_and_csv),
        cmocka_unit_test(test_outside_band_marked),
        cmocka_unit_test(test_bad_scenarios),
        cmocka_unit_test(test_estimate_and_stop),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
