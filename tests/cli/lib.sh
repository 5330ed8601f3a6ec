# Shared helpers for the end-to-end CLI tests. Sourced, not run (no test of its own: the
# CMake glob only registers files that do not start with "lib").
: "${MNEEDLE:?MNEEDLE must point at the mneedle binary}"
: "${MN_SOURCE_DIR:?MN_SOURCE_DIR must point at the source tree}"
fails=0
passes=0
TMP=$(mktemp -d)
# Removed by this shell only. Bash runs the EXIT trap on SIGTERM, SIGINT and SIGHUP, and a
# background job is a forked copy of this shell until it execs: a signal sent to "$!" in that
# moment made the copy run the trap and delete $TMP under the test still running.
trap '[ "${BASHPID:-$$}" = "$$" ] && rm -rf "$TMP"' EXIT

# ok CONDITION MESSAGE: counts a pass when the shell condition holds, else prints MESSAGE.
ok() { if eval "$1"; then passes=$((passes + 1)); else echo "FAIL: $2"; fails=$((fails + 1)); fi; }

# expect CODE PATTERN -- command...: runs the command, checks the exit code and that stderr
# (or stdout when PATTERN starts with "stdout:") matches the extended regex PATTERN.
expect() {
    want=$1; pattern=$2; shift 3
    "$@" >"$TMP/out" 2>"$TMP/err"
    got=$?
    where=err
    case $pattern in stdout:*) where=out; pattern=${pattern#stdout:};; esac
    if [ "$got" -ne "$want" ]; then
        echo "FAIL: exit $got, expected $want: $*"; sed 's/^/  | /' "$TMP/err" | head -5
        fails=$((fails + 1)); return
    fi
    if [ -n "$pattern" ] && ! grep -Eq -- "$pattern" "$TMP/$where"; then
        echo "FAIL: std$where does not match /$pattern/: $*"; sed 's/^/  | /' "$TMP/$where" | head -5
        fails=$((fails + 1)); return
    fi
    passes=$((passes + 1))
}

# no_stderr WHAT: the last expect's command wrote nothing on standard error. (Not
# `expect 0 "" -- test ! -s "$TMP/err"`: expect empties $TMP/err before test reads it, so
# that check can never fail.)
no_stderr() {
    if [ -s "$TMP/err" ]; then
        echo "FAIL: $1: wrote on stderr"; sed 's/^/  | /' "$TMP/err" | head -3
        fails=$((fails + 1))
    else
        passes=$((passes + 1))
    fi
}

finish() {
    echo "$passes passed, $fails failed"
    [ "$fails" -eq 0 ]
}

# mpi_env: the environment every mpirun in these tests needs: root allowed in containers,
# more ranks than cores, and no leak check of Open MPI's own allocations under AddressSanitizer.
mpi_env() {
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
}
