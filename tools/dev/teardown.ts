// Stopping what a dev run started, newest first, even when it only got half way: each piece is
// registered the moment it exists, so a failure (or Ctrl-C) during startup stops exactly what runs.

export class Teardown {
  private readonly steps: { name: string; stop: () => Promise<void> }[] = [];
  private running: Promise<void> | undefined;

  /** Registers `stop` to run before everything registered earlier. */
  add(name: string, stop: () => Promise<void>): void {
    this.steps.push({ name, stop });
  }

  /**
   * Runs every step, newest first, each once.
   *
   * Guarantees: a failing step does not keep later ones from running; its error goes to `onError`.
   * Idempotent: a second call returns the first call's promise.
   */
  run(onError: (name: string, err: unknown) => void): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.splice(0).reverse()) {
        try {
          await step.stop();
        } catch (err) {
          onError(step.name, err);
        }
      }
    })();
    return this.running;
  }
}
