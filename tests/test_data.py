"""The data layer: sourced figures load, validate, and match the seed articles word for word."""

import csv
import math
import re

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dprk_arms import paths
from dprk_arms.data import catalog as catalog_mod
from dprk_arms.errors import DataError, ScenarioError


def test_catalog_loads_with_every_figure_sourced(catalog):
    assert len(catalog.sources) >= 30 and len(catalog.claims) >= 60
    for claim in catalog.claims.values():
        assert claim.source_id in catalog.sources
        assert claim.quote.strip()


def test_every_parameter_cites_claims_or_is_a_labelled_assumption(catalog):
    for p in catalog.parameters.values():
        assert p.claims or p.assumption, p.name
        assert p.rationale and p.description


def test_required_series_present(catalog):
    for year in (2021, 2022, 2023, 2024):
        assert catalog.economy_krw("gni_nominal", year) > 30e12
        assert catalog.exports_usd(year) > 50e6
    assert catalog.economy_krw("gni_nominal", 2022) == 36.7e12


def test_bank_of_korea_gni_series_and_fire_rates_are_claims(catalog):
    units = {c.unit for c in catalog.claims.values()}
    assert {"KRW", "USD", "rounds/day", "kg", "USD/round", "percent", "containers"} <= units
    fire = [c for c in catalog.claims.values() if c.unit == "rounds/day"]
    assert len(fire) >= 6


def _seed_text(path):
    return re.sub(r"\s+", " ", path.read_text(encoding="utf-8"))


@pytest.mark.skipif(not paths.SEEDS_DIR.is_dir(), reason="../shared/seeds not beside the project")
def test_every_quote_attributed_to_a_seed_appears_in_it_verbatim(catalog):
    checked = 0
    for claim in catalog.claims.values():
        source = catalog.sources[claim.source_id]
        if not source.seed_file:
            continue
        text = _seed_text(paths.SEEDS_DIR / source.seed_file)
        assert re.sub(r"\s+", " ", claim.quote) in text, f"{claim.id}: quote not found in {source.seed_file}"
        checked += 1
    assert checked >= 20


@pytest.mark.skipif(not (paths.SHARED_DIR / "seeds" / "README.md").is_file(), reason="seeds index missing")
def test_every_figure_in_the_seeds_index_has_a_claim(catalog):
    values = {(c.source_id, c.value) for c in catalog.claims.values()}
    expected = [("seed000", 1e6), ("seed000", 3000), ("seed000", 3e9), ("seed000", 10), ("seed000", 47),
                ("seed001", 1e6), ("seed001", 2), ("seed001", 10), ("seed001", 2400), ("seed001", 4),
                ("seed001", 12), ("seed003", 6700), ("seed003", 3e6), ("seed003", 5e5), ("seed003", 30),
                ("seed004", 30), ("seed004", 6700)]
    missing = [e for e in expected if e not in values]
    assert not missing


def _rewrite(path, mutate):
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    fields = list(rows[0].keys())
    rows, fields = mutate(rows, fields)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def _drop_column(column):
    return lambda rows, fields: ([{k: v for k, v in r.items() if k != column} for r in rows],
                                 [f for f in fields if f != column])


def _set(index, field, value):
    def mutate(rows, fields):
        rows[index][field] = value
        return rows, fields
    return mutate


CORRUPTIONS = [
    ("claims.csv", _drop_column("quote"), None, "quote", "missing column"),
    ("claims.csv", _set(2, "unit", "furlongs"), 4, "unit", "expected one of"),
    ("claims.csv", _set(0, "source_id", "nowhere"), 2, "source_id", "unknown source"),
    ("claims.csv", _set(1, "as_of", "2023-13-01"), 3, "as_of", "expected a date"),
    ("claims.csv", _set(5, "value", "lots"), 7, "value", "expected a number"),
    ("claims.csv", _set(5, "value", "nan"), 7, "value", "finite"),
    ("claims.csv", _set(3, "confidence", "certain"), 5, "confidence", "expected one of"),
    ("sources.csv", _set(4, "date", "yesterday"), 6, "date", "expected a date"),
    ("sources.csv", _set(6, "url", "ftp://x"), 8, "url", "http"),
    ("parameters.csv", _set(0, "claims", "no_such_claim"), 2, "claims", "unknown claim"),
    ("parameters.csv", _set(0, "low", "5000000"), 2, "distribution", "low <= central <= high"),
    ("parameters.csv", _set(0, "name", "volume"), 2, "name", "must carry its unit"),
    ("parameters.csv", _set(3, "distribution", "gaussian"), 5, "distribution", "expected one of"),
    ("parameters.csv", _set(2, "assumption", "no"), 4, "claims", "assumption=yes"),
    ("series.csv", _set(0, "claim_id", "exports_2023_usd"), 2, "claim_id", "expects KRW"),
    ("series.csv", _set(0, "claim_id", "ghost"), 2, "claim_id", "unknown claim"),
]


@pytest.mark.parametrize("file,mutate,row,field,words", CORRUPTIONS, ids=[f"{c[0]}:{c[3]}:{c[4]}" for c in CORRUPTIONS])
def test_corrupted_data_is_caught_with_file_row_and_field(data_copy, file, mutate, row, field, words):
    _rewrite(data_copy / file, mutate)
    with pytest.raises(DataError) as caught:
        catalog_mod.load.__wrapped__(data_copy)
    err = caught.value
    assert err.file.endswith(file) and err.field == field and words in err.message
    if row is not None:
        assert err.row == row
    assert file in str(err) and field in str(err)


def test_missing_data_file_is_named(data_copy):
    (data_copy / "series.csv").unlink()
    with pytest.raises(DataError, match="series.csv.*file not found"):
        catalog_mod.load.__wrapped__(data_copy)


def test_fingerprint_changes_with_the_data(data_copy):
    before = catalog_mod.load.__wrapped__(data_copy).fingerprint()
    _rewrite(data_copy / "claims.csv", _set(0, "quantity", "edited"))
    assert catalog_mod.load.__wrapped__(data_copy).fingerprint() != before


# --- issue 12: raw-byte corruptions and silent wrong answers in the CSV files (classes 5, 6, 7) ---

def _bytes(mutate):
    def apply(path):
        path.write_bytes(mutate(path.read_bytes()))
    return apply


def _drop_parameter_row(name):
    def mutate(rows, fields):
        return [r for r in rows if r["name"] != name], fields
    return mutate


def _duplicate_series(rows, fields):
    rows.append(dict(rows[0], claim_id="gni_nominal_2023_krw"))  # 2021 again, with another year's figure
    return rows, fields


BYTE_CORRUPTIONS = [
    ("claims.csv", _bytes(lambda b: b.replace(b" the ", " th\u00e9 ".encode("latin-1"), 1)), "not UTF-8"),
    ("sources.csv", _bytes(lambda b: b + "latin1,caf\u00e9,p,2020,https://x,\n".encode("latin-1")), "not UTF-8"),
    ("claims.csv", _bytes(lambda b: b + b"long," + b"x" * 200_000 + b",1,USD,2020,s,q,high\n"), "not valid CSV"),
    ("parameters.csv", _bytes(lambda b: b[:-40]), "cut short"),              # truncated mid-row, no line end
    # last cells missing: "cut short", or an open quote when the last cell cut was quoted
    ("parameters.csv", _bytes(lambda b: b[:b.rindex(b",", 0, -1)] + b"\n"), "cut short|not valid CSV"),
    ("parameters.csv", _bytes(lambda b: b[:b.rindex(b"\"", 0, -2)] + b"\n"), "not valid CSV|is empty"),  # open quote
    ("series.csv", _bytes(lambda b: b.rstrip(b"\n")), "cut short"),
]


@pytest.mark.parametrize("file,corrupt,words", BYTE_CORRUPTIONS, ids=[f"{c[0]}:{c[2]}:{i}" for i, c in enumerate(BYTE_CORRUPTIONS)])
def test_byte_level_corruption_is_one_data_error(data_copy, file, corrupt, words):
    corrupt(data_copy / file)
    with pytest.raises(DataError) as caught:
        catalog_mod.load.__wrapped__(data_copy)
    text = str(caught.value)
    assert file in text and any(w in text for w in words.split("|")) and "\n" not in text and len(text) <= 1_000


ROW_CORRUPTIONS = [
    ("parameters.csv", _drop_parameter_row("stated_supply_days"), "name", "no row for stated_supply_days"),
    ("parameters.csv", _drop_parameter_row("economy_year"), "name", "no row for economy_year"),
    ("series.csv", _duplicate_series, "year", "duplicate row for gni_nominal 2021"),
]


@pytest.mark.parametrize("file,mutate,field,words", ROW_CORRUPTIONS, ids=[c[3] for c in ROW_CORRUPTIONS])
def test_incomplete_or_conflicting_data_is_refused(data_copy, file, mutate, field, words):
    _rewrite(data_copy / file, mutate)
    with pytest.raises(DataError) as caught:
        catalog_mod.load.__wrapped__(data_copy)
    assert caught.value.field == field and words in str(caught.value) and file in str(caught.value)


def test_byte_order_mark_is_accepted(data_copy):
    for name in catalog_mod.DATA_FILES:
        path = data_copy / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert len(catalog_mod.load.__wrapped__(data_copy).parameters) == len(catalog_mod.load().parameters)


def test_bad_data_through_the_command_line_is_one_line(data_copy, monkeypatch, capsys):
    from dprk_arms import cli, paths
    (data_copy / "claims.csv").write_bytes((data_copy / "claims.csv").read_bytes() + b"x,\xe9\n")
    monkeypatch.setattr(paths, "DATA_DIR", data_copy)
    catalog_mod.load.cache_clear()
    try:
        assert cli.main(["params"]) == 2
    finally:
        catalog_mod.load.cache_clear()
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "claims.csv" in err[0] and "not UTF-8" in err[0]


def test_required_parameters_are_exactly_what_the_models_read(catalog):
    from dprk_arms.data.parameters import REQUIRED_PARAMETERS
    from dprk_arms.models.evaluate import evaluate
    from dprk_arms.simulation.inputs import central_inputs

    read = set()

    class Recording(dict):
        def __getitem__(self, key):
            read.add(key)
            return dict.__getitem__(self, key)

    evaluate(Recording(central_inputs(catalog.resolve(), catalog)))
    assert set(REQUIRED_PARAMETERS) == set(catalog.parameters)  # the shipped file has exactly what is required
    assert read & set(catalog.parameters) <= set(REQUIRED_PARAMETERS)  # every parameter the models read is


# --- class 5: an unbounded (lognormal) input never draws outside its parameter's allowed range ---

BOUNDED = ["price_152mm_usd", "dud_fraction", "share_122mm", "ship_rate_containers_per_day", "return_ratio",
           "volume_rounds"]


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(BOUNDED), low=st.floats(1e-6, 1.0), mid=st.floats(0.0, 1.0), high=st.floats(0.0, 1.0),
       seed=st.integers(0, 2**32 - 1))
@example(name="price_152mm_usd", low=1e-6, mid=0.0, high=1.0, seed=2**32 - 1)  # a clean clone's CI run: 10% off
@example(name="price_152mm_usd", low=0.9999999999999999, mid=0.0, high=1.0, seed=0)  # one ulp wide at the maximum
@example(name="volume_rounds", low=0.9999999999999999, mid=0.0, high=1.0, seed=0)  # the same at 1e8: 7 ulps off
def test_lognormal_draws_stay_in_the_allowed_range_or_the_spec_is_refused(catalog, name, low, mid, high, seed):
    param = catalog.parameters[name]
    lo = param.minimum + low * (param.maximum - param.minimum)
    hi = lo + high * (param.maximum - lo)
    central = lo + mid * (hi - lo)
    if not 0 < lo <= central <= hi:
        return
    try:
        dist = param.parse({"distribution": "lognormal", "low": lo, "central": central, "high": hi}, "t.yaml", name)
    except ScenarioError as exc:
        assert "outside the allowed range" in str(exc) or "lognormal" in str(exc)
        return
    n = 20_000
    draws = dist.sample(n, np.random.default_rng(seed))
    assert np.all(draws >= param.minimum) and np.all(draws <= param.maximum)
    # the cut is immaterial: the median stays where the user put it, within five standard errors of a sample
    # median on the log scale (sigma sqrt(pi/2) / sqrt(n): 4% for the widest spec, P5 and P95 a million apart)
    # and the shift a cut of at most MAX_MASS_OUTSIDE (1%) may make (0.025 sigma)
    if not dist.is_fixed:
        sigma = math.log(dist.high / dist.low) / (2 * 1.6448536269514722)
        # plus float rounding for a range a hair wide: exp(log(central) + ...) is off by about eps |log central|
        # (a few units in the last place at 1e8), and a range at the ceiling is clipped there
        tolerance = sigma * (5 * math.sqrt(math.pi / 2 / n) + 0.025) + 16 * np.finfo(float).eps * (
            1 + abs(math.log(central)))
        assert abs(math.log(np.median(draws) / central)) <= tolerance


def test_wide_lognormal_price_no_longer_reaches_absurd_values(catalog):
    from dprk_arms.simulation import montecarlo
    resolved = catalog.resolve({"price_152mm_usd": "lognormal:1:2:99000"})
    sim = montecarlo.simulate(resolved, catalog, 200_000, 1)
    assert sim.inputs["price_152mm_usd"].max() <= catalog.parameters["price_152mm_usd"].maximum


def test_lognormal_with_material_mass_outside_is_refused(catalog):
    with pytest.raises(ScenarioError, match="outside the allowed range"):
        catalog.parameters["dud_fraction"].parse("lognormal:0.01:0.1:0.9", "t.yaml", "dud_fraction")


@pytest.mark.parametrize("low,central,high", [(500, 1000, 4000), (0, 0, 1), (0, 1, 1), (0.1, 0.5, 0.9), (100, 101, 5000)])
def test_pert_quantiles_match_scipy_beta(low, central, high):
    """The copula's fast PERT inverse stays within 1e-11 of scipy's exact one in probability, and in range."""
    from dprk_arms.data.distributions import Distribution
    dist = Distribution("pert", central, low, high)
    u = np.concatenate([[0.0, 1e-300, 0.5, 1 - 1e-16, 1.0], np.random.default_rng(0).uniform(size=50_000)])
    x = dist.ppf(u)
    exact = dist.frozen()
    assert np.all((x >= low) & (x <= high)) and not np.isnan(x).any()
    assert np.max(np.abs(exact.cdf(x) - u)) < 1e-11
    bulk = (u > 1e-9) & (u < 1 - 1e-9)
    assert np.max(np.abs(x[bulk] - exact.ppf(u[bulk]))) < 1e-7 * (high - low)
    assert dist.ppf(np.array([0.0]))[0] == low and dist.ppf(np.array([1.0]))[0] == high
