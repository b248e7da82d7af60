"""The dev stack's log follower prints each service's new lines, tagged, and nothing old."""

from __future__ import annotations

import io
from pathlib import Path

from devstack.logs import LogFollower


def test_prints_only_new_complete_lines_tagged_by_service(tmp_path: Path) -> None:
    webhook, twilio = tmp_path / "webhook.log", tmp_path / "twilio.log"
    webhook.write_text("old line, before the stack started\n")
    out = io.StringIO()
    follower = LogFollower({"webhook": webhook, "twilio": twilio}, out)

    with webhook.open("a") as log:
        log.write("WARNING reply 1 not sent\npartial")
    twilio.write_text("create to=whatsapp:+5213311112222 accepted SM1\n")
    follower.poll()
    assert out.getvalue().splitlines() == [
        "webhook | WARNING reply 1 not sent",
        " twilio | create to=whatsapp:+5213311112222 accepted SM1",
    ]

    with webhook.open("a") as log:
        log.write(" line, now complete\n")
    follower.poll()
    assert out.getvalue().splitlines()[-1] == "webhook | partial line, now complete"
