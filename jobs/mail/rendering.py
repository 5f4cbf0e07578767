"""Mail templates kept in the repository: `templates/<name>.subject.txt`, `.txt` and `.html`.

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


def template_names() -> list[str]:
    return sorted(
        path.name.removesuffix(".subject.txt") for path in TEMPLATES_DIR.glob("*.subject.txt")
    )


@lru_cache(maxsize=64)
def load_template(name: str) -> MailTemplate:
    # The name arrives in an event payload: never let it reach outside the templates folder.
    if not TEMPLATE_NAME.fullmatch(name):
        raise TemplateError(f"invalid template name {name!r}")
    paths = [TEMPLATES_DIR / f"{name}.{part}" for part in PARTS]
    missing = [path.name for path in paths if not path.is_file()]
    if missing:
        raise TemplateError(f"mail template {name!r} is missing {', '.join(missing)}")
    subject, text, body = (Template(path.read_text(encoding="utf-8")) for path in paths)
    return MailTemplate(subject=subject, text=text, html=body)


def render(name: str, context: Mapping[str, object]) -> RenderedMail:
    template = load_template(name)
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
