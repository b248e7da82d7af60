/*
 * ---------------------------------------------------------------------------
 * Local stand-in for the Supabase platform
 * ---------------------------------------------------------------------------
 *
 * On a hosted Supabase project these objects come with the platform. On a
 * plain PostgreSQL 15 (local development, tests, CI) this file creates the
 * parts our migrations rely on, with Supabase's names and signatures:
 *
 *   - roles anon, authenticated, service_role and authenticator
 *   - the auth schema: auth.users, auth.uid(), auth.role(), auth.jwt()
 *   - the extensions schema and the supabase_realtime publication
 *   - the realtime schema: realtime.messages, realtime.topic(),
 *     realtime.send() and realtime.broadcast_changes()
 *   - Supabase's default privileges on the public schema
 *
 * It is idempotent and never part of supabase/migrations.
 */

/*
 * ---------------------------------------------------------------------------
 * Roles
 * ---------------------------------------------------------------------------
 */
do
$$
    begin
        if not exists (select 1 from pg_roles where rolname = 'anon') then
            create role anon nologin noinherit;
        end if;
        if not exists (select 1 from pg_roles where rolname = 'authenticated') then
            create role authenticated nologin noinherit;
        end if;
        if not exists (select 1 from pg_roles where rolname = 'service_role') then
            create role service_role nologin noinherit bypassrls;
        end if;
        if not exists (select 1 from pg_roles where rolname = 'authenticator') then
            create role authenticator login noinherit;
        end if;
        if not exists (select 1 from pg_roles where rolname = 'supabase_admin') then
            create role supabase_admin nologin superuser;
        end if;
        if not exists (select 1 from pg_roles where rolname = 'supabase_auth_admin') then
            create role supabase_auth_admin nologin noinherit;
        end if;
        if not exists (select 1 from pg_roles where rolname = 'supabase_realtime_admin') then
            create role supabase_realtime_admin nologin noinherit;
        end if;
    end
$$;

grant anon, authenticated, service_role to authenticator;

/*
 * ---------------------------------------------------------------------------
 * Schemas and default privileges
 * ---------------------------------------------------------------------------
 */
create schema if not exists extensions;
create schema if not exists auth;
create schema if not exists realtime;

grant usage on schema public, extensions to anon, authenticated, service_role;
grant usage on schema auth, realtime to anon, authenticated, service_role;

-- Supabase grants table, sequence and function privileges on public to the API
-- roles by default; RLS and explicit revokes in migrations narrow them.
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;

create extension if not exists pgcrypto with schema extensions;
create extension if not exists "uuid-ossp" with schema extensions;

/*
 * ---------------------------------------------------------------------------
 * auth: the GoTrue tables and helpers the app uses
 * ---------------------------------------------------------------------------
 */
create table if not exists auth.users
(
    instance_id          uuid,
    id                   uuid        not null primary key,
    aud                  varchar(255),
    role                 varchar(255),
    email                varchar(255),
    encrypted_password   varchar(255),
    email_confirmed_at   timestamptz,
    last_sign_in_at      timestamptz,
    raw_app_meta_data    jsonb,
    raw_user_meta_data   jsonb,
    is_super_admin       boolean,
    created_at           timestamptz default now(),
    updated_at           timestamptz default now(),
    phone                text unique,
    phone_confirmed_at   timestamptz,
    banned_until         timestamptz,
    deleted_at           timestamptz,
    is_anonymous         boolean     not null default false
);

create unique index if not exists users_email_partial_key on auth.users (email) where email is not null;

create table if not exists auth.refresh_tokens
(
    id          bigserial primary key,
    token       varchar(255) unique,
    user_id     varchar(255),
    revoked     boolean,
    parent      varchar(255),
    session_id  uuid,
    created_at  timestamptz default now(),
    updated_at  timestamptz default now()
);

create index if not exists refresh_tokens_user_id_idx on auth.refresh_tokens (user_id);

create or replace function auth.uid() returns uuid
    language sql
    stable
    set search_path to ''
as
$$
select coalesce(
               nullif(current_setting('request.jwt.claim.sub', true), ''),
               (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
       )::uuid
$$;

create or replace function auth.role() returns text
    language sql
    stable
    set search_path to ''
as
$$
select coalesce(
               nullif(current_setting('request.jwt.claim.role', true), ''),
               (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
       )::text
$$;

create or replace function auth.jwt() returns jsonb
    language sql
    stable
    set search_path to ''
as
$$
select coalesce(
               nullif(current_setting('request.jwt.claim', true), ''),
               nullif(current_setting('request.jwt.claims', true), '')
       )::jsonb
$$;

grant execute on function auth.uid(), auth.role(), auth.jwt() to anon, authenticated, service_role;
grant all on auth.users, auth.refresh_tokens to service_role;

/*
 * ---------------------------------------------------------------------------
 * Realtime: broadcast from the database
 * ---------------------------------------------------------------------------
 */
do
$$
    begin
        if not exists (select 1 from pg_publication where pubname = 'supabase_realtime') then
            create publication supabase_realtime;
        end if;
    end
$$;

create table if not exists realtime.messages
(
    id          uuid      not null default gen_random_uuid(),
    topic       text      not null,
    extension   text      not null,
    payload     jsonb,
    event       text,
    private     boolean            default false,
    updated_at  timestamp not null default now(),
    inserted_at timestamp not null default now(),
    primary key (id, inserted_at)
);

create index if not exists messages_topic_inserted_at_idx on realtime.messages (topic, inserted_at);

alter table realtime.messages enable row level security;

grant select, insert on realtime.messages to authenticated;
grant all on realtime.messages to service_role;

create or replace function realtime.topic() returns text
    language sql
    stable
as
$$
select nullif(current_setting('realtime.topic', true), '')::text
$$;

grant execute on function realtime.topic() to anon, authenticated, service_role;

-- Stores a broadcast and wakes the local relay, which LISTENs on this channel.
create or replace function realtime.send(payload jsonb, event text, topic text, private boolean default true)
    returns void
    language plpgsql
    security definer
    set search_path = ''
as
$$
declare
    message_id   uuid := gen_random_uuid();
    message_time timestamp := now();
begin
    insert into realtime.messages (id, payload, event, topic, private, extension, inserted_at)
    values (message_id, send.payload, send.event, send.topic, send.private, 'broadcast', message_time);

    perform pg_notify(
            'realtime_broadcast',
            jsonb_build_object('id', message_id, 'inserted_at', message_time)::text
            );
exception
    when others then
        -- Like Supabase: a failed broadcast must never fail the caller's write.
        raise warning 'realtime.send failed: %', sqlerrm;
end;
$$;

create or replace function realtime.broadcast_changes(
    topic_name text,
    event_name text,
    operation text,
    table_name text,
    table_schema text,
    new record,
    old record,
    level text default 'ROW'
)
    returns void
    language plpgsql
    security definer
    set search_path = ''
as
$$
declare
    row_data     jsonb;
    old_row_data jsonb;
begin
    if level = 'STATEMENT' then
        raise exception 'function can only be triggered for each row, not for each statement';
    end if;
    if operation in ('INSERT', 'UPDATE') then
        row_data := to_jsonb(new);
    end if;
    if operation in ('UPDATE', 'DELETE') then
        old_row_data := to_jsonb(old);
    end if;
    perform realtime.send(
            jsonb_build_object(
                    'old_record', old_row_data,
                    'record', row_data,
                    'operation', operation,
                    'table', table_name,
                    'schema', table_schema
            ),
            event_name,
            topic_name
            );
end;
$$;

revoke all on function realtime.send(jsonb, text, text, boolean) from public;
revoke all on function realtime.broadcast_changes(text, text, text, text, text, record, record, text) from public;
grant execute on function realtime.send(jsonb, text, text, boolean) to service_role;
grant execute on function realtime.broadcast_changes(text, text, text, text, text, record, record, text) to service_role;
