/*
 * mneedle skin: the person being treated and the site atlas (layer thicknesses by site, age
 * and sex). Model and sources: docs/models/skin.md and data/sites.json.
 *
 *   dermis(age)    = dermis_ref    * (1 - 0.06  * max(0, age - 25) / 10)   (F34a)
 *   epidermis(age) = epidermis_ref * (1 - k_sex * max(0, age - 25) / 10)   (F34b: k 0.057 F,
 *                                                                            0.072 M)
 *   men: epidermis and dermis * male_factor (F74a-c for the face)
 * The stratum corneum does not change with age here (F69b: no age correlation).
 *
 * Thread safety: every function here is a pure function of its arguments (no context, no
 * allocation) and may be called from any number of threads at once.
 */
#ifndef MNEEDLE_SKIN_H
#define MNEEDLE_SKIN_H

#include "mneedle/catalog.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Declarations here are the exported API of libmneedle.so (CMakeLists.txt). */
#pragma GCC visibility push(default)

typedef enum { MN_SEX_FEMALE = 0, MN_SEX_MALE = 1 } mn_sex;
typedef enum { MN_SUN_LOW = 0, MN_SUN_MODERATE = 1, MN_SUN_HIGH = 2 } mn_sun;

/** The person: inputs shared by every model. */
typedef struct {
    double age_years; /* 18–100 */
    mn_sex sex;
    int fitzpatrick; /* phototype 1–6 */
    int smoker;      /* 0 or 1 */
    mn_sun sun;      /* habitual sun exposure */
} mn_patient;

/** Layer thicknesses at one site for one person, in micrometres. */
typedef struct {
    double sc_um;
    double ve_um;
    double papillary_um;
    double reticular_um;
    double subcutis_um;
} mn_skin_layers;

/** Fills a patient with defaults: 40 y, female, phototype 2, non-smoker, moderate sun. */
void mn_patient_init(mn_patient *p);

/**
 * Layer thicknesses at @p site for @p patient (age and sex).
 * @return MN_OK, or MN_EINVAL for NULL pointers or age outside 0–120.
 */
mn_status mn_skin_layers_at(const mn_site *site, const mn_patient *patient, mn_skin_layers *out);

/** Epidermis (SC + viable epidermis) thickness in µm. */
double mn_skin_epidermis_um(const mn_skin_layers *layers);

/** Dermis (papillary + reticular) thickness in µm. */
double mn_skin_dermis_um(const mn_skin_layers *layers);

/** Full thickness (epidermis + dermis + subcutis) in µm: where the modelled skin ends. */
double mn_skin_full_thickness_um(const mn_skin_layers *layers);

/** Parse/print names: "female"/"male" (aliases "f", "m", "woman", "man"), "low"/"moderate"/"high".
 * mn_sex_parse() is case-insensitive; it returns 1 and sets *out on success, 0 (out untouched)
 * for any other text. @p s must not be NULL.
 */
int mn_sex_parse(const char *s, mn_sex *out);
/** "male" for MN_SEX_MALE, "female" otherwise. Static storage. */
const char *mn_sex_name(mn_sex sex);
/**
 * Parses a sun-exposure name, "low", "moderate" or "high" (case-insensitive).
 * @param s    the name; must not be NULL.
 * @param out  receives the value on success; untouched otherwise.
 * @return 1 on success, 0 for any other text.
 */
int mn_sun_parse(const char *s, mn_sun *out);
/** "low", "moderate" or "high" (anything else gives "moderate"). Static storage. */
const char *mn_sun_name(mn_sun sun);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
