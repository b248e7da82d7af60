"""Identity of the demo business that supabase/seed.sql creates."""

SEED_OWNER_ID = "5eed0000-0000-4000-8000-000000000001"
SEED_OWNER_EMAIL = "panaderia@facilchat.dev"
# A local demo account only: the seed is never loaded into production.
SEED_OWNER_PASSWORD = "facilchat-demo"  # noqa: S105
SEED_WHATSAPP_NUMBER = "+5213312345678"
