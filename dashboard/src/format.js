// Times in the business's time zone, day separators, phone links.
import { locale, t } from "./i18n/index.js";

const formatters = new Map();

/** An Intl.DateTimeFormat for this locale and zone; an unknown zone falls back to the browser's. */
function formatter(options, timeZone) {
  const key = JSON.stringify([locale(), timeZone, options]);
  let format = formatters.get(key);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat(locale(), { ...options, timeZone });
    } catch {
      format = new Intl.DateTimeFormat(locale(), options);
    }
    formatters.set(key, format);
  }
  return format;
}

/** The calendar day of `date` in `timeZone`, as YYYY-MM-DD. */
export function dayKey(date, timeZone) {
  const parts = formatter({ year: "numeric", month: "2-digit", day: "2-digit" }, timeZone)
    .formatToParts(new Date(date));
  const get = (type) => parts.find((part) => part.type === type)?.value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}

function daysBetween(fromKey, toKey) {
  return Math.round((Date.parse(toKey) - Date.parse(fromKey)) / 86_400_000);
}

export function timeOfDay(date, timeZone) {
  return formatter({ hour: "numeric", minute: "2-digit" }, timeZone).format(new Date(date));
}

/** A day separator in a conversation: today, yesterday, or the date. */
export function dayLabel(date, timeZone, now = new Date()) {
  const days = daysBetween(dayKey(date, timeZone), dayKey(now, timeZone));
  if (days === 0) return t("time.today");
  if (days === 1) return t("time.yesterday");
  const sameYear = dayKey(date, timeZone).slice(0, 4) === dayKey(now, timeZone).slice(0, 4);
  const options = { weekday: "long", day: "numeric", month: "long" };
  if (!sameYear) options.year = "numeric";
  return capitalize(formatter(options, timeZone).format(new Date(date)));
}

function capitalize(text) {
  return text.charAt(0).toLocaleUpperCase(locale()) + text.slice(1);
}

/** A conversation's time in the inbox: the time today, then yesterday, the weekday, the date. */
export function listTime(date, timeZone, now = new Date()) {
  const days = daysBetween(dayKey(date, timeZone), dayKey(now, timeZone));
  if (days <= 0) return timeOfDay(date, timeZone);
  if (days === 1) return t("time.yesterday");
  if (days < 7) return formatter({ weekday: "long" }, timeZone).format(new Date(date));
  return formatter({ day: "numeric", month: "numeric", year: "2-digit" }, timeZone).format(new Date(date));
}

/** The full date and time, for tooltips and screen readers. */
export function fullDateTime(date, timeZone) {
  return formatter({ dateStyle: "full", timeStyle: "short" }, timeZone).format(new Date(date));
}

/** Reply on WhatsApp itself: wa.me wants the number's digits only. */
export function whatsappLink(phone) {
  return `https://wa.me/${String(phone).replace(/\D/g, "")}`;
}

export function mapLink(latitude, longitude) {
  return `https://www.google.com/maps?q=${encodeURIComponent(`${latitude},${longitude}`)}`;
}

/** Black or white text, whichever reads better on a label's colour (WCAG luminance). */
export function textColorOn(hex) {
  const match = /^#?([0-9a-f]{6})$/i.exec(hex || "");
  if (!match) return "#111b21";
  const channels = [0, 2, 4].map((i) => parseInt(match[1].slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  const luminance = 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
  // Contrast with white is (1.05)/(L+0.05), with black (L+0.05)/0.05: pick the larger.
  return 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 ? "#ffffff" : "#111b21";
}
