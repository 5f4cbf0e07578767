"""Typed settings, read once from the environment or `.env`.

Production refuses configurations that would lose data or leak secrets: SQLite, no Redis,
or the development defaults for secrets.
"""

from __future__ import annotations

from functools import lru_cache
from ipaddress import ip_network
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.smtp import SmtpServer, parse_smtp_url
from models.reference import CURRENCY_CODES

DEV_SECRET_KEY = "dev-only-secret-key-never-use-in-production"  # noqa: S105
DEV_DATA_KEY = "dev-only-data-key-never-use-in-production"
MIN_SECRET_LENGTH = 32

Environment = Literal["development", "test", "production"]


class InsecureConfiguration(ValueError):
    """Raised when production settings would be unsafe."""


class Settings(BaseSettings):
    """Every knob TradeQL reads; docs/configuration.md documents each one."""

    # Errors never echo what was given: it may be a password or a key.
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", frozen=True, hide_input_in_errors=True
    )

    env: Environment = "development"
    database_url: str = "sqlite+aiosqlite:///./tradeql.db"
    database_pool_size: int = Field(default=10, ge=1, le=200)
    # The longest a request waits for a pooled connection before it is answered OVERLOADED.
    database_pool_timeout_seconds: float = Field(default=5.0, gt=0, le=30)
    # A pooled connection unused this long is pinged before use (core/pool_health.py).
    database_idle_ping_seconds: float = Field(default=10.0, ge=0, le=3600)
    # The served process's garbage collector thresholds (app/gc_tuning.py), applied after
    # startup with everything then alive frozen.
    gc_thresholds: str = "50000,20,50"
    redis_url: str | None = None
    redis_prefix: str = "tq:"
    redis_timeout_seconds: float = Field(default=0.25, gt=0, le=5)
    secret_key: SecretStr = SecretStr(DEV_SECRET_KEY)
    data_key: SecretStr = SecretStr(DEV_DATA_KEY)
    smtp_url: SecretStr | None = None
    mail_from: str = "TradeQL <no-reply@localhost>"
    trusted_proxies: str = ""
    graphiql: bool = True
    public_introspection: bool | None = None
    debug_extensions: bool = False
    # "registered": anonymous callers and storefront keys run registered operations only.
    anonymous_operations: Literal["any", "registered"] = "any"
    # How long an automatically persisted query stays known, and the longest one kept.
    persisted_query_seconds: int = Field(default=7 * 24 * 3600, ge=60, le=30 * 24 * 3600)
    persisted_query_max_bytes: int = Field(default=50_000, ge=1_024, le=1_000_000)
    catalog_cache_seconds: int = Field(default=300, ge=0, le=24 * 3600)
    # The longest a cached catalog answer may show stock older than the latest order.
    stock_cache_seconds: float = Field(default=5.0, ge=0, le=300)
    # stock.changed events are coalesced per variant: at most one per variant per window,
    # sent when the window ends with the figures after the window's last change.
    stock_event_window_seconds: int = Field(default=30, ge=1, le=3600)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    max_body_bytes: int = Field(default=1_000_000, ge=1_024)
    # A multipart upload's whole body (files, `operations`, `map`), refused as it streams.
    max_upload_bytes: int = Field(default=50_000_000, ge=1_024, le=2_000_000_000)
    max_upload_files: int = Field(default=10, ge=1, le=100)
    max_query_depth: int = Field(default=12, ge=2, le=50)
    max_aliases: int = Field(default=30, ge=0, le=1_000)
    max_directives: int = Field(default=50, ge=0, le=1_000)
    max_tokens: int = Field(default=3_000, ge=100, le=100_000)
    # Estimated objects an operation may read (schema/cost.py): objects times list sizes.
    max_query_cost: int = Field(default=50_000, ge=100, le=10_000_000)
    # Each caller's bucket of cost points (auth/policy.py ROLE_BUDGETS); off only where
    # something in front of TradeQL meters callers already.
    caller_budgets: bool = True
    outbox_max_attempts: int = Field(default=12, ge=1, le=100)
    outbox_backoff_base_seconds: float = Field(default=2.0, gt=0)
    outbox_backoff_max_seconds: float = Field(default=3_600.0, gt=0)
    outbox_lease_seconds: float = Field(default=60.0, ge=1)
    worker_concurrency: int = Field(default=8, ge=1, le=256)
    worker_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    worker_grace_seconds: float = Field(default=20.0, ge=0)
    # PostgreSQL: each worker LISTENs on one more connection, to hear of new events at once.
    worker_listen: bool = True
    handler_modules: str = ""
    webhook_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    webhook_allow_private_targets: bool = False
    webhook_secret_overlap_hours: float = Field(default=24.0, ge=0)
    access_token_minutes: float = Field(default=15.0, gt=0, le=24 * 60)
    staff_session_idle_minutes: float = Field(default=60.0, gt=0)
    staff_session_absolute_hours: float = Field(default=12.0, gt=0)
    client_session_idle_minutes: float = Field(default=7 * 24 * 60.0, gt=0)
    client_session_absolute_hours: float = Field(default=30 * 24.0, gt=0)
    mfa_challenge_minutes: float = Field(default=5.0, gt=0, le=60)
    require_staff_mfa: bool = True
    public_app_url: str = "http://localhost:3000"
    invitation_hours: float = Field(default=72.0, gt=0, le=30 * 24)
    password_reset_minutes: float = Field(default=60.0, gt=0, le=24 * 60)
    login_max_failures: int = Field(default=5, ge=1, le=100)
    login_max_attempts_per_ip: int = Field(default=50, ge=1)
    mfa_max_failures: int = Field(default=5, ge=1, le=100)
    password_reset_max_requests: int = Field(default=3, ge=1, le=100)
    password_reset_max_requests_per_ip: int = Field(default=20, ge=1)
    auth_lockout_minutes: float = Field(default=15.0, ge=0.02, le=24 * 60)
    # Guests' inquiries per client IP and hour, so the form cannot flood sales.
    inquiry_guest_max_per_hour: int = Field(default=10, ge=1, le=10_000)
    # The reply time promised in the acknowledgement mail, in business days.
    inquiry_response_days: int = Field(default=2, ge=1, le=60)
    # Days before a quote runs out that `quote.expiring` is sent; 0 sends none.
    quote_expiry_notice_days: int = Field(default=3, ge=0, le=90)
    # How long a download link works; a link never outlives its file's own expiry.
    download_link_seconds: int = Field(default=900, ge=10, le=24 * 3600)
    # The largest file stored in the database (imports, exports); far below bytea's 1 GB.
    max_stored_file_bytes: int = Field(default=200_000_000, ge=1_024, le=1_000_000_000)
    # A CSV export (`exportCsv`) with more rows than this ends with EXPORT_TOO_LARGE.
    export_max_rows: int = Field(default=1_000_000, ge=1, le=100_000_000)
    # Reports count days, weeks and months on this zone's calendar (an IANA name).
    reporting_timezone: str = "UTC"
    # The currencies reports can be shown in; each order is converted into every one of them
    # with the rate in force when it was placed, so the sales rollups stay additive.
    reporting_currencies: str = "USD,EUR"

    @field_validator("redis_url", mode="before")
    @classmethod
    def _empty_redis_is_none(cls, value: object) -> object:
        return value or None

    @field_validator("smtp_url", mode="before")
    @classmethod
    def _empty_smtp_is_none(cls, value: object) -> object:
        return value or None

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url_parses(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            parse_smtp_url(value.get_secret_value())
        return value

    @field_validator("public_app_url")
    @classmethod
    def _app_url_is_a_base_url(cls, value: str) -> str:
        parsed = urlsplit(value)
        if parsed.scheme not in {"http", "https"} or not parsed.hostname:
            raise ValueError("must be an absolute http:// or https:// URL")
        if parsed.query or parsed.fragment or parsed.username or parsed.password:
            raise ValueError("must be a base URL, without credentials, query or fragment")
        return value.rstrip("/")

    @field_validator("reporting_timezone")
    @classmethod
    def _timezone_is_known(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA time zone name, like UTC or Asia/Kolkata") from None
        return value

    @field_validator("reporting_currencies")
    @classmethod
    def _currencies_are_iso(cls, value: str) -> str:
        codes = _split(value.upper())
        if not codes or any(code not in CURRENCY_CODES for code in codes):
            raise ValueError("must list ISO 4217 currency codes, such as USD,EUR")
        return ",".join(dict.fromkeys(codes))

    @field_validator("gc_thresholds")
    @classmethod
    def _thresholds_are_three_counts(cls, value: str) -> str:
        counts = _split(value)
        if len(counts) != 3 or not all(count.isdigit() and int(count) > 0 for count in counts):
            raise ValueError("must be three positive whole numbers, such as 50000,20,50")
        return ",".join(counts)

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_networks(cls, value: str) -> str:
        for item in _split(value):
            ip_network(item, strict=False)
        return value

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if not self.require_staff_mfa and self.env != "development":
            raise InsecureConfiguration("REQUIRE_STAFF_MFA can only be turned off in development")
        if self.env != "production":
            return self
        problems = []
        if self.is_sqlite:
            problems.append("DATABASE_URL must point to PostgreSQL, not SQLite")
        if not self.redis_url:
            problems.append("REDIS_URL is required")
        for name, value, default in (
            ("SECRET_KEY", self.secret_key, DEV_SECRET_KEY),
            ("DATA_KEY", self.data_key, DEV_DATA_KEY),
        ):
            raw = value.get_secret_value()
            if raw == default or len(raw) < MIN_SECRET_LENGTH:
                problems.append(f"{name} must be a random value of {MIN_SECRET_LENGTH}+ characters")
        if not self.public_app_url.startswith("https://"):
            problems.append("PUBLIC_APP_URL must be an https:// URL (links carry tokens)")
        if problems:
            raise InsecureConfiguration("refusing to start in production: " + "; ".join(problems))
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def is_development(self) -> bool:
        return self.env == "development"

    @property
    def introspection_for_anonymous(self) -> bool:
        if self.public_introspection is not None:
            return self.public_introspection
        return self.env != "production"

    @property
    def database_pool_connections(self) -> int:
        """The most connections a process's pool opens, and keeps: DATABASE_POOL_SIZE and as
        many again, as when the second half was overflow that was closed after each burst."""
        return 2 * self.database_pool_size

    @property
    def gc_threshold_counts(self) -> tuple[int, int, int]:
        young, middle, old = (int(count) for count in _split(self.gc_thresholds))
        return young, middle, old

    @property
    def trusted_proxy_list(self) -> list[str]:
        return _split(self.trusted_proxies)

    @property
    def smtp_server(self) -> SmtpServer | None:
        return parse_smtp_url(self.smtp_url.get_secret_value()) if self.smtp_url else None

    @property
    def reporting_zone(self) -> ZoneInfo:
        return ZoneInfo(self.reporting_timezone)

    @property
    def reporting_currency_list(self) -> list[str]:
        return _split(self.reporting_currencies)

    @property
    def handler_module_list(self) -> list[str]:
        return _split(self.handler_modules)


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests build their own `Settings` instead."""
    return Settings()
