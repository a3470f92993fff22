// The Node.js the operator needs, checked by the CLI before it loads anything else: undici and the
// @azure packages crash on older Node with an error that does not say why (Node 20: "Cannot read
// properties of undefined (reading 'bind')"). Keep this file free of imports, so it runs on any Node.

/** The oldest Node.js major the operator runs on; package.json `engines` says the same. */
export const REQUIRED_NODE_MAJOR = 22;

/**
 * What to tell the user when `version` (as in `process.versions.node`, e.g. "20.20.2") is too old;
 * undefined when it is new enough.
 */
export function nodeVersionProblem(version: string): string | undefined {
  const major = Number.parseInt(version.split(".")[0] ?? "", 10);
  if (major >= REQUIRED_NODE_MAJOR) return undefined;
  return (
    `azure-gallery-operator needs Node.js >= ${REQUIRED_NODE_MAJOR} (Node 24 LTS is what it is tested on); ` +
    `this is Node ${version}. Install a newer Node, or run it through \`npm run\`, which uses the Node 24 ` +
    "that `npm ci` puts in node_modules/.bin."
  );
}
