// Helpers shared by the inbox and the conversation: message order, previews, media.
import { t } from "../i18n/index.js";

/**
 * A timestamp as a number of microseconds, so that two times within one millisecond
 * still order correctly, whatever offset the server wrote them with.
 */
export function timeKey(iso) {
  if (!iso) return -Infinity;
  const fraction = /\.(\d+)/.exec(iso);
  const micros = fraction ? Number(fraction[1].slice(0, 6).padEnd(6, "0")) : 0;
  return Date.parse(iso.replace(/\.\d+/, "")) * 1000 + micros;
}

/** Sort callback: the later time first. */
export function laterFirst(a, b) {
  return timeKey(b) - timeKey(a);
}

/** The latest of some timestamps (ISO strings; missing ones ignored). */
export function maxTime(...times) {
  let latest = null;
  for (const time of times) {
    if (time && (latest === null || timeKey(time) > timeKey(latest))) latest = time;
  }
  return latest;
}

/**
 * Conversation order, oldest first: by timestamp, then direction (a question before its
 * automatic answer, which shares its timestamp), then id. The SQL pages use the same.
 */
export function compareMessages(a, b) {
  return (timeKey(a.timestamp) - timeKey(b.timestamp))
    || (a.direction < b.direction ? -1 : a.direction > b.direction ? 1 : 0)
    || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function isLocation(item) {
  return item && typeof item.latitude === "number" && typeof item.longitude === "number";
}

/** A one-line description of a message for the inbox. */
export function previewOf(message) {
  const text = (message.content || "").trim();
  if (text) return text;
  const media = Array.isArray(message.media) ? message.media : [];
  if (media.some(isLocation)) return `📍 ${t("media.location")}`;
  if (media.some((item) => String(item.content_type || "").startsWith("image/"))) return `📷 ${t("media.photo")}`;
  if (media.length > 0) return `📎 ${t("media.file")}`;
  return "";
}
