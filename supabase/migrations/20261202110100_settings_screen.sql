/**
  * -------------------------------------------------------
  * The dashboard's settings screen
  * -------------------------------------------------------
  * Owners edit their business row (users) with plain PostgREST updates under
  * RLS and the column grants. What the screen needed from the database:
  *
  *   - public.time_zone_names(): the time zones the database knows, for the
  *     screen's searchable list;
  *   - users.timezone accepts exactly those names. Before, any string that
  *     Postgres could read as a zone passed, POSIX rules such as "foo+3"
  *     included, which browsers reject;
  *
  * Already in place and kept: the fallback throttle users.fallback_window
  * (0 to 7 days, users_fallback_window_check), and business hours with several
  * ranges per day and ranges that cross midnight (users_check_business_hours,
  * private.is_open, 20261201190000_replies_in_twiml.sql).
 */

/**
  * -------------------------------------------------------
  * Section - The time zones owners may choose
  * -------------------------------------------------------
  * pg_timezone_names without the posix/ and right/ copies of each zone (the
  * same zones under other rules, unknown to browsers).
 */
create or replace function public.time_zone_names()
    returns setof text
    language plpgsql
    stable
    security invoker
    set search_path = ''
as
$$
begin
    return query
        select z.name
        from pg_catalog.pg_timezone_names z
        where z.name !~ '^(posix|right)/'
        order by z.name;
end;
$$;

comment on function public.time_zone_names() is
    'The IANA time zone names a business may use, as this database knows them.';

revoke all on function public.time_zone_names() from public, anon, authenticated, service_role;
grant execute on function public.time_zone_names() to authenticated;

/*
 * users.timezone: one of those names, spelt as the database spells it. Runs
 * as the caller (pg_timezone_names is readable by everyone). Rows from before
 * keep their zone until it changes.
 */
create or replace function private.check_user_timezone()
    returns trigger
    language plpgsql
    set search_path = ''
as
$$
begin
    -- pg_timezone_names reads every zone file (about 25 ms): only a new value is looked up.
    -- New businesses start with the column's default, one of the names.
    if (tg_op = 'UPDATE' and new.timezone is not distinct from old.timezone)
        or (tg_op = 'INSERT' and new.timezone = 'America/Mexico_City') then
        return new;
    end if;
    if new.timezone is null
        or new.timezone ~ '^(posix|right)/'
        or not exists (select 1 from pg_catalog.pg_timezone_names z where z.name = new.timezone) then
        raise exception 'unknown time zone: %', coalesce(new.timezone, 'null')
            using errcode = '22023', hint = 'Use an IANA name such as America/Mexico_City.';
    end if;
    return new;
end;
$$;

revoke all on function private.check_user_timezone() from public, anon, authenticated;
