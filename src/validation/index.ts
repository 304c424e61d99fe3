/**
 * Validation: a dry run of the same translation on the current snapshot plus a proposed change
 * (admin `POST /api/v1/validate`, `glooctl validate`), and the statuses offline tools print.
 */
export {
  validateChange,
  applyChange,
  withDefaultGateways,
  type ProposedChange,
  type ResourceKey,
  type ValidateOptions,
  type ValidationResult,
  type ResourceValidation,
  type ChangeRole,
} from './validate-change.js';
export { denyMessage, denyItem, goTypeName, DENY_PREFIX, type DenyItem } from './deny-message.js';
export { changeFromFiles, VALIDATE_REQUEST_TYPE, type ProposedFile } from './proposed-files.js';
export { resourceStatuses, type ResourceStatus } from './statuses.js';
