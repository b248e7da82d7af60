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
