"""imbalanced_gan.deploy.preload: what the scheduler imports for its forked task processes."""

from __future__ import annotations

import logging
import subprocess
import sys

from imbalanced_gan.deploy.preload import MODULES, preload
from tests.imbalanced_gan.test_run import environ


def test_preload_imports_the_task_modules_and_keeps_the_root_logger(tmp_path):
    # a fresh interpreter: the modules are not imported yet, the root logger is the caller's
    code = f"""
import logging, sys
handler = logging.StreamHandler(sys.stderr)
logging.getLogger().handlers[:] = [handler]
logging.getLogger().setLevel(logging.WARNING)
from imbalanced_gan.deploy.preload import preload
done = preload()
assert set(done) == set({MODULES!r}), set({MODULES!r}) - set(done)
assert all(name in sys.modules for name in done)
assert "torch" in sys.modules and "kedro.framework.project" in sys.modules
assert logging.getLogger().handlers == [handler], logging.getLogger().handlers
assert logging.getLogger().level == logging.WARNING
print("ok")
"""
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=environ(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr[-3000:]


def test_a_module_that_fails_to_import_is_logged_and_left_out(caplog):
    with caplog.at_level(logging.ERROR, logger="imbalanced_gan.deploy.preload"):
        done = preload(("json", "imbalanced_gan.no_such_module"))
    assert list(done) == ["json"]
    assert "could not import imbalanced_gan.no_such_module" in caplog.text
