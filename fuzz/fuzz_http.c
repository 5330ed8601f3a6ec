/*
 * Fuzz target: raw HTTP request bytes through the web workstation's request handler
 * (mn_http_parse, then mn_server_handle), without sockets, over a database made once in a
 * temporary folder (one client with a saved plan, one practitioner signed in). So that
 * mutations reach the pages behind sign-in, "@S" in the input stands for that session's id
 * and "@T" for its CSRF token.
 * Properties: every parsed request gets a response with the security headers; no page carries
 * a script element (nothing from the input becomes markup); a state-changing request that
 * does not carry the token never succeeds (2xx or a 303 other than sign-in's own answers);
 * the status is one the handler documents.
 */
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fuzz.h"
#include "mneedle/server.h"

static mn_ctx *ctx;
static mn_server *srv;
static char dir[256], db[300], sid[40], tok[40];

static void cleanup(void)
{
    mn_server_free(srv);
    mn_ctx_free(ctx);
    char path[320];
    static const char *const files[] = {"clinic.db", "clinic.db-wal", "clinic.db-shm"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

/* The value of cookie @p name set by a response, or "". */
static void cookie_of(const mn_http_response *r, const char *name, char *out, size_t n)
{
    out[0] = '\0';
    size_t k = strlen(name);
    for (int i = 0; i < r->n_headers; i++)
        if (!strcmp(r->headers[i].name, "Set-Cookie") && !strncmp(r->headers[i].value, name, k) &&
            r->headers[i].value[k] == '=')
            snprintf(out, n, "%.*s", (int)strcspn(r->headers[i].value + k + 1, ";"),
                     r->headers[i].value + k + 1);
}

static void init(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/mn_fuzz_http_XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    fuzz_check(mkdtemp(dir) != NULL);
    snprintf(db, sizeof db, "%s/clinic.db", dir);
    atexit(cleanup);
    fuzz_check(mn_ctx_create(&ctx) == MN_OK);
    char password[64];
    fuzz_check(mn_server_demo_create(ctx, db, password, sizeof password) == MN_OK);
    mn_store *store;
    fuzz_check(mn_store_open(ctx, db, 0, 0, &store) == MN_OK);
    fuzz_check(mn_store_user_add(ctx, store, "pia", MN_ROLE_PRACTITIONER, "fuzz password") ==
               MN_OK);
    mn_store_close(store);
    mn_server_config cfg;
    mn_server_config_init(&cfg);
    cfg.db_path = db;
    cfg.workers = 1;
    fuzz_check(mn_server_create(ctx, &cfg, &srv) == MN_OK);
    /* Sign in as the handler expects a browser to. */
    mn_http_response r;
    mn_http_request get = {"GET", "/signin", NULL, NULL, 0, "", 0, "setup", 0};
    fuzz_check(mn_server_handle(srv, &get, &r) == MN_OK);
    char pre[40], cookie[80], body[128];
    cookie_of(&r, "mneedle-signin", pre, sizeof pre);
    mn_http_response_release(&r);
    snprintf(cookie, sizeof cookie, "mneedle-signin=%s", pre);
    snprintf(body, sizeof body, "csrf=%s&user=pia&password=fuzz+password", pre);
    mn_http_header h[2] = {{"Cookie", cookie},
                           {"Content-Type", "application/x-www-form-urlencoded"}};
    mn_http_request post = {"POST", "/signin", NULL, h, 2, body, strlen(body), "setup", 0};
    fuzz_check(mn_server_handle(srv, &post, &r) == MN_OK);
    cookie_of(&r, "mneedle", sid, sizeof sid);
    mn_http_response_release(&r);
    fuzz_check(strlen(sid) == 32);
    snprintf(cookie, sizeof cookie, "mneedle=%s", sid);
    mn_http_header hc[1] = {{"Cookie", cookie}};
    mn_http_request page = {"GET", "/clients", NULL, hc, 1, "", 0, "setup", 0};
    fuzz_check(mn_server_handle(srv, &page, &r) == MN_OK);
    const char *p = r.body ? strstr(r.body, "name=\"csrf\" value=\"") : NULL;
    fuzz_check(p != NULL);
    snprintf(tok, sizeof tok, "%.32s", p + strlen("name=\"csrf\" value=\""));
    mn_http_response_release(&r);
}

/* The input with @S and @T replaced; sets *has_token when @T was used. */
static char *expand(const uint8_t *data, size_t size, size_t *len, int *has_token)
{
    size_t cap = size * 16 + 1, n = 0; /* each 2-byte marker grows to 32 bytes */
    char *out = malloc(cap);
    if (!out)
        return NULL;
    *has_token = 0;
    for (size_t i = 0; i < size; i++) {
        if (data[i] == '@' && i + 1 < size && (data[i + 1] == 'S' || data[i + 1] == 'T')) {
            const char *v = data[i + 1] == 'S' ? sid : tok;
            *has_token |= data[i + 1] == 'T';
            memcpy(out + n, v, 32);
            n += 32;
            i++;
        } else {
            out[n++] = (char)data[i];
        }
    }
    out[n] = '\0';
    *len = n;
    return out;
}

static int has_script(const mn_http_response *r)
{
    const char *type = mn_http_response_header(r, "Content-Type");
    if (!r->body || !type || strncmp(type, "text/html", 9))
        return 0;
    for (size_t i = 0; i + 7 <= r->body_len; i++)
        if (r->body[i] == '<' && !strncasecmp(r->body + i + 1, "script", 6))
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!srv)
        init();
    if (size > 65536)
        return 0;
    size_t len;
    int has_token;
    char *raw = expand(data, size, &len, &has_token);
    if (!raw)
        return 0;
    mn_http_parsed *p = NULL;
    mn_status st = mn_http_parse(ctx, raw, len, &p);
    if (st) {
        fuzz_check(mn_status_is_input_error(st) || st == MN_ENOMEM);
        free(raw);
        return 0;
    }
    const mn_http_request *req = mn_http_parsed_request(p);
    mn_http_response r;
    fuzz_check(mn_server_handle(srv, req, &r) == MN_OK);
    static const int known[] = {200, 303, 400, 401, 403, 404, 405, 413, 422, 429, 500, 501};
    int ok = 0;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        ok |= r.status == known[i];
    fuzz_check(ok);
    fuzz_check(mn_http_response_header(&r, "Content-Security-Policy") != NULL);
    fuzz_check(mn_http_response_header(&r, "X-Content-Type-Options") != NULL);
    fuzz_check(mn_http_response_header(&r, "Referrer-Policy") != NULL);
    fuzz_check(!has_script(&r));
    /* Without the token nothing changes: a POST that does not carry it only fails, or is the
     * sign-in form's answer (which redirects back to itself, or in with its own token). */
    int safe = !strcmp(req->method, "GET") || !strcmp(req->method, "HEAD");
    const char *loc = mn_http_response_header(&r, "Location");
    /* "/signin", also percent-encoded, has its own token and its own answers. */
    char decoded[64];
    size_t k = 0;
    for (const char *q = req->path; *q && k + 1 < sizeof decoded; q++) {
        unsigned v;
        if (q[0] == '%' && q[1] && q[2] && sscanf(q + 1, "%2x", &v) == 1) {
            decoded[k++] = (char)v;
            q += 2;
        } else {
            decoded[k++] = *q;
        }
    }
    decoded[k] = '\0';
    int signin = !strcmp(decoded, "/signin");
    if (!safe && !has_token && !signin)
        fuzz_check(r.status >= 400 || (r.status == 303 && loc && !strncmp(loc, "/signin", 7)));
    mn_http_response_release(&r);
    mn_http_parsed_free(p);
    free(raw);
    return 0;
}
