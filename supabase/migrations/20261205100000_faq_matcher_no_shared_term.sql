/**
  * -------------------------------------------------------
  * FAQ matcher: no ranking when no FAQ shares a term with the message
  * -------------------------------------------------------
  * rank_faqs ranks only candidates, and every candidate comes from a term of
  * the message that one of the owner's active FAQs holds (in its question,
  * keywords or answer: the "hits" of its ranking query). When there is no
  * such term the result is empty, yet reading the message's senses against
  * the FAQs and building and running the ranking query cost about a fifth of
  * the whole inbound message's database time; about one message in eight of
  * the labelled sets is such a message ("¿aceptan tarjeta?" where no FAQ is
  * about paying). One probe of faq_terms_owner_term_idx, right after reading
  * the message, now finds that out and returns at once: the same result.
  *
  * Otherwise as in 20261203110100_faq_matcher_anger_other_subjects.sql.
 */

create or replace function private.rank_faqs(p_owner_id uuid, p_text text, p_explain boolean default true)
    returns table
            (
                faq_id      uuid,
                score       real,
                explanation jsonb
            )
    language plpgsql
    stable
    security definer
    rows 5
    set search_path = ''
    set plan_cache_mode = force_generic_plan
as
$$
declare
    -- A subject weighs more than this (after IDF) to be required: not a weak
    -- word ("atienden": hours, weakly) nor one most FAQs share.
    c_subject        constant real := 0.65;
    -- An FAQ must explain at least this share of the message.
    c_min_message    constant real := 0.5;
    -- An FAQ that asks a price answers with one: its price weighs this much more.
    c_faq_price      constant real := 2.0;
    -- A subject is shared when matched at least this strongly (not by a weak link).
    c_shared         constant real := 0.6;
    -- Matches in the answer add at most this much to what the FAQ covers.
    c_answer_support constant real := 0.25;
    -- A message slot met only by the FAQ's answer counts this much ...
    c_answer         constant real := 0.5;
    -- ... and this much when no other FAQ of the owner names it anywhere.
    c_answer_only    constant real := 0.9;
    -- The FAQ whose answer alone names what the message asks covers it at least this much.
    c_answer_cover   constant real := 0.8;
    -- The generic sense of a word the owner's FAQs use in another sense keeps this strength.
    c_generic_sense  constant real := 0.3;
    -- An FAQ must meet something of the message at least this strongly: its own
    -- concept or a thing it names, not only a related concept (a link).
    c_own            constant real := 0.75;
    v_text           text := private.normalize_text(p_text);
    -- The message's slots as faq_text_features reads them, one array per column.
    v_slots     integer[];
    v_terms     text[];
    v_kinds     text[];
    v_weights   real[];
    v_strengths real[];
    v_roles     text[];
    v_words     text[];
    v_focus     boolean[];
    -- Slots read in another sense: slot, sense, its kind and weight.
    v_re_slots   integer[];
    v_re_terms   text[];
    v_re_kinds   text[];
    v_re_weights real[];
    v_re         integer;
    v_keep       boolean[];
    -- What the message is and asks.
    v_only_social        boolean;
    v_asks_location      boolean;
    v_asks_hours         boolean;
    v_asks_have          boolean;
    v_asks_price         boolean;
    v_asks_with_intent   boolean;
    v_asks_something     boolean;
    v_tells_what_happened boolean;
    v_asks_rule          boolean;
    v_tells_age          boolean;
    v_other_place_hours  boolean := false;
    v_places             text[];
    -- the place whose hours are asked, and what it belongs to, word by word
    v_place_words        text[] := '{}'::text[];
    v_owner_words        text[] := '{}'::text[];
    v_tells_group        boolean;
    v_has_question_mark  boolean := pg_catalog.strpos(coalesce(p_text, ''), '?') > 0;
    -- An angry face or thumbs down: whatever it asks, a person answers it.
    v_angry              boolean := coalesce(p_text, '') ~ '[😡🤬😠😤👿💢👎🖕]';
    v_other_subject      boolean := false;
    v_subject            text[];
    -- Buying something ("¿venden mats?", "quero comprar"), not asking what they do.
    v_asks_to_buy        boolean;
begin
    select pg_catalog.array_agg(f.slot),
           pg_catalog.array_agg(f.term),
           pg_catalog.array_agg(f.kind),
           pg_catalog.array_agg(f.weight),
           pg_catalog.array_agg(f.strength),
           pg_catalog.array_agg(f.role),
           pg_catalog.array_agg(f.words),
           pg_catalog.array_agg(f.focus)
    into v_slots, v_terms, v_kinds, v_weights, v_strengths, v_roles, v_words, v_focus
    -- in the order it returns them: slot by slot, the strongest term first
    from private.faq_text_features(p_text) f;
    if v_slots is null then
        return;
    end if;

    -- No FAQ holds any term of the message: nothing can be a candidate. (What
    -- follows only drops the message's terms or reweighs them, never adds one.)
    if not exists (select 1
                   from private.faq_terms t
                   where t.owner_id = p_owner_id
                     and t.active
                     and t.term = any (v_terms)) then
        return;
    end if;

    -- The owner's FAQs decide a word's sense. When the owner's questions and
    -- keywords hold another of a slot's senses and not its main one, the slot
    -- reads in that sense ("arreglo" at a shoe repairer's: a repair, not
    -- flowers); its main meaning stays, weakly, and the concepts related to it
    -- go. When they hold both but use the slot's own word in the other sense
    -- ("cartões" at a print shop whose FAQ asks about "cartão de visita"), both
    -- senses stand equally and the rest of the message decides ("¿aceptan
    -- tarjeta?" is still about paying).
    v_re := 0;
    for v_at in 1 .. pg_catalog.array_length(v_slots, 1)
        loop
            if v_roles[v_at] = 'sense' and v_terms[v_at] like 'c:%' then
                v_re := v_at;
                exit;
            end if;
        end loop;
    if v_re > 0 then
        with m_read as (select r.slot, r.term, r.kind, r.role, r.words, r.strength
                        from rows from (pg_catalog.unnest(v_slots), pg_catalog.unnest(v_terms), pg_catalog.unnest(v_kinds), pg_catalog.unnest(v_roles), pg_catalog.unnest(v_words), pg_catalog.unnest(v_strengths))
                                 as r(slot, term, kind, role, words, strength)),
             held as (select t.term, t.words
                      from private.faq_terms t
                      where t.owner_id = p_owner_id
                        and t.active
                        and t.source <> 'answer'
                        and t.role = 'primary'
                        and t.term = any (v_terms)),
             -- the held senses whose question or keyword uses the slot's own word
             worded as (select distinct r.slot, h.term
                        from (select distinct x.slot, x.words from m_read x where x.role = 'sense') r
                                 join held h on exists (select 1
                                                        from pg_catalog.unnest(pg_catalog.string_to_array(h.words, ' ')) as a(word)
                                                                 cross join pg_catalog.unnest(pg_catalog.string_to_array(r.words, ' ')) as b(word)
                                                        where pg_catalog.length(b.word) >= 5
                                                          and pg_catalog.left(a.word, 4) = pg_catalog.left(b.word, 4))),
             resensed as (select distinct on (r.slot) r.slot, r.term,
                                                      -- no kind: the main meaning is held too, both stand
                                                      case when p.term not in (select h.term from held h) then c.kind end as kind,
                                                      c.weight
                          from m_read r
                                   join private.faq_concepts c on c.concept = pg_catalog.substr(r.term, 3) and r.term like 'c:%'
                                   join m_read p on p.slot = r.slot and p.role = 'primary' and p.term like 'c:%'
                          where r.role = 'sense'
                            and c.kind in ('topic', 'object', 'place')
                            and p.kind <> 'human'
                            and r.term in (select h.term from held h)
                            and ((r.slot, r.term) in (select w.slot, w.term from worded w)
                                and (r.slot, p.term) not in (select w.slot, w.term from worded w)
                              or p.term not in (select h.term from held h))
                          order by r.slot, (r.slot, r.term) in (select w.slot, w.term from worded w) desc,
                                   r.strength desc, r.term)
        select pg_catalog.array_agg(x.slot), pg_catalog.array_agg(x.term), pg_catalog.array_agg(x.kind),
               pg_catalog.array_agg(x.weight)
        into v_re_slots, v_re_terms, v_re_kinds, v_re_weights
        from resensed x;
    end if;

    v_keep := pg_catalog.array_fill(true, array [pg_catalog.array_length(v_slots, 1)]);
    for v_at in 1 .. pg_catalog.array_length(v_slots, 1)
        loop
            v_re := pg_catalog.array_position(v_re_slots, v_slots[v_at]);
            if v_re is not null and v_re_kinds[v_re] is null then
                -- a word the owner's FAQs use in this sense as well: both senses
                -- stand, equally, and the rest of the message decides
                if v_terms[v_at] = v_re_terms[v_re] then
                    v_strengths[v_at] := 1;
                end if;
            elsif v_re is not null then
                if v_roles[v_at] = 'link' then
                    v_keep[v_at] := false;
                elsif v_terms[v_at] = v_re_terms[v_re] then
                    v_roles[v_at] := 'primary';
                    v_strengths[v_at] := 1;
                elsif v_roles[v_at] = 'primary' then
                    v_roles[v_at] := 'sense';
                    v_strengths[v_at] := c_generic_sense;
                end if;
                v_kinds[v_at] := v_re_kinds[v_re];
                v_weights[v_at] := v_re_weights[v_re];
            end if;
            -- a verb in the past is not a question word ("el vidrio que me colocaron")
            if v_kinds[v_at] = 'intent' and v_words[v_at] ~ '(aron|ieron|aram|eram|iram)$' then
                v_keep[v_at] := false;
            end if;
        end loop;
    select pg_catalog.array_agg(m.slot), pg_catalog.array_agg(m.term),
           pg_catalog.array_agg(m.kind), pg_catalog.array_agg(m.weight),
           pg_catalog.array_agg(m.strength), pg_catalog.array_agg(m.role),
           pg_catalog.array_agg(m.words), pg_catalog.array_agg(m.focus),
           -- thanks or praise, with no question in it ("gracias, la fiesta salió hermosa")
           pg_catalog.bool_or(m.kind = 'social')
               and not coalesce(pg_catalog.bool_or(m.kind in ('intent', 'human', 'guard') and m.role = 'primary'), false)
               and not v_has_question_mark,
           coalesce(pg_catalog.bool_or(m.term = 'c:location' and m.role = 'primary'), false),
           coalesce(pg_catalog.bool_or(m.term = 'c:hours' and m.role = 'primary'), false),
           coalesce(pg_catalog.bool_or(m.term = 'c:have' and m.role = 'primary'), false),
           coalesce(pg_catalog.bool_or(m.term = 'c:price' and m.role = 'primary'), false),
           coalesce(pg_catalog.bool_or(m.kind = 'intent' and m.role = 'primary'), false),
           -- what the message asks: a question word, an intent, or a price list, a quote, a discount
           coalesce(pg_catalog.bool_or((m.kind = 'intent' or m.term in ('c:catalog', 'c:quote', 'c:promo'))
               and m.role = 'primary'), false),
           coalesce(pg_catalog.bool_or(m.term = 'c:age' and m.role = 'primary'), false),
           coalesce(pg_catalog.bool_or(m.term = 'c:capacity' and m.role = 'primary'), false)
    into v_slots, v_terms, v_kinds, v_weights, v_strengths, v_roles, v_words, v_focus,
         v_only_social, v_asks_location, v_asks_hours, v_asks_have, v_asks_price, v_asks_with_intent, v_asks_something,
         v_tells_age, v_tells_group
    from rows from (pg_catalog.unnest(v_slots), pg_catalog.unnest(v_terms), pg_catalog.unnest(v_kinds), pg_catalog.unnest(v_weights), pg_catalog.unnest(v_strengths), pg_catalog.unnest(v_roles), pg_catalog.unnest(v_words), pg_catalog.unnest(v_focus), pg_catalog.unnest(v_keep))
             as m(slot, term, kind, weight, strength, role, words, focus, keep)
    where m.keep;
    if v_slots is null then
        return;
    end if;

    -- A statement telling what happened: no question and either no question
    -- word and a past verb ("las tarjetas salieron mal", "me rayaron la
    -- puerta"), what was done to them ("me hicieron las uñas y se me
    -- despegaron"), or how long ago ("hace 10 días dejé la bici").
    v_tells_what_happened := not v_has_question_mark
        and ((not v_asks_with_intent and v_text ~ '\m[a-z]{2,}(aron|ieron|aram|eram|iram)\M')
            or v_text ~ '\m(me|nos|le|les|se me|se nos|se le) [a-z]{2,}(aron|ieron|aram|eram|iram)\M'
            or v_text ~ ('\m(hace|faz|ya van|ja faz|ja sao|hace ya|desde hace) (mas de |uns |unos |unas |umas )?'
                             || '([0-9]+|un|una|uma|dos|tres|dois|duas|varios|varias|muchos|muchas)'
                             || ' (dia|dias|semana|semanas|mes|meses|hora|horas)\M'));
    -- What if ("si cancelo", "se eu precisar desmarcar"): a question about a
    -- rule, not a request for a person.
    v_asks_to_buy := v_text ~ '\m(venden|vendes|vende|vendem|vendeis|comprar|comprarlo|comprarla|comprarlos|comprarlas)\M';
    v_asks_rule := v_text ~ ('\m(si|se|y si|e se|en caso de|caso) ([a-z]+ ){0,3}(cancel|desmarc|remarc|reprogram'
                                 || '|reagend|posterg|desist|falt|no puedo ir|nao posso ir|nao puder|no llego'
                                 || '|me arrepiento|me arrependo)');

    -- "Tienen X?" about no topic asks about stock, weakly.
    if v_asks_have and 'object' = any (v_kinds)
        and not ('topic' = any (v_kinds) or 'human' = any (v_kinds) or 'guard' = any (v_kinds)) then
        v_slots := v_slots || -1;
        v_terms := v_terms || 'c:stock'::text;
        v_kinds := v_kinds || 'topic'::text;
        v_weights := v_weights || 0.45::real;
        v_strengths := v_strengths || 1::real;
        v_roles := v_roles || 'primary'::text;
        v_words := v_words || ''::text;
        v_focus := v_focus || false;
    end if;
    -- Someone's age in years or months ("tengo 16 años", "un bebé de 6 meses")
    -- is what a question about ages answers.
    if not v_tells_age
        and v_text ~ ('\m(tengo|tenho|tiene|tienen|tem|teem|cumple|cumplio|cumpre|completa|completou'
                          || '|bebe|bebes|nene|nena|nenes|nino|nina|ninos|ninas|crianca|criancas|filho|filha'
                          || '|filhos|hijo|hija|hijos|menino|menina|guagua|peque|chico|chica|chicos|menor'
                          || '|menores) (de )?[0-9]{1,2}( y medio| e meio)? (anos|anitos|aninhos|meses|mesinhos)\M')
        and v_text !~ ('[0-9]{1,2} (anos|meses) (de )?(garantia|uso|experiencia|antiguedad|antiguidade'
                           || '|vida util|vigencia|validade|validez|contrato|plazo|prazo|casad)') then
        v_slots := v_slots || -2;
        v_terms := v_terms || 'c:age'::text;
        v_kinds := v_kinds || 'topic'::text;
        v_weights := v_weights || 1::real;
        v_strengths := v_strengths || 1::real;
        v_roles := v_roles || 'primary'::text;
        v_words := v_words || ''::text;
        v_focus := v_focus || false;
    end if;
    -- A group's size ("somos 20", "para 120 personas") is what a question about
    -- capacity, or a minimum, answers.
    if not v_tells_group
        and v_text ~ ('\m(somos|seriamos|seremos|vamos a ser|vamos ser) (como |unos |unas |uns |umas |mas de )?[0-9]+\M'
                          || '|\m[0-9]+ (personas|pessoas|invitados|convidados|comensales|adultos)\M') then
        v_slots := v_slots || -3;
        v_terms := v_terms || 'c:capacity'::text;
        v_kinds := v_kinds || 'topic'::text;
        v_weights := v_weights || 0.45::real;
        v_strengths := v_strengths || 1::real;
        v_roles := v_roles || 'primary'::text;
        v_words := v_words || ''::text;
        v_focus := v_focus || false;
    end if;

    -- "¿A qué hora abre el museo?": what opens is a thing no FAQ of the owner names.
    if v_asks_hours then
        -- after the verb ("abre el X"), or before it ("que horas o X abre"; not
        -- "a qué hora lo paso a buscar", where no such verb follows)
        v_places := coalesce(
            pg_catalog.regexp_match(v_text,
                '\m(?:abre|abren|cierra|cierran|abrem|fecha|fecham|atiende|atienden|funciona)'
                    || ' (?:el|la|los|las|o|a|os|as) ([a-z]+)'
                    || '(?: (?:de|del|do|da|dos|das) (?:la |el |los |las |o |a |os |as )?([a-z]+))?'),
            pg_catalog.regexp_match(v_text,
                '\m(?:hora|horas|horario) (?:el|la|los|las|o|a|os|as) ([a-z]+)'
                    || '(?: (?:de|del|do|da|dos|das) (?:la |el |los |las |o |a |os |as )?([a-z]+))?'
                    || '(?: [a-z]+){0,4} (?:abre|abren|cierra|cierran|abrem|fecha|fecham|atiende|atienden'
                    || '|funciona|fica aberto|fica aberta|esta aberto|esta aberta)\M'));
        v_place_words := array [v_places[1]];
        v_owner_words := array [v_places[2]];
        -- and the place with what it belongs to, first ("la piscina del club X
        -- abre el domingo?"), all the words of what it belongs to
        v_places := pg_catalog.regexp_match(v_text,
            '^(?:(?:el|la|los|las|o|a|os|as) )?([a-z]+) (?:de|del|do|da|dos|das)'
                || ' (?:la |el |los |las |o |a |os |as )?([a-z]+(?: [a-z]+){0,3})'
                || ' (?:abre|abren|cierra|cierran|abrem|fecha|fecham|atiende|atienden|funciona)\M');
        v_place_words := v_place_words || v_places[1];
        v_owner_words := v_owner_words || pg_catalog.string_to_array(v_places[2], ' ');
        -- The place itself: another place unless the owner's questions,
        -- keywords or answers other than where they are name it (an address
        -- names its landmarks). What it belongs to ("la tienda del mercado"):
        -- another place unless an FAQ names it anywhere (any of its words, when
        -- it comes first: "la piscina del club Minas Tênis abre?").
        v_other_place_hours := exists (select 1
                        from rows from (pg_catalog.unnest(v_words), pg_catalog.unnest(v_kinds),
                                        pg_catalog.unnest(v_terms)) as m(word, kind, term)
                        where (m.word = any (v_place_words) or m.word = any (v_owner_words))
                          and m.kind = 'object'
                          and m.term like 'w:%'
                          and not exists (select 1
                                          from rows from (pg_catalog.unnest(v_words), pg_catalog.unnest(v_terms))
                                                   as o(word, term)
                                               join private.faq_terms t on t.term = o.term
                                          where o.word = m.word
                                            and t.owner_id = p_owner_id
                                            and t.active
                                            and (m.word <> all (v_place_words)
                                                 or t.source <> 'answer'
                                                 or not exists (select 1
                                                                from private.faq_terms q
                                                                where q.faq_id = t.faq_id
                                                                  and q.source = 'question'
                                                                  and q.term = 'c:location'))));
    end if;

    -- "¿Sabes si latam está cobrando...?": what another business does, when
    -- the one asked about is a name none of the owner's FAQs use.
    v_subject := pg_catalog.regexp_match(v_text,
        '\m(?:sabes|sabe|sabias|sabia|saben|sabem|sabeis) (?:si|se) (?:el |la |los |las |o |a |os |as )?([a-z]+)'
            || ' (?:esta|estan|ta|tao|sigue|siguen|cobra|cobran|abre|abren|tiene|tienen|tem|vende|venden'
            || '|hace|hacen|faz|fazem|atiende|atienden|funciona|acepta|aceptan|aceita|aceitam)\M');
    if v_subject is not null then
        v_other_subject := exists (select 1
                                   from rows from (pg_catalog.unnest(v_words), pg_catalog.unnest(v_kinds),
                                                   pg_catalog.unnest(v_terms)) as m(word, kind, term)
                                   where m.word = v_subject[1]
                                     and m.kind = 'object'
                                     and m.term like 'w:%'
                                     and not exists (select 1
                                                     from rows from (pg_catalog.unnest(v_words), pg_catalog.unnest(v_terms))
                                                              as o(word, term)
                                                          join private.faq_terms t on t.term = o.term
                                                     where o.word = m.word
                                                       and t.owner_id = p_owner_id
                                                       and t.active));
    end if;

    return query
        with m_all as (select m.slot, m.term, m.kind, m.weight, m.strength, m.role, m.words, m.focus
                       from rows from (pg_catalog.unnest(v_slots), pg_catalog.unnest(v_terms), pg_catalog.unnest(v_kinds), pg_catalog.unnest(v_weights), pg_catalog.unnest(v_strengths), pg_catalog.unnest(v_roles), pg_catalog.unnest(v_words), pg_catalog.unnest(v_focus))
                                as m(slot, term, kind, weight, strength, role, words, focus)),
             mslots as (select distinct on (a.slot) a.slot, a.term as head, a.kind, a.weight, a.words,
                                                    -- a noun read as an unknown verb is not what is asked
                                                    a.focus and not (a.kind = 'object' and a.words ~ '(agem|agens|men|gen)$')
                                                        as focus
                        from m_all a
                        order by a.slot, (a.role = 'primary') desc, a.strength desc),
             faqs_n as (select pg_catalog.count(*)::real as n
                        from public.faqs q
                        where q.owner_id = p_owner_id
                          and q.active),
             hits as (select t.faq_id, t.source, t.slot as fslot, a.slot as mslot, a.term, a.strength,
                             (a.strength * t.strength)::real as sim
                      from m_all a
                               join private.faq_terms t
                                    on t.owner_id = p_owner_id and t.active and t.term = a.term),
             -- How many of the owner's FAQs name each of the message's terms anywhere.
             spread as (select h.term, pg_catalog.count(distinct h.faq_id) as faqs
                        from hits h
                        group by h.term),
             -- A slot of substance met by the answer of the one FAQ that names it.
             answer_only as (select h.faq_id, h.mslot, h.term
                             from hits h
                                      join spread p on p.term = h.term and p.faqs = 1
                                      join mslots s on s.slot = h.mslot
                             where h.source = 'answer'
                               and h.sim >= c_shared
                               and s.kind in ('topic', 'object', 'place')),
             -- Candidates: FAQs whose question or keywords share a subject with the
             -- message, and those sharing a question word ("cuánto", "tienen") whose
             -- question has no subject of its own ("¿Cuáles son los precios?"); the
             -- others sharing just a question word only when no FAQ shares a subject:
             -- they could not win against those that do. And the FAQ whose answer
             -- alone names something the message asks about.
             cand as (select distinct h.faq_id
                      from hits h
                               join m_all a on a.slot = h.mslot and a.term = h.term
                      where h.source <> 'answer'
                        and (a.kind <> 'intent'
                          or not exists (select 1
                                         from private.faq_terms q
                                         where q.faq_id = h.faq_id
                                           and q.source = 'question'
                                           and q.kind not in ('intent', 'social'))
                          or not exists (select 1
                                         from hits x
                                                  join m_all b on b.slot = x.mslot and b.term = x.term
                                         where x.source <> 'answer'
                                           and b.kind <> 'intent'))
                      union
                      select o.faq_id
                      from answer_only o),
             ft_read as (select t.faq_id, t.source, t.slot, t.term, t.kind, t.weight, t.strength, t.role, t.words
                         from private.faq_terms t
                         where t.faq_id in (select c.faq_id from cand c)),
             -- The same on the FAQ's side: a slot of a candidate whose main meaning
             -- no other FAQ of the owner names, while another FAQ's question holds
             -- another of its senses ("arreglo" at a bicycle shop: a repair, not
             -- flowers), reads in that sense.
             f_resensed as (select distinct on (f.faq_id, f.source, f.slot) f.faq_id, f.source, f.slot, f.term,
                                                                            c.kind, c.weight
                            from ft_read f
                                     join private.faq_concepts c on c.concept = pg_catalog.substr(f.term, 3) and f.term like 'c:%'
                            where f.role = 'sense'
                              and c.kind in ('topic', 'object')
                              and exists (select 1
                                          from private.faq_terms o
                                          where o.owner_id = p_owner_id
                                            and o.active
                                            and o.faq_id <> f.faq_id
                                            and o.source <> 'answer'
                                            and o.role = 'primary'
                                            and o.term = f.term)
                              and exists (select 1
                                          from ft_read p
                                          where p.faq_id = f.faq_id
                                            and p.source = f.source
                                            and p.slot = f.slot
                                            and p.role = 'primary'
                                            and p.term like 'c:%'
                                            and p.kind in ('topic', 'object')
                                            and not exists (select 1
                                                            from private.faq_terms o
                                                            where o.owner_id = p_owner_id
                                                              and o.active
                                                              and o.faq_id <> p.faq_id
                                                              and o.term = p.term))
                            order by f.faq_id, f.source, f.slot, f.strength desc, f.term),
             ft as (select f.faq_id, f.source, f.slot, f.term,
                           coalesce(x.kind, f.kind) as kind,
                           coalesce(x.weight, f.weight) as weight,
                           (case
                                when x.slot is null then f.strength
                                when f.term = x.term then 1
                                when f.role = 'primary' then c_generic_sense
                                else f.strength end)::real as strength,
                           case
                               when x.slot is null then f.role
                               when f.term = x.term then 'primary'
                               when f.role = 'primary' then 'sense'
                               else f.role end as role,
                           f.words
                    from ft_read f
                             left join f_resensed x on x.faq_id = f.faq_id and x.source = f.source and x.slot = f.slot),
             -- Content words that differ by a typo: trigrams, longer words only.
             typo as (select f.faq_id, f.source, f.slot as fslot, a.slot as mslot, f.term,
                             (a.strength * f.strength
                                 * extensions.similarity(pg_catalog.substr(a.term, 3), pg_catalog.substr(f.term, 3)))::real
                                 as sim
                      from m_all a
                               join ft f on f.kind = 'object' and f.term like 'w:%' and f.term <> a.term
                      where a.term like 'w:%'
                        and pg_catalog.length(a.term) >= 7
                        and pg_catalog.length(f.term) >= 7
                        and extensions.similarity(pg_catalog.substr(a.term, 3), pg_catalog.substr(f.term, 3)) >= 0.5),
             pairs as (select h.faq_id, h.source, h.fslot, h.mslot, h.term,
                              coalesce((h.strength * f.strength)::real, h.sim) as sim,
                              h.source = 'answer' and o.faq_id is not null as only_here
                       from hits h
                                join cand c on c.faq_id = h.faq_id
                                left join ft f on f.faq_id = h.faq_id and f.source = h.source and f.slot = h.fslot
                                    and f.term = h.term
                                left join answer_only o on o.faq_id = h.faq_id and o.mslot = h.mslot and o.term = h.term
                       union all
                       select y.faq_id, y.source, y.fslot, y.mslot, y.term, y.sim, false
                       from typo y),
             -- How many of the owner's FAQs hold each head term in their question or
             -- keywords (rarity), and how many name it anywhere.
             heads as (select s.head as term
                       from mslots s
                       where s.kind = 'object'
                       union
                       select f.term
                       from ft f
                       where f.role = 'primary'
                         and f.kind in ('topic', 'object')),
             df as (select x.term, pg_catalog.sum(x.held)::real as df, pg_catalog.count(*)::real as named
                    from (select t.term, t.faq_id,
                                 pg_catalog.max(case when t.source = 'answer' then 0 else least(1, t.weight * t.strength) end)
                                     as held
                          from private.faq_terms t
                          where t.owner_id = p_owner_id
                            and t.active
                            and t.term in (select h.term from heads h)
                          group by t.term, t.faq_id) x
                    group by x.term),
             idf as (select d.term,
                            d.df,
                            d.named,
                            case
                                when d.df <= 1 or n.n <= 1 then 1
                                else pg_catalog.ln(1 + n.n / d.df) / pg_catalog.ln(1 + n.n)
                                end::real as factor
                     from df d
                              cross join faqs_n n),
             mw as (select s.slot, s.head, s.kind, s.words, s.focus,
                           -- a thing the business's FAQs ask about weighs fully, by its rarity;
                           -- anything else is a detail (a brand, a size, a place) and weighs half
                           (case
                                when s.kind <> 'object' then s.weight
                                when i.df >= 1 then i.factor
                                else 0.5 end)::real as w,
                           -- named by a few FAQs of the owner (in a question or an answer), not
                           -- by most ("niño" at a nursery)
                           coalesce(i.named, 0) between 1 and greatest(2, 0.34 * n.n) as named
                    from mslots s
                             left join idf i on i.term = s.head
                             cross join faqs_n n
                    where s.kind <> 'social'),
             fslots as (select distinct on (f.faq_id, f.source, f.slot) f.faq_id, f.source, f.slot, f.term as head,
                                                                         f.kind, f.words,
                                                                         (case
                                                                              when f.kind = 'object' then f.weight * coalesce(i.factor, 1)
                                                                              when f.term = 'c:price' then f.weight * c_faq_price
                                                                              else f.weight end)::real as w,
                                                                         -- how specific a subject is to this FAQ among
                                                                         -- the owner's (cleaning at a laundry: little)
                                                                         (case
                                                                              when f.kind in ('topic', 'object') then f.weight * coalesce(i.factor, 1)
                                                                              when f.kind in ('human', 'guard') then f.weight
                                                                              end)::real as specificity
                        from ft f
                                 left join idf i on i.term = f.term
                        order by f.faq_id, f.source, f.slot, (f.role = 'primary') desc, f.strength desc),
             msg_side as (select c.faq_id, s.slot, s.head, s.kind, s.words, s.focus,
                                 -- what only this FAQ's answer names is what the business offers, not
                                 -- a detail: it weighs as a thing the FAQs ask about
                                 (case
                                      when s.kind = 'object' and coalesce(pg_catalog.bool_or(p.only_here), false)
                                          then greatest(s.w, 0.8)
                                      else s.w end)::real as w,
                                 s.named,
                                 coalesce(pg_catalog.max(case
                                                             when p.source <> 'answer' then p.sim
                                                             when p.only_here then c_answer_only * p.sim
                                                             else c_answer * p.sim end),
                                          0)::real as sim,
                                 -- matched by the question or keywords, not only the answer
                                 coalesce(pg_catalog.max(p.sim) filter (where p.source <> 'answer'), 0)::real as sim_q,
                                 coalesce(pg_catalog.bool_or(p.only_here), false) as only_here,
                                 -- only another FAQ's answer names it, and the message places them
                                 -- there ("en la feria", "na Redenção"; looked up for a location
                                 -- question only)
                                 v_asks_location
                                     and (pg_catalog.string_to_array(v_text, ' '))[greatest(1, s.slot - 3):s.slot - 1]
                                         && array ['en', 'na', 'no', 'em', 'nas', 'nos']
                                     and s.slot in (select o.mslot from answer_only o where o.faq_id <> c.faq_id)
                                     as elsewhere_only,
                                 (pg_catalog.array_agg(p.term order by p.source = 'answer', p.sim desc))[1] as via,
                                 -- the FAQ's question or keywords meet a topic of the message ...
                                 coalesce(pg_catalog.bool_or(s.kind = 'topic' and s.w >= 0.5
                                     and pg_catalog.max(p.sim) filter (where p.source <> 'answer') >= c_shared)
                                              over (partition by c.faq_id), false) as topical,
                                 -- ... or ask what it asks ("cuánto", "tienen")
                                 coalesce(pg_catalog.bool_or(s.kind = 'intent'
                                     and pg_catalog.max(p.sim) filter (where p.source <> 'answer') >= 0.7)
                                              over (partition by c.faq_id), false) as asking_alike
                          from cand c
                                   cross join mw s
                                   left join pairs p on p.faq_id = c.faq_id and p.mslot = s.slot
                          group by c.faq_id, s.slot, s.head, s.kind, s.words, s.focus, s.w, s.named),
             faq_side as (select s.faq_id, s.source, s.slot, s.head, s.kind, s.words, s.w, s.specificity,
                                 coalesce(pg_catalog.max(p.sim), 0)::real as sim,
                                 (pg_catalog.array_agg(p.term order by p.sim desc))[1] as via,
                                 -- how specific the question's most specific subject is
                                 pg_catalog.max(s.specificity) filter (where s.source = 'question')
                                     over (partition by s.faq_id) as top_w
                          from fslots s
                                   left join pairs p on p.faq_id = s.faq_id and p.source = s.source and p.fslot = s.slot
                          group by s.faq_id, s.source, s.slot, s.head, s.kind, s.words, s.w, s.specificity),
             ms as (select s.faq_id,
                           pg_catalog.sum(s.w * s.sim) as matched,
                           pg_catalog.sum(case
                                              when s.sim > 0 or s.kind in ('human', 'guard') then s.w
                                              -- asking a price the FAQ never talks about is not a detail
                                              when s.head = 'c:price' then s.w
                                              when s.kind = 'place' and not v_asks_location then s.w
                                              when s.kind = 'topic' and s.w >= 0.5 then s.w
                                              when s.kind = 'intent' then 0.5 * s.w
                                              -- what another of the owner's FAQs names is not a detail of
                                              -- a question about a thing ("cuánto sale el retoque?")
                                              when s.kind = 'object' and s.named and not s.topical then s.w
                                              else 0 end)
                               -- details: things no FAQ names and light topics (a day), 0.5 at most in all
                               + least(0.5, pg_catalog.sum(case
                                                               when s.sim = 0 and ((s.kind = 'object' and not (s.named and not s.topical))
                                                                   or (s.kind = 'topic' and s.w < 0.5)
                                                                   or (s.kind = 'place' and v_asks_location))
                                                                   then s.w
                                                               else 0 end))
                               as total,
                           -- a person's matter: only the question or keywords of an FAQ
                           -- answer it, or its answer when the message asks about the rule;
                           -- another place or business, a job: unless the FAQ uses the word
                           pg_catalog.bool_or((s.kind = 'human' and s.sim_q = 0 and not (v_asks_rule and s.sim > 0))
                               or (s.kind = 'guard' and s.sim = 0)) as needs_other,
                           pg_catalog.bool_or(s.kind = 'place' and s.sim = 0) as mentions_place,
                           -- the thing asked about, unless the FAQ's question or keywords name
                           -- it, or its answer does and the question asks the same or meets a
                           -- topic of the message
                           pg_catalog.bool_or(s.focus and s.sim_q = 0 and not s.only_here
                               and not (s.sim > 0 and (s.asking_alike or s.topical))
                               and ((s.kind = 'object' and s.w >= c_subject * 0.5) or (s.kind = 'topic' and s.w >= c_subject)))
                               as misses_focus,
                           pg_catalog.bool_or(s.focus and s.sim > 0 and s.sim_q = 0) as focus_in_answer,
                           -- the best of what matched: only related concepts when below c_own
                           coalesce(pg_catalog.max(s.sim), 0) as best_match,
                           -- a thing only another FAQ's answer names, and this FAQ does not
                           pg_catalog.bool_or(s.sim = 0 and s.elsewhere_only and s.kind in ('object', 'place'))
                               as named_elsewhere,

                           pg_catalog.bool_or(s.kind = 'intent' and s.sim_q >= 0.7) as intent_shared,
                           -- what the message asks, by the question or the answer ("¿viene incluido
                           -- en el precio?" and an answer that quotes one)
                           coalesce(pg_catalog.bool_or(s.kind = 'intent' and s.sim > 0), false) as meets_intent,
                           -- the answer alone names what is asked, the question meets nothing
                           -- of substance in the message, and the FAQ meets all of it
                           pg_catalog.bool_or(s.only_here and s.sim_q = 0)
                               and not pg_catalog.bool_or(s.kind in ('topic', 'object', 'place') and s.sim_q > 0)
                               and not pg_catalog.bool_or(s.sim = 0 and ((s.kind = 'topic' and s.w >= 0.5 and s.slot >= 0)
                                   or (s.kind = 'object' and s.named) or s.kind in ('human', 'guard')
                                   or (s.kind = 'place' and not v_asks_location)))
                               as answered_by_answer
                    from msg_side s
                    group by s.faq_id),
             -- On the FAQ's side a subject weighs what it says about this FAQ among
             -- the owner's: its specificity.
             fs as (select s.faq_id,
                           pg_catalog.sum(case when s.source = 'question' then coalesce(s.specificity, s.w) * s.sim else 0 end)
                               + pg_catalog.sum(case when s.source = 'keyword' then coalesce(s.specificity, s.w) * s.sim else 0 end)
                               + least(c_answer_support,
                                       pg_catalog.sum(case when s.source = 'answer' then 0.5 * s.sim else 0 end))
                               as matched,
                           pg_catalog.sum(case when s.source = 'question' then coalesce(s.specificity, s.w) else 0 end) as total,
                           -- by more than a question word ("tienen", "hacen")
                           pg_catalog.bool_or(s.source <> 'answer' and s.sim > 0 and (s.kind <> 'intent' or s.head = 'c:price'))
                               as question_matched,
                           pg_catalog.bool_or(s.source <> 'answer' and s.kind in ('human', 'guard') and s.sim = 0)
                               as needs_other,
                           coalesce(pg_catalog.max(s.top_w), 0) >= c_subject as has_subject,
                           -- a specific subject of the question, or a keyword's, is in the message
                           pg_catalog.bool_or(s.sim >= c_shared and s.specificity is not null
                               and ((s.source = 'question' and s.specificity >= c_subject) or s.source = 'keyword'))
                               as shares_subject,
                           pg_catalog.bool_or(s.source <> 'answer' and s.head in ('c:catalog', 'c:stock')) as lists_items,
                           -- asks whether they have or sell something ("¿tienen pintura?")
                           pg_catalog.bool_or(s.source <> 'answer' and s.head = 'c:have') as asks_have,
                           pg_catalog.bool_or(s.source = 'question' and s.head = 'c:price') as asks_price,
                           -- says what something costs, or where to see prices
                           pg_catalog.bool_or(s.head in ('c:price', 'c:catalog', 'c:quote', 'c:promo', 'c:payment',
                                                         'c:deposit', 'c:included', 'c:minimum')) as talks_price,
                           -- a topic, or a person's matter the FAQ is about ("¿puedo cambiar o
                           -- cancelar el turno?" meets "¿se puede pasar mi hora?")
                           pg_catalog.bool_or(s.source <> 'answer' and s.kind in ('topic', 'human') and s.sim >= c_shared)
                               as meets_topic,
                           -- what the question asks: a specific attribute ("desde qué edad", "cuánto
                           -- dura", "dónde"), as opposed to what it is about ("clases") or a
                           -- service it offers ("¿cortan vidrios?")
                           pg_catalog.bool_or(s.source = 'question' and s.kind = 'topic' and s.specificity >= c_subject
                               and s.head in ('c:hours', 'c:location', 'c:duration', 'c:lead_time', 'c:age', 'c:capacity',
                                              'c:minimum', 'c:payment', 'c:deposit', 'c:area', 'c:start', 'c:modality',
                                              'c:level', 'c:checkin', 'c:contact', 'c:parking', 'c:warranty', 'c:returns',
                                              'c:insurance', 'c:invoice', 'c:promo', 'c:adaptation', 'c:aftercare'))
                               as asks_topic
                    from faq_side s
                    group by s.faq_id),
             judged as materialized (select ms.faq_id,
                               case
                                   when v_only_social then 'thanks or praise only'
                                   when v_tells_what_happened then 'tells what happened: for a person'
                                   when v_angry then 'an angry message: for a person'
                                   when v_other_subject then 'about another business'
                                   when ms.needs_other then 'the message needs a person or is about something else'
                                   when fs.needs_other then 'the FAQ is about what needs a person'
                                   when not fs.question_matched and not ms.answered_by_answer
                                       then 'only the answer matches'
                                   when ms.mentions_place and (v_asks_have or (v_asks_hours and not v_asks_location))
                                       then 'about another place'
                                   when v_other_place_hours then 'about another place'
                                   when ms.best_match < c_own then 'meets the message only through related concepts'
                                   -- where, about a place only another FAQ's answer names ("onde vocês
                                   -- ficam na Redenção?" when only the market FAQ names the park)
                                   when v_asks_location and ms.named_elsewhere
                                       then 'another FAQ''s answer names the place asked about'
                                   -- buying a thing the FAQ names but neither offers, sells, prices
                                   -- nor talks of buying ("¿venden mats?" and "¿tengo que llevar
                                   -- mat?"; "¿tienen pintura?" still answers "¿venden pintura?")
                                   when v_asks_to_buy and not fs.lists_items and not fs.asks_have and not fs.talks_price
                                       and not exists (select 1
                                                       from public.faqs q
                                                       where q.id = ms.faq_id
                                                         and private.normalize_text(q.question || ' ' || q.answer)
                                                             ~ '\m(vend[a-z]*|compr[a-z]*|venta|ventas)\M')
                                       then 'asks to buy what the FAQ does not sell'
                                   when v_asks_price and not fs.talks_price
                                       then 'asks a price the FAQ does not give'
                                   -- an FAQ about what something costs answers a question, not a
                                   -- remark that names the thing ("posso tatuar antes da praia?")
                                   when fs.asks_price and not v_asks_something and not fs.meets_topic
                                       then 'the FAQ answers a price the message does not ask'
                                   -- unless the thing asked about is named in the FAQ's answer and the
                                   -- question asks the same, or lists items ("¿hay yoga?": the classes
                                   -- FAQ lists it; "¿tienen leche de tigre?": the menu does)
                                   when fs.has_subject and not fs.shares_subject and not ms.answered_by_answer
                                       and not (ms.focus_in_answer and (ms.intent_shared or fs.lists_items))
                                       then 'the FAQ''s subject is not in the message'
                                   -- the question asks something specific that the message does not,
                                   -- about a thing they share, and the FAQ meets none of what the
                                   -- message asks ("¿desde qué edad pueden tomar clases?" for
                                   -- "¿tienen clases en la noche?")
                                   when fs.asks_topic and not fs.meets_topic and not ms.answered_by_answer
                                       and v_asks_with_intent and not ms.meets_intent
                                       then 'the FAQ asks about something else'
                                   -- a price list, a stock FAQ, or the price of the business's
                                   -- own kind of thing (no specific subject) covers any item
                                   when ms.misses_focus and not ((v_asks_price or v_asks_have)
                                       and (fs.lists_items or (fs.asks_price and not fs.has_subject)))
                                       then 'asks about something else'
                                   when ms.matched / nullif(ms.total, 0) < c_min_message then 'explains too little of the message'
                                   end as guard,
                               ms.matched / nullif(ms.total, 0) as message_coverage,
                               greatest(case
                                            when fs.total > 0 then least(1, fs.matched / fs.total)
                                            when fs.matched > 0 then 1
                                            else 0 end,
                                        case when ms.answered_by_answer then c_answer_cover else 0 end) as faq_coverage,
                               ms.total as m_total,
                               fs.total as f_total
                        from ms
                                 join fs on fs.faq_id = ms.faq_id),
             scored as (select j.*,
                               case
                                   when j.guard is null then pg_catalog.sqrt(j.message_coverage * j.faq_coverage)
                                   else 0 end::real as score
                        from judged j),
             ranked as (select s.*, pg_catalog.row_number() over (order by s.score desc, s.faq_id) as place
                        from scored s
                        where s.score > 0)
        select r.faq_id,
               r.score,
               case
                   when p_explain and r.place <= 2 then pg_catalog.jsonb_build_object(
                           'message_coverage', pg_catalog.round(r.message_coverage::numeric, 3),
                           'guard', r.guard,
                           'faq_coverage', pg_catalog.round(r.faq_coverage::numeric, 3),
                           'message', (select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                                                                           'words', s.words,
                                                                           'term', s.head,
                                                                           'kind', s.kind,
                                                                           'weight', pg_catalog.round(s.w::numeric, 3),
                                                                           'match', pg_catalog.round(s.sim::numeric, 3),
                                                                           'via', s.via,
                                                                           'contribution',
                                                                           pg_catalog.round((s.w * s.sim / r.m_total)::numeric, 3))
                                                                   order by s.slot)
                                       from msg_side s
                                       where s.faq_id = r.faq_id),
                           'faq', (select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                                                                       'source', s.source,
                                                                       'words', s.words,
                                                                       'term', s.head,
                                                                       'kind', s.kind,
                                                                       'weight', pg_catalog.round(s.w::numeric, 3),
                                                                       'match', pg_catalog.round(s.sim::numeric, 3),
                                                                       'via', s.via,
                                                                       'contribution',
                                                                       case
                                                                           when s.source = 'question' and r.f_total > 0
                                                                               then pg_catalog.round((s.w * s.sim / r.f_total)::numeric, 3)
                                                                           end)
                                                               order by s.source desc, s.slot)
                                   from faq_side s
                                   where s.faq_id = r.faq_id
                                     and (s.source <> 'answer' or s.sim > 0)))
                   end
        from ranked r
        order by r.place;
end;
$$;
revoke all on function private.rank_faqs(uuid, text, boolean) from public, anon, authenticated;
grant execute on function private.rank_faqs(uuid, text, boolean) to service_role;
