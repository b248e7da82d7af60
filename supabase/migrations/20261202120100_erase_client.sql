/**
  * -------------------------------------------------------
  * Erasing a client on request
  * -------------------------------------------------------
  * A customer may ask a business to delete everything it holds about them.
  * public.erase_client hard-deletes the client row, and with it, through
  * the foreign keys' cascades:
  *
  *   public.messages       every message in and out, including replies
  *                         still waiting in the outbox (queued, or failed
  *                         and due for a retry): the sweeper can no longer
  *                         claim them, and a status callback or a send
  *                         result for one finds no row and changes nothing
  *   public.client_labels  the client's labels
  *
  * Metrics are computed from these rows when asked, so the client drops out
  * of them at once. Each deleted row is broadcast on the owner's Realtime
  * topic like any other change, so an open dashboard removes the
  * conversation from the inbox live.
  *
  * Kept on purpose: private.opt_outs, the phone numbers that wrote STOP or
  * BAJA (the phone and when, nothing else). A customer who asked for no
  * automatic replies must not get them again if they write after being
  * erased; the row only ever stops messages. START or ALTA removes it.
  *
  * Outside the database: a reply already handed to Twilio in the instant of
  * the erasure may still be delivered; Twilio keeps its own message logs
  * (deleted from the Twilio account itself); Supabase keeps broadcast
  * copies in realtime.messages for three days.
  *
  * Security invoker: RLS lets an owner see and delete only their own
  * clients, so another business's client reads as missing.
 */
create or replace function public.erase_client(p_client_id uuid)
    returns jsonb
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as
$$
declare
    v_client   public.clients%rowtype;
    v_messages bigint;
    v_labels   bigint;
begin
    if p_client_id is null then
        raise exception 'erase_client: p_client_id is required' using errcode = '22023';
    end if;

    -- Locked, so that a message arriving meanwhile waits and then starts a new client.
    select * into v_client from public.clients c where c.id = p_client_id for update;
    if not found then
        raise exception 'erase_client: no client % in this business', p_client_id
            using errcode = 'P0002';
    end if;

    select count(*) into v_messages
    from public.messages m
    where m.owner_id = v_client.owner_id
      and m.client_id = v_client.id;
    select count(*) into v_labels from public.client_labels cl where cl.client_id = v_client.id;

    delete from public.clients c where c.id = v_client.id;

    return pg_catalog.jsonb_build_object('client_id', v_client.id, 'name', v_client.name,
                                         'messages', v_messages, 'labels', v_labels);
end;
$$;

comment on function public.erase_client(uuid) is
    'Deletes one of the caller''s clients with all their messages and labels, on the customer''s request.';

revoke all on function public.erase_client(uuid) from public, anon, authenticated, service_role;
grant execute on function public.erase_client(uuid) to authenticated;
