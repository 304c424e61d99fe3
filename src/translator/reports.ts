/**
 * Reports: the errors and warnings translation attaches to the resources that caused them.
 * Translation never throws; statuses are computed from reports (src/api/status.ts).
 */
export interface ResourceIdent {
  kind: string;
  metadata: { name: string; namespace: string };
}

export interface Report {
  kind: string;
  namespace: string;
  name: string;
  errors: string[];
  warnings: string[];
}

export class Reports {
  private readonly byId = new Map<string, Report>();

  private entry(r: ResourceIdent): Report {
    const id = `${r.kind} ${r.metadata.namespace}.${r.metadata.name}`;
    let e = this.byId.get(id);
    if (!e) {
      e = { kind: r.kind, namespace: r.metadata.namespace, name: r.metadata.name, errors: [], warnings: [] };
      this.byId.set(id, e);
    }
    return e;
  }

  /** Registers a resource so it is reported (Accepted) even with no problem. */
  accept(r: ResourceIdent): void {
    this.entry(r);
  }
  addError(r: ResourceIdent, message: string): void {
    const e = this.entry(r);
    if (!e.errors.includes(message)) e.errors.push(message);
  }
  addWarning(r: ResourceIdent, message: string): void {
    const e = this.entry(r);
    if (!e.warnings.includes(message)) e.warnings.push(message);
  }
  get(r: ResourceIdent): Report | undefined {
    return this.byId.get(`${r.kind} ${r.metadata.namespace}.${r.metadata.name}`);
  }
  hasErrors(r: ResourceIdent): boolean {
    return (this.get(r)?.errors.length ?? 0) > 0;
  }
  /** Adds every entry of `other` into this. */
  merge(other: Reports): void {
    for (const rep of other.all()) {
      const ident = { kind: rep.kind, metadata: { name: rep.name, namespace: rep.namespace } };
      this.accept(ident);
      for (const m of rep.errors) this.addError(ident, m);
      for (const m of rep.warnings) this.addWarning(ident, m);
    }
  }
  all(): Report[] {
    return [...this.byId.values()];
  }
}
