/*
 * The PDF report in the background. WeasyPrint takes seconds to print a report, longer than
 * a page should keep its reader (and its server thread) waiting with no word. So the first
 * request for a client's PDF starts a job in its own thread and waits for it a moment
 * (MN__PDF_WAIT_MS); a job not done by then is answered 202 with a page that says the report
 * is being prepared, for how long so far, and refreshes itself (<meta http-equiv="refresh">,
 * no script); the next request of the same user for the same client gets the PDF, or the
 * message of what went wrong, and the job is forgotten. Jobs are per user and client, a few
 * at a time (MN__PDF_JOBS; more: 503 with Retry-After), and one left unfetched is dropped
 * after MN__PDF_KEEP_S. Each job makes the plan from the client's stored input, as the
 * HTML report does, in a context of its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "mneedle/plot.h"
#include "server/server_internal.h"

enum {
    MN__PDF_WAIT_MS = 1000, /* a PDF made within a second is answered at once */
    MN__PDF_KEEP_S = 600,   /* a finished PDF nobody fetched: dropped after 10 minutes */
    MN__PDF_REFRESH_S = 2   /* the waiting page asks again every 2 s */
};

mn_status mn__pdf_jobs_init(mn__pdf_jobs *pj, const char *data_dir)
{
    memset(pj, 0, sizeof *pj);
    if (data_dir && strlen(data_dir) >= sizeof pj->data_dir)
        return MN_EINVAL;
    if (data_dir)
        snprintf(pj->data_dir, sizeof pj->data_dir, "%s", data_dir);
    pthread_mutex_init(&pj->lock, NULL);
    pthread_cond_init(&pj->changed, NULL);
    pj->initialized = 1;
    return MN_OK;
}

static void job_clear(mn__pdf_job *j)
{
    if (j->joinable)
        pthread_join(j->thread, NULL);
    mn__free(j->pdf);
    mn__free(j->input);
    memset(j, 0, sizeof *j);
}

void mn__pdf_jobs_release(mn__pdf_jobs *pj)
{
    if (!pj->initialized)
        return;
    /* Running jobs finish first (WeasyPrint is a child process: it ends on its own). */
    for (int i = 0; i < MN__PDF_JOBS; i++)
        job_clear(&pj->slots[i]);
    pthread_mutex_destroy(&pj->lock);
    pthread_cond_destroy(&pj->changed);
    pj->initialized = 0;
}

/* Makes the PDF of one job: the plan from the stored input, then WeasyPrint through a private
 * temporary folder (mn_plan_report_save writes files). */
static void *job_run(void *arg)
{
    mn__pdf_job *j = arg;
    mn__pdf_jobs *pj = j->owner;
    mn_ctx *ctx = NULL;
    char err[512] = "";
    mn__buf pdf;
    mn__buf_init(&pdf);
    mn_status st =
        mn_ctx_create_with_data(&ctx, pj->data_dir[0] ? pj->data_dir : NULL, err, sizeof err);
    mn_client client;
    mn_plan *plan = NULL;
    char src[96];
    snprintf(src, sizeof src, "client %s", j->id);
    mn_plan_options popts;
    mn_plan_options_init(&popts);
    popts.prepared = j->prepared;
    popts.has_prepared = 1;
    if (!st && !(st = mn_client_parse(ctx, src, j->input, strlen(j->input), &client)))
        st = mn_plan_build(ctx, &client, &popts, &plan);
    mn_ctx_set_private_outputs(ctx, 1); /* a client's report, in a 0700 folder besides */
    char dir[] = "/tmp/mneedle-report.XXXXXX", path[64];
    if (!st && !mkdtemp(dir))
        st = mn__error(ctx, MN_EIO, "no temporary folder for the PDF");
    else if (!st) {
        snprintf(path, sizeof path, "%s/report.pdf", dir);
        st = mn_plan_report_save(ctx, plan, path);
        FILE *fp = st ? NULL : fopen(path, "rb");
        if (fp) {
            char chunk[65536];
            size_t got;
            while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0)
                mn__buf_append(&pdf, chunk, got);
            fclose(fp);
        } else if (!st) {
            st = mn__error(ctx, MN_EIO, "the PDF was not written");
        }
        unlink(path);
        rmdir(dir);
    }
    if (!st && mn__buf_status(&pdf))
        st = mn__error(ctx, MN_ENOMEM, "out of memory");
    mn_plan_free(plan);

    pthread_mutex_lock(&pj->lock);
    j->status = st;
    if (st)
        snprintf(j->msg, sizeof j->msg, "%s", err[0] ? err : mn_ctx_errmsg(ctx));
    if (!st) {
        j->pdf = pdf.data;
        j->len = pdf.len;
        pdf.data = NULL;
    }
    j->done = 1;
    j->finished = (long long)time(NULL);
    pthread_cond_broadcast(&pj->changed);
    pthread_mutex_unlock(&pj->lock);
    mn__buf_release(&pdf);
    mn_ctx_free(ctx);
    return NULL;
}

/* The job of this user for this client, or NULL. Under the lock. */
static mn__pdf_job *find(mn__pdf_jobs *pj, const char *user, const char *id)
{
    for (int i = 0; i < MN__PDF_JOBS; i++) {
        mn__pdf_job *j = &pj->slots[i];
        if (j->used && !strcmp(j->user, user) && !strcmp(j->id, id))
            return j;
    }
    return NULL;
}

/* A free slot, reclaiming a finished job left unfetched too long. Under the lock; NULL when
 * every slot holds a running or recent job. */
static mn__pdf_job *free_slot(mn__pdf_jobs *pj, long long now)
{
    for (int i = 0; i < MN__PDF_JOBS; i++)
        if (!pj->slots[i].used)
            return &pj->slots[i];
    for (int i = 0; i < MN__PDF_JOBS; i++) {
        mn__pdf_job *j = &pj->slots[i];
        if (j->done && now - j->finished >= MN__PDF_KEEP_S) {
            job_clear(j);
            return j;
        }
    }
    return NULL;
}

/* The page shown while the PDF is made: 202, refreshed every few seconds. */
static void waiting_page(mn__call *c, const char *id, long long seconds)
{
    mn__buf b;
    mn__buf_init(&b);
    c->refresh_s = MN__PDF_REFRESH_S;
    mn__page_begin(&b, c, "Preparing the PDF report", "report-wait");
    mn__buf_printf(&b,
                   "<p class=\"msg\" id=\"progress\" role=\"status\">The PDF report of client ");
    mn__srv_esc(&b, id);
    mn__buf_printf(&b,
                   " is being prepared (%lld s so far; WeasyPrint usually takes a few seconds). "
                   "This page asks again every %d seconds, and the download starts when it is "
                   "ready.</p><p class=\"actions\"><a id=\"report-refresh\" href=\"/clients/",
                   seconds, MN__PDF_REFRESH_S);
    mn__srv_url(&b, id);
    mn__buf_printf(&b, "/report.pdf\">Ask again now</a><a id=\"back\" href=\"/clients/");
    mn__srv_url(&b, id);
    mn__buf_printf(&b, "/plan\">Back to the plan</a></p>");
    mn__page_end(&b);
    mn__page_send(c, 202, &b);
}

void mn__page_report_pdf(mn__call *c)
{
    const char *id = c->params[0];
    mn__pdf_jobs *pj = &c->srv->pdf_jobs;
    const char *user = c->sess->user;
    long long now = (long long)time(NULL);

    pthread_mutex_lock(&pj->lock);
    mn__pdf_job *j = find(pj, user, id);
    pthread_mutex_unlock(&pj->lock);
    if (!j) {
        /* A new job: the stored input and today's date now; audited before it starts. */
        mn_date today;
        char *input = NULL;
        mn_status st = mn_date_today(c->w->ctx, &today);
        if (!st)
            st = mn_store_client_input(c->w->ctx, c->w->store, id, &input);
        if (!st)
            st = mn__audit_read(c, id, "report-pdf");
        if (st) {
            free(input);
            if (st == MN_ENOTFOUND && strstr(mn_ctx_errmsg(c->w->ctx), "no client"))
                mn__error_page(c, 404, "There is no such client.", NULL);
            else
                mn__error_page(c, 500, "The record cannot be read.", mn_ctx_errmsg(c->w->ctx));
            return;
        }
        size_t n = strlen(input);
        char *copy = mn__malloc(n + 1);
        if (copy)
            memcpy(copy, input, n + 1);
        free(input); /* mn_store_client_input's string: free() */
        if (!copy) {
            mn__error_page(c, 500, "Out of memory.", NULL);
            return;
        }
        pthread_mutex_lock(&pj->lock);
        j = find(pj, user, id); /* another request of the same user may have started one */
        if (!j && (j = free_slot(pj, now))) {
            j->used = 1;
            j->owner = pj;
            snprintf(j->user, sizeof j->user, "%s", user);
            snprintf(j->id, sizeof j->id, "%s", id);
            j->input = copy;
            copy = NULL;
            j->prepared = today;
            j->started = now;
            if (pthread_create(&j->thread, NULL, job_run, j) == 0) {
                j->joinable = 1;
            } else {
                j->done = 1;
                j->status = MN_ENOMEM;
                snprintf(j->msg, sizeof j->msg, "cannot start the PDF job");
            }
        }
        pthread_mutex_unlock(&pj->lock);
        mn__free(copy);
        if (!j) {
            mn__error_page(c, 503,
                           "Several PDF reports are being prepared already; try again in a "
                           "minute, or use the HTML report, which prints from the browser.",
                           NULL);
            mn__resp_header(c->resp, "Retry-After", "30");
            return;
        }
    }

    /* Wait a moment for it: a quick PDF is answered at once. The slot is looked up again
     * under the lock each time: another request of the same user for the same client (a
     * second tab) may have taken the finished job meanwhile. */
    pthread_mutex_lock(&pj->lock);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    long long ns = (long long)tv.tv_usec * 1000 + (long long)MN__PDF_WAIT_MS * 1000000;
    struct timespec until = {tv.tv_sec + (time_t)(ns / 1000000000), (long)(ns % 1000000000)};
    while ((j = find(pj, user, id)) && !j->done)
        if (pthread_cond_timedwait(&pj->changed, &pj->lock, &until))
            break;
    j = find(pj, user, id);
    if (!j) { /* taken by that other request: asking again starts a new one */
        pthread_mutex_unlock(&pj->lock);
        waiting_page(c, id, 0);
        return;
    }
    if (!j->done) {
        long long started = j->started;
        pthread_mutex_unlock(&pj->lock);
        waiting_page(c, id, now - started);
        return;
    }
    /* Done: hand over the outcome and forget the job. */
    mn_status st = j->status;
    char msg[sizeof j->msg];
    snprintf(msg, sizeof msg, "%s", j->msg);
    mn__buf b = {.data = j->pdf, .len = j->len, .cap = j->len};
    j->pdf = NULL;
    job_clear(j);
    pthread_mutex_unlock(&pj->lock);
    if (st == MN_EUNSUPPORTED) {
        mn__buf_release(&b);
        mn__error_page(c, 501,
                       "PDF reports need WeasyPrint (the Debian package weasyprint); the HTML "
                       "report has the same content and prints from the browser.",
                       NULL);
        return;
    }
    if (st) {
        mn__buf_release(&b);
        mn__error_page(c, mn_status_is_input_error(st) ? 422 : 500, "The PDF cannot be made.", msg);
        return;
    }
    c->resp->status = 200;
    mn__resp_header(c->resp, "Content-Disposition", "attachment; filename=\"report.pdf\"");
    mn__resp_body(c->resp, &b, "application/pdf");
    mn__buf_release(&b);
}
