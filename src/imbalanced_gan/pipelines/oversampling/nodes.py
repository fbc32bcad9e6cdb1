"""Over-sampling nodes: thin calls into the ``gan_oversamplers`` library."""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd

from gan_oversamplers import (
    GANSMOTEGenerator,
    TableEncoder,
    TrainingDivergedError,
    concat_top_up,
    make_baseline,
    top_up_counts,
)
from gan_oversamplers._random import derive_seed
from imbalanced_gan.params import BaselineParams, DatasetParams, GanSmoteParams, TopUpParams

logger = logging.getLogger(__name__)


def split_index(split: str) -> int:
    """``"fold_03"`` -> 3."""
    return int(split.rsplit("_", 1)[1])


def _features(table: pd.DataFrame, target: str) -> list[str]:
    return [c for c in table.columns if c not in (target, "is_synthetic")]


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

    Only that class's training rows are used. A class that the top-up will not grow
    in this split (the largest class, under the paper's rule) gets an unfitted model,
    recorded as such, instead of a wasted training run.
    """
    labels = train_encoded[dataset.target].astype(str)
    n_new = top_up_counts(labels.to_numpy(), top_up.sampling_strategy).get(label, 0)
    class_index = [str(c) for c in dataset.classes].index(label)
    model = GANSMOTEGenerator(
        random_state=derive_seed(seed, split_index(split), class_index),
        label=label,
        verbose=gan_smote.verbose,
        **gan_smote.hyperparameters(),
    )
    rows = train_encoded.loc[labels == label, _features(train_encoded, dataset.target)]
    if n_new == 0 or rows.empty:
        logger.info(
            "%s: class %r needs no new rows (%d real); no GAN trained", split, label, len(rows)
        )
        return model
    epochs = model.hyperparameters["epochs"]
    logger.info(
        "%s: training GAN-SMOTE for class %r on %d rows (%d epochs)",
        split,
        label,
        len(rows),
        epochs,
    )
    started = time.perf_counter()
    model = _fit_with_restarts(model, rows.to_numpy(dtype=np.float64), gan_smote, dataset, split)
    last = model.history_.iloc[-1]
    logger.info(
        "%s: class %r trained in %.1f s (%.2f ms/epoch); final d_loss %.4f, g_loss %.4f",
        split,
        label,
        time.perf_counter() - started,
        1000 * (time.perf_counter() - started) / epochs,
        last["d_loss"],
        last["g_loss"],
    )
    return model


class GeneratorTrainingError(RuntimeError):
    """A per-class GAN failed to train; the message names dataset, split, class and epoch."""


def _fit_with_restarts(
    model: GANSMOTEGenerator,
    X: np.ndarray,
    gan_smote: GanSmoteParams,
    dataset: DatasetParams,
    split: str,
) -> GANSMOTEGenerator:
    """Fit; on a NaN/inf loss raise, or (``on_divergence: restart``) retry with lower rates."""
    for attempt in range(gan_smote.max_restarts + 1):
        try:
            return model.fit(X)
        except TrainingDivergedError as exc:
            where = f"dataset {dataset.name!r}, {split}, class {exc.label!r}, epoch {exc.epoch}"
            if gan_smote.on_divergence != "restart" or attempt == gan_smote.max_restarts:
                raise GeneratorTrainingError(
                    f"GAN-SMOTE diverged (non-finite loss) in {where}; lower "
                    "gan_smote.network.generator_lr/discriminator_lr or set "
                    "gan_smote.on_divergence: restart"
                ) from exc
            hp = model.hyperparameters
            for key in ("generator_lr", "discriminator_lr"):
                hp[key] *= gan_smote.restart_lr_factor
            logger.warning(
                "GAN-SMOTE diverged in %s; restarting with generator_lr=%g, discriminator_lr=%g",
                where,
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
    counts = top_up_counts(
        train_encoded[dataset.target].astype(str).to_numpy(), top_up.sampling_strategy
    )
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
    return concat_top_up(train_encoded, dataset.target, synthetic)


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
    sampler = make_baseline(
        method,
        sampling_strategy=top_up.sampling_strategy,
        random_state=derive_seed(seed, split_index(split), method),
        **getattr(baselines, method, {}),
    )
    if sampler is None:
        return concat_top_up(train_encoded, dataset.target, {})
    features = _features(train_encoded, dataset.target)
    X = train_encoded[features].to_numpy(dtype=np.float64)
    y = train_encoded[dataset.target].astype(str).to_numpy()
    X_res, y_res = sampler.fit_resample(X, y)
    new_X, new_y = X_res[len(X) :], y_res[len(X) :]
    synthetic = {label: new_X[new_y == label] for label in np.unique(new_y)}
    return concat_top_up(train_encoded, dataset.target, synthetic)


def decode_synthetic_rows(
    topped_up: pd.DataFrame, encoder: TableEncoder, dataset: DatasetParams
) -> pd.DataFrame:
    """The synthetic rows in the original columns and units, for people to inspect."""
    synthetic = topped_up[topped_up["is_synthetic"]]
    decoded = encoder.inverse_transform(synthetic[_features(topped_up, dataset.target)])
    decoded[dataset.target] = synthetic[dataset.target].to_numpy()
    return decoded
