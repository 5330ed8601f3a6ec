/*
 * Reading JSON input with errors that name the place: parse errors as `file:line:col`,
 * semantic errors as `file: $.path.to[3].value`, each saying what was expected.
 *
 * Readers take the object, its own JSON path (e.g. "$.client") and a key; they check the
 * type and range and record a precise message on the context when the value is wrong.
 * `required` = 0 lets a key be absent (*present is then 0 and *out untouched).
 */
#ifndef MN_CORE_JSON_IN_H
#define MN_CORE_JSON_IN_H

#include <jansson.h>

#include "core/internal.h"

typedef struct {
    mn_ctx *ctx;
    const char *src; /* file name for messages, "<stdin>" or "<string>" */
} mn__jin;

/* Reads a whole file ("-" for standard input), refusing more than MN_MAX_INPUT_BYTES, and
 * parses it. Empty input is an error. */
mn_status mn__json_load(mn_ctx *ctx, const char *path, json_t **out);

/* Parses text (with its source name for messages). */
mn_status mn__json_parse(mn_ctx *ctx, const char *src, const char *text, size_t len, json_t **out);

/* Name of a JSON value's type for messages ("a string", "an array", ...). */
const char *mn__json_type_name(const json_t *v);

/* Joins a path and a key ("$.client" + "age") or an index ("$.zones" + [2]). */
void mn__jpath_key(char *buf, size_t n, const char *path, const char *key);
void mn__jpath_index(char *buf, size_t n, const char *path, size_t index);

/* Rejects keys not in the NULL-terminated list @p allowed. Keys that begin with '_' or are
 * "comment" are always allowed, for notes kept in the file. */
mn_status mn__jkeys(const mn__jin *in, json_t *obj, const char *path, const char *const *allowed);

/* Requires @p v to be an object (path names it in the message). */
mn_status mn__jis_object(const mn__jin *in, json_t *v, const char *path);

mn_status mn__jnum(const mn__jin *in, json_t *obj, const char *path, const char *key, int required,
                   double lo, double hi, double *out, int *present);
mn_status mn__jint(const mn__jin *in, json_t *obj, const char *path, const char *key, int required,
                   long lo, long hi, long *out, int *present);
mn_status mn__jbool(const mn__jin *in, json_t *obj, const char *path, const char *key, int required,
                    int *out, int *present);
mn_status mn__jstr(const mn__jin *in, json_t *obj, const char *path, const char *key, int required,
                   const char **out, int *present);
mn_status mn__jdate(const mn__jin *in, json_t *obj, const char *path, const char *key, int required,
                    mn_date *out, int *present);
/* An object member. */
mn_status mn__jobj(const mn__jin *in, json_t *obj, const char *path, const char *key, int required,
                   json_t **out, int *present);
/* An array member with 1..max_len elements (min_len may be 0). */
mn_status mn__jarr(const mn__jin *in, json_t *obj, const char *path, const char *key, int required,
                   size_t min_len, size_t max_len, json_t **out, int *present);
/* A number held directly (array element), with path naming it. */
mn_status mn__jnum_value(const mn__jin *in, json_t *v, const char *path, double lo, double hi,
                         double *out);

/* Requires entry @p index of a list kept in day order (sessions, endpoints) to fall after the
 * previous entry's day @p prev_day, so a list out of order or with two entries on one day is
 * refused where it happens, naming @p path (the entry's day) and @p what ("session"). Entry 0
 * always passes. One check for every reader of such lists, so they agree. */
mn_status mn__jday_after(const mn__jin *in, const char *path, size_t index, double day,
                         int prev_day, const char *what);

#endif
