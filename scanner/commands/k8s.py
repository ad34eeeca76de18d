"""`mlposture scan k8s`: live Kubernetes clusters, one per kubeconfig context (or the
in-cluster service account when the scanner runs as a CronJob)."""

from __future__ import annotations

import click


def scan_k8s(targets, options=None, page_size: int | None = None, policy=None, sleep=None):
    """Scan each ClusterTarget; returns (ScanResult, Inventory). A cluster that cannot be
    reached or read is a ScanError (the scan is incomplete), never an empty pass."""
    from scanner.collect.k8s import KubeconfigError, RawApi, RetryPolicy, collect_cluster
    from scanner.collect.k8s.collector import SOURCE
    from scanner.collect.k8s.listing import PAGE_SIZE
    from scanner.engine import ScanOptions, _now, build_inventory, run
    from scanner.model.batch import Batch
    from scanner.model.finding import ScanError

    options = options or ScanOptions()
    started = _now()
    batches, sources, calls = [], [], []
    for t in targets:
        try:
            client = t.client()
        except KubeconfigError as e:
            b = Batch("k8s-api")
            b.errors.append(
                ScanError(SOURCE, f"cluster {t.name}: {e}", None, f"everything in cluster {t.name}")
            )
            batches.append(b)
            continue
        try:
            api = RawApi(client, policy or RetryPolicy(), **({"sleep": sleep} if sleep else {}))
            scan = collect_cluster(t.name, api, page_size or PAGE_SIZE)
        finally:
            client.close()
        batches.append(scan.batch)
        sources.append(scan.summary())
        calls.extend(api.calls)
    inv = build_inventory(batches)
    errors = [e for b in batches for e in b.errors]
    result = run(
        inv,
        targets=[f"k8s:{t.name}" for t in targets],
        errors=errors,
        sources=sources,
        options=options,
        started_at=started,
    )
    return result, inv


def _build() -> click.Command:
    """The command, built on first use: the shared options live in scanner.cli, which imports
    this module while it loads, so they cannot be imported at this module's top."""
    from scanner.cli import (
        ConfigProblem,
        _config_fail_on,
        _finish,
        _load_baseline,
        _options,
        _parse_outputs,
        _stop_progress,
        common_scan_options,
        notify_options,
        store_options,
    )

    @click.command("k8s")
    @click.option(
        "--kubeconfig",
        type=click.Path(dir_okay=False),
        default=None,
        help="Kubeconfig file (default $KUBECONFIG, then ~/.kube/config; in a pod with neither, "
        "the in-cluster service account).",
    )
    @click.option(
        "--context",
        "contexts",
        multiple=True,
        help="Context to scan (a cluster); repeatable. Default: current.",
    )
    @click.option("--all-contexts", is_flag=True, help="Scan every context of the kubeconfig.")
    @click.option(
        "--cluster-name",
        default=None,
        help="Name of the cluster in resource ids (default: the context name, or 'in-cluster').",
    )
    @click.option(
        "--page-size",
        type=click.IntRange(1, 5000),
        default=500,
        show_default=True,
        help="Items per list call.",
    )
    @click.option(
        "--request-timeout",
        type=click.FloatRange(min=0.1),
        default=30.0,
        show_default=True,
        help="Seconds to wait for one API answer before retrying.",
    )
    @common_scan_options
    @store_options
    @notify_options
    def scan_k8s_cmd(
        kubeconfig,
        contexts,
        all_contexts,
        cluster_name,
        page_size,
        request_timeout,
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
        """Scan live Kubernetes clusters (read-only: list and get only; Secrets are never read)."""
        from scanner.collect.k8s import KubeconfigError, RetryPolicy, resolve_targets

        if contexts and all_contexts:
            raise click.UsageError("--context and --all-contexts cannot be used together")
        outs = _parse_outputs(outputs)
        try:
            targets = resolve_targets(kubeconfig, contexts, all_contexts, cluster_name)
        except KubeconfigError as e:
            raise ConfigProblem(str(e)) from e
        opts = _options(config_path, include_rules, exclude_rules, categories, compliance)
        baseline = _load_baseline(baseline_path)
        policy = RetryPolicy(timeout=(min(request_timeout, 10.0), request_timeout))
        try:
            result, inv = scan_k8s(targets, opts, page_size, policy)
        finally:
            _stop_progress(opts)
        _finish(
            result,
            inv,
            outs,
            fail_on or _config_fail_on(opts),
            save_inventory,
            quiet,
            baseline,
            baseline_path,
        )

    return scan_k8s_cmd


def __getattr__(name: str):
    if name == "scan_k8s_cmd":
        cmd = globals()["scan_k8s_cmd"] = _build()
        return cmd
    raise AttributeError(name)
