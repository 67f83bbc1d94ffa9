/**
 * The web UI's build: web/ → dist/web/, served by `capdex serve` at `/`. Heavy libraries get
 * their own chunks so the first page loads fast (ECharts and Cytoscape only load with the views
 * that draw charts and graphs). `npm run dev:web` proxies /api to a running `capdex serve`.
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        manualChunks(id: string) {
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender')) return 'echarts';
          if (id.includes('node_modules/cytoscape')) return 'cytoscape';
          if (id.includes('node_modules/react') || id.includes('node_modules/scheduler') || id.includes('node_modules/wouter')) return 'react';
          return undefined;
        },
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/openapi.json': 'http://127.0.0.1:8080' } },
});
