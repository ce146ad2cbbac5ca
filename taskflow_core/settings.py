"""Server-side configuration, read from `TASKFLOW_*` environment variables and `.env`."""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Environment = Literal["development", "production", "test"]
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_RATE_PATTERN = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(second|minute|hour|day|s|m|h|d)\s*$")
_PERIOD_SECONDS = {
    "second": 1,
    "s": 1,
    "minute": 60,
    "m": 60,
    "hour": 3600,
    "h": 3600,
    "day": 86400,
    "d": 86400,
}
MIN_PRODUCTION_SECRET_BYTES = 32


@dataclass(frozen=True, slots=True)
class Rate:
    """A budget of `limit` requests per `period` seconds."""

    limit: int
    period: int

    def __str__(self) -> str:
        return f"{self.limit}/{self.period}s"


def parse_rate(text: str) -> Rate | None:
    """Parse `100/minute`, `10/30s` or `0` (no limit) into a `Rate`."""
    if text.strip() == "0":
        return None
    match = _RATE_PATTERN.match(text)
    if match is None:
        raise ValueError(f"invalid rate {text!r}: expected e.g. '100/minute' or '0'")
    count, multiplier, unit = match.groups()
    period = (int(multiplier) if multiplier else 1) * _PERIOD_SECONDS[unit]
    if int(count) == 0 or period == 0:
        return None
    return Rate(limit=int(count), period=period)


def default_data_dir() -> Path:
    """The per-user data directory that holds the embedded database and the dev JWT secret."""
    return Path(user_data_dir("taskflow", appauthor=False))


class Settings(BaseSettings):
    """Every knob of the server; see the configuration table in the README."""

    model_config = SettingsConfigDict(
        env_prefix="TASKFLOW_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    env: Environment = "development"
    data_dir: Path | None = None
    database_url: str | None = None
    redis_url: str | None = None

    jwt_secret: SecretStr | None = None
    jwt_algorithm: Literal["HS256", "HS384", "HS512"] = "HS256"
    jwt_issuer: str = "taskflow"
    jwt_audience: str = "taskflow-api"
    access_token_ttl: int = Field(default=900, ge=1)
    refresh_token_ttl: int = Field(default=604_800, ge=60)
    # A spent refresh token presented again within this many seconds of its use is taken for
    # a client that refreshed several times at once: refused, its session kept. Later, it
    # was copied, and its session ends.
    refresh_reuse_grace: float = Field(default=5.0, ge=0)

    rate_limit: str = "100/minute"
    auth_rate_limit: str = "10/minute"
    # Failed logins: per account and client address, and per account from everywhere (which
    # only a distributed attack reaches: one address is held to the first budget). Only
    # failures count, so an attacker cannot keep the owner out from an address of their own.
    login_failures_per_address: str = "5/15m"
    login_failures_per_account: str = "100/h"
    # Email and password changes per account (each one also answers whether an email is taken).
    account_changes: str = "10/h"
    trusted_proxies: Annotated[list[IPNetwork], NoDecode] = Field(default_factory=list)
    # Browser origins allowed to call the API with credentials (CORS) and to refresh or log
    # out with the refresh cookie; empty: CORS off, cookie refreshes refused.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # GET /metrics (Prometheus text), off by default; with a token, only for its bearer.
    metrics: bool = False
    metrics_token: SecretStr | None = None
    # Where `taskflow worker` serves its own metrics (jobs run), when metrics are on.
    worker_metrics_host: str = "127.0.0.1"
    worker_metrics_port: int = Field(default=9101, ge=1, le=65535)
    cache_ttl: int = Field(default=60, ge=0)
    max_body_size: int = Field(default=1_048_576, ge=1024)

    db_pool_size: int = Field(default=10, ge=1)
    db_timeout: float = Field(default=5.0, gt=0)
    statement_timeout: float = Field(default=15.0, gt=0)

    # Services mode: every cache or rate-limit call to Redis gives up after this many
    # seconds, and after `redis_breaker_threshold` failures in a row Redis is left alone for
    # `redis_breaker_cooldown` seconds (cache bypassed, limits counted in memory).
    redis_timeout: float = Field(default=0.1, gt=0)
    redis_breaker_threshold: int = Field(default=3, ge=1)
    redis_breaker_cooldown: float = Field(default=5.0, gt=0)

    # Seconds between overdue scans (RQ's cron in services mode, a thread otherwise);
    # 0 turns the scan off.
    overdue_scan_interval: int = Field(default=300, ge=0)
    # A failed job runs again up to `job_retries` times, `job_retry_backoff` seconds after
    # the first failure, doubling each time.
    job_retries: int = Field(default=3, ge=0)
    job_retry_backoff: int = Field(default=10, ge=0)
    webhook_url: str | None = None
    webhook_timeout: float = Field(default=5.0, gt=0)

    # Argon2id at OWASP's minimum, in the form with the least memory: 7 MiB, 5 passes, 1 lane
    # (OWASP lists it beside 19 MiB x 2 passes as giving the same protection). It is also
    # the quickest of those forms, and its memory goes back to the OS after each hash
    # (libsodium maps and unmaps it; for argon2-cffi, see server/memory.py). Lower only in
    # tests.
    password_hash_memory_kib: int = Field(default=7_168, ge=8)
    password_hash_time_cost: int = Field(default=5, ge=1)
    password_hash_parallelism: int = Field(default=1, ge=1)
    # Hashes a process computes at once; more logins wait their turn. Each hash keeps a
    # core busy, so a burst of logins must not take every core from the requests that need
    # a millisecond. Two per process (at a lowered priority, see `HASH_THREAD_NICENESS`)
    # measured best with 2 workers on 2 cores (docs/performance.md).
    password_hash_concurrency: int = Field(default=2, ge=1)

    log_level: str = "INFO"

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies", mode="after")
    @classmethod
    def _networks(cls, value: list[IPNetwork]) -> list[IPNetwork]:
        return [ipaddress.ip_network(net, strict=False) for net in value]

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("cors_origins", mode="after")
    @classmethod
    def _exact_origins(cls, value: list[str]) -> list[str]:
        # An origin is compared as browsers send it: scheme://host[:port], nothing else. A
        # wildcard would let every site send credentialed requests.
        origins = []
        for origin in value:
            parts = urlsplit(origin.rstrip("/"))
            if (
                parts.scheme not in ("http", "https")
                or not parts.hostname
                or "*" in origin
                or parts.path
                or parts.query
                or parts.fragment
                or parts.username is not None
            ):
                raise ValueError(
                    f"invalid CORS origin {origin!r}: expected scheme://host[:port], no wildcard"
                )
            origins.append(f"{parts.scheme}://{parts.netloc.lower()}")
        return origins

    @field_validator("webhook_url")
    @classmethod
    def _http_webhook(cls, value: str | None) -> str | None:
        if not value:
            return None
        # The URL reaches urllib: anything but http(s) (file:, ftp:) would read or send
        # something other than a webhook POST.
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"invalid webhook URL {value!r}: expected http:// or https://")
        return value

    @field_validator(
        "rate_limit",
        "auth_rate_limit",
        "login_failures_per_address",
        "login_failures_per_account",
        "account_changes",
    )
    @classmethod
    def _valid_rate(cls, value: str) -> str:
        parse_rate(value)
        return value

    @model_validator(mode="after")
    def _production_needs_a_real_secret(self) -> Settings:
        if self.env == "production":
            secret = self.jwt_secret.get_secret_value() if self.jwt_secret else ""
            if len(secret.encode()) < MIN_PRODUCTION_SECRET_BYTES:
                raise ValueError(
                    "TASKFLOW_JWT_SECRET must be set to at least 32 bytes in production"
                )
        return self

    @property
    def resolved_data_dir(self) -> Path:
        return self.data_dir or default_data_dir()

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.resolved_data_dir / 'taskflow.db'}"

    @property
    def api_rate(self) -> Rate | None:
        return parse_rate(self.rate_limit)

    @property
    def auth_rate(self) -> Rate | None:
        return parse_rate(self.auth_rate_limit)

    @property
    def login_failure_rates(self) -> tuple[Rate | None, Rate | None]:
        """Failed logins allowed per (account, address), and per account."""
        return (
            parse_rate(self.login_failures_per_address),
            parse_rate(self.login_failures_per_account),
        )

    @property
    def account_change_rate(self) -> Rate | None:
        return parse_rate(self.account_changes)

    @cached_property
    def signing_key(self) -> str:
        """The JWT secret: from the environment, else (outside production) a kept local one."""
        if self.jwt_secret is not None:
            return self.jwt_secret.get_secret_value()
        return _local_secret(self.resolved_data_dir / "jwt_secret")


def _local_secret(path: Path) -> str:
    """Read the development secret, creating it (mode 0600) on first use."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret)
    # Server workers start together: link() publishes the complete file atomically or
    # fails, so every worker ends up signing with the same secret.
    try:
        os.link(draft, path)
    except FileExistsError:
        secret = path.read_text().strip()
    finally:
        draft.unlink()
    return secret


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()
