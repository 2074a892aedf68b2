"""``jido-persistence bench-postgres-scale``: PostgreSQL at up to millions of messages.

Loaded lazily by core's ``jido-persistence`` group through the entry-point group
``jido_persistence_cli``.  Each size is built with ``COPY`` (:mod:`.pg_copy`), its
callbacks timed as in ``bench`` and its bytes measured (:mod:`.pg_scale`); the
document is the main suite's, so ``bench --from`` reads it too.
"""

from __future__ import annotations

import time
from pathlib import Path

import click
from rich.console import Console

from jido_persistence import PersistenceError
from jido_persistence.errors import redact_text
from jido_persistence_bench import results
from jido_persistence_bench.pg_scale import run_scale
from jido_persistence_bench.report import print_report, render_markdown
from jido_persistence_bench.runner import Job
from jido_persistence_bench.targets import resolve_targets
from jido_persistence_bench.timing import Method

__all__ = ["bench_postgres_scale"]


@click.command("bench-postgres-scale")
@click.option(
    "--sizes",
    default="1000000",
    show_default=True,
    help="Store sizes in messages, comma-separated.",
)
@click.option("--rounds", type=click.IntRange(1), default=15, show_default=True)
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every figure to this JSON file (updated after each size).",
)
@click.option(
    "--markdown",
    "markdown_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report's tables as Markdown to this file.",
)
@click.option("--seed", type=int, default=1, show_default=True)
def bench_postgres_scale(
    sizes: str, rounds: int, json_path: Path | None, markdown_path: Path | None, seed: int
) -> None:
    """Build PostgreSQL stores with COPY, time their callbacks, measure bytes per message.

    Needs JIDO_PERSISTENCE_TEST_POSTGRES_URL (each store in a schema of its own,
    dropped afterwards).
    """
    console = Console()
    try:
        (_, target) = resolve_targets(["postgres"])
    except PersistenceError as error:
        raise click.ClickException(redact_text(str(error))) from error
    try:
        counts = sorted({int(item) for item in sizes.split(",") if item.strip()})
    except ValueError:
        raise click.BadParameter(f"{sizes!r} is not a comma-separated list of integers") from None
    method = Method(rounds=rounds)
    parameters = {
        "targets": [target.public_json()],
        "sizes": counts,
        "method": Job(target, 0, method).to_json()["method"],
        "build": "COPY (jido_persistence_bench.pg_copy), then VACUUM ANALYZE",
        "seed": seed,
    }
    document = results.new_document(
        ["jido-persistence", "bench-postgres-scale", f"--sizes={sizes}", f"--rounds={rounds}"],
        parameters,
        {},
    )
    for size in counts:
        job = Job(target, size, method, seed)
        started = time.perf_counter()
        before = results.load_average()

        def step(text: str, size: int = size) -> None:
            console.print(f"{size:,}: {text}", highlight=False)

        record = run_scale(job, step)
        record["load_average"] = {"start": before, "end": results.load_average()}
        document["runs"].append(record)
        console.print(f"{size:,}: done in {time.perf_counter() - started:.0f} s", highlight=False)
        if json_path is not None:
            results.save(document, json_path)
    print_report(document, console)
    if markdown_path is not None:
        markdown_path.parent.mkdir(parents=True, exist_ok=True)
        markdown_path.write_text(render_markdown(document), encoding="utf-8")
