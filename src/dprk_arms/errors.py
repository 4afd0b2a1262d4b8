"""Errors a user can act on: each names the file, the place in it and what was expected."""


class DprkArmsError(Exception):
    """Base class; the CLI prints these as one line and exits 2."""


class DataError(DprkArmsError):
    """A data file in data/ is malformed."""

    def __init__(self, file, row, field, message):
        self.file, self.row, self.field, self.message = str(file), row, field, message
        where = f"row {row}, field '{field}'" if row is not None else f"field '{field}'"
        super().__init__(f"{self.file}: {where}: {message}")


class ScenarioError(DprkArmsError):
    """A scenario file or a parameter override is malformed."""

    def __init__(self, file, key, message):
        self.file, self.key, self.message = str(file), key, message
        where = f"key '{key}': " if key else ""
        super().__init__(f"{self.file}: {where}{message}")
