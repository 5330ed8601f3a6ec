/*
 * The accepted range of every numeric input quantity, in one table shared by the input readers
 * (client files, healing and absorb scenarios, trial files), so a quantity such as a needle
 * length is bounded the same way wherever it is read, and each bound says where it comes from.
 *
 * It lives in the data layer, beside the catalogues: like them it is reference data about the
 * domain with its sources, and it is the lowest layer below all four readers (core stays free
 * of domain knowledge). Limits that are part of a model's public contract stay named in that
 * model's header and are used from there: MN_HEALING_MAX_DAYS for days and horizons,
 * MN_ABSORB_* for molecular weight, logP and hours, MN_COHORT_MAX_N, MN_MAX_ZONES.
 */
#ifndef MN_DATA_RANGES_H
#define MN_DATA_RANGES_H

#include "core/json_in.h"
#include "mneedle/catalog.h"

typedef enum {
    MN__IN_AGE_YEARS,
    MN__IN_FITZPATRICK,
    MN__IN_SEVERITY,
    MN__IN_HISTORY_AGO,
    MN__IN_PRICE,
    MN__IN_NEEDLE_MM,
    MN__IN_NEEDLE_MM_TRANSPORT,
    MN__IN_PASSES,
    MN__IN_GLIDE_MM_S,
    MN__IN_FRACTION,
    MN__IN_MAINTENANCE_FRACTION,
    MN__IN_MAINTENANCE_CHECK_DAYS,
    MN__IN_SEED,
    MN__IN_CONCENTRATION_MG_ML,
    MN__IN_DOSE_UL_CM2,
    MN__IN_FIELD_SIZE_UM,
    MN__IN_FIELD_DX_UM,
    MN__IN_COVERAGE_UG_ML,
    MN__IN_RESOLUTION,
    MN__IN_CLIENT_AGE_YEARS,
    MN__IN_COUNT
} mn__input;

typedef struct {
    const char *name;   /* the quantity, with its unit */
    double lo, hi;      /* accepted range, both ends included */
    const char *source; /* where the bounds come from */
} mn__input_range;

/* Indexed by mn__input; every row is filled. */
extern const mn__input_range mn__input_ranges[MN__IN_COUNT];

/* mn__jnum, mn__jint and mn__jnum_value with the limits of quantity @p q. */
mn_status mn__jnum_in(const mn__jin *in, json_t *obj, const char *path, const char *key,
                      int required, mn__input q, double *out, int *present);
mn_status mn__jint_in(const mn__jin *in, json_t *obj, const char *path, const char *key,
                      int required, mn__input q, long *out, int *present);
mn_status mn__jnum_value_in(const mn__jin *in, json_t *v, const char *path, mn__input q,
                            double *out);

/* Reads @p key, the passes of a session (MN__IN_PASSES), and requires a whole number: a pass
 * is one sweep of the device over the zone, so "FILE: PATH.passes: expected a whole number of
 * passes, got 2.5". One check for simulate's sessions and a trial's protocol. */
mn_status mn__jpasses_in(const mn__jin *in, json_t *obj, const char *path, const char *key,
                         int required, double *out, int *present);

/* Reads @p key, a needle length (quantity @p q), and requires it inside @p device's catalogue
 * range (mn_device_needle_in_range()): "FILE: PATH.needle_mm: 2.8 mm is outside skinpen's
 * range 0.25-2.5 mm". One check for simulate's sessions, a trial's protocol and absorb. */
mn_status mn__jneedle_in(const mn__jin *in, json_t *obj, const char *path, const char *key,
                         mn__input q, const mn_device *device, double *out);

#endif
