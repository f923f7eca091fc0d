"""The editor's commands are wired into `python -m bot` and fail clearly on bad arguments."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main

PAGE = Path(__file__).resolve().parents[1] / "data" / "pages" / "ro-RO.txt"


def test_missing_page(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["content", "import", "no-such-page.txt", "--locale", "ro-RO"]) == 2
    assert "No such page: no-such-page.txt" in capsys.readouterr().err


def test_missing_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["content", "import", str(PAGE), "--locale", "ro-RO", "--model", "nope.tar.gz"]) == 2
    assert "No such model: nope.tar.gz" in capsys.readouterr().err


def test_locale_is_required() -> None:
    with pytest.raises(SystemExit):
        main(["content", "import", str(PAGE)])


def test_model_commands_exist(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("train", "evaluate", "list", "publish", "rollback", "serve"):
        with pytest.raises(SystemExit) as exit_info:
            main(["model", command, "--help"])
        assert exit_info.value.code == 0
    assert "--against" in capsys.readouterr().out


def test_unevaluated_model_is_refused_without_a_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from bot.lifecycle import commands, registry
    from tests.lifecycle.test_registry import fake_model

    monkeypatch.setattr(registry, "VERSIONS_DIR", tmp_path / "versions")
    monkeypatch.setattr(commands, "REPORTS_DIR", tmp_path / "reports")
    model = fake_model(tmp_path / "assistant-x.tar.gz", "id-x")
    assert main(["model", "publish", str(model)]) == 1
    assert "refused: no evaluation" in capsys.readouterr().err
    assert not (tmp_path / "versions").exists()
