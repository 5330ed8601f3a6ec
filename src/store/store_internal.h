/* The store's layout and helpers shared by the files of src/store/ (private to the store). */
#ifndef MN_STORE_INTERNAL_H
#define MN_STORE_INTERNAL_H

#include <jansson.h>
#include <sqlite3.h>

#include "core/internal.h"
#include "data/catalog_internal.h"
#include "mneedle/store.h"

/* Milliseconds a writer waits for another's transaction before giving up (SQLite's busy
 * handler). A record commit takes milliseconds; 30 s covers a backup or a migration of a
 * large file running in another process. */
#define MN__STORE_BUSY_MS 30000

/* Bytes of the per-client key of the audit's row hashes (HMAC-SHA-256 keys are 32 bytes). */
#define MN__STORE_SALT_BYTES 32

/* Prepared statements kept for reuse per handle: a record command runs the same dozen
 * statements for each row and audit entry, and compiling SQL cost as much as the rest of the
 * work together (bench/bench_store). Enough for every statement of one command. */
#define MN__STORE_CACHED 48

typedef struct {
    char *sql;       /* the statement's text (mn__malloc) */
    sqlite3_stmt *q; /* prepared once, reset after each use */
    int busy;        /* handed out and not yet given back with mn__store_done */
} mn__store_cached;

/* The hash an unknown user name is checked against (users.c). */
extern const char mn__store_dummy_pwhash[];

struct mn_store {
    sqlite3 *db;
    mn__store_cached cache[MN__STORE_CACHED];
    int n_cached;
    char path[1024];
    char actor[64];
    mn_store_words words; /* mn_store_set_words(): the command's (default) or the web's */
    int schema_version;
    int readonly;
    int in_tx;
    long pwhash_runs; /* Argon2id runs (hash or verify) of mn_store_user_verify here: its test */
};

/* Runs SQL without results; on failure records "FILE: what: sqlite's message" and returns
 * MN_EIO. */
mn_status mn__store_exec(mn_ctx *ctx, mn_store *s, const char *sql);
/* Prepares a statement; MN_EIO with the message on failure. Finalize it, or give it back with
 * mn__store_done (which finalizes it). */
mn_status mn__store_prepare(mn_ctx *ctx, mn_store *s, const char *sql, sqlite3_stmt **out);
/* As mn__store_prepare for the statements every record runs (its inserts, the audit entry's,
 * the client and plan look-ups): hands out the handle's prepared copy of the same text when
 * it is not in use. Must be given back with mn__store_done, never finalized. */
mn_status mn__store_prepare_kept(mn_ctx *ctx, mn_store *s, const char *sql, sqlite3_stmt **out);
/* Gives back a statement from mn__store_prepare(_kept): a kept one is reset (bindings cleared) for
 * its next use, any other finalized. NULL is ignored. */
void mn__store_done(mn_store *s, sqlite3_stmt *q);
/* Column i of a result row as text into out ("" for NULL), cut to size bytes. */
void mn__store_col_text(sqlite3_stmt *q, int i, char *out, size_t size);
/* Column i as a date; *has (when not NULL) says whether it held one (0 is returned if not). */
mn_date mn__store_col_date(sqlite3_stmt *q, int i, int *has);
/* Finalizes every kept statement (before closing the connection). */
void mn__store_forget(mn_store *s);
/* Records a database failure on the context (the file, what was being done, SQLite's text). */
mn_status mn__store_fail(mn_ctx *ctx, mn_store *s, const char *what);

/* One write transaction (BEGIN IMMEDIATE, so two writers queue on the busy timeout instead of
 * deadlocking on an upgrade). end commits when st is MN_OK and rolls back otherwise, and
 * returns the status of the whole. */
mn_status mn__store_begin(mn_ctx *ctx, mn_store *s);
mn_status mn__store_end(mn_ctx *ctx, mn_store *s, mn_status st);

/*
 * The audit log. Appends an entry for a change to row @p rowid of @p table (one of the
 * record tables), hashing the row's current content (none after a delete) with its client's
 * key and chaining the entry to the last one. @p action: "insert", "update", "delete",
 * "erase", "override". @p detail: what changed in words that carry no personal data (column
 * names, an override's reason), or NULL. Must run inside a transaction.
 */
mn_status mn__store_audit(mn_ctx *ctx, mn_store *s, const char *action, const char *table,
                          sqlite3_int64 rowid, const char *detail);

/* Hex SHA-256 of the catalogues the context loaded under hash definition @p version
 * (mn__catalog_hash_covers: each file it covers, its JSON with keys sorted, compact, in
 * catalogue order, then a NUL): names the data a plan was made with. out: 65 bytes. */
void mn__store_catalogue_hash(const mn_ctx *ctx, int version, char out[65]);

/* The catalogue hash as a plan stores it (plans.catalogue_hash): definition 1 as its bare 64
 * hex digits (as plans were stored before there were definitions), a later one as "v", its
 * number, ':' and the digits, so a stored value says which definition made it. */
#define MN__STORE_CATALOGUE_STAMP_LEN 80
void mn__store_catalogue_stamp(const mn_ctx *ctx, char out[MN__STORE_CATALOGUE_STAMP_LEN]);
/* Reads a stored catalogue hash: its definition's number, and its digits into hex (65 bytes);
 * 0 (hex empty) when it is in no form this mneedle knows. */
int mn__store_catalogue_stamp_read(const char *stored, char hex[65]);

/* The hash of a planning input a plan records (plans.input_hash; docs/records.md, "The
 * planning input of a plan"): hex SHA-256 of @p client_json (a stored clients.client_json) in
 * canonical form: parsed, a number with no fraction written as an integer (a form gives 300
 * where a file said 300.0), keys sorted, compact. 1 and out (65 bytes) filled; 0 (out empty)
 * when the text is not JSON or memory runs out. */
int mn__store_input_hash(const char *client_json, char out[65]);

/* The client's latest plan against the planning input it was made from: its id (0: none), the
 * day it was saved, and stale: 1 when the client's current planning input is another (the
 * record was edited after the plan was saved), 0 when the same (or no plan), -1 when not known
 * (a plan stored before plans kept the hash). */
typedef struct {
    sqlite3_int64 plan;
    char created[16];
    int stale;
} mn__store_plan_input;
mn_status mn__store_plan_input_get(mn_ctx *ctx, mn_store *s, sqlite3_int64 client,
                                   mn__store_plan_input *out);

/* mn_store_client_screen() on a screening day @p day: the questionnaire's validity (rules.json's
 * history_older_months rule, MN-HISTORY-OLD) counts to it, from history.date when the record
 * gives one, else from @p asked (plan counts undated answers as given the day it is
 * prepared: the day the latest plan was saved). */
mn_status mn__store_client_screen_on(mn_ctx *ctx, mn_store *store, const char *id, mn_date day,
                                     mn_date asked, mn_store_screening *out);

/* Writes @p n bytes as lower-case hex into out (2n+1 bytes). */
void mn__hex(const unsigned char *in, size_t n, char *out);

/* Today (or SOURCE_DATE_EPOCH's day), as the plan dates itself. */
mn_status mn__store_today(mn_ctx *ctx, mn_date *out);
/* 1 when id is well formed (a letter, then letters, digits and '-'). */
int mn__store_id_ok(const char *id);
/* The client's row number; MN_ENOTFOUND naming the id. */
mn_status mn__store_client_num(mn_ctx *ctx, mn_store *s, const char *id, sqlite3_int64 *num);
/* Steps a prepared change to completion and finalizes it; a UNIQUE clash is MN_EINVAL. */
mn_status mn__store_run(mn_ctx *ctx, mn_store *s, sqlite3_stmt *q, const char *what);
/* Sets a client's maintenance date (YYYY-MM-DD, NULL for none) and its reason (NULL for none),
 * with its audit entry. Inside a transaction. */
mn_status mn__store_set_maintenance(mn_ctx *ctx, mn_store *s, sqlite3_int64 num, const char *due,
                                    const char *reason);
/* The maintenance date a client is due now, one rule for recall, the client summary and the
 * history: the stored date (the saved plan's or the replan's) until a session falls on or after
 * it; then that visit plus the stored interval (the stored date less the last session before
 * it), since a maintenance done resets the clock. A visit with no session before the stored
 * date gives no interval and no date. Begins a statement ("WITH ..."); the statement then
 * reads mn_due: num, id, due, why (the reason), last (last session), visit, iv (days). */
#define MN__STORE_DUE_CTE                                                                          \
    "WITH mn_due_r AS (SELECT c.num AS num, c.id AS id, c.maintenance_due AS due0,"                \
    "  c.maintenance_reason AS why0,"                                                              \
    "  (SELECT max(date) FROM sessions s WHERE s.client = c.num) AS last,"                         \
    "  (SELECT max(date) FROM sessions s WHERE s.client = c.num"                                   \
    "   AND s.date < c.maintenance_due) AS anchor,"                                                \
    "  (SELECT max(date) FROM sessions s WHERE s.client = c.num"                                   \
    "   AND s.date >= c.maintenance_due) AS visit"                                                 \
    "  FROM clients c WHERE c.maintenance_due IS NOT NULL),"                                       \
    " mn_due_iv AS (SELECT *, CAST(round(julianday(due0) - julianday(anchor)) AS INTEGER) AS iv"   \
    "  FROM mn_due_r WHERE visit IS NULL OR anchor IS NOT NULL),"                                  \
    " mn_due AS (SELECT num, id, last, visit, iv,"                                                 \
    "  CASE WHEN visit IS NULL THEN due0 ELSE date(visit, '+' || iv || ' days') END AS due,"       \
    "  CASE WHEN visit IS NULL THEN why0 ELSE substr(coalesce(why0, ''), 1, 150) ||"               \
    "   '; maintenance done ' || visit || ', due again the same ' || iv || ' days after it'"       \
    "   END AS why FROM mn_due_iv) "
/* Whether an open adverse event holds the client's visits (docs/records.md, "Holds"): one
 * graded severe, or one of a kind the catalogue marks "holds": "any-severity" (an infection,
 * a cold sore, the persistent kinds), whatever its grade. */
int mn__store_event_holds(mn_ctx *ctx, const char *event, const char *severity);
/* Why an open event holds, for a message (@p what: "infection since 2027-02-01"): "a severe
 * adverse event is open: ..." or "an open <kind> holds visits whatever its grade: ...". */
void mn__store_hold_reason(mn_ctx *ctx, const char *event, const char *severity, const char *what,
                           char *out, size_t size);
/* The client's earliest adverse event that holds (mn__store_event_holds) open on @p on
 * (YYYY-MM-DD: begun on or before it, not resolved by it) or, with @p on NULL, open now (no
 * resolved date); an event recorded again with a resolved date (the same event and date it
 * began) is resolved then: *found 1 and why it holds in @p why (mn__store_hold_reason), else
 * *found 0. @p why names a kind in the store's words (its id for the commands, whose JSON keeps
 * it); @p why_text (may be NULL) by its name, for a text a clinician reads. */
mn_status mn__store_open_holding(mn_ctx *ctx, mn_store *s, sqlite3_int64 client, const char *on,
                                 int *found, char *why, size_t size, char *why_text,
                                 size_t text_size);
/* Whether the client is on hold, besides a plan made from an earlier record (docs/records.md,
 * "Holds"), on @p seen: the one rule recall, history (the export) and its callers share. The
 * current record screened on @p seen (answers dated from @p asked when undated:
 * mn__store_client_screen_on) defers or declines on something besides the questionnaire's age
 * (answers are renewed when the client is called in): MN__HOLD_SCREENING; else an adverse
 * event that holds is open (mn__store_open_holding): MN__HOLD_EVENT; else MN__HOLD_NONE. The
 * reason in @p why (the rules by their codes, the events as mn__store_open_holding words them)
 * and @p why_text (the rules and events by their names), without "on hold"; @p sc, when not
 * NULL, gets the screening. */
enum { MN__HOLD_NONE = 0, MN__HOLD_SCREENING = 1, MN__HOLD_EVENT = 2 };
mn_status mn__store_client_hold(mn_ctx *ctx, mn_store *s, const char *client_id, mn_date seen,
                                mn_date asked, int *held, char *why, size_t size, char *why_text,
                                size_t text_size, mn_store_screening *sc);
/* The deepest setting a zone may have after an adverse event of a kind the catalogue steps
 * down after (data/adverse_events.json "after": "step-down": post-inflammatory
 * hyperpigmentation), at the visit of index @p visit (0-based into h->planned: the k-th session
 * stands for the k-th visit; an index at or beyond the plan's visits counts as its last). Only
 * the sessions before @p visit dated before @p on, and the events begun on or before @p on, are
 * read (@p on 0: all of them). The session an event followed (the one named, else the last on
 * or before the event began) sets it: one setting of that session's device below the depth used
 * there (at the shortest, that setting) at the first visit on the zone after it, and from there
 * the plan's own rise for the zone between that visit and @p visit (never a fall below it).
 * The lowest of them when several events step it down. 1 with *out filled when an event steps
 * the zone down, else 0. */
typedef struct {
    double max_mm;   /* the deepest setting allowed at the visit */
    double stepped;  /* the setting at the first visit on the zone after the event */
    double used;     /* the depth of the session the event followed */
    int session;     /* that session, 1-based among the client's */
    int first_visit; /* the first visit on the zone after it, 1-based */
    int at_first;    /* 1 when @p visit is that first visit (the step itself) */
    int shortest;    /* 1 when the session's depth was its device's shortest setting */
    mn_date event_date;
    const char *kind_name;
} mn__store_step;
int mn__store_step_down(mn_ctx *ctx, const mn_store_history *h, const char *zone, int visit,
                        mn_date on, mn__store_step *out);
/* The rise per visit of one entry of a stored plan's zones (a zone and a concern): the plan's
 * zones[].rise_per_visit_mm (@p stored, <= 0 when the plan has none), else, for a plan stored
 * before plans gave it, the catalogue's: MN_PLAN_RISE_GENTLE_MM where @p concern is marked
 * gentle_rise, MN_PLAN_RISE_MM otherwise (mneedle/clinic.h; a finding's gentle_rise,
 * MN-PIH-RISK or MN-ROSACEA, cannot be told from such a plan). A site listed for two concerns takes
 * the smaller, as the planner does (plan.c). */
double mn__store_plan_rise_mm(const mn_catalog *cat, double stored, const char *concern);
/* The health questionnaire of client @p id on today (mn__store_today), for client show and
 * history: out->screened stays 0, and the context's message is cleared, when the record cannot
 * be screened with the catalogues loaded (those views are read all the same). */
void mn__store_questionnaire_today(mn_ctx *ctx, mn_store *s, const char *id,
                                   mn_store_questionnaire *out);
/* Frees n planned visits and their settings (history's plan, replan's remaining visits). */
void mn__store_planned_free(mn_store_planned_visit *visits, int n);
/* Compact JSON text of v (insertion order), allocated with mn__malloc; NULL when out of
 * memory. */
char *mn__store_dump(const json_t *v);

/*
 * Rows of a CSV file (RFC 4180: quoted fields, "" inside quotes, CRLF or LF) as JSON objects
 * keyed by the header row, each with "_line" (its line number). Fields named in @p numeric
 * become numbers when they read as one (else stay text, for the validator to name), and
 * empty fields are left out. Returns an array; the message of a malformed file names src
 * and the line.
 */
mn_status mn__store_csv(mn_ctx *ctx, const char *src, const char *text, size_t len,
                        const char *const *numeric, json_t **out);

#endif
