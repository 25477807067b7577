// Preloaded (NODE_OPTIONS=--import) into a CLI process by lazy-loading.test.ts: writes the URL of
// every module of src/ that the process loads to $DNSSYNC_TRACE_MODULES, one a line, at exit.
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const loaded = [];
registerHooks({
  load(url, context, next) {
    if (url.includes('/src/')) loaded.push(url.slice(url.indexOf('/src/') + 1));
    return next(url, context);
  },
});
process.on('exit', () => writeFileSync(process.env.DNSSYNC_TRACE_MODULES, loaded.join('\n')));
