/**
  * -------------------------------------------------------
  * Section - Teaching an FAQ only words no other FAQ holds
  * -------------------------------------------------------
  * The FAQ screen teaches FácilChat from a missed message by adding the
  * message's subject words to the FAQ that answers it. Measured with
  * `facilchat faq-eval --owner-loop` on businesses the matcher was not
  * developed on (teach from half the missed messages, measure the other
  * half): adding every subject word made answers worse (accuracy 0.737 →
  * 0.723, wrong answers 0.082 → 0.103). A word another FAQ of the business
  * already holds ("fiesta", "pagar", the business's own product) turns the
  * taught FAQ into a catch-all for that FAQ's questions. Adding only words
  * no other FAQ holds leaves them as they were (0.737 / 0.085).
  *
  * So the tester (private.test_faq_match, otherwise as in
  * 20261204120000_faq_caution.sql) says, for each word of its reading, which
  * of the owner's active FAQs already hold it (faq_ids); the dashboard does
  * not add a word another FAQ holds.
 */

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
    -- Each with the owner's active FAQs that already hold it (question, keywords or answer).
    select coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                                                 'words', f.words, 'kind', f.kind,
                                                 'faq_ids', coalesce((select pg_catalog.jsonb_agg(distinct t.faq_id)
                                                                      from private.faq_terms t
                                                                      where t.owner_id = v_owner
                                                                        and t.active
                                                                        and t.term = f.term), '[]'::jsonb))
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
