/**
  * -------------------------------------------------------
  * Section - FAQ lexicon: beginners, swaps, exercise mats, overheating
  * -------------------------------------------------------
  * Additions to the lexicon (see 20261201210100_faq_lexicon.sql for the
  * shape of the rows):
  *   - never having done it ("nunca hice yoga", "nunca fiz", "no tengo
  *     experiencia"): a question about levels, as "principiante" is ("es mi
  *     primera vez" is not: a first purchase says it too);
  *   - swapping one item for another ("sacar y poner otra cosa", "tirar e
  *     botar outra coisa", "em vez de"): replacing;
  *   - exercise mats by their regional names (mat, colchoneta, esterilla,
  *     tapete de yoga): one kind of thing;
  *   - overheating ("se recalienta", "esquenta muito"): a malfunction;
  *   - a down payment ("o que dei de entrada", "la cuota inicial", "pie inicial"):
  *     a deposit ("entrada" alone stays an entrance or a check-in).
  * Rows are inserted or updated by (term, concept), so re-running this
  * migration is harmless; the stems and every FAQ's features are refreshed
  * at the end.
 */

insert into private.faq_concepts (concept, kind, weight, description)
values ('exercise_mat', 'object', 1, 'An exercise or yoga mat')
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
          -- Never having done it
          ('level', 1.0, 'is', array ['nunca hice', 'nunca he hecho', 'nunca practique', 'nunca he practicado',
              'nunca fiz', 'nunca pratiquei', 'nunca tome clases', 'nunca fiz aula', 'primera vez que hago',
              'primeira vez que faco', 'no tengo experiencia', 'nao tenho experiencia', 'sin experiencia',
              'sem experiencia', 'soy nuevo en', 'soy nueva en', 'sou novo nisso', 'sou nova nisso']),
          -- Swapping one item for another
          ('replace', 1.0, 'is', array ['poner otra cosa', 'poner otro', 'cambiar por otro', 'cambiar por otra',
              'sacar y poner', 'botar outra coisa', 'botar outro', 'colocar outra coisa', 'tirar e botar',
              'tirar e colocar', 'trocar por outro', 'trocar por outra', 'en vez de', 'em vez de',
              'en lugar de', 'no lugar de']),
          -- Exercise mats
          ('exercise_mat', 1.0, 'is', array ['mat', 'mats', 'colchoneta', 'colchonetas', 'esterilla',
              'esterillas', 'tapete de yoga', 'tapetes de yoga', 'mat de yoga', 'mats de yoga', 'yoga mat',
              'colchonete', 'colchonetes']),
          -- A down payment is a deposit ("o dinheiro que dei de entrada")
          ('deposit', 1.0, 'is', array ['dei de entrada', 'paguei de entrada', 'pago de entrada', 'valor de entrada',
              'dinheiro de entrada', 'la cuota inicial', 'cuota inicial', 'pie inicial']),
          -- Overheating is a malfunction
          ('malfunction', 1.0, 'is', array ['se recalienta', 'recalienta', 'se calienta mucho', 'se calienta demasiado',
              'esquenta muito', 'esquentando muito', 'superaquece', 'superaquecendo', 'sobrecalienta'])
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
