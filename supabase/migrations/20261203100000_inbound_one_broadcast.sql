/**
  * -------------------------------------------------------
  * Inbound messages: one broadcast per message
  * -------------------------------------------------------
  * Each inbound message changed three or more rows the dashboard hears about
  * (the client's upsert, the message, its labels, the reply), and each row's
  * trigger stored its own broadcast: a subtransaction, a row of
  * realtime.messages and a notification apiece. handle_inbound_message now
  * collects its own changes and sends them in one broadcast on the same
  * private topic, inbox:<owner id>, with the event BATCH and the payload
  *   {"changes": [{record, old_record, operation, table, schema}, ...]}
  * in the order they happened. Every other writer (the dashboard, status
  * callbacks, the sweeper, erase_client) still broadcasts each row as before.
 */

/*
 * While handle_inbound_message runs, two transaction-local settings hold the
 * batch: facilchat.inbox_batch is the owner whose changes are collected, and
 * facilchat.inbox_changes the changes so far, as JSON objects separated by
 * commas (JSON text: cheaper to add to than jsonb, parsed once when sent).
 * The row triggers below add to it; a change of any other owner is broadcast
 * as usual, so a batch can never carry another business's rows.
 *
 * Sends the collected changes in one broadcast and closes the batch.
 * Security definer for the same reason as the row triggers: the API roles
 * cannot execute realtime.send().
 */
create or replace function private.send_inbox_batch()
    returns void
    language plpgsql
    security definer
    set search_path = ''
as
$$
declare
    v_owner_id uuid := nullif(pg_catalog.current_setting('facilchat.inbox_batch', true), '')::uuid;
    v_changes  text := pg_catalog.current_setting('facilchat.inbox_changes', true);
begin
    perform pg_catalog.set_config('facilchat.inbox_batch', '', true);
    perform pg_catalog.set_config('facilchat.inbox_changes', '', true);
    if v_owner_id is null or coalesce(v_changes, '') = '' then
        return;
    end if;
    perform realtime.send(
            pg_catalog.jsonb_build_object('changes', ('[' || v_changes || ']')::jsonb),
            'BATCH',
            'inbox:' || v_owner_id::text
            );
end;
$$;

revoke all on function private.send_inbox_batch() from public, anon, authenticated;
grant execute on function private.send_inbox_batch() to service_role;

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

    -- Inside handle_inbound_message: one broadcast at its end carries this change.
    if pg_catalog.current_setting('facilchat.inbox_batch', true) = v_owner_id::text then
        perform pg_catalog.set_config(
                'facilchat.inbox_changes',
                coalesce(nullif(pg_catalog.current_setting('facilchat.inbox_changes', true), '') || ',', '')
                    || pg_catalog.json_build_object(
                        'old_record', case when tg_op in ('UPDATE', 'DELETE') then pg_catalog.to_json(old) end,
                        'record', case when tg_op in ('INSERT', 'UPDATE') then pg_catalog.to_json(new) end,
                        'operation', tg_op,
                        'table', tg_table_name,
                        'schema', tg_table_schema)::text,
                true);
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

revoke all on function private.broadcast_inbox_change() from public, anon, authenticated;

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

    -- Inside handle_inbound_message: one broadcast at its end carries this change.
    if pg_catalog.current_setting('facilchat.inbox_batch', true) = v_owner_id::text then
        perform pg_catalog.set_config(
                'facilchat.inbox_changes',
                coalesce(nullif(pg_catalog.current_setting('facilchat.inbox_changes', true), '') || ',', '')
                    || pg_catalog.json_build_object(
                        'old_record', case when tg_op in ('UPDATE', 'DELETE') then pg_catalog.to_json(old) end,
                        'record', case when tg_op in ('INSERT', 'UPDATE') then pg_catalog.to_json(new) end,
                        'operation', tg_op,
                        'table', tg_table_name,
                        'schema', tg_table_schema)::text,
                true);
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

/*
 * handle_inbound_message as in 20261201190100_inbound_fewer_statements.sql,
 * with its changes collected from the first write and sent at the end. A
 * change undone by the reply's own block (its error handler) is undone in
 * the batch too: settings made in a rolled-back block are rolled back.
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
    v_reply_payload jsonb;
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

    -- From here on the row triggers collect this business's changes for one broadcast.
    perform pg_catalog.set_config('facilchat.inbox_batch', v_business.id::text, true);
    perform pg_catalog.set_config('facilchat.inbox_changes', '', true);

    -- The WhatsApp profile name, cut to the column's limit, or else the phone.
    v_client_name := coalesce(
            nullif(pg_catalog.btrim(pg_catalog.left(pg_catalog.btrim(p_profile_name), 200)), ''), p_from);

    -- A client still named by its phone takes the profile name once one arrives.
    insert into public.clients as c (owner_id, phone, name, last_message_at, unread_count)
    values (v_business.id, p_from, v_client_name, now(), 1)
    on conflict (owner_id, phone) do update
        set last_message_at = now(),
            unread_count    = c.unread_count + 1,
            status          = 'active',
            name            = case when c.name = c.phone then excluded.name else c.name end
    returning c.* into v_client;
    v_client_id := v_client.id;
    -- created_at is now() only on a row this transaction inserted: the client is new.
    v_is_new_client := v_client.created_at = now();

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
    -- Commands are one short word: longer messages skip the folding.
    if char_length(p_content) <= 24 then
        v_command := upper(private.normalize_text(p_content));
    end if;
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

    if v_reply_id is not null then
        -- Everything the webhook needs to answer, without reading the row back.
        select jsonb_build_object('id', m.id, 'to', p_from, 'from', v_business.whatsapp_number,
                                  'content', m.content, 'kind', m.reply_kind,
                                  'attempts', m.attempts, 'claim_token', m.claim_token,
                                  'twiml', m.sent_via is not distinct from 'twiml',
                                  'reconcile_since', null)
        into v_reply_payload
        from public.messages m
        where m.id = v_reply_id;
    end if;

    perform private.send_inbox_batch();

    return jsonb_build_object(
            'status', 'stored',
            'message_id', v_inbound_id,
            'client_id', v_client_id,
            'reply_error', v_reply_error,
            'reply', v_reply_payload
           );
end;
$$;

revoke all on function public.handle_inbound_message(text, text, text, text, text, jsonb) from public, anon, authenticated;
grant execute on function public.handle_inbound_message(text, text, text, text, text, jsonb) to service_role;
