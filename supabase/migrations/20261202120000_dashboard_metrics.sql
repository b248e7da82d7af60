/**
  * -------------------------------------------------------
  * The dashboard's metrics
  * -------------------------------------------------------
  * What the owner's Metrics screen calls through PostgREST, with the owner's
  * JWT, for the last p_days days (7, 30 or 90 on the screen; 1 to 366
  * accepted):
  *
  *   public.metrics_messages_per_day    messages received and sent, per day
  *   public.metrics_reply_kinds         how the messages received were answered:
  *                                      by an FAQ, the fallback, the away
  *                                      message, or not automatically
  *   public.metrics_new_clients_per_week  clients who wrote for the first time
  *   public.metrics_busiest_hours       messages received per weekday and hour
  *   public.metrics_top_faqs            the FAQs that answered most
  *   public.metrics_first_human_reply   how long customers wait for the owner's
  *                                      own first reply (median)
  *
  * Days, weeks (Monday first) and hours are the owner's, in users.timezone.
  * The period is whole local days: today and the p_days - 1 days before it.
  *
  * Each returns a few small aggregate rows computed next to the data; the
  * browser never fetches messages to count them. All are security invoker,
  * executable by authenticated only: RLS keeps each owner to their own rows,
  * and each also filters on the caller's (select auth.uid()) so that the
  * owner is an index condition. JIT is off in each: their plans read one
  * index range in tens of milliseconds, and compiling one cost more than
  * that (60 ms, measured on 90 days of a 500,000-message business).
 */

/**
  * -------------------------------------------------------
  * Section - Indexes
  * -------------------------------------------------------
  * A business's messages in time order, with the columns the metrics count
  * by, so that a period is one index-only range scan (90 days of a busy
  * business are about 125,000 entries). It starts with the columns of
  * messages_owner_id_timestamp_idx and replaces it.
 */
create index if not exists messages_metrics_idx
    on public.messages (owner_id, "timestamp")
    include (direction, reply_kind, faq_id);
drop index if exists public.messages_owner_id_timestamp_idx;

-- The owner's own replies, by client and time, with what the first-reply metric reads of
-- each: the period's replies come from this small index alone, and whether another reply
-- came first is one probe of it.
create index if not exists messages_human_replies_idx
    on public.messages (owner_id, client_id, "timestamp")
    include (in_reply_to, status)
    where reply_kind = 'manual';

-- New clients of a period.
create index if not exists clients_owner_id_created_at_idx
    on public.clients (owner_id, created_at);

/**
  * -------------------------------------------------------
  * Section - metrics_messages_per_day
  * -------------------------------------------------------
  * Every day of the period, with zeros for quiet days.
  *
  * The messages are counted in 15-minute bins of absolute time first, and
  * each bin is then placed in the owner's day: every time zone's offset and
  * daylight-saving change is a whole number of quarter hours, so a bin never
  * straddles a local midnight, and placing 8,640 bins costs far less than
  * converting 125,000 timestamps.
 */
create or replace function public.metrics_messages_per_day(p_days integer default 30)
    returns table
            (
                day          date,
                messages_in  bigint,
                messages_out bigint
            )
    language plpgsql
    stable
    security invoker
    set search_path = ''
    set jit = off
as
$$
declare
    v_owner     constant uuid := (select auth.uid());
    v_zone      text;
    v_last_day  date;
    v_first_day date;
    v_from      timestamptz;
    v_to        timestamptz;
begin
    if p_days is null or p_days not between 1 and 366 then
        raise exception 'metrics_messages_per_day: p_days must be between 1 and 366, not %',
            coalesce(p_days::text, 'null')
            using errcode = '22023';
    end if;
    select u.timezone into v_zone from public.users u where u.id = v_owner;
    if v_zone is null then
        return;
    end if;
    v_last_day := (pg_catalog.now() at time zone v_zone)::date;
    v_first_day := v_last_day - (p_days - 1);
    v_from := v_first_day::timestamp at time zone v_zone;
    v_to := (v_last_day + 1)::timestamp at time zone v_zone;

    return query
        with bins as (select pg_catalog.date_bin('15 minutes', m."timestamp", timestamptz '2000-01-01 00:00+00') as bin,
                             count(*) filter (where m.direction = 'in')  as received,
                             count(*) filter (where m.direction = 'out') as sent
                      from public.messages m
                      where m.owner_id = v_owner
                        and m."timestamp" >= v_from
                        and m."timestamp" < v_to
                      group by 1),
             per_day as (select (b.bin at time zone v_zone)::date as local_day,
                                sum(b.received)::bigint          as received,
                                sum(b.sent)::bigint              as sent
                         from bins b
                         group by 1)
        select d.day::date, coalesce(p.received, 0), coalesce(p.sent, 0)
        from pg_catalog.generate_series(v_first_day::timestamp, v_last_day::timestamp, interval '1 day') as d(day)
                 left join per_day p on p.local_day = d.day::date
        order by 1;
end;
$$;

comment on function public.metrics_messages_per_day(integer) is
    'The caller''s messages received and sent per day of their time zone, over the last p_days days.';

/**
  * -------------------------------------------------------
  * Section - metrics_reply_kinds
  * -------------------------------------------------------
  * One row: the messages received in the period, and the replies sent, by
  * kind. An automatic reply is stored in the same transaction as the message
  * it answers, with the same timestamp, so "received minus automatic
  * replies" is exactly the messages that got none (the fallback is sent at
  * most once per window; opted-out customers get nothing).
 */
create or replace function public.metrics_reply_kinds(p_days integer default 30)
    returns table
            (
                received           bigint,
                faq                bigint,
                fallback           bigint,
                away               bigint,
                opt_out            bigint,
                opt_in             bigint,
                manual             bigint,
                no_automatic_reply bigint
            )
    language plpgsql
    stable
    security invoker
    set search_path = ''
    set jit = off
as
$$
declare
    v_owner     constant uuid := (select auth.uid());
    v_zone      text;
    v_last_day  date;
    v_first_day date;
    v_from      timestamptz;
    v_to        timestamptz;
begin
    if p_days is null or p_days not between 1 and 366 then
        raise exception 'metrics_reply_kinds: p_days must be between 1 and 366, not %',
            coalesce(p_days::text, 'null')
            using errcode = '22023';
    end if;
    select u.timezone into v_zone from public.users u where u.id = v_owner;
    if v_zone is null then
        return;
    end if;
    v_last_day := (pg_catalog.now() at time zone v_zone)::date;
    v_first_day := v_last_day - (p_days - 1);
    v_from := v_first_day::timestamp at time zone v_zone;
    v_to := (v_last_day + 1)::timestamp at time zone v_zone;

    return query
        select k.received, k.faq, k.fallback, k.away, k.opt_out, k.opt_in, k.manual,
               greatest(k.received - (k.faq + k.fallback + k.away + k.opt_out + k.opt_in), 0)
        from (select count(*) filter (where m.direction = 'in')          as received,
                     count(*) filter (where m.reply_kind = 'faq')        as faq,
                     count(*) filter (where m.reply_kind = 'fallback')   as fallback,
                     count(*) filter (where m.reply_kind = 'away')       as away,
                     count(*) filter (where m.reply_kind = 'opt_out')    as opt_out,
                     count(*) filter (where m.reply_kind = 'opt_in')     as opt_in,
                     count(*) filter (where m.reply_kind = 'manual')     as manual
              from public.messages m
              where m.owner_id = v_owner
                and m."timestamp" >= v_from
                and m."timestamp" < v_to) k;
end;
$$;

comment on function public.metrics_reply_kinds(integer) is
    'How the caller''s messages of the last p_days days were answered: counts by reply kind.';

/**
  * -------------------------------------------------------
  * Section - metrics_new_clients_per_week
  * -------------------------------------------------------
  * Clients created in the period (a client is created by their first
  * message), per week of the owner's calendar starting on Monday. Every
  * week that overlaps the period is listed, the first one possibly counted
  * from the period's first day only.
 */
create or replace function public.metrics_new_clients_per_week(p_days integer default 30)
    returns table
            (
                week_start date,
                clients    bigint
            )
    language plpgsql
    stable
    security invoker
    set search_path = ''
    set jit = off
as
$$
declare
    v_owner     constant uuid := (select auth.uid());
    v_zone      text;
    v_last_day  date;
    v_first_day date;
    v_from      timestamptz;
    v_to        timestamptz;
begin
    if p_days is null or p_days not between 1 and 366 then
        raise exception 'metrics_new_clients_per_week: p_days must be between 1 and 366, not %',
            coalesce(p_days::text, 'null')
            using errcode = '22023';
    end if;
    select u.timezone into v_zone from public.users u where u.id = v_owner;
    if v_zone is null then
        return;
    end if;
    v_last_day := (pg_catalog.now() at time zone v_zone)::date;
    v_first_day := v_last_day - (p_days - 1);
    v_from := v_first_day::timestamp at time zone v_zone;
    v_to := (v_last_day + 1)::timestamp at time zone v_zone;

    return query
        with per_week as (select pg_catalog.date_trunc('week', c.created_at at time zone v_zone)::date as week,
                                 count(*)                                                              as created
                          from public.clients c
                          where c.owner_id = v_owner
                            and c.created_at >= v_from
                            and c.created_at < v_to
                          group by 1)
        select w.week::date, coalesce(p.created, 0)
        from pg_catalog.generate_series(pg_catalog.date_trunc('week', v_first_day::timestamp),
                                        v_last_day::timestamp, interval '1 week') as w(week)
                 left join per_week p on p.week = w.week::date
        order by 1;
end;
$$;

comment on function public.metrics_new_clients_per_week(integer) is
    'The caller''s new clients per week (Monday first, their time zone) over the last p_days days.';

/**
  * -------------------------------------------------------
  * Section - metrics_busiest_hours
  * -------------------------------------------------------
  * Messages received per weekday (ISO: 1 Monday .. 7 Sunday) and hour of
  * the owner's day; only the hours with messages. Counted in 15-minute bins
  * first, as metrics_messages_per_day explains.
 */
create or replace function public.metrics_busiest_hours(p_days integer default 30)
    returns table
            (
                weekday  integer,
                hour     integer,
                messages bigint
            )
    language plpgsql
    stable
    security invoker
    set search_path = ''
    set jit = off
as
$$
declare
    v_owner     constant uuid := (select auth.uid());
    v_zone      text;
    v_last_day  date;
    v_first_day date;
    v_from      timestamptz;
    v_to        timestamptz;
begin
    if p_days is null or p_days not between 1 and 366 then
        raise exception 'metrics_busiest_hours: p_days must be between 1 and 366, not %',
            coalesce(p_days::text, 'null')
            using errcode = '22023';
    end if;
    select u.timezone into v_zone from public.users u where u.id = v_owner;
    if v_zone is null then
        return;
    end if;
    v_last_day := (pg_catalog.now() at time zone v_zone)::date;
    v_first_day := v_last_day - (p_days - 1);
    v_from := v_first_day::timestamp at time zone v_zone;
    v_to := (v_last_day + 1)::timestamp at time zone v_zone;

    return query
        with bins as (select pg_catalog.date_bin('15 minutes', m."timestamp", timestamptz '2000-01-01 00:00+00') as bin,
                             count(*)                                                                       as received
                      from public.messages m
                      where m.owner_id = v_owner
                        and m."timestamp" >= v_from
                        and m."timestamp" < v_to
                        and m.direction = 'in'
                      group by 1)
        select extract(isodow from b.bin at time zone v_zone)::integer,
               extract(hour from b.bin at time zone v_zone)::integer,
               sum(b.received)::bigint
        from bins b
        group by 1, 2
        order by 1, 2;
end;
$$;

comment on function public.metrics_busiest_hours(integer) is
    'The caller''s messages received per weekday and hour of their time zone, over the last p_days days.';

/**
  * -------------------------------------------------------
  * Section - metrics_top_faqs
  * -------------------------------------------------------
  * The FAQs that answered most in the period (a reply records its FAQ in
  * messages.faq_id), most first. A deleted FAQ's answers lose their faq_id
  * and drop out.
 */
create or replace function public.metrics_top_faqs(p_days integer default 30, p_limit integer default 5)
    returns table
            (
                faq_id   uuid,
                question text,
                active   boolean,
                answers  bigint
            )
    language plpgsql
    stable
    security invoker
    set search_path = ''
    set jit = off
as
$$
declare
    v_owner     constant uuid := (select auth.uid());
    v_zone      text;
    v_last_day  date;
    v_first_day date;
    v_from      timestamptz;
    v_to        timestamptz;
begin
    if p_days is null or p_days not between 1 and 366 then
        raise exception 'metrics_top_faqs: p_days must be between 1 and 366, not %',
            coalesce(p_days::text, 'null')
            using errcode = '22023';
    end if;
    if p_limit is null or p_limit not between 1 and 50 then
        raise exception 'metrics_top_faqs: p_limit must be between 1 and 50, not %',
            coalesce(p_limit::text, 'null')
            using errcode = '22023';
    end if;
    select u.timezone into v_zone from public.users u where u.id = v_owner;
    if v_zone is null then
        return;
    end if;
    v_last_day := (pg_catalog.now() at time zone v_zone)::date;
    v_first_day := v_last_day - (p_days - 1);
    v_from := v_first_day::timestamp at time zone v_zone;
    v_to := (v_last_day + 1)::timestamp at time zone v_zone;

    return query
        with counted as (select m.faq_id, count(*) as answers
                         from public.messages m
                         where m.owner_id = v_owner
                           and m."timestamp" >= v_from
                           and m."timestamp" < v_to
                           and m.reply_kind = 'faq'
                           and m.faq_id is not null
                         group by m.faq_id)
        select f.id, f.question, f.active, c.answers
        from counted c
                 join public.faqs f on f.id = c.faq_id
        order by c.answers desc, f.position, f.id
        limit p_limit;
end;
$$;

comment on function public.metrics_top_faqs(integer, integer) is
    'The caller''s FAQs that answered most over the last p_days days.';

/**
  * -------------------------------------------------------
  * Section - metrics_first_human_reply
  * -------------------------------------------------------
  * How long customers wait for the owner's own reply (reply_kind 'manual'),
  * for the replies sent in the period. A reply answers the customer's
  * message it names (in_reply_to), or else the customer's latest message
  * before it; it counts when it is the owner's first reply since that
  * message (a second reply to the same question is not a wait). Replies
  * that failed to reach WhatsApp do not count. replies is 0 and the median
  * null while the owner has replied to nobody in the period.
 */
create or replace function public.metrics_first_human_reply(p_days integer default 30)
    returns table
            (
                replies        bigint,
                median_seconds double precision
            )
    language plpgsql
    stable
    security invoker
    set search_path = ''
    set jit = off
as
$$
declare
    v_owner     constant uuid := (select auth.uid());
    v_zone      text;
    v_last_day  date;
    v_first_day date;
    v_from      timestamptz;
    v_to        timestamptz;
begin
    if p_days is null or p_days not between 1 and 366 then
        raise exception 'metrics_first_human_reply: p_days must be between 1 and 366, not %',
            coalesce(p_days::text, 'null')
            using errcode = '22023';
    end if;
    select u.timezone into v_zone from public.users u where u.id = v_owner;
    if v_zone is null then
        return;
    end if;
    v_last_day := (pg_catalog.now() at time zone v_zone)::date;
    v_first_day := v_last_day - (p_days - 1);
    v_from := v_first_day::timestamp at time zone v_zone;
    v_to := (v_last_day + 1)::timestamp at time zone v_zone;

    return query
        -- Subqueries in the select lists run once per reply, through the primary key and
        -- messages_conversation_idx: a few index probes each, never a scan of the period.
        with asked as materialized
                 (select r.client_id,
                         r."timestamp" as replied_at,
                         coalesce((select q."timestamp"
                                   from public.messages q
                                   where q.id = r.in_reply_to
                                     and q.owner_id = v_owner
                                     and q.direction = 'in'
                                     and q."timestamp" <= r."timestamp"),
                                  (select q."timestamp"
                                   from public.messages q
                                   where q.owner_id = v_owner
                                     and q.client_id = r.client_id
                                     and q."timestamp" <= r."timestamp"
                                     and q.direction = 'in'
                                   order by q."timestamp" desc
                                   limit 1)) as asked_at
                  from public.messages r
                  where r.owner_id = v_owner
                    and r."timestamp" >= v_from
                    and r."timestamp" < v_to
                    and r.reply_kind = 'manual'
                    and r.status not in ('failed', 'undelivered')),
             first_replies as materialized
                 (select a.replied_at - a.asked_at as waited,
                         exists (select 1
                                 from public.messages e
                                 where e.owner_id = v_owner
                                   and e.client_id = a.client_id
                                   and e."timestamp" >= a.asked_at
                                   and e."timestamp" < a.replied_at
                                   and e.reply_kind = 'manual'
                                   and e.status not in ('failed', 'undelivered')) as answered_before
                  from asked a
                  where a.asked_at is not null)
        select count(*),
               percentile_cont(0.5) within group (order by extract(epoch from f.waited)::double precision)
        from first_replies f
        where not f.answered_before;
end;
$$;

comment on function public.metrics_first_human_reply(integer) is
    'How long the caller''s customers waited for the owner''s first own reply (median), over the last p_days days.';

/**
  * -------------------------------------------------------
  * Section - Grants
  * -------------------------------------------------------
  * Signed-in owners only; RLS decides which rows they count.
 */
revoke all on function public.metrics_messages_per_day(integer) from public, anon, authenticated, service_role;
revoke all on function public.metrics_reply_kinds(integer) from public, anon, authenticated, service_role;
revoke all on function public.metrics_new_clients_per_week(integer) from public, anon, authenticated, service_role;
revoke all on function public.metrics_busiest_hours(integer) from public, anon, authenticated, service_role;
revoke all on function public.metrics_top_faqs(integer, integer) from public, anon, authenticated, service_role;
revoke all on function public.metrics_first_human_reply(integer) from public, anon, authenticated, service_role;

grant execute on function public.metrics_messages_per_day(integer) to authenticated;
grant execute on function public.metrics_reply_kinds(integer) to authenticated;
grant execute on function public.metrics_new_clients_per_week(integer) to authenticated;
grant execute on function public.metrics_busiest_hours(integer) to authenticated;
grant execute on function public.metrics_top_faqs(integer, integer) to authenticated;
grant execute on function public.metrics_first_human_reply(integer) to authenticated;
