/*
 * Healing model: the calibration rows it must reproduce (F05a/b, F09, F32a, F34a), the
 * behaviour it must show (remodelling after a course, dose response with saturation, age and
 * smoking, not permanent, maintenance holds), and the numerics (exact propagator vs CVODE,
 * superposition in the projection, no allocation in the per-person run).
 */
#include <stdlib.h>
#include <string.h>

#include "healing/healing_internal.h"
#include "mn_test.h"
#include "mneedle/mneedle.h"

MN_TEST_CATALOG_FIXTURE

static mn_patient person(double age, int smoker)
{
    mn_patient p = {age, MN_SEX_FEMALE, 2, smoker, MN_SUN_MODERATE};
    return p;
}

/* n sessions every `every` days with one device and setting. */
static void course(mn_healing_session *s, int n, int every, const char *dev, double mm,
                   double passes)
{
    for (int i = 0; i < n; i++)
        s[i] = (mn_healing_session){every * i, mn_catalog_find_device(cat, dev), mm, passes, 0};
}

static mn_healing_scenario scenario(mn_patient p, const char *zone, const char *concern,
                                    const mn_healing_session *s, int n, int horizon)
{
    mn_healing_scenario sc = {
        p, mn_catalog_find_site(cat, zone), mn_catalog_find_concern(cat, concern), s, n, horizon};
    return sc;
}

/* The constants the helpers below run with: NULL (the library's defaults) except where a test
 * sets another set for the length of a check. */
static const mn_healing_params *constants;

static const mn_healing_options *with_constants(mn_healing_options *o)
{
    mn_healing_options_init(o);
    o->params = constants;
    return o;
}

/* The scenario most tests share: @p n sessions every @p every days of a SkinPen at 1.5 mm x 3
 * passes on the cheek of a non-smoking woman of @p age (wrinkles), to @p horizon; fills @p s. */
static mn_healing_scenario pen_wrinkles(mn_healing_session *s, int n, int every, double age,
                                        int horizon)
{
    course(s, n, every, "skinpen", 1.5, 3);
    return scenario(person(age, 0), "cheek", "fine-lines-wrinkles", s, n, horizon);
}

static mn_healing_sample at_day(const mn_healing_scenario *sc, int day)
{
    mn_healing_sample o;
    mn_healing_options ho;
    memset(&o, 0, sizeof o);
    assert_int_equal(mn_healing_run(ctx, sc, NULL, with_constants(&ho), &day, 1, &o, NULL), MN_OK);
    return o;
}

/* REGRESSION TEST, not validation: F05a/b, Lotfi 2013 (a calibration study): 5 monthly 1.5 mm
 * roller sessions -> papillary collagen +53.2 %, epidermis +50 %, 8 weeks after the last. The
 * default constants R_max, e_gain and x_c were fitted to these numbers, so this test cannot
 * fail for a scientific reason; it catches a drift of the model or its parameters (tolerance
 * +-5 points). Validation is against studies the fit did not see (docs/evidence.md). */
static void test_regression_lotfi_2013(void **state)
{
    (void)state;
    mn_healing_session s[5];
    course(s, 5, 30, "dermaroller-192", 1.5, 15);
    mn_patient p = {25, MN_SEX_FEMALE, 3, 0, MN_SUN_MODERATE};
    mn_healing_scenario sc = scenario(p, "cheek", "acne-scars", s, 5, 400);
    mn_healing_sample o = at_day(&sc, 120 + 56);
    assert_close(o.collagen_change_pct, 53.2, 0, 5);
    assert_close(o.epidermis_change_pct, 50.0, 0, 5);
    /* F05c / F19a: acne scars good-to-excellent, i.e. well past 50 % improvement. */
    assert_true(o.improvement_pct > 55 && o.improvement_pct < 85);
    /* Before the course nothing has changed. */
    o = at_day(&sc, 0);
    assert_close(o.collagen_change_pct, 0, 0, 0.5);
}

/* REGRESSION TEST: the age law is set from F32a (params.c), so this reads its source back.
 * F32a: fibroblast procollagen output 56 vs 82 ng/ml at 80+ vs 18-29 y (ratio 0.68). */
static void test_regression_fibroblast_output_by_age(void **state)
{
    (void)state;
    mn__healing_params par;
    mn__healing_params_default(&par);
    mn_patient p = person(23, 0);
    double young = mn__healing_response_gain(&par, &p, 23);
    double old = mn__healing_response_gain(&par, &p, 85);
    assert_close(old / young, 56.0 / 82.0, 0.04, 0);
    /* The same through the public run: new collagen from one identical session, with the
     * dose computed on each person's own (thinner, older) skin divided out. */
    mn_healing_session s[1];
    mn_healing_scenario a = pen_wrinkles(s, 1, 0, 23, 60);
    mn_healing_scenario b = scenario(person(85, 0), "cheek", "fine-lines-wrinkles", s, 1, 60);
    double ra = mn__healing_session_response(&par, s, a.zone, &a.patient, 23);
    double rb = mn__healing_session_response(&par, s, b.zone, &b.patient, 85);
    mn_healing_sample oa = at_day(&a, 56), ob = at_day(&b, 56);
    double new_a = oa.collagen3_pct + oa.collagen1_pct, new_b = ob.collagen3_pct + ob.collagen1_pct;
    /* Equal up to the long-lived collagen's slightly faster turnover at 85 (within 56 days). */
    assert_close((new_b / new_a), rb / ra, 1e-3, 0);
    assert_true(new_b < 0.75 * new_a);
}

/* REGRESSION TEST: degradation is set from F34a (params.c), so this reads its source back.
 * F34a: dermis thins ~6 % per decade without treatment (sun-protected upper inner arm). */
static void test_regression_untreated_decline(void **state)
{
    (void)state;
    mn__healing_params par;
    mn__healing_params_default(&par);
    mn_patient p = {50, MN_SEX_FEMALE, 2, 0, MN_SUN_LOW};
    const mn_site *arm = mn_catalog_find_site(cat, "upper-arm");
    double per_decade = (mn__healing_untreated_collagen(&par, &p, arm, 1, 30) -
                         mn__healing_untreated_collagen(&par, &p, arm, 1, 70)) /
                        4.0;
    assert_close(per_decade, 0.06, 0, 0.01);
    /* The twin in a 10-year run of a 45-year-old with no session. */
    mn_healing_scenario sc = {{45, MN_SEX_FEMALE, 2, 0, MN_SUN_LOW},
                              arm,
                              mn_catalog_find_concern(cat, "acne-scars"),
                              NULL,
                              0,
                              3653};
    mn_healing_sample o = at_day(&sc, 3652);
    assert_close(o.untreated_collagen_change_pct, o.collagen_change_pct, 0, 1e-9);
    assert_true(o.collagen_change_pct < -4.5 && o.collagen_change_pct > -9.0);
    /* Sun and smoking speed the decline (F36, F38). */
    mn_healing_scenario sm = sc;
    sm.zone = mn_catalog_find_site(cat, "cheek");
    sm.patient.sun = MN_SUN_HIGH;
    sm.patient.smoker = 1;
    mn_healing_sample os = at_day(&sm, 3652);
    assert_true(os.collagen_change_pct < o.collagen_change_pct - 1.0);
}

/* F09: epidermal recovery almost complete by day 5; erythema peaks within a day and resolves in
 * 1-3 days, at most about a week for aggressive settings (DESIGN 3.4, F54, F70). */
static void test_early_days(void **state)
{
    (void)state;
    mn_healing_session s[1];
    mn_healing_scenario sc = pen_wrinkles(s, 1, 0, 40, 30);
    mn_healing_sample d[31];
    mn_healing_summary sum;
    assert_int_equal(mn_healing_run(ctx, &sc, NULL, NULL, NULL, 31, d, &sum), MN_OK);
    assert_true(d[1].epidermal_wound_fraction > 0.2);
    assert_true(d[5].epidermal_wound_fraction < 0.06);
    assert_true(d[0].erythema > d[1].erythema && d[1].erythema > d[3].erythema);
    assert_true(d[0].erythema > 0.3);
    assert_true(sum.erythema_days >= 1 && sum.erythema_days <= 3);
    /* The barrier closes by the one closure law (device.h) that transport reads, open to air:
     * day 0 is sampled 12 h after the session. TEWL is back 4-5 h after roller needling (F53a)
     * and dye-visible pores close by 12-18 h (F53b), so by then the channels are mostly but
     * not entirely closed. */
    mn_closure cl;
    mn_patient pt = person(40, 0);
    mn_channel_closure(sc.zone, &pt, 0, &cl);
    assert_true(fabs(d[0].barrier_open_fraction / exp2(-12.0 / cl.half_life_h) - 1) < 1e-6);
    assert_true(d[0].barrier_open_fraction > 1e-4 && d[0].barrier_open_fraction < 0.05);
    assert_true(d[2].barrier_open_fraction < 1e-3);
    /* Fibroblasts lay down collagen from ~day 5 for ~8 weeks (F11): most of it after day 3,
     * little after day 60. */
    double early = 0, mid = 0, late = 0;
    for (int i = 0; i <= 30; i++)
        *(i < 3 ? &early : &mid) += d[i].collagen_deposition_pct_day;
    mn_healing_scenario lg = sc;
    lg.horizon_days = 200;
    mn_healing_sample e[201];
    assert_int_equal(mn_healing_run(ctx, &lg, NULL, NULL, NULL, 201, e, NULL), MN_OK);
    for (int i = 31; i <= 200; i++)
        *(i <= 60 ? &mid : &late) += e[i].collagen_deposition_pct_day;
    assert_true(early < 0.05 * mid && late < 0.15 * mid);
    /* Aggressive: 2.5 mm, 5 passes. Redness longer, still within a week. */
    course(s, 1, 0, "skinpen", 2.5, 5);
    assert_int_equal(mn_healing_run(ctx, &sc, NULL, NULL, NULL, 31, d, &sum), MN_OK);
    assert_true(sum.erythema_days >= 2 && sum.erythema_days <= 7);
}

static mn_healing_summary summary_of(const mn_healing_scenario *sc)
{
    mn_healing_summary sum;
    mn_healing_options ho;
    assert_int_equal(mn_healing_run(ctx, sc, NULL, with_constants(&ho), NULL, 0, NULL, &sum),
                     MN_OK);
    return sum;
}

/* Improvement keeps rising for weeks after the last session (remodelling). */
static void test_rises_after_course(void **state)
{
    (void)state;
    mn_healing_session s[6];
    mn_healing_scenario sc = pen_wrinkles(s, 6, 28, 45, 730);
    mn_healing_summary sum = summary_of(&sc);
    assert_true(sum.peak_day >= 140 + 14);
    mn_healing_sample a = at_day(&sc, 141), b = at_day(&sc, 141 + 21);
    assert_true(b.improvement_pct > a.improvement_pct + 0.5);
}

/* Deeper or denser needling gives more response, with diminishing returns (saturation): once
 * the wound zones of a pen's channels cover the skin, more passes add little. */
static void test_dose_response(void **state)
{
    (void)state;
    double depth[] = {0.5, 1.0, 1.5, 2.0}, passes[] = {1, 2, 4, 8, 16};
    double by_depth[4], by_passes[5];
    mn_healing_session s[1];
    for (int i = 0; i < 4; i++) {
        course(s, 1, 0, "skinpen", depth[i], 1);
        mn_healing_scenario sc = scenario(person(40, 0), "cheek", "acne-scars", s, 1, 120);
        by_depth[i] = at_day(&sc, 90).collagen_change_pct;
    }
    for (int i = 0; i < 5; i++) {
        course(s, 1, 0, "skinpen", 1.5, passes[i]);
        mn_healing_scenario sc = scenario(person(40, 0), "cheek", "acne-scars", s, 1, 120);
        by_passes[i] = at_day(&sc, 90).collagen_change_pct;
    }
    for (int i = 1; i < 4; i++)
        assert_true(by_depth[i] > by_depth[i - 1]);
    for (int i = 1; i < 5; i++)
        assert_true(by_passes[i] > by_passes[i - 1]);
    /* Saturation: each doubling of the dose multiplies the response by less than the one
     * before, and at 16 passes a doubling adds little. */
    for (int i = 2; i < 5; i++)
        assert_true(by_passes[i] / by_passes[i - 1] < by_passes[i - 1] / by_passes[i - 2]);
    assert_true(by_passes[4] / by_passes[3] < 1.3);
    /* A home roller at 0.25 mm stays in the epidermis: no collagen response. */
    course(s, 1, 0, "home-roller", 0.25, 10);
    mn_healing_scenario sc = scenario(person(40, 0), "cheek", "acne-scars", s, 1, 120);
    assert_close(at_day(&sc, 90).collagen3_pct + at_day(&sc, 90).collagen1_pct, 0, 0, 1e-9);
}

/* Peak improvement of a 6-session monthly course on a 45-year-old's cheek. */
static double course_peak(const char *dev, double mm, double passes, const char *concern)
{
    mn_healing_session s[6];
    course(s, 6, 28, dev, mm, passes);
    mn_healing_scenario sc = scenario(person(45, 0), "cheek", concern, s, 6, 900);
    return summary_of(&sc).peak_improvement_pct;
}

/* The depth behaviour (issue 16): a 0.25 mm x 1 pen course clearly below a 1.5 mm x 3 one,
 * under 85 % of it and more than 12 points lower. */
static int depth_counts(double shallow, double deep)
{
    return shallow < 0.85 * deep && shallow < deep - 12;
}

/* Depth and density enter through the dermal volume injured (scenarios outside the fit, which
 * saw only Lotfi's roller course). A 0.25 mm pen setting ends in the epidermis or the upper
 * papillary dermis, and its course is clearly below a 1.5 mm x 3 course (in improvement, and
 * by more than half in new collagen); a 192-needle roller
 * at 0.5 mm with the usual 15 passes is weaker than a pen at 0.5 mm x 3 but not worthless.
 * The old dose law failed both ways: the 0.25 mm course came within a few points of the deep
 * one, and the 0.5 mm roller gave almost nothing. */
static void test_depth_and_density(void **state)
{
    (void)state;
    const mn_site *cheek = mn_catalog_find_site(cat, "cheek");
    mn_patient p = person(45, 0);
    mn_skin_layers L;
    assert_int_equal(mn_skin_layers_at(cheek, &p, &L), MN_OK);
    const mn_device *pen = mn_catalog_find_device(cat, "skinpen");
    double shallow_um = mn_device_effective_depth_um(pen, 0.25, &L);
    assert_true(shallow_um < L.sc_um + L.ve_um + 0.75 * L.papillary_um);
    mn_healing_session a = {0, pen, 0.25, 1, 0}, b = {0, pen, 1.5, 3, 0};
    double da = mn_healing_dermal_dose(&a, cheek, &p, 1),
           db = mn_healing_dermal_dose(&b, cheek, &p, 1);
    assert_true(da > 0 && da < 0.25 * db);
    double shallow = course_peak("skinpen", 0.25, 1, "fine-lines-wrinkles");
    double deep = course_peak("skinpen", 1.5, 3, "fine-lines-wrinkles");
    assert_true(depth_counts(shallow, deep));
    /* In histology the gap is wider: new papillary collagen 8 weeks after the course. */
    mn_healing_session cs[6], cd[6];
    course(cs, 6, 28, "skinpen", 0.25, 1);
    course(cd, 6, 28, "skinpen", 1.5, 3);
    mn_healing_scenario ss = scenario(p, "cheek", "fine-lines-wrinkles", cs, 6, 200);
    mn_healing_scenario sd = scenario(p, "cheek", "fine-lines-wrinkles", cd, 6, 200);
    mn_healing_sample hs = at_day(&ss, 140 + 56), hd = at_day(&sd, 140 + 56);
    assert_true(hs.collagen3_pct + hs.collagen1_pct < 0.5 * (hd.collagen3_pct + hd.collagen1_pct));
    /* Deeper at the same passes, and more passes at the same depth, each raise the peak. */
    assert_true(course_peak("skinpen", 0.5, 1, "fine-lines-wrinkles") > shallow + 3);
    assert_true(course_peak("skinpen", 1.5, 1, "fine-lines-wrinkles") < deep - 3);
    double roller = course_peak("dermaroller-192", 0.5, 15, "fine-lines-wrinkles");
    double pen05 = course_peak("skinpen", 0.5, 3, "fine-lines-wrinkles");
    assert_true(roller < pen05);
    assert_true(roller > 0.4 * pen05 && roller > 25);
}

/* Remodelling goes on for months after a course: improvement still rising 3 months after the
 * last session and still near its peak at 6 months, as split-face follow-ups report. The old
 * model peaked about a month after the last session and was falling by month 3. */
static void test_remodelling_after_course(void **state)
{
    (void)state;
    const char *devs[] = {"skinpen", "dermaroller-192"};
    const double mm[] = {1.0, 1.5}, passes[] = {2, 15};
    for (int k = 0; k < 2; k++) {
        mn_healing_session s[4];
        course(s, 4, 30, devs[k], mm[k], passes[k]);
        mn_healing_scenario sc = scenario(person(40, 0), "cheek", "acne-scars", s, 4, 900);
        int last = s[3].day;
        double at0 = at_day(&sc, last).improvement_pct,
               at3 = at_day(&sc, last + 90).improvement_pct,
               at6 = at_day(&sc, last + 180).improvement_pct;
        assert_true(at3 > at0 + 3);
        assert_true(at6 > 0.95 * at3);
        mn_healing_summary sum = summary_of(&sc);
        assert_true(sum.peak_day >= last + 60 && sum.peak_day <= last + 240);
    }
}

/* Shares of 2000 virtual people (variability draws) below 25 and 50 % and above 75 and 85 %
 * improvement, 90 days after a 4-session monthly course on a 35-year-old's cheek. */
static void spread_of(const char *dev, double mm, double passes, int counts[4])
{
    mn_healing_session s[4];
    course(s, 4, 28, dev, mm, passes);
    mn_healing_scenario sc = scenario(person(35, 0), "cheek", "fine-lines-wrinkles", s, 4, 300);
    int day = 84 + 90;
    memset(counts, 0, 4 * sizeof counts[0]);
    for (int i = 0; i < 2000; i++) {
        mn_rng r;
        mn_rng_init(&r, 7, (uint64_t)i);
        mn_healing_variability v;
        mn_healing_variability_sample(&r, &v);
        mn_healing_sample o;
        mn_healing_options ho;
        assert_int_equal(mn_healing_run(ctx, &sc, &v, with_constants(&ho), &day, 1, &o, NULL),
                         MN_OK);
        counts[0] += o.improvement_pct < 25;
        counts[1] += o.improvement_pct < 50;
        counts[2] += o.improvement_pct > 75;
        counts[3] += o.improvement_pct > 85;
        assert_true(o.improvement_pct < 100);
    }
}

/* The top responders of a strong pen course (counts of spread_of()): most of 2000 people
 * above 75 % (F19b: 65 %), more than a fifth above 85 %. */
static int top_responders(const int strong[4])
{
    return strong[2] > 1000 && strong[3] > 400;
}

/* The response spread over virtual people holds the non-responders and the top responders
 * trials report (F05c: 10 % fair or poor, 20 % excellent > 75 %; F19b: 65 % > 75 %), and no
 * concern's improvement is capped at its weight: the wrinkle concern (weight 0.8) could never
 * pass 80 % before, and its spread was ~20 points wide. Scenarios outside the fit. */
static void test_response_spread(void **state)
{
    (void)state;
    int mod[4], strong[4];
    spread_of("dermaroller-192", 1.0, 15, mod);
    spread_of("skinpen", 1.5, 2, strong);
    /* A moderate roller course: some barely respond, some respond fully. */
    assert_true(mod[0] >= 20 && mod[0] < 600 && mod[1] >= 100);
    assert_true(mod[2] >= 100);
    /* A strong pen course: most pass 75 %, many pass the old cap, a few stay below half. */
    assert_true(top_responders(strong));
    assert_true(strong[1] >= 10 && strong[1] < mod[1]);
}

/* Why the library's constants are not the posterior's medians (docs/models/healing.md §4.3):
 * under the medians the depth behaviour or the top responders fail, the behaviours the fit's two
 * studies cannot see. The same checks as test_depth_and_density and test_response_spread, on
 * the medians of the bundled posterior. When a new fit shows both, this test fails: the
 * defaults should then become the medians (and this test go). */
static void test_posterior_medians_contradict_behaviour(void **state)
{
    (void)state;
    mn_posterior *post = NULL;
    assert_int_equal(mn_posterior_load(ctx, NULL, &post), MN_OK);
    mn_healing_params median;
    assert_int_equal(mn_posterior_params(ctx, post, MN_POSTERIOR_MEDIAN, &median), MN_OK);
    mn_posterior_free(post);
    constants = &median;
    double shallow = course_peak("skinpen", 0.25, 1, "fine-lines-wrinkles");
    double deep = course_peak("skinpen", 1.5, 3, "fine-lines-wrinkles");
    int strong[4];
    spread_of("skinpen", 1.5, 2, strong);
    constants = NULL;
    print_message("posterior medians: 0.25 mm x 1 course %.1f %%, 1.5 mm x 3 %.1f %%; strong pen "
                  "course > 75 %%: %.1f %% of people, > 85 %%: %.1f %%\n",
                  shallow, deep, strong[2] / 20.0, strong[3] / 20.0);
    assert_false(depth_counts(shallow, deep) && top_responders(strong));
    /* The defaults show both (the tests above). */
    assert_true(depth_counts(course_peak("skinpen", 0.25, 1, "fine-lines-wrinkles"),
                             course_peak("skinpen", 1.5, 3, "fine-lines-wrinkles")));
}

/* A strong course holds 80 % of its peak past the 12-month bound: the projection says the bound
 * binds on the long side and finds the model's own interval past it, which is what a
 * projection with a longer bound chooses, unbounded; a longer interval than the one found does
 * not hold. A weak roller course's interval lies inside the bounds. */
static void test_maintenance_beyond_bound(void **state)
{
    (void)state;
    mn_course_session c[4];
    for (int i = 0; i < 4; i++)
        c[i] = (mn_course_session){28 * i, 1.5, 3};
    mn_patient p = {45, MN_SEX_FEMALE, 3, 0, MN_SUN_MODERATE};
    const mn_site *cheek = mn_catalog_find_site(cat, "cheek");
    const mn_concern *wr = mn_catalog_find_concern(cat, "fine-lines-wrinkles");
    const mn_device *pen = mn_catalog_find_device(cat, "skinpen");
    mn_projection_options o;
    mn_projection_options_init(&o);
    o.band_draws = -1;
    mn_healing_projection a, b;
    assert_int_equal(mn_healing_project(ctx, &p, cheek, wr, pen, c, 4, &o, &a), MN_OK);
    assert_int_equal(a.interval_bound_side, 1);
    assert_true(a.interval_bounded);
    int T = a.interval_unbounded_days;
    print_message("bounded at %d days; the model's own interval %d days\n",
                  a.maintenance_interval_days, T);
    assert_true(T > o.max_interval_days && T <= MN_MAINTENANCE_SEARCH_MAX_DAYS);
    assert_int_equal((T - a.maintenance_interval_days) % 7, 0); /* the same grid */
    o.max_interval_days = T + 70;
    assert_int_equal(mn_healing_project(ctx, &p, cheek, wr, pen, c, 4, &o, &b), MN_OK);
    assert_int_equal(b.maintenance_interval_days, T);
    assert_int_equal(b.interval_bound_side, 0);
    mn_healing_projection_release(&a);
    mn_healing_projection_release(&b);
    /* The roller course of check_maintenance_holds: inside the bounds. */
    mn_projection_options_init(&o);
    o.band_draws = -1;
    for (int i = 0; i < 4; i++)
        c[i] = (mn_course_session){28 * i, 0.5, 15};
    assert_int_equal(mn_healing_project(ctx, &p, cheek, wr,
                                        mn_catalog_find_device(cat, "dermaroller-192"), c, 4, &o,
                                        &a),
                     MN_OK);
    assert_int_equal(a.interval_bound_side, 0);
    assert_int_equal(a.interval_unbounded_days, 0);
    mn_healing_projection_release(&a);
}

/* Older and smoking patients respond less. */
static void test_age_and_smoking(void **state)
{
    (void)state;
    mn_healing_session s[4];
    course(s, 4, 28, "skinpen", 1.0, 3);
    mn_healing_scenario y = scenario(person(30, 0), "cheek", "fine-lines-wrinkles", s, 4, 400);
    mn_healing_scenario o = scenario(person(70, 0), "cheek", "fine-lines-wrinkles", s, 4, 400);
    mn_healing_scenario k = scenario(person(30, 1), "cheek", "fine-lines-wrinkles", s, 4, 400);
    double py = summary_of(&y).peak_improvement_pct, po = summary_of(&o).peak_improvement_pct,
           pk = summary_of(&k).peak_improvement_pct;
    assert_true(po < py - 2);
    assert_true(pk < py - 1);
    double cy = at_day(&y, 120).collagen_change_pct, ck = at_day(&k, 120).collagen_change_pct;
    /* F36a: type I/III synthesis -18/-22 % in smokers. */
    assert_true(ck < 0.85 * cy && ck > 0.7 * cy);
}

/* Not permanent: without maintenance the skin returns to its pre-treatment level; with it,
 * improvement holds. */
static void test_not_permanent(void **state)
{
    (void)state;
    mn_healing_session s[6];
    mn_healing_scenario sc = pen_wrinkles(s, 6, 28, 45, 1826);
    mn_healing_summary sum = summary_of(&sc);
    assert_true(sum.durability_days > 180);
    assert_true(sum.back_to_baseline_day > sum.peak_day + sum.durability_days);
    assert_true(sum.back_to_baseline_day < 20 * 365);
    mn_healing_sample end = at_day(&sc, 1826);
    assert_true(end.improvement_pct < sum.peak_improvement_pct - 5);
    mn_healing_scenario ten = sc;
    ten.horizon_days = 3653;
    assert_true(at_day(&ten, 3653).improvement_pct < 0.6 * sum.peak_improvement_pct);
    assert_true(end.untreated_collagen_change_pct < 0);
    /* With a 40-year search turned off the crossings past the horizon are not reported. */
    mn_healing_options o;
    mn_healing_options_init(&o);
    o.search_limit_days = 0;
    mn_healing_scenario short_sc = sc;
    short_sc.horizon_days = 400;
    mn_healing_summary s2;
    assert_int_equal(mn_healing_run(ctx, &short_sc, NULL, &o, NULL, 0, NULL, &s2), MN_OK);
    assert_int_equal(s2.back_to_baseline_day, -1);
}

/* The projection's interval holds the target, a longer one does not, and the curve it shows is
 * the direct simulation of course + maintenance (superposition is exact). */
/* The landmarks of a projection's curve are where a search of its samples finds them. */
static void check_landmarks(const mn_healing_projection *pr, double target_fraction)
{
    int pk = 0, below = -1, base = -1;
    for (int i = 1; i < pr->n_samples; i++)
        pk = pr->samples[i].improvement_pct > pr->samples[pk].improvement_pct ? i : pk;
    double peak = pr->samples[pk].improvement_pct;
    for (int i = pr->n_samples - 1; i > pk; i--) {
        below = pr->samples[i].improvement_pct < target_fraction * peak ? i : below;
        base = peak > 0 && pr->samples[i].improvement_pct <= 0 ? i : base;
    }
    assert_int_equal(pr->peak_sample, pk);
    assert_int_equal(pr->below_target_sample, below);
    assert_int_equal(pr->baseline_sample, base);
}

/* A person far from typical in every multiplier that moves collagen (and in the others). */
static mn_healing_variability atypical(void)
{
    mn_healing_variability v;
    mn_healing_variability_init(&v);
    v.response_gain = 1.4;
    v.depth_fraction_scale = 0.85;
    v.closure_scale = 2.0;
    v.ageing_rate = 1.3;
    v.inflammation_scale = 0.8;
    v.remodelling_scale = 1.5;
    v.retention_scale = 0.7;
    v.epidermal_gain = 1.2;
    v.severity_scale = 1.7;
    return v;
}

/* The interval chosen for @p var (NULL: typical) holds the target in a direct run of that
 * person, a longer one does not, and the curve shown is that person's direct run. Returns the
 * interval. */
static int check_maintenance_holds(const mn_healing_variability *var)
{
    /* A roller course (as Lotfi's), whose maintenance interval falls inside the bounds. */
    const double mm = 1.5, passes = 15;
    mn_course_session c[6];
    for (int i = 0; i < 6; i++)
        c[i] = (mn_course_session){28 * i, mm, passes};
    mn_patient p = person(45, 0);
    const mn_site *zone = mn_catalog_find_site(cat, "cheek");
    const mn_concern *concern = mn_catalog_find_concern(cat, "fine-lines-wrinkles");
    const mn_device *dev = mn_catalog_find_device(cat, "dermaroller-192");
    mn_projection_options po;
    mn_projection_options_init(&po);
    po.band_draws = 0;
    po.step_days = 1;
    po.person = var;
    mn_healing_projection pr;
    assert_int_equal(mn_healing_project(ctx, &p, zone, concern, dev, c, 6, &po, &pr), MN_OK);
    int T = pr.maintenance_interval_days;
    assert_true(T >= 90 && T <= 365);
    assert_false(pr.interval_bounded);
    for (int i = 0; i < pr.n_samples; i++)
        assert_true(pr.samples[i].low_pct <= pr.samples[i].improvement_pct + 1e-12 &&
                    pr.samples[i].improvement_pct <= pr.samples[i].high_pct + 1e-12);
    check_landmarks(&pr, po.target_fraction);

    /* Direct run with maintenance every T days. */
    int horizon = po.horizon_days;
    mn_healing_session s[64];
    int n = 0;
    for (int i = 0; i < 6; i++)
        s[n++] = (mn_healing_session){c[i].day, dev, mm, passes, 0};
    for (int d = 140 + T; d <= horizon; d += T)
        s[n++] = (mn_healing_session){d, dev, mm, passes, 0};
    mn_healing_scenario sc = {p, zone, concern, s, n, horizon};
    mn_healing_sample *daily = malloc(sizeof *daily * (size_t)(horizon + 1));
    assert_non_null(daily);
    assert_int_equal(mn_healing_run(ctx, &sc, var, NULL, NULL, horizon + 1, daily, NULL), MN_OK);
    double lowest = 1e9;
    for (int d = pr.peak_day; d <= horizon; d++)
        lowest = daily[d].improvement_pct < lowest ? daily[d].improvement_pct : lowest;
    assert_true(lowest >= 0.8 * pr.peak_improvement_pct - 1e-9);
    for (int i = 0; i < pr.n_samples; i++)
        assert_close(pr.samples[i].improvement_pct, daily[pr.samples[i].day].improvement_pct, 1e-9,
                     1e-9);
    /* Four weeks longer and the target is missed: the chosen interval is the longest. */
    n = 6;
    for (int d = 140 + T + 28; d <= horizon; d += T + 28)
        s[n++] = (mn_healing_session){d, dev, mm, passes, 0};
    sc.n_sessions = n;
    assert_int_equal(mn_healing_run(ctx, &sc, var, NULL, NULL, horizon + 1, daily, NULL), MN_OK);
    lowest = 1e9;
    for (int d = pr.peak_day; d <= horizon; d++)
        lowest = daily[d].improvement_pct < lowest ? daily[d].improvement_pct : lowest;
    assert_true(lowest < 0.8 * pr.peak_improvement_pct);
    /* The course's peak is this person's too. */
    mn_healing_summary sum;
    sc.n_sessions = 6;
    assert_int_equal(mn_healing_run(ctx, &sc, var, NULL, NULL, 0, NULL, &sum), MN_OK);
    assert_close(pr.peak_improvement_pct, sum.peak_improvement_pct, 1e-9, 1e-9);
    free(daily);
    mn_healing_projection_release(&pr);
    assert_null(pr.samples);
    return T;
}

static void test_maintenance_holds(void **state)
{
    (void)state;
    int typical = check_maintenance_holds(NULL);
    /* Another person: the same checks against their own direct run, and the interval is
     * theirs (a shorter-lived young collagen and a faster ageing need it sooner). */
    mn_healing_variability v = atypical();
    int theirs = check_maintenance_holds(&v);
    assert_true(theirs < typical);
    /* mn_healing_maintenance_person with NULL is mn_healing_maintenance. */
    mn_healing_session s[3];
    const mn_device *dev = mn_catalog_find_device(cat, "skinpen");
    for (int i = 0; i < 3; i++)
        s[i] = (mn_healing_session){28 * i, dev, 1.5, 3, 0};
    mn_healing_scenario sc = {person(45, 0),
                              mn_catalog_find_site(cat, "cheek"),
                              mn_catalog_find_concern(cat, "fine-lines-wrinkles"),
                              s,
                              3,
                              730};
    mn_healing_projection a, b, c;
    assert_int_equal(mn_healing_maintenance(ctx, &sc, 0, 1, &a), MN_OK);
    assert_int_equal(mn_healing_maintenance_person(ctx, &sc, NULL, 0, 1, &b), MN_OK);
    assert_int_equal(mn_healing_maintenance_person(ctx, &sc, &v, 0, 1, &c), MN_OK);
    assert_int_equal(a.maintenance_interval_days, b.maintenance_interval_days);
    assert_true(a.peak_improvement_pct == b.peak_improvement_pct);
    assert_true(c.peak_improvement_pct != a.peak_improvement_pct);
    mn_healing_projection_release(&a);
    mn_healing_projection_release(&b);
    mn_healing_projection_release(&c);

    mn_course_session shallow[1] = {{0, 0.5, 15}};
    mn_patient p = person(45, 0);
    const mn_site *zone = mn_catalog_find_site(cat, "cheek");
    const mn_concern *concern = mn_catalog_find_concern(cat, "fine-lines-wrinkles");
    const mn_device *roller = mn_catalog_find_device(cat, "dermaroller-192");
    mn_projection_options po;
    mn_projection_options_init(&po);
    po.band_draws = 0;
    po.step_days = 1;
    mn_healing_projection pr;

    /* One shallow session and maintenance forced past the horizon: the curve falls below the
     * target and back to baseline, and the landmarks say where. */
    po.min_interval_days = po.max_interval_days = 6000;
    po.horizon_days = 5000;
    assert_int_equal(mn_healing_project(ctx, &p, zone, concern, roller, shallow, 1, &po, &pr),
                     MN_OK);
    check_landmarks(&pr, po.target_fraction);
    assert_true(pr.peak_sample > 0);
    assert_true(pr.below_target_sample > pr.peak_sample);
    assert_true(pr.baseline_sample > pr.below_target_sample);
    mn_healing_projection_release(&pr);
}

/* The exact propagator agrees with SUNDIALS CVODE at tight tolerance. */
static void test_exact_matches_cvode(void **state)
{
    (void)state;
    mn_healing_session s[5];
    course(s, 5, 30, "dermaroller-192", 1.5, 15);
    s[4] = (mn_healing_session){200, mn_catalog_find_device(cat, "skinpen"), 2.0, 4, 0};
    mn_healing_scenario sc = scenario(person(55, 1), "forehead", "fine-lines-wrinkles", s, 5, 700);
    int days[] = {0, 1, 2, 3, 5, 10, 30, 31, 60, 120, 200, 201, 250, 400, 700};
    enum { ND = sizeof days / sizeof days[0] };
    mn_healing_sample a[ND], b[ND];
    mn_healing_summary sa, sb;
    mn_healing_options o;
    mn_healing_options_init(&o);
    o.search_limit_days = 3000;
    assert_int_equal(mn_healing_run(ctx, &sc, NULL, &o, days, ND, a, &sa), MN_OK);
    o.integrator = MN_HEALING_CVODE;
    o.cvode_rtol = 1e-10;
    assert_int_equal(mn_healing_run(ctx, &sc, NULL, &o, days, ND, b, &sb), MN_OK);
    for (int i = 0; i < ND; i++) {
        assert_close(a[i].collagen_change_pct, b[i].collagen_change_pct, 1e-6, 1e-6);
        assert_close(a[i].epidermis_change_pct, b[i].epidermis_change_pct, 1e-6, 1e-6);
        assert_close(a[i].improvement_pct, b[i].improvement_pct, 1e-6, 1e-6);
        assert_close(a[i].erythema, b[i].erythema, 1e-6, 1e-8);
        assert_close(a[i].barrier_open_fraction, b[i].barrier_open_fraction, 1e-6, 1e-8);
        assert_close(a[i].epidermal_wound_fraction, b[i].epidermal_wound_fraction, 1e-6, 1e-8);
    }
    assert_int_equal(sa.peak_day, sb.peak_day);
    assert_close(sa.peak_improvement_pct, sb.peak_improvement_pct, 1e-7, 0);
    assert_int_equal(sa.durability_days, sb.durability_days);
}

/* A failing allocator: the per-person run must not allocate (cohorts call it from threads). */
static int alloc_calls;
static void *no_malloc(size_t n)
{
    (void)n;
    alloc_calls++;
    return NULL;
}
static void *no_realloc(void *p, size_t n)
{
    (void)p, (void)n;
    alloc_calls++;
    return NULL;
}
static void plain_free(void *p)
{
    free(p);
}

static void test_run_allocates_nothing(void **state)
{
    (void)state;
    mn_healing_session s[10];
    mn_healing_scenario sc = pen_wrinkles(s, 10, 30, 50, 1826);
    int days[] = {90, 365, 1826};
    mn_healing_sample o[3];
    mn_healing_summary sum;
    mn_rng rng;
    mn_rng_init(&rng, 7, 3);
    mn_healing_variability v;
    mn_healing_variability_sample(&rng, &v);
    mn_allocator none = {no_malloc, no_realloc, plain_free};
    alloc_calls = 0;
    mn_set_allocator(&none);
    mn_status st = mn_healing_run(NULL, &sc, &v, NULL, days, 3, o, &sum);
    mn_set_allocator(NULL);
    assert_int_equal(st, MN_OK);
    assert_int_equal(alloc_calls, 0);
    /* And the projection reports running out of memory instead of crashing. */
    mn_course_session c[1] = {{0, 1.0, 2}};
    mn_healing_projection pr;
    mn_set_allocator(&none);
    st = mn_healing_project(NULL, &sc.patient, sc.zone, sc.concern, s[0].device, c, 1, NULL, &pr);
    mn_set_allocator(NULL);
    assert_int_equal(st, MN_ENOMEM);
    assert_null(pr.samples);
}

/* Variability: reproducible per stream, inside the clamp, and each shift moves the outcome the
 * way its sign says. */
static void test_variability(void **state)
{
    (void)state;
    mn_rng r1, r2;
    mn_healing_variability a, b, typical;
    mn_rng_init(&r1, 42, 9);
    mn_rng_init(&r2, 42, 9);
    mn_healing_variability_sample(&r1, &a);
    mn_healing_variability_sample(&r2, &b);
    assert_memory_equal(&a, &b, sizeof a);
    assert_int_equal(r1.counter, 18);
    mn_healing_variability_init(&typical);
    assert_close(typical.response_gain * typical.retention_scale * typical.ageing_rate, 1, 0, 0);
    for (int i = 0; i < 2000; i++) {
        mn_healing_variability_sample(&r1, &a);
        assert_true(a.response_gain > 0.12 && a.response_gain < 8.2); /* +-3 sd of 0.7 */
        assert_true(a.closure_scale > 0.22 && a.closure_scale < 4.5);
    }
    mn_healing_session s[3];
    mn_healing_scenario sc = pen_wrinkles(s, 3, 28, 45, 400);
    mn_healing_variability lo = typical, hi = typical;
    mn_healing_variability_shift(-1.28, &lo);
    mn_healing_variability_shift(1.28, &hi);
    int day = 300;
    mn_healing_sample ol, ot, oh;
    assert_int_equal(mn_healing_run(ctx, &sc, &lo, NULL, &day, 1, &ol, NULL), MN_OK);
    assert_int_equal(mn_healing_run(ctx, &sc, NULL, NULL, &day, 1, &ot, NULL), MN_OK);
    assert_int_equal(mn_healing_run(ctx, &sc, &hi, NULL, &day, 1, &oh, NULL), MN_OK);
    assert_true(ol.improvement_pct < ot.improvement_pct && ot.improvement_pct < oh.improvement_pct);
    /* The Monte Carlo band brackets the typical person and is reproducible. Its people take
     * posterior draws, so the typical person it brackets is the one at the posterior's medians
     * (the library's constants put this strong pen course higher, docs/models/healing.md §4.3:
     * above the band's top since the fit that reads global ratings with an offset). */
    mn_posterior *post = NULL;
    assert_int_equal(mn_posterior_load(ctx, NULL, &post), MN_OK);
    mn_healing_params median;
    assert_int_equal(mn_posterior_params(ctx, post, MN_POSTERIOR_MEDIAN, &median), MN_OK);
    mn_posterior_free(post);
    mn_healing_options mo;
    mn_healing_options_init(&mo);
    mo.params = &median;
    mn_healing_sample om;
    assert_int_equal(mn_healing_run(ctx, &sc, NULL, &mo, &day, 1, &om, NULL), MN_OK);
    double l1, h1, l2, h2;
    assert_int_equal(mn_healing_band(ctx, &sc, &day, 1, 64, 5, 0.05, 0.95, &l1, &h1), MN_OK);
    assert_int_equal(mn_healing_band(ctx, &sc, &day, 1, 64, 5, 0.05, 0.95, &l2, &h2), MN_OK);
    assert_true(l1 < om.improvement_pct && om.improvement_pct < h1);
    assert_close(l1, l2, 0, 0);
    assert_close(h1, h2, 0, 0);
}

/* Report days in any order, repeated; the daily mode; argument checks. */
static void test_report_days_and_arguments(void **state)
{
    (void)state;
    mn_healing_session s[2];
    course(s, 2, 30, "skinpen", 1.0, 2);
    mn_healing_scenario sc = scenario(person(35, 0), "neck", "fine-lines-wrinkles", s, 2, 100);
    mn_healing_sample daily[101], pick[4];
    int days[] = {77, 3, 77, 0};
    assert_int_equal(mn_healing_run(ctx, &sc, NULL, NULL, NULL, 101, daily, NULL), MN_OK);
    assert_int_equal(mn_healing_run(ctx, &sc, NULL, NULL, days, 4, pick, NULL), MN_OK);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pick[i].day, days[i]);
        assert_close(pick[i].improvement_pct, daily[days[i]].improvement_pct, 0, 0);
    }
    /* Sorted report days take the event-jumping path (cohorts): same numbers as daily steps. */
    int sorted_days[] = {0, 1, 29, 30, 31, 64, 100};
    mn_healing_sample jump[7];
    assert_int_equal(mn_healing_run(ctx, &sc, NULL, NULL, sorted_days, 7, jump, NULL), MN_OK);
    for (int i = 0; i < 7; i++) {
        const mn_healing_sample *a = &jump[i], *b = &daily[sorted_days[i]];
        assert_close(a->collagen_change_pct, b->collagen_change_pct, 1e-10, 1e-12);
        assert_close(a->epidermis_change_pct, b->epidermis_change_pct, 1e-10, 1e-12);
        assert_close(a->improvement_pct, b->improvement_pct, 1e-10, 1e-12);
        assert_close(a->erythema, b->erythema, 1e-9, 1e-12);
        assert_close(a->barrier_open_fraction, b->barrier_open_fraction, 1e-9, 1e-12);
    }
    int bad_day = 101;
    assert_int_equal(mn_healing_run(ctx, &sc, NULL, NULL, &bad_day, 1, pick, NULL), MN_EINVAL);
    assert_int_equal(mn_healing_run(ctx, &sc, NULL, NULL, NULL, 50, daily, NULL), MN_EINVAL);
    mn_healing_session unsorted[2] = {s[1], s[0]};
    sc.sessions = unsorted;
    assert_int_equal(mn_healing_run(ctx, &sc, NULL, NULL, NULL, 0, NULL, NULL), MN_EINVAL);
    assert_non_null(strstr(mn_ctx_errmsg(ctx), "sorted"));
    s[1].needle_mm = 9;
    sc.sessions = s;
    assert_int_equal(mn_healing_run(ctx, &sc, NULL, NULL, NULL, 0, NULL, NULL), MN_EINVAL);
    assert_non_null(strstr(mn_ctx_errmsg(ctx), "skinpen"));
}

static mn_status parse(const char *text, mn_healing_input *in)
{
    return mn_healing_scenario_parse(ctx, "scn.json", text, strlen(text), in);
}

static void test_scenario_parse(void **state)
{
    (void)state;
    mn_healing_input *in = malloc(sizeof *in);
    assert_non_null(in);
    const char *ok = "{\"patient\": {\"age\": 45, \"sex\": \"female\", \"fitzpatrick\": 2,"
                     " \"smoker\": true, \"sun\": \"high\"}, \"zone\": \"cheek\","
                     " \"concern\": \"wrinkles\", \"sessions\": ["
                     "{\"day\": 0, \"device\": \"dermaroller\", \"needle_mm\": 1.0, \"passes\": 8},"
                     "{\"day\": 28, \"device\": \"skinpen\", \"needle_mm\": 1.5, \"passes\": 3}],"
                     " \"report_days\": [365, 0, 28, 28], \"horizon_days\": 400}";
    assert_int_equal(parse(ok, in), MN_OK);
    assert_int_equal(in->scenario.n_sessions, 2);
    assert_int_equal(in->scenario.sessions[0].day, 0);
    assert_string_equal(in->scenario.sessions[0].device->id, "dermaroller-192");
    assert_int_equal(in->n_report_days, 3);
    assert_int_equal(in->report_days[2], 365);
    assert_true(in->scenario.patient.smoker && in->scenario.patient.sun == MN_SUN_HIGH);

    struct {
        const char *text;
        mn_status st;
        const char *msg;
    } bad[] = {
        {"{\"patient\": {\"age\": 300, \"sex\": \"female\", \"fitzpatrick\": 2}, \"zone\": "
         "\"cheek\", \"concern\": \"acne-scars\", \"sessions\": []}",
         MN_ERANGE, "$.patient.age"},
        {"{\"patient\": {\"age\": 40, \"sex\": \"female\", \"fitzpatrick\": 7}, \"zone\": "
         "\"cheek\", \"concern\": \"acne-scars\", \"sessions\": []}",
         MN_ERANGE, "$.patient.fitzpatrick"},
        {"{\"patient\": {\"age\": 40, \"sex\": \"x\", \"fitzpatrick\": 2}, \"zone\": "
         "\"cheek\", \"concern\": \"acne-scars\", \"sessions\": []}",
         MN_ENOTFOUND, "$.patient.sex"},
        {"{\"patient\": {\"age\": 40, \"sex\": \"male\", \"fitzpatrick\": 2}, \"zone\": "
         "\"cheeks2\", \"concern\": \"acne-scars\", \"sessions\": []}",
         MN_ENOTFOUND, "unknown zone \"cheeks2\""},
        {"{\"patient\": {\"age\": 40, \"sex\": \"male\", \"fitzpatrick\": 2}, \"zone\": "
         "\"scalp\", \"concern\": \"acne-scars\", \"sessions\": []}",
         MN_ERANGE, "not treated"},
        {"{\"patient\": {\"age\": 40, \"sex\": \"male\", \"fitzpatrick\": 2}, \"zone\": "
         "\"cheek\", \"concern\": \"acne-scars\", \"sessions\": [{\"day\": 0, \"device\": "
         "\"skinpen\", \"needle_mm\": 9, \"passes\": 3}]}",
         MN_ERANGE, "$.sessions[0].needle_mm"},
        {"{\"patient\": {\"age\": 40, \"sex\": \"male\", \"fitzpatrick\": 2}, \"zone\": "
         "\"cheek\", \"concern\": \"acne-scars\", \"sessions\": [{\"day\": 0, \"device\": "
         "\"laser\", \"needle_mm\": 1, \"passes\": 3}]}",
         MN_ENOTFOUND, "$.sessions[0].device"},
        {"{\"patient\": {\"age\": 40, \"sex\": \"male\", \"fitzpatrick\": 2}, \"zone\": "
         "\"cheek\", \"concern\": \"acne-scars\", \"sessions\": [{\"day\": 500, \"device\": "
         "\"skinpen\", \"needle_mm\": 1, \"passes\": 3}], \"horizon_days\": 100}",
         MN_ERANGE, "$.sessions[0].day"},
        /* Sessions out of order or two on one day: refused where it happens (not sorted). */
        {"{\"patient\": {\"age\": 40, \"sex\": \"male\", \"fitzpatrick\": 2}, \"zone\": "
         "\"cheek\", \"concern\": \"acne-scars\", \"sessions\": [{\"day\": 28, \"device\": "
         "\"skinpen\", \"needle_mm\": 1, \"passes\": 3}, {\"day\": 0, \"device\": "
         "\"skinpen\", \"needle_mm\": 1, \"passes\": 3}]}",
         MN_ERANGE, "$.sessions[1].day: day 0 is not after the previous session (day 28)"},
        {"{\"patient\": {\"age\": 40, \"sex\": \"male\", \"fitzpatrick\": 2}, \"zone\": "
         "\"cheek\", \"concern\": \"acne-scars\", \"sessions\": [{\"day\": 0, \"device\": "
         "\"skinpen\", \"needle_mm\": 1, \"passes\": 3}, {\"day\": 0, \"device\": "
         "\"skinpen\", \"needle_mm\": 1, \"passes\": 3}]}",
         MN_ERANGE, "$.sessions[1].day: day 0 is not after the previous session (day 0)"},
        {"{\"patient\": {\"age\": 40, \"sex\": \"male\", \"fitzpatrick\": 2}, \"zone\": "
         "\"cheek\", \"concern\": \"acne-scars\", \"sessions\": [{\"day\": 1.5, \"device\": "
         "\"skinpen\", \"needle_mm\": 1, \"passes\": 3}]}",
         MN_ETYPE, "$.sessions[0]"},
        {"{\"patient\": {\"age\": 40, \"sex\": \"male\", \"fitzpatrick\": 2}, \"zone\": "
         "\"cheek\", \"concern\": \"acne-scars\", \"sessions\": [], \"report_days\": [\"a\"]}",
         MN_ETYPE, "$.report_days[0]"},
        {"{\"patient\": {\"age\": 40, \"sex\": \"male\", \"fitzpatrick\": 2}, \"zone\": "
         "\"cheek\", \"concern\": \"acne-scars\", \"sessions\": [], \"colour\": 1}",
         MN_ENOTFOUND, "colour"},
        {"{\"patient\": {\"age\": 40}", MN_EPARSE, "scn.json:1"},
        {"   ", MN_EPARSE, "empty"},
        {"[1]", MN_ETYPE, "expected a JSON object"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mn_status st = parse(bad[i].text, in);
        if (st != bad[i].st || !strstr(mn_ctx_errmsg(ctx), bad[i].msg))
            print_error("case %zu: status %s, message '%s'\n", i, mn_status_name(st),
                        mn_ctx_errmsg(ctx));
        assert_int_equal(st, bad[i].st);
        assert_non_null(strstr(mn_ctx_errmsg(ctx), bad[i].msg));
        assert_true(mn_status_is_input_error(st));
    }
    free(in);
}

/* The answer sentence carries numbers and says it is a simulation. */
static void test_answer(void **state)
{
    (void)state;
    mn_healing_session s[3];
    mn_healing_scenario sc = pen_wrinkles(s, 3, 28, 45, 730);
    mn_healing_summary sum = summary_of(&sc);
    mn_healing_result res = {&sc,  NULL, 0,    NULL, NULL, 0, &sum, NULL, MN_HEALING_EXACT,
                             NULL, 0,    NULL, 0,    NULL, 0, 0,    NULL, NULL};
    char buf[4096];
    mn_healing_answer(&res, buf, sizeof buf);
    assert_non_null(strstr(buf, "How long will it last?"));
    assert_non_null(strstr(buf, "simulation"));
    assert_non_null(strstr(buf, "not permanent"));
    char num[32];
    snprintf(num, sizeof num, "day %d", sum.peak_day);
    assert_non_null(strstr(buf, num));
    /* Every session below the shallowest needle length a study of the concern used: the answer
     * says the projection extrapolates; at or above it, or unknown, it says nothing. */
    assert_null(strstr(buf, "below the depths studied"));
    double deepest = 0;
    for (int i = 0; i < sc.n_sessions; i++)
        deepest = fmax(deepest, sc.sessions[i].needle_mm);
    res.evidence_shallowest_mm = deepest + 0.5;
    /* The study by its author and year, from its citation (the bundled evidence loaded, as
     * simulate's own mn_evidence_bundled_* calls do); one it does not know in words, never the
     * id. */
    int followup = 0;
    const char *sid = NULL;
    assert_int_equal(mn_evidence_bundled_followup(ctx, &followup, &sid), MN_OK);
    res.evidence_shallowest_study = "lotfi2013";
    mn_healing_answer(&res, buf, sizeof buf);
    assert_non_null(strstr(buf, "below the depths studied"));
    assert_non_null(strstr(buf, "(Lotfi et al. 2013)"));
    assert_null(strstr(buf, "lotfi2013"));
    res.evidence_shallowest_study = "deeper2020";
    mn_healing_answer(&res, buf, sizeof buf);
    assert_non_null(strstr(buf, "(a study in the evidence base)"));
    assert_null(strstr(buf, "deeper2020"));
    res.evidence_shallowest_mm = deepest;
    mn_healing_answer(&res, buf, sizeof buf);
    assert_null(strstr(buf, "below the depths studied"));
    /* The validation summary: said only when known, with the way its misses lean. */
    assert_null(strstr(buf, "not fitted to"));
    mn_validation_summary v = {18, 7, 9, 2, 0, 0, 0};
    res.validation = &v;
    mn_healing_answer(&res, buf, sizeof buf);
    assert_non_null(strstr(buf, "Checked against 18 published results of studies it was not "
                                "fitted to, the model's 90 % interval held 7"));
    assert_non_null(strstr(buf, "in 9 of its 11 misses it promised more"));
    /* With the studies and the efficacy results known, both are said: the results are not
     * independent checks, and the safety ones may be weak. */
    v = (mn_validation_summary){18, 7, 9, 2, 9, 16, 5};
    mn_healing_answer(&res, buf, sizeof buf);
    assert_non_null(strstr(buf, "Checked against 18 published results from 9 studies it was "
                                "not fitted to, the model's 90 % interval held 7 (5 of the 16 "
                                "on efficacy; mneedle's validation report lists each)"));
    v = (mn_validation_summary){4, 2, 1, 1, 1, 4, 2};
    mn_healing_answer(&res, buf, sizeof buf);
    assert_non_null(strstr(buf, "from 1 study it was not fitted to, the model's 90 % interval "
                                "held 2 (mneedle's validation report lists each)"));
    v = (mn_validation_summary){10, 6, 1, 3, 0, 0, 0};
    mn_healing_answer(&res, buf, sizeof buf);
    assert_non_null(strstr(buf, "in 3 of its 4 misses it promised less"));
    v = (mn_validation_summary){10, 6, 2, 2, 0, 0, 0};
    mn_healing_answer(&res, buf, sizeof buf);
    assert_non_null(strstr(buf, "interval held 6 (mneedle's validation report lists each)."));
    assert_null(strstr(buf, "misses it"));
    /* Truncation is safe. */
    mn_healing_answer(&res, buf, 10);
    assert_int_equal(strlen(buf), 9);
}

/* The planner takes its maintenance interval and projection from this model. */
static void test_planner_uses_model(void **state)
{
    (void)state;
    const char *text = "{\"client\": {\"age\": 45, \"sex\": \"female\", \"fitzpatrick\": 2},"
                       " \"concerns\": [{\"concern\": \"fine-lines-wrinkles\","
                       " \"zones\": [\"cheek\"]}], \"history\": {},"
                       " \"clinic\": {\"device\": \"skinpen\", \"start\": \"2027-03-01\"}}";
    mn_client c;
    assert_int_equal(mn_client_parse(ctx, "c.json", text, strlen(text), &c), MN_OK);
    mn_plan *p = NULL;
    assert_int_equal(mn_plan_build(ctx, &c, NULL, &p), MN_OK);
    assert_true(p->maintenance_from_model);
    assert_true(p->maintenance_interval_days >= 90 && p->maintenance_interval_days <= 365);
    assert_true(p->n_projection > 10);
    assert_non_null(strstr(p->projection_note, "Simulation"));
    double peak = 0;
    for (int i = 0; i < p->n_projection; i++) {
        assert_true(p->projection[i].low_pct <= p->projection[i].improvement_pct);
        assert_true(p->projection[i].improvement_pct <= p->projection[i].high_pct);
        peak = p->projection[i].improvement_pct > peak ? p->projection[i].improvement_pct : peak;
    }
    assert_true(peak > 30 && peak < 90);
    assert_true(p->projection_peak >= 0 && p->projection_peak < p->n_projection);
    assert_true(p->projection[p->projection_peak].improvement_pct == peak);
    /* Maintenance visits follow the model's interval. */
    int last_course = -1, first_maint = -1;
    for (int i = 0; i < p->n_sessions; i++) {
        if (p->sessions[i].phase == MN_PHASE_COURSE)
            last_course = i;
        else if (first_maint < 0)
            first_maint = i;
    }
    assert_true(last_course >= 0 && first_maint > last_course);
    int gap = (int)(p->sessions[first_maint].date - p->sessions[last_course].date);
    assert_true(gap >= p->maintenance_interval_days - 1 && gap <= p->maintenance_interval_days + 1);
    mn_plan_free(p);
}

/* simulate's maintenance is the projection of the scenario's sessions as a course on the
 * scenario's own days and horizon; there is none without a session, with two devices, with a
 * needle that stays in the epidermis, or too close to the 40-year limit for two maintenance
 * cycles (and then no error is left behind). */
static void test_simulate_maintenance(void **state)
{
    (void)state;
    mn_healing_session s[4];
    course(s, 4, 28, "skinpen", 1.5, 3);
    for (int i = 0; i < 4; i++)
        s[i].day += 10;
    mn_healing_scenario sc = scenario(person(45, 0), "cheek", "fine-lines-wrinkles", s, 4, 730);
    mn_course_session c[4];
    for (int i = 0; i < 4; i++)
        c[i] = (mn_course_session){10 + 28 * i, 1.5, 3};
    mn_projection_options po;
    mn_projection_options_init(&po);
    po.band_draws = 0;
    po.step_days = 30;
    po.horizon_days = sc.horizon_days;
    mn_healing_projection m, direct;
    assert_int_equal(mn_healing_maintenance(ctx, &sc, 0, po.seed, &m), MN_OK);
    assert_int_equal(
        mn_healing_project(ctx, &sc.patient, sc.zone, sc.concern, s[0].device, c, 4, &po, &direct),
        MN_OK);
    assert_true(m.maintenance_interval_days >= 90);
    assert_int_equal(m.maintenance_interval_days, direct.maintenance_interval_days);
    assert_int_equal(m.maintenance_first_day, direct.maintenance_first_day);
    assert_int_equal(m.n_samples, direct.n_samples);
    for (int i = 0; i < m.n_samples; i++) {
        assert_int_equal(m.samples[i].day, direct.samples[i].day);
        assert_true(m.samples[i].improvement_pct == direct.samples[i].improvement_pct);
        assert_true(m.samples[i].high_pct == direct.samples[i].high_pct);
    }
    mn_healing_projection_release(&m);
    mn_healing_projection_release(&direct);

    /* A course after day 730 on a longer horizon: the band and the maintenance search follow
     * the scenario (samples to its horizon; the peak band brackets the scenario's own peak,
     * which is the older person's, not a 45-year-old's). */
    for (int i = 0; i < 4; i++)
        s[i].day = 2000 + 28 * i;
    sc.horizon_days = 4000;
    mn_healing_summary own;
    assert_int_equal(mn_healing_run(ctx, &sc, NULL, NULL, NULL, 0, NULL, &own), MN_OK);
    assert_int_equal(mn_healing_maintenance(ctx, &sc, 16, po.seed, &m), MN_OK);
    assert_true(m.maintenance_interval_days >= 90);
    assert_true(m.maintenance_first_day == 2000 + 28 * 3 + m.maintenance_interval_days);
    assert_int_equal(m.samples[m.n_samples - 1].day, 4000);
    assert_true(m.peak_improvement_pct == own.peak_improvement_pct);
    assert_int_equal(m.peak_day, own.peak_day);
    assert_true(m.peak_low_pct <= own.peak_improvement_pct &&
                m.peak_high_pct >= own.peak_improvement_pct);
    mn_healing_projection_release(&m);
    /* Near the 40-year limit: the scenario runs, no maintenance is timed, no error is left. */
    for (int i = 0; i < 4; i++)
        s[i].day = MN_HEALING_MAX_DAYS - 700 + 28 * i;
    sc.horizon_days = MN_HEALING_MAX_DAYS;
    assert_int_equal(mn_healing_run(ctx, &sc, NULL, NULL, NULL, 0, NULL, &own), MN_OK);
    assert_int_equal(mn_healing_maintenance(ctx, &sc, 16, po.seed, &m), MN_OK);
    assert_int_equal(m.maintenance_interval_days, 0);
    assert_null(m.samples);
    assert_string_equal(mn_ctx_errmsg(ctx), "");
    /* The latest course that still gets one: its last session on day 13,790. */
    for (int i = 0; i < 4; i++)
        s[i].day = MN_HEALING_MAX_DAYS - 2 * MN_MAINTENANCE_MAX_DAYS - 90 - 28 * (3 - i);
    assert_int_equal(mn_healing_maintenance(ctx, &sc, 0, po.seed, &m), MN_OK);
    assert_true(m.maintenance_interval_days >= 90);
    mn_healing_projection_release(&m);
    course(s, 4, 28, "skinpen", 1.5, 3);
    sc.horizon_days = 730;

    sc.n_sessions = 0;
    assert_int_equal(mn_healing_maintenance(ctx, &sc, 0, 1, &m), MN_OK);
    assert_int_equal(m.maintenance_interval_days, 0);
    assert_null(m.samples);
    sc.n_sessions = 4;
    s[2].device = mn_catalog_find_device(cat, "dermapen-4");
    assert_int_equal(mn_healing_maintenance(ctx, &sc, 0, 1, &m), MN_OK);
    assert_int_equal(m.maintenance_interval_days, 0);
    assert_null(m.samples);
    course(s, 4, 28, "home-roller", 0.2, 1);
    assert_int_equal(mn_healing_maintenance(ctx, &sc, 0, 1, &m), MN_OK);
    assert_int_equal(m.maintenance_interval_days, 0);
    assert_null(m.samples);
    assert_string_equal(mn_ctx_errmsg(ctx), "");
    assert_int_equal(mn_healing_maintenance(ctx, NULL, 0, 1, &m), MN_EINVAL);
}

/* Whether a course reaches the dermis is one predicate (mn__healing_project_reaches_dermis),
 * the test mn_healing_project makes before projecting, so the planner can tell an
 * epidermis-only zone from the model's other refusals without reading the message: it says
 * "does not reach" exactly where the projection refuses for that reason, on either side of
 * the needle length where the channels' tips pass the epidermis, for the typical person and one
 * whose channels run shallower, on thin and thick skin. */
static int refused_for_epidermis(const mn_patient *p, const mn_site *zone,
                                 const mn_concern *concern, const mn_device *dev, double mm,
                                 const mn_projection_options *po)
{
    mn_course_session c = {0, mm, 1};
    mn_healing_projection pr;
    mn_status st = mn_healing_project(ctx, p, zone, concern, dev, &c, 1, po, &pr);
    if (st == MN_OK) {
        mn_healing_projection_release(&pr);
        return 0;
    }
    assert_int_equal(st, MN_ERANGE);
    assert_non_null(strstr(mn_ctx_errmsg(ctx), "does not reach the dermis"));
    mn_ctx_clear_error(ctx);
    return 1;
}

static void test_reaches_dermis(void **state)
{
    (void)state;
    mn_patient p = person(45, 0);
    const mn_concern *concern = mn_catalog_find_concern(cat, "fine-lines-wrinkles");
    const char *const zones[] = {"periorbital", "cheek", "back", "hand", "scalp"};
    const char *const devices[] = {"skinpen", "dermapen-4", "exceed"};
    mn_healing_variability shallow;
    mn_healing_variability_init(&shallow);
    shallow.depth_fraction_scale = 0.5;
    int inside = 0; /* cases whose threshold lies inside the device's range */
    for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++)
        for (size_t d = 0; d < sizeof devices / sizeof devices[0]; d++)
            for (int who = 0; who < 2; who++) {
                const mn_site *zone = mn_catalog_find_site(cat, zones[z]);
                const mn_device *dev = mn_catalog_find_device(cat, devices[d]);
                assert_non_null(zone);
                assert_non_null(dev);
                mn_projection_options po;
                mn_projection_options_init(&po);
                po.band_draws = 0;
                po.person = who ? &shallow : NULL;
                double lo = dev->depth_min_mm, hi = dev->depth_max_mm;
                mn_course_session c = {0, hi, 1};
                assert_int_equal(mn__healing_project_reaches_dermis(&p, zone, dev, &c, &po), 1);
                assert_false(refused_for_epidermis(&p, zone, concern, dev, hi, &po));
                c.needle_mm = lo;
                int at_min = mn__healing_project_reaches_dermis(&p, zone, dev, &c, &po);
                assert_int_equal(refused_for_epidermis(&p, zone, concern, dev, lo, &po), !at_min);
                if (at_min)
                    continue;
                /* The threshold, by bisection on the predicate: the projection refuses just
                 * below it and projects just above. */
                inside++;
                for (int k = 0; k < 60; k++) {
                    c.needle_mm = 0.5 * (lo + hi);
                    if (mn__healing_project_reaches_dermis(&p, zone, dev, &c, &po))
                        hi = c.needle_mm;
                    else
                        lo = c.needle_mm;
                }
                assert_true(hi - lo < 1e-9);
                assert_true(refused_for_epidermis(&p, zone, concern, dev, lo, &po));
                assert_false(refused_for_epidermis(&p, zone, concern, dev, hi, &po));
            }
    assert_true(inside >= 3);
}

/* The course's PIH risk is the PIH law (pih.c) over its sessions, each at its own setting:
 * 1 - prod(1 - p_k) for the typical person, and the band the law's documentation states, each
 * session's probability divided and multiplied by MN_PIH_BAND_FACTOR. */
static void test_pih_risk(void **state)
{
    (void)state;
    mn_healing_session s[3] = {
        {0, mn_catalog_find_device(cat, "dermaroller-192"), 1.5, 15, 0},
        {28, mn_catalog_find_device(cat, "skinpen"), 0.5, 1, 0},
        {56, mn_catalog_find_device(cat, "skinpen"), 1.5, 3, 0},
    };
    mn_patient p = {35, MN_SEX_FEMALE, 5, 0, MN_SUN_HIGH};
    mn_healing_scenario sc = scenario(p, "cheek", "acne-scars", s, 3, 365);
    mn_healing_pih r;
    assert_int_equal(mn_healing_pih_risk(ctx, &sc, &r), MN_OK);
    double none = 1, low = 1, high = 1, most = 0;
    for (int k = 0; k < 3; k++) {
        double pk = mn__healing_pih_probability(&s[k], sc.zone, &p, 1, 1);
        assert_true(pk > 0 && pk < 0.5);
        most = pk > most ? pk : most;
        none *= 1 - pk;
        low *= 1 - mn__healing_pih_probability(&s[k], sc.zone, &p, 1, 1 / MN_PIH_BAND_FACTOR);
        high *= 1 - mn__healing_pih_probability(&s[k], sc.zone, &p, 1, MN_PIH_BAND_FACTOR);
    }
    assert_int_equal(r.fitzpatrick, 5);
    assert_close(r.probability, 1 - none, 1e-12, 0);
    assert_close(r.probability_low, 1 - low, 1e-12, 0);
    assert_close(r.probability_high, 1 - high, 1e-12, 0);
    assert_close(r.session_max, most, 1e-12, 0);
    assert_true(r.probability_low < r.probability && r.probability < r.probability_high);
    /* The deep pen session inflames more than the shallow one, so risks more. */
    assert_true(mn__healing_pih_probability(&s[2], sc.zone, &p, 1, 1) >
                mn__healing_pih_probability(&s[1], sc.zone, &p, 1, 1));
    /* Darker skin, more risk; no session, none. */
    mn_healing_pih fair;
    sc.patient.fitzpatrick = 2;
    assert_int_equal(mn_healing_pih_risk(ctx, &sc, &fair), MN_OK);
    assert_true(fair.probability < r.probability);
    sc.n_sessions = 0;
    assert_int_equal(mn_healing_pih_risk(ctx, &sc, &fair), MN_OK);
    assert_true(fair.probability == 0 && fair.probability_high == 0 && fair.session_max == 0);
    /* Refused as mn_healing_run() refuses, with the result zeroed. */
    sc.n_sessions = 3;
    sc.patient.fitzpatrick = 7;
    r.probability = 1;
    assert_int_equal(mn_healing_pih_risk(ctx, &sc, &r), MN_EINVAL);
    assert_true(r.probability == 0 && r.fitzpatrick == 0);
    assert_non_null(strstr(mn_ctx_errmsg(ctx), "phototype"));
    assert_int_equal(mn_healing_pih_risk(NULL, NULL, &r), MN_EINVAL);
    assert_int_equal(mn_healing_pih_risk(ctx, &sc, NULL), MN_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regression_lotfi_2013),
        cmocka_unit_test(test_regression_fibroblast_output_by_age),
        cmocka_unit_test(test_regression_untreated_decline),
        cmocka_unit_test(test_early_days),
        cmocka_unit_test(test_rises_after_course),
        cmocka_unit_test(test_dose_response),
        cmocka_unit_test(test_depth_and_density),
        cmocka_unit_test(test_remodelling_after_course),
        cmocka_unit_test(test_response_spread),
        cmocka_unit_test(test_posterior_medians_contradict_behaviour),
        cmocka_unit_test(test_maintenance_beyond_bound),
        cmocka_unit_test(test_age_and_smoking),
        cmocka_unit_test(test_not_permanent),
        cmocka_unit_test(test_maintenance_holds),
        cmocka_unit_test(test_exact_matches_cvode),
        cmocka_unit_test(test_run_allocates_nothing),
        cmocka_unit_test(test_variability),
        cmocka_unit_test(test_report_days_and_arguments),
        cmocka_unit_test(test_scenario_parse),
        cmocka_unit_test(test_answer),
        cmocka_unit_test(test_planner_uses_model),
        cmocka_unit_test(test_simulate_maintenance),
        cmocka_unit_test(test_reaches_dermis),
        cmocka_unit_test(test_pih_risk),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
