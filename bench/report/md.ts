// Markdown building blocks shared by the report's sections.

/** A number with thousands separators and a unit; "n/a" for a figure that was not measured. */
export function n(value: number | undefined, unit = ""): string {
  return value === undefined ? "n/a" : `${value.toLocaleString("en-US")}${unit}`;
}

export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** A two-column table of labelled figures. */
export function facts(rows: [string, string | number][]): string {
  return table(["", ""], rows);
}

export const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;
