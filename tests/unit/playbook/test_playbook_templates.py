from datetime import UTC, datetime, timedelta

import pytest

from warroom.errors import InvalidInput
from warroom.playbook import TemplateRenderError, check_template, render
from warroom.playbook.context import SAMPLE_CONTEXT
from warroom.playbook.filters import slugify


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Checkout is down", "checkout-is-down"),
        ("  API: 500s on /login!!  ", "api-500s-on-login"),
        ("Crème brûlée — outage", "creme-brulee-outage"),
        ("!!!", "incident"),
        ("", "incident"),
        ("日本語のみ", "incident"),
        ("a--b__c", "a-b-c"),
    ],
)
def test_slug(text, slug):
    assert slugify(text) == slug


def test_slug_cuts_at_a_word_boundary():
    title = "Payment processing down for all customers in every region"
    slug = slugify(title)
    assert slug == "payment-processing-down-for-all"
    assert len(slug) <= 40
    assert slugify("abcdef ghij", max_len=6) == "abcdef"
    assert slugify("abcdefghij", max_len=4) == "abcd"  # one long word: hard cut


def test_slug_filter_takes_max_len():
    assert render("{{ t | slug(10) }}", {"t": "Checkout is down"}) == "checkout"


def test_datetime_filter():
    when = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    assert render("{{ d | datetime }}", {"d": when}) == "2026-11-02 09:30 UTC"
    assert render('{{ d | datetime("%H:%M") }}', {"d": when}) == "09:30"
    assert render('{{ d | datetime("%H:%M %Z", "Europe/London") }}', {"d": when}) == "09:30 GMT"
    assert render('{{ d | datetime(tz="America/New_York") }}', {"d": when}).endswith("04:30 EST")
    assert render("{{ d | datetime }}", {"d": None}) == "—"


def test_datetime_filter_refuses_naive_datetimes():
    with pytest.raises(TemplateRenderError, match="timezone-aware"):
        render("{{ d | datetime }}", {"d": datetime(2026, 11, 2, 9, 30)})


def test_duration_filter():
    ctx = {"a": timedelta(minutes=90), "b": None, "c": 900}
    assert render("{{ a | duration }} {{ b | duration }} {{ c | duration }}", ctx) == "1h30m — 15m"


def test_render_does_not_escape_html_or_keep_trailing_newline():
    assert render("<b>{{ x }}</b>\n", {"x": "a & b"}) == "<b>a & b</b>"


def test_undefined_variable_is_an_error_naming_the_fields():
    with pytest.raises(TemplateRenderError) as info:
        render("ok\n{{ incident.titel }}", SAMPLE_CONTEXT)
    assert info.value.line == 2
    assert "'titel'" in info.value.message
    assert "title" in info.value.message  # the available fields are listed
    assert isinstance(info.value, InvalidInput)


def test_syntax_error_has_the_template_line():
    problem = check_template("line one\nline two\n{{ incident.title | }}")
    assert problem is not None
    assert problem.startswith("syntax error (template line 3)")


def test_check_template_passes_good_templates():
    assert check_template("{{ incident.ref }} {{ ic.name }} {{ war_room.channel }}") is None
    assert check_template("{{ nope }}") == "undefined (template line 1): 'nope' is undefined"


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ incident.__class__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{% set _ = incident.update({'title': 'x'}) %}",
        "{{ incident.pop('ref') }}",
    ],
)
def test_sandbox_blocks_unsafe_access(source):
    with pytest.raises(TemplateRenderError) as info:
        render(source, SAMPLE_CONTEXT)
    assert info.value.message.startswith(("unsafe", "undefined"))
    assert SAMPLE_CONTEXT["incident"]["ref"] == "INC-42"  # the context was not mutated


def test_unsafe_access_reports_security_error():
    with pytest.raises(
        TemplateRenderError, match=r"^unsafe \(template line 1\): access to attribute"
    ):
        render("{{ ''.__class__.__mro__ }}", {})


def test_runtime_errors_become_template_errors():
    with pytest.raises(TemplateRenderError, match="cannot render"):
        render("{{ 1 // 0 }}", {})
