"""Sources and the claims (sourced figures) taken from them."""

from dataclasses import dataclass

from .csvfile import read_rows

CONFIDENCE = {"high", "medium", "low"}
UNITS = {
    "rounds", "rounds/day", "rounds/year", "containers", "shipments", "posts", "percent",
    "USD", "KRW", "USD/round", "EUR/round", "KRW/USD", "kg", "t", "months", "days",
}
SOURCE_COLUMNS = ["id", "title", "publisher", "date", "url", "seed_file"]
CLAIM_COLUMNS = ["id", "quantity", "value", "unit", "as_of", "source_id", "quote", "confidence"]


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    publisher: str
    date: str
    url: str
    seed_file: str


@dataclass(frozen=True)
class Claim:
    id: str
    quantity: str
    value: float
    unit: str
    as_of: str
    source_id: str
    quote: str
    confidence: str


def load_sources(path):
    """Sources by id, validated."""
    sources = {}
    for row in read_rows(path, SOURCE_COLUMNS):
        sid = row.text("id")
        if sid in sources:
            raise row.error("id", f"duplicate source id {sid!r}")
        url = row.text("url")
        seed_file = row.text("seed_file", required=False)
        if not (url.startswith(("http://", "https://")) or seed_file):
            raise row.error("url", f"expected an http(s) URL (or a seed_file), got {url!r}")
        sources[sid] = Source(sid, row.text("title"), row.text("publisher"), row.date("date"), url, seed_file)
    return sources


def load_claims(path, sources):
    """Claims by id, validated against the sources."""
    claims = {}
    for row in read_rows(path, CLAIM_COLUMNS):
        cid = row.text("id")
        if cid in claims:
            raise row.error("id", f"duplicate claim id {cid!r}")
        source_id = row.text("source_id")
        if source_id not in sources:
            raise row.error("source_id", f"cites unknown source {source_id!r}; expected an id from sources.csv")
        value = row.number("value")
        if value < 0:
            raise row.error("value", f"expected a non-negative figure, got {value}")
        claims[cid] = Claim(
            cid, row.text("quantity"), value, row.choice("unit", UNITS), row.date("as_of"),
            source_id, row.text("quote"), row.choice("confidence", CONFIDENCE),
        )
    return claims
