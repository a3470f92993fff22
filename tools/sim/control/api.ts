// The control API under `/_sim/` (no authentication; the server listens on loopback only).
// Tests and benchmarks use it to seed fixtures, inject faults, move the clock and read what the
// simulator saw. Answers are compact JSON.
import type { SimulatorCore } from "../core.js";
import { applyReplicationFaultsToRunning } from "../engine/replication-faults.js";
import type { FaultSpec } from "../http/faults.js";
import { type Fixtures, seedFixtures } from "./fixtures.js";

export interface ControlAnswer {
  status: number;
  body: unknown;
}

function parse(body: Buffer): unknown {
  const text = body.toString("utf8").trim();
  return text === "" ? {} : JSON.parse(text);
}

/** Registers a fault and, for replication faults, applies it to versions already replicating. */
export function addFault(core: SimulatorCore, spec: FaultSpec): { id: string } {
  const registered = core.faults.add(spec, core.now());
  if (spec.kind === "replication") applyReplicationFaultsToRunning(core);
  return registered;
}

/**
 * Answers `{method} /_sim/{name}`.
 *
 * Routes: GET requests[?after=seq], GET stats, POST reset, GET|POST|DELETE faults,
 * GET|POST clock (body `{"advanceMs": n}`), POST fixtures, GET state, GET health.
 * Errors: 400 with `{"error": message}` for a body that is not valid JSON or a bad spec; 404 for
 * an unknown route.
 */
export function handleControl(
  core: SimulatorCore,
  method: string,
  name: string,
  query: URLSearchParams,
  body: Buffer,
): ControlAnswer {
  try {
    switch (`${method} ${name}`) {
      case "GET health":
        return { status: 200, body: { ok: true } };
      case "GET requests":
        return { status: 200, body: core.log.list(Number(query.get("after") ?? 0)) };
      case "GET stats":
        return { status: 200, body: core.log.stats() };
      case "POST reset":
        core.reset();
        return { status: 200, body: { ok: true } };
      case "GET faults":
        return { status: 200, body: core.faults.list() };
      case "POST faults":
        return { status: 201, body: addFault(core, parse(body) as FaultSpec) };
      case "DELETE faults":
        core.faults.clear();
        return { status: 200, body: { ok: true } };
      case "GET clock":
        return { status: 200, body: { mode: core.clock.mode, now: new Date(core.now()).toISOString() } };
      case "POST clock": {
        const { advanceMs } = parse(body) as { advanceMs?: number };
        if (typeof advanceMs !== "number" || !(advanceMs >= 0))
          throw new TypeError("'advanceMs' must be a non-negative number");
        const now = core.advance(advanceMs);
        return { status: 200, body: { mode: core.clock.mode, now: new Date(now).toISOString() } };
      }
      case "POST fixtures":
        seedFixtures(core, parse(body) as Fixtures);
        return { status: 200, body: { ok: true } };
      case "GET state":
        return { status: 200, body: core.snapshot() };
      default:
        return { status: 404, body: { error: `no control route '${method} /_sim/${name}'` } };
    }
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof TypeError)
      return { status: 400, body: { error: error.message } };
    throw error;
  }
}
