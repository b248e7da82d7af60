/*
 * Realtime, broadcast from the database: every insert, update and delete on
 * the inbox tables stores exactly one private broadcast in realtime.messages
 * on the topic inbox:<owner id>, with Supabase's payload; and the RLS policy
 * on realtime.messages lets an owner read (so Realtime lets them join) only
 * their own topic. Realtime checks a join by selecting as the user with
 * realtime.topic set to the channel name, which is what this file does.
 */
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
-- The assertions below run as anon/authenticated: let them call pgTAP even if
-- PUBLIC loses EXECUTE on new functions (rolled back with the test).
grant execute on all functions in schema extensions to anon, authenticated;

select plan(46);

/*
 * The broadcasts about one row: its id, or client_id/label_id for
 * client_labels, in the new or the old record.
 */
create function pg_temp.broadcasts(p_event text, p_key text)
    returns table
            (
                topic        text,
                operation    text,
                table_name   text,
                table_schema text,
                record       jsonb,
                old_record   jsonb,
                extension    text,
                private      boolean
            )
    language sql
as
$$
select m.topic,
       m.payload ->> 'operation',
       m.payload ->> 'table',
       m.payload ->> 'schema',
       nullif(m.payload -> 'record', 'null'),
       nullif(m.payload -> 'old_record', 'null'),
       m.extension,
       m.private
from realtime.messages m
where m.event = p_event
  and p_key in (coalesce(m.payload -> 'record' ->> 'id',
                         (m.payload -> 'record' ->> 'client_id') || '/' || (m.payload -> 'record' ->> 'label_id')),
                coalesce(m.payload -> 'old_record' ->> 'id',
                         (m.payload -> 'old_record' ->> 'client_id') || '/' ||
                         (m.payload -> 'old_record' ->> 'label_id')))
$$;

/*
 * How many broadcasts the current role can read, as Realtime's join check
 * reads them. A role without the SELECT grant reads none.
 */
create function pg_temp.readable_broadcasts()
    returns bigint
    language plpgsql
as
$$
begin
    return (select count(*) from realtime.messages);
exception
    when insufficient_privilege then
        return 0;
end;
$$;

grant execute on function pg_temp.broadcasts(text, text), pg_temp.readable_broadcasts()
    to anon, authenticated, service_role;

/*
 * ---------------------------------------------------------------------------
 * Triggers and policy exist
 * ---------------------------------------------------------------------------
 */
select has_trigger('public', 'messages', 'messages_broadcast_changes', 'messages broadcast their changes');
select has_trigger('public', 'clients', 'clients_broadcast_changes', 'clients broadcast their changes');
select has_trigger('public', 'labels', 'labels_broadcast_changes', 'labels broadcast their changes');
select has_trigger('public', 'faqs', 'faqs_broadcast_changes', 'faqs broadcast their changes');
select has_trigger('public', 'client_labels', 'client_labels_broadcast_changes',
                   'client_labels broadcast their changes');

select policies_are('realtime', 'messages', array ['Owners can receive their own inbox broadcasts'],
                    'realtime.messages has exactly the inbox policy');
select policy_roles_are('realtime', 'messages', 'Owners can receive their own inbox broadcasts',
                        array ['authenticated'], 'only authenticated users can receive broadcasts');
select policy_cmd_is('realtime', 'messages', 'Owners can receive their own inbox broadcasts', 'select',
                     'the policy only lets users receive, never send');

/*
 * ---------------------------------------------------------------------------
 * Two businesses: A (11111111-...) and B (22222222-...)
 * ---------------------------------------------------------------------------
 */
insert into auth.users (id, email)
values ('11111111-1111-4111-8111-111111111111', 'ana@example.com'),
       ('22222222-2222-4222-8222-222222222222', 'beto@example.com');

/*
 * ---------------------------------------------------------------------------
 * clients
 * ---------------------------------------------------------------------------
 */
insert into public.clients (id, owner_id, phone, name)
values ('a1000000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', '+5213300000001', 'Cliente A1');

select results_eq(
    $$ select topic, operation, table_name, table_schema, record ->> 'name', old_record, extension, private
       from pg_temp.broadcasts('INSERT', 'a1000000-0000-4000-8000-000000000001') $$,
    $$ values ('inbox:11111111-1111-4111-8111-111111111111', 'INSERT', 'clients', 'public', 'Cliente A1',
               null::jsonb, 'broadcast', true) $$,
    'inserting a client broadcasts one private INSERT with the new record on its owner''s topic');

update public.clients set name = 'Cliente A1 bis' where id = 'a1000000-0000-4000-8000-000000000001';

select results_eq(
    $$ select topic, operation, record ->> 'name', old_record ->> 'name'
       from pg_temp.broadcasts('UPDATE', 'a1000000-0000-4000-8000-000000000001') $$,
    $$ values ('inbox:11111111-1111-4111-8111-111111111111', 'UPDATE', 'Cliente A1 bis', 'Cliente A1') $$,
    'updating a client broadcasts one UPDATE with the new and the old record');

/*
 * ---------------------------------------------------------------------------
 * labels
 * ---------------------------------------------------------------------------
 */
insert into public.labels (id, owner_id, name)
values ('a2000000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', 'VIP');

select results_eq(
    $$ select topic, operation, table_name, record ->> 'name', old_record
       from pg_temp.broadcasts('INSERT', 'a2000000-0000-4000-8000-000000000001') $$,
    $$ values ('inbox:11111111-1111-4111-8111-111111111111', 'INSERT', 'labels', 'VIP', null::jsonb) $$,
    'inserting a label broadcasts one INSERT on its owner''s topic');

update public.labels set color = '#ff0000' where id = 'a2000000-0000-4000-8000-000000000001';

select results_eq(
    $$ select topic, operation, record ->> 'color', old_record ->> 'color'
       from pg_temp.broadcasts('UPDATE', 'a2000000-0000-4000-8000-000000000001') $$,
    $$ values ('inbox:11111111-1111-4111-8111-111111111111', 'UPDATE', '#ff0000', '#64748b') $$,
    'updating a label broadcasts one UPDATE');

/*
 * ---------------------------------------------------------------------------
 * client_labels: no owner_id of its own; the owner comes from the client
 * ---------------------------------------------------------------------------
 */
insert into public.client_labels (client_id, label_id)
values ('a1000000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000001');

select results_eq(
    $$ select topic, operation, table_name, record ->> 'label_id', old_record
       from pg_temp.broadcasts('INSERT', 'a1000000-0000-4000-8000-000000000001/a2000000-0000-4000-8000-000000000001') $$,
    $$ values ('inbox:11111111-1111-4111-8111-111111111111', 'INSERT', 'client_labels',
               'a2000000-0000-4000-8000-000000000001', null::jsonb) $$,
    'labelling a client broadcasts one INSERT on the client''s owner''s topic');

update public.client_labels
set updated_at = now() + interval '1 minute'
where client_id = 'a1000000-0000-4000-8000-000000000001';

select results_eq(
    $$ select topic, operation, old_record ->> 'client_id'
       from pg_temp.broadcasts('UPDATE', 'a1000000-0000-4000-8000-000000000001/a2000000-0000-4000-8000-000000000001') $$,
    $$ values ('inbox:11111111-1111-4111-8111-111111111111', 'UPDATE', 'a1000000-0000-4000-8000-000000000001') $$,
    'updating a client label broadcasts one UPDATE');

delete from public.client_labels where client_id = 'a1000000-0000-4000-8000-000000000001';

select results_eq(
    $$ select topic, operation, record, old_record ->> 'label_id'
       from pg_temp.broadcasts('DELETE', 'a1000000-0000-4000-8000-000000000001/a2000000-0000-4000-8000-000000000001') $$,
    $$ values ('inbox:11111111-1111-4111-8111-111111111111', 'DELETE', null::jsonb,
               'a2000000-0000-4000-8000-000000000001') $$,
    'removing a label from a client broadcasts one DELETE with the old record');

/*
 * ---------------------------------------------------------------------------
 * faqs, written by the owner through the API (role authenticated)
 * ---------------------------------------------------------------------------
 */
set local role authenticated;
set local request.jwt.claims = '{"sub": "11111111-1111-4111-8111-111111111111", "role": "authenticated"}';

insert into public.faqs (id, question, answer)
values ('a3000000-0000-4000-8000-000000000001', '¿Horario?', 'De 9 a 6.');
update public.faqs set answer = 'De 9 a 7.' where id = 'a3000000-0000-4000-8000-000000000001';
delete from public.faqs where id = 'a3000000-0000-4000-8000-000000000001';

reset role;
set local request.jwt.claims = '';

select results_eq(
    $$ select topic, operation, table_name, record ->> 'answer', old_record
       from pg_temp.broadcasts('INSERT', 'a3000000-0000-4000-8000-000000000001') $$,
    $$ values ('inbox:11111111-1111-4111-8111-111111111111', 'INSERT', 'faqs', 'De 9 a 6.', null::jsonb) $$,
    'an owner adding a FAQ through the API broadcasts one INSERT');
select results_eq(
    $$ select topic, operation, record ->> 'answer', old_record ->> 'answer'
       from pg_temp.broadcasts('UPDATE', 'a3000000-0000-4000-8000-000000000001') $$,
    $$ values ('inbox:11111111-1111-4111-8111-111111111111', 'UPDATE', 'De 9 a 7.', 'De 9 a 6.') $$,
    'an owner editing a FAQ broadcasts one UPDATE');
select results_eq(
    $$ select topic, operation, record, old_record ->> 'answer'
       from pg_temp.broadcasts('DELETE', 'a3000000-0000-4000-8000-000000000001') $$,
    $$ values ('inbox:11111111-1111-4111-8111-111111111111', 'DELETE', null::jsonb, 'De 9 a 7.') $$,
    'an owner deleting a FAQ broadcasts one DELETE');

/*
 * ---------------------------------------------------------------------------
 * messages, written by the webhook (role service_role)
 * ---------------------------------------------------------------------------
 */
set local role service_role;

insert into public.messages (id, owner_id, client_id, direction, content, status)
values ('a4000000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111',
        'a1000000-0000-4000-8000-000000000001', 'in', 'Hola, ¿tienen conchas?', 'received'),
       ('a4000000-0000-4000-8000-000000000002', '11111111-1111-4111-8111-111111111111',
        'a1000000-0000-4000-8000-000000000001', 'out', 'Sí, de vainilla.', 'queued');
update public.messages set status = 'sent' where id = 'a4000000-0000-4000-8000-000000000002';
delete from public.messages where id = 'a4000000-0000-4000-8000-000000000002';

reset role;

select results_eq(
    $$ select topic, operation, table_name, record ->> 'direction', record ->> 'content', old_record
       from pg_temp.broadcasts('INSERT', 'a4000000-0000-4000-8000-000000000001') $$,
    $$ values ('inbox:11111111-1111-4111-8111-111111111111', 'INSERT', 'messages', 'in',
               'Hola, ¿tienen conchas?', null::jsonb) $$,
    'the webhook storing an inbound message broadcasts one INSERT with the message');
select results_eq(
    $$ select topic, operation, record ->> 'status', old_record ->> 'status'
       from pg_temp.broadcasts('UPDATE', 'a4000000-0000-4000-8000-000000000002') $$,
    $$ values ('inbox:11111111-1111-4111-8111-111111111111', 'UPDATE', 'sent', 'queued') $$,
    'a status change of a message broadcasts one UPDATE');
select results_eq(
    $$ select topic, operation, record, old_record ->> 'content'
       from pg_temp.broadcasts('DELETE', 'a4000000-0000-4000-8000-000000000002') $$,
    $$ values ('inbox:11111111-1111-4111-8111-111111111111', 'DELETE', null::jsonb, 'Sí, de vainilla.') $$,
    'deleting a message broadcasts one DELETE');

/*
 * ---------------------------------------------------------------------------
 * Deletes and their cascades
 * ---------------------------------------------------------------------------
 */
-- Deleting a label cascades to client_labels; the owner comes from the client.
insert into public.labels (id, owner_id, name)
values ('a2000000-0000-4000-8000-000000000002', '11111111-1111-4111-8111-111111111111', 'Mayoreo');
insert into public.client_labels (client_id, label_id)
values ('a1000000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000002');
delete from public.labels where id = 'a2000000-0000-4000-8000-000000000002';

select results_eq(
    $$ select topic, operation, old_record ->> 'name'
       from pg_temp.broadcasts('DELETE', 'a2000000-0000-4000-8000-000000000002') $$,
    $$ values ('inbox:11111111-1111-4111-8111-111111111111', 'DELETE', 'Mayoreo') $$,
    'deleting a label broadcasts one DELETE');
select results_eq(
    $$ select topic, operation
       from pg_temp.broadcasts('DELETE', 'a1000000-0000-4000-8000-000000000001/a2000000-0000-4000-8000-000000000002') $$,
    $$ values ('inbox:11111111-1111-4111-8111-111111111111', 'DELETE') $$,
    'the label''s removal from its clients (a cascade) broadcasts one DELETE per client');

-- Deleting a client cascades to its labels (the owner then comes from the
-- label, the client being gone) and to its messages.
insert into public.client_labels (client_id, label_id)
values ('a1000000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000001');
delete from public.clients where id = 'a1000000-0000-4000-8000-000000000001';

select results_eq(
    $$ select topic, operation, record, old_record ->> 'name'
       from pg_temp.broadcasts('DELETE', 'a1000000-0000-4000-8000-000000000001') $$,
    $$ values ('inbox:11111111-1111-4111-8111-111111111111', 'DELETE', null::jsonb, 'Cliente A1 bis') $$,
    'deleting a client broadcasts one DELETE');
select results_eq(
    $$ select count(*)::int, min(topic)
       from pg_temp.broadcasts('DELETE', 'a1000000-0000-4000-8000-000000000001/a2000000-0000-4000-8000-000000000001') $$,
    $$ values (2, 'inbox:11111111-1111-4111-8111-111111111111') $$,
    'the client''s labels removed by the cascade broadcast on the owner''s topic (the earlier removal and this one)');
select results_eq(
    $$ select topic, operation, old_record ->> 'content'
       from pg_temp.broadcasts('DELETE', 'a4000000-0000-4000-8000-000000000001') $$,
    $$ values ('inbox:11111111-1111-4111-8111-111111111111', 'DELETE', 'Hola, ¿tienen conchas?') $$,
    'the client''s messages deleted by the cascade broadcast one DELETE each');

-- Erasing business B entirely: every broadcast about B's rows stays on B's
-- topic, and client labels whose client and label are both gone are skipped.
insert into public.clients (id, owner_id, phone, name)
values ('b1000000-0000-4000-8000-000000000001', '22222222-2222-4222-8222-222222222222', '+5213300000001', 'Cliente B1');
insert into public.labels (id, owner_id, name)
values ('b2000000-0000-4000-8000-000000000001', '22222222-2222-4222-8222-222222222222', 'VIP');
insert into public.client_labels (client_id, label_id)
values ('b1000000-0000-4000-8000-000000000001', 'b2000000-0000-4000-8000-000000000001');
insert into public.faqs (id, owner_id, question, answer)
values ('b3000000-0000-4000-8000-000000000001', '22222222-2222-4222-8222-222222222222', '¿Precio?', '100 pesos.');
insert into public.messages (id, owner_id, client_id, direction, content, status)
values ('b4000000-0000-4000-8000-000000000001', '22222222-2222-4222-8222-222222222222',
        'b1000000-0000-4000-8000-000000000001', 'in', 'Hola B', 'received');

select lives_ok(
    $$ delete from auth.users where id = '22222222-2222-4222-8222-222222222222' $$,
    'erasing a whole business (every table cascading) succeeds');
select results_eq(
    $$ select topic, count(*)::int from (
           select topic from pg_temp.broadcasts('DELETE', 'b1000000-0000-4000-8000-000000000001')
           union all
           select topic from pg_temp.broadcasts('DELETE', 'b2000000-0000-4000-8000-000000000001')
           union all
           select topic from pg_temp.broadcasts('DELETE', 'b3000000-0000-4000-8000-000000000001')
           union all
           select topic from pg_temp.broadcasts('DELETE', 'b4000000-0000-4000-8000-000000000001')
           union all
           select topic from pg_temp.broadcasts('DELETE',
               'b1000000-0000-4000-8000-000000000001/b2000000-0000-4000-8000-000000000001')
       ) t group by topic $$,
    $$ values ('inbox:22222222-2222-4222-8222-222222222222', 4) $$,
    'the erased business''s client, label, FAQ and message deletes go to its own topic only');
select is(
    (select count(*)::int from pg_temp.broadcasts('INSERT', 'b1000000-0000-4000-8000-000000000001')),
    1,
    'B''s client was broadcast once, on creation');

/*
 * ---------------------------------------------------------------------------
 * Nothing is broadcast twice or elsewhere
 * ---------------------------------------------------------------------------
 */
select is_empty(
    $$ select coalesce(payload -> 'record' ->> 'id', payload -> 'old_record' ->> 'id'), event, count(*)
       from realtime.messages
       where payload ->> 'table' in ('clients', 'labels', 'faqs', 'messages')
         and coalesce(payload -> 'record' ->> 'id', payload -> 'old_record' ->> 'id') like any
             (array ['a_000000-0000-4000-8000-%', 'b_000000-0000-4000-8000-%'])
       group by 1, 2
       having count(*) > 1 $$,
    'no change is broadcast twice');
select is_empty(
    $$ select topic from realtime.messages
       where coalesce(payload -> 'record' ->> 'owner_id', payload -> 'old_record' ->> 'owner_id')
                 in ('11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222')
         and topic <> 'inbox:' || coalesce(payload -> 'record' ->> 'owner_id', payload -> 'old_record' ->> 'owner_id') $$,
    'every change goes to its owner''s topic');

/*
 * ---------------------------------------------------------------------------
 * Who may receive: Realtime's join check, as the joining user
 * ---------------------------------------------------------------------------
 */
-- A Realtime join check inserts a probe on the channel's topic; our
-- broadcasts above stand in for it here.
set local role authenticated;
set local request.jwt.claims = '{"sub": "11111111-1111-4111-8111-111111111111", "role": "authenticated"}';

set local realtime.topic = 'inbox:11111111-1111-4111-8111-111111111111';
select cmp_ok(pg_temp.readable_broadcasts(), '>', 0::bigint,
              'an owner can receive the broadcasts on their own inbox topic');
select is_empty(
    $$ select 1 from realtime.messages where topic <> 'inbox:11111111-1111-4111-8111-111111111111' $$,
    'and nothing else, even if a broadcast on another topic were there');
select is(
    (select count(*)::int from realtime.messages where extension <> 'broadcast'),
    0,
    'an owner receives broadcasts only, not other extensions');

set local realtime.topic = 'inbox:22222222-2222-4222-8222-222222222222';
select is(pg_temp.readable_broadcasts(), 0::bigint,
          'an owner cannot receive on another business''s inbox topic');

set local realtime.topic = 'inbox:11111111-1111-4111-8111-111111111111:extra';
select is(pg_temp.readable_broadcasts(), 0::bigint, 'nor on a topic that merely starts with their own');

set local realtime.topic = '';
select is(pg_temp.readable_broadcasts(), 0::bigint, 'nor without a topic');

set local realtime.topic = 'inbox:11111111-1111-4111-8111-111111111111';
select throws_ok(
    $$ insert into realtime.messages (topic, extension, payload, event)
       values ('inbox:11111111-1111-4111-8111-111111111111', 'broadcast', '{}', 'INSERT') $$,
    '42501', null,
    'an owner cannot send (forge) a broadcast on their own topic');

-- Business B's token for A's topic.
set local request.jwt.claims = '{"sub": "22222222-2222-4222-8222-222222222222", "role": "authenticated"}';
select is(pg_temp.readable_broadcasts(), 0::bigint, 'another business cannot receive on A''s inbox topic');

-- Signed in, but without a sub.
set local request.jwt.claims = '{"role": "authenticated"}';
select is(pg_temp.readable_broadcasts(), 0::bigint, 'a token without a user receives nothing');

-- The anon key, even with A's topic and a forged sub in its claims.
reset role;
set local role anon;
set local request.jwt.claims = '{"sub": "11111111-1111-4111-8111-111111111111", "role": "anon"}';
select is(pg_temp.readable_broadcasts(), 0::bigint, 'anon receives nothing on an owner''s topic');
set local request.jwt.claims = '{"role": "anon"}';
select is(pg_temp.readable_broadcasts(), 0::bigint, 'anon receives nothing at all');

reset role;
set local request.jwt.claims = '';
set local realtime.topic = '';

/*
 * ---------------------------------------------------------------------------
 * The trigger functions are not callable from the API
 * ---------------------------------------------------------------------------
 */
select is_definer('private', 'broadcast_inbox_change', array []::name[],
                  'broadcast_inbox_change is security definer (owners'' own writes must broadcast)');
select is_definer('private', 'broadcast_client_label_change', array []::name[],
                  'broadcast_client_label_change is security definer (it must see the client and label)');
select ok(not has_function_privilege('authenticated', 'private.broadcast_inbox_change()', 'EXECUTE')
              and not has_function_privilege('anon', 'private.broadcast_inbox_change()', 'EXECUTE')
              and not has_function_privilege('authenticated', 'private.broadcast_client_label_change()', 'EXECUTE')
              and not has_function_privilege('anon', 'private.broadcast_client_label_change()', 'EXECUTE'),
          'neither anon nor authenticated can execute the broadcast trigger functions');
select ok(not has_function_privilege('authenticated',
                                     'realtime.broadcast_changes(text, text, text, text, text, record, record, text)',
                                     'EXECUTE'),
          'authenticated cannot call realtime.broadcast_changes directly');

select * from finish();
rollback;
