"""HTML tables for the briefs: output summaries, the assumptions behind them, and provenance."""

import html

from ..data.distributions import Distribution
from ..models.evaluate import OUTPUTS
from . import format as fmt


MOST_LIKELY = "At most likely inputs"
MOST_LIKELY_NOTE = (f"{MOST_LIKELY}: the models evaluated once with every input at its most likely (central) value. "
                    "It differs from the P50, the middle of all the draws, where inputs are skewed or combine "
                    "non-linearly (a product of two right-skewed inputs has a median above the product of their "
                    "central values).")


def html_table(header, rows, css_class) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{css_class}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def summary_html(summary, question=None) -> str:
    """Central, P5, P50, P95 of each output (optionally one question's outputs only)."""
    names = [o.name for o in OUTPUTS if question in (None, o.question) and o.name in summary.index]
    rows = []
    for name in names:
        row = summary.loc[name]
        cells = [fmt.value(row[c], row["unit"]) for c in ("central", "p5", "p50", "p95")]
        rows.append([html.escape(row["label"])] + [html.escape(c) for c in cells])
    return html_table(["Output", MOST_LIKELY, "P5", "P50", "P95"], rows, "summary")


def assumptions_rows(catalog, resolved, set_by_scenario) -> list[dict]:
    """One record per parameter: value used, whether the scenario set it, and its sources' quotes."""
    records = []
    for name, param in catalog.parameters.items():
        spec = resolved[name]
        value = spec.describe() if isinstance(spec, Distribution) else str(spec)
        quotes = []
        for claim in catalog.claims_for(name):
            source = catalog.sources[claim.source_id]
            quote = claim.quote if claim.quote[0] in "\"“" else f"“{claim.quote}”"
            text = f"{quote} ({source.publisher}, {source.date})"
            if len(quotes) < 2 and not any(q.startswith(quote) for q in quotes):  # two claims can share words
                quotes.append(text)
        records.append({
            "parameter": name, "unit": param.unit, "value": value, "set_by_scenario": name in set_by_scenario,
            "assumption": param.assumption, "rationale": param.rationale, "quotes": quotes,
        })
    return records


def assumptions_html(records) -> str:
    rows = []
    for r in records:
        flags = []
        if r["set_by_scenario"]:
            flags.append('<span class="flag set">set by scenario</span>')
        if r["assumption"]:
            flags.append('<span class="flag assumption">assumption</span>')
        quotes = "".join(f'<div class="quote">{html.escape(q)}</div>' for q in r["quotes"]) or \
            '<div class="quote">No source gives this figure.</div>'
        rows.append([
            f"<b>{html.escape(r['parameter'])}</b><br>{html.escape(r['unit'])} {' '.join(flags)}",
            html.escape(r["value"]),
            f"{html.escape(r['rationale'])}{quotes}",
        ])
    return html_table(["Parameter", "Value used", "Why, and the sources' words"], rows, "assumptions")


def correlations_rows(catalog, resolved, pairs, own) -> list[dict]:
    """One record per pair of inputs the draws correlate: the target rank correlation, who set it, and why."""
    defaults = {tuple(sorted((c.a, c.b))): c for c in catalog.correlations}
    set_here = {(a, b) for a, inner in (own or {}).items() for b in inner}
    records = []
    for (a, b), rho in sorted((pairs or {}).items()):
        default = defaults.get((a, b))
        inert = [n for n in (a, b) if not isinstance(resolved.get(n), Distribution) or resolved[n].is_fixed]
        if (a, b) in set_here:
            why = "Set by the scenario." + (f" The data's default, {default.rank:+.2f}: {default.rationale}"
                                            if default else "")
        else:
            why = default.rationale if default else ""
        quotes = []
        for claim_id in (default.claims if default and (a, b) not in set_here else ()):
            claim = catalog.claims[claim_id]
            quote = claim.quote if claim.quote[0] in "\"“" else f"“{claim.quote}”"
            quotes.append(f"{quote} ({catalog.sources[claim.source_id].publisher})")
        records.append({"a": a, "b": b, "rank": rho, "set_by_scenario": (a, b) in set_here, "inert": inert,
                        "rationale": why, "quotes": quotes[:1]})
    return records


def correlations_html(records) -> str:
    """The rank correlations used, each with its rationale; says so when there are none."""
    if not records:
        return '<p class="note">None: every input is drawn independently.</p>'
    rows = []
    for r in records:
        flags = ' <span class="flag set">set by scenario</span>' if r["set_by_scenario"] else ""
        inert = (f'<div class="quote">No effect here: {html.escape(" and ".join(r["inert"]))} '
                 f'{"is" if len(r["inert"]) == 1 else "are"} fixed in this scenario.</div>' if r["inert"] else "")
        quotes = "".join(f'<div class="quote">{html.escape(q)}</div>' for q in r["quotes"])
        rows.append([f"<b>{html.escape(r['a'])}</b> and <b>{html.escape(r['b'])}</b>{flags}",
                     f"{r['rank']:+.2f}", f"{html.escape(r['rationale'])}{quotes}{inert}"])
    note = ('<p class="note">Rank (Spearman) correlations, applied with a Gaussian copula: each input keeps its '
            "own distribution, and the draws reach these rank correlations.</p>")
    return html_table(["Inputs", "Rank correlation", "Why"], rows, "assumptions") + note


def key_value_html(pairs) -> str:
    rows = [[html.escape(k), f"<code>{html.escape(str(v))}</code>"] for k, v in pairs]
    return html_table(["", ""], rows, "provenance")
