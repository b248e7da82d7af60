/**
  * -------------------------------------------------------
  * Section - FAQ lexicon: complaints, thanks, rescheduling, renting
  * -------------------------------------------------------
  * Additions to the lexicon (see 20261201210100_faq_lexicon.sql for the
  * shape of the rows), from how customers write on WhatsApp:
  *   - complaints in words the lexicon lacked: filth and shame ("imundo",
  *     "una vergüenza", "un asco"; not "sujo" or "mugroso", which describe
  *     what a laundry or a car wash is asked to clean), nobody answering ("nadie me contesta",
  *     "ninguém responde"), something that did not work ("no me funcionó",
  *     "não funcionou"), exasperation ("¿qué pasa pues?");
  *   - thanks and praise with typos and affection ("brigadu", "obgd",
  *     "grasias", "ela amou");
  *   - moving a booking to another time or day ("¿se puede mover la hora pa
  *     otro día?", "mudar o horário", "me surgió algo"): cancelling or
  *     moving is for a person unless an FAQ is about that rule;
  *   - asking for an appointment in the first person ("cómo pido hora",
  *     "saco turno") and asking them to come on a day ("¿pueden venir el
  *     sábado?"): a booking;
  *   - renting something (a room, a hall, equipment): a topic of its own,
  *     so a question about renting the place is not a question about its
  *     classes or hours;
  *   - a duplicate ("el duplicado", "duplicar una llave") is a copy;
  *   - picking up in person ("¿puedo pasar a retirar?", "posso retirar"),
  *     somewhere to stop the car ("tem lugar pra parar o carro?").
  * Rows are inserted or updated by (term, concept), so re-running this
  * migration is harmless; the stems and every FAQ's features are refreshed
  * at the end.
 */

insert into private.faq_concepts (concept, kind, weight, description)
values ('rental', 'topic', 1, 'Renting something from the business: a room, a hall, equipment, a vehicle')
on conflict (concept) do update set kind        = excluded.kind,
                                    weight      = excluded.weight,
                                    description = excluded.description;

insert into private.faq_vocabulary (term, term_key, concept, weight, role)
select distinct on (private.normalize_text(t.term), v.concept) private.normalize_text(t.term),
                                                               private.faq_phrase_key(t.term),
                                                               v.concept,
                                                               v.weight,
                                                               v.role
from (values
          -- Complaints: dirt, shame, nobody answering, something that did not work
          ('complaint', 1.0, 'is', array ['imundo', 'imunda', 'nojento', 'nojenta',
              'que nojo', 'uma vergonha', 'vergonhoso', 'vergonhosa', 'un asco', 'que asco',
              'asqueroso', 'asquerosa',
              'que verguenza', 'una verguenza', 'nadie me contesta', 'nadie contesta', 'nadie me atiende',
              'no me contestan', 'no contestan', 'no me responden', 'no responden', 'ninguem atende',
              'ninguem responde', 'ninguem me atende', 'nao me respondem', 'nao respondem',
              'no me funciono', 'no funciono', 'no me sirvio', 'no sirvio', 'nao funcionou', 'nao adiantou',
              'nao serviu', 'que pasa pues', 'q pasa pues', 'que paso pues', 'q paso pues']),
          -- Thanks and praise, with typos and affection
          ('thanks', 1.0, 'is', array ['brigadu', 'brigaduu', 'brigadao', 'brigadinho', 'brigadinha', 'obgd',
              'obgda', 'obgdo', 'obgado', 'obgada', 'obrigadao', 'obrigadaa', 'obrigadoo', 'grasias', 'grasia',
              'gracia', 'grcias', 'graciaas', 'graciasss', 'mil grasias', 'muchas grasias', 'thx', 'tks',
              'ela amou', 'ele amou', 'eles amaram', 'adorou', 'ela adorou', 'ele adorou', 'le encanto',
              'gostou muito', 'gostei muito', 'amamos demais', 'amei demais']),
          -- Moving a booking to another time or day; something came up
          ('cancel', 1.0, 'is', array ['mover la hora', 'mover mi hora', 'mover el turno', 'mover mi turno',
              'cambiar la hora', 'cambiar mi hora', 'cambiar el horario', 'cambiar la fecha', 'cambiar el dia',
              'cambiar de dia', 'mover la fecha', 'correr la hora', 'correr la cita', 'pasar la cita',
              'pasar mi cita', 'pasar la hora', 'pasar mi hora', 'para otro dia', 'pa otro dia', 'pra outro dia',
              'para outro dia', 'reagendo', 'reprogramo', 'reagendamos', 'reprogramamos',
              'remarco', 'remarcamos', 'mudar o horario', 'mudar a data', 'mudar o dia', 'trocar o horario',
              'trocar a data', 'trocar o dia', 'no voy a alcanzar',
              'nao vou conseguir chegar', 'nao consigo chegar', 'me surgio algo',
              'tuve un imprevisto', 'tengo un imprevisto', 'surgiu um imprevisto', 'tive um imprevisto',
              'tenho um imprevisto']),
          -- Asking for an appointment in the first person; asking them to come on a day
          ('booking', 1.0, 'is', array ['pido hora', 'pido una hora', 'pido cita', 'pido una cita', 'pido turno',
              'saco hora', 'saco cita', 'saco turno', 'tomar hora', 'tomo hora', 'agendo hora', 'marco hora',
              'marco consulta', 'como pido hora', 'como pido una hora', 'como pido cita', 'como pido turno',
              'como saco hora', 'como saco turno', 'como saco cita', 'pueden venir el', 'puede venir el', 'podrian venir el', 'podria venir el',
              'podem vir no', 'pode vir no']),
          -- Renting
          ('rental', 1.0, 'is', array ['alquilan', 'alquilar', 'alquiler', 'alquilo', 'alquilas', 'alquilamos',
              'arriendan', 'arrendar', 'arriendo', 'arrienda', 'rentan', 'rentar', 'rentas', 'aluga', 'alugam',
              'alugar', 'aluguel', 'alugo', 'alugamos', 'locacao', 'locam']),
          -- A duplicate is a copy
          ('printing', 1.0, 'is', array ['duplicado', 'duplicados', 'duplicar', 'duplicada', 'duplicadas']),
          -- Picking up in person
          ('pickup', 1.0, 'is', array ['posso retirar', 'puedo retirar', 'puedo recoger',
              'puedo pasar a buscar', 'puedo pasar a retirar', 'ponto de retirada', 'punto de retiro',
              'da pra retirar']),
          -- Somewhere to stop the car
          ('parking', 1.0, 'is', array ['hay lugar para estacionar', 'hay lugar pa estacionar', 'hay donde estacionar',
              'tem lugar pra parar', 'tem lugar para parar', 'tem lugar pra estacionar', 'lugar pra parar', 'lugar para parar', 'lugar pra estacionar',
              'lugar para estacionar', 'lugar para dejar el carro', 'lugar para dejar el auto', 'onde paro',
              'donde parqueo', 'donde me estaciono', 'donde puedo estacionar', 'onde posso estacionar'])
     ) as v(concept, weight, role, terms)
         cross join lateral pg_catalog.unnest(v.terms) with ordinality as t(term, ord)
where private.normalize_text(t.term) <> ''
order by private.normalize_text(t.term), v.concept, v.weight desc, t.ord
on conflict (term, concept) do update set term_key = excluded.term_key,
                                          weight   = excluded.weight,
                                          role     = excluded.role;

-- The stems, as 20261201210100_faq_lexicon.sql computes them, for the whole
-- lexicon: new words may make a stem ambiguous.
update private.faq_vocabulary v
set stem_es = case when pg_catalog.length(private.faq_word_key(s.es)) >= 5 then private.faq_word_key(s.es) end,
    stem_pt = case when pg_catalog.length(private.faq_word_key(s.pt)) >= 5 then private.faq_word_key(s.pt) end
from (select x.term,
             coalesce((pg_catalog.ts_lexize('pg_catalog.spanish_stem'::pg_catalog.regdictionary, x.term))[1], x.term) as es,
             coalesce((pg_catalog.ts_lexize('pg_catalog.portuguese_stem'::pg_catalog.regdictionary, x.term))[1], x.term) as pt
      from (select distinct f.term from private.faq_vocabulary f) x) s
where s.term = v.term
  and pg_catalog.strpos(v.term, ' ') = 0
  and v.term !~ '[0-9]';

with meanings as (select f.term, f.stem_es, f.stem_pt,
                         pg_catalog.string_agg(f.concept || ':' || f.role, ',' order by f.concept, f.role) as meaning
                  from private.faq_vocabulary f
                  group by f.term, f.stem_es, f.stem_pt),
     ambiguous_es as (select m.stem_es
                      from meanings m
                      where m.stem_es is not null
                      group by m.stem_es
                      having pg_catalog.count(distinct m.meaning) > 1),
     ambiguous_pt as (select m.stem_pt
                      from meanings m
                      where m.stem_pt is not null
                      group by m.stem_pt
                      having pg_catalog.count(distinct m.meaning) > 1)
update private.faq_vocabulary v
set stem_es = case
                  when v.stem_es in (select a.stem_es from ambiguous_es a) or v.concept in ('stop', 'greeting') then null
                  else v.stem_es end,
    stem_pt = case
                  when v.stem_pt in (select a.stem_pt from ambiguous_pt a) or v.concept in ('stop', 'greeting') then null
                  else v.stem_pt end
where v.stem_es is not null
   or v.stem_pt is not null;

analyze private.faq_concepts, private.faq_vocabulary, private.faq_concept_links;

select private.refresh_faq_terms(f.id)
from public.faqs f;

analyze private.faq_terms;
