/**
  * -------------------------------------------------------
  * Section - FAQ lexicon: changed plans, no-shows, spoiled goods, identity documents
  * -------------------------------------------------------
  * Additions to the lexicon (see 20261201210100_faq_lexicon.sql for the
  * shape of the rows):
  *   - plans that changed ("ya no viajo", "a festa foi adiada", "se canceló
  *     el evento"): cancelling, so a question about losing the deposit meets
  *     the cancellation policy;
  *   - not showing up ("si falto", "se eu faltar"): a missed
  *     class where the business makes classes up, cancelling otherwise (a
  *     second, slightly weaker sense; the owner's FAQs decide, as for any
  *     word of several senses);
  *   - spoiled or rotten goods ("veio estragado", "produto estragado",
  *     "llegó podrido"; "estragado" alone is also a broken phone): a
  *     complaint, so the FAQ about what to do then answers it; being upset
  *     ("tô bem chateada") is a complaint too;
  *   - identity documents (pasaporte, cédula, DNI, RG, INE) are documents,
  *     in messages ("fotos pa la cédula" asks about photos for documents).
  * Rows are inserted or updated by (term, concept), so re-running this
  * migration is harmless; the stems and every FAQ's features are refreshed
  * at the end.
 */

insert into private.faq_vocabulary (term, term_key, concept, weight, role)
select distinct on (private.normalize_text(t.term), v.concept) private.normalize_text(t.term),
                                                               private.faq_phrase_key(t.term),
                                                               v.concept,
                                                               v.weight,
                                                               v.role
from (values
          -- Plans that changed
          ('cancel', 1.0, 'is', array ['ya no viajo', 'ya no voy a viajar', 'ya no vamos a viajar', 'ya no va',
              'ya no vamos', 'nao vou mais viajar', 'nao vou mais', 'nao vamos mais', 'foi adiada', 'foi adiado',
              'foi cancelada', 'foi cancelado', 'fue cancelada', 'fue cancelado', 'fue postergada',
              'fue postergado', 'se pospuso', 'se postergo', 'se suspendio', 'se cancelo el', 'se cancelo la',
              'cambio de planes', 'mudanca de planos', 'mudaram os planos', 'cambiaron los planes']),
          -- Not showing up: a second sense of what is a missed class elsewhere
          ('cancel', 0.9, 'is', array ['si falto', 'se eu faltar', 'se faltar']),
          ('class_makeup', 1.0, 'is', array ['se faltar']),
          -- Spoiled or rotten goods
          ('complaint', 1.0, 'is', array ['produto estragado', 'produtos estragados', 'item estragado',
              'vier estragado', 'chegou estragado', 'chegou estragada', 'veio estragado', 'veio estragada', 'podre', 'podres', 'llego podrido', 'llego podrida',
              'vino podrido', 'vino podrida', 'echado a perder', 'echada a perder', 'chateada', 'chateado',
              'chateados', 'chateadas', 'chateacao', 'que chateacao']),
          -- Identity documents are documents (read so in messages only)
          ('requirements', 1.0, 'member', array ['pasaporte', 'passaporte', 'cedula', 'cedula de identidad',
              'cedula de ciudadania', 'dni', 'carnet de identidad', 'carteira de identidade', 'rg', 'ine',
              'credencial de elector'])
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
