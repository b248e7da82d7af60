"""The local API gateway's configuration, shared with the stand-ins it mounts (auth, realtime)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GatewayConfig:
    """What the gateway and the stand-ins mounted in it need to know."""

    jwt_secret: str
    postgrest_url: str
    # A superuser connection for stand-ins that keep platform state (auth.users...).
    database_url: str | None = None
