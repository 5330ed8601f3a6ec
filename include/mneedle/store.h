/*
 * mneedle store: the clinic record. One SQLite database file holds each client's
 * pseudonymous record (identifying details in a table of their own), consents, every plan as
 * produced, the sessions as done, follow-up assessments on named scales, adverse events and an
 * append-only audit log chained by hash. docs/records.md describes the schema and the
 * commands built on it.
 *
 * Nothing outside src/store/ speaks SQL: callers see the handle and the functions below, so a
 * server database could stand behind the same interface later.
 *
 * Durability: WAL journal, synchronous=FULL, foreign keys on, a busy timeout so that several
 * processes may write at once (each write waits for the others), and one transaction per
 * call that changes anything: a call either commits all it was given or changes nothing.
 *
 * Privacy: no function logs or prints; the audit log records who, when, what kind of change
 * and to which row (by table and number, with a keyed hash of the row's content), never the
 * values. The database file and its backups are created with mode 0600.
 *
 * Thread safety: a store handle belongs to one thread at a time; separate handles (in one
 * process or several) may be used at once on the same file.
 */
#ifndef MNEEDLE_STORE_H
#define MNEEDLE_STORE_H

#include "mneedle/clinic.h"
#include "mneedle/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Declarations here are the exported API of libmneedle.so (CMakeLists.txt). */
#pragma GCC visibility push(default)

/** The schema version this build writes (PRAGMA user_version); migrations lead to it from
 *  every earlier version (docs/records.md lists them). */
#define MN_STORE_SCHEMA_VERSION 5

/** Length of a backup key in bytes (libsodium secretstream XChaCha20-Poly1305). */
#define MN_STORE_KEY_BYTES 32

/** Longest free text a record field may hold, in bytes (a session's serial, lots, serum,
 * endpoint and reactions, an assessment's rater, an event, an override reason): longer is
 * refused when recorded, and what is read back holds it whole. */
#define MN_STORE_MAX_TEXT 250

typedef struct mn_store mn_store;

enum {
    MN_STORE_CREATE = 1,    /* create the file (mode 0600) and its schema when absent */
    MN_STORE_READONLY = 2,  /* open for reading only */
    MN_STORE_ANY_SCHEMA = 4 /* open a database whose schema is older than this build's
                               (for mn_store_migrate); otherwise such a file is refused */
};

/**
 * Opens (or, with MN_STORE_CREATE, creates) the database at @p path.
 * @param schema_version  with MN_STORE_CREATE on a new file: the schema version to create
 *                        (0 for MN_STORE_SCHEMA_VERSION; lower versions exist for migration
 *                        tests). Ignored otherwise.
 * @param out             receives the handle; close it with mn_store_close().
 * @return MN_OK; MN_EINVAL (NULL arguments, a missing file without MN_STORE_CREATE, a file
 *         that is not an mneedle database, or MN_STORE_CREATE on a file that exists);
 *         MN_EUNSUPPORTED for a schema older than this build without MN_STORE_ANY_SCHEMA, or
 *         newer than this build; MN_EIO for a database error. The message names the file.
 */
mn_status mn_store_open(mn_ctx *ctx, const char *path, int flags, int schema_version,
                        mn_store **out);

/** Closes a store. NULL-safe. */
void mn_store_close(mn_store *store);

/** The schema version of the open database (PRAGMA user_version). */
int mn_store_schema_version(const mn_store *store);

/** Sets who the audit log names for this handle's changes (default "unknown"); at most 63
 *  bytes, copied. Returns MN_EINVAL for NULL, empty or too long. */
mn_status mn_store_set_actor(mn_store *store, const char *actor);

/** Whose words this handle's messages use where they say what to do next (record a refused
 *  session anyway, save a stale plan again, record an adverse event resolved, look a name up
 *  in the catalogue): the commands', which name their options ("give --override REASON",
 *  "'mneedle plan ID --save'"), or the web workstation's, which name its forms and pages ("the
 *  Override reason box", "the client's plan page"). The checks and the rest of each message
 *  are the same under both. */
typedef enum {
    MN_STORE_WORDS_COMMAND, /**< the default */
    MN_STORE_WORDS_WEB
} mn_store_words;

/** Sets the words of the handle's messages from now on (mn_store_words). NULL-safe. */
void mn_store_set_words(mn_store *store, mn_store_words words);

/**
 * Bulk loading (an import, a benchmark's set-up): with @p durable 0 commits are no longer
 * synced one by one (PRAGMA synchronous=NORMAL in WAL mode: a process crash loses nothing, a
 * power cut may lose the last commits); 1 restores the default, synchronous=FULL.
 * @return MN_OK; MN_EIO.
 */
mn_status mn_store_set_durable(mn_ctx *ctx, mn_store *store, int durable);

/**
 * Migrates the database to MN_STORE_SCHEMA_VERSION in one transaction (nothing changes if a
 * step fails). @p from receives the version found (may be NULL).
 * @return MN_OK (also when already current); MN_EIO.
 */
mn_status mn_store_migrate(mn_ctx *ctx, mn_store *store, int *from);

/** What mn_store_check() found. */
typedef struct {
    int integrity_ok;    /* PRAGMA integrity_check said "ok" */
    int foreign_keys_ok; /* PRAGMA foreign_key_check found nothing */
    int audit_ok;        /* the chain links and every row matches its last audit entry */
    long audit_entries;  /* entries in the audit log */
    long rows_checked;   /* record rows compared against the log */
    int schema_version;
    char problem[512]; /* the first problem found, "" when all is well */
} mn_store_check_result;

/**
 * Checks the database: PRAGMA integrity_check, PRAGMA foreign_key_check, and the audit
 * chain: each entry's hash covers its predecessor's, and each record row's content matches
 * the hash its latest audit entry recorded (an edited, added or deleted row is found).
 * @return MN_OK when the check ran (read @p out for its verdict); MN_EIO when it could not.
 */
mn_status mn_store_check(mn_ctx *ctx, mn_store *store, mn_store_check_result *out);

/**
 * Copies the database to @p dest with SQLite's online backup API (a consistent copy while
 * others write), mode 0600, atomically (a temporary file renamed into place). With @p key
 * (MN_STORE_KEY_BYTES bytes) the copy is encrypted with libsodium's secretstream
 * (XChaCha20-Poly1305, authenticated); NULL for a plain SQLite file.
 * Every client is logged in the audit log as read ("backup", the handle's actor), in one
 * transaction committed before the copy is made, so the backup holds its own entries. A
 * backup refused before that (dest exists or cannot be created) logs nothing; one that fails
 * after it (the copy, the disk) keeps its entries: the log may name a read that left no
 * file, never a file whose read it does not name (docs/records.md, "The audit log").
 * @return MN_OK; MN_EINVAL (dest exists or cannot be created, a read-only handle); MN_EIO.
 */
mn_status mn_store_backup(mn_ctx *ctx, mn_store *store, const char *dest, const unsigned char *key);

/**
 * Restores a backup made by mn_store_backup() to @p dest (which must not exist), decrypting
 * it with @p key when it is encrypted. A wrong key, a tampered or truncated file is refused
 * and nothing is written. A file whose size is not that of a whole backup (an encrypted one
 * holding whole database pages in whole chunks; a plain one the pages its header counts) is
 * refused as truncated or damaged before any key is tried, so a cut file does not read as a
 * wrong key.
 * @return MN_OK; MN_EINVAL (dest exists, not a backup, encrypted but no key given, or a key
 *         given for a plain backup); MN_ERANGE (wrong key, truncated or damaged file); MN_EIO.
 */
mn_status mn_store_restore(mn_ctx *ctx, const char *backup, const char *dest,
                           const unsigned char *key);

/**
 * Reads a backup key: from the file @p key_file when not NULL, else from the environment
 * variable MNEEDLE_KEY. Either holds 64 hexadecimal digits (32 bytes), surrounding blanks
 * and a final newline allowed.
 * @return MN_OK; MN_ENOTFOUND when neither is given; MN_EINVAL (unreadable file) or
 *         MN_EPARSE (not 64 hex digits), naming the source but never the key.
 */
mn_status mn_store_key_load(mn_ctx *ctx, const char *key_file,
                            unsigned char key[MN_STORE_KEY_BYTES]);

/* ---- scales (data/scales.json) ---- */

/** A rating scale of the catalogue: its range and direction, never its items. */
typedef struct {
    char id[40];
    char name[96];
    char version[16];
    char concern[32]; /* the concern it grades, "" for any */
    int change;       /* 1: rates change since baseline (GAIS); 0: grades severity */
    double min, max;  /* the score's range */
    double step;      /* between scores; 0 for a continuous measure */
    int higher_better;
    char status[16]; /* "cited" or "secondary" */
    char source[400];
} mn_scale;

/**
 * Finds a scale by id in the catalogue (data/scales.json, or the one in the context's --data
 * directory). @return MN_OK; MN_ENOTFOUND (message lists the ids); MN_EPARSE for a broken
 * catalogue file.
 */
mn_status mn_store_scale_find(mn_ctx *ctx, const char *id, mn_scale *out);

/** The scale at @p index (0-based, catalogue order), to list them all.
 *  @return MN_OK; MN_ENOTFOUND past the last (no message); MN_EPARSE for a broken file. */
mn_status mn_store_scale_at(mn_ctx *ctx, int index, mn_scale *out);

/** A kind of adverse event of the catalogue (data/adverse_events.json; the catalogue's
 *  entry is mn_adverse_event_kind, catalog.h, where MN_ADVERSE_KIND_OTHER is defined). */
typedef struct {
    char id[48];
    char name[MN_ADVERSE_NAME_LEN];
    int persistent;  /* 1: the sources call it persistent; 0: transient */
    char status[16]; /* "cited" or "secondary" */
    char source[MN_ADVERSE_SOURCE_LEN];
} mn_adverse_kind;

/**
 * Finds a kind of adverse event by id in the catalogue (data/adverse_events.json, or the one
 * in the context's --data directory; a broken file is refused when the context is created).
 * @return MN_OK; MN_ENOTFOUND (the message lists the ids).
 */
mn_status mn_store_adverse_kind_find(mn_ctx *ctx, const char *id, mn_adverse_kind *out);

/** The kind at @p index (0-based, catalogue order), to list them all.
 *  @return MN_OK; MN_ENOTFOUND past the last (no message). */
mn_status mn_store_adverse_kind_at(mn_ctx *ctx, int index, mn_adverse_kind *out);

/* ---- clients ---- */

/** Longest client id, with its NUL. Ids are letters, digits and '-', starting with a letter. */
#define MN_STORE_ID_LEN 40

/**
 * Adds a client from a client record: a client file as `mneedle plan` reads it (validated
 * the same way), optionally with "identity" {name, email, phone, birth_date, address} and
 * "consents" [{what, version, date}]. client.name moves to the identity; the planning input
 * is stored without it. @p id: the pseudonymous id to use, or NULL for a new random one
 * ("c-" and 10 letters and digits). @p id_out (MN_STORE_ID_LEN bytes) receives it.
 * One transaction; the message of a bad record names @p src and the JSON path.
 * @return MN_OK; input errors (MN_EPARSE, MN_ETYPE, MN_ERANGE, MN_ENOTFOUND, MN_EINVAL for an
 *         id in use or malformed); MN_EIO.
 */
mn_status mn_store_client_add(mn_ctx *ctx, mn_store *store, const char *src, const char *text,
                              size_t len, const char *id, char *id_out);

/**
 * Updates a client from a record of the same form: a "client"/"concerns"/... part replaces
 * the planning input, "identity" replaces the identifying details, "consents" are added, and
 * "withdraw" [consent ids] dates their withdrawal today. Keys left out stay as they are.
 * @return as mn_store_client_add(); MN_ENOTFOUND for an unknown id.
 */
mn_status mn_store_client_update(mn_ctx *ctx, mn_store *store, const char *id, const char *src,
                                 const char *text, size_t len);

/**
 * Erases a client (right to erasure): every row about them (identity, consents, plans,
 * sessions, assessments, photo references, adverse events) and their key of the audit's row
 * hashes. The audit log keeps an "erase" entry per row, naming only table and row number.
 * @return MN_OK; MN_ENOTFOUND; MN_EIO.
 */
mn_status mn_store_client_erase(mn_ctx *ctx, mn_store *store, const char *id);

/** A consent as stored. */
typedef struct {
    long id;
    char what[64], version[32];
    mn_date date;
    int withdrawn;
    mn_date withdrawn_date;
} mn_store_consent;

/**
 * The health questionnaire of a client's stored record on a screening day: its day and its age
 * then, against the validity of data/rules.json's history_older_months rule (MN-HISTORY-OLD,
 * the rule plan and screen apply). Whether it is out of date is that rule's own finding in the
 * screening, never worked out again here; day and age are for saying why.
 */
typedef struct {
    int screened;      /* 1 when the record was screened on a day (the rest is then filled) */
    mn_date on;        /* that day */
    int taken;         /* 1 when the record has a questionnaire (a history object) */
    mn_date day;       /* the day it was answered: history.date, else the day the latest plan
                          was saved (plan counts undated answers as given the day it is made) */
    int dated;         /* 1 when day is history.date, 0 when it is the plan's day */
    int valid_months;  /* the rule's validity (its threshold); 0 when the catalogue has none */
    int age_days;      /* on - day (0 when day is after on: answers dated ahead of the day) */
    int age_months;    /* whole months from day to on */
    int age_rest_days; /* and the days left over */
    int out_of_date;   /* 1 when the rule defers or declines the record on that day */
} mn_store_questionnaire;

/** One client's summary (client list) or full record (client show). */
typedef struct {
    char id[MN_STORE_ID_LEN];
    mn_date created;
    char name[MN_CLIENT_NAME_LEN], email[128], phone[64], birth_date[16],
        address[256]; /* "" when absent */
    long n_plans, n_sessions, n_assessments, n_adverse_events;
    int has_last_session;
    mn_date last_session;
    int has_maintenance_due;
    mn_date maintenance_due;
    char maintenance_reason[256];
    char *client_json;          /* the planning input (show only; NULL in a list); owned */
    mn_store_consent *consents; /* show only */
    int n_consents;
    /* Show only: 1 when the latest stored plan was made from another planning input than the
     * client's current one (the record was edited after the plan was saved: save it again),
     * -1 when that is not known (a plan stored before plans kept the hash of their input),
     * 0 otherwise (the same input, or no plan). docs/records.md, "The planning input of a
     * plan". */
    int plan_stale;
    /* Show only: the device the latest plan was made for (as mn_store_history's plan_device);
     * "" when no plan or the plan does not say. */
    char plan_device[32];
    /* Show only: the health questionnaire's day and age today (the command's today:
     * SOURCE_DATE_EPOCH's day where set), as replan and recall give them; screened 0 when the
     * record cannot be screened with the catalogues loaded. */
    mn_store_questionnaire questionnaire;
} mn_store_client;

/** Reads one client. Free with mn_store_client_release(). @return MN_OK; MN_ENOTFOUND. */
mn_status mn_store_client_get(mn_ctx *ctx, mn_store *store, const char *id, mn_store_client *out);

/** Frees what mn_store_client_get() or mn_store_client_list() allocated in @p c. */
void mn_store_client_release(mn_store_client *c);

/** Lists every client in id order (summaries). Free with mn_store_client_list_free().
 *  @return MN_OK; MN_ENOMEM; MN_EIO. */
mn_status mn_store_client_list(mn_ctx *ctx, mn_store *store, mn_store_client **out, int *n);
void mn_store_client_list_free(mn_store_client *list, int n);

/** One client of an import. */
typedef struct {
    char id[MN_STORE_ID_LEN];
    int line;     /* the CSV line of its first row */
    int concerns; /* rows (concerns) merged into it */
} mn_store_import_row;

/**
 * Imports a CSV client list: a header row naming the columns (id, name, email, phone,
 * birth_date, age, sex, fitzpatrick, concern, zones, severity, device, start, smoker, sun), one
 * row per client and concern (rows with the same id are one client; zones separated by ';').
 * Each client is checked as `client add` checks a file, the message naming the file and line.
 * One transaction: all clients or none. With @p dry_run everything is checked (ids in use
 * included) and nothing is stored. @p out: one entry per client (free with
 * mn_store_import_free()).
 * @return MN_OK; input errors; MN_EIO.
 */
mn_status mn_store_import_clients(mn_ctx *ctx, mn_store *store, const char *src, const char *text,
                                  size_t len, int dry_run, mn_store_import_row **out, int *n_out);
void mn_store_import_free(mn_store_import_row *rows);

/**
 * The planning input of a client, as a client file `mn_client_parse()` reads (without the
 * name). @p out: a string the caller frees with free(). @return MN_OK; MN_ENOTFOUND.
 */
mn_status mn_store_client_input(mn_ctx *ctx, mn_store *store, const char *id, char **out);

/** A screening finding that holds a client (defer or decline), copied from mn_finding. */
typedef struct {
    char code[32];     /* the rule's code, e.g. "MN-PREGNANT" (the JSON's; never printed in text) */
    char severity[16]; /* "defer" or "decline" */
    char message[400]; /* the rule's message, cut to fit */
    char name[MN_RULE_NAME_MAX + 1]; /* the rule's name ("pregnancy"): the words every text
                                        prints for the finding; the message's first words
                                        when the catalogue names none */
} mn_store_finding;

/** Most holding findings an mn_store_screening keeps (the decision counts them all). */
#define MN_STORE_MAX_HOLD_FINDINGS 8

/** The screening of a client's current stored record. */
typedef struct {
    mn_decision decision;                                  /* mn_screen()'s decision */
    mn_store_finding findings[MN_STORE_MAX_HOLD_FINDINGS]; /* the defer and decline findings */
    int n_findings;
    char codes[256]; /* their codes joined by ", " ("" when none) */
    /* The same without the questionnaire's age (the history_older_months rule's finding):
     * what holds the client whatever day the answers are renewed on. Equal to decision and
     * codes when the record was screened without a day. */
    mn_decision decision_besides_age;
    char codes_besides_age[256];
    /* Their names (mn_store_finding.name) joined by "; ", in the same order: what the hold
     * reasons of replan and recall and record session's refusal print ("" when none). */
    char names[MN_STORE_MAX_HOLD_FINDINGS * (MN_RULE_NAME_MAX + 2)];
    char names_besides_age[MN_STORE_MAX_HOLD_FINDINGS * (MN_RULE_NAME_MAX + 2)];
    mn_store_questionnaire questionnaire; /* screened is 0 when screened without a day */
} mn_store_screening;

/**
 * mn_store_client_screen() on a screening day @p day (a session's date, a recall's due day):
 * the questionnaire's age counts to it (the history_older_months rule), from history.date when
 * the record gives one, else from the day the client's latest plan was saved (the day itself
 * when no plan is stored). out->questionnaire says its day and age on @p day.
 * @return as mn_store_client_screen().
 */
mn_status mn_store_client_screen_on(mn_ctx *ctx, mn_store *store, const char *id, mn_date day,
                                    mn_store_screening *out);

/**
 * The words every command and page uses for @p q: "answered 2027-10-01: 6 months and 3 days
 * old on 2028-04-03" (undated answers: "not dated, so counted from the day the plan was saved,
 * 2027-04-02: ..."), and when out of date, "; the questionnaire is valid for 6 months
 * (the screening rules)". "" when not screened on a day or no questionnaire was taken.
 * @return @p buf.
 */
char *mn_store_questionnaire_words(const mn_store_questionnaire *q, char *buf, size_t size);

/**
 * Screens a client's current stored planning input with the library's screening (mn_screen(),
 * the rules of data/rules.json, as `plan` does), so a record updated after the plan was saved
 * (a pregnancy, a recent isotretinoin course) is seen by replan, record session and recall.
 * @return MN_OK; MN_ENOTFOUND; the client loader's errors for a stored input that no longer
 *         parses (e.g. against a --data catalogue without its zones); MN_ENOMEM.
 */
mn_status mn_store_client_screen(mn_ctx *ctx, mn_store *store, const char *id,
                                 mn_store_screening *out);

/* ---- plans and records ---- */

/**
 * Stores a plan as produced: @p plan_json is the plan's JSON output (mn_plan_write with
 * json=1), kept verbatim with this mneedle's version and the hash of the catalogues the
 * context loaded. Later sessions are checked against the latest stored plan.
 * @return MN_OK; MN_ENOTFOUND (client); MN_EPARSE (not a plan's JSON); MN_EIO.
 */
mn_status mn_store_plan_save(mn_ctx *ctx, mn_store *store, const char *client_id,
                             const char *plan_json, size_t len, long *plan_id);

/**
 * As mn_store_plan_save(), recording that the plan was made from @p input: the planning input
 * (mn_store_client_input()'s text) the caller read and planned from. The plan keeps its hash
 * (docs/records.md, "The planning input of a plan"); mn_store_plan_save() hashes the client's
 * input as stored when the plan is saved. A plan whose input is not the client's current one
 * is stale: record session refuses sessions against it without an override, replan holds.
 */
mn_status mn_store_plan_save_input(mn_ctx *ctx, mn_store *store, const char *client_id,
                                   const char *plan_json, size_t len, const char *input,
                                   long *plan_id);

/**
 * Records sessions as done, from JSON (one object or an array of them) or CSV (a header row,
 * then one row per treated zone; docs/records.md lists the keys and columns). Each session
 * is checked against the client's latest stored plan and the catalogues: a zone the plan does
 * not treat, a depth beyond the plan's maximum for the zone or outside the device's range, a
 * zone heavier (deeper, more passes) than the plan sets for the visit the session stands for,
 * or a session sooner than a zone's minimum interval (data/concerns.json min_interval_days) is
 * refused unless @p override_reason is given, which is then stored with the session and in
 * the audit log. adverse_events is required: ["none"] records that there were none.
 * All of the file or none: one transaction.
 * @param n_recorded  receives the number of sessions stored (may be NULL).
 * @return MN_OK; input errors naming @p src and the place ($[1].zones[0].depth_mm, or
 *         "line 7" of a CSV); MN_EIO.
 */
mn_status mn_store_record_sessions(mn_ctx *ctx, mn_store *store, const char *src, const char *text,
                                   size_t len, const char *override_reason, int *n_recorded);

/**
 * As mn_store_record_sessions(), and fills @p warnings (may be NULL; emptied first, and left
 * empty when nothing was recorded) with what was recorded but the planner would not have
 * booked: a session on a zone closer to the client's session before or after it on that zone
 * than the minimum interval of the concerns the latest stored plan treats there (recorded only
 * with @p override_reason; code "interval_below_concern_minimum", path the record's date, e.g.
 * "$[1].date" or "line 3.date"), and zones done lighter than the visit's setting (code
 * "settings_below_plan", path the record's zones), which need no override. An
 * @p override_reason given for a session that breaks no rule is not stored (the session is
 * within the plan), and said so (code "override_not_needed", path the record's place).
 */
mn_status mn_store_record_sessions_warn(mn_ctx *ctx, mn_store *store, const char *src,
                                        const char *text, size_t len, const char *override_reason,
                                        int *n_recorded, mn_warnings *warnings);

/**
 * Records follow-up assessments (JSON object or array, or CSV rows): client, date, scale (an
 * id of data/scales.json; its version is stored), score within the scale's range and step,
 * rater, optional zone and session number, and photos [{consent, sha256}] referring to a
 * photo consent of the same client by id and to the image by its SHA-256 (never the image).
 * All or nothing. @return as mn_store_record_sessions().
 */
mn_status mn_store_record_assessments(mn_ctx *ctx, mn_store *store, const char *src,
                                      const char *text, size_t len, int *n_recorded);

/**
 * Records adverse events on their own, not with a session (JSON object or array, or CSV rows
 * with columns client, date, session, kind, event, severity, resolved): a client, the date the
 * event began (not after today), optionally the session it followed (its number among the
 * client's sessions, on or before the date), and either a kind of the catalogue
 * (mn_store_adverse_kind_find) or free text in event, with a severity coded mild, moderate or
 * severe and optionally the date it resolved (on or after the date, not after today). event
 * "none", with no kind, severity or resolved date, records that there were none. Stored in
 * the same table as the events recorded with sessions, each with its audit entry.
 * All or nothing. @return as mn_store_record_sessions().
 */
mn_status mn_store_record_adverse_events(mn_ctx *ctx, mn_store *store, const char *src,
                                         const char *text, size_t len, int *n_recorded);

/* ---- history ---- */

/** One zone's setting: as planned, or as done with the plan's for comparison. */
typedef struct {
    char zone[32];
    double depth_mm, passes;
    int has_planned; /* done sessions: the plan had this zone at this visit */
    double planned_depth_mm, planned_passes;
} mn_store_setting;

typedef struct {
    int number; /* 1-based, as in the plan */
    mn_date date;
    int maintenance; /* 0 course, 1 maintenance */
    mn_store_setting *settings;
    int n_settings;
    /* History's visits not done: 1 when the client's health questionnaire will be out of date
     * on the visit's date (today for one already past), as recall marks a client due then
     * (the history_older_months rule): re-screen before the visit. 0 otherwise. */
    int rescreen;
} mn_store_planned_visit;

typedef struct {
    long id;
    mn_date date;
    int planned;         /* index into history->planned of the visit it stands for (the k-th session
                            done is the k-th planned visit), or -1 beyond the plan */
    int date_shift_days; /* date - planned date, when planned >= 0 */
    char device[32];     /* a catalogue id */
    /* Free text, each whole: as long as recording allows (MN_STORE_MAX_TEXT). */
    char serial[MN_STORE_MAX_TEXT + 1], cartridge_lot[MN_STORE_MAX_TEXT + 1];
    char serum[MN_STORE_MAX_TEXT + 1], serum_lot[MN_STORE_MAX_TEXT + 1];
    char endpoint[MN_STORE_MAX_TEXT + 1], reactions[MN_STORE_MAX_TEXT + 1];
    char override_reason[MN_STORE_MAX_TEXT + 1]; /* "" when within the plan */
    mn_store_setting *zones;
    int n_zones;
    /* The zones the visit it stands for sets (planned >= 0) that this session left out: the
     * plan's setting for each (has_planned 1, depth_mm and passes 0, nothing done). */
    mn_store_setting *not_done;
    int n_not_done;
} mn_store_session;

typedef struct {
    long id;
    mn_date date;
    char scale[40], scale_version[16], zone[32];
    char rater[MN_STORE_MAX_TEXT + 1]; /* free text, whole */
    double score;
    int n_photos;
} mn_store_assessment;

typedef struct {
    long id;
    mn_date date;
    int session_number; /* 1-based index among the client's sessions, 0 when none */
    char event[256];    /* a kind's id, free text, or "none" */
    char severity[16];
    int resolved;
    mn_date resolved_date;
    char kind_name[96]; /* the kind's name when event is the id of a catalogue kind, else "" */
} mn_store_adverse_event;

/** A zone of the latest stored plan and the most its needle length rises from one visit to
 *  the next (mm): the plan's zones[].rise_per_visit_mm, the planner's MN_PLAN_RISE_MM or, where
 *  gentle_rise applies, MN_PLAN_RISE_GENTLE_MM (mneedle/clinic.h). */
typedef struct {
    char zone[32];
    double rise_mm;
} mn_store_zone_rise;

/** A client's timeline: the latest plan's visits, the sessions done (matched to them), the
 *  scores and the adverse events, each in date order. */
typedef struct {
    char client[MN_STORE_ID_LEN];
    long plan_id; /* 0 when no plan is stored */
    char plan_created[16], plan_version[16], catalogue_hash[65];
    mn_store_planned_visit *planned;
    int n_planned;
    mn_store_session *sessions;
    int n_sessions;
    mn_store_assessment *assessments;
    int n_assessments;
    mn_store_adverse_event *events;
    int n_events;
    int has_maintenance_due;
    mn_date maintenance_due;
    /* catalogue_hash above is the plan's hash of the catalogues it was made with (64 hex
     * digits), made under definition catalogue_hash_version: 1, the planning files without
     * data/adverse_events.json (plans stored before that file was hashed); 2, with it; 0, a
     * stored value this mneedle cannot read (catalogue_hash empty). catalogue_current: 1 when
     * the context's catalogues give the same hash under that definition, 0 when another,
     * -1 when it cannot say (definition 0, or one newer than this mneedle). */
    int catalogue_hash_version;
    int catalogue_current;
    /* input_hash: the SHA-256 of the planning input the plan was made from (64 hex digits; ""
     * for a plan stored before plans kept it). plan_stale: 1 when the client's current
     * planning input is another (the record was edited since the plan was saved), -1 when not
     * known (no input_hash), 0 when the same or no plan. */
    char input_hash[65];
    int plan_stale;
    /* The device the plan was made for (the catalogue id its JSON records as client.device:
     * its depths are that device's settings); "" when the stored plan does not say. */
    char plan_device[32];
    /* The day the history was read (mn_date_today: SOURCE_DATE_EPOCH's day where set): a
     * planned visit not done whose date is before it is overdue. 0: not known, none marked. */
    mn_date today;
    /* The health questionnaire's day and age on today, as client show gives them. */
    mn_store_questionnaire questionnaire;
    /* The rise per visit of each zone the latest plan books (mn_store_rise_max). */
    mn_store_zone_rise *rises;
    int n_rises;
    /* Whether the client is on hold on today besides a stale plan (docs/records.md, "Holds",
     * as recall works it out): 0 not; 1 the current record screens defer or decline (on
     * something besides the questionnaire's age); 2 an adverse event that holds is open. Its
     * reason in words a client-facing text prints (the rules and events by their names);
     * "" when not held. */
    int held;
    char hold_reason_text[1024];
} mn_store_history;

/** Reads a client's timeline. Free with mn_store_history_free(). @return MN_OK;
 *  MN_ENOTFOUND; MN_EPARSE (a stored plan that cannot be read); MN_ENOMEM; MN_EIO. */
mn_status mn_store_history_get(mn_ctx *ctx, mn_store *store, const char *client_id,
                               mn_store_history **out);
void mn_store_history_free(mn_store_history *h);

/* ---- replan ---- */

/** One day of the client's projection: the typical person's improvement (the stored plan's
 *  projection) and this client's, from the posterior of their response gain (10th, 50th and
 *  90th percentiles). */
typedef struct {
    int day; /* from the first session */
    double population_pct;
    double client_pct, client_low_pct, client_high_pct;
    double plan_low_pct, plan_high_pct; /* the stored plan's 10-90 % range that day (the
                                           band replan starts from; docs/records.md) */
} mn_store_replan_sample;

/** How one zone of the client's last session departed from the setting the plan gives the
 *  visit it stands for (docs/records.md, "Off-protocol sessions"). */
typedef struct {
    char zone[32];
    char kind[16];           /* "deeper", "more_passes", "lighter", "not_planned", "sooner", or
                                "not_done" (a zone the visit sets that the session left out) */
    double depth_mm, passes; /* as done */
    int has_planned;         /* the plan treats the zone at that visit */
    double planned_depth_mm, planned_passes; /* when has_planned */
    int gap_days, min_interval_days;         /* "sooner": days since the zone's session before,
                                                and the plan's concerns' minimum there */
} mn_store_replan_deviation;

/** An observation the update used: a score turned into improvement (% of baseline). */
typedef struct {
    mn_date date;
    int day;                                      /* from the first session */
    double score, improvement_pct, predicted_pct; /* predicted: the typical person's */
} mn_store_replan_obs;

typedef struct {
    char client[MN_STORE_ID_LEN];
    long plan_id;
    int n_done;                        /* sessions recorded */
    mn_store_planned_visit *remaining; /* the visits left, re-dated from the real ones */
    int n_remaining;
    char scale[40]; /* the severity scale the update used ("" when none) */
    mn_store_replan_obs *obs;
    int n_obs;
    /* The response gain (multiplier on the typical person's improvement): prior and
     * posterior medians and 10-90 % ranges. */
    double prior_median, prior_low, prior_high;
    double gain_median, gain_low, gain_high;
    double obs_sd_pct; /* the assumed score noise, in improvement percentage points */
    mn_store_replan_sample *samples;
    int n_samples;
    int has_maintenance;
    mn_date maintenance_due, maintenance_early, maintenance_late; /* median, and the dates for
                                                                  the gain's 10th and 90th */
    int population_interval_days, client_interval_days;
    char note[512];
    int n_set_aside; /* scores on the scale taken in the days just after a session: not used,
                        as they rate post-treatment swelling and redness (docs/records.md) */
    /* Holds (docs/records.md): the client's current stored record, screened again, and
     * whether the visits are held. While held, no visit is booked (remaining is empty,
     * n_held counts the planned visits left unbooked) and no maintenance date is stored. */
    mn_store_screening screening;
    int held;
    int n_held;
    char hold_reason[512];       /* "" when not held; the JSON's words: the rules by their codes */
    char hold_reason_text[1024]; /* the same for a text: the rules and adverse events by their
                                   names (what replan's text and the workstation print) */
    /* The stored plan against the client's current planning input (mn_store_history's
     * plan_stale): 1 when the plan was made from an earlier record, which holds the visits
     * until a plan is saved again; -1 when not known; 0 when the same. plan_created: the day
     * the plan was saved. */
    int plan_stale;
    char plan_created[16];
    /* The device the plan was made for (mn_store_history's plan_device); "" when not recorded. */
    char plan_device[32];
    /* Adverse events without a resolved date (the recorded "none" left out), in date order.
     * A severe one holds the visits too (docs/records.md). */
    mn_store_adverse_event *open_events;
    int n_open_events;
    /* The band's source (docs/records.md, Response): "plan" before any score is used (the
     * stored plan's own 10-90 % range, as 'mneedle plan' shows it), "plan_updated" after (that
     * range recentred on the client's gain and narrowed as the gain's range narrowed). The
     * peak: the stored plan's projection.peak_improvement_pct and its range, treated alike. */
    char band_source[16];
    int has_peak;
    int peak_day;
    double peak_typical_pct, peak_pct, peak_low_pct, peak_high_pct;
    /* How the model fared against the studies it was not fitted to, as the stored plan's
     * projection carries it (projection.validation; has_validation 0 for a plan without). */
    int has_validation;
    int validation_checked, validation_inside, validation_worse, validation_better;
    /* Studies and efficacy results behind those counts: 0 for a plan stored before they were
     * kept (the sentence then leaves them out). */
    int validation_studies, validation_efficacy_checked, validation_efficacy_inside;
    /* The last session recorded, against the setting the plan gives the visit it stands for:
     * off_protocol when it was heavier (deeper, more passes), treated a zone that visit does
     * not, came sooner than the minimum interval, or was recorded with --override; lighter
     * settings are listed among the deviations without making it off protocol. next_keeps_plan:
     * 1 when the next visit booked has the plan's settings for it, 0 when not, -1 when none is
     * booked (every visit done, or on hold). */
    int has_last_session;
    int last_number; /* 1-based among the client's sessions */
    int last_visit;  /* the planned visit it stands for, 0 beyond the plan */
    mn_date last_date;
    int last_off_protocol;
    char last_override_reason[256];
    mn_store_replan_deviation deviations[64];
    int n_deviations;
    int next_keeps_plan;
    /* The zones whose next visit is set one step of the device lower after an adverse event
     * of a kind the catalogue steps down after (post-inflammatory hyperpigmentation), one
     * sentence each; "" when none. */
    char step_down[768];
    /* The zones whose later visits are kept below the plan's settings by such a step: they
     * rise from the stepped-down depth by the plan's own steps for the zone, not back to the
     * plan's depths; one sentence each, at the first visit kept below; "" when none. */
    char step_down_carried[768];
    /* Why the next visit does not keep the plan's settings (next_keeps_plan 0): a depth raised
     * to the last used within the protocol (next_raised), or set below the plan's by a step
     * down after an adverse event (next_lowered). */
    int next_raised, next_lowered;
    /* The zones whose visits left are held to the plan's rise per visit above the depth of
     * the last session on the zone (mn_store_rise_max: a session lighter than planned, or a
     * visit without the zone, leaves the plan's next setting more than one rise above it), one
     * sentence each at the first visit held; "" when none. next_rise_held: the next visit is
     * one of them. */
    char rise_held[768];
    int next_rise_held;
    /* 0 when the stored plan has no projection (a concern the model does not follow: melasma,
     * hair loss): the visits left and any step down are given, no response, band or
     * maintenance timing; projection_note is the plan's own reason. */
    int has_projection;
    char projection_note[512];
} mn_store_replan;

/**
 * The deepest setting @p zone may have at the visit of index @p visit (0-based into
 * h->planned; the k-th session stands for the k-th visit) after an adverse event of a kind the
 * catalogue steps down after (data/adverse_events.json "after": "step-down": post-inflammatory
 * hyperpigmentation): one setting of the device below the depth of the session it followed at
 * the first visit on the zone after it, rising from there by the plan's own steps for the zone
 * (docs/records.md, "Replan"). Reads the sessions before @p visit dated before @p on and the
 * events begun on or before it (@p on 0: all). The same rule replan books by and record session
 * refuses a deeper session by.
 * @return 1 with *max_mm set when an event steps the zone down, else 0.
 */
int mn_store_step_down_max(mn_ctx *ctx, const mn_store_history *h, const char *zone, int visit,
                           mn_date on, double *max_mm);

/** The deepest setting a zone may have by the plan's rise per visit (mn_store_rise_max). */
typedef struct {
    double max_mm;  /* last_mm + visits x rise_mm, snapped down to a setting of the device */
    double rise_mm; /* the plan's rise per visit on the zone (mn_store_zone_rise) */
    double last_mm; /* the depth of the last session on the zone */
    mn_date last_date;
    int last_session; /* that session, 1-based among the client's */
    int visits;       /* the visits on the zone from that session to this one (1: the next) */
} mn_store_rise;

/**
 * The deepest setting @p zone may have at the visit of index @p visit (0-based into
 * h->planned; the k-th session stands for the k-th visit) by the plan's rise per visit: the
 * depth of the last session before @p visit that treated the zone, plus the zone's rise
 * (h->rises) for each visit on the zone from it to this one, snapped down to a setting of that
 * session's device. The planner never rises faster (mneedle/clinic.h MN_PLAN_RISE_MM, a
 * judgement); a session lighter than planned, or a visit without the zone, would otherwise
 * leave the plan's next setting more than one rise above what the skin last took. The same
 * rule replan books by and record session refuses a deeper session by (there, for the session
 * after the last one: one rise). Thread-safe for distinct @p h.
 * @return 1 with *out filled when a session treated the zone and the plan gives it a rise,
 *         else 0.
 */
int mn_store_rise_max(mn_ctx *ctx, const mn_store_history *h, const char *zone, int visit,
                      mn_store_rise *out);

/**
 * Replans a client from the record: the visits left of the latest stored plan, re-dated from
 * the sessions actually done (the plan's spacing kept from the last real date, settings going
 * on with the plan's titration and never below the last depth used, never above the plan's
 * maximum nor more than its rise per visit above the last session, mn_store_rise_max); a
 * Bayesian update of the client's response gain from their own scores on a
 * severity scale (docs/records.md: prior from the healing model's spread, a stated score
 * noise, an exact posterior on a grid), so the band narrows as scores accumulate; and a
 * maintenance date from that response. The date is stored on the client (for recall), in one
 * audited transaction. Free with mn_store_replan_free().
 * @return MN_OK; MN_ENOTFOUND; MN_EINVAL (no stored plan, or a plan without a projection);
 *         MN_ENOMEM; MN_EIO.
 */
mn_status mn_store_replan_run(mn_ctx *ctx, mn_store *store, const char *client_id,
                              mn_store_replan **out);
void mn_store_replan_free(mn_store_replan *r);

/* ---- recall ---- */

/** A client due for maintenance. */
typedef struct {
    char client[MN_STORE_ID_LEN];
    mn_date due;
    int has_last_session;
    mn_date last_session;
    char reason[256];       /* from the plan (typical response) or from a replan (the client's);
                               for a client on hold, why they are held: the JSON's and the CSV's
                               words (the screening rules by their codes) */
    char reason_text[1024]; /* the same for a text (the command's, the iCalendar's, the
                              workstation's): the rules and adverse events by their names */
    int status;             /* MN_STORE_RECALL_DUE; MN_STORE_RECALL_ON_HOLD: due (or overdue), but
                               held, and not to be recalled; MN_STORE_RECALL_OVERDUE: a course visit
                               planned before today and not done (docs/records.md) */
    /* MN_STORE_RECALL_OVERDUE: the first course visit not done (due is its planned date), the
     * days since that date, and the course visits not done (it included). */
    int visit_number;
    int days_overdue;
    int course_visits_left;
    /* 1 when the latest stored plan was made from an earlier record of the client (stale):
     * listed on hold ("plan out of date: re-plan before booking"), never as due. */
    int plan_stale;
    /* The health questionnaire on the day the client would be seen: the due day, or today
     * when that is past (an overdue course visit: today). questionnaire.out_of_date: older
     * than the validity of rules.json's history_older_months rule then; the client is listed
     * as before (due, on hold or overdue), marked to be re-screened before booking. */
    mn_store_questionnaire questionnaire;
    /* "questionnaire out of date: re-screen before booking (answered ...)" when it is, else
     * "": the mark every output puts after the reason (which stays the one client show,
     * client list and history give). */
    char rescreen[320];
} mn_store_recall;

enum { MN_STORE_RECALL_DUE = 0, MN_STORE_RECALL_ON_HOLD = 1, MN_STORE_RECALL_OVERDUE = 2 };

/**
 * Every client whose maintenance is due on or before @p due_before, in date order; a client
 * whose current stored record screens defer or decline (mn_store_client_screen()), who has
 * an adverse event that holds without a resolved date, or whose latest stored plan was made
 * from an earlier record (stale: plan_stale 1, "plan out of date: re-plan before booking"), is
 * listed with status MN_STORE_RECALL_ON_HOLD and the reason, never as due. After those, status
 * MN_STORE_RECALL_OVERDUE: every client whose next visit of the latest stored plan (the k-th
 * session done stands for the k-th planned visit) is a course visit planned before today, in
 * order of that date: a client who dropped out of the course (held clients are on hold
 * instead). The date is
 * the stored one (set by plan --save, then by replan from the client's own response) while no
 * session has been recorded on or after it; once one has (the maintenance was done, and no
 * replan has timed the next), it is that last visit plus the same interval that timed the
 * stored date (stored date minus the last session before it), and the reason says so. Free with
 * mn_store_recall_free(). @return MN_OK; MN_ENOMEM; MN_EIO.
 */
mn_status mn_store_recall_list(mn_ctx *ctx, mn_store *store, mn_date due_before,
                               mn_store_recall **out, int *n);
void mn_store_recall_free(mn_store_recall *list);

/* ---- users of the web workstation (mneedle serve) and read auditing ---- */

/** What a user may do: read-only reads; a practitioner also adds and updates clients, plans,
 *  charts sessions, scores and replans; an admin also manages users. */
typedef enum { MN_ROLE_READONLY = 0, MN_ROLE_PRACTITIONER = 1, MN_ROLE_ADMIN = 2 } mn_store_role;

/** "read-only", "practitioner" or "admin". */
const char *mn_store_role_name(mn_store_role role);
/** Reads a role's name; returns 1 and sets @p out, or 0 for an unknown name. */
int mn_store_role_parse(const char *name, mn_store_role *out);

/** Longest user name, with its NUL; names are letters, digits, '.', '_' and '-'. */
#define MN_STORE_USER_LEN 64
/** Passwords: at least this many bytes (NIST SP 800-63B §5.1.1.2: 8 at the least)... */
#define MN_STORE_PASSWORD_MIN 8
/** ...and at most this many (a bound on the hashing work one request can ask for). */
#define MN_STORE_PASSWORD_MAX 1024
/** Failed sign-ins in a row after which a user is disabled until an admin enables it again:
 *  NIST SP 800-63B (sec. 5.2.2, "Rate Limiting (Throttling)") asks that consecutive failed
 *  authentication attempts on one account be limited to no more than 100. */
#define MN_STORE_SIGNIN_FAILURES_DISABLE 100

/**
 * Adds a user with a role and a password, hashed with Argon2id (libsodium's
 * crypto_pwhash_str, interactive limits: 2 passes over 64 MiB; the hash string keeps its
 * salt and parameters). One audited transaction. Not fast (about 0.1 s): by design.
 * @return MN_OK; MN_EINVAL (a malformed or taken name, a password shorter than
 *         MN_STORE_PASSWORD_MIN or longer than MN_STORE_PASSWORD_MAX, or not UTF-8 text,
 *         which no sign-in form sends); MN_ENOMEM (hashing could not get its memory); MN_EIO.
 */
mn_status mn_store_user_add(mn_ctx *ctx, mn_store *store, const char *name, mn_store_role role,
                            const char *password);

/** Sets a user's password (hashed as mn_store_user_add() does) and raises its generation
 *  (mn_store_user_state()), so every server ends the sessions begun under the old password.
 *  @return MN_OK; MN_ENOTFOUND; MN_EINVAL (password length, or not UTF-8); MN_ENOMEM; MN_EIO. */
mn_status mn_store_user_set_password(mn_ctx *ctx, mn_store *store, const char *name,
                                     const char *password);

/** Why a user is disabled: the reason its row keeps (for a user disabled before schema 5, the
 *  latest audit entry that disabled it). */
typedef enum {
    MN_STORE_DISABLED_NONE = 0,    /**< enabled, or nothing says why */
    MN_STORE_DISABLED_ADMIN = 1,   /**< an admin's mn_store_user_set_disabled() */
    MN_STORE_DISABLED_FAILURES = 2 /**< MN_STORE_SIGNIN_FAILURES_DISABLE failed sign-ins */
} mn_store_disabled_by;

/**
 * Disables (@p disabled 1) or enables (0) a user, audited: a disabled user cannot sign in
 * (mn_store_user_verify() answers as for a wrong password); the hash is kept, so enabling
 * restores the same password. Disabling raises the user's generation (mn_store_user_state()),
 * so every server ends its sessions. A user disabled already keeps the reason it was disabled
 * for (the lock stays the lock): the entry then says "disabled again (disabled already: ...)".
 * Enabling a user who is not disabled changes nothing and logs nothing (an "enabled" entry
 * would start its count of failed sign-ins in a row again: mn_store_audit_signin()).
 * @param was  disabling: receives why the user was disabled already, or
 *             MN_STORE_DISABLED_NONE when this call disabled it. Enabling: why the user was
 *             disabled until this call (MN_STORE_DISABLED_ADMIN when nothing says), or
 *             MN_STORE_DISABLED_NONE when it was not disabled and nothing changed. May be NULL.
 * @return MN_OK; MN_ENOTFOUND; MN_EIO.
 */
mn_status mn_store_user_set_disabled(mn_ctx *ctx, mn_store *store, const char *name, int disabled,
                                     mn_store_disabled_by *was);

/**
 * Checks a user's password. When the stored hash was made with other parameters than this
 * build's (crypto_pwhash_str_needs_rehash), it is replaced by a new hash of the same password
 * in an audited transaction. An unknown name costs the same hashing work as a known one, so
 * timing does not tell which names exist.
 * @param role  receives the user's role on success (may be NULL).
 * @return MN_OK; MN_EINVAL for a wrong name or password, or a disabled user (one message for
 *         all: "wrong user name or password"); MN_ENOMEM; MN_EIO.
 */
mn_status mn_store_user_verify(mn_ctx *ctx, mn_store *store, const char *name, const char *password,
                               mn_store_role *role);

/**
 * Logs a sign-in event of the web workstation in its own transaction: @p action "signin",
 * "signin-failed" (a wrong password, or a disabled user) or "locked" (the sign-in limit
 * reached), for the user @p name: its `users` row, with the name as the actor. A name that is
 * no user is logged as none (actor "unknown", row `users:0`), never as typed, since it may be
 * a password typed into the wrong box. @p detail: where from (an address; NULL: none); never a
 * password. A user's MN_STORE_SIGNIN_FAILURES_DISABLE-th "signin-failed" in a row (counted in
 * the audit log since its last "signin" or since an admin last enabled it) disables the user,
 * in the same transaction, with an "update" entry ("disabled: N failed sign-ins in a row"), its
 * row's reason set and its generation raised (mn_store_user_state()): only
 * mn_store_user_set_disabled(..., 0), an admin's, lets it sign in again.
 * @param disabled  set to 1 when this entry disabled the user (its sessions are then to end:
 *                  mn_store_audit_sessions_ended()), else 0; may be NULL.
 * @return MN_OK; MN_EINVAL (a read-only handle, an action not one of those); MN_EIO.
 */
mn_status mn_store_audit_signin(mn_ctx *ctx, mn_store *store, const char *name, const char *action,
                                const char *detail, int *disabled);

/**
 * Logs, in its own transaction, that the web workstation ended @p ended signed-in sessions
 * of user @p name (0 too: the entry says that none was open): action "sessions-ended" on the
 * user's row, detail "N ended: WHY". @p why: a few words, never personal data ("disabled by
 * an admin", "locked after 100 failed sign-ins", "password reset by an admin", "password
 * changed by the user"). @p actor: who ended them (as
 * mn_store_set_actor() takes it); NULL: the handle's own actor, which is left as it was.
 * @return MN_OK; MN_ENOTFOUND (no such user); MN_EINVAL (a read-only handle, a malformed
 *         actor); MN_EIO.
 */
mn_status mn_store_audit_sessions_ended(mn_ctx *ctx, mn_store *store, const char *name, int ended,
                                        const char *why, const char *actor);

/** A user as listed (never the hash). */
typedef struct {
    char name[MN_STORE_USER_LEN];
    mn_store_role role;
    char created[16]; /* YYYY-MM-DD */
    int disabled;
    mn_store_disabled_by disabled_by; /* why, when disabled */
} mn_store_user;

/** Lists the users by name. Free with mn_store_user_list_free(). @return MN_OK; MN_ENOMEM;
 *  MN_EIO. */
mn_status mn_store_user_list(mn_ctx *ctx, mn_store *store, mn_store_user **out, int *n);
void mn_store_user_list_free(mn_store_user *list);

/** A user's state now, as a server checks it before each signed-in request. */
typedef struct {
    mn_store_role role;
    int disabled;
    mn_store_disabled_by disabled_by; /**< from the row alone (NONE for a row of schema 4) */
    long long generation; /**< raised by each change that ends the user's sessions: a Disable,
                           *   the lock of failed sign-ins, a new password */
} mn_store_user_now;

/** Reads user @p name's state (one indexed row; the statement is kept prepared on the handle).
 *  @return MN_OK; MN_ENOTFOUND; MN_EIO. */
mn_status mn_store_user_state(mn_ctx *ctx, mn_store *store, const char *name,
                              mn_store_user_now *out);

/** The latest change of a user that ends its sessions, as the audit log has it. */
typedef enum {
    MN_STORE_CHANGE_NONE = 0,     /**< none logged */
    MN_STORE_CHANGE_DISABLED = 1, /**< disabled by an admin (again, too) */
    MN_STORE_CHANGE_LOCKED = 2,   /**< the lock of MN_STORE_SIGNIN_FAILURES_DISABLE failures */
    MN_STORE_CHANGE_ENABLED = 3,  /**< enabled (after a Disable) */
    MN_STORE_CHANGE_PASSWORD = 4  /**< a new password, set by the user or reset by an admin */
} mn_store_user_change;

/** Reads user @p name's latest change (its row's latest "update" entry but a rehash) and who
 *  made it (@p actor, MN_STORE_USER_LEN bytes; "" with MN_STORE_CHANGE_NONE). For a server that
 *  finds a session's generation out of date, so its entry says why in the words of the change.
 *  @return MN_OK; MN_EIO. */
mn_status mn_store_user_last_change(mn_ctx *ctx, mn_store *store, const char *name,
                                    mn_store_user_change *what, char actor[MN_STORE_USER_LEN]);

/** Number of (enabled) users, so a fresh database can be told apart. @return MN_OK; MN_EIO. */
mn_status mn_store_user_count(mn_ctx *ctx, mn_store *store, int *n);

/**
 * Records in the audit log that the handle's actor read client @p id's record, with @p what
 * (the view read: "page", "history", "plan", "export"; no personal data) as the entry's
 * detail. The entry carries the client row's current hash, so mn_store_check() still holds.
 * @return MN_OK; MN_ENOTFOUND; MN_EINVAL (read-only handle); MN_EIO.
 */
mn_status mn_store_audit_read(mn_ctx *ctx, mn_store *store, const char *id, const char *what);

/** One read to log with mn_store_audit_reads(). */
typedef struct {
    const char *actor; /**< the user who read (as mn_store_set_actor() takes it); NULL: the
                        *   handle's own actor */
    const char *id;    /**< the client read */
    const char *what;  /**< the view read, as for mn_store_audit_read() */
    mn_status status;  /**< out: MN_OK when logged; MN_ENOTFOUND or MN_EINVAL for this entry */
} mn_store_audit_entry;

/**
 * Records several reads, each as mn_store_audit_read() would with its own actor, in one
 * transaction: one commit and one sync of the log for all of them (a group commit, for a
 * server whose requests read concurrently). An entry naming no client, or with a malformed
 * actor, fails alone (its status) and the others are still logged. The handle's own actor
 * is left as it was. When the transaction itself fails, nothing is logged and every entry's
 * status is the returned one.
 * @return MN_OK when the transaction committed; MN_EINVAL (read-only handle); MN_EIO.
 */
mn_status mn_store_audit_reads(mn_ctx *ctx, mn_store *store, mn_store_audit_entry *entries, int n);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
