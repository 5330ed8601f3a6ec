/*
 * How far a projection has been borne out: see validation_note.h.
 */
#include <stdio.h>

#include "report/validation_note.h"

#define PAGE "docs/validation.md" /* --json's "page": where the rows are kept */
/* The text says where the rows are in words, not as a file of the source tree (nor as a
 * command: the workstation's pages show the same sentence). */
#define SEE "mneedle's validation report lists each"

char *mn__validation_sentence(const mn_validation_summary *v, char *buf, size_t len)
{
    if (!buf || len == 0)
        return buf;
    buf[0] = '\0';
    if (!v || v->checked <= 0)
        return buf;
    int misses = v->worse + v->better;
    const char *lean = "";
    char tail[200] = "";
    if (v->worse > v->better)
        lean = "promised more than the study found, so read these figures as more likely to "
               "overstate than to understate the result";
    else if (v->better > v->worse)
        lean = "promised less than the study found, so read these figures as more likely to "
               "understate than to overstate the result";
    if (*lean)
        snprintf(tail, sizeof tail, "; in %d of its %d misses it %s",
                 v->worse > v->better ? v->worse : v->better, misses, lean);
    char from[64] = "";
    if (v->studies > 0)
        snprintf(from, sizeof from, " from %d %s", v->studies,
                 v->studies == 1 ? "study" : "studies");
    char eff[96] = "";
    if (v->efficacy_checked > 0 && v->efficacy_checked < v->checked)
        snprintf(eff, sizeof eff, "%d of the %d on efficacy; ", v->efficacy_inside,
                 v->efficacy_checked);
    snprintf(buf, len,
             "Checked against %d published results%s it was not fitted to, the model's 90 %% "
             "interval held %d (%s" SEE ")%s.",
             v->checked, *from ? from : " of studies", v->inside, eff, tail);
    return buf;
}

void mn__jput_validation(mn__jout *j, json_t *obj, const mn_validation_summary *v)
{
    if (!v)
        return;
    json_t *o = mn__jput(j, obj, "validation", json_object());
    if (!o)
        return;
    mn__jput_int(j, o, "checked", v->checked);
    mn__jput_int(j, o, "inside", v->inside);
    mn__jput_int(j, o, "misses_over_promised", v->worse);
    mn__jput_int(j, o, "misses_under_promised", v->better);
    mn__jput_int(j, o, "studies", v->studies);
    mn__jput_int(j, o, "efficacy_checked", v->efficacy_checked);
    mn__jput_int(j, o, "efficacy_inside", v->efficacy_inside);
    mn__jput_str(j, o, "page", PAGE);
}
