/**
  * -------------------------------------------------------
  * Inbound messages with less database work: reading a message in one pass
  * -------------------------------------------------------
  * private.faq_text_features reads every inbound message. Its last step
  * turned the lexicon's hits into slots and terms in one statement of some
  * fifteen CTEs: for a message of a few words Postgres spent more time
  * setting up that plan's ninety-odd nodes on every call than running them
  * (0.17 ms of the 0.33 ms the function took for "a que hora abren?").
  *
  * The reading is the same; only the last step changed:
  *   - the probe of the lexicon also brings each sense's concept kind and
  *     weight, so no later step joins private.faq_concepts again;
  *   - words the lexicon holds only by stem or by a typo are looked up in
  *     one statement each, and only when the message has such words;
  *   - the slots, their heads, the thing asked about, the terms and their
  *     related concepts are worked out in one pass over the units, in the
  *     order and with the tie-breaks of the statement it replaces; the rows
  *     come out sorted by one last small statement.
  * The result is row for row the same, and so are the stored FAQ features
  * built with it: supabase/tests/08-faq-matcher.sql keeps the previous
  * reading as the reference and compares the two over every term of the
  * lexicon, typical messages and seeded mixes of words and misspellings.
 */

create or replace function private.faq_text_features(p_text text)
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
    -- one plan per statement, made once: re-planning costs more than running them
    set plan_cache_mode = force_generic_plan
as
$$
declare
    v_words text[];
    v_keys  text[];
    v_es    text[];
    v_pt    text[];
    v_stop  boolean[];
    v_count integer;
    -- the lexicon's hits, sorted by phrase (start, length): one sense each, with
    -- its concept's kind and weight
    v_hit_starts   integer[];
    v_hit_lens     integer[];
    v_hit_exact    boolean[];
    v_hit_concepts text[];
    v_hit_roles    text[];
    v_hit_weights  real[];
    v_hit_kinds    text[];
    v_hit_cweights real[];
    v_hit_count    integer;
    -- the walk: each unit's first word and length
    v_longest     integer[];
    v_unit_starts integer[] := '{}'::integer[];
    v_unit_lens   integer[] := '{}'::integer[];
    v_unit_count  integer;
    -- every unit's senses: its phrase's hits, or the hits of its word's stem
    -- or typo, added after the phrase hits; each unit's list of them starts
    -- at v_first_sense and goes on through v_sense_next
    v_sense_count integer;
    v_sense_ranks integer[] := '{}'::integer[];
    v_sense_next  integer[] := '{}'::integer[];
    v_first_sense integer[];
    -- single words the lexicon holds neither as written nor in a phrase
    v_lone_count integer := 0;
    v_lone_units integer[] := '{}'::integer[];
    v_lone_es    text[] := '{}'::text[];
    v_lone_pt    text[] := '{}'::text[];
    v_lone_keys  text[] := '{}'::text[];
    v_found_units    integer[];
    v_found_concepts text[];
    v_found_roles    text[];
    v_found_weights  real[];
    v_found_kinds    text[];
    v_found_cweights real[];
    -- each unit's strongest sense (an index into the senses) and what it makes
    v_head       integer[];
    v_unit_kind  text[];
    v_unit_class text[];
    -- related concepts of the senses' concepts
    v_link_count    integer;
    v_link_concepts text[];
    v_link_related  text[];
    v_link_weights  real[];
    -- one slot's terms, and the primary terms of the slots before it
    v_term_count     integer;
    v_term_terms     text[] := '{}'::text[];
    v_term_strengths real[] := '{}'::real[];
    v_term_roles     text[] := '{}'::text[];
    v_term_ranks     integer[] := '{}'::integer[];
    v_seen_count     integer := 0;
    v_seen_primary   text[] := '{}'::text[];
    v_repeated       boolean;
    -- the rows to return, and the thing asked about
    v_out_count     integer := 0;
    v_out_slots     integer[] := '{}'::integer[];
    v_out_terms     text[] := '{}'::text[];
    v_out_kinds     text[] := '{}'::text[];
    v_out_weights   real[] := '{}'::real[];
    v_out_strengths real[] := '{}'::real[];
    v_out_roles     text[] := '{}'::text[];
    v_out_words     text[] := '{}'::text[];
    v_first_slot    integer;
    v_first_kind    text;
    v_focus         integer;
    v_focus_ok      boolean;
    -- loop state
    v_at     integer;
    v_pos    integer;
    v_len    integer;
    v_i      integer;
    v_j      integer;
    v_k      integer;
    v_best   integer;
    v_from   integer;
    v_exact  boolean;
    v_found  boolean;
    v_word   text;
    v_es_key text;
    v_pt_key text;
    v_term   text;
    v_str    real;
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
         entries as (select v.term, v.term_key, v.concept, v.role, v.weight, c.kind, c.weight as cweight
                     from private.faq_vocabulary v
                              join private.faq_concepts c on c.concept = v.concept
                     where v.term_key = any (array(select g.gram_key from grams g)))
    select pg_catalog.array_agg(g.start order by g.start, g.len),
           pg_catalog.array_agg(g.len order by g.start, g.len),
           pg_catalog.array_agg(v.term = g.gram order by g.start, g.len),
           pg_catalog.array_agg(v.concept order by g.start, g.len),
           pg_catalog.array_agg(v.role order by g.start, g.len),
           pg_catalog.array_agg(v.weight order by g.start, g.len),
           pg_catalog.array_agg(v.kind order by g.start, g.len),
           pg_catalog.array_agg(v.cweight order by g.start, g.len)
    into v_hit_starts, v_hit_lens, v_hit_exact, v_hit_concepts, v_hit_roles, v_hit_weights,
        v_hit_kinds, v_hit_cweights
    from grams g
             join entries v on v.term_key = g.gram_key
    where v.term = g.gram
       or g.len > 1
       or not v_stop[g.start];
    v_hit_count := coalesce(pg_catalog.array_length(v_hit_starts, 1), 0);
    v_sense_count := v_hit_count;

    -- Left to right, the longest phrase starting at a word, else the word.
    v_longest := pg_catalog.array_fill(0, array [v_count]);
    for v_at in 1 .. v_hit_count
        loop
            if v_hit_lens[v_at] > v_longest[v_hit_starts[v_at]] then
                v_longest[v_hit_starts[v_at]] := v_hit_lens[v_at];
            end if;
        end loop;
    v_at := 1;
    v_unit_count := 0;
    while v_at <= v_count
        loop
            v_unit_count := v_unit_count + 1;
            v_unit_starts[v_unit_count] := v_at;
            v_unit_lens[v_unit_count] := greatest(v_longest[v_at], 1);
            v_at := v_at + v_unit_lens[v_unit_count];
        end loop;
    -- Each unit's senses form a list: its first sense, then each sense's next.
    v_first_sense := pg_catalog.array_fill(null::integer, array [v_unit_count]);

    -- Each unit's phrase senses: the hits of exactly its phrase, those as
    -- written when there are any, else those by spelling key. A unit with none
    -- is a single word, to look up by stem (unless a stop word or a number).
    v_from := 1;
    for v_i in 1 .. v_unit_count
        loop
            v_pos := v_unit_starts[v_i];
            v_len := v_unit_lens[v_i];
            while v_from <= v_hit_count and v_hit_starts[v_from] < v_pos
                loop
                    v_from := v_from + 1;
                end loop;
            v_exact := false;
            v_j := v_from;
            while v_j <= v_hit_count and v_hit_starts[v_j] = v_pos
                loop
                    if v_hit_lens[v_j] = v_len and v_hit_exact[v_j] then
                        v_exact := true;
                    end if;
                    v_j := v_j + 1;
                end loop;
            v_j := v_from;
            while v_j <= v_hit_count and v_hit_starts[v_j] = v_pos
                loop
                    if v_hit_lens[v_j] = v_len and (v_hit_exact[v_j] or not v_exact) then
                        v_sense_next[v_j] := v_first_sense[v_i];
                        v_first_sense[v_i] := v_j;
                    end if;
                    v_j := v_j + 1;
                end loop;
            if v_first_sense[v_i] is null and not v_stop[v_pos] and v_words[v_pos] !~ '[0-9]' then
                v_lone_count := v_lone_count + 1;
                v_lone_units[v_lone_count] := v_i;
                v_lone_es[v_lone_count] := v_es[v_pos];
                v_lone_pt[v_lone_count] := case when v_pt[v_pos] = '0' then v_es[v_pos] else v_pt[v_pos] end;
                v_lone_keys[v_lone_count] := v_keys[v_pos];
            end if;
        end loop;

    if v_lone_count > 0 then
        -- Words the lexicon knows by their stem: "entregamos" reads as "entregar".
        select pg_catalog.array_agg(l.unit), pg_catalog.array_agg(v.concept), pg_catalog.array_agg(v.role),
               pg_catalog.array_agg(v.weight), pg_catalog.array_agg(c.kind), pg_catalog.array_agg(c.weight)
        into v_found_units, v_found_concepts, v_found_roles, v_found_weights, v_found_kinds, v_found_cweights
        from rows from (pg_catalog.unnest(v_lone_units), pg_catalog.unnest(v_lone_es),
                        pg_catalog.unnest(v_lone_pt)) as l(unit, es, pt)
                 join private.faq_vocabulary v on v.stem_es = l.es or v.stem_pt = l.pt
                 join private.faq_concepts c on c.concept = v.concept;
        for v_j in 1 .. coalesce(pg_catalog.cardinality(v_found_units), 0)
            loop
                v_i := v_found_units[v_j];
                v_sense_count := v_sense_count + 1;
                v_hit_concepts[v_sense_count] := v_found_concepts[v_j];
                v_hit_roles[v_sense_count] := v_found_roles[v_j];
                v_hit_weights[v_sense_count] := v_found_weights[v_j];
                v_hit_kinds[v_sense_count] := v_found_kinds[v_j];
                v_hit_cweights[v_sense_count] := v_found_cweights[v_j];
                v_sense_next[v_sense_count] := v_first_sense[v_i];
                v_first_sense[v_i] := v_sense_count;
            end loop;

        -- Failing that, a typo of a lexicon word: one letter added, dropped,
        -- changed or swapped in a longer word (the spelling key has already
        -- folded the usual misspellings). The first and last letters decide
        -- too much to be wrong (errado/cerrado); a changed letter counts only
        -- in longer words, and never toward a function word, another place or
        -- another subject: real words sit one letter apart (blanco/banco).
        select pg_catalog.array_agg(l.unit), pg_catalog.array_agg(t.concept),
               pg_catalog.array_agg(t.weight * 0.9::real), pg_catalog.array_agg(t.kind),
               pg_catalog.array_agg(t.cweight)
        into v_found_units, v_found_concepts, v_found_weights, v_found_kinds, v_found_cweights
        from rows from (pg_catalog.unnest(v_lone_units), pg_catalog.unnest(v_lone_keys)) as l(unit, key)
                 cross join lateral (
            select v.concept, v.weight, c.kind, c.weight as cweight
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
        where pg_catalog.length(l.key) >= 6
          and v_first_sense[l.unit] is null;
        for v_j in 1 .. coalesce(pg_catalog.cardinality(v_found_units), 0)
            loop
                v_i := v_found_units[v_j];
                v_sense_count := v_sense_count + 1;
                v_hit_concepts[v_sense_count] := v_found_concepts[v_j];
                v_hit_roles[v_sense_count] := 'is';
                v_hit_weights[v_sense_count] := v_found_weights[v_j];
                v_hit_kinds[v_sense_count] := v_found_kinds[v_j];
                v_hit_cweights[v_sense_count] := v_found_cweights[v_j];
                v_sense_next[v_sense_count] := v_first_sense[v_i];
                v_first_sense[v_i] := v_sense_count;
            end loop;
    end if;

    -- Each unit's strongest sense decides its kind and weight: a real meaning
    -- first, then the higher weight, then a person's or another subject's over
    -- a topic, over an object or place, over a question word; then the concept.
    v_head := pg_catalog.array_fill(null::integer, array [v_unit_count]);
    for v_i in 1 .. v_unit_count
        loop
            v_j := v_first_sense[v_i];
            while v_j is not null
                loop
                    v_sense_ranks[v_j] := case v_hit_kinds[v_j]
                                              when 'human' then 0 when 'guard' then 0 when 'word' then 0
                                              when 'topic' then 1 when 'object' then 2 when 'place' then 2
                                              when 'intent' then 3 else 4 end;
                    v_best := v_head[v_i];
                    if v_best is null
                        or (v_hit_roles[v_j] = 'is') > (v_hit_roles[v_best] = 'is')
                        or ((v_hit_roles[v_j] = 'is') = (v_hit_roles[v_best] = 'is')
                            and (v_hit_weights[v_j] > v_hit_weights[v_best]
                                or (v_hit_weights[v_j] = v_hit_weights[v_best]
                                    and (v_sense_ranks[v_j] < v_sense_ranks[v_best]
                                        or (v_sense_ranks[v_j] = v_sense_ranks[v_best]
                                            and v_hit_concepts[v_j] < v_hit_concepts[v_best]))))) then
                        v_head[v_i] := v_j;
                    end if;
                    v_j := v_sense_next[v_j];
                end loop;
        end loop;

    -- A lexicon slot when its strongest sense is a real one (an 'ignore' one
    -- drops it); a content word when the lexicon does not know it, only knows
    -- what it belongs to, or knows it as a real word.
    v_unit_kind := pg_catalog.array_fill(null::text, array [v_unit_count]);
    v_unit_class := pg_catalog.array_fill(null::text, array [v_unit_count]);
    for v_i in 1 .. v_unit_count
        loop
            v_pos := v_unit_starts[v_i];
            v_best := v_head[v_i];
            if v_best is not null and v_hit_roles[v_best] = 'is'
                and v_hit_kinds[v_best] not in ('ignore', 'word') then
                v_unit_class[v_i] := 'lexicon';
                v_unit_kind[v_i] := v_hit_kinds[v_best];
            elsif (v_best is null and not v_stop[v_pos]) or v_hit_roles[v_best] = 'member'
                or v_hit_kinds[v_best] = 'word' then
                if v_words[v_pos] !~ '[0-9]' and pg_catalog.length(v_keys[v_pos]) >= 3 then
                    v_unit_class[v_i] := 'content';
                    v_unit_kind[v_i] := 'object';
                end if;
            end if;
            if v_unit_class[v_i] is not null and v_first_slot is null then
                v_first_slot := v_i;
                v_first_kind := v_unit_kind[v_i];
            end if;
        end loop;

    -- The thing asked about, when the message opens with a question word
    -- ("tienen X", "cuánto cuesta X", "hacen X"): the next slot that is not one;
    -- or a verb the lexicon does not know ("alquilan X?"): that verb.
    if v_first_slot is not null then
        v_word := pg_catalog.array_to_string(
                v_words[v_unit_starts[v_first_slot]:v_unit_starts[v_first_slot] + v_unit_lens[v_first_slot] - 1], ' ');
        if v_unit_class[v_first_slot] = 'content' and pg_catalog.length(v_word) >= 6
            and v_word ~ '^[a-z]+(an|en|am|em)$' then
            v_focus := v_unit_starts[v_first_slot];
        else
            v_i := v_first_slot + 1;
            while v_i <= v_unit_count and (v_unit_class[v_i] is null or v_unit_kind[v_i] = 'intent')
                loop
                    v_i := v_i + 1;
                end loop;
            if v_i <= v_unit_count and v_unit_kind[v_i] <> 'social' then
                v_focus_ok := v_first_kind = 'intent';
                v_j := v_first_sense[v_first_slot];
                while not v_focus_ok and v_j is not null
                    loop
                        v_focus_ok := v_hit_kinds[v_j] = 'intent' and v_hit_roles[v_j] = 'is';
                        v_j := v_sense_next[v_j];
                    end loop;
                if v_focus_ok then
                    v_focus := v_unit_starts[v_i];
                end if;
            end if;
        end if;
    end if;

    -- Related concepts of every sense: a price question is also, more weakly,
    -- about the price list.
    if v_sense_count > 0 then
        select pg_catalog.array_agg(l.concept), pg_catalog.array_agg(l.related), pg_catalog.array_agg(l.weight)
        into v_link_concepts, v_link_related, v_link_weights
        from private.faq_concept_links l
        where l.concept = any (v_hit_concepts);
    end if;
    v_link_count := coalesce(pg_catalog.cardinality(v_link_concepts), 0);

    -- Each slot's terms: its senses (the strongest primary), or a content word's
    -- stems (a phrase by its key), and what it belongs to; then the related
    -- concepts. A term reached twice keeps its strongest way; a meaning said
    -- twice ("a qué hora abren") is one slot: the first.
    for v_i in 1 .. v_unit_count
        loop
            continue when v_unit_class[v_i] is null;
            v_pos := v_unit_starts[v_i];
            v_best := v_head[v_i];
            v_term_count := 0;
            if v_unit_class[v_i] = 'content' then
                v_es_key := v_es[v_pos];
                v_pt_key := case when v_pt[v_pos] = '0' then v_es[v_pos] else v_pt[v_pos] end;
                v_term_count := 1;
                v_term_terms[1] := 'w:' || case
                                               when v_unit_lens[v_i] = 1 then v_es_key
                                               else pg_catalog.array_to_string(v_keys[v_pos:v_pos + v_unit_lens[v_i] - 1], ' ') end;
                v_term_strengths[1] := 1;
                v_term_roles[1] := 'primary';
                if v_unit_lens[v_i] = 1 and v_pt_key <> v_es_key then
                    v_term_count := 2;
                    v_term_terms[2] := 'w:' || v_pt_key;
                    v_term_strengths[2] := 1;
                    v_term_roles[2] := 'sense';
                end if;
            end if;
            v_j := v_first_sense[v_i];
            while v_j is not null
                loop
                    if v_hit_roles[v_j] = 'member' then
                        v_term_count := v_term_count + 1;
                        v_term_terms[v_term_count] := 'c:' || v_hit_concepts[v_j];
                        v_term_strengths[v_term_count] := v_hit_weights[v_j];
                        v_term_roles[v_term_count] := 'member';
                    elsif v_unit_class[v_i] = 'lexicon' and v_hit_roles[v_j] = 'is'
                        and v_hit_kinds[v_j] not in ('ignore', 'word') then
                        v_term_count := v_term_count + 1;
                        v_term_terms[v_term_count] := 'c:' || v_hit_concepts[v_j];
                        v_term_strengths[v_term_count] := v_hit_weights[v_j] / v_hit_weights[v_best];
                        v_term_roles[v_term_count] := case when v_j = v_best then 'primary' else 'sense' end;
                    end if;
                    v_j := v_sense_next[v_j];
                end loop;

            -- A meaning said twice: a primary term of an earlier slot.
            v_repeated := false;
            for v_j in 1 .. v_term_count
                loop
                    if v_term_roles[v_j] = 'primary' then
                        v_repeated := v_repeated or v_term_terms[v_j] = any (v_seen_primary);
                        v_seen_count := v_seen_count + 1;
                        v_seen_primary[v_seen_count] := v_term_terms[v_j];
                    end if;
                end loop;
            continue when v_repeated;

            v_k := v_term_count;
            for v_j in 1 .. v_link_count
                loop
                    for v_at in 1 .. v_k
                        loop
                            if v_term_terms[v_at] = 'c:' || v_link_concepts[v_j] then
                                v_term_count := v_term_count + 1;
                                v_term_terms[v_term_count] := 'c:' || v_link_related[v_j];
                                v_term_strengths[v_term_count] := v_term_strengths[v_at] * v_link_weights[v_j];
                                v_term_roles[v_term_count] := 'link';
                            end if;
                        end loop;
                end loop;

            -- The strongest way to each term, then the surer role.
            for v_j in 1 .. v_term_count
                loop
                    v_term_ranks[v_j] := case v_term_roles[v_j]
                                             when 'primary' then 0 when 'sense' then 1 when 'member' then 2
                                             else 3 end;
                end loop;
            for v_j in 1 .. v_term_count
                loop
                    v_term := v_term_terms[v_j];
                    v_str := v_term_strengths[v_j];
                    v_found := false;
                    for v_at in 1 .. v_term_count
                        loop
                            if v_at <> v_j and v_term_terms[v_at] = v_term
                                and (v_term_strengths[v_at] > v_str
                                    or (v_term_strengths[v_at] = v_str
                                        and (v_term_ranks[v_at] < v_term_ranks[v_j]
                                            or (v_term_ranks[v_at] = v_term_ranks[v_j] and v_at < v_j)))) then
                                v_found := true;
                                exit;
                            end if;
                        end loop;
                    continue when v_found;
                    v_out_count := v_out_count + 1;
                    v_out_slots[v_out_count] := v_pos;
                    v_out_terms[v_out_count] := v_term;
                    v_out_kinds[v_out_count] := v_unit_kind[v_i];
                    v_out_weights[v_out_count] := case
                                                      when v_unit_class[v_i] = 'lexicon'
                                                          then v_hit_weights[v_best] * v_hit_cweights[v_best]
                                                      else 1 end;
                    v_out_strengths[v_out_count] := v_str;
                    v_out_roles[v_out_count] := v_term_roles[v_j];
                    v_out_words[v_out_count] := pg_catalog.array_to_string(v_words[v_pos:v_pos + v_unit_lens[v_i] - 1], ' ');
                end loop;
        end loop;

    return query
        select o.slot, o.term, o.kind, o.weight, o.strength, o.role, o.words, coalesce(o.slot = v_focus, false)
        from rows from (pg_catalog.unnest(v_out_slots), pg_catalog.unnest(v_out_terms), pg_catalog.unnest(v_out_kinds),
                        pg_catalog.unnest(v_out_weights), pg_catalog.unnest(v_out_strengths),
                        pg_catalog.unnest(v_out_roles), pg_catalog.unnest(v_out_words))
                 as o(slot, term, kind, weight, strength, role, words)
        order by o.slot, o.strength desc, o.term;
end;
$$;
