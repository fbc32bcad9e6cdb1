"""Helpers to wire nodes."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial, update_wrapper
from typing import Any


def bind(func: Callable[..., Any], **kwargs: Any) -> Callable[..., Any]:
    """``functools.partial`` that keeps the function's name and docs (for kedro-viz).

    Binds the constants of one node (its split, class or method); picklable, so the
    node also runs under ``ParallelRunner``.
    """
    return update_wrapper(partial(func, **kwargs), func)
