"""The two install routes name the same dependencies; the project files carry no generated outputs."""

import re
import subprocess
import tomllib

import yaml

from dprk_arms import paths


def _name(requirement):
    return re.split(r"[<>=!~\[ ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_and_pyproject_name_the_same_dependencies():
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]
    extras = [r for group in project["optional-dependencies"].values() for r in group]
    pip_names = {_name(r) for r in project["dependencies"] + extras}
    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text())
    conda_names = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    assert conda_names == pip_names


def test_required_stack_is_declared():
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]
    names = {_name(r) for r in project["dependencies"]}
    assert {"jupyterlab", "pandas", "matplotlib", "scipy", "papermill", "nbconvert", "weasyprint"} <= names


def test_generated_files_are_not_tracked():
    tracked = subprocess.run(["git", "ls-files", "reports"], cwd=paths.ROOT, capture_output=True, text=True).stdout
    assert not [line for line in tracked.splitlines() if line.endswith((".pdf", ".ipynb"))]


def test_make_lab_works_as_root():
    """Many container and cloud notebook images run as root, where JupyterLab refuses without --allow-root."""
    import os
    import subprocess
    from dprk_arms import paths
    # --no-print-directory: under `make test` this make is nested and would add Entering/Leaving lines
    printed = subprocess.run(["make", "--no-print-directory", "-n", "lab"], cwd=paths.ROOT, capture_output=True,
                             text=True).stdout
    line = next(line for line in printed.splitlines() if "jupyter lab" in line)
    assert ("--allow-root" in line) == (os.geteuid() == 0)
