/**
 * The trace as a timeline: one bar per event on a shared time axis, coloured
 * by phase; steps tiny-init reported from inside the container have a
 * magenta outline and an "init ▸" label. Every bar carries its event's index,
 * start and duration as data attributes, so a test can hold the picture
 * against the JSON.
 */
import type { TraceEvent, TracePhase } from '../../runtime/sys/trace.ts';
import { clip, esc, ms, niceStep, svgDocument, text } from './svg.ts';

export const PHASE_COLORS: Record<TracePhase, string> = {
  validate: '#9aa5b1',
  rootfs: '#2f7ed8',
  namespaces: '#e8a33d',
  cgroups: '#d64545',
  network: '#2ca58d',
  init: '#8e5bd0',
  exec: '#f0b429',
  wait: '#c1c7cd',
  cleanup: '#52606d',
};

export const LABEL_WIDTH = 450;
export const PLOT_WIDTH = 540;
const ROW = 17;
const TOP = 64;

/** Events in time order (stable), each with its index in the trace file. */
export function timelineOrder(events: readonly TraceEvent[]): { index: number; e: TraceEvent }[] {
  return events.map((e, index) => ({ index, e })).sort((a, b) => a.e.at - b.e.at || a.index - b.index);
}

export function timelineSvg(events: readonly TraceEvent[], title: string, shorten: (s: string) => string = (s) => s): string {
  const ordered = timelineOrder(events);
  const end = Math.max(1, ...events.map((e) => e.at + e.durationMs));
  const step = niceStep(end, 8);
  const axisMax = Math.ceil(end / step) * step;
  const scale = PLOT_WIDTH / axisMax; // px per ms
  const x = (t: number) => LABEL_WIDTH + t * scale;
  const bottom = TOP + ordered.length * ROW;
  const body: string[] = [text(10, 22, title, 'font-size="15" font-weight="bold"')];
  // Legend: one swatch per phase that occurs, then the init marker.
  let lx = 10;
  const phases = [...new Set(events.map((e) => e.phase))];
  for (const p of phases) {
    body.push(`<rect x="${lx}" y="34" width="12" height="12" fill="${PHASE_COLORS[p] ?? '#999'}"/>`, text(lx + 16, 45, p));
    lx += 24 + p.length * 7;
  }
  body.push(`<rect x="${lx}" y="34" width="12" height="12" fill="#ffffff" stroke="#c2185b" stroke-width="2"/>`, text(lx + 16, 45, 'inside the container (tiny-init)'));
  for (let t = 0; t <= axisMax + 1e-9; t += step) {
    body.push(`<line x1="${x(t).toFixed(2)}" y1="${TOP - 4}" x2="${x(t).toFixed(2)}" y2="${bottom}" stroke="#e4e7eb"/>`);
    body.push(text(x(t), bottom + 14, `${+t.toFixed(3)}`, 'text-anchor="middle" fill="#52606d" font-size="11"'));
  }
  body.push(text(LABEL_WIDTH + PLOT_WIDTH / 2, bottom + 32, 'milliseconds since the trace started', 'text-anchor="middle" fill="#52606d"'));
  ordered.forEach(({ index, e }, row) => {
    const y = TOP + row * ROW;
    const init = e.source === 'init';
    const label = `${init ? 'init ▸ ' : ''}${shorten(e.call)}`;
    const w = Math.max(1.5, e.durationMs * scale);
    const stroke = !e.ok ? ' stroke="#d64545" stroke-width="2"' : init ? ' stroke="#c2185b" stroke-width="1.5"' : '';
    body.push(
      `<g data-index="${index}" data-at="${ms(e.at)}" data-ms="${ms(e.durationMs)}" data-phase="${e.phase}" data-source="${e.source}">` +
        `<title>${esc(`${shorten(e.call)} ${e.result}  ${ms(e.durationMs)} ms at ${ms(e.at)} ms (${e.phase}${init ? ', tiny-init' : ''})`)}</title>` +
        text(LABEL_WIDTH - 6, y + 12, clip(label, 58), `text-anchor="end" font-size="11"${init ? ' fill="#c2185b"' : ''}`) +
        `<rect x="${x(e.at).toFixed(2)}" y="${y + 2}" width="${w.toFixed(2)}" height="${ROW - 4}" fill="${PHASE_COLORS[e.phase] ?? '#999'}"${stroke}/>` +
        `</g>`,
    );
  });
  return svgDocument(LABEL_WIDTH + PLOT_WIDTH + 30, bottom + 44, body, { 'data-x0': LABEL_WIDTH, 'data-px-per-ms': scale.toFixed(6) });
}
