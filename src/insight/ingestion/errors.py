"""The one error ingestion raises for input it cannot read, worded for the person who supplied it."""

from __future__ import annotations


class IngestError(Exception):
    """Input that cannot be loaded at all; the message names file, row and field where they are known."""

    def __init__(self, reason: str, *, file: str | None = None, row: int | None = None, field: str | None = None):
        self.reason, self.file, self.row, self.field = reason, file, row, field
        where = ", ".join(
            part
            for part in (
                file,
                f"row {row}" if row is not None else None,
                f"field '{field}'" if field else None,
            )
            if part
        )
        super().__init__(f"{where}: {reason}" if where else reason)
