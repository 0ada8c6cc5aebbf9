#!/usr/bin/env node
/**
 * Draws build/icon.png (512×512), the application icon electron-builder turns into each platform's format:
 * a ballot-box check mark in a ring on a rounded blue square. Node built-ins only (zlib for the PNG).
 * Run `node build/make-icon.mjs` to redraw it.
 */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SIZE_PX = 512;
const BACKGROUND = [31, 78, 140];
const FOREGROUND = [255, 255, 255];

/** Coverage in [0, 1] of a pixel by a shape, from its signed distance (negative inside), 1px anti-aliasing. */
const cover = (distance) => Math.min(1, Math.max(0, 0.5 - distance));

function roundedSquare(x, y, half, radius) {
  const qx = Math.abs(x) - half + radius;
  const qy = Math.abs(y) - half + radius;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
}

function segment(x, y, ax, ay, bx, by, halfWidth) {
  const px = x - ax;
  const py = y - ay;
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.min(1, Math.max(0, (px * dx + py * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - t * dx, py - t * dy) - halfWidth;
}

const rgba = Buffer.alloc(SIZE_PX * SIZE_PX * 4);
for (let row = 0; row < SIZE_PX; row++) {
  for (let col = 0; col < SIZE_PX; col++) {
    const x = col + 0.5 - SIZE_PX / 2;
    const y = row + 0.5 - SIZE_PX / 2;
    const tile = cover(roundedSquare(x, y, 232, 96));
    const ring = cover(Math.abs(Math.hypot(x, y) - 150) - 18);
    const check = cover(Math.min(segment(x, y, -78, 4, -22, 62, 24), segment(x, y, -22, 62, 84, -60, 24)));
    const mark = Math.max(ring, check);
    const offset = (row * SIZE_PX + col) * 4;
    for (let channel = 0; channel < 3; channel++) {
      rgba[offset + channel] = Math.round(BACKGROUND[channel] * (1 - mark) + FOREGROUND[channel] * mark);
    }
    rgba[offset + 3] = Math.round(255 * tile);
  }
}

// PNG (RFC 2083): signature, IHDR, one IDAT of filter-0 scanlines, IEND; each chunk with its CRC-32.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE_PX, 0);
header.writeUInt32BE(SIZE_PX, 4);
header[8] = 8; // bit depth
header[9] = 6; // RGBA
const scanlines = Buffer.alloc(SIZE_PX * (SIZE_PX * 4 + 1));
for (let row = 0; row < SIZE_PX; row++) {
  rgba.copy(scanlines, row * (SIZE_PX * 4 + 1) + 1, row * SIZE_PX * 4, (row + 1) * SIZE_PX * 4);
}
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(scanlines, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(new URL('./icon.png', import.meta.url), png);
console.log(`build/icon.png: ${SIZE_PX}×${SIZE_PX}, ${png.length} bytes`);
