/** docs/onnx.md shows the coverage tables the rule tables make (the documentation cannot drift from the code). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { coverageTables } from '@graft/onnx';

describe('docs/onnx.md', () => {
  const doc = readFileSync(new URL('../docs/onnx.md', import.meta.url), 'utf8');
  it('holds the export coverage table made from exportRules', () => {
    expect(doc).toContain(coverageTables().export);
  });
  it('holds the import coverage table made from importRules', () => {
    expect(doc).toContain(coverageTables().import);
  });
});
