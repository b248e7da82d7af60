// Numbers, shares, calendar days and waits as the Metrics screen writes them, in the
// owner's language. Days come from the database as YYYY-MM-DD in the owner's time zone,
// so they are formatted as calendar dates (in UTC), never shifted by the browser's zone.
import { locale, t } from "../../i18n/index.js";

const formats = new Map();

function format(kind, options) {
  const key = JSON.stringify([locale(), kind, options]);
  let made = formats.get(key);
  if (!made) {
    made = kind === "number" ? new Intl.NumberFormat(locale(), options)
      : new Intl.DateTimeFormat(locale(), { ...options, timeZone: "UTC" });
    formats.set(key, made);
  }
  return made;
}

export function number(value) {
  return format("number", {}).format(value);
}

/** `part` of `whole` as a percentage with no decimals ("0 %" of nothing). */
export function percent(part, whole) {
  return format("number", { style: "percent", maximumFractionDigits: 0 }).format(whole > 0 ? part / whole : 0);
}

function calendarDate(day) {
  return new Date(`${day}T00:00:00Z`);
}

/** "3 nov." */
export function shortDay(day) {
  return format("date", { day: "numeric", month: "short" }).format(calendarDate(day));
}

/** "lunes, 3 de noviembre de 2026" */
export function longDay(day) {
  return format("date", { dateStyle: "full" }).format(calendarDate(day));
}

// 2024-01-01 was a Monday: ISO weekday n is that date plus n - 1 days.
function weekdayDate(isoWeekday) {
  return new Date(Date.UTC(2024, 0, isoWeekday));
}

export function shortWeekday(isoWeekday) {
  return format("date", { weekday: "short" }).format(weekdayDate(isoWeekday));
}

export function longWeekday(isoWeekday) {
  return format("date", { weekday: "long" }).format(weekdayDate(isoWeekday));
}

/** A wait in words: "menos de 1 min", "25 min", "3 h 10 min", "2 d 4 h". */
export function duration(seconds) {
  const minutes = Math.round(seconds / 60);
  if (minutes < 1) return t("metrics.duration.underMinute");
  if (minutes < 60) return t("metrics.duration.minutes", { minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return t("metrics.duration.hours", { hours, minutes: minutes % 60 });
  return t("metrics.duration.days", { days: Math.floor(hours / 24), hours: hours % 24 });
}
