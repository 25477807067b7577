import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createStyle } from '../../src/cli/style.ts';

describe('output: colours', () => {
  it('are the 16-colour SGR pairs when colour is on', () => {
    const style = createStyle(true);
    assert.equal(style.bold('a'), '\x1b[1ma\x1b[22m');
    assert.equal(style.gray('a'), '\x1b[90ma\x1b[39m');
    assert.equal(style.green('a'), '\x1b[32ma\x1b[39m');
    assert.equal(style.red('a'), '\x1b[31ma\x1b[39m');
    assert.equal(style.yellow('a'), '\x1b[33ma\x1b[39m');
  });

  it('are nothing at all when colour is off, and an empty text stays empty', () => {
    const plain = createStyle(false);
    for (const colour of ['bold', 'gray', 'green', 'red', 'yellow'] as const) assert.equal(plain[colour]('a\nb'), 'a\nb');
    assert.equal(createStyle(true).red(''), '');
  });

  it('close at each line break and open again after it, so no border or next line takes the colour', () => {
    assert.equal(createStyle(true).red('a\nb\r\nc'), '\x1b[31ma\x1b[39m\n\x1b[31mb\x1b[39m\r\n\x1b[31mc\x1b[39m');
  });

  it('open again after a coloured word inside a coloured text', () => {
    const style = createStyle(true);
    assert.equal(style.red(`x ${style.green('ok')} y`), '\x1b[31mx \x1b[32mok\x1b[39m\x1b[31m y\x1b[39m');
  });
});
