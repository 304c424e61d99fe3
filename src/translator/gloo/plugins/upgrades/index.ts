/**
 * `upgrades[]` → Envoy `route.upgrade_configs` (spec §2.5.1): `websocket` → `websocket`,
 * `connect` → `CONNECT`, each `{upgrade_type, enabled}`. `connectTerminate` needs a CONNECT
 * config Envoy only accepts with a connect matcher; it is emitted as CONNECT with `connect_config`.
 * Each upgrade type may appear once (Gloo's rule).
 */
import type { Plugin } from '../../plugin.js';
import type { ProtocolUpgradeConfig } from '../../../../api/types/options.js';
import type { ProblemSink } from '../../plugin.js';

export interface EnvoyUpgradeConfig {
  upgrade_type: string;
  enabled?: { value: boolean };
  connect_config?: Record<string, never>;
}

/** Gloo upgrades → Envoy UpgradeConfigs (also used for the HCM's `upgrades`). */
export function upgradeConfigs(upgrades: readonly ProtocolUpgradeConfig[], report: ProblemSink): EnvoyUpgradeConfig[] {
  const out: EnvoyUpgradeConfig[] = [];
  const seen = new Set<string>();
  for (const u of upgrades) {
    const [type, spec, terminate] = u.websocket
      ? ['websocket', u.websocket, false]
      : u.connect
        ? ['CONNECT', u.connect, false]
        : u.connectTerminate
          ? ['CONNECT', u.connectTerminate, true]
          : [undefined, undefined, false];
    if (!type) continue;
    if (seen.has(type)) {
      report.error(`upgrade config ${type} is not unique`);
      continue;
    }
    seen.add(type);
    const c: EnvoyUpgradeConfig = { upgrade_type: type };
    if (spec?.enabled !== undefined) c.enabled = { value: spec.enabled };
    if (terminate) c.connect_config = {};
    out.push(c);
  }
  return out;
}

export const upgradesPlugin: Plugin = {
  name: 'upgrades',
  processRoute(params, route, out) {
    const u = route.options?.upgrades;
    if (!u || u.length === 0 || !out.route) return;
    const configs = upgradeConfigs(u, params.report);
    if (configs.length > 0) out.route.upgrade_configs = configs;
  },
};
