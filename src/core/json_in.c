#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json_in.h"

#include "core/consts.h"

const char *mn__json_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "a value";
}

void mn__jpath_key(char *buf, size_t n, const char *path, const char *key)
{
    snprintf(buf, n, "%s.%s", path, key);
}

void mn__jpath_index(char *buf, size_t n, const char *path, size_t index)
{
    snprintf(buf, n, "%s[%zu]", path, index);
}

mn_status mn__json_parse(mn_ctx *ctx, const char *src, const char *text, size_t len, json_t **out)
{
    assert(src != NULL && (text != NULL || len == 0));
    *out = NULL;
    if (len > MN_MAX_INPUT_BYTES)
        return mn__error(ctx, MN_ELIMIT, "%s: input is %zu bytes; the limit is %u bytes", src, len,
                         MN_MAX_INPUT_BYTES);
    /* A UTF-8 byte-order mark at the start is ignored (RFC 8259 §8.1 allows it; editors on
     * some systems write one). */
    static const char bom[] = "\xEF\xBB\xBF";
    if (len >= sizeof bom - 1 && memcmp(text, bom, sizeof bom - 1) == 0) {
        text += sizeof bom - 1;
        len -= sizeof bom - 1;
    }
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
        i++;
    if (i == len)
        return mn__error(ctx, MN_EPARSE, "%s: the file is empty; expected a JSON object", src);
    json_error_t err;
    unsigned long guard = mn__json_parse_begin();
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    if (mn__json_parse_end(guard)) {
        /* An allocation was refused mid-parse: whatever jansson returned cannot be trusted. */
        json_decref(root);
        return mn__error(ctx, MN_ENOMEM, "%s: out of memory while parsing", src);
    }
    if (!root) {
        if (json_error_code(&err) == json_error_out_of_memory)
            return mn__error(ctx, MN_ENOMEM, "%s: out of memory while parsing", src);
        return mn__error(ctx, MN_EPARSE, "%s:%d:%d: malformed JSON: %s", src, err.line, err.column,
                         err.text);
    }
    if (!json_is_object(root)) {
        mn_status st = mn__error(ctx, MN_ETYPE, "%s: $: expected a JSON object, got %s", src,
                                 mn__json_type_name(root));
        json_decref(root);
        return st;
    }
    *out = root;
    return MN_OK;
}

mn_status mn__json_load(mn_ctx *ctx, const char *path, json_t **out)
{
    *out = NULL;
    int is_stdin = strcmp(path, "-") == 0;
    const char *src = is_stdin ? "<stdin>" : path;
    FILE *fp = is_stdin ? stdin : fopen(path, "rb");
    if (!fp)
        return mn__error(ctx, MN_EINVAL, "%s: cannot open: %s", path, strerror(errno));
    mn__buf b;
    mn__buf_init(&b);
    char chunk[65536];
    size_t n;
    mn_status st = MN_OK;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        if (b.len + n > MN_MAX_INPUT_BYTES) {
            st = mn__error(ctx, MN_ELIMIT, "%s: input is over the limit of %u bytes", src,
                           MN_MAX_INPUT_BYTES);
            goto done;
        }
        mn__buf_append(&b, chunk, n);
        if (b.failed) {
            st = mn__error(ctx, MN_ENOMEM, "%s: out of memory reading the file", src);
            goto done;
        }
    }
    if (ferror(fp)) {
        st = mn__error(ctx, MN_EINVAL, "%s: cannot read: %s", src, strerror(errno));
        goto done;
    }
    st = mn__json_parse(ctx, src, b.data ? b.data : "", b.len, out);
done:
    if (!is_stdin)
        fclose(fp);
    mn__buf_release(&b);
    return st;
}

mn_status mn__jkeys(const mn__jin *in, json_t *obj, const char *path, const char *const *allowed)
{
    assert(allowed != NULL);
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        (void)v;
        if (key[0] == '_' || strcmp(key, "comment") == 0)
            continue;
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, key) == 0) {
                ok = 1;
                break;
            }
        if (ok)
            continue;
        char list[512] = "";
        size_t used = 0;
        for (const char *const *a = allowed; *a && used < sizeof list - 40; a++) {
            int w = snprintf(list + used, sizeof list - used, "%s%s", a == allowed ? "" : ", ", *a);
            if (w > 0)
                used += (size_t)w;
        }
        char shown[MN__NAME_SHOWN_SIZE]; /* a long key (a CSV header's) cut, marked "..." */
        return mn__error(in->ctx, MN_ENOTFOUND, "%s: %s.%s: unknown key; expected one of: %s",
                         in->src, path, mn__name_shown(shown, key), list);
    }
    return MN_OK;
}

mn_status mn__jis_object(const mn__jin *in, json_t *v, const char *path)
{
    if (json_is_object(v))
        return MN_OK;
    return mn__error(in->ctx, MN_ETYPE, "%s: %s: expected an object, got %s", in->src, path,
                     mn__json_type_name(v));
}

/* Looks up a key; handles the absent case for every typed reader. */
static mn_status jfetch(const mn__jin *in, json_t *obj, const char *path, const char *key,
                        int required, const char *expected, json_t **v, int *present)
{
    assert(in != NULL && path != NULL && key != NULL && v != NULL); /* "" is a valid key */
    *v = json_object_get(obj, key);
    if (present)
        *present = *v != NULL && !json_is_null(*v);
    if (*v == NULL || json_is_null(*v)) {
        *v = NULL;
        if (required)
            return mn__error(in->ctx, MN_ETYPE, "%s: %s.%s: missing; expected %s", in->src, path,
                             key, expected);
    }
    return MN_OK;
}

static void jshow(const json_t *v, char *buf, size_t n)
{
    assert(n > 0);
    if (json_is_string(v))
        snprintf(buf, n, " (\"%.40s\")", json_string_value(v));
    else if (json_is_number(v))
        snprintf(buf, n, " (%.15g)", json_number_value(v));
    else
        buf[0] = '\0';
}

/* A range's end for a message: 2^53-1 by that name (as the command line's options give it),
 * any other number with 15 significant digits. */
typedef struct {
    char s[32];
} bound_text;

static bound_text bound(double x)
{
    bound_text b;
    if (x == MN__JSON_WHOLE_MAX)
        snprintf(b.s, sizeof b.s, "%s", MN__JSON_WHOLE_MAX_NAME);
    else
        snprintf(b.s, sizeof b.s, "%.15g", x);
    return b;
}

mn_status mn__jnum_value(const mn__jin *in, json_t *v, const char *path, double lo, double hi,
                         double *out)
{
    assert(lo <= hi); /* callers pass a range, never an empty one */
    char shown[64];
    if (!json_is_number(v)) {
        jshow(v, shown, sizeof shown);
        return mn__error(in->ctx, MN_ETYPE, "%s: %s: expected a number from %s to %s, got %s%s",
                         in->src, path, bound(lo).s, bound(hi).s, mn__json_type_name(v), shown);
    }
    double x = json_number_value(v);
    if (!isfinite(x) || x < lo || x > hi)
        return mn__error(in->ctx, MN_ERANGE, "%s: %s: %.15g is out of range; expected %s to %s",
                         in->src, path, x, bound(lo).s, bound(hi).s);
    *out = x;
    return MN_OK;
}

mn_status mn__jday_after(const mn__jin *in, const char *path, size_t index, double day,
                         int prev_day, const char *what)
{
    if (index == 0 || day > prev_day)
        return MN_OK;
    return mn__error(in->ctx, MN_ERANGE,
                     "%s: %s: day %g is not after the previous %s (day %d); list %ss in "
                     "increasing order of day, at most one a day",
                     in->src, path, day, what, prev_day, what);
}

mn_status mn__jnum(const mn__jin *in, json_t *obj, const char *path, const char *key, int required,
                   double lo, double hi, double *out, int *present)
{
    json_t *v;
    char p[256];
    mn__jpath_key(p, sizeof p, path, key);
    char expected[96];
    snprintf(expected, sizeof expected, "a number from %s to %s", bound(lo).s, bound(hi).s);
    mn_status st = jfetch(in, obj, path, key, required, expected, &v, present);
    if (st || !v)
        return st;
    return mn__jnum_value(in, v, p, lo, hi, out);
}

mn_status mn__jint(const mn__jin *in, json_t *obj, const char *path, const char *key, int required,
                   long lo, long hi, long *out, int *present)
{
    double x = 0;
    int here = 0;
    mn_status st = mn__jnum(in, obj, path, key, required, (double)lo, (double)hi, &x, &here);
    if (present)
        *present = here;
    if (st || !here)
        return st;
    if (x != floor(x))
        return mn__error(in->ctx, MN_ETYPE, "%s: %s.%s: expected a whole number, got %.15g",
                         in->src, path, key, x);
    *out = (long)x;
    return MN_OK;
}

mn_status mn__jbool(const mn__jin *in, json_t *obj, const char *path, const char *key, int required,
                    int *out, int *present)
{
    json_t *v;
    mn_status st = jfetch(in, obj, path, key, required, "true or false", &v, present);
    if (st || !v)
        return st;
    if (!json_is_boolean(v)) {
        char shown[64];
        jshow(v, shown, sizeof shown);
        return mn__error(in->ctx, MN_ETYPE, "%s: %s.%s: expected true or false, got %s%s", in->src,
                         path, key, mn__json_type_name(v), shown);
    }
    *out = json_is_true(v);
    return MN_OK;
}

mn_status mn__jstr(const mn__jin *in, json_t *obj, const char *path, const char *key, int required,
                   const char **out, int *present)
{
    json_t *v;
    mn_status st = jfetch(in, obj, path, key, required, "a string", &v, present);
    if (st || !v)
        return st;
    if (!json_is_string(v)) {
        char shown[64];
        jshow(v, shown, sizeof shown);
        return mn__error(in->ctx, MN_ETYPE, "%s: %s.%s: expected a string, got %s%s", in->src, path,
                         key, mn__json_type_name(v), shown);
    }
    *out = json_string_value(v);
    return MN_OK;
}

mn_status mn__jdate(const mn__jin *in, json_t *obj, const char *path, const char *key, int required,
                    mn_date *out, int *present)
{
    const char *s = NULL;
    int here = 0;
    mn_status st = mn__jstr(in, obj, path, key, required, &s, &here);
    if (present)
        *present = here;
    if (st || !here)
        return st;
    st = mn_date_parse(s, out);
    if (st == MN_ERANGE)
        return mn__error(in->ctx, MN_ERANGE,
                         "%s: %s.%s: %s is outside the supported dates, %d-01-01 to %d-12-31",
                         in->src, path, key, s, MN_DATE_MIN_YEAR, MN_DATE_MAX_YEAR);
    if (st != MN_OK)
        return mn__error(in->ctx, MN_ERANGE,
                         "%s: %s.%s: \"%.40s\" is not a real date; expected YYYY-MM-DD", in->src,
                         path, key, s);
    return MN_OK;
}

mn_status mn__jobj(const mn__jin *in, json_t *obj, const char *path, const char *key, int required,
                   json_t **out, int *present)
{
    json_t *v;
    mn_status st = jfetch(in, obj, path, key, required, "an object", &v, present);
    if (st || !v)
        return st;
    char p[256];
    mn__jpath_key(p, sizeof p, path, key);
    st = mn__jis_object(in, v, p);
    if (st)
        return st;
    *out = v;
    return MN_OK;
}

mn_status mn__jarr(const mn__jin *in, json_t *obj, const char *path, const char *key, int required,
                   size_t min_len, size_t max_len, json_t **out, int *present)
{
    assert(min_len <= max_len);
    json_t *v;
    mn_status st = jfetch(in, obj, path, key, required, "an array", &v, present);
    if (st || !v)
        return st;
    if (!json_is_array(v))
        return mn__error(in->ctx, MN_ETYPE, "%s: %s.%s: expected an array, got %s", in->src, path,
                         key, mn__json_type_name(v));
    size_t n = json_array_size(v);
    if (n > max_len)
        return mn__error(in->ctx, MN_ELIMIT, "%s: %s.%s: %zu elements; the limit is %zu", in->src,
                         path, key, n, max_len);
    if (n < min_len)
        return mn__error(in->ctx, MN_ERANGE, "%s: %s.%s: expected at least %zu element%s", in->src,
                         path, key, min_len, min_len == 1 ? "" : "s");
    *out = v;
    return MN_OK;
}
