"""The ``ftzkg`` command: a thin layer over the library.

Each command parses its options, calls one library function, formats the
result and picks the exit code: 0 ok, 1 validation failures, 2 unusable input.
"""

from __future__ import annotations

import json
import sys

import click

from . import __version__
from .knowledge_graph import KnowledgeGraph
from .namespaces import shorten
from .parsing import RdfInputError

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_UNUSABLE = 2


def fail(message: str, code: int = EXIT_UNUSABLE) -> None:
    """Print one error line to standard error and exit with ``code``."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def load_kg() -> KnowledgeGraph:
    """The project's knowledge graph, or exit 2 naming the file that does not parse."""
    try:
        return KnowledgeGraph.load()
    except RdfInputError as exc:
        fail(str(exc))
        raise  # unreachable: fail exits


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ftzkg")
def main() -> None:
    """Build, validate, query, load and serve the free trade zone knowledge graph.

    Exit codes: 0 ok, 1 validation failures, 2 unusable input, 3 store or network failure.
    """


# ---------------------------------------------------------------- stats


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def stats(fmt: str) -> None:
    """Count triples per named graph and instances per class.

    \b
    Example:
      ftzkg stats
      ftzkg stats --format json
    """
    result = load_kg().stats()
    if fmt == "json":
        click.echo(
            json.dumps(
                {"triples": result.triples, "graphs": result.graphs, "classes": result.classes}, indent=2
            )
        )
        return
    click.echo(f"{result.triples} triples in {len(result.graphs)} named graphs")
    click.echo("\nnamed graph" + " " * 49 + "triples")
    for graph, count in result.graphs.items():
        click.echo(f"  {shorten(graph):<58}{count:>7}")
    click.echo("\nclass" + " " * 55 + "instances")
    for cls, count in result.classes.items():
        click.echo(f"  {shorten(cls):<58}{count:>7}")


# ---------------------------------------------------------------- build (release): issue 5

# ---------------------------------------------------------------- validate: issue 3

# ---------------------------------------------------------------- queries, query: issue 4

# ---------------------------------------------------------------- load, serve: issue 5

# ---------------------------------------------------------------- synth: issue 6


@main.command()
@click.option("--firms", type=click.IntRange(min=1), required=True, help="How many synthetic firms.")
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same bytes.")
@click.option(
    "--out", "out_dir", type=click.Path(file_okay=False), required=True, help="Folder to write into."
)
@click.option("--format", "fmt", type=click.Choice(["nquads", "trig"]), default="nquads", show_default=True)
@click.option(
    "--violations",
    type=click.FloatRange(0.0, 1.0),
    default=0.0,
    show_default=True,
    help="Fraction of firms (and reform programmes) given a deliberate shape violation.",
)
def synth(firms: int, seed: int, out_dir: str, fmt: str, violations: float) -> None:
    """Write a synthetic zone-scale graph (clearly marked synthetic) for scale tests.

    Load it beside data/reference, whose products, HS codes, countries and regions it uses.

    \b
    Example:
      ftzkg synth --firms 12000 --seed 1 --out build/synthetic        # about 1 million triples
      ftzkg synth --firms 200 --violations 0.05 --format trig --out /tmp/s
    """
    from pathlib import Path

    from .synth import generate

    try:
        result = generate(firms, seed, Path(out_dir), fmt=fmt, violations=violations)
    except OSError as exc:
        fail(f"{out_dir}: {exc.strerror or exc}")
        return
    click.echo(f"{result.path}: {result.quads} triples in {result.graphs} named graphs, {result.firms} firms")
    if result.violations:
        kinds: dict[str, int] = {}
        for v in result.violations:
            kinds[v.kind] = kinds.get(v.kind, 0) + 1
        summary = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
        click.echo(f"injected {len(result.violations)} violations: {summary}")


# ---------------------------------------------------------------- site: issue 7
