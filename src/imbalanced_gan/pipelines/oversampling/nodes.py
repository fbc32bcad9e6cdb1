"""Over-sampling nodes: thin calls into the ``gan_oversamplers`` library."""

from __future__ import annotations

import logging
import pickle
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gan_oversamplers import (
    Checkpoint,
    GANSMOTEGenerator,
    TableEncoder,
    TrainingDivergedError,
    TrainingInterrupted,
    concat_top_up,
    fit_generators,
    stack_memory_mb,
    top_up_counts,
)
from gan_oversamplers._random import derive_seed
from imbalanced_gan.checkpoints import TrainingStoppedError, checkpoint_for, stopped_message
from imbalanced_gan.layout import slug
from imbalanced_gan.lineage import record_rows
from imbalanced_gan.methods import get_method
from imbalanced_gan.params import (
    BaselineParams,
    DatasetParams,
    GanSmoteParams,
    SamplerParams,
    TopUpParams,
)

logger = logging.getLogger(__name__)


def split_index(split: str) -> int:
    """``"fold_03"`` -> 3."""
    return int(split.rsplit("_", 1)[1])


def _features(table: pd.DataFrame, target: str) -> list[str]:
    return [c for c in table.columns if c not in (target, "is_synthetic")]


def _topped(
    train_encoded: pd.DataFrame, target: str, synthetic: dict[Any, np.ndarray]
) -> pd.DataFrame:
    """:func:`~gan_oversamplers.concat_top_up`, stamped with the rows its sampler saw."""
    return record_rows(concat_top_up(train_encoded, target, synthetic), train_encoded)


def _class_model(
    train_encoded: pd.DataFrame,
    dataset: DatasetParams,
    top_up: TopUpParams,
    gan_smote: GanSmoteParams,
    seed: int,
    split: str,
    label: str,
) -> tuple[GANSMOTEGenerator, np.ndarray | None]:
    """The (unfitted) generator of one class in one split, and its rows if it must train.

    A class that the top-up will not grow in this split (the largest class, under the
    paper's rule) needs no generator: its model stays unfitted, and is saved as such.
    """
    labels = train_encoded[dataset.target].astype(str)
    n_new = top_up_counts(labels.to_numpy(), top_up.strategy(labels.to_numpy())).get(label, 0)
    class_index = [str(c) for c in dataset.classes].index(label)
    model = GANSMOTEGenerator(
        random_state=derive_seed(seed, split_index(split), class_index),
        label=label,
        verbose=gan_smote.verbose,
        device=gan_smote.device,
        **gan_smote.hyperparameters(),
    )
    rows = train_encoded.loc[labels == label, _features(train_encoded, dataset.target)]
    if n_new == 0 or rows.empty:
        logger.info(
            "%s: class %r needs no new rows (%d real); no GAN trained", split, label, len(rows)
        )
        return record_rows(model, []), None
    return record_rows(model, rows), rows.to_numpy(dtype=np.float64)


def train_class_generator(
    train_encoded: pd.DataFrame,
    dataset: DatasetParams,
    top_up: TopUpParams,
    gan_smote: GanSmoteParams,
    seed: int,
    *,
    split: str,
    label: str,
) -> GANSMOTEGenerator:
    """Train the GAN-SMOTE generator of one class on the training part of one split.

    Only that class's training rows are used (``gan_smote.training: per_class``).
    """
    model, X = _class_model(train_encoded, dataset, top_up, gan_smote, seed, split, label)
    if X is None:
        return model
    epochs = model.hyperparameters["epochs"]
    logger.info(
        "%s: training GAN-SMOTE for class %r on %d rows (%d epochs)", split, label, len(X), epochs
    )
    started = time.perf_counter()
    checkpoint = checkpoint_for(
        dataset.name,
        f"gan_smote_{gan_smote.schedule}_{split}_{slug(label)}",
        gan_smote.checkpoint_every_s,
    )
    model = _fit_with_restarts(model, X, gan_smote, dataset, split, checkpoint)
    last = model.history_.iloc[-1]
    elapsed = time.perf_counter() - started
    logger.info(
        "%s: class %r trained in %.1f s (%.2f ms/epoch); final d_loss %.4f, g_loss %.4f",
        split,
        label,
        elapsed,
        1000 * elapsed / epochs,
        last["d_loss"],
        last["g_loss"],
    )
    return model


def train_generators(
    dataset: DatasetParams,
    top_up: TopUpParams,
    gan_smote: GanSmoteParams,
    seed: int,
    *train_encoded: pd.DataFrame,
    splits: list[str],
) -> list[GANSMOTEGenerator]:
    """Train the generators of every class of ``splits`` together, as one vectorised model.

    Each GAN sees only its own class's training rows of its own split and draws from its
    own seed, exactly as :func:`train_class_generator` would train it
    (``gan_smote.training: per_fold`` or ``per_run``); returns the models in (split,
    class) order.
    """
    models, todo = [], []
    for split, train in zip(splits, train_encoded, strict=True):
        for label in (str(c) for c in dataset.classes):
            model, X = _class_model(train, dataset, top_up, gan_smote, seed, split, label)
            models.append(model)
            if X is not None:
                todo.append((split, model, X))
    hp = gan_smote.hyperparameters()
    epochs = int(hp["epochs"])
    groups = memory_groups([(split, X.shape) for split, _, X in todo], hp, gan_smote.max_stack_mb)
    logger.info(
        "Training %d GAN-SMOTE generators together (%d epochs)%s",
        len(todo),
        epochs,
        ""
        if len(groups) < 2
        else f", in {len(groups)} groups of whole splits (gan_smote.max_stack_mb: "
        f"{gan_smote.max_stack_mb:g})",
    )
    started = time.perf_counter()
    name = f"gan_smote_{gan_smote.schedule}_" + (
        splits[0] if len(splits) == 1 else f"{splits[0]}-{splits[-1]}"
    )
    finished: list[Any] = []
    for number, members in enumerate(groups):
        part = [todo[i] for i in members]
        group = name if len(groups) == 1 else f"{name}.group_{number:02d}_of_{len(groups):02d}"
        checkpoint = checkpoint_for(dataset.name, group, gan_smote.checkpoint_every_s)
        done = Path(checkpoint.path).with_suffix(".done.pkl")
        if _load_finished(done, part):  # trained by an interrupted run of this node
            finished.append(done)
            continue
        try:
            _fit_or_stop(
                [m for _, m, _ in part], [X for _, _, X in part], checkpoint, gan_smote.n_jobs
            )
        except TrainingDivergedError as exc:
            split, model, X = part[exc.index]
            if gan_smote.on_divergence != "restart":
                raise GeneratorTrainingError.at(exc, dataset, split) from exc
            logger.warning(
                "A GAN diverged in %s; training these generators one by one, with restarts", split
            )
            for split, model, X in part:
                _fit_with_restarts(model, X, gan_smote, dataset, split)
        if len(groups) > 1:  # an interrupted run resumes after the groups that finished
            _save_finished(done, part)
            finished.append(done)
    for path in finished:
        path.unlink(missing_ok=True)
    elapsed = time.perf_counter() - started
    logger.info(
        "%d generators trained in %.1f s (%.2f ms/epoch for all)",
        len(todo),
        elapsed,
        1000 * elapsed / epochs,
    )
    return models


def memory_groups(
    shapes: list[tuple[str, tuple[int, int]]], hyperparameters: dict[str, Any], max_mb: float
) -> list[list[int]]:
    """Indices of ``shapes`` (split, (rows, columns)) in groups of whole splits, in order.

    GANs train together while :func:`~gan_oversamplers.stack_memory_mb` of the group stays
    within ``max_mb``; a split whose GANs alone exceed it is a group of its own. Each GAN
    draws the same random numbers whichever group it is in (the engine's GANs are
    independent) and trains the same up to float rounding.
    """
    groups: list[list[int]] = []
    current: list[int] = []
    by_split: dict[str, list[int]] = {}
    for i, (split, _) in enumerate(shapes):
        by_split.setdefault(split, []).append(i)
    for members in by_split.values():
        wanted = current + members
        if current and stack_memory_mb([shapes[i][1] for i in wanted], hyperparameters) > max_mb:
            groups.append(current)
            wanted = members
        current = wanted
    if current:
        groups.append(current)
    return groups


def _group_key(part: list[tuple[str, GANSMOTEGenerator, np.ndarray]]) -> list[Any]:
    """What a finished group must match to be reused: splits, labels, seeds, rows, settings."""
    return [
        (split, str(model.label), model.random_state, X.shape, float(X.sum()),
         sorted(model.hyperparameters.items()))
        for split, model, X in part
    ]  # fmt: skip


def _save_finished(path: Path, part: list[tuple[str, GANSMOTEGenerator, np.ndarray]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        pickle.dump((_group_key(part), [model for _, model, _ in part]), file)


def _load_finished(path: Path, part: list[tuple[str, GANSMOTEGenerator, np.ndarray]]) -> bool:
    """Fill ``part``'s models from a group an interrupted run of the node finished."""
    if not path.is_file():
        return False
    with path.open("rb") as file:
        key, trained = pickle.load(file)  # noqa: S301 - the node's own file under data/
    if key != _group_key(part):
        return False
    for (_, model, _), saved in zip(part, trained, strict=True):
        model.__dict__.update(saved.__dict__)
    logger.info("%d generators trained by an earlier, interrupted run: reused", len(part))
    return True


def train_class_generator_on_schedule(
    train_encoded: pd.DataFrame,
    dataset: DatasetParams,
    top_up: TopUpParams,
    gan_smote: GanSmoteParams,
    schedule: str,
    seed: int,
    *,
    split: str,
    label: str,
) -> GANSMOTEGenerator:
    """:func:`train_class_generator` with the epoch schedule ``schedule`` of ``gan_smote``.

    An experiment instance picks its schedule by name (``gan_smote.schedule`` for
    ``gan_smote``, ``benchmark.gan_smote_schedule`` for the benchmark).
    """
    settings = replace(gan_smote, schedule=schedule)
    return train_class_generator(
        train_encoded, dataset, top_up, settings, seed, split=split, label=label
    )


def train_generators_on_schedule(
    dataset: DatasetParams,
    top_up: TopUpParams,
    gan_smote: GanSmoteParams,
    schedule: str,
    seed: int,
    *train_encoded: pd.DataFrame,
    splits: list[str],
) -> list[GANSMOTEGenerator]:
    """:func:`train_generators` with the epoch schedule ``schedule`` of ``gan_smote``."""
    settings = replace(gan_smote, schedule=schedule)
    return train_generators(dataset, top_up, settings, seed, *train_encoded, splits=splits)


class GeneratorTrainingError(RuntimeError):
    """A per-class GAN failed to train; the message names dataset, split, class and epoch."""

    @classmethod
    def at(
        cls, exc: TrainingDivergedError, dataset: DatasetParams, split: str
    ) -> GeneratorTrainingError:
        return cls(
            f"GAN-SMOTE diverged (non-finite loss) in {_where(exc, dataset, split)}; lower "
            "gan_smote.network.generator_lr/discriminator_lr or set gan_smote.on_divergence: restart"
        )


def _where(exc: TrainingDivergedError, dataset: DatasetParams, split: str) -> str:
    return f"dataset {dataset.name!r}, {split}, class {exc.label!r}, epoch {exc.epoch}"


def _fit_or_stop(
    models: list[GANSMOTEGenerator],
    Xs: list[np.ndarray],
    checkpoint: Checkpoint | None,
    n_jobs: int | None = None,
) -> list[GANSMOTEGenerator]:
    """:func:`~gan_oversamplers.fit_generators` with a checkpoint; a requested stop ends the run."""
    try:
        return fit_generators(models, Xs, checkpoint=checkpoint, n_jobs=n_jobs)
    except TrainingInterrupted as exc:
        raise TrainingStoppedError(stopped_message(exc.path, exc.epoch, exc.epochs)) from None


def _fit_with_restarts(
    model: GANSMOTEGenerator,
    X: np.ndarray,
    gan_smote: GanSmoteParams,
    dataset: DatasetParams,
    split: str,
    checkpoint: Checkpoint | None = None,
) -> GANSMOTEGenerator:
    """Fit; on a NaN/inf loss raise, or (``on_divergence: restart``) retry with lower rates.

    ``checkpoint`` saves and resumes the first attempt (a restart trains afresh).
    """
    for attempt in range(gan_smote.max_restarts + 1):
        try:
            return _fit_or_stop([model], [X], checkpoint if attempt == 0 else None)[0]
        except TrainingDivergedError as exc:
            if gan_smote.on_divergence != "restart" or attempt == gan_smote.max_restarts:
                raise GeneratorTrainingError.at(exc, dataset, split) from exc
            hp = model.hyperparameters
            for key in ("generator_lr", "discriminator_lr"):
                hp[key] *= gan_smote.restart_lr_factor
            logger.warning(
                "GAN-SMOTE diverged in %s; restarting with generator_lr=%g, discriminator_lr=%g",
                _where(exc, dataset, split),
                hp["generator_lr"],
                hp["discriminator_lr"],
            )
    raise AssertionError("unreachable")  # pragma: no cover


def top_up_with_generators(
    train_encoded: pd.DataFrame,
    dataset: DatasetParams,
    top_up: TopUpParams,
    seed: int,
    *generators: GANSMOTEGenerator,
    split: str,
) -> pd.DataFrame:
    """Add each class's generated rows to the training part (``is_synthetic`` marks them)."""
    y = train_encoded[dataset.target].astype(str).to_numpy()
    counts = top_up_counts(y, top_up.strategy(y))
    by_label = {str(g.label): g for g in generators}
    synthetic = {}
    for label, n_new in counts.items():
        if n_new == 0:
            continue
        model = by_label.get(label)
        if model is None or not hasattr(model, "generator_params_"):
            raise RuntimeError(
                f"{split}: class {label!r} needs {n_new} rows but has no trained generator"
            )
        synthetic[label] = model.sample(
            n_new, random_state=derive_seed(seed, split_index(split), "sample", label)
        )
    logger.info("%s: GAN-SMOTE top-up %s", split, {k: v for k, v in counts.items() if v})
    return _topped(train_encoded, dataset.target, synthetic)


def top_up_with_baseline(
    train_encoded: pd.DataFrame,
    dataset: DatasetParams,
    top_up: TopUpParams,
    baselines: BaselineParams,
    seed: int,
    *,
    split: str,
    method: str,
) -> pd.DataFrame:
    """Top up the training part with an imbalanced-learn baseline (or leave it as is)."""
    y = train_encoded[dataset.target].astype(str).to_numpy()
    sampler = get_method(method, "tabular").make_sampler(
        sampling_strategy=top_up.strategy(y),
        random_state=derive_seed(seed, split_index(split), method),
        **baselines.of(method),
    )
    if sampler is None:
        return _topped(train_encoded, dataset.target, {})
    features = _features(train_encoded, dataset.target)
    X = train_encoded[features].to_numpy(dtype=np.float64)
    y = train_encoded[dataset.target].astype(str).to_numpy()
    X_res, y_res = sampler.fit_resample(X, y)
    new_X, new_y = X_res[len(X) :], y_res[len(X) :]
    synthetic = {label: new_X[new_y == label] for label in np.unique(new_y)}
    return _topped(train_encoded, dataset.target, synthetic)


def decode_synthetic_rows(
    topped_up: pd.DataFrame, encoder: TableEncoder, dataset: DatasetParams
) -> pd.DataFrame:
    """The synthetic rows in the original columns and units, for people to inspect."""
    synthetic = topped_up[topped_up["is_synthetic"]]
    decoded = encoder.inverse_transform(synthetic[_features(topped_up, dataset.target)])
    decoded[dataset.target] = synthetic[dataset.target].to_numpy()
    return decoded


def top_up_on_original_columns(
    train_encoded: pd.DataFrame,
    encoder: TableEncoder,
    dataset: DatasetParams,
    top_up: TopUpParams,
    baselines: BaselineParams,
    seed: int,
    *,
    split: str,
    method: str,
) -> pd.DataFrame:
    """Top up with SMOTENC / SMOTEN on the decoded columns, then encode the new rows.

    SMOTENC interpolates numeric columns and takes the most frequent category of the
    neighbours for categorical ones; SMOTEN does the latter for tables with categorical
    columns only. Both need the categories themselves, not their one-hot encoding, so
    the training part is decoded with the split's encoder (fitted on it alone).
    """
    features = _features(train_encoded, dataset.target)
    raw = encoder.inverse_transform(train_encoded[features])
    categorical = list(encoder.categorical_columns)
    numeric = [c for c in raw.columns if c not in categorical]
    if method == "smotenc" and (not categorical or not numeric):
        raise ValueError(
            f"Dataset {dataset.name!r}: SMOTENC needs both categorical and numeric columns "
            f"(categorical: {categorical}, numeric: {numeric}); use "
            f"{'smote' if not categorical else 'smoten'} instead"
        )
    if method == "smoten" and numeric:
        raise ValueError(
            f"Dataset {dataset.name!r}: SMOTEN is for categorical columns only, but "
            f"{numeric} are numeric; use smotenc instead"
        )
    extra = {"categorical_features": categorical} if method == "smotenc" else {}
    sampler = get_method(method, "tabular").make_sampler(
        sampling_strategy=top_up.strategy(train_encoded[dataset.target].astype(str).to_numpy()),
        random_state=derive_seed(seed, split_index(split), method),
        **extra,
        **baselines.of(method),
    )
    raw[categorical] = raw[categorical].astype(str)
    y = train_encoded[dataset.target].astype(str).to_numpy()
    X_res, y_res = sampler.fit_resample(raw, y)
    new_rows = pd.DataFrame(X_res).iloc[len(raw) :].reset_index(drop=True)
    new_y = np.asarray(y_res)[len(raw) :]
    encoded = encoder.transform(new_rows).to_numpy(dtype=np.float64)
    synthetic = {label: encoded[new_y == label] for label in np.unique(new_y)}
    return _topped(train_encoded, dataset.target, synthetic)


def _xy(train_encoded: pd.DataFrame, target: str) -> tuple[np.ndarray, np.ndarray]:
    X = train_encoded[_features(train_encoded, target)].to_numpy(dtype=np.float64)
    return X, train_encoded[target].astype(str).to_numpy()


def fit_sampler(
    train_encoded: pd.DataFrame,
    dataset: DatasetParams,
    top_up: TopUpParams,
    samplers: SamplerParams,
    seed: int,
    *,
    split: str,
    method: str,
    counts: dict[str, int] | None = None,
) -> Any:
    """Train a generative table sampler (SMOTified-GAN, vanilla GAN, cGAN, ...) on one split.

    Only the split's training rows are seen; the classes that the top-up grows (or
    ``counts``, e.g. every class for fully synthetic training) get a model.
    """
    X, y = _xy(train_encoded, dataset.target)
    if counts is None:
        counts = top_up_counts(y, top_up.strategy(y))
    sampler = get_method(method, "tabular").make_sampler(
        sampling_strategy=top_up.strategy(y),
        random_state=derive_seed(seed, split_index(split), method),
        **samplers.for_method(method),
    )
    record_rows(sampler, train_encoded)
    started = time.perf_counter()
    sampler.fit_generators(X, y, counts={k: v for k, v in counts.items() if v})
    logger.info(
        "%s: %s trained for %s in %.1f s",
        split,
        method,
        {k: v for k, v in counts.items() if v},
        time.perf_counter() - started,
    )
    return sampler


def top_up_with_sampler(
    train_encoded: pd.DataFrame,
    dataset: DatasetParams,
    top_up: TopUpParams,
    seed: int,
    sampler: Any,
    *,
    split: str,
    method: str,
) -> pd.DataFrame:
    """Add exactly the top-up count of generated rows per class (``is_synthetic`` marks them)."""
    _, y = _xy(train_encoded, dataset.target)
    counts = {k: v for k, v in top_up_counts(y, top_up.strategy(y)).items() if v}
    synthetic = sampler.generate(
        counts, random_state=derive_seed(seed, split_index(split), "sample", method)
    )
    logger.info("%s: %s top-up %s", split, method, counts)
    return _topped(train_encoded, dataset.target, synthetic)
