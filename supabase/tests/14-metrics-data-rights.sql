/*
 * The Metrics screen's functions (20261202120000_dashboard_metrics.sql) and
 * erasing a client (20261202120100_erase_client.sql), as a signed-in owner
 * calls them: their contract (security invoker, empty search_path,
 * executable by authenticated only), the counts in the owner's own time
 * zone, and that another owner or anon gets nothing. Erasing removes every
 * row of the client and nothing of anyone else's, including replies still
 * in the outbox, and keeps the opt-out memory.
 */
begin;
create extension if not exists pgtap with schema extensions;
create extension if not exists plpgsql_check with schema extensions;
set local search_path = public, extensions;
grant execute on all functions in schema extensions to anon, authenticated, service_role;

select plan(61);

/*
 * ---------------------------------------------------------------------------
 * Contract
 * ---------------------------------------------------------------------------
 */
select has_function('public', 'metrics_messages_per_day', array ['integer']);
select has_function('public', 'metrics_reply_kinds', array ['integer']);
select has_function('public', 'metrics_new_clients_per_week', array ['integer']);
select has_function('public', 'metrics_busiest_hours', array ['integer']);
select has_function('public', 'metrics_top_faqs', array ['integer', 'integer']);
select has_function('public', 'metrics_first_human_reply', array ['integer']);
select has_function('public', 'erase_client', array ['uuid']);

create temporary table new_rpcs on commit drop as
select p.oid
from pg_proc p
where p.pronamespace = 'public'::regnamespace
  and p.proname in ('metrics_messages_per_day', 'metrics_reply_kinds', 'metrics_new_clients_per_week',
                    'metrics_busiest_hours', 'metrics_top_faqs', 'metrics_first_human_reply', 'erase_client');

select is((select count(*)::integer from new_rpcs), 7, 'seven new RPCs, one signature each');
select is_empty(
    $$ select p.oid::regprocedure::text from pg_proc p join new_rpcs n on n.oid = p.oid
       where p.prosecdef or not coalesce(p.proconfig, '{}') @> array ['search_path=""']
          or p.prolang <> (select l.oid from pg_language l where l.lanname = 'plpgsql') $$,
    'the new RPCs are plpgsql, security invoker, with an empty search_path');
select is_empty(
    $$ select p.oid::regprocedure::text || ' ' || r.rolname from pg_proc p join new_rpcs n on n.oid = p.oid
       cross join (values ('anon'), ('service_role'), ('public')) r(rolname)
       where case when r.rolname = 'public'
                  then exists (select 1 from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                               where a.grantee = 0 and a.privilege_type = 'EXECUTE')
                  else has_function_privilege(r.rolname, p.oid, 'execute') end $$,
    'only authenticated may execute the new RPCs (not anon, service_role or public)');
select ok((select bool_and(has_function_privilege('authenticated', n.oid, 'execute')) from new_rpcs n),
          'authenticated may execute every new RPC');
select is_empty(
    $$ select n.oid::regprocedure, r.level, r.message, r.lineno
       from new_rpcs n
                cross join lateral plpgsql_check_function_tb(
                   n.oid, fatal_errors => false, extra_warnings => true, security_warnings => true) r
       where r.level <> 'performance' $$,
    'plpgsql_check finds nothing in the new RPCs');

select has_index('public', 'messages', 'messages_metrics_idx',
                 array ['owner_id', '"timestamp"', 'direction', 'reply_kind', 'faq_id']);
select has_index('public', 'messages', 'messages_human_replies_idx',
                 array ['owner_id', 'client_id', '"timestamp"', 'in_reply_to', 'status']);
select has_index('public', 'clients', 'clients_owner_id_created_at_idx', array ['owner_id', 'created_at']);
select hasnt_index('public', 'messages', 'messages_owner_id_timestamp_idx',
                   'messages_metrics_idx replaces the narrower index on the same columns');

/*
 * ---------------------------------------------------------------------------
 * Two businesses in two time zones
 * ---------------------------------------------------------------------------
 * A is in Mexico City (UTC-6). B is in Kathmandu (UTC+5:45): a quarter-hour
 * offset, so its local midnight falls in the middle of a UTC hour.
 * Times are local to each business, relative to its own today, and always
 * in the past.
 */
insert into auth.users (id, email, aud, role)
values ('a1400000-0000-4000-8000-000000000001', 'metrics-a@example.test', 'authenticated', 'authenticated'),
       ('b1400000-0000-4000-8000-000000000002', 'metrics-b@example.test', 'authenticated', 'authenticated');
update public.users set timezone = 'America/Mexico_City' where id = 'a1400000-0000-4000-8000-000000000001';
update public.users set timezone = 'Asia/Kathmandu' where id = 'b1400000-0000-4000-8000-000000000002';

-- Local day k days ago at a local time, as an instant.
create function pg_temp.local_at(p_zone text, p_days_ago integer, p_time time) returns timestamptz
    language sql stable
as
$$ select (((now() at time zone p_zone)::date - p_days_ago) + p_time) at time zone p_zone $$;

create temporary table today on commit drop as
select (now() at time zone 'America/Mexico_City')::date as a,
       (now() at time zone 'Asia/Kathmandu')::date      as b;
grant select on today to authenticated;

insert into public.faqs (id, owner_id, question, answer, position)
values ('a14fa000-0000-4000-8000-000000000001', 'a1400000-0000-4000-8000-000000000001',
        '¿A qué hora abren?', 'De 7 a 20 h.', 1),
       ('a14fa000-0000-4000-8000-000000000002', 'a1400000-0000-4000-8000-000000000001',
        '¿Dónde están?', 'Calle Libertad 1842.', 2);

insert into public.clients (id, owner_id, phone, name, created_at)
values ('a14c0000-0000-4000-8000-000000000001', 'a1400000-0000-4000-8000-000000000001', '+5213314000001',
        'Valeria Íñiguez', pg_temp.local_at('America/Mexico_City', 2, '10:00')),
       ('a14c0000-0000-4000-8000-000000000002', 'a1400000-0000-4000-8000-000000000001', '+5213314000002',
        'José Ramírez', pg_temp.local_at('America/Mexico_City', 10, '12:00')),
       ('a14c0000-0000-4000-8000-000000000003', 'a1400000-0000-4000-8000-000000000001', '+5213314000003',
        'Miguel Sandoval', pg_temp.local_at('America/Mexico_City', 40, '12:00')),
       ('b14c0000-0000-4000-8000-000000000001', 'b1400000-0000-4000-8000-000000000002', '+9779800000001',
        'Cliente de B', pg_temp.local_at('Asia/Kathmandu', 5, '12:00'));

insert into public.labels (id, owner_id, name)
values ('a14ab000-0000-4000-8000-000000000001', 'a1400000-0000-4000-8000-000000000001', 'Pedido grande');
insert into public.client_labels (client_id, label_id)
values ('a14c0000-0000-4000-8000-000000000001', 'a14ab000-0000-4000-8000-000000000001'),
       ('a14c0000-0000-4000-8000-000000000003', 'a14ab000-0000-4000-8000-000000000001');

insert into public.messages (id, owner_id, client_id, direction, content, status, reply_kind, faq_id,
                             in_reply_to, "timestamp", next_attempt_at)
select m.id::uuid, m.owner_id::uuid, m.client_id::uuid, m.direction, m.content, m.status, m.reply_kind,
       m.faq_id::uuid, m.in_reply_to::uuid, pg_temp.local_at(m.zone, m.days_ago, m.at::time),
       case when m.status = 'queued' then now() - interval '1 minute' end
from (values
          -- A, Valeria: a FAQ late yesterday; two days ago the fallback, then the owner twice.
          ('a14e0000-0000-4000-8000-000000000001', 'a1400000-0000-4000-8000-000000000001',
           'a14c0000-0000-4000-8000-000000000001', 'in', '¿Abren mañana?', 'received', null, null, null,
           'America/Mexico_City', 1, '23:50'),
          ('a14e0000-0000-4000-8000-000000000002', 'a1400000-0000-4000-8000-000000000001',
           'a14c0000-0000-4000-8000-000000000001', 'out', 'De 7 a 20 h.', 'read', 'faq',
           'a14fa000-0000-4000-8000-000000000001', 'a14e0000-0000-4000-8000-000000000001',
           'America/Mexico_City', 1, '23:50'),
          ('a14e0000-0000-4000-8000-000000000003', 'a1400000-0000-4000-8000-000000000001',
           'a14c0000-0000-4000-8000-000000000001', 'in', '¿Hacen pasteles de Bluey?', 'received', null, null,
           null, 'America/Mexico_City', 2, '10:00'),
          ('a14e0000-0000-4000-8000-000000000004', 'a1400000-0000-4000-8000-000000000001',
           'a14c0000-0000-4000-8000-000000000001', 'out', 'En un momento te atendemos.', 'read', 'fallback',
           null, 'a14e0000-0000-4000-8000-000000000003', 'America/Mexico_City', 2, '10:00'),
          -- The owner's first reply, 20 minutes later (it names no message: the latest one counts).
          ('a14e0000-0000-4000-8000-000000000005', 'a1400000-0000-4000-8000-000000000001',
           'a14c0000-0000-4000-8000-000000000001', 'out', '¡Claro que sí!', 'read', 'manual', null, null,
           'America/Mexico_City', 2, '10:20'),
          -- A second reply to the same question is not a wait.
          ('a14e0000-0000-4000-8000-000000000006', 'a1400000-0000-4000-8000-000000000001',
           'a14c0000-0000-4000-8000-000000000001', 'out', '¿Para cuántas personas?', 'read', 'manual', null,
           null, 'America/Mexico_City', 2, '10:30'),
          -- A, José: the away message, then a message without automatic reply; the owner's
          -- reply that failed does not count, the one that names the first question does (1 h).
          ('a14e0000-0000-4000-8000-000000000007', 'a1400000-0000-4000-8000-000000000001',
           'a14c0000-0000-4000-8000-000000000002', 'in', 'Buenas, ¿tienen bolillo?', 'received', null, null,
           null, 'America/Mexico_City', 3, '08:15'),
          ('a14e0000-0000-4000-8000-000000000008', 'a1400000-0000-4000-8000-000000000001',
           'a14c0000-0000-4000-8000-000000000002', 'out', 'Ahorita estamos cerrados.', 'read', 'away', null,
           'a14e0000-0000-4000-8000-000000000007', 'America/Mexico_City', 3, '08:15'),
          ('a14e0000-0000-4000-8000-000000000009', 'a1400000-0000-4000-8000-000000000001',
           'a14c0000-0000-4000-8000-000000000002', 'in', 'Son 200', 'received', null, null, null,
           'America/Mexico_City', 3, '08:20'),
          ('a14e0000-0000-4000-8000-000000000010', 'a1400000-0000-4000-8000-000000000001',
           'a14c0000-0000-4000-8000-000000000002', 'out', 'Sí hay, ¿a qué hora pasas?', 'delivered', 'manual',
           null, 'a14e0000-0000-4000-8000-000000000007', 'America/Mexico_City', 3, '09:15'),
          ('a14e0000-0000-4000-8000-000000000011', 'a1400000-0000-4000-8000-000000000001',
           'a14c0000-0000-4000-8000-000000000002', 'out', 'Hola', 'failed', 'manual', null, null,
           'America/Mexico_City', 3, '09:00'),
          -- Ten days ago: in 30 days, not in 7.
          ('a14e0000-0000-4000-8000-000000000012', 'a1400000-0000-4000-8000-000000000001',
           'a14c0000-0000-4000-8000-000000000002', 'in', '¿Dónde quedan?', 'received', null, null, null,
           'America/Mexico_City', 10, '12:00'),
          ('a14e0000-0000-4000-8000-000000000013', 'a1400000-0000-4000-8000-000000000001',
           'a14c0000-0000-4000-8000-000000000002', 'out', 'Calle Libertad 1842.', 'read', 'faq',
           'a14fa000-0000-4000-8000-000000000002', 'a14e0000-0000-4000-8000-000000000012',
           'America/Mexico_City', 10, '12:00'),
          -- A, Miguel (to be erased): yesterday at noon, and his answer still in the outbox.
          ('a14e0000-0000-4000-8000-000000000014', 'a1400000-0000-4000-8000-000000000001',
           'a14c0000-0000-4000-8000-000000000003', 'in', '¿Dónde están?', 'received', null, null, null,
           'America/Mexico_City', 1, '12:00'),
          ('a14e0000-0000-4000-8000-000000000015', 'a1400000-0000-4000-8000-000000000001',
           'a14c0000-0000-4000-8000-000000000003', 'out', 'Calle Libertad 1842.', 'queued', 'faq',
           'a14fa000-0000-4000-8000-000000000002', 'a14e0000-0000-4000-8000-000000000014',
           'America/Mexico_City', 1, '12:00'),
          -- B: 23:50 two days ago and 00:05 yesterday are different days in Kathmandu.
          ('b14e0000-0000-4000-8000-000000000001', 'b1400000-0000-4000-8000-000000000002',
           'b14c0000-0000-4000-8000-000000000001', 'in', 'Namaste', 'received', null, null, null,
           'Asia/Kathmandu', 2, '23:50'),
          ('b14e0000-0000-4000-8000-000000000002', 'b1400000-0000-4000-8000-000000000002',
           'b14c0000-0000-4000-8000-000000000001', 'in', 'Hola otra vez', 'received', null, null, null,
           'Asia/Kathmandu', 1, '00:05'))
         as m(id, owner_id, client_id, direction, content, status, reply_kind, faq_id, in_reply_to, zone,
              days_ago, at);

-- Miguel wrote BAJA once: the opt-out memory keeps his phone.
update public.clients set opted_out = true, opted_out_at = now() - interval '5 days'
where id = 'a14c0000-0000-4000-8000-000000000003';

/*
 * ---------------------------------------------------------------------------
 * Metrics, as owner A
 * ---------------------------------------------------------------------------
 */
set local role authenticated;
set local request.jwt.claims = '{"sub": "a1400000-0000-4000-8000-000000000001", "role": "authenticated"}';

select results_eq(
    $$ select count(*)::integer, min(day), max(day) from public.metrics_messages_per_day(7) $$,
    $$ select 7, a - 6, a from today $$,
    'metrics_messages_per_day: every day of the period, today included, in the owner''s time zone');
select results_eq(
    $$ select day, messages_in, messages_out from public.metrics_messages_per_day(7)
       where messages_in + messages_out > 0 order by day $$,
    $$ select a - 3, 2::bigint, 3::bigint from today
       union all select a - 2, 1, 3 from today
       union all select a - 1, 2, 2 from today $$,
    'metrics_messages_per_day: received and sent per local day (23:50 stays on its own day)');
select is((select sum(messages_in)::integer from public.metrics_messages_per_day(30)), 6,
          'metrics_messages_per_day: 30 days include the message ten days ago');
select is((select count(*)::integer from public.metrics_messages_per_day(90)), 90,
          'metrics_messages_per_day: 90 days, one row each');

select results_eq(
    $$ select received, faq, fallback, away, opt_out, opt_in, manual, no_automatic_reply
       from public.metrics_reply_kinds(7) $$,
    $$ values (5::bigint, 2::bigint, 1::bigint, 1::bigint, 0::bigint, 0::bigint, 4::bigint, 1::bigint) $$,
    'metrics_reply_kinds: received, replies by kind, and the one message without an automatic reply');

select results_eq(
    $$ select week_start, clients from public.metrics_new_clients_per_week(7) where clients > 0 $$,
    $$ select date_trunc('week', (a - 2)::timestamp)::date, 1::bigint from today $$,
    'metrics_new_clients_per_week: the client created two days ago, in its Monday-first week');
select is((select sum(clients)::integer from public.metrics_new_clients_per_week(30)), 2,
          'metrics_new_clients_per_week: 30 days also count the client created ten days ago');
select ok((select bool_and(extract(isodow from week_start) = 1) from public.metrics_new_clients_per_week(90)),
          'metrics_new_clients_per_week: every week starts on a Monday');

select results_eq(
    $$ select weekday, hour, messages from public.metrics_busiest_hours(7) order by weekday, hour $$,
    $$ select d, h, n from (select extract(isodow from a - 1)::integer as d, 23 as h, 1::bigint as n from today
                            union all select extract(isodow from a - 1)::integer, 12, 1 from today
                            union all select extract(isodow from a - 2)::integer, 10, 1 from today
                            union all select extract(isodow from a - 3)::integer, 8, 2 from today) x
       order by d, h $$,
    'metrics_busiest_hours: messages received per local weekday and hour');

select results_eq(
    $$ select question, answers from public.metrics_top_faqs(30) $$,
    $$ values ('¿Dónde están?', 2::bigint), ('¿A qué hora abren?', 1::bigint) $$,
    'metrics_top_faqs: the FAQs that answered most first');
select results_eq(
    $$ select question from public.metrics_top_faqs(30, 1) $$,
    $$ values ('¿Dónde están?') $$,
    'metrics_top_faqs: p_limit keeps the first ones');

select results_eq(
    $$ select replies, median_seconds from public.metrics_first_human_reply(7) $$,
    $$ values (2::bigint, 2400::double precision) $$,
    'metrics_first_human_reply: first replies only (not a second reply, not a failed one), median of 20 min and 1 h');

select throws_ok($$ select * from public.metrics_messages_per_day(0) $$, '22023', null,
                 'metrics_messages_per_day refuses an empty period');
select throws_ok($$ select * from public.metrics_busiest_hours(367) $$, '22023', null,
                 'metrics_busiest_hours refuses more than a year');
select throws_ok($$ select * from public.metrics_top_faqs(30, 51) $$, '22023', null,
                 'metrics_top_faqs refuses a limit over 50');
select throws_ok($$ select * from public.metrics_reply_kinds(null) $$, '22023', null,
                 'metrics_reply_kinds refuses a null period');

/*
 * ---------------------------------------------------------------------------
 * Owner B sees only B's, in Kathmandu's days
 * ---------------------------------------------------------------------------
 */
set local request.jwt.claims = '{"sub": "b1400000-0000-4000-8000-000000000002", "role": "authenticated"}';

select results_eq(
    $$ select day, messages_in, messages_out from public.metrics_messages_per_day(7)
       where messages_in + messages_out > 0 order by day $$,
    $$ select b - 2, 1::bigint, 0::bigint from today union all select b - 1, 1, 0 from today $$,
    'metrics_messages_per_day: B''s own messages, split at Kathmandu''s midnight (UTC+5:45)');
select set_eq(
    $$ select weekday, hour from public.metrics_busiest_hours(7) $$,
    $$ select extract(isodow from b - 2)::integer, 23 from today
       union all select extract(isodow from b - 1)::integer, 0 from today $$,
    'metrics_busiest_hours: B''s hours in Kathmandu''s time');
select results_eq(
    $$ select received, faq, manual from public.metrics_reply_kinds(90) $$,
    $$ values (2::bigint, 0::bigint, 0::bigint) $$,
    'metrics_reply_kinds: nothing of A''s');
select is_empty($$ select * from public.metrics_top_faqs(90) $$, 'metrics_top_faqs: none of A''s FAQs');
select results_eq($$ select replies, median_seconds from public.metrics_first_human_reply(90) $$,
                  $$ values (0::bigint, null::double precision) $$,
                  'metrics_first_human_reply: none of A''s replies; no median without replies');
select is((select sum(clients)::integer from public.metrics_new_clients_per_week(90)), 1,
          'metrics_new_clients_per_week: only B''s client');

/*
 * ---------------------------------------------------------------------------
 * anon may call none of them
 * ---------------------------------------------------------------------------
 */
set local role anon;
set local request.jwt.claims = '{"role": "anon"}';
select throws_ok($$ select * from public.metrics_messages_per_day(7) $$, '42501', null,
                 'anon may not call metrics_messages_per_day');
select throws_ok($$ select * from public.metrics_reply_kinds(7) $$, '42501', null,
                 'anon may not call metrics_reply_kinds');
select throws_ok($$ select * from public.metrics_new_clients_per_week(7) $$, '42501', null,
                 'anon may not call metrics_new_clients_per_week');
select throws_ok($$ select * from public.metrics_busiest_hours(7) $$, '42501', null,
                 'anon may not call metrics_busiest_hours');
select throws_ok($$ select * from public.metrics_top_faqs(7) $$, '42501', null,
                 'anon may not call metrics_top_faqs');
select throws_ok($$ select * from public.metrics_first_human_reply(7) $$, '42501', null,
                 'anon may not call metrics_first_human_reply');
select throws_ok($$ select public.erase_client('a14c0000-0000-4000-8000-000000000003') $$, '42501', null,
                 'anon may not call erase_client');

/*
 * ---------------------------------------------------------------------------
 * Erasing a client
 * ---------------------------------------------------------------------------
 */
set local role authenticated;
set local request.jwt.claims = '{"sub": "b1400000-0000-4000-8000-000000000002", "role": "authenticated"}';
select throws_ok($$ select public.erase_client('a14c0000-0000-4000-8000-000000000003') $$, 'P0002', null,
                 'another owner''s client reads as missing');

set local request.jwt.claims = '{"sub": "a1400000-0000-4000-8000-000000000001", "role": "authenticated"}';
select throws_ok($$ select public.erase_client(null) $$, '22023', null, 'erase_client needs a client');
select throws_ok($$ select public.erase_client('a14c0000-0000-4000-8000-0000000000ff') $$, 'P0002', null,
                 'erase_client: an unknown client reads as missing');
select is(public.erase_client('a14c0000-0000-4000-8000-000000000003'),
          '{"client_id": "a14c0000-0000-4000-8000-000000000003", "name": "Miguel Sandoval", "messages": 2, "labels": 1}'::jsonb,
          'erase_client: the owner erases their client and is told what went');

select results_eq(
    $$ select day, messages_in, messages_out from public.metrics_messages_per_day(7) where day = (select a - 1 from today) $$,
    $$ select a - 1, 1::bigint, 1::bigint from today $$,
    'the erased client''s messages leave the metrics at once');
select results_eq(
    $$ select question, answers from public.metrics_top_faqs(30) $$,
    $$ values ('¿A qué hora abren?', 1::bigint), ('¿Dónde están?', 1::bigint) $$,
    'the erased client''s FAQ answers leave the top FAQs (a tie goes by the FAQs'' order)');

reset role;
set local request.jwt.claims = '';

select is_empty($$ select 1 from public.clients where id = 'a14c0000-0000-4000-8000-000000000003' $$,
                'the client row is gone');
select is_empty($$ select 1 from public.messages where client_id = 'a14c0000-0000-4000-8000-000000000003' $$,
                'every message of the client is gone');
select is_empty($$ select 1 from public.client_labels where client_id = 'a14c0000-0000-4000-8000-000000000003' $$,
                'the client''s labels are gone');
select is((select count(*)::integer from public.client_labels
           where client_id = 'a14c0000-0000-4000-8000-000000000001'), 1,
          'another client keeps their label');
select is((select count(*)::integer from public.messages where owner_id = 'a1400000-0000-4000-8000-000000000001'),
          13, 'the business''s other messages stay');
select is((select count(*)::integer from public.messages where owner_id = 'b1400000-0000-4000-8000-000000000002'),
          2, 'the other business''s messages stay');

-- The reply that was waiting in the outbox is gone: the sweeper finds nothing to send.
set local role service_role;
select is_empty(
    $$ select * from public.claim_due_outbound_messages(100) as due(claimed)
       where (due.claimed ->> 'id')::uuid = 'a14e0000-0000-4000-8000-000000000015' $$,
    'the erased client''s pending reply is never sent');
select is((select public.record_outbound_result(p_message_id => 'a14e0000-0000-4000-8000-000000000015',
                                               p_claim_token => 1, p_twilio_sid => 'SMerased',
                                               p_status => 'sent')),
          null, 'a send result for the erased reply changes nothing');
reset role;

select ok(exists (select 1 from private.opt_outs
                  where owner_id = 'a1400000-0000-4000-8000-000000000001' and phone = '+5213314000003'),
          'the opt-out memory keeps the phone: no automatic replies if they write again');
insert into public.clients (owner_id, phone, name)
values ('a1400000-0000-4000-8000-000000000001', '+5213314000003', 'Miguel Sandoval');
select ok((select opted_out from public.clients
           where owner_id = 'a1400000-0000-4000-8000-000000000001' and phone = '+5213314000003'),
          'a new client with that phone starts opted out');

select * from finish();
rollback;
