# End-to-end: the sign-in limit holds against guesses sent together. Twenty wrong passwords
# for one name posted at once over real sockets: each is counted before its password is
# checked (Argon2id takes a while, so all twenty are in flight together), so at most the limit
# of five is checked (a redirect back to the sign-in form) and the rest are answered 429; the
# right password then waits too (docs/serve.md, "Sign-in limit"). Another user of the same
# computer (the same address, 127.0.0.1) is not locked out by them; a spray of one password
# over many names from it is slowed to one try per 30 s.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_serve.sh"
serve_setup
expect 0 "" -- sh -c "'$MNEEDLE' serve --db '$DB' --add-user rob --role read-only < '$TMP/pw'"
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
# rob, from the same address, is not held by ada's lock.
curl -s -b "$TMP/jar" -o /dev/null -D "$TMP/rob" --data-urlencode "csrf=$TOK" -d user=rob \
    --data-urlencode "password=$PW" "$SERVE_URL/signin"
ok 'head -n 1 "$TMP/rob" | grep -q " 303" && grep -q "^Location: /clients?msg=Signed%20in" "$TMP/rob" && grep -q "^Set-Cookie: mneedle=[0-9a-f]\{32\}" "$TMP/rob"' \
    "another user of the same address is locked out by ada's failures"
# A spray from this address: one failure for each of other names until the address has 10
# (ada's checked ones count), then its tries wait 30 s, whatever the name: 429 with Retry-After.
i=0
while [ $i -lt $((10 - checked)) ]; do
    curl -s -b "$TMP/jar" -o /dev/null --data-urlencode "csrf=$TOK" -d "user=spray$i" \
        --data-urlencode "password=$PW" "$SERVE_URL/signin"
    i=$((i + 1))
done
curl -s -b "$TMP/jar" -o "$TMP/spaced" -D "$TMP/spaced.head" --data-urlencode "csrf=$TOK" \
    -d user=rob --data-urlencode "password=$PW" "$SERVE_URL/signin"
ok 'head -n 1 "$TMP/spaced.head" | grep -q " 429"' "the address is not slowed after 10 failures"
ok 'grep -qi "^Retry-After: [1-3][0-9]*" "$TMP/spaced.head" && [ "$(sed -n "s/^Retry-After: \([0-9]*\).*/\1/Ip" "$TMP/spaced.head")" -le 30 ]' \
    "the slowed address is not told to wait at most 30 s"
ok 'grep -q "Too many failed sign-ins. Wait [0-9]* seconds and try again." "$TMP/spaced"' \
    "the slowed address is not told how long to wait"
serve_stop
# Each try checked is audited with the name, the lockout once; no password in the log.
count() { /usr/bin/python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM audit WHERE ' + sys.argv[2]).fetchone()[0])" "$DB" "$1"; }
ok '[ "$(count "action = \"signin-failed\" AND actor = \"ada\"")" = "$checked" ]' \
    "the $checked tries checked are not each audited: $(count "action = 'signin-failed'")"
ok '[ "$(count "action = \"locked\" AND actor = \"ada\"")" = 1 ]' "the lockout is not audited once"
ok '[ "$(count "instr(detail, \"guess\") OR instr(detail, \"password\")")" = 0 ]' "a password is in the audit log"
expect 0 "stdout:database ok" -- "$MNEEDLE" db check --db "$DB"
finish
