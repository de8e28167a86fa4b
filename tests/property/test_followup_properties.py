"""Properties of follow-up plans and rendering, for any response."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from followup_data import CONTEXT, MONDAY
from netpromoter import Channel, Response, plan, render, select_template
from netpromoter.followup import CHANNEL_LIMITS
from netpromoter.followup.text import _clean

offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
instants = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.one_of(offsets, st.timezones()),
)
comments = st.one_of(
    st.none(),
    st.text(max_size=400),
    st.sampled_from(["{0.__class__}", "${first_name}", "<script>x</script>", "ممتاز 👍🏽"]),
)
responses = st.builds(
    Response,
    score=st.integers(min_value=0, max_value=10),
    respondent_id=st.one_of(st.none(), st.text(min_size=1, max_size=20)),
    submitted_at=st.one_of(st.none(), instants),
    channel=st.one_of(st.none(), st.sampled_from(list(Channel))),
    language=st.sampled_from([None, "en", "nl", "nl-BE", "en-GB", "de", "fr-CA"]),
    comment=comments,
    account_id=st.one_of(st.none(), st.sampled_from(["a", "b"])),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(responses, max_size=12), instants)
def test_every_response_gets_exactly_one_follow_up_within_seven_days(
    batch: list[Response], now: datetime
) -> None:
    """Any responses give one follow-up each, due within 7 days of submission."""
    result = plan(batch, now=now, context=CONTEXT)
    assert sorted(f.position for f in result) == list(range(len(batch)))
    for follow_up in result:
        start = batch[follow_up.position].submitted_at or now
        assert start <= follow_up.due <= start + timedelta(days=7)
    keys = [(f.priority, f.due, f.position) for f in result]
    assert keys == sorted(keys)


@settings(max_examples=80, deadline=None)
@given(st.text(min_size=1, max_size=2000))
def test_any_comment_is_quoted_intact_in_email(comment: str) -> None:
    """In email, the cleaned comment appears in full, as literal text."""
    response = Response(score=1, channel="email", comment=comment)
    body = render(select_template(response), response, CONTEXT).body
    cleaned = _clean(comment)
    if cleaned is not None:
        assert cleaned in body


@settings(max_examples=80, deadline=None)
@given(st.text(min_size=1, max_size=2000), st.sampled_from([Channel.SMS, Channel.CHAT]))
def test_any_comment_fits_short_channels(comment: str, channel: Channel) -> None:
    """On short channels, any comment is shortened to fit the limit."""
    response = Response(score=8, channel=channel, comment=comment, submitted_at=MONDAY)
    message = render(select_template(response), response, CONTEXT)
    assert message.length <= CHANNEL_LIMITS[channel]
    assert "Sanne" in message.body
