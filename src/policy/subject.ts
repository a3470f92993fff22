// An object as policies judge it: kind, where it is, how old, and its spec. Any of our objects
// from the informer cache fits.
export interface PolicySubject {
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    creationTimestamp?: string;
    deletionTimestamp?: string;
  };
  spec: object;
}

/** One thing a GalleryPolicy forbids about an object. */
export interface Violation {
  /** The GalleryPolicy; empty for the operator-wide default (`--default-policy deny`). */
  policy: string;
  /** The policy field stating the rule, e.g. `regions.allowed`. */
  rule: string;
  message: string;
  /**
   * Set when the policy says `enforcement: Remediate` and the operator may undo this itself (a
   * share that became forbidden): the spec without what this rule forbids.
   */
  remedy?(spec: object): object;
}
