"""Every project path, in one place."""

import os
from pathlib import Path

ROOT = Path(os.environ.get("DPRK_ARMS_ROOT", Path(__file__).resolve().parents[2]))
DATA_DIR = ROOT / "data"
SCENARIOS_DIR = DATA_DIR / "scenarios"
NOTEBOOKS_DIR = ROOT / "notebooks"
REPORTS_DIR = ROOT / "reports"
SHARED_DIR = ROOT.parent / "shared"
SEEDS_DIR = SHARED_DIR / "seeds"
