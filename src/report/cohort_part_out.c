/*
 * Writing a shard's part file (format in docs/cluster.md): the run's identity, the TRIAL
 * file's JSON, and the slice's exact accumulators (sparse histogram counts, fixed-point sums
 * as [high, low] integers, minima and maxima as hex floats), so that mneedle merge rebuilds
 * the single run's numbers bit for bit. Compact (one line): parts are for machines.
 */
#include <stdio.h>
#include <string.h>

#include "cohort/cohort_internal.h"
#include "core/json_out.h"
#include "mneedle/report.h"

/* Bytes of a C99 hex float of a double ("-0x1.fffffffffffffp+1023") with room to spare. */
#define HEX_DOUBLE_LEN 40

static json_t *hex(mn__jout *j, double x)
{
    char buf[HEX_DOUBLE_LEN];
    snprintf(buf, sizeof buf, "%a", x);
    json_t *v = json_string(buf);
    if (!v && j->status == MN_OK)
        j->status = MN_ENOMEM;
    return v;
}

static json_t *accumulators(mn__jout *j, const mn__cohort_stats *s)
{
    json_t *acc = json_object();
    if (!acc) {
        j->status = MN_ENOMEM;
        return NULL;
    }
    mn__jput_int(j, acc, "endpoints", s->n_endpoints);
    mn__jput_int(j, acc, "patients", (long long)s->n);
    json_t *counts = mn__jput(j, acc, "counts", json_array());
    for (size_t i = 0; counts && i < s->n_counts; i++)
        if (s->counts[i]) {
            mn__jpush(j, counts, json_integer((json_int_t)i));
            mn__jpush(j, counts, json_integer((json_int_t)s->counts[i]));
        }
    json_t *sums = mn__jput(j, acc, "sums", json_array());
    for (size_t i = 0; sums && i < s->n_sums; i++) {
        json_t *pair = mn__jpush(j, sums, json_array());
        if (pair) {
            mn__jpush(j, pair, json_integer(s->sums[i].hi));
            mn__jpush(j, pair, json_integer(s->sums[i].lo));
        }
    }
    json_t *mins = mn__jput(j, acc, "min", json_array());
    json_t *maxs = mn__jput(j, acc, "max", json_array());
    for (size_t i = 0; mins && maxs && i < s->n_extrema; i++) {
        mn__jpush(j, mins, hex(j, s->mins[i]));
        mn__jpush(j, maxs, hex(j, s->maxs[i]));
    }
    return acc;
}

typedef struct {
    mn_writer write;
    void *userdata;
} sink;

/* Through the JSON-safe writer, as every other JSON output: a trial name's bidi override or
 * line separator is written as a \u escape, so a part shown in a terminal hides nothing (the
 * string reads back the same). */
static int emit(const char *buf, size_t len, void *data)
{
    const sink *s = data;
    return mn__write_json_safe(s->write, s->userdata, buf, len) == 0 ? 0 : -1;
}

mn_status mn_cohort_part_write(mn_ctx *ctx, const mn_cohort_part *part, mn_writer write,
                               void *userdata)
{
    char id[17];
    if (!part || !write || !part->ran || !part->trial)
        return mn__error(ctx, MN_EINVAL,
                         "mn_cohort_part_write: NULL part or writer, or the "
                         "part has not run");
    if (mn__cohort_part_run_id(part, id))
        return mn__error(ctx, MN_ENOMEM, "cohort: out of memory writing the part");
    mn__jout j;
    mn__jout_init(&j);
    json_t *root = json_object();
    if (!root)
        return mn__error(ctx, MN_ENOMEM, "cohort: out of memory writing the part");
    mn__jput_str(&j, root, "format", MN__PART_FORMAT);
    mn__jput_int(&j, root, "format_version", MN__PART_FORMAT_VERSION);
    mn__jput_str(&j, root, "mneedle_version", part->version);
    mn__jput_str(&j, root, "run_id", id);
    mn__jput_int(&j, root, "shard", part->shard);
    mn__jput_int(&j, root, "shards", part->n_shards);
    mn__jput_int(&j, root, "n", part->n);
    mn__jput_int(&j, root, "seed", (long long)part->seed);
    mn__jput_int(&j, root, "first_patient", part->first);
    mn__jput_int(&j, root, "patients", part->count);
    mn__jput(&j, root, "trial", json_incref(part->trial));
    mn__jput(&j, root, "accumulators", accumulators(&j, &part->stats));
    if (part->has_csv)
        mn__jput(&j, root, "patients_csv",
                 json_stringn(part->csv.data ? part->csv.data : "", part->csv.len));
    if (j.status) {
        json_decref(root);
        return mn__error(ctx, j.status, "cohort: cannot build the part (%s)",
                         j.bad_key ? j.bad_key : "out of memory");
    }
    /* The trial's numbers are written with 17 digits, so they read back as the same doubles
     * (the part's identity compares them). */
    sink w = {write, userdata};
    int rc = json_dump_callback(root, emit, &w,
                                JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    json_decref(root);
    if (rc || write(userdata, "\n", 1))
        return mn__error(ctx, MN_EIO, "cohort: cannot write the part");
    return MN_OK;
}
