"""`facilchat faq-eval`: output format, summary arithmetic and cleanup."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import psycopg
import pytest

from facilchat import faq_eval
from facilchat.cli import main as cli_main

SUMMARY = re.compile(r"^accuracy=(\d\.\d{3}) wrong_answer_rate=(\d\.\d{3}) n=(\d+)$")

DATA_SET: dict[str, Any] = {
    "about": "A tiny labelled set written for this test.",
    "businesses": [
        {
            "name": "Peluquería de prueba",
            "language": "es",
            "faqs": [
                {"key": "horario", "question": "¿Qué horario tienen?", "answer": "De 10 a 20 h."},
                {
                    "key": "pago",
                    "question": "¿Aceptan tarjetas?",
                    "answer": "Sí, débito y crédito.",
                    "keywords": ["mercado pago"],
                },
            ],
            "messages": [
                {"text": "a que hora abren?", "expect": "horario"},
                {"text": "puedo pagar con débito?", "expect": "pago"},
                {"text": "hola!", "expect": None},
                # Labelled to be answered, but nothing in the FAQs fits: a miss.
                {"text": "hacen alisado?", "expect": "horario"},
            ],
        },
        {
            "name": "Loja de teste",
            "language": "pt",
            "faqs": [{"key": "entrega", "question": "Vocês fazem entrega?", "answer": "Sim."}],
            "messages": [
                {"text": "vcs entregam?", "expect": "entrega"},
                # Labelled as "no FAQ fits", but the matcher answers: a wrong answer.
                {"text": "fazem entrega no sábado?", "expect": None},
            ],
        },
    ],
}


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "set.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def parse_output(text: str) -> tuple[list[dict[str, Any]], tuple[float, float, int]]:
    lines = text.splitlines()
    assert lines, "faq-eval printed nothing"
    match = SUMMARY.match(lines[-1])
    assert match, f"bad summary line: {lines[-1]!r}"
    records = [json.loads(line) for line in lines[:-1]]
    return records, (float(match[1]), float(match[2]), int(match[3]))


def eval_owners(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "select count(*) from auth.users where email like 'faq-eval-%%'"
        ).fetchone()
    assert row is not None
    count: int = row[0]
    return count


def test_prints_a_line_per_message_and_the_summary(database_url: str, tmp_path: Path) -> None:
    out = io.StringIO()
    assert faq_eval.run(write(tmp_path, DATA_SET), db_url=database_url, out=out) == 0
    records, (accuracy, wrong_rate, n) = parse_output(out.getvalue())

    assert n == len(records) == 6
    for record in records:
        right = record["got"] == record["expect"]
        extra = set() if right else {"fired", "candidates"}
        assert set(record) == {"business", "text", "expect", "got", "score"} | extra
        assert record["score"] is None or 0 < record["score"] <= 1
    by_text = {r["text"]: r for r in records}
    assert by_text["a que hora abren?"]["got"] == "horario"
    assert by_text["a que hora abren?"]["business"] == "Peluquería de prueba"
    assert by_text["puedo pagar con débito?"]["got"] == "pago"
    assert by_text["vcs entregam?"]["got"] == "entrega"
    assert by_text["hola!"] == {
        "business": "Peluquería de prueba",
        "text": "hola!",
        "expect": None,
        "got": None,
        "score": None,
    }
    assert by_text["hacen alisado?"]["got"] is None
    assert by_text["fazem entrega no sábado?"]["got"] == "entrega"
    # A wrong or missed message says what the matcher read and what came close.
    wrong = by_text["fazem entrega no sábado?"]
    assert "entrega=c:delivery" in wrong["fired"]
    assert wrong["candidates"][0]["faq"] == "entrega"
    assert "entrega=c:delivery(1.0)" in wrong["candidates"][0]["matched"]
    missed = by_text["hacen alisado?"]
    assert "alisado=c:straightening" in missed["fired"]
    assert missed["candidates"] == []

    correct = sum(r["got"] == r["expect"] for r in records)
    wrong = sum(r["got"] is not None and r["got"] != r["expect"] for r in records)
    assert (correct, wrong) == (4, 1)
    assert accuracy == pytest.approx(round(correct / n, 3))
    assert wrong_rate == pytest.approx(round(wrong / n, 3))


def test_leaves_nothing_behind_in_a_given_database(database_url: str, tmp_path: Path) -> None:
    before = eval_owners(database_url)
    assert faq_eval.run(write(tmp_path, DATA_SET), db_url=database_url, out=io.StringIO()) == 0
    assert eval_owners(database_url) == before == 0


def test_command_line_boots_its_own_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --db-url: a throwaway database on the embedded cluster, JSON only on stdout."""
    monkeypatch.chdir(tmp_path)  # away from any developer's .env, which the command loads
    data = {"businesses": [DATA_SET["businesses"][1]]}
    assert cli_main(["faq-eval", str(write(tmp_path, data))]) == 0
    captured = capsys.readouterr()
    records, (_, _, n) = parse_output(captured.out)
    assert n == len(records) == 2
    assert captured.out.splitlines()[-1] == "accuracy=0.500 wrong_answer_rate=0.500 n=2"


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"businesses": [{"name": "X", "faqs": [{"key": "a"}], "messages": []}]},
        {
            "businesses": [
                {
                    "name": "X",
                    "faqs": [{"key": "a", "question": "¿?", "answer": "!"}],
                    "messages": [{"text": "hola", "expect": "b"}],
                }
            ]
        },
    ],
)
def test_a_malformed_file_is_an_error_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: Any
) -> None:
    out = io.StringIO()
    assert faq_eval.run(write(tmp_path, data), db_url="postgresql://unused", out=out) == 2
    assert out.getvalue() == ""
    assert capsys.readouterr().err.startswith("error:")


def test_by_business_prints_each_business_and_the_rest_before_the_summary(
    database_url: str, tmp_path: Path
) -> None:
    out = io.StringIO()
    path = write(tmp_path, DATA_SET)
    assert faq_eval.run(path, db_url=database_url, out=out, per_business=True) == 0
    lines = out.getvalue().splitlines()
    assert SUMMARY.match(lines[-1])
    rows = [json.loads(line) for line in lines[:-1]]
    per_business = [r for r in rows if "by_business" in r]
    assert [r["by_business"] for r in per_business] == ["Peluquería de prueba", "Loja de teste"]
    # Peluquería: 3 of 4 right, no wrong answer; the rest is the Loja: 1 of 2, 1 wrong.
    assert per_business[0] == {
        "by_business": "Peluquería de prueba",
        "n": 4,
        "accuracy": 0.75,
        "wrong_answer_rate": 0.0,
        "others_accuracy": 0.5,
        "others_wrong_answer_rate": 0.5,
    }
    assert per_business[1]["others_accuracy"] == 0.75
    # The per-message lines come first, unchanged.
    assert all("by_business" not in r for r in rows[:6])


def test_module_command_line_takes_by_business(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, {"businesses": [DATA_SET["businesses"][1]]})
    assert faq_eval.main([str(path), "--db-url", database_url, "--by-business"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "accuracy=0.500 wrong_answer_rate=0.500 n=2"
    assert json.loads(lines[-2])["by_business"] == "Loja de teste"


def test_by_business_arithmetic() -> None:
    outcomes = [
        faq_eval.Outcome("a", "t1", "x", "x", 0.9),
        faq_eval.Outcome("a", "t2", None, "x", 0.7),
        faq_eval.Outcome("b", "t3", "y", None, None),
        faq_eval.Outcome("b", "t4", "y", "y", 0.8),
    ]
    rows = faq_eval.by_business(outcomes)
    assert [(r["by_business"], r["n"], r["accuracy"], r["wrong_answer_rate"]) for r in rows] == [
        ("a", 2, 0.5, 0.5),
        ("b", 2, 0.5, 0.0),
    ]
    assert (rows[0]["others_accuracy"], rows[0]["others_wrong_answer_rate"]) == (0.5, 0.0)
    assert faq_eval.by_business([]) == []


def test_summary_arithmetic() -> None:
    outcomes = [
        faq_eval.Outcome("b", "t1", "a", "a", 0.9),
        faq_eval.Outcome("b", "t2", None, None, None),
        faq_eval.Outcome("b", "t3", "a", None, 0.3),
        faq_eval.Outcome("b", "t4", None, "a", 0.6),
        faq_eval.Outcome("b", "t5", "a", "b", 0.7),
        faq_eval.Outcome("b", "t6", "b", "b", 1.0),
    ]
    assert faq_eval.summarize(outcomes).line() == "accuracy=0.500 wrong_answer_rate=0.333 n=6"
    assert faq_eval.summarize([]).line() == "accuracy=0.000 wrong_answer_rate=0.000 n=0"


CAUTION_SET: dict[str, Any] = {
    "businesses": [
        {
            "name": "Panadería de prueba",
            "faqs": [
                {"key": "horario", "question": "¿Cuál es su horario?", "answer": "De 8 a 20 h."},
                {"key": "donde", "question": "¿Dónde están?", "answer": "Calle Libertad 1842."},
                {"key": "envios", "question": "¿Hacen envíos a domicilio?", "answer": "Sí."},
            ],
            "messages": [
                {"text": "hacen envios?", "expect": "envios"},
                # The delivery FAQ, but with much it does not cover: it scores from 0.5 to
                # under 0.75, so only a balanced business answers it.
                {
                    "text": "hacen envios de cajas de galletas para regalo empresarial?",
                    "expect": "envios",
                },
            ],
        }
    ],
}


@pytest.mark.parametrize(("caution", "summary"), [("balanced", 1.0), ("cautious", 0.5)])
def test_caution_sets_how_sure_the_matcher_must_be(
    database_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caution: str,
    summary: float,
) -> None:
    path = write(tmp_path, CAUTION_SET)
    assert cli_main(["faq-eval", str(path), "--db-url", database_url, "--caution", caution]) == 0
    records, (accuracy, wrong_rate, n) = parse_output(capsys.readouterr().out)
    assert (accuracy, wrong_rate, n) == (summary, 0.0, 2)
    in_between = records[1]
    assert 0.5 <= in_between["score"] < 0.75
    assert in_between["got"] == ("envios" if caution == "balanced" else None)


OWNER_LOOP_SET: dict[str, Any] = {
    "businesses": [
        {
            "name": "Panadería del bucle",
            "faqs": [
                {"key": "donde", "question": "¿Dónde están ubicados?", "answer": "Calle Libertad."},
                {"key": "fiestas", "question": "¿Hacen pasteles para fiestas?", "answer": "Sí."},
            ],
            # Every other message is a half: each half has one parking question, missed
            # until the other half's teaches the location FAQ its words.
            "messages": [
                {"text": "hay estacionamiento cerca?", "expect": "donde"},
                {"text": "tienen estacionamiento para clientes?", "expect": "donde"},
                {"text": "hola", "expect": None},
                {"text": "gracias!", "expect": None},
            ],
        }
    ],
}


def test_owner_loop_teaches_from_one_half_and_measures_the_other(
    database_url: str, tmp_path: Path
) -> None:
    out = io.StringIO()
    path = write(tmp_path, OWNER_LOOP_SET)
    assert faq_eval.run(path, db_url=database_url, out=out, owner_loop=True) == 0
    lines = out.getvalue().splitlines()
    assert lines[-1] == "accuracy=1.000 wrong_answer_rate=0.000 n=4"
    loop = json.loads(lines[-2])["owner_loop"]
    assert loop["messages_taught"] == 2
    assert loop["keywords_added"] >= 2
    assert loop["before"] == {"accuracy": 0.5, "wrong_answer_rate": 0.0}
    assert loop["after"] == {"accuracy": 1.0, "wrong_answer_rate": 0.0}
    # The measured halves after teaching: the parking questions answered.
    records = [json.loads(line) for line in lines[:-2]]
    assert sorted(r["text"] for r in records if r["got"] == "donde") == [
        "hay estacionamiento cerca?",
        "tienen estacionamiento para clientes?",
    ]
    assert eval_owners(database_url) == 0  # every fold undone, every owner rolled back


def test_teaching_skips_words_another_faq_holds(database_url: str) -> None:
    [business] = faq_eval.parse(OWNER_LOOP_SET)
    with psycopg.connect(database_url) as conn:
        try:
            owner_id = faq_eval.create_tenant(conn, business)
            keys = faq_eval.load_faqs(conn, owner_id, business)
            message = faq_eval.Message("hay estacionamiento cerca para la fiesta?", "donde")
            assert faq_eval.teach_missed(conn, owner_id, keys, [message])[0] == 1
            rows: dict[str, list[str]] = dict(
                conn.execute(
                    "select question, keywords from public.faqs where owner_id = %s", (owner_id,)
                ).fetchall()
            )
        finally:
            conn.rollback()
    assert "estacionamiento" in rows["¿Dónde están ubicados?"]
    # "fiesta" is the party FAQ's: teaching it to the location FAQ would steal its questions.
    assert not any("fiesta" in keyword for keyword in rows["¿Dónde están ubicados?"])
    assert rows["¿Hacen pasteles para fiestas?"] == []
