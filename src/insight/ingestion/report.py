"""The data-quality report of one ingest batch, as stored, shown in the UI and printed by the CLI."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field


@dataclass
class IngestReport:
    """What one batch read, loaded, set aside and found missing."""

    batch_id: str
    source: str
    format: str
    status: str  # loaded | already_loaded | rejected | failed
    rows_read: int = 0
    loaded: dict[str, int] = field(default_factory=dict)  # table -> rows added
    duplicates: dict[str, int] = field(default_factory=dict)  # "in file" / "already stored" -> rows
    quarantined: dict[str, int] = field(default_factory=dict)  # reason -> rows
    quarantine_examples: dict[str, str] = field(default_factory=dict)  # reason -> "file, row N, field F"
    missing: dict[str, int] = field(default_factory=dict)  # "table.field" -> rows without a value
    date_range: tuple[str | None, str | None] = (None, None)
    languages: dict[str, int] = field(default_factory=dict)
    message: str = ""
    dropped_columns: dict[str, str] = field(default_factory=dict)  # personal-data column -> why it was dropped
    orphans: dict[str, dict[str, int]] = field(default_factory=dict)  # reason -> {"rows": n, "ids": m}
    settings_file: str = ""  # where [privacy] keep_columns would keep one

    @property
    def keep_snippet(self) -> str:
        """The settings-file lines that would keep the first dropped column (empty when none was dropped)."""
        if not self.dropped_columns:
            return ""
        first = json.dumps([next(iter(self.dropped_columns))], ensure_ascii=False)
        return f"# {self.settings_file or 'insight.toml beside the store'}\n[privacy]\nkeep_columns = {first}"

    @property
    def ok(self) -> bool:
        """True when the batch loaded (quarantined rows allowed) or had been loaded before."""
        return self.status in ("loaded", "already_loaded")

    def to_dict(self) -> dict:
        """Plain JSON-ready form."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> IngestReport:
        """Rebuild a stored report."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def to_text(self) -> str:
        """Human-readable summary, a few lines long."""
        lines = [f"{self.source} ({self.format}): {self.status.replace('_', ' ')} — batch {self.batch_id}"]
        if self.message:
            lines.append(f"  {self.message}")
        if self.status == "already_loaded":
            return "\n".join(lines)
        lines.append(f"  rows read: {self.rows_read:,}")
        loaded = ", ".join(f"{table} {n:,}" for table, n in self.loaded.items() if n) or "nothing"
        lines.append(f"  loaded: {loaded}")
        dupes = ", ".join(f"{k} {n:,}" for k, n in self.duplicates.items() if n)
        if dupes:
            lines.append(f"  duplicates skipped: {dupes}")
        if self.quarantined:
            lines.append(f"  quarantined: {sum(self.quarantined.values()):,}")
            for reason, n in sorted(self.quarantined.items(), key=lambda kv: -kv[1]):
                lines.append(f"    {n:>8,}  {reason}  (first: {self.quarantine_examples.get(reason, '?')})")
        for reason, counts in self.orphans.items():
            lines.append(f"  loaded, but {counts['rows']:,} {reason} ({counts['ids']:,} distinct ids)")
        if self.dropped_columns:
            lines.append(f"  personal data not stored ({len(self.dropped_columns)} user columns):")
            for column, why in self.dropped_columns.items():
                lines.append(f"    {column}: {why}")
            lines.append("    to store one in later batches, list it in the settings file:")
            lines.extend(f"      {line}" for line in self.keep_snippet.splitlines())
        if self.missing:
            lines.append("  missing values: " + ", ".join(f"{k} {n:,}" for k, n in self.missing.items()))
        if any(self.date_range):
            lines.append(f"  date range: {self.date_range[0]} … {self.date_range[1]}")
        if self.languages:
            lines.append("  languages: " + ", ".join(f"{k} {n:,}" for k, n in self.languages.items()))
        return "\n".join(lines)
