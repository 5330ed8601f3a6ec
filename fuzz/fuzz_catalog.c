/*
 * Fuzz target: a catalogue override (mneedle --data DIR). The input is written as the one
 * file of the directory whose list key appears first in it ("devices", "sites", "concerns",
 * "products", "rules", "aftercare", "references"; by size when none does), the other six come from
 * the embedded copy, and mn_ctx_create_with_data() loads the set. Properties: a refused set gives
 * an input-error status (or MN_EIO) and a message; an accepted one lists every catalogue as JSON
 * and text without a numerical failure, and a client planned against it either plans and writes its
 * plan without a numerical failure or is refused with an input-error status and a reason.
 */
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

#define FUZZ_FILES 7
static const char *const fuzz_files[FUZZ_FILES] = {"devices.json",   "sites.json", "concerns.json",
                                                   "products.json",  "rules.json", "aftercare.json",
                                                   "references.json"};
static const char *const fuzz_keys[FUZZ_FILES] = {"\"devices\"",   "\"sites\"", "\"concerns\"",
                                                  "\"products\"",  "\"rules\"", "\"aftercare\"",
                                                  "\"references\""};

static const char fuzz_client_text[] =
    "{\"client\": {\"age\": 52, \"sex\": \"female\", \"fitzpatrick\": 4},"
    " \"concerns\": [{\"concern\": \"fine-lines-wrinkles\", \"zones\": [\"cheek\", \"forehead\"]},"
    " {\"concern\": \"acne-scars\", \"zones\": [\"cheek\"], \"severity\": \"severe\"}],"
    " \"history\": {\"herpes_simplex_history\": true},"
    " \"clinic\": {\"device\": \"dermapen-4\", \"price_per_session\": 250,"
    " \"start\": \"2027-01-04\"}}";

static char fuzz_dir[64];

static void fuzz_cleanup(void)
{
    for (int i = 0; i < FUZZ_FILES; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%s", fuzz_dir, fuzz_files[i]);
        unlink(path);
    }
    rmdir(fuzz_dir);
}

static int fuzz_which(const uint8_t *data, size_t size)
{
    int which = (int)(size % FUZZ_FILES);
    size_t best = size;
    for (int k = 0; k < FUZZ_FILES; k++) {
        size_t n = strlen(fuzz_keys[k]);
        for (size_t i = 0; i + n <= size && i < best; i++)
            if (memcmp(data + i, fuzz_keys[k], n) == 0) {
                best = i;
                which = k;
                break;
            }
    }
    return which;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fuzz_dir[0]) {
        snprintf(fuzz_dir, sizeof fuzz_dir, "/tmp/mn_fuzz_catalog_XXXXXX");
        if (!mkdtemp(fuzz_dir))
            abort();
        atexit(fuzz_cleanup);
    }
    char path[128];
    snprintf(path, sizeof path, "%s/%s", fuzz_dir, fuzz_files[fuzz_which(data, size)]);
    FILE *fp = fopen(path, "wb");
    if (!fp || fwrite(data, 1, size, fp) != size || fclose(fp) != 0)
        abort();

    mn_ctx *ctx = NULL;
    char err[1024] = "";
    mn_status st = mn_ctx_create_with_data(&ctx, fuzz_dir, err, sizeof err);
    unlink(path);
    if (st) {
        fuzz_check(ctx == NULL);
        fuzz_check(mn_status_is_input_error(st) || st == MN_EIO);
        fuzz_check(err[0] != '\0');
        return 0;
    }
    fuzz_sink out = {0, 0, 0, 0};
    static const char *const lists[] = {"devices", "sites", "concerns", "products", "rules"};
    for (int i = 0; i < 5; i++) {
        fuzz_check(mn_report_catalog(ctx, lists[i], 1, fuzz_sink_write, &out) == MN_OK);
        fuzz_check(mn_report_catalog(ctx, lists[i], 0, fuzz_sink_write, &out) == MN_OK);
    }
    mn_client c;
    if (mn_client_parse(ctx, "client.json", fuzz_client_text, sizeof fuzz_client_text - 1, &c) ==
        MN_OK) {
        mn_plan_options o;
        mn_plan_options_init(&o);
        mn_plan *p = NULL;
        st = mn_plan_build(ctx, &c, &o, &p);
        /* Refusals at this stage are input errors with a reason: MN_ERANGE for a zone the
         * device cannot needle, MN_EPARSE for a rule whose flag names no history item (the
         * rules are checked against the client's history table when screening). */
        fuzz_check(st == MN_OK ||
                   (mn_status_is_input_error(st) && p == NULL && mn_ctx_errmsg(ctx)[0]));
        if (p) {
            out.nan_seen = 0;
            fuzz_check(mn_plan_write(ctx, p, 1, fuzz_sink_write, &out) == MN_OK);
            fuzz_check(mn_plan_write(ctx, p, 0, fuzz_sink_write, &out) == MN_OK);
        }
        mn_plan_free(p);
    }
    mn_ctx_free(ctx);
    return 0;
}
