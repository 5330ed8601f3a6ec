/*
 * The demonstration database of `mneedle serve --demo`: the bundled example clients
 * (every JSON file of examples/clients, embedded at build time as mn__embedded_demo), each planned
 * and the plan saved as `mneedle plan ID --save` does, and an admin with a random password.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mneedle/report.h"
#include "server/server_internal.h"

struct mn__embedded_file {
    const char *name;
    const char *data;
    size_t len;
};
extern const struct mn__embedded_file mn__embedded_demo[];

/* Characters of a one-time password: letters and digits without the look-alikes 0 O 1 l I. */
static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

mn_status mn_server_demo_create(mn_ctx *ctx, const char *path, char *password, size_t size)
{
    /* 20 characters of 56: log2(56^20) = 116 bits, beyond guessing at any rate. */
    enum { PW_LEN = 20 };
    if (!path || !password || size < PW_LEN + 1)
        return mn__error(ctx, MN_EINVAL, "serve --demo: no place for the password");
    if (sodium_init() < 0)
        return mn__error(ctx, MN_EIO, "serve --demo: libsodium cannot start");
    mn_store *store = NULL;
    mn_status st = mn_store_open(ctx, path, MN_STORE_CREATE, 0, &store);
    if (st)
        return st;
    mn_store_set_actor(store, "demo");
    /* A demo is made in one go: no need to sync every commit to disk. */
    mn_store_set_durable(ctx, store, 0);
    for (const struct mn__embedded_file *e = mn__embedded_demo; !st && e->name; e++) {
        char got[MN_STORE_ID_LEN], src[96];
        snprintf(src, sizeof src, "(embedded) examples/clients/%s", e->name);
        /* The store's own pseudonymous id, as for a real client: a file's name
         * ("lena-pregnant") would put a condition in every URL and audit row. */
        if ((st = mn_store_client_add(ctx, store, src, e->data, e->len, NULL, got)))
            break;
        char *input = NULL;
        mn_client client;
        mn_plan *plan = NULL;
        mn_plan_options popts;
        mn_plan_options_init(&popts);
        mn__buf json;
        mn__buf_init(&json);
        long plan_id;
        if (!(st = mn_date_today(ctx, &popts.prepared))) {
            popts.has_prepared = 1;
            if (!(st = mn_store_client_input(ctx, store, got, &input)) &&
                !(st = mn_client_parse(ctx, src, input, strlen(input), &client)) &&
                !(st = mn_plan_build(ctx, &client, &popts, &plan)) &&
                !(st = mn_plan_write(ctx, plan, 1, mn__buf_writer, &json)))
                st = mn_store_plan_save(ctx, store, got, json.data, json.len, &plan_id);
        }
        mn__buf_release(&json);
        mn_plan_free(plan);
        free(input);
    }
    for (int i = 0; i < PW_LEN; i++) /* randombytes_uniform: no modulo bias */
        password[i] = alphabet[randombytes_uniform((uint32_t)(sizeof alphabet - 1))];
    password[PW_LEN] = '\0';
    if (!st)
        st = mn_store_user_add(ctx, store, "admin", MN_ROLE_ADMIN, password);
    if (!st)
        st = mn_store_set_durable(ctx, store, 1);
    mn_store_close(store);
    if (st) {
        sodium_memzero(password, size);
        remove(path);
    }
    return st;
}
