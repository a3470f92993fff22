// Azure's limits on a gallery's direct sharing (30 subscriptions, 5 tenants: Microsoft's "Share
// using direct shared gallery" docs; see docs/api.md) and the operator's own cap on role
// assignments. The CRD schema and the share planner both read them, so they cannot disagree.
export const SHARING_LIMITS = {
  subscriptions: 30,
  tenants: 5,
  roleAssignments: 100,
} as const;
