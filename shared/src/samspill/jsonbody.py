"""JSON answers written straight from plain data with orjson.

For large answers (hundreds of objects) building a pydantic model per object and validating
it again on the way out costs more than the query behind it. A route that declares its
`response_model` for the OpenAPI document can return `json_response(...)` with the same shape
built from dicts; the bytes match what pydantic writes (UTC as `Z`, compact, UTF-8).
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

_OPTIONS = orjson.OPT_UTC_Z


def json_bytes(content: Any) -> bytes:
    return orjson.dumps(content, option=_OPTIONS)


def json_response(content: Any, status_code: int = 200) -> Response:
    return Response(json_bytes(content), status_code=status_code, media_type="application/json")
