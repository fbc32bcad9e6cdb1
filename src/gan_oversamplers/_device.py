"""Where samplers train: one helper resolves ``device="auto" | "cpu" | "cuda"``."""

from __future__ import annotations

import torch

__all__ = ["DEVICES", "resolve_device"]

#: The values a sampler's ``device`` parameter accepts.
DEVICES = ("auto", "cpu", "cuda")


def resolve_device(device: str | torch.device | None = "auto") -> torch.device:
    """The device a sampler trains on: ``"auto"`` (CUDA when available), ``"cpu"``, ``"cuda"``.

    Raises a ValueError naming the problem for an unknown name or an absent CUDA device.
    """
    if device is None or (isinstance(device, str) and device == "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda', got {device!r}") from exc
    if resolved.type not in ("cpu", "cuda"):
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda', got {device!r}")
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} but no CUDA device is available; use 'auto' or 'cpu'")
    return resolved
