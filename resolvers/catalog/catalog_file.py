"""Reading a catalog file's bytes into tables of cells: a ZIP of CSV files, or one CSV file.

Everything a hostile or broken file can do ends as a coded `FileError`, never an exception:
bytes that are not UTF-8, NUL characters, too many rows, columns or bytes (a ZIP member is
read in chunks and given up past the limit, whatever its header claims, so a zip bomb costs
at most the limit), folders or `..` in member names. The format is docs/api/catalog-files.md.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from core.outcomes import UserErrorCode

# The files of a catalog, in the order they are applied (each may refer to those before).
FILE_NAMES = (
    "categories.csv",
    "product_types.csv",
    "attributes.csv",
    "products.csv",
    "variants.csv",
    "prices.csv",
    "stock.csv",
)
ZIP_MAGIC = b"PK\x03\x04"
BOM = "\ufeff"
# Cells a spreadsheet would run as a formula start with one of these; an export prefixes
# them with an apostrophe, which an import takes off again (`plain_cell`).
FORMULA_STARTS = frozenset("=+-@\t\r")
QUOTE = "'"
HEADER_ROW = 1


@dataclass(frozen=True)
class Limits:
    """What one file may hold; the defaults fit a catalog of 100,000 SKUs."""

    max_bytes: int = 100 * 1024 * 1024  # the file, and every member of a ZIP uncompressed
    max_rows: int = 200_000  # per CSV file
    max_columns: int = 300  # per CSV file
    max_cell_chars: int = 100_000
    max_members: int = len(FILE_NAMES)


@dataclass(frozen=True)
class FileError:
    """A problem at `file` (row 1 is the header, as a spreadsheet numbers it), `column`."""

    file: str
    row: int | None
    column: str | None
    code: UserErrorCode
    message: str


@dataclass
class Table:
    """One CSV file: its column names and its rows (row number, cells by column)."""

    name: str
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def read_tables(data: bytes, filename: str, limits: Limits) -> tuple[list[Table], list[FileError]]:
    """The tables in the file and what is wrong with its shape; a table with a problem of
    its own (bad bytes, too many rows) is left out whole."""
    name = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if len(data) > limits.max_bytes:
        return [], [_too_big(name, limits)]
    if data.startswith(ZIP_MAGIC) or name.lower().endswith(".zip"):
        return _read_zip(data, name, limits)
    if name not in FILE_NAMES:
        return [], [_unknown_name(name)]
    table, errors = _read_csv(data, name, limits)
    return ([table] if table is not None else []), errors


def plain_cell(value: str) -> str:
    """A cell as stored: the apostrophe an export put before a formula-like cell removed."""
    if value.startswith(QUOTE) and len(value) > 1 and value[1] in FORMULA_STARTS | {QUOTE}:
        return value[1:]
    return value


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs: the inverse of `plain_cell`."""
    if value[:1] in FORMULA_STARTS or value != plain_cell(value):
        return QUOTE + value
    return value


def split_list(cell: str) -> list[str]:
    """`a|b|c` as ["a", "b", "c"]; `\\|` is a `|` inside a value, `\\\\` a backslash."""
    values: list[str] = []
    current: list[str] = []
    characters = iter(cell)
    for character in characters:
        if character == "\\":
            current.append(next(characters, "\\"))
        elif character == "|":
            values.append("".join(current).strip())
            current = []
        else:
            current.append(character)
    values.append("".join(current).strip())
    return [value for value in values if value]


def join_list(values: list[str]) -> str:
    return "|".join(value.replace("\\", "\\\\").replace("|", "\\|") for value in values)


def _read_zip(data: bytes, name: str, limits: Limits) -> tuple[list[Table], list[FileError]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return [], [FileError(name, None, None, UserErrorCode.INVALID, "is not a readable ZIP")]
    if len(members) > limits.max_members:
        message = f"holds {len(members)} files: at most {limits.max_members} are read"
        return [], [FileError(name, None, None, UserErrorCode.TOO_MANY_ITEMS, message)]
    tables: list[Table] = []
    errors: list[FileError] = []
    seen: set[str] = set()
    budget = limits.max_bytes
    for member in members:
        problem = _member_problem(member, seen)
        if problem is not None:
            errors.append(FileError(member.filename[:200], None, None, *problem))
            continue
        seen.add(member.filename)
        content = _unzipped(archive, member, min(budget, limits.max_bytes))
        if content is None:
            errors.append(_too_big(member.filename, limits))
            continue
        budget -= len(content)
        table, member_errors = _read_csv(content, member.filename, limits)
        errors += member_errors
        if table is not None:
            tables.append(table)
    if not tables and not errors:
        errors.append(FileError(name, None, None, UserErrorCode.NO_ITEMS, "holds no CSV file"))
    order = {file_name: index for index, file_name in enumerate(FILE_NAMES)}
    return sorted(tables, key=lambda table: order[table.name]), errors


def _member_problem(member: zipfile.ZipInfo, seen: set[str]) -> tuple[UserErrorCode, str] | None:
    name = member.filename
    if "/" in name or "\\" in name or ".." in name or member.is_dir():
        return UserErrorCode.INVALID, "names a folder: files must be at the top of the ZIP"
    if name not in FILE_NAMES:
        return _unknown_name(name).code, _unknown_name(name).message
    if member.flag_bits & 0x1:
        return UserErrorCode.INVALID, "is encrypted"
    if name in seen:
        return UserErrorCode.DUPLICATE_ITEM, "is in the ZIP twice"
    return None


def _unzipped(archive: zipfile.ZipFile, member: zipfile.ZipInfo, most: int) -> bytes | None:
    """The member's bytes, or None once more than `most` come out (headers can lie)."""
    chunks: list[bytes] = []
    size = 0
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(64 * 1024):
                size += len(chunk)
                if size > most:
                    return None
                chunks.append(chunk)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
        return b"\x00"  # unreadable: reported as not being text
    return b"".join(chunks)


def _read_csv(data: bytes, name: str, limits: Limits) -> tuple[Table | None, list[FileError]]:
    try:
        text = data.decode("utf-8").removeprefix(BOM)
    except UnicodeDecodeError as error:
        message = f"is not UTF-8 text (byte {error.start + 1} is not); save it as CSV UTF-8"
        return None, [FileError(name, None, None, UserErrorCode.INVALID, message)]
    nul = text.find("\x00")
    if nul >= 0:
        row = text.count("\n", 0, nul) + 1
        return None, [FileError(name, row, None, UserErrorCode.INVALID, "holds a NUL character")]
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        return _table(name, _records(text, delimiter, limits), limits)
    except csv.Error as error:
        message = f"is not readable CSV: {error}"
        return None, [FileError(name, None, None, UserErrorCode.INVALID, message)]


def _records(text: str, delimiter: str, limits: Limits) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    previous = csv.field_size_limit(limits.max_cell_chars)
    try:
        yield from reader
    finally:
        csv.field_size_limit(previous)


def _table(
    name: str, records: Iterator[list[str]], limits: Limits
) -> tuple[Table | None, list[FileError]]:
    header = next(records, None)
    if header is None:
        return None, [FileError(name, None, None, UserErrorCode.NO_ITEMS, "is empty")]
    if len(header) > limits.max_columns:
        message = f"has {len(header)} columns: at most {limits.max_columns} are read"
        return None, [FileError(name, HEADER_ROW, None, UserErrorCode.TOO_MANY_ITEMS, message)]
    columns = [_column_name(cell) for cell in header]
    table = Table(name, columns)
    errors: list[FileError] = []
    for index, cells in enumerate(records):
        row = index + HEADER_ROW + 1
        if index >= limits.max_rows:
            message = f"has more than {limits.max_rows} rows: split it into several files"
            return None, [FileError(name, row, None, UserErrorCode.TOO_MANY_ITEMS, message)]
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(columns):
            message = f"has {len(cells)} cells but the header names {len(columns)} columns"
            errors.append(FileError(name, row, None, UserErrorCode.INVALID, message))
            continue
        cells += [""] * (len(columns) - len(cells))  # spreadsheets drop trailing blank cells
        table.rows.append(
            (row, {c: plain_cell(cell) for c, cell in zip(columns, cells, strict=True)})
        )
    return table, errors


def _column_name(cell: str) -> str:
    """Fixed names whatever their case; an option's name after `option:` keeps its case."""
    name = cell.strip()
    prefix, colon, rest = name.partition(":")
    return f"{prefix.lower()}:{rest.strip()}" if colon else name.lower()


def _too_big(name: str, limits: Limits) -> FileError:
    message = f"is larger than {limits.max_bytes} bytes"
    return FileError(name, None, None, UserErrorCode.TOO_LONG, message)


def _unknown_name(name: str) -> FileError:
    message = f"is not a catalog file: name it one of {', '.join(FILE_NAMES)}, or a .zip of them"
    return FileError(name[:200], None, None, UserErrorCode.INVALID, message)
