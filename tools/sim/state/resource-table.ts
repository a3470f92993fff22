// A table of ARM resources keyed by case-insensitive id, with a per-parent index so listing a
// gallery's images or checking "does this definition still have versions" never scans the world.
import { idKey } from "../arm/ids.js";

export class ResourceTable<T extends { id: string }> {
  private readonly byKey = new Map<string, T>();
  private readonly byParent = new Map<string, Map<string, T>>();

  constructor(private readonly parentIdOf: (record: T) => string) {}

  get(id: string): T | undefined {
    return this.byKey.get(idKey(id));
  }

  /** Inserts or replaces the record with the same id. */
  put(record: T): void {
    const key = idKey(record.id);
    this.byKey.set(key, record);
    const parentKey = idKey(this.parentIdOf(record));
    let siblings = this.byParent.get(parentKey);
    if (!siblings) {
      siblings = new Map();
      this.byParent.set(parentKey, siblings);
    }
    siblings.set(key, record);
  }

  delete(id: string): T | undefined {
    const key = idKey(id);
    const record = this.byKey.get(key);
    if (!record) return undefined;
    this.byKey.delete(key);
    const parentKey = idKey(this.parentIdOf(record));
    const siblings = this.byParent.get(parentKey);
    siblings?.delete(key);
    if (siblings?.size === 0) this.byParent.delete(parentKey);
    return record;
  }

  /** Children of `parentId` in insertion order. */
  childrenOf(parentId: string): T[] {
    const siblings = this.byParent.get(idKey(parentId));
    return siblings ? [...siblings.values()] : [];
  }

  hasChildren(parentId: string): boolean {
    return (this.byParent.get(idKey(parentId))?.size ?? 0) > 0;
  }

  all(): T[] {
    return [...this.byKey.values()];
  }

  clear(): void {
    this.byKey.clear();
    this.byParent.clear();
  }
}
