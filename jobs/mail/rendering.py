"""Mail templates kept in the repository: `templates/<name>.subject.txt`, `.txt` and `.html`.

Those are English, and every template exists in English. A translation sits in a folder
named by its ISO 639-1 code, `templates/<language>/<name>.*`, all three parts of it; a mail
asked for in a language without that template is rendered in English.

Templates use `string.Template` placeholders (`$contact_name`): no logic, nothing to
execute, and a value missing from the context is an error rather than a blank in a
customer's inbox. Values are escaped for the HTML part; the subject is kept on one line.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from string import Template

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
LANGUAGE_NAME = re.compile(r"[a-z]{2}")
ENGLISH = "en"
PARTS = ("subject.txt", "txt", "html")


class TemplateError(ValueError):
    """An unknown template, or a context that lacks one of its values."""


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class MailTemplate:
    subject: Template
    text: Template
    html: Template

    @property
    def variables(self) -> set[str]:
        return {
            name for part in (self.subject, self.text, self.html) for name in part.get_identifiers()
        }


def _folder(language: str) -> Path:
    return TEMPLATES_DIR if language == ENGLISH else TEMPLATES_DIR / language


def template_names(language: str = ENGLISH) -> list[str]:
    """The templates written in `language` (English: all of them)."""
    return sorted(
        path.name.removesuffix(".subject.txt") for path in _folder(language).glob("*.subject.txt")
    )


def template_languages() -> list[str]:
    """English and every language some template is translated into."""
    translated = (path.name for path in TEMPLATES_DIR.iterdir() if path.is_dir())
    return sorted({ENGLISH, *(name for name in translated if LANGUAGE_NAME.fullmatch(name))})


@lru_cache(maxsize=256)
def load_template(name: str, language: str = ENGLISH) -> MailTemplate:
    """The template in `language`, or in English when it has not been translated into it."""
    # Both arrive in an event payload: never let them reach outside the templates folder.
    if not TEMPLATE_NAME.fullmatch(name):
        raise TemplateError(f"invalid template name {name!r}")
    if not LANGUAGE_NAME.fullmatch(language):
        raise TemplateError(f"invalid template language {language!r}")
    folder = _folder(language)
    if language != ENGLISH and not (folder / f"{name}.subject.txt").is_file():
        folder = TEMPLATES_DIR
    paths = [folder / f"{name}.{part}" for part in PARTS]
    missing = [path.name for path in paths if not path.is_file()]
    if missing:
        raise TemplateError(f"mail template {name!r} is missing {', '.join(missing)}")
    subject, text, body = (Template(path.read_text(encoding="utf-8")) for path in paths)
    return MailTemplate(subject=subject, text=text, html=body)


def render(name: str, context: Mapping[str, object], language: str = ENGLISH) -> RenderedMail:
    template = load_template(name, language)
    missing = sorted(template.variables - set(context))
    if missing:
        raise TemplateError(f"mail template {name!r} needs {', '.join(missing)}")
    plain = {key: str(value) for key, value in context.items()}
    escaped = {key: html.escape(value) for key, value in plain.items()}
    subject = " ".join(template.subject.substitute(plain).split())
    return RenderedMail(
        subject=subject,
        text=template.text.substitute(plain),
        html=template.html.substitute(escaped),
    )
