"""Comparison brief: key outputs of several scenarios side by side."""

import html
from dataclasses import dataclass

from .. import paths
from ..data import catalog as catalog_mod
from ..data import scenarios as scenarios_mod
from ..simulation import montecarlo
from . import format as fmt
from . import notebook as nb
from . import plots, provenance, tables

KEY_OUTPUTS = ("containers_count", "period_months", "revenue_usd", "revenue_per_year_usd", "share_of_economy", "share_of_economy_per_year",
               "share_of_economy_years", "multiple_of_exports_per_year", "supply_days", "consumption_share", "rounds_all_152mm",
               "containers_back", "triangulation_spread")
CHARTS = (("revenue_usd", "Revenue over the period", fmt.money),
          ("share_of_economy_per_year", "Revenue per year, share of the economy", fmt.percent),
          ("supply_days", "Days of Russian fire covered", lambda v: f"{v:,.0f}"),
          ("volume_containers_rounds", "Rounds implied by the containers", fmt.count))
COLUMNS_PER_TABLE = 3  # more scenario columns than this do not fit the width of an A4 page


@dataclass
class Comparison:
    scenarios: list
    summaries: dict
    catalog: object
    draws: int
    seed: int
    figures: int = 0


def run_from(namespace):
    """Load, validate and simulate every scenario the parameters cell names."""
    cat = catalog_mod.load()
    names = namespace.get("scenarios") or sorted(p.stem for p in paths.SCENARIOS_DIR.glob("*.yaml"))
    loaded = [scenarios_mod.load_scenario(scenarios_mod.scenario_path(n), cat) for n in names]
    draws, seed = int(namespace.get("draws", 100_000)), int(namespace.get("seed", scenarios_mod.DEFAULT_SEED))
    summaries = {s.title: montecarlo.simulate(s.resolved, cat, draws, seed,
                                              cat.timeline(s.as_of or None, list(s.statements), str(s.path))).summary()
                 for s in loaded}
    return Comparison(loaded, summaries, cat, draws, seed)


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
    for output, label, formatter in CHARTS:
        nb.figure(comparison, plots.compare_bars(comparison.summaries, output, label, formatter),
                  f"{label} by scenario: P50 dot, P5 to P95 bar.")


def provenance_block(comparison):
    overrides = {s.name: s.overrides for s in comparison.scenarios}
    nb.show('<div class="provenance"><h2>Provenance</h2>' + tables.key_value_html(
        provenance.record(comparison.catalog, "compare", overrides, comparison.draws, comparison.seed)) + "</div>")
