/*
 * The dashboard's SQL (20261201200000_dashboard_inbox.sql): inbox_page,
 * inbox_summary, conversation_page and mark_client_read, as a signed-in owner
 * calls them. Their contract (security invoker, fixed search_path, executable
 * by authenticated only), the inbox order and its keyset pages, the filters,
 * the accent-insensitive search, the conversation order, and that another
 * owner sees none of it.
 */
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
grant execute on all functions in schema extensions to anon, authenticated;

select plan(68);

/*
 * ---------------------------------------------------------------------------
 * Contract
 * ---------------------------------------------------------------------------
 */
select has_function('public', 'inbox_page',
                    array ['text', 'uuid', 'text', 'timestamp with time zone', 'uuid', 'integer', 'uuid[]']);
select has_function('public', 'inbox_summary', array []::text[]);
select has_function('public', 'conversation_page',
                    array ['uuid', 'timestamp with time zone', 'text', 'uuid', 'integer']);
select has_function('public', 'mark_client_read', array ['uuid']);
select has_function('public', 'fold_for_search', array ['text']);

select is_empty(
    $$ select p.oid::regprocedure::text from pg_proc p
       where p.pronamespace = 'public'::regnamespace
         and p.proname in ('inbox_page', 'inbox_summary', 'conversation_page', 'mark_client_read', 'fold_for_search')
         and (p.prosecdef or not coalesce(p.proconfig, '{}') @> array ['search_path=""']) $$,
    'the dashboard''s functions are security invoker with an empty search_path');

select is_empty(
    $$ select p.oid::regprocedure::text || ' ' || r.rolname from pg_proc p
       cross join (values ('anon'), ('service_role'), ('public')) r(rolname)
       where p.pronamespace = 'public'::regnamespace
         and p.proname in ('inbox_page', 'inbox_summary', 'conversation_page', 'mark_client_read')
         and (case when r.rolname = 'public'
                   then exists (select 1 from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                                where a.grantee = 0 and a.privilege_type = 'EXECUTE')
                   else has_function_privilege(r.rolname, p.oid, 'execute') end) $$,
    'only authenticated may execute the dashboard''s RPCs (not anon, service_role or public)');
select ok(has_function_privilege('authenticated', 'public.inbox_page(text, uuid, text, timestamptz, uuid, integer, uuid[])', 'execute')
              and has_function_privilege('authenticated', 'public.inbox_summary()', 'execute')
              and has_function_privilege('authenticated', 'public.conversation_page(uuid, timestamptz, text, uuid, integer)', 'execute')
              and has_function_privilege('authenticated', 'public.mark_client_read(uuid)', 'execute'),
          'authenticated may execute the dashboard''s RPCs');
select ok(not has_function_privilege('anon', 'public.fold_for_search(text)', 'execute'),
          'anon may not execute fold_for_search');

select has_index('public', 'clients', 'clients_inbox_idx', array ['owner_id', 'status', 'activity_at', 'id']);
select has_index('public', 'clients', 'clients_unread_idx', array ['owner_id']);
select has_index('public', 'messages', 'messages_conversation_idx',
                 array ['owner_id', 'client_id', '"timestamp"', 'direction', 'id']);
select hasnt_index('public', 'messages', 'messages_owner_id_client_id_timestamp_idx',
                   'the conversation index replaces the narrower one');
select has_column('public', 'clients', 'activity_at', 'clients.activity_at exists');
select has_column('public', 'clients', 'search_text', 'clients.search_text exists');
select has_column('public', 'messages', 'search_text', 'messages.search_text exists');

-- The search folds text exactly as the FAQ matcher does.
select is_empty(
    $$ select s from (values ('¿A qué hora ABREN?'), ('Íñiguez Ñúñez'), ('São Paulo!! 🥐'), (''), (null),
                             ('  dirección,ubicación  '), ('Ça va? ÀÉÎÕÜ')) v(s)
       where public.fold_for_search(s) is distinct from private.normalize_text(s) $$,
    'fold_for_search folds like private.normalize_text');
select is(public.fold_for_search('¿Dónde están? Av. Chapultepec'), 'donde estan av chapultepec',
          'fold_for_search lowercases, folds accents and turns punctuation into spaces');

/*
 * ---------------------------------------------------------------------------
 * Two businesses
 * ---------------------------------------------------------------------------
 * Owner A has five clients (one archived, one without messages), a label and
 * messages, among them a question and its reply with the same timestamp.
 * Owner B has one client whose message mentions what A's clients say.
 */
insert into auth.users (id, email, aud, role)
values ('a1111111-1111-4111-8111-111111111111', 'dashboard-a@example.test', 'authenticated', 'authenticated'),
       ('b2222222-2222-4222-8222-222222222222', 'dashboard-b@example.test', 'authenticated', 'authenticated');

insert into public.clients (id, owner_id, phone, name, status, last_message_at, unread_count, created_at)
values ('a0000000-0000-4000-8000-000000000001', 'a1111111-1111-4111-8111-111111111111', '+5213300000001',
        'Valeria Íñiguez Pérez', 'active', '2026-11-30 10:00+00', 2, '2026-11-01 00:00+00'),
       ('a0000000-0000-4000-8000-000000000002', 'a1111111-1111-4111-8111-111111111111', '+5213300000002',
        'José Luis Ramírez', 'active', '2026-11-30 12:00+00', 0, '2026-11-01 00:00+00'),
       ('a0000000-0000-4000-8000-000000000003', 'a1111111-1111-4111-8111-111111111111', '+5213300000003',
        'Ana Sofía Delgado', 'active', '2026-11-29 09:00+00', 1, '2026-11-01 00:00+00'),
       ('a0000000-0000-4000-8000-000000000004', 'a1111111-1111-4111-8111-111111111111', '+5213300000004',
        'Ricardo Navarro', 'archived', '2026-11-30 11:00+00', 0, '2026-11-01 00:00+00'),
       -- Added by hand, no messages yet: sorts by when it was added.
       ('a0000000-0000-4000-8000-000000000005', 'a1111111-1111-4111-8111-111111111111', '+5213300000005',
        'Carlos Mendoza', 'active', null, 0, '2026-11-30 11:30+00'),
       ('b0000000-0000-4000-8000-000000000001', 'b2222222-2222-4222-8222-222222222222', '+5213300000009',
        'Cliente de B', 'active', '2026-11-30 13:00+00', 4, '2026-11-01 00:00+00');

insert into public.labels (id, owner_id, name, type)
values ('a1abe100-0000-4000-8000-000000000001', 'a1111111-1111-4111-8111-111111111111', 'Mayoreo', 'manual');
insert into public.client_labels (client_id, label_id)
values ('a0000000-0000-4000-8000-000000000003', 'a1abe100-0000-4000-8000-000000000001');

insert into public.messages (id, owner_id, client_id, direction, content, status, reply_kind, "timestamp")
values ('a3000000-0000-4000-8000-000000000001', 'a1111111-1111-4111-8111-111111111111',
        'a0000000-0000-4000-8000-000000000001', 'in', 'Hola, ¿tienen pan de elote?', 'received', null,
        '2026-11-30 09:00+00'),
       ('a3000000-0000-4000-8000-000000000002', 'a1111111-1111-4111-8111-111111111111',
        'a0000000-0000-4000-8000-000000000001', 'in', 'Me pasa su UBICACIÓN por favor', 'received', null,
        '2026-11-30 10:00+00'),
       -- The automatic answer, stored in the same transaction: the same timestamp.
       ('a3000000-0000-4000-8000-000000000003', 'a1111111-1111-4111-8111-111111111111',
        'a0000000-0000-4000-8000-000000000001', 'out', 'Estamos en Calle Libertad 1842.', 'read', 'faq',
        '2026-11-30 10:00+00'),
       ('a3000000-0000-4000-8000-000000000004', 'a1111111-1111-4111-8111-111111111111',
        'a0000000-0000-4000-8000-000000000002', 'in', 'Necesito 200 bolillos', 'received', null,
        '2026-11-30 12:00+00'),
       ('a3000000-0000-4000-8000-000000000005', 'a1111111-1111-4111-8111-111111111111',
        'a0000000-0000-4000-8000-000000000003', 'in', 'Quiero un pastel', 'received', null,
        '2026-11-29 09:00+00'),
       ('a3000000-0000-4000-8000-000000000006', 'a1111111-1111-4111-8111-111111111111',
        'a0000000-0000-4000-8000-000000000004', 'in', 'Gracias', 'received', null, '2026-11-30 11:00+00'),
       ('b3000000-0000-4000-8000-000000000001', 'b2222222-2222-4222-8222-222222222222',
        'b0000000-0000-4000-8000-000000000001', 'in', 'Su ubicación, por favor; y pan de elote', 'received',
        null, '2026-11-30 13:00+00');

/*
 * ---------------------------------------------------------------------------
 * The inbox, as owner A
 * ---------------------------------------------------------------------------
 */
set local role authenticated;
set local request.jwt.claims = '{"sub": "a1111111-1111-4111-8111-111111111111", "role": "authenticated"}';

select results_eq(
    $$ select name from public.inbox_page() $$,
    array ['José Luis Ramírez', 'Carlos Mendoza', 'Valeria Íñiguez Pérez', 'Ana Sofía Delgado'],
    'inbox_page: the active clients, latest activity first; a client without messages by when it was added');
select results_eq(
    $$ select name from public.inbox_page(p_status => 'archived') $$,
    array ['Ricardo Navarro'],
    'inbox_page: the archived clients');

-- Keyset pages: the second page starts after the first page's last row.
create temporary table page_one on commit drop as
select * from public.inbox_page(p_limit => 2);
select results_eq(
    $$ select name from page_one $$,
    array ['José Luis Ramírez', 'Carlos Mendoza'],
    'inbox_page: the first page of two');
select results_eq(
    $$ select p.name from page_one last
              cross join lateral public.inbox_page(p_limit => 2, p_before_at => last.activity_at,
                                                   p_before_id => last.id) p
       where last.name = 'Carlos Mendoza' $$,
    array ['Valeria Íñiguez Pérez', 'Ana Sofía Delgado'],
    'inbox_page: the next page starts right after the cursor');

select results_eq(
    $$ select name from public.inbox_page(p_label_id => 'a1abe100-0000-4000-8000-000000000001') $$,
    array ['Ana Sofía Delgado'],
    'inbox_page: filtered by label');
select is(
    (select label_ids from public.inbox_page() where name = 'Ana Sofía Delgado'),
    array ['a1abe100-0000-4000-8000-000000000001']::uuid[],
    'inbox_page: each row carries its labels');
select is(
    (select last_message ->> 'content' from public.inbox_page() where name = 'Valeria Íñiguez Pérez'),
    'Estamos en Calle Libertad 1842.',
    'inbox_page: the preview is the latest message, the reply after its question');
select is(
    (select last_message from public.inbox_page() where name = 'Carlos Mendoza'),
    null,
    'inbox_page: a client without messages has no preview');
select is(
    (select unread_count from public.inbox_page() where name = 'Valeria Íñiguez Pérez'),
    2,
    'inbox_page: each row carries its unread count');

-- Search: accents, case and punctuation do not matter; names, phones and message text.
select results_eq(
    $$ select name from public.inbox_page(p_query => 'iniguez') $$,
    array ['Valeria Íñiguez Pérez'],
    'search: a name without its accents');
select results_eq(
    $$ select name from public.inbox_page(p_query => 'ubicacion') $$,
    array ['Valeria Íñiguez Pérez'],
    'search: the text of a message, without accents or capitals');
select results_eq(
    $$ select name from public.inbox_page(p_query => '¿PAN DE ELOTE?') $$,
    array ['Valeria Íñiguez Pérez'],
    'search: punctuation and capitals ignored');
select results_eq(
    $$ select name from public.inbox_page(p_query => '+52 133 0000 0002') $$,
    array ['José Luis Ramírez'],
    'search: a phone written with spaces');
select results_eq(
    $$ select name from public.inbox_page(p_query => '00003') $$,
    array ['Ana Sofía Delgado'],
    'search: part of a phone number');
select results_eq(
    $$ select name from public.inbox_page(p_status => 'archived', p_query => 'gracias') $$,
    array ['Ricardo Navarro'],
    'search: within the archived clients');
select is_empty(
    $$ select name from public.inbox_page(p_query => 'rosca de reyes') $$,
    'search: nothing matches');
select results_eq(
    $$ select name from public.inbox_page(p_query => 'a') $$,
    array ['José Luis Ramírez', 'Carlos Mendoza', 'Valeria Íñiguez Pérez', 'Ana Sofía Delgado'],
    'search: a query shorter than two characters is no search');
select results_eq(
    $$ select name from public.inbox_page(p_query => 'a', p_label_id => 'a1abe100-0000-4000-8000-000000000001') $$,
    array ['Ana Sofía Delgado'],
    'search and label filter combine');

-- Refreshing single rows: only those that still match the filters.
select results_eq(
    $$ select name from public.inbox_page(p_client_ids => array ['a0000000-0000-4000-8000-000000000001',
                                                                 'a0000000-0000-4000-8000-000000000004',
                                                                 'b0000000-0000-4000-8000-000000000001']::uuid[]) $$,
    array ['Valeria Íñiguez Pérez'],
    'inbox_page by ids: the active one of A''s, not the archived one, not B''s');

select throws_ok($$ select * from public.inbox_page(p_status => 'deleted') $$, '22023', null,
                 'inbox_page refuses an unknown status');
select throws_ok($$ select * from public.inbox_page(p_limit => 0) $$, '22023', null,
                 'inbox_page refuses a page of 0');
select throws_ok($$ select * from public.inbox_page(p_limit => 500) $$, '22023', null,
                 'inbox_page refuses a page over 200');
select throws_ok($$ select * from public.inbox_page(p_before_at => now()) $$, '22023', null,
                 'inbox_page refuses half a cursor');
select throws_ok($$ select * from public.inbox_page(p_query => repeat('x', 201)) $$, '22023', null,
                 'inbox_page refuses a query over 200 characters');

select results_eq(
    $$ select unread_messages, unread_conversations from public.inbox_summary() $$,
    $$ values (3::bigint, 2::bigint) $$,
    'inbox_summary: A''s unread messages and conversations only');

/*
 * ---------------------------------------------------------------------------
 * A conversation, as owner A
 * ---------------------------------------------------------------------------
 */
select results_eq(
    $$ select content from public.conversation_page('a0000000-0000-4000-8000-000000000001') $$,
    array ['Estamos en Calle Libertad 1842.', 'Me pasa su UBICACIÓN por favor', 'Hola, ¿tienen pan de elote?'],
    'conversation_page: newest first, a reply before its question when they share a timestamp');
select results_eq(
    $$ select content from public.conversation_page('a0000000-0000-4000-8000-000000000001', p_limit => 1) $$,
    array ['Estamos en Calle Libertad 1842.'],
    'conversation_page: a page of one');
select results_eq(
    $$ select p.content
       from public.conversation_page('a0000000-0000-4000-8000-000000000001', p_limit => 1) first,
            lateral public.conversation_page('a0000000-0000-4000-8000-000000000001', first."timestamp",
                                             first.direction, first.id, 5) p $$,
    array ['Me pasa su UBICACIÓN por favor', 'Hola, ¿tienen pan de elote?'],
    'conversation_page: the next page starts after the cursor, through a shared timestamp');
select is_empty(
    $$ select * from public.conversation_page('b0000000-0000-4000-8000-000000000001') $$,
    'conversation_page: another business''s client reads as empty');
select throws_ok($$ select * from public.conversation_page(null) $$, '22023', null,
                 'conversation_page needs a client');
select throws_ok(
    $$ select * from public.conversation_page('a0000000-0000-4000-8000-000000000001', now(), null, null) $$,
    '22023', null, 'conversation_page refuses a partial cursor');

select ok(public.mark_client_read('a0000000-0000-4000-8000-000000000001'),
          'mark_client_read: true for an own client');
select results_eq(
    $$ select unread_count, last_read_at is not null from public.clients
       where id = 'a0000000-0000-4000-8000-000000000001' $$,
    $$ values (0, true) $$,
    'mark_client_read: the unread count is zero and last_read_at set');
select ok(not public.mark_client_read('b0000000-0000-4000-8000-000000000001'),
          'mark_client_read: false for another business''s client');
select ok(not public.mark_client_read('00000000-0000-4000-8000-000000000000'),
          'mark_client_read: false for a client that does not exist');

/*
 * ---------------------------------------------------------------------------
 * Owner B sees nothing of A's
 * ---------------------------------------------------------------------------
 */
set local request.jwt.claims = '{"sub": "b2222222-2222-4222-8222-222222222222", "role": "authenticated"}';
select results_eq(
    $$ select name from public.inbox_page() $$,
    array ['Cliente de B'],
    'owner B: only their own client in the inbox');
select is_empty(
    $$ select * from public.inbox_page(p_status => 'archived') $$,
    'owner B: none of A''s archived clients');
select results_eq(
    $$ select name from public.inbox_page(p_query => 'ubicacion') $$,
    array ['Cliente de B'],
    'owner B: a search matching A''s messages finds only B''s own client');
select is_empty(
    $$ select * from public.inbox_page(p_query => 'iniguez') $$,
    'owner B: a search for A''s client finds nothing');
select is_empty(
    $$ select * from public.inbox_page(p_client_ids => array ['a0000000-0000-4000-8000-000000000002']::uuid[]) $$,
    'owner B: A''s client by id is not there');
select is_empty(
    $$ select * from public.conversation_page('a0000000-0000-4000-8000-000000000002') $$,
    'owner B: A''s conversation reads as empty');
select results_eq(
    $$ select unread_messages, unread_conversations from public.inbox_summary() $$,
    $$ values (4::bigint, 1::bigint) $$,
    'owner B: their own unread total only');
select ok(not public.mark_client_read('a0000000-0000-4000-8000-000000000003'),
          'owner B: cannot mark A''s conversation read');

-- A token without a user sees nothing at all.
set local request.jwt.claims = '{"role": "authenticated"}';
select is_empty($$ select * from public.inbox_page() $$, 'a token without a user: an empty inbox');
select results_eq(
    $$ select unread_messages from public.inbox_summary() $$,
    $$ values (0::bigint) $$,
    'a token without a user: nothing unread');

reset role;
select is((select unread_count from public.clients where id = 'a0000000-0000-4000-8000-000000000003'), 1,
          'A''s unread count is untouched by owner B');

set local role anon;
select throws_ok($$ select * from public.inbox_page() $$, '42501', null, 'anon may not read an inbox');
select throws_ok($$ select * from public.conversation_page('a0000000-0000-4000-8000-000000000001') $$,
                 '42501', null, 'anon may not read a conversation');
select throws_ok($$ select public.mark_client_read('a0000000-0000-4000-8000-000000000001') $$,
                 '42501', null, 'anon may not mark a conversation read');
select throws_ok($$ select * from public.inbox_summary() $$, '42501', null, 'anon may not read the unread total');
reset role;

select * from finish();
rollback;
