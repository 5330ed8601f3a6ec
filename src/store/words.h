/*
 * What a message of the clinic record says to do next, in the words of where it is read
 * (mn_store_set_words): the command's options or the web workstation's forms and pages. One
 * table keyed by the reason gives both, so each message is built for its reader and no phrase
 * is rewritten afterwards. Shared by src/store (its refusals and hold reasons) and the
 * record's writers in src/report.
 */
#ifndef MN_STORE_WORDS_H
#define MN_STORE_WORDS_H

#include <stddef.h>

#include "mneedle/store.h"

typedef enum {
    MN__SAY_STALE_SESSION,    /* a session refused against a stale plan: save the plan again */
    MN__SAY_STALE_HOLD,       /* where a stale plan is saved again (replan's hold, its text) */
    MN__SAY_NO_PLAN,          /* no plan to replan from: where one is saved */
    MN__SAY_OVERRIDE,         /* a session refused: how to record it anyway */
    MN__SAY_OVERRIDE_NAME,    /* where the override reason is given (its bounds) */
    MN__SAY_LIGHTER,          /* a lighter session is recorded without a reason */
    MN__SAY_OVERRIDDEN,       /* a session was recorded with a reason (replan's text) */
    MN__SAY_PLAN_RANGE,       /* where the plan's own range is given (replan's text) */
    MN__SAY_SCREENING,        /* where screening's findings are explained */
    MN__SAY_RESOLVED,         /* how an open adverse event is recorded resolved */
    MN__SAY_DEVICES,          /* where the catalogue's devices are listed */
    MN__SAY_SITES,            /* where the catalogue's sites are listed */
    MN__SAY_CONCERNS,         /* where the catalogue's concerns are listed */
    MN__SAY_NEW_QUESTIONNAIRE /* how a new health questionnaire is recorded */
} mn__store_say;

/* The words for @p what in @p words, naming @p client where the command does (NULL: none),
 * into @p out (cut to @p size); returns @p out. */
const char *mn__store_words_say(mn_store_words words, mn__store_say what, const char *client,
                                char *out, size_t size);

#endif
