/*
 * The schema's public contract: the dashboard reads and writes these columns
 * by name through supabase-js, so their names, types and value domains must
 * never drift. Columns may be added; none of these may be renamed.
 */
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;

select plan(51);

/*
 * ---------------------------------------------------------------------------
 * Names and types
 * ---------------------------------------------------------------------------
 */
select col_type_is('public', 'users', 'id', 'uuid', 'users.id is uuid');
select col_type_is('public', 'users', 'email', 'text', 'users.email is text');
select col_type_is('public', 'users', 'name', 'text', 'users.name is text');
select col_type_is('public', 'users', 'business_name', 'text', 'users.business_name is text');
select col_type_is('public', 'users', 'whatsapp_number', 'public', 'phone_e164', 'users.whatsapp_number is E.164');
select col_type_is('public', 'users', 'fallback_message', 'text', 'users.fallback_message is text');
select col_type_is('public', 'users', 'onboarding_complete', 'boolean', 'users.onboarding_complete is boolean');
select col_not_null('public', 'users', 'onboarding_complete', 'users.onboarding_complete is not null');
select col_default_is('public', 'users', 'onboarding_complete', 'false', 'users.onboarding_complete defaults to false');
select col_type_is('public', 'users', 'created_at', 'timestamp with time zone', 'users.created_at is timestamptz');

select col_type_is('public', 'clients', 'id', 'uuid', 'clients.id is uuid');
select col_type_is('public', 'clients', 'phone', 'public', 'phone_e164', 'clients.phone is E.164');
select col_not_null('public', 'clients', 'phone', 'clients.phone is not null');
select col_type_is('public', 'clients', 'name', 'text', 'clients.name is text');
select col_not_null('public', 'clients', 'name', 'clients.name is not null');
select col_type_is('public', 'clients', 'status', 'text', 'clients.status is text');
select col_type_is('public', 'clients', 'created_at', 'timestamp with time zone', 'clients.created_at is timestamptz');

select col_type_is('public', 'labels', 'id', 'uuid', 'labels.id is uuid');
select col_type_is('public', 'labels', 'name', 'text', 'labels.name is text');
select col_not_null('public', 'labels', 'name', 'labels.name is not null');
select col_type_is('public', 'labels', 'color', 'text', 'labels.color is text');
select col_type_is('public', 'labels', 'type', 'text', 'labels.type is text');
select col_type_is('public', 'labels', 'active', 'boolean', 'labels.active is boolean');

select col_type_is('public', 'client_labels', 'client_id', 'uuid', 'client_labels.client_id is uuid');
select col_type_is('public', 'client_labels', 'label_id', 'uuid', 'client_labels.label_id is uuid');
select col_is_pk('public', 'client_labels', array ['client_id', 'label_id'],
                 'client_labels is keyed by (client_id, label_id)');

select col_type_is('public', 'faqs', 'id', 'uuid', 'faqs.id is uuid');
select col_type_is('public', 'faqs', 'question', 'text', 'faqs.question is text');
select col_not_null('public', 'faqs', 'question', 'faqs.question is not null');
select col_type_is('public', 'faqs', 'answer', 'text', 'faqs.answer is text');
select col_not_null('public', 'faqs', 'answer', 'faqs.answer is not null');
select col_type_is('public', 'faqs', 'active', 'boolean', 'faqs.active is boolean');

select col_type_is('public', 'messages', 'id', 'uuid', 'messages.id is uuid');
select col_type_is('public', 'messages', 'client_id', 'uuid', 'messages.client_id is uuid');
select col_not_null('public', 'messages', 'client_id', 'messages.client_id is not null');
select col_type_is('public', 'messages', 'content', 'text', 'messages.content is text');
select col_not_null('public', 'messages', 'content', 'messages.content is not null');
select col_type_is('public', 'messages', 'direction', 'text', 'messages.direction is text');
select col_not_null('public', 'messages', 'direction', 'messages.direction is not null');
select col_type_is('public', 'messages', 'timestamp', 'timestamp with time zone', 'messages.timestamp is timestamptz');
select col_not_null('public', 'messages', 'timestamp', 'messages.timestamp is not null');
select col_type_is('public', 'messages', 'status', 'text', 'messages.status is text');
select col_type_is('public', 'messages', 'twilio_message_id', 'text', 'messages.twilio_message_id is text');

-- The old names are gone for good.
select hasnt_column('public', 'messages', 'body', 'messages has no body column (it is content)');
select hasnt_column('public', 'users', 'full_name', 'users has no full_name column (it is name)');

/*
 * ---------------------------------------------------------------------------
 * Value domains, by what the table accepts
 * ---------------------------------------------------------------------------
 */
insert into auth.users (id, email)
values ('11111111-1111-4111-8111-111111111111', 'ana@example.com');
insert into public.clients (id, owner_id, phone, name)
values ('a1000000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', '+5213300000001', 'Ana');

select lives_ok(
    $$ insert into public.messages (owner_id, client_id, direction, content, status)
       values ('11111111-1111-4111-8111-111111111111', 'a1000000-0000-4000-8000-000000000001', 'in', 'Hola', 'received') $$,
    'direction ''in'' is accepted');
select lives_ok(
    $$ insert into public.messages (owner_id, client_id, direction, content, status)
       values ('11111111-1111-4111-8111-111111111111', 'a1000000-0000-4000-8000-000000000001', 'out', 'Hola', 'queued') $$,
    'direction ''out'' is accepted');
select throws_ok(
    $$ insert into public.messages (owner_id, client_id, direction, content, status)
       values ('11111111-1111-4111-8111-111111111111', 'a1000000-0000-4000-8000-000000000001', 'inbound', 'Hola', 'received') $$,
    '23514', null, 'direction ''inbound'' is rejected: the values are in and out');
select throws_ok(
    $$ insert into public.clients (owner_id, phone) values ('11111111-1111-4111-8111-111111111111', '+5213300000002') $$,
    '23502', null, 'a client without a name is rejected');
select results_eq(
    $$ select count(*)::integer from public.messages
       where owner_id = '11111111-1111-4111-8111-111111111111' and "timestamp" is not null and "timestamp" <= now() $$,
    $$ values (2) $$,
    'a message gets its timestamp when it is stored');
select results_eq(
    $$ select onboarding_complete from public.users where id = '11111111-1111-4111-8111-111111111111' $$,
    $$ values (false) $$,
    'a new business starts with onboarding to do');

select * from finish();
rollback;
