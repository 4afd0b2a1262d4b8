"""Gaussian copula: correlated uniforms with target Spearman rank correlations, for inputs drawn by their quantiles."""

import numpy as np

from ..data.correlations import matrix, pearson_from_spearman
from ..data.distributions import Distribution


def group(resolved, pairs):
    """Names, in parameter order, of the varying inputs in at least one non-zero pair (a fixed input has nothing
    to correlate)."""
    varying = {n for n, d in resolved.items() if isinstance(d, Distribution) and not d.is_fixed}
    linked = {n for (a, b), rho in pairs.items() if rho != 0 and a in varying and b in varying for n in (a, b)}
    return [n for n in resolved if n in linked]


def square_root(spearman):
    """A matrix L with L L' = the copula's (Pearson) correlation matrix; by eigenvalues, so a perfect (singular)
    correlation works too. Validation (data.correlations) has refused matrices that are not positive semi-definite."""
    pearson = pearson_from_spearman(spearman)
    np.fill_diagonal(pearson, 1.0)
    values, vectors = np.linalg.eigh(pearson)
    return vectors * np.sqrt(np.clip(values, 0.0, None))


def uniforms(names, normals, pairs):
    """{name: uniform draws} with the target rank correlations, from independent standard normals per name."""
    if not names:
        return {}
    from scipy import stats
    root = square_root(matrix(names, pairs))
    independent = np.column_stack([normals[n] for n in names])
    correlated = independent @ root.T
    # L L' has a unit diagonal only up to rounding; rescale so each column stays exactly standard normal
    correlated /= np.sqrt((root ** 2).sum(axis=1))
    return {n: stats.norm.cdf(correlated[:, i]) for i, n in enumerate(names)}
