# End-to-end: the sign-in limit holds against guesses sent together. Twenty wrong passwords
# for one name posted at once over real sockets: each is counted before its password is
# checked (Argon2id takes a while, so all twenty are in flight together), so at most the limit
# of five is checked (a redirect back to the sign-in form) and the rest are answered 429; the
# right password then waits too (docs/serve.md, "Sign-in limit").
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_serve.sh"
command -v curl >/dev/null || { echo "curl not installed (scripts/deps.sh): skipped"; exit 77; }
unset MNEEDLE_DB
DB="$TMP/clinic.db"
PW="a long enough password"
ok() { if eval "$1"; then passes=$((passes + 1)); else echo "FAIL: $2"; fails=$((fails + 1)); fi; }

expect 0 "" -- "$MNEEDLE" db init --db "$DB"
printf '%s\n' "$PW" > "$TMP/pw"
expect 0 "" -- sh -c "'$MNEEDLE' serve --db '$DB' --add-user ada --role admin < '$TMP/pw'"
serve_start "$TMP/serve.log" --db "$DB" --threads 32 || { echo "FAIL: no server"; exit 1; }
TOK=$(curl -s -c "$TMP/jar" "$SERVE_URL/signin" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -n 1)
ok '[ -n "$TOK" ]' "no sign-in token"
i=0
pids=""
while [ $i -lt 20 ]; do
    curl -s -b "$TMP/jar" -o /dev/null -w '%{http_code}\n' --data-urlencode "csrf=$TOK" \
        -d user=ada --data-urlencode "password=wrong guess $i" "$SERVE_URL/signin" > "$TMP/code.$i" &
    pids="$pids $!"
    i=$((i + 1))
done
wait $pids
checked=$(cat "$TMP"/code.* | grep -c '^303$')
held=$(cat "$TMP"/code.* | grep -c '^429$')
ok '[ "$checked" -ge 1 ] && [ "$checked" -le 5 ] && [ $((checked + held)) -eq 20 ]' \
    "twenty wrong passwords at once: $checked checked, $held refused with 429 (at most 5 checked)"
ok '[ "$(curl -s -b "$TMP/jar" -o /dev/null -w "%{http_code}" --data-urlencode "csrf=$TOK" -d user=ada --data-urlencode "password=$PW" "$SERVE_URL/signin")" = 429 ]' \
    "the right password is not held after the limit was reached"
serve_stop
# Each try checked is audited with the name, the lockout once; no password in the log.
count() { /usr/bin/python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM audit WHERE ' + sys.argv[2]).fetchone()[0])" "$DB" "$1"; }
ok '[ "$(count "action = \"signin-failed\" AND actor = \"ada\"")" = "$checked" ]' \
    "the $checked tries checked are not each audited: $(count "action = 'signin-failed'")"
ok '[ "$(count "action = \"locked\" AND actor = \"ada\"")" = 1 ]' "the lockout is not audited once"
ok '[ "$(count "instr(detail, \"guess\") OR instr(detail, \"password\")")" = 0 ]' "a password is in the audit log"
expect 0 "stdout:database ok" -- "$MNEEDLE" db check --db "$DB"
finish
