"""Skip what has not changed: a digest of run spec, data, code and notebook, stamped beside each PDF."""

import hashlib
from pathlib import Path

from .. import files


def code_digest() -> str:
    """SHA-256 of the package's own source files (code and stylesheet)."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parents[1]  # the package
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".css") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def job_digest(parts: list, notebook, catalog, code: str | None = None) -> str:
    """The digest that decides a re-render; `code` is code_digest(), read once for a batch by its caller."""
    digest = hashlib.sha256()
    for part in [*parts, catalog.fingerprint(), code or code_digest()]:
        digest.update(str(part).encode())
    digest.update(Path(notebook).read_bytes())
    return digest.hexdigest()


def is_current(job) -> bool:
    stamp = stamp_path(job)
    return (Path(job.out_dir) / f"{job.name}.pdf").is_file() and stamp.is_file() and \
        stamp.read_text().strip() == job.digest


def write_stamp(job):
    """Record that `job.out_dir/NAME.pdf` is the brief for `job.digest`."""
    files.write_atomic(stamp_path(job), job.digest)


def stamp_path(job):
    return Path(job.out_dir) / f".{job.name}.sha256"
