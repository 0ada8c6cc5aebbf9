import { describe, expect, it } from 'vitest';
import { MAX_SCROLL_PX, scrollTopToReveal, virtualWindow } from './virtualRows';

const ROW = 40;
const VIEW = 480;

describe('virtualWindow', () => {
  it('draws only the visible rows and the overscan of a short list, at their own offsets', () => {
    expect(virtualWindow({ rows: 100, rowPx: ROW, viewportPx: VIEW, scrollTop: 0, overscan: 2 })).toEqual({
      spacerPx: 4000,
      first: 0,
      count: 15,
      firstTopPx: 0,
    });
    const w = virtualWindow({ rows: 100, rowPx: ROW, viewportPx: VIEW, scrollTop: 1000, overscan: 2 });
    expect(w.first).toBe(23);
    expect(w.firstTopPx).toBe(23 * ROW);
    expect(w.count).toBeLessThanOrEqual(17);
  });

  it('keeps a million rows inside the browser’s height limit and still reaches the last row', () => {
    const rows = 1_000_000;
    const top = virtualWindow({ rows, rowPx: ROW, viewportPx: VIEW, scrollTop: 0, overscan: 3 });
    expect(top.spacerPx).toBe(MAX_SCROLL_PX);
    expect(top.first).toBe(0);
    const end = virtualWindow({ rows, rowPx: ROW, viewportPx: VIEW, scrollTop: MAX_SCROLL_PX - VIEW, overscan: 3 });
    expect(end.first + end.count).toBe(rows);
    expect(end.count).toBeLessThan(25);
    // The last row is drawn flush with the bottom of the scroll area.
    expect(end.firstTopPx + end.count * ROW).toBeCloseTo(MAX_SCROLL_PX, 6);
    const middle = virtualWindow({ rows, rowPx: ROW, viewportPx: VIEW, scrollTop: (MAX_SCROLL_PX - VIEW) / 2, overscan: 0 });
    expect(Math.abs(middle.first - rows / 2)).toBeLessThan(20);
  });

  it('clamps a scroll position outside the range, and draws nothing for no rows', () => {
    expect(virtualWindow({ rows: 10, rowPx: ROW, viewportPx: VIEW, scrollTop: 99_999, overscan: 0 }).first).toBe(0);
    expect(virtualWindow({ rows: 0, rowPx: ROW, viewportPx: VIEW, scrollTop: 0, overscan: 3 }).count).toBe(0);
  });
});

describe('scrollTopToReveal', () => {
  it('does not move when the row is visible, scrolls the least otherwise', () => {
    const input = { rows: 100, rowPx: ROW, viewportPx: VIEW, scrollTop: 400 };
    expect(scrollTopToReveal(12, input)).toBe(400);
    expect(scrollTopToReveal(5, input)).toBe(200);
    expect(scrollTopToReveal(30, input)).toBe(31 * ROW - VIEW);
  });

  it('puts a row out of view in the middle when asked to centre it', () => {
    const input = { rows: 100, rowPx: ROW, viewportPx: VIEW, scrollTop: 0 };
    expect(scrollTopToReveal(50, input, 'center')).toBe(50 * ROW + ROW / 2 - VIEW / 2);
    expect(scrollTopToReveal(3, input, 'center')).toBe(0);
    expect(scrollTopToReveal(99, input, 'center')).toBe(100 * ROW - VIEW);
  });

  it('reaches the first and the last of a million rows', () => {
    const input = { rows: 1_000_000, rowPx: ROW, viewportPx: VIEW, scrollTop: 12_345 };
    expect(scrollTopToReveal(0, input)).toBe(0);
    const end = scrollTopToReveal(999_999, input);
    expect(end).toBeCloseTo(MAX_SCROLL_PX - VIEW, 3);
    const w = virtualWindow({ ...input, scrollTop: end, overscan: 0 });
    expect(w.first + w.count).toBe(1_000_000);
  });
});
