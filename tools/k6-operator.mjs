#!/usr/bin/env node
// `make k6-operator TEST=load PARALLELISM=4`; the work is in k6-operator.ts (run through tsx, a dev dependency).
import { tsImport } from 'tsx/esm/api';

// Piped into head or less that quits early: stop quietly, as other command-line tools do.
process.stdout.on('error', (err) => process.exit(err.code === 'EPIPE' ? 0 : 1));
const { main } = await tsImport('./k6-operator.ts', import.meta.url);
process.exitCode = await main(process.argv.slice(2), process.env);
