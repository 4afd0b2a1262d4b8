"""Rank correlations between inputs (data/correlations.csv, a scenario's `correlations:`), validated as a matrix."""

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..errors import ScenarioError
from .csvfile import read_rows
from .parameters import did_you_mean

CORRELATION_COLUMNS = ["parameter_a", "parameter_b", "rank_correlation", "claims", "rationale"]
# An eigenvalue this far below zero is rounding, not an invalid matrix (a perfect correlation is singular).
EIGEN_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Correlation:
    """A target Spearman rank correlation between two inputs, and why."""

    a: str
    b: str
    rank: float
    rationale: str
    claims: tuple = ()


def pair(a, b):
    """The pair's names in canonical (sorted) order."""
    return (a, b) if a <= b else (b, a)


def pearson_from_spearman(rank):
    """The Gaussian copula's correlation that gives Spearman's rho `rank`: 2 sin(pi rho / 6)."""
    return 2.0 * np.sin(np.pi * np.asarray(rank, dtype=float) / 6.0)


def matrix(names, pairs):
    """The Spearman matrix over `names` from {(a, b): rho} (absent pairs 0)."""
    index = {n: i for i, n in enumerate(names)}
    m = np.eye(len(names))
    for (a, b), rho in pairs.items():
        if a in index and b in index:
            m[index[a], index[b]] = m[index[b], index[a]] = rho
    return m


def matrix_problem(pairs):
    """Why the pairs do not make a valid correlation matrix for the Gaussian copula, or None."""
    names = sorted({n for p, rho in pairs.items() if rho != 0 for n in p})
    if not names:
        return None
    spearman = matrix(names, pairs)
    pearson = pearson_from_spearman(spearman)
    for label, m in (("rank", spearman), ("copula", pearson)):
        low = float(np.linalg.eigvalsh(m).min())
        if low < -EIGEN_TOLERANCE:
            return (f"the {label} correlations among {', '.join(names)} are not a valid correlation matrix (not "
                    f"positive semi-definite: smallest eigenvalue {low:.3g}); the pairs contradict each other, e.g. "
                    "a with b and b with c strongly positive but a with c strongly negative")
    return None


def load_correlations(path, claims, parameters):
    """Default correlations from data/correlations.csv: known, varying numeric inputs, one row per pair, valid."""
    found = {}
    rows = read_rows(path, CORRELATION_COLUMNS)
    for row in rows:
        names = []
        for field in ("parameter_a", "parameter_b"):
            name = row.text(field)
            if name not in parameters:
                raise row.error(field, f"unknown parameter {name!r}{did_you_mean(name, parameters)}")
            if parameters[name].is_choice:
                raise row.error(field, f"{name} is a choice, not a number; only numeric inputs correlate")
            names.append(name)
        if names[0] == names[1]:
            raise row.error("parameter_b", f"{names[0]} is paired with itself")
        rank = row.number("rank_correlation")
        if not -1 <= rank <= 1:
            raise row.error("rank_correlation", f"expected a number from -1 to 1, got {rank:g}")
        key = pair(*names)
        if key in found:
            raise row.error("parameter_b", f"duplicate pair {key[0]} and {key[1]}; keep one row")
        cited = tuple(c for c in row.text("claims", required=False).split(";") if c)
        for claim_id in cited:
            if claim_id not in claims:
                raise row.error("claims", f"cites unknown claim {claim_id!r}; expected an id from claims.csv")
        found[key] = Correlation(key[0], key[1], rank, row.text("rationale"), cited)
    problem = matrix_problem({k: c.rank for k, c in found.items()})
    if problem:
        raise rows[-1].error("rank_correlation", problem)
    return tuple(found.values())


def parse_scenario(value, parameters, file, key="correlations"):
    """A scenario's `correlations:` mapping (name: {other: rho}) in canonical form: each pair once, sorted,
    {a: {b: rho}} with a < b. Errors name the file and the key."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ScenarioError(file, key, f"expected a mapping such as {{price_152mm_usd: {{price_122mm_usd: 0.9}}}}, "
                            f"got a {type(value).__name__} ({value!r})")
    canonical = {}
    for a, inner in value.items():
        where = f"{key}.{a}"
        _check_name(a, parameters, file, where)
        if not isinstance(inner, Mapping) or not inner:
            raise ScenarioError(file, where, f"expected a mapping of other parameters to rank correlations "
                                f"from -1 to 1, got {inner!r}")
        for b, rho in inner.items():
            here = f"{where}.{b}"
            _check_name(b, parameters, file, here)
            if a == b:
                raise ScenarioError(file, here, "a parameter is paired with itself")
            if isinstance(rho, bool) or not isinstance(rho, (int, float)) or not math.isfinite(rho) or \
                    not -1 <= rho <= 1:
                raise ScenarioError(file, here, f"expected a rank correlation from -1 to 1, got {rho!r}")
            x, y = pair(a, b)
            if y in canonical.get(x, {}):
                raise ScenarioError(file, here, f"the pair {x} and {y} is given twice")
            canonical.setdefault(x, {})[y] = int(rho) if float(rho).is_integer() else float(rho)
    return {x: dict(sorted(canonical[x].items())) for x in sorted(canonical)}


def _check_name(name, parameters, file, where):
    if not isinstance(name, str) or name not in parameters:
        raise ScenarioError(file, where, f"unknown parameter {name!r}{did_you_mean(str(name), parameters)}")
    if parameters[name].is_choice:
        raise ScenarioError(file, where, f"{name} is a choice, not a number; only numeric inputs correlate")


def effective(defaults, overrides):
    """{(a, b): rho} in use: the data's default pairs, then a scenario's pairs on top (0 switches a pair off)."""
    pairs = {pair(c.a, c.b): c.rank for c in defaults}
    for a, inner in (overrides or {}).items():
        for b, rho in inner.items():
            pairs[pair(a, b)] = float(rho)
    return {k: v for k, v in sorted(pairs.items()) if v != 0}


def check(pairs, file, key="correlations"):
    """Raise a ScenarioError naming `file` and `key` when the pairs in use are not a valid matrix."""
    problem = matrix_problem(pairs)
    if problem:
        raise ScenarioError(file, key, problem)
    return pairs
