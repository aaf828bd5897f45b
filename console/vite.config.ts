// The web console: a static single-page app served at /console/ by both hosts (src/SwfServerless.Service/Console).
// `npm run build:console` writes console/dist/, which the Service project embeds into its assembly.
import { defineConfig } from 'vite';

export default defineConfig({
  root: __dirname,
  base: '/console/',
  // Preact through esbuild's automatic JSX runtime: no framework plugin needed.
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
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
