/*
 * The record's writers in the words of where they are shown: the command's, which name its
 * options, or the web workstation's, which name its forms' fields and buttons. Internal to
 * src/report and src/server.
 */
#ifndef MN_REPORT_RECORDS_INTERNAL_H
#define MN_REPORT_RECORDS_INTERNAL_H

#include "mneedle/report.h"
#include "mneedle/store.h"

/* mn_store_replan_write() in @p words (the command's or the web's, mn_store_words; the JSON is
 * the same in both). */
mn_status mn__store_replan_write(mn_ctx *ctx, const mn_store_replan *r, int json,
                                 mn_store_words words, mn_writer write, void *userdata);

#endif
