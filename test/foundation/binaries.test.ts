// tools/control-plane/build.sh is run by every fresh checkout and every test run: a second run must
// build nothing (and say so), or each test run would pay minutes of Go compilation.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);

it("builds nothing the second time and says so", async () => {
  const script = "tools/control-plane/build.sh";
  await run("bash", [script], { maxBuffer: 16 * 1024 * 1024 }); // builds whatever is missing
  const again = await run("bash", [script]);
  expect(again.stdout).toMatch(/nothing to build/);
  expect(again.stdout).not.toMatch(/building /);
}, 1_800_000);
