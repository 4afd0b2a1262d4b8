"""Execute a notebook with papermill on a worker's kernel, and refuse one that did not run to the end."""

import nbformat
import papermill
from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines
from papermill.iorw import write_ipynb

from .. import paths
from .kernel import KERNEL_NAME, START_TIMEOUT_S

# papermill's tags on the cells it adds: the parameters it injects, and the two markers around a failing cell
ADDED_TAGS = {"injected-parameters", "papermill-error-cell-tag"}
ENGINE = "dprk-write-at-end"


class WriteAtEndEngine(NBClientEngine):
    """papermill's nbclient engine, writing the executed notebook when the run ends rather than as each cell starts
    and ends: 57 writes a brief, each a deep copy, validation and JSON encoding of the whole notebook, took 0.4 s of
    a brief's 3. papermill writes it once after a run; this writes it also when the run is cut short (a timeout, a
    dead kernel), so the notebook of a failure still shows where it stopped."""

    @classmethod
    def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False,
                         autosave_cell_every=30, **kwargs):
        # papermill's Engine.execute_notebook, with the manager given no path to write to as it goes
        nb_man = NotebookExecutionManager(nb, output_path=None, progress_bar=progress_bar, log_output=log_output,
                                          autosave_cell_every=0)
        nb_man.notebook_start()
        try:
            cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
        except BaseException:
            if output_path:
                nb_man.notebook_complete()  # the run's end time set, as papermill's own engine does
                write_ipynb(nb_man.nb, output_path)
            raise
        finally:
            nb_man.cleanup_pbar()
        nb_man.notebook_complete()
        return nb_man.nb


papermill_engines.register(ENGINE, WriteAtEndEngine)


class IncompleteNotebook(RuntimeError):
    """The notebook stopped before its last cell without an error (e.g. a cell called sys.exit(0))."""

    ename = "IncompleteNotebook"

    def __init__(self, number, cell):
        first = cell.source.strip().splitlines()[0][:60] if cell.source.strip() else ""
        super().__init__(f"cell {number} ({first!r}) and those after it did not run")
        self.evalue = str(self)


def cell_number(nb, index, source=None) -> int:
    """The number a reader gives the executed notebook's cell `index` in the notebook they wrote (`source`, a
    path): its place there, found by the cell's id, counted from 1 with markdown cells included and the cells
    papermill adds (injected parameters, error markers: an executed copy holds them) not. Without the source,
    or for a cell it lacks, the executed notebook's cells are counted the same way."""
    cell_id = nb.cells[index].get("id")
    if source is not None and cell_id:
        try:
            cells = nbformat.read(str(source), as_version=4).cells
        except Exception:  # noqa: BLE001 - unreadable now: count instead
            cells = []
        ids = [c.get("id") for c in cells]
        if ids.count(cell_id) == 1:  # an executed copy rendered again still holds papermill's cells: not counted
            return _counted(cells[:ids.index(cell_id)]) + 1
    return _counted(nb.cells[:index]) + 1


def _counted(cells) -> int:
    return sum(1 for cell in cells if not ADDED_TAGS & set(cell.get("metadata", {}).get("tags", [])))


def execute(notebook, output, parameters, timeout, km=None, start_timeout=START_TIMEOUT_S):
    """Run `notebook` with papermill (on kernel `km` when given), writing the executed copy to `output`
    (also when a cell fails). Raises IncompleteNotebook unless every code cell ran to completion."""
    extra = {"km": km} if km is not None else {}
    # iopub_timeout: after a cell's reply, how long its last outputs may take to arrive. nbclient's 4 s, which
    # papermill makes an error, is an idle machine's figure; a loaded one gets the cell's own bound.
    # Kernel and language named: a notebook saved without a kernelspec (as some tools write them) runs on the
    # worker's kernel, as one that names it does; plan.brief_notebook refuses one for another language up front.
    papermill.execute_notebook(
        str(notebook), str(output), parameters=parameters, cwd=str(paths.NOTEBOOKS_DIR), kernel_name=KERNEL_NAME,
        language="python", engine_name=ENGINE,
        execution_timeout=timeout, iopub_timeout=timeout, start_timeout=start_timeout, progress_bar=False,
        log_output=False, report_mode=False, **extra,
    )
    check_complete(output, notebook)


def check_complete(executed, source=None):
    """Raise IncompleteNotebook at the first code cell papermill did not complete: papermill treats a
    SystemExit(0) as a quiet stop, which would otherwise publish a truncated brief."""
    nb = nbformat.read(str(executed), as_version=4)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.get("metadata", {}).get("papermill", {}).get("status") != "completed":
            raise IncompleteNotebook(cell_number(nb, index, source), cell)
        if cell.cell_type == "code" and any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            raise IncompleteNotebook(cell_number(nb, index, source), cell)
