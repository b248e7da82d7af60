/**
  * -------------------------------------------------------
  * Section - Realtime: broadcast from the database
  * -------------------------------------------------------
  * Supabase's recommended way to stream changes to the dashboard: a trigger
  * on each inbox table calls realtime.broadcast_changes(), which stores the
  * change in realtime.messages on the private topic inbox:<owner id>.
  * Realtime delivers it only to sockets the RLS policy below lets read that
  * topic, so each owner receives only their own business's changes.
  *
  * The realtime schema (realtime.messages, realtime.topic(),
  * realtime.broadcast_changes()) belongs to the platform: Supabase provides
  * it, and supabase/local/platform.sql stands in for it on plain Postgres.
  * This migration creates no realtime objects, only the policy on
  * realtime.messages.
 */

/*
 * One broadcast per changed row of messages, clients, labels and faqs, on
 * the topic of the row's owner. The payload is Supabase's:
 * {record, old_record, operation, table, schema}; the event is the
 * operation (INSERT, UPDATE or DELETE).
 *
 * Security definer: realtime.broadcast_changes() is not executable by the
 * API roles, and an owner's own writes (labels, FAQs...) must broadcast too.
 */
create or replace function private.broadcast_inbox_change()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as
$$
declare
    v_owner_id uuid;
begin
    if tg_op = 'DELETE' then
        v_owner_id := old.owner_id;
    else
        v_owner_id := new.owner_id;
    end if;

    perform realtime.broadcast_changes(
            'inbox:' || v_owner_id::text,
            tg_op,
            tg_op,
            tg_table_name,
            tg_table_schema,
            new,
            old
            );
    return null;
end;
$$;

revoke all on function private.broadcast_inbox_change() from public, anon, authenticated;

/*
 * client_labels has no owner_id: its owner is its client's (and, by the
 * tenant check, also its label's). When the client is deleted, the cascade
 * removes its labels after the client row is gone, so the owner is then
 * taken from the label. When both are gone (the whole business is being
 * erased) there is nobody left to tell, and nothing is broadcast.
 */
create or replace function private.broadcast_client_label_change()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as
$$
declare
    v_client_id uuid;
    v_label_id  uuid;
    v_owner_id  uuid;
begin
    if tg_op = 'DELETE' then
        v_client_id := old.client_id;
        v_label_id := old.label_id;
    else
        v_client_id := new.client_id;
        v_label_id := new.label_id;
    end if;

    select c.owner_id into v_owner_id from public.clients c where c.id = v_client_id;
    if v_owner_id is null then
        select l.owner_id into v_owner_id from public.labels l where l.id = v_label_id;
    end if;
    if v_owner_id is null then
        return null;
    end if;

    perform realtime.broadcast_changes(
            'inbox:' || v_owner_id::text,
            tg_op,
            tg_op,
            tg_table_name,
            tg_table_schema,
            new,
            old
            );
    return null;
end;
$$;

revoke all on function private.broadcast_client_label_change() from public, anon, authenticated;

drop trigger if exists messages_broadcast_changes on public.messages;
create trigger messages_broadcast_changes
    after insert or update or delete
    on public.messages
    for each row
execute function private.broadcast_inbox_change();

drop trigger if exists clients_broadcast_changes on public.clients;
create trigger clients_broadcast_changes
    after insert or update or delete
    on public.clients
    for each row
execute function private.broadcast_inbox_change();

drop trigger if exists labels_broadcast_changes on public.labels;
create trigger labels_broadcast_changes
    after insert or update or delete
    on public.labels
    for each row
execute function private.broadcast_inbox_change();

drop trigger if exists faqs_broadcast_changes on public.faqs;
create trigger faqs_broadcast_changes
    after insert or update or delete
    on public.faqs
    for each row
execute function private.broadcast_inbox_change();

drop trigger if exists client_labels_broadcast_changes on public.client_labels;
create trigger client_labels_broadcast_changes
    after insert or update or delete
    on public.client_labels
    for each row
execute function private.broadcast_client_label_change();

/**
  * -------------------------------------------------------
  * Row level security - realtime.messages
  * -------------------------------------------------------
  * The readable source is supabase/policies/realtime.messages.sql; a test
  * fails when the two disagree.
  *
  * Realtime authorises a join to a private channel by selecting from
  * realtime.messages as the joining user, with realtime.topic() set to the
  * channel's name (it inserts a probe row on that topic first, then rolls
  * back). A signed-in owner may receive broadcasts on inbox:<their uid>,
  * and read only that topic's rows; no other topic, and anon nothing. No
  * policy lets anyone send (insert), so clients cannot forge inbox events.
 */
alter table realtime.messages enable row level security;

drop policy if exists "Owners can receive their own inbox broadcasts" on realtime.messages;
create policy "Owners can receive their own inbox broadcasts" on realtime.messages
    for select
    to authenticated
    using (extension = 'broadcast'
           and topic = (select realtime.topic())
           and (select realtime.topic()) = 'inbox:' || (select auth.uid())::text);
