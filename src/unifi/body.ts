import { DnssyncError } from '../domain/errors.ts';
import { BODY_FIELDS } from '../domain/policy.ts';
import type { DnsPolicyBody } from '../domain/policy.ts';

/**
 * The body of a create or update: only the fields of the policy's type
 * (BODY_FIELDS), so never `id` or `metadata`, which the controller refuses.
 * Accepts a whole DnsPolicy as well.
 */
export function policyBody(policy: DnsPolicyBody): Record<string, unknown> {
  const fields = (BODY_FIELDS as Partial<Record<string, readonly string[]>>)[policy.type];
  if (!fields) throw new DnssyncError(`cannot write a DNS policy of type ${String(policy.type)}: dnssync does not know its fields`);
  const source = policy as unknown as Record<string, unknown>;
  const body: Record<string, unknown> = {};
  for (const key of fields) if (source[key] !== undefined) body[key] = source[key];
  return body;
}

/**
 * policyBody as JSON in UTF-8, as sent, made once a body object: the engine sends one body object
 * to every site that gets the record (planner/plan.ts bodyOf), 200 at L, and undici sends a Buffer
 * as it is where it would copy a string into a new one each time. Neither is changed once made.
 */
export function policyBodyBytes(policy: DnsPolicyBody): Buffer {
  let bytes = serialized.get(policy);
  if (bytes === undefined) serialized.set(policy, (bytes = Buffer.from(JSON.stringify(policyBody(policy)))));
  return bytes;
}
const serialized = new WeakMap<DnsPolicyBody, Buffer>();
