/**
  * -------------------------------------------------------
  * Section - FAQ lexicon: locked out, medical notes, due dates, reach
  * -------------------------------------------------------
  * Additions to the lexicon (see 20261201210100_faq_lexicon.sql for the
  * shape of the rows):
  *   - being locked out in more words ("me quedé por fuera", "las llaves
  *     adentro", "¿cuánto por abrirme?"), as phrases: "abrir" alone stays
  *     opening hours;
  *   - a medical certificate or fitness note ("atestado", "certificado
  *     médico", "exame médico", "apto físico"): a thing of its own, which
  *     enrolments and sports ask for;
  *   - when a payment falls due or something expires ("vence", "vencimento",
  *     "vencimiento");
  *   - the water's temperature ("aquecida", "climatizada", "fria"): pools,
  *     showers;
  *   - working at a time ("¿trabajan de madrugada?", "trabalham no
  *     domingo?"): opening hours;
  *   - how far they go ("leva até Boa Viagem?", "¿llevan hasta...?") and
  *     coming to pick something up ("tem como vocês buscarem?").
  * Rows are inserted or updated by (term, concept), so re-running this
  * migration is harmless; the stems and every FAQ's features are refreshed
  * at the end.
 */

insert into private.faq_concepts (concept, kind, weight, description)
values ('medical_note', 'object', 1, 'A medical certificate or fitness note'),
       ('due_date', 'topic', 1, 'When a payment falls due or something expires'),
       ('temperature', 'topic', 1, 'How warm or cold something is: water, a pool, a room')
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
          -- Locked out, as phrases
          ('lockout', 1.0, 'is', array ['me quede por fuera', 'quede por fuera', 'me quede afuera de',
              'por abrirme', 'para abrirme', 'pa abrirme', 'me pueda abrir', 'me puedan abrir', 'me abran',
              'me lo abran', 'me la abran', 'que me abran', 'llaves adentro', 'las llaves adentro',
              'llaves adentro del', 'llaves dentro', 'se me quedaron las llaves', 'deje las llaves adentro',
              'chaves dentro', 'esqueci a chave dentro', 'tranquei as chaves', 'fiquei do lado de fora']),
          -- A medical certificate or fitness note
          ('medical_note', 1.0, 'is', array ['atestado', 'atestados', 'atestado medico', 'atestado dermatologico',
              'certificado medico', 'certificado de salud', 'constancia medica', 'apto medico', 'apto fisico',
              'exame medico', 'examen medico', 'ficha medica', 'autorizacion medica', 'autorizacao medica']),
          -- When a payment falls due or something expires
          ('due_date', 1.0, 'is', array ['vence', 'vencen', 'vencem', 'vencimento', 'vencimiento', 'vencida',
              'vencido', 'dia de vencimento', 'data de vencimento', 'fecha de vencimiento', 'fecha de pago',
              'dia de pagamento', 'dia do pagamento', 'dia de pago']),
          -- Temperature
          ('temperature', 1.0, 'is', array ['aquecida', 'aquecido', 'climatizada', 'climatizado', 'temperada',
              'temperado', 'temperatura da agua', 'temperatura del agua', 'calefaccionada', 'calefaccionado', 'agua fria', 'agua gelada',
              'agua caliente', 'agua quente', 'agua tibia', 'e fria', 'es fria', 'esta fria', 'ta fria',
              'muito fria', 'muy fria']),
          -- Working at a time
          ('hours', 1.0, 'is', array ['trabajan de madrugada', 'trabajan de noche', 'trabajan los domingos',
              'trabajan el domingo', 'trabajan los sabados', 'trabajan el sabado', 'trabajan festivos',
              'trabajan los festivos', 'trabajan feriados', 'trabajan los feriados', 'trabajan fines de semana',
              'trabalham de madrugada', 'trabalham a noite', 'trabalham de noite', 'trabalham no domingo',
              'trabalham domingo', 'trabalham no sabado', 'trabalham sabado', 'trabalham feriado',
              'trabalham no feriado']),
          -- How far they go
          ('area', 1.0, 'is', array ['leva ate', 'levam ate', 'entrega ate', 'entregam ate', 'chegam ate',
              'vao ate', 'llevan hasta', 'lleva hasta', 'mandan hasta', 'envian hasta', 'despachan hasta']),
          -- Coming to pick something up
          ('pickup', 1.0, 'is', array ['vcs buscarem', 'voces buscarem', 'buscarem', 'vir buscar',
              'venham buscar', 'vengan a buscar', 'vengan a recoger', 'pasen a buscar', 'pasen a recoger'])
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
