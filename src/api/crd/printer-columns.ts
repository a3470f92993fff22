// Columns every kind shows in `kubectl get`, first and last, around its own.
import type { PrinterColumn } from "./definition.js";

const readyCondition = '.status.conditions[?(@.type=="Ready")]';

export const readyColumn: PrinterColumn = {
  name: "Ready",
  type: "string",
  jsonPath: `${readyCondition}.status`,
  description: "Whether Azure matches the spec (the Ready condition).",
};

export const reasonColumn: PrinterColumn = {
  name: "Reason",
  type: "string",
  jsonPath: `${readyCondition}.reason`,
  description: "Why the object is or is not Ready.",
};

export const ageColumn: PrinterColumn = {
  name: "Age",
  type: "date",
  jsonPath: ".metadata.creationTimestamp",
  description: "How long ago the object was created.",
};

export const armIdColumn: PrinterColumn = {
  name: "Azure ID",
  type: "string",
  jsonPath: ".status.id",
  description: "The ARM resource id.",
  priority: 1,
};

/** Ready, Reason, the kind's own columns, Age, then the ARM id for `-o wide`. */
export function printerColumns(...own: PrinterColumn[]): PrinterColumn[] {
  return [readyColumn, reasonColumn, ...own, ageColumn, armIdColumn];
}
