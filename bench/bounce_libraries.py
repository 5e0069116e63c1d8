"""How installable bounce libraries read feedkit's sample collection
(tests/data/bounces, answers in answers.csv), beside feedkit's own reading.

Not part of `make bench`: the libraries are not feedkit's dependencies. Run it in a
throw-away virtual environment:

    python3 -m venv /tmp/bl && /tmp/bl/bin/pip install flufl.bounce bounce-email \
        bounced BounceClassifier arf-mime && /tmp/bl/bin/pip install -e .
    /tmp/bl/bin/python bench/bounce_libraries.py

For each library: how many samples it decides as the answer key does (hard, soft,
sender-side, complaint, ignore), how many readers it would drop wrongly (suppress on
a sender-side, soft or auto-reply message), and how many recipients it names right.
A library that can't say something (sender-side, complaints) is scored by what it
would make a list do.
"""

from __future__ import annotations

import csv
import email
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "data" / "bounces"
ANSWERS = list(csv.DictReader((SAMPLES / "answers.csv").open(encoding="utf-8")))
SUPPRESS = {"hard", "complaint"}


def feedkit(data: bytes) -> tuple[str, set[str]]:
    from feedkit.mail.bounces import classify

    verdict = classify(data, "bounces@lab.example.org")
    action = "ignore" if verdict.action == "auto-reply" else verdict.action
    return action, set(verdict.addresses) | set(verdict.named)


def flufl(data: bytes) -> tuple[str, set[str]]:
    from flufl.bounce import all_failures

    temporary, permanent = all_failures(email.message_from_bytes(data))
    found = {a.decode() if isinstance(a, bytes) else a for a in permanent | temporary}
    return ("hard" if permanent else "soft" if temporary else "ignore"), {
        a.lower() for a in found}


def bounce_email(data: bytes) -> tuple[str, set[str]]:
    from bounce_email.bounce_email import BounceEmail

    try:
        found = BounceEmail(data.decode("utf-8", "replace"))
    except Exception:
        return "error", set()
    if not found.is_bounced:
        return "ignore", set()
    kind = {"Permanent Failure": "hard", "Persistent Transient Failure": "soft"}.get(
        str(found.bounce_type), "hard" if "ard" in str(found.bounce_type) else "soft")
    return kind, set()


def bounced(data: bytes) -> tuple[str, set[str]]:
    from bounced import bounced as lib

    try:
        found = lib.get_bounces(email.message_from_bytes(data)) or set()
    except Exception:
        return "error", set()
    failed = [b for b in found if str(b.action).lower() == "failed"]
    if not failed:
        return "ignore", {_address(b.recipient) for b in found}
    hard = any(str(b.status).startswith("5") for b in failed)
    return ("hard" if hard else "soft"), {_address(b.recipient) for b in failed}


def _address(value: object) -> str:
    """bounced gives a recipient as a (name, address) pair."""
    return str(value[-1] if isinstance(value, tuple) else value).lower()


def bounce_classifier(data: bytes) -> tuple[str, set[str]]:
    cwd = os.getcwd()
    os.chdir(tempfile.gettempdir())  # it writes error.log where it is imported
    try:
        from BounceClassifier.bounce_classifier import Bounce_classifier
    finally:
        os.chdir(cwd)
    found = Bounce_classifier(data.decode("utf-8", "replace"))
    _, kind = found.diagonostic_code()
    recipient = found.recipient_email()
    soft = {"temperr", "msgsize", "mailboxfull", "unclassified"}
    decision = "ignore" if kind == "unclassified" else "soft" if kind in soft else "hard"
    return decision, set() if recipient == "Not found" else {recipient.strip().lower()}


def arf_mime(data: bytes) -> tuple[str, set[str]]:
    from arf.arf import ARFMessage

    try:
        report = ARFMessage(data.decode("utf-8", "replace"))
        kind = report.get_feedback_report().get("Feedback-Type", "")
    except Exception:
        return "ignore", set()
    return ("complaint" if kind else "ignore"), set()


def score(name: str, read: Callable[[bytes], tuple[str, set[str]]]) -> str:
    right = wrongly_dropped = named = tied = errors = 0
    for row in ANSWERS:
        try:
            decision, addresses = read((SAMPLES / f"{row['sample']}.eml").read_bytes())
        except ImportError:
            return f"{name:<18} not installed"
        errors += decision == "error"
        expected = "ignore" if row["decision"] == "auto-reply" else row["decision"]
        right += decision == expected
        wrongly_dropped += decision in SUPPRESS and expected not in SUPPRESS
        if row["recipient"]:
            tied += 1
            named += row["recipient"] in addresses
    return (f"{name:<18} decisions {right:>2}/{len(ANSWERS)}, wrongly suppressed "
            f"{wrongly_dropped:>2}, recipient named {named:>2}/{tied}"
            + (f", raised on {errors}" if errors else ""))


def main() -> int:
    for name, read in [("feedkit", feedkit), ("flufl.bounce 6", flufl),
                       ("bounce-email", bounce_email), ("bounced", bounced),
                       ("BounceClassifier", bounce_classifier), ("arf-mime", arf_mime)]:
        print(score(name, read))
    return 0


if __name__ == "__main__":
    sys.exit(main())
