/*
 * RLS as a signed-in owner: business A sees and changes only its own rows,
 * never B's; the grants keep columns like phone and the messages table
 * read-only. Data is created as the superuser; then the test acts as A
 * (role authenticated, JWT sub = A) and checks B's rows afterwards.
 */
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
-- The assertions below run as anon/authenticated: let them call pgTAP even if
-- PUBLIC loses EXECUTE on new functions (rolled back with the test).
grant execute on all functions in schema extensions to anon, authenticated;

select plan(81);

-- Business A (11111111-...) and business B (22222222-...).
insert into auth.users (id, email, raw_user_meta_data)
values ('11111111-1111-4111-8111-111111111111', 'ana@example.com', '{"full_name": "Ana"}'),
       ('22222222-2222-4222-8222-222222222222', 'beto@example.com', '{"full_name": "Beto"}');
update public.users set business_name = 'Tacos Ana' where id = '11111111-1111-4111-8111-111111111111';
update public.users set business_name = 'Tacos Beto' where id = '22222222-2222-4222-8222-222222222222';

insert into public.clients (id, owner_id, phone, name, updated_at)
values ('a1000000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', '+5213300000001', 'Cliente A1', '2000-01-01'),
       ('a1000000-0000-4000-8000-000000000002', '11111111-1111-4111-8111-111111111111', '+5213300000002', 'Cliente A2', '2000-01-01'),
       ('b1000000-0000-4000-8000-000000000001', '22222222-2222-4222-8222-222222222222', '+5213300000001', 'Cliente B1', '2000-01-01');

insert into public.labels (id, owner_id, name)
values ('a2000000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', 'VIP'),
       ('a2000000-0000-4000-8000-000000000002', '11111111-1111-4111-8111-111111111111', 'Mayoreo'),
       ('b2000000-0000-4000-8000-000000000001', '22222222-2222-4222-8222-222222222222', 'VIP');

insert into public.client_labels (client_id, label_id)
values ('a1000000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000001'),
       ('b1000000-0000-4000-8000-000000000001', 'b2000000-0000-4000-8000-000000000001');

insert into public.faqs (id, owner_id, question, answer)
values ('a3000000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', '¿Horario?', 'De 9 a 6.'),
       ('b3000000-0000-4000-8000-000000000001', '22222222-2222-4222-8222-222222222222', '¿Precio?', '100 pesos.');

insert into public.messages (id, owner_id, client_id, direction, content, status)
values ('a4000000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111',
        'a1000000-0000-4000-8000-000000000001', 'in', 'Hola A', 'received'),
       ('b4000000-0000-4000-8000-000000000001', '22222222-2222-4222-8222-222222222222',
        'b1000000-0000-4000-8000-000000000001', 'in', 'Hola B', 'received');

/*
 * ---------------------------------------------------------------------------
 * Act as owner A
 * ---------------------------------------------------------------------------
 */
set local role authenticated;
set local request.jwt.claims = '{"sub": "11111111-1111-4111-8111-111111111111", "role": "authenticated"}';

-- Reading: own rows only.
select results_eq(
    $$ select id from public.users $$,
    array ['11111111-1111-4111-8111-111111111111'::uuid],
    'A sees only their own business row');
select results_eq(
    $$ select id from public.clients order by id $$,
    array ['a1000000-0000-4000-8000-000000000001'::uuid, 'a1000000-0000-4000-8000-000000000002'::uuid],
    'A sees only their own clients');
select results_eq(
    $$ select id from public.labels where builtin is null order by id $$,
    array ['a2000000-0000-4000-8000-000000000001'::uuid, 'a2000000-0000-4000-8000-000000000002'::uuid],
    'A sees only their own labels');
select is_empty(
    $$ select 1 from public.labels where owner_id <> '11111111-1111-4111-8111-111111111111' $$,
    'A sees none of the built-in labels of other businesses');
select results_eq(
    $$ select client_id, label_id from public.client_labels $$,
    $$ values ('a1000000-0000-4000-8000-000000000001'::uuid, 'a2000000-0000-4000-8000-000000000001'::uuid) $$,
    'A sees only the labels of their own clients');
select results_eq(
    $$ select id from public.faqs $$,
    array ['a3000000-0000-4000-8000-000000000001'::uuid],
    'A sees only their own FAQs');
select results_eq(
    $$ select id from public.messages $$,
    array ['a4000000-0000-4000-8000-000000000001'::uuid],
    'A sees only their own messages');

select is_empty($$ select * from public.users where id = '22222222-2222-4222-8222-222222222222' $$,
                'A cannot read B''s business row');
select is_empty($$ select * from public.clients where owner_id = '22222222-2222-4222-8222-222222222222' $$,
                'A cannot read B''s clients');
select is_empty($$ select * from public.labels where owner_id = '22222222-2222-4222-8222-222222222222' $$,
                'A cannot read B''s labels');
select is_empty($$ select * from public.client_labels where client_id = 'b1000000-0000-4000-8000-000000000001' $$,
                'A cannot read B''s client labels');
select is_empty($$ select * from public.faqs where owner_id = '22222222-2222-4222-8222-222222222222' $$,
                'A cannot read B''s FAQs');
select is_empty($$ select * from public.messages where owner_id = '22222222-2222-4222-8222-222222222222' $$,
                'A cannot read B''s messages');

-- Inserting: owner_id defaults to the caller and cannot name another owner.
select lives_ok(
    $$ insert into public.clients (id, phone, name)
       values ('a1000000-0000-4000-8000-000000000003', '+5213300000003', 'Cliente nuevo') $$,
    'A can add a client');
select results_eq(
    $$ select owner_id from public.clients where id = 'a1000000-0000-4000-8000-000000000003' $$,
    array ['11111111-1111-4111-8111-111111111111'::uuid],
    'a new client''s owner_id defaults to auth.uid()');
select throws_ok(
    $$ insert into public.clients (owner_id, phone, name) values ('22222222-2222-4222-8222-222222222222', '+5213300000004', 'Cliente') $$,
    '42501', null, 'A cannot add a client to B''s business');
select lives_ok(
    $$ insert into public.labels (id, name) values ('a2000000-0000-4000-8000-000000000003', 'Pendiente') $$,
    'A can add a label');
select throws_ok(
    $$ insert into public.labels (owner_id, name) values ('22222222-2222-4222-8222-222222222222', 'Intruso') $$,
    '42501', null, 'A cannot add a label to B''s business');
select lives_ok(
    $$ insert into public.faqs (id, question, answer) values ('a3000000-0000-4000-8000-000000000002', '¿Envíos?', 'Sí.') $$,
    'A can add a FAQ');
select throws_ok(
    $$ insert into public.faqs (owner_id, question, answer) values ('22222222-2222-4222-8222-222222222222', '¿X?', 'Y.') $$,
    '42501', null, 'A cannot add a FAQ to B''s business');

-- Changing B's rows touches nothing (checked again as superuser below).
select is_empty(
    $$ with u as (update public.users set business_name = 'Hackeado'
                  where id = '22222222-2222-4222-8222-222222222222' returning 1) select * from u $$,
    'A cannot update B''s business row');
select is_empty(
    $$ with u as (update public.clients set name = 'Hackeado'
                  where id = 'b1000000-0000-4000-8000-000000000001' returning 1) select * from u $$,
    'A cannot update B''s client');
select is_empty(
    $$ with d as (delete from public.clients where id = 'b1000000-0000-4000-8000-000000000001' returning 1)
       select * from d $$,
    'A cannot delete B''s client');
select is_empty(
    $$ with u as (update public.labels set name = 'Hackeado'
                  where id = 'b2000000-0000-4000-8000-000000000001' returning 1) select * from u $$,
    'A cannot update B''s label');
select is_empty(
    $$ with d as (delete from public.labels where id = 'b2000000-0000-4000-8000-000000000001' returning 1)
       select * from d $$,
    'A cannot delete B''s label');
select is_empty(
    $$ with d as (delete from public.client_labels where client_id = 'b1000000-0000-4000-8000-000000000001' returning 1)
       select * from d $$,
    'A cannot remove B''s client labels');
select is_empty(
    $$ with u as (update public.faqs set answer = 'Hackeado'
                  where id = 'b3000000-0000-4000-8000-000000000001' returning 1) select * from u $$,
    'A cannot update B''s FAQ');
select is_empty(
    $$ with d as (delete from public.faqs where id = 'b3000000-0000-4000-8000-000000000001' returning 1)
       select * from d $$,
    'A cannot delete B''s FAQ');

-- Changing own rows: only the granted columns, and never to another owner.
select results_eq(
    $$ with u as (update public.clients set name = 'Cliente Uno', status = 'archived'
                  where id = 'a1000000-0000-4000-8000-000000000001' returning name, status) select * from u $$,
    $$ values ('Cliente Uno'::text, 'archived'::text) $$,
    'A can rename and archive their own client');
select results_eq(
    $$ with u as (update public.clients set unread_count = 0, last_read_at = now()
                  where id = 'a1000000-0000-4000-8000-000000000001' returning unread_count) select * from u $$,
    array [0],
    'A can mark their own conversation as read');
select throws_ok(
    $$ update public.clients set phone = '+5213300000099' where id = 'a1000000-0000-4000-8000-000000000001' $$,
    '42501', null, 'A cannot change a client''s phone');
select throws_ok(
    $$ update public.clients set owner_id = '22222222-2222-4222-8222-222222222222'
       where id = 'a1000000-0000-4000-8000-000000000001' $$,
    '42501', null, 'A cannot hand a client to B');
select throws_ok(
    $$ update public.clients set opted_out = true where id = 'a1000000-0000-4000-8000-000000000001' $$,
    '42501', null, 'A cannot change a client''s opt-out (only the webhook does)');
select throws_ok(
    $$ update public.clients set last_message_at = now() where id = 'a1000000-0000-4000-8000-000000000001' $$,
    '42501', null, 'A cannot change a client''s last_message_at');
select results_eq(
    $$ with u as (update public.labels set name = 'Muy VIP', color = '#ff0000'
                  where id = 'a2000000-0000-4000-8000-000000000001' returning name) select * from u $$,
    array ['Muy VIP'],
    'A can edit their own label');
select throws_ok(
    $$ update public.labels set owner_id = '22222222-2222-4222-8222-222222222222'
       where id = 'a2000000-0000-4000-8000-000000000002' $$,
    '42501', null, 'A cannot move their label to B');
select results_eq(
    $$ with u as (update public.faqs set answer = 'De 9 a 7.'
                  where id = 'a3000000-0000-4000-8000-000000000001' returning answer) select * from u $$,
    array ['De 9 a 7.'],
    'A can edit their own FAQ');
select throws_ok(
    $$ update public.faqs set owner_id = '22222222-2222-4222-8222-222222222222'
       where id = 'a3000000-0000-4000-8000-000000000001' $$,
    '42501', null, 'A cannot move their FAQ to B');

-- The business row.
select results_eq(
    $$ with u as (update public.users set business_name = 'Tacos Ana 2', away_message = 'Volvemos a las 9.'
                  where id = '11111111-1111-4111-8111-111111111111' returning business_name) select * from u $$,
    array ['Tacos Ana 2'],
    'A can edit their own business settings');
select throws_ok(
    $$ update public.users set whatsapp_number = '+5213311111111' where id = '11111111-1111-4111-8111-111111111111' $$,
    '42501', null, 'A cannot assign themselves a WhatsApp number (it routes inbound messages)');
select throws_ok(
    $$ update public.users set timezone = 'Mars/Olympus_Mons' where id = '11111111-1111-4111-8111-111111111111' $$,
    '22023', null, 'the time zone check also applies to owners');
select throws_ok(
    $$ update public.users set email = 'otro@example.com' where id = '11111111-1111-4111-8111-111111111111' $$,
    '42501', null, 'A cannot change their email through public.users');
select throws_ok(
    $$ update public.users set id = '22222222-2222-4222-8222-222222222222'
       where id = '11111111-1111-4111-8111-111111111111' $$,
    '42501', null, 'A cannot change their business id');
select throws_ok(
    $$ insert into public.users (id) values ('33333333-3333-4333-8333-333333333333') $$,
    '42501', null, 'A cannot create business rows');
select throws_ok(
    $$ delete from public.users where id = '11111111-1111-4111-8111-111111111111' $$,
    '42501', null, 'A cannot delete their business row through the API');

-- Messages are read-only for owners.
select throws_ok(
    $$ insert into public.messages (client_id, direction, content, status)
       values ('a1000000-0000-4000-8000-000000000001', 'out', 'Hola', 'queued') $$,
    '42501', null, 'A cannot write messages');
select throws_ok(
    $$ update public.messages set content = 'Editado' where id = 'a4000000-0000-4000-8000-000000000001' $$,
    '42501', null, 'A cannot edit their messages');
select throws_ok(
    $$ delete from public.messages where id = 'a4000000-0000-4000-8000-000000000001' $$,
    '42501', null, 'A cannot delete their messages');

-- Client labels: own client with own label only.
select lives_ok(
    $$ insert into public.client_labels (client_id, label_id)
       values ('a1000000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000002') $$,
    'A can label their own client with their own label');
select throws_ok(
    $$ insert into public.client_labels (client_id, label_id)
       values ('a1000000-0000-4000-8000-000000000002', 'b2000000-0000-4000-8000-000000000001') $$,
    '42501', null, 'A cannot put B''s label on their own client');
select throws_ok(
    $$ insert into public.client_labels (client_id, label_id)
       values ('b1000000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000002') $$,
    '42501', null, 'A cannot put their label on B''s client');
select throws_ok(
    $$ insert into public.client_labels (client_id, label_id)
       values ('b1000000-0000-4000-8000-000000000001', 'b2000000-0000-4000-8000-000000000001') $$,
    '42501', null, 'A cannot label B''s client with B''s label');
select throws_ok(
    $$ update public.client_labels set label_id = 'a2000000-0000-4000-8000-000000000003'
       where client_id = 'a1000000-0000-4000-8000-000000000001' $$,
    '42501', null, 'client labels cannot be updated, only added and removed');
select results_eq(
    $$ with d as (delete from public.client_labels where client_id = 'a1000000-0000-4000-8000-000000000001'
                  and label_id = 'a2000000-0000-4000-8000-000000000002' returning label_id) select * from d $$,
    array ['a2000000-0000-4000-8000-000000000002'::uuid],
    'A can remove a label from their own client');

-- Deleting own rows.
select results_eq(
    $$ with d as (delete from public.faqs where id = 'a3000000-0000-4000-8000-000000000002' returning id) select * from d $$,
    array ['a3000000-0000-4000-8000-000000000002'::uuid],
    'A can delete their own FAQ');
select results_eq(
    $$ with d as (delete from public.labels where id = 'a2000000-0000-4000-8000-000000000003' returning id) select * from d $$,
    array ['a2000000-0000-4000-8000-000000000003'::uuid],
    'A can delete their own label');
select results_eq(
    $$ with d as (delete from public.clients where id = 'a1000000-0000-4000-8000-000000000003' returning id) select * from d $$,
    array ['a1000000-0000-4000-8000-000000000003'::uuid],
    'A can delete their own client');

-- A's own rows, checked as A before the blind writes below remove them.
select results_eq(
    $$ select owner_id, name from public.labels where id = 'a2000000-0000-4000-8000-000000000002' $$,
    $$ values ('11111111-1111-4111-8111-111111111111'::uuid, 'Mayoreo'::text) $$,
    'A''s label was not moved to B');
select results_eq(
    $$ select content, status from public.messages where id = 'a4000000-0000-4000-8000-000000000001' $$,
    $$ values ('Hola A'::text, 'received'::text) $$,
    'A''s message is unchanged');
select is(
    (select updated_at from public.clients where id = 'a1000000-0000-4000-8000-000000000001'), now(),
    'updated_at is also maintained when the owner updates through the API');

/*
 * ---------------------------------------------------------------------------
 * Signed in without a user id (no sub claim): nothing
 * ---------------------------------------------------------------------------
 */
set local request.jwt.claims = '{"role": "authenticated"}';
select is_empty($$ select * from public.clients $$, 'without a sub claim no clients are visible');
select is_empty($$ select * from public.users $$, 'without a sub claim no business row is visible');
select throws_ok(
    $$ insert into public.clients (phone, name) values ('+5213300000005', 'Cliente') $$,
    '42501', null, 'without a sub claim no client can be added');

/*
 * ---------------------------------------------------------------------------
 * Owner B sees their own rows, untouched by A
 * ---------------------------------------------------------------------------
 */
set local request.jwt.claims = '{"sub": "22222222-2222-4222-8222-222222222222", "role": "authenticated"}';
select results_eq(
    $$ select id, name from public.clients $$,
    $$ values ('b1000000-0000-4000-8000-000000000001'::uuid, 'Cliente B1'::text) $$,
    'B sees only their own client, unchanged');
select is_empty($$ select * from public.clients where owner_id = '11111111-1111-4111-8111-111111111111' $$,
                'B cannot read A''s clients');
select is_empty($$ select * from public.messages where owner_id = '11111111-1111-4111-8111-111111111111' $$,
                'B cannot read A''s messages');

/*
 * ---------------------------------------------------------------------------
 * Blind writes: no WHERE and no RETURNING, so only the UPDATE/DELETE policies
 * (not the SELECT ones) stand between A and B's rows. B's rows are checked as
 * the superuser at the end.
 * ---------------------------------------------------------------------------
 */
set local request.jwt.claims = '{"sub": "11111111-1111-4111-8111-111111111111", "role": "authenticated"}';
select lives_ok($$ update public.users set away_message = 'Cerrado por A' $$, 'A runs a blind update on users');
select lives_ok($$ update public.clients set name = 'Renombrado por A' $$, 'A runs a blind update on clients');
select lives_ok($$ update public.labels set color = '#000000' $$, 'A runs a blind update on labels');
select lives_ok($$ update public.faqs set active = false $$, 'A runs a blind update on faqs');
select lives_ok($$ delete from public.client_labels $$, 'A runs a blind delete on client_labels');
select lives_ok($$ delete from public.faqs $$, 'A runs a blind delete on faqs');
-- Built-in labels cannot be deleted at all (13-labels-settings.sql): the rest of A's go.
select lives_ok($$ delete from public.labels where builtin is null $$, 'A runs a blind delete on labels');
select lives_ok($$ delete from public.clients $$, 'A runs a blind delete on clients');

/*
 * ---------------------------------------------------------------------------
 * Back to the superuser: B's rows are exactly as they were
 * ---------------------------------------------------------------------------
 */
reset role;
set local request.jwt.claims = '';

select is_empty($$ select 1 from public.clients where owner_id = '11111111-1111-4111-8111-111111111111' $$,
                'the blind delete removed A''s clients (so it really ran)');
select results_eq(
    $$ select business_name, whatsapp_number::text, away_message from public.users
       where id = '22222222-2222-4222-8222-222222222222' $$,
    $$ values ('Tacos Beto'::text, null::text, null::text) $$,
    'B''s business row is unchanged');
select results_eq(
    $$ select name, status, updated_at from public.clients where id = 'b1000000-0000-4000-8000-000000000001' $$,
    $$ values ('Cliente B1'::text, 'active'::text, '2000-01-01'::timestamptz) $$,
    'B''s client is unchanged and was never updated');
select results_eq(
    $$ select name, color from public.labels where id = 'b2000000-0000-4000-8000-000000000001' $$,
    $$ values ('VIP'::text, '#64748b'::text) $$,
    'B''s label is unchanged');
select results_eq(
    $$ select answer, active from public.faqs where id = 'b3000000-0000-4000-8000-000000000001' $$,
    $$ values ('100 pesos.'::text, true) $$,
    'B''s FAQ is unchanged');
select results_eq(
    $$ select label_id from public.client_labels where client_id = 'b1000000-0000-4000-8000-000000000001' $$,
    array ['b2000000-0000-4000-8000-000000000001'::uuid],
    'B''s client label is still there');
select results_eq(
    $$ select content from public.messages where id = 'b4000000-0000-4000-8000-000000000001' $$,
    array ['Hola B'],
    'B''s message is still there');

select * from finish();
rollback;
