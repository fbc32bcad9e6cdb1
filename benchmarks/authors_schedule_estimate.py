"""Estimate the wall time of the authors' 40,000-epoch schedule, one GAN at a time.

Trains one GAN-SMOTE generator per class size of a fold's training part for
``--epochs`` epochs (the authors' network, SGDR and flip shapes), times it, and
extrapolates to 40,000 epochs x every (fold, class) GAN of a 10-fold run.
Writes ``benchmarks/results/authors_schedule_estimate.json``.

    python benchmarks/authors_schedule_estimate.py --epochs 2000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import torch

from gan_oversamplers import GANSMOTEGenerator

AUTHORS = GANSMOTEGenerator.AUTHORS_SCHEDULE
#: Training rows per minority class in one fold (90 % of the class), and columns.
DATASETS = {
    "lymphography": {"rows": [55, 4, 2], "columns": 59},  # malign_lymph, fibrosis, normal
    "petrographic": {"rows": [29, 33, 27], "columns": 58},  # classes 0, 1, 2 (3 is largest)
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=2000)
    parser.add_argument("--folds", type=int, default=10)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    results = {}
    for name, shape in DATASETS.items():
        seconds = []
        for rows in shape["rows"]:
            X = rng.integers(0, 2, size=(rows, shape["columns"])).astype(float)
            model = GANSMOTEGenerator(random_state=0, **{**AUTHORS, "epochs": args.epochs})
            start = time.perf_counter()
            model.fit(X)
            seconds.append(time.perf_counter() - start)
        per_epoch = [s / args.epochs for s in seconds]
        full = args.folds * sum(p * AUTHORS["epochs"] for p in per_epoch)
        results[name] = {
            "class_rows": shape["rows"],
            "ms_per_epoch": [round(1000 * p, 3) for p in per_epoch],
            "estimated_training_seconds_authors_schedule": round(full, 1),
        }
        print(
            f"{name}: ms/epoch {results[name]['ms_per_epoch']} -> {full / 60:.1f} min of GAN training"
        )
    out = {
        "epochs_measured": args.epochs,
        "folds": args.folds,
        "cpu_count": os.cpu_count(),
        "torch": torch.__version__,
        "platform": platform.platform(),
        "results": results,
    }
    path = Path(__file__).parent / "results" / "authors_schedule_estimate.json"
    path.write_text(json.dumps(out, indent=2))
    print(f"written {path}")


if __name__ == "__main__":
    main()
