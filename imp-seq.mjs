import { enableCompileCache } from 'node:module'; enableCompileCache();
const out = [];
for (const m of process.argv.slice(2)) { const t = performance.now(); await import(m); out.push(`${m.replace('./src/','')} ${(performance.now() - t).toFixed(1)}`); }
console.log(out.join(' | '), '| total', performance.now().toFixed(1));
