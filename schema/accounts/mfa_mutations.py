"""One's own TOTP: `enrollTotp`, `confirmTotp`, `regenerateRecoveryCodes`, `disableTotp`."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from core.outcomes import Issue
from resolvers.accounts import mfa
from schema.accounts.gates import signed_in_field
from schema.accounts.payloads import EnrollTotpPayload, MfaPayload, retry_after
from schema.accounts.types import TotpEnrollment
from schema.info import Info
from schema.user_errors import user_errors

FRESH_FACTOR = (
    " Needs a fresh factor: a current code from the app or an unused recovery code. Code "
    "attempts are throttled like MFA logins. One such mutation per request."
)


def _code_argument() -> Any:
    return strawberry.argument(description="The 6-digit code the authenticator app shows.")


def _recovery_code_argument() -> Any:
    return strawberry.argument(description="An unused recovery code, instead of `code`.")


def _payload(issues: list[Issue], codes: list[str] | None = None) -> MfaPayload:
    return MfaPayload(
        recovery_codes=None if issues else codes,
        done=not issues,
        user_errors=user_errors(issues),
        retry_after_seconds=retry_after(issues),
    )


@strawberry.type
class MfaMutation:
    @signed_in_field(
        description=(
            "Start setting up an authenticator app: a new secret, its otpauth:// URI and a QR "
            "code. Nothing changes until `confirmTotp`; enrolling again replaces the pending "
            "secret. Refused (MFA_ALREADY_ENABLED) while MFA is on."
        )
    )
    async def enroll_totp(self, info: Info) -> EnrollTotpPayload | None:
        outcome = await mfa.enrol_totp(info.context)
        enrollment = outcome.row
        return EnrollTotpPayload(
            enrollment=TotpEnrollment(
                secret=enrollment.secret, uri=enrollment.uri, qr_code_svg=enrollment.qr_code_svg
            )
            if enrollment is not None
            else None,
            user_errors=user_errors(outcome.issues),
        )

    @signed_in_field(
        description=(
            "Turn MFA on with a code from the app just enrolled; answers with ten recovery "
            "codes, shown only this once. Every other session of the user ends; this one "
            "counts as MFA-verified from now on." + " One such mutation per request."
        )
    )
    async def confirm_totp(
        self, info: Info, code: Annotated[str, _code_argument()]
    ) -> MfaPayload | None:
        outcome = await mfa.confirm_totp(info.context, code=code)
        return _payload(outcome.issues, outcome.row)

    @signed_in_field(
        description="Replace the recovery codes with ten new ones (the old ones stop working)."
        + FRESH_FACTOR
    )
    async def regenerate_recovery_codes(
        self,
        info: Info,
        code: Annotated[str | None, _code_argument()] = None,
        recovery_code: Annotated[str | None, _recovery_code_argument()] = None,
    ) -> MfaPayload | None:
        outcome = await mfa.regenerate_recovery_codes(
            info.context, code=code, recovery_code=recovery_code
        )
        return _payload(outcome.issues, outcome.row)

    @signed_in_field(
        description=(
            "Turn MFA off and delete the recovery codes; every other session of the user ends. "
            "Staff then have to enrol again before doing anything else." + FRESH_FACTOR
        )
    )
    async def disable_totp(
        self,
        info: Info,
        code: Annotated[str | None, _code_argument()] = None,
        recovery_code: Annotated[str | None, _recovery_code_argument()] = None,
    ) -> MfaPayload | None:
        outcome = await mfa.disable_totp(info.context, code=code, recovery_code=recovery_code)
        return _payload(outcome.issues)
