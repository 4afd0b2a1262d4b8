"""A worker's kernel from one brief to the next: each brief starts as on a fresh kernel, and waits hold on a
loaded machine. (Apart from test_faults.py, so the suite's two workers share the renders more evenly.)"""

import nbformat
import pytest

from dprk_arms.briefs import kernel, plan, pool

pytestmark = pytest.mark.slow
DRAWS = 500
DEADLINE_S = 300  # generous: a bound on a busy machine, never a timing claim


@pytest.fixture(scope="module")
def in_process_kernel():
    """For a test that runs a notebook on a kernel of this process: shut down after."""
    yield
    kernel.discard_kernel()


@pytest.mark.parametrize("package", [False, True], ids=["bare-kernel", "package-kernel"])
def test_each_brief_starts_with_matplotlibs_settings_as_a_fresh_kernel_has_them(tmp_path, light, package):
    """Briefs share a worker's kernel: one that changes rcParams must not change the next brief's charts."""
    code = ("import dprk_arms.presentation.notebook\n" if package else "") + (
        "import matplotlib\nprint('lw', matplotlib.rcParams['lines.linewidth'])\n"
        "matplotlib.rcParams['lines.linewidth'] = 7")
    printed = _printed_by_two_briefs_on_one_kernel(tmp_path, light, code)
    assert printed[0] == printed[1] and "lw 7" not in printed[1], printed


def _printed_by_two_briefs_on_one_kernel(tmp_path, light, code):
    """What a cell running `code` printed in each of two briefs rendered one after the other on one kernel."""
    nb = nbformat.read(light, as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell(code))
    nbformat.write(nb, tmp_path / "reuse.ipynb")
    out = tmp_path / "out"
    jobs = plan.scenario_jobs(["baseline", "low-price"], False, {}, out, 120, draws=DRAWS,
                              notebook=str(tmp_path / "reuse.ipynb"))
    outcomes = pool.run_jobs(jobs, workers=1)  # one worker, one kernel: the second brief follows the first
    assert [o.status for o in outcomes] == ["rendered", "rendered"], outcomes
    return [next(o.text for c in nbformat.read(out / f"{n}.ipynb", as_version=4).cells if c.source == code
                 for o in c.outputs if o.get("name") == "stdout") for n in ("baseline", "low-price")]


# When this cell's reply has gone, holds the kernel's output thread for 6 s, so its idle status (the end of its
# outputs) arrives 6 s after the reply, as on a loaded machine. nbclient's 4 s default for that wait, which
# papermill makes an error, failed such a brief; the wait now has the cell's own bound.
LATE_OUTPUTS = """import threading
_kernel = get_ipython().kernel
_publish = _kernel._publish_status
def _late_idle(status, channel, parent=None):
    if status == "idle" and channel == "shell":
        _kernel._publish_status = _publish
        _kernel.iopub_thread.schedule(lambda: threading.Event().wait(6))  # ahead of the idle, in order
    _publish(status, channel, parent)
_kernel._publish_status = _late_idle"""


def test_outputs_that_arrive_late_are_waited_for(tmp_path, in_process_kernel):
    from dprk_arms.briefs import execute
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(LATE_OUTPUTS), nbformat.v4.new_code_cell("print('after')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "late.ipynb")
    km = kernel.warm_kernel(tmp_path / "logs", preload="")
    kernel.reset_kernel(km)
    execute.execute(tmp_path / "late.ipynb", tmp_path / "out.ipynb", {}, DEADLINE_S, km=km)
    assert "after" in nbformat.read(tmp_path / "out.ipynb", as_version=4).cells[-1].outputs[0].text


@pytest.mark.parametrize("package", [False, True], ids=["bare-kernel", "package-kernel"])
def test_a_briefs_environment_folder_and_signal_handlers_do_not_reach_the_next(tmp_path, light, package):
    code = (("import dprk_arms\n" if package else "") +
            "import os, signal\nprint('seen', os.environ.get('RT_LEAK'), os.getcwd(), signal.getsignal(signal.SIGTERM))\n"
            "os.environ['RT_LEAK'] = 'leaked'\nos.chdir('/')\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)")
    printed = _printed_by_two_briefs_on_one_kernel(tmp_path, light, code)
    assert printed[0] == printed[1] and "leaked" not in printed[1], printed
