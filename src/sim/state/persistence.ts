// Keeps the simulator's state in `<stateDir>/state.json` so a restarted simulator still holds
// its resources. Writes are coalesced: many changes within a few milliseconds cost one write.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { StateSnapshot } from "./store.js";

const FILE = "state.json";
const COALESCE_MS = 25;

export class StatePersistence {
  private readonly path: string;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    dir: string,
    private readonly takeSnapshot: () => StateSnapshot,
  ) {
    this.path = join(dir, FILE);
  }

  /** The saved snapshot, or undefined when there is none or it cannot be read. */
  load(): StateSnapshot | undefined {
    if (!existsSync(this.path)) return undefined;
    try {
      const parsed = JSON.parse(readFileSync(this.path, "utf8")) as StateSnapshot;
      return parsed.format === 1 ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  /** Schedules a write of the current state (at most one per coalescing window). */
  markDirty(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.writing = this.writing.then(() => this.write()).catch(() => undefined);
    }, COALESCE_MS);
    this.timer.unref();
  }

  /** Writes synchronously now (used on close, so nothing pending is lost). */
  flushSync(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const temporary = `${this.path}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.takeSnapshot()));
    renameSync(temporary, this.path);
  }

  async settled(): Promise<void> {
    await this.writing;
  }

  private async write(): Promise<void> {
    const temporary = `${this.path}.tmp`;
    await writeFile(temporary, JSON.stringify(this.takeSnapshot()));
    await rename(temporary, this.path);
  }
}
