// Hand-written checks of what the controller answers. Each throws ShapeProblem
// naming the item and the field; the caller adds controller, method and path.
import { type Page } from './types.ts';
import { TARGET_FIELDS, TTL_TYPES, type Client, type DnsPolicy, type PolicyType, type Site } from '../domain/policy.ts';

export class ShapeProblem extends Error {
  override name = 'ShapeProblem';
}

type Kind = 'string' | 'number' | 'boolean';
/** What a message calls the item, e.g. "policy 3 of page at offset 200"; a function when it costs to build. */
export type What = string | (() => string);
const described = (what: What): string => (typeof what === 'string' ? what : what());
type Obj = Record<string, unknown>;

const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function ofKind(value: unknown, kind: Kind): boolean {
  return kind === 'number' ? typeof value === 'number' && Number.isFinite(value) : typeof value === kind;
}

/** `what` is the item, e.g. "policy 3 of page at offset 200". */
function requireObject(value: unknown, what: string): Obj {
  if (!isObject(value)) throw new ShapeProblem(`${what}: is ${describe(value)}, expected an object`);
  return value;
}

function field(obj: Obj, key: string, kind: Kind, what: string, optional = false): void {
  const value = obj[key];
  // Optional fields may be absent or null (the API leaves some out, e.g. a VPN client's ipAddress).
  if (value === undefined || value === null) {
    if (optional) {
      // Absent, as the types say, rather than null.
      if (value === null) delete obj[key];
      return;
    }
    throw new ShapeProblem(`${what}: ${key} missing`);
  }
  if (!ofKind(value, kind)) throw new ShapeProblem(`${what}: ${key} is ${describe(value)}, expected a ${kind}`);
}

/** "policy 3 of page at offset 200 (A_RECORD, id ...)": what the message can say about the item. */
function name(obj: Obj, what: string): string {
  const parts = [typeof obj.type === 'string' ? obj.type : '', typeof obj.id === 'string' ? `id ${obj.id}` : ''].filter(Boolean);
  return parts.length > 0 ? `${what} (${parts.join(', ')})` : what;
}

/** The fields each policy type requires beside id, type, enabled and domain. */
export const POLICY_FIELDS: Record<string, ReadonlyArray<readonly [string, Kind]>> = Object.fromEntries(
  Object.entries(TARGET_FIELDS).map(([type, fields]) => [
    type,
    TTL_TYPES.includes(type as PolicyType) ? [...fields, ['ttlSeconds', 'number'] as const] : fields,
  ]),
);

/**
 * Whether a policy is well formed as it is, with no message built: a listing of 400,000 policies
 * pays for no text unless one is wrong (issue 13). Anything else, null optional fields included,
 * takes checkPolicy's full path.
 */
function plainPolicy(value: unknown): value is DnsPolicy {
  if (!isObject(value)) return false;
  if (typeof value.id !== 'string' || typeof value.type !== 'string' || typeof value.enabled !== 'boolean' || typeof value.domain !== 'string') return false;
  for (const [key, kind] of POLICY_FIELDS[value.type] ?? []) if (!ofKind(value[key], kind)) return false;
  const { metadata } = value;
  return metadata === undefined || (isObject(metadata) && (metadata.origin === undefined || typeof metadata.origin === 'string'));
}

/**
 * A DNS policy; a type dnssync does not know is kept as it is (after the common fields), for the
 * planner to ignore. `what` names the item in a message, built only when there is one to give.
 */
export function checkPolicy(value: unknown, what: What): DnsPolicy {
  if (plainPolicy(value)) return value;
  return checkPolicyFully(value, described(what));
}

function checkPolicyFully(value: unknown, what: string): DnsPolicy {
  const obj = requireObject(value, what);
  const named = name(obj, what);
  field(obj, 'id', 'string', named);
  field(obj, 'type', 'string', named);
  field(obj, 'enabled', 'boolean', named);
  field(obj, 'domain', 'string', named);
  for (const [key, kind] of POLICY_FIELDS[obj.type as string] ?? []) field(obj, key, kind, named);
  if (obj.metadata !== undefined && obj.metadata !== null) {
    const metadata = requireObject(obj.metadata, `${named}: metadata`);
    field(metadata, 'origin', 'string', `${named}: metadata`, true);
  }
  return obj as unknown as DnsPolicy;
}

export function checkSite(value: unknown, what: What): Site {
  const named = described(what);
  const obj = requireObject(value, named);
  for (const key of ['id', 'internalReference', 'name']) field(obj, key, 'string', named);
  return obj as unknown as Site;
}

export function checkClient(value: unknown, what: What): Client {
  const item = described(what);
  const obj = requireObject(value, item);
  const named = name(obj, item);
  field(obj, 'id', 'string', named);
  field(obj, 'type', 'string', named);
  for (const key of ['name', 'ipAddress', 'macAddress']) field(obj, key, 'string', named, true);
  return obj as unknown as Client;
}

export function checkInfo(value: unknown): { applicationVersion: string } {
  const obj = requireObject(value, 'application info');
  field(obj, 'applicationVersion', 'string', 'application info');
  return obj as { applicationVersion: string };
}

/** The page envelope; `data` items are left to the caller. */
export function checkPage(value: unknown, what: string): Page<unknown> {
  const obj = requireObject(value, what);
  for (const key of ['offset', 'limit', 'count', 'totalCount']) field(obj, key, 'number', what);
  if (!Array.isArray(obj.data)) throw new ShapeProblem(obj.data === undefined ? `${what}: data missing` : `${what}: data is ${describe(obj.data)}, expected an array`);
  return obj as unknown as Page<unknown>;
}
