/*
 * anon (the public API key, not signed in) holds no privilege on the inbox
 * tables: every read and write is refused, even with a forged sub claim.
 */
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
-- The assertions below run as anon/authenticated: let them call pgTAP even if
-- PUBLIC loses EXECUTE on new functions (rolled back with the test).
grant execute on all functions in schema extensions to anon, authenticated;

select plan(30);

insert into auth.users (id, email, raw_user_meta_data)
values ('11111111-1111-4111-8111-111111111111', 'ana@example.com', '{"full_name": "Ana"}');
insert into public.clients (id, owner_id, phone, name)
values ('a1000000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', '+5213300000001', 'Cliente A1');
insert into public.labels (id, owner_id, name)
values ('a2000000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', 'VIP'),
       ('a2000000-0000-4000-8000-000000000002', '11111111-1111-4111-8111-111111111111', 'Mayoreo');
insert into public.client_labels (client_id, label_id)
values ('a1000000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000001');
insert into public.faqs (id, owner_id, question, answer)
values ('a3000000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', '¿Horario?', 'De 9 a 6.');
insert into public.messages (id, owner_id, client_id, direction, content, status)
values ('a4000000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111',
        'a1000000-0000-4000-8000-000000000001', 'in', 'Hola', 'received');

-- A snapshot of everything, to compare with after anon's attempts.
create temporary table before_anon on commit drop as
select 'users' as t, to_jsonb(u) as r from public.users u
union all select 'clients', to_jsonb(c) from public.clients c
union all select 'labels', to_jsonb(l) from public.labels l
union all select 'client_labels', to_jsonb(cl) from public.client_labels cl
union all select 'faqs', to_jsonb(f) from public.faqs f
union all select 'messages', to_jsonb(m) from public.messages m;

set local role anon;
set local request.jwt.claims = '{"role": "anon"}';

-- Reading.
select throws_ok($$ select * from public.users $$, '42501', null, 'anon cannot read business rows');
select throws_ok($$ select * from public.clients $$, '42501', null, 'anon cannot read clients');
select throws_ok($$ select * from public.labels $$, '42501', null, 'anon cannot read labels');
select throws_ok($$ select * from public.client_labels $$, '42501', null, 'anon cannot read client labels');
select throws_ok($$ select * from public.faqs $$, '42501', null, 'anon cannot read FAQs');
select throws_ok($$ select * from public.messages $$, '42501', null, 'anon cannot read messages');

-- Inserting.
select throws_ok(
    $$ insert into public.users (id) values ('33333333-3333-4333-8333-333333333333') $$,
    '42501', null, 'anon cannot create business rows');
select throws_ok(
    $$ insert into public.clients (owner_id, phone, name) values ('11111111-1111-4111-8111-111111111111', '+5213300000002', 'Cliente') $$,
    '42501', null, 'anon cannot add clients');
select throws_ok(
    $$ insert into public.labels (owner_id, name) values ('11111111-1111-4111-8111-111111111111', 'Spam') $$,
    '42501', null, 'anon cannot add labels');
select throws_ok(
    $$ insert into public.client_labels (client_id, label_id)
       values ('a1000000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000002') $$,
    '42501', null, 'anon cannot label clients');
select throws_ok(
    $$ insert into public.faqs (owner_id, question, answer) values ('11111111-1111-4111-8111-111111111111', '¿X?', 'Y.') $$,
    '42501', null, 'anon cannot add FAQs');
select throws_ok(
    $$ insert into public.messages (owner_id, client_id, direction, content, status)
       values ('11111111-1111-4111-8111-111111111111', 'a1000000-0000-4000-8000-000000000001', 'in', 'Spam', 'received') $$,
    '42501', null, 'anon cannot write messages');

-- Updating and deleting: refused outright (anon has no such grants).
select throws_ok($$ update public.users set business_name = 'Hackeado' $$,
                 '42501', null, 'anon cannot update business rows');
select throws_ok($$ delete from public.users $$, '42501', null, 'anon cannot delete business rows');
select throws_ok($$ update public.clients set name = 'Hackeado' $$, '42501', null, 'anon cannot update clients');
select throws_ok($$ delete from public.clients $$, '42501', null, 'anon cannot delete clients');
select throws_ok($$ update public.labels set name = 'Hackeado' $$, '42501', null, 'anon cannot update labels');
select throws_ok($$ delete from public.labels $$, '42501', null, 'anon cannot delete labels');
select throws_ok($$ update public.client_labels set label_id = 'a2000000-0000-4000-8000-000000000002' $$,
                 '42501', null, 'anon cannot update client labels');
select throws_ok($$ delete from public.client_labels $$, '42501', null, 'anon cannot delete client labels');
select throws_ok($$ update public.faqs set answer = 'Hackeado' $$, '42501', null, 'anon cannot update FAQs');
select throws_ok($$ delete from public.faqs $$, '42501', null, 'anon cannot delete FAQs');
select throws_ok($$ update public.messages set content = 'Hackeado' $$, '42501', null, 'anon cannot update messages');
select throws_ok($$ delete from public.messages $$, '42501', null, 'anon cannot delete messages');
select throws_ok($$ truncate public.clients $$, '42501', null, 'anon cannot truncate (which would bypass RLS)');

-- A forged sub claim does not help: the policies are for authenticated only.
set local request.jwt.claims = '{"sub": "11111111-1111-4111-8111-111111111111", "role": "anon"}';
select throws_ok($$ select * from public.users $$, '42501', null, 'anon with a forged sub cannot read business rows');
select throws_ok($$ select * from public.clients $$, '42501', null, 'anon with a forged sub cannot read clients');
select throws_ok($$ select * from public.messages $$, '42501', null, 'anon with a forged sub cannot read messages');
select throws_ok(
    $$ insert into public.clients (phone, name) values ('+5213300000003', 'Cliente') $$,
    '42501', null, 'anon with a forged sub cannot add clients');

reset role;
set local request.jwt.claims = '';

select set_eq(
    $$ select 'users' as t, to_jsonb(u) as r from public.users u
       union all select 'clients', to_jsonb(c) from public.clients c
       union all select 'labels', to_jsonb(l) from public.labels l
       union all select 'client_labels', to_jsonb(cl) from public.client_labels cl
       union all select 'faqs', to_jsonb(f) from public.faqs f
       union all select 'messages', to_jsonb(m) from public.messages m $$,
    $$ select t, r from before_anon $$,
    'nothing anon tried changed any row');

select * from finish();
rollback;
