/*
 * Healing and long-term collagen for one zone of one person, against an untreated twin.
 *
 * PER SESSION (days to weeks). A session at time t_s (the start of its day) injects
 *   injury        W += Di * s_infl                 Di = a * depth_reached / 200 um
 *   channels      B  = 1,  epidermal defects  E = 1
 *   growth factor G += R_max * D / (D + D_half) * g(age, smoker) * gain
 * where a = 1 - exp(-n * pi * r^2) is the needled area fraction (n punctures/cm2 from
 * mn_device_punctures_per_cm2(), r the channel radius), depth_reached the effective channel
 * depth (mn_device_effective_depth_um() on the person's layers from mn_skin_layers_at(),
 * times the depth variability), and D the dermal dose: the dermal volume inside the channels'
 * wound zones (radius r + l around each channel's dermal segment, a hemisphere of that radius
 * under its tip; Poisson coverage 1 - exp(-n pi rho^2) at each depth), papillary dermis
 * weighted 1 and reticular w_ret, per 200 um (dermal_volume() below). So depth counts through
 * the layers reached and density through the coverage of the wound zones, which saturates:
 * a pass more adds less once the zones touch. Then
   W'  = -kW W                         I'  = kW W - kI I          erythema = I / (I + I_half)
 *   B'  = -kB B                         E'  = -kE E
 *   G'  = -kG G                         F1' = kG G - kF1 F1        F2' = kF1 F1 - kF2 F2
 *   C3' = kF2 F2 - k3 C3                Cy' = phi k3 C3 - ky Cy    CL' = psi ky Cy - kdeg CL
 *   Et' = ke (e_gain (C3 + Cy + CL) - Et)
 * A unit of G deposits one unit of collagen III (kF2 F2 integrates to the injection), so R is
 * the fraction of the zone's day-0 papillary collagen a session lays down.
 *
 * UNTREATED TWIN (years). Dermal collagen C(age), C = 1 at 25 y:
 *   C' = S(a) - k(a) C,  S = k0 (1 - s_age r (a-25)/10) f_smoke,
 *                        k = k0 (1 + d_age r (a-25)/10) m_smoke m_uv(zone, sun)
 * with k0 = ln 2 / 15 y (F31) and r the ageing-rate multiplier. The treated zone is the twin
 * plus the session-added collagen: collagen change = C(t)/C(0) - 1 + C3 + Cy + CL; epidermis
 * change = the atlas's epidermal ageing (F34b, skin.h) + Et.
 *
 * IMPROVEMENT of the concern, % of baseline severity:  x = C(t)/C(0) - 1 + v3 C3 + Cy + CL,
 *   improvement = 100 w x / (w x + x_c) for x >= 0, 100 w x / x_c below (worse than
 *   before), w the concern's response_weight (data/concerns.json): the weight scales how
 *   much collagen the concern needs, so any concern's top responders can near 100 %.
 *
 * Parameters, their sources and what each reproduces: mn__healing_params_default() in
 * params.c and docs/models/healing.md; the fitted ones come from scripts/calibrate/healing.sh.
 *
 * INTEGRATION. For one person all rates are constant, so between sessions x(t+h) = exp(A h) x(t)
 * exactly. exp(A h) of the 11x11 lower-triangular A is computed once per person by scaling
 * and squaring with a degree-12 Taylor polynomial (expm.c; relative error < 1e-13), for h = 1/2
 * day, 1 day and 8 days. The stiffness (rates from ~11/day, channel closure at its 1.5 h
 * open-to-air half-life, up to ~50/day at the closure_scale's -3 sd clamp, to 1/8000 days)
 * costs nothing this way.
 * CVODE (healing/cvode.c) integrates the same system as the reference.
 */
#include <math.h>
#include <string.h>

#include "core/consts.h"
#include "healing/healing_internal.h"
#include "mneedle/device.h"

#define N                   MN__H_NSTATE
#define REF_AGE_Y           25.0
#define MAX_AGE_NODES       256
#define EXT_STEP_DAYS       8
#define ERYTHEMA_SEEN       0.1 /* erythema index at which redness is barely visible */
#define DEFAULT_SEARCH_DAYS (40 * MN__DAYS_PER_COMMON_YEAR)
#define FAST_CUTOFF         1e-10

void mn_healing_options_init(mn_healing_options *opts)
{
    opts->integrator = MN_HEALING_EXACT;
    opts->cvode_rtol = 1e-8;
    opts->search_limit_days = DEFAULT_SEARCH_DAYS;
    opts->params = NULL;
}

int mn_healing_integrator_parse(const char *name, mn_healing_integrator *out)
{
    if (!name)
        return 0;
    if (!strcmp(name, "exact")) {
        *out = MN_HEALING_EXACT;
        return 1;
    }
    if (!strcmp(name, "cvode")) {
        *out = MN_HEALING_CVODE;
        return 1;
    }
    return 0;
}

const char *mn_healing_integrator_name(mn_healing_integrator integrator)
{
    return integrator == MN_HEALING_CVODE ? "cvode" : "exact";
}

static double decades_over_ref(double age_y)
{
    return age_y > REF_AGE_Y ? (age_y - REF_AGE_Y) / 10.0 : 0.0;
}

double mn__healing_response_gain(const mn__healing_params *par, const mn_patient *patient,
                                 double age_y)
{
    double g = 1 - par->response_age_loss_per_decade * decades_over_ref(age_y);
    if (g < 0.05)
        g = 0.05;
    return patient->smoker ? g * par->smoker_response : g;
}

static int sun_exposed(const mn_site *zone)
{
    static const char *const exposed[] = {"neck", "decolletage", "hand", "scalp"};
    if (zone->facial)
        return 1;
    for (size_t i = 0; i < sizeof exposed / sizeof exposed[0]; i++)
        if (!strcmp(zone->id, exposed[i]))
            return 1;
    return 0;
}

/* Synthesis and degradation of the untreated twin at one age, per day. */
static void ageing_rates(const mn__healing_params *par, const mn_patient *patient,
                         const mn_site *zone, double ageing_rate, double age_y, double *synth,
                         double *degr)
{
    double k0 = MN__LN2 / (par->col1_long_half_life_y * MN__DAYS_PER_YEAR);
    double dec = decades_over_ref(age_y) * ageing_rate;
    double s = 1 - par->synthesis_age_loss_per_decade * dec;
    if (s < 0.05)
        s = 0.05;
    double k = 1 + par->degradation_age_gain_per_decade * dec;
    if (patient->smoker) {
        s *= par->smoker_response;
        k *= par->smoker_degradation;
    }
    if (sun_exposed(zone))
        k *= par->uv_degradation[patient->sun];
    *synth = k0 * s;
    *degr = k0 * k;
}

/* Fills nodes[i] = C(a_start + i years) with exact steps (rates at mid-year) and returns the
 * number of nodes. C = 1 at a_start = min(25, age at which nodes start). */
static int ageing_nodes(const mn__healing_params *par, const mn_patient *patient,
                        const mn_site *zone, double ageing_rate, double a_start, double a_end,
                        double *nodes, int max_nodes)
{
    int n = 0;
    double c = 1;
    nodes[n++] = c;
    for (double a = a_start; a < a_end && n < max_nodes; a += 1.0) {
        double s, k;
        ageing_rates(par, patient, zone, ageing_rate, a + 0.5, &s, &k);
        double e = exp(-k * MN__DAYS_PER_YEAR);
        c = c * e + (s / k) * (1 - e);
        nodes[n++] = c;
    }
    return n;
}

static double nodes_at(const double *nodes, int n, double a_start, double age_y)
{
    double u = age_y - a_start;
    if (u <= 0)
        return nodes[0];
    int i = (int)u;
    if (i >= n - 1)
        return nodes[n - 1];
    double f = u - i;
    return nodes[i] * (1 - f) + nodes[i + 1] * f;
}

double mn__healing_untreated_collagen(const mn__healing_params *par, const mn_patient *patient,
                                      const mn_site *zone, double ageing_rate, double age_y)
{
    double nodes[MAX_AGE_NODES];
    double a0 = age_y < REF_AGE_Y ? age_y : REF_AGE_Y;
    int n = ageing_nodes(par, patient, zone, ageing_rate, a0, age_y + 1, nodes, MAX_AGE_NODES);
    return nodes_at(nodes, n, a0, age_y);
}

/* Dermal volume within reach of the channels, weighted by layer (papillary 1, reticular w_ret),
 * per ref_papillary_um: the dermal dose. Around each channel's dermal segment (from the
 * dermal-epidermal junction to its tip, zd below it) the wound zone has radius rho = r + l
 * (channel radius and the reach l of the wound response), closed under the tip by a
 * hemisphere of radius rho; channels fall at random, so at depth zeta below the junction the
 * fraction of the layer inside some channel's zone is 1 - exp(-n pi rho(zeta)^2) (Poisson
 * coverage: overlapping zones do not count twice). Integrated over the dermis: the cylinder
 * exactly, the cap by the midpoint rule. */
#define CAP_STEPS 32

static double layer_weight(const mn__healing_params *par, double zeta, double pap)
{
    return zeta < pap ? 1.0 : par->reticular_weight;
}

static double dermal_volume(const mn__healing_params *par, double n_cm2, double r_um, double zd,
                            double pap, double ret)
{
    double rho = r_um + par->injury_reach_um;
    double cov = 1 - exp(-n_cm2 * MN__PI * rho * rho * 1e-8);
    double dermis = pap + ret;
    double z = zd < dermis ? zd : dermis;
    double zp = z < pap ? z : pap;
    double v = cov * (zp + par->reticular_weight * (z - zp));
    double h = rho / CAP_STEPS;
    for (int i = 0; i < CAP_STEPS; i++) {
        double u = (i + 0.5) * h, zeta = zd + u;
        if (zeta >= dermis)
            break;
        double rr = rho * rho - u * u;
        v += h * layer_weight(par, zeta, pap) * (1 - exp(-n_cm2 * MN__PI * rr * 1e-8));
    }
    return v / par->ref_papillary_um;
}

/* Injury doses of one session: dermal (drives collagen, dermal_volume() above; nothing while the
 * needle stays in the epidermis) and total (drives inflammation: the channels' own area
 * fraction a = 1 - exp(-n pi r^2) times the depth reached, epidermis included). */
static int session_doses(const mn__healing_params *par, const mn_healing_session *s,
                         const mn_site *zone, const mn_patient *patient, double depth_scale,
                         double *dermal, double *total)
{
    mn_skin_layers L;
    if (!s || !s->device || !zone || !patient || mn_skin_layers_at(zone, patient, &L) != MN_OK)
        return -1;
    double full = mn_skin_full_thickness_um(&L);
    double depth = mn_device_effective_depth_um(s->device, s->needle_mm, &L) * depth_scale;
    if (depth > full)
        depth = full;
    double epi = L.sc_um + L.ve_um;
    double n = mn_device_punctures_per_cm2(s->device, s->passes, s->glide_mm_s);
    double r_um = 0.5 * mn_device_channel_diameter_um(s->device);
    double r_cm = r_um * 1e-4;
    double area = 1 - exp(-n * MN__PI * r_cm * r_cm);
    double reached = depth < epi + L.papillary_um + L.reticular_um
                         ? depth
                         : epi + L.papillary_um + L.reticular_um;
    *dermal = depth > epi ? dermal_volume(par, n, r_um, depth - epi, L.papillary_um, L.reticular_um)
                          : 0.0;
    *total = area * reached / par->ref_papillary_um;
    return 0;
}

double mn_healing_dermal_dose(const mn_healing_session *s, const mn_site *zone,
                              const mn_patient *patient, double depth_scale)
{
    mn__healing_params par;
    mn__healing_params_default(&par);
    double d, t;
    if (session_doses(&par, s, zone, patient, depth_scale, &d, &t))
        return -1;
    return d;
}

/* The inflammation t days after a session from rest: W(0) = w0, W' = -kW W, I' = kW W - kI I
 * give I(t) = w0 kW / (kI - kW) (exp(-kW t) - exp(-kI t)) (w0 kW t exp(-kW t) when kI = kW),
 * which rises to one peak at t* = ln(kI/kW) / (kI - kW) (1/kW) and then falls. */
static double inflammation_after(double w0, double kW, double kI, double t)
{
    return fabs(kI - kW) > 1e-12 ? w0 * kW / (kI - kW) * (exp(-kW * t) - exp(-kI * t))
                                 : w0 * kW * t * exp(-kW * t);
}

static double inflammation_peak_day(double kW, double kI)
{
    return fabs(kI - kW) > 1e-12 ? log(kI / kW) / (kI - kW) : 1.0 / kW;
}

double mn_healing_session_erythema(const mn_healing_session *s, const mn_site *zone,
                                   const mn_patient *patient, double inflammation_scale)
{
    mn__healing_params par;
    mn__healing_params_default(&par);
    double dermal, total;
    if (!(inflammation_scale > 0) || session_doses(&par, s, zone, patient, 1.0, &dermal, &total))
        return -1;
    double kW = MN__LN2 / par.injury_half_life_d;
    double kI = 1.0 / (par.erythema_tau_d * inflammation_scale);
    double I =
        inflammation_after(total * inflammation_scale, kW, kI, inflammation_peak_day(kW, kI));
    return I / (I + par.erythema_half_sat);
}

double mn__healing_redness_hours(const mn__healing_params *par, const mn_healing_session *s,
                                 const mn_site *zone, const mn_patient *patient,
                                 const mn_healing_variability *v)
{
    double dermal, total;
    if (!par || !v || !(v->inflammation_scale > 0) ||
        session_doses(par, s, zone, patient, v->depth_fraction_scale, &dermal, &total))
        return -1;
    /* The same injection and rates as apply_sessions() and build_matrix(). */
    double kW = MN__LN2 / par->injury_half_life_d;
    double kI = 1.0 / (par->erythema_tau_d * v->inflammation_scale);
    double w0 = total * v->inflammation_scale;
    /* erythema = I / (I + I_half) >= ERYTHEMA_SEEN  <=>  I >= I_half e / (1 - e). */
    double seen = par->erythema_half_sat * ERYTHEMA_SEEN / (1 - ERYTHEMA_SEEN);
    double lo = inflammation_peak_day(kW, kI);
    if (!(w0 > 0) || inflammation_after(w0, kW, kI, lo) < seen)
        return 0;
    /* Past the peak I falls monotonically: bracket the crossing, then bisect (to < 1 s). */
    double hi = lo + 1.0 / kI;
    while (inflammation_after(w0, kW, kI, hi) >= seen && hi < MN_HEALING_MAX_DAYS)
        hi = lo + 2 * (hi - lo);
    for (int i = 0; i < 200 && hi - lo > 1e-7; i++) {
        double mid = 0.5 * (lo + hi);
        if (inflammation_after(w0, kW, kI, mid) >= seen)
            lo = mid;
        else
            hi = mid;
    }
    return 24.0 * 0.5 * (lo + hi);
}

int mn__healing_reaches_dermis(const mn__healing_params *par, const mn_healing_session *s,
                               const mn_site *zone, const mn_patient *patient, double depth_scale)
{
    double dermal, total;
    return session_doses(par, s, zone, patient, depth_scale, &dermal, &total) == 0 && dermal > 0;
}

double mn__healing_session_response(const mn__healing_params *par, const mn_healing_session *s,
                                    const mn_site *zone, const mn_patient *patient, double age_y)
{
    return mn__healing_session_response_scaled(par, s, zone, patient, age_y, 1.0);
}

double mn__healing_session_response_scaled(const mn__healing_params *par,
                                           const mn_healing_session *s, const mn_site *zone,
                                           const mn_patient *patient, double age_y,
                                           double depth_scale)
{
    double dermal, total;
    if (session_doses(par, s, zone, patient, depth_scale, &dermal, &total))
        return 0;
    return par->response_max * dermal / (dermal + par->dose_half_sat) *
           mn__healing_response_gain(par, patient, age_y);
}

/* ---- the per-person linear system and its exact propagators ---- */

/* x <- phi x using the block structure of the cascade: exp(A h) is block diagonal like A,
 * with the blocks {injury, inflammation}, {barrier}, {epidermal wound} and the lower-triangular
 * chain growth factor ... epidermal thickening. When the fast states have died away only the
 * collagen end of the chain (collagen III onwards) is updated. Rows are updated bottom-up so
 * each reads entries not yet overwritten. */
static void apply_phi(mn__healing_mat phi, double *x, int fast)
{
    int from = fast ? MN__H_GROWTH : MN__H_COL3;
    for (int i = N - 1; i >= from; i--) {
        double s = 0;
        for (int k = from; k <= i; k++)
            s += phi[i][k] * x[k];
        x[i] = s;
    }
    if (fast) {
        x[MN__H_EPI_WOUND] *= phi[MN__H_EPI_WOUND][MN__H_EPI_WOUND];
        x[MN__H_BARRIER] *= phi[MN__H_BARRIER][MN__H_BARRIER];
        x[MN__H_INFLAM] = phi[MN__H_INFLAM][MN__H_INJURY] * x[MN__H_INJURY] +
                          phi[MN__H_INFLAM][MN__H_INFLAM] * x[MN__H_INFLAM];
        x[MN__H_INJURY] *= phi[MN__H_INJURY][MN__H_INJURY];
    }
}

/* Everything one run needs, on the caller's stack. */
typedef struct {
    const mn__healing_params *par;
    const mn_healing_scenario *sc;
    mn_healing_variability var;
    mn__healing_matrix A;
    mn__healing_mat phi_half, phi_day, phi_ext;
    double x[N];
    double age0;
    double nodes[MAX_AGE_NODES];
    int n_nodes;
    double a_start, c_day0;
    double ve0, ve_slope_per_y; /* untreated epidermis: ve(a) / ve(age0) */
    double weight;              /* concern response weight */
    mn__healing_cvode *cv;      /* CVODE integrator, or NULL for exact */
    double t;                   /* current time, days */
    int fast_active;
} run_state;

static void build_matrix(run_state *r)
{
    const mn__healing_params *p = r->par;
    const mn_healing_variability *v = &r->var;
    const mn_patient *pt = &r->sc->patient;
    double(*a)[N] = r->A.a;
    memset(&r->A, 0, sizeof r->A);
    double kW = MN__LN2 / p->injury_half_life_d;
    double kI = 1.0 / (p->erythema_tau_d * v->inflammation_scale);
    /* Channel closure: the one law the transport model reads too (device.h), open to air as
     * aftercare leaves the skin, at the starting age, times the person's closure_scale. */
    mn_patient at_start = *pt;
    at_start.age_years = r->age0;
    mn_closure cl;
    mn_channel_closure(r->sc->zone, &at_start, 0, &cl);
    double closure_h = cl.half_life_h * v->closure_scale;
    double kB = MN__LN2 / (closure_h / 24.0);
    double kE = p->epi_renewal_rate_d;
    double kG = MN__LN2 / p->growth_half_life_d;
    double kF1 = 1.0 / p->fib_active_tau_d;
    double kF2 = 1.0 / p->fib_matrix_tau_d;
    double k3 = 1.0 / (p->col3_tau_d * v->remodelling_scale);
    double ky = 1.0 / (p->col1_young_tau_d * v->retention_scale);
    double s_unused, kdeg;
    ageing_rates(p, pt, r->sc->zone, v->ageing_rate, r->age0, &s_unused, &kdeg);
    double ke = 1.0 / p->epi_turnover_tau_d;
    double eg = p->epi_gain * v->epidermal_gain;

    a[MN__H_INJURY][MN__H_INJURY] = -kW;
    a[MN__H_INFLAM][MN__H_INJURY] = kW;
    a[MN__H_INFLAM][MN__H_INFLAM] = -kI;
    a[MN__H_BARRIER][MN__H_BARRIER] = -kB;
    a[MN__H_EPI_WOUND][MN__H_EPI_WOUND] = -kE;
    a[MN__H_GROWTH][MN__H_GROWTH] = -kG;
    a[MN__H_FIB_ACTIVE][MN__H_GROWTH] = kG;
    a[MN__H_FIB_ACTIVE][MN__H_FIB_ACTIVE] = -kF1;
    a[MN__H_FIB_MATRIX][MN__H_FIB_ACTIVE] = kF1;
    a[MN__H_FIB_MATRIX][MN__H_FIB_MATRIX] = -kF2;
    a[MN__H_COL3][MN__H_FIB_MATRIX] = kF2;
    a[MN__H_COL3][MN__H_COL3] = -k3;
    a[MN__H_COL1_YOUNG][MN__H_COL3] = p->col3_mature_fraction * k3;
    a[MN__H_COL1_YOUNG][MN__H_COL1_YOUNG] = -ky;
    a[MN__H_COL1_LONG][MN__H_COL1_YOUNG] = p->col1_long_fraction * ky;
    a[MN__H_COL1_LONG][MN__H_COL1_LONG] = -kdeg;
    a[MN__H_EPI_THICK][MN__H_COL3] = ke * eg;
    a[MN__H_EPI_THICK][MN__H_COL1_YOUNG] = ke * eg;
    a[MN__H_EPI_THICK][MN__H_COL1_LONG] = ke * eg;
    a[MN__H_EPI_THICK][MN__H_EPI_THICK] = -ke;
}

mn_status mn__healing_check_scenario(mn_ctx *ctx, const mn_healing_scenario *sc)
{
    if (!sc->zone || !sc->concern)
        return mn__error(ctx, MN_EINVAL, "healing: scenario needs a zone and a concern");
    const mn_patient *p = &sc->patient;
    if (!(p->age_years >= 0 && p->age_years <= 120) || p->fitzpatrick < 1 || p->fitzpatrick > 6 ||
        (int)p->sun < 0 || (int)p->sun > 2)
        return mn__error(ctx, MN_EINVAL,
                         "healing: patient out of range (age 0-120, "
                         "phototype 1-6, sun low|moderate|high)");
    if (sc->horizon_days < 1 || sc->horizon_days > MN_HEALING_MAX_DAYS)
        return mn__error(ctx, MN_EINVAL, "healing: horizon_days %d outside 1-%d", sc->horizon_days,
                         MN_HEALING_MAX_DAYS);
    if (sc->n_sessions < 0 || sc->n_sessions > MN_HEALING_MAX_SESSIONS ||
        (sc->n_sessions > 0 && !sc->sessions))
        return mn__error(ctx, MN_EINVAL, "healing: bad session list");
    for (int i = 0; i < sc->n_sessions; i++) {
        const mn_healing_session *s = &sc->sessions[i];
        if (!s->device)
            return mn__error(ctx, MN_EINVAL, "healing: session %d has no device", i);
        if (s->day < 0 || s->day > sc->horizon_days)
            return mn__error(ctx, MN_EINVAL, "healing: session %d on day %d, outside 0-%d", i,
                             s->day, sc->horizon_days);
        if (i > 0 && s->day < sc->sessions[i - 1].day)
            return mn__error(ctx, MN_EINVAL, "healing: sessions must be sorted by day");
        if (!mn_device_needle_in_range(s->device, s->needle_mm))
            return mn__error(ctx, MN_EINVAL,
                             "healing: session %d: needle %g mm outside %s's "
                             "range %g-%g mm",
                             i, s->needle_mm, s->device->id, s->device->depth_min_mm,
                             s->device->depth_max_mm);
        if (!(s->passes > 0 && s->passes <= 100))
            return mn__error(ctx, MN_EINVAL, "healing: session %d: passes %g outside (0, 100]", i,
                             s->passes);
    }
    return MN_OK;
}

/* Once the fast states have died away, skip them: what they still hold is below 1e-10 of the
 * zone's collagen (1e-8 %), far below any reported digit. */
static void fast_cutoff(run_state *r)
{
    if (!r->fast_active)
        return;
    double m = 0;
    for (int i = 0; i <= MN__H_FIB_MATRIX; i++)
        m = fabs(r->x[i]) > m ? fabs(r->x[i]) : m;
    if (m < FAST_CUTOFF) {
        for (int i = 0; i <= MN__H_FIB_MATRIX; i++)
            r->x[i] = 0;
        r->fast_active = 0;
    }
}

static mn_status advance(mn_ctx *ctx, run_state *r, double dt)
{
    if (r->cv) {
        mn_status st = mn__healing_cvode_advance(ctx, r->cv, r->t + dt, r->x);
        r->t += dt;
        return st;
    }
    double(*phi)[N] = dt == 0.5 ? r->phi_half : dt == 1.0 ? r->phi_day : r->phi_ext;
    apply_phi(phi, r->x, r->fast_active);
    fast_cutoff(r);
    r->t += dt;
    return MN_OK;
}

/* Report-days-only runs (cohorts): jump from event to event (sessions, report days) with
 * exp(A 2^k) for the set bits of each whole-day gap, instead of stepping every day. */
#define POW_MAX 15 /* 2^14 days > MN_HEALING_MAX_DAYS */

static void jump(run_state *r, mn__healing_mat *pow2, int n_pow, double dt)
{
    int whole = (int)dt;
    if (dt - whole > 0.25) {
        apply_phi(r->phi_half, r->x, r->fast_active);
        fast_cutoff(r);
    }
    for (int k = 0; k < n_pow && whole > 0; k++, whole >>= 1)
        if (whole & 1) {
            apply_phi(pow2[k], r->x, r->fast_active);
            fast_cutoff(r);
        }
    r->t += dt;
}

static mn_status apply_sessions(mn_ctx *ctx, run_state *r, int day, int *next)
{
    const mn_healing_scenario *sc = r->sc;
    int any = 0;
    while (*next < sc->n_sessions && sc->sessions[*next].day == day) {
        const mn_healing_session *s = &sc->sessions[*next];
        double dermal, total;
        if (session_doses(r->par, s, sc->zone, &sc->patient, r->var.depth_fraction_scale, &dermal,
                          &total))
            return mn__error(ctx, MN_EINVAL, "healing: session %d cannot be evaluated", *next);
        double age = r->age0 + day / MN__DAYS_PER_YEAR;
        double R = r->par->response_max * dermal / (dermal + r->par->dose_half_sat) *
                   mn__healing_response_gain(r->par, &sc->patient, age) * r->var.response_gain;
        r->x[MN__H_INJURY] += total * r->var.inflammation_scale;
        r->x[MN__H_GROWTH] += R;
        if (total > 0) {
            r->x[MN__H_BARRIER] = 1;
            r->x[MN__H_EPI_WOUND] = 1;
        }
        r->fast_active = 1;
        any = 1;
        (*next)++;
    }
    if (any && r->cv)
        return mn__healing_cvode_reset(r->cv, r->t, r->x);
    return MN_OK;
}

/* Untreated twin's collagen and epidermis relative to day 0, at time t (days). */
static double twin_collagen(const run_state *r, double t)
{
    return nodes_at(r->nodes, r->n_nodes, r->a_start, r->age0 + t / MN__DAYS_PER_YEAR) / r->c_day0;
}

static double twin_epidermis(const run_state *r, double t)
{
    double a = r->age0 + t / MN__DAYS_PER_YEAR;
    double d =
        (a > REF_AGE_Y ? a - REF_AGE_Y : 0) - (r->age0 > REF_AGE_Y ? r->age0 - REF_AGE_Y : 0);
    return 1 + r->ve_slope_per_y * d / r->ve0;
}

double mn__healing_improvement(const mn__healing_params *par, double weight, double severity,
                               double x)
{
    double wx = weight * x, h = par->improvement_scale * severity;
    double imp = x >= 0 ? 100.0 * wx / (wx + h) : 100.0 * wx / h;
    return imp < -100 ? -100 : imp;
}

static double improvement(const run_state *r, double x)
{
    return mn__healing_improvement(r->par, r->weight, r->var.severity_scale, x);
}

/* The visible collagen change and the improvement at the current state. */
static double visible(const run_state *r, double u)
{
    return u - 1 + r->par->col3_visible_weight * r->x[MN__H_COL3] + r->x[MN__H_COL1_YOUNG] +
           r->x[MN__H_COL1_LONG];
}

static void fill_sample(const run_state *r, int day, mn_healing_sample *o)
{
    double t = day + 0.5;
    double u = twin_collagen(r, t), ue = twin_epidermis(r, t);
    const double *x = r->x;
    double I = x[MN__H_INFLAM] > 0 ? x[MN__H_INFLAM] : 0;
    o->day = day;
    o->collagen_change_pct =
        100.0 * (u - 1 + x[MN__H_COL3] + x[MN__H_COL1_YOUNG] + x[MN__H_COL1_LONG]);
    o->epidermis_change_pct = 100.0 * (ue - 1 + x[MN__H_EPI_THICK]);
    o->improvement_pct = improvement(r, visible(r, u));
    o->erythema = I / (I + r->par->erythema_half_sat);
    o->barrier_open_fraction = x[MN__H_BARRIER] > 0 ? x[MN__H_BARRIER] : 0;
    o->epidermal_wound_fraction = x[MN__H_EPI_WOUND] > 0 ? x[MN__H_EPI_WOUND] : 0;
    o->collagen_deposition_pct_day = 100.0 * x[MN__H_FIB_MATRIX] / r->par->fib_matrix_tau_d;
    o->collagen3_pct = 100.0 * x[MN__H_COL3];
    o->collagen1_pct = 100.0 * (x[MN__H_COL1_YOUNG] + x[MN__H_COL1_LONG]);
    o->untreated_collagen_change_pct = 100.0 * (u - 1);
    o->untreated_epidermis_change_pct = 100.0 * (ue - 1);
    o->untreated_improvement_pct = improvement(r, u - 1);
}

static int sample_finite(const mn_healing_sample *o)
{
    return isfinite(o->collagen_change_pct) && isfinite(o->epidermis_change_pct) &&
           isfinite(o->improvement_pct) && isfinite(o->erythema) &&
           isfinite(o->barrier_open_fraction) && isfinite(o->untreated_collagen_change_pct);
}

/* Online summary tracker. */
typedef struct {
    double peak;
    int peak_day, half_day, base_day, red_days, last_session_day;
    double prev_imp;
    int prev_day;
} tracker;

static void track_day(tracker *k, int day, double imp, double erythema)
{
    if (imp > k->peak) {
        k->peak = imp;
        k->peak_day = day;
        k->half_day = -1;
        k->base_day = -1;
    } else {
        if (k->half_day < 0 && imp < 0.5 * k->peak)
            k->half_day = day;
        if (k->base_day < 0 && imp <= 0)
            k->base_day = day;
    }
    if (erythema >= ERYTHEMA_SEEN && day - k->last_session_day + 1 > k->red_days)
        k->red_days = day - k->last_session_day + 1;
    k->prev_imp = imp;
    k->prev_day = day;
}

static mn_status run_core(mn_ctx *ctx, const mn__healing_params *par, const mn_healing_scenario *sc,
                          const mn_healing_variability *var, const mn_healing_options *opts,
                          const int *report_days, int n_report, mn_healing_sample *samples,
                          mn_healing_summary *summary, double *series_added, double *series_twin)
{
    mn_status st = MN_OK;
    if (!par || !sc)
        return mn__error(ctx, MN_EINVAL, "healing: NULL scenario");
    if ((st = mn__healing_check_scenario(ctx, sc)))
        return st;
    if (n_report < 0 || (n_report > 0 && !samples) ||
        (!report_days && n_report != sc->horizon_days + 1 && n_report != 0))
        return mn__error(ctx, MN_EINVAL, "healing: report buffer does not match (%d samples)",
                         n_report);
    if (report_days)
        for (int i = 0; i < n_report; i++)
            if (report_days[i] < 0 || report_days[i] > sc->horizon_days)
                return mn__error(ctx, MN_EINVAL, "healing: report day %d outside 0-%d",
                                 report_days[i], sc->horizon_days);
    mn_healing_options o;
    if (opts)
        o = *opts;
    else
        mn_healing_options_init(&o);

    run_state r;
    r.par = par;
    r.sc = sc;
    if (var)
        r.var = *var;
    else
        mn_healing_variability_init(&r.var);
    r.age0 = sc->patient.age_years;
    r.weight = sc->concern->response_weight;
    r.cv = NULL;
    r.t = 0;
    r.fast_active = 0;
    memset(r.x, 0, sizeof r.x);
    int search = summary ? (o.search_limit_days > 0 ? o.search_limit_days : 0) : 0;
    if (search > MN_HEALING_MAX_DAYS)
        search = MN_HEALING_MAX_DAYS;
    r.a_start = r.age0 < REF_AGE_Y ? r.age0 : REF_AGE_Y;
    double a_end = r.age0 + (sc->horizon_days + search + EXT_STEP_DAYS) / MN__DAYS_PER_YEAR + 1;
    r.n_nodes = ageing_nodes(par, &sc->patient, sc->zone, r.var.ageing_rate, r.a_start, a_end,
                             r.nodes, MAX_AGE_NODES);
    r.c_day0 = nodes_at(r.nodes, r.n_nodes, r.a_start, r.age0);
    {
        mn_skin_layers l0, l1;
        mn_patient p25 = sc->patient, p35 = sc->patient;
        p25.age_years = REF_AGE_Y;
        p35.age_years = REF_AGE_Y + 10;
        mn_skin_layers_at(sc->zone, &p25, &l0);
        mn_skin_layers_at(sc->zone, &p35, &l1);
        r.ve_slope_per_y = (l1.ve_um - l0.ve_um) / 10.0;
        mn_skin_layers_at(sc->zone, &sc->patient, &l0);
        r.ve0 = l0.ve_um;
    }
    build_matrix(&r);
    if (o.integrator == MN_HEALING_CVODE) {
        if ((st = mn__healing_cvode_create(ctx, &r.A, o.cvode_rtol, &r.cv)))
            return st;
    } else {
        mn__healing_expm(r.A.a, 0.5, r.phi_half);
        mn__healing_tri_mul(r.phi_half, r.phi_half, r.phi_day);
        mn__healing_mat tmp;
        mn__healing_tri_mul(r.phi_day, r.phi_day, tmp); /* 2 days */
        mn__healing_tri_mul(tmp, tmp, r.phi_ext);       /* 4 days */
        mn__healing_tri_mul(r.phi_ext, r.phi_ext, tmp); /* 8 days */
        memcpy(r.phi_ext, tmp, sizeof tmp);
    }

    int sorted = 1;
    if (report_days)
        for (int i = 1; i < n_report; i++)
            if (report_days[i] < report_days[i - 1])
                sorted = 0;
    int next_session = 0, next_report = 0;
    tracker k = {-1e300, 0, -1, -1, 0, 0, 0, 0};
    if (!summary && !series_added && !series_twin && !r.cv && report_days && sorted) {
        /* Only the report days are wanted: jump between events. */
        mn__healing_mat pow2[POW_MAX];
        int n_pow = 1;
        memcpy(pow2[0], r.phi_day, sizeof(mn__healing_mat));
        while (n_pow < POW_MAX && (1 << (n_pow - 1)) < sc->horizon_days) {
            mn__healing_tri_mul(pow2[n_pow - 1], pow2[n_pow - 1], pow2[n_pow]);
            n_pow++;
        }
        for (int i = 0; i < n_report; i++) {
            int day = report_days[i];
            while (next_session < sc->n_sessions && sc->sessions[next_session].day <= day) {
                int sd = sc->sessions[next_session].day;
                if (sd > r.t)
                    jump(&r, pow2, n_pow, sd - r.t);
                if ((st = apply_sessions(ctx, &r, sd, &next_session)))
                    goto done;
            }
            if (day + 0.5 > r.t)
                jump(&r, pow2, n_pow, day + 0.5 - r.t);
            fill_sample(&r, day, &samples[i]);
        }
        goto check;
    }
    for (int day = 0; day <= sc->horizon_days; day++) {
        /* From the previous report time (day - 1/2) to this one (day + 1/2): a session is
         * given at the start of its day, half-way through the step. */
        if (next_session < sc->n_sessions && sc->sessions[next_session].day == day) {
            k.last_session_day = day;
            if (day > 0 && (st = advance(ctx, &r, 0.5)))
                goto done;
            if ((st = apply_sessions(ctx, &r, day, &next_session)) || (st = advance(ctx, &r, 0.5)))
                goto done;
        } else if ((st = advance(ctx, &r, day > 0 ? 1.0 : 0.5))) {
            goto done;
        }
        if (summary || series_added || series_twin) {
            double u = twin_collagen(&r, day + 0.5);
            double vis = visible(&r, u);
            if (series_added)
                series_added[day] = vis - (u - 1);
            if (series_twin)
                series_twin[day] = u - 1;
            if (summary) {
                double I = r.x[MN__H_INFLAM] > 0 ? r.x[MN__H_INFLAM] : 0;
                track_day(&k, day, improvement(&r, vis), I / (I + par->erythema_half_sat));
            }
        }
        if (!report_days) {
            if (n_report > 0)
                fill_sample(&r, day, &samples[day]);
        } else if (sorted) {
            while (next_report < n_report && report_days[next_report] == day)
                fill_sample(&r, day, &samples[next_report++]);
        } else {
            for (int i = 0; i < n_report; i++)
                if (report_days[i] == day)
                    fill_sample(&r, day, &samples[i]);
        }
    }
check:
    for (int i = 0; i < n_report; i++)
        if (!sample_finite(&samples[i])) {
            st =
                mn__error(ctx, MN_ENUMERIC, "healing: non-finite result on day %d", samples[i].day);
            goto done;
        }
    if (summary) {
        mn_healing_summary *S = summary;
        memset(S, 0, sizeof *S);
        {
            double u = twin_collagen(&r, sc->horizon_days + 0.5);
            S->final_collagen_change_pct =
                100.0 * (u - 1 + r.x[MN__H_COL3] + r.x[MN__H_COL1_YOUNG] + r.x[MN__H_COL1_LONG]);
            S->final_untreated_collagen_change_pct = 100.0 * (u - 1);
        }
        S->erythema_days = k.red_days;
        if (sc->n_sessions == 0 || k.peak <= 1e-9) {
            S->peak_improvement_pct = k.peak > 0 ? k.peak : 0;
            S->peak_day = 0;
            S->durability_days = 0;
            S->back_to_baseline_day = 0;
        } else {
            /* Past the horizon with no further session, in 8-day steps, interpolating the
             * crossing day linearly between steps. */
            int day = sc->horizon_days;
            double prev = k.prev_imp;
            while ((k.half_day < 0 || k.base_day < 0) &&
                   day + EXT_STEP_DAYS <= sc->horizon_days + search) {
                if ((st = advance(ctx, &r, EXT_STEP_DAYS)))
                    goto done;
                day += EXT_STEP_DAYS;
                double u = twin_collagen(&r, day + 0.5);
                double imp = improvement(&r, visible(&r, u));
                if (k.half_day < 0 && imp < 0.5 * k.peak) {
                    double f = (prev - 0.5 * k.peak) / (prev - imp);
                    k.half_day = day - EXT_STEP_DAYS + (int)ceil(f * EXT_STEP_DAYS);
                    S->durability_beyond_horizon = 1;
                }
                if (k.base_day < 0 && imp <= 0) {
                    double f = prev / (prev - imp);
                    k.base_day = day - EXT_STEP_DAYS + (int)ceil(f * EXT_STEP_DAYS);
                    S->baseline_beyond_horizon = 1;
                }
                if (!mn__finite(imp)) {
                    st = mn__error(ctx, MN_ENUMERIC,
                                   "healing: non-finite result past the "
                                   "horizon");
                    goto done;
                }
                prev = imp;
            }
            S->peak_improvement_pct = k.peak;
            S->peak_day = k.peak_day;
            S->durability_days = k.half_day >= 0 ? k.half_day - k.peak_day : -1;
            S->back_to_baseline_day = k.base_day;
        }
        if (!mn__finite(S->peak_improvement_pct) || !mn__finite(S->final_collagen_change_pct))
            st = mn__error(ctx, MN_ENUMERIC, "healing: non-finite summary");
    }
done:
    mn__healing_cvode_free(r.cv);
    return st;
}

mn_status mn__healing_run_params(mn_ctx *ctx, const mn__healing_params *par,
                                 const mn_healing_scenario *sc, const mn_healing_variability *var,
                                 const mn_healing_options *opts, const int *report_days,
                                 int n_report, mn_healing_sample *samples,
                                 mn_healing_summary *summary)
{
    return run_core(ctx, par, sc, var, opts, report_days, n_report, samples, summary, NULL, NULL);
}

mn_status mn__healing_series(mn_ctx *ctx, const mn__healing_params *par,
                             const mn_healing_scenario *sc, const mn_healing_variability *var,
                             double *added, double *twin)
{
    return run_core(ctx, par, sc, var, NULL, NULL, 0, NULL, NULL, added, twin);
}

mn_status mn__healing_series_var(mn_ctx *ctx, const mn__healing_params *par,
                                 const mn_healing_scenario *sc, const mn_healing_variability *var,
                                 double *added, double *twin, mn_healing_summary *summary)
{
    return run_core(ctx, par, sc, var, NULL, NULL, 0, NULL, summary, added, twin);
}

mn_status mn_healing_run(mn_ctx *ctx, const mn_healing_scenario *sc,
                         const mn_healing_variability *var, const mn_healing_options *opts,
                         const int *report_days, int n_report, mn_healing_sample *samples,
                         mn_healing_summary *summary)
{
    mn__healing_params par;
    if (mn__healing_params_from(opts ? opts->params : NULL, &par))
        return mn__error(ctx, MN_EINVAL,
                         "healing: options.params was not filled by mn_healing_params_default()");
    return mn__healing_run_params(ctx, &par, sc, var, opts, report_days, n_report, samples,
                                  summary);
}
