"""The app under uvicorn against the session's stack, sending through a Twilio stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from devstack.postgres import free_port
from devstack.stack import LocalStack, webhook_process
from devstack.twilio_api import TwilioStandIn


@contextmanager
def serving_app(
    stack: LocalStack,
    twilio: TwilioStandIn,
    *,
    app: str = "webhook.app:app",
    log_dir: Path | None = None,
) -> Iterator[str]:
    """Starts `twilio` and `app` on a free port; yields the app's URL, then stops both."""
    twilio.start()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = webhook_process(port, stack.app_env(twilio, url), app=app)
    if log_dir is not None:
        server.log_path = log_dir / "app.log"
    try:
        server.start()
        yield url
    finally:
        server.stop()
        twilio.stop()
