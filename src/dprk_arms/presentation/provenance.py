"""Provenance of a brief: versions, git commit, hashes, draws, seed and time."""

import platform
import subprocess
from datetime import datetime, timezone

from .. import __version__, paths


def git_commit() -> str:
    """The checkout's commit (with '+dirty' when files changed), or 'not a git checkout'."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=paths.ROOT, capture_output=True,
                                text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=paths.ROOT,
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "not a git checkout"


def record(catalog, spec, render_digest=None) -> list[tuple[str, str]]:
    """Ordered (label, value) pairs for the brief's provenance block.

    `render_digest` is the digest `dprk-arms render` stored to decide re-renders (of the run spec, the data,
    the code and the notebook); a notebook run by hand has none and shows the run spec's own digest.
    """
    digest = (("render digest (sha256, first 16)", render_digest[:16]) if render_digest else
              ("run spec digest (sha256, first 16; not rendered by dprk-arms)", spec.digest()[:16]))
    return [
        ("package", f"dprk-arms-estimates {__version__}"),
        ("git commit", git_commit()),
        ("scenario", spec.name),
        digest,
        ("set by the scenario", ", ".join(sorted(spec.set_by_scenario)) or "nothing (all defaults)"),
        ("data hash (sha256, first 16)", catalog.fingerprint()[:16]),
        ("Monte Carlo", f"{spec.draws:,} draws, seed {spec.seed}"),
        ("python", platform.python_version()),
        ("rendered", datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
    ]


def compare_record(catalog, specs, render_digest=None) -> list[tuple[str, str]]:
    """Provenance pairs for a comparison brief: one digest, draws and seed per scenario."""
    rows = [("package", f"dprk-arms-estimates {__version__}"), ("git commit", git_commit())]
    if render_digest:
        rows.append(("render digest (sha256, first 16)", render_digest[:16]))
    for spec in specs:
        rows.append((f"scenario {spec.name}", f"run spec {spec.digest()[:16]}; {spec.draws:,} draws, seed {spec.seed}"))
    rows += [("data hash (sha256, first 16)", catalog.fingerprint()[:16]),
             ("python", platform.python_version()),
             ("rendered", datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))]
    return rows
