"""What-if: live controls over the key inputs, sweep outputs, and saving settings as a scenario."""

import html
import time
from pathlib import Path

from .. import files, paths
from ..data import catalog as catalog_mod
from ..data import scenarios as scenarios_mod
from ..data.distributions import Distribution
from ..defaults import DEFAULT_SEED, THRESHOLD_SHARE, WHATIF_DRAWS
from ..errors import ScenarioError
from ..models.evaluate import OUTPUTS
from ..simulation import montecarlo
from . import format as fmt
from . import plots
from .sweeps import LABELS, UNITS, formatter

KEY_INPUTS = ("price_152mm_usd", "volume_route", "volume_rounds", "share_122mm", "economy_year", "economy_measure",
              "fire_rate_per_day", "dud_fraction", "rounds_per_container_152mm", "return_ratio")
KEY_OUTPUTS = ("revenue_usd", "share_of_economy", "share_of_economy_per_year", "multiple_of_exports_per_year",
               "supply_days", "consumption_share", "rounds_all_152mm", "containers_back")
class WhatIf:
    """The key inputs as fixed values over the sourced defaults; recomputed with a small Monte Carlo."""

    def __init__(self, catalog=None, draws=WHATIF_DRAWS, seed=DEFAULT_SEED, overrides=None, as_of=""):
        self.catalog = catalog or catalog_mod.load()
        self.draws, self.seed = draws, seed
        self.as_of = ""
        self.set_as_of(as_of)
        self.base = dict(overrides or {})
        resolved = self.catalog.resolve(self.base, "what-if")
        self.values = {n: (v.central if isinstance(v, Distribution) else v) for n, v in resolved.items() if n in KEY_INPUTS}
        self.changed = set()

    def set(self, **values):
        """Fix key inputs to values (validated as any override is)."""
        for name, value in values.items():
            if name not in KEY_INPUTS:
                raise ScenarioError("what-if", name, f"not one of the what-if inputs: {', '.join(KEY_INPUTS)}")
            self.values[name] = self.catalog.parameters[name].parse(value, "what-if", name)
            if isinstance(self.values[name], Distribution):
                self.values[name] = self.values[name].central
            self.changed.add(name)
        self.catalog.resolve(self.overrides(), "what-if")
        return self

    def set_as_of(self, as_of):
        """The date to estimate for (ISO text; empty for the last dated container count), validated."""
        text = str(as_of or "").strip()
        self.timeline = self.catalog.timeline(text or None, (), "what-if")
        self.as_of = self.timeline.as_of.isoformat() if text else ""
        return self

    def overrides(self):
        result = dict(self.base)
        result.update({n: self.values[n] for n in self.changed})
        return result

    def compute(self):
        return montecarlo.simulate(self.catalog.resolve(self.overrides(), "what-if"), self.catalog, self.draws, self.seed,
                                   self.timeline)

    def summary_html(self, sim=None):
        summary = (sim or self.compute()).summary(KEY_OUTPUTS)
        rows = "".join(f"<tr><td>{html.escape(LABELS[n])}</td><td>{html.escape(fmt.interval(summary.loc[n]))}</td></tr>"
                       for n in KEY_OUTPUTS)
        return f'<table class="summary"><thead><tr><th>Output</th><th>P50 (P5 to P95)</th></tr></thead><tbody>{rows}</tbody></table>'

    def save(self, name, title, question, folder=None, overwrite=False):
        """Write the current settings as a scenario YAML that `dprk-arms render` accepts unchanged."""
        scenarios_mod.check_name(name, "save")
        folder = Path(folder or paths.SCENARIOS_DIR)
        path = folder / f"{name}.yaml"
        if path.exists() and not overwrite:
            raise ScenarioError(path, None, "already exists; choose another name or pass overwrite=True")
        text = scenarios_mod.to_yaml(title, question, self.overrides())
        doc = scenarios_mod.yaml.safe_load(text)
        scenarios_mod.from_document(doc, self.catalog, name=name, file=str(path))  # refuse to write what cannot load
        doc["draws"], doc["seed"] = self.draws, self.seed
        if self.as_of:
            doc["as_of"] = self.as_of
        folder.mkdir(parents=True, exist_ok=True)
        files.write_text(path, scenarios_mod.yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
        return path

    def panel(self):
        """ipywidgets controls, live numbers and chart, and a save button (JupyterLab)."""
        import ipywidgets as w
        from IPython.display import HTML, SVG, display

        controls = {name: self._control(w, name) for name in KEY_INPUTS}
        as_of_box = w.Text(value=self.as_of, placeholder="YYYY-MM-DD (empty: last count)", description="as_of",
                           continuous_update=False, style={"description_width": "190px"})
        numbers, chart, status = w.HTML(), w.Output(), w.HTML()
        name_box = w.Text(value="my-what-if", description="name")
        title_box = w.Text(value="My what-if", description="title")
        save_button = w.Button(description="Save as scenario", icon="save")

        def refresh(_=None):
            start = time.perf_counter()
            try:
                self.set(**{n: c.value for n, c in controls.items()})
                self.set_as_of(as_of_box.value)
                sim = self.compute()
            except ScenarioError as exc:
                status.value = fmt.no_math(f'<span style="color:#b22222">{html.escape(str(exc))}</span>')
                return
            numbers.value = fmt.no_math(self.summary_html(sim))
            svg = plots.to_svg(plots.revenue_distribution(sim))
            chart.clear_output(wait=True)
            with chart:
                display(SVG(svg))
            status.value = f"updated in {time.perf_counter() - start:.2f} s ({self.draws:,} draws)"

        def save(_):
            try:
                path = self.save(name_box.value.strip(), title_box.value.strip() or name_box.value,
                                 "What-if saved from the interactive notebook.")
                status.value = f"saved {html.escape(str(path))}; render it with <code>dprk-arms render {html.escape(name_box.value)}</code>"
            except ScenarioError as exc:
                status.value = f'<span style="color:#b22222">{html.escape(str(exc))}</span>'

        for control in [*controls.values(), as_of_box]:
            control.observe(refresh, names="value")
        save_button.on_click(save)
        refresh()
        display(HTML("<b>Move a control; the numbers and chart update.</b>"))
        return w.VBox([w.HBox([w.VBox([as_of_box, *controls.values()]), numbers]), chart,
                       w.HBox([name_box, title_box, save_button]), status])

    def _control(self, w, name):
        param = self.catalog.parameters[name]
        value = self.values[name]
        if param.is_choice:
            return w.Dropdown(options=list(param.choices), value=value, description=name,
                              style={"description_width": "190px"})
        low, high = param.default.bounds
        low, high = min(low, value) * 0.5 if low > 0 else 0.0, max(high, value) * 1.5
        high = min(high, param.maximum)
        step = (high - low) / 200
        return w.FloatSlider(value=value, min=low, max=high, step=step, description=name, readout_format=",.4g",
                             continuous_update=False, style={"description_width": "190px"},
                             layout=w.Layout(width="480px"))


def from_namespace(namespace, draws=WHATIF_DRAWS):
    """A WhatIf starting from the run spec of the notebook's parameters cell."""
    from ..data import runspec
    cat = catalog_mod.load()
    spec = runspec.from_namespace(namespace, cat)
    return WhatIf(cat, draws=draws, seed=spec.seed, overrides=dict(spec.overrides), as_of=spec.as_of)


def show_snapshot(whatif):
    """The numbers at the current settings, as static HTML (what papermill and PDFs keep)."""
    from IPython.display import HTML, display
    display(HTML(fmt.no_math(whatif.summary_html())))


def show_sweep(whatif, *axes, metric="share_of_economy_per_year"):
    """A sweep chart inline, other inputs at the what-if's settings."""
    from IPython.display import SVG, display

    from ..simulation import sweep
    cat = whatif.catalog
    parsed = [sweep.parse_axis(a, cat.parameters) for a in axes]
    resolved = cat.resolve(whatif.overrides(), "what-if", varied=[a.name for a in parsed])
    frame = sweep.grid(resolved, cat, parsed, whatif.timeline)
    threshold = THRESHOLD_SHARE if metric.startswith("share_of_economy") else None
    fig = plots.sweep_chart(frame, [a.name for a in parsed], metric, LABELS[metric], formatter(metric), threshold,
                            fmt.parameter_labels(cat))
    display(SVG(plots.to_svg(fig)))


def show_solve(whatif, output, target, unknown):
    """The break-even value of one input, as a sentence."""
    from IPython.display import HTML, display

    from ..simulation import sweep
    cat = whatif.catalog
    value = sweep.solve(cat.resolve(whatif.overrides(), "what-if", varied=[unknown]), cat, output, target, unknown,
                        timeline=whatif.timeline)
    unit = cat.parameters[unknown].unit
    display(HTML(fmt.no_math(f"<p><b>{html.escape(unknown)}</b> = {value:,.4g} {html.escape(unit)} brings "
                 f"<b>{html.escape(LABELS[output].lower())}</b> (<code>{html.escape(output)}</code>) to "
                 f"{html.escape(fmt.value(target, UNITS[output]))}, "
                 f"other inputs at their central values or the settings above.</p>")))
