"""The data layer: sourced figures load, validate, and match the seed articles word for word."""

import csv
import re

import pytest

from dprk_arms import paths
from dprk_arms.data import catalog as catalog_mod
from dprk_arms.errors import DataError


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
