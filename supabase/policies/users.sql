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
