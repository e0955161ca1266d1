"""The candidate template's placeholders: named values substituted and nothing else; a template can
run no code, reach no other data and break no page; what cannot be saved says why."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling.invitations.placeholders import (
    BODY_MAX,
    PLACEHOLDERS,
    SUBJECT_MAX,
    TemplateError,
    render_html,
    render_subject,
    render_text,
    validate,
)

VALUES = {name: f"<{name}>" for name in PLACEHOLDERS}
VALUES["join_url"] = "https://zoom.test/j/1?pwd=a&b=<c>"
GOOD_BODY = "{candidate_name} 様\n{date_time}\n{join_url}\n"


def test_it_substitutes_each_named_placeholder_with_spaces_inside_the_braces_too():
    text = render_text("{candidate_name}様 { company } {title} {unknown}", {**VALUES, "candidate_name": "太郎"})
    assert text == "太郎様 <company> <title> {unknown}"


@pytest.mark.parametrize(
    "hostile",
    [
        "{{ settings.SECRET_KEY }}",
        "{% load static %}{% debug %}",
        "{candidate_name.__class__.__mro__}",
        "{0}",
        "{company!r}",
        "{join_url:>100}",
    ],
)
def test_template_syntax_of_any_kind_stays_text_and_is_refused_when_saving(hostile):
    assert render_text(hostile, VALUES) == hostile
    with pytest.raises(TemplateError):
        validate("subject", GOOD_BODY + hostile)


def test_saving_refuses_an_unknown_placeholder_and_names_it():
    with pytest.raises(TemplateError) as refused:
        validate("{candidate_name}様", GOOD_BODY + "{interviewer}")
    assert any("{interviewer}" in message for message in refused.value.messages)


@pytest.mark.parametrize("subject", ["two\nlines", "two\rlines"])
def test_saving_refuses_a_line_break_in_the_subject(subject):
    with pytest.raises(TemplateError) as refused:
        validate(subject, GOOD_BODY)
    assert refused.value.messages == ["The subject must be one line."]


def test_saving_refuses_text_over_the_limits_and_empty_text():
    with pytest.raises(TemplateError) as refused:
        validate("x" * (SUBJECT_MAX + 1), GOOD_BODY + "x" * BODY_MAX)
    assert len(refused.value.messages) == 2
    with pytest.raises(TemplateError):
        validate(" ", " ")


def test_saving_refuses_a_body_without_the_date_or_the_join_url():
    with pytest.raises(TemplateError) as refused:
        validate("件名", "{candidate_name} 様")
    assert len(refused.value.messages) == 2
    assert any("{join_url}" in message for message in refused.value.messages)


def test_a_good_template_saves():
    validate("【{company}】{title}のご案内", GOOD_BODY + "{meeting_id} {passcode} {interviewers}")


def test_the_html_part_escapes_every_value_and_links_only_the_join_url():
    html = render_html("<b>{candidate_name}</b>\n{join_url}", {**VALUES, "candidate_name": "<script>x</script>"})
    assert "<script>" not in html
    assert "&lt;b&gt;&lt;script&gt;x&lt;/script&gt;&lt;/b&gt;<br>" in html
    assert '<a href="https://zoom.test/j/1?pwd=a&amp;b=&lt;c&gt;">' in html


def test_a_join_url_that_is_not_a_web_address_is_not_linked():
    html = render_html("{join_url}", {**VALUES, "join_url": "javascript:alert(1)"})
    assert "<a " not in html


def test_a_value_never_breaks_the_subject_into_two_lines():
    assert render_subject("{candidate_name} 様", {**VALUES, "candidate_name": "太郎\r\nBcc: x@evil"}) == (
        "太郎 Bcc: x@evil 様"
    )


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300), st.dictionaries(st.sampled_from(sorted(PLACEHOLDERS)), st.text(max_size=40)))
def test_any_text_renders_without_error_and_substitutes_only_known_names(template, values):
    text = render_text(template, values)
    html = render_html(template, values)
    subject = render_subject(template, values)
    assert isinstance(text, str)
    assert isinstance(html, str)
    assert "\n" not in subject
    assert "\r" not in subject
    if "{" not in template:
        assert text == template


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_validation_either_accepts_or_says_why_never_crashes(text):
    problems: list[str] = []
    try:
        validate(text[:SUBJECT_MAX].replace("\n", " ") or "x", GOOD_BODY + text)
    except TemplateError as refused:
        problems = refused.messages
    assert problems == [] or all(isinstance(problem, str) and problem for problem in problems)
