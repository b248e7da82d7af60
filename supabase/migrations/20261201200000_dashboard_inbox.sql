/**
  * -------------------------------------------------------
  * The dashboard's inbox and conversations
  * -------------------------------------------------------
  * What the owner's dashboard reads through PostgREST, with the owner's JWT:
  *
  *   public.inbox_page         one page of conversations, newest first, with
  *                             keyset pagination, filters by status and label,
  *                             and an accent-insensitive search
  *   public.inbox_summary      unread messages and conversations, for the
  *                             page title
  *   public.conversation_page  one page of a conversation's messages, newest
  *                             first, with keyset pagination
  *   public.mark_client_read   clears a conversation's unread count
  *
  * Every one is security invoker: RLS keeps each owner to their own rows,
  * exactly as for a plain table read. Only authenticated may execute them.
 */

/**
  * -------------------------------------------------------
  * Section - Search text
  * -------------------------------------------------------
  * Search compares folded text: lowercase, accents folded, punctuation and
  * emoji as spaces, the same folding as private.normalize_text (a pgTAP test
  * keeps the two equal). It lives in public because owners' queries call it;
  * it reads no table.
  *
  * Under RLS, Postgres may use an index only for leakproof operators, and
  * LIKE is not one, so a trigram index could not serve an owner's search.
  * The folded text is therefore stored, and a search reads it without
  * folding every row again.
 */
create or replace function public.fold_for_search(p_text text)
    returns text
    language sql
    immutable
    parallel safe
    set search_path = ''
as
$$
select pg_catalog.btrim(
               pg_catalog.regexp_replace(
                       pg_catalog.lower(
                               pg_catalog.regexp_replace(
                                       normalize(coalesce(p_text, ''), nfd),
                                       '[\u0300-\u036f]', '', 'g')),
                       '[^[:alnum:]]+', ' ', 'g'))
$$;

comment on function public.fold_for_search(text) is
    'Text as search compares it: lowercase, accents folded, punctuation and emoji as spaces.';

revoke all on function public.fold_for_search(text) from public, anon, authenticated;
-- Whoever writes a client or a message computes its stored search text.
grant execute on function public.fold_for_search(text) to authenticated, service_role;

-- The name, then the phone's digits, so that "3312" and "+52 33 12" both find it.
alter table public.clients
    add column if not exists search_text text
        generated always as (public.fold_for_search(name) || ' ' || pg_catalog.substr(phone, 2)) stored;

-- The inbox's sort key: the last message, or when the client was added.
alter table public.clients
    add column if not exists activity_at timestamptz
        generated always as (coalesce(last_message_at, created_at)) stored;

alter table public.messages
    add column if not exists search_text text
        generated always as (public.fold_for_search(content)) stored;

/**
  * -------------------------------------------------------
  * Section - Indexes
  * -------------------------------------------------------
  * The inbox: a business's clients of one status, newest conversation first.
  * The index holds the whole sort key, so a page is one range scan from the
  * cursor on. The key is a column rather than an expression because under
  * RLS only leakproof conditions may become index conditions, and an
  * expression such as coalesce() over columns is not one.
 */
create index if not exists clients_inbox_idx
    on public.clients (owner_id, status, activity_at desc, id desc);
-- Replaced by clients_inbox_idx, which starts with the same columns.
drop index if exists public.clients_owner_id_status_idx;

-- The page title's unread total reads only the clients with something unread.
create index if not exists clients_unread_idx
    on public.clients (owner_id)
    where unread_count > 0;

/*
 * A conversation, newest first. An inbound message and its automatic reply
 * share their timestamp (one transaction), so direction breaks the tie: read
 * backwards, the question comes before its answer. id makes the order total.
 */
create index if not exists messages_conversation_idx
    on public.messages (owner_id, client_id, "timestamp" desc, direction desc, id desc);
-- Replaced by messages_conversation_idx, which starts with the same columns.
drop index if exists public.messages_owner_id_client_id_timestamp_idx;

/**
  * -------------------------------------------------------
  * Section - inbox_page
  * -------------------------------------------------------
  * One page of conversations of one status, ordered by activity_at (the last
  * message, or when the client was added) and id, both descending. The next
  * page starts after the last row's (activity_at, id). Optional filters: a
  * label, a search (at least two characters once folded; names, phones and
  * the text of every message), or a list of clients (the dashboard refreshes
  * single rows this way when a live update arrives).
  *
  * Each branch is a static query so that each keeps a plan of its own: the
  * plain inbox walks clients_inbox_idx from the cursor, the search first
  * collects the clients that match.
 */
create or replace function public.inbox_page(
    p_status text default 'active',
    p_label_id uuid default null,
    p_query text default null,
    p_before_at timestamptz default null,
    p_before_id uuid default null,
    p_limit integer default 50,
    p_client_ids uuid[] default null
)
    returns table
            (
                id              uuid,
                name            text,
                phone           text,
                status          text,
                opted_out       boolean,
                unread_count    integer,
                last_read_at    timestamptz,
                last_message_at timestamptz,
                activity_at     timestamptz,
                updated_at      timestamptz,
                label_ids       uuid[],
                last_message    jsonb
            )
    language plpgsql
    stable
    security invoker
    set search_path = ''
as
$$
declare
    -- Before every row: the first page.
    v_before_at constant timestamptz := coalesce(p_before_at, 'infinity');
    v_before_id constant uuid := coalesce(p_before_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff');
    v_folded    text;
    v_pattern   text;
    v_digits    text;
begin
    if p_status is null or p_status not in ('active', 'archived') then
        raise exception 'inbox_page: p_status must be active or archived, not %', coalesce(p_status, 'null')
            using errcode = '22023';
    end if;
    if p_limit is null or p_limit not between 1 and 200 then
        raise exception 'inbox_page: p_limit must be between 1 and 200, not %', coalesce(p_limit::text, 'null')
            using errcode = '22023';
    end if;
    if (p_before_at is null) <> (p_before_id is null) then
        raise exception 'inbox_page: the cursor needs both p_before_at and p_before_id'
            using errcode = '22023';
    end if;
    if pg_catalog.char_length(p_query) > 200 then
        raise exception 'inbox_page: p_query is longer than 200 characters'
            using errcode = '22023';
    end if;

    v_folded := public.fold_for_search(p_query);
    if pg_catalog.char_length(v_folded) >= 2 then
        v_pattern := '%' || v_folded || '%';
        -- A query that looks like a phone number also matches its digits run together.
        if p_query ~ '^[0-9 +().-]+$' then
            v_digits := pg_catalog.regexp_replace(p_query, '[^0-9]', '', 'g');
            if pg_catalog.char_length(v_digits) >= 3 then
                v_digits := '%' || v_digits || '%';
            else
                v_digits := null;
            end if;
        end if;
    end if;

    if p_client_ids is not null then
        return query
            select c.id, c.name, c.phone::text, c.status, c.opted_out, c.unread_count, c.last_read_at,
                   c.last_message_at, c.activity_at, c.updated_at,
                   array(select cl.label_id
                         from public.client_labels cl
                         where cl.client_id = c.id
                         order by cl.created_at, cl.label_id),
                   (select pg_catalog.jsonb_build_object(
                                   'id', m.id, 'direction', m.direction, 'content', m.content,
                                   'media', m.media, 'status', m.status, 'reply_kind', m.reply_kind,
                                   'timestamp', m."timestamp")
                    from public.messages m
                    where m.owner_id = c.owner_id
                      and m.client_id = c.id
                    order by m."timestamp" desc, m.direction desc, m.id desc
                    limit 1)
            from public.clients c
            where c.id = any (p_client_ids)
              and c.status = p_status
              and (p_label_id is null
                or exists (select 1
                           from public.client_labels cl
                           where cl.client_id = c.id
                             and cl.label_id = p_label_id))
              and (v_pattern is null
                or c.search_text like v_pattern
                or c.search_text like v_digits
                or exists (select 1
                           from public.messages m
                           where m.owner_id = c.owner_id
                             and m.client_id = c.id
                             and m.search_text like v_pattern))
            order by c.activity_at desc, c.id desc
            limit p_limit;
    elsif v_pattern is null then
        return query
            select c.id, c.name, c.phone::text, c.status, c.opted_out, c.unread_count, c.last_read_at,
                   c.last_message_at, c.activity_at, c.updated_at,
                   array(select cl.label_id
                         from public.client_labels cl
                         where cl.client_id = c.id
                         order by cl.created_at, cl.label_id),
                   (select pg_catalog.jsonb_build_object(
                                   'id', m.id, 'direction', m.direction, 'content', m.content,
                                   'media', m.media, 'status', m.status, 'reply_kind', m.reply_kind,
                                   'timestamp', m."timestamp")
                    from public.messages m
                    where m.owner_id = c.owner_id
                      and m.client_id = c.id
                    order by m."timestamp" desc, m.direction desc, m.id desc
                    limit 1)
            from public.clients c
            where c.status = p_status
              and (c.activity_at, c.id) < (v_before_at, v_before_id)
              and (p_label_id is null
                or exists (select 1
                           from public.client_labels cl
                           where cl.client_id = c.id
                             and cl.label_id = p_label_id))
            order by c.activity_at desc, c.id desc
            limit p_limit;
    else
        return query
            with matched as (select c.id
                             from public.clients c
                             where c.status = p_status
                               and (c.search_text like v_pattern or c.search_text like v_digits)
                             union
                             select m.client_id
                             from public.messages m
                             where m.search_text like v_pattern)
            select c.id, c.name, c.phone::text, c.status, c.opted_out, c.unread_count, c.last_read_at,
                   c.last_message_at, c.activity_at, c.updated_at,
                   array(select cl.label_id
                         from public.client_labels cl
                         where cl.client_id = c.id
                         order by cl.created_at, cl.label_id),
                   (select pg_catalog.jsonb_build_object(
                                   'id', m.id, 'direction', m.direction, 'content', m.content,
                                   'media', m.media, 'status', m.status, 'reply_kind', m.reply_kind,
                                   'timestamp', m."timestamp")
                    from public.messages m
                    where m.owner_id = c.owner_id
                      and m.client_id = c.id
                    order by m."timestamp" desc, m.direction desc, m.id desc
                    limit 1)
            from public.clients c
                     join matched on matched.id = c.id
            where c.status = p_status
              and (c.activity_at, c.id) < (v_before_at, v_before_id)
              and (p_label_id is null
                or exists (select 1
                           from public.client_labels cl
                           where cl.client_id = c.id
                             and cl.label_id = p_label_id))
            order by c.activity_at desc, c.id desc
            limit p_limit;
    end if;
end;
$$;

comment on function public.inbox_page(text, uuid, text, timestamptz, uuid, integer, uuid[]) is
    'One page of the caller''s conversations, newest first; RLS keeps it to their own clients.';

/**
  * -------------------------------------------------------
  * Section - inbox_summary
  * -------------------------------------------------------
 */
create or replace function public.inbox_summary()
    returns table
            (
                unread_messages      bigint,
                unread_conversations bigint
            )
    language plpgsql
    stable
    security invoker
    set search_path = ''
as
$$
begin
    return query
        select coalesce(sum(c.unread_count), 0)::bigint, count(*)
        from public.clients c
        where c.owner_id = (select auth.uid())
          and c.unread_count > 0;
end;
$$;

comment on function public.inbox_summary() is
    'The caller''s unread messages and the conversations that have them.';

/**
  * -------------------------------------------------------
  * Section - conversation_page
  * -------------------------------------------------------
  * One page of a client's messages, newest first in the order of
  * messages_conversation_idx; the next page starts after the last row's
  * (timestamp, direction, id). A client of another business reads as empty.
 */
create or replace function public.conversation_page(
    p_client_id uuid,
    p_before_timestamp timestamptz default null,
    p_before_direction text default null,
    p_before_id uuid default null,
    p_limit integer default 50
)
    returns setof public.messages
    language plpgsql
    stable
    security invoker
    set search_path = ''
as
$$
declare
    -- Variables, not expressions in the query: under RLS only a leakproof condition can
    -- become an index condition, and coalesce() is not one.
    v_before_timestamp constant timestamptz := coalesce(p_before_timestamp, 'infinity');
    v_before_direction constant text := coalesce(p_before_direction, 'z');
    v_before_id        constant uuid := coalesce(p_before_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff');
    v_owner_id         uuid;
begin
    if p_client_id is null then
        raise exception 'conversation_page: p_client_id is required' using errcode = '22023';
    end if;
    if p_limit is null or p_limit not between 1 and 200 then
        raise exception 'conversation_page: p_limit must be between 1 and 200, not %',
            coalesce(p_limit::text, 'null')
            using errcode = '22023';
    end if;
    if (p_before_timestamp is null) <> (p_before_id is null)
        or (p_before_timestamp is null) <> (p_before_direction is null) then
        raise exception 'conversation_page: the cursor needs p_before_timestamp, p_before_direction and p_before_id'
            using errcode = '22023';
    end if;

    -- The client's owner, through RLS: nobody, for another business's client.
    select c.owner_id into v_owner_id from public.clients c where c.id = p_client_id;
    if v_owner_id is null then
        return;
    end if;

    return query
        select m.*
        from public.messages m
        where m.owner_id = v_owner_id
          and m.client_id = p_client_id
          and (m."timestamp", m.direction, m.id) < (v_before_timestamp, v_before_direction, v_before_id)
        order by m."timestamp" desc, m.direction desc, m.id desc
        limit p_limit;
end;
$$;

comment on function public.conversation_page(uuid, timestamptz, text, uuid, integer) is
    'One page of a conversation, newest first; RLS keeps it to the caller''s own clients.';

/**
  * -------------------------------------------------------
  * Section - mark_client_read
  * -------------------------------------------------------
  * Opening a conversation reads it: the unread count goes to zero and
  * last_read_at to the database's now. Returns false for a client the caller
  * cannot see. A conversation with nothing unread is left alone, so opening
  * it broadcasts nothing.
 */
create or replace function public.mark_client_read(p_client_id uuid)
    returns boolean
    language plpgsql
    volatile
    security invoker
    set search_path = ''
as
$$
begin
    update public.clients c
    set unread_count = 0,
        last_read_at = pg_catalog.now()
    where c.id = p_client_id
      and (c.unread_count > 0 or c.last_read_at is null);
    return exists (select 1 from public.clients c where c.id = p_client_id);
end;
$$;

comment on function public.mark_client_read(uuid) is
    'Marks one of the caller''s conversations read.';

/**
  * -------------------------------------------------------
  * Section - Grants
  * -------------------------------------------------------
  * Signed-in owners only; RLS decides which rows they see.
 */
revoke all on function public.inbox_page(text, uuid, text, timestamptz, uuid, integer, uuid[])
    from public, anon, authenticated, service_role;
revoke all on function public.inbox_summary() from public, anon, authenticated, service_role;
revoke all on function public.conversation_page(uuid, timestamptz, text, uuid, integer)
    from public, anon, authenticated, service_role;
revoke all on function public.mark_client_read(uuid) from public, anon, authenticated, service_role;

grant execute on function public.inbox_page(text, uuid, text, timestamptz, uuid, integer, uuid[]) to authenticated;
grant execute on function public.inbox_summary() to authenticated;
grant execute on function public.conversation_page(uuid, timestamptz, text, uuid, integer) to authenticated;
grant execute on function public.mark_client_read(uuid) to authenticated;
