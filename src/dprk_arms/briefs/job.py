"""Run one job in a render worker: execute, convert, publish; a failure keeps what there is to inspect."""

import atexit
import os
import shutil
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from .. import files
from . import cache, kernel, scratch


@dataclass(frozen=True)
class Outcome:
    name: str
    status: str  # rendered | skipped | failed
    seconds: float
    message: str = ""
    kept: tuple = ()  # what a failure left in <out>/failed/ to inspect


def render_job(job) -> Outcome:
    """Execute and convert one job in this process; never raises."""
    # Imported here, not at the top: the render stack (nbformat, papermill, nbconvert) takes seconds to
    # import, and a run with nothing to render, which imports this module for Outcome, needs none of it.
    from . import convert, execute
    from .preload import preload_for
    start = time.monotonic()
    out = Path(job.out_dir)
    work = executed = None
    try:
        import_pdf_library()
        scratch = _worker_scratch(out)
        work = scratch / job.name
        work.mkdir()
        executed = work / f"{job.name}.ipynb"
        try:
            km = kernel.warm_kernel(scratch, job.start_timeout, preload_for(str(job.notebook)))
            if not kernel.reset_kernel(km):  # matplotlib first loaded by the last brief: its settings cannot be undone
                kernel.discard_kernel()
                km = kernel.warm_kernel(scratch, job.start_timeout, preload_for(str(job.notebook)))
            execute.execute(job.notebook, executed, job.parameters, job.timeout, km=km, start_timeout=job.start_timeout)
        except Exception as exc:  # noqa: BLE001 - any failure is reported, and the notebook kept
            kernel.discard_kernel()  # dead, interrupted or dirty: the next brief gets a fresh kernel
            from papermill.exceptions import PapermillExecutionError
            # A cell's own error is in the notebook; a dead, hung or unstartable kernel is in its log.
            kernel_trouble = not isinstance(exc, (PapermillExecutionError, execute.IncompleteNotebook))
            return _failed(job, start, exc, executed, with_log=kernel_trouble, mark_cell=True)
        pdf = work / f"{job.name}.pdf"
        try:
            convert.write_pdf(convert.to_html(executed, job.title), pdf)
            _publish(pdf, out / f"{job.name}.pdf")
        except Exception as exc:  # noqa: BLE001 - nothing published: the earlier PDF stands
            return _failed(job, start, exc, executed)
        # The PDF is out: from here on a problem is a note on a rendered brief, never a failure.
        notes = []
        for what, step in [("executed notebook", lambda: _publish(executed, out / f"{job.name}.ipynb")),
                           ("cache stamp", lambda: cache.write_stamp(job)),
                           ("earlier failure record", lambda: _clear_failed(out, job.name))]:
            try:
                step()
            except Exception as exc:  # noqa: BLE001 - the brief is published whatever happens here
                notes.append(f"{what} not updated ({_describe(exc)})")
        return Outcome(job.name, "rendered", time.monotonic() - start, "; ".join(notes))
    except Exception as exc:  # noqa: BLE001
        return _failed(job, start, exc, executed)
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)


def import_pdf_library():
    """Import WeasyPrint (its library look-ups through the linker's cache alone), raising what its import raised, or
    ImportError for an exit or a KeyboardInterrupt. Each brief does it first: one that cannot load (Pango missing) fails the brief now, in one line, not after
    its notebook has run for nothing. A module that exits or raises KeyboardInterrupt as it loads (a worker ignores
    SIGINT: it is no interrupt) is such a failure too, not the end of the worker."""
    from .nbimports import soname_lookups_only
    try:
        with soname_lookups_only():
            import weasyprint  # noqa: F401
    except Exception:
        raise
    except BaseException as exc:  # noqa: BLE001
        raise ImportError(f"weasyprint could not be imported: {type(exc).__name__}: {exc}") from None


_scratch = {}  # output folder -> this worker's scratch folder in it
_parent = None  # identity of the command that started this worker, when it is one


def _worker_scratch(out):
    """This process's own scratch folder under <out>/.work (executed notebooks, PDFs in the making, kernel
    logs), marked with its owner so clean-up removes only folders of ours whose process has exited."""
    folder = _scratch.get(out)
    if folder is None or not folder.is_dir():
        folder = _scratch[out] = scratch.make_scratch(out / ".work")
        atexit.register(shutil.rmtree, folder, True)
    return folder


def _command_alive():
    return _parent is None or scratch.process_alive(_parent)


def _publish(source, target):
    """Rename a finished file into place; never once the command that asked for it has gone."""
    if not _command_alive():
        raise RuntimeError("the render command has exited; not publishing")
    if target.is_dir():
        raise IsADirectoryError(f"{target} is a folder; expected a file or nothing")
    os.replace(source, target)


def _clear_failed(out, name):
    for stale in (out / "failed" / f"{name}.ipynb", out / "failed" / f"{name}.log"):
        if stale.is_file():
            stale.unlink()


def _describe(exc):
    """One bounded line: `Name: first line of the message`."""
    text = str(getattr(exc, "evalue", exc)).strip()
    return f"{getattr(exc, 'ename', type(exc).__name__)}: {text.splitlines()[0][:300] if text else ''}".rstrip(": ")


def _failed(job, start, exc, executed, with_log=False, mark_cell=False):
    """A failed outcome that names what was kept in <out>/failed/: the executed notebook when there is one
    (its failing cell marked when the notebook step failed), and the kernel's log when the kernel was in
    question or there is no notebook."""
    out = Path(job.out_dir)
    failed = out / "failed"
    message, kept = _describe(exc), []
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = message[len(ename) + 2:] if message.startswith(f"{ename}: ") else ""
    try:
        failed.mkdir(parents=True, exist_ok=True)
        if executed is not None and executed.is_file():
            cell = _mark_failing_cell(executed, ename, evalue, job.notebook) if mark_cell else None
            if cell:
                message = f"cell {cell[0]} ({cell[1]!r}): {message}"
            target = failed / f"{job.name}.ipynb"
            _publish(executed, target)
            kept.append(target)
        else:
            (failed / f"{job.name}.ipynb").unlink(missing_ok=True)  # an older run's: not this failure's
        if with_log or not kept:
            log = getattr(exc, "log", None) or kernel.kernel_log()
            lines = [f"{job.name}: {message}", *traceback.format_exception_only(type(exc), exc)]
            if log is not None:
                lines += [f"--- last lines of the kernel's log ({Path(log).name}) ---", *kernel.log_tail(log, 200)]
            target = failed / f"{job.name}.log"
            files.write_atomic(target, "\n".join(line.rstrip("\n") for line in lines) + "\n")
            kept.append(target)
    except Exception as keep_exc:  # noqa: BLE001 - a full disk must not hide the original failure
        message += f"; could not keep it for inspection ({_describe(keep_exc)})"
    if kept:
        message += f"; kept {', '.join(str(k) for k in kept)}"
    return Outcome(job.name, "failed", time.monotonic() - start, message, tuple(str(k) for k in kept))


def _mark_failing_cell(path, ename, evalue, source=None):
    """(number as its author counts it, first line) of the last cell papermill started; adds an error output
    when it has none (a dead kernel, a timeout or a quiet stop leaves the cell without one)."""
    import nbformat
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception:  # noqa: BLE001 - a half-written notebook is still kept, just not annotated
        return None
    started = [i for i, c in enumerate(nb.cells) if c.get("metadata", {}).get("papermill", {}).get("start_time")]
    if not started:
        return None
    index = started[-1]
    cell = nb.cells[index]
    if cell.cell_type == "code" and not any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
        cell.outputs.append(nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"]))
        try:
                    files.write_atomic(path, nbformat.writes(nb))
        except OSError:
            pass  # unmarked, but still kept
    from .execute import cell_number
    return cell_number(nb, index, source), cell.source.strip().splitlines()[0][:60] if cell.source.strip() else ""
