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

select plan(42);

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

/*
 * ---------------------------------------------------------------------------
 * No shared term, no ranking (20261205100000)
 * ---------------------------------------------------------------------------
 * rank_faqs returns at once when no active FAQ of the owner holds a term of
 * the message. A thing that only an FAQ's answer names is shared too.
 */
insert into auth.users (id, email, aud, role)
values ('0f000000-0000-4000-8000-000000000003', 'faq-breads@example.test', 'authenticated', 'authenticated');
insert into public.faqs (id, owner_id, question, answer)
values ('0f000000-0000-4000-8000-0000000000c1', '0f000000-0000-4000-8000-000000000003',
        '¿Qué panes hacen?', 'Bolillo, concha y birote salado, todos los días.'),
       ('0f000000-0000-4000-8000-0000000000c2', '0f000000-0000-4000-8000-000000000003',
        '¿A qué hora abren?', 'De 7 a 21 h.');
set local role service_role;
select results_eq(
    $$ select faq_id from private.rank_faqs('0f000000-0000-4000-8000-000000000003', 'birote?') $$,
    $$ values ('0f000000-0000-4000-8000-0000000000c1'::uuid) $$,
    'a thing that only an FAQ''s answer names still ranks that FAQ');
select is_empty(
    $$ select * from private.rank_faqs('0f000000-0000-4000-8000-000000000003', 'estacionamiento gratis?') $$,
    'a message that no FAQ shares a term with ranks none');
reset role;


/*
 * ---------------------------------------------------------------------------
 * Reading a message in one pass (20261202130200) reads as before
 * ---------------------------------------------------------------------------
 * The text helpers are PL/pgSQL: a non-inlined `language sql` function is
 * parsed and planned again by every statement that calls it. The reading of
 * 20261201210000, kept below as the reference, and the one-pass reading that
 * replaced it return the same rows, in the same order, for every term of the
 * lexicon, for messages with typos, stems, phrases, question words and
 * thanks, and for 600 seeded mixes of lexicon words, misspelt ones and
 * plain words.
 */
select is_empty(
    $$ select p.oid::regprocedure
       from pg_proc p
                join pg_language l on l.oid = p.prolang
       where p.oid in ('private.normalize_text(text)'::regprocedure, 'public.fold_for_search(text)'::regprocedure,
                       'private.faq_phrase_key(text)'::regprocedure, 'private.faq_word_key(text)'::regprocedure,
                       'private.message_status_rank(text)'::regprocedure,
                       'private.apply_builtin_label(uuid, uuid, text)'::regprocedure)
         and l.lanname <> 'plpgsql' $$,
    'the per-message text and status helpers are PL/pgSQL, planned once per session');

create function pg_temp.reference_text_features(p_text text)
    returns table (slot integer, term text, kind text, weight real, strength real, role text, words text, focus boolean)
    language plpgsql
    stable
    set search_path = ''
    set plan_cache_mode = force_generic_plan
as
$reference$
declare
    v_words text[];
    v_keys  text[];
    v_es    text[];
    v_pt    text[];
    v_stop  boolean[];
    -- the lexicon's hits: a phrase (start, length) and one of its senses
    v_hit_starts  integer[];
    v_hit_lens    integer[];
    v_hit_exact   boolean[];
    v_hit_concepts text[];
    v_hit_roles   text[];
    v_hit_weights real[];
    -- the walk: each unit's first word and length
    v_longest     integer[];
    v_unit_starts integer[] := '{}'::integer[];
    v_unit_lens   integer[] := '{}'::integer[];
    v_at          integer;
    v_count integer;
begin
    -- Spanish pronouns fused to a verb read as the verb: "mandarlo" is "mandar",
    -- "revisándola" is "revisando".
    v_words := pg_catalog.string_to_array(
            pg_catalog.regexp_replace(private.normalize_text(pg_catalog.left(p_text, 1000)),
                                      '\m([a-z]{3,}(ar|er|ir|ando|endo))(me|te|se|lo|la|le|los|las|les|nos|melo|mela|selo|sela)\M',
                                      '\1', 'g'), ' ');
    v_words := v_words[1:60];
    v_count := coalesce(pg_catalog.array_length(v_words, 1), 0);
    if v_count = 0 or v_words[1] = '' then
        return;
    end if;

    -- Postgres's Spanish and Portuguese Snowball stems (an empty one marks a
    -- word of their stop word lists), and the spelling keys of the words and
    -- of both stems, in one call ('0' holds the place of a stop word's stems, and
    -- of a Portuguese stem that is the Spanish one).
    select k.keys[1:v_count], k.keys[v_count + 1:2 * v_count], k.keys[2 * v_count + 1:3 * v_count], k.stop
    into v_keys, v_es, v_pt, v_stop
    from (select pg_catalog.string_to_array(
                         private.faq_phrase_key(pg_catalog.array_to_string(v_words, ' ') || ' ' ||
                                                pg_catalog.string_agg(x.es, ' ' order by x.ord) || ' ' ||
                                                pg_catalog.string_agg(x.pt, ' ' order by x.ord)), ' ') as keys,
                 pg_catalog.array_agg(x.stop order by x.ord) as stop
          from (select y.ord,
                       y.es = '{}' or y.pt = '{}' as stop,
                       case when y.es = '{}' or y.pt = '{}' then '0' else coalesce(y.es[1], y.word) end as es,
                       case when y.es = '{}' or y.pt = '{}' or y.pt = y.es then '0' else coalesce(y.pt[1], y.word) end as pt
                from (select u.ord,
                             u.word,
                             pg_catalog.ts_lexize('pg_catalog.spanish_stem'::pg_catalog.regdictionary, u.word) as es,
                             pg_catalog.ts_lexize('pg_catalog.portuguese_stem'::pg_catalog.regdictionary, u.word) as pt
                      from pg_catalog.unnest(v_words) with ordinality as u(word, ord)) y) x) k;

    -- Every phrase of up to five words, and the lexicon's entries for any of
    -- them in one probe (a phrase as written has the same key); a stop word
    -- ("mais") is only what it is as written, never a spelling-key match ("mall").
    with grams as (select s.pos as start,
                          n.len,
                          pg_catalog.array_to_string(v_words[s.pos:s.pos + n.len - 1], ' ') as gram,
                          pg_catalog.array_to_string(v_keys[s.pos:s.pos + n.len - 1], ' ') as gram_key
                   from pg_catalog.generate_series(1, v_count) as s(pos)
                            cross join pg_catalog.generate_series(1, 5) as n(len)
                   where s.pos + n.len - 1 <= v_count),
         entries as (select v.term, v.term_key, v.concept, v.role, v.weight
                     from private.faq_vocabulary v
                     where v.term_key = any (array(select g.gram_key from grams g)))
    select pg_catalog.array_agg(g.start), pg_catalog.array_agg(g.len), pg_catalog.array_agg(v.term = g.gram),
           pg_catalog.array_agg(v.concept), pg_catalog.array_agg(v.role), pg_catalog.array_agg(v.weight)
    into v_hit_starts, v_hit_lens, v_hit_exact, v_hit_concepts, v_hit_roles, v_hit_weights
    from grams g
             join entries v on v.term_key = g.gram_key
    where v.term = g.gram
       or g.len > 1
       or not v_stop[g.start];

    -- Left to right, the longest phrase starting at a word, else the word.
    v_longest := pg_catalog.array_fill(0, array [v_count]);
    for v_at in 1 .. coalesce(pg_catalog.array_length(v_hit_starts, 1), 0)
        loop
            if v_hit_lens[v_at] > v_longest[v_hit_starts[v_at]] then
                v_longest[v_hit_starts[v_at]] := v_hit_lens[v_at];
            end if;
        end loop;
    v_at := 1;
    while v_at <= v_count
        loop
            v_unit_starts := v_unit_starts || v_at;
            v_unit_lens := v_unit_lens || greatest(v_longest[v_at], 1);
            v_at := v_at + greatest(v_longest[v_at], 1);
        end loop;

    return query
        with
            -- Each word with its spelling key, its stems' keys, and whether
            -- Postgres's Spanish or Portuguese stop word lists hold it.
            w as (select x.ord::integer as pos,
                         x.word,
                         v_keys[x.ord] as key,
                         x.word ~ '[0-9]' as has_digit,
                         case when x.word !~ '[0-9]' then v_es[x.ord] end as es,
                         case when x.word !~ '[0-9]' then case when v_pt[x.ord] = '0' then v_es[x.ord] else v_pt[x.ord] end end as pt,
                         v_stop[x.ord] as stop
                  from pg_catalog.unnest(v_words) with ordinality as x(word, ord)),
            walk as (select k.pos, k.len
                     from rows from (pg_catalog.unnest(v_unit_starts), pg_catalog.unnest(v_unit_lens)) as k(pos, len)),
            gram_hits as (select h.start, h.len, h.exact, h.concept, h.role, h.weight
                          from rows from (pg_catalog.unnest(v_hit_starts), pg_catalog.unnest(v_hit_lens),
                                          pg_catalog.unnest(v_hit_exact), pg_catalog.unnest(v_hit_concepts),
                                          pg_catalog.unnest(v_hit_roles), pg_catalog.unnest(v_hit_weights))
                                   as h(start, len, exact, concept, role, weight)),
            -- The chosen phrase's senses; as written beats by spelling key.
            phrase_hits as (select k.pos, k.len, h.concept, h.role, h.weight
                            from walk k
                                     join gram_hits h on h.start = k.pos and h.len = k.len
                            where h.exact
                               or not exists (select 1
                                              from gram_hits e
                                              where e.start = k.pos
                                                and e.len = k.len
                                                and e.exact)),
            -- Single words the lexicon does not hold as written: by stem.
            lone as (select k.pos, w.word, w.key, w.es, w.pt, w.stop, w.has_digit
                     from walk k
                              join w on w.pos = k.pos
                     where not exists (select 1 from phrase_hits p where p.pos = k.pos)),
            stem_hits as (select l.pos, 1 as len, v.concept, v.role, v.weight
                          from lone l
                                   join private.faq_vocabulary v
                                        on v.stem_es = l.es or v.stem_pt = l.pt
                          where not l.stop
                            and not l.has_digit),
            -- Failing that, a typo of a lexicon word: one letter added, dropped,
            -- changed or swapped in a longer word (the spelling key has already
            -- folded the usual misspellings). The first and last letters decide
            -- too much to be wrong (errado/cerrado); a changed letter counts only
            -- in longer words, and never toward a function word, another place or
            -- another subject: real words sit one letter apart (blanco/banco).
            typo_hits as (select l.pos, 1 as len, t.concept, 'is'::text as role, t.weight * 0.9::real as weight
                          from lone l
                                   cross join lateral (
                              select v.concept, v.weight
                              from private.faq_vocabulary v
                                       join private.faq_concepts c on c.concept = v.concept
                              where pg_catalog.left(v.term_key, 1) = pg_catalog.left(l.key, 1)
                                and pg_catalog.right(v.term_key, 1) = pg_catalog.right(l.key, 1)
                                and pg_catalog.length(v.term_key) between pg_catalog.length(l.key) - 1
                                  and pg_catalog.length(l.key) + 1
                                and c.kind not in ('ignore', 'place', 'guard')
                                and v.role = 'is'
                                and pg_catalog.strpos(v.term_key, ' ') = 0
                                and (pg_catalog.length(l.key) >= 8
                                  or pg_catalog.length(v.term_key) <> pg_catalog.length(l.key))
                                and exists (select 1
                                            from pg_catalog.generate_series(1, pg_catalog.length(v.term_key) + 1) as e(i)
                                            where pg_catalog.left(v.term_key, e.i - 1) || pg_catalog.substr(v.term_key, e.i + 1)
                                                      = pg_catalog.left(l.key, e.i - 1) || pg_catalog.substr(l.key, e.i + 1)
                                               or pg_catalog.left(v.term_key, e.i - 1) || pg_catalog.substr(v.term_key, e.i + 1)
                                                      = l.key
                                               or pg_catalog.left(l.key, e.i - 1) || pg_catalog.substr(l.key, e.i + 1)
                                                      = v.term_key
                                               or (pg_catalog.left(v.term_key, e.i - 1) = pg_catalog.left(l.key, e.i - 1)
                                                   and pg_catalog.substr(v.term_key, e.i, 1) = pg_catalog.substr(l.key, e.i + 1, 1)
                                                   and pg_catalog.substr(v.term_key, e.i + 1, 1) = pg_catalog.substr(l.key, e.i, 1)
                                                   and pg_catalog.substr(v.term_key, e.i + 2) = pg_catalog.substr(l.key, e.i + 2)))
                              order by v.weight desc, v.term
                              limit 1) t
                          where not l.stop
                            and not l.has_digit
                            and pg_catalog.length(l.key) >= 6
                            and not exists (select 1 from stem_hits s where s.pos = l.pos)),
            hits as (select p.pos, p.len, p.concept, p.role, p.weight
                     from phrase_hits p
                     union all
                     select s.pos, s.len, s.concept, s.role, s.weight
                     from stem_hits s
                     union all
                     select t.pos, t.len, t.concept, t.role, t.weight
                     from typo_hits t),
            -- Each lexicon slot's strongest sense decides its kind and weight;
            -- an 'ignore' one drops the slot, a 'word' one makes it a content word.
            senses as (select h.pos, h.len, h.concept, h.role, h.weight, c.kind, c.weight as concept_weight,
                              pg_catalog.row_number() over (
                                  partition by h.pos
                                  order by (h.role = 'is') desc, h.weight desc,
                                      case c.kind
                                          when 'human' then 0 when 'guard' then 0 when 'word' then 0
                                          when 'topic' then 1 when 'object' then 2 when 'place' then 2
                                          when 'intent' then 3 else 4 end,
                                      h.concept) as rank
                       from hits h
                                join private.faq_concepts c on c.concept = h.concept),
            heads as (select s.pos, s.len, s.kind, s.weight * s.concept_weight as slot_weight, s.weight as head_weight,
                             s.role as head_role
                      from senses s
                      where s.rank = 1),
            -- The units of the walk: a lexicon slot when its strongest sense is
            -- a real one; a content word when the lexicon does not know it, only
            -- knows what it belongs to, or knows it as a real word.
            units as (select k.pos, k.len, w.word, w.es, w.pt, w.key,
                             pg_catalog.array_to_string(v_keys[k.pos:k.pos + k.len - 1], ' ') as phrase_key,
                             pg_catalog.array_to_string(v_words[k.pos:k.pos + k.len - 1], ' ') as words,
                             hd.kind as head_kind, hd.head_role, hd.slot_weight, hd.head_weight,
                             case
                                 when hd.head_role = 'is' and hd.kind not in ('ignore', 'word') then 'lexicon'
                                 when (hd.pos is null and not w.stop) or hd.head_role = 'member' or hd.kind = 'word'
                                     then case when not w.has_digit and pg_catalog.length(w.key) >= 3 then 'content' end
                                 end as unit
                      from walk k
                               join w on w.pos = k.pos
                               left join heads hd on hd.pos = k.pos),
            slots as (select u.pos,
                             case when u.unit = 'lexicon' then u.head_kind else 'object' end as kind,
                             case when u.unit = 'lexicon' then u.slot_weight else 1 end::real as weight,
                             u.words
                      from units u
                      where u.unit is not null),
            -- The thing asked about, when the message opens with a question
            -- word ("tienen X", "cuánto cuesta X", "hacen X"): the slot after it;
            -- or a verb the lexicon does not know ("alquilan X?"): that verb.
            focused as (select pg_catalog.min(s.pos) as pos
                        from slots s
                        where s.kind not in ('intent', 'social')
                          and not exists (select 1
                                          from slots b
                                          where b.pos < s.pos
                                            and b.kind <> 'intent'
                                            and b.pos > (select i.pos from slots i order by i.pos limit 1))
                          and ((select i.kind from slots i order by i.pos limit 1) = 'intent'
                            or exists (select 1
                                       from senses h
                                       where h.pos = (select i.pos from slots i order by i.pos limit 1)
                                         and h.pos < s.pos
                                         and h.kind = 'intent'
                                         and h.role = 'is')
                            or (s.kind = 'object'
                                and s.pos = (select i.pos from slots i order by i.pos limit 1)
                                and pg_catalog.length(s.words) >= 6
                                and s.words ~ '^[a-z]+(an|en|am|em)$'
                                and exists (select 1 from units u where u.pos = s.pos and u.unit = 'content')))),
            terms as (select u.pos, 'c:' || h.concept as term, h.weight / u.head_weight as strength,
                             case when h.rank = 1 then 'primary' else 'sense' end as role
                      from units u
                               join senses h on h.pos = u.pos and h.role = 'is' and h.kind not in ('ignore', 'word')
                      where u.unit = 'lexicon'
                      union all
                      -- content words: by both stems (a phrase by its key), and what they belong to
                      select u.pos, 'w:' || case when u.len = 1 then u.es else u.phrase_key end, 1, 'primary'
                      from units u
                      where u.unit = 'content'
                      union all
                      select u.pos, 'w:' || u.pt, 1, 'sense'
                      from units u
                      where u.unit = 'content'
                        and u.len = 1
                        and u.pt <> u.es
                      union all
                      select u.pos, 'c:' || h.concept, h.weight, 'member'
                      from units u
                               join senses h on h.pos = u.pos and h.role = 'member'
                      where u.unit is not null),
            linked as (select t.pos, t.term, t.strength, t.role
                       from terms t
                       union all
                       select t.pos, 'c:' || l.related, t.strength * l.weight, 'link'
                       from terms t
                                join private.faq_concept_links l on 'c:' || l.concept = t.term),
            -- A term reached twice from one slot keeps its strongest way.
            best as (select distinct on (x.pos, x.term) x.pos, x.term, x.strength, x.role
                     from linked x
                     order by x.pos, x.term, x.strength desc,
                              case x.role when 'primary' then 0 when 'sense' then 1 when 'member' then 2 else 3 end),
            -- A meaning said twice ("a qué hora abren") is one slot: the first.
            repeated as (select t.pos
                         from terms t
                         where t.role = 'primary'
                           and exists (select 1
                                       from terms e
                                       where e.role = 'primary'
                                         and e.term = t.term
                                         and e.pos < t.pos))
        select s.pos,
               b.term,
               s.kind,
               s.weight,
               b.strength::real,
               b.role,
               s.words,
               coalesce(s.pos = (select f.pos from focused f), false)
        from slots s
                 join best b on b.pos = s.pos
        where s.pos not in (select r.pos from repeated r)
        order by s.pos, b.strength desc, b.term;
end;
$reference$;

do $$ begin perform pg_catalog.setseed(0.42); end $$;
create temporary table reading_corpus on commit drop as
select v.term as text
from (select distinct t.term from private.faq_vocabulary t) v
union all
select m.text
from pg_catalog.unnest(array [
    'a que hora abren?', '¿A QUÉ HORA ABREN?', 'Holaaa q hora abren los domingos??', 'horario',
    'cuanto cuesta una calza', 'cuánto cobran por un corte de pelo y tinte', 'tienen paracetamoll',
    '¿Tienen ibuprofeno?', 'alquilan bicicletas?', 'hacen envios a domicilio?', 'entregamos hoy',
    'mandarlo mañana', 'revisándola por favor', 'gracias, la fiesta salió hermosa', 'muchas gracias!!',
    'las tarjetas salieron mal', 'me rayaron la puerta', 'quiero cancelar mi cita', 'dónde están ubicados',
    'a que hora cierra el metro', 'você têm ração?', 'o q ele tem', 'vcs entregam hj?', 'qto custa a consulta',
    'aceptan tarjeta de credito o solo efectivo', 'tarjeta de cumpleaños', 'estacionamiento gratis?',
    'buenas tardes quisiera saber si hacen arreglos florales para bodas y cuanto cobran por la decoracion completa del salon',
    'mi pedido 12345 no ha llegado', 'hay yoga los sabados', 'tienen leche de tigre', 'precio',
    'la pantalla del celular se rompio cuanto sale el cambio', 'STOP', 'baja', '🐶🐶', '   ', '123 456'
    ]) as m(text)
union all
select pg_catalog.string_agg(
               case
                   when w.r < 0.3 then w.term
                   -- a letter dropped, doubled or changed
                   when w.r < 0.45 then pg_catalog.left(w.term, w.at - 1) || pg_catalog.substr(w.term, w.at + 1)
                   when w.r < 0.6 then pg_catalog.left(w.term, w.at) || pg_catalog.substr(w.term, w.at)
                   when w.r < 0.75 then pg_catalog.left(w.term, w.at - 1) || 'e' || pg_catalog.substr(w.term, w.at + 1)
                   else w.opener end, ' ' order by w.n)
from (select g.mix, n.n, t.term, pg_catalog.random() as r,
             1 + pg_catalog.floor(pg_catalog.random() * greatest(pg_catalog.length(t.term), 1))::integer as at,
             (array ['tienen', 'cuanto cuesta', 'hacen', 'alquilan', 'hola', 'gracias', 'donde', 'el', 'y', 'para'])
                 [1 + pg_catalog.floor(pg_catalog.random() * 10)::integer] as opener
      from pg_catalog.generate_series(1, 600) as g(mix)
               cross join lateral pg_catalog.generate_series(1, 2 + (g.mix % 6)) as n(n)
               cross join lateral (select v.term
                                   from private.faq_vocabulary v
                                   order by v.term
                                   offset pg_catalog.floor(pg_catalog.random() * 4000)::integer + 0 * g.mix + 0 * n.n
                                   limit 1) t) w
group by w.mix;

select is_empty(
    $$ select c.text
       from reading_corpus c
       where (select pg_catalog.array_agg(f::text) from private.faq_text_features(c.text) f)
                 is distinct from (select pg_catalog.array_agg(r::text) from pg_temp.reference_text_features(c.text) r) $$,
    'the one-pass reading returns, row for row, what the reading it replaced returns');

select * from finish();
rollback;
