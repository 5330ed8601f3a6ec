# End-to-end: the command's threads wait passively unless the user says otherwise
# (cli/main.c). With OMP_WAIT_POLICY unset it sets it to passive and starts itself again, so
# libgomp, which reads the variable when it is loaded, runs with it: OMP_DISPLAY_ENV shows the
# runtime's own settings (spin count 0). It also sets OMPI_MCA_mpi_yield_when_idle=1 for Open
# MPI. A value the user has set is kept, whatever it is.
. "$(dirname "$0")/lib.sh"

# The runtime's view (libgomp prints its settings at load when OMP_DISPLAY_ENV is set; the last
# block is the process that runs the command).
env -u OMP_WAIT_POLICY OMP_DISPLAY_ENV=verbose "$MNEEDLE" --version >/dev/null 2>"$TMP/display"
if ! grep -q "OMP_WAIT_POLICY" "$TMP/display"; then
    echo "the runtime prints no OpenMP settings (not libgomp, or no OpenMP): skipped"; exit 77
fi
last() { grep "$1" "$TMP/display" | tail -1; }
expect 0 "stdout:OMP_WAIT_POLICY = 'PASSIVE'" -- last OMP_WAIT_POLICY
expect 0 "stdout:GOMP_SPINCOUNT = '0'" -- last GOMP_SPINCOUNT
OMP_WAIT_POLICY=active OMP_DISPLAY_ENV=verbose "$MNEEDLE" --version >/dev/null 2>"$TMP/display"
expect 0 "stdout:OMP_WAIT_POLICY = 'ACTIVE'" -- last OMP_WAIT_POLICY
expect 0 "" -- test "$(grep -c 'OMP_WAIT_POLICY' "$TMP/display")" -eq 1 # not started again

# The process's environment, read from /proc while it waits for its input on a pipe.
# environ_of EXPECTED... -- ENV-ASSIGNMENTS: starts 'mneedle simulate -' fed by a sleeping
# writer, and checks that its environment (after any restart: same pid) holds each EXPECTED.
environ_of() {
    want=""
    while [ "$1" != "--" ]; do want="$want $1"; shift; done
    shift
    (sleep 3; echo '{}') | env "$@" "$MNEEDLE" simulate - >/dev/null 2>&1 &
    pid=$!
    ok=0
    for _ in $(seq 50); do
        tr '\0' '\n' <"/proc/$pid/environ" >"$TMP/environ" 2>/dev/null
        good=1
        for w in $want; do grep -qx -- "$w" "$TMP/environ" || good=0; done
        [ $good = 1 ] && { ok=1; break; }
        sleep 0.1
    done
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    if [ $ok = 1 ]; then passes=$((passes + 1)); else
        echo "FAIL: environment of mneedle ($*) lacks:$want"
        grep -i "omp" "$TMP/environ" | sed 's/^/  | /'
        fails=$((fails + 1))
    fi
}
environ_of OMP_WAIT_POLICY=passive OMPI_MCA_mpi_yield_when_idle=1 -- -u OMP_WAIT_POLICY -u OMPI_MCA_mpi_yield_when_idle
environ_of OMP_WAIT_POLICY=ACTIVE OMPI_MCA_mpi_yield_when_idle=0 -- OMP_WAIT_POLICY=ACTIVE OMPI_MCA_mpi_yield_when_idle=0
environ_of OMP_WAIT_POLICY= -- OMP_WAIT_POLICY= # set but empty: the user's, kept

# Standard input and exit codes survive the restart.
expect 2 "<stdin>: .*expected" -- sh -c "echo '[]' | env -u OMP_WAIT_POLICY '$MNEEDLE' simulate -"

finish
