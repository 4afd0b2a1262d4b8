"""Provenance of a brief: versions, git commit, hashes, draws, seed and time."""

import hashlib
import json
import platform
import subprocess
from datetime import datetime, timezone

from .. import __version__, paths


def git_commit():
    """The checkout's commit (with '+dirty' when files changed), or 'not a git checkout'."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=paths.ROOT, capture_output=True,
                                text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=paths.ROOT,
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "not a git checkout"


def overrides_digest(name, overrides, draws, seed):
    payload = json.dumps([name, overrides, draws, seed], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def record(catalog, name, overrides, draws, seed):
    """Ordered (label, value) pairs for the brief's provenance block."""
    return [
        ("package", f"dprk-arms-estimates {__version__}"),
        ("git commit", git_commit()),
        ("scenario", name),
        ("scenario hash (sha256, first 16)", overrides_digest(name, overrides, draws, seed)[:16]),
        ("data hash (sha256, first 16)", catalog.fingerprint()[:16]),
        ("Monte Carlo", f"{draws:,} draws, seed {seed}"),
        ("python", platform.python_version()),
        ("rendered", datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
    ]
