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
