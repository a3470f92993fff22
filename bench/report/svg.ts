// Two small charts as hand-written SVG (no plotting dependency): objects Ready over time during
// convergence, with the rate-limit bound marked, and ARM calls per bucket as horizontal bars.

const FAMILY = 'font-family="sans-serif"';
const FONT = `${FAMILY} font-size="11"`;
const TITLE = `${FAMILY} font-size="13" font-weight="bold"`;

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Round tick steps (1, 2, 5 × 10^n) giving about `count` ticks from 0 to at least `max`. */
export function ticks(max: number, count = 5): number[] {
  if (max <= 0) return [0];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  // Up to the first tick at or past `max`, so the axis holds every point.
  const steps = Math.ceil(max / step - 1e-9);
  return Array.from({ length: steps + 1 }, (_, i) => Math.round(i * step * 1e6) / 1e6);
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  points: { x: number; y: number }[];
  /** Vertical dashed markers, e.g. the bound. */
  markers: { x: number; label: string }[];
}

export function lineChartSvg(chart: LineChart): string {
  const width = 640;
  const height = 360;
  const m = { left: 60, right: 20, top: 36, bottom: 48 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const xMax = Math.max(1, ...chart.points.map((p) => p.x), ...chart.markers.map((k) => k.x));
  const yMax = Math.max(1, ...chart.points.map((p) => p.y));
  const xs = ticks(xMax);
  const ys = ticks(yMax);
  const xTop = xs.at(-1) ?? xMax;
  const yTop = ys.at(-1) ?? yMax;
  const px = (x: number) => m.left + (x / xTop) * plotW;
  const py = (y: number) => m.top + plotH - (y / yTop) * plotH;
  // A step line: the count holds until the next object becomes Ready.
  const path = chart.points
    .map((p, i) => {
      const prev = chart.points[i - 1];
      const step = prev ? `L${px(p.x).toFixed(1)},${py(prev.y).toFixed(1)} ` : "";
      return `${i === 0 ? "M" : `${step}L`}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`;
    })
    .join(" ");
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" ${TITLE}>${escapeXml(chart.title)}</text>`,
    ...xs.map(
      (x) =>
        `<line x1="${px(x)}" y1="${m.top}" x2="${px(x)}" y2="${m.top + plotH}" stroke="#eee"/><text x="${px(x)}" y="${m.top + plotH + 16}" text-anchor="middle" ${FONT}>${x}</text>`,
    ),
    ...ys.map(
      (y) =>
        `<line x1="${m.left}" y1="${py(y)}" x2="${m.left + plotW}" y2="${py(y)}" stroke="#eee"/><text x="${m.left - 6}" y="${py(y) + 4}" text-anchor="end" ${FONT}>${y}</text>`,
    ),
    `<rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`,
    ...chart.markers.map(
      (k) =>
        `<line x1="${px(k.x)}" y1="${m.top}" x2="${px(k.x)}" y2="${m.top + plotH}" stroke="#c33" stroke-dasharray="5,4"/><text x="${px(k.x) - 4}" y="${m.top + 12}" text-anchor="end" ${FONT} fill="#c33">${escapeXml(k.label)}</text>`,
    ),
    `<path d="${path}" fill="none" stroke="#1f6feb" stroke-width="2"/>`,
    `<text x="${m.left + plotW / 2}" y="${height - 10}" text-anchor="middle" ${FONT}>${escapeXml(chart.xLabel)}</text>`,
    `<text x="14" y="${m.top + plotH / 2}" text-anchor="middle" ${FONT} transform="rotate(-90 14 ${m.top + plotH / 2})">${escapeXml(chart.yLabel)}</text>`,
    "</svg>",
  ];
  return `${parts.join("\n")}\n`;
}

export interface BarChart {
  title: string;
  /** One row per bucket; each series a bar in that row. */
  rows: { label: string; values: number[] }[];
  series: { name: string; color: string }[];
}

/** The series' colour keys in one row from the left edge, each as wide as its label (about 6.5 px a character). */
function legend(series: BarChart["series"]): string[] {
  let x = 20;
  return series.map((s) => {
    const item = `<rect x="${x}" y="30" width="10" height="10" fill="${s.color}"/><text x="${x + 14}" y="39" ${FONT}>${escapeXml(s.name)}</text>`;
    x += 14 + Math.ceil(s.name.length * 6.5) + 24;
    return item;
  });
}

export function barChartSvg(chart: BarChart): string {
  const barH = 12;
  const rowH = barH * chart.series.length + 8;
  const m = { left: 250, right: 70, top: 52, bottom: 20 };
  const width = 720;
  const plotW = width - m.left - m.right;
  const height = m.top + rowH * chart.rows.length + m.bottom;
  const max = Math.max(1, ...chart.rows.flatMap((r) => r.values));
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" ${TITLE}>${escapeXml(chart.title)}</text>`,
    ...legend(chart.series),
  ];
  chart.rows.forEach((row, r) => {
    const y0 = m.top + r * rowH;
    parts.push(
      `<text x="${m.left - 8}" y="${y0 + rowH / 2 + 2}" text-anchor="end" ${FONT}>${escapeXml(row.label)}</text>`,
    );
    row.values.forEach((value, i) => {
      const w = (value / max) * plotW;
      const y = y0 + i * barH;
      parts.push(
        `<rect x="${m.left}" y="${y}" width="${w.toFixed(1)}" height="${barH - 2}" fill="${chart.series[i]?.color ?? "#888"}"/>`,
        `<text x="${(m.left + w + 4).toFixed(1)}" y="${y + barH - 3}" ${FONT}>${value}</text>`,
      );
    });
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
