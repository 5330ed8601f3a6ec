/*
 * The clinic record under failure: a writer killed with SIGKILL at random moments loses
 * nothing it reported committed and leaves a database that passes the check; two processes
 * writing at once both succeed with nothing lost; the check finds a row changed behind the
 * store's back; a backup restores row for row; adverse events recorded on their own; a
 * plan's catalogue hash keeps the definition it was made under.
 */
#define _DEFAULT_SOURCE /* usleep */
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mn_test.h"
#include "store/store_internal.h"

MN_TEST_CONTEXT_FIXTURE

/* Writes the test makes in all, over the kill rounds (the figure). */
#define TOTAL_WRITES 1000
#define KILL_ROUNDS  10

static const char client_json[] =
    "{\"client\": {\"age\": 41, \"sex\": \"female\", \"fitzpatrick\": 2},"
    " \"concerns\": [{\"concern\": \"fine-lines-wrinkles\", \"zones\": [\"cheek\"]}],"
    " \"clinic\": {\"device\": \"skinpen\", \"start\": \"2027-01-04\"},"
    " \"consents\": [{\"what\": \"treatment\", \"version\": \"1\", \"date\": \"2027-01-04\"}]}";

static char dir[256];

static void db_path(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", dir, name);
}

static int make_dir(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/mn_store_XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    return mkdtemp(dir) ? 0 : -1;
}

/* A child that adds clients with ids PREFIX-FIRST, PREFIX-FIRST+1, ... and writes each id's number
 * to fd after its transaction committed; exits 0 after n writes, 1 on any failure. */
static void writer(const char *path, const char *prefix, int first, int n, int fd)
{
    mn_ctx *c;
    mn_store *s;
    if (mn_ctx_create(&c) || mn_store_open(c, path, 0, 0, &s))
        _exit(1);
    for (int i = first; i < first + n; i++) {
        char id[MN_STORE_ID_LEN], got[MN_STORE_ID_LEN];
        snprintf(id, sizeof id, "%s-%d", prefix, i);
        if (mn_store_client_add(c, s, "test", client_json, strlen(client_json), id, got)) {
            fprintf(stderr, "writer %s: %s\n", prefix, mn_ctx_errmsg(c));
            _exit(1);
        }
        if (fd >= 0 && write(fd, &i, sizeof i) != (ssize_t)sizeof i)
            _exit(1);
    }
    mn_store_close(s);
    mn_ctx_free(c);
    _exit(0);
}

static int client_exists(mn_store *s, const char *id)
{
    mn_store_client cl;
    mn_status st = mn_store_client_get(ctx, s, id, &cl);
    if (st == MN_OK)
        mn_store_client_release(&cl);
    return st == MN_OK;
}

static void assert_check_ok(mn_store *s)
{
    mn_store_check_result r;
    assert_int_equal(mn_store_check(ctx, s, &r), MN_OK);
    if (!(r.integrity_ok && r.foreign_keys_ok && r.audit_ok))
        print_error("check: %s\n", r.problem);
    assert_true(r.integrity_ok && r.foreign_keys_ok && r.audit_ok);
}

static int count_clients(mn_store *s)
{
    mn_store_client *list;
    int n;
    assert_int_equal(mn_store_client_list(ctx, s, &list, &n), MN_OK);
    mn_store_client_list_free(list, n);
    return n;
}

/* Writers add clients k-0, k-1, ... and are killed at random moments; each new writer goes
 * on from what the database holds, until TOTAL_WRITES are committed. After every kill: every
 * write the writer reported is there, at most one more (committed, killed before it could
 * say so), and the database passes the check. */
static void test_sigkill_loses_nothing_committed(void **state)
{
    (void)state;
    char path[512];
    db_path(path, sizeof path, "kill.db");
    mn_store *s;
    assert_int_equal(mn_store_open(ctx, path, MN_STORE_CREATE, 0, &s), MN_OK);
    mn_store_close(s);
    /* Seeded by time: each run kills at other moments (the seed is printed for a rerun). */
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    print_message("kill seed %u\n", seed);
    srand(seed);
    int committed = 0, killed = 0, rounds = 0;
    while (committed < TOTAL_WRITES && rounds < 50 * KILL_ROUNDS) {
        rounds++;
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            writer(path, "k", committed, TOTAL_WRITES - committed, fds[1]);
        }
        close(fds[1]);
        /* A random moment while the writer is at work: after it has reported a random number
         * of commits (so the kill never comes after it finished, however fast the disk), then
         * a random pause of up to a few commits' time, so the signal lands anywhere in a
         * transaction. */
        int wait_for = 1 + rand() % (TOTAL_WRITES / (2 * KILL_ROUNDS));
        int last = committed - 1, i;
        for (int k = 0; k < wait_for && read(fds[0], &i, sizeof i) == (ssize_t)sizeof i; k++)
            last = i;
        usleep((useconds_t)(rand() % 2000));
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        killed += WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
        while (read(fds[0], &i, sizeof i) == (ssize_t)sizeof i)
            last = i;
        close(fds[0]);
        assert_int_equal(mn_store_open(ctx, path, 0, 0, &s), MN_OK);
        for (int k = committed; k <= last; k++) {
            char id[32];
            snprintf(id, sizeof id, "k-%d", k);
            if (!client_exists(s, id))
                print_error("lost committed client %s (last reported %d)\n", id, last);
            assert_true(client_exists(s, id));
        }
        int n = count_clients(s);
        assert_true(n >= last + 1 && n <= last + 2);
        committed = n;
        assert_check_ok(s);
        mn_store_close(s);
    }
    print_message("%d writes committed over %d writers, %d killed mid-run\n", committed, rounds,
                  killed);
    assert_true(committed >= TOTAL_WRITES);
    /* The test must have killed writers at work, or it proved nothing. */
    assert_true(killed >= KILL_ROUNDS);
}

static void test_two_writers_both_succeed(void **state)
{
    (void)state;
    char path[512];
    db_path(path, sizeof path, "two.db");
    mn_store *s;
    assert_int_equal(mn_store_open(ctx, path, MN_STORE_CREATE, 0, &s), MN_OK);
    mn_store_close(s);
    enum { EACH = 100 };
    pid_t a = fork();
    if (a == 0)
        writer(path, "a", 0, EACH, -1);
    pid_t b = fork();
    if (b == 0)
        writer(path, "b", 0, EACH, -1);
    int sa, sb;
    waitpid(a, &sa, 0);
    waitpid(b, &sb, 0);
    assert_true(WIFEXITED(sa) && WEXITSTATUS(sa) == 0);
    assert_true(WIFEXITED(sb) && WEXITSTATUS(sb) == 0);
    assert_int_equal(mn_store_open(ctx, path, 0, 0, &s), MN_OK);
    assert_int_equal(count_clients(s), 2 * EACH);
    assert_check_ok(s);
    mn_store_close(s);
}

/* The check finds an identity edited with plain SQL, and the chain finds an edited entry. */
static void test_check_finds_edits(void **state)
{
    (void)state;
    char path[512];
    db_path(path, sizeof path, "edit.db");
    mn_store *s;
    assert_int_equal(mn_store_open(ctx, path, MN_STORE_CREATE, 0, &s), MN_OK);
    char id[MN_STORE_ID_LEN];
    static const char with_name[] = "{\"client\": {\"name\": \"A\", \"age\": 41, \"sex\": "
                                    "\"female\", \"fitzpatrick\": 2}, \"concerns\": "
                                    "[{\"concern\": \"fine-lines-wrinkles\", \"zones\": "
                                    "[\"cheek\"]}], \"clinic\": {\"start\": \"2027-01-04\"}}";
    assert_int_equal(mn_store_client_add(ctx, s, "t", with_name, strlen(with_name), NULL, id),
                     MN_OK);
    assert_check_ok(s);
    mn_store_close(s);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "UPDATE identities SET name = 'B'", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(mn_store_open(ctx, path, 0, 0, &s), MN_OK);
    mn_store_check_result r;
    assert_int_equal(mn_store_check(ctx, s, &r), MN_OK);
    assert_false(r.audit_ok);
    assert_non_null(strstr(r.problem, "identities"));
    mn_store_close(s);
}

/* Adverse events on their own: a kind of the catalogue, free text and "none" are stored with
 * their audit entries and read back in the history (a kind with its name); a file with one bad
 * record stores none of it; every kind of the catalogue is found by its id. */
static void test_adverse_events(void **state)
{
    (void)state;
    char path[512];
    db_path(path, sizeof path, "adverse.db");
    mn_store *s;
    assert_int_equal(mn_store_open(ctx, path, MN_STORE_CREATE, 0, &s), MN_OK);
    char id[MN_STORE_ID_LEN];
    assert_int_equal(mn_store_client_add(ctx, s, "t", client_json, strlen(client_json), "ae-1", id),
                     MN_OK);
    static const char bad[] =
        "[{\"client\": \"ae-1\", \"date\": \"2025-02-01\", \"kind\": \"granuloma\","
        " \"severity\": \"severe\"},"
        " {\"client\": \"ae-1\", \"date\": \"2025-02-02\", \"kind\": \"granulomas\","
        " \"severity\": \"mild\"}]";
    int n = -1;
    assert_int_equal(mn_store_record_adverse_events(ctx, s, "bad.json", bad, strlen(bad), &n),
                     MN_ENOTFOUND);
    assert_int_equal(n, 0);
    assert_non_null(strstr(mn_ctx_errmsg(ctx), "bad.json: $[1].kind: unknown kind"));
    static const char good[] = "client,date,session,kind,event,severity,resolved\n"
                               "ae-1,2025-02-01,,granuloma,,severe,2025-03-01\n"
                               "ae-1,2025-02-03,,,\"redness, then hives\",moderate,\n"
                               "ae-1,2025-04-01,,,none,,\n";
    assert_int_equal(mn_store_record_adverse_events(ctx, s, "good.csv", good, strlen(good), &n),
                     MN_OK);
    assert_int_equal(n, 3);
    assert_check_ok(s);
    mn_store_history *h;
    assert_int_equal(mn_store_history_get(ctx, s, "ae-1", &h), MN_OK);
    assert_int_equal(h->n_events, 3);
    assert_string_equal(h->events[0].event, "granuloma");
    assert_string_equal(h->events[0].severity, "severe");
    assert_true(h->events[0].resolved);
    assert_string_equal(h->events[0].kind_name, "Granulomatous reaction");
    assert_string_equal(h->events[1].event, "redness, then hives");
    assert_string_equal(h->events[1].kind_name, "");
    assert_string_equal(h->events[2].event, "none");
    assert_int_equal(h->events[2].session_number, 0);
    mn_store_history_free(h);
    mn_store_close(s);
    /* Every kind by index, then by its id; past the end: MN_ENOTFOUND. */
    mn_adverse_kind k, again;
    int i = 0;
    while (mn_store_adverse_kind_at(ctx, i, &k) == MN_OK) {
        assert_int_equal(mn_store_adverse_kind_find(ctx, k.id, &again), MN_OK);
        assert_string_equal(again.name, k.name);
        assert_true(k.source[0] && (!strcmp(k.status, "cited") || !strcmp(k.status, "secondary")));
        i++;
    }
    assert_true(i >= 10);
    assert_int_equal(mn_store_adverse_kind_at(ctx, i, &k), MN_ENOTFOUND);
    assert_int_equal(mn_store_adverse_kind_find(ctx, "none", &k), MN_ENOTFOUND);
}

/* The catalogue hash as plans were stored before it had versions, computed here from its
 * description (docs/records.md): SHA-256 over the seven planning files (devices.json to
 * references.json), each file's JSON with keys sorted and compact, then a NUL. */
static void old_catalogue_hash(const mn_ctx *c, char out[65])
{
    static const char *const files[] = {"devices.json",   "sites.json", "concerns.json",
                                        "products.json",  "rules.json", "aftercare.json",
                                        "references.json"};
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        json_t *root = mn__catalog_file(mn_ctx_catalog(c), files[i], NULL);
        size_t n = json_dumpb(root, NULL, 0, JSON_SORT_KEYS | JSON_COMPACT);
        char *text = malloc(n + 1);
        assert_non_null(text);
        assert_int_equal(json_dumpb(root, text, n, JSON_SORT_KEYS | JSON_COMPACT), n);
        text[n] = '\0'; /* the file's end */
        crypto_hash_sha256_update(&h, (const unsigned char *)text, n + 1);
        free(text);
    }
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&h, d);
    mn__hex(d, sizeof d, out);
}

/* A data directory holding a copy of catalogue @p file whose first entry's name is changed. */
static mn_ctx *edited_ctx(const char *sub, const char *file, const char *list)
{
    char path[600];
    db_path(path, sizeof path, sub);
    assert_int_equal(mkdir(path, 0700), 0);
    json_t *root = json_deep_copy(mn__catalog_file(mn_ctx_catalog(ctx), file, NULL));
    json_t *first = json_array_get(json_object_get(root, list), 0);
    assert_int_equal(json_object_set_new(first, "name", json_string("Renamed")), 0);
    char f[700];
    snprintf(f, sizeof f, "%s/%s", path, file);
    assert_int_equal(json_dump_file(root, f, 0), 0);
    json_decref(root);
    mn_ctx *c;
    char err[256];
    assert_int_equal(mn_ctx_create_with_data(&c, path, err, sizeof err), MN_OK);
    return c;
}

/* The latest plan's hash, its definition and whether the catalogues of @p c match it. */
static void assert_latest(mn_ctx *c, mn_store *s, const char *id, int version, int current,
                          const char *hex)
{
    mn_store_history *h;
    assert_int_equal(mn_store_history_get(c, s, id, &h), MN_OK);
    assert_int_equal(h->catalogue_hash_version, version);
    assert_int_equal(h->catalogue_current, current);
    assert_string_equal(h->catalogue_hash, hex);
    mn_store_history_free(h);
}

/* A plan stored as plans were before the hash had versions (the bare digits of the seven
 * planning files) still passes the check and is checked under its own definition, which an
 * edit to adverse_events.json does not change and an edit to devices.json does; a plan stored
 * now records definition 2, which an edit to adverse_events.json changes. */
static void test_catalogue_hash_versions(void **state)
{
    (void)state;
    char path[512];
    db_path(path, sizeof path, "hash.db");
    mn_store *s;
    assert_int_equal(mn_store_open(ctx, path, MN_STORE_CREATE, 0, &s), MN_OK);
    char id[MN_STORE_ID_LEN];
    assert_int_equal(mn_store_client_add(ctx, s, "t", client_json, strlen(client_json), "h-1", id),
                     MN_OK);
    static const char plan[] = "{\"screening\": {\"decision\": \"proceed\"}, \"zones\": []}";
    char old[65], v1[65], v2[65];
    old_catalogue_hash(ctx, old);
    mn__store_catalogue_hash(ctx, 1, v1);
    mn__store_catalogue_hash(ctx, 2, v2);
    assert_string_equal(v1, old);
    assert_string_not_equal(v2, old);

    /* The old store's write: the row with the bare digits, and its audit entry. */
    sqlite3_int64 num;
    sqlite3_stmt *q;
    assert_int_equal(mn__store_begin(ctx, s), MN_OK);
    assert_int_equal(mn__store_client_num(ctx, s, "h-1", &num), MN_OK);
    assert_int_equal(mn__store_prepare(ctx, s,
                                       "INSERT INTO plans(client, created, mneedle_version, "
                                       "catalogue_hash, plan_json) VALUES (?, '2026-01-05', "
                                       "'0.1.0', ?, ?)",
                                       &q),
                     MN_OK);
    sqlite3_bind_int64(q, 1, num);
    sqlite3_bind_text(q, 2, old, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, plan, -1, SQLITE_STATIC);
    assert_int_equal(mn__store_run(ctx, s, q, "plan"), MN_OK);
    assert_int_equal(
        mn__store_audit(ctx, s, "insert", "plans", sqlite3_last_insert_rowid(s->db), NULL), MN_OK);
    assert_int_equal(mn__store_end(ctx, s, MN_OK), MN_OK);
    assert_check_ok(s);
    assert_latest(ctx, s, "h-1", 1, 1, old);

    mn_ctx *events = edited_ctx("ae", "adverse_events.json", "adverse_events");
    mn_ctx *devices = edited_ctx("dev", "devices.json", "devices");
    char v2_events[65];
    mn__store_catalogue_hash(events, 2, v2_events);
    assert_string_not_equal(v2_events, v2);     /* the edit changes the hash new plans record */
    assert_latest(events, s, "h-1", 1, 1, old); /* the old definition leaves that file out */
    assert_latest(devices, s, "h-1", 1, 0, old);

    assert_int_equal(mn_store_plan_save(ctx, s, "h-1", plan, strlen(plan), NULL), MN_OK);
    assert_check_ok(s);
    assert_latest(ctx, s, "h-1", 2, 1, v2);
    assert_latest(events, s, "h-1", 2, 0, v2);
    assert_latest(devices, s, "h-1", 2, 0, v2);
    mn_ctx_free(events);
    mn_ctx_free(devices);
    mn_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigkill_loses_nothing_committed),
        cmocka_unit_test(test_two_writers_both_succeed),
        cmocka_unit_test(test_check_finds_edits),
        cmocka_unit_test(test_adverse_events),
        cmocka_unit_test(test_catalogue_hash_versions),
    };
    if (make_dir(NULL))
        return 1;
    int failed = cmocka_run_group_tests(tests, setup, teardown);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return 1;
    return failed;
}
