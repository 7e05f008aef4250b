/// <reference types="vitest/config" />
import { defineConfig } from "vite";

// Tauri serves the built files from `ui/dist`; `base: "./"` keeps asset URLs relative so the
// same build also works under `vite preview` for the Chromium UI tests.
export default defineConfig({
  base: "./",
  clearScreen: false,
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  server: { port: 1420, strictPort: true },
  build: {
    outDir: "dist",
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
  },
  test: {
    include: ["src/**/*.test.ts", "scripts/**/*.test.ts"],
    environment: "node",
  },
});
