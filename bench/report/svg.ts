/**
 * Small SVG helpers shared by the bar chart and the trace timeline. The SVGs
 * are standalone files linked from the markdown (`![…](x.svg)`): GitHub
 * renders those, while it strips `<svg>` written inline in markdown.
 */
export const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The one number format used by tables, charts and their tests: 2 decimals. */
export const ms = (n: number): string => n.toFixed(2);

export function svgDocument(width: number, height: number, body: string[], attrs: Record<string, string | number> = {}): string {
  const extra = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${esc(String(v))}"`)
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12"${extra}>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

export function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}"${attrs ? ' ' + attrs : ''}>${esc(s)}</text>`;
}

/** Round numbers for an axis: 1, 2, 5 × 10^k, about `count` ticks. */
export function niceStep(max: number, count = 6): number {
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw || 1));
  for (const m of [1, 2, 5, 10]) if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

/** Cut a long label so it fits its column; the full text stays in <title>. */
export function clip(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max - 1) + '…';
}
