/**
 * Tables in glooctl's style (Go tablewriter): `+---+` borders, centred upper-case headers,
 * left-aligned cells, multi-line cells.
 */
export function renderTable(headers: string[], rows: string[][]): string {
  const cells = rows.map((r) => r.map((c) => c.split('\n')));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => Math.max(0, ...(r[i] ?? ['']).map((l) => l.length)))));
  const border = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+';
  const center = (s: string, w: number) => {
    const left = Math.floor((w - s.length) / 2);
    return ' '.repeat(left) + s + ' '.repeat(w - s.length - left);
  };
  const out = [border, '| ' + headers.map((h, i) => center(h, widths[i]!)).join(' | ') + ' |', border];
  for (const row of cells) {
    const height = Math.max(1, ...row.map((c) => c.length));
    for (let line = 0; line < height; line++) {
      out.push('| ' + widths.map((w, i) => (row[i]?.[line] ?? '').padEnd(w)).join(' | ') + ' |');
    }
  }
  out.push(border);
  return out.join('\n') + '\n';
}

/** Wraps text at `width` columns on spaces (long words stay whole). */
export function wrap(text: string, width = 60): string {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(' ')) {
      if (line && line.length + 1 + word.length > width) {
        out.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    out.push(line);
  }
  return out.join('\n');
}
