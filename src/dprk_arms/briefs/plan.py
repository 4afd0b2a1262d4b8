"""Plan a batch: every scenario validated into its run spec and a job, before anything is written."""

import re
from dataclasses import dataclass
from pathlib import Path

from .. import paths
from ..errors import ScenarioError
from .cache import code_digest, job_digest
from .kernel import START_TIMEOUT_S
from .nbimports import skip_iri_format_checker


@dataclass(frozen=True)
class Job:
    name: str
    title: str
    notebook: str
    parameters: dict
    out_dir: str
    digest: str
    timeout: int
    start_timeout: int = START_TIMEOUT_S  # seconds a kernel may take to start


def output_dir(out: str | None) -> Path:
    """The output folder, created if missing; refuse anything that is not a folder."""
    folder = Path(out) if out else paths.REPORTS_DIR
    if folder.exists() and not folder.is_dir():
        raise ScenarioError("--out", "out", f"{folder} is a file; expected a folder")
    return folder


def brief_notebook(path: str | None) -> Path:
    """The notebook a brief is rendered from: notebooks/brief.ipynb, or a user's own (checked it is one)."""
    if path is None:
        return paths.NOTEBOOKS_DIR / "brief.ipynb"
    notebook = Path(path)
    if not str(path).strip():
        raise ScenarioError("--notebook", "notebook", "is empty; expected a .ipynb file")
    if notebook.suffix != ".ipynb":
        raise ScenarioError("--notebook", "notebook", f"{notebook} is not a .ipynb file")
    if not notebook.exists():
        raise ScenarioError("--notebook", "notebook", f"{notebook} does not exist")
    if not notebook.is_file():
        raise ScenarioError("--notebook", "notebook", f"{notebook} is a folder, not a .ipynb file")
    skip_iri_format_checker()
    import nbformat
    try:
        document = nbformat.read(str(notebook), as_version=4)
        nbformat.validate(document)
    except Exception as exc:  # nbformat raises several kinds: JSON, validation, I/O, encoding, a malformed shape
        # a validation error's own message, not the schema dump that follows it
        said = " ".join(str(getattr(exc, "message", None) or exc).split())
        raise ScenarioError("--notebook", "notebook", f"{notebook} is not a valid notebook: "
                            f"{type(exc).__name__}: {said[:300]}") from None
    if not any("parameters" in cell.get("metadata", {}).get("tags", []) for cell in document.cells):
        raise ScenarioError("--notebook", "notebook", f"{notebook} has no cell tagged 'parameters' to receive "
                            "run_spec and render_digest; start from a copy of notebooks/brief.ipynb")
    language = _language(document.metadata)
    if language != "python":
        raise ScenarioError("--notebook", "notebook", f"{notebook} is {language}; briefs run on the project's "
                            "Python kernel")
    return notebook.resolve()


_PYTHON = re.compile(r"^(i|c)?py(thon|py)?[\d.]*$")  # python, python3, py, py3, ipython3, cpython, pypy
_PYTHON_KERNEL = re.compile(r"(^|[^a-z])[ixc]?py")  # python3, xpython, conda-env-foo-py, pyspark; not spylon


def _language(metadata) -> str:
    """"python", or in words what else the notebook's metadata says it is written for. The language named
    (kernelspec first, then language_info) decides; a kernelspec that names none is judged by its name and
    display name; a notebook with no kernelspec or language is taken for Python, as most tools that leave them
    out write Python."""
    spec = metadata.get("kernelspec") if isinstance(metadata.get("kernelspec"), dict) else {}
    info = metadata.get("language_info") if isinstance(metadata.get("language_info"), dict) else {}
    for value in (spec.get("language"), info.get("name")):
        if isinstance(value, str) and value.strip():
            name = value.strip().lower()
            return "python" if _PYTHON.match(name) else f"written for {name}"
    names = " ".join(str(spec.get(k, "")) for k in ("name", "display_name")).strip()
    if not names or _PYTHON_KERNEL.search(names.lower()):
        return "python"
    return (f"for kernel {names!r}, which names no language (add \"language\": \"python\" to its kernelspec if "
            "it is Python)")


def scenario_jobs(names: list[str], use_all: bool, overrides: dict, out: str | None, timeout: int,
                  draws: int | None = None, start_timeout: int = START_TIMEOUT_S, notebook: str | None = None,
                  ) -> list[Job]:
    """Validated jobs for the named scenarios (all errors raised before anything is written).

    Each job carries its scenario's canonical run spec and the digest that decides re-renders; the
    notebook (brief.ipynb unless `notebook` names another) receives both, so it neither re-reads the file
    nor guesses what the scenario set.
    """
    from ..data import catalog as catalog_mod
    from ..data import scenarios as scenarios_mod
    cat = catalog_mod.load()
    if use_all:
        files = sorted(paths.SCENARIOS_DIR.glob("*.yaml"))
        if not files:
            raise ScenarioError(paths.SCENARIOS_DIR, None, "no scenario files (*.yaml) found")
    elif names:
        files = [scenarios_mod.scenario_path(n) for n in names]
    else:
        raise ScenarioError("render", None, "name at least one scenario, or use --all")
    notebook = brief_notebook(notebook)
    folder = output_dir(out)
    jobs, seen = [], set()
    code = code_digest()  # the package's sources, read once for the batch, not once a scenario
    for file in files:
        spec = scenarios_mod.load_scenario(file, cat, overrides).with_settings(draws=draws)
        if spec.name in seen:
            raise ScenarioError(file, None, f"scenario name {spec.name!r} given twice")
        seen.add(spec.name)
        digest = job_digest([spec.digest()], notebook, cat, code)
        jobs.append(Job(spec.name, spec.title, str(notebook), {"run_spec": spec.canonical(), "render_digest": digest},
                        str(folder), digest, timeout, start_timeout))
    return jobs


def compare_job(scenarios, overrides=None, out=None, cell_timeout=600, draws=None, start_timeout=START_TIMEOUT_S,
                name="compare"):
    """The comparison brief's job: every scenario validated (each at its own draws and seed, or `draws`)."""
    from ..data import catalog as catalog_mod
    from ..data import scenarios as scenarios_mod
    cat = catalog_mod.load()
    names = scenarios or sorted(p.stem for p in paths.SCENARIOS_DIR.glob("*.yaml"))
    specs = [scenarios_mod.load_scenario(scenarios_mod.scenario_path(name), cat, overrides).with_settings(draws=draws)
             for name in names]  # every error before anything runs
    notebook = paths.NOTEBOOKS_DIR / "compare.ipynb"
    folder = output_dir(out)
    digest = job_digest([s.digest() for s in specs], notebook, cat)
    params = {"run_specs": [s.canonical() for s in specs], "render_digest": digest}
    return Job(name, "Scenario comparison", str(notebook), params, str(folder), digest, cell_timeout,
               start_timeout)
