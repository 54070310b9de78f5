"""Prometheus metrics for /metrics.

Two kinds, so the numbers are right with any number of uvicorn workers:
- Per-process: request latency by route template, method and status class. With several
  workers `center run` sets PROMETHEUS_MULTIPROC_DIR, prometheus_client keeps each process's
  values in files there, and a scrape adds them all up (whichever worker answers).
- Facts read at scrape time (center.shell.ops.facts): job runs and failures, the mail outbox's
  depth and oldest age, the backups' age; the database and the disk are the same for everyone."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Iterator
from importlib.metadata import PackageNotFoundError, version

from prometheus_client import CollectorRegistry, Histogram, ProcessCollector, generate_latest, multiprocess
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from center.shell.ops.facts import Facts

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Page and API latencies: most answers take milliseconds, PDFs and reports up to seconds.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


@functools.cache
def package_version() -> str:
    """The installed version (read once: the package's metadata file is parsed on each lookup,
    a millisecond that was most of /healthz's time)."""
    try:
        return version("civic-center")
    except PackageNotFoundError:
        return "unknown"


# This process's own metrics. In multiprocess mode their values also go to the shared folder
# (prometheus_client chooses where values live when it is imported).
PROCESS_REGISTRY = CollectorRegistry()
REQUEST_SECONDS = Histogram(
    "center_http_request_duration_seconds",
    "Time to answer a request, by route template (not the raw path), method and status class.",
    ["route", "method", "status"],
    buckets=BUCKETS,
    registry=PROCESS_REGISTRY,
)
if multiprocess_dir() is None:
    ProcessCollector(registry=PROCESS_REGISTRY)  # memory and CPU; per process, so single-process only


# Each (route template, method, status class)'s histogram, looked up once: `labels()` checks and
# locks on every call. Bounded like the labels themselves (route templates, not paths).
_labelled: dict[tuple[str, str, str], Histogram] = {}


def observe_request(route: str, method: str, status: str, seconds: float) -> None:
    key = (route, method, status)
    histogram = _labelled.get(key)
    if histogram is None:
        histogram = _labelled[key] = REQUEST_SECONDS.labels(route=route, method=method, status=status)
    histogram.observe(seconds)


class _Forward(Collector):
    """Another registry's metrics, as one collector."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterable[Metric]:
        return self.registry.collect()


class _Fixed(Collector):
    """Metric families computed before the scrape."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterator[Metric]:
        return iter(self.families)


def _job_families(facts: Facts) -> list[Metric]:
    runs = CounterMetricFamily(
        "center_job_runs", "Runs of each scheduled job, all processes.", labels=["job"]
    )
    failures = CounterMetricFamily(
        "center_job_failures", "Runs of each scheduled job that failed, all processes.", labels=["job"]
    )
    last_ok = GaugeMetricFamily(
        "center_job_last_success", "1 if the job's last run succeeded, 0 if it failed.", labels=["job"]
    )
    finished = GaugeMetricFamily(
        "center_job_last_finished_timestamp_seconds",
        "When the job's last run finished (Unix time).",
        labels=["job"],
    )
    running = GaugeMetricFamily(
        "center_job_running", "1 while a process holds the job's run.", labels=["job"]
    )
    for job in facts.jobs:
        runs.add_metric([job.name], job.runs)
        failures.add_metric([job.name], job.failures)
        running.add_metric([job.name], 1 if job.running else 0)
        if job.last_finished_at is not None:
            last_ok.add_metric([job.name], 1 if job.last_ok else 0)
            finished.add_metric([job.name], job.last_finished_at.timestamp())
    return [runs, failures, last_ok, finished, running]


def _outbox_families(facts: Facts) -> list[Metric]:
    outbox = facts.outbox
    oldest = 0.0
    if outbox.oldest_pending_at is not None:
        oldest = max(0.0, (facts.now - outbox.oldest_pending_at).total_seconds())
    return [
        GaugeMetricFamily(
            "center_mail_outbox_pending", "E-mails waiting in the outbox.", value=outbox.pending
        ),
        GaugeMetricFamily(
            "center_mail_outbox_oldest_pending_age_seconds",
            "Age of the oldest e-mail waiting in the outbox (0 when none waits).",
            value=oldest,
        ),
        GaugeMetricFamily(
            "center_mail_outbox_failed", "E-mails given up after every retry.", value=outbox.failed
        ),
    ]


def _backup_families(facts: Facts) -> list[Metric]:
    backups = facts.backups
    families: list[Metric] = [
        GaugeMetricFamily("center_backup_files", "Backup files in the backup folder.", value=backups.files)
    ]
    if backups.newest_at is not None:  # absent when there is none: alert on absent(...)
        age = max(0.0, (facts.now - backups.newest_at).total_seconds())
        families.append(
            GaugeMetricFamily("center_backup_newest_age_seconds", "Age of the newest backup file.", value=age)
        )
        families.append(
            GaugeMetricFamily(
                "center_backup_newest_timestamp_seconds",
                "When the newest backup file was written (Unix time).",
                value=backups.newest_at.timestamp(),
            )
        )
    return families


def fact_families(facts: Facts) -> list[Metric]:
    info = GaugeMetricFamily("center_info", "The running version of the center.", labels=["version"])
    info.add_metric([package_version()], 1)
    return [info, *_job_families(facts), *_outbox_families(facts), *_backup_families(facts)]


def render(facts: Facts) -> bytes:
    """The exposition text: every process's latencies (or this one's) and the facts."""
    registry = CollectorRegistry()
    if (folder := multiprocess_dir()) is not None:
        multiprocess.MultiProcessCollector(registry, path=folder)
    else:
        registry.register(_Forward(PROCESS_REGISTRY))
    registry.register(_Fixed(fact_families(facts)))
    return generate_latest(registry)
