/*
 * Audited reads with a group commit. Every read of a client's record is logged, and the
 * entry is committed (synchronous=FULL: synced to the disk) before the page is answered
 * (docs/serve.md, "Audit"). One commit per read made each page wait for its own sync, and
 * concurrent pages queued behind each other's syncs. Here a request queues its entry and
 * waits; one writer thread, with its own database handle, takes every entry waiting, logs
 * them in one transaction (mn_store_audit_reads: one commit, one sync) and wakes their
 * requests. The entries that arrive during a commit form the next one. Durability is the
 * same as before: no request is answered before its own entry is on the disk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/server_internal.h"

/* Entries one transaction takes at most; more wait for the next (a bound on the array). */
enum { BATCH_MAX = 256 };

static void *writer(void *arg)
{
    mn__auditor *a = arg;
    mn__audit_req *batch[BATCH_MAX];
    mn_store_audit_entry entries[BATCH_MAX];
    pthread_mutex_lock(&a->lock);
    for (;;) {
        while (!a->head && !a->stop)
            pthread_cond_wait(&a->work, &a->lock);
        if (!a->head)
            break; /* stopping, and nothing is left to log */
        int n = 0;
        while (a->head && n < BATCH_MAX) {
            batch[n++] = a->head;
            a->head = a->head->next;
        }
        if (!a->head)
            a->tail = NULL;
        a->taken += n;
        pthread_mutex_unlock(&a->lock);

        for (int i = 0; i < n; i++)
            entries[i] =
                (mn_store_audit_entry){batch[i]->actor, batch[i]->id, batch[i]->what, MN_OK};
        mn_ctx_clear_error(a->ctx);
        mn_store_audit_reads(a->ctx, a->store, entries, n);
        for (int i = 0; i < n; i++) {
            batch[i]->status = entries[i].status;
            if (entries[i].status)
                snprintf(batch[i]->msg, sizeof batch[i]->msg, "%s",
                         entries[i].status == MN_ENOTFOUND ? "no client with this id"
                                                           : mn_ctx_errmsg(a->ctx));
        }

        pthread_mutex_lock(&a->lock);
        for (int i = 0; i < n; i++)
            batch[i]->done = 1;
        a->commits++;
        a->logged += n;
        pthread_cond_broadcast(&a->done);
    }
    pthread_mutex_unlock(&a->lock);
    return NULL;
}

mn_status mn__auditor_start(mn__auditor *a, mn_ctx *ctx, mn_store *store)
{
    memset(a, 0, sizeof *a);
    a->ctx = ctx;
    a->store = store;
    pthread_mutex_init(&a->lock, NULL);
    pthread_cond_init(&a->work, NULL);
    pthread_cond_init(&a->done, NULL);
    a->initialized = 1;
    if (pthread_create(&a->thread, NULL, writer, a))
        return MN_ENOMEM;
    a->running = 1;
    return MN_OK;
}

void mn__auditor_stop(mn__auditor *a)
{
    if (!a->initialized)
        return;
    if (a->running) {
        pthread_mutex_lock(&a->lock);
        a->stop = 1;
        pthread_cond_signal(&a->work);
        pthread_mutex_unlock(&a->lock);
        pthread_join(a->thread, NULL);
        a->running = 0;
    }
    pthread_mutex_destroy(&a->lock);
    pthread_cond_destroy(&a->work);
    pthread_cond_destroy(&a->done);
    a->initialized = 0;
}

mn_status mn__audit_read(mn__call *c, const char *id, const char *what)
{
    mn__auditor *a = &c->srv->auditor;
    mn__audit_req r = {.actor = c->sess ? c->sess->user : "web", .id = id, .what = what};
    pthread_mutex_lock(&a->lock);
    if (a->tail)
        a->tail->next = &r;
    else
        a->head = &r;
    a->tail = &r;
    pthread_cond_signal(&a->work);
    while (!r.done)
        pthread_cond_wait(&a->done, &a->lock);
    pthread_mutex_unlock(&a->lock);
    if (r.status)
        return mn__error(c->w->ctx, r.status, "audit log: %s", r.msg);
    return MN_OK;
}

mn_status mn__audit_reads(mn__call *c, const char *const *ids, int n, const char *what)
{
    if (n <= 0)
        return MN_OK;
    mn__auditor *a = &c->srv->auditor;
    mn__audit_req *r = mn__calloc((size_t)n, sizeof *r);
    if (!r)
        return mn__error(c->w->ctx, MN_ENOMEM, "audit log: out of memory");
    pthread_mutex_lock(&a->lock);
    for (int i = 0; i < n; i++) {
        r[i] =
            (mn__audit_req){.actor = c->sess ? c->sess->user : "web", .id = ids[i], .what = what};
        if (a->tail)
            a->tail->next = &r[i];
        else
            a->head = &r[i];
        a->tail = &r[i];
    }
    pthread_cond_signal(&a->work);
    mn_status st = MN_OK;
    for (int i = 0; i < n; i++) {
        while (!r[i].done)
            pthread_cond_wait(&a->done, &a->lock);
        if (r[i].status && !st)
            st = mn__error(c->w->ctx, r[i].status, "audit log: %s", r[i].msg);
    }
    pthread_mutex_unlock(&a->lock);
    mn__free(r);
    return st;
}

mn_status mn__history_read(mn__call *c, const char *id, const char *what, mn_store_history **out)
{
    *out = NULL;
    mn_store_history *h = NULL;
    mn_status st = mn_store_history_get(c->w->ctx, c->w->store, id, &h);
    if (!st && (st = mn__audit_read(c, id, what)))
        mn_store_history_free(h);
    else if (!st)
        *out = h;
    return st;
}

static int id_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

mn_status mn__audit_recall(mn__call *c, const mn_store_recall *list, int n)
{
    if (n <= 0)
        return MN_OK;
    const char **ids = mn__calloc((size_t)n, sizeof *ids);
    if (!ids)
        return mn__error(c->w->ctx, MN_ENOMEM, "audit log: out of memory");
    for (int i = 0; i < n; i++)
        ids[i] = list[i].client;
    /* A client listed twice (due, and with a course visit overdue) is logged once. */
    qsort(ids, (size_t)n, sizeof *ids, id_cmp);
    int k = 0;
    for (int i = 0; i < n; i++)
        if (!k || strcmp(ids[k - 1], ids[i]))
            ids[k++] = ids[i];
    mn_status st = mn__audit_reads(c, ids, k, "recall");
    mn__free((void *)ids);
    return st;
}
