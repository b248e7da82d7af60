/*
 * The FAQ matcher: its contract (signatures, volatility, who may call it),
 * text folding, its private lexicon, and the decision on a small bakery, as
 * service_role calls it: guards, and the explanation of the best candidates.
 */
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
-- The assertions below run as the API roles: let them call pgTAP even if
-- PUBLIC loses EXECUTE on new functions (rolled back with the test).
grant execute on all functions in schema extensions to anon, authenticated, service_role;

select plan(38);

/*
 * ---------------------------------------------------------------------------
 * Contract
 * ---------------------------------------------------------------------------
 */
select has_function('private', 'normalize_text', array ['text'], 'private.normalize_text(text) exists');
select has_function('private', 'rank_faqs', array ['uuid', 'text', 'boolean'],
                    'private.rank_faqs(uuid, text, boolean) exists (the flag defaults to explaining)');
select has_function('private', 'match_faq', array ['uuid', 'text'], 'private.match_faq(uuid, text) exists');
select volatility_is('private', 'normalize_text', array ['text'], 'immutable', 'normalize_text is immutable');
select volatility_is('private', 'rank_faqs', array ['uuid', 'text', 'boolean'], 'stable', 'rank_faqs is stable');
select volatility_is('private', 'match_faq', array ['uuid', 'text'], 'stable', 'match_faq is stable');
select function_lang_is('private', 'match_faq', array ['uuid', 'text'], 'plpgsql',
                        'match_faq is plpgsql (never inlined, so its EXECUTE check holds)');

select function_privs_are('private', 'match_faq', array ['uuid', 'text'], 'service_role', array ['EXECUTE'],
                          'service_role may call match_faq');
select function_privs_are('private', 'rank_faqs', array ['uuid', 'text', 'boolean'], 'service_role', array ['EXECUTE'],
                          'service_role may call rank_faqs');
select function_privs_are('private', 'match_faq', array ['uuid', 'text'], 'anon', array []::text[],
                          'anon may not call match_faq');
select function_privs_are('private', 'match_faq', array ['uuid', 'text'], 'authenticated', array []::text[],
                          'authenticated may not call match_faq');
select function_privs_are('private', 'rank_faqs', array ['uuid', 'text', 'boolean'], 'anon', array []::text[],
                          'anon may not call rank_faqs');
select function_privs_are('private', 'rank_faqs', array ['uuid', 'text', 'boolean'], 'authenticated', array []::text[],
                          'authenticated may not call rank_faqs');
select volatility_is('private', 'faq_phrase_key', array ['text'], 'immutable', 'faq_phrase_key is immutable');
select volatility_is('private', 'faq_text_features', array ['text'], 'stable', 'faq_text_features is stable');
select is((select proargnames from pg_proc where oid = 'private.rank_faqs(uuid,text,boolean)'::regprocedure),
          array ['p_owner_id', 'p_text', 'p_explain', 'faq_id', 'score', 'explanation'],
          'rank_faqs returns faq_id, score and an explanation');
select is((select proargnames from pg_proc where oid = 'private.match_faq(uuid,text)'::regprocedure),
          array ['p_owner_id', 'p_text', 'faq_id', 'score'],
          'match_faq still returns faq_id and score');

/*
 * ---------------------------------------------------------------------------
 * The lexicon is private data
 * ---------------------------------------------------------------------------
 */
select has_table('private', 'faq_concept_links', 'related concepts live in private.faq_concept_links');
select table_privs_are('private', 'faq_concept_links', 'anon', array []::text[], 'anon cannot read the links');
select table_privs_are('private', 'faq_concept_links', 'authenticated', array []::text[],
                       'authenticated cannot read the links');
select ok((select count(*) >= 2000 from private.faq_vocabulary), 'the lexicon is seeded');
select is_empty(
    $$ select v.term from private.faq_vocabulary v where v.term_key <> private.faq_phrase_key(v.term) $$,
    'every lexicon term is stored with its spelling key');

/*
 * ---------------------------------------------------------------------------
 * Text folding
 * ---------------------------------------------------------------------------
 */
select is(private.normalize_text('¿A QUÉ HORA ABREN?'), 'a que hora abren', 'case, accents and punctuation fold');
select is(private.normalize_text('Você   têm ração?? 🐶'), 'voce tem racao', 'emoji and runs of spaces fold');

/*
 * ---------------------------------------------------------------------------
 * The decision, as the webhook's service_role makes it
 * ---------------------------------------------------------------------------
 */
insert into auth.users (id, email, aud, role)
values ('0f000000-0000-4000-8000-000000000001', 'faq-bakery@example.test', 'authenticated', 'authenticated'),
       ('0f000000-0000-4000-8000-000000000002', 'faq-other@example.test', 'authenticated', 'authenticated');
insert into public.faqs (id, owner_id, question, answer)
values ('0f000000-0000-4000-8000-0000000000a1', '0f000000-0000-4000-8000-000000000001',
        '¿A qué hora abren?', 'De 7 a 21 h.'),
       ('0f000000-0000-4000-8000-0000000000a2', '0f000000-0000-4000-8000-000000000001',
        '¿Hacen envíos a domicilio?', 'Sí, dentro de 3 km.'),
       ('0f000000-0000-4000-8000-0000000000b1', '0f000000-0000-4000-8000-000000000002',
        '¿Hacen envíos a domicilio?', 'No.');

set local role service_role;
select results_eq(
    $$ select faq_id from private.match_faq('0f000000-0000-4000-8000-000000000001', 'orario?') $$,
    $$ values ('0f000000-0000-4000-8000-0000000000a1'::uuid) $$,
    'a typo still finds the opening hours');
select results_eq(
    $$ select faq_id from private.match_faq('0f000000-0000-4000-8000-000000000001', 'vcs entregam em casa?') $$,
    $$ values ('0f000000-0000-4000-8000-0000000000a2'::uuid) $$,
    'Portuguese finds the delivery FAQ of this business, not of the other');
select is_empty(
    $$ select * from private.match_faq('0f000000-0000-4000-8000-000000000001', 'muchas gracias!! 🙏') $$,
    'thanks get no FAQ');
select is_empty(
    $$ select * from private.match_faq('0f000000-0000-4000-8000-000000000001', 'quiero cancelar mi envío') $$,
    'a cancellation gets no FAQ');
select is_empty(
    $$ select * from private.match_faq('0f000000-0000-4000-8000-000000000001', '') $$,
    'an empty message gets no FAQ');
select ok(
    (select bool_and(score > 0 and score <= 1)
     from private.rank_faqs('0f000000-0000-4000-8000-000000000001', 'a que hora hacen envios?')),
    'rank_faqs scores lie in (0, 1]');
select is(
    (select explanation -> 'message' -> 0 ->> 'term'
     from private.rank_faqs('0f000000-0000-4000-8000-000000000001', 'hacen envios?') limit 1),
    'c:offer',
    'the best candidate explains what of the message it matched');
select is_empty(
    $$ select * from private.match_faq('0f000000-0000-4000-8000-000000000001', 'la farmacia de al lado abre hoy?') $$,
    'a question about another place gets no FAQ');
select is_empty(
    $$ select * from private.match_faq('0f000000-0000-4000-8000-000000000001', 'están contratando repartidores?') $$,
    'a job question gets no FAQ');
select results_eq(
    $$ select faq_id from private.match_faq('0f000000-0000-4000-8000-000000000001', 'me lo pueden mandar a la casa?') $$,
    $$ values ('0f000000-0000-4000-8000-0000000000a2'::uuid) $$,
    'a paraphrase finds the delivery FAQ');
select is_empty(
    $$ select * from private.match_faq('0f000000-0000-4000-8000-000000000001', 'se puede yapear?') $$,
    'a payment question gets no delivery FAQ');
reset role;

update public.faqs set active = false where id = '0f000000-0000-4000-8000-0000000000a1';
set local role service_role;
select is_empty(
    $$ select * from private.rank_faqs('0f000000-0000-4000-8000-000000000001', 'a que hora abren?') $$,
    'an inactive FAQ is never a candidate');
reset role;

set local role anon;
select throws_ok(
    $$ select * from private.match_faq('0f000000-0000-4000-8000-000000000001', 'hola') $$,
    '42501', null, 'anon cannot call match_faq');
reset role;
set local role authenticated;
set local request.jwt.claims = '{"sub": "0f000000-0000-4000-8000-000000000001", "role": "authenticated"}';
select throws_ok(
    $$ select * from private.rank_faqs('0f000000-0000-4000-8000-000000000001', 'hola') $$,
    '42501', null, 'authenticated cannot call rank_faqs, not even for their own business');
reset role;

select * from finish();
rollback;
