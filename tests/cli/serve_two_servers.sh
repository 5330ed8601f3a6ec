# End-to-end: two `mneedle serve` processes over one database. A user disabled, or given a new
# password, through the other server loses its session in this one at its next request (page
# and API alike), logged once on the user's row with the admin as the actor, as the server that
# makes a change logs it for its own sessions (docs/serve.md, "Sessions").
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_serve.sh"
serve_setup
# status JAR PATH: the HTTP status of a GET of PATH with the cookies of JAR, on $SERVE_URL.
status() { curl -s -b "$1" -o /dev/null -w '%{http_code}' "$SERVE_URL$2"; }
count() { /usr/bin/python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM audit WHERE ' + sys.argv[2]).fetchone()[0])" "$DB" "$1"; }

expect 0 "" -- sh -c "'$MNEEDLE' serve --db '$DB' --add-user rob --role read-only < '$TMP/pw'"
serve_start "$TMP/a.log" --db "$DB" || { echo "FAIL: no first server"; exit 1; }
A_PID=$SERVE_PID A_URL=$SERVE_URL
SERVE_PID=""
serve_start "$TMP/b.log" --db "$DB" || { echo "FAIL: no second server"; kill "$A_PID"; exit 1; }
B_PID=$SERVE_PID B_URL=$SERVE_URL

SERVE_URL=$A_URL
serve_signin "$TMP/rob" rob "$PW" >/dev/null
ok '[ "$(status "$TMP/rob" /clients)" = 200 ]' "rob is not signed in on the first server"
SERVE_URL=$B_URL
ADA=$(serve_signin "$TMP/ada" ada "$PW")
ok '[ -n "$ADA" ]' "ada is not signed in on the second server"
ok '[ "$(curl -s -b "$TMP/ada" -o /dev/null -w "%{http_code}" -d "csrf=$ADA" "$SERVE_URL/users/rob/disable")" = 303 ]' \
    "the second server does not disable rob"
SERVE_URL=$A_URL
ok '[ "$(status "$TMP/rob" /clients)" = 303 ]' "rob's session on the first server outlives his Disable on the second"
ok '[ "$(status "$TMP/rob" /api/v1/session)" = 401 ]' "rob's session answers the API after his Disable"
ok '[ "$(count "action = \"sessions-ended\" AND actor = \"ada\" AND detail = \"1 ended: disabled by an admin\"")" = 1 ]' \
    "the first server does not log the end of rob's session once, with ada as the actor"

# Enabled again, he signs in on the first server; a password reset on the second ends that too.
SERVE_URL=$B_URL
curl -s -b "$TMP/ada" -o /dev/null -d "csrf=$ADA" "$SERVE_URL/users/rob/enable"
SERVE_URL=$A_URL
serve_signin "$TMP/rob2" rob "$PW" >/dev/null
ok '[ "$(status "$TMP/rob2" /clients)" = 200 ]' "rob, enabled again, is not signed in on the first server"
SERVE_URL=$B_URL
curl -s -b "$TMP/ada" -o /dev/null -d "csrf=$ADA" --data-urlencode "password=another long password" \
    "$SERVE_URL/users/rob/password"
SERVE_URL=$A_URL
ok '[ "$(status "$TMP/rob2" /clients)" = 303 ]' "rob's session on the first server outlives his password reset on the second"
ok '[ "$(count "action = \"sessions-ended\" AND actor = \"ada\" AND detail = \"1 ended: password reset by an admin\"")" = 1 ]' \
    "the first server does not log the end of rob's session at the reset"
# ada's own session on the second server went on throughout.
SERVE_URL=$B_URL
ok '[ "$(status "$TMP/ada" /users)" = 200 ]' "ada's session ended"

kill -TERM "$A_PID" 2>/dev/null
wait "$A_PID" 2>/dev/null
serve_stop
expect 0 "stdout:database ok" -- "$MNEEDLE" db check --db "$DB"
finish
