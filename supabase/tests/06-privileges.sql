/*
 * Privileges: exactly which operations each API role has on each table and
 * column, no TRUNCATE (it bypasses RLS) for anon or authenticated, and the
 * private schema's functions neither reachable nor executable from the API,
 * with a pinned search_path on every security definer function.
 */
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
-- The assertions below run as anon/authenticated: let them call pgTAP even if
-- PUBLIC loses EXECUTE on new functions (rolled back with the test).
grant execute on all functions in schema extensions to anon, authenticated;

select plan(44);

/*
 * ---------------------------------------------------------------------------
 * Table privileges
 * ---------------------------------------------------------------------------
 */
select table_privs_are('public', 'users', 'anon', array []::name[], 'anon has no privileges on users');
select table_privs_are('public', 'clients', 'anon', array []::name[], 'anon has no privileges on clients');
select table_privs_are('public', 'labels', 'anon', array []::name[], 'anon has no privileges on labels');
select table_privs_are('public', 'client_labels', 'anon', array []::name[], 'anon has no privileges on client_labels');
select table_privs_are('public', 'faqs', 'anon', array []::name[], 'anon has no privileges on faqs');
select table_privs_are('public', 'messages', 'anon', array []::name[], 'anon has no privileges on messages');

select table_privs_are('public', 'users', 'authenticated', array ['SELECT'],
                       'authenticated may select users (and update some columns)');
select table_privs_are('public', 'clients', 'authenticated', array ['SELECT', 'INSERT', 'DELETE'],
                       'authenticated may select, insert and delete clients (and update some columns)');
select table_privs_are('public', 'labels', 'authenticated', array ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
                       'authenticated may select, insert, update and delete labels');
select table_privs_are('public', 'client_labels', 'authenticated', array ['SELECT', 'INSERT', 'DELETE'],
                       'authenticated may select, insert and delete client_labels');
select table_privs_are('public', 'faqs', 'authenticated', array ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
                       'authenticated may select, insert, update and delete faqs');
select table_privs_are('public', 'messages', 'authenticated', array ['SELECT'],
                       'authenticated may only select messages');

select table_privs_are('public', 'users', 'service_role',
                       array ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'],
                       'service_role has every privilege on users');
select table_privs_are('public', 'clients', 'service_role',
                       array ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'],
                       'service_role has every privilege on clients');
select table_privs_are('public', 'labels', 'service_role',
                       array ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'],
                       'service_role has every privilege on labels');
select table_privs_are('public', 'client_labels', 'service_role',
                       array ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'],
                       'service_role has every privilege on client_labels');
select table_privs_are('public', 'faqs', 'service_role',
                       array ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'],
                       'service_role has every privilege on faqs');
select table_privs_are('public', 'messages', 'service_role',
                       array ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'],
                       'service_role has every privilege on messages');

-- Catch-alls over every table in public, including tables added later.
select is_empty(
    $$ select r.rolname, c.relname
       from pg_class c
                cross join (values ('anon'), ('authenticated')) r(rolname)
       where c.relnamespace = 'public'::regnamespace
         and c.relkind in ('r', 'p', 'v', 'm', 'f')
         and has_table_privilege(r.rolname, c.oid, 'TRUNCATE') $$,
    'neither anon nor authenticated can TRUNCATE any table in public');
select is_empty(
    $$ select r.rolname, c.relname, p.priv
       from pg_class c
                cross join (values ('anon'), ('authenticated')) r(rolname)
                cross join (values ('TRIGGER'), ('REFERENCES')) p(priv)
       where c.relnamespace = 'public'::regnamespace
         and c.relkind in ('r', 'p', 'v', 'm', 'f')
         and has_table_privilege(r.rolname, c.oid, p.priv) $$,
    'neither anon nor authenticated has TRIGGER or REFERENCES on any table in public');
select is_empty(
    $$ select c.relname, p.priv
       from pg_class c
                cross join (values ('SELECT'), ('INSERT'), ('UPDATE'), ('DELETE')) p(priv)
       where c.relnamespace = 'public'::regnamespace
         and c.relkind in ('r', 'p', 'v', 'm', 'f')
         and has_table_privilege('anon', c.oid, p.priv) $$,
    'anon has no privilege on any table in public, so it cannot even discover their columns');

-- A table added later starts without anon too (the default privileges).
create table public.privileges_probe (id integer);
select table_privs_are('public', 'privileges_probe', 'anon', array []::name[],
                       'a new table in public grants anon nothing by default');
drop table public.privileges_probe;

select is_empty(
    $$ select r.rolname, p.priv
       from (values ('anon'), ('authenticated')) r(rolname)
                cross join (values ('SELECT'), ('INSERT'), ('UPDATE'), ('DELETE')) p(priv)
       where has_table_privilege(r.rolname, 'private.opt_outs', p.priv) $$,
    'neither anon nor authenticated can touch the kept opt-outs');

/*
 * ---------------------------------------------------------------------------
 * Column privileges
 * ---------------------------------------------------------------------------
 */
select results_eq(
    $$ select a.attname::text collate "default" from pg_attribute a
       where a.attrelid = 'public.users'::regclass and a.attnum > 0 and not a.attisdropped
         and has_column_privilege('authenticated', a.attrelid, a.attnum, 'UPDATE')
       order by 1 $$,
    array ['away_message', 'business_hours', 'business_name', 'fallback_message', 'fallback_window',
           'faq_caution', 'name', 'onboarding_complete', 'timezone'],
    'authenticated may update only the business settings of users (not id, email, timestamps or the WhatsApp number)');
select results_eq(
    $$ select a.attname::text collate "default" from pg_attribute a
       where a.attrelid = 'public.clients'::regclass and a.attnum > 0 and not a.attisdropped
         and has_column_privilege('authenticated', a.attrelid, a.attnum, 'UPDATE')
       order by 1 $$,
    array ['last_read_at', 'name', 'status', 'unread_count'],
    'authenticated may update only name, status and read state of clients (not phone, owner or opt-out)');
select is_empty(
    $$ select c.relname, a.attname, p.priv
       from pg_class c
                join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
                cross join (values ('INSERT'), ('UPDATE'), ('REFERENCES')) p(priv)
       where c.relnamespace = 'public'::regnamespace
         and c.relkind in ('r', 'p')
         and has_column_privilege('anon', c.oid, a.attnum, p.priv) $$,
    'anon has no column-level write privileges in public');

-- And in practice: TRUNCATE as a signed-in owner is refused.
set local role authenticated;
set local request.jwt.claims = '{"sub": "11111111-1111-4111-8111-111111111111", "role": "authenticated"}';
select throws_ok($$ truncate public.clients $$, '42501', null, 'authenticated cannot truncate clients');
select throws_ok($$ truncate public.messages $$, '42501', null, 'authenticated cannot truncate messages');
reset role;
set local request.jwt.claims = '';

-- The platform's auth tables stay out of reach of the API roles.
select table_privs_are('auth', 'users', 'anon', array []::name[], 'anon has no privileges on auth.users');
select table_privs_are('auth', 'users', 'authenticated', array []::name[],
                       'authenticated has no privileges on auth.users');

/*
 * ---------------------------------------------------------------------------
 * The private schema and its functions
 * ---------------------------------------------------------------------------
 */
select schema_privs_are('private', 'anon', array []::name[], 'anon cannot use the private schema');
-- Only for the FAQ tester's definer part (12-faq-tester.sql): see the executable check below.
select schema_privs_are('private', 'authenticated', array ['USAGE'],
                        'authenticated may use the private schema, for the FAQ tester alone');
select schema_privs_are('private', 'service_role', array ['USAGE'], 'service_role can use the private schema');

select functions_are('private', array ['set_updated_at', 'check_user_timezone', 'handle_auth_user_change',
                                       'check_client_label_tenant', 'create_builtin_labels',
                                       'message_status_rank', 'is_open', 'apply_builtin_label',
                                       'apply_keyword_labels', 'outbound_payload', 'claim_reply',
                                       'normalize_text', 'faq_word_key', 'faq_phrase_key',
                                       'faq_text_features', 'refresh_faq_terms', 'faqs_refresh_terms',
                                       'rank_faqs', 'match_faq', 'faq_decision_rule', 'broadcast_inbox_change',
                                       'broadcast_client_label_change', 'send_inbox_batch',
                                       'apply_kept_opt_out',
                                       'keep_opt_out', 'business_hours_are_valid',
                                       'check_business_hours', 'store_reply', 'store_inbound_with_reply',
                                       'test_faq_match', 'check_label_change'],
                     'private holds exactly the known functions');

select is_definer('private', 'handle_auth_user_change', array []::name[],
                  'handle_auth_user_change is security definer (it writes public.users from auth)');
select is_definer('private', 'check_client_label_tenant', array []::name[],
                  'check_client_label_tenant is security definer (it must see both rows)');
select isnt_definer('private', 'set_updated_at', array []::name[], 'set_updated_at runs as the caller');
select isnt_definer('private', 'check_user_timezone', array []::name[], 'check_user_timezone runs as the caller');

select is_empty(
    $$ select p.oid::regprocedure, r.rolname
       from pg_proc p
                cross join (values ('anon'), ('authenticated')) r(rolname)
       where p.pronamespace = 'private'::regnamespace
         and has_function_privilege(r.rolname, p.oid, 'EXECUTE')
         -- the FAQ tester: it works on the caller's own business only (12-faq-tester.sql)
         and (r.rolname, p.oid::regprocedure) <> ('authenticated', 'private.test_faq_match(text)'::regprocedure) $$,
    'no function in private is executable by anon or authenticated, but the FAQ tester by authenticated');

select is_empty(
    $$ select p.oid::regprocedure
       from pg_proc p
       where p.pronamespace = 'private'::regnamespace
         and p.prosecdef
         and not exists (select 1 from unnest(p.proconfig) c where c like 'search_path=%') $$,
    'every security definer function in private sets search_path');

select is_empty(
    $$ select p.oid::regprocedure, p.proconfig
       from pg_proc p
       where p.pronamespace = 'private'::regnamespace
         and not (coalesce(p.proconfig, '{}') @> array ['search_path=""']) $$,
    'every function in private pins an empty search_path');

select is_empty(
    $$ select p.oid::regprocedure
       from pg_proc p
       where p.pronamespace = 'public'::regnamespace
         and p.prosecdef $$,
    'no security definer function is exposed in public');

-- A function added to private later must not be executable by the API roles
-- unless a migration grants it.
create function private.pgtap_default_privileges_probe() returns integer
    language sql
    set search_path = ''
as
$$
select 1
$$;
-- A new function in private must not be executable by the API roles by default.
select ok(not has_function_privilege('anon', 'private.pgtap_default_privileges_probe()', 'EXECUTE'),
          'a new function in private is not executable by anon by default');
select ok(not has_function_privilege('authenticated', 'private.pgtap_default_privileges_probe()', 'EXECUTE'),
          'a new function in private is not executable by authenticated by default');

select * from finish();
rollback;
