"""Reporting nodes: collect per-split metrics, aggregate them, draw them."""

from __future__ import annotations

import logging
import platform
import sys
from dataclasses import asdict
from importlib import metadata
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from imbalanced_gan.params import ClassifierParams, DatasetParams, FoldParams, GanSmoteParams  # noqa: E402

logger = logging.getLogger(__name__)

#: The ``class`` value of rows that aggregate over all classes.
OVERALL = "(all classes)"

#: Metric -> (label, shown as percent?)
METRICS: dict[str, tuple[str, bool]] = {
    "accuracy": ("Accuracy (%)", True),
    "f1_macro": ("Macro F1", False),
    "f1_micro": ("Micro F1", False),
    "balanced_accuracy": ("Balanced accuracy (%)", True),
    "g_mean_macro": ("Macro G-mean", False),
    "f1_minority": ("Minority F1", False),
    "roc_auc": ("ROC-AUC", False),
    "pr_auc": ("PR-AUC", False),
}


def collect_fold_metrics(*metrics: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Long tables of every split's scores and per-class scores."""
    scores, per_class = [], []
    for record in metrics:
        for name, value in record["scores"].items():
            scores.append(
                {
                    "method": record["method"],
                    "split": record["split"],
                    "metric": name,
                    "value": value,
                }
            )
        for label, values in record["per_class"].items():
            if values is not None:
                per_class.append(
                    {"method": record["method"], "split": record["split"], "class": label, **values}
                )
    return pd.DataFrame(scores), pd.DataFrame(per_class)


def summarise_metrics(fold_metrics: pd.DataFrame, per_class_metrics: pd.DataFrame) -> pd.DataFrame:
    """Mean ± sample std (ddof=1) over splits, per method and metric (also per class)."""
    overall = (
        fold_metrics.groupby(["method", "metric"], sort=False)["value"]
        .agg(["mean", "std", "count"])
        .reset_index()
    )
    overall["class"] = OVERALL
    long = per_class_metrics.melt(
        id_vars=["method", "split", "class"],
        value_vars=["precision", "recall", "f1"],
        var_name="metric",
    )
    by_class = (
        long.groupby(["method", "class", "metric"], sort=False)["value"]
        .agg(["mean", "std", "count"])
        .reset_index()
    )
    return pd.concat([overall, by_class], ignore_index=True)[
        ["method", "class", "metric", "mean", "std", "count"]
    ]


def _cell(mean: float, std: float, percent: bool) -> str:
    std = 0.0 if np.isnan(std) else std
    return f"{100 * mean:.2f} ± {100 * std:.2f}" if percent else f"{mean:.3f} ± {std:.3f}"


def method_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Methods as rows, metrics as columns, cells ``mean ± std`` (paper 000's Table 1 shape)."""
    overall = summary[summary["class"] == OVERALL]
    rows = []
    for method, group in overall.groupby("method", sort=False):
        values = group.set_index("metric")
        row = {"method": method}
        for metric, (label, percent) in METRICS.items():
            if metric in values.index:
                row[label] = _cell(values.at[metric, "mean"], values.at[metric, "std"], percent)
        row["folds"] = int(values["count"].max())
        rows.append(row)
    return pd.DataFrame(rows)


def render_report(
    summary: pd.DataFrame,
    data_profile: dict[str, Any],
    folds: FoldParams,
    classifier: ClassifierParams,
    generator_health: pd.DataFrame | None = None,
) -> str:
    """A Markdown report: the method table, per-class recall, GAN health, and how it was made."""
    table = method_table(summary)
    recall = summary[(summary["class"] != OVERALL) & (summary["metric"] == "recall")]
    recall_table = recall.pivot(index="method", columns="class", values="mean").reindex(
        table["method"]
    )
    lines = [
        f"# Over-sampling report: {data_profile['dataset']}",
        "",
        f"{data_profile['n_rows']} rows, classes {data_profile['class_counts']}; "
        f"{folds.n_splits}-fold stratified CV x {folds.n_repeats} repeat(s); classifier `{classifier.name}`.",
        "Cells are mean ± sample standard deviation over the test folds. Over-samplers, encoders "
        "and scalers were fitted on each fold's training part only; test parts hold real rows only.",
        "",
        _markdown(table),
        "",
        "## Mean recall per class",
        "",
        _markdown((100 * recall_table).round(2).reset_index()),
        "",
    ]
    if generator_health is not None:
        lines += _health_section(generator_health)
    return "\n".join(lines)


def _health_section(health: pd.DataFrame) -> list[str]:
    trained = health[health["trained"]] if "trained" in health else health.iloc[:0]
    lines = ["## GAN training health", ""]
    if trained.empty:
        return [*lines, "No generator was trained.", ""]
    collapsed = trained[trained["collapsed"].astype(bool)]
    lines.append(
        f"{len(trained)} generators trained; spread of synthetic rows / spread of real rows: "
        f"median {trained['spread_ratio'].median():.2f} (min {trained['spread_ratio'].min():.2f})."
    )
    if collapsed.empty:
        lines.append("No generator is flagged for mode collapse.")
    else:
        lines += [
            "",
            f"**{len(collapsed)} generator(s) flagged for mode collapse** (spread ratio < 0.2 or one distinct row):",
            "",
        ]
        lines.append(
            _markdown(
                collapsed[["split", "class", "rows", "spread_ratio", "unique_fraction"]]
                .astype({"rows": int})
                .round(3)
            )
        )
    return [*lines, ""]


def _markdown(table: pd.DataFrame) -> str:
    header = "| " + " | ".join(str(c) for c in table.columns) + " |"
    rule = "|" + "|".join("---" for _ in table.columns) + "|"
    body = [
        "| " + " | ".join("" if pd.isna(v) else str(v) for v in row) + " |"
        for row in table.itertuples(index=False)
    ]
    return "\n".join([header, rule, *body])


def plot_summary(summary: pd.DataFrame) -> plt.Figure:
    """Grouped bars: methods x metrics, error bars one standard deviation."""
    overall = summary[summary["class"] == OVERALL]
    metrics = [m for m in METRICS if m in set(overall["metric"])]
    methods = list(dict.fromkeys(overall["method"]))
    fig, ax = plt.subplots(figsize=(1.8 + 1.6 * len(metrics), 4.2))
    width = 0.8 / max(len(methods), 1)
    for i, method in enumerate(methods):
        rows = overall[overall["method"] == method].set_index("metric").reindex(metrics)
        x = np.arange(len(metrics)) + (i - (len(methods) - 1) / 2) * width
        ax.bar(x, rows["mean"], width, yerr=rows["std"].fillna(0), capsize=3, label=method)
    ax.set_xticks(np.arange(len(metrics)), [METRICS[m][0].replace(" (%)", "") for m in metrics])
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("score (mean ± std over folds)")
    ax.legend(loc="lower right", fontsize="small")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def plot_gan_losses(*generators: Any) -> plt.Figure:
    """Discriminator and generator loss per epoch, one line per trained (split, class) GAN."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharex=True)
    labels = sorted({str(g.label) for g in generators if hasattr(g, "history_")})
    colours = {label: plt.cm.tab10(i % 10) for i, label in enumerate(labels)}
    for g in generators:
        if not hasattr(g, "history_"):
            continue
        history = g.history_
        for ax, column in zip(axes, ("d_loss", "g_loss"), strict=True):
            smooth = history[column].rolling(max(1, len(history) // 100), min_periods=1).mean()
            ax.plot(history["epoch"], smooth, color=colours[str(g.label)], alpha=0.35, lw=0.8)
    for ax, title in zip(axes, ("Discriminator loss (MSE)", "Generator loss (MSE)"), strict=True):
        ax.set_title(title)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
    handles = [plt.Line2D([], [], color=colours[label], label=f"class {label}") for label in labels]
    if handles:
        axes[1].legend(handles=handles, fontsize="small")
    fig.tight_layout()
    return fig


def assess_generators(*generators: Any, names: list[tuple[str, str]]) -> pd.DataFrame:
    """Training health of every (split, class) generator: final losses and mode collapse.

    ``names`` gives the (split, class) of each generator, in order. Unfitted models (a
    class that needed no rows) are listed with ``trained = False``.
    """
    rows = []
    for (split, label), model in zip(names, generators, strict=True):
        row: dict[str, Any] = {
            "split": split,
            "class": label,
            "trained": hasattr(model, "history_"),
        }
        if row["trained"]:
            last = model.history_.iloc[-1]
            row |= {
                "rows": model.n_rows_,
                "epochs": len(model.history_),
                "d_loss": last["d_loss"],
                "g_loss": last["g_loss"],
            }
            row |= model.diversity()
            if row["collapsed"]:
                logger.warning(
                    "Mode collapse: %s class %r (spread ratio %.3f)",
                    split,
                    label,
                    row["spread_ratio"],
                )
        rows.append(row)
    return pd.DataFrame(rows)


def write_manifest(
    seed: int,
    dataset: DatasetParams,
    folds: FoldParams,
    gan_smote: GanSmoteParams,
    classifier: ClassifierParams,
) -> dict[str, Any]:
    """The seed, configuration and library versions of the run, saved beside its report."""
    packages = ["kedro", "torch", "scikit-learn", "imbalanced-learn", "numpy", "pandas"]
    return {
        "seed": seed,
        "dataset": asdict(dataset),
        "folds": asdict(folds),
        "gan_smote": asdict(gan_smote),
        "classifier": asdict(classifier),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": {name: metadata.version(name) for name in packages},
    }
