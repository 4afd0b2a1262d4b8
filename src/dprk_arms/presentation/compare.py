"""Comparison brief: key outputs of several scenarios side by side."""

import html
from dataclasses import dataclass

from .. import paths
from ..data import catalog as catalog_mod
from ..data import runspec
from ..data import scenarios as scenarios_mod
from ..defaults import THRESHOLD_SHARE
from ..models.evaluate import OUTPUTS
from ..simulation import montecarlo
from . import format as fmt
from . import notebook as nb
from . import plots, provenance, tables

KEY_OUTPUTS = ("containers_count", "period_months", "revenue_usd", "revenue_per_year_usd", "share_of_economy", "share_of_economy_per_year",
               "share_of_economy_years", "multiple_of_exports_per_year", "supply_days", "consumption_share", "rounds_all_152mm",
               "containers_back", "triangulation_spread")
# Each chart illustrates one row of the table above it: its output, the row's label, the row's units.
CHARTS = ("revenue_usd", "share_of_economy_per_year", "supply_days", "rounds_all_152mm")
LABELS = {o.name: o.label for o in OUTPUTS}
UNITS = {o.name: o.unit for o in OUTPUTS}
COLUMNS_PER_TABLE = 3  # more scenario columns than this do not fit the width of an A4 page


@dataclass
class Comparison:
    specs: list
    summaries: dict  # a label unique per scenario -> its summary table
    catalog: object
    render_digest: str | None = None
    figures: int = 0

    @property
    def scenarios(self):
        return self.specs


def run_from(namespace) -> Comparison:
    """Simulate every scenario, each at its own draws and seed, from the canonical run specs papermill
    injected (`run_specs`), or, run by hand, from the scenario files the parameters cell names."""
    cat = catalog_mod.load()
    if namespace.get("run_specs") is not None:
        specs = [runspec.from_canonical(doc, cat, f"run_specs[{i}]") for i, doc in enumerate(namespace["run_specs"])]
    else:
        names = namespace.get("scenarios") or sorted(p.stem for p in paths.SCENARIOS_DIR.glob("*.yaml"))
        specs = [scenarios_mod.load_scenario(scenarios_mod.scenario_path(n), cat) for n in names]
    summaries = dict(zip(column_labels(specs), (montecarlo.simulate(s.resolved, cat, s.draws, s.seed,
                                                                     s.timeline, s.rank_correlations).summary()
                                                  for s in specs)))
    return Comparison(specs, summaries, cat, namespace.get("render_digest"))


def column_labels(scenarios) -> list[str]:
    """One distinct column label per scenario: its title, with its name added where titles repeat (and a
    count where the same scenario is named twice), so no two scenarios ever share a column."""
    titles = [s.title for s in scenarios]
    labels = [t if titles.count(t) == 1 else f"{t} ({s.name})" for t, s in zip(titles, scenarios)]
    counts, seen = {label: labels.count(label) for label in labels}, {}
    for i, label in enumerate(labels):
        seen[label] = seen.get(label, 0) + 1
        if counts[label] > 1:
            labels[i] = f"{label} #{seen[label]}"
    return labels


def header(comparison):
    items = "".join(f"<li><b>{html.escape(s.title)}</b> (<code>{html.escape(s.name)}</code>): {html.escape(s.question)}</li>"
                    for s in comparison.scenarios)
    nb.show(f'<div class="header"><div class="kicker">dprk-arms-estimates &middot; Comparison</div>'
            f"<h1>Scenario comparison</h1><div class=\"question\">How do the answers change across scenarios?</div>"
            f'<ul class="scenarios">{items}</ul></div>')


def table(comparison):
    """The key outputs, P50 over its P5-P95 range, a few scenarios per table so each fits the page."""
    titles = list(comparison.summaries)
    for start in range(0, len(titles), COLUMNS_PER_TABLE):
        group = titles[start:start + COLUMNS_PER_TABLE]
        rows = []
        for name in KEY_OUTPUTS:
            rows.append([html.escape(comparison.summaries[group[0]].loc[name, "label"])] +
                        [_cell(comparison.summaries[t].loc[name]) for t in group])
        nb.show(tables.html_table(["Output"] + group, rows, "summary compare"))


def _cell(row):
    low, mid, high = (fmt.value(row[k], row["unit"]) for k in ("p5", "p50", "p95"))
    if low == high:
        return html.escape(mid)
    return f'{html.escape(mid)}<br><span class="range">{html.escape(low)} to {html.escape(high)}</span>'


def charts(comparison):
    for output in CHARTS:
        label, unit = LABELS[output], UNITS[output]
        threshold = THRESHOLD_SHARE if output.startswith("share_of_economy") else None
        line = f", red line at {fmt.percent(threshold)} of the economy" if threshold is not None else ""
        nb.figure(comparison, plots.compare_bars(comparison.summaries, output, label,
                                                 lambda v, unit=unit: fmt.value(v, unit), threshold),
                  f"{label} by scenario: P50 dot, P5 to P95 bar{line}.")


def method_note(comparison):
    """How the scenarios were sampled, true of this comparison: one seed for all, or each its own."""
    seeds = sorted({s.seed for s in comparison.specs})
    if len(seeds) == 1:
        text = (f"Each scenario is simulated with the same seed ({seeds[0]}) and the same random stream per "
                "parameter, so differences between scenarios come from their inputs, not from sampling noise.")
    else:
        text = ("Each scenario is simulated at its own seed (" + ", ".join(f"{s.name}: {s.seed}" for s in comparison.specs)
                + "), as in its own brief, so small differences between scenarios can come from sampling noise.")
    nb.show(f"<p>{html.escape(text)}</p>")


def provenance_block(comparison):
    nb.show('<div class="provenance"><h2>Provenance</h2>' + tables.key_value_html(
        provenance.compare_record(comparison.catalog, comparison.specs, comparison.render_digest)) + "</div>")
