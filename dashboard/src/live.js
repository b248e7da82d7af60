// Live updates: the private Realtime channel inbox:<user id>, on which the database
// broadcasts every change of this business's inbox ({record, old_record, operation,
// table, schema}); an inbound WhatsApp message comes as one broadcast that lists all
// its changes ({changes: [...]}, in order). supabase-js rejoins by itself after sleep
// or a network drop; each rejoin after the first asks the screens to catch up on what
// they missed.

const listeners = new Set();
const resyncListeners = new Set();
const statusListeners = new Set();
let status = "connecting";

/** Subscribe to each change; returns the unsubscribe function. */
export function onChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Called after a reconnect: refetch whatever changed while offline. */
export function onResync(listener) {
  resyncListeners.add(listener);
  return () => resyncListeners.delete(listener);
}

export function onStatus(listener) {
  statusListeners.add(listener);
  listener(status);
  return () => statusListeners.delete(listener);
}

export function liveStatus() {
  return status;
}

function setStatus(next) {
  if (next === status) return;
  status = next;
  document.body.dataset.live = next;
  for (const listener of statusListeners) listener(next);
}

function resync() {
  for (const listener of resyncListeners) listener();
}

/** The client id a change concerns, whatever its table. */
export function clientIdOf(change) {
  const row = change.record ?? change.old_record ?? {};
  if (change.table === "clients") return row.id;
  return row.client_id ?? null;
}

/** The per-table changes a broadcast carries: its own, or each of a batch's in order. */
export function changesOf(payload) {
  if (!payload) return [];
  if (Array.isArray(payload.changes)) {
    return payload.changes.filter((change) => change && change.table);
  }
  return payload.table ? [payload] : [];
}

/**
 * Joins the owner's inbox channel. Returns a function that leaves it.
 */
export async function joinInbox(client, session) {
  let joinedOnce = false;
  let left = false;
  setStatus("connecting");
  await client.realtime.setAuth(session.access_token);
  const channel = client.channel(`inbox:${session.user.id}`, { config: { private: true } })
    .on("broadcast", { event: "*" }, ({ payload }) => {
      for (const change of changesOf(payload)) {
        for (const listener of listeners) listener(change);
      }
    })
    .subscribe((state) => {
      if (left) return;
      if (state === "SUBSCRIBED") {
        setStatus("live");
        if (joinedOnce) resync();
        joinedOnce = true;
      } else if (state === "CHANNEL_ERROR" || state === "TIMED_OUT" || state === "CLOSED") {
        setStatus("offline");
      }
    });

  const wentOffline = () => setStatus("offline");
  // Back online or back from sleep: catch up even if the socket never noticed the gap.
  const cameBack = () => {
    if (document.visibilityState === "visible" && joinedOnce && status === "live") resync();
  };
  window.addEventListener("offline", wentOffline);
  window.addEventListener("online", cameBack);
  document.addEventListener("visibilitychange", cameBack);

  return async () => {
    left = true;
    window.removeEventListener("offline", wentOffline);
    window.removeEventListener("online", cameBack);
    document.removeEventListener("visibilitychange", cameBack);
    await client.removeChannel(channel);
    setStatus("connecting");
  };
}
