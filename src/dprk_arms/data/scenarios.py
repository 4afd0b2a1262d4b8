"""Scenario files (data/scenarios/*.yaml): title, question and parameter overrides, validated."""

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .. import paths
from ..errors import ScenarioError
from .parameters import did_you_mean

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
TOP_KEYS = {"title", "question", "parameters", "draws", "seed", "as_of", "statements"}
DEFAULT_DRAWS = 100_000
DEFAULT_SEED = 20240226
MAX_DRAWS = 5_000_000


class _UniqueKeyLoader(yaml.SafeLoader):
    """Safe YAML loading that rejects duplicate keys instead of keeping the last."""


def _construct_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Dates stay text, so an impossible one (2024-02-30) is reported against its key instead of failing the parse.
_UniqueKeyLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    question: str
    overrides: dict
    resolved: dict = field(repr=False)
    draws: int = DEFAULT_DRAWS
    seed: int = DEFAULT_SEED
    path: Path | None = None
    as_of: str = ""  # ISO date the estimates answer for; "" = the last dated container count
    statements: tuple = ()  # the scenario's own dated statements, as plain dicts (see data/statements.py)

    def digest(self):
        """SHA-256 of what the scenario asks for (not of its file's bytes)."""
        payload = json.dumps([self.name, self.title, self.question, self.overrides, self.draws, self.seed,
                              self.as_of, list(self.statements)], sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()


def check_name(name, file="scenario"):
    if not NAME_RE.match(name or ""):
        raise ScenarioError(file, "name", f"scenario names use a-z, 0-9, '-' and '_' (at most 64), got {name!r}")
    return name


def scenario_path(name_or_path, scenarios_dir=None):
    """The file for a scenario name (data/scenarios/NAME.yaml) or an explicit .yaml path."""
    text = str(name_or_path)
    if text.endswith((".yaml", ".yml")) or "/" in text:
        return Path(text)
    check_name(text, text)
    return Path(scenarios_dir or paths.SCENARIOS_DIR) / f"{text}.yaml"


def read_document(path):
    """The parsed YAML mapping of a scenario file, or a ScenarioError naming the file."""
    path = Path(path)
    if path.is_dir():
        raise ScenarioError(path, None, "is a folder; expected a scenario .yaml file")
    if not path.is_file():
        raise ScenarioError(path, None, "file not found; expected a scenario .yaml file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(path, None, "is not UTF-8 text; expected a YAML file") from None
    try:
        doc = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(path, None, f"invalid YAML{where}: {problem}") from None
    if doc is None:
        raise ScenarioError(path, None, "is empty; expected a mapping with title, question and parameters")
    if not isinstance(doc, dict):
        raise ScenarioError(path, None, f"expected a mapping with title, question and parameters, got a {type(doc).__name__}")
    return doc


def load_scenario(path, catalog, extra_overrides=None):
    """A validated Scenario from a YAML file; `extra_overrides` (CLI -p) apply on top."""
    path = Path(path)
    name = check_name(path.stem, str(path))
    return from_document(read_document(path), catalog, name=name, file=str(path), path=path,
                         extra_overrides=extra_overrides)


def from_document(doc, catalog, name, file, path=None, extra_overrides=None):
    """A validated Scenario from an already parsed mapping."""
    if not isinstance(doc, dict):
        raise ScenarioError(file, None, f"expected a mapping with title, question and parameters, got a {type(doc).__name__}")
    for key in doc:
        if key not in TOP_KEYS:
            hint = did_you_mean(str(key), TOP_KEYS)
            raise ScenarioError(file, str(key), f"unknown key{hint}; expected {', '.join(sorted(TOP_KEYS))}")
    title = _text(doc, "title", file)
    question = _text(doc, "question", file)
    params = doc.get("parameters") or {}
    if not isinstance(params, dict):
        raise ScenarioError(file, "parameters", f"expected a mapping of parameter names to values, got a {type(params).__name__}")
    for key in params:
        if not isinstance(key, str):
            raise ScenarioError(file, f"parameters.{key}", "parameter names are text")
        catalog.parameters.lookup(key, file, f"parameters.{key}")
    overrides = {k: _plain(v) for k, v in params.items()}
    for key, value in overrides.items():
        catalog.parameters[key].parse(value, file, f"parameters.{key}")
    for key, value in (extra_overrides or {}).items():
        catalog.parameters.lookup(key, "-p").parse(value, "-p", key)
        overrides[key] = value
    resolved = catalog.resolve(overrides, file)
    draws = _integer(doc, "draws", file, DEFAULT_DRAWS, 100, MAX_DRAWS)
    seed = _integer(doc, "seed", file, DEFAULT_SEED, 0, 2**32 - 1)
    as_of, statements = _timeline_keys(doc, catalog, file)
    return Scenario(name, title, question, overrides, resolved, draws, seed, path, as_of, statements)


def _timeline_keys(doc, catalog, file):
    """`as_of` (ISO text, "" when absent) and `statements` (plain dicts), validated against the data's statements."""
    from .statements import parse_date, plain_list, scenario_statements
    extra = scenario_statements(doc.get("statements"), file)
    as_of = doc.get("as_of")
    as_of = "" if as_of is None else parse_date(as_of, file, "as_of").isoformat()
    catalog.timeline(as_of, extra, file)
    return as_of, tuple(plain_list(extra))


def _text(doc, key, file):
    value = doc.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ScenarioError(file, key, f"expected non-empty text, got {value!r}")
    return value.strip()


def _integer(doc, key, file, default, low, high):
    value = doc.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (isinstance(value, float) and not (math.isfinite(value) and value.is_integer())):
        raise ScenarioError(file, key, f"expected a whole number from {low:,} to {high:,}, got {value!r}")
    if not low <= value <= high:
        raise ScenarioError(file, key, f"expected a whole number from {low:,} to {high:,}, got {value:,}")
    return int(value)


def _plain(value):
    """YAML values as JSON-friendly plain types (dates and the like become text)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    return str(value)


def to_yaml(title, question, overrides):
    """YAML text for a scenario that load_scenario accepts unchanged."""
    doc = {"title": title, "question": question, "parameters": dict(overrides)}
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
