"""The local app on :3000 for `make dev`: the webhook, plus dev-only pages.

`devstack.app:app` is the webhook's own FastAPI app (`webhook.application.create_app`,
so every `/api/...` route, its settings and its dependencies are exactly what Vercel
serves) with local-only routes added on top:

- `GET /`: the owner's dashboard, the static build in dashboard/dist (`make install`
  builds it), with `GET /config.json` giving it this stack's API URL and anon key;
- `GET /dev`: a landing page linking to the local tools;
- `GET /simulator`: a WhatsApp-like page where a person plays the customer;
- `GET /simulator/api/businesses`: the businesses' WhatsApp numbers (`public.users`,
  read through the Supabase REST API with the service role);
- `POST /simulator/api/send`: a customer message, posted to the webhook in-process as
  Twilio would post it (same form fields, signed with TWILIO_AUTH_TOKEN over
  PUBLIC_URL + /api/twilio/webhook);
- `GET /simulator/api/replies`: what the business sent to that customer, as the Twilio
  API (locally, the stand-in) lists it, with each message's delivery status.

Each message posted to the webhook gets a line in the app's log, whoever posts it (the
simulator, `facilchat simulate`, curl): the app runs without an access log.

It reads the same environment as the webhook and nothing else. The webhook never
imports this module: these routes are never deployed.
"""

from __future__ import annotations

import html
import logging
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from devstack.paths import PROJECT_ROOT
from devstack.twilio_inbound import WEBHOOK_PATH, inbound_form, sign
from webhook.application import create_app as create_webhook_app
from webhook.config import Settings, get_settings
from webhook.deps import SettingsDep

SIMULATOR_DIR = Path(__file__).resolve().parent / "simulator"
INBOX_DIR = Path(__file__).resolve().parent / "inbox"
# The dashboard's static build (npm --prefix dashboard run build, run by `make install`).
DASHBOARD_DIST = PROJECT_ROOT / "dashboard" / "dist"
# supabase-js's browser build, installed by npm (package.json): no CDN at run time.
SUPABASE_JS = (
    PROJECT_ROOT / "node_modules" / "@supabase" / "supabase-js" / "dist" / "umd" / "supabase.js"
)
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
MAX_BODY_LENGTH = 1600
MAX_PROFILE_NAME = 100
DEFAULT_PROFILE_NAME = "Cliente de prueba"
# Dev tools answer quickly or not at all; the webhook itself waits on Twilio's answer.
LOOKUP_TIMEOUT = 5.0
WEBHOOK_TIMEOUT = 20.0
REPLIES_PAGE_SIZE = 100
# Links on the landing page: (path, title, description). Extend it as local pages appear.
LANDING_LINKS: list[tuple[str, str, str]] = [
    ("/", "Panel del negocio", "El panel de la dueña: entra con Google y mira tus conversaciones."),
    (
        "/simulator",
        "Simulador de WhatsApp",
        "Escribe a un negocio como si fueras su cliente y mira sus respuestas automáticas.",
    ),
    (
        "/inbox",
        "Bandeja en vivo",
        "Entra como la dueña del negocio y mira llegar los mensajes en vivo (Realtime).",
    ),
    ("/api/health", "Estado del webhook", 'Responde {"status": "ok"} si el webhook está vivo.'),
]

log = logging.getLogger("facilchat.devapp")


class SimulatorError(HTTPException):
    """An error the simulator page shows as is: `detail` is Spanish, for a person."""


class InboundMessageLog:
    """Logs each message posted to the webhook once it is answered: sender, business, status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != WEBHOOK_PATH:
            await self.app(scope, receive, send)
            return
        body = bytearray()
        status = 0

        async def receive_and_keep() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                body.extend(message.get("body", b""))
            return message

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive_and_keep, send_and_note)
        form = dict(parse_qsl(body.decode("utf-8", errors="replace")))
        log.log(
            logging.INFO if status < 400 else logging.WARNING,
            "message %s from %s to %s: webhook answered %s",
            form.get("MessageSid", "(no MessageSid)"),
            form.get("From", "?").removeprefix("whatsapp:"),
            form.get("To", "?").removeprefix("whatsapp:"),
            status,
        )


class OutgoingMessage(BaseModel):
    """What the page sends: the customer's number, the business's, the text."""

    customer: str
    business: str
    text: str
    profile_name: str | None = None


def create_app(settings: Settings | None = None) -> FastAPI:
    """The webhook's app with the local landing page and simulator added."""
    app = create_webhook_app(settings)
    app.title = "FácilChat (local)"
    app.add_middleware(InboundMessageLog)
    app.add_api_route("/", dashboard_page, methods=["GET"], response_class=FileResponse)
    app.add_api_route("/config.json", dashboard_config, methods=["GET"])
    app.mount(
        "/assets",
        StaticFiles(directory=DASHBOARD_DIST / "assets", check_dir=False),
        name="dashboard-assets",
    )
    app.add_api_route("/dev", landing, methods=["GET"], response_class=HTMLResponse)
    app.add_api_route("/simulator", simulator_page, methods=["GET"], response_class=FileResponse)
    app.add_api_route("/simulator/api/businesses", list_businesses, methods=["GET"])
    app.add_api_route("/simulator/api/send", send_message, methods=["POST"])
    app.add_api_route("/simulator/api/replies", list_replies, methods=["GET"])
    app.mount("/simulator/static", StaticFiles(directory=SIMULATOR_DIR), name="simulator-static")
    app.add_api_route("/inbox", inbox_page, methods=["GET"], response_class=FileResponse)
    app.add_api_route("/inbox/config.json", inbox_config, methods=["GET"])
    app.mount("/inbox/static", StaticFiles(directory=INBOX_DIR), name="inbox-static")
    app.add_api_route(
        "/vendor/supabase.js", supabase_js, methods=["GET"], response_class=FileResponse
    )
    return app


# --- pages ------------------------------------------------------------------------------


def landing() -> str:
    items = "\n".join(
        f'<li><a href="{html.escape(path)}">{html.escape(title)}</a>'
        f"<span>{html.escape(text)}</span></li>"
        for path, title, text in LANDING_LINKS
    )
    return f"""<!doctype html>
<html lang="es">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>FácilChat (local)</title>
<style>
  body {{ margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
         background: #f0f2f5; color: #111b21; }}
  main {{ max-width: 560px; margin: 0 auto; padding: 32px 20px; }}
  h1 {{ margin: 0 0 4px; color: #008069; }}
  ul {{ list-style: none; padding: 0; }}
  li {{ background: #fff; border-radius: 12px; margin: 12px 0; padding: 16px;
        box-shadow: 0 1px 2px rgba(0,0,0,.1); }}
  a {{ display: block; font-weight: 600; font-size: 18px; color: #008069;
       text-decoration: none; padding: 4px 0; }}
  a:hover {{ text-decoration: underline; }}
  span {{ color: #54656f; }}
</style>
</head>
<body>
<main>
  <h1>FácilChat</h1>
  <p>Entorno local de desarrollo. Esta página no existe en producción.</p>
  <ul>
{items}
  </ul>
</main>
</body>
</html>
"""


def dashboard_page() -> FileResponse:
    index = DASHBOARD_DIST / "index.html"
    if not index.is_file():
        raise HTTPException(
            status_code=503,
            detail="El panel no está construido: ejecuta `make install` (o `make dev`).",
        )
    # The page names hashed assets, so it must never be cached: a rebuild shows at once.
    return FileResponse(
        index, media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-cache"}
    )


def dashboard_config(settings: SettingsDep) -> dict[str, str]:
    """The dashboard's run-time configuration, as the build writes it for Vercel."""
    return inbox_config(settings)


def simulator_page() -> FileResponse:
    return FileResponse(SIMULATOR_DIR / "index.html", media_type="text/html; charset=utf-8")


def inbox_page() -> FileResponse:
    return FileResponse(INBOX_DIR / "index.html", media_type="text/html; charset=utf-8")


def inbox_config(settings: SettingsDep) -> dict[str, str]:
    """What the page's supabase-js needs: the public API URL and the anon key, never more."""
    anon_key = os.environ.get("SUPABASE_ANON_KEY", "")
    if not anon_key:
        raise HTTPException(status_code=503, detail="Falta SUPABASE_ANON_KEY en el entorno.")
    return {"supabaseUrl": settings.supabase_url, "anonKey": anon_key}


def supabase_js() -> FileResponse:
    if not SUPABASE_JS.is_file():
        raise HTTPException(status_code=503, detail="Falta supabase-js: ejecuta `make install`.")
    return FileResponse(SUPABASE_JS, media_type="text/javascript; charset=utf-8")


# --- simulator API ----------------------------------------------------------------------


def _rest_headers(settings: Settings) -> dict[str, str]:
    key = settings.supabase_service_role_key.get_secret_value()
    return {"apikey": key, "Authorization": f"Bearer {key}"}


async def _lookup(
    url: str,
    params: dict[str, str],
    *,
    unreachable: str,
    refused: str,
    headers: dict[str, str] | None = None,
    auth: tuple[str, str] | None = None,
) -> httpx.Response:
    """GET a dev lookup, turning failures into the Spanish errors the page shows."""
    try:
        async with httpx.AsyncClient(timeout=LOOKUP_TIMEOUT) as client:
            response = await client.get(url, params=params, headers=headers, auth=auth)
    except httpx.HTTPError as error:
        raise SimulatorError(502, f"{unreachable}: {error}") from None
    if not response.is_success:
        message = refused.format(status=response.status_code)
        raise SimulatorError(502, f"{message}: {response.text[:300]}")
    return response


async def _businesses(settings: Settings, number: str | None = None) -> list[dict[str, str]]:
    """Businesses with a WhatsApp number, by name: `{"name", "number"}`."""
    params = {
        "select": "business_name,whatsapp_number",
        "whatsapp_number": f"eq.{number}" if number else "not.is.null",
        "order": "business_name.asc.nullslast,whatsapp_number.asc",
    }
    url = settings.supabase_url.rstrip("/") + "/rest/v1/users"
    response = await _lookup(
        url,
        params,
        unreachable=f"No se pudo consultar los negocios en Supabase ({url})",
        refused="Supabase respondió {status} al consultar los negocios",
        headers=_rest_headers(settings),
    )
    rows: list[dict[str, Any]] = response.json()
    return [
        {"name": str(row.get("business_name") or "Negocio sin nombre"), "number": number_}
        for row in rows
        if isinstance(number_ := row.get("whatsapp_number"), str)
    ]


async def list_businesses(settings: SettingsDep) -> dict[str, list[dict[str, str]]]:
    return {"businesses": await _businesses(settings)}


def _check_number(value: str, what: str) -> str:
    number = value.strip()
    if not E164.fullmatch(number):
        raise SimulatorError(
            422,
            f"{what} no es válido: «{value}». Usa el formato internacional, "
            "con + y solo dígitos, p. ej. +5213312345678.",
        )
    return number


def _webhook_problem(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = None
    detail = detail if isinstance(detail, str) else response.text[:300]
    reasons = {
        400: "el webhook rechazó el mensaje",
        403: "la firma de Twilio no es válida (¿TWILIO_AUTH_TOKEN o PUBLIC_URL distintos?)",
        503: "la base de datos no está disponible",
    }
    reason = reasons.get(response.status_code, "error del webhook")
    return f"{reason} (HTTP {response.status_code}): {detail}".rstrip(": ")


async def send_message(
    message: OutgoingMessage, request: Request, settings: SettingsDep
) -> dict[str, Any]:
    """Post the customer's message to the webhook, signed exactly as Twilio signs it."""
    customer = _check_number(message.customer, "Tu número")
    business = _check_number(message.business, "El número del negocio")
    text = message.text.strip()
    if not text:
        raise SimulatorError(422, "Escribe un mensaje antes de enviarlo.")
    if len(text) > MAX_BODY_LENGTH:
        raise SimulatorError(
            422, f"El mensaje es demasiado largo: {len(text)} caracteres (máximo 1600)."
        )
    if customer == business:
        raise SimulatorError(422, "Tu número no puede ser el mismo que el del negocio.")
    if not await _businesses(settings, business):
        raise SimulatorError(
            404, f"Ningún negocio tiene el número {business}: el mensaje no llegaría a nadie."
        )
    profile_name = (message.profile_name or "").strip()[:MAX_PROFILE_NAME] or DEFAULT_PROFILE_NAME

    form = inbound_form(
        text,
        sender=customer,
        to=business,
        account_sid=settings.twilio_account_sid,
        profile_name=profile_name,
    )
    # The webhook checks the signature against PUBLIC_URL when set, else the Host it sees.
    base = (settings.public_url or str(request.base_url)).rstrip("/")
    signature = sign(base + WEBHOOK_PATH, form, settings.twilio_auth_token.get_secret_value())
    # In-process, through the same ASGI app: no second server, no loopback port to guess.
    transport = httpx.ASGITransport(app=request.app)
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url=base, timeout=WEBHOOK_TIMEOUT
        ) as client:
            response = await client.post(
                WEBHOOK_PATH, data=form, headers={"X-Twilio-Signature": signature}
            )
    except httpx.HTTPError as error:
        raise SimulatorError(502, f"El webhook no respondió: {error}") from None
    if not response.is_success:
        raise SimulatorError(502, _webhook_problem(response))
    # Twilio sends the reply in the webhook's TwiML answer and reports its statuses to
    # the reply's action URL: the Twilio stand-in does the same with this answer.
    await _hand_over_twiml(settings, customer, business, response.text)
    return {"ok": True, "message_sid": form["MessageSid"], "webhook_status": response.status_code}


async def _hand_over_twiml(settings: Settings, customer: str, business: str, twiml: str) -> None:
    url = f"{settings.twilio_api_url.rstrip('/')}/_control/twiml"
    try:
        async with httpx.AsyncClient(timeout=WEBHOOK_TIMEOUT) as client:
            answer = await client.post(
                url,
                json={"to": f"whatsapp:{customer}", "from": f"whatsapp:{business}", "twiml": twiml},
            )
    except httpx.HTTPError as error:
        raise SimulatorError(
            502, f"El mensaje llegó, pero el simulador de Twilio no envió la respuesta: {error}"
        ) from None
    if not answer.is_success:
        raise SimulatorError(
            502, f"El simulador de Twilio no envió la respuesta ({answer.status_code})."
        )


async def list_replies(customer: str, business: str, settings: SettingsDep) -> dict[str, Any]:
    """The business's messages to this customer, oldest first, from the Twilio API's list."""
    customer = _check_number(customer, "Tu número")
    business = _check_number(business, "El número del negocio")
    sid = settings.twilio_account_sid
    url = f"{settings.twilio_api_url.rstrip('/')}/2010-04-01/Accounts/{sid}/Messages.json"
    params = {
        "To": f"whatsapp:{customer}",
        "From": f"whatsapp:{business}",
        "PageSize": str(REPLIES_PAGE_SIZE),
    }
    response = await _lookup(
        url,
        params,
        unreachable=f"No se pudo consultar la API de Twilio ({settings.twilio_api_url})",
        refused="La API de Twilio respondió {status} al pedir las respuestas",
        auth=(sid, settings.twilio_auth_token.get_secret_value()),
    )
    messages: list[dict[str, Any]] = response.json().get("messages", [])
    replies = [
        {
            "sid": m.get("sid"),
            "body": m.get("body") or "",
            "status": m.get("status"),
            "error_code": m.get("error_code"),
            "date_created": m.get("date_created"),
        }
        for m in reversed(messages)  # Twilio lists newest first
    ]
    return {"replies": replies}


def _load_app() -> FastAPI:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    for noisy in ("httpx", "twilio.http_client"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return create_app(get_settings())


app = _load_app()
