#include <assert.h>
#include <math.h>
#include <string.h>

#include "core/json_out.h"

void mn__jout_init(mn__jout *j)
{
    j->status = MN_OK;
    j->bad_key = NULL;
}

static void jfail(mn__jout *j, mn_status st, const char *key)
{
    assert(st != MN_OK);
    if (j->status == MN_OK) {
        j->status = st;
        j->bad_key = key;
    }
}

json_t *mn__jput(mn__jout *j, json_t *obj, const char *key, json_t *v)
{
    if (!v) {
        jfail(j, MN_ENOMEM, key);
        return NULL;
    }
    if (!obj || json_object_set_new(obj, key, v) != 0) {
        if (!obj)
            json_decref(v);
        jfail(j, MN_ENOMEM, key);
        return NULL;
    }
    return v;
}

json_t *mn__jpush(mn__jout *j, json_t *arr, json_t *v)
{
    if (!v) {
        jfail(j, MN_ENOMEM, "[]");
        return NULL;
    }
    if (!arr || json_array_append_new(arr, v) != 0) {
        if (!arr)
            json_decref(v);
        jfail(j, MN_ENOMEM, "[]");
        return NULL;
    }
    return v;
}

json_t *mn__jnum_new(mn__jout *j, double x)
{
    if (!isfinite(x)) {
        jfail(j, MN_ENUMERIC, "(number)");
        return NULL;
    }
    json_t *v = json_real(x);
    if (!v)
        jfail(j, MN_ENOMEM, "(number)");
    return v;
}

void mn__jput_num(mn__jout *j, json_t *obj, const char *key, double x)
{
    if (!isfinite(x)) {
        jfail(j, MN_ENUMERIC, key);
        return;
    }
    mn__jput(j, obj, key, json_real(x));
}

void mn__jput_int(mn__jout *j, json_t *obj, const char *key, long long x)
{
    mn__jput(j, obj, key, json_integer(x));
}

void mn__jput_str(mn__jout *j, json_t *obj, const char *key, const char *s)
{
    mn__jput(j, obj, key, s ? json_string(s) : json_null());
}

void mn__jput_bool(mn__jout *j, json_t *obj, const char *key, int b)
{
    mn__jput(j, obj, key, json_boolean(b));
}

typedef struct {
    mn_writer write;
    void *userdata;
    int failed;
} emit_state;

static int emit_cb(const char *buf, size_t size, void *data)
{
    emit_state *s = data;
    if (mn__write_json_safe(s->write, s->userdata, buf, size) != 0) {
        s->failed = 1;
        return -1;
    }
    return 0;
}

mn_status mn__json_emit(mn_ctx *ctx, json_t *root, mn_writer write, void *userdata)
{
    assert(root != NULL && write != NULL);
    emit_state s = {write, userdata, 0};
    if (json_dump_callback(root, emit_cb, &s,
                           JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)) != 0)
        return s.failed ? mn__error(ctx, MN_EIO, "cannot write the output")
                        : mn__error(ctx, MN_ENOMEM, "out of memory writing JSON");
    if (write(userdata, "\n", 1) != 0)
        return mn__error(ctx, MN_EIO, "cannot write the output");
    return MN_OK;
}

mn_status mn__json_finish(mn_ctx *ctx, const mn__jout *j, json_t *root, const char *what,
                          mn_writer write, void *userdata)
{
    assert(j->status != MN_OK || root != NULL); /* a missing root was an allocation failure */
    mn_status st = j->status;
    if (st)
        st = mn__error(ctx, st, "cannot build the %s output (%s)", what,
                       j->bad_key ? j->bad_key : "?");
    else
        st = mn__json_emit(ctx, root, write, userdata);
    json_decref(root);
    return st;
}

mn_status mn__buf_finish(mn_ctx *ctx, mn__buf *b, const char *what, mn_writer write, void *userdata)
{
    mn_status st = mn__buf_status(b);
    if (st)
        st = mn__error(ctx, st, "%s: out of memory writing the output", what);
    else
        st = mn__write_str(ctx, write, userdata, b->data, b->len);
    mn__buf_release(b);
    return st;
}

mn_status mn__write_str(mn_ctx *ctx, mn_writer write, void *userdata, const char *s, size_t n)
{
    if (write(userdata, s, n) != 0)
        return mn__error(ctx, MN_EIO, "cannot write the output");
    return MN_OK;
}

void mn__jput_warnings(mn__jout *j, json_t *obj, const mn_warnings *w)
{
    json_t *arr = mn__jput(j, obj, "warnings", json_array());
    if (!arr || !w)
        return;
    for (int i = 0; i < w->n && i < MN_MAX_WARNINGS; i++) {
        json_t *o = mn__jpush(j, arr, json_object());
        if (!o)
            return;
        mn__jput_str(j, o, "code", w->items[i].code);
        mn__jput_str(j, o, "path", w->items[i].path);
        mn__jput_str(j, o, "message", w->items[i].message);
    }
    if (w->dropped > 0)
        mn__jput_int(j, obj, "warnings_dropped", w->dropped);
}
