/**
  * -------------------------------------------------------
  * The dashboard's FAQ screen
  * -------------------------------------------------------
  * What the owner's FAQ screen calls through PostgREST, with the owner's JWT:
  *
  *   public.reorder_faqs           the FAQs' order, in one statement
  *   public.test_faq_match         the reply the webhook would send to a
  *                                 message, and why (the "Probar" box)
  *   public.faq_answered_messages  the latest messages an FAQ answered
  *   public.faq_missed_messages    the latest messages that got the fallback
  *                                 or the away message instead of an FAQ
  *   public.faq_usage              how often each FAQ answered lately
  *
  * All are security invoker, executable by authenticated only, so RLS keeps
  * each owner to their own rows. The tester alone needs the matcher, which
  * reads the lexicon and every FAQ's features in private: its definer part,
  * private.test_faq_match, takes no owner id and works for the caller's
  * (select auth.uid()) only.
  *
  * FAQ keywords get limits of their own, as the question and answer have
  * had since the first migration.
 */

/**
  * -------------------------------------------------------
  * Section - Keywords
  * -------------------------------------------------------
  * Up to 30 keywords, each of 1 to 60 characters on one line. The matcher
  * reads each keyword as a text of its own (private.refresh_faq_terms), so
  * unbounded ones would cost on every save. Not valid for existing rows
  * (a business may already hold longer ones); every insert and update is.
 */
alter table public.faqs
    drop constraint if exists faqs_keywords_limits;
alter table public.faqs
    add constraint faqs_keywords_limits check (
        pg_catalog.cardinality(keywords) <= 30
            and pg_catalog.array_position(keywords, null) is null
            and '' <> all (keywords)
            and pg_catalog.array_to_string(keywords, '') !~ '[\r\n]'
            -- with no line breaks inside, a keyword is a run between two
            and pg_catalog.array_to_string(keywords, E'\n') !~ '[^\n]{61}'
        ) not valid;

/**
  * -------------------------------------------------------
  * Section - Indexes
  * -------------------------------------------------------
  * An FAQ's answers, newest first: one range scan from the keyset cursor.
  * It starts with the columns of messages_owner_id_faq_id_idx (the foreign
  * key to faqs, which deleting an FAQ probes), so it replaces it: one index
  * more to write on an FAQ reply would be one too many.
 */
create index if not exists messages_faq_answers_idx
    on public.messages (owner_id, faq_id, "timestamp" desc, id desc)
    where faq_id is not null;
drop index if exists public.messages_owner_id_faq_id_idx;

-- The replies that went out because no FAQ fitted: few, so a small index.
create index if not exists messages_missed_idx
    on public.messages (owner_id, "timestamp" desc, id desc)
    where reply_kind in ('fallback', 'away');

/**
  * -------------------------------------------------------
  * Section - reorder_faqs
  * -------------------------------------------------------
  * The owner's FAQs in a new order: p_ids lists every one of them once,
  * and each takes its place in the list (1, 2, …) as its position. A list
  * that misses one or names another's is refused whole: it comes from a
  * screen that is out of date.
 */
create or replace function public.reorder_faqs(p_ids uuid[])
    returns integer
    language plpgsql
    security invoker
    set search_path = ''
as
$$
declare
    v_owner   uuid := (select auth.uid());
    v_changed integer;
begin
    if p_ids is null or pg_catalog.cardinality(p_ids) = 0 or pg_catalog.cardinality(p_ids) > 1000
        or pg_catalog.array_position(p_ids, null) is not null then
        raise exception 'reorder_faqs: p_ids must list the FAQs, 1 to 1000 ids'
            using errcode = '22023';
    end if;
    -- Two screens reordering at once: one after the other.
    perform 1 from public.faqs f where f.owner_id = v_owner order by f.id for update;
    if (select pg_catalog.count(distinct x.id) from pg_catalog.unnest(p_ids) as x(id)) <> pg_catalog.cardinality(p_ids)
        or (select pg_catalog.count(*) from public.faqs f where f.owner_id = v_owner and f.id = any (p_ids))
            <> pg_catalog.cardinality(p_ids)
        or exists (select 1 from public.faqs f where f.owner_id = v_owner and f.id <> all (p_ids)) then
        raise exception 'reorder_faqs: p_ids must list each of your FAQs exactly once'
            using errcode = '22023', hint = 'Reload the FAQs and try again.';
    end if;
    update public.faqs f
    set position = o.ord::integer
    from pg_catalog.unnest(p_ids) with ordinality as o(id, ord)
    where f.id = o.id
      and f.owner_id = v_owner
      and f.position is distinct from o.ord::integer;
    get diagnostics v_changed = row_count;
    return v_changed;
end;
$$;

comment on function public.reorder_faqs(uuid[]) is
    'Puts the caller''s FAQs in the order of p_ids (each of them once); returns how many moved.';

/**
  * -------------------------------------------------------
  * Section - The tester
  * -------------------------------------------------------
  * What the webhook would answer to a message, in handle_inbound_message's
  * order (20261201190100): an opt-out command (the whole message is one) is
  * confirmed; otherwise private.match_faq's FAQ; otherwise the away message
  * when one is set and the business is closed now, else the fallback. The
  * FAQ comes from private.match_faq itself, so the tester never disagrees
  * with the webhook about it; the ranking (private.rank_faqs, the best two
  * explained) and the matcher's reading of the message say why.
  *
  * The tester plays a client who is not opted out and got no fallback within
  * the business's window (the webhook sends at most one per window).
 */
create or replace function private.test_faq_match(p_text text)
    returns jsonb
    language plpgsql
    stable
    security definer
    set search_path = ''
as
$$
declare
    -- private.match_faq's confidence threshold and margin, to word its decision.
    c_threshold constant real := 0.50;
    c_margin    constant real := 0.10;
    v_owner     uuid := (select auth.uid());
    v_business  public.users%rowtype;
    v_text      text := coalesce(p_text, '');
    v_command   text;
    v_faq_id    uuid;
    v_score     real;
    v_ranked    jsonb;
    v_count     integer;
    v_words     jsonb;
    v_kinds     text[];
    v_open      boolean;
    v_decision  text;
    v_reason    text;
    v_reply     text;
begin
    if v_owner is null then
        raise exception 'test_faq_match: sign in first' using errcode = '42501';
    end if;
    if pg_catalog.char_length(v_text) > 1000 then
        raise exception 'test_faq_match: p_text is longer than 1000 characters' using errcode = '22023';
    end if;
    select * into v_business from public.users u where u.id = v_owner;
    if not found then
        raise exception 'test_faq_match: no business for this user' using errcode = '42501';
    end if;

    v_open := private.is_open(v_business.business_hours, v_business.timezone, pg_catalog.now());

    -- The matcher's reading of the message: one entry per slot, its main meaning.
    select coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('words', f.words, 'kind', f.kind)
                                         order by f.slot), '[]'::jsonb),
           coalesce(pg_catalog.array_agg(f.kind), '{}'::text[])
    into v_words, v_kinds
    from private.faq_text_features(v_text) f
    where f.role = 'primary';

    -- Commands are one short word, as the webhook reads them.
    if pg_catalog.char_length(v_text) <= 24 then
        v_command := pg_catalog.upper(private.normalize_text(v_text));
    end if;
    if v_command in ('STOP', 'BAJA', 'PARAR', 'SAIR', 'CANCELAR') then
        -- The confirmation handle_inbound_message sends, in the command's language.
        v_decision := 'opt_out';
        v_reason := 'command';
        v_reply := case v_command
                       when 'SAIR' then 'Pronto, você não receberá mais respostas automáticas. '
                           || 'Para voltar a recebê-las, escreva VOLTAR.'
                       else 'Listo, ya no te enviaremos respuestas automáticas. '
                           || 'Si quieres volver a recibirlas, escribe ALTA.'
                       end;
        v_ranked := '[]'::jsonb;
        v_count := 0;
    else
        select best.faq_id, best.score into v_faq_id, v_score
        from private.match_faq(v_owner, v_text) best;

        select pg_catalog.count(*)::integer,
               coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                                                     'faq_id', r.faq_id,
                                                     'question', q.question,
                                                     'score', pg_catalog.round(r.score::numeric, 3),
                                                     'explanation', r.explanation)
                                             order by r.place) filter (where r.place <= 2), '[]'::jsonb)
        into v_count, v_ranked
        from private.rank_faqs(v_owner, v_text, true) with ordinality as r(faq_id, score, explanation, place)
                 join public.faqs q on q.id = r.faq_id;

        if v_faq_id is not null then
            v_decision := 'faq';
            v_reason := 'match';
            select q.answer into v_reply from public.faqs q where q.id = v_faq_id;
        else
            v_reason := case
                            when v_count > 0 and (v_ranked -> 0 ->> 'score')::real < c_threshold then 'low_score'
                            when v_count > 0 then 'too_close'
                            when pg_catalog.cardinality(v_kinds) = 0 then 'no_words'
                            when 'human' = any (v_kinds) then 'needs_person'
                            when 'guard' = any (v_kinds) then 'other_subject'
                            when 'place' = any (v_kinds) then 'other_place'
                            when v_kinds <@ array ['social'] then 'thanks'
                            else 'no_match' end;
            if v_business.away_message is not null and not v_open then
                v_decision := 'away';
                v_reply := v_business.away_message;
            else
                v_decision := 'fallback';
                v_reply := v_business.fallback_message;
            end if;
        end if;
    end if;

    return pg_catalog.jsonb_build_object(
            'decision', v_decision,
            'reason', v_reason,
            'command', case when v_decision = 'opt_out' then v_command end,
            'faq_id', v_faq_id,
            'score', pg_catalog.round(v_score::numeric, 3),
            'reply', v_reply,
            'open', v_open,
            'away_message_set', v_business.away_message is not null,
            'fallback_window_hours',
            pg_catalog.round((extract(epoch from v_business.fallback_window) / 3600)::numeric, 1),
            'threshold', c_threshold,
            'margin', c_margin,
            'candidates', v_ranked,
            'candidate_count', v_count,
            'words', v_words);
end;
$$;

revoke all on function private.test_faq_match(text) from public, anon, authenticated;

comment on function private.test_faq_match(text) is
    'The reply the webhook would send the caller''s business for this message, and why. Definer: the matcher reads private tables; only the caller''s own FAQs and settings are read.';

-- The API's door to it: the caller's own business, a message of at most 1000 characters.
create or replace function public.test_faq_match(p_text text)
    returns jsonb
    language plpgsql
    stable
    security invoker
    set search_path = ''
as
$$
begin
    if p_text is null then
        raise exception 'test_faq_match: p_text is required' using errcode = '22023';
    end if;
    if pg_catalog.char_length(p_text) > 1000 then
        raise exception 'test_faq_match: p_text is longer than 1000 characters' using errcode = '22023';
    end if;
    return private.test_faq_match(p_text);
end;
$$;

comment on function public.test_faq_match(text) is
    'What the webhook would reply to this message for the caller''s business (faq, fallback, away or opt_out), with the matcher''s reasons.';

/**
  * -------------------------------------------------------
  * Section - Answered and missed messages
  * -------------------------------------------------------
  * Newest first by the reply's (timestamp, id); the next page starts after
  * the last row's: one range of a partial index, then a primary-key probe
  * per row for the customer's message (in_reply_to) and the client's name.
  * A reply links to its FAQ by faq_id (20261126130100).
 */
create or replace function public.faq_answered_messages(
    p_faq_id uuid,
    p_before_at timestamptz default null,
    p_before_id uuid default null,
    p_limit integer default 20
)
    returns table
            (
                reply_id    uuid,
                message_id  uuid,
                client_id   uuid,
                client_name text,
                content     text,
                "timestamp" timestamptz
            )
    language plpgsql
    stable
    security invoker
    set search_path = ''
as
$$
declare
    v_before_at constant timestamptz := coalesce(p_before_at, 'infinity');
    v_before_id constant uuid := coalesce(p_before_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff');
begin
    if p_faq_id is null then
        raise exception 'faq_answered_messages: p_faq_id is required' using errcode = '22023';
    end if;
    if p_limit is null or p_limit not between 1 and 100 then
        raise exception 'faq_answered_messages: p_limit must be between 1 and 100, not %',
            coalesce(p_limit::text, 'null') using errcode = '22023';
    end if;
    if (p_before_at is null) <> (p_before_id is null) then
        raise exception 'faq_answered_messages: the cursor needs both p_before_at and p_before_id'
            using errcode = '22023';
    end if;
    return query
        select o.id, i.id, o.client_id,
               (select c.name from public.clients c where c.id = o.client_id),
               i.content, o."timestamp"
        from public.messages o
                 join public.messages i on i.id = o.in_reply_to
        where o.owner_id = (select auth.uid())
          and o.faq_id = p_faq_id
          and (o."timestamp", o.id) < (v_before_at, v_before_id)
        order by o."timestamp" desc, o.id desc
        limit p_limit;
end;
$$;

comment on function public.faq_answered_messages(uuid, timestamptz, uuid, integer) is
    'One page of the customer messages an FAQ answered, newest first (keyset on the reply''s timestamp and id).';

create or replace function public.faq_missed_messages(
    p_before_at timestamptz default null,
    p_before_id uuid default null,
    p_limit integer default 20
)
    returns table
            (
                reply_id        uuid,
                reply_kind      text,
                message_id      uuid,
                client_id       uuid,
                client_name     text,
                content         text,
                "timestamp"     timestamptz,
                answered_by_hand boolean
            )
    language plpgsql
    stable
    security invoker
    set search_path = ''
as
$$
declare
    v_before_at constant timestamptz := coalesce(p_before_at, 'infinity');
    v_before_id constant uuid := coalesce(p_before_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff');
begin
    if p_limit is null or p_limit not between 1 and 100 then
        raise exception 'faq_missed_messages: p_limit must be between 1 and 100, not %',
            coalesce(p_limit::text, 'null') using errcode = '22023';
    end if;
    if (p_before_at is null) <> (p_before_id is null) then
        raise exception 'faq_missed_messages: the cursor needs both p_before_at and p_before_id'
            using errcode = '22023';
    end if;
    -- Photos and other media without text have no words to learn from.
    return query
        select o.id, o.reply_kind, i.id, o.client_id,
               (select c.name from public.clients c where c.id = o.client_id),
               i.content, o."timestamp",
               exists (select 1
                       from public.messages r
                       where r.in_reply_to = i.id
                         and r.reply_kind = 'manual')
        from public.messages o
                 join public.messages i on i.id = o.in_reply_to
        where o.owner_id = (select auth.uid())
          and o.reply_kind in ('fallback', 'away')
          and (o."timestamp", o.id) < (v_before_at, v_before_id)
          and i.content <> ''
        order by o."timestamp" desc, o.id desc
        limit p_limit;
end;
$$;

comment on function public.faq_missed_messages(timestamptz, uuid, integer) is
    'One page of the customer messages no FAQ answered (they got the fallback or the away message), newest first.';

-- Per FAQ, its answers in the last p_days days and its last answer ever; and
-- how many messages got the fallback or away message in those days. Each
-- count is a range of an index, so it costs what the period holds.
create or replace function public.faq_usage(p_days integer default 30)
    returns jsonb
    language plpgsql
    stable
    security invoker
    set search_path = ''
as
$$
declare
    v_owner uuid := (select auth.uid());
    v_since timestamptz;
begin
    if p_days is null or p_days not between 1 and 90 then
        raise exception 'faq_usage: p_days must be between 1 and 90, not %', coalesce(p_days::text, 'null')
            using errcode = '22023';
    end if;
    v_since := pg_catalog.now() - pg_catalog.make_interval(days => p_days);
    return pg_catalog.jsonb_build_object(
            'since', v_since,
            'missed', (select pg_catalog.count(*)
                       from public.messages m
                       where m.owner_id = v_owner
                         and m.reply_kind in ('fallback', 'away')
                         and m."timestamp" >= v_since),
            'faqs', (select coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                                                                  'faq_id', f.id,
                                                                  'answered', (select pg_catalog.count(*)
                                                                               from public.messages m
                                                                               where m.owner_id = f.owner_id
                                                                                 and m.faq_id = f.id
                                                                                 and m."timestamp" >= v_since),
                                                                  'last_answered_at', (select m."timestamp"
                                                                                       from public.messages m
                                                                                       where m.owner_id = f.owner_id
                                                                                         and m.faq_id = f.id
                                                                                       order by m."timestamp" desc, m.id desc
                                                                                       limit 1))
                                                          order by f.position, f.id), '[]'::jsonb)
                     from public.faqs f
                     where f.owner_id = v_owner));
end;
$$;

comment on function public.faq_usage(integer) is
    'How often each of the caller''s FAQs answered in the last p_days days (1 to 90), and how many messages no FAQ answered.';

/**
  * -------------------------------------------------------
  * Section - Privileges
  * -------------------------------------------------------
  * The screen's functions are for signed-in owners only. The tester's
  * definer part is the one function in private the API role may execute,
  * so authenticated may look into private (usage) for it; every other
  * function there stays revoked from it, and private's tables too.
 */
revoke all on function public.reorder_faqs(uuid[]) from public, anon, authenticated, service_role;
revoke all on function public.test_faq_match(text) from public, anon, authenticated, service_role;
revoke all on function public.faq_answered_messages(uuid, timestamptz, uuid, integer)
    from public, anon, authenticated, service_role;
revoke all on function public.faq_missed_messages(timestamptz, uuid, integer)
    from public, anon, authenticated, service_role;
revoke all on function public.faq_usage(integer) from public, anon, authenticated, service_role;

grant execute on function public.reorder_faqs(uuid[]) to authenticated;
grant execute on function public.test_faq_match(text) to authenticated;
grant execute on function public.faq_answered_messages(uuid, timestamptz, uuid, integer) to authenticated;
grant execute on function public.faq_missed_messages(timestamptz, uuid, integer) to authenticated;
grant execute on function public.faq_usage(integer) to authenticated;

grant usage on schema private to authenticated;
grant execute on function private.test_faq_match(text) to authenticated;
