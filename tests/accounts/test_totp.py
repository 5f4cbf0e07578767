"""TOTP on a frozen clock: which steps are accepted, replays, races, secrets at rest."""

from __future__ import annotations

import asyncio
import base64
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest

from auth import totp
from core.crypto import DataCipher, DecryptionFailed
from core.db import Database
from core.settings import Settings
from models.accounts import Role, User
from tests.accounts.builders import give_totp
from tests.concurrently import settled
from tests.user_builders import make_user

# The start of a 30-second step, so "now" and the step boundaries are exact.
NOW = 1_800_000_000.0


def _code(secret: str, moment: float) -> str:
    return pyotp.TOTP(secret).at(int(moment))


def test_a_secret_is_160_random_bits_in_base32() -> None:
    secret = totp.new_secret()
    assert len(base64.b32decode(secret)) == 20
    assert secret != totp.new_secret()


@pytest.mark.parametrize(
    ("steps_from_now", "accepted"),
    [
        (0, True),  # the current step
        (-1, True),  # the previous step: a code typed as the phone ticks over
        (-2, False),
        (-10, False),
        (1, False),  # the next step: pyotp's valid_window would accept it, we do not
    ],
)
@pytest.mark.parametrize("into_the_step", [0.0, 29.9])
def test_only_the_current_and_the_previous_step_match(
    steps_from_now: int, accepted: bool, into_the_step: float
) -> None:
    secret = totp.new_secret()
    code = _code(secret, NOW + 30 * steps_from_now)
    step = totp.matching_step(secret, code, now=NOW + into_the_step)
    assert step == (NOW // 30 + steps_from_now if accepted else None)


def test_codes_are_six_digits_and_spaces_are_forgiven() -> None:
    secret = totp.new_secret()
    code = _code(secret, NOW)
    assert totp.matching_step(secret, f" {code[:3]} {code[3:]} ", now=NOW) == int(NOW // 30)
    for malformed in ("", "12345", "1234567", "abcdef", "١٢٣٤٥٦"):
        assert totp.matching_step(secret, malformed, now=NOW) is None


async def test_a_code_works_once_and_an_older_one_never_after_it(
    db: Database, settings: Settings
) -> None:
    # given a user with TOTP, and the clock frozen
    async with db.transaction() as session:
        user = await make_user(session, Role.SALES)
        secret = await give_totp(session, user, settings)
    cipher = DataCipher(settings.data_key)

    async def verify(code: str) -> bool:
        async with db.transaction() as session:
            fresh = await session.get(User, user.id)
            assert fresh is not None
            return await totp.verify_code(session, cipher, fresh, code, clock=lambda: NOW)

    # when the current code is used, then used again
    assert await verify(_code(secret, NOW))
    assert not await verify(_code(secret, NOW))
    # then the previous step's code, although within the window, is refused too
    assert not await verify(_code(secret, NOW - 30))


async def test_two_racing_verifications_of_one_code_succeed_exactly_once(
    committed_db: Database, committed_settings: Settings
) -> None:
    # given a committed user with TOTP (the race needs two real transactions)
    async with committed_db.transaction() as session:
        user = await make_user(session, Role.FINANCE)
        secret = await give_totp(session, user, committed_settings)
    cipher = DataCipher(committed_settings.data_key)
    code = _code(secret, NOW)
    both_checked = asyncio.Barrier(2)

    async def verify() -> bool:
        async with committed_db.transaction() as session:
            fresh = await session.get(User, user.id)
            assert fresh is not None
            await both_checked.wait()  # both have read the row before either writes
            return await totp.verify_code(session, cipher, fresh, code, clock=lambda: NOW)

    # when two requests verify the same code at the same moment
    outcomes = await settled(verify(), verify())
    # then exactly one of them succeeds
    assert sorted(outcomes) == [False, True]


def test_the_secret_at_rest_is_bound_to_its_user(settings: Settings) -> None:
    cipher = DataCipher(settings.data_key)
    secret = totp.new_secret()
    sealed = totp.seal_secret(cipher, 7, secret)
    assert secret.encode() not in sealed
    assert totp.open_secret(cipher, 7, sealed) == secret
    with pytest.raises(DecryptionFailed):
        totp.open_secret(cipher, 8, sealed)


def test_the_uri_names_the_issuer_and_the_account_and_the_qr_code_is_svg() -> None:
    secret = totp.new_secret()
    uri = totp.provisioning_uri(secret, "mei@anatolia.example")
    parsed = urlsplit(uri)
    assert (parsed.scheme, parsed.netloc) == ("otpauth", "totp")
    assert parsed.path == "/TradeQL:mei%40anatolia.example"
    assert parse_qs(parsed.query) == {"secret": [secret], "issuer": ["TradeQL"]}
    svg = totp.qr_code_svg(uri)
    assert svg.startswith("<svg")
    assert svg.rstrip().endswith("</svg>")
    assert secret not in svg
