"""Exact summaries of draws (mean, quantiles, threshold shares), in memory or over chunks in bounded memory."""

from fractions import Fraction

import numpy as np

QUANTILES = (0.05, 0.5, 0.95)
EDGES = 2048  # buckets per output in a selection pass: the bucket holding a rank keeps about draws / EDGES values
COLLECT_MAX = 1 << 14  # values kept per sought rank; a fuller bucket is split again on the next pass
_SIGN = np.int64(0x7FFFFFFFFFFFFFFF)
_EXP_OFFSET = 1100  # frexp exponents run from -1073 to 1024
_EXP_SPAN = 2200
_SCALE = 1200  # an exact sum is an integer times 2**-_SCALE
_ROWS = 1 << 13  # rows split at once (temporaries stay small)
_FLUSH_ROWS = 1 << 25  # rows summed in floats before the sums move to integers (2**25 * 2**27 < 2**53)


def ranks(draws, quantiles=QUANTILES):
    """The two order statistics (0-based) and the weight numpy's default (linear) quantile blends them with."""
    virtual = (draws - 1) * np.asarray(quantiles, dtype=float)
    below = np.floor(virtual)
    gamma = virtual - below
    below = np.clip(below, 0, draws - 1).astype(np.int64)
    return below, np.clip(below + 1, 0, draws - 1), gamma


def blend(a, b, t):
    """numpy's quantile interpolation, operation for operation, so order statistics give np.quantile's value."""
    a, b, t = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (a, b, t)))
    with np.errstate(invalid="ignore"):  # inf - inf is NaN here as in numpy
        diff = np.subtract(b, a)
        out = np.add(a, diff * t)
        np.subtract(b, diff * (1 - t), out=out, where=t >= 0.5)
    return out


def keys(values):
    """float64 -> int64 keys in the same order (-0.0 counted as 0.0); NaN has no key (callers drop it)."""
    bits = (np.asarray(values, dtype=float) + 0.0).view(np.int64)
    return np.where(bits < 0, bits ^ _SIGN, bits)


def unkey(k):
    k = np.asarray(k, dtype=np.int64)
    return np.where(k < 0, k ^ _SIGN, k).view(np.float64)


class Totals:
    """Exact running sums of columns: each value split into integer parts by binary exponent, so the sum (and the
    mean, rounded once) is the same however the draws are split into chunks."""

    def __init__(self, columns):
        self.columns = columns
        self.scaled = [0] * columns  # exact sum of the finite values, times 2**_SCALE
        self.nan = np.zeros(columns, dtype=np.int64)
        self.pos_inf = np.zeros(columns, dtype=np.int64)
        self.neg_inf = np.zeros(columns, dtype=np.int64)
        self.count = 0

    def add(self, block):
        """Add a (draws x columns) block."""
        block = np.asarray(block, dtype=float)
        self.count += block.shape[0]
        self.nan += np.isnan(block).sum(axis=0)
        self.pos_inf += np.isposinf(block).sum(axis=0)
        self.neg_inf += np.isneginf(block).sum(axis=0)
        size = _EXP_SPAN * self.columns
        base = _EXP_OFFSET + _EXP_SPAN * np.arange(self.columns)
        for start in range(0, block.shape[0], _FLUSH_ROWS):
            highs, lows = np.zeros(size), np.zeros(size)  # float sums of integers below 2**27: exact below 2**53
            for row in range(start, min(start + _FLUSH_ROWS, block.shape[0]), _ROWS):  # small temporaries
                part = block[row:row + _ROWS]
                mantissa, exponent = np.frexp(np.where(np.isfinite(part), part, 0.0))
                whole = mantissa * 2.0 ** 53  # an integer below 2**53 in size
                high = np.trunc(whole * 2.0 ** -27)
                where = (exponent + base).ravel()
                highs += np.bincount(where, weights=high.ravel(), minlength=size)
                lows += np.bincount(where, weights=(whole - high * 2.0 ** 27).ravel(), minlength=size)
            highs, lows = highs.reshape(self.columns, -1), lows.reshape(self.columns, -1)
            for c in range(self.columns):
                for e in np.flatnonzero((highs[c] != 0) | (lows[c] != 0)):
                    shift = int(e) - _EXP_OFFSET - 53 + _SCALE
                    self.scaled[c] += (int(highs[c, e]) * 2 ** 27 + int(lows[c, e])) << shift

    def means(self):
        out = np.empty(self.columns)
        for c in range(self.columns):
            if self.nan[c] or (self.pos_inf[c] and self.neg_inf[c]):
                out[c] = np.nan
            elif self.pos_inf[c] or self.neg_inf[c]:
                out[c] = np.inf if self.pos_inf[c] else -np.inf
            else:
                out[c] = float(Fraction(self.scaled[c], self.count << _SCALE))
        return out


def describe(block, quantiles=QUANTILES):
    """(means, quantiles x columns) of a (draws x columns) block held in memory: np.quantile's values, the exact
    mean (the same as `Chunked` gives)."""
    block = np.asarray(block, dtype=float)
    totals = Totals(block.shape[1])
    totals.add(block)
    below, above, gamma = ranks(block.shape[0], quantiles)
    order = np.partition(block, np.unique(np.concatenate([below, above])), axis=0)
    q = blend(order[below] + 0.0, order[above] + 0.0, gamma[:, None])
    q[:, np.isnan(block).any(axis=0)] = np.nan  # as np.quantile: a NaN anywhere makes every quantile NaN
    return totals.means(), q


class Chunked:
    """Exact mean, quantiles and threshold shares of columns seen in chunks, in memory bounded by the chunk.

    A quantile needs two order statistics, found by selection over passes of the same chunks: the first pass
    counts each column's values in buckets cut at its first chunk's quantiles, and each later pass keeps only
    the values in the bucket holding a sought rank (or, when that bucket is still too full, counts it in finer
    buckets). `passes(chunks)` runs them; `chunks` is called once per pass and must give the same chunks each time.
    """

    def __init__(self, names, draws, thresholds=(), quantiles=QUANTILES):
        self.names, self.draws, self.quantiles = list(names), int(draws), tuple(quantiles)
        self.thresholds = list(thresholds)  # (name, threshold, above)
        self.below, self.above, self.gamma = ranks(self.draws, self.quantiles)

    def run(self, chunks):
        """Every summary from `chunks()` (an iterable of {name: array} per call); returns self."""
        columns = len(self.names)
        totals = Totals(columns)
        counts = np.zeros(len(self.thresholds), dtype=np.int64)
        lowest = np.full(columns, np.iinfo(np.int64).max)
        highest = np.full(columns, np.iinfo(np.int64).min)
        edges, histogram = None, None
        for chunk in chunks():
            block = np.column_stack([np.asarray(chunk[n], dtype=float) for n in self.names])
            totals.add(block)
            for i, (name, threshold, above) in enumerate(self.thresholds):
                v = np.asarray(chunk[name], dtype=float)
                counts[i] += np.count_nonzero(v > threshold if above else v < threshold)
            del block
            if edges is None:
                edges, histogram = [None] * columns, [None] * columns
            for c, name in enumerate(self.names):
                v = np.asarray(chunk[name], dtype=float)
                kc = keys(v[~np.isnan(v)])
                if edges[c] is None:  # buckets cut at the first chunk's quantiles, each cut value its own bucket
                    seen = np.sort(kc)
                    cut = np.unique(seen[np.linspace(0, len(seen) - 1, min(EDGES, len(seen))).astype(int)]) \
                        if len(seen) else np.zeros(1, dtype=np.int64)
                    edges[c] = np.unique(np.concatenate([cut, cut + 1]))
                    histogram[c] = np.zeros(len(edges[c]) + 1, dtype=np.int64)
                if len(kc):
                    lowest[c], highest[c] = min(lowest[c], kc.min()), max(highest[c], kc.max())
                    histogram[c] += np.bincount(np.searchsorted(edges[c], kc, side="right"),
                                                minlength=len(edges[c]) + 1)
        self.means = totals.means()
        self.shares = {(n, t, a): float(counts[i] / self.draws) for i, (n, t, a) in enumerate(self.thresholds)}
        self.passes = 1
        # each sought order statistic: (column, rank) -> [low key, high key, values below low]
        wanted = {}
        for c in range(columns):
            if totals.nan[c]:
                continue
            cumulative = np.cumsum(histogram[c])
            for rank in {int(r) for r in np.concatenate([self.below, self.above])}:
                b = int(np.searchsorted(cumulative, rank, side="right"))
                low = edges[c][b - 1] if b > 0 else lowest[c]
                high = edges[c][b] - 1 if b < len(edges[c]) else highest[c]
                wanted[(c, rank)] = [int(low), int(high), int(cumulative[b - 1]) if b > 0 else 0,
                                     int(histogram[c][b])]
        found = {}
        while True:
            for key, (low, high, _, _) in list(wanted.items()):
                if low == high:
                    found[key] = low
                    del wanted[key]
            if not wanted:
                break
            found.update(self._pass(chunks, wanted))
            self.passes += 1
        table = np.full((len(self.quantiles), columns), np.nan)
        for c in range(columns):
            if totals.nan[c]:
                continue
            a = unkey([found[(c, int(r))] for r in self.below])
            b = unkey([found[(c, int(r))] for r in self.above])
            table[:, c] = blend(a, b, self.gamma)
        self.table = table
        return self

    def _pass(self, chunks, wanted):
        """One more pass: keep the values of each small bucket (resolving it), split each full one finer."""
        collect = {key: [] for key, w in wanted.items() if w[3] <= COLLECT_MAX}
        split = {key: np.zeros(EDGES + 1, dtype=np.int64) for key in wanted if key not in collect}
        step = {key: max(1, -(-(wanted[key][1] - wanted[key][0] + 1) // EDGES)) for key in split}
        # offsets from a bucket's low key, in uint64: a bucket may span more than int64 holds (-inf to inf)
        offset = {key: np.uint64(wanted[key][0] % 2 ** 64) for key in split}
        columns = sorted({c for c, _ in wanted})
        for chunk in chunks():
            for c in columns:
                v = np.asarray(chunk[self.names[c]], dtype=float)
                k = keys(v[~np.isnan(v)])
                for key in (key for key in wanted if key[0] == c):
                    low, high = wanted[key][:2]
                    inside = k[(k >= low) & (k <= high)]
                    if key in collect:
                        collect[key].append(inside)
                    else:
                        where = (inside.view(np.uint64) - offset[key]) // np.uint64(step[key])
                        split[key] += np.bincount(where.astype(np.int64), minlength=EDGES + 1)
        found = {}
        for key, parts in collect.items():
            values = np.concatenate(parts)
            found[key] = int(np.partition(values, key[1] - wanted[key][2])[key[1] - wanted[key][2]])
            del wanted[key]
        for key, counts in split.items():
            low, high, before, _ = wanted[key]
            cumulative = before + np.cumsum(counts)
            b = int(np.searchsorted(cumulative, key[1], side="right"))
            wanted[key] = [low + b * step[key], min(high, low + (b + 1) * step[key] - 1),
                           int(cumulative[b - 1]) if b > 0 else before, int(counts[b])]
        return found
