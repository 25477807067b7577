import type { DnsPolicy } from '../domain/policy.ts';
import type { AbsenceClaim } from '../planner/absence.ts';
import { inParallel } from './parallel.ts';

/** The read that confirms an absence: the policy by id, null when the controller answers 404. */
export interface PolicyReader {
  policy(siteId: string, policyId: string): Promise<DnsPolicy | null>;
}

/**
 * Reads each claimed-absent policy by id. Returns, per site key, why its listing cannot be
 * trusted this run: a policy it left out is still there, or the read failed. A 404 confirms.
 */
export async function confirmAbsence(
  claims: AbsenceClaim[],
  readerFor: (claim: AbsenceClaim) => PolicyReader,
  concurrency: number,
): Promise<Map<number, string>> {
  const untrusted = new Map<number, string>();
  await inParallel(claims, concurrency, async (claim) => {
    if (untrusted.has(claim.site.key)) return;
    try {
      const found = await readerFor(claim).policy(claim.site.uuid, claim.policyId);
      if (found) {
        untrusted.set(
          claim.site.key,
          `the policy list left out policy ${claim.policyId} (${claim.record.domain}), which the controller still has: the listing was incomplete, so nothing is decided or written at this site this run`,
        );
      }
    } catch (error) {
      untrusted.set(claim.site.key, `could not confirm that policy ${claim.policyId} (${claim.record.domain}) is gone: ${(error as Error).message}`);
    }
  });
  return untrusted;
}
