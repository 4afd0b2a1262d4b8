"""Export for spreadsheets: a run's draws, summary, inputs and provenance, as an Excel workbook or CSV files."""

from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from .. import __version__, files
from ..data.distributions import Distribution
from ..errors import ScenarioError
from ..models.evaluate import OUTPUTS
from ..simulation import montecarlo
from . import provenance
from .tables import MOST_LIKELY

EXCEL_MAX_ROWS = 1_048_576  # rows in an Excel sheet, the header row included
SHEETS = ("summary", "inputs", "draws", "provenance")  # the summary first: what a reader opens the workbook for
SUMMARY_COLUMNS = ("output", "label", "unit", "at_most_likely_inputs", "mean", "p5", "p50", "p95")


def check_rows(draws, option="--draws"):
    """Refuse more draws than one Excel sheet holds (one row per draw, under a header row)."""
    if draws > EXCEL_MAX_ROWS - 1:
        raise ScenarioError(option, "draws", f"{draws:,} draws do not fit an Excel sheet (at most "
                            f"{EXCEL_MAX_ROWS - 1:,} rows under the header); export fewer with --draws")
    return draws


def sheets(spec, catalog, sim=None) -> dict:
    """The export's tables by sheet name, from the run spec (simulated here unless `sim` is given)."""
    sim = sim or montecarlo.simulate(spec.resolved, catalog, spec.draws, spec.seed, spec.timeline)
    return {"summary": summary_frame(sim), "inputs": inputs_frame(spec, catalog), "draws": draws_frame(sim, catalog),
            "provenance": provenance_frame(spec, catalog)}


def summary_frame(sim):
    """One row per output: label, unit, the model at the most likely inputs, mean, P5, P50, P95."""
    table = sim.summary().rename(columns={"central": "at_most_likely_inputs"})
    table = table.reset_index().rename(columns={"index": "output"})
    return table[list(SUMMARY_COLUMNS)]


def inputs_frame(spec, catalog):
    """One row per parameter: the distribution or value the run used, and whether the scenario (or -p) set it."""
    rows = []
    for name, param in catalog.parameters.items():
        used = spec.resolved[name]
        dist = isinstance(used, Distribution)
        rows.append({"parameter": name, "unit": param.unit, "description": param.description,
                     "distribution": used.spec() if dist else str(used),
                     "family": used.family if dist else "choice",
                     "low": used.bounds[0] if dist else None, "most_likely": used.central if dist else None,
                     "high": used.bounds[1] if dist else None,
                     "set_by_scenario": name in spec.set_by_scenario, "assumption": bool(param.assumption)})
    return pd.DataFrame(rows)


def draws_frame(sim, catalog):
    """One row per draw: the drawn value of each numeric parameter, then every output (units on the other
    sheets: parameters on `inputs`, outputs on `summary`)."""
    drawn = [n for n in catalog.parameters if n in sim.inputs.columns]
    frame = pd.concat([sim.inputs[drawn], sim.outputs[[o.name for o in OUTPUTS]]], axis=1)
    frame.insert(0, "draw", range(1, len(frame) + 1))
    return frame


def provenance_frame(spec, catalog):
    """What made these numbers: package, commit, run spec digest, data hash, draws and seed."""
    pairs = [("package", f"dprk-arms-estimates {__version__}"), ("git commit", provenance.git_commit()),
             ("scenario", spec.name), ("title", spec.title),
             ("set by the scenario", ", ".join(sorted(spec.set_by_scenario)) or "nothing (all defaults)"),
             ("run spec digest (sha256)", spec.digest()), ("data hash (sha256)", catalog.fingerprint()),
             ("draws", spec.draws), ("seed", spec.seed),
             ("as of", spec.timeline.as_of.isoformat() if spec.timeline else spec.as_of),
             ("at_most_likely_inputs", f"{MOST_LIKELY}: the models evaluated once with every input at its most "
                                       "likely value; P5, P50 and P95 are percentiles of the draws"),
             ("exported", datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))]
    return pd.DataFrame(pairs, columns=["item", "value"]).astype({"value": str})


def targets(csv_folder=None, xlsx_path=None) -> list[Path]:
    """The files an export writes: one CSV per sheet in `csv_folder`, and/or the workbook. Refuses, before
    anything runs, a workbook name not ending .xlsx and any target that exists but is not a regular file."""
    paths_ = [Path(csv_folder) / f"{name}.csv" for name in SHEETS] if csv_folder is not None else []
    if xlsx_path is not None:
        xlsx_path = Path(xlsx_path)
        if xlsx_path.suffix.lower() != ".xlsx":
            raise ScenarioError("--xlsx", "xlsx", f"expected a file name ending .xlsx, got {xlsx_path.name!r}")
        paths_.append(xlsx_path)
    for path in paths_:
        if path.exists() and not path.is_file():
            option = "--xlsx" if path.suffix.lower() == ".xlsx" else "--csv"
            raise ScenarioError(option, option.lstrip("-"), f"{path} exists and is not a file; expected a file to replace")
    return paths_


def write(tables, csv_folder=None, xlsx_path=None) -> list[Path]:
    """Every CSV and the workbook (openpyxl through pandas), replaced together: an export that fails or is
    interrupted leaves all the earlier files as they were."""
    paths_ = targets(csv_folder, xlsx_path)
    if xlsx_path is not None:
        check_rows(len(tables["draws"]), "--xlsx")
    for folder in {p.parent for p in paths_}:
        folder.mkdir(parents=True, exist_ok=True)
    with files.atomic_paths(*paths_) as temporaries:
        for path, tmp in zip(paths_, temporaries):
            if path.suffix.lower() == ".xlsx":
                with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
                    for name in SHEETS:
                        tables[name].to_excel(writer, sheet_name=name, index=False)
            else:
                tables[path.stem].to_csv(tmp, index=False)
    return paths_
