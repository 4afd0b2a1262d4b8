"""Parameter definitions: each model input once, with unit, meaning, range, distribution and sources."""

import difflib
import math
from dataclasses import dataclass

from ..errors import ScenarioError
from .csvfile import read_rows
from .distributions import FAMILIES, Distribution

PARAMETER_COLUMNS = [
    "name", "unit", "kind", "distribution", "low", "central", "high", "min", "max",
    "choices", "claims", "assumption", "description", "rationale",
]
# A parameter's name must carry its unit: one of these fragments must appear in it.
UNIT_IN_NAME = {
    "rounds": ("rounds",), "fraction": ("share", "fraction"), "USD/round": ("_usd",), "months": ("months",),
    "KRW/USD": ("krw_per_usd",), "year": ("year",), "measure": ("measure",), "rounds/day": ("per_day",),
    "rounds/year": ("per_year",), "containers": ("containers",), "ratio": ("ratio",), "kg": ("_kg",),
    "kg/round": ("kg_per_",), "rounds/container": ("per_container",), "t": ("_t",), "days": ("days",), "route": ("route",),
    "containers/day": ("per_day",),
}
# Parameters the dated flow replaced: a user who sets one is told what to do instead.
RETIRED = {
    "period_months": "the period now runs from the start of shipments to the as-of date; set as_of (YYYY-MM-DD)",
    "containers_count": "containers now come from the dated statements at the as-of date; set as_of, or add a "
                        "statement to the scenario's statements list",
}


@dataclass(frozen=True)
class Parameter:
    """One model input. `default` is a Distribution, or a value for choice parameters."""

    name: str
    unit: str
    kind: str
    default: object
    minimum: float | None
    maximum: float | None
    choices: tuple
    claims: tuple
    assumption: bool
    description: str
    rationale: str

    @property
    def is_choice(self):
        return self.kind == "choice"

    def default_spec(self):
        """The default as papermill/CLI text (a number, a `family:low:central:high` string, or a choice)."""
        return self.default if self.is_choice else self.default.spec()

    def parse(self, value, file="-p", key=None):
        """A validated override: a Distribution, or a choice value. Raises ScenarioError naming file and key."""
        key = key or self.name
        if self.is_choice:
            return self._parse_choice(value, file, key)
        dist = self._to_distribution(value, file, key)
        self._check_range(dist, file, key)
        return dist

    def _parse_choice(self, value, file, key):
        for choice in self.choices:
            if not isinstance(value, bool) and str(value).strip() == str(choice):
                return choice
        allowed = ", ".join(str(c) for c in self.choices)
        raise ScenarioError(file, key, f"expected one of {allowed}, got {value!r}")

    def _to_distribution(self, value, file, key):
        if isinstance(value, dict):
            return self._from_mapping(value, file, key)
        if isinstance(value, str):
            return self._from_text(value, file, key)
        return Distribution("fixed", self._number(value, file, key))

    def _from_text(self, text, file, key):
        parts = [p.strip() for p in text.strip().split(":")]
        family = None
        if parts and parts[0].lower() in FAMILIES:
            family = parts.pop(0).lower()
        if family == "fixed" or (family is None and len(parts) == 1):
            if len(parts) != 1:
                raise ScenarioError(file, key, f"expected fixed:VALUE, got {text!r}")
            return Distribution("fixed", self._number(parts[0], file, key))
        if len(parts) != 3:
            raise ScenarioError(file, key, f"expected a number or low:central:high (optionally family:low:central:high), got {text!r}")
        low, central, high = (self._number(p, file, key) for p in parts)
        return self._distribution(family or self._default_family(), low, central, high, file, key)

    def _from_mapping(self, mapping, file, key):
        allowed = {"distribution", "low", "central", "high", "value"}
        for k in mapping:
            if k not in allowed:
                hint = did_you_mean(str(k), allowed)
                raise ScenarioError(file, f"{key}.{k}", f"unknown field{hint}; expected {', '.join(sorted(allowed))}")
        if "value" in mapping:
            extra = set(mapping) - {"value", "distribution"}
            if extra:
                raise ScenarioError(file, key, "give either value or low/central/high, not both")
            return Distribution("fixed", self._number(mapping["value"], file, f"{key}.value"))
        family = mapping.get("distribution", self._default_family())
        if not isinstance(family, str) or family.lower() not in FAMILIES:
            raise ScenarioError(file, f"{key}.distribution", f"expected one of {', '.join(FAMILIES)}, got {family!r}")
        family = family.lower()
        if family == "fixed":
            return Distribution("fixed", self._number(mapping.get("central"), file, f"{key}.central"))
        missing = [k for k in ("low", "central", "high") if k not in mapping]
        if missing:
            raise ScenarioError(file, f"{key}.{missing[0]}", f"missing; a {family} distribution needs low, central and high")
        low, central, high = (self._number(mapping[k], file, f"{key}.{k}") for k in ("low", "central", "high"))
        return self._distribution(family, low, central, high, file, key)

    def _default_family(self):
        family = self.default.family
        return "triangular" if family == "fixed" else family

    @staticmethod
    def _distribution(family, low, central, high, file, key):
        try:
            return Distribution(family, central, low, high)
        except ValueError as exc:
            raise ScenarioError(file, key, str(exc)) from None

    def _number(self, value, file, key):
        if isinstance(value, bool) or value is None:
            raise ScenarioError(file, key, f"expected a number in {self.unit}, got {value!r}")
        try:
            number = float(str(value).replace("_", "").replace(",", "")) if isinstance(value, str) else float(value)
        except (TypeError, ValueError):
            raise ScenarioError(file, key, f"expected a number in {self.unit}, got {value!r}") from None
        if not math.isfinite(number):
            raise ScenarioError(file, key, f"expected a finite number in {self.unit}, got {value!r}")
        return number

    def _check_range(self, dist, file, key):
        low, high = dist.bounds
        if self.minimum is not None and low < self.minimum:
            raise ScenarioError(file, key, f"{low:g} is below the minimum {self.minimum:g} {self.unit}")
        if self.maximum is not None and high > self.maximum:
            raise ScenarioError(file, key, f"{high:g} is above the maximum {self.maximum:g} {self.unit}")


class ParameterSet(dict):
    """Parameters by name, in file order, with override resolution."""

    def resolve(self, overrides=None, file="-p"):
        """Every parameter's distribution or choice, defaults updated by validated overrides."""
        resolved = {name: p.default for name, p in self.items()}
        for name, value in (overrides or {}).items():
            resolved[name] = self.lookup(name, file).parse(value, file, name)
        return resolved

    def lookup(self, name, file="-p", key=None):
        if name in RETIRED and name not in self:
            raise ScenarioError(file, key or name, f"no longer a parameter: {RETIRED[name]}")
        if name not in self:
            raise ScenarioError(file, key or name, f"unknown parameter{did_you_mean(name, self)}")
        return self[name]


def did_you_mean(name, candidates):
    """' (did you mean 'x'?)' for the closest candidate, or ''."""
    match = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def load_parameters(path, claims):
    """Parameter definitions from parameters.csv, validated against the claims."""
    params = ParameterSet()
    for row in read_rows(path, PARAMETER_COLUMNS):
        name = row.text("name")
        if not name.isidentifier() or name != name.lower():
            raise row.error("name", f"expected a lower-case Python identifier, got {name!r}")
        if name in params:
            raise row.error("name", f"duplicate parameter {name!r}")
        unit = row.choice("unit", set(UNIT_IN_NAME))
        if not any(fragment in name for fragment in UNIT_IN_NAME[unit]):
            raise row.error("name", f"name must carry its unit {unit!r} (one of {', '.join(UNIT_IN_NAME[unit])})")
        kind = row.choice("kind", {"float", "choice"})
        cited = tuple(c for c in row.text("claims", required=False).split(";") if c)
        for claim_id in cited:
            if claim_id not in claims:
                raise row.error("claims", f"cites unknown claim {claim_id!r}; expected an id from claims.csv")
        assumption = row.choice("assumption", {"yes", "no"}) == "yes"
        if not cited and not assumption:
            raise row.error("claims", "cites no claim; a parameter without a source must be marked assumption=yes")
        if kind == "choice":
            choices = tuple(_choice_value(c) for c in row.text("choices").split(";"))
            default = _choice_value(row.text("central"))
            if default not in choices:
                raise row.error("central", f"expected one of the choices {choices}, got {default!r}")
            minimum = maximum = None
        else:
            choices = ()
            family = row.choice("distribution", set(FAMILIES))
            central = row.number("central")
            low, high = (None, None) if family == "fixed" else (row.number("low"), row.number("high"))
            try:
                default = Distribution(family, central, low, high)
            except ValueError as exc:
                raise row.error("distribution", str(exc)) from None
            minimum, maximum = row.number("min"), row.number("max")
            lo, hi = default.bounds
            if not minimum <= lo <= hi <= maximum:
                raise row.error("low", f"default range {lo:g}..{hi:g} lies outside min..max {minimum:g}..{maximum:g}")
        params[name] = Parameter(
            name, unit, kind, default, minimum, maximum, choices, cited, assumption,
            row.text("description"), row.text("rationale"),
        )
    return params


def _choice_value(text):
    text = text.strip()
    return int(text) if text.isdigit() else text
