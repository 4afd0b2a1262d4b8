"""The run specification: a scenario parsed and validated once, in one typed object with one canonical form."""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..defaults import DEFAULT_DRAWS, DEFAULT_SEED, MAX_DRAWS, MAX_SEED, MIN_DRAWS
from ..errors import ScenarioError
from . import correlations as correlations_mod
from .distributions import Distribution

FORMAT_VERSION = 2  # 2: correlations travel on the spec
CANONICAL_KEYS = ("format", "name", "title", "question", "parameters", "correlations", "draws", "seed", "as_of",
                  "statements")
# run settings a parameters cell defines
NOTEBOOK_KEYS = ("scenario", "title", "question", "draws", "seed", "as_of", "statements", "correlations")
DEFAULT_NAME = "default"
DEFAULT_TITLE = "Default parameters"
DEFAULT_QUESTION = "What do the sourced central estimates and their uncertainty imply?"


@dataclass(frozen=True)
class RunSpec:
    """What one run asks for. `overrides` holds exactly the parameters the scenario (or -p) set, each in
    canonical form: a number when fixed, `family:low:central:high` text for a distribution, or a choice."""

    name: str
    title: str
    question: str
    overrides: Mapping[str, object]
    resolved: dict = field(repr=False, compare=False)
    draws: int = DEFAULT_DRAWS
    seed: int = DEFAULT_SEED
    as_of: str = ""  # ISO date the estimates answer for; "" = the date of the last dated container count
    statements: tuple = ()  # the scenario's own dated statements, as plain dicts (data/statements.py)
    correlations: Mapping = field(default_factory=dict)  # the scenario's own rank correlations, {a: {b: rho}}, a < b
    source: str = field(default="defaults", compare=False)
    path: Path | None = field(default=None, compare=False)
    timeline: object = field(default=None, repr=False, compare=False)  # data + scenario statements, as of
    rank_correlations: dict = field(default=None, repr=False, compare=False)  # in use: {(a, b): rho}, defaults + own

    @property
    def set_by_scenario(self) -> frozenset[str]:
        """Names of the parameters the scenario (or a -p override) set, whether or not equal to the default."""
        return frozenset(self.overrides)

    def canonical(self) -> dict:
        """The JSON-ready form that crosses into a notebook kernel and that the digest is taken over."""
        return {"format": FORMAT_VERSION, "name": self.name, "title": self.title, "question": self.question,
                "parameters": {k: self.overrides[k] for k in sorted(self.overrides)},
                "correlations": {a: dict(self.correlations[a]) for a in sorted(self.correlations)},
                "draws": self.draws, "seed": self.seed, "as_of": self.as_of, "statements": list(self.statements)}

    def digest(self) -> str:
        """SHA-256 of the canonical form: equal specs, equal digests, whichever route built them."""
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()

    def with_settings(self, draws: int | None = None, seed: int | None = None, as_of: str | None = None,
                      catalog=None) -> RunSpec:
        """The same spec with draws, seed and/or the as-of date replaced (validated as a scenario file's would
        be; a new as-of date needs the catalog to rebuild the timeline)."""
        spec = replace(self, draws=self.draws if draws is None else check_draws(draws, "--draws"),
                       seed=self.seed if seed is None else check_seed(seed, "--seed"))
        if as_of is not None:
            as_of, _, timeline = _timeline(catalog, as_of, list(self.statements), "--as-of")
            spec = replace(spec, as_of=as_of, timeline=timeline)
        return spec


def canonical_value(parsed: object) -> object:
    """A parsed parameter value (Distribution or choice) in canonical form."""
    if isinstance(parsed, Distribution):
        if parsed.family == "fixed":
            value = float(parsed.central)
            return int(value) if value.is_integer() and abs(value) < 1e15 else value
        return parsed.spec()
    return parsed


def build(catalog, *, name: str = DEFAULT_NAME, title: str = DEFAULT_TITLE, question: str = DEFAULT_QUESTION,
          overrides: Mapping | None = None, extra_overrides: Mapping | None = None, draws: object = None,
          seed: object = None, as_of: object = None, statements: object = None, correlations: object = None,
          source: str = "-p", path: Path | None = None, key_prefix: str = "parameters.") -> RunSpec:
    """A validated RunSpec: `overrides` as a scenario states them (errors name `source` and the key),
    then `extra_overrides` (command-line -p) on top."""
    canonical = {}
    for key, value in (overrides or {}).items():
        where = f"{key_prefix}{key}"
        if not isinstance(key, str):
            raise ScenarioError(source, where, "parameter names are text")
        canonical[key] = canonical_value(catalog.parameters.lookup(key, source, where).parse(value, source, where))
    for key, value in (extra_overrides or {}).items():
        canonical[key] = canonical_value(catalog.parameters.lookup(key, "-p").parse(value, "-p", key))
    resolved = catalog.resolve(canonical, source)
    from_p = set(extra_overrides or {})
    catalog.check_route_inputs(resolved, set(overrides or {}) - from_p, source, key_prefix)
    catalog.check_route_inputs(resolved, from_p, "-p")
    as_of, statements, timeline = _timeline(catalog, as_of, statements, source)
    own = correlations_mod.parse_scenario(correlations, catalog.parameters, source)
    for a, inner in own.items():  # a correlation with an input the route ignores moves nothing either
        catalog.check_route_inputs(resolved, {a, *inner}, source, "correlations.")
    pairs = correlations_mod.check(correlations_mod.effective(catalog.correlations, own), source)
    return RunSpec(name, title, question, canonical, resolved,
                   check_draws(DEFAULT_DRAWS if draws is None else draws, source),
                   check_seed(DEFAULT_SEED if seed is None else seed, source), as_of, statements, own, source, path,
                   timeline, pairs)


def _timeline(catalog, as_of, statements, source):
    """The as-of date (ISO text, "" for the last dated count), the scenario's statements as plain dicts, and
    the timeline they make with the data's statements: all validated, errors naming `source` and the key."""
    from .statements import parse_date, plain_list, scenario_statements
    extra = scenario_statements(None if statements in (None, [], ()) else statements, source)
    as_of = "" if as_of in (None, "") else parse_date(as_of, source, "as_of").isoformat()
    return as_of, tuple(plain_list(extra)), catalog.timeline(as_of or None, extra, source)


def from_canonical(doc: Mapping, catalog, source: str = "run_spec") -> RunSpec:
    """Rebuild (and re-validate) a spec from its canonical form, as a notebook kernel receives it."""
    if not isinstance(doc, Mapping):
        raise ScenarioError(source, None, f"expected a run specification mapping, got a {type(doc).__name__}")
    missing = [k for k in CANONICAL_KEYS if k not in doc]
    unknown = [str(k) for k in doc if k not in CANONICAL_KEYS]
    if missing or unknown:
        raise ScenarioError(source, (missing + unknown)[0], f"expected exactly the keys {', '.join(CANONICAL_KEYS)}")
    if doc["format"] != FORMAT_VERSION:
        raise ScenarioError(source, "format", f"expected run specification format {FORMAT_VERSION}, got {doc['format']!r}")
    if not isinstance(doc["parameters"], Mapping):
        raise ScenarioError(source, "parameters", "expected a mapping of parameter names to values")
    spec = build(catalog, name=_text(doc["name"], source, "name"), title=_text(doc["title"], source, "title"),
                 question=_text(doc["question"], source, "question", allow_empty=True),
                 overrides=doc["parameters"], draws=doc["draws"], seed=doc["seed"], as_of=doc["as_of"],
                 statements=doc["statements"], correlations=doc["correlations"], source=source)
    return spec


def from_namespace(namespace: Mapping, catalog, source: str = "notebook parameters") -> RunSpec:
    """The spec a notebook runs: the canonical spec papermill injected (`run_spec`), or, when the notebook
    is run by hand, the parameters cell itself, where a parameter counts as set when its value parses to
    something other than its default."""
    if namespace.get("run_spec") is not None:
        return from_canonical(namespace["run_spec"], catalog, "run_spec")
    overrides = {}
    for name, param in catalog.parameters.items():
        if name not in namespace:
            raise ScenarioError(source, name, "missing from the parameters cell")
        value = namespace[name]
        if canonical_value(param.parse(value, source, name)) != canonical_value(param.default):
            overrides[name] = value
    return build(catalog, name=check_name(str(namespace.get("scenario", DEFAULT_NAME)), source),
                 title=_text(namespace.get("title", DEFAULT_TITLE), source, "title"),
                 question=_text(namespace.get("question", ""), source, "question", allow_empty=True),
                 overrides=overrides, draws=namespace.get("draws"), seed=namespace.get("seed"),
                 as_of=namespace.get("as_of"), statements=namespace.get("statements"),
                 correlations=namespace.get("correlations") or None, source=source, key_prefix="")


def misspelt(namespace: Mapping, catalog) -> list[str]:
    """Names a notebook's user set that look like a parameter but are none (`containers_cout = 20000`), each
    with its closest known name: such a value would otherwise be silently ignored."""
    import difflib
    known = set(catalog.parameters) | set(NOTEBOOK_KEYS) | {"run_spec", "run_specs", "render_digest", "scenarios"}
    found = []
    for name, value in namespace.items():
        if name.startswith("_") or name in known or isinstance(value, bool) or \
                not isinstance(value, (int, float, str, dict)):
            continue
        # stricter than error hints: any variable of the user's is a candidate here, and 'table' is no 'title'
        match = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.8)
        if match:
            found.append(f"'{name}' is not a parameter (did you mean '{match[0]}'?); its value is ignored")
    return found


def check_name(name: str, file: str = "scenario") -> str:
    """A scenario name: a-z, 0-9, '-' and '_', at most 64 characters."""
    if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", name):
        raise ScenarioError(file, "name", f"scenario names use a-z, 0-9, '-' and '_' (at most 64), got {name!r}")
    return name


def check_draws(value: object, file: str, key: str = "draws", high: int = MAX_DRAWS) -> int:
    return _whole(value, file, key, MIN_DRAWS, high)


def check_seed(value: object, file: str, key: str = "seed") -> int:
    return _whole(value, file, key, 0, MAX_SEED)


def _whole(value, file, key, low, high):
    expected = f"expected a whole number from {low:,} to {high:,}"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScenarioError(file, key, f"{expected}, got {value!r}")
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise ScenarioError(file, key, f"{expected}, got {value!r}")
    if not low <= value <= high:
        shown = f"{value:,}" if abs(value) < 10**30 else "a number with more than 30 digits"
        raise ScenarioError(file, key, f"{expected}, got {shown}")
    return int(value)


def _text(value, file, key, allow_empty=False):
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise ScenarioError(file, key, f"expected non-empty text, got {value!r}")
    return value.strip()


def parse_overrides(pairs) -> dict:
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
