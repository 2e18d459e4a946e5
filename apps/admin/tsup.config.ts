import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/server/admin-main.ts', 'src/server/admin-demo.ts', 'src/server/index.ts'],
  outDir: 'dist/server',
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'node22',
});
