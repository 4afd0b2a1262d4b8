"""Scenario files (data/scenarios/*.yaml): title, question and parameter overrides, validated."""

from pathlib import Path

import yaml

from .. import paths
from ..errors import ScenarioError
from .parameters import did_you_mean
from .runspec import RunSpec, build, check_name

TOP_KEYS = {"title", "question", "parameters", "correlations", "draws", "seed", "as_of", "statements"}


MAX_FILE_BYTES = 1_000_000  # a scenario is a few dozen lines; far larger is a mistake, refused before parsing
MAX_DEPTH = 8  # a scenario is at most three levels deep (parameters: name: {low: ...}); deeper is a mistake


class _UniqueKeyLoader(yaml.SafeLoader):
    """Safe YAML loading for scenario files: rejects duplicate keys (instead of keeping the last), keys that are
    not plain values, deep nesting, and aliases. An alias repeats a node without copying it, so a few hundred
    bytes of aliases ("billion laughs") expand to a tree too big to print or walk; scenario files are short
    enough to write every value out."""

    def compose_document(self):
        self._depth = 0
        return super().compose_document()

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, f"alias *{event.anchor} (YAML anchors and aliases are not supported in scenario files; "
                "write the value out)", event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_DEPTH} levels deep", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _construct_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            raise yaml.constructor.ConstructorError(
                None, None, "merge keys (<<) are not supported in scenario files; write each key out",
                key_node.start_mark)
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain name, not a list or mapping", key_node.start_mark)
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


def scenario_path(name_or_path, scenarios_dir=None) -> Path:
    """The file for a scenario name (data/scenarios/NAME.yaml) or an explicit .yaml path."""
    text = str(name_or_path)
    if text.endswith((".yaml", ".yml")) or "/" in text:
        return Path(text)
    check_name(text, text)
    return Path(scenarios_dir or paths.SCENARIOS_DIR) / f"{text}.yaml"


def read_document(path) -> dict:
    """The parsed YAML mapping of a scenario file, or a ScenarioError naming the file."""
    path = Path(path)
    if path.is_dir():
        raise ScenarioError(path, None, "is a folder; expected a scenario .yaml file")
    if not path.exists():
        raise ScenarioError(path, None, "file not found; expected a scenario .yaml file")
    if not path.is_file():
        raise ScenarioError(path, None, "is not a regular file; expected a scenario .yaml file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ScenarioError(path, None, f"is {path.stat().st_size:,} bytes; a scenario file is at most "
                            f"{MAX_FILE_BYTES:,} (a few dozen lines is typical)")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ScenarioError(path, None, "is not UTF-8 text; expected a YAML file") from None
    except OSError as exc:
        raise ScenarioError(path, None, f"cannot be read: {exc.strerror or exc}") from None
    try:
        doc = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(path, None, f"invalid YAML{where}: {problem}") from None
    except (ValueError, OverflowError) as exc:
        # the constructor's own limits, e.g. an integer of more than 4,300 digits
        raise ScenarioError(path, None, f"invalid YAML: a value cannot be read ({exc})") from None
    if doc is None:
        raise ScenarioError(path, None, "is empty; expected a mapping with title, question and parameters")
    if not isinstance(doc, dict):
        raise ScenarioError(path, None, f"expected a mapping with title, question and parameters, got a {type(doc).__name__}")
    return doc


def load_scenario(path, catalog, extra_overrides=None) -> RunSpec:
    """The validated run specification of a YAML scenario file; `extra_overrides` (CLI -p) apply on top."""
    path = Path(path)
    name = check_name(path.stem, str(path))
    return from_document(read_document(path), catalog, name=name, file=str(path), path=path,
                         extra_overrides=extra_overrides)


def from_document(doc, catalog, name, file, path=None, extra_overrides=None) -> RunSpec:
    """The validated run specification of an already parsed scenario mapping."""
    if not isinstance(doc, dict):
        raise ScenarioError(file, None, f"expected a mapping with title, question and parameters, got a {type(doc).__name__}")
    for key in doc:
        if key not in TOP_KEYS:
            hint = did_you_mean(str(key), TOP_KEYS)
            raise ScenarioError(file, str(key), f"unknown key{hint}; expected {', '.join(sorted(TOP_KEYS))}")
    params = _parameters(doc, file)
    for key in ("as_of", "statements", "correlations"):  # as with parameters: left blank is a slip, not the default
        if key in doc and doc[key] is None:
            raise ScenarioError(file, key, "is empty; give a value or leave the key out")
    return build(catalog, name=name, title=_text(doc, "title", file), question=_text(doc, "question", file),
                 overrides={k: _plain(v) for k, v in params.items()}, extra_overrides=extra_overrides,
                 draws=doc.get("draws"), seed=doc.get("seed"), as_of=doc.get("as_of"),
                 statements=doc.get("statements"), correlations=doc.get("correlations"), source=file,
                 path=path)


def _parameters(doc, file):
    """The `parameters:` mapping; absent means the defaults, but an empty or non-mapping value is a mistake
    (a `parameters:` left blank, 0, '' or []), not a request for the defaults."""
    if "parameters" not in doc:
        return {}
    params = doc["parameters"]
    if params is None:
        raise ScenarioError(file, "parameters", "is empty; expected a mapping of parameter names to values "
                            "(write parameters: {} or leave the key out for the defaults)")
    if not isinstance(params, dict):
        raise ScenarioError(file, "parameters", f"expected a mapping of parameter names to values, got a "
                            f"{type(params).__name__} ({params!r})")
    return params


def _text(doc, key, file):
    value = doc.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ScenarioError(file, key, f"expected non-empty text, got {value!r}")
    return value.strip()


def _plain(value):
    """YAML values as JSON-friendly plain types (dates and the like become text)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    return str(value)


def to_yaml(title, question, overrides, correlations=None) -> str:
    """YAML text for a scenario that load_scenario accepts unchanged."""
    doc = {"title": title, "question": question, "parameters": dict(overrides)}
    if correlations:
        doc["correlations"] = {a: dict(inner) for a, inner in correlations.items()}
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
