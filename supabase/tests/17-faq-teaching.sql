/*
 * Teaching an FAQ from a missed message
 * (20261204130000_faq_teaching_distinct_words.sql): for each word of its
 * reading, the tester names the caller's active FAQs that already hold it,
 * so the dashboard can leave out a word another FAQ holds. Another owner's
 * FAQs and inactive FAQs never count; anon gets nothing.
 */
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
grant execute on all functions in schema extensions to anon, authenticated;

select plan(8);

insert into auth.users (id, email, aud, role)
values ('d1111111-1111-4111-8111-111111111111', 'teach-a@example.test', 'authenticated', 'authenticated'),
       ('d2222222-2222-4222-8222-222222222222', 'teach-b@example.test', 'authenticated', 'authenticated');

insert into public.faqs (id, owner_id, position, question, answer, active)
values ('d1000000-0000-4000-8000-000000000001', 'd1111111-1111-4111-8111-111111111111', 1,
        '¿Dónde están ubicados?', 'En Calle Libertad 1842, Guadalajara.', true),
       ('d1000000-0000-4000-8000-000000000002', 'd1111111-1111-4111-8111-111111111111', 2,
        '¿Hacen pasteles para fiestas?', 'Sí, por encargo con dos días.', true),
       ('d1000000-0000-4000-8000-000000000003', 'd1111111-1111-4111-8111-111111111111', 3,
        '¿Tienen pan sin gluten?', 'Los sábados, por encargo.', false),
       ('d2000000-0000-4000-8000-000000000001', 'd2222222-2222-4222-8222-222222222222', 1,
        '¿Tienen estacionamiento?', 'Sí, para diez autos.', true);

create temporary table reading (word text, faq_ids jsonb) on commit drop;
grant select, insert on reading to authenticated;

set local role authenticated;
set local request.jwt.claims = '{"sub": "d1111111-1111-4111-8111-111111111111", "role": "authenticated"}';

insert into reading
select w ->> 'words', w -> 'faq_ids'
from jsonb_array_elements(public.test_faq_match('¿hay estacionamiento cerca para la fiesta? y pan sin gluten?') -> 'words') w;

select is((select faq_ids from reading where word = 'fiesta'), '["d1000000-0000-4000-8000-000000000002"]'::jsonb,
          'a word another FAQ asks about names that FAQ');
select is((select faq_ids from reading where word = 'estacionamiento'), '[]'::jsonb,
          'a word only another business''s FAQ holds names none');
select is((select faq_ids from reading where word = 'cerca'), '["d1000000-0000-4000-8000-000000000001"]'::jsonb,
          'a word read as the location names the FAQ that asks where they are');
select ok((select bool_and(faq_ids = '[]'::jsonb) from reading where word in ('pan', 'gluten', 'pan sin gluten')),
          'an inactive FAQ''s words name no FAQ');
select is((select count(*)::integer from reading where faq_ids is null or jsonb_typeof(faq_ids) <> 'array'), 0,
          'every word of the reading carries its list, empty or not');

set local request.jwt.claims = '{"sub": "d2222222-2222-4222-8222-222222222222", "role": "authenticated"}';
select is((select w -> 'faq_ids'
           from jsonb_array_elements(public.test_faq_match('¿hay estacionamiento?') -> 'words') w
           where w ->> 'words' = 'estacionamiento'),
          '["d2000000-0000-4000-8000-000000000001"]'::jsonb,
          'the other owner sees their own FAQ hold the word');
select is((select count(*)::integer
           from jsonb_array_elements(public.test_faq_match('¿hacen pasteles para fiestas?') -> 'words') w,
                jsonb_array_elements_text(w -> 'faq_ids') id
           where id::uuid in (select f.id from public.faqs f where f.owner_id = 'd1111111-1111-4111-8111-111111111111')), 0,
          'and never the first owner''s FAQs');

reset role;
set local role anon;
select throws_ok($$ select public.test_faq_match('¿hay estacionamiento?') $$, '42501', null,
                 'anon cannot read the tester');
reset role;

select * from finish();
rollback;
