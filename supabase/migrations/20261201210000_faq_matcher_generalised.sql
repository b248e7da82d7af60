/**
  * -------------------------------------------------------
  * Section - FAQ matcher that generalises
  * -------------------------------------------------------
  * The matcher of 20261126140000_faq_matcher.sql, taught how customers ask
  * rather than what its first businesses' customers asked. Still SQL next to
  * the data, still conservative: a wrong answer is worse than the fallback.
  *
  * Reading a text (private.faq_text_features) turns it into slots, one per
  * phrase or word that counts, left to right, the longest phrase of the
  * lexicon first:
  *   - a phrase or word of the lexicon (private.faq_vocabulary) gives its
  *     concepts: the strongest is the slot's meaning, the others are other
  *     senses it may have ("tarjeta": a payment card, or a greeting card);
  *   - a word the lexicon knows only by its stem (Postgres's own Snowball
  *     stemmers for Spanish and Portuguese, on accent-folded text) gives the
  *     concepts of the words with that stem: "entregamos" reads as "entregar";
  *   - a typo of a lexicon word (one letter off) reads as that word;
  *   - any other word is a content word, keyed by its Spanish and Portuguese
  *     stems, so "arreglos", "arreglo" and "arreglan" are one word.
  * On the message's side only, a slot also stands for what it belongs to
  * ("paracetamol" is a medicine, "girasoles" are flowers) and for related
  * concepts (a price question is answered by a price list), each with a
  * strength below 1: private.faq_concept_links. The FAQ's side never widens,
  * so "¿Tienen ibuprofeno?" does not answer "tienen paracetamol?".
  *
  * Scoring (private.rank_faqs) compares slots, not words:
  *   - a message slot and an FAQ slot match as strongly as their best shared
  *     term (the product of both strengths), or by trigrams for longer words;
  *   - content words and lexicon objects weigh by how rare they are among
  *     the business's own FAQs (IDF): "arreglos" in most of a florist's FAQs
  *     says little, "limpieza" in one of a dentist's FAQs says a lot;
  *   - the score is the geometric mean of how much of the message the FAQ
  *     explains and how much of the FAQ's question the message covers;
  *   - guards give 0: the FAQ's question has a subject the message does not
  *     share; the thing asked about ("cuánto cuesta una calza") is not the
  *     FAQ's, unless the FAQ is about the price list or catalogue; one side
  *     needs a person (cancel, complain, an order's status) or is about
  *     something else (a job, another place, a bill) and the other is not;
  *     a landmark or public place without a location question ("a qué hora
  *     cierra el metro"); thanks or praise with no question.
  * private.match_faq answers with the best FAQ when it scores at least 0.5
  * and leads the runner-up by 0.1; two questions in one message therefore
  * get the FAQ that covers the message, or the fallback.
 */

/**
  * -------------------------------------------------------
  * Section - Text folding
  * -------------------------------------------------------
 */

-- The spelling-tolerant keys of a phrase's words, space-separated: the key
-- of 20261126140000 (h, v/b, c/s/z, qu/cu, ll/y, doubled and stretched
-- letters, a final s), after WhatsApp abbreviations are spelled out: "q" is
-- "que", "vc" is "voce", "x" is "por", so "o q ele tem" reads as "o que ele
-- tem". The rules act within words, so they run once over the whole phrase:
-- one call keys a whole message (functions that pin their search_path are
-- never inlined, so a call per word would cost a call per word).
create or replace function private.faq_phrase_key(p_phrase text)
    returns text
    language sql
    immutable
    parallel safe
    set search_path = ''
as
$$
-- Fixed strings by replace() and translate(), cheaper than regular expressions.
select pg_catalog.regexp_replace(
               pg_catalog.regexp_replace(
                       pg_catalog.translate(
                               pg_catalog.replace(pg_catalog.replace(
                                       pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
                                               pg_catalog.replace(
                                                       pg_catalog.translate(
                                                               pg_catalog.replace(
                                                                       pg_catalog.regexp_replace(
                                                                               pg_catalog.replace(
                                                                                       pg_catalog.regexp_replace(
                                                                                               spelled.phrase,
                                                                                               -- stretched letters: holaaa
                                                                                               '([^ ])\1{2,}', '\1', 'g'),
                                                                                       'll', 'y'),
                                                                               -- doubled letters, except rr (perro/pero)
                                                                               '([^r ])\1', '\1', 'g'),
                                                                       'ch', 'x'),
                                                               -- a silent h (also pt nh, lh)
                                                               'h', ''),
                                                       'qu', 'ku'),
                                               'ce', 'se'), 'ci', 'si'), 'cy', 'sy'),
                                       'ge', 'je'), 'gi', 'ji'),
                               'czvyw', 'ksbiu'),
                       '([^r ])\1', '\1', 'g'),
               -- a final s of a word of four letters or more
               '([[:alnum:]]{3,})s\M', '\1', 'g')
from (select coalesce(pg_catalog.string_agg(
                              case w.word
                          when 'q' then 'que'
                          when 'qe' then 'que'
                          when 'k' then 'que'
                          when 'ke' then 'que'
                          when 'x' then 'por'
                          when 'pq' then 'porque'
                          when 'xq' then 'porque'
                          when 'porq' then 'porque'
                          when 'vc' then 'voce'
                          when 'vcs' then 'voces'
                          when 'tb' then 'tambien'
                          when 'tbm' then 'tambem'
                          when 'tmb' then 'tambien'
                          when 'hj' then 'hoje'
                          when 'qdo' then 'quando'
                          when 'qnd' then 'quando'
                          when 'qto' then 'quanto'
                          when 'qnto' then 'quanto'
                          when 'mto' then 'muito'
                          when 'pra' then 'para'
                          when 'pa' then 'para'
                          when 'dps' then 'depois'
                          when 'msm' then 'mesmo'
                          when 'td' then 'tudo'
                          when 'tds' then 'todos'
                          when 'cel' then 'celular'
                          when 'celu' then 'celular'
                          when 'tel' then 'telefono'
                          when 'dnd' then 'donde'
                          when 'ond' then 'onde'
                          when 'tao' then 'estao'
                          when 'ta' then 'esta'
                          else w.word end,
                              ' ' order by w.ord), '') as phrase
      from pg_catalog.unnest(pg_catalog.string_to_array(private.normalize_text(p_phrase), ' '))
               with ordinality as w(word, ord)
      where w.word <> '') spelled
$$;

revoke all on function private.faq_phrase_key(text) from public, anon, authenticated;

comment on function private.faq_phrase_key(text) is
    'Spelling-tolerant keys of a phrase''s words (WhatsApp abbreviations, h, v/b, c/s/z, qu/cu, ll/y, doubled letters, final s).';

-- The key of one normalized word: that of a one-word phrase.
create or replace function private.faq_word_key(p_word text)
    returns text
    language sql
    immutable
    parallel safe
    set search_path = ''
as
$$
select private.faq_phrase_key(p_word)
$$;

revoke all on function private.faq_word_key(text) from public, anon, authenticated;

comment on function private.faq_word_key(text) is
    'Spelling-tolerant key of one normalized word (see private.faq_phrase_key).';

/**
  * -------------------------------------------------------
  * Section - Lexicon tables
  * -------------------------------------------------------
 */

-- What each kind of concept does:
--   topic   what a question is about (hours, delivery, booking ...);
--   intent  a weak cue of what is asked (price, have, offer, accept);
--   object  a kind of thing (pets, medicines, flowers, a phone's screen);
--           weighed by rarity among the business's FAQs, like content words;
--   human   needs a person: cancel, confirm, complain, order status ...;
--   guard   about something the business does not answer by FAQ: a job,
--           another place or business, a utility bill, selling to them;
--   place   a landmark or public place: a reference in a location question,
--           otherwise a question about that place;
--   social  thanks, praise, farewells: never an FAQ on their own;
--   ignore  greetings and function words;
--   word    real words whose spelling key collides with a lexicon word.
alter table private.faq_concepts
    drop constraint if exists faq_concepts_kind_check;
alter table private.faq_concepts
    add constraint faq_concepts_kind_check
        check (kind in ('topic', 'intent', 'object', 'human', 'guard', 'place', 'social', 'ignore', 'word'));

-- A term may have several senses, one row each; 'member' rows say what a
-- term belongs to (an instance of an object class), used on the message's
-- side only.
alter table private.faq_vocabulary
    add column if not exists role text not null default 'is';
alter table private.faq_vocabulary
    drop constraint if exists faq_vocabulary_role_check;
alter table private.faq_vocabulary
    add constraint faq_vocabulary_role_check check (role in ('is', 'member'));
-- The spelling keys of a one-word term's Spanish and Portuguese stems (null
-- when the stem is shorter than 4 letters: too ambiguous to go by).
alter table private.faq_vocabulary
    add column if not exists stem_es text;
alter table private.faq_vocabulary
    add column if not exists stem_pt text;

alter table private.faq_vocabulary
    drop constraint if exists faq_vocabulary_pkey;
alter table private.faq_vocabulary
    add constraint faq_vocabulary_pkey primary key (term, concept);

-- Typos are looked up by a word's first and last letters and its length.
drop index if exists private.faq_vocabulary_term_key_trgm_idx;
drop index if exists private.faq_vocabulary_term_key_shape_idx;
create index if not exists faq_vocabulary_term_key_ends_idx
    on private.faq_vocabulary (pg_catalog.left(term_key, 1), pg_catalog.right(term_key, 1), pg_catalog.length(term_key));
create index if not exists faq_vocabulary_stem_es_idx
    on private.faq_vocabulary (stem_es) where stem_es is not null;
create index if not exists faq_vocabulary_stem_pt_idx
    on private.faq_vocabulary (stem_pt) where stem_pt is not null;

comment on column private.faq_vocabulary.role is
    '''is'': the term means the concept; ''member'': the term is one of the concept''s kind (message side only).';

-- Related concepts: a message about `concept` is also, more weakly, about
-- `related` (a price question is answered by the price list). Message side only.
create table if not exists private.faq_concept_links
(
    concept text not null references private.faq_concepts (concept) on update cascade on delete cascade,
    related text not null references private.faq_concepts (concept) on update cascade on delete cascade,
    weight  real not null check (weight > 0 and weight < 1),
    primary key (concept, related),
    check (concept <> related)
);

create index if not exists faq_concept_links_related_idx on private.faq_concept_links (related);

comment on table private.faq_concept_links is
    'FAQ matcher: a message about concept is also, with this strength, about related.';

revoke all on table private.faq_concept_links from public, anon, authenticated;

/**
  * -------------------------------------------------------
  * Section - Reading a text
  * -------------------------------------------------------
 */

drop function if exists private.faq_text_features(text);

-- The slots of a text, one row per term a slot stands for:
--   slot      the position of its first word;
--   term      c:<concept> or w:<stem key>;
--   kind      the slot's kind (that of its strongest sense);
--   weight    the slot's importance (the strongest sense's weight);
--   strength  how surely the slot means this term (1 for its main one);
--   role      primary, sense (another meaning or the other stem), member
--             (what it belongs to) or link (a related concept);
--   words     the words of the text that make the slot;
--   focus     the thing asked about: the first slot after the first intent
--             ("cuánto cuesta una calza": calza).
-- Phrases win over their words, the longest first, left to right. All the
-- lexicon lookups of a text happen in one statement.
create function private.faq_text_features(p_text text)
    returns table
            (
                slot     integer,
                term     text,
                kind     text,
                weight   real,
                strength real,
                role     text,
                words    text,
                focus    boolean
            )
    language plpgsql
    stable
    rows 12
    set search_path = ''
    -- one plan, made once: re-planning this statement costs more than running it
    set plan_cache_mode = force_generic_plan
as
$$
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
$$;

revoke all on function private.faq_text_features(text) from public, anon, authenticated;

comment on function private.faq_text_features(text) is
    'The FAQ matcher''s reading of a text: its slots, each with the terms it stands for (c:concept, w:stem) and their strength.';

/**
  * -------------------------------------------------------
  * Section - FAQ features
  * -------------------------------------------------------
  * Precomputed per FAQ by a trigger: the slots of the question and of each
  * keyword (main meaning and other senses, never widened), and the objects
  * of the answer, which only support a match. The owner and the active flag
  * are copied here so that a message finds its candidate FAQs, and counts
  * how many FAQs hold a term, through one index.
 */
drop table if exists private.faq_terms;

create table private.faq_terms
(
    faq_id   uuid    not null references public.faqs (id) on delete cascade,
    owner_id uuid    not null,
    active   boolean not null,
    source   text    not null check (source in ('question', 'keyword', 'answer')),
    -- The slot's position; keywords are numbered 1000 apart.
    slot     integer not null,
    term     text    not null,
    kind     text    not null check (kind in ('topic', 'intent', 'object', 'human', 'guard', 'place', 'social')),
    weight   real    not null check (weight > 0),
    strength real    not null check (strength > 0 and strength <= 1),
    role     text    not null check (role in ('primary', 'sense')),
    words    text    not null,
    primary key (faq_id, source, slot, term)
);

comment on table private.faq_terms is 'Each FAQ''s slots for the matcher, kept by a trigger on public.faqs.';

create index faq_terms_owner_term_idx on private.faq_terms (owner_id, term) where active;

revoke all on table private.faq_terms from public, anon, authenticated;

create or replace function private.refresh_faq_terms(p_faq_id uuid)
    returns void
    language plpgsql
    set search_path = ''
as
$$
begin
    delete from private.faq_terms t where t.faq_id = p_faq_id;

    insert into private.faq_terms (faq_id, owner_id, active, source, slot, term, kind, weight, strength, role, words)
    select f.id, f.owner_id, f.active, x.source, x.slot, x.term, x.kind, x.weight, x.strength, x.role, x.words
    from public.faqs f
             cross join lateral (select 'question' as source, q.slot, q.term, q.kind, q.weight, q.strength, q.role, q.words
                                 from private.faq_text_features(f.question) q
                                 where q.role in ('primary', 'sense')
                                 union all
                                 select 'keyword', kw.ord::integer * 1000 + k.slot, k.term, k.kind, k.weight, k.strength,
                                        k.role, k.words
                                 from pg_catalog.unnest(f.keywords) with ordinality as kw(word, ord)
                                          cross join lateral private.faq_text_features(kw.word) k
                                 where k.role in ('primary', 'sense')
                                 union all
                                 select 'answer', a.slot, a.term, a.kind, a.weight, a.strength, a.role, a.words
                                 from private.faq_text_features(f.answer) a
                                 where a.role in ('primary', 'sense')
                                   and a.kind in ('topic', 'object')
                                 union all
                                 -- an answer that quotes money answers what something costs
                                 select 'answer', 0, 'c:price', 'intent', 0.5, 1, 'primary', pg_catalog.substring(f.answer,
                                     '(?:R\$|S/\.?|US\$|\$|€|£|₲|Bs\.?)\s?[0-9][0-9.,]*')
                                 where f.answer ~ '(?:R\$|S/\.?|US\$|\$|€|£|₲|Bs\.?)\s?[0-9]') x
    where f.id = p_faq_id
      and x.kind not in ('social')
    on conflict do nothing;
end;
$$;

revoke all on function private.refresh_faq_terms(uuid) from public, anon, authenticated;

create or replace function private.faqs_refresh_terms()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as
$$
begin
    if tg_op = 'UPDATE'
        and new.question = old.question
        and new.answer = old.answer
        and new.keywords = old.keywords
        and new.owner_id = old.owner_id then
        -- Only switched on or off: the features stay, their flag follows.
        update private.faq_terms t set active = new.active where t.faq_id = new.id;
    else
        perform private.refresh_faq_terms(new.id);
    end if;
    return null;
end;
$$;

revoke all on function private.faqs_refresh_terms() from public, anon, authenticated;

drop trigger if exists faqs_refresh_terms on public.faqs;
create trigger faqs_refresh_terms
    after insert or update of question, answer, keywords, active, owner_id
    on public.faqs
    for each row
execute function private.faqs_refresh_terms();

/**
  * -------------------------------------------------------
  * Section - Ranking and the decision
  * -------------------------------------------------------
 */

drop function if exists private.rank_faqs(uuid, text);
drop function if exists private.rank_faqs(uuid, text, boolean);

-- Every active FAQ of the owner with a positive score, best first; the best
-- two carry `explanation`: the message's and the FAQ's slots, what each
-- matched and its contribution to the score, for the owner to see why. The
-- decision (match_faq) does without it: p_explain false.
--
-- Candidates are the FAQs whose question or keywords share a subject with the
-- message (or, if none does, a question word). For each:
--   rarity: IDF among the owner's active FAQs, ln(1 + N/df) / ln(1 + N),
--     where an FAQ holding a term only in its answer counts half;
--   message side: a lexicon slot weighs its concept's weight; an object the
--     business's FAQs name weighs its rarity, any other 0.5. Coverage =
--     matched / total, where an unmatched intent counts half (a price
--     fully), unmatched objects and days 0.5 at most in all (details: a
--     size, a brand, a neighbourhood), and a slot met only by the answer half;
--   FAQ side: a subject (topic, object) weighs its specificity, its weight
--     times its rarity; a price asked weighs double (such an FAQ answers with
--     a price). Coverage = matched / total of the question; keywords add to
--     what is matched, and the answer up to 0.25;
--   score = sqrt(message coverage * FAQ coverage), or 0 under a guard, named
--     in the explanation: thanks only; something for a person or about
--     something else on either side; only the answer matches; another place;
--     none of the question's specific subjects (specificity > 0.65, matched at
--     0.6 or more) is in the message, unless the thing asked is named in the
--     answer and the question asks the same; the thing asked is not the
--     FAQ's (unless a price list, a stock FAQ, or the price of the business's
--     own kind of thing answers any item); less than half of the message
--     explained; a statement telling what happened.
create function private.rank_faqs(p_owner_id uuid, p_text text, p_explain boolean default true)
    returns table
            (
                faq_id      uuid,
                score       real,
                explanation jsonb
            )
    language plpgsql
    stable
    security definer
    rows 5
    set search_path = ''
    set plan_cache_mode = force_generic_plan
as
$$
declare
    -- A subject weighs more than this (after IDF) to be required: not a weak
    -- word ("atienden": hours, weakly) nor one most FAQs share.
    c_subject     constant real := 0.65;
    -- An FAQ must explain at least this share of the message.
    c_min_message constant real := 0.5;
    -- An FAQ that asks a price answers with one: its price weighs this much more.
    c_faq_price   constant real := 2.0;
    -- A subject is shared when matched at least this strongly (not by a weak link).
    c_shared      constant real := 0.6;
    -- Matches in the answer add at most this much to what the FAQ covers.
    c_answer_support constant real := 0.25;
    -- A message slot met only by the FAQ's answer counts this much.
    c_answer      constant real := 0.5;
begin
    return query
        with m as (select f.slot, f.term, f.kind, f.weight, f.strength, f.role, f.words, f.focus
                   from private.faq_text_features(p_text) f),
             -- "Tienen X?" about no topic asks about stock, weakly.
             m_all as (select m.slot, m.term, m.kind, m.weight, m.strength, m.role, m.words, m.focus
                       from m
                       union all
                       select -1, 'c:stock', 'topic', 0.5::real, 1::real, 'primary', '', false
                       where exists (select 1 from m where m.term = 'c:have' and m.role = 'primary')
                         and exists (select 1 from m where m.kind = 'object')
                         and not exists (select 1 from m where m.kind in ('topic', 'human', 'guard'))),
             mslots as (select distinct on (a.slot) a.slot, a.term as head, a.kind, a.weight, a.words, a.focus
                        from m_all a
                        order by a.slot, (a.role = 'primary') desc, a.strength desc),
             faqs_n as (select pg_catalog.count(*)::real as n
                        from public.faqs q
                        where q.owner_id = p_owner_id
                          and q.active),
             hits as (select t.faq_id, t.source, t.slot as fslot, a.slot as mslot, a.term,
                             (a.strength * t.strength)::real as sim
                      from m_all a
                               join private.faq_terms t
                                    on t.owner_id = p_owner_id and t.active and t.term = a.term),
             -- Candidates: FAQs whose question or keywords share a subject with the
             -- message, and those sharing a question word ("cuánto", "tienen") whose
             -- question has no subject of its own ("¿Cuáles son los precios?"); the
             -- others sharing just a question word only when no FAQ shares a subject:
             -- they could not win against those that do.
             cand as (select distinct h.faq_id
                      from hits h
                               join m_all a on a.slot = h.mslot and a.term = h.term
                      where h.source <> 'answer'
                        and (a.kind <> 'intent'
                          or not exists (select 1
                                         from private.faq_terms q
                                         where q.faq_id = h.faq_id
                                           and q.source = 'question'
                                           and q.kind not in ('intent', 'social'))
                          or not exists (select 1
                                         from hits x
                                                  join m_all b on b.slot = x.mslot and b.term = x.term
                                         where x.source <> 'answer'
                                           and b.kind <> 'intent'))),
             ft as (select t.faq_id, t.source, t.slot, t.term, t.kind, t.weight, t.strength, t.role, t.words
                    from private.faq_terms t
                    where t.faq_id in (select c.faq_id from cand c)),
             -- Content words that differ by a typo: trigrams, longer words only.
             typo as (select f.faq_id, f.source, f.slot as fslot, a.slot as mslot, f.term,
                             (a.strength * f.strength
                                 * extensions.similarity(pg_catalog.substr(a.term, 3), pg_catalog.substr(f.term, 3)))::real
                                 as sim
                      from m_all a
                               join ft f on f.kind = 'object' and f.term like 'w:%' and f.term <> a.term
                      where a.term like 'w:%'
                        and pg_catalog.length(a.term) >= 7
                        and pg_catalog.length(f.term) >= 7
                        and extensions.similarity(pg_catalog.substr(a.term, 3), pg_catalog.substr(f.term, 3)) >= 0.5),
             pairs as (select h.faq_id, h.source, h.fslot, h.mslot, h.term, h.sim
                       from hits h
                       where h.faq_id in (select c.faq_id from cand c)
                       union all
                       select y.faq_id, y.source, y.fslot, y.mslot, y.term, y.sim
                       from typo y),
             -- How many of the owner's FAQs hold each head term (question or keywords).
             heads as (select s.head as term
                       from mslots s
                       where s.kind = 'object'
                       union
                       select f.term
                       from ft f
                       where f.role = 'primary'
                         and f.kind in ('topic', 'object')),
             -- An FAQ holds a term in its question or keywords (1), or only in its answer (0.5).
             df as (select x.term, pg_catalog.sum(x.held)::real as df
                    from (select t.term, t.faq_id, pg_catalog.max(case when t.source = 'answer' then 0.5 else 1 end) as held
                          from private.faq_terms t
                          where t.owner_id = p_owner_id
                            and t.active
                            and t.term in (select h.term from heads h)
                          group by t.term, t.faq_id) x
                    group by x.term),
             idf as (select d.term,
                            d.df,
                            case
                                when d.df <= 1 or n.n <= 1 then 1
                                else pg_catalog.ln(1 + n.n / d.df) / pg_catalog.ln(1 + n.n)
                                end::real as factor
                     from df d
                              cross join faqs_n n),
             mw as (select s.slot, s.head, s.kind, s.words, s.focus,
                           -- a thing the business's FAQs name weighs fully, by its rarity;
                           -- anything else is a detail (a brand, a size, a place) and weighs half
                           (case
                                when s.kind <> 'object' then s.weight
                                when i.df >= 1 then i.factor
                                else 0.5 end)::real as w
                    from mslots s
                             left join idf i on i.term = s.head
                    where s.kind <> 'social'),
             fslots as (select distinct on (f.faq_id, f.source, f.slot) f.faq_id, f.source, f.slot, f.term as head,
                                                                         f.kind, f.words,
                                                                         (case
                                                                              when f.kind = 'object' then f.weight * coalesce(i.factor, 1)
                                                                              when f.term = 'c:price' then f.weight * c_faq_price
                                                                              else f.weight end)::real as w,
                                                                         -- how specific a subject is to this FAQ among
                                                                         -- the owner's (cleaning at a laundry: little)
                                                                         (case
                                                                              when f.kind in ('topic', 'object') then f.weight * coalesce(i.factor, 1)
                                                                              when f.kind in ('human', 'guard') then f.weight
                                                                              end)::real as specificity
                        from ft f
                                 left join idf i on i.term = f.term
                        order by f.faq_id, f.source, f.slot, (f.role = 'primary') desc, f.strength desc),
             -- thanks or praise, with no question in it ("gracias, la fiesta salió hermosa")
             message as (select exists (select 1 from m where m.kind = 'social')
                                    and not exists (select 1 from m where m.kind in ('intent', 'human', 'guard') and m.role = 'primary')
                                    and pg_catalog.strpos(coalesce(p_text, ''), '?') = 0
                                    as only_social,
                                exists (select 1 from m where m.term = 'c:location' and m.role = 'primary') as asks_location,
                                exists (select 1 from m where m.term = 'c:hours' and m.role = 'primary') as asks_hours,
                                exists (select 1 from m where m.term = 'c:have' and m.role = 'primary') as asks_have,
                                exists (select 1 from m where m.term in ('c:price', 'c:have') and m.role = 'primary')
                                    as asks_price_or_have,
                                -- a statement telling what happened ("las tarjetas salieron mal", "me
                                -- rayaron la puerta"): no question, no question word, a past verb
                                pg_catalog.strpos(coalesce(p_text, ''), '?') = 0
                                    and not exists (select 1 from m where m.kind = 'intent' and m.role = 'primary')
                                    and private.normalize_text(p_text) ~ '\m[a-z]{2,}(aron|ieron|aram|eram|iram)\M'
                                    as tells_what_happened),
             msg_side as (select c.faq_id, s.slot, s.head, s.kind, s.words, s.focus, s.w,
                                 coalesce(pg_catalog.max(case when p.source = 'answer' then c_answer * p.sim else p.sim end),
                                          0)::real as sim,
                                 -- matched by the question or keywords, not only the answer
                                 coalesce(pg_catalog.max(p.sim) filter (where p.source <> 'answer'), 0)::real as sim_q,
                                 (pg_catalog.array_agg(p.term order by p.source = 'answer', p.sim desc))[1] as via
                          from cand c
                                   cross join mw s
                                   left join pairs p on p.faq_id = c.faq_id and p.mslot = s.slot
                          group by c.faq_id, s.slot, s.head, s.kind, s.words, s.focus, s.w),
             faq_side as (select s.faq_id, s.source, s.slot, s.head, s.kind, s.words, s.w, s.specificity,
                                 coalesce(pg_catalog.max(p.sim), 0)::real as sim,
                                 (pg_catalog.array_agg(p.term order by p.sim desc))[1] as via,
                                 -- how specific the question's most specific subject is
                                 pg_catalog.max(s.specificity) filter (where s.source = 'question')
                                     over (partition by s.faq_id) as top_w
                          from fslots s
                                   left join pairs p on p.faq_id = s.faq_id and p.source = s.source and p.fslot = s.slot
                          group by s.faq_id, s.source, s.slot, s.head, s.kind, s.words, s.w, s.specificity),
             ms as (select s.faq_id,
                           pg_catalog.sum(s.w * s.sim) as matched,
                           pg_catalog.sum(case
                                              when s.sim > 0 or s.kind in ('human', 'guard') then s.w
                                              -- asking a price the FAQ never talks about is not a detail
                                              when s.head = 'c:price' then s.w
                                              when s.kind = 'place' and not msg.asks_location then s.w
                                              when s.kind = 'topic' and s.w >= 0.5 then s.w
                                              when s.kind = 'intent' then 0.5 * s.w
                                              else 0 end)
                               -- details: objects and light topics (a day), 0.5 at most in all
                               + least(0.5, pg_catalog.sum(case
                                                               when s.sim = 0 and (s.kind = 'object' or (s.kind = 'topic' and s.w < 0.5)
                                                                   or (s.kind = 'place' and msg.asks_location))
                                                                   then s.w
                                                               else 0 end))
                               as total,
                           pg_catalog.bool_or(s.kind in ('human', 'guard') and s.sim = 0) as needs_other,
                           pg_catalog.bool_or(s.kind = 'place' and s.sim = 0) as mentions_place,
                           pg_catalog.bool_or(s.focus and s.sim = 0
                               and ((s.kind = 'object' and s.w >= c_subject * 0.5) or (s.kind = 'topic' and s.w >= c_subject)))
                               as misses_focus,
                           pg_catalog.bool_or(s.focus and s.sim > 0 and s.sim_q = 0) as focus_in_answer,
                           pg_catalog.bool_or(s.kind = 'intent' and s.sim_q >= 0.7) as intent_shared
                    from msg_side s
                             cross join message msg
                    group by s.faq_id),
             -- On the FAQ's side a subject weighs what it says about this FAQ among
             -- the owner's: its specificity.
             fs as (select s.faq_id,
                           pg_catalog.sum(case when s.source = 'question' then coalesce(s.specificity, s.w) * s.sim else 0 end)
                               + pg_catalog.sum(case when s.source = 'keyword' then coalesce(s.specificity, s.w) * s.sim else 0 end)
                               + least(c_answer_support,
                                       pg_catalog.sum(case when s.source = 'answer' then 0.5 * s.sim else 0 end))
                               as matched,
                           pg_catalog.sum(case when s.source = 'question' then coalesce(s.specificity, s.w) else 0 end) as total,
                           pg_catalog.bool_or(s.source <> 'answer' and s.sim > 0) as question_matched,
                           pg_catalog.bool_or(s.source <> 'answer' and s.kind in ('human', 'guard') and s.sim = 0)
                               as needs_other,
                           coalesce(pg_catalog.max(s.top_w), 0) >= c_subject as has_subject,
                           -- a specific subject of the question, or a keyword's, is in the message
                           pg_catalog.bool_or(s.sim >= c_shared and s.specificity is not null
                               and ((s.source = 'question' and s.specificity >= c_subject) or s.source = 'keyword'))
                               as shares_subject,
                           pg_catalog.bool_or(s.source <> 'answer' and s.head in ('c:catalog', 'c:stock')) as lists_items,
                           pg_catalog.bool_or(s.source = 'question' and s.head = 'c:price') as asks_price
                    from faq_side s
                    group by s.faq_id),
             judged as (select ms.faq_id,
                               case
                                   when msg.only_social then 'thanks or praise only'
                                   when msg.tells_what_happened then 'tells what happened: for a person'
                                   when ms.needs_other then 'the message needs a person or is about something else'
                                   when fs.needs_other then 'the FAQ is about what needs a person'
                                   when not fs.question_matched then 'only the answer matches'
                                   when ms.mentions_place and (msg.asks_have or (msg.asks_hours and not msg.asks_location))
                                       then 'about another place'
                                   -- unless the thing asked about is named in the FAQ's answer and the
                                   -- question asks the same, or lists items ("¿hay yoga?": the classes
                                   -- FAQ lists it; "¿tienen leche de tigre?": the menu does)
                                   when fs.has_subject and not fs.shares_subject
                                       and not (ms.focus_in_answer and (ms.intent_shared or fs.lists_items))
                                       then 'the FAQ''s subject is not in the message'
                                   -- a price list, a stock FAQ, or the price of the business's
                                   -- own kind of thing (no specific subject) covers any item
                                   when ms.misses_focus and not (msg.asks_price_or_have
                                       and (fs.lists_items or (fs.asks_price and not fs.has_subject)))
                                       then 'asks about something else'
                                   when ms.matched / nullif(ms.total, 0) < c_min_message then 'explains too little of the message'
                                   end as guard,
                               ms.matched / nullif(ms.total, 0) as message_coverage,
                               case
                                   when fs.total > 0 then least(1, fs.matched / fs.total)
                                   when fs.matched > 0 then 1
                                   else 0 end as faq_coverage,
                               ms.total as m_total,
                               fs.total as f_total
                        from ms
                                 join fs on fs.faq_id = ms.faq_id
                                 cross join message msg),
             scored as (select j.*,
                               case
                                   when j.guard is null then pg_catalog.sqrt(j.message_coverage * j.faq_coverage)
                                   else 0 end::real as score
                        from judged j),
             ranked as (select s.*, pg_catalog.row_number() over (order by s.score desc, s.faq_id) as place
                        from scored s
                        where s.score > 0)
        select r.faq_id,
               r.score,
               case
                   when p_explain and r.place <= 2 then pg_catalog.jsonb_build_object(
                           'message_coverage', pg_catalog.round(r.message_coverage::numeric, 3),
                           'guard', r.guard,
                           'faq_coverage', pg_catalog.round(r.faq_coverage::numeric, 3),
                           'message', (select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                                                                           'words', s.words,
                                                                           'term', s.head,
                                                                           'kind', s.kind,
                                                                           'weight', pg_catalog.round(s.w::numeric, 3),
                                                                           'match', pg_catalog.round(s.sim::numeric, 3),
                                                                           'via', s.via,
                                                                           'contribution',
                                                                           pg_catalog.round((s.w * s.sim / r.m_total)::numeric, 3))
                                                                   order by s.slot)
                                       from msg_side s
                                       where s.faq_id = r.faq_id),
                           'faq', (select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                                                                       'source', s.source,
                                                                       'words', s.words,
                                                                       'term', s.head,
                                                                       'kind', s.kind,
                                                                       'weight', pg_catalog.round(s.w::numeric, 3),
                                                                       'match', pg_catalog.round(s.sim::numeric, 3),
                                                                       'via', s.via,
                                                                       'contribution',
                                                                       case
                                                                           when s.source = 'question' and r.f_total > 0
                                                                               then pg_catalog.round((s.w * s.sim / r.f_total)::numeric, 3)
                                                                           end)
                                                               order by s.source desc, s.slot)
                                   from faq_side s
                                   where s.faq_id = r.faq_id
                                     and (s.source <> 'answer' or s.sim > 0)))
                   end
        from ranked r
        order by r.place;
end;
$$;

revoke all on function private.rank_faqs(uuid, text, boolean) from public, anon, authenticated;
grant execute on function private.rank_faqs(uuid, text, boolean) to service_role;

comment on function private.rank_faqs(uuid, text, boolean) is
    'The owner''s active FAQs that fit a message, with a score in (0, 1], best first; the best two explain their score (unless p_explain is false).';

-- The production decision: the best FAQ when it clears the confidence
-- threshold and leads the runner-up by a clear margin; otherwise no row, and
-- the webhook sends the fallback message.
create or replace function private.match_faq(p_owner_id uuid, p_text text)
    returns table
            (
                faq_id uuid,
                score  real
            )
    language plpgsql
    stable
    security definer
    rows 1
    set search_path = ''
as
$$
declare
    c_threshold constant real := 0.50;
    c_margin    constant real := 0.10;
begin
    return query
        select r.faq_id, r.score
        from (select ranked.faq_id,
                     ranked.score,
                     pg_catalog.row_number() over (order by ranked.score desc, ranked.faq_id) as place,
                     pg_catalog.lead(ranked.score) over (order by ranked.score desc, ranked.faq_id) as runner_up
              from private.rank_faqs(p_owner_id, p_text, false) ranked) r
        where r.place = 1
          and r.score >= c_threshold
          and (r.runner_up is null or r.score - r.runner_up >= c_margin);
end;
$$;

revoke all on function private.match_faq(uuid, text) from public, anon, authenticated;
grant execute on function private.match_faq(uuid, text) to service_role;

comment on function private.match_faq(uuid, text) is
    'The FAQ to answer a message with, if the matcher is confident; no row means send the fallback.';
