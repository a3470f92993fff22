// A dev run from start to end: load the examples, start the stack, apply, show progress until
// Ready (with --exit-when-ready), a timeout, Ctrl-C or an operator crash, print the summary, and
// stop everything that was started.
import { setTimeout as sleep } from "node:timers/promises";
import { GROUP, KINDS, type KindName } from "../../src/api/index.js";
import { applyExample } from "./apply.js";
import { type Example, loadExamples } from "./examples.js";
import { worldFor } from "./fixtures.js";
import { isolateExample } from "./isolate.js";
import { isReady, type ObjectKey, type Snapshot } from "./model.js";
import { Observer } from "./observe.js";
import type { DevOptions } from "./options.js";
import { type DevStack, startDevStack } from "./stack.js";
import { claimStateDir } from "./state-dir.js";
import { Teardown } from "./teardown.js";
import { LinesView } from "./view/lines.js";
import { LiveView } from "./view/live.js";
import { type Ending, summaryLines } from "./view/summary.js";
import type { View } from "./view/view.js";

const TICK_MS = 500;
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

export interface DevIo {
  /** Where everything goes; the live view needs a terminal here. */
  out: NodeJS.WriteStream;
  /** Colour and the live view's cursor moves are allowed. */
  colour: boolean;
}

/**
 * Runs dev mode. Exit codes: 0 when every applied object became Ready (--exit-when-ready) or the user
 * stopped an interactive run; 1 on timeout, a refused example, an operator crash or a failed start;
 * 130 when --exit-when-ready was interrupted.
 *
 * Guarantees: whatever happens after the examples are read, the simulator, operator and control
 * plane are stopped before this resolves; a second Ctrl-C exits at once (the control plane's exit
 * hooks still kill its processes).
 */
export async function runDev(options: DevOptions, io: DevIo): Promise<number> {
  const startedAt = Date.now();
  const say = (line: string) => io.out.write(`dev: ${line}\n`);
  const examples = (await loadExamples(options.examplesDir)).map(isolateExample);
  const world = worldFor(examples.map((i) => i.example));
  const { layout, release } = await claimStateDir(options.stateDir);

  const stop = new AbortController();
  let view: View | undefined;
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1) return stop.abort(signal);
    view?.close();
    process.exit(130);
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  const teardown = new Teardown();
  teardown.add("state dir", release);
  try {
    say(`state in ${layout.dir}`);
    for (const { example, subscriptions } of examples) {
      const mapped = [...subscriptions].map(([from, to]) => `subscription ${from} → ${to}`).join(", ");
      say(`example ${example.name}: namespace ${example.namespace}${mapped ? `, ${mapped}` : ""}`);
    }
    const stack = await startDevStack({ options, layout, world }, teardown, say, stop.signal);
    io.out.write(
      `kubeconfig: ${stack.plane.kubeconfigPath}\nexport KUBECONFIG=${stack.plane.kubeconfigPath}\n`,
    );

    const context = {
      timeScale: options.timeScale,
      kubeconfigPath: stack.plane.kubeconfigPath,
      operatorLog: layout.operatorLog,
    };
    view =
      options.output === "live"
        ? new LiveView(io.out, context, io.colour)
        : new LinesView((line) => io.out.write(`${line}\n`), startedAt);
    const applied = await applyAll(
      stack,
      examples.map((i) => i.example),
      layout.manifests,
      view,
    );
    const observer = new Observer(stack.transport, stack.sim, applied.keys, startedAt);
    const { ending, last } = await watch({
      observer,
      view,
      stack,
      options,
      applyFailed: !applied.ok,
      deadline: startedAt + options.timeoutMs,
      signal: stop.signal,
    });
    view.close();
    for (const line of summaryLines(last, ending)) io.out.write(`${line}\n`);
    return exitCode(ending, options);
  } catch (err) {
    view?.close();
    if (stop.signal.aborted) {
      say(`stopped by ${String(stop.signal.reason)} while starting`);
      return options.exitWhenReady ? 130 : 0;
    }
    say(`failed: ${errorText(err)}`);
    return 1;
  } finally {
    say("stopping the operator, the control plane and the simulator ...");
    await teardown.run((name, err) => say(`stopping the ${name} failed: ${errorText(err)}`));
    say(`stopped; logs and applied manifests are in ${layout.dir}`);
    for (const s of SIGNALS) process.off(s, onSignal);
  }
}

async function applyAll(
  stack: DevStack,
  examples: Example[],
  dir: string,
  view: View,
): Promise<{ ok: boolean; keys: ObjectKey[] }> {
  let ok = true;
  const keys: ObjectKey[] = [];
  for (const example of examples) {
    const result = await applyExample(stack.plane, example, dir);
    ok &&= result.ok;
    view.note(
      result.ok
        ? `applied ${example.name}: ${result.output.split("\n").length} objects`
        : `kubectl refused ${example.name} (${result.file}): ${result.output}`,
    );
    // A refused example's objects are still listed: as absent, so the summary names them.
    for (const m of example.manifests) {
      if (m.apiVersion.startsWith(`${GROUP}/`) && m.kind in KINDS) {
        keys.push({ kind: m.kind as KindName, namespace: example.namespace, name: m.metadata.name });
      }
    }
  }
  return { ok, keys };
}

interface WatchInput {
  observer: Observer;
  view: View;
  stack: DevStack;
  options: DevOptions;
  applyFailed: boolean;
  deadline: number;
  signal: AbortSignal;
}

/** Snapshots every TICK_MS into the view until something ends the run; returns why, and the last snapshot. */
async function watch(input: WatchInput): Promise<{ ending: Ending; last: Snapshot | undefined }> {
  const { observer, view, options, signal } = input;
  let operatorEnded: string | undefined;
  input.stack.operator.done.then(
    (reason) => {
      operatorEnded = reason;
    },
    (err: unknown) => {
      operatorEnded = `crashed: ${errorText(err)}`;
    },
  );
  let last: Snapshot | undefined;
  for (;;) {
    try {
      last = await observer.snapshot(signal);
      view.update(last);
    } catch (err) {
      if (!signal.aborted) view.note(`cannot read the cluster: ${errorText(err)}`);
    }
    if (signal.aborted) return { ending: { kind: "interrupted", signal: String(signal.reason) }, last };
    if (operatorEnded) return { ending: { kind: "operator-stopped", reason: operatorEnded }, last };
    if (options.exitWhenReady) {
      // A refused example can never become Ready: say so now rather than at the timeout (once a
      // snapshot exists, so the summary lists what did get applied).
      if (input.applyFailed && last) return { ending: { kind: "apply-failed" }, last };
      if (last?.rows.every(isReady)) return { ending: { kind: "ready" }, last };
      if (Date.now() >= input.deadline)
        return { ending: { kind: "timeout", timeoutMs: options.timeoutMs }, last };
    }
    await sleep(TICK_MS, undefined, { signal }).catch(() => undefined);
  }
}

function exitCode(ending: Ending, options: DevOptions): number {
  switch (ending.kind) {
    case "ready":
      return 0;
    case "interrupted":
      return options.exitWhenReady ? 130 : 0;
    default:
      return 1;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
