"""The target's Prometheus exposition, in its own registry (never the process-global one).

The seed's responders grep ``error_rate``, ``response_time``, ``active_users`` and ``worker_cpu``;
those are gauges read from the target's windows at scrape time. Request counts and latencies
are the usual ``http_requests_total`` counter and ``http_request_duration_seconds`` histogram.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from warroom.target.faults import FAULTS
from warroom.target.state import Target

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class _StateCollector(Collector):
    """Gauges computed from the target's state each time /metrics is scraped."""

    def __init__(self, target: Target) -> None:
        self.target = target

    def collect(self) -> Iterator[Metric]:
        target = self.target
        yield _gauge(
            "error_rate",
            "Share of requests answered 5xx over the last minute.",
            target.error_rate(),
        )
        yield _gauge(
            "response_time",
            "Mean seconds to answer a request over the last minute.",
            target.response_time(),
        )
        yield _gauge(
            "active_users",
            "Users answered in the last 5 minutes plus open WebSocket connections.",
            target.active_users(),
        )
        yield _gauge(
            "worker_cpu",
            "Percent of worker capacity busy over the last minute.",
            round(target.worker_busy() * 100, 2),
        )
        yield _gauge(
            "cache_hit_rate", "Share of cache lookups that hit (last 100).", target.cache_hit_rate()
        )
        pool = target.db_pool()
        connections = GaugeMetricFamily(
            "db_pool_connections", "Database pool connections by state.", labels=["state"]
        )
        for state in ("in_use", "idle", "waiting"):
            connections.add_metric([state], pool[state])
        yield connections
        yield _gauge("db_pool_size", "Database pool size.", pool["size"])
        info = GaugeMetricFamily("target_release", "The release deployed.", labels=["version"])
        info.add_metric([target.release], 1)
        yield info
        on = {fault.kind.name for fault in target.faults.active()}
        faults = GaugeMetricFamily(
            "target_fault_active", "Whether each practice fault is switched on.", labels=["fault"]
        )
        for name in FAULTS:
            faults.add_metric([name], 1 if name in on else 0)
        yield faults


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


class TargetMetrics:
    """The registry, the request instruments and the text exposition."""

    def __init__(self, target: Target) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "http_requests_total",
            "HTTP requests answered.",
            ["method", "route", "code"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "http_request_duration_seconds",
            "Time taken to answer HTTP requests.",
            ["method", "route"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.registry.register(_StateCollector(target))

    def observe(self, method: str, route: str, code: int, seconds: float) -> None:
        """Count one answered request and its duration."""
        self.requests.labels(method=method, route=route, code=str(code)).inc()
        self.duration.labels(method=method, route=route).observe(seconds)

    def exposition(self) -> bytes:
        """The Prometheus text format of everything in the registry."""
        return generate_latest(self.registry)
