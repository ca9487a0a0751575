"""`python -m display_board` runs the `display-board` command."""

from display_board.cli import app

app(prog_name="display-board")
