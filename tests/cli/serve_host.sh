# End-to-end: the server answers only to the names it is reached by (docs/serve.md, "Where it
# listens"). A page of another site whose name is made to resolve to 127.0.0.1 (DNS
# rebinding) sends its own name in Host: such a request is refused with 421 before anything
# else, the sign-in form included; HTTP/1.0 without Host with 400. On loopback the server
# answers to 127.0.0.1, localhost and [::1] with its port (an address in any of its forms:
# [::ffff:127.0.0.1], [0:0:0:0:0:0:0:1], [::1%25lo]); --allow-host adds a name. A refusal
# is written on standard error naming the host and the address, never the path; a run of them
# is one line a minute. --bind on every address needs --allow-host.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_serve.sh"
command -v curl >/dev/null || { echo "curl not installed (scripts/deps.sh): skipped"; exit 77; }
unset MNEEDLE_DB
# status PATH HOST [curl args...]: the status of a GET of PATH sent with Host: HOST (the body
# in $TMP/body, the headers in $TMP/head).
status() {
    _p=$1 _h=$2; shift 2
    curl -s -o "$TMP/body" -D "$TMP/head" -w '%{http_code}' -H "Host: $_h" "$@" "$SERVE_URL$_p"
}

# ---- options ----
expect 0 "stdout:--allow-host NAME" -- "$MNEEDLE" serve --help
for bad in "" "a b" "evil.example/x" "evil.example:80" "user@host" "-x.example" "[::1" "é.example"; do
    expect 2 "^mneedle serve: --allow-host: expected a host name or an IP address" \
        -- "$MNEEDLE" serve --db "$TMP/none.db" --allow-host "$bad" --port 0
done
for a in 0.0.0.0 ::; do
    expect 2 "^mneedle serve: --bind $a listens on every address of this computer: name the ones its users reach it by with --allow-host" \
        -- "$MNEEDLE" serve --db "$TMP/none.db" --bind "$a" --insecure-network --port 0
done
expect 2 "no such database" -- "$MNEEDLE" serve --db "$TMP/none.db" --bind 0.0.0.0 \
    --insecure-network --allow-host clinic.example --port 0

# ---- loopback ----
serve_start "$TMP/serve.log" --demo || { echo "FAIL: no server"; exit 1; }
PORT=${SERVE_URL##*:}
# Loopback's addresses in their other forms too: mapped into IPv6, written out, with a zone.
for h in "127.0.0.1:$PORT" "localhost:$PORT" "LocalHost:$PORT" "[::1]:$PORT" \
    "[::ffff:127.0.0.1]:$PORT" "[::ffff:7f00:1]:$PORT" "[0:0:0:0:0:0:0:1]:$PORT" \
    "[::1%25lo]:$PORT"; do
    ok '[ "$(status /signin "$h")" = 200 ]' "Host $h is refused"
done
for h in "rebind.example:$PORT" "localhost" "127.0.0.1" "localhost:1" "127.0.0.1:0$PORT" \
    "localhost.:$PORT" "127.0.0.1:$PORT.rebind.example" "localhost:$PORT:$PORT" "[::1]" \
    "[::ffff:127.0.0.2]:$PORT" "[::ffff:192.0.2.1]:$PORT" "[fe80::1%25eth0]:$PORT" \
    "[::1%25]:$PORT" "[::1%25l/o]:$PORT"; do
    ok '[ "$(status /signin "$h")" = 421 ]' "Host $h is answered"
done
status /signin "rebind.example:$PORT" > /dev/null
ok 'grep -q "^This server does not answer to that name" "$TMP/body"' "the refusal does not say why"
ok 'grep -qi "^content-type: text/plain" "$TMP/head"' "the refusal is not plain text"
ok '! grep -qi "^set-cookie" "$TMP/head"' "the refusal sets a cookie"
# A page of the rebinding site posting a sign-in guess, as its own origin: refused before the
# sign-in runs.
ok '[ "$(status /signin "rebind.example:$PORT" -H "Origin: http://rebind.example:$PORT" -H "Sec-Fetch-Site: same-origin" -d "csrf=x&user=admin&password=guess")" = 421 ]' \
    "a sign-in posted by the rebinding site is answered"
ok '[ "$(status /clients/amelia-1 "rebind.example:$PORT")" = 421 ]' "a client page by the rebinding name"
# No Host: HTTP/1.0 refused by the server, HTTP/1.1 by libmicrohttpd; both 400.
ok '[ "$(curl -s -o "$TMP/body" -w "%{http_code}" --http1.0 -H "Host:" "$SERVE_URL/signin")" = 400 ]' \
    "HTTP/1.0 without Host is answered"
ok 'grep -q "^This request names no host" "$TMP/body"' "the refusal of no Host does not say why"
ok '[ "$(curl -s -o /dev/null -w "%{http_code}" -H "Host:" "$SERVE_URL/signin")" = 400 ]' \
    "HTTP/1.1 without Host is answered"
ok '[ "$(curl -s -o /dev/null -w "%{http_code}" --http1.0 "$SERVE_URL/signin")" = 200 ]' \
    "HTTP/1.0 with its Host (curl sends one) is refused"
serve_stop
# Logged on stderr: the first refusal, with the name and the address, not the path; the
# others of the same minute are counted into the next line, not written one by one.
ok '[ "$(grep -c "refused a request for the host" "$TMP/serve.log")" = 1 ]' \
    "the refusals are not logged once"
ok 'grep -q "^mneedle serve: refused a request for the host \"rebind.example:$PORT\" from 127.0.0.1: not a name this server answers to" "$TMP/serve.log"' \
    "the log line does not name the host and the address"
ok '! grep -q "signin\|/clients\|amelia" "$TMP/serve.log"' "the log names a path or a client"

# ---- --allow-host on loopback: a name of the clinic's own (a hosts file entry) ----
serve_start "$TMP/serve2.log" --demo --allow-host Workstation.Clinic.example \
    || { echo "FAIL: no server"; exit 1; }
PORT=${SERVE_URL##*:}
ok '[ "$(status /signin "workstation.clinic.example:$PORT")" = 200 ]' "the allowed name is refused"
ok '[ "$(status /signin "127.0.0.1:$PORT")" = 200 ]' "127.0.0.1 is refused beside --allow-host"
ok '[ "$(status /signin "clinic.example:$PORT")" = 421 ]' "a parent of the allowed name is answered"
serve_stop

# ---- every address: loopback's names and --allow-host's, nothing else ----
"$MNEEDLE" serve --demo --bind 0.0.0.0 --insecure-network --allow-host clinic.example \
    --allow-host 192.0.2.10 --port 0 > "$TMP/serve3.log" 2>&1 &
SERVE_PID=$!
i=0
while [ $i -lt 600 ] && ! grep -q "serving on" "$TMP/serve3.log"; do sleep 0.1; i=$((i + 1)); done
PORT=$(sed -n 's|.*serving on http://0\.0\.0\.0:\([0-9]*\)/.*|\1|p' "$TMP/serve3.log")
SERVE_URL="http://127.0.0.1:$PORT"
ok '[ -n "$PORT" ]' "no address on 0.0.0.0"
for h in "clinic.example:$PORT" "192.0.2.10:$PORT" "127.0.0.1:$PORT"; do
    ok '[ "$(status /signin "$h")" = 200 ]' "Host $h on 0.0.0.0"
done
for h in "0.0.0.0:$PORT" "192.0.2.11:$PORT" "rebind.example:$PORT"; do
    ok '[ "$(status /signin "$h")" = 421 ]' "Host $h on 0.0.0.0 is answered"
done
serve_stop
finish
