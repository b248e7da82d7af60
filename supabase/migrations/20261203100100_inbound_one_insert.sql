/**
  * -------------------------------------------------------
  * Inbound messages: the message and its reply in one INSERT
  * -------------------------------------------------------
  * Each INSERT into messages sets up its checks, the generated search text,
  * the indexes, the foreign keys and the broadcast trigger once per
  * statement. The matcher reads the message's text, not its stored row, so
  * handle_inbound_message now chooses the reply first and stores the message
  * and the reply in one statement (the reply names the message by an id made
  * beforehand). The client's labels are applied before the two rows, so a
  * batch lists the client, its labels, the message and the reply.
  *
  * The customer's message is still kept whatever the reply does: when
  * choosing or storing the reply fails, that block is undone, and the message
  * is stored with the owner's fallback, or alone if even that cannot be.
 */

/*
 * The inbound message and its reply, as one INSERT. The reply is stored as
 * private.store_reply stores it (the same TwiML limit, statuses and
 * deadlines); returns the reply's fields for the webhook's answer.
 */
create or replace function private.store_inbound_with_reply(
    p_owner_id uuid,
    p_client_id uuid,
    p_inbound_id uuid,
    p_message_sid text,
    p_content text,
    p_media jsonb,
    p_kind text,
    p_reply_content text,
    p_faq_id uuid
)
    returns jsonb
    language plpgsql
    set search_path = ''
as
$$
declare
    -- As in private.store_reply: the most Twilio sends in one <Message>, and when an
    -- unconfirmed TwiML hand-over is checked with Twilio.
    twiml_limit constant integer := 1600;
    confirm_within constant interval := interval '3 minutes';
    in_twiml boolean := char_length(p_reply_content) <= twiml_limit;
    reply_id uuid := pg_catalog.gen_random_uuid();
begin
    insert into public.messages (id, owner_id, client_id, direction, content, media, status,
                                 twilio_message_id, reply_kind, faq_id, in_reply_to, sent_via,
                                 attempts, claim_token, next_attempt_at)
    values (p_inbound_id, p_owner_id, p_client_id, 'in', p_content, p_media, 'received',
            p_message_sid, default, default, default, default, default, default, default),
           (reply_id, p_owner_id, p_client_id, 'out', p_reply_content, default,
            case when in_twiml then 'sending' else 'queued' end,
            default, p_kind, p_faq_id, p_inbound_id,
            case when in_twiml then 'twiml' end,
            case when in_twiml then 1 else 0 end,
            case when in_twiml then 1 else 0 end,
            -- Either way the sweeper looks again: TwiML unconfirmed, or still to send.
            case when in_twiml then now() + confirm_within else now() end);
    return pg_catalog.jsonb_build_object('id', reply_id, 'content', p_reply_content, 'kind', p_kind,
                                         'attempts', case when in_twiml then 1 else 0 end,
                                         'claim_token', case when in_twiml then 1 else 0 end,
                                         'twiml', in_twiml);
end;
$$;

revoke all on function private.store_inbound_with_reply(uuid, uuid, uuid, text, text, jsonb, text, text, uuid)
    from public, anon, authenticated;
grant execute on function private.store_inbound_with_reply(uuid, uuid, uuid, text, text, jsonb, text, text, uuid)
    to service_role;

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
    v_inbound_kept  boolean := false;
    v_content       text    := coalesce(p_content, '');
    v_media         jsonb   := coalesce(p_media, '[]'::jsonb);
    v_command       text;
    v_reply_kind    text;
    v_reply_content text;
    v_reply_faq_id  uuid;
    v_reply         public.messages%rowtype;
    v_reply_error   text;
    v_reply_stored  jsonb;
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
    -- Made here so that the reply, stored in the same statement, can name the message.
    v_inbound_id := pg_catalog.gen_random_uuid();

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
            v_reply_stored := private.store_inbound_with_reply(
                    v_business.id, v_client_id, v_inbound_id, p_message_sid, v_content, v_media,
                    'opt_out',
                    case v_command
                        when 'SAIR' then 'Pronto, você não receberá mais respostas automáticas. '
                            || 'Para voltar a recebê-las, escreva VOLTAR.'
                        else 'Listo, ya no te enviaremos respuestas automáticas. '
                            || 'Si quieres volver a recibirlas, escribe ALTA.'
                        end, null);
            v_inbound_kept := true;
        end if;
    elsif v_command in ('START', 'ALTA', 'VOLTAR') and v_client.opted_out then
        update public.clients set opted_out = false, opted_out_at = null where id = v_client_id;
        v_reply_stored := private.store_inbound_with_reply(
                v_business.id, v_client_id, v_inbound_id, p_message_sid, v_content, v_media,
                'opt_in',
                case v_command
                    when 'VOLTAR' then 'Que bom ter você de volta! '
                        || 'Você voltará a receber nossas respostas automáticas.'
                    else '¡Qué gusto tenerte de vuelta! '
                        || 'Volverás a recibir nuestras respuestas automáticas.'
                    end, null);
        v_inbound_kept := true;
    elsif not v_client.opted_out then
        begin
            select f.id, f.answer
            into v_reply_faq_id, v_reply_content
            from private.match_faq(v_business.id, v_content) as best
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
                v_reply_stored := private.store_inbound_with_reply(
                        v_business.id, v_client_id, v_inbound_id, p_message_sid, v_content, v_media,
                        v_reply_kind, v_reply_content, v_reply_faq_id);
                v_inbound_kept := true;
            end if;
        exception
            when others then
                -- The customer's message is kept whatever happened; the owner's fallback
                -- goes out with it instead, or nothing if even that cannot be stored.
                v_reply_error := sqlstate || ': ' || sqlerrm;
                raise warning 'reply to inbound % not chosen (%); sending the fallback',
                    p_message_sid, v_reply_error;
                v_reply_stored := null;
                v_inbound_kept := false;
                begin
                    v_reply_stored := private.store_inbound_with_reply(
                            v_business.id, v_client_id, v_inbound_id, p_message_sid, v_content,
                            v_media, 'fallback', v_business.fallback_message, null);
                    v_inbound_kept := true;
                exception
                    when others then
                        v_reply_stored := null;
                end;
        end;
    end if;

    if not v_inbound_kept then
        -- No reply (opted out, or a fallback already sent in the window): the message alone.
        insert into public.messages (id, owner_id, client_id, direction, content, media, status,
                                     twilio_message_id)
        values (v_inbound_id, v_business.id, v_client_id, 'in', v_content, v_media, 'received',
                p_message_sid);
    end if;

    if v_reply_stored is not null then
        -- Everything the webhook needs to answer, without reading the row back.
        v_reply_payload := v_reply_stored || jsonb_build_object(
                'to', p_from, 'from', v_business.whatsapp_number, 'reconcile_since', null);
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
