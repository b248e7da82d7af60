/*
 * The FAQ screen's SQL (20261202100000_dashboard_faqs.sql), as a signed-in
 * owner calls it: the contract of its functions (security invoker, one
 * definer part in private, executable by authenticated only), the keyword
 * limits, the tester's decision and that it is the webhook's own (the same
 * messages through handle_inbound_message, open and closed), the answered
 * and missed messages with their pages, the usage counts, the order of the
 * FAQs, and that another owner, a token without a user and anon get nothing.
 */
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
grant execute on all functions in schema extensions to anon, authenticated;

select plan(83);

/*
 * ---------------------------------------------------------------------------
 * Contract
 * ---------------------------------------------------------------------------
 */
select has_function('public', 'test_faq_match', array ['text']);
select has_function('public', 'reorder_faqs', array ['uuid[]']);
select has_function('public', 'faq_answered_messages', array ['uuid', 'timestamp with time zone', 'uuid', 'integer']);
select has_function('public', 'faq_missed_messages', array ['timestamp with time zone', 'uuid', 'integer']);
select has_function('public', 'faq_usage', array ['integer']);
select has_function('private', 'test_faq_match', array ['text']);

select is_empty(
    $$ select p.oid::regprocedure::text from pg_proc p
       where p.pronamespace = 'public'::regnamespace
         and p.proname in ('test_faq_match', 'reorder_faqs', 'faq_answered_messages', 'faq_missed_messages', 'faq_usage')
         and (p.prosecdef
              or (select l.lanname from pg_language l where l.oid = p.prolang) <> 'plpgsql'
              or not coalesce(p.proconfig, '{}') @> array ['search_path=""']) $$,
    'the screen''s public functions are plpgsql, security invoker, with an empty search_path');
select is_definer('private', 'test_faq_match', array ['text'],
                  'private.test_faq_match is security definer (the matcher reads private tables)');
select function_lang_is('private', 'test_faq_match', array ['text'], 'plpgsql',
                        'private.test_faq_match is plpgsql (never inlined, so its EXECUTE check holds)');

select is_empty(
    $$ select p.oid::regprocedure::text || ' ' || r.rolname from pg_proc p
       cross join (values ('anon'), ('service_role'), ('public')) r(rolname)
       where p.oid in ('public.test_faq_match(text)'::regprocedure, 'public.reorder_faqs(uuid[])'::regprocedure,
                       'public.faq_answered_messages(uuid, timestamptz, uuid, integer)'::regprocedure,
                       'public.faq_missed_messages(timestamptz, uuid, integer)'::regprocedure,
                       'public.faq_usage(integer)'::regprocedure, 'private.test_faq_match(text)'::regprocedure)
         and (case when r.rolname = 'public'
                   then exists (select 1 from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                                where a.grantee = 0 and a.privilege_type = 'EXECUTE')
                   else has_function_privilege(r.rolname, p.oid, 'execute') end) $$,
    'only authenticated may execute the FAQ screen''s functions (not anon, service_role or public)');
select ok(has_function_privilege('authenticated', 'public.test_faq_match(text)', 'execute')
              and has_function_privilege('authenticated', 'public.reorder_faqs(uuid[])', 'execute')
              and has_function_privilege('authenticated', 'public.faq_answered_messages(uuid, timestamptz, uuid, integer)', 'execute')
              and has_function_privilege('authenticated', 'public.faq_missed_messages(timestamptz, uuid, integer)', 'execute')
              and has_function_privilege('authenticated', 'public.faq_usage(integer)', 'execute'),
          'authenticated may execute the FAQ screen''s functions');

-- authenticated may look into private for the tester alone: no other function, no table.
select schema_privs_are('private', 'authenticated', array ['USAGE'],
                        'authenticated may use the private schema (for the tester''s definer part)');
select results_eq(
    $$ select p.oid::regprocedure::text from pg_proc p
       where p.pronamespace = 'private'::regnamespace
         and has_function_privilege('authenticated', p.oid, 'execute') $$,
    array ['private.test_faq_match(text)'],
    'the tester is the one function in private that authenticated may execute');
select is_empty(
    $$ select c.oid::regclass::text from pg_class c
       where c.relnamespace = 'private'::regnamespace and c.relkind in ('r', 'v', 'm', 'S', 'p')
         and (has_table_privilege('authenticated', c.oid, 'select, insert, update, delete, truncate')
              or has_table_privilege('anon', c.oid, 'select, insert, update, delete, truncate')) $$,
    'no API role may touch a table of private');

select has_index('public', 'messages', 'messages_faq_answers_idx', array ['owner_id', 'faq_id', '"timestamp"', 'id']);
select has_index('public', 'messages', 'messages_missed_idx', array ['owner_id', '"timestamp"', 'id']);
select hasnt_index('public', 'messages', 'messages_owner_id_faq_id_idx',
                   'the answers index replaces the foreign key''s narrower one');

/*
 * ---------------------------------------------------------------------------
 * Two businesses
 * ---------------------------------------------------------------------------
 * A bakery (A) always open, with an away message for when it closes, and four
 * FAQs; a second business (B) with an FAQ of the same question. A's messages:
 * two answered by its hours FAQ, two that got the fallback (one answered by
 * hand afterwards), a photo that got it too, and one that got the away message.
 */
insert into auth.users (id, email, aud, role)
values ('a1111111-1111-4111-8111-111111111111', 'faqs-a@example.test', 'authenticated', 'authenticated'),
       ('b2222222-2222-4222-8222-222222222222', 'faqs-b@example.test', 'authenticated', 'authenticated');
update public.users
set whatsapp_number  = '+5213300012001',
    fallback_message = 'Gracias por escribir; en un momento te atendemos.',
    away_message     = 'Ahorita estamos cerrados; te respondemos al abrir.',
    business_hours   = '{}'
where id = 'a1111111-1111-4111-8111-111111111111';
update public.users set whatsapp_number = '+5213300012002'
where id = 'b2222222-2222-4222-8222-222222222222';

insert into public.faqs (id, owner_id, position, question, answer, keywords)
values ('a2000000-0000-4000-8000-000000000001', 'a1111111-1111-4111-8111-111111111111', 1,
        '¿Cuál es su horario?', 'Abrimos de lunes a sábado de 8:00 a 20:00.', '{horario,abren,cierran}'),
       ('a2000000-0000-4000-8000-000000000002', 'a1111111-1111-4111-8111-111111111111', 2,
        '¿Dónde están ubicados?', 'En Calle Libertad 1842, Guadalajara.', '{}'),
       ('a2000000-0000-4000-8000-000000000003', 'a1111111-1111-4111-8111-111111111111', 3,
        '¿Hacen envíos a domicilio?', 'Sí, llevamos tu pedido a domicilio en toda la ciudad.', '{}'),
       ('a2000000-0000-4000-8000-000000000004', 'a1111111-1111-4111-8111-111111111111', 4,
        '¿Qué formas de pago aceptan?', 'Efectivo, tarjeta y transferencia.', '{}'),
       ('b2000000-0000-4000-8000-000000000001', 'b2222222-2222-4222-8222-222222222222', 1,
        '¿Cuál es su horario?', 'De 10:00 a 18:00.', '{horario,abren}');

insert into public.clients (id, owner_id, phone, name)
values ('a0000000-0000-4000-8000-000000000001', 'a1111111-1111-4111-8111-111111111111', '+5213300012101', 'Valeria'),
       ('a0000000-0000-4000-8000-000000000002', 'a1111111-1111-4111-8111-111111111111', '+5213300012102', 'José'),
       ('b0000000-0000-4000-8000-000000000001', 'b2222222-2222-4222-8222-222222222222', '+5213300012201', 'Cliente de B');

insert into public.messages (id, owner_id, client_id, direction, content, media, status, reply_kind, faq_id,
                             in_reply_to, "timestamp")
values ('a3000000-0000-4000-8000-000000000001', 'a1111111-1111-4111-8111-111111111111',
        'a0000000-0000-4000-8000-000000000001', 'in', '¿A qué hora abren?', '[]', 'received', null, null, null,
        '2026-11-30 10:00+00'),
       ('a3000000-0000-4000-8000-000000000002', 'a1111111-1111-4111-8111-111111111111',
        'a0000000-0000-4000-8000-000000000001', 'out', 'Abrimos de lunes a sábado de 8:00 a 20:00.', '[]', 'read',
        'faq', 'a2000000-0000-4000-8000-000000000001', 'a3000000-0000-4000-8000-000000000001',
        '2026-11-30 10:00+00'),
       ('a3000000-0000-4000-8000-000000000003', 'a1111111-1111-4111-8111-111111111111',
        'a0000000-0000-4000-8000-000000000002', 'in', 'horario del domingo?', '[]', 'received', null, null, null,
        '2026-11-30 11:00+00'),
       ('a3000000-0000-4000-8000-000000000004', 'a1111111-1111-4111-8111-111111111111',
        'a0000000-0000-4000-8000-000000000002', 'out', 'Abrimos de lunes a sábado de 8:00 a 20:00.', '[]', 'read',
        'faq', 'a2000000-0000-4000-8000-000000000001', 'a3000000-0000-4000-8000-000000000003',
        '2026-11-30 11:00+00'),
       ('a3000000-0000-4000-8000-000000000005', 'a1111111-1111-4111-8111-111111111111',
        'a0000000-0000-4000-8000-000000000002', 'in', '¿Hay estacionamiento?', '[]', 'received', null, null, null,
        '2026-11-30 12:00+00'),
       ('a3000000-0000-4000-8000-000000000006', 'a1111111-1111-4111-8111-111111111111',
        'a0000000-0000-4000-8000-000000000002', 'out', 'Gracias por escribir; en un momento te atendemos.', '[]',
        'read', 'fallback', null, 'a3000000-0000-4000-8000-000000000005', '2026-11-30 12:00+00'),
       ('a3000000-0000-4000-8000-000000000007', 'a1111111-1111-4111-8111-111111111111',
        'a0000000-0000-4000-8000-000000000002', 'out', 'Sí, tenemos estacionamiento.', '[]', 'read', 'manual', null,
        'a3000000-0000-4000-8000-000000000005', '2026-11-30 12:05+00'),
       ('a3000000-0000-4000-8000-000000000008', 'a1111111-1111-4111-8111-111111111111',
        'a0000000-0000-4000-8000-000000000001', 'in', '', '[{"url": "https://example.test/p.jpg", "content_type": "image/jpeg"}]',
        'received', null, null, null, '2026-11-30 13:00+00'),
       ('a3000000-0000-4000-8000-000000000009', 'a1111111-1111-4111-8111-111111111111',
        'a0000000-0000-4000-8000-000000000001', 'out', 'Gracias por escribir; en un momento te atendemos.', '[]',
        'read', 'fallback', null, 'a3000000-0000-4000-8000-000000000008', '2026-11-30 13:00+00'),
       ('a3000000-0000-4000-8000-000000000010', 'a1111111-1111-4111-8111-111111111111',
        'a0000000-0000-4000-8000-000000000001', 'in', '¿Tienen pastel de elote?', '[]', 'received', null, null, null,
        '2026-11-30 23:30+00'),
       ('a3000000-0000-4000-8000-000000000011', 'a1111111-1111-4111-8111-111111111111',
        'a0000000-0000-4000-8000-000000000001', 'out', 'Ahorita estamos cerrados; te respondemos al abrir.', '[]',
        'read', 'away', null, 'a3000000-0000-4000-8000-000000000010', '2026-11-30 23:30+00'),
       ('b3000000-0000-4000-8000-000000000001', 'b2222222-2222-4222-8222-222222222222',
        'b0000000-0000-4000-8000-000000000001', 'in', '¿Hay estacionamiento?', '[]', 'received', null, null, null,
        '2026-11-30 12:30+00'),
       ('b3000000-0000-4000-8000-000000000002', 'b2222222-2222-4222-8222-222222222222',
        'b0000000-0000-4000-8000-000000000001', 'out', 'Gracias por escribirnos. En breve te respondemos.', '[]',
        'read', 'fallback', null, 'b3000000-0000-4000-8000-000000000001', '2026-11-30 12:30+00');

/*
 * ---------------------------------------------------------------------------
 * Keywords
 * ---------------------------------------------------------------------------
 */
select throws_ok($$ update public.faqs set keywords = array [repeat('x', 61)]
                    where id = 'a2000000-0000-4000-8000-000000000003' $$,
                 '23514', null, 'a keyword of more than 60 characters is refused');
select throws_ok($$ update public.faqs set keywords = array(select 'palabra ' || i from generate_series(1, 31) i)
                    where id = 'a2000000-0000-4000-8000-000000000003' $$,
                 '23514', null, 'more than 30 keywords are refused');
select throws_ok($$ update public.faqs set keywords = array ['envío', '']
                    where id = 'a2000000-0000-4000-8000-000000000003' $$,
                 '23514', null, 'an empty keyword is refused');
select throws_ok($$ update public.faqs set keywords = array [E'envío\na domicilio']
                    where id = 'a2000000-0000-4000-8000-000000000003' $$,
                 '23514', null, 'a keyword with a line break is refused');
select lives_ok($$ update public.faqs set keywords = array(select rpad('palabra ' || i, 60, 'x') from generate_series(1, 30) i)
                   where id = 'a2000000-0000-4000-8000-000000000003' $$,
                'thirty keywords of 60 characters are fine');
update public.faqs set keywords = '{}' where id = 'a2000000-0000-4000-8000-000000000003';

/*
 * ---------------------------------------------------------------------------
 * The tester, as owner A
 * ---------------------------------------------------------------------------
 * Its FAQ is private.match_faq's, worked out here first as the superuser.
 */
create temporary table expected_match on commit drop as
select m.text, (select best.faq_id from private.match_faq('a1111111-1111-4111-8111-111111111111', m.text) best) as faq_id
from (values ('¿a qué hora abren?'), ('¿hacen envios a domicilio?'), ('hola'), ('¿tienen pan de muerto?'),
             ('¿aceptan tarjeta de crédito?'), ('quiero cancelar mi pedido'), ('muchas gracias!!')) m(text);
grant select on expected_match to authenticated;

set local role authenticated;
set local request.jwt.claims = '{"sub": "a1111111-1111-4111-8111-111111111111", "role": "authenticated"}';

select is_empty(
    $$ select e.text from expected_match e
       where (public.test_faq_match(e.text) ->> 'faq_id')::uuid is distinct from e.faq_id $$,
    'the tester''s FAQ is private.match_faq''s, message by message');
select is(public.test_faq_match('¿A qué hora abren?') ->> 'decision', 'faq', 'a question about the hours gets an FAQ');
select is((public.test_faq_match('¿A qué hora abren?') ->> 'faq_id')::uuid, 'a2000000-0000-4000-8000-000000000001',
          '… A''s hours FAQ');
select is(public.test_faq_match('¿A qué hora abren?') ->> 'reply', 'Abrimos de lunes a sábado de 8:00 a 20:00.',
          '… and the reply is its answer');
select ok(jsonb_typeof(public.test_faq_match('¿A qué hora abren?') -> 'candidates' -> 0 -> 'explanation' -> 'message') = 'array',
          'the best candidate comes with the words that matched');
select is(public.test_faq_match('¿A qué hora abren?') -> 'candidates' -> 0 ->> 'question', '¿Cuál es su horario?',
          'the candidates carry their question');
select is_empty(
    $$ select c ->> 'faq_id' from expected_match e
       cross join lateral jsonb_array_elements(public.test_faq_match(e.text) -> 'candidates') c
       where (c ->> 'faq_id')::uuid not in (select f.id from public.faqs f) $$,
    'every candidate is one of the caller''s own FAQs');

select results_eq(
    $$ select r ->> 'decision', r ->> 'reason', r ->> 'reply'
       from (select public.test_faq_match('hola') r) x $$,
    $$ values ('fallback', 'no_words', 'Gracias por escribir; en un momento te atendemos.') $$,
    'a greeting alone gets the fallback: it asks nothing');
select is(public.test_faq_match('quiero cancelar mi pedido') ->> 'reason', 'needs_person',
          'a cancellation needs a person');
select is(public.test_faq_match('muchas gracias!!') ->> 'reason', 'thanks', 'thanks alone asks nothing');
select is(public.test_faq_match('¿Tienen estacionamiento?') ->> 'reason', 'no_match',
          'a question none of the FAQs is about');
select ok((public.test_faq_match('¿Tienen estacionamiento?') -> 'words') @> '[{"words": "estacionamiento", "kind": "topic"}]',
          'the tester says how the matcher read the message (its words and their kind)');
select results_eq(
    $$ select r ->> 'decision', r ->> 'command', r ->> 'reply'
       from (select public.test_faq_match('Baja') r) x $$,
    $$ values ('opt_out', 'BAJA',
               'Listo, ya no te enviaremos respuestas automáticas. Si quieres volver a recibirlas, escribe ALTA.') $$,
    'BAJA alone is an opt-out, confirmed as the webhook confirms it');
select is(public.test_faq_match('¿A qué hora abren?') ->> 'open', 'true', 'the business is open (no hours set)');

select throws_ok($$ select public.test_faq_match(repeat('a', 1001)) $$, '22023',
                 'test_faq_match: p_text is longer than 1000 characters', 'a message over 1000 characters is refused');
select throws_ok($$ select public.test_faq_match(null) $$, '22023', 'test_faq_match: p_text is required',
                 'a missing message is refused');
select lives_ok($$ select public.test_faq_match(repeat('horario ', 125)) $$, 'a message of 1000 characters is tested');

/*
 * ---------------------------------------------------------------------------
 * Answered and missed messages, usage, order: owner A
 * ---------------------------------------------------------------------------
 */
select results_eq(
    $$ select content, client_name from public.faq_answered_messages('a2000000-0000-4000-8000-000000000001') $$,
    $$ values ('horario del domingo?', 'José'), ('¿A qué hora abren?', 'Valeria') $$,
    'faq_answered_messages: the customer messages the FAQ answered, newest first');
select results_eq(
    $$ select content from public.faq_answered_messages('a2000000-0000-4000-8000-000000000001',
                                                        '2026-11-30 11:00+00', 'a3000000-0000-4000-8000-000000000004', 1) $$,
    $$ values ('¿A qué hora abren?') $$,
    'faq_answered_messages: the next page starts after the cursor (the last reply seen)');
select is_empty($$ select * from public.faq_answered_messages('a2000000-0000-4000-8000-000000000002') $$,
                'an FAQ that answered nothing has no messages');
select results_eq(
    $$ select content, reply_kind, answered_by_hand from public.faq_missed_messages() $$,
    $$ values ('¿Tienen pastel de elote?', 'away', false), ('¿Hay estacionamiento?', 'fallback', true) $$,
    'faq_missed_messages: what got the fallback or the away message, newest first; a photo has no words to learn');
select results_eq(
    $$ select content from public.faq_missed_messages('2026-11-30 23:30+00', 'a3000000-0000-4000-8000-000000000011', 1) $$,
    $$ values ('¿Hay estacionamiento?') $$,
    'faq_missed_messages: the next page starts after the cursor');

select throws_ok($$ select * from public.faq_answered_messages(null) $$, '22023', null, 'an FAQ is required');
select throws_ok($$ select * from public.faq_answered_messages('a2000000-0000-4000-8000-000000000001', p_limit => 0) $$,
                 '22023', null, 'a page holds 1 to 100 messages');
select throws_ok($$ select * from public.faq_missed_messages(p_limit => 101) $$, '22023', null,
                 'a page holds 1 to 100 messages');
select throws_ok($$ select * from public.faq_missed_messages(p_before_at => now()) $$, '22023', null,
                 'a cursor needs both its time and its id');
select throws_ok($$ select public.faq_usage(91) $$, '22023', null, 'usage covers 1 to 90 days');

-- The fixture's messages are dated 2026-11-30; usage counts from now back.
select is((public.faq_usage(90) -> 'faqs' -> 0 ->> 'faq_id')::uuid, 'a2000000-0000-4000-8000-000000000001',
          'faq_usage lists the FAQs in their order');
select is(jsonb_array_length(public.faq_usage(90) -> 'faqs'), 4, 'faq_usage: the caller''s four FAQs');
select is((public.faq_usage(90) -> 'faqs' -> 0 ->> 'last_answered_at')::timestamptz, '2026-11-30 11:00+00',
          'faq_usage: when the FAQ last answered');
select is((public.faq_usage(90) -> 'faqs' -> 0 ->> 'answered')::integer,
          case when now() - interval '90 days' <= '2026-11-30 10:00+00' then 2 else 0 end,
          'faq_usage: its answers in the period');

select is(public.reorder_faqs(array ['a2000000-0000-4000-8000-000000000004', 'a2000000-0000-4000-8000-000000000001',
                                     'a2000000-0000-4000-8000-000000000002', 'a2000000-0000-4000-8000-000000000003']::uuid[]),
          4, 'reorder_faqs moves every FAQ whose place changed');
select results_eq(
    $$ select id from public.faqs order by position $$,
    $$ values ('a2000000-0000-4000-8000-000000000004'::uuid), ('a2000000-0000-4000-8000-000000000001'::uuid),
              ('a2000000-0000-4000-8000-000000000002'::uuid), ('a2000000-0000-4000-8000-000000000003'::uuid) $$,
    'the FAQs are in the new order');
select is(public.reorder_faqs(array ['a2000000-0000-4000-8000-000000000004', 'a2000000-0000-4000-8000-000000000001',
                                     'a2000000-0000-4000-8000-000000000002', 'a2000000-0000-4000-8000-000000000003']::uuid[]),
          0, 'the same order again moves nothing');
select throws_ok($$ select public.reorder_faqs(array ['a2000000-0000-4000-8000-000000000004',
                                                      'a2000000-0000-4000-8000-000000000001']::uuid[]) $$,
                 '22023', 'reorder_faqs: p_ids must list each of your FAQs exactly once',
                 'an order that leaves an FAQ out is refused');
select throws_ok($$ select public.reorder_faqs(array ['a2000000-0000-4000-8000-000000000004', 'a2000000-0000-4000-8000-000000000004',
                                                      'a2000000-0000-4000-8000-000000000002', 'a2000000-0000-4000-8000-000000000003']::uuid[]) $$,
                 '22023', 'reorder_faqs: p_ids must list each of your FAQs exactly once',
                 'an order that names an FAQ twice is refused');
select throws_ok($$ select public.reorder_faqs('{}'::uuid[]) $$, '22023', null, 'an empty order is refused');

/*
 * ---------------------------------------------------------------------------
 * Owner B, a token without a user, anon
 * ---------------------------------------------------------------------------
 */
set local request.jwt.claims = '{"sub": "b2222222-2222-4222-8222-222222222222", "role": "authenticated"}';
select is((public.test_faq_match('¿A qué hora abren?') ->> 'faq_id')::uuid, 'b2000000-0000-4000-8000-000000000001',
          'owner B: the same message gets B''s own FAQ');
select is(public.test_faq_match('¿A qué hora abren?') ->> 'reply', 'De 10:00 a 18:00.', 'owner B: B''s answer');
select is(public.test_faq_match('¿Hacen envíos a domicilio?') ->> 'decision', 'fallback',
          'owner B: A''s delivery FAQ never answers B''s customers');
select is_empty($$ select * from public.faq_answered_messages('a2000000-0000-4000-8000-000000000001') $$,
                'owner B: none of the messages A''s FAQ answered');
select results_eq($$ select content from public.faq_missed_messages() $$, $$ values ('¿Hay estacionamiento?') $$,
                  'owner B: only B''s own missed message');
select is(jsonb_array_length(public.faq_usage(90) -> 'faqs'), 1, 'owner B: usage of B''s own FAQ only');
select is((public.faq_usage(90) ->> 'missed')::integer,
          case when now() - interval '90 days' <= '2026-11-30 12:30+00' then 1 else 0 end,
          'owner B: only B''s own missed messages are counted');
select throws_ok($$ select public.reorder_faqs(array ['b2000000-0000-4000-8000-000000000001',
                                                      'a2000000-0000-4000-8000-000000000001']::uuid[]) $$,
                 '22023', 'reorder_faqs: p_ids must list each of your FAQs exactly once',
                 'owner B: an order naming A''s FAQ is refused');

set local request.jwt.claims = '{"role": "authenticated"}';
select throws_ok($$ select public.test_faq_match('¿A qué hora abren?') $$, '42501', 'test_faq_match: sign in first',
                 'a token without a user: the tester refuses');
select is_empty($$ select * from public.faq_missed_messages() $$, 'a token without a user: no missed messages');

reset role;
select results_eq(
    $$ select id from public.faqs where owner_id = 'a1111111-1111-4111-8111-111111111111' order by position $$,
    $$ values ('a2000000-0000-4000-8000-000000000004'::uuid), ('a2000000-0000-4000-8000-000000000001'::uuid),
              ('a2000000-0000-4000-8000-000000000002'::uuid), ('a2000000-0000-4000-8000-000000000003'::uuid) $$,
    'A''s order is untouched by B''s attempt');

set local role anon;
select throws_ok($$ select public.test_faq_match('hola') $$, '42501', null, 'anon may not use the tester');
select throws_ok($$ select private.test_faq_match('hola') $$, '42501', null, 'anon may not reach the tester''s definer part');
select throws_ok($$ select public.reorder_faqs(array ['a2000000-0000-4000-8000-000000000001']::uuid[]) $$, '42501', null,
                 'anon may not reorder FAQs');
select throws_ok($$ select * from public.faq_answered_messages('a2000000-0000-4000-8000-000000000001') $$, '42501', null,
                 'anon may not read answered messages');
select throws_ok($$ select * from public.faq_missed_messages() $$, '42501', null, 'anon may not read missed messages');
select throws_ok($$ select public.faq_usage() $$, '42501', null, 'anon may not read usage');
reset role;

/*
 * ---------------------------------------------------------------------------
 * The tester agrees with the webhook
 * ---------------------------------------------------------------------------
 * Each message goes through handle_inbound_message from a new customer (no
 * fallback sent yet), and its stored reply is compared with what the tester
 * said for the same message: the kind, the FAQ and the text. Once while A is
 * open, once while A is closed (hours only on another day, an away message).
 */
create temporary table agreement
(
    round    text,
    text     text,
    decision text,
    faq_id   uuid,
    reply    text
) on commit drop;
grant select, insert on agreement to authenticated;

create temporary table webhook_replies
(
    round text,
    text  text,
    kind  text,
    faq_id uuid,
    reply text
) on commit drop;

create function pg_temp.through_the_webhook(p_round text) returns void
    language plpgsql as
$$
declare
    v_row record;
    v_result jsonb;
begin
    for v_row in select a.text from agreement a where a.round = p_round
        loop
            v_result := public.handle_inbound_message(
                    '+5213300012001', '+52133' || lpad((floor(random() * 1e8))::bigint::text, 8, '0'),
                    'SMtest' || md5(p_round || v_row.text), v_row.text, 'Cliente de prueba');
            insert into webhook_replies
            select p_round, v_row.text, m.reply_kind, m.faq_id, m.content
            from public.messages m
            where m.in_reply_to = (v_result ->> 'message_id')::uuid
              and m.direction = 'out';
        end loop;
end;
$$;

create function pg_temp.through_the_tester(p_round text) returns void
    language plpgsql as
$$
begin
    insert into agreement
    select p_round, m.text, r ->> 'decision', (r ->> 'faq_id')::uuid, r ->> 'reply'
    from (values ('¿a qué hora abren?'), ('¿hacen envios a domicilio?'), ('hola'), ('¿tienen pan de muerto?'),
                 ('¿aceptan tarjeta de crédito?'), ('quiero cancelar mi pedido'), ('muchas gracias!!'),
                 ('BAJA'), ('stop'), ('¿Dónde están? ¿y a qué hora cierran?'), ('¿tienen estacionamiento?')) m(text)
             cross join lateral (select public.test_faq_match(m.text) r) t;
end;
$$;
grant execute on function pg_temp.through_the_tester(text) to authenticated;

set local role authenticated;
set local request.jwt.claims = '{"sub": "a1111111-1111-4111-8111-111111111111", "role": "authenticated"}';
select pg_temp.through_the_tester('open');
reset role;
select pg_temp.through_the_webhook('open');

select is((select count(*)::integer from agreement where round = 'open'), 11, 'open: eleven messages tested');
select results_eq(
    $$ select text, decision, faq_id, reply from agreement where round = 'open' order by text $$,
    $$ select text, kind, faq_id, reply from webhook_replies where round = 'open' order by text $$,
    'open: the webhook sends exactly the reply the tester showed, message by message');
select ok((select count(distinct decision) from agreement where round = 'open') = 3,
          'open: the messages cover an FAQ, the fallback and an opt-out');

-- A missed question becomes a keyword: the next such message is answered.
update public.faqs set keywords = keywords || '{estacionamiento}'
where id = 'a2000000-0000-4000-8000-000000000002';

update public.users
set business_hours = jsonb_build_object(
        case when to_char(timezone(timezone, now()), 'dy') = 'mon' then 'tue' else 'mon' end,
        '[["09:00", "18:00"]]'::jsonb)
where id = 'a1111111-1111-4111-8111-111111111111';

set local role authenticated;
set local request.jwt.claims = '{"sub": "a1111111-1111-4111-8111-111111111111", "role": "authenticated"}';
select is(public.test_faq_match('hola') ->> 'open', 'false', 'closed: the business is closed now');
select pg_temp.through_the_tester('closed');
reset role;
select pg_temp.through_the_webhook('closed');

select results_eq(
    $$ select text, decision, faq_id, reply from agreement where round = 'closed' order by text $$,
    $$ select text, kind, faq_id, reply from webhook_replies where round = 'closed' order by text $$,
    'closed: the webhook sends exactly the reply the tester showed, away messages included');
select is((select decision from agreement where round = 'closed' and text = 'hola'), 'away',
          'closed: what got the fallback gets the away message');
select is((select faq_id from agreement where round = 'closed' and text = '¿tienen estacionamiento?'),
          'a2000000-0000-4000-8000-000000000002'::uuid,
          'the missed question, once its word is a keyword of the location FAQ, is answered by it');

select * from finish();
rollback;
