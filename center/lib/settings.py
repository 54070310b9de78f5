"""Configuration read once from the environment."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
Network = IPv4Network | IPv6Network


@dataclass(frozen=True)
class Settings:
    """Everything the app reads from its environment."""

    database_url: str | None
    data_dir: Path
    secret_key: str
    demo: bool
    debug: bool
    https: bool
    timezone: str = "Asia/Tokyo"
    host: str = "127.0.0.1"
    port: int = 8000
    # Failed logins per (user name, address) in the window before each try waits 1 s, 2 s, 4 s ...
    # up to the cap: see center/accounts/login_throttle.py.
    login_attempts: int = 5
    login_window_minutes: int = 15
    login_max_delay_seconds: int = 300
    # A signed-in session ends after this long without a request, and this long after login.
    session_idle_minutes: int = 120
    session_lifetime_hours: int = 12
    # Public forms (no account), per client address per hour: see center/accounts/throttle.py.
    group_applications_per_hour: int = 5
    problem_reports_per_hour: int = 10
    flowerbed_signups_per_hour: int = 10  # stops scripted flooding, not a family at one router
    flowerbed_lookups_per_hour: int = 20  # finding a signup by code and phone digits: stops guessing
    password_hash_cheap: bool = False
    pg_pool: bool = True
    pdf_warm_up: bool = True
    base_url: str = "http://127.0.0.1:8000"  # for links in e-mails
    smtp_host: str = ""  # e-mail is sent only when this is set
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "center@localhost"
    scheduler: bool = True  # run due jobs inside the app process (or use `center jobs` from cron)
    scheduler_interval: float = 30.0  # seconds between the in-process scheduler's passes
    job_every: str = ""  # "name=10m,other=1h" ("*" for every job): change how often jobs are due
    backup_dir: Path | None = None  # the daily backup's folder (default data/backups)
    backup_keep: int = 14  # the daily backup keeps this many of its files, deleting older ones
    backup_at: str = "03:00"  # the daily backup's time of day, Asia/Tokyo
    mail_backoff: str = ""  # "1m,5m,15m": waits between e-mail attempts (center/notices/delivery.py)
    api_schema: bool = True  # /schema/openapi.json for staff; CENTER_API_SCHEMA=0 switches it off
    # Reverse proxies whose X-Forwarded-For/-Proto are believed (center/web/forwarded.py); none by default.
    trusted_proxies: tuple[Network, ...] = ()
    workers: int = 1  # uvicorn processes `center run` starts (CENTER_WORKERS; --workers wins)
    log_format: str = "plain"  # the server log: "plain" lines or one JSON object a line
    metrics_allow: tuple[str, ...] = ()  # addresses and networks that may read /metrics unsigned-in
    health_scheduler_minutes: int = 15  # /healthz fails when no job finished for this long

    @property
    def is_postgres(self) -> bool:
        return bool(self.database_url) and self.database_url.startswith(("postgres://", "postgresql://"))

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "center.sqlite3"


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class TrustedProxiesInvalid(ValueError):
    """CENTER_TRUSTED_PROXIES holds something that is neither an IP address nor a network."""


def parse_trusted_proxies(text: str) -> tuple[Network, ...]:
    """'127.0.0.1, 10.0.0.0/8, ::1' as networks (a bare address is a network of one).
    Raises TrustedProxiesInvalid naming the first bad entry."""
    networks = []
    for raw in text.split(","):
        entry = raw.strip()
        if not entry:
            continue
        try:
            networks.append(ip_network(entry, strict=False))
        except ValueError as exc:
            raise TrustedProxiesInvalid(
                f"CENTER_TRUSTED_PROXIES: {entry!r} is not an IP address or network "
                "(e.g. 127.0.0.1 or 10.0.0.0/8)"
            ) from exc
    return tuple(networks)


def _positive(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, not {value!r}")
    return int(value)


def _list(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


def _log_format(value: str) -> str:
    value = value.strip().lower()
    if value not in {"plain", "json"}:
        raise ValueError(f"CENTER_LOG_FORMAT must be plain or json, not {value!r}")
    return value


def _secret_key(data_dir: Path) -> str:
    """Use CENTER_SECRET_KEY, else a random key kept in the data folder (so restarts keep sessions)."""
    if key := os.environ.get("CENTER_SECRET_KEY"):
        return key
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings from the environment, read once per process."""
    data_dir = Path(os.environ.get("CENTER_DATA_DIR", BASE_DIR / "data")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    return Settings(
        database_url=os.environ.get("CENTER_DATABASE_URL") or None,
        data_dir=data_dir,
        secret_key=_secret_key(data_dir),
        demo=_flag("CENTER_DEMO"),  # only when asked: demo accounts share a published password
        debug=_flag("CENTER_DEBUG"),
        https=_flag("CENTER_HTTPS"),
        host=os.environ.get("CENTER_HOST", "127.0.0.1"),
        port=int(os.environ.get("CENTER_PORT", "8000")),
        password_hash_cheap=_flag("CENTER_CHEAP_PASSWORD_HASH"),
        pg_pool=_flag("CENTER_PG_POOL", True),
        pdf_warm_up=_flag("CENTER_PDF_WARM_UP", True),
        base_url=os.environ.get("CENTER_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
        smtp_host=os.environ.get("CENTER_SMTP_HOST", ""),
        smtp_port=int(os.environ.get("CENTER_SMTP_PORT", "25")),
        smtp_user=os.environ.get("CENTER_SMTP_USER", ""),
        smtp_password=os.environ.get("CENTER_SMTP_PASSWORD", ""),
        smtp_starttls=_flag("CENTER_SMTP_STARTTLS"),
        mail_from=os.environ.get("CENTER_MAIL_FROM", "center@localhost"),
        scheduler=_flag("CENTER_SCHEDULER", True),
        scheduler_interval=float(os.environ.get("CENTER_SCHEDULER_INTERVAL", "30")),
        job_every=os.environ.get("CENTER_JOB_EVERY", ""),
        backup_dir=Path(os.environ["CENTER_BACKUP_DIR"]).resolve()
        if os.environ.get("CENTER_BACKUP_DIR")
        else None,
        backup_keep=int(os.environ.get("CENTER_BACKUP_KEEP", "14")),
        backup_at=os.environ.get("CENTER_BACKUP_AT", "03:00"),
        mail_backoff=os.environ.get("CENTER_MAIL_BACKOFF", ""),
        session_idle_minutes=int(os.environ.get("CENTER_SESSION_IDLE_MINUTES", "120")),
        session_lifetime_hours=int(os.environ.get("CENTER_SESSION_LIFETIME_HOURS", "12")),
        api_schema=_flag("CENTER_API_SCHEMA", True),
        trusted_proxies=parse_trusted_proxies(os.environ.get("CENTER_TRUSTED_PROXIES", "")),
        workers=_positive("CENTER_WORKERS", 1),
        log_format=_log_format(os.environ.get("CENTER_LOG_FORMAT", "plain")),
        metrics_allow=_list(os.environ.get("CENTER_METRICS_ALLOW", "")),
        health_scheduler_minutes=int(os.environ.get("CENTER_HEALTH_SCHEDULER_MINUTES", "15")),
    )
