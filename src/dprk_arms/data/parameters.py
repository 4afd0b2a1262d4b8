"""Parameter definitions: each model input once, with unit, meaning, range, distribution and sources."""

import difflib
import math
import re
from dataclasses import dataclass

from ..errors import DataError, ScenarioError
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
    "containers/day": ("per_day",), "USD/container": ("usd_per_container",),
}
# Parameters the dated flow replaced: a user who sets one is told what to do instead.
RETIRED = {
    "period_months": "the period now runs from the start of shipments to the as-of date; set as_of (YYYY-MM-DD)",
    "containers_count": "containers now come from the dated statements at the as-of date; set as_of, or add a "
                        "statement to the scenario's statements list",
}

# Every input the models read (models.evaluate; the two choices select the economy series). A parameters.csv
# without one of them is incomplete, whatever else it holds. tests/test_data.py keeps this in step with the models.
REQUIRED_PARAMETERS = (
    "volume_rounds", "share_122mm", "share_other", "price_152mm_usd", "price_122mm_usd", "price_other_usd",
    "krw_per_usd", "economy_year", "economy_measure", "fire_rate_per_day", "dud_fraction",
    "russia_output_rounds_per_year", "eu_pledge_rounds_per_year", "statement_error_fraction",
    "ship_rate_containers_per_day", "munitions_container_share", "return_ratio", "payload_kg_per_container",
    "packed_mass_kg_per_152mm", "packed_mass_kg_per_122mm", "rounds_per_container_152mm",
    "rounds_per_container_122mm", "explosives_t", "intel_volume_rounds", "stated_supply_days", "volume_route",
    "economy_growth_fraction", "in_kind_share", "in_kind_valuation_ratio", "return_cargo_usd_per_container",
)
# An unbounded (lognormal) distribution is cut to the parameter's allowed range; more than this share of its
# probability outside the range would make the cut change the distribution materially, so it is refused.
MAX_MASS_OUTSIDE = 0.01
# Digits with ',' as a thousands separator in every group (1,000,000 or 1,234.5); anything else with a comma
# ("1,5", "1,50") may be a decimal comma and is refused rather than guessed.
GROUPED_NUMBER = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


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
        outside = self.mass_outside(dist)
        if outside > MAX_MASS_OUTSIDE:
            raise ScenarioError(file, key, self.outside_message(dist, outside))
        return dist.truncated(self.minimum, self.maximum)

    def mass_outside(self, dist):
        """Share of an unbounded distribution's probability outside min..max (0 for bounded families)."""
        return dist.mass_outside(self.minimum, self.maximum) if dist.is_unbounded else 0.0

    def outside_message(self, dist, outside):
        return (f"{dist.describe()} puts {outside:.1%} of its draws outside the allowed range "
                f"{self.minimum:g} to {self.maximum:g} {self.unit} (at most {MAX_MASS_OUTSIDE:.0%}); "
                "narrow low..high or use a bounded family (pert, triangular, uniform)")

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
        return parse_number(value, file, key, self.unit)

    def _check_range(self, dist, file, key):
        low, high = dist.bounds
        if self.minimum is not None and low < self.minimum:
            raise ScenarioError(file, key, f"{low:g} is below the minimum {self.minimum:g} {self.unit}")
        if self.maximum is not None and high > self.maximum:
            raise ScenarioError(file, key, f"{high:g} is above the maximum {self.maximum:g} {self.unit}")


def parse_number(value, file, key, unit) -> float:
    """A finite number from YAML or text; a comma only as a thousands separator in every group (1,000,000 or
    1,000.5), since "1,5" may be a decimal comma and is refused rather than guessed."""
    if isinstance(value, bool) or value is None:
        raise ScenarioError(file, key, f"expected a number in {unit}, got {value!r}")
    if isinstance(value, str) and "," in value:
        text = value.strip()
        ambiguous = text.count(",") == 1 and "." not in text  # 1,500 is one and a half in much of the world
        if ambiguous or not GROUPED_NUMBER.match(text):
            raise ScenarioError(file, key, f"expected a number in {unit}, got {value!r}: a comma may be a "
                                "decimal comma, so it is read as a thousands separator only in 1,000,000 or "
                                "1,000.5; write the number without commas, with '.' for decimals")
    try:
        number = float(str(value).replace("_", "").replace(",", "")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError, OverflowError):
        raise ScenarioError(file, key, f"expected a number in {unit}, got {value!r}") from None
    if not math.isfinite(number):
        raise ScenarioError(file, key, f"expected a finite number in {unit}, got {value!r}")
    return number


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


def did_you_mean(name, candidates) -> str:
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
            outside = default.mass_outside(minimum, maximum) if default.is_unbounded else 0.0
            if outside > MAX_MASS_OUTSIDE:
                raise row.error("distribution", f"{default.describe()} puts {outside:.1%} of its draws outside "
                                f"min..max {minimum:g}..{maximum:g} (at most {MAX_MASS_OUTSIDE:.0%})")
            default = default.truncated(minimum, maximum)
        params[name] = Parameter(
            name, unit, kind, default, minimum, maximum, choices, cited, assumption,
            row.text("description"), row.text("rationale"),
        )
    missing = [n for n in REQUIRED_PARAMETERS if n not in params]
    if missing:
        raise DataError(path, None, "name", f"no row for {', '.join(missing[:5])}{' and more' if len(missing) > 5 else ''}"
                        f" ({len(missing)} of the {len(REQUIRED_PARAMETERS)} parameters the models need)")
    return params


def _choice_value(text):
    text = text.strip()
    return int(text) if text.isdigit() else text
