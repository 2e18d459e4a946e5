/**
 * Compares a screenshot with a stored PNG (pngjs + pixelmatch). `UPDATE_SCREENSHOTS=1` writes the
 * new one instead. On a mismatch the actual image and the difference are written beside the test
 * run's temp files, and their paths are in the error.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';

/** How a comparison went. */
export interface ScreenshotComparison {
  /** True when the stored image was (re)written instead of compared. */
  updated: boolean;
  differentPixels: number;
  /** Share of differing pixels, 0–1. */
  ratio: number;
}

/** Options of {@link compareScreenshot}. */
export interface CompareOptions {
  /** pixelmatch's per-pixel colour threshold (0–1). */
  threshold?: number;
  /** The largest share of differing pixels that still counts as the same picture. */
  maxRatio?: number;
}

/**
 * Checks `actual` (PNG bytes) against the PNG at `storedPath`; throws when they differ by more than
 * `maxRatio` of the pixels or in size. Writes the stored PNG when it is missing and
 * `UPDATE_SCREENSHOTS` is set.
 */
export function compareScreenshot(
  actual: Buffer,
  storedPath: string,
  options: CompareOptions = {},
): ScreenshotComparison {
  const { threshold = 0.1, maxRatio = 0.01 } = options;
  if (process.env.UPDATE_SCREENSHOTS) {
    mkdirSync(dirname(storedPath), { recursive: true });
    writeFileSync(storedPath, actual);
    return { updated: true, differentPixels: 0, ratio: 0 };
  }
  if (!existsSync(storedPath))
    throw new Error(`No stored screenshot at ${storedPath}; run with UPDATE_SCREENSHOTS=1 to create it.`);
  const expected = PNG.sync.read(readFileSync(storedPath));
  const image = PNG.sync.read(actual);
  const keep = () => {
    const directory = mkdtempSync(join(tmpdir(), 'milepost-screenshot-'));
    writeFileSync(join(directory, 'actual.png'), actual);
    return directory;
  };
  if (expected.width !== image.width || expected.height !== image.height)
    throw new Error(
      `The screenshot is ${image.width}×${image.height}, the stored one ${expected.width}×${expected.height} (${storedPath}); actual image in ${keep()}.`,
    );
  const difference = new PNG({ width: image.width, height: image.height });
  const differentPixels = pixelmatch(expected.data, image.data, difference.data, image.width, image.height, {
    threshold,
  });
  const ratio = differentPixels / (image.width * image.height);
  if (ratio > maxRatio) {
    const directory = keep();
    writeFileSync(join(directory, 'difference.png'), PNG.sync.write(difference));
    throw new Error(
      `${differentPixels} pixels (${(ratio * 100).toFixed(2)} %) differ from ${storedPath}, more than ${(maxRatio * 100).toFixed(2)} %; actual and difference in ${directory}. If the change is intended, run with UPDATE_SCREENSHOTS=1.`,
    );
  }
  return { updated: false, differentPixels, ratio };
}
