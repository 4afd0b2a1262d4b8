"""Atomic file writing: a temporary file beside the target, then a rename, so no reader sees half a file.

Temporary files are named `.NAME.RANDOM.dprk-arms-PID`, so clean-up can tell ours (and whether the process
that made one is gone) from anything else in a folder.
"""

import contextlib
import os
import tempfile
from pathlib import Path

from . import interrupts

SCRATCH_PREFIX = "dprk-arms-"  # with the owner's pid: what clean-up may remove once that process is gone


def temp_beside(target):
    """A new, uniquely named temporary file beside `target` (same folder, so a rename is atomic), named so
    clean-up can tell it is ours: .NAME.RANDOM.dprk-arms-PID."""
    target = Path(target)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=f".{SCRATCH_PREFIX}{os.getpid()}",
                                dir=target.parent)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp's 0600 would make every published PDF private
    finally:
        os.close(fd)
    return Path(name)


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _umask()


@contextlib.contextmanager
def atomic_paths(*targets):
    """Temporary paths for `targets`; write them in the block. When it ends normally each replaces its target;
    when it raises (an error, Ctrl-C, SIGTERM) the temporaries are removed and every target is left as it was."""
    targets = [Path(t) for t in targets]
    temporaries = []
    try:
        for target in targets:
            with interrupts.deferred():  # made and noted for removal as one step
                temporaries.append(temp_beside(target))
        yield temporaries
        for tmp, target in zip(temporaries, targets):
            os.replace(tmp, target)
    finally:
        for tmp in temporaries:
            tmp.unlink(missing_ok=True)


def write_atomic(target, data):
    """Write bytes or text to `target` atomically."""
    with atomic_paths(target) as (tmp,):
        tmp.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))


def write_text(path, text, encoding="utf-8"):
    """Write `text` to `path` atomically."""
    with atomic_paths(path) as (tmp,):
        tmp.write_text(text, encoding=encoding)
