"""``image_benchmark`` on digits, in memory with SequentialRunner, tiny settings."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner

from imbalanced_gan.datasets.images import ImageDataset
from imbalanced_gan.methods import Method
from imbalanced_gan.pipelines.images import nodes
from imbalanced_gan.pipelines.images.params import (
    IMAGE_METHODS,
    ImageClassifierParams,
    ImageDatasetParams,
    ImageFoldParams,
    ImageSamplerParams,
    ImbalanceParams,
)
from imbalanced_gan.pipelines.images.pipeline import (
    image_layout_from_params,
    image_pipeline,
    read_image_layout,
    register_image_pipelines,
)
from tests.conftest import PROJECT

# 3-image classes in a 2-fold split: SMOTE and DeepSMOTE shrink k (warned); expected here
pytestmark = pytest.mark.filterwarnings("ignore:.*k_neighbors:UserWarning")

TINY_GAN = {"epochs": 1, "batch_size": 32}
PARAMS = {
    "seed": 5,
    "images": {
        "dataset": {"name": "digits"},
        "imbalance": {
            "class_sizes": [4000, 2000, 1000, 750, 500, 350, 200, 100, 60, 40],
            "scale": 0.01,  # 40, 20, 10, 8, then 6 per class: a few hundred images
            "min_class_size": 6,
            "balanced_test_per_class": 10,
        },
        "folds": {"n_splits": 2},
        "methods": list(IMAGE_METHODS),
        "samplers": {
            "deepsmote": TINY_GAN,
            "dcgan": TINY_GAN,
            "cgan_images": TINY_GAN,
            "vanilla_gan_images": TINY_GAN,
            "smote": {"k_neighbors": 3},
        },
        "classifier": {"epochs": 1, "width": 4},
    },
}
TYPES = {
    "dataset": ImageDatasetParams,
    "imbalance": ImbalanceParams,
    "folds": ImageFoldParams,
    "samplers": ImageSamplerParams,
    "classifier": ImageClassifierParams,
}
SPLITS = ("fold_00", "fold_01")


class KeptDataset(MemoryDataset):
    """A MemoryDataset that the runner cannot release, so the test can inspect it."""

    def _release(self) -> None:
        pass


@pytest.fixture(scope="module")
def run():
    """Run ``image_benchmark`` once, recording the images every sampler was fitted on."""
    seen = []
    original = Method.sampler_factory

    def spying(self):
        cls = original(self)
        if self.family != "sampler" or "image" not in self.kinds:
            return cls
        method = self.name

        class Spy(cls):
            def fit_generators(self, X, y, counts=None):
                seen.append((method, np.asarray(X).copy()))
                return super().fit_generators(X, y, counts=counts)

        Spy.__name__ = cls.__name__
        return Spy

    mp = pytest.MonkeyPatch()
    mp.setattr(Method, "sampler_factory", spying)
    try:
        layout = image_layout_from_params(PARAMS)
        pipeline = image_pipeline(layout, layout.methods)
        catalog = DataCatalog({"digits.images.raw": MemoryDataset(ImageDataset("digits").load())})
        catalog["params:seed"] = PARAMS["seed"]
        for key, kind in TYPES.items():
            catalog[f"params:images.{key}"] = kind(**PARAMS["images"][key])
        for name in pipeline.datasets():
            if name not in catalog:
                catalog[name] = KeptDataset(copy_mode="assign")
        SequentialRunner().run(pipeline, catalog)
    finally:
        mp.undo()
    return catalog, seen


def test_every_method_is_scored_on_both_test_sets_for_every_fold(run):
    catalog, _ = run
    fold_metrics = catalog.load("digits.images.fold_metrics")
    counts = fold_metrics.groupby(["method", "test_set"])["split"].nunique()
    assert set(counts.index) == {(m, t) for m in IMAGE_METHODS for t in ("imbalanced", "balanced")}
    assert set(counts) == {2}
    assert set(fold_metrics["metric"]) == {
        "balanced_accuracy",
        "g_mean_macro",
        "f1_macro",
        "accuracy",
    }
    assert fold_metrics["value"].between(0, 1).all()
    summary = catalog.load("digits.images.summary_table")
    row = summary[
        (summary["method"] == "smote")
        & (summary["test_set"] == "balanced")
        & (summary["metric"] == "balanced_accuracy")
        & (summary["class"] == "(all classes)")
    ]
    values = fold_metrics[
        (fold_metrics["method"] == "smote")
        & (fold_metrics["test_set"] == "balanced")
        & (fold_metrics["metric"] == "balanced_accuracy")
    ]["value"]
    assert row["mean"].item() == pytest.approx(values.mean())
    assert row["std"].item() == pytest.approx(values.std(ddof=1))
    report = catalog.load("digits.images.report_markdown")
    assert "## Balanced test set" in report and "## Imbalanced test set" in report
    for method in IMAGE_METHODS:
        assert f"| {method} |" in report


def test_acsa_is_the_mean_per_class_recall_and_matrices_add_up(run):
    catalog, _ = run
    metrics = catalog.load("digits.images.fold_01.deepsmote.metrics")
    balanced = metrics["test_sets"]["balanced"]
    recalls = [v["recall"] for v in balanced["per_class"].values()]
    assert balanced["scores"]["balanced_accuracy"] == pytest.approx(np.mean(recalls))
    matrix = np.asarray(balanced["confusion_matrix"])
    assert matrix.shape == (10, 10) and matrix.sum() == balanced["n_images"] == 100
    assert set(matrix.sum(axis=1)) == {10}  # 10 per class: balanced
    summed = catalog.load("digits.images.confusion_matrices")
    assert np.asarray(summed["balanced"]["deepsmote"]).sum() == 200  # 2 folds x 100


def test_top_up_brings_every_class_to_the_fold_majority(run):
    catalog, _ = run
    imbalanced = catalog.load("digits.images.imbalanced")
    folds = catalog.load("digits.images.fold_indices")
    for split in SPLITS:
        _, y = nodes._part(imbalanced, folds, split, "train")
        real = {c: int(np.sum(y == c)) for c in imbalanced["classes"]}
        majority = max(real.values())
        for method in IMAGE_METHODS:
            synthetic = catalog.load(f"digits.images.{split}.{method}.synthetic")
            new = {c: int(np.sum(synthetic["labels"] == c)) for c in real}
            if method == "no_oversampling":
                assert sum(new.values()) == 0
            else:
                assert {c: real[c] + new[c] for c in real} == dict.fromkeys(real, majority), method
                assert synthetic["images"].shape[1:] == (1, 8, 8)


def test_samplers_only_ever_see_their_folds_training_images(run):
    catalog, seen = run
    imbalanced = catalog.load("digits.images.imbalanced")
    folds = catalog.load("digits.images.fold_indices")
    train = {s: nodes._part(imbalanced, folds, s, "train")[0] for s in SPLITS}
    assert sorted(m for m, _ in seen) == sorted(
        [m for m in IMAGE_METHODS if m in nodes.GENERATIVE_METHODS] * 2
    )
    for method, X in seen:
        assert any(X.shape == t.shape and np.array_equal(X, t) for t in train.values()), method
    balanced = catalog.load("digits.images.balanced_test")
    assert not set(balanced["source_index"]) & set(imbalanced["source_index"])


def test_pictures_for_every_method_that_adds_images(run):
    catalog, _ = run
    for method in IMAGE_METHODS:
        names = [f"digits.images.{method}.image_grid", f"digits.images.{method}.pca_plot"]
        if method == "no_oversampling":
            assert all(name not in catalog for name in names)
            continue
        for name in names:
            assert isinstance(catalog.load(name), plt.Figure)
    plt.close("all")


def test_layout_comes_from_conf_and_names_bad_keys():
    layout = read_image_layout("local", PROJECT)
    assert layout.dataset == "digits" and layout.n_splits == 5 and "deepsmote" in layout.methods
    assert read_image_layout("test", PROJECT).n_splits == 2
    with pytest.raises(ValueError, match=r"images.methods has unknown method\(s\) \['gamo'\]"):
        image_layout_from_params({"images": {"dataset": {"name": "d"}, "methods": ["gamo"]}})
    with pytest.raises(KeyError, match="images.dataset.name"):
        image_layout_from_params({"images": {"folds": {}}})


def test_one_pipeline_per_generative_method_needs_only_raw_images_and_params():
    layout = image_layout_from_params(PARAMS)
    pipelines = register_image_pipelines(layout)
    assert set(pipelines) == {"image_benchmark", *nodes.GENERATIVE_METHODS}
    for method in nodes.GENERATIVE_METHODS:
        pipeline = pipelines[method]
        assert {n.name.split(".")[2] for n in pipeline.nodes} == {
            method,
            "reporting",
            "make_folds",
            "impose_imbalance",
        }
        free = {i for i in pipeline.inputs() if not i.startswith("params:")}
        assert free == {"digits.images.raw"}


def test_lineage_every_image_sampler_and_cnn_saw_only_its_folds_training_images(run):
    from imbalanced_gan.lineage import LeakageError, check_lineage, record_rows

    catalog, _ = run
    folds = catalog.load("digits.images.fold_indices")
    objects = {}
    for split in SPLITS:
        for method in IMAGE_METHODS:
            out = f"digits.images.{split}.{method}"
            objects[(split, f"{method}.classifier")] = catalog.load(f"{out}.classifier")
            if method in nodes.GENERATIVE_METHODS:
                objects[(split, f"{method}.sampler")] = catalog.load(f"{out}.sampler")
            elif method != "no_oversampling":  # pixel-space SMOTE / copies stamp their images
                objects[(split, f"{method}.synthetic")] = catalog.load(f"{out}.synthetic")
    assert check_lineage(folds, objects) == len(objects) >= 2 * len(IMAGE_METHODS)
    # mutation: a CNN of fold_00 that had seen fold_01's training images is caught
    leaky = record_rows(object.__new__(type("CNN", (), {})), nodes._rows(folds, "fold_01", "train"))
    with pytest.raises(LeakageError, match="fold_00/cnn"):
        check_lineage(folds, {**objects, ("fold_00", "cnn"): leaky})
