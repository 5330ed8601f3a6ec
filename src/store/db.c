/*
 * The database: opening with the settings every connection needs, the schema and its numbered
 * migrations (PRAGMA user_version), transactions, the audit chain and the check.
 *
 * The audit chain. Entry n stores who, when, the action, the row it touched ("table:rowid"),
 * row_hash = HMAC-SHA-256(client key, the row's columns as a JSON array) after the change
 * ("" after a delete), and hash = SHA-256(previous hash | seq | at | actor | action | entity |
 * row_hash | detail). Editing, inserting or deleting an entry breaks the chain from there on;
 * editing a record row outside mneedle leaves its content unequal to its last entry's
 * row_hash; both are found by mn_store_check(). The key is random per client and erased with
 * the client, so the hashes left in the log can no longer be matched against guesses of the
 * erased data.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/internal.h"
#include "data/catalog_internal.h"
#include "store/store_internal.h"

/* ---- helpers ---- */

void mn__hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

mn_status mn__store_fail(mn_ctx *ctx, mn_store *s, const char *what)
{
    return mn__error(ctx, MN_EIO, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

mn_status mn__store_exec(mn_ctx *ctx, mn_store *s, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        mn_status st = mn__error(ctx, MN_EIO, "%s: %s", s->path, err ? err : "database error");
        sqlite3_free(err);
        return st;
    }
    return MN_OK;
}

mn_status mn__store_prepare(mn_ctx *ctx, mn_store *s, const char *sql, sqlite3_stmt **out)
{
    if (sqlite3_prepare_v2(s->db, sql, -1, out, NULL) != SQLITE_OK)
        return mn__store_fail(ctx, s, "cannot prepare a statement");
    return MN_OK;
}

mn_status mn__store_prepare_kept(mn_ctx *ctx, mn_store *s, const char *sql, sqlite3_stmt **out)
{
    for (int i = 0; i < s->n_cached; i++) {
        mn__store_cached *c = &s->cache[i];
        if (!c->busy && !strcmp(c->sql, sql)) {
            c->busy = 1;
            *out = c->q;
            return MN_OK;
        }
    }
    /* Not kept (or the kept one is in use, as when a statement runs inside another's loop):
     * compile it, and keep it while there is room. */
    int keep = s->n_cached < MN__STORE_CACHED;
    if (sqlite3_prepare_v3(s->db, sql, -1, keep ? SQLITE_PREPARE_PERSISTENT : 0, out, NULL) !=
        SQLITE_OK)
        return mn__store_fail(ctx, s, "cannot prepare a statement");
    char *copy = keep ? mn__malloc(strlen(sql) + 1) : NULL;
    if (copy) {
        memcpy(copy, sql, strlen(sql) + 1);
        s->cache[s->n_cached++] = (mn__store_cached){copy, *out, 1};
    }
    return MN_OK;
}

void mn__store_col_text(sqlite3_stmt *q, int i, char *out, size_t size)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    snprintf(out, size, "%s", t ? (const char *)t : "");
}

mn_date mn__store_col_date(sqlite3_stmt *q, int i, int *has)
{
    mn_date d = 0;
    const unsigned char *t = sqlite3_column_text(q, i);
    int ok = t && mn_date_parse((const char *)t, &d) == MN_OK;
    if (has)
        *has = ok;
    return ok ? d : 0;
}

void mn__store_done(mn_store *s, sqlite3_stmt *q)
{
    if (!q)
        return;
    for (int i = 0; i < s->n_cached; i++)
        if (s->cache[i].q == q) {
            sqlite3_reset(q);
            sqlite3_clear_bindings(q);
            s->cache[i].busy = 0;
            return;
        }
    sqlite3_finalize(q);
}

void mn__store_forget(mn_store *s)
{
    for (int i = 0; i < s->n_cached; i++) {
        sqlite3_finalize(s->cache[i].q);
        mn__free(s->cache[i].sql);
    }
    s->n_cached = 0;
}

mn_status mn__store_begin(mn_ctx *ctx, mn_store *s)
{
    if (s->readonly)
        return mn__error(ctx, MN_EINVAL, "%s: opened read-only", s->path);
    mn_status st = mn__store_exec(ctx, s, "BEGIN IMMEDIATE");
    if (!st)
        s->in_tx = 1;
    return st;
}

mn_status mn__store_end(mn_ctx *ctx, mn_store *s, mn_status st)
{
    if (!s->in_tx)
        return st;
    s->in_tx = 0;
    if (st == MN_OK) {
        st = mn__store_exec(ctx, s, "COMMIT");
        if (st == MN_OK)
            return MN_OK;
    }
    /* Keep the first failure's message: the rollback's own error, if any, would hide it. */
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return st;
}

/* ---- the row hash, as an SQL function so the check runs in one query per table ---- */

/* mn_rowhash(key BLOB, content TEXT): hex HMAC-SHA-256; NULL key (an erased client) gives "". */
static void rowhash_fn(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    const unsigned char *key = sqlite3_value_blob(argv[0]);
    int key_len = sqlite3_value_bytes(argv[0]);
    const unsigned char *text = sqlite3_value_text(argv[1]);
    int text_len = sqlite3_value_bytes(argv[1]);
    if (!key || key_len != MN__STORE_SALT_BYTES || !text) {
        sqlite3_result_text(c, "", 0, SQLITE_STATIC);
        return;
    }
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, (size_t)key_len);
    crypto_auth_hmacsha256_update(&st, text, (unsigned long long)text_len);
    crypto_auth_hmacsha256_final(&st, mac);
    char hex[2 * sizeof mac + 1];
    mn__hex(mac, sizeof mac, hex);
    sqlite3_result_text(c, hex, -1, SQLITE_TRANSIENT);
}

/*
 * The record tables and, for each, a query giving (rowid, client key, content) for its rows.
 * The content is every column as a JSON array (SQLite's json_array keeps types), so any edit
 * of any column changes it. Order matters for erasure: children before parents.
 */
typedef struct {
    const char *table;
    const char *alias; /* the table's alias in rows, for "AND alias.rowid = ?" */
    const char *rows;  /* SELECT rowid, key, content FROM ... WHERE 1 (AND ... may follow) */
    int since;         /* the schema version that created the table (0: the first) */
    /* A table a later version gave a column: the rows as read before that version (for db
     * check on a file not yet migrated), and the version. NULL and 0 when none. */
    const char *rows_before;
    int changed;
} tracked;

/* The rows of a table as the database at its schema version holds them. */
static const char *tracked_rows(const tracked *t, int schema_version)
{
    return t->rows_before && schema_version < t->changed ? t->rows_before : t->rows;
}

static const tracked tables[] = {
    {"photos", "p",
     "SELECT p.id AS id, c.salt AS key, json_array(p.id, p.assessment, p.consent, p.sha256) AS "
     "content "
     "FROM photos p JOIN assessments a ON a.id = p.assessment "
     "JOIN clients c ON c.num = a.client WHERE 1",
     0, NULL, 0},
    {"assessments", "a",
     "SELECT a.id AS id, c.salt AS key, json_array(a.id, a.client, a.session, a.date, a.scale, "
     "a.scale_version, a.zone, a.score, a.rater) AS content FROM assessments a "
     "JOIN clients c ON c.num = a.client WHERE 1",
     0, NULL, 0},
    {"adverse_events", "e",
     "SELECT e.id AS id, c.salt AS key, json_array(e.id, e.client, e.session, e.date, e.event, "
     "e.severity, "
     "e.resolved) AS content FROM adverse_events e JOIN clients c ON c.num = e.client WHERE 1",
     0, NULL, 0},
    {"session_zones", "z",
     "SELECT z.id AS id, c.salt AS key, json_array(z.id, z.session, z.zone, z.depth_mm, z.passes) "
     "AS content "
     "FROM session_zones z JOIN sessions s ON s.id = z.session "
     "JOIN clients c ON c.num = s.client WHERE 1",
     0, NULL, 0},
    {"sessions", "s",
     "SELECT s.id AS id, c.salt AS key, json_array(s.id, s.client, s.plan, s.date, s.device, "
     "s.serial, "
     "s.cartridge_lot, s.serum, s.serum_lot, s.endpoint, s.reactions, s.override_reason) AS "
     "content "
     "FROM sessions s JOIN clients c ON c.num = s.client WHERE 1",
     0, NULL, 0},
    /* Schema 4 added input_hash (the planning input a plan was made from): a plan stored
     * before has none, and its content is the array it always was, so the hashes the log
     * recorded for it still match; a plan with one has it last. */
    {"plans", "p",
     "SELECT p.id AS id, c.salt AS key, CASE WHEN p.input_hash IS NULL THEN json_array(p.id, "
     "p.client, p.created, p.mneedle_version, p.catalogue_hash, p.plan_json) ELSE json_array(p.id, "
     "p.client, p.created, p.mneedle_version, p.catalogue_hash, p.plan_json, p.input_hash) END AS "
     "content FROM plans p JOIN clients c ON c.num = p.client WHERE 1",
     0,
     "SELECT p.id AS id, c.salt AS key, json_array(p.id, p.client, p.created, p.mneedle_version, "
     "p.catalogue_hash, p.plan_json) AS content FROM plans p JOIN clients c ON c.num = p.client "
     "WHERE 1",
     4},
    {"consents", "k",
     "SELECT k.id AS id, c.salt AS key, json_array(k.id, k.client, k.what, k.version, k.date, "
     "k.withdrawn) AS content "
     "FROM consents k JOIN clients c ON c.num = k.client WHERE 1",
     0, NULL, 0},
    {"identities", "i",
     "SELECT i.client AS id, c.salt AS key, json_array(i.client, i.name, i.email, i.phone, "
     "i.birth_date, "
     "i.address) AS content FROM identities i JOIN clients c ON c.num = i.client WHERE 1",
     0, NULL, 0},
    {"clients", "c",
     "SELECT c.num AS id, c.salt AS key, json_array(c.num, c.id, c.created, c.client_json, "
     "c.maintenance_due, c.maintenance_reason) AS content FROM clients c WHERE 1",
     0, NULL, 0},
    /* The workstation's users (mneedle serve): not about a client, so no client key; a
     * fixed all-zero key still makes the hash a check that a row was not edited outside
     * mneedle (an added admin, a replaced password hash). */
    /* Schema 5 added disabled_why, the reason of a Disable: a row without one has the content
     * it always had, so the hashes the log recorded before still match; a row with one has it
     * last. The generation is left out: raising it only ends sessions, and the change that
     * raises it is audited itself. */
    {"users", "u",
     "SELECT u.id AS id, zeroblob(32) AS key, CASE WHEN u.disabled_why IS NULL THEN "
     "json_array(u.id, u.name, u.role, u.pwhash, u.created, u.disabled) ELSE json_array(u.id, "
     "u.name, u.role, u.pwhash, u.created, u.disabled, u.disabled_why) END AS content FROM users "
     "u WHERE 1",
     3,
     "SELECT u.id AS id, zeroblob(32) AS key, json_array(u.id, u.name, u.role, u.pwhash, "
     "u.created, u.disabled) AS content FROM users u WHERE 1",
     5},
};
enum { N_TABLES = sizeof tables / sizeof tables[0] };

static const tracked *find_table(const char *name)
{
    for (int i = 0; i < N_TABLES; i++)
        if (!strcmp(tables[i].table, name))
            return &tables[i];
    return NULL;
}

/* ---- schema and migrations ---- */

/* Migration n takes a database at version n-1 to version n. Never edit a released step:
 * add a new one and raise MN_STORE_SCHEMA_VERSION. */
static const char *const migrations[MN_STORE_SCHEMA_VERSION] = {
    /* 1: the record. */
    "CREATE TABLE clients ("
    " num INTEGER PRIMARY KEY,"
    " id TEXT NOT NULL UNIQUE,"   /* pseudonymous id, the only name used elsewhere */
    " salt BLOB NOT NULL,"        /* key of this client's audit row hashes */
    " created TEXT NOT NULL,"     /* YYYY-MM-DD */
    " client_json TEXT NOT NULL," /* the planning input, without name */
    " maintenance_due TEXT,"      /* from replan: client-specific maintenance date */
    " maintenance_reason TEXT);"
    "CREATE TABLE identities ("
    " client INTEGER PRIMARY KEY REFERENCES clients(num),"
    " name TEXT, email TEXT, phone TEXT, birth_date TEXT, address TEXT);"
    "CREATE TABLE consents ("
    " id INTEGER PRIMARY KEY,"
    " client INTEGER NOT NULL REFERENCES clients(num),"
    " what TEXT NOT NULL, version TEXT NOT NULL, date TEXT NOT NULL, withdrawn TEXT);"
    "CREATE TABLE plans ("
    " id INTEGER PRIMARY KEY,"
    " client INTEGER NOT NULL REFERENCES clients(num),"
    " created TEXT NOT NULL, mneedle_version TEXT NOT NULL, catalogue_hash TEXT NOT NULL,"
    " plan_json TEXT NOT NULL);"
    "CREATE TABLE sessions ("
    " id INTEGER PRIMARY KEY,"
    " client INTEGER NOT NULL REFERENCES clients(num),"
    " plan INTEGER REFERENCES plans(id),"
    " date TEXT NOT NULL, device TEXT NOT NULL, serial TEXT, cartridge_lot TEXT,"
    " serum TEXT, serum_lot TEXT, endpoint TEXT, reactions TEXT, override_reason TEXT);"
    "CREATE TABLE session_zones ("
    " id INTEGER PRIMARY KEY,"
    " session INTEGER NOT NULL REFERENCES sessions(id),"
    " zone TEXT NOT NULL, depth_mm REAL NOT NULL, passes REAL NOT NULL,"
    " UNIQUE (session, zone));"
    "CREATE TABLE assessments ("
    " id INTEGER PRIMARY KEY,"
    " client INTEGER NOT NULL REFERENCES clients(num),"
    " session INTEGER REFERENCES sessions(id),"
    " date TEXT NOT NULL, scale TEXT NOT NULL, scale_version TEXT NOT NULL, zone TEXT,"
    " score REAL NOT NULL, rater TEXT NOT NULL);"
    "CREATE TABLE photos ("
    " id INTEGER PRIMARY KEY,"
    " assessment INTEGER NOT NULL REFERENCES assessments(id),"
    " consent INTEGER NOT NULL REFERENCES consents(id),"
    " sha256 TEXT NOT NULL);"
    "CREATE TABLE adverse_events ("
    " id INTEGER PRIMARY KEY,"
    " client INTEGER NOT NULL REFERENCES clients(num),"
    " session INTEGER REFERENCES sessions(id),"
    " date TEXT NOT NULL, event TEXT NOT NULL," /* "none" is a record, not an absence */
    " severity TEXT, resolved TEXT);"
    "CREATE TABLE audit ("
    " seq INTEGER PRIMARY KEY,"
    " at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, entity TEXT NOT NULL,"
    " row_hash TEXT NOT NULL, detail TEXT NOT NULL, hash TEXT NOT NULL);"
    /* The log is append-only: the database itself refuses an UPDATE or DELETE of it. */
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    /* 2: indexes for a client's timeline, the check's last-entry lookup, and recalls. */
    "CREATE INDEX sessions_client ON sessions(client, date);"
    "CREATE INDEX assessments_client ON assessments(client, date);"
    "CREATE INDEX adverse_client ON adverse_events(client, date);"
    "CREATE INDEX plans_client ON plans(client, id);"
    "CREATE INDEX consents_client ON consents(client);"
    "CREATE INDEX zones_session ON session_zones(session);"
    "CREATE INDEX photos_assessment ON photos(assessment);"
    "CREATE INDEX audit_entity ON audit(entity, seq);"
    "CREATE INDEX clients_due ON clients(maintenance_due);",
    /* 3: the users of the web workstation (mneedle serve, docs/serve.md): a role each and
     * an Argon2id password hash (libsodium's crypto_pwhash_str, which carries its own salt
     * and parameters). */
    "CREATE TABLE users ("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " role TEXT NOT NULL CHECK (role IN ('admin', 'practitioner', 'read-only')),"
    " pwhash TEXT NOT NULL,"
    " created TEXT NOT NULL,"
    " disabled INTEGER NOT NULL DEFAULT 0);",
    /* 4: the SHA-256 of the planning input each plan was made from (docs/records.md, "The
     * planning input of a plan"); NULL for a plan stored before, whose input is not known. */
    "ALTER TABLE plans ADD COLUMN input_hash TEXT;",
    /* 5: why a user is disabled, kept in its row so the users page reads it at once instead
     * of searching the user's audit entries (NULL: enabled, or disabled before this version,
     * whose entries still say why); and the user's generation, raised by every change that
     * ends its sessions (a Disable, the lock, a new password), which a running server compares
     * with the one its session began under (docs/serve.md, "Sessions"). */
    "ALTER TABLE users ADD COLUMN disabled_why TEXT"
    " CHECK (disabled_why IN ('admin', 'failed-sign-ins'));"
    "ALTER TABLE users ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;",
};

static mn_status read_version(mn_ctx *ctx, mn_store *s, int *out)
{
    sqlite3_stmt *q;
    mn_status st = mn__store_prepare(ctx, s, "PRAGMA user_version", &q);
    if (st)
        return st;
    *out = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) : -1;
    mn__store_done(s, q);
    if (*out < 0)
        return mn__store_fail(ctx, s, "cannot read the schema version");
    return MN_OK;
}

/* Runs migrations from the current version up to @p target, inside the caller's transaction. */
static mn_status migrate_to(mn_ctx *ctx, mn_store *s, int from, int target)
{
    for (int v = from + 1; v <= target; v++) {
        mn_status st = mn__store_exec(ctx, s, migrations[v - 1]);
        if (st)
            return st;
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v);
        if ((st = mn__store_exec(ctx, s, sql)))
            return st;
    }
    s->schema_version = target;
    return MN_OK;
}

/* ---- open and close ---- */

static mn_status configure(mn_ctx *ctx, mn_store *s)
{
    sqlite3_busy_timeout(s->db, MN__STORE_BUSY_MS);
    sqlite3_extended_result_codes(s->db, 1);
    if (sqlite3_create_function(s->db, "mn_rowhash", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                                rowhash_fn, NULL, NULL) != SQLITE_OK)
        return mn__store_fail(ctx, s, "cannot register a function");
    /* WAL lets readers run beside the writer; FULL syncs the log at every commit, so a
     * committed record survives a power cut, not only a crash. SQLite folds the log back into
     * the database and deletes it when the last connection closes, so after a command the
     * database is one file again (a copy of it holds every record). A command pays for that
     * with flushes besides its commit's (the checkpoint's, and the new log's and its
     * directory's at the next command); a caller that keeps the store open does not
     * (docs/records.md, Speed). */
    if (!s->readonly) {
        mn_status st = mn__store_exec(ctx, s, "PRAGMA journal_mode = WAL");
        if (st)
            return st;
    }
    /* secure_delete: an erased client's bytes are overwritten, not left in free pages. */
    return mn__store_exec(ctx, s,
                          "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;"
                          " PRAGMA secure_delete = ON;");
}

mn_status mn_store_open(mn_ctx *ctx, const char *path, int flags, int schema_version,
                        mn_store **out)
{
    if (!ctx || !path || !out || !path[0])
        return mn__error(ctx, MN_EINVAL, "store: no database file given");
    *out = NULL;
    if (sodium_init() < 0)
        return mn__error(ctx, MN_EIO, "store: libsodium cannot start");
    if (strlen(path) >= sizeof((mn_store *)0)->path)
        return mn__error(ctx, MN_EINVAL, "store: database path too long");
    int create = flags & MN_STORE_CREATE;
    struct stat sb;
    int exists = stat(path, &sb) == 0;
    if (create && exists)
        return mn__error(ctx, MN_EINVAL, "%s: exists already; 'mneedle db init' makes a new one",
                         path);
    if (!create && !exists)
        return mn__error(ctx, MN_EINVAL,
                         "%s: no such database (create it with 'mneedle db init', or give "
                         "--db FILE or MNEEDLE_DB)",
                         path);
    if (schema_version < 0 || schema_version > MN_STORE_SCHEMA_VERSION)
        return mn__error(ctx, MN_EINVAL, "store: schema version %d does not exist (1 to %d)",
                         schema_version, MN_STORE_SCHEMA_VERSION);
    if (create) {
        /* Health data: the file is the owner's alone from its first byte (SQLite gives its
         * -wal and -shm files the database file's mode). */
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd < 0)
            return mn__error(ctx, MN_EINVAL, "%s: cannot create: %s", path, strerror(errno));
        close(fd);
    }
    mn_store *s = mn__calloc(1, sizeof *s);
    if (!s)
        return mn__error(ctx, MN_ENOMEM, "store: out of memory");
    snprintf(s->path, sizeof s->path, "%s", path);
    snprintf(s->actor, sizeof s->actor, "unknown");
    s->readonly = (flags & MN_STORE_READONLY) != 0;
    int oflags = s->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    mn_status st = MN_OK;
    if (sqlite3_open_v2(path, &s->db, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        st = mn__error(ctx, MN_EIO, "%s: cannot open: %s", path,
                       s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto fail;
    }
    if ((st = configure(ctx, s))) {
        if (sqlite3_errcode(s->db) == SQLITE_NOTADB)
            st = mn__error(ctx, MN_EINVAL, "%s: not an mneedle database (%s)", path,
                           sqlite3_errmsg(s->db));
        goto fail;
    }
    int version;
    if ((st = read_version(ctx, s, &version))) {
        /* "file is not a database" lands here: say so plainly. */
        st = mn__error(ctx, MN_EINVAL, "%s: not an mneedle database (%s)", path,
                       sqlite3_errmsg(s->db));
        goto fail;
    }
    if (create) {
        int target = schema_version ? schema_version : MN_STORE_SCHEMA_VERSION;
        if ((st = mn__store_begin(ctx, s)))
            goto fail;
        st = mn__store_end(ctx, s, migrate_to(ctx, s, 0, target));
        if (st)
            goto fail;
        version = target;
    } else if (version == 0) {
        st = mn__error(ctx, MN_EINVAL, "%s: not an mneedle database (no schema)", path);
        goto fail;
    } else if (version > MN_STORE_SCHEMA_VERSION) {
        st = mn__error(ctx, MN_EUNSUPPORTED,
                       "%s: schema version %d is newer than this mneedle's (%d); use a newer "
                       "mneedle",
                       path, version, MN_STORE_SCHEMA_VERSION);
        goto fail;
    } else if (version < MN_STORE_SCHEMA_VERSION && !(flags & MN_STORE_ANY_SCHEMA)) {
        st = mn__error(ctx, MN_EUNSUPPORTED,
                       "%s: schema version %d is older than this mneedle's (%d); back it up "
                       "and run 'mneedle db migrate'",
                       path, version, MN_STORE_SCHEMA_VERSION);
        goto fail;
    }
    s->schema_version = version;
    *out = s;
    return MN_OK;
fail:
    mn__store_forget(s);
    if (s->db)
        sqlite3_close_v2(s->db);
    mn__free(s);
    if (create)
        unlink(path);
    return st;
}

void mn_store_close(mn_store *store)
{
    if (!store)
        return;
    mn__store_forget(store);
    sqlite3_close_v2(store->db);
    mn__free(store);
}

int mn_store_schema_version(const mn_store *store)
{
    return store ? store->schema_version : 0;
}

mn_status mn_store_set_actor(mn_store *store, const char *actor)
{
    if (!store || !actor || !actor[0] || strlen(actor) >= sizeof store->actor)
        return MN_EINVAL;
    snprintf(store->actor, sizeof store->actor, "%s", actor);
    return MN_OK;
}

void mn_store_set_words(mn_store *store, mn_store_words words)
{
    if (store)
        store->words = words;
}

mn_status mn_store_set_durable(mn_ctx *ctx, mn_store *store, int durable)
{
    if (!store)
        return mn__error(ctx, MN_EINVAL, "store: no database");
    return mn__store_exec(ctx, store,
                          durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
}

mn_status mn_store_migrate(mn_ctx *ctx, mn_store *store, int *from)
{
    if (!store)
        return mn__error(ctx, MN_EINVAL, "store: no database");
    mn_status st = mn__store_begin(ctx, store);
    if (st)
        return st;
    int version = 0;
    st = read_version(ctx, store, &version);
    if (!st && from)
        *from = version;
    if (!st)
        st = migrate_to(ctx, store, version, MN_STORE_SCHEMA_VERSION);
    return mn__store_end(ctx, store, st);
}

/* ---- the audit log ---- */

static const char zero_hash[] = "0000000000000000000000000000000000000000000000000000000000000000";

/* The chain hash of one entry. */
static void chain_hash(const char *prev, sqlite3_int64 seq, const char *at, const char *actor,
                       const char *action, const char *entity, const char *row_hash,
                       const char *detail, char out[65])
{
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    char num[32];
    snprintf(num, sizeof num, "%lld", (long long)seq);
    const char *parts[] = {prev, num, at, actor, action, entity, row_hash, detail};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        /* Each part with its length first, so no two different entries hash alike. */
        char len[24];
        int n = snprintf(len, sizeof len, "%zu:", strlen(parts[i]));
        crypto_hash_sha256_update(&h, (const unsigned char *)len, (unsigned long long)n);
        crypto_hash_sha256_update(&h, (const unsigned char *)parts[i],
                                  (unsigned long long)strlen(parts[i]));
    }
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&h, digest);
    mn__hex(digest, sizeof digest, out);
}

mn_status mn__store_audit(mn_ctx *ctx, mn_store *s, const char *action, const char *table,
                          sqlite3_int64 rowid, const char *detail)
{
    assert(s->in_tx);
    const tracked *t = find_table(table);
    assert(t);
    char sql[1024], row_hash[65] = "";
    sqlite3_stmt *q = NULL;
    mn_status st;
    /* The row's content now (nothing after a delete). */
    snprintf(sql, sizeof sql, "SELECT mn_rowhash(key, content) FROM (%s AND %s.rowid = ?1)",
             tracked_rows(t, s->schema_version), t->alias);
    if ((st = mn__store_prepare_kept(ctx, s, sql, &q)))
        return st;
    sqlite3_bind_int64(q, 1, rowid);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        snprintf(row_hash, sizeof row_hash, "%s", (const char *)sqlite3_column_text(q, 0));
    else if (rc != SQLITE_DONE)
        st = mn__store_fail(ctx, s, "cannot read a row for the audit log");
    mn__store_done(s, q);
    if (st)
        return st;

    char prev[65];
    sqlite3_int64 seq = 1;
    if ((st = mn__store_prepare_kept(ctx, s,
                                     "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", &q)))
        return st;
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        seq = sqlite3_column_int64(q, 0) + 1;
        snprintf(prev, sizeof prev, "%s", (const char *)sqlite3_column_text(q, 1));
    } else {
        snprintf(prev, sizeof prev, "%s", zero_hash);
        if (rc != SQLITE_DONE)
            st = mn__store_fail(ctx, s, "cannot read the audit log");
    }
    mn__store_done(s, q);
    if (st)
        return st;

    char at[32], entity[96], hash[65];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(entity, sizeof entity, "%s:%lld", table, (long long)rowid);
    if (!detail)
        detail = "";
    chain_hash(prev, seq, at, s->actor, action, entity, row_hash, detail, hash);
    if ((st = mn__store_prepare_kept(ctx, s,
                                     "INSERT INTO audit(seq, at, actor, action, entity, row_hash, "
                                     "detail, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                     &q)))
        return st;
    sqlite3_bind_int64(q, 1, seq);
    sqlite3_bind_text(q, 2, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, s->actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, entity, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 6, row_hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 7, detail, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 8, hash, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE)
        st = mn__store_fail(ctx, s, "cannot append to the audit log");
    mn__store_done(s, q);
    return st;
}

/* ---- the check ---- */

static void problem(mn_store_check_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void problem(mn_store_check_result *r, const char *fmt, ...)
{
    if (r->problem[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->problem, sizeof r->problem, fmt, ap);
    va_end(ap);
}

/* Walks the chain in order, recomputing every hash. */
static mn_status check_chain(mn_ctx *ctx, mn_store *s, mn_store_check_result *r)
{
    sqlite3_stmt *q;
    mn_status st = mn__store_prepare(
        ctx, s,
        "SELECT seq, at, actor, action, entity, row_hash, detail, hash FROM audit ORDER BY seq",
        &q);
    if (st)
        return st;
    char prev[65], want[65];
    snprintf(prev, sizeof prev, "%s", zero_hash);
    sqlite3_int64 expect = 1;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        sqlite3_int64 seq = sqlite3_column_int64(q, 0);
        const char *txt[7];
        for (int i = 0; i < 7; i++) {
            txt[i] = (const char *)sqlite3_column_text(q, i + 1);
            if (!txt[i])
                txt[i] = "";
        }
        r->audit_entries++;
        if (seq != expect) {
            r->audit_ok = 0;
            problem(r, "audit log: entry %lld is missing (the sequence has a gap)",
                    (long long)expect);
            break;
        }
        chain_hash(prev, seq, txt[0], txt[1], txt[2], txt[3], txt[4], txt[5], want);
        if (strcmp(want, txt[6]) != 0) {
            r->audit_ok = 0;
            problem(r, "audit log: entry %lld does not match its hash (edited)", (long long)seq);
            break;
        }
        snprintf(prev, sizeof prev, "%s", txt[6]);
        expect++;
    }
    mn__store_done(s, q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return mn__store_fail(ctx, s, "cannot read the audit log");
    return MN_OK;
}

/* Compares every record row with its last audit entry, and every entity the log says exists
 * with the tables. */
/* Runs a query giving (count, first id) of a table's rows with a problem and, when there are
 * any, marks the audit failed with "TABLE: row ID WHAT". */
static mn_status count_bad_rows(mn_ctx *ctx, mn_store *s, const char *sql, mn_store_check_result *r,
                                const char *table, const char *what)
{
    sqlite3_stmt *q;
    mn_status st = mn__store_prepare(ctx, s, sql, &q);
    if (st)
        return st;
    if (sqlite3_step(q) == SQLITE_ROW) {
        if (sqlite3_column_int64(q, 0) > 0) {
            r->audit_ok = 0;
            problem(r, "%s: row %lld %s", table, (long long)sqlite3_column_int64(q, 1), what);
        }
    } else {
        st = mn__store_fail(ctx, s, "cannot check the records");
    }
    mn__store_done(s, q);
    return st;
}

static mn_status check_rows(mn_ctx *ctx, mn_store *s, mn_store_check_result *r)
{
    mn_status st =
        mn__store_exec(ctx, s,
                       "DROP TABLE IF EXISTS temp.mn_last;"
                       "CREATE TEMP TABLE mn_last AS SELECT entity, row_hash, action FROM audit"
                       " WHERE seq IN (SELECT max(seq) FROM audit GROUP BY entity);"
                       "CREATE UNIQUE INDEX temp.mn_last_entity ON mn_last(entity);");
    if (st)
        return st;
    for (int i = 0; i < N_TABLES && !st; i++) {
        const tracked *t = &tables[i];
        if (t->since > s->schema_version)
            continue; /* an older file (db check before db migrate) has no such table */
        char sql[1400];
        /* Rows whose content differs from what the log last recorded (or that the log never
         * recorded): the first one's id. */
        snprintf(sql, sizeof sql,
                 "SELECT count(*), min(r.id) FROM (%s) AS r"
                 " LEFT JOIN mn_last l ON l.entity = '%s:' || r.id"
                 " WHERE l.row_hash IS NOT mn_rowhash(r.key, r.content)",
                 tracked_rows(t, s->schema_version), t->table);
        if ((st = count_bad_rows(ctx, s, sql, r, t->table,
                                 "differs from its last audit entry (changed outside mneedle)")))
            break;
        /* Rows the log says exist but the table lacks (deleted outside mneedle). */
        snprintf(sql, sizeof sql,
                 "SELECT count(*), min(CAST(substr(l.entity, %d) AS INTEGER)) FROM mn_last l"
                 " WHERE l.entity LIKE '%s:%%' AND l.row_hash != ''"
                 " AND NOT EXISTS (SELECT 1 FROM %s t WHERE t.rowid ="
                 " CAST(substr(l.entity, %d) AS INTEGER))",
                 (int)strlen(t->table) + 2, t->table, t->table, (int)strlen(t->table) + 2);
        if ((st = count_bad_rows(ctx, s, sql, r, t->table,
                                 "is in the audit log but missing (deleted outside mneedle)")))
            break;
        /* Rows checked: those of this table. */
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", t->table);
        sqlite3_stmt *q;
        if (!(st = mn__store_prepare(ctx, s, sql, &q))) {
            if (sqlite3_step(q) == SQLITE_ROW)
                r->rows_checked += (long)sqlite3_column_int64(q, 0);
            mn__store_done(s, q);
        }
    }
    sqlite3_exec(s->db, "DROP TABLE IF EXISTS temp.mn_last", NULL, NULL, NULL);
    return st;
}

mn_status mn_store_check(mn_ctx *ctx, mn_store *store, mn_store_check_result *out)
{
    if (!store || !out)
        return mn__error(ctx, MN_EINVAL, "store: no database");
    memset(out, 0, sizeof *out);
    out->schema_version = store->schema_version;
    out->audit_ok = 1;
    sqlite3_stmt *q;
    /* One read transaction, so the check sees one state of the file while others write. */
    mn_status st = mn__store_exec(ctx, store, "BEGIN");
    if (st)
        return st;
    if ((st = mn__store_prepare(ctx, store, "PRAGMA integrity_check", &q)))
        goto done;
    out->integrity_ok = 1;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *line = (const char *)sqlite3_column_text(q, 0);
        if (!line || strcmp(line, "ok") != 0) {
            out->integrity_ok = 0;
            problem(out, "integrity_check: %s", line ? line : "?");
            break;
        }
    }
    mn__store_done(store, q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        out->integrity_ok = 0;
        problem(out, "integrity_check: %s (%d)", sqlite3_errmsg(store->db), rc);
    }
    if ((st = mn__store_prepare(ctx, store, "PRAGMA foreign_key_check", &q)))
        goto done;
    out->foreign_keys_ok = 1;
    if (sqlite3_step(q) == SQLITE_ROW) {
        out->foreign_keys_ok = 0;
        problem(out, "foreign_key_check: a row of %s (rowid %lld) refers to a missing row",
                (const char *)sqlite3_column_text(q, 0), (long long)sqlite3_column_int64(q, 1));
    }
    mn__store_done(store, q);
    if (out->integrity_ok) {
        if (!(st = check_chain(ctx, store, out)))
            st = check_rows(ctx, store, out);
    } else {
        out->audit_ok = 0;
    }
done:
    sqlite3_exec(store->db, "COMMIT", NULL, NULL, NULL);
    return st;
}

/* ---- the catalogue hash ---- */

void mn__store_catalogue_hash(const mn_ctx *ctx, int version, char out[65])
{
    /* The catalogue keeps each hash once made (its only field that changes after loading). */
    struct mn_catalog *cat = ctx ? ctx->catalog : NULL;
    int kept = cat && version >= 1 && version <= MN__CATALOG_HASH_VERSION;
    if (kept) {
        pthread_mutex_lock(&cat->hash_lock);
        if (cat->hashes[version][0]) {
            memcpy(out, cat->hashes[version], 65);
            pthread_mutex_unlock(&cat->hash_lock);
            return;
        }
    }
    int whole = 1; /* every file serialised (a failed allocation is not kept) */
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    /* The files a plan is made from, as the definition names them (never the scales: they do
     * not change a plan). */
    for (int i = 0; cat && i < MN__CATALOG_FILES; i++) {
        if (!mn__catalog_hash_covers(version, i) || !cat->roots[i])
            continue;
        size_t need = json_dumpb(cat->roots[i], NULL, 0, JSON_SORT_KEYS | JSON_COMPACT);
        char *text = need ? mn__malloc(need) : NULL;
        if (text && json_dumpb(cat->roots[i], text, need, JSON_SORT_KEYS | JSON_COMPACT) == need)
            crypto_hash_sha256_update(&h, (const unsigned char *)text, (unsigned long long)need);
        else
            whole = 0;
        /* A file's end, so moving bytes between files changes the hash. */
        crypto_hash_sha256_update(&h, (const unsigned char *)"", 1);
        mn__free(text);
    }
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&h, digest);
    mn__hex(digest, sizeof digest, out);
    if (kept) {
        if (whole)
            memcpy(cat->hashes[version], out, 65);
        pthread_mutex_unlock(&cat->hash_lock);
    }
}

void mn__store_catalogue_stamp(const mn_ctx *ctx, char out[MN__STORE_CATALOGUE_STAMP_LEN])
{
    _Static_assert(MN__CATALOG_HASH_VERSION >= 2, "definition 1 is stored bare, a later one with "
                                                  "its number");
    char hex[65];
    mn__store_catalogue_hash(ctx, MN__CATALOG_HASH_VERSION, hex);
    snprintf(out, MN__STORE_CATALOGUE_STAMP_LEN, "v%d:%s", MN__CATALOG_HASH_VERSION, hex);
}

/* 1 when s is exactly 64 lower-case hex digits. */
static int is_digest(const char *s)
{
    size_t n = strspn(s, "0123456789abcdef");
    return n == 64 && s[n] == '\0';
}

int mn__store_catalogue_stamp_read(const char *stored, char hex[65])
{
    hex[0] = '\0';
    if (!stored)
        return 0;
    int version = 1;
    const char *digits = stored;
    if (stored[0] == 'v') {
        char *end;
        long v = strtol(stored + 1, &end, 10);
        if (end == stored + 1 || *end != ':' || v < 2 || v > 1000)
            return 0;
        version = (int)v;
        digits = end + 1;
    }
    if (!is_digest(digits))
        return 0;
    memcpy(hex, digits, 65);
    return version;
}
