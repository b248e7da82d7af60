"""The webhook's database calls: which failures pass, and the retry of an inbound message.

Faults are injected at the HTTP level with respx; the real stack's outage is covered in
test_twilio_routes.py (test_a_brief_api_outage_is_ridden_out).
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
import respx

from webhook.database import DatabaseUnavailable, connect, is_transient
from webhook.routes.twilio import store_inbound

API = "http://supabase.example.test"
RPC = f"{API}/rest/v1/rpc/handle_inbound_message"
UPSTREAM_DOWN = httpx.Response(
    502, json={"message": "An invalid response was received from the upstream server"}
)
STORED = httpx.Response(200, json={"status": "stored", "reply": None})
PARAMS = {"p_message_sid": "SM" + "0" * 32}


@pytest.mark.parametrize(
    ("code", "transient"),
    [
        (None, True),  # no PostgREST answer: the gateway's upstream is down
        ("PGRST000", True),  # PostgREST cannot connect to the database
        ("PGRST001", True),
        ("57P01", True),  # the database is shutting down
        ("08006", True),  # connection failure
        ("53300", True),  # too many connections
        ("40P01", True),  # deadlock
        ("PGRST202", False),  # no such function: retrying cannot help
        ("23514", False),  # a check refused the row
        ("42501", False),  # permission denied
        ("22023", False),
    ],
)
def test_which_failures_pass(code: str | None, transient: bool) -> None:
    assert is_transient(code) is transient


@respx.mock
def test_an_inbound_message_outlasts_a_brief_outage() -> None:
    route = respx.post(RPC).mock(side_effect=[UPSTREAM_DOWN, httpx.ConnectError("down"), STORED])
    outcome = asyncio.run(store_inbound(connect(API, "key"), PARAMS, retry_for=5.0))
    assert outcome == {"status": "stored", "reply": None}
    assert route.call_count == 3


@respx.mock
def test_a_refused_call_is_not_retried() -> None:
    refused = httpx.Response(
        404,
        json={
            "code": "PGRST202",
            "message": "Could not find the function",
            "details": None,
            "hint": None,
        },
    )
    route = respx.post(RPC).mock(return_value=refused)
    with pytest.raises(DatabaseUnavailable) as failure:
        asyncio.run(store_inbound(connect(API, "key"), PARAMS, retry_for=5.0))
    assert failure.value.transient is False
    assert route.call_count == 1


@respx.mock
def test_an_outage_longer_than_the_budget_gives_up() -> None:
    route = respx.post(RPC).mock(return_value=UPSTREAM_DOWN)
    with pytest.raises(DatabaseUnavailable) as failure:
        asyncio.run(store_inbound(connect(API, "key"), PARAMS, retry_for=0.5))
    assert failure.value.transient is True
    # 0.25 s, then 0.5 s would pass the budget: two calls.
    assert route.call_count == 2
