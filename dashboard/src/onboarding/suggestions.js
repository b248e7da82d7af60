// Suggested first FAQs by kind of business, in each language. The owner reviews and
// edits every answer before saving: the times, prices and places here are examples.

export const BUSINESS_KINDS = ["bakery", "clinic", "salon", "shop"];

export const SUGGESTIONS = {
  es: {
    bakery: [
      {
        question: "¿Cuál es su horario?",
        answer: "Abrimos de lunes a sábado de 7:00 a 20:00 y los domingos de 8:00 a 14:00.",
        keywords: ["horario", "abren", "cierran", "hora"],
      },
      {
        question: "¿Dónde están ubicados?",
        answer: "Estamos en [tu dirección]. Te esperamos.",
        keywords: ["dirección", "ubicación", "dónde", "mapa"],
      },
      {
        question: "¿Hacen pasteles por encargo?",
        answer: "Sí, hacemos pasteles por encargo. Pídelo con al menos 2 días de anticipación y dinos para cuántas personas.",
        keywords: ["pastel", "encargo", "pedido", "cumpleaños"],
      },
      {
        question: "¿Hacen entregas a domicilio?",
        answer: "Sí, entregamos en la zona cercana. El envío cuesta [precio].",
        keywords: ["domicilio", "envío", "entrega"],
      },
    ],
    clinic: [
      {
        question: "¿Cuál es su horario de atención?",
        answer: "Atendemos de lunes a viernes de 9:00 a 19:00 y los sábados de 9:00 a 13:00.",
        keywords: ["horario", "atienden", "abren", "hora"],
      },
      {
        question: "¿Cómo agendo una cita?",
        answer: "Escríbenos tu nombre completo y el día que prefieres, y te confirmamos el horario disponible.",
        keywords: ["cita", "agendar", "consulta", "turno"],
      },
      {
        question: "¿Cuánto cuesta la consulta?",
        answer: "La consulta general cuesta [precio]. Aceptamos efectivo y tarjeta.",
        keywords: ["precio", "costo", "cuánto", "consulta"],
      },
      {
        question: "¿Dónde está el consultorio?",
        answer: "Estamos en [tu dirección].",
        keywords: ["dirección", "ubicación", "dónde"],
      },
    ],
    salon: [
      {
        question: "¿Cuál es su horario?",
        answer: "Abrimos de martes a sábado de 10:00 a 20:00 y los domingos de 10:00 a 15:00.",
        keywords: ["horario", "abren", "hora"],
      },
      {
        question: "¿Cómo hago una cita?",
        answer: "Dinos qué servicio quieres y qué día te acomoda, y te apartamos un lugar.",
        keywords: ["cita", "agendar", "apartar", "turno"],
      },
      {
        question: "¿Cuánto cuesta un corte?",
        answer: "El corte de dama cuesta [precio] y el de caballero [precio].",
        keywords: ["precio", "corte", "cuánto", "costo"],
      },
      {
        question: "¿Qué formas de pago aceptan?",
        answer: "Aceptamos efectivo, tarjeta y transferencia.",
        keywords: ["pago", "tarjeta", "transferencia", "efectivo"],
      },
    ],
    shop: [
      {
        question: "¿Cuál es su horario?",
        answer: "Abrimos de lunes a sábado de 9:00 a 20:00.",
        keywords: ["horario", "abren", "cierran", "hora"],
      },
      {
        question: "¿Dónde están ubicados?",
        answer: "Estamos en [tu dirección].",
        keywords: ["dirección", "ubicación", "dónde"],
      },
      {
        question: "¿Hacen envíos?",
        answer: "Sí, enviamos a todo el país. El envío cuesta [precio] y tarda de 2 a 5 días.",
        keywords: ["envío", "domicilio", "entrega", "mandan"],
      },
      {
        question: "¿Qué formas de pago aceptan?",
        answer: "Aceptamos efectivo, tarjeta y transferencia.",
        keywords: ["pago", "tarjeta", "transferencia", "efectivo"],
      },
    ],
  },
  pt: {
    bakery: [
      {
        question: "Qual é o horário de funcionamento?",
        answer: "Abrimos de segunda a sábado das 7h às 20h e aos domingos das 8h às 14h.",
        keywords: ["horário", "abrem", "fecham", "hora"],
      },
      {
        question: "Onde vocês ficam?",
        answer: "Estamos na [seu endereço]. Esperamos você.",
        keywords: ["endereço", "localização", "onde", "mapa"],
      },
      {
        question: "Vocês fazem bolos por encomenda?",
        answer: "Sim, fazemos bolos por encomenda. Peça com pelo menos 2 dias de antecedência e diga para quantas pessoas.",
        keywords: ["bolo", "encomenda", "pedido", "aniversário"],
      },
      {
        question: "Vocês fazem entrega?",
        answer: "Sim, entregamos na região. A entrega custa [preço].",
        keywords: ["entrega", "delivery", "envio"],
      },
    ],
    clinic: [
      {
        question: "Qual é o horário de atendimento?",
        answer: "Atendemos de segunda a sexta das 9h às 19h e aos sábados das 9h às 13h.",
        keywords: ["horário", "atendem", "abrem", "hora"],
      },
      {
        question: "Como marco uma consulta?",
        answer: "Envie seu nome completo e o dia que prefere, e confirmamos o horário disponível.",
        keywords: ["consulta", "marcar", "agendar", "horário"],
      },
      {
        question: "Quanto custa a consulta?",
        answer: "A consulta custa [preço]. Aceitamos dinheiro, cartão e Pix.",
        keywords: ["preço", "valor", "quanto", "consulta"],
      },
      {
        question: "Onde fica o consultório?",
        answer: "Estamos na [seu endereço].",
        keywords: ["endereço", "localização", "onde"],
      },
    ],
    salon: [
      {
        question: "Qual é o horário de funcionamento?",
        answer: "Abrimos de terça a sábado das 10h às 20h e aos domingos das 10h às 15h.",
        keywords: ["horário", "abrem", "hora"],
      },
      {
        question: "Como marco um horário?",
        answer: "Diga qual serviço você quer e o dia que prefere, e reservamos um horário.",
        keywords: ["horário", "marcar", "agendar", "reservar"],
      },
      {
        question: "Quanto custa um corte?",
        answer: "O corte feminino custa [preço] e o masculino [preço].",
        keywords: ["preço", "corte", "quanto", "valor"],
      },
      {
        question: "Quais formas de pagamento vocês aceitam?",
        answer: "Aceitamos dinheiro, cartão e Pix.",
        keywords: ["pagamento", "cartão", "pix", "dinheiro"],
      },
    ],
    shop: [
      {
        question: "Qual é o horário de funcionamento?",
        answer: "Abrimos de segunda a sábado das 9h às 20h.",
        keywords: ["horário", "abrem", "fecham", "hora"],
      },
      {
        question: "Onde vocês ficam?",
        answer: "Estamos na [seu endereço].",
        keywords: ["endereço", "localização", "onde"],
      },
      {
        question: "Vocês enviam pelo correio?",
        answer: "Sim, enviamos para todo o Brasil. O frete custa [preço] e leva de 2 a 5 dias.",
        keywords: ["envio", "frete", "entrega", "correio"],
      },
      {
        question: "Quais formas de pagamento vocês aceitam?",
        answer: "Aceitamos dinheiro, cartão e Pix.",
        keywords: ["pagamento", "cartão", "pix", "dinheiro"],
      },
    ],
  },
  en: {
    bakery: [
      {
        question: "What are your opening hours?",
        answer: "We are open Monday to Saturday from 7:00 to 20:00 and Sundays from 8:00 to 14:00.",
        keywords: ["hours", "open", "close", "time"],
      },
      {
        question: "Where are you located?",
        answer: "We are at [your address]. See you soon.",
        keywords: ["address", "location", "where", "map"],
      },
      {
        question: "Do you take cake orders?",
        answer: "Yes, we make cakes to order. Order at least 2 days ahead and tell us how many people it is for.",
        keywords: ["cake", "order", "birthday"],
      },
      {
        question: "Do you deliver?",
        answer: "Yes, we deliver nearby. Delivery costs [price].",
        keywords: ["delivery", "deliver", "shipping"],
      },
    ],
    clinic: [
      {
        question: "What are your opening hours?",
        answer: "We see patients Monday to Friday from 9:00 to 19:00 and Saturdays from 9:00 to 13:00.",
        keywords: ["hours", "open", "time"],
      },
      {
        question: "How do I book an appointment?",
        answer: "Send us your full name and the day you prefer, and we will confirm an available time.",
        keywords: ["appointment", "book", "booking"],
      },
      {
        question: "How much is a consultation?",
        answer: "A general consultation costs [price]. We accept cash and card.",
        keywords: ["price", "cost", "how much", "consultation"],
      },
      {
        question: "Where is the practice?",
        answer: "We are at [your address].",
        keywords: ["address", "location", "where"],
      },
    ],
    salon: [
      {
        question: "What are your opening hours?",
        answer: "We are open Tuesday to Saturday from 10:00 to 20:00 and Sundays from 10:00 to 15:00.",
        keywords: ["hours", "open", "time"],
      },
      {
        question: "How do I book an appointment?",
        answer: "Tell us which service you would like and which day suits you, and we will hold a slot.",
        keywords: ["appointment", "book", "booking"],
      },
      {
        question: "How much is a haircut?",
        answer: "A women's cut costs [price] and a men's cut [price].",
        keywords: ["price", "haircut", "cut", "how much"],
      },
      {
        question: "Which payment methods do you accept?",
        answer: "We accept cash, card and bank transfer.",
        keywords: ["payment", "card", "cash", "transfer"],
      },
    ],
    shop: [
      {
        question: "What are your opening hours?",
        answer: "We are open Monday to Saturday from 9:00 to 20:00.",
        keywords: ["hours", "open", "close", "time"],
      },
      {
        question: "Where are you located?",
        answer: "We are at [your address].",
        keywords: ["address", "location", "where"],
      },
      {
        question: "Do you ship?",
        answer: "Yes, we ship nationwide. Shipping costs [price] and takes 2 to 5 days.",
        keywords: ["shipping", "ship", "delivery"],
      },
      {
        question: "Which payment methods do you accept?",
        answer: "We accept cash, card and bank transfer.",
        keywords: ["payment", "card", "cash", "transfer"],
      },
    ],
  },
};
