"""Input distributions (fixed, uniform, triangular, PERT, lognormal) backed by scipy.stats."""

import functools
import math
from dataclasses import dataclass, field, replace

import numpy as np

FAMILIES = ("fixed", "uniform", "triangular", "pert", "lognormal")
Z95 = 1.6448536269514722  # scipy.stats.norm.ppf(0.95); scipy loads only when sampling


@dataclass(frozen=True)
class Distribution:
    """A parameter's uncertainty: `central` is the point estimate; `low`/`high` bound the range.

    For lognormal, `central` is the median and `low`/`high` are read as P5/P95 (sigma from their ratio).
    A lognormal is unbounded, so `floor`/`ceiling` (the parameter's allowed range, see `truncated`) cut it:
    no draw ever leaves the range a parameter allows.
    """

    family: str
    central: float
    low: float | None = None
    high: float | None = None
    floor: float | None = field(default=None, compare=False)
    ceiling: float | None = field(default=None, compare=False)

    def __post_init__(self):
        if self.family not in FAMILIES:
            raise ValueError(f"unknown distribution {self.family!r}; expected one of {', '.join(FAMILIES)}")
        values = [self.central] + ([] if self.family == "fixed" else [self.low, self.high])
        if any(v is None or not math.isfinite(v) for v in values):
            raise ValueError(f"{self.family} needs finite low, central and high")
        if self.family != "fixed" and not self.low <= self.central <= self.high:
            raise ValueError(f"expected low <= central <= high, got {self.low}, {self.central}, {self.high}")
        if self.family == "lognormal" and self.low <= 0:
            raise ValueError("lognormal needs low > 0")

    @property
    def is_unbounded(self):
        """True for families whose draws can fall outside [low, high] (lognormal: low/high are P5/P95)."""
        return self.family == "lognormal" and not self.is_fixed

    def mass_outside(self, floor=None, ceiling=None):
        """Share of the untruncated distribution's probability below `floor` or above `ceiling`."""
        dist = self.frozen()
        if dist is None:
            return 0.0
        below = float(dist.cdf(floor)) if floor is not None else 0.0
        above = float(dist.sf(ceiling)) if ceiling is not None else 0.0
        return below + above

    def truncated(self, floor, ceiling):
        """This distribution cut to [floor, ceiling] (only unbounded families change)."""
        if not self.is_unbounded:
            return self
        return replace(self, floor=floor, ceiling=ceiling)

    @property
    def is_fixed(self):
        return self.family == "fixed" or self.low == self.high

    @property
    def bounds(self):
        """(low, high) of the range; the central value twice when fixed."""
        return (self.central, self.central) if self.family == "fixed" else (self.low, self.high)

    def frozen(self):
        """The scipy.stats frozen distribution, before any truncation (None when fixed)."""
        if self.is_fixed:
            return None
        from scipy import stats
        lo, hi, c = self.low, self.high, self.central
        if self.family == "uniform":
            return stats.uniform(loc=lo, scale=hi - lo)
        if self.family == "triangular":
            return stats.triang(c=(c - lo) / (hi - lo), loc=lo, scale=hi - lo)
        if self.family == "pert":
            a = 1 + 4 * (c - lo) / (hi - lo)
            b = 1 + 4 * (hi - c) / (hi - lo)
            return stats.beta(a, b, loc=lo, scale=hi - lo)
        return stats.lognorm(s=self._sigma(), scale=c)

    def sample(self, n, rng):
        """n draws as a float array, from a numpy Generator."""
        dist = self.frozen()
        if dist is None:
            return np.full(n, float(self.central))
        if self.is_unbounded and (self.floor is not None or self.ceiling is not None):
            # A lognormal is exp(normal): truncate the normal on the log scale (scipy.stats.truncnorm).
            from scipy import stats
            mu, sigma = math.log(self.central), self._sigma()
            lo = (math.log(self.floor) - mu) / sigma if self.floor and self.floor > 0 else -math.inf
            hi = (math.log(self.ceiling) - mu) / sigma if self.ceiling is not None else math.inf
            draws = np.exp(stats.truncnorm(lo, hi, loc=mu, scale=sigma).rvs(size=n, random_state=rng))
            # exp() of a value at the cut can round a hair past it
            return np.clip(draws, self.floor if self.floor is not None else 0.0,
                           self.ceiling if self.ceiling is not None else np.inf)
        return dist.rvs(size=n, random_state=rng)

    def ppf(self, u):
        """The quantiles at probabilities `u` (an array in [0, 1]), truncation included: a copula samples
        through this, so each input keeps exactly its own distribution."""
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        dist = self.frozen()
        if dist is None:
            return np.full(u.shape, float(self.central))
        if self.is_unbounded and (self.floor is not None or self.ceiling is not None):
            lo = dist.cdf(self.floor) if self.floor is not None else 0.0
            hi = dist.cdf(self.ceiling) if self.ceiling is not None else 1.0
            return np.clip(dist.ppf(lo + u * (hi - lo)), self.floor if self.floor is not None else 0.0,
                           self.ceiling if self.ceiling is not None else np.inf)
        if self.family == "pert":
            # scipy's beta.ppf inverts the incomplete beta function value by value (~6 us each): most of a
            # correlated run's time. A polynomial inverse of the CDF (UNU.RAN's PINV) matches it to 1e-12 in u.
            return np.clip(_pert_inverse(self.low, self.central, self.high).ppf(u), self.low, self.high)
        return dist.ppf(u)

    def _sigma(self):
        return math.log(self.high / self.low) / (2 * Z95)

    def spec(self):
        """The compact text form `family:low:central:high` (or the bare value when fixed)."""
        if self.family == "fixed":
            return _num(self.central)
        return f"{self.family}:{_num(self.low)}:{_num(self.central)}:{_num(self.high)}"

    def describe(self):
        """Human form, e.g. 'PERT 500 / 1,000 / 4,000'."""
        if self.family == "fixed":
            return f"fixed {human(self.central)}"
        name = {"pert": "PERT", "lognormal": "lognormal (P5/median/P95)"}.get(self.family, self.family)
        return f"{name} {human(self.low)} / {human(self.central)} / {human(self.high)}"


class _PertDensity:
    """The PERT density in scalar math, for PINV's set-up (which calls it a few thousand times)."""

    def __init__(self, low, central, high):
        self.low, self.width = low, high - low
        self.a = 1 + 4 * (central - low) / self.width
        self.b = 1 + 4 * (high - central) / self.width
        self.log_norm = -(math.lgamma(self.a) + math.lgamma(self.b) - math.lgamma(self.a + self.b)) - math.log(self.width)

    def pdf(self, x):
        t = (x - self.low) / self.width
        if t < 0 or t > 1 or (t == 0 and self.a > 1) or (t == 1 and self.b > 1):
            return 0.0
        return math.exp(self.log_norm + (self.a - 1) * (math.log(t) if t > 0 else 0.0)
                        + (self.b - 1) * (math.log1p(-t) if t < 1 else 0.0))

    def cdf(self, x):
        from scipy import special
        return float(special.betainc(self.a, self.b, min(max((x - self.low) / self.width, 0.0), 1.0)))


@functools.lru_cache(maxsize=64)
def _pert_inverse(low, central, high):
    """A fast, accurate inverse CDF of PERT(low, central, high), built once per distribution and process."""
    from scipy.stats.sampling import NumericalInversePolynomial
    density = _PertDensity(low, central, high)
    mode = low + (high - low) * (density.a - 1) / (density.a + density.b - 2)
    return NumericalInversePolynomial(density, domain=(low, high), center=min(max(mode, low), high),
                                      u_resolution=1e-12)


def _num(x):
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


def human(x):
    """1,000,000 or 0.14: thousands separators, no exponent."""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.4g}"
