// The live view for a terminal: the whole frame redrawn in place on the alternate screen (as `top`
// does), so the terminal's own scrollback is left as it was and the summary lands in it at the end.
import type { Snapshot } from "../model.js";
import { type Paint, painter } from "./format.js";
import { frameLines } from "./frame.js";
import type { View, ViewContext } from "./view.js";

const ENTER = "\x1b[?1049h\x1b[?25l"; // alternate screen, hide cursor
const LEAVE = "\x1b[?25h\x1b[?1049l"; // show cursor, main screen
const HOME = "\x1b[H";
const CLEAR_LINE_END = "\x1b[K";
const CLEAR_SCREEN_END = "\x1b[J";
const NOTES_KEPT = 4;

export class LiveView implements View {
  private readonly notes: string[] = [];
  private readonly paint: Paint;
  private last: Snapshot | undefined;
  private open = true;
  // A crash or process.exit must not leave the terminal without a cursor on the other screen.
  private readonly restore = () => this.out.write(LEAVE);

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly context: ViewContext,
    colour: boolean,
  ) {
    this.paint = painter(colour);
    out.write(ENTER);
    process.once("exit", this.restore);
    out.on("resize", this.redraw);
  }

  note(text: string): void {
    this.notes.push(text);
    if (this.notes.length > NOTES_KEPT) this.notes.shift();
    this.redraw();
  }

  update(snapshot: Snapshot): void {
    this.last = snapshot;
    this.redraw();
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.out.off("resize", this.redraw);
    process.off("exit", this.restore);
    this.restore();
  }

  private readonly redraw = () => {
    if (!this.open || !this.last) return;
    const columns = this.out.columns || 120;
    const rows = this.out.rows || 40;
    let lines = frameLines(this.last, this.context, this.notes, this.paint);
    if (lines.length > rows) lines = [...lines.slice(0, rows - 1), `… ${lines.length - rows + 1} more lines`];
    this.out.write(
      `${HOME}${lines.map((line) => `${fitWidth(line, columns)}\x1b[0m${CLEAR_LINE_END}`).join("\n")}${CLEAR_SCREEN_END}`,
    );
  };
}

const ESC = 0x1b;

/** Cuts `line` to `columns` visible characters, keeping ANSI sequences (they take no room). */
export function fitWidth(line: string, columns: number): string {
  let visible = 0;
  let out = "";
  let i = 0;
  while (i < line.length) {
    if (line.charCodeAt(i) === ESC && line[i + 1] === "[") {
      // A CSI sequence: ESC [ parameters, then one final letter.
      let end = i + 2;
      while (end < line.length && !/[A-Za-z]/.test(line.charAt(end))) end++;
      out += line.slice(i, end + 1);
      i = end + 1;
      continue;
    }
    const char = String.fromCodePoint(line.codePointAt(i) ?? 32);
    if (visible < columns) out += char;
    visible += 1;
    i += char.length;
  }
  return out;
}
