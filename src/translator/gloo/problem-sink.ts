/**
 * Routes a problem found on a Proxy sub-resource to the resources it came from (via source
 * metadata) and to the Proxy itself, as Gloo's subresource statuses do.
 */
import type { Resource } from '../../api/resource.js';
import type { Reports, ResourceIdent } from '../reports.js';
import { sourceIdents, type SourceMetadataValue } from '../source-metadata.js';
import type { ProblemSink } from './plugin.js';

export function sinkFor(reports: Reports, targets: readonly ResourceIdent[]): ProblemSink {
  return {
    error: (m) => targets.forEach((t) => reports.addError(t, m)),
    warning: (m) => targets.forEach((t) => reports.addWarning(t, m)),
  };
}

/** Reports on the sources named by `meta`, and on the Proxy. */
export function sourceSink(reports: Reports, proxy: Resource<'Proxy'>, meta: SourceMetadataValue | undefined): ProblemSink {
  return sinkFor(reports, [...sourceIdents(meta), proxy]);
}
