"""All model outputs from one set of numeric inputs: the graph the briefs and sweeps evaluate."""

from dataclasses import dataclass

import numpy as np

from . import containers, duration, revenue, triangulation


@dataclass(frozen=True)
class Output:
    name: str
    unit: str
    label: str
    question: str


OUTPUTS = (
    Output("revenue_usd", "USD", "Revenue, cumulative", "revenue"),
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
    Output("containers_back", "containers", "Containers Russia to DPRK", "containers"),
    Output("container_surplus", "containers", "Containers back minus containers out", "containers"),
    Output("volume_intel_rounds", "rounds", triangulation.ROUTES["volume_intel_rounds"], "triangulation"),
    Output("volume_containers_rounds", "rounds", triangulation.ROUTES["volume_containers_rounds"], "triangulation"),
    Output("volume_tonnage_rounds", "rounds", triangulation.ROUTES["volume_tonnage_rounds"], "triangulation"),
    Output("volume_supply_days_rounds", "rounds", triangulation.ROUTES["volume_supply_days_rounds"], "triangulation"),
    Output("triangulation_spread", "ratio", "Largest / smallest volume route", "triangulation"),
)
OUTPUT_NAMES = tuple(o.name for o in OUTPUTS)
# Numeric inputs evaluate() needs beyond the parameters: the looked-up economy and exports.
DERIVED_INPUTS = ("economy_krw", "exports_usd")


def evaluate(inputs):
    """Every output in OUTPUTS, as float arrays broadcast from the numeric `inputs` mapping."""
    x = inputs
    r152, r122, rother = revenue.rounds_by_type(x["volume_rounds"], x["share_122mm"], x["share_other"])
    rev152, rev122, revother, rev = revenue.revenue_usd(
        r152, r122, rother, x["price_152mm_usd"], x["price_122mm_usd"], x["price_other_usd"])
    rev_year = revenue.annualise(rev, x["period_months"])
    volume_year = revenue.annualise(x["volume_rounds"], x["period_months"])
    usable = duration.usable_rounds(x["volume_rounds"], x["dud_fraction"])
    days = duration.supply_days(usable, x["fire_rate_per_day"])
    per_round = containers.containers_per_round(
        x["share_122mm"], x["rounds_per_container_152mm"], x["rounds_per_container_122mm"])
    back, surplus = containers.return_flow(x["containers_count"], x["return_ratio"])
    vol_containers = containers.rounds_in_containers(x["containers_count"], x["munitions_container_share"], per_round)
    mass = containers.mix_mass_kg(x["share_122mm"], x["packed_mass_kg_per_152mm"], x["packed_mass_kg_per_122mm"])
    vol_tonnage = containers.volume_from_tonnage(x["explosives_t"], mass)
    vol_days = triangulation.volume_from_supply_days(x["stated_supply_days"], x["fire_rate_per_day"])
    vol_intel = np.asarray(x["intel_volume_rounds"], dtype=float)
    out = {
        "revenue_usd": rev,
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
        "consumption_share": duration.consumption_share(usable, x["fire_rate_per_day"], x["period_months"]),
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
        "rounds_all_152mm": containers.rounds_if_all(x["containers_count"], x["rounds_per_container_152mm"]),
        "containers_needed": containers.containers_needed(x["volume_rounds"], per_round),
        "containers_back": back,
        "container_surplus": surplus,
        "volume_intel_rounds": vol_intel,
        "volume_containers_rounds": vol_containers,
        "volume_tonnage_rounds": vol_tonnage,
        "volume_supply_days_rounds": vol_days,
        "triangulation_spread": triangulation.spread(vol_intel, vol_containers, vol_tonnage, vol_days),
    }
    shape = np.broadcast_shapes(*(np.shape(v) for v in out.values()))
    return {k: np.broadcast_to(np.asarray(v, dtype=float), shape) for k, v in out.items()}
