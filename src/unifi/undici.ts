// The parts of undici dnssync uses: Pool and the connector. undici's entry
// point loads all of undici (fetch, WebSocket, cookies, the last of which wakes the undici bundled
// inside Node as well): 75 ms of every sync's start-up here against 33 ms for these (issue 13).
// undici has no `exports` map, so its files are its to move: an upgrade that moves them fails
// every test that talks to a controller.
import { createRequire } from 'node:module';
import type { buildConnector as BuildConnector, Pool as PoolClass } from 'undici';

const require = createRequire(import.meta.url);

export const Pool: typeof PoolClass = require('undici/lib/dispatcher/pool.js');
export const buildConnector: typeof BuildConnector = require('undici/lib/core/connect.js');
export type Pool = PoolClass;
/** What `buildConnector` returns: undici's `connect` option. */
export type Connector = BuildConnector.connector;
