"""Check data/ and scenario files with the real loaders, nothing run: every problem found, one per line."""

from dataclasses import dataclass, field
from pathlib import Path

from .. import paths
from ..errors import DprkArmsError, ScenarioError
from . import catalog as catalog_mod
from . import scenarios as scenarios_mod
from .runspec import check_name

PLACEHOLDER = "(left out to look further)"  # stands in for a required text found wrong, so later keys are checked


@dataclass
class Report:
    checked: list = field(default_factory=list)  # what was checked: "data/", then each scenario file
    problems: list = field(default_factory=list)  # one line each
    scenarios: int = 0


def validate(names=(), use_all=False, data_dir=None, scenarios_dir=None) -> Report:
    """Problems in data/ and in the named scenarios (all of data/scenarios/ with `use_all` or no names)."""
    report = Report()
    data_dir = Path(data_dir or paths.DATA_DIR)
    report.checked.append(str(data_dir))
    try:
        cat = catalog_mod.load(data_dir)
    except DprkArmsError as exc:
        report.problems.append(str(exc))
        report.problems.append(f"{data_dir}: scenarios not checked: they are validated against data/, which must "
                               "load first")
        return report
    folder = Path(scenarios_dir or paths.SCENARIOS_DIR)
    if use_all or not names:
        files = sorted(folder.glob("*.yaml"))
        if not files:
            report.problems.append(f"{folder}: no scenario files (*.yaml) found")
    else:
        files = []
        for name in names:
            try:
                files.append(scenarios_mod.scenario_path(name, folder))
            except DprkArmsError as exc:
                report.problems.append(str(exc))
    for file in files:
        report.checked.append(str(file))
        report.scenarios += 1
        report.problems += scenario_problems(file, cat)
    return report


def scenario_problems(path, cat):
    """Every problem in one scenario file. The loader stops at the first; the key it names is then left out
    (or, for the required title and question, replaced) and the file loaded again, until it loads or a
    problem names no key it can set aside."""
    path = Path(path)
    problems, seen = [], set()
    try:
        name = check_name(path.stem, str(path))
    except DprkArmsError as exc:  # a bad file name is one problem; the contents are still checked
        problems.append(str(exc))
        name = "unnamed"
    try:
        doc = scenarios_mod.read_document(path)  # a file that cannot be parsed has this one problem
    except DprkArmsError as exc:
        return problems + [str(exc)]
    correlations = doc.get("correlations")
    pairs = sum(len(v) for v in correlations.values() if isinstance(v, dict)) if isinstance(correlations, dict) else 0
    for _ in range(len(doc) + len(_parameters(doc)) + pairs + 2):
        try:
            scenarios_mod.from_document(doc, cat, name=name, file=str(path), path=path)
            break
        except ScenarioError as exc:
            if str(exc) in seen:
                break
            seen.add(str(exc))
            problems.append(str(exc))
            if not _set_aside(doc, exc.key):
                break
        except DprkArmsError as exc:
            problems.append(str(exc))
            break
    return problems


def _parameters(doc):
    params = doc.get("parameters")
    return params if isinstance(params, dict) else {}


def _set_aside(doc, key):
    """Take the part of `doc` a problem names out of the way; False when the problem names no such part."""
    if not key:
        return False
    key = str(key)
    params = _parameters(doc)
    if key.startswith("correlations."):  # correlations.a.b: set the one pair aside, so the others are checked
        parts = key.split(".")[1:]
        inner = doc.get("correlations")
        for part in parts[:-1]:
            inner = inner.get(part) if isinstance(inner, dict) else None
        if isinstance(inner, dict) and parts[-1] in inner:
            del inner[parts[-1]]
            return True
    top = key.split(".")[0].split("[")[0]
    if key.startswith("parameters.") and key[len("parameters."):] in params:
        del params[key[len("parameters."):]]
    elif key in params:  # cross-parameter checks name the parameter alone
        del params[key]
    elif top in ("title", "question"):
        if doc.get(top) == PLACEHOLDER:
            return False
        doc[top] = PLACEHOLDER
    elif top in doc:
        del doc[top]
    else:
        return False
    return True
