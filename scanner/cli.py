"""The `mlposture` command line. Names here are a contract with users' CI scripts:
add freely, rename nothing (DESIGN, Contracts)."""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path

import click

from scanner import __version__
from scanner.gate import EXIT_USAGE
from scanner.model.finding import SEVERITIES


class ConfigProblem(click.ClickException):
    """A usage or configuration problem found after parsing (a bad config file, an output
    path that cannot be written): exit 2, like click's own usage errors."""

    exit_code = EXIT_USAGE


SEVERITY_CHOICE = click.Choice(["critical", "high", "medium", "low", "info"], case_sensitive=False)


def _parse_outputs(outputs: tuple[str, ...]) -> list[tuple[str, str]]:
    from reports import FORMATS

    parsed = []
    for o in outputs:
        fmt, sep, dest = o.partition("=")
        fmt = fmt.strip().lower()
        if not sep or not dest:
            raise click.UsageError(f"-o expects FORMAT=FILE, got {o!r}")
        if fmt not in FORMATS:
            raise click.UsageError(f"unknown output format {fmt!r}; choose from {', '.join(FORMATS)}")
        parsed.append((fmt, dest))
    if sum(dest == "-" for _, dest in parsed) > 1:
        raise click.UsageError("only one -o may write to stdout ('-')")
    return parsed


def _write_outputs(result, outputs: list[tuple[str, str]]) -> None:
    from reports import render

    for fmt, dest in outputs:
        text = render(fmt, result)
        if dest == "-":
            sys.stdout.write(text)
            sys.stdout.flush()
            continue
        try:
            Path(dest).parent.mkdir(parents=True, exist_ok=True)
            Path(dest).write_text(text, encoding="utf-8")
        except OSError as e:
            raise ConfigProblem(f"cannot write {fmt} report to {dest}: {e.strerror or e}") from e


def _console(outputs):
    from rich.console import Console

    # When a machine-readable report goes to stdout, people's text goes to stderr.
    to_stderr = any(dest == "-" for _, dest in outputs)
    stream = sys.stderr if to_stderr else sys.stdout
    # A CI log is not a terminal: give tables room instead of rich's 80-column default.
    width = None if stream.isatty() or os.environ.get("COLUMNS") else 160
    return Console(stderr=to_stderr, highlight=False, soft_wrap=False, width=width)


class _Progress:
    """A spinner on stderr naming the stage a long scan is in. It draws only when stderr is
    a terminal, so it never mixes into machine-readable output or CI logs."""

    def __init__(self) -> None:
        from rich.console import Console

        self._status = Console(stderr=True).status("mlposture: starting", spinner="dots")
        self._status.start()

    def __call__(self, stage: str, n: int) -> None:
        what = f"evaluating rules on {n} resources" if stage == "evaluate" else f"reading {n} {stage} files"
        if stage == "checkov":
            what = f"running Checkov's policies on {n} files"
        self._status.update(f"mlposture: {what}")

    def close(self) -> None:
        self._status.stop()


def _progress() -> _Progress | None:
    return _Progress() if sys.stderr.isatty() else None


def _stop_progress(opts) -> None:
    if isinstance(opts.progress, _Progress):
        opts.progress.close()


_CI = "mlposture.ci"  # ctx.meta key of the CI gate options (ci_gate_options)


def ci_gate_options(f):
    """--update-baseline, --report-unused-suppressions and --diff-base. They stay off the
    commands' signatures: the wrapper moves them to ctx.meta, read by `_options`,
    `_load_baseline` and `_finish`."""

    @functools.wraps(f)
    def wrapper(*args, update_baseline, report_unused_suppressions, diff_base, **kwargs):
        if update_baseline and not kwargs.get("baseline_path"):
            raise click.UsageError("--update-baseline needs --baseline FILE")
        click.get_current_context().meta[_CI] = {
            "update_baseline": update_baseline,
            "report_unused_suppressions": report_unused_suppressions,
            "diff_base": diff_base,
        }
        return f(*args, **kwargs)

    wrapper = click.option(
        "--diff-base",
        default=None,
        metavar="REF",
        help="PR mode: only findings in files changed since git REF (REF...HEAD plus uncommitted "
        "changes) gate; the others are reported with in_diff false.",
    )(wrapper)
    wrapper = click.option(
        "--report-unused-suppressions",
        is_flag=True,
        help="List inline and config suppressions that matched no finding (console and JSON).",
    )(wrapper)
    wrapper = click.option(
        "--update-baseline",
        is_flag=True,
        help="With --baseline FILE: rewrite FILE from this scan (the gate still uses the old one).",
    )(wrapper)
    return wrapper


def _ci(key: str):
    ctx = click.get_current_context(silent=True)
    return (ctx.meta.get(_CI) or {}).get(key) if ctx is not None else None


def common_scan_options(f):
    f = ci_gate_options(f)
    f = click.option(
        "-o",
        "--output",
        "outputs",
        multiple=True,
        metavar="FORMAT=FILE",
        help="Write a report; repeatable. FILE '-' is stdout. Formats: json, sarif, html, md, junit, ocsf.",
    )(f)
    f = click.option(
        "--fail-on",
        type=SEVERITY_CHOICE,
        default=None,
        help="Exit 1 when an unmuted finding is at or above this severity (default high).",
    )(f)
    f = click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False),
        default=None,
        help="Config file with suppressions and overrides (default ./.mlposture.yaml if present).",
    )(f)
    f = click.option(
        "--rules", "include_rules", default=None, help="Comma-separated rule ids or aliases to run."
    )(f)
    f = click.option(
        "--skip-rules", "exclude_rules", default=None, help="Comma-separated rule ids or aliases to skip."
    )(f)
    f = click.option("--categories", default=None, help="Comma-separated categories to run.")(f)
    f = click.option(
        "--compliance",
        "compliance",
        default=None,
        metavar="FRAMEWORK",
        help="Run only the rules mapped to a compliance framework (e.g. owasp-llm-2025; see "
        "`rules frameworks`) and report status per requirement.",
    )(f)
    f = click.option(
        "--baseline",
        "baseline_path",
        type=click.Path(dir_okay=False),
        default=None,
        help="An earlier JSON report or baseline file: only findings new since it fail the gate.",
    )(f)
    f = click.option(
        "--save-inventory",
        type=click.Path(dir_okay=False),
        default=None,
        help="Also write the normalized inventory as JSON (re-scan it with `scan inventory`).",
    )(f)
    f = click.option("-q", "--quiet", is_flag=True, help="No console summary.")(f)
    return f


_STORE = "mlposture.store"  # ctx.meta key of (store URL, shard label) (store_options)


def store_options(f):
    """`--store URL`: after the scan (and its reports), record it in a history store."""

    @functools.wraps(f)
    def wrapper(*args, store_url, store_shard, **kwargs):
        # Checked before the scan starts, so a typo fails fast (exit 2); written by _finish.
        click.get_current_context().meta[_STORE] = (_store_url(store_url), store_shard)
        return f(*args, **kwargs)

    w = click.option(
        "--store-shard",
        "store_shard",
        default=None,
        metavar="LABEL",
        help="With --store: label this scan (an account, a cluster) so history can tell shards apart.",
    )(wrapper)
    return click.option(
        "--store",
        "store_url",
        default=None,
        is_flag=False,
        flag_value="default",
        envvar="MLPOSTURE_STORE",
        metavar="URL",
        help="Record the scan in a history store: sqlite:///PATH, postgresql://USER@HOST/DB, or a "
        "file path; `--store=default` (or a bare --store last) is a SQLite file in the user data directory. "
        "Default: $MLPOSTURE_STORE when set.",
    )(w)


_NOTIFY = "mlposture.notify"  # ctx.meta key of the notification options (notify_options)


def _notify_url(ctx, param, values):
    from scanner.notify import NotifyError, check_url

    try:
        return tuple(check_url(v) for v in (values if isinstance(values, tuple) else (values,)) if v)
    except NotifyError as e:
        raise click.BadParameter(str(e)) from e


def notify_options(f):
    """--notify-webhook URL (repeatable), --notify-slack URL (repeatable) and
    --notify-min-severity: after the scan, POST its new findings (scanner.notify). They stay
    off the commands' signatures: the wrapper moves them to ctx.meta, read by `_notify`."""

    @functools.wraps(f)
    def wrapper(*args, notify_webhook, notify_slack, notify_min_severity, **kwargs):
        from scanner.notify import Target

        targets = [Target("webhook", u) for u in notify_webhook] + [Target("slack", u) for u in notify_slack]
        click.get_current_context().meta[_NOTIFY] = (targets, notify_min_severity.lower())
        return f(*args, **kwargs)

    w = click.option(
        "--notify-min-severity",
        type=SEVERITY_CHOICE,
        default="high",
        show_default=True,
        help="Notify only new findings at or above this severity.",
    )(wrapper)
    w = click.option(
        "--notify-slack",
        multiple=True,
        metavar="URL",
        callback=_notify_url,
        help="POST new findings to a Slack incoming webhook; repeatable. A failure is a warning, "
        "recorded in the JSON report, and never changes the exit code.",
    )(w)
    return click.option(
        "--notify-webhook",
        multiple=True,
        metavar="URL",
        callback=_notify_url,
        help="POST new findings as JSON ({tool, scan_id, summary, findings}) to URL; repeatable. New: "
        "against --baseline, else the previous --store scan of the same targets and shard, else all.",
    )(w)


def _notify(result) -> None:
    ctx = click.get_current_context(silent=True)
    targets, min_sev = (ctx.meta.get(_NOTIFY) if ctx is not None else None) or ([], "high")
    if not targets:
        return
    from scanner.notify import notify, previous_fingerprints

    previous = None
    url, shard = ctx.meta.get(_STORE) or (None, None)
    if result.comparison is None and url is not None:
        from scanner.secrets import redact_string
        from scanner.store import open_store

        try:
            with open_store(url) as store:
                previous = previous_fingerprints(store, result, shard)
        except Exception as e:  # the store is reported on when the scan is saved
            msg = redact_string(f"{type(e).__name__}: {e}")[:300]
            click.echo(f"mlposture: warning: no previous scan for notifications: {msg}", err=True)
    for o in notify(result, targets, min_sev, previous):
        if o["status"] != "delivered":
            why = o.get("error") or f"HTTP {o.get('http_status')}"
            click.echo(
                f"mlposture: warning: {o['kind']} notification to {o['endpoint']} failed: {why} "
                "(the exit code is unchanged)",
                err=True,
            )


def _store_url(url: str | None) -> str | None:
    """Check a store URL before the scan starts, so a typo fails fast (exit 2)."""
    if url is None:
        return None
    from scanner.store import StoreError, check_url

    try:
        return check_url(None if url == "default" else url)
    except StoreError as e:
        raise ConfigProblem(str(e)) from e


def _save_to_store(result) -> None:
    ctx = click.get_current_context(silent=True)
    url, shard = (ctx.meta.get(_STORE) if ctx is not None else None) or (None, None)
    if url is None:
        return
    from scanner.store import StoreError, open_store

    try:
        with open_store(url) as store:
            store.save(result, shard=shard)
    except StoreError as e:
        raise ConfigProblem(f"the scan was not recorded: {e}") from e
    except Exception as e:
        from scanner.secrets import redact_string

        msg = redact_string(f"{type(e).__name__}: {e}")[:500]
        raise ConfigProblem(f"the scan was not recorded in the history store: {msg}") from e


def _split(s: str | None) -> list[str] | None:
    return [x.strip() for x in s.split(",") if x.strip()] if s else None


def _tune_gc() -> None:
    """A scan builds millions of small objects that live to the end; the default collector
    thresholds rescan them over and over (measured: 17% of a 2,400-file Terraform scan)."""
    import gc

    gc.freeze()  # what the imports created is never garbage
    gc.set_threshold(200_000, 50, 1000)


def _framework_id(name: str | None) -> str | None:
    """The canonical id of a --compliance framework; an unknown one is a usage error (exit 2)."""
    if not name:
        return None
    from rules.compliance import get_framework

    try:
        return get_framework(name).id
    except KeyError as e:
        raise click.UsageError(str(e.args[0])) from e


def _options(config_path, include_rules, exclude_rules, categories, compliance=None):
    from scanner.engine import ScanOptions
    from scanner.suppress import ConfigError, load_config

    config = None
    path = config_path or (".mlposture.yaml" if Path(".mlposture.yaml").is_file() else None)
    if path:
        try:
            config = load_config(path)
        except ConfigError as e:
            raise ConfigProblem(str(e)) from e
        if config.fail_on is not None and str(config.fail_on).lower() not in SEVERITIES:
            raise ConfigProblem(f"{path}: fail_on must be one of {', '.join(SEVERITIES)}")
        for rule_id, sev in config.severity_overrides.items():
            if str(sev) not in SEVERITIES:
                raise ConfigProblem(
                    f"{path}: severity_overrides.{rule_id} must be one of {', '.join(SEVERITIES)}"
                )
    return ScanOptions(
        include_rules=_split(include_rules),
        exclude_rules=_split(exclude_rules),
        categories=_split(categories),
        config=config,
        progress=_progress(),
        compliance=_framework_id(compliance),
        report_unused_suppressions=bool(_ci("report_unused_suppressions")),
    )


def _config_fail_on(opts) -> str | None:
    return str(opts.config.fail_on) if opts.config and opts.config.fail_on else None


def _load_baseline(path: str | None):
    """Baseline entries, read before the scan so a bad file fails fast (exit 2)."""
    if not path:
        return None
    from scanner.baseline import BaselineError, load_baseline

    if _ci("update_baseline") and not Path(path).exists():
        return []  # --update-baseline creates it: everything is new this time
    try:
        return load_baseline(path)
    except BaselineError as e:
        raise ConfigProblem(str(e)) from e


def _finish(
    result, inventory, outputs, fail_on, save_inventory, quiet, baseline=None, baseline_path=None
) -> None:
    from reports.console import print_summary
    from scanner.gate import exit_code

    if baseline is not None:
        from scanner.baseline import compare

        compare(result, baseline, baseline_path)
    if _ci("diff_base"):
        from scanner.diff import DiffError, changed_files, mark_in_diff

        try:
            root, changed = changed_files(result.root or ".", _ci("diff_base"))
        except DiffError as e:
            raise click.UsageError(str(e)) from e
        mark_in_diff(result, changed, root, _ci("diff_base"))
    _notify(result)  # before the reports: the JSON report records the outcome
    _write_outputs(result, outputs)
    if _ci("update_baseline") and baseline_path:
        _update_baseline(result, baseline_path)
    if save_inventory and inventory is not None:
        try:
            inventory.save(save_inventory)
        except OSError as e:
            raise ConfigProblem(f"cannot write the inventory to {save_inventory}: {e.strerror or e}") from e
    _save_to_store(result)  # after the reports: a failure here is exit 2
    if not quiet:
        print_summary(result, _console(outputs))
    threshold = (fail_on or "high").lower()
    sys.exit(exit_code(result, threshold))


def _update_baseline(result, path: str) -> None:
    """--update-baseline: rewrite the baseline file from this scan's failing unmuted findings."""
    from reports.json_report import to_dict
    from scanner.baseline import make_baseline

    base = make_baseline(to_dict(result))
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(base, indent=2) + "\n", encoding="utf-8")
    except OSError as e:
        raise ConfigProblem(f"cannot update the baseline {path}: {e.strerror or e}") from e


class ScanGroup(click.Group):
    """`mlposture scan PATH` is short for `mlposture scan iac PATH`."""

    def resolve_command(self, ctx, args):
        if args and args[0] not in self.commands:
            args = ["iac", *args]
        return super().resolve_command(ctx, args)


class SafeGroup(click.Group):
    """An unexpected exception must never look like "findings" (exit 1) to a CI gate: it
    exits 2 with a one-line, secret-scrubbed message. MLPOSTURE_DEBUG=1 shows the trace."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as e:
            if os.environ.get("MLPOSTURE_DEBUG"):
                raise
            from scanner.secrets import redact_string

            text = redact_string(f"{type(e).__name__}: {e}")[:500]
            click.echo(f"mlposture: internal error: {text} (set MLPOSTURE_DEBUG=1 for details)", err=True)
            ctx.exit(EXIT_USAGE)


@click.group(cls=SafeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="mlposture")
def main() -> None:
    """mlposture: security posture for serverless ML workloads."""


@main.group(cls=ScanGroup, context_settings={"ignore_unknown_options": True})
def scan() -> None:
    """Scan IaC, a saved inventory, or (later) live accounts."""


@scan.command("iac")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@common_scan_options
@store_options
@notify_options
@click.option(
    "--with-checkov",
    is_flag=True,
    default=False,
    help="Also run Checkov's own policies (offline, in-process) as an extra rule pack; "
    "our rules win where they alias a Checkov id. Also `with_checkov: true` in the config.",
)
def scan_iac_cmd(
    paths,
    outputs,
    fail_on,
    config_path,
    include_rules,
    exclude_rules,
    categories,
    save_inventory,
    quiet,
    baseline_path,
    compliance,
    with_checkov,
):
    """Scan Terraform, Terraform plans, CloudFormation/SAM and Kubernetes manifests."""
    from scanner.engine import scan_iac

    outs = _parse_outputs(outputs)
    opts = _options(config_path, include_rules, exclude_rules, categories, compliance)
    opts.with_checkov = with_checkov or bool(opts.config and opts.config.with_checkov)
    baseline = _load_baseline(baseline_path)
    _tune_gc()
    try:
        result, inv = scan_iac(list(paths), opts)
    finally:
        _stop_progress(opts)
    _finish(
        result, inv, outs, fail_on or _config_fail_on(opts), save_inventory, quiet, baseline, baseline_path
    )


@scan.command("inventory")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@common_scan_options
@store_options
@notify_options
def scan_inventory_cmd(
    files,
    outputs,
    fail_on,
    config_path,
    include_rules,
    exclude_rules,
    categories,
    save_inventory,
    quiet,
    baseline_path,
    compliance,
):
    """Re-evaluate saved inventories offline. Several are joined into one estate (an EKS
    cluster and its AWS account, a GKE cluster and its project), so privilege paths cross
    from one to the other."""
    from scanner.engine import scan_inventory
    from scanner.model.inventory import Inventory

    outs = _parse_outputs(outputs)
    opts = _options(config_path, include_rules, exclude_rules, categories, compliance)
    baseline = _load_baseline(baseline_path)
    inv = Inventory()
    for file in files:
        try:
            inv.merge(Inventory.load(file))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
            raise ConfigProblem(f"{file}: not a mlposture inventory: {str(e)[:1000]}") from e
    inv.link()
    try:
        result = scan_inventory(inv, opts, target=" ".join(files))
    finally:
        _stop_progress(opts)
    _finish(
        result, inv, outs, fail_on or _config_fail_on(opts), save_inventory, quiet, baseline, baseline_path
    )


@main.command("report")
@click.argument("scan_json", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", "outputs", multiple=True, required=True, metavar="FORMAT=FILE")
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Compare with an earlier JSON report or baseline file: new and fixed findings.",
)
def report_cmd(scan_json, outputs, baseline_path):
    """Render any report format from a JSON scan result."""
    from reports.json_report import from_dict

    outs = _parse_outputs(outputs)
    baseline = _load_baseline(baseline_path)
    try:
        result = from_dict(json.loads(Path(scan_json).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise ConfigProblem(f"{scan_json}: not a mlposture v1 JSON report: {str(e)[:1000]}") from e
    if baseline is not None:
        from scanner.baseline import compare

        compare(result, baseline, baseline_path)
    _write_outputs(result, outs)


@main.group()
def baseline() -> None:
    """Baselines: accept today's findings so only new ones fail the gate."""


@baseline.command("create")
@click.argument("scan_json", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False),
    help="Where to write the baseline (e.g. .mlposture-baseline.json).",
)
def baseline_create(scan_json, output):
    """Make a baseline file from a JSON scan report (fingerprints, rules, resources; no evidence)."""
    from scanner.baseline import BaselineError, make_baseline

    try:
        report = json.loads(Path(scan_json).read_text(encoding="utf-8"))
        base = make_baseline(report)
    except (OSError, ValueError, BaselineError) as e:
        raise ConfigProblem(f"{scan_json}: cannot make a baseline: {str(e)[:1000]}") from e
    try:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(json.dumps(base, indent=2) + "\n", encoding="utf-8")
    except OSError as e:
        raise ConfigProblem(f"cannot write {output}: {e.strerror or e}") from e
    click.echo(f"baseline of {len(base['findings'])} findings written to {output}")


@main.group()
def rules() -> None:
    """The rule catalogue."""


@rules.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option(
    "--compliance",
    "compliance",
    default=None,
    metavar="FRAMEWORK",
    help="Only the rules mapped to a framework.",
)
def rules_list(fmt, compliance):
    """Every rule with its severity, category and resource types."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from rules.loader import load_catalogue

    cat = load_catalogue().select(compliance=_framework_id(compliance))
    if fmt == "json":
        click.echo(json.dumps([r.meta.to_json() for r in cat.rules], indent=2))
        return
    t = Table(title=f"{len(cat.rules)} rules")
    for col in ("id", "severity", "category", "applies to", "title"):
        t.add_column(col, overflow="fold")
    for r in cat.rules:
        m = r.meta
        t.add_row(m.id, m.severity, m.category, ", ".join(m.applies_to), escape(m.title))
    Console().print(t)


@rules.command("frameworks")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def rules_frameworks(fmt):
    """The compliance frameworks that --compliance accepts, with their coverage."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from rules.compliance import load_frameworks
    from rules.loader import load_catalogue

    known = set(load_catalogue().by_id)
    rows = []
    for fw in load_frameworks().values():
        covered = sum(1 for q in fw.requirements if any(r in known for r in q.rules))
        rows.append((fw, covered))
    if fmt == "json":
        out = [
            {"id": fw.id, "name": fw.name, "version": fw.version, "url": fw.url}
            | {"requirements": len(fw.requirements), "covered": n, "rules": sorted(fw.rule_ids() & known)}
            for fw, n in rows
        ]
        click.echo(json.dumps(out, indent=2))
        return
    t = Table(title=f"{len(rows)} compliance frameworks")
    for col in ("id", "name", "version", "requirements", "with a rule"):
        t.add_column(col, overflow="fold")
    for fw, n in rows:
        t.add_row(fw.id, escape(fw.name), fw.version, str(len(fw.requirements)), str(n))
    Console().print(t)


@rules.command("show")
@click.argument("rule_id")
def rules_show(rule_id):
    """Everything about one rule (an id or a Checkov/Prowler alias), with its examples."""
    from rules.examples import examples_for
    from rules.loader import load_catalogue

    cat = load_catalogue()
    rid = cat.resolve_id(rule_id)
    if rid is None:
        click.echo(f"no rule {rule_id!r}", err=True)
        sys.exit(EXIT_USAGE)
    m = cat.by_id[rid].meta
    click.echo(f"{m.id}  [{m.severity}, {m.category}, {m.maturity}]")
    click.echo(m.title)
    if m.description:
        click.echo(f"\n{m.description}")
    if m.risk:
        click.echo(f"\nRisk: {m.risk}")
    click.echo(f"\nApplies to: {', '.join(m.applies_to)}")
    if m.aliases:
        click.echo(f"Aliases: {', '.join(m.aliases)}")
    if m.compliance:
        click.echo(f"Compliance: {', '.join(m.compliance)}")
    for k, v in m.remediation.items():
        click.echo(f"\nRemediation ({k}):\n{v}")
    for ref in m.references:
        click.echo(f"Reference: {ref}")
    for ex in examples_for(rid):
        click.echo(f"\nExample ({ex.dialect}): {ex.path.name}\n{ex.path.read_text()}")


@main.group()
def history() -> None:
    """Scan history recorded with `scan --store URL`: list, show, diff and trend.
    Without --store: the SQLite file in the user data directory."""


def history_store_option(f):
    f = click.option(
        "--format", "fmt", type=click.Choice(["table", "json"]), default="table", help="Output format."
    )(f)
    f = click.option(
        "--store",
        "store_url",
        default=None,
        envvar="MLPOSTURE_STORE",
        metavar="URL",
        help="sqlite:///PATH, postgresql://USER@HOST/DB or a file path (default: $MLPOSTURE_STORE, "
        "else the SQLite file in the user data directory).",
    )(f)
    return f


def _history_store(url):
    from scanner.store import StoreError, open_store

    try:
        return open_store(url)
    except StoreError as e:
        raise ConfigProblem(str(e)) from e


def _history_call(url, fn):
    from scanner.store import StoreError

    with _history_store(url) as store:
        try:
            return fn(store)
        except StoreError as e:
            raise ConfigProblem(str(e)) from e


def _table(title, columns, rows):
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    t = Table(title=title)
    for i, col in enumerate(columns):
        t.add_column(col, overflow="fold", no_wrap=i == 0)  # the first column is an id: keep it whole
    for row in rows:
        t.add_row(*(escape("" if v is None else str(v)) for v in row))
    width = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 160
    Console(highlight=False, width=width).print(t)


def _sev_counts(by_sev: dict) -> str:
    return " ".join(f"{s[0].upper()}:{by_sev.get(s, 0)}" for s in SEVERITIES)


def _finding_rows(findings):
    return [
        (
            f["severity"],
            f["rule_id"],
            f["resource_uid"],
            f"{f['file']}:{f['start_line']}" if f.get("file") and f.get("start_line") else f.get("file"),
            f["fingerprint"][:12],
        )
        for f in findings
    ]


_FINDING_COLUMNS = ("severity", "rule", "resource", "location", "fingerprint")


@history.command("list")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--shard", default=None, metavar="LABEL", help="Only scans stored with this --store-shard.")
@history_store_option
def history_list(limit, shard, store_url, fmt):
    """Stored scans, newest first, with their counts."""
    scans = _history_call(store_url, lambda st: st.list_scans(limit=limit, shard=shard))
    if fmt == "json":
        click.echo(json.dumps(scans, indent=2))
        return
    rows = [
        (
            s["id"],
            s["started_at"],
            s["shard"] or "",
            ", ".join(s["targets"]),
            s["summary"].get("failed", 0),
            _sev_counts(s["summary"].get("by_severity", {})),
            s["summary"].get("muted", 0),
            "yes" if s["incomplete"] else "",
        )
        for s in scans
    ]
    cols = ("scan", "started", "shard", "targets", "failed", "by severity", "muted", "incomplete")
    _table(f"{len(scans)} scans", cols, rows)


@history.command("show")
@click.argument("scan_id")
@history_store_option
def history_show(scan_id, store_url, fmt):
    """One stored scan: its summary and findings (SCAN_ID or a unique prefix)."""
    scan = _history_call(store_url, lambda st: st.get_scan(scan_id))
    if fmt == "json":
        click.echo(json.dumps(scan, indent=2))
        return
    s = scan["summary"]
    click.echo(
        f"scan {scan['id']}  {scan['started_at']} .. {scan['finished_at']}"
        + (f"  shard {scan['shard']}" if scan["shard"] else "")
        + ("  INCOMPLETE" if scan["incomplete"] else "")
    )
    click.echo(f"targets: {', '.join(scan['targets'])}  tool {scan['tool_version']}")
    click.echo(
        f"resources {s.get('resources', 0)}, passed {s.get('passed', 0)}, failed {s.get('failed', 0)} "
        f"({_sev_counts(s.get('by_severity', {}))}), unknown {s.get('unknown', 0)}, muted {s.get('muted', 0)}"
    )
    rows = [
        (f["status"] + (" (muted)" if f["muted"] else ""), *r)
        for f, r in zip(scan["findings"], _finding_rows(scan["findings"]), strict=True)
    ]
    _table(f"{len(rows)} findings", ("status", *_FINDING_COLUMNS), rows)


@history.command("diff")
@click.argument("base", required=False)
@click.argument("head", required=False)
@click.option("--shard", default=None, metavar="LABEL", help="Default scans: the two latest of this shard.")
@history_store_option
def history_diff(base, head, shard, store_url, fmt):
    """Failing findings of HEAD against BASE by fingerprint: new, fixed, persisting.
    Without ids: the latest scan against the one before it."""
    if base is not None and head is None:
        raise click.UsageError("history diff takes two scan ids (BASE HEAD) or none")
    d = _history_call(store_url, lambda st: st.diff(base, head, shard=shard))
    if fmt == "json":
        click.echo(json.dumps(d, indent=2))
        return
    click.echo(
        f"{d['base']} -> {d['head']}: {len(d['new'])} new, {len(d['fixed'])} fixed, "
        f"{len(d['persisting'])} persisting"
    )
    rows = [(kind, *r) for kind in ("new", "fixed", "persisting") for r in _finding_rows(d[kind])]
    _table("changes", ("change", *_FINDING_COLUMNS), rows)


def _duration(seconds):
    if seconds is None:
        return ""
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    return f"{days}d {hours}h {rest // 60}m" if days else f"{hours}h {rest // 60}m {rest % 60}s"


@history.command("trend")
@click.option("--days", type=click.IntRange(min=1), default=None, help="Only scans of the last N days.")
@click.option("--shard", default=None, metavar="LABEL", help="Only scans stored with this --store-shard.")
@history_store_option
def history_trend(days, shard, store_url, fmt):
    """Failing counts by severity per scan; per fingerprint, first seen and time to fix."""
    t = _history_call(store_url, lambda st: st.trend(days=days, shard=shard))
    if fmt == "json":
        click.echo(json.dumps(t, indent=2))
        return
    _table(
        f"{len(t['scans'])} scans",
        ("scan", "started", "shard", "failed", *SEVERITIES),
        [
            (
                s["id"],
                s["started_at"],
                s["shard"] or "",
                s["failed"],
                *(s["by_severity"][x] for x in SEVERITIES),
            )
            for s in t["scans"]
        ],
    )
    _table(
        f"{len(t['fingerprints'])} findings",
        ("fingerprint", "rule", "resource", "severity", "first seen", "state", "fixed at", "time to fix"),
        [
            (
                f["fingerprint"][:12],
                f["rule_id"],
                f["resource_uid"],
                f["severity"],
                f["first_seen"],
                f["state"],
                f["fixed_at"],
                _duration(f["time_to_fix_s"]),
            )
            for f in t["fingerprints"]
        ],
    )


# Live scans, the privilege graph and the runtime monitor live in scanner/commands/; they
# use the helpers above, so they are registered last.
if __name__ == "__main__":  # pragma: no cover
    # `python -m scanner.cli`: run the module proper, so the command modules (which import
    # helpers from scanner.cli) register on one copy of it, not on __main__.
    from scanner.cli import main as _entry

    _entry()
else:
    from scanner.commands import register

    register(main, scan)
