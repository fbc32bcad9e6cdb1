"""``kedro versions list`` / ``prune``: keep the newest N versions of each versioned dataset."""

from __future__ import annotations

from click.testing import CliRunner

from imbalanced_gan.versions import find_versioned, prune, versions_cli

STAMPS = [f"2026-01-0{d}T10.00.00.000Z" for d in range(1, 6)]


def make_data(root):
    """Two tables: lymphography's report (5 versions), toy's model (2), an unversioned file."""
    for stamp in STAMPS:
        report = root / "08_reporting/lymphography/report.md" / stamp / "report.md"
        report.parent.mkdir(parents=True)
        report.write_text("x" * 100)
    for stamp in STAMPS[:2]:
        model = root / "06_models/toy/fold_00/gan_smote/generator_a.pkl" / stamp / "generator_a.pkl"
        model.parent.mkdir(parents=True)
        model.write_bytes(b"0" * 10)
    (root / "01_raw").mkdir()
    (root / "01_raw/toy.csv").write_text("a,b\n")


def test_prune_keeps_the_newest_versions_of_each_dataset(tmp_path):
    make_data(tmp_path)
    found = {e.table: e for e in find_versioned(tmp_path)}
    assert sorted(found) == ["lymphography", "toy"]
    assert found["lymphography"].versions == tuple(STAMPS)

    removed, freed = prune(tmp_path, keep=3, dry_run=True)
    assert len(removed) == 2 and freed == 200
    assert len(find_versioned(tmp_path)[1].versions) == 5  # dry run: nothing removed

    removed, freed = prune(tmp_path, keep=1, table="lymphography")
    assert freed == 400
    report = tmp_path / "08_reporting/lymphography/report.md"
    assert sorted(p.name for p in report.iterdir()) == [STAMPS[-1]]  # the newest stays
    assert len({e.table: e for e in find_versioned(tmp_path)}["toy"].versions) == 2
    assert (tmp_path / "01_raw/toy.csv").exists()


def test_the_cli_lists_and_prunes(tmp_path):
    make_data(tmp_path)
    runner = CliRunner()
    listed = runner.invoke(versions_cli, ["list", "--data", str(tmp_path)])
    assert listed.exit_code == 0
    assert "lymphography: 1 datasets, up to 5 versions each" in listed.output
    pruned = runner.invoke(versions_cli, ["prune", "--keep", "2", "--data", str(tmp_path)])
    assert pruned.exit_code == 0 and "Removed 3 old version(s)" in pruned.output
    bad = runner.invoke(versions_cli, ["prune", "--keep", "0", "--data", str(tmp_path)])
    assert bad.exit_code != 0 and "keep must be at least 1" in bad.output
