// Keeps the simulator's state in `<stateDir>/state.json` so a restarted simulator still holds
// its resources. Writes are coalesced: many changes within a few milliseconds cost one write.
//
// Every write goes to its own temporary file and is then renamed over `state.json`, so the file
// is always one complete snapshot. Writes are ordered by generation: a snapshot is only renamed
// into place if no newer one got there first. This matters when `close()` writes the final state
// while a coalesced background write is still in flight (easy on a loaded machine): that older
// write must neither overwrite the final state nor scribble into it.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { StateSnapshot } from "./store.js";

const FILE = "state.json";
const COALESCE_MS = 25;

/** Distinguishes temporary files of every write in this process (several simulators may share a directory over time). */
let temporaryCounter = 0;

export class StatePersistence {
  private readonly path: string;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** Generation of the latest snapshot taken for writing. */
  private generation = 0;
  /** Generation of the snapshot that `state.json` holds (0: none written by this instance). */
  private committed = 0;
  private closed = false;

  constructor(
    dir: string,
    private readonly takeSnapshot: () => StateSnapshot,
  ) {
    this.path = join(dir, FILE);
  }

  /**
   * The saved snapshot, or undefined when there is none.
   * Throws when the file exists but is not a snapshot this simulator wrote: starting empty
   * instead would silently lose every resource and operation of the previous run.
   */
  load(): StateSnapshot | undefined {
    if (!existsSync(this.path)) return undefined;
    let parsed: StateSnapshot;
    try {
      parsed = JSON.parse(readFileSync(this.path, "utf8")) as StateSnapshot;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `cannot read the saved simulator state ${this.path} (${reason}); delete it to start empty`,
      );
    }
    if (parsed?.format !== 1) {
      throw new Error(`${this.path} is not a simulator state snapshot of format 1; delete it to start empty`);
    }
    return parsed;
  }

  /** Schedules a write of the current state (at most one per coalescing window). */
  markDirty(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.writing = this.writing.then(() => this.write()).catch(() => undefined);
    }, COALESCE_MS);
    this.timer.unref();
  }

  /**
   * Writes the current state synchronously now and stops further writes (used on close, so
   * nothing pending is lost). A background write still in flight is discarded, never renamed
   * over this one; `settled()` resolves once it has cleaned up after itself.
   */
  flushSync(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.closed = true;
    const generation = ++this.generation;
    const temporary = this.temporaryPath();
    try {
      writeFileSync(temporary, JSON.stringify(this.takeSnapshot()));
      renameSync(temporary, this.path);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
    this.committed = generation;
  }

  /** Resolves when no background write is in flight. */
  async settled(): Promise<void> {
    await this.writing;
  }

  private async write(): Promise<void> {
    if (this.closed) return;
    const generation = ++this.generation;
    const temporary = this.temporaryPath();
    try {
      await writeFile(temporary, JSON.stringify(this.takeSnapshot()));
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    // Check and rename in one synchronous step, so `flushSync` cannot come in between.
    if (generation > this.committed) {
      try {
        renameSync(temporary, this.path);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
      this.committed = generation;
    } else {
      await rm(temporary, { force: true });
    }
  }

  private temporaryPath(): string {
    temporaryCounter += 1;
    return `${this.path}.${process.pid}-${temporaryCounter}.tmp`;
  }
}
