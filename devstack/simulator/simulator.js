// The WhatsApp simulator: you play a customer writing to a business.
// Sending goes through POST /simulator/api/send (signed like Twilio, to the real webhook);
// the business's replies are polled from GET /simulator/api/replies (the Twilio API's list).
"use strict";

(function () {
  var POLL_MS = 1000;
  var E164 = /^\+[1-9][0-9]{6,14}$/;
  var STORE = "facilchat-simulator";

  var el = {
    customer: document.getElementById("customer"),
    customerHint: document.getElementById("customer-hint"),
    newCustomer: document.getElementById("new-customer"),
    business: document.getElementById("business"),
    messages: document.getElementById("messages"),
    error: document.getElementById("error"),
    composer: document.getElementById("composer"),
    text: document.getElementById("text"),
    send: document.getElementById("send"),
    title: document.getElementById("chat-title"),
    subtitle: document.getElementById("chat-subtitle"),
    avatar: document.getElementById("avatar"),
  };

  var businesses = [];
  var timeline = []; // {side: "me"|"them", id, text, time, status, problem}
  var conversationKey = null;
  var polling = false;
  var pollError = false;

  // --- small helpers ------------------------------------------------------------------

  function randomCustomer() {
    var digits = "";
    for (var i = 0; i < 8; i++) digits += Math.floor(Math.random() * 10);
    return "+52133" + digits;
  }

  // "+52 1 33-1234 5678" → "+5213312345678"; anything else is left for E164 to refuse.
  function normalizeNumber(value) {
    return value.trim().replace(/[\s().-]/g, "");
  }

  function load(name, fallback) {
    try {
      var value = window.localStorage.getItem(STORE + ":" + name);
      return value === null ? fallback : value;
    } catch (e) {
      return fallback;
    }
  }

  function save(name, value) {
    try {
      window.localStorage.setItem(STORE + ":" + name, value);
    } catch (e) { /* private mode: nothing to keep */ }
  }

  function clock(date) {
    return date.toLocaleTimeString("es-MX", { hour: "2-digit", minute: "2-digit" });
  }

  function describe(detail, status) {
    if (typeof detail === "string" && detail) return detail;
    if (Array.isArray(detail)) return "datos no válidos (" + detail.length + " errores)";
    return "el servidor respondió " + status;
  }

  function showError(message, fromPoll) {
    el.error.textContent = message;
    el.error.hidden = false;
    pollError = Boolean(fromPoll);
  }

  function clearError() {
    el.error.textContent = "";
    el.error.hidden = true;
    pollError = false;
  }

  async function api(method, path, body) {
    var options = { method: method, headers: { Accept: "application/json" } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    var response;
    try {
      response = await fetch(path, options);
    } catch (e) {
      throw new Error("no hay conexión con el servidor local (¿sigue corriendo make dev?)");
    }
    var data = null;
    try {
      data = await response.json();
    } catch (e) { /* not JSON */ }
    if (!response.ok) {
      throw new Error(describe(data && data.detail, response.status));
    }
    return data;
  }

  // --- ticks --------------------------------------------------------------------------

  var SVG_NS = "http://www.w3.org/2000/svg";
  var ONE_TICK = "M4 8.5 7 11.5 13 4.5";
  var TWO_TICKS = ["M1.5 8.5 4.5 11.5 10.5 4.5", "M7.5 11.5 13.5 4.5"];
  var CLOCK = ["M8 2.5a5.5 5.5 0 1 0 0 11a5.5 5.5 0 1 0 0-11z", "M8 5v3.3l2 1.4"];
  var LABELS = {
    sending: "Enviando…",
    queued: "En cola",
    accepted: "En cola",
    scheduled: "En cola",
    sent: "Enviado",
    delivered: "Entregado",
    read: "Leído",
    received: "Recibido por el negocio",
  };

  function icon(paths, width) {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 " + width + " 16");
    svg.setAttribute("width", String(width));
    svg.setAttribute("height", "16");
    svg.setAttribute("aria-hidden", "true");
    paths.forEach(function (d) {
      var path = document.createElementNS(SVG_NS, "path");
      path.setAttribute("d", d);
      path.setAttribute("fill", "none");
      path.setAttribute("stroke", "currentColor");
      path.setAttribute("stroke-width", "1.6");
      path.setAttribute("stroke-linecap", "round");
      path.setAttribute("stroke-linejoin", "round");
      svg.appendChild(path);
    });
    return svg;
  }

  function ticks(status) {
    var span = document.createElement("span");
    span.className = "ticks";
    span.dataset.status = status || "";
    if (status === "failed" || status === "undelivered") {
      span.className += " failed";
      span.textContent = "!";
      span.title = status === "failed" ? "Falló" : "No entregado";
      return span;
    }
    if (status === "sent") {
      span.appendChild(icon([ONE_TICK], 16));
    } else if (status === "delivered" || status === "received") {
      span.appendChild(icon(TWO_TICKS, 16));
    } else if (status === "read") {
      span.className += " read";
      span.appendChild(icon(TWO_TICKS, 16));
    } else {
      span.appendChild(icon(CLOCK, 16));
    }
    span.title = LABELS[status] || status || "";
    span.setAttribute("aria-label", span.title);
    return span;
  }

  // --- the conversation ---------------------------------------------------------------

  function currentCustomer() {
    return normalizeNumber(el.customer.value);
  }

  function currentBusiness() {
    return el.business.value;
  }

  function keyFor(customer, business) {
    return customer + ">" + business;
  }

  function saveTimeline(key, list) {
    key = key === undefined ? conversationKey : key;
    if (!key) return;
    try {
      window.sessionStorage.setItem(STORE + ":chat:" + key, JSON.stringify(list || timeline));
    } catch (e) { /* nothing to keep */ }
  }

  function loadTimeline(key) {
    try {
      var stored = JSON.parse(window.sessionStorage.getItem(STORE + ":chat:" + key) || "[]");
      return Array.isArray(stored) ? stored : [];
    } catch (e) {
      return [];
    }
  }

  function bubble(item) {
    var node = document.createElement("div");
    node.className = "bubble " + item.side;
    node.dataset.id = item.id;
    var text = document.createElement("div");
    text.className = "text";
    text.textContent = item.text;
    node.appendChild(text);
    var meta = document.createElement("div");
    meta.className = "meta";
    var time = document.createElement("span");
    time.textContent = clock(new Date(item.time));
    meta.appendChild(time);
    meta.appendChild(ticks(item.status));
    node.appendChild(meta);
    if (item.problem) {
      var problem = document.createElement("div");
      problem.className = "problem";
      problem.textContent = item.problem;
      node.appendChild(problem);
    }
    return node;
  }

  function render() {
    var atBottom =
      el.messages.scrollHeight - el.messages.scrollTop - el.messages.clientHeight < 60;
    el.messages.replaceChildren();
    var notice = document.createElement("div");
    notice.className = "notice";
    notice.textContent = currentBusiness()
      ? "Escribe como si fueras un cliente. Las respuestas automáticas del negocio aparecen aquí."
      : "Elige a qué negocio escribir.";
    el.messages.appendChild(notice);
    timeline.forEach(function (item) {
      el.messages.appendChild(bubble(item));
    });
    if (atBottom || timeline.length) el.messages.scrollTop = el.messages.scrollHeight;
  }

  function updateHeader() {
    var chosen = businesses.find(function (b) { return b.number === currentBusiness(); });
    if (chosen) {
      el.title.textContent = chosen.name;
      el.subtitle.textContent = chosen.number;
      el.avatar.textContent = chosen.name.trim().charAt(0).toUpperCase() || "?";
    } else {
      el.title.textContent = "Simulador de WhatsApp";
      el.subtitle.textContent = "Elige un negocio para empezar";
      el.avatar.textContent = "?";
    }
  }

  function checkCustomer() {
    var number = currentCustomer();
    var ok = E164.test(number);
    el.customer.setAttribute("aria-invalid", ok ? "false" : "true");
    el.customerHint.hidden = ok;
    el.customerHint.textContent = ok
      ? ""
      : "Número no válido: usa + y el código de país, p. ej. +5213311112222.";
    return ok;
  }

  // Called whenever who-writes-to-whom changes: show that conversation.
  function switchConversation() {
    var customer = currentCustomer();
    var business = currentBusiness();
    var valid = E164.test(customer) && Boolean(business);
    var key = valid ? keyFor(customer, business) : null;
    if (valid) {
      save("customer", customer);
      save("business", business);
    }
    if (key !== conversationKey) {
      conversationKey = key;
      timeline = key ? loadTimeline(key) : [];
      if (pollError) clearError();
    }
    updateHeader();
    render();
    if (key) poll();
  }

  // --- talking to the app -------------------------------------------------------------

  async function loadBusinesses() {
    try {
      var data = await api("GET", "/simulator/api/businesses");
      businesses = data.businesses || [];
    } catch (e) {
      businesses = [];
      el.business.replaceChildren(new Option("No se pudo cargar", ""));
      showError("No se pudo cargar la lista de negocios: " + e.message);
      return;
    }
    el.business.replaceChildren();
    if (!businesses.length) {
      el.business.appendChild(new Option("No hay negocios", ""));
      showError(
        "No hay ningún negocio con número de WhatsApp. Con `make dev` se carga " +
        "«Panadería La Espiga» (+5213312345678)."
      );
      return;
    }
    businesses.forEach(function (b) {
      el.business.appendChild(new Option(b.name + " · " + b.number, b.number));
    });
    var remembered = load("business", "");
    if (businesses.some(function (b) { return b.number === remembered; })) {
      el.business.value = remembered;
    }
  }

  async function poll() {
    if (polling || !conversationKey) return;
    var key = conversationKey;
    var parts = key.split(">");
    polling = true;
    try {
      var query = "?customer=" + encodeURIComponent(parts[0]) +
        "&business=" + encodeURIComponent(parts[1]);
      var data = await api("GET", "/simulator/api/replies" + query);
      if (key !== conversationKey) return;
      if (pollError) clearError();
      var changed = false;
      (data.replies || []).forEach(function (reply) {
        var known = timeline.find(function (item) { return item.id === reply.sid; });
        var problem = reply.error_code ? "Error de Twilio " + reply.error_code : null;
        if (known) {
          if (known.status !== reply.status || known.problem !== problem) {
            known.status = reply.status;
            known.problem = problem;
            changed = true;
          }
          return;
        }
        var created = Date.parse(reply.date_created || "");
        timeline.push({
          side: "them",
          id: reply.sid,
          text: reply.body,
          time: isNaN(created) ? Date.now() : Math.max(created, lastTime()),
          status: reply.status,
          problem: problem,
        });
        changed = true;
      });
      if (changed) {
        saveTimeline();
        render();
      }
    } catch (e) {
      if (key === conversationKey) showError("No se pudieron leer las respuestas: " + e.message, true);
    } finally {
      polling = false;
    }
  }

  function lastTime() {
    return timeline.length ? timeline[timeline.length - 1].time : 0;
  }

  async function send(event) {
    event.preventDefault();
    var text = el.text.value.trim();
    if (!checkCustomer()) {
      showError(
        "No se pudo enviar: tu número (cliente) no es válido: «" + el.customer.value +
        "». Usa el formato internacional, p. ej. +5213311112222."
      );
      el.customer.focus();
      return;
    }
    if (!currentBusiness()) {
      showError("No se pudo enviar: elige a qué negocio escribir.");
      el.business.focus();
      return;
    }
    if (!text) {
      showError("No se pudo enviar: escribe un mensaje.");
      el.text.focus();
      return;
    }
    clearError();
    switchConversation();
    var item = {
      side: "me",
      id: "local-" + Date.now() + "-" + Math.random().toString(16).slice(2),
      text: text,
      time: Date.now(),
      status: "sending",
      problem: null,
    };
    // The conversation may change while the webhook works: keep the message with its own.
    var key = conversationKey;
    var list = timeline;
    list.push(item);
    saveTimeline(key, list);
    render();
    el.text.value = "";
    el.text.focus();
    try {
      var parts = key.split(">");
      var result = await api("POST", "/simulator/api/send", {
        customer: parts[0],
        business: parts[1],
        text: text,
      });
      item.id = result.message_sid || item.id;
      item.status = "received";
    } catch (e) {
      item.status = "failed";
      item.problem = "No enviado";
      showError("No se pudo enviar: " + e.message);
    }
    saveTimeline(key, list);
    if (key === conversationKey) {
      render();
      poll();
    }
  }

  // --- start --------------------------------------------------------------------------

  async function start() {
    el.customer.value = load("customer", "") || randomCustomer();
    checkCustomer();
    el.customer.addEventListener("input", checkCustomer);
    el.customer.addEventListener("change", function () {
      if (checkCustomer()) el.customer.value = currentCustomer();
      switchConversation();
    });
    el.newCustomer.addEventListener("click", function () {
      el.customer.value = randomCustomer();
      checkCustomer();
      switchConversation();
    });
    el.business.addEventListener("change", switchConversation);
    // Enter in "Tu número" would submit the setup form and reload the page: apply it instead.
    document.getElementById("setup").addEventListener("submit", function (event) {
      event.preventDefault();
      if (checkCustomer()) el.customer.value = currentCustomer();
      switchConversation();
      el.text.focus();
    });
    el.composer.addEventListener("submit", send);
    render();
    await loadBusinesses();
    switchConversation();
    window.setInterval(function () {
      if (document.visibilityState === "visible") poll();
    }, POLL_MS);
    document.body.dataset.ready = "true";
  }

  start();
})();
