/*
 * How sure the FAQ matcher must be, chosen by the owner
 * (20261204120000_faq_caution.sql): the column and its values, who may change
 * it, the one rule both the webhook's decision and the tester read, and what
 * a cautious business answers: an FAQ only from a score of 0.75, the fallback
 * below it, the same in the tester as through handle_inbound_message.
 */
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
grant execute on all functions in schema extensions to anon, authenticated;

select plan(24);

/*
 * ---------------------------------------------------------------------------
 * Contract
 * ---------------------------------------------------------------------------
 */
select has_column('public', 'users', 'faq_caution', 'users has faq_caution');
select col_not_null('public', 'users', 'faq_caution', 'faq_caution is never null');
select col_default_is('public', 'users', 'faq_caution', 'balanced', 'a business starts balanced');
select ok(has_column_privilege('authenticated', 'public.users', 'faq_caution', 'UPDATE'),
          'an owner may change faq_caution (their own row, by RLS)');
select is_empty(
    $$ select r.rolname from (values ('anon'), ('authenticated'), ('service_role')) r(rolname)
       where has_function_privilege(r.rolname, 'private.faq_decision_rule(uuid)', 'execute') $$,
    'no API role may call private.faq_decision_rule: only the matcher and the tester read it');
select ok((select p.proconfig @> array ['search_path=""'] from pg_proc p
           where p.oid = 'private.faq_decision_rule(uuid)'::regprocedure),
          'private.faq_decision_rule has an empty search_path');

/*
 * ---------------------------------------------------------------------------
 * Two businesses with the same three FAQs
 * ---------------------------------------------------------------------------
 */
insert into auth.users (id, email, aud, role)
values ('c1111111-1111-4111-8111-111111111111', 'caution-a@example.test', 'authenticated', 'authenticated'),
       ('c2222222-2222-4222-8222-222222222222', 'caution-b@example.test', 'authenticated', 'authenticated');
update public.users
set whatsapp_number  = '+5213300016001',
    fallback_message = 'Gracias por escribir; en un momento te atendemos.',
    business_hours   = '{}'
where id = 'c1111111-1111-4111-8111-111111111111';
update public.users set whatsapp_number = '+5213300016002'
where id = 'c2222222-2222-4222-8222-222222222222';

insert into public.faqs (id, owner_id, position, question, answer)
select ('c' || o.n || '000000-0000-4000-8000-00000000000' || f.n)::uuid, o.id, f.n, f.question, f.answer
from (values (1, 'c1111111-1111-4111-8111-111111111111'::uuid),
             (2, 'c2222222-2222-4222-8222-222222222222'::uuid)) o(n, id)
         cross join (values (1, '¿Cuál es su horario?', 'Abrimos de 8 a 20 h.'),
                            (2, '¿Dónde están?', 'Calle Libertad 1842, Guadalajara.'),
                            (3, '¿Hacen envíos a domicilio?', 'Sí, en toda la ciudad.')) f(n, question, answer);

select throws_ok($$ update public.users set faq_caution = 'bold' where id = 'c1111111-1111-4111-8111-111111111111' $$,
                 '23514', null, 'faq_caution is balanced or cautious, nothing else');

/*
 * ---------------------------------------------------------------------------
 * The rule
 * ---------------------------------------------------------------------------
 * A message whose best FAQ scores between the two thresholds ("envíos" of
 * gift boxes for a company: the delivery FAQ, but with much it does not
 * cover), and one that scores fully.
 */
select ok((select best.score >= 0.5 and best.score < 0.75
           from private.rank_faqs('c1111111-1111-4111-8111-111111111111',
                                  'hacen envios de cajas de galletas para regalo empresarial?', false) best
           order by best.score desc limit 1),
          'the in-between message scores from 0.5 to under 0.75');

select results_eq($$ select required_score, margin from private.faq_decision_rule('c1111111-1111-4111-8111-111111111111') $$,
                  $$ values (0.5::real, 0.1::real) $$, 'balanced: an FAQ from 0.5, leading by 0.1');
select results_eq($$ select required_score, margin from private.faq_decision_rule(gen_random_uuid()) $$,
                  $$ values (0.5::real, 0.1::real) $$, 'no such business: the balanced rule');
select is((select best.faq_id from private.match_faq('c1111111-1111-4111-8111-111111111111',
                                                     'hacen envios de cajas de galletas para regalo empresarial?') best),
          'c1000000-0000-4000-8000-000000000003'::uuid, 'balanced: the in-between message gets the delivery FAQ');

update public.users set faq_caution = 'cautious' where id = 'c1111111-1111-4111-8111-111111111111';

select results_eq($$ select required_score, margin from private.faq_decision_rule('c1111111-1111-4111-8111-111111111111') $$,
                  $$ values (0.75::real, 0.1::real) $$, 'cautious: an FAQ from 0.75, leading by 0.1');
select is_empty($$ select * from private.match_faq('c1111111-1111-4111-8111-111111111111',
                                                   'hacen envios de cajas de galletas para regalo empresarial?') $$,
                'cautious: the in-between message gets no FAQ');
select is((select best.faq_id from private.match_faq('c1111111-1111-4111-8111-111111111111', '¿hacen envíos?') best),
          'c1000000-0000-4000-8000-000000000003'::uuid, 'cautious: a message the FAQ fully answers still gets it');
select is((select best.faq_id from private.match_faq('c2222222-2222-4222-8222-222222222222',
                                                     'hacen envios de cajas de galletas para regalo empresarial?') best),
          'c2000000-0000-4000-8000-000000000003'::uuid, 'another business''s setting changes nothing here');

-- Through the webhook's function: the fallback for the in-between message, the FAQ for the clear one.
select is(public.handle_inbound_message('+5213300016001', '+5213300016101', 'SM' || md5('caution-1'),
                                        'hacen envios de cajas de galletas para regalo empresarial?') -> 'reply' ->> 'kind',
          'fallback', 'a cautious business sends its fallback to the in-between message');
select is(public.handle_inbound_message('+5213300016001', '+5213300016102', 'SM' || md5('caution-2'),
                                        '¿hacen envíos?') -> 'reply' ->> 'kind',
          'faq', 'and its FAQ to the clear one');
select is(public.handle_inbound_message('+5213300016002', '+5213300016201', 'SM' || md5('caution-3'),
                                        'hacen envios de cajas de galletas para regalo empresarial?') -> 'reply' ->> 'kind',
          'faq', 'a balanced business answers the in-between message with its FAQ');

/*
 * ---------------------------------------------------------------------------
 * As the owners
 * ---------------------------------------------------------------------------
 */
set local role authenticated;
set local request.jwt.claims = '{"sub": "c1111111-1111-4111-8111-111111111111", "role": "authenticated"}';

select is(public.test_faq_match('hacen envios de cajas de galletas para regalo empresarial?')
              - array ['candidates', 'words', 'score', 'open', 'reply', 'away_message_set', 'fallback_window_hours',
                       'command', 'faq_id', 'candidate_count'],
          jsonb_build_object('decision', 'fallback', 'reason', 'low_score', 'threshold', 0.75, 'margin', 0.1),
          'the tester words the cautious decision: the fallback, the score below the 0.75 required');
select is(public.test_faq_match('¿hacen envíos?') ->> 'decision', 'faq',
          'the tester answers the clear message with the FAQ, as the webhook does');

select is((select count(*)::integer from public.users), 1, 'an owner sees only their own business row');
update public.users set faq_caution = 'cautious' where id = 'c2222222-2222-4222-8222-222222222222';
update public.users set faq_caution = 'balanced' where id = 'c1111111-1111-4111-8111-111111111111';
select is(public.test_faq_match('hacen envios de cajas de galletas para regalo empresarial?') ->> 'decision', 'faq',
          'back to balanced, the tester answers the in-between message with the FAQ');
reset role;
select is((select faq_caution from public.users where id = 'c2222222-2222-4222-8222-222222222222'), 'balanced',
          'an owner cannot change another business''s caution');

set local role anon;
select throws_ok($$ update public.users set faq_caution = 'cautious' $$, '42501', null,
                 'anon cannot change any business''s caution');
reset role;

select * from finish();
rollback;
