/**
  * -------------------------------------------------------
  * Section - Users
  * -------------------------------------------------------
  * One row per business owner, mirroring auth.users. The row is created by a
  * trigger on auth.users; the owner edits the business settings.
 */
create table if not exists public.users
(
    id               uuid primary key references auth.users (id) on delete cascade,
    email            text,
    full_name        text check (char_length(full_name) <= 200),
    business_name    text check (char_length(business_name) <= 200),
    -- Twilio's To number routes an inbound message to its business.
    whatsapp_number  public.phone_e164 unique,
    fallback_message text        not null
        default 'Gracias por escribirnos. En breve te respondemos.'
        check (char_length(fallback_message) between 1 and 1600),
    -- Sent instead of the fallback outside business hours, when set.
    away_message     text check (char_length(away_message) between 1 and 1600),
    timezone         text        not null default 'America/Mexico_City',
    -- {"mon": [["09:00", "18:00"]], "tue": [...], ...}; empty means always open.
    business_hours   jsonb       not null default '{}'::jsonb
        check (jsonb_typeof(business_hours) = 'object'),
    -- At most one fallback reply per client within this window.
    fallback_window  interval    not null default interval '12 hours'
        check (fallback_window between interval '0' and interval '7 days'),
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now()
);

comment on table public.users is 'A business owner: one per auth user, with the business''s WhatsApp settings.';

create or replace function private.check_user_timezone()
    returns trigger
    language plpgsql
    set search_path = ''
as
$$
begin
    -- Asking Postgres to convert is cheaper than scanning pg_timezone_names.
    perform pg_catalog.timezone(new.timezone, pg_catalog.now());
    return new;
exception
    when invalid_parameter_value then
        raise exception 'unknown time zone: %', new.timezone
            using errcode = '22023', hint = 'Use an IANA name such as America/Mexico_City.';
end;
$$;

revoke all on function private.check_user_timezone() from public, anon, authenticated;

drop trigger if exists users_check_timezone on public.users;
create trigger users_check_timezone
    before insert or update of timezone
    on public.users
    for each row
execute function private.check_user_timezone();

drop trigger if exists users_set_updated_at on public.users;
create trigger users_set_updated_at
    before update
    on public.users
    for each row
execute function private.set_updated_at();

/**
  * -------------------------------------------------------
  * Section - auth.users mirror
  * -------------------------------------------------------
  * Signing up creates the business's public.users row; an email change is
  * copied across. Deleting the auth user cascades through public.users.
 */
create or replace function private.handle_auth_user_change()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as
$$
begin
    if tg_op = 'INSERT' then
        insert into public.users (id, email, full_name)
        values (new.id,
                new.email,
                coalesce(new.raw_user_meta_data ->> 'full_name', new.raw_user_meta_data ->> 'name'))
        on conflict (id) do nothing;
    elsif new.email is distinct from old.email then
        update public.users set email = new.email where id = new.id;
    end if;
    return new;
end;
$$;

revoke all on function private.handle_auth_user_change() from public, anon, authenticated;

drop trigger if exists on_auth_user_created on auth.users;
create trigger on_auth_user_created
    after insert
    on auth.users
    for each row
execute function private.handle_auth_user_change();

drop trigger if exists on_auth_user_email_changed on auth.users;
create trigger on_auth_user_email_changed
    after update of email
    on auth.users
    for each row
execute function private.handle_auth_user_change();

/**
  * -------------------------------------------------------
  * Section - Clients
  * -------------------------------------------------------
  * The business's customers, one per (owner, phone). Archived by status.
 */
create table if not exists public.clients
(
    id              uuid primary key     default gen_random_uuid(),
    owner_id        uuid        not null default auth.uid() references public.users (id) on delete cascade,
    phone           public.phone_e164 not null,
    name            text check (char_length(name) <= 200),
    status          text        not null default 'active' check (status in ('active', 'archived')),
    -- The customer asked for no automatic replies (STOP, BAJA, SAIR...).
    opted_out       boolean     not null default false,
    opted_out_at    timestamptz,
    last_message_at timestamptz,
    -- Inbound messages since the owner last opened the conversation.
    unread_count    integer     not null default 0 check (unread_count >= 0),
    last_read_at    timestamptz,
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    constraint clients_owner_id_phone_key unique (owner_id, phone),
    -- Target of the composite foreign keys that keep rows in one tenant.
    constraint clients_owner_id_id_key unique (owner_id, id)
);

comment on table public.clients is 'A customer who wrote to a business; unique per owner and phone.';

create index if not exists clients_owner_id_last_message_at_idx
    on public.clients (owner_id, last_message_at desc nulls last);
create index if not exists clients_owner_id_status_idx on public.clients (owner_id, status);

drop trigger if exists clients_set_updated_at on public.clients;
create trigger clients_set_updated_at
    before update
    on public.clients
    for each row
execute function private.set_updated_at();

/**
  * -------------------------------------------------------
  * Section - Labels
  * -------------------------------------------------------
  * Manual labels are applied by the owner; auto labels by rules when an
  * inbound message is stored (keywords, or a built-in state).
 */
create table if not exists public.labels
(
    id         uuid primary key     default gen_random_uuid(),
    owner_id   uuid        not null default auth.uid() references public.users (id) on delete cascade,
    name       text        not null check (char_length(name) between 1 and 50),
    color      text        not null default '#64748b' check (color ~ '^#[0-9a-fA-F]{6}$'),
    type       text        not null default 'manual' check (type in ('manual', 'auto')),
    -- For auto labels: any of these words in an inbound message applies the label.
    keywords   text[]      not null default '{}',
    -- For the built-in auto labels the product manages itself.
    builtin    text check (builtin in ('new_client', 'needs_attention')),
    active     boolean     not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint labels_owner_id_name_key unique (owner_id, name),
    constraint labels_owner_id_builtin_key unique (owner_id, builtin),
    constraint labels_owner_id_id_key unique (owner_id, id),
    constraint labels_builtin_is_auto check (builtin is null or type = 'auto'),
    constraint labels_keywords_only_on_auto check (type = 'auto' or cardinality(keywords) = 0)
);

comment on table public.labels is 'A label a business puts on clients, by hand (manual) or by rule (auto).';

drop trigger if exists labels_set_updated_at on public.labels;
create trigger labels_set_updated_at
    before update
    on public.labels
    for each row
execute function private.set_updated_at();

/**
  * -------------------------------------------------------
  * Section - Client labels
  * -------------------------------------------------------
  * Which labels a client carries. Reached through its client; the client and
  * the label must belong to the same business.
 */
create table if not exists public.client_labels
(
    client_id  uuid        not null references public.clients (id) on delete cascade,
    label_id   uuid        not null references public.labels (id) on delete cascade,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (client_id, label_id)
);

comment on table public.client_labels is 'A label applied to a client; both belong to the same business.';

create index if not exists client_labels_label_id_idx on public.client_labels (label_id);

-- Security definer: it must see both rows whatever the caller's RLS allows.
create or replace function private.check_client_label_tenant()
    returns trigger
    language plpgsql
    security definer
    set search_path = ''
as
$$
begin
    if not exists (select 1
                   from public.clients c
                            join public.labels l on l.owner_id = c.owner_id
                   where c.id = new.client_id
                     and l.id = new.label_id) then
        raise exception 'client and label belong to different businesses'
            using errcode = '23514';
    end if;
    return null;
end;
$$;

revoke all on function private.check_client_label_tenant() from public, anon, authenticated;

drop trigger if exists client_labels_check_tenant on public.client_labels;
-- After, not before: RLS refuses a foreign caller first, so the error reveals nothing.
create trigger client_labels_check_tenant
    after insert or update
    on public.client_labels
    for each row
execute function private.check_client_label_tenant();

drop trigger if exists client_labels_set_updated_at on public.client_labels;
create trigger client_labels_set_updated_at
    before update
    on public.client_labels
    for each row
execute function private.set_updated_at();

/**
  * -------------------------------------------------------
  * Section - FAQs
  * -------------------------------------------------------
 */
create table if not exists public.faqs
(
    id         uuid primary key     default gen_random_uuid(),
    owner_id   uuid        not null default auth.uid() references public.users (id) on delete cascade,
    question   text        not null check (char_length(btrim(question)) between 1 and 500),
    answer     text        not null check (char_length(btrim(answer)) between 1 and 1600),
    -- Extra words customers use for this question, to help the matcher.
    keywords   text[]      not null default '{}',
    active     boolean     not null default true,
    position   integer     not null default 0,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint faqs_owner_id_id_key unique (owner_id, id)
);

comment on table public.faqs is 'A question a business answers automatically, with its answer.';

create index if not exists faqs_owner_id_active_idx on public.faqs (owner_id, active);

drop trigger if exists faqs_set_updated_at on public.faqs;
create trigger faqs_set_updated_at
    before update
    on public.faqs
    for each row
execute function private.set_updated_at();

/**
  * -------------------------------------------------------
  * Section - Messages
  * -------------------------------------------------------
  * Every WhatsApp message in and out. Outbound rows are written as queued
  * before Twilio is called (the outbox), then move through Twilio's statuses.
 */
create table if not exists public.messages
(
    id                uuid primary key     default gen_random_uuid(),
    owner_id          uuid        not null default auth.uid() references public.users (id) on delete cascade,
    client_id         uuid        not null,
    direction         text        not null check (direction in ('inbound', 'outbound')),
    body              text        not null default '' check (char_length(body) <= 4096),
    -- [{"url": ..., "content_type": ...}], or a location {"latitude": ..., "longitude": ...}.
    media             jsonb       not null default '[]'::jsonb check (jsonb_typeof(media) = 'array'),
    status            text        not null check (status in ('received', 'queued', 'sending', 'sent',
                                                              'delivered', 'read', 'failed', 'undelivered')),
    twilio_message_id text unique,
    error_code        text,
    error             text check (char_length(error) <= 2000),
    -- Why an outbound message was sent: the FAQ that answered, or another kind of reply.
    reply_kind        text check (reply_kind in ('faq', 'fallback', 'away', 'opt_out', 'opt_in', 'manual')),
    faq_id            uuid,
    in_reply_to       uuid references public.messages (id) on delete set null,
    attempts          integer     not null default 0 check (attempts >= 0),
    next_attempt_at   timestamptz,
    created_at        timestamptz not null default now(),
    updated_at        timestamptz not null default now(),
    constraint messages_client_fkey foreign key (owner_id, client_id)
        references public.clients (owner_id, id) on delete cascade,
    constraint messages_faq_fkey foreign key (owner_id, faq_id)
        references public.faqs (owner_id, id) on delete set null (faq_id),
    constraint messages_not_empty check (body <> '' or jsonb_array_length(media) > 0),
    constraint messages_inbound_is_received check ((direction = 'inbound') = (status = 'received')),
    constraint messages_reply_kind_is_outbound check (reply_kind is null or direction = 'outbound'),
    constraint messages_faq_only_on_faq_reply check (faq_id is null or reply_kind is not distinct from 'faq')
);

comment on table public.messages is 'A WhatsApp message between a business and one of its clients.';

create index if not exists messages_owner_id_client_id_created_at_idx
    on public.messages (owner_id, client_id, created_at desc);
create index if not exists messages_owner_id_created_at_idx
    on public.messages (owner_id, created_at desc);
create index if not exists messages_owner_id_faq_id_idx
    on public.messages (owner_id, faq_id) where faq_id is not null;
create index if not exists messages_in_reply_to_idx
    on public.messages (in_reply_to) where in_reply_to is not null;
-- The outbox: replies still to be sent or retried.
create index if not exists messages_outbox_idx
    on public.messages (next_attempt_at)
    where direction = 'outbound' and status in ('queued', 'failed');

drop trigger if exists messages_set_updated_at on public.messages;
create trigger messages_set_updated_at
    before update
    on public.messages
    for each row
execute function private.set_updated_at();

/**
  * -------------------------------------------------------
  * Section - Privileges
  * -------------------------------------------------------
  * RLS decides which rows; these grants decide which operations. anon keeps
  * only select, which RLS answers with nothing. TRUNCATE bypasses RLS, so no
  * API role but service_role has it.
 */
revoke all on table public.users, public.clients, public.labels, public.client_labels,
    public.faqs, public.messages from anon, authenticated;

grant select on table public.users, public.clients, public.labels, public.client_labels,
    public.faqs, public.messages to anon;

grant select on table public.users to authenticated;
grant update (full_name, business_name, whatsapp_number, fallback_message, away_message,
              timezone, business_hours, fallback_window) on table public.users to authenticated;

grant select, insert, delete on table public.clients to authenticated;
grant update (name, status, unread_count, last_read_at) on table public.clients to authenticated;

grant select, insert, update, delete on table public.labels to authenticated;
grant select, insert, delete on table public.client_labels to authenticated;
grant select, insert, update, delete on table public.faqs to authenticated;

-- Messages are written by the webhook (service_role); the owner reads them.
grant select on table public.messages to authenticated;

grant all on table public.users, public.clients, public.labels, public.client_labels,
    public.faqs, public.messages to service_role;
