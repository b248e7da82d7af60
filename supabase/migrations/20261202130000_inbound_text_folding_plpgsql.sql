/**
  * -------------------------------------------------------
  * Inbound messages with less database work: text folding
  * -------------------------------------------------------
  * The helpers that fold text run for every inbound message (the matcher,
  * the STOP/START check, the keyword labels) and for every stored message
  * and client (the search text columns). As `language sql` functions that
  * pin their search_path they are never inlined, and Postgres parses,
  * analyses and plans a non-inlined SQL function's body again on every
  * statement that calls it. For these short bodies that costs more than the
  * work itself: reading "a que hora abren?" took 0.63 ms, of which 0.17 ms
  * went to the spelling key, three quarters of that to planning its body.
  * PL/pgSQL keeps each body's plan for the whole session.
  *
  * Same names, arguments, results and volatility: every body below is the
  * one it replaces, word for word, inside `return`. The stored
  * spelling keys of the lexicon and the search text columns stay valid.
 */

/**
  * -------------------------------------------------------
  * Section - Folding and spelling keys
  * -------------------------------------------------------
 */

-- Lowercase, accents folded, punctuation and emoji to spaces, whitespace
-- collapsed and trimmed (see 20261126140000_faq_matcher.sql).
create or replace function private.normalize_text(p_text text)
    returns text
    language plpgsql
    immutable
    parallel safe
    set search_path = ''
as
$$
begin
    return pg_catalog.btrim(
            pg_catalog.regexp_replace(
                    pg_catalog.lower(
                            pg_catalog.regexp_replace(
                                    normalize(coalesce(p_text, ''), nfd),
                                    '[\u0300-\u036f]', '', 'g')),
                    '[^[:alnum:]]+', ' ', 'g'));
end;
$$;

-- The same folding for search (see 20261201200000_dashboard_inbox.sql); the
-- search text columns of clients and messages are generated with it.
create or replace function public.fold_for_search(p_text text)
    returns text
    language plpgsql
    immutable
    parallel safe
    set search_path = ''
as
$$
begin
    return pg_catalog.btrim(
            pg_catalog.regexp_replace(
                    pg_catalog.lower(
                            pg_catalog.regexp_replace(
                                    normalize(coalesce(p_text, ''), nfd),
                                    '[\u0300-\u036f]', '', 'g')),
                    '[^[:alnum:]]+', ' ', 'g'));
end;
$$;

-- The spelling-tolerant keys of a phrase's words (see
-- 20261201210000_faq_matcher_generalised.sql).
create or replace function private.faq_phrase_key(p_phrase text)
    returns text
    language plpgsql
    immutable
    parallel safe
    set search_path = ''
as
$$
begin
    -- Fixed strings by replace() and translate(), cheaper than regular expressions.
    return (
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
           );
end;
$$;

create or replace function private.faq_word_key(p_word text)
    returns text
    language plpgsql
    immutable
    parallel safe
    set search_path = ''
as
$$
begin
    return private.faq_phrase_key(p_word);
end;
$$;

/**
  * -------------------------------------------------------
  * Section - The pipeline's other one-statement helpers
  * -------------------------------------------------------
  * A new client and a fallback apply a built-in label; every status
  * callback ranks two statuses. Same bodies, in PL/pgSQL.
 */

create or replace function private.apply_builtin_label(p_owner_id uuid, p_client_id uuid, p_builtin text)
    returns void
    language plpgsql
    set search_path = ''
as
$$
begin
    insert into public.client_labels (client_id, label_id)
    select p_client_id, l.id
    from public.labels l
    where l.owner_id = p_owner_id
      and l.builtin = p_builtin
      and l.active
    on conflict do nothing;
end;
$$;

create or replace function private.message_status_rank(p_status text)
    returns integer
    language plpgsql
    immutable
    set search_path = ''
as
$$
begin
    return case p_status
               when 'queued' then 1
               when 'sending' then 2
               when 'sent' then 3
               when 'failed' then 4
               when 'undelivered' then 4
               when 'delivered' then 5
               when 'read' then 6
        end;
end;
$$;
