"""Vercel's entry point: every /api/* request is rewritten here (see vercel.json)."""

from webhook.app import app

__all__ = ["app"]
