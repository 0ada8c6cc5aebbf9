/**
 * Remembered window positions (issue 7): each role's last bounds and whether it was maximised, kept in
 * `window-state.json` in the app's user data folder. Pure rules here (unit-tested under plain Node); windows.ts
 * reads and writes the file. A saved position is used only while it is still mostly on a screen: a window is
 * never restored onto a display that has been unplugged.
 */
import { WINDOW_ROLES, type WindowRole } from '../../preload/contract';

export interface Bounds {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface SavedWindow {
  readonly bounds: Bounds;
  readonly maximized: boolean;
}

export type WindowState = Partial<Record<WindowRole, SavedWindow>>;

const isInt = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value);

function isBounds(value: unknown): value is Bounds {
  if (typeof value !== 'object' || value === null) return false;
  const b = value as Record<string, unknown>;
  return isInt(b['x']) && isInt(b['y']) && isInt(b['width']) && isInt(b['height']) && (b['width'] as number) > 0 && (b['height'] as number) > 0;
}

/** Reads the file's JSON; anything malformed (a hand edit, a crash mid-write) is ignored, role by role. */
export function parseWindowState(text: string | null): WindowState {
  if (text === null) return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof json !== 'object' || json === null) return {};
  const state: WindowState = {};
  for (const role of WINDOW_ROLES) {
    const saved = (json as Record<string, unknown>)[role];
    if (typeof saved !== 'object' || saved === null) continue;
    const { bounds, maximized } = saved as Record<string, unknown>;
    if (isBounds(bounds)) state[role] = { bounds, maximized: maximized === true };
  }
  return state;
}

function overlap(a: Bounds, b: Bounds): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width > 0 && height > 0 ? width * height : 0;
}

/**
 * Where to open a window: its saved bounds when the window is mostly on one of the displays' work areas
 * (moved and shrunk to fit that display, and to the minimum size), else null (the default size, centred).
 */
export function restoredBounds(saved: SavedWindow | undefined, workAreas: readonly Bounds[], minimum: { width: number; height: number }): Bounds | null {
  if (!saved) return null;
  const { bounds } = saved;
  const area = bounds.width * bounds.height;
  // Mostly on a display: half the window on it, or, for a window larger than the display, half the display.
  const display = workAreas.find((work) => overlap(bounds, work) * 2 >= Math.min(area, work.width * work.height));
  if (!display) return null;
  const width = Math.max(minimum.width, Math.min(bounds.width, display.width));
  const height = Math.max(minimum.height, Math.min(bounds.height, display.height));
  const x = Math.min(Math.max(bounds.x, display.x), display.x + display.width - width);
  const y = Math.min(Math.max(bounds.y, display.y), display.y + display.height - height);
  return { x, y, width, height };
}

export function withWindow(state: WindowState, role: WindowRole, saved: SavedWindow): WindowState {
  return { ...state, [role]: saved };
}
