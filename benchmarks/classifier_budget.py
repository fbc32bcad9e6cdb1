"""What ``classifier.max_updates`` (the MLP's budget of gradient updates) costs in scores.

    python benchmarks/classifier_budget.py

On two of benchmarks/scale.py's generated tables (``binary_3k``, ``numeric_10k``), the
first two of five stratified folds: each training part topped up by random over-sampling,
scaled on itself, then the default MLP (1 x 100, Adam) trained within the project's default
budget (conf/base ``classifier.max_updates``) and for the fixed 200 epochs; test accuracy,
macro F1 and fit seconds per fold into ``benchmarks/results/classifier_budget.json``, with
the load average (the machine may be shared).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import yaml
from imblearn.over_sampling import RandomOverSampler
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from scale import SIZES, code_commit, make_table  # noqa: E402

from imbalanced_gan.pipelines.classification.nodes import epoch_budget  # noqa: E402


def main() -> None:
    conf = yaml.safe_load((HERE.parent / "conf/base/parameters.yml").read_text())
    budget = conf["classifier"]["max_updates"]
    settings = {"solver": "adam", "max_iter": 200}
    out = {"max_updates": budget, "commit": code_commit(), "tables": {}}
    load_before = os.getloadavg()
    for name in ("binary_3k", "numeric_10k"):
        rows, columns, kind, _ = SIZES[name]
        table = make_table(rows, columns, kind)
        X, y = table.drop(columns="label").to_numpy(float), table["label"].to_numpy()
        folds = StratifiedKFold(5, shuffle=True, random_state=0).split(X, y)
        result: dict[str, list] = {"budget": [], "200_epochs": []}
        for fold, (train, test) in zip(range(2), folds, strict=False):
            X_up, y_up = RandomOverSampler(random_state=0).fit_resample(X[train], y[train])
            low, high = X[train].min(0), X[train].max(0)
            span = np.where(high > low, high - low, 1.0)
            for key, epochs in (
                ("budget", epoch_budget(settings, len(y_up), budget)),
                ("200_epochs", 200),
            ):
                model = MLPClassifier((100,), max_iter=epochs, random_state=fold)
                started = time.perf_counter()
                with threadpool_limits(1):
                    model.fit((X_up - low) / span, y_up)
                predicted = model.predict((X[test] - low) / span)
                result[key].append(
                    {
                        "fold": fold,
                        "training_rows": len(y_up),
                        "max_iter": epochs,
                        "epochs_run": int(model.n_iter_),
                        "fit_s": round(time.perf_counter() - started, 1),
                        "accuracy": round(accuracy_score(y[test], predicted), 4),
                        "f1_macro": round(f1_score(y[test], predicted, average="macro"), 4),
                    }
                )
        out["tables"][name] = result
        print(name, json.dumps(result), flush=True)
    out["load_average_before"] = [round(x, 2) for x in load_before]
    out["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results/classifier_budget.json").write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
