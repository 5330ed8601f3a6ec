# End-to-end: mneedle serve on loopback with curl. Options and bad usage; users from
# --add-user; the server on --port 0 printing its address; no session -> 303 to sign-in;
# sign-in; a forged POST (no token, or a foreign Origin) refused 403; a read-only user cannot
# chart; a practitioner adds a client through the form; an adverse event recorded on its own
# (and refused without a token, with a bad severity, or from a read-only user); the JSON API;
# SIGTERM stops it with exit 0; --demo leaves nothing behind; the audit chain holds after it all.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
command -v curl >/dev/null || { echo "curl not installed (scripts/deps.sh): skipped"; exit 77; }
unset MNEEDLE_DB
DB="$TMP/clinic.db"
PW="a long enough password"

# ---- options ----
expect 0 "stdout:--demo" -- "$MNEEDLE" serve --help
# The session and sign-in limits, from mn_server_config_init (docs/serve.md, "Sessions").
ok 'tr "\n" " " < "$TMP/out" | grep -q "a session ends after 30 minutes unused (--idle-minutes) and 8 hours after its sign-in whatever happens" &&
    tr "\n" " " < "$TMP/out" | grep -q "a user name is locked after 5 failed sign-ins within 15 minutes, from any address, until that time has passed since the first" &&
    tr "\n" " " < "$TMP/out" | grep -q "An address is never locked: after 10 failed sign-ins over every name in that time its tries are 30 seconds apart (an IPv6 address counted by its /64)" &&
    tr "\n" " " < "$TMP/out" | grep -q "After 100 failed sign-ins in a row a user is disabled until an admin enables it again" &&
    grep -q "unused this long (default 30)" "$TMP/out"' \
    "serve --help does not state the session and sign-in limits"
expect 0 "stdout:serve .*web workstation" -- "$MNEEDLE" --help
expect 2 "--role goes with --add-user" -- "$MNEEDLE" serve --role admin
expect 2 "go together" -- "$MNEEDLE" serve --tls-cert "$TMP/c.pem"
expect 2 "--port: expected a whole number" -- "$MNEEDLE" serve --port 70000
expect 2 "expected admin, practitioner or read-only" -- "$MNEEDLE" serve --add-user x --role boss
expect 2 "no such database" -- "$MNEEDLE" serve --db "$TMP/none.db" --port 0
ok '[ ! -e "$TMP/none.db" ]' "serve created a missing database"
# An address beyond this computer without TLS is refused unless --insecure-network says so;
# loopback (127.0.0.0/8, ::1) is not.
for a in 0.0.0.0 :: 192.0.2.10; do
    expect 2 "^mneedle serve: --bind $a is reachable from the network, and without TLS .*--insecure-network" \
        -- "$MNEEDLE" serve --db "$TMP/none.db" --bind "$a" --port 0
done
expect 2 "no such database" -- "$MNEEDLE" serve --db "$TMP/none.db" --bind 0.0.0.0 --insecure-network --allow-host clinic.example --port 0
expect 2 "no such database" -- "$MNEEDLE" serve --db "$TMP/none.db" --bind 127.0.0.2 --port 0
expect 2 "no such database" -- "$MNEEDLE" serve --db "$TMP/none.db" --bind ::1 --port 0
expect 0 "stdout:--insecure-network" -- "$MNEEDLE" serve --help

# ---- users ----
expect 0 "" -- "$MNEEDLE" db init --db "$DB"
printf '%s\n' "$PW" > "$TMP/pw"
expect 0 "" -- sh -c "'$MNEEDLE' serve --db '$DB' --add-user ada --role admin < '$TMP/pw'"
expect 0 "" -- sh -c "'$MNEEDLE' serve --db '$DB' --add-user pia --role practitioner < '$TMP/pw'"
expect 0 "" -- sh -c "'$MNEEDLE' serve --db '$DB' --add-user rob --role read-only < '$TMP/pw'"
expect 2 "exists already" -- sh -c "'$MNEEDLE' serve --db '$DB' --add-user rob < '$TMP/pw'"
expect 2 "8 to 1024 bytes" -- sh -c "echo short | '$MNEEDLE' serve --db '$DB' --add-user sam"
expect 2 "a user name is" -- sh -c "'$MNEEDLE' serve --db '$DB' --add-user 'a b' < '$TMP/pw'"
# A password the sign-in form could never send is refused, with nothing written: bytes not
# UTF-8 (Latin-1 "caf\351"), or a NUL byte (which would cut it short); a UTF-8 one is taken.
users_and_changes() {
    $PY -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute('SELECT count(*) FROM users').fetchone()[0], c.execute('SELECT count(*) FROM audit').fetchone()[0])" "$DB"
}
BEFORE=$(users_and_changes)
printf 'caf\351 password\n' > "$TMP/pw-latin1"
printf 'a long pass\000word\n' > "$TMP/pw-nul"
expect 2 "^mneedle serve: error: --add-user sam: users: the password is not UTF-8 text.*; nothing was added$" -- \
    sh -c "'$MNEEDLE' serve --db '$DB' --add-user sam < '$TMP/pw-latin1'"
expect 2 "^mneedle serve: error: --add-user: the password on standard input holds a NUL byte.*nothing was added$" -- \
    sh -c "'$MNEEDLE' serve --db '$DB' --add-user sam < '$TMP/pw-nul'"
ok '[ "$(users_and_changes)" = "$BEFORE" ]' "a refused password wrote to the database: $(users_and_changes), was $BEFORE"
printf 'caf\303\251 password\n' > "$TMP/pw-utf8"
expect 0 "stdout:added user sam" -- sh -c "'$MNEEDLE' serve --db '$DB' --add-user sam < '$TMP/pw-utf8'"
# Who added a user: --actor, else $MNEEDLE_ACTOR, $USER, else the login name; never "unknown"
# while the account has one.
expect 0 "stdout:added user zed" -- sh -c "'$MNEEDLE' serve --db '$DB' --add-user zed --actor boss < '$TMP/pw'"
expect 0 "stdout:added user yan" -- env -u USER -u MNEEDLE_ACTOR sh -c "'$MNEEDLE' serve --db '$DB' --add-user yan < '$TMP/pw'"
ok '[ "$($PY -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT group_concat(actor) FROM (SELECT actor FROM audit WHERE action=\x27insert\x27 AND entity LIKE \x27users:%\x27 ORDER BY seq DESC LIMIT 2)\").fetchone()[0])" "$DB")" = "$(id -un),boss" ]' \
    "--add-user is not audited with --actor, or with the login name without \$USER"
expect 2 "--actor goes with --add-user" -- "$MNEEDLE" serve --db "$DB" --actor boss --port 0
expect 0 "stdout:^amelia$" -- "$MNEEDLE" client add --db "$DB" --id amelia \
    "$MN_SOURCE_DIR/examples/clients/amelia-wrinkles.json"
expect 0 "" -- "$MNEEDLE" plan --save --db "$DB" amelia -o "$TMP/plan.txt"

# ---- the server ----
"$MNEEDLE" serve --db "$DB" --port 0 --threads 2 > "$TMP/serve.out" 2> "$TMP/serve.err" &
SERVER=$!
for _ in $(seq 1 100); do
    grep -q "serving on" "$TMP/serve.out" 2>/dev/null && break
    sleep 0.1
done
ok 'grep -Eq "^mneedle: serving on http://127\.0\.0\.1:[0-9]+/$" "$TMP/serve.out"' \
    "the server did not print its address line"
BASE=$(sed -n 's/^mneedle: serving on \(http:[^ ]*\)\/$/\1/p' "$TMP/serve.out")
PORT=${BASE##*:}
ok '[ "$PORT" -gt 0 ] 2>/dev/null' "--port 0 did not give a port"

# status URL [curl options...]: the HTTP status, the headers in $TMP/h, the body in $TMP/b.
status() { url=$1; shift; curl -s -o "$TMP/b" -D "$TMP/h" -w '%{http_code}' "$@" "$BASE$url"; }
header() { grep -i "^$1:" "$TMP/h" | head -1 | sed 's/^[^:]*: *//' | tr -d '\r'; }
# signin USER JAR: signs in, keeping the cookies in JAR.
signin() {
    rm -f "$2"
    curl -s -c "$2" -b "$2" "$BASE/signin" -o "$TMP/signin.html"
    tok=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$TMP/signin.html")
    status /signin -c "$2" -b "$2" --data-urlencode "csrf=$tok" --data-urlencode "user=$1" \
        --data-urlencode "password=$PW"
}
# token JAR: the session's CSRF token from a page.
token() { curl -s -b "$1" "$BASE/clients" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p'; }

ok '[ "$(status /clients)" = 303 ]' "no session: not a 303"
ok '[ -z "$(header Strict-Transport-Security)" ] && [ "$(header X-Frame-Options)" = DENY ]' \
    "plain HTTP: Strict-Transport-Security sent, or the other security headers missing"
ok '[ "$(header Location)" = "/signin?next=%2Fclients" ]' "no session: not sent to sign-in"
ok '[ "$(status /api/v1/clients)" = 401 ]' "API without a session: not 401"
ok '[ "$(header Content-Security-Policy | grep -c "default-src .self.")" = 1 ]' "no CSP header"
ok '[ "$(header X-Content-Type-Options)" = nosniff ]' "no nosniff header"

ok '[ "$(signin ada "$TMP/ada")" = 303 ]' "admin sign-in is not a 303"
ok 'grep -q "HttpOnly; SameSite=Strict" "$TMP/h"' "session cookie without HttpOnly/SameSite"
ok '[ "$(status /clients -b "$TMP/ada")" = 200 ]' "signed in, the client list is not 200"
ok 'grep -q "amelia" "$TMP/b"' "the client list lacks the client"
ok '[ "$(header Cache-Control)" = no-store ]' "a record page may be cached"
ok '[ "$(status /clients/amelia -b "$TMP/ada")" = 200 ]' "the client page is not 200"
ok 'grep -q "id=\"timeline\"" "$TMP/b"' "the client page has no timeline"
ok '[ "$(status /clients/amelia/export.ics -b "$TMP/ada")" = 200 ]' "the ICS export is not 200"
ok 'grep -q "BEGIN:VCALENDAR" "$TMP/b"' "the ICS export is not a calendar"

# Forged POSTs: no token; the right token but another site's Origin.
ok '[ "$(status /clients/amelia/plan -b "$TMP/ada" -d x=1)" = 403 ]' "a POST without a token passed"
ok 'grep -q "security token" "$TMP/b"' "the refusal does not say why"
T=$(token "$TMP/ada")
ok '[ "$(status /clients/amelia/plan -b "$TMP/ada" -d "csrf=$T" -H "Origin: http://evil.example")" = 403 ]' \
    "a cross-origin POST with a token passed"
ok '[ "$(status /clients/amelia/plan -b "$TMP/ada" -d "csrf=$T")" = 303 ]' "a good POST was refused"

# The plan page shows the text plan line by line, as the command prints it: its line
# breaks are line breaks, not named controls.
ok '[ "$(status /clients/amelia/plan -b "$TMP/ada")" = 200 ]' "the plan page is not 200"
ok '! grep -q "U+000A" "$TMP/b" && [ "$(sed -n "/id=\"plan-text\"/,/<\/pre>/p" "$TMP/b" | wc -l)" -gt 20 ]' \
    "the plan page's text lost its line breaks"

# Wrong password: back to sign-in, no session.
ok '[ "$(signin ada-typo "$TMP/x")" = 303 ]' "a wrong sign-in is not a 303"
ok 'header Location | grep -q "^/signin?msg=Wrong"' "a wrong sign-in does not say so"

# A read-only user reads but cannot chart.
ok '[ "$(signin rob "$TMP/rob")" = 303 ]' "read-only sign-in failed"
ok '[ "$(status /clients/amelia -b "$TMP/rob")" = 200 ]' "read-only cannot read"
ok '[ "$(status /clients/amelia/sessions/new -b "$TMP/rob")" = 403 ]' "read-only got the charting form"
TR=$(token "$TMP/rob")
ok '[ "$(status /clients/amelia/sessions -b "$TMP/rob" -d "csrf=$TR&date=2026-12-01&zone0=forehead&depth0=0.5&passes0=2&adverse_events=none")" = 403 ]' \
    "read-only could chart"
ok 'grep -q "read-only" "$TMP/b"' "the refusal does not name the role"

# A practitioner adds a client through the form; the CLI sees it.
ok '[ "$(signin pia "$TMP/pia")" = 303 ]' "practitioner sign-in failed"
TP=$(token "$TMP/pia")
ok '[ "$(status /clients -b "$TMP/pia" --data-urlencode "csrf=$TP" -d "id=web1&client.age=50&client.sex=male&client.fitzpatrick=3&concern0.concern=acne-scars&concern0.zones=cheek&concern0.severity=moderate&clinic.start=2026-12-01")" = 303 ]' \
    "adding a client by form failed"
ok 'header Location | grep -q "^/clients/web1?msg=Client%20added.&sig=[0-9a-f]\{32\}$"' "no signed message after adding"
expect 0 "stdout:web1" -- "$MNEEDLE" client list --db "$DB"
# Nothing was answered on that form, so its record has no questionnaire and screening
# defers; the questionnaire's day, once given, stays through an edit that does not show it
# again; a yes/no answer that is neither is refused, never read as "no".
inp() { "$MNEEDLE" client show --db "$DB" "$1" --json > "$TMP/show.json" &&
    $PY -c "import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps(d.get(\"input\", d).get(\"history\")))" "$TMP/show.json"; }
ok '[ "$(inp web1)" = null ]' "a form with no answers stored a questionnaire: $(inp web1)"
WEB2="client.age=50&client.sex=female&client.fitzpatrick=3&concern0.concern=acne-scars&concern0.zones=cheek&clinic.start=2026-12-01"
ok '[ "$(status /clients -b "$TMP/pia" --data-urlencode "csrf=$TP" -d "id=web2&$WEB2&history.date=2026-11-20&history.isotretinoin_months_ago=2")" = 303 ]' \
    "adding a client with a dated questionnaire failed"
ok '[ "$(inp web2)" = "{\"isotretinoin_months_ago\": 2, \"date\": \"2026-11-20\"}" ]' "the questionnaire was not stored as given: $(inp web2)"
ok '[ "$(status /clients/web2/edit -b "$TMP/pia")" = 200 ] && grep -q "value=\"2026-11-20\"" "$TMP/b" && grep -q "name=\"history.asked\" value=\"yes\"" "$TMP/b"' \
    "the edit form does not carry the questionnaire's day and that it was asked"
ok '[ "$(status /clients -b "$TMP/pia" --data-urlencode "csrf=$TP" -d "id=web3&$WEB2&history.pregnant=Yes")" = 422 ]' \
    "a pregnancy answered \"Yes\" was not refused"
ok '[ "$(status /clients -b "$TMP/pia" --data-urlencode "csrf=$TP" -d "id=web3&$WEB2&history.asked=yes")" = 303 ] && [ "$(inp web3)" = "{}" ]' \
    "an asked questionnaire with nothing to declare is not stored as {}"

# The JSON API has the command's shape.
ok '[ "$(status /api/v1/clients/amelia/history -b "$TMP/pia")" = 200 ]' "API history is not 200"
ok '$PY -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"client\"]==\"amelia\" and \"planned\" in d" "$TMP/b"' \
    "API history is not the history JSON"

# A query value is checked as a form's field is, over the socket too (where libmicrohttpd
# hands the values over decoded): a NUL byte or bytes not UTF-8 in the search or the recall
# date are refused with 400 naming the value, never cut short at the NUL or shown.
ok '[ "$(status "/clients?q=amelia%00zzz" -b "$TMP/pia")" = 400 ] && grep -q "the search text (q) holds a NUL byte" "$TMP/b"' \
    "a search holding a NUL byte was not refused"
ok '[ "$(status "/clients?q=am%FF" -b "$TMP/pia")" = 400 ] && grep -q "the search text (q) is not UTF-8 text" "$TMP/b"' \
    "a search not UTF-8 was not refused"
ok '[ "$(status "/recall?before=2027-01-01%00junk" -b "$TMP/pia")" = 400 ] && grep -q "the date (before) holds a NUL byte" "$TMP/b"' \
    "a recall date holding a NUL byte was not refused"
ok '[ "$(status "/recall?before=%C3%28" -b "$TMP/pia")" = 400 ] && grep -q "the date (before) is not UTF-8 text" "$TMP/b"' \
    "a recall date not UTF-8 was not refused"
# In the path a NUL byte does not end it: the client's edit page with %00 and more after the
# id is not that client's page (it was served as /clients/amelia/edit, cut at the NUL).
ok '[ "$(status "/clients/amelia%00x/edit" -b "$TMP/pia")" = 404 ] && [ "$(status "/clients/amelia%00" -b "$TMP/pia")" = 404 ]' \
    "a path holding a NUL byte was served as the path cut there"
ok '[ "$(status "/clients?q=caf%C3%A9" -b "$TMP/pia")" = 200 ] && [ "$(status "/recall?before=2027-01-01" -b "$TMP/pia")" = 200 ]' \
    "a good search or recall date was refused"

# Adverse events on their own (a phone call after a session): a practitioner records one
# through the form, as `mneedle record adverse-event` would; it is in `history --json` and on
# the client page. A read-only user sees the table but neither the link nor the form; no
# token, or a bad severity, records nothing.
aes() { "$MNEEDLE" history --db "$DB" amelia --json > "$TMP/hist.json" &&
    $PY -c "import json,sys; print(sum(e[\"event\"] != \"none\" for e in json.load(open(sys.argv[1]))[\"adverse_events\"]))" "$TMP/hist.json"; }
ok '[ "$(status /clients/amelia/sessions -b "$TMP/pia" --data-urlencode "csrf=$TP" -d "date=2026-12-01&device=skinpen&zone0=forehead&depth0=0.5&passes0=2&adverse_events=none")" = 303 ]' \
    "charting session 1 failed"
ok '[ "$(status /clients/amelia -b "$TMP/pia")" = 200 ] && grep -q "id=\"record-adverse-event\"" "$TMP/b"' \
    "the client page offers a practitioner no adverse-event form"
ok '[ "$(status /clients/amelia/adverse-events/new -b "$TMP/pia")" = 200 ]' "the adverse-event form is not 200"
ok 'grep -q "<main id=\"adverse-event-form\"" "$TMP/b" && grep -q "<form id=\"adverse-event-record\"" "$TMP/b"' \
    "the adverse-event form lacks its ids"
ok 'grep -q "<option value=\"1\">session 1 on 2026-12-01</option>" "$TMP/b"' \
    "the form does not offer the recorded session"
ok 'grep -q "<option value=\"post-inflammatory-hyperpigmentation\">" "$TMP/b" && grep -q "<option value=\"other\">" "$TMP/b"' \
    "the form does not list the catalogue's kinds and other"
AE="date=2026-12-02&session=1&kind=post-inflammatory-hyperpigmentation&event=&resolved=2026-12-03"
ok '[ "$(status /clients/amelia/adverse-events -b "$TMP/pia" -d "$AE&severity=moderate")" = 403 ]' \
    "an adverse event without the token passed"
ok '[ "$(aes)" = 0 ]' "a refused adverse event was recorded"
ok '[ "$(status /clients/amelia/adverse-events -b "$TMP/pia" --data-urlencode "csrf=$TP" -d "$AE&severity=bad")" = 422 ]' \
    "a bad severity was not refused with 422"
ok 'grep -q "id=\"error-severity\"[^>]*>[^<]*severity: expected mild, moderate or severe" "$TMP/b"' \
    "a bad severity is not named beside its field"
ok 'grep -q "<option value=\"post-inflammatory-hyperpigmentation\" selected>" "$TMP/b"' \
    "the form lost the kind chosen"
ok '[ "$(aes)" = 0 ]' "a refused adverse event was recorded"
ok '[ "$(status /clients/amelia/adverse-events -b "$TMP/pia" --data-urlencode "csrf=$TP" -d "$AE&severity=moderate")" = 303 ]' \
    "recording an adverse event failed"
ok 'header Location | grep -q "^/clients/amelia?msg=Adverse%20event%20recorded.&sig=[0-9a-f]\{32\}$"' \
    "no message after recording an adverse event"
ok '[ "$(aes)" = 1 ] && $PY -c "import json,sys; e=[e for e in json.load(open(sys.argv[1]))[\"adverse_events\"] if e[\"event\"] != \"none\"][0]; assert (e[\"kind\"], e[\"session\"], e[\"date\"], e[\"severity\"], e[\"resolved\"]) == (\"post-inflammatory-hyperpigmentation\", 1, \"2026-12-02\", \"moderate\", \"2026-12-03\"), e" "$TMP/hist.json"' \
    "history --json does not hold the adverse event as entered"
ok '[ "$(status /clients/amelia -b "$TMP/rob")" = 200 ]' "read-only cannot read the client page"
ok 'tr -d "\n" < "$TMP/b" | grep -q "id=\"adverse-events\".*<td>2026-12-02</td><td class=\"num\">1</td><td>Post-inflammatory hyperpigmentation[^<]*</td><td>moderate</td><td>2026-12-03</td>"' \
    "the client page does not list the adverse event"
ok '! grep -q "record-adverse-event" "$TMP/b"' "a read-only user is offered the adverse-event form"
ok '[ "$(status /clients/amelia/adverse-events/new -b "$TMP/rob")" = 403 ]' "read-only got the adverse-event form"
TR=$(token "$TMP/rob")
ok '[ "$(status /clients/amelia/adverse-events -b "$TMP/rob" --data-urlencode "csrf=$TR" -d "$AE&severity=mild")" = 403 ]' \
    "read-only recorded an adverse event"
ok '[ "$(aes)" = 1 ]' "a refused adverse event was recorded"

# A session closer than the concern's minimum interval to the last one on that zone is refused
# as `mneedle record session` refuses it (422, the reason on the form), unless an override
# reason is given; then it is charted (what was done is a fact), and the client page warns.
ok '[ "$(status /clients/amelia/sessions -b "$TMP/pia" --data-urlencode "csrf=$TP" -d "date=2026-12-04&device=skinpen&zone0=forehead&depth0=0.5&passes0=2&adverse_events=none")" = 422 ]' \
    "charting a session 3 days after the last without an override was not refused"
ok 'grep -q "sooner than the minimum interval of 14 days" "$TMP/b"' "the refusal does not say why"
# The PIH recorded above (after session 1, resolved) steps forehead down one setting: the form
# refuses the session's 0.50 mm as record session does, and is pre-filled at the step down.
ok 'grep -q "forehead 0.50 mm is deeper than the 0.25 mm allowed at visit 2 (\$.zones\[0\].depth_mm), after the Post-inflammatory hyperpigmentation (PIH) recorded on 2026-12-02: one setting below session 1" "$TMP/b"' \
    "the session form does not refuse a depth above the step down after PIH"
ok '[ "$(status /clients/amelia/sessions/new -b "$TMP/pia")" = 200 ] && grep -q "id=\"f-depth0\" name=\"depth0\" inputmode=\"decimal\" value=\"0.25\"" "$TMP/b" && grep -q "at most 0.25 mm after an adverse event" "$TMP/b"' \
    "the charting form is not pre-filled at the step down after PIH"
ok '[ "$(status /clients/amelia/sessions -b "$TMP/pia" --data-urlencode "csrf=$TP" -d "date=2026-12-04&device=skinpen&zone0=forehead&depth0=0.5&passes0=2&adverse_events=none" --data-urlencode "override=client travelling")" = 303 ]' \
    "charting a session 3 days after the last with an override failed"
ok 'header Location | grep -q "^/clients/amelia?msg=Session%20recorded%2C%20with%20the%20override%20reason.%20Warning%3A%20forehead%3A%202026-12-04%20is%203%20days%20after%20the%20session%20of%202026-12-01%20that%20treated%20it%2C%20closer%20than%20the%20minimum%20interval%20of%2014%20days"' \
    "the workstation does not warn of a session closer than the minimum interval"

# User administration: the admin disables rob (his session ends, his sign-in is refused),
# enables him again, and a practitioner may not; everyone changes their own password.
TA=$(token "$TMP/ada")
ok '[ "$(status /users -b "$TMP/ada")" = 200 ]' "the users page is not 200 for an admin"
ok 'grep -q "id=\"user-disable-rob\"" "$TMP/b"' "the users page has no disable form"
ok '[ "$(status /users/rob/disable -b "$TMP/pia" -d "csrf=$TP")" = 403 ]' "a practitioner disabled a user"
ok '[ "$(status /users/rob/disable -b "$TMP/ada" -d "csrf=$TA")" = 303 ]' "disabling rob failed"
ok 'header Location | grep -q "^/users?msg=User%20rob%20disabled"' "no message after disabling"
ok '[ "$(status /clients -b "$TMP/rob")" = 303 ]' "a disabled user's session lives on"
ok '[ "$(signin rob "$TMP/rob")" = 303 ] && header Location | grep -q "^/signin?msg=Wrong"' \
    "a disabled user signed in"
ok '[ "$(status /users/rob/enable -b "$TMP/ada" -d "csrf=$TA")" = 303 ]' "enabling rob failed"
ok '[ "$(signin rob "$TMP/rob")" = 303 ] && [ "$(status /clients -b "$TMP/rob")" = 200 ]' \
    "an enabled user cannot sign in"
TR=$(token "$TMP/rob")
ok '[ "$(status /account/password -b "$TMP/rob" --data-urlencode "csrf=$TR" --data-urlencode "current=$PW" -d "password=another+passphrase&confirm=another+passphrase")" = 303 ]' \
    "changing one's own password failed"
ok 'header Location | grep -q "^/account?msg=Password%20changed%3B%20your%20other%20sessions%20have%20ended.&sig=[0-9a-f]\{32\}$"' \
    "no message after a password change"
ok '[ "$(status /users/rob/password -b "$TMP/ada" --data-urlencode "csrf=$TA" --data-urlencode "password=$PW")" = 303 ]' \
    "an admin's password reset failed"
ok '[ "$(status /clients -b "$TMP/rob")" = 303 ]' "a reset password left the session"
ok '[ "$(signin rob "$TMP/rob")" = 303 ] && [ "$(status /clients -b "$TMP/rob")" = 200 ]' \
    "the reset password does not work"

# A body over the 1 MiB limit is refused before it reaches a page.
head -c 2000000 /dev/zero | tr '\0' a > "$TMP/big"
ok '[ "$(status /clients -b "$TMP/pia" --data-binary @"$TMP/big")" = 413 ]' "a 2 MB body was not refused"

# Signed out: the session is gone.
ok '[ "$(status /signout -b "$TMP/pia" -d "csrf=$TP")" = 303 ]' "sign-out failed"
ok '[ "$(status /clients -b "$TMP/pia")" = 303 ]' "the session outlived sign-out"

kill -TERM "$SERVER"
wait "$SERVER"
ok '[ $? -eq 0 ]' "SIGTERM did not stop the server with exit 0"
ok 'grep -q "SIGTERM: stopping" "$TMP/serve.err"' "the server did not say it stopped"
expect 0 "stdout:database ok" -- "$MNEEDLE" db check --db "$DB"
ok '[ "$($PY -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT count(*) FROM audit WHERE action=\x27read\x27 AND actor=\x27rob\x27\").fetchone()[0])" "$DB")" -ge 1 ]' \
    "reads are not audited with the user"

# ---- TLS: HTTPS, and the session cookie is Secure with the __Host- prefix ----
if command -v openssl >/dev/null; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
        -keyout "$TMP/key.pem" -out "$TMP/cert.pem" -subj /CN=127.0.0.1 2>/dev/null
    "$MNEEDLE" serve --db "$DB" --port 0 --tls-cert "$TMP/cert.pem" --tls-key "$TMP/key.pem" \
        > "$TMP/tls.out" 2> "$TMP/tls.err" &
    TLS=$!
    for _ in $(seq 1 100); do
        grep -q "serving on" "$TMP/tls.out" 2>/dev/null && break
        sleep 0.1
    done
    BASE=$(sed -n 's/^mneedle: serving on \(https:[^ ]*\)\/$/\1/p' "$TMP/tls.out")
    ok '[ -n "$BASE" ]' "TLS: no https address line"
    rm -f "$TMP/tlsjar"
    curl -sk -c "$TMP/tlsjar" -b "$TMP/tlsjar" "$BASE/signin" -o "$TMP/signin.html"
    tok=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$TMP/signin.html")
    ok '[ "$(status /signin -k -c "$TMP/tlsjar" -b "$TMP/tlsjar" --data-urlencode "csrf=$tok" -d user=ada --data-urlencode "password=$PW")" = 303 ]' \
        "TLS: sign-in failed"
    ok 'grep -q "^Set-Cookie: __Host-mneedle=[0-9a-f]\{32\}; Path=/; HttpOnly; SameSite=Strict; Secure" "$TMP/h"' \
        "TLS: the session cookie is not __Host- and Secure"
    ok '[ "$(header Strict-Transport-Security)" = "max-age=31536000" ]' \
        "TLS: no Strict-Transport-Security header"
    kill -TERM "$TLS"
    wait "$TLS"
    ok '[ $? -eq 0 ]' "TLS: SIGTERM did not stop the server with exit 0"
else
    echo "note: openssl not installed: TLS not checked"
fi

# ---- --demo: a temporary database, removed at exit ----
TMPDIR="$TMP" "$MNEEDLE" serve --demo --port 0 > "$TMP/demo.out" 2> "$TMP/demo.err" &
DEMO=$!
for _ in $(seq 1 200); do
    grep -q "one-time password" "$TMP/demo.out" 2>/dev/null && break
    sleep 0.1
done
ok 'grep -q "sign in as admin with the one-time password [A-Za-z0-9]\{20\}$" "$TMP/demo.out"' \
    "--demo did not print a password"
DEMO_DB=$(sed -n 's/^mneedle: demo database \(.*\); sign in.*/\1/p' "$TMP/demo.out")
ok '[ -f "$DEMO_DB" ]' "--demo made no database"
kill -INT "$DEMO"
wait "$DEMO"
ok '[ $? -eq 0 ]' "SIGINT did not stop the demo with exit 0"
ok '[ -n "$DEMO_DB" ] && [ ! -e "$(dirname "$DEMO_DB")" ]' "--demo left its folder behind"
finish
