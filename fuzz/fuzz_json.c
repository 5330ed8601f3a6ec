/*
 * Fuzz target: the JSON reader every input loader is built on (src/core/json_in.c), with
 * its number, whole-number, boolean, string, date, array and object readers applied to
 * every key of the top-level object.
 * Properties: parsing refuses what is not a JSON object with an input-error status and a
 * message naming the source; a reader that accepts a value returns it inside the range it
 * was given (finite, whole when asked, a real date), and one that refuses it says why.
 */
#include <math.h>
#include <string.h>

#include "core/json_in.h"
#include "fuzz.h"

static void fuzz_refused(mn_ctx *ctx, mn_status st)
{
    fuzz_check(mn_status_is_input_error(st));
    fuzz_check(mn_ctx_errcode(ctx) == st);
    fuzz_check(strncmp(mn_ctx_errmsg(ctx), "fuzz.json", 9) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mn_ctx *ctx = fuzz_ctx();
    mn_ctx_clear_error(ctx);
    json_t *root = NULL;
    mn_status st = mn__json_parse(ctx, "fuzz.json", (const char *)data, size, &root);
    if (st) {
        fuzz_check(root == NULL);
        fuzz_refused(ctx, st);
        return 0;
    }
    fuzz_check(json_is_object(root));
    mn__jin in = {ctx, "fuzz.json"};
    static const char *const allowed[] = {"age", "sex", "start", "zones", NULL};
    st = mn__jkeys(&in, root, "$", allowed);
    if (st)
        fuzz_refused(ctx, st);
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        (void)v;
        int here;
        double x = NAN;
        if ((st = mn__jnum(&in, root, "$", key, 1, -2.5, 1e6, &x, &here)) == MN_OK)
            fuzz_check(here && isfinite(x) && x >= -2.5 && x <= 1e6);
        else
            fuzz_refused(ctx, st);
        long k = -1;
        if ((st = mn__jint(&in, root, "$", key, 0, 1, 6, &k, &here)) == MN_OK)
            fuzz_check(!here || (k >= 1 && k <= 6));
        else
            fuzz_refused(ctx, st);
        int b = -1;
        if ((st = mn__jbool(&in, root, "$", key, 0, &b, &here)) == MN_OK)
            fuzz_check(!here || b == 0 || b == 1);
        else
            fuzz_refused(ctx, st);
        const char *s = NULL;
        if ((st = mn__jstr(&in, root, "$", key, 0, &s, &here)) == MN_OK)
            fuzz_check(!here || s != NULL);
        else
            fuzz_refused(ctx, st);
        mn_date d;
        if ((st = mn__jdate(&in, root, "$", key, 0, &d, &here)) == MN_OK && here) {
            int y;
            mn_date_to_ymd(d, &y, NULL, NULL);
            fuzz_check(y >= 1900 && y <= 2999);
        } else if (st) {
            fuzz_refused(ctx, st);
        }
        json_t *a = NULL;
        if ((st = mn__jarr(&in, root, "$", key, 0, 1, 4, &a, &here)) == MN_OK)
            fuzz_check(!here || (json_array_size(a) >= 1 && json_array_size(a) <= 4));
        else
            fuzz_refused(ctx, st);
        if (here && a && st == MN_OK) {
            for (size_t i = 0; i < json_array_size(a); i++) {
                char p[64];
                mn__jpath_index(p, sizeof p, "$.x", i);
                if ((st = mn__jnum_value(&in, json_array_get(a, i), p, 0, 1, &x)) == MN_OK)
                    fuzz_check(x >= 0 && x <= 1);
                else
                    fuzz_refused(ctx, st);
            }
        }
        json_t *o = NULL;
        if ((st = mn__jobj(&in, root, "$", key, 0, &o, &here)) == MN_OK)
            fuzz_check(!here || json_is_object(o));
        else
            fuzz_refused(ctx, st);
    }
    json_decref(root);
    return 0;
}
