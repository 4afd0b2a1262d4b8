"""Key judgements: the brief's findings as plain sentences with P50 and P5-P95 ranges."""

from ..defaults import THRESHOLD_SHARE
from . import format as fmt


def _r(summary, name):
    return fmt.interval(summary.loc[name])


def key_judgements(sim, resolved, catalog):
    """A list of (heading, sentence) pairs computed from the simulation."""
    s = sim.summary()
    year, measure = resolved["economy_year"], resolved["economy_measure"]
    measure_text = {"gni_nominal": "nominal GNI", "gdp_nominal": "nominal GDP"}[measure]
    p10 = sim.probability("share_of_economy_per_year", THRESHOLD_SHARE)
    p10_cum = sim.probability("share_of_economy", THRESHOLD_SHARE)
    period = resolved["period_months"].central
    return [
        ("Shell revenue",
         f"The shipments most likely earned {_r(s, 'revenue_usd')} over about {period:.1f} months, "
         f"or {_r(s, 'revenue_per_year_usd')} at the annual rate."),
        ("Against the economy",
         f"That is {_r(s, 'share_of_economy')} of the DPRK's {year} {measure_text} cumulatively, and "
         f"{_r(s, 'share_of_economy_per_year')} at the annual rate. The chance that the annual rate exceeds 10% is "
         f"{p10:.0%}; that the cumulative total exceeds 10%, {p10_cum:.0%}. Per year it is "
         f"{_r(s, 'multiple_of_exports_per_year')} the DPRK's official exports in {year}."),
        ("Duration of supply",
         f"The usable shells, {_r(s, 'usable_rounds')} rounds, last Russia {_r(s, 'supply_days')} at its firing rate, "
         f"covering {_r(s, 'consumption_share')} of its artillery use over the period."),
        ("Against other supply",
         f"At the annual rate the shipments equal {_r(s, 'share_of_russian_output')} of Russia's own shell output, and "
         f"{_r(s, 'multiple_of_eu_pledge')} the EU's one-million-a-year pledge to Ukraine."),
        ("Container balance",
         f"At the official conversion the containers could hold {_r(s, 'rounds_all_152mm')} 152mm rounds if all held "
         f"shells; that conversion uses {_r(s, 'mass_utilisation_152mm')} of a 20ft payload. The shipped volume "
         f"fills {_r(s, 'containers_needed')} containers. Russia sent back {_r(s, 'containers_back')}, "
         f"{_r(s, 'container_surplus')} more than it received."),
        ("Triangulation",
         f"Four independent routes put the volume at {fmt.count(s.loc['volume_intel_rounds', 'p50'])} (intelligence), "
         f"{fmt.count(s.loc['volume_containers_rounds', 'p50'])} (containers), "
         f"{fmt.count(s.loc['volume_tonnage_rounds', 'p50'])} (tonnage) and "
         f"{fmt.count(s.loc['volume_supply_days_rounds', 'p50'])} (days of supply); "
         f"the largest is {_r(s, 'triangulation_spread')} the smallest."),
    ]
