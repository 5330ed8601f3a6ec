/* Catalogue listings as text tables or JSON. */
#include <ctype.h>
#include <string.h>

#include "core/json_out.h"
#include "mneedle/catalog.h"
#include "mneedle/clinic.h"
#include "mneedle/device.h"
#include "mneedle/report.h"

static json_t *mn__aliases_json(mn__jout *j, const char *const *aliases, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        mn__jpush(j, a, json_string(aliases[i]));
    if (!a)
        j->status = MN_ENOMEM;
    return a;
}

/* A rule's adjust block as data/rules.json gives it: every change, zero meaning none. */
static json_t *mn__adjust_json(mn__jout *j, const mn_rule_adjust *a)
{
    json_t *o = json_object();
    if (!o) {
        j->status = MN_ENOMEM;
        return NULL;
    }
    mn__jput_num(j, o, "start_mm", a->start_mm);
    mn__jput_num(j, o, "max_mm", a->max_mm);
    mn__jput_int(j, o, "interval_days", a->interval_days);
    mn__jput(j, o, "pretreatment", mn__aliases_json(j, a->pretreatment, a->n_pretreatment));
    mn__jput_bool(j, o, "gentle_rise", a->gentle_rise);
    mn__jput_str(j, o, "reason", a->reason);
    json_t *cr = mn__jput(j, o, "concern_reasons", json_array());
    for (int k = 0; k < a->n_concern_reasons; k++) {
        json_t *e = mn__jpush(j, cr, json_object());
        mn__jput_str(j, e, "concern", a->concern_reasons[k].concern);
        mn__jput_str(j, e, "reason", a->concern_reasons[k].reason);
        mn__jput_str(j, e, "source", a->concern_reasons[k].source);
    }
    mn__jput_str(j, o, "source", a->source);
    return o;
}

static json_t *mn__catalog_json(const mn_catalog *cat, const char *what, mn__jout *j)
{
    json_t *root = json_object();
    mn__jput_str(j, root, "catalog", what);
    mn__jput_str(j, root, "version", mn_version());
    /* The list as held by root, or NULL when it could not be added (mn__jput has then freed
     * it), so that no entry is ever appended to a freed array. */
    json_t *list = mn__jput(j, root, what, json_array());
    if (!strcmp(what, "devices")) {
        for (size_t i = 0; i < mn_catalog_device_count(cat); i++) {
            const mn_device *d = mn_catalog_device_at(cat, i);
            json_t *o = mn__jpush(j, list, json_object());
            mn__jput_str(j, o, "id", d->id);
            mn__jput_str(j, o, "name", d->name);
            mn__jput(j, o, "aliases", mn__aliases_json(j, d->aliases, d->n_aliases));
            mn__jput_str(j, o, "kind", mn_device_kind_name(d->kind));
            mn__jput_str(j, o, "class", mn_device_class_name(d->device_class));
            mn__jput_int(j, o, "needles", d->needles);
            if (d->kind == MN_DEVICE_ROLLER) {
                mn__jput_num(j, o, "drum_diameter_mm", d->drum_diameter_mm);
                mn__jput_num(j, o, "drum_width_mm", d->drum_width_mm);
                mn__jput_num(j, o, "passes", d->passes);
            } else {
                mn__jput_num(j, o, "stroke_hz", d->stroke_hz);
                mn__jput_num(j, o, "head_width_mm", d->head_width_mm);
            }
            mn__jput_num(j, o, "needle_diameter_um", d->needle_diameter_um);
            mn__jput_num(j, o, "depth_min_mm", d->depth_min_mm);
            mn__jput_num(j, o, "depth_max_mm", d->depth_max_mm);
            mn__jput_num(j, o, "depth_step_mm", d->depth_step_mm);
            if (d->n_lengths > 0) {
                json_t *len = mn__jput(j, o, "lengths_mm", json_array());
                for (int k = 0; k < d->n_lengths; k++)
                    mn__jpush(j, len, json_real(d->lengths_mm[k]));
            }
            mn__jput_num(j, o, "punctures_per_cm2_per_pass", mn_device_punctures_per_cm2(d, 1, 0));
            if (d->evaluated_by) {
                mn__jput_num(j, o, "evaluated_max_mm", d->evaluated_max_mm);
                mn__jput_str(j, o, "evaluated_by", d->evaluated_by);
            }
            mn__jput_str(j, o, "source", d->source);
        }
    } else if (!strcmp(what, "sites")) {
        for (size_t i = 0; i < mn_catalog_site_count(cat); i++) {
            const mn_site *s = mn_catalog_site_at(cat, i);
            json_t *o = mn__jpush(j, list, json_object());
            mn__jput_str(j, o, "id", s->id);
            mn__jput_str(j, o, "name", s->name);
            mn__jput(j, o, "aliases", mn__aliases_json(j, s->aliases, s->n_aliases));
            mn__jput_bool(j, o, "facial", s->facial);
            mn__jput_num(j, o, "sc_um", s->sc_um);
            mn__jput_num(j, o, "ve_um", s->ve_um);
            mn__jput_num(j, o, "papillary_um", s->papillary_um);
            mn__jput_num(j, o, "reticular_um", s->reticular_um);
            mn__jput_num(j, o, "subcutis_um", s->subcutis_um);
            mn__jput_num(j, o, "male_factor", s->male_factor);
            mn__jput_num(j, o, "clinical_max_mm", s->clinical_max_mm);
            mn__jput_num(j, o, "area_cm2", s->area_cm2);
            mn__jput_num(j, o, "closure_factor", s->closure_factor);
            mn__jput_str(j, o, "source", s->source);
        }
    } else if (!strcmp(what, "concerns")) {
        for (size_t i = 0; i < mn_catalog_concern_count(cat); i++) {
            const mn_concern *c = mn_catalog_concern_at(cat, i);
            json_t *o = mn__jpush(j, list, json_object());
            mn__jput_str(j, o, "id", c->id);
            mn__jput_str(j, o, "name", c->name);
            mn__jput(j, o, "aliases", mn__aliases_json(j, c->aliases, c->n_aliases));
            mn__jput(j, o, "zones", mn__aliases_json(j, c->zones, c->n_zones));
            json_t *fd = mn__jput(j, o, "face_depth_mm", json_array());
            mn__jpush(j, fd, mn__jnum_new(j, c->face_depth_mm[0]));
            mn__jpush(j, fd, mn__jnum_new(j, c->face_depth_mm[1]));
            json_t *bd = mn__jput(j, o, "body_depth_mm", json_array());
            mn__jpush(j, bd, mn__jnum_new(j, c->body_depth_mm[0]));
            mn__jpush(j, bd, mn__jnum_new(j, c->body_depth_mm[1]));
            json_t *s = mn__jput(j, o, "sessions", json_object());
            mn__jput_int(j, s, "min", c->sessions_min);
            mn__jput_int(j, s, "max", c->sessions_max);
            mn__jput_int(j, s, "default", c->sessions_default);
            mn__jput_int(j, o, "interval_days", c->interval_days);
            mn__jput_int(j, o, "min_interval_days", c->min_interval_days);
            mn__jput_int(j, o, "maintenance_days", c->maintenance_days);
            mn__jput_num(j, o, "passes", c->passes);
            if (c->deep_face_max_mm > 0) {
                mn__jput_num(j, o, "deep_face_max_mm", c->deep_face_max_mm);
                mn__jput_str(j, o, "deep_reason", c->deep_reason);
            }
            if (c->response_note)
                mn__jput_str(j, o, "response_note", c->response_note);
            mn__jput_bool(j, o, "collagen_projection", c->collagen_projection);
            if (c->projection_withheld)
                mn__jput_str(j, o, "projection_withheld", c->projection_withheld);
            if (c->maintenance_at_start)
                mn__jput_bool(j, o, "maintenance_at_start", 1);
            if (c->gentle_rise)
                mn__jput_bool(j, o, "gentle_rise", 1);
            if (c->dark_phototype_max_mm > 0) {
                mn__jput_num(j, o, "dark_phototype_max_mm", c->dark_phototype_max_mm);
                mn__jput_int(j, o, "dark_phototype_from", c->dark_phototype_from);
                if (c->dark_phototype_reason)
                    mn__jput_str(j, o, "dark_phototype_reason", c->dark_phototype_reason);
            }
            if (c->n_pretreatment > 0) {
                json_t *pre = mn__jput(j, o, "pretreatment", json_array());
                for (int k = 0; k < c->n_pretreatment; k++)
                    mn__jpush(j, pre, json_string(c->pretreatment[k]));
            }
            mn__jput_str(j, o, "source", c->source);
        }
    } else if (!strcmp(what, "products")) {
        for (size_t i = 0; i < mn_catalog_product_count(cat); i++) {
            const mn_product *p = mn_catalog_product_at(cat, i);
            json_t *o = mn__jpush(j, list, json_object());
            mn__jput_str(j, o, "id", p->id);
            mn__jput_str(j, o, "name", p->name);
            mn__jput(j, o, "aliases", mn__aliases_json(j, p->aliases, p->n_aliases));
            mn__jput_num(j, o, "mw", p->mw);
            mn__jput_num(j, o, "logp", p->logp);
            mn__jput_num(j, o, "concentration_mg_ml", p->concentration_mg_ml);
            if (p->note)
                mn__jput_str(j, o, "note", p->note);
            mn__jput_str(j, o, "source", p->source);
        }
    } else { /* rules */
        for (size_t i = 0; i < mn_catalog_rule_count(cat); i++) {
            const mn_rule *r = mn_catalog_rule_at(cat, i);
            json_t *o = mn__jpush(j, list, json_object());
            mn__jput_str(j, o, "code", r->code);
            if (r->name)
                mn__jput_str(j, o, "name", r->name);
            mn__jput_str(j, o, "input", r->flag);
            if (r->input_label)
                mn__jput_str(j, o, "input_label", r->input_label);
            mn__jput_str(j, o, "severity", mn_severity_name(r->severity));
            mn__jput_str(j, o, "message", r->message);
            mn__jput_str(j, o, "source", r->source);
            if (r->adjust.present)
                mn__jput(j, o, "adjust", mn__adjust_json(j, &r->adjust));
        }
    }
    return root;
}

/* 1 when the @p n characters at @p w are a number ("0.25", "+14", "-0.25", "1.5-2.5"). */
static int is_number(const char *w, size_t n)
{
    int digits = 0;
    for (size_t i = 0; i < n; i++) {
        if (isdigit((unsigned char)w[i]))
            digits++;
        else if (!strchr(".+-", w[i]))
            return 0;
    }
    return digits > 0;
}

/* Appends "  label: text\n", breaking the text at spaces into lines of at most 92 characters
 * (the width of the other reports' paragraphs), each further line indented by 4. A number
 * and the word after it (its unit: "0.25 mm", "14 days") go on one line. */
static void put_item(mn__buf *b, const char *label, const char *text)
{
    const int width = 92;
    mn__buf_textf(b, "  %s:", label);
    int col = 3 + (int)strlen(label);
    while (*text) {
        size_t n = strcspn(text, " ");
        if (is_number(text, n) && text[n] == ' ' && text[n + 1] != ' ' && text[n + 1])
            n += 1 + strcspn(text + n + 1, " ");
        if (col + 1 + (int)n > width) {
            mn__buf_textf(b, "\n    ");
            col = 4;
        } else {
            mn__buf_textf(b, " ");
            col++;
        }
        mn__buf_textf(b, "%.*s", (int)n, text);
        col += (int)n;
        text += n;
        while (*text == ' ')
            text++;
    }
    mn__buf_textf(b, "\n");
}

/* What a rule's adjust block changes in the plan, in words, with its reasons and sources. */
static void put_adjust(mn__buf *b, const mn_catalog *cat, const mn_rule_adjust *a)
{
    mn__buf words;
    mn__buf_init(&words);
    const char *sep = "";
    if (a->start_mm != 0) {
        mn__buf_printf(&words, "%sstart %+g mm", sep, a->start_mm);
        sep = ", ";
    }
    if (a->max_mm != 0) {
        mn__buf_printf(&words, "%smaximum %+g mm", sep, a->max_mm);
        sep = ", ";
    }
    if (a->interval_days != 0) {
        mn__buf_printf(&words, "%s+%d days between course sessions", sep, a->interval_days);
        sep = ", ";
    }
    if (a->gentle_rise) {
        mn__buf_printf(&words, "%sneedle rises at most %g mm per visit", sep,
                       MN_PLAN_RISE_GENTLE_MM);
        sep = ", ";
    }
    for (int k = 0; k < a->n_pretreatment; k++) { /* by name: the catalogue checked each id */
        const char *name = a->pretreatment[k];
        for (size_t i = 0; i < mn_catalog_pretreatment_count(cat); i++)
            if (!strcmp(mn_catalog_pretreatment_at(cat, i)->id, a->pretreatment[k]))
                name = mn_catalog_pretreatment_at(cat, i)->name;
        mn__buf_printf(&words, "%s%s", k ? ", " : *sep ? "; adds: " : "adds: ", name);
    }
    if (words.failed)
        b->failed = 1;
    put_item(b, "adjusts", words.data ? words.data : "");
    mn__buf_release(&words);
    put_item(b, "reason", a->reason);
    put_item(b, "source", a->source);
    for (int k = 0; k < a->n_concern_reasons; k++) { /* by name: the catalogue checked each id */
        char label[160];
        const mn_concern *c = mn_catalog_find_concern(cat, a->concern_reasons[k].concern);
        const char *name = c ? c->name : a->concern_reasons[k].concern;
        snprintf(label, sizeof label, "reason for %s", name);
        put_item(b, label, a->concern_reasons[k].reason);
        snprintf(label, sizeof label, "source for %s", name);
        put_item(b, label, a->concern_reasons[k].source);
    }
}

static void mn__catalog_text(const mn_catalog *cat, const char *what, mn__buf *b)
{
    if (!strcmp(what, "devices")) {
        mn__buf_textf(b, "%-16s %-7s %-9s %7s %13s %15s %8s\n", "DEVICE", "KIND", "CLASS",
                      "NEEDLES", "DEPTH (mm)", "PUNCTURES/cm2*", "PASSES");
        for (size_t i = 0; i < mn_catalog_device_count(cat); i++) {
            const mn_device *d = mn_catalog_device_at(cat, i);
            char range[32], passes[16];
            snprintf(range, sizeof range, "%.2g-%.2g", d->depth_min_mm, d->depth_max_mm);
            if (d->kind == MN_DEVICE_ROLLER)
                snprintf(passes, sizeof passes, "%g", d->passes);
            else
                snprintf(passes, sizeof passes, "concern");
            mn__buf_textf(b, "%-16s %-7s %-9s %7d %13s %15.0f %8s\n", d->id,
                          mn_device_kind_name(d->kind), mn_device_class_name(d->device_class),
                          d->needles, range, mn_device_punctures_per_cm2(d, 1, 0), passes);
        }
        mn__buf_textf(b,
                      "\n* per pass; pens at a %.0f mm/s glide (an assumption: set glide_mm_s"
                      " in a scenario).\n"
                      "PASSES: over each area per session in a plan; a roller's own count, a "
                      "pen's from the concern.\n",
                      MN_DEFAULT_GLIDE_MM_S);
        for (size_t i = 0; i < mn_catalog_device_count(cat); i++) {
            const mn_device *d = mn_catalog_device_at(cat, i);
            if (d->n_lengths == 0)
                continue;
            mn__buf_textf(b, "%s is sold in fixed lengths:", d->id);
            for (int k = 0; k < d->n_lengths; k++)
                mn__buf_textf(b, " %.3g", d->lengths_mm[k]);
            mn__buf_textf(b, " mm.\n");
        }
    } else if (!strcmp(what, "sites")) {
        mn__buf_textf(b, "%-12s %-6s %7s %7s %10s %10s %9s\n", "ZONE", "FACE", "SC um", "VE um",
                      "PAPIL um", "RETIC um", "CAP mm");
        for (size_t i = 0; i < mn_catalog_site_count(cat); i++) {
            const mn_site *s = mn_catalog_site_at(cat, i);
            mn__buf_textf(b, "%-12s %-6s %7.1f %7.1f %10.0f %10.0f %9.2g\n", s->id,
                          s->facial ? "yes" : "no", s->sc_um, s->ve_um, s->papillary_um,
                          s->reticular_um, s->clinical_max_mm);
        }
        mn__buf_textf(b, "\nReference: a woman of 25. Dermis thins 6%%/decade after 25 (F34a);"
                         " men's skin is thicker\n(male_factor). CAP: usual upper needle "
                         "length in clinics. Sources: 'mneedle catalog sites --json'.\n");
    } else if (!strcmp(what, "concerns")) {
        mn__buf_textf(b, "%-20s %-11s %-11s %-9s %-9s %-9s %-7s %s\n", "CONCERN", "FACE mm",
                      "BODY mm", "SESSIONS", "INTERVAL", "MIN GAP", "PASSES", "DEEP FACE");
        for (size_t i = 0; i < mn_catalog_concern_count(cat); i++) {
            const mn_concern *c = mn_catalog_concern_at(cat, i);
            char fd[24], bd[24], se[24], iv[24], mg[24], pa[24], df[24];
            snprintf(fd, sizeof fd, "%.2g-%.2g", c->face_depth_mm[0], c->face_depth_mm[1]);
            snprintf(bd, sizeof bd, "%.2g-%.2g", c->body_depth_mm[0], c->body_depth_mm[1]);
            snprintf(se, sizeof se, "%d-%d", c->sessions_min, c->sessions_max);
            snprintf(iv, sizeof iv, "%d d", c->interval_days);
            snprintf(mg, sizeof mg, "%d d", c->min_interval_days);
            snprintf(pa, sizeof pa, "%g", c->passes);
            if (c->deep_face_max_mm > 0)
                snprintf(df, sizeof df, "%g mm", c->deep_face_max_mm);
            else
                snprintf(df, sizeof df, "-");
            mn__buf_textf(b, "%-20s %-11s %-11s %-9s %-9s %-9s %-7s %s\n", c->id, fd, bd, se, iv,
                          mg, pa, df);
        }
        /* The phototypes the exception is for, and those held to the usual limit (device.h). */
        static const char *const roman[] = {"I", "II", "III", "IV", "V", "VI"};
        _Static_assert(MN_DEEP_FACE_BELOW_PHOTOTYPE >= 2 && MN_DEEP_FACE_BELOW_PHOTOTYPE <= 6,
                       "the exception's phototypes are named I to roman[...]");
        int n_deep = 0;
        for (size_t i = 0; i < mn_catalog_concern_count(cat); i++)
            n_deep += mn_catalog_concern_at(cat, i)->deep_face_max_mm > 0;
        mn__buf_textf(
            b,
            "\nPASSES: over each area per session with a pen or stamp; a roller makes "
            "its own\n('mneedle catalog devices', PASSES).\n"
            "DEEP FACE: how deep the concern may go past the usual %g mm facial limit, "
            "on a zone whose\nCAP ('mneedle catalog sites') is %g mm, with a clinical "
            "device, for phototypes I-%s only;\n%s-VI stay within %g mm.%s\n",
            MN_FACE_DEFAULT_MAX_MM, MN_FACE_DEFAULT_MAX_MM, roman[MN_DEEP_FACE_BELOW_PHOTOTYPE - 2],
            roman[MN_DEEP_FACE_BELOW_PHOTOTYPE - 1], MN_FACE_DEFAULT_MAX_MM, n_deep ? " Why:" : "");
        for (size_t i = 0; i < mn_catalog_concern_count(cat); i++) {
            const mn_concern *c = mn_catalog_concern_at(cat, i);
            if (c->deep_face_max_mm > 0)
                put_item(b, c->id, c->deep_reason);
        }
        mn__buf_textf(b, "Sources: 'mneedle catalog concerns --json'.\n");
    } else if (!strcmp(what, "products")) {
        mn__buf_textf(b, "%-26s %9s %7s %9s\n", "PRODUCT", "MW g/mol", "logP", "mg/ml");
        for (size_t i = 0; i < mn_catalog_product_count(cat); i++) {
            const mn_product *p = mn_catalog_product_at(cat, i);
            mn__buf_textf(b, "%-26s %9.1f %7.2f %9.3g\n", p->id, p->mw, p->logp,
                          p->concentration_mg_ml);
        }
        mn__buf_textf(b, "\nAny other molecule: give product.mw and product.logp in the "
                         "scenario.\n");
    } else {
        mn__buf_textf(b, "%-22s %-8s %s\n", "CODE", "SEVERITY", "INPUT");
        for (size_t i = 0; i < mn_catalog_rule_count(cat); i++) {
            const mn_rule *r = mn_catalog_rule_at(cat, i);
            mn__buf_textf(b, "%-22s %-8s %s", r->code, mn_severity_name(r->severity), r->flag);
            if (r->input_label)
                mn__buf_textf(b, " (%s)", r->input_label);
            mn__buf_textf(b, "\n");
            if (r->name) /* what the record's texts print in place of the code */
                mn__buf_textf(b, "  name: %s\n", r->name);
            if (r->adjust.present)
                put_adjust(b, cat, &r->adjust);
        }
    }
}

mn_status mn_report_catalog(mn_ctx *ctx, const char *what, int json, mn_writer write,
                            void *userdata)
{
    static const char *const known[] = {"devices", "sites", "concerns", "products", "rules"};
    int ok = 0;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (what && !strcmp(what, known[i]))
            ok = 1;
    if (!ok)
        return mn__error(ctx, MN_ENOTFOUND,
                         "unknown catalogue \"%s\"; expected devices, sites, concerns, products "
                         "or rules",
                         what ? what : "");
    const mn_catalog *cat = mn_ctx_catalog(ctx);
    if (json) {
        mn__jout j;
        mn__jout_init(&j);
        json_t *root = mn__catalog_json(cat, what, &j);
        return mn__json_finish(ctx, &j, root, what, write, userdata);
    }
    mn__buf b;
    mn__buf_init(&b);
    mn__catalog_text(cat, what, &b);
    return mn__buf_finish(ctx, &b, "catalog", write, userdata);
}
