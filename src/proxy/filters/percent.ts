/** `envoy.type.v3.FractionalPercent` as a probability in [0, 1] (HUNDRED is the default denominator). */
import type { FractionalPercent } from '../../xds/envoy-types.js';

export function fractionOf(p: FractionalPercent | undefined): number {
  if (p === undefined) return 0;
  const n = Number(p.numerator ?? 0);
  const d = p.denominator === 'MILLION' ? 1_000_000 : p.denominator === 'TEN_THOUSAND' ? 10_000 : 100;
  return Math.max(0, Math.min(1, n / d));
}

/** True with probability `f` (1 always, 0 never, without drawing a random number). */
export function sample(f: number): boolean {
  return f >= 1 ? true : f <= 0 ? false : Math.random() < f;
}
