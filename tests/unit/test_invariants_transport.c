/*
 * Transport properties over generated scenarios (unit cell; 10,000 in optimised builds, a
 * quarter under ASan; MN_PROPERTY_CASES overrides):
 *   - mass is conserved to 1e-6 of the dose (DESIGN 6) and every sample is finite and
 *     non-negative;
 *   - more dose never delivers less: the same scenario with a larger applied volume delivers
 *     at least as much at every report hour.
 * (Delivery is not required to grow with time: what crossed the stratum corneum can diffuse
 * back into it once the surface is depleted.)
 * Scenarios span every site, intact skin and every device across its range, molecules of
 * 50-5,000 g/mol and log P -3 to 6, open or occluded; runs are one or two simulated hours at
 * coarse resolution, because the physics, not the grid, is what is checked here.
 */
#include <stdlib.h>
#include <string.h>

#include "mn_test.h"
#include "mneedle/mneedle.h"
#include "mneedle/transport.h"

#ifdef __SANITIZE_ADDRESS__
#define N_CASES_DEFAULT 2500
#else
#define N_CASES_DEFAULT 10000
#endif

static int n_cases = N_CASES_DEFAULT;

MN_TEST_CONTEXT_FIXTURE

static void random_scenario(mn_rng *r, mn_absorb_scenario *s, double *hours)
{
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    mn_absorb_scenario_init(s);
    s->site =
        mn_catalog_site_at(cat, (size_t)mn_rng_int(r, 0, (long)mn_catalog_site_count(cat) - 1));
    s->patient.age_years = 18 + 82 * mn_rng_uniform(r);
    s->patient.sex = mn_rng_int(r, 0, 1) ? MN_SEX_MALE : MN_SEX_FEMALE;
    s->patient.fitzpatrick = (int)mn_rng_int(r, 1, 6);
    long d = mn_rng_int(r, -1, (long)mn_catalog_device_count(cat) - 1);
    s->device = d < 0 ? NULL : mn_catalog_device_at(cat, (size_t)d);
    if (s->device) {
        s->needle_mm = s->device->depth_min_mm +
                       (s->device->depth_max_mm - s->device->depth_min_mm) * mn_rng_uniform(r);
        s->passes = 1 + 4 * mn_rng_uniform(r);
    }
    snprintf(s->product_name, sizeof s->product_name, "custom");
    s->mw = 50 * pow(100, mn_rng_uniform(r));
    s->logp = -3 + 9 * mn_rng_uniform(r);
    s->concentration_mg_ml = 0.1 + 200 * mn_rng_uniform(r);
    s->dose_ul_cm2 = 1 + 20 * mn_rng_uniform(r);
    s->occluded = mn_rng_uniform(r) < 0.5;
    *hours = mn_rng_uniform(r) < 0.5 ? 1 : 2;
    s->hours = *hours;
    s->resolution = 0.25;
    s->report_hours = malloc(2 * sizeof *s->report_hours);
    assert_non_null(s->report_hours);
    s->report_hours[0] = *hours / 2;
    s->report_hours[1] = *hours;
    s->n_report = 2;
    s->band_runs = 0; /* the band repeats a run 32 times; test_franz_outputs covers it */
}

static void check_run(const mn_absorb_scenario *s, const mn_absorb_result *r)
{
    if (!(r->mass_balance_error < 1e-6))
        fail_msg("%s, %s: mass balance error %g", s->site->id, s->device ? s->device->id : "intact",
                 r->mass_balance_error);
    for (size_t i = 0; i < r->n_samples; i++) {
        const mn_absorb_sample *x = &r->samples[i];
        double v[] = {x->delivered_ug_cm2, x->intact_ug_cm2, x->donor_ug_cm2,  x->sc_ug_cm2,
                      x->ve_ug_cm2,        x->dermis_ug_cm2, x->cleared_ug_cm2};
        for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
            assert_true(isfinite(v[k]) && v[k] >= -1e-9 * (1 + r->params.dose_ug_cm2));
        assert_true(isfinite(x->enhancement));
    }
}

static void test_mass_conserved_and_dose_monotonic(void **state)
{
    (void)state;
    mn_rng rng;
    mn_rng_init(&rng, 20261122, 11);
    for (int i = 0; i < n_cases; i++) {
        mn_absorb_scenario s;
        double hours;
        random_scenario(&rng, &s, &hours);
        mn_absorb_result a, b;
        mn_absorb_result_init(&a);
        mn_absorb_result_init(&b);
        mn_status st = mn_absorb_run(ctx, &s, NULL, NULL, &a);
        if (st != MN_OK)
            fail_msg("case %d: %s", i, mn_ctx_errmsg(ctx));
        check_run(&s, &a);
        /* The same skin and molecule, more of it applied: a thicker film when occluded; open
         * to air, a stronger one of the same volume (a thicker film concentrates more slowly
         * as it dries, so it may deliver less in the first hour: that is physics, not a
         * bug). */
        double factor = 1.1 + 3 * mn_rng_uniform(&rng);
        if (s.occluded)
            s.dose_ul_cm2 *= factor;
        else
            s.concentration_mg_ml *= factor;
        assert_int_equal(mn_absorb_run(ctx, &s, NULL, NULL, &b), MN_OK);
        check_run(&s, &b);
        for (size_t k = 0; k < a.n_samples; k++)
            if (b.samples[k].delivered_ug_cm2 < a.samples[k].delivered_ug_cm2 * (1 - 1e-9))
                fail_msg("case %d: %.3g x the dose delivered %.6g < %.6g ug/cm2 at %g h", i, factor,
                         b.samples[k].delivered_ug_cm2, a.samples[k].delivered_ug_cm2,
                         a.samples[k].hour);
        mn_absorb_result_release(&a);
        mn_absorb_result_release(&b);
        mn_absorb_scenario_release(&s);
    }
    printf("  %d scenarios, each at two doses\n", n_cases);
}

int main(void)
{
    n_cases = mn_test_property_cases(n_cases);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mass_conserved_and_dose_monotonic),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
