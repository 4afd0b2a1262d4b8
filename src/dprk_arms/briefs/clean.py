"""Clean up after killed runs: only scratch of ours (marked with its owner) whose process has exited."""

import re
import shutil
import tempfile
from pathlib import Path

from ..files import SCRATCH_PREFIX
from .scratch import process_alive, scratch_is_stale

STALE_FILE = re.compile(rf"^\..+\.{re.escape(SCRATCH_PREFIX)}(\d+)$")  # files.temp_beside's names


def clean_stale(out) -> None:
    """Remove what killed runs of ours left: scratch folders carrying our owner marker, and temporary files
    named by files.temp_beside, whose process has exited. Nothing else, however it is named."""
    out = Path(out)
    folders = list((out / ".work").glob(f"{SCRATCH_PREFIX}*"))
    folders += Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*")  # kernel sockets, runtime files
    for folder in folders:
        if folder.is_dir() and not folder.is_symlink() and scratch_is_stale(folder):
            shutil.rmtree(folder, ignore_errors=True)
    for entry in out.glob(".*"):
        match = STALE_FILE.match(entry.name)
        if match and entry.is_file() and not entry.is_symlink() and not process_alive(match.group(1)):
            entry.unlink(missing_ok=True)
    try:
        (out / ".work").rmdir()  # only when empty
    except OSError:
        pass
