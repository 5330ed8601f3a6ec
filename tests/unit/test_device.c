/* Device model: puncture density, effective depth and channel size against F40-F46, and the
 * seeded puncture field. */
#include <math.h>
#include <string.h>

#include "mn_test.h"
#include "mneedle/mneedle.h"

MN_TEST_CONTEXT_FIXTURE

static const mn_device *dev(const char *name)
{
    const mn_device *d = mn_catalog_find_device(mn_ctx_catalog(ctx), name);
    assert_non_null(d);
    return d;
}

static void test_density_against_f46(void **state)
{
    (void)state;
    /* F46b: 192 needles on a 2 x 2 cm drum give 15.3 punctures/cm2 per pass. */
    assert_close(mn_device_punctures_per_cm2(dev("dermaroller-192"), 1, 0), 15.28, 0.005, 0);
    /* F46a: ~250 holes/cm2 after 15 passes (secondary source): within 10 %. */
    assert_close(mn_device_punctures_per_cm2(dev("dermaroller-192"), 15, 0), 250, 0.10, 0);
    /* Pens: needles x stroke rate / (glide x head width): 14 x 116.7 / (4 cm/s x 0.6 cm). */
    assert_close(mn_device_punctures_per_cm2(dev("skinpen"), 1, 40), 14 * 116.7 / 2.4, 1e-9, 0);
    /* Slower glide, more punctures; passes add linearly. */
    assert_true(mn_device_punctures_per_cm2(dev("skinpen"), 1, 20) >
                mn_device_punctures_per_cm2(dev("skinpen"), 1, 40));
    assert_close(mn_device_punctures_per_cm2(dev("skinpen"), 3, 40),
                 3 * mn_device_punctures_per_cm2(dev("skinpen"), 1, 40), 1e-12, 0);
    assert_true(mn_device_punctures_per_cm2(dev("skinpen"), 0, 40) == 0);
}

static void test_depth_against_f40_f42(void **state)
{
    (void)state;
    /* F40a: 770 um roller needles make 152.5 +/- 9.6 um channels. */
    assert_close(mn_device_effective_depth_um(dev("dermaroller-192"), 0.77, NULL), 152.5, 0, 15);
    /* F42: ~460 um of a 600 um needle inserted perpendicularly (pen-like). */
    assert_close(mn_device_effective_depth_um(dev("skinpen"), 0.6, NULL), 460, 0, 25);
    /* F41: rollers bury < 50 % below 1 mm. */
    assert_true(mn_device_depth_fraction(dev("dermaroller-192"), 0.9) < 0.5);
    /* The 0.2-0.8 band for every device and length, and depth grows with length. */
    for (size_t i = 0; i < mn_catalog_device_count(mn_ctx_catalog(ctx)); i++) {
        const mn_device *d = mn_catalog_device_at(mn_ctx_catalog(ctx), i);
        double prev = 0;
        for (double L = 0.1; L <= 3.0001; L += 0.1) {
            double f = mn_device_depth_fraction(d, L);
            assert_true(f >= 0.2 && f <= 0.8);
            double depth = mn_device_effective_depth_um(d, L, NULL);
            assert_true(depth > prev);
            /* Its band keeps to the same rule and holds the central depth. */
            double lo, hi;
            mn_device_depth_range_um(d, L, NULL, &lo, &hi);
            assert_true(lo >= 0.2 * L * 1000 - 1e-9 && hi <= 0.8 * L * 1000 + 1e-9);
            assert_true(lo <= depth && depth <= hi && lo < hi);
            prev = depth;
        }
    }
    /* F40b: a 140 um base gives a ~70.7 um channel; the catalogue's 250 um needle ~126 um. */
    assert_close(mn_device_channel_diameter_um(dev("dermaroller-192")), 250 * 70.7 / 140, 0.01, 0);
}

/* At a thin site a long needle's band is held to the skin's full thickness, as the central
 * depth is: the eyelid of a woman of 70 with a 3 mm pen read 895 um (range 2100-2400). */
static void test_depth_band_at_thin_site(void **state)
{
    (void)state;
    const mn_site *eye = mn_catalog_find_site(mn_ctx_catalog(ctx), "periorbital");
    assert_non_null(eye);
    mn_patient p;
    mn_patient_init(&p);
    p.age_years = 70;
    p.sex = MN_SEX_FEMALE;
    mn_skin_layers layers;
    assert_int_equal(mn_skin_layers_at(eye, &p, &layers), MN_OK);
    double full = mn_skin_full_thickness_um(&layers);
    /* The case is one the cap decides: unbounded, the whole band lies below the skin. */
    double lo, hi;
    mn_device_depth_range_um(dev("dermapen-4"), 3.0, NULL, &lo, &hi);
    assert_true(lo > full && hi > full);
    mn_device_depth_range_um(dev("dermapen-4"), 3.0, &layers, &lo, &hi);
    assert_close(hi, full, 1e-12, 0);
    assert_close(lo, full, 1e-12, 0);
    assert_close(mn_device_effective_depth_um(dev("dermapen-4"), 3.0, &layers), full, 1e-12, 0);
    /* Every device and length: the band holds the central depth and stays in the skin. */
    for (size_t i = 0; i < mn_catalog_device_count(mn_ctx_catalog(ctx)); i++) {
        const mn_device *d = mn_catalog_device_at(mn_ctx_catalog(ctx), i);
        for (double L = 0.1; L <= 3.0001; L += 0.1) {
            double depth = mn_device_effective_depth_um(d, L, &layers);
            mn_device_depth_range_um(d, L, &layers, &lo, &hi);
            assert_true(hi <= full && lo <= depth && depth <= hi);
        }
    }
}

static double field_density(const mn_puncture_field *f)
{
    return (double)f->n / (f->width_um * f->height_um * 1e-8);
}

/* Open channels: three depths (set, reached, open), the open one inside the measured band, a
 * physical volume, and the one closure law. */
static void test_open_channels(void **state)
{
    (void)state;
    mn_channel_geometry g;
    /* F40a (dye, histology): 152.5 um open under 770 um roller needles; in-vivo OCT: 70 um
     * open under 1500 um needles (Skin Res Technol 2019;25:482). Both inside the band. */
    mn_channel_geometry_at(dev("dermaroller-192"), 0.77, 15.3, NULL, &g);
    assert_true(g.open_depth_lo_um <= 152.5 && g.open_depth_hi_um >= 152.5 - 9.6);
    mn_channel_geometry_at(dev("dermapen-4"), 1.5, 800, NULL, &g);
    assert_true(g.open_depth_lo_um <= 70 && g.open_depth_hi_um >= 70);
    /* Set length > tip's reach >= open depth. */
    assert_true(g.set_mm * 1000 > g.effective_depth_um && g.effective_depth_um >= g.open_depth_um);
    /* A cone: volume pi r^2 d / 3 per puncture, per cm2 at the density. */
    double r0 = 0.5 * g.surface_diameter_um;
    assert_close(g.volume_um3, 3.14159265358979 * r0 * r0 * g.open_depth_um / 3, 1e-12, 0);
    assert_close(g.volume_ul_cm2, 800 * g.volume_um3 * 1e-9, 1e-12, 0);
    /* Two pen passes at 1 mm (~1,600 /cm2) open well under a microlitre per cm2: a serum
     * film of 10 ul/cm2 cannot all fit in the channels. */
    mn_channel_geometry_at(dev("dermapen-4"), 1.0, 1600, NULL, &g);
    assert_true(g.volume_ul_cm2 > 0.05 && g.volume_ul_cm2 < 1.0);
    /* Longer needles open deeper channels; none gives an empty geometry. */
    mn_channel_geometry h;
    mn_channel_geometry_at(dev("dermapen-4"), 2.0, 1600, NULL, &h);
    assert_true(h.open_depth_um > g.open_depth_um && h.volume_ul_cm2 > g.volume_ul_cm2);
    mn_channel_geometry_at(dev("dermapen-4"), 0, 1600, NULL, &h);
    assert_true(h.volume_ul_cm2 == 0 && h.open_depth_um == 0);
    /* Closure: occluded 20.2 h at the forearm at 25 y (F56b), open to air far faster; the
     * band brackets the centre; age, site and phototype multiply. */
    mn_patient pt = {25, MN_SEX_FEMALE, 2, 0, MN_SUN_MODERATE};
    mn_closure occ, open, old;
    mn_channel_closure(NULL, &pt, 1, &occ);
    mn_channel_closure(NULL, &pt, 0, &open);
    assert_close(occ.half_life_h, 20.2, 1e-12, 0);
    assert_true(open.half_life_h < occ.half_life_h / 10);
    assert_true(open.half_life_lo_h < open.half_life_h && open.half_life_h < open.half_life_hi_h);
    pt.age_years = 75;
    pt.fitzpatrick = 6;
    const mn_site *arm = mn_catalog_find_site(mn_ctx_catalog(ctx), "upper-arm");
    mn_channel_closure(arm, &pt, 1, &old);
    assert_close(old.half_life_h, 20.2 * 1.5 * 1.32 * arm->closure_factor, 1e-12, 0);
}

static void test_field_density_and_seed(void **state)
{
    (void)state;
    const char *names[] = {"skinpen", "dermapen-4", "dermaroller-192", "dermaroller-540"};
    for (size_t i = 0; i < 4; i++) {
        mn_puncture_field a, b, c;
        double passes = 4;
        assert_int_equal(
            mn_puncture_field_generate(ctx, dev(names[i]), passes, 40, 50000, 50000, 7, &a), MN_OK);
        double want = mn_device_punctures_per_cm2(dev(names[i]), passes, 40);
        assert_close(field_density(&a), want, 0.05, 0);
        for (size_t n = 0; n < a.n; n++)
            assert_true(a.points[n].x_um >= 0 && a.points[n].x_um < 50000 &&
                        a.points[n].y_um >= 0 && a.points[n].y_um < 50000);
        /* Same seed, same field; another seed, another field. */
        assert_int_equal(
            mn_puncture_field_generate(ctx, dev(names[i]), passes, 40, 50000, 50000, 7, &b), MN_OK);
        assert_int_equal(a.n, b.n);
        assert_memory_equal(a.points, b.points, a.n * sizeof *a.points);
        assert_int_equal(
            mn_puncture_field_generate(ctx, dev(names[i]), passes, 40, 50000, 50000, 8, &c), MN_OK);
        assert_true(c.n != a.n || memcmp(a.points, c.points, a.n * sizeof *a.points) != 0);
        mn_puncture_field_release(&a);
        mn_puncture_field_release(&b);
        mn_puncture_field_release(&c);
    }
    /* A fractional pass covers in proportion. */
    mn_puncture_field h;
    assert_int_equal(mn_puncture_field_generate(ctx, dev("skinpen"), 2.5, 40, 20000, 20000, 3, &h),
                     MN_OK);
    assert_close(field_density(&h), mn_device_punctures_per_cm2(dev("skinpen"), 2.5, 40), 0.06, 0);
    mn_puncture_field_release(&h);
}

static void test_roller_rows(void **state)
{
    (void)state;
    /* One roller pass along x: holes sit in rows pi * 20 mm / 8 = 7.85 mm apart, so x modulo
     * the row step clusters (skid 20 um) while a uniform field would spread over the step. */
    mn_puncture_field f;
    assert_int_equal(
        mn_puncture_field_generate(ctx, dev("dermaroller-192"), 1, 0, 40000, 20000, 11, &f), MN_OK);
    assert_true(f.n > 100);
    double step = 3.14159265358979 * 20000.0 / 8;
    double ref = fmod(f.points[0].x_um, step), spread = 0;
    for (size_t n = 0; n < f.n; n++) {
        double dx = fmod(f.points[n].x_um - ref + 10 * step, step);
        if (dx > step / 2)
            dx -= step;
        spread += dx * dx;
    }
    spread = sqrt(spread / (double)f.n);
    assert_true(spread < 100); /* uniform would give step / sqrt(12) = 2267 um */
    mn_puncture_field_release(&f);
}

static void test_field_bad_input(void **state)
{
    (void)state;
    mn_puncture_field f;
    assert_int_equal(mn_puncture_field_generate(ctx, dev("skinpen"), -1, 40, 1000, 1000, 1, &f),
                     MN_EINVAL);
    assert_int_equal(mn_puncture_field_generate(ctx, dev("skinpen"), 1, 40, 0, 1000, 1, &f),
                     MN_EINVAL);
    assert_int_equal(mn_puncture_field_generate(ctx, dev("skinpen"), 100, 5, 1e6, 1e6, 1, &f),
                     MN_ELIMIT);
    assert_int_equal(f.n, 0);
    mn_puncture_field_release(&f);
    mn_puncture_field_release(NULL);
}

/* The planner's depth caps: the zone's clinical limit, a concern's deep-face exception only
 * with a clinical device, the anatomy cap reached exactly by its length, thinner with age;
 * the range check at the catalogue's ends. */
static void test_depth_caps(void **state)
{
    (void)state;
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    const mn_site *cheek = mn_catalog_find_site(cat, "cheek");
    const mn_site *eye = mn_catalog_find_site(cat, "periorbital");
    const mn_concern *scars = mn_catalog_find_concern(cat, "acne-scars");
    mn_patient p;
    mn_patient_init(&p);
    p.age_years = 30;
    mn_depth_caps c;
    assert_int_equal(mn_device_depth_caps(dev("skinpen"), eye, &p, scars, &c), MN_OK);
    assert_true(c.zone_mm == eye->clinical_max_mm && !c.deep_face_exception);
    assert_int_equal(mn_device_depth_caps(dev("skinpen"), cheek, &p, NULL, &c), MN_OK);
    assert_true(c.zone_mm == MN_FACE_DEFAULT_MAX_MM && !c.deep_face_exception);
    assert_int_equal(mn_device_depth_caps(dev("skinpen"), cheek, &p, scars, &c), MN_OK);
    assert_true(c.deep_face_exception && c.zone_mm == scars->deep_face_max_mm &&
                c.zone_mm > MN_FACE_DEFAULT_MAX_MM);
    assert_int_equal(mn_device_depth_caps(dev("home-roller"), cheek, &p, scars, &c), MN_OK);
    assert_false(c.deep_face_exception);
    /* Phototypes IV-VI keep the usual facial limit: the exception is withheld, and said. */
    for (int f = 1; f <= 6; f++) {
        mn_patient dark = p;
        dark.fitzpatrick = f;
        assert_int_equal(mn_device_depth_caps(dev("skinpen"), cheek, &dark, scars, &c), MN_OK);
        assert_int_equal(c.deep_face_exception, f < MN_DEEP_FACE_BELOW_PHOTOTYPE);
        assert_int_equal(c.deep_face_withheld, f >= MN_DEEP_FACE_BELOW_PHOTOTYPE);
        assert_true(c.zone_mm == (f < 4 ? scars->deep_face_max_mm : MN_FACE_DEFAULT_MAX_MM));
    }
    /* The anatomy cap's length reaches the allowed depth (to rounding), and ageing lowers it. */
    assert_int_equal(mn_device_depth_caps(dev("skinpen"), cheek, &p, NULL, &c), MN_OK);
    assert_true(fabs(mn_device_effective_depth_um(dev("skinpen"), c.anatomy_mm, NULL) -
                     c.anatomy_depth_um) < 1.0);
    mn_depth_caps old;
    p.age_years = 80;
    assert_int_equal(mn_device_depth_caps(dev("skinpen"), cheek, &p, NULL, &old), MN_OK);
    assert_true(old.anatomy_mm < c.anatomy_mm);
    assert_int_equal(mn_device_depth_caps(NULL, cheek, &p, NULL, &c), MN_EINVAL);
    /* The one range check every reader uses. */
    const mn_device *pen = dev("skinpen");
    assert_true(mn_device_needle_in_range(pen, pen->depth_min_mm));
    assert_true(mn_device_needle_in_range(pen, pen->depth_max_mm));
    assert_false(mn_device_needle_in_range(pen, pen->depth_max_mm + 0.01));
    assert_false(mn_device_needle_in_range(pen, pen->depth_min_mm - 0.01));
    assert_false(mn_device_needle_in_range(pen, NAN));
    assert_false(mn_device_needle_in_range(NULL, 1.0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_density_against_f46),
        cmocka_unit_test(test_depth_against_f40_f42),
        cmocka_unit_test(test_depth_band_at_thin_site),
        cmocka_unit_test(test_field_density_and_seed),
        cmocka_unit_test(test_roller_rows),
        cmocka_unit_test(test_field_bad_input),
        cmocka_unit_test(test_open_channels),
        cmocka_unit_test(test_depth_caps),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
