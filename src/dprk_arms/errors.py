"""Errors a user can act on: each names the file, the place in it and what was expected."""

import re

# Bounds on what one message may print: a user's 100 KB value or a 10 MB file name must not flood the terminal.
MAX_FILE_CHARS = 200
MAX_KEY_CHARS = 120
MAX_MESSAGE_CHARS = 600
MAX_LINE_CHARS = 1_000
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text, limit=MAX_MESSAGE_CHARS):
    """`text` as one bounded line: control characters (newlines too) escaped, the middle elided past `limit`."""
    text = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))
    if len(text) <= limit:
        return text
    cut = f" ...[{len(text) - limit:,} characters left out]... "
    keep = max(limit - len(cut), 2)
    return text[:keep - keep // 4] + cut + text[len(text) - keep // 4:]


class DprkArmsError(Exception):
    """Base class; the CLI prints these as one line and exits 2. Every message is one bounded line."""

    def __init__(self, message):
        super().__init__(one_line(message, MAX_LINE_CHARS))


class DataError(DprkArmsError):
    """A data file in data/ is malformed."""

    def __init__(self, file, row, field, message):
        self.file, self.row, self.field, self.message = str(file), row, field, message
        shown = one_line(field, MAX_KEY_CHARS)
        where = f"row {row}, field '{shown}'" if row is not None else f"field '{shown}'"
        super().__init__(f"{one_line(self.file, MAX_FILE_CHARS)}: {where}: {one_line(message)}")


class ScenarioError(DprkArmsError):
    """A scenario file or a parameter override is malformed."""

    def __init__(self, file, key, message):
        self.file, self.key, self.message = str(file), key, message
        where = f"key '{one_line(key, MAX_KEY_CHARS)}': " if key else ""
        super().__init__(f"{one_line(self.file, MAX_FILE_CHARS)}: {where}{one_line(message)}")
