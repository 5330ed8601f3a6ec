/*
 * mneedle report: turning results into text, JSON and CSV for people and programs.
 * Writers are passed in (core.h); nothing here prints on its own.
 *
 * Thread safety: writing reads the context's read-only catalogue and records errors on the
 * context, so one context per thread; it starts no threads of its own.
 */
#ifndef MNEEDLE_REPORT_H
#define MNEEDLE_REPORT_H

#include "mneedle/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Writes a catalogue listing: @p what is "devices", "sites", "concerns", "products" or
 * "rules". @p json selects one JSON object (with "sources") instead of a text table.
 * @return MN_OK; MN_ENOTFOUND for an unknown @p what; MN_ENOMEM; MN_EIO if the writer fails.
 */
mn_status mn_report_catalog(mn_ctx *ctx, const char *what, int json, mn_writer write,
                            void *userdata);

#ifdef __cplusplus
}
#endif
#endif
