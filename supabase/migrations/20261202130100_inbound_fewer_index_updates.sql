/**
  * -------------------------------------------------------
  * Inbound messages with less database work: one index fewer on clients
  * -------------------------------------------------------
  * Every inbound message moves its client's last_message_at, and with it
  * activity_at, so the update is never HOT: each index of clients gets a new
  * entry per message. clients_owner_id_last_message_at_idx is one of them,
  * and no query reads it any more: the inbox sorts by activity_at through
  * clients_inbox_idx (20261201200000_dashboard_inbox.sql), whose sort key
  * is last_message_at, or the creation time for a client with no message.
 */
drop index if exists public.clients_owner_id_last_message_at_idx;
