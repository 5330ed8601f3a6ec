/*
 * The record's writers in the words of where they are shown: the command's, which name its
 * options, or the web workstation's, which name its forms' fields and buttons. Internal to
 * src/report and src/server.
 */
#ifndef MN_REPORT_RECORDS_INTERNAL_H
#define MN_REPORT_RECORDS_INTERNAL_H

#include "mneedle/report.h"

typedef enum {
    MN__WORDS_COMMAND, /* "--override", "mneedle plan ID --save" */
    MN__WORDS_FORM     /* the session form's override reason, the plan page's save button */
} mn__words;

/* mn_store_replan_write() in @p words (the JSON is the same in both). */
mn_status mn__store_replan_write(mn_ctx *ctx, const mn_store_replan *r, int json, mn__words words,
                                 mn_writer write, void *userdata);

#endif
