/*
 * The sentence and the JSON object every projection carries about how the bundled model fared
 * against the studies it was not fitted to (mn_evidence_validation_summary(); the rows are in
 * docs/validation.md). simulate and plan print the same words, from here.
 */
#ifndef MN_REPORT_VALIDATION_NOTE_H
#define MN_REPORT_VALIDATION_NOTE_H

#include <stddef.h>

#include "core/json_out.h"
#include "mneedle/evidence.h"

/* Writes the sentence (no leading space) into @p buf, always NUL-terminated; an empty string
 * when @p v is NULL or checked nothing. Returns @p buf. */
char *mn__validation_sentence(const mn_validation_summary *v, char *buf, size_t len);

/* Puts "validation": {checked, inside, misses_over_promised, misses_under_promised, page} on
 * @p obj; nothing when @p v is NULL. */
void mn__jput_validation(mn__jout *j, json_t *obj, const mn_validation_summary *v);

#endif
