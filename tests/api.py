"""A thin client for the local Supabase API (gateway → PostgREST), for precise assertions."""

from __future__ import annotations

from typing import Any

import httpx


class RestApi:
    """Speaks to /rest/v1 as one caller: an API key plus, optionally, a user's JWT."""

    def __init__(self, base_url: str, api_key: str, access_token: str | None = None) -> None:
        headers = {"apikey": api_key, "Authorization": f"Bearer {access_token or api_key}"}
        self.client = httpx.Client(base_url=f"{base_url}/rest/v1", headers=headers, timeout=10)

    def get(self, table: str, **filters: str) -> httpx.Response:
        return self.client.get(f"/{table}", params=filters)

    def insert(self, table: str, row: dict[str, Any]) -> httpx.Response:
        return self.client.post(f"/{table}", json=row, headers={"Prefer": "return=representation"})

    def update(self, table: str, values: dict[str, Any], **filters: str) -> httpx.Response:
        return self.client.patch(
            f"/{table}", params=filters, json=values, headers={"Prefer": "return=representation"}
        )

    def delete(self, table: str, **filters: str) -> httpx.Response:
        return self.client.delete(
            f"/{table}", params=filters, headers={"Prefer": "return=representation"}
        )

    def close(self) -> None:
        self.client.close()
