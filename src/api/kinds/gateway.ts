/**
 * Gateway (gateway.solo.io/v1): one listener (bindAddress:bindPort) and what it serves.
 */
import { obj, str, bool, uint32, arr, map, any, enumOf, type Infer } from '../schema.js';
import { ResourceRef } from '../types/core.js';

export const LabelExpression = obj({
  key: str(),
  operator: enumOf([
    'Equals',
    'DoubleEquals',
    'NotEquals',
    'In',
    'NotIn',
    'Exists',
    'DoesNotExist',
    'GreaterThan',
    'LessThan',
  ] as const),
  values: arr(str()),
});

export const HttpGateway = obj({
  virtualServices: arr(ResourceRef).supported(),
  virtualServiceSelector: map(str()).supported(),
  virtualServiceExpressions: obj({ expressions: arr(LabelExpression) }).notYet('ignored: all VirtualServices are selected'),
  virtualServiceNamespaces: arr(str()).supported(),
  options: any().notYet('HTTP listener options are ignored'),
});
export type HttpGateway = Infer<typeof HttpGateway>;

export const GatewaySpec = obj(
  {
    bindAddress: str().supported(),
    bindPort: uint32().supported(),
    ssl: bool().supported(),
    useProxyProto: bool().notYet('ignored'),
    httpGateway: HttpGateway.supported(),
    tcpGateway: any().notYet('TCP gateways are not served yet'),
    hybridGateway: any().notYet('hybrid gateways are not served yet'),
    proxyNames: arr(str()).supported(),
    options: any().notYet('listener options are ignored'),
    routeOptions: any().notYet('ignored'),
  },
  { oneofs: [['httpGateway', 'tcpGateway', 'hybridGateway']] },
);
export type GatewaySpec = Infer<typeof GatewaySpec>;
