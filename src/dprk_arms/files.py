"""Atomic file writing: a temporary file beside the target, then a rename, so no reader sees half a file."""

import contextlib
import os
from pathlib import Path


def temporary_path(target):
    """The temporary name for `target`: hidden, in the same folder (so the rename is atomic), tagged by process."""
    target = Path(target)
    return target.with_name(f".{target.name}.tmp-{os.getpid()}")


@contextlib.contextmanager
def atomic_paths(*targets):
    """Temporary paths for `targets`; write them in the block. When it ends normally each replaces its target;
    when it raises (an error, Ctrl-C, SIGTERM) the temporaries are removed and every target is left as it was."""
    targets = [Path(t) for t in targets]
    temporaries = [temporary_path(t) for t in targets]
    try:
        yield temporaries
        for tmp, target in zip(temporaries, targets):
            os.replace(tmp, target)
    finally:
        for tmp in temporaries:
            tmp.unlink(missing_ok=True)


def write_text(path, text, encoding="utf-8"):
    """Write `text` to `path` atomically."""
    with atomic_paths(path) as (tmp,):
        tmp.write_text(text, encoding=encoding)
