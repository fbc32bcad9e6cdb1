"""imbalanced_gan: the Kedro project that benchmarks GAN over-samplers on small data."""

__version__ = "0.1.0"
