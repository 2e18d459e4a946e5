import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/milepost.ts'],
  format: ['esm'],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  target: 'node22',
});
