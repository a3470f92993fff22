// The contract between dev mode and its two ways of showing progress (live.ts, lines.ts).
import type { Snapshot } from "../model.js";

export interface ViewContext {
  timeScale: number;
  kubeconfigPath: string;
  operatorLog: string;
}

export interface View {
  /** Something worth telling that no snapshot shows: an example applied or refused, a warning. */
  note(text: string): void;
  /** The latest state; called about twice a second. */
  update(snapshot: Snapshot): void;
  /** Leaves the terminal as it was found; later calls do nothing. */
  close(): void;
}
