"""A reverse proxy for benchmarks: forwards every request, after a delay, and counts them.

It stands in for the internet between the webhook and Supabase or Twilio, and tells how
many calls a path makes.

    python bench/delay_proxy.py --port 8001 --target http://127.0.0.1:54321 [--delay-ms 30]

Control (ours): GET /_proxy/health, GET /_proxy/count, POST /_proxy/reset,
POST /_proxy/delay {"ms": 30}.
"""

from __future__ import annotations

import argparse
import asyncio

from aiohttp import ClientSession, ClientTimeout, web

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "content-encoding",
    "host",
}
STATE = web.AppKey("state", dict)
SESSION = web.AppKey("session", ClientSession)


async def forward(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE]
    state["count"] += 1
    if state["delay"] > 0:
        await asyncio.sleep(state["delay"])
    headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
    async with request.app[SESSION].request(
        request.method,
        state["target"] + request.path_qs,
        headers=headers,
        data=await request.read(),
        allow_redirects=False,
    ) as upstream:
        body = await upstream.read()
        out = {k: v for k, v in upstream.headers.items() if k.lower() not in HOP_BY_HOP}
        return web.Response(status=upstream.status, body=body, headers=out)


async def health(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def count(request: web.Request) -> web.Response:
    return web.json_response({"count": request.app[STATE]["count"]})


async def reset(request: web.Request) -> web.Response:
    request.app[STATE]["count"] = 0
    return web.json_response({"count": 0})


async def set_delay(request: web.Request) -> web.Response:
    body = await request.json()
    request.app[STATE]["delay"] = float(body["ms"]) / 1000
    return web.json_response({"ms": body["ms"]})


def create_app(target: str, delay_ms: float) -> web.Application:
    app = web.Application(client_max_size=1024**2 * 4)
    app[STATE] = {"target": target.rstrip("/"), "delay": delay_ms / 1000, "count": 0}

    async def open_session(app: web.Application) -> None:
        app[SESSION] = ClientSession(timeout=ClientTimeout(total=60))

    async def close_session(app: web.Application) -> None:
        await app[SESSION].close()

    app.on_startup.append(open_session)
    app.on_cleanup.append(close_session)
    app.router.add_get("/_proxy/health", health)
    app.router.add_get("/_proxy/count", count)
    app.router.add_post("/_proxy/reset", reset)
    app.router.add_post("/_proxy/delay", set_delay)
    app.router.add_route("*", "/{tail:.*}", forward)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--delay-ms", type=float, default=0.0)
    args = parser.parse_args()
    web.run_app(
        create_app(args.target, args.delay_ms), host="127.0.0.1", port=args.port, print=None
    )


if __name__ == "__main__":
    main()
