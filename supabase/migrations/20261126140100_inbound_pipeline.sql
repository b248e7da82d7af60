/**
  * -------------------------------------------------------
  * Inbound pipeline
  * -------------------------------------------------------
  * The webhook's API, called with the service role through PostgREST:
  *
  *   handle_inbound_message       store one inbound message, choose the reply and
  *                                claim it for sending, in one transaction
  *   record_outbound_result       store Twilio's answer, or schedule a retry
  *   claim_due_outbound_messages  the sweeper's batch of replies to (re)send
  *   apply_message_status         Twilio's delivery status callbacks
  *
  * The functions are plpgsql and security invoker: service_role already may do
  * everything they do, and nobody else may execute them.
 */

/**
  * -------------------------------------------------------
  * Section - Built-in labels
  * -------------------------------------------------------
  * Every business gets the two labels the pipeline applies by itself. The
  * owner may rename or deactivate them; the pipeline finds them by builtin.
 */
create or replace function private.create_builtin_labels(p_owner_id uuid)
    returns void
    language sql
    security definer
    set search_path = ''
as
$$
insert into public.labels (owner_id, name, color, type, builtin)
values (p_owner_id, 'Cliente nuevo', '#16a34a', 'auto', 'new_client'),
       (p_owner_id, 'Requiere atención', '#dc2626', 'auto', 'needs_attention')
on conflict do nothing;
$$;

revoke all on function private.create_builtin_labels(uuid) from public, anon, authenticated;

create or replace function private.handle_auth_user_change()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as
$$
begin
    if tg_op = 'INSERT' then
        insert into public.users (id, email, full_name)
        values (new.id,
                new.email,
                coalesce(new.raw_user_meta_data ->> 'full_name', new.raw_user_meta_data ->> 'name'))
        on conflict (id) do nothing;
        perform private.create_builtin_labels(new.id);
    elsif new.email is distinct from old.email then
        update public.users set email = new.email where id = new.id;
    end if;
    return new;
end;
$$;

select private.create_builtin_labels(id) from public.users;

/**
  * -------------------------------------------------------
  * Section - Helpers
  * -------------------------------------------------------
 */

-- Twilio's statuses in the order a message moves through them; a status
-- callback never moves a message backwards.
create or replace function private.message_status_rank(p_status text)
    returns integer
    language sql
    immutable
    set search_path = ''
as
$$
select case p_status
           when 'queued' then 1
           when 'sending' then 2
           when 'sent' then 3
           when 'failed' then 4
           when 'undelivered' then 4
           when 'delivered' then 5
           when 'read' then 6
           end
$$;

-- Whether the business is open at p_at. Empty hours mean always open;
-- {"mon": [["09:00", "18:00"]], ...} lists each day's opening intervals.
create or replace function private.is_open(p_hours jsonb, p_timezone text, p_at timestamptz)
    returns boolean
    language plpgsql
    stable
    set search_path = ''
as
$$
declare
    local_time timestamp := pg_catalog.timezone(p_timezone, p_at);
    day_key    text      := lower(pg_catalog.to_char(local_time, 'dy'));
    slot       jsonb;
begin
    if p_hours is null or p_hours = '{}'::jsonb then
        return true;
    end if;
    for slot in select * from jsonb_array_elements(coalesce(p_hours -> day_key, '[]'::jsonb))
        loop
            if local_time::time >= (slot ->> 0)::time and local_time::time < (slot ->> 1)::time then
                return true;
            end if;
        end loop;
    return false;
end;
$$;

create or replace function private.apply_builtin_label(p_owner_id uuid, p_client_id uuid, p_builtin text)
    returns void
    language sql
    set search_path = ''
as
$$
insert into public.client_labels (client_id, label_id)
select p_client_id, l.id
from public.labels l
where l.owner_id = p_owner_id
  and l.builtin = p_builtin
  and l.active
on conflict do nothing;
$$;

-- An owner's keyword rules: an active auto label applies when one of its
-- keywords appears as whole words in the message.
create or replace function private.apply_keyword_labels(p_owner_id uuid, p_client_id uuid, p_text text)
    returns void
    language plpgsql
    set search_path = ''
as
$$
declare
    padded text := ' ' || private.normalize_text(p_text) || ' ';
begin
    if btrim(padded) = '' then
        return;
    end if;
    insert into public.client_labels (client_id, label_id)
    select p_client_id, l.id
    from public.labels l
    where l.owner_id = p_owner_id
      and l.type = 'auto'
      and l.active
      and l.builtin is null
      and exists (select 1
                  from unnest(l.keywords) as keyword
                  where private.normalize_text(keyword) <> ''
                    and strpos(padded, ' ' || private.normalize_text(keyword) || ' ') > 0)
    on conflict do nothing;
end;
$$;

revoke all on function private.message_status_rank(text) from public, anon, authenticated;
revoke all on function private.is_open(jsonb, text, timestamptz) from public, anon, authenticated;
revoke all on function private.apply_builtin_label(uuid, uuid, text) from public, anon, authenticated;
revoke all on function private.apply_keyword_labels(uuid, uuid, text) from public, anon, authenticated;
grant execute on function private.message_status_rank(text) to service_role;
grant execute on function private.is_open(jsonb, text, timestamptz) to service_role;
grant execute on function private.apply_builtin_label(uuid, uuid, text) to service_role;
grant execute on function private.apply_keyword_labels(uuid, uuid, text) to service_role;
grant execute on function private.normalize_text(text) to service_role;

/**
  * -------------------------------------------------------
  * Section - The outbox
  * -------------------------------------------------------
  * A reply is sent only by whoever moves it to sending: one UPDATE, so two
  * senders can never both win. The claim is a lease: next_attempt_at says
  * when a reply still in sending is presumed abandoned (its sender died) and
  * may be claimed again. When an earlier attempt may have reached Twilio
  * unbeknown to us, the claim comes back with "reconcile_since" (the reply's
  * creation: no attempt is older), so the sender first asks Twilio.
 */
create or replace function private.outbound_payload(p_message_id uuid, p_reconcile boolean)
    returns jsonb
    language sql
    stable
    set search_path = ''
as
$$
select jsonb_build_object('id', m.id, 'to', c.phone, 'from', u.whatsapp_number, 'body', m.body,
                          'kind', m.reply_kind, 'attempts', m.attempts,
                          'reconcile_since', case when p_reconcile then m.created_at end)
from public.messages m
         join public.clients c on c.id = m.client_id
         join public.users u on u.id = m.owner_id
where m.id = p_message_id
$$;

-- Claims one reply for sending, or returns null when it is not claimable now.
create or replace function private.claim_reply(p_message_id uuid, p_max_attempts integer default 5)
    returns jsonb
    language plpgsql
    set search_path = ''
as
$$
declare
    -- Outlasts any live sender: Vercel stops the function after 15 s.
    lease      constant interval := interval '15 seconds';
    reply      public.messages%rowtype;
    replied_to timestamptz;
begin
    select * into reply
    from public.messages m
    where m.id = p_message_id
      and m.direction = 'outbound'
      and m.twilio_message_id is null
        for update;
    if not found
        or not (reply.status = 'queued'
            or (reply.status in ('failed', 'sending') and reply.next_attempt_at <= now())) then
        return null;
    end if;

    select i.created_at into replied_to from public.messages i where i.id = reply.in_reply_to;
    if replied_to < now() - interval '24 hours' or reply.attempts >= p_max_attempts then
        -- WhatsApp allows free-form replies only within 24 hours of the customer's message.
        update public.messages
        set status          = 'failed',
            error           = case when reply.attempts >= p_max_attempts
                                       then 'No se pudo enviar tras ' || reply.attempts || ' intentos.'
                                   else 'Fuera de la ventana de 24 horas de WhatsApp: no se envió.' end,
            next_attempt_at = null
        where id = p_message_id;
        return null;
    end if;

    update public.messages
    set status          = 'sending',
        attempts        = attempts + 1,
        next_attempt_at = now() + lease
    where id = p_message_id;
    -- Reconcile when an earlier attempt may have reached Twilio unbeknown to us:
    -- its sender vanished, Twilio's answer never came, or the last check failed.
    return private.outbound_payload(
            p_message_id,
            reply.status = 'sending'
                or (reply.status = 'failed' and reply.error_code in ('timeout', 'unreconciled')));
end;
$$;

revoke all on function private.outbound_payload(uuid, boolean) from public, anon, authenticated;
revoke all on function private.claim_reply(uuid, integer) from public, anon, authenticated;
grant execute on function private.outbound_payload(uuid, boolean) to service_role;
grant execute on function private.claim_reply(uuid, integer) to service_role;

/**
  * -------------------------------------------------------
  * Section - handle_inbound_message
  * -------------------------------------------------------
  * One transaction per inbound message. Returns what to send, already claimed:
  *   {"status": "unknown_number"}                      no business owns p_to
  *   {"status": "stored" | "duplicate", "message_id", "client_id",
  *    "reply": null | {"id", "to", "from", "body", "kind", "reconcile_since", ...}}
  * A retried MessageSid stores nothing new; its reply comes back only if it is
  * claimable again (never sent, or its sender's lease ran out), so a retry
  * sends what a crashed attempt did not, and a concurrent one sends nothing.
 */
create or replace function public.handle_inbound_message(
    p_to text,
    p_from text,
    p_message_sid text,
    p_body text default '',
    p_profile_name text default null,
    p_media jsonb default '[]'::jsonb
)
    returns jsonb
    language plpgsql
    set search_path = ''
as
$$
declare
    v_business      public.users%rowtype;
    v_client        public.clients%rowtype;
    v_client_id     uuid;
    v_is_new_client boolean;
    v_inbound_id    uuid;
    v_command       text;
    v_reply_kind    text;
    v_reply_body    text;
    v_reply_faq_id  uuid;
    v_reply_id      uuid;
begin
    select * into v_business from public.users u where u.whatsapp_number = p_to;
    if not found then
        return jsonb_build_object('status', 'unknown_number');
    end if;

    -- Concurrent deliveries of one MessageSid queue here, so the second sees the first.
    perform pg_advisory_xact_lock(hashtextextended('inbound:' || p_message_sid, 0));
    select m.id, m.client_id into v_inbound_id, v_client_id
    from public.messages m
    where m.twilio_message_id = p_message_sid;
    if found then
        select m.id into v_reply_id
        from public.messages m
        where m.in_reply_to = v_inbound_id
          and m.direction = 'outbound';
        return jsonb_build_object('status', 'duplicate', 'message_id', v_inbound_id,
                                  'client_id', v_client_id,
                                  'reply', case when v_reply_id is not null
                                                    then private.claim_reply(v_reply_id) end);
    end if;

    -- xmax is 0 only on a freshly inserted row: that is how we know the client is new.
    insert into public.clients as c (owner_id, phone, name, last_message_at, unread_count)
    values (v_business.id, p_from, nullif(btrim(p_profile_name), ''), now(), 1)
    on conflict (owner_id, phone) do update
        set last_message_at = now(),
            unread_count    = c.unread_count + 1,
            status          = 'active',
            name            = coalesce(c.name, excluded.name)
    returning c.id, (c.xmax = 0) into v_client_id, v_is_new_client;
    select * into v_client from public.clients c where c.id = v_client_id;

    insert into public.messages (owner_id, client_id, direction, body, media, status, twilio_message_id)
    values (v_business.id, v_client_id, 'inbound', coalesce(p_body, ''),
            coalesce(p_media, '[]'::jsonb), 'received', p_message_sid)
    returning id into v_inbound_id;

    perform private.apply_keyword_labels(v_business.id, v_client_id, p_body);
    if v_is_new_client then
        perform private.apply_builtin_label(v_business.id, v_client_id, 'new_client');
    end if;

    -- Opt-out and opt-in: the whole message is the keyword. Each is confirmed once.
    v_command := upper(private.normalize_text(coalesce(p_body, '')));
    if v_command in ('STOP', 'BAJA', 'PARAR', 'SAIR', 'CANCELAR') then
        if not v_client.opted_out then
            update public.clients set opted_out = true, opted_out_at = now() where id = v_client_id;
            v_reply_kind := 'opt_out';
            v_reply_body := case v_command
                                when 'SAIR' then 'Pronto, você não receberá mais respostas automáticas. '
                                    || 'Para voltar a recebê-las, escreva VOLTAR.'
                                else 'Listo, ya no te enviaremos respuestas automáticas. '
                                    || 'Si quieres volver a recibirlas, escribe ALTA.'
                end;
        end if;
    elsif v_command in ('START', 'ALTA', 'VOLTAR') and v_client.opted_out then
        update public.clients set opted_out = false, opted_out_at = null where id = v_client_id;
        v_reply_kind := 'opt_in';
        v_reply_body := case v_command
                            when 'VOLTAR' then 'Que bom ter você de volta! '
                                || 'Você voltará a receber nossas respostas automáticas.'
                            else '¡Qué gusto tenerte de vuelta! '
                                || 'Volverás a recibir nuestras respuestas automáticas.'
            end;
    elsif not v_client.opted_out then
        select f.id, f.answer
        into v_reply_faq_id, v_reply_body
        from private.match_faq(v_business.id, coalesce(p_body, '')) as best
                 join public.faqs f on f.id = best.faq_id;
        if v_reply_faq_id is not null then
            v_reply_kind := 'faq';
        elsif not exists (select 1
                          from public.messages m
                          where m.owner_id = v_business.id
                            and m.client_id = v_client_id
                            and m.direction = 'outbound'
                            and m.reply_kind in ('fallback', 'away')
                            and m.created_at > now() - v_business.fallback_window) then
            -- At most one fallback (or away message) per client per window.
            if v_business.away_message is not null
                and not private.is_open(v_business.business_hours, v_business.timezone, now()) then
                v_reply_kind := 'away';
                v_reply_body := v_business.away_message;
            else
                v_reply_kind := 'fallback';
                v_reply_body := v_business.fallback_message;
            end if;
            perform private.apply_builtin_label(v_business.id, v_client_id, 'needs_attention');
        end if;
    end if;

    if v_reply_kind is not null then
        -- The outbox row exists before Twilio is called, claimed by this call.
        insert into public.messages (owner_id, client_id, direction, body, status, reply_kind,
                                     faq_id, in_reply_to)
        values (v_business.id, v_client_id, 'outbound', v_reply_body, 'queued', v_reply_kind,
                v_reply_faq_id, v_inbound_id)
        returning id into v_reply_id;
    end if;

    return jsonb_build_object(
            'status', 'stored',
            'message_id', v_inbound_id,
            'client_id', v_client_id,
            'reply', case when v_reply_id is not null then private.claim_reply(v_reply_id) end
           );
end;
$$;

create or replace function public.record_outbound_result(
    p_message_id uuid,
    p_twilio_sid text default null,
    p_status text default null,
    p_error_code text default null,
    p_error text default null,
    p_retry boolean default false,
    p_max_attempts integer default 5
)
    returns jsonb
    language plpgsql
    set search_path = ''
as
$$
declare
    result public.messages%rowtype;
begin
    if p_twilio_sid is not null then
        update public.messages
        set twilio_message_id = p_twilio_sid,
            status            = case when p_status in ('sent', 'delivered', 'read', 'failed', 'undelivered')
                                         then p_status
                                     else 'queued' end,
            error_code        = p_error_code,
            error             = p_error,
            next_attempt_at   = null
        where id = p_message_id
          and status = 'sending'
        returning * into result;
    else
        -- Twilio refused or did not answer: retry later with backoff, up to a limit.
        update public.messages
        set status          = 'failed',
            error_code      = p_error_code,
            error           = left(p_error, 2000),
            next_attempt_at = case
                                  when p_retry and attempts < p_max_attempts
                                      then now() + least(interval '1 minute' * power(2, attempts - 1),
                                                         interval '30 minutes')
                end
        where id = p_message_id
          and status = 'sending'
        returning * into result;
    end if;

    if result.id is null then
        return null;
    end if;
    return jsonb_build_object('id', result.id, 'status', result.status,
                              'next_attempt_at', result.next_attempt_at);
end;
$$;

create or replace function public.claim_due_outbound_messages(
    p_limit integer default 20,
    p_max_attempts integer default 5
)
    returns setof jsonb
    language plpgsql
    set search_path = ''
as
$$
begin
    return query
        with due as (select m.id
                     from public.messages m
                     where m.direction = 'outbound'
                       and m.status in ('queued', 'failed', 'sending')
                       and m.next_attempt_at <= now()
                       and m.twilio_message_id is null
                     order by m.next_attempt_at
                     limit greatest(p_limit, 0) for update skip locked)
        select claimed
        from due,
             lateral private.claim_reply(due.id, p_max_attempts) as claimed
        where claimed is not null;
end;
$$;

create or replace function public.apply_message_status(
    p_twilio_sid text,
    p_status text,
    p_error_code text default null,
    p_error text default null
)
    returns jsonb
    language plpgsql
    set search_path = ''
as
$$
declare
    current_status text;
    updated        boolean := false;
begin
    if private.message_status_rank(p_status) is null then
        raise exception 'unknown message status: %', p_status using errcode = '22023';
    end if;

    select m.status into current_status
    from public.messages m
    where m.twilio_message_id = p_twilio_sid
      and m.direction = 'outbound'
        for update;
    if not found then
        return jsonb_build_object('found', false);
    end if;

    if private.message_status_rank(p_status) > coalesce(private.message_status_rank(current_status), 0) then
        update public.messages
        set status     = p_status,
            error_code = coalesce(p_error_code, error_code),
            error      = coalesce(p_error, error)
        where twilio_message_id = p_twilio_sid;
        current_status := p_status;
        updated := true;
    end if;
    return jsonb_build_object('found', true, 'updated', updated, 'status', current_status);
end;
$$;

/**
  * -------------------------------------------------------
  * Section - Grants
  * -------------------------------------------------------
  * The webhook's RPCs: service_role only. They are plpgsql, never inlined,
  * so the EXECUTE check holds even on PostgREST's prepared statements.
 */
revoke all on function public.handle_inbound_message(text, text, text, text, text, jsonb) from public, anon, authenticated;
revoke all on function public.record_outbound_result(uuid, text, text, text, text, boolean, integer) from public, anon, authenticated;
revoke all on function public.claim_due_outbound_messages(integer, integer) from public, anon, authenticated;
revoke all on function public.apply_message_status(text, text, text, text) from public, anon, authenticated;

grant execute on function public.handle_inbound_message(text, text, text, text, text, jsonb) to service_role;
grant execute on function public.record_outbound_result(uuid, text, text, text, text, boolean, integer) to service_role;
grant execute on function public.claim_due_outbound_messages(integer, integer) to service_role;
grant execute on function public.apply_message_status(text, text, text, text) to service_role;
