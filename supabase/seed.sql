/**
  * -------------------------------------------------------
  * Seed - demo bakery for local development
  * -------------------------------------------------------
  * One business, Panadería La Espiga in Guadalajara, with a dozen clients,
  * labels, FAQs and three weeks of WhatsApp conversations ending just now.
  * Its identity is fixed in devstack/seed.py; keep the two in step.
  *
  * The seed runs after the migrations, on the local stand-in and on
  * Supabase (`supabase db reset`). Everything is one DO block that returns
  * early when the seed owner already exists, so loading it again changes
  * nothing. Times are relative to now() and the data is derived from md5
  * of fixed keys, so every load has the same shape.
 */
do
$seed$
    declare
        seed_owner constant uuid := '5eed0000-0000-4000-8000-000000000001';
    begin
        -- Idempotency: the auth user is the first row written, so its presence
        -- means the whole seed is already there.
        if exists (select 1 from auth.users where id = seed_owner) then
            raise notice 'seed: the demo business already exists, nothing to do';
            return;
        end if;

        /**
          * -------------------------------------------------------
          * Section - Owner
          * -------------------------------------------------------
          * Only columns that the local stand-in's auth.users shares with
          * Supabase's. The auth.users trigger creates public.users.
         */
        insert into auth.users (instance_id, id, aud, role, email, encrypted_password,
                                email_confirmed_at, raw_app_meta_data, raw_user_meta_data,
                                is_super_admin, created_at, updated_at)
        values ('00000000-0000-0000-0000-000000000000',
                seed_owner,
                'authenticated',
                'authenticated',
                'panaderia@facilchat.dev',
                extensions.crypt('facilchat-demo', extensions.gen_salt('bf')),
                now() - interval '45 days',
                '{"provider": "email", "providers": ["email"]}'::jsonb,
                '{"full_name": "Lucía Hernández"}'::jsonb,
                false,
                now() - interval '45 days',
                now() - interval '45 days');

        update public.users
        set business_name    = 'Panadería La Espiga',
            whatsapp_number  = '+5213312345678',
            timezone         = 'America/Mexico_City',
            business_hours   = '{"mon": [["07:00", "20:00"]], "tue": [["07:00", "20:00"]],
                                 "wed": [["07:00", "20:00"]], "thu": [["07:00", "20:00"]],
                                 "fri": [["07:00", "20:00"]], "sat": [["07:00", "20:00"]],
                                 "sun": [["08:00", "14:00"]]}'::jsonb,
            fallback_message = 'Gracias por escribir a Panadería La Espiga 🥖 En un momento te atendemos.',
            away_message     = 'Gracias por escribirnos 🌙 Ahorita estamos cerrados. Abrimos de lunes a sábado '
                                   || 'de 7:00 a 20:00 y los domingos de 8:00 a 14:00; te respondemos en cuanto abramos.',
            onboarding_complete = true,
            created_at       = now() - interval '45 days'
        where id = seed_owner;

        /**
          * -------------------------------------------------------
          * Section - FAQs
          * -------------------------------------------------------
          * position doubles as the key the conversation prompts below use.
          * The rosca FAQ is seasonal, so it is kept but inactive.
         */
        insert into public.faqs (owner_id, position, question, answer, keywords, active, created_at, updated_at)
        select seed_owner, f.position, f.question, f.answer, f.keywords, f.active,
               now() - interval '44 days', now() - interval '44 days'
        from (values (1, '¿Cuál es su horario?',
                      'Abrimos de lunes a sábado de 7:00 a 20:00 y los domingos de 8:00 a 14:00. '
                          || 'El pan sale del horno a las 7:00 y a las 17:00 🥐',
                      '{horario,abren,cierran,hora,domingo,abierto}'::text[], true),
                     (2, '¿Dónde están ubicados?',
                      'Estamos en Calle Libertad 1842, col. Americana, Guadalajara, a dos cuadras de '
                          || 'Av. Chapultepec. Aquí está el mapa: https://maps.google.com/?q=20.6747,-103.3705',
                      '{dirección,ubicación,dónde,queda,sucursal,mapa}', true),
                     (3, '¿Cuánto cuestan los pasteles?',
                      'Nuestros pasteles de línea (tres leches, chocolate, zanahoria y red velvet) cuestan '
                          || '$320 el chico (8 a 10 personas), $480 el mediano (15 a 20) y $690 el grande '
                          || '(25 a 30). Los rellenos especiales tienen un costo extra de $60.',
                      '{precio,cuesta,cuánto,costo,pastel,pasteles}', true),
                     (4, '¿Hacen pasteles personalizados?',
                      '¡Sí! Hacemos pasteles temáticos y con diseño 🎂 Mándanos una foto o idea del diseño, '
                          || 'para cuántas personas y la fecha, y te cotizamos. Los personalizados se piden '
                          || 'con al menos 3 días de anticipación.',
                      '{personalizado,diseño,temático,fondant,foto,figura}', true),
                     (5, '¿Con cuánta anticipación tengo que hacer mi pedido?',
                      'Para pasteles de línea basta con 24 horas. Pedidos grandes (más de 100 piezas de pan) '
                          || 'y pasteles personalizados, mínimo 3 días antes. Para apartar pedimos un '
                          || 'anticipo del 50%.',
                      '{encargo,encargar,anticipación,apartar,pedido,anticipo}', true),
                     (6, '¿Hacen entregas a domicilio?',
                      'Sí, entregamos en Guadalajara y Zapopan de martes a domingo. El envío cuesta $60 hasta '
                          || '5 km y $90 hasta 10 km; en pedidos de más de $1,000 es gratis. También nos '
                          || 'encuentras en Rappi y DiDi Food.',
                      '{domicilio,envío,entrega,llevan,mandan,repartidor}', true),
                     (7, '¿Qué formas de pago aceptan?',
                      'Aceptamos efectivo, tarjeta de débito y crédito (Visa, Mastercard y American Express) '
                          || 'y transferencia. Para los anticipos te mandamos los datos de la cuenta al '
                          || 'confirmar tu pedido.',
                      '{pago,pagar,tarjeta,transferencia,efectivo,depósito}', true),
                     (8, '¿Tienen pan sin gluten?',
                      'Sí: los viernes y sábados horneamos pan de caja y galletas sin gluten, y el brownie sin '
                          || 'harina lo tenemos todos los días. Se preparan aparte, pero en nuestra cocina '
                          || 'también usamos trigo, así que no podemos garantizarlos para personas celíacas.',
                      '{gluten,celíaco,celíaca,trigo,harina}', true),
                     (9, '¿Pueden facturar?',
                      'Claro. Mándanos por aquí tu constancia de situación fiscal, la foto del ticket y el uso '
                          || 'de CFDI, y te enviamos la factura a tu correo en máximo 48 horas. Se factura '
                          || 'dentro del mismo mes de la compra.',
                      '{factura,facturar,facturación,rfc,cfdi,fiscal}', true),
                     (10, '¿Venden por mayoreo?',
                      'Sí, surtimos a cafeterías, restaurantes y eventos. A partir de 50 piezas de pan dulce o '
                          || '100 bolillos manejamos precio de mayoreo. Escríbenos qué necesitas y cada cuándo, '
                          || 'y te mandamos la lista de precios.',
                      '{mayoreo,cafetería,restaurante,negocio,volumen,evento}', true),
                     (11, '¿Ya tienen rosca de reyes?',
                      'Las roscas salen del 2 al 6 de enero: chica $250, mediana $380 y grande $520. '
                          || 'Se pueden apartar desde el 15 de diciembre.',
                      '{rosca,reyes}', false))
                 as f(position, question, answer, keywords, active);

        /**
          * -------------------------------------------------------
          * Section - Labels
          * -------------------------------------------------------
          * Manual labels carry no keywords. The two built-ins already exist
          * (every new business gets them); the seed only sets their look.
         */
        insert into public.labels (owner_id, name, color, type, keywords, builtin, created_at, updated_at)
        select seed_owner, l.name, l.color, l.type, l.keywords, l.builtin,
               now() - interval '44 days', now() - interval '44 days'
        from (values ('Pedido grande', '#f97316', 'manual', '{}'::text[], null),
                     ('Mayoreo', '#0ea5e9', 'manual', '{}', null),
                     ('Cliente frecuente', '#22c55e', 'manual', '{}', null),
                     ('Pago pendiente', '#eab308', 'manual', '{}', null),
                     ('Pasteles', '#ec4899', 'auto', '{pastel,pastelito,cumpleaños}', null),
                     ('Facturación', '#8b5cf6', 'auto', '{factura,facturar,rfc,cfdi}', null),
                     ('Sin gluten', '#14b8a6', 'auto', '{gluten,celíaca,celíaco}', null),
                     ('Cliente nuevo', '#3b82f6', 'auto', '{}', 'new_client'),
                     ('Requiere atención', '#ef4444', 'auto', '{}', 'needs_attention'))
                 as l(name, color, type, keywords, builtin)
        on conflict (owner_id, builtin) do update
            set name = excluded.name, color = excluded.color, created_at = excluded.created_at;

        /**
          * -------------------------------------------------------
          * Section - Clients and their conversation plan
          * -------------------------------------------------------
          * The plan says how each client talks: how many conversations, over
          * which span (first one days ago, last message minutes ago), which
          * FAQ they tend to ask about, what their last conversation opens
          * with (when it matters for the demo), and how many of their latest
          * inbound messages the owner has not read. It lives only for this
          * transaction.
         */
        create temporary table pg_temp.seed_client on commit drop as
        select *
        from (values (1, '+5213318472615', 'María Guadalupe Torres', 'active', 14, 20.6, 6, 2, 3, null),
                     (2, '+5213320947731', 'José Luis Ramírez', 'active', 12, 20.2, 95, 0, 10, null),
                     (3, '+5213336610482', 'Ana Sofía Delgado', 'active', 10, 19.4, 38, 1, 4, 10),
                     (4, '+5213311928374', 'Carlos Mendoza Ávila', 'active', 9, 18.3, 300, 0, 5, null),
                     (5, '+5213340028195', 'Fernanda Ruiz Cervantes', 'active', 8, 17.1, 22, 1, 8, 19),
                     (6, '+5213325573902', 'Jorge Alberto Castillo', 'active', 8, 15.2, 1260, 0, 6, null),
                     (7, '+5213319906648', 'Daniela Ochoa Lara', 'active', 7, 16.4, 4320, 0, 9, null),
                     (8, '+5213330184457', 'Ricardo Navarro Gil', 'archived', 5, 20.8, 20160, 0, null, null),
                     (9, '+5213314459023', 'Patricia Gómez Villaseñor', 'archived', 4, 19.9, 15840, 0, 7, null),
                     (10, '+5213327731860', 'Miguel Ángel Sandoval', 'active', 4, 18.7, 7200, 1, 1, null),
                     (11, '+5213343308516', 'Valeria Íñiguez Pérez', 'active', 2, 3.2, 140, 0, 3, null),
                     (12, '+5213312087764', 'Alejandro Fuentes Rosas', 'active', 3, 5.4, 12, 1, null, 32))
                 as p(n, phone, name, status, conversations, first_days_ago, last_minutes_ago,
                      unread, favorite_faq, last_prompt);

        insert into public.clients (owner_id, phone, name, status)
        select seed_owner, p.phone, p.name, p.status
        from pg_temp.seed_client p;

        /**
          * What clients write. A prompt with a FAQ position gets that FAQ's
          * answer; one without gets the fallback (or the away message after
          * hours) and, usually, a manual reply from the owner later.
         */
        create temporary table pg_temp.seed_prompt on commit drop as
        select *
        from (values (1, 1, '¿A qué hora abren mañana?', null, null),
                     (2, 1, 'Buenas tardes, ¿el domingo abren?', null, null),
                     (3, 1, 'Hola! hasta qué hora están abiertos hoy?', null, null),
                     (4, 2, 'Hola, ¿dónde queda la panadería?', null, null),
                     (5, 2, 'Me pasa su ubicación por favor 🙏', null, null),
                     (6, 3, '¿Cuánto cuesta un pastel de tres leches para 20 personas?', null, null),
                     (7, 3, 'Qué precio tiene el pastel de chocolate mediano?', null, null),
                     (8, 3, 'Buen día, ¿precio del pastel de zanahoria chico?', null, null),
                     (9, 4, 'Quiero un pastel de cumpleaños de Bluey para mi hijo, ¿lo hacen?', null, null),
                     (10, 4, '¿Hacen pasteles personalizados? Quiero uno así 👇', 'photo', null),
                     (11, 4, 'Me lo pueden hacer con este diseño? Es para el sábado', 'photo', null),
                     (12, 5, 'Necesito 200 bolillos para el sábado, ¿con cuánto tiempo lo encargo?', null, null),
                     (13, 5, '¿Puedo apartar un pastel para el viernes?', null, null),
                     (14, 6, '¿Hacen entregas a domicilio en Zapopan?', null, null),
                     (15, 6, '¿Me lo pueden llevar a la casa?', null, null),
                     (16, 7, '¿Aceptan tarjeta?', null, null),
                     (17, 7, 'Puedo pagar por transferencia?', null, null),
                     (18, 8, '¿Tienen pan sin gluten?', null, null),
                     (19, 8, 'Mi hija es celíaca, ¿qué le puedo llevar?', null, null),
                     (20, 9, 'Necesito factura de mi compra de ayer, ¿cómo la pido?', null, null),
                     (21, 9, '¿Me pueden facturar? Ya les había dado mi RFC', null, null),
                     (22, 10, 'Tengo una cafetería, ¿venden por mayoreo?', null, null),
                     (23, 10, 'Buenas, ¿qué precio de mayoreo manejan en conchas?', null, null),
                     (24, null, '¿Todavía les quedan conchas de vainilla?', null,
                      'Sí, todavía hay 😊 ¿Te apartamos algunas?'),
                     (25, null, 'Hola, ¿ya salió el pan de elote?', null,
                      'Sale a las 5 de la tarde. Si quieres te guardamos uno.'),
                     (26, null, 'Ayer compré unas donas y estaban buenísimas 😋', null,
                      '¡Qué gusto leer eso! Gracias por tu preferencia 🥰'),
                     (27, null, 'Se me olvidó una bolsa en la tienda, ¿la guardaron?', null,
                      'Sí, aquí la tenemos en caja. Puedes pasar por ella cuando gustes.'),
                     (28, null, '¿Están contratando? Busco trabajo de ayudante', null,
                      'Por ahora no, pero déjanos tu nombre y te avisamos si se abre un lugar.'),
                     (29, null, '', 'location',
                      'Recibida tu ubicación 📍 El repartidor sale a las 12.'),
                     (30, null, 'Hola, buen día', null, '¡Hola! ¿En qué te podemos ayudar?'),
                     -- The rosca FAQ is inactive, so this one falls back too.
                     (31, null, '¿Ya tienen rosca de reyes?', null,
                      'Todavía no, las roscas salen del 2 al 6 de enero 👑 Si quieres ya te apartamos una.'),
                     (32, null, 'Buenas, ¿a cómo tienen el bolillo? Necesito para una fiesta', null,
                      'El bolillo está a $3.50 y la telera a $4 🥖 ¿Cuántos necesitas?'),
                     (33, null, '¿Me pueden marcar? Es para un pedido de boda', null,
                      'Claro, en un momento te llamamos 📞'),
                     (34, 3, '¿En cuánto sale un pastel red velvet grande?', null, null),
                     (35, 1, 'Buen día, ¿ya están abiertos?', null, null),
                     (36, 6, '¿Cuánto cobran de envío a Tlaquepaque?', null, null))
                 as t(id, faq_position, body, media_kind, manual_reply);

        /**
          * -------------------------------------------------------
          * Section - Messages
          * -------------------------------------------------------
          * Each conversation is up to six slots: 1 question, 2 automatic
          * reply, 3 second question, 4 its FAQ answer, 5 the owner's manual
          * reply, 6 a closing thanks. Older conversations are spread over the
          * days, mostly within opening hours; each client's last one is
          * placed so that it ends last_minutes_ago before now().
         */
        with conv as materialized
                 (select p.*,
                         c.id as client_id,
                         j,
                         j = p.conversations as is_last,
                         gen_random_uuid() as q1_message_id,
                         gen_random_uuid() as q2_message_id,
                         ('x' || substr(h.a, 1, 7))::bit(28)::int as r1,
                         ('x' || substr(h.a, 8, 7))::bit(28)::int as r2,
                         ('x' || substr(h.a, 15, 7))::bit(28)::int as r3,
                         ('x' || substr(h.a, 22, 7))::bit(28)::int as r4,
                         ('x' || substr(h.b, 1, 7))::bit(28)::int as r5,
                         ('x' || substr(h.b, 8, 7))::bit(28)::int as r6
                  from pg_temp.seed_client p
                           join public.clients c on c.owner_id = seed_owner and c.phone = p.phone
                           cross join lateral generate_series(1, p.conversations) as j
                           cross join lateral (select md5('facilchat-seed/' || p.phone || '/' || j) as a,
                                                      md5('facilchat-seed/' || p.phone || '/' || j || '/b') as b) h),
             picked as
                 (select conv.*,
                         q1.faq_position as q1_faq,
                         q1.body as q1_body,
                         q1.media_kind,
                         q1.manual_reply,
                         q2.faq_position as q2_faq,
                         q2.body as q2_body
                  from conv
                           -- In 40% of conversations a client asks about their favourite topic.
                           cross join lateral (select array_agg(t.id order by t.id) as ids
                                               from pg_temp.seed_prompt t
                                               where conv.r1 % 10 >= 4
                                                  or conv.favorite_faq is null
                                                  or t.faq_position = conv.favorite_faq) c1
                           join pg_temp.seed_prompt q1
                                on q1.id = coalesce(case when conv.is_last then conv.last_prompt end,
                                                    c1.ids[1 + conv.r2 % cardinality(c1.ids)])
                           -- A second, practical question (hours, place, delivery,
                           -- payment) in 30% of conversations.
                           cross join lateral (select array_agg(t.id order by t.id) as ids
                                               from pg_temp.seed_prompt t
                                               where t.faq_position in (1, 2, 6, 7)
                                                 and t.faq_position is distinct from q1.faq_position) c2
                           left join pg_temp.seed_prompt q2
                                     on conv.r3 % 100 < 30 and q2.id = c2.ids[1 + conv.r4 % cardinality(c2.ids)]),
             -- Offsets in seconds from the opening question: automatic replies
             -- within seconds, a second question within minutes, the owner later.
             timed as
                 (select picked.*,
                         a.off_a1,
                         b.off_q2,
                         b.off_a2,
                         m.off_manual,
                         case
                             when picked.r5 % 100 < 45
                                 then coalesce(m.off_manual, b.off_a2, a.off_a1) + 60 + picked.r6 % 900
                             end as off_thanks
                  from picked
                           cross join lateral (select 3 + picked.r2 % 5 as off_a1) a
                           cross join lateral (select q.q2 as off_q2, q.q2 + 3 + picked.r4 % 5 as off_a2
                                               from (select case
                                                                when picked.q2_body is not null
                                                                    then a.off_a1 + 40 + picked.r3 % 200
                                                                end as q2) q) b
                           -- The owner answers most unmatched questions, but has
                           -- not yet seen the last conversation of an unread client.
                           cross join lateral (select case
                                                          when picked.manual_reply is not null
                                                              and picked.r4 % 100 < 85
                                                              and not (picked.is_last and picked.unread > 0)
                                                              then coalesce(b.off_a2, a.off_a1) + 300 + picked.r1 % 2400
                                                          end as off_manual) m),
             lasting as
                 (select timed.*, coalesce(off_thanks, off_manual, off_a2, off_a1) as duration
                  from timed),
             placed as
                 (select lasting.*,
                         case
                             when is_last then
                                 now() - make_interval(mins => last_minutes_ago) - make_interval(secs => duration)
                             else
                                 -- Whole days back from today, at a local time of day that is
                                 -- within opening hours 88% of the time.
                                 (((now() at time zone u.timezone)::date
                                     - greatest(round(first_days_ago - (first_days_ago - last_minutes_ago / 1440.0)
                                                                           * (j - 1) / nullif(conversations - 1, 0))::int,
                                                floor(last_minutes_ago / 1440.0)::int + 1))
                                     + case
                                           when r1 % 100 < 88 then time '07:30' + make_interval(mins => r2 % 720)
                                           else time '20:30' + make_interval(mins => r2 % 120)
                                       end) at time zone u.timezone
                             end as started_at,
                         u.timezone,
                         u.business_hours,
                         u.fallback_message,
                         u.away_message
                  from lasting
                           join public.users u on u.id = seed_owner),
             replied as
                 (select placed.*,
                         case
                             when q1_faq is not null then 'faq'
                             when exists (select 1
                                          from jsonb_array_elements(
                                                       business_hours
                                                           -> lower(to_char(started_at at time zone timezone, 'dy'))) w
                                          where (started_at at time zone timezone)::time >= (w ->> 0)::time
                                            and (started_at at time zone timezone)::time < (w ->> 1)::time)
                                 then 'fallback'
                             else 'away'
                             end as a1_kind,
                         f1.id as q1_faq_id,
                         f1.answer as q1_answer,
                         f2.id as q2_faq_id,
                         f2.answer as q2_answer
                  from placed
                           left join public.faqs f1 on f1.owner_id = seed_owner and f1.position = q1_faq
                           left join public.faqs f2 on f2.owner_id = seed_owner and f2.position = q2_faq),
             slotted as
                 (select replied.*,
                         s.slot,
                         s.slot in (1, 3, 6) as inbound,
                         'SM' || md5('facilchat-seed/' || phone || '/' || j || '/' || s.slot) as sid,
                         started_at + make_interval(secs => case s.slot
                                                                when 1 then 0
                                                                when 2 then off_a1
                                                                when 3 then off_q2
                                                                when 4 then off_a2
                                                                when 5 then off_manual
                                                                else off_thanks end) as sent_at
                  from replied
                           cross join (values (1), (2), (3), (4), (5), (6)) as s(slot)
                  where s.slot in (1, 2)
                     or (s.slot in (3, 4) and q2_body is not null)
                     or (s.slot = 5 and off_manual is not null)
                     or (s.slot = 6 and off_thanks is not null))
        insert
        into public.messages (id, owner_id, client_id, direction, content, media, status, twilio_message_id,
                              reply_kind, faq_id, in_reply_to, attempts, "timestamp", created_at, updated_at)
        select case slot when 1 then q1_message_id when 3 then q2_message_id else gen_random_uuid() end,
               seed_owner,
               client_id,
               case when inbound then 'in' else 'out' end,
               case slot
                   when 1 then q1_body
                   when 2 then case a1_kind
                                   when 'faq' then q1_answer
                                   when 'fallback' then fallback_message
                                   else away_message end
                   when 3 then q2_body
                   when 4 then q2_answer
                   when 5 then manual_reply
                   else (array ['¡Muchas gracias!', 'Perfecto, gracias 🙌', 'Ok, paso en la tarde',
                                'Va, muchas gracias', 'Súper, gracias 😊', 'Gracias, muy amables'])[1 + r3 % 6]
                   end,
               case
                   when slot = 1 and media_kind = 'photo' then
                       jsonb_build_array(jsonb_build_object(
                               'url', 'https://api.twilio.com/2010-04-01/Accounts/AC'
                                          || md5('facilchat-seed/account') || '/Messages/' || sid
                                          || '/Media/ME' || md5(sid),
                               'content_type', 'image/jpeg'))
                   when slot = 1 and media_kind = 'location' then
                       jsonb_build_array(jsonb_build_object(
                               'latitude', round(20.64 + (r5 % 700) / 10000.0, 6),
                               'longitude', round(-103.42 + (r6 % 900) / 10000.0, 6)))
                   else '[]'::jsonb
                   end,
               case when inbound then 'received' when r6 % 10 < 6 then 'read' else 'delivered' end,
               sid,
               case slot when 2 then a1_kind when 4 then 'faq' when 5 then 'manual' end,
               case slot when 2 then q1_faq_id when 4 then q2_faq_id end,
               case slot when 2 then q1_message_id when 4 then q2_message_id when 5 then q1_message_id end,
               case when inbound then 0 else 1 end,
               sent_at,
               sent_at,
               case when inbound then sent_at else sent_at + interval '4 seconds' end
        from slotted;

        /**
          * Hand-written moments the generator does not produce:
          * Miguel opts out (BAJA) and writes again, getting no automatic
          * reply; two owner messages sent after WhatsApp's 24-hour window
          * fail with Twilio's error 63016.
         */
        with special as materialized
                 (select gen_random_uuid() as id,
                         m.*,
                         c.id as client_id,
                         ((now() at time zone u.timezone)::date - m.days_back + m.local_time)
                             at time zone u.timezone as sent_at
                  from (values ('miguel-baja', null, '+5213327731860', 'in', 'BAJA', 'received',
                                null, null, null, 3, time '18:40:00'),
                               ('miguel-baja-ok', 'miguel-baja', '+5213327731860', 'out',
                                'Listo, ya no te enviaremos respuestas automáticas. Si quieres volver a '
                                    || 'recibirlas, escribe ALTA.',
                                'delivered', 'opt_out', null, null, 3, time '18:40:03'),
                               ('miguel-otra', null, '+5213327731860', 'in', 'Oigan, ¿a qué hora cierran hoy?',
                                'received', null, null, null, 1, time '17:20:00'),
                               ('ricardo-bolillos', null, '+5213330184457', 'out',
                                'Hola Ricardo, ¿te apartamos tus bolillos para esta semana?', 'failed', 'manual',
                                '63016',
                                'Failed to send freeform message because you are outside the allowed window. '
                                    || 'If you are using WhatsApp, please use a Message Template.',
                                12, time '10:05:00'),
                               ('daniela-factura', null, '+5213319906648', 'out',
                                'Hola Daniela, ya quedó tu factura, te la mandamos a tu correo 📄', 'failed',
                                'manual', '63016',
                                'Failed to send freeform message because you are outside the allowed window. '
                                    || 'If you are using WhatsApp, please use a Message Template.',
                                1, time '10:15:00'))
                           as m(key, reply_to, phone, direction, content, status, reply_kind, error_code, error,
                                days_back, local_time)
                           join public.clients c on c.owner_id = seed_owner and c.phone = m.phone
                           join public.users u on u.id = seed_owner)
        insert
        into public.messages (id, owner_id, client_id, direction, content, status, twilio_message_id,
                              reply_kind, error_code, error, in_reply_to, attempts, "timestamp", created_at,
                              updated_at)
        select s.id, seed_owner, s.client_id, s.direction, s.content, s.status,
               'SM' || md5('facilchat-seed/special/' || s.key),
               s.reply_kind, s.error_code, s.error,
               (select r.id from special r where r.key = s.reply_to),
               case when s.direction = 'out' then 1 else 0 end,
               s.sent_at,
               s.sent_at,
               s.sent_at + case when s.direction = 'out' then interval '4 seconds' else interval '0' end
        from special s;

        update public.clients c
        set opted_out    = true,
            opted_out_at = m."timestamp"
        from public.messages m
        where c.owner_id = seed_owner
          and c.phone = '+5213327731860'
          and m.owner_id = c.owner_id
          and m.twilio_message_id = 'SM' || md5('facilchat-seed/special/miguel-baja');

        /**
          * -------------------------------------------------------
          * Section - Client bookkeeping from the messages
          * -------------------------------------------------------
          * created_at and last_message_at come from the first and newest
          * message. The owner has read up to just before the client's
          * `unread` newest inbound messages; unread_count is then counted.
         */
        update public.clients c
        set created_at      = s.first_at,
            last_message_at = s.last_at,
            last_read_at    = s.read_at
        from (select c2.id,
                     min(m."timestamp") as first_at,
                     max(m."timestamp") as last_at,
                     case
                         when p.unread = 0 then max(m."timestamp")
                         else (select coalesce(max(m2."timestamp"), oldest_unread."timestamp" - interval '1 second')
                               from public.messages m2
                               where m2.owner_id = seed_owner
                                 and m2.client_id = c2.id
                                 and m2."timestamp" < oldest_unread."timestamp")
                         end as read_at
              from public.clients c2
                       join pg_temp.seed_client p on p.phone = c2.phone
                       join public.messages m on m.owner_id = c2.owner_id and m.client_id = c2.id
                       cross join lateral (select mi."timestamp"
                                           from public.messages mi
                                           where mi.owner_id = c2.owner_id
                                             and mi.client_id = c2.id
                                             and mi.direction = 'in'
                                           order by mi."timestamp" desc
                                           offset greatest(p.unread, 1) - 1
                                           limit 1) oldest_unread
              where c2.owner_id = seed_owner
              group by c2.id, p.unread, oldest_unread."timestamp") s
        where c.id = s.id;

        update public.clients c
        set unread_count = (select count(*)
                            from public.messages m
                            where m.owner_id = c.owner_id
                              and m.client_id = c.id
                              and m.direction = 'in'
                              and m."timestamp" > c.last_read_at)
        where c.owner_id = seed_owner;

        /**
          * -------------------------------------------------------
          * Section - Client labels
          * -------------------------------------------------------
          * Keyword labels follow what clients actually wrote; the built-ins
          * follow the data (first message in the last week; the bot's last
          * reply was the fallback or away message and nobody has answered).
          * Manual labels are the owner's picks.
         */
        insert into public.client_labels (client_id, label_id, created_at, updated_at)
        select m.client_id, l.id, min(m.created_at), min(m.created_at)
        from public.labels l
                 join public.messages m on m.owner_id = l.owner_id and m.direction = 'in'
        where l.owner_id = seed_owner
          and l.type = 'auto'
          and l.builtin is null
          and exists (select 1 from unnest(l.keywords) k where lower(m.content) like '%' || k || '%')
        group by m.client_id, l.id;

        insert into public.client_labels (client_id, label_id, created_at, updated_at)
        select c.id, l.id, c.created_at, c.created_at
        from public.clients c
                 join public.labels l on l.owner_id = c.owner_id and l.builtin = 'new_client'
        where c.owner_id = seed_owner
          and c.created_at > now() - interval '7 days';

        insert into public.client_labels (client_id, label_id, created_at, updated_at)
        select c.id, l.id, last_out.created_at, last_out.created_at
        from public.clients c
                 join public.labels l on l.owner_id = c.owner_id and l.builtin = 'needs_attention'
                 cross join lateral (select m.created_at, m.reply_kind
                                     from public.messages m
                                     where m.owner_id = c.owner_id
                                       and m.client_id = c.id
                                       and m.direction = 'out'
                                     order by m.created_at desc
                                     limit 1) last_out
        where c.owner_id = seed_owner
          and c.status = 'active'
          and last_out.reply_kind in ('fallback', 'away');

        insert into public.client_labels (client_id, label_id, created_at, updated_at)
        select c.id, l.id, c.created_at + interval '1 day', c.created_at + interval '1 day'
        from (values ('+5213318472615', 'Cliente frecuente'),
                     ('+5213318472615', 'Pago pendiente'),
                     ('+5213320947731', 'Mayoreo'),
                     ('+5213320947731', 'Cliente frecuente'),
                     ('+5213320947731', 'Pedido grande'),
                     ('+5213325573902', 'Pedido grande'),
                     ('+5213311928374', 'Cliente frecuente'),
                     ('+5213330184457', 'Mayoreo'))
                 as x(phone, label_name)
                 join public.clients c on c.owner_id = seed_owner and c.phone = x.phone
                 join public.labels l on l.owner_id = seed_owner and l.name = x.label_name
        on conflict (client_id, label_id) do nothing;
    end
$seed$;
