"""`facilchat faq-eval`: run the production FAQ matcher over a labelled data set.

The data set has the shape of shared/faq_dev_set.json:

    {"businesses": [{"name": ..., "faqs": [{"key", "question", "answer", "keywords"?}],
                     "messages": [{"text": ..., "expect": <FAQ key or null>}]}]}

Each business gets a throwaway tenant holding its FAQs. Every message goes
through `private.match_faq` (the decision the webhook uses) and
`private.rank_faqs` (for the best candidate's score). One JSON line per
message goes to stdout, then the summary line

    accuracy=0.000 wrong_answer_rate=0.000 n=N

where accuracy is the share of messages answered as expected (a null
expectation included) and a wrong answer is answering with another FAQ, or
answering at all when no FAQ fits. A wrong or missed message's line also
carries `fired` (the message's slots as the matcher read them: its concepts
and content words) and `candidates` (the best two FAQs, their scores and what
matched), to find the knowledge the matcher lacks.

With --by-business, one line per business comes before the summary:

    {"by_business": ..., "n": N, "accuracy": ..., "wrong_answer_rate": ...,
     "others_accuracy": ..., "others_wrong_answer_rate": ...}

where the `others_` figures are those of the set without that business: the
leave-one-business-out view. With --caution cautious every business requires
the cautious score to answer (users.faq_caution; balanced by default).

With --owner-loop each business is run in two halves (every other message):
the owner "teaches" from one half as the dashboard's missed-messages list lets
them (each message that got the fallback but has an FAQ adds the words the
matcher reads as its subject to that FAQ's keywords), and the other half is
measured; then the halves swap. The message lines and the summary are the
measured halves' after teaching, preceded by

    {"owner_loop": {"messages_taught": ..., "keywords_added": ...,
                    "before": {"accuracy": ..., "wrong_answer_rate": ...},
                    "after": {...}}}
Diagnostics go to stderr. Nothing is left behind: without --db-url a
throwaway database on the embedded cluster is made
and dropped; with --db-url all the work happens in one transaction that is
rolled back.
"""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import psycopg
from psycopg.conninfo import make_conninfo
from psycopg.types.json import Jsonb

from devstack import migrations
from devstack.postgres import LocalPostgres, PostgresError


class DataSetError(ValueError):
    """The file is not a data set in the expected shape."""


@dataclass(frozen=True)
class Faq:
    key: str
    question: str
    answer: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Message:
    text: str
    expect: str | None


@dataclass(frozen=True)
class Business:
    name: str
    faqs: tuple[Faq, ...]
    messages: tuple[Message, ...]


@dataclass(frozen=True)
class Candidate:
    """One of the best two FAQs for a message, and the terms that matched."""

    key: str
    score: float
    matched: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"faq": self.key, "score": round(self.score, 3), "matched": list(self.matched)}


@dataclass(frozen=True)
class Outcome:
    business: str
    text: str
    expect: str | None
    got: str | None
    score: float | None
    # Filled in for wrong and missed messages only.
    fired: tuple[str, ...] | None = None
    candidates: tuple[Candidate, ...] = field(default=())

    @property
    def correct(self) -> bool:
        return self.got == self.expect

    @property
    def wrong_answer(self) -> bool:
        return self.got is not None and self.got != self.expect

    def as_json(self) -> str:
        record: dict[str, Any] = {
            "business": self.business,
            "text": self.text,
            "expect": self.expect,
            "got": self.got,
            "score": None if self.score is None else round(self.score, 3),
        }
        if self.fired is not None:
            record["fired"] = list(self.fired)
            record["candidates"] = [c.as_dict() for c in self.candidates]
        return json.dumps(record, ensure_ascii=False)


@dataclass(frozen=True)
class Summary:
    n: int
    correct: int
    wrong: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 0.0

    @property
    def wrong_answer_rate(self) -> float:
        return self.wrong / self.n if self.n else 0.0

    def line(self) -> str:
        accuracy, wrong = self.accuracy, self.wrong_answer_rate
        return f"accuracy={accuracy:.3f} wrong_answer_rate={wrong:.3f} n={self.n}"


def summarize(outcomes: list[Outcome]) -> Summary:
    return Summary(
        n=len(outcomes),
        correct=sum(o.correct for o in outcomes),
        wrong=sum(o.wrong_answer for o in outcomes),
    )


def by_business(outcomes: list[Outcome]) -> list[dict[str, Any]]:
    """Each business's figures, and those of the set without it, in order of appearance."""
    names = list(dict.fromkeys(o.business for o in outcomes))
    rows = []
    for name in names:
        own = summarize([o for o in outcomes if o.business == name])
        others = summarize([o for o in outcomes if o.business != name])
        rows.append(
            {
                "by_business": name,
                "n": own.n,
                "accuracy": round(own.accuracy, 3),
                "wrong_answer_rate": round(own.wrong_answer_rate, 3),
                "others_accuracy": round(others.accuracy, 3),
                "others_wrong_answer_rate": round(others.wrong_answer_rate, 3),
            }
        )
    return rows


# -- reading the data set ------------------------------------------------------


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DataSetError(f"{where}: expected a non-empty string")
    return value


def parse(data: Any) -> list[Business]:
    """The businesses of a data set, validated."""
    if not isinstance(data, dict) or not isinstance(data.get("businesses"), list):
        raise DataSetError('expected an object with a "businesses" list')
    businesses = []
    for b, raw in enumerate(data["businesses"]):
        where = f"businesses[{b}]"
        if not isinstance(raw, dict):
            raise DataSetError(f"{where}: expected an object")
        name = _text(raw.get("name"), f"{where}.name")
        faqs = []
        for f, faq in enumerate(raw.get("faqs") or []):
            fwhere = f"{where}.faqs[{f}]"
            if not isinstance(faq, dict):
                raise DataSetError(f"{fwhere}: expected an object")
            keywords = faq.get("keywords") or []
            if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
                raise DataSetError(f"{fwhere}.keywords: expected a list of strings")
            faqs.append(
                Faq(
                    key=_text(faq.get("key"), f"{fwhere}.key"),
                    question=_text(faq.get("question"), f"{fwhere}.question"),
                    answer=_text(faq.get("answer"), f"{fwhere}.answer"),
                    keywords=tuple(keywords),
                )
            )
        keys = [faq.key for faq in faqs]
        if len(set(keys)) != len(keys):
            raise DataSetError(f"{where}: FAQ keys must be unique")
        messages = []
        for m, message in enumerate(raw.get("messages") or []):
            mwhere = f"{where}.messages[{m}]"
            if not isinstance(message, dict) or not isinstance(message.get("text"), str):
                raise DataSetError(f'{mwhere}: expected an object with a "text" string')
            expect = message.get("expect")
            if expect is not None and expect not in keys:
                raise DataSetError(f"{mwhere}.expect: {expect!r} is not a FAQ key of {name!r}")
            messages.append(Message(text=message["text"], expect=expect))
        businesses.append(Business(name=name, faqs=tuple(faqs), messages=tuple(messages)))
    return businesses


def load(path: Path) -> list[Business]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DataSetError(f"cannot read {path}: {error}") from error
    return parse(data)


# -- running the matcher ---------------------------------------------------------

Connection = psycopg.Connection[Any]


def create_tenant(conn: Connection, business: Business, caution: str = "balanced") -> uuid.UUID:
    """A throwaway business owner; the auth.users trigger creates public.users."""
    owner_id = uuid.uuid4()
    conn.execute(
        "insert into auth.users (id, email, aud, role, raw_user_meta_data)"
        " values (%s, %s, 'authenticated', 'authenticated', %s)",
        (
            owner_id,
            f"faq-eval-{owner_id.hex[:12]}@example.invalid",
            Jsonb({"full_name": f"faq-eval: {business.name}"}),
        ),
    )
    conn.execute("update public.users set faq_caution = %s where id = %s", (caution, owner_id))
    return owner_id


def load_faqs(conn: Connection, owner_id: uuid.UUID, business: Business) -> dict[uuid.UUID, str]:
    """Insert the business's FAQs; returns faq id -> key."""
    keys: dict[uuid.UUID, str] = {}
    for position, faq in enumerate(business.faqs):
        row = conn.execute(
            "insert into public.faqs (owner_id, question, answer, keywords, position)"
            " values (%s, %s, %s, %s, %s) returning id",
            (owner_id, faq.question, faq.answer, list(faq.keywords), position),
        ).fetchone()
        assert row is not None
        keys[row[0]] = faq.key
    return keys


def fired_terms(conn: Connection, text: str) -> tuple[str, ...]:
    """The message's slots as the matcher reads them: `words=term(role strength)`."""
    rows = conn.execute(
        "select words, term, role, strength from private.faq_text_features(%s)"
        " order by slot, strength desc, term",
        (text,),
    ).fetchall()
    return tuple(
        f"{words}={term}" + ("" if role == "primary" else f"({role} {strength:.2f})")
        for words, term, role, strength in rows
    )


def matched_terms(explanation: Any) -> tuple[str, ...]:
    """What of the message matched the FAQ, from rank_faqs's explanation."""
    if not isinstance(explanation, dict):
        return ()
    return tuple(
        f"{slot['words']}={slot['via']}({slot['match']})"
        for slot in explanation.get("message") or []
        if slot.get("match")
    )


def decide(
    conn: Connection, owner_id: uuid.UUID, keys: dict[uuid.UUID, str], name: str, message: Message
) -> Outcome:
    """The matcher's decision for one message, with what it read when it is not right."""
    matched = conn.execute(
        "select faq_id, score from private.match_faq(%s, %s)", (owner_id, message.text)
    ).fetchone()
    ranked = conn.execute(
        "select faq_id, score, explanation from private.rank_faqs(%s, %s) limit 2",
        (owner_id, message.text),
    ).fetchall()
    if matched is not None:
        got: str | None = keys[matched[0]]
        score: float | None = float(matched[1])
    else:
        got = None
        score = float(ranked[0][1]) if ranked else None
    outcome = Outcome(name, message.text, message.expect, got, score)
    if outcome.correct:
        return outcome
    return Outcome(
        name,
        message.text,
        message.expect,
        got,
        score,
        fired=fired_terms(conn, message.text),
        candidates=tuple(
            Candidate(keys[faq_id], float(value), matched_terms(explanation))
            for faq_id, value, explanation in ranked
        ),
    )


def evaluate_business(
    conn: Connection, business: Business, caution: str = "balanced"
) -> Iterator[Outcome]:
    owner_id = create_tenant(conn, business, caution)
    keys = load_faqs(conn, owner_id, business)
    for message in business.messages:
        yield decide(conn, owner_id, keys, business.name, message)


# -- the owner's loop ------------------------------------------------------------

# What the dashboard suggests adding from a missed message (screens/faqs/words.js): the
# words the matcher reads as a subject, within the keywords' limits (faqs table).
KEYWORD_KINDS = ("topic", "object")
MAX_KEYWORDS = 30
MAX_KEYWORD_CHARS = 60


def teach_missed(
    conn: Connection, owner_id: uuid.UUID, keys: dict[uuid.UUID, str], messages: list[Message]
) -> tuple[int, int]:
    """What an owner does from the missed-messages list: each message that got the fallback
    but has an FAQ gives that FAQ its suggested words. Returns how many messages taught it
    something, and how many keywords they added."""
    faq_ids = {key: faq_id for faq_id, key in keys.items()}
    taught = added = 0
    for message in messages:
        if message.expect is None:
            continue
        if conn.execute(
            "select 1 from private.match_faq(%s, %s)", (owner_id, message.text)
        ).fetchone():
            continue  # answered: not on the missed list
        row = conn.execute(
            "select f.keywords, private.normalize_text(f.question),"
            " array(select private.normalize_text(k) from unnest(f.keywords) k)"
            " from public.faqs f where f.id = %s",
            (faq_ids[message.expect],),
        ).fetchone()
        assert row is not None
        keywords = list(row[0])
        known = set(row[2]) | set(str(row[1]).split())
        suggested = conn.execute(
            "select distinct on (f.words) f.words from private.faq_text_features(%s) f"
            " where f.role = 'primary' and f.kind = any(%s)"
            " and not exists (select 1 from private.faq_terms t where t.owner_id = %s"
            " and t.active and t.faq_id <> %s and t.term = f.term)",
            (message.text, list(KEYWORD_KINDS), owner_id, faq_ids[message.expect]),
        ).fetchall()
        new = [
            words
            for (words,) in suggested
            if words
            and len(words) <= MAX_KEYWORD_CHARS
            and words not in known
            and not all(part in known for part in words.split())
        ]
        if not new or len(keywords) + len(new) > MAX_KEYWORDS:
            continue  # nothing new, or more than an FAQ may hold: the dashboard refuses
        conn.execute(
            "update public.faqs set keywords = %s where id = %s",
            (keywords + new, faq_ids[message.expect]),
        )
        taught += 1
        added += len(new)
    return taught, added


@dataclass
class OwnerLoop:
    """Figures of the owner's loop: the held-out halves before and after teaching."""

    before: list[Outcome] = field(default_factory=list)
    after: list[Outcome] = field(default_factory=list)
    taught: int = 0
    keywords_added: int = 0

    def as_json(self) -> str:
        before, after = summarize(self.before), summarize(self.after)
        return json.dumps(
            {
                "owner_loop": {
                    "messages_taught": self.taught,
                    "keywords_added": self.keywords_added,
                    "before": {
                        "accuracy": round(before.accuracy, 3),
                        "wrong_answer_rate": round(before.wrong_answer_rate, 3),
                    },
                    "after": {
                        "accuracy": round(after.accuracy, 3),
                        "wrong_answer_rate": round(after.wrong_answer_rate, 3),
                    },
                }
            }
        )


def owner_loop_business(
    conn: Connection, business: Business, loop: OwnerLoop, caution: str = "balanced"
) -> Iterator[Outcome]:
    """Two folds: the owner teaches from one half of the messages (every other one), the
    other half is measured before and after; then the halves swap. Yields the measured
    half's outcomes after teaching; each fold is undone before the next."""
    owner_id = create_tenant(conn, business, caution)
    keys = load_faqs(conn, owner_id, business)
    messages = list(business.messages)
    halves = (messages[0::2], messages[1::2])
    for teach, measure in ((halves[0], halves[1]), (halves[1], halves[0])):
        conn.execute("savepoint owner_loop")
        loop.before += [decide(conn, owner_id, keys, business.name, m) for m in measure]
        taught, added = teach_missed(conn, owner_id, keys, teach)
        loop.taught += taught
        loop.keywords_added += added
        for message in measure:
            outcome = decide(conn, owner_id, keys, business.name, message)
            loop.after.append(outcome)
            yield outcome
        conn.execute("rollback to savepoint owner_loop")


def evaluate(
    db_url: str,
    businesses: list[Business],
    out: TextIO,
    *,
    per_business: bool = False,
    caution: str = "balanced",
    owner_loop: bool = False,
) -> Summary:
    """Run every message and print its line; all writes are rolled back. With `owner_loop`
    the lines and the summary are the held-out halves' after teaching (owner_loop_business),
    and a line with the figures before and after comes first."""
    outcomes: list[Outcome] = []
    loop = OwnerLoop()
    with psycopg.connect(db_url) as conn:
        try:
            for business in businesses:
                run_business = (
                    owner_loop_business(conn, business, loop, caution)
                    if owner_loop
                    else evaluate_business(conn, business, caution)
                )
                for outcome in run_business:
                    print(outcome.as_json(), file=out, flush=True)
                    outcomes.append(outcome)
        finally:
            conn.rollback()
    if owner_loop:
        print(loop.as_json(), file=out, flush=True)
    if per_business:
        for row in by_business(outcomes):
            print(json.dumps(row, ensure_ascii=False), file=out, flush=True)
    return summarize(outcomes)


@contextmanager
def throwaway_database() -> Iterator[str]:
    """A migrated database on a throwaway embedded cluster, dropped afterwards.

    The cluster is this command's own (`.local/test-postgres-faq-eval-<pid>`) and
    is deleted at the end, so nothing is left in the state folder.
    """
    cluster = LocalPostgres.for_tests("faq-eval")
    print("faq-eval: starting the embedded Postgres…", file=sys.stderr)
    name = f"facilchat_faq_eval_{uuid.uuid4().hex[:10]}"
    try:
        cluster.start()
        with psycopg.connect(cluster.url(), autocommit=True) as admin:
            admin.execute(f'create database "{name}"')
        try:
            url = make_conninfo(cluster.url(), dbname=name)
            print(f"faq-eval: migrating throwaway database {name}…", file=sys.stderr)
            migrations.migrate(url, local=True)
            yield url
        finally:
            with psycopg.connect(cluster.url(), autocommit=True) as admin:
                admin.execute(f'drop database if exists "{name}" with (force)')
    finally:
        cluster.destroy()


def run(
    path: Path,
    db_url: str | None = None,
    out: TextIO | None = None,
    *,
    per_business: bool = False,
    caution: str = "balanced",
    owner_loop: bool = False,
) -> int:
    """The `faq-eval` command: prints one JSON line per message, then the summary."""
    out = out if out is not None else sys.stdout
    try:
        businesses = load(path)
    except DataSetError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        if db_url:
            summary = evaluate(
                db_url,
                businesses,
                out,
                per_business=per_business,
                caution=caution,
                owner_loop=owner_loop,
            )
        else:
            with throwaway_database() as url:
                summary = evaluate(
                    url,
                    businesses,
                    out,
                    per_business=per_business,
                    caution=caution,
                    owner_loop=owner_loop,
                )
    except (psycopg.Error, migrations.MigrationError, PostgresError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(summary.line(), file=out, flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m facilchat.faq_eval PATH [options]`: the same as `facilchat faq-eval`."""
    from facilchat.cli import build_parser

    args = build_parser().parse_args(["faq-eval", *(sys.argv[1:] if argv is None else argv)])
    result: int = args.handler(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
