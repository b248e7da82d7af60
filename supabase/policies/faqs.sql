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
