# End-to-end: a command whose answer goes to standard output prints it only once every file
# of the run (figures, report, side files) is in place. When the last step, renaming those
# files over their targets, fails, the command exits 1 with the reason and prints nothing: no
# answer on standard output beside an error. (When standard output fails instead, the files
# are put back: tests/cli/outputs_write_fail.sh, the plan to /dev/full.)
#
# The rename is made to fail by turning a figure's target into a folder after that figure was
# checked and written (held under its temporary name) and before the renames: the last
# figure, projection.svg, is a named pipe, which plan opens (and waits on) only after the
# first, zones.svg, is complete; the folder is made before the pipe is read.
. "$(dirname "$0")/lib.sh"
CLIENT="$MN_SOURCE_DIR/examples/clients/amelia-wrinkles.json"
D="$TMP/d"
mkdir "$D"
mkfifo "$D/projection.svg" || { echo "SKIP: no mkfifo"; exit 77; }

# Once zones.svg waits under its temporary name, makes zones.svg a folder that is not empty,
# then reads the pipe so plan goes on. At most 60 s.
timeout 60 sh -c 'until ls "$1" | grep -q "^zones\.svg\.tmp\."; do sleep 0.05; done &&
    mkdir "$1/zones.svg" && : >"$1/zones.svg/keep" && cat "$1/projection.svg" >/dev/null' \
    sh "$D" &
reader=$!
expect 1 "zones\.svg: cannot write: Is a directory \(no file of this run is kept\)" -- \
    "$MNEEDLE" plan "$CLIENT" --plot "$D"
wait "$reader" || { echo "FAIL: the pipe was not read"; fails=$((fails + 1)); }
if [ -s "$TMP/out" ]; then
    echo "FAIL: printed the plan although its figures failed:"; head -3 "$TMP/out" | sed 's/^/  | /'
    fails=$((fails + 1))
else
    passes=$((passes + 1))
fi
left=$(cd "$D" && ls -A | tr '\n' ' ')
if [ "$left" = "projection.svg zones.svg " ]; then passes=$((passes + 1)); else
    echo "FAIL: left '$left', expected only the pipe and the folder"; fails=$((fails + 1)); fi

# The same run with the targets free: the plan is printed and the figures written (the check
# above is not met by printing nothing).
rm -rf "$D" && mkdir "$D"
expect 0 "stdout:." -- "$MNEEDLE" plan "$CLIENT" --plot "$D"
if [ -s "$D/zones.svg" ] && [ -s "$D/projection.svg" ]; then passes=$((passes + 1)); else
    echo "FAIL: figures missing: $(ls "$D")"; fails=$((fails + 1)); fi
finish
