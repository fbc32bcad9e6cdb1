"""The one registry of methods: what every pipeline, conf check and doc page reads."""

from __future__ import annotations

import pytest

from imbalanced_gan.layout import benchmark_layout_from_params, layout_from_params, read_parameters
from imbalanced_gan.methods import METHODS, get_method, method_names
from imbalanced_gan.params import BaselineParams, SamplerParams
from imbalanced_gan.pipelines.images.params import ImageSamplerParams
from tests.conftest import PROJECT


def conf_value(params: dict, key: str):
    value = params
    for part in key.split("."):
        assert isinstance(value, dict) and part in value, key
        value = value[part]
    return value


@pytest.fixture(scope="module")
def base_params() -> dict:
    return read_parameters("local", PROJECT)


@pytest.mark.parametrize("name", list(METHODS))
def test_every_method_has_its_factory_conf_and_doc_page(name, base_params):
    method = METHODS[name]
    assert (PROJECT / "docs" / "methods" / method.doc).exists(), method.doc
    assert method.name in (PROJECT / "docs" / "methods" / method.doc).read_text()
    for kind in method.kinds:
        key = method.params_key(kind)
        if key is not None:
            assert isinstance(conf_value(base_params, key), dict), key
    if method.factory is None:
        assert method.make_sampler() is None
    else:
        assert callable(method.sampler_factory())


def test_samplers_build_from_the_registry_with_their_conf(base_params):
    smote = get_method("smote").make_sampler(random_state=0, k_neighbors=3)
    assert type(smote).__name__ == "SafeSMOTE" and smote.k_neighbors == 3
    cgan = get_method("cgan").make_sampler(random_state=0, **base_params["samplers"]["cgan"])
    assert type(cgan).__name__ == "ConditionalTableGAN"


def test_library_name_maps_agree_with_the_registry():
    """The library's by-name lookups (its factory side) list exactly the registry's methods."""
    from gan_oversamplers.baselines import BASELINES
    from gan_oversamplers.images import IMAGE_SAMPLERS
    from gan_oversamplers.registry import TABLE_SAMPLERS

    assert set(TABLE_SAMPLERS) == set(method_names("tabular", "sampler"))
    assert set(IMAGE_SAMPLERS) == set(method_names("image", "sampler"))
    assert set(BASELINES) == set(method_names("tabular", "resample"))
    for name, cls in {**TABLE_SAMPLERS, **IMAGE_SAMPLERS}.items():
        assert METHODS[name].sampler_factory() is cls


def test_kinds_and_families_select_methods():
    assert method_names("image", "resample") == ("no_oversampling", "random_oversampling", "smote")
    assert "gan_smote" not in method_names("image")
    assert get_method("smotenc").original_columns and not get_method("smote").original_columns
    with pytest.raises(ValueError, match="Unknown image method 'gan_smote'"):
        get_method("gan_smote", "image")


def test_conf_naming_an_unknown_method_fails_with_the_key(base_params):
    params = {**base_params, "gan_smote": {**base_params["gan_smote"], "compare_with": ["smot"]}}
    with pytest.raises(ValueError, match=r"gan_smote\.compare_with .*'smot'"):
        layout_from_params(params, "local")
    bench = {**base_params["benchmark"], "methods": ["smote", "deepsmote"]}
    with pytest.raises(ValueError, match=r"benchmark\.methods .*'deepsmote'"):
        benchmark_layout_from_params({**base_params, "benchmark": bench})
    with pytest.raises(ValueError, match=r"baselines has unknown method\(s\) \['smtoe'\]"):
        BaselineParams(smtoe={})
    with pytest.raises(ValueError, match=r"samplers has unknown method\(s\) \['smote'\]"):
        SamplerParams(smote={})  # a baseline's block under samplers
    with pytest.raises(ValueError, match=r"images.samplers has unknown method\(s\) \['cgan'\]"):
        ImageSamplerParams(cgan={})  # the tabular cGAN under images
    assert BaselineParams(smote={"k_neighbors": 2}).of("adasyn") == {}


def test_the_methods_page_shows_the_registry():
    from imbalanced_gan.methods import methods_table

    page = (PROJECT / "docs" / "methods" / "index.md").read_text()
    assert methods_table() in page, "run python -m imbalanced_gan.methods; paste its table"
