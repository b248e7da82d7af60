/*
 * One broadcast per inbound message: handle_inbound_message stores exactly
 * one row in realtime.messages, on its business's private topic, whose
 * payload lists every change it made ({record, old_record, operation, table,
 * schema}) in the order it made them; changes undone by the reply's error
 * handler are not in it; every other writer still broadcasts each row; and
 * nothing about another business is in the batch or reaches its topic.
 */
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
grant execute on all functions in schema extensions to anon, authenticated;

select plan(36);

/*
 * The stored broadcasts, one row per change: a batch's changes in their
 * order, or a row's own broadcast.
 */
create function pg_temp.changes()
    returns table
            (
                topic     text,
                event     text,
                operation text,
                tbl       text,
                detail    text,
                owner_id  text
            )
    language sql
as
$$
select m.topic,
       m.event,
       c.change ->> 'operation',
       c.change ->> 'table',
       case c.change ->> 'table'
           when 'messages' then (c.change -> 'record' ->> 'direction') || ':' ||
                                coalesce(c.change -> 'record' ->> 'reply_kind', c.change -> 'record' ->> 'content')
           when 'clients' then (c.change -> 'record' ->> 'unread_count') || ':' ||
                               (c.change -> 'record' ->> 'opted_out')
           when 'client_labels' then (select coalesce(l.builtin, '') || '/' || l.name
                                      from public.labels l
                                      where l.id = (c.change -> 'record' ->> 'label_id')::uuid)
           else c.change ->> 'table' end,
       coalesce(c.change -> 'record', c.change -> 'old_record') ->> 'owner_id'
from realtime.messages m
         cross join lateral jsonb_array_elements(
        case when m.event = 'BATCH' then m.payload -> 'changes' else jsonb_build_array(m.payload) end)
    with ordinality as c(change, n)
order by m.inserted_at, m.id, c.n
$$;

create function pg_temp.broadcasts()
    returns bigint
    language sql
as
$$
select count(*) from realtime.messages
$$;

/*
 * realtime.messages.inserted_at is now(), the same for the whole
 * transaction, so each step below starts by deleting what the previous one
 * stored.
 */

/*
 * ---------------------------------------------------------------------------
 * Two businesses: A with an FAQ and a keyword label, B with nothing
 * ---------------------------------------------------------------------------
 */
insert into auth.users (id, email)
values ('a5111111-1111-4111-8111-111111111111', 'batch-a@example.test'),
       ('b5222222-2222-4222-8222-222222222222', 'batch-b@example.test');
update public.users set whatsapp_number = '+5213300005111' where id = 'a5111111-1111-4111-8111-111111111111';
update public.users set whatsapp_number = '+5213300005222' where id = 'b5222222-2222-4222-8222-222222222222';
insert into public.faqs (owner_id, question, answer)
values ('a5111111-1111-4111-8111-111111111111', '¿Cuál es su horario?', 'Abrimos de 8 a 20 h.');
insert into public.labels (owner_id, name, type, keywords)
values ('a5111111-1111-4111-8111-111111111111', 'Pasteles', 'auto', array ['pastel']);
delete from realtime.messages;

/*
 * ---------------------------------------------------------------------------
 * A new client asks about a cake and the opening hours: the FAQ answers
 * ---------------------------------------------------------------------------
 */
create temp table first_answer as
select public.handle_inbound_message('+5213300005111', '+5213300000501', 'SMbatch000000000000000000000000001',
                                     'Hola, ¿a qué hora abren? Quiero un pastel', 'Lucía') as answer;
select is((select answer #>> '{reply,kind}' from first_answer), 'faq', 'the first message gets the FAQ answer');
select is(
    (select answer -> 'reply' from first_answer),
    (select private.outbound_payload((answer #>> '{reply,id}')::uuid, false) from first_answer),
    'the reply handed back is the stored reply, field for field');
select is(
    (select count(distinct m.cmin::text)
     from public.messages m
     where m.owner_id = 'a5111111-1111-4111-8111-111111111111'),
    1::bigint,
    'the message and its reply are stored by one statement');
select is(
    (select r.in_reply_to = i.id and i.id = (select (answer ->> 'message_id')::uuid from first_answer)
     from public.messages i
              join public.messages r on r.owner_id = i.owner_id and r.direction = 'out'
     where i.owner_id = 'a5111111-1111-4111-8111-111111111111' and i.direction = 'in'),
    true,
    'the reply names the inbound message, whose id is the one handed back');

select is(pg_temp.broadcasts(), 1::bigint, 'the inbound message stores exactly one broadcast');
select results_eq(
    $$ select topic, event, extension, private from realtime.messages $$,
    $$ values ('inbox:a5111111-1111-4111-8111-111111111111', 'BATCH', 'broadcast', true) $$,
    'it is a private broadcast on the business''s own inbox topic, with the event BATCH');
select results_eq(
    $$ select operation, tbl, detail from pg_temp.changes() $$,
    $$ values ('INSERT', 'clients', '1:false'),
              ('INSERT', 'client_labels', '/Pasteles'),
              ('INSERT', 'client_labels', 'new_client/Cliente nuevo'),
              ('INSERT', 'messages', 'in:Hola, ¿a qué hora abren? Quiero un pastel'),
              ('INSERT', 'messages', 'out:faq') $$,
    'its changes, in order: the new client, its keyword and new-client labels, the message, the reply');
select is(
    (select jsonb_agg(c.change -> 'record' ->> 'id' order by c.n)
     from realtime.messages m
              cross join lateral jsonb_array_elements(m.payload -> 'changes') with ordinality as c(change, n)
     where c.change ->> 'table' = 'messages'),
    (select jsonb_agg(x.id::text order by x.direction)
     from public.messages x
     where x.owner_id = 'a5111111-1111-4111-8111-111111111111'),
    'the messages in the batch are the stored rows, the inbound one first');
select is(
    (select count(*)
     from realtime.messages m
              cross join lateral jsonb_array_elements(m.payload -> 'changes') as c(change)
     where c.change ->> 'schema' = 'public'
       and c.change ? 'old_record'
       and c.change ->> 'operation' = 'INSERT'
       and c.change -> 'old_record' = 'null'::jsonb
       and c.change -> 'record' is not null),
    5::bigint,
    'each change has Supabase''s shape: schema, operation, record, and a null old_record for an insert');
select is(
    (select count(*) from pg_temp.changes() where tbl <> 'client_labels' and owner_id is distinct from 'a5111111-1111-4111-8111-111111111111'),
    0::bigint,
    'every row in the batch is the business''s own');
select is(current_setting('facilchat.inbox_batch', true), '',
          'the batch is closed when handle_inbound_message returns');

/*
 * After it, in the same transaction, a write broadcasts its own row again.
 */
delete from realtime.messages;
update public.labels set color = '#00aa00' where owner_id = 'a5111111-1111-4111-8111-111111111111' and name = 'Pasteles';
select results_eq(
    $$ select event, operation, tbl from pg_temp.changes() $$,
    $$ values ('UPDATE', 'UPDATE', 'labels') $$,
    'a later write in the same transaction broadcasts its own row, as before');

/*
 * ---------------------------------------------------------------------------
 * The same client again, with no FAQ for it: the fallback, and its label
 * ---------------------------------------------------------------------------
 */
delete from realtime.messages;
select is(
    public.handle_inbound_message('+5213300005111', '+5213300000501', 'SMbatch000000000000000000000000002',
                                  'zzz qqq', 'Lucía') #>> '{reply,kind}',
    'fallback',
    'a message with no answer gets the fallback');
select results_eq(
    $$ select event, operation, tbl, detail from pg_temp.changes() $$,
    $$ values ('BATCH', 'UPDATE', 'clients', '2:false'),
              ('BATCH', 'INSERT', 'client_labels', 'needs_attention/Requiere atención'),
              ('BATCH', 'INSERT', 'messages', 'in:zzz qqq'),
              ('BATCH', 'INSERT', 'messages', 'out:fallback') $$,
    'one broadcast: the client''s update, the needs-attention label, the message, the fallback');
select is(
    (select (c.change -> 'old_record' ->> 'unread_count') || '->' || (c.change -> 'record' ->> 'unread_count')
     from realtime.messages m
              cross join lateral jsonb_array_elements(m.payload -> 'changes') as c(change)
     where c.change ->> 'table' = 'clients'),
    '1->2',
    'the client''s update carries the old record and the new one');

/*
 * ---------------------------------------------------------------------------
 * STOP: the opt-out's second update of the client is in the same batch
 * ---------------------------------------------------------------------------
 */
delete from realtime.messages;
select is(
    public.handle_inbound_message('+5213300005111', '+5213300000501', 'SMbatch000000000000000000000000003',
                                  'STOP', 'Lucía') #>> '{reply,kind}',
    'opt_out',
    'STOP is confirmed');
select results_eq(
    $$ select event, operation, tbl, detail from pg_temp.changes() $$,
    $$ values ('BATCH', 'UPDATE', 'clients', '3:false'),
              ('BATCH', 'UPDATE', 'clients', '3:true'),
              ('BATCH', 'INSERT', 'messages', 'in:STOP'),
              ('BATCH', 'INSERT', 'messages', 'out:opt_out') $$,
    'one broadcast: the client''s update, the opt-out, the message, its confirmation');

/*
 * ---------------------------------------------------------------------------
 * A retried MessageSid stores nothing and broadcasts nothing
 * ---------------------------------------------------------------------------
 */
delete from realtime.messages;
select is(
    public.handle_inbound_message('+5213300005111', '+5213300000501', 'SMbatch000000000000000000000000003',
                                  'STOP', 'Lucía') ->> 'status',
    'duplicate',
    'the retry is recognised');
select is(pg_temp.broadcasts(), 0::bigint, 'and broadcasts nothing');

/*
 * ---------------------------------------------------------------------------
 * A reply that cannot be stored: what its block undid is not in the batch
 * ---------------------------------------------------------------------------
 * A fallback longer than a message may be, as the table allowed before it
 * checked: the fallback's label is applied, then storing the reply fails and
 * the block is undone; storing the fallback again fails too. The message is
 * kept, with no reply, and the batch holds exactly the rows that exist.
 */
alter table public.users drop constraint users_fallback_message_check;
update public.users set fallback_message = repeat('x', 5000) where id = 'a5111111-1111-4111-8111-111111111111';
delete from realtime.messages;
select is(
    public.handle_inbound_message('+5213300005111', '+5213300000502', 'SMbatch000000000000000000000000004',
                                  'zzz qqq', 'Mario') -> 'reply',
    'null'::jsonb,
    'a reply that cannot be stored: the message is kept with no reply');
select results_eq(
    $$ select event, operation, tbl, detail from pg_temp.changes() $$,
    $$ values ('BATCH', 'INSERT', 'clients', '1:false'),
              ('BATCH', 'INSERT', 'client_labels', 'new_client/Cliente nuevo'),
              ('BATCH', 'INSERT', 'messages', 'in:zzz qqq') $$,
    'the batch has the client, the message and its label; not the undone needs-attention label');
select is(
    (select count(*)
     from public.client_labels cl
              join public.clients c on c.id = cl.client_id
     where c.phone = '+5213300000502'),
    1::bigint,
    'and that is what the tables hold: one label on the new client');

/*
 * ---------------------------------------------------------------------------
 * Another business: its own batch on its own topic, nothing in A's
 * ---------------------------------------------------------------------------
 */
delete from realtime.messages;
select is(
    public.handle_inbound_message('+5213300005222', '+5213300000501', 'SMbatch000000000000000000000000005',
                                  'Hola', 'Lucía') ->> 'status',
    'stored',
    'B''s message is stored');
select results_eq(
    $$ select distinct topic, owner_id from pg_temp.changes() where tbl <> 'client_labels' $$,
    $$ values ('inbox:b5222222-2222-4222-8222-222222222222', 'b5222222-2222-4222-8222-222222222222') $$,
    'its one broadcast is on B''s topic and holds only B''s rows');

/*
 * ---------------------------------------------------------------------------
 * Who can read a batch: its owner, under the same policy; nobody else
 * ---------------------------------------------------------------------------
 */
set local realtime.topic = 'inbox:b5222222-2222-4222-8222-222222222222';
set local role authenticated;
set local request.jwt.claims = '{"sub": "b5222222-2222-4222-8222-222222222222", "role": "authenticated"}';
select is((select count(*) from realtime.messages where event = 'BATCH'), 1::bigint,
          'B''s owner can read the batch on their topic');
set local request.jwt.claims = '{"sub": "a5111111-1111-4111-8111-111111111111", "role": "authenticated"}';
select is((select count(*) from realtime.messages), 0::bigint, 'A''s owner cannot read B''s batch');
reset role;

/*
 * ---------------------------------------------------------------------------
 * A business with no active FAQ: straight to the fallback, no matcher
 * ---------------------------------------------------------------------------
 * The matcher's calls in this transaction are counted by the statistics
 * collector (track_functions).
 */
set local track_functions = 'all';
create temp table matcher_calls as
select coalesce(pg_stat_get_xact_function_calls('private.match_faq(uuid, text)'::regprocedure), 0) as calls;
create function pg_temp.new_matcher_calls()
    returns bigint
    language plpgsql
as
$$
declare
    v_now  bigint := coalesce(pg_stat_get_xact_function_calls('private.match_faq(uuid, text)'::regprocedure), 0);
    v_seen bigint;
begin
    select calls into v_seen from matcher_calls;
    update matcher_calls set calls = v_now;
    return v_now - v_seen;
end;
$$;

select is(
    public.handle_inbound_message('+5213300005222', '+5213300000511', 'SMbatch000000000000000000000000006',
                                  '¿A qué hora abren?', 'Rosa') #>> '{reply,kind}',
    'fallback',
    'B has no FAQ: the question gets the fallback');
select is(pg_temp.new_matcher_calls(), 0::bigint, 'and the matcher did not run');

insert into public.faqs (owner_id, question, answer, active)
values ('b5222222-2222-4222-8222-222222222222', '¿Cuál es su horario?', 'De 9 a 18 h.', false);
select is(
    public.handle_inbound_message('+5213300005222', '+5213300000512', 'SMbatch000000000000000000000000007',
                                  '¿A qué hora abren?', 'Rosa') #>> '{reply,kind}',
    'fallback',
    'an FAQ switched off answers nothing: the fallback');
select is(pg_temp.new_matcher_calls(), 0::bigint, 'and the matcher did not run');

update public.faqs set active = true where owner_id = 'b5222222-2222-4222-8222-222222222222';
select is(
    public.handle_inbound_message('+5213300005222', '+5213300000513', 'SMbatch000000000000000000000000008',
                                  '¿A qué hora abren?', 'Rosa') #>> '{reply,kind}',
    'faq',
    'switched on, the FAQ answers');
select is(pg_temp.new_matcher_calls(), 1::bigint, 'through the matcher, once');
select is(
    public.handle_inbound_message('+5213300005222', '+5213300000514', 'SMbatch000000000000000000000000009',
                                  'zzz qqq', 'Rosa') #>> '{reply,kind}',
    'fallback',
    'a message the FAQ does not answer still gets the fallback');
select is(pg_temp.new_matcher_calls(), 1::bigint, 'after the matcher ran');

/*
 * ---------------------------------------------------------------------------
 * The batch's functions: not callable by the API's roles
 * ---------------------------------------------------------------------------
 */
select ok(not has_function_privilege('authenticated', 'private.send_inbox_batch()', 'execute')
              and not has_function_privilege('anon', 'private.send_inbox_batch()', 'execute'),
          'owners and anon cannot send a batch');
select ok(not has_function_privilege('authenticated', 'private.broadcast_inbox_change()', 'execute')
              and not has_function_privilege('authenticated', 'private.broadcast_client_label_change()', 'execute'),
          'owners cannot run the row triggers that add to a batch');

select * from finish();
rollback;
