/**
 * The gRPC-JSON transcoder options (grpc_json.options.gloo.solo.io), used on listeners and in
 * Upstream `serviceSpec`.
 */
import { str, bool, arr, type Infer } from '../schema.js';
import { ResourceRef } from './core.js';
import { notYetObj } from './field-support.js';

/** grpc_json.options.gloo.solo.io GrpcJsonTranscoder: descriptor oneof, services, print options … */
export const GrpcJsonTranscoder = notYetObj(
  'ignored',
  {
    protoDescriptor: str(),
    protoDescriptorBin: str(),
    protoDescriptorConfigMap: notYetObj('ignored', { configMapRef: ResourceRef, key: str() }),
    services: arr(str()),
    printOptions: notYetObj('ignored', {
      addWhitespace: bool(),
      alwaysPrintPrimitiveFields: bool(),
      alwaysPrintEnumsAsInts: bool(),
      preserveProtoFieldNames: bool(),
    }),
    matchIncomingRequestRoute: bool(),
    ignoredQueryParameters: arr(str()),
    autoMapping: bool(),
    ignoreUnknownQueryParameters: bool(),
    convertGrpcStatus: bool(),
  },
  { oneofs: [['protoDescriptor', 'protoDescriptorBin', 'protoDescriptorConfigMap']] },
);
export type GrpcJsonTranscoder = Infer<typeof GrpcJsonTranscoder>;
