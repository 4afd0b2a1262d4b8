"""Rendered briefs: every scenario's PDF exists, has its sections, its charts, and the models' numbers."""

import re

import pytest

from dprk_arms import paths
from dprk_arms.data import scenarios
from dprk_arms.presentation import format as fmt
from dprk_arms.simulation import montecarlo, sensitivity
from pdfs import LABELS_PER_CHART, PATHS_PER_CHART, assert_pages_fill, page_chart_marks, pages, text as _text

pytestmark = pytest.mark.slow
DRAWS = 2_000  # the tests check text, charts and numbers against the same draws, not precision
SCENARIOS = sorted(p.stem for p in paths.SCENARIOS_DIR.glob("*.yaml"))
SECTIONS = ["Key judgements", "Shipments as a dated flow", "1. Shell revenue", "2. Duration of supply", "3. Container balance",
            "4. Triangulation", "5. Sensitivity", "Assumptions", "Method notes and caveats", "Provenance"]
TORNADO_OUTPUTS = ["share_of_economy_per_year", "supply_days"]  # the brief's two tornado charts


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    from conftest import run_cli
    out = tmp_path_factory.mktemp("reports")
    result = run_cli("render", "--all", "--out", out, "--draws", DRAWS, "--jobs", 2)
    assert result.returncode == 0, result.stdout + result.stderr
    return out, result


def test_every_scenario_has_a_pdf_and_its_executed_notebook(rendered):
    out, result = rendered
    for name in SCENARIOS:
        assert (out / f"{name}.pdf").stat().st_size > 20_000
        assert (out / f"{name}.ipynb").is_file()
    assert f"{len(SCENARIOS)} rendered, 0 unchanged, 0 failed" in result.stdout
    assert not list((out / ".work").glob("*")) and not list(out.glob(".*.tmp-*"))


@pytest.mark.parametrize("name", SCENARIOS)
def test_pdf_has_sections_charts_and_the_scenario(rendered, name, catalog):
    out, _ = rendered
    text = _text(out / f"{name}.pdf")
    scen = scenarios.load_scenario(paths.SCENARIOS_DIR / f"{name}.yaml", catalog)
    for section in SECTIONS + [scen.title, scen.question[:40]]:
        assert section in text, f"{name}: missing {section!r}"
    pdf = out / f"{name}.pdf"
    for number, (page_text, (paths_drawn, labels)) in enumerate(zip(pages(pdf), page_chart_marks(pdf)), 1):
        charts = len(re.findall(r"Figure \d+\.", page_text))
        assert paths_drawn >= PATHS_PER_CHART * charts, f"{name}: page {number} lacks its chart drawing"
        assert labels >= LABELS_PER_CHART * charts, f"{name}: page {number} lacks its chart labels"
    line = catalog.timeline(scen.as_of or None, list(scen.statements))
    swings = sensitivity.tornado(scen.resolved, catalog, TORNADO_OUTPUTS, line).groupby("output")["swing"].max()
    still = [o for o in TORNADO_OUTPUTS if swings[o] == 0]  # e.g. days of supply in the seed headline
    captions = set(re.findall(r"Figure (\d+)\.", text))
    assert captions == {str(i) for i in range(1, 8 - len(still))}
    assert f"as of {line.as_of.day} {line.as_of:%B %Y}" in text  # the judgements and header name the as-of date
    assert text.count("No uncertain input moves") == len(still)
    assert "Page 1 of" in text
    assert "def " not in text and "import " not in text  # code is hidden


@pytest.mark.parametrize("name", SCENARIOS)
def test_pages_fill(rendered, name):
    """No page but the last ends with its foot blank: a chart that does not fit is not left to push the page's
    rest over (issue 14)."""
    assert_pages_fill(rendered[0] / f"{name}.pdf")


@pytest.mark.parametrize("name", SCENARIOS)
def test_pdf_numbers_match_the_models(rendered, name, catalog):
    out, _ = rendered
    text = _text(out / f"{name}.pdf")
    scen = scenarios.load_scenario(paths.SCENARIOS_DIR / f"{name}.yaml", catalog)
    line = catalog.timeline(scen.as_of or None, list(scen.statements))
    summary = montecarlo.simulate(scen.resolved, catalog, DRAWS, scen.seed, line).summary()
    for output in ("revenue_usd", "share_of_economy", "supply_days", "containers_back", "rounds_all_152mm"):
        expected = fmt.interval(summary.loc[output])
        assert expected in text, f"{name}: {output} {expected!r} not in the brief"


def test_seed_headline_states_3bn_and_more_than_ten_percent(rendered):
    out, _ = rendered
    text = _text(out / "seed-headline.pdf")
    match = re.search(r"most likely earned (\$[\d.]+bn) ", text)
    assert "from the stated volume" in text and "to 1 November 2023 (about 2" in text  # period follows the volume
    assert match and match.group(1) == "$3.0bn"
    share = re.search(r"That is ([\d.]+)% of the DPRK's 2022 nominal GNI cumulatively", text)
    assert share and float(share.group(1)) > 10


def test_assumptions_table_quotes_sources(rendered, catalog):
    text = _text(rendered[0] / "baseline.pdf")
    assert "assumption" in text
    assert "Half of them do not function" in text  # the HUR quote behind dud_fraction
    assert "Bank of Korea" in text or "nominal gross national income" in text


def test_rerender_with_nothing_changed_skips_everything(rendered):
    from conftest import run_cli
    out, _ = rendered
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("*.pdf")}
    result = run_cli("render", "--all", "--out", out, "--draws", DRAWS)
    assert result.returncode == 0
    assert f"0 rendered, {len(SCENARIOS)} unchanged, 0 failed" in result.stdout
    assert before == {p.name: p.stat().st_mtime_ns for p in out.glob("*.pdf")}
