# End-to-end: text from the client file (name, currency) reaches the HTML report escaped, so
# no input can add markup to the page handed to a client.
. "$(dirname "$0")/lib.sh"
python3 - "$MN_SOURCE_DIR/examples/clients/amelia-wrinkles.json" "$TMP/c.json" <<'PY' || exit 1
import json, sys
d = json.load(open(sys.argv[1]))
d["client"]["name"] = "<script>alert(1)</script> & 'q'"
d["clinic"]["currency"] = "<zz>&"
json.dump(d, open(sys.argv[2], "w"))
PY
expect 0 "" -- "$MNEEDLE" plan --report "$TMP/r.html" "$TMP/c.json"
expect 1 "" -- grep -q "<script" "$TMP/r.html"
expect 1 "" -- grep -q "<zz>" "$TMP/r.html"
expect 0 "" -- grep -q "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" "$TMP/r.html"
expect 0 "" -- grep -q "1800.00 &lt;zz&gt;&amp;" "$TMP/r.html"
expect 0 "" -- grep -q "a year" "$TMP/r.html"
expect 1 "" -- grep -q "[0-9] <zz>" "$TMP/r.html"
finish
