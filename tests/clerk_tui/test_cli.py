"""The `clerk-tui` command line: its options, and a bad key file stopping it with a reason."""

from pathlib import Path

from typer.testing import CliRunner

from clerk_tui.cli import app


def test_help_names_the_options() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for option in ("--server", "--window", "--keys"):
        assert option in result.output


def test_a_bad_key_file_stops_before_the_console_starts(tmp_path: Path) -> None:
    keys = tmp_path / "keys.toml"
    keys.write_text('[keys]\nfinish = "f1"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["--server", "http://127.0.0.1:9", "--keys", str(keys)])
    assert result.exit_code == 2
    assert "bound to both" in result.output
