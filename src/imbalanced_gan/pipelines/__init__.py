"""Pipelines of the project, each a folder with nodes.py and pipeline.py."""
