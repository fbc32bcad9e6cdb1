"""Project settings (Kedro reads this module at start-up)."""

from imbalanced_gan.hooks import GracefulStopHook, LayoutHook

# LayoutHook exports the run's env before the pipelines are first built;
# GracefulStopHook turns Ctrl-C / SIGTERM into a stop between nodes with a resume hint.
HOOKS = (LayoutHook(), GracefulStopHook())

CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
    # an env's parameters overlay base key by key instead of replacing whole blocks
    "merge_strategy": {"parameters": "soft"},
}
