"""Webhook targets: public http(s) URLs only, checked when added and again when sent."""

from __future__ import annotations

import ipaddress

import pytest

from core.webhook_targets import (
    TargetRefused,
    TargetUnresolved,
    check_target_url,
    is_forbidden_address,
    resolve_target,
)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.10",
        "169.254.169.254",  # cloud metadata service
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",  # noqa: S104 - an address under test, not a bind
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
    ],
)
def test_private_loopback_link_local_multicast_and_reserved_addresses_are_forbidden(
    address: str,
) -> None:
    assert is_forbidden_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert not is_forbidden_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("ftp://partner.example.com/hook", "must start with http:// or https://"),
        ("partner.example.com/hook", "must start with"),
        ("https:///hook", "no host"),
        ("https://user:pw@partner.example.com/hook", "user name or password"),
        ("https://partner.example.com:99999/hook", "not a valid URL"),
        ("http://127.0.0.1:8080/hook", "127.0.0.1"),
        ("http://[::1]/hook", "::1"),
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254"),
        ("http://localhost/hook", "localhost"),
        ("https://partner.example.com/" + "a" * 2_000, "longer than"),
    ],
)
def test_unusable_urls_are_refused_when_an_endpoint_is_added(url: str, complaint: str) -> None:
    with pytest.raises(TargetRefused) as refused:
        check_target_url(url, allow_private=False, require_https=False)
    assert complaint in str(refused.value)
    assert "pw" not in str(refused.value)


def test_production_requires_https() -> None:
    with pytest.raises(TargetRefused, match="https://"):
        check_target_url("http://partner.example.com/", allow_private=False, require_https=True)
    url = "https://partner.example.com/hooks?tenant=7"
    assert check_target_url(url, allow_private=False, require_https=True) == url


def test_private_targets_are_accepted_when_allowed() -> None:
    url = "http://127.0.0.1:8080/hook"
    assert check_target_url(url, allow_private=True, require_https=False) == url


async def test_a_host_resolving_to_loopback_is_refused_at_delivery() -> None:
    with pytest.raises(TargetRefused, match="localhost resolves to 127"):
        await resolve_target("localhost", 80, allow_private=False)
    assert ipaddress.ip_address("127.0.0.1") in await resolve_target(
        "localhost", 80, allow_private=True
    )


async def test_a_host_without_addresses_is_a_retryable_failure() -> None:
    with pytest.raises(TargetUnresolved):
        await resolve_target("no-such-host.invalid", 443, allow_private=False)
