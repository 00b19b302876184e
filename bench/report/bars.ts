/**
 * The bench's bar chart: one bar per row at its median, a whisker for the
 * middle half of the runs (p25–p75), and unavailable rows kept as labelled
 * gaps. Each bar carries its row id and median as data attributes, so a test
 * can check the chart against the table.
 */
import type { Row } from '../lib/rows.ts';
import { clip, esc, ms, niceStep, svgDocument, text } from './svg.ts';

const COLORS: Record<Row['group'], string> = {
  floor: '#9aa5b1',
  peer: '#e8a33d',
  runtime: '#2f7ed8',
  trace: '#8e5bd0',
  cli: '#2ca58d',
};

export function barChart(rows: readonly Row[], title: string): string {
  const labelW = 300;
  const plotW = 520;
  const rowH = 26;
  const top = 48;
  const width = labelW + plotW + 110;
  const height = top + rows.length * rowH + 40;
  const max = Math.max(1, ...rows.flatMap((r) => (r.stats ? [r.stats.p75, r.stats.median] : [])));
  const step = niceStep(max);
  const axisMax = Math.ceil(max / step) * step;
  const x = (v: number) => labelW + (v / axisMax) * plotW;
  const body: string[] = [text(12, 24, title, 'font-size="15" font-weight="bold"')];
  for (let t = 0; t <= axisMax + 1e-9; t += step) {
    body.push(`<line x1="${x(t).toFixed(1)}" y1="${top - 6}" x2="${x(t).toFixed(1)}" y2="${top + rows.length * rowH}" stroke="#e4e7eb"/>`);
    body.push(text(x(t), top + rows.length * rowH + 16, `${+t.toFixed(3)}`, 'text-anchor="middle" fill="#52606d"'));
  }
  body.push(text(labelW + plotW / 2, height - 6, 'milliseconds (median; whisker = p25–p75)', 'text-anchor="middle" fill="#52606d"'));
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    body.push(text(labelW - 8, y + 16, clip(r.label, 44), 'text-anchor="end"'));
    if (r.status !== 'ok' || !r.stats) {
      const why = r.status === 'error' ? 'failed here (see table)' : 'not available here';
      body.push(`<g data-id="${esc(r.id)}" data-status="${r.status}">${text(labelW + 6, y + 16, why, 'fill="#9aa5b1" font-style="italic"')}</g>`);
      return;
    }
    const s = r.stats;
    const w = Math.max(1, x(s.median) - labelW);
    body.push(
      `<g data-id="${esc(r.id)}" data-status="ok" data-median="${ms(s.median)}">` +
        `<title>${esc(`${r.label}: median ${ms(s.median)} ms, p25–p75 ${ms(s.p25)}–${ms(s.p75)} ms, ${s.samples} runs`)}</title>` +
        `<rect x="${labelW}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 10}" fill="${COLORS[r.group]}"/>` +
        `<line x1="${x(s.p25).toFixed(1)}" y1="${y + rowH / 2 - 1}" x2="${x(s.p75).toFixed(1)}" y2="${y + rowH / 2 - 1}" stroke="#1f2933" stroke-width="1.5"/>` +
        text(Math.max(x(s.median), x(s.p75)) + 6, y + 16, `${ms(s.median)} ms`) +
        `</g>`,
    );
  });
  return svgDocument(width, height, body);
}
