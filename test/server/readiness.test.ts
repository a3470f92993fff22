import { describe, expect, it } from "vitest";
import { ReadinessState } from "../../src/server/readiness.js";

describe("ReadinessState", () => {
  it("is not ready until leader election answers", () => {
    const state = new ReadinessState();
    state.expectControllers(["Gallery"]);
    state.cachesSynced("Gallery");
    expect(state.check()).toEqual({ ready: false, detail: "leader election has not answered yet" });
  });

  it("makes a leader wait for every expected controller's caches, naming the missing ones", () => {
    const state = new ReadinessState();
    state.expectControllers(["Gallery", "ImageDefinition", "ImageVersion"]);
    state.leadership("leader");
    state.cachesSynced("Gallery");
    expect(state.check()).toEqual({
      ready: false,
      detail: "leader: caches not synced: ImageDefinition, ImageVersion",
    });
    state.cachesSynced("ImageDefinition");
    state.cachesSynced("ImageVersion");
    expect(state.check()).toEqual({ ready: true, detail: "leader: caches synced (3 controllers)" });
  });

  it("counts caches that synced before leadership was reported", () => {
    const state = new ReadinessState();
    state.expectControllers(["Gallery"]);
    state.cachesSynced("Gallery");
    state.leadership("leader");
    expect(state.check().ready).toBe(true);
  });

  it("reports a standby ready without any synced cache", () => {
    const state = new ReadinessState();
    state.expectControllers(["Gallery"]);
    state.leadership("standby");
    expect(state.check()).toEqual({ ready: true, detail: "standby: healthy, waiting to lead" });
  });

  it("forgets synced caches when leadership ends, so leading again waits for fresh ones", () => {
    const state = new ReadinessState();
    state.expectControllers(["Gallery"]);
    state.leadership("leader");
    state.cachesSynced("Gallery");
    state.leadership("standby");
    state.leadership("leader");
    expect(state.check().ready).toBe(false);
    state.cachesSynced("Gallery");
    expect(state.check().ready).toBe(true);
  });

  it("keeps synced caches when leadership is re-reported unchanged", () => {
    const state = new ReadinessState();
    state.expectControllers(["Gallery"]);
    state.leadership("leader");
    state.cachesSynced("Gallery");
    state.leadership("leader");
    expect(state.check().ready).toBe(true);
  });

  it("treats a leader with no controllers as ready", () => {
    const state = new ReadinessState();
    state.leadership("leader");
    expect(state.check()).toEqual({ ready: true, detail: "leader: caches synced (0 controllers)" });
  });
});
