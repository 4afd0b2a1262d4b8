"""Charts for the briefs: each function returns a matplotlib Figure built from simulation results."""

import io
import textwrap

import matplotlib

matplotlib.use("Agg")  # no display needed; notebooks embed the SVG we write ourselves
import matplotlib.dates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ..defaults import THRESHOLD_SHARE  # noqa: E402
from ..models import duration  # noqa: E402
from ..models.triangulation import ROUTES  # noqa: E402
from .format import count  # noqa: E402

STYLE = {
    "font.family": "DejaVu Sans", "font.size": 8.5, "axes.spines.top": False, "axes.spines.right": False,
    "axes.titlesize": 9.5, "axes.titleweight": "bold", "axes.grid": True, "grid.color": "#e4e4e4",
    "axes.axisbelow": True, "svg.fonttype": "none", "figure.dpi": 100,
}
PLAIN = matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}" if abs(v) >= 100 else f"{v:g}")
BLUE, RED, GREY, GOLD = "#1f4e79", "#b22222", "#777777", "#c08a00"
LIGHT_BLUE, LIGHT_RED = "#b4c8dc", "#e8b4b4"  # opaque tints: transparency costs the PDF renderer dearly


def to_svg(fig) -> str:
    """The figure as SVG text, closed afterwards. Saved inside STYLE: matplotlib applies svg.fonttype at
    save time, and real <text> (not glyph paths) keeps labels searchable and the PDF fast to lay out."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    buffer = io.StringIO()
    with plt.rc_context(STYLE):
        # The SVG canvas's own print, not savefig: savefig draws a constrained-layout figure twice (a draw to
        # place it, then the draw that writes it), and the one draw gives the same SVG, a quarter sooner.
        FigureCanvasSVG(fig).print_svg(buffer)
    plt.close(fig)
    return buffer.getvalue()


def save(fig, path, **kwargs) -> None:
    """Save to a file inside STYLE, then close."""
    with plt.rc_context(STYLE):
        fig.savefig(path, **kwargs)
    plt.close(fig)


def _figure(ncols=1, height=2.8):
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, ncols, figsize=(7.0, height), layout="constrained")
    return fig, axes


def revenue_distribution(sim, threshold=THRESHOLD_SHARE) -> "matplotlib.figure.Figure":
    """Cumulative revenue (USD bn) and per-year revenue as a share of the economy, with the 10% line."""
    with plt.rc_context(STYLE):
        fig, (left, right) = _figure(2)
        rev = sim.outputs["revenue_usd"].to_numpy() / 1e9
        cash = sim.outputs["cash_revenue_usd"].to_numpy() / 1e9
        in_kind = paid_in_kind(sim)
        left.set(title="Revenue, whole period", xlabel="USD bn (P5, P50, P95 of the gross value marked)",
                 ylabel="draws")
        if in_kind:
            # both on one set of bins, so the cash distribution reads against the gross value it is part of
            bins = np.histogram_bin_edges(np.concatenate([rev, cash]), bins=60)
            left.hist(rev, bins=bins, color=LIGHT_BLUE, histtype="stepfilled", label="gross value (cash + in kind)")
            left.hist(cash, bins=bins, color=RED, histtype="step", lw=1.1, label="cash only")
            left.legend(loc="upper right", fontsize=7, frameon=True, facecolor="white", edgecolor="none", framealpha=1)
            drawn = True
        else:
            drawn = _hist(left, rev, BLUE, lambda v: f"${v:,.1f}bn")
        if drawn:
            for q, ls in ((5, ":"), (50, "-"), (95, ":")):
                left.axvline(np.percentile(rev, q), color="black", ls=ls, lw=0.9)
        share = 100 * sim.outputs["share_of_economy_per_year"].to_numpy()
        right.set(title="Per year, share of economy", xlabel="% of GNI/GDP", ylabel="draws")
        if _hist(right, share, GOLD, lambda v: f"{v:.1f}%"):
            right.axvline(100 * threshold, color=RED, lw=1.4)
            lo, hi = right.get_xlim()
            if 100 * threshold < lo or 100 * threshold > hi:  # keep the line in view
                right.set_xlim(min(lo, 100 * threshold * 0.9), max(hi, 100 * threshold * 1.1))
            p = np.mean(share > 100 * threshold)
            # in a corner, boxed, so it never sits on the red line or the bars
            right.text(0.98, 0.97, f"P(>{100 * threshold:.0f}%) = {p:.0%}", transform=right.transAxes, ha="right",
                       va="top", color=RED, fontsize=8, bbox={"facecolor": "white", "edgecolor": RED, "lw": 0.6})
    return fig


def paid_in_kind(sim) -> "matplotlib.figure.Figure":
    """Whether any draw settles part of the value in goods (so cash revenue differs from the gross value)."""
    return bool((sim.outputs["in_kind_value_usd"].to_numpy() > 0).any())


def _hist(ax, values, color, formatter):
    """Histogram; where every draw is the same (the scenario fixes every input) a sentence instead of a
    one-bar spike. Returns whether a histogram was drawn."""
    if _constant(values):
        _say(ax, f"The same in every draw:\n{formatter(values[0])}\n(every input it depends on is fixed)")
        return False
    # one filled path, not 60 rectangles: far less for the PDF renderer to lay out
    ax.hist(values, bins=60, color=color, histtype="stepfilled")
    return True


def _constant(values):
    values = np.asarray(values, dtype=float)
    return np.ptp(values) <= 1e-9 * max(1.0, abs(values[0]))


def _say(ax, text):
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set(xlabel="", ylabel="")
    ax.grid(False)
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=9, color=GREY)


def tornado(table, output, label, formatter, top=8, names=None) -> "matplotlib.figure.Figure":
    """One-at-a-time swings of `output` from each input's low to high, largest first (callers handle none);
    `names` maps parameter names to the words the axis shows."""
    rows = table[(table["output"] == output) & (table["swing"] > 0)].head(top).iloc[::-1]
    with plt.rc_context(STYLE):
        fig, ax = _figure(1, height=0.35 * max(len(rows), 3) + 1.0)
        y = np.arange(len(rows))
        lo = np.minimum(rows["at_low"], rows["at_high"])
        hi = np.maximum(rows["at_low"], rows["at_high"])
        ax.barh(y, hi - lo, left=lo, color=BLUE)
        ax.set_yticks(y, [textwrap.fill((names or {}).get(n, n), 48) for n in rows["parameter"]], fontsize=7.5)
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: formatter(v)))
        # the caption says how the swing is made; the title only names the output, so it fits the width
        ax.set(title=textwrap.fill(f"Sensitivity of {label}", 80))
    return fig


def duration_vs_fire_rate(sim, marks) -> "matplotlib.figure.Figure":
    """Days the usable rounds last against the Russian fire rate, with sourced rates, (date, rate_per_day), marked."""
    usable = sim.outputs["usable_rounds"].to_numpy()
    rates = np.linspace(5_000, 80_000, 200)
    with plt.rc_context(STYLE):
        fig, ax = _figure(1, height=3.0)
        q5, q50, q95 = np.percentile(usable, [5, 50, 95])
        if q95 > q5:
            ax.fill_between(rates / 1000, duration.supply_days(q5, rates), duration.supply_days(q95, rates),
                            color=LIGHT_BLUE, label="usable rounds P5 to P95")
        ax.plot(rates / 1000, duration.supply_days(q50, rates), color=BLUE,
                label="usable rounds P50" if q95 > q5 else f"usable rounds (fixed: {q50 / 1e6:,.2f}m)")
        top = duration.supply_days(q95, rates[0])
        by_rate = {}
        for when, rate in sorted(marks):  # sources that agree on a rate share one line, not overprinted labels
            by_rate.setdefault(rate, []).append(when)
        for rate, dates in by_rate.items():
            ax.axvline(rate / 1000, color=GREY, lw=0.7, ls="--")
            # beside its line (offset in points), boxed, so the dashes never strike the words through
            ax.annotate(f"{', '.join(dates)}: {rate / 1000:.0f}k", (rate / 1000, top * 1.12), xytext=(2, 0),
                        textcoords="offset points", rotation=90, va="top", ha="left", fontsize=6.5, color=GREY,
                        bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})
        # head-room above the curve's start, so neither the curve nor the labels are cut at the top
        ax.set(title="How long the shells last Russia", xlabel="Russian fire rate, thousand rounds per day",
               ylabel="days of fire", ylim=(0, top * 1.15), xlim=(rates[0] / 1000, rates[-1] / 1000))
        ax.legend(loc="center right", fontsize=7)
    return fig


def container_balance(sim) -> "matplotlib.figure.Figure":
    """Containers out and back, and rounds per container: stated conversion against the mass limit."""
    out = sim.outputs
    with plt.rc_context(STYLE):
        fig, (left, right) = _figure(2, height=2.9)
        out_n = out["containers_count"].to_numpy()
        bars = {"DPRK to Russia": out_n, "Russia to DPRK": out["containers_back"].to_numpy()}
        _interval_bars(left, bars, [BLUE, GOLD])
        left.set(title="Container flows", ylabel="containers (P50, bar P5 to P95)")
        per = {
            "152mm\nstated": sim.inputs["rounds_per_container_152mm"].to_numpy(),
            "152mm\nmass limit": out["rounds_per_container_152mm_by_mass"].to_numpy(),
            "122mm\nstated": sim.inputs["rounds_per_container_122mm"].to_numpy(),
            "122mm\nmass limit": out["rounds_per_container_122mm_by_mass"].to_numpy(),
        }
        _interval_bars(right, per, [BLUE, "#8fb3d9", GOLD, "#e6c980"])
        right.set(title="Rounds per 20ft container", ylabel="rounds")
        right.tick_params(axis="x", labelsize=7)
    return fig


def _interval_bars(ax, series, colors):
    names = list(series)
    p5, p50, p95 = (np.array([np.percentile(series[n], q) for n in names]) for q in (5, 50, 95))
    x = np.arange(len(names))
    ax.bar(x, p50, color=colors)
    ax.errorbar(x, p50, yerr=[p50 - p5, p95 - p50], fmt="none", ecolor="black", capsize=3, lw=0.9)
    ax.set_xticks(x, names)


def triangulation(sim) -> "matplotlib.figure.Figure":
    """The volume implied by four routes, against the volume the revenue model uses."""
    routes = {"Volume used": sim.outputs["shipped_rounds"].to_numpy()}
    routes.update({label: sim.outputs[name].to_numpy() for name, label in ROUTES.items()})
    with plt.rc_context(STYLE):
        fig, ax = _figure(1, height=2.6)
        names = list(routes)[::-1]
        right = 0.0
        for i, name in enumerate(names):
            p5, p50, p95 = np.percentile(routes[name], [5, 50, 95]) / 1e6
            color, light = (RED, LIGHT_RED) if name.startswith("Volume used") else (BLUE, LIGHT_BLUE)
            ax.plot([p5, p95], [i, i], color=light, lw=5, solid_capstyle="butt")
            ax.plot([p50], [i], "o", color=color)
            # offset in points, so the label clears the dot even when the bar has no length
            ax.annotate(f"{p50:.2f}m", (p95, i), xytext=(6, 0), textcoords="offset points", va="center", fontsize=7)
            right = max(right, p95)
        ax.set_yticks(range(len(names)), names)
        ax.set(title="Volume shipped, four routes (P50 dot, P5 to P95 bar)", xlabel="million rounds")
        ax.set_xlim(0, right * 1.15)  # room for the last label
    return fig


ROW_HEIGHT_IN, FRAME_HEIGHT_IN = 0.32, 0.95  # a compare chart: per scenario row, plus title and x axis


def compare_bars(summaries, output, label, formatter, threshold=None) -> "matplotlib.figure.Figure":
    """P50 and P5-P95 of one output across scenarios; as tall as its rows need (no empty band between two
    scenarios), with an optional threshold line (the 10% of the economy)."""
    names = list(summaries)[::-1]
    with plt.rc_context(STYLE):
        fig, ax = _figure(1, height=ROW_HEIGHT_IN * len(names) + FRAME_HEIGHT_IN)
        for i, name in enumerate(names):
            row = summaries[name].loc[output]
            ax.plot([row["p5"], row["p95"]], [i, i], color=LIGHT_BLUE, lw=5, solid_capstyle="butt")
            ax.plot([row["p50"]], [i], "o", color=BLUE)
        ax.set_ylim(-0.6, len(names) - 0.4)
        ax.set_yticks(range(len(names)), [textwrap.fill(n, 28) for n in names])
        ax.grid(axis="y", visible=False)
        if threshold is not None:
            ax.axvline(threshold, color=RED, lw=1.2)
            ax.text(threshold, len(names) - 0.4, f" {formatter(threshold)}", color=RED, va="top", ha="left",
                    fontsize=7.5)
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: formatter(v)))
        ax.set_title(label, loc="left")
    return fig


def _axis_formatter(column):
    """Dates (an as-of sweep) as months, numbers with thousands separators."""
    return matplotlib.dates.DateFormatter("%b %Y") if np.issubdtype(column.dtype, np.datetime64) else PLAIN


def sweep_chart(frame, axes, output, label, formatter, threshold=None, axis_labels=None
) -> "matplotlib.figure.Figure":
    """A line (one swept input) or a heatmap with labelled contours (two), with an optional threshold line;
    `axis_labels` maps the swept names to the words the axes show."""
    words = [(axis_labels or {}).get(a, a) for a in axes]
    with plt.rc_context(STYLE):
        if len(axes) == 1:
            fig, ax = _figure(1, height=3.2)
            ax.plot(frame[axes[0]], frame[output], color=BLUE)
            if threshold is not None:
                ax.axhline(threshold, color=RED, lw=1.2)
                ax.text(frame[axes[0]].iloc[0], threshold, f" {formatter(threshold)}", color=RED, va="bottom")
            ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: formatter(v)))
            ax.xaxis.set_major_formatter(_axis_formatter(frame[axes[0]]))
            ax.set(xlabel=words[0], ylabel=label, title=textwrap.fill(f"{label} against {words[0]}", 80))
            return fig
        fig, ax = _figure(1, height=4.2)
        x = np.unique(frame[axes[0]].to_numpy())
        y = np.unique(frame[axes[1]].to_numpy())
        z = frame[output].to_numpy().reshape(len(x), len(y)).T
        mesh = ax.pcolormesh(x, y, z, shading="auto", cmap="viridis")
        cbar = fig.colorbar(mesh, ax=ax, format=matplotlib.ticker.FuncFormatter(lambda v, _: formatter(v)))
        cbar.set_label(label)
        contours = ax.contour(x, y, z, levels=6, colors="white", linewidths=0.7)
        ax.clabel(contours, fmt=formatter, fontsize=7)
        if threshold is not None and z.min() < threshold < z.max():
            line = ax.contour(x, y, z, levels=[threshold], colors=RED, linewidths=2)
            ax.clabel(line, fmt=lambda v: f"{formatter(v)}", fontsize=8)
        ax.grid(False)
        ax.xaxis.set_major_formatter(_axis_formatter(frame[axes[0]]))
        ax.yaxis.set_major_formatter(_axis_formatter(frame[axes[1]]))
        ax.set(xlabel=words[0], ylabel=textwrap.fill(words[1], 40),
               title=textwrap.fill(f"{label} over {words[0]} and {words[1]}", 80))
        return fig


def statement_label(statement) -> str:
    """'6,700 containers', 'more than 1,000 containers', '1.6m rounds'."""
    parts = []
    if statement.containers is not None:
        parts.append(f"{statement.containers:,.0f} containers" + (" (all cargo)" if statement.kind == "all-cargo" else ""))
    if statement.rounds is not None:
        parts.append(f"{count(statement.rounds)} rounds")  # 1.6m, 1.25m, 100m, as people write them
    prefix = "more than " if statement.qualifier == "more than" else ""
    return prefix + " and ".join(parts)


def timeline(sim, line, resolved, threshold=THRESHOLD_SHARE) -> "matplotlib.figure.Figure":
    """Cumulative containers with the dated statements, rounds shipped over time, and revenue by calendar year
    against `threshold` of each year's economy."""
    from ..data.statements import to_days
    from ..models.calendar import CALENDAR_YEARS
    first = min(line.start_range[0], *(s.date for s in line.statements))
    last = max(line.as_of, line.statements[-1].date)
    days = np.linspace(to_days(first) - 10, to_days(last) + max(15.0, 0.04 * (to_days(last) - to_days(first))), 160)
    bands = sim.over_time(days)
    dates = np.array(days, dtype="datetime64[D]")
    as_of = np.datetime64(line.as_of)
    with plt.rc_context(STYLE):
        fig, (top, middle, bottom) = plt.subplots(3, 1, figsize=(7.0, 6.2), layout="constrained",
                                                  gridspec_kw={"height_ratios": [1.25, 1, 1]})
        c5, c50, c95 = bands["containers"]
        top.fill_between(dates, c5, c95, color=LIGHT_BLUE, label="P5 to P95")
        top.plot(dates, c50, color=BLUE, label="P50")
        labels = {top: [], middle: []}
        for s in line.statements:
            if s.containers:
                hollow = s.kind == "all-cargo"
                top.plot([np.datetime64(s.date)], [s.containers], "o", ms=5, color=GOLD if hollow else "black",
                         mfc="white" if hollow else "black")
                labels[top].append(top.annotate(f"{s.containers:,.0f}" + ("+" if s.qualifier == "more than" else ""),
                                                (np.datetime64(s.date), s.containers), xytext=LABEL_PLACES[0][0],
                                                textcoords="offset points", fontsize=6.5))
        top.set(title="Containers shipped DPRK to Russia, cumulative", ylabel="containers")
        top.yaxis.set_major_formatter(PLAIN)
        top.legend(loc="upper left", fontsize=7)
        r5, r50, r95 = bands["rounds"] / 1e6
        middle.fill_between(dates, r5, r95, color=LIGHT_BLUE)
        middle.plot(dates, r50, color=BLUE)
        for s in line.statements:
            if s.rounds:
                middle.plot([np.datetime64(s.date)], [s.rounds / 1e6], "D", ms=4, color=RED)
                labels[middle].append(middle.annotate(statement_label(s), (np.datetime64(s.date), s.rounds / 1e6),
                                                      xytext=LABEL_PLACES[0][0], textcoords="offset points",
                                                      fontsize=6.5, color=RED))
        middle.set(title=f"Rounds shipped (volume route: {resolved['volume_route']})", ylabel="million rounds")
        # headroom over the highest band or statement, for the labels above them
        top.set_ylim(0, 1.15 * max(c95.max(), *(s.containers or 0 for s in line.statements)))
        middle.set_ylim(0, 1.15 * max(r95.max(), *((s.rounds or 0) / 1e6 for s in line.statements)))
        for ax, curve in ((top, c50), (middle, r50)):
            # a month's tick per label would run the labels together on a year's axis
            ax.xaxis.set_major_locator(matplotlib.dates.AutoDateLocator(minticks=3, maxticks=7))
            ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%b %Y"))
            ax.set_xlim(dates[0], dates[-1])
            labels[ax].append(_mark_as_of(ax, as_of, line))
        _calendar_bars(bottom, sim, [y for y in CALENDAR_YEARS if sim.outputs[f"revenue_{y}_usd"].max() > 0], threshold)
        _place_labels(fig, {top: (dates, c50), middle: (dates, r50)}, labels, as_of)
    return fig


# Where a statement's label may sit around its point, in order of preference (offset points, alignment): up and
# to the left first, as a rising flow leaves that corner empty.
LABEL_PLACES = [((-4, 5), "right", "bottom"), ((4, 5), "left", "bottom"), ((4, -5), "left", "top"),
                ((-4, -5), "right", "top"), ((0, 8), "center", "bottom"), ((0, -8), "center", "top")]
AS_OF_PLACES = [((-3, 3), 0.0, "bottom"), ((-3, -3), 1.0, "top")]  # at the foot, else at the head


def _place_labels(fig, curves, labels, as_of):
    """Give each statement's label the first place where it stays in its chart's frame and clear of the legend, the
    labels placed before it, the other statements' markers, its chart's P50 curve and the as-of line; one with no
    such place is not drawn (the caption lists every statement). The as-of label (last in each chart's list) goes
    at the foot unless something is in its way there, then at the head."""
    for ax_labels in labels.values():
        for label in ax_labels[:-1]:
            label.set_in_layout(False)  # placed inside the frame below, it needs no room of the layout's
    fig.draw_without_rendering()  # lays the figure out, so the boxes below are where they will be drawn
    renderer = fig.canvas.get_renderer()
    for ax, (dates, curve) in curves.items():
        frame = ax.get_window_extent(renderer)
        line_x = ax.transData.transform((matplotlib.dates.date2num(as_of), 0))[0]
        points = ax.transData.transform(np.column_stack([matplotlib.dates.date2num(dates), curve]))
        placed = [ax.get_legend().get_window_extent(renderer)] if ax.get_legend() else []
        # the statements' dots and diamonds, a few pixels round: a label over another's marker reads as its own
        markers = np.array([ax.transData.transform(ln.get_xydata()[0]) for ln in ax.lines
                            if ln.get_marker() in ("o", "D") and len(ln.get_xdata()) == 1]).reshape(-1, 2)
        pad = 4 * fig.dpi / 72

        def covers(box, xy, margin=0.0):
            return (xy[:, 0] >= box.x0 - margin) & (xy[:, 0] <= box.x1 + margin) & (
                xy[:, 1] >= box.y0 - margin) & (xy[:, 1] <= box.y1 + margin)

        def clashes(box, strike_line=True, others=markers):
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
            struck = strike_line and box.x0 < line_x < box.x1
            return ((not inside) * 4 + sum(box.overlaps(other) for other in placed) * 2
                    + bool(np.any(covers(box, points))) + bool(np.any(covers(box, others, pad))) + struck)

        *statements, as_of_label = labels[ax]
        for label in statements:
            own = ax.transData.transform(np.array([[matplotlib.dates.date2num(label.xy[0]), label.xy[1]]]))
            others = markers[np.hypot(*(markers - own).T) > 1.0]
            best = None
            for offset, ha, va in LABEL_PLACES:
                label.set(position=offset, ha=ha, va=va)
                score = clashes(label.get_window_extent(renderer), others=others)
                if best is None or score < best[0]:
                    best = (score, offset, ha, va)
                if score == 0:
                    break
            label.set(position=best[1], ha=best[2], va=best[3])
            if best[0]:  # no clear place (counts weeks apart on an axis of years): the caption lists them all
                label.set_visible(False)
            else:
                placed.append(label.get_window_extent(renderer))
        best = None
        for offset, y, va in AS_OF_PLACES:
            as_of_label.set(position=offset, va=va)
            as_of_label.xy = (as_of_label.xy[0], y)
            score = clashes(as_of_label.get_window_extent(renderer), strike_line=False)
            if best is None or score < best[0]:
                best = (score, offset, y, va)
            if score == 0:
                break
        as_of_label.set(position=best[1], va=best[3])
        as_of_label.xy = (as_of_label.xy[0], best[2])
    # The layout stands as placed (the labels moved inside the frames, and the as-of label only up or down, change
    # no margin): the SVG's draw then does not lay the figure out again, a third of the chart's time.
    fig.set_layout_engine("none")


def _mark_as_of(ax, as_of, line):
    ax.axvline(as_of, color=RED, lw=1)
    # left of the line (it can sit at the chart's edge), a little clear of it so the line does not strike the text;
    # at the foot, which a cumulative flow leaves empty by the as-of date (_place_labels moves it where it is not)
    label = ax.annotate("as of" + (" (extrapolated)" if line.extrapolated else ""), xy=(as_of, 0.0),
                        xycoords=ax.get_xaxis_transform(), xytext=(-3, 3), textcoords="offset points", color=RED,
                        fontsize=7, va="bottom", ha="right")
    if line.extrapolated:
        ax.axvspan(np.datetime64(line.last_count.date), as_of, color="#f3f3f3", zorder=0)
    return label


def _calendar_bars(ax, sim, years, threshold):
    """Revenue by calendar year, P50 bar with P5-P95, and a tick at `threshold` of each year's economy."""
    out = sim.outputs
    x = np.arange(len(years))
    rev = np.array([np.percentile(out[f"revenue_{y}_usd"], [5, 50, 95]) for y in years]) / 1e9
    ax.bar(x, rev[:, 1], color=BLUE, width=0.5, label="revenue P50 (bar P5 to P95)")
    ax.errorbar(x, rev[:, 1], yerr=[rev[:, 1] - rev[:, 0], rev[:, 2] - rev[:, 1]], fmt="none", ecolor="black",
                capsize=3, lw=0.9)
    # 10% of each year's economy in USD: revenue / share gives the economy in USD for that draw
    economy = np.array([np.nanmedian(out[f"revenue_{y}_usd"] / np.where(out[f"share_of_economy_{y}"] > 0,
                                                                     out[f"share_of_economy_{y}"], np.nan))
                        for y in years]) / 1e9
    ax.hlines(threshold * economy, x - 0.35, x + 0.35, color=RED, lw=2, label=f"{threshold:.0%} of that year's economy")
    for i, y in enumerate(years):
        share = np.percentile(out[f"share_of_economy_{y}"], 50)
        above = np.nanmax([rev[i, 2], threshold * economy[i]])  # over the bar's whisker and the red line both
        ax.annotate(f"{100 * share:.1f}%", (i, above), xytext=(0, 4), textcoords="offset points", ha="center",
                    fontsize=7)
    ax.set_xticks(x, [str(y) for y in years])
    ax.set(title="Revenue by calendar year against 10% of that year's economy", ylabel="USD bn",
           ylim=(0, 1.45 * max(rev[:, 2].max(), threshold * np.nanmax(economy))))  # room for labels and legend
    ax.legend(loc="upper center", ncol=2, fontsize=7)
