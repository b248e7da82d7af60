/**
  * -------------------------------------------------------
  * Section - FAQ matcher
  * -------------------------------------------------------
  * Picks the FAQ that answers a customer's WhatsApp message, in SQL, next to
  * the data. A wrong answer is worse than the fallback message, so the
  * matcher answers only when it is confident.
  *
  * How it works:
  *   1. private.normalize_text folds case, accents, punctuation and emoji.
  *   2. private.faq_word_key folds spelling (h, v/b, c/s/z, qu/cu, ll/y,
  *      doubled and stretched letters, a final s) so that "orario",
  *      "direcion" and "cuanto questa" read as "horario", "direccion" and
  *      "cuanto cuesta".
  *   3. private.faq_text_features reads the text as features:
  *        - concepts (c:<name>) from the vocabulary below, longest phrase
  *          first (up to five words), with typo tolerance (pg_trgm, or one
  *          letter added, dropped, changed or swapped) for words it does not
  *          know;
  *        - the remaining content words (w:<key>), the "objects", less
  *          Postgres's own Spanish and Portuguese stop words.
  *      Concepts are topics (hours, location, delivery, ...), weak intents
  *      (price, have, offer, accept), things only a person should handle
  *      (cancel, confirm, complaint, order status, talk to someone), or words
  *      to ignore (greetings, thanks, function words).
  *   4. A trigger keeps each FAQ's features in private.faq_terms: those of
  *      the question and keywords, plus the content words of the answer.
  *   5. private.rank_faqs scores an owner's active FAQs against a message:
  *      the geometric mean of how much of the message the FAQ explains and
  *      how much of the FAQ's question the message covers. The message must
  *      share the question's topic or word when the question has one, and a
  *      message that needs a person (cancel, complain, ...) only matches a
  *      FAQ about that very thing.
  *   6. private.match_faq is the production decision: the best FAQ when its
  *      score is at least 0.5 and the runner-up is at least 0.1 behind.
  *
  * The vocabulary is business-agnostic: how customers of bakeries, salons,
  * clinics, workshops and shops ask about common topics in Spanish and
  * Portuguese, with WhatsApp spellings. It lives in data
  * (private.faq_concepts, private.faq_vocabulary), seeded here.
 */

/**
  * -------------------------------------------------------
  * Section - Text folding
  * -------------------------------------------------------
 */

-- Lowercase, accents folded, punctuation and emoji to spaces, whitespace
-- collapsed and trimmed. Accents are folded by decomposing (NFD) and
-- stripping combining marks: the unaccent extension is not available
-- everywhere. Folding happens before lower() so that it does not depend on
-- the database's ctype for accented capitals.
create or replace function private.normalize_text(p_text text)
    returns text
    language sql
    immutable
    parallel safe
    set search_path = ''
as
$$
select pg_catalog.btrim(
               pg_catalog.regexp_replace(
                       pg_catalog.lower(
                               pg_catalog.regexp_replace(
                                       normalize(coalesce(p_text, ''), nfd),
                                       '[\u0300-\u036f]', '', 'g')),
                       '[^[:alnum:]]+', ' ', 'g'))
$$;

revoke all on function private.normalize_text(text) from public, anon, authenticated;

comment on function private.normalize_text(text) is
    'Lowercase, accents folded, punctuation and emoji to spaces, whitespace collapsed and trimmed.';

-- A spelling-tolerant key for one normalized word: customers write "orario",
-- "direcion", "questa", "vc", "holaaa". Both sides of every comparison go
-- through this key, so it only has to be consistent, not correct.
create or replace function private.faq_word_key(p_word text)
    returns text
    language sql
    immutable
    parallel safe
    set search_path = ''
as
$$
select case
           when pg_catalog.length(k) > 3 and pg_catalog.right(k, 1) = 's' then pg_catalog.left(k, -1)
           else k
           end
from (select pg_catalog.regexp_replace(
                     pg_catalog.translate(
                             pg_catalog.regexp_replace(
                                     pg_catalog.regexp_replace(
                                             pg_catalog.regexp_replace(
                                                     pg_catalog.regexp_replace(
                                                             pg_catalog.regexp_replace(
                                                                     pg_catalog.regexp_replace(
                                                                             pg_catalog.regexp_replace(
                                                                                     pg_catalog.regexp_replace(
                                                                                             coalesce(p_word, ''),
                                                                                             -- stretched letters: holaaa
                                                                                             '(.)\1{2,}', '\1', 'g'),
                                                                                     'll', 'y', 'g'),
                                                                             -- doubled letters, except rr (perro/pero)
                                                                             '([^r])\1', '\1', 'g'),
                                                                     'ch', 'x', 'g'),
                                                             -- a silent h (also pt nh, lh)
                                                             'h', '', 'g'),
                                                     'qu', 'ku', 'g'),
                                             'c([eiy])', 's\1', 'g'),
                                     'g([ei])', 'j\1', 'g'),
                             'czvyw', 'ksbiu'),
                     '([^r])\1', '\1', 'g') as k) folded
$$;

revoke all on function private.faq_word_key(text) from public, anon, authenticated;

comment on function private.faq_word_key(text) is
    'Spelling-tolerant key of one normalized word (h, v/b, c/s/z, qu/cu, ll/y, doubled letters, final s).';

-- The key of a normalized phrase: the keys of its words.
create or replace function private.faq_phrase_key(p_phrase text)
    returns text
    language sql
    immutable
    parallel safe
    set search_path = ''
as
$$
select coalesce(pg_catalog.string_agg(private.faq_word_key(w.word), ' ' order by w.ord), '')
from pg_catalog.unnest(pg_catalog.string_to_array(private.normalize_text(p_phrase), ' '))
         with ordinality as w(word, ord)
where w.word <> ''
$$;

revoke all on function private.faq_phrase_key(text) from public, anon, authenticated;

/**
  * -------------------------------------------------------
  * Section - Vocabulary
  * -------------------------------------------------------
  * Concepts and the words and phrases customers use for them. Private: not
  * exposed by the API, read only by the matcher's security definer functions.
 */
create table if not exists private.faq_concepts
(
    concept     text primary key check (concept ~ '^[a-z_]+$'),
    -- topic: what a question is about; intent: a weak cue (price, have,
    -- accept); human: needs a person, never an automatic answer unless a FAQ
    -- is about exactly that; ignore: greetings, thanks, function words.
    -- word: real words whose spelling key collides with a vocabulary word
    -- (sierra/cierra), kept as content words.
    kind        text not null check (kind in ('topic', 'intent', 'human', 'ignore', 'word')),
    weight      real not null check (weight > 0 and weight <= 1),
    description text not null
);

comment on table private.faq_concepts is 'What the FAQ matcher recognises in a message, and how much it counts.';

create table if not exists private.faq_vocabulary
(
    -- A normalized word or phrase (private.normalize_text) of at most five words.
    term     text primary key check (term <> '' and pg_catalog.array_length(pg_catalog.string_to_array(term, ' '), 1) <= 5),
    -- Its spelling-tolerant key (private.faq_phrase_key).
    term_key text not null,
    concept  text not null references private.faq_concepts (concept) on update cascade on delete cascade,
    -- How surely the term means its concept (atienden: hours, but weakly).
    weight   real not null default 1 check (weight > 0 and weight <= 1)
);

comment on table private.faq_vocabulary is 'Words and phrases customers use for each concept, in Spanish and Portuguese.';

create index if not exists faq_vocabulary_term_key_idx on private.faq_vocabulary (term_key);
create index if not exists faq_vocabulary_concept_idx on private.faq_vocabulary (concept);
-- Typo tolerance: words the vocabulary does not know are compared by trigrams.
create index if not exists faq_vocabulary_term_key_trgm_idx
    on private.faq_vocabulary using gin (term_key extensions.gin_trgm_ops);
-- Swapped letters defeat trigrams; those are looked up by first letter and length.
create index if not exists faq_vocabulary_term_key_shape_idx
    on private.faq_vocabulary (pg_catalog.left(term_key, 1), pg_catalog.length(term_key));

revoke all on table private.faq_concepts, private.faq_vocabulary from public, anon, authenticated;

/**
  * -------------------------------------------------------
  * Section - Reading a text
  * -------------------------------------------------------
 */

-- The features of a text: concepts (c:<concept>) and content words
-- (w:<key>), each with its kind and weight. Phrases win over their words,
-- longest first, left to right. A word the vocabulary does not know is
-- compared by trigrams (typos); failing that it is a content word.
create or replace function private.faq_text_features(p_text text)
    returns table
            (
                term   text,
                kind   text,
                weight real
            )
    language plpgsql
    stable
    rows 10
    set search_path = ''
as
$$
declare
    v_words   text[];
    v_keys    text[];
    v_count   integer;
    v_at      integer := 1;
    v_span    integer;
    v_concept text;
    v_kind    text;
    v_weight  real;
    v_terms   text[]  := '{}'::text[];
    v_kinds   text[]  := '{}'::text[];
    v_weights real[]  := '{}'::real[];
begin
    v_words := pg_catalog.string_to_array(private.normalize_text(pg_catalog.left(p_text, 1000)), ' ');
    v_words := pg_catalog.array_remove(v_words, '');
    v_words := v_words[1:60];
    v_count := coalesce(pg_catalog.array_length(v_words, 1), 0);
    select coalesce(pg_catalog.array_agg(private.faq_word_key(w.word) order by w.ord), '{}')
    into v_keys
    from pg_catalog.unnest(v_words) with ordinality as w(word, ord);

    while v_at <= v_count
        loop
            v_concept := null;
            v_span := least(5, v_count - v_at + 1);
            -- The longest phrase of the vocabulary starting here, as written or by its key.
            while v_span >= 1 and v_concept is null
                loop
                    select v.concept, c.kind, v.weight * c.weight
                    into v_concept, v_kind, v_weight
                    from private.faq_vocabulary v
                             join private.faq_concepts c on c.concept = v.concept
                    where v.term = pg_catalog.array_to_string(v_words[v_at:v_at + v_span - 1], ' ')
                       or v.term_key = pg_catalog.array_to_string(v_keys[v_at:v_at + v_span - 1], ' ')
                    order by v.term = pg_catalog.array_to_string(v_words[v_at:v_at + v_span - 1], ' ') desc,
                             v.weight desc, v.term
                    limit 1;
                    if v_concept is null then
                        v_span := v_span - 1;
                    end if;
                end loop;

            if v_concept is null then
                v_span := 1;
                -- Postgres's own Spanish and Portuguese stop words (snowball).
                if pg_catalog.ts_lexize('pg_catalog.spanish_stem'::pg_catalog.regdictionary, v_words[v_at]) = '{}'
                    or pg_catalog.ts_lexize('pg_catalog.portuguese_stem'::pg_catalog.regdictionary, v_words[v_at]) = '{}'
                then
                    v_concept := 'stop';
                    v_kind := 'ignore';
                -- A typo of a known word: close by trigrams, long enough to tell.
                elsif pg_catalog.length(v_keys[v_at]) >= 5 and v_words[v_at] !~ '[0-9]' then
                    select v.concept, c.kind, v.weight * c.weight * 0.9
                    into v_concept, v_kind, v_weight
                    from private.faq_vocabulary v
                             join private.faq_concepts c on c.concept = v.concept
                    where (v.term_key operator(extensions.%) v_keys[v_at]
                        -- swapped letters defeat trigrams: same first letter, near length
                        or (pg_catalog.left(v.term_key, 1) = pg_catalog.left(v_keys[v_at], 1)
                            and pg_catalog.length(v.term_key) between pg_catalog.length(v_keys[v_at]) - 1
                                and pg_catalog.length(v_keys[v_at]) + 1))
                      and pg_catalog.strpos(v.term_key, ' ') = 0
                      and (extensions.similarity(v.term_key, v_keys[v_at]) >= 0.6
                        -- One typo inside a longer word: a letter added, dropped or
                        -- changed, or two neighbours swapped. The first and last
                        -- letters decide too much (errado/cerrado, aceite/aceita).
                        or (pg_catalog.length(v_keys[v_at]) >= 6
                            and abs(pg_catalog.length(v.term_key) - pg_catalog.length(v_keys[v_at])) <= 1
                            and pg_catalog.left(v.term_key, 1) = pg_catalog.left(v_keys[v_at], 1)
                            and pg_catalog.right(v.term_key, 1) = pg_catalog.right(v_keys[v_at], 1)
                            and exists (select 1
                                        from pg_catalog.generate_series(1, pg_catalog.length(v.term_key) + 1) as e(i)
                                        where pg_catalog.left(v.term_key, e.i - 1) || pg_catalog.substr(v.term_key, e.i + 1)
                                                  = pg_catalog.left(v_keys[v_at], e.i - 1) || pg_catalog.substr(v_keys[v_at], e.i + 1)
                                           or pg_catalog.left(v.term_key, e.i - 1) || pg_catalog.substr(v.term_key, e.i + 1)
                                                  = v_keys[v_at]
                                           or pg_catalog.left(v_keys[v_at], e.i - 1) || pg_catalog.substr(v_keys[v_at], e.i + 1)
                                                  = v.term_key
                                           or (pg_catalog.left(v.term_key, e.i - 1) = pg_catalog.left(v_keys[v_at], e.i - 1)
                                               and pg_catalog.substr(v.term_key, e.i, 1) = pg_catalog.substr(v_keys[v_at], e.i + 1, 1)
                                               and pg_catalog.substr(v.term_key, e.i + 1, 1) = pg_catalog.substr(v_keys[v_at], e.i, 1)
                                               and pg_catalog.substr(v.term_key, e.i + 2) = pg_catalog.substr(v_keys[v_at], e.i + 2)))))
                    order by extensions.similarity(v.term_key, v_keys[v_at]) desc, v.weight desc, v.term
                    limit 1;
                end if;
            end if;

            if v_concept is not null and v_kind <> 'word' then
                if v_kind <> 'ignore' then
                    v_terms := v_terms || ('c:' || v_concept);
                    v_kinds := v_kinds || v_kind;
                    v_weights := v_weights || v_weight;
                end if;
            elsif pg_catalog.length(v_keys[v_at]) >= 3 and v_words[v_at] !~ '[0-9]' then
                v_terms := v_terms || ('w:' || v_keys[v_at]);
                v_kinds := v_kinds || 'object'::text;
                v_weights := v_weights || 1::real;
            end if;
            v_at := v_at + v_span;
        end loop;

    return query
        select f.term, f.kind, max(f.weight)::real
        from unnest(v_terms, v_kinds, v_weights) as f(term, kind, weight)
        group by f.term, f.kind;
end;
$$;

revoke all on function private.faq_text_features(text) from public, anon, authenticated;

comment on function private.faq_text_features(text) is
    'The FAQ matcher''s reading of a text: concepts (c:...) and content words (w:...) with kind and weight.';

/**
  * -------------------------------------------------------
  * Section - FAQ features
  * -------------------------------------------------------
  * Precomputed per FAQ by a trigger, so a message is compared with ready
  * features: those of the question and keywords, and the content words of
  * the answer (names such as an insurer or a brand often live there).
 */
create table if not exists private.faq_terms
(
    faq_id uuid not null references public.faqs (id) on delete cascade,
    term   text not null,
    kind   text not null check (kind in ('topic', 'intent', 'human', 'object')),
    -- Where the feature comes from; a question feature counts most.
    source text not null check (source in ('question', 'keyword', 'answer')),
    weight real not null check (weight > 0),
    primary key (faq_id, term)
);

comment on table private.faq_terms is 'Each FAQ''s features for the matcher, kept by a trigger on public.faqs.';

revoke all on table private.faq_terms from public, anon, authenticated;

create or replace function private.refresh_faq_terms(p_faq_id uuid)
    returns void
    language plpgsql
    set search_path = ''
as
$$
begin
    delete from private.faq_terms t where t.faq_id = p_faq_id;

    insert into private.faq_terms (faq_id, term, kind, source, weight)
    select distinct on (x.term) p_faq_id, x.term, x.kind, x.source, x.weight
    from (select q.term, q.kind, 'question' as source, 1 as rank, q.weight
          from public.faqs f
                   cross join lateral private.faq_text_features(f.question) q
          where f.id = p_faq_id
          union all
          select k.term, k.kind, 'keyword', 2, k.weight
          from public.faqs f
                   cross join lateral pg_catalog.unnest(f.keywords) as kw(word)
                   cross join lateral private.faq_text_features(kw.word) k
          where f.id = p_faq_id
          union all
          select a.term, a.kind, 'answer', 3, a.weight
          from public.faqs f
                   cross join lateral private.faq_text_features(f.answer) a
          where f.id = p_faq_id
            and a.kind = 'object') x
    order by x.term, x.rank, x.weight desc;
end;
$$;

revoke all on function private.refresh_faq_terms(uuid) from public, anon, authenticated;

-- Security definer: owners write their FAQs through the API, but the
-- vocabulary and the features live in private, out of their reach.
create or replace function private.faqs_refresh_terms()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as
$$
begin
    perform private.refresh_faq_terms(new.id);
    return null;
end;
$$;

revoke all on function private.faqs_refresh_terms() from public, anon, authenticated;

drop trigger if exists faqs_refresh_terms on public.faqs;
create trigger faqs_refresh_terms
    after insert or update of question, answer, keywords
    on public.faqs
    for each row
execute function private.faqs_refresh_terms();

/**
  * -------------------------------------------------------
  * Section - Ranking and the decision
  * -------------------------------------------------------
 */

-- Every active FAQ of the owner with a positive score, best first.
--
-- For each FAQ, with M the message's features and F the FAQ's:
--   message coverage = matched weight of M / weight of M. A content word of
--     the message weighs 0.5; an unmatched intent counts half, and unmatched
--     content words count 0.5 at most in all (they are often details: a
--     size, a brand, a place);
--   FAQ coverage = matched weight of F's question / weight of F's question;
--     matched keywords count too, and matched answer words (0.5 each) up to
--     0.5 in all;
--   score = the geometric mean of both coverages, so that neither a vague
--     message nor a vague FAQ scores on one side alone. It is 0 when:
--     - the FAQ's question has a subject (a topic or a content word) that the
--       message does not share ("precio?" does not pick one price FAQ among
--       others; "cuánto cuesta una calza?" is not "cuánto cuesta una limpieza?");
--     - nothing of the question or keywords matches (answer words only support);
--     - one side is about something only a person handles (cancel, confirm,
--       complain, order status, talk to someone) and the other is not.
-- Content words match by key, or by trigrams for longer words (typos).
-- "Tienen X?" with no topic asks about stock: it gets a weak stock topic.
create or replace function private.rank_faqs(p_owner_id uuid, p_text text)
    returns table
            (
                faq_id uuid,
                score  real
            )
    language plpgsql
    stable
    security definer
    set search_path = ''
as
$$
begin
    return query
        with msg as (select f.term, f.kind, f.weight
                     from private.faq_text_features(p_text) f),
             m as (select msg.term,
                          msg.kind,
                          case when msg.kind = 'object' then 0.5 else msg.weight end::real as w
                   from msg
                   union all
                   select 'c:stock', 'topic', 0.5::real
                   where exists (select 1 from msg where msg.term = 'c:have')
                     and exists (select 1 from msg where msg.kind = 'object')
                     and not exists (select 1 from msg where msg.kind in ('topic', 'human'))),
             ft as (select t.faq_id, t.term, t.kind, t.source, t.weight
                    from public.faqs q
                             join private.faq_terms t on t.faq_id = q.id
                    where q.owner_id = p_owner_id
                      and q.active),
             pairs as (select ft.faq_id, m.term as mterm, ft.term as fterm, 1::real as sim
                       from m
                                join ft on ft.term = m.term
                       union all
                       select ft.faq_id,
                              m.term,
                              ft.term,
                              extensions.similarity(pg_catalog.substr(m.term, 3), pg_catalog.substr(ft.term, 3))
                       from m
                                join ft on ft.kind = 'object' and ft.term <> m.term
                       where m.kind = 'object'
                         and pg_catalog.length(m.term) >= 6
                         and pg_catalog.length(ft.term) >= 6
                         and extensions.similarity(pg_catalog.substr(m.term, 3),
                                                   pg_catalog.substr(ft.term, 3)) >= 0.5),
             candidates as (select distinct ft.faq_id from ft),
             msg_side as (select c.faq_id, m.term, m.kind, m.w, coalesce(max(p.sim), 0)::real as sim
                          from candidates c
                                   cross join m
                                   left join pairs p on p.faq_id = c.faq_id and p.mterm = m.term
                          group by c.faq_id, m.term, m.kind, m.w),
             faq_side as (select ft.faq_id, ft.term, ft.kind, ft.source, ft.weight,
                                 coalesce(max(p.sim), 0)::real as sim
                          from ft
                                   left join pairs p on p.faq_id = ft.faq_id and p.fterm = ft.term
                          group by ft.faq_id, ft.term, ft.kind, ft.source, ft.weight),
             ms as (select s.faq_id,
                           sum(s.w * s.sim) as matched,
                           sum(case
                                   when s.sim > 0 or s.kind in ('topic', 'human') then s.w
                                   when s.kind = 'intent' then 0.5 * s.w
                                   else 0 end)
                               + least(0.5, sum(case when s.sim = 0 and s.kind = 'object' then s.w else 0 end))
                               as total,
                           bool_or(s.kind = 'human' and s.sim = 0) as needs_person,
                           bool_or(s.kind <> 'intent') as has_subject,
                           bool_or(s.kind <> 'intent' and s.sim > 0) as shares_subject
                    from msg_side s
                    group by s.faq_id),
             fs as (select s.faq_id,
                           sum(case when s.source = 'question' then s.weight * s.sim else 0 end)
                               + sum(case when s.source = 'keyword' then s.weight * s.sim else 0 end)
                               + least(0.5, sum(case when s.source = 'answer' then 0.5 * s.sim else 0 end))
                               as matched,
                           sum(case when s.source = 'question' then s.weight else 0 end) as total,
                           bool_or(s.source <> 'answer' and s.sim > 0) as question_matched,
                           bool_or(s.kind = 'human' and s.sim = 0) as needs_person,
                           bool_or(s.kind <> 'intent' and s.source <> 'answer') as has_subject
                    from faq_side s
                    group by s.faq_id),
             scored as (select ms.faq_id,
                               case
                                   when ms.needs_person or fs.needs_person or not fs.question_matched then 0
                                   when fs.has_subject and not ms.shares_subject then 0
                                   else pg_catalog.sqrt(ms.matched / ms.total
                                       * case
                                             when fs.total > 0 then least(1, fs.matched / fs.total)
                                             when fs.matched > 0 then 1
                                             else 0 end)
                                   end as score
                        from ms
                                 join fs on fs.faq_id = ms.faq_id)
        select s.faq_id, s.score::real
        from scored s
        where s.score > 0
        order by s.score desc, s.faq_id;
end;
$$;

revoke all on function private.rank_faqs(uuid, text) from public, anon, authenticated;
grant execute on function private.rank_faqs(uuid, text) to service_role;

comment on function private.rank_faqs(uuid, text) is
    'The owner''s active FAQs that fit a message, with a score in (0, 1], best first.';

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
              from private.rank_faqs(p_owner_id, p_text) ranked) r
        where r.place = 1
          and r.score >= c_threshold
          and (r.runner_up is null or r.score - r.runner_up >= c_margin);
end;
$$;

revoke all on function private.match_faq(uuid, text) from public, anon, authenticated;
grant execute on function private.match_faq(uuid, text) to service_role;

comment on function private.match_faq(uuid, text) is
    'The FAQ to answer a message with, if the matcher is confident; no row means send the fallback.';

/**
  * -------------------------------------------------------
  * Section - Vocabulary seed
  * -------------------------------------------------------
  * Business-agnostic: how customers ask about common small-business topics,
  * in Spanish and Portuguese, with common WhatsApp spellings. Words are
  * written naturally; they are normalized and keyed on the way in. Where a
  * word is listed twice, the first listing wins. Re-running this section
  * replaces the vocabulary; the FAQ features are refreshed at the end.
 */
insert into private.faq_concepts (concept, kind, weight, description)
values ('hours', 'topic', 1, 'Opening hours and days'),
       ('day', 'topic', 0.4, 'A day of the week or a holiday'),
       ('location', 'topic', 1, 'Address, location, how to get there'),
       ('delivery', 'topic', 1, 'Delivery and shipping'),
       ('pickup', 'topic', 1, 'Picking up an order'),
       ('payment', 'topic', 1, 'Payment methods'),
       ('booking', 'topic', 1, 'Appointments, bookings, availability'),
       ('emergency', 'topic', 1, 'Emergencies and urgent care'),
       ('insurance', 'topic', 1, 'Health insurance and plans'),
       ('quote', 'topic', 1, 'Quotes and estimates'),
       ('towing', 'topic', 1, 'Towing and roadside help'),
       ('returns', 'topic', 1, 'Returns, exchanges, refunds and warranty'),
       ('stock', 'topic', 1, 'Stock and availability of products'),
       ('cut', 'topic', 1, 'Cutting, cutting to size, haircuts'),
       ('ordering', 'topic', 1, 'How to place an order'),
       ('invoice', 'topic', 1, 'Invoices and receipts'),
       ('promo', 'topic', 1, 'Discounts and promotions'),
       ('repair', 'topic', 1, 'Repairs'),
       ('catalog', 'topic', 1, 'Catalogue, menu, price list'),
       ('contact', 'topic', 1, 'Phone, email and social media'),
       ('parking', 'topic', 1, 'Parking'),
       ('wholesale', 'topic', 1, 'Wholesale'),
       ('duration', 'topic', 1, 'How long something takes'),
       ('custom', 'topic', 1, 'Custom-made and personalised products'),
       ('jobs', 'topic', 1, 'Jobs and applications'),
       ('prescription', 'topic', 1, 'Prescriptions'),
       ('price', 'intent', 0.5, 'Asking what something costs'),
       ('have', 'intent', 0.5, 'Asking whether they have or sell something'),
       ('offer', 'intent', 0.5, 'Asking whether they do or offer something'),
       ('accept', 'intent', 0.5, 'Asking whether they accept or work with something'),
       ('cancel', 'human', 1, 'Cancelling or moving an existing booking'),
       ('confirm', 'human', 1, 'Confirming an existing booking or order'),
       ('complaint', 'human', 1, 'A complaint or a problem with a product or service'),
       ('status', 'human', 1, 'The status of an existing order or job'),
       ('person', 'human', 1, 'Asking to talk to a person'),
       ('greeting', 'ignore', 1, 'Greetings, thanks, acknowledgements'),
       ('stop', 'ignore', 1, 'Function words and fillers'),
       ('word', 'word', 1, 'Real words that read like a vocabulary word once spelling is folded')
on conflict (concept) do update set kind        = excluded.kind,
                                    weight      = excluded.weight,
                                    description = excluded.description;

delete
from private.faq_vocabulary;

insert into private.faq_vocabulary (term, term_key, concept, weight)
select distinct on (private.normalize_text(t.term)) private.normalize_text(t.term),
                                                    private.faq_phrase_key(t.term),
                                                    v.concept,
                                                    v.weight
from (values
          -- Opening hours
          ('hours', 1.0, array ['horario', 'horarios', 'hora', 'horas', 'a que hora', 'a qué horas', 'hasta que hora',
              'hasta qué horas', 'desde que hora', 'que horas', 'até que horas', 'ate q horas', 'hr', 'hrs',
              'abren', 'abre', 'abres', 'abrimos', 'abrir', 'abierto', 'abierta', 'abiertos', 'abiertas',
              'cierran', 'cierra', 'cierras', 'cerrar', 'cerrado', 'cerrados', 'cierre', 'aberto', 'aberta',
              'abertos', 'abrem', 'fecham', 'fechado', 'fechada', 'fechados', 'funcionamento', 'expediente',
              'horário de atendimento', 'horario de atencion']),
          ('hours', 0.6, array ['atienden', 'atiende', 'atendes', 'atención', 'atendem', 'atende', 'atendimento',
              'funcionan', 'funciona', 'funcionam', 'fecha', 'feriado', 'feriados', 'festivo', 'festivos',
              'dias festivos', 'dia feriado', 'trabajan', 'trabalham', 'abre hoy', 'abren hoy']),
          ('day', 1.0, array ['lunes', 'martes', 'miércoles', 'jueves', 'viernes', 'sábado', 'sabados', 'domingo',
              'domingos', 'segunda', 'segunda feira', 'terça', 'terça feira', 'quarta', 'quarta feira', 'quinta',
              'quinta feira', 'sexta', 'sexta feira', 'fin de semana', 'fines de semana', 'finde', 'fim de semana',
              'dia', 'días', 'mañana', 'manha', 'amanhã', 'pasado mañana', 'semana', 'noche', 'noite', 'tarde',
              'mediodía', 'madrugada']),
          -- Location
          ('location', 1.0, array ['dirección', 'direcciones', 'direccion exacta', 'ubicación', 'ubicacion exacta',
              'ubicados', 'ubicadas', 'ubicado', 'ubicada', 'ubican', 'donde queda', 'donde quedan',
              'dónde están', 'donde esta', 'donde estan ubicados', 'donde se encuentran', 'donde los encuentro',
              'dónde es', 'en donde', 'como llego', 'como llegar', 'cómo llego', 'mapa', 'maps', 'google maps',
              'waze', 'onde fica', 'onde ficam', 'onde é', 'onde vocês ficam', 'onde está', 'onde estão',
              'endereço', 'enderecos', 'localização', 'localizacao', 'localizados', 'localizada', 'localizado',
              'como chegar', 'ponto de referencia', 'punto de referencia', 'en que parte', 'por donde queda',
              'donde', 'dónde', 'onde', 'dnd', 'ond']),
          ('location', 0.5, array ['sucursal', 'sucursales', 'local fisico', 'tienda fisica', 'loja fisica',
              'queda cerca', 'cerca de', 'perto de']),
          -- Price
          ('price', 1.0, array ['precio', 'precios', 'preço', 'precos', 'cuanto', 'cuánto', 'quanto', 'qto', 'qnto',
              'cuanto cuesta', 'cuanto cuestan', 'cuanto sale', 'cuanto salen', 'cuanto vale', 'cuanto valen',
              'cuanto cobran', 'cuanto cobras', 'cuanto es', 'cuanto seria', 'cuanto esta', 'cuanto está',
              'quanto custa', 'quanto custam', 'quanto é', 'quanto ta', 'quanto tá', 'quanto fica', 'quanto sai',
              'quanto cobram', 'quanto está', 'que precio', 'qual o valor', 'qual o preço', 'cual es el valor',
              'cual es el precio', 'cuesta', 'cuestan', 'costo', 'costos', 'coste', 'valor', 'valores', 'tarifa',
              'tarifas', 'cobran', 'cobra', 'cobrar', 'cobro', 'cobram', 'custa', 'custam', 'custo', 'sin cargo',
              'sin costo', 'gratis', 'gratuito', 'gratuita', 'de graça', 'sem custo', 'cargo', 'barato', 'caro',
              'sale', 'salen', 'lo cobran', 'taxa']),
          -- Delivery and pickup
          ('delivery', 1.0, array ['envío', 'envios', 'envían', 'envian', 'enviar', 'envia', 'envias', 'enviam',
              'despacho', 'despachos', 'despachan', 'despachar', 'despachas', 'domicilio', 'domicilios',
              'a domicilio', 'servicio a domicilio', 'delivery', 'deliveri', 'delivey', 'reparto', 'repartos',
              'reparten', 'llevan', 'llevar a la casa', 'llevar a domicilio', 'me lo llevan', 'lo llevan',
              'me lo pueden llevar', 'a la casa', 'a mi casa', 'hasta mi casa', 'encomienda', 'encomiendas',
              'shipping', 'entrega', 'entregas', 'entregan', 'entregar', 'entregam', 'entregamos',
              'tele entrega', 'teleentrega', 'frete', 'fretes', 'motoboy', 'levam', 'levar em casa', 'em casa',
              'sedex', 'correios', 'rappi', 'ifood', 'pedidos ya', 'uber eats', 'mandan a domicilio',
              'mandam', 'mandan']),
          ('delivery', 0.6, array ['llevar', 'mandar', 'manda', 'enviam para', 'llegan a', 'chegam']),
          ('pickup', 1.0, array ['retirar', 'retiro', 'retiro en tienda', 'pasar a buscar', 'paso a buscar',
              'recoger', 'recojo', 'retirada', 'retirar na loja', 'buscar na loja', 'pick up']),
          -- Payment
          ('payment', 1.0, array ['tarjeta', 'tarjetas', 'débito', 'crédito', 'transferencia', 'transferencias',
              'transferir', 'transfiero', 'efectivo', 'forma de pago', 'formas de pago', 'medios de pago',
              'medio de pago', 'metodos de pago', 'mercado pago', 'mercadopago', 'nequi', 'daviplata', 'yape',
              'plin', 'paypal', 'cuotas', 'meses sin intereses', 'sin interes', 'cheque', 'pix', 'cartão',
              'cartoes', 'dinheiro', 'boleto', 'parcelado', 'parcelar', 'parcelas', 'parcelam', 'à vista',
              'forma de pagamento', 'formas de pagamento', 'pagamento', 'link de pago', 'link de pagamento',
              'visa', 'mastercard', 'amex', 'qr', 'codigo qr', 'consignación', 'consignar', 'deposito',
              'depósito bancario', 'datafono', 'posnet', 'maquininha', 'pagar con', 'pagar com', 'pago con',
              'puedo pagar', 'posso pagar', 'pagan', 'pago', 'pagos', 'pagar']),
          ('accept', 1.0, array ['aceptan', 'acepta', 'aceptar', 'aceptas', 'reciben', 'recibe', 'recibir',
              'recibes', 'trabajan con', 'trabaja con', 'trabajamos con', 'aceitam', 'aceita', 'aceitar',
              'recebem', 'recebe', 'trabalham com', 'trabalha com', 'manejan', 'atienden con', 'atienden por',
              'atendem por', 'atende por', 'atende pelo', 'atendem pelo', 'atendem com', 'atende com']),
          -- Bookings
          ('booking', 1.0, array ['cita', 'citas', 'turno', 'turnos', 'agendar', 'agendo', 'agendamos',
              'agendamento', 'agendamiento', 'agende', 'reservar', 'reserva', 'reservas', 'reservo', 'reservación',
              'pedir hora', 'sacar hora', 'reservar hora', 'agendar hora', 'marcar hora', 'hora marcada',
              'horario marcado', 'horário marcado', 'marcar consulta', 'marcar horario', 'marcar um horario',
              'sacar cita', 'pedir cita', 'sacar turno', 'pedir turno', 'agendar um horario', 'agendar horario',
              'reservar um horario', 'reservar horario', 'um horario', 'un horario', 'agendar una hora',
              'reservar una hora', 'pedir una hora', 'sacar una hora', 'disponibilidad', 'cupo', 'cupos',
              'vaga', 'vagas', 'tem vaga', 'tem horario', 'tienen espacio', 'hay espacio', 'sin cita',
              'sin turno', 'sem hora marcada', 'orden de llegada', 'ordem de chegada', 'por orden de llegada',
              'agenda', 'marcar', 'consulta', 'consultas', 'turnito']),
          -- Emergencies
          ('emergency', 1.0, array ['urgencia', 'urgencias', 'emergencia', 'emergencias', 'urgência',
              'emergência', 'pronto socorro', 'plantão', 'guardia', 'me duele', 'me duelen', 'dolor',
              'dolores', 'sangra', 'sangrado', 'sangrando', 'dor', 'doendo', 'está doendo', 'accidente', 'acidente',
              'atención inmediata', 'no aguanto']),
          ('emergency', 0.5, array ['molestia', 'molestias', 'incomodo']),
          ('status', 1.0, array ['ya pague', 'ya pagué', 'ya transferi', 'ya deposite', 'ja paguei', 'ja fiz o pix',
              'te mando el comprobante', 'le envio el comprobante', 'segue o comprovante', 'comprovante']),
          ('emergency', 0.5, array ['urgente', 'urgentes', 'duele', 'dolía', 'se me rompio', 'se me partio',
              'lo antes posible',
              'o quanto antes', 'ya mismo']),
          -- Insurance
          ('insurance', 1.0, array ['seguro', 'seguros', 'seguro médico', 'seguros médicos', 'seguro de salud',
              'prepagada', 'prepagadas', 'medicina prepagada', 'prepaga', 'prepagas', 'eps', 'isapre', 'isapres',
              'fonasa', 'obra social', 'obras sociales', 'convenio', 'convenios', 'convênio', 'convênios',
              'aseguradora', 'aseguradoras', 'plan de salud', 'plano de saúde', 'planos de saúde',
              'plano de saude', 'póliza', 'seguradora', 'reembolso del seguro']),
          ('insurance', 0.5, array ['plano', 'planos', 'plan médico']),
          -- Quotes and estimates
          ('quote', 1.0, array ['presupuesto', 'presupuestos', 'cotización', 'cotizaciones', 'cotizar', 'cotizan',
              'cotiza', 'cotizo', 'orçamento', 'orçamentos', 'cotação', 'presu', 'orçar', 'orçam',
              'orça']),
          -- Towing
          ('towing', 1.0, array ['grúa', 'gruas', 'remolque', 'remolcar', 'remolcan', 'remolques',
              'auxilio mecánico', 'auxilio', 'guincho', 'reboque', 'rebocar', 'auxílio']),
          -- Returns, exchanges, refunds, warranty
          ('returns', 1.0, array ['devolver', 'devolución', 'devoluciones', 'devuelven', 'devolverlo',
              'devolverla', 'devolvi', 'reembolso', 'reembolsan', 'reintegro', 'devolução', 'devolvem',
              'estorno', 'política de cambio', 'politica de devolucion', 'cambio de producto', 'garantía',
              'garantias', 'garantia']),
          ('returns', 0.8, array ['trocar', 'trocam', 'troco', 'no me sirvio', 'não serviu', 'no me quedo',
              'não ficou bem', 'no me queda']),
          ('returns', 0.6, array ['cambiar', 'cambio', 'cambios', 'cambian', 'cambiarlo', 'cambiarla', 'troca',
              'trocas']),
          -- Stock
          ('stock', 1.0, array ['stock', 'en stock', 'estoque', 'em estoque', 'existencia', 'existencias',
              'inventario', 'agotado', 'agotados', 'esgotado', 'disponible en tienda', 'hay disponible']),
          ('have', 1.0, array ['tienen', 'tiene', 'tenes', 'tenés', 'tienes', 'tendrán', 'tendran', 'hay',
              'les queda', 'le queda', 'te queda', 'les quedan', 'quedan', 'venden', 'vende', 'vendes', 'vendem',
              'tem', 'têm', 'voces tem', 'vcs tem', 'disponible', 'disponibles', 'disponivel',
              'consiguen', 'manejan']),
          ('offer', 1.0, array ['fazem', 'faz', 'fazemos', 'hacen', 'hace', 'haces', 'hacés', 'ofrecen', 'ofrece',
              'oferecem', 'oferece', 'realizan', 'realiza', 'realizam', 'trabajan']),
          ('have', 0.8, array ['queda']),
          -- Cutting (to size, hair)
          ('cut', 1.0, array ['corte', 'cortes', 'cortan', 'cortar', 'cortamos', 'cortado', 'cortados', 'cortas',
              'a medida', 'sob medida', 'corte a medida', 'cortam', 'medida', 'medidas', 'dimensionado']),
          -- Ordering
          -- "hacer mi pedido" places an order; plain "mi pedido" asks about one (status, below).
          ('ordering', 1.0, array ['hacer un pedido', 'hacer pedido', 'cómo pedir', 'como hago un pedido',
              'hacer mi pedido', 'hago mi pedido', 'hacer el pedido', 'fazer meu pedido', 'faço meu pedido',
              'como compro', 'como comprar', 'encargar', 'encargo', 'encargos', 'por encargo', 'fazer um pedido',
              'fazer pedido', 'como faço um pedido', 'encomendar', 'encomenda', 'encomendas',
              'pedido', 'pedidos', 'compra online', 'tienda online', 'loja online',
              'sob encomenda']),
          -- Invoices
          ('invoice', 1.0, array ['factura', 'facturas', 'facturan', 'facturar', 'boleta', 'boletas', 'recibo',
              'recibos', 'comprobante', 'nota fiscal', 'cupom fiscal', 'cfdi', 'rut', 'nit', 'cuit']),
          -- Promotions
          ('promo', 1.0, array ['promoción', 'promociones', 'promo', 'promos', 'descuento', 'descuentos',
              'oferta', 'ofertas', 'promoção', 'promoções', 'desconto', 'descontos', 'cupón', 'cupon',
              'cupom', '2x1', 'liquidación', 'rebaja', 'rebajas']),
          -- Repairs
          ('repair', 1.0, array ['reparan', 'reparar', 'reparación', 'reparaciones', 'arreglan', 'arreglar',
              'arreglo', 'arreglos', 'conserto', 'consertam', 'consertar', 'reparo', 'reparos', 'arreglas']),
          -- Catalogue, menu
          ('catalog', 1.0, array ['catálogo', 'catalogos', 'menú', 'menu', 'carta', 'cardápio', 'lista de precios',
              'tabela de preços', 'tabela de precos', 'lista de preços']),
          -- Contact
          ('contact', 1.0, array ['teléfono', 'telefonos', 'número de teléfono', 'numero de contacto', 'celular',
              'email', 'e mail', 'mail', 'correo', 'correo electrónico', 'instagram', 'facebook', 'tiktok',
              'redes sociales', 'pagina web', 'página web', 'sitio web', 'site', 'telefone', 'contacto', 'contato']),
          -- Parking
          ('parking', 1.0, array ['estacionamiento', 'estacionar', 'parqueadero', 'parqueo', 'parking',
              'aparcamiento', 'estacionamento', 'estacionar o carro', 'cochera', 'parquear']),
          -- Wholesale
          ('wholesale', 1.0, array ['por mayor', 'al por mayor', 'mayorista', 'mayoristas', 'mayoreo', 'atacado',
              'no atacado', 'atacadista', 'venta mayorista']),
          -- How long
          ('duration', 1.0, array ['cuanto tiempo', 'cuánto tarda', 'cuanto tardan', 'cuanto demora',
              'cuanto demoran', 'cuanto dura', 'cuanto duran', 'quanto tempo', 'quanto demora', 'demora',
              'demoran', 'tarda', 'tardan', 'duración', 'dura', 'demoram', 'en cuantos dias',
              'em quantos dias', 'prazo', 'plazo', 'plazos']),
          -- Custom-made
          ('custom', 1.0, array ['personalizado', 'personalizada', 'personalizados', 'personalizadas',
              'personalizar', 'a pedido', 'por pedido', 'a gusto', 'con nombre', 'com nome', 'diseño propio']),
          -- Prescriptions
          ('prescription', 1.0, array ['receta', 'recetas', 'receta médica', 'receita', 'receitas',
              'receita médica', 'prescripción', 'prescrição', 'orden médica', 'fórmula médica', 'recetario']),
          -- Jobs
          ('jobs', 1.0, array ['busco trabajo', 'oferta de trabajo', 'ofertas de trabajo', 'empleo', 'vacante', 'vacantes', 'curriculum', 'hoja de vida',
              'emprego', 'vaga de emprego', 'trabajar con ustedes', 'trabalhar com vocês', 'cv']),
          -- Needs a person: cancelling or moving a booking
          ('cancel', 1.0, array ['cancelar', 'cancela', 'cancelo', 'cancelen', 'cancelás', 'cancelación',
              'cancelamento', 'cancelado', 'anular', 'anulo', 'anulen', 'desmarcar', 'desmarco', 'reprogramar',
              'reagendar', 'remarcar', 'posponer', 'postergar', 'adiar', 'cambiar la cita', 'cambiar mi cita',
              'cambiar el turno', 'cambiar mi turno', 'cambiar la reserva', 'mover la cita', 'mover mi cita',
              'correr el turno', 'no voy a poder ir', 'no voy a ir', 'não vou poder ir', 'ya no voy']),
          -- Needs a person: confirming something already arranged
          ('confirm', 1.0, array ['confirmar', 'confirman', 'confirmo', 'confirma', 'confirme', 'confirmen',
              'confirmación', 'confirmação', 'confirmado', 'confirmada', 'confirmam', 'confirmas']),
          -- Needs a person: complaints and problems
          ('complaint', 1.0, array ['no me gusto', 'no me gustó', 'no nos gusto', 'no quede conforme',
              'no quedé contento', 'no quede contenta', 'queja', 'quejas', 'quejarme', 'reclamo', 'reclamos',
              'reclamar', 'reclamación', 'reclamação', 'reclamar', 'mal servicio', 'mala atención',
              'pésimo', 'pésima', 'horrible', 'terrible', 'fallado', 'fallada', 'fallados', 'falla', 'fallo',
              'defectuoso', 'defectuosa', 'defeito', 'com defeito', 'molesto', 'molesta', 'enojado', 'enojada',
              'indignado', 'indignada', 'decepcionado', 'decepcionada', 'estafa', 'estafaron', 'me robaron',
              'não gostei', 'nao gostei', 'péssimo', 'péssima', 'horrível', 'ferida', 'ferido', 'machucado',
              'machucada', 'machucou', 'lastimado', 'lastimada', 'lastimaron', 'herido', 'herida',
              'volvio con', 'voltou com', 'llegó roto', 'llego rota', 'chegou quebrado', 'veio errado', 'chegou errado', 'veio errada',
              'chegou errada', 'llegó equivocado', 'llegó equivocada', 'vino equivocado', 'me mandaron otro',
              'vino mal', 'me cobraron de mas', 'cobraron mal', 'no funciona', 'não funciona', 'dejo de funcionar',
              'insatisfecho', 'insatisfecha', 'denuncia', 'procon', 'profeco']),
          -- Needs a person: status of an order or a job already in progress
          ('status', 1.0, array ['ya esta listo', 'ya está lista', 'ya estan listos', 'esta listo', 'está lista',
              'estará listo', 'estara lista', 'ya quedo', 'ya quedó', 'ja esta pronto', 'está pronto',
              'ficou pronto', 'ficou pronta', 'já ficou', 'mi pedido', 'mi orden', 'meu pedido', 'seguimiento', 'rastreo',
              'rastreio', 'rastreamento', 'número de guía', 'codigo de rastreio', 'no ha llegado', 'no llego',
              'no llegó', 'não chegou', 'nao chegou', 'ainda não chegou', 'cuando llega', 'quando chega',
              'cuando estara', 'en que va', 'como va mi']),
          -- Needs a person: asking for someone
          ('person', 1.0, array ['hablar con', 'falar com', 'comunicarme con', 'me comunico con', 'una persona',
              'un humano', 'pessoa', 'atendente', 'asesor', 'asesora', 'un asesor', 'encargado', 'encargada',
              'el dueño', 'la dueña', 'gerente', 'me llaman', 'me pueden llamar', 'llámenme', 'llamenme',
              'me liga', 'me liguem', 'alguien que me atienda', 'quero falar']),
          -- Content words, not typos: spelled like a vocabulary word once folded
          ('word', 1.0, array ['sierra', 'sierras', 'serrar', 'serrado', 'serrada', 'serrados', 'serradas',
              'unha', 'unhas']),
          -- Ignored: greetings, thanks, acknowledgements, forms of address
          ('greeting', 1.0, array ['hola', 'holis', 'ola', 'olá', 'oi', 'oie', 'ei', 'hey', 'hello', 'hi', 'buenas',
              'buenos', 'buen', 'bom', 'boa', 'buenos dias', 'buenos días', 'buen dia', 'buen día', 'buenas tardes',
              'buenas noches', 'bom dia', 'boa tarde', 'boa noite', 'tardes', 'noches', 'que tal', 'qué tal',
              'saludos', 'saludo', 'gracias', 'grax', 'graciass', 'muchas gracias', 'mil gracias', 'obrigado',
              'obrigada', 'obg', 'brigado', 'valeu', 'vlw', 'thanks', 'amable', 'muy amable', 'genial', 'perfecto',
              'perfeito', 'excelente', 'ok', 'okay', 'oka', 'okey', 'dale', 'listo', 'bueno', 'buena', 'bien',
              'de nada', 'chau', 'chao', 'adios', 'tchau', 'hasta luego', 'besos', 'beso', 'abrazo', 'bendiciones',
              'jaja', 'jajaja', 'jeje', 'kkk', 'kkkk', 'haha', 'rs', 'genio', 'crack', 'capo', 'che', 'amigo',
              'amiga', 'señor', 'señora', 'señorita', 'don', 'doña', 'doctor', 'doctora', 'dr', 'dra', 'joven',
              'vecino', 'vecina', 'querida', 'querido', 'gente', 'pessoal', 'moço', 'moça', 'tudo bem', 'todo bien',
              'como estas', 'como está', 'como vai', 'tudo bom', 'bendecido', 'feliz', 'saludos cordiales',
              'atentamente', 'vale', 'va', 'claro', 'entendido', 'entendi', 'ah', 'oh', 'uy', 'ay',
              'mmm', 'bom dia tudo bem', 'estimado', 'estimada', 'hermano', 'hermana', 'mano', 'pana', 'parce',
              'compa', 'cuate', 'disculpe la molestia', 'disculpa la molestia', 'disculpe las molestias',
              'perdon la molestia', 'perdón por la molestia', 'desculpe o incômodo', 'desculpa incomodar', 'buen finde', 'buen fin de semana', 'bom fim de semana', 'feliz finde', 'guapa', 'linda', 'lindo', 'amor', 'mi amor', 'cariño', 'bb']),
          -- Ignored: function words, common verbs and fillers (besides Postgres's
          -- own Spanish and Portuguese stop words)
          ('stop', 1.0, array ['a', 'o', 'e', 'y', 'u', 'el', 'la', 'los', 'las', 'lo', 'le', 'les', 'un', 'una',
              'unos', 'unas', 'de', 'del', 'da', 'do', 'das', 'dos', 'en', 'em', 'no', 'na', 'nos', 'nas', 'num',
              'numa', 'con', 'com', 'por', 'para', 'pra', 'pro', 'pa', 'q', 'que', 'k', 'ke', 'qe', 'cual', 'cuales',
              'qual', 'quais', 'como', 'cómo', 'se', 'si', 'sí', 'sim', 'nao', 'não', 'me', 'mi', 'mis', 'meu',
              'minha', 'meus', 'minhas', 'te', 'tu', 'tus', 'su', 'sus', 'seu', 'sua', 'al', 'ao', 'aos', 'es',
              'son', 'sao', 'são', 'está', 'estan', 'estás', 'esta', 'este', 'estos', 'estas', 'ese', 'esa', 'eso',
              'esos', 'esas', 'isso', 'esse', 'essa', 'isto', 'aqui', 'acá', 'aca', 'alla', 'ahí', 'ai', 'ya', 'já',
              'mas', 'más', 'muy', 'mucho', 'mucha', 'muchos', 'muchas', 'muito', 'muita', 'pero', 'porque', 'porq',
              'xq', 'pq', 'por que', 'tambien', 'también', 'tb', 'tbm', 'tambem', 'solo', 'só', 'hoy', 'hoje',
              'ahora', 'agora', 'ahorita', 'quiero', 'quisiera', 'queria', 'quería', 'quero', 'gostaria',
              'necesito', 'necesita', 'necesitamos', 'preciso', 'precisa', 'precisamos', 'busco', 'buscando',
              'procuro', 'puedo', 'pueden', 'puede', 'podemos', 'podria', 'podrían', 'posso', 'pode', 'podem',
              'poderia', 'saber', 'sabe', 'saben', 'sabes', 'dice', 'decir', 'dicen', 'diga', 'digan',
              'información', 'info', 'informação', 'informacion', 'consultar', 'pregunta', 'preguntar',
              'pergunta', 'perguntar', 'duda', 'dudas', 'dúvida', 'dúvidas', 'ir', 'voy', 'vamos', 'vou',
              'venir', 'vengo', 'ver', 'mirar', 'estar', 'estoy', 'ser', 'soy', 'era', 'fue', 'sera', 'seria',
              'tengo', 'tenho', 'tenemos', 'temos', 'tener', 'ter', 'dar', 'dan', 'dame', 'deme', 'den', 'regalas',
              'regala', 'regalan', 'regalame', 'regáleme', 'pasas', 'pasan', 'pasame', 'pásame', 'pasa', 'pasen',
              'pido', 'pedir', 'comprar', 'saco', 'sacar', 'saca', 'sacan', 'sei', 'sabia', 'mas o menos', 'más o menos', 'mais ou menos', 'aproximadamente', 'aprox', 'vendo', 'interesa', 'interesan', 'interessa', 'um', 'uma', 'uns', 'umas', 'ou', 'tá', 'tô', 'to', 'né', 'ne', 'hj', 'td', 'tds', 'msm', 'qdo', 'qnd', 'dps', 'depois', 'blz', 'beleza', 'ainda', 'sempre', 'nunca', 'aí', 'ali', 'lá', 'cá', 'puedes', 'podes', 'podés', 'quieres', 'querés', 'vas', 'hago', 'quien', 'quién', 'despues', 'después', 'antes', 'luego', 'alli', 'allí', 'todavia', 'todavía', 'aun', 'aún', 'igual', 'sino', 'osea', 'o sea', 'nomas', 'nomás', 'tmb', 'tmbn', 'dsp', 'ayer', 'ontem', 'gostaria de saber', 'quisiera saber', 'compre', 'compré', 'comprei', 'compramos', 'comprado', 'comprada', 'peça', 'peças', 'pieza', 'piezas', 'faço', 'faz favor', 'mandame', 'mándame', 'envíame', 'manden', 'me pasan', 'usted', 'ustedes', 'uds', 'ud', 'vos', 'voce',
              'você', 'voces', 'vocês', 'vc', 'vcs', 'ellos', 'ellas', 'nosotros', 'yo', 'eu', 'ele', 'ela', 'eles',
              'elas', 'ustedes tienen', 'alguno', 'alguna', 'algun', 'algún', 'algunos', 'algum', 'alguma', 'algo',
              'todo', 'toda', 'todos', 'todas', 'tudo', 'cuando', 'cuándo', 'quando', 'entonces', 'então', 'entao',
              'ent', 'pues', 'bom saber', 'favor', 'por favor', 'porfa', 'porfavor', 'pfv', 'pf', 'pls', 'plis',
              'please', 'porfis', 'xfa', 'x favor', 'please', 'hacer', 'fazer', 'hay que', 'tiene que',
              'tengo que', 'tenho que', 'tem que', 'ni', 'nem', 'cual seria', 'ahi', 'tal', 'otro', 'otra', 'outro',
              'outra', 'mismo', 'misma', 'mesmo', 'mesma', 'cada', 'sobre', 'sin', 'sem', 'hasta', 'até', 'desde',
              'entre', 'hacia', 'contra', 'segun', 'tipo', 'bueno pues', 'oye', 'oiga', 'disculpa', 'disculpe',
              'perdon', 'perdón', 'desculpa', 'desculpe', 'consulta rapida', 'una pregunta', 'uma pergunta',
              'una consulta', 'una duda', 'uma dúvida', 'producto', 'productos', 'produto', 'produtos',
              'articulo', 'artículos', 'item', 'itens', 'cosa', 'cosas', 'coisa', 'coisas', 'servicio',
              'servicios', 'serviço', 'serviços', 'clínica', 'consultorio', 'local', 'tienda', 'negocio',
              'taller', 'loja', 'empresa', 'lugar', 'establecimiento', 'ustedes hacen', 'ahi mismo', 'ahora mismo',
              'directo', 'directamente', 'ir directo', 'asi', 'así', 'assim', 'bastante', 'poco', 'pouco',
              'mejor', 'melhor', 'caso', 'en caso', 'ustedes mismos', 'ok gracias'])) as v(concept, weight, terms)
         cross join lateral pg_catalog.unnest(v.terms) with ordinality as t(term, ord)
where private.normalize_text(t.term) <> ''
order by private.normalize_text(t.term),
         -- the first listing wins: human concepts, then topics, then the rest
         case (select c.kind from private.faq_concepts c where c.concept = v.concept)
             when 'word' then 0
             when 'human' then 0
             when 'topic' then 1
             when 'intent' then 2
             else 3 end,
         v.weight desc,
         t.ord;

-- Fresh statistics, so that the lookups use the indexes from the first message.
analyze private.faq_concepts, private.faq_vocabulary;

/**
  * -------------------------------------------------------
  * Section - Backfill
  * -------------------------------------------------------
 */
select private.refresh_faq_terms(f.id)
from public.faqs f;
