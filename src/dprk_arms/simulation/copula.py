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
    return mixer(names, pairs)(normals)


def mixer(names, pairs):
    """A function {name: normals} -> {name: correlated uniforms} for the copula of `names` (square root once)."""
    if not names:
        return lambda normals: {}
    from scipy import stats
    root = square_root(matrix(names, pairs))
    # L L' has a unit diagonal only up to rounding; rescale so each column stays exactly standard normal
    scale = np.sqrt((root ** 2).sum(axis=1))

    def mix(normals):
        out = {}
        for i, name in enumerate(names):
            # summed term by term, not by a matrix product: each draw's result then never depends on how many
            # draws are mixed at once (BLAS picks kernels, and their summation order, by the matrix's size)
            column = normals[names[0]] * root[i, 0]
            for j in range(1, len(names)):
                column += normals[names[j]] * root[i, j]
            column /= scale[i]
            out[name] = stats.norm.cdf(column)
        return out
    return mix
