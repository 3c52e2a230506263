#!/usr/bin/env node
// `make cloud-upload|cloud-run|cloud-archive TEST=load`; the work is in cloud.ts (run through tsx).
import { tsImport } from 'tsx/esm/api';

const { main } = await tsImport('./cloud.ts', import.meta.url);
process.exitCode = await main(process.argv.slice(2), process.env);
