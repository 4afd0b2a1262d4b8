"""`dprk-arms export`: draws, summary, inputs and provenance as XLSX and CSV, read back to the brief's numbers."""

import numpy as np
import pandas as pd
import pytest

from dprk_arms import cli
from dprk_arms.data import scenarios
from dprk_arms.models.evaluate import OUTPUT_NAMES
from dprk_arms.presentation import export, tables
from dprk_arms.simulation import montecarlo

DRAWS, SEED = 1000, 11
OVERRIDE = "dud_fraction=0.1"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    args = ["export", "low-price", "-p", OVERRIDE, "--draws", str(DRAWS), "--seed", str(SEED),
            "--xlsx", str(out / "low.xlsx"), "--csv", str(out / "csv")]
    assert cli.main(args) == 0
    xlsx = pd.read_excel(out / "low.xlsx", sheet_name=None)
    csv = {name: pd.read_csv(out / "csv" / f"{name}.csv") for name in export.SHEETS}
    return {"xlsx": xlsx, "csv": csv}


@pytest.fixture(scope="module")
def brief_summary(catalog):
    """The summary a brief of the same scenario, overrides, draws and seed prints."""
    spec = scenarios.load_scenario(scenarios.scenario_path("low-price"), catalog, {"dud_fraction": "0.1"})
    spec = spec.with_settings(draws=DRAWS, seed=SEED)
    return spec, montecarlo.simulate(spec.resolved, catalog, spec.draws, spec.seed, spec.timeline).summary()


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_read_back_reproduces_the_brief_summary(exported, brief_summary, kind):
    spec, expected = brief_summary
    book = exported[kind]
    assert list(book) == list(export.SHEETS)
    summary = book["summary"].set_index("output").rename(columns={"at_most_likely_inputs": "central"})
    assert list(summary.index) == list(expected.index) and set(summary.index) == set(OUTPUT_NAMES)
    # the table the brief prints, cell for cell, from the numbers read back
    assert tables.summary_html(summary) == tables.summary_html(expected)
    assert summary["unit"].tolist() == expected["unit"].tolist()
    draws = book["draws"]
    assert len(draws) == DRAWS and draws["draw"].tolist() == list(range(1, DRAWS + 1))
    for output in ("revenue_usd", "share_of_economy_per_year", "supply_days"):
        assert np.quantile(draws[output], [0.05, 0.5, 0.95]) == pytest.approx(
            summary.loc[output, ["p5", "p50", "p95"]].to_numpy(dtype=float), rel=1e-9)
    assert "price_152mm_usd" in draws and (draws["dud_fraction"] == 0.1).all()


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_inputs_and_provenance_say_what_made_the_numbers(exported, brief_summary, catalog, kind):
    spec, _ = brief_summary
    inputs = exported[kind]["inputs"].set_index("parameter")
    assert list(inputs.index) == list(catalog.parameters)
    flagged = set(inputs.index[inputs["set_by_scenario"].astype(bool)])
    assert flagged == set(spec.set_by_scenario) and {"dud_fraction", "price_152mm_usd"} <= flagged
    assert inputs.loc["price_152mm_usd", "distribution"] == spec.resolved["price_152mm_usd"].spec()
    assert inputs.loc["price_152mm_usd", "unit"] == "USD/round"
    prov = dict(exported[kind]["provenance"].astype(str).itertuples(index=False))
    assert prov["run spec digest (sha256)"] == spec.digest() and prov["scenario"] == "low-price"
    assert prov["data hash (sha256)"] == catalog.fingerprint()
    assert prov["draws"] == str(DRAWS) and prov["seed"] == str(SEED)
    assert prov["package"].startswith("dprk-arms-estimates ") and prov["git commit"]


def test_an_estimate_run_exports_with_no_scenario(tmp_path, capsys):
    assert cli.main(["export", "-p", "price_152mm_usd=2500", "--draws", "200", "--csv", str(tmp_path)]) == 0
    assert capsys.readouterr().out.split() == [str(tmp_path / f"{n}.csv") for n in export.SHEETS]
    inputs = pd.read_csv(tmp_path / "inputs.csv").set_index("parameter")
    assert inputs["set_by_scenario"].sum() == 1 and inputs.loc["price_152mm_usd", "distribution"] == "2500"
    assert (pd.read_csv(tmp_path / "draws.csv")["price_152mm_usd"] == 2500).all()


def test_more_draws_than_excel_holds_is_refused_before_anything_runs(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(montecarlo, "simulate", lambda *a, **k: pytest.fail("simulated before refusing"))
    assert cli.main(["export", "baseline", "--draws", "1048576", "--xlsx", str(tmp_path / "big.xlsx")]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "1,048,576 draws do not fit an Excel sheet" in err
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("args,words", [
    (["baseline"], "--xlsx FILE and/or --csv FOLDER"),
    (["baseline", "--xlsx", "{tmp}/book.csv"], "ending .xlsx"),
    (["nope", "--csv", "{tmp}/c"], "nope.yaml"),
    (["baseline", "--csv", "{tmp}/c", "-p", "price_152mm_usd=-1"], "below the minimum"),
])
def test_bad_export_requests_are_one_line_and_write_nothing(tmp_path, capsys, args, words):
    assert cli.main(["export", *[a.format(tmp=tmp_path) for a in args], "--draws", "200"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and words in err
    assert not list(tmp_path.iterdir())


def test_a_failed_export_leaves_the_previous_files_whole(tmp_path, monkeypatch, capsys):
    assert cli.main(["export", "baseline", "--draws", "200", "--csv", str(tmp_path)]) == 0
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    real = pd.DataFrame.to_csv
    calls = []

    def fail_third(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)
    monkeypatch.setattr(pd.DataFrame, "to_csv", fail_third)
    assert cli.main(["export", "baseline", "--draws", "300", "--csv", str(tmp_path)]) == 130
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
