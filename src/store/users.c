/*
 * The users of the web workstation (mneedle serve) and the audit entries for reading a
 * client's record.
 *
 * Passwords are hashed with Argon2id through libsodium's crypto_pwhash_str at the
 * "interactive" limits (crypto_pwhash_OPSLIMIT_INTERACTIVE, _MEMLIMIT_INTERACTIVE: 2 passes
 * over 64 MiB, libsodium's recommendation for on-line logins; OWASP's password storage
 * cheat sheet asks for at least 19 MiB and 2 passes). The hash string carries its salt and
 * parameters, so a change of limits is found by crypto_pwhash_str_needs_rehash at the next
 * sign-in and the hash replaced then.
 */
#include <sodium.h>
#include <string.h>

#include "store/store_internal.h"

static const char *const role_names[] = {"read-only", "practitioner", "admin"};

const char *mn_store_role_name(mn_store_role role)
{
    return role >= MN_ROLE_READONLY && role <= MN_ROLE_ADMIN ? role_names[role] : "?";
}

int mn_store_role_parse(const char *name, mn_store_role *out)
{
    for (int i = 0; name && i < 3; i++)
        if (!strcmp(name, role_names[i])) {
            *out = (mn_store_role)i;
            return 1;
        }
    return 0;
}

static int name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n >= MN_STORE_USER_LEN)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

static mn_status password_ok(mn_ctx *ctx, const char *password)
{
    size_t n = password ? strlen(password) : 0;
    if (n < MN_STORE_PASSWORD_MIN || n > MN_STORE_PASSWORD_MAX)
        return mn__error(ctx, MN_EINVAL, "users: a password has %d to %d bytes",
                         MN_STORE_PASSWORD_MIN, MN_STORE_PASSWORD_MAX);
    /* The sign-in form refuses text that is not UTF-8 (docs/serve.md), so a password that is
     * not could be stored and never typed. */
    if (!mn__utf8_valid(password, n))
        return mn__error(ctx, MN_EINVAL,
                         "users: the password is not UTF-8 text, which no sign-in form can send");
    return MN_OK;
}

/* A hash of a random password nobody kept (48 hex digits from randombytes_buf), made once with
 * crypto_pwhash_str at libsodium's interactive limits, as every user's hash is (2 passes over
 * 64 MiB, one lane): what an unknown name is checked against. A constant, not state; the unit
 * test checks that it still has this build's limits (crypto_pwhash_str_needs_rehash). */
const char mn__store_dummy_pwhash[] = "$argon2id$v=19$m=65536,t=2,p=1$3kbAW5wg8n4osdo8nndYeQ$"
                                      "mMaIT2iqBzf3p2VV6b7PNCQ5+Wzo+NPy4h+x8DUK9kY";

static mn_status hash_password(mn_ctx *ctx, const char *password, char out[crypto_pwhash_STRBYTES])
{
    if (sodium_init() < 0)
        return mn__error(ctx, MN_EIO, "users: libsodium cannot start");
    if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return mn__error(ctx, MN_ENOMEM, "users: not enough memory to hash a password");
    return MN_OK;
}

/* Replaces the hash of user row @p id, audited; inside the caller's transaction. A new
 * password (@p new_password) raises the user's generation, so that every server ends the
 * sessions begun under the old one; a rehash of the same password does not. */
static mn_status store_hash(mn_ctx *ctx, mn_store *s, sqlite3_int64 id, const char *hash,
                            const char *detail, int new_password)
{
    sqlite3_stmt *q;
    mn_status st = mn__store_prepare(
        ctx, s,
        new_password ? "UPDATE users SET pwhash = ?, generation = generation + 1 WHERE id = ?"
                     : "UPDATE users SET pwhash = ? WHERE id = ?",
        &q);
    if (st)
        return st;
    sqlite3_bind_text(q, 1, hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, id);
    if (!(st = mn__store_run(ctx, s, q, "user")))
        st = mn__store_audit(ctx, s, "update", "users", id, detail);
    return st;
}

mn_status mn_store_user_add(mn_ctx *ctx, mn_store *store, const char *name, mn_store_role role,
                            const char *password)
{
    if (!store)
        return mn__error(ctx, MN_EINVAL, "store: no database");
    if (!name_ok(name))
        return mn__error(ctx, MN_EINVAL,
                         "users: a user name is 1 to %d letters, digits, '.', '_' or '-'",
                         MN_STORE_USER_LEN - 1);
    if (role < MN_ROLE_READONLY || role > MN_ROLE_ADMIN)
        return mn__error(ctx, MN_EINVAL, "users: no such role");
    mn_status st = password_ok(ctx, password);
    char hash[crypto_pwhash_STRBYTES];
    if (st || (st = hash_password(ctx, password, hash)))
        return st;
    mn_date today;
    char day[16];
    if ((st = mn__store_today(ctx, &today)))
        return st;
    mn_date_format(today, day);
    if ((st = mn__store_begin(ctx, store)))
        return st;
    sqlite3_stmt *q;
    if (!(st = mn__store_prepare(
              ctx, store, "INSERT INTO users(name, role, pwhash, created) VALUES (?, ?, ?, ?)",
              &q))) {
        sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, mn_store_role_name(role), -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 4, day, -1, SQLITE_STATIC);
        st = mn__store_run(ctx, store, q, "user");
        if (st == MN_EINVAL)
            st = mn__error(ctx, MN_EINVAL, "users: \"%s\" exists already", name);
    }
    if (!st)
        st = mn__store_audit(ctx, store, "insert", "users", sqlite3_last_insert_rowid(store->db),
                             mn_store_role_name(role));
    sodium_memzero(hash, sizeof hash);
    return mn__store_end(ctx, store, st);
}

/* The row of user @p name: id, role, hash (hash_out: crypto_pwhash_STRBYTES), disabled.
 * MN_ENOTFOUND when there is none. */
static mn_status find_user(mn_ctx *ctx, mn_store *s, const char *name, sqlite3_int64 *id,
                           mn_store_role *role, char *hash_out, int *disabled)
{
    sqlite3_stmt *q;
    mn_status st = mn__store_prepare(
        ctx, s, "SELECT id, role, pwhash, disabled FROM users WHERE name = ?", &q);
    if (st)
        return st;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(q, 0);
        const char *r = (const char *)sqlite3_column_text(q, 1);
        if (!mn_store_role_parse(r, role))
            *role = MN_ROLE_READONLY;
        const char *h = (const char *)sqlite3_column_text(q, 2);
        snprintf(hash_out, crypto_pwhash_STRBYTES, "%s", h ? h : "");
        *disabled = sqlite3_column_int(q, 3);
    } else if (rc == SQLITE_DONE) {
        st = MN_ENOTFOUND;
    } else {
        st = mn__store_fail(ctx, s, "cannot read the users");
    }
    sqlite3_finalize(q);
    return st;
}

mn_status mn_store_user_set_password(mn_ctx *ctx, mn_store *store, const char *name,
                                     const char *password)
{
    if (!store || !name)
        return mn__error(ctx, MN_EINVAL, "store: no database");
    mn_status st = password_ok(ctx, password);
    char hash[crypto_pwhash_STRBYTES], old[crypto_pwhash_STRBYTES];
    if (st || (st = hash_password(ctx, password, hash)))
        return st;
    if ((st = mn__store_begin(ctx, store)))
        return st;
    sqlite3_int64 id;
    mn_store_role role;
    int disabled;
    st = find_user(ctx, store, name, &id, &role, old, &disabled);
    if (st == MN_ENOTFOUND)
        st = mn__error(ctx, MN_ENOTFOUND, "users: no user \"%.63s\"", name);
    if (!st)
        st = store_hash(ctx, store, id, hash, "password", 1);
    sodium_memzero(hash, sizeof hash);
    return mn__store_end(ctx, store, st);
}

/* The user list's column of why a user is disabled, for a row that holds no reason (one
 * disabled before schema 5): the latest audit entry that disabled it (an admin's "disabled",
 * the sign-in failures' "disabled: N failed sign-ins in a row"), found through the index of the
 * audit on (entity, seq). */
#define REASON_FROM_AUDIT                                                                          \
    "(SELECT CASE WHEN a.detail = 'disabled' THEN 'admin' ELSE 'failed-sign-ins' END FROM audit "  \
    "a WHERE a.entity = 'users:' || u.id AND a.action = 'update' AND (a.detail = 'disabled' OR "   \
    "a.detail LIKE 'disabled:%') ORDER BY a.seq DESC LIMIT 1)"

/* Why a user is disabled, from its row's reason or the audit log's (REASON_FROM_AUDIT) as
 * "admin" or "failed-sign-ins": NULL when enabled or when nothing says. */
#define REASON "CASE WHEN u.disabled THEN coalesce(u.disabled_why, " REASON_FROM_AUDIT ") END"

static mn_store_disabled_by reason_of(const char *why)
{
    if (!why)
        return MN_STORE_DISABLED_NONE;
    return strcmp(why, "admin") ? MN_STORE_DISABLED_FAILURES : MN_STORE_DISABLED_ADMIN;
}

static const char *reason_text(mn_store_disabled_by by)
{
    return by == MN_STORE_DISABLED_ADMIN ? "admin" : "failed-sign-ins";
}

/* Why user row @p id is disabled (MN_STORE_DISABLED_NONE: enabled, or nothing says). */
static mn_status disabled_reason(mn_ctx *ctx, mn_store *s, sqlite3_int64 id,
                                 mn_store_disabled_by *by)
{
    sqlite3_stmt *q;
    mn_status st = mn__store_prepare(ctx, s, "SELECT " REASON " FROM users u WHERE u.id = ?", &q);
    if (st)
        return st;
    sqlite3_bind_int64(q, 1, id);
    if (sqlite3_step(q) == SQLITE_ROW)
        *by = reason_of((const char *)sqlite3_column_text(q, 0));
    else
        st = mn__store_fail(ctx, s, "cannot read the users");
    sqlite3_finalize(q);
    return st;
}

mn_status mn_store_user_set_disabled(mn_ctx *ctx, mn_store *store, const char *name, int disabled,
                                     mn_store_disabled_by *was)
{
    if (was)
        *was = MN_STORE_DISABLED_NONE;
    if (!store || !name)
        return mn__error(ctx, MN_EINVAL, "store: no database");
    mn_status st = mn__store_begin(ctx, store);
    if (st)
        return st;
    sqlite3_int64 id;
    mn_store_role role;
    int before = 0;
    char hash[crypto_pwhash_STRBYTES];
    st = find_user(ctx, store, name, &id, &role, hash, &before);
    sodium_memzero(hash, sizeof hash);
    if (st == MN_ENOTFOUND)
        st = mn__error(ctx, MN_ENOTFOUND, "users: no user \"%.63s\"", name);
    /* A user disabled already (by the lock of failed sign-ins, say, while the admin's page was
     * open) keeps the reason it was disabled for: /users goes on saying it, and the admin's
     * Disable is logged beside it. Its generation is raised all the same, so no session of it
     * is left in any server. (One whose reason nothing says is disabled by this admin.) */
    mn_store_disabled_by by = MN_STORE_DISABLED_NONE;
    if (!st && before)
        st = disabled_reason(ctx, store, id, &by);
    /* A user enabled already is left as it is, and nothing is logged: an "enabled" entry
     * would start its count of failed sign-ins in a row again (disable_after_failures), so an
     * Enable of an active user (a page opened before another admin enabled it, or a form sent
     * twice) would quietly clear what the lock counts. */
    if (!st && !disabled && !before)
        return mn__store_end(ctx, store, MN_OK);
    /* Enabled: why it was disabled (one whose reason nothing says, as an admin's). */
    mn_store_disabled_by enabled_from = by == MN_STORE_DISABLED_NONE ? MN_STORE_DISABLED_ADMIN : by;
    if (!disabled)
        by = MN_STORE_DISABLED_NONE; /* the SQL below binds no reason */
    char detail[80];
    const char *sql;
    if (!disabled) {
        sql = "UPDATE users SET disabled = 0, disabled_why = NULL WHERE id = ?1";
        snprintf(detail, sizeof detail, "enabled");
    } else if (by == MN_STORE_DISABLED_NONE) {
        sql = "UPDATE users SET disabled = 1, disabled_why = 'admin', generation = generation + 1 "
              "WHERE id = ?1";
        snprintf(detail, sizeof detail, "disabled");
    } else {
        /* The reason is written to the row too when only the log held it (schema 4). */
        sql = "UPDATE users SET disabled_why = ?2, generation = generation + 1 WHERE id = ?1";
        if (by == MN_STORE_DISABLED_FAILURES)
            snprintf(detail, sizeof detail,
                     "disabled again (disabled already: %d failed sign-ins in a row)",
                     MN_STORE_SIGNIN_FAILURES_DISABLE);
        else
            snprintf(detail, sizeof detail, "disabled again (disabled already by an admin)");
    }
    sqlite3_stmt *q;
    if (!st && !(st = mn__store_prepare(ctx, store, sql, &q))) {
        sqlite3_bind_int64(q, 1, id);
        if (by != MN_STORE_DISABLED_NONE)
            sqlite3_bind_text(q, 2, reason_text(by), -1, SQLITE_STATIC);
        if (!(st = mn__store_run(ctx, store, q, "user")))
            st = mn__store_audit(ctx, store, "update", "users", id, detail);
    }
    st = mn__store_end(ctx, store, st);
    if (!st && was)
        *was = disabled ? by : enabled_from;
    return st;
}

mn_status mn_store_user_verify(mn_ctx *ctx, mn_store *store, const char *name, const char *password,
                               mn_store_role *role)
{
    if (!store || !name || !password)
        return mn__error(ctx, MN_EINVAL, "store: no database");
    if (sodium_init() < 0)
        return mn__error(ctx, MN_EIO, "users: libsodium cannot start");
    static const char wrong[] = "wrong user name or password";
    size_t plen = strlen(password);
    if (plen > MN_STORE_PASSWORD_MAX)
        return mn__error(ctx, MN_EINVAL, "%s", wrong);
    char hash[crypto_pwhash_STRBYTES];
    sqlite3_int64 id = 0;
    mn_store_role r = MN_ROLE_READONLY;
    int disabled = 0;
    mn_status st =
        name_ok(name) ? find_user(ctx, store, name, &id, &r, hash, &disabled) : MN_ENOTFOUND;
    if (st && st != MN_ENOTFOUND)
        return st;
    int found = st == MN_OK;
    if (!found)
        snprintf(hash, sizeof hash, "%s", mn__store_dummy_pwhash);
    /* One Argon2id run either way: an unknown name is checked against a hash made as a real
     * user's is, so timing does not tell which names exist. (Hashing a random password here
     * as well made an unknown name cost two runs against a known name's one.) */
    store->pwhash_runs++;
    int ok = crypto_pwhash_str_verify(hash, password, plen) == 0;
    if (!found || !ok || disabled)
        return mn__error(ctx, MN_EINVAL, "%s", wrong);
    if (role)
        *role = r;
    if (crypto_pwhash_str_needs_rehash(hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                       crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        char fresh[crypto_pwhash_STRBYTES];
        store->pwhash_runs++;
        if ((st = hash_password(ctx, password, fresh)))
            return st;
        if (!(st = mn__store_begin(ctx, store)))
            st = mn__store_end(ctx, store, store_hash(ctx, store, id, fresh, "rehash", 0));
        sodium_memzero(fresh, sizeof fresh);
    }
    return st;
}

mn_status mn_store_user_state(mn_ctx *ctx, mn_store *store, const char *name,
                              mn_store_user_now *out)
{
    if (!store || !name || !out)
        return mn__error(ctx, MN_EINVAL, "store: no database");
    memset(out, 0, sizeof *out);
    sqlite3_stmt *q;
    /* Kept prepared: a server runs it before every signed-in request. */
    mn_status st = mn__store_prepare_kept(
        ctx, store, "SELECT role, disabled, disabled_why, generation FROM users WHERE name = ?",
        &q);
    if (st)
        return st;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        if (!mn_store_role_parse((const char *)sqlite3_column_text(q, 0), &out->role))
            out->role = MN_ROLE_READONLY;
        out->disabled = sqlite3_column_int(q, 1);
        out->disabled_by = out->disabled ? reason_of((const char *)sqlite3_column_text(q, 2))
                                         : MN_STORE_DISABLED_NONE;
        out->generation = sqlite3_column_int64(q, 3);
    } else if (rc == SQLITE_DONE) {
        st = mn__error(ctx, MN_ENOTFOUND, "users: no user \"%.63s\"", name);
    } else {
        st = mn__store_fail(ctx, store, "cannot read the users");
    }
    mn__store_done(store, q);
    return st;
}

mn_status mn_store_user_last_change(mn_ctx *ctx, mn_store *store, const char *name,
                                    mn_store_user_change *what, char actor[MN_STORE_USER_LEN])
{
    if (!store || !name || !what || !actor)
        return mn__error(ctx, MN_EINVAL, "store: no database");
    *what = MN_STORE_CHANGE_NONE;
    actor[0] = '\0';
    sqlite3_stmt *q;
    /* Through the index of the audit on (entity, seq), newest first: the user's latest change
     * of its row but a rehash (which changes no password). */
    mn_status st = mn__store_prepare(
        ctx, store,
        "SELECT a.actor, a.detail FROM users u JOIN audit a ON a.entity = 'users:' || u.id WHERE "
        "u.name = ? AND a.action = 'update' AND a.detail <> 'rehash' ORDER BY a.seq DESC LIMIT 1",
        &q);
    if (st)
        return st;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        const char *detail = (const char *)sqlite3_column_text(q, 1);
        detail = detail ? detail : "";
        mn__store_col_text(q, 0, actor, MN_STORE_USER_LEN);
        if (!strcmp(detail, "password"))
            *what = MN_STORE_CHANGE_PASSWORD;
        else if (!strcmp(detail, "enabled"))
            *what = MN_STORE_CHANGE_ENABLED;
        else if (!strncmp(detail, "disabled:", 9))
            *what = MN_STORE_CHANGE_LOCKED;
        else if (!strncmp(detail, "disabled", 8))
            *what = MN_STORE_CHANGE_DISABLED;
    } else if (rc != SQLITE_DONE) {
        st = mn__store_fail(ctx, store, "cannot read the audit log");
    }
    sqlite3_finalize(q);
    return st;
}

mn_status mn_store_user_count(mn_ctx *ctx, mn_store *store, int *n)
{
    if (!store || !n)
        return mn__error(ctx, MN_EINVAL, "store: no database");
    sqlite3_stmt *q;
    mn_status st =
        mn__store_prepare(ctx, store, "SELECT count(*) FROM users WHERE disabled = 0", &q);
    if (st)
        return st;
    if (sqlite3_step(q) == SQLITE_ROW)
        *n = sqlite3_column_int(q, 0);
    else
        st = mn__store_fail(ctx, store, "cannot count the users");
    sqlite3_finalize(q);
    return st;
}

mn_status mn_store_user_list(mn_ctx *ctx, mn_store *store, mn_store_user **out, int *n)
{
    if (!store || !out || !n)
        return mn__error(ctx, MN_EINVAL, "store: no database");
    *out = NULL;
    *n = 0;
    sqlite3_stmt *q;
    /* Why a disabled user is: its row's reason; for a row disabled before schema 5 kept one,
     * the audit entry that disabled it (looked up for those rows alone). */
    mn_status st =
        mn__store_prepare(ctx, store,
                          "SELECT u.name, u.role, u.created, u.disabled, " REASON " FROM users u "
                          "ORDER BY u.name",
                          &q);
    if (st)
        return st;
    int cap = 0, rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            mn_store_user *grown = mn__realloc(*out, (size_t)cap * sizeof **out);
            if (!grown) {
                st = mn__error(ctx, MN_ENOMEM, "users: out of memory");
                break;
            }
            *out = grown;
        }
        mn_store_user *u = &(*out)[(*n)++];
        memset(u, 0, sizeof *u);
        const char *name = (const char *)sqlite3_column_text(q, 0);
        const char *created = (const char *)sqlite3_column_text(q, 2);
        snprintf(u->name, sizeof u->name, "%s", name ? name : "");
        if (!mn_store_role_parse((const char *)sqlite3_column_text(q, 1), &u->role))
            u->role = MN_ROLE_READONLY;
        snprintf(u->created, sizeof u->created, "%s", created ? created : "");
        u->disabled = sqlite3_column_int(q, 3);
        u->disabled_by = reason_of((const char *)sqlite3_column_text(q, 4));
    }
    if (!st && rc != SQLITE_DONE)
        st = mn__store_fail(ctx, store, "cannot read the users");
    sqlite3_finalize(q);
    if (st) {
        mn__free(*out);
        *out = NULL;
        *n = 0;
    }
    return st;
}

void mn_store_user_list_free(mn_store_user *list)
{
    mn__free(list);
}

mn_status mn_store_audit_read(mn_ctx *ctx, mn_store *store, const char *id, const char *what)
{
    if (!store || !id || !what)
        return mn__error(ctx, MN_EINVAL, "store: no database");
    if (store->readonly)
        return mn__error(ctx, MN_EINVAL, "%s: opened read-only: reads cannot be audited",
                         store->path);
    mn_status st = mn__store_begin(ctx, store);
    if (st)
        return st;
    sqlite3_int64 num;
    if (!(st = mn__store_client_num(ctx, store, id, &num)))
        st = mn__store_audit(ctx, store, "read", "clients", num, what);
    return mn__store_end(ctx, store, st);
}

mn_status mn_store_audit_reads(mn_ctx *ctx, mn_store *store, mn_store_audit_entry *entries, int n)
{
    if (!store || (n && !entries) || n < 0)
        return mn__error(ctx, MN_EINVAL, "store: no database");
    if (store->readonly)
        return mn__error(ctx, MN_EINVAL, "%s: opened read-only: reads cannot be audited",
                         store->path);
    if (!n)
        return MN_OK;
    char own[sizeof store->actor];
    memcpy(own, store->actor, sizeof own);
    mn_status st = mn__store_begin(ctx, store);
    for (int i = 0; i < n; i++)
        entries[i].status = st;
    if (st)
        return st;
    for (int i = 0; i < n && !st; i++) {
        mn_store_audit_entry *e = &entries[i];
        sqlite3_int64 num;
        if (!e->id || !e->what || mn_store_set_actor(store, e->actor ? e->actor : own)) {
            e->status = MN_EINVAL;
            continue;
        }
        e->status = mn__store_client_num(ctx, store, e->id, &num);
        if (e->status == MN_ENOTFOUND || e->status == MN_EINVAL)
            continue; /* this entry alone */
        if (!e->status)
            e->status = mn__store_audit(ctx, store, "read", "clients", num, e->what);
        st = e->status;
    }
    memcpy(store->actor, own, sizeof own);
    st = mn__store_end(ctx, store, st);
    for (int i = 0; st && i < n; i++)
        entries[i].status = st;
    return st;
}

/* The failed sign-ins of user @p id since its last sign-in, or since an admin last enabled it,
 * read from the audit log (so a restart of the server does not reset them); at
 * MN_STORE_SIGNIN_FAILURES_DISABLE the user is disabled, with its entry, in the caller's
 * transaction, and @p disabled set. */
static mn_status disable_after_failures(mn_ctx *ctx, mn_store *s, sqlite3_int64 id, int *disabled)
{
    char entity[40];
    snprintf(entity, sizeof entity, "users:%lld", (long long)id);
    sqlite3_stmt *q;
    mn_status st = mn__store_prepare(
        ctx, s,
        "SELECT count(*) FROM audit WHERE entity = ?1 AND action = 'signin-failed' AND seq > "
        "(SELECT coalesce(max(seq), 0) FROM audit WHERE entity = ?1 AND (action = 'signin' OR "
        "(action = 'update' AND detail = 'enabled')))",
        &q);
    if (st)
        return st;
    sqlite3_bind_text(q, 1, entity, -1, SQLITE_STATIC);
    long failures = 0;
    if (sqlite3_step(q) == SQLITE_ROW)
        failures = (long)sqlite3_column_int64(q, 0);
    else
        st = mn__store_fail(ctx, s, "cannot count the failed sign-ins");
    mn__store_done(s, q);
    if (st || failures < MN_STORE_SIGNIN_FAILURES_DISABLE)
        return st;
    if ((st = mn__store_prepare(ctx, s,
                                "UPDATE users SET disabled = 1, disabled_why = 'failed-sign-ins', "
                                "generation = generation + 1 WHERE id = ?",
                                &q)))
        return st;
    sqlite3_bind_int64(q, 1, id);
    if ((st = mn__store_run(ctx, s, q, "user")))
        return st;
    char why[80];
    snprintf(why, sizeof why, "disabled: %d failed sign-ins in a row",
             MN_STORE_SIGNIN_FAILURES_DISABLE);
    if (!(st = mn__store_audit(ctx, s, "update", "users", id, why)))
        *disabled = 1;
    return st;
}

mn_status mn_store_audit_signin(mn_ctx *ctx, mn_store *store, const char *name, const char *action,
                                const char *detail, int *disabled_now)
{
    int now_disabled = 0;
    if (disabled_now)
        *disabled_now = 0;
    if (!store || !name || !action)
        return mn__error(ctx, MN_EINVAL, "store: no database");
    if (strcmp(action, "signin") && strcmp(action, "signin-failed") && strcmp(action, "locked"))
        return mn__error(ctx, MN_EINVAL, "store: no such sign-in event \"%.20s\"", action);
    if (store->readonly)
        return mn__error(ctx, MN_EINVAL, "%s: opened read-only: sign-ins cannot be audited",
                         store->path);
    char own[sizeof store->actor];
    memcpy(own, store->actor, sizeof own);
    mn_status st = mn__store_begin(ctx, store);
    if (st)
        return st;
    sqlite3_int64 id = 0;
    mn_store_role role;
    int disabled = 0;
    char hash[crypto_pwhash_STRBYTES];
    st = name_ok(name) ? find_user(ctx, store, name, &id, &role, hash, &disabled) : MN_ENOTFOUND;
    sodium_memzero(hash, sizeof hash);
    if (st == MN_ENOTFOUND) {
        id = 0;
        st = MN_OK;
    }
    if (!st && mn_store_set_actor(store, id ? name : "unknown"))
        st = mn__error(ctx, MN_EINVAL, "users: a malformed name");
    if (!st)
        st = mn__store_audit(ctx, store, action, "users", id, detail);
    if (!st && id && !disabled && !strcmp(action, "signin-failed"))
        st = disable_after_failures(ctx, store, id, &now_disabled);
    memcpy(store->actor, own, sizeof own);
    st = mn__store_end(ctx, store, st);
    if (!st && disabled_now)
        *disabled_now = now_disabled;
    return st;
}

mn_status mn_store_audit_sessions_ended(mn_ctx *ctx, mn_store *store, const char *name, int ended,
                                        const char *why, const char *actor)
{
    if (!store || !name || !why || ended < 0)
        return mn__error(ctx, MN_EINVAL, "store: no database");
    if (store->readonly)
        return mn__error(ctx, MN_EINVAL, "%s: opened read-only: sessions cannot be audited",
                         store->path);
    char own[sizeof store->actor];
    memcpy(own, store->actor, sizeof own);
    if (actor && mn_store_set_actor(store, actor)) /* which leaves the actor as it was */
        return mn__error(ctx, MN_EINVAL, "users: a malformed actor");
    mn_status st = mn__store_begin(ctx, store);
    if (!st) {
        sqlite3_int64 id = 0;
        mn_store_role role;
        int disabled;
        char hash[crypto_pwhash_STRBYTES];
        st =
            name_ok(name) ? find_user(ctx, store, name, &id, &role, hash, &disabled) : MN_ENOTFOUND;
        sodium_memzero(hash, sizeof hash);
        if (st == MN_ENOTFOUND)
            st = mn__error(ctx, MN_ENOTFOUND, "users: no user \"%.63s\"", name);
        char detail[160];
        snprintf(detail, sizeof detail, "%d ended: %.120s", ended, why);
        if (!st)
            st = mn__store_audit(ctx, store, "sessions-ended", "users", id, detail);
        st = mn__store_end(ctx, store, st);
    }
    memcpy(store->actor, own, sizeof own);
    return st;
}
