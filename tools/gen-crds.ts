// `npm run crds`: regenerates crds/ from the TypeScript definitions in src/api (the one source of
// truth); the npm script then copies them into the Helm chart (tools/sync-chart-crds.sh).
//
// Runs on Node 24's built-in TypeScript support, without a build. The sources import each other
// by their compiled names (`./names.js`), which do not exist next to the .ts files, so a resolve
// hook retries a missing relative `.js` as `.ts`.
import { registerHooks } from "node:module";
import { fileURLToPath } from "node:url";

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (err) {
      if (specifier.startsWith(".") && specifier.endsWith(".js")) {
        return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
      }
      throw err;
    }
  },
});

// Imported after the hook is in place; the type comes from the compiled name, as tsc sees it.
const generator: typeof import("../src/api/generate.js") = await import(
  new URL("../src/api/generate.ts", import.meta.url).href
);
const dir = fileURLToPath(new URL("../crds/", import.meta.url));
const written = await generator.writeCrds(dir);
process.stdout.write(`crds: wrote ${written.map((name) => `crds/${name}`).join(", ")}\n`);

// GalleryPolicy's admission policies, built from the rules the operator checks (src/policy).
const admission: typeof import("../src/policy/generate.js") = await import(
  new URL("../src/policy/generate.ts", import.meta.url).href
);
const admissionFiles = await admission.writeAdmission(fileURLToPath(new URL("..", import.meta.url)));
process.stdout.write(`crds: wrote ${admissionFiles.join(", ")}\n`);
