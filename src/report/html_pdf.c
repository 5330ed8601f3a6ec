/*
 * Saving a plan's report by file name: .html/.htm is the page itself; .pdf is the same page
 * printed to PDF by WeasyPrint, an HTML/CSS-to-PDF engine packaged by Debian (`weasyprint`,
 * no browser involved), with the page's print styles (A4, the aftercare sheet on its own
 * page). mneedle does not link WeasyPrint (a Python program); it runs it when it is on PATH and
 * says how to get it when it is not. Output is atomic: temporary files beside the target,
 * renamed over it only when the PDF is complete.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report/plot_internal.h"

extern char **environ;

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* The program that prints the page, found on PATH, and what to say when it is not there. */
#define WEASYPRINT "weasyprint"
#define WEASYPRINT_MISSING                                                                         \
    "%s: PDF output needs WeasyPrint, which is not installed (Debian: apt-get install "            \
    "weasyprint); write an .html report instead"

/* 1 if an executable file @p name is in one of PATH's directories (as posix_spawnp looks). */
static int on_path(const char *name)
{
    const char *path = getenv("PATH");
    char file[4096];
    if (!path || !*path)
        path = "/usr/bin:/bin";
    while (*path) {
        size_t n = strcspn(path, ":");
        const char *dir = n ? path : ".";
        int len = n ? (int)n : 1;
        if ((size_t)snprintf(file, sizeof file, "%.*s/%s", len, dir, name) < sizeof file &&
            access(file, X_OK) == 0)
            return 1;
        path += n + (path[n] == ':');
    }
    return 0;
}

static int write_fd(void *userdata, const char *buf, size_t len)
{
    int fd = *(int *)userdata;
    while (len > 0) {
        ssize_t w = write(fd, buf, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Creates an empty temporary file named after @p path; returns its descriptor or -1. */
static int temp_beside(const char *path, char *name, size_t n, const char *tag)
{
    if ((size_t)snprintf(name, n, "%s.%s.XXXXXX", path, tag) >= n)
        return -1;
    return mn__temp_create(name); /* removed by the signal handler if the run is stopped */
}

static mn_status save_pdf(mn_ctx *ctx, const mn_plan *plan, const char *path)
{
    char html[4096], pdf[4096], log[4096], msg[400] = "";
    int fd_html = -1, fd_pdf = -1, fd_log = -1, status = 0;
    mn_status st = MN_OK;
    html[0] = pdf[0] = log[0] = '\0';
    if ((fd_html = temp_beside(path, html, sizeof html, "html")) < 0 ||
        (fd_pdf = temp_beside(path, pdf, sizeof pdf, "tmp")) < 0 ||
        (fd_log = temp_beside(path, log, sizeof log, "log")) < 0) {
        st = mn__error(ctx, MN_EIO, "%s: cannot create a file there: %s", path, strerror(errno));
        goto done;
    }
    if ((st = mn_plan_report_html(ctx, plan, write_fd, &fd_html)))
        goto done;
    if (close(fd_html) != 0) {
        fd_html = -1;
        st = mn__error(ctx, MN_EIO, "%s: cannot write the page to print", path);
        goto done;
    }
    fd_html = -1;

    /* weasyprint HTML PDF, its messages into the log file, nothing on our terminal. */
    posix_spawn_file_actions_t fa;
    pid_t pid;
    char *argv[] = {WEASYPRINT, html, pdf, NULL};
    if (posix_spawn_file_actions_init(&fa) != 0) {
        st = mn__error(ctx, MN_ENOMEM, "report: cannot prepare to run weasyprint");
        goto done;
    }
    posix_spawn_file_actions_adddup2(&fa, fd_log, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, fd_log, STDERR_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    int rc = posix_spawnp(&pid, WEASYPRINT, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        st = mn__error(ctx, MN_EUNSUPPORTED, WEASYPRINT_MISSING, path);
        goto done;
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            st = mn__error(ctx, MN_EIO, "report: lost track of weasyprint: %s", strerror(errno));
            goto done;
        }
    char head[5] = {0};
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        pread(fd_pdf, head, sizeof head, 0) != (ssize_t)sizeof head ||
        memcmp(head, "%PDF-", 5) != 0) {
        ssize_t n = pread(fd_log, msg, sizeof msg - 1, 0);
        msg[n > 0 ? n : 0] = '\0';
        for (char *p = msg; *p; p++)
            if (*p == '\n')
                *p = ' ';
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
            st = mn__error(ctx, MN_EUNSUPPORTED,
                           "%s: PDF output needs WeasyPrint (Debian: apt-get install "
                           "weasyprint); write an .html report instead",
                           path);
        else
            st = mn__error(ctx, MN_EIO, "%s: weasyprint could not print the report: %s", path,
                           msg[0] ? msg : "no PDF produced");
        goto done;
    }
    /* weasyprint wrote into our mkstemp file (0600): the PDF gets the mode of every other
     * output (0600 still for a client's record, mn_ctx_set_private_outputs). */
    if (mn__temp_publish_mode(fd_pdf, ctx && ctx->private_outputs) != 0 || fsync(fd_pdf) != 0) {
        st = mn__error(ctx, MN_EIO, "%s: cannot write the PDF: %s", path, strerror(errno));
        goto done;
    }
    st = mn__temp_publish(ctx, pdf, path); /* renamed, or held by the batch; else removed */
    pdf[0] = '\0';
done:
    if (fd_html >= 0)
        close(fd_html);
    if (fd_pdf >= 0)
        close(fd_pdf);
    if (fd_log >= 0)
        close(fd_log);
    if (html[0])
        mn__temp_remove(html);
    if (pdf[0])
        mn__temp_remove(pdf);
    if (log[0])
        mn__temp_remove(log);
    return st;
}

mn_status mn_plan_report_check(mn_ctx *ctx, const char *path)
{
    if (!path || !path[0])
        return mn__error(ctx, MN_EINVAL, "report: no file name");
    if (!ends_with(path, ".pdf") && !ends_with(path, ".html") && !ends_with(path, ".htm"))
        return mn__error(ctx, MN_EINVAL, "%s: a report's file name must end in .html or .pdf",
                         path);
    /* Opened and abandoned: creates nothing, and fails as the report's own file would. */
    mn_outfile *probe = NULL;
    mn_status st = mn_outfile_open(ctx, path, &probe);
    mn_outfile_abort(probe);
    if (!st && ends_with(path, ".pdf") && !on_path(WEASYPRINT))
        st = mn__error(ctx, MN_EUNSUPPORTED, WEASYPRINT_MISSING, path);
    return st;
}

mn_status mn_plan_report_save(mn_ctx *ctx, const mn_plan *plan, const char *path)
{
    if (!plan)
        return mn__error(ctx, MN_EINVAL, "report: no plan or no file name");
    mn_status st = mn_plan_report_check(ctx, path);
    if (st)
        return st;
    if (ends_with(path, ".pdf"))
        return save_pdf(ctx, plan, path);
    mn_outfile *out = NULL;
    if ((st = mn_outfile_open(ctx, path, &out)))
        return st;
    if ((st = mn_plan_report_html(ctx, plan, mn_outfile_writer, out))) {
        return mn_outfile_fail(ctx, out, st);
    }
    return mn_outfile_commit(ctx, out);
}
