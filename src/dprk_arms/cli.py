"""Command line: `dprk-arms params | estimate | sweep | solve | render | compare`."""

import argparse
import json
import sys
import textwrap

from . import __version__
from .errors import DprkArmsError, ScenarioError

EXIT_USAGE = 2
EXIT_FAILED = 1


def parse_overrides(pairs):
    """`name=value` strings (papermill's -p convention) as a mapping; values stay text until validated."""
    overrides = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ScenarioError("-p", pair, "expected name=value, e.g. -p price_152mm_usd=3000")
        if name.strip() in overrides:
            raise ScenarioError("-p", name.strip(), "given twice")
        overrides[name.strip()] = value.strip()
    return overrides


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


def cmd_estimate(args):
    from .data import catalog, scenarios
    from .presentation import format as fmt
    from .presentation import judgements
    from .simulation import montecarlo
    cat = catalog.load()
    overrides = parse_overrides(args.param)
    scen = None
    if args.scenario:
        scen = scenarios.load_scenario(scenarios.scenario_path(args.scenario), cat, overrides)
        resolved, draws, seed = scen.resolved, scen.draws, scen.seed
    else:
        resolved, draws, seed = cat.resolve(overrides, "-p"), scenarios.DEFAULT_DRAWS, scenarios.DEFAULT_SEED
    line = _timeline(cat, args, scen)
    draws = _check_draws(args.draws if args.draws is not None else draws)
    seed = args.seed if args.seed is not None else seed
    sim = montecarlo.simulate(resolved, cat, draws, seed, line)
    table = sim.summary()
    notes = judgements.timeline_notes(sim, resolved, cat)
    if args.json:
        payload = {"draws": draws, "seed": seed, "overrides": overrides, "as_of": line.as_of.isoformat(),
                   "extrapolated": line.extrapolated, "volume_route": resolved["volume_route"],
                   "capacity_warning": judgements.shortfall_warning(sim), "notes": notes,
                   "outputs": {k: {c: (v if isinstance(v, str) else float(v)) for c, v in row.items()}
                               for k, row in table.to_dict(orient="index").items()}}
        print(json.dumps(payload, indent=2))
        return 0
    print(f"{'output':<40} {'central':>14} {'P5':>14} {'P50':>14} {'P95':>14}")
    for name, row in table.iterrows():
        cells = [fmt.value(row[c], row["unit"]) for c in ("central", "p5", "p50", "p95")]
        print(f"{row['label'][:40]:<40} " + " ".join(f"{c:>14}" for c in cells))
    print(f"\n{draws:,} draws, seed {seed}. P(revenue per year > 10% of the economy) = "
          f"{sim.probability('share_of_economy_per_year', 0.10):.0%}")
    for note in notes:
        print(textwrap.fill(note, 100))
    return 0


def _check_draws(draws):
    from .data.scenarios import MAX_DRAWS
    if not 100 <= draws <= MAX_DRAWS:
        raise ScenarioError("--draws", "draws", f"expected a whole number from 100 to {MAX_DRAWS:,}, got {draws:,}")
    return draws


def cmd_render(args):
    from .presentation import batch
    return batch.main(args)


def cmd_compare(args):
    from .presentation import batch
    return batch.compare_main(args)


def cmd_sweep(args):
    from .data import catalog
    from .presentation import whatif
    from .simulation import sweep
    cat = catalog.load()
    axes = [sweep.parse_axis(a, cat.parameters) for a in args.axes]
    resolved = cat.resolve(parse_overrides(args.param), "-p", varied=[a.name for a in axes])
    frame = sweep.grid(resolved, cat, axes, _timeline(cat, args))
    written = whatif.write_sweep(frame, [a.name for a in axes], args.metric, args.output, args.out)
    for path in written:
        print(path)
    return 0


def cmd_solve(args):
    from .data import catalog
    from .simulation import sweep
    cat = catalog.load()
    name, sep, target = args.target.partition("=")
    if not sep:
        raise ScenarioError("solve", args.target, "expected OUTPUT=TARGET, e.g. share_of_economy=0.10")
    try:
        target_value = float(target)
    except ValueError:
        raise ScenarioError("solve", name, f"target must be a number, got {target!r}") from None
    resolved = cat.resolve(parse_overrides(args.param), "-p", varied=[args.unknown])
    value = sweep.solve(resolved, cat, name.strip(), target_value, args.unknown, timeline=_timeline(cat, args))
    if args.unknown == sweep.AS_OF:
        from .data.statements import from_days
        value, unit = from_days(value).isoformat(), "(date)"
        print(json.dumps({"output": name.strip(), "target": target_value, "parameter": args.unknown, "value": value})
              if args.json else f"as_of = {value} gives {name.strip()} = {target_value:g} (other inputs at their central values)")
        return 0
    unit = cat.parameters[args.unknown].unit
    if args.json:
        print(json.dumps({"output": name.strip(), "target": target_value, "parameter": args.unknown,
                          "value": value, "unit": unit}))
    else:
        print(f"{args.unknown} = {value:,.6g} {unit} gives {name.strip()} = {target_value:g} "
              f"(other inputs at their central values{', with ' + ', '.join(args.param) if args.param else ''})")
    return 0


def build_parser():
    parser = argparse.ArgumentParser(prog="dprk-arms", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("params", help="every parameter with unit, default, range, distribution and sources")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_params)

    p = sub.add_parser("estimate", help="summary table of every output")
    p.add_argument("-p", "--param", action="append", metavar="NAME=VALUE",
                   help="override a parameter: a value, or low:central:high (repeatable)")
    p.add_argument("--scenario", help="start from a scenario (name or .yaml path)")
    p.add_argument("--draws", type=int)
    p.add_argument("--seed", type=int)
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="the date to estimate for (default: the scenario's, "
                   "else the last dated container count)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_estimate)

    p = sub.add_parser("sweep", help="evaluate the models on a grid of one or two inputs; CSV and chart")
    p.add_argument("axes", nargs="+", metavar="NAME=START:STOP:STEPS")
    p.add_argument("--metric", default="share_of_economy_per_year", help="output to chart (default: %(default)s)")
    p.add_argument("--output", default=None, help="file name stem (default: from the swept names)")
    p.add_argument("--out", default=None, help="folder (default: reports/sweeps/)")
    p.add_argument("-p", "--param", action="append", metavar="NAME=VALUE", help="fix another input")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="the date to estimate for (or sweep as_of=START:STOP:STEPS)")
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("solve", help="the input value at which an output reaches a target (break-even)")
    p.add_argument("target", metavar="OUTPUT=TARGET", help="e.g. share_of_economy=0.10")
    p.add_argument("--for", dest="unknown", required=True, metavar="PARAMETER", help="the input to solve for")
    p.add_argument("-p", "--param", action="append", metavar="NAME=VALUE", help="fix another input")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="the date to estimate for (or --for as_of)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_solve)

    p = sub.add_parser("render", help="render PDF briefs, one per scenario, with papermill")
    p.add_argument("scenarios", nargs="*", metavar="SCENARIO", help="scenario names or .yaml paths")
    p.add_argument("--all", action="store_true", help="every scenario in data/scenarios/")
    p.add_argument("-p", "--param", action="append", metavar="NAME=VALUE", help="override for every scenario")
    p.add_argument("--jobs", type=int, default=None, help="parallel workers (default: cores)")
    p.add_argument("--out", default=None, help="output folder (default: reports/)")
    p.add_argument("--force", action="store_true", help="render even when nothing changed")
    p.add_argument("--cell-timeout", type=int, default=600, help="seconds before a hung cell fails")
    p.add_argument("--draws", type=int, help="override draws for every scenario")
    p.set_defaults(func=cmd_render)

    p = sub.add_parser("compare", help="one comparison brief across scenarios")
    p.add_argument("scenarios", nargs="*", metavar="SCENARIO")
    p.add_argument("--out", default=None)
    p.add_argument("--cell-timeout", type=int, default=600)
    p.set_defaults(func=cmd_compare)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except DprkArmsError as exc:
        if args.debug:
            raise
        print(f"dprk-arms: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        sys.stderr.close()  # output piped into head: not an error
        return 0
    except KeyboardInterrupt:
        print("dprk-arms: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
