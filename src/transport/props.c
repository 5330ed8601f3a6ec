/*
 * Molecule and tissue parameters for serum transport. Every number cites its source here and
 * in docs/models/transport.md; where the evidence is thin the comment says so.
 *
 * Intact SC permeability (cm/h):
 *   Potts-Guy (F65):   log kp = -6.3 + 0.71 logP - 0.0061 MW  (cm/s; +log 3600 for cm/h)
 *   updated (F67):     log kp = -2.55 + 0.65 logP - 0.0085 MW (cm/h)
 * Range: Potts-Guy was fitted on MW 18-750 and log Kow -3 to 6 (F65), the updated regression
 *   on MW 18-584 (F67). Above the MW limit the lipid route falls with size as in
 *   Mitragotri's scaled-particle model (J Control Release 2003;86:69), anchored at the limit;
 *   outside either range every run prints a caution naming the limit.
 * Polar route (aqueous pores between the lipid domains, follicles and sweat ducts), in
 *   parallel with the lipid route: kp_polar = 1.519e-4 / sqrt(MW) cm/h, the pore term of
 *   Robinson's model as validated by Wilschut, ten Berge, Robinson & McKone (Chemosphere
 *   1995;30:1275) and kept in ten Berge's SkinPerm (kp = 1 / (1 / (kp_lipid + kp_polar) +
 *   1 / kp_aq)). Its size dependence (1/sqrt(MW), the free-diffusivity scaling of a solute in
 *   wide pores) is the same as Kasting's polar-pathway estimate for hydrophilic permeants
 *   (Peck, Ghanem & Higuchi's hindered pores give a steeper fall for solutes larger than the
 *   pores, so it is an upper estimate for HA) [evidence: fitted to ~100 mostly small
 *   solutes; scatter ~x3; the coefficient is as quoted for the published model and has not
 *   been re-checked against the paper's text, so treat it as uncertain by the same ~x3]. It
 *   matters only for hydrophilic or large molecules, where the
 *   lipid route's MW term makes kp vanish; small lipophilic molecules are unchanged. The SC
 *   carries the sum as one homogenised layer (D_sc below). The viable-tissue term kp_aq is
 *   not added: the model resolves the viable epidermis and dermis explicitly.
 * SC/water partition: K_sc = 0.3 + Kow^0.7. The power law is the usual lipid-domain
 *   correlation (slope ~0.7 in log-log: Raykar, Fung & Anderson, Pharm Res 1988;5:140 and the
 *   reviews of Vecchia & Bunge 2003 and Hansen et al., Adv Drug Deliv Rev 2013;65:251); the
 *   0.3 floor is the water the hydrated SC holds for hydrophilic solutes [ASSUMPTION, ~30 %
 *   water by volume]. Scatter of such correlations is a factor 2.5-3 (Nitsche & Kasting, J
 *   Pharm Sci 2018;107:727).
 * SC diffusivity: chosen so the SC alone has exactly the regression's permeability,
 *   D_sc = kp h_sc / K_sc. Size enters through the MW term of kp.
 * Free aqueous diffusivity: Stokes-Einstein at 32 °C (skin surface temperature), radius of a
 *   sphere of the molecule's volume MW * 0.75 cm³/g / N_A (partial specific volume typical
 *   of organic solutes and proteins) [DERIVED]. Caffeine: 7.6e-6 cm²/s (measured 6.3e-6 at
 *   25 °C). A linear polymer is no compact sphere: its coil is several times wider than its
 *   dry volume, so where the product gives a hydrodynamic (Stokes) radius with its source
 *   (data/products.json: HA from its Mark-Houwink relation), that radius is used instead.
 *   Dermal clearance, which scales with D_aq, follows it.
 * Viable epidermis and dermis: D = 0.2 D_aq (tortuosity and binding in hydrated tissue)
 *   [ASSUMPTION; gives 1.5e-6 cm²/s for caffeine, close to Kretsos et al., Int J Pharm
 *   2008;346:64's dermis correlation; F68 quotes lower values, 1e-7-1e-8 cm²/s, from a
 *   secondary source: range 0.02-0.5 D_aq].
 * VE and dermis partition: K = 0.7 + 0.02 Kow^0.7: the tissue's water fraction plus binding
 *   that grows with lipophilicity, the form of Kretsos et al. 2008 [coefficient ASSUMED].
 * Dermal clearance: skin blood flow ~3 ml/min/100 g (textbook range 1-10) = 1.8 /h for a
 *   flow-limited small solute; larger solutes are permeability-limited, so k scales with
 *   D_aq relative to a 200 Da solute, capped at 1.8 /h [ASSUMPTION; thin].
 * The applied film (absorb.c does the bookkeeping):
 *   evaporation open to air: the evaporative capacity of a wet skin surface,
 *     E = h_e (p_sat(T_skin) - RH p_sat(T_air)) / lambda,  h_e = LR h_c,
 *   with the Lewis ratio LR = 16.5 K/kPa and the convective coefficient h_c = max(3.1,
 *   8.3 v^0.6) W/m2/K (ASHRAE Handbook - Fundamentals, ch. 9, thermal comfort: still air and
 *   forced convection over a person), p_sat by the Magnus form of Alduchov & Eskridge (J Appl
 *   Meteorol 1996;35:601), lambda = 2.43 MJ/kg (water at ~30 °C). At 32 °C skin, 22 °C,
 *   50 % and 0.1 m/s: 26 ul/cm2/h, so 10 ul/cm2 dries in ~23 min. Not modelled: the
 *   film's evaporative cooling and the solutes' lowering of water activity (both slow it;
 *   the rate is an upper estimate for a concentrated film). Occluded: no evaporation.
 *   solubility: the product's (catalogue, with source) or the general solubility equation of
 *   Jain & Yalkowsky (J Pharm Sci 2001;90:234), log S[mol/l] = 0.5 - 0.01 (MP - 25) - logP,
 *   with MP 125 °C [ASSUMPTION: the melting point is not known], capped at 1000 mg/ml.
 * Franz cell (in vitro, "setup": "franz"): excised skin has no blood flow, so no dermal
 *   clearance; the receptor fluid under the dermis is a perfect sink (the model's lower
 *   boundary, u = 0, as in vivo); and excised skin does not repair its barrier, an active
 *   process of living keratinocytes (lamellar-body secretion and lipid synthesis: Menon,
 *   Feingold & Elias, J Invest Dermatol 1992; repair is temperature dependent and stops in
 *   the cold: Halkier-Sorensen et al. 1995) [ASSUMPTION: none at all in a day in vitro], so
 *   the channels stay open for the run.
 *   Not modelled: swelling of the dermis in the receptor fluid, or collapse of the pores
 *   by the tissue's own elasticity in vitro.
 * Channel closure (area open = 2^(-t/t_half)) and the open channels' geometry: the one law
 *   of src/device/channel.c (mn_channel_closure, mn_channel_geometry_at), which the healing
 *   model reads too; the transport channel is the open cone to the open depth, not the tip's
 *   reach.
 */
#include <assert.h>
#include <math.h>
#include <string.h>

#include "core/consts.h"
#include "core/internal.h"
#include "mneedle/transport.h"
#include "transport/absorb_internal.h"

#define MN_KB               1.380649e-23 /* J/K */
#define MN_NA               6.02214076e23
#define MN_T_SKIN_K         305.15   /* 32 °C skin surface */
#define MN_ETA_PA_S         7.65e-4  /* water at 32 °C */
#define MN_PSV              0.75     /* cm³/g partial specific volume (see above) */
#define MN_KP_POLAR_CM_H    1.519e-4 /* x MW^-1/2: Wilschut et al. 1995 (see above) */
#define MN_TISSUE_HINDRANCE 0.2
#define MN_LEWIS_K_KPA      16.5   /* Lewis ratio (ASHRAE Fundamentals ch. 9) */
#define MN_HC_STILL_W_M2K   3.1    /* convective coefficient, still air (idem) */
#define MN_HC_FORCED_W_M2K  8.3    /* x v^0.6, forced convection (idem) */
#define MN_LATENT_J_KG      2.43e6 /* latent heat of water at ~30 °C */
#define MN_GSE_MP_C         MN_ABSORB_GSE_MP_C
#define MN_SOLUBILITY_CAP   1000.0 /* mg/ml */
#define MN_SC_WATER_K       MN_SC_WATER_SHARE
#define MN_TISSUE_WATER_K   0.7
#define MN_TISSUE_BINDING   0.02
#define MN_CLEARANCE_MAX_H  1.8
/* Unit cells wider than this are capped; the area they do not reach is treated as intact
 * skin. [judgement] Lateral reach of dermal diffusion: sqrt(D_de t) over a day is ~3.6 mm for
 * a small solute (caffeine, D_de = 1.5e-6 cm²/s), but dermal clearance (1.8 /h) limits it in
 * vivo to sqrt(D_de / k_cl) ~ 0.55 mm; 2 mm lies between. It binds only below 8 punctures
 * per cm² (R = 1 / sqrt(pi n)). */
#define MN_CELL_RADIUS_MAX_UM 2000.0

/* Stokes-Einstein at skin temperature for a Stokes radius in nm. */
static double d_aq_radius_cm2_s(double r_nm)
{
    assert(r_nm > 0);
    return MN_KB * MN_T_SKIN_K / (6.0 * MN__PI * MN_ETA_PA_S * r_nm * 1e-9) * 1e4;
}

/* Radius in nm of a sphere of the molecule's volume (MW x MN_PSV / N_A). */
static double sphere_radius_nm(double mw)
{
    assert(mw > 0);
    return cbrt(3.0 * mw * MN_PSV / (4.0 * MN__PI * MN_NA)) * 1e7;
}

static double d_aq_cm2_s(double mw)
{
    return d_aq_radius_cm2_s(sphere_radius_nm(mw));
}

static double lipid_kp_in_range(mn_kp_model model, double mw, double logp)
{
    if (model == MN_KP_UPDATED)
        return pow(10.0, -2.55 + 0.65 * logp - 0.0085 * mw);
    return pow(10.0, -6.3 + 0.71 * logp - 0.0061 * mw) * 3600.0;
}

/* Radius in Å of a sphere of the molecule's volume (MW x MN_PSV / N_A). */
static double radius_a(double mw)
{
    return cbrt(3.0 * mw * MN_PSV / (4.0 * MN__PI * MN_NA)) * 1e8;
}

/* The lipid route: the regression within the molecular weights it was fitted on; above them
 * the size dependence of Mitragotri's scaled-particle model of the lipid pathway, kp ∝
 * Kow^0.7 exp(-0.46 r^2) (r in Å; J Control Release 2003;86:69), anchored to the regression
 * at its upper limit so the two meet [DERIVED]. */
static double lipid_kp_cm_h(mn_kp_model model, double mw, double logp)
{
    double lim = mn_absorb_kp_mw_max(model);
    if (mw <= lim)
        return lipid_kp_in_range(model, mw, logp);
    double ra = radius_a(lim), rb = radius_a(mw);
    return lipid_kp_in_range(model, lim, logp) * exp(-0.46 * (rb * rb - ra * ra));
}

double mn_absorb_kp_mw_max(mn_kp_model model)
{
    return model == MN_KP_UPDATED ? MN_KP_UPDATED_MW_MAX : MN_KP_POTTS_GUY_MW_MAX;
}

double mn_absorb_kp_fitted_max_cm_h(mn_kp_model model)
{
    /* Both regressions rise with logP and fall with MW. */
    return lipid_kp_in_range(model, MN_KP_MW_MIN, MN_KP_LOGP_MAX);
}

/* Saturation vapour pressure of water (kPa) at T °C (Alduchov & Eskridge 1996). */
static double psat_kpa(double t_c)
{
    return 0.61094 * exp(17.625 * t_c / (t_c + 243.04));
}

/* Water evaporating from a wet skin surface, µl/cm²/h (see above). */
static double evaporation_ul_cm2_h(const mn_absorb_scenario *s)
{
    double hc = MN_HC_FORCED_W_M2K * pow(s->air_speed_m_s > 0 ? s->air_speed_m_s : 0, 0.6);
    if (hc < MN_HC_STILL_W_M2K)
        hc = MN_HC_STILL_W_M2K;
    double dp = psat_kpa(s->skin_temp_c) - s->relative_humidity * psat_kpa(s->air_temp_c);
    if (!(dp > 0))
        return 0;
    double kg_m2_s = MN_LEWIS_K_KPA * hc * dp / MN_LATENT_J_KG;
    return kg_m2_s * 3600.0 * 100.0; /* 1 kg/m² = 1 mm = 100 µl/cm² */
}

double mn_absorb_open_fraction(const mn_absorb_params *p, double t_h)
{
    if (!p || !(p->punctures_per_cm2 > 0) || !(p->closure_half_life_h > 0))
        return 0;
    if (t_h <= 0 || p->franz) /* excised skin does not repair its barrier */
        return 1;
    return exp2(-t_h / p->closure_half_life_h);
}

mn_status mn_absorb_params_compute(mn_ctx *ctx, const mn_absorb_scenario *s, mn_absorb_params *p)
{
    if (!s || !p || !s->site)
        return mn__error(ctx, MN_EINVAL, "absorb: scenario without a site");
    memset(p, 0, sizeof *p);
    if (!(s->mw >= MN_ABSORB_MIN_MW && s->mw <= MN_ABSORB_MAX_MW) ||
        !(s->logp >= MN_ABSORB_MIN_LOGP && s->logp <= MN_ABSORB_MAX_LOGP))
        return mn__error(ctx, MN_ERANGE, "absorb: molecule MW %g, logP %g out of range", s->mw,
                         s->logp);
    if (!(s->concentration_mg_ml > 0) || !(s->dose_ul_cm2 > 0))
        return mn__error(ctx, MN_ERANGE, "absorb: concentration and dose must be positive");
    mn_status st = mn_skin_layers_at(s->site, &s->patient, &p->layers);
    if (st)
        return mn__error(ctx, st, "absorb: cannot compute the layers at site '%s'", s->site->id);
    double kow = pow(10.0, s->logp);
    p->kp_lipid_cm_h = lipid_kp_cm_h(s->kp_model, s->mw, s->logp);
    p->kp_outside_range = s->mw > mn_absorb_kp_mw_max(s->kp_model) || s->logp < MN_KP_LOGP_MIN ||
                          s->logp > MN_KP_LOGP_MAX;
    p->kp_polar_cm_h = s->polar_route ? MN_KP_POLAR_CM_H / sqrt(s->mw) : 0;
    p->kp_cm_h = p->kp_lipid_cm_h + p->kp_polar_cm_h;
    /* One homogenised SC layer carries both routes. Its D K / h is exactly kp; its K sets the
     * lag time, and a single layer has only one: the log-mean of the routes' partition
     * coefficients (lipid: 0.3 + Kow^0.7; polar: the SC water, 0.3), weighted by each
     * route's share of kp, gives either route's own lag where it dominates [DERIVED; a
     * mixed case sits in between]. */
    double k_lipid = MN_SC_WATER_K + pow(kow, 0.7);
    double w_polar = p->kp_polar_cm_h / p->kp_cm_h;
    assert(!(w_polar < 0 || w_polar > 1)); /* a share (NaN, for a kp of 0, is caught below) */
    p->k_sc_w = exp((1.0 - w_polar) * log(k_lipid) + w_polar * log(MN_SC_WATER_K));
    p->k_ve_w = MN_TISSUE_WATER_K + MN_TISSUE_BINDING * pow(kow, 0.7);
    p->k_de_w = p->k_ve_w;
    p->radius_from_product = s->hydrodynamic_radius_nm > 0;
    p->hydrodynamic_radius_nm =
        p->radius_from_product ? s->hydrodynamic_radius_nm : sphere_radius_nm(s->mw);
    double daq = d_aq_radius_cm2_s(p->hydrodynamic_radius_nm);
    p->d_aq_um2_h = daq * 1e8 * 3600.0;
    p->d_ve_um2_h = MN_TISSUE_HINDRANCE * p->d_aq_um2_h;
    p->d_de_um2_h = MN_TISSUE_HINDRANCE * p->d_aq_um2_h;
    /* kp [cm/h] * 1e4 = µm/h. */
    p->d_sc_um2_h = p->kp_cm_h * 1e4 * p->layers.sc_um / p->k_sc_w;
    double kcl = MN_CLEARANCE_MAX_H * daq / d_aq_cm2_s(200.0);
    p->clearance_per_h = kcl < MN_CLEARANCE_MAX_H ? kcl : MN_CLEARANCE_MAX_H;
    p->franz = s->franz != 0;
    if (p->franz) /* excised skin: no blood flow; the receptor under the dermis is the sink */
        p->clearance_per_h = 0;
    mn_closure cl;
    mn_channel_closure(s->site, &s->patient, s->occluded, &cl);
    p->closure_half_life_h = cl.half_life_h;
    p->closure_half_life_lo_h = cl.half_life_lo_h;
    p->closure_half_life_hi_h = cl.half_life_hi_h;
    p->dose_ug_cm2 = s->concentration_mg_ml * s->dose_ul_cm2; /* mg/ml = µg/µl */
    double sol = s->solubility_mg_ml;
    p->solubility_estimated = !(sol > 0);
    if (p->solubility_estimated) {
        sol = pow(10.0, 0.5 - 0.01 * (MN_GSE_MP_C - 25.0) - s->logp) * s->mw; /* g/l = mg/ml */
        p->solubility_capped = sol > MN_SOLUBILITY_CAP;
        if (p->solubility_capped)
            sol = MN_SOLUBILITY_CAP;
    }
    p->solubility_ug_ml = sol * 1000.0;
    p->evaporation_ul_cm2_h = s->occluded ? 0 : evaporation_ul_cm2_h(s);
    p->donor_conc_ug_ml = s->concentration_mg_ml * 1000.0;
    if (s->device && s->passes > 0 && s->needle_mm > 0) {
        p->punctures_per_cm2 = mn_device_punctures_per_cm2(s->device, s->passes, s->glide_mm_s);
        p->channel_depth_um = mn_device_effective_depth_um(s->device, s->needle_mm, &p->layers);
        mn_device_depth_range_um(s->device, s->needle_mm, &p->layers, &p->channel_depth_lo_um,
                                 &p->channel_depth_hi_um);
        mn_channel_geometry g;
        mn_channel_geometry_at(s->device, s->needle_mm, p->punctures_per_cm2, &p->layers, &g);
        p->channel_diameter_um = g.surface_diameter_um;
        p->open_depth_um = g.open_depth_um;
        p->open_depth_lo_um = g.open_depth_lo_um;
        p->open_depth_hi_um = g.open_depth_hi_um;
        p->channel_volume_ul_cm2 = g.volume_ul_cm2;
        p->channel_wall_cm2_cm2 = g.wall_cm2_cm2;
        if (p->punctures_per_cm2 > 0) {
            double r = sqrt(1e8 / (MN__PI * p->punctures_per_cm2));
            double r_min = 0.5 * p->channel_diameter_um * 1.05;
            p->cell_radius_um = r > MN_CELL_RADIUS_MAX_UM ? MN_CELL_RADIUS_MAX_UM
                                : r < r_min               ? r_min
                                                          : r;
            double f = p->punctures_per_cm2 * MN__PI * p->cell_radius_um * p->cell_radius_um * 1e-8;
            p->cell_area_fraction = f > 1 ? 1 : f;
            assert(p->cell_radius_um > 0.5 * p->channel_diameter_um);
            assert(p->cell_area_fraction > 0 && p->cell_area_fraction <= 1);
        }
    }
    double vals[] = {p->kp_cm_h, p->k_sc_w, p->d_sc_um2_h, p->d_aq_um2_h, p->closure_half_life_h};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
        if (!isfinite(vals[i]) || vals[i] < 0)
            return mn__error(ctx, MN_ENUMERIC, "absorb: a derived parameter is not finite");
    return MN_OK;
}
