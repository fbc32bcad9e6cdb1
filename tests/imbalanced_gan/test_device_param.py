"""``gan_smote.device`` reaches the GAN-SMOTE generators and is validated."""

import pytest

from imbalanced_gan.params import GanSmoteParams

TINY = {"epochs": 2}


def test_device_defaults_to_auto_and_rejects_unknown_names():
    assert GanSmoteParams(schedule="tiny", schedules={"tiny": TINY}).device == "auto"
    assert GanSmoteParams(schedule="tiny", schedules={"tiny": TINY}, device="cpu").device == "cpu"
    with pytest.raises(ValueError, match="gan_smote.device must be"):
        GanSmoteParams(schedule="tiny", schedules={"tiny": TINY}, device="gpu")


def test_sampler_blocks_get_the_shared_device_unless_they_set_their_own():
    from imbalanced_gan.params import SamplerParams
    from imbalanced_gan.pipelines.images.params import ImageSamplerParams

    samplers = SamplerParams(vanilla_gan={"epochs": 3, "device": "cuda"}, device="cpu")
    assert samplers.for_method("smotified_gan")["device"] == "cpu"
    assert samplers.for_method("vanilla_gan")["device"] == "cuda"
    images = ImageSamplerParams(device="cpu")
    assert images.of("dcgan") == {"device": "cpu"}
    assert "device" not in images.of("smote")  # imbalanced-learn's samplers have none


@pytest.mark.parametrize("bad", [0, 1.5, True, "all"])
def test_gan_smote_n_jobs_in_conf_is_validated_by_name(bad):
    assert GanSmoteParams(schedule="tiny", schedules={"tiny": {"epochs": 2}}).n_jobs == -1
    with pytest.raises(ValueError, match=r"gan_smote.n_jobs must be a non-zero integer"):
        GanSmoteParams(schedule="tiny", schedules={"tiny": {"epochs": 2}}, n_jobs=bad)
