"""mneedle: models and plans microneedling, from Python.

Each call (screen, plan, simulate, absorb, cohort, sensitivity) takes the same object as the
command's JSON file (a dict) and returns the command's --json output as a dict; simulate and
absorb add ``trajectory``, the samples as NumPy arrays; plan takes ``start`` ("earliest" or a
date) as the command's --start. evidence and validate are the commands of those names;
Context.observe and Context.likelihood run the observation model and the log likelihood of the
studies. Bad input raises InputError with the JSON path and the message.
See docs/python.md.
"""
import os

# Threads wait passively, as the command's do (docs/cluster.md): libgomp reads OMP_WAIT_POLICY
# once, when it is loaded, which is when the library below is, so the default is set first
# (before NumPy too, in case its BLAS brings libgomp). A value the user set is kept; a libgomp
# that another module loaded before this one keeps the setting it read then.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")
os.environ.setdefault("OMPI_MCA_mpi_yield_when_idle", "1")

import datetime  # noqa: E402
import inspect  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import numbers  # noqa: E402
import re  # noqa: E402
import threading  # noqa: E402

import numpy as np  # noqa: E402

from ._mneedle import ffi, lib  # noqa: E402

__all__ = ["Context", "Likelihood", "InputError", "MneedleError", "screen", "plan", "simulate", "absorb",
           "cohort", "sensitivity", "evidence", "validate", "catalog", "version",
           "BAND_DEFAULT_SEED"]

#: The default seed of simulate's uncertainty band (MN_BAND_DEFAULT_SEED, healing.h).
BAND_DEFAULT_SEED = 20131001
_INTEGRATORS = ("exact", "cvode")
_CATALOGUES = ("devices", "sites", "concerns", "products", "rules")
_SEED_MAX = 2 ** 53 - 1  # the command's --seed range
_NUMBER_TYPES = {int, float}  # what json.loads gives for a number


class MneedleError(RuntimeError):
    """A failure that is not the input's fault (out of memory, a solver that failed)."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.message = message
        self.status = status


class InputError(MneedleError, ValueError):
    """The input was wrong. ``path`` is the JSON path of the place (``$.patient.age``) or None
    when the message names no place, ``message`` what was expected, ``source`` the input's
    name in the message ("scenario"), ``status`` the library's status name; ``line`` and
    ``column`` the place in a file that is not JSON (a study or catalogue file), else None."""

    def __init__(self, message, path=None, source=None, status=None, line=None, column=None):
        super().__init__(message, status)
        self.path = path
        self.source = source
        self.line = line
        self.column = column

    def __str__(self):
        src = self.source
        if src and self.line is not None:
            src = f"{src}:{self.line}:{self.column}"
        where = ": ".join(p for p in (src, self.path) if p)
        return f"{where}: {self.message}" if where else self.message


# "SRC: $.path: message" or "SRC:LINE:COL: message" (core/json_in.h).
_MSG_RE = re.compile(r"^(?P<src>[^:]*?)(?::(?P<line>\d+):(?P<col>\d+))?: "
                     r"(?:(?P<path>\$[^ :]*): )?(?P<msg>.*)$", re.S)


def _type_name(v):
    if isinstance(v, np.ndarray):
        return "a NumPy array"
    if v is None:
        return "None"
    name = type(v).__name__
    return ("an " if name[0] in "aeiouAEIOU" else "a ") + name


# How deep a value may nest (objects and lists within each other). [JUDGEMENT] No input of the
# contracts nests deeper than about 6 levels (a sensitivity SPEC's embedded scenario's
# sessions); 64 leaves room for any of them while keeping this walk and json.dumps, which
# recurse once or twice a level, far inside Python's default recursion limit (1000), so a
# deeper value (or one that contains itself) is an InputError naming the place rather than a
# RecursionError. The library's parser has its own, larger limit (jansson's 2048 levels).
_MAX_DEPTH = 64


def _too_deep(path):
    return InputError(f"nested deeper than {_MAX_DEPTH} levels of objects and lists (no input "
                      f"nests so deep; does a value contain itself?)", path)


def _plain(value, path, depth=0):
    """Checks a Python value is JSON (dict with str keys, list, str, finite number, bool,
    None) and returns it with NumPy scalars turned into Python numbers; raises InputError
    naming the path otherwise. A NumPy array or a tuple is refused where a list is expected.
    ``depth``: the levels of objects and lists around the value (at most _MAX_DEPTH)."""
    t = type(value)
    # The exact built-in types first: they are nearly all of any input, and checking them by
    # identity keeps this walk a small part of a call (bench/bench_python.py).
    if t is str or t is int or t is bool or value is None:
        return value
    if t is float:
        if not math.isfinite(value):
            raise InputError(f"expected a finite number, got {value}", path)
        return value
    if t is dict:
        if depth >= _MAX_DEPTH:
            raise _too_deep(path)
        out = {}
        for k, v in value.items():
            if type(k) is not str:
                raise InputError(f"keys must be strings, got {k!r}", path)
            out[k] = _plain(v, f"{path}.{k}", depth + 1)
        return out
    if t is list:
        if depth >= _MAX_DEPTH:
            raise _too_deep(path)
        return [_plain(v, f"{path}[{i}]", depth + 1) for i, v in enumerate(value)]
    return _plain_other(value, path, depth)


def _plain_other(value, path, depth):
    """_plain for what is not an exact built-in JSON type: NumPy scalars and subclasses of
    the built-in types are accepted as their plain values; anything else is an InputError."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, numbers.Integral) and not isinstance(value, np.ndarray):
        return int(value)
    if isinstance(value, numbers.Real) and not isinstance(value, np.ndarray):
        return _plain(float(value), path)
    if isinstance(value, dict):
        return _plain(dict(value), path, depth)
    if isinstance(value, list):
        return _plain(list(value), path, depth)
    hint = " (use .tolist())" if isinstance(value, np.ndarray) else ""
    raise InputError(f"expected a JSON value (object, list, string, number, true/false or "
                     f"null), got {_type_name(value)}{hint}", path)


def _unreadable(value, path):
    """(path, message) of the first place in a _plain'd value that Python's json writes but the
    library's parser refuses (an integer outside 64 bits, a NUL character or a lone surrogate
    in a string or key), or None. Looked for only when the parser refused the text, so that
    its message, a line and column of text the caller never saw, names the place instead."""
    t = type(value)
    if t is int and not -2 ** 63 <= value < 2 ** 63:
        return path, f"expected a number within the 64-bit range (±9.2e18), got {value}"
    if t is str:
        if "\x00" in value:
            return path, "a string may not contain the NUL character (U+0000)"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path, "a string may not contain a lone surrogate (not a Unicode character)"
    if t is dict:
        for k, v in value.items():
            found = _unreadable(k, path) or _unreadable(v, f"{path}.{k}")
            if found:
                if found[0] == path:  # the key itself
                    return path, f"key {k!r}: {found[1]}"
                return found
    if t is list:
        for i, v in enumerate(value):
            found = _unreadable(v, f"{path}[{i}]")
            if found:
                return found
    return None


def _check_int(name, value, lo, hi):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InputError(f"{name}: expected a whole number from {lo} to {hi}, got "
                         f"{_type_name(value)}")
    if not lo <= int(value) <= hi:
        raise InputError(f"{name}: expected a whole number from {lo} to {hi}, got {value}")
    return int(value)


_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _check_start(start):
    """plan's ``start`` as the command's --start takes it ("earliest" or YYYY-MM-DD), or None;
    InputError naming the argument for anything else (mn_date_parse's dates: real calendar
    dates in the years 1900 to 2999)."""
    if start is None or start == "earliest":
        return start
    want = "expected a date (datetime.date or \"YYYY-MM-DD\", years 1900 to 2999) or \"earliest\""
    if isinstance(start, datetime.datetime):  # a date too, but its time and zone would be lost
        raise InputError(f"start: {want}, got a datetime (use .date())")
    if isinstance(start, datetime.date):
        day = start
    elif isinstance(start, str) and _DATE_RE.fullmatch(start):
        try:
            day = datetime.date(int(start[:4]), int(start[5:7]), int(start[8:]))
        except ValueError:
            raise InputError(f"start: {want}, got {start!r}: not a calendar date") from None
    else:
        raise InputError(f"start: {want}, got "
                         f"{repr(start) if isinstance(start, str) else _type_name(start)}")
    if not 1900 <= day.year <= 2999:
        raise InputError(f"start: {want}, got {day.isoformat()}")
    return day.isoformat()


def _path_arg(name, value, what="a directory name"):
    """A file or folder argument as bytes for the library, or None for None; InputError naming
    the argument for anything that is not a name of one (an empty name is no file or folder:
    given to the library it would be refused with a message naming no one, or taken for none)."""
    if value is None:
        return None
    if not isinstance(value, (str, os.PathLike)):
        raise InputError(f"{name}: expected {what}, got {_type_name(value)}")
    raw = os.fsencode(value)
    if not raw:
        raise InputError(f"{name}: expected {what}, got an empty string")
    if b"\0" in raw:
        raise InputError(f"{name}: a name may not contain the NUL character (U+0000)")
    return raw


def _numbers(vals):
    return np.array(vals, dtype=float) if set(map(type, vals)) <= _NUMBER_TYPES else None


def _columns_same_keys(samples):
    """_columns when every sample has the same keys in the same order, and so do its nested
    objects (as the command writes them): a column at a time, about twice as fast as the
    general walk (bench/bench_python.py). None when the samples are not so."""
    first = samples[0]
    keys = first.keys()
    if not all(s.keys() == keys for s in samples):
        return None
    cols = {}
    for k, v in first.items():
        if type(v) is dict:
            inner = [s[k] for s in samples]
            if not all(type(x) is dict and x.keys() == v.keys() for x in inner):
                return None
            for k2 in v:
                col = _numbers([x[k2] for x in inner])
                if col is not None:
                    cols[f"{k}_{k2}"] = col
        else:
            col = _numbers([s[k] for s in samples])
            if col is not None:
                cols[k] = col
    return cols


def _columns(samples):
    """The list of sample objects as a dict of NumPy arrays, one per field; nested objects
    flatten to "outer_inner" (untreated.improvement_pct -> untreated_improvement_pct). A field
    missing from a sample is NaN there; fields that are not numbers are left out."""
    if not samples:
        return {}
    cols = _columns_same_keys(samples)
    if cols is not None:
        return cols
    names = {}  # flat name -> (key, inner key or None), in order of first appearance
    for s in samples:
        for k, v in s.items():
            if type(v) is dict:
                for k2 in v:
                    names.setdefault(f"{k}_{k2}", (k, k2))
            else:
                names.setdefault(k, (k, None))
    nan = math.nan
    cols = {}
    for name, (k, k2) in names.items():
        if k2 is None:
            vals = [s.get(k, nan) for s in samples]
        else:
            vals = [s[k].get(k2, nan) if type(s.get(k)) is dict else nan for s in samples]
        col = _numbers(vals)
        if col is not None:
            cols[name] = col
    return cols


class Context:
    """The catalogues (devices, sites, concerns, products, rules, aftercare): the built-in copy,
    or the files of ``data_dir`` where it has them (as the command's --data DIR).

    A Context serialises its own calls with a lock (the library keeps one error state per
    context); use one Context per thread to run in parallel. The GIL is released while the
    library runs.
    """

    def __init__(self, data_dir=None):
        self._ptr = ffi.NULL
        self._lock = threading.Lock()
        self.data_dir = data_dir
        out = ffi.new("mn_ctx **")
        if data_dir is None:
            st = lib.mn_ctx_create(out)
            if st:
                raise MneedleError("cannot load the built-in catalogues: " + _s(lib.mn_strerror(st)))
        else:
            raw = _path_arg("data_dir", data_dir)
            err = ffi.new("char[]", 1024)
            st = lib.mn_ctx_create_with_data(out, raw, err, 1024)
            if st:
                self._raise(st, _s(err) or _s(lib.mn_strerror(st)))
        self._ptr = out[0]

    def close(self):
        """Frees the catalogues; the Context cannot be used afterwards."""
        with self._lock:
            if self._ptr != ffi.NULL:
                lib.mn_ctx_free(self._ptr)
                self._ptr = ffi.NULL

    def __del__(self):
        if getattr(self, "_ptr", ffi.NULL) != ffi.NULL:
            lib.mn_ctx_free(self._ptr)
            self._ptr = ffi.NULL

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @staticmethod
    def _raise(st, msg):
        status = _s(lib.mn_status_name(st))
        if lib.mn_status_is_input_error(st):
            m = _MSG_RE.match(msg)
            if m:
                line, col = m.group("line"), m.group("col")
                raise InputError(m.group("msg"), m.group("path"), m.group("src") or None, status,
                                 line and int(line), col and int(col))
            raise InputError(msg, None, None, status)
        raise MneedleError(msg, status)

    def _call(self, fn, src, doc, *args, unnamed=None):
        """Runs fn on doc's JSON; ``unnamed`` is the message for a failure the library leaves
        without one (its status name otherwise)."""
        if isinstance(doc, (str, bytes)):
            raise InputError(f"expected a dict (the object of a {src} file), got "
                             f"{_type_name(doc)}; to read a file, pass json.load(f)", "$", src)
        if not isinstance(doc, dict):
            raise InputError(f"expected a dict (the object of a {src} file), got "
                             f"{_type_name(doc)}", "$", src)
        try:
            plain = _plain(doc, "$")
            text = json.dumps(plain, allow_nan=False).encode()
        except InputError as e:
            e.source = src
            raise
        buf = ffi.new("mnpy_buf *")
        with self._lock:
            if self._ptr == ffi.NULL:
                raise MneedleError("this Context was closed")
            lib.mn_ctx_clear_error(self._ptr)
            try:
                st = fn(self._ptr, src.encode(), text, len(text), *args, buf)
                if st:
                    try:
                        self._raise(st, _s(lib.mn_ctx_errmsg(self._ptr)) or
                                    f"{src}: {unnamed or _s(lib.mn_strerror(st))}")
                    except InputError as e:
                        _name_unreadable(e, plain, src)
                        raise
                out = ffi.string(buf.data, buf.len).decode() if buf.data != ffi.NULL else ""
            finally:
                lib.mnpy_buf_free(buf)
        return json.loads(out)

    def screen(self, client):
        """Screening of a client (the object of a CLIENT file): ``mneedle screen --json``."""
        return self._call(lib.mnpy_screen, "client", client)

    def plan(self, client, years=2, start=None):
        """A treatment plan for a client: ``mneedle plan --json --years YEARS [--start START]``
        (``years`` of projection, 1 to 20). ``start`` plans from another start than the
        client's ``clinic.start`` (the dict is not changed): a date (``datetime.date`` or
        "YYYY-MM-DD"), or "earliest", the day the plan is prepared (today, UTC, or
        SOURCE_DATE_EPOCH's day) plus the longest lead of this client's steps before the first
        visit, so every step can still be kept (docs/clinic.md)."""
        years = _check_int("years", years, 1, 20)
        start = _check_start(start)
        return self._call(lib.mnpy_plan, "client", client, years,
                          ffi.NULL if start is None else start.encode())

    def simulate(self, scenario, band=64, seed=BAND_DEFAULT_SEED, integrator="exact"):
        """Healing and collagen over years for one scenario (the object of a scenario file):
        ``mneedle simulate --json [--band N] [--seed S] [--integrator NAME]``, with
        ``trajectory`` added (the samples as NumPy arrays: day, improvement_pct, ...; nested
        objects flattened, untreated.improvement_pct -> untreated_improvement_pct).
        ``band``: virtual people drawn for the band, which is the 10th to 90th percentiles of
        improvement over them (as ``--band N``); ``band=1`` is one virtual person, whose own
        values are the low and high ends, no percentiles; ``band=0`` is no band at all, the
        typical person's values alone (``summary.range_people`` 0; not the planner's quick
        band). ``summary.range_note`` says which. ``seed``: their seed; ``integrator``:
        "exact" or "cvode"."""
        band = _check_int("band", band, 0, 10000)
        seed = _check_int("seed", seed, 0, _SEED_MAX)
        if integrator not in _INTEGRATORS:
            raise InputError(f"integrator: expected one of {', '.join(_INTEGRATORS)}, "
                             f"got {integrator!r}")
        out = self._call(lib.mnpy_simulate, "scenario", scenario, band, seed, integrator.encode())
        out["trajectory"] = _columns(out.get("samples", []))
        return out

    def absorb(self, scenario, field=False):
        """Serum delivery through the channels (the object of a scenario file): ``mneedle
        absorb --json [--field]``, with ``trajectory`` added (the samples over hours as NumPy
        arrays: hour, delivered_ug_cm2, ...; with ``"setup": "franz"`` the receptor's too,
        receptor_amount_ug_cm2, ...). ``field=True``: the 3D patch solver."""
        if not isinstance(field, (bool, np.bool_)):  # NumPy's bool too, as in a document
            raise InputError(f"field: expected True or False, got {_type_name(field)}")
        # Ctrl-C (or any signal handler that raises) stops the run between time steps.
        out = self._stoppable(lib.mnpy_absorb, "scenario", scenario, int(field))
        out["trajectory"] = _columns(out.get("samples", []))
        return out

    def _stoppable(self, fn, src, doc, *args):
        """_call for a run the library can stop (fn takes a stop and its userdata before the
        output buffer): a signal handler that raises (Ctrl-C's KeyboardInterrupt) stops the
        run, and that exception is raised here. Only the main thread runs signal handlers, so
        elsewhere the run is not asked."""
        if threading.current_thread() is threading.main_thread():
            stop, last = _STOP_CHECK, ffi.new("double *")
        else:
            stop, last = ffi.NULL, ffi.NULL
        _stopped.exc = None
        try:
            out = self._call(fn, src, doc, *args, stop, last)
        except MneedleError as e:
            if e.status == "MN_ESTOPPED" and _stopped.exc is not None:
                raise _stopped.exc from None
            raise
        finally:
            exc, _stopped.exc = _stopped.exc, None
        if exc is not None:  # raised by a handler, but the run had already ended
            raise exc
        return out

    def cohort(self, trial, threads=0, n=None, seed=None, trials=None, control=None,
               dropout=None):
        """A virtual trial (the object of a trial file): ``mneedle cohort --json [--threads N]
        [--n N] [--seed S] [--trials M] [--control C] [--dropout P]``. ``n`` and ``seed``
        replace the trial's own when given; ``control`` (``"none"`` or ``"untreated"``) and
        ``dropout`` (the chance of leaving before each visit after the first: your input, not
        a sourced figure) set the trial's ``control`` and ``dropout_per_visit`` when given, and
        the library checks them as it checks the file's (docs/models/cohort.md); ``threads`` 0
        uses OpenMP's default; results are identical for any thread count.
        ``trials`` is the number of virtual trials of n patients, one draw of the constants
        each, behind the 90 % model intervals of a typical trial of n on the model's scale
        (``trial_intervals``; no rater noise or between-study spread, and with ``dropout`` over
        each trial's completers, so narrower than published trials' results,
        docs/models/cohort.md):
        None runs the command's default (as without ``--trials``), 0 none, otherwise at least
        20 (``MN_COHORT_MIN_TRIALS``: fewer leave the 5th and 95th percentiles the smallest and
        largest trial). ``n`` is 1 to 10^9 (``MN_COHORT_MAX_N``).
        Ctrl-C stops the run between patients and raises KeyboardInterrupt."""
        threads = _check_int("threads", threads, 0, 4096)
        n = 0 if n is None else _check_int("n", n, 1, lib.MN_COHORT_MAX_N)
        seed_given = seed is not None
        seed = _check_int("seed", seed, 0, _SEED_MAX) if seed_given else 0
        if trials is None:
            trials = -1
        else:
            trials = _check_int("trials", trials, 0, lib.MN_COHORT_MAX_TRIALS)
            if 0 < trials < lib.MN_COHORT_MIN_TRIALS:
                raise InputError(f"trials: 0 (no intervals) or {lib.MN_COHORT_MIN_TRIALS} to "
                                 f"{lib.MN_COHORT_MAX_TRIALS}, got {trials}: the intervals run "
                                 f"from the 5th to the 95th percentile of the virtual trials, "
                                 f"and with fewer than {lib.MN_COHORT_MIN_TRIALS} those are "
                                 f"just the smallest and the largest")
        if (control is not None or dropout is not None) and isinstance(trial, dict):
            trial = dict(trial)  # the caller's object is left as it was
            if control is not None:
                trial["control"] = control
            if dropout is not None:
                trial["dropout_per_visit"] = dropout
        return self._stoppable(lib.mnpy_cohort, "trial", trial, threads, n, int(seed_given),
                               seed, trials)

    def sensitivity(self, spec, threads=0, spec_dir=None):
        """Global sensitivity of the models' outputs to their inputs: ``mneedle sensitivity
        --json [--threads N]`` for a SPEC (the object of a SPEC file). Sobol' first-order and
        total indices with bootstrap intervals, and Morris effects when the SPEC asks; the same
        numbers for any ``threads`` (0: OpenMP's default). See docs/sensitivity.md.
        File names in the SPEC (scenario, absorb, posterior) are relative to ``spec_dir``, as
        the command's are to the SPEC file's folder: pass the folder of a SPEC file read with
        json.load (``os.path.dirname(path)``); None: the current folder. Ctrl-C stops the
        run between model evaluations and raises KeyboardInterrupt."""
        threads = _check_int("threads", threads, 0, 4096)
        spec_dir = _path_arg("spec_dir", spec_dir)
        if spec_dir is not None and not os.path.isdir(spec_dir):
            raise InputError(f"spec_dir: {os.fsdecode(spec_dir)!r} is not a directory")
        return self._stoppable(lib.mnpy_sensitivity, "spec", spec, threads,
                               ffi.NULL if spec_dir is None else spec_dir)

    def observe(self, study, endpoint, timepoint=0, trials=400, seed=1, params=None):
        """What the model predicts a study (the object of a study file, docs/evidence.md)
        would have published for one endpoint (by id) at one time point, for virtual trials
        of the same design and size (docs/models/observation.md): a dict with ``applies``
        (and ``why_not``), ``median``, ``lo`` and ``hi`` (the 90 % interval) and
        ``observed``. ``params``: the healing model's constants to change, a dict of name ->
        value (docs/models/healing.md §4); the library's defaults for the rest."""
        if not isinstance(endpoint, str):
            raise InputError(f"endpoint: expected an endpoint id, got {_type_name(endpoint)}")
        timepoint = _check_int("timepoint", timepoint, 0, 31)
        trials = _check_int("trials", trials, 10, 100000)
        seed = _check_int("seed", seed, 0, _SEED_MAX)
        names, values, keep = _params(params)
        # The library finds no endpoint of that id without a message: the study parsed, so
        # its endpoints are objects with ids, and the message lists them.
        eps = study.get("endpoints") if isinstance(study, dict) else None
        ids = [e.get("id") for e in eps if isinstance(e, dict)] if isinstance(eps, list) else []
        unnamed = (f"endpoint: expected the id of one of the study's endpoints "
                   f"({', '.join(map(str, ids))}), got {endpoint!r}")
        return self._call(lib.mnpy_observe, "study", study, endpoint.encode(), timepoint,
                          trials, seed, len(keep), names, values, unnamed=unnamed)

    def likelihood(self, names, studies=(), bundled=True, evidence_dir=None, patients=0,
                   seed=0, all_roles=False):
        """The log likelihood of the evidence as a function of the healing model's constants
        ``names`` (mn_evidence_loglik, docs/models/observation.md): a Likelihood, called with
        one value per name. The studies are the bundled ones (``bundled``; with
        ``evidence_dir``'s added, as --evidence DIR, which needs ``bundled``) and ``studies``
        (objects of study files), of role calibration unless ``all_roles``. ``patients``
        (virtual patients per endpoint) and ``seed`` 0 keep the library's defaults."""
        return Likelihood(self, names, studies, bundled, evidence_dir, patients, seed,
                          all_roles)

    def _dir_call(self, fn, what, evidence, *paths):
        arg = _path_arg("evidence", evidence)
        arg = ffi.NULL if arg is None else arg
        extra = [_path_arg(name, path, "a file name") for name, path in paths]
        extra = [ffi.NULL if raw is None else raw for raw in extra]
        buf = ffi.new("mnpy_buf *")
        with self._lock:
            if self._ptr == ffi.NULL:
                raise MneedleError("this Context was closed")
            lib.mn_ctx_clear_error(self._ptr)
            try:
                st = fn(self._ptr, arg, *extra, buf)
                if st:
                    self._raise(st, _s(lib.mn_ctx_errmsg(self._ptr)) or
                                f"{what}: {_s(lib.mn_strerror(st))}")
                out = ffi.string(buf.data, buf.len).decode()
            finally:
                lib.mnpy_buf_free(buf)
        return json.loads(out)

    def evidence(self, evidence=None):
        """The evidence base: ``mneedle evidence --json [--evidence DIR]``. ``evidence`` is a
        directory of your own study files (docs/evidence.md) added to the bundled ones; a
        malformed file raises InputError naming the file and the JSON path."""
        return self._dir_call(lib.mnpy_evidence, "evidence", evidence)

    def validate(self, evidence=None, posterior=None):
        """The model against the studies it was not fitted to: ``mneedle validate --json
        [--evidence DIR] [--posterior FILE]`` (docs/validation.md): ``endpoints`` with
        predicted median and 90 % interval beside the observed value, ``not_checked`` with
        reasons, and ``coverage``. ``evidence`` adds a directory of your own study files, as for
        evidence(); ``posterior`` takes each virtual trial's parameters from a posterior file of
        your own (a fit written by scripts/calibrate/fit.sh --output) instead of the bundled
        one; a malformed file raises InputError naming the file and the JSON path."""
        return self._dir_call(lib.mnpy_validate, "validate", evidence, ("posterior", posterior))

    def catalog(self, what):
        """A catalogue listing with its sources: ``mneedle catalog WHAT --json``."""
        if what not in _CATALOGUES:
            raise InputError(f"catalog: expected one of {', '.join(_CATALOGUES)}, got {what!r}")
        buf = ffi.new("mnpy_buf *")
        with self._lock:
            if self._ptr == ffi.NULL:
                raise MneedleError("this Context was closed")
            lib.mn_ctx_clear_error(self._ptr)
            try:
                st = lib.mnpy_catalog(self._ptr, what.encode(), buf)
                if st:
                    self._raise(st, _s(lib.mn_ctx_errmsg(self._ptr)))
                out = ffi.string(buf.data, buf.len).decode()
            finally:
                lib.mnpy_buf_free(buf)
        return json.loads(out)


# What stopped a run (absorb, cohort, sensitivity): the exception a signal handler raised in
# mnpy_py_stop.
_stopped = threading.local()


def _stop_raised(exc_type, exc_value, tb):
    _stopped.exc = exc_value
    return 1  # stop the run


@ffi.def_extern(onerror=_stop_raised)
def mnpy_py_stop(userdata):
    """Asked by an absorb, cohort or sensitivity run (at most every 20 ms, _build.py): the
    interpreter runs any pending signal handler as this function starts, so Ctrl-C's
    KeyboardInterrupt arrives here, is kept by _stop_raised and stops the run, and the call
    raises it (Context._stoppable)."""
    return 0


_STOP_CHECK = ffi.addressof(lib, "mnpy_stop_check")


def _name_unreadable(e, plain, src):
    """Rewrites InputError e, the parser's refusal of the text made from ``plain`` (line and
    column in that text), to name the place in ``plain`` instead, where one is found."""
    if e.line is None or e.source != src:
        return
    found = _unreadable(plain, "$")
    if found:
        e.path, e.message = found
        e.line = e.column = None
        e.args = (e.message,)


def _float(v, where):
    """float(v), or InputError naming ``where`` for an integer too large for a double."""
    try:
        return float(v)
    except OverflowError:
        raise InputError(f"{where}: expected a number within a double's range (±1.8e308), got "
                         f"an integer beyond it") from None


def _params(params):
    """(names, values, keep-alive) for a dict of constant name -> value."""
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise InputError(f"params: expected a dict of constant name -> value, got "
                         f"{_type_name(params)}")
    keep = [ffi.new("char[]", str(k).encode()) for k in params]
    names = ffi.new("const char *[]", keep) if keep else ffi.NULL
    for k, v in params.items():
        if not isinstance(k, str) or isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise InputError(f"params: {k!r}: expected a constant's name and a number")
    values = (ffi.new("double[]", [_float(v, f"params: {k!r}") for k, v in params.items()])
              if keep else ffi.NULL)
    return names, values, keep


class Likelihood:
    """The log likelihood of a set of studies given the healing model's constants (made by
    Context.likelihood). ``L(values)`` returns it for one value per name; ``L.terms(values)``
    lists each endpoint and time point (study, endpoint, timepoint, applies, why_not, n, day,
    counted, loglik, predicted, spread, observed). Values outside a constant's range raise InputError. Uses its Context's lock."""

    def __init__(self, ctx, names, studies, bundled, evidence_dir, patients, seed, all_roles):
        self._ptr = ffi.NULL  # first, so that __del__ has it whatever is refused below
        self._ctx = ctx
        if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
            raise InputError(f"names: expected a list of constant names, got "
                             f"{_type_name(names)}")
        self.names = list(names)
        patients = _check_int("patients", patients, 0, 2000)
        seed = _check_int("seed", seed, 0, _SEED_MAX)
        if not isinstance(studies, (list, tuple)):
            raise InputError(f"studies: expected a list of dicts (objects of study files), got "
                             f"{_type_name(studies)}")
        evidence_dir = _path_arg("evidence_dir", evidence_dir)
        if evidence_dir is not None and not bundled:
            raise InputError("evidence_dir: goes with bundled=True (its studies are added to the "
                             "bundled ones, as --evidence DIR); without them, pass the studies "
                             "as dicts in studies")
        texts, srcs, plains = [], [], []
        for i, st in enumerate(studies):
            if not isinstance(st, dict):
                raise InputError(f"studies[{i}]: expected a dict (the object of a study file), "
                                 f"got {_type_name(st)}")
            try:
                plains.append(_plain(st, "$"))
                texts.append(json.dumps(plains[-1], allow_nan=False).encode())
            except InputError as e:
                e.source = f"studies[{i}]"
                raise
            srcs.append(f"{st.get('id', 'study')}.json".encode())
        c_texts = [ffi.new("char[]", t) for t in texts]
        c_srcs = [ffi.new("char[]", s) for s in srcs]
        c_names = [ffi.new("char[]", n.encode()) for n in self.names]
        out = ffi.new("mnpy_lik **")
        dir_c = ffi.new("char[]", evidence_dir) if evidence_dir is not None else ffi.NULL
        with ctx._lock:
            if ctx._ptr == ffi.NULL:
                raise MneedleError("this Context was closed")
            lib.mn_ctx_clear_error(ctx._ptr)
            st = lib.mnpy_lik_create(
                ctx._ptr, int(bool(bundled)), dir_c, len(texts),
                ffi.new("const char *[]", c_srcs) if texts else ffi.NULL,
                ffi.new("const char *[]", c_texts) if texts else ffi.NULL,
                ffi.new("size_t[]", [len(t) for t in texts]) if texts else ffi.NULL,
                len(self.names), ffi.new("const char *[]", c_names) if c_names else ffi.NULL,
                patients, seed, int(bool(all_roles)), out)
            if st:
                try:
                    ctx._raise(st, _s(lib.mn_ctx_errmsg(ctx._ptr)) or _s(lib.mn_strerror(st)))
                except InputError as e:
                    for plain, src in zip(plains, srcs):
                        _name_unreadable(e, plain, src.decode())
                    raise
        self._ptr = out[0]
        self._values = ffi.new("double[]", max(1, len(self.names)))
        self._ll = ffi.new("double *")

    def _set(self, values):
        want = f"expected {len(self.names)} numbers, one per name ({', '.join(self.names)})"
        if isinstance(values, (str, bytes, dict)) or not hasattr(values, "__len__"):
            raise InputError(f"values: {want}, got {_type_name(values)}")
        if len(values) != len(self.names):
            raise InputError(f"values: {want}, got {len(values)}")
        for i, v in enumerate(values):
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
                raise InputError(f"values[{i}] ({self.names[i]}): expected a number, got "
                                 f"{_type_name(v)}")
            self._values[i] = _float(v, f"values[{i}] ({self.names[i]})")

    def _check_open(self):
        if self._ctx._ptr == ffi.NULL:
            raise MneedleError("the Context of this Likelihood was closed")

    def __call__(self, values):
        ctx = self._ctx
        with ctx._lock:
            self._check_open()
            self._set(values)
            st = lib.mnpy_lik_eval(ctx._ptr, self._ptr, self._values, self._ll)
            if st:
                ctx._raise(st, _s(lib.mn_ctx_errmsg(ctx._ptr)) or _s(lib.mn_strerror(st)))
            return self._ll[0]

    def terms(self, values):
        ctx = self._ctx
        buf = ffi.new("mnpy_buf *")
        with ctx._lock:
            self._check_open()
            self._set(values)
            try:
                st = lib.mnpy_lik_terms(ctx._ptr, self._ptr, self._values, buf)
                if st:
                    ctx._raise(st, _s(lib.mn_ctx_errmsg(ctx._ptr)) or _s(lib.mn_strerror(st)))
                out = ffi.string(buf.data, buf.len).decode()
            finally:
                lib.mnpy_buf_free(buf)
        return json.loads(out)

    def close(self):
        if self._ptr != ffi.NULL:
            lib.mnpy_lik_free(self._ptr)
            self._ptr = ffi.NULL

    def __del__(self):
        self.close()


def _s(cstr):
    return ffi.string(cstr).decode(errors="replace") if cstr != ffi.NULL else ""


_default = threading.local()


def _ctx():
    if not hasattr(_default, "ctx"):
        _default.ctx = Context()
    return _default.ctx


def version():
    """The library's version ("0.1.0")."""
    return _s(lib.mn_version())


def screen(client):
    """Context().screen with the built-in catalogues (one Context per thread)."""
    return _ctx().screen(client)


def plan(client, years=2, start=None):
    """Context().plan with the built-in catalogues."""
    return _ctx().plan(client, years, start)


def simulate(scenario, band=64, seed=BAND_DEFAULT_SEED, integrator="exact"):
    """Context().simulate with the built-in catalogues."""
    return _ctx().simulate(scenario, band, seed, integrator)


def absorb(scenario, field=False):
    """Context().absorb with the built-in catalogues."""
    return _ctx().absorb(scenario, field)


def cohort(trial, threads=0, n=None, seed=None, trials=None, control=None, dropout=None):
    """Context().cohort with the built-in catalogues."""
    return _ctx().cohort(trial, threads, n, seed, trials, control, dropout)


def sensitivity(spec, threads=0, spec_dir=None):
    """Context().sensitivity with the built-in catalogues."""
    return _ctx().sensitivity(spec, threads, spec_dir)


def evidence(evidence=None):
    """Context().evidence with the built-in catalogues (one Context per thread)."""
    return _ctx().evidence(evidence)


def validate(evidence=None, posterior=None):
    """Context().validate with the built-in catalogues (one Context per thread)."""
    return _ctx().validate(evidence, posterior)


def catalog(what):
    """Context().catalog with the built-in catalogues."""
    return _ctx().catalog(what)


# help() on a module-level call teaches what the Context method's does (python -OO strips
# docstrings: then there is none to copy).
for _f in (screen, plan, simulate, absorb, cohort, sensitivity, evidence, validate, catalog):
    if getattr(Context, _f.__name__).__doc__:
        _f.__doc__ = (inspect.cleandoc(getattr(Context, _f.__name__).__doc__) +
                      "\n\nWith the built-in catalogues (one Context per thread).")
del _f
