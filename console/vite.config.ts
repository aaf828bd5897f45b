// The web console: a static single-page app served at /console/ by both hosts (src/SwfServerless.Service/Console).
// `npm run build:console` writes console/dist/, which the Service project embeds into its assembly.
import { defineConfig } from 'vite';

export default defineConfig({
  root: __dirname,
  base: '/console/',
  // Preact through esbuild's automatic JSX runtime: no framework plugin needed.
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  // `npm run dev:console`: the console with hot reload at http://127.0.0.1:5173/console/, its SWF calls (POST /) passed
  // to the service that scripts/run.sh started. The Host header is kept, so signatures made for this origin verify.
  server: { host: '127.0.0.1', port: 5173, strictPort: true, proxy: { '^/$': { target: 'http://127.0.0.1:7071' } } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Nothing inlined: the Content-Security-Policy allows scripts, styles and images from the console itself only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    chunkSizeWarningLimit: 1024,
  },
});
