"""Recovery codes: ten, single use, stored keyed-hashed, replaced as a set."""

from __future__ import annotations

from sqlmodel import col, select

from auth.recovery_codes import replace_recovery_codes, use_recovery_code
from core.db import Database
from core.settings import Settings
from models.accounts import RecoveryCode, Role
from tests.user_builders import make_user


async def test_each_code_works_once_and_only_for_its_user(db: Database, settings: Settings) -> None:
    async with db.transaction() as session:
        user = await make_user(session, Role.SALES)
        other = await make_user(session, Role.SALES)
        assert user.id is not None
        assert other.id is not None
        codes = await replace_recovery_codes(session, user.id, secret_key=settings.secret_key)
        assert len(set(codes)) == 10
        key = settings.secret_key
        # typed with capitals and spaces, the code still works, once
        assert await use_recovery_code(session, user.id, f" {codes[0].upper()} ", secret_key=key)
        assert not await use_recovery_code(session, user.id, codes[0], secret_key=key)
        assert not await use_recovery_code(session, other.id, codes[1], secret_key=key)
        assert not await use_recovery_code(session, user.id, "aaaaa-aaaaa", secret_key=key)
        stored = list(
            await session.scalars(
                select(RecoveryCode.code_hash).where(col(RecoveryCode.user_id) == user.id)
            )
        )
    assert len(stored) == 10
    assert not {code.replace("-", "") for code in codes} & {h[:10] for h in stored}
    assert not set(codes) & set(stored)


async def test_new_codes_replace_the_old_ones(db: Database, settings: Settings) -> None:
    async with db.transaction() as session:
        user = await make_user(session, Role.SALES)
        assert user.id is not None
        key = settings.secret_key
        old = await replace_recovery_codes(session, user.id, secret_key=key)
        new = await replace_recovery_codes(session, user.id, secret_key=key)
        assert not await use_recovery_code(session, user.id, old[0], secret_key=key)
        assert await use_recovery_code(session, user.id, new[0], secret_key=key)
