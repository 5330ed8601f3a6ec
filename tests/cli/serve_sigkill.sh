# `mneedle serve` killed (SIGKILL) under load loses no committed record: four writers post
# scores through the charting form, each writing down a score only once the server answered
# "Score recorded" (the transaction committed, synchronous=FULL), while readers load the
# client page; after a random number of answered writes the server is killed. Then
# `db check` passes (integrity, foreign keys, audit chain), every answered score is in the
# client's history, and the server starts again on the same database.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_serve.sh"
PY=/usr/bin/python3
command -v curl >/dev/null || { echo "curl is missing (sh scripts/deps.sh installs it)"; exit 77; }
export SOURCE_DATE_EPOCH=1806624000 # 2027-04-01: the scores' date
TODAY=2027-04-01
DB="$TMP/demo.db"
WRITERS=4
# (This shell only: a load job's forked copy, signalled before it is on its own, must not run it;
# see lib.sh.)
cleanup_serve() { [ "${BASHPID:-$$}" = "$$" ] || return; serve_stop; for p in $LOAD_PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"; }
LOAD_PIDS=""
trap cleanup_serve EXIT

serve_start "$TMP/serve.log" --demo --db "$DB" || exit 1
PW=$(serve_demo_password "$TMP/serve.log") || { echo "FAIL: no admin password"; cat "$TMP/serve.log"; exit 1; }
CSRF=$(serve_signin "$TMP/jar" admin "$PW") || { echo "FAIL: cannot sign in"; exit 1; }
CLIENT=$(curl -s -b "$TMP/jar" "$SERVE_URL/api/v1/clients" |
    $PY -c 'import json,sys; d=json.load(sys.stdin); c=d.get("clients", d) if isinstance(d, dict) else d; print(c[0]["id"])')
ok '[ -n "$CLIENT" ]' "no client in the demo database"
before=$("$MNEEDLE" history --db "$DB" "$CLIENT" --json | $PY -c 'import json,sys; print(len(json.load(sys.stdin)["assessments"]))')

# Readers: the client page, as fast as curl goes, until the server is gone.
for r in 1 2; do
    ( while curl -s -o /dev/null -b "$TMP/jar" "$SERVE_URL/clients/$CLIENT"; do :; done ) &
    LOAD_PIDS="$LOAD_PIDS $!"
done
# Writers: score N of writer W has rater "wW-N"; written to acked-W after the answer.
for w in $(seq 1 $WRITERS); do
    (
        n=0
        while :; do
            n=$((n + 1))
            got=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -b "$TMP/jar" \
                --data-urlencode "csrf=$CSRF" --data-urlencode "scale=vas" \
                --data-urlencode "score=$((n % 100))" --data-urlencode "date=$TODAY" \
                --data-urlencode "rater=w$w-$n" "$SERVE_URL/clients/$CLIENT/assessments") || break
            case $got in
                303*Score*recorded*) echo "w$w-$n" >> "$TMP/acked-$w" ;;
                *) echo "$got" >> "$TMP/refused" ;;
            esac
        done
    ) &
    LOAD_PIDS="$LOAD_PIDS $!"
done
# Kill after a random number (20 to 79) of answered writes, or after 60 s in any case.
target=$(( $(od -An -N2 -tu2 /dev/urandom) % 60 + 20 ))
i=0
while [ $i -lt 600 ]; do
    acked=$(cat "$TMP"/acked-* 2>/dev/null | wc -l)
    [ "$acked" -ge "$target" ] && break
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.1
    i=$((i + 1))
done
ok 'kill -KILL "$SERVE_PID"' "the server had died under load before the kill: $(tail -n 3 "$TMP/serve.log")"
wait "$SERVE_PID" 2>/dev/null
SERVE_PID=""
for p in $LOAD_PIDS; do wait "$p" 2>/dev/null; done
LOAD_PIDS=""
cat "$TMP"/acked-* > "$TMP/acked" 2>/dev/null
acked=$(wc -l < "$TMP/acked")
echo "killed the server after $acked answered writes (target $target)"
ok '[ "$acked" -ge 20 ]' "only $acked writes answered before the kill (the load did not run)"
ok '[ ! -s "$TMP/refused" ]' "writes refused under load: $(sort "$TMP/refused" 2>/dev/null | uniq -c | head -3)"

expect 0 "stdout:database ok" -- "$MNEEDLE" db check --db "$DB"
"$MNEEDLE" history --db "$DB" "$CLIENT" --json > "$TMP/history.json"
ok '$PY - "$TMP/history.json" "$TMP/acked" "$before" <<"PYEOF"
import json, sys
h = json.load(open(sys.argv[1]))
raters = [a["rater"] for a in h["assessments"]]
acked = open(sys.argv[2]).read().split()
lost = [r for r in acked if r not in raters]
assert not lost, "answered but lost: %s" % lost[:10]
print("%d answered, %d stored (%d new)" % (len(acked), len(raters), len(raters) - int(sys.argv[3])))
PYEOF' "an answered score is missing after SIGKILL"

# The same database serves again (the demo admin keeps its password).
serve_start "$TMP/serve2.log" --db "$DB" || exit 1
ok 'serve_signin "$TMP/jar2" admin "$PW" >/dev/null' "cannot sign in after the restart"
ok '[ "$(curl -s -o /dev/null -w "%{http_code}" -b "$TMP/jar2" "$SERVE_URL/clients/$CLIENT")" = 200 ]' \
    "the client page does not open after the restart"
serve_stop
finish
