/**
  * -------------------------------------------------------
  * Section - FAQ lexicon: more kinds of business, more ways of asking
  * -------------------------------------------------------
  * Additions to the lexicon of 20261201210100_faq_lexicon.sql (read its
  * header for the shape of the rows), from how customers of small
  * businesses write on WhatsApp across Latin America, for kinds of business
  * the first lexicon did not know (gyms, driving schools, print shops,
  * movers, caterers, nurseries, tattoo studios, photographers, opticians,
  * bicycle shops) and for what any business is asked:
  *   - where they deliver or go ("llegan hasta Los Olivos?", "hacen envíos a
  *     Arequipa?", "vocês entregam em Olinda?"): an area;
  *   - how to get there by public transport ("en qué estación me bajo?");
  *   - ages ("a partir de qué edad?", "menor de idade"), a group's size;
  *   - a driving licence, an exam and failing it, a trainer, a tattoo, a
  *     piercing and its aftercare, food and meals, damage and who answers
  *     for it, kilometres, students;
  *   - printed products as things of their own (business cards, banners,
  *     flyers, stickers), not one "printing" topic, so a print shop's FAQs
  *     about each are told apart;
  *   - paying ("¿cómo se paga?" is how, not how much), invoices and tax
  *     ids, conditional prices ("cuánto me cobrarían"), extra charges;
  *   - complaints and impatience ("todavía nada", "me tienen podrido",
  *     "q onda con eso"), and another place next to them ("el banco que está
  *     al lado", "la notaría que queda por ahí cerca"), public offices;
  *   - words that read as a lexicon word but are not ("cuadro" is not
  *     "cuadra", "blanqueada" is not whitening, "estudiante" is not
  *     "estudiar"), and words read too eagerly before ("chico" and
  *     "pequeño" are mostly "small", "sesión" is any session).
  * Rows are inserted or updated by (term, concept), so re-running this
  * migration is harmless; the stems and every FAQ's features are refreshed
  * at the end.
 */

insert into private.faq_concepts (concept, kind, weight, description)
values ('area', 'topic', 1, 'Where they deliver, travel or serve: zones, districts, cities, the rest of the country'),
       ('adaptation', 'topic', 1, 'Getting used to something new: glasses, a nursery, a device'),
       ('requirements', 'object', 1, 'What to bring or send: documents, requirements'),
       ('quantity', 'intent', 0.3, 'Asking how many: what follows is what is asked about'),
       ('lockout', 'object', 1, 'Being locked out: opening a door, a car, lost keys'),
       ('age', 'topic', 1, 'Ages: from what age, minors, a child''s age'),
       ('licence', 'object', 1, 'A driving licence'),
       ('exam', 'object', 1, 'An exam or test to pass'),
       ('fail_exam', 'topic', 1, 'Failing an exam or test'),
       ('trainer', 'object', 1, 'A personal trainer, coach or instructor'),
       ('student', 'object', 1, 'Students and student cards'),
       ('tattoo', 'object', 1, 'Tattoos and getting one'),
       ('piercing', 'object', 1, 'Piercings'),
       ('aftercare', 'topic', 1, 'Care afterwards: healing, what to avoid'),
       ('food', 'object', 1, 'Food and meals'),
       ('damage', 'topic', 1, 'Something broken or damaged during a service, and who answers for it'),
       ('kilometre', 'object', 1, 'Kilometres and distance charges'),
       ('business_cards', 'object', 1, 'Printed business cards'),
       ('banner', 'object', 1, 'Printed banners and large-format prints'),
       ('flyers', 'object', 1, 'Printed flyers, leaflets and posters'),
       ('stickers', 'object', 1, 'Printed stickers and labels')
on conflict (concept) do update set kind        = excluded.kind,
                                    weight      = excluded.weight,
                                    description = excluded.description;

-- Related concepts, message side only.
insert into private.faq_concept_links (concept, related, weight)
values ('delivery', 'area', 0.6),          -- "¿llegan hasta X?" asks where they deliver
       ('area', 'delivery', 0.6),
       ('capacity', 'minimum', 0.6),        -- "somos 20" meets a minimum as much as a capacity
       ('damage', 'warranty', 0.6),         -- who answers for a breakage: a guarantee or insurance
       ('damage', 'insurance', 0.6),
       ('fail_exam', 'exam', 0.6),
       ('exam', 'certificate', 0.4),
       ('age', 'kids', 0.4),
       ('kids', 'age', 0.4),
       ('tattoo', 'aftercare', 0.3)
on conflict (concept, related) do update set weight = excluded.weight;

-- "¿La clase de prueba es gratis?" is about the trial, not the price list.
delete
from private.faq_concept_links l
where (l.concept, l.related) in (values ('trial', 'price'));

-- Terms read differently than before: removed, then added again below where
-- they keep a meaning.
delete
from private.faq_vocabulary v
where (v.term, v.concept) in (values ('chico', 'kids'), ('chica', 'kids'), ('pequenos', 'kids'),
                                     ('sesion', 'checkup'), ('sesiones', 'checkup'), ('sessao', 'checkup'),
                                     ('sessoes', 'checkup'),
                                     ('en el momento', 'stop'), ('na hora', 'stop'),
                                     ('cuantos', 'stop'), ('cuantas', 'stop'), ('quantos', 'stop'), ('quantas', 'stop'),
                                     ('imprimir documentos', 'printing'), ('tarjetas de presentacion', 'printing'),
                                     ('tarjeta de presentacion', 'printing'), ('tarjetas personales', 'printing'),
                                     ('cartao de visita', 'printing'), ('cartoes de visita', 'printing'),
                                     ('volantes', 'printing'), ('flyers', 'printing'), ('folletos', 'printing'),
                                     ('afiches', 'printing'), ('banners', 'printing'), ('gigantografias', 'printing'),
                                     ('stickers', 'printing'), ('adesivos', 'printing'),
                                     ('alergia', 'symptom'),
                                     ('tem horario', 'booking'),
                                     -- the product, not the service
                                     ('esmalte', 'nails'),
                                     -- a dress is a dress: its words stay words
                                     ('vestido de fiesta', 'dry_clean'), ('vestido de novia', 'dry_clean'),
                                     ('vestido de noiva', 'dry_clean'));

insert into private.faq_vocabulary (term, term_key, concept, weight, role)
select distinct on (private.normalize_text(t.term), v.concept) private.normalize_text(t.term),
                                                               private.faq_phrase_key(t.term),
                                                               v.concept,
                                                               v.weight,
                                                               v.role
from (values
          -- Where they deliver, travel or serve
          ('area', 1.0, 'is', array ['zonas', 'zona de cobertura', 'que zonas', 'a que zonas', 'en que zonas',
              'distritos', 'que distritos', 'a que distritos', 'comunas', 'que comunas', 'colonias',
              'que colonias', 'municipios', 'ciudades', 'otras ciudades', 'outras cidades', 'cidades',
              'que cidades', 'quais cidades', 'quais bairros', 'que bairros', 'que barrios', 'provincias',
              'provincia', 'regiones', 'regioes', 'interior', 'al interior', 'el interior', 'para o interior',
              'todo el pais', 'todo o pais', 'todo o brasil', 'fuera de la ciudad', 'fuera de lima',
              'fora da cidade', 'area metropolitana', 'alrededores', 'cercanias', 'localidades',
              'hasta donde llegan', 'ate onde vao', 'ate onde entregam', 'hasta donde van', 'van hasta alla',
              'vao ate', 'viajan', 'viajan a', 'hacen viajes', 'fazem viagens', 'cubren la zona']),
          ('area', 0.8, 'is', array ['llegan a', 'llegan hasta', 'chegam ate']),
          ('area', 0.6, 'is', array ['van a', 'vao a', 'vao para', 'vao pra']),
          ('area', 0.6, 'is', array ['barrios', 'bairros', 'cobertura']),
          ('delivery', 1.0, 'is', array ['llegan a', 'chegam ate']),
          -- How to get there: public transport, landmarks, the street number
          ('location', 1.0, 'is', array ['me bajo', 'en que estacion me bajo', 'en que estacion',
              'que estacion', 'cual estacion', 'en que parada', 'que parada', 'en que paradero', 'que paradero',
              'que linea', 'qual estacao', 'em que estacao', 'qual parada', 'que ponto', 'qual linha',
              'onde desco', 'desco', 'por aqui cerca', 'por aca cerca', 'aqui cerca', 'cerquita',
              'estan cerquita', 'quedan cerquita', 'cerquinha', 'pertinho', 'aqui perto', 'qual o numero',
              'que numero', 'en que numero', 'a que altura', 'entre que calles', 'cuadra', 'como llego en',
              'como chego de']),
          ('landmark', 1.0, 'is', array ['ecovia', 'metrobus', 'metroplus', 'metrocable', 'transmetro',
              'metropolitano', 'tranvia', 'bondi', 'brt', 'vlt', 'estadio', 'estadios', 'notaria', 'notario',
              'notarias', 'cartorio', 'poupatempo', 'prefeitura', 'municipalidad', 'alcaldia', 'registro civil',
              'juzgado', 'comisaria', 'delegacia', 'iglesia', 'igreja', 'parroquia', 'parque', 'universidad',
              'universidade', 'museo', 'museos', 'museu', 'teatro', 'cine', 'cinema', 'biblioteca', 'catedral',
              'zoologico', 'mall', 'correo argentino', 'agencia de correos', 'gasolinera', 'bencinera',
              'posto de gasolina', 'cajero automatico']),
          -- Another place or business next to them
          ('elsewhere', 1.0, 'is', array ['que esta a lado', 'que esta al lado', 'que queda al lado',
              'que queda a lado', 'que queda por ahi', 'que queda por aca', 'que esta por ahi',
              'que queda cerca', 'que esta cerca', 'que esta en frente', 'que esta enfrente',
              'que queda enfrente', 'que queda en frente', 'que fica do lado', 'que fica ao lado',
              'que fica perto', 'que fica aqui perto', 'que fica em frente', 'que ta do lado', 'aqui do lado',
              'aqui al lado', 'a lado de ustedes', 'al lado de ustedes', 'ao lado de voces', 'do lado de voces',
              'junto a ustedes']),
          -- Sizes by height; discounts; getting used to something new
          ('sizes', 1.0, 'is', array ['mide', 'mido', 'mides', 'cuanto mide', 'estatura', 'meco', 'mede',
              'quanto mede', 'que talla', 'que talle', 'que tamanho', 'que numero calza']),
          ('promo', 1.0, 'is', array ['off', 'de descuento', 'dto', 'descontinho', 'desconto a vista',
              'rebajita', 'precio especial', 'preco especial']),
          ('adaptation', 1.0, 'is', array ['adaptarse', 'adaptar', 'adapto', 'adaptas', 'adaptacion',
              'adaptacao', 'me adapto', 'acostumbrarse', 'acostumbrar', 'acostumbro', 'acostumbra',
              'me acostumbro', 'acostumar', 'se acostumar', 'acostumo', 'periodo de adaptacao',
              'periodo de adaptacion']),
          -- Asking for a price or a quote
          ('quote', 1.0, 'is', array ['me digan el precio', 'pasarme el precio', 'me pasen el precio',
              'pasar el precio', 'me pasan el precio', 'darme un precio', 'me dan un precio', 'me cotizan',
              'me passam o valor', 'me passa o valor', 'passar o orcamento', 'me manda o orcamento',
              'me mandan un presupuesto', 'me pasan un presupuesto']),
          -- What to bring or send: documents and requirements
          ('requirements', 1.0, 'is', array ['que tengo que llevar', 'que hay que llevar', 'que debo llevar',
              'que llevo', 'o que levar', 'o que tenho que levar', 'o que preciso', 'que necesito',
              'que se necesita', 'que piden para', 'documentos', 'documento', 'documentacion', 'documentacao',
              'papeles', 'papeis', 'requisitos', 'requisito', 'que datos', 'que dados', 'quais dados',
              'que informacion necesitan', 'que piden', 'que necesito llevar', 'o que preciso levar',
              'que necesito para']),
          ('location', 1.0, 'is', array ['a cuanto queda', 'a cuanto esta de', 'a cuantos km',
              'a cuantos minutos', 'a quantos km', 'a quantos minutos']),
          ('offer', 1.0, 'is', array ['dao', 'dao la', 'ustedes dan']),
          -- "vocês pegam bebê?" takes in; "pegam o cachorro em casa?" picks up: the owner's FAQs decide
          ('accept', 1.0, 'is', array ['pegam', 'pega', 'pegan']),
          ('pickup', 0.6, 'is', array ['pegam', 'pega', 'pegar', 'pegan']),
          -- Ages, and a group's size
          ('age', 1.0, 'is', array ['edad', 'edades', 'idade', 'idades', 'que edad', 'de que edad',
              'desde que edad', 'a partir de que edad', 'hasta que edad', 'com que idade',
              'a partir de que idade', 'qual idade', 'quais idades', 'ate que idade', 'menor de edad',
              'menores de edad', 'menor de idade', 'menores de idade', 'mayor de edad', 'mayores de edad',
              'maior de idade', 'maiores de idade', 'anos de edad', 'anos de idade', 'meses de edad',
              'meses de idade', 'recien nacido', 'recem nascido']),
          ('capacity', 1.0, 'is', array ['cuantas personas', 'somos muchos', 'grupo de', 'para un grupo']),
          -- Driving schools
          ('licence', 1.0, 'is', array ['licencia de conducir', 'licencia de manejo', 'licencia', 'brevete',
              'pase de conduccion', 'carnet de conducir', 'registro de conducir', 'cnh',
              'carteira de motorista', 'carteira de habilitacao', 'habilitacao', 'habilitacion', 'habilitado',
              'habilitada', 'habilitados', 'carta de conducao', 'tirar a carta', 'sacar la licencia',
              'sacar el brevete', 'tirar a carteira', 'tirar a cnh', 'carteira']),
          ('licence', 0.7, 'is', array ['carta']),
          ('exam', 1.0, 'is', array ['examen', 'examenes', 'exame', 'exames', 'prova', 'provas',
              'examen teorico', 'examen practico', 'examen de manejo', 'prova pratica', 'prova teorica',
              'exame pratico', 'exame teorico', 'exame de rua', 'prova de rua', 'test', 'teste']),
          ('fail_exam', 1.0, 'is', array ['reprovar', 'reprovei', 'reprovado', 'reprovada', 'reprovacao',
              'reprovo', 'reprobar', 'repruebo', 'reprobe', 'reprobado', 'reprobada', 'desaprobar',
              'desaprobado', 'desaprobada', 'jalar el examen', 'rodei', 'rodar na prova', 'rodar no exame',
              'bombear', 'bombee', 'si no paso', 'se eu nao passar', 'no pasar', 'nao passar', 'si me va mal']),
          -- Gyms, classes, students
          ('trainer', 1.0, 'is', array ['entrenador', 'entrenadora', 'entrenadores', 'entrenador personal',
              'personal trainer', 'coach', 'instructor', 'instructora', 'instructores', 'instrutor',
              'instrutora', 'treinador', 'profe personal', 'entrenamiento personalizado', 'treino personalizado']),
          ('student', 1.0, 'is', array ['estudiante', 'estudiantes', 'estudante', 'estudantes', 'universitario',
              'universitarios', 'universitaria', 'universitarias', 'universitario', 'credencial de estudiante',
              'carteirinha de estudante', 'carnet de estudiante']),
          ('trial', 1.0, 'is', array ['prueba', 'pruebas', 'hacer una prueba', 'una prueba', 'ir a probar',
              'dia de prueba', 'visita de prueba', 'clase de muestra', 'aula de teste',
              'aula experimental gratis', 'probar la comida', 'provar a comida', 'provar']),
          -- Tattoos and piercings
          ('tattoo', 1.0, 'is', array ['tatuaje', 'tatuajes', 'tattoo', 'tattoos', 'tatto', 'tatuagem',
              'tatuagens', 'tatuar', 'tatuarme', 'tatuarse', 'tatuo', 'tatuador', 'tatuadora',
              'fazer uma tattoo', 'hacerme un tatuaje']),
          ('piercing', 1.0, 'is', array ['piercing', 'piercings', 'perforacion', 'perforaciones', 'perfuracao',
              'perforar', 'furar', 'furar a orelha', 'furar o nariz', 'perforar la oreja']),
          ('aftercare', 1.0, 'is', array ['cuidados', 'que cuidados', 'como cuidar', 'como cuido',
              'como cuidarlo', 'cuidado posterior', 'cicatrizacion', 'cicatrizacao', 'cicatrizar', 'cicatriza',
              'recuperacion', 'recuperacao', 'despues de hacerme', 'depois de fazer']),
          ('symptom', 1.0, 'is', array ['doi', 'doe', 'doi muito', 'duele mucho', 'arde', 'ardor']),
          -- Cleaning a car, a sofa, a mattress; transfers from the airport or the station
          ('cleaning', 1.0, 'is', array ['higienizacion', 'higienizar', 'higienizacao', 'higienizam',
              'desinfeccion', 'sanitizacion', 'sanitizar', 'lavado de tapiceria', 'lavado de muebles',
              'limpieza de tapiceria', 'lavagem de estofado', 'limpeza de estofado', 'limpeza interna',
              'lavado de colchon']),
          ('pickup', 0.8, 'is', array ['traslado', 'traslados', 'transfer', 'transfers', 'translado',
              'translados', 'traslado al aeropuerto', 'traslado desde el aeropuerto', 'buscar no aeroporto',
              'buscar na rodoviaria']),
          -- Food and meals
          ('food', 1.0, 'is', array ['comida', 'comidas', 'alimentacion', 'alimentacao', 'alimentos',
              'refeicao', 'refeicoes', 'lanche', 'lanches', 'merienda', 'meriendas', 'almuerzo', 'almuerzos',
              'almoco', 'almocos', 'jantar', 'cena', 'cenas', 'papinha', 'papilla']),
          ('dietary', 1.0, 'is', array ['alergia', 'alergias', 'alergico', 'alergica',
              'restriccion alimentaria', 'restricao alimentar', 'restricoes alimentares',
              'intolerante a la lactosa']),
          ('symptom', 0.6, 'is', array ['alergia', 'alergias']),
          -- Damage, and who answers for it
          ('malfunction', 1.0, 'is', array ['se rajo', 'rajo', 'rajado', 'rajada', 'se raja', 'se partio',
              'partido', 'se desprendio', 'se despego', 'se solto', 'descosio', 'se descosio', 'soltou',
              'descolou', 'rachou']),
          ('damage', 1.0, 'is', array ['dano', 'danos', 'rotura', 'roturas', 'se rompe', 'si se rompe',
              'si me rompen', 'se quebra', 'se quebrar', 'se romper', 'rompen', 'rompan', 'quebram', 'quebrem',
              'arranhar', 'arranham', 'rayar', 'rayan', 'rayones', 'averia', 'quien se hace cargo',
              'quien responde', 'quem se responsabiliza', 'quem cobre']),
          ('warranty', 0.6, 'is', array ['quien se hace cargo', 'quien responde', 'quem se responsabiliza']),
          -- Distance
          ('kilometre', 1.0, 'is', array ['km', 'kms', 'kilometro', 'kilometros', 'quilometro', 'quilometros',
              'por km', 'el km', 'o km', 'por kilometro']),
          -- Printed products, each a thing of its own; printing is the service
          ('business_cards', 1.0, 'is', array ['tarjetas de presentacion', 'tarjeta de presentacion',
              'tarjetas personales', 'tarjetas de visita', 'cartao de visita', 'cartoes de visita',
              'cartao de visitas', 'cartoes de visitas', 'cartaozinho']),
          ('business_cards', 0.6, 'is', array ['cartoes', 'cartao', 'tarjetas', 'tarjeta']),
          ('banner', 1.0, 'is', array ['banner', 'banners', 'pendon', 'pendones', 'lona', 'lonas',
              'gigantografia', 'gigantografias', 'faixa', 'faixas', 'roll up', 'backing']),
          ('flyers', 1.0, 'is', array ['volantes', 'flyer', 'flyers', 'folleto', 'folletos', 'panfleto',
              'panfletos', 'afiche', 'afiches', 'cartaz', 'cartazes', 'poster', 'posters', 'folder', 'folders']),
          ('stickers', 1.0, 'is', array ['stickers', 'sticker', 'adesivo', 'adesivos', 'calcomania',
              'calcomanias', 'pegatinas', 'etiquetas', 'etiqueta']),
          ('printing', 1.0, 'is', array ['imprimir documentos', 'impressoes', 'imprimo', 'imprimimos', 'copia',
              'copias a color', 'copia colorida', 'xerox colorido', 'impresion a color', 'escanear', 'escaneo',
              'scanner']),
          -- Paying: how, in advance, invoices
          ('payment', 1.0, 'is', array ['como se paga', 'como pago', 'como puedo pagar', 'como se puede pagar',
              'como pagar', 'como les pago', 'como te pago', 'como se abona', 'como abono', 'forma de pagar',
              'formas de pagar', 'como faco o pagamento', 'como pago', 'como e o pagamento',
              'como e feito o pagamento', 'como pagamos', 'se puede pagar', 'da pra pagar', 'aceitam pix',
              'transferencia bancaria', 'deposito', 'depositar', 'deposite', 'abonar', 'pagar en cuotas',
              'en cuotas', 'parcelado no cartao']),
          ('price', 0.6, 'is', array ['aparte', 'a parte', 'por separado', 'adicional', 'costo extra',
              'custo extra', 'cobran aparte', 'se cobra aparte', 'se pagan aparte', 'se paga aparte',
              'cobram a parte']),
          ('price', 1.0, 'is', array ['en cuanto sale', 'en cuanto esta', 'cuanto me cobrarian',
              'cuanto cobrarian', 'cuanto me cobraria', 'cuanto cobraria', 'cobrarian', 'cobraria',
              'cuanto costaria', 'costaria', 'cuanto vendria', 'cuanto me costaria', 'quanto sairia',
              'quanto custaria', 'custaria', 'quanto ficaria', 'quanto cobrariam', 'quanto cobraria',
              'a cuanto', 'en cuanto sale', 'quanto pra', 'quanto para', 'quanto que e', 'quanto que fica',
              'que valor tem', 'qual valor', 'cuanto saldria', 'cuanto me saldria', 'contos']),
          ('invoice', 1.0, 'is', array ['razon social', 'a nombre de la empresa', 'a nombre de mi empresa',
              'no cnpj', 'com cnpj', 'constancia de situacion fiscal', 'datos de facturacion',
              'imposto de renda', 'declarar no ir', 'declaracion de renta', 'deducir', 'nota fiscal', 'notinha',
              'recibo de honorarios', 'nf e', 'nfe']),
          ('invoice', 0.7, 'is', array ['nota', 'notas', 'declarar']),
          -- How long, in advance, same day
          ('duration', 1.0, 'is', array ['en el momento', 'na hora', 'al toque', 'al instante', 'en el acto',
              'mientras espero', 'enquanto espero', 'pra amanha cedo', 'para manana temprano',
              'cuando me avisan', 'quando me avisam']),
          ('lead_time', 1.0, 'is', array ['cuanto tiempo antes', 'quanto tempo antes', 'con cuanto tiempo',
              'com quanto tempo', 'con cuanto tiempo de anticipacion', 'com quanto tempo de antecedencia',
              'cuantos dias de anticipacion', 'quantos dias de antecedencia',
              'con cuantos dias de anticipacion', 'cuanto antes hay que', 'con cuanta anticipacion hay que']),
          -- Locksmiths: locked out, a door to open
          ('lockout', 1.0, 'is', array ['abrir una puerta', 'abrir la puerta', 'abrir puertas',
              'abran la puerta', 'me abran la puerta', 'abrirme la puerta', 'apertura de puerta',
              'apertura de puertas', 'me quede afuera', 'quede afuera', 'me quede encerrado',
              'me quede encerrada', 'perdi las llaves', 'se me perdieron las llaves', 'abrir el auto',
              'abrir el carro', 'abrir a porta', 'abrir uma porta', 'fiquei trancado', 'fiquei trancada',
              'fiquei pra fora', 'perdi a chave', 'perdi as chaves', 'abrir o carro']),
          ('day', 0.6, 'is', array ['nocturno', 'nocturna', 'nocturnos', 'noturno', 'noturna', 'de madrugada']),
          -- A deadline: "lo necesito para mañana"
          ('duration', 1.0, 'is', array ['lo necesito para manana', 'la necesito para manana',
              'lo necesito para hoy', 'los necesito para manana', 'preciso pra amanha', 'preciso para amanha',
              'necesito para manana', 'lo quiero para manana', 'preciso ate amanha', 'para cuando lo necesito',
              'lo necesito urgente', 'preciso com urgencia']),
          -- "¿Cuántas calorías quema?": how many of what is what is asked
          ('quantity', 1.0, 'is', array ['cuantos', 'cuantas', 'quantos', 'quantas', 'cuantas veces',
              'quantas vezes']),
          -- Cards that pay are not business cards
          ('payment', 1.0, 'is', array ['tarjeta de credito', 'tarjeta de debito', 'tarjetas de credito',
              'tarjetas de debito', 'tarjeta credito', 'tarjeta debito', 'cartao de credito',
              'cartao de debito', 'cartoes de credito', 'cartao credito', 'cartao debito',
              'tarjeta de la tienda']),
          -- "Llegan" on its own: a delivery, weakly; "el mismo día" is a day more than a speed
          ('delivery', 0.6, 'is', array ['llegan', 'llega hasta']),
          ('duration', 0.45, 'is', array ['mismo dia', 'mesmo dia', 'el mismo dia', 'no mesmo dia']),
          -- A visit to do a job at the customer's place
          ('delivery', 0.6, 'is', array ['vienen a', 'vienen a colocar', 'vienen a instalar', 'pueden venir',
              'vem instalar', 'vem colocar', 'podem vir']),
          ('trial', 0.8, 'is', array ['primera clase', 'primer clase', 'primeira aula', 'aula inaugural']),
          -- Meal vouchers and other ways to pay
          ('payment', 1.0, 'is', array ['vr', 'vale refeicao', 'vale alimentacao', 'ticket restaurante',
              'alelo', 'sodexo', 'pluxee', 'edenred', 'junaeb', 'vales de despensa', 'si vale',
              'cheque restaurant']),
          ('price', 1.0, 'is', array ['sai quanto', 'sai por quanto', 'sai a quanto', 'saiu quanto',
              'sale cuanto', 'sale a cuanto']),
          -- Ordering as the verb of another question ("cuánto tiempo antes debo encargar")
          ('ordering', 0.45, 'is', array ['encargar', 'encargo', 'encomendar', 'encargarlo', 'encargarla']),
          -- Enrolment, places, visits
          ('enrolment', 0.6, 'is', array ['vaga', 'vagas', 'cupo', 'cupos']),
          ('visit', 1.0, 'is', array ['conhecer a escola', 'conhecer o lugar', 'conocer la escuela',
              'conocer el local', 'conocer las instalaciones', 'conhecer as instalacoes', 'ir a ver',
              'venir a ver', 'vir ver', 'pasar a conocer']),
          -- Complaints and impatience
          ('complaint', 1.0, 'is', array ['sin servir', 'sin funcionar', 'q onda con eso', 'que onda con eso',
              'todavia nada', 'aun nada', 'ainda nada', 're podrido', 're podrida', 'podrido', 'podrida',
              'me tienen podrido', 'me tienen harto', 'me tienen harta', 'estoy harto', 'estoy harta',
              'cansado de esperar', 'cansada de esperar', 'es el colmo', 'una burla', 'ridiculo', 'ridicula',
              'palhacada', 'sacanagem', 'falta de seriedad', 'nadie me dice nada', 'ninguem resolve',
              'nadie resuelve', 'no me resuelven', 'nao resolvem', 'me dejaron plantado', 'me dejaron plantada',
              'me deixaram esperando', 'me tienen esperando', 'un desastre', 'que desastre', 'que verguenza',
              'pesimo', 'decepcionante']),
          -- Function words and fillers that read as something else
          ('stop', 1.0, 'is', array ['como funciona', 'como e que funciona', 'como es el tema',
              'como es la cosa', 'hace un rato', 'hace rato', 'hace poco', 'hace tiempo', 'hace dias',
              'hace unos dias', 'hace una semana', 'hace un mes', 'hace meses', 'faz tempo', 'faz pouco',
              'faz uns dias', 'faz uma semana', 'faz um mes', 'pega', 'chamba', 'laburo', 'trampo', 'curro',
              'trabajo', 'trabalho', 'mandanos', 'envianos', 'escribinos', 'escribenos', 'nos mandas',
              'nos envias', 'nos manda', 'manda pra gente', 'mande pra gente', 'oigan', 'oiga', 'ojo',
              'una pavada', 'pavada', 'oxe', 'oxente', 'visse', 'bo', 'ta bom', 'creche', 'guarderia',
              'escolinha', 'jardin infantil', 'sala cuna', 'autoescola', 'autoescuela', 'escuela de manejo',
              'gimnasio', 'gym', 'gimnasio', 'academia de ginastica', 'estudio', 'estudio fotografico',
              'optica', 'otica', 'grafica', 'imprenta', 'bicicleteria', 'bicicletaria', 'restaurante',
              'restaurant', 'negocito', 'emprendimiento', 'van', 'vao']),
          ('offer', 1.0, 'is', array ['me ayudan a', 'me ajudam a', 'me ayudan con', 'ayudan con', 'ajudam com']),
          -- Real words that read like a lexicon word once spelling is folded or stemmed
          ('word', 1.0, 'is', array ['comun', 'comunes', 'marco', 'marcos', 'orden', 'ordenes', 'cuadro',
              'cuadros', 'blanqueada', 'blanqueado', 'doblado', 'doblada', 'doblar', 'doblados', 'chico',
              'chica', 'chiquito', 'chiquita', 'pequeno', 'pequena', 'pequeña', 'pequeño', 'sesion', 'sesiones',
              'sessao', 'sessoes', 'marca', 'marcas'])) as v(concept, weight, role, terms)
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

/**
  * -------------------------------------------------------
  * Section - Backfill
  * -------------------------------------------------------
 */
select private.refresh_faq_terms(f.id)
from public.faqs f;

analyze private.faq_terms;
