"""The ASGI app Vercel serves: `webhook.app:app`."""

import logging

from webhook.application import create_app

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
# Every HTTP call of the clients at INFO would drown the webhook's own lines.
for noisy in ("httpx", "twilio.http_client"):
    logging.getLogger(noisy).setLevel(logging.WARNING)

app = create_app()
