"""Read a CSV table into rows that know their file and line, for precise error messages."""

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataError

DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(frozen=True)
class Row:
    """One CSV record; `line` is its 1-based line number in the file (the header is line 1)."""

    file: Path
    line: int
    values: dict

    def error(self, field, message):
        return DataError(self.file, self.line, field, message)

    def text(self, field, required=True):
        value = (self.values.get(field) or "").strip()
        if required and not value:
            raise self.error(field, "is empty; a value is required")
        return value

    def number(self, field, required=True):
        raw = self.text(field, required)
        if not raw:
            return None
        try:
            value = float(raw)
        except ValueError:
            raise self.error(field, f"expected a number, got {raw!r}") from None
        if not math.isfinite(value):
            raise self.error(field, f"expected a finite number, got {raw!r}")
        return value

    def choice(self, field, allowed):
        value = self.text(field)
        if value not in allowed:
            raise self.error(field, f"expected one of {', '.join(sorted(allowed))}, got {value!r}")
        return value

    def date(self, field):
        value = self.text(field)
        if not DATE_RE.match(value) or not _valid_date(value):
            raise self.error(field, f"expected a date YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
        return value


def _valid_date(value):
    parts = [int(p) for p in value.split("-")]
    if not 1900 <= parts[0] <= 2100:
        return False
    if len(parts) > 1 and not 1 <= parts[1] <= 12:
        return False
    return len(parts) < 3 or 1 <= parts[2] <= 31


def read_rows(path, required_columns):
    """Rows of a CSV file, after checking it exists, is UTF-8 (a byte-order mark is allowed) and has every
    required column; a row with fewer or more cells than the header (a truncated file) is an error."""
    path = Path(path)
    if not path.is_file():
        raise DataError(path, None, "(file)", "file not found")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(path, None, "(file)", f"cannot be read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise DataError(path, line, "(row)", f"is not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                                             "save the file as UTF-8") from None
    if text and not text.endswith(("\n", "\r")):
        line = text.count("\n") + 1
        raise DataError(path, line, "(row)", "the last line has no line ending; is the file cut short? "
                                             "(if the row is complete, end it with a newline)")
    reader = csv.DictReader(io.StringIO(text, newline=""), restval=_MISSING, strict=True)
    rows = []
    try:
        header = reader.fieldnames or []
        missing = [c for c in required_columns if c not in header]
        if missing:
            raise DataError(path, 1, missing[0], f"missing column; expected columns {', '.join(required_columns)}")
        for record in reader:
            if None in record:
                raise DataError(path, reader.line_num, "(row)", "more cells than columns")
            if _MISSING in record.values():
                raise DataError(path, reader.line_num, "(row)", f"{sum(v is not _MISSING for v in record.values())} "
                                f"cells for {len(header)} columns; is the row or the file cut short?")
            rows.append(Row(path, reader.line_num, record))
    except csv.Error as exc:
        raise DataError(path, reader.line_num or 1, "(row)", f"is not valid CSV: {exc}") from None
    return rows


# Marks a cell the row does not have (csv fills short rows with it), unlike an empty cell ("").
_MISSING = object()
