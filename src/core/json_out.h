/*
 * Building JSON output. Failures are sticky in an mn__jout so building code stays linear; a
 * non-finite number is a failure (MN_ENUMERIC), so no NaN or infinity reaches the output.
 */
#ifndef MN_CORE_JSON_OUT_H
#define MN_CORE_JSON_OUT_H

#include <jansson.h>

#include "core/internal.h"

typedef struct {
    mn_status status; /* first failure, MN_OK while all is well */
    const char *bad_key;
} mn__jout;

void mn__jout_init(mn__jout *j);
/* Each setter takes ownership of nothing and records a failure in j. */
void mn__jput_num(mn__jout *j, json_t *obj, const char *key, double x);
void mn__jput_int(mn__jout *j, json_t *obj, const char *key, long long x);
void mn__jput_str(mn__jout *j, json_t *obj, const char *key, const char *s);
void mn__jput_bool(mn__jout *j, json_t *obj, const char *key, int b);
/* Sets (and steals) @p v; NULL v is a failure. Returns v (borrowed) for chaining. */
json_t *mn__jput(mn__jout *j, json_t *obj, const char *key, json_t *v);
/* Appends (and steals) @p v to an array. Returns v (borrowed). */
json_t *mn__jpush(mn__jout *j, json_t *arr, json_t *v);
/* Puts "warnings": [{code, path, message}] (empty when there is none, so the key is always
 * there; @p w may be NULL); a count of dropped ones adds "warnings_dropped". The file name is
 * left out, so a merged cohort's output is the same as one run's. */
void mn__jput_warnings(mn__jout *j, json_t *obj, const mn_warnings *w);
/* A number value (NULL and a recorded failure if not finite). */
json_t *mn__jnum_new(mn__jout *j, double x);

/* Serialises @p root (2-space indent, keys in insertion order) and a newline to a writer. */
mn_status mn__json_emit(mn_ctx *ctx, json_t *root, mn_writer write, void *userdata);

/* Finishes a JSON output: when building it failed (j->status), records "cannot build the
 * WHAT output (key)" on the context and returns that status; otherwise emits @p root. Always
 * releases @p root. */
mn_status mn__json_finish(mn_ctx *ctx, const mn__jout *j, json_t *root, const char *what,
                          mn_writer write, void *userdata);

/* Finishes a text output, as mn__json_finish does a JSON one: when building @p b failed,
 * records "WHAT: out of memory writing the output" and returns MN_ENOMEM; otherwise writes
 * its bytes. Always releases @p b. */
mn_status mn__buf_finish(mn_ctx *ctx, mn__buf *b, const char *what, mn_writer write,
                         void *userdata);

/* Writes a string to a writer; MN_EIO on failure. */
mn_status mn__write_str(mn_ctx *ctx, mn_writer write, void *userdata, const char *s, size_t n);

#endif
