/** The probe for a compiled check's protocol. */
import type { CompiledHealthCheck } from '../health-check-config.js';
import { GrpcProbe } from './grpc-probe.js';
import { HttpProbe } from './http-probe.js';
import type { Probe, ProbeTarget } from './probe.js';
import { TcpProbe } from './tcp-probe.js';

export type ProbeFactory = (target: ProbeTarget, check: CompiledHealthCheck) => Probe;

export const createProbe: ProbeFactory = (target, check) => {
  const p = check.protocol;
  switch (p.kind) {
    case 'http':
      return new HttpProbe(target, p, check.reuseConnection, check.timeoutMs);
    case 'tcp':
      return new TcpProbe(target, p, check.reuseConnection);
    case 'grpc':
      return new GrpcProbe(target, p, check.reuseConnection);
  }
};
