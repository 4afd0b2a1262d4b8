"""What-if: live controls over the key inputs, sweep outputs, and saving settings as a scenario."""

import html
import math
import time
from pathlib import Path

from .. import files, paths
from ..data import catalog as catalog_mod
from ..data import correlations as correlations_mod
from ..data import scenarios as scenarios_mod
from ..data.runspec import canonical_value
from ..data.distributions import Distribution
from ..defaults import DEFAULT_SEED, THRESHOLD_SHARE, WHATIF_DRAWS
from ..errors import ScenarioError
from ..models.evaluate import OUTPUTS
from ..simulation import montecarlo
from . import format as fmt
from . import plots
from .sweeps import LABELS, UNITS, formatter

KEY_INPUTS = ("price_152mm_usd", "in_kind_share", "in_kind_valuation_ratio", "volume_route", "volume_rounds",
              "share_122mm", "economy_year", "economy_measure", "fire_rate_per_day", "dud_fraction",
              "rounds_per_container_152mm", "return_ratio")
KEY_OUTPUTS = ("revenue_usd", "cash_revenue_usd", "in_kind_value_usd", "share_of_economy", "share_of_economy_per_year",
               "multiple_of_exports_per_year", "supply_days", "consumption_share", "rounds_all_152mm", "containers_back")
PRICES = ("price_152mm_usd", "price_122mm_usd", "price_other_usd")


def nice_step(span, steps=200):
    """A slider step of 1, 2 or 5 times a power of ten, about span / steps, so values read as people write them."""
    raw = span / steps if span > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


class WhatIf:
    """The sourced defaults (or a scenario) with only the inputs the user moves fixed; every other input keeps
    its distribution. Recomputed with a small Monte Carlo."""

    def __init__(self, catalog=None, draws=WHATIF_DRAWS, seed=DEFAULT_SEED, overrides=None, as_of="",
                 correlations=None, statements=()):
        self.catalog = catalog or catalog_mod.load()
        self.draws, self.seed = draws, seed
        self.statements = tuple(statements or ())  # the scenario's own dated statements, as plain dicts
        self.as_of = ""
        self.set_as_of(as_of)
        self.base = dict(overrides or {})
        self.base_correlations = correlations_mod.parse_scenario(correlations, self.catalog.parameters, "what-if")
        self.fixed = {}  # only the inputs the user moved, at the values they chose
        self.price_correlation = None  # None: the prices correlate as the data (or scenario) says
        self.resolved = self.catalog.resolve(self.base, "what-if")

    @property
    def changed(self):
        return set(self.fixed)

    def starting_value(self, name):
        """Where a control starts: the scenario's or the data's central value (or choice)."""
        value = self.resolved[name]
        return value.central if isinstance(value, Distribution) else value

    def set(self, **values):
        """Fix inputs to values (validated as any override is); the others keep their distributions."""
        fixed = dict(self.fixed)
        for name, value in values.items():
            if name not in KEY_INPUTS:
                raise ScenarioError("what-if", name, f"not one of the what-if inputs: {', '.join(KEY_INPUTS)}")
            parsed = self.catalog.parameters[name].parse(value, "what-if", name)
            if isinstance(parsed, Distribution) and not parsed.is_fixed:
                raise ScenarioError("what-if", name, "a move fixes one value; give a number, or release the input "
                                    "to give it its distribution back")
            fixed[name] = canonical_value(Distribution("fixed", parsed.central) if isinstance(parsed, Distribution)
                                          else parsed)
        self.catalog.resolve({**self.base, **fixed}, "what-if")
        self.fixed = fixed
        return self

    def release(self, *names):
        """Give inputs back their distributions (all of them when no name is given)."""
        for name in names or list(self.fixed):
            self.fixed.pop(name, None)
        return self

    def set_price_correlation(self, rank):
        """The rank correlation among the three prices (None: as the data or scenario says), validated."""
        if rank is not None:
            try:
                rank = float(rank)
            except (TypeError, ValueError):
                raise ScenarioError("what-if", "price correlation",
                                    f"expected a number from -1 to 1, got {rank!r}") from None
            if not -1 <= rank <= 1:  # NaN fails this too
                raise ScenarioError("what-if", "price correlation", f"expected a number from -1 to 1, got {rank}")
        previous, self.price_correlation = self.price_correlation, rank
        try:
            correlations_mod.check(self.rank_correlations(), "what-if", "price correlation")
        except ScenarioError:
            self.price_correlation = previous
            raise
        return self

    def set_as_of(self, as_of):
        """The date to estimate for (ISO text; empty for the last dated container count), validated."""
        text = str(as_of or "").strip()
        self.timeline = self.catalog.timeline(text or None, self.statements, "what-if")
        self.as_of = self.timeline.as_of.isoformat() if text else ""
        return self

    def overrides(self):
        """The scenario's own settings with the moved inputs on top: what a saved scenario holds."""
        return {**self.base, **self.fixed}

    def correlations(self):
        """The scenario's own correlations with a moved price correlation on top, in canonical form."""
        own = {a: dict(inner) for a, inner in self.base_correlations.items()}
        if self.price_correlation is not None:
            for i, a in enumerate(PRICES):
                for b in PRICES[i + 1:]:
                    x, y = correlations_mod.pair(a, b)
                    own.setdefault(x, {})[y] = float(self.price_correlation)
        return own

    def rank_correlations(self):
        return correlations_mod.effective(self.catalog.correlations, self.correlations())

    def compute(self):
        return montecarlo.simulate(self.catalog.resolve(self.overrides(), "what-if"), self.catalog, self.draws, self.seed,
                                   self.timeline, self.rank_correlations())

    def fixed_text(self):
        """What this what-if sets, in words and by whom: the user's moves, then what the starting scenario fixes,
        re-ranges and correlates, and the as-of date; every other input keeps its sourced distribution."""
        words = fmt.parameter_labels(self.catalog)
        route = self.catalog.resolve(self.overrides(), "what-if")["volume_route"]
        unused = {n for n, needs in catalog_mod.ROUTE_INPUTS.items() if route != needs}

        def said(name, text):
            return text + (f" (not used: volume_route is {route})" if name in unused else "")

        moved = [said(n, f"{words[n]} = {self._shown(n, v)}") for n, v in self.fixed.items()]
        if self.price_correlation is not None:
            moved.append(f"rank correlation between the three prices = {self.price_correlation:.2f}")
        fixed, ranged = [], []
        for name in self.base:
            if name in self.fixed:
                continue
            value = self.resolved[name]
            if isinstance(value, Distribution) and not value.is_fixed:
                low, high = value.bounds
                span = "P5 {} to P95 {} (median {})" if value.is_unbounded else "from {} to {} (central {})"
                shown = (self._shown(name, v) for v in (low, high, value.central))
                ranged.append(said(name, f"{words[name]} " + span.format(*shown)))
            else:
                fixed.append(said(name, f"{words[name]} = {self._shown(name, self.starting_value(name))}"))
        correlated = [f"{words[a]} with {words[b]} {rho:.2f}" for a, inner in sorted(self.base_correlations.items())
                      for b, rho in sorted(inner.items())
                      if self.price_correlation is None or not {a, b} <= set(PRICES)]
        parts = [f"{head}: {'; '.join(items)}." for head, items in (
            ("Moved here", moved), ("Fixed by the scenario", fixed), ("The scenario's ranges", ranged),
            ("The scenario's rank correlations", correlated)) if items]
        if self.statements:
            parts.append(f"The scenario adds {len(self.statements)} dated statement"
                         f"{'s' if len(self.statements) > 1 else ''} to the data's.")
        parts.append(f"As of {fmt.as_of_text(self.timeline.as_of.isoformat())}"
                     + ("." if self.as_of else " (the last dated container count)."))
        if len(parts) == 1 and not self.as_of:
            return f"Nothing fixed: every input keeps its distribution. {parts[0]}"
        return " ".join(parts + ["Every other input keeps its sourced distribution."])

    def _shown(self, name, value):
        param = self.catalog.parameters[name]
        return str(value) if param.is_choice else fmt.value(value, param.unit)

    def summary_html(self, sim=None):
        summary = (sim or self.compute()).summary(KEY_OUTPUTS)
        rows = "".join(f'<tr class="output-{n}"><td>{html.escape(LABELS[n])}</td>'
                       f"<td>{html.escape(fmt.interval(summary.loc[n]))}</td></tr>" for n in KEY_OUTPUTS)
        return (f'<table class="summary whatif-numbers"><thead><tr><th>Output</th><th>P50 (P5 to P95)</th></tr>'
                f"</thead><tbody>{rows}</tbody></table>")

    def save(self, name, title, question, folder=None, overwrite=False):
        """Write the moved inputs (on top of the scenario the panel started from) as a scenario YAML that
        `dprk-arms render` accepts unchanged; inputs not moved are left out, so they keep their distributions."""
        scenarios_mod.check_name(name, "save")
        folder = Path(folder or paths.SCENARIOS_DIR)
        path = folder / f"{name}.yaml"
        if path.exists() and not overwrite:
            raise ScenarioError(path, None, "already exists; choose another name or tick 'overwrite'")
        text = scenarios_mod.to_yaml(title, question, self.overrides(), self.correlations())
        doc = scenarios_mod.yaml.safe_load(text)
        if not doc["parameters"]:
            del doc["parameters"]
        doc["draws"], doc["seed"] = self.draws, self.seed  # so the brief reproduces the panel's numbers
        if self.as_of:
            doc["as_of"] = self.as_of
        if self.statements:
            doc["statements"] = [dict(statement) for statement in self.statements]
        scenarios_mod.from_document(doc, self.catalog, name=name, file=str(path))  # refuse to write what cannot load
        folder.mkdir(parents=True, exist_ok=True)
        files.write_text(path, scenarios_mod.yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
        return path

    def panel(self):
        """ipywidgets controls (in words, with units), live numbers and chart, and a save form (JupyterLab)."""
        import ipywidgets as w
        from IPython.display import HTML, SVG, display

        words = fmt.parameter_labels(self.catalog)
        controls = {name: Control(self, w, name, words[name]) for name in KEY_INPUTS}
        default_rank = self._default_price_rank()
        correlation = Control.correlation(w, default_rank)
        as_of_box = w.Text(value=self.as_of, placeholder="YYYY-MM-DD (empty: last count)",
                           description="As of (date)", continuous_update=False, style={"description_width": "120px"})
        numbers, chart, status = w.HTML(), w.Output(), w.HTML()
        fixed_note = w.HTML()
        name_box = w.Text(value="my-what-if", description="Name", style={"description_width": "80px"})
        title_box = w.Text(value="My what-if", description="Title", style={"description_width": "80px"})
        question_box = w.Textarea(value="", placeholder="The question this scenario asks", description="Question",
                                  style={"description_width": "80px"}, layout=w.Layout(width="480px"))
        overwrite_box = w.Checkbox(value=False, description="Overwrite a scenario of the same name", indent=False)
        save_button = w.Button(description="Save as scenario", icon="save")

        def refresh(_=None):
            start = time.perf_counter()
            try:
                self.set_price_correlation(correlation.rank())
                self.set_as_of(as_of_box.value)
                sim = self.compute()
            except ScenarioError as exc:
                status.value = fmt.no_math(f'<span style="color:#b22222">{html.escape(str(exc))}</span>')
                return
            fixed_note.value = fmt.no_math(f'<p class="whatif-fixed">{html.escape(self.fixed_text())}</p>')
            numbers.value = fmt.no_math(self.summary_html(sim))
            svg = plots.to_svg(plots.revenue_distribution(sim))
            chart.clear_output(wait=True)
            with chart:
                display(SVG(svg))
            status.value = f"updated in {time.perf_counter() - start:.2f} s ({self.draws:,} draws)"

        def save(_):
            name = name_box.value.strip()
            try:
                path = self.save(name, title_box.value.strip() or name,
                                 question_box.value.strip() or "What-if saved from the interactive notebook.",
                                 overwrite=overwrite_box.value)
                status.value = (f"saved {html.escape(str(path))}; render it with "
                                f"<code>dprk-arms render {html.escape(name)}</code>")
            except ScenarioError as exc:
                status.value = f'<span style="color:#b22222">{html.escape(str(exc))}</span>'

        for control in controls.values():
            control.on_change(refresh)
        correlation.on_change(refresh)
        as_of_box.observe(refresh, names="value")
        save_button.on_click(save)
        refresh()
        display(HTML("<b>Move a control to fix that input; the others keep their distributions. "
                     "'Use range' gives an input its distribution back.</b>"))
        left = w.VBox([as_of_box, *(c.box for c in controls.values()), correlation.box],
                      layout=w.Layout(width="520px"))
        return w.VBox([w.HBox([left, w.VBox([fixed_note, numbers])]), chart,
                       w.VBox([w.HBox([name_box, title_box]), question_box, w.HBox([overwrite_box, save_button])]),
                       status])

    def _default_price_rank(self):
        pairs = correlations_mod.effective(self.catalog.correlations, self.base_correlations)
        return float(pairs.get(correlations_mod.pair(PRICES[0], PRICES[1]), 0.0))


def _reset_widget(control, value):
    """Put a control's widget back to `value` without treating it as a move, then redraw and notify."""
    control._quiet = True
    try:
        control.widget.value = value
    finally:
        control._quiet = False
    control._show()
    for callback in control._callbacks:
        callback()


class Control:
    """One input's control: its words and unit, a slider (or menu) with a readout as people write numbers, whether
    it is fixed, and a button that gives it back its distribution."""

    def __init__(self, whatif, w, name, label):
        self.whatif, self.name = whatif, name
        param = whatif.catalog.parameters[name]
        self.param = param
        start = whatif.fixed.get(name, whatif.starting_value(name))
        self._quiet = False
        layout = w.Layout(width="300px")
        if param.is_choice:
            self.widget = w.Dropdown(options=list(param.choices), value=start, layout=layout)
        else:
            low, high = self._range(start)
            self.widget = w.FloatSlider(value=start, min=low, max=high, step=nice_step(high - low), readout=False,
                                        continuous_update=False, layout=layout)
        self.widget.add_class(f"whatif-{name}")
        self.readout = w.HTML(layout=w.Layout(width="110px"))
        self.button = w.Button(description="Use range", layout=w.Layout(width="90px"),
                               tooltip="Give this input back its distribution")
        self.title = w.HTML(layout=w.Layout(width="500px"))
        self.box = w.VBox([self.title, w.HBox([self.widget, self.readout, self.button])])
        self.button.on_click(self._release)
        self.widget.observe(self._moved, names="value")
        self._callbacks = []
        self._show()

    @staticmethod
    def correlation(w, default_rank):
        return _Correlation(w, default_rank)

    def _range(self, value):
        low, high = self.param.default.bounds
        low = min(low, value) * 0.5 if low > 0 else 0.0
        high = max(high, value) * 1.5 if high > 0 else 1.0
        if self.param.maximum is not None:
            high = min(high, self.param.maximum)
        if self.param.minimum is not None:
            low = max(low, self.param.minimum)
        return low, high

    def on_change(self, callback):
        self._callbacks.append(callback)

    def _moved(self, change):
        if self._quiet:
            return
        self.whatif.set(**{self.name: change["new"]})
        self._show()
        for callback in self._callbacks:
            callback()

    def _release(self, _=None):
        self.whatif.release(self.name)
        _reset_widget(self, self.whatif.starting_value(self.name))

    def _show(self):
        fixed = self.name in self.whatif.fixed
        spec = self.whatif.resolved[self.name]
        if fixed:
            state = '<b style="color:#1f4e79">fixed</b>'
        elif isinstance(spec, Distribution) and not spec.is_fixed:
            low, high = spec.bounds
            state = f"range {fmt.value(low, self.param.unit)} to {fmt.value(high, self.param.unit)}"
        else:
            state = "as the scenario sets it"
        self.title.value = fmt.no_math(f'<span style="white-space:normal">{html.escape(self.param.description)} '
                                       f'<span style="color:#777">({html.escape(self.param.unit)}); '
                                       f"{state}</span></span>")
        value = self.widget.value
        self.readout.value = fmt.no_math(html.escape(str(value) if self.param.is_choice
                                                     else fmt.value(value, self.param.unit)))
        self.button.disabled = not fixed


class _Correlation:
    """The rank correlation between the three prices: a slider that counts as moved once touched."""

    def __init__(self, w, default_rank):
        self.default_rank = default_rank
        self.moved = False
        self.widget = w.FloatSlider(value=default_rank, min=0.0, max=1.0, step=0.05, readout=False,
                                    continuous_update=False, layout=w.Layout(width="300px"))
        self.widget.add_class("whatif-price-correlation")
        self.readout = w.HTML(layout=w.Layout(width="110px"))
        self.button = w.Button(description="Use data", layout=w.Layout(width="90px"),
                               tooltip="Back to the correlation in data/correlations.csv")
        title = w.HTML(fmt.no_math('<span style="white-space:normal">Rank correlation between the three prices '
                                   '(152mm, 122mm, other; 0 = independent, 1 = move as one)</span>'),
                       layout=w.Layout(width="500px"))
        self.box = w.VBox([title, w.HBox([self.widget, self.readout, self.button])])
        self._callbacks = []
        self.widget.observe(self._moved, names="value")
        self.button.on_click(self._reset)
        self._show()

    def on_change(self, callback):
        self._callbacks.append(callback)

    def rank(self):
        return self.widget.value if self.moved else None

    def _moved(self, _):
        if getattr(self, "_quiet", False):
            return
        self.moved = True
        self._show()
        for callback in self._callbacks:
            callback()

    def _reset(self, _=None):
        self.moved = False
        _reset_widget(self, self.default_rank)

    def _show(self):
        self.readout.value = f"{self.widget.value:.2f}" + (" (fixed)" if self.moved else " (data)")
        self.button.disabled = not self.moved


def from_namespace(namespace, draws=WHATIF_DRAWS):
    """A WhatIf starting from the run spec of the notebook's parameters cell."""
    from ..data import runspec
    cat = catalog_mod.load()
    spec = runspec.from_namespace(namespace, cat)
    return WhatIf(cat, draws=draws, seed=spec.seed, overrides=dict(spec.overrides), as_of=spec.as_of,
                  correlations=spec.correlations, statements=spec.statements)


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
