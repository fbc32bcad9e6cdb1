"""``gan_smote.device`` reaches the GAN-SMOTE generators and is validated."""

import pytest

from imbalanced_gan.params import GanSmoteParams

TINY = {"epochs": 2}


def test_device_defaults_to_auto_and_rejects_unknown_names():
    assert GanSmoteParams(schedule="tiny", schedules={"tiny": TINY}).device == "auto"
    assert GanSmoteParams(schedule="tiny", schedules={"tiny": TINY}, device="cpu").device == "cpu"
    with pytest.raises(ValueError, match="gan_smote.device must be"):
        GanSmoteParams(schedule="tiny", schedules={"tiny": TINY}, device="gpu")
