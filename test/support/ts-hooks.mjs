// Lets `node --experimental-transform-types` run our TypeScript in a child process: sources import
// siblings as "./x.js" (NodeNext style), which exist only as "./x.ts" before a build.
import { registerHooks } from "node:module";

registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context);
    } catch (err) {
      if (/^\.\.?\//.test(specifier) && specifier.endsWith(".js")) {
        return next(`${specifier.slice(0, -3)}.ts`, context);
      }
      throw err;
    }
  },
});
