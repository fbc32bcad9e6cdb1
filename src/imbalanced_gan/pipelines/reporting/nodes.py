"""Reporting nodes: collect per-split metrics, aggregate them, draw them."""

from __future__ import annotations

import logging
import platform
import subprocess
import sys
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from imbalanced_gan.evaluation.corrected_t import (  # noqa: E402
    interval_cells,
    paired_comparison,
)
from imbalanced_gan.evaluation.metrics import g_mean_from_confusion  # noqa: E402
from imbalanced_gan.params import (  # noqa: E402
    ClassifierParams,
    DatasetParams,
    EvaluationParams,
    FoldParams,
    GanSmoteParams,
)
from imbalanced_gan.pipelines.classification.nodes import selection_in_words  # noqa: E402

logger = logging.getLogger(__name__)

#: The ``class`` value of rows that aggregate over all classes.
OVERALL = "(all classes)"

#: Metric -> (label, shown as percent?): the columns of the report's method table.
#: ``f1_micro`` (equal to accuracy for single-label classes) and ``g_mean_macro``
#: (imbalanced-learn's sqrt(mean sensitivity x mean specificity)) stay in the CSV files only.
METRICS: dict[str, tuple[str, bool]] = {
    "accuracy": ("Accuracy (%)", True),
    "f1_macro": ("Macro F1", False),
    "balanced_accuracy": ("Balanced accuracy (%)", True),
    "g_mean": ("G-mean", False),
    "f1_minority": ("Minority F1", False),
    "roc_auc": ("ROC-AUC", False),
    "pr_auc": ("PR-AUC", False),
    "train_accuracy_real": ("Accuracy on its real training rows (%)", True),
}

#: What each reported metric is, in words (the report's glossary).
GLOSSARY: dict[str, str] = {
    "accuracy": "share of test rows classified right (micro F1 is the same number for "
    "single-label classes, so it is not repeated)",
    "f1_macro": "unweighted mean over classes of each class's F1",
    "balanced_accuracy": "mean over the classes present in the test part of each class's "
    "recall (ACSA)",
    "train_accuracy_real": "the classifier's accuracy on the real rows it was trained on "
    "(not a test score: far below 100 % means it underfits, whatever the method)",
    "g_mean": "mean over the classes present in the test part of sqrt(sensitivity x "
    "specificity), each class one-vs-rest (paper 003's macro-averaged G-mean; "
    "imbalanced-learn's `average='macro'`, sqrt(mean sensitivity x mean specificity), is "
    "`g_mean_macro` in fold_metrics.csv)",
}


def collect_fold_metrics(*metrics: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Long tables of every split's scores and per-class scores.

    Adds ``g_mean`` (mean of per-class G-means, from the split's confusion matrix; see
    :mod:`imbalanced_gan.evaluation.metrics`). Each score row also carries the split's
    ``positive_label`` (the class of ``f1_minority``) and ``auc_average`` (how ROC-AUC and
    PR-AUC were averaged over classes).
    """
    scores, per_class = [], []
    for record in metrics:
        values = dict(record["scores"])
        if "confusion_matrix" in record:
            values["g_mean"] = g_mean_from_confusion(record["confusion_matrix"])
        for name, value in values.items():
            scores.append(
                {
                    "method": record["method"],
                    "split": record["split"],
                    "metric": name,
                    "value": value,
                    "positive_label": record.get("positive_label"),
                    "auc_average": record.get("probability", {}).get("auc_average"),
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
    """Methods as rows, metrics as columns, cells ``mean ± std`` (paper 000's Table 1 shape).

    ``splits`` is the number of splits scored; a metric undefined on some splits (e.g.
    ROC-AUC on a test part with one class) shows its own count in brackets.
    """
    overall = summary[summary["class"] == OVERALL]
    rows = []
    for method, group in overall.groupby("method", sort=False):
        values = group.set_index("metric")
        splits = int(values["count"].max())
        row = {"method": method}
        for metric, (label, percent) in METRICS.items():
            if metric in values.index:
                cell = _cell(values.at[metric, "mean"], values.at[metric, "std"], percent)
                count = int(values.at[metric, "count"])
                row[label] = cell if count == splits else f"{cell} ({count} splits)"
        row["splits"] = splits
        rows.append(row)
    return pd.DataFrame(rows)


def compare_methods(
    fold_metrics: pd.DataFrame,
    fold_indices: pd.DataFrame,
    evaluation: EvaluationParams,
    *,
    baselines: list[str],
) -> pd.DataFrame:
    """Every method against each baseline: paired differences, corrected t interval, verdict.

    The splits are paired by name (every method is scored on the same splits). The test
    is Nadeau & Bengio's corrected resampled t-test with ``J`` = number of splits
    (Bouckaert & Frank's form for repeated k-fold) and ``n_test / n_train`` from
    ``fold_indices``; see :mod:`imbalanced_gan.evaluation.corrected_t`. A pair is compared
    once: a baseline is not compared again with a baseline listed before it.
    """
    sizes = (
        fold_indices.groupby(["split", "part"]).size().unstack("part", fill_value=0)
        .rename(columns={"train": "n_train", "test": "n_test"})
        .reset_index()
    )  # fmt: skip
    return paired_comparison(
        fold_metrics[["method", "split", "metric", "value"]],
        sizes,
        baselines,
        evaluation.compare_metrics,
        evaluation.confidence,
    )


def _protocol_text(
    folds: FoldParams, classifier: ClassifierParams, evaluation: EvaluationParams
) -> list[str]:
    j = folds.n_splits * folds.n_repeats
    level = f"{100 * evaluation.confidence:g} %"
    return [
        "## How this was measured",
        "",
        f"Repeated stratified k-fold cross-validation, k = {folds.n_splits}, r = "
        f"{folds.n_repeats} (J = {j} splits); every method is scored on the same splits. "
        f"Classifier `{classifier.name}`; its seed is derived from the run's seed and the "
        "split, so it varies with the fold and the repeat and is the same for every method "
        f"of a split. {selection_in_words(classifier, folds.validation_fraction)} Encoders, scalers and over-samplers were fitted on each split's training "
        "part only; test parts hold real rows only. Cells are mean ± sample standard "
        "deviation over the splits.",
        "",
        f"Paired comparison: for each split, the method's score minus the baseline's; the "
        f"mean of these differences with a {level} interval from Nadeau & Bengio's corrected "
        "resampled t-test (variance times 1/J + n_test/n_train, J - 1 degrees of freedom; "
        "Bouckaert & Frank's correction for repeated k-fold). A method is called **better** "
        "or **worse** than a baseline only when the interval excludes zero; otherwise there "
        "is **no detectable difference**.",
        "",
    ]


def _glossary(fold_metrics: pd.DataFrame | None) -> list[str]:
    lines = ["## What the columns mean", ""]
    for metric, (label, _) in METRICS.items():
        if metric in GLOSSARY:
            lines.append(f"- **{label}**: {GLOSSARY[metric]}.")
    minority = "the F1 of one class, the one with the fewest real training rows of each split"
    auc = "one-vs-rest, averaged over classes"
    if fold_metrics is not None and not fold_metrics.empty:
        labels = fold_metrics.get("positive_label", pd.Series(dtype=object))
        labels = labels.astype(object).where(labels.notna()).dropna().astype(str)
        counts = labels.groupby(fold_metrics.loc[labels.index, "split"]).first().value_counts()
        if len(counts) == 1:
            minority = f"the F1 of class {counts.index[0]!r} (the class with the fewest real training rows in every split)"
        elif len(counts) > 1:
            minority += ": " + ", ".join(f"class {c!r} in {n} splits" for c, n in counts.items())
        averages = {str(v) for v in fold_metrics.get("auc_average", pd.Series()).dropna()}
        if averages == {"binary"}:
            auc = "of the minority (positive) class against the other"
        elif averages == {"macro_ovr"}:
            auc = (
                "macro mean of one-vs-rest scores over the classes present in each test "
                "part (a class absent from a test part is left out of that split's mean)"
            )
    lines += [
        f"- **Minority F1**: {minority}; undefined (left out) on a split whose test part "
        "lacks the class and whose predictions never name it.",
        f"- **ROC-AUC / PR-AUC**: areas under the ROC curve and the precision-recall curve "
        f"(average precision) of the predicted probabilities, {auc}.",
        "- **splits**: splits scored; a cell with its own count in brackets is undefined on "
        "the other splits.",
        "",
    ]
    return lines


def _class_splits(summary: pd.DataFrame, total: int) -> list[str]:
    """Per class, the number of splits whose test part holds it, where fewer than all."""
    by_class = summary[(summary["class"] != OVERALL) & (summary["metric"] == "recall")]
    counts = by_class.pivot(index="class", columns="method", values="count")
    short = counts[(counts < total).any(axis=1)]
    if short.empty:
        return []
    lines = [
        "## Classes missing from some test parts",
        "",
        f"Per-class scores of these classes come from fewer than the {total} splits (the "
        "class is too small to reach every test part):",
        "",
    ]
    if (short.nunique(axis=1) == 1).all():
        lines.append(_markdown(short.iloc[:, :1].astype(int).set_axis(["splits"], axis=1)
                               .reset_index()))  # fmt: skip
    else:
        lines.append(_markdown(short.astype("Int64").reset_index()))
    return [*lines, ""]


def _paired_section(paired: pd.DataFrame | None, evaluation: EvaluationParams) -> list[str]:
    lines = ["## Paired differences against each baseline", ""]
    if paired is None or paired.empty:
        return [*lines, "Only one method was run: nothing to compare.", ""]
    level = f"{100 * evaluation.confidence:g} %"
    for metric in dict.fromkeys(paired["metric"]):
        part = paired[paired["metric"] == metric]
        label, percent = METRICS.get(metric, (metric, False))
        scale, unit, digits = (100.0, " (percentage points)", 2) if percent else (1.0, "", 3)
        lines += [
            f"### {label}",
            "",
            f"Difference = method - baseline{unit}, mean over {int(part['n_splits'].max())} "
            f"splits [{level} interval]; p from the corrected resampled t-test.",
            "",
            _markdown(
                pd.DataFrame(
                    {
                        "method": part["method"],
                        "baseline": part["baseline"],
                        "difference": interval_cells(part, scale, digits),
                        "p": [f"{p:.3f}" if np.isfinite(p) else "n/a" for p in part["p_value"]],
                        "verdict": part["verdict"],
                    }
                )
            ),
            "",
        ]
    return lines


def render_report(
    summary: pd.DataFrame,
    data_profile: dict[str, Any],
    folds: FoldParams,
    classifier: ClassifierParams,
    generator_health: pd.DataFrame | None = None,
    fold_metrics: pd.DataFrame | None = None,
    paired: pd.DataFrame | None = None,
    evaluation: EvaluationParams | None = None,
) -> str:
    """A Markdown report a newcomer reads right.

    The method table (mean ± std), the paired differences against each baseline with
    their intervals and verdicts, what each column means (which class "Minority F1" is,
    how ROC-AUC and PR-AUC are averaged), classes missing from some test parts, per-class
    recall, GAN health, and the protocol in words.
    """
    evaluation = evaluation or EvaluationParams()
    table = method_table(summary)
    recall = summary[(summary["class"] != OVERALL) & (summary["metric"] == "recall")]
    recall_table = recall.pivot(index="method", columns="class", values="mean").reindex(
        table["method"]
    )
    total = int(table["splits"].max()) if not table.empty else 0
    lines = [
        f"# Over-sampling report: {data_profile['dataset']}",
        "",
        f"{data_profile['n_rows']} rows, classes {data_profile['class_counts']}; "
        f"{folds.n_splits}-fold stratified CV x {folds.n_repeats} repeat(s) = "
        f"{folds.n_splits * folds.n_repeats} splits; classifier `{classifier.name}`.",
        "Cells are mean ± sample standard deviation over the splits' test parts.",
        "",
        _markdown(table),
        "",
        *_paired_section(paired, evaluation),
        *_glossary(fold_metrics),
        *_class_splits(summary, total),
        "## Mean recall per class (%)",
        "",
        _markdown((100 * recall_table).round(2).reset_index()),
        "",
    ]
    if generator_health is not None:
        lines += _health_section(generator_health)
    lines += _protocol_text(folds, classifier, evaluation)
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


def code_commit() -> str | None:
    """The git commit of the running code (``+dirty`` with uncommitted changes), or None."""
    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=here, capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{commit}+dirty" if dirty else commit


def write_manifest(
    seed: int,
    dataset: DatasetParams,
    folds: FoldParams,
    gan_smote: GanSmoteParams,
    classifier: ClassifierParams,
    evaluation: EvaluationParams | None = None,
) -> dict[str, Any]:
    """The seed, configuration, code commit and library versions of the run."""
    packages = ["kedro", "torch", "scikit-learn", "imbalanced-learn", "numpy", "pandas"]
    return {
        "commit": code_commit(),
        "seed": seed,
        "dataset": asdict(dataset),
        "folds": asdict(folds),
        "gan_smote": asdict(gan_smote),
        "classifier": asdict(classifier),
        "evaluation": asdict(evaluation or EvaluationParams()),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": {name: metadata.version(name) for name in packages},
    }
