"""The FácilChat webhook: Twilio posts WhatsApp messages here; replies go out through Twilio."""
