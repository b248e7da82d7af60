"""The outbox: send a queued reply exactly once, and record what happened."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from webhook.database import Database
from webhook.sender import Sender, SenderUnavailable

# Twilio's clock and the database's may disagree a little.
CLOCK_SKEW = timedelta(seconds=30)
# Recorded when Twilio could not be asked whether an earlier attempt got through.
UNRECONCILED = "unreconciled"

log = logging.getLogger("facilchat.outbox")


@dataclass
class SweepReport:
    claimed: int = 0
    accepted: int = 0
    failed: int = 0


def send_claimed(
    db: Database,
    sender: Sender,
    claimed: dict[str, Any],
    max_attempts: int,
    status_callback: str | None,
) -> bool:
    """Send a reply this process has claimed; True when Twilio has it."""
    message_id = str(claimed["id"])
    to, from_, content = str(claimed["to"]), str(claimed["from"]), str(claimed["content"])
    if claimed.get("reconcile_since"):
        # An earlier sender held this reply and vanished: did it get it out?
        since = datetime.fromisoformat(str(claimed["reconcile_since"])) - CLOCK_SKEW
        try:
            already = sender.find_sent(to, from_, content, since)
        except SenderUnavailable as error:
            # Still unknown: the next attempt must check again before sending.
            log.warning("reply %s: cannot check Twilio (%s); retrying later", message_id, error)
            db.record_outbound_result(
                message_id,
                error_code=UNRECONCILED,
                error=str(error),
                retry=True,
                max_attempts=max_attempts,
            )
            return False
        if already is not None:
            log.info("reply %s was already sent as %s", message_id, already.sid)
            db.record_outbound_result(message_id, twilio_sid=already.sid, status=already.status)
            return True
    result = sender.send_whatsapp(to, from_, content, status_callback)
    if result.accepted:
        db.record_outbound_result(message_id, twilio_sid=result.sid, status=result.status)
        return True
    log.warning("reply %s not sent: %s %s", message_id, result.error_code, result.error)
    db.record_outbound_result(
        message_id,
        error_code=result.error_code,
        error=result.error,
        retry=result.retry,
        max_attempts=max_attempts,
    )
    return False


def sweep(
    db: Database, sender: Sender, batch_size: int, max_attempts: int, status_callback: str | None
) -> SweepReport:
    """Retry the replies that are due; each is claimed before it is sent."""
    report = SweepReport()
    for claimed in db.claim_due_outbound_messages(batch_size, max_attempts):
        report.claimed += 1
        if send_claimed(db, sender, claimed, max_attempts, status_callback):
            report.accepted += 1
        else:
            report.failed += 1
    return report
