// The FAQ screen's reads and writes: the faqs table under RLS, and the SQL functions of
// supabase/migrations/20261202100000_dashboard_faqs.sql. Database errors become catalogue
// keys the owner can read (faqs.error.*, or the shared error.*).
import { AppError, errorKey } from "../errors.js";
import { supabase } from "../supabase.js";

export const FAQ_COLUMNS = "id, question, answer, keywords, active, position, created_at, updated_at";
// The table's limits (20261126130100 and 20261202100000), checked in the form first.
export const LIMITS = { question: 500, answer: 1600, keywords: 30, keyword: 60, testText: 1000 };

/** The catalogue key for a failed call on FAQs: the table's own rules first. */
export function faqErrorKey(error) {
  const cause = error instanceof AppError ? error.cause : error;
  const code = String(cause?.code ?? "");
  const message = String(cause?.message ?? "");
  if (code === "23514") {
    if (message.includes("faqs_question")) return "faqs.error.question";
    if (message.includes("faqs_answer")) return "faqs.error.answer";
    if (message.includes("faqs_keywords")) return "faqs.error.keywords";
  }
  // .single() found no row: another screen deleted it meanwhile.
  if (code === "PGRST116") return "faqs.error.gone";
  if (code === "22023") {
    if (message.startsWith("reorder_faqs")) return "faqs.error.staleOrder";
    if (message.startsWith("test_faq_match")) return "faqs.error.testTooLong";
  }
  return errorKey(error);
}

function unwrapFaq({ data, error }) {
  if (error) {
    console.warn("FácilChat:", error);
    throw new AppError(faqErrorKey(error), error);
  }
  return data;
}

export async function fetchFaqList() {
  return unwrapFaq(await supabase().from("faqs").select(FAQ_COLUMNS)
    .order("position").order("created_at").order("id"));
}

export async function createFaq(faq) {
  return unwrapFaq(await supabase().from("faqs").insert(faq).select(FAQ_COLUMNS).single());
}

export async function updateFaq(id, changes) {
  return unwrapFaq(await supabase().from("faqs").update(changes).eq("id", id).select(FAQ_COLUMNS).single());
}

export async function deleteFaq(id) {
  const rows = unwrapFaq(await supabase().from("faqs").delete().eq("id", id).select("id"));
  if (rows.length === 0) throw new AppError("faqs.error.gone");
}

/** Every FAQ of the owner, in the new order (one statement in the database). */
export async function reorderFaqs(ids) {
  return unwrapFaq(await supabase().rpc("reorder_faqs", { p_ids: ids }));
}

/** The reply the webhook would send to `text`, and why. */
export async function testFaqMatch(text) {
  return unwrapFaq(await supabase().rpc("test_faq_match", { p_text: text }));
}

/** Answers per FAQ in the last `days` days, and the messages no FAQ answered. */
export async function fetchFaqUsage(days = 30) {
  return unwrapFaq(await supabase().rpc("faq_usage", { p_days: days }));
}

function cursorParams(cursor) {
  return cursor ? { p_before_at: cursor.timestamp, p_before_id: cursor.id } : {};
}

/** A page of the messages an FAQ answered, newest first; `cursor` is the last row seen. */
export async function fetchAnsweredMessages(faqId, cursor, limit = 10) {
  return unwrapFaq(await supabase().rpc("faq_answered_messages", {
    p_faq_id: faqId, p_limit: limit, ...cursorParams(cursor),
  }));
}

/** A page of the messages that got the fallback or the away message, newest first. */
export async function fetchMissedMessages(cursor, limit = 10) {
  return unwrapFaq(await supabase().rpc("faq_missed_messages", { p_limit: limit, ...cursorParams(cursor) }));
}

/** The keyset cursor after a row of those pages. */
export function cursorAfter(row) {
  return row ? { timestamp: row.timestamp, id: row.reply_id } : null;
}
