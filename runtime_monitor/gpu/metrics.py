"""The Prometheus endpoint of `monitor gpu --metrics-port`: isolation violations per check,
tenant and GPU, not-applicable counts per check, and when the last pass finished. Its own
registry, so nothing else in the process leaks into the scrape."""

from __future__ import annotations

from runtime_monitor.monitor import PassStats


class GpuMetrics:
    def __init__(self, node: str = "") -> None:
        from prometheus_client import CollectorRegistry, Gauge

        self.registry = CollectorRegistry()
        self.node = node
        self.violations = Gauge(
            "mlposture_gpu_isolation_violations",
            "Failing, unmuted GPU isolation findings of the last pass",
            ["node", "check", "tenant", "gpu", "severity"],
            registry=self.registry,
        )
        self.not_applicable = Gauge(
            "mlposture_gpu_checks_not_applicable",
            "Checks the last pass could not decide (not supported, no permission, source unavailable)",
            ["node", "check"],
            registry=self.registry,
        )
        self.last_pass = Gauge(
            "mlposture_gpu_last_pass_timestamp_seconds",
            "Unix time the last monitor pass finished",
            ["node"],
            registry=self.registry,
        )
        self.passes = Gauge(
            "mlposture_gpu_passes", "Monitor passes since start", ["node"], registry=self.registry
        )

    def update(self, stats: PassStats) -> None:
        # Series of a violation that is gone must disappear, not keep its last value.
        self.violations.clear()
        self.not_applicable.clear()
        for (check, tenant, gpu, severity), n in stats.violations.items():
            self.violations.labels(self.node, check, tenant, gpu, severity).set(n)
        for check, n in stats.not_applicable.items():
            self.not_applicable.labels(self.node, check).set(n)
        self.last_pass.labels(self.node).set(stats.finished_at)
        self.passes.labels(self.node).inc()

    def render(self) -> bytes:
        from prometheus_client import generate_latest

        return generate_latest(self.registry)

    def serve(self, port: int, addr: str = "0.0.0.0"):
        from prometheus_client import start_http_server

        return start_http_server(port, addr=addr, registry=self.registry)
