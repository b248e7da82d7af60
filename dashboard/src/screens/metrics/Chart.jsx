// A chart of one value per day or week (lines, or bars), drawn with uPlot on a canvas,
// with its title and axes; the same numbers are always available as a table (for screen
// readers, and for whoever prefers to read them). uPlot loads only with this screen, so
// the inbox's first render does not wait for it.
import { useEffect, useRef, useState } from "preact/hooks";
import { t } from "../../i18n/index.js";
import { number } from "./format.js";

let loading = null;

function loadUPlot() {
  loading ??= Promise.all([import("uplot"), import("uplot/dist/uPlot.min.css")]).then(([module]) => module.default);
  return loading;
}

const HEIGHT = 230;
const INK = "#4f5e67";
const GRID = "#d8dee2";
const FONT = "12px system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif";
const INTEGER_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000];

function options(uPlot, { labels, series, bars, xLabel, yLabel }, width) {
  const last = Math.max(0, labels.length - 1);
  return {
    width,
    height: HEIGHT,
    cursor: { drag: { x: false, y: false }, points: { size: 8 } },
    legend: { show: true, live: true },
    scales: {
      x: { time: false, range: () => (bars ? [-0.6, last + 0.6] : [0, Math.max(1, last)]) },
      y: { range: (plot, min, max) => [0, Math.max(4, Math.ceil(max * 1.1))] },
    },
    axes: [
      {
        label: xLabel,
        stroke: INK,
        font: FONT,
        labelFont: FONT,
        grid: { show: false },
        ticks: { stroke: GRID },
        space: 56,
        incrs: [1, 2, 7, 14, 28],
        values: (plot, splits) => splits.map((index) => (Number.isInteger(index) ? labels[index] ?? "" : "")),
      },
      {
        label: yLabel,
        stroke: INK,
        font: FONT,
        labelFont: FONT,
        grid: { stroke: GRID, width: 1 },
        ticks: { stroke: GRID },
        incrs: INTEGER_STEPS,
        size: 56,
        values: (plot, splits) => splits.map((value) => number(value)),
      },
    ],
    series: [
      { label: xLabel, value: (plot, index) => (index == null ? "–" : labels[index] ?? "") },
      ...series.map((item) => ({
        label: item.label,
        stroke: item.color,
        width: 2,
        fill: bars ? item.color : undefined,
        paths: bars ? uPlot.paths.bars({ size: [0.7, 64] }) : undefined,
        points: { show: !bars && labels.length <= 31, size: 5, fill: item.color },
        value: (plot, value) => (value == null ? "–" : number(value)),
      })),
    ],
  };
}

/**
 * `labels` names each x position; `series` is [{label, color, values}]; `table` is the
 * same data as a <table>, shown under "Ver como tabla".
 */
export function Chart({ id, title, summary, labels, series, bars = false, xLabel, yLabel, table }) {
  const box = useRef(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let plot = null;
    let observer = null;
    let cancelled = false;
    loadUPlot().then((uPlot) => {
      const element = box.current;
      if (cancelled || !element) return;
      const width = Math.max(200, element.clientWidth);
      const data = [labels.map((_, index) => index), ...series.map((item) => item.values)];
      plot = new uPlot(options(uPlot, { labels, series, bars, xLabel, yLabel }, width), data, element);
      observer = new ResizeObserver(() => {
        const next = Math.max(200, element.clientWidth);
        if (plot && next !== plot.width) plot.setSize({ width: next, height: HEIGHT });
      });
      observer.observe(element);
    }).catch((error) => {
      console.warn("FácilChat: chart", error);
      if (!cancelled) setFailed(true);
    });
    return () => {
      cancelled = true;
      observer?.disconnect();
      plot?.destroy();
    };
  }, [labels, series, bars, xLabel, yLabel]);

  return (
    <figure class="metric-chart" id={id} aria-labelledby={`${id}-title`}>
      <figcaption class="visually-hidden" id={`${id}-title`}>{title}</figcaption>
      <div class="chart-canvas" ref={box} role="img" aria-label={summary} data-x-axis={xLabel} data-y-axis={yLabel} />
      {failed && <p class="muted">{t("metrics.chartFailed")}</p>}
      <details class="as-table" open={failed}>
        <summary>{t("metrics.asTable")}</summary>
        {table}
      </details>
    </figure>
  );
}
