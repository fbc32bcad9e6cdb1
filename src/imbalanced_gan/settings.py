"""Project settings (Kedro reads this module at start-up)."""

from imbalanced_gan.atomic_save import AtomicSaveHook
from imbalanced_gan.config import ProjectConfigLoader
from imbalanced_gan.hooks import GracefulStopHook, LayoutHook, ResumeHook, ShortNodeLogHook
from imbalanced_gan.tracking import MlflowTrackingHook

# LayoutHook exports the run's env before the pipelines are first built;
# GracefulStopHook turns Ctrl-C / SIGTERM into a stop between nodes with a resume hint;
# ResumeHook prints the command that resumes a failed run on one line (and saves it);
# ShortNodeLogHook summarises the node-start line of nodes with many inputs/outputs;
# MlflowTrackingHook logs metrics and reports to MLflow (only with the [mlflow] extra).
HOOKS = (
    LayoutHook(),
    GracefulStopHook(),
    ResumeHook(),
    ShortNodeLogHook(),
    MlflowTrackingHook(),
    AtomicSaveHook(),
)

# Kedro's OmegaConfigLoader, registering its resolvers without OmegaConf 2.4's deprecation
CONFIG_LOADER_CLASS = ProjectConfigLoader
CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
    # an env's parameters overlay base key by key instead of replacing whole blocks
    "merge_strategy": {"parameters": "soft"},
}
