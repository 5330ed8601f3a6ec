/*
 * The clinic record at clinic scale (DESIGN §8: record <= 5 ms, replan <= 50 ms, recall over
 * 10,000 clients <= 1 s; the issue adds history <= 20 ms and the database's size).
 *
 * Set-up: N clients (default 10,000), each with a stored plan, 20 sessions and 10 scores, loaded
 * through the library's own calls (one transaction per client and kind, commits not synced one
 * by one while loading). Clients began on different days of one year (STAGGER_DAYS), and each
 * is replanned after their scores, as a clinic does at follow-up, so their maintenance is timed
 * from their own response and last visit: a recall finds some due and others not yet. Then,
 * with synchronous=FULL as in use:
 *   record   one session file (JSON, checked against the plan), committed and synced; then
 *            the same with commits not synced (synchronous=NORMAL), and the processor time
 *            of each (the work besides waiting for the disk, steadier than the wall clock
 *            when the machine is shared);
 *   peer     a bare SQLite INSERT and COMMIT with synchronous=FULL on the same file system, in
 *            the same process: the price of one synced commit, which record cannot beat;
 *   history  one client's timeline, read and written as JSON;
 *   replan   one client, including the commit of their maintenance date;
 *   recall   every client due by RECALL_BEFORE, over the whole database (how many are due is
 *            printed: a recall that finds nobody measures little).
 * Usage: bench_store [N] [DIR]   (DIR: where the database goes, default $TMPDIR or /tmp)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bench.h"
#include "mneedle/mneedle.h"

#define SESSIONS    20
#define ASSESSMENTS 10
#define REPEATS     200
/* The days the timed sessions spread over, from their first date. */
#define RECORD_DAYS 100
/* Client i's visits and scores start i % STAGGER_DAYS days after the first client's. */
#define STAGGER_DAYS 365
/* The recall's date: each client is due one replanned interval (90 to 365 days) after their
 * last visit (2022-03-14 to 2023-03-13 with the staggered starts); by this date most of them
 * are, but not all (10,000 clients: 6,219 due, 62 %; the 400 sessions recorded by the bench
 * in 2025 take those clients off the list). The bench prints how many. */
#define RECALL_BEFORE "2023-01-31"

typedef struct {
    char *data;
    size_t len, cap;
} text;

static int text_write(void *ud, const char *buf, size_t len)
{
    text *t = ud;
    if (t->len + len + 1 > t->cap) {
        t->cap = 2 * (t->len + len + 1);
        char *grown = realloc(t->data, t->cap);
        if (!grown)
            return 1;
        t->data = grown;
    }
    memcpy(t->data + t->len, buf, len);
    t->len += len;
    t->data[t->len] = '\0';
    return 0;
}

static int null_write(void *ud, const char *buf, size_t len)
{
    (void)ud;
    (void)buf;
    (void)len;
    return 0;
}

static void die(mn_ctx *ctx, const char *what, mn_status st)
{
    fprintf(stderr, "bench_store: %s: %s\n", what, st ? mn_ctx_errmsg(ctx) : "failed");
    exit(1);
}

/* Two zones the plan books for acne scars (the forehead, capped at 0.5 mm, is not booked for
 * them: a session there would be refused). */
static const char client_file[] =
    "{\"client\": {\"age\": 38, \"sex\": \"female\", \"fitzpatrick\": 2},"
    " \"concerns\": [{\"concern\": \"acne-scars\", \"zones\": [\"cheek\", \"chin\"],"
    " \"severity\": \"moderate\"}],"
    " \"history\": {},"
    " \"clinic\": {\"device\": \"dermapen-4\", \"price_per_session\": 300, \"currency\": \"EUR\","
    " \"start\": \"2020-01-06\"}}";

/* One session of client id on date, as a JSON object appended to t. */
static void session_json(text *t, const char *id, mn_date date)
{
    char d[16], buf[512];
    int n = snprintf(buf, sizeof buf,
                     "{\"client\": \"%s\", \"date\": \"%s\", \"device\": \"dermapen-4\","
                     " \"serial\": \"DP4-7\", \"cartridge_lot\": \"L1\", \"zones\": ["
                     "{\"zone\": \"cheek\", \"depth_mm\": 0.7, \"passes\": 3},"
                     " {\"zone\": \"chin\", \"depth_mm\": 0.2, \"passes\": 3}],"
                     " \"serum\": \"hyaluronic-acid\", \"adverse_events\": [\"none\"]}",
                     id, mn_date_format(date, d));
    text_write(t, buf, (size_t)n);
}

static double file_mib(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (double)sb.st_size / (1024.0 * 1024.0) : 0;
}

/* Records REPEATS single sessions of random clients, dated from first on, one file and
 * transaction each; returns the wall milliseconds per record and sets *cpu_ms to the processor
 * milliseconds per record. No client gets two sessions on one day (a session recorded twice is
 * refused): the draw is repeated for a client already recorded that day (n >= 2, so one is
 * always free: each of the RECORD_DAYS days comes back once in REPEATS). */
static double record_sessions(mn_ctx *ctx, mn_store *store, int n, const char *first,
                              double *cpu_ms)
{
    mn_date date;
    mn_date_parse(first, &date);
    double cpu0 = mn_bench_cpu(), t0 = mn_bench_now();
    int drawn[REPEATS];
    for (int k = 0; k < REPEATS; k++) {
        char id[32];
        int again;
        do {
            drawn[k] = rand() % n;
            again = 0;
            for (int j = k % RECORD_DAYS; j < k; j += RECORD_DAYS)
                again |= drawn[j] == drawn[k];
        } while (again);
        snprintf(id, sizeof id, "b-%05d", drawn[k]);
        text t = {0};
        session_json(&t, id, date + k % RECORD_DAYS);
        /* The dates are drawn, not the plan's: a client drawn twice within the minimum
         * interval is refused without an override (docs/records.md), so every record gives
         * one, and is checked and audited as an overridden session is. */
        mn_status st = mn_store_record_sessions(ctx, store, "bench", t.data, t.len,
                                                "bench: drawn dates", NULL);
        if (st)
            die(ctx, "record", st);
        free(t.data);
    }
    *cpu_ms = 1e3 * (mn_bench_cpu() - cpu0) / REPEATS;
    return 1e3 * (mn_bench_now() - t0) / REPEATS;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 10000;
    const char *tmp = argc > 2 ? argv[2] : getenv("TMPDIR");
    if (n < 2)
        n = 2;
    if (!tmp || !tmp[0])
        tmp = "/tmp";
    /* Records are of the past: "today" is fixed after every generated date. */
    setenv("SOURCE_DATE_EPOCH", "1767225600", 1); /* 2026-01-01 */
    char path[1024], peer_path[1024];
    snprintf(path, sizeof path, "%s/bench_store_%d.db", tmp, (int)getpid());
    snprintf(peer_path, sizeof peer_path, "%s/bench_store_peer_%d.db", tmp, (int)getpid());

    mn_ctx *ctx;
    mn_store *store;
    mn_status st;
    if ((st = mn_ctx_create(&ctx)))
        die(NULL, "context", st);
    if ((st = mn_store_open(ctx, path, MN_STORE_CREATE, 0, &store)))
        die(ctx, "open", st);
    mn_store_set_actor(store, "bench");

    /* One plan, made once, stored for every client (a plan is made in milliseconds; the bench
     * times the record, not the planner). */
    mn_client client;
    mn_plan_options popt;
    mn_plan_options_init(&popt);
    mn_plan *plan;
    text plan_json = {0};
    if ((st = mn_client_parse(ctx, "bench", client_file, strlen(client_file), &client)) ||
        (st = mn_plan_build(ctx, &client, &popt, &plan)) ||
        (st = mn_plan_write(ctx, plan, 1, text_write, &plan_json)))
        die(ctx, "plan", st);
    mn_plan_free(plan);

    mn_date start;
    mn_date_parse("2020-01-06", &start);
    double t0 = mn_bench_now();
    mn_store_set_durable(ctx, store, 0);
    for (int i = 0; i < n; i++) {
        char id[32], got[MN_STORE_ID_LEN];
        snprintf(id, sizeof id, "b-%05d", i);
        if ((st = mn_store_client_add(ctx, store, "bench", client_file, strlen(client_file), id,
                                      got)))
            die(ctx, "client add", st);
        if ((st = mn_store_plan_save(ctx, store, id, plan_json.data, plan_json.len, NULL)))
            die(ctx, "plan save", st);
        text t = {0};
        mn_date first = start + i % STAGGER_DAYS;
        text_write(&t, "[", 1);
        for (int k = 0; k < SESSIONS; k++) {
            if (k)
                text_write(&t, ",", 1);
            session_json(&t, id, first + 42 * k);
        }
        text_write(&t, "]", 1);
        if ((st = mn_store_record_sessions(ctx, store, "bench", t.data, t.len, NULL, NULL)))
            die(ctx, "sessions", st);
        t.len = 0;
        text_write(&t, "[", 1);
        for (int k = 0; k < ASSESSMENTS; k++) {
            char d[16], buf[256];
            int len = snprintf(buf, sizeof buf,
                               "%s{\"client\": \"%s\", \"date\": \"%s\", \"scale\": "
                               "\"goodman-baron-quantitative\", \"score\": %d, \"rater\": \"dr\"}",
                               k ? "," : "", id, mn_date_format(first - 1 + 84 * k, d),
                               40 - 2 * k - (i % 5));
            text_write(&t, buf, (size_t)len);
        }
        text_write(&t, "]", 1);
        if ((st = mn_store_record_assessments(ctx, store, "bench", t.data, t.len, NULL)))
            die(ctx, "assessments", st);
        free(t.data);
        mn_store_replan *r;
        if ((st = mn_store_replan_run(ctx, store, id, &r)))
            die(ctx, "replan", st);
        mn_store_replan_free(r);
        if ((i + 1) % 1000 == 0)
            fprintf(stderr, "  loaded %d clients (%.0f s)\n", i + 1, mn_bench_now() - t0);
    }
    mn_store_set_durable(ctx, store, 1);
    double load_s = mn_bench_now() - t0;
    sqlite3 *raw;
    sqlite3_open(path, &raw);
    sqlite3_exec(raw, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    sqlite3_close(raw);

    /* The peer: one synced commit of one small row. */
    sqlite3 *peer;
    sqlite3_open(peer_path, &peer);
    sqlite3_exec(peer,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                 " CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)",
                 NULL, NULL, NULL);
    t0 = mn_bench_now();
    for (int k = 0; k < REPEATS; k++)
        sqlite3_exec(peer, "BEGIN; INSERT INTO t(v) VALUES ('x'); COMMIT", NULL, NULL, NULL);
    double peer_ms = 1e3 * (mn_bench_now() - t0) / REPEATS;
    sqlite3_close(peer);

    /* record: one session, durable; then the same with commits not synced
     * (synchronous=NORMAL): what record costs besides the disk's flush (the checks, the audit
     * entries and row hashes, the writes to the log). */
    srand(7);
    double record_cpu_ms, unsynced_cpu_ms;
    double record_ms = record_sessions(ctx, store, n, "2025-06-01", &record_cpu_ms);
    mn_store_set_durable(ctx, store, 0);
    double unsynced_ms = record_sessions(ctx, store, n, "2025-09-09", &unsynced_cpu_ms);
    mn_store_set_durable(ctx, store, 1);

    /* history: read and write as JSON. */
    t0 = mn_bench_now();
    for (int k = 0; k < REPEATS; k++) {
        char id[32];
        snprintf(id, sizeof id, "b-%05d", rand() % n);
        mn_store_history *h;
        if ((st = mn_store_history_get(ctx, store, id, &h)) ||
            (st = mn_store_history_write(ctx, h, 1, null_write, NULL)))
            die(ctx, "history", st);
        mn_store_history_free(h);
    }
    double history_ms = 1e3 * (mn_bench_now() - t0) / REPEATS;

    /* replan. */
    t0 = mn_bench_now();
    int replans = REPEATS / 2;
    for (int k = 0; k < replans; k++) {
        char id[32];
        snprintf(id, sizeof id, "b-%05d", rand() % n);
        mn_store_replan *r;
        if ((st = mn_store_replan_run(ctx, store, id, &r)))
            die(ctx, "replan", st);
        mn_store_replan_free(r);
    }
    double replan_ms = 1e3 * (mn_bench_now() - t0) / replans;

    /* recall over everyone (the best of 3). */
    double recall_ms = 1e30;
    int due = 0;
    mn_date before;
    mn_date_parse(RECALL_BEFORE, &before);
    for (int k = 0; k < 3; k++) {
        t0 = mn_bench_now();
        mn_store_recall *list;
        if ((st = mn_store_recall_list(ctx, store, before, &list, &due)))
            die(ctx, "recall", st);
        mn_store_recall_free(list);
        double ms = 1e3 * (mn_bench_now() - t0);
        if (ms < recall_ms)
            recall_ms = ms;
    }

    char wal[1100];
    snprintf(wal, sizeof wal, "%s-wal", path);
    double db_mib = file_mib(path), wal_mib = file_mib(wal);
    printf("clinic record: %d clients x %d sessions x %d scores (loaded in %.0f s)\n", n, SESSIONS,
           ASSESSMENTS, load_s);
    printf("  synced commit (bare SQLite peer)  %8.2f ms\n", peer_ms);
    printf("  record one session                %8.2f ms  (%.1f x the peer; bar 5 ms; processor "
           "%.2f ms)\n",
           record_ms, record_ms / peer_ms, record_cpu_ms);
    printf("  record one session, not synced    %8.2f ms  (the work besides the flush; processor "
           "%.2f ms)\n",
           unsynced_ms, unsynced_cpu_ms);
    printf("  history of one client (JSON)      %8.2f ms  (bar 20 ms)\n", history_ms);
    printf("  replan one client                 %8.2f ms  (bar 50 ms)\n", replan_ms);
    printf("  recall over all clients           %8.2f ms  (%d due by %s, %.0f %% of the clients; "
           "bar 1000 ms)\n",
           recall_ms, due, RECALL_BEFORE, 100.0 * due / n);
    printf("  database size                     %8.1f MiB (+ %.1f MiB write-ahead log), %.1f KiB "
           "per client\n",
           db_mib, wal_mib, 1024 * (db_mib + wal_mib) / n);
    mn_store_close(store);
    mn_ctx_free(ctx);
    free(plan_json.data);
    unlink(path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
    unlink(peer_path);
    snprintf(wal, sizeof wal, "%s-wal", peer_path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", peer_path);
    unlink(wal);
    return 0;
}
