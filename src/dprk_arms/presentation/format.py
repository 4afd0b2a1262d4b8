"""Human-readable numbers with their units ($3.0bn, 10.5%, 1.6m rounds)."""

import math


def money(value, symbol="$") -> str:
    """$1.2bn, $450m, $3,000 (and ₩ for KRW, in trillions)."""
    if not math.isfinite(value):
        return "n/a"
    if symbol == "₩" and abs(value) >= 1e12:
        return f"₩{value / 1e12:,.1f}tn"
    for scale, suffix in ((1e12, "tn"), (1e9, "bn"), (1e6, "m")):
        if abs(value) >= scale:
            return f"{symbol}{value / scale:,.{1 if abs(value) < 100 * scale else 0}f}{suffix}"
    return f"{symbol}{value:,.0f}"


def count(value) -> str:
    """1.6m, 448, 9,100."""
    if not math.isfinite(value):
        return "n/a"
    if abs(value) >= 1e5:
        return f"{value / 1e6:,.2f}".rstrip("0").rstrip(".") + "m"  # 1.6m, 1.25m, 3m: as people write them
    return f"{value:,.0f}"


def percent(value) -> str:
    if not math.isfinite(value):
        return "n/a"
    return f"{100 * value:.{1 if abs(value) < 10 else 0}f}%"


def value(x, unit) -> str:
    """Format `x` for its unit."""
    if unit in ("USD", "USD/year", "USD/round"):
        text = money(x)
        return text + ("/yr" if unit == "USD/year" else "")
    if unit == "KRW":
        return money(x, "₩")
    if unit == "fraction":
        return percent(x)
    if unit == "ratio":
        return f"{x:,.2f}x" if abs(x) < 100 else f"{x:,.0f}x"
    if unit in ("days", "months"):
        return f"{x:,.1f} {unit}" if abs(x) < 10 else f"{x:,.0f} {unit}"
    if unit in ("rounds", "containers", "rounds/container", "rounds/day", "rounds/year"):
        return count(x)
    return f"{x:,.4g}"


def interval(row) -> str:
    """'P50 (P5 to P95)' for a summary row with a unit; just the value when the range is one number."""
    lo, mid, hi = (value(row[k], row["unit"]) for k in ("p5", "p50", "p95"))
    if lo == hi:
        return mid
    return f"{value(row['p50'], row['unit'])} ({value(row['p5'], row['unit'])} to {value(row['p95'], row['unit'])})"


def no_math(markup) -> str:
    """HTML that JupyterLab's MathJax leaves alone, so "$2.3bn ($1.2bn to $4.4bn)" is not typeset as maths.

    MathJax 3 (JupyterLab) skips elements of class mathjax_ignore; MathJax 2 (classic notebook) tex2jax_ignore.
    """
    return f'<div class="mathjax_ignore tex2jax_ignore">{markup}</div>'


def parameter_labels(catalog) -> dict[str, str]:
    """Each parameter in words with its unit, e.g. 'Realised price per 152mm round (USD/round)', for axes
    and controls in place of its code name."""
    return {name: f"{p.description} ({p.unit})" for name, p in catalog.parameters.items()}


def as_of_text(iso) -> str:
    """'2023-11-01' as '1 November 2023', '2024-01' as 'January 2024', a year as itself."""
    import datetime as dt
    parts = str(iso).split("-")
    if len(parts) == 3:
        date = dt.date.fromisoformat(str(iso))
        return f"{date.day} {date:%B %Y}"
    if len(parts) == 2:
        return f"{dt.date(int(parts[0]), int(parts[1]), 1):%B %Y}"
    return str(iso)
