/** A probe answering from a script, for health-check unit tests; and the usual results. */
import { FailureType, type Probe, type ProbeResult } from '../../../../src/proxy/upstream/health/probes/probe.js';

export type Step = ProbeResult | 'hang';

/** A probe answering from a script; `hang` never answers (until aborted). */
export class ScriptedProbe implements Probe {
  runs = 0;
  aborts = 0;
  closed = false;
  constructor(public script: Step[] = [], public fallback: Step = { healthy: true }) {}
  run(): Promise<ProbeResult> {
    this.runs++;
    const step = this.script.length > 0 ? this.script.shift()! : this.fallback;
    if (step === 'hang') return new Promise(() => undefined);
    return Promise.resolve(step);
  }
  abort(): void {
    this.aborts++;
  }
  close(): void {
    this.closed = true;
  }
}

export const OK: ProbeResult = { healthy: true };
export const NET: ProbeResult = { healthy: false, failure: FailureType.Network, reason: 'ECONNREFUSED' };
export const BAD: ProbeResult = { healthy: false, failure: FailureType.Active, reason: 'status 503' };
export const RETRIABLE: ProbeResult = { healthy: false, failure: FailureType.Active, retriable: true, reason: 'status 429' };

