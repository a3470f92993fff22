// "The Lease stayed where it was for a while", as a condition on the Lease itself: a standby tries
// to take it every retry period, so renewals by the same holder spanning some time are as many
// chances the standby had, and lost. Tests wait on this instead of sleeping.
import type { TestCluster } from "./cluster.js";
import { waitFor } from "./wait.js";

/**
 * Waits until the Lease `name` in `namespace` has been renewed by one holder (`holder`, or whoever
 * holds it at the first read) over `spanMs` by its own renewTime, and returns that holder.
 * Fails at once when the Lease changes hands meanwhile.
 */
export async function heldThrough(
  cluster: Pick<TestCluster, "kubectl">,
  namespace: string,
  name: string,
  spanMs: number,
  holder?: string,
): Promise<string> {
  let first: { holder: string; renewed: number } | undefined;
  let changedHands: string | undefined;
  await waitFor(
    `Lease ${namespace}/${name} renewed by ${holder ?? "its holder"} over ${spanMs} ms`,
    async () => {
      const read = await cluster.kubectl([
        "get",
        "lease",
        name,
        "-n",
        namespace,
        "-o",
        "jsonpath={.spec.holderIdentity} {.spec.renewTime}",
      ]);
      const [identity = "", renewTime = ""] = read.stdout.split(" ");
      const renewed = Date.parse(renewTime);
      if (!identity || Number.isNaN(renewed)) return undefined;
      first ??= { holder: holder ?? identity, renewed };
      if (identity !== first.holder) {
        changedHands = identity;
        return true;
      }
      return renewed - first.renewed >= spanMs;
    },
    { timeoutMs: spanMs + 15_000, intervalMs: 50 },
  );
  if (changedHands) throw new Error(`Lease ${name} went from ${first?.holder} to ${changedHands}`);
  return first?.holder ?? "";
}
