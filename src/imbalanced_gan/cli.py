"""Project CLI: Kedro's ``kedro run`` with two changes users see.

Kedro loads ``<package>.cli`` and lets its commands override the built-in ones
(``kedro run`` and ``python -m imbalanced_gan`` both use this ``run``):

- ``--pipeline NAME`` stays a plain alias of ``--pipelines NAME`` (Kedro 1.x deprecates it,
  and prints a warning on every run; the project's docs use ``--pipelines``);
- a bad input or configuration (:data:`USER_ERRORS`) ends the run with its message on one
  line and exit status 1, instead of a 100-line traceback. ``IMBALANCED_GAN_TRACEBACK=1``
  shows the traceback as well.
"""

from __future__ import annotations

import os
from typing import Any

import click
from kedro.framework.cli.project import run as kedro_run

from imbalanced_gan.hooks import LayoutMismatchError, RunInterruptedError
from imbalanced_gan.pipelines.ingestion.nodes import DataValidationError
from imbalanced_gan.versions import versions_cli

__all__ = ["USER_ERRORS", "cli", "run", "user_error"]


def _user_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [
        DataValidationError,
        LayoutMismatchError,
        RunInterruptedError,
    ]
    try:
        from kedro.validation.exceptions import ParameterValidationError

        errors.append(ParameterValidationError)
    except ImportError:  # pragma: no cover - older Kedro
        pass
    return tuple(errors)


#: Errors whose message says what is wrong and how to fix it: printed without a traceback.
USER_ERRORS = _user_errors()


def user_error(exc: BaseException) -> BaseException | None:
    """The first of ``exc`` and its causes that is one of :data:`USER_ERRORS`, else None."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, USER_ERRORS):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def _pipeline_alias() -> click.Option:
    return click.Option(
        ["--pipeline", "-p"],
        type=str,
        default=None,
        help="Name of one registered pipeline to run; the same as --pipelines NAME.",
    )


def _run(pipeline: str | None = None, **kwargs: Any) -> Any:
    if pipeline:
        if kwargs.get("pipelines"):
            raise click.UsageError("Options '--pipeline' and '--pipelines' cannot be used together")
        kwargs["pipelines"] = [pipeline]
    try:
        return kedro_run.callback(pipeline=None, **kwargs)
    except Exception as exc:
        error = user_error(exc)
        if error is None or os.environ.get("IMBALANCED_GAN_TRACEBACK"):
            raise
        click.secho(f"Error ({type(error).__name__}): {error}", err=True, fg="red")
        raise SystemExit(1) from None


run = click.Command(
    name="run",
    callback=_run,
    params=[_pipeline_alias() if p.name == "pipeline" else p for p in kedro_run.params],
    help=kedro_run.help,
    context_settings=kedro_run.context_settings,
)


@click.group(name="imbalanced_gan")
def cli() -> None:
    """Project commands: ``run`` and ``versions`` (list / prune old dataset versions)."""


cli.add_command(run)
cli.add_command(versions_cli)
