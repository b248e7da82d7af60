"""A local stand-in for Supabase's API gateway on 127.0.0.1:54321.

Like Supabase's gateway it requires an API key (the `apikey` header or query
parameter), strips the service prefix and forwards to the service:
`/rest/v1/*` goes to PostgREST. Stand-ins for other services (auth, realtime)
mount their own routes in the same process, ahead of the proxy. supabase-py
and supabase-js therefore work with SUPABASE_URL pointing here, unchanged.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Awaitable, Callable, Sequence

import jwt
from aiohttp import ClientConnectionError, ClientSession, ClientTimeout, web

from devstack import auth, keys, realtime
from devstack.gateway_config import GatewayConfig as GatewayConfig

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
}
API_KEY_ROLES = {"anon", "service_role"}


# A stand-in mounts its routes (and start-up/clean-up hooks) on the gateway's app.
StandIn = Callable[[web.Application, GatewayConfig], None]

SESSION_KEY = web.AppKey("session", ClientSession)
UPSTREAMS_KEY = web.AppKey("upstreams", dict[str, str])
SECRET_KEY = web.AppKey("jwt_secret", str)

log = logging.getLogger("gateway")


def _api_key_error(request: web.Request) -> web.Response | None:
    """Supabase's gateway answers 401 before the service sees a request without a valid key."""
    api_key = request.headers.get("apikey") or request.query.get("apikey")
    if not api_key:
        return web.json_response({"message": "No API key found in request"}, status=401)
    try:
        claims = keys.decode(api_key, request.app[SECRET_KEY])
    except jwt.InvalidTokenError:
        return web.json_response({"message": "Invalid authentication credentials"}, status=401)
    if claims.get("role") not in API_KEY_ROLES:
        return web.json_response({"message": "Invalid authentication credentials"}, status=401)
    return None


# Browsers call the API from the app's origin; Supabase's gateway answers CORS for them.
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "authorization, apikey, content-type, x-client-info, "
    "x-supabase-api-version, prefer, accept-profile, content-profile, range, range-unit",
    "Access-Control-Expose-Headers": "content-range, content-location, x-supabase-api-version",
    "Access-Control-Max-Age": "3600",
}


@web.middleware
async def cors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        return web.Response(status=204, headers=CORS_HEADERS)
    response = await handler(request)
    if "Origin" in request.headers and not response.prepared:
        for name, value in CORS_HEADERS.items():
            response.headers.setdefault(name, value)
    return response


async def proxy(request: web.Request) -> web.StreamResponse:
    service = request.match_info["service"]
    upstream = request.app[UPSTREAMS_KEY].get(service)
    if upstream is None:
        return web.json_response({"message": "no Route matched with those values"}, status=404)
    refusal = _api_key_error(request)
    if refusal is not None:
        return refusal

    headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
    if "Authorization" not in headers:
        headers["Authorization"] = (
            f"Bearer {request.headers.get('apikey') or request.query['apikey']}"
        )
    forwarded_query = [(k, v) for k, v in request.query.items() if k != "apikey"]
    target = f"{upstream}/{request.match_info['tail']}"

    session = request.app[SESSION_KEY]
    try:
        async with session.request(
            request.method,
            target,
            params=forwarded_query,
            headers=headers,
            data=await request.read(),
            allow_redirects=False,
        ) as upstream_response:
            body = await upstream_response.read()
            response_headers = {
                k: v for k, v in upstream_response.headers.items() if k.lower() not in HOP_BY_HOP
            }
            return web.Response(
                status=upstream_response.status, body=body, headers=response_headers
            )
    except ClientConnectionError:
        # Supabase's gateway answers so when the service behind it is down.
        return web.json_response(
            {"message": "An invalid response was received from the upstream server"}, status=502
        )


async def health(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_app(config: GatewayConfig, stand_ins: Sequence[StandIn] = ()) -> web.Application:
    app = web.Application(client_max_size=8 * 1024 * 1024, middlewares=[cors])
    app[UPSTREAMS_KEY] = {"rest": config.postgrest_url}
    app[SECRET_KEY] = config.jwt_secret

    async def open_session(app: web.Application) -> None:
        app[SESSION_KEY] = ClientSession(timeout=ClientTimeout(total=60), auto_decompress=False)

    async def close_session(app: web.Application) -> None:
        await app[SESSION_KEY].close()

    app.on_startup.append(open_session)
    app.on_cleanup.append(close_session)
    app.router.add_get("/health", health)
    for mount in stand_ins:
        mount(app, config)
    app.router.add_route("*", "/{service}/v1/{tail:.*}", proxy)
    return app


def stand_ins() -> list[StandIn]:
    """The services this machine stands in for, beyond PostgREST."""
    return [auth.mount, realtime.mount]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local Supabase API gateway")
    parser.add_argument("--port", type=int, default=54321)
    parser.add_argument("--postgrest-url", required=True)
    parser.add_argument("--database-url", help="superuser URL, for the auth and realtime stand-ins")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s gateway %(message)s")
    config = GatewayConfig(keys.jwt_secret(), args.postgrest_url, args.database_url)
    app = create_app(config, stand_ins())
    web.run_app(app, host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
