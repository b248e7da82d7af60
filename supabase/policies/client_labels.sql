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
