"""`display-board`: its commands and readable refusals of bad options."""

from typer.testing import CliRunner

from display_board.cli import app

runner = CliRunner()


def test_the_three_commands_are_listed() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("hall", "window", "announce"):
        assert command in result.output


def test_bad_window_ranges_are_refused_readably() -> None:
    result = runner.invoke(
        app, ["announce", "--server", "http://127.0.0.1:9", "--token", "t", "--windows", "8-1"]
    )
    assert result.exit_code == 2
    assert "窗口范围无效" in result.output


def test_no_play_without_an_out_dir_is_refused() -> None:
    result = runner.invoke(
        app, ["announce", "--server", "http://127.0.0.1:9", "--token", "t", "--no-play"]
    )
    assert result.exit_code == 2
    assert "--no-play needs --out-dir" in result.output


def test_window_numbers_are_checked() -> None:
    result = runner.invoke(app, ["window", "0", "--server", "http://127.0.0.1:9", "--token", "t"])
    assert result.exit_code == 2


def test_the_boards_state_their_smallest_terminal() -> None:
    hall = runner.invoke(app, ["hall", "--help"], terminal_width=200)
    window = runner.invoke(app, ["window", "--help"], terminal_width=200)
    assert "100×30" in hall.output and "80×24" in window.output
