import react from '@vitejs/plugin-react'
import { defineConfig } from 'vitest/config'

const backend = process.env.VOXTELL_DEV_BACKEND ?? 'http://127.0.0.1:8000'

export default defineConfig({
  plugins: [react()],
  server: { proxy: { '/api': backend, '/predict': backend } },
  build: { outDir: 'dist', chunkSizeWarningLimit: 4000 },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
})
