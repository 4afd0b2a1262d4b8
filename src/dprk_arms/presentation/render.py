"""Render one notebook: execute with papermill, convert to HTML (code hidden), then PDF with WeasyPrint."""

import atexit
import html
import os
from pathlib import Path

import nbformat
import papermill
from jupyter_core.utils import run_sync
from nbconvert import HTMLExporter

from .. import paths

CSS = (Path(__file__).with_name("brief.css")).read_text(encoding="utf-8")


# What every brief imports; loaded once into a worker's kernel so each brief starts warm.
PRELOAD = "import dprk_arms.presentation.notebook, dprk_arms.presentation.compare, scipy.stats"
START_ATTEMPTS = 3
_kernel = None
_clients = {}  # connection file -> a client kept open, so set-up code does not wait for a handshake each time


def warm_kernel(log_dir):
    """This process's kernel, started (with the package preloaded) on first use or after a discard."""
    global _kernel
    if _kernel is not None and run_sync(_kernel.is_alive)():
        return _kernel
    discard_kernel()
    # Async, as papermill's own: nbclient polls a sync manager's client in a way that blocks its event
    # loop, so a kernel that dies mid-cell would never be noticed.
    from jupyter_client.manager import AsyncKernelManager
    log_dir = Path(log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    # The kernel's own chatter (transport warnings) goes to a log the next run cleans up, not the user's terminal.
    log = open(log_dir / f"kernel-{os.getpid()}.log", "ab")  # noqa: SIM115 - lives as long as the kernel
    atexit.register(discard_kernel)
    for attempt in range(1, START_ATTEMPTS + 1):
        km = AsyncKernelManager(kernel_name="python3")
        run_sync(km.start_kernel)(cwd=str(paths.NOTEBOOKS_DIR), stdout=log, stderr=log)
        _kernel = km
        try:
            run_code(km, PRELOAD, 120)
            return km
        except RuntimeError:
            # Ports are chosen, released, then bound by the kernel; another process (a parallel worker's
            # kernel or client) can take one in between, and the kernel exits "Address already in use"
            # (jupyter_client#154, #487). A new kernel gets new ports; a live kernel that failed is a real error.
            if run_sync(km.is_alive)() or attempt == START_ATTEMPTS:
                raise
            discard_kernel()


def reset_kernel(km):
    """Clear the previous brief's names; imported modules stay loaded."""
    run_code(km, "%reset -f\nimport matplotlib.pyplot as _plt\n_plt.close('all')\ndel _plt", 30)


def discard_kernel():
    """Shut this process's kernel down (after a failure, so the next brief gets a clean one)."""
    global _kernel
    for client in _clients.values():
        client.stop_channels()
    _clients.clear()
    if _kernel is not None:
        try:
            run_sync(_kernel.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001 - a kernel that is already gone is what we want
            pass
        _kernel = None


def run_code(km, code, timeout):
    """Run `code` on kernel `km` and wait for it; returns what it printed. Raises if it fails."""
    client = _clients.get(km.connection_file)
    if client is None:
        from jupyter_client.blocking import BlockingKernelClient
        # Its own session (same key): the shell socket's identity is the session id, and sharing papermill's
        # would route replies to whichever client connected last.
        client = BlockingKernelClient()  # blocking: set-up code waits for its reply
        client.load_connection_info(km.get_connection_info(session=False))
        client.start_channels()
        try:
            client.wait_for_ready(timeout=60)
        except BaseException:
            client.stop_channels()
            raise
        _clients[km.connection_file] = client
    printed = []
    reply = client.execute_interactive(code, timeout=timeout,
                                       output_hook=lambda msg: printed.append(msg["content"].get("text", "")))
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"kernel set-up failed: {reply['content'].get('evalue')}")
    return "".join(printed)


def execute(notebook, output, parameters, timeout, km=None):
    """Run `notebook` with papermill (on kernel `km` when given), writing the executed copy to `output`
    (also when a cell fails)."""
    extra = {"km": km} if km is not None else {}
    papermill.execute_notebook(
        str(notebook), str(output), parameters=parameters, cwd=str(paths.NOTEBOOKS_DIR),
        execution_timeout=timeout, progress_bar=False, log_output=False, report_mode=False, **extra,
    )


def to_html(executed, title):
    """A standalone HTML page of the executed notebook's outputs and narrative (no code, no stderr)."""
    nb = nbformat.read(str(executed), as_version=4)
    nb.cells = [c for c in nb.cells if "notebook-only" not in c.get("metadata", {}).get("tags", [])]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", []) if o.get("name") != "stderr"]
    exporter = HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{CSS}</style></head><body>{body}</body></html>")


def write_pdf(page_html, target):
    """Write the PDF atomically: a temporary file beside the target, then a rename."""
    import weasyprint
    target = Path(target)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        weasyprint.HTML(string=page_html, base_url=str(paths.ROOT)).write_pdf(str(tmp))
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
