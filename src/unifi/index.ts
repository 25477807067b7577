export { UnifiClient } from './client.ts';
export type { UnifiClientOptions } from './client.ts';
export { UnifiError } from './errors.ts';
export type { RequestRef, UnifiErrorKind } from './errors.ts';
export { policyBody } from './body.ts';
export { PAGE_LIMIT } from './paging.ts';
export { formatFingerprint } from './tls.ts';
export type { RetryOptions, TransportStats } from './transport.ts';
export * from './types.ts';
