// How long a new process waits for a write an earlier one may have sent (docs/runtime.md, "Exactly
// one write per decision"): long enough for ARM to show it, short enough that a removal it waits
// for still revokes promptly.
import { describe, expect, it } from "vitest";
import type { PendingOperation } from "../../src/api/index.js";
import type { ArmObject, ArmWrite } from "../../src/reconcilers/driver/arm-kind.js";
import { SHARE_SHOWS_WITHIN_MS, waitForEarlierWrite } from "../../src/reconcilers/driver/intent.js";
import { answerAnnotations } from "../../src/reconcilers/driver/operation-token.js";

const startedAt = new Date("2026-12-07T10:00:00Z");
const note = "gallery g: stop sharing with 1 subscription (Remove)";
const intent: PendingOperation = {
  action: "ShareRemove",
  intentId: "i-1",
  request: note,
  startedAt: startedAt.toISOString(),
  generation: 2,
};
const step: ArmWrite = {
  action: "ShareRemove",
  eventReason: "SharingUpdated",
  note,
  showsWithinMs: SHARE_SHOWS_WITHIN_MS,
  start: () => Promise.reject(new Error("never sent here")),
};
const later = (ms: number) => new Date(startedAt.getTime() + ms);
const token = '{"state":{"status":"running","config":{}}}';

/** A GallerySharing whose status holds `operation`, with `annotations`. */
function sharing(operation: PendingOperation, annotations: Record<string, string> = {}): ArmObject {
  return {
    apiVersion: "gallery.azure.dev/v1alpha1",
    kind: "GallerySharing",
    metadata: { namespace: "team", name: "share", annotations },
    spec: { deletionPolicy: "Delete" },
    status: { operation },
  };
}

describe("waiting for a share an earlier process may have sent", () => {
  it("waits while ARM may still be running it (45 s in the recordings)", () => {
    expect(waitForEarlierWrite(sharing(intent), step, later(45_000))).toBe(45_000);
  });

  it("sends again within two minutes when it never showed", () => {
    expect(waitForEarlierWrite(sharing(intent), step, later(120_000))).toBeUndefined();
  });

  it("does not wait for a write ARM answered, or for another write", () => {
    const answer = { intentId: "i-1", acceptedAt: later(400).toISOString() };
    expect(
      waitForEarlierWrite(sharing(intent, answerAnnotations(answer, token)), step, later(1_000)),
    ).toBeUndefined();
    // Status written by the operation's polls (and by earlier versions) marks it accepted too.
    const polled = sharing({ ...intent, acceptedAt: intent.startedAt });
    expect(waitForEarlierWrite(polled, step, later(1_000))).toBeUndefined();
    expect(waitForEarlierWrite(sharing(intent), { ...step, note: "another" }, later(1_000))).toBeUndefined();
  });

  it("waits when the saved answer is an earlier intent's", () => {
    const earlier = { intentId: "i-0", acceptedAt: later(-600_000).toISOString() };
    expect(waitForEarlierWrite(sharing(intent, answerAnnotations(earlier, token)), step, later(1_000))).toBe(
      89_000,
    );
  });

  it("scales the wait with ARM's time scale (the simulator)", () => {
    expect(waitForEarlierWrite(sharing(intent), step, later(1_000), 0.1)).toBe(8_000);
  });
});
