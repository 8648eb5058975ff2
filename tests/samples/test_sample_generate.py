"""The generator's command line and its reproducibility."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from samples.generate import main


def _digests(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.mark.slow
def test_committed_tree_is_reproducible(tmp_path, samples_root, capsys):
    out = tmp_path / "season"
    assert main(["--out", str(out)]) == 0
    assert "wrote 60 enterprises" in capsys.readouterr().out
    fresh, committed = _digests(out), _digests(samples_root)
    assert sorted(fresh) == sorted(committed)
    changed = [path for path in fresh if fresh[path] != committed[path]]
    assert changed == []


def test_too_few_enterprises_writes_nothing(tmp_path, capsys):
    out = tmp_path / "season"
    assert main(["--out", str(out), "--enterprises", "20"]) == 2
    assert "at least 36 enterprises" in capsys.readouterr().err
    assert not out.exists()


def test_readings_per_household_must_be_positive(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--out", str(tmp_path), "--readings-per-household", "0"])
    assert exit_info.value.code == 2
    assert "--readings-per-household must be at least 1" in capsys.readouterr().err


@pytest.mark.slow
def test_rerun_clears_only_its_own_output(tmp_path):
    out = tmp_path / "season"
    (out / "enterprises" / "stale").mkdir(parents=True)
    (out / "notes.txt").write_text("kept", encoding="utf-8")
    assert (
        main(
            ["--out", str(out), "--enterprises", "36", "--readings-per-household", "1"]
        )
        == 0
    )
    assert not (out / "enterprises" / "stale").exists()
    assert (out / "notes.txt").read_text(encoding="utf-8") == "kept"
    assert len(list((out / "enterprises").iterdir())) == 36
