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
 *   - GoTrue's state for the local Auth stand-in: auth.refresh_tokens,
 *     auth.sessions, auth.mfa_amr_claims, auth.identities, auth.flow_state
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
-- Supabase grants table, sequence and function privileges on public to the API
-- roles by default; RLS and explicit revokes in migrations narrow them. The
-- platform sets them once, when the project is created: loading this file
-- again must not undo what a migration has since revoked.
do
$$
    begin
        if not exists (select 1 from pg_namespace where nspname = 'auth') then
            alter default privileges in schema public
                grant all on tables to anon, authenticated, service_role;
            alter default privileges in schema public
                grant all on sequences to anon, authenticated, service_role;
            alter default privileges in schema public
                grant all on functions to anon, authenticated, service_role;
        end if;
    end
$$;

create schema if not exists extensions;
create schema if not exists auth;
create schema if not exists realtime;

grant usage on schema public, extensions to anon, authenticated, service_role;
grant usage on schema auth, realtime to anon, authenticated, service_role;

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

/*
 * ---------------------------------------------------------------------------
 * auth: what the local Auth stand-in (devstack/auth.py) keeps, as GoTrue does
 * ---------------------------------------------------------------------------
 * Sessions, identities, PKCE flow states and the AMR claims of a session, with
 * the names and types of Supabase's auth schema. The token columns of
 * auth.users default to '' so that rows inserted by hand (the seed, tests)
 * are also readable by the real GoTrue, which cannot scan NULL into them.
 */
do
$$
    begin
        if not exists (select 1
                       from pg_type t
                                join pg_namespace n on n.oid = t.typnamespace
                       where n.nspname = 'auth'
                         and t.typname = 'aal_level') then
            create type auth.aal_level as enum ('aal1', 'aal2', 'aal3');
        end if;
        if not exists (select 1
                       from pg_type t
                                join pg_namespace n on n.oid = t.typnamespace
                       where n.nspname = 'auth'
                         and t.typname = 'code_challenge_method') then
            create type auth.code_challenge_method as enum ('s256', 'plain');
        end if;
    end
$$;

alter table auth.users
    add column if not exists confirmation_token          varchar(255) default '',
    add column if not exists confirmation_sent_at        timestamptz,
    add column if not exists recovery_token              varchar(255) default '',
    add column if not exists recovery_sent_at            timestamptz,
    add column if not exists email_change_token_new      varchar(255) default '',
    add column if not exists email_change                varchar(255) default '',
    add column if not exists email_change_sent_at        timestamptz,
    add column if not exists email_change_token_current  varchar(255) default '',
    add column if not exists email_change_confirm_status smallint     default 0
        check (email_change_confirm_status >= 0 and email_change_confirm_status <= 2),
    add column if not exists invited_at                  timestamptz,
    add column if not exists phone_change                text         default '',
    add column if not exists phone_change_token          varchar(255) default '',
    add column if not exists phone_change_sent_at        timestamptz,
    add column if not exists reauthentication_token      varchar(255) default '',
    add column if not exists reauthentication_sent_at    timestamptz,
    add column if not exists is_sso_user                 boolean      not null default false,
    add column if not exists confirmed_at                timestamptz
        generated always as (least(email_confirmed_at, phone_confirmed_at)) stored;

create table if not exists auth.sessions
(
    id           uuid not null primary key,
    user_id      uuid not null references auth.users (id) on delete cascade,
    created_at   timestamptz,
    updated_at   timestamptz,
    factor_id    uuid,
    aal          auth.aal_level,
    not_after    timestamptz,
    refreshed_at timestamp,
    user_agent   text,
    ip           inet,
    tag          text
);

create index if not exists sessions_user_id_idx on auth.sessions (user_id);
create index if not exists user_id_created_at_idx on auth.sessions (user_id, created_at);
create index if not exists sessions_not_after_idx on auth.sessions (not_after desc);

-- How each session was authenticated: the `amr` claim of its access tokens.
create table if not exists auth.mfa_amr_claims
(
    session_id            uuid        not null references auth.sessions (id) on delete cascade,
    created_at            timestamptz not null,
    updated_at            timestamptz not null,
    authentication_method text        not null,
    id                    uuid        not null,
    constraint amr_id_pk primary key (id),
    constraint mfa_amr_claims_session_id_authentication_method_pkey unique (session_id, authentication_method)
);

-- A refresh token lives and dies with its session (signing out deletes the session).
alter table auth.refresh_tokens
    add column if not exists instance_id uuid;

do
$$
    begin
        if not exists (select 1
                       from pg_constraint
                       where conname = 'refresh_tokens_session_id_fkey'
                         and conrelid = 'auth.refresh_tokens'::regclass) then
            -- not valid: rows written before sessions existed are left unchecked.
            alter table auth.refresh_tokens
                add constraint refresh_tokens_session_id_fkey
                    foreign key (session_id) references auth.sessions (id) on delete cascade not valid;
        end if;
    end
$$;

create index if not exists refresh_tokens_instance_id_user_id_idx on auth.refresh_tokens (instance_id, user_id);
create index if not exists refresh_tokens_parent_idx on auth.refresh_tokens (parent);
create index if not exists refresh_tokens_session_id_revoked_idx on auth.refresh_tokens (session_id, revoked);

create table if not exists auth.identities
(
    provider_id     text  not null,
    user_id         uuid  not null references auth.users (id) on delete cascade,
    identity_data   jsonb not null,
    provider        text  not null,
    last_sign_in_at timestamptz,
    created_at      timestamptz,
    updated_at      timestamptz,
    email           text generated always as (lower(identity_data ->> 'email')) stored,
    id              uuid  not null default gen_random_uuid() primary key,
    constraint identities_provider_id_provider_unique unique (provider_id, provider)
);

create index if not exists identities_user_id_idx on auth.identities (user_id);
create index if not exists identities_email_idx on auth.identities (email text_pattern_ops);

-- PKCE: the code challenge of an OAuth sign-in until its auth code is exchanged.
create table if not exists auth.flow_state
(
    id                     uuid                       not null primary key,
    user_id                uuid,
    auth_code              text                       not null,
    code_challenge_method  auth.code_challenge_method not null,
    code_challenge         text                       not null,
    provider_type          text                       not null,
    provider_access_token  text,
    provider_refresh_token text,
    created_at             timestamptz,
    updated_at             timestamptz,
    authentication_method  text                       not null,
    auth_code_issued_at    timestamptz
);

create index if not exists idx_auth_code on auth.flow_state (auth_code);
create index if not exists idx_user_id_auth_method on auth.flow_state (user_id, authentication_method);
create index if not exists flow_state_created_at_idx on auth.flow_state (created_at desc);

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
