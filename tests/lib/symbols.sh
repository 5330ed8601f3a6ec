#!/bin/sh
# The shared library exports the public API and nothing else: every dynamic symbol it defines
# is named mn_ and none is an mn__ internal, and every function the public headers declare is
# exported (a new public header needs the `#pragma GCC visibility push(default)` of the others).
# usage: symbols.sh LIBRARY INCLUDE_DIR   (exit 0 clean, 1 with the offending names)
set -u
lib=${1:?usage: symbols.sh LIBRARY INCLUDE_DIR}
inc=${2:?usage: symbols.sh LIBRARY INCLUDE_DIR}
cc=${CC:-cc}
[ -f "$lib" ] || { echo "symbols.sh: no library $lib"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mn_symbols.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

nm -D --defined-only "$lib" | awk '{print $NF}' | sort -u >"$tmp/exported" || exit 1
[ -s "$tmp/exported" ] || { echo "symbols.sh: $lib exports nothing"; exit 1; }
bad=0
if grep '^mn__' "$tmp/exported" >"$tmp/internal"; then
    echo "internal symbols exported from $lib:"; sed 's/^/  /' "$tmp/internal"; bad=1
fi
if grep -v '^mn_' "$tmp/exported" >"$tmp/foreign"; then
    echo "symbols without the mn_ prefix exported from $lib:"; sed 's/^/  /' "$tmp/foreign"; bad=1
fi

# Functions declared by the public headers, read from the preprocessed umbrella header one
# statement at a time: a name mn_... directly followed by '(' whose next character is not '*'.
# So a function-pointer typedef or parameter contributes neither its own name ('(*mn_cb)')
# nor its return type ('mn_code (*cb)(...)'); a typedef of a function type ('typedef int
# mn_hook(int)') is skipped whole; a function returning a function pointer
# ('int (*mn_pick(int))(void)') is found.
for h in "$inc"/mneedle/*.h; do printf '#include "mneedle/%s"\n' "$(basename "$h")"; done \
    >"$tmp/all.c"
"$cc" -E -P -I"$inc" "$tmp/all.c" >"$tmp/pre.c" || { echo "symbols.sh: headers do not compile"; exit 1; }
tr '\n' ' ' <"$tmp/pre.c" | tr ';{}' '\n\n\n' | sed 's/^/ /' |
    grep -v '^[[:space:]]*typedef[^A-Za-z0-9_]' |
    grep -o '[^A-Za-z0-9_]mn_[A-Za-z0-9_]*[[:space:]]*([[:space:]]*[^*[:space:]]' |
    sed 's/^.//; s/[[:space:]]*(.*$//' | grep -v '^mn__' | sort -u >"$tmp/declared"
[ -s "$tmp/declared" ] || { echo "symbols.sh: no function declarations found in $inc"; exit 1; }
if comm -23 "$tmp/declared" "$tmp/exported" >"$tmp/missing" && [ -s "$tmp/missing" ]; then
    echo "declared in the public headers but not exported from $lib:"
    sed 's/^/  /' "$tmp/missing"; bad=1
fi
[ "$bad" -eq 0 ] && echo "symbols.sh: $(wc -l <"$tmp/exported") exported, all public" 
exit "$bad"
