// The Metrics screen's reads: SQL functions that count next to the data, in the owner's
// time zone, and return a few rows each (supabase/migrations/20261202120000_dashboard_metrics.sql).
import { unwrap } from "../errors.js";
import { supabase } from "../supabase.js";

/** The periods the screen offers, in days. */
export const PERIODS = [7, 30, 90];
export const DEFAULT_PERIOD = 30;
export const TOP_FAQS = 5;

const rpc = async (name, params) => unwrap(await supabase().rpc(name, params));

/**
 * Everything the screen shows for the last `days` days, in six parallel calls:
 * {perDay, replies, newClients, hours, topFaqs, humanReply}.
 */
export async function fetchMetrics(days) {
  const period = { p_days: days };
  const [perDay, replyRows, newClients, hours, topFaqs, humanRows] = await Promise.all([
    rpc("metrics_messages_per_day", period),
    rpc("metrics_reply_kinds", period),
    rpc("metrics_new_clients_per_week", period),
    rpc("metrics_busiest_hours", period),
    rpc("metrics_top_faqs", { ...period, p_limit: TOP_FAQS }),
    rpc("metrics_first_human_reply", period),
  ]);
  const replies = replyRows?.[0] ?? {};
  const human = humanRows?.[0] ?? {};
  return {
    perDay: (perDay ?? []).map((row) => ({
      day: row.day, received: Number(row.messages_in), sent: Number(row.messages_out),
    })),
    replies: {
      received: Number(replies.received ?? 0),
      faq: Number(replies.faq ?? 0),
      fallback: Number(replies.fallback ?? 0),
      away: Number(replies.away ?? 0),
      optOut: Number(replies.opt_out ?? 0),
      optIn: Number(replies.opt_in ?? 0),
      manual: Number(replies.manual ?? 0),
      none: Number(replies.no_automatic_reply ?? 0),
    },
    newClients: (newClients ?? []).map((row) => ({ weekStart: row.week_start, clients: Number(row.clients) })),
    hours: (hours ?? []).map((row) => ({
      weekday: Number(row.weekday), hour: Number(row.hour), messages: Number(row.messages),
    })),
    topFaqs: (topFaqs ?? []).map((row) => ({
      id: row.faq_id, question: row.question, active: row.active, answers: Number(row.answers),
    })),
    humanReply: {
      replies: Number(human.replies ?? 0),
      medianSeconds: human.median_seconds == null ? null : Number(human.median_seconds),
    },
  };
}
