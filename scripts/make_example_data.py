"""Generate the bundled example dataset, deterministically.

Run ``python scripts/make_example_data.py`` to rewrite
``src/netpromoter/data/example_responses.csv``: 3,000 fictitious responses over twelve
months, in Dutch and English, with regions, B2B/B2C customers, roles, agents, first names
and comments; plus ``example_targets.json`` (population shares to weight the sample to:
B2B customers are over-sampled) and ``example_context.json`` (placeholder values for the
follow-up messages).
"""

from __future__ import annotations

import csv
import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "netpromoter" / "data" / "example_responses.csv"
N = 3000
START = datetime(2025, 12, 1, tzinfo=timezone.utc)
REGIONS = {"north": 0.6, "south": -0.4, "east": 0.1, "west": 0.3, "central": 0.0}
DEPARTMENTS = ["support", "sales", "billing", "delivery"]
JOURNEY = ["onboarding", "purchase", "delivery", "support", "renewal"]
AGENTS = [f"agent-{i:02d}" for i in range(1, 25)]
AGENT_EFFECT = {a: random.Random(i).gauss(0, 0.5) for i, a in enumerate(AGENTS)}
CHANNELS = ["email", "email", "email", "sms", "web", "in_app", "phone", "chat"]
FIRST_NAMES = {
    "nl": ["Sanne", "Daan", "Fleur", "Bram", "Noor", "Jeroen", "Lotte", "Sem", "Eva", "Thijs"],
    "en": ["Olivia", "James", "Amelia", "Noah", "Grace", "Oliver", "Chloe", "Harry", "Ruby"],
}
#: Population shares to weight to: the sample holds about 40 % B2B, the customer base 20 %.
TARGETS = {
    "region": {"north": 0.28, "south": 0.22, "east": 0.2, "west": 0.18, "central": 0.12},
    "customer_type": {"B2B": 0.2, "B2C": 0.8},
}
CONTEXT = {
    "company": "Voorbeeld BV",
    "agent_name": "Noor de Vries",
    "feedback_link": "https://voorbeeld.example/feedback",
    "help_link": "https://voorbeeld.example/help",
    "review_link": "https://voorbeeld.example/review",
    "referral_link": "https://voorbeeld.example/vriend",
    "referral_code": "VRIEND25",
}
COMMENTS = {
    "en": {
        "promoter": [
            "Great support, they solved my problem in one call.",
            "Fast delivery and the product works perfectly.",
            "Easy to use and fairly priced.",
            "The onboarding was smooth, thanks Sam!",
        ],
        "passive": [
            "Good product but the price is a bit high.",
            "Delivery took longer than promised.",
            "Fine overall, the app could be easier to use.",
        ],
        "detractor": [
            "Billing was wrong twice and nobody called back.",
            "Support kept me waiting for a week.",
            "The product broke after two weeks.",
            "Too expensive for what you get.",
        ],
    },
    "nl": {
        "promoter": [
            "Uitstekende service, binnen een dag geholpen.",
            "Snelle levering en een prima product.",
            "Heel gebruiksvriendelijk en een eerlijke prijs.",
        ],
        "passive": [
            "Goed product, maar de prijs is aan de hoge kant.",
            "De levering duurde langer dan beloofd.",
            "Prima, maar de app kan makkelijker.",
        ],
        "detractor": [
            "De factuur klopte niet en niemand belde terug.",
            "Ik heb een week op de klantenservice gewacht.",
            "Het product was na twee weken kapot.",
            "Veel te duur voor wat je krijgt.",
        ],
    },
}


def category(score: int) -> str:
    """Classify a score (kept local so the generator needs only the standard library)."""
    return "detractor" if score <= 6 else "passive" if score <= 8 else "promoter"  # noqa: PLR2004


def main() -> None:
    """Write the example file."""
    rng = random.Random(20261123)
    rows = []
    for _ in range(N):
        month = rng.randrange(12)
        when = START + timedelta(
            days=month * 30.4 + rng.random() * 30, seconds=rng.randrange(86400)
        )
        region = rng.choices(list(REGIONS), weights=[3, 2, 2, 2, 1])[0]
        b2b = rng.random() < 0.4  # noqa: PLR2004
        role = rng.choice(["decision_maker", "end_user", "end_user", "end_user"]) if b2b else ""
        account = f"ACC-{rng.randrange(1, 120):04d}" if b2b else ""
        agent = rng.choice(AGENTS)
        spend = round(rng.lognormvariate(6.5 if b2b else 4.0, 1.0), 2)
        language = "nl" if rng.random() < 0.55 else "en"  # noqa: PLR2004
        latent = 7.4 + REGIONS[region] + AGENT_EFFECT[agent] + 0.08 * month
        latent += 0.4 if role == "decision_maker" else 0.0
        score = max(0, min(10, round(rng.gauss(latent, 2.1))))
        cat = category(score)
        comment = rng.choice(COMMENTS[language][cat]) if rng.random() < 0.45 else ""  # noqa: PLR2004
        first_name = rng.choice(FIRST_NAMES[language])
        rows.append(
            {
                "respondent_id": f"R{rng.randrange(10**6):06d}",
                "submitted_at": when.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
                "channel": rng.choice(CHANNELS),
                "language": language,
                "region": region,
                "customer_type": "B2B" if b2b else "B2C",
                "role": role,
                "account_id": account,
                "department": rng.choice(DEPARTMENTS),
                "journey_step": rng.choice(JOURNEY),
                "agent": agent,
                "first_name": first_name,
                "spend": f"{spend:.2f}",
                "score": score,
                "comment": comment,
            }
        )
    rows.sort(key=lambda r: r["submitted_at"])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    for name, data in (("example_targets.json", TARGETS), ("example_context.json", CONTEXT)):
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        (OUT.parent / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
