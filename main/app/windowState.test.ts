import { describe, expect, it } from 'vitest';
import { parseWindowState, restoredBounds, withWindow } from './windowState';

const MIN = { width: 720, height: 520 };
const LAPTOP = { x: 0, y: 0, width: 1440, height: 900 };
const SECOND = { x: 1440, y: 0, width: 1920, height: 1080 };

describe('remembered window positions', () => {
  it('parses what it wrote and ignores anything malformed, role by role', () => {
    const state = withWindow({}, 'explorer', { bounds: { x: 10, y: 20, width: 1000, height: 700 }, maximized: true });
    expect(parseWindowState(JSON.stringify(state))).toEqual(state);
    expect(parseWindowState(null)).toEqual({});
    expect(parseWindowState('{not json')).toEqual({});
    expect(parseWindowState('[1,2]')).toEqual({});
    expect(
      parseWindowState(
        JSON.stringify({ explorer: { bounds: { x: 0, y: 0, width: -5, height: 10 } }, booth: { bounds: { x: 1.5, y: 0, width: 800, height: 600 } }, nosuch: { bounds: { x: 0, y: 0, width: 800, height: 600 } }, wallet: { bounds: { x: 5, y: 5, width: 800, height: 600 } } }),
      ),
    ).toEqual({ wallet: { bounds: { x: 5, y: 5, width: 800, height: 600 }, maximized: false } });
  });

  it('restores a window where it was, on the display it was on', () => {
    const saved = { bounds: { x: 1600, y: 100, width: 1200, height: 800 }, maximized: false };
    expect(restoredBounds(saved, [LAPTOP, SECOND], MIN)).toEqual(saved.bounds);
  });

  it('does not restore a window onto a display that is gone', () => {
    const saved = { bounds: { x: 1600, y: 100, width: 1200, height: 800 }, maximized: false };
    expect(restoredBounds(saved, [LAPTOP], MIN)).toBeNull();
    expect(restoredBounds(undefined, [LAPTOP], MIN)).toBeNull();
  });

  it('pulls a window that hangs off its display back onto it, and shrinks it to fit', () => {
    expect(restoredBounds({ bounds: { x: 900, y: -40, width: 1000, height: 800 }, maximized: false }, [LAPTOP], MIN)).toEqual({ x: 440, y: 0, width: 1000, height: 800 });
    expect(restoredBounds({ bounds: { x: 0, y: 0, width: 3000, height: 2000 }, maximized: false }, [LAPTOP], MIN)).toEqual({ x: 0, y: 0, width: 1440, height: 900 });
    expect(restoredBounds({ bounds: { x: 10, y: 10, width: 300, height: 200 }, maximized: false }, [LAPTOP], MIN)).toEqual({ x: 10, y: 10, width: 720, height: 520 });
  });
});
