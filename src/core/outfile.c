/*
 * Atomic file output: write to a temporary file in the target's directory (so rename() stays
 * on one filesystem), fsync, then rename over the target. A crash at any point leaves either
 * the old target or none, never a partial one.
 *
 * The temporary file is created at the first write, not at open, so a run that fails or is
 * stopped before it has anything to write leaves nothing. While it exists its name is in a
 * small registry that a handler for SIGINT, SIGTERM and SIGHUP (mn_outfile_cleanup_on_signals)
 * unlinks before the signal takes its default course: an interrupted run leaves the old
 * target and no temporary file. Only SIGKILL and power loss can still leave one.
 *
 * A command with several outputs makes them one: while a batch is open on the context
 * (mn_outfile_batch_begin), a commit leaves the complete file under its temporary name, and
 * mn_outfile_batch_commit renames them all at the end, or, when one rename fails, puts back
 * what the others replaced. A write that fails part-way (a disk filling up after the figures)
 * thus leaves every target as it was before the run. Standard output opened during a batch is
 * held in memory and printed after the renames, so a command prints its answer only once its
 * files are in place; a failure to print puts them back as a failed rename does.
 */
#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"

struct mn_outfile {
    FILE *fp;
    char *path;
    char *tmp_path; /* NULL for standard output and for devices, FIFOs and sockets */
    int close_fp;   /* 1 when fp was opened here directly (a device, FIFO or socket) */
    int failed;
    int err; /* errno of the first failed write */
    /* Standard output opened while a batch is open: its bytes, held until the batch's files
     * are in place (mn_outfile_batch_commit writes them after the renames). */
    int hold;
    int private_output; /* mode 0600 (mn_ctx_set_private_outputs when opened) */
    char *held;
    size_t held_len, held_cap;
};

/* The registry of temporary files to remove on a signal. A slot holds a pointer to a name
 * that stays valid while registered; it is set only once the name is complete and cleared
 * before the name is freed, with the signals blocked in this thread meanwhile, so the handler
 * reads either nothing or a whole name. */
enum { MAX_TEMPS = 128 }; /* a batch holds every file of a command until its end */
static const char *volatile temps[MAX_TEMPS];
static const int cleanup_signals[] = {SIGINT, SIGTERM, SIGHUP};

static void block(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof cleanup_signals / sizeof cleanup_signals[0]; i++)
        sigaddset(&set, cleanup_signals[i]);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

static void unblock(const sigset_t *old)
{
    pthread_sigmask(SIG_SETMASK, old, NULL);
}

/* Async-signal-safe: unlink() only, then the signal's default action (SA_RESETHAND restored
 * it on entry; the re-raised signal is delivered when the handler returns). */
static void on_signal(int sig)
{
    int saved = errno;
    for (int i = 0; i < MAX_TEMPS; i++) {
        const char *p = temps[i];
        if (p)
            unlink(p);
    }
    raise(sig);
    errno = saved;
}

void mn_outfile_cleanup_on_signals(void)
{
    for (size_t i = 0; i < sizeof cleanup_signals / sizeof cleanup_signals[0]; i++) {
        struct sigaction old, sa;
        if (sigaction(cleanup_signals[i], NULL, &old) != 0 || old.sa_handler == SIG_IGN)
            continue; /* ignored on purpose (nohup): leave it so */
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESETHAND;
        sigaction(cleanup_signals[i], &sa, NULL);
    }
}

int mn__temp_create(char *name_template)
{
    sigset_t old;
    block(&old);
    int fd = mkstemp(name_template);
    if (fd >= 0) {
        int i = 0;
        while (i < MAX_TEMPS && temps[i])
            i++;
        if (i < MAX_TEMPS)
            temps[i] = name_template;
        /* With every slot taken the file still works; only a signal could leave it. */
    }
    unblock(&old);
    return fd;
}

void mn__temp_forget(const char *name)
{
    sigset_t old;
    block(&old);
    for (int i = 0; i < MAX_TEMPS; i++)
        if (temps[i] == name)
            temps[i] = NULL;
    unblock(&old);
}

void mn__temp_remove(const char *name)
{
    sigset_t old;
    block(&old);
    unlink(name);
    for (int i = 0; i < MAX_TEMPS; i++)
        if (temps[i] == name)
            temps[i] = NULL;
    unblock(&old);
}

/* Moves a registered name to another buffer holding the same name. */
static void temp_moved(const char *from, const char *to)
{
    sigset_t old;
    block(&old);
    for (int i = 0; i < MAX_TEMPS; i++)
        if (temps[i] == from)
            temps[i] = to;
    unblock(&old);
}

/* The files of an open batch: each complete under its temporary name, renamed over its target
 * by mn_outfile_batch_commit in the order they were committed. */
typedef struct {
    char *tmp;   /* registered while held */
    char *path;  /* the target */
    char *bak;   /* at commit: a second link to the target's old file, or "" */
    int existed; /* at commit: the target was there before the rename */
    int stays;   /* after a rollback: 0 undone, 1 the new file stays, 2 and the old is in bak */
} held;

struct mn__outbatch {
    held *items;
    int n, cap;
    char *out; /* the bytes for standard output, written once every file is in place */
    size_t out_len;
};

/* Appends (tmp, path), taking both on success; returns -1 without memory. */
static int hold(struct mn__outbatch *b, char *tmp, char *path)
{
    if (b->n == b->cap) {
        int cap = b->cap ? 2 * b->cap : 8;
        held *items = mn__realloc(b->items, sizeof *items * (size_t)cap);
        if (!items)
            return -1;
        b->items = items;
        b->cap = cap;
    }
    char *bak = mn__malloc(strlen(path) + 16);
    if (!bak)
        return -1;
    b->items[b->n++] = (held){tmp, path, bak, 0, 0};
    return 0;
}

mn_status mn__temp_publish(mn_ctx *ctx, char *tmp, const char *path)
{
    if (ctx && ctx->batch) {
        char *t = mn__strdup(tmp), *p = mn__strdup(path);
        if (t && p && hold(ctx->batch, t, p) == 0) {
            temp_moved(tmp, t);
            return MN_OK;
        }
        mn__free(t);
        mn__free(p);
        mn__temp_remove(tmp);
        return mn__error(ctx, MN_ENOMEM, "out of memory writing %s", path);
    }
    if (rename(tmp, path) == 0) {
        mn__temp_forget(tmp);
        return MN_OK;
    }
    int e = errno;
    mn__temp_remove(tmp);
    return mn__error(ctx, MN_EIO, "%s: cannot write: %s (the previous file, if any, is kept)", path,
                     strerror(e));
}

mn_status mn_outfile_batch_begin(mn_ctx *ctx)
{
    if (ctx == NULL)
        return MN_EINVAL;
    if (ctx->batch)
        return mn__error(ctx, MN_EINVAL, "outputs: a batch is already open");
    if (!(ctx->batch = mn__calloc(1, sizeof *ctx->batch)))
        return mn__error(ctx, MN_ENOMEM, "out of memory");
    return MN_OK;
}

/* The system calls of mn_outfile_batch_commit, replaced only by tests
 * (mn__outfile_test_calls) to make a hard link or a rename fail where no filesystem at hand
 * would. */
static int (*link_fn)(const char *, const char *) = link;
static int (*rename_fn)(const char *, const char *) = rename;

void mn__outfile_test_calls(int (*link_call)(const char *, const char *),
                            int (*rename_call)(const char *, const char *))
{
    link_fn = link_call ? link_call : link;
    rename_fn = rename_call ? rename_call : rename;
}

/* A second name for the target's current file (h->bak), so a rollback can put it back; ""
 * when none can be made (hard links refused there): the rename goes on without one. */
static void keep_old(held *h)
{
    size_t n = strlen(h->path) + 16;
    snprintf(h->bak, n, "%s.tmp.XXXXXX", h->path);
    int fd = mkstemp(h->bak); /* a free name; link() needs it free again */
    if (fd < 0) {
        h->bak[0] = '\0';
        return;
    }
    close(fd);
    unlink(h->bak);
    if (link_fn(h->path, h->bak) != 0)
        h->bak[0] = '\0';
}

/* The message of a batch whose output @p name (the target of items[i], or standard output after
 * all i files) failed with @p e, after the rollback: what was put back, and what could not be
 * (items[j].stays), by name; @p on_stdout: the output was standard output. */
static mn_status rollback_error(mn_ctx *ctx, const held *items, int i, int on_stdout,
                                const char *name, int e)
{
    int k = 0;
    size_t n = 256 + strlen(name);
    for (int j = 0; j < i; j++)
        if (items[j].stays) {
            k++;
            n += strlen(items[j].path) + strlen(items[j].bak) + 32;
        }
    if (i == 0 && on_stdout) /* with no file in the batch */
        return mn__error(ctx, MN_EIO, "%s: cannot write: %s", name, strerror(e));
    if (i == 0)
        return mn__error(ctx, MN_EIO, "%s: cannot write: %s (no file of this run is kept)", name,
                         strerror(e));
    if (k == 0)
        return mn__error(ctx, MN_EIO,
                         "%s: cannot write: %s (the %d file%s put in place before it %s rolled "
                         "back: no file of this run is kept)",
                         name, strerror(e), i, i == 1 ? "" : "s", i == 1 ? "is" : "are");
    char *msg = mn__malloc(n);
    if (!msg) /* without memory for the names, the count */
        return mn__error(ctx, MN_EIO,
                         "%s: cannot write: %s (of the %d file%s put in place before it, %d "
                         "could not be rolled back and stay%s)",
                         name, strerror(e), i, i == 1 ? "" : "s", k, k == 1 ? "s" : "");
    size_t len = (size_t)snprintf(msg, n,
                                  "%s: cannot write: %s (of the %d file%s put in place before "
                                  "it, %d could not be rolled back and stay%s:",
                                  name, strerror(e), i, i == 1 ? "" : "s", k, k == 1 ? "s" : "");
    const char *sep = " ";
    for (int j = 0; j < i; j++) {
        if (!items[j].stays)
            continue;
        len += (size_t)snprintf(msg + len, n - len, "%s%s", sep, items[j].path);
        if (items[j].stays == 2)
            len +=
                (size_t)snprintf(msg + len, n - len, " (its old file is left as %s)", items[j].bak);
        sep = ", ";
    }
    snprintf(msg + len, n - len, ")");
    mn_status st = mn__error(ctx, MN_EIO, "%s", msg);
    mn__free(msg);
    return st;
}

mn_status mn_outfile_batch_commit(mn_ctx *ctx)
{
    struct mn__outbatch *b = ctx ? ctx->batch : NULL;
    if (b == NULL)
        return MN_OK;
    ctx->batch = NULL;
    /* The renames, or the rollback, run whole: a signal is handled after them. */
    sigset_t old;
    block(&old);
    int i, e = 0;
    const char *failed = NULL;
    for (i = 0; i < b->n; i++) {
        held *h = &b->items[i];
        struct stat sb;
        h->bak[0] = '\0';
        h->existed = lstat(h->path, &sb) == 0;
        if (h->existed && !S_ISDIR(sb.st_mode))
            keep_old(h);
        if (rename_fn(h->tmp, h->path) != 0) {
            e = errno;
            failed = h->path;
            break;
        }
    }
    /* Standard output last, so nothing is printed unless every file is in place, and a
     * failure to print puts them back. SIGPIPE waits too: a closed pipe is an EPIPE here, and
     * the signal's default action comes once the files are back. */
    if (!failed && b->out_len) {
        sigset_t pipe_set;
        sigemptyset(&pipe_set);
        sigaddset(&pipe_set, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe_set, NULL);
        if (fwrite(b->out, 1, b->out_len, stdout) != b->out_len || fflush(stdout) != 0) {
            e = errno;
            failed = "standard output";
        }
    }
    mn_status st = MN_OK;
    if (failed) {
        if (i < b->n && b->items[i].bak[0])
            unlink(b->items[i].bak);
        for (int j = i - 1; j >= 0; j--) { /* newest first: a name given twice ends as it was */
            held *h = &b->items[j];
            if (h->bak[0]) /* if even this fails, the old file is left under h->bak */
                h->stays = rename_fn(h->bak, h->path) == 0 ? 0 : 2;
            else if (!h->existed)
                h->stays = unlink(h->path) == 0 || errno == ENOENT ? 0 : 1;
            else
                h->stays = 1; /* there was a file but no second name for it; the new one stays */
        }
        /* A name given twice ends as its first undoing left it: what a later one kept is gone,
         * or, in a second name, a file of this run. */
        for (int j = 0; j < i; j++)
            for (int l = j + 1; !b->items[j].stays && l < i; l++)
                if (b->items[l].stays && strcmp(b->items[l].path, b->items[j].path) == 0) {
                    if (b->items[l].stays == 2)
                        unlink(b->items[l].bak);
                    b->items[l].stays = 0;
                }
        st = rollback_error(ctx, b->items, i, i == b->n, failed, e);
    } else {
        for (int j = 0; j < b->n; j++)
            if (b->items[j].bak[0])
                unlink(b->items[j].bak);
    }
    for (int j = 0; j < b->n; j++) {
        if (j < i)
            mn__temp_forget(b->items[j].tmp); /* renamed */
        else
            mn__temp_remove(b->items[j].tmp);
        mn__free(b->items[j].tmp);
        mn__free(b->items[j].path);
        mn__free(b->items[j].bak);
    }
    unblock(&old);
    mn__free(b->items);
    mn__free(b->out);
    mn__free(b);
    return st;
}

void mn__outbatch_free(mn_ctx *ctx)
{
    struct mn__outbatch *b = ctx ? ctx->batch : NULL;
    if (b == NULL)
        return;
    ctx->batch = NULL;
    for (int j = 0; j < b->n; j++) {
        mn__temp_remove(b->items[j].tmp);
        mn__free(b->items[j].tmp);
        mn__free(b->items[j].path);
        mn__free(b->items[j].bak);
    }
    mn__free(b->items);
    mn__free(b->out);
    mn__free(b);
}

void mn_outfile_batch_abort(mn_ctx *ctx)
{
    mn__outbatch_free(ctx);
}

int mn__temp_publish_mode(int fd, int private_output)
{
    if (private_output)
        return fchmod(fd,
                      0600); /* a client's record: as the database (mn_ctx_set_private_outputs) */
    mode_t mask = umask(0);  /* read by setting it; put back at once */
    umask(mask);
    return fchmod(fd, 0666 & ~mask);
}

/* Creates the temporary file beside the target (at the first write or at commit). */
static int create_temp(mn_outfile *f)
{
    assert(f->tmp_path != NULL && f->fp == NULL);
    int fd = mn__temp_create(f->tmp_path);
    if (fd < 0)
        return -1;
    if (mn__temp_publish_mode(fd, f->private_output) != 0 || !(f->fp = fdopen(fd, "wb"))) {
        int e = errno;
        close(fd);
        mn__temp_remove(f->tmp_path);
        errno = e;
        return -1;
    }
    return 0;
}

mn_status mn_outfile_open(mn_ctx *ctx, const char *path, mn_outfile **out)
{
    if (path == NULL || out == NULL || path[0] == '\0')
        return mn__error(ctx, MN_EINVAL, "output path is empty");
    *out = NULL;
    mn_outfile *f = mn__calloc(1, sizeof *f);
    if (!f)
        return mn__error(ctx, MN_ENOMEM, "out of memory opening %s", path);
    if (strcmp(path, "-") == 0) {
        f->fp = stdout;
        f->hold = ctx && ctx->batch;
        *out = f;
        return MN_OK;
    }
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode)) {
        /* A device, FIFO or socket (/dev/null, /dev/stdout, a named pipe): there is no file
         * to replace, and renaming over it would replace the node itself (which root may do,
         * even in /dev). Write to it directly, as to standard output. */
        f->fp = fopen(path, "wb");
        f->path = f->fp ? mn__strdup(path) : NULL; /* for messages; NULL only without memory */
        if (!f->fp) {
            int e = errno;
            mn__free(f);
            return mn__error(ctx, MN_EIO, "%s: cannot open for writing: %s", path, strerror(e));
        }
        f->close_fp = 1;
        *out = f;
        return MN_OK;
    }
    size_t n = strlen(path);
    f->path = mn__strdup(path);
    f->private_output = ctx && ctx->private_outputs;
    f->tmp_path = mn__malloc(n + 16);
    if (!f->path || !f->tmp_path) {
        mn_outfile_abort(f);
        return mn__error(ctx, MN_ENOMEM, "out of memory opening %s", path);
    }
    snprintf(f->tmp_path, n + 16, "%s.tmp.XXXXXX", path);
    /* The file itself is created at the first write; check now that it can be, so a long run
     * does not end in "cannot create". */
    char *dir = mn__strdup(path);
    if (!dir) {
        mn_outfile_abort(f);
        return mn__error(ctx, MN_ENOMEM, "out of memory opening %s", path);
    }
    char *slash = strrchr(dir, '/');
    const char *d = slash ? (slash == dir ? "/" : (*slash = '\0', dir)) : ".";
    /* access() on a regular file (somefile/x.txt) fails with EACCES for want of X_OK, or
     * passes when the file is executable: neither is the reason, which is that it is not a
     * directory. */
    struct stat db;
    int ok = 0, e;
    if (stat(d, &db) != 0)
        e = errno;
    else if (!S_ISDIR(db.st_mode))
        e = ENOTDIR;
    else {
        ok = access(d, W_OK | X_OK) == 0;
        e = errno;
    }
    mn__free(dir);
    if (!ok || (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))) {
        mn_outfile_abort(f);
        /* A folder that does not exist, or a path through a file, is a wrong name (bad
         * input, as --plot treats a missing directory); a folder that exists but cannot be
         * written to, or an output that is itself a folder, stays a runtime failure. */
        int wrong_name = !ok && (e == ENOENT || e == ENOTDIR);
        return mn__error(ctx, wrong_name ? MN_EINVAL : MN_EIO, "%s: cannot create a file there: %s",
                         path, ok ? strerror(EISDIR) : strerror(e));
    }
    *out = f;
    return MN_OK;
}

int mn_outfile_writer(void *userdata, const char *buf, size_t len)
{
    mn_outfile *f = userdata;
    assert(f != NULL && (f->fp != NULL || f->tmp_path != NULL)); /* a stream, or one to create */
    if (f->failed)
        return -1;
    if (f->hold) {
        if (len == 0)
            return 0;
        if (len > f->held_cap - f->held_len) {
            size_t cap = f->held_cap ? f->held_cap : 4096;
            while (cap - f->held_len < len)
                cap *= 2;
            char *p = mn__realloc(f->held, cap);
            if (!p) {
                f->failed = 1;
                f->err = ENOMEM;
                return -1;
            }
            f->held = p;
            f->held_cap = cap;
        }
        memcpy(f->held + f->held_len, buf, len);
        f->held_len += len;
        return 0;
    }
    if (!f->fp && create_temp(f) != 0) {
        f->failed = 1;
        f->err = errno;
        return -1;
    }
    if (len && fwrite(buf, 1, len, f->fp) != len) {
        f->failed = 1;
        f->err = errno;
        return -1;
    }
    return 0;
}

mn_status mn_outfile_commit(mn_ctx *ctx, mn_outfile *f)
{
    if (f == NULL)
        return MN_EINVAL;
    if (f->hold && !f->failed && ctx && ctx->batch) { /* written by the batch's commit */
        struct mn__outbatch *b = ctx->batch;
        if (!b->out) {
            b->out = f->held, b->out_len = f->held_len;
            f->held = NULL;
        } else if (f->held_len) {
            char *p = mn__realloc(b->out, b->out_len + f->held_len);
            if (!p) {
                mn_outfile_abort(f);
                return mn__error(ctx, MN_ENOMEM, "out of memory writing standard output");
            }
            memcpy(p + b->out_len, f->held, f->held_len);
            b->out = p;
            b->out_len += f->held_len;
        }
        mn_outfile_abort(f);
        return MN_OK;
    }
    if (f->tmp_path == NULL) { /* standard output, or a device, FIFO or socket */
        int bad = f->failed, e = f->err;
        if (!bad && f->held_len && fwrite(f->held, 1, f->held_len, f->fp) != f->held_len)
            bad = 1, e = errno; /* held, but the batch was closed before this commit */
        if (!bad && fflush(f->fp) != 0)
            bad = 1, e = errno;
        if (f->close_fp && fclose(f->fp) != 0 && !bad)
            bad = 1, e = errno;
        f->fp = NULL;
        mn_status st = MN_OK;
        if (bad)
            st = mn__error(ctx, MN_EIO, "%s: cannot write: %s",
                           f->path ? f->path : "standard output", strerror(e));
        mn_outfile_abort(f);
        return st;
    }
    assert(f->path != NULL); /* a temporary file and its target */
    int bad = f->failed, e = f->err;
    if (!bad && !f->fp && create_temp(f) != 0) /* nothing was written: an empty file */
        bad = 1, e = errno;
    if (f->fp) {
        if (!bad && (fflush(f->fp) != 0 || fsync(fileno(f->fp)) != 0))
            bad = 1, e = errno;
        if (fclose(f->fp) != 0 && !bad)
            bad = 1, e = errno;
        f->fp = NULL;
        if (bad)
            mn__temp_remove(f->tmp_path);
    }
    /* Renamed now, or held by the context's batch (which copies the names). */
    mn_status st =
        bad ? mn__error(ctx, MN_EIO, "%s: cannot write: %s (the previous file, if any, is kept)",
                        f->path, strerror(e))
            : mn__temp_publish(ctx, f->tmp_path, f->path);
    mn__free(f->tmp_path);
    f->tmp_path = NULL;
    mn_outfile_abort(f);
    return st;
}

mn_status mn_outfile_fail(mn_ctx *ctx, mn_outfile *f, mn_status status)
{
    if (f && f->failed)
        status = mn__error(ctx, MN_EIO, "%s: cannot write: %s",
                           f->path ? f->path : "standard output", strerror(f->err));
    mn_outfile_abort(f);
    return status;
}

void mn_outfile_abort(mn_outfile *f)
{
    if (f == NULL)
        return;
    if (f->fp && (f->tmp_path || f->close_fp))
        fclose(f->fp);
    if (f->tmp_path && f->fp)
        mn__temp_remove(f->tmp_path);
    mn__free(f->tmp_path);
    mn__free(f->path);
    mn__free(f->held);
    mn__free(f);
}

mn_status mn_write_file_atomic(mn_ctx *ctx, const char *path, const char *data, size_t len)
{
    mn_outfile *f;
    mn_status st = mn_outfile_open(ctx, path, &f);
    if (st)
        return st;
    mn_outfile_writer(f, data, len);
    return mn_outfile_commit(ctx, f);
}

int mn_writer_file(void *userdata, const char *buf, size_t len)
{
    return fwrite(buf, 1, len, (FILE *)userdata) == len ? 0 : -1;
}
