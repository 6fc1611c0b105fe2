"""The only package that holds SQL: connections, migrations and one module per table family."""

from insight.store.db import connect, data_version, transaction

__all__ = ["connect", "data_version", "transaction"]
