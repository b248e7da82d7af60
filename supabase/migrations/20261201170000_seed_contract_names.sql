/**
  * -------------------------------------------------------
  * The schema's public contract
  * -------------------------------------------------------
  * The dashboard reads and writes these tables directly through supabase-js,
  * so their column names and value domains are the API:
  *
  *   messages.content            text not null       (was body)
  *   messages.direction          'in' | 'out'        (was 'inbound' | 'outbound')
  *   messages.timestamp          timestamptz not null when the message happened
  *                                                   on WhatsApp: received, or
  *                                                   queued for an outbound one
  *   users.name                  text                (was full_name)
  *   users.onboarding_complete   boolean not null default false
  *   clients.name                text not null       ProfileName, or the phone
  *
  * Every function that names these columns is redefined below with the new
  * names. The webhook's RPC takes p_content instead of p_body, and its reply
  * payload carries "content".
 */

/**
  * -------------------------------------------------------
  * Section - Renames
  * -------------------------------------------------------
 */
do
$$
    begin
        if exists (select 1
                   from information_schema.columns
                   where table_schema = 'public' and table_name = 'messages' and column_name = 'body') then
            alter table public.messages rename column body to content;
        end if;
        if exists (select 1
                   from information_schema.columns
                   where table_schema = 'public' and table_name = 'users' and column_name = 'full_name') then
            alter table public.users rename column full_name to name;
        end if;
        if exists (select 1
                   from pg_constraint
                   where conname = 'users_full_name_check' and conrelid = 'public.users'::regclass) then
            alter table public.users rename constraint users_full_name_check to users_name_check;
        end if;
        if exists (select 1
                   from pg_constraint
                   where conname = 'messages_body_check' and conrelid = 'public.messages'::regclass) then
            alter table public.messages rename constraint messages_body_check to messages_content_check;
        end if;
    end
$$;

/**
  * -------------------------------------------------------
  * Section - messages.direction: 'in' and 'out'
  * -------------------------------------------------------
  * The checks and the partial indexes that name the old values go first,
  * then the data moves, then the checks come back with the new values.
 */
alter table public.messages drop constraint if exists messages_direction_check;
alter table public.messages drop constraint if exists messages_inbound_is_received;
alter table public.messages drop constraint if exists messages_reply_kind_is_outbound;
drop index if exists public.messages_outbox_idx;

update public.messages
set direction = case direction when 'inbound' then 'in' when 'outbound' then 'out' end
where direction in ('inbound', 'outbound');

alter table public.messages
    add constraint messages_direction_check check (direction in ('in', 'out'));
alter table public.messages
    add constraint messages_in_is_received check ((direction = 'in') = (status = 'received'));
alter table public.messages
    add constraint messages_reply_kind_is_out check (reply_kind is null or direction = 'out');

/**
  * -------------------------------------------------------
  * Section - messages.timestamp
  * -------------------------------------------------------
  * When the message happened on WhatsApp. created_at and updated_at stay the
  * row's own times. Conversations are read newest first by this column.
 */
alter table public.messages add column if not exists "timestamp" timestamptz;
update public.messages set "timestamp" = created_at where "timestamp" is null;
alter table public.messages alter column "timestamp" set default now();
alter table public.messages alter column "timestamp" set not null;

drop index if exists public.messages_owner_id_client_id_created_at_idx;
drop index if exists public.messages_owner_id_created_at_idx;
create index if not exists messages_owner_id_client_id_timestamp_idx
    on public.messages (owner_id, client_id, "timestamp" desc);
create index if not exists messages_owner_id_timestamp_idx
    on public.messages (owner_id, "timestamp" desc);

/*
 * The outbox: replies the sweeper may claim. The predicate is the sweeper's
 * own filter, value for value, so the planner can prove the query implies it.
 */
create index if not exists messages_outbox_idx
    on public.messages (next_attempt_at)
    where direction = 'out'
        and status in ('queued', 'failed', 'sending')
        and twilio_message_id is null;

/**
  * -------------------------------------------------------
  * Section - users.onboarding_complete
  * -------------------------------------------------------
  * The dashboard shows onboarding while it is false. Businesses that were
  * already set up before onboarding existed count as onboarded.
 */
do
$$
    begin
        if not exists (select 1
                       from information_schema.columns
                       where table_schema = 'public'
                         and table_name = 'users'
                         and column_name = 'onboarding_complete') then
            alter table public.users add column onboarding_complete boolean not null default false;
            update public.users
            set onboarding_complete = true
            where whatsapp_number is not null
               or business_name is not null;
        end if;
    end
$$;

grant update (name, onboarding_complete) on table public.users to authenticated;

/**
  * -------------------------------------------------------
  * Section - clients.name is required
  * -------------------------------------------------------
  * A client is named by its WhatsApp profile, or else by its phone number.
 */
update public.clients set name = phone where name is null or btrim(name) = '';
alter table public.clients alter column name set not null;

/**
  * -------------------------------------------------------
  * Section - anon reads nothing
  * -------------------------------------------------------
  * RLS already gave anon no rows, but a SELECT grant still let it discover
  * the tables and their columns (GraphQL introspection on hosted Supabase).
  * anon needs nothing here; new tables in public start without it too.
 */
revoke all on table public.users, public.clients, public.labels, public.client_labels,
    public.faqs, public.messages from anon;
alter default privileges in schema public revoke all on tables from anon;
alter default privileges in schema public revoke all on sequences from anon;

/**
  * -------------------------------------------------------
  * Section - Opt-outs outlive the client row
  * -------------------------------------------------------
  * A customer who wrote STOP must never get another automatic reply from
  * that business, even after the owner deletes the client and the same phone
  * writes again. So the opt-out is kept per (owner, phone) here, apart from
  * clients, and clients.opted_out mirrors it: a new client row for a phone
  * that opted out starts opted out. START/ALTA removes it.
 */
create table if not exists private.opt_outs
(
    owner_id     uuid              not null references public.users (id) on delete cascade,
    phone        public.phone_e164 not null,
    opted_out_at timestamptz       not null default now(),
    primary key (owner_id, phone)
);

comment on table private.opt_outs is 'Phones that asked a business for no automatic replies.';

alter table private.opt_outs enable row level security;
revoke all on table private.opt_outs from public, anon, authenticated;
grant select, insert, update, delete on table private.opt_outs to service_role;

insert into private.opt_outs (owner_id, phone, opted_out_at)
select owner_id, phone, coalesce(opted_out_at, now())
from public.clients
where opted_out
on conflict do nothing;

-- Security definer: owners create clients, and must not read or change opt-outs.
create or replace function private.apply_kept_opt_out()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as
$$
declare
    kept_at timestamptz;
begin
    select o.opted_out_at into kept_at
    from private.opt_outs o
    where o.owner_id = new.owner_id
      and o.phone = new.phone;
    if found then
        new.opted_out := true;
        new.opted_out_at := kept_at;
    end if;
    return new;
end;
$$;

create or replace function private.keep_opt_out()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as
$$
begin
    if new.opted_out then
        insert into private.opt_outs (owner_id, phone, opted_out_at)
        values (new.owner_id, new.phone, coalesce(new.opted_out_at, now()))
        on conflict (owner_id, phone) do nothing;
    elsif tg_op = 'UPDATE' then
        delete from private.opt_outs o where o.owner_id = new.owner_id and o.phone = new.phone;
    end if;
    return null;
end;
$$;

revoke all on function private.apply_kept_opt_out() from public, anon, authenticated;
revoke all on function private.keep_opt_out() from public, anon, authenticated;

drop trigger if exists clients_apply_kept_opt_out on public.clients;
create trigger clients_apply_kept_opt_out
    before insert
    on public.clients
    for each row
execute function private.apply_kept_opt_out();

drop trigger if exists clients_keep_opt_out on public.clients;
create trigger clients_keep_opt_out
    after insert or update of opted_out
    on public.clients
    for each row
execute function private.keep_opt_out();

/**
  * -------------------------------------------------------
  * Section - auth.users mirror
  * -------------------------------------------------------
  * Sign-up copies the profile's name, cut to the column's 200 characters: a
  * sign-up must never fail on profile data.
 */
create or replace function private.handle_auth_user_change()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as
$$
begin
    if tg_op = 'INSERT' then
        insert into public.users (id, email, name)
        values (new.id,
                new.email,
                nullif(pg_catalog.btrim(pg_catalog.left(
                        pg_catalog.btrim(coalesce(new.raw_user_meta_data ->> 'full_name',
                                                  new.raw_user_meta_data ->> 'name', '')),
                        200)), ''))
        on conflict (id) do nothing;
        perform private.create_builtin_labels(new.id);
    elsif new.email is distinct from old.email then
        update public.users set email = new.email where id = new.id;
    end if;
    return new;
end;
$$;

/**
  * -------------------------------------------------------
  * Section - The outbox, with the new names
  * -------------------------------------------------------
 */
create or replace function private.outbound_payload(p_message_id uuid, p_reconcile boolean)
    returns jsonb
    language sql
    stable
    set search_path = ''
as
$$
select jsonb_build_object('id', m.id, 'to', c.phone, 'from', u.whatsapp_number, 'content', m.content,
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

/**
  * -------------------------------------------------------
  * Section - handle_inbound_message
  * -------------------------------------------------------
  * As before, with the contract's names. The parameter p_body becomes
  * p_content, so the function is replaced rather than redefined.
 */
drop function if exists public.handle_inbound_message(text, text, text, text, text, jsonb);

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
          and m.direction = 'out';
        return jsonb_build_object('status', 'duplicate', 'message_id', v_inbound_id,
                                  'client_id', v_client_id,
                                  'reply', case when v_reply_id is not null
                                                    then private.claim_reply(v_reply_id) end);
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
            v_reply_kind := 'opt_out';
            v_reply_content := case v_command
                                   when 'SAIR' then 'Pronto, você não receberá mais respostas automáticas. '
                                       || 'Para voltar a recebê-las, escreva VOLTAR.'
                                   else 'Listo, ya no te enviaremos respuestas automáticas. '
                                       || 'Si quieres volver a recibirlas, escribe ALTA.'
                end;
        end if;
    elsif v_command in ('START', 'ALTA', 'VOLTAR') and v_client.opted_out then
        update public.clients set opted_out = false, opted_out_at = null where id = v_client_id;
        v_reply_kind := 'opt_in';
        v_reply_content := case v_command
                               when 'VOLTAR' then 'Que bom ter você de volta! '
                                   || 'Você voltará a receber nossas respostas automáticas.'
                               else '¡Qué gusto tenerte de vuelta! '
                                   || 'Volverás a recibir nuestras respuestas automáticas.'
            end;
    elsif not v_client.opted_out then
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
    end if;

    if v_reply_kind is not null then
        -- The outbox row exists before Twilio is called, claimed by this call.
        insert into public.messages (owner_id, client_id, direction, content, status, reply_kind,
                                     faq_id, in_reply_to)
        values (v_business.id, v_client_id, 'out', v_reply_content, 'queued', v_reply_kind,
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

/*
 * Twilio's answer to a send. A reply Twilio accepted but has not sent yet
 * stays "sending": shown to the owner, a status never moves backwards.
 */
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
                                     else 'sending' end,
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
    -- The filter is messages_outbox_idx's predicate, so the index serves it.
    return query
        with due as (select m.id
                     from public.messages m
                     where m.direction = 'out'
                       and m.status in ('queued', 'failed', 'sending')
                       and m.twilio_message_id is null
                       and m.next_attempt_at <= now()
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
      and m.direction = 'out'
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
  * The webhook's RPCs stay service_role only.
 */
revoke all on function public.handle_inbound_message(text, text, text, text, text, jsonb) from public, anon, authenticated;
grant execute on function public.handle_inbound_message(text, text, text, text, text, jsonb) to service_role;
