// Metrics for the last 7, 30 or 90 days, in the owner's time zone: messages per day, how
// they were answered, new clients per week, the busiest hours, the FAQs that answer most
// and how long customers wait for the owner's own reply. Every number is counted by the
// database (data/metrics.js); every chart has its table. "Tus datos" exports every client.
import { useEffect, useMemo, useState } from "preact/hooks";
import { DEFAULT_PERIOD, fetchMetrics, PERIODS } from "../data/metrics.js";
import { errorKey } from "../errors.js";
import { language, t } from "../i18n/index.js";
import { navigate, sectionHref } from "../router.js";
import { Chart } from "./metrics/Chart.jsx";
import { DataPanel } from "./metrics/DataPanel.jsx";
import { duration, longDay, number, percent, shortDay } from "./metrics/format.js";
import { Heatmap } from "./metrics/Heatmap.jsx";
import { ReplyShare } from "./metrics/ReplyShare.jsx";
import { TopFaqs } from "./metrics/TopFaqs.jsx";
import "./metrics.css";

const RECEIVED_COLOR = "#00684a";
const SENT_COLOR = "#0b69c7";
const NEW_CLIENTS_COLOR = "#7c3aed";

export function periodOf(params) {
  const days = Number(params?.days);
  return PERIODS.includes(days) ? days : DEFAULT_PERIOD;
}

export function Metrics({ timeZone, params }) {
  const days = periodOf(params);
  const [metrics, setMetrics] = useState(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    setError(null);
    fetchMetrics(days)
      .then((loaded) => {
        if (!cancelled) setMetrics({ days, ...loaded });
      })
      .catch((failure) => {
        if (!cancelled) setError(errorKey(failure));
      })
      .finally(() => {
        if (!cancelled) setLoading(false);
      });
    return () => {
      cancelled = true;
    };
  }, [days, attempt]);

  return (
    <section
      class="metrics"
      aria-labelledby="metrics-title"
      aria-busy={loading ? "true" : "false"}
      data-days={loading ? undefined : metrics?.days}
    >
      <div class="metrics-head">
        <h1 class="section-title" id="metrics-title">{t("nav.metrics")}</h1>
        <PeriodPicker value={days} />
      </div>
      {metrics && (
        <p class="muted metrics-period" id="metrics-period">
          {t("metrics.period", {
            from: shortDay(metrics.perDay[0]?.day ?? ""),
            to: shortDay(metrics.perDay[metrics.perDay.length - 1]?.day ?? ""),
            zone: timeZone,
          })}
        </p>
      )}
      {loading && <p class="muted" role="status">{t("metrics.loading")}</p>}
      {error && (
        <div class="alert metrics-error" role="alert">
          {t(error)}{" "}
          <button type="button" class="link-button" onClick={() => setAttempt((n) => n + 1)}>{t("action.retry")}</button>
        </div>
      )}
      {metrics && <MetricCards metrics={metrics} />}
      <DataPanel timeZone={timeZone} />
    </section>
  );
}

function PeriodPicker({ value }) {
  return (
    <fieldset class="metrics-periods">
      <legend class="visually-hidden">{t("metrics.periodLabel")}</legend>
      {PERIODS.map((days) => (
        <label key={days} class="period-option">
          <input
            type="radio"
            name="metrics-period"
            value={days}
            checked={value === days}
            onChange={() => navigate(sectionHref("metrics", { days }))}
          />
          <span>{t("metrics.days", { count: days })}</span>
        </label>
      ))}
    </fieldset>
  );
}

function MetricCards({ metrics }) {
  const { perDay, replies, newClients, hours, topFaqs, humanReply } = metrics;
  const received = replies.received;
  const sent = perDay.reduce((sum, day) => sum + day.sent, 0);
  const newClientsTotal = newClients.reduce((sum, week) => sum + week.clients, 0);

  // Rebuilt when the data or the language changes: the charts redraw only then.
  const lang = language();
  const dayLabels = useMemo(() => perDay.map((day) => shortDay(day.day)), [perDay, lang]);
  const daySeries = useMemo(() => [
    { label: t("metrics.perDay.received"), color: RECEIVED_COLOR, values: perDay.map((day) => day.received) },
    { label: t("metrics.perDay.sent"), color: SENT_COLOR, values: perDay.map((day) => day.sent) },
  ], [perDay, lang]);
  const weekLabels = useMemo(() => newClients.map((week) => shortDay(week.weekStart)), [newClients, lang]);
  const weekSeries = useMemo(() => [
    { label: t("metrics.newClients.series"), color: NEW_CLIENTS_COLOR, values: newClients.map((week) => week.clients) },
  ], [newClients, lang]);
  const busiest = perDay.reduce((best, day) => (day.received > (best?.received ?? 0) ? day : best), null);

  return (
    <>
      {received + sent === 0 && <p class="notice" id="metrics-empty">{t("metrics.empty")}</p>}
      <ul class="metric-tiles" aria-label={t("metrics.tilesLabel")}>
        <Tile id="tile-received" value={received} label={t("metrics.tiles.received")} />
        <Tile id="tile-sent" value={sent} label={t("metrics.tiles.sent")} />
        <Tile id="tile-new-clients" value={newClientsTotal} label={t("metrics.tiles.newClients")} />
        <Tile
          id="tile-faq-share"
          value={replies.faq}
          shown={percent(replies.faq, received)}
          label={t("metrics.tiles.faqShare")}
        />
      </ul>

      <div class="metric-grid">
        <section class="metric-card wide" aria-labelledby="metrics-per-day-title">
          <h2 id="metrics-per-day-title">{t("metrics.perDay.title")}</h2>
          <Chart
            id="chart-per-day"
            title={t("metrics.perDay.title")}
            summary={t("metrics.perDay.summary", {
              received: number(received),
              sent: number(sent),
              busiest: busiest ? longDay(busiest.day) : "–",
            })}
            labels={dayLabels}
            series={daySeries}
            xLabel={t("metrics.perDay.x")}
            yLabel={t("metrics.perDay.y")}
            table={(
              <table class="data-table" id="per-day-table">
                <caption class="visually-hidden">{t("metrics.perDay.title")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("metrics.perDay.x")}</th>
                    <th scope="col" class="number">{t("metrics.perDay.received")}</th>
                    <th scope="col" class="number">{t("metrics.perDay.sent")}</th>
                  </tr>
                </thead>
                <tbody>
                  {perDay.map((day) => (
                    <tr key={day.day} data-day={day.day} data-received={day.received} data-sent={day.sent}>
                      <th scope="row">{longDay(day.day)}</th>
                      <td class="number">{number(day.received)}</td>
                      <td class="number">{number(day.sent)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          />
        </section>

        <section class="metric-card" aria-labelledby="metrics-share-title">
          <h2 id="metrics-share-title">{t("metrics.share.title")}</h2>
          <ReplyShare replies={replies} />
        </section>

        <section class="metric-card" aria-labelledby="metrics-new-clients-title">
          <h2 id="metrics-new-clients-title">{t("metrics.newClients.title")}</h2>
          <Chart
            id="chart-new-clients"
            title={t("metrics.newClients.title")}
            summary={t("metrics.newClients.summary", { count: newClientsTotal, weeks: newClients.length })}
            labels={weekLabels}
            series={weekSeries}
            bars
            xLabel={t("metrics.newClients.x")}
            yLabel={t("metrics.newClients.y")}
            table={(
              <table class="data-table" id="new-clients-table">
                <caption class="visually-hidden">{t("metrics.newClients.title")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("metrics.newClients.x")}</th>
                    <th scope="col" class="number">{t("metrics.newClients.y")}</th>
                  </tr>
                </thead>
                <tbody>
                  {newClients.map((week) => (
                    <tr key={week.weekStart} data-week={week.weekStart} data-count={week.clients}>
                      <th scope="row">{t("metrics.newClients.weekOf", { day: longDay(week.weekStart) })}</th>
                      <td class="number">{number(week.clients)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          />
        </section>

        <section class="metric-card wide" aria-labelledby="metrics-hours-title">
          <h2 id="metrics-hours-title">{t("metrics.hours.title")}</h2>
          <p class="muted card-note">{t("metrics.hours.note")}</p>
          <Heatmap hours={hours} />
        </section>

        <section class="metric-card" aria-labelledby="metrics-faqs-title">
          <h2 id="metrics-faqs-title">{t("metrics.faqs.title")}</h2>
          <TopFaqs faqs={topFaqs} />
        </section>

        {humanReply.replies > 0 && (
          <section class="metric-card" aria-labelledby="metrics-human-title" id="human-reply"
            data-replies={humanReply.replies} data-median-seconds={humanReply.medianSeconds}>
            <h2 id="metrics-human-title">{t("metrics.human.title")}</h2>
            <p class="big-number">{duration(humanReply.medianSeconds)}</p>
            <p>{t("metrics.human.median", { time: duration(humanReply.medianSeconds) })}</p>
            <p class="muted">{t("metrics.human.count", { count: humanReply.replies })}</p>
          </section>
        )}
      </div>
    </>
  );
}

function Tile({ id, value, shown, label }) {
  return (
    <li class="metric-tile" id={id} data-value={value}>
      <span class="tile-value">{shown ?? number(value)}</span>
      <span class="tile-label">{label}</span>
    </li>
  );
}
