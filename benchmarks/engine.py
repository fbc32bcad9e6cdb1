"""The GAN-SMOTE engine's speed on the CPU and on a CUDA device.

    python benchmarks/engine.py                    # CPU figures + the whole authors' run
    python benchmarks/engine.py --skip-whole-run   # CPU figures only (about 2 minutes)
    python benchmarks/engine.py --whole-run-only   # only the authors' whole run
    python benchmarks/engine.py --splits-only      # only seconds_per_split (about 5 minutes)
    python benchmarks/engine.py --device cuda --out engine_cuda.json   # GPU figures
    python benchmarks/engine.py --merge engine_cuda.json               # fold them in

Writes (merges into) ``benchmarks/results/engine.json``. Keys:

- ``cpu_ms_per_epoch_k30``: the 30 GAN-SMOTE models of a 10-fold Lymphography run
  (minority classes of 55, 4 and 2 rows x 59 binary columns per fold) trained together,
  milliseconds of wall time per epoch, on every core (``n_jobs=-1``: the engine's stacks
  in ``cpu_workers_k30`` worker processes of one thread each, what the Kedro node does);
  ``cpu_one_process_ms_per_epoch_k30``: the same in one process and thread;
  ``cpu_one_at_a_time_ms_per_epoch_k30``: the same 30 models trained one by one, one
  process; ``cpu_speedup_k30`` = one at a time / every core,
  ``cpu_one_process_speedup_k30`` = one at a time / one process;
  ``cpu_reference_ms_per_epoch_k30``: the pre-engine trainer
  (``gan_oversamplers._reference``) on the same models, measured beside them.
- ``matmul_peak_fraction``: matrix-product FLOP/s of the engine (padded shapes as
  computed) over ``torch.matmul``'s on 2048 x 2048 float32 matrices on every core.
- ``seconds_per_split``: per method, the seconds to train that method's models for one
  Lymphography-shaped benchmark split (GAN-SMOTE with the benchmark schedule of 2,000
  epochs; the other GANs with ``conf/base/parameters_samplers.yml``'s settings):
  wall seconds on the engine; ``seconds_per_split_detail``: ``engine`` (the table GANs:
  wall and process seconds, best of 2), ``one_model_trainer`` (the table GANs'
  pre-engine loop, ``_tabular_reference``, timed alternately with the engine),
  ``engine_counter_source`` (the engine with the counter-based random streams that
  are CUDA's default, timed in the same rounds), ``speedup`` and the 1-minute
  ``load_average`` around each; ``matmul_peak_fraction``: the
  engine's matrix-product FLOPs of each table GAN's fit (counted by
  ``torch.utils.flop_counter`` on a 2-epoch fit, scaled) per process second, over one
  thread's ``torch.matmul`` peak (``one_thread_matmul_peak_gflops``).
- ``whole_run_authors_schedule_s``: wall time of
  ``kedro run --pipeline=gan_smote --params=gan_smote.schedule=authors`` (``gan_smote.n_jobs``
  as in ``conf/``: every core).
- ``load_average``: the 1-minute load average before and after (the machine is shared).
- with ``--device cuda``: ``cuda_ms_per_epoch_k30`` (CUDA graph), ``cuda_eager_ms_per_epoch_k30``,
  ``cuda_gan_epochs_per_s_k3000`` (3,000 Lymphography-shaped GANs), ``device_name``,
  ``torch_version``, ``cuda_seconds_per_split`` (the table GANs of ``seconds_per_split``
  on CUDA: counter streams, CUDA graphs).

Per-epoch figures are differences between a long and a short run, so set-up, graph
capture and warm-up cancel out.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

from gan_oversamplers import GAN_SMOTE_DEFAULTS, _batched, _reference, _workers

RESULTS = Path(__file__).parent / "results" / "engine.json"
SIZES, WIDTH = [55, 4, 2], 59  # Lymphography: minority classes of a 90 % training part


def _data(folds: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [
        rng.integers(0, 2, size=(n, WIDTH)).astype(np.float32) for _ in range(folds) for n in SIZES
    ]


def _train(data, epochs, device="cpu", trainer="engine", **kw):
    """Train one stack; return (loop seconds, results)."""
    hp = {**GAN_SMOTE_DEFAULTS, "epochs": epochs}
    reals = [torch.as_tensor(x) for x in data]
    gens = [torch.Generator().manual_seed(i) for i in range(len(data))]
    binaries = [np.ones(WIDTH, bool)] * len(data)
    labels = list(range(len(data)))
    if trainer == "reference":
        start = time.perf_counter()
        out = _reference.train_stack(reals, binaries, gens, labels, hp)
        return time.perf_counter() - start, out
    if trainer == "workers":  # every core: the engine's stacks in worker processes
        jobs = _workers.effective_jobs(-1, len(data), 10**9, "cpu")
        start = time.perf_counter()
        out = _workers.train_parallel(reals, binaries, gens, labels, hp, jobs)
        return time.perf_counter() - start, out
    timings: dict[str, float] = {}
    out = _batched.train_stack(
        reals, binaries, gens, labels, hp, device=device, timings=timings, **kw
    )
    return timings["loop_s"], out


def ms_per_epoch(data, short, long, **kw) -> float:
    t_short, _ = _train(data, short, **kw)
    t_long, _ = _train(data, long, **kw)
    return 1000 * (t_long - t_short) / (long - short)


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def _matmul_flops_per_epoch(data, device_type: str) -> float:
    """FLOPs of the engine's matrix products in one epoch, padded as its buckets are."""
    hp = GAN_SMOTE_DEFAULTS
    batch = [len(x) for x in data]
    flops = 0.0
    for group in _batched.plan_buckets(batch, _batched._BUCKET_OVERHEAD_ROWS[device_type]):
        K, B = len(group), max(batch[k] for k in group)
        g = [hp["latent_dim"], *hp["generator_dims"], WIDTH]
        d = [WIDTH + 1, *hp["discriminator_dims"], 1]
        g_mac = [a * b for a, b in zip(g[:-1], g[1:], strict=True)]
        d_mac = [a * b for a, b in zip(d[:-1], d[1:], strict=True)]
        macs = 2 * B * sum(g_mac)  # generator forward, both batches
        macs += 2 * B * (2 * sum(d_mac) + sum(d_mac[1:]))  # discriminator step
        macs += B * (2 * sum(d_mac))  # discriminator pass and input gradient
        macs += B * (sum(g_mac) + sum(g_mac[1:]))  # generator backward
        flops += 2.0 * K * macs
    return flops


def _commit() -> str:
    """The commit measured (``+dirty`` when the work tree differs from it)."""
    root = Path(__file__).resolve().parents[1]

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, check=False
        ).stdout.strip()

    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "src", "benchmarks")
    return git("rev-parse", "--short", "HEAD") + ("+dirty" if dirty else "")


def matmul_peak(threads_used: int | None = None) -> float:
    """``torch.matmul`` FLOP/s on 2048 x 2048 float32 matrices (every core by default)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(threads_used or os.cpu_count() or 1)
    a = torch.randn(2048, 2048)
    torch.matmul(a, a)
    start = time.perf_counter()
    for _ in range(10):
        torch.matmul(a, a)
    peak = 10 * 2 * 2048**3 / (time.perf_counter() - start)
    torch.set_num_threads(threads)
    return peak


def _table_settings() -> dict:
    """The table GANs' settings of the benchmark grid (``conf/base/parameters_samplers.yml``)."""
    import yaml

    conf = Path(__file__).resolve().parents[1] / "conf" / "base" / "parameters_samplers.yml"
    return yaml.safe_load(conf.read_text())["samplers"]


def _split() -> tuple[np.ndarray, np.ndarray]:
    """One Lymphography-shaped training split: classes of 73, 55, 4 and 2 binary rows."""
    rng = np.random.default_rng(0)
    counts = [73, 55, 4, 2]  # 90 % of Lymphography's 81 / 61 / 4 / 2
    X = rng.integers(0, 2, size=(sum(counts), WIDTH)).astype(float)
    return X, np.repeat(np.arange(4), counts)


def cuda_table_gan_seconds(device: str = "cuda") -> dict:
    """Seconds of ``fit_resample`` of each table GAN on CUDA (counter streams, CUDA graphs),
    on the split and settings of :func:`seconds_per_split`; the second of two runs."""
    import warnings

    from gan_oversamplers.registry import TABLE_SAMPLERS

    settings, (X, y) = _table_settings(), _split()
    out = {}
    for name, cls in TABLE_SAMPLERS.items():
        kwargs = {**settings.get(name, {}), "device": device, "random_state": 0}
        for _ in range(2):  # the first pays for CUDA's context, kernels and cuBLAS
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                cls(**kwargs).fit_resample(X, y)
            if device == "cuda":
                torch.cuda.synchronize()
            out[name] = round(time.perf_counter() - start, 2)
        print(f"cuda split {name}: {out[name]} s", flush=True)
    return out


def seconds_per_split() -> tuple[dict, dict]:
    """Seconds to train each GAN method's models for one Lymphography-shaped split.

    GAN-SMOTE with the benchmark schedule (2,000 epochs); the other GANs with the
    settings of ``conf/base/parameters_samplers.yml`` (what the benchmark grid runs), each
    timed on the engine and on the one-model trainer it replaced
    (``gan_oversamplers._tabular_reference``), alternately, so that the shared machine's
    load weighs on both alike. Wall and process (CPU) seconds of ``fit_resample``.
    """
    import warnings

    from gan_oversamplers import GANSMOTE, _engine, _tabular_gan
    from gan_oversamplers.registry import TABLE_SAMPLERS

    settings, (X, y) = _table_settings(), _split()

    def timed(make, trainer: str = "engine", source: str = "generator") -> tuple[float, float]:
        _tabular_gan.TRAINER, _engine.CPU_RANDOM_SOURCE = trainer, source
        wall, cpu = time.perf_counter(), time.process_time()
        with warnings.catch_warnings():  # small classes: SMOTE's k is reduced, it says so
            warnings.simplefilter("ignore", UserWarning)
            make().fit_resample(X, y)
        _tabular_gan.TRAINER, _engine.CPU_RANDOM_SOURCE = "engine", "generator"
        return round(time.perf_counter() - wall, 2), round(time.process_time() - cpu, 2)

    out: dict = {
        "engine": {},
        "one_model_trainer": {},
        "engine_counter_source": {},
        "speedup": {},
        "load_average": {},
    }
    for key, n_jobs in (("gan_smote", -1), ("gan_smote_one_process", None)):
        out["engine"][key] = timed(
            lambda n_jobs=n_jobs: GANSMOTE(epochs=2000, device="cpu", random_state=0, n_jobs=n_jobs)
        )[0]
    for name, cls in TABLE_SAMPLERS.items():
        kwargs = {**settings.get(name, {}), "device": "cpu", "random_state": 0}

        def make(cls=cls, kwargs=kwargs):
            return cls(**kwargs)

        before = _load()
        runs = {"engine": [], "one_model_trainer": [], "engine_counter_source": []}
        for _ in range(2):
            runs["one_model_trainer"].append(timed(make, "reference"))
            runs["engine"].append(timed(make))
            runs["engine_counter_source"].append(timed(make, source="counter"))
        for key, values in runs.items():
            out[key][name] = {
                "wall_s": min(v[0] for v in values),
                "process_s": min(v[1] for v in values),
            }
        out["speedup"][name] = {
            kind: round(out["one_model_trainer"][name][kind] / out["engine"][name][kind], 2)
            for kind in ("wall_s", "process_s")
        }
        out["load_average"][name] = [before, _load()]
        print(
            f"split {name}: {out['engine'][name]} vs {out['one_model_trainer'][name]}; "
            f"counter source {out['engine_counter_source'][name]}",
            flush=True,
        )
    # how close the engine comes to one core's matrix-product peak (it runs on one thread)
    from torch.utils.flop_counter import FlopCounterMode

    peak = matmul_peak(1)
    out["one_thread_matmul_peak_gflops"] = round(peak / 1e9, 1)
    out["matmul_peak_fraction"] = {}
    for name, cls in TABLE_SAMPLERS.items():
        kwargs = {**settings.get(name, {}), "device": "cpu", "random_state": 0}
        epochs = int(kwargs.get("epochs") or cls().get_params()["epochs"])
        counter = FlopCounterMode(display=False)
        with counter, warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            cls(**{**kwargs, "epochs": 2}).fit_resample(X, y)
        flops = counter.get_total_flops() * epochs / 2  # matrix products of the whole fit
        process_s = out["engine"][name]["process_s"]
        out["matmul_peak_fraction"][name] = round(flops / process_s / peak, 3)
    flat = {
        name: value if isinstance(value, float) else value["wall_s"]
        for name, value in out["engine"].items()
    }
    return flat, out


def whole_run() -> float:
    project = Path(__file__).resolve().parents[1]
    command = [
        sys.executable, "-m", "kedro", "run", "--pipeline=gan_smote",
        "--params=gan_smote.schedule=authors,gan_smote.verbose=false",
    ]  # fmt: skip
    env = {**os.environ, "KEDRO_DISABLE_TELEMETRY": "1", "DO_NOT_TRACK": "true"}
    log = Path(os.environ.get("ENGINE_WHOLE_RUN_LOG", os.devnull))
    start = time.perf_counter()
    with log.open("w") as stream:  # ENGINE_WHOLE_RUN_LOG=path keeps the run's log
        subprocess.run(command, cwd=project, env=env, check=True, stdout=stream, stderr=stream)
    return round(time.perf_counter() - start, 1)


def cpu(skip_whole_run: bool, skip_splits: bool = False) -> dict:
    torch.set_num_threads(1)
    data = _data(10)
    out: dict = {"load_average_before": _load()}
    # the engine and the pre-engine trainer in alternating rounds, so that the shared
    # machine's load weighs on both alike; medians of the rounds
    batched, reference, process, reference_process, workers = [], [], [], [], []
    for _ in range(3):
        workers.append(ms_per_epoch(data, 50, 450, trainer="workers"))
        start = time.process_time()
        batched.append(ms_per_epoch(data, 50, 450))
        process.append(1000 * (time.process_time() - start) / 500)
        start = time.process_time()
        seconds, _ = _train(data, 30, trainer="reference")
        reference.append(1000 * seconds / 30)
        reference_process.append(1000 * (time.process_time() - start) / 30)
        print(
            f"round: engine {workers[-1]:.2f} (every core), {batched[-1]:.2f} (one process), "
            f"reference {reference[-1]:.2f} ms/epoch",
            flush=True,
        )
    out["cpu_ms_per_epoch_k30"] = round(float(np.median(workers)), 3)
    out["cpu_workers_k30"] = len(_workers.assign_stacks([len(x) for x in data], os.cpu_count()))
    out["cpu_one_process_ms_per_epoch_k30"] = round(float(np.median(batched)), 3)
    out["cpu_process_ms_per_epoch_k30"] = round(float(np.median(process)), 3)
    out["cpu_reference_ms_per_epoch_k30"] = round(float(np.median(reference)), 3)
    out["cpu_speedup_vs_reference_k30"] = round(
        out["cpu_reference_ms_per_epoch_k30"] / out["cpu_one_process_ms_per_epoch_k30"], 2
    )
    out["cpu_reference_process_ms_per_epoch_k30"] = round(float(np.median(reference_process)), 3)
    out["cpu_process_speedup_vs_reference_k30"] = round(
        out["cpu_reference_process_ms_per_epoch_k30"] / out["cpu_process_ms_per_epoch_k30"], 2
    )
    alone = sum(_train([x], 200)[0] for x in data)
    out["cpu_one_at_a_time_ms_per_epoch_k30"] = round(1000 * alone / 200, 3)
    out["cpu_speedup_k30"] = round(
        out["cpu_one_at_a_time_ms_per_epoch_k30"] / out["cpu_ms_per_epoch_k30"], 2
    )
    out["cpu_one_process_speedup_k30"] = round(
        out["cpu_one_at_a_time_ms_per_epoch_k30"] / out["cpu_one_process_ms_per_epoch_k30"], 2
    )
    print(f"one at a time: {out['cpu_one_at_a_time_ms_per_epoch_k30']} ms/epoch", flush=True)
    peak = matmul_peak()
    flops = _matmul_flops_per_epoch(data, "cpu") / (out["cpu_ms_per_epoch_k30"] / 1000)
    out["matmul_peak_gflops"] = round(peak / 1e9, 1)
    out["engine_matmul_gflops"] = round(flops / 1e9, 2)
    out["matmul_peak_fraction"] = round(flops / peak, 4)
    if not skip_splits:
        out["seconds_per_split"], out["seconds_per_split_detail"] = seconds_per_split()
        out["seconds_per_split_detail"]["measured_on_commit"] = _commit()
    if not skip_whole_run:
        before = _load()
        out["whole_run_authors_schedule_s"] = whole_run()
        out["whole_run_load_average"] = [before, _load()]
        out["whole_run_measured_on_commit"] = _commit()
        print(f"whole run: {out['whole_run_authors_schedule_s']} s", flush=True)
    out["load_average_after"] = _load()
    out["cpu_measured_on_commit"] = _commit()
    out["machine"] = {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "torch": torch.__version__,
        "threads": 1,
    }
    return out


def cuda(out_path: Path) -> dict:
    out: dict = {"device_name": torch.cuda.get_device_name(0), "torch_version": torch.__version__}

    def save() -> None:
        out_path.write_text(json.dumps(out, indent=2))

    save()
    _train(_data(10), 30, device="cuda")  # CUDA context, kernels, cuBLAS: not in the figures
    _train(_data(10), 30, device="cuda", graph=False)
    steps = [
        ("cuda_ms_per_epoch_k30", lambda: ms_per_epoch(_data(10), 200, 2200, device="cuda")),
        (
            "cuda_eager_ms_per_epoch_k30",
            lambda: ms_per_epoch(_data(10), 20, 120, device="cuda", graph=False),
        ),
        ("cuda_ms_per_epoch_k300", lambda: ms_per_epoch(_data(100), 50, 550, device="cuda")),
        ("cuda_ms_per_epoch_k3000", lambda: ms_per_epoch(_data(1000), 50, 350, device="cuda")),
    ]
    for key, measure in steps:
        try:
            out[key] = round(measure(), 4)
        except Exception as exc:  # keep what was measured; say what broke
            out[key + "_error"] = f"{type(exc).__name__}: {exc}"[:500]
        print(key, out.get(key, out.get(key + "_error")), flush=True)
        save()
    try:  # the table GANs: counter streams and CUDA graphs (never run on a GPU yet)
        out["cuda_seconds_per_split"] = cuda_table_gan_seconds()
    except Exception as exc:
        out["cuda_seconds_per_split_error"] = f"{type(exc).__name__}: {exc}"[:500]
    save()
    if "cuda_ms_per_epoch_k3000" in out:
        out["cuda_gan_epochs_per_s_k3000"] = round(3000 / (out["cuda_ms_per_epoch_k3000"] / 1000))
    try:  # the same counter stream on both devices: how far apart after training
        data = _data(1)
        _, on_cpu = _train(data, 200, random_source="counter")
        _, graphed = _train(data, 200, device="cuda")
        _, eager = _train(data, 200, device="cuda", graph=False)

        def gap(a, b, column):
            return max(
                float(np.abs(x.history[column] - y.history[column]).max())
                for x, y in zip(a, b, strict=True)
            )

        out["cuda_graph_vs_eager_max_loss_gap"] = gap(graphed, eager, "g_loss")
        out["cuda_vs_cpu_epoch0_loss_gap"] = max(
            abs(float(x.history["d_loss"][0] - y.history["d_loss"][0]))
            for x, y in zip(on_cpu, graphed, strict=True)
        )
        out["cuda_vs_cpu_last100_mean_d_loss"] = [
            [float(x.history["d_loss"][-100:].mean()), float(y.history["d_loss"][-100:].mean())]
            for x, y in zip(on_cpu, graphed, strict=True)
        ]
    except Exception as exc:
        out["cuda_consistency_error"] = f"{type(exc).__name__}: {exc}"[:500]
    save()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--skip-whole-run", action="store_true")
    parser.add_argument("--skip-splits", action="store_true", help="keep seconds_per_split")
    parser.add_argument(
        "--whole-run-only", action="store_true", help="only whole_run_authors_schedule_s"
    )
    parser.add_argument("--splits-only", action="store_true", help="only seconds_per_split")
    parser.add_argument("--out", type=Path, default=None, help="where --device cuda writes")
    parser.add_argument("--merge", type=Path, default=None, help="fold a cuda JSON in")
    args = parser.parse_args()
    current = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    if args.merge is not None:
        current.update(json.loads(args.merge.read_text()))
    elif args.splits_only:
        current["seconds_per_split"], current["seconds_per_split_detail"] = seconds_per_split()
        current["seconds_per_split_detail"]["measured_on_commit"] = _commit()
    elif args.whole_run_only:
        before = _load()
        seconds = whole_run()
        current["whole_run_authors_schedule_s"] = seconds
        current["whole_run_load_average"] = [before, _load()]
        current["whole_run_measured_on_commit"] = _commit()
        current.pop("whole_run_note", None)
        print(f"whole run: {seconds} s (load {before} -> {_load()})", flush=True)
    elif args.device == "cuda":
        print(json.dumps(cuda(args.out or Path("engine_cuda.json")), indent=2))
        return
    else:
        current.update(cpu(args.skip_whole_run, args.skip_splits))
        current.pop("cpu_note", None)  # notes written by hand for earlier runs
        if not args.skip_whole_run:
            current.pop("whole_run_note", None)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(current, indent=2) + "\n")
    print(json.dumps(current, indent=2))


if __name__ == "__main__":
    main()
