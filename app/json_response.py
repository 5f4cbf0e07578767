"""JSON responses encoded with orjson: several times faster than the standard library on a
listing's answer, and the same bytes (compact, UTF-8, keys in insertion order).

The few values orjson refuses and the standard library takes (integers beyond 64 bits) fall
back to Starlette's own encoding, so no answer fails that did not fail before.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse


class OrjsonResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)
        except orjson.JSONEncodeError:
            return super().render(content)
