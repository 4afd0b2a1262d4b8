"""What the notebooks call: read the parameters cell, run the models, show sections as HTML."""

import base64
import html
from dataclasses import dataclass
from datetime import date

from IPython.display import HTML, display

from ..data import catalog as catalog_mod
from ..data import runspec
from ..defaults import THRESHOLD_SHARE
from ..models.evaluate import OUTPUTS
from ..simulation import montecarlo, sensitivity
from . import format as fmt
from . import consistency, judgements, plots, provenance, tables


@dataclass
class Run:
    """One scenario's results, as a notebook uses them."""

    spec: runspec.RunSpec
    catalog: object
    sim: montecarlo.Simulation
    render_digest: str | None = None
    figures: int = 0
    tables: int = 0

    @property
    def name(self):
        return self.spec.name

    @property
    def title(self):
        return self.spec.title

    @property
    def question(self):
        return self.spec.question

    @property
    def overrides(self):
        return self.spec.overrides

    @property
    def resolved(self):
        return self.spec.resolved

    @property
    def timeline(self):
        return self.sim.timeline

    def tornado(self):
        """Swings read off the correlated draws (lowest against highest tenth of each input)."""
        outputs = [o.name for o in OUTPUTS]
        direct = sensitivity.tornado(self.resolved, self.catalog, outputs, self.timeline)
        return sensitivity.tornado_draws(self.sim, outputs, direct)


def run_from(namespace) -> Run:
    """Build the run spec from the parameters cell (the canonical spec papermill injected, or the cell's
    own values when run by hand) and run the Monte Carlo."""
    cat = catalog_mod.load()
    spec = runspec.from_namespace(namespace, cat)
    for warning in runspec.misspelt(namespace, cat):
        show(f'<p class="warning"><b>Warning:</b> {html.escape(warning)}.</p>')
    sim = montecarlo.simulate(spec.resolved, cat, spec.draws, spec.seed, spec.timeline, spec.rank_correlations)
    return Run(spec, cat, sim, namespace.get("render_digest"))


def show(markup):
    display(HTML(fmt.no_math(markup)))


def header(run, kind="Brief"):
    show(f'<div class="header"><div class="kicker">dprk-arms-estimates &middot; {html.escape(kind)}</div>'
         f'<h1>{html.escape(run.title)}</h1>'
         f'<div class="question">{html.escape(run.question)}</div>'
         f'<div class="date">{date.today():%d %B %Y} &middot; scenario <code>{html.escape(run.name)}</code> &middot; '
         f'as of {judgements.day(run.timeline.as_of)}'
         f'{" (extrapolated)" if run.timeline.extrapolated else ""} &middot; {run.sim.draws:,} Monte Carlo draws</div></div>')


def key_judgements(run):
    items = "".join(f"<li><b>{html.escape(h)}.</b> {html.escape(t)}</li>"
                    for h, t in judgements.key_judgements(run.sim, run.resolved, run.catalog))
    checks = "".join(f"<li><b>{html.escape(h)}.</b> {html.escape(t)}</li>" for h, t in consistency.flags(run.sim))
    checks = f'<h3>Where the numbers disagree</h3><ul class="checks">{checks}</ul>' if checks else ""
    show(f'<div class="judgements"><h2>Key judgements</h2><ul>{items}</ul>{checks}'
         f'<p class="note">Ranges are P50 (P5 to P95) over the Monte Carlo draws.</p></div>')


def figure(run, fig, caption):
    """Embed a matplotlib figure as vector SVG with a numbered caption."""
    run.figures += 1
    data = base64.b64encode(plots.to_svg(fig).encode()).decode()
    show(f'<figure class="chart"><img alt="Figure {run.figures}" src="data:image/svg+xml;base64,{data}"/>'
         f'<figcaption>Figure {run.figures}. {html.escape(caption)}</figcaption></figure>')


def chart(run, which):
    """The standard charts by name."""
    sim = run.sim
    if which == "revenue":
        both = (" Left, the gross value (cash plus goods in kind at their cash value) filled, and the cash alone "
                "outlined in red." if plots.paid_in_kind(sim) else "")
        return figure(run, plots.revenue_distribution(sim),
                      "Revenue over the period (left) and per year as a share of the DPRK economy (right), red line "
                      f"at 10%.{both}")
    if which == "duration":
        marks = [(c.as_of[:7], c.value) for c in run.catalog.claims_for("fire_rate_per_day")
                 if c.unit == "rounds/day"]
        return figure(run, plots.duration_vs_fire_rate(sim, marks),
                      "Days of fire the usable shells cover, against Russia's daily fire rate; dashed lines are sourced rates.")
    if which == "containers":
        return figure(run, plots.container_balance(sim),
                      "Containers each way (left); rounds per container at the official conversion and at the payload mass limit (right).")
    if which == "timeline":
        return figure(run, plots.timeline(run.sim, run.timeline, run.resolved), timeline_caption(run))
    if which == "triangulation":
        return figure(run, plots.triangulation(sim),
                      "Volume shipped implied by four independent routes, against the volume the revenue model uses (red).")
    raise ValueError(f"unknown chart {which!r}")


def timeline_caption(run):
    """The timeline chart's caption: what it shows, and each statement's source."""
    line = run.timeline
    points = "; ".join(f"{judgements.day(s.date)}: {plots.statement_label(s)} ({s.source})"
                       for s in line.statements if not s.is_start)
    starts = " or ".join(judgements.day(s.date) for s in line.starts)
    tail = (f" Past the last count ({judgements.day(line.last_count.date)}) the line is an extrapolation." if line.extrapolated
            else "")
    return (f"Shipments as a dated flow, as of {judgements.day(line.as_of)}. Top: cumulative containers DPRK to Russia, "
            f"P50 and P5 to P95 band, shipments starting {starts}; dots are the dated statements (hollow: all cargo, "
            f"not used for munitions). Middle: rounds shipped, P5 to P95 band, with stated head-counts. Bottom: "
            f"revenue by calendar year (P50, bar P5 to P95) against 10% of that year's economy.{tail} Statements: "
            f"{points}.")


def timeline_notes(run):
    """The as-of and volume-route sentences, as a paragraph."""
    show(f'<p class="timeline-notes">{html.escape(" ".join(judgements.timeline_notes(run.sim, run.resolved, run.catalog)))}</p>')


TORNADO_LABELS = {
    "revenue_usd": ("revenue", fmt.money),
    "share_of_economy_per_year": ("revenue per year as share of the economy", fmt.percent),
    "supply_days": ("days of supply", lambda v: f"{v:,.0f}"),
    "consumption_share": ("share of Russian use covered", fmt.percent),
    "volume_containers_rounds": ("rounds in the containers", fmt.count),
    "container_surplus": ("container surplus", fmt.count),
}


def tornado_chart(run, output, table=None):
    table = run.tornado() if table is None else table
    label, formatter = TORNADO_LABELS[output]
    if not (table[table["output"] == output]["swing"] > 0).any():
        # an empty chart reads as a rendering fault; say why there is nothing to show
        value = fmt.interval(run.sim.summary([output]).loc[output])  # one number: every draw is the same
        show(f'<p class="fixed-output">No uncertain input moves {html.escape(label)} in this scenario: every '
             f'input it depends on is fixed, so it is {html.escape(value)} in every draw.</p>')
        return
    figure(run, plots.tornado(table, output, label, formatter, names=fmt.parameter_labels(run.catalog)),
           f"Tornado: {label} averaged over the draws with each input in its lowest tenth against its highest "
           "tenth; inputs correlated with it move with it, as in the draws.")


def summary_table(run, question=None):
    run.tables += 1
    note = f'<p class="note">{html.escape(tables.MOST_LIKELY_NOTE)}</p>' if run.tables == 1 else ""
    summary = run.sim.summary()
    if question == "calendar":  # years the period does not reach have nothing to show
        summary = summary[~summary.index.str.match(r"^(revenue|share_of_economy)_\d{4}") | (summary["p95"] > 0)]
    show(tables.summary_html(summary, question) + note)


def rank_correlations(run, outputs):
    corr = sensitivity.rank_correlations(run.sim, outputs).round(2)
    corr = corr[(corr.abs() >= 0.05).any(axis=1)]
    show(corr.to_html(classes="summary", border=0))


def assumptions(run):
    show(tables.assumptions_html(tables.assumptions_rows(run.catalog, run.resolved, run.spec.set_by_scenario)))
    show("<h3>Inputs that move together</h3>" + tables.correlations_html(
        tables.correlations_rows(run.catalog, run.resolved, run.sim.correlations, run.spec.correlations)))


def provenance_block(run):
    show('<div class="provenance"><h2>Provenance</h2>' + tables.key_value_html(
        provenance.record(run.catalog, run.spec, run.render_digest)
        + [("as of", run.timeline.as_of.isoformat()),
           ("statements", f"{len(run.timeline.statements)} ({len(run.catalog.statements)} from data/statements.csv)")])
        + "</div>")
