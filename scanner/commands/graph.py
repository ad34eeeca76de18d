"""`mlposture paths`, `who-can` and `graph export`: questions to the privilege graph built
from IaC paths or a saved inventory (`--inventory FILE`).

Exit codes: 0 answered; 2 usage or input error; 3 answered, but some input could not be
read (a file that did not parse), so the answer may be missing something."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

EXIT_USAGE = 2
EXIT_INCOMPLETE = 3


def input_options(f):
    f = click.option(
        "--inventory",
        "inventory_path",
        type=click.Path(exists=True, dir_okay=False),
        default=None,
        help="A saved inventory (scan --save-inventory) instead of IaC paths.",
    )(f)
    return click.argument("paths", nargs=-1, type=click.Path(exists=True))(f)


def load_graph(paths, inventory_path):
    """(graph, inventory, problems): problems are what could not be read or built."""
    from scanner.cli import ConfigProblem
    from scanner.graph.build import build_graph
    from scanner.model.inventory import Inventory

    if bool(paths) == bool(inventory_path):
        raise click.UsageError("give IaC paths or --inventory FILE (one of them)")
    problems: list[str] = []
    if inventory_path:
        try:
            inv = Inventory.load(inventory_path)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
            raise ConfigProblem(f"{inventory_path}: not a mlposture inventory: {str(e)[:1000]}") from e
    else:
        from scanner.collect.iac import collect_iac
        from scanner.engine import build_inventory

        batches, found = collect_iac(list(paths))
        inv = build_inventory(batches)
        problems += [
            f"{e.file or e.source}: {e.reason}"
            for e in [*found.errors, *(x for b in batches for x in b.errors)]
        ]
    failures: list[tuple[str, str]] = []
    graph = build_graph(inv, failures=failures)
    problems += [f"graph contributor {name}: {why}" for name, why in failures]
    return graph, inv, problems


def _done(problems: list[str]) -> None:
    from scanner.secrets import redact_string

    for p in problems:
        click.echo(f"mlposture: warning: {redact_string(p)[:500]} (the answer may be incomplete)", err=True)
    sys.exit(EXIT_INCOMPLETE if problems else 0)


def _path_json(graph, p) -> dict:
    from scanner.graph.export import edge_dict

    return {"nodes": p.nodes, "confidence": p.confidence, "steps": [edge_dict(e) for e in p.edges]}


@click.command("paths")
@click.option("--from", "start", required=True, metavar="PRINCIPAL", help="A node id, ARN or name; INTERNET.")
@click.option("--to", "target", required=True, metavar="TARGET|admin|data", help="A node, admin or data.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option(
    "--max", "limit", type=click.IntRange(1, 100), default=10, show_default=True, help="Paths per target."
)
@input_options
def paths_cmd(start, target, fmt, limit, paths, inventory_path):
    """Every distinct shortest privilege path from PRINCIPAL to TARGET (most certain first)."""
    from scanner.graph.queries import QueryError, find_node, paths_between, targets_named

    graph, _, problems = load_graph(paths, inventory_path)
    try:
        src = find_node(graph, start)
        targets = targets_named(graph, target)
    except QueryError as e:
        click.echo(f"mlposture: {e}", err=True)
        sys.exit(EXIT_USAGE)
    found = {t.id: paths_between(graph, src.id, t.id, limit) for t in targets if t.id != src.id}
    found = {k: v for k, v in found.items() if v}
    if fmt == "json":
        out = {
            "from": src.id,
            "to": target,
            "targets": {k: [_path_json(graph, p) for p in v] for k, v in found.items()},
        }
        click.echo(json.dumps(out, indent=2))
    elif not found:
        click.echo(f"no path from {src.id} to {target}")
    else:
        for tid, ps in found.items():
            click.echo(f"{src.id} -> {tid}: {len(ps)} shortest path(s)")
            for i, p in enumerate(ps, 1):
                click.echo(f"  path {i} [{p.confidence}]")
                for e in p.edges:
                    where = f" ({e.location.file}:{e.location.start_line})" if e.location else ""
                    perms = f" {', '.join(e.permissions)}" if e.permissions else ""
                    conf = "" if e.confidence == "certain" else f" [{e.confidence}]"
                    click.echo(f"    {e.src} -[{e.technique}{perms}]-> {e.dst}{conf}{where}")
    _done(problems)


@click.command("who-can")
@click.argument("action")
@click.argument("resource")
@click.option("--transitive", is_flag=True, help="Also principals that can become an allowed one.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@input_options
def who_can_cmd(action, resource, transitive, fmt, paths, inventory_path):
    """AWS principals allowed ACTION on RESOURCE (an ARN), with the policies that grant it."""
    from scanner.graph.queries import who_can

    graph, _, problems = load_graph(paths, inventory_path)
    allowed = who_can(graph, action, resource, transitive)
    if fmt == "json":
        click.echo(json.dumps([a.__dict__ for a in allowed], indent=2, default=list))
    elif not allowed:
        click.echo(f"no principal may {action} on {resource}")
    else:
        for a in allowed:
            why = f" ({', '.join(a.undecided)})" if a.undecided else ""
            how = f"via {a.via}" if a.via else f"granted by {', '.join(a.granted_by) or 'unknown'}"
            click.echo(f"{a.principal}  [{a.confidence}{why}]  {how}")
    _done(problems)


@click.group("graph")
def graph_group():
    """The privilege graph itself."""


@graph_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["graphml", "json"]), required=True)
@click.option(
    "-o", "--output", "output", required=True, type=click.Path(dir_okay=False), help="'-' for stdout."
)
@input_options
def graph_export_cmd(fmt, output, paths, inventory_path):
    """Write the privilege graph as GraphML or JSON."""
    from scanner.cli import ConfigProblem
    from scanner.graph.export import export

    graph, _, problems = load_graph(paths, inventory_path)
    text = export(graph, fmt)
    if output == "-":
        click.echo(text)
    else:
        try:
            Path(output).parent.mkdir(parents=True, exist_ok=True)
            Path(output).write_text(text, encoding="utf-8")
        except OSError as e:
            raise ConfigProblem(f"cannot write {output}: {e.strerror or e}") from e
        click.echo(
            f"{graph.g.number_of_nodes()} nodes, {graph.g.number_of_edges()} edges written to {output}",
            err=True,
        )
    _done(problems)


COMMANDS: list[click.Command] = [paths_cmd, who_can_cmd, graph_group]
