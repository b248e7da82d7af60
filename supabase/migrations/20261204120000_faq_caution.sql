/**
  * -------------------------------------------------------
  * Section - How sure the FAQ matcher must be, chosen by the owner
  * -------------------------------------------------------
  * users.faq_caution: 'balanced' (the default, as before: an FAQ is sent from
  * a score of 0.5) or 'cautious' (from 0.75). On businesses the matcher was
  * not developed on, cautious answers fewer messages right (about 0.64
  * against 0.74) and far fewer wrongly (about 0.03 against 0.08): for an
  * owner to whom a wrong answer costs more than a late one
  * (docs/architecture.md, "FAQ matching").
  *
  * private.faq_decision_rule is the one place that turns the setting into
  * the score and the lead over the runner-up an answer needs. match_faq (the
  * webhook's decision) and test_faq_match (the dashboard's tester) both read
  * it, so the tester never words a decision the webhook would not take.
 */

alter table public.users
    add column if not exists faq_caution text not null default 'balanced';

do
$$
    begin
        if not exists (select 1
                       from pg_catalog.pg_constraint
                       where conname = 'users_faq_caution_check'
                         and conrelid = 'public.users'::regclass) then
            alter table public.users
                add constraint users_faq_caution_check check (faq_caution in ('balanced', 'cautious'));
        end if;
    end
$$;

comment on column public.users.faq_caution is
    'How sure the FAQ matcher must be to answer: balanced (from a score of 0.5) or cautious (from 0.75).';

-- The owner chooses it in the dashboard's settings (RLS: their own row only).
grant update (faq_caution) on table public.users to authenticated;

create or replace function private.faq_decision_rule(p_owner_id uuid, out required_score real, out margin real)
    language plpgsql
    stable
    set search_path = ''
as
$$
begin
    select case u.faq_caution when 'cautious' then 0.75 else 0.50 end
    into required_score
    from public.users u
    where u.id = p_owner_id;
    required_score := coalesce(required_score, 0.50);
    -- Two FAQs this close are two readings of the message: the fallback is safer.
    margin := 0.10;
end;
$$;

revoke all on function private.faq_decision_rule(uuid) from public, anon, authenticated;

comment on function private.faq_decision_rule(uuid) is
    'The score and the lead over the runner-up the best FAQ needs to be sent, by the owner''s faq_caution.';

create or replace function private.match_faq(p_owner_id uuid, p_text text)
    returns table
            (
                faq_id uuid,
                score  real
            )
    language plpgsql
    stable
    security definer
    rows 1
    set search_path = ''
as
$$
declare
    v_required_score real;
    v_margin         real;
begin
    select r.required_score, r.margin into v_required_score, v_margin
    from private.faq_decision_rule(p_owner_id) r;
    return query
        select r.faq_id, r.score
        from (select ranked.faq_id,
                     ranked.score,
                     pg_catalog.row_number() over (order by ranked.score desc, ranked.faq_id) as place,
                     pg_catalog.lead(ranked.score) over (order by ranked.score desc, ranked.faq_id) as runner_up
              from private.rank_faqs(p_owner_id, p_text, false) ranked) r
        where r.place = 1
          and r.score >= v_required_score
          and (r.runner_up is null or r.score - r.runner_up >= v_margin);
end;
$$;

create or replace function private.test_faq_match(p_text text)
    returns jsonb
    language plpgsql
    stable
    security definer
    set search_path = ''
as
$$
declare
    -- What private.match_faq requires of this business's best FAQ, to word its decision.
    v_threshold real;
    v_margin    real;
    v_owner     uuid := (select auth.uid());
    v_business  public.users%rowtype;
    v_text      text := coalesce(p_text, '');
    v_command   text;
    v_faq_id    uuid;
    v_score     real;
    v_ranked    jsonb;
    v_count     integer;
    v_words     jsonb;
    v_kinds     text[];
    v_open      boolean;
    v_decision  text;
    v_reason    text;
    v_reply     text;
begin
    if v_owner is null then
        raise exception 'test_faq_match: sign in first' using errcode = '42501';
    end if;
    if pg_catalog.char_length(v_text) > 1000 then
        raise exception 'test_faq_match: p_text is longer than 1000 characters' using errcode = '22023';
    end if;
    select * into v_business from public.users u where u.id = v_owner;
    if not found then
        raise exception 'test_faq_match: no business for this user' using errcode = '42501';
    end if;

    select r.required_score, r.margin into v_threshold, v_margin
    from private.faq_decision_rule(v_owner) r;
    v_open := private.is_open(v_business.business_hours, v_business.timezone, pg_catalog.now());

    -- The matcher's reading of the message: one entry per slot, its main meaning.
    select coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('words', f.words, 'kind', f.kind)
                                         order by f.slot), '[]'::jsonb),
           coalesce(pg_catalog.array_agg(f.kind), '{}'::text[])
    into v_words, v_kinds
    from private.faq_text_features(v_text) f
    where f.role = 'primary';

    -- Commands are one short word, as the webhook reads them.
    if pg_catalog.char_length(v_text) <= 24 then
        v_command := pg_catalog.upper(private.normalize_text(v_text));
    end if;
    if v_command in ('STOP', 'BAJA', 'PARAR', 'SAIR', 'CANCELAR') then
        -- The confirmation handle_inbound_message sends, in the command's language.
        v_decision := 'opt_out';
        v_reason := 'command';
        v_reply := case v_command
                       when 'SAIR' then 'Pronto, você não receberá mais respostas automáticas. '
                           || 'Para voltar a recebê-las, escreva VOLTAR.'
                       else 'Listo, ya no te enviaremos respuestas automáticas. '
                           || 'Si quieres volver a recibirlas, escribe ALTA.'
                       end;
        v_ranked := '[]'::jsonb;
        v_count := 0;
    else
        select best.faq_id, best.score into v_faq_id, v_score
        from private.match_faq(v_owner, v_text) best;

        select pg_catalog.count(*)::integer,
               coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                                                     'faq_id', r.faq_id,
                                                     'question', q.question,
                                                     'score', pg_catalog.round(r.score::numeric, 3),
                                                     'explanation', r.explanation)
                                             order by r.place) filter (where r.place <= 2), '[]'::jsonb)
        into v_count, v_ranked
        from private.rank_faqs(v_owner, v_text, true) with ordinality as r(faq_id, score, explanation, place)
                 join public.faqs q on q.id = r.faq_id;

        if v_faq_id is not null then
            v_decision := 'faq';
            v_reason := 'match';
            select q.answer into v_reply from public.faqs q where q.id = v_faq_id;
        else
            v_reason := case
                            when v_count > 0 and (v_ranked -> 0 ->> 'score')::real < v_threshold then 'low_score'
                            when v_count > 0 then 'too_close'
                            when pg_catalog.cardinality(v_kinds) = 0 then 'no_words'
                            when 'human' = any (v_kinds) then 'needs_person'
                            when 'guard' = any (v_kinds) then 'other_subject'
                            when 'place' = any (v_kinds) then 'other_place'
                            when v_kinds <@ array ['social'] then 'thanks'
                            else 'no_match' end;
            if v_business.away_message is not null and not v_open then
                v_decision := 'away';
                v_reply := v_business.away_message;
            else
                v_decision := 'fallback';
                v_reply := v_business.fallback_message;
            end if;
        end if;
    end if;

    return pg_catalog.jsonb_build_object(
            'decision', v_decision,
            'reason', v_reason,
            'command', case when v_decision = 'opt_out' then v_command end,
            'faq_id', v_faq_id,
            'score', pg_catalog.round(v_score::numeric, 3),
            'reply', v_reply,
            'open', v_open,
            'away_message_set', v_business.away_message is not null,
            'fallback_window_hours',
            pg_catalog.round((extract(epoch from v_business.fallback_window) / 3600)::numeric, 1),
            'threshold', v_threshold,
            'margin', v_margin,
            'candidates', v_ranked,
            'candidate_count', v_count,
            'words', v_words);
end;
$$;
