"""Warm kernels forked from one server that imported the kernel's stack once, for the package's own notebooks."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

from . import scratch

LAUNCHER = "ipykernel_launcher"  # the module a kernelspec's command runs: the one command this server can fork
REQUEST_BYTES = 1 << 20  # a request (command, environment, folder): a few KB
MAX_FDS = 1  # the kernel's log, its stdout and stderr


def start(address, preload):
    """Start a server listening at `address` (a Unix socket path) that runs `preload` (the import line of the kernels'
    stack) once before it forks any kernel, with SIGINT held back until it ignores it (as
    pool._start_fork_server starts the workers' server). Returns the Popen; it ends when its stdin, a pipe this
    process holds, closes: when the pool ends or this process dies in any way."""
    # Bound and listening here, before the server starts (as multiprocessing's fork server is): a worker that asks
    # before the server's first line waits in the backlog instead of finding no socket.
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(address)
        listener.listen(16)
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            return subprocess.Popen([sys.executable, "-m", __name__, str(listener.fileno()), preload],
                                    stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    pass_fds=[listener.fileno()], preexec_fn=_end_with_parent)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _end_with_parent():
    """The server's end when the command dies (kill -9 too): SIGTERM, which it handles by killing each kernel's
    process group, so what a cell started goes with its kernel. SIGKILL would leave a kernel's children running."""
    scratch.die_with_parent(signal.SIGTERM)


def stop(server):
    """End the server now, with any kernel still running and what its cells started, and reap it: SIGTERM, which it
    handles at once, importing its stack or not (closing its stdin would wait for the imports to finish)."""
    if server is None:
        return
    server.terminate()
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:  # a bound, not a timing: a server stuck in a system call
        server.kill()
        server.wait()
    try:
        server.stdin.close()
    except OSError:
        pass


def forkable(cmd) -> bool:
    """Whether `cmd` runs this interpreter's ipykernel launcher, the kernel the server's fork would be."""
    return (len(cmd) >= 3 and cmd[1:3] == ["-m", LAUNCHER]
            and os.path.realpath(cmd[0]) == os.path.realpath(sys.executable))


def launch(address, cmd, env, cwd, log, timeout):
    """A kernel running `cmd`, forked by the server at `address`, as a Popen-like ForkedKernel; None when the server
    cannot give one (gone, failed to import, not answering within `timeout` s): the caller launches it itself."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.settimeout(timeout)  # the server answers once its imports are done: waited for, within a bound
        conn.connect(address)
        request = json.dumps({"argv": cmd[3:], "env": dict(env), "cwd": str(cwd)}).encode() + b"\n"
        socket.send_fds(conn, [request], [log.fileno()])
        reply = _read_line(conn)
        if not reply.startswith("pid "):
            raise OSError(f"unexpected reply {reply!r}")
        return ForkedKernel(conn, int(reply.split()[1]))
    except (OSError, ValueError):
        conn.close()
        return None


def _read_line(conn) -> str:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(64)
        if not chunk:
            raise OSError("the kernel server closed the connection")
        data += chunk
    return data.decode().strip()


class ForkedKernel:
    """A forked kernel as jupyter_client's provisioner handles its Popen: poll, wait, signals. Its exit status comes
    from the server, its parent; it was forked into a session of its own, so its process group is its pid."""

    stdin = stdout = stderr = None

    def __init__(self, conn, pid):
        self._conn, self.pid, self.returncode = conn, pid, None

    def poll(self):
        if self.returncode is None:
            self._conn.setblocking(False)
            self._receive()
        return self.returncode

    def wait(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise subprocess.TimeoutExpired(LAUNCHER, timeout)
            self._conn.settimeout(left)
            self._receive()
        return self.returncode

    def _receive(self):
        try:
            message = _read_line(self._conn)
        except (BlockingIOError, socket.timeout):
            return
        except OSError:  # the server died; its kernels die with it (PR_SET_PDEATHSIG)
            message = f"exit {-signal.SIGKILL}"
        self.returncode = int(message.split()[1])
        self._conn.close()

    def send_signal(self, signum):
        if self.poll() is None:  # not to a pid the system may have handed on
            os.kill(self.pid, signum)

    def kill(self):
        self.send_signal(signal.SIGKILL)

    def terminate(self):
        self.send_signal(signal.SIGTERM)


# The server: run as `python -m dprk_arms.briefs.kernelfork LISTENER_FD PRELOAD` by start().

def _serve(listener_fd, preload):
    import selectors
    listener = socket.socket(fileno=listener_fd)
    try:
        _warm(preload)
    except Exception:  # noqa: BLE001 - a stack that cannot load: no server, and each worker launches its own kernel
        return 1
    sig_r, sig_w = os.pipe()
    os.set_blocking(sig_w, False)
    signal.set_wakeup_fd(sig_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # wakes the loop through the wakeup fd
    kernels = {}  # pid -> the connection of the worker that asked for it
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "accept")
    selector.register(sys.stdin.fileno(), selectors.EVENT_READ, "stdin")
    selector.register(sig_r, selectors.EVENT_READ, "child")
    try:
        while True:
            for key, _ in selector.select():
                if key.data == "stdin":  # the pool ended, or the command died: the kernels go too
                    return 0
                if key.data == "child":
                    os.read(sig_r, 512)
                    _reap(kernels, selector)
                elif key.data == "accept":
                    conn, _ = listener.accept()
                    pid = _fork(conn, [listener, sig_r, sig_w, *kernels.values()], selector)
                    if pid is None:
                        conn.close()
                    else:
                        kernels[pid] = conn
                        selector.register(conn, selectors.EVENT_READ, pid)
                else:  # the worker closed its end (it died, or it is done with the kernel): the kernel goes
                    selector.unregister(key.fileobj)
                    _kill_group(key.data)
    finally:
        for pid in kernels:
            _kill_group(pid)


def _warm(preload):
    """Import what a kernel of the package's notebooks imports, once, for every kernel forked from here."""
    import gc

    import ipykernel.kernelapp  # noqa: F401
    exec(preload, {})  # noqa: S102 - the package's own import line (kernel.PRELOAD), from the command
    gc.collect()
    gc.freeze()  # as the workers' fork server does: the kernels' collections skip what they share with it


def _fork(conn, held, selector):
    """Fork a kernel for the request on `conn`; its pid, or None for a request that cannot be read. `held` are the
    server's own files (its socket, signal pipe, other kernels' connections), which the kernel must not keep."""
    fds = []
    try:
        conn.settimeout(30)  # the worker sends its request as it connects: a bound, not a timing claim
        request, fds, _, _ = socket.recv_fds(conn, REQUEST_BYTES, MAX_FDS)
        while request and not request.endswith(b"\n") and len(request) < REQUEST_BYTES:  # a stream: it may come in parts
            chunk = conn.recv(REQUEST_BYTES)
            if not chunk:
                break
            request += chunk
        if len(fds) != 1:
            raise ValueError("no log")
        spec = json.loads(request)
    except (OSError, ValueError):
        for fd in fds:
            os.close(fd)
        return None
    server = os.getpid()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            signal.set_wakeup_fd(-1)
            selector.close()
            for held_file in held:
                os.close(held_file if isinstance(held_file, int) else held_file.detach())
            code = _become_kernel(spec, fds[0], conn, server)
        finally:
            os._exit(code)
    os.close(fds[0])
    conn.setblocking(True)
    try:
        conn.sendall(f"pid {pid}\n".encode())
    except OSError:
        _kill_group(pid)  # the worker has gone already; the kernel's exit is reaped with the others
    return pid


def _become_kernel(spec, log_fd, conn, server):
    """In the forked child: the process a kernel launch would have started, then the kernel itself."""
    import atexit
    import runpy
    os.setsid()  # its own session and process group, as jupyter_client starts kernels
    scratch.die_with_parent()  # the server ends: its kernels too
    if os.getppid() != server:  # it ended before the line above took effect
        return 1
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the server's own handler is not a kernel's
    signal.signal(signal.SIGINT, signal.default_int_handler)  # interrupts reach the kernel's cells
    conn.close()
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.close(null)
    os.close(log_fd)
    os.chdir(spec["cwd"])
    env = dict(spec["env"])
    env.pop("JPY_PARENT_PID", None)  # its parent is this server: ipykernel would take it for its parent gone
    os.environ.clear()
    os.environ.update(env)
    sys.excepthook = sys.__excepthook__
    sys.argv = [LAUNCHER, *spec["argv"]]
    try:
        runpy.run_module(LAUNCHER, run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - its traceback goes to its log, as a launched kernel's would
        import traceback
        traceback.print_exc()
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001
            pass
    return code


def _reap(kernels, selector):
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        conn = kernels.pop(pid, None)
        if conn is None:
            continue
        try:
            selector.unregister(conn)
        except (KeyError, ValueError):
            pass
        try:
            conn.sendall(f"exit {os.waitstatus_to_exitcode(status)}\n".encode())
        except OSError:
            pass
        conn.close()


def _kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        try:
            os.kill(pid, signal.SIGKILL)  # not yet in its own group
        except OSError:
            pass


def _terminated(signum, frame):
    raise SystemExit(0)  # through _serve's clean-up: every kernel's process group is killed


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the command's to handle; held back until here
    signal.signal(signal.SIGTERM, _terminated)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    sys.exit(_serve(int(sys.argv[1]), sys.argv[2]))
