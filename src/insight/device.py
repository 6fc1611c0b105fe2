"""Where compute runs, decided in one place: ``auto`` means CUDA when present, else the CPU."""

from __future__ import annotations

from typing import Literal

from insight.config import setting

Device = Literal["cpu", "cuda"]


def resolve_device(device: str = "auto") -> Device:
    """The concrete device for a request (``auto``, ``cpu`` or ``cuda``); ``INSIGHT_DEVICE`` sets the default."""
    if device == "auto":
        device = setting("INSIGHT_DEVICE")
    if device == "auto":
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    if device not in ("cpu", "cuda"):
        raise ValueError(f"unknown device '{device}': use auto, cpu or cuda")
    if device == "cuda":
        import torch

        if not torch.cuda.is_available():
            raise ValueError("device 'cuda' was asked for, but no CUDA GPU is available to torch")
    return device  # type: ignore[return-value]


def gpu_name() -> str | None:
    """Name of the first CUDA device, or None without one."""
    import torch

    return torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
