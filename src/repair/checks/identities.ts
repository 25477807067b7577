import type { DatabaseSync, SQLOutputValue } from 'node:sqlite';
import { isLegacyTarget, recordOfRow, recordRaw, text, type RowIdentity } from '../../domain/stored-record.ts';
import { tablesOf } from '../../store/catalog.ts';
import { describeRecord, sameJson, short, type RecordRow } from '../identity.ts';
import { idMismatch, NotFixed } from '../records.ts';
import type { CheckName } from '../types.ts';
import { listed, type Fixer, type Issue } from './issue.ts';

/**
 * Records whose stored identity is not the one sync computes: ids that are not the hash of their
 * identity, targets and forms the legacy tool wrote, and rows that are one record in two forms.
 */

// ---------------------------------------------------------------------------------------------
// record identities: ids, legacy targets, duplicates

interface StoredRecord extends RecordRow {
  id: string;
  canonical: RowIdentity;
}

function storedRecords(db: DatabaseSync): StoredRecord[] {
  if (!tablesOf(db).has('dns_records')) return [];
  return (db.prepare('SELECT id, type, domain, target, record_raw FROM dns_records ORDER BY id').all() as unknown as Array<RecordRow & { id: string }>).map(
    (row) => ({ ...row, canonical: recordOfRow(row) }),
  );
}

function identityPlan(row: StoredRecord, existing: Set<string>): { plan: string; fixable: boolean } {
  const c = row.canonical;
  if (!c.ok) return { plan: `cannot be fixed: its identity cannot be told (${c.reason})`, fixable: false };
  const source = c.from === 'record_raw' ? 'from record_raw' : 'from its columns';
  if (c.record.id === row.id) return { plan: `rewrite it in canonical form ${source}`, fixable: true };
  const into = existing.has(c.record.id) ? `merge it into ${short(c.record.id)}, which has that identity` : `re-key it to ${short(c.record.id)}`;
  return { plan: `${into} (${describeRecord(c.record.type, c.record.domain, c.record.target)}, ${source}), with its origins, replicas and events`, fixable: true };
}

function recordIssue(check: CheckName, row: StoredRecord, problem: string, existing: Set<string>): Issue {
  const { plan, fixable } = identityPlan(row, existing);
  return {
    check,
    problem,
    where: `dns_records ${short(row.id)} (${describeRecord(row.type, row.domain, row.target)})`,
    table: 'dns_records',
    keys: [row.id],
    plan,
    ...(fixable && { fix: ({ records }: Fixer) => records.canonicalise(row.id) }),
  };
}

export function checkRecords(db: DatabaseSync): Issue[] {
  const rows = storedRecords(db);
  const existing = new Set(rows.map((r) => r.id));
  const ids: Issue[] = [];
  const legacy: Issue[] = [];
  const groups = new Map<string, StoredRecord[]>();
  for (const row of rows) {
    if (idMismatch(row)) {
      ids.push(recordIssue('record-id', row, `id is not the SHA-256 of "${text(row.type)}:${text(row.domain)}:${text(row.target)}"`, existing));
    }
    const reasons = legacyReasons(row);
    if (reasons.length) legacy.push(recordIssue('legacy-target', row, reasons.join('; '), existing));
    if (row.canonical.ok) {
      const group = groups.get(row.canonical.record.id) ?? [];
      group.push(row);
      groups.set(row.canonical.record.id, group);
    }
  }
  const duplicates: Issue[] = [];
  for (const [id, group] of groups) {
    if (group.length < 2) continue;
    const record = (group[0]!.canonical as Extract<RowIdentity, { ok: true }>).record;
    const forms = group.map((r) => `${text(r.domain)} → ${text(r.target)}`);
    duplicates.push({
      check: 'duplicate',
      problem: `${group.length} records are one identity, differing only in form (case, trailing dot, …): ${listed(forms)}`,
      where: `dns_records ${group.map((r) => short(r.id)).join(', ')}`,
      table: 'dns_records',
      keys: group.map((r) => r.id),
      plan: `merge them into one record ${short(id)} (${describeRecord(record.type, record.domain, record.target)}): earliest first_seen, origins and replicas united, events re-pointed`,
      fix: ({ records }) => {
        const actions: string[] = [];
        const failed: string[] = [];
        for (const row of group) {
          try {
            const action = records.canonicalise(row.id);
            if (action !== 'kept: already canonical') actions.push(`${short(row.id)}: ${action}`);
          } catch (error) {
            if (!(error instanceof NotFixed)) throw error;
            failed.push(`${short(row.id)}: ${error.message}`);
          }
        }
        if (failed.length) throw new NotFixed([...failed, ...actions].join('; '));
        return actions.join('; ');
      },
    });
  }
  return [...ids, ...legacy, ...duplicates];
}

/** Why a row's target or form is not what sync would store (legacy targets above all). */
function legacyReasons(row: StoredRecord): string[] {
  const reasons: string[] = [];
  if (isLegacyTarget(row.target)) reasons.push(`target is ${row.target === null ? 'NULL' : `'${row.target}'`} (written by the legacy tool)`);
  const c = row.canonical;
  if (!c.ok) {
    // Sync sends record_raw as the create body of the row's replicas: one it cannot tell is reported, though not fixable here.
    if (reasons.length === 0) reasons.push(`its identity cannot be told (${c.reason})`);
    return reasons;
  }
  const r = c.record;
  if (text(row.type) !== r.type) reasons.push(`type ${text(row.type)} is ${r.type} in record_raw`);
  if (text(row.domain) !== r.domain) reasons.push(`domain '${text(row.domain)}' is not canonical ('${r.domain}')`);
  if (!isLegacyTarget(row.target) && text(row.target) !== r.target) reasons.push(`target '${text(row.target)}' is not canonical ('${r.target}')`);
  if (!sameJson(row.record_raw, recordRaw(r))) {
    const reason = rawReason(row.record_raw, r.fields as Record<string, unknown>);
    // A raw body that differs only as the columns do (case, trailing dot) is said by the reasons above.
    if (reason || reasons.length === 0) reasons.push(reason ?? 'record_raw is not in canonical form');
  }
  return reasons;
}

/** What is wrong with record_raw beyond its values' form: fields that are not the identity's, or no JSON at all. */
function rawReason(raw: SQLOutputValue, fields: Record<string, unknown>): string | null {
  try {
    const parsed = JSON.parse(String(raw)) as Record<string, unknown>;
    const extra = Object.keys(parsed).filter((k) => !(k in fields));
    if (extra.length) return `record_raw holds more than the identity (${listed(extra)}), which would go into create bodies`;
    const missing = Object.keys(fields).filter((k) => !(k in parsed));
    if (missing.length) return `record_raw lacks ${listed(missing)}`;
    return null;
  } catch {
    return 'record_raw is not JSON';
  }
}
