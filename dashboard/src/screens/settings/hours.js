// Business hours as the editor holds them, and as users.business_hours stores them:
// {"mon": [["09:00", "13:00"], ["16:00", "20:00"]], "fri": [["22:00", "02:00"]], ...}.
// A range whose end is not after its start crosses midnight; "24:00" ends at midnight.
// The rules are the database's (private.business_hours_are_valid, private.is_open in
// 20261201190000_replies_in_twiml.sql): the form checks them first to say what is wrong.

export const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
export const MAX_RANGES = 6;
const TIME = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
const MINUTES_PER_DAY = 24 * 60;

/** The editor's days from business_hours: [{day, ranges: [{from, to}]}]. */
export function hoursToDays(hours) {
  return DAYS.map((day) => ({
    day,
    ranges: (Array.isArray(hours?.[day]) ? hours[day] : [])
      .filter((range) => Array.isArray(range) && range.length === 2)
      // <input type="time"> has no 24:00: midnight at the end reads as 00:00.
      .map(([from, to]) => ({ from: String(from), to: to === "24:00" ? "00:00" : String(to) })),
  }));
}

/** business_hours from the editor's days (only days with ranges). */
export function daysToHours(days) {
  const hours = {};
  for (const { day, ranges } of days) {
    if (ranges.length === 0) continue;
    hours[day] = ranges.map(({ from, to }) => [from, to === "00:00" ? "24:00" : to]);
  }
  return hours;
}

function minutes(time) {
  const [hours, mins] = time.split(":").map(Number);
  return hours * 60 + mins;
}

/** [start, end) in minutes from the day's midnight; the end may fall on the next day. */
export function span({ from, to }) {
  const start = minutes(from);
  let end = to === "00:00" ? MINUTES_PER_DAY : minutes(to);
  if (end <= start) end += MINUTES_PER_DAY;
  return [start, end];
}

/** Whether a range runs past midnight into the next day. */
export function crossesMidnight(range) {
  return TIME.test(range.from) && TIME.test(range.to) && range.to !== "00:00" && range.to <= range.from;
}

/**
 * What is wrong with the days, or null: {day, index, problem} where problem is
 * "incomplete", "empty" (ends when it starts), "tooMany" or "overlap".
 */
export function hoursProblem(days) {
  for (const { day, ranges } of days) {
    if (ranges.length > MAX_RANGES) return { day, index: MAX_RANGES, problem: "tooMany" };
    for (const [index, range] of ranges.entries()) {
      if (!TIME.test(range.from) || !TIME.test(range.to)) return { day, index, problem: "incomplete" };
      if (range.from === range.to && range.from !== "00:00") return { day, index, problem: "empty" };
    }
    const spans = ranges.map(span);
    for (let i = 0; i < spans.length; i += 1) {
      for (let j = i + 1; j < spans.length; j += 1) {
        if (spans[i][0] < spans[j][1] && spans[j][0] < spans[i][1]) return { day, index: j, problem: "overlap" };
      }
    }
  }
  return null;
}

/** The weekday key and HH:MM of `date` in `timeZone`, or null for an unknown zone. */
export function localClock(date, timeZone) {
  let parts;
  try {
    parts = new Intl.DateTimeFormat("en-US", {
      timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    }).formatToParts(date);
  } catch {
    return null;
  }
  const get = (type) => parts.find((part) => part.type === type)?.value;
  return { day: get("weekday").slice(0, 3).toLowerCase(), time: `${get("hour")}:${get("minute")}` };
}

/** Whether the business is open at `date`, as private.is_open decides it; null when unknown. */
export function isOpenAt(days, timeZone, date = new Date()) {
  const clock = localClock(date, timeZone);
  if (!clock) return null;
  if (days.every(({ ranges }) => ranges.length === 0)) return true;
  const now = minutes(clock.time);
  const today = DAYS.indexOf(clock.day);
  const yesterday = DAYS[(today + 6) % 7];
  for (const { day, ranges } of days) {
    for (const range of ranges) {
      if (!TIME.test(range.from) || !TIME.test(range.to)) continue;
      const [start, end] = span(range);
      if (day === clock.day && now >= start && now < end) return true;
      // Yesterday's ranges that cross midnight are still open this morning.
      if (day === yesterday && end > MINUTES_PER_DAY && now < end - MINUTES_PER_DAY) return true;
    }
  }
  return false;
}
