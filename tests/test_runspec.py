"""The run specification: one parse per route, one canonical form, one digest, nothing guessed."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dprk_arms import paths
from dprk_arms.data import runspec, scenarios
from dprk_arms.defaults import DEFAULT_DRAWS, DEFAULT_SEED, MAX_DRAWS, MAX_SEED
from dprk_arms.errors import ScenarioError

SHIPPED = sorted(paths.SCENARIOS_DIR.glob("*.yaml"))


def _cell(catalog, **values):
    """A parameters cell as a notebook run by hand defines it."""
    namespace = {name: p.default_spec() for name, p in catalog.parameters.items()}
    namespace.update(scenario="by-hand", title="By hand", question="", draws=500, seed=1, run_spec=None)
    namespace.update(values)
    return namespace


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_canonical_form_round_trips_for_every_shipped_scenario(path, catalog):
    spec = scenarios.load_scenario(path, catalog)
    again = runspec.from_canonical(spec.canonical(), catalog)
    assert again == spec and again.digest() == spec.digest() and again.resolved == spec.resolved


def test_a_scenario_value_equal_to_its_default_counts_as_set(catalog):
    spec = scenarios.load_scenario(paths.SCENARIOS_DIR / "seed-headline.yaml", catalog)
    assert catalog.parameters["economy_measure"].default == "gni_nominal"
    assert "economy_measure" in spec.set_by_scenario  # the file sets it, to its default
    assert "share_122mm" not in spec.set_by_scenario


def test_a_p_string_equal_to_the_default_is_set_and_canonical(catalog):
    spec = runspec.build(catalog, extra_overrides={"economy_year": "2023", "price_152mm_usd": "3000"})
    assert spec.set_by_scenario == {"economy_year", "price_152mm_usd"}
    assert spec.overrides == {"economy_year": 2023, "price_152mm_usd": 3000}


def test_spellings_of_one_value_give_one_digest(catalog):
    digests = {runspec.build(catalog, overrides={"price_152mm_usd": v}).digest()
               for v in (3000, 3000.0, "3000", "fixed:3000", {"value": 3000})}
    assert len(digests) == 1
    ranged = {runspec.build(catalog, overrides={"price_152mm_usd": v}).digest()
              for v in ("500:1000:4000", "pert:500:1000:4000", {"low": 500, "central": 1000, "high": 4000})}
    assert len(ranged) == 1


def test_digest_changes_with_anything_the_run_asks_for(catalog):
    base = runspec.build(catalog, overrides={"price_152mm_usd": 3000})
    variants = [runspec.build(catalog, overrides={"price_152mm_usd": 3001}),
                base.with_settings(draws=base.draws + 1), base.with_settings(seed=base.seed + 1),
                runspec.build(catalog, overrides={"price_152mm_usd": 3000}, title="Other"),
                runspec.build(catalog, overrides={"price_152mm_usd": 3000, "economy_year": 2023})]
    assert len({base.digest(), *(v.digest() for v in variants)}) == 1 + len(variants)


def test_notebook_run_by_hand_marks_only_what_the_cell_changed(catalog):
    spec = runspec.from_namespace(_cell(catalog, economy_year="2023", price_152mm_usd=3000), catalog)
    assert spec.set_by_scenario == {"price_152mm_usd"}  # "2023" is the default year, spelt as text
    assert (spec.name, spec.draws, spec.seed) == ("by-hand", 500, 1)


def test_notebook_under_papermill_uses_the_injected_spec_not_the_cell(catalog):
    injected = scenarios.load_scenario(paths.SCENARIOS_DIR / "seed-headline.yaml", catalog)
    namespace = _cell(catalog, price_152mm_usd=1, run_spec=injected.canonical())
    assert runspec.from_namespace(namespace, catalog) == injected


@pytest.mark.parametrize("route", ["file", "canonical", "cell", "cli"])
@pytest.mark.parametrize("key,value", [("draws", 5), ("draws", MAX_DRAWS + 1), ("draws", 2.5), ("draws", True),
                                       ("seed", -1), ("seed", MAX_SEED + 1), ("seed", "x")])
def test_run_settings_are_checked_the_same_way_on_every_route(route, key, value, catalog, tmp_path):
    with pytest.raises(ScenarioError) as caught:
        if route == "file":
            path = tmp_path / "s.yaml"
            path.write_text(f"title: t\nquestion: q\n{key}: {value!r}\n".replace("True", "true"))
            scenarios.load_scenario(path, catalog)
        elif route == "canonical":
            doc = runspec.build(catalog).canonical()
            doc[key] = value
            runspec.from_canonical(doc, catalog)
        elif route == "cell":
            runspec.from_namespace(_cell(catalog, **{key: value}), catalog)
        else:
            runspec.build(catalog).with_settings(**{key: value})
    assert "expected a whole number from" in str(caught.value) and key in str(caught.value)


def test_defaults_are_defined_once(catalog):
    spec = runspec.build(catalog)
    assert (spec.draws, spec.seed, dict(spec.overrides)) == (DEFAULT_DRAWS, DEFAULT_SEED, {})


def test_malformed_canonical_spec_names_the_key(catalog):
    doc = runspec.build(catalog).canonical()
    doc["extra"] = 1
    with pytest.raises(ScenarioError, match="extra"):
        runspec.from_canonical(doc, catalog)
    with pytest.raises(ScenarioError, match="format"):
        runspec.from_canonical({**runspec.build(catalog).canonical(), "format": 99}, catalog)


values = st.one_of(st.integers(0, 10_000), st.floats(0, 10_000, allow_nan=False),
                   st.tuples(st.floats(0, 5_000), st.floats(0, 5_000), st.floats(0, 5_000)).map(sorted))


@settings(max_examples=60, deadline=None)
@given(price=values, draws=st.integers(100, MAX_DRAWS), seed=st.integers(0, MAX_SEED))
def test_canonical_form_is_a_fixed_point(catalog, price, draws, seed):
    value = price if not isinstance(price, list) else "triangular:{}:{}:{}".format(*price)
    try:
        spec = runspec.build(catalog, overrides={"price_152mm_usd": value}, draws=draws, seed=seed)
    except ScenarioError:
        return  # e.g. a degenerate triangle; rejected the same way everywhere
    again = runspec.from_canonical(spec.canonical(), catalog)
    assert again.canonical() == spec.canonical() and again.resolved == spec.resolved


def test_a_misspelt_parameter_in_the_cell_is_named_with_a_suggestion(catalog):
    namespace = _cell(catalog, fire_rate_per_dya=20000, In=[], nb=object(), _i1="x", table="not a parameter")
    warnings = runspec.misspelt(namespace, catalog)
    assert warnings == ["'fire_rate_per_dya' is not a parameter (did you mean 'fire_rate_per_day'?); its value is ignored"]
