/**
  * -------------------------------------------------------
  * Replies in the webhook's TwiML, and an outbox that never sends twice
  * -------------------------------------------------------
  * An automatic reply now goes out in the webhook's own answer to Twilio:
  * a TwiML <Message> whose action URL carries the reply's id. Twilio sends
  * it the moment it reads the answer and posts the reply's status callbacks,
  * with its new MessageSid, to that URL. So an inbound message costs one
  * database call and no Twilio REST call.
  *
  *   messages.sent_via         'twiml' (handed over in the webhook's answer)
  *                             or 'api' (sent through Twilio's REST API)
  *   messages.claim_token      the fencing token of the latest claim: only the
  *                             sender holding it may record a result
  *   messages.outcome_unknown  an earlier attempt may have reached Twilio:
  *                             ask Twilio before sending again
  *
  * A reply handed over in TwiML is 'sending' until a callback names its sid.
  * If none comes within a few minutes the sweeper asks Twilio's message
  * list, and sends it through the REST API only when Twilio does not have it.
 */

/**
  * -------------------------------------------------------
  * Section - New columns
  * -------------------------------------------------------
 */
alter table public.messages add column if not exists sent_via text;
alter table public.messages add column if not exists claim_token integer not null default 0;
alter table public.messages add column if not exists outcome_unknown boolean not null default false;

alter table public.messages drop constraint if exists messages_sent_via_check;
alter table public.messages
    add constraint messages_sent_via_check
        check (sent_via is null or (sent_via in ('twiml', 'api') and direction = 'out'));

-- Replies sent before this migration went through the REST API.
update public.messages
set sent_via = 'api'
where direction = 'out'
  and sent_via is null
  and twilio_message_id is not null;

/**
  * -------------------------------------------------------
  * Section - The owner's settings cannot break the pipeline
  * -------------------------------------------------------
  * A malformed business_hours or an FAQ answer padded past the message limit
  * made handle_inbound_message raise and lose the customer's message. The
  * table now checks both strictly (new writes; rows from before are left as
  * they are and the pipeline copes with them).
 */

-- {"mon": [["09:00", "18:00"], ["20:00", "02:00"]], ...}: weekday keys, each a list of
-- [from, to] times of day; a range whose end is not after its start crosses midnight.
create or replace function private.business_hours_are_valid(p_hours jsonb)
    returns boolean
    language plpgsql
    immutable
    set search_path = ''
as
$$
declare
    day_key text;
    ranges  jsonb;
    range   jsonb;
begin
    if p_hours is null or jsonb_typeof(p_hours) <> 'object' then
        return false;
    end if;
    for day_key, ranges in select * from jsonb_each(p_hours)
        loop
            if day_key not in ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')
                or jsonb_typeof(ranges) <> 'array' or jsonb_array_length(ranges) > 6 then
                return false;
            end if;
            for range in select * from jsonb_array_elements(ranges)
                loop
                    if jsonb_typeof(range) <> 'array' or jsonb_array_length(range) <> 2
                        or jsonb_typeof(range -> 0) <> 'string' or jsonb_typeof(range -> 1) <> 'string'
                        or (range ->> 0) !~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'
                        or (range ->> 1) !~ '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$'
                        or (range ->> 0) = (range ->> 1) then
                        return false;
                    end if;
                end loop;
        end loop;
    return true;
end;
$$;

revoke all on function private.business_hours_are_valid(jsonb) from public, anon, authenticated;
grant execute on function private.business_hours_are_valid(jsonb) to service_role;

-- Security definer: it runs on the owner's own updates, and the owner may not use private.
create or replace function private.check_business_hours()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as
$$
begin
    if not private.business_hours_are_valid(new.business_hours) then
        raise exception 'invalid business hours: %', left(new.business_hours::text, 200)
            using errcode = '23514',
                hint = 'Use {"mon": [["09:00", "18:00"]], ...}: weekdays mon..sun, each a list of '
                    || '[from, to] times HH:MM; a range may end after midnight ("22:00", "02:00").';
    end if;
    return new;
end;
$$;

revoke all on function private.check_business_hours() from public, anon, authenticated;

drop trigger if exists users_check_business_hours on public.users;
create trigger users_check_business_hours
    before insert or update of business_hours
    on public.users
    for each row
execute function private.check_business_hours();

alter table public.faqs drop constraint if exists faqs_answer_fits_a_message;
alter table public.faqs
    add constraint faqs_answer_fits_a_message check (char_length(answer) <= 1600) not valid;
alter table public.faqs drop constraint if exists faqs_question_length;
alter table public.faqs
    add constraint faqs_question_length check (char_length(question) <= 500) not valid;

-- Whether the business is open at p_at. Empty hours mean always open. A range
-- that crosses midnight ("22:00" to "02:00") opens on its day and closes on
-- the next. Hours that do not read as valid count as always open.
create or replace function private.is_open(p_hours jsonb, p_timezone text, p_at timestamptz)
    returns boolean
    language plpgsql
    stable
    set search_path = ''
as
$$
declare
    local_time timestamp;
    now_time   time;
    today      text;
    yesterday  text;
    range      jsonb;
    opens      time;
    closes     time;
begin
    if p_hours is null or p_hours = '{}'::jsonb or not private.business_hours_are_valid(p_hours) then
        return true;
    end if;
    local_time := pg_catalog.timezone(p_timezone, p_at);
    now_time := local_time::time;
    today := lower(pg_catalog.to_char(local_time, 'dy'));
    yesterday := lower(pg_catalog.to_char(local_time - interval '1 day', 'dy'));
    for range in select * from jsonb_array_elements(coalesce(p_hours -> today, '[]'::jsonb))
        loop
            opens := (range ->> 0)::time;
            closes := case when range ->> 1 = '24:00' then null else (range ->> 1)::time end;
            if now_time >= opens and (closes is null or closes <= opens or now_time < closes) then
                return true;
            end if;
        end loop;
    -- Yesterday's ranges that cross midnight are still open this morning.
    for range in select * from jsonb_array_elements(coalesce(p_hours -> yesterday, '[]'::jsonb))
        loop
            opens := (range ->> 0)::time;
            closes := case when range ->> 1 = '24:00' then null else (range ->> 1)::time end;
            if closes is not null and closes <= opens and now_time < closes then
                return true;
            end if;
        end loop;
    return false;
end;
$$;

revoke all on function private.is_open(jsonb, text, timestamptz) from public, anon, authenticated;
grant execute on function private.is_open(jsonb, text, timestamptz) to service_role;

/**
  * -------------------------------------------------------
  * Section - The outbox
  * -------------------------------------------------------
  * What a sender needs to send one reply it holds.
 */
create or replace function private.outbound_payload(p_message_id uuid, p_reconcile boolean)
    returns jsonb
    language sql
    stable
    set search_path = ''
as
$$
select jsonb_build_object('id', m.id, 'to', c.phone, 'from', u.whatsapp_number, 'content', m.content,
                          'kind', m.reply_kind, 'attempts', m.attempts, 'claim_token', m.claim_token,
                          'twiml', coalesce(m.sent_via = 'twiml' and m.claim_token <= 1 and not p_reconcile,
                                            false),
                          'reconcile_since', case when p_reconcile then m.created_at end)
from public.messages m
         join public.clients c on c.id = m.client_id
         join public.users u on u.id = m.owner_id
where m.id = p_message_id
$$;

/*
 * Claims one reply for a REST send, or returns null when it is not claimable
 * now. The claim is a lease with a fencing token (claim_token): a sender that
 * outlives its lease cannot record over a newer claim. An attempt is counted
 * when it is made (record_outbound_result), not when the reply is claimed.
 */
create or replace function private.claim_reply(p_message_id uuid, p_max_attempts integer default 5)
    returns jsonb
    language plpgsql
    set search_path = ''
as
$$
declare
    -- Outlasts any live sender: Vercel stops the function after 15 s.
    lease      constant interval := interval '20 seconds';
    reply      public.messages%rowtype;
    replied_to timestamptz;
begin
    select * into reply
    from public.messages m
    where m.id = p_message_id
      and m.direction = 'out'
      and m.twilio_message_id is null
        for update;
    if not found
        or not (reply.status = 'queued'
            or (reply.status in ('failed', 'sending') and reply.next_attempt_at <= now())) then
        return null;
    end if;

    select i."timestamp" into replied_to from public.messages i where i.id = reply.in_reply_to;
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
        claim_token     = claim_token + 1,
        next_attempt_at = now() + lease
    where id = p_message_id;
    -- Ask Twilio first when an earlier attempt may have reached it unbeknown to us:
    -- a TwiML reply never confirmed, a sender that vanished, or an ambiguous failure.
    return private.outbound_payload(p_message_id, reply.status = 'sending' or reply.outcome_unknown);
end;
$$;

revoke all on function private.outbound_payload(uuid, boolean) from public, anon, authenticated;
revoke all on function private.claim_reply(uuid, integer) from public, anon, authenticated;
grant execute on function private.outbound_payload(uuid, boolean) to service_role;
grant execute on function private.claim_reply(uuid, integer) to service_role;

/*
 * The reply to an inbound message, chosen and stored. Runs inside its own
 * block in handle_inbound_message, so that whatever goes wrong here (an
 * owner's setting the table did not catch, a matcher error) never costs the
 * customer's message.
 */
create or replace function private.store_reply(
    p_owner_id uuid,
    p_client_id uuid,
    p_inbound_id uuid,
    p_kind text,
    p_content text,
    p_faq_id uuid
)
    returns uuid
    language plpgsql
    set search_path = ''
as
$$
declare
    -- Twilio sends at most this much in one <Message>; longer goes through the REST API.
    twiml_limit constant integer := 1600;
    -- A reply handed over in TwiML and still unconfirmed after this is checked with Twilio.
    confirm_within constant interval := interval '3 minutes';
    in_twiml boolean := char_length(p_content) <= twiml_limit;
    reply_id uuid;
begin
    insert into public.messages (owner_id, client_id, direction, content, status, reply_kind, faq_id,
                                 in_reply_to, sent_via, attempts, claim_token, next_attempt_at)
    values (p_owner_id, p_client_id, 'out', p_content,
            case when in_twiml then 'sending' else 'queued' end,
            p_kind, p_faq_id, p_inbound_id,
            case when in_twiml then 'twiml' end,
            case when in_twiml then 1 else 0 end,
            case when in_twiml then 1 else 0 end,
            -- Either way the sweeper looks again: TwiML unconfirmed, or still to send.
            case when in_twiml then now() + confirm_within else now() end)
    returning id into reply_id;
    return reply_id;
end;
$$;

revoke all on function private.store_reply(uuid, uuid, uuid, text, text, uuid) from public, anon, authenticated;
grant execute on function private.store_reply(uuid, uuid, uuid, text, text, uuid) to service_role;

/**
  * -------------------------------------------------------
  * Section - handle_inbound_message
  * -------------------------------------------------------
  * One transaction per inbound message. Returns what to answer Twilio with:
  *   {"status": "unknown_number"}
  *   {"status": "stored" | "duplicate", "message_id", "client_id",
  *    "reply": null | {"id", "to", "from", "content", "kind", "twiml": true, ...}}
  * A retried MessageSid stores nothing new. Its reply comes back, to be sent
  * in TwiML again, only while no callback has confirmed the first hand-over:
  * Twilio retries only when it got no usable answer, so the first TwiML was
  * never acted on.
 */
create or replace function public.handle_inbound_message(
    p_to text,
    p_from text,
    p_message_sid text,
    p_content text default '',
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
    v_client_name   text;
    v_is_new_client boolean;
    v_inbound_id    uuid;
    v_command       text;
    v_reply_kind    text;
    v_reply_content text;
    v_reply_faq_id  uuid;
    v_reply_id      uuid;
    v_reply         public.messages%rowtype;
    v_reply_error   text;
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
        select * into v_reply
        from public.messages m
        where m.in_reply_to = v_inbound_id
          and m.direction = 'out'
        order by m.created_at
        limit 1;
        return jsonb_build_object(
                'status', 'duplicate', 'message_id', v_inbound_id, 'client_id', v_client_id,
                'reply', case
                             when v_reply.sent_via = 'twiml' and v_reply.status = 'sending'
                                 and v_reply.twilio_message_id is null and v_reply.claim_token = 1
                                 then private.outbound_payload(v_reply.id, false) end);
    end if;

    -- The WhatsApp profile name, cut to the column's limit, or else the phone.
    v_client_name := coalesce(
            nullif(pg_catalog.btrim(pg_catalog.left(pg_catalog.btrim(p_profile_name), 200)), ''), p_from);

    -- xmax is 0 only on a freshly inserted row: that is how we know the client is new.
    -- A client still named by its phone takes the profile name once one arrives.
    insert into public.clients as c (owner_id, phone, name, last_message_at, unread_count)
    values (v_business.id, p_from, v_client_name, now(), 1)
    on conflict (owner_id, phone) do update
        set last_message_at = now(),
            unread_count    = c.unread_count + 1,
            status          = 'active',
            name            = case when c.name = c.phone then excluded.name else c.name end
    returning c.id, (c.xmax = 0) into v_client_id, v_is_new_client;
    select * into v_client from public.clients c where c.id = v_client_id;

    insert into public.messages (owner_id, client_id, direction, content, media, status,
                                 twilio_message_id)
    values (v_business.id, v_client_id, 'in', coalesce(p_content, ''),
            coalesce(p_media, '[]'::jsonb), 'received', p_message_sid)
    returning id into v_inbound_id;

    perform private.apply_keyword_labels(v_business.id, v_client_id, p_content);
    if v_is_new_client then
        perform private.apply_builtin_label(v_business.id, v_client_id, 'new_client');
    end if;

    -- Opt-out and opt-in: the whole message is the keyword. Each is confirmed once.
    v_command := upper(private.normalize_text(coalesce(p_content, '')));
    if v_command in ('STOP', 'BAJA', 'PARAR', 'SAIR', 'CANCELAR') then
        if not v_client.opted_out then
            update public.clients set opted_out = true, opted_out_at = now() where id = v_client_id;
            v_reply_id := private.store_reply(
                    v_business.id, v_client_id, v_inbound_id, 'opt_out',
                    case v_command
                        when 'SAIR' then 'Pronto, você não receberá mais respostas automáticas. '
                            || 'Para voltar a recebê-las, escreva VOLTAR.'
                        else 'Listo, ya no te enviaremos respuestas automáticas. '
                            || 'Si quieres volver a recibirlas, escribe ALTA.'
                        end, null);
        end if;
    elsif v_command in ('START', 'ALTA', 'VOLTAR') and v_client.opted_out then
        update public.clients set opted_out = false, opted_out_at = null where id = v_client_id;
        v_reply_id := private.store_reply(
                v_business.id, v_client_id, v_inbound_id, 'opt_in',
                case v_command
                    when 'VOLTAR' then 'Que bom ter você de volta! '
                        || 'Você voltará a receber nossas respostas automáticas.'
                    else '¡Qué gusto tenerte de vuelta! '
                        || 'Volverás a recibir nuestras respuestas automáticas.'
                    end, null);
    elsif not v_client.opted_out then
        begin
            select f.id, f.answer
            into v_reply_faq_id, v_reply_content
            from private.match_faq(v_business.id, coalesce(p_content, '')) as best
                     join public.faqs f on f.id = best.faq_id;
            if v_reply_faq_id is not null then
                v_reply_kind := 'faq';
            elsif not exists (select 1
                              from public.messages m
                              where m.owner_id = v_business.id
                                and m.client_id = v_client_id
                                and m.direction = 'out'
                                and m.reply_kind in ('fallback', 'away')
                                and m."timestamp" > now() - v_business.fallback_window) then
                -- At most one fallback (or away message) per client per window.
                if v_business.away_message is not null
                    and not private.is_open(v_business.business_hours, v_business.timezone, now()) then
                    v_reply_kind := 'away';
                    v_reply_content := v_business.away_message;
                else
                    v_reply_kind := 'fallback';
                    v_reply_content := v_business.fallback_message;
                end if;
                perform private.apply_builtin_label(v_business.id, v_client_id, 'needs_attention');
            end if;
            if v_reply_kind is not null then
                v_reply_id := private.store_reply(v_business.id, v_client_id, v_inbound_id,
                                                  v_reply_kind, v_reply_content, v_reply_faq_id);
            end if;
        exception
            when others then
                -- The customer's message is kept whatever happened; the owner's fallback
                -- goes out instead, or nothing if even that cannot be stored.
                v_reply_error := sqlstate || ': ' || sqlerrm;
                raise warning 'reply to inbound % not chosen (%); sending the fallback',
                    p_message_sid, v_reply_error;
                begin
                    v_reply_id := private.store_reply(v_business.id, v_client_id, v_inbound_id,
                                                      'fallback', v_business.fallback_message, null);
                exception
                    when others then
                        v_reply_id := null;
                end;
        end;
    end if;

    return jsonb_build_object(
            'status', 'stored',
            'message_id', v_inbound_id,
            'client_id', v_client_id,
            'reply_error', v_reply_error,
            'reply', case when v_reply_id is not null then private.outbound_payload(v_reply_id, false) end
           );
end;
$$;

/*
 * Twilio's answer to a REST send, or what a check of Twilio's message list
 * found. Recorded only by the sender holding the current claim (p_claim_token).
 *   - accepted (p_twilio_sid): the sid, unless a callback already recorded it;
 *     the status moves forward only ('sending' until Twilio reports it sent);
 *   - refused or unanswered: 'failed', with a retry time while attempts
 *     remain. p_outcome_unknown says the request may have reached Twilio
 *     (a 5xx, a dropped connection, a read timeout), so the next attempt
 *     asks Twilio first.
 * p_attempted is false when no send was made (a check of Twilio's list).
 */
drop function if exists public.record_outbound_result(uuid, text, text, text, text, boolean, integer);

create or replace function public.record_outbound_result(
    p_message_id uuid,
    p_claim_token integer,
    p_twilio_sid text default null,
    p_status text default null,
    p_error_code text default null,
    p_error text default null,
    p_retry boolean default false,
    p_outcome_unknown boolean default false,
    p_attempted boolean default true,
    p_max_attempts integer default 5
)
    returns jsonb
    language plpgsql
    set search_path = ''
as
$$
declare
    current public.messages%rowtype;
    result  public.messages%rowtype;
    reached text;
begin
    select * into current from public.messages m where m.id = p_message_id for update;
    if not found or current.claim_token <> p_claim_token then
        return null;
    end if;

    if p_twilio_sid is not null then
        if current.twilio_message_id is not null and current.twilio_message_id <> p_twilio_sid then
            return null;
        end if;
        if exists (select 1 from public.messages m
                   where m.twilio_message_id = p_twilio_sid and m.id <> p_message_id) then
            return null;
        end if;
        reached := case when p_status in ('sent', 'delivered', 'read', 'failed', 'undelivered')
                            then p_status
                        else 'sending' end;
        update public.messages
        set twilio_message_id = p_twilio_sid,
            status            = case
                                    when private.message_status_rank(reached)
                                        > coalesce(private.message_status_rank(status), 0)
                                        then reached
                                    else status end,
            sent_via          = case when p_attempted then 'api' else sent_via end,
            attempts          = attempts + case when p_attempted then 1 else 0 end,
            error_code        = coalesce(p_error_code, error_code),
            error             = coalesce(p_error, error),
            outcome_unknown   = false,
            next_attempt_at   = null
        where id = p_message_id
        returning * into result;
    else
        if current.status <> 'sending' or current.twilio_message_id is not null then
            return null;
        end if;
        update public.messages
        set status          = 'failed',
            error_code      = p_error_code,
            error           = left(p_error, 2000),
            attempts        = attempts + case when p_attempted then 1 else 0 end,
            -- Any earlier doubt was settled before this attempt (its claim asked Twilio).
            outcome_unknown = p_outcome_unknown,
            next_attempt_at = case
                                  when p_retry and attempts + case when p_attempted then 1 else 0 end
                                      < p_max_attempts
                                      then now() + least(interval '1 minute'
                                                             * power(2, greatest(attempts - 1, 0)),
                                                         interval '30 minutes')
                end
        where id = p_message_id
        returning * into result;
    end if;

    return jsonb_build_object('id', result.id, 'status', result.status,
                              'next_attempt_at', result.next_attempt_at);
end;
$$;

/*
 * A claimed reply that Twilio's message list shows as already sent: the
 * first candidate (oldest first) whose sid no other message has recorded.
 * Two identical replies to one customer each get their own message.
 */
create or replace function public.record_reconciled_reply(
    p_message_id uuid,
    p_claim_token integer,
    p_candidates jsonb
)
    returns jsonb
    language plpgsql
    set search_path = ''
as
$$
declare
    candidate jsonb;
begin
    for candidate in select * from jsonb_array_elements(coalesce(p_candidates, '[]'::jsonb))
        loop
            if not exists (select 1 from public.messages m
                           where m.twilio_message_id = candidate ->> 'sid') then
                return public.record_outbound_result(
                        p_message_id, p_claim_token,
                        p_twilio_sid => candidate ->> 'sid',
                        p_status => candidate ->> 'status',
                        p_attempted => false);
            end if;
        end loop;
    return null;
end;
$$;

drop function if exists public.apply_message_status(text, text, text, text);

/*
 * Twilio's status callbacks. The URL of every reply's callbacks carries the
 * reply's own id (?reply=<id>, covered by the signature): the first callback
 * records the reply's sid (never over a different one), so a callback that
 * arrives before a REST send recorded its answer is not lost. Statuses only
 * move forward.
 */
create or replace function public.apply_message_status(
    p_twilio_sid text,
    p_status text,
    p_error_code text default null,
    p_error text default null,
    p_reply_id uuid default null
)
    returns jsonb
    language plpgsql
    set search_path = ''
as
$$
declare
    reply   public.messages%rowtype;
    updated boolean := false;
begin
    if private.message_status_rank(p_status) is null then
        raise exception 'unknown message status: %', p_status using errcode = '22023';
    end if;

    if p_reply_id is not null then
        select * into reply
        from public.messages m
        where m.id = p_reply_id
          and m.direction = 'out'
            for update;
        if not found then
            return jsonb_build_object('found', false);
        end if;
        if reply.twilio_message_id is distinct from p_twilio_sid then
            if reply.twilio_message_id is not null
                or exists (select 1 from public.messages m where m.twilio_message_id = p_twilio_sid) then
                -- The callback names another message's sid: trust neither, change nothing.
                return jsonb_build_object('found', true, 'updated', false, 'conflict', true,
                                          'status', reply.status);
            end if;
            update public.messages
            set twilio_message_id = p_twilio_sid,
                outcome_unknown   = false,
                next_attempt_at   = case when status = 'sending' then null else next_attempt_at end
            where id = reply.id;
            updated := true;
        end if;
    else
        select * into reply
        from public.messages m
        where m.twilio_message_id = p_twilio_sid
          and m.direction = 'out'
            for update;
        if not found then
            return jsonb_build_object('found', false);
        end if;
    end if;

    if private.message_status_rank(p_status) > coalesce(private.message_status_rank(reply.status), 0) then
        update public.messages
        set status          = p_status,
            error_code      = coalesce(p_error_code, error_code),
            error           = coalesce(p_error, error),
            next_attempt_at = null
        where id = reply.id;
        reply.status := p_status;
        updated := true;
    end if;
    return jsonb_build_object('found', true, 'updated', updated, 'status', reply.status);
end;
$$;

/**
  * -------------------------------------------------------
  * Section - Grants
  * -------------------------------------------------------
  * The webhook's RPCs: service_role only. plpgsql, never inlined, so the
  * EXECUTE check holds on PostgREST's prepared statements too.
 */
revoke all on function public.handle_inbound_message(text, text, text, text, text, jsonb) from public, anon, authenticated;
revoke all on function public.record_outbound_result(uuid, integer, text, text, text, text, boolean, boolean, boolean, integer) from public, anon, authenticated;
revoke all on function public.record_reconciled_reply(uuid, integer, jsonb) from public, anon, authenticated;
revoke all on function public.apply_message_status(text, text, text, text, uuid) from public, anon, authenticated;

grant execute on function public.handle_inbound_message(text, text, text, text, text, jsonb) to service_role;
grant execute on function public.record_outbound_result(uuid, integer, text, text, text, text, boolean, boolean, boolean, integer) to service_role;
grant execute on function public.record_reconciled_reply(uuid, integer, jsonb) to service_role;
grant execute on function public.apply_message_status(text, text, text, text, uuid) to service_role;
