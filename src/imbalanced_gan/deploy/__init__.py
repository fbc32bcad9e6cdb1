"""Deployment helpers (Airflow). Nothing here imports Airflow itself."""
