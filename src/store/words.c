/*
 * The next step a record's message names, in the command's words and the web workstation's
 * (words.h). A command's words may hold the client's id: the text before it and after it.
 */
#include "store/words.h"

#include <stdio.h>

static const struct {
    const char *command[2]; /* before the client's id, after it (NULL: no id) */
    const char *web;
} said[] = {
    [MN__SAY_STALE_SESSION] = {{"save the plan again with 'mneedle plan ", " --save'"},
                               "save the plan again on the client's plan page (Plan and "
                               "report, then Save this plan to the record)"},
    [MN__SAY_STALE_HOLD] = {{"('mneedle plan ", " --save')"}, "on the client's plan page"},
    [MN__SAY_NO_PLAN] = {{"('mneedle plan ", " --save')"},
                         "(save one on the client's plan page first)"},
    [MN__SAY_OVERRIDE] = {{"give --override REASON to record it anyway", NULL},
                          "give a reason in the Override reason box to record it anyway"},
    [MN__SAY_OVERRIDE_NAME] = {{"--override", NULL}, "Override reason"},
    [MN__SAY_LIGHTER] = {{"lighter needs no --override", NULL}, "lighter needs no override reason"},
    [MN__SAY_OVERRIDDEN] = {{"--override", NULL}, "an override reason"},
    [MN__SAY_PLAN_RANGE] = {{"'mneedle plan'", NULL}, "the plan page"},
    [MN__SAY_SCREENING] = {{"'mneedle screen' explains", NULL},
                           "the Re-plan page lists the findings"},
    [MN__SAY_RESOLVED] = {{"'mneedle record adverse-event' records it resolved", NULL},
                          "Record an adverse event records it resolved: the same kind and "
                          "start date, with the date it resolved"},
    [MN__SAY_DEVICES] = {{"see 'mneedle catalog devices'", NULL},
                         "the Catalogues page lists the devices"},
    [MN__SAY_SITES] = {{"see 'mneedle catalog sites'", NULL},
                       "the Catalogues page lists the sites"},
    [MN__SAY_CONCERNS] = {{"see 'mneedle catalog concerns'", NULL},
                          "the Catalogues page lists the concerns"},
    [MN__SAY_NEW_QUESTIONNAIRE] = {{"record it with 'mneedle client update ",
                                    " FILE' giving history.date"},
                                   "enter the new answers and their date with Edit client"},
};

const char *mn__store_words_say(mn_store_words words, mn__store_say what, const char *client,
                                char *out, size_t size)
{
    if (!size)
        return out;
    if ((size_t)what >= sizeof said / sizeof said[0]) {
        out[0] = '\0';
        return out;
    }
    if (words == MN_STORE_WORDS_WEB)
        snprintf(out, size, "%s", said[what].web);
    else if (said[what].command[1])
        snprintf(out, size, "%s%s%s", said[what].command[0], client ? client : "",
                 said[what].command[1]);
    else
        snprintf(out, size, "%s", said[what].command[0]);
    return out;
}
