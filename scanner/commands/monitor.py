"""`mlposture policy validate|init` and `mlposture monitor gpu`."""

from __future__ import annotations

import sys

import click


@click.group()
def policy() -> None:
    """The declared runtime policy."""


@policy.command("validate")
@click.argument("file", type=click.Path(dir_okay=False))
def policy_validate(file: str) -> None:
    """Check a runtime policy against its schema; list every error with its line (exit 2)."""
    from runtime_monitor.policy import PolicyError, load_policy
    from scanner.gate import EXIT_USAGE

    try:
        p = load_policy(file)
    except PolicyError as e:
        for issue in e.issues:
            click.echo(str(issue), err=True)
        n = len(e.issues)
        click.echo(f"{file}: {n} error{'s' if n != 1 else ''}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(
        f"{file}: valid ({len(p.pools)} pools, {len(p.tenants)} tenants, {len(p.assets)} assets, "
        f"{len(p.audit.sources)} audit sources)"
    )


@policy.command("init")
@click.option(
    "-o", "--output", default="-", show_default=True, metavar="FILE", help="Where to write ('-' = stdout)."
)
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
def policy_init(output: str, force: bool) -> None:
    """Write a commented starting policy that validates."""
    from pathlib import Path

    from runtime_monitor.policy import TEMPLATE_PATH
    from scanner.cli import ConfigProblem

    text = TEMPLATE_PATH.read_text(encoding="utf-8")
    if output == "-":
        click.echo(text, nl=False)
        return
    dest = Path(output)
    if dest.exists() and not force:
        raise ConfigProblem(f"{output} exists; pass --force to overwrite it")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text, encoding="utf-8")
    except OSError as e:
        raise ConfigProblem(f"cannot write {output}: {e.strerror or e}") from e
    click.echo(f"wrote {output}; edit it, then run: mlposture policy validate {output}", err=True)


@click.group()
def monitor() -> None:
    """Runtime monitor: GPU-tenant isolation and audit logs against the declared policy."""


def _node_options(f):
    """Where a live snapshot reads from (defaults: the paths the DaemonSet mounts)."""
    f = click.option(
        "--no-kubernetes", is_flag=True, help="Do not call the Kubernetes API (pod checks report n/a)."
    )(f)
    f = click.option("--toolkit-config", default=None, metavar="PATH", help="Container toolkit config.toml.")(
        f
    )
    f = click.option(
        "--pod-resources-socket", default=None, metavar="PATH", help="kubelet PodResources socket."
    )(f)
    f = click.option("--proc", default="/proc", show_default=True, metavar="DIR", help="The host's /proc.")(f)
    f = click.option(
        "--node-name", default=None, metavar="NAME", help="This node (default: $NODE_NAME, hostname)."
    )(f)
    f = click.option(
        "--kubeconfig",
        default=None,
        type=click.Path(dir_okay=False),
        metavar="FILE",
        help="Kubeconfig (default: in-cluster, then $KUBECONFIG / ~/.kube/config).",
    )(f)
    f = click.option(
        "--device-plugin-config",
        default=None,
        metavar="NS/NAME",
        help="The device plugin's ConfigMap (default: the one its pod on this node mounts).",
    )(f)
    f = click.option(
        "--xid-wait",
        default=100,
        show_default=True,
        type=click.IntRange(0, 10_000),
        metavar="MS",
        help="How long each pass listens for Xid error events.",
    )(f)
    # The test seam: NVML answered by a FakeNvml built from a recorded snapshot, so the live
    # path runs end to end without a GPU. Hidden: it is not a way to monitor anything.
    f = click.option(
        "--nvml-from-snapshot", default=None, type=click.Path(dir_okay=False), hidden=True, metavar="FILE"
    )(f)
    return f


def _live_snapshot(
    node_name,
    proc,
    pod_resources_socket,
    toolkit_config,
    no_kubernetes,
    kubeconfig=None,
    device_plugin_config=None,
    xid_wait=100,
    nvml_from_snapshot=None,
) -> dict:
    import pynvml

    from runtime_monitor.gpu.snapshot import SnapshotError, load_snapshot, take_snapshot
    from scanner.cli import ConfigProblem

    if device_plugin_config and "/" not in device_plugin_config:
        raise click.BadParameter("NAMESPACE/NAME", param_hint="--device-plugin-config")
    nvml_module = None
    if nvml_from_snapshot:
        from runtime_monitor.gpu.fake_nvml import FakeNvml

        try:
            nvml_module = FakeNvml(load_snapshot(nvml_from_snapshot, replay_nvml=False)["nvml"])
        except SnapshotError as e:
            raise ConfigProblem(str(e)) from e
    try:
        return take_snapshot(
            node_name=node_name,
            proc=proc,
            pod_resources_socket=pod_resources_socket,
            toolkit_config=toolkit_config,
            with_kubernetes=not no_kubernetes,
            kubeconfig=kubeconfig,
            device_plugin_config=device_plugin_config,
            nvml_module=nvml_module,
            xid_wait_ms=xid_wait,
        )
    except pynvml.NVMLError as e:
        raise ConfigProblem(
            f"NVML is not available on this machine ({e}); run on a GPU node, or replay a recorded "
            "snapshot with --from-snapshot FILE"
        ) from e


def _interval(text: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600}
    t = text.strip().lower()
    try:
        seconds = float(t[:-1]) * units[t[-1]] if t and t[-1] in units else float(t)
    except ValueError:
        seconds = -1
    if seconds < 1:
        raise click.BadParameter(
            f"{text!r}: a duration of at least 1s, like 30s, 5m or 1h", param_hint="--interval"
        )
    return seconds


@monitor.group("gpu", invoke_without_command=True)
@click.option(
    "--policy",
    "policy_path",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="The declared runtime policy.",
)
@click.option("--once", is_flag=True, help="One pass, then exit with the gate's code.")
@click.option(
    "--interval", default=None, metavar="D", help="Continuous: a pass every D (30s, 5m; default 30s)."
)
@click.option(
    "--from-snapshot",
    "snapshot_path",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Replay a recorded snapshot instead of reading this node.",
)
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    metavar="FORMAT=FILE",
    help="Report (json, sarif, html, md, junit, ocsf); repeatable.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["critical", "high", "medium", "low", "info"], case_sensitive=False),
    default="high",
    show_default=True,
)
@click.option(
    "--metrics-port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Serve Prometheus metrics on this port.",
)
@click.option(
    "--max-passes", type=click.IntRange(min=1), default=None, help="Continuous mode: stop after N passes."
)
@click.option("-q", "--quiet", is_flag=True, help="No console summary (--once).")
@click.option(
    "--state-dir",
    default=None,
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="Where the monitor remembers which tenant last used each GPU (GPU-009). Default: the user "
    "data directory when reading this node; a replay (--from-snapshot) keeps state only when given.",
)
@_node_options
@click.pass_context
def monitor_gpu(
    ctx,
    policy_path,
    once,
    interval,
    snapshot_path,
    outputs,
    fail_on,
    metrics_port,
    max_passes,
    quiet,
    state_dir,
    **node,
):
    """GPU-tenant isolation on this node (NVML, kubelet allocations, pods) against the policy."""
    if ctx.invoked_subcommand is not None:
        return
    from runtime_monitor.policy import PolicyError, load_policy
    from scanner.cli import ConfigProblem, _parse_outputs

    if not policy_path:
        raise click.UsageError("--policy FILE is required")
    if once and interval:
        raise click.UsageError("--once and --interval exclude each other")
    seconds = _interval(interval or "30s")
    parsed = _parse_outputs(outputs)
    try:
        policy_doc = load_policy(policy_path)
    except PolicyError as e:
        raise ConfigProblem(str(e)) from e
    metrics = None
    if metrics_port:
        from runtime_monitor.gpu.metrics import GpuMetrics

        metrics = GpuMetrics()
        try:
            metrics.serve(metrics_port)
        except OSError as e:
            raise ConfigProblem(f"cannot serve metrics on port {metrics_port}: {e.strerror or e}") from e

    def one_pass():
        from runtime_monitor.gpu.snapshot import SnapshotError, load_snapshot

        if snapshot_path:
            try:
                snap = load_snapshot(snapshot_path)
            except SnapshotError as e:
                raise ConfigProblem(str(e)) from e
        else:
            snap = _live_snapshot(**node)
        result, stats = _evaluate_with_state(snap, policy_doc, state_dir, live=not snapshot_path)
        if metrics is not None:
            metrics.node = result.targets[0].split(":", 1)[1]
            metrics.update(stats)
        return result

    if once:
        from scanner.cli import _finish

        _finish(one_pass(), None, parsed, fail_on, None, quiet)
        return
    _continuous(one_pass, parsed, fail_on, seconds, max_passes)


def _evaluate_with_state(snap, policy_doc, state_dir, *, live: bool):
    """A pass judged against the tenants each GPU had at the last pass, then the state saved. A
    state file that cannot be read or written is a scan error (the pass is incomplete: GPU-009
    judges as on a first pass), never a silent pass."""
    from runtime_monitor.gpu import state
    from runtime_monitor.monitor import evaluate
    from scanner.model.finding import ScanError

    directory = state_dir or (state.default_dir() if live else None)
    if directory is None:
        return evaluate(snap, policy_doc)
    node = (snap.get("node") or {}).get("name", "")
    problems, previous = [], None
    try:
        previous = state.load_state(directory, node)
    except state.StateError as e:
        problems.append(str(e))
    result, stats = evaluate(snap, policy_doc, previous_tenants=previous)
    try:
        state.save_state(directory, node, state.merged(previous, stats.gpu_tenants))
    except state.StateError as e:
        problems.append(str(e))
    result.errors += [
        ScanError(source="state", reason=p, unscanned="tenant changes (GPU-009 judged as a first pass)")
        for p in problems
    ]
    return result, stats


def _continuous(one_pass, outputs, fail_on, seconds, max_passes) -> None:
    """A pass every `seconds`: JSON lines on stdout (each finding, then a pass summary),
    reports rewritten each pass. SIGTERM ends it after the current pass (exit 0); with
    --max-passes it exits with the last pass's gate code."""
    import json
    import signal
    import threading

    from scanner.cli import ConfigProblem, _write_outputs
    from scanner.gate import exit_code

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    code, n = 0, 0
    while not stop.is_set():
        n += 1
        try:
            result = one_pass()
        except ConfigProblem as e:
            click.echo(json.dumps({"type": "error", "pass": n, "message": e.message}), err=False)
            code = e.exit_code
        else:
            code = exit_code(result, fail_on.lower())
            for f in result.findings:
                click.echo(
                    json.dumps({"type": "finding", "scan_id": result.scan_id, **f.to_json()}, default=str)
                )
            click.echo(
                json.dumps(
                    {
                        "type": "pass",
                        "pass": n,
                        "scan_id": result.scan_id,
                        "finished_at": result.finished_at,
                        "target": result.targets[0],
                        "checks": result.checks,
                        "passed": result.passed,
                        "findings": len(result.findings),
                        "errors": [e.to_json() for e in result.errors],
                        "exit_code": code,
                    }
                )
            )
            _write_outputs(result, outputs)
        sys.stdout.flush()
        if max_passes and n >= max_passes:
            break
        stop.wait(seconds)
    sys.exit(code if max_passes else 0)


@monitor_gpu.command("snapshot")
@click.option(
    "-o", "--output", default="-", show_default=True, metavar="FILE", help="Where to write ('-' = stdout)."
)
@_node_options
def monitor_gpu_snapshot(output, **node):
    """Record everything the GPU checks read on this node as JSON (replay with --from-snapshot)."""
    import json
    from pathlib import Path

    from scanner.cli import ConfigProblem

    text = json.dumps(_live_snapshot(**node), indent=1) + "\n"
    if output == "-":
        click.echo(text, nl=False)
        return
    try:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(text, encoding="utf-8")
    except OSError as e:
        raise ConfigProblem(f"cannot write {output}: {e.strerror or e}") from e
