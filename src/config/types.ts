/** The validated config that the rest of dnssync consumes; built only by loadConfig and loadSettings. */

import type { RecordType } from '../domain/policy.ts';
import type { SyncPolicy } from '../domain/run.ts';

/**
 * Which sites a record is kept off (SPEC §4): `site`, only the sites it originates at; `controller`,
 * every site of a controller it originates on (e.g. a console whose sites are separate tenants).
 */
export const ORIGIN_SCOPES = ['site', 'controller'] as const;
export type OriginScope = (typeof ORIGIN_SCOPES)[number];

export interface TlsConfig {
  verify: boolean;
  /** Absolute path (relative ones are resolved against the config file's folder). */
  caFile?: string;
  /** Normalized `sha256:AB:CD:...`, uppercase, 32 bytes. */
  fingerprint?: string;
}

/** A controller as the config file describes it, its key and CA file not read. */
export interface ControllerSettings {
  /** Label for output; default: the URL's host. */
  name: string;
  /** Normalized origin: `https://10.0.0.1`, `https://host:11443`; no trailing slash, no path. */
  url: string;
  /** `new URL(url).host`: the controller's identity in the database (port only when not default). */
  host: string;
  tls: TlsConfig;
  /** Include list (internalReference, name or uuid); null = all sites. */
  sites: string[] | null;
  excludeSites: string[];
  /** Per-controller override; null = use sync.recordTypes. Types both read from and written to it. */
  recordTypes: RecordType[] | null;
  /**
   * Only from the legacy controllers.json (`allowed_record_types`): the types whose native policies
   * at this controller are origins. The legacy tool filtered only what it *read* from a controller
   * and still wrote every type to it, so its copies of other types are replicas like the rest.
   * Absent: the types it syncs (recordTypes).
   */
  readTypes?: RecordType[];
  /** domainSuffix is lowercase without leading/trailing dot; '' when not given. */
  clients: ClientRecordsConfig;
  /** Per-controller override of sync.writesPerSecond (0 = no limit); absent = use that. */
  writesPerSecond?: number;
  /** Per-controller override of sync.originScope; absent = use that. */
  originScope?: OriginScope;
}

/** A controller with its key read: what a command that talks to it needs. */
export interface ControllerConfig extends ControllerSettings {
  /** The secret itself: never put it in a message, log line or the database. */
  apiKey: string;
  /** `sha256:` + first 12 hex digits of sha256(apiKey): safe to store and show. */
  keyFingerprint: string;
  keySource: 'file' | 'env' | 'inline';
}

/**
 * Client-derived A records. `naming: 'legacy'` (controllers.json only, or asked for) follows the
 * legacy tool's rule and TTL exactly, so that its copies stay what they are after an upgrade.
 */
export interface ClientRecordsConfig {
  enabled: boolean;
  domainSuffix: string;
  /** Absent: dnssync's rule (see planner/content.ts). */
  naming?: 'legacy';
}

export interface SyncConfig {
  recordTypes: RecordType[];
  /** Include globs, lowercase without trailing dot; empty = all. */
  domains: string[];
  excludeDomains: string[];
  policy: SyncPolicy;
  orphanGracePeriodMs: number;
  /** A create refused for a cause dnssync cannot see is sent again after this long; 0: every run. */
  retryRefusedAfterMs: number;
  maxDeletePercent: number;
  concurrency: number;
  requestTimeoutMs: number;
  /** Writes a second per controller, evenly spaced (each create or delete reloads a console's DNS); 0 = no limit. */
  writesPerSecond: number;
  /** The default for controllers that do not set their own. */
  originScope: OriginScope;
}

/**
 * The config file checked whole, no key or CA file read: what the read-only commands use (the
 * sites a controller keeps, the filters, the grace period), so that they need no secret.
 */
export interface Settings {
  /** Absolute path of the file the config was read from. */
  file: string;
  format: 'yaml' | 'json' | 'legacy-json';
  controllers: ControllerSettings[];
  sync: SyncConfig;
  /** For the CLI to log; each starts with the key path it is about. */
  warnings: string[];
}

/** The settings with every controller's key and CA file read: what a command that talks to controllers needs. */
export interface Config extends Settings {
  controllers: ControllerConfig[];
}

export const DEFAULT_SYNC: Readonly<SyncConfig> = Object.freeze({
  recordTypes: ['A_RECORD', 'AAAA_RECORD', 'CNAME_RECORD'] as RecordType[],
  domains: [] as string[],
  excludeDomains: [] as string[],
  policy: 'sync' as SyncPolicy,
  orphanGracePeriodMs: 15 * 60_000,
  retryRefusedAfterMs: 24 * 60 * 60_000,
  maxDeletePercent: 30,
  concurrency: 4,
  requestTimeoutMs: 30_000,
  writesPerSecond: 0,
  originScope: 'site' as OriginScope,
});
