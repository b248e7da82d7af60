// The settings screen's reads and writes: the owner's users row under RLS and its column
// grants, and time_zone_names() (supabase/migrations/20261202110100_settings_screen.sql).
import { AppError, unwrap } from "../errors.js";
import { supabase } from "../supabase.js";

// The profile's columns (data.js), the fallback throttle and how sure an FAQ answer must be.
const SETTINGS_COLUMNS = "id, email, name, business_name, whatsapp_number, fallback_message, away_message, "
  + "timezone, business_hours, onboarding_complete, fallback_window, faq_caution";

// users.faq_caution (users_faq_caution_check); the first is the default.
export const FAQ_CAUTIONS = ["balanced", "cautious"];

export const MAX_MESSAGE = 1600;
export const MAX_BUSINESS_NAME = 200;
// users.fallback_window is between 0 and 7 days (users_fallback_window_check).
export const MAX_WINDOW_HOURS = 7 * 24;

export async function fetchSettings(userId) {
  const row = unwrap(await supabase().from("users").select(SETTINGS_COLUMNS).eq("id", userId).maybeSingle());
  if (!row) throw new AppError("error.profile");
  return row;
}

/** Saves `changes` (only columns owners may update); returns the saved row. */
export async function saveSettings(userId, changes) {
  const result = await supabase().from("users").update(changes).eq("id", userId).select(SETTINGS_COLUMNS).single();
  if (result.error) {
    const refused = settingsProblem(result.error);
    if (refused) {
      console.warn("FácilChat:", result.error);
      const error = new AppError(refused.key, result.error);
      error.field = refused.field;
      throw error;
    }
  }
  return unwrap(result);
}

/**
 * The time zones the database accepts, by name. When it cannot say, the browser's list
 * (to search in; the database still checks what is saved).
 */
export async function fetchTimeZoneNames() {
  try {
    const names = unwrap(await supabase().rpc("time_zone_names"));
    if (Array.isArray(names) && names.length > 0) return names;
  } catch (error) {
    console.warn("FácilChat: time zones", error);
  }
  return typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
}

/**
 * Hours in an interval as PostgREST returns it: "12:00:00", "1 day 02:00:00", "7 days"
 * (IntervalStyle postgres) or "PT12H", "P1DT2H" (iso_8601). Null when unreadable.
 */
export function intervalToHours(text) {
  if (text === null || text === undefined) return null;
  const value = String(text).trim();
  const iso = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(value);
  if (iso && value !== "P" && value !== "PT") {
    const [, days = 0, hours = 0, mins = 0, secs = 0] = iso;
    return round(Number(days) * 24 + Number(hours) + Number(mins) / 60 + Number(secs) / 3600);
  }
  const days = /(-?\d+) days?/.exec(value);
  const clock = /(-?)(\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(value);
  if (!days && !clock) return null;
  let hours = days ? Number(days[1]) * 24 : 0;
  if (clock) {
    const sign = clock[1] === "-" ? -1 : 1;
    hours += sign * (Number(clock[2]) + Number(clock[3]) / 60 + Number(clock[4]) / 3600);
  }
  return round(hours);
}

function round(hours) {
  return Math.round(hours * 100) / 100;
}

/** The interval users.fallback_window takes, in whole minutes. */
export function hoursToInterval(hours) {
  return `${Math.round(hours * 60)} minutes`;
}

/**
 * The field and catalogue key for what the database refused: the users table's checks,
 * the business hours trigger and the time zone trigger. Null for anything else.
 */
export function settingsProblem(error) {
  const code = String(error?.code ?? "");
  const message = String(error?.message ?? "");
  if (code === "22023" && /unknown time zone/.test(message)) return { field: "timezone", key: "settings.error.timeZone" };
  if (code === "23514") {
    if (/invalid business hours/.test(message)) return { field: "hours", key: "settings.error.hours" };
    if (/users_fallback_window_check/.test(message)) return { field: "window", key: "settings.error.window" };
    if (/users_fallback_message_check/.test(message)) return { field: "fallback", key: "settings.error.fallback" };
    if (/users_away_message_check/.test(message)) return { field: "away", key: "settings.error.away" };
    if (/users_business_name_check/.test(message)) return { field: "business", key: "settings.error.businessName" };
    if (/users_faq_caution_check/.test(message)) return { field: "caution", key: "settings.error.caution" };
  }
  return null;
}
