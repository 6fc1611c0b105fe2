"""Import insight's library modules on a bare GPU box that has torch and transformers but not the app's
dependencies (duckdb, streamlit ...): the ``insight`` package is then registered without running its
``__init__``, so ``insight.encode`` and ``insight.cluster`` modules load on their own.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def importable_insight() -> bool:
    """Make ``insight.*`` importable; True when the full package imported, False on a bare box."""
    try:
        import insight  # noqa: F401
    except ImportError:
        sys.path.insert(0, str(SRC))
        package = types.ModuleType("insight")
        package.__path__ = [str(SRC / "insight")]
        sys.modules["insight"] = package
        return False
    return True
