"""Progress reporting as a plain callback, so library code never depends on a UI."""

from __future__ import annotations

import time
from collections.abc import Callable

ProgressFn = Callable[[float, str], None]
"""Called with a fraction done in [0, 1] and a short message."""


def silent(fraction: float, message: str) -> None:
    """A progress callback that ignores everything."""


def scale(progress: ProgressFn, start: float, end: float) -> ProgressFn:
    """A callback mapping a sub-task's [0, 1] onto [start, end] of the parent's progress."""
    return lambda fraction, message: progress(start + (end - start) * fraction, message)


def throttle(progress: ProgressFn, every_s: float = 0.5) -> ProgressFn:
    """A callback that forwards at most one update per ``every_s`` seconds (and always the final one)."""
    last = [0.0]

    def forward(fraction: float, message: str) -> None:
        now = time.monotonic()
        if fraction >= 1.0 or now - last[0] >= every_s:
            last[0] = now
            progress(fraction, message)

    return forward


def seconds_left(elapsed_s: float, fraction: float) -> float | None:
    """Time left if the rest goes as fast as the part done so far; None while too little is done to tell."""
    if fraction < 0.02 or elapsed_s < 2 or fraction >= 1:
        return None
    return elapsed_s * (1 - fraction) / fraction


def describe_time_left(elapsed_s: float, fraction: float) -> str:
    """'about 3 min left' (rounded as a person would say it), or 'estimating time left' early on."""
    if fraction >= 1:
        return "finishing"
    left = seconds_left(elapsed_s, fraction)
    if left is None:
        return "estimating time left"
    if left < 60:
        return f"about {max(5, round(left / 5) * 5):.0f} s left"
    if left < 3600:
        return f"about {round(left / 60):.0f} min left"
    return f"about {left / 3600:.1f} h left"
