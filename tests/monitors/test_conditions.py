"""The conditions language: what parses, what is refused (with why), and evaluation."""

from __future__ import annotations

import json

import pytest

from warroom.monitors.conditions import ConditionError, Field, Selector, kind_problem, parse
from warroom.monitors.evaluation import evaluate
from warroom.monitors.observation import Observation, Sample


@pytest.mark.parametrize(
    ("text", "left", "op", "right"),
    [
        ("[STATUS] == 200", Field("STATUS"), "==", 200.0),
        ("[RESPONSE_TIME] < 300", Field("RESPONSE_TIME"), "<", 300.0),
        ("[RESPONSE_TIME] < 1s", Field("RESPONSE_TIME"), "<", 1000.0),
        ('[BODY].status == "ok"', Field("BODY", ("status",)), "==", "ok"),
        ("[BODY].status == UP", Field("BODY", ("status",)), "==", "UP"),
        ("[BODY].data.items[0].id == 3", Field("BODY", ("data", "items", 0, "id")), "==", 3.0),
        ("len([BODY].data) < 5", Field("BODY", ("data",), length=True), "<", 5.0),
        ("[CERT_EXPIRY] > 7d", Field("CERT_EXPIRY"), ">", 7 * 86400.0),
        ('[BODY] ~= "ok|fine"', Field("BODY"), "~=", "ok|fine"),
        ("[CONNECTED] == true", Field("CONNECTED"), "==", True),
        ("error_rate > 0.05", Selector("error_rate"), ">", 0.05),
    ],
)
def test_parses(text: str, left: Field | Selector, op: str, right: object) -> None:
    cond = parse(text)
    assert (cond.left, cond.op, cond.right) == (left, op, right)


def test_metric_selector_with_matchers_and_rate() -> None:
    cond = parse('http_requests_total{code=~"5..",job!="x"} rate > 1')
    assert isinstance(cond.left, Selector)
    assert cond.left.rate
    assert [(m.label, m.op, m.value) for m in cond.left.matchers] == [
        ("code", "=~", "5.."),
        ("job", "!=", "x"),
    ]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("[STATUS] == fast", "must be a number"),
        ("[STATUS] = 200", "expected an operator"),
        ("[FOO] == 1", "unknown placeholder [FOO]"),
        ("[CERT_EXPIRY] > 7", "give [CERT_EXPIRY] a duration"),
        ("error_rate > high", "must be a number"),
        ('[BODY] ~= "("', "bad regular expression"),
        ("[STATUS] ==", "nothing on the right"),
        ("len([STATUS]) > 1", "len() applies to [BODY]"),
        ("[CONNECTED] == 1", "true or false"),
        ("[STATUS].x == 1", "only [BODY] takes a path"),
        ('[BODY].a == "x" extra', "cannot read the value"),
        ("", "must not be empty"),
    ],
)
def test_refuses_with_reason(text: str, why: str) -> None:
    with pytest.raises(ConditionError, match=rf".*{__import__('re').escape(why)}"):
        parse(text)


def test_kind_problem() -> None:
    assert kind_problem(parse("[CERT_EXPIRY] > 1d"), "tcp") is not None
    assert kind_problem(parse("error_rate > 1"), "http") is not None
    assert kind_problem(parse("error_rate > 1"), "metrics") is None
    assert kind_problem(parse("[STATUS] == 200"), "http") is None


def _obs(body: object, **kwargs: object) -> Observation:
    return Observation(connected=True, body=json.dumps(body).encode(), **kwargs)  # type: ignore[arg-type]


def test_evaluation_passes_and_fails_with_reasons() -> None:
    obs = _obs({"status": "ok", "data": [1, 2]}, status=200, response_time_ms=120.0)
    ok = evaluate(
        [
            "[STATUS] == 200",
            "[RESPONSE_TIME] < 300",
            '[BODY].status == "ok"',
            "len([BODY].data) < 5",
        ],
        obs,
    )
    assert ok.ok
    assert ok.reason() is None
    bad = evaluate(["[STATUS] == 200", "[BODY].missing.x == 1"], _obs({}, status=500))
    assert not bad.ok
    assert bad.reason() == "[STATUS] == 200 (actual: 500)"
    assert "has no field 'missing'" in bad.results[1].reason


def test_body_not_json_is_a_reason_not_zero() -> None:
    obs = Observation(connected=True, status=200, body=b"{not json")
    result = evaluate(["[BODY].status == 0"], obs)
    assert not result.ok
    assert "not JSON" in (result.reason() or "")


def test_probe_error_fails_even_without_conditions() -> None:
    result = evaluate([], Observation(connected=False, error="connection refused"))
    assert not result.ok
    assert result.reason() == "connection refused"


def test_metric_rate_needs_two_scrapes() -> None:
    cond = 'http_requests_total{code=~"5.."} rate < 1'
    first = Observation(
        connected=True, samples=[Sample("http_requests_total", {"code": "500"}, 100.0)]
    )
    one = evaluate([cond], first, now=1000.0)
    assert one.ok
    assert one.results[0].ok is None
    second = Observation(
        connected=True, samples=[Sample("http_requests_total", {"code": "500"}, 400.0)]
    )
    two = evaluate([cond], second, previous=one.metric_values, now=1010.0)
    assert not two.ok
    assert two.results[0].actual == pytest.approx(30.0)


def test_metric_without_samples_fails() -> None:
    obs = Observation(connected=True, samples=[Sample("other", {}, 1.0)])
    result = evaluate(["error_rate < 0.05"], obs)
    assert not result.ok
    assert "no sample matches" in (result.reason() or "")
