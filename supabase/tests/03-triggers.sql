/*
 * Triggers: the auth.users mirror (sign up, email change, delete cascade) and
 * updated_at on every table. now() is fixed within a transaction, so rows are
 * inserted with an old updated_at and must read now() after an update.
 */
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;

select plan(35);

/*
 * ---------------------------------------------------------------------------
 * Which triggers exist
 * ---------------------------------------------------------------------------
 */
select triggers_are('auth', 'users', array ['on_auth_user_created', 'on_auth_user_email_changed'],
                    'auth.users has the mirror triggers');
select triggers_are('public', 'users', array ['users_check_timezone', 'users_check_business_hours', 'users_set_updated_at'],
                    'public.users has its triggers');
select triggers_are('public', 'clients',
                    array ['clients_set_updated_at', 'clients_broadcast_changes', 'clients_apply_kept_opt_out',
                           'clients_keep_opt_out'],
                    'public.clients has its triggers');
select triggers_are('public', 'labels', array ['labels_set_updated_at', 'labels_broadcast_changes', 'labels_check_change'],
                    'public.labels has its triggers');
select triggers_are('public', 'client_labels', array ['client_labels_check_tenant', 'client_labels_set_updated_at', 'client_labels_broadcast_changes'],
                    'public.client_labels has its triggers');
select triggers_are('public', 'faqs', array ['faqs_set_updated_at', 'faqs_refresh_terms', 'faqs_broadcast_changes'],
                    'public.faqs has its triggers');
select triggers_are('public', 'messages', array ['messages_set_updated_at', 'messages_broadcast_changes'], 'public.messages has its triggers');

/*
 * ---------------------------------------------------------------------------
 * auth.users -> public.users
 * ---------------------------------------------------------------------------
 */
insert into auth.users (id, email, raw_user_meta_data)
values ('11111111-1111-4111-8111-111111111111', 'ana@example.com', '{"full_name": "Ana López"}'),
       ('22222222-2222-4222-8222-222222222222', 'beto@example.com', '{"name": "Beto Ruiz"}'),
       ('33333333-3333-4333-8333-333333333333', 'caro@example.com', '{"full_name": "Carolina", "name": "Caro"}'),
       ('44444444-4444-4444-8444-444444444444', 'dani@example.com', null);

select results_eq(
    $$ select email, name from public.users where id = '11111111-1111-4111-8111-111111111111' $$,
    $$ values ('ana@example.com'::text, 'Ana López'::text) $$,
    'signing up creates public.users with the email and name');
select results_eq(
    $$ select email, name from public.users where id = '22222222-2222-4222-8222-222222222222' $$,
    $$ values ('beto@example.com'::text, 'Beto Ruiz'::text) $$,
    'name falls back to the name metadata (e.g. Google sign in)');
select results_eq(
    $$ select name from public.users where id = '33333333-3333-4333-8333-333333333333' $$,
    $$ values ('Carolina'::text) $$,
    'full_name metadata wins over name');
select results_eq(
    $$ select email, name from public.users where id = '44444444-4444-4444-8444-444444444444' $$,
    $$ values ('dani@example.com'::text, null::text) $$,
    'a user without metadata gets a row with a null name');
select lives_ok(
    $$ insert into auth.users (id, email, raw_user_meta_data)
       values ('55555555-5555-4555-8555-555555555555', 'eva@example.com',
               jsonb_build_object('full_name', repeat('Eva ', 100))) $$,
    'signing up with a 400-character name does not fail');
select results_eq(
    $$ select char_length(name) <= 200, name = btrim(left(repeat('Eva ', 100), 200))
       from public.users where id = '55555555-5555-4555-8555-555555555555' $$,
    $$ values (true, true) $$,
    'a long profile name is cut to the column''s 200 characters');
select results_eq(
    $$ select onboarding_complete from public.users where id = '11111111-1111-4111-8111-111111111111' $$,
    $$ values (false) $$,
    'a new business has not completed onboarding');
select results_eq(
    $$ select timezone, fallback_message, business_hours from public.users where id = '11111111-1111-4111-8111-111111111111' $$,
    $$ values ('America/Mexico_City'::text, 'Gracias por escribirnos. En breve te respondemos.'::text, '{}'::jsonb) $$,
    'a new business gets the default settings');

update auth.users set email = 'ana.nueva@example.com' where id = '11111111-1111-4111-8111-111111111111';
select results_eq(
    $$ select email from public.users where id = '11111111-1111-4111-8111-111111111111' $$,
    $$ values ('ana.nueva@example.com'::text) $$,
    'changing the auth email updates public.users.email');
select results_eq(
    $$ select email from public.users where id = '22222222-2222-4222-8222-222222222222' $$,
    $$ values ('beto@example.com'::text) $$,
    'an email change touches only that user');

-- Data for A and B, with old timestamps for the updated_at checks below.
insert into public.clients (id, owner_id, phone, name, created_at, updated_at)
values ('a1000000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', '+5213300000001',
        'Cliente A', '2000-01-01', '2000-01-01'),
       ('b1000000-0000-4000-8000-000000000001', '22222222-2222-4222-8222-222222222222', '+5213300000001',
        'Cliente B', '2000-01-01', '2000-01-01');
insert into public.labels (id, owner_id, name, updated_at)
values ('a2000000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', 'VIP', '2000-01-01'),
       ('a2000000-0000-4000-8000-000000000002', '11111111-1111-4111-8111-111111111111', 'Mayoreo', '2000-01-01'),
       ('b2000000-0000-4000-8000-000000000001', '22222222-2222-4222-8222-222222222222', 'VIP', '2000-01-01');
insert into public.client_labels (client_id, label_id, updated_at)
values ('a1000000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000001', '2000-01-01');
insert into public.faqs (id, owner_id, question, answer, updated_at)
values ('a3000000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', '¿Horario?', 'De 9 a 6.',
        '2000-01-01');
insert into public.messages (id, owner_id, client_id, direction, content, status, updated_at)
values ('a4000000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111',
        'a1000000-0000-4000-8000-000000000001', 'out', 'Hola', 'queued', '2000-01-01');

/*
 * ---------------------------------------------------------------------------
 * updated_at
 * ---------------------------------------------------------------------------
 */
update public.clients set name = 'Cliente A' where id = 'a1000000-0000-4000-8000-000000000001';
select results_eq(
    $$ select updated_at = now(), created_at = '2000-01-01'::timestamptz from public.clients
       where id = 'a1000000-0000-4000-8000-000000000001' $$,
    $$ values (true, true) $$,
    'updating a client sets updated_at and keeps created_at');
update public.clients set updated_at = '1999-01-01' where id = 'b1000000-0000-4000-8000-000000000001';
select is((select updated_at from public.clients where id = 'b1000000-0000-4000-8000-000000000001'), now(),
          'a client cannot set its own updated_at');

update public.labels set color = '#ff0000' where id = 'a2000000-0000-4000-8000-000000000001';
select is((select updated_at from public.labels where id = 'a2000000-0000-4000-8000-000000000001'), now(),
          'updating a label sets updated_at');
update public.labels set updated_at = '1999-01-01' where id = 'b2000000-0000-4000-8000-000000000001';
select is((select updated_at from public.labels where id = 'b2000000-0000-4000-8000-000000000001'), now(),
          'a label cannot set its own updated_at');

update public.client_labels set label_id = 'a2000000-0000-4000-8000-000000000002'
where client_id = 'a1000000-0000-4000-8000-000000000001';
select is((select updated_at from public.client_labels where client_id = 'a1000000-0000-4000-8000-000000000001'),
          now(), 'updating a client label sets updated_at');

update public.faqs set active = false where id = 'a3000000-0000-4000-8000-000000000001';
select is((select updated_at from public.faqs where id = 'a3000000-0000-4000-8000-000000000001'), now(),
          'updating a FAQ sets updated_at');

update public.messages set status = 'sent' where id = 'a4000000-0000-4000-8000-000000000001';
select is((select updated_at from public.messages where id = 'a4000000-0000-4000-8000-000000000001'), now(),
          'updating a message sets updated_at');

-- public.users rows are created by the trigger with updated_at = now(); age one
-- with the triggers off (superuser only, this transaction only).
set local session_replication_role = replica;
update public.users set updated_at = '2000-01-01' where id = '22222222-2222-4222-8222-222222222222';
set local session_replication_role = origin;
select is((select updated_at from public.users where id = '22222222-2222-4222-8222-222222222222'),
          '2000-01-01'::timestamptz, 'users.updated_at was aged for the test');
update public.users set business_name = 'Tacos Beto' where id = '22222222-2222-4222-8222-222222222222';
select is((select updated_at from public.users where id = '22222222-2222-4222-8222-222222222222'), now(),
          'updating a business sets updated_at');
update public.users set business_name = 'Tacos Ana', updated_at = '1999-01-01'
where id = '11111111-1111-4111-8111-111111111111';
select is((select updated_at from public.users where id = '11111111-1111-4111-8111-111111111111'), now(),
          'a business cannot set its own updated_at');

/*
 * ---------------------------------------------------------------------------
 * Deleting the auth user removes the business and everything it owns
 * ---------------------------------------------------------------------------
 */
select isnt_empty($$ select 1 from public.messages where owner_id = '11111111-1111-4111-8111-111111111111' $$,
                  'A has data before the delete');

delete from auth.users where id = '11111111-1111-4111-8111-111111111111';

select is_empty($$ select 1 from public.users where id = '11111111-1111-4111-8111-111111111111' $$,
                'deleting the auth user deletes public.users');
select is_empty($$ select 1 from public.clients where owner_id = '11111111-1111-4111-8111-111111111111' $$,
                'deleting the auth user deletes their clients');
select is_empty($$ select 1 from public.labels where owner_id = '11111111-1111-4111-8111-111111111111' $$,
                'deleting the auth user deletes their labels');
select is_empty($$ select 1 from public.client_labels where client_id = 'a1000000-0000-4000-8000-000000000001' $$,
                'deleting the auth user deletes their client labels');
select is_empty($$ select 1 from public.faqs where owner_id = '11111111-1111-4111-8111-111111111111' $$,
                'deleting the auth user deletes their FAQs');
select is_empty($$ select 1 from public.messages where owner_id = '11111111-1111-4111-8111-111111111111' $$,
                'deleting the auth user deletes their messages');
select results_eq(
    $$ select (select count(*) from public.users where id = '22222222-2222-4222-8222-222222222222'),
              (select count(*) from public.clients where owner_id = '22222222-2222-4222-8222-222222222222'),
              (select count(*) from public.labels where owner_id = '22222222-2222-4222-8222-222222222222') $$,
    $$ values (1::bigint, 1::bigint, 3::bigint) $$,
    'another business is untouched by the delete (its label and two built-ins)');

select * from finish();
rollback;
