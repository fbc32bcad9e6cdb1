"""Project hooks: keep the pipeline layout in step with the run's env."""

from __future__ import annotations

import os
from dataclasses import asdict, is_dataclass
from typing import Any

from kedro.framework.hooks import hook_impl

from imbalanced_gan import layout as layout_module

#: Layout the registered pipelines were built from (set by the pipeline registry).
REGISTERED: dict[str, Any] = {}


class LayoutHook:
    """Make ``kedro run --env X`` lay pipelines out from ``conf/X`` too.

    ``kedro run --env`` does not export ``KEDRO_ENV``; this hook does, before the
    pipelines are first built, and fails fast if they were built from another env.
    """

    @hook_impl
    def after_context_created(self, context: Any) -> None:
        if context.env:
            os.environ["KEDRO_ENV"] = context.env

    @hook_impl
    def before_pipeline_run(self, run_params: dict[str, Any], pipeline: Any, catalog: Any) -> None:
        built = REGISTERED.get("layout")
        if built is None:
            return
        params = {}
        for key in ("dataset", "folds", "gan_smote"):
            value = catalog.load(f"params:{key}")
            params[key] = asdict(value) if is_dataclass(value) else value
        wanted = layout_module.layout_from_params(
            params,
            layout_module.active_env(run_params.get("env")),
        )
        if (
            wanted.dataset,
            wanted.classes,
            wanted.n_splits,
            wanted.n_repeats,
            wanted.baselines,
        ) != (built.dataset, built.classes, built.n_splits, built.n_repeats, built.baselines):
            raise RuntimeError(
                f"The pipelines were laid out for {built} but this run's parameters "
                f"ask for {wanted}. Set the env before Kedro starts: "
                f"KEDRO_ENV={wanted.env} kedro run ..."
            )
