"""Processes that die with their parent, and scratch folders marked with their owner for clean-up."""

import ctypes
import os
import re
import signal
import sys
import tempfile
from pathlib import Path

from ..files import SCRATCH_PREFIX

MARKER = ".dprk-arms-owner"  # in every scratch folder a run of ours makes: "PID START-TIME"


def _libc():
    try:
        return ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
    except OSError:
        return None


_PRCTL = getattr(_libc(), "prctl", None)  # bound now: a Popen preexec_fn should not look symbols up
PR_SET_PDEATHSIG = 1


def die_with_parent(signum=signal.SIGKILL):
    """Ask Linux to send this process `signum` (SIGKILL) when its parent dies (PR_SET_PDEATHSIG); False where
    unsupported. Used as a Popen preexec_fn, so a kernel cannot outlive its worker even before it polls JPY_PARENT_PID."""
    return _PRCTL is not None and _PRCTL(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0


def process_identity(pid):
    """(pid, start time) on Linux, so a recycled pid is not mistaken for the process that made a file."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return f"{pid} {stat.rsplit(')', 1)[1].split()[19]}"
    except (OSError, IndexError):
        return str(pid)


def process_alive(identity):
    """Whether the process named by `process_identity` still runs (a zombie does not)."""
    pid, _, started = identity.partition(" ")
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except (ValueError, OverflowError):
        return False
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return True  # no /proc: the signal check is all there is
    return fields[0] != "Z" and (not started or fields[19] == started)


def children(pid) -> list[int]:
    """The pids of `pid`'s living children (Linux, from /proc; none elsewhere)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*/stat") if Path("/proc/self/stat").exists() else ():
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[1] == str(pid) and fields[0] != "Z":
            found.append(int(entry.parent.name))
    return found


def make_scratch(parent, prefix=SCRATCH_PREFIX):
    """A new private folder `parent/PREFIXPID-RANDOM` with an owner marker, for clean-up to recognise."""
    Path(parent).mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=parent))
    (folder / MARKER).write_text(process_identity(os.getpid()))
    return folder


def scratch_is_stale(folder):
    """A scratch folder of ours whose owner has exited: marked by us, or, when its owner was killed between
    making and marking it, empty and named for that owner. Never a folder with anything of someone else's."""
    folder = Path(folder)
    try:
        owner = (folder / MARKER).read_text().strip()
    except FileNotFoundError:
        owner = ""
    except OSError:
        return False
    if owner:
        return not process_alive(owner)
    named = re.match(rf"{re.escape(SCRATCH_PREFIX)}(\d+)-", folder.name)
    try:
        empty = all(entry.name == MARKER for entry in folder.iterdir())
    except OSError:
        return False
    return bool(named) and empty and not process_alive(named.group(1))
