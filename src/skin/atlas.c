/*
 * Site atlas: layer thicknesses for a person. Equations in include/mneedle/skin.h; the
 * reference thicknesses and their sources in data/sites.json.
 */
#include <assert.h>
#include <string.h>
#include <strings.h>

#include "core/internal.h"
#include "mneedle/skin.h"

/* Ageing of the layers after the reference age (F34a, F34b: Branchet 1990). */
#define MN_REF_AGE_Y                   25.0
#define MN_DERMIS_LOSS_PER_DECADE      0.06
#define MN_EPIDERMIS_LOSS_PER_DECADE_F 0.057
#define MN_EPIDERMIS_LOSS_PER_DECADE_M 0.072

void mn_patient_init(mn_patient *p)
{
    p->age_years = 40;
    p->sex = MN_SEX_FEMALE;
    p->fitzpatrick = 2;
    p->smoker = 0;
    p->sun = MN_SUN_MODERATE;
}

mn_status mn_skin_layers_at(const mn_site *site, const mn_patient *patient, mn_skin_layers *out)
{
    if (!site || !patient || !out || !(patient->age_years >= 0 && patient->age_years <= 120))
        return MN_EINVAL;
    double decades =
        patient->age_years > MN_REF_AGE_Y ? (patient->age_years - MN_REF_AGE_Y) / 10 : 0;
    double kd = 1 - MN_DERMIS_LOSS_PER_DECADE * decades;
    double ke = 1 - (patient->sex == MN_SEX_MALE ? MN_EPIDERMIS_LOSS_PER_DECADE_M
                                                 : MN_EPIDERMIS_LOSS_PER_DECADE_F) *
                        decades;
    /* At 120 years, the oldest accepted, the dermis keeps 43 % and a man's epidermis 32 %. */
    assert(kd > 0 && ke > 0);
    double sex = patient->sex == MN_SEX_MALE ? site->male_factor : 1.0;
    out->sc_um = site->sc_um;
    out->ve_um = site->ve_um * ke * sex;
    out->papillary_um = site->papillary_um * kd * sex;
    out->reticular_um = site->reticular_um * kd * sex;
    out->subcutis_um = site->subcutis_um;
    return MN_OK;
}

double mn_skin_epidermis_um(const mn_skin_layers *l)
{
    return l->sc_um + l->ve_um;
}

double mn_skin_dermis_um(const mn_skin_layers *l)
{
    return l->papillary_um + l->reticular_um;
}

double mn_skin_full_thickness_um(const mn_skin_layers *l)
{
    return l->sc_um + l->ve_um + l->papillary_um + l->reticular_um + l->subcutis_um;
}

int mn_sex_parse(const char *s, mn_sex *out)
{
    if (!strcasecmp(s, "female") || !strcasecmp(s, "f") || !strcasecmp(s, "woman")) {
        *out = MN_SEX_FEMALE;
        return 1;
    }
    if (!strcasecmp(s, "male") || !strcasecmp(s, "m") || !strcasecmp(s, "man")) {
        *out = MN_SEX_MALE;
        return 1;
    }
    return 0;
}

const char *mn_sex_name(mn_sex sex)
{
    return sex == MN_SEX_MALE ? "male" : "female";
}

int mn_sun_parse(const char *s, mn_sun *out)
{
    static const char *const names[] = {"low", "moderate", "high"};
    for (int i = 0; i < 3; i++)
        if (!strcasecmp(s, names[i])) {
            *out = (mn_sun)i;
            return 1;
        }
    return 0;
}

const char *mn_sun_name(mn_sun sun)
{
    return sun == MN_SUN_LOW ? "low" : sun == MN_SUN_HIGH ? "high" : "moderate";
}
