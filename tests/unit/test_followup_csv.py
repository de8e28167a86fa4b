"""The plan to send, written as CSV from tuples, is the file the model path writes."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netpromoter import Response
from netpromoter.cli import EXAMPLE_CONTEXT, example_path, main
from netpromoter.followup import FollowUpRules, plan
from netpromoter.followup._csv import write_plan_csv
from netpromoter.followup.plan import _Options, _planned
from netpromoter.followup.render import Context
from netpromoter.io import write_csv
from netpromoter.report.followups import placeholder_context

NOW = datetime(2026, 2, 6, 15, 30, tzinfo=timezone.utc)
CONTEXT = {
    "company": "Acme",
    "agent_name": "Noor",
    "feedback_link": "https://acme.example/feedback",
    "help_link": "https://acme.example/help",
    "review_link": "https://acme.example/review",
    "referral_link": "https://acme.example/r",
    "referral_code": "FRIEND25",
}


def both(
    responses: list[Response], context: Context, rules: FollowUpRules | None = None
) -> tuple[str, str]:
    """The CSV of ``write_csv`` over ``to_dict`` rows, and that of ``write_plan_csv``."""
    problems: list[int] = []
    models = plan(
        responses, now=NOW, context=context, rules=rules, on_error=lambda p, _: problems.append(p)
    )
    expected = io.StringIO()
    write_csv([f.to_dict() for f in models], expected, respondent_ids="keep")
    options = _Options.checked(NOW, None, context, rules, "follow_up", None, None)
    items = _planned(responses, options, lambda *_: None)
    got = io.StringIO()
    assert write_plan_csv(items, NOW, got) == len(models)
    return expected.getvalue(), got.getvalue()


def test_tricky_cells_are_written_alike() -> None:
    """Formulas, quotes, line breaks, right-to-left text, no name, ids and accounts."""
    comments = [None, "=1+1", 'said "no", twice', "line\nbreak\r\nand more", "שלום עולם", "-5", ""]
    responses = [
        Response(
            score=i % 11,
            respondent_id=None if i % 5 == 0 else f"@r{i}",
            account_id="A1" if i % 3 == 0 else None,
            channel=["email", "sms", "chat", "web", None][i % 5],
            language=["nl", "en", "nl-BE", None][i % 4],
            comment=comments[i % len(comments)] if i % 7 else "word " * 80,
            submitted_at=NOW - timedelta(hours=7 * i) if i % 6 else None,
            segments={"first_name": ["Sam", "", "+Eve", "O'Neil"][i % 4]},
        )
        for i in range(120)
    ]
    rules = FollowUpRules(managed_accounts=frozenset({"A1"}), review_invitations="everyone")
    expected, got = both(responses, context=placeholder_context(CONTEXT), rules=rules)
    assert expected.count("\n") > 100
    assert got == expected


def test_an_empty_plan_is_written_alike() -> None:
    expected, got = both([], context=CONTEXT)
    assert got == expected == "\ufeff\n"


@settings(max_examples=60, deadline=None)
@given(
    comment=st.none() | st.text(max_size=300),
    name=st.text(max_size=12),
    score=st.integers(0, 10),
    channel=st.sampled_from(["email", "sms", "chat", "in_app", "phone"]),
)
def test_any_text_is_written_alike(
    comment: str | None, name: str, score: int, channel: str
) -> None:
    response = Response(
        score=score,
        respondent_id="r1",
        channel=channel,
        comment=comment,
        submitted_at=NOW,
        segments={"first_name": name} if name else {},
    )
    expected, got = both([response], context=placeholder_context(CONTEXT))
    assert got == expected


def test_cli_plan_csv_is_the_model_paths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--out plan.csv`` (tuples) and ``--out plan.csv --format json`` (models) agree."""
    common = [
        "followups",
        str(example_path()),
        "--context",
        str(example_path(EXAMPLE_CONTEXT)),
        "--now",
        "2026-12-01T09:00:00Z",
        "--days",
        "30",
    ]
    fast, models = tmp_path / "fast.csv", tmp_path / "models.csv"
    assert main([*common, "--out", str(fast)]) == 0
    assert main([*common, "--out", str(models), "--format", "json"]) == 0
    capsys.readouterr()
    assert fast.read_bytes() == models.read_bytes()
    assert fast.read_text(encoding="utf-8").count("\n") > 50
