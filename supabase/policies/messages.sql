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
