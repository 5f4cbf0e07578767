"""File uploads: the GraphQL multipart request specification, on POST /graphql only.

A `multipart/form-data` body carries `operations` (the JSON request, with `null` where each
file goes), then `map` (which file part lands at which `variables` path), then the files
(github.com/jaydenseric/graphql-multipart-request-spec). It is parsed as it streams, and
whatever breaks the spec or a limit stops the reading at once:

- the whole body beyond MAX_UPLOAD_BYTES (413; a larger `Content-Length` before any byte);
- `operations` or `map` beyond MAX_BODY_BYTES (413), or not the first two parts;
- a map naming more than MAX_UPLOAD_FILES files, a path that is not a `null` inside
  `variables`, the same path twice, a part the map does not name, a file sent twice or never
  (400, `BAD_REQUEST`).

A browser sends such a body cross-site from a plain HTML form without asking first, with the
user's cookies or stored credentials, so a multipart request must carry a preflight header
(as Apollo Server's CSRF prevention requires): a header a browser only sends cross-site
after a CORS preflight, which TradeQL never grants.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from python_multipart import MultipartParser
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header
from starlette.datastructures import Headers
from starlette.requests import Request

from app.request_body import (
    GraphQLRequest,
    RequestRejected,
    graphql_request_from,
    parse_json,
    parse_request_object,
)
from core.uploads import UploadedFile

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks  # defined for type checkers only

MULTIPART = "multipart/form-data"
# Either one, with any non-empty value: Apollo's name, which its clients already send, or ours.
PREFLIGHT_HEADERS = ("Apollo-Require-Preflight", "X-TradeQL-Preflight")


@dataclass(frozen=True)
class UploadLimits:
    max_upload_bytes: int  # the whole multipart body
    max_upload_files: int
    max_part_bytes: int  # `operations` and `map`: MAX_BODY_BYTES, as for a JSON body


def is_multipart(headers: Headers) -> bool:
    return headers.get("content-type", "").split(";")[0].strip().lower() == MULTIPART


def require_preflight(headers: Headers) -> None:
    if not any(headers.get(name, "").strip() for name in PREFLIGHT_HEADERS):
        raise RequestRejected(
            400,
            f"A multipart request must carry a non-empty {PREFLIGHT_HEADERS[0]} (or "
            f"{PREFLIGHT_HEADERS[1]}) header, e.g. '{PREFLIGHT_HEADERS[0]}: true'; it "
            "protects against cross-site request forgery",
        )


async def read_multipart(request: Request, limits: UploadLimits) -> GraphQLRequest:
    """The request with its files in `variables`; every file is closed if reading fails."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_upload_bytes:
        raise _too_large(limits)
    reader = _MultipartReader(_boundary(request.headers), limits)
    try:
        received = 0
        async for chunk in request.stream():
            received += len(chunk)
            if received > limits.max_upload_bytes:
                raise _too_large(limits)
            await reader.feed(chunk)
        return reader.finish()
    except BaseException:
        reader.close_files()
        raise


def _too_large(limits: UploadLimits) -> RequestRejected:
    return RequestRejected(
        413, f"The upload exceeds {limits.max_upload_bytes} bytes (MAX_UPLOAD_BYTES)"
    )


def _boundary(headers: Headers) -> bytes:
    _, options = parse_options_header(headers.get("content-type"))
    boundary = options.get(b"boundary")
    if not boundary:
        raise RequestRejected(400, "The multipart Content-Type has no boundary")
    return boundary


@dataclass
class _Part:
    name: str
    file: UploadedFile | None = None  # None for `operations` and `map`


class _MultipartReader:
    """Parses the body chunk by chunk. python-multipart's callbacks are synchronous: they
    check and queue file bytes, which are written (to memory or disk) after each chunk."""

    def __init__(self, boundary: bytes, limits: UploadLimits) -> None:
        self._limits = limits
        self._parser = _parser(
            boundary,
            {
                "on_part_begin": self._on_part_begin,
                "on_header_field": self._on_header_field,
                "on_header_value": self._on_header_value,
                "on_header_end": self._on_header_end,
                "on_headers_finished": self._on_headers_finished,
                "on_part_data": self._on_part_data,
                "on_part_end": self._on_part_end,
                "on_end": self._on_end,
            },
        )
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._disposition = b""
        self._content_type = b""
        self._part = _Part("")
        self._field = bytearray()
        self._to_write: list[tuple[UploadedFile, bytes]] = []
        # The fields still expected before any file, in order.
        self._expecting = ["operations", "map"]
        self._operations: dict[str, Any] = {}
        self._placements: dict[str, list[_Place]] = {}
        self._files: dict[str, UploadedFile] = {}
        self._ended = False

    async def feed(self, chunk: bytes) -> None:
        try:
            self._parser.write(chunk)
        except FormParserError:
            raise _malformed() from None
        for file, data in self._to_write:
            await file.append(data)
        self._to_write.clear()

    def finish(self) -> GraphQLRequest:
        try:
            self._parser.finalize()
        except FormParserError:
            raise _malformed() from None
        if not self._ended or self._expecting:
            raise RequestRejected(400, "The multipart body ends before its closing boundary")
        for name, places in self._placements.items():
            file = self._files.get(name)
            if file is None:
                raise RequestRejected(400, f"The map names file '{name}', which was not sent")
            for container, key in places:
                container[key] = file
        request = graphql_request_from(self._operations)
        return replace(request, uploads=tuple(self._files.values()))

    def close_files(self) -> None:
        for file in self._files.values():
            file.close()
        if self._part.file is not None:
            self._part.file.close()

    def _on_part_begin(self) -> None:
        self._disposition = self._content_type = b""
        self._part = _Part("")
        self._field.clear()

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _on_header_end(self) -> None:
        name = bytes(self._header_name).strip().lower()
        if name == b"content-disposition":
            self._disposition = bytes(self._header_value)
        elif name == b"content-type":
            self._content_type = bytes(self._header_value)
        self._header_name.clear()
        self._header_value.clear()

    def _on_headers_finished(self) -> None:
        kind, options = parse_options_header(self._disposition)
        if kind != b"form-data" or not options.get(b"name"):
            raise RequestRejected(400, "Each part needs 'Content-Disposition: form-data; name=...'")
        name = _text(options[b"name"])
        if self._expecting:
            if name != self._expecting[0]:
                raise RequestRejected(
                    400,
                    "The multipart body must start with the 'operations' then the 'map' part; "
                    f"'{name}' came where '{self._expecting[0]}' belongs",
                )
            self._part = _Part(name)
            return
        if name not in self._placements:
            raise RequestRejected(400, f"The map names no file '{name}'")
        if name in self._files:
            raise RequestRejected(400, f"File '{name}' is sent twice")
        filename = _text(options.get(b"filename", b""))
        content_type = _text(parse_options_header(self._content_type)[0])
        self._part = _Part(name, UploadedFile(filename, content_type or "application/octet-stream"))

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._part.file is not None:
            self._to_write.append((self._part.file, data[start:end]))
            return
        self._field += data[start:end]
        if len(self._field) > self._limits.max_part_bytes:
            raise RequestRejected(
                413,
                f"The '{self._part.name}' part exceeds {self._limits.max_part_bytes} bytes "
                "(MAX_BODY_BYTES)",
            )

    def _on_part_end(self) -> None:
        if self._part.file is not None:
            self._files[self._part.name] = self._part.file
        elif self._expecting.pop(0) == "operations":
            self._operations = parse_request_object(bytes(self._field), "'operations'")
            graphql_request_from(self._operations)  # refuses a bad request before any file
        else:
            file_map = _file_map(bytes(self._field), self._limits.max_upload_files)
            self._placements = _placements(self._operations, file_map)
        self._part = _Part("")

    def _on_end(self) -> None:
        self._ended = True


def _parser(boundary: bytes, callbacks: MultipartCallbacks) -> MultipartParser:
    try:
        return MultipartParser(boundary, callbacks)
    except FormParserError:  # a boundary longer than any client sends
        raise _malformed() from None


def _malformed() -> RequestRejected:
    return RequestRejected(400, "The multipart body is malformed")


# Where a file goes: a container inside `variables` (dict or list) and its key or index.
_Place = tuple[Any, Any]


def _file_map(body: bytes, max_files: int) -> dict[str, list[str]]:
    try:
        file_map = parse_json(body.decode("utf-8"), "'map'")
    except UnicodeDecodeError:
        raise RequestRejected(400, "'map' is not valid UTF-8") from None
    if not isinstance(file_map, dict) or not all(
        isinstance(paths, list) and paths and all(isinstance(path, str) for path in paths)
        for paths in file_map.values()
    ):
        raise RequestRejected(
            400, "'map' must be a JSON object of file names to non-empty lists of paths"
        )
    if len(file_map) > max_files:
        raise RequestRejected(
            400,
            f"The request names {len(file_map)} files; at most {max_files} are allowed "
            "(MAX_UPLOAD_FILES)",
        )
    return file_map


def _placements(
    operations: dict[str, Any], file_map: dict[str, list[str]]
) -> dict[str, list[_Place]]:
    """Each file's places, every one a `null` inside `variables` that no other path names."""
    placements: dict[str, list[_Place]] = {}
    taken: set[tuple[int, Any]] = set()
    for name, paths in file_map.items():
        places = placements[name] = []
        for path in paths:
            container, key = _place(operations, path)
            if (id(container), key) in taken:
                raise RequestRejected(400, f"The map names the path '{path}' twice")
            taken.add((id(container), key))
            places.append((container, key))
    return placements


def _place(operations: dict[str, Any], path: str) -> _Place:
    head, *steps = path.split(".")
    container: Any = operations.get("variables") if head == "variables" else None
    key = _key(container, steps[0]) if steps else None
    for step in steps[1:]:
        if key is None:
            break
        container = container[key]
        key = _key(container, step)
    if key is None or container[key] is not None:
        raise RequestRejected(
            400, f"The map path '{path}' is not a null inside 'variables' of 'operations'"
        )
    return container, key


def _key(container: Any, step: str) -> str | int | None:
    """`step` as a key of `container` (an index of a list), or None when it names nothing."""
    if isinstance(container, dict) and step in container:
        return step
    if isinstance(container, list) and step.isdigit() and int(step) < len(container):
        return int(step)
    return None


def _text(value: bytes) -> str:
    """A header parameter as text; NUL is refused here, as everywhere at the boundary."""
    text = value.decode("utf-8", errors="replace")
    if "\x00" in text:
        raise RequestRejected(400, "A part's name, file name or type holds a NUL character")
    return text
