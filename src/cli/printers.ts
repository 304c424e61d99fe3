/**
 * glooctl's table printers, one per kind, with Gloo's column names (spec/gloo-api.md §6).
 * They read resources in Kubernetes form as the admin API returns them.
 */
import { renderTable, wrap } from './table.js';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec?: any;
  status?: any;
}

/** `Accepted`, or `Rejected`/`Warning` followed by its reason, for the STATUS column. */
export function statusText(o: KubeObject): string {
  const statuses = o.status?.statuses as Record<string, { state?: string; reason?: string }> | undefined;
  const own = statuses ? Object.values(statuses)[0] : o.status;
  if (!own?.state) return 'Pending';
  const state = String(own.state);
  const pretty = state.charAt(0).toUpperCase() + state.slice(1).toLowerCase();
  const reason = own.reason ?? own.message;
  return reason ? `${pretty}\n${wrap(`Reason: ${reason}`, 60)}` : pretty;
}

function matcherText(m: any): string {
  if (!m) return '/';
  return m.prefix ?? m.exact ?? m.regex ?? (m.connectMatcher ? 'CONNECT' : '/');
}

function destText(d: any): string {
  if (d?.upstream) return `${d.upstream.namespace ?? ''}${d.upstream.namespace ? '.' : ''}${d.upstream.name} (upstream)`;
  if (d?.kube) return `${d.kube.ref?.namespace}.${d.kube.ref?.name}:${d.kube.port} (kube)`;
  if (d?.consul) return `${d.consul.serviceName} (consul)`;
  return '<unknown>';
}

function routeText(r: any): string {
  const matchers: any[] = r.matchers?.length ? r.matchers : [undefined];
  let action: string;
  if (r.routeAction?.single) action = destText(r.routeAction.single);
  else if (r.routeAction?.multi) action = `${r.routeAction.multi.destinations?.length ?? 0} destinations`;
  else if (r.routeAction?.upstreamGroup)
    action = `${r.routeAction.upstreamGroup.namespace ?? ''}.${r.routeAction.upstreamGroup.name} (upstream group)`;
  else if (r.routeAction?.clusterHeader) action = `cluster from header ${r.routeAction.clusterHeader}`;
  else if (r.redirectAction) action = 'redirect';
  else if (r.directResponseAction) action = `direct response ${r.directResponseAction.status ?? ''}`.trim();
  else if (r.delegateAction) {
    const ref = r.delegateAction.ref ?? r.delegateAction;
    action = ref?.name ? `${ref.namespace ?? ''}.${ref.name} (route table)` : 'route tables by selector';
  } else action = '<no action>';
  return matchers.map((m) => `${matcherText(m)} -> ${action}`).join('\n');
}

function virtualServiceRow(o: KubeObject): string[] {
  const vh = o.spec?.virtualHost ?? {};
  const ssl = o.spec?.sslConfig;
  const sslText = !ssl ? 'none' : ssl.secretRef ? `${ssl.secretRef.namespace}.${ssl.secretRef.name}` : 'files';
  const plugins = Object.keys(vh.options ?? {}).join('\n');
  return [
    o.metadata.name,
    o.spec?.displayName ?? '',
    (vh.domains?.length ? vh.domains : ['*']).join('\n'),
    sslText,
    statusText(o),
    plugins,
    (vh.routes ?? []).map(routeText).join('\n'),
  ];
}

function upstreamType(spec: any): [string, string[]] {
  if (spec?.static) {
    return ['Static', ['hosts:', ...(spec.static.hosts ?? []).map((h: any) => `- ${h.addr}:${h.port}`)]];
  }
  if (spec?.kube)
    return [
      'Kubernetes',
      [`svc name:      ${spec.kube.serviceName ?? ''}`, `svc namespace: ${spec.kube.serviceNamespace ?? ''}`, `port:          ${spec.kube.servicePort ?? ''}`],
    ];
  if (spec?.aws)
    return ['AWS Lambda', [`region: ${spec.aws.region ?? ''}`, ...(spec.aws.lambdaFunctions ?? []).map((f: any) => `- ${f.logicalName ?? f.lambdaFunctionName}`)]];
  if (spec?.azure) return ['Azure', [`function app name: ${spec.azure.functionAppName ?? ''}`]];
  if (spec?.consul) return ['Consul', [`svc name: ${spec.consul.serviceName ?? ''}`]];
  if (spec?.awsEc2) return ['AWS EC2', [`region: ${spec.awsEc2.region ?? ''}`]];
  if (spec?.pipe) return ['Pipe', [`path: ${spec.pipe.path ?? ''}`]];
  return ['Unknown', []];
}

function upstreamRow(o: KubeObject): string[] {
  const [type, details] = upstreamType(o.spec);
  const rest = o.spec?.static?.serviceSpec?.rest ?? o.spec?.kube?.serviceSpec?.rest;
  if (rest?.transformations) details.push('REST service:', 'functions:', ...Object.keys(rest.transformations).sort().map((f) => `- ${f}`));
  return [o.metadata.name, type, statusText(o), details.join('\n')];
}

function gatewayRow(o: KubeObject): string[] {
  const s = o.spec ?? {};
  const type = s.httpGateway ? 'HTTP' : s.tcpGateway ? 'TCP' : s.hybridGateway ? 'Hybrid' : '<none>';
  return [o.metadata.name, `${s.bindAddress ?? ''}:${s.bindPort ?? ''}`, s.ssl ? 'true' : 'false', type, (s.proxyNames ?? ['gateway-proxy']).join('\n'), statusText(o)];
}

/** What `GET /api/v1/xds` answers (the parts the tables read). */
export interface XdsView {
  connections?: {
    nodeId: string;
    role: string;
    streamType: string;
    types: Record<string, { lastSentVersion?: string; lastAckedVersion?: string; lastAckedAt?: string; lastNack?: { time: string; message: string } }>;
  }[];
  inProcess?: { role: string }[];
}

/** What `GET /clusters?format=json` answers (the parts the tables read; Envoy's admin.v3.Clusters). */
export interface ClustersView {
  cluster_statuses?: {
    name: string;
    host_statuses?: {
      address?: { socket_address?: { address?: string; port_value?: number } };
      health_status?: Record<string, unknown>;
    }[];
  }[];
}

/** Extra data some tables show beside the resources. */
export interface PrintContext {
  xds?: XdsView;
  /** `-o wide`: the upstream table gets a HEALTH column from the data plane's `/clusters`. */
  wide?: boolean;
  /** The data plane's clusters; undefined when the gateway has no data plane or cannot be reached. */
  clusters?: ClustersView;
}

/** Flags that keep a host out of load balancing. */
const UNHEALTHY_FLAGS = ['failed_active_health_check', 'failed_outlier_check', 'excluded_via_immediate_hc_fail'] as const;

/**
 * `healthy/total healthy`, then one line per host out of rotation with its reasons, for the cluster
 * of upstream `o` (`<name>_<namespace>`). Example: `1/2 healthy\n- 127.0.0.1:8081 failed_active_hc`.
 */
export function upstreamHealthText(o: KubeObject, clusters: ClustersView | undefined): string {
  if (!clusters) return 'unknown';
  const c = clusters.cluster_statuses?.find((x) => x.name === `${o.metadata.name}_${o.metadata.namespace}`);
  if (!c) return 'not served';
  const hosts = c.host_statuses ?? [];
  const lines: string[] = [];
  let healthy = 0;
  for (const h of hosts) {
    const hs = h.health_status ?? {};
    const reasons: string[] = UNHEALTHY_FLAGS.filter((f) => hs[f] === true).map((f) => (f === 'failed_active_health_check' ? 'failed_active_hc' : f));
    if (hs.eds_health_status === 'UNHEALTHY') reasons.push('failed_eds_health');
    if (reasons.length === 0) {
      healthy++;
      continue;
    }
    const sa = h.address?.socket_address ?? {};
    const addr = String(sa.address ?? '');
    lines.push(`- ${addr.includes(':') ? `[${addr}]` : addr}:${sa.port_value ?? ''} ${reasons.join(',')}`);
  }
  return [`${healthy}/${hosts.length} healthy`, ...lines].join('\n');
}

/** One line per proxy connected with this Proxy's node key: `<node id>: ACKed`, `NACK <types>` or `pending`. */
function connectedText(role: string, xds: XdsView | undefined): string {
  if (!xds) return '';
  const lines: string[] = [];
  for (const p of xds.inProcess ?? []) if (p.role === role) lines.push('in-process');
  for (const c of xds.connections ?? []) {
    if (c.role !== role) continue;
    const types = Object.entries(c.types);
    const nacked = types.filter(([, t]) => t.lastNack && (!t.lastAckedAt || t.lastNack.time >= t.lastAckedAt)).map(([k]) => k);
    const state = nacked.length
      ? `NACK ${nacked.join(',')}`
      : types.length > 0 && types.every(([, t]) => t.lastSentVersion === t.lastAckedVersion)
        ? 'ACKed'
        : 'pending';
    lines.push(`${c.nodeId}: ${state}`);
  }
  return lines.length ? lines.join('\n') : 'none';
}

function proxyRow(o: KubeObject, ctx: PrintContext = {}): string[] {
  const listeners: any[] = o.spec?.listeners ?? [];
  return [
    o.metadata.name,
    o.metadata.namespace,
    'gloo',
    listeners.map((l) => `${l.bindAddress}:${l.bindPort}`).join('\n'),
    listeners.flatMap((l) => (l.httpListener?.virtualHosts ?? []).map((v: any) => v.name)).join('\n'),
    statusText(o),
    connectedText(`${o.metadata.namespace}~${o.metadata.name}`, ctx.xds),
  ];
}

function routeTableRow(o: KubeObject): string[] {
  return [o.metadata.name, (o.spec?.routes ?? []).map(routeText).join('\n'), statusText(o)];
}

function upstreamGroupRow(o: KubeObject): string[] {
  const dests: any[] = o.spec?.destinations ?? [];
  const total = dests.reduce((n, d) => n + (d.weight ?? 0), 0);
  return [o.metadata.name, statusText(o), String(total), dests.map((d) => `${destText(d.destination)} weight: ${d.weight ?? 0}`).join('\n')];
}

export const PRINTERS: Record<string, { headers: string[]; row: (o: KubeObject, ctx?: PrintContext) => string[] }> = {
  VirtualService: { headers: ['VIRTUAL SERVICE', 'DISPLAY NAME', 'DOMAINS', 'SSL', 'STATUS', 'LISTENERPLUGINS', 'ROUTES'], row: virtualServiceRow },
  Upstream: { headers: ['UPSTREAM', 'TYPE', 'STATUS', 'DETAILS'], row: upstreamRow },
  Gateway: { headers: ['GATEWAY', 'BIND ADDRESS', 'SSL', 'TYPE', 'PROXIES', 'STATUS'], row: gatewayRow },
  Proxy: { headers: ['PROXY NAME', 'PROXY NAMESPACE', 'CREATED BY', 'LISTENERS', 'VIRTUAL HOSTS', 'STATUS', 'CONNECTED'], row: proxyRow },
  RouteTable: { headers: ['ROUTE TABLE', 'ROUTES', 'STATUS'], row: routeTableRow },
  UpstreamGroup: { headers: ['UPSTREAM GROUP', 'STATUS', 'TOTAL WEIGHT', 'DETAILS'], row: upstreamGroupRow },
};

export function printTable(kind: string, items: KubeObject[], ctx: PrintContext = {}): string {
  const p = PRINTERS[kind];
  if (!p) return renderTable(['NAME', 'NAMESPACE', 'STATUS'], items.map((o) => [o.metadata.name, o.metadata.namespace, statusText(o)]));
  if (kind === 'Upstream' && ctx.wide) {
    return renderTable([...p.headers, 'HEALTH'], items.map((o) => [...p.row(o, ctx), upstreamHealthText(o, ctx.clusters)]));
  }
  return renderTable(p.headers, items.map((o) => p.row(o, ctx)));
}
