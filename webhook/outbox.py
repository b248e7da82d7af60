"""The outbox: replies that did not go out in the webhook's TwiML, sent exactly once.

Most replies leave in the webhook's own answer to Twilio. The rest come here, through
the sweeper: replies Twilio has not confirmed a few minutes after the hand-over, REST
sends that failed, and replies whose sender died. Each is claimed with a fencing token
before anything is done, and Twilio's message list is checked first whenever an earlier
attempt may have reached Twilio.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from webhook.database import Database
from webhook.sender import Sender, SenderUnavailable

# Twilio's clock and the database's may disagree a little.
CLOCK_SKEW = timedelta(seconds=30)
# Recorded when Twilio could not be asked whether an earlier attempt got through.
UNRECONCILED = "unreconciled"
# Replies claimed per database call: few, so that none waits long under a lease.
CLAIM_BATCH = 3

log = logging.getLogger("facilchat.outbox")


@dataclass
class SweepReport:
    claimed: int = 0
    accepted: int = 0
    failed: int = 0
    errors: int = 0


def reply_status_callback(status_callback: str, reply_id: str) -> str:
    """The status route, told which reply the callbacks are about (signed with the URL)."""
    return f"{status_callback}?reply={reply_id}"


def send_claimed(
    db: Database,
    sender: Sender,
    claimed: dict[str, Any],
    max_attempts: int,
    status_callback: str,
) -> bool:
    """Send a reply this process has claimed; True when Twilio has it."""
    message_id = str(claimed["id"])
    token = int(claimed["claim_token"])
    to, from_, content = str(claimed["to"]), str(claimed["from"]), str(claimed["content"])
    if claimed.get("reconcile_since"):
        # An earlier attempt may have reached Twilio: did it get the reply out?
        since = datetime.fromisoformat(str(claimed["reconcile_since"])) - CLOCK_SKEW
        try:
            candidates = sender.sent_candidates(to, from_, content, since)
        except SenderUnavailable as error:
            # Still unknown: the next attempt must check again before sending.
            log.warning("reply %s: cannot check Twilio (%s); retrying later", message_id, error)
            db.record_outbound_result(
                message_id,
                token,
                error_code=UNRECONCILED,
                error=str(error),
                retry=True,
                outcome_unknown=True,
                attempted=False,
                max_attempts=max_attempts,
            )
            return False
        if candidates and db.record_reconciled_reply(message_id, token, candidates) is not None:
            log.info("reply %s had already reached Twilio; not sent again", message_id)
            return True
    result = sender.send_whatsapp(
        to, from_, content, reply_status_callback(status_callback, message_id)
    )
    if result.accepted:
        db.record_outbound_result(message_id, token, twilio_sid=result.sid, status=result.status)
        return True
    log.warning("reply %s not sent: %s %s", message_id, result.error_code, result.error)
    db.record_outbound_result(
        message_id,
        token,
        error_code=result.error_code,
        error=result.error,
        retry=result.retry,
        outcome_unknown=result.outcome_unknown,
        max_attempts=max_attempts,
    )
    return False


def sweep(
    db: Database,
    sender: Sender,
    *,
    limit: int,
    max_attempts: int,
    status_callback: str,
    budget_seconds: float,
    send_timeout: float,
    clock: Callable[[], float] = time.monotonic,
) -> SweepReport:
    """Send what is due, a few replies at a time, until none is left or time runs short.

    A reply is claimed only when there is time left to send it, so a slow Twilio cannot
    leave claimed replies behind when the function is stopped. One reply's trouble never
    stops the others: it is logged and its claim lapses.
    """
    report = SweepReport()
    deadline = clock() + budget_seconds
    while report.claimed < limit:
        affordable = int((deadline - clock()) // send_timeout)
        batch = min(CLAIM_BATCH, limit - report.claimed, affordable)
        if batch < 1:
            break
        claimed_now = db.claim_due_outbound_messages(batch, max_attempts)
        if not claimed_now:
            break
        for claimed in claimed_now:
            report.claimed += 1
            try:
                if send_claimed(db, sender, claimed, max_attempts, status_callback):
                    report.accepted += 1
                else:
                    report.failed += 1
            except Exception:
                # Its claim lapses and a later sweep checks with Twilio before sending.
                report.errors += 1
                log.exception("reply %s: sweep step failed", claimed.get("id"))
    return report
