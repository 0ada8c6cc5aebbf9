import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const eslint = new ESLint({ cwd: root });

/** Lints `code` as if it were the file at `path` (the file need not exist), returning the rule ids hit. */
async function rulesHit(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}/${path}` });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'fatal'}: ${m.message}`);
}

describe('lint enforces the layering (DESIGN.md §3) and the bans (STYLE.md)', () => {
  it('main/core may not import I/O, other layers or read the clock', async () => {
    expect(await rulesHit('main/core/fixture.ts', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n")).toEqual([
      expect.stringMatching(/no-restricted-imports: .*main\/core is pure/),
    ]);
    expect(await rulesHit('main/core/fixture.ts', "import Database from 'better-sqlite3';\nexport const d = Database;\n")).toHaveLength(1);
    expect(await rulesHit('main/core/fixture.ts', "import { startNode } from '../node/node';\nexport const s = startNode;\n")).toHaveLength(1);
    expect(await rulesHit('main/core/fixture.ts', 'export const t = Date.now();\n')).toEqual([expect.stringMatching(/reads no clock/)]);
    expect(await rulesHit('main/core/fixture.ts', "import { createHash } from 'node:crypto';\nexport const h = createHash;\n")).toEqual([]);
  });

  it('main/node may not import electron', async () => {
    expect(await rulesHit('main/node/fixture.ts', "import { app } from 'electron';\nexport const a = app;\n")).toEqual([
      expect.stringMatching(/never imports electron/),
    ]);
  });

  it('the renderer imports only types from the contract, and nothing from main/ or Node', async () => {
    expect(await rulesHit('renderer/fixture.ts', "import { METHODS } from '../preload/contract';\nexport const m = METHODS;\n")).toEqual([
      expect.stringMatching(/only types from the contract/),
    ]);
    expect(await rulesHit('renderer/fixture.ts', "import type { NodeStatus } from '../preload/contract';\nexport type S = NodeStatus;\n")).toEqual([]);
    expect(await rulesHit('renderer/fixture.ts', "import { CivichainError } from '../main/core/errors';\nexport const e = CivichainError;\n")).toHaveLength(1);
    expect(await rulesHit('renderer/fixture.ts', "import { join } from 'node:path';\nexport const j = join;\n")).toHaveLength(1);
  });

  it('bans any, console.log outside the CLI, codeless Error throws and bare built-in names', async () => {
    expect(await rulesHit('main/node/fixture.ts', 'export const x: any = 1;\n')).toEqual([expect.stringMatching(/no-explicit-any/)]);
    expect(await rulesHit('main/node/fixture.ts', "console.log('hi');\n")).toEqual([expect.stringMatching(/no-console/)]);
    expect(await rulesHit('main/cli/fixture.ts', "console.log('hi');\n")).toEqual([]);
    expect(await rulesHit('main/node/fixture.ts', "throw new Error('no code');\n")).toEqual([expect.stringMatching(/error with a code/)]);
    expect(await rulesHit('main/node/fixture.ts', "import { join } from 'path';\nexport const j = join;\n")).toEqual([
      expect.stringMatching(/node: prefix/),
    ]);
  });
});
