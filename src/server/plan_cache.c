/*
 * Made plans, kept. A plan shown by the server is made from the client's stored input, the
 * catalogues and today's date (the plan's "prepared" day), as `mneedle plan` makes it; making
 * one costs about 12 ms of CPU, which the plan API and the plan page paid on every request.
 * The output (the JSON of the API, the text of the plan page, the projection figure) is kept
 * here under a key of exactly those inputs: SHA-256 of the catalogues' hash (the definition new
 * plans record, which covers every file a plan is made from), the date, the
 * output's kind and the stored input's text. A change to the client's input, made through
 * this server or by a command on the same database, gives another key, so a stale plan is
 * never served; a write through this server to a client also drops that client's entries
 * at once (mn__plan_cache_drop), so they do not linger until evicted. A bounded number of
 * entries, the least recently used replaced first.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/server_internal.h"
#include "store/store_internal.h"

void mn__plan_cache_init(mn__plan_cache *pc, mn_ctx *ctx)
{
    memset(pc, 0, sizeof *pc);
    pthread_mutex_init(&pc->lock, NULL);
    mn__store_catalogue_hash(ctx, MN__CATALOG_HASH_VERSION, pc->catalogue_hash);
    pc->initialized = 1;
}

void mn__plan_cache_release(mn__plan_cache *pc)
{
    if (!pc->initialized)
        return;
    for (int i = 0; i < MN__PLAN_CACHE_SLOTS; i++)
        mn__free(pc->slots[i].data);
    pthread_mutex_destroy(&pc->lock);
    memset(pc, 0, sizeof *pc);
}

void mn__plan_cache_drop(mn__plan_cache *pc, const char *id)
{
    pthread_mutex_lock(&pc->lock);
    for (int i = 0; i < MN__PLAN_CACHE_SLOTS; i++) {
        mn__plan_cached *e = &pc->slots[i];
        if (e->data && !strcmp(e->id, id)) {
            mn__free(e->data);
            memset(e, 0, sizeof *e);
        }
    }
    pthread_mutex_unlock(&pc->lock);
}

/* Copies a kept output into out; 1 when there was one. */
static int lookup(mn__plan_cache *pc, const char *id, const unsigned char *key, mn__buf *out)
{
    int hit = 0;
    pthread_mutex_lock(&pc->lock);
    for (int i = 0; i < MN__PLAN_CACHE_SLOTS && !hit; i++) {
        mn__plan_cached *e = &pc->slots[i];
        if (e->data && !strcmp(e->id, id) && !memcmp(e->key, key, sizeof e->key)) {
            mn__buf_append(out, e->data, e->len);
            e->used = ++pc->clock;
            hit = 1;
        }
    }
    if (hit)
        pc->hits++;
    else
        pc->misses++;
    pthread_mutex_unlock(&pc->lock);
    return hit;
}

static void keep(mn__plan_cache *pc, const char *id, const unsigned char *key, const mn__buf *b)
{
    char *copy = mn__malloc(b->len ? b->len : 1);
    if (!copy)
        return; /* not kept: the next request makes it again */
    memcpy(copy, b->data, b->len);
    pthread_mutex_lock(&pc->lock);
    mn__plan_cached *slot = &pc->slots[0];
    for (int i = 0; i < MN__PLAN_CACHE_SLOTS; i++) {
        mn__plan_cached *e = &pc->slots[i];
        if (e->data && !strcmp(e->id, id) && !memcmp(e->key, key, sizeof e->key)) {
            slot = e; /* made twice at once: keep one */
            break;
        }
        if (!e->data || e->used < slot->used)
            slot = e;
        if (!e->data)
            break;
    }
    mn__free(slot->data);
    snprintf(slot->id, sizeof slot->id, "%s", id);
    memcpy(slot->key, key, sizeof slot->key);
    slot->data = copy;
    slot->len = b->len;
    slot->used = ++pc->clock;
    pthread_mutex_unlock(&pc->lock);
}

mn_status mn__plan_output(mn__call *c, const char *id, const char *kind, mn__plan_render render,
                          mn__buf *out)
{
    mn_ctx *ctx = c->w->ctx;
    mn__plan_cache *pc = &c->srv->plan_cache;
    mn_plan_options popts;
    mn_plan_options_init(&popts);
    mn_status st = mn_date_today(ctx, &popts.prepared);
    if (st)
        return st;
    popts.has_prepared = 1;
    if (strlen(id) >= sizeof pc->slots[0].id)
        return mn__error(ctx, MN_ENOTFOUND, "no client \"%.40s\"", id);
    char *input = NULL;
    if ((st = mn_store_client_input(ctx, c->w->store, id, &input)))
        return st;
    char day[16];
    unsigned char key[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, (const unsigned char *)pc->catalogue_hash,
                              strlen(pc->catalogue_hash) + 1);
    mn_date_format(popts.prepared, day);
    crypto_hash_sha256_update(&h, (const unsigned char *)day, strlen(day) + 1);
    crypto_hash_sha256_update(&h, (const unsigned char *)kind, strlen(kind) + 1);
    crypto_hash_sha256_update(&h, (const unsigned char *)input, strlen(input));
    crypto_hash_sha256_final(&h, key);
    if (lookup(pc, id, key, out)) {
        free(input); /* mn_store_client_input's string: free() */
        return mn__buf_status(out) ? mn__error(ctx, MN_ENOMEM, "out of memory") : MN_OK;
    }
    char src[80];
    snprintf(src, sizeof src, "client %s", id);
    mn_client client;
    mn_plan *plan = NULL;
    size_t start = out->len;
    if (!(st = mn_client_parse(ctx, src, input, strlen(input), &client)) &&
        !(st = mn_plan_build(ctx, &client, &popts, &plan)))
        st = render(c, plan, out);
    if (!st && mn__buf_status(out))
        st = mn__error(ctx, MN_ENOMEM, "out of memory");
    if (!st) {
        mn__buf part = {.data = out->data + start, .len = out->len - start};
        keep(pc, id, key, &part);
    }
    mn_plan_free(plan);
    free(input);
    return st;
}
