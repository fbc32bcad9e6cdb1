"""Image pipeline nodes: imposed imbalance, folds, per-split samplers, CNN, metrics, pictures.

Images travel between nodes as dicts of NumPy arrays: ``images`` (``(n, C, H, W)``
float32 in [0, 1]) and ``labels`` (strings). Samplers and the classifier see them
flattened to ``(n, C*H*W)`` rows, as the sampler protocol asks.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from imblearn.metrics import geometric_mean_score  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.metrics import (  # noqa: E402
    accuracy_score,
    balanced_accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)

from gan_oversamplers import top_up_counts  # noqa: E402
from gan_oversamplers._random import derive_seed  # noqa: E402
from imbalanced_gan.layout import slug  # noqa: E402
from imbalanced_gan.lineage import record_rows  # noqa: E402
from imbalanced_gan.methods import get_method  # noqa: E402
from imbalanced_gan.params import DatasetParams, FoldParams  # noqa: E402
from imbalanced_gan.pipelines.folds.nodes import make_folds  # noqa: E402
from imbalanced_gan.pipelines.reporting.nodes import _markdown  # noqa: E402

from .params import (  # noqa: E402
    GENERATIVE_METHODS,
    ImageClassifierParams,
    ImageDatasetParams,
    ImageFoldParams,
    ImageSamplerParams,
    ImbalanceParams,
)

logger = logging.getLogger(__name__)

#: Metric key -> label in the report (paper 003's ACSA, GM, FM first).
IMAGE_METRICS: dict[str, str] = {
    "balanced_accuracy": "ACSA",
    "g_mean_macro": "GM (macro)",
    "f1_macro": "F1 (macro)",
    "accuracy": "Accuracy",
}
TEST_SETS = ("imbalanced", "balanced")


def split_index(split: str) -> int:
    """``"fold_03"`` -> 3."""
    return int(split.rsplit("_", 1)[1])


def _label_order(labels: np.ndarray) -> list[str]:
    unique = np.unique(labels).tolist()
    if all(u.lstrip("-").isdigit() for u in unique):
        return sorted(unique, key=int)
    return sorted(unique)


def imbalanced_sizes(
    available: dict[str, int], imbalance: ImbalanceParams, classes: list[str]
) -> tuple[dict[str, int], float]:
    """Images to draw per class, and the scale applied to ``imbalance.class_sizes``.

    The i-th class of ``classes`` gets ``class_sizes[i] * scale`` images (rounded, at
    least ``min_class_size``), leaving ``balanced_test_per_class`` of its images out for
    the balanced test set. ``scale: auto`` is the largest factor <= 1 that fits.
    """
    if len(classes) > len(imbalance.class_sizes):
        raise ValueError(
            f"images.imbalance.class_sizes has {len(imbalance.class_sizes)} sizes but the data "
            f"has {len(classes)} classes {classes}; give one size per class"
        )
    wanted = dict(zip(classes, (int(s) for s in imbalance.class_sizes), strict=False))
    held = imbalance.balanced_test_per_class
    for label in classes:
        if available[label] - held < imbalance.min_class_size:
            raise ValueError(
                f"Class {label!r} has {available[label]} images: too few for "
                f"images.imbalance.min_class_size={imbalance.min_class_size} plus "
                f"balanced_test_per_class={held} held out"
            )
    if imbalance.scale == "auto":
        scale = min(1.0, min((available[c] - held) / wanted[c] for c in classes))
    else:
        scale = float(imbalance.scale)
    sizes = {c: max(imbalance.min_class_size, round(wanted[c] * scale)) for c in classes}
    for label, size in sizes.items():
        if size > available[label] - held:
            raise ValueError(
                f"Class {label!r}: images.imbalance asks for {size} images (scale {scale:g}) but "
                f"only {available[label] - held} are left after holding out "
                f"balanced_test_per_class={held}; lower images.imbalance.scale"
            )
    return sizes, scale


def impose_imbalance(
    raw: dict[str, Any],
    dataset: ImageDatasetParams,
    imbalance: ImbalanceParams,
    seed: int,
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Draw paper 003's imbalanced set, and a balanced test set from the images left over.

    Per class, a seeded permutation of the source's images: the first ``size`` images form
    the imbalanced set (the one the folds split), the next ``balanced_test_per_class`` the
    balanced test set. Those images are in no fold's training part, so every fold's
    classifier can be scored on the same balanced set without leakage.

    Returns the imbalanced set, the balanced test set and a JSON-able profile.
    """
    images, labels = np.asarray(raw["images"]), np.asarray(raw["labels"]).astype(str)
    present = _label_order(labels)
    classes = [str(c) for c in dataset.classes] if dataset.classes else present
    missing = [c for c in classes if c not in present]
    if missing:
        raise ValueError(
            f"images.dataset.classes {missing} are not labels of dataset {dataset.name!r} "
            f"(it has {present})"
        )
    available = {c: int(np.sum(labels == c)) for c in classes}
    sizes, scale = imbalanced_sizes(available, imbalance, classes)
    rng = np.random.default_rng(derive_seed(seed, "imbalance"))
    chosen, held = [], []
    for label in classes:
        rows = rng.permutation(np.flatnonzero(labels == label))
        chosen.append(rows[: sizes[label]])
        held.append(rows[sizes[label] : sizes[label] + imbalance.balanced_test_per_class])
    chosen_rows, held_rows = np.concatenate(chosen), np.concatenate(held)

    def subset(rows: np.ndarray) -> dict[str, Any]:
        return {
            "images": images[rows],
            "labels": labels[rows],
            "source_index": rows,
            "classes": classes,
        }

    profile = {
        "dataset": dataset.name,
        "source": str(raw.get("source", dataset.name)),
        "image_shape": list(images.shape[1:]),
        "classes": classes,
        "available": available,
        "class_sizes_asked": dict(zip(classes, imbalance.class_sizes, strict=False)),
        "scale": scale,
        "class_sizes": sizes,
        "imbalance_ratio": max(sizes.values()) / min(sizes.values()),
        "n_images": int(len(chosen_rows)),
        "balanced_test_per_class": imbalance.balanced_test_per_class,
    }
    logger.info(
        "%s: imbalanced set %s (scale %.4g, ratio %.1f:1); balanced test %d per class",
        dataset.name,
        sizes,
        scale,
        profile["imbalance_ratio"],
        imbalance.balanced_test_per_class,
    )
    return subset(chosen_rows), subset(held_rows), profile


def make_image_folds(
    imbalanced: dict[str, Any],
    dataset: ImageDatasetParams,
    folds: ImageFoldParams,
    seed: int,
    *,
    laid_out: tuple[str, int] | None = None,
) -> pd.DataFrame:
    """Stratified K-fold row indices of the imbalanced set (the tabular ``make_folds``).

    ``laid_out`` is the (dataset, n_splits) the graph was built for; the run stops with
    an error if this run's parameters ask for another.
    """
    if laid_out is not None and laid_out != (slug(dataset.name), folds.n_splits):
        raise RuntimeError(
            f"The image pipelines were laid out for dataset {laid_out[0]!r} with "
            f"{laid_out[1]} folds, but this run's parameters ask for {dataset.name!r} with "
            f"{folds.n_splits}. Set the env before Kedro starts (KEDRO_ENV=<env> kedro run ...) "
            "and change images.dataset.name / images.folds.n_splits in conf/, not with --params"
        )
    table = pd.DataFrame({"label": imbalanced["labels"]})
    return make_folds(
        table,
        DatasetParams(name=dataset.name, target="label", classes=list(imbalanced["classes"])),
        FoldParams(n_splits=folds.n_splits, n_repeats=1),
        seed,
    )


def _rows(fold_indices: pd.DataFrame, split: str, part: str) -> np.ndarray:
    """Row numbers (images) of one split's ``train`` or ``test`` part."""
    return fold_indices.loc[
        (fold_indices["split"] == split) & (fold_indices["part"] == part), "row"
    ].to_numpy()


def _part(
    data: dict[str, Any], fold_indices: pd.DataFrame, split: str, part: str
) -> tuple[np.ndarray, np.ndarray]:
    """Flattened images and labels of one split's ``train`` or ``test`` part."""
    rows = _rows(fold_indices, split, part)
    if len(rows) == 0:
        raise ValueError(f"{split} has no {part} rows in the fold indices")
    images = data["images"][rows]
    return images.reshape(len(rows), -1), data["labels"][rows]


def _image_shape(data: dict[str, Any]) -> tuple[int, int, int]:
    return tuple(int(s) for s in data["images"].shape[1:])


def fit_image_sampler(
    imbalanced: dict[str, Any],
    fold_indices: pd.DataFrame,
    samplers: ImageSamplerParams,
    seed: int,
    *,
    split: str,
    method: str,
) -> Any:
    """Train a generative sampler on one split's training images only."""
    X, y = _part(imbalanced, fold_indices, split, "train")
    counts = top_up_counts(y, samplers.sampling_strategy)
    sampler = get_method(method, "image").make_sampler(
        sampling_strategy=samplers.sampling_strategy,
        random_state=derive_seed(seed, split_index(split), method),
        image_shape=_image_shape(imbalanced),
        **samplers.of(method),
    )
    logger.info("%s/%s: training on %d images; top-up %s", split, method, len(y), counts)
    record_rows(sampler, _rows(fold_indices, split, "train"))
    return sampler.fit_generators(X, y, counts=counts)


def _synthetic(images: list[np.ndarray], labels: list[np.ndarray], shape: tuple) -> dict[str, Any]:
    flat = int(np.prod(shape))
    return {
        "images": np.concatenate(images).astype(np.float32).reshape(-1, *shape)
        if images
        else np.zeros((0, *shape), np.float32),
        "labels": np.concatenate(labels).astype(str) if labels else np.zeros(0, str),
        "n_features": flat,
    }


def generate_images(
    sampler: Any,
    imbalanced: dict[str, Any],
    fold_indices: pd.DataFrame,
    samplers: ImageSamplerParams,
    seed: int,
    *,
    split: str,
    method: str,
) -> dict[str, Any]:
    """The new images of one split: each class topped up per ``sampling_strategy``."""
    _, y = _part(imbalanced, fold_indices, split, "train")
    counts = {k: v for k, v in top_up_counts(y, samplers.sampling_strategy).items() if v}
    generated = sampler.generate(
        counts=counts, random_state=derive_seed(seed, split_index(split), method, "generate")
    )
    shape = _image_shape(imbalanced)
    images, labels = [], []
    for label, n_new in counts.items():
        rows = np.asarray(generated[label], dtype=np.float32)
        if rows.shape != (n_new, int(np.prod(shape))) or not np.isfinite(rows).all():
            raise ValueError(
                f"{split}/{method}: class {label!r} got synthetic images of shape {rows.shape} "
                f"(finite: {bool(np.isfinite(rows).all())}); expected ({n_new}, {int(np.prod(shape))})"
            )
        images.append(rows)
        labels.append(np.full(n_new, label))
    logger.info("%s/%s: generated %s", split, method, counts)
    return _synthetic(images, labels, shape)


def top_up_images_baseline(
    imbalanced: dict[str, Any],
    fold_indices: pd.DataFrame,
    samplers: ImageSamplerParams,
    seed: int,
    *,
    split: str,
    method: str,
) -> dict[str, Any]:
    """New images from a pixel-space baseline (SMOTE, random copies) or none at all."""
    X, y = _part(imbalanced, fold_indices, split, "train")
    shape = _image_shape(imbalanced)
    sampler = get_method(method, "image").make_sampler(
        sampling_strategy=samplers.sampling_strategy,
        random_state=derive_seed(seed, split_index(split), method),
        **samplers.of(method),
    )
    if sampler is None:
        return _synthetic([], [], shape)
    X_res, y_res = sampler.fit_resample(X.astype(np.float64), y)
    synthetic = _synthetic([X_res[len(X) :]], [y_res[len(X) :]], shape)
    return record_rows(synthetic, _rows(fold_indices, split, "train"))  # what SMOTE saw


def train_image_classifier(
    imbalanced: dict[str, Any],
    fold_indices: pd.DataFrame,
    synthetic: dict[str, Any],
    classifier: ImageClassifierParams,
    seed: int,
    *,
    split: str,
    method: str,
) -> Any:
    """Fit the CNN on one split's real training images plus the method's new images.

    The classifier's seed depends on the split only, so every method of a split starts
    from the same weights and minibatch order.
    """
    from gan_oversamplers.images.classifiers import ImageClassifier

    X, y = _part(imbalanced, fold_indices, split, "train")
    shape = _image_shape(imbalanced)
    new = synthetic["images"].reshape(len(synthetic["images"]), X.shape[1])
    X_all = np.concatenate([X, new]).astype(np.float32)
    y_all = np.concatenate([y, synthetic["labels"]])
    model = ImageClassifier(
        shape,
        random_state=derive_seed(seed, split_index(split), "classifier"),
        **classifier.kwargs(),
    )
    model.fit(X_all, y_all)
    record_rows(model, _rows(fold_indices, split, "train"))
    logger.info(
        "%s/%s: %s trained on %d images (%d synthetic), final loss %.4f",
        split,
        method,
        classifier.architecture,
        len(y_all),
        len(new),
        model.history_[-1],
    )
    return model


def image_scores(y_true: np.ndarray, y_pred: np.ndarray, classes: list[str]) -> dict[str, Any]:
    """Scores of one test set: ACSA, macro G-mean, macro F1, accuracy, per class.

    ACSA is the balanced accuracy (mean per-class recall); the confusion matrix has the
    truth in rows and predictions in columns, in ``classes`` order.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        precision, recall, f1, support = precision_recall_fscore_support(
            y_true, y_pred, labels=classes, zero_division=0
        )
        scores = {
            "balanced_accuracy": balanced_accuracy_score(y_true, y_pred),
            "g_mean_macro": geometric_mean_score(y_true, y_pred, labels=classes, average="macro"),
            "f1_macro": f1_score(y_true, y_pred, labels=classes, average="macro", zero_division=0),
            "accuracy": accuracy_score(y_true, y_pred),
        }
    return {
        "scores": {k: float(v) for k, v in scores.items()},
        "per_class": {
            label: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, label in enumerate(classes)
        },
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=classes).tolist(),
    }


def evaluate_image_classifier(
    model: Any,
    imbalanced: dict[str, Any],
    fold_indices: pd.DataFrame,
    balanced_test: dict[str, Any],
    synthetic: dict[str, Any],
    *,
    split: str,
    method: str,
) -> dict[str, Any]:
    """Scores on the split's (imbalanced) test fold and on the shared balanced test set."""
    classes = [str(c) for c in imbalanced["classes"]]
    X_test, y_test = _part(imbalanced, fold_indices, split, "test")
    X_bal = balanced_test["images"].reshape(len(balanced_test["images"]), -1)
    result: dict[str, Any] = {
        "split": split,
        "method": method,
        "classes": classes,
        "n_synthetic": int(len(synthetic["labels"])),
        "test_sets": {},
    }
    for name, X, y in (
        ("imbalanced", X_test, y_test),
        ("balanced", X_bal, balanced_test["labels"]),
    ):
        y_pred = np.asarray(model.predict(X)).astype(str)
        result["test_sets"][name] = {
            **image_scores(np.asarray(y).astype(str), y_pred, classes),
            "n_images": int(len(y)),
        }
    return result


def collect_image_metrics(*metrics: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Long tables: every (method, split, test set, metric) score, and per-class scores."""
    scores, per_class = [], []
    for record in metrics:
        for test_set, result in record["test_sets"].items():
            key = {"method": record["method"], "split": record["split"], "test_set": test_set}
            scores += [{**key, "metric": m, "value": v} for m, v in result["scores"].items()]
            per_class += [{**key, "class": c, **v} for c, v in result["per_class"].items()]
    return pd.DataFrame(scores), pd.DataFrame(per_class)


def summarise_image_metrics(
    fold_metrics: pd.DataFrame, per_class_metrics: pd.DataFrame
) -> pd.DataFrame:
    """Mean ± sample std (ddof=1) over folds, per method, test set and metric (and class)."""
    keys = ["method", "test_set"]
    overall = fold_metrics.groupby([*keys, "metric"], sort=False)["value"].agg(
        ["mean", "std", "count"]
    )
    overall = overall.reset_index().assign(**{"class": "(all classes)"})
    long = per_class_metrics.melt(
        id_vars=[*keys, "split", "class"],
        value_vars=["precision", "recall", "f1"],
        var_name="metric",
    )
    by_class = (
        long.groupby([*keys, "class", "metric"], sort=False)["value"]
        .agg(["mean", "std", "count"])
        .reset_index()
    )
    return pd.concat([overall, by_class], ignore_index=True)[
        [*keys, "class", "metric", "mean", "std", "count"]
    ]


def sum_confusion_matrices(*metrics: dict[str, Any]) -> dict[str, Any]:
    """Confusion matrices summed over folds: ``{test_set: {method: matrix}}`` plus classes."""
    out: dict[str, Any] = {"classes": metrics[0]["classes"] if metrics else []}
    for record in metrics:
        for test_set, result in record["test_sets"].items():
            matrices = out.setdefault(test_set, {})
            current = np.asarray(result["confusion_matrix"])
            previous = matrices.get(record["method"])
            matrices[record["method"]] = (
                current if previous is None else np.asarray(previous) + current
            ).tolist()
    return out


def method_table(summary: pd.DataFrame, test_set: str) -> pd.DataFrame:
    """Methods as rows, ACSA / GM / F1 / accuracy as ``mean ± std`` in percent."""
    rows = []
    part = summary[(summary["test_set"] == test_set) & (summary["class"] == "(all classes)")]
    for method, group in part.groupby("method", sort=False):
        values = group.set_index("metric")
        row = {"method": method}
        for metric, label in IMAGE_METRICS.items():
            if metric in values.index:
                mean, std = values.at[metric, "mean"], values.at[metric, "std"]
                std = 0.0 if np.isnan(std) else std
                row[label] = f"{100 * mean:.2f} ± {100 * std:.2f}"
        row["folds"] = int(values["count"].max())
        rows.append(row)
    return pd.DataFrame(rows)


def render_image_report(
    summary: pd.DataFrame,
    data_profile: dict[str, Any],
    confusion: dict[str, Any],
    folds: ImageFoldParams,
    classifier: ImageClassifierParams,
) -> str:
    """Markdown: paper 003's Tables II/III shape per test set, recall per class, matrices."""
    p = data_profile
    lines = [
        f"# Image over-sampling report: {p['dataset']}",
        "",
        f"Source: {p['source']}; images {p['image_shape']} (C, H, W). Imbalanced set: "
        f"{p['class_sizes']} (paper 003's sizes x {p['scale']:.4g}, at least the minimum "
        f"class size; ratio {p['imbalance_ratio']:.1f}:1), {folds.n_splits}-fold stratified CV; "
        f"classifier `{classifier.architecture}` ({classifier.epochs} epochs, {classifier.device}).",
        "",
        "Two test sets per fold: **imbalanced** = the fold's held-out part of the imbalanced set "
        "(same class ratio as training); **balanced** = "
        f"{p['balanced_test_per_class']} images per class drawn from the source's images that "
        "are in no fold (never seen by a sampler or classifier; the same set for every fold). "
        "Cells: mean ± sample std over folds, in percent. Samplers were fitted on each fold's "
        "training images only.",
        "",
    ]
    for test_set in TEST_SETS:
        if test_set not in set(summary["test_set"]):
            continue
        recall = summary[
            (summary["test_set"] == test_set)
            & (summary["class"] != "(all classes)")
            & (summary["metric"] == "recall")
        ]
        table = method_table(summary, test_set)
        recall_table = (
            (100 * recall.pivot(index="method", columns="class", values="mean"))
            .reindex(index=table["method"], columns=p["classes"])
            .round(1)
            .reset_index()
        )
        lines += [
            f"## {test_set.capitalize()} test set",
            "",
            _markdown(table),
            "",
            "Mean recall per class (%):",
            "",
            _markdown(recall_table),
            "",
        ]
        for method, matrix in confusion.get(test_set, {}).items():
            frame = pd.DataFrame(matrix, index=p["classes"], columns=p["classes"])
            lines += [
                f"<details><summary>Confusion matrix, {method}, {test_set} test (summed over "
                "folds; rows truth, columns prediction)</summary>",
                "",
                _markdown(frame.reset_index(names="truth")),
                "",
                "</details>",
                "",
            ]
    return "\n".join(lines)


def plot_image_summary(summary: pd.DataFrame) -> plt.Figure:
    """Bars of ACSA, GM and F1 per method, one panel per test set (error bars: 1 std)."""
    test_sets = [t for t in TEST_SETS if t in set(summary["test_set"])]
    metrics = list(IMAGE_METRICS)[:3]
    fig, axes = plt.subplots(1, len(test_sets), figsize=(6 * len(test_sets), 4), squeeze=False)
    for ax, test_set in zip(axes[0], test_sets, strict=True):
        part = summary[(summary["test_set"] == test_set) & (summary["class"] == "(all classes)")]
        methods = list(dict.fromkeys(part["method"]))
        width = 0.8 / max(len(methods), 1)
        for i, method in enumerate(methods):
            rows = part[part["method"] == method].set_index("metric").reindex(metrics)
            x = np.arange(len(metrics)) + (i - (len(methods) - 1) / 2) * width
            ax.bar(x, rows["mean"], width, yerr=rows["std"].fillna(0), capsize=2, label=method)
        ax.set_xticks(np.arange(len(metrics)), [IMAGE_METRICS[m] for m in metrics])
        ax.set_ylim(0, 1.05)
        ax.set_title(f"{test_set} test set")
        ax.grid(axis="y", alpha=0.3)
    axes[0][-1].legend(loc="lower right", fontsize="small")
    fig.tight_layout()
    return fig


def mosaic(rows: list[list[np.ndarray]], pad: int = 1) -> np.ndarray:
    """Tiles ``(C, H, W)`` in [0, 1] as one ``(H', W', C)`` picture (blank where missing)."""
    tile = next(t for row in rows for t in row)
    c, h, w = tile.shape
    n_cols = max(len(row) for row in rows)
    canvas = np.ones(((h + pad) * len(rows) + pad, (w + pad) * n_cols + pad, c), np.float32)
    for r, row in enumerate(rows):
        for col, image in enumerate(row):
            if image is not None:
                y0, x0 = pad + r * (h + pad), pad + col * (w + pad)
                canvas[y0 : y0 + h, x0 : x0 + w] = np.clip(image, 0, 1).transpose(1, 2, 0)
    return canvas


def plot_image_grid(
    imbalanced: dict[str, Any],
    fold_indices: pd.DataFrame,
    synthetic: dict[str, Any],
    *,
    split: str,
    method: str,
    per_class: int = 6,
) -> plt.Figure:
    """Per minority class (a row), ``per_class`` real training images, then as many new ones."""
    rows_ = fold_indices.loc[
        (fold_indices["split"] == split) & (fold_indices["part"] == "train"), "row"
    ].to_numpy()
    real, y = imbalanced["images"][rows_], imbalanced["labels"][rows_]
    classes = [c for c in imbalanced["classes"] if np.any(synthetic["labels"] == c)]
    tiles = []
    for label in classes:
        row: list[Any] = [None] * (2 * per_class + 1)
        for block, images in enumerate(
            (real[y == label], synthetic["images"][synthetic["labels"] == label])
        ):
            for i, image in enumerate(images[:per_class]):
                row[block * (per_class + 1) + i] = image
        tiles.append(row)
    fig, ax = plt.subplots(figsize=(7, 0.55 * max(len(classes), 1) + 0.8))
    if tiles:
        canvas = mosaic(tiles)
        ax.imshow(canvas[..., 0] if canvas.shape[2] == 1 else canvas, cmap="gray", vmin=0, vmax=1)
        step = canvas.shape[0] / len(classes)
        ax.set_yticks([step * (i + 0.5) for i in range(len(classes))], classes)
    ax.set_xticks([])
    ax.set_ylabel("class")
    ax.set_title(
        f"{method}, {split}: {per_class} real (left) and {per_class} synthetic (right) "
        "images per topped-up class",
        fontsize=9,
    )
    fig.tight_layout()
    return fig


def plot_pca(
    imbalanced: dict[str, Any],
    fold_indices: pd.DataFrame,
    synthetic: dict[str, Any],
    *,
    split: str,
    method: str,
) -> plt.Figure:
    """Real vs synthetic images in the first two principal components of the real ones.

    The PCA is fitted on the split's real training images; circles are real, crosses
    synthetic, one colour per class.
    """
    X, y = _part(imbalanced, fold_indices, split, "train")
    pca = PCA(n_components=2, random_state=0).fit(X)
    real = pca.transform(X)
    new = synthetic["images"].reshape(len(synthetic["images"]), X.shape[1])
    fake = pca.transform(new) if len(new) else np.zeros((0, 2))
    fig, ax = plt.subplots(figsize=(6.5, 5))
    for i, label in enumerate(imbalanced["classes"]):
        colour = plt.cm.tab10(i % 10)
        mask = synthetic["labels"] == label
        ax.scatter(*fake[mask].T, s=6, marker="x", color=colour, alpha=0.35)
        ax.scatter(*real[y == label].T, s=10, color=colour, edgecolors="k", lw=0.3, label=label)
    ax.set_xlabel("PC 1")
    ax.set_ylabel("PC 2")
    ax.set_title(
        f"{method}, {split}: real (o) vs synthetic (x), PCA of real training images", fontsize=9
    )
    ax.legend(fontsize="x-small", markerscale=1.5, ncol=2)
    fig.tight_layout()
    return fig


def generative_methods(methods: tuple[str, ...]) -> list[str]:
    """The methods that train a generative sampler (the rest are baselines)."""
    return [m for m in methods if m in GENERATIVE_METHODS]
