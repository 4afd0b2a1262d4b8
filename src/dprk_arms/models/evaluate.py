"""All model outputs from one set of numeric inputs: the graph the briefs and sweeps evaluate."""

import functools
from dataclasses import dataclass

import numpy as np

from . import calendar, containers, duration, revenue, timeline, triangulation


@dataclass(frozen=True)
class Output:
    name: str
    unit: str
    label: str
    question: str


OUTPUTS = (
    Output("containers_count", "containers", "Containers shipped by the as-of date", "timeline"),
    Output("period_months", "months", "Months from the start of shipments to the as-of date", "timeline"),
    Output("shipped_rounds", "rounds", "Rounds shipped (the volume used)", "timeline"),
    Output("revenue_usd", "USD", "Revenue, cumulative (gross value)", "revenue"),
    Output("value_at_price_usd", "USD", "Value at the realised price", "revenue"),
    Output("cash_revenue_usd", "USD", "Cash revenue, cumulative", "revenue"),
    Output("in_kind_value_usd", "USD", "Goods paid in kind, at cash value", "revenue"),
    Output("return_cargo_value_usd", "USD", "Cargo of containers back (cross-check)", "revenue"),
    Output("revenue_152mm_usd", "USD", "Revenue from 152mm", "revenue"),
    Output("revenue_122mm_usd", "USD", "Revenue from 122mm", "revenue"),
    Output("revenue_other_usd", "USD", "Revenue from other rounds", "revenue"),
    Output("revenue_krw", "KRW", "Revenue, cumulative, in won", "revenue"),
    Output("revenue_per_year_usd", "USD/year", "Revenue per year", "revenue"),
    Output("economy_usd", "USD", "DPRK economy (chosen measure and year)", "revenue"),
    Output("share_of_economy", "fraction", "Revenue as share of the economy, cumulative", "revenue"),
    Output("share_of_economy_per_year", "fraction", "Revenue per year as share of the economy", "revenue"),
    Output("multiple_of_exports_per_year", "ratio", "Revenue per year / official exports", "revenue"),
    Output("usable_rounds", "rounds", "Usable rounds (net of duds)", "duration"),
    Output("supply_days", "days", "Days of Russian fire covered", "duration"),
    Output("supply_months", "months", "Months of Russian fire covered", "duration"),
    Output("consumption_share", "fraction", "Share of Russian use over the period", "duration"),
    Output("share_of_russian_output", "fraction", "Shipments per year / Russian output per year", "duration"),
    Output("multiple_of_eu_pledge", "ratio", "Shipments per year / EU pledge per year", "duration"),
    Output("rounds_per_container_152mm_by_mass", "rounds/container", "152mm rounds per container, mass limit", "containers"),
    Output("rounds_per_container_122mm_by_mass", "rounds/container", "122mm rounds per container, mass limit", "containers"),
    Output("mass_utilisation_152mm", "fraction", "Payload used at the stated 152mm conversion", "containers"),
    Output("mass_utilisation_122mm", "fraction", "Payload used at the stated 122mm conversion", "containers"),
    Output("rounds_all_152mm", "rounds", "Rounds if every container held 152mm", "containers"),
    Output("containers_needed", "containers", "Containers the shipped volume fills", "containers"),
    Output("containers_shortfall", "containers", "Containers the volume needs beyond those shipped", "containers"),
    Output("containers_back", "containers", "Containers Russia to DPRK", "containers"),
    Output("container_surplus", "containers", "Containers back minus containers out", "containers"),
    Output("volume_intel_rounds", "rounds", triangulation.ROUTES["volume_intel_rounds"], "triangulation"),
    Output("volume_containers_rounds", "rounds", triangulation.ROUTES["volume_containers_rounds"], "triangulation"),
    Output("volume_tonnage_rounds", "rounds", triangulation.ROUTES["volume_tonnage_rounds"], "triangulation"),
    Output("volume_supply_days_rounds", "rounds", triangulation.ROUTES["volume_supply_days_rounds"], "triangulation"),
    Output("triangulation_spread", "ratio", "Largest / smallest volume route", "triangulation"),
    *(Output(f"revenue_{y}_usd", "USD", f"Revenue in {y}", "calendar") for y in calendar.CALENDAR_YEARS),
    *(Output(f"share_of_economy_{y}", "fraction", f"Revenue in {y} as share of {y}'s economy", "calendar")
      for y in calendar.CALENDAR_YEARS),
    Output("share_of_economy_years", "fraction", "Revenue, all years, as share of those years' economies", "calendar"),
)
OUTPUT_NAMES = tuple(o.name for o in OUTPUTS)
# Numeric inputs evaluate() needs beyond the parameters: the looked-up economy and exports, the volume
# route as 0/1 flags, the dated statements (statement_{days,containers,more_than,u}_I), the start and
# as-of dates (days since 1970-01-01), and per calendar year the economy and won/dollar rate.
DERIVED_INPUTS = ("economy_krw", "exports_usd", "volume_from_containers", "volume_from_intel", "start_days",
                  "as_of_days")


def statement_arrays(x):
    """The statements' days, stated counts, 'more than' flags and error draws, statements on the last axis.

    A field the same in every draw (the days, counts and flags, read-only views of one number each) comes as
    one value per statement, which broadcasts: stacking it over a million draws would write 8 MB a statement."""
    k = sum(1 for name in x if name.startswith("statement_days_"))
    fields = [[np.asarray(x[f"statement_{f}_{i}"], dtype=float) for i in range(k)]
              for f in ("days", "containers", "more_than", "u")]
    shape = np.broadcast_shapes(*(c.shape for columns in fields for c in columns))
    return tuple(np.array([c.flat[0] for c in columns]) if all(_constant(c) for c in columns)
                 else np.stack(np.broadcast_arrays(*columns, np.empty(shape))[:k], axis=-1) for columns in fields)


def _constant(column) -> bool:
    """One number, or one number repeated without copies (every stride 0): the same in every draw."""
    return column.size == 1 or (column.size > 0 and not any(column.strides))


def shipment_curve(x):
    """days -> containers shipped by then in each draw of the inputs `x` (the statements' counts made once)."""
    knot_days, stated, more_than, u = statement_arrays(x)
    counts = timeline.statement_counts(stated, more_than, u, x["statement_error_fraction"])
    return functools.partial(timeline.cumulative_containers, start_days=x["start_days"], knot_days=knot_days,
                             knot_containers=counts, rate_per_day=x["ship_rate_containers_per_day"])


def cumulative_at(x, days):
    """Containers shipped by `days` in each draw of the inputs `x`."""
    return shipment_curve(x)(days)


def evaluate(inputs):
    """Every output in OUTPUTS, as float arrays broadcast from the numeric `inputs` mapping."""
    x = inputs
    shipped_by = shipment_curve(x)  # the timeline of these inputs, at any date
    containers_count = shipped_by(x["as_of_days"])
    period = timeline.period_months(x["start_days"], x["as_of_days"])
    per_round = containers.containers_per_round(
        x["share_122mm"], x["rounds_per_container_152mm"], x["rounds_per_container_122mm"])
    vol_containers = containers.rounds_in_containers(containers_count, x["munitions_container_share"], per_round)
    vol_intel = np.asarray(x["intel_volume_rounds"], dtype=float)
    volume = timeline.choose_volume(x["volume_from_containers"], x["volume_from_intel"], vol_containers, vol_intel,
                                    x["volume_rounds"])
    r152, r122, rother = revenue.rounds_by_type(volume, x["share_122mm"], x["share_other"])
    at152, at122, atother, at_price = revenue.revenue_usd(
        r152, r122, rother, x["price_152mm_usd"], x["price_122mm_usd"], x["price_other_usd"])
    cash, in_kind, rev = revenue.settlement(at_price, x["in_kind_share"], x["in_kind_valuation_ratio"])
    # each type's gross value scales like the total, so the parts still add up to it
    scale = np.divide(rev, at_price, out=np.ones(np.broadcast_shapes(np.shape(rev), np.shape(at_price))),
                      where=np.asarray(at_price) > 0)
    rev152, rev122, revother = at152 * scale, at122 * scale, atother * scale
    rev_year = revenue.annualise(rev, period)
    volume_year = revenue.annualise(volume, period)
    usable = duration.usable_rounds(volume, x["dud_fraction"])
    days = duration.supply_days(usable, x["fire_rate_per_day"])
    back, surplus = containers.return_flow(containers_count, x["return_ratio"])
    needed = containers.containers_needed(volume, per_round)
    loaded = containers_count * np.asarray(x["munitions_container_share"], dtype=float)
    mass = containers.mix_mass_kg(x["share_122mm"], x["packed_mass_kg_per_152mm"], x["packed_mass_kg_per_122mm"])
    vol_tonnage = containers.volume_from_tonnage(x["explosives_t"], mass)
    vol_days = triangulation.volume_from_supply_days(x["stated_supply_days"], x["fire_rate_per_day"])
    out = {
        "containers_count": containers_count,
        "period_months": period,
        "shipped_rounds": volume,
        "revenue_usd": rev,
        "value_at_price_usd": at_price,
        "cash_revenue_usd": cash,
        "in_kind_value_usd": in_kind,
        "return_cargo_value_usd": revenue.cargo_value(back, x["return_cargo_usd_per_container"]),
        "revenue_152mm_usd": rev152,
        "revenue_122mm_usd": rev122,
        "revenue_other_usd": revother,
        "revenue_krw": revenue.to_krw(rev, x["krw_per_usd"]),
        "revenue_per_year_usd": rev_year,
        "economy_usd": revenue.multiple_of(x["economy_krw"], x["krw_per_usd"]),
        "share_of_economy": revenue.share_of_economy(rev, x["krw_per_usd"], x["economy_krw"]),
        "share_of_economy_per_year": revenue.share_of_economy(rev_year, x["krw_per_usd"], x["economy_krw"]),
        "multiple_of_exports_per_year": revenue.multiple_of(rev_year, x["exports_usd"]),
        "usable_rounds": usable,
        "supply_days": days,
        "supply_months": duration.days_to_months(days),
        "consumption_share": duration.consumption_share(usable, x["fire_rate_per_day"], period),
        "share_of_russian_output": revenue.multiple_of(volume_year, x["russia_output_rounds_per_year"]),
        "multiple_of_eu_pledge": revenue.multiple_of(volume_year, x["eu_pledge_rounds_per_year"]),
        "rounds_per_container_152mm_by_mass": containers.rounds_per_container_by_mass(
            x["payload_kg_per_container"], x["packed_mass_kg_per_152mm"]),
        "rounds_per_container_122mm_by_mass": containers.rounds_per_container_by_mass(
            x["payload_kg_per_container"], x["packed_mass_kg_per_122mm"]),
        "mass_utilisation_152mm": containers.mass_utilisation(
            x["rounds_per_container_152mm"], x["packed_mass_kg_per_152mm"], x["payload_kg_per_container"]),
        "mass_utilisation_122mm": containers.mass_utilisation(
            x["rounds_per_container_122mm"], x["packed_mass_kg_per_122mm"], x["payload_kg_per_container"]),
        "rounds_all_152mm": containers.rounds_if_all(containers_count, x["rounds_per_container_152mm"]),
        "containers_needed": needed,
        "containers_shortfall": np.clip(needed - loaded, 0, None),
        "containers_back": back,
        "container_surplus": surplus,
        "volume_intel_rounds": vol_intel,
        "volume_containers_rounds": vol_containers,
        "volume_tonnage_rounds": vol_tonnage,
        "volume_supply_days_rounds": vol_days,
        "triangulation_spread": triangulation.spread(vol_intel, vol_containers, vol_tonnage, vol_days),
    }
    out.update(calendar_accounts(x, rev, containers_count, shipped_by))
    shape = np.broadcast_shapes(*(np.shape(v) for v in out.values()))
    return {k: np.broadcast_to(np.asarray(v, dtype=float), shape) for k, v in out.items()}


def calendar_accounts(x, revenue_usd, shipped_at_as_of, shipped_by):
    """Revenue by calendar year (allocated by the timeline) and against each year's economy, and all years together."""
    as_of = np.asarray(x["as_of_days"], dtype=float)
    out, revenues, rates, economies, touched = {}, [], [], [], []
    years = calendar.CALENDAR_YEARS
    # a year's end is the next one's start: the curve is evaluated once at each boundary
    boundaries = [shipped_by(np.minimum(calendar.year_start_days(y), as_of)) for y in (*years, years[-1] + 1)]
    for i, year in enumerate(years):
        rev_year = revenue_usd * calendar.year_fraction(boundaries[i], boundaries[i + 1], shipped_at_as_of)
        rate = calendar.krw_per_usd(x[f"krw_per_usd_sourced_{year}"], x["krw_per_usd"])
        economy = calendar.economy_krw(x[f"economy_published_krw_{year}"], x[f"economy_years_grown_{year}"],
                                       x["economy_growth_fraction"])
        out[f"revenue_{year}_usd"] = rev_year
        out[f"share_of_economy_{year}"] = revenue.share_of_economy(rev_year, rate, economy)
        revenues.append(rev_year)
        rates.append(rate)
        economies.append(economy)
        touched.append(calendar.touches(year, x["start_days"], as_of))
    out["share_of_economy_years"] = calendar.share_of_years(revenues, rates, economies, touched)
    return out
