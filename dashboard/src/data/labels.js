// The labels screen's reads and writes: plain PostgREST writes under RLS, and
// label_client_counts() for how many clients carry each label
// (supabase/migrations/20261202110000_labels_screen.sql).
import { AppError, unwrap } from "../errors.js";
import { supabase } from "../supabase.js";

const LABEL_COLUMNS = "id, name, color, type, keywords, builtin, active";

export const MAX_NAME = 50;
export const MAX_KEYWORDS = 30;
export const MAX_KEYWORD_LENGTH = 60;

/**
 * Text as the database folds it to match keywords (private.normalize_text): lowercase,
 * accents folded, anything but letters and digits as one space.
 */
export function foldKeyword(text) {
  return String(text ?? "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}

/** A keyword as the database stores it: trimmed, with single spaces. */
export function tidyKeyword(text) {
  return String(text ?? "").replace(/\s+/g, " ").trim();
}

/** The owner's labels, with their keyword rules, by name. */
export async function fetchLabelRows() {
  return unwrap(await supabase().from("labels").select(LABEL_COLUMNS).order("name"));
}

/** {labelId: {clients, activeClients}} for every label of the owner. */
export async function fetchLabelCounts() {
  const rows = unwrap(await supabase().rpc("label_client_counts"));
  return Object.fromEntries(rows.map((row) => [row.label_id, {
    clients: Number(row.clients), activeClients: Number(row.active_clients),
  }]));
}

export async function createLabel({ name, color, type, keywords }) {
  return translated(await supabase().from("labels")
    .insert({ name, color, type, keywords: type === "auto" ? keywords : [] })
    .select(LABEL_COLUMNS).single());
}

/** `changes` holds only name, color, type, keywords or active. */
export async function updateLabel(labelId, changes) {
  return translated(await supabase().from("labels").update(changes).eq("id", labelId)
    .select(LABEL_COLUMNS).single());
}

export async function deleteLabel(labelId) {
  const deleted = translated(await supabase().from("labels").delete().eq("id", labelId).select("id"));
  // RLS hides a label of another business (or one deleted meanwhile): nothing was deleted.
  if (deleted.length === 0) throw new AppError("labels.error.gone");
  return deleted;
}

/**
 * The catalogue key for what the database refused: the labels trigger's and the
 * table's own checks, then the shared mapping (network, session...).
 */
export function labelErrorKey(error) {
  const code = String(error?.code ?? "");
  const message = String(error?.message ?? "");
  if (code === "42501" && /built-in label .* cannot be deleted/.test(message)) return "labels.error.builtinDelete";
  if (code === "42501" && /built-in/.test(message)) return "labels.error.builtinChange";
  if (code === "23505" && /labels_owner_id_name_key/.test(message + (error?.details ?? ""))) {
    return "labels.error.duplicateName";
  }
  if (code === "23514") {
    if (/has no letter or digit/.test(message)) return "labels.error.keywordEmpty";
    if (/keyword .* is longer/.test(message)) return "labels.error.keywordTooLong";
    if (/at most \d+ keywords/.test(message)) return "labels.error.tooManyKeywords";
    if (/labels_name_check/.test(message)) return "labels.error.nameRequired";
    if (/labels_color_check/.test(message)) return "labels.error.color";
    if (/labels_keywords_only_on_auto|labels_builtin_has_no_keywords/.test(message)) {
      return "labels.error.keywordsOnAuto";
    }
  }
  return null;
}

function translated(result) {
  if (result.error) {
    const key = labelErrorKey(result.error);
    if (key) {
      console.warn("FácilChat:", result.error);
      throw new AppError(key, result.error);
    }
  }
  return unwrap(result);
}
