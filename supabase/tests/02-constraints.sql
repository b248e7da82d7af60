/*
 * Constraints: E.164 phones, uniqueness, message and label checks, the
 * composite foreign keys and the trigger that keep every row in one tenant,
 * and what cascades or is nulled on delete. Run as the superuser, so only the
 * constraints (not RLS or grants) can reject a row.
 */
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;

select plan(59);

-- Two businesses: A and B.
insert into auth.users (id, email, raw_user_meta_data)
values ('11111111-1111-4111-8111-111111111111', 'ana@example.com', '{"full_name": "Ana"}'),
       ('22222222-2222-4222-8222-222222222222', 'beto@example.com', '{"full_name": "Beto"}');

insert into public.clients (id, owner_id, phone, name)
values ('a1000000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', '+5213300000001', 'Cliente A'),
       ('b1000000-0000-4000-8000-000000000001', '22222222-2222-4222-8222-222222222222', '+5213300000009', 'Cliente B');

insert into public.labels (id, owner_id, name)
values ('a2000000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', 'VIP'),
       ('b2000000-0000-4000-8000-000000000001', '22222222-2222-4222-8222-222222222222', 'Mayoreo');

insert into public.faqs (id, owner_id, question, answer)
values ('a3000000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111', '¿Horario?', 'De 9 a 6.'),
       ('b3000000-0000-4000-8000-000000000001', '22222222-2222-4222-8222-222222222222', '¿Precio?', '100 pesos.');

/*
 * ---------------------------------------------------------------------------
 * E.164 phone numbers (the phone_e164 domain)
 * ---------------------------------------------------------------------------
 */
select throws_ok(
    $$ insert into public.clients (owner_id, phone, name) values ('11111111-1111-4111-8111-111111111111', 'abc', 'Cliente') $$,
    '23514', null, 'a phone of letters is rejected');
select throws_ok(
    $$ insert into public.clients (owner_id, phone, name) values ('11111111-1111-4111-8111-111111111111', '5213300000001', 'Cliente') $$,
    '23514', null, 'a phone without the plus sign is rejected');
select throws_ok(
    $$ insert into public.clients (owner_id, phone, name) values ('11111111-1111-4111-8111-111111111111', '+0123456789', 'Cliente') $$,
    '23514', null, 'a phone with a leading zero country code is rejected');
select throws_ok(
    $$ insert into public.clients (owner_id, phone, name) values ('11111111-1111-4111-8111-111111111111', '+123456', 'Cliente') $$,
    '23514', null, 'a phone with fewer than 7 digits is rejected');
select throws_ok(
    $$ insert into public.clients (owner_id, phone, name) values ('11111111-1111-4111-8111-111111111111', '+1234567890123456', 'Cliente') $$,
    '23514', null, 'a phone with more than 15 digits is rejected');
select throws_ok(
    $$ insert into public.clients (owner_id, phone, name) values ('11111111-1111-4111-8111-111111111111', '+52 1 33 0000 0002', 'Cliente') $$,
    '23514', null, 'a phone with spaces is rejected');
select lives_ok(
    $$ insert into public.clients (owner_id, phone, name) values ('11111111-1111-4111-8111-111111111111', '+5213300000002', 'Cliente') $$,
    'a valid E.164 phone is accepted');

select throws_ok(
    $$ update public.users set whatsapp_number = 'abc' where id = '11111111-1111-4111-8111-111111111111' $$,
    '23514', null, 'users.whatsapp_number must be E.164');
select lives_ok(
    $$ update public.users set whatsapp_number = '+5213311111111' where id = '11111111-1111-4111-8111-111111111111' $$,
    'a valid E.164 whatsapp_number is accepted');
select throws_ok(
    $$ update public.users set whatsapp_number = '+5213311111111' where id = '22222222-2222-4222-8222-222222222222' $$,
    '23505', null, 'two businesses cannot share a whatsapp_number');

/*
 * ---------------------------------------------------------------------------
 * Clients
 * ---------------------------------------------------------------------------
 */
select throws_ok(
    $$ insert into public.clients (owner_id, phone, name) values ('11111111-1111-4111-8111-111111111111', '+5213300000001', 'Cliente') $$,
    '23505', null, 'the same phone twice for one owner is rejected');
select lives_ok(
    $$ insert into public.clients (owner_id, phone, name) values ('22222222-2222-4222-8222-222222222222', '+5213300000001', 'Cliente') $$,
    'the same phone for two different owners is allowed');
select throws_ok(
    $$ update public.clients set status = 'deleted' where id = 'a1000000-0000-4000-8000-000000000001' $$,
    '23514', null, 'clients.status must be active or archived');
select throws_ok(
    $$ update public.clients set unread_count = -1 where id = 'a1000000-0000-4000-8000-000000000001' $$,
    '23514', null, 'clients.unread_count cannot be negative');
select throws_ok(
    $$ insert into public.clients (owner_id, phone) values (null, '+5213300000003') $$,
    '23502', null, 'clients.owner_id is required');

/*
 * ---------------------------------------------------------------------------
 * Users
 * ---------------------------------------------------------------------------
 */
select throws_ok(
    $$ update public.users set timezone = 'Mars/Olympus_Mons' where id = '11111111-1111-4111-8111-111111111111' $$,
    '22023', null, 'an unknown time zone is rejected on update');
select lives_ok(
    $$ update public.users set timezone = 'America/Bogota' where id = '11111111-1111-4111-8111-111111111111' $$,
    'a known IANA time zone is accepted');
-- A third sign-up whose public.users row is re-inserted by hand.
insert into auth.users (id, email) values ('33333333-3333-4333-8333-333333333333', 'caro@example.com');
select throws_ok(
    $$ with gone as (delete from public.users where id = '33333333-3333-4333-8333-333333333333' returning id)
       insert into public.users (id, timezone) select id, 'Nowhere/Land' from gone $$,
    '22023', null, 'an unknown time zone is rejected on insert');
select throws_ok(
    $$ update public.users set fallback_message = '' where id = '11111111-1111-4111-8111-111111111111' $$,
    '23514', null, 'the fallback message cannot be empty');
select throws_ok(
    $$ update public.users set fallback_window = interval '8 days' where id = '11111111-1111-4111-8111-111111111111' $$,
    '23514', null, 'the fallback window is at most 7 days');
select throws_ok(
    $$ update public.users set business_hours = '[]' where id = '11111111-1111-4111-8111-111111111111' $$,
    '23514', null, 'business_hours must be a JSON object');

/*
 * ---------------------------------------------------------------------------
 * Messages
 * ---------------------------------------------------------------------------
 */
select lives_ok(
    $$ insert into public.messages (id, owner_id, client_id, direction, content, status, twilio_message_id)
       values ('a4000000-0000-4000-8000-000000000001', '11111111-1111-4111-8111-111111111111',
               'a1000000-0000-4000-8000-000000000001', 'in', 'Hola', 'received', 'SM00000000000000000000000000000001') $$,
    'an inbound received message is accepted');
select throws_ok(
    $$ insert into public.messages (owner_id, client_id, direction, content, status, twilio_message_id)
       values ('22222222-2222-4222-8222-222222222222', 'b1000000-0000-4000-8000-000000000001',
               'in', 'Hola', 'received', 'SM00000000000000000000000000000001') $$,
    '23505', null, 'twilio_message_id is unique across all businesses');
select throws_ok(
    $$ insert into public.messages (owner_id, client_id, direction, content, status)
       values ('11111111-1111-4111-8111-111111111111', 'a1000000-0000-4000-8000-000000000001', 'in', 'Hola', 'queued') $$,
    '23514', null, 'an inbound message must be received');
select throws_ok(
    $$ insert into public.messages (owner_id, client_id, direction, content, status)
       values ('11111111-1111-4111-8111-111111111111', 'a1000000-0000-4000-8000-000000000001', 'out', 'Hola', 'received') $$,
    '23514', null, 'an outbound message cannot be received');
select throws_ok(
    $$ insert into public.messages (owner_id, client_id, direction, status)
       values ('11111111-1111-4111-8111-111111111111', 'a1000000-0000-4000-8000-000000000001', 'in', 'received') $$,
    '23514', null, 'a message with neither content nor media is rejected');
select lives_ok(
    $$ insert into public.messages (owner_id, client_id, direction, content, media, status)
       values ('11111111-1111-4111-8111-111111111111', 'a1000000-0000-4000-8000-000000000001', 'in', '',
               '[{"url": "https://example.com/a.jpg", "content_type": "image/jpeg"}]', 'received') $$,
    'a message with media and no content is accepted');
select throws_ok(
    $$ insert into public.messages (owner_id, client_id, direction, content, media, status)
       values ('11111111-1111-4111-8111-111111111111', 'a1000000-0000-4000-8000-000000000001', 'in', 'Hola',
               '{"url": "https://example.com/a.jpg"}', 'received') $$,
    '23514', null, 'messages.media must be a JSON array');
select throws_ok(
    $$ insert into public.messages (owner_id, client_id, direction, content, status)
       values ('11111111-1111-4111-8111-111111111111', 'a1000000-0000-4000-8000-000000000001', 'sideways', 'Hola', 'received') $$,
    '23514', null, 'direction must be in or out');
select throws_ok(
    $$ insert into public.messages (owner_id, client_id, direction, content, status)
       values ('11111111-1111-4111-8111-111111111111', 'a1000000-0000-4000-8000-000000000001', 'out', 'Hola', 'pending') $$,
    '23514', null, 'status must be a known Twilio status');
select throws_ok(
    $$ insert into public.messages (owner_id, client_id, direction, content, status, attempts)
       values ('11111111-1111-4111-8111-111111111111', 'a1000000-0000-4000-8000-000000000001', 'out', 'Hola', 'queued', -1) $$,
    '23514', null, 'attempts cannot be negative');
select throws_ok(
    $$ insert into public.messages (owner_id, client_id, direction, content, status, reply_kind, faq_id)
       values ('11111111-1111-4111-8111-111111111111', 'a1000000-0000-4000-8000-000000000001', 'out', 'De 9 a 6.',
               'queued', 'fallback', 'a3000000-0000-4000-8000-000000000001') $$,
    '23514', null, 'faq_id is rejected on a fallback reply');
select throws_ok(
    $$ insert into public.messages (owner_id, client_id, direction, content, status, faq_id)
       values ('11111111-1111-4111-8111-111111111111', 'a1000000-0000-4000-8000-000000000001', 'out', 'De 9 a 6.',
               'queued', 'a3000000-0000-4000-8000-000000000001') $$,
    '23514', null, 'faq_id is rejected without a reply_kind');
select lives_ok(
    $$ insert into public.messages (id, owner_id, client_id, direction, content, status, reply_kind, faq_id, in_reply_to)
       values ('a4000000-0000-4000-8000-000000000002', '11111111-1111-4111-8111-111111111111',
               'a1000000-0000-4000-8000-000000000001', 'out', 'De 9 a 6.', 'queued', 'faq',
               'a3000000-0000-4000-8000-000000000001', 'a4000000-0000-4000-8000-000000000001') $$,
    'faq_id is accepted on a faq reply');
select throws_ok(
    $$ insert into public.messages (owner_id, client_id, direction, content, status, reply_kind)
       values ('11111111-1111-4111-8111-111111111111', 'a1000000-0000-4000-8000-000000000001', 'in', 'Hola',
               'received', 'manual') $$,
    '23514', null, 'reply_kind is rejected on an inbound message');
select throws_ok(
    $$ insert into public.messages (owner_id, client_id, direction, content, status)
       values ('11111111-1111-4111-8111-111111111111', 'b1000000-0000-4000-8000-000000000001', 'in', 'Hola', 'received') $$,
    '23503', null, 'a message of A cannot point to a client of B');
select throws_ok(
    $$ insert into public.messages (owner_id, client_id, direction, content, status, reply_kind, faq_id)
       values ('11111111-1111-4111-8111-111111111111', 'a1000000-0000-4000-8000-000000000001', 'out', '100 pesos.',
               'queued', 'faq', 'b3000000-0000-4000-8000-000000000001') $$,
    '23503', null, 'a message of A cannot point to a FAQ of B');
select throws_ok(
    $$ update public.messages set client_id = 'b1000000-0000-4000-8000-000000000001'
       where id = 'a4000000-0000-4000-8000-000000000001' $$,
    '23503', null, 'a message cannot be moved to another business''s client');

/*
 * ---------------------------------------------------------------------------
 * Labels
 * ---------------------------------------------------------------------------
 */
select throws_ok(
    $$ insert into public.labels (owner_id, name, type, builtin)
       values ('11111111-1111-4111-8111-111111111111', 'Nuevo', 'manual', 'new_client') $$,
    '23514', null, 'a built-in label must be of type auto');
select results_eq(
    $$ select builtin, type from public.labels
       where owner_id = '11111111-1111-4111-8111-111111111111' and builtin is not null order by 1 $$,
    $$ values ('needs_attention', 'auto'), ('new_client', 'auto') $$,
    'every business starts with the two built-in auto labels');
select throws_ok(
    $$ insert into public.labels (owner_id, name, type, builtin)
       values ('11111111-1111-4111-8111-111111111111', 'Nuevo 2', 'auto', 'new_client') $$,
    '23505', null, 'each built-in label exists once per owner');
select throws_ok(
    $$ insert into public.labels (owner_id, name, builtin)
       values ('11111111-1111-4111-8111-111111111111', 'Raro', 'favorite') $$,
    '23514', null, 'builtin must be a known built-in');
select throws_ok(
    $$ insert into public.labels (owner_id, name, color) values ('11111111-1111-4111-8111-111111111111', 'Rojo', 'red') $$,
    '23514', null, 'a color name is rejected');
select throws_ok(
    $$ insert into public.labels (owner_id, name, color) values ('11111111-1111-4111-8111-111111111111', 'Rojo', '#fff') $$,
    '23514', null, 'a 3-digit hex color is rejected');
select lives_ok(
    $$ insert into public.labels (owner_id, name, color) values ('11111111-1111-4111-8111-111111111111', 'Rojo', '#A1b2C3') $$,
    'a 6-digit hex color is accepted');
select throws_ok(
    $$ insert into public.labels (owner_id, name, type, keywords)
       values ('11111111-1111-4111-8111-111111111111', 'Mayoreo', 'manual', '{mayoreo}') $$,
    '23514', null, 'keywords are rejected on a manual label');
select throws_ok(
    $$ insert into public.labels (owner_id, name) values ('11111111-1111-4111-8111-111111111111', 'VIP') $$,
    '23505', null, 'label names are unique per owner');
select lives_ok(
    $$ insert into public.labels (owner_id, name) values ('22222222-2222-4222-8222-222222222222', 'VIP') $$,
    'two owners may each have a label with the same name');
select throws_ok(
    $$ insert into public.labels (owner_id, name) values ('11111111-1111-4111-8111-111111111111', '') $$,
    '23514', null, 'a label name cannot be empty');

/*
 * ---------------------------------------------------------------------------
 * Client labels: client and label must belong to the same business
 * ---------------------------------------------------------------------------
 */
select throws_ok(
    $$ insert into public.client_labels (client_id, label_id)
       values ('a1000000-0000-4000-8000-000000000001', 'b2000000-0000-4000-8000-000000000001') $$,
    '23514', null, 'A''s client cannot carry B''s label');
select throws_ok(
    $$ insert into public.client_labels (client_id, label_id)
       values ('b1000000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000001') $$,
    '23514', null, 'B''s client cannot carry A''s label');
select lives_ok(
    $$ insert into public.client_labels (client_id, label_id)
       values ('a1000000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000001') $$,
    'A''s client can carry A''s label');
select throws_ok(
    $$ update public.client_labels set label_id = 'b2000000-0000-4000-8000-000000000001'
       where client_id = 'a1000000-0000-4000-8000-000000000001' $$,
    '23514', null, 'a client label cannot be switched to another business''s label');

/*
 * ---------------------------------------------------------------------------
 * FAQs
 * ---------------------------------------------------------------------------
 */
select throws_ok(
    $$ insert into public.faqs (owner_id, question, answer) values ('11111111-1111-4111-8111-111111111111', '   ', 'Sí.') $$,
    '23514', null, 'a blank question is rejected');
select throws_ok(
    $$ insert into public.faqs (owner_id, question, answer) values ('11111111-1111-4111-8111-111111111111', '¿Envío?', '') $$,
    '23514', null, 'an empty answer is rejected');

/*
 * ---------------------------------------------------------------------------
 * On delete
 * ---------------------------------------------------------------------------
 */
delete from public.faqs where id = 'a3000000-0000-4000-8000-000000000001';
select results_eq(
    $$ select owner_id, client_id, faq_id, reply_kind from public.messages where id = 'a4000000-0000-4000-8000-000000000002' $$,
    $$ values ('11111111-1111-4111-8111-111111111111'::uuid, 'a1000000-0000-4000-8000-000000000001'::uuid, null::uuid, 'faq'::text) $$,
    'deleting a FAQ keeps its replies and clears only faq_id');

delete from public.messages where id = 'a4000000-0000-4000-8000-000000000001';
select results_eq(
    $$ select in_reply_to from public.messages where id = 'a4000000-0000-4000-8000-000000000002' $$,
    $$ values (null::uuid) $$,
    'deleting a message clears in_reply_to on its replies');

delete from public.clients where id = 'a1000000-0000-4000-8000-000000000001';
select is_empty(
    $$ select id from public.messages where client_id = 'a1000000-0000-4000-8000-000000000001' $$,
    'deleting a client deletes its messages');
select is_empty(
    $$ select label_id from public.client_labels where client_id = 'a1000000-0000-4000-8000-000000000001' $$,
    'deleting a client deletes its labels');

select * from finish();
rollback;
