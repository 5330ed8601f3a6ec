/*
 * Atomic file output: write to a temporary file in the target's directory (so rename() stays
 * on one filesystem), fsync, then rename over the target. A crash at any point leaves either
 * the old target or none, never a partial one.
 */
#include <assert.h>
#include <errno.h>
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
};

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
        *out = f;
        return MN_OK;
    }
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode)) {
        /* A device, FIFO or socket (/dev/null, /dev/stdout, a named pipe): there is no file
         * to replace, and renaming over it would replace the node itself (which root may do,
         * even in /dev). Write to it directly, as to standard output. */
        f->fp = fopen(path, "wb");
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
    f->tmp_path = mn__malloc(n + 16);
    if (!f->path || !f->tmp_path) {
        mn_outfile_abort(f);
        return mn__error(ctx, MN_ENOMEM, "out of memory opening %s", path);
    }
    snprintf(f->tmp_path, n + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(f->tmp_path);
    if (fd < 0) {
        int e = errno;
        mn__free(f->tmp_path);
        f->tmp_path = NULL;
        mn_outfile_abort(f);
        return mn__error(ctx, MN_EIO, "%s: cannot create a file there: %s", path, strerror(e));
    }
    /* mkstemp creates the file 0600; give the result the permissions a plain fopen() would
     * (0666 less the umask), since reports and plans are meant to be handed out. */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0) {
        int e = errno;
        close(fd);
        mn_outfile_abort(f);
        return mn__error(ctx, MN_EIO, "%s: %s", path, strerror(e));
    }
    f->fp = fdopen(fd, "wb");
    if (!f->fp) {
        int e = errno;
        close(fd);
        mn_outfile_abort(f);
        return mn__error(ctx, MN_EIO, "%s: %s", path, strerror(e));
    }
    *out = f;
    return MN_OK;
}

int mn_outfile_writer(void *userdata, const char *buf, size_t len)
{
    mn_outfile *f = userdata;
    assert(f != NULL && f->fp != NULL); /* an open outfile always has its stream */
    if (f->failed)
        return -1;
    if (len && fwrite(buf, 1, len, f->fp) != len) {
        f->failed = 1;
        return -1;
    }
    return 0;
}

mn_status mn_outfile_commit(mn_ctx *ctx, mn_outfile *f)
{
    if (f == NULL)
        return MN_EINVAL;
    if (f->tmp_path == NULL) { /* standard output, or a device, FIFO or socket */
        int bad = f->failed || fflush(f->fp) != 0;
        int closed = f->close_fp;
        if (closed && fclose(f->fp) != 0)
            bad = 1;
        mn__free(f);
        if (bad)
            return mn__error(ctx, MN_EIO, "cannot write to %s",
                             closed ? "the output device or pipe" : "standard output");
        return MN_OK;
    }
    assert(f->fp != NULL && f->path != NULL); /* a temporary file and its target */
    int bad = f->failed;
    if (fflush(f->fp) != 0 || fsync(fileno(f->fp)) != 0)
        bad = 1;
    if (fclose(f->fp) != 0)
        bad = 1;
    f->fp = NULL;
    if (!bad && rename(f->tmp_path, f->path) != 0)
        bad = 1;
    mn_status st = MN_OK;
    if (bad)
        st = mn__error(ctx, MN_EIO, "%s: write failed: %s (the previous file, if any, is kept)",
                       f->path, strerror(errno));
    mn_outfile_abort(f);
    return st;
}

void mn_outfile_abort(mn_outfile *f)
{
    if (f == NULL)
        return;
    if (f->fp && (f->tmp_path || f->close_fp))
        fclose(f->fp);
    if (f->tmp_path)
        unlink(f->tmp_path); /* after a successful rename this finds nothing: harmless */
    mn__free(f->tmp_path);
    mn__free(f->path);
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
