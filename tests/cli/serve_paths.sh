# End-to-end: a request's path is percent-decoded exactly once, by the router (docs/serve.md,
# "Routes"): libmicrohttpd's own decoding of the path is not used, so "%2573" is the three
# characters "%73", never "s" (a path encoded twice is no path of this server: 404), and an
# encoded slash, dot segment or NUL is refused as the router refuses it. Signed out, the
# answer to a path the router reads as under /api/ is JSON (401, or 404 for no such resource),
# whatever its raw spelling; a page's is the sign-in page.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_serve.sh"
serve_setup
serve_start "$TMP/serve.log" --db "$DB" || { echo "FAIL: no server"; exit 1; }
# status PATH [curl args...]: the status of a GET of PATH sent as written (curl leaves a
# path's % alone; --path-as-is keeps its dot segments), the body in $TMP/b, the headers in
# $TMP/h.
status() { _p=$1; shift; curl -s --path-as-is -o "$TMP/b" -D "$TMP/h" -w '%{http_code}' "$@" "$SERVE_URL$_p"; }
json() { grep -qi '^content-type: application/json' "$TMP/h"; }

# ---- signed out ----
ok '[ "$(status /style.css)" = 200 ] && [ "$(status /%73tyle.css)" = 200 ]' \
    "the stylesheet, plainly or encoded once, is not served"
for p in /%2573tyle.css /%25%37%33tyle.css /style%252ecss; do
    ok '[ "$(status "$p")" = 404 ]' "$p (encoded twice) is served as the stylesheet"
done
ok '[ "$(status /%61pi/v1/clients)" = 401 ] && json' \
    "an API path with an encoded letter, signed out, is not a JSON 401"
ok '[ "$(status /api/v1/%63lients)" = 401 ] && json' \
    "an API path with an encoded letter later on, signed out, is not a JSON 401"
for p in /%2561pi/v1/clients /api/v1/clients/ /api//v1/clients /api/v1/nothing; do
    ok '[ "$(status "$p")" = 404 ]' "$p, signed out, is found"
done
ok '[ "$(status /api/v1/clients/)" = 404 ] && json' "a trailing slash under /api/: not JSON"
ok '[ "$(status /%63lients)" = 303 ] && grep -qi "^Location: /signin?next=%2F%2563lients" "$TMP/h"' \
    "a page with an encoded letter, signed out, is not sent to sign in with its way back"

# ---- signed in ----
TOK=$(serve_signin "$TMP/jar" ada "$PW")
ok '[ -n "$TOK" ]' "ada cannot sign in"
ok '[ "$(status /%63lients -b "$TMP/jar")" = 200 ]' "/%63lients (encoded once) is not the clients page"
for p in /%2563lients /clients/%252e%252e /clients/%252e%252e/%252e%252e/users /%2575sers \
    /clients/a%252Fb /clients/x%2500/edit /clients/..%2F..%2Fusers /clients/%2e%2e/users; do
    ok '[ "$(status "$p" -b "$TMP/jar")" = 404 ]' "$p is found (decoded twice, or a dot segment)"
done
# The form of a page reached by an encoded letter posts as the plain one.
ok '[ "$(status /%75sers -b "$TMP/jar")" = 200 ] && grep -q "id=\"user-list\"" "$TMP/b"' \
    "/%75sers (encoded once) is not the users page"
serve_stop
finish
