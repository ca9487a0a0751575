"""`python -m benchmarks`: run every benchmark against real servers and save the results."""

from pathlib import Path
from typing import Annotated, Any

import typer

from benchmarks import issue, report
from benchmarks.runner import run_suite


def main(
    quick: Annotated[
        bool, typer.Option(help="Tiny sizes, one run each: proves the harness, in ~30 s")
    ] = False,
    only: Annotated[
        list[str] | None,
        typer.Option("--only", help="Run only this benchmark (repeatable): issuance, …"),
    ] = None,
    repeats: Annotated[int, typer.Option(help="Runs per figure (the median is shown)")] = 3,
    issue_seconds: Annotated[int, typer.Option(help="How long each wrk run lasts")] = 5,
    kiosks: Annotated[
        list[int] | None,
        typer.Option("--kiosks", help="Concurrent kiosks (repeatable) [default: 1, 16, 64]"),
    ] = None,
    boards: Annotated[
        list[int] | None,
        typer.Option("--boards", help="Board counts (repeatable) [default: 10, 100, 1000]"),
    ] = None,
    calls: Annotated[int, typer.Option(help="Calls measured per delivery run")] = 100,
    city_calls: Annotated[
        int, typer.Option(help="Calls measured per hall in each city call → board run")
    ] = 30,
    status_pages: Annotated[
        int, typer.Option(help="Status pages open in the call → status pages runs")
    ] = 2000,
    save: Annotated[bool, typer.Option(help="Write the results to --results-dir")] = True,
    results_dir: Annotated[
        Path, typer.Option(help="Where the JSON (and latest.md) go")
    ] = report.RESULTS_DIR,
) -> None:
    """Measure issuing, call → board delivery and concurrent call-next (and every benchmark
    registered in benchmarks/catalog.py); print one table, save JSON."""
    options: dict[str, Any] = {
        "repeats": repeats,
        "issue_seconds": issue_seconds,
        "calls": calls,
        "city_calls": city_calls,
        "status_pages": status_pages,
    }
    if kiosks:
        options["kiosks"] = tuple(kiosks)
    if boards:
        options["boards"] = tuple(boards)
    try:
        issue.require_wrk()
    except issue.WrkMissing as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(code=2) from error
    try:
        results = run_suite(
            quick=quick,
            only=only or (),
            options=options,
            results_dir=results_dir if save else None,
        )
    except ValueError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(code=2) from error
    if not results.passed:
        raise typer.Exit(code=1)


if __name__ == "__main__":
    typer.run(main)
