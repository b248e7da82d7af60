/**
  * -------------------------------------------------------
  * The dashboard's labels screen
  * -------------------------------------------------------
  * Owners create, rename, recolour, deactivate and delete their labels with
  * plain PostgREST writes under RLS. The database keeps the rules that the
  * screen shows:
  *
  *   - the built-in labels ("Cliente nuevo", "Requiere atención") may be
  *     renamed and deactivated, never deleted, and a label never becomes or
  *     stops being built-in: the pipeline finds them by labels.builtin, not
  *     by name, so a rename keeps them working;
  *   - a keyword rule is stored tidy: each keyword trimmed, repeated spaces
  *     collapsed, repeats (as the matcher folds them) dropped; a keyword with
  *     no letter or digit would never match and is refused;
  *   - public.label_client_counts() says how many clients carry each label,
  *     in one grouped query under RLS.
 */

/**
  * -------------------------------------------------------
  * Section - Built-in labels carry no keyword rule
  * -------------------------------------------------------
  * The pipeline applies them by state (a new client, a fallback sent), and
  * private.apply_keyword_labels skips them; keywords there would do nothing.
 */
update public.labels set keywords = '{}' where builtin is not null and cardinality(keywords) > 0;

alter table public.labels drop constraint if exists labels_builtin_has_no_keywords;
alter table public.labels
    add constraint labels_builtin_has_no_keywords check (builtin is null or cardinality(keywords) = 0);

/**
  * -------------------------------------------------------
  * Section - The labels trigger
  * -------------------------------------------------------
  * Security invoker: it reads only the caller's own business row (RLS lets an
  * owner see it) and folds with public.fold_for_search, which owners may
  * execute and which folds exactly as private.normalize_text, the folding of
  * private.apply_keyword_labels.
 */
create or replace function private.check_label_change()
    returns trigger
    language plpgsql
    set search_path = ''
as
$$
declare
    max_keywords       constant integer := 30;
    max_keyword_length constant integer := 60;
    keyword            text;
    tidy               text;
    folded             text;
    seen               text[] := '{}'::text[];
    kept               text[] := '{}'::text[];
begin
    if tg_op = 'DELETE' then
        -- Deleting the business deletes its built-in labels with it: its row is gone by then.
        if old.builtin is not null
            and exists (select 1 from public.users u where u.id = old.owner_id) then
            raise exception 'built-in label "%" cannot be deleted', old.name
                using errcode = '42501',
                    detail = 'builtin: ' || old.builtin,
                    hint = 'Rename or deactivate it instead.';
        end if;
        return old;
    end if;

    if tg_op = 'UPDATE' and new.builtin is distinct from old.builtin then
        raise exception 'a label cannot become or stop being built-in'
            using errcode = '42501';
    end if;

    new.name := pg_catalog.btrim(pg_catalog.regexp_replace(new.name, '\s+', ' ', 'g'));

    if new.keywords is null then
        return new;
    end if;
    foreach keyword in array new.keywords
        loop
            tidy := pg_catalog.btrim(pg_catalog.regexp_replace(coalesce(keyword, ''), '\s+', ' ', 'g'));
            folded := public.fold_for_search(tidy);
            if folded = '' then
                raise exception 'keyword "%" has no letter or digit, so it would never match', tidy
                    using errcode = '23514',
                        hint = 'Write the word the way customers write it, e.g. "factura".';
            end if;
            if pg_catalog.char_length(tidy) > max_keyword_length then
                raise exception 'keyword "%" is longer than % characters', pg_catalog.left(tidy, 80),
                    max_keyword_length
                    using errcode = '23514';
            end if;
            if not folded = any (seen) then
                seen := seen || folded;
                kept := kept || tidy;
            end if;
        end loop;
    if cardinality(kept) > max_keywords then
        raise exception 'a label has at most % keywords, not %', max_keywords, cardinality(kept)
            using errcode = '23514';
    end if;
    new.keywords := kept;
    return new;
end;
$$;

revoke all on function private.check_label_change() from public, anon, authenticated;

drop trigger if exists labels_check_change on public.labels;
create trigger labels_check_change
    before insert or update or delete
    on public.labels
    for each row
execute function private.check_label_change();

/**
  * -------------------------------------------------------
  * Section - label_client_counts
  * -------------------------------------------------------
  * Every label of the caller's business with how many of its clients carry
  * it, and how many of those are active (the inbox's filter shows those).
  * One grouped query; RLS keeps it to the caller's own labels and clients.
 */
create or replace function public.label_client_counts()
    returns table
            (
                label_id       uuid,
                clients        bigint,
                active_clients bigint
            )
    language plpgsql
    stable
    security invoker
    set search_path = ''
as
$$
begin
    return query
        select l.id,
               count(c.id),
               count(c.id) filter (where c.status = 'active')
        from public.labels l
                 left join public.client_labels cl on cl.label_id = l.id
                 left join public.clients c on c.id = cl.client_id
        where l.owner_id = (select auth.uid())
        group by l.id;
end;
$$;

comment on function public.label_client_counts() is
    'How many of the caller''s clients carry each of their labels (all, and active).';

revoke all on function public.label_client_counts() from public, anon, authenticated, service_role;
grant execute on function public.label_client_counts() to authenticated;
