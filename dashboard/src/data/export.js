// The owner's data rights: a conversation or every client as a CSV file, and erasing a
// client with all their messages (public.erase_client).
//
// The CSV is RFC 4180 (comma separated, CRLF line ends, fields with a comma, a quote or a
// line break quoted, quotes doubled) in UTF-8 with a byte order mark, so that Excel reads
// accents correctly. A cell that starts with = + - @ (or a tab or carriage return) gets a
// leading apostrophe: a spreadsheet would otherwise run it as a formula. Reads come in
// pages, never the whole table at once.
import { fetchConversation } from "../data.js";
import { AppError, unwrap } from "../errors.js";
import { t } from "../i18n/index.js";
import { supabase } from "../supabase.js";

export const CLIENTS_PAGE_SIZE = 1000;
// conversation_page returns at most 200 rows a call.
export const MESSAGES_PAGE_SIZE = 200;
const BOM = "\uFEFF";
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV field: neutralised against formulas, quoted when RFC 4180 requires it. */
export function csvCell(value) {
  let text = value == null ? "" : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A whole file: the byte order mark, then one CRLF-terminated line per row. */
export function toCsv(rows) {
  return BOM + rows.map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

/** Hands the browser a file to save, without a round trip to any server. */
export function downloadCsv(filename, text) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.style.display = "none";
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own copy once it starts; free the blob a little later.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

const dateFormats = new Map();

/** `iso` as "YYYY-MM-DD HH:MM" in `timeZone`: sortable, and read as a date by spreadsheets. */
export function csvDateTime(iso, timeZone) {
  if (!iso) return "";
  let format = dateFormats.get(timeZone);
  if (!format) {
    const options = {
      year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    };
    try {
      format = new Intl.DateTimeFormat("en-CA", { ...options, timeZone });
    } catch {
      format = new Intl.DateTimeFormat("en-CA", options);
    }
    dateFormats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(iso)).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/** Today's date in `timeZone`, for file names. */
function today(timeZone) {
  return csvDateTime(new Date().toISOString(), timeZone).slice(0, 10);
}

/** A file name made of plain letters, digits and dashes. */
export function slug(text) {
  const folded = String(text ?? "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  return folded.slice(0, 40) || "cliente";
}

/**
 * Every client, in pages of `CLIENTS_PAGE_SIZE` ordered by id (a keyset: each page starts
 * after the last id), with their labels' names. Stops at the first empty page, so a server
 * that returns fewer rows than asked (PostgREST's max-rows) loses nothing.
 */
export async function fetchAllClients(onProgress) {
  const clients = [];
  let after = null;
  for (;;) {
    let query = supabase().from("clients")
      .select("id, name, phone, status, opted_out, created_at, last_message_at, client_labels(labels(name))")
      .order("id")
      .limit(CLIENTS_PAGE_SIZE);
    if (after) query = query.gt("id", after);
    const page = unwrap(await query);
    if (page.length === 0) return clients;
    clients.push(...page);
    after = page[page.length - 1].id;
    onProgress?.(clients.length);
  }
}

/** A conversation's messages, oldest first, read newest first in pages. */
export async function fetchWholeConversation(clientId) {
  const pages = [];
  let before = null;
  for (;;) {
    const page = await fetchConversation(clientId, before, MESSAGES_PAGE_SIZE);
    if (page.length === 0) break;
    pages.push(page);
    before = page[page.length - 1];
  }
  return pages.flat().reverse();
}

function labelNames(client) {
  return (client.client_labels ?? [])
    .map((link) => link.labels?.name)
    .filter(Boolean)
    .sort((a, b) => a.localeCompare(b))
    .join("; ");
}

export function clientRows(clients, timeZone) {
  const header = [
    t("data.csv.name"), t("data.csv.phone"), t("data.csv.status"), t("data.csv.labels"),
    t("data.csv.automaticReplies"), t("data.csv.clientSince", { zone: timeZone }),
    t("data.csv.lastMessage", { zone: timeZone }),
  ];
  const rows = clients.map((client) => [
    client.name,
    client.phone,
    client.status === "archived" ? t("data.csv.archived") : t("data.csv.active"),
    labelNames(client),
    client.opted_out ? t("data.csv.optedOut") : t("data.csv.yes"),
    csvDateTime(client.created_at, timeZone),
    csvDateTime(client.last_message_at, timeZone),
  ]);
  return [header, ...rows];
}

const REPLY_KINDS = ["faq", "fallback", "away", "opt_out", "opt_in", "manual"];
const STATUSES = ["received", "queued", "sending", "sent", "delivered", "read", "failed", "undelivered"];

function attachments(message) {
  const media = Array.isArray(message.media) ? message.media : [];
  return media.map((item) => {
    if (item && item.latitude != null && item.longitude != null) {
      return `${t("data.csv.location")}: ${item.latitude}, ${item.longitude}`;
    }
    return item?.url ?? "";
  }).filter(Boolean).join(" ");
}

export function conversationRows(client, messages, timeZone) {
  const header = [
    t("data.csv.dateTime", { zone: timeZone }), t("data.csv.from"), t("data.csv.message"),
    t("data.csv.attachments"), t("data.csv.replyKind"), t("data.csv.messageStatus"),
  ];
  const rows = messages.map((message) => [
    csvDateTime(message.timestamp, timeZone),
    message.direction === "in" ? client.name : t("data.csv.business"),
    message.content,
    attachments(message),
    REPLY_KINDS.includes(message.reply_kind) ? t(`data.csv.kind.${message.reply_kind}`) : "",
    STATUSES.includes(message.status) ? t(`data.csv.state.${message.status}`) : message.status,
  ]);
  return [header, ...rows];
}

/** Downloads one client's whole conversation; returns how many messages it holds. */
export async function exportConversation(client, timeZone) {
  const messages = await fetchWholeConversation(client.id);
  downloadCsv(
    `conversacion-${slug(client.name)}-${today(timeZone)}.csv`,
    toCsv(conversationRows(client, messages, timeZone)),
  );
  return messages.length;
}

/** Downloads every client with their labels; returns how many. */
export async function exportClients(timeZone, onProgress) {
  const clients = await fetchAllClients(onProgress);
  downloadCsv(`clientes-${today(timeZone)}.csv`, toCsv(clientRows(clients, timeZone)));
  return clients.length;
}

/**
 * Erases a client and every message of theirs, for good. Returns {name, messages, labels}
 * as the database counted them.
 */
export async function eraseClient(clientId) {
  const { data, error } = await supabase().rpc("erase_client", { p_client_id: clientId });
  // A client that is already gone (or another business's) reads as missing.
  if (error?.code === "P0002") throw new AppError("data.erase.missing", error);
  return unwrap({ data, error });
}
