"""Rendered briefs: every scenario's PDF exists, has its sections, its charts, and the models' numbers."""

import os
import re
import subprocess
import sys
import textwrap

import pytest

from dprk_arms import paths
from dprk_arms.data import scenarios
from dprk_arms.presentation import format as fmt
from dprk_arms.presentation.whatif import WhatIf
from dprk_arms.simulation import montecarlo, sensitivity
from pdfs import (DATA_MARKS_PER_CHART, LABELS_PER_CHART, PATHS_PER_CHART, assert_pages_fill, chart_svgs, data_marks,
                  page_chart_marks, pages, text as _text)

pytestmark = pytest.mark.slow
DRAWS = 2_000  # the tests check text, charts and numbers against the same draws, not precision
SCENARIOS = sorted(p.stem for p in paths.SCENARIOS_DIR.glob("*.yaml"))
SECTIONS = ["Key judgements", "Shipments as a dated flow", "1. Shell revenue", "2. Duration of supply", "3. Container balance",
            "4. Triangulation", "5. Sensitivity", "Assumptions", "Method notes and caveats", "Provenance"]
TORNADO_OUTPUTS = ["share_of_economy_per_year", "supply_days"]  # the brief's two tornado charts


GUARD = textwrap.dedent('''
    import os, socket
    _LOG = os.environ["NETWORK_GUARD_LOG"]
    _connect = socket.socket.connect
    def _guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if self.family != socket.AF_UNIX and host not in ("127.0.0.1", "::1", "localhost"):
            with open(_LOG, "a") as log:
                log.write(f"{os.getpid()} {address}\\n")
            raise OSError("network access blocked by the test")
        return _connect(self, address)
    socket.socket.connect = _guarded
    socket.socket.connect_ex = lambda self, address: _guarded(self, address) or 0
''')


@pytest.fixture(scope="module")
def network_guard(tmp_path_factory):
    """An environment in which every Python process (the command, its workers, their kernels) logs and refuses
    any connection that is not local; returns (env, log)."""
    folder = tmp_path_factory.mktemp("guard")
    (folder / "sitecustomize.py").write_text(GUARD)
    log = folder / "network.log"
    env = {**os.environ, "PYTHONPATH": f"{folder}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
           "NETWORK_GUARD_LOG": str(log)}
    return env, log


@pytest.fixture(scope="module")
def saved_what_if(tmp_path_factory, catalog):
    """A scenario saved from the what-if panel, rendered with the others: (the panel, its file)."""
    w = WhatIf(catalog, draws=DRAWS)
    w.set(price_152mm_usd=2500, volume_rounds=2_000_000)
    path = w.save("saved-what-if", "Saved what-if", "What if the price were 2,500 USD?",
                  folder=tmp_path_factory.mktemp("what-if"))
    return w, path


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, network_guard, saved_what_if):
    """Every scenario and a saved what-if, rendered once for the module in one batch, with no network."""
    from conftest import run_cli
    out = tmp_path_factory.mktemp("reports")
    result = run_cli("render", *SCENARIOS, saved_what_if[1], "--out", out, "--draws", DRAWS, "--jobs", 2,
                     env=network_guard[0])
    assert result.returncode == 0, result.stdout + result.stderr
    return out, result


def test_every_scenario_has_a_pdf_and_its_executed_notebook(rendered):
    out, result = rendered
    for name in SCENARIOS:
        assert (out / f"{name}.pdf").stat().st_size > 20_000
        assert (out / f"{name}.ipynb").is_file()
    assert f"{len(SCENARIOS) + 1} rendered, 0 unchanged, 0 failed" in result.stdout
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
    marks = [data_marks(svg) for svg in chart_svgs(out / f"{name}.ipynb")]
    assert len(marks) == len(re.findall(r"Figure \d+\.", text)), f"{name}: a chart per caption"
    assert min(marks) >= DATA_MARKS_PER_CHART, f"{name}: a chart draws no data (data marks per chart: {marks})"
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


def test_saved_what_if_renders_unchanged(rendered, saved_what_if):
    """A scenario saved from the what-if panel holds only the moved inputs, and its brief shows the panel's numbers."""
    w, path = saved_what_if
    assert set(scenarios.read_document(path)["parameters"]) == {"price_152mm_usd", "volume_rounds"}
    text = _text(rendered[0] / "saved-what-if.pdf")
    assert fmt.interval(w.compute().summary().loc["revenue_usd"]) in text and "Saved what-if" in text


def test_nothing_reaches_the_network_at_run_time(rendered, network_guard, tmp_path):
    """Not the batch render above (workers and kernels included), nor an estimate or a sweep."""
    env, log = network_guard
    control = subprocess.run([sys.executable, "-c", "import socket; socket.create_connection(('192.0.2.1', 9), 1)"],
                             env={**env, "NETWORK_GUARD_LOG": str(tmp_path / "control.log")}, capture_output=True)
    assert control.returncode != 0 and (tmp_path / "control.log").exists(), "the guard did not load"
    for args in (["estimate", "--draws", "1000"], ["sweep", "price_152mm_usd=500:5000:20", "--out", tmp_path / "sweeps"]):
        result = subprocess.run([sys.executable, "-m", "dprk_arms", *map(str, args)], cwd=paths.ROOT, env=env,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
    assert not log.exists(), log.read_text()
