"""One warm Jupyter kernel per render worker: started over Unix sockets, judged by its process, reused."""

import atexit
import os
import queue
import shutil
import signal
import tempfile
import time
from pathlib import Path

from jupyter_core.utils import run_sync

from .. import paths
from .scratch import die_with_parent, make_scratch

# What a kernel imports at start when the caller names nothing (render workers ask briefs/preload.py, which
# gives this to notebooks that use the package and nothing to others): loaded once so each brief starts warm.
PRELOAD = "import dprk_arms.presentation.notebook, dprk_arms.presentation.compare, scipy.stats"
KERNEL_NAME = "python3"  # the kernel of the environment the package is installed in: every brief runs on it
START_ATTEMPTS = 3
START_TIMEOUT_S = 300  # generous: a kernel on a loaded 2-core machine can take a minute to import its stack
LOG_TAIL_LINES = 20
# Kernels keep no IPython history: parallel kernels sharing ~/.ipython's SQLite file can lock it, and
# IPython then renames the user's history aside as "corrupt".
KERNEL_ARGS = ["--HistoryManager.enabled=False"]

_kernel = None
fork_server = None  # address of the pool's kernel server (briefs/kernelfork.py), set in a render worker
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


def warm_kernel(log_dir, start_timeout=START_TIMEOUT_S, preload=None):
    """This process's kernel, started on first use or after a discard, with `preload` run in it (by default
    PRELOAD); a kernel already running is returned as it is.

    Readiness is judged by the kernel's process, within `start_timeout` seconds: a kernel slow to start on
    a busy machine is waited for, a dead one is replaced at once, up to START_ATTEMPTS fresh kernels.
    Raises KernelStartError (with the last kernel's log lines) when none starts."""
    if _kernel is not None and run_sync(_kernel.is_alive)():
        return _kernel
    discard_kernel()
    atexit.register(discard_kernel)
    errors = []
    for attempt in range(START_ATTEMPTS):
        # The package's own stack, forked warm from the pool's kernel server on a first try; a replacement, or a
        # kernel of another notebook (which must start bare), is launched as papermill would.
        km = _start_kernel(Path(log_dir), forked=attempt == 0 and (preload is None or preload == PRELOAD),
                           start_timeout=start_timeout)
        try:
            _client(km, start_timeout)
            run_code(km, PRELOAD if preload is None else preload or "pass", start_timeout)
            run_code(km, SNAPSHOT, start_timeout)
            return km
        except KernelError as exc:
            errors.append(str(exc))
            discard_kernel()
    tail = log_tail(_kernel_log)
    raise KernelStartError(f"no kernel started in {START_ATTEMPTS} tries ({'; '.join(dict.fromkeys(errors))})"
                           + (f"; kernel log ends: {tail[-1][:200]!r}" if tail else ""), _kernel_log)


def _start_kernel(log_dir, forked=False, start_timeout=START_TIMEOUT_S):
    global _kernel, _kernel_log, _kernels_started
    # Async, as papermill's own: nbclient polls a sync manager's client in a way that blocks its event
    # loop, so a kernel that dies mid-cell would never be noticed.
    AsyncKernelManager = _manager_class()
    _kernels_started += 1
    log_dir.mkdir(parents=True, exist_ok=True)
    _kernel_log = log_dir / f"kernel-{os.getpid()}-{_kernels_started}.log"
    scratch = kernel_scratch()
    connection = scratch / f"k{_kernels_started}.json"
    if ipc_available():
        km = AsyncKernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=str(scratch / f"k{_kernels_started}"),
                                connection_file=str(connection))
    else:
        km = AsyncKernelManager(kernel_name=KERNEL_NAME, connection_file=str(connection))
    if forked and fork_server is not None:
        km.fork_address, km.fork_timeout = fork_server, start_timeout
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


_manager = None


def _manager_class():
    """AsyncKernelManager, launching a kernel given a fork server's address (fork_address) as a fork of that server,
    warm, where the server can give one; else, and for any other kernel, as jupyter_client launches it."""
    global _manager
    if _manager is not None:
        return _manager
    from jupyter_client.manager import AsyncKernelManager

    from . import kernelfork

    class Manager(AsyncKernelManager):
        fork_address = None
        fork_timeout = START_TIMEOUT_S

        async def _async_launch_kernel(self, kernel_cmd, **kw):  # jupyter_client's hook for launching differently
            process = None
            if self.fork_address is not None and kernelfork.forkable(kernel_cmd) and kw.get("stdout") is not None:
                process = kernelfork.launch(self.fork_address, kernel_cmd, kw.get("env") or os.environ,
                                            kw.get("cwd") or os.getcwd(), kw["stdout"], self.fork_timeout)
            if process is None:
                return await super()._async_launch_kernel(kernel_cmd, **kw)
            provisioner = self.provisioner  # its pre-launch (connection file, ports) done: only the process differs
            provisioner.process, provisioner.pid, provisioner.pgid = process, process.pid, process.pid
            provisioner.cwd = kw.get("cwd")
            self._reconcile_connection_info(provisioner.connection_info)

    _manager = Manager
    return Manager


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


# Run once a kernel is warm: matplotlib's settings as a fresh kernel has them, kept for every later brief on it. And
# what the kernel has loaded by then stays for its life: frozen (after a collection, so no garbage is kept), the
# collector no longer walks it in every brief (measured: 12.2 against 14.8 CPU s of the kernel for the 8 briefs).
SNAPSHOT = """import sys as _sys, gc as _gc, os as _os, signal as _signal
if "matplotlib" in _sys.modules:
    _sys.modules["matplotlib"]._dprk_arms_rc = _sys.modules["matplotlib"].rcParams.copy()
_sys._dprk_arms_start = (dict(_os.environ), _os.getcwd(), {
    _s: _signal.getsignal(_s) for _s in _signal.valid_signals() - {_signal.SIGKILL, _signal.SIGSTOP, _signal.SIGINT}
    if _signal.getsignal(_s) is not None})
_gc.collect()
_gc.freeze()
del _sys, _gc, _os, _signal"""
# Between briefs: the previous brief's names go, its figures close, matplotlib's settings, the environment, the
# working folder and the signal handlers (SIGINT is ipykernel's) are put back; a kernel where matplotlib was first
# loaded by a brief (no settings to put back) says so, to be replaced. Modules a brief imported stay loaded.
RESET = """%reset -f
import sys as _sys, os as _os, signal as _signal
_env, _cwd, _handlers = _sys._dprk_arms_start
_os.environ.clear()
_os.environ.update(_env)
_os.chdir(_cwd)
_s = _h = None
for _s, _h in _handlers.items():
    _signal.signal(_s, _h)
_mpl = _sys.modules.get("matplotlib")
if _mpl is not None and "matplotlib.pyplot" in _sys.modules:
    _sys.modules["matplotlib.pyplot"].close("all")
if _mpl is not None and getattr(_mpl, "_dprk_arms_rc", None) is None:
    print("REPLACE")
elif _mpl is not None:
    _mpl.rcParams.update(_mpl._dprk_arms_rc)
del _sys, _os, _signal, _env, _cwd, _handlers, _s, _h, _mpl"""


def reset_kernel(km) -> bool:
    """Ready the kernel for the next brief as a fresh one would be: names cleared, figures closed, matplotlib's
    rcParams, the environment, working folder and signal handlers as they were when it started (imported modules
    stay loaded). False when it cannot be (a brief was
    the first to load matplotlib): the caller starts a fresh kernel instead."""
    return "REPLACE" not in run_code(km, RESET, 30)


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


def run_code(km, code: str, timeout: float) -> str:
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
