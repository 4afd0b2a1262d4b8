"""Render one notebook: execute with papermill, convert to HTML (code hidden), then PDF with WeasyPrint."""

import atexit
import ctypes
import html
import os
import queue
import re
import shutil
import signal
import sys
import tempfile
import time
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
START_TIMEOUT_S = 300  # generous: a kernel on a loaded 2-core machine can take a minute to import its stack
LOG_TAIL_LINES = 20
SCRATCH_PREFIX = "dprk-arms-"  # with the owner's pid: what clean-up may remove once that process is gone
MARKER = ".dprk-arms-owner"  # in every scratch folder a run of ours makes: "PID START-TIME"
# Kernels keep no IPython history: parallel kernels sharing ~/.ipython's SQLite file can lock it, and
# IPython then renames the user's history aside as "corrupt".
KERNEL_ARGS = ["--HistoryManager.enabled=False"]

_kernel = None
_kernel_log = None  # path of the current kernel's log
_kernels_started = 0
_clients = {}  # connection file -> a client kept open, so set-up code does not wait for a handshake each time
_scratch = None


class KernelError(RuntimeError):
    """A kernel that died, or did not answer in time, while starting or running set-up code."""

    def __init__(self, message, log=None):
        super().__init__(message)
        self.log = log


class KernelStartError(KernelError):
    """No kernel could be started after START_ATTEMPTS fresh tries."""


# --- processes that die with their parent -------------------------------------------------------------

def _libc():
    try:
        return ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
    except OSError:
        return None


_PRCTL = getattr(_libc(), "prctl", None)  # bound now: a Popen preexec_fn should not look symbols up
PR_SET_PDEATHSIG = 1


def die_with_parent():
    """Ask Linux to SIGKILL this process when its parent dies (PR_SET_PDEATHSIG); False where unsupported.
    Used as a Popen preexec_fn, so a kernel cannot outlive its worker even before it polls JPY_PARENT_PID."""
    return _PRCTL is not None and _PRCTL(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0


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


def kernel_scratch():
    """This process's private folder for kernel connection files, Unix sockets and Jupyter runtime files.
    In the system temp folder: a Unix socket path must stay under ~100 bytes, which a report folder may not."""
    global _scratch
    if _scratch is None or not _scratch.is_dir():
        _scratch = make_scratch(tempfile.gettempdir())
        atexit.register(shutil.rmtree, _scratch, True)
    return _scratch


def ipc_available():
    """Unix-socket transport: no TCP ports, so no port race between kernels (jupyter_client#154, #487)."""
    import zmq
    return os.name == "posix" and zmq.has("ipc")


# --- the kernel -----------------------------------------------------------------------------------------

def warm_kernel(log_dir, start_timeout=START_TIMEOUT_S):
    """This process's kernel, started (with the package preloaded) on first use or after a discard.

    Readiness is judged by the kernel's process, within `start_timeout` seconds: a kernel slow to start on
    a busy machine is waited for, a dead one is replaced at once, up to START_ATTEMPTS fresh kernels.
    Raises KernelStartError (with the last kernel's log lines) when none starts."""
    if _kernel is not None and run_sync(_kernel.is_alive)():
        return _kernel
    discard_kernel()
    atexit.register(discard_kernel)
    errors = []
    for _ in range(START_ATTEMPTS):
        km = _start_kernel(Path(log_dir))
        try:
            _client(km, start_timeout)
            run_code(km, PRELOAD, start_timeout)
            return km
        except KernelError as exc:
            errors.append(str(exc))
            discard_kernel()
    tail = log_tail(_kernel_log)
    raise KernelStartError(f"no kernel started in {START_ATTEMPTS} tries ({'; '.join(dict.fromkeys(errors))})"
                           + (f"; kernel log ends: {tail[-1][:200]!r}" if tail else ""), _kernel_log)


def _start_kernel(log_dir):
    global _kernel, _kernel_log, _kernels_started
    # Async, as papermill's own: nbclient polls a sync manager's client in a way that blocks its event
    # loop, so a kernel that dies mid-cell would never be noticed.
    from jupyter_client.manager import AsyncKernelManager
    _kernels_started += 1
    log_dir.mkdir(parents=True, exist_ok=True)
    _kernel_log = log_dir / f"kernel-{os.getpid()}-{_kernels_started}.log"
    scratch = kernel_scratch()
    connection = scratch / f"k{_kernels_started}.json"
    if ipc_available():
        km = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=str(scratch / f"k{_kernels_started}"),
                                connection_file=str(connection))
    else:
        km = AsyncKernelManager(kernel_name="python3", connection_file=str(connection))
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(scratch)}  # no runtime folder shared with other runs
    # The kernel's own chatter goes to its log (kept with a failed scenario), not the user's terminal.
    with open(_kernel_log, "ab") as log:
        try:
            run_sync(km.start_kernel)(cwd=str(paths.NOTEBOOKS_DIR), stdout=log, stderr=log, env=env,
                                      extra_arguments=KERNEL_ARGS, preexec_fn=die_with_parent)
        except Exception as exc:  # noqa: BLE001 - e.g. the kernel's executable missing: no kernel to wait for
            raise KernelStartError(f"could not launch a kernel: {type(exc).__name__}: {exc}", _kernel_log) from exc
    _kernel = km
    return km


def log_tail(path, lines=LOG_TAIL_LINES):
    """The last `lines` non-empty lines of a log, or [] when there is none."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except (OSError, TypeError):
        return []
    return [line for line in text.splitlines() if line.strip()][-lines:]


def kernel_log():
    """The log of this process's current (or last) kernel."""
    return _kernel_log


def _exit_description(km):
    process = getattr(km.provisioner, "process", None)
    code = process.poll() if process is not None else None
    if code is None:
        return "the kernel process is gone"
    return f"the kernel exited ({f'killed by signal {-code}' if code < 0 else f'exit code {code}'})"


def _check_alive(km):
    if not run_sync(km.is_alive)():
        raise KernelError(_exit_description(km), _kernel_log)


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


def kill_kernel_now():
    """SIGKILL this process's kernel from any thread (the parent-watch thread, when the command died)."""
    process = getattr(getattr(_kernel, "provisioner", None), "process", None)
    if process is not None:
        try:
            os.kill(process.pid, signal.SIGKILL)
        except OSError:
            pass


def _client(km, timeout):
    """An open client for `km`, connected and ready; waits up to `timeout` s while the kernel process lives."""
    client = _clients.get(km.connection_file)
    if client is not None:
        return client
    from jupyter_client.blocking import BlockingKernelClient
    # Its own session (same key): the shell socket's identity is the session id, and sharing papermill's
    # would route replies to whichever client connected last. Its parent is the manager, so liveness is
    # the kernel process's, not a heartbeat that a busy machine can miss (what failed kernels at start-up).
    client = BlockingKernelClient(parent=km)
    client.load_connection_info(km.get_connection_info(session=False))
    client.start_channels()
    try:
        client.wait_for_ready(timeout=timeout)
    except RuntimeError as exc:
        client.stop_channels()
        if not run_sync(km.is_alive)():
            raise KernelError(f"{_exit_description(km)} before it was ready", _kernel_log) from exc
        raise KernelError(f"the kernel did not answer within {timeout} s of starting", _kernel_log) from exc
    except BaseException:
        client.stop_channels()
        raise
    _clients[km.connection_file] = client
    return client


def run_code(km, code, timeout):
    """Run `code` on kernel `km` and wait for it, watching the kernel's process; returns what it printed.
    Raises KernelError when the kernel dies or does not finish within `timeout` s, RuntimeError when the code fails."""
    client = _client(km, timeout)
    msg_id = client.execute(code, store_history=False, allow_stdin=False)
    printed, reply, idle = [], None, False
    deadline = time.monotonic() + timeout
    while reply is None or not idle:
        try:
            msg = client.get_iopub_msg(timeout=0.2)
        except queue.Empty:
            msg = None
        if msg is not None and msg["parent_header"].get("msg_id") == msg_id:
            if msg["msg_type"] == "stream":
                printed.append(msg["content"].get("text", ""))
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
        while reply is None:
            try:
                shell = client.get_shell_msg(timeout=0)
            except queue.Empty:
                break
            if shell["parent_header"].get("msg_id") == msg_id:
                reply = shell
        if msg is None:
            _check_alive(km)
        if reply is None or not idle:
            if time.monotonic() > deadline:
                raise KernelError(f"the kernel did not finish set-up code within {timeout} s", _kernel_log)
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"kernel set-up failed: {reply['content'].get('evalue')}")
    return "".join(printed)


# --- a brief --------------------------------------------------------------------------------------------

class IncompleteNotebook(RuntimeError):
    """The notebook stopped before its last cell without an error (e.g. a cell called sys.exit(0))."""

    ename = "IncompleteNotebook"

    def __init__(self, index, cell):
        first = cell.source.strip().splitlines()[0][:60] if cell.source.strip() else ""
        super().__init__(f"cell {index} ({first!r}) and those after it did not run")
        self.evalue = str(self)


def execute(notebook, output, parameters, timeout, km=None, start_timeout=START_TIMEOUT_S):
    """Run `notebook` with papermill (on kernel `km` when given), writing the executed copy to `output`
    (also when a cell fails). Raises IncompleteNotebook unless every code cell ran to completion."""
    extra = {"km": km} if km is not None else {}
    papermill.execute_notebook(
        str(notebook), str(output), parameters=parameters, cwd=str(paths.NOTEBOOKS_DIR),
        execution_timeout=timeout, start_timeout=start_timeout, progress_bar=False, log_output=False,
        report_mode=False, **extra,
    )
    check_complete(output)


def check_complete(executed):
    """Raise IncompleteNotebook at the first code cell papermill did not complete: papermill treats a
    SystemExit(0) as a quiet stop, which would otherwise publish a truncated brief."""
    nb = nbformat.read(str(executed), as_version=4)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.get("metadata", {}).get("papermill", {}).get("status") != "completed":
            raise IncompleteNotebook(index, cell)
        if cell.cell_type == "code" and any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            raise IncompleteNotebook(index, cell)


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


def write_atomic(target, data):
    """Write bytes or text to `target` atomically: a temporary file beside it, then a rename."""
    tmp = temp_beside(target)
    try:
        tmp.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_pdf(page_html, target):
    """Write the PDF atomically: a temporary file beside the target, then a rename."""
    import weasyprint
    tmp = temp_beside(target)
    try:
        weasyprint.HTML(string=page_html, base_url=str(paths.ROOT)).write_pdf(str(tmp))
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
