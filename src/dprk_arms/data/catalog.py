"""The validated contents of data/: sources, claims, parameters and the economy series."""

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from .. import paths
from ..errors import ScenarioError
from .claims import load_claims, load_sources
from .correlations import load_correlations
from .csvfile import read_rows
from . import statements as statements_mod
from .parameters import load_parameters

SERIES_UNITS = {"gni_nominal": "KRW", "gdp_nominal": "KRW", "exports": "USD", "krw_per_usd": "KRW/USD"}
DATA_FILES = ("sources.csv", "claims.csv", "parameters.csv", "series.csv", "statements.csv", "correlations.csv")


ROUTE_INPUTS = {"volume_rounds": "stated", "intel_volume_rounds": "intel"}  # input -> the route that uses it


@dataclass(frozen=True)
class Catalog:
    data_dir: Path
    sources: dict
    claims: dict
    parameters: dict
    series: dict  # (series, year) -> Claim
    statements: tuple = ()  # dated statements about the flow, in date order
    correlations: tuple = ()  # default rank correlations between inputs (data/correlations.csv)

    def economy_by_year_krw(self, measure, years):
        """For each year: the last published figure at or before it, and how many years it must be grown."""
        published = sorted(y for (s, y) in self.series if s == measure)
        out = {}
        for year in years:
            base = max((y for y in published if y <= year), default=None)
            if base is None:
                raise ScenarioError("data/series.csv", "economy_measure", f"no {measure} figure for {year} or before")
            out[year] = (self.series[(measure, base)].value, year - base)
        return out

    def krw_per_usd_by_year(self, years):
        """The sourced won/dollar rate of each year, or None where no source gives one."""
        return {y: (self.series[("krw_per_usd", y)].value if ("krw_per_usd", y) in self.series else None)
                for y in years}

    def timeline(self, as_of=None, statements=(), file="scenario"):
        """The data's statements with a scenario's (plain dicts or Statements) and the as-of date, validated."""
        extra = tuple(s for s in statements if isinstance(s, statements_mod.Statement)) or \
            statements_mod.scenario_statements(list(statements) or None, file)
        return statements_mod.timeline(self.statements, extra, as_of, file)

    def economy_krw(self, measure, year):
        return self._series(measure, year, "economy_measure").value

    def exports_usd(self, year):
        return self._series("exports", year, "economy_year").value

    def _series(self, name, year, key):
        try:
            return self.series[(name, int(year))]
        except KeyError:
            years = ", ".join(str(y) for (s, y) in sorted(self.series) if s == name)
            raise ScenarioError("data/series.csv", key, f"no {name} figure for {year}; available years: {years}") from None

    def resolve(self, overrides=None, file="-p", varied=()) -> dict:
        """Every parameter's distribution or choice after overrides, with cross-parameter checks.

        `varied` names inputs a sweep or solve will set, which count as set for the volume route.
        """
        resolved = self.parameters.resolve(overrides, file)
        chosen = set(overrides or {}) | set(varied)
        if "volume_rounds" in chosen and "volume_route" not in chosen:
            resolved["volume_route"] = "stated"  # a volume the user fixes is the volume they mean
        measure, year = resolved["economy_measure"], resolved["economy_year"]
        if (measure, year) not in self.series:
            years = ", ".join(str(y) for (s, y) in sorted(self.series) if s == measure)
            raise ScenarioError(file, "economy_year", f"no {measure} figure for {year}; expected one of {years}")
        share_high = resolved["share_122mm"].bounds[1] + resolved["share_other"].bounds[1]
        if share_high > 1:
            raise ScenarioError(file, "share_other", f"share_122mm + share_other can reach {share_high:g}; expected at most 1")
        return resolved

    @staticmethod
    def check_route_inputs(resolved, given, file="-p", key_prefix="") -> None:
        """Refuse an input the user gave (by -p, a scenario, an axis or solve's --for) that the volume route
        then ignores: a sweep of it would be flat, an estimate would quietly use another volume."""
        route = resolved["volume_route"]
        for name, needs in ROUTE_INPUTS.items():
            if name in given and route != needs:
                raise ScenarioError(file, f"{key_prefix}{name}", f"is not used when volume_route is {route}; "
                                    f"set volume_route to {needs} to use it, or leave {name} out")

    def claims_for(self, name) -> list:
        return [self.claims[c] for c in self.parameters[name].claims]

    def fingerprint(self) -> str:
        """SHA-256 over every data file, for provenance and re-render decisions."""
        digest = hashlib.sha256()
        for name in DATA_FILES:
            digest.update(name.encode())
            digest.update((self.data_dir / name).read_bytes())
        return digest.hexdigest()


def load_series(path, claims):
    series = {}
    for row in read_rows(path, ["series", "year", "claim_id"]):
        name = row.choice("series", set(SERIES_UNITS))
        year = row.number("year")
        if not year.is_integer():
            raise row.error("year", f"expected a whole year, got {year:g}")
        claim_id = row.text("claim_id")
        if claim_id not in claims:
            raise row.error("claim_id", f"cites unknown claim {claim_id!r}; expected an id from claims.csv")
        claim = claims[claim_id]
        if claim.unit != SERIES_UNITS[name]:
            raise row.error("claim_id", f"claim {claim_id!r} is in {claim.unit}; series {name} expects {SERIES_UNITS[name]}")
        if claim.value <= 0:
            raise row.error("claim_id", f"claim {claim_id!r} must be positive for a series, got {claim.value}")
        if (name, int(year)) in series:
            # Two figures for one year: keeping either silently would change every share of the economy.
            raise row.error("year", f"duplicate row for {name} {int(year)} (also cites "
                            f"{series[(name, int(year))].id!r}); keep one")
        series[(name, int(year))] = claim
    return series


@functools.lru_cache(maxsize=4)
def load(data_dir=None) -> Catalog:
    """Load and validate everything in data/ (cached per folder)."""
    data_dir = Path(data_dir or paths.DATA_DIR)
    sources = load_sources(data_dir / "sources.csv")
    claims = load_claims(data_dir / "claims.csv", sources)
    parameters = load_parameters(data_dir / "parameters.csv", claims)
    series = load_series(data_dir / "series.csv", claims)
    statements = statements_mod.load_statements(data_dir / "statements.csv", claims)
    correlations = load_correlations(data_dir / "correlations.csv", claims, parameters)
    return Catalog(data_dir, sources, claims, parameters, series, statements, correlations)
