// Preloaded (NODE_OPTIONS=--import) into a CLI process by lazy-loading.test.ts: writes the URL of
// every module of src/ that the process loads to $DNSSYNC_TRACE_MODULES, one a line, at exit, then
// Node's own modules it loaded ("node:internal/fs/streams"). It takes node:fs and node:module
// through getBuiltinModule: an import would load what it is there to see (src/system/fs.ts).
const { writeFileSync } = process.getBuiltinModule('node:fs');
const { registerHooks } = process.getBuiltinModule('node:module');

const loaded = [];
registerHooks({
  load(url, context, next) {
    if (url.includes('/src/')) loaded.push(url.slice(url.indexOf('/src/') + 1));
    return next(url, context);
  },
});
process.on('exit', () => {
  const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => `node:${m.slice('NativeModule '.length)}`);
  writeFileSync(process.env.DNSSYNC_TRACE_MODULES, [...loaded, ...builtins].join('\n'));
});
