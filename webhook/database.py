"""The webhook's calls into Supabase: one PostgREST RPC each, with the service role."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from supabase import Client


class DatabaseUnavailable(RuntimeError):
    """Supabase could not be reached or failed; the caller should answer 503.

    `transient` says the same call may well succeed in a moment: the API or the database
    was unreachable, restarting or overloaded, not refusing the call itself.
    """

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


# SQLSTATE classes of a database that is unreachable, restarting or out of resources,
# and the two conflicts that a retry resolves.
TRANSIENT_SQLSTATE_CLASSES = ("08", "53", "57", "58")
TRANSIENT_SQLSTATES = ("40001", "40P01")


def is_transient(code: str | None) -> bool:
    """Whether a PostgREST error code names trouble that passes, not a refused call."""
    if not code:
        return True  # no PostgREST answer at all: the gateway said its upstream is down
    if code.startswith("PGRST00"):
        return True  # PostgREST cannot reach or use the database
    return code[:2] in TRANSIENT_SQLSTATE_CLASSES or code in TRANSIENT_SQLSTATES


class Database:
    def __init__(self, client: Client) -> None:
        self.client = client

    def _rpc(self, function: str, params: dict[str, Any]) -> Any:
        # Imported here: keeps the function's cold start free of these modules.
        import httpx
        from postgrest.exceptions import APIError

        try:
            return self.client.rpc(function, params).execute().data
        except httpx.HTTPError as error:
            raise DatabaseUnavailable(f"{function}: {error}", transient=True) from error
        except APIError as error:
            raise DatabaseUnavailable(
                f"{function}: {error}", transient=is_transient(error.code)
            ) from error

    def handle_inbound_message(self, params: dict[str, Any]) -> dict[str, Any]:
        return cast(dict[str, Any], self._rpc("handle_inbound_message", params))

    def record_outbound_result(
        self, message_id: str, claim_token: int, **result: Any
    ) -> dict[str, Any] | None:
        """Twilio's answer to a send; None when this sender no longer holds the claim."""
        params = {
            "p_message_id": message_id,
            "p_claim_token": claim_token,
            **{f"p_{k}": v for k, v in result.items()},
        }
        return cast(dict[str, Any] | None, self._rpc("record_outbound_result", params))

    def record_reconciled_reply(
        self, message_id: str, claim_token: int, candidates: list[dict[str, str | None]]
    ) -> dict[str, Any] | None:
        """Record the first of Twilio's matching messages no other reply has; None if none."""
        params = {
            "p_message_id": message_id,
            "p_claim_token": claim_token,
            "p_candidates": candidates,
        }
        return cast(dict[str, Any] | None, self._rpc("record_reconciled_reply", params))

    def claim_due_outbound_messages(self, limit: int, max_attempts: int) -> list[dict[str, Any]]:
        params = {"p_limit": limit, "p_max_attempts": max_attempts}
        rows = self._rpc("claim_due_outbound_messages", params) or []
        return [row for row in cast(list[dict[str, Any] | None], rows) if row]

    def apply_message_status(
        self, message_sid: str, status: str, error_code: str | None, reply_id: str | None = None
    ) -> dict[str, Any]:
        params = {
            "p_twilio_sid": message_sid,
            "p_status": status,
            "p_error_code": error_code,
            "p_reply_id": reply_id,
        }
        return cast(dict[str, Any], self._rpc("apply_message_status", params))


def connect(url: str, service_role_key: str, timeout: float = 5.0) -> Database:
    from supabase import ClientOptions, create_client

    options = ClientOptions(
        postgrest_client_timeout=timeout, auto_refresh_token=False, persist_session=False
    )
    return Database(create_client(url, service_role_key, options))
