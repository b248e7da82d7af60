// A live view of one business's inbox: signs in with supabase-js, joins the private
// channel inbox:<user id> and shows each message as the database broadcasts it.
"use strict";

const $ = (id) => document.getElementById(id);
let client = null;
let channel = null;

function show(status) { $("status").textContent = status; }

function showError(text) {
  $("error").textContent = text;
  $("error").hidden = !text;
}

function addMessage(row, live) {
  if (document.querySelector(`[data-id="${row.id}"]`)) return;
  const item = document.createElement("li");
  item.dataset.id = row.id;
  item.className = row.direction;
  const who = row.direction === "in" ? "Cliente"
    : row.reply_kind === "manual" ? "Respuesta del negocio" : "Respuesta automática";
  const when = new Date(row.timestamp).toLocaleTimeString("es-MX");
  item.textContent = row.content || "(sin texto)";
  const meta = document.createElement("small");
  meta.textContent = `${who} · ${when}${live ? " · en vivo" : ""}`;
  item.appendChild(meta);
  $("messages").prepend(item);
}

async function loadRecent() {
  const { data, error } = await client.from("messages")
    .select("id, direction, content, reply_kind, timestamp").order("timestamp", { ascending: false }).limit(20);
  if (error) { showError(`No se pudieron leer los mensajes: ${error.message}`); return; }
  data.reverse().forEach((row) => addMessage(row, false));
}

async function start(session) {
  $("sign-in").hidden = true;
  $("inbox").hidden = false;
  $("who").textContent = session.user.email;
  await loadRecent();
  await client.realtime.setAuth(session.access_token);
  channel = client.channel(`inbox:${session.user.id}`, { config: { private: true } })
    .on("broadcast", { event: "*" }, ({ payload }) => {
      // An inbound message's changes come in one broadcast: {changes: [...]}.
      const changes = Array.isArray(payload?.changes) ? payload.changes : [payload];
      for (const change of changes) {
        if (change?.table === "messages" && change.operation === "INSERT" && change.record) {
          addMessage(change.record, true);
        }
      }
    })
    .subscribe((state, err) => {
      if (state === "SUBSCRIBED") show("Escuchando mensajes nuevos en vivo.");
      else if (state === "CHANNEL_ERROR" || state === "TIMED_OUT") {
        show(`Sin conexión en vivo (${state}). ${err ? err.message : ""}`);
      }
    });
  document.body.dataset.live = "joining";
}

async function main() {
  const config = await (await fetch("/inbox/config.json")).json();
  client = window.supabase.createClient(config.supabaseUrl, config.anonKey);
  $("sign-in").addEventListener("submit", async (event) => {
    event.preventDefault();
    showError("");
    const { data, error } = await client.auth.signInWithPassword({
      email: $("email").value.trim(), password: $("password").value,
    });
    if (error) { showError(`No se pudo entrar: ${error.message}`); return; }
    await start(data.session);
  });
  $("google").addEventListener("click", () => {
    client.auth.signInWithOAuth({ provider: "google", options: { redirectTo: location.href } });
  });
  for (const button of $("sign-in").querySelectorAll("button")) button.disabled = false;
  $("sign-out").addEventListener("click", async () => {
    if (channel) await client.removeChannel(channel);
    await client.auth.signOut();
    location.reload();
  });
  const { data } = await client.auth.getSession();
  if (data.session) await start(data.session);
}

main().catch((error) => showError(`Error inesperado: ${error.message}`));
