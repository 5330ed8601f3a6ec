# Shared helpers for tests and benches that talk to `mneedle serve` over HTTP with curl.
# Sourced, not run (the CMake glob registers no file starting with "lib"). Needs $MNEEDLE.
# serve_start LOG ARGS...: starts `mneedle serve ARGS --bind 127.0.0.1 --port 0` in the
# background, its output in LOG; sets SERVE_PID and SERVE_URL once it printed its address.
# Returns 1 (with the log on stderr) when it did not within 60 s or exited first.
serve_start() {
    _log=$1; shift
    "$MNEEDLE" serve "$@" --bind 127.0.0.1 --port 0 >"$_log" 2>&1 &
    SERVE_PID=$!
    SERVE_URL=""
    _i=0
    while [ $_i -lt 600 ]; do
        SERVE_URL=$(sed -n 's|.*serving on \(http://127\.0\.0\.1:[0-9]*\)/.*|\1|p' "$_log" | head -n 1)
        [ -n "$SERVE_URL" ] && return 0
        kill -0 "$SERVE_PID" 2>/dev/null || break
        sleep 0.1
        _i=$((_i + 1))
    done
    echo "serve_start: no address from mneedle serve:" >&2
    sed 's/^/  | /' "$_log" >&2
    serve_stop
    return 1
}

# serve_stop: SIGTERM, then SIGKILL after 10 s; waits for the process.
serve_stop() {
    [ -n "${SERVE_PID:-}" ] || return 0
    kill -TERM "$SERVE_PID" 2>/dev/null
    _i=0
    while kill -0 "$SERVE_PID" 2>/dev/null && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
    kill -KILL "$SERVE_PID" 2>/dev/null
    wait "$SERVE_PID" 2>/dev/null
    SERVE_PID=""
}

# serve_demo_password LOG: the one-time admin password `serve --demo` printed ("... sign in
# as admin with the one-time password PASSWORD").
serve_demo_password() {
    _i=0
    while [ $_i -lt 100 ]; do
        _pw=$(sed -n 's/.*one-time password \([^ ]*\)$/\1/p' "$1" | head -n 1)
        [ -n "$_pw" ] && { echo "$_pw"; return 0; }
        sleep 0.1
        _i=$((_i + 1))
    done
    return 1
}

# serve_signin JAR USER PASSWORD: signs in with curl (the sign-in form's own token first),
# keeping the session cookie in the cookie jar JAR. Prints the session's CSRF token (from the
# sign-out form of the page signed in to); returns 1 when signing in failed.
serve_signin() {
    _jar=$1
    _tok=$(curl -s -c "$_jar" "$SERVE_URL/signin" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n 1)
    [ -n "$_tok" ] || return 1
    curl -s -b "$_jar" -c "$_jar" -o /dev/null --data-urlencode "csrf=$_tok" \
        --data-urlencode "user=$2" --data-urlencode "password=$3" "$SERVE_URL/signin" || return 1
    _tok=$(curl -s -b "$_jar" "$SERVE_URL/clients" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n 1)
    [ -n "$_tok" ] || return 1
    echo "$_tok"
}

# serve_cookie JAR: the session cookie as a Cookie header value ("mneedle=...").
serve_cookie() {
    awk '$6 == "mneedle" || $6 == "__Host-mneedle" { print $6 "=" $7 }' "$1" | head -n 1
}

# serve_setup: the common start of a server test (needs lib.sh's expect). Skips (77) without
# curl; unsets MNEEDLE_DB; creates the database $DB in $TMP and the administrator ada, whose
# password $PW (long enough for the password rule) is also in $TMP/pw.
serve_setup() {
    command -v curl >/dev/null || { echo "curl not installed (scripts/deps.sh): skipped"; exit 77; }
    unset MNEEDLE_DB
    DB="$TMP/clinic.db"
    PW="a long enough password"
    expect 0 "" -- "$MNEEDLE" db init --db "$DB"
    printf '%s\n' "$PW" > "$TMP/pw"
    expect 0 "" -- sh -c "'$MNEEDLE' serve --db '$DB' --add-user ada --role admin < '$TMP/pw'"
}
