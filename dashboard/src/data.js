// Reads and writes through PostgREST with the owner's session; RLS keeps each owner to
// their own rows. The inbox and conversation pages are SQL functions with keyset
// pagination (supabase/migrations/20261201200000_dashboard_inbox.sql).
import { AppError, unwrap } from "./errors.js";
import { supabase } from "./supabase.js";

export const INBOX_PAGE_SIZE = 50;
export const CONVERSATION_PAGE_SIZE = 50;
export const MIN_QUERY_LENGTH = 2;

const PROFILE_COLUMNS = "id, email, name, business_name, whatsapp_number, fallback_message, "
  + "away_message, timezone, business_hours, onboarding_complete";
const MESSAGE_COLUMNS = "id, client_id, direction, content, media, status, reply_kind, error_code, "
  + "error, timestamp, updated_at";

export async function fetchProfile(userId) {
  const profile = unwrap(await supabase().from("users").select(PROFILE_COLUMNS).eq("id", userId).maybeSingle());
  if (!profile) throw new AppError("error.profile");
  return profile;
}

/** Saves business settings; `changes` holds only columns owners may update. */
export async function updateProfile(userId, changes) {
  return unwrap(await supabase().from("users").update(changes).eq("id", userId).select(PROFILE_COLUMNS).single());
}

export async function fetchLabels() {
  return unwrap(await supabase().from("labels")
    .select("id, name, color, type, builtin, active").order("name"));
}

/**
 * One page of conversations. `before` is the last row of the previous page
 * ({activity_at, id}); `clientIds` asks for those clients only (live refreshes).
 */
export async function fetchInboxPage({ status, labelId, query, before, clientIds, limit = INBOX_PAGE_SIZE }) {
  const params = { p_status: status, p_limit: limit };
  if (labelId) params.p_label_id = labelId;
  if (query && query.trim().length >= MIN_QUERY_LENGTH) params.p_query = query.trim();
  if (before) {
    params.p_before_at = before.activity_at;
    params.p_before_id = before.id;
  }
  if (clientIds) params.p_client_ids = clientIds;
  return unwrap(await supabase().rpc("inbox_page", params));
}

export async function fetchInboxSummary() {
  const rows = unwrap(await supabase().rpc("inbox_summary"));
  const row = rows?.[0] ?? { unread_messages: 0, unread_conversations: 0 };
  return { unreadMessages: Number(row.unread_messages), unreadConversations: Number(row.unread_conversations) };
}

/** Ids of the clients changed since `since` (ISO): what a reconnect must refresh. */
export async function clientsChangedSince(since, limit = 500) {
  const rows = unwrap(await supabase().from("clients").select("id")
    .gt("updated_at", since).order("updated_at", { ascending: false }).limit(limit));
  return rows.map((row) => row.id);
}

export async function fetchClient(clientId) {
  return unwrap(await supabase().from("clients")
    .select("id, name, phone, status, opted_out, opted_out_at, unread_count, last_read_at, "
      + "last_message_at, updated_at, client_labels(label_id, created_at)")
    .eq("id", clientId).maybeSingle());
}

/** One page of a conversation, newest first; `before` is the oldest message shown. */
export async function fetchConversation(clientId, before, limit = CONVERSATION_PAGE_SIZE) {
  const params = { p_client_id: clientId, p_limit: limit };
  if (before) {
    params.p_before_timestamp = before.timestamp;
    params.p_before_direction = before.direction;
    params.p_before_id = before.id;
  }
  return unwrap(await supabase().rpc("conversation_page", params).select(MESSAGE_COLUMNS));
}

/** Messages of one conversation changed since `since`: what a reconnect must merge. */
export async function conversationChangedSince(clientId, since, limit = 200) {
  return unwrap(await supabase().from("messages").select(MESSAGE_COLUMNS)
    .eq("client_id", clientId).gt("updated_at", since)
    .order("updated_at", { ascending: false }).limit(limit));
}

export async function markRead(clientId) {
  return unwrap(await supabase().rpc("mark_client_read", { p_client_id: clientId }));
}

export async function setClientStatus(clientId, status) {
  return unwrap(await supabase().from("clients").update({ status }).eq("id", clientId)
    .select("id, status").single());
}

export async function addClientLabel(clientId, labelId) {
  return unwrap(await supabase().from("client_labels").insert({ client_id: clientId, label_id: labelId }));
}

export async function removeClientLabel(clientId, labelId) {
  return unwrap(await supabase().from("client_labels").delete()
    .eq("client_id", clientId).eq("label_id", labelId));
}

export async function fetchFaqs() {
  return unwrap(await supabase().from("faqs").select("id, question, answer, keywords, active, position")
    .order("position").order("created_at"));
}

export async function insertFaqs(faqs) {
  if (faqs.length === 0) return [];
  return unwrap(await supabase().from("faqs").insert(faqs).select("id"));
}
