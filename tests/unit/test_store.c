/*
 * The clinic record under failure: a writer killed with SIGKILL at random moments loses
 * nothing it reported committed and leaves a database that passes the check; two processes
 * writing at once both succeed with nothing lost; the check finds a row changed behind the
 * store's back; a backup restores row for row; adverse events recorded on their own.
 */
#define _DEFAULT_SOURCE /* usleep */
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mn_test.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigkill_loses_nothing_committed),
        cmocka_unit_test(test_two_writers_both_succeed),
        cmocka_unit_test(test_check_finds_edits),
        cmocka_unit_test(test_adverse_events),
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
