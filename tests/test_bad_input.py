"""Bad scenario and parameter input: one clear line naming file and key, exit 2, no traceback, nothing written."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dprk_arms import cli
from dprk_arms.data import scenarios
from dprk_arms.errors import ScenarioError

GOOD = "title: T\nquestion: Q?\nparameters:\n"

# (case id, file text (str or bytes), words the error line must contain)
CATALOGUE = [
    ("yaml-syntax", "title: [unclosed\n", ["invalid YAML", "line"]),
    ("yaml-tab-indent", "title: T\nparameters:\n\tprice_152mm_usd: 1\n", ["invalid YAML"]),
    ("empty-file", "", ["is empty"]),
    ("only-comment", "# nothing here\n", ["is empty"]),
    ("top-level-list", "- title\n- question\n", ["expected a mapping", "list"]),
    ("top-level-scalar", "just text\n", ["expected a mapping", "str"]),
    ("unknown-key", "titel: T\nquestion: Q\n", ["key 'titel'", "did you mean 'title'"]),
    ("missing-title", "question: Q\n", ["key 'title'", "non-empty text"]),
    ("empty-question", "title: T\nquestion: ''\n", ["key 'question'"]),
    ("title-not-text", "title: 5\nquestion: Q\n", ["key 'title'"]),
    ("parameters-a-list", "title: T\nquestion: Q\nparameters: [1, 2]\n", ["key 'parameters'", "mapping"]),
    ("misspelt-parameter", GOOD + "  price_152_usd: 100\n", ["parameters.price_152_usd", "did you mean 'price_152mm_usd'"]),
    ("unknown-parameter", GOOD + "  gdp_growth: 3\n", ["parameters.gdp_growth", "unknown parameter"]),
    ("wrong-type", GOOD + "  price_152mm_usd: cheap\n", ["parameters.price_152mm_usd", "expected a number"]),
    ("boolean-for-number", GOOD + "  volume_rounds: true\n", ["parameters.volume_rounds", "expected a number"]),
    ("null-value", GOOD + "  volume_rounds: ~\n", ["parameters.volume_rounds", "expected a number"]),
    ("nan", GOOD + "  price_152mm_usd: .nan\n", ["parameters.price_152mm_usd", "finite"]),
    ("inf", GOOD + "  fire_rate_per_day: .inf\n", ["parameters.fire_rate_per_day", "finite"]),
    ("negative-price", GOOD + "  price_152mm_usd: -5\n", ["parameters.price_152mm_usd", "below the minimum"]),
    ("low-above-high", GOOD + "  price_152mm_usd: {distribution: pert, low: 5000, central: 1000, high: 4000}\n",
     ["parameters.price_152mm_usd", "low <= central <= high"]),
    ("dud-one", GOOD + "  dud_fraction: 1\n", ["parameters.dud_fraction", "above the maximum"]),
    ("dud-above-one", GOOD + "  dud_fraction: 1.5\n", ["parameters.dud_fraction", "above the maximum"]),
    ("zero-fire-rate", GOOD + "  fire_rate_per_day: 0\n", ["parameters.fire_rate_per_day", "below the minimum"]),
    ("absurd-volume", GOOD + "  volume_rounds: 1e15\n", ["parameters.volume_rounds", "above the maximum"]),
    ("unknown-family", GOOD + "  price_152mm_usd: {distribution: gaussian, low: 1, central: 2, high: 3}\n",
     ["parameters.price_152mm_usd.distribution", "expected one of"]),
    ("missing-high", GOOD + "  price_152mm_usd: {distribution: pert, low: 1, central: 2}\n",
     ["parameters.price_152mm_usd.high", "missing"]),
    ("misspelt-field", GOOD + "  price_152mm_usd: {distribution: pert, low: 1, centre: 2, high: 3}\n",
     ["parameters.price_152mm_usd.centre", "did you mean 'central'"]),
    ("text-range-two-parts", GOOD + "  price_152mm_usd: '100:200'\n", ["parameters.price_152mm_usd", "low:central:high"]),
    ("lognormal-zero-low", GOOD + "  price_152mm_usd: {distribution: lognormal, low: 0, central: 2, high: 3}\n",
     ["parameters.price_152mm_usd", "low > 0"]),
    ("bad-choice-year", GOOD + "  economy_year: 2019\n", ["parameters.economy_year", "expected one of 2021"]),
    ("bad-choice-measure", GOOD + "  economy_measure: ppp\n", ["parameters.economy_measure", "gni_nominal"]),
    ("no-data-for-year", GOOD + "  economy_measure: gdp_nominal\n  economy_year: 2021\n", ["economy_year", "no gdp_nominal figure for 2021"]),
    ("shares-above-one", GOOD + "  share_122mm: 0.7\n  share_other: 0.5\n", ["share_other", "at most 1"]),
    ("duplicate-key", GOOD + "  volume_rounds: 1000000\n  volume_rounds: 2000000\n", ["invalid YAML", "duplicate key 'volume_rounds'"]),
    ("negative-draws", "title: T\nquestion: Q\ndraws: -5\n", ["key 'draws'", "whole number"]),
    ("fractional-draws", "title: T\nquestion: Q\ndraws: 10.5\n", ["key 'draws'", "whole number"]),
    ("absurd-draws", "title: T\nquestion: Q\ndraws: 1000000000000\n", ["key 'draws'", "whole number"]),
    ("seed-as-text", "title: T\nquestion: Q\nseed: lucky\n", ["key 'seed'", "whole number"]),
    ("not-utf8", b"title: \xff\xfe\xfa\nquestion: Q\n", ["not UTF-8"]),
    ("binary-garbage", b"\x00\x01\x02\x03", ["invalid YAML"]),
    ("python-tag", "title: !!python/object/apply:os.system ['true']\nquestion: Q\n", ["invalid YAML"]),
    # issue 12, class 4: a few hundred bytes of aliases expand to ~10^9 nodes
    ("alias-bomb", "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
     + "title: T\nquestion: Q\nparameters: {volume_rounds: *i}\n", ["invalid YAML", "alias *a"]),
    ("alias-small", "title: &t T\nquestion: *t\n", ["invalid YAML", "alias *t", "not supported"]),
    # class 6: complex keys and deep nesting
    ("complex-key", "title: T\nquestion: Q\n? [a, b]\n: 1\n", ["invalid YAML", "key must be a plain name"]),
    ("complex-parameter-key", GOOD + "  ? {a: 1}\n  : 2\n", ["invalid YAML", "key must be a plain name"]),
    ("deep-list", "title: T\nquestion: Q\nparameters: " + "[" * 5000 + "]" * 5000 + "\n", ["invalid YAML", "nested"]),
    ("deep-mapping", "title: T\nquestion: Q\nparameters: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n",
     ["invalid YAML", "nested"]),
    ("integer-5000-digits", GOOD + "  volume_rounds: " + "1" * 5000 + "\n", ["invalid YAML"]),
    ("integer-400-digits", GOOD + "  volume_rounds: " + "7" * 400 + "\n", ["parameters.volume_rounds", "expected a number"]),
    ("draws-400-digits", "title: T\nquestion: Q\ndraws: " + "9" * 400 + "\n", ["key 'draws'", "whole number"]),
    # class 7: a merge key, and keys or values with newlines
    ("merge-key", GOOD + "  <<: {volume_rounds: 2000000}\n", ["invalid YAML", "merge keys (<<) are not supported"]),
    ("newline-in-key", GOOD + '  "volume\\nrounds": 5\n', ["parameters.volume\\nrounds", "unknown parameter"]),
    ("huge-key", GOOD + "  ? " + "k" * 100_000 + "\n  : 5\n", ["parameters.kkk", "unknown parameter"]),
    ("huge-value", GOOD + "  volume_rounds: '" + "9x" * 50_000 + "'\n", ["parameters.volume_rounds", "expected a number"]),
    # class 5: silent wrong answers
    ("decimal-comma", GOOD + "  volume_rounds: '1,5'\n", ["parameters.volume_rounds", "decimal comma"]),
    ("ambiguous-comma", GOOD + "  price_152mm_usd: '1,500'\n", ["parameters.price_152mm_usd", "decimal comma"]),
    ("comma-in-range", GOOD + "  price_152mm_usd: '500:1,5:4000'\n", ["parameters.price_152mm_usd", "decimal comma"]),
    ("bad-grouping", GOOD + "  volume_rounds: '10,00,000'\n", ["parameters.volume_rounds", "decimal comma"]),
    ("parameters-blank", "title: T\nquestion: Q\nparameters:\n", ["key 'parameters'", "is empty"]),
    ("parameters-zero", "title: T\nquestion: Q\nparameters: 0\n", ["key 'parameters'", "expected a mapping"]),
    ("parameters-empty-text", "title: T\nquestion: Q\nparameters: ''\n", ["key 'parameters'", "expected a mapping"]),
    ("parameters-empty-list", "title: T\nquestion: Q\nparameters: []\n", ["key 'parameters'", "expected a mapping"]),
    ("lognormal-mass-outside", GOOD + "  dud_fraction: lognormal:0.01:0.1:0.9\n",
     ["parameters.dud_fraction", "outside the allowed range"]),
    ("negative-seed", "title: T\nquestion: Q\nseed: -1\n", ["key 'seed'", "whole number"]),
]


def _render(tmp_path, *args, capsys=None):
    out = tmp_path / "reports"
    code = cli.main(["render", *map(str, args), "--out", str(out)])
    captured = capsys.readouterr()
    return code, captured, out


MAX_LINE = 1_100  # errors.MAX_LINE_CHARS plus the "dprk-arms: error: " prefix


def _assert_clean_failure(code, captured, out, file_name, words):
    assert code == 2
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1, captured.err[:2000]
    line = lines[0]
    assert len(line) <= MAX_LINE, f"{len(line):,} characters"
    assert "Traceback" not in captured.err
    assert file_name in line
    for w in words:
        assert w in line, f"{w!r} not in {line!r}"
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("case,text,words", CATALOGUE, ids=[c[0] for c in CATALOGUE])
def test_malformed_scenario_gives_one_clear_line(tmp_path, capsys, case, text, words):
    path = tmp_path / "bad.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    code, captured, out = _render(tmp_path, path, capsys=capsys)
    _assert_clean_failure(code, captured, out, "bad.yaml", words)


def test_catalogue_is_at_least_thirty_distinct_inputs():
    assert len({c[0] for c in CATALOGUE}) + len(PATH_CASES) + len(OVERRIDE_CASES) >= 30


PATH_CASES = [
    ("missing-file", lambda d: d / "nope.yaml", "nope.yaml", ["file not found"]),
    ("folder-as-file", lambda d: (d / "dir.yaml").mkdir() or d / "dir.yaml", "dir.yaml", ["is a folder"]),
    ("unicode-name", lambda d: _good(d / "scénario.yaml"), "scénario.yaml", ["key 'name'", "a-z"]),
    ("space-in-name", lambda d: _good(d / "my scenario.yaml"), "my scenario.yaml", ["key 'name'"]),
    ("unknown-scenario-name", lambda d: "no-such-scenario", "no-such-scenario", ["file not found"]),
    ("traversal-name", lambda d: "..", "..", ["key 'name'"]),
]


def _good(path):
    path.write_text("title: T\nquestion: Q\n")
    return path


@pytest.mark.parametrize("case,make,name,words", PATH_CASES, ids=[c[0] for c in PATH_CASES])
def test_bad_paths_and_names(tmp_path, capsys, case, make, name, words):
    target = make(tmp_path)
    code, captured, out = _render(tmp_path, target, capsys=capsys)
    _assert_clean_failure(code, captured, out, name, words)


OVERRIDE_CASES = [
    ("no-equals", "price_152mm_usd", ["-p", "expected name=value"]),
    ("empty-name", "=5", ["-p", "expected name=value"]),
    ("unknown-name", "prise_152mm_usd=5", ["-p", "did you mean 'price_152mm_usd'"]),
    ("text-value", "volume_rounds=many", ["-p", "volume_rounds", "expected a number"]),
    ("four-part-range", "volume_rounds=1:2:3:4:5", ["-p", "volume_rounds"]),
    ("range-out-of-bounds", "dud_fraction=0:0.5:1.2", ["-p", "dud_fraction", "above the maximum"]),
]


@pytest.mark.parametrize("case,pair,words", OVERRIDE_CASES, ids=[c[0] for c in OVERRIDE_CASES])
def test_bad_overrides_on_estimate_and_render(tmp_path, capsys, case, pair, words):
    assert cli.main(["estimate", "-p", pair, "--draws", "100"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert all(w in err for w in words)
    code, captured, out = _render(tmp_path, "baseline", "-p", pair, capsys=capsys)
    _assert_clean_failure(code, captured, out, "-p", words)


def test_debug_flag_shows_the_traceback(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("title: T\n")
    with pytest.raises(ScenarioError):
        cli.main(["--debug", "render", str(path), "--out", str(tmp_path / "out")])


def test_out_option_that_is_a_file_is_refused(tmp_path, capsys):
    blocker = tmp_path / "file.txt"
    blocker.write_text("keep me")
    assert cli.main(["render", "baseline", "--out", str(blocker)]) == 2
    assert "expected a folder" in capsys.readouterr().err
    assert blocker.read_text() == "keep me"


def test_bad_cli_run_as_a_process_prints_no_traceback(tmp_path, cli):
    path = tmp_path / "bad.yaml"
    path.write_text("title: T\nquestion: Q\nparameters: {dud_fraction: 2}\n")
    result = cli("render", path, "--out", tmp_path / "out")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "bad.yaml: key 'parameters.dud_fraction'" in result.stderr
    assert not (tmp_path / "out").exists()


# --- property: the validator accepts or raises ScenarioError, never anything else ---

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                    st.text(max_size=12))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=10), inner, max_size=3)),
                      max_leaves=6)
param_names = st.sampled_from(["volume_rounds", "price_152mm_usd", "dud_fraction", "economy_year",
                               "share_122mm", "fire_rate_per_day", "nonsense", "economy_measure"])
dist_values = st.fixed_dictionaries({}, optional={
    "distribution": st.sampled_from(["pert", "uniform", "triangular", "lognormal", "fixed", "beta"]),
    "low": st.one_of(st.floats(-10, 1e7), st.text(max_size=3)), "central": st.floats(-10, 1e7),
    "high": st.floats(-10, 1e7), "value": st.floats(-10, 1e7)})
documents = st.one_of(
    values,
    st.fixed_dictionaries({"title": st.one_of(st.text(max_size=8), scalars), "question": st.text(max_size=8)},
                          optional={"parameters": st.dictionaries(param_names, st.one_of(values, dist_values), max_size=4),
                                    "draws": scalars, "seed": scalars, "extra": values}),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(documents)
def test_validator_accepts_or_raises_its_own_error(catalog, doc):
    try:
        scen = scenarios.from_document(doc, catalog, name="fuzz", file="fuzz.yaml")
    except ScenarioError as exc:
        assert str(exc).startswith("fuzz.yaml")
    else:
        assert scen.title and scen.question and 100 <= scen.draws


HEAD = "title: T\nquestion: Q?\n"
# Found by a red-team pass over the dated-flow keys: each was accepted (exit 0) or misread before.
DATED_CASES = [
    ("count-1e30", "statements:\n  - {date: 2024-04-15, containers: 1e30, kind: munitions, source: x}\n",
     ["statements[0].containers", "whole number of containers"]),
    ("count-fraction", "statements:\n  - {date: 2024-04-15, containers: 7500.5, kind: munitions, source: x}\n",
     ["statements[0].containers", "whole number"]),
    ("count-odd-commas", "statements:\n  - {date: 2024-04-15, containers: '9,00,0', kind: munitions, source: x}\n",
     ["statements[0].containers", "decimal comma"]),
    ("count-decimal-comma", "statements:\n  - {date: 2024-04-15, containers: '7,5', kind: munitions, source: x}\n",
     ["statements[0].containers", "decimal comma"]),
    ("rounds-huge", "statements:\n  - {date: 2024-04-15, rounds: 1e12, kind: munitions, source: x}\n",
     ["statements[0].rounds", "whole number of rounds"]),
    ("as-of-blank", "as_of:\n", ["as_of", "is empty"]),
    ("statements-blank", "statements:\n", ["statements", "is empty"]),
]


@pytest.mark.parametrize("case,text,words", DATED_CASES, ids=[c[0] for c in DATED_CASES])
def test_bad_dated_flow_keys_give_one_clear_line(tmp_path, capsys, case, text, words):
    path = tmp_path / "bad.yaml"
    path.write_text(HEAD + text)
    code, captured, out = _render(tmp_path, path, capsys=capsys)
    _assert_clean_failure(code, captured, out, "bad.yaml", words)


@pytest.mark.parametrize("args,words", [
    (["estimate", "--draws", "500", "--as-of", ""], ["--as-of", "is empty"]),
    (["sweep", "as_of=2023-10-01:2024-12-31:5", "--as-of", "2024-01-01"], ["--as-of", "either"]),
    (["sweep", "as_of=2023-10-01:2024-12-31:5", "--output", ""], ["--output", "is empty"]),
    (["solve", "share_of_economy=0.05", "--for", "as_of", "--as-of", "2024-01-01"], ["--as-of", "solved for"]),
    (["render", "baseline", "--kernel-start-timeout", "99999999999999999999"], ["--kernel-start-timeout", "86,400"]),
    (["render", "baseline", "--cell-timeout", "100000"], ["--cell-timeout", "86,400"]),
], ids=["as-of-empty", "sweep-as-of-twice", "sweep-output-empty", "solve-as-of-twice", "start-timeout-huge",
        "cell-timeout-huge"])
def test_conflicting_or_empty_dated_options_are_refused(tmp_path, capsys, args, words):
    out = tmp_path / "out"
    if args[0] in ("sweep", "render"):
        args = args + ["--out", str(out)]
    code = cli.main(args)
    _assert_clean_failure(code, capsys.readouterr(), out, words[0], words[1:])


def _one_line(code, err):
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_export_to_a_folder_is_bad_input_and_writes_nothing(tmp_path, capsys):
    """Found by a red-team pass: exit 1 after the simulation, naming a temporary file, with the CSVs written."""
    (tmp_path / "book.xlsx").mkdir()
    code = cli.main(["export", "baseline", "--csv", str(tmp_path / "csv"), "--xlsx", str(tmp_path / "book.xlsx"),
                     "--draws", "200"])
    line = _one_line(code, capsys.readouterr().err)
    assert "--xlsx" in line and "book.xlsx" in line and "not a file" in line
    assert not (tmp_path / "csv").exists() or not any((tmp_path / "csv").iterdir())


@pytest.mark.parametrize("case,text,words", [
    ("huge-file", "title: T\nquestion: Q?\n" + "# padding\n" * 120_000, ["bytes", "at most"]),
    ("correlations-blank", "title: T\nquestion: Q?\ncorrelations:\n", ["correlations", "is empty"]),
], ids=["huge-file", "correlations-blank"])
def test_more_bad_scenario_files(tmp_path, capsys, case, text, words):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    code, captured, out = _render(tmp_path, path, capsys=capsys)
    _assert_clean_failure(code, captured, out, "bad.yaml", words)


def test_a_device_is_not_a_scenario_file(tmp_path, capsys):
    line = _one_line(cli.main(["estimate", "--scenario", "/dev/null", "--draws", "200"]), capsys.readouterr().err)
    assert "/dev/null" in line and "not a regular file" in line


def test_validate_reports_every_problem_despite_a_bad_file_name_or_correlation(tmp_path, capsys):
    path = tmp_path / "my.scenario.yaml"
    path.write_text("title: T\nquestion: Q?\nparameters:\n  in_kind_share: 1.5\ncorrelations:\n"
                    "  price_152mm_usd: {price_122mm_usd: 1.5, price_other_usd: -2}\n")
    assert cli.main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "key 'name'" in err and "in_kind_share" in err
    assert "price_122mm_usd" in err and "price_other_usd" in err  # both bad pairs, not only the first
    line = _one_line(cli.main(["validate", "baseline", "--all"]), capsys.readouterr().err)
    assert "--all" in line


@pytest.mark.parametrize("axis,words", [
    ("as_of=2024-01-01:2024-12-31:step=1.5", ["whole number of days"]),
    ("as_of=2024-01-01:2024-12-31:step=400", ["2024-01-01", "2024-12-31"]),
], ids=["fractional-days", "dates-in-message"])
def test_as_of_sweep_steps(tmp_path, capsys, axis, words):
    line = _one_line(cli.main(["sweep", axis, "--out", str(tmp_path / "o")]), capsys.readouterr().err)
    for w in words:
        assert w in line
