"""Batched vs one-at-a-time GAN-SMOTE training, FLOP/s against matmul peak, and scaling.

    python benchmarks/batched_training.py              # about 5 minutes on 2 cores
    python benchmarks/batched_training.py --quick      # smaller grid, about 1 minute
    python benchmarks/batched_training.py --whole-run  # also the whole kedro run with the
                                                       # authors' 40,000 epochs (+10 minutes)

Writes ``benchmarks/results/batched_training.json`` and ``batched_training.png``.

1. **Ratio.** The GANs of a 10-fold ``gan_smote`` run (one per minority class and fold,
   class sizes of a 90 % training part) trained one at a time, then all together, for the
   same epochs, on the Lymphography and petrographic class shapes.
2. **FLOP/s.** Matrix-product FLOPs of batched training (valid rows only, and with the
   padding) per second, against ``torch.matmul`` on 2048 x 2048 float32 matrices.
3. **Scaling.** Time per epoch and peak memory (each point in its own process) for rows
   1e2 .. 1e6 (``batch_size`` 256: an epoch is one step on 256 rows drawn per class),
   features 10 .. 1000, classes 2 .. 20; the growth exponent is a least-squares fit of
   log(time) on log(size).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

from gan_oversamplers import GAN_SMOTE_DEFAULTS, GANSMOTEGenerator, fit_generators

RESULTS = Path(__file__).parent / "results"
#: (rows of each minority class in a 90 % training part, columns) per dataset
SHAPES = {
    "lymphography": ([55, 4, 2], 59),  # malign_lymph, fibrosis, normal (metastases is largest)
    "petrographic": ([29, 33, 27], 58),  # classes 0, 1, 2 (class 3 is largest)
}


def _data(sizes: list[int], width: int, folds: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 2, size=(n, width)).astype(float) for _ in range(folds) for n in sizes]


def ratio(epochs: int, folds: int) -> dict:
    out = {}
    for name, (sizes, width) in SHAPES.items():
        data = _data(sizes, width, folds)
        start = time.perf_counter()
        for i, X in enumerate(data):
            GANSMOTEGenerator(random_state=i, epochs=epochs).fit(X)
        alone = time.perf_counter() - start
        start = time.perf_counter()
        fit_generators(
            [GANSMOTEGenerator(random_state=i, epochs=epochs) for i in range(len(data))], data
        )
        together = time.perf_counter() - start
        out[name] = {
            "gans": len(data),
            "epochs": epochs,
            "one_at_a_time_s": round(alone, 2),
            "batched_s": round(together, 2),
            "speedup": round(alone / together, 2),
            "batched_ms_per_epoch": round(1000 * together / epochs, 3),
            "authors_schedule_training_estimate_s": round(together / epochs * 40_000, 1),
        }
        print(f"ratio {name}: {out[name]}", flush=True)
    return out


def _matmul_flops(rows: int, width: int) -> int:
    """Matrix-product FLOPs of one epoch for one GAN: 4 generator + 9 discriminator passes."""
    hp = GAN_SMOTE_DEFAULTS
    g = [hp["latent_dim"], *hp["generator_dims"], width]
    d = [width + 1, *hp["discriminator_dims"], 1]
    per_row_g = sum(2 * a * b for a, b in zip(g[:-1], g[1:], strict=False))
    per_row_d = sum(2 * a * b for a, b in zip(d[:-1], d[1:], strict=False))
    return rows * (4 * per_row_g + 9 * per_row_d)


def flops(epochs: int, folds: int) -> dict:
    torch.set_num_threads(os.cpu_count() or 1)
    a = torch.randn(2048, 2048)
    torch.matmul(a, a)
    start = time.perf_counter()
    for _ in range(10):
        torch.matmul(a, a)
    peak = 10 * 2 * 2048**3 / (time.perf_counter() - start)
    out = {"matmul_peak_gflops": round(peak / 1e9, 1), "threads": torch.get_num_threads()}
    sizes, width = SHAPES["lymphography"]
    for folds_ in (folds, 4 * folds):
        data = _data(sizes, width, folds_)
        useful = sum(_matmul_flops(len(X), width) for X in data) * epochs
        padded = _matmul_flops(max(sizes), width) * len(data) * epochs
        start = time.perf_counter()
        fit_generators(
            [GANSMOTEGenerator(random_state=i, epochs=epochs) for i in range(len(data))], data
        )
        seconds = time.perf_counter() - start
        out[f"{len(data)}_gans"] = {
            "useful_gflops": round(useful / seconds / 1e9, 2),
            "padded_gflops": round(padded / seconds / 1e9, 2),
            "fraction_of_peak": round(padded / seconds / peak, 4),
        }
    print(f"flops: {out}", flush=True)
    return out


def _point(rows: int, width: int, classes: int, epochs: int) -> dict:
    """One scaling point, measured in a fresh process for an honest peak RSS."""
    code = (
        "import json,resource,time,numpy as np;"
        "from gan_oversamplers import GANSMOTEGenerator, fit_generators;"
        f"rows,width,classes,epochs={rows},{width},{classes},{epochs};"
        "rng=np.random.default_rng(0);"
        "data=[rng.integers(0,2,size=(max(rows//classes,2),width)).astype(np.float32) for _ in range(classes)];"
        "t=time.perf_counter();"
        "fit_generators([GANSMOTEGenerator(random_state=i,epochs=epochs,batch_size=256) for i in range(classes)],data);"
        "s=time.perf_counter()-t;"
        "print(json.dumps({'seconds':s,'peak_mb':resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _exponent(xs: list[float], ys: list[float]) -> float:
    return float(np.polyfit(np.log(xs), np.log(ys), 1)[0])


def scaling(epochs: int, quick: bool) -> dict:
    grids = {
        "rows": [100, 1_000, 10_000, 100_000] + ([] if quick else [1_000_000]),
        "features": [10, 100, 1000] if quick else [10, 30, 100, 300, 1000],
        "classes": [2, 5, 10, 20],
    }
    base = {"rows": 1_000, "features": 100, "classes": 2}
    out = {}
    for axis, values in grids.items():
        points = []
        for value in values:
            config = {**base, axis: value}
            result = _point(config["rows"], config["features"], config["classes"], epochs)
            points.append({axis: value, **{k: round(v, 3) for k, v in result.items()}})
            print(f"scaling {axis}={value}: {points[-1]}", flush=True)
        out[axis] = {
            "points": points,
            "time_exponent": round(_exponent(values, [p["seconds"] for p in points]), 3),
            "memory_exponent": round(_exponent(values, [p["peak_mb"] for p in points]), 3),
        }
    return out


def whole_run() -> dict:
    """``kedro run --pipeline=gan_smote`` with the authors' schedule: wall time and peak RSS."""
    project = Path(__file__).resolve().parents[1]
    command = [
        sys.executable,
        "-m",
        "kedro",
        "run",
        "--pipeline=gan_smote",
        "--params=gan_smote.schedule=authors,gan_smote.verbose=false",
    ]
    env = {**os.environ, "KEDRO_DISABLE_TELEMETRY": "1", "DO_NOT_TRACK": "true"}
    start = time.perf_counter()
    subprocess.run(command, cwd=project, env=env, check=True, capture_output=True)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    out = {
        "command": " ".join(command[2:]),
        "wall_s": round(seconds, 1),
        "peak_rss_mb": round(peak, 1),
    }
    print(f"whole run: {out}", flush=True)
    return out


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    axes_names = list(result["scaling"])
    fig, axes = plt.subplots(1, len(axes_names) + 1, figsize=(4.2 * (len(axes_names) + 1), 3.6))
    names = list(result["ratio"])
    axes[0].bar(names, [result["ratio"][n]["speedup"] for n in names])
    axes[0].set_title("batched / one-at-a-time speed-up")
    for ax, axis in zip(axes[1:], axes_names, strict=True):
        pts = result["scaling"][axis]["points"]
        ax.loglog([p[axis] for p in pts], [p["seconds"] for p in pts], "o-", label="seconds")
        ax.loglog(
            [p[axis] for p in pts], [p["peak_mb"] / 1000 for p in pts], "s--", label="peak GB"
        )
        ax.set_title(f"{axis} (time exponent {result['scaling'][axis]['time_exponent']})")
        ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--whole-run", action="store_true", help="also time the whole kedro run (authors' schedule)"
    )
    args = parser.parse_args()
    epochs = 100 if args.quick else 300
    torch.set_num_threads(1)
    # first, so that its peak RSS (RUSAGE_CHILDREN: the largest child so far) is its own
    whole = whole_run() if args.whole_run else None
    result = {
        "machine": {
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "versions": {"torch": torch.__version__, "numpy": np.__version__},
        "ratio": ratio(epochs, folds=10),
        "flops": flops(epochs, folds=10),
        "scaling": scaling(epochs=20 if args.quick else 50, quick=args.quick),
        "max_rss_mb_driver": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if whole is not None:
        result["whole_run_authors_schedule"] = whole
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "batched_training.json").write_text(json.dumps(result, indent=2))
    plot(result, RESULTS / "batched_training.png")
    print(f"written {RESULTS / 'batched_training.json'}")


if __name__ == "__main__":
    main()
