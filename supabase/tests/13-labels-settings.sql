/*
 * The labels and settings screens' SQL (20261202110000_labels_screen.sql,
 * 20261202110100_settings_screen.sql): label_client_counts and
 * time_zone_names as a signed-in owner calls them, the labels trigger (built-in
 * labels renamed and deactivated but never deleted, keyword rules stored tidy
 * and matched as the pipeline folds them), the time zone check, the fallback
 * throttle's limits, and business hours with several ranges a day and ranges
 * that cross midnight.
 */
begin;
create extension if not exists pgtap with schema extensions;
create extension if not exists plpgsql_check with schema extensions;
set local search_path = public, extensions;
grant execute on all functions in schema extensions to anon, authenticated, service_role;

select plan(77);

/*
 * ---------------------------------------------------------------------------
 * Contract
 * ---------------------------------------------------------------------------
 */
select has_function('public', 'label_client_counts', array []::text[]);
select has_function('public', 'time_zone_names', array []::text[]);
select is_empty(
    $$ select p.oid::regprocedure::text from pg_proc p
       where p.pronamespace = 'public'::regnamespace
         and p.proname in ('label_client_counts', 'time_zone_names')
         and (p.prosecdef or not coalesce(p.proconfig, '{}') @> array ['search_path=""']) $$,
    'the screens'' RPCs are security invoker with an empty search_path');
select is(
    (select array_agg(l.lanname::text order by p.proname) from pg_proc p join pg_language l on l.oid = p.prolang
     where p.pronamespace = 'public'::regnamespace and p.proname in ('label_client_counts', 'time_zone_names')),
    array ['plpgsql', 'plpgsql'],
    'the screens'' RPCs are plpgsql, never inlined, so their EXECUTE check holds');
select is_empty(
    $$ select p.oid::regprocedure::text || ' ' || r.rolname from pg_proc p
       cross join (values ('anon'), ('service_role'), ('public')) r(rolname)
       where p.pronamespace = 'public'::regnamespace
         and p.proname in ('label_client_counts', 'time_zone_names')
         and (case when r.rolname = 'public'
                   then exists (select 1 from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                                where a.grantee = 0 and a.privilege_type = 'EXECUTE')
                   else has_function_privilege(r.rolname, p.oid, 'execute') end) $$,
    'only authenticated may execute the screens'' RPCs (not anon, service_role or public)');
select ok(has_function_privilege('authenticated', 'public.label_client_counts()', 'execute')
              and has_function_privilege('authenticated', 'public.time_zone_names()', 'execute'),
          'authenticated may execute the screens'' RPCs');
select has_trigger('public', 'labels', 'labels_check_change', 'public.labels has the labels trigger');
select isnt_definer('private', 'check_label_change', array []::name[], 'check_label_change runs as the caller');
select is_empty(
    $$ select p.oid::regprocedure, r.level, r.message, r.lineno
       from pg_proc p
                cross join lateral plpgsql_check_function_tb(
                   p.oid, fatal_errors => false, extra_warnings => true, security_warnings => true) r
       where p.pronamespace = 'public'::regnamespace
         and p.proname in ('label_client_counts', 'time_zone_names') $$,
    'plpgsql_check finds nothing in the screens'' RPCs');

/*
 * ---------------------------------------------------------------------------
 * Two businesses
 * ---------------------------------------------------------------------------
 * A has three clients (one archived), the manual label Mayoreo on two of them
 * (one archived), an empty label, and the built-in "Cliente nuevo" on one.
 * B has one client with a label of its own.
 */
insert into auth.users (id, email, aud, role)
values ('a1111111-1111-4111-8111-111111111111', 'labels-a@example.test', 'authenticated', 'authenticated'),
       ('b2222222-2222-4222-8222-222222222222', 'labels-b@example.test', 'authenticated', 'authenticated');
update public.users set whatsapp_number = '+5213300001111', business_name = 'Panadería A'
where id = 'a1111111-1111-4111-8111-111111111111';

insert into public.clients (id, owner_id, phone, name, status)
values ('a0000000-0000-4000-8000-000000000001', 'a1111111-1111-4111-8111-111111111111', '+5213300000001',
        'Valeria', 'active'),
       ('a0000000-0000-4000-8000-000000000002', 'a1111111-1111-4111-8111-111111111111', '+5213300000002',
        'José Luis', 'active'),
       ('a0000000-0000-4000-8000-000000000003', 'a1111111-1111-4111-8111-111111111111', '+5213300000003',
        'Ricardo', 'archived'),
       ('b0000000-0000-4000-8000-000000000001', 'b2222222-2222-4222-8222-222222222222', '+5213300000009',
        'Cliente de B', 'active');
insert into public.labels (id, owner_id, name, type)
values ('a1abe100-0000-4000-8000-000000000001', 'a1111111-1111-4111-8111-111111111111', 'Mayoreo', 'manual'),
       ('a1abe100-0000-4000-8000-000000000002', 'a1111111-1111-4111-8111-111111111111', 'Vacía', 'manual'),
       ('b1abe100-0000-4000-8000-000000000001', 'b2222222-2222-4222-8222-222222222222', 'Etiqueta de B',
        'manual');
insert into public.client_labels (client_id, label_id)
values ('a0000000-0000-4000-8000-000000000001', 'a1abe100-0000-4000-8000-000000000001'),
       ('a0000000-0000-4000-8000-000000000003', 'a1abe100-0000-4000-8000-000000000001'),
       ('b0000000-0000-4000-8000-000000000001', 'b1abe100-0000-4000-8000-000000000001');
insert into public.client_labels (client_id, label_id)
select 'a0000000-0000-4000-8000-000000000002', l.id
from public.labels l
where l.owner_id = 'a1111111-1111-4111-8111-111111111111' and l.builtin = 'new_client';

/*
 * ---------------------------------------------------------------------------
 * label_client_counts, as owner A, owner B and anon
 * ---------------------------------------------------------------------------
 */
set local role authenticated;
set local request.jwt.claims = '{"sub": "a1111111-1111-4111-8111-111111111111", "role": "authenticated"}';

select results_eq(
    $$ select l.name, c.clients, c.active_clients
       from public.label_client_counts() c join public.labels l on l.id = c.label_id
       order by l.name $$,
    $$ values ('Cliente nuevo'::text, 1::bigint, 1::bigint), ('Mayoreo', 2, 1), ('Requiere atención', 0, 0),
              ('Vacía', 0, 0) $$,
    'label_client_counts: every label of A, with its clients and its active clients (zero included)');

set local request.jwt.claims = '{"sub": "b2222222-2222-4222-8222-222222222222", "role": "authenticated"}';
select results_eq(
    $$ select label_id, clients from public.label_client_counts()
       where label_id = 'b1abe100-0000-4000-8000-000000000001' $$,
    $$ values ('b1abe100-0000-4000-8000-000000000001'::uuid, 1::bigint) $$,
    'label_client_counts: B counts their own label');
select is(
    (select count(*) from public.label_client_counts()),
    3::bigint,
    'label_client_counts: B gets only their own three labels (two built-in and one of theirs)');
select is_empty(
    $$ select 1 from public.label_client_counts()
       where label_id in ('a1abe100-0000-4000-8000-000000000001', 'a1abe100-0000-4000-8000-000000000002') $$,
    'label_client_counts: nothing of A for B');

-- B can neither delete nor rename A's labels: RLS hides them.
delete from public.labels where id = 'a1abe100-0000-4000-8000-000000000001';
update public.labels set name = 'Robada' where id = 'a1abe100-0000-4000-8000-000000000002';
reset role;
select results_eq(
    $$ select name from public.labels where id in ('a1abe100-0000-4000-8000-000000000001',
                                                  'a1abe100-0000-4000-8000-000000000002') order by name $$,
    array ['Mayoreo', 'Vacía'],
    'B deleted and renamed none of A''s labels');

set local role anon;
set local request.jwt.claims = '{"role": "anon"}';
select throws_ok($$ select * from public.label_client_counts() $$, '42501', null,
                 'anon may not call label_client_counts');
select throws_ok($$ select * from public.time_zone_names() $$, '42501', null,
                 'anon may not call time_zone_names');
reset role;

/*
 * ---------------------------------------------------------------------------
 * Built-in labels: renamed and deactivated, never deleted
 * ---------------------------------------------------------------------------
 */
set local role authenticated;
set local request.jwt.claims = '{"sub": "a1111111-1111-4111-8111-111111111111", "role": "authenticated"}';

select throws_ok(
    $$ delete from public.labels where builtin = 'new_client' $$,
    '42501', 'built-in label "Cliente nuevo" cannot be deleted',
    'an owner cannot delete a built-in label');
select throws_ok(
    $$ delete from public.labels where builtin is not null $$,
    '42501', null,
    'nor both built-in labels at once');
select is(
    (select count(*) from public.labels where builtin is not null),
    2::bigint,
    'the built-in labels are still there');
select lives_ok(
    $$ update public.labels set name = 'Primera vez', color = '#7c3aed' where builtin = 'new_client' $$,
    'an owner can rename and recolour a built-in label');
select lives_ok(
    $$ update public.labels set active = false where builtin = 'needs_attention' $$,
    'an owner can deactivate a built-in label');
select results_eq(
    $$ select builtin, name, color, active from public.labels where builtin is not null order by builtin $$,
    $$ values ('needs_attention'::text, 'Requiere atención'::text, '#dc2626'::text, false),
              ('new_client', 'Primera vez', '#7c3aed', true) $$,
    'the rename, colour and deactivation are kept, and the labels stay built-in');
select throws_ok(
    $$ update public.labels set builtin = null where builtin = 'new_client' $$,
    '42501', 'a label cannot become or stop being built-in',
    'a built-in label cannot stop being built-in (and then be deleted)');
select throws_ok(
    $$ update public.labels set builtin = 'needs_attention', type = 'auto'
       where id = 'a1abe100-0000-4000-8000-000000000002' $$,
    '42501', 'a label cannot become or stop being built-in',
    'a label cannot become built-in');
select throws_ok(
    $$ update public.labels set keywords = '{hola}' where builtin = 'new_client' $$,
    '23514', null,
    'a built-in label takes no keyword rule');
select lives_ok(
    $$ delete from public.labels where id = 'a1abe100-0000-4000-8000-000000000002' $$,
    'an owner can delete one of their own labels');
select is_empty(
    $$ select 1 from public.labels where id = 'a1abe100-0000-4000-8000-000000000002' $$,
    'and it is gone');
reset role;

set local role service_role;
select throws_ok(
    $$ delete from public.labels where owner_id = 'b2222222-2222-4222-8222-222222222222' and builtin = 'new_client' $$,
    '42501', null,
    'not even the service role deletes a built-in label of a business that exists');
reset role;

/*
 * ---------------------------------------------------------------------------
 * Keyword rules: stored tidy, refused when they could never match
 * ---------------------------------------------------------------------------
 */
set local role authenticated;
set local request.jwt.claims = '{"sub": "a1111111-1111-4111-8111-111111111111", "role": "authenticated"}';

select lives_ok(
    $$ insert into public.labels (id, owner_id, name, type, keywords, color)
       values ('a1abe100-0000-4000-8000-000000000003', 'a1111111-1111-4111-8111-111111111111',
               '  Pasteles   de  fiesta ', 'auto',
               array ['  Cumpleaños ', 'cumpleanos', 'CUMPLEAÑOS!', 'pastel  de   boda', 'xv años'], '#db2777') $$,
    'an owner creates an automatic label with its keywords');
select results_eq(
    $$ select name, keywords from public.labels where id = 'a1abe100-0000-4000-8000-000000000003' $$,
    $$ values ('Pasteles de fiesta'::text, array ['Cumpleaños', 'pastel de boda', 'xv años']) $$,
    'the name and keywords are trimmed, and keywords that fold alike are kept once, as first written');
select throws_ok(
    $$ update public.labels set keywords = array ['factura', '¡¡!!'] where id = 'a1abe100-0000-4000-8000-000000000003' $$,
    '23514', 'keyword "¡¡!!" has no letter or digit, so it would never match',
    'a keyword without a letter or digit is refused');
select throws_ok(
    $$ update public.labels set keywords = array [repeat('a', 61)] where id = 'a1abe100-0000-4000-8000-000000000003' $$,
    '23514', null,
    'a keyword longer than 60 characters is refused');
select throws_ok(
    $$ update public.labels set keywords = (select array_agg('palabra' || n) from generate_series(1, 31) n)
       where id = 'a1abe100-0000-4000-8000-000000000003' $$,
    '23514', 'a label has at most 30 keywords, not 31',
    'more than 30 keywords are refused');
select throws_ok(
    $$ insert into public.labels (owner_id, name, type) values ('a1111111-1111-4111-8111-111111111111', '   ', 'manual') $$,
    '23514', null,
    'a name of spaces alone is refused');
select throws_ok(
    $$ update public.labels set type = 'manual' where id = 'a1abe100-0000-4000-8000-000000000003' $$,
    '23514', null,
    'an automatic label with keywords cannot turn manual without dropping them');
select lives_ok(
    $$ update public.labels set type = 'manual', keywords = '{}' where id = 'a1abe100-0000-4000-8000-000000000003' $$,
    'it turns manual with its keywords dropped');
select lives_ok(
    $$ update public.labels set type = 'auto', keywords = array ['Cumpleaños', 'pastel  de boda', 'xv años']
       where id = 'a1abe100-0000-4000-8000-000000000003' $$,
    'and back to automatic with its keywords');
select throws_ok(
    $$ insert into public.labels (owner_id, name) values ('a1111111-1111-4111-8111-111111111111', 'Mayoreo') $$,
    '23505', null,
    'two labels of one business cannot share a name');
reset role;

/*
 * ---------------------------------------------------------------------------
 * The pipeline applies them, whatever the owner renamed
 * ---------------------------------------------------------------------------
 * A new client writes "cumpleanos" without its tilde, in capitals and with
 * punctuation: the rule typed as "Cumpleaños" applies, and the built-in
 * label renamed "Primera vez" marks the new client.
 */
select is(
    public.handle_inbound_message('+5213300001111', '+5213300000021', 'SMlabels00000000000000000000000001',
                                  '¡Hola! Es para unos XV AÑOS y un CUMPLEANOS!!') ->> 'status',
    'stored',
    'an inbound message for A is stored');
select results_eq(
    $$ select l.name from public.client_labels cl
                join public.clients c on c.id = cl.client_id
                join public.labels l on l.id = cl.label_id
       where c.phone = '+5213300000021' order by l.name $$,
    array ['Pasteles de fiesta', 'Primera vez'],
    'the keyword rule applies as the owner typed it, and the renamed built-in label still marks a new client');
select is(
    public.handle_inbound_message('+5213300001111', '+5213300000022', 'SMlabels00000000000000000000000002',
                                  'Busco un cumpleañero y pasteles de boda') ->> 'status',
    'stored',
    'another inbound message for A is stored');
select results_eq(
    $$ select l.name from public.client_labels cl
                join public.clients c on c.id = cl.client_id
                join public.labels l on l.id = cl.label_id
       where c.phone = '+5213300000022' order by l.name $$,
    array ['Primera vez'],
    'keywords match whole words only: "cumpleañero" and "pasteles de boda" are other words');
select is(
    public.handle_inbound_message('+5213300001111', '+5213300000023', 'SMlabels00000000000000000000000003',
                                  '¿Hacen PASTEL DE BODA?') ->> 'status',
    'stored',
    'a third inbound message for A is stored');
select results_eq(
    $$ select l.name from public.client_labels cl
                join public.clients c on c.id = cl.client_id
                join public.labels l on l.id = cl.label_id
       where c.phone = '+5213300000023' and l.builtin is null $$,
    array ['Pasteles de fiesta'],
    'a keyword of several words matches the phrase');

-- A deactivated rule, or a deactivated built-in label, applies no more.
update public.labels set active = false where id = 'a1abe100-0000-4000-8000-000000000003';
update public.labels set active = false where owner_id = 'a1111111-1111-4111-8111-111111111111' and builtin = 'new_client';
select is(
    public.handle_inbound_message('+5213300001111', '+5213300000024', 'SMlabels00000000000000000000000004',
                                  'Un pastel para un cumpleaños') ->> 'status',
    'stored',
    'a fourth inbound message for A is stored');
select is_empty(
    $$ select 1 from public.client_labels cl join public.clients c on c.id = cl.client_id
       where c.phone = '+5213300000024' $$,
    'deactivated labels, built-in or automatic, are not applied');

/*
 * ---------------------------------------------------------------------------
 * Deleting a business deletes its built-in labels
 * ---------------------------------------------------------------------------
 */
select lives_ok(
    $$ delete from auth.users where id = 'b2222222-2222-4222-8222-222222222222' $$,
    'deleting a business''s account still works');
select is_empty(
    $$ select 1 from public.labels where owner_id = 'b2222222-2222-4222-8222-222222222222' $$,
    'and its labels, built-in ones included, are gone with it');

/*
 * ---------------------------------------------------------------------------
 * Time zones
 * ---------------------------------------------------------------------------
 */
set local role authenticated;
set local request.jwt.claims = '{"sub": "a1111111-1111-4111-8111-111111111111", "role": "authenticated"}';
select ok(
    (select array_agg(n) from public.time_zone_names() n)
        @> array ['America/Mexico_City', 'America/Bogota', 'America/Sao_Paulo', 'America/Argentina/Buenos_Aires', 'UTC'],
    'time_zone_names lists the IANA names, the column''s default included');
select is_empty(
    $$ select n from public.time_zone_names() n where n ~ '^(posix|right)/' $$,
    'time_zone_names leaves out the posix/ and right/ copies');
select is(
    (select count(*) from public.time_zone_names()),
    (select count(*) from pg_timezone_names where name !~ '^(posix|right)/'),
    'time_zone_names lists every other zone the database knows');

select throws_ok(
    $$ update public.users set timezone = 'America/Foo+3' where id = 'a1111111-1111-4111-8111-111111111111' $$,
    '22023', 'unknown time zone: America/Foo+3',
    'a POSIX rule that merely looks like a zone is refused');
select throws_ok(
    $$ update public.users set timezone = 'posix/America/Lima' where id = 'a1111111-1111-4111-8111-111111111111' $$,
    '22023', null,
    'a posix/ copy of a zone is refused');
select throws_ok(
    $$ update public.users set timezone = 'america/bogota' where id = 'a1111111-1111-4111-8111-111111111111' $$,
    '22023', null,
    'a zone must be spelt as the database spells it');
select throws_ok(
    $$ update public.users set timezone = 'CEST' where id = 'a1111111-1111-4111-8111-111111111111' $$,
    '22023', null,
    'an abbreviation is not a zone');
select lives_ok(
    $$ update public.users set timezone = 'America/Bogota' where id = 'a1111111-1111-4111-8111-111111111111' $$,
    'an owner sets an IANA zone');
select is((select timezone from public.users where id = 'a1111111-1111-4111-8111-111111111111'), 'America/Bogota',
          'the zone is saved');

/*
 * ---------------------------------------------------------------------------
 * The fallback message and its throttle
 * ---------------------------------------------------------------------------
 */
select throws_ok(
    $$ update public.users set fallback_window = interval '8 days' where id = 'a1111111-1111-4111-8111-111111111111' $$,
    '23514', null,
    'the fallback throttle is at most 7 days');
select throws_ok(
    $$ update public.users set fallback_window = interval '-1 hour' where id = 'a1111111-1111-4111-8111-111111111111' $$,
    '23514', null,
    'the fallback throttle is not negative');
select lives_ok(
    $$ update public.users set fallback_window = interval '0' where id = 'a1111111-1111-4111-8111-111111111111' $$,
    'a throttle of 0 sends the fallback every time');
select lives_ok(
    $$ update public.users set fallback_window = '4320 minutes' where id = 'a1111111-1111-4111-8111-111111111111' $$,
    'a throttle in minutes, as the screen sends it');
select throws_ok(
    $$ update public.users set fallback_message = '' where id = 'a1111111-1111-4111-8111-111111111111' $$,
    '23514', null,
    'the fallback message cannot be empty');
select throws_ok(
    $$ update public.users set away_message = '' where id = 'a1111111-1111-4111-8111-111111111111' $$,
    '23514', null,
    'an empty away message is refused (no away message is null)');

/*
 * ---------------------------------------------------------------------------
 * Business hours: several ranges a day, ranges across midnight
 * ---------------------------------------------------------------------------
 */
select lives_ok(
    $$ update public.users
       set business_hours = '{"mon": [["09:00", "13:00"], ["16:00", "20:00"]], "fri": [["22:00", "02:00"]],
                              "sun": [["00:00", "24:00"]]}'
       where id = 'a1111111-1111-4111-8111-111111111111' $$,
    'an owner saves two ranges on Monday, a Friday night across midnight and all of Sunday');
select throws_ok(
    $$ update public.users
       set business_hours = '{"mon": [["09:00", "10:00"], ["10:00", "11:00"], ["11:00", "12:00"], ["12:00", "13:00"],
                                      ["13:00", "14:00"], ["14:00", "15:00"], ["15:00", "16:00"]]}'
       where id = 'a1111111-1111-4111-8111-111111111111' $$,
    '23514', null,
    'at most six ranges a day');
select throws_ok(
    $$ update public.users set business_hours = '{"mon": [["09:00", "09:00"]]}'
       where id = 'a1111111-1111-4111-8111-111111111111' $$,
    '23514', null,
    'a range that ends when it starts is refused');
select throws_ok(
    $$ update public.users set business_hours = '{"lun": [["09:00", "18:00"]]}'
       where id = 'a1111111-1111-4111-8111-111111111111' $$,
    '23514', null,
    'weekdays are mon..sun');
select throws_ok(
    $$ update public.users set business_hours = '{"mon": [["9:00", "18:00"]]}'
       where id = 'a1111111-1111-4111-8111-111111111111' $$,
    '23514', null,
    'times are HH:MM');
select throws_ok(
    $$ update public.users set business_hours = '{"mon": [["09:00", "18:00"]]}', timezone = 'Nowhere/Land'
       where id = 'a1111111-1111-4111-8111-111111111111' $$,
    '22023', null,
    'one bad value refuses the whole save');
reset role;
select results_eq(
    $$ select timezone, business_hours -> 'mon' from public.users where id = 'a1111111-1111-4111-8111-111111111111' $$,
    $$ values ('America/Bogota'::text, '[["09:00", "13:00"], ["16:00", "20:00"]]'::jsonb) $$,
    'nothing of a refused save is written');

-- Mexico City is UTC-6 all year; 2026-11-30 is a Monday.
create temporary table opening (at timestamptz, expected boolean, what text) on commit drop;
insert into opening
values ('2026-11-30 08:59-06', false, 'Monday 08:59, before the first range'),
       ('2026-11-30 09:00-06', true, 'Monday 09:00, the first range opens'),
       ('2026-11-30 13:00-06', false, 'Monday 13:00, the first range closed (its end is not included)'),
       ('2026-11-30 14:30-06', false, 'Monday 14:30, between the ranges'),
       ('2026-11-30 16:00-06', true, 'Monday 16:00, the second range'),
       ('2026-11-30 19:59-06', true, 'Monday 19:59, still the second range'),
       ('2026-11-30 20:00-06', false, 'Monday 20:00, closed'),
       ('2026-12-04 21:59-06', false, 'Friday 21:59, before the night range'),
       ('2026-12-04 23:30-06', true, 'Friday 23:30, the night range'),
       ('2026-12-05 01:59-06', true, 'Saturday 01:59, Friday''s range across midnight'),
       ('2026-12-05 02:00-06', false, 'Saturday 02:00, Friday''s range closed'),
       ('2026-12-06 00:00-06', true, 'Sunday 00:00, open all day'),
       ('2026-12-06 23:59-06', true, 'Sunday 23:59, open all day');
select is_empty(
    $$ select what, expected from opening
       where private.is_open((select business_hours from public.users
                              where id = 'a1111111-1111-4111-8111-111111111111'),
                             'America/Mexico_City', at) is distinct from expected $$,
    'is_open follows several ranges a day, a range across midnight and a whole day');
select is(
    private.is_open('{}', 'America/Mexico_City', '2026-11-30 03:00-06'),
    true,
    'no hours at all means always open');
select is(
    private.is_open('{"mon": [["09:00", "18:00"]]}', 'America/Bogota', '2026-11-30 09:30-06'),
    true,
    'is_open reads the clock in the business''s own zone (09:30 in Mexico City is 10:30 in Bogotá)');
select is(
    private.is_open('{"mon": [["09:00", "10:00"]]}', 'America/Bogota', '2026-11-30 09:30-06'),
    false,
    'and closes by that zone''s clock');

/*
 * ---------------------------------------------------------------------------
 * The away message goes out outside the hours, the FAQ and the fallback inside
 * ---------------------------------------------------------------------------
 * The pipeline reads now(), so the hours are set around the database's clock
 * in the business's zone: every day from two to three hours from now (closed
 * now), then every day from an hour ago to an hour from now (open now).
 */
insert into public.faqs (owner_id, question, answer)
values ('a1111111-1111-4111-8111-111111111111', '¿A qué hora abren?', 'Abrimos de 9 a 10.');
create function pg_temp.hours_around_now(p_from interval, p_to interval)
    returns jsonb
    language sql
as
$fn$
select jsonb_object_agg(d, jsonb_build_array(jsonb_build_array(
        to_char(timezone('America/Mexico_City', now()) + p_from, 'HH24:MI'),
        to_char(timezone('America/Mexico_City', now()) + p_to, 'HH24:MI'))))
from unnest(array ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']) d
$fn$;
update public.users
set business_hours   = pg_temp.hours_around_now(interval '2 hours', interval '3 hours'),
    timezone         = 'America/Mexico_City',
    away_message     = 'Estamos cerrados; te respondemos al abrir.',
    fallback_message = 'Gracias, en un momento te atendemos.',
    fallback_window  = interval '0'
where id = 'a1111111-1111-4111-8111-111111111111';
select results_eq(
    $$ select public.handle_inbound_message('+5213300001111', '+5213300000031', 'SMlabels00000000000000000000000005',
                                           'zzz qqq') #>> '{reply,kind}'
       union all
       select public.handle_inbound_message('+5213300001111', '+5213300000032', 'SMlabels00000000000000000000000006',
                                           'a que hora abren?') #>> '{reply,kind}' $$,
    array ['away', 'faq'],
    'outside the hours: the away message when no FAQ fits, the FAQ when one does');
update public.users
set business_hours = pg_temp.hours_around_now(interval '-1 hour', interval '1 hour')
where id = 'a1111111-1111-4111-8111-111111111111';
select results_eq(
    $$ select public.handle_inbound_message('+5213300001111', '+5213300000033', 'SMlabels00000000000000000000000007',
                                           'zzz qqq') #>> '{reply,kind}'
       union all
       select public.handle_inbound_message('+5213300001111', '+5213300000034', 'SMlabels00000000000000000000000008',
                                           'a que hora abren?') #>> '{reply,kind}' $$,
    array ['fallback', 'faq'],
    'inside the hours: the fallback when no FAQ fits, the FAQ when one does');
update public.users set business_hours = '{}' where id = 'a1111111-1111-4111-8111-111111111111';
select is(
    public.handle_inbound_message('+5213300001111', '+5213300000035', 'SMlabels00000000000000000000000009',
                                  'zzz qqq') #>> '{reply,kind}',
    'fallback',
    'with no hours the business is always open: the fallback answers');

select * from finish();
rollback;
