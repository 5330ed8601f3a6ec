/*
 * Users of the workstation (docs/serve.md, "Users"): the admin's page to list users, add one
 * with a role, disable or enable one and reset a password; and every user's own account page
 * to change their password. Passwords are hashed by the store (Argon2id, users.c of
 * src/store/), every change is audited there with the signed-in admin or user as the actor,
 * and a user disabled or given a new password loses their sessions at once (OWASP session
 * management cheat sheet: renew or end sessions on a change of credentials).
 *
 * Sessions live in this server's memory, but a user can be changed by another server over the
 * same database. Each such change raises the user's generation in the store, and every
 * signed-in request first reads it (one indexed row, mn__session_current): a session begun
 * under an older generation, or of a user disabled since, ends there, with its entry.
 */
#include <stdio.h>
#include <string.h>

#include "server/server_internal.h"

const char *mn__disabled_words(mn_store_disabled_by by, char *buf, size_t size)
{
    if (by == MN_STORE_DISABLED_ADMIN)
        snprintf(buf, size, "by an admin");
    else if (by == MN_STORE_DISABLED_FAILURES)
        snprintf(buf, size, "locked after %d failed sign-ins", MN_STORE_SIGNIN_FAILURES_DISABLE);
    else
        return NULL;
    return buf;
}

int mn__sessions_end_audited(mn__call *c, const char *user, const char *keep, const char *why,
                             const char *actor)
{
    int ended = mn__sessions_end_user(&c->srv->sessions, user, keep, c->now);
    if (mn_store_audit_sessions_ended(c->w->ctx, c->w->store, user, ended, why, actor))
        return -1;
    return ended;
}

int mn__sessions_end_disabled(mn__call *c, const char *user, mn_store_disabled_by by,
                              const char *actor)
{
    char words[64], why[80];
    snprintf(why, sizeof why, "%s%s", by == MN_STORE_DISABLED_FAILURES ? "" : "disabled ",
             mn__disabled_words(by, words, sizeof words) ? words : "");
    return mn__sessions_end_audited(c, user, NULL, why, actor);
}

int mn__session_current(mn__call *c)
{
    const char *user = c->sess->user;
    mn_store_user_now now;
    mn_status st = mn_store_user_state(c->w->ctx, c->w->store, user, &now);
    if (st == MN_OK && !now.disabled && now.generation == c->sess->generation)
        return 1;
    if (st && st != MN_ENOTFOUND)
        return 0; /* not read: refused, and nothing ended on a guess */
    /* Gone, disabled, or changed: every session of it begun before the change ends (all of
     * them when it is disabled or gone). */
    int ended = mn__sessions_end_stale(&c->srv->sessions, user,
                                       st || now.disabled ? -1 : now.generation, c->now);
    if (st || ended <= 0)
        return 0; /* no row to log on; or another request ended them first and logged it */
    mn_store_user_change what = MN_STORE_CHANGE_NONE;
    char actor[MN_STORE_USER_LEN] = "";
    char words[64];
    const char *why = "the user's account changed";
    if (mn_store_user_last_change(c->w->ctx, c->w->store, user, &what, actor) != MN_OK)
        what = MN_STORE_CHANGE_NONE;
    if (what == MN_STORE_CHANGE_LOCKED)
        why = mn__disabled_words(MN_STORE_DISABLED_FAILURES, words, sizeof words);
    else if (what == MN_STORE_CHANGE_DISABLED)
        why = "disabled by an admin";
    else if (what == MN_STORE_CHANGE_ENABLED)
        why = "disabled and enabled again by an admin";
    else if (what == MN_STORE_CHANGE_PASSWORD)
        why = strcmp(actor, user) ? "password reset by an admin" : "password changed by the user";
    /* The request is refused whether or not the entry could be written: the sessions have
     * ended already. */
    (void)mn_store_audit_sessions_ended(c->w->ctx, c->w->store, user, ended, why,
                                        actor[0] ? actor : user);
    return 0;
}

int mn__signin_failure_log(mn__call *c, const char *user, int last, int *locked)
{
    const char *from = c->req->peer && c->req->peer[0] ? c->req->peer : NULL;
    int locked_out = 0;
    int failed =
        mn_store_audit_signin(c->w->ctx, c->w->store, user, "signin-failed", from, &locked_out) ||
        (last && mn_store_audit_signin(c->w->ctx, c->w->store, user, "locked", from, NULL));
    /* Once the failure has disabled the user its sessions end, whether or not the entries
     * after it could be written: a disabled user keeps no way in. */
    if (locked_out && mn__sessions_end_disabled(c, user, MN_STORE_DISABLED_FAILURES, user) < 0)
        failed = 1;
    if (locked)
        *locked = locked_out;
    return failed ? -1 : 0;
}

/* The users page; @p err (or NULL) shown above the list with @p status. */
static void users_page(mn__call *c, const char *err, int status)
{
    err = err ? mn__failure_text(status, err) : NULL;
    mn__buf b;
    mn__buf_init(&b);
    mn__page_begin(&b, c, "Users", "users");
    if (err) {
        mn__buf_printf(&b, "<p class=\"err\" id=\"error\" role=\"alert\">");
        mn__srv_esc(&b, err);
        mn__buf_printf(&b, "</p>");
    }
    mn_store_user *users = NULL;
    int n = 0;
    if (mn_store_user_list(c->w->ctx, c->w->store, &users, &n) == MN_OK) {
        mn__buf_printf(&b, "<table id=\"user-list\"><thead><tr><th>User</th><th>Role</th>"
                           "<th>Since</th><th>State</th><th>Actions</th></tr></thead><tbody>");
        for (int i = 0; i < n; i++) {
            const char *name = users[i].name;
            const char *act = users[i].disabled ? "enable" : "disable";
            mn__buf_printf(&b, "<tr><td>");
            mn__srv_esc(&b, name);
            mn__buf_printf(&b, "</td><td>%s</td><td>", mn_store_role_name(users[i].role));
            mn__srv_esc(&b, users[i].created);
            mn__buf_printf(&b, "</td><td id=\"state-");
            mn__srv_esc(&b, name);
            mn__buf_printf(&b, "\">%s", users[i].disabled ? "disabled" : "active");
            /* Why: the lock of the failed sign-ins or an admin (the audit log's word). */
            char why[80];
            if (users[i].disabled && mn__disabled_words(users[i].disabled_by, why, sizeof why)) {
                mn__buf_printf(&b, " <span class=\"why\" id=\"why-");
                mn__srv_esc(&b, name);
                mn__buf_printf(&b, "\">(%s)</span>", why);
            }
            mn__buf_printf(&b, "</td><td class=\"actions\">");
            /* Disable or enable: one button. */
            mn__buf_printf(&b, "<form id=\"user-%s-", act);
            mn__srv_esc(&b, name);
            mn__buf_printf(&b, "\" method=\"post\" action=\"/users/");
            mn__srv_url(&b, name);
            mn__buf_printf(&b, "/%s\">", act);
            mn__csrf_field(&b, c);
            mn__buf_printf(&b, "<button class=\"secondary\" id=\"%s-", act);
            mn__srv_esc(&b, name);
            mn__buf_printf(&b, "\" type=\"submit\">%s</button></form>",
                           users[i].disabled ? "Enable" : "Disable");
            /* Reset the password: a new one typed by the admin. */
            mn__buf_printf(&b, "<form id=\"user-password-");
            mn__srv_esc(&b, name);
            mn__buf_printf(&b, "\" method=\"post\" action=\"/users/");
            mn__srv_url(&b, name);
            mn__buf_printf(&b, "/password\">");
            mn__csrf_field(&b, c);
            mn__buf_printf(&b, "<label for=\"pw-");
            mn__srv_esc(&b, name);
            mn__buf_printf(&b, "\">New password for ");
            mn__srv_esc(&b, name);
            mn__buf_printf(&b, "</label> <input id=\"pw-");
            mn__srv_esc(&b, name);
            mn__buf_printf(&b,
                           "\" name=\"password\" type=\"password\" autocomplete=\"new-password\" "
                           "minlength=\"%d\" required> <button id=\"reset-",
                           MN_STORE_PASSWORD_MIN);
            mn__srv_esc(&b, name);
            mn__buf_printf(&b, "\" type=\"submit\">Reset password</button></form></td></tr>");
        }
        mn__buf_printf(&b, "</tbody></table>");
    } else {
        mn__buf_printf(&b, "<p class=\"err\" id=\"error-list\">The users cannot be read.</p>");
    }
    mn_store_user_list_free(users);
    mn__buf_printf(&b, "<h2>Add a user</h2>");
    mn__buf_printf(&b, "<form id=\"user-add\" method=\"post\" action=\"/users\">");
    mn__csrf_field(&b, c);
    mn__buf_printf(&b,
                   "<p><label for=\"f-name\">User name</label> <input id=\"f-name\" "
                   "name=\"name\" autocomplete=\"off\" required></p><p><label "
                   "for=\"f-role\">Role</label> <select id=\"f-role\" name=\"role\"><option>"
                   "read-only</option><option selected>practitioner</option><option>admin"
                   "</option></select></p><p><label for=\"f-password\">Password (at least "
                   "%d characters)</label> <input id=\"f-password\" name=\"password\" "
                   "type=\"password\" autocomplete=\"new-password\" required></p><p><button "
                   "id=\"user-save\" type=\"submit\">Add user</button></p></form>",
                   MN_STORE_PASSWORD_MIN);
    mn__page_end(&b);
    mn__page_send(c, status, &b);
}

void mn__refuse_users_form(mn__call *c, const char *field, const char *why)
{
    char msg[160];
    mn__bad_text_words(field, why, 0, msg, sizeof msg);
    users_page(c, msg, 422);
}

void mn__page_users(mn__call *c)
{
    users_page(c, NULL, 200);
}

void mn__post_users(mn__call *c)
{
    mn_store_role role;
    if (!mn_store_role_parse(mn__form_str(&c->form, "role"), &role)) {
        users_page(c, "The role is admin, practitioner or read-only.", 422);
        return;
    }
    mn_status st = mn_store_user_add(c->w->ctx, c->w->store, mn__form_str(&c->form, "name"), role,
                                     mn__form_str(&c->form, "password"));
    if (st) {
        users_page(c, mn_ctx_errmsg(c->w->ctx), mn_status_is_input_error(st) ? 422 : 500);
        return;
    }
    mn__redirect(c, "/users", "User added.");
}

/* A store failure on the users page: 404 for an unknown user, the loader's words else. */
static void user_failed(mn__call *c, mn_status st)
{
    if (st == MN_ENOTFOUND)
        mn__error_page(c, 404, "There is no such user.", NULL);
    else
        users_page(c, mn_ctx_errmsg(c->w->ctx), mn_status_is_input_error(st) ? 422 : 500);
}

/* POST /users/NAME/disable and /enable. */
void mn__post_user_state(mn__call *c)
{
    const char *name = c->params[0];
    int disable = !strcmp(c->route, "/users/*/disable");
    if (disable && !strcmp(name, c->sess->user)) {
        users_page(c, "You cannot disable your own account; another admin can.", 422);
        return;
    }
    mn_store_disabled_by was = MN_STORE_DISABLED_NONE;
    mn_status st = mn_store_user_set_disabled(c->w->ctx, c->w->store, name, disable, &was);
    if (st) {
        user_failed(c, st);
        return;
    }
    char msg[200], words[64];
    if (disable && was != MN_STORE_DISABLED_NONE) {
        /* Disabled already (the lock, or another admin): the reason stays, the Disable is
         * logged beside it, and any session left ends (none should be). */
        if (mn__sessions_end_disabled(c, name, MN_STORE_DISABLED_ADMIN, NULL) < 0) {
            users_page(c, mn_ctx_errmsg(c->w->ctx), 500);
            return;
        }
        snprintf(msg, sizeof msg, "User %s was disabled already (%s), and stays so.", name,
                 mn__disabled_words(was, words, sizeof words));
    } else if (disable) {
        /* The admin's sessions are not the user's: the admin is the actor of the entry. */
        int ended = mn__sessions_end_disabled(c, name, MN_STORE_DISABLED_ADMIN, NULL);
        if (ended < 0) {
            users_page(c, mn_ctx_errmsg(c->w->ctx), 500);
            return;
        }
        snprintf(msg, sizeof msg, "User %s disabled; %d session%s ended.", name, ended,
                 ended == 1 ? "" : "s");
    } else if (was == MN_STORE_DISABLED_NONE) {
        /* Active already (another admin enabled it while this page was open): nothing was
         * written, and the count of failed sign-ins goes on. */
        snprintf(msg, sizeof msg, "User %s was active already; nothing was changed.", name);
    } else {
        snprintf(msg, sizeof msg, "User %s enabled.", name);
    }
    mn__redirect(c, "/users", msg);
}

/* After the signed-in user's own new password (which raised its generation by one): this
 * session goes on under the new generation. When another change came between, it does not, and
 * its next request ends it as any other session of the old generation. */
static void keep_own_session(mn__call *c)
{
    mn_store_user_now now;
    if (mn_store_user_state(c->w->ctx, c->w->store, c->sess->user, &now) == MN_OK &&
        now.generation == c->sess->generation + 1)
        mn__session_renew(&c->srv->sessions, c->sess->id, c->sess->generation, now.generation);
}

/* POST /users/NAME/password: an admin sets a new password; the user's sessions end (the
 * admin's own stays when the admin resets their own). */
void mn__post_user_password(mn__call *c)
{
    const char *name = c->params[0];
    mn_status st = mn_store_user_set_password(c->w->ctx, c->w->store, name,
                                              mn__form_str(&c->form, "password"));
    if (st) {
        user_failed(c, st);
        return;
    }
    /* The admin is the actor of the entry, as at a Disable. */
    int ended = mn__sessions_end_audited(c, name, c->sess->id, "password reset by an admin", NULL);
    if (ended < 0) {
        users_page(c, mn_ctx_errmsg(c->w->ctx), 500);
        return;
    }
    if (!strcmp(name, c->sess->user))
        keep_own_session(c);
    char msg[160];
    snprintf(msg, sizeof msg, "Password of %s reset; %d session%s ended.", name, ended,
             ended == 1 ? "" : "s");
    mn__redirect(c, "/users", msg);
}

/* ---- the signed-in user's own account ---- */

/* The account page; an error beside field @p field ("current", "password", "confirm") or
 * NULL. */
static void account_page(mn__call *c, const char *field, const char *err, int status)
{
    err = err ? mn__failure_text(status, err) : NULL;
    mn__buf b;
    mn__buf_init(&b);
    mn__page_begin(&b, c, "Your account", "account");
    mn__buf_printf(&b, "<p id=\"account-summary\">Signed in as <b>");
    mn__srv_esc(&b, c->sess->user);
    mn__buf_printf(&b, "</b> (%s).</p>", mn_store_role_name(c->sess->role));
    if (err) {
        mn__buf_printf(&b, "<p class=\"err\" id=\"error\" role=\"alert\">");
        mn__srv_esc(&b, err);
        mn__buf_printf(&b, "</p>");
    }
    static const struct {
        const char *name, *label, *autocomplete;
    } f[] = {{"current", "Current password", "current-password"},
             {"password", "New password", "new-password"},
             {"confirm", "New password again", "new-password"}};
    mn__buf_printf(&b, "<h2>Change your password</h2><form id=\"password-change\" "
                       "method=\"post\" action=\"/account/password\">");
    mn__csrf_field(&b, c);
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        int bad = field && !strcmp(field, f[i].name);
        mn__buf_printf(&b,
                       "<p><label for=\"f-%s\">%s</label> <input id=\"f-%s\" name=\"%s\" "
                       "type=\"password\" autocomplete=\"%s\" required",
                       f[i].name, f[i].label, f[i].name, f[i].name, f[i].autocomplete);
        if (bad)
            mn__buf_printf(&b, " aria-invalid=\"true\" aria-describedby=\"error-%s\"", f[i].name);
        mn__buf_printf(&b, ">");
        if (bad) {
            mn__buf_printf(&b, " <span class=\"field-error\" id=\"error-%s\">", f[i].name);
            mn__srv_esc(&b, err);
            mn__buf_printf(&b, "</span>");
        }
        mn__buf_printf(&b, "</p>");
    }
    mn__buf_printf(&b,
                   "<p>At least %d characters. Your other signed-in sessions end when it "
                   "changes.</p><p><button id=\"password-save\" type=\"submit\">Change "
                   "password</button></p></form>",
                   MN_STORE_PASSWORD_MIN);
    mn__page_end(&b);
    mn__page_send(c, status, &b);
}

void mn__refuse_account_form(mn__call *c, const char *field, const char *why)
{
    char msg[160];
    int beside =
        !strcmp(field, "current") || !strcmp(field, "password") || !strcmp(field, "confirm");
    mn__bad_text_words(field, why, beside, msg, sizeof msg);
    account_page(c, beside ? field : NULL, msg, 422);
}

void mn__page_account(mn__call *c)
{
    account_page(c, NULL, NULL, 200);
}

/* The account page's answer to the wrong current password that locked the user (the
 * MN_STORE_SIGNIN_FAILURES_DISABLE-th failure in a row): 403, signed out, and why. The user
 * proved who they are when signing in, so unlike the sign-in form's the page says so. */
static void locked_page(mn__call *c)
{
    mn__signed_out(c);
    mn__buf b;
    mn__buf_init(&b);
    mn__page_begin(&b, c, "Account locked", "account-locked");
    mn__buf_printf(&b,
                   "<p class=\"err\" id=\"error\" role=\"alert\">That is not your current "
                   "password, and it was the last of %d failed sign-ins in a row: your account "
                   "is now locked, and you are signed out. An admin can enable it again.</p>"
                   "<p><a href=\"/signin\">Back to the sign-in page</a></p>",
                   MN_STORE_SIGNIN_FAILURES_DISABLE);
    mn__page_end(&b);
    mn__page_send(c, 403, &b);
}

void mn__post_account_password(mn__call *c)
{
    const char *user = c->sess->user;
    const char *current = mn__form_str(&c->form, "current");
    const char *password = mn__form_str(&c->form, "password");
    /* The current password is checked under the sign-in limit of this name, so a session
     * left open cannot be used to guess it. */
    int last, wait_s;
    if (!mn__login_begin(&c->srv->sessions, user, NULL, c->now, &last, &wait_s)) {
        char words[120], after[16];
        mn__login_wait_words(wait_s, words, sizeof words);
        account_page(c, "current", words, 429);
        snprintf(after, sizeof after, "%d", wait_s);
        mn__resp_header(c->resp, "Retry-After", after);
        return;
    }
    mn_status st = mn_store_user_verify(c->w->ctx, c->w->store, user, current, NULL);
    mn__login_end(&c->srv->sessions, user, NULL, st == MN_OK, c->now);
    int locked = 0;
    if (st == MN_EINVAL && mn__signin_failure_log(c, user, last, &locked) < 0)
        st = MN_EIO;
    if (locked) {
        /* The failure that locked the user ended this session with the others (logged): the
         * form is no use any more, and saying only that the password was wrong would leave the
         * user trying again, signed out. */
        locked_page(c);
        return;
    }
    if (st == MN_EINVAL) {
        account_page(c, "current", "This is not your current password.", 422);
        return;
    }
    if (st) {
        account_page(c, NULL, mn_ctx_errmsg(c->w->ctx), 500);
        return;
    }
    if (strcmp(password, mn__form_str(&c->form, "confirm")) != 0) {
        account_page(c, "confirm", "The two new passwords differ.", 422);
        return;
    }
    st = mn_store_user_set_password(c->w->ctx, c->w->store, user, password);
    if (st) {
        account_page(c, mn_status_is_input_error(st) ? "password" : NULL, mn_ctx_errmsg(c->w->ctx),
                     mn_status_is_input_error(st) ? 422 : 500);
        return;
    }
    if (mn__sessions_end_audited(c, user, c->sess->id, "password changed by the user", NULL) < 0) {
        account_page(c, NULL, mn_ctx_errmsg(c->w->ctx), 500);
        return;
    }
    keep_own_session(c);
    mn__redirect(c, "/account", "Password changed; your other sessions have ended.");
}
