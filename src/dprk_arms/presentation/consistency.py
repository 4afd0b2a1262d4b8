"""Consistency checks: sentences where a brief's own numbers contradict each other or physics."""

import numpy as np

from . import format as fmt

MATERIAL_SHARE = 0.05  # a contradiction in fewer draws than this is tail noise, not worth a reader's time


def flags(sim) -> list[tuple[str, str]]:
    """(heading, sentence) pairs, one per contradiction found in the simulation's draws; empty when none."""
    out, inp = sim.outputs, sim.inputs
    found = []
    for calibre in ("152mm", "122mm"):
        used = out[f"mass_utilisation_{calibre}"].to_numpy()
        over = float(np.mean(used > 1))
        if over >= MATERIAL_SHARE:
            found.append((
                f"Overloaded containers ({calibre})",
                f"At the stated conversion of {fmt.count(np.median(inp[f'rounds_per_container_{calibre}']))} "
                f"{calibre} rounds a container, {over:.0%} of draws load a 20ft container beyond its payload "
                f"(P95 {fmt.percent(np.percentile(used, 95))} of it). Read the conversion as an upper bound on "
                f"capacity, not a count of what was loaded."))
    needed = out["containers_needed"].to_numpy()
    shipped = (out if "containers_count" in out else inp)["containers_count"].to_numpy()  # by the as-of date
    short = float(np.mean(needed > shipped))
    if short >= MATERIAL_SHARE:
        found.append((
            "Volume against containers",
            f"In {short:.0%} of draws the shipped volume needs more containers (P50 {fmt.count(np.median(needed))}) "
            f"than were shipped (P50 {fmt.count(np.median(shipped))}), at the stated rounds per container and "
            f"share carrying ammunition: the volume and the container count cannot both hold there."))
    return found
