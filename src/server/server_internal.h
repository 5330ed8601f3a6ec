/* The server's pieces shared between the files of src/server/ (private to the server). */
#ifndef MN_SERVER_INTERNAL_H
#define MN_SERVER_INTERNAL_H

#include <pthread.h>
#include <stddef.h>

#include "core/internal.h"
#include "mneedle/server.h"

/* ---- http.c: requests, forms, escaping, responses ---- */

/* Percent-decodes @p len bytes of @p s ('+' as space when @p plus) into a new string
 * (mn__malloc); NULL when out of memory. A '%' not followed by two hex digits is kept. A NUL
 * decoded from "%00" ends the string early (a parsed form keeps the whole length, so that
 * mn__form_bad_text() can refuse it). */
char *mn__url_decode(const char *s, size_t len, int plus);

/* A parsed form or query string: decoded names and values, and each value's decoded length
 * (which a NUL byte from "%00" makes longer than its strlen). */
typedef struct {
    char **names, **values;
    size_t *value_lens;
    int n;
} mn__form;

/* Parses application/x-www-form-urlencoded text; at most MN__FORM_MAX_FIELDS fields (more:
 * MN_ELIMIT). */
#define MN__FORM_MAX_FIELDS 512
mn_status mn__form_parse(const char *text, size_t len, mn__form *out);
void mn__form_release(mn__form *f);
/* The value of field @p name, or NULL. */
const char *mn__form_get(const mn__form *f, const char *name);
/* The name of the first field whose value a record cannot keep as text, NULL when there is
 * none: a value holding a NUL byte (mn__form_get would see it cut short) or bytes that are
 * not UTF-8 (which a JSON record cannot hold); @p why receives what is wrong ("holds a NUL
 * byte", "is not UTF-8 text"). A form checks this first, so that such a value is refused,
 * never cut or dropped. */
const char *mn__form_bad_text(const mn__form *f, const char **why);
/* As mn__form_get, "" when absent. */
const char *mn__form_str(const mn__form *f, const char *name);
/* The value of a numbered field, named @p prefix, @p k, @p suffix ("concern2.zones",
 * "depth3"); "" when absent. */
const char *mn__form_nth(const mn__form *f, const char *prefix, int k, const char *suffix);

/* The value of request header @p name (case-insensitive), or NULL. */
const char *mn__req_header(const mn_http_request *req, const char *name);
/* The value of cookie @p name in the Cookie header, copied into out (size bytes); 1 if found. */
int mn__req_cookie(const mn_http_request *req, const char *name, char *out, size_t size);

/* HTML text (and attribute values, which are always double-quoted): & < > " ' as entities,
 * controls and bidirectional overrides named as the report names them (report/html_util.c). */
void mn__srv_esc(mn__buf *b, const char *s);
/* As mn__srv_esc(), keeping line breaks: for a text report shown in a <pre>. */
void mn__srv_esc_pre(mn__buf *b, const char *s);
/* The message @p err beside form field @p name when @p err_field (the field the error is about;
 * NULL: none) is that field: a span with id error-NAME and role alert. */
void mn__field_error(mn__buf *b, const char *name, const char *err_field, const char *err);
/* One labelled input row of a form: <p>, the label for f-NAME, an input with id f-NAME and
 * name NAME, of @p type (NULL: no type attribute, a text input), holding @p value escaped,
 * then mn__field_error() for it, then </p>. @p name and @p label are markup, not escaped. */
void mn__input_row(mn__buf *b, const char *name, const char *label, const char *type,
                   const char *value, const char *err_field, const char *err);
/* A stale plan's notice (the client page, the charting form, the re-plan result), the
 * paragraph id="plan-stale": plan @p plan_id of client @p id, saved @p created, was made from
 * an earlier record; with a link to the client's plan page. */
void mn__stale_notice(mn__buf *b, const char *id, long plan_id, const char *created);
/* A path segment or query value: everything but unreserved characters percent-encoded. */
void mn__srv_url(mn__buf *b, const char *s);
/* The same for @p len bytes of @p s, a NUL byte among them as %00. */
void mn__srv_url_len(mn__buf *b, const char *s, size_t len);
/* A JSON string with its quotes; '<', '>' and '&' as \u escapes, so it is also safe inside
 * HTML. */
void mn__srv_json_str(mn__buf *b, const char *s);

/* Adds a header to a response (silently dropped beyond MN_HTTP_MAX_HEADERS: never more than
 * the handler itself sets). */
void mn__resp_header(mn_http_response *r, const char *name, const char *value);
/* Sets the body from a buffer (taking its memory) and the Content-Type. */
void mn__resp_body(mn_http_response *r, mn__buf *b, const char *content_type);

/* Compact JSON text of a jansson value, allocated with mn__malloc (free with mn__free; jansson's
 * own json_dumps allocates through the library's hooks, core/alloc.c); NULL when out of
 * memory. */
struct json_t;
char *mn__srv_dump(const struct json_t *v);

/* A writer (mn_writer) appending to an mn__buf. */
int mn__buf_writer(void *userdata, const char *buf, size_t len);

/* ---- session.c: signed-in sessions, CSRF tokens, the sign-in limit ---- */

/* The value of one hex digit, or -1 when c is not one. */
int mn__hex_digit(char c);

/* 128-bit random values as 32 hex digits. */
#define MN__TOKEN_HEX 33

typedef struct {
    char id[MN__TOKEN_HEX];   /* the cookie's value */
    char csrf[MN__TOKEN_HEX]; /* the synchronizer token of its forms */
    char user[MN_STORE_USER_LEN];
    mn_store_role role;
    long long generation; /* the user's generation (mn_store_user_state) at its sign-in */
    long long created, last_seen;
    int used;
} mn__session;

typedef struct {
    char key[80];    /* "a:" address or "u:" user name */
    long long first; /* the window's start */
    long long last;  /* the latest try counted */
    int failures;
} mn__login_fail;

typedef struct {
    pthread_mutex_t lock;
    mn__session *slots;
    int n_slots;
    int idle_s, absolute_s;
    mn__login_fail *fails;
    int n_fails;
    int max_failures, window_s;        /* a name: its failures in the window, then locked */
    int addr_failures, addr_spacing_s; /* an address: its failures, then tries spaced */
} mn__sessions;

mn_status mn__sessions_init(mn__sessions *s, int max_sessions, int idle_s, int absolute_s,
                            int max_failures, int window_s, int addr_failures, int addr_spacing_s);
void mn__sessions_release(mn__sessions *s);
/* Starts a session for a user whose generation is @p generation (a new id, a new CSRF token),
 * evicting the least recently used one when full; copies it to out. */
mn_status mn__session_start(mn__sessions *s, const char *user, mn_store_role role,
                            long long generation, long long now, mn__session *out);
/* Finds a live session by id and touches it; copies it to out. 0 when none (or expired, which
 * also ends it). */
int mn__session_find(mn__sessions *s, const char *id, long long now, mn__session *out);
/* Ends a session (sign-out). */
void mn__session_end(mn__sessions *s, const char *id);
/* Ends every session of @p user but the one whose id is @p keep (NULL: all of them): a user
 * disabled, or a password changed. Returns how many ended that had not timed out by @p now. */
int mn__sessions_end_user(mn__sessions *s, const char *user, const char *keep, long long now);
/* Ends every session of @p user begun under another generation than @p generation (-1: every
 * session of @p user): a change made by another server over the same database. Returns how many
 * ended that had not timed out by @p now. */
int mn__sessions_end_stale(mn__sessions *s, const char *user, long long generation, long long now);
/* Moves session @p id from generation @p from to @p to (its user's own change of password, which
 * it outlives); 0 when it is gone or under another generation. */
int mn__session_renew(mn__sessions *s, const char *id, long long from, long long to);
/* 1 when the token matches the session's (constant time). */
int mn__csrf_ok(const mn__session *sess, const char *token);
/* The sign-in limit (session.c), counted before the password is checked: 1 when user name
 * @p user may try now, and so may address @p addr (NULL: the name alone is limited, as for the
 * account page's current password); the try is then counted against both at once under the
 * lock, so requests in flight together cannot all pass the check before any has failed. 0
 * (nothing counted) when the name is locked or the address must wait: @p wait_s (may be NULL)
 * receives the seconds until it may try again. Every 1 is followed by mn__login_end with the
 * same name and address. @p last (may be NULL): set to 1 when this try is the last the name's
 * limit allows (its failure locks it), else 0. */
int mn__login_begin(mn__sessions *s, const char *user, const char *addr, long long now, int *last,
                    int *wait_s);
/* After the check: a success clears the name's count and takes this try back from the
 * address's; a failure keeps what mn__login_begin counted. */
void mn__login_end(mn__sessions *s, const char *user, const char *addr, int ok, long long now);
/* The key the sign-in limit counts address @p addr's failures under, into @p out: "a:" and an
 * IPv4 address (one mapped into IPv6 as the IPv4 one), or an IPv6 address's /64 network
 * ("a:2001:db8:1:2::/64", any zone left off), or the text as given when it is no address. */
void mn__login_addr_key(const char *addr, char *out, size_t size);
/* What a refused try is told: "Too many failed sign-ins. Wait N minutes (or seconds) and try
 * again.", from mn__login_begin's wait. */
void mn__login_wait_words(int wait_s, char *out, size_t size);

/* ---- the handler (handler.c) and its pages ---- */

/* A database handle and a context for one request at a time. */
typedef struct {
    mn_ctx *ctx;
    mn_store *store;
    int busy;
} mn__worker;

/* ---- audit.c: audited reads, committed in groups by one writer thread ---- */

/* One request's read waiting to be logged. */
typedef struct mn__audit_req {
    const char *actor, *id, *what;
    mn_status status;
    char msg[256];
    int done;
    struct mn__audit_req *next;
} mn__audit_req;

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t work, done;
    mn__audit_req *head, *tail; /* waiting to be logged, oldest first */
    pthread_t thread;
    int initialized, running, stop;
    mn_ctx *ctx;               /* the writer's own, */
    mn_store *store;           /* and its own database handle */
    long long taken;           /* entries handed to a transaction so far */
    long long commits, logged; /* transactions and entries so far (tests, benches) */
} mn__auditor;

/* Starts the writer thread over its own context and handle (which stay the caller's). */
mn_status mn__auditor_start(mn__auditor *a, mn_ctx *ctx, mn_store *store);
/* Logs what is still waiting, then stops the thread. Safe on a zeroed or stopped auditor. */
void mn__auditor_stop(mn__auditor *a);

/* ---- plan_cache.c: made plans kept under the key of what makes them ---- */

enum { MN__PLAN_CACHE_SLOTS = 64 };

typedef struct {
    char id[MN_STORE_ID_LEN];
    unsigned char key[32]; /* SHA-256 of the catalogues' hash, the date, the kind, the input */
    char *data;
    size_t len;
    unsigned long long used; /* the cache's clock at the last use */
} mn__plan_cached;

typedef struct {
    pthread_mutex_t lock;
    mn__plan_cached slots[MN__PLAN_CACHE_SLOTS];
    unsigned long long clock;
    long long hits, misses;
    char catalogue_hash[65];
    int initialized;
} mn__plan_cache;

void mn__plan_cache_init(mn__plan_cache *pc, mn_ctx *ctx);
void mn__plan_cache_release(mn__plan_cache *pc);
/* Forgets every output kept for client @p id (after a write to it). */
void mn__plan_cache_drop(mn__plan_cache *pc, const char *id);

/* ---- pdf_jobs.c: PDF reports made in the background ---- */

enum { MN__PDF_JOBS = 4 }; /* at once, over every user (each runs a WeasyPrint) */

struct mn__pdf_jobs;
typedef struct {
    int used, joinable, done;
    struct mn__pdf_jobs *owner;
    pthread_t thread;
    char user[MN_STORE_USER_LEN], id[MN_STORE_ID_LEN];
    char *input;      /* the client's stored input, copied */
    mn_date prepared; /* the plan's date */
    long long started, finished;
    mn_status status;
    char msg[512];
    char *pdf;
    size_t len;
} mn__pdf_job;

typedef struct mn__pdf_jobs {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    mn__pdf_job slots[MN__PDF_JOBS];
    char data_dir[1024]; /* the server's --data, for each job's own context */
    int initialized;
} mn__pdf_jobs;

mn_status mn__pdf_jobs_init(mn__pdf_jobs *pj, const char *data_dir);
/* Waits for running jobs, then frees everything. Safe on a zeroed set. */
void mn__pdf_jobs_release(mn__pdf_jobs *pj);

/* ---- handler.c: the names the server answers to (DNS rebinding) ---- */

/* The Host values a listening server answers to: each of names (lower case; an IPv6 address
 * in brackets) followed by ":" and port, or alone when the port is the scheme's default.
 * Never changed once published; a newer one keeps the older for mn_server_free. */
typedef struct mn__hosts {
    char names[MN_SERVER_MAX_HOSTS + 4][256];
    int n;
    char port[8]; /* "" when no port is known yet: nothing is answered */
    int bare_ok;  /* the port is the scheme's default (80, or 443 under TLS) */
    struct mn__hosts *older;
} mn__hosts;

/* Publishes the Host values of a server listening on @p bind at @p port (0: not known yet,
 * so every request is refused until it is): loopback's names (127.0.0.1, localhost, [::1])
 * when @p bind is a loopback or every-address one, @p bind itself otherwise, and the
 * configuration's allow_hosts. From then on mn_server_handle checks Host first. */
mn_status mn__server_listen_on(mn_server *srv, const char *bind, int port);

struct mn_server {
    mn_server_config cfg;
    char allow_hosts[MN_SERVER_MAX_HOSTS][256]; /* cfg.allow_hosts, copied, lower case */
    mn__hosts *hosts; /* NULL: any Host (no daemon); read and set with __atomic builtins */
    pthread_mutex_t log_lock;
    long long log_last; /* when the last refusal was written (0: none yet) */
    long long log_held; /* refusals not written since */
    char db_path[1024];
    mn__worker *workers;
    int n_workers;
    pthread_mutex_t pool_lock;
    pthread_cond_t pool_free;
    mn__sessions sessions;
    mn_ctx *audit_ctx;
    mn_store *audit_store;
    mn__auditor auditor;
    mn__plan_cache plan_cache;
    mn__pdf_jobs pdf_jobs;
    unsigned char msg_key[32]; /* signs the messages of redirects (mn__redirect), random */
};

/* What a page handler gets: the request, its parsed query and form, the session (NULL when
 * not signed in), a worker, and the response to fill. */
typedef struct {
    mn_server *srv;
    const mn_http_request *req;
    mn__form query, form;
    const mn__session *sess;
    mn__worker *w;
    mn_http_response *resp;
    long long now;
    const char *const *params; /* the route's captured path segments (decoded) */
    /* The pattern of the route that runs (routes[] in handler.c): what a handler of several
     * routes tells them apart by, never the path as sent, whose segments may be
     * percent-encoded ("/api/v1/user%73" is the route "/api/v1/users"). */
    const char *route;
    int n_params;
    int refresh_s; /* > 0: the page asks to be loaded again after this many seconds */
} mn__call;

/* Page helpers (pages.c). */
void mn__page_begin(mn__buf *b, const mn__call *c, const char *title, const char *main_id);
void mn__page_end(mn__buf *b);
/* A finished page: status, body, no-store. */
void mn__page_send(mn__call *c, int status, mn__buf *b);
/* The notice of a client whose health questionnaire is older than its validity today (the
 * rule replan and record session hold on); nothing when it is not. */
void mn__questionnaire_notice(mn__call *c, mn__buf *b, const char *id);
/* 303 to @p location, with an optional message carried in the query (?msg=...&sig=...),
 * signed for the session the next page will have (c->sess; NULL: none), so that a page shows
 * only a message this server wrote for that session (mn__page_message). */
void mn__redirect(mn__call *c, const char *location, const char *msg);
/* What the signature adds to a redirect's Location: "&sig=" and 32 hex digits. */
#define MN__REDIRECT_SIG_LEN 37
/* The message of this page's query when its signature is this server's for the current
 * session, else NULL: text put in a link by anyone else is never shown as the server's. */
const char *mn__page_message(const mn__call *c);
/* 303 to client @p id's page (/clients/ID, the id URL-encoded) with @p msg, as mn__redirect()
 * answers; to /clients when that address cannot be made (out of memory). */
void mn__redirect_client(mn__call *c, const char *id, const char *msg);
/* A page saying what went wrong, with @p detail (the context's message) when there is one,
 * as mn__failure_text() lets it be said. */
void mn__error_page(mn__call *c, int status, const char *what, const char *detail);
/* What a page or an API answer may say of a failure whose message is @p msg: below 500 (the
 * input was at fault) @p msg itself; from 500 on (the database, the disk, memory) the same
 * general words everywhere, since the library's message can name the database's path and the
 * server keeps no log to put it in. */
const char *mn__failure_text(int status, const char *msg);
/* The hidden CSRF input of a form. */
void mn__csrf_field(mn__buf *b, const mn__call *c);

/* Logs that the signed-in user read client @p id's record (@p what: the view), through the
 * group commit of audit.c; returns once the entry is committed and synced. On failure the
 * worker's context says why (MN_ENOTFOUND: no such client). */
mn_status mn__audit_read(mn__call *c, const char *id, const char *what);
/* As mn__audit_read for each of the @p n clients @p ids (an answer that discloses several
 * clients' identities at once: one entry per client), handed to the writer together, so they
 * go in one or a few transactions. */
mn_status mn__audit_reads(mn__call *c, const char *const *ids, int n, const char *what);
/* As mn__audit_reads for every client of a recall list (@p n entries of
 * mn_store_recall_list), each once, under "recall". */
mn_status mn__audit_recall(mn__call *c, const mn_store_recall *list, int n);
/* Client @p id's timeline in @p out, its read then logged as mn__audit_read() does under
 * @p what. On failure *out is NULL (nothing to free) and the context says why. Free with
 * mn_store_history_free(). */
mn_status mn__history_read(mn__call *c, const char *id, const char *what, mn_store_history **out);

/* Writes one output of a plan (JSON, text, a figure) into out. */
typedef mn_status (*mn__plan_render)(mn__call *c, const mn_plan *plan, mn__buf *out);
/* Appends to @p out the output @p kind (a name for the render: "json", "text", "svg") of the
 * plan of client @p id made from its stored input, dated today, as `mneedle plan ID` makes
 * it: from the plan cache when the same input, catalogues and date made it before, else made
 * now with @p render and kept (plan_cache.c). */
mn_status mn__plan_output(mn__call *c, const char *id, const char *kind, mn__plan_render render,
                          mn__buf *out);

/* A form whose field holds what no record can keep as text (mn__form_bad_text: a NUL byte,
 * bytes not UTF-8) is refused before its route runs, for every form the server takes
 * (handler.c), with 422 and these words: beside the field itself (@p beside: "this field holds
 * a NUL byte: type it again"), or else naming it. Nothing is stored. */
void mn__bad_text_words(const char *field, const char *why, int beside, char *out, size_t size);
/* How a route's form is drawn again for that refusal (the form filled from c->form, the words
 * beside @p field where it shows that field, status 422); a route without one answers an
 * error page, or JSON under /api. @p why: what mn__form_bad_text() said. */
typedef void (*mn__bad_text_refusal)(mn__call *c, const char *field, const char *why);
void mn__refuse_client_form(mn__call *c, const char *field, const char *why);
void mn__refuse_session_form(mn__call *c, const char *field, const char *why);
void mn__refuse_assessment_form(mn__call *c, const char *field, const char *why);
void mn__refuse_adverse_event_form(mn__call *c, const char *field, const char *why);
void mn__refuse_users_form(mn__call *c, const char *field, const char *why);
void mn__refuse_account_form(mn__call *c, const char *field, const char *why);

/* Pages (pages.c, records.c) and the API (api.c); each fills c->resp. */
void mn__page_home(mn__call *c);
void mn__page_signin(mn__call *c);
void mn__post_signin(mn__call *c);
void mn__post_signout(mn__call *c);
void mn__page_style(mn__call *c);
void mn__page_clients(mn__call *c);
void mn__page_client(mn__call *c);
void mn__page_client_form(mn__call *c);
void mn__post_client(mn__call *c);
void mn__page_plan(mn__call *c);
void mn__post_plan(mn__call *c);
void mn__page_report(mn__call *c);
void mn__page_report_pdf(mn__call *c);
void mn__page_export(mn__call *c);
void mn__page_session_form(mn__call *c);
void mn__post_session(mn__call *c);
void mn__page_assessment_form(mn__call *c);
void mn__post_assessment(mn__call *c);
void mn__page_adverse_event_form(mn__call *c);
void mn__post_adverse_event(mn__call *c);
void mn__page_replan(mn__call *c);
void mn__post_replan(mn__call *c);
void mn__page_recall(mn__call *c);
void mn__page_catalog(mn__call *c);
void mn__page_users(mn__call *c);
void mn__post_users(mn__call *c);
void mn__post_user_state(mn__call *c);
void mn__post_user_password(mn__call *c);
/* Why a disabled user is, in the users page's words ("by an admin", "locked after 100 failed
 * sign-ins"); NULL when not disabled or when no entry says why. */
const char *mn__disabled_words(mn_store_disabled_by by, char *buf, size_t size);
/* A user was just disabled (@p by says how): ends every session of @p user at once and logs
 * it (mn_store_audit_sessions_ended) with @p actor (NULL: the handle's) as who ended them.
 * Returns how many ended; -1 when the entry could not be written (they ended all the same). */
int mn__sessions_end_disabled(mn__call *c, const char *user, mn_store_disabled_by by,
                              const char *actor);
/* Ends every session of @p user but @p keep's (NULL: all of them) at once and logs it
 * (mn_store_audit_sessions_ended) with @p why and @p actor (NULL: the handle's): a user disabled,
 * a password reset or changed. Returns how many ended; -1 when the entry could not be written
 * (they ended all the same). */
int mn__sessions_end_audited(mn__call *c, const char *user, const char *keep, const char *why,
                             const char *actor);
/* Whether the request's session (c->sess, signed in) still holds: its user is there, not
 * disabled, and of the generation it signed in under. A user changed by another server over the
 * same database (or any other handle of the store) since: 0, and every session of it begun
 * before the change ends here too, logged (mn_store_audit_sessions_ended) in the words and with
 * the actor of that change, as this server logs a change made here. 0 also, ending nothing,
 * when the state cannot be read. Needs c->w. */
int mn__session_current(mn__call *c);
/* Logs a failed sign-in of @p user (the sign-in form's or the account page's current password):
 * "signin-failed", then "locked" when @p last (the try that reached the sign-in limit); when the
 * failure disabled the user (MN_STORE_SIGNIN_FAILURES_DISABLE in a row) its open sessions end at
 * once, logged, and @p locked (may be NULL) is set to 1 (else 0). Returns 0; -1 when an entry
 * could not be written. */
int mn__signin_failure_log(mn__call *c, const char *user, int last, int *locked);
/* Ends the request's session's cookie in the browser (Max-Age=0) and answers as signed out
 * from here on (c->sess NULL): after the session itself has ended. */
void mn__signed_out(mn__call *c);
void mn__page_account(mn__call *c);
void mn__post_account_password(mn__call *c);
void mn__api(mn__call *c);

#endif
