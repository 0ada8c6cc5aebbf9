#!/usr/bin/env node
// The `civichain` command: runs the built CLI (out/main/cli.js), which `npm install` builds (prepare).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('civichain: the node is not built yet. Run `npm run build` in the Civichain folder, then try again.\n');
  process.exit(1);
}
await import(cli);
