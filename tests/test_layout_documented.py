"""The README's layout is the repository's, and the manual's links lead somewhere.

Every folder the layout section of README.md names exists, and every top-level package (a
top-level folder holding Python files) and `docs/` is named there, so a newcomer reading it
sees the whole tree. Every relative link in README.md and docs/ points to a file that exists,
and a link to a heading of a Markdown file to a heading it has.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"

FENCE = re.compile(r"^```.*?^```", re.S | re.M)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
LAYOUT_ENTRY = re.compile(r"^([a-z_]+)/\s", re.M)


def _layout_folders() -> set[str]:
    section = README.read_text(encoding="utf-8").split("\n## Layout\n", 1)[1].split("\n## ")[0]
    block = re.search(r"^```\n(.*?)^```", section, re.S | re.M)
    assert block is not None, "the layout section lists its folders in a code block"
    return set(LAYOUT_ENTRY.findall(block.group(1)))


def _top_level_packages() -> set[str]:
    return {
        path.name
        for path in ROOT.iterdir()
        if path.is_dir() and not path.name.startswith(".") and any(path.rglob("*.py"))
    }


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(markdown: str) -> set[str]:
    text = FENCE.sub("", markdown)
    return {_anchor(line.lstrip("#")) for line in text.splitlines() if line.startswith("#")}


def _broken_links(document: Path, root: Path = ROOT) -> list[str]:
    problems = []
    for target in LINK.findall(FENCE.sub("", document.read_text(encoding="utf-8"))):
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:: not ours to check
        path_part, _, fragment = target.partition("#")
        linked = (document.parent / path_part).resolve() if path_part else document
        if not linked.exists():
            problems.append(f"{document.relative_to(root)}: {target} does not exist")
        elif (
            fragment
            and linked.suffix == ".md"
            and fragment not in _anchors(linked.read_text(encoding="utf-8"))
        ):
            problems.append(f"{document.relative_to(root)}: {target} has no such heading")
    return problems


def test_every_folder_the_layout_names_exists() -> None:
    named = _layout_folders()
    assert {"models", "core", "app", "tests", "docs"} <= named
    assert sorted(name for name in named if not (ROOT / name).is_dir()) == []


def test_every_top_level_package_and_the_manual_are_in_the_layout() -> None:
    assert sorted((_top_level_packages() | {"docs"}) - _layout_folders()) == []


def test_every_relative_link_of_the_readme_and_the_manual_leads_somewhere() -> None:
    documents = [README, ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").rglob("*.md"))]
    assert [problem for document in documents for problem in _broken_links(document)] == []


def test_the_link_check_catches_a_missing_file_and_a_missing_heading(tmp_path: Path) -> None:
    # given a page with a good link, a dead one, a wrong heading, and a link in a code block
    (tmp_path / "other.md").write_text("# Other\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "# Title\n\n## A `code` heading, here\n\n"
        "[ok](#a-code-heading-here) [dead](gone.md) [wrong](other.md#no-such-heading)\n"
        "[fine](other.md#other) [web](https://example.com/x.md)\n"
        "```\n[in a code block](ignored.md)\n```\n",
        encoding="utf-8",
    )
    # when its links are checked, then exactly the two bad ones are reported
    assert _broken_links(page, root=tmp_path) == [
        "page.md: gone.md does not exist",
        "page.md: other.md#no-such-heading has no such heading",
    ]
