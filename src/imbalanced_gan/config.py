"""The project's config loader: Kedro's ``OmegaConfigLoader`` without deprecation warnings.

Kedro 1.7 registers its ``globals`` and ``runtime_params`` resolvers with
``OmegaConf.register_new_resolver``, which OmegaConf 2.4 deprecates (two ``UserWarning``
per loader, on every run). This subclass registers the same resolvers through
``OmegaConf.register_resolver``, the replacement, where it exists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kedro.config import OmegaConfigLoader
from omegaconf import OmegaConf

__all__ = ["ProjectConfigLoader"]


def _register(name: str, resolver: Callable[..., Any]) -> None:
    register = getattr(OmegaConf, "register_resolver", None)
    if register is None:  # OmegaConf < 2.4
        OmegaConf.register_new_resolver(name, resolver, replace=True)
    else:
        register(name, resolver, replace=True)


class ProjectConfigLoader(OmegaConfigLoader):
    """``OmegaConfigLoader`` whose resolvers are registered with the current OmegaConf API."""

    def _register_globals_resolver(self) -> None:
        _register("globals", self._get_globals_value)

    def _register_runtime_params_resolver(self) -> None:
        _register("runtime_params", self._get_runtime_value)

    @staticmethod
    def _register_new_resolvers(resolvers: dict[str, Callable[..., Any]]) -> None:
        for name, resolver in resolvers.items():
            if not OmegaConf.has_resolver(name):
                _register(name, resolver)
