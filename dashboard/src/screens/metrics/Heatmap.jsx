// When customers write: a weekday × hour table of the messages received, coloured by how
// busy each hour is. It is a real table, so a screen reader reads every count with its
// day and hour; the colours come with the numbers and a legend, never alone.
import { t } from "../../i18n/index.js";
import { longWeekday, number, shortWeekday } from "./format.js";

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];
const HOURS = Array.from({ length: 24 }, (_, hour) => hour);
// Level 0 is an hour without messages; 1 to 4 split the busiest hour's count in quarters.
export const LEVELS = 4;

export function levelOf(count, max) {
  if (count <= 0 || max <= 0) return 0;
  return Math.min(LEVELS, Math.ceil((count / max) * LEVELS));
}

function legendRanges(max) {
  const ranges = [{ level: 0, text: "0" }];
  let from = 1;
  for (let level = 1; level <= LEVELS; level += 1) {
    const to = Math.floor((max * level) / LEVELS);
    if (to < from) continue;
    ranges.push({ level, text: from === to ? number(from) : `${number(from)}–${number(to)}` });
    from = to + 1;
  }
  return ranges;
}

export function Heatmap({ hours }) {
  const counts = new Map(hours.map((cell) => [`${cell.weekday}:${cell.hour}`, cell.messages]));
  const max = Math.max(0, ...hours.map((cell) => cell.messages));
  return (
    <>
      <div class="heatmap-scroll" tabIndex={0} role="region" aria-labelledby="metrics-hours-title">
        <table class="heatmap" id="busiest-hours">
          <caption class="visually-hidden">{t("metrics.hours.caption")}</caption>
          <thead>
            <tr>
              <th scope="col"><span class="visually-hidden">{t("metrics.hours.day")}</span></th>
              {HOURS.map((hour) => (
                <th scope="col" key={hour} abbr={t("metrics.hours.hourLong", { hour })}>{hour}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {WEEKDAYS.map((weekday) => (
              <tr key={weekday}>
                <th scope="row">
                  <span aria-hidden="true">{shortWeekday(weekday)}</span>
                  <span class="visually-hidden">{longWeekday(weekday)}</span>
                </th>
                {HOURS.map((hour) => {
                  const count = counts.get(`${weekday}:${hour}`) ?? 0;
                  return (
                    <td
                      key={hour}
                      class={`heat-${levelOf(count, max)}`}
                      data-weekday={weekday}
                      data-hour={hour}
                      data-count={count}
                    >
                      {count > 0 ? number(count) : <span class="visually-hidden">0</span>}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="heat-legend" aria-hidden="true">
        <span>{t("metrics.hours.fewer")}</span>
        {legendRanges(max).map((range) => (
          <span class="heat-key" key={range.level}>
            <span class={`heat-swatch heat-${range.level}`} />
            {range.text}
          </span>
        ))}
        <span>{t("metrics.hours.more")}</span>
      </div>
    </>
  );
}
