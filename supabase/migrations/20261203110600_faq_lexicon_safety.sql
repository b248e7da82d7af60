/**
  * -------------------------------------------------------
  * Section - FAQ lexicon: is it safe
  * -------------------------------------------------------
  * Whether a product or a treatment is safe, toxic or harmful for people,
  * children or pets ("¿es peligroso para los niños?", "¿no le hace daño?",
  * "é tóxico?", "¿huele muy fuerte?"): a topic of its own, asked of
  * fumigators, cleaners, pools, salons and clinics. "Hace daño" to someone is
  * harm, not damage to a thing (20261202140100's "damage"), so the phrases
  * that say so are read as safety.
  * Rows are inserted or updated by (term, concept), so re-running this
  * migration is harmless; the stems and every FAQ's features are refreshed
  * at the end.
 */

insert into private.faq_concepts (concept, kind, weight, description)
values ('safety', 'topic', 1, 'Whether a product or treatment is safe, toxic or harmful for people, children or pets')
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
          ('safety', 1.0, 'is', array ['peligroso', 'peligrosa', 'peligrosos', 'peligrosas', 'perigoso',
              'perigosa', 'toxico', 'toxica', 'toxicos', 'toxicas', 'es seguro para', 'e seguro para',
              'e seguro pra', 'seguro para los ninos', 'seguro para ninos', 'seguro para mascotas',
              'seguro pras criancas', 'le hace dano', 'les hace dano', 'no le hace dano', 'le hace mal',
              'les hace mal', 'faz mal', 'faz mal pra', 'nao faz mal', 'intoxicar', 'intoxica', 'intoxicacion',
              'intoxicacao', 'huele fuerte', 'huele muy fuerte', 'olor fuerte', 'mucho olor', 'cheiro forte',
              'cheira forte', 'deja olor', 'deixa cheiro'])
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
