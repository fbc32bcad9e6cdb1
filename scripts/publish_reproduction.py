"""Write docs/reproduction.md from the newest versioned outputs of the reproduction runs.

    python scripts/publish_reproduction.py [--benchmark-versions V1 V2 ...]
        [--paper000-epochs 200]

Collects, newest version of each:
- ``data/08_reporting/benchmark/reproduction.md`` (``kedro run --pipeline=benchmark``),
- ``data/08_reporting/petrographic/report.md`` (``kedro run --pipeline=gan_smote --env
  petrographic``: paper 000's own protocol),
- ``benchmarks/results/image_reproduction_mnist_5k.md`` and ``..._fashion_mnist.md``
  (``python benchmarks/image_reproduction.py``),

and names the version each part comes from, so every number can be traced to its run.
A part that was never run is listed as such; nothing is invented. The page records the
commit, the configuration of each run (its ``run_manifest.json``) and the package versions,
and no machine path: :func:`scrub` replaces absolute paths in the collected texts.

For paper 000, beside the honest figures of the petrographic run, the page gives paper
000's own protocol on the same folds and topped-up training parts ("mean of the maximum
accuracy scores": the best epoch chosen on the test fold;
:mod:`imbalanced_gan.evaluation.paper_protocols`), labelled as optimistic.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Packages whose versions the page records.
PACKAGES = ("kedro", "torch", "scikit-learn", "imbalanced-learn", "numpy", "pandas", "scipy")

#: Paper 000, Table 1: accuracy (%) mean ± std, 10-fold CV, 1 x 100 network.
PAPER000_TABLE1 = {
    "gan_smote": "69.29 ± 12.16",
    "smote": "68.57 ± 11.76",
    "no_oversampling": "68.57 ± 15.13",
    "random_oversampling": "67.86 ± 12.26",
}

_SITE_PACKAGES = re.compile(
    r"(?:[A-Za-z]:)?(?:[\\/][^\s\\/()'\"`,;]+)+[\\/](?:site|dist)-packages[\\/]"
)
_ABSOLUTE = re.compile(
    r"(?<![\w.])/(?:home|Users|work|tmp|root|mnt|var|opt|srv)(?:/[^\s/()'\"`,;]+)+"
)


def scrub(text: str, root: Path = ROOT) -> str:
    """``text`` without absolute machine paths.

    An installed package's path becomes ``<site-packages>/...``; a path inside the project
    becomes relative to it; any other absolute path under a home, work or temporary
    folder becomes ``<local>/<file name>``.
    """
    text = _SITE_PACKAGES.sub("<site-packages>/", text)
    text = text.replace(f"{root.resolve()}/", "").replace(str(root.resolve()), ".")
    return _ABSOLUTE.sub(lambda m: "<local>/" + m.group(0).rstrip("/").rsplit("/", 1)[-1], text)


def provenance() -> list[str]:
    """Commit, Python and package versions, as Markdown lines."""
    from imbalanced_gan.pipelines.reporting.nodes import code_commit  # the runs' own record

    found = code_commit()
    commit = (
        "unknown (not a git checkout)"
        if found is None
        else found.replace("+dirty", " (with uncommitted changes)")
    )
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    return [
        f"Page generated from commit `{commit}`. Python {sys.version.split()[0]} on {platform.system()}; "
        + ", ".join(versions)
        + ".",
    ]


def newest(versioned: Path) -> tuple[str, str] | None:
    """(version, text) of the newest version of a Kedro versioned file, if any."""
    if not versioned.exists():
        return None
    versions = sorted(p.name for p in versioned.iterdir() if (p / versioned.name).exists())
    if not versions:
        return None
    return versions[-1], (versioned / versions[-1] / versioned.name).read_text()


def pick(versioned: Path, version: str | None) -> tuple[str, str] | None:
    """(version, text) of ``version`` of a versioned file, or of its newest version."""
    if version is None:
        return newest(versioned)
    path = versioned / version / versioned.name
    return (version, path.read_text()) if path.exists() else None


def demote(text: str) -> str:
    """Headings one level down, so each part sits under this page's title."""
    return "\n".join("#" + line if line.startswith("#") else line for line in text.splitlines())


def section(page: Path, heading: str) -> str | None:
    """The body of ``heading``'s section of an existing page (up to the next same-level one)."""
    if not page.exists():
        return None
    text = page.read_text()
    start = text.find(heading + "\n")
    if start < 0:
        return None
    body = text[start + len(heading) + 1 :]
    level = heading.split(" ", 1)[0]
    end = body.find("\n" + level + " ")
    body = body if end < 0 else body[:end]
    lines = [line for line in body.strip("\n").splitlines() if not line.startswith("_Carried over")]
    return "\n".join(lines).strip("\n") or None


def _versioned_path(name: Path, version: str) -> Path:
    """The file of the newest version of ``name`` saved at or before ``version``.

    A run saves every output under one version; a report re-rendered later (``kedro run
    --from-nodes=...reporting...``) has a later version than the run's intermediates.
    """
    exact = name / version / name.name
    if exact.exists() or not name.is_dir():
        return exact
    earlier = sorted(
        p.name for p in name.iterdir() if p.name <= version and (p / name.name).exists()
    )
    return name / earlier[-1] / name.name if earlier else exact


def paper000_protocol(
    dataset: str, version: str, epochs: int, root: Path = ROOT, network: str = "mlp_paper000"
) -> list[str]:
    """Paper 000's "mean of the maximum accuracy" beside the honest accuracy, same run.

    Reads the run's test parts and topped-up training parts (``version``), trains paper
    000's network (``network``: the ``classifier.<network>`` settings of the run, over the
    code defaults) epoch by epoch on each split, and reports its accuracy after the last
    epoch (nothing selected) and at the best test-fold epoch (the paper's protocol).
    """
    import pandas as pd

    from imbalanced_gan.evaluation.paper_protocols import accuracy_per_epoch, max_over_epochs
    from imbalanced_gan.params import ClassifierParams
    from imbalanced_gan.pipelines.classification.nodes import classifier_seed, mlp_settings

    reporting = root / "data/08_reporting" / dataset
    manifest_path = _versioned_path(reporting / "run_manifest.json", version)
    metrics_path = _versioned_path(reporting / "fold_metrics.csv", version)
    if not (manifest_path.exists() and metrics_path.exists()):
        return [f"Paper 000's protocol: run `{version}` has no manifest or fold metrics here.", ""]
    manifest = json.loads(manifest_path.read_text())
    run_classifier = manifest["classifier"]
    mlp = mlp_settings(ClassifierParams(name=network, **{network: run_classifier.get(network, {})}))
    target = manifest["dataset"]["target"]
    metrics = pd.read_csv(metrics_path)
    accuracy = metrics[metrics["metric"] == "accuracy"]
    rows = []
    for method, part in accuracy.groupby("method", sort=False):
        curves = {}
        for split in sorted(part["split"]):
            base = root / "data/05_model_input" / dataset / split
            train_path = _versioned_path(base / method / "train_topped_up.parquet", version)
            test_path = _versioned_path(base / "test_encoded.parquet", version)
            if not (train_path.exists() and test_path.exists()):
                continue
            train, test = pd.read_parquet(train_path), pd.read_parquet(test_path)
            X = train.drop(columns=[target, "is_synthetic"]).to_numpy(float)
            Xt = test.drop(columns=[target]).to_numpy(float)
            seed = classifier_seed(manifest["seed"], split)
            curves[split] = accuracy_per_epoch(
                X, train[target].astype(str), Xt, test[target].astype(str), mlp, seed, epochs
            )
        if not curves:
            continue
        summary = max_over_epochs(curves)
        values = 100 * part["value"]
        rows.append(
            f"| {method} | {PAPER000_TABLE1.get(method, 'n/a')} | "
            f"{values.mean():.2f} ± {values.std(ddof=1):.2f} | "
            f"{100 * summary['mean_last_epoch']:.2f} | "
            f"{100 * summary['mean_of_max']:.2f} ± {100 * summary['std_of_max']:.2f} | "
            f"{summary['median_best_epoch']:g} | {summary['n_splits']} |"
        )
    if not rows:
        return [f"Paper 000's protocol: the intermediates of run `{version}` are not here.", ""]
    return [
        "### Paper 000's Table 1 protocol beside the honest figures (same run, same folds)",
        "",
        f"Honest: the run's classifier (`{run_classifier.get('name')}`) trained once per "
        "split, nothing chosen on the test part. Paper 000's network "
        f"(`{network}`: 1 x 100, SGD, minibatches of 16) trained {epochs} epochs, one "
        "`partial_fit` per epoch, on the same topped-up training parts: its test accuracy "
        "after the last epoch (nothing chosen), and **paper 000's protocol** (\"the mean of "
        'the maximum accuracy scores": the best epoch of each test fold). The latter '
        "selects on the test data, so it is **optimistic** and no evidence that a method "
        "helps.",
        "",
        "| method | paper Table 1 (%) | ours, honest (%) | paper's network, last epoch (%) "
        "| paper's protocol: best test-fold epoch (%) | median best epoch | splits |",
        "|---|---|---|---|---|---|---|",
        *rows,
        "",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--benchmark-versions",
        nargs="*",
        help="versions of benchmark/reproduction.md to include (default: the newest)",
    )
    parser.add_argument(
        "--paper000-epochs",
        type=int,
        default=200,
        help="epochs of paper 000's max-over-epochs protocol (0: leave it out)",
    )
    args = parser.parse_args()
    parts = [
        "# Reproduction: the papers' claims beside our measurements",
        "",
        "Generated by `python scripts/publish_reproduction.py` from the newest versioned outputs",
        "of the runs named in each section. Our numbers are means ± sample std over",
        "cross-validation folds (and repeats), not one split; they are reported whichever way",
        "they fall. To regenerate every part: `kedro run --pipeline=gan_smote --env",
        "petrographic`, `kedro run --pipeline=benchmark` (or `--env benchmark_full`),",
        "`python benchmarks/image_reproduction.py --dataset mnist_5k` (and `fashion_mnist`),",
        "then `python scripts/publish_reproduction.py` (paper 000's protocol retrains 100",
        "networks for 200 epochs: about 3 CPU-minutes).",
        "",
        *provenance(),
        "",
    ]
    petro = newest(ROOT / "data/08_reporting/petrographic/report.md")
    parts += ["## Paper 000 (GAN-SMOTE) on its own data", ""]
    if petro:
        manifest_path = _versioned_path(
            ROOT / "data/08_reporting/petrographic/run_manifest.json", petro[0]
        )
        manifest = (
            (manifest_path.parent.name, manifest_path.read_text())
            if manifest_path.exists()
            else None
        )
        parts += [
            f"`kedro run --pipeline=gan_smote --env petrographic`, version `{petro[0]}`; the",
            "paper's Table 1: GAN-SMOTE 69.29 ± 12.16, SMOTE 68.57 ± 11.76, original",
            "68.57 ± 15.13, random over-sampling 67.86 ± 12.26 (accuracy, %).",
            "",
        ]
        if manifest:
            config = json.loads(manifest[1])
            parts += [
                "Code of the run: "
                + (
                    f"commit `{config['commit']}`"
                    if config.get("commit")
                    else "commit not recorded (its manifest predates the field)"
                )
                + f". Configuration (its `run_manifest.json`, version `{manifest[0]}`): seed "
                f"{config.get('seed')}, folds {config.get('folds')}, classifier "
                f"{config.get('classifier')}, GAN-SMOTE schedule "
                f"`{config.get('gan_smote', {}).get('schedule')}`.",
                "",
            ]
        if args.paper000_epochs > 0:
            parts += paper000_protocol("petrographic", petro[0], args.paper000_epochs)
        parts += [demote(demote(petro[1])), ""]
    else:
        parts += ["Not run on this machine (needs `../shared/data/petrographic`).", ""]
    heading = "## Papers 000, 001 and 002 in the benchmark's folds"
    parts += [heading, ""]
    runs = args.benchmark_versions or [None]
    previous = section(ROOT / "docs" / "reproduction.md", heading)
    for version in runs:
        bench = pick(ROOT / "data/08_reporting/benchmark/reproduction.md", version)
        if bench is None and previous and version is None:
            parts += [
                "_Carried over from the previous generation of this page: no benchmark run "
                "is on this machine (its version is named below). These figures come from the "
                "code of that run, not of the commit above: until the benchmark is run again, "
                "they predate the changes since (classifier selection on real held-out rows, "
                "per-split classifier seeds, one problem per dataset)._",
                "",
                previous,
                "",
            ]
            continue
        if bench is None:
            parts += [f"Benchmark version {version or '(newest)'} not found here.", ""]
            continue
        parts += [f"### `kedro run --pipeline=benchmark`, version `{bench[0]}`", ""]
        body = bench[1].split("\n", 1)[1] if bench[1].startswith("# ") else bench[1]
        parts += [demote(demote(body)), ""]
    parts += ["## Paper 003 (DeepSMOTE), Table II", ""]
    for name in ("mnist_5k", "fashion_mnist"):
        path = ROOT / f"benchmarks/results/image_reproduction_{name}.md"
        if path.exists():
            record = json.loads(path.with_suffix(".json").read_text())
            epochs = {
                method: spec.get("epochs")
                for method, spec in record["params"]["samplers"].items()
                if isinstance(spec, dict) and "epochs" in spec
            }
            parts += [
                f"`python benchmarks/image_reproduction.py --dataset {name}`: "
                f"{record['total_seconds']:.0f} s; imbalance scale "
                f"{record['profile'].get('scale')}; sampler epochs {epochs}; classifier "
                f"{record['params']['classifier']['architecture']}, "
                f"{record['params']['classifier']['epochs']} epochs.",
                "",
                demote(demote(path.read_text())),
                "",
            ]
        else:
            parts += [
                f"`{name}`: not run yet (`python benchmarks/image_reproduction.py "
                f"--dataset {name}`).",
                "",
            ]
    (ROOT / "docs" / "reproduction.md").write_text(scrub("\n".join(parts)) + "\n")
    print("wrote docs/reproduction.md")  # noqa: T201


if __name__ == "__main__":
    main()
