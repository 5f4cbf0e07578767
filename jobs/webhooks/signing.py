"""Standard Webhooks signatures (https://www.standardwebhooks.com), so partners can verify
deliveries with any of that specification's libraries instead of code of their own.

The signature is HMAC-SHA256, keyed by the base64 bytes after `whsec_`, over
`{webhook-id}.{webhook-timestamp}.{body}`. During a secret rotation one signature per live
secret is sent, space-separated, and a receiver accepts the message if any one matches.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from core.webhook_endpoints import SECRET_PREFIX


def sign(secret: str, *, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed_content = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed_content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_headers(
    secrets: list[str], *, message_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            sign(secret, message_id=message_id, timestamp=timestamp, body=body)
            for secret in secrets
        ),
    }
