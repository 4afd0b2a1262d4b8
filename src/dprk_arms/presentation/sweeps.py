"""Sweep outputs: a sweep's CSV and its chart (PNG and SVG), written together and atomically."""

from pathlib import Path

from .. import files, paths
from ..data import catalog as catalog_mod
from ..data import scenarios as scenarios_mod
from ..defaults import THRESHOLD_SHARE
from ..errors import ScenarioError
from ..models.evaluate import OUTPUTS
from . import format as fmt
from . import plots

UNITS = {o.name: o.unit for o in OUTPUTS}
LABELS = {o.name: o.label for o in OUTPUTS}


def formatter(output):
    unit = UNITS[output]
    return lambda v, *_: fmt.value(v, unit)


def write_sweep(frame, axes, metric, output=None, out=None, catalog=None) -> list[Path]:
    """Write a sweep's CSV, and its chart as PNG and SVG; returns the paths."""
    if metric not in UNITS:
        from ..data.parameters import did_you_mean
        raise ScenarioError("sweep", "--metric", f"unknown output{did_you_mean(metric, UNITS)}")
    stem = scenarios_mod.check_name(output or "sweep-" + "-".join(a.replace("_", "-") for a in axes), "--output")
    folder = Path(out) if out else paths.REPORTS_DIR / "sweeps"
    if folder.exists() and not folder.is_dir():
        raise ScenarioError("--out", "out", f"{folder} is a file; expected a folder")
    folder.mkdir(parents=True, exist_ok=True)
    threshold = THRESHOLD_SHARE if metric.startswith("share_of_economy") else None
    words = fmt.parameter_labels(catalog or catalog_mod.load())
    written = [folder / f"{stem}.csv", folder / f"{stem}.png", folder / f"{stem}.svg"]
    # All three are written under temporary names first and renamed together at the end: an interrupted or
    # failed sweep leaves the previous files (or none), never a 0-byte or half-written one.
    with files.atomic_paths(*written) as (csv_tmp, png_tmp, svg_tmp):
        frame.to_csv(csv_tmp, index=False)
        fig = plots.sweep_chart(frame, axes, metric, LABELS[metric], formatter(metric), threshold, words)
        plots.save(fig, png_tmp, dpi=150, format="png")
        fig = plots.sweep_chart(frame, axes, metric, LABELS[metric], formatter(metric), threshold, words)
        plots.save(fig, svg_tmp, format="svg")
    return written
