"""Mail templates in the repository: complete, strict about missing values, HTML escaped."""

from __future__ import annotations

import pytest

from jobs.mail.rendering import (
    TemplateError,
    load_template,
    render,
    template_languages,
    template_names,
)

SHIPPED = {"inquiry_acknowledgement", "staff_invitation"}


def test_the_shipped_templates_each_have_a_subject_a_text_and_an_html_part() -> None:
    assert set(template_names()) >= SHIPPED
    for name in template_names():
        template = load_template(name)
        values = {variable: f"<{variable}>" for variable in template.variables}
        rendered = render(name, values)
        assert rendered.subject
        assert "\n" not in rendered.subject
        assert "$" not in rendered.text + rendered.html
        assert "<html>" in rendered.html


def test_html_values_are_escaped_and_text_values_are_not() -> None:
    rendered = render(
        "staff_invitation",
        {
            "name": "Mei <script>",
            "invited_by": "Arjun & Co",
            "role": "sales",
            "accept_url": 'https://admin.example.com/invite?t=1&x="y"',
            "expires_in_hours": 72,
        },
    )
    assert "Mei &lt;script&gt;" in rendered.html
    assert "<script>" not in rendered.html
    assert 'href="https://admin.example.com/invite?t=1&amp;x=&quot;y&quot;"' in rendered.html
    assert "Hello Mei <script>," in rendered.text
    assert rendered.subject == "Arjun & Co invited you to the TradeQL admin"


def test_a_missing_value_is_an_error_naming_it() -> None:
    with pytest.raises(TemplateError, match="needs accept_url, expires_in_hours"):
        render("staff_invitation", {"name": "Mei", "invited_by": "Arjun", "role": "sales"})


def test_a_line_break_in_a_subject_value_stays_on_one_line() -> None:
    rendered = render(
        "inquiry_acknowledgement",
        {
            "contact_name": "Ayşe",
            "inquiry_reference": "INQ-1\r\nBcc: everyone@example.com",
            "product_summary": "bearings",
            "response_days": 3,
        },
    )
    assert rendered.subject == "We received your inquiry INQ-1 Bcc: everyone@example.com"


@pytest.mark.parametrize("name", ["../../etc/passwd", "Staff", "no_such_template", ""])
def test_unknown_or_unsafe_template_names_are_refused(name: str) -> None:
    with pytest.raises(TemplateError):
        render(name, {})


BUYER_MAILS = {
    "quote_sent",
    "quote_sent_guest",
    "quote_expiring",
    "quote_expiring_guest",
    "order_confirmed",
    "shipment_departed",
    "shipment_eta_changed",
    "order_delivered",
    "payment_received",
    "invoice_overdue",
}


def test_every_buyer_mail_exists_in_english_and_german_but_the_guests() -> None:
    assert set(template_names()) >= BUYER_MAILS
    assert template_languages() == ["de", "en"]
    assert set(template_names("de")) == BUYER_MAILS - {"quote_sent_guest", "quote_expiring_guest"}


@pytest.mark.parametrize("language", ["de"])
def test_a_translation_needs_no_value_its_english_template_lacks(language: str) -> None:
    for name in template_names(language):
        translated = load_template(name, language)
        assert translated.variables <= load_template(name).variables, name
        values = {variable: f"<{variable}>" for variable in translated.variables}
        rendered = render(name, values, language)
        assert "\n" not in rendered.subject
        assert "$" not in rendered.text + rendered.html
        assert rendered.text != render(name, values).text


def test_a_language_without_the_template_falls_back_to_english() -> None:
    values = _values("order_confirmed")
    assert render("order_confirmed", values, "tr") == render("order_confirmed", values)
    guest = _values("quote_sent_guest")
    assert render("quote_sent_guest", guest, "de") == render("quote_sent_guest", guest)
    assert render("order_confirmed", values, "de").subject == "Auftrag x bestätigt"


def _values(name: str) -> dict[str, str]:
    return {variable: "x" for variable in load_template(name).variables}


@pytest.mark.parametrize("language", ["../de", "DE", "deu", ""])
def test_unsafe_or_malformed_languages_are_refused(language: str) -> None:
    with pytest.raises(TemplateError):
        render("order_confirmed", _values("order_confirmed"), language)
