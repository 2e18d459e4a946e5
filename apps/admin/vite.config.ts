import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The admin server the dev server forwards API and HubSpot install calls to (`MILEPOST_ADMIN_URL` to point elsewhere). */
const ADMIN_SERVER = process.env.MILEPOST_ADMIN_URL ?? 'http://localhost:4400';

export default defineConfig({
  // The UI lives beside the server sources; rooting Vite at src/ui keeps server files out of the bundle.
  root: fileURLToPath(new URL('./src/ui', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/ui', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    proxy: {
      '/api': { target: ADMIN_SERVER, changeOrigin: false },
      '/hubspot': { target: ADMIN_SERVER, changeOrigin: false },
    },
  },
});
