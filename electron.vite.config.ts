import { resolve } from 'node:path';
import { readdirSync } from 'node:fs';
import { defineConfig } from 'electron-vite';
import vue from '@vitejs/plugin-vue';

const root = import.meta.dirname;

/** One HTML entry per window (renderer/windows/<role>.html) plus the browser console (renderer/index.html). */
function rendererEntries(): Record<string, string> {
  const entries: Record<string, string> = { index: resolve(root, 'renderer/index.html') };
  for (const file of readdirSync(resolve(root, 'renderer/windows'))) {
    if (file.endsWith('.html')) entries[file.slice(0, -'.html'.length)] = resolve(root, 'renderer/windows', file);
  }
  return entries;
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          // The Electron main process.
          index: resolve(root, 'main/app/index.ts'),
          // The headless node and CLI; never imports electron.
          cli: resolve(root, 'main/cli/index.ts'),
          // Worker threads, found beside the bundles at run time (main/node/workers/workerThreads.ts).
          verifyWorker: resolve(root, 'main/node/workers/verifyWorker.ts'),
          powWorker: resolve(root, 'main/node/workers/powWorker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload can require only `electron`: bundle zod and the contract into it.
      externalizeDeps: false,
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(root, 'preload/index.ts') },
        // Sandboxed preloads cannot be ES modules.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
        // zod's sources carry pure-annotations in positions Rollup ignores; harmless, and not ours to fix.
        onwarn(warning, warn) {
          if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('node_modules/zod/')) return;
          warn(warning);
        },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    base: './',
    plugins: [vue()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      emptyOutDir: true,
      rollupOptions: { input: rendererEntries() },
    },
  },
});
