/*
 * The planner's depth caps (docs/clinic.md, "Depth"), in one place for the planner and for the
 * commands that take a needle length from the user:
 *   - the zone's clinical cap: data/sites.json clinical_max_mm (periorbital and forehead
 *     0.5 mm), raised on a facial zone already at MN_FACE_DEFAULT_MAX_MM only for a concern
 *     with a justified deep_face_max_mm (data/concerns.json), a clinical device and a
 *     phototype below MN_DEEP_FACE_BELOW_PHOTOTYPE (device.h: its sources);
 *   - the anatomy cap: the longest setting whose effective depth (device.h) stays inside the
 *     epidermis and dermis of this site, age and sex (site atlas, F34, F69-F77), less a margin
 *     of max(MN_DEPTH_MARGIN_MIN_UM, MN_DEPTH_MARGIN_DERMIS_FRACTION x dermis).
 */
#include <math.h>
#include <stdio.h>

#include "core/internal.h"
#include "data/ranges.h"
#include "device/depth_cap.h"

mn_status mn_device_depth_caps(const mn_device *device, const mn_site *site,
                               const mn_patient *patient, const mn_concern *concern,
                               mn_depth_caps *out)
{
    if (!device || !site || !patient || !out)
        return MN_EINVAL;
    mn_skin_layers layers;
    mn_status st = mn_skin_layers_at(site, patient, &layers);
    if (st)
        return st;
    out->zone_mm = site->clinical_max_mm;
    out->deep_face_exception = 0;
    out->deep_face_withheld = 0;
    if (concern && site->facial && site->clinical_max_mm >= MN_FACE_DEFAULT_MAX_MM &&
        concern->deep_face_max_mm > out->zone_mm && device->device_class == MN_DEVICE_CLINICAL) {
        if (patient->fitzpatrick >= MN_DEEP_FACE_BELOW_PHOTOTYPE) {
            out->deep_face_withheld = 1;
        } else {
            out->zone_mm = concern->deep_face_max_mm;
            out->deep_face_exception = 1;
        }
    }
    double dermis = mn_skin_dermis_um(&layers);
    double margin = fmax(MN_DEPTH_MARGIN_MIN_UM, MN_DEPTH_MARGIN_DERMIS_FRACTION * dermis);
    out->anatomy_depth_um = mn_skin_epidermis_um(&layers) + dermis - margin;
    out->anatomy_mm = mn_device_needle_for_depth(device, out->anatomy_depth_um);
    return MN_OK;
}

/* Lengths within this of a cap are at the cap (a catalogue value typed back, 1.5 vs 1.5000). */
#define MN_CAP_EPS_MM 1e-9

unsigned mn__depth_cap_warn(const mn_device *device, const mn_site *site,
                            const mn_patient *patients, int n_patients, const mn_concern *concern,
                            double needle_mm, const char *src, const char *path, unsigned skip,
                            mn_warnings *w)
{
    if (!device || !site || !patients || n_patients < 1 || !(needle_mm > 0))
        return 0;
    mn_depth_caps caps, tightest = {0}, zone = {0};
    int thinnest = -1;
    const mn__input_range *ages = &mn__input_ranges[MN__IN_AGE_YEARS];
    for (int i = 0; i < n_patients; i++) {
        /* A person aged on by a late session may pass the atlas's oldest age: take that. */
        mn_patient p = patients[i];
        p.age_years = fmin(fmax(p.age_years, ages->lo), ages->hi);
        if (mn_device_depth_caps(device, site, &p, concern, &caps))
            continue;
        if (thinnest < 0 || caps.zone_mm < zone.zone_mm)
            zone = caps; /* a darker phototype may lose the deep-face exception */
        if (thinnest < 0 || caps.anatomy_mm < tightest.anatomy_mm) {
            tightest = caps;
            thinnest = i;
        }
    }
    if (thinnest < 0)
        return 0;
    unsigned found = 0;
    if (needle_mm > zone.zone_mm + MN_CAP_EPS_MM) {
        found |= MN__CAP_ZONE;
        if (!(skip & MN__CAP_ZONE))
            mn__warn(w, "depth_beyond_zone_cap", src, path,
                     "%g mm is beyond the %s's depth cap of %g mm (%s); the planner would not "
                     "set it; running as asked",
                     needle_mm, site->id, zone.zone_mm,
                     zone.deep_face_exception
                         ? "the concern's deep-face exception, DEEP FACE in 'mneedle catalog "
                           "concerns'"
                     : zone.deep_face_withheld
                         ? "its clinical limit, CAP in 'mneedle catalog sites': the concern's "
                           "deep-face exception, DEEP FACE in 'mneedle catalog concerns', is for "
                           "phototypes I-III only"
                         : "its clinical limit, CAP in 'mneedle catalog sites'");
    }
    if (needle_mm > tightest.anatomy_mm + MN_CAP_EPS_MM) {
        found |= MN__CAP_ANATOMY;
        if (!(skip & MN__CAP_ANATOMY)) {
            mn_patient p = patients[thinnest];
            p.age_years = fmin(fmax(p.age_years, ages->lo), ages->hi);
            mn_skin_layers layers;
            double reach_um = -1;
            if (!mn_skin_layers_at(site, &p, &layers))
                reach_um = mn_device_effective_depth_um(device, needle_mm, &layers);
            char who[64];
            if (n_patients > 1)
                snprintf(who, sizeof who, "the thinnest skin in the population (%s, %.0f)",
                         p.sex == MN_SEX_MALE ? "male" : "female", p.age_years);
            else
                snprintf(who, sizeof who, "this person");
            mn__warn(w, "depth_beyond_anatomy_cap", src, path,
                     "%g mm is beyond the anatomy cap of %.2f mm on the %s for %s: channels "
                     "reach about %.0f um, past the %.0f um the planner allows (epidermis and "
                     "dermis less a safety margin); running as asked",
                     needle_mm, tightest.anatomy_mm, site->id, who, reach_um,
                     tightest.anatomy_depth_um);
        }
    }
    return found;
}
