/*
 * Puncture density, effective depth and channel size. Equations and their sources are in
 * include/mneedle/device.h and docs/models/device.md.
 */
#include <assert.h>
#include <math.h>

#include "core/consts.h"
#include "mneedle/device.h"

/* The 0.2-0.8 band of effective-depth fractions (DESIGN 3.2, F40-F43). */
#define MN_FRACTION_MIN 0.2
#define MN_FRACTION_MAX 0.8
/* Surface channel diameter over needle base diameter: 70.7 / 140 um (F40a, F40b). */
#define MN_CHANNEL_TO_NEEDLE 0.505

static double clamp(double x, double lo, double hi)
{
    assert(lo <= hi);
    return x < lo ? lo : x > hi ? hi : x;
}

double mn_device_depth_fraction(const mn_device *d, double needle_mm)
{
    assert(d != NULL); /* a catalogue entry */
    if (!(needle_mm > 0))
        return MN_FRACTION_MIN;
    double f = d->depth_fraction_max * needle_mm / (needle_mm + d->depth_fraction_half_mm);
    return clamp(f, MN_FRACTION_MIN, MN_FRACTION_MAX);
}

/* A depth held to the skin at the site: the modelled skin ends at its full thickness
 * (epidermis, dermis and subcutis of the site atlas), so no channel it represents reaches
 * deeper, whatever the needle's length. The central depth and both ends of its band are held
 * to it alike (the band read 2100-2400 um around a central 895 um for a 3 mm pen at the
 * eyelid). No bound where @p layers is NULL. */
static double within_skin(double depth_um, const mn_skin_layers *layers)
{
    if (!layers)
        return depth_um;
    double full = mn_skin_full_thickness_um(layers);
    return depth_um > full ? full : depth_um;
}

double mn_device_effective_depth_um(const mn_device *d, double needle_mm,
                                    const mn_skin_layers *layers)
{
    if (!(needle_mm > 0))
        return 0;
    return within_skin(mn_device_depth_fraction(d, needle_mm) * needle_mm * 1000.0, layers);
}

void mn_device_depth_range_um(const mn_device *d, double needle_mm, const mn_skin_layers *layers,
                              double *lo_um, double *hi_um)
{
    /* The band keeps to the 0.2-0.8 rule the central fraction keeps (it ran to 0.9 for a
     * pen at 1 mm, 697-897 um, and from 0.1 for a roller at 0.5 mm, 50-150 um). */
    double f = mn_device_depth_fraction(d, needle_mm);
    double flo = clamp(f - MN_DEPTH_FRACTION_UNCERTAINTY, MN_FRACTION_MIN, MN_FRACTION_MAX);
    double fhi = clamp(f + MN_DEPTH_FRACTION_UNCERTAINTY, MN_FRACTION_MIN, MN_FRACTION_MAX);
    if (lo_um)
        *lo_um = within_skin(flo * needle_mm * 1000.0, layers);
    if (hi_um)
        *hi_um = within_skin(fhi * needle_mm * 1000.0, layers);
}

double mn_device_needle_for_depth(const mn_device *d, double depth_um)
{
    /* depth(L) = f(L) * L is increasing in L, so bisect on [0, 10 mm]. */
    double lo = 0, hi = 10.0;
    if (mn_device_effective_depth_um(d, hi, NULL) <= depth_um)
        return hi;
    for (int i = 0; i < 80; i++) {
        double mid = 0.5 * (lo + hi);
        if (mn_device_effective_depth_um(d, mid, NULL) <= depth_um)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

double mn_device_snap_down(const mn_device *d, double needle_mm)
{
    const double eps = 1e-9;
    if (needle_mm < d->depth_min_mm - eps)
        return -1;
    if (needle_mm > d->depth_max_mm)
        needle_mm = d->depth_max_mm;
    if (d->n_lengths > 0) { /* a roller: the longest length sold that is not longer */
        int i = d->n_lengths - 1;
        while (i > 0 && d->lengths_mm[i] > needle_mm + eps)
            i--;
        return d->lengths_mm[i];
    }
    if (d->depth_step_mm <= 0)
        return d->depth_min_mm;
    double k = floor((needle_mm - d->depth_min_mm) / d->depth_step_mm + eps);
    assert(k >= 0); /* needle_mm is at least the shortest setting here */
    double v = d->depth_min_mm + k * d->depth_step_mm;
    /* Round to 1e-6 mm so 0.25 + 5 * 0.25 prints as 1.5, not 1.4999999. */
    return floor(v * 1e6 + 0.5) / 1e6;
}

double mn_device_snap_up(const mn_device *d, double needle_mm)
{
    const double eps = 1e-9;
    if (needle_mm > d->depth_max_mm + eps)
        return -1;
    if (needle_mm <= d->depth_min_mm)
        return d->depth_min_mm;
    if (d->n_lengths > 0) { /* a roller: the shortest length sold that is not shorter */
        int i = 0;
        while (i < d->n_lengths - 1 && d->lengths_mm[i] < needle_mm - eps)
            i++;
        return d->lengths_mm[i];
    }
    if (d->depth_step_mm <= 0)
        return d->depth_min_mm;
    double k = ceil((needle_mm - d->depth_min_mm) / d->depth_step_mm - eps);
    double v = fmin(d->depth_min_mm + k * d->depth_step_mm, d->depth_max_mm);
    return floor(v * 1e6 + 0.5) / 1e6;
}

double mn_device_punctures_per_cm2(const mn_device *d, double passes, double glide_mm_s)
{
    assert(d != NULL);
    if (!(passes > 0))
        return 0;
    if (d->kind == MN_DEVICE_ROLLER) {
        double drum_area_cm2 = MN__PI * (d->drum_diameter_mm / 10.0) * (d->drum_width_mm / 10.0);
        return passes * d->needles / drum_area_cm2;
    }
    if (!(glide_mm_s > 0))
        glide_mm_s = MN_DEFAULT_GLIDE_MM_S;
    double swept_cm2_s = (glide_mm_s / 10.0) * (d->head_width_mm / 10.0);
    return passes * d->needles * d->stroke_hz / swept_cm2_s;
}

double mn_device_channel_diameter_um(const mn_device *d)
{
    return MN_CHANNEL_TO_NEEDLE * d->needle_diameter_um;
}
