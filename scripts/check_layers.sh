#!/bin/sh
# Layering check (DESIGN §8, docs/architecture.md): a file may include headers of its own
# layer and of the layers below it, never of a layer above. Layers, lowest first:
#
#   core → data → skin, device → transport, healing → evidence, sensitivity
#        → clinic, cohort → store → report → server, cli
#
# A file's module is its folder: src/X/... is module X, cli/... is cli. A public header
# include/mneedle/X.h belongs to module X, except the few named in HEADER_MODULE below
# (catalog.h is the data layer's, rng.h core's, plot.h report's); the umbrella mneedle.h
# belongs to the top layer. Every `#include "..."` line under src/, include/ and cli/ is
# resolved as the compiler would (beside the including file, then src/, then include/).
#
# Usage: scripts/check_layers.sh [ROOT]   (ROOT defaults to the repository holding this script)
# The command (cli/) is a program outside the library: it may include the public headers
# and its own, never a private header under src/.
#
# Prints each upward include as FILE:LINE with both layers and exits 1 if there is any;
# exits 2 if a file or header cannot be placed in a layer (add it to the tables below).
set -eu

root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"

# module=rank; modules of equal rank share a layer.
LAYERS='core=0 data=1 skin=2 device=2 transport=3 healing=3 evidence=4 sensitivity=4
clinic=5 cohort=5 store=6 report=7 server=8 cli=8 TOP=8'
# Public headers that are not named after their module's folder.
HEADER_MODULE='catalog=data rng=core plot=report posterior=healing mneedle=TOP'

files=$(for d in src include cli; do
    [ -d "$d" ] && find "$d" -type f \( -name '*.c' -o -name '*.h' \)
done | LC_ALL=C sort)
[ -n "$files" ] || { echo "check_layers: no sources under $root" >&2; exit 2; }

# One line per include: FILE<TAB>LINE<TAB>TARGET<TAB>RESOLVED-PATH
for f in $files; do
    awk -v f="$f" '
        /^[ \t]*#[ \t]*include[ \t]*"/ {
            t = $0
            sub(/^[^"]*"/, "", t)
            sub(/".*$/, "", t)
            print f "\t" FNR "\t" t
        }' "$f"
done | while IFS="$(printf '\t')" read -r f line target; do
    dir=$(dirname "$f")
    if [ -f "$dir/$target" ]; then
        resolved="$dir/$target"
    elif [ -f "src/$target" ]; then
        resolved="src/$target"
    elif [ -f "include/$target" ]; then
        resolved="include/$target"
    else
        resolved="?"
    fi
    printf '%s\t%s\t%s\t%s\n' "$f" "$line" "$target" "$resolved"
done | awk -F '\t' -v layers="$LAYERS" -v hmod="$HEADER_MODULE" '
    BEGIN {
        n = split(layers, a, /[ \n]+/)
        for (i = 1; i <= n; i++) if (split(a[i], kv, "=") == 2) rank[kv[1]] = kv[2]
        n = split(hmod, a, /[ \n]+/)
        for (i = 1; i <= n; i++) if (split(a[i], kv, "=") == 2) hm[kv[1]] = kv[2]
        bad = 0; unknown = 0
    }
    # The module a path belongs to, or "" if none.
    function module(p,    parts, n, base) {
        n = split(p, parts, "/")
        if (parts[1] == "src" && n >= 3) return parts[2]
        if (parts[1] == "cli") return "cli"
        if (parts[1] == "include" && parts[2] == "mneedle" && n == 3) {
            base = parts[3]
            sub(/\.h$/, "", base)
            return (base in hm) ? hm[base] : base
        }
        return ""
    }
    function name(m) { return m == "TOP" ? "top (umbrella)" : m }
    {
        if ($4 == "?") {
            printf "%s:%s: cannot find \"%s\" beside the file, under src/ or include/\n", $1, $2, $3
            unknown = 1
            next
        }
        from = module($1); to = module($4)
        if (!(from in rank)) {
            printf "%s:%s: %s is in no known layer\n", $1, $2, $1; unknown = 1; next
        }
        if (!(to in rank)) {
            printf "%s:%s: %s is in no known layer\n", $1, $2, $4; unknown = 1; next
        }
        if (from == "cli" && $4 ~ /^src\//) {
            printf "%s:%s: private include: the command includes \"%s\" of the library; use the public headers\n",
                   $1, $2, $3
            bad++
            next
        }
        if (rank[to] > rank[from]) {
            printf "%s:%s: upward include: %s (layer %d) includes \"%s\" of %s (layer %d)\n",
                   $1, $2, name(from), rank[from], $3, name(to), rank[to]
            bad++
        }
    }
    END {
        if (unknown) exit 2
        if (bad) { printf "check_layers: %d upward or private include(s)\n", bad; exit 1 }
    }'
