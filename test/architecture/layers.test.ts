import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../support/tmp.ts';
import { cycles, folderOf, importGraph, layerOf, LAYERS, upwardImports } from './imports.ts';

describe('architecture: the import graph of src/', () => {
  const graph = importGraph();

  it('puts every file in a folder of a known layer', () => {
    const stray = [...graph.keys()].filter((file) => layerOf(folderOf(file)) < 0);
    assert.deepEqual(stray, [], `files outside the layers ${JSON.stringify(LAYERS)}`);
  });

  it('has no import that goes up a layer or across to a folder of the same layer', () => {
    assert.deepEqual(upwardImports(graph), []);
  });

  it('has no cycle between files', () => {
    assert.deepEqual(cycles(graph), []);
  });

  it('domain imports nothing of the project outside itself', () => {
    const outside = [...graph].filter(([file]) => folderOf(file) === 'domain').flatMap(([, targets]) => targets.filter((t) => folderOf(t) !== 'domain'));
    assert.deepEqual(outside, []);
  });

  it('the checks themselves find an upward import, a same-layer import and a cycle, of every kind of import', () => {
    const root = tempDir('layers');
    const write = (path: string, text: string) => {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    write('domain/a.ts', "import type { B } from '../store/b.ts';\n");
    write('store/b.ts', "export { c } from './c.ts';\nexport type B = 1;\n");
    write('store/c.ts', "export const c = () => import('./b.ts');\nimport '../planner/d.ts';\n");
    write('planner/d.ts', 'export {};\n');
    const fake = importGraph(root);
    assert.deepEqual(upwardImports(fake).sort(), ['domain/a.ts → store/b.ts', 'store/c.ts → planner/d.ts']);
    assert.deepEqual(cycles(fake), [['store/b.ts', 'store/c.ts']]);
  });
});
