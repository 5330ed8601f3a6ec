/*
 * Open channels and their closure: the geometry that stays open after the needle is out and
 * the one closure law that the transport and healing models both read. Equations in
 * include/mneedle/device.h; sources and evidence in docs/models/device.md.
 *
 * Closure half-life = base x site x age x phototype:
 *   base, occluded: 20.2 h at the volar forearm by impedance (F56b, n = 35, SD 12 h); band
 *     10-41 h (the 10th-90th percentiles of a log-normal with median 20.2 h and the reported
 *     59 % CV);
 *   base, open to air: 1.5 h. Barrier (TEWL) back 4-5 h after DermaRoller 370 and 770 um
 *     needles (F53a, hairless rat) is about 3 half-lives (closure time / half-life = 2.9 on
 *     the forearm in F56a/F56b, 2.4-2.5 at the abdomen and upper arm); human arrays reseal
 *     within 2 h (F51a, Gupta 2011: t1/2 ~0.7 h) and dye shows roller pores closed only by
 *     12-18 h (F53b: t1/2 4-6 h), so the band is 0.69-4 h [judgement: pen and roller
 *     needles are longer and wider than F51a's arrays, and Gupta 2011 and Kelchen 2016 found
 *     longer and more needles reseal more slowly];
 *   site: the site's closure_factor (abdomen 1.28, upper arm 1.17 against the forearm from
 *     F56b's half-lives; the differences were not statistically significant; 1 elsewhere);
 *   age: 1 + 0.01 (age - 25)+: closure significantly slower at 77 y than at 26 y, occluded
 *     and not (Kelchen et al., J Control Release 2016;225:294, n = 28); the ratio is not in
 *     the abstract [judgement: 1.5 at 75, range 1.2-2];
 *   phototype: micropore lifetime 66.5 h (Black) vs 50.2 h (White), significant; Latino
 *     61.1 h, Asian 44.1 h; darker L* significantly longer (Ogunjimi et al., Sci Rep
 *     2020;10:18963, n = 111): I-II 1.0, III 1.1, IV 1.2, V 1.26, VI 1.32 [mapping from
 *     colour to phototype is judgement].
 */
#include <math.h>
#include <string.h>

#include "core/consts.h"
#include "device/closure.h"
#include "mneedle/device.h"

/* Age after which closure slows, and by how much per year [judgement, see above]. */
#define MN_CLOSURE_REF_AGE_Y 25.0
#define MN_CLOSURE_AGE_PER_Y 0.01

/* The studies the law above was set from, as their evidence ids (F51a: gupta2011; F53a-b:
 * kalluri2011; F56b: brogden2021sites; Kelchen 2016: kelchen2016; Ogunjimi 2020:
 * ogunjimi2020). tests/cli/validate.sh checks that each is a delivery calibration study. */
static const char *const closure_law_sources[] = {"gupta2011", "kalluri2011", "brogden2021sites",
                                                  "kelchen2016", "ogunjimi2020"};

int mn__closure_law_source(const char *id)
{
    for (size_t i = 0; id && i < sizeof closure_law_sources / sizeof closure_law_sources[0]; i++)
        if (!strcmp(id, closure_law_sources[i]))
            return 1;
    return 0;
}

double mn__closure_half_lives_to_closed(void)
{
    return MN__CLOSURE_TIME_FOREARM_H / MN_CLOSURE_OCCLUDED_H;
}

static double phototype_factor(int fitzpatrick)
{
    static const double f[7] = {1.0, 1.0, 1.0, 1.1, 1.2, 1.26, 1.32};
    if (fitzpatrick < 1 || fitzpatrick > 6)
        return 1.0;
    return f[fitzpatrick];
}

void mn_channel_closure(const mn_site *site, const mn_patient *patient, int occluded,
                        mn_closure *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof *out);
    out->base_h = occluded ? MN_CLOSURE_OCCLUDED_H : MN_CLOSURE_OPEN_H;
    out->site_factor = site && site->closure_factor > 0 ? site->closure_factor : 1.0;
    double age = patient ? patient->age_years : MN_CLOSURE_REF_AGE_Y;
    out->age_factor = 1.0 + MN_CLOSURE_AGE_PER_Y * fmax(0.0, age - MN_CLOSURE_REF_AGE_Y);
    out->phototype_factor = phototype_factor(patient ? patient->fitzpatrick : 1);
    double f = out->site_factor * out->age_factor * out->phototype_factor;
    out->half_life_h = out->base_h * f;
    out->half_life_lo_h = (occluded ? MN_CLOSURE_OCCLUDED_LO_H : MN_CLOSURE_OPEN_LO_H) * f;
    out->half_life_hi_h = (occluded ? MN_CLOSURE_OCCLUDED_HI_H : MN_CLOSURE_OPEN_HI_H) * f;
}

static double open_depth(double fraction, double needle_mm, double effective_um)
{
    double d = fraction * needle_mm * 1000.0;
    return d < effective_um ? d : effective_um;
}

void mn_channel_geometry_at(const mn_device *device, double needle_mm, double punctures_per_cm2,
                            const mn_skin_layers *layers, mn_channel_geometry *out)
{
    if (!out)
        return;
    memset(out, 0, sizeof *out);
    if (!device || !(needle_mm > 0))
        return;
    out->set_mm = needle_mm;
    out->effective_depth_um = mn_device_effective_depth_um(device, needle_mm, layers);
    double eff = out->effective_depth_um;
    out->open_depth_um = open_depth(MN_OPEN_DEPTH_FRACTION, needle_mm, eff);
    out->open_depth_lo_um = open_depth(MN_OPEN_DEPTH_FRACTION_LO, needle_mm, eff);
    out->open_depth_hi_um = open_depth(MN_OPEN_DEPTH_FRACTION_HI, needle_mm, eff);
    out->surface_diameter_um = mn_device_channel_diameter_um(device);
    double r0 = 0.5 * out->surface_diameter_um, d = out->open_depth_um;
    out->volume_um3 = MN__PI * r0 * r0 * d / 3.0;
    out->wall_um2 = MN__PI * r0 * sqrt(r0 * r0 + d * d);
    double n = punctures_per_cm2 > 0 ? punctures_per_cm2 : 0;
    out->volume_ul_cm2 = n * out->volume_um3 * 1e-9; /* 1 µl = 1e9 µm³ */
    out->wall_cm2_cm2 = n * out->wall_um2 * 1e-8;    /* 1 cm² = 1e8 µm² */
}
