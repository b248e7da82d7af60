/**
  * -------------------------------------------------------
  * Section - Extensions
  * -------------------------------------------------------
  * pg_trgm gives the FAQ matcher its typo tolerance. It lives in the
  * extensions schema, as on Supabase, so it is not exposed through the API.
 */
create extension if not exists pg_trgm with schema extensions;

/**
  * -------------------------------------------------------
  * Section - Private schema
  * -------------------------------------------------------
  * Helpers and security-definer functions live here. PostgREST exposes only
  * public, so nothing in private is reachable through the API.
 */
create schema if not exists private;

revoke all on schema private from public;
revoke all on schema private from anon, authenticated;
grant usage on schema private to service_role;

-- New functions are executable only where a migration grants it. This must be
-- the global default: a per-schema default cannot take away PUBLIC's EXECUTE.
alter default privileges revoke execute on functions from public;

/**
  * -------------------------------------------------------
  * Section - Shared trigger functions
  * -------------------------------------------------------
 */

-- Keeps updated_at honest whatever the client sends.
create or replace function private.set_updated_at()
    returns trigger
    language plpgsql
    set search_path = ''
as
$$
begin
    new.updated_at := now();
    return new;
end;
$$;

revoke all on function private.set_updated_at() from public, anon, authenticated;

-- A phone number in E.164: a plus sign and 7 to 15 digits, no leading zero.
do
$$
    begin
        if not exists (select 1
                       from pg_type t
                                join pg_namespace n on n.oid = t.typnamespace
                       where n.nspname = 'public'
                         and t.typname = 'phone_e164') then
            create domain public.phone_e164 as text
                check (value ~ '^\+[1-9][0-9]{6,14}$');
        end if;
    end
$$;

comment on domain public.phone_e164 is 'A phone number in E.164 format, e.g. +5213312345678.';
