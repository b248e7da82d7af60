/**
  * -------------------------------------------------------
  * Row level security - realtime.messages
  * -------------------------------------------------------
  * Realtime authorises a join to a private channel by selecting from
  * realtime.messages as the joining user, with realtime.topic() set to the
  * channel's name (it inserts a probe row on that topic first, then rolls
  * back). A signed-in owner may receive broadcasts on inbox:<their uid>,
  * and read only that topic's rows; no other topic, and anon nothing. No
  * policy lets anyone send (insert), so clients cannot forge inbox events.
  *
  * The table belongs to the Supabase platform; only this policy is ours.
 */
alter table realtime.messages enable row level security;

drop policy if exists "Owners can receive their own inbox broadcasts" on realtime.messages;
create policy "Owners can receive their own inbox broadcasts" on realtime.messages
    for select
    to authenticated
    using (extension = 'broadcast'
           and topic = (select realtime.topic())
           and (select realtime.topic()) = 'inbox:' || (select auth.uid())::text);
