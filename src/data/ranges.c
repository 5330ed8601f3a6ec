/*
 * The table of input ranges (ranges.h explains why it is here). A source marked "judgement"
 * is a sanity bound chosen to refuse typing mistakes, not a limit found in the literature.
 */
#include "data/ranges.h"

#include <math.h>

#include "core/consts.h"

/* Seeds are JSON numbers, so they are exact only up to 2^53 - 1. */
#define SEED_MAX MN__JSON_WHOLE_MAX

const mn__input_range mn__input_ranges[MN__IN_COUNT] = {
    [MN__IN_AGE_YEARS] = {"age (years)", 18, 100,
                          "adults only: the models' evidence and the clinic's clients are adults "
                          "(docs/input-formats.md); 100 is judgement"},
    [MN__IN_CLIENT_AGE_YEARS] =
        {"age (years)", 0, 100,
         "a client file: any age, so screening can turn a minor away "
         "(MN-MINOR, 'mneedle catalog rules'); the planner's models take adults "
         "only (age (years), above); 100 is judgement"},
    [MN__IN_FITZPATRICK] = {"Fitzpatrick skin type", 1, 6, "the Fitzpatrick scale, types I-VI"},
    [MN__IN_SEVERITY] = {"severity grade", 1, 3, "mild, moderate, severe (DESIGN §4)"},
    [MN__IN_HISTORY_AGO] = {"months or weeks since a history item", 0, 1200,
                            "judgement: a century in months"},
    [MN__IN_PRICE] = {"price per session (currency units)", 0, 1e6, "judgement"},
    [MN__IN_NEEDLE_MM] = {"set needle length (mm)", 0.01, 10,
                          "judgement, wider than any device may be (devices.json depths are "
                          "0.05-5 mm): the chosen device's own range is checked next and named "
                          "in the message, so that is the limit a user meets"},
    [MN__IN_NEEDLE_MM_TRANSPORT] = {"needle length for the transport model (mm)", 0.1, 3.0,
                                    "the lengths the transport model is verified over "
                                    "(docs/models/transport.md: mass conserved at 0.1 and 3 mm)"},
    [MN__IN_PASSES] = {"passes per session", 0.1, 30,
                       "judgement, around the 1-15 passes of clinical protocols (examples/, "
                       "docs/clinic.md); the strictest of the bounds the readers had"},
    [MN__IN_GLIDE_MM_S] = {"glide speed of a pen (mm/s)", 5, 200,
                           "judgement, around the 40 mm/s of the examples; the strictest of the "
                           "bounds the readers had"},
    [MN__IN_FRACTION] = {"share of a population", 0, 1, "a fraction"},
    [MN__IN_MAINTENANCE_FRACTION] = {"share of peak improvement held before maintenance", 0.05, 1,
                                     "judgement; the planner's target is 0.8 "
                                     "(MN_MAINTENANCE_TARGET_FRACTION, docs/models/cohort.md)"},
    [MN__IN_MAINTENANCE_CHECK_DAYS] = {"days between maintenance checks", 1, 365,
                                       "daily to yearly"},
    [MN__IN_SEED] = {"seed", 0, SEED_MAX,
                     "the largest whole number a JSON number holds exactly; the range of "
                     "'mneedle cohort --seed'"},
    [MN__IN_CONCENTRATION_MG_ML] = {"concentration (mg/ml)", 1e-9, 1000,
                                    "a pure substance is about 1000 mg/ml; the lower end "
                                    "keeps the amount positive"},
    [MN__IN_DOSE_UL_CM2] = {"applied volume (ul/cm2)", 0.01, 1000, "judgement"},
    [MN__IN_FIELD_SIZE_UM] = {"width or height of a 3D field (um)", 50, 50000,
                              "judgement: a few channels to 5 cm"},
    [MN__IN_FIELD_DX_UM] = {"3D grid spacing (um)", 1, 500, "judgement"},
    [MN__IN_COVERAGE_UG_ML] = {"coverage threshold (ug/ml)", 0, 1e9,
                               "judgement; <= 0 means 0.1 % of the applied concentration"},
    [MN__IN_RESOLUTION] = {"grid refinement factor", 0.25, 16, "judgement"},
};

mn_status mn__jnum_in(const mn__jin *in, json_t *obj, const char *path, const char *key,
                      int required, mn__input q, double *out, int *present)
{
    const mn__input_range *r = &mn__input_ranges[q];
    return mn__jnum(in, obj, path, key, required, r->lo, r->hi, out, present);
}

mn_status mn__jint_in(const mn__jin *in, json_t *obj, const char *path, const char *key,
                      int required, mn__input q, long *out, int *present)
{
    const mn__input_range *r = &mn__input_ranges[q];
    return mn__jint(in, obj, path, key, required, (long)r->lo, (long)r->hi, out, present);
}

mn_status mn__jneedle_in(const mn__jin *in, json_t *obj, const char *path, const char *key,
                         mn__input q, const mn_device *device, double *out)
{
    mn_status st = mn__jnum_in(in, obj, path, key, 1, q, out, NULL);
    if (st)
        return st;
    if (!mn_device_needle_offered(device, *out)) {
        char p[256], offered[200];
        mn__jpath_key(p, sizeof p, path, key);
        if (!mn_device_needle_in_range(device, *out))
            return mn__error(in->ctx, MN_ERANGE, "%s: %s: %g mm is outside %s's range %g-%g mm",
                             in->src, p, *out, device ? device->id : "?",
                             device ? device->depth_min_mm : 0, device ? device->depth_max_mm : 0);
        /* In the range, but a roller is not made in that length. */
        mn_device_needle_describe(device, offered, sizeof offered);
        return mn__error(in->ctx, MN_ERANGE, "%s: %s: %g mm is not a length %s is made in (%s)",
                         in->src, p, *out, device->id, offered);
    }
    return MN_OK;
}

mn_status mn__jnum_value_in(const mn__jin *in, json_t *v, const char *path, mn__input q,
                            double *out)
{
    const mn__input_range *r = &mn__input_ranges[q];
    return mn__jnum_value(in, v, path, r->lo, r->hi, out);
}

mn_status mn__jpasses_in(const mn__jin *in, json_t *obj, const char *path, const char *key,
                         int required, double *out, int *present)
{
    int here = 0;
    mn_status st = mn__jnum_in(in, obj, path, key, required, MN__IN_PASSES, out, &here);
    if (present)
        *present = here;
    if (!st && here && *out != floor(*out))
        return mn__error(in->ctx, MN_ETYPE, "%s: %s.%s: expected a whole number of passes, got %g",
                         in->src, path, key, *out);
    return st;
}
