"""The one registry of over-sampling methods: every pipeline, conf check, report and doc reads it.

A method is one :class:`Method` entry in :data:`METHODS`: its name (as written in
``conf/``), its display name, the kinds of data it tops up (``tabular``, ``image``),
how the experiment template trains it (its ``family``), the library factory that builds
its sampler, the ``conf/`` key that holds its parameters, the paper it comes from and its
documentation page. Nothing else in the project lists methods; CONTRIBUTING.md says how to
add one.

The factories live in the library (``gan_oversamplers``, which never imports Kedro); an
entry names its factory as ``"module:attribute"`` and imports it only when a sampler is
built, so that laying pipelines out never imports torch.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "METHODS",
    "Method",
    "check_methods",
    "get_method",
    "method_names",
    "methods_configured_under",
]

#: How the experiment template trains and applies a method (see ``pipelines/template.py``).
#: ``resample``: one imbalanced-learn ``fit_resample`` node per split (nothing saved but the
#: topped-up set); ``sampler``: a fitted sampler per split (saved), then a top-up node;
#: ``per_class_gans``: GAN-SMOTE's generator per (split, class), grouped over nodes by the
#: training layout (``per_run``, ``per_fold``, ``per_class``), then a top-up node.
FAMILIES = ("resample", "sampler", "per_class_gans")
KINDS = ("tabular", "image")


@dataclass(frozen=True)
class Method:
    """One over-sampling method.

    Attributes
    ----------
    name : str
        Its name in ``conf/`` and in dataset and node names (letters, digits, underscore).
    display : str
        How reports and docs name it.
    kinds : tuple of str
        The data it tops up: ``tabular``, ``image`` or both.
    family : str
        One of :data:`FAMILIES`: how the experiment template trains it.
    factory : str or None
        ``"module:attribute"`` of the library callable that builds its sampler (a class, or
        ``make_baseline``, called with the method's name); ``None``: no sampler (the
        un-topped-up baseline).
    params : dict
        Per kind, the ``conf/`` key of its keyword arguments (``None``: it takes none).
    paper : str
        The paper it comes from (``../shared/papers/<id>_*.txt``), or the library.
    doc : str
        Its page under ``docs/methods/``.
    original_columns : bool
        ``True``: it resamples the decoded (original) columns, categories as categories,
        and its new rows are encoded with the split's encoder (SMOTENC, SMOTEN).
    """

    name: str
    display: str
    kinds: tuple[str, ...]
    family: str
    factory: str | None
    params: dict[str, str | None]
    paper: str
    doc: str
    original_columns: bool = False

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(f"Method {self.name!r}: family must be one of {FAMILIES}")
        if not set(self.kinds) <= set(KINDS) or set(self.params) != set(self.kinds):
            raise ValueError(f"Method {self.name!r}: kinds {self.kinds} and params keys disagree")

    def sampler_factory(self) -> Any:
        """The library callable that builds this method's sampler (imported now)."""
        if self.factory is None:
            raise ValueError(f"Method {self.name!r} has no sampler")
        module, attribute = self.factory.split(":")
        return getattr(importlib.import_module(module), attribute)

    def make_sampler(self, **kwargs: Any) -> Any:
        """Build this method's sampler with ``kwargs`` (``None`` for no over-sampling)."""
        if self.factory is None:
            return None
        factory = self.sampler_factory()
        if self.factory.endswith(":make_baseline"):
            return factory(self.name, **kwargs)
        return factory(**kwargs)

    def params_key(self, kind: str = "tabular") -> str | None:
        """The ``conf/`` key of this method's parameters for ``kind`` data."""
        if kind not in self.params:
            raise ValueError(f"Method {self.name!r} does not top up {kind} data")
        return self.params[kind]


_BASELINE = "gan_oversamplers.baselines:make_baseline"
_BASE = "imbalanced-learn"


def _baseline(name: str, display: str, *, image: bool = False, original: bool = False) -> Method:
    params: dict[str, str | None] = {"tabular": f"baselines.{name}"}
    if image:
        params["image"] = f"images.samplers.{name}"
    return Method(
        name=name,
        display=display,
        kinds=("tabular", "image") if image else ("tabular",),
        family="resample",
        factory=_BASELINE,
        params=params,
        paper="000" if name in ("random_oversampling", "smote") else _BASE,
        doc="baselines.md",
        original_columns=original,
    )


#: Every method, in the order reports list them: GAN-SMOTE, the imbalanced-learn
#: baselines, the generative table samplers, the image samplers.
METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method(
            name="gan_smote",
            display="GAN-SMOTE",
            kinds=("tabular",),
            family="per_class_gans",
            factory="gan_oversamplers.gan_smote:GANSMOTEGenerator",
            params={"tabular": "gan_smote"},
            paper="000",
            doc="gan_smote.md",
        ),
        Method(
            name="no_oversampling",
            display="No over-sampling",
            kinds=("tabular", "image"),
            family="resample",
            factory=None,
            params={"tabular": None, "image": None},
            paper="000",
            doc="baselines.md",
        ),
        _baseline("random_oversampling", "Random over-sampling", image=True),
        _baseline("smote", "SMOTE", image=True),
        _baseline("adasyn", "ADASYN"),
        _baseline("borderline_smote", "Borderline-SMOTE"),
        _baseline("smotenc", "SMOTE-NC", original=True),
        _baseline("smoten", "SMOTE-N", original=True),
        Method(
            name="smotified_gan",
            display="SMOTified-GAN",
            kinds=("tabular",),
            family="sampler",
            factory="gan_oversamplers.smotified_gan:SMOTifiedGAN",
            params={"tabular": "samplers.smotified_gan"},
            paper="001",
            doc="smotified_gan.md",
        ),
        Method(
            name="vanilla_gan",
            display="Vanilla GAN",
            kinds=("tabular",),
            family="sampler",
            factory="gan_oversamplers.vanilla_gan:VanillaGAN",
            params={"tabular": "samplers.vanilla_gan"},
            paper="002",
            doc="vanilla_gan.md",
        ),
        Method(
            name="cgan",
            display="Conditional GAN (tables)",
            kinds=("tabular",),
            family="sampler",
            factory="gan_oversamplers.conditional_gan:ConditionalTableGAN",
            params={"tabular": "samplers.cgan"},
            paper="Mirza & Osindero 2014 (004 for images)",
            doc="conditional_gan.md",
        ),
        Method(
            name="deepsmote",
            display="DeepSMOTE",
            kinds=("image",),
            family="sampler",
            factory="gan_oversamplers.images.deepsmote:DeepSMOTE",
            params={"image": "images.samplers.deepsmote"},
            paper="003",
            doc="deepsmote.md",
        ),
        Method(
            name="dcgan",
            display="DCGAN per class",
            kinds=("image",),
            family="sampler",
            factory="gan_oversamplers.images.dcgan:DCGANOverSampler",
            params={"image": "images.samplers.dcgan"},
            paper="004",
            doc="dcgan.md",
        ),
        Method(
            name="cgan_images",
            display="Conditional GAN (images)",
            kinds=("image",),
            family="sampler",
            factory="gan_oversamplers.images.cgan:ConditionalImageGAN",
            params={"image": "images.samplers.cgan_images"},
            paper="004",
            doc="cgan_images.md",
        ),
        Method(
            name="vanilla_gan_images",
            display="Vanilla GAN (images)",
            kinds=("image",),
            family="sampler",
            factory="gan_oversamplers.images.vanilla:VanillaImageGAN",
            params={"image": "images.samplers.vanilla_gan_images"},
            paper="004",
            doc="vanilla_gan_images.md",
        ),
    )
}


def method_names(kind: str | None = None, family: str | None = None) -> tuple[str, ...]:
    """Names of the registered methods of ``kind`` data and ``family``, in registry order."""
    return tuple(
        m.name
        for m in METHODS.values()
        if (kind is None or kind in m.kinds) and (family is None or m.family == family)
    )


def get_method(name: str, kind: str | None = None) -> Method:
    """The registry entry of ``name``; the error lists the known names."""
    method = METHODS.get(name)
    if method is None or (kind is not None and kind not in method.kinds):
        raise ValueError(
            f"Unknown {kind + ' ' if kind else ''}method {name!r}; choose from "
            f"{list(method_names(kind))} (imbalanced_gan.methods.METHODS)"
        )
    return method


def check_methods(names: Iterable[str], kind: str, key: str) -> tuple[str, ...]:
    """Check the method names that conf key ``key`` lists; the error names key and methods."""
    names = tuple(names)
    unknown = [n for n in names if n not in method_names(kind)]
    if unknown:
        raise ValueError(
            f"{key} has unknown method(s) {unknown}; choose from {list(method_names(kind))} "
            "(imbalanced_gan.methods.METHODS)"
        )
    return names


def methods_configured_under(block: str, kind: str = "tabular") -> tuple[str, ...]:
    """Methods whose parameters live under conf key ``block`` (``baselines``, ``samplers``)."""
    return tuple(
        m.name
        for m in METHODS.values()
        if kind in m.kinds and (m.params[kind] or "").rsplit(".", 1)[0] == block
    )


def methods_table() -> str:
    """The registry as the Markdown table of ``docs/methods/index.md``."""
    lines = [
        "| method | name in `conf/` | data | parameters | paper | page |",
        "|---|---|---|---|---|---|",
    ]
    for m in METHODS.values():
        keys = ", ".join(f"`{k}`" for k in dict.fromkeys(m.params.values()) if k) or "none"
        lines.append(
            f"| {m.display} | `{m.name}` | {', '.join(m.kinds)} | {keys} | {m.paper} | "
            f"[{m.doc[:-3]}]({m.doc}) |"
        )
    return "\n".join(lines)


if __name__ == "__main__":  # python -m imbalanced_gan.methods: the table for the docs
    sys.stdout.write(methods_table() + "\n")
