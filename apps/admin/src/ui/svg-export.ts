/**
 * Saving the journey map: as the SVG the server drew, or as a PNG drawn at twice its size so it
 * stays sharp on slides and in documents.
 */

/** Offers `blob` as a download named `fileName`. */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // Revoke after the click has been handled; revoking at once cancels the download in some browsers.
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The drawing size of an SVG document: its width/height attributes, else its viewBox. */
export function svgSize(svgText: string): { width: number; height: number } {
  const element = new DOMParser().parseFromString(svgText, 'image/svg+xml').documentElement;
  const width = Number.parseFloat(element.getAttribute('width') ?? '');
  const height = Number.parseFloat(element.getAttribute('height') ?? '');
  if (width > 0 && height > 0) return { width, height };
  const viewBox = (element.getAttribute('viewBox') ?? '').split(/[\s,]+/).map(Number);
  if (viewBox.length === 4 && viewBox[2]! > 0 && viewBox[3]! > 0)
    return { width: viewBox[2]!, height: viewBox[3]! };
  return { width: 1200, height: 800 };
}

/** Draws the SVG onto a canvas at `scale` × its size, on white (a transparent PNG looks broken in dark viewers). */
export async function svgToPng(svgText: string, scale = 2): Promise<Blob> {
  const { width, height } = svgSize(svgText);
  const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.decoding = 'async';
    await new Promise<void>((resolve, reject) => {
      image.onload = () => resolve();
      image.onerror = () => reject(new Error('The map could not be drawn as an image.'));
      image.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('This browser cannot draw on a canvas.');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob(
        (blob) => (blob ? resolve(blob) : reject(new Error('The PNG could not be made.'))),
        'image/png',
      ),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}
