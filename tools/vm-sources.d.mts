import type { Plugin } from 'esbuild';
export const minifyVMSources: Plugin;
