/** The node's own settings in the data folder (settings.json): what a person chose, kept across restarts. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from './files';

const settingsSchema = z.object({ approvalMode: z.enum(['auto', 'manual']).default('auto') });
export type NodeSettings = z.infer<typeof settingsSchema>;

export function loadSettings(dataDir: string): NodeSettings {
  const path = join(dataDir, 'settings.json');
  if (!existsSync(path)) return settingsSchema.parse({});
  try {
    return settingsSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch {
    // A damaged settings file falls back to the defaults rather than stopping the node.
    return settingsSchema.parse({});
  }
}

export function saveSettings(dataDir: string, settings: NodeSettings): void {
  writeFileAtomic(join(dataDir, 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
}
