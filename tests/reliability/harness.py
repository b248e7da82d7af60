"""Load with retries and faults, then the invariants checked from the database and Twilio.

Customers write to several businesses at once. Every message is delivered by the Twilio
stand-in exactly as Twilio delivers it: a signed POST to the webhook URL, retried as the
URL's connection overrides say, the TwiML answer acted on, and the reply's status
callbacks posted to its action URL. Some messages are delivered twice (same MessageSid),
concurrently or seconds later. As with Twilio, a second delivery happens because the
answer to the first never reached Twilio: the stand-in acts on one answer per message.
Afterwards the outbox is swept until it settles (its
deadlines are brought forward, standing in for the minutes that would pass), and the
invariants are checked:

- one inbound row per distinct MessageSid, in the business it was sent to;
- one reply per message that should get one: every FAQ question, and the first unanswered
  message of each customer (the fallback is throttled);
- every reply reached Twilio exactly once: for each customer and text, Twilio sent (by
  TwiML or REST) as many messages as there are replies, and each reply holds the sid of
  a distinct one of them. (When two identical replies to one customer both lose their
  callbacks, Twilio's message list cannot tell which is which, so the count is per
  customer and text, not per reply.)
- every reply has its Twilio sid. (Its status is as far as Twilio's callbacks took it:
  a reply whose callbacks were all lost stays `sending`.)
- no answer to Twilio took longer than its 15 s limit.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from devstack.postgres import free_port
from devstack.process import ServiceProcess
from devstack.stack import DEV_CRON_SECRET, LocalStack, webhook_process
from devstack.twilio_api import TwilioStandIn
from devstack.twilio_inbound import inbound_form
from tests.browser import ARTIFACTS_DIR
from tests.factories import Connection, Tenant, create_faq, create_tenant, random_phone

# What the webhook URL's fragment asks of Twilio (see docs/deploy.md).
CONNECTION_OVERRIDES = "#rc=3&rp=ct,rt,5xx&rt=6000"
TWILIO_LIMIT_SECONDS = 15.0
FAQS = (
    ("¿Cuál es su horario?", "Abrimos de lunes a sábado de 8:00 a 20:00."),
    ("¿Dónde están ubicados?", "Estamos en Avenida Juárez 210, centro."),
    ("¿Hacen envíos a domicilio?", "Sí, enviamos a toda la ciudad por 40 pesos."),
)
UNANSWERED = (
    "Quiero hablar con una persona, por favor",
    "¿Me pueden marcar más tarde?",
)


@dataclass(frozen=True)
class Scale:
    messages: int
    customers: int
    businesses: int
    senders: int
    repeat_share: float = 0.2


# `make reliability` sets it; `make test` runs everything small.
FULL_RUN = os.environ.get("FACILCHAT_RELIABILITY") == "full"
# One seed for the whole run, printed with every result; FACILCHAT_RELIABILITY_SEED replays it.
SEED = int(os.environ.get("FACILCHAT_RELIABILITY_SEED") or random.randrange(10**6))
FAST = Scale(messages=240, customers=40, businesses=4, senders=10)
FULL = Scale(messages=10_000, customers=500, businesses=20, senders=50)


@dataclass
class Message:
    sid: str
    business: Tenant
    customer: str
    text: str

    @property
    def asks_an_faq(self) -> bool:
        return self.text in {question for question, _ in FAQS}


# Every scenario's result line, for the summary at the end of the run (conftest.py).
RESULTS: list[str] = []

# The REST faults: the stand-in's chance name, its name in the attempt log, the report's.
REST_FAULTS = {
    "rest_429": ("429", "429"),
    "rest_500": ("500", "500"),
    "accept_then_500": ("accept_then_500", "accepted then 500"),
    "hang": ("hang", "hanging"),
}


def record(line: str) -> None:
    """Prints a scenario's result, keeps it for the summary and in reliability.txt."""
    print(line)
    RESULTS.append(line)
    with (ARTIFACTS_DIR / "reliability.txt").open("a") as results:
        results.write(line + "\n")


@dataclass
class Report:
    scenario: str
    messages: int = 0
    deliveries: int = 0
    webhook_attempts: int = 0
    sweeps: int = 0
    # REST creates the stand-in received, and how many met each fault while faults were on.
    rest_sends: int = 0
    rest_sends_under_faults: int = 0
    rest_faults: Counter[str] = field(default_factory=Counter)
    faults: dict[str, int] = field(default_factory=dict)
    slowest_answer: float = 0.0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)

    def check(self, ok: bool, what: str) -> None:
        if not ok:
            self.failures.append(what)

    def count_rest_sends(self, attempts: list[dict[str, Any]], under_faults: int) -> None:
        """The stand-in's attempt log: the first `under_faults` were made with faults on."""
        self.rest_sends = len(attempts)
        self.rest_sends_under_faults = under_faults
        self.rest_faults = Counter(
            str(a["fault"]) for a in attempts[:under_faults] if a["fault"] is not None
        )

    def rest_line(self) -> str:
        if not self.rest_sends:
            return "no REST sends"
        line = f"{self.rest_sends} REST sends"
        under = self.rest_sends_under_faults
        if under and self.rest_faults:
            rates = ", ".join(
                f"{self.rest_faults[logged]} {label} ({self.rest_faults[logged] / under:.1%})"
                for logged, label in REST_FAULTS.values()
            )
            line += f" ({under} with faults on: {rates})"
        return line

    def line(self) -> str:
        faults = ", ".join(f"{k} {v}" for k, v in sorted(self.faults.items()) if v) or "none"
        verdict = "all invariants hold" if not self.failures else "; ".join(self.failures)
        return (
            f"{self.scenario}: {self.messages} messages sent, {self.deliveries} deliveries,"
            f" {self.webhook_attempts - self.deliveries} webhook retries by Twilio,"
            f" {self.rest_line()}, {self.sweeps} sweeps; faults injected: {faults};"
            f" slowest answer {self.slowest_answer:.2f} s; {self.seconds:.0f} s; {verdict}"
        )


@contextmanager
def app_and_twilio(
    stack: LocalStack, log_name: str
) -> Iterator[tuple[str, TwilioStandIn, ServiceProcess]]:
    """The app under uvicorn, and a Twilio stand-in of its own reporting statuses to it."""
    twilio = TwilioStandIn(callback_delay=0.05, hang_seconds=3.0)
    twilio.log_path = ARTIFACTS_DIR / f"{log_name}-twilio.log"
    twilio.start()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # A short Twilio timeout keeps a hanging send from holding a sweep.
    env = {**stack.app_env(twilio, url), "TWILIO_TIMEOUT_SECONDS": "1"}
    server = webhook_process(port, env)
    server.log_path = ARTIFACTS_DIR / f"{log_name}-app.log"
    try:
        server.start()
        yield url, twilio, server
    finally:
        server.stop()
        twilio.stop()


def make_businesses(db: Connection, count: int) -> list[Tenant]:
    businesses = []
    for n in range(count):
        tenant = create_tenant(db, business_name=f"Negocio de prueba {n}")
        for question, answer in FAQS:
            create_faq(db, tenant.id, question=question, answer=answer)
        businesses.append(tenant)
    return businesses


def make_messages(businesses: list[Tenant], scale: Scale, rolls: random.Random) -> list[Message]:
    customers = [(rolls.choice(businesses), random_phone()) for _ in range(scale.customers)]
    messages = []
    for _ in range(scale.messages):
        business, customer = rolls.choice(customers)
        text = (
            rolls.choice([q for q, _ in FAQS]) if rolls.random() < 0.8 else rolls.choice(UNANSWERED)
        )
        messages.append(Message("SM" + uuid.uuid4().hex, business, customer, text))
    return messages


async def deliver(
    client: httpx.AsyncClient,
    twilio: TwilioStandIn,
    webhook_url: str,
    message: Message,
    act_on_answer: bool = True,
) -> dict[str, Any]:
    form = inbound_form(
        message.text,
        sender=message.customer,
        to=message.business.whatsapp_number,
        account_sid=twilio.account_sid,
        message_sid=message.sid,
    )
    response = await client.post(
        f"{twilio.url}/_control/inbound",
        json={"url": webhook_url + CONNECTION_OVERRIDES, "form": form, "act": act_on_answer},
    )
    response.raise_for_status()
    delivery: dict[str, Any] = response.json()
    return delivery


async def send_all(
    twilio: TwilioStandIn,
    webhook_url: str,
    messages: list[Message],
    scale: Scale,
    rolls: random.Random,
    report: Report,
) -> None:
    """Every message once, some twice (at once, or seconds later), `senders` at a time."""
    gate = asyncio.Semaphore(scale.senders)
    deliveries: list[dict[str, Any]] = []

    async with httpx.AsyncClient(timeout=60) as client:

        async def one(message: Message, wait: float = 0.0, act: bool = True) -> None:
            await asyncio.sleep(wait)
            async with gate:
                deliveries.append(await deliver(client, twilio, webhook_url, message, act))

        tasks = []
        for message in messages:
            if rolls.random() < scale.repeat_share:
                # The first answer is lost; the delivery is repeated at once (racing the
                # first) or seconds later.
                tasks.append(one(message, act=False))
                tasks.append(one(message, 0.0 if rolls.random() < 0.5 else rolls.uniform(1, 3)))
            else:
                tasks.append(one(message))
        await asyncio.gather(*tasks)

    report.messages = len(messages)
    report.deliveries = len(deliveries)
    report.webhook_attempts = sum(len(d["attempts"]) for d in deliveries)
    report.slowest_answer = max(
        (a.get("seconds", 0.0) for d in deliveries for a in d["attempts"]), default=0.0
    )


def unsettled(db: Connection, owners: list[uuid.UUID]) -> int:
    row = db.execute(
        "select count(*) from public.messages where owner_id = any(%s) and direction = 'out'"
        " and twilio_message_id is null and next_attempt_at is not null",
        (owners,),
    ).fetchone()
    assert row is not None
    return int(row[0])


def settle(
    db: Connection, app_url: str, owners: list[uuid.UUID], report: Report, rounds: int = 10_000
) -> None:
    """Sweep until every reply is with Twilio, or the sweeps stop making progress.

    Each deadline is brought forward first, standing in for the minutes that would pass
    between the scheduler's calls. `rounds` caps the sweeps.
    """
    time.sleep(1.0)  # let the last callbacks land
    best, stalled = unsettled(db, owners), 0
    for _ in range(rounds):
        if best == 0 or stalled >= 5:
            return
        db.execute(
            "update public.messages set next_attempt_at = now() where owner_id = any(%s)"
            " and direction = 'out' and twilio_message_id is null and next_attempt_at > now()",
            (owners,),
        )
        response = httpx.get(
            f"{app_url}/api/cron/outbox",
            headers={"Authorization": f"Bearer {DEV_CRON_SECRET}"},
            timeout=60,
        )
        report.sweeps += 1
        report.check(response.status_code == 200, f"sweep answered {response.status_code}")
        time.sleep(0.3)
        left = unsettled(db, owners)
        best, stalled = (left, 0) if left < best else (best, stalled + 1)


def check_invariants(
    db: Connection, twilio: TwilioStandIn, messages: list[Message], report: Report
) -> None:
    owners = sorted({m.business.id for m in messages})
    by_sid = {m.sid: m for m in messages}
    inbound = db.execute(
        "select m.twilio_message_id, m.owner_id, c.phone from public.messages m"
        " join public.clients c on c.id = m.client_id"
        " where m.owner_id = any(%s) and m.direction = 'in'",
        (owners,),
    ).fetchall()
    counts = Counter(sid for sid, _, _ in inbound)
    report.check(set(counts) == set(by_sid), "an inbound message is missing or unknown")
    report.check(all(n == 1 for n in counts.values()), "an inbound MessageSid is stored twice")
    report.check(
        all(
            owner == by_sid[sid].business.id and phone == by_sid[sid].customer
            for sid, owner, phone in inbound
            if sid in by_sid
        ),
        "a message is stored in the wrong business or client",
    )

    replies = db.execute(
        "select r.id, i.twilio_message_id, r.reply_kind, r.twilio_message_id, r.status"
        " from public.messages r join public.messages i on i.id = r.in_reply_to"
        " where r.owner_id = any(%s) and r.direction = 'out'",
        (owners,),
    ).fetchall()
    per_inbound = Counter(inbound_sid for _, inbound_sid, _, _, _ in replies)
    report.check(all(n == 1 for n in per_inbound.values()), "a message got two replies")
    faq_sids = {m.sid for m in messages if m.asks_an_faq}
    answered = {sid for _, sid, kind, _, _ in replies if kind == "faq"}
    report.check(faq_sids <= answered, f"{len(faq_sids - answered)} FAQ questions unanswered")
    fallbacks = Counter(
        (by_sid[sid].business.id, by_sid[sid].customer)
        for _, sid, kind, _, _ in replies
        if kind == "fallback"
    )
    expected_fallbacks = {(m.business.id, m.customer) for m in messages if not m.asks_an_faq}
    report.check(
        set(fallbacks) == expected_fallbacks and all(n == 1 for n in fallbacks.values()),
        "the fallback was not sent exactly once per customer who needed it",
    )
    report.check(
        all(sid is not None for _, _, _, sid, _ in replies), "a reply never reached Twilio"
    )

    # What Twilio sent, by TwiML or REST, against the replies we stored.
    # Only this run's businesses: a sweep may also finish an earlier run's replies.
    numbers = {f"whatsapp:{m.business.whatsapp_number}" for m in messages}
    sent = [m for m in twilio.messages() if m["from"] in numbers]
    sent_count = Counter((m["to"], m["from"], m["body"]) for m in sent)
    stored = db.execute(
        "select 'whatsapp:' || c.phone, 'whatsapp:' || u.whatsapp_number, r.content,"
        " r.twilio_message_id from public.messages r"
        " join public.clients c on c.id = r.client_id join public.users u on u.id = r.owner_id"
        " where r.owner_id = any(%s) and r.direction = 'out'",
        (owners,),
    ).fetchall()
    stored_count = Counter((to, from_, body) for to, from_, body, _ in stored)
    twice = sum(1 for key, n in sent_count.items() if n > stored_count.get(key, 0))
    unsent = sum(1 for key, n in stored_count.items() if n > sent_count.get(key, 0))
    report.check(twice == 0, f"{twice} customers got a reply more often than it was stored")
    report.check(unsent == 0, f"{unsent} customers got fewer replies than were stored")
    sids = [sid for _, _, _, sid in stored if sid is not None]
    report.check(len(set(sids)) == len(sids), "two replies hold the same Twilio message")
    report.check(set(sids) <= {m["sid"] for m in sent}, "a reply holds a sid Twilio never sent")
    report.check(
        report.slowest_answer < TWILIO_LIMIT_SECONDS, "an answer took longer than Twilio waits"
    )
