/*
 * Atomic output (src/core/outfile.c): a process killed while it writes, or whose writes
 * fail, leaves the target as it was (the old file, or no file), never a partial one.
 *
 * A child process opens an outfile over a target that holds OLD, writes part of a large
 * NEW, and then dies: killed by SIGKILL after k bytes, or killed by SIGXFSZ inside write()
 * itself once it passes a file-size limit of k bytes (RLIMIT_FSIZE), for many k. With
 * SIGXFSZ ignored the same limit makes the writes fail instead, and mn_outfile_commit must
 * report MN_EIO, keep the target and remove its temporary file.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/internal.h"
#include "mn_test.h"
#include "mneedle/mneedle.h"

#define NEW_BYTES (1u << 20)

static char dir[64];
static char target[128];
static char *new_data;
static const char old_data[] = "OLD CONTENT\n";

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/mn_atomic_XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(target, sizeof target, "%s/plan.json", dir);
    new_data = malloc(NEW_BYTES);
    if (!new_data)
        return -1;
    for (size_t i = 0; i < NEW_BYTES; i++)
        new_data[i] = (char)('a' + i % 26);
    return 0;
}

/* Removes temporary files a killed writer left behind; returns how many, and the size of the
 * largest in *largest. */
static int remove_leftovers(long *largest)
{
    int n = 0;
    *largest = 0;
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strstr(e->d_name, ".tmp."))
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat sb;
        if (stat(path, &sb) == 0 && sb.st_size > *largest)
            *largest = (long)sb.st_size;
        unlink(path);
        n++;
    }
    closedir(d);
    return n;
}

static int teardown(void **state)
{
    (void)state;
    long largest;
    remove_leftovers(&largest);
    unlink(target);
    rmdir(dir);
    free(new_data);
    return 0;
}

static void write_old(void)
{
    FILE *fp = fopen(target, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(old_data, 1, sizeof old_data - 1, fp), sizeof old_data - 1);
    assert_int_equal(fclose(fp), 0);
}

/* 1 if the target holds exactly OLD (want_old) or does not exist (!want_old). */
static int target_is(int want_old)
{
    FILE *fp = fopen(target, "rb");
    if (!fp)
        return !want_old;
    char buf[64];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    return want_old && n == sizeof old_data - 1 && memcmp(buf, old_data, n) == 0;
}

enum { DIE_SIGKILL, DIE_SIGXFSZ, FAIL_EFBIG };

/* The child: open, write NEW in 4 KiB pieces, and die (before the piece that would pass
 * @p cut bytes, or inside write() at @p cut bytes) or fail as told. */
static void child(int how, size_t cut)
{
    if (how != DIE_SIGKILL) {
        struct rlimit rl = {cut, cut};
        signal(SIGXFSZ, how == FAIL_EFBIG ? SIG_IGN : SIG_DFL);
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
            _exit(10);
    }
    mn_ctx *ctx = NULL;
    mn_outfile *f = NULL;
    if (mn_ctx_create(&ctx) || mn_outfile_open(ctx, target, &f))
        _exit(11);
    for (size_t done = 0; done < NEW_BYTES; done += 4096) {
        if (how == DIE_SIGKILL && done + 4096 > cut)
            raise(SIGKILL);
        mn_outfile_writer(f, new_data + done, 4096);
    }
    mn_status st = mn_outfile_commit(ctx, f);
    mn_ctx_free(ctx);
    /* Only FAIL_EFBIG gets here: the commit must have failed. */
    _exit(st == MN_EIO ? 0 : 12);
}

static void run(int how, size_t cut, int with_old)
{
    unlink(target);
    if (with_old)
        write_old();
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        child(how, cut);
    int ws;
    assert_int_equal(waitpid(pid, &ws, 0), pid);
    if (how == FAIL_EFBIG) {
        if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
            fail_msg("cut %zu: the writer did not report MN_EIO (status 0x%x)", cut, ws);
    } else {
        int sig = how == DIE_SIGKILL ? SIGKILL : SIGXFSZ;
        if (!WIFSIGNALED(ws) || WTERMSIG(ws) != sig)
            fail_msg("cut %zu: the writer was not killed by signal %d (status 0x%x)", cut, sig, ws);
    }
    if (!target_is(with_old))
        fail_msg("cut %zu: the target is not %s", cut, with_old ? "the old file" : "absent");
    long largest;
    int left = remove_leftovers(&largest);
    if (how == FAIL_EFBIG) {
        assert_int_equal(left, 0); /* a failed commit removes its temporary file */
    } else if (how == DIE_SIGKILL && cut < 4096) {
        /* Killed before the first write: the temporary file is created at the first write,
         * so there is none. */
        assert_int_equal(left, 0);
    } else {
        /* A killed writer leaves its temporary file (nothing can remove it); it must hold
         * part of NEW, which shows the process died in the middle of writing. */
        assert_int_equal(left, 1);
        assert_true(largest < (long)NEW_BYTES);
    }
}

static const size_t cuts[] = {0, 1, 4095, 4096, 65536, 100000, 500000, NEW_BYTES - 1};

static void test_killed_mid_write_keeps_old_file(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        run(DIE_SIGKILL, cuts[i], 1);
        if (cuts[i] > 0)
            run(DIE_SIGXFSZ, cuts[i], 1);
    }
}

static void test_killed_mid_write_leaves_no_file(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        run(DIE_SIGKILL, cuts[i], 0);
        if (cuts[i] > 0)
            run(DIE_SIGXFSZ, cuts[i], 0);
    }
}

static void test_failed_writes_keep_old_file(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        run(FAIL_EFBIG, cuts[i], 1);
        run(FAIL_EFBIG, cuts[i], 0);
    }
}

/* The child for a stopping signal: with the cleanup handlers installed, write part of NEW (so
 * the temporary file exists) and receive @p sig from outside. */
static void child_signalled(int sig, size_t cut)
{
    mn_outfile_cleanup_on_signals();
    mn_ctx *ctx = NULL;
    mn_outfile *f = NULL;
    if (mn_ctx_create(&ctx) || mn_outfile_open(ctx, target, &f))
        _exit(11);
    for (size_t done = 0; done < NEW_BYTES; done += 4096) {
        if (done + 4096 > cut)
            kill(getpid(), sig);
        mn_outfile_writer(f, new_data + done, 4096);
    }
    _exit(12); /* not reached: the signal ends the process */
}

/* SIGINT, SIGTERM and SIGHUP end the writer with that signal, leave the target as it was and
 * remove the temporary file (which the SIGKILL cases above show would otherwise remain). */
static void test_signals_remove_temporary(void **state)
{
    (void)state;
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t k = 0; k < sizeof sigs / sizeof sigs[0]; k++)
        for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++)
            for (int with_old = 0; with_old < 2; with_old++) {
                unlink(target);
                if (with_old)
                    write_old();
                pid_t pid = fork();
                assert_true(pid >= 0);
                if (pid == 0)
                    child_signalled(sigs[k], cuts[i]);
                int ws;
                assert_int_equal(waitpid(pid, &ws, 0), pid);
                if (!WIFSIGNALED(ws) || WTERMSIG(ws) != sigs[k])
                    fail_msg("signal %d, cut %zu: the writer was not ended by it (0x%x)", sigs[k],
                             cuts[i], ws);
                if (!target_is(with_old))
                    fail_msg("signal %d, cut %zu: the target changed", sigs[k], cuts[i]);
                long largest;
                if (remove_leftovers(&largest) != 0)
                    fail_msg("signal %d, cut %zu: a temporary file was left", sigs[k], cuts[i]);
            }
}

/* A signal that was ignored when the handlers were installed (nohup) stays ignored. */
static void test_ignored_signal_stays_ignored(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGHUP, SIG_IGN);
        mn_outfile_cleanup_on_signals();
        raise(SIGHUP);
        _exit(0);
    }
    int ws;
    assert_int_equal(waitpid(pid, &ws, 0), pid);
    assert_true(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
}

/* And the complete write does replace the target (so the tests above can fail). */
static void test_complete_write_replaces(void **state)
{
    (void)state;
    write_old();
    mn_ctx *ctx;
    assert_int_equal(mn_ctx_create(&ctx), MN_OK);
    assert_int_equal(mn_write_file_atomic(ctx, target, new_data, NEW_BYTES), MN_OK);
    mn_ctx_free(ctx);
    struct stat sb;
    assert_int_equal(stat(target, &sb), 0);
    assert_int_equal(sb.st_size, NEW_BYTES);
    assert_false(target_is(1));
    long largest;
    assert_int_equal(remove_leftovers(&largest), 0);
}

/* A batch (mn_outfile_batch_begin): files committed through the context wait under their
 * temporary names; the batch's commit puts them all in place, a failed rename among them puts
 * back what the others replaced, and a batch never committed leaves nothing. */
static int count_temps(void)
{
    int n = 0;
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strstr(e->d_name, ".tmp.") != NULL;
    closedir(d);
    return n;
}

static void test_batch_holds_until_commit(void **state)
{
    (void)state;
    char other[160];
    snprintf(other, sizeof other, "%s/figure.svg", dir);
    write_old();
    mn_ctx *ctx;
    assert_int_equal(mn_ctx_create(&ctx), MN_OK);
    assert_int_equal(mn_outfile_batch_begin(ctx), MN_OK);
    assert_int_equal(mn_outfile_batch_begin(ctx), MN_EINVAL);
    assert_int_equal(mn_write_file_atomic(ctx, other, "<svg/>", 6), MN_OK);
    assert_int_equal(mn_write_file_atomic(ctx, target, new_data, NEW_BYTES), MN_OK);
    assert_true(target_is(1)); /* held: the old file is still there */
    assert_int_equal(access(other, F_OK), -1);
    assert_int_equal(count_temps(), 2);
    assert_int_equal(mn_outfile_batch_commit(ctx), MN_OK);
    struct stat sb;
    assert_int_equal(stat(target, &sb), 0);
    assert_int_equal(sb.st_size, NEW_BYTES);
    assert_int_equal(stat(other, &sb), 0);
    assert_int_equal(sb.st_size, 6);
    assert_int_equal(count_temps(), 0);
    /* Closed: the next commit renames at once. */
    assert_int_equal(mn_write_file_atomic(ctx, other, "<svg></svg>", 11), MN_OK);
    assert_int_equal(stat(other, &sb), 0);
    assert_int_equal(sb.st_size, 11);
    mn_ctx_free(ctx);
    unlink(other);
}

/* A batch of first.csv (new), the target (OLD) and last.txt, whose rename fails (a folder). */
static mn_ctx *batch_failing_last(const char *first, const char *last, const char *inside)
{
    write_old();
    mn_ctx *ctx;
    assert_int_equal(mn_ctx_create(&ctx), MN_OK);
    assert_int_equal(mn_outfile_batch_begin(ctx), MN_OK);
    assert_int_equal(mn_write_file_atomic(ctx, first, "a,b\n", 4), MN_OK);
    assert_int_equal(mn_write_file_atomic(ctx, target, new_data, NEW_BYTES), MN_OK);
    assert_int_equal(mn_write_file_atomic(ctx, last, "report\n", 7), MN_OK);
    assert_int_equal(mkdir(last, 0700), 0);
    FILE *fp = fopen(inside, "wb");
    assert_non_null(fp);
    fclose(fp);
    return ctx;
}

static void test_batch_failed_rename_restores(void **state)
{
    (void)state;
    char first[160], last[160], inside[200];
    snprintf(first, sizeof first, "%s/first.csv", dir);
    snprintf(last, sizeof last, "%s/last.txt", dir);
    snprintf(inside, sizeof inside, "%s/keep", last);
    /* The last target becomes a folder that is not empty: its rename fails (EISDIR), after the
     * first two went into place. */
    mn_ctx *ctx = batch_failing_last(first, last, inside);
    assert_int_equal(mn_outfile_batch_commit(ctx), MN_EIO);
    assert_non_null(strstr(mn_ctx_errmsg(ctx), "last.txt: cannot write"));
    assert_non_null(strstr(mn_ctx_errmsg(ctx), "(the 2 files put in place before it are rolled "
                                               "back: no file of this run is kept)"));
    assert_int_equal(access(first, F_OK), -1); /* new: removed again */
    assert_true(target_is(1));                 /* replaced: the old file is back */
    assert_int_equal(count_temps(), 0);
    struct stat sb;
    assert_int_equal(stat(inside, &sb), 0);
    mn_ctx_free(ctx);
    unlink(inside);
    rmdir(last);
}

/* Hard links refused (some filesystems do): the old file gets no second name, so the rollback
 * cannot bring it back, and the message says that the new file stays, by name. */
static int refuse_link(const char *from, const char *to)
{
    (void)from;
    (void)to;
    errno = EPERM;
    return -1;
}

/* The renames of the next commit, counted; the one numbered fail_rename fails (EACCES). */
static int renames, fail_rename;

static int counted_rename(const char *from, const char *to)
{
    if (++renames == fail_rename) {
        errno = EACCES;
        return -1;
    }
    return rename(from, to);
}

static void test_batch_rollback_says_what_stays(void **state)
{
    (void)state;
    char first[160], last[160], inside[200], want[400];
    snprintf(first, sizeof first, "%s/first.csv", dir);
    snprintf(last, sizeof last, "%s/last.txt", dir);
    snprintf(inside, sizeof inside, "%s/keep", last);
    struct stat sb;

    /* No second name: the target keeps the new file, and the message says so. */
    mn_ctx *ctx = batch_failing_last(first, last, inside);
    mn__outfile_test_calls(refuse_link, NULL);
    mn_status st = mn_outfile_batch_commit(ctx);
    mn__outfile_test_calls(NULL, NULL);
    assert_int_equal(st, MN_EIO);
    snprintf(want, sizeof want,
             "(of the 2 files put in place before it, 1 could not be rolled back and stays: %s)",
             target);
    assert_non_null(strstr(mn_ctx_errmsg(ctx), "last.txt: cannot write"));
    assert_non_null(strstr(mn_ctx_errmsg(ctx), want));
    assert_null(strstr(mn_ctx_errmsg(ctx), "no file of this run"));
    assert_int_equal(access(first, F_OK), -1); /* new: removed again */
    assert_int_equal(stat(target, &sb), 0);    /* the new file stays, as said */
    assert_int_equal(sb.st_size, NEW_BYTES);
    assert_int_equal(count_temps(), 0);
    mn_ctx_free(ctx);
    unlink(inside);
    rmdir(last);

    /* The rename putting the old file back fails (the 4th: first, target, last, then the
     * target's rollback): the old file is left under its second name, which the message gives. */
    ctx = batch_failing_last(first, last, inside);
    renames = 0;
    fail_rename = 4;
    mn__outfile_test_calls(NULL, counted_rename);
    st = mn_outfile_batch_commit(ctx);
    mn__outfile_test_calls(NULL, NULL);
    assert_int_equal(st, MN_EIO);
    assert_int_equal(renames, 4);
    snprintf(want, sizeof want,
             "(of the 2 files put in place before it, 1 could not be rolled back and stays: "
             "%s (its old file is left as %s.tmp.",
             target, target);
    const char *msg = mn_ctx_errmsg(ctx);
    const char *at = strstr(msg, want);
    assert_non_null(at);
    char bak[200];
    snprintf(bak, sizeof bak, "%s", at + strlen(want) - strlen(target) - 5);
    char *close_paren = strchr(bak, ')');
    assert_non_null(close_paren);
    *close_paren = '\0';
    assert_int_equal(access(first, F_OK), -1);
    assert_int_equal(stat(target, &sb), 0);
    assert_int_equal(sb.st_size, NEW_BYTES);
    assert_int_equal(count_temps(), 1);       /* the old file, under the name given */
    assert_int_equal(rename(bak, target), 0); /* and it is the old file */
    assert_true(target_is(1));
    mn_ctx_free(ctx);
    unlink(inside);
    rmdir(last);
}

static void test_batch_never_committed_leaves_nothing(void **state)
{
    (void)state;
    char other[160];
    snprintf(other, sizeof other, "%s/figure.png", dir);
    write_old();
    for (int how = 0; how < 2; how++) {
        mn_ctx *ctx;
        assert_int_equal(mn_ctx_create(&ctx), MN_OK);
        assert_int_equal(mn_outfile_batch_begin(ctx), MN_OK);
        assert_int_equal(mn_write_file_atomic(ctx, other, "png", 3), MN_OK);
        assert_int_equal(mn_write_file_atomic(ctx, target, new_data, NEW_BYTES), MN_OK);
        assert_int_equal(count_temps(), 2);
        if (how == 0)
            mn_outfile_batch_abort(ctx);
        mn_ctx_free(ctx); /* how 1: the context's end removes them */
        assert_int_equal(count_temps(), 0);
        assert_int_equal(access(other, F_OK), -1);
        assert_true(target_is(1));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_killed_mid_write_keeps_old_file),
        cmocka_unit_test(test_killed_mid_write_leaves_no_file),
        cmocka_unit_test(test_failed_writes_keep_old_file),
        cmocka_unit_test(test_signals_remove_temporary),
        cmocka_unit_test(test_ignored_signal_stays_ignored),
        cmocka_unit_test(test_complete_write_replaces),
        cmocka_unit_test(test_batch_holds_until_commit),
        cmocka_unit_test(test_batch_failed_rename_restores),
        cmocka_unit_test(test_batch_rollback_says_what_stays),
        cmocka_unit_test(test_batch_never_committed_leaves_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
