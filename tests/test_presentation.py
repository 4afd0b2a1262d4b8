"""What a reader sees: chart labels clear of their lines, words not code names, flags for contradictions."""

import matplotlib
import numpy as np
import pytest

from dprk_arms.data import runspec
from dprk_arms.presentation import consistency, plots, tables
from dprk_arms.presentation import format as fmt
from dprk_arms.simulation import montecarlo, sensitivity


def _sim(catalog, **overrides):
    spec = runspec.build(catalog, overrides=overrides)
    return montecarlo.simulate(spec.resolved, catalog, 4000, 7), spec


def _extent(fig, artist):
    fig.canvas.draw()
    return artist.get_window_extent(fig.canvas.get_renderer())


def test_threshold_probability_label_clears_the_threshold_line(catalog):
    sim, _ = _sim(catalog)
    fig = plots.revenue_distribution(sim)
    right = fig.axes[1]
    label = next(t for t in right.texts if t.get_text().startswith("P(>"))
    box = _extent(fig, label)
    line_x = right.transData.transform((10.0, 0))[0]
    assert not box.x0 <= line_x <= box.x1


SEED_LIKE = {"volume_route": "stated", "volume_rounds": 1e6, "price_152mm_usd": 3000, "price_122mm_usd": 3000,
             "price_other_usd": 3000, "in_kind_share": 0}
CLOSE_COUNTS = [{"date": "2024-04-15", "containers": 7500, "source": "t"}, {"date": "2024-04-20", "containers": 7600,
                                                                          "source": "t"},
                {"date": "2024-05-01", "rounds": 2_000_000, "source": "t"},
                {"date": "2024-05-10", "rounds": 2_100_000, "source": "t"}]
TIMELINE_CASES = [(None, {}, ()), ("2023-11-01", SEED_LIKE, ()), ("2024-03-15", {}, ()), ("2024-09-30", {}, ()),
                  ("2023-09-15", {}, ()), ("2023-10-01", {}, ()), ("2023-10-16", {}, ()), ("2024-01-15", {}, ()),
                  ("2024-02-23", {}, ()), ("2024-06-15", {}, ()), ("2025-06-30", {}, ()), ("2026-06-30", {}, ()),
                  ("2024-06-01", {}, CLOSE_COUNTS), (None, {"volume_route": "intel"}, ()),
                  ("2026-12-31", {}, ())]


@pytest.mark.parametrize("as_of,overrides,extra", TIMELINE_CASES,
                         ids=[f"{a or 'last-count'}-{i}" for i, (a, _, _) in enumerate(TIMELINE_CASES)])
def test_timeline_labels_clear_each_other_the_lines_and_the_frame(catalog, as_of, overrides, extra):
    """No label of the dated-flow chart overlaps another or the legend, leaves its chart's frame, or is struck by
    the as-of line, the P50 curve or a year's red economy line, and the date ticks do not run together: at
    as-of dates from the first weeks to years out, on a statement's day, and with counts days apart."""
    spec = runspec.build(catalog, overrides=overrides, as_of=as_of, statements=list(extra) or None)
    line = catalog.timeline(spec.as_of or None, spec.statements)
    fig = plots.timeline(montecarlo.simulate(spec.resolved, catalog, 2000, 7, line), line, spec.resolved)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        texts = [t for t in ax.texts if t.get_visible()]
        frame, boxes = ax.get_window_extent(renderer), [t.get_window_extent(renderer) for t in texts]
        legend = [ax.get_legend().get_window_extent(renderer)] if ax.get_legend() else []
        as_of_x = [ax.transData.transform((ln.get_xdata()[0], 0))[0] for ln in ax.lines
                   if ln.get_color() == plots.RED and list(ln.get_ydata()) == [0, 1]]  # axvline
        curves = [ax.transData.transform(ln.get_xydata()) for ln in ax.lines if ln.get_color() == plots.BLUE]
        markers = np.array([ax.transData.transform(ln.get_xydata()[0]) for ln in ax.lines
                            if ln.get_marker() in ("o", "D") and len(ln.get_xdata()) == 1]).reshape(-1, 2)
        economy = [ax.transData.transform(seg) for c in ax.collections if hasattr(c, "get_segments")
                   for seg in c.get_segments()]  # hlines
        for i, (text, box) in enumerate(zip(texts, boxes)):
            label = text.get_text()
            assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1, label
            assert not any(box.overlaps(other) for other in boxes[i + 1:] + legend), label
            assert not any(box.x0 < x < box.x1 for x in as_of_x), label
            assert not any(box.y0 < y < box.y1 and box.x0 < x1 and x0 < box.x1 for (x0, y), (x1, _) in economy), label
            assert not any(np.any((c[:, 0] > box.x0) & (c[:, 0] < box.x1) & (c[:, 1] > box.y0) & (c[:, 1] < box.y1))
                           for c in curves), label
            if getattr(text, "xycoords", None) == "data":  # a statement's label, at its point
                own = ax.transData.transform(np.array([[matplotlib.dates.date2num(text.xy[0]), text.xy[1]]]))
                others = markers[np.hypot(*(markers - own).T) > 1.0]
                assert not np.any((others[:, 0] > box.x0) & (others[:, 0] < box.x1) & (others[:, 1] > box.y0)
                                  & (others[:, 1] < box.y1)), f"{label} covers another statement's marker"
        if ax in fig.axes[:2] and as_of in (None, "2024-03-15", "2023-11-01"):  # the shipped dates: labels all drawn
            assert len(texts) == len(ax.texts), [t.get_text() for t in ax.texts if not t.get_visible()]
        ticks = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
        assert not any(a.overlaps(b) for a, b in zip(ticks, ticks[1:])), [t.get_text() for t in ax.get_xticklabels()]
    import matplotlib.pyplot as plt
    plt.close(fig)


def test_fire_rate_labels_sit_beside_their_dashed_lines(catalog):
    sim, _ = _sim(catalog)
    fig = plots.duration_vs_fire_rate(sim, [("2024-01", 10_000), ("2024-02", 40_000)])
    ax = fig.axes[0]
    for text, rate in zip(ax.texts, (10, 40)):
        box = _extent(fig, text)
        assert ax.transData.transform((rate, 0))[0] < box.x0  # right of its line, not struck through


def test_fixed_outputs_are_said_in_words_not_drawn_as_spikes(catalog):
    sim, _ = _sim(catalog, volume_rounds=1_000_000, price_152mm_usd=3000, price_122mm_usd=3000,
                  price_other_usd=3000, in_kind_share=0)
    fig = plots.revenue_distribution(sim)
    left = fig.axes[0]
    assert not left.patches and any("same in every draw" in t.get_text() for t in left.texts)
    svg = plots.to_svg(fig)
    assert "$3.0bn" in svg


def test_tornado_and_sweep_axes_show_descriptions_with_units(catalog):
    sim, spec = _sim(catalog)
    table = sensitivity.tornado(spec.resolved, catalog, ["revenue_usd"])
    words = fmt.parameter_labels(catalog)
    svg = plots.to_svg(plots.tornado(table, "revenue_usd", "revenue", fmt.money, names=words))
    assert "price_152mm_usd" not in svg and "(USD/round)" in svg


def test_summary_names_the_most_likely_column_and_explains_it():
    assert tables.MOST_LIKELY in tables.MOST_LIKELY_NOTE and "P50" in tables.MOST_LIKELY_NOTE


def test_assumptions_table_never_repeats_a_quote(catalog):
    spec = runspec.build(catalog)
    for row in tables.assumptions_rows(catalog, spec.resolved, spec.set_by_scenario):
        quotes = [q.rsplit(" (", 1)[0] for q in row["quotes"]]
        assert len(quotes) == len(set(quotes)), row["parameter"]


def test_markup_is_shielded_from_notebook_mathjax():
    markup = fmt.no_math("<p>$2.3bn ($1.2bn to $4.4bn)</p>")
    assert 'class="mathjax_ignore tex2jax_ignore"' in markup


@pytest.mark.parametrize("overrides,heading", [
    ({}, "Overloaded containers (152mm)"),
    ({"volume_rounds": 3_400_000}, "Volume against containers"),
])
def test_contradictions_are_flagged(catalog, overrides, heading):
    sim, _ = _sim(catalog, **overrides)
    assert heading in [h for h, _ in consistency.flags(sim)]


def test_no_flag_when_the_numbers_agree(catalog):
    sim, _ = _sim(catalog, volume_rounds=500_000, rounds_per_container_152mm=250,
                  rounds_per_container_122mm=60, munitions_container_share=1)
    assert consistency.flags(sim) == []


@pytest.fixture(scope="module")
def two_scenarios(tmp_path_factory):
    from dprk_arms.presentation import compare
    folder = tmp_path_factory.mktemp("scen")
    for name, price in (("cheap", 800), ("dear", 3000)):
        (folder / f"{name}.yaml").write_text(f"title: {name.title()}\nquestion: Q?\ndraws: 500\n"
                                             f"parameters:\n  price_152mm_usd: {price}\n")
    return compare.run_from({"scenarios": [str(folder / "cheap.yaml"), str(folder / "dear.yaml")]})


def test_each_compare_chart_measures_a_row_of_the_table(two_scenarios, monkeypatch):
    """A chart's title is the label of the table row it illustrates, and it plots that row's numbers."""
    from dprk_arms.defaults import THRESHOLD_SHARE
    from dprk_arms.presentation import compare
    from dprk_arms.presentation import notebook as nb
    figures = []
    monkeypatch.setattr(nb, "figure", lambda run, fig, caption: figures.append((fig, caption)))
    compare.charts(two_scenarios)
    summary = next(iter(two_scenarios.summaries.values()))
    rows = {summary.loc[o, "label"]: o for o in compare.KEY_OUTPUTS}
    assert len(figures) == len(compare.CHARTS)
    for fig, caption in figures:
        ax = fig.axes[0]
        title = ax.get_title(loc="left") or ax.get_title()
        output = rows.get(title)
        assert output in compare.KEY_OUTPUTS, title
        dots = sorted(float(line.get_xdata()[0]) for line in ax.get_lines() if line.get_marker() == "o")
        assert dots == sorted(s.loc[output, "p50"] for s in two_scenarios.summaries.values())
        red = [line for line in ax.get_lines() if list(line.get_xdata()) == [THRESHOLD_SHARE] * 2]
        assert bool(red) == output.startswith("share_of_economy"), output
        assert ("red line at 10.0%" in caption) == bool(red)
    assert any(rows[f[0].axes[0].get_title(loc="left")].startswith("share_of_economy") for f in figures)
    assert len({f[0].axes[0].get_title(loc="left") for f in figures}) == len(figures)


@pytest.mark.parametrize("count", [1, 2, 7])
def test_compare_charts_are_as_tall_as_their_rows(catalog, count):
    """Two scenarios make a short chart, not two bars at the edges of a tall empty one."""
    sim = montecarlo.simulate(catalog.resolve(), catalog, 300, 1)
    summaries = {f"Scenario {i}": sim.summary() for i in range(count)}
    fig = plots.compare_bars(summaries, "revenue_usd", "Revenue, cumulative", fmt.money)
    height = fig.get_size_inches()[1]
    assert height <= 0.45 * count + 1.0
    low, high = fig.axes[0].get_ylim()
    assert high - low <= count + 0.3  # the rows fill the plot, with half a row's margin each side


def test_a_chart_is_drawn_once_where_savefig_would_place_it(monkeypatch):
    """to_svg draws the figure once (savefig draws a constrained-layout figure twice: to place it, then to write
    it), and that one constrained-layout pass puts every label within 3 px of where savefig's two put it."""
    import io

    import matplotlib.figure
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    def chart():
        fig, (left, right) = plots._figure(2)
        left.hist(np.random.default_rng(1).lognormal(size=2000), bins=30)
        left.set(title="A constrained-layout chart", xlabel="USD bn, a long label the layout must make room for",
                 ylabel="draws")
        right.barh(["a much longer label", "b"], [3, -2])
        right.set_title("Its neighbour")
        return fig

    def label_boxes(fig):
        renderer = FigureCanvasAgg(fig).get_renderer()
        return [t.get_window_extent(renderer).extents for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]

    saved = chart()
    with plt.rc_context(plots.STYLE):
        saved.savefig(io.StringIO(), format="svg")
    plt.close(saved)
    draws = []
    original = matplotlib.figure.Figure.draw
    monkeypatch.setattr(matplotlib.figure.Figure, "draw", lambda self, r: draws.append(1) or original(self, r))
    ours = chart()
    assert "A constrained-layout chart" in plots.to_svg(ours) and len(draws) == 1
    expected, got = label_boxes(saved), label_boxes(ours)
    assert len(got) == len(expected) > 6
    assert np.abs(np.array(got) - np.array(expected)).max() <= 3
