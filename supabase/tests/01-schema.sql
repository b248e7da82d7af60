/*
 * Schema: the inbox tables, their key columns and keys, RLS switched on, and
 * exactly the policies of supabase/policies/<table>.sql (name, command, roles).
 */
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;

select plan(71);

/*
 * ---------------------------------------------------------------------------
 * Tables and row level security
 * ---------------------------------------------------------------------------
 */
select has_schema('private', 'the private schema exists');

select tables_are(
    'public',
    array ['users', 'clients', 'labels', 'client_labels', 'faqs', 'messages'],
    'public holds exactly the inbox tables'
);

select ok((select relrowsecurity from pg_class where oid = 'public.users'::regclass),
          'RLS is enabled on public.users');
select ok((select relrowsecurity from pg_class where oid = 'public.clients'::regclass),
          'RLS is enabled on public.clients');
select ok((select relrowsecurity from pg_class where oid = 'public.labels'::regclass),
          'RLS is enabled on public.labels');
select ok((select relrowsecurity from pg_class where oid = 'public.client_labels'::regclass),
          'RLS is enabled on public.client_labels');
select ok((select relrowsecurity from pg_class where oid = 'public.faqs'::regclass),
          'RLS is enabled on public.faqs');
select ok((select relrowsecurity from pg_class where oid = 'public.messages'::regclass),
          'RLS is enabled on public.messages');

select is_empty(
    $$ select c.relname
       from pg_class c
       where c.relnamespace = 'public'::regnamespace
         and c.relkind in ('r', 'p')
         and not c.relrowsecurity $$,
    'every table in public (including future ones) has RLS enabled'
);

/*
 * ---------------------------------------------------------------------------
 * users
 * ---------------------------------------------------------------------------
 */
select col_is_pk('public', 'users', 'id', 'users.id is the primary key');
select fk_ok('public', 'users', 'id', 'auth', 'users', 'id', 'users.id references auth.users(id)');
select has_column('public', 'users', 'whatsapp_number', 'users.whatsapp_number exists');
select col_type_is('public', 'users', 'whatsapp_number', 'public', 'phone_e164',
                   'users.whatsapp_number is a phone_e164');
select col_is_unique('public', 'users', array ['whatsapp_number'], 'users.whatsapp_number is unique');
select col_not_null('public', 'users', 'timezone', 'users.timezone is not null');
select col_not_null('public', 'users', 'fallback_message', 'users.fallback_message is not null');
select domain_type_is('public', 'phone_e164', 'text', 'phone_e164 is a domain over text');

/*
 * ---------------------------------------------------------------------------
 * clients
 * ---------------------------------------------------------------------------
 */
select col_not_null('public', 'clients', 'owner_id', 'clients.owner_id is not null');
select fk_ok('public', 'clients', 'owner_id', 'public', 'users', 'id', 'clients.owner_id references users(id)');
select col_type_is('public', 'clients', 'phone', 'public', 'phone_e164', 'clients.phone is a phone_e164');
select col_not_null('public', 'clients', 'phone', 'clients.phone is not null');
select col_is_unique('public', 'clients', array ['owner_id', 'phone'], 'clients are unique per (owner_id, phone)');
select col_is_unique('public', 'clients', array ['owner_id', 'id'],
                     'clients (owner_id, id) is unique, the target of tenant-safe foreign keys');
select has_column('public', 'clients', 'opted_out', 'clients.opted_out exists');
select col_type_is('public', 'clients', 'opted_out', 'boolean', 'clients.opted_out is boolean');
select col_not_null('public', 'clients', 'opted_out', 'clients.opted_out is not null');
select col_default_is('public', 'clients', 'opted_out', 'false', 'clients.opted_out defaults to false');
select has_column('public', 'clients', 'last_message_at', 'clients.last_message_at exists');
select col_type_is('public', 'clients', 'last_message_at', 'timestamp with time zone',
                   'clients.last_message_at is timestamptz');
select has_column('public', 'clients', 'unread_count', 'clients.unread_count exists');
select col_type_is('public', 'clients', 'unread_count', 'integer', 'clients.unread_count is integer');
select col_not_null('public', 'clients', 'unread_count', 'clients.unread_count is not null');
select col_default_is('public', 'clients', 'unread_count', '0', 'clients.unread_count defaults to 0');

/*
 * ---------------------------------------------------------------------------
 * labels, client_labels, faqs
 * ---------------------------------------------------------------------------
 */
select col_not_null('public', 'labels', 'owner_id', 'labels.owner_id is not null');
select fk_ok('public', 'labels', 'owner_id', 'public', 'users', 'id', 'labels.owner_id references users(id)');
select col_is_unique('public', 'labels', array ['owner_id', 'name'], 'label names are unique per owner');

select col_is_pk('public', 'client_labels', array ['client_id', 'label_id'],
                 'client_labels primary key is (client_id, label_id)');
select fk_ok('public', 'client_labels', 'client_id', 'public', 'clients', 'id',
             'client_labels.client_id references clients(id)');
select fk_ok('public', 'client_labels', 'label_id', 'public', 'labels', 'id',
             'client_labels.label_id references labels(id)');

select col_not_null('public', 'faqs', 'owner_id', 'faqs.owner_id is not null');
select fk_ok('public', 'faqs', 'owner_id', 'public', 'users', 'id', 'faqs.owner_id references users(id)');

/*
 * ---------------------------------------------------------------------------
 * messages
 * ---------------------------------------------------------------------------
 */
select col_not_null('public', 'messages', 'owner_id', 'messages.owner_id is not null');
select fk_ok('public', 'messages', 'owner_id', 'public', 'users', 'id', 'messages.owner_id references users(id)');
select fk_ok('public', 'messages', array ['owner_id', 'client_id'], 'public', 'clients', array ['owner_id', 'id'],
             'messages (owner_id, client_id) references clients (owner_id, id)');
select fk_ok('public', 'messages', array ['owner_id', 'faq_id'], 'public', 'faqs', array ['owner_id', 'id'],
             'messages (owner_id, faq_id) references faqs (owner_id, id)');
select has_column('public', 'messages', 'status', 'messages.status exists');
select col_not_null('public', 'messages', 'status', 'messages.status is not null');
select has_column('public', 'messages', 'error', 'messages.error exists');
select has_column('public', 'messages', 'media', 'messages.media exists');
select col_type_is('public', 'messages', 'media', 'jsonb', 'messages.media is jsonb');
select col_not_null('public', 'messages', 'media', 'messages.media is not null');
select has_column('public', 'messages', 'reply_kind', 'messages.reply_kind exists');
select has_column('public', 'messages', 'faq_id', 'messages.faq_id exists');
select has_column('public', 'messages', 'created_at', 'messages.created_at exists');
select col_type_is('public', 'messages', 'created_at', 'timestamp with time zone', 'messages.created_at is timestamptz');
select col_not_null('public', 'messages', 'created_at', 'messages.created_at is not null');
select col_is_unique('public', 'messages', array ['twilio_message_id'], 'messages.twilio_message_id is unique');

/*
 * ---------------------------------------------------------------------------
 * Policies: exactly those in supabase/policies/<table>.sql
 * ---------------------------------------------------------------------------
 */
select policies_are('public', 'users', array [
    'Owners can view their own business',
    'Owners can edit their own business'
    ]);

select policies_are('public', 'clients', array [
    'Owners can view their own clients',
    'Owners can add clients to their own business',
    'Owners can edit their own clients',
    'Owners can delete their own clients'
    ]);

select policies_are('public', 'labels', array [
    'Owners can view their own labels',
    'Owners can add labels to their own business',
    'Owners can edit their own labels',
    'Owners can delete their own labels'
    ]);

select policies_are('public', 'client_labels', array [
    'Owners can view the labels of their own clients',
    'Owners can label their own clients with their own labels',
    'Owners can remove labels from their own clients'
    ]);

select policies_are('public', 'faqs', array [
    'Owners can view their own FAQs',
    'Owners can add FAQs to their own business',
    'Owners can edit their own FAQs',
    'Owners can delete their own FAQs'
    ]);

select policies_are('public', 'messages', array [
    'Owners can view their own messages'
    ]);

-- Each policy's command, roles and kind: permissive, for authenticated only.
select results_eq(
    $$ select policyname::text collate "default", cmd, roles::text[] collate "default", permissive
       from pg_policies where schemaname = 'public' and tablename = 'users' order by policyname $$,
    $$ values ('Owners can edit their own business', 'UPDATE', array ['authenticated'], 'PERMISSIVE'),
              ('Owners can view their own business', 'SELECT', array ['authenticated'], 'PERMISSIVE') $$,
    'users policies have the right command and roles'
);

select results_eq(
    $$ select policyname::text collate "default", cmd, roles::text[] collate "default", permissive
       from pg_policies where schemaname = 'public' and tablename = 'clients' order by policyname $$,
    $$ values ('Owners can add clients to their own business', 'INSERT', array ['authenticated'], 'PERMISSIVE'),
              ('Owners can delete their own clients', 'DELETE', array ['authenticated'], 'PERMISSIVE'),
              ('Owners can edit their own clients', 'UPDATE', array ['authenticated'], 'PERMISSIVE'),
              ('Owners can view their own clients', 'SELECT', array ['authenticated'], 'PERMISSIVE') $$,
    'clients policies have the right command and roles'
);

select results_eq(
    $$ select policyname::text collate "default", cmd, roles::text[] collate "default", permissive
       from pg_policies where schemaname = 'public' and tablename = 'labels' order by policyname $$,
    $$ values ('Owners can add labels to their own business', 'INSERT', array ['authenticated'], 'PERMISSIVE'),
              ('Owners can delete their own labels', 'DELETE', array ['authenticated'], 'PERMISSIVE'),
              ('Owners can edit their own labels', 'UPDATE', array ['authenticated'], 'PERMISSIVE'),
              ('Owners can view their own labels', 'SELECT', array ['authenticated'], 'PERMISSIVE') $$,
    'labels policies have the right command and roles'
);

select results_eq(
    $$ select policyname::text collate "default", cmd, roles::text[] collate "default", permissive
       from pg_policies where schemaname = 'public' and tablename = 'client_labels' order by policyname $$,
    $$ values ('Owners can label their own clients with their own labels', 'INSERT', array ['authenticated'], 'PERMISSIVE'),
              ('Owners can remove labels from their own clients', 'DELETE', array ['authenticated'], 'PERMISSIVE'),
              ('Owners can view the labels of their own clients', 'SELECT', array ['authenticated'], 'PERMISSIVE') $$,
    'client_labels policies have the right command and roles'
);

select results_eq(
    $$ select policyname::text collate "default", cmd, roles::text[] collate "default", permissive
       from pg_policies where schemaname = 'public' and tablename = 'faqs' order by policyname $$,
    $$ values ('Owners can add FAQs to their own business', 'INSERT', array ['authenticated'], 'PERMISSIVE'),
              ('Owners can delete their own FAQs', 'DELETE', array ['authenticated'], 'PERMISSIVE'),
              ('Owners can edit their own FAQs', 'UPDATE', array ['authenticated'], 'PERMISSIVE'),
              ('Owners can view their own FAQs', 'SELECT', array ['authenticated'], 'PERMISSIVE') $$,
    'faqs policies have the right command and roles'
);

select results_eq(
    $$ select policyname::text collate "default", cmd, roles::text[] collate "default", permissive
       from pg_policies where schemaname = 'public' and tablename = 'messages' order by policyname $$,
    $$ values ('Owners can view their own messages', 'SELECT', array ['authenticated'], 'PERMISSIVE') $$,
    'messages policies have the right command and roles'
);

select is_empty(
    $$ select tablename, policyname from pg_policies
       where schemaname = 'public' and cmd in ('UPDATE', 'ALL') and with_check is null $$,
    'every update policy has a WITH CHECK, so rows cannot be moved to another owner'
);

select is_empty(
    $$ select tablename, policyname from pg_policies
       where schemaname = 'public' and ('anon' = any (roles) or 'public' = any (roles)) $$,
    'no policy in public applies to anon or PUBLIC'
);

select * from finish();
rollback;
