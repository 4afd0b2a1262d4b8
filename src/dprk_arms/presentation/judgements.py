"""Key judgements: the brief's findings as plain sentences with P50 and P5-P95 ranges."""

from ..defaults import THRESHOLD_SHARE
from ..models.calendar import CALENDAR_YEARS
from . import format as fmt

ROUTE_WORDS = {
    "containers": "the containers shipped by then x the share carrying munitions x rounds per container for the mix",
    "intel": "the intelligence head-count (intel_volume_rounds)",
    "stated": "the stated volume (volume_rounds)",
}
# The parameter whose first claim dates each triangulation route (the containers route is dated by as_of).
ROUTE_CLAIMS = {"volume_intel_rounds": "intel_volume_rounds", "volume_tonnage_rounds": "explosives_t",
                "volume_supply_days_rounds": "stated_supply_days"}
# A draw falls short when its volume needs more than half a container beyond those loaded (a share of draws that
# `estimate` counts as it draws, keeping none).
SHORTFALL_THRESHOLD = ("containers_shortfall", 0.5, True)


def _r(summary, name):
    return fmt.interval(summary.loc[name])


def day(date):
    """26 February 2024."""
    return f"{date.day} {date:%B %Y}"


def route_dates(sim, catalog):
    """The date each triangulation route speaks for, as text."""
    dates = {name: fmt.as_of_text(catalog.claims_for(param)[0].as_of) for name, param in ROUTE_CLAIMS.items()}
    dates["volume_containers_rounds"] = day(sim.timeline.as_of)
    return dates


def as_of_sentence(sim, resolved):
    """When the estimates answer for, and whether that date lies past the last dated count (extrapolation)."""
    line = sim.timeline
    last = line.last_count
    if not line.extrapolated:
        where = "the date of the last dated container count" if line.as_of == last.date else \
            f"between dated container counts (the last is {day(last.date)})"
        return f"Estimates are as of {day(line.as_of)}, {where}."
    rate = resolved["ship_rate_containers_per_day"]
    low, high = rate.bounds
    return (f"Estimates are as of {day(line.as_of)}, {line.days_past_last} days after the last dated container count "
            f"({day(last.date)}, {last.source}): the containers shipped since are an extrapolation at an assumed "
            f"{low:,.0f} to {high:,.0f} containers a day, so the range widens with the distance from that count.")


def volume_sentence(sim, resolved, catalog):
    """Which route sets the volume, and a warning when the containers cannot hold it."""
    route = resolved["volume_route"]
    s = sim.summary()
    text = f"The shipped volume, {_r(s, 'shipped_rounds')} rounds, comes from {ROUTE_WORDS[route]}"
    if route == "intel":
        dated = catalog.claims_for("intel_volume_rounds")[0].as_of
        text += f", dated {fmt.as_of_text(dated)}" + ("" if dated == sim.timeline.as_of.isoformat() else
                                                       f", not the as-of date {day(sim.timeline.as_of)}")
    text += "."
    warning = shortfall_warning(sim)
    return f"{text} {warning}" if warning else text


def shortfall_warning(sim):
    """A sentence when, in some draws, the volume needs more containers than were shipped; else ''."""
    share = sim.probability(*SHORTFALL_THRESHOLD)
    if share < 0.005:
        return ""
    s = sim.summary()
    return (f"The containers cannot hold this volume in {share:.0%} of draws: it needs {_r(s, 'containers_needed')} "
            f"full containers, while {_r(s, 'containers_count')} were shipped by {day(sim.timeline.as_of)}, "
            f"not all carrying munitions.")


def timeline_notes(sim, resolved, catalog) -> list[str]:
    """The as-of, route and capacity sentences (for the brief and the `estimate` command)."""
    return [as_of_sentence(sim, resolved), volume_sentence(sim, resolved, catalog)]


def calendar_sentence(sim, resolved):
    """Revenue by calendar year against that year's economy, and over all years against their sum."""
    s = sim.summary()
    measure = {"gni_nominal": "nominal GNI", "gdp_nominal": "nominal GDP"}[resolved["economy_measure"]]
    years = [y for y in CALENDAR_YEARS if s.loc[f"revenue_{y}_usd", "p95"] > 0]
    parts = [f"{y}: {fmt.money(s.loc[f'revenue_{y}_usd', 'p50'])}, {_r(s, f'share_of_economy_{y}')} of {y}'s {measure}"
             for y in years]
    return (f"By calendar year (allocated by the timeline), {'; '.join(parts)}. Over "
            f"{'the year' if len(years) == 1 else 'those years'} together it is {_r(s, 'share_of_economy_years')} "
            f"of the sum of their {measure}.")


def key_judgements(sim, resolved, catalog) -> list[tuple[str, str]]:
    """A list of (heading, sentence) pairs computed from the simulation."""
    s = sim.summary()
    year, measure = resolved["economy_year"], resolved["economy_measure"]
    measure_text = {"gni_nominal": "nominal GNI", "gdp_nominal": "nominal GDP"}[measure]
    p10 = sim.probability("share_of_economy_per_year", THRESHOLD_SHARE)
    p10_cum = sim.probability("share_of_economy", THRESHOLD_SHARE)
    line = sim.timeline
    dates = route_dates(sim, catalog)
    return [
        ("As of", " ".join(timeline_notes(sim, resolved, catalog))),
        ("Shell revenue",
         f"The shipments most likely earned {_r(s, 'revenue_usd')} from the start of shipments to {day(line.as_of)} "
         f"(about {s.loc['period_months', 'p50']:.1f} months), or {_r(s, 'revenue_per_year_usd')} at the annual rate."
         + in_kind_sentence(sim, resolved)),
        ("Against the economy",
         f"That is {_r(s, 'share_of_economy')} of the DPRK's {year} {measure_text} cumulatively, and "
         f"{_r(s, 'share_of_economy_per_year')} at the annual rate. The chance that the annual rate exceeds 10% is "
         f"{p10:.0%}; that the cumulative total exceeds 10%, {p10_cum:.0%}. Per year it is "
         f"{_r(s, 'multiple_of_exports_per_year')} the DPRK's official exports in {year}. "
         + calendar_sentence(sim, resolved)),
        ("Duration of supply",
         f"The usable shells, {_r(s, 'usable_rounds')} rounds, last Russia {_r(s, 'supply_days')} at its firing rate, "
         f"covering {_r(s, 'consumption_share')} of its artillery use over the period."),
        ("Against other supply",
         f"At the annual rate the shipments equal {_r(s, 'share_of_russian_output')} of Russia's own shell output, and "
         f"{_r(s, 'multiple_of_eu_pledge')} the EU's one-million-a-year pledge to Ukraine."),
        ("Container balance",
         f"By {day(line.as_of)} {_r(s, 'containers_count')} containers had gone to Russia. At the official conversion "
         f"they could hold {_r(s, 'rounds_all_152mm')} 152mm rounds if all held "
         f"shells; that conversion uses {_r(s, 'mass_utilisation_152mm')} of a 20ft payload. The shipped volume "
         f"fills {_r(s, 'containers_needed')} containers. Russia sent back {_r(s, 'containers_back')}, "
         f"{_r(s, 'container_surplus')} more than it received."),
        ("Triangulation",
         f"Four routes put the volume at {fmt.count(s.loc['volume_intel_rounds', 'p50'])} (intelligence, "
         f"{dates['volume_intel_rounds']}), {fmt.count(s.loc['volume_containers_rounds', 'p50'])} (containers, "
         f"{dates['volume_containers_rounds']}), {fmt.count(s.loc['volume_tonnage_rounds', 'p50'])} (tonnage, "
         f"{dates['volume_tonnage_rounds']}) and {fmt.count(s.loc['volume_supply_days_rounds', 'p50'])} (days of "
         f"supply, {dates['volume_supply_days_rounds']}); the largest is {_r(s, 'triangulation_spread')} the smallest. "
         + spread_dates_sentence(dates)),
    ]


def in_kind_sentence(sim, resolved):
    """Cash revenue beside the gross value when any payment is in kind, with the return-cargo cross-check; else ''."""
    if not (sim.outputs["in_kind_value_usd"].to_numpy() > 0).any():
        return ""
    s = sim.summary()
    share, ratio = resolved["in_kind_share"], resolved["in_kind_valuation_ratio"]
    return (f" That is a gross value: the cash alone is {_r(s, 'cash_revenue_usd')}, and goods paid in kind are "
            f"worth {_r(s, 'in_kind_value_usd')} in cash (an assumed {_share_text(share)} of the value settled in "
            f"goods, each dollar of them worth {_ratio_text(ratio)} in cash). As a cross-check, the containers back "
            f"at an assumed value per container carried {_r(s, 'return_cargo_value_usd')}.")


def _share_text(dist):
    low, high = dist.bounds
    return f"{100 * low:.0f}%" if low == high else f"{100 * low:.0f}% to {100 * high:.0f}%"


def _ratio_text(dist):
    low, high = dist.bounds
    return f"{low:.2f}" if low == high else f"{low:.2f} to {high:.2f}"


def spread_dates_sentence(dates):
    """Says so when the routes speak for different dates: part of their spread is shipping in between."""
    if len(set(dates.values())) == 1:
        return "All four speak for the same date."
    return ("The routes speak for different dates, so part of that spread is shipments made between them, "
            "not disagreement.")
