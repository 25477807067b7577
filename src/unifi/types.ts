/**
 * The envelopes of the UniFi Network Integration API (Network 10.1+;
 * ../shared/unifi/integration-10.1.89/openapi-subset.json). What they carry is in
 * ../domain/policy.ts.
 */

export interface Page<T> {
  offset: number;
  limit: number;
  count: number;
  totalCount: number;
  data: T[];
}

/** The "Error Message" body of every API error. */
export interface ApiErrorBody {
  statusCode?: number;
  statusName?: string;
  code?: string;
  message?: string;
  timestamp?: string;
  requestPath?: string;
  requestId?: string;
}
