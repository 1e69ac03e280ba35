import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

// The dev server forwards the API to a running civicloop (`civicloop serve --listen 127.0.0.1:18080`).
const apiTarget = process.env.CIVICLOOP_API || 'http://127.0.0.1:18080'

export default defineConfig({
  base: '/',
  plugins: [
    vue(),
    // Element Plus components used in templates are imported on demand, with their CSS.
    // components.d.ts is committed so that `vue-tsc` type-checks templates before the first build.
    Components({
      dts: 'src/components.d.ts',
      resolvers: [ElementPlusResolver({ importStyle: 'css' })],
    }),
  ],
  define: {
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: false,
  },
  server: {
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
      '/healthz': { target: apiTarget },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
  },
})
