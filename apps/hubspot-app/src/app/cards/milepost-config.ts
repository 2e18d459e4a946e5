// Written by scripts/configure.ts from MILEPOST_PUBLIC_URL; run it again instead of editing this file.

/** The Milepost admin server the cards call with `hubspot.fetch` (listed in `permittedUrls.fetch`). */
export const MILEPOST_BASE_URL = 'http://localhost:4400';
