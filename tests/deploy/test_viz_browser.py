"""kedro-viz: the static site of ``kedro viz build``, rendered by real headless Chromium.

The site is built in a copy of the project with the per-class training layout (one node
per fold and class), served from 127.0.0.1 by the standard library, and opened in
Chromium (Debian package ``chromium``: ``scripts/install_chromium.sh``). Chromium is driven
through its DevTools protocol over a pipe (``--remote-debugging-pipe``), so the test waits
for the graph, which kedro-viz lays out in a web worker, in real time, not virtual time.

In CI (``CI=true``) these tests never skip. Elsewhere they skip only where Chromium is
missing and ``IMBALANCED_GAN_SKIP_BROWSER=1`` says that is expected.
"""

from __future__ import annotations

import base64
import fcntl
import functools
import json
import os
import select
import shutil
import subprocess
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.imbalanced_gan.test_run import kedro, make_project

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CLASSES = ("metastases", "malign_lymph", "fibrosis", "normal")
#: kedro-viz settings kept in localStorage: no "new feature" pop-ups over the graph.
QUIET = "localStorage.setItem('KedroViz', JSON.stringify({showFeatureHints: false}))"
FLOWCHART = ".pipeline-flowchart__nodes [data-node-fullname]"


def chromium_binary() -> str:
    found = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if found:
        return found
    message = "Chromium is not installed: run scripts/install_chromium.sh"
    if os.environ.get("CI", "").lower() != "true" and os.environ.get("IMBALANCED_GAN_SKIP_BROWSER"):
        pytest.skip(message)
    pytest.fail(message + " (or set IMBALANCED_GAN_SKIP_BROWSER=1 outside CI to skip)")


class Chromium:
    """Headless Chromium driven by the DevTools protocol on fds 3 and 4."""

    def __init__(self, binary: str, profile: Path, size: tuple[int, int] = (1600, 1000)):
        to_chrome, self._commands = os.pipe()
        self._replies, from_chrome = os.pipe()
        # above fd 4, so that placing them on 3 and 4 in the child cannot clobber each other
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_chrome, from_chrome)]

        def on_fds_3_and_4() -> None:
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        self.process = subprocess.Popen(
            [
                binary,
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={size[0]},{size[1]}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            preexec_fn=on_fds_3_and_4,
            pass_fds=(3, 4),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for fd in (to_chrome, from_chrome, *high):
            os.close(fd)
        self._buffer, self._id = b"", 0
        page = next(t for t in self.send("Target.getTargets")["targetInfos"] if t["type"] == "page")
        self.session = self.send("Target.attachToTarget", targetId=page["targetId"], flatten=True)[
            "sessionId"
        ]
        self.send("Page.enable", self.session)
        self.send("Page.addScriptToEvaluateOnNewDocument", self.session, source=QUIET)

    def send(self, method: str, session: str | None = None, **params: Any) -> dict:
        self._id += 1
        message = {"id": self._id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read(timeout=60)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]

    def _read(self, timeout: float) -> dict:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._replies], [], [], timeout)
            if not ready:
                raise TimeoutError("Chromium sent no DevTools reply")
            chunk = os.read(self._replies, 1 << 20)
            if not chunk:
                raise EOFError("Chromium closed its DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def evaluate(self, expression: str) -> Any:
        result = self.send(
            "Runtime.evaluate", self.session, expression=expression, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, url: str) -> None:
        self.send("Page.navigate", self.session, url=url)

    def wait_for(self, expression: str, timeout: float = 90) -> Any:
        """Poll a JavaScript expression until it is truthy (real time: layout is async)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.5)
        raise TimeoutError(f"Not true after {timeout} s: {expression}")

    def screenshot(self, path: Path) -> Path:
        data = self.send("Page.captureScreenshot", self.session, format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        try:
            self.send("Browser.close")
            self.process.wait(timeout=15)
        except Exception:  # noqa: BLE001 - make sure it goes away whatever happened
            self.process.kill()
            self.process.wait()
        finally:
            os.close(self._commands)
            os.close(self._replies)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """``kedro viz build`` of a project copy laid out with ``gan_smote.training: per_class``."""
    project = make_project(tmp_path_factory.mktemp("viz"))
    env = project / "conf" / "viz"
    env.mkdir()
    # the default benchmark grid (4,000 nodes) would outlast kedro-viz's build limit
    (env / "parameters.yml").write_text("gan_smote:\n  training: per_class\n")
    (env / "parameters_benchmark.yml").write_text(
        "benchmark:\n  datasets: [lymphography]\n  methods: [no_oversampling, smote]\n"
        "  classifiers: [tree_depth3]\n"
    )
    # kedro viz build has no --env: KEDRO_ENV selects the env, for the layout and the session
    kedro(project, "viz", "build", env={"KEDRO_ENV": "viz"})
    return project / "build"


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture
def browser(tmp_path):
    chrome = Chromium(chromium_binary(), tmp_path / "profile")
    yield chrome
    chrome.close()


def test_build_holds_one_training_node_per_fold_and_class(site):
    graph = json.loads((site / "api" / "pipelines" / "gan_smote").read_text())
    tasks = {
        (n["name"], tuple(n["modular_pipelines"])) for n in graph["nodes"] if n["type"] == "task"
    }
    for fold in ("fold_00", "fold_09"):
        for label in CLASSES:
            assert (f"train_generator_{label}", (f"lymphography.gan_smote.{fold}",)) in tasks
    # the catalog's layers have no cycle, so kedro-viz shows them (it drops them all otherwise)
    assert graph["layers"][:3] == ["raw", "intermediate", "primary"]
    assert graph["layers"].index("generators") < graph["layers"].index("model_input")


def test_rendered_page_shows_a_fold_with_its_per_class_training_nodes(server, browser, tmp_path):
    # every namespace expanded, shown for the nodes tagged fold_03 (the whole graph is large)
    browser.open(f"{server}/?pid=gan_smote&expandAllPipelines=true&tags=fold_03")
    shown = browser.wait_for(
        f"(() => {{ const n = [...document.querySelectorAll('{FLOWCHART}')]"
        ".map(e => e.getAttribute('data-node-fullname'));"
        " return n.includes('train_generator_metastases') && n; })()"
    )
    for label in CLASSES:
        assert f"train_generator_{label}" in shown
        assert f"lymphography.fold_03.gan_smote.generator_{label}" in shown
    for name in ("encode_fold", "top_up", "decode_synthetic_rows", "train_classifier"):
        assert name in shown
    assert "lymphography.fold_03.smote.metrics" in shown
    assert not [n for n in shown if "fold_04" in n]  # the tag filter left the other folds out

    html = browser.evaluate("document.documentElement.outerHTML")
    assert 'title="lymphography.gan_smote.fold_03"' in html  # collapsible namespace in the tree
    layers = browser.evaluate(
        "[...document.querySelectorAll('.pipeline-layer-name')].map(e => e.textContent)"
    )
    assert layers[:4] == ["intermediate", "primary", "feature", "generators"]

    time.sleep(1.5)  # let the zoom-to-fit transition finish before the picture
    shot = browser.screenshot(tmp_path / "kedro-viz-gan-smote.png")
    assert_is_a_drawing(shot)
    if os.environ.get("IMBALANCED_GAN_SAVE_SCREENSHOT"):
        shutil.copy(shot, os.environ["IMBALANCED_GAN_SAVE_SCREENSHOT"])


def test_dump_dom_shows_the_collapsed_pipeline(server, tmp_path):
    """The one-shot command line (no DevTools): --dump-dom and --screenshot."""
    binary = chromium_binary()
    url = f"{server}/?pid=gan_smote"
    common = [binary, *FLAGS, "--window-size=1600,1000", "--virtual-time-budget=15000"]
    dom = subprocess.run(
        [*common, f"--user-data-dir={tmp_path / 'a'}", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    # collapsed: the dataset's namespace is one node; its outputs stay outside it
    assert 'data-node-fullname="lymphography"' in dom
    assert 'data-node-fullname="lymphography.report_markdown"' in dom
    assert 'data-node-fullname="train_generator_metastases"' not in dom  # inside, collapsed
    subprocess.run(
        [
            *common,
            f"--user-data-dir={tmp_path / 'b'}",
            f"--screenshot={tmp_path / 'shot.png'}",
            url,
        ],
        capture_output=True,
        timeout=120,
        check=True,
        cwd=tmp_path,
    )
    assert_is_a_drawing(tmp_path / "shot.png")


def assert_is_a_drawing(path: Path) -> None:
    """A PNG of the window's size that is not one flat colour."""
    from matplotlib.image import imread

    pixels = imread(path)
    assert pixels.shape[1] == 1600, pixels.shape
    assert len(np.unique(pixels.reshape(-1, pixels.shape[-1])[::97], axis=0)) > 20
