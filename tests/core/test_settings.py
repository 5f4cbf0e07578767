"""Production refuses configurations that would lose data or leak secrets."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from core.settings import Settings

SAFE_PRODUCTION = {
    "env": "production",
    "database_url": "postgresql+asyncpg://tradeql@db/tradeql",
    "redis_url": "redis://cache:6379/0",
    "secret_key": "k" * 40,
    "data_key": "d" * 40,
    "public_app_url": "https://shop.anatolia.example/",
}


def test_a_safe_production_configuration_is_accepted() -> None:
    settings = Settings(**SAFE_PRODUCTION)  # type: ignore[arg-type]
    assert settings.env == "production"
    assert settings.introspection_for_anonymous is False


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"database_url": "sqlite+aiosqlite:///./tradeql.db"}, "SQLite"),
        ({"redis_url": ""}, "REDIS_URL"),
        ({"secret_key": None}, "SECRET_KEY"),
        ({"data_key": None}, "DATA_KEY"),
        ({"secret_key": "short"}, "SECRET_KEY"),
        ({"public_app_url": None}, "PUBLIC_APP_URL"),
        ({"public_app_url": "http://shop.anatolia.example"}, "PUBLIC_APP_URL"),
    ],
)
def test_production_refuses_unsafe_settings(override: dict[str, object], complaint: str) -> None:
    values = {**SAFE_PRODUCTION, **override}
    values = {key: value for key, value in values.items() if value is not None}
    with pytest.raises(ValidationError) as refused:
        Settings(**values)  # type: ignore[arg-type]
    assert complaint in str(refused.value)


def test_development_defaults_run_embedded() -> None:
    settings = Settings(_env_file=None)
    assert settings.is_sqlite
    assert settings.redis_url is None
    assert settings.introspection_for_anonymous is True
    # every caller is metered unless an operator turns it off
    assert settings.caller_budgets is True


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBUG_EXTENSIONS", "true")
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.10")
    settings = Settings(_env_file=None)
    assert settings.debug_extensions is True
    assert settings.trusted_proxy_list == ["10.0.0.0/8", "192.168.1.10"]


def test_the_public_app_url_is_a_base_url_without_trailing_slash() -> None:
    settings = Settings(**SAFE_PRODUCTION)  # type: ignore[arg-type]
    assert settings.public_app_url == "https://shop.anatolia.example"
    for bad in ("shop.example.com", "ftp://shop.example.com", "https://shop.example.com/?a=1"):
        with pytest.raises(ValidationError):
            Settings(public_app_url=bad)


def test_trusted_proxies_must_be_addresses() -> None:
    with pytest.raises(ValidationError):
        Settings(trusted_proxies="not-an-address")


def test_secrets_are_not_shown_in_repr() -> None:
    settings = Settings(**SAFE_PRODUCTION)  # type: ignore[arg-type]
    assert "k" * 40 not in repr(settings)
    assert "d" * 40 not in str(settings)


def test_reporting_settings_are_checked_and_normalised() -> None:
    settings = Settings(reporting_timezone="Asia/Kolkata", reporting_currencies=" usd, EUR,USD ")
    assert str(settings.reporting_zone) == "Asia/Kolkata"
    assert settings.reporting_currency_list == ["USD", "EUR"]
    with pytest.raises(ValidationError, match="IANA time zone"):
        Settings(reporting_timezone="Mars/Olympus")
    with pytest.raises(ValidationError, match="ISO 4217"):
        Settings(reporting_currencies="USD,XYZ")
    with pytest.raises(ValidationError, match="ISO 4217"):
        Settings(reporting_currencies=" , ")
