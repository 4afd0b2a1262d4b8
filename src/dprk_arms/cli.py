"""Command line: `dprk-arms params | validate | estimate | export | sweep | solve | render | compare`."""

import argparse
import contextlib
import dataclasses
import json
import os
import sys
import tempfile
import textwrap
from pathlib import Path

from . import __version__, interrupts, paths
from .data.runspec import parse_overrides
from .defaults import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE, GRID_SYNTAX, MAX_SUMMARY_DRAWS, THRESHOLD_SHARE
from .errors import DprkArmsError, ScenarioError, one_line

PROG = "dprk-arms"


def cmd_params(args):
    from .data import catalog
    from .data.distributions import human
    cat = catalog.load()
    rows = []
    for p in cat.parameters.values():
        rows.append({
            "name": p.name, "unit": p.unit, "default": p.default_spec(),
            "distribution": p.default if p.is_choice else p.default.describe(),
            "range": list(p.choices) if p.is_choice else [p.minimum, p.maximum],
            "assumption": p.assumption, "description": p.description, "claims": list(p.claims),
            "sources": sorted({cat.claims[c].source_id for c in p.claims}),
        })
    if args.json:
        print(json.dumps(rows, indent=2, default=str))
        return 0
    for p, r in zip(cat.parameters.values(), rows):
        flag = "  [assumption]" if p.assumption else ""
        allowed = " | ".join(str(c) for c in p.choices) if p.is_choice else f"{human(p.minimum)} to {human(p.maximum)}"
        print(f"{p.name} ({p.unit}){flag}\n    {p.description}\n    default: {r['distribution']}"
              f"   allowed: {allowed}\n    sources: {', '.join(r['sources']) or 'none'}")
    return 0


def _timeline(cat, args, scen=None):
    """The statements and as-of date: the scenario's, with --as-of on top."""
    statements = scen.statements if scen else ()
    if getattr(args, "as_of", None):
        return cat.timeline(args.as_of, statements, "--as-of")
    return cat.timeline(scen.as_of if scen else None, statements, str(scen.path) if scen else "--as-of")


def _run_spec(cat, scenario, args):
    """The run spec of a scenario (or of the defaults), with -p, --draws, --seed and --as-of on top."""
    from .data import runspec, scenarios
    overrides = parse_overrides(args.param)
    if scenario is not None:
        spec = scenarios.load_scenario(scenarios.scenario_path(scenario), cat, overrides)
    else:
        spec = runspec.build(cat, extra_overrides=overrides)
    return spec.with_settings(draws=args.draws, seed=args.seed, as_of=args.as_of or None, catalog=cat)


def cmd_estimate(args):
    from .data import catalog
    from .presentation import format as fmt
    from .presentation import judgements
    from .simulation import montecarlo
    cat = catalog.load()
    # estimate keeps only summaries, drawn in chunks: it takes more draws than a run that keeps them all
    from .data.runspec import check_draws
    draws = args.draws if args.draws is None else check_draws(args.draws, "--draws", high=MAX_SUMMARY_DRAWS)
    spec = _run_spec(cat, args.scenario, argparse.Namespace(**{**vars(args), "draws": None}))
    if draws is not None:
        spec = dataclasses.replace(spec, draws=draws)
    resolved, line = spec.resolved, spec.timeline
    sim = montecarlo.summarise(spec.resolved, cat, spec.draws, spec.seed, spec.timeline, spec.rank_correlations,
                               thresholds=[("share_of_economy_per_year", THRESHOLD_SHARE, True),
                                           judgements.SHORTFALL_THRESHOLD])
    table = sim.summary()
    notes = judgements.timeline_notes(sim, resolved, cat)
    if args.json:
        payload = {"scenario": spec.name if args.scenario else None, "run_spec": spec.canonical(),
                   "run_spec_digest": spec.digest(), "draws": spec.draws, "seed": spec.seed,
                   "overrides": dict(spec.overrides), "as_of": line.as_of.isoformat(),
                   "extrapolated": line.extrapolated, "volume_route": resolved["volume_route"],
                   "capacity_warning": judgements.shortfall_warning(sim), "notes": notes,
                   "outputs": {k: {c: (v if isinstance(v, str) else float(v)) for c, v in row.items()}
                               for k, row in table.to_dict(orient="index").items()}}
        print(json.dumps(payload, indent=2))
        return 0
    for line in _estimate_lines(table, fmt):
        print(line)
    print(f"\n{spec.draws:,} draws, seed {spec.seed}. P(revenue per year > {THRESHOLD_SHARE:.0%} of the economy) = "
          f"{sim.probability('share_of_economy_per_year', THRESHOLD_SHARE):.0%}")
    for note in notes:
        print(textwrap.fill(note, 100))
    return 0


LABEL_WIDTH = 56  # the longest output label fits; a longer one wraps onto continuation lines, never cut
MAX_TIMEOUT_S = 86_400  # a day: beyond it a timeout is a typo, and asyncio refuses very large ones anyway


def _estimate_lines(table, fmt):
    """The summary table as text lines: every label in full (wrapped past LABEL_WIDTH), each number column as
    wide as its widest cell."""
    heads = ("central", "P5", "P50", "P95")
    rows = [(row["label"], [fmt.value(row[c], row["unit"]) for c in ("central", "p5", "p50", "p95")])
            for _, row in table.iterrows()]
    label_width = min(LABEL_WIDTH, max(len("output"), *(len(label) for label, _ in rows)))
    widths = [max(len(h), *(len(cells[i]) for _, cells in rows)) for i, h in enumerate(heads)]
    lines = [f"{'output':<{label_width}}  " + "  ".join(f"{h:>{w}}" for h, w in zip(heads, widths))]
    for label, cells in rows:
        wrapped = textwrap.wrap(label, label_width) or [""]
        lines.append(f"{wrapped[0]:<{label_width}}  " + "  ".join(f"{c:>{w}}" for c, w in zip(cells, widths)))
        lines += [f"  {more}" for more in wrapped[1:]]
    return lines


def _at_least(value, low, option, unit="", high=None):
    if value is not None and (value < low or (high is not None and value > high)):
        expected = f"from {low:,} to {high:,}{unit}s" if high is not None else f"at least {low}{unit}"
        raise ScenarioError(option, option.lstrip("-").replace("-", "_"), f"expected {expected}, got {value:,}")
    return value


def cmd_export(args):
    from .data import catalog
    from .presentation import export
    if args.xlsx is None and args.csv is None:
        raise ScenarioError("export", None, "say where: --xlsx FILE and/or --csv FOLDER")
    if args.csv is not None:
        check_out_folder(args.csv, "--csv")
    if args.xlsx is not None:
        check_out_folder(Path(args.xlsx).parent, "--xlsx")
    export.targets(args.csv, args.xlsx)  # every target checked before anything runs
    cat = catalog.load()
    spec = _run_spec(cat, args.scenario, args)
    if args.xlsx is not None:
        export.check_rows(spec.draws)  # before the simulation, not after it
    written = export.write(export.sheets(spec, cat), args.csv, args.xlsx)
    _say(f"exported {spec.name}: {spec.draws:,} draws, seed {spec.seed}")
    for path in written:
        print(path)
    return 0


def cmd_validate(args):
    from .data import validate
    if args.all and args.scenarios:
        raise ScenarioError("validate", "--all", "checks every scenario; name scenarios or give --all, not both")
    report = validate.validate(args.scenarios, args.all)
    for problem in report.problems:
        _say(f"{PROG}: error: {problem}")
    what = f"data/ and {report.scenarios} scenario file{'s' * (report.scenarios != 1)}"
    if report.problems:
        _say(f"{PROG}: validate: {len(report.problems)} problem{'s' * (len(report.problems) != 1)} "
             f"({what} checked)")
        return EXIT_USAGE
    print(f"OK: {what} valid ({', '.join(Path(c).stem for c in report.checked[1:]) or 'no scenarios'})")
    return 0


def cmd_render(args):
    from .briefs import run
    return run.render(args.scenarios, args.all, parse_overrides(args.param), args.out,
                        _at_least(args.jobs, 1, "--jobs"), args.force,
                        _at_least(args.cell_timeout, 1, "--cell-timeout", " second", MAX_TIMEOUT_S), args.draws,
                        _at_least(args.kernel_start_timeout, 1, "--kernel-start-timeout", " second", MAX_TIMEOUT_S),
                        args.notebook)


def compare_name(name):
    """The comparison brief's file stem: a scenario-like name, and no scenario's own (its brief would be
    overwritten in the same folder)."""
    from .data.runspec import check_name
    check_name(name, "--name")
    if (paths.SCENARIOS_DIR / f"{name}.yaml").exists():
        raise ScenarioError("--name", "name", f"{name!r} is a scenario's name, and its brief {name}.pdf would be "
                            "overwritten; choose another name")
    return name


def cmd_compare(args):
    """One comparison brief across scenarios, under the file stem --name."""
    from .briefs import run
    return run.compare(args.scenarios, parse_overrides(args.param), args.out,
                       _at_least(args.cell_timeout, 1, "--cell-timeout", " second", MAX_TIMEOUT_S), args.draws,
                       _at_least(args.kernel_start_timeout, 1, "--kernel-start-timeout", " second", MAX_TIMEOUT_S),
                       name=compare_name(args.name))


def cmd_sweep(args):
    from .data import catalog
    from .presentation import sweeps
    from .simulation import sweep
    cat = catalog.load()
    axes = [sweep.parse_axis(a, cat.parameters) for a in args.axes]
    if args.as_of is not None and any(a.name == sweep.AS_OF for a in axes):
        raise ScenarioError("--as-of", "as_of", "is swept here; give it either as an axis or as --as-of, not both")
    overrides = parse_overrides(args.param)
    for axis in axes:
        if axis.name in overrides:  # the axis sets it at every point: the -p value would be ignored
            raise ScenarioError("-p", axis.name, "is swept here; give it either as an axis or as -p, not both")
    resolved = cat.resolve(overrides, "-p", varied=[a.name for a in axes])
    cat.check_route_inputs(resolved, set(overrides))
    cat.check_route_inputs(resolved, {a.name for a in axes}, "sweep")
    frame = sweep.grid(resolved, cat, axes, _timeline(cat, args))
    written = sweeps.write_sweep(frame, [a.name for a in axes], args.metric, args.output, args.out)
    _say("grid: " + "; ".join(a.describe() for a in axes))  # stderr: stdout stays the list of files written
    for path in written:
        print(path)
    return 0


def cmd_solve(args):
    from .data import catalog
    from .models.evaluate import OUTPUTS
    from .presentation import format as fmt
    from .simulation import sweep
    labels, units = {o.name: o.label for o in OUTPUTS}, {o.name: o.unit for o in OUTPUTS}
    cat = catalog.load()
    name, sep, target = args.target.partition("=")
    if not sep:
        raise ScenarioError("solve", args.target, "expected OUTPUT=TARGET, e.g. share_of_economy=0.10")
    from .data.parameters import parse_number
    target_value = parse_number(target, "solve", name, f"the unit of {name.strip() or 'the output'}")
    overrides = parse_overrides(args.param)
    if args.unknown == sweep.AS_OF and args.as_of is not None:
        raise ScenarioError("--as-of", "as_of", "is the date solved for (--for as_of); drop --as-of")
    if args.unknown in overrides:
        # Solving overwrites the parameter, so the -p value would be ignored while the sentence reports it.
        raise ScenarioError("-p", args.unknown, f"is the parameter solved for (--for {args.unknown}); "
                            "drop this -p, or solve for another parameter")
    resolved = cat.resolve(overrides, "-p", varied=[args.unknown])
    cat.check_route_inputs(resolved, set(overrides))
    cat.check_route_inputs(resolved, {args.unknown}, "--for")
    output = name.strip()
    value = sweep.solve(resolved, cat, output, target_value, args.unknown, timeline=_timeline(cat, args))
    # The measure in words and code: share_of_economy (cumulative) and share_of_economy_per_year read alike.
    measure = labels[output]
    reached = f"{measure[0].lower()}{measure[1:]} ({output}) = {fmt.value(target_value, units[output])}"
    answer = {"output": output, "measure": measure, "output_unit": units[output], "target": target_value,
              "parameter": args.unknown}
    others = f"other inputs at their central values{', with ' + ', '.join(args.param) if args.param else ''}"
    if args.unknown == sweep.AS_OF:
        from .data.statements import from_days
        value = from_days(value).isoformat()
        print(json.dumps({**answer, "value": value}) if args.json else f"as_of = {value} gives {reached} ({others})")
        return 0
    unit = cat.parameters[args.unknown].unit
    if args.json:
        print(json.dumps({**answer, "value": value, "unit": unit}))
    else:
        print(f"{args.unknown} = {value:,.6g} {unit} gives {reached} ({others})")
    return 0


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one bounded line (not usage plus message, echoing any value)."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"{PROG}: error: {self.prog}: {one_line(message)} (see {self.prog} --help)\n")


def _text(option):
    """An argparse type: non-empty text (an empty --out or --scenario is a mistake, not the default)."""
    def check(value):
        if not value.strip():
            raise argparse.ArgumentTypeError("is empty; expected a value (leave the option out for the default)")
        return value
    check.__name__ = option
    return check


def build_parser():
    parser = Parser(prog=PROG, description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("params", help="every parameter with unit, default, range, distribution and sources")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_params)

    p = sub.add_parser("estimate", help="summary table of every output")
    p.add_argument("-p", "--param", action="append", metavar="NAME=VALUE",
                   help="override a parameter: a value, or low:central:high (repeatable)")
    p.add_argument("--scenario", type=_text("--scenario"), help="start from a scenario (name or .yaml path)")
    p.add_argument("--draws", type=int, help=f"draws (default: the scenario's); up to {MAX_SUMMARY_DRAWS:,}, "
                   "in bounded memory: draws are made in chunks and only exact summaries kept")
    p.add_argument("--seed", type=int)
    p.add_argument("--as-of", type=_text("--as-of"), metavar="YYYY-MM-DD", help="the date to estimate for (default: the scenario's, "
                   "else the last dated container count)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_estimate)

    p = sub.add_parser("export", help="a run's draws, summary, inputs and provenance for spreadsheets (XLSX/CSV)",
                       description="Simulate a scenario (or, with no scenario, the defaults with any -p) and write "
                       "its Monte Carlo draws (drawn parameters and every output), the summary (P5/P50/P95 with "
                       "units), the inputs used and a provenance sheet: as an Excel workbook, one sheet each, and/or "
                       "as one CSV file per sheet in a folder. Draws default to the run spec's.")
    p.add_argument("scenario", nargs="?", type=_text("SCENARIO"), metavar="SCENARIO",
                   help="scenario name or .yaml path (default: the defaults, as estimate)")
    p.add_argument("--xlsx", type=_text("--xlsx"), metavar="FILE", help="write an Excel workbook (.xlsx)")
    p.add_argument("--csv", type=_text("--csv"), metavar="FOLDER",
                   help="write summary.csv, inputs.csv, draws.csv and provenance.csv into FOLDER")
    p.add_argument("-p", "--param", action="append", metavar="NAME=VALUE",
                   help="override a parameter: a value, or low:central:high (repeatable)")
    p.add_argument("--draws", type=int, help="draws (default: the scenario's); an Excel sheet holds at most 1,048,575")
    p.add_argument("--seed", type=int)
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="the date to estimate for")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("sweep", help="evaluate the models on a grid of one or two inputs; CSV and chart",
                       description="Evaluate the models on a grid of one or two inputs (others at their central "
                       "values) and write a CSV and a chart. Each axis is " + GRID_SYNTAX + ". For example "
                       "price_152mm_usd=500:6000:100 is 100 points from 500 to 6,000 (a step of 55.6), and "
                       "price_152mm_usd=500:6000:step=100 is 56 points 100 apart. The grid used is printed on "
                       "stderr.")
    p.add_argument("axes", nargs="+", metavar="NAME=START:STOP:POINTS|n=POINTS|step=STEP",
                   help="an axis to sweep (one or two)")
    p.add_argument("--metric", default="share_of_economy_per_year", help="output to chart (default: %(default)s)")
    p.add_argument("--output", type=_text("--output"), default=None, help="file name stem (default: from the swept names)")
    p.add_argument("--out", type=_text("--out"), default=None, help="folder (default: reports/sweeps/)")
    p.add_argument("-p", "--param", action="append", metavar="NAME=VALUE", help="fix another input")
    p.add_argument("--as-of", type=_text("--as-of"), metavar="YYYY-MM-DD",
                   help="the date to estimate for (or sweep as_of=START:STOP:POINTS)")
    p.set_defaults(func=cmd_sweep, default_out=paths.REPORTS_DIR / "sweeps")

    p = sub.add_parser("solve", help="the input value at which an output reaches a target (break-even)")
    p.add_argument("target", metavar="OUTPUT=TARGET", help="e.g. share_of_economy=0.10")
    p.add_argument("--for", dest="unknown", required=True, metavar="PARAMETER", help="the input to solve for")
    p.add_argument("-p", "--param", action="append", metavar="NAME=VALUE", help="fix another input")
    p.add_argument("--as-of", type=_text("--as-of"), metavar="YYYY-MM-DD", help="the date to estimate for (or --for as_of)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_solve)

    p = sub.add_parser("validate", help="check data/ and scenario files without running anything",
                       description="Check data/ and scenario files with the loaders every command uses, without "
                       "running anything: one line on stderr per problem (after a problem the key is set aside "
                       "and the file checked further), exit 2 on any; a one-line OK summary and exit 0 when clean.")
    p.add_argument("scenarios", nargs="*", metavar="SCENARIO",
                   help="scenario names or .yaml paths (default: every scenario in data/scenarios/)")
    p.add_argument("--all", action="store_true", help="every scenario in data/scenarios/ (the default)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("render", help="render PDF briefs, one per scenario, with papermill")
    p.add_argument("scenarios", nargs="*", metavar="SCENARIO", help="scenario names or .yaml paths")
    p.add_argument("--all", action="store_true", help="every scenario in data/scenarios/")
    p.add_argument("-p", "--param", action="append", metavar="NAME=VALUE", help="override for every scenario")
    p.add_argument("--jobs", type=int, default=None, help="parallel workers (default: cores)")
    p.add_argument("--out", type=_text("--out"), default=None, help="output folder (default: reports/)")
    p.add_argument("--force", action="store_true", help="render even when nothing changed")
    p.add_argument("--cell-timeout", type=int, default=600, help="seconds before a hung cell fails")
    p.add_argument("--draws", type=int, help="override draws for every scenario")
    p.add_argument("--kernel-start-timeout", type=int, default=300, metavar="SECONDS",
                   help="seconds a kernel may take to start on a busy machine (default: %(default)s)")
    p.add_argument("--notebook", metavar="PATH", help="render through your own notebook instead of "
                   "notebooks/brief.ipynb (it receives run_spec and render_digest as papermill parameters)")
    p.set_defaults(func=cmd_render, default_out=paths.REPORTS_DIR)

    p = sub.add_parser("compare", help="one comparison brief across scenarios")
    p.add_argument("scenarios", nargs="*", metavar="SCENARIO")
    p.add_argument("-p", "--param", action="append", metavar="NAME=VALUE", help="override for every scenario")
    p.add_argument("--draws", type=int, help="draws for every scenario (default: each scenario's own)")
    p.add_argument("--out", type=_text("--out"), default=None, help="output folder (default: reports/)")
    p.add_argument("--name", default="compare", metavar="NAME",
                   help="file name stem of the brief, NAME.pdf (a-z, 0-9, '-', '_'; not a scenario's name; "
                   "default: %(default)s)")
    p.add_argument("--cell-timeout", type=int, default=600)
    p.add_argument("--kernel-start-timeout", type=int, default=300, metavar="SECONDS",
                   help="seconds a kernel may take to start on a busy machine (default: %(default)s)")
    p.set_defaults(func=cmd_compare, default_out=paths.REPORTS_DIR)
    return parser


def check_out_folder(folder, option="--out"):
    """Refuse an output folder that cannot be written, before any work: create it if missing, write and remove a
    probe file, then remove again the folders this check created (a later error must leave nothing behind)."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ScenarioError(option, "out", f"{folder} is a file; expected a folder")
    created = []
    try:
        missing = [p for p in [folder, *folder.parents] if not p.exists()]
        for parent in reversed(missing):
            parent.mkdir()
            created.append(parent)
        with interrupts.deferred():  # made and removed as one step: an interrupt between would leave it
            fd, probe = tempfile.mkstemp(dir=folder, prefix=".dprk-arms-probe-")
            os.close(fd)
            os.unlink(probe)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ScenarioError(option, "out", f"{folder} is not a usable folder: {reason}"
                            f"{f' ({exc.filename})' if exc.filename and str(exc.filename) != str(folder) else ''}") from None
    finally:
        for path in reversed(created):
            with contextlib.suppress(OSError):
                path.rmdir()
    return folder


class _GuardedStdout:
    """sys.stdout for the length of a command: a reader that went away (a closed pipe) or a full disk is
    recorded instead of raised halfway through the command, so the command finishes and its real result counts."""

    def __init__(self, stream):
        self.stream, self.error = stream, None

    def write(self, text):
        if self.error is None:
            try:
                return self.stream.write(text)
            except OSError as exc:
                self._failed(exc)
        return len(text)

    def flush(self):
        if self.error is None:
            try:
                self.stream.flush()
            except OSError as exc:
                self._failed(exc)

    def _failed(self, exc):
        self.error = exc
        # What is still buffered goes to /dev/null, so the interpreter's flush at exit does not fail again.
        with contextlib.suppress(Exception):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.stream.fileno())
            os.close(devnull)

    def __getattr__(self, name):
        return getattr(self.stream, name)


def _say(text):
    with contextlib.suppress(OSError, ValueError):
        print(text, file=sys.stderr)


def main(argv=None):
    guard = _GuardedStdout(sys.stdout)
    sys.stdout = guard
    previous = interrupts.install(fresh=True)
    try:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as exc:  # --help, --version, or a usage error already reported
            code = exc.code if isinstance(exc.code, int) else EXIT_USAGE
        except (KeyboardInterrupt, Exception) as exc:  # noqa: BLE001 - an interrupt, however it surfaced, or a bug
            code = _unexpected(exc, debug=False)
        else:
            code = _run(args)
        if interrupts.received() and code != EXIT_INTERRUPTED:
            # the interrupt was swallowed on the way (in a finaliser, say), yet the user asked to stop
            _say(f"{PROG}: interrupted")
            code = EXIT_INTERRUPTED
        guard.flush()
    finally:
        sys.stdout = guard.stream
        interrupts.restore(previous)
    if guard.error is not None and not isinstance(guard.error, BrokenPipeError):
        # Output that could not be written is lost: a failure, whatever the command did otherwise.
        _say(f"{PROG}: error: cannot write to standard output: {one_line(guard.error.strerror or guard.error)}")
        return max(code, EXIT_USAGE)
    return code  # a reader that closed the pipe early (| head) took what it wanted: the command's own result


def entry():
    """The `dprk-arms` and `python -m dprk_arms` entry point: main()'s code as the process's exit status."""
    interrupts.exit_process(main())


def _unexpected(exc, debug):
    """The exit code for an exception a command raised: an interrupt (however it surfaced), bad input, the
    machine, or a bug; each reported in one line (with --debug, the traceback instead)."""
    if isinstance(exc, KeyboardInterrupt) or interrupts.received():
        _say(f"{PROG}: interrupted")
        return EXIT_INTERRUPTED
    if debug or not isinstance(exc, Exception):
        raise exc
    if isinstance(exc, DprkArmsError):
        _say(f"{PROG}: error: {exc}")
        return EXIT_USAGE
    if isinstance(exc, OSError):  # the machine, not the input: a disk that filled, a folder that went away
        where = f"{one_line(exc.filename, 200)}: " if exc.filename else ""
        _say(f"{PROG}: error: {where}{one_line(exc.strerror or exc, 300)}")
        return EXIT_FAILED
    _say(f"{PROG}: internal error: {type(exc).__name__}: {one_line(exc, 300)} "
         f"(this is a bug; run again with --debug for the traceback)")
    return EXIT_FAILED


def _run(args):
    try:
        default_out = getattr(args, "default_out", None)
        if default_out is not None:
            check_out_folder(args.out if args.out is not None else default_out)
        return args.func(args)
    except (KeyboardInterrupt, Exception) as exc:  # noqa: BLE001 - one bounded line, never a bare traceback
        return _unexpected(exc, args.debug)


if __name__ == "__main__":
    entry()
