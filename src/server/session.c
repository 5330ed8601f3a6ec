/*
 * Signed-in sessions, kept in memory on the server only (the cookie holds a random id and
 * nothing else), their CSRF synchronizer tokens, and the sign-in limit.
 *
 * Ids and tokens are 128 bits from libsodium's randombytes_buf (the system's CSPRNG):
 * OWASP's session management cheat sheet asks for at least 64 bits of entropy. A new id is
 * made at every sign-in (no fixation); a session ends after idle_s without a request and
 * absolute_s after its sign-in whatever happens (mn_server_config_init gives the defaults and
 * their sources). Restarting the server ends every session. A session also records its user's
 * generation at sign-in, and ends when the database says the user has changed since (users.c,
 * mn__session_current): a change made through another server over the same database.
 *
 * The sign-in limit has two parts (mn_server_config_init gives the numbers and their sources).
 * Failures are counted per user name in a window; past the limit every try of that name is
 * refused until the window has passed, so a guesser gets max_failures tries per window and
 * per name whatever address it uses (OWASP's authentication cheat sheet: the counter belongs
 * to the account, not the address). Failures are also counted per client address, which
 * never locks: past addr_failures in the window, the address's tries are spaced addr_spacing_s
 * apart. Every browser of this computer comes from 127.0.0.1, so a lock of the address would
 * let one name's failures lock every user out; spacing still bounds what one address tries
 * over every name (a spray of one password over many names), and the Argon2 runs it costs.
 * An IPv6 address is counted by its /64 network, not the address: a host is handed a whole
 * /64 (RFC 6177; SLAAC, RFC 4862, makes any interface id in it), so one guesser holds 2^64
 * addresses and would get addr_failures tries at full speed from each (addr_key).
 */
#include <arpa/inet.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "server/server_internal.h"

/* Failure records kept; beyond it the oldest is reused (a flood of addresses cannot grow
 * memory). */
#define MAX_FAIL_KEYS 4096

mn_status mn__sessions_init(mn__sessions *s, int max_sessions, int idle_s, int absolute_s,
                            int max_failures, int window_s, int addr_failures, int addr_spacing_s)
{
    memset(s, 0, sizeof *s);
    if (sodium_init() < 0)
        return MN_EIO;
    s->slots = mn__calloc((size_t)max_sessions, sizeof *s->slots);
    s->fails = mn__calloc(MAX_FAIL_KEYS, sizeof *s->fails);
    if (!s->slots || !s->fails) {
        mn__free(s->slots);
        mn__free(s->fails);
        return MN_ENOMEM;
    }
    s->n_slots = max_sessions;
    s->idle_s = idle_s;
    s->absolute_s = absolute_s;
    s->n_fails = MAX_FAIL_KEYS;
    s->max_failures = max_failures;
    s->window_s = window_s;
    s->addr_failures = addr_failures;
    s->addr_spacing_s = addr_spacing_s;
    pthread_mutex_init(&s->lock, NULL);
    return MN_OK;
}

void mn__sessions_release(mn__sessions *s)
{
    if (!s->slots)
        return;
    sodium_memzero(s->slots, (size_t)s->n_slots * sizeof *s->slots);
    mn__free(s->slots);
    mn__free(s->fails);
    pthread_mutex_destroy(&s->lock);
    memset(s, 0, sizeof *s);
}

static void token(char out[MN__TOKEN_HEX])
{
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, MN__TOKEN_HEX, raw, sizeof raw);
}

static int expired(const mn__sessions *s, const mn__session *x, long long now)
{
    return now - x->last_seen >= s->idle_s || now - x->created >= s->absolute_s || now < x->created;
}

mn_status mn__session_start(mn__sessions *s, const char *user, mn_store_role role,
                            long long generation, long long now, mn__session *out)
{
    pthread_mutex_lock(&s->lock);
    int pick = -1;
    for (int i = 0; i < s->n_slots && pick < 0; i++)
        if (!s->slots[i].used || expired(s, &s->slots[i], now))
            pick = i;
    if (pick < 0) { /* full: the least recently used goes */
        pick = 0;
        for (int i = 1; i < s->n_slots; i++)
            if (s->slots[i].last_seen < s->slots[pick].last_seen)
                pick = i;
    }
    mn__session *x = &s->slots[pick];
    memset(x, 0, sizeof *x);
    token(x->id);
    token(x->csrf);
    snprintf(x->user, sizeof x->user, "%s", user);
    x->role = role;
    x->generation = generation;
    x->created = x->last_seen = now;
    x->used = 1;
    *out = *x;
    pthread_mutex_unlock(&s->lock);
    return MN_OK;
}

int mn__session_find(mn__sessions *s, const char *id, long long now, mn__session *out)
{
    if (!id || strlen(id) != MN__TOKEN_HEX - 1)
        return 0;
    int found = 0;
    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < s->n_slots; i++) {
        mn__session *x = &s->slots[i];
        if (!x->used || sodium_memcmp(x->id, id, MN__TOKEN_HEX - 1) != 0)
            continue;
        if (expired(s, x, now)) {
            sodium_memzero(x, sizeof *x);
        } else {
            x->last_seen = now;
            *out = *x;
            found = 1;
        }
        break;
    }
    pthread_mutex_unlock(&s->lock);
    return found;
}

void mn__session_end(mn__sessions *s, const char *id)
{
    if (!id || strlen(id) != MN__TOKEN_HEX - 1)
        return;
    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < s->n_slots; i++)
        if (s->slots[i].used && sodium_memcmp(s->slots[i].id, id, MN__TOKEN_HEX - 1) == 0)
            sodium_memzero(&s->slots[i], sizeof s->slots[i]);
    pthread_mutex_unlock(&s->lock);
}

int mn__sessions_end_user(mn__sessions *s, const char *user, const char *keep, long long now)
{
    int ended = 0;
    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < s->n_slots; i++) {
        mn__session *x = &s->slots[i];
        if (!x->used || strcmp(x->user, user) != 0)
            continue;
        if (keep && strlen(keep) == MN__TOKEN_HEX - 1 &&
            sodium_memcmp(x->id, keep, MN__TOKEN_HEX - 1) == 0)
            continue;
        ended += !expired(s, x, now); /* one timed out already is cleared, not counted */
        sodium_memzero(x, sizeof *x);
    }
    pthread_mutex_unlock(&s->lock);
    return ended;
}

int mn__sessions_end_stale(mn__sessions *s, const char *user, long long generation, long long now)
{
    int ended = 0;
    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < s->n_slots; i++) {
        mn__session *x = &s->slots[i];
        if (!x->used || strcmp(x->user, user) != 0 ||
            (generation >= 0 && x->generation == generation))
            continue;
        ended += !expired(s, x, now);
        sodium_memzero(x, sizeof *x);
    }
    pthread_mutex_unlock(&s->lock);
    return ended;
}

int mn__session_renew(mn__sessions *s, const char *id, long long from, long long to)
{
    if (!id || strlen(id) != MN__TOKEN_HEX - 1)
        return 0;
    int renewed = 0;
    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < s->n_slots && !renewed; i++) {
        mn__session *x = &s->slots[i];
        if (x->used && sodium_memcmp(x->id, id, MN__TOKEN_HEX - 1) == 0 && x->generation == from) {
            x->generation = to;
            renewed = 1;
        }
    }
    pthread_mutex_unlock(&s->lock);
    return renewed;
}

int mn__csrf_ok(const mn__session *sess, const char *tok)
{
    return sess && tok && strlen(tok) == MN__TOKEN_HEX - 1 &&
           sodium_memcmp(sess->csrf, tok, MN__TOKEN_HEX - 1) == 0;
}

/* How much a record is worth keeping when a new one needs its place: an empty one or one whose
 * window has passed first, then the others, and a name at its limit last, so that a flood of
 * new names or addresses does not lift a lock. */
static int keep_rank(const mn__sessions *s, const mn__login_fail *f, long long now)
{
    if (!f->failures || now - f->first >= s->window_s || now < f->first)
        return 0;
    return !strncmp(f->key, "u:", 2) && f->failures >= s->max_failures ? 2 : 1;
}

/* The record of @p key in its window (one whose window has passed is cleared); with @p create,
 * a new one when there is none, taking the place of the least worth keeping (the oldest among
 * equals). */
static mn__login_fail *fail_slot(mn__sessions *s, const char *key, long long now, int create)
{
    mn__login_fail *victim = NULL;
    int victim_rank = 3;
    for (int i = 0; i < s->n_fails; i++) {
        mn__login_fail *f = &s->fails[i];
        if (f->failures && !strcmp(f->key, key)) {
            if (now - f->first < s->window_s && now >= f->first)
                return f;
            memset(f, 0, sizeof *f); /* the window has passed */
            victim = f;
            break;
        }
        int rank = keep_rank(s, f, now);
        if (rank < victim_rank || (rank == victim_rank && victim && f->first < victim->first)) {
            victim = f;
            victim_rank = rank;
        }
    }
    if (!create || !victim)
        return NULL;
    memset(victim, 0, sizeof *victim);
    snprintf(victim->key, sizeof victim->key, "%s", key);
    victim->first = now;
    return victim;
}

void mn__login_addr_key(const char *addr, char *out, size_t size)
{
    char buf[INET6_ADDRSTRLEN + 8];
    unsigned char a[16];
    if (!addr || !addr[0]) {
        snprintf(out, size, "a:?");
        return;
    }
    /* A zone (fe80::1%eth0) is no part of the address. */
    snprintf(buf, sizeof buf, "%.*s", (int)strcspn(addr, "%"), addr);
    static const unsigned char mapped[12] = {[10] = 0xff, [11] = 0xff};
    char text[INET6_ADDRSTRLEN];
    if (strlen(addr) < sizeof buf && inet_pton(AF_INET6, buf, a) == 1) {
        if (!memcmp(a, mapped, 12) && inet_ntop(AF_INET, a + 12, text, sizeof text)) {
            snprintf(out, size, "a:%s", text); /* an IPv4 client of a dual-stack socket */
            return;
        }
        memset(a + 8, 0, 8);
        if (inet_ntop(AF_INET6, a, text, sizeof text)) {
            snprintf(out, size, "a:%s/64", text);
            return;
        }
    }
    snprintf(out, size, "a:%.70s", addr);
}

int mn__login_begin(mn__sessions *s, const char *user, const char *addr, long long now, int *last,
                    int *wait_s)
{
    char ukey[80], akey[80];
    snprintf(ukey, sizeof ukey, "u:%.70s", user ? user : "");
    mn__login_addr_key(addr, akey, sizeof akey);
    pthread_mutex_lock(&s->lock);
    long long wait = 0;
    mn__login_fail *u = fail_slot(s, ukey, now, 0);
    if (u && u->failures >= s->max_failures)
        wait = u->first + s->window_s - now;
    mn__login_fail *a = addr ? fail_slot(s, akey, now, 0) : NULL;
    if (a && a->failures >= s->addr_failures && now - a->last < s->addr_spacing_s &&
        a->last + s->addr_spacing_s - now > wait)
        wait = a->last + s->addr_spacing_s - now;
    int at_limit = 0;
    /* Counted as failed now, taken back on success: a guess is counted while Argon2 runs. */
    if (!wait) {
        if ((u = fail_slot(s, ukey, now, 1))) {
            u->last = now;
            at_limit = ++u->failures >= s->max_failures;
        }
        if (addr && (a = fail_slot(s, akey, now, 1))) {
            a->last = now;
            a->failures++;
        }
    }
    pthread_mutex_unlock(&s->lock);
    if (last)
        *last = at_limit;
    if (wait_s)
        *wait_s = wait > 0 ? (int)wait : 0;
    return !wait;
}

void mn__login_end(mn__sessions *s, const char *user, const char *addr, int ok, long long now)
{
    if (!ok)
        return; /* counted already */
    char ukey[80], akey[80];
    snprintf(ukey, sizeof ukey, "u:%.70s", user ? user : "");
    mn__login_addr_key(addr, akey, sizeof akey);
    pthread_mutex_lock(&s->lock);
    mn__login_fail *f = fail_slot(s, ukey, now, 0);
    if (f) /* the name starts again */
        memset(f, 0, sizeof *f);
    /* The address keeps its other failures: a success of one name (an account of the guesser's
     * own) does not lift the spacing of a spray over the others. */
    f = addr ? fail_slot(s, akey, now, 0) : NULL;
    if (f && f->failures > 0 && !--f->failures)
        memset(f, 0, sizeof *f);
    pthread_mutex_unlock(&s->lock);
}

void mn__login_wait_words(int wait_s, char *out, size_t size)
{
    if (wait_s > 90)
        snprintf(out, size, "Too many failed sign-ins. Wait %d minutes and try again.",
                 (wait_s + 59) / 60);
    else
        snprintf(out, size, "Too many failed sign-ins. Wait %d seconds and try again.", wait_s);
}
