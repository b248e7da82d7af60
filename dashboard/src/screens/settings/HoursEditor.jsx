// Business hours per weekday, with up to six ranges a day (morning and afternoon, or a
// night that ends after midnight). A day without ranges is closed.
import { t } from "../../i18n/index.js";
import { crossesMidnight, MAX_RANGES } from "./hours.js";

const NEW_RANGE = { from: "09:00", to: "18:00" };

export function HoursEditor({ days, onChange, problem, describedBy }) {
  const setRanges = (day, ranges) => onChange(days.map((entry) => (entry.day === day ? { ...entry, ranges } : entry)));

  const addRange = (day, ranges) => {
    const last = ranges[ranges.length - 1];
    // A second range starts after the first one by default: the afternoon after the morning.
    const next = last ? { from: last.to === "00:00" ? "09:00" : last.to, to: "23:00" } : NEW_RANGE;
    if (next.from >= next.to) next.to = "00:00";
    setRanges(day, [...ranges, next]);
    setTimeout(() => document.getElementById(`hours-${day}-${ranges.length}-from`)?.focus(), 0);
  };

  const copyToWeekdays = (source) => {
    onChange(days.map((entry) => (
      ["tue", "wed", "thu", "fri"].includes(entry.day) ? { ...entry, ranges: source.ranges.map((r) => ({ ...r })) } : entry
    )));
  };

  return (
    <div class="settings-hours" aria-describedby={describedBy}>
      {days.map(({ day, ranges }) => {
        const dayName = t(`day.${day}`);
        return (
          <div
            role="group"
            aria-labelledby={`hours-${day}-name`}
            class={`settings-day${problem?.day === day ? " invalid" : ""}`}
            key={day}
            id={`hours-${day}`}
          >
            <span class="settings-day-name" id={`hours-${day}-name`}>{dayName}</span>
            <div class="settings-ranges">
              {ranges.length === 0 && <p class="settings-closed">{t("settings.hours.closed")}</p>}
              {ranges.map((range, index) => {
                const bad = problem?.day === day && problem.index === index;
                return (
                  <div class="settings-range" key={index}>
                    <label for={`hours-${day}-${index}-from`} class="visually-hidden">
                      {t("settings.hours.from", { day: dayName, number: index + 1 })}
                    </label>
                    <input
                      type="time"
                      id={`hours-${day}-${index}-from`}
                      value={range.from}
                      aria-invalid={bad ? "true" : "false"}
                      onInput={(event) => setRanges(day, ranges.map((r, i) => (i === index ? { ...r, from: event.currentTarget.value } : r)))}
                    />
                    <span aria-hidden="true">–</span>
                    <label for={`hours-${day}-${index}-to`} class="visually-hidden">
                      {t("settings.hours.to", { day: dayName, number: index + 1 })}
                    </label>
                    <input
                      type="time"
                      id={`hours-${day}-${index}-to`}
                      value={range.to}
                      aria-invalid={bad ? "true" : "false"}
                      onInput={(event) => setRanges(day, ranges.map((r, i) => (i === index ? { ...r, to: event.currentTarget.value } : r)))}
                    />
                    <button
                      type="button"
                      class="icon-button settings-remove-range"
                      aria-label={t("settings.hours.remove", { day: dayName, number: index + 1 })}
                      title={t("settings.hours.remove", { day: dayName, number: index + 1 })}
                      onClick={() => setRanges(day, ranges.filter((_, i) => i !== index))}
                    >
                      ×
                    </button>
                    {range.to === "00:00" && range.from !== "00:00" && <span class="help">{t("settings.hours.untilMidnight")}</span>}
                    {range.from === "00:00" && range.to === "00:00" && <span class="help">{t("settings.hours.allDay")}</span>}
                    {crossesMidnight(range) && <span class="help">{t("settings.hours.nextDay")}</span>}
                  </div>
                );
              })}
              <div class="settings-day-actions">
                {ranges.length < MAX_RANGES && (
                  <button type="button" class="link-button" id={`hours-${day}-add`} onClick={() => addRange(day, ranges)}>
                    {ranges.length === 0 ? t("settings.hours.open", { day: dayName }) : t("settings.hours.addRange", { day: dayName })}
                  </button>
                )}
                {day === "mon" && ranges.length > 0 && (
                  <button type="button" class="link-button" id="hours-copy-weekdays" onClick={() => copyToWeekdays({ ranges })}>
                    {t("settings.hours.copyWeekdays")}
                  </button>
                )}
              </div>
            </div>
          </div>
        );
      })}
    </div>
  );
}
