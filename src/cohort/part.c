/*
 * Shards of a cohort run and their merge. Shard K of N runs a slice of the patients (each
 * from its own rng stream, as in a single run) into the same exact accumulators a single run
 * fills (stats.c); a part keeps them with the trial's JSON and the run's identity (n, seed, N,
 * version). Merging adds the parts' accumulators (integer counts and fixed-point sums add
 * exactly, minima and maxima are order-free), so the merged result is the single run's, bit
 * for bit. Reading a part (mn_cohort_part_load) checks every field before it is used; the
 * writer is src/report/cohort_part_out.c. Format: docs/cluster.md.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "cohort/cohort_internal.h"
#include "cohort/csv_columns.h"
#include "core/consts.h"
#include "core/json_out.h"

int mn_cohort_shard_parse(const char *text, int *k, int *n)
{
    long v[2] = {0, 0};
    const char *s = text;
    if (!s)
        return 0;
    for (int i = 0; i < 2; i++) {
        if (*s < '0' || *s > '9')
            return 0;
        while (*s >= '0' && *s <= '9') {
            v[i] = v[i] * 10 + (*s++ - '0');
            if (v[i] > MN_COHORT_MAX_SHARDS)
                return 0;
        }
        if (*s != (i == 0 ? '/' : '\0'))
            return 0;
        s++;
    }
    if (v[0] < 1 || v[0] > v[1])
        return 0;
    *k = (int)v[0];
    *n = (int)v[1];
    return 1;
}

mn_status mn_cohort_shard_range(long n_patients, int k, int n_shards, long *first, long *count)
{
    if (n_patients < 0 || n_shards < 1 || n_shards > MN_COHORT_MAX_SHARDS || k < 1 ||
        k > n_shards || !first || !count)
        return MN_EINVAL;
    /* floor((k-1) n / N) without overflow: n <= 10^9 and N <= 10^6 fit in 64 bits. */
    long long lo = (long long)(k - 1) * n_patients / n_shards;
    long long hi = (long long)k * n_patients / n_shards;
    *first = (long)lo;
    *count = (long)(hi - lo);
    return MN_OK;
}

static mn_cohort_part *part_new(void)
{
    mn_cohort_part *p = mn__calloc(1, sizeof *p);
    if (p)
        mn__buf_init(&p->csv);
    return p;
}

void mn_cohort_part_free(mn_cohort_part *part)
{
    if (!part)
        return;
    if (part->trial)
        json_decref(part->trial);
    if (part->stats.counts)
        mn__cohort_stats_release(&part->stats);
    mn__buf_release(&part->csv);
    mn__free(part);
}

void mn_cohort_part_shard(const mn_cohort_part *part, int *k, int *n_shards, long *first,
                          long *count)
{
    if (!part)
        return;
    if (k)
        *k = part->shard;
    if (n_shards)
        *n_shards = part->n_shards;
    if (first)
        *first = part->first;
    if (count)
        *count = part->count;
}

mn_status mn_cohort_part_create(mn_ctx *ctx, const char *path, int k, int n_shards, int with_csv,
                                mn_cohort_trial *trial, mn_cohort_part **out)
{
    long first, count;
    if (!ctx || !path || !trial || !out)
        return mn__error(ctx, MN_EINVAL, "mn_cohort_part_create: NULL argument");
    *out = NULL;
    if (mn_cohort_shard_range(0, k, n_shards, &first, &count))
        return mn__error(ctx, MN_EINVAL, "shard %d/%d: expected K/N with 1 <= K <= N <= %d", k,
                         n_shards, MN_COHORT_MAX_SHARDS);
    json_t *root = NULL;
    mn_status st = mn__json_load(ctx, path, &root);
    if (st)
        return st;
    mn__jin in = {ctx, strcmp(path, "-") ? path : "<stdin>"};
    if ((st = mn__cohort_trial_from_json(&in, root, trial))) {
        json_decref(root);
        return st;
    }
    mn_cohort_part *p = part_new();
    if (!p) {
        json_decref(root);
        return mn__error(ctx, MN_ENOMEM, "cohort: out of memory for a part");
    }
    p->trial = root;
    snprintf(p->src, sizeof p->src, "shard %d/%d", k, n_shards);
    snprintf(p->version, sizeof p->version, "%s", mn_version());
    p->shard = k;
    p->n_shards = n_shards;
    p->has_csv = with_csv != 0;
    *out = p;
    return MN_OK;
}

mn_status mn_cohort_part_run(mn_ctx *ctx, mn_cohort_part *part, const mn_cohort_trial *trial,
                             const mn_cohort_options *opts, mn_cohort_result *info_out)
{
    mn__cohort_run_info info = {0, 1, 1};
    double t0 = omp_get_wtime();
    if (!part || !trial)
        return mn__error(ctx, MN_EINVAL, "mn_cohort_part_run: NULL part or trial");
    if (part->ran)
        return mn__error(ctx, MN_EINVAL, "%s: has already run", part->src);
    if (!trial->zone || !trial->concern || !trial->device || trial->n_endpoints < 1 ||
        trial->n_endpoints > MN_COHORT_MAX_ENDPOINTS)
        return mn__error(ctx, MN_EINVAL,
                         "mn_cohort_part_run: the trial is incomplete; fill it with "
                         "mn_cohort_part_create()");
    if (mn_cohort_shard_range(trial->population.n, part->shard, part->n_shards, &part->first,
                              &part->count))
        return mn__error(ctx, MN_EINVAL, "%s: population.n %ld is not valid", part->src,
                         trial->population.n);
    part->n = trial->population.n;
    part->seed = trial->seed;
    if (mn__cohort_stats_init(&part->stats, trial->n_endpoints))
        return mn__error(ctx, MN_ENOMEM, "cohort: out of memory for %d endpoints",
                         trial->n_endpoints);
    mn_status st = mn__cohort_engine_slice(ctx, trial, opts, &mn__cohort_healing_model, part->first,
                                           part->count, &part->stats, &info);
    /* A row the part could not keep stops the run through the caller's callback (MN_ESTOPPED):
     * the cause is the part's memory. */
    if ((!st || st == MN_ESTOPPED) && part->csv_error)
        st = mn__error(ctx, MN_ENOMEM, "%s: out of memory keeping the per-patient rows", part->src);
    if (st) {
        mn__cohort_stats_release(&part->stats);
        return st;
    }
    part->ran = 1;
    if (info_out) {
        memset(info_out, 0, sizeof *info_out);
        info_out->n = part->count;
        info_out->seed = part->seed;
        info_out->ranks = info.size;
        info_out->threads = info.threads;
        info_out->wall_s = omp_get_wtime() - t0;
    }
    return MN_OK;
}

int mn_cohort_part_csv_writer(void *userdata, const char *buf, size_t len)
{
    mn_cohort_part *p = userdata;
    if (!p || !p->has_csv || p->csv_error)
        return -1;
    mn__buf_append(&p->csv, buf, len);
    if (p->csv.failed) {
        p->csv_error = 1;
        return -1;
    }
    return 0;
}

/* FNV-1a, 64 bits: an identity, not a defence against forgery. */
static uint64_t fnv1a(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL; /* FNV-1a's 64-bit prime */
    }
    return h;
}

static int hash_cb(const char *buf, size_t len, void *data)
{
    uint64_t *h = data;
    *h = fnv1a(*h, buf, len);
    return 0;
}

mn_status mn__cohort_part_run_id(const mn_cohort_part *p, char out[17])
{
    char tail[160];
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a's offset basis */
    if (json_dump_callback(p->trial, hash_cb, &h,
                           JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17)))
        return MN_ENOMEM;
    int len = snprintf(tail, sizeof tail, "\n%ld\n%llu\n%d\n%s", p->n, (unsigned long long)p->seed,
                       p->n_shards, p->version);
    h = fnv1a(h, tail, (size_t)len);
    snprintf(out, 17, "%016llx", (unsigned long long)h);
    return MN_OK;
}

/* ---- reading a part ---- */

typedef struct {
    mn_ctx *ctx;
    const char *src;
} reader;

static mn_status bad(const reader *r, mn_status st, const char *path, const char *what)
{
    return mn__error(r->ctx, st, "%s: %s: %s", r->src, path, what);
}

/* A whole number in [lo, hi] held directly. */
static mn_status whole(const reader *r, json_t *v, const char *path, long long lo, long long hi,
                       long long *out)
{
    char msg[160];
    if (!json_is_integer(v)) {
        snprintf(msg, sizeof msg, "expected a whole number, got %s", mn__json_type_name(v));
        return bad(r, MN_ETYPE, path, msg);
    }
    long long x = json_integer_value(v);
    if (x < lo || x > hi) {
        snprintf(msg, sizeof msg, "%lld is outside %lld to %lld", x, lo, hi);
        return bad(r, MN_ERANGE, path, msg);
    }
    *out = x;
    return MN_OK;
}

static mn_status member(const reader *r, json_t *obj, const char *key, json_t **out)
{
    char path[96];
    snprintf(path, sizeof path, "$.%s", key);
    *out = json_object_get(obj, key);
    return *out ? MN_OK : bad(r, MN_EPARSE, path, "missing");
}

static mn_status whole_member(const reader *r, json_t *obj, const char *path, const char *key,
                              long long lo, long long hi, long long *out)
{
    char p[96];
    json_t *v = json_object_get(obj, key);
    snprintf(p, sizeof p, "%s.%s", path, key);
    if (!v)
        return bad(r, MN_EPARSE, p, "missing");
    return whole(r, v, p, lo, hi, out);
}

static mn_status array_member(const reader *r, json_t *obj, const char *path, const char *key,
                              size_t len, int any_len, json_t **out)
{
    char p[96], msg[96];
    snprintf(p, sizeof p, "%s.%s", path, key);
    *out = json_object_get(obj, key);
    if (!*out)
        return bad(r, MN_EPARSE, p, "missing");
    if (!json_is_array(*out))
        return bad(r, MN_ETYPE, p, "expected an array");
    if (!any_len && json_array_size(*out) != len) {
        snprintf(msg, sizeof msg, "expected %zu entries, got %zu", len, json_array_size(*out));
        return bad(r, MN_ERANGE, p, msg);
    }
    return MN_OK;
}

/* Exact doubles are written as C99 hex floats ("%a"); "inf" and "-inf" for an empty slice. */
static mn_status hex_double(const reader *r, json_t *v, const char *path, double *out)
{
    const char *s = json_string_value(v);
    char *end;
    if (!s)
        return bad(r, MN_ETYPE, path, "expected a number as a hex-float string (\"0x1.8p+3\")");
    errno = 0;
    *out = strtod(s, &end);
    if (!*s || *end || errno || isnan(*out))
        return bad(r, MN_EPARSE, path, "expected a hex-float string (\"0x1.8p+3\")");
    return MN_OK;
}

static mn_status read_stats(const reader *r, json_t *acc, mn_cohort_part *p)
{
    const char *at = "$.accumulators";
    long long ne, counted;
    mn_status st;
    json_t *counts, *sums, *mins, *maxs;
    char path[128];
    if (!json_is_object(acc))
        return bad(r, MN_ETYPE, at, "expected an object");
    if ((st = whole_member(r, acc, at, "endpoints", 1, MN_COHORT_MAX_ENDPOINTS, &ne)) ||
        (st = whole_member(r, acc, at, "patients", p->count, p->count, &counted)))
        return st;
    if (mn__cohort_stats_init(&p->stats, (int)ne))
        return mn__error(r->ctx, MN_ENOMEM, "%s: out of memory", r->src);
    mn__cohort_stats *s = &p->stats;
    s->n = (uint64_t)counted;
    if ((st = array_member(r, acc, at, "counts", 0, 1, &counts)) ||
        (st = array_member(r, acc, at, "sums", s->n_sums, 0, &sums)) ||
        (st = array_member(r, acc, at, "min", s->n_extrema, 0, &mins)) ||
        (st = array_member(r, acc, at, "max", s->n_extrema, 0, &maxs)))
        return st;
    /* counts: [index, count, index, count, ...], indices rising, counts positive */
    size_t nc = json_array_size(counts);
    if (nc % 2)
        return bad(r, MN_ERANGE, "$.accumulators.counts", "expected index, count pairs");
    long long prev = -1;
    for (size_t i = 0; i < nc; i += 2) {
        long long idx, c;
        snprintf(path, sizeof path, "$.accumulators.counts[%zu]", i);
        if ((st = whole(r, json_array_get(counts, i), path, prev + 1, (long long)s->n_counts - 1,
                        &idx)))
            return st;
        snprintf(path, sizeof path, "$.accumulators.counts[%zu]", i + 1);
        if ((st = whole(r, json_array_get(counts, i + 1), path, 1, counted, &c)))
            return st;
        s->counts[idx] = (uint64_t)c;
        prev = idx;
    }
    for (size_t i = 0; i < s->n_sums; i++) {
        json_t *pair = json_array_get(sums, i);
        long long hi, lo;
        snprintf(path, sizeof path, "$.accumulators.sums[%zu]", i);
        if (!json_is_array(pair) || json_array_size(pair) != 2)
            return bad(r, MN_ETYPE, path, "expected [high, low] (two whole numbers)");
        snprintf(path, sizeof path, "$.accumulators.sums[%zu][0]", i);
        if ((st = whole(r, json_array_get(pair, 0), path, LLONG_MIN, LLONG_MAX, &hi)))
            return st;
        snprintf(path, sizeof path, "$.accumulators.sums[%zu][1]", i);
        if ((st = whole(r, json_array_get(pair, 1), path, 0, ((long long)1 << 40) - 1, &lo)))
            return st;
        s->sums[i].hi = hi;
        s->sums[i].lo = lo;
    }
    for (size_t i = 0; i < s->n_extrema; i++) {
        /* the observed patients' extrema are empty (infinite) in a slice where none is left */
        int e = (int)(i / MN__Q_COUNT), q = (int)(i % MN__Q_COUNT);
        const uint64_t *tail = s->counts + s->per_endpoint * (size_t)(e + 1) - MN__C_COUNT;
        uint64_t held = mn__cohort_q_completers(q) ? tail[MN__C_OBSERVED] : (uint64_t)counted;
        snprintf(path, sizeof path, "$.accumulators.min[%zu]", i);
        if ((st = hex_double(r, json_array_get(mins, i), path, &s->mins[i])))
            return st;
        snprintf(path, sizeof path, "$.accumulators.max[%zu]", i);
        if ((st = hex_double(r, json_array_get(maxs, i), path, &s->maxs[i])))
            return st;
        if (held > 0 &&
            !(s->mins[i] <= s->maxs[i] && mn__finite(s->mins[i]) && mn__finite(s->maxs[i])))
            return bad(r, MN_ERANGE, path, "min and max are not a finite range");
    }
    /* Every histogram and the demographic groups count each patient of the slice once. */
    for (int e = 0; e < s->n_endpoints; e++)
        for (int q = 0; q < MN__Q_COUNT; q++) {
            const uint64_t *h = s->counts + s->per_endpoint * (size_t)e + s->hist_offset[q];
            uint64_t total = 0;
            for (size_t b = 0; b < s->shape[q].n_bins + 2; b++)
                total += h[b];
            const uint64_t *tail = s->counts + s->per_endpoint * (size_t)(e + 1) - MN__C_COUNT;
            if (mn__cohort_q_completers(q)
                    ? tail[MN__C_OBSERVED] > s->n || total != tail[MN__C_OBSERVED]
                    : total != s->n)
                return bad(r, MN_ERANGE, "$.accumulators.counts",
                           "a histogram does not hold every patient of the slice");
        }
    const uint64_t *demo = s->counts + s->per_endpoint * (size_t)s->n_endpoints;
    uint64_t fitz = 0, sun = 0;
    for (int i = 0; i < 6; i++)
        fitz += demo[MN__D_FITZ + i];
    for (int i = 0; i < 3; i++)
        sun += demo[MN__D_SUN + i];
    if (fitz != s->n || sun != s->n)
        return bad(r, MN_ERANGE, "$.accumulators.counts",
                   "the phototype or sun groups do not hold every patient of the slice");
    return MN_OK;
}

/* The bytes of a refused cell an error shows: enough to recognise it, short of a long line. */
#define MN__CSV_CELL_SHOWN 40

/* 1 when @p cell (@p len bytes) is a finite number as printf writes one: an optional minus,
 * digits and a point, an optional exponent; nothing else (no space, no sign but a minus first,
 * no inf or nan), so that no spreadsheet reads a formula in it. */
static int number_cell(const char *cell, size_t len)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf || !(cell[0] == '-' || (cell[0] >= '0' && cell[0] <= '9')))
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!strchr("0123456789.-+eE", cell[i]))
            return 0;
    memcpy(buf, cell, len);
    buf[len] = '\0';
    char *end;
    double v = strtod(buf, &end);
    return end == buf + len && isfinite(v);
}

static int name_cell(const char *cell, size_t len, const char *name)
{
    return strlen(name) == len && !memcmp(cell, name, len);
}

/* Every row of a part's patients_csv, as mn_cohort_csv_row writes them: a row per line, each
 * ending in a newline, with the columns of csv_columns.h (no header: merge writes it), each
 * cell what its column holds. A part changed by hand is refused here, before any output. */
static mn_status check_csv(const reader *r, const char *text, size_t size)
{
    const char *row = text, *end = text + size;
    for (long n = 1; row < end; n++) {
        const char *eol = memchr(row, '\n', (size_t)(end - row));
        char where[64];
        if (!eol) {
            snprintf(where, sizeof where, "$.patients_csv, row %ld", n);
            return bad(r, MN_EPARSE, where, "expected the row to end with a newline");
        }
        const char *cell = row;
        for (int c = 0; c < MN__COHORT_CSV_COLUMNS; c++) {
            const mn__csv_column *col = &mn__cohort_csv_columns[c];
            const char *stop = cell;
            while (stop < eol && *stop != ',')
                stop++;
            size_t len = (size_t)(stop - cell);
            int last = c + 1 == MN__COHORT_CSV_COLUMNS;
            if ((stop == eol) != last) {
                int got = 1;
                for (const char *q = row; q < eol; q++)
                    got += *q == ',';
                snprintf(where, sizeof where, "$.patients_csv, row %ld", n);
                return mn__error(r->ctx, MN_EPARSE,
                                 "%s: %s: expected %d comma-separated columns, as 'mneedle "
                                 "cohort --csv' writes them, got %d",
                                 r->src, where, MN__COHORT_CSV_COLUMNS, got);
            }
            int ok = 0;
            const char *expected = "";
            switch (col->cell) {
            case MN__CSV_NUMBER_OR_EMPTY:
                ok = len == 0 || number_cell(cell, len);
                expected = "a finite number or nothing";
                break;
            case MN__CSV_NUMBER:
                ok = number_cell(cell, len);
                expected = "a finite number";
                break;
            case MN__CSV_SEX:
                ok = name_cell(cell, len, mn_sex_name(MN_SEX_FEMALE)) ||
                     name_cell(cell, len, mn_sex_name(MN_SEX_MALE));
                expected = "female or male";
                break;
            case MN__CSV_SUN:
                ok = name_cell(cell, len, mn_sun_name(MN_SUN_LOW)) ||
                     name_cell(cell, len, mn_sun_name(MN_SUN_MODERATE)) ||
                     name_cell(cell, len, mn_sun_name(MN_SUN_HIGH));
                expected = "low, moderate or high";
                break;
            }
            if (!ok) {
                size_t shown = len; /* a long cell is shown cut, after a whole character */
                if (shown > MN__CSV_CELL_SHOWN) {
                    shown = MN__CSV_CELL_SHOWN;
                    while (shown > 0 && ((unsigned char)cell[shown] & 0xC0) == 0x80)
                        shown--;
                }
                return mn__error(r->ctx, MN_EPARSE,
                                 "%s: $.patients_csv, row %ld, column %d (%s): expected %s, got "
                                 "\"%.*s%s\"",
                                 r->src, n, c + 1, col->name, expected, (int)shown, cell,
                                 shown < len ? "..." : "");
            }
            cell = stop + 1;
        }
        row = eol + 1;
    }
    return MN_OK;
}

static mn_status read_part(const reader *r, json_t *root, mn_cohort_part *p)
{
    json_t *v;
    long long x;
    mn_status st;
    const char *s;
    v = json_object_get(root, "format");
    if (!json_is_string(v) || strcmp(json_string_value(v), MN__PART_FORMAT))
        return bad(r, MN_EPARSE, "$.format",
                   "expected \"" MN__PART_FORMAT "\": this is not a part written by 'mneedle "
                   "cohort --shard'");
    if ((st = whole_member(r, root, "$", "format_version", 1, MN__PART_FORMAT_VERSION, &x)))
        return st;
    if (x < MN__PART_FORMAT_VERSION)
        return bad(r, MN_ERANGE, "$.format_version",
                   "an older version, written by an mneedle whose parts lack the completers' "
                   "untreated arm and difference (version 4), the completers' PIH and "
                   "maintenance counts (version 3), the untreated arm and dropout (version 2) "
                   "or whose patients all took the library's default constants (version 1); "
                   "run the shard again with this version");
    if ((st = member(r, root, "mneedle_version", &v)))
        return st;
    if (!(s = json_string_value(v)) || strlen(s) >= sizeof p->version)
        return bad(r, MN_ETYPE, "$.mneedle_version", "expected a version string");
    snprintf(p->version, sizeof p->version, "%s", s);
    if ((st = whole_member(r, root, "$", "shards", 1, MN_COHORT_MAX_SHARDS, &x)))
        return st;
    p->n_shards = (int)x;
    if ((st = whole_member(r, root, "$", "shard", 1, p->n_shards, &x)))
        return st;
    p->shard = (int)x;
    if ((st = whole_member(r, root, "$", "n", 1, MN_COHORT_MAX_N, &x)))
        return st;
    p->n = (long)x;
    if ((st = whole_member(r, root, "$", "seed", 0, (long long)MN__JSON_WHOLE_MAX, &x)))
        return st;
    p->seed = (uint64_t)x;
    long first, count;
    mn_cohort_shard_range(p->n, p->shard, p->n_shards, &first, &count);
    if ((st = whole_member(r, root, "$", "first_patient", first, first, &x)) ||
        (st = whole_member(r, root, "$", "patients", count, count, &x)))
        return st;
    p->first = first;
    p->count = count;
    if ((st = member(r, root, "trial", &v)))
        return st;
    if (!json_is_object(v))
        return bad(r, MN_ETYPE, "$.trial", "expected the TRIAL file's object");
    p->trial = json_incref(v);
    if ((st = member(r, root, "accumulators", &v)) || (st = read_stats(r, v, p)))
        return st;
    json_t *csv = json_object_get(root, "patients_csv");
    if (csv) {
        if (!json_is_string(csv))
            return bad(r, MN_ETYPE, "$.patients_csv", "expected a string of CSV rows");
        if ((st = check_csv(r, json_string_value(csv), json_string_length(csv))))
            return st;
        p->has_csv = 1;
        mn__buf_append(&p->csv, json_string_value(csv), json_string_length(csv));
        if (p->csv.failed)
            return mn__error(r->ctx, MN_ENOMEM, "%s: out of memory", r->src);
    }
    char id[17];
    if ((st = member(r, root, "run_id", &v)))
        return st;
    if (mn__cohort_part_run_id(p, id))
        return mn__error(r->ctx, MN_ENOMEM, "%s: out of memory", r->src);
    if (!json_is_string(v) || strcmp(json_string_value(v), id))
        return bad(r, MN_ERANGE, "$.run_id",
                   "does not match the part's trial, n, seed, shards and version (the file was "
                   "changed after it was written)");
    p->ran = 1;
    return MN_OK;
}

mn_status mn_cohort_part_load(mn_ctx *ctx, const char *path, mn_cohort_part **out)
{
    json_error_t err;
    if (!ctx || !path || !out)
        return mn__error(ctx, MN_EINVAL, "mn_cohort_part_load: NULL argument");
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return mn__error(ctx, MN_EINVAL, "%s: cannot open: %s", path, strerror(errno));
    json_t *root = json_loadf(fp, JSON_REJECT_DUPLICATES, &err);
    fclose(fp);
    if (!root) {
        if (json_error_code(&err) == json_error_out_of_memory)
            return mn__error(ctx, MN_ENOMEM, "%s: out of memory while parsing", path);
        return mn__error(ctx, MN_EPARSE, "%s:%d:%d: malformed JSON: %s", path, err.line, err.column,
                         err.text);
    }
    reader r = {ctx, path};
    mn_status st;
    mn_cohort_part *p = part_new();
    if (!p)
        st = mn__error(ctx, MN_ENOMEM, "%s: out of memory", path);
    else if (!json_is_object(root))
        st = bad(&r, MN_ETYPE, "$", "expected a JSON object");
    else
        st = read_part(&r, root, p);
    json_decref(root);
    if (st) {
        mn_cohort_part_free(p);
        return st;
    }
    snprintf(p->src, sizeof p->src, "%s", path);
    *out = p;
    return MN_OK;
}

/* ---- merging ---- */

static int by_shard(const void *a, const void *b)
{
    const mn_cohort_part *x = *(const mn_cohort_part *const *)a;
    const mn_cohort_part *y = *(const mn_cohort_part *const *)b;
    return (x->shard > y->shard) - (x->shard < y->shard);
}

/* Checks that the parts are the N shards of one run; returns them sorted by shard in *sorted
 * (the caller frees it). */
static mn_status check_parts(mn_ctx *ctx, mn_cohort_part *const *parts, int n_parts,
                             mn_cohort_part ***sorted)
{
    *sorted = NULL;
    if (!parts || n_parts < 1)
        return mn__error(ctx, MN_EINVAL, "merge: no parts");
    for (int i = 0; i < n_parts; i++)
        if (!parts[i] || !parts[i]->ran)
            return mn__error(ctx, MN_EINVAL, "merge: part %d is NULL or has not run", i + 1);
    const mn_cohort_part *a = parts[0];
    for (int i = 1; i < n_parts; i++) {
        const mn_cohort_part *b = parts[i];
        if (strcmp(a->version, b->version))
            return mn__error(ctx, MN_EINVAL,
                             "merge: %s was made by mneedle %s and %s by mneedle %s; rerun the "
                             "shards with one version",
                             b->src, b->version, a->src, a->version);
        if (!json_equal(a->trial, b->trial))
            return mn__error(ctx, MN_EINVAL,
                             "merge: %s and %s are shards of different trials (their TRIAL "
                             "files differ)",
                             b->src, a->src);
        if (a->n != b->n)
            return mn__error(ctx, MN_EINVAL,
                             "merge: %s and %s are shards of different runs: n %ld and %ld", b->src,
                             a->src, b->n, a->n);
        if (a->seed != b->seed)
            return mn__error(
                ctx, MN_EINVAL, "merge: %s and %s are shards of different runs: seed %llu and %llu",
                b->src, a->src, (unsigned long long)b->seed, (unsigned long long)a->seed);
        if (a->n_shards != b->n_shards)
            return mn__error(ctx, MN_EINVAL,
                             "merge: %s and %s are shards of different runs: split into %d and "
                             "%d shards",
                             b->src, a->src, b->n_shards, a->n_shards);
    }
    mn_cohort_part **s = mn__malloc((size_t)n_parts * sizeof *s);
    if (!s)
        return mn__error(ctx, MN_ENOMEM, "merge: out of memory");
    memcpy(s, parts, (size_t)n_parts * sizeof *s);
    qsort(s, (size_t)n_parts, sizeof *s, by_shard);
    for (int i = 1; i < n_parts; i++)
        if (s[i]->shard == s[i - 1]->shard) {
            mn_status st = mn__error(ctx, MN_EINVAL, "merge: %s and %s are both shard %d/%d",
                                     s[i - 1]->src, s[i]->src, s[i]->shard, s[i]->n_shards);
            mn__free(s);
            return st;
        }
    if (n_parts != a->n_shards) {
        /* the first shard number missing */
        int missing = 1;
        for (int i = 0; i < n_parts && s[i]->shard == missing; i++)
            missing++;
        mn_status st =
            mn__error(ctx, MN_EINVAL, "merge: shard %d/%d is missing (%d of %d parts given)",
                      missing, a->n_shards, n_parts, a->n_shards);
        mn__free(s);
        return st;
    }
    *sorted = s;
    return MN_OK;
}

mn_status mn_cohort_merge(mn_ctx *ctx, mn_cohort_part *const *parts, int n_parts,
                          mn_cohort_trial *trial, mn_cohort_result *out)
{
    mn_cohort_part **s;
    mn__cohort_stats total;
    if (!ctx || !trial || !out)
        return mn__error(ctx, MN_EINVAL, "mn_cohort_merge: NULL argument");
    mn_status st = check_parts(ctx, parts, n_parts, &s);
    if (st)
        return st;
    char src[300];
    snprintf(src, sizeof src, "%s: $.trial", s[0]->src);
    mn__jin in = {ctx, src};
    if ((st = mn__cohort_trial_from_json(&in, s[0]->trial, trial)))
        goto done;
    trial->population.n = s[0]->n;
    trial->seed = s[0]->seed;
    for (int i = 0; i < n_parts; i++)
        if (s[i]->stats.n_endpoints != trial->n_endpoints) {
            st = mn__error(ctx, MN_EINVAL, "merge: %s holds %d endpoints, its trial has %d",
                           s[i]->src, s[i]->stats.n_endpoints, trial->n_endpoints);
            goto done;
        }
    if (mn__cohort_stats_init(&total, trial->n_endpoints)) {
        st = mn__error(ctx, MN_ENOMEM, "merge: out of memory");
        goto done;
    }
    for (int i = 0; i < n_parts; i++) {
        const mn__cohort_stats *p = &s[i]->stats;
        for (size_t k = 0; k < total.n_counts; k++)
            total.counts[k] += p->counts[k];
        for (size_t k = 0; k < total.n_sums; k++)
            mn__xsum_merge(&total.sums[k], &p->sums[k]);
        for (size_t k = 0; k < total.n_extrema; k++) {
            if (p->mins[k] < total.mins[k])
                total.mins[k] = p->mins[k];
            if (p->maxs[k] > total.maxs[k])
                total.maxs[k] = p->maxs[k];
        }
        total.n += p->n;
    }
    for (size_t k = 0; k < total.n_sums; k++)
        mn__xsum_canonical(&total.sums[k]);
    memset(out, 0, sizeof *out);
    if (total.n != (uint64_t)trial->population.n)
        st = mn__error(ctx, MN_EINVAL, "merge: the parts hold %llu patients, the run %ld",
                       (unsigned long long)total.n, trial->population.n);
    else {
        mn__cohort_stats_finish(&total, trial, out);
        out->ranks = 1;
        out->threads = 1;
        st = mn__cohort_check_means(ctx, out);
    }
    mn__cohort_stats_release(&total);
done:
    mn__free(s);
    return st;
}

mn_status mn_cohort_merge_csv(mn_ctx *ctx, mn_cohort_part *const *parts, int n_parts,
                              mn_writer write, void *userdata)
{
    mn_cohort_part **s;
    if (!write)
        return mn__error(ctx, MN_EINVAL, "mn_cohort_merge_csv: NULL writer");
    mn_status st = check_parts(ctx, parts, n_parts, &s);
    if (st)
        return st;
    for (int i = 0; i < n_parts && !st; i++)
        if (!s[i]->has_csv)
            st = mn__error(ctx, MN_EINVAL,
                           "merge: %s carries no per-patient rows; run the shards with "
                           "--patients to merge them into --csv",
                           s[i]->src);
    for (int i = 0; i < n_parts && !st; i++)
        if (s[i]->csv.len)
            st = mn__write_str(ctx, write, userdata, s[i]->csv.data, s[i]->csv.len);
    mn__free(s);
    return st;
}
