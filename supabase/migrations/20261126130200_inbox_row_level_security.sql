/**
  * -------------------------------------------------------
  * Row level security for the inbox tables
  * -------------------------------------------------------
  * The readable source is supabase/policies/<table>.sql; this migration
  * applies it. A test fails when the two disagree.
 */

/**
  * -------------------------------------------------------
  * Row level security - public.users
  * -------------------------------------------------------
  * An owner sees and edits only their own business row. Rows are created by
  * the auth.users trigger and removed with the auth user, never by the API.
 */
alter table public.users enable row level security;

drop policy if exists "Owners can view their own business" on public.users;
create policy "Owners can view their own business" on public.users
    for select
    to authenticated
    using (id = (select auth.uid()));

drop policy if exists "Owners can edit their own business" on public.users;
create policy "Owners can edit their own business" on public.users
    for update
    to authenticated
    using (id = (select auth.uid()))
    with check (id = (select auth.uid()));

/**
  * -------------------------------------------------------
  * Row level security - public.clients
  * -------------------------------------------------------
  * An owner works only with their own clients.
 */
alter table public.clients enable row level security;

drop policy if exists "Owners can view their own clients" on public.clients;
create policy "Owners can view their own clients" on public.clients
    for select
    to authenticated
    using (owner_id = (select auth.uid()));

drop policy if exists "Owners can add clients to their own business" on public.clients;
create policy "Owners can add clients to their own business" on public.clients
    for insert
    to authenticated
    with check (owner_id = (select auth.uid()));

drop policy if exists "Owners can edit their own clients" on public.clients;
create policy "Owners can edit their own clients" on public.clients
    for update
    to authenticated
    using (owner_id = (select auth.uid()))
    with check (owner_id = (select auth.uid()));

drop policy if exists "Owners can delete their own clients" on public.clients;
create policy "Owners can delete their own clients" on public.clients
    for delete
    to authenticated
    using (owner_id = (select auth.uid()));

/**
  * -------------------------------------------------------
  * Row level security - public.labels
  * -------------------------------------------------------
  * An owner works only with their own labels.
 */
alter table public.labels enable row level security;

drop policy if exists "Owners can view their own labels" on public.labels;
create policy "Owners can view their own labels" on public.labels
    for select
    to authenticated
    using (owner_id = (select auth.uid()));

drop policy if exists "Owners can add labels to their own business" on public.labels;
create policy "Owners can add labels to their own business" on public.labels
    for insert
    to authenticated
    with check (owner_id = (select auth.uid()));

drop policy if exists "Owners can edit their own labels" on public.labels;
create policy "Owners can edit their own labels" on public.labels
    for update
    to authenticated
    using (owner_id = (select auth.uid()))
    with check (owner_id = (select auth.uid()));

drop policy if exists "Owners can delete their own labels" on public.labels;
create policy "Owners can delete their own labels" on public.labels
    for delete
    to authenticated
    using (owner_id = (select auth.uid()));

/**
  * -------------------------------------------------------
  * Row level security - public.client_labels
  * -------------------------------------------------------
  * Reached through its client: an owner sees the labels of their own clients,
  * and may only join their own client to their own label.
 */
alter table public.client_labels enable row level security;

drop policy if exists "Owners can view the labels of their own clients" on public.client_labels;
create policy "Owners can view the labels of their own clients" on public.client_labels
    for select
    to authenticated
    using (exists (select 1
                   from public.clients c
                   where c.id = client_id
                     and c.owner_id = (select auth.uid())));

drop policy if exists "Owners can label their own clients with their own labels" on public.client_labels;
create policy "Owners can label their own clients with their own labels" on public.client_labels
    for insert
    to authenticated
    with check (exists (select 1
                        from public.clients c
                        where c.id = client_id
                          and c.owner_id = (select auth.uid()))
                and exists (select 1
                            from public.labels l
                            where l.id = label_id
                              and l.owner_id = (select auth.uid())));

drop policy if exists "Owners can remove labels from their own clients" on public.client_labels;
create policy "Owners can remove labels from their own clients" on public.client_labels
    for delete
    to authenticated
    using (exists (select 1
                   from public.clients c
                   where c.id = client_id
                     and c.owner_id = (select auth.uid())));

/**
  * -------------------------------------------------------
  * Row level security - public.faqs
  * -------------------------------------------------------
  * An owner works only with their own FAQs.
 */
alter table public.faqs enable row level security;

drop policy if exists "Owners can view their own FAQs" on public.faqs;
create policy "Owners can view their own FAQs" on public.faqs
    for select
    to authenticated
    using (owner_id = (select auth.uid()));

drop policy if exists "Owners can add FAQs to their own business" on public.faqs;
create policy "Owners can add FAQs to their own business" on public.faqs
    for insert
    to authenticated
    with check (owner_id = (select auth.uid()));

drop policy if exists "Owners can edit their own FAQs" on public.faqs;
create policy "Owners can edit their own FAQs" on public.faqs
    for update
    to authenticated
    using (owner_id = (select auth.uid()))
    with check (owner_id = (select auth.uid()));

drop policy if exists "Owners can delete their own FAQs" on public.faqs;
create policy "Owners can delete their own FAQs" on public.faqs
    for delete
    to authenticated
    using (owner_id = (select auth.uid()));

/**
  * -------------------------------------------------------
  * Row level security - public.messages
  * -------------------------------------------------------
  * An owner reads their own conversations. Messages are written only by the
  * webhook with the service role, so the API grants no writes to owners.
 */
alter table public.messages enable row level security;

drop policy if exists "Owners can view their own messages" on public.messages;
create policy "Owners can view their own messages" on public.messages
    for select
    to authenticated
    using (owner_id = (select auth.uid()));

