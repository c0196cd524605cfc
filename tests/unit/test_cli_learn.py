"""`marsad train` and `marsad eval`: clear errors, never a traceback."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from marsad import cli

runner = CliRunner()


def _invoke(*args: str):  # type: ignore[no-untyped-def]
    cli._register()
    return runner.invoke(cli.app, list(args))


def test_eval_refuses_unknown_folds() -> None:
    result = _invoke("eval", "--folds", "7")
    assert result.exit_code == 2
    assert "folds" in result.output and "Traceback" not in result.output
    result = _invoke("eval", "--folds", "a,b")
    assert result.exit_code == 2


def test_train_and_eval_without_a_devset_say_where_they_looked(tmp_path: Path) -> None:
    for command in ("train", "eval"):
        result = _invoke(command, "--eval-dir", str(tmp_path / "missing"))
        assert result.exit_code == 1, result.output
        assert "not found" in result.output and "Traceback" not in result.output


def test_extract_rules_only_and_models_exclude_each_other(tmp_path: Path) -> None:
    report = tmp_path / "r.txt"
    report.write_text("قصفت الطائرات بلدة كفرنبل اليوم.", encoding="utf-8")
    model = tmp_path / "m.json"
    model.write_text("{}", encoding="utf-8")
    result = _invoke("extract", str(report), "--models", str(model), "--rules-only")
    assert result.exit_code == 2 and "exclude" in result.output
    result = _invoke("extract", str(report), "--models", str(tmp_path / "none.json"))
    assert result.exit_code == 2 and "no such file" in result.output


def test_extract_with_a_damaged_model_file_is_one_error_line(tmp_path: Path) -> None:
    report = tmp_path / "r.txt"
    report.write_text("قصفت الطائرات بلدة كفرنبل اليوم.", encoding="utf-8")
    model = tmp_path / "m.json"
    model.write_text("{not json", encoding="utf-8")
    result = _invoke("extract", str(report), "--models", str(model))
    assert result.exit_code == 1
    assert "not valid JSON" in result.output and "Traceback" not in result.output
