"""Container balance: what the containers could hold, and the return flow from Russia."""

import numpy as np
from numpy.typing import ArrayLike

from .checks import as_array


def rounds_per_container_by_mass(
        payload_kg_per_container: ArrayLike, packed_mass_kg_per_round: ArrayLike,
) -> np.ndarray:
    """Rounds one container holds if mass is the only limit."""
    payload = as_array("payload_kg_per_container", payload_kg_per_container, low=0, low_open=True)
    return payload / as_array("packed_mass_kg_per_round", packed_mass_kg_per_round, low=0, low_open=True)


def mass_utilisation(
        rounds_per_container: ArrayLike, packed_mass_kg_per_round: ArrayLike,
        payload_kg_per_container: ArrayLike,
) -> np.ndarray:
    """Share of the payload limit used by a stated per-container conversion."""
    mass_kg = as_array("rounds_per_container", rounds_per_container, low=0) * as_array(
        "packed_mass_kg_per_round", packed_mass_kg_per_round, low=0)
    return mass_kg / as_array("payload_kg_per_container", payload_kg_per_container, low=0, low_open=True)


def containers_per_round(
        share_122mm: ArrayLike, rounds_per_container_152mm: ArrayLike, rounds_per_container_122mm: ArrayLike,
) -> np.ndarray:
    """Containers needed per round shipped, for a mix by rounds (other rounds pack like 152mm)."""
    s122 = as_array("share_122mm", share_122mm, 0, 1)
    cap152 = as_array("rounds_per_container_152mm", rounds_per_container_152mm, low=0, low_open=True)
    cap122 = as_array("rounds_per_container_122mm", rounds_per_container_122mm, low=0, low_open=True)
    return (1 - s122) / cap152 + s122 / cap122


def rounds_if_all(containers_count: ArrayLike, rounds_per_container: ArrayLike) -> np.ndarray:
    """Rounds if every container held one type at its stated conversion (the officials' framing)."""
    return as_array("containers_count", containers_count, low=0) * as_array(
        "rounds_per_container", rounds_per_container, low=0)


def rounds_in_containers(
        containers_count: ArrayLike, munitions_container_share: ArrayLike, containers_per_round_: ArrayLike,
) -> np.ndarray:
    """Rounds implied by a container count, the share carrying ammunition and the mix."""
    loaded = as_array("containers_count", containers_count, low=0) * as_array(
        "munitions_container_share", munitions_container_share, 0, 1)
    return loaded / as_array("containers_per_round", containers_per_round_, low=0, low_open=True)


def containers_needed(volume_rounds: ArrayLike, containers_per_round_: ArrayLike) -> np.ndarray:
    """Containers a volume of rounds fills."""
    return as_array("volume_rounds", volume_rounds, low=0) * as_array("containers_per_round", containers_per_round_, low=0)


def return_flow(containers_count: ArrayLike, return_ratio: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Containers Russia to DPRK, and the surplus over the outbound count."""
    out = as_array("containers_count", containers_count, low=0)
    back = out * as_array("return_ratio", return_ratio, low=0)
    return back, back - out


def volume_from_tonnage(explosives_t: ArrayLike, packed_mass_kg_per_round: ArrayLike) -> np.ndarray:
    """Rounds implied by a shipped tonnage and a mass per round."""
    return as_array("explosives_t", explosives_t, low=0) * 1000.0 / as_array(
        "packed_mass_kg_per_round", packed_mass_kg_per_round, low=0, low_open=True)


def mix_mass_kg(
        share_122mm: ArrayLike, packed_mass_kg_per_152mm: ArrayLike, packed_mass_kg_per_122mm: ArrayLike,
) -> np.ndarray:
    """Mean packed mass per round for a mix by rounds (other rounds weigh like 152mm)."""
    s122 = as_array("share_122mm", share_122mm, 0, 1)
    m152 = as_array("packed_mass_kg_per_152mm", packed_mass_kg_per_152mm, low=0, low_open=True)
    m122 = as_array("packed_mass_kg_per_122mm", packed_mass_kg_per_122mm, low=0, low_open=True)
    return np.asarray((1 - s122) * m152 + s122 * m122)
