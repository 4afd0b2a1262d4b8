"""Dated statements about the flow (data/statements.csv and a scenario's `statements:`), and the as-of date."""

import datetime as dt
import math
import re
from dataclasses import dataclass

from ..errors import ScenarioError
from ..errors import DataError
from .csvfile import read_rows

KINDS = ("munitions", "all-cargo")
QUALIFIERS = ("about", "more than")
COLUMNS = ["date", "kind", "containers", "rounds", "qualifier", "claim_id", "source", "note"]
SCENARIO_FIELDS = {"date", "kind", "containers", "rounds", "qualifier", "source", "note"}
ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The calendar-year accounts (models/calendar.CALENDAR_YEARS) end with this year.
LAST_AS_OF = dt.date(2026, 12, 31)
EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class Statement:
    """One dated, sourced statement: cumulative containers and/or rounds shipped by `date`."""

    date: dt.date
    kind: str
    containers: float | None
    rounds: float | None
    qualifier: str
    source: str
    claim_id: str = ""
    note: str = ""
    origin: str = "data/statements.csv"

    @property
    def is_start(self):
        """A zero container count marks the start of shipments."""
        return self.containers == 0

    @property
    def days(self):
        return to_days(self.date)

    def plain(self):
        """A JSON/YAML-friendly dict in the scenario format."""
        out = {"date": self.date.isoformat(), "kind": self.kind}
        for key in ("containers", "rounds"):
            value = getattr(self, key)
            if value is not None:
                out[key] = int(value) if float(value).is_integer() else value
        if self.qualifier != "about":
            out["qualifier"] = self.qualifier
        out["source"] = self.source
        return out


@dataclass(frozen=True)
class Timeline:
    """Every statement in force for a run, and the as-of date the estimates answer for."""

    statements: tuple
    as_of: dt.date
    as_of_given: bool

    @property
    def counts(self):
        """Munitions statements with a container count after the start: the points the curve runs through."""
        return tuple(s for s in self.statements if s.kind == "munitions" and s.containers)

    @property
    def starts(self):
        return tuple(s for s in self.statements if s.kind == "munitions" and s.is_start)

    @property
    def start_range(self):
        """(earliest, latest) start of shipments."""
        return self.starts[0].date, self.starts[-1].date

    @property
    def last_count(self):
        return self.counts[-1]

    @property
    def extrapolated(self):
        return self.as_of > self.last_count.date

    @property
    def days_past_last(self):
        return max(0, (self.as_of - self.last_count.date).days)


def to_days(date) -> int:
    """Days since 1970-01-01 (the models' date unit)."""
    return float((date - EPOCH).days)


def from_days(days):
    return EPOCH + dt.timedelta(days=int(round(float(days))))


def parse_date(value, file, key) -> dt.date:
    """A real ISO date (YYYY-MM-DD) from YAML (a date object) or text."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip() if isinstance(value, str) else None
    if not text or not ISO_RE.match(text):
        raise ScenarioError(file, key, f"expected a date YYYY-MM-DD, got {value!r}")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ScenarioError(file, key, f"{text!r} is not a real date; expected YYYY-MM-DD") from None


# Far beyond any count the sources give (thousands of containers, millions of rounds): a larger one is a typo.
MAX_COUNT = {"containers": 1_000_000, "rounds": 100_000_000}


def _count(value, file, key, what):
    """A whole, non-negative cumulative count of `what` (containers or rounds), or None when not given."""
    if value is None or value == "":
        return None
    from .parameters import parse_number
    number = parse_number(value, file, key, what)
    if number < 0 or not number.is_integer() or number > MAX_COUNT[what]:
        raise ScenarioError(file, key, f"expected a whole number of {what} from 0 to {MAX_COUNT[what]:,}, got {value!r}")
    return number


def _statement(fields, file, key, origin, claim_id=""):
    """A Statement from plain fields, each checked; `key` names the place for error messages."""
    date = parse_date(fields.get("date"), file, f"{key}.date")
    kind = fields.get("kind", "munitions")
    if kind not in KINDS:
        raise ScenarioError(file, f"{key}.kind", f"expected one of {', '.join(KINDS)}, got {kind!r}")
    containers = _count(fields.get("containers"), file, f"{key}.containers", "containers")
    rounds = _count(fields.get("rounds"), file, f"{key}.rounds", "rounds")
    if containers is None and rounds is None:
        raise ScenarioError(file, key, "gives neither containers nor rounds; expected one or both")
    qualifier = fields.get("qualifier") or "about"
    if qualifier not in QUALIFIERS:
        raise ScenarioError(file, f"{key}.qualifier", f"expected one of {', '.join(QUALIFIERS)}, got {qualifier!r}")
    source = fields.get("source")
    if not isinstance(source, str) or not source.strip():
        raise ScenarioError(file, f"{key}.source", f"expected the source as non-empty text, got {source!r}")
    note = fields.get("note") or ""
    return Statement(date, kind, containers, rounds, qualifier, source.strip(), claim_id, str(note), origin)


def load_statements(path, claims):
    """The dated statements in data/statements.csv, each citing a claim that states its figure."""
    statements = []
    for row in read_rows(path, COLUMNS):
        key = f"row {row.line}"
        try:
            statement = _statement({k: row.values.get(k, "").strip() for k in COLUMNS}, str(path), key,
                                   str(path), row.text("claim_id"))
        except ScenarioError as exc:
            field = exc.key.rsplit(".", 1)[-1] if exc.key and "." in exc.key else "(row)"
            raise row.error(field, exc.message) from None
        statements.append(statement)
        for field in ("date", "containers", "rounds"):
            problem = _first_disorder(statements, field)
            if problem:
                raise row.error(field, problem[1])
        claim = claims.get(statement.claim_id)
        if claim is None:
            raise row.error("claim_id", f"cites unknown claim {statement.claim_id!r}; expected an id from claims.csv")
        stated = {v for v in (statement.containers, statement.rounds) if v}
        if stated and claim.value not in stated:
            raise row.error("claim_id", f"claim {claim.id!r} states {claim.value:g}, not this row's "
                                        f"{' or '.join(f'{v:g}' for v in sorted(stated))}")
    if not any(s.is_start and s.kind == "munitions" for s in statements):
        raise DataError(path, None, "containers", "no start of shipments; expected a munitions row with 0 containers")
    if not any(s.kind == "munitions" and s.containers for s in statements):
        raise DataError(path, None, "containers", "no munitions container count; expected at least one")
    return tuple(statements)


def _first_disorder(statements, field):
    """(index, message) for the first statement out of date order, or whose count falls below an earlier
    count of its kind; None when the series is in order and cumulative."""
    if field == "date":
        for i in range(1, len(statements)):
            if statements[i].date < statements[i - 1].date:
                return i, (f"{statements[i].date} comes before {statements[i - 1].date} above it; "
                           "expected dates in order")
        return None
    for kind in KINDS:
        best = None  # the earlier statement of this kind with the largest count
        for i, s in enumerate(statements):
            value = getattr(s, field)
            if s.kind != kind or value is None:
                continue
            if best is not None and value < getattr(best, field) and s.date > best.date:
                return i, (f"{value:,.0f} {field} by {s.date} is below {getattr(best, field):,.0f} by {best.date} "
                           f"({best.source}); expected cumulative counts that never fall")
            if best is None or value > getattr(best, field):
                best = s
    return None


def scenario_statements(items, file, key="statements") -> tuple:
    """A scenario's `statements:` list as Statements (each a mapping in the scenario format)."""
    if items is None:
        return ()
    if not isinstance(items, list):
        raise ScenarioError(file, key, f"expected a list of statements, got a {type(items).__name__}")
    out = []
    for i, item in enumerate(items):
        where = f"{key}[{i}]"
        if not isinstance(item, dict):
            raise ScenarioError(file, where, f"expected a mapping with date, kind, containers or rounds, and source, "
                                             f"got {item!r}")
        for field in item:
            if field not in SCENARIO_FIELDS:
                from .parameters import did_you_mean
                raise ScenarioError(file, f"{where}.{field}", f"unknown field{did_you_mean(str(field), SCENARIO_FIELDS)}; "
                                                            f"expected {', '.join(sorted(SCENARIO_FIELDS))}")
        out.append(_statement(item, file, where, file))
    return tuple(out)


def timeline(data_statements, extra=(), as_of=None, file="scenario", key="as_of"):
    """Data and scenario statements merged (checked as one cumulative series) and the as-of date.

    Without an as-of date, the estimates answer for the date of the last munitions container count.
    """
    extra = tuple(extra)
    merged = sorted(data_statements + extra, key=lambda s: s.date)  # stable: data first on equal dates
    for field in ("containers", "rounds"):
        problem = _first_disorder(merged, field)
        if problem:
            # blame the scenario's statement: the data were checked on their own when loaded
            later = merged[problem[0]]
            culprit = later if later in extra else next(
                s for s in extra if s.kind == later.kind and s.date < later.date
                and (getattr(s, field) or 0) > getattr(later, field))
            raise ScenarioError(file, f"statements[{extra.index(culprit)}].{field}", problem[1])
    line = Timeline(tuple(merged), merged[-1].date, False)
    counts = line.counts
    if as_of is None or as_of == "":
        return Timeline(line.statements, counts[-1].date, False)
    date = parse_date(as_of, file, key)
    latest_start = line.start_range[1]
    if date <= latest_start:
        raise ScenarioError(file, key, f"{date} is not after the start of shipments ({latest_start}); "
                                       f"expected a date from {latest_start + dt.timedelta(days=1)} to {LAST_AS_OF}")
    if date > LAST_AS_OF:
        raise ScenarioError(file, key, f"{date} is past {LAST_AS_OF}, the last year the calendar accounts cover; "
                                       f"expected a date from {latest_start + dt.timedelta(days=1)} to {LAST_AS_OF}")
    return Timeline(line.statements, date, True)


def plain_list(statements) -> list[dict]:
    """Statements as plain dicts (for papermill parameters and scenario digests)."""
    return [s.plain() for s in statements]
