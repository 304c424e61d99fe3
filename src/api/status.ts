/**
 * Gloo's status model: `status.statuses.<writeNamespace>.{state, reason, reportedBy,
 * subresourceStatuses}` for solo-kit kinds; `{state, message, observedGeneration}` for skv2 kinds
 * (RateLimitConfig).
 */
import type { Report } from '../translator/reports.js';

export type State = 'Pending' | 'Accepted' | 'Rejected' | 'Warning';

export interface Status {
  state: State;
  reason?: string;
  reportedBy: string;
  subresourceStatuses?: Record<string, Status>;
}

export interface NamespacedStatuses {
  statuses: Record<string, Status>;
}

export const REPORTER = 'gloo';

/** Joins several problems the way Gloo's reasons read: one per line when there are several. */
export function joinReasons(messages: string[]): string {
  return messages.length === 1 ? messages[0]! : messages.map((m) => `* ${m}`).join('\n');
}

export function statusFromReport(report: Pick<Report, 'errors' | 'warnings'> | undefined): Status {
  if (!report) return { state: 'Pending', reportedBy: REPORTER };
  if (report.errors.length > 0) return { state: 'Rejected', reason: joinReasons(report.errors), reportedBy: REPORTER };
  if (report.warnings.length > 0) return { state: 'Warning', reason: joinReasons(report.warnings), reportedBy: REPORTER };
  return { state: 'Accepted', reportedBy: REPORTER };
}
