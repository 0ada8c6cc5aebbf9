/**
 * The arithmetic of a virtualised list with a fixed row height: which rows a scroll position shows, and where
 * to draw them. Browsers cap an element's height (Chromium at about 33.5 million pixels), less than a million
 * 40 px rows need, so past MAX_SCROLL_PX the scroll range is scaled: the scrollbar spans the whole chain and
 * each pixel of it moves a little more than a pixel of rows. Pure, so that it is tested without a browser.
 */

/** The tallest scroll area the list makes; longer lists are scaled into it. */
export const MAX_SCROLL_PX = 8_000_000;

export interface VirtualInput {
  readonly rows: number;
  readonly rowPx: number;
  readonly viewportPx: number;
  readonly scrollTop: number;
  /** Rows drawn beyond each edge, so that a fast scroll never shows a gap. */
  readonly overscan: number;
}

export interface VirtualWindow {
  /** The height of the scroll area's content. */
  readonly spacerPx: number;
  /** The first row drawn, and how many. */
  readonly first: number;
  readonly count: number;
  /** Where the first drawn row goes, from the top of the scroll area's content. */
  readonly firstTopPx: number;
}

function ranges(rows: number, rowPx: number, viewportPx: number) {
  const contentPx = rows * rowPx;
  const spacerPx = Math.min(contentPx, MAX_SCROLL_PX);
  return { spacerPx, maxScroll: Math.max(0, spacerPx - viewportPx), contentMax: Math.max(0, contentPx - viewportPx) };
}

/** The distance into the full (unscaled) list that a scroll position stands for. */
function virtualTopFor(input: Omit<VirtualInput, 'overscan'>): number {
  const { maxScroll, contentMax } = ranges(input.rows, input.rowPx, input.viewportPx);
  const scrollTop = Math.min(Math.max(0, input.scrollTop), maxScroll);
  if (maxScroll === contentMax) return scrollTop;
  return maxScroll > 0 ? (scrollTop / maxScroll) * contentMax : 0;
}

export function virtualWindow(input: VirtualInput): VirtualWindow {
  const { rows, rowPx, viewportPx, overscan } = input;
  const { spacerPx, maxScroll } = ranges(rows, rowPx, viewportPx);
  if (rows === 0) return { spacerPx: 0, first: 0, count: 0, firstTopPx: 0 };
  const scrollTop = Math.min(Math.max(0, input.scrollTop), maxScroll);
  const virtualTop = virtualTopFor({ ...input, scrollTop });
  const first = Math.max(0, Math.floor(virtualTop / rowPx) - overscan);
  const last = Math.min(rows - 1, Math.ceil((virtualTop + viewportPx) / rowPx) + overscan);
  return { spacerPx, first, count: last - first + 1, firstTopPx: scrollTop + first * rowPx - virtualTop };
}

/**
 * The scroll position that shows row `index` whole: moving as little as possible from `scrollTop`
 * (`nearest`, for arrow keys), or with the row in the middle when it is out of view (`center`, for a jump).
 */
export function scrollTopToReveal(index: number, input: Omit<VirtualInput, 'overscan'>, align: 'nearest' | 'center' = 'nearest'): number {
  const { rowPx, viewportPx } = input;
  const { maxScroll, contentMax } = ranges(input.rows, rowPx, viewportPx);
  if (maxScroll === 0 || contentMax === 0) return 0;
  const virtualTop = virtualTopFor(input);
  const rowTop = index * rowPx;
  let wanted = virtualTop;
  const outOfView = rowTop < virtualTop || rowTop + rowPx > virtualTop + viewportPx;
  if (outOfView && align === 'center') wanted = rowTop + rowPx / 2 - viewportPx / 2;
  else if (rowTop < virtualTop) wanted = rowTop;
  else if (rowTop + rowPx > virtualTop + viewportPx) wanted = rowTop + rowPx - viewportPx;
  else return input.scrollTop;
  return Math.min(maxScroll, Math.max(0, maxScroll === contentMax ? wanted : (wanted / contentMax) * maxScroll));
}
