"""`dprk-arms validate`: data/ and scenarios checked by the real loaders, nothing run, every problem one line."""

import pytest

from dprk_arms import cli, paths
from dprk_arms.data import scenarios
from dprk_arms.errors import ScenarioError

BAD = """\
title: ""
question: What if?
titel: typo
draws: 5
parameters:
  price_152mm_usd: -3
  volume_rounds: abc
  prise_122mm_usd: 4
  share_other: 0.9
"""


@pytest.fixture
def nothing_runs(monkeypatch):
    from dprk_arms.simulation import montecarlo

    def refuse(*args, **kwargs):
        raise AssertionError("validate ran a simulation")
    monkeypatch.setattr(montecarlo, "simulate", refuse)


def test_clean_scenarios_print_one_ok_line(capsys, nothing_runs):
    assert cli.main(["validate", "--all"]) == 0
    out = capsys.readouterr()
    count = len(list(paths.SCENARIOS_DIR.glob("*.yaml")))
    assert out.out.startswith(f"OK: data/ and {count} scenario files valid") and out.out.count("\n") == 1
    assert out.err == ""
    assert cli.main(["validate", "baseline", "low-price"]) == 0
    assert capsys.readouterr().out.startswith("OK: data/ and 2 scenario files valid")


def test_every_problem_in_a_file_one_line_each(tmp_path, capsys, catalog, nothing_runs):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    broken = tmp_path / "broken.yaml"
    broken.write_text("title: [unclosed\n")
    assert cli.main(["validate", str(bad), "baseline", str(broken), "missing-one"]) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    problems = [line for line in lines if line.startswith("dprk-arms: error: ")]
    expected = [("bad.yaml", "key 'titel'", "did you mean 'title'"), ("bad.yaml", "key 'title'", "non-empty text"),
                ("bad.yaml", "parameters.price_152mm_usd", "below the minimum"),
                ("bad.yaml", "parameters.volume_rounds", "'abc'"),
                ("bad.yaml", "parameters.prise_122mm_usd", "did you mean 'price_122mm_usd'"),
                ("bad.yaml", "key 'share_other'", "at most 1"), ("bad.yaml", "key 'draws'", "got 5"),
                ("broken.yaml", "invalid YAML", "line"), ("missing-one.yaml", "file not found", "")]
    assert len(problems) == len(expected), lines
    for line, words in zip(problems, expected):
        assert all(w in line for w in words), (line, words)
    assert lines[-1] == f"dprk-arms: validate: {len(expected)} problems (data/ and 4 scenario files checked)"
    assert captured.out == "" and "Traceback" not in captured.err
    # the first problem is the one the loader every command uses reports
    with pytest.raises(ScenarioError) as first:
        scenarios.load_scenario(bad, catalog)
    assert problems[0] == f"dprk-arms: error: {first.value}"


def test_a_bad_data_file_is_reported_and_scenarios_wait_for_it(data_copy, monkeypatch, capsys, nothing_runs):
    text = (data_copy / "parameters.csv").read_text()
    assert "volume_rounds,rounds,float,pert,1000000" in text
    (data_copy / "parameters.csv").write_text(text.replace("volume_rounds,rounds,float,pert,1000000", "volume_rounds,rounds,float,pert,lots", 1))
    monkeypatch.setattr(paths, "DATA_DIR", data_copy)
    assert cli.main(["validate"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert "parameters.csv" in lines[0] and "row" in lines[0]
    assert "scenarios not checked" in lines[1] and len(lines) == 3
